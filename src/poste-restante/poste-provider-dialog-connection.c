/* poste-provider-dialog-connection.c: the provider editor's Test Connection
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs poste_session_check_async() on the provider the fields describe (connect, TLS, EHLO,
 * AUTH, and never ATRN), signing in with the password a fetch would use, and lists what it found.
 * A certificate that cannot be verified opens the trust dialog, whose Accept pins its
 * fingerprint and tests again.
 */
#include "config.h"

#include <glib/gi18n.h>

#include <poste-check.h>
#include <poste-error.h>
#include <poste-fingerprint.h>

#include "poste-accessible.h"
#include "poste-application.h"
#include "poste-config.h"
#include "poste-provider.h"
#include "poste-provider-dialog-private.h"
#include "poste-secrets.h"
#include "poste-trust-dialog.h"

/* Seconds a connection test may take at each step. */
#define TEST_TIMEOUT 30

static void
clear_test_list (PosteProviderDialog *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->test_list))))
    gtk_list_box_remove (self->test_list, child);
}

static void
add_test_row (PosteProviderDialog *self,
              const char          *icon_name,
              const char          *style,
              const char          *title,
              const char          *value)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (value != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), value);

  if (icon_name != NULL)
    {
      GtkWidget *icon = gtk_image_new_from_icon_name (icon_name);

      if (style != NULL)
        gtk_widget_add_css_class (icon, style);
      poste_accessible_name_image (GTK_IMAGE (icon),
                                   g_strcmp0 (style, "success") == 0 ? _("Good")
                                   : g_strcmp0 (style, "dim-label") == 0 ? title
                                   : _("Problem"));
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
    }

  gtk_list_box_append (self->test_list, row);
}

static void
show_test_result (PosteProviderDialog    *self,
                  const PosteCheckResult *result)
{
  gboolean reached = result->error == NULL;
  gboolean certificate_problem = g_error_matches (result->error, POSTE_SESSION_ERROR,
                                                  POSTE_SESSION_ERROR_CERTIFICATE);

  clear_test_list (self);
  gtk_widget_set_visible (GTK_WIDGET (self->test_list), TRUE);

  if (reached && result->authenticated && result->atrn_offered)
    add_test_row (self, "emblem-ok-symbolic", "success", _("Ready to Collect Mail"),
                  _("Connected, secured and signed in; the server offers On-Demand Mail Relay."));
  else if (reached)
    add_test_row (self, "dialog-warning-symbolic", "warning", _("Connected, With Problems"),
                  !result->authenticated ? _("The server did not accept the sign-in.")
                                         : _("The server does not offer On-Demand Mail Relay (ATRN)."));
  else if (result->error->domain == POSTE_CONFIG_ERROR)
    /* Stopped before connecting: the password file cannot be used. */
    add_test_row (self, "dialog-error-symbolic", "error", _("No Password to Sign In With"),
                  result->error->message);
  else
    add_test_row (self, "dialog-error-symbolic", "error", _("Could Not Connect"), result->error->message);

  if (result->tls_protocol != NULL)
    {
      g_autofree char *tls = g_strdup_printf ("%s · %s", result->tls_protocol,
                                              result->tls_cipher != NULL ? result->tls_cipher : "?");

      add_test_row (self, "channel-secure-symbolic", "success", _("Encryption"), tls);
    }
  else if (reached)
    add_test_row (self, "dialog-warning-symbolic", "warning", _("Encryption"),
                  _("None: everything, your password included, crosses the network readable."));

  if (result->certificate_subject != NULL)
    {
      g_autofree char *until = NULL;
      g_autofree char *text = NULL;

      if (result->certificate_not_after != NULL)
        {
          g_autoptr(GDateTime) local = g_date_time_to_local (result->certificate_not_after);

          until = g_date_time_format (local, "%Y-%m-%d");
        }
      /* Translators: a certificate: "<subject>, issued by <issuer>, valid until <date>" */
      text = g_strdup_printf (_("%s\nissued by %s\nvalid until %s"), result->certificate_subject,
                              result->certificate_issuer != NULL ? result->certificate_issuer : "?",
                              until != NULL ? until : "?");
      add_test_row (self, certificate_problem ? "dialog-warning-symbolic" : "security-high-symbolic",
                    certificate_problem ? "warning" : "success", _("Certificate"), text);
    }

  if (result->certificate_sha256 != NULL)
    {
      g_autofree char *fingerprint = poste_fingerprint_format (result->certificate_sha256, 16);

      add_test_row (self, "auth-fingerprint-symbolic", "dim-label", _("SHA-256 Fingerprint"), fingerprint);
    }

  if (reached)
    {
      g_autofree char *sign_in = NULL;

      if (result->authenticated)
        /* Translators: %s is a SASL mechanism, SCRAM-SHA-256 */
        sign_in = g_strdup_printf (_("Accepted with %s"), result->mechanism != NULL ? result->mechanism : "?");
      else if (result->mechanism != NULL)
        sign_in = g_strdup_printf ("%s: %s", result->mechanism,
                                   result->auth_error != NULL ? result->auth_error->message : _("refused"));
      else
        sign_in = g_strdup (result->auth_error != NULL ? result->auth_error->message : _("Not tried"));

      add_test_row (self, result->authenticated ? "emblem-ok-symbolic" : "dialog-error-symbolic",
                    result->authenticated ? "success" : "error", _("Sign-In"), sign_in);

      add_test_row (self, result->atrn_offered ? "emblem-ok-symbolic" : "dialog-error-symbolic",
                    result->atrn_offered ? "success" : "error", _("On-Demand Mail Relay"),
                    result->atrn_offered ? _("ATRN offered") : _("ATRN not offered"));
    }

  if (result->capabilities != NULL && result->capabilities[0] != NULL)
    {
      g_autofree char *capabilities = g_strjoinv (", ", result->capabilities);

      add_test_row (self, "view-list-symbolic", "dim-label", _("Server Capabilities"), capabilities);
    }
}

static void test_connection (PosteProviderDialog *self);

static void
trust_response_cb (PosteTrustDialog    *dialog,
                   const char          *response,
                   PosteProviderDialog *self)
{
  const char *sha256 = poste_trust_dialog_get_sha256 (dialog);
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (response, "accept") != 0 || sha256 == NULL)
    return;

  gtk_editable_set_text (GTK_EDITABLE (self->pinned_row), sha256);

  /* A provider already saved keeps the pin at once, whether or not the rest is saved; one
   * being added has it when it is added. */
  if (self->editing != NULL &&
      !poste_application_pin_certificate (self->application, self->editing, sha256, &error) &&
      !g_error_matches (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_NOT_FOUND))
    _poste_provider_dialog_show_error (self, error->message);

  adw_toast_overlay_add_toast (self->toast_overlay,
                               adw_toast_new (_("Certificate pinned for this provider")));
  test_connection (self);
}

/* The test has ended (@check, owned, may be NULL): show what it found. */
static void
test_done (PosteProviderDialog *self,
           PosteCheckResult    *check_owned)
{
  g_autoptr(PosteCheckResult) check = check_owned;

  self->testing = FALSE;
  gtk_spinner_set_spinning (self->test_spinner, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->test_spinner), FALSE);
  _poste_provider_dialog_update (self);

  if (check != NULL)
    {
      show_test_result (self, check);

      if (g_error_matches (check->error, POSTE_SESSION_ERROR, POSTE_SESSION_ERROR_CERTIFICATE) &&
          check->certificate != NULL)
        {
          g_autofree char *name = _poste_entry_row_dup_stripped (self->name_row);
          g_autofree char *old_pin = poste_fingerprint_normalize (_poste_entry_row_get_text (self->pinned_row));
          GtkWidget *dialog = poste_trust_dialog_new (GTK_WINDOW (self), name, check->certificate, old_pin);

          g_signal_connect_object (dialog, "response", G_CALLBACK (trust_response_cb), self, 0);
          gtk_window_present (GTK_WINDOW (dialog));
        }

      g_clear_pointer (&self->test_result, poste_check_result_free);
      self->test_result = g_steal_pointer (&check);
    }
}

static void
check_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  PosteProviderDialog *self = user_data;
  PosteCheckResult *check = poste_session_check_finish (result);

  if (check != NULL && g_error_matches (check->error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    poste_check_result_free (check);
  else
    test_done (self, check);

  g_object_unref (self);
}

static void
run_check (PosteProviderDialog *self,
           PosteProvider       *provider,
           const char          *password)
{
  g_clear_object (&self->test_cancellable);
  self->test_cancellable = g_cancellable_new ();
  poste_session_check_async (provider, password, TEST_TIMEOUT, self->test_cancellable,
                             check_cb, g_object_ref (self));
}

static void
test_password_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PosteProviderDialog *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  char *password = poste_secrets_lookup_finish (result, &error);

  /* Without a stored password the test still shows the connection and TLS. */
  run_check (self, g_task_get_task_data (task), password);
  if (password != NULL)
    poste_secrets_free_password (password);
}

/* Signs in with the provider's password file, read as a fetch reads it; when it cannot be used
 * the test ends there, with the reason a fetch would give. */
static void
test_with_password_file (PosteProviderDialog *self,
                         PosteProvider       *provider)
{
  g_autoptr(GError) error = NULL;
  char *password;

  /* A local file of bounded size: poste_secrets_dup_password_sync() only asks the keyring when
   * there is no password file, so this does not block on D-Bus. */
  password = poste_secrets_dup_password_sync (provider, &error);
  if (password == NULL && error != NULL)
    {
      PosteCheckResult *check = g_new0 (PosteCheckResult, 1);

      check->error = g_steal_pointer (&error);
      check->transcript = g_ptr_array_new_with_free_func (g_free);
      test_done (self, check);
      return;
    }

  run_check (self, provider, password);
  if (password != NULL)
    poste_secrets_free_password (password);
}

static void
test_connection (PosteProviderDialog *self)
{
  g_autoptr(PosteProvider) provider = NULL;
  g_autoptr(GError) error = NULL;
  const char *password;

  if (self->testing)
    return;

  if (!(provider = _poste_provider_dialog_build (self, FALSE, &error)))
    {
      _poste_provider_dialog_show_error (self, error->message);
      return;
    }

  self->testing = TRUE;
  gtk_widget_set_visible (GTK_WIDGET (self->test_spinner), TRUE);
  gtk_spinner_set_spinning (self->test_spinner, TRUE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "provider.test", FALSE);

  /* A password file wins over everything else, exactly as in a fetch (PosteFetch): the test
   * must sign in with the password the fetches will use. */
  if (poste_provider_get_password_file (provider) != NULL)
    {
      test_with_password_file (self, provider);
      return;
    }

  password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));
  if (password[0] == '\0' && self->editing != NULL && poste_secrets_auth_needs_password (provider))
    {
      GTask *task = g_task_new (self, NULL, NULL, NULL);

      g_task_set_source_tag (task, test_connection);
      g_task_set_task_data (task, g_object_ref (provider), g_object_unref);
      poste_secrets_lookup (provider, self->cancellable, test_password_cb, task);
      return;
    }

  run_check (self, provider, password[0] != '\0' ? password : NULL);
}

/* The provider.test action: tests the connection the fields describe. */
void
_poste_provider_dialog_test (GtkWidget  *widget,
                             const char *action_name,
                             GVariant   *param)
{
  test_connection (POSTE_PROVIDER_DIALOG (widget));
}
