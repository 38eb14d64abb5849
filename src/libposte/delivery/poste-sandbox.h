/* poste-sandbox.h: which delivery targets work inside a Flatpak sandbox
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * POSTE_SANDBOX_INFO_FILE:
 *
 * Where Flatpak describes the sandbox to the programs inside it: a keyfile whose [Context]
 * group lists what the application was granted (flatpak-metadata(5)). It exists only there.
 */
#define POSTE_SANDBOX_INFO_FILE "/.flatpak-info"

#define POSTE_TYPE_SANDBOX (poste_sandbox_get_type ())
G_DECLARE_FINAL_TYPE (PosteSandbox, poste_sandbox, POSTE, SANDBOX, GObject)

PosteSandbox  *poste_sandbox_get_default   (void);
PosteSandbox  *poste_sandbox_new_from_data (const char    *data,
                                            gssize         length,
                                            const char    *home_dir,
                                            GError       **error);
const char    *poste_sandbox_get_app_id    (PosteSandbox  *self);
gboolean       poste_sandbox_check_target  (PosteSandbox  *self,
                                            const char    *target,
                                            GError       **error);
gboolean       poste_delivery_check_reachable (const char *target,
                                               GError    **error);

G_END_DECLS
