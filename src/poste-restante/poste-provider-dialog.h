/* poste-provider-dialog.h: adding a provider
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "poste-app-types.h"

G_BEGIN_DECLS

#define POSTE_TYPE_PROVIDER_DIALOG (poste_provider_dialog_get_type ())

G_DECLARE_FINAL_TYPE (PosteProviderDialog, poste_provider_dialog, POSTE, PROVIDER_DIALOG, AdwWindow)

PosteProviderDialog *poste_provider_dialog_new (PosteApplication *application);

G_END_DECLS
