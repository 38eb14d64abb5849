/* poste-trust-dialog.c: asking the user to trust a provider's certificate
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * When a provider's certificate cannot be verified (self-signed, an unknown authority) or no
 * longer matches its pin, the user sees what it is (subject, issuer, validity and the SHA-256
 * fingerprint to compare with what the provider publishes) and may accept it: the fingerprint is
 * then pinned for that provider only (its `pinned-sha256` key), never trusted system-wide.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "poste-accessible.h"
#include "poste-application.h"
#include "poste-config.h"
#include "poste-provider.h"
#include "poste-trust-dialog.h"

#include <poste-fingerprint.h>

/* A row of the certificate's details: a dim caption above a selectable value. */
static GtkWidget *
info_row (const char *title,
          const char *value,
          gboolean    monospace)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  /* The value is named by the title: the caption is only its visible form. */
  GtkWidget *heading = g_object_new (GTK_TYPE_LABEL,
                                     "label", title,
                                     "accessible-role", GTK_ACCESSIBLE_ROLE_PRESENTATION,
                                     NULL);
  GtkWidget *label = gtk_label_new (value != NULL ? value : _("Unknown"));

  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_widget_add_css_class (heading, "caption");
  gtk_widget_add_css_class (heading, "dim-label");

  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  if (monospace)
    gtk_widget_add_css_class (label, "monospace");
  gtk_accessible_update_property (GTK_ACCESSIBLE (label), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);

  gtk_widget_set_margin_top (box, 8);
  gtk_widget_set_margin_bottom (box, 8);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_box_append (GTK_BOX (box), heading);
  gtk_box_append (GTK_BOX (box), label);

  /* The selectable value is the tab stop; the row is only its named container. */
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_widget_set_focusable (row, FALSE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);

  return row;
}

static char *
format_date (GDateTime *time)
{
  g_autoptr(GDateTime) local = NULL;

  if (time == NULL)
    return g_strdup (_("Unknown"));

  local = g_date_time_to_local (time);
  /* Translators: a certificate's validity date, see g_date_time_format() */
  return g_date_time_format (local, _("%e %B %Y"));
}

/**
 * poste_trust_dialog_new:
 * @parent: (nullable): the window it belongs to
 * @provider: the provider's name
 * @certificate: the certificate the provider presented
 * @old_pin: (nullable): the fingerprint pinned until now, when the certificate changed
 *
 * Creates the dialog that shows @certificate and asks whether to trust it. Its responses are
 * "cancel" and "accept" (#AdwMessageDialog::response); the caller pins the fingerprint
 * (poste_trust_dialog_dup_sha256()) on "accept".
 *
 * Returns: (transfer none): a new #AdwMessageDialog, not shown yet
 */
GtkWidget *
poste_trust_dialog_new (GtkWindow       *parent,
                        const char      *provider,
                        GTlsCertificate *certificate,
                        const char      *old_pin)
{
  g_autofree char *sha256 = NULL;
  g_autofree char *fingerprint = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *issuer = NULL;
  g_autofree char *validity = NULL;
  g_autofree char *from = NULL;
  g_autofree char *until = NULL;
  g_autofree char *body = NULL;
  g_autoptr(GDateTime) not_before = NULL;
  g_autoptr(GDateTime) not_after = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  gboolean changed = old_pin != NULL && old_pin[0] != '\0';
  GtkWidget *dialog;
  GtkWidget *list;

  g_return_val_if_fail (provider != NULL, NULL);
  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (certificate), NULL);

  sha256 = poste_fingerprint_for_certificate (certificate);
  fingerprint = poste_fingerprint_format (sha256 != NULL ? sha256 : "", 16);
  subject = g_tls_certificate_get_subject_name (certificate);
  issuer = g_tls_certificate_get_issuer_name (certificate);
  not_before = g_tls_certificate_get_not_valid_before (certificate);
  not_after = g_tls_certificate_get_not_valid_after (certificate);
  from = format_date (not_before);
  until = format_date (not_after);
  /* Translators: a certificate's validity, from one date to another */
  validity = g_strdup_printf (_("%s to %s"), g_strstrip (from), g_strstrip (until));
  if (not_after != NULL && g_date_time_compare (not_after, now) < 0)
    {
      g_autofree char *expired = g_steal_pointer (&validity);

      /* Translators: a certificate's validity, when it has expired */
      validity = g_strdup_printf (_("%s (expired)"), expired);
    }

  if (changed)
    body = g_strdup_printf (_("The certificate of “%s” is not the one you trusted before. This "
                              "happens when the provider renews it, but it could also mean "
                              "someone is intercepting the connection. Compare the fingerprint "
                              "with the one your provider publishes."), provider);
  else
    body = g_strdup_printf (_("The certificate of “%s” is not signed by an authority this "
                              "computer knows, so its identity cannot be verified. Trust it "
                              "only if its fingerprint matches the one your provider publishes."),
                            provider);

  dialog = adw_message_dialog_new (parent,
                                   changed ? _("Certificate Changed") : _("Trust This Certificate?"),
                                   body);
  gtk_window_set_modal (GTK_WINDOW (dialog), TRUE);
  gtk_window_set_default_size (GTK_WINDOW (dialog), 480, -1);

  list = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  gtk_accessible_update_property (GTK_ACCESSIBLE (list), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Certificate"), -1);
  gtk_list_box_append (GTK_LIST_BOX (list), info_row (_("Issued To"), subject, FALSE));
  gtk_list_box_append (GTK_LIST_BOX (list), info_row (_("Issued By"), issuer, FALSE));
  gtk_list_box_append (GTK_LIST_BOX (list), info_row (_("Valid"), validity, FALSE));
  gtk_list_box_append (GTK_LIST_BOX (list), info_row (_("SHA-256 Fingerprint"), fingerprint, TRUE));
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), list);

  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "accept", _("_Trust and Pin"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "accept",
                                              changed ? ADW_RESPONSE_DESTRUCTIVE
                                                      : ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");

  g_object_set_data_full (G_OBJECT (dialog), "poste-sha256", g_steal_pointer (&sha256), g_free);
  poste_accessible_fix (dialog);

  return dialog;
}

typedef struct
{
  PosteApplication *application;
  char             *provider;
} Pin;

static void
pin_free (Pin *pin)
{
  g_clear_object (&pin->application);
  g_free (pin->provider);
  g_free (pin);
}

static void
pin_closure_free (gpointer  data,
                  GClosure *closure)
{
  pin_free (data);
}

static void
pin_response_cb (AdwMessageDialog *dialog,
                 const char       *response,
                 Pin              *pin)
{
  const char *sha256 = g_object_get_data (G_OBJECT (dialog), "poste-sha256");
  PosteConfig *config = poste_application_get_config (pin->application);
  PosteProvider *provider;
  g_autoptr(GError) error = NULL;
  g_autofree char *old = NULL;

  if (g_strcmp0 (response, "accept") != 0 || sha256 == NULL || config == NULL)
    return;

  if (!(provider = poste_config_lookup (config, pin->provider)))
    return;

  old = g_strdup (poste_provider_get_pinned_sha256 (provider));
  poste_provider_set_pinned_sha256 (provider, sha256);
  if (!poste_application_save_config (pin->application, &error))
    {
      g_warning ("Could not save the pin of %s: %s", pin->provider, error->message);
      poste_provider_set_pinned_sha256 (provider, old);
      return;
    }

  poste_application_provider_changed (pin->application, pin->provider);
  poste_application_fetch (pin->application, pin->provider);
}

/**
 * poste_trust_dialog_present_for_provider:
 * @application: the #PosteApplication
 * @parent: (nullable): the window it belongs to
 * @provider: the name of a configured provider
 * @certificate: the certificate it presented
 *
 * Shows poste_trust_dialog_new() for a configured provider; on "accept" the fingerprint is
 * pinned in the configuration file, and the provider fetched again.
 */
void
poste_trust_dialog_present_for_provider (PosteApplication *application,
                                         GtkWindow        *parent,
                                         const char       *provider,
                                         GTlsCertificate  *certificate)
{
  PosteConfig *config;
  PosteProvider *configured;
  GtkWidget *dialog;
  Pin *pin;

  g_return_if_fail (POSTE_IS_APPLICATION (application));
  g_return_if_fail (provider != NULL);
  g_return_if_fail (G_IS_TLS_CERTIFICATE (certificate));

  config = poste_application_get_config (application);
  if (config == NULL || !(configured = poste_config_lookup (config, provider)))
    return;

  dialog = poste_trust_dialog_new (parent, provider, certificate,
                                   poste_provider_get_pinned_sha256 (configured));
  pin = g_new0 (Pin, 1);
  pin->application = g_object_ref (application);
  pin->provider = g_strdup (provider);
  g_signal_connect_data (dialog, "response", G_CALLBACK (pin_response_cb), pin,
                         pin_closure_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}
