/* poste-provider-dialog.c: adding and editing a provider
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The editor's window and its actions: Add (or Save), Remove, the file choosers, and where the
 * password is kept. The password goes to the Secret Service, or to a file of the application's
 * on a desktop without one, never to the configuration file. The fields and their checks are in
 * poste-provider-dialog-fields.c, Test Connection in poste-provider-dialog-connection.c.
 */
#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include <poste-check.h>
#include <poste-error.h>

#include "poste-accessible.h"
#include "poste-application.h"
#include "poste-config.h"
#include "poste-provider.h"
#include "poste-provider-dialog-private.h"
#include "poste-secrets.h"

G_DEFINE_FINAL_TYPE (PosteProviderDialog, poste_provider_dialog, ADW_TYPE_WINDOW)

/* Says what went wrong, in red, under the form. */
void
_poste_provider_dialog_show_error (PosteProviderDialog *self,
                                   const char          *message)
{
  gtk_label_set_text (self->message_label, message);
  gtk_widget_remove_css_class (GTK_WIDGET (self->message_label), "dim-label");
  gtk_widget_add_css_class (GTK_WIDGET (self->message_label), "error");
}

static void
poste_provider_dialog_set_busy (PosteProviderDialog *self,
                                gboolean             busy)
{
  self->busy = !!busy;
  gtk_widget_set_sensitive (GTK_WIDGET (self->page), !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "provider.add", !busy);
}

/* File choosers */

static void
chooser_response_cb (GtkNativeDialog *chooser,
                     int              response,
                     AdwEntryRow     *row)
{
  PosteProviderDialog *self = POSTE_PROVIDER_DIALOG (gtk_widget_get_root (GTK_WIDGET (row)));

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

      if (path != NULL)
        gtk_editable_set_text (GTK_EDITABLE (row), path);
    }

  if (self->chooser == GTK_FILE_CHOOSER_NATIVE (chooser))
    g_clear_object (&self->chooser);
}

/* A GtkFileChooserNative: the file chooser portal inside Flatpak, GTK's own dialog outside. */
static void
choose_file (PosteProviderDialog  *self,
             AdwEntryRow          *row,
             const char           *title,
             GtkFileChooserAction  action)
{
  g_autofree char *current = _poste_entry_row_dup_stripped (row);

  g_clear_object (&self->chooser);
  self->chooser = gtk_file_chooser_native_new (title, GTK_WINDOW (self), action,
                                               _("_Select"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);

  if (current[0] != '\0')
    {
      g_autofree char *expanded = poste_config_expand_path (current, NULL);
      g_autoptr(GFile) file = expanded != NULL ? g_file_new_for_path (expanded) : NULL;

      if (file != NULL && action == GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER &&
          g_file_query_exists (file, NULL))
        gtk_file_chooser_set_file (GTK_FILE_CHOOSER (self->chooser), file, NULL);
    }

  g_signal_connect (self->chooser, "response", G_CALLBACK (chooser_response_cb), row);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
poste_provider_dialog_choose_delivery (GtkWidget  *widget,
                                       const char *action_name,
                                       GVariant   *param)
{
  PosteProviderDialog *self = POSTE_PROVIDER_DIALOG (widget);

  if (_poste_target_rows_get_kind (self->delivery_kind_row) == DELIVERY_MBOX)
    choose_file (self, self->delivery_row, _("Choose an Mbox File"), GTK_FILE_CHOOSER_ACTION_OPEN);
  else
    choose_file (self, self->delivery_row, _("Choose a Maildir Folder"),
                 GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER);
}

static void
poste_provider_dialog_choose_file (GtkWidget  *widget,
                                   const char *action_name,
                                   GVariant   *param)
{
  PosteProviderDialog *self = POSTE_PROVIDER_DIALOG (widget);
  const char *which = g_variant_get_string (param, NULL);

  if (g_str_equal (which, "ca-file"))
    choose_file (self, self->ca_file_row, _("Choose a Trusted Authority"), GTK_FILE_CHOOSER_ACTION_OPEN);
  else if (g_str_equal (which, "client-certificate"))
    choose_file (self, self->client_certificate_row, _("Choose a Client Certificate"),
                 GTK_FILE_CHOOSER_ACTION_OPEN);
  else if (g_str_equal (which, "password-file"))
    choose_file (self, self->password_file_row, _("Choose a Password File"), GTK_FILE_CHOOSER_ACTION_OPEN);
}

/* Saving */

/* Puts @provider into the configuration (in place of the one edited) and writes the file. The
 * file is read again first, so that a change made meanwhile (by poste-restante-cli, or by hand)
 * is kept. */
static gboolean
poste_provider_dialog_save (PosteProviderDialog  *self,
                            PosteProvider        *provider,
                            GError              **error)
{
  PosteConfig *config = poste_application_get_config (self->application);
  g_autofree char *path = poste_config_dup_default_path ();
  g_autoptr(GError) local_error = NULL;
  const char *name = poste_provider_get_name (provider);

  g_assert (POSTE_IS_CONFIG (config));

  if (!poste_config_load (config, path, &local_error) &&
      !g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (self->editing == NULL && poste_config_lookup (config, name) != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   _("A provider called “%s” already exists."), name);
      return FALSE;
    }

  if (self->editing != NULL)
    poste_config_remove_provider (config, self->editing);
  poste_config_add_provider (config, provider);
  if (!poste_config_save (config, path, error))
    {
      /* Back to what the file holds. */
      g_clear_error (&local_error);
      poste_config_load (config, path, &local_error);
      return FALSE;
    }

  if (self->editing != NULL)
    poste_application_provider_changed (self->application, name);

  return TRUE;
}

/* Password storage: the keyring, or a file of the application's for desktops without one */

enum {
  PASSWORD_IN_KEYRING,
  PASSWORD_IN_FILE,
};

static void
show_password_problem (PosteProviderDialog *self,
                       const char          *message)
{
  gtk_label_set_text (self->keyring_banner_label, message);
  gtk_revealer_set_reveal_child (self->keyring_banner, TRUE);
}

static void
password_storage_update (PosteProviderDialog *self)
{
  g_autofree char *subtitle = NULL;

  if (adw_combo_row_get_selected (self->password_storage_row) == PASSWORD_IN_FILE)
    subtitle = g_strdup_printf (_("In %s/poste-restante/passwords, readable by you alone but "
                                  "not encrypted: anyone who can use your account or read your "
                                  "disk can read it"),
                                g_get_user_config_dir ());
  else if (self->no_keyring)
    subtitle = g_strdup (_("No keyring is running on this desktop: the password cannot be kept "
                           "there"));
  else
    subtitle = g_strdup (_("Encrypted in your keyring, unlocked with your session"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->password_storage_row), subtitle);
}

/* The choice made for @provider earlier: its password-file is the application's own. */
static void
password_storage_show (PosteProviderDialog *self,
                       PosteProvider       *provider)
{
  adw_combo_row_set_selected (self->password_storage_row,
                              poste_secrets_is_managed_file (provider) ? PASSWORD_IN_FILE
                                                                       : PASSWORD_IN_KEYRING);
}

static void
keyring_probe_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  PosteProviderDialog *self;
  g_autoptr(GError) error = NULL;

  if (poste_secrets_probe_finish (result, &error) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  /* Not cancelled: the dialog is still there (its dispose cancels the probe). */
  self = POSTE_PROVIDER_DIALOG (user_data);
  self->no_keyring = TRUE;
  adw_combo_row_set_selected (self->password_storage_row, PASSWORD_IN_FILE);
  adw_preferences_group_set_description (self->account_group,
                                         _("No keyring is running: the password is kept in a "
                                           "file only you can read."));
  show_password_problem (self, _("No keyring is running on this desktop, so passwords cannot be "
                                 "kept in one. The password will be kept in a file only you can "
                                 "read (see Keep the Password); or start a keyring such as "
                                 "gnome-keyring or KWallet and open this window again."));
  password_storage_update (self);
}

/* Keeps @password as the user chose, before the provider is saved. Returns %FALSE, with the
 * reason shown at the top, when it cannot be kept that way. */
static gboolean
password_storage_apply (PosteProviderDialog *self,
                        PosteProvider       *provider,
                        const char          *password)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *managed = poste_secrets_dup_managed_file (provider);

  if (adw_combo_row_get_selected (self->password_storage_row) == PASSWORD_IN_FILE)
    {
      if (password[0] != '\0')
        {
          if (!poste_secrets_store_file (provider, password, &error))
            {
              g_autofree char *message =
                g_strdup_printf (_("Could not keep the password in a file: %s"), error->message);

              show_password_problem (self, message);
              return FALSE;
            }
        }
      else if (g_file_test (managed, G_FILE_TEST_IS_REGULAR))
        poste_provider_set_password_file (provider, managed);
      return TRUE;
    }

  /* Back to the keyring: the application's file no longer counts, once the password is typed
   * again to go there (an empty field would leave no password anywhere). */
  if (poste_secrets_is_managed_file (provider))
    {
      if (password[0] == '\0' && poste_secrets_auth_needs_password (provider))
        {
          show_password_problem (self, _("Type the password again to keep it in the keyring."));
          return FALSE;
        }
      poste_provider_set_password_file (provider, NULL);
    }
  if (password[0] != '\0' && self->no_keyring)
    {
      show_password_problem (self, _("No keyring is running, so the password cannot be kept in "
                                     "one and nothing was saved: choose a file only you can read "
                                     "under Keep the Password, or start a keyring."));
      return FALSE;
    }
  return TRUE;
}

static void
poste_provider_dialog_finish_add (PosteProviderDialog *self,
                                  PosteProvider       *provider)
{
  g_autoptr(GError) error = NULL;

  if (!poste_provider_dialog_save (self, provider, &error))
    {
      g_autofree char *message = g_strdup_printf (_("Could not save the provider: %s"), error->message);

      poste_provider_dialog_set_busy (self, FALSE);
      _poste_provider_dialog_show_error (self, message);
      return;
    }

  poste_application_offer_start_at_login (self->application, provider);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
poste_provider_dialog_store_cb (GObject      *object,
                                GAsyncResult *result,
                                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PosteProviderDialog *self = g_task_get_source_object (task);
  PosteProvider *provider = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!poste_secrets_store_finish (result, &error))
    {
      g_autofree char *message = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      poste_provider_dialog_set_busy (self, FALSE);
      if (g_error_matches (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_NO_KEYRING))
        {
          /* Nothing was saved; the choice that works is made for the user, who only has to
           * press Add again. */
          self->no_keyring = TRUE;
          adw_combo_row_set_selected (self->password_storage_row, PASSWORD_IN_FILE);
          show_password_problem (self, _("No keyring is running, so the password was not kept "
                                         "and nothing was saved. Keep the Password is now set to "
                                         "a file only you can read: press Add again to use it."));
          return;
        }
      message = g_strdup_printf (_("Could not keep the password in the keyring: %s"), error->message);
      show_password_problem (self, message);
      _poste_provider_dialog_show_error (self, message);
      return;
    }

  /* The password is in the keyring now: a file of an earlier choice must not linger. */
  if (poste_provider_get_password_file (provider) == NULL)
    {
      g_autofree char *managed = poste_secrets_dup_managed_file (provider);

      if (g_unlink (managed) != 0 && errno != ENOENT)
        g_debug ("Could not remove %s: %s", managed, g_strerror (errno));
    }
  poste_provider_dialog_finish_add (self, provider);
}

static void
poste_provider_dialog_add (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *param)
{
  PosteProviderDialog *self = POSTE_PROVIDER_DIALOG (widget);
  g_autoptr(PosteProvider) provider = NULL;
  g_autoptr(GError) error = NULL;
  const char *password;

  g_assert (POSTE_IS_PROVIDER_DIALOG (self));

  if (self->busy)
    return;

  if (!(provider = _poste_provider_dialog_build (self, TRUE, &error)))
    {
      _poste_provider_dialog_show_error (self, error->message);
      return;
    }

  password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));
  if (!password_storage_apply (self, provider, password))
    return;
  if (password[0] == '\0' ||
      adw_combo_row_get_selected (self->password_storage_row) == PASSWORD_IN_FILE)
    {
      /* No new password (EXTERNAL with a certificate, the one already stored, or one to be
       * set later), or one already in the application's file. */
      poste_provider_dialog_set_busy (self, TRUE);
      poste_provider_dialog_finish_add (self, provider);
      return;
    }

  /* The password first: a provider is only saved once its password is safe. */
  {
    GTask *task = g_task_new (self, NULL, NULL, NULL);

    g_task_set_source_tag (task, poste_provider_dialog_add);
    g_task_set_task_data (task, g_object_ref (provider), g_object_unref);
    poste_provider_dialog_set_busy (self, TRUE);
    poste_secrets_store (provider, password, self->cancellable,
                         poste_provider_dialog_store_cb, task);
  }
}

/* Removing */

static void
remove_response_cb (AdwMessageDialog    *dialog,
                    const char          *response,
                    PosteProviderDialog *self)
{
  PosteConfig *config = poste_application_get_config (self->application);
  g_autofree char *path = poste_config_dup_default_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(PosteProvider) provider = NULL;
  PosteProvider *configured;

  if (g_strcmp0 (response, "remove") != 0 || self->editing == NULL)
    return;

  if ((configured = poste_config_lookup (config, self->editing)))
    provider = g_object_ref (configured);

  if (!poste_config_load (config, path, &error) ||
      !poste_config_remove_provider (config, self->editing) ||
      !poste_config_save (config, path, &error))
    {
      g_autofree char *message = g_strdup_printf (_("Could not remove the provider: %s"),
                                                  error != NULL ? error->message : self->editing);

      _poste_provider_dialog_show_error (self, message);
      return;
    }

  if (provider != NULL)
    poste_secrets_clear (provider, NULL, NULL, NULL);

  gtk_window_destroy (GTK_WINDOW (self));
}

static void
poste_provider_dialog_remove (GtkWidget  *widget,
                              const char *action_name,
                              GVariant   *param)
{
  PosteProviderDialog *self = POSTE_PROVIDER_DIALOG (widget);
  g_autofree char *heading = NULL;
  GtkWidget *dialog;

  if (self->editing == NULL)
    return;

  heading = g_strdup_printf (_("Remove “%s”?"), self->editing);
  dialog = adw_message_dialog_new (GTK_WINDOW (self), heading,
                                   _("Mail it still holds stays with the provider. Its password "
                                     "is removed from the keyring and its history is kept."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "remove", _("_Remove"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "remove",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (remove_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/**
 * poste_provider_dialog_new:
 * @application: the #PosteApplication, after its startup
 *
 * Creates the dialog that adds a provider. It writes the configuration file through
 * poste_config_save() and the password through poste_secrets_store(), then closes itself;
 * on failure it stays open and says why.
 *
 * Returns: (transfer none): the new dialog, owned by GTK's list of toplevels
 */
PosteProviderDialog *
poste_provider_dialog_new (PosteApplication *application)
{
  PosteProviderDialog *self;

  g_return_val_if_fail (POSTE_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (poste_application_get_config (application) != NULL, NULL);

  self = g_object_new (POSTE_TYPE_PROVIDER_DIALOG,
                       "application", application,
                       NULL);
  self->application = g_object_ref (application);
  _poste_provider_dialog_delivery_kind_changed (self);

  return self;
}

/**
 * poste_provider_dialog_new_for_provider:
 * @application: the #PosteApplication, after its startup
 * @provider: a configured provider
 *
 * Creates the dialog that edits @provider: every field filled from it, Save in place of Add, and
 * Remove Provider. The name shown may be changed: it is saved as the `label` key, and the
 * configuration name (which the keyring and the history know the provider by) stays.
 * An empty password field keeps the password already stored.
 *
 * Returns: (transfer none): the new dialog, owned by GTK's list of toplevels
 */
PosteProviderDialog *
poste_provider_dialog_new_for_provider (PosteApplication *application,
                                        PosteProvider    *provider)
{
  PosteProviderDialog *self;

  g_return_val_if_fail (POSTE_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (POSTE_IS_PROVIDER (provider), NULL);

  self = poste_provider_dialog_new (application);
  self->editing = g_strdup (poste_provider_get_name (provider));

  gtk_window_set_title (GTK_WINDOW (self), _("Edit Provider"));
  gtk_button_set_label (self->add_button, _("_Save"));
  poste_accessible_name_from_label (self->add_button);
  gtk_widget_set_visible (GTK_WIDGET (self->remove_group), TRUE);

  _poste_provider_dialog_fill (self, provider);
  _poste_provider_dialog_update (self);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->password_row),
                                 _("Password (empty keeps the stored one)"));
  password_storage_show (self, provider);

  _poste_provider_dialog_update (self);

  return self;
}

/**
 * poste_provider_dialog_get_editing:
 * @self: a #PosteProviderDialog
 *
 * Returns: (nullable): the name of the provider being edited, or %NULL when adding one
 */
const char *
poste_provider_dialog_get_editing (PosteProviderDialog *self)
{
  g_return_val_if_fail (POSTE_IS_PROVIDER_DIALOG (self), NULL);

  return self->editing;
}

/**
 * poste_provider_dialog_get_test_result:
 * @self: a #PosteProviderDialog
 *
 * Returns: (transfer none) (nullable): the last connection test's result, or %NULL
 */
const PosteCheckResult *
poste_provider_dialog_get_test_result (PosteProviderDialog *self)
{
  g_return_val_if_fail (POSTE_IS_PROVIDER_DIALOG (self), NULL);

  return self->test_result;
}

/**
 * poste_provider_dialog_is_testing:
 * @self: a #PosteProviderDialog
 *
 * Returns: %TRUE while a connection test runs
 */
gboolean
poste_provider_dialog_is_testing (PosteProviderDialog *self)
{
  g_return_val_if_fail (POSTE_IS_PROVIDER_DIALOG (self), FALSE);

  return self->testing;
}

static void
poste_provider_dialog_dispose (GObject *object)
{
  PosteProviderDialog *self = (PosteProviderDialog *)object;

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->test_cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->test_cancellable);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  g_clear_object (&self->application);
  g_clear_pointer (&self->editing, g_free);
  g_clear_pointer (&self->test_result, poste_check_result_free);
  g_clear_pointer (&self->routes, g_ptr_array_unref);

  G_OBJECT_CLASS (poste_provider_dialog_parent_class)->dispose (object);
}

static void
poste_provider_dialog_class_init (PosteProviderDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = poste_provider_dialog_dispose;

  g_type_ensure (POSTE_TYPE_SCHEDULE_GROUP);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/posterestante/PosteRestante/ui/poste-provider-dialog.ui");
#define CHILD(name) gtk_widget_class_bind_template_child (widget_class, PosteProviderDialog, name)
  CHILD (toast_overlay);
  CHILD (add_button);
  CHILD (page);
  CHILD (name_row);
  CHILD (host_row);
  CHILD (port_row);
  CHILD (security_row);
  CHILD (mode_row);
  CHILD (username_row);
  CHILD (password_row);
  CHILD (keyring_banner);
  CHILD (keyring_banner_label);
  CHILD (account_group);
  CHILD (password_storage_row);
  CHILD (domains_row);
  CHILD (auth_row);
  CHILD (delivery_kind_row);
  CHILD (delivery_row);
  CHILD (delivery_choose_button);
  CHILD (routes_group);
  CHILD (schedule_group);
  CHILD (security_expander);
  CHILD (ca_file_row);
  CHILD (pinned_row);
  CHILD (client_certificate_row);
  CHILD (password_file_row);
  CHILD (outbox_expander);
  CHILD (submission_row);
  CHILD (send_with_fetch_switch);
  CHILD (test_group);
  CHILD (test_spinner);
  CHILD (test_button);
  CHILD (test_list);
  CHILD (message_label);
  CHILD (remove_group);
#undef CHILD

  gtk_widget_class_install_action (widget_class, "provider.add", NULL, poste_provider_dialog_add);
  gtk_widget_class_install_action (widget_class, "provider.test", NULL, _poste_provider_dialog_test);
  gtk_widget_class_install_action (widget_class, "provider.remove", NULL, poste_provider_dialog_remove);
  gtk_widget_class_install_action (widget_class, "provider.add-route", NULL,
                                   _poste_provider_dialog_add_route);
  gtk_widget_class_install_action (widget_class, "provider.choose-delivery", NULL,
                                   poste_provider_dialog_choose_delivery);
  gtk_widget_class_install_action (widget_class, "provider.choose-file", "s",
                                   poste_provider_dialog_choose_file);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
poste_provider_dialog_init (PosteProviderDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  _poste_provider_dialog_init_fields (self);
  poste_accessible_fix (GTK_WIDGET (self));
  poste_accessible_track_expanded (self->security_expander);
  poste_accessible_track_expanded (self->outbox_expander);
  poste_accessible_announce_entry_rows (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();

  _poste_provider_dialog_watch_fields (self);

  g_signal_connect_object (self->password_storage_row, "notify::selected",
                           G_CALLBACK (password_storage_update), self, G_CONNECT_SWAPPED);
  password_storage_update (self);
  /* Asks the bus, not the keyring: no prompt, no wait on a keyring that hangs. */
  poste_secrets_probe (self->cancellable, keyring_probe_cb, self);
}
