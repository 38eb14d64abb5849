/* poste-application-outbox.c: the application's outbox: Send Now, the Outbox window, and what
 * the user must hear of mail that did not leave
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every fetch round submits its provider's due messages itself (#PosteFetch, in the core).
 * app.send-now starts a round of only the outbox for every provider with something queued,
 * deferred messages included (the user asked); like any round it writes its record. A message
 * the relay refused for good, or a submission that failed, is told in a notification with an
 * action that opens the Outbox window (app.outbox).
 */
#include "config.h"

#include <glib/gi18n.h>

#include <poste-outbox.h>
#include <poste-outbox-submit.h>

#include "poste-application-private.h"
#include "poste-outbox-view.h"

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

/**
 * _poste_application_outbox_report:
 * @self: the application
 * @report: the report of a round that has ended
 *
 * Tells the user of outgoing mail that did not leave in @report's round: messages the relay
 * refused for good (returned to their senders), or a submission that failed as a whole; both
 * with an action that opens the Outbox window. Nothing for a round that sent all it had.
 */
void
_poste_application_outbox_report (PosteApplication         *self,
                                  const PosteSessionReport *report)
{
  const GError *error = report->error;

  poste_application_refresh_outbox (self);
  if (report->send_returned > 0)
    {
      g_autofree char *body =
        g_strdup_printf (ngettext ("The provider refused %u message for good; it was returned "
                                   "to its sender.",
                                   "The provider refused %u messages for good; they were "
                                   "returned to their senders.",
                                   report->send_returned),
                         report->send_returned);

      notify_user (self, report->provider, body);
    }
  else if (error != NULL && error->domain == POSTE_OUTBOX_ERROR &&
           error->code != POSTE_OUTBOX_ERROR_BUSY)
    notify_user (self, report->provider, error->message);
}

static void
outbox_changed_cb (PosteApplication  *self,
                   GFile             *file,
                   GFile             *other_file,
                   GFileMonitorEvent  event)
{
  poste_application_refresh_outbox (self);
}

/* Send Now: a round of only the outbox for every provider, deferred messages included (the user
 * asked), recorded in the history like any round. */
void
_poste_application_send_now (PosteApplication *self)
{
  GListModel *providers;

  if (self->config == NULL || self->outbox == NULL)
    return;
  providers = poste_config_get_providers (self->config);
  for (guint i = 0; i < g_list_model_get_n_items (providers); i++)
    {
      g_autoptr(PosteProvider) provider = g_list_model_get_item (providers, i);

      if (poste_outbox_has_due (self->outbox, provider, POSTE_OUTBOX_SUBMIT_FORCE))
        _poste_application_send_round (self, provider);
    }
}

/* app.outbox: the Outbox window. */
void
_poste_application_show_outbox (PosteApplication *self)
{
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

  view = poste_outbox_view_new (self->outbox);
  if (self->config != NULL)
    poste_outbox_view_set_providers (view, poste_config_get_providers (self->config));
  gtk_window_set_application (GTK_WINDOW (view), GTK_APPLICATION (self));
  if (parent != NULL)
    gtk_window_set_transient_for (GTK_WINDOW (view), parent);
  gtk_window_present (GTK_WINDOW (view));
}

/**
 * _poste_application_outbox_init:
 * @self: the application, in its startup
 *
 * Opens the outbox that every round submits, and watches its queue for app.send-now (whose
 * action poste-application-actions.c installs).
 */
void
_poste_application_outbox_init (PosteApplication *self)
{
  self->outbox = poste_outbox_new (NULL);

  /* Send Now is enabled only with something queued: now, whenever the queue changes (another
   * program may fill it), and after each round (poste_application_refresh_outbox()). */
  poste_application_refresh_outbox (self);
  {
    g_autofree char *queue = g_build_filename (poste_outbox_get_path (self->outbox), "queue", NULL);
    g_autoptr(GFile) file = g_file_new_for_path (queue);
    g_autoptr(GError) error = NULL;

    self->outbox_monitor = g_file_monitor_directory (file, G_FILE_MONITOR_NONE, NULL, &error);
    if (self->outbox_monitor != NULL)
      g_signal_connect_object (self->outbox_monitor, "changed", G_CALLBACK (outbox_changed_cb),
                               self, G_CONNECT_SWAPPED);
    else
      g_debug ("Cannot watch the outbox: %s", error->message);
  }
}

/**
 * poste_application_refresh_outbox:
 * @self: a #PosteApplication
 *
 * Reads whether the outbox holds anything and enables app.send-now accordingly: Send Now with
 * nothing queued would do nothing, and say nothing.
 *
 * Returns: %TRUE when app.send-now's enabled state changed
 */
gboolean
poste_application_refresh_outbox (PosteApplication *self)
{
  GAction *action;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) error = NULL;
  gboolean queued;

  g_return_val_if_fail (POSTE_IS_APPLICATION (self), FALSE);

  action = g_action_map_lookup_action (G_ACTION_MAP (self), "send-now");
  if (action == NULL || self->outbox == NULL)
    return FALSE;
  items = poste_outbox_list (self->outbox, &error);
  if (items == NULL)
    g_debug ("Cannot read the outbox: %s", error->message);
  queued = items != NULL && items->len > 0;
  if (queued == g_action_get_enabled (action))
    return FALSE;
  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), queued);
  return TRUE;
}
