/* poste-provider-dialog-private.h: what the provider editor's files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The editor is one class in three files: poste-provider-dialog.c (building the window, adding,
 * saving and removing), poste-provider-dialog-fields.c (the fields to a provider and back, and
 * checking them) and poste-provider-dialog-connection.c (Test Connection). Its schedule and its
 * routes are widgets of their own (poste-schedule-group.c, poste-route-row.c).
 */
#pragma once

#include <poste-check.h>

#include "poste-editor-rows.h"
#include "poste-provider-dialog.h"
#include "poste-schedule-group.h"

G_BEGIN_DECLS

struct _PosteProviderDialog
{
  AdwWindow             parent_instance;

  PosteApplication     *application;
  GCancellable         *cancellable;
  GCancellable         *test_cancellable;

  /* The provider being edited (its name), or NULL when adding one. */
  char                 *editing;

  /* The last connection test's result. */
  PosteCheckResult     *test_result;

  GtkFileChooserNative *chooser;

  /* Template children */
  AdwToastOverlay      *toast_overlay;
  GtkButton            *add_button;
  AdwPreferencesPage   *page;
  AdwEntryRow          *name_row;
  AdwEntryRow          *host_row;
  AdwEntryRow          *port_row;
  AdwComboRow          *security_row;
  AdwComboRow          *mode_row;
  AdwEntryRow          *username_row;
  AdwPasswordEntryRow  *password_row;
  GtkRevealer          *keyring_banner;
  GtkLabel             *keyring_banner_label;
  AdwPreferencesGroup  *account_group;
  AdwComboRow          *password_storage_row;
  AdwEntryRow          *domains_row;
  AdwComboRow          *auth_row;
  AdwComboRow          *delivery_kind_row;
  AdwEntryRow          *delivery_row;
  GtkButton            *delivery_choose_button;
  /* Other routes: the PosteRouteRows of the group, in order. */
  AdwPreferencesGroup  *routes_group;
  GPtrArray            *routes;
  /* The schedule: how often, which days, which hours. */
  PosteScheduleGroup   *schedule_group;
  AdwExpanderRow       *security_expander;
  AdwEntryRow          *ca_file_row;
  AdwEntryRow          *pinned_row;
  AdwEntryRow          *client_certificate_row;
  AdwEntryRow          *password_file_row;
  AdwExpanderRow       *outbox_expander;
  AdwEntryRow          *submission_row;
  GtkSwitch            *send_with_fetch_switch;
  AdwPreferencesGroup  *test_group;
  GtkSpinner           *test_spinner;
  GtkButton            *test_button;
  GtkListBox           *test_list;
  GtkLabel             *message_label;
  AdwPreferencesGroup  *remove_group;

  guint                 busy : 1;
  guint                 testing : 1;
  guint                 no_keyring : 1;
};

void           _poste_provider_dialog_init_fields         (PosteProviderDialog  *self);
void           _poste_provider_dialog_watch_fields        (PosteProviderDialog  *self);
void           _poste_provider_dialog_fill                (PosteProviderDialog  *self,
                                                           PosteProvider        *provider);
PosteProvider *_poste_provider_dialog_build               (PosteProviderDialog  *self,
                                                           gboolean              check_name,
                                                           GError              **error);
void           _poste_provider_dialog_update              (PosteProviderDialog  *self);
void           _poste_provider_dialog_delivery_kind_changed (PosteProviderDialog *self);
void           _poste_provider_dialog_add_route           (GtkWidget            *widget,
                                                           const char           *action_name,
                                                           GVariant             *param);
void           _poste_provider_dialog_show_error          (PosteProviderDialog  *self,
                                                           const char           *message);
void           _poste_provider_dialog_test                (GtkWidget            *widget,
                                                           const char           *action_name,
                                                           GVariant             *param);

G_END_DECLS
