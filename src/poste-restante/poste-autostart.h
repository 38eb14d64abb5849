/* poste-autostart.h: starting in the background at login
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

char     *poste_autostart_dup_path    (void);
gboolean  poste_autostart_set_enabled (gboolean   enabled,
                                       GError   **error);

G_END_DECLS
