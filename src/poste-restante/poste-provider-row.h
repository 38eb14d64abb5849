/* poste-provider-row.h: a provider in the main window's list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include <poste-provider.h>
#include <poste-session.h>

G_BEGIN_DECLS

#define POSTE_TYPE_PROVIDER_ROW (poste_provider_row_get_type ())

G_DECLARE_FINAL_TYPE (PosteProviderRow, poste_provider_row, POSTE, PROVIDER_ROW, AdwActionRow)

GtkWidget                *poste_provider_row_new          (PosteProvider            *provider);
PosteProvider            *poste_provider_row_get_provider (PosteProviderRow         *self);
void                      poste_provider_row_set_provider (PosteProviderRow         *self,
                                                           PosteProvider            *provider);
const PosteSessionReport *poste_provider_row_get_report   (PosteProviderRow         *self);
void                      poste_provider_row_set_report   (PosteProviderRow         *self,
                                                           const PosteSessionReport *report);
const char               *poste_provider_row_get_schedule (PosteProviderRow         *self);
void                      poste_provider_row_set_schedule (PosteProviderRow         *self,
                                                           const char               *schedule);
gboolean                  poste_provider_row_get_running  (PosteProviderRow         *self);
void                      poste_provider_row_set_running  (PosteProviderRow         *self,
                                                           gboolean                  running);

G_END_DECLS
