/* poste-trust-dialog.h: asking the user to trust a provider's certificate
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "poste-app-types.h"

G_BEGIN_DECLS

GtkWidget *poste_trust_dialog_new                   (GtkWindow        *parent,
                                                     const char       *provider,
                                                     GTlsCertificate  *certificate,
                                                     const char       *old_pin);
void       poste_trust_dialog_present_for_provider  (PosteApplication *application,
                                                     GtkWindow        *parent,
                                                     const char       *provider,
                                                     GTlsCertificate  *certificate);

G_END_DECLS
