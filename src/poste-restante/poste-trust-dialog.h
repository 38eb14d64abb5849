/* poste-trust-dialog.h: asking the user to trust a provider's certificate
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "poste-app-types.h"

G_BEGIN_DECLS

#define POSTE_TYPE_TRUST_DIALOG (poste_trust_dialog_get_type ())

G_DECLARE_FINAL_TYPE (PosteTrustDialog, poste_trust_dialog, POSTE, TRUST_DIALOG, AdwMessageDialog)

GtkWidget  *poste_trust_dialog_new                  (GtkWindow        *parent,
                                                     const char       *provider,
                                                     GTlsCertificate  *certificate,
                                                     const char       *old_pin);
const char *poste_trust_dialog_get_sha256           (PosteTrustDialog *self);
void        poste_trust_dialog_present_for_provider (PosteApplication *application,
                                                     GtkWindow        *parent,
                                                     const char       *provider,
                                                     GTlsCertificate  *certificate);

G_END_DECLS
