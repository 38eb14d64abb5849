/* poste-provider-dialog.h: adding and editing a provider
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include <poste-check.h>
#include <poste-types.h>

#include "poste-app-types.h"

G_BEGIN_DECLS

#define POSTE_TYPE_PROVIDER_DIALOG (poste_provider_dialog_get_type ())

G_DECLARE_FINAL_TYPE (PosteProviderDialog, poste_provider_dialog, POSTE, PROVIDER_DIALOG, AdwWindow)

PosteProviderDialog    *poste_provider_dialog_new              (PosteApplication    *application);
PosteProviderDialog    *poste_provider_dialog_new_for_provider (PosteApplication    *application,
                                                                PosteProvider       *provider);
const char             *poste_provider_dialog_get_editing      (PosteProviderDialog *self);
const PosteCheckResult *poste_provider_dialog_get_test_result  (PosteProviderDialog *self);
gboolean                poste_provider_dialog_is_testing       (PosteProviderDialog *self);

G_END_DECLS
