/* poste-trust-dialog.c: asking the user to trust a provider's certificate
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * When a provider's certificate cannot be verified (self-signed, an unknown authority) or no
 * longer matches its pin, the user sees what it is (subject, issuer, validity and the SHA-256
 * fingerprint to compare with what the provider publishes) and may accept it: the fingerprint is
 * then pinned for that provider only (its `pinned-sha256` key, through
 * poste_application_pin_certificate()), never trusted system-wide.
 */
#include "config.h"

#include <glib/gi18n.h>

#include <poste-error.h>
#include <poste-fingerprint.h>

#include "poste-accessible.h"
#include "poste-application.h"
#include "poste-config.h"
#include "poste-provider.h"
#include "poste-trust-dialog.h"

struct _PosteTrustDialog
{
  AdwMessageDialog  parent_instance;

  /* The certificate's fingerprint, lowercase hex, as the configuration pins it. */
  char             *sha256;

  /* Template children */
  GtkLabel         *subject_label;
  GtkLabel         *issuer_label;
  GtkLabel         *validity_label;
  GtkLabel         *fingerprint_label;
};

G_DEFINE_FINAL_TYPE (PosteTrustDialog, poste_trust_dialog, ADW_TYPE_MESSAGE_DIALOG)

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

static char *
describe_validity (GTlsCertificate *certificate)
{
  g_autoptr(GDateTime) not_before = g_tls_certificate_get_not_valid_before (certificate);
  g_autoptr(GDateTime) not_after = g_tls_certificate_get_not_valid_after (certificate);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *from = format_date (not_before);
  g_autofree char *until = format_date (not_after);
  g_autofree char *validity = NULL;

  /* Translators: a certificate's validity, from one date to another */
  validity = g_strdup_printf (_("%s to %s"), g_strstrip (from), g_strstrip (until));
  if (not_after != NULL && g_date_time_compare (not_after, now) < 0)
    /* Translators: a certificate's validity, when it has expired */
    return g_strdup_printf (_("%s (expired)"), validity);
  return g_steal_pointer (&validity);
}

static void
set_detail (GtkLabel   *label,
            const char *value)
{
  gtk_label_set_text (label, value != NULL ? value : _("Unknown"));
}

static void
poste_trust_dialog_finalize (GObject *object)
{
  PosteTrustDialog *self = POSTE_TRUST_DIALOG (object);

  g_free (self->sha256);
  G_OBJECT_CLASS (poste_trust_dialog_parent_class)->finalize (object);
}

static void
poste_trust_dialog_class_init (PosteTrustDialogClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = poste_trust_dialog_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/posterestante/PosteRestante/ui/poste-trust-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, PosteTrustDialog, subject_label);
  gtk_widget_class_bind_template_child (widget_class, PosteTrustDialog, issuer_label);
  gtk_widget_class_bind_template_child (widget_class, PosteTrustDialog, validity_label);
  gtk_widget_class_bind_template_child (widget_class, PosteTrustDialog, fingerprint_label);
}

static void
poste_trust_dialog_init (PosteTrustDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  /* Trusting is never what Enter or Escape does by chance. */
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (self), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (self), "cancel");
}

/**
 * poste_trust_dialog_new:
 * @parent: (nullable): the window it belongs to
 * @provider: the provider's name
 * @certificate: the certificate the provider presented
 * @old_pin: (nullable): the fingerprint pinned until now, when the certificate changed
 *
 * Creates the dialog that shows @certificate and asks whether to trust it. Its responses are
 * "cancel" and "accept" (#AdwMessageDialog::response); on "accept" the caller pins
 * poste_trust_dialog_get_sha256() (poste_application_pin_certificate()).
 *
 * Returns: (transfer none): a new #PosteTrustDialog, not shown yet
 */
GtkWidget *
poste_trust_dialog_new (GtkWindow       *parent,
                        const char      *provider,
                        GTlsCertificate *certificate,
                        const char      *old_pin)
{
  PosteTrustDialog *self;
  g_autofree char *fingerprint = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *issuer = NULL;
  g_autofree char *validity = NULL;
  g_autofree char *body = NULL;
  gboolean changed = old_pin != NULL && old_pin[0] != '\0';

  g_return_val_if_fail (provider != NULL, NULL);
  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (certificate), NULL);

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

  self = g_object_new (POSTE_TYPE_TRUST_DIALOG,
                       "transient-for", parent,
                       "heading", changed ? _("Certificate Changed") : _("Trust This Certificate?"),
                       "body", body,
                       NULL);
  /* Trusting a certificate that replaced a trusted one is the riskier answer. */
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (self), "accept",
                                              changed ? ADW_RESPONSE_DESTRUCTIVE
                                                      : ADW_RESPONSE_SUGGESTED);

  self->sha256 = poste_fingerprint_for_certificate (certificate);
  fingerprint = poste_fingerprint_format (self->sha256 != NULL ? self->sha256 : "", 16);
  subject = g_tls_certificate_get_subject_name (certificate);
  issuer = g_tls_certificate_get_issuer_name (certificate);
  validity = describe_validity (certificate);
  set_detail (self->subject_label, subject);
  set_detail (self->issuer_label, issuer);
  set_detail (self->validity_label, validity);
  set_detail (self->fingerprint_label, fingerprint);

  poste_accessible_fix (GTK_WIDGET (self));
  return GTK_WIDGET (self);
}

/**
 * poste_trust_dialog_get_sha256:
 * @self: a #PosteTrustDialog
 *
 * Returns: (nullable): the SHA-256 fingerprint of the certificate shown, lowercase hex as
 *   `pinned-sha256` holds it (poste_fingerprint_for_certificate()), or %NULL when it could not
 *   be computed
 */
const char *
poste_trust_dialog_get_sha256 (PosteTrustDialog *self)
{
  g_return_val_if_fail (POSTE_IS_TRUST_DIALOG (self), NULL);
  return self->sha256;
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
pin_response_cb (PosteTrustDialog *self,
                 const char       *response,
                 Pin              *pin)
{
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (response, "accept") != 0 || self->sha256 == NULL)
    return;

  if (!poste_application_pin_certificate (pin->application, pin->provider, self->sha256, &error))
    {
      /* A provider removed while the dialog was open has nothing left to pin. */
      if (!g_error_matches (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_NOT_FOUND))
        g_warning ("Could not save the pin of %s: %s", pin->provider, error->message);
      return;
    }
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
