/* poste-application-outbox.c: the application's outbox: submitted after each fetch, Send now,
 * the Outbox window, notifications for what the user must hear of
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * After each session (PosteApplication::session-finished), the provider's due messages leave
 * through its relay when it has send-with-fetch (the default); the number the relay accepted is
 * added to the provider's last report (what the windows show). app.send-now does the same for
 * every provider at once, deferred messages included (the user asked). A message the relay
 * refused for good, or a round that failed, is told in a notification with an action that opens
 * the Outbox window (app.outbox).
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
  PosteApplication       *application;
  PosteProvider          *provider;
  PosteOutboxSubmitFlags  flags;
} Round;

static void
round_free (Round *round)
{
  g_clear_object (&round->application);
  g_clear_object (&round->provider);
  g_free (round);
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
  PosteSessionReport *report;

  poste_outbox_submit_finish (POSTE_OUTBOX (object), result, &counts, NULL, &error);
  g_debug ("Outbox of %s: %u submitted, %u deferred, %u bounced, %u failed", name,
           counts.submitted, counts.deferred, counts.bounced, counts.failed);

  report = (PosteSessionReport *) poste_application_get_last_report (self, name);
  if (report != NULL)
    report->submitted += counts.submitted;

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
  round_free (round);
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
      round_free (round);
      return;
    }
  submit_with_password (round, password);
  poste_secrets_free_password (password);
}

/* Submits @provider's due messages (all of them with FORCE), with its password. */
static void
submit (PosteApplication       *self,
        PosteProvider          *provider,
        PosteOutboxSubmitFlags  flags)
{
  Round *round;
  const char *password_file = poste_provider_get_password_file (provider);

  if (!poste_outbox_has_due (get_outbox (self), provider, flags))
    return;

  round = g_new0 (Round, 1);
  round->application = g_object_ref (self);
  round->provider = poste_provider_copy (provider);
  round->flags = flags;

  if (!poste_secrets_auth_needs_password (provider))
    submit_with_password (round, NULL);
  else if (password_file != NULL && *password_file != '\0')
    {
      g_autoptr(GError) error = NULL;
      char *password = poste_secrets_get_password_sync (provider, NULL, &error);

      if (password == NULL)
        {
          notify_user (self, poste_provider_get_name (provider), error->message);
          round_free (round);
          return;
        }
      submit_with_password (round, password);
      poste_secrets_free_password (password);
    }
  else
    poste_secrets_lookup (provider, NULL, password_cb, round);
}

static void
session_finished_cb (PosteApplication         *self,
                     PosteSession             *session,
                     const PosteSessionReport *report)
{
  PosteProvider *provider;

  if (report->provider == NULL || self->config == NULL ||
      report->outcome == POSTE_SESSION_OUTCOME_CANCELLED)
    return;
  provider = poste_config_lookup (self->config, report->provider);
  if (provider != NULL && poste_provider_get_send_with_fetch (provider))
    submit (self, provider, POSTE_OUTBOX_SUBMIT_NONE);
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

      submit (self, provider, POSTE_OUTBOX_SUBMIT_FORCE);
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
 * Installs app.send-now and app.outbox and submits the outbox after each fetch.
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
  g_signal_connect (self, "session-finished", G_CALLBACK (session_finished_cb), NULL);
}
