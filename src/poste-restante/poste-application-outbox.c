/* poste-application-outbox.c: the application's outbox: submitted after each fetch, Send now,
 * the Outbox window, notifications for what the user must hear of
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * After each session, before its report is recorded (poste-application-sessions.c), the
 * provider's due messages leave through its relay when it has send-with-fetch (the default):
 * _poste_application_outbox_round(), whose count of accepted messages goes into that report,
 * as the CLI's fetch does. app.send-now runs the same round for every provider at once,
 * deferred messages included (the user asked); what it submitted is added to the provider's
 * last report (what the windows show). A message the relay refused for good, or a round that
 * failed, is told in a notification with an action that opens the Outbox window (app.outbox).
 */
#include "config.h"

#include <glib/gi18n.h>

#include <poste-outbox.h>
#include <poste-outbox-submit.h>
#include <poste-secrets.h>

#include "poste-application-private.h"
#include "poste-outbox-view.h"

#define OUTBOX_KEY "poste-outbox"

typedef struct {
  PosteApplication             *application;
  PosteProvider                *provider;
  PosteOutboxSubmitFlags        flags;
  PosteApplicationRoundCallback callback;
  gpointer                      user_data;
} Round;

static void
round_free (Round *round)
{
  g_clear_object (&round->application);
  g_clear_object (&round->provider);
  g_free (round);
}

/* Ends @round (and frees it): tells its caller how many messages the relay accepted, or, for
 * Send Now (no caller), adds them to the provider's last report. */
static void
round_end (Round *round,
           guint  submitted)
{
  if (round->callback != NULL)
    round->callback (round->application, submitted, round->user_data);
  else if (submitted > 0)
    {
      PosteSessionReport *report = (PosteSessionReport *)
        poste_application_get_last_report (round->application,
                                           poste_provider_get_name (round->provider));

      if (report != NULL)
        report->submitted += submitted;
    }
  round_free (round);
}

static PosteOutbox *
get_outbox (PosteApplication *self)
{
  return g_object_get_data (G_OBJECT (self), OUTBOX_KEY);
}

static void
notify_user (PosteApplication *self,
             const char       *name,
             const char       *body)
{
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *title = NULL;
  g_autofree char *id = g_strdup_printf ("outbox-%s", name);

  /* Translators: %s is a provider's name */
  title = g_strdup_printf (_("Outgoing mail for %s"), name);
  notification = g_notification_new (title);
  g_notification_set_body (notification, body);
  g_notification_add_button (notification, _("Open Outbox"), "app.outbox");
  g_notification_set_default_action (notification, "app.outbox");
  g_application_send_notification (G_APPLICATION (self), id, notification);
}

static void
submitted_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Round *round = user_data;
  PosteApplication *self = round->application;
  const char *name = poste_provider_get_name (round->provider);
  g_autoptr(GError) error = NULL;
  PosteOutboxCounts counts = { 0, };

  poste_outbox_submit_finish (POSTE_OUTBOX (object), result, &counts, NULL, &error);
  g_debug ("Outbox of %s: %u submitted, %u deferred, %u bounced, %u failed", name,
           counts.submitted, counts.deferred, counts.bounced, counts.failed);

  if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
      !g_error_matches (error, POSTE_OUTBOX_ERROR, POSTE_OUTBOX_ERROR_BUSY))
    notify_user (self, name, error->message);
  else if (counts.bounced + counts.failed > 0)
    {
      g_autofree char *body =
        g_strdup_printf (ngettext ("The provider refused %u message for good; it was returned "
                                   "to its sender.",
                                   "The provider refused %u messages for good; they were "
                                   "returned to their senders.",
                                   counts.bounced + counts.failed),
                         counts.bounced + counts.failed);

      notify_user (self, name, body);
    }
  round_end (round, counts.submitted);
}

static void
submit_with_password (Round      *round,
                      const char *password)
{
  poste_outbox_submit_async (get_outbox (round->application), round->provider, password,
                             round->flags, NULL, submitted_cb, round);
}

static void
password_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Round *round = user_data;
  g_autoptr(GError) error = NULL;
  char *password = poste_secrets_lookup_finish (result, &error);

  if (password == NULL)
    {
      g_debug ("Outbox of %s: no password: %s", poste_provider_get_name (round->provider),
               error != NULL ? error->message : "none stored");
      round_end (round, 0);
      return;
    }
  submit_with_password (round, password);
  poste_secrets_free_password (password);
}

/**
 * _poste_application_outbox_round:
 * @self: the application, after its startup
 * @provider: the provider whose outgoing mail leaves
 * @flags: %POSTE_OUTBOX_SUBMIT_FORCE for every queued message (Send Now), deferred ones
 *   included; %POSTE_OUTBOX_SUBMIT_NONE for the due ones only (after a fetch)
 * @callback: (nullable) (scope async): called once when the round has ended, with the number of
 *   messages the relay accepted; %NULL adds that number to @provider's last report instead
 * @user_data: data for @callback
 *
 * Submits @provider's due messages through its submission server (poste_outbox_submit_async()),
 * with its password from its password file or the keyring. Refusals for good and a failed round
 * are told in a notification. @callback may be called before this returns (the password file
 * could not be read).
 *
 * Returns: %TRUE when a round started (@callback will be called); %FALSE when nothing is due
 *   (@callback is not called)
 */
gboolean
_poste_application_outbox_round (PosteApplication              *self,
                                 PosteProvider                 *provider,
                                 PosteOutboxSubmitFlags         flags,
                                 PosteApplicationRoundCallback  callback,
                                 gpointer                       user_data)
{
  Round *round;
  const char *password_file = poste_provider_get_password_file (provider);

  if (get_outbox (self) == NULL || !poste_outbox_has_due (get_outbox (self), provider, flags))
    return FALSE;

  round = g_new0 (Round, 1);
  round->application = g_object_ref (self);
  round->provider = poste_provider_copy (provider);
  round->flags = flags;
  round->callback = callback;
  round->user_data = user_data;

  if (!poste_secrets_auth_needs_password (provider))
    submit_with_password (round, NULL);
  else if (password_file != NULL && *password_file != '\0')
    {
      g_autoptr(GError) error = NULL;
      char *password = poste_secrets_get_password_sync (provider, NULL, &error);

      if (password == NULL)
        {
          notify_user (self, poste_provider_get_name (provider), error->message);
          round_end (round, 0);
          return TRUE;
        }
      submit_with_password (round, password);
      poste_secrets_free_password (password);
    }
  else
    poste_secrets_lookup (provider, NULL, password_cb, round);
  return TRUE;
}

static void
send_now_activated (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  PosteApplication *self = user_data;
  GListModel *providers;

  if (self->config == NULL)
    return;
  providers = poste_config_get_providers (self->config);
  for (guint i = 0; i < g_list_model_get_n_items (providers); i++)
    {
      g_autoptr(PosteProvider) provider = g_list_model_get_item (providers, i);

      _poste_application_outbox_round (self, provider, POSTE_OUTBOX_SUBMIT_FORCE, NULL, NULL);
    }
}

static void
outbox_activated (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  PosteApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  PosteOutboxView *view;

  /* One Outbox window is enough: bring back the one already open. */
  for (const GList *iter = gtk_application_get_windows (GTK_APPLICATION (self));
       iter != NULL; iter = iter->next)
    if (POSTE_IS_OUTBOX_VIEW (iter->data))
      {
        poste_outbox_view_refresh (iter->data);
        gtk_window_present (iter->data);
        return;
      }

  view = poste_outbox_view_new (get_outbox (self));
  gtk_window_set_application (GTK_WINDOW (view), GTK_APPLICATION (self));
  if (parent != NULL)
    gtk_window_set_transient_for (GTK_WINDOW (view), parent);
  gtk_window_present (GTK_WINDOW (view));
}

/**
 * _poste_application_outbox_init:
 * @self: the application, in its startup
 *
 * Installs app.send-now and app.outbox and opens the outbox that
 * _poste_application_outbox_round() submits.
 */
void
_poste_application_outbox_init (PosteApplication *self)
{
  static const GActionEntry entries[] = {
    { "send-now", send_now_activated, NULL, NULL, NULL, { 0 } },
    { "outbox", outbox_activated, NULL, NULL, NULL, { 0 } },
  };

  g_object_set_data_full (G_OBJECT (self), OUTBOX_KEY, poste_outbox_new (NULL), g_object_unref);
  g_action_map_add_action_entries (G_ACTION_MAP (self), entries, G_N_ELEMENTS (entries), self);
}
