/* poste-provider-dialog.c: adding a provider
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A minimal editor: the fields a first fetch needs, checked by the same validation the
 * configuration file gets (poste_config_validate_provider()), the password stored in the
 * Secret Service, and the provider saved into the configuration file. The full editor (Test
 * connection, certificates, schedules) is a later piece.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "poste-application.h"
#include "poste-config.h"
#include "poste-provider.h"
#include "poste-provider-dialog.h"
#include "poste-secrets.h"

struct _PosteProviderDialog
{
  AdwWindow             parent_instance;

  PosteApplication     *application;
  GCancellable         *cancellable;

  /* Template children */
  GtkButton            *add_button;
  AdwEntryRow          *name_row;
  AdwEntryRow          *host_row;
  AdwEntryRow          *port_row;
  AdwComboRow          *security_row;
  AdwEntryRow          *username_row;
  AdwPasswordEntryRow  *password_row;
  AdwEntryRow          *domains_row;
  AdwEntryRow          *delivery_row;
  GtkLabel             *message_label;

  guint                 busy : 1;
};

G_DEFINE_FINAL_TYPE (PosteProviderDialog, poste_provider_dialog, ADW_TYPE_WINDOW)

static const PosteSecurity security_by_position[] = {
  POSTE_SECURITY_STARTTLS,
  POSTE_SECURITY_TLS,
  POSTE_SECURITY_NONE,
};

static const char *
entry_text (AdwEntryRow *row)
{
  return gtk_editable_get_text (GTK_EDITABLE (row));
}

/* Builds the provider the fields describe, or fails with the reason it is not valid yet. */
static PosteProvider *
poste_provider_dialog_build (PosteProviderDialog  *self,
                             GError              **error)
{
  g_autoptr(PosteProvider) provider = NULL;
  g_autoptr(GPtrArray) domains = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) parts = NULL;
  g_autofree char *name = g_strstrip (g_strdup (entry_text (self->name_row)));
  g_autofree char *host = g_strstrip (g_strdup (entry_text (self->host_row)));
  g_autofree char *username = g_strstrip (g_strdup (entry_text (self->username_row)));
  g_autofree char *delivery = g_strstrip (g_strdup (entry_text (self->delivery_row)));
  guint64 port = 0;
  guint position;
  PosteConfig *config;

  if (name[0] == '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("Give the provider a name."));
      return NULL;
    }

  if (!g_ascii_string_to_unsigned (entry_text (self->port_row), 10, 1, G_MAXUINT16, &port, NULL))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("The port is a number from 1 to 65535."));
      return NULL;
    }

  /* Commas as in the configuration file; spaces too, as people type them. */
  parts = g_regex_split_simple ("[,;\\s]+", entry_text (self->domains_row), 0, 0);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (parts[i][0] != '\0')
        g_ptr_array_add (domains, g_strdup (parts[i]));
    }
  g_ptr_array_add (domains, NULL);

  position = adw_combo_row_get_selected (self->security_row);
  if (position >= G_N_ELEMENTS (security_by_position))
    position = 0;

  provider = poste_provider_new (name);
  poste_provider_set_host (provider, host);
  poste_provider_set_port (provider, (guint)port);
  poste_provider_set_security (provider, security_by_position[position]);
  poste_provider_set_username (provider, username);
  poste_provider_set_domains (provider, (const char * const *)domains->pdata);
  poste_provider_set_delivery (provider, delivery);

  if (!poste_config_validate_provider (provider, error))
    return NULL;

  config = poste_application_get_config (self->application);
  if (config != NULL && poste_config_lookup (config, name) != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   _("A provider called “%s” already exists."), name);
      return NULL;
    }

  return g_steal_pointer (&provider);
}

static void
poste_provider_dialog_update (PosteProviderDialog *self)
{
  g_autoptr(PosteProvider) provider = NULL;
  g_autoptr(GError) error = NULL;

  g_assert (POSTE_IS_PROVIDER_DIALOG (self));

  provider = poste_provider_dialog_build (self, &error);
  gtk_label_set_text (self->message_label, error != NULL ? error->message : "");
  gtk_widget_remove_css_class (GTK_WIDGET (self->message_label), "error");
  gtk_widget_add_css_class (GTK_WIDGET (self->message_label), "dim-label");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "provider.add", provider != NULL && !self->busy);
}

static void
poste_provider_dialog_show_error (PosteProviderDialog *self,
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
  gtk_widget_set_sensitive (GTK_WIDGET (self->name_row), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->host_row), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->port_row), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->security_row), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->username_row), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->password_row), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->domains_row), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->delivery_row), !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "provider.add", !busy);
}

/* Adds @provider to the configuration and writes the file. The file is read again first, so
 * that a change made meanwhile (by poste-restante-cli, or by hand) is kept. */
static gboolean
poste_provider_dialog_save (PosteProviderDialog  *self,
                            PosteProvider        *provider,
                            GError              **error)
{
  PosteConfig *config = poste_application_get_config (self->application);
  g_autofree char *path = poste_config_dup_default_path ();
  g_autoptr(GError) local_error = NULL;

  g_assert (POSTE_IS_CONFIG (config));

  if (!poste_config_load (config, path, &local_error) &&
      !g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (poste_config_lookup (config, poste_provider_get_name (provider)) != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   _("A provider called “%s” already exists."), poste_provider_get_name (provider));
      return FALSE;
    }

  poste_config_add_provider (config, provider);
  if (!poste_config_save (config, path, error))
    {
      poste_config_remove_provider (config, poste_provider_get_name (provider));
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
      poste_provider_dialog_show_error (self, message);
      return;
    }

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

      message = g_strdup_printf (_("Could not keep the password in the keyring: %s"), error->message);
      poste_provider_dialog_set_busy (self, FALSE);
      poste_provider_dialog_show_error (self, message);
      return;
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

  if (!(provider = poste_provider_dialog_build (self, &error)))
    {
      poste_provider_dialog_show_error (self, error->message);
      return;
    }

  password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));
  if (password[0] == '\0')
    {
      /* No password: EXTERNAL with a certificate, or one to be set later. */
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
  poste_provider_dialog_update (self);

  return self;
}

static void
poste_provider_dialog_dispose (GObject *object)
{
  PosteProviderDialog *self = (PosteProviderDialog *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->application);

  G_OBJECT_CLASS (poste_provider_dialog_parent_class)->dispose (object);
}

static void
poste_provider_dialog_class_init (PosteProviderDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = poste_provider_dialog_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/posterestante/PosteRestante/ui/poste-provider-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, PosteProviderDialog, add_button);
  gtk_widget_class_bind_template_child (widget_class, PosteProviderDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, PosteProviderDialog, host_row);
  gtk_widget_class_bind_template_child (widget_class, PosteProviderDialog, port_row);
  gtk_widget_class_bind_template_child (widget_class, PosteProviderDialog, security_row);
  gtk_widget_class_bind_template_child (widget_class, PosteProviderDialog, username_row);
  gtk_widget_class_bind_template_child (widget_class, PosteProviderDialog, password_row);
  gtk_widget_class_bind_template_child (widget_class, PosteProviderDialog, domains_row);
  gtk_widget_class_bind_template_child (widget_class, PosteProviderDialog, delivery_row);
  gtk_widget_class_bind_template_child (widget_class, PosteProviderDialog, message_label);

  gtk_widget_class_install_action (widget_class, "provider.add", NULL, poste_provider_dialog_add);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
poste_provider_dialog_init (PosteProviderDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();

  g_signal_connect_object (self->name_row, "changed",
                           G_CALLBACK (poste_provider_dialog_update), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->host_row, "changed",
                           G_CALLBACK (poste_provider_dialog_update), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->port_row, "changed",
                           G_CALLBACK (poste_provider_dialog_update), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->username_row, "changed",
                           G_CALLBACK (poste_provider_dialog_update), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->domains_row, "changed",
                           G_CALLBACK (poste_provider_dialog_update), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->delivery_row, "changed",
                           G_CALLBACK (poste_provider_dialog_update), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->security_row, "notify::selected",
                           G_CALLBACK (poste_provider_dialog_update), self, G_CONNECT_SWAPPED);
}
