/* poste-notifier.c: desktop notifications through libnotify
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Watches the application's sessions (#PosteApplication::session-finished) and tells the user
 * what needs telling, when the `notifications` setting allows it:
 * - new mail: one notification at normal urgency, kept up to date, with a count per provider
 *   since the user last looked; Open (and a click on the notification itself) presents the window;
 * - a failure: one notification per provider per kind of failure (see #PosteErrorKind), with
 *   Edit for what only the user can fix and Retry; the same kind again for the same provider says
 *   nothing more until a fetch of that provider succeeds, so a network that stays down does not
 *   flood the screen. A network failure is told only once it has lasted
 *   TRANSIENT_NOTIFY_AFTER_SECONDS, and says the fetch will be tried again only for a provider
 *   on a schedule. Critical urgency is kept for what stops all mail until the user acts: the
 *   sign-in, the certificate, the delivery target;
 * - one notification per fetch: messages refused for good are a line of the fetch's own
 *   notification, and one of their own only when the fetch has nothing else to say;
 * - messages refused for good (5xx): "N refused, returned to the sender by the provider" with the
 *   reply that refused the first, since the provider sends them back and the user should know;
 *   never "left with the provider", which is only for 4xx.
 * The notifications' actions are the application's own (app.open, app.fetch-provider::NAME,
 * app.edit-provider::NAME).
 */
#include "config.h"

#include <glib/gi18n.h>
#include <libnotify/notify.h>

#include "poste-application.h"
#include "poste-config.h"
#include "poste-error.h"
#include "poste-notifier.h"
#include "poste-session.h"

/* How long a network failure (or a provider asking for time) must last before it is worth a
 * notification: a laptop moving between networks, a resume from suspend or a provider
 * restarting fails a fetch or two and mends itself within minutes, while the scheduler retries
 * on its own. Half an hour of failures is a problem the user should hear of. */
#define TRANSIENT_NOTIFY_AFTER_SECONDS (30 * 60)

struct _PosteNotifier
{
  GObject             parent_instance;

  /* The application owns the notifier: a weak pointer. */
  PosteApplication   *application;

  /* New mail: provider name -> messages (GUINT_TO_POINTER) since the user last looked. */
  GHashTable         *counts;
  NotifyNotification *mail;

  /* Messages returned to their senders (the last fetch that had some). */
  NotifyNotification *returned;

  /* Provider name -> the PosteErrorKind last notified (GINT_TO_POINTER), and its
   * notification. */
  GHashTable         *notified;
  GHashTable         *failures;
  /* Provider name -> the GDateTime its current run of network failures started. */
  GHashTable         *failing_since;
};

G_DEFINE_FINAL_TYPE (PosteNotifier, poste_notifier, G_TYPE_OBJECT)

static gboolean
enabled (PosteNotifier *self)
{
  GSettings *settings;

  if (self->application == NULL)
    return FALSE;
  settings = poste_application_get_settings (self->application);
  return settings != NULL && g_settings_get_boolean (settings, "notifications");
}

static void
show (NotifyNotification *notification)
{
  g_autoptr(GError) error = NULL;

  /* No notification server (a bare session, a test) is not worth a warning. */
  if (!notify_notification_show (notification, &error))
    g_debug ("Notifier: cannot show a notification: %s", error->message);
}

static NotifyNotification *
new_notification (const char *summary,
                  const char *body,
                  const char *category)
{
  NotifyNotification *notification = notify_notification_new (summary, body, APP_ID);

  notify_notification_set_category (notification, category);
  notify_notification_set_hint (notification, "desktop-entry", g_variant_new_string (APP_ID));
  return notification;
}

/* Actions: the application's own. */

static void
activate_app_action (PosteNotifier *self,
                     const char    *action,
                     const char    *provider)
{
  GActionGroup *group;

  if (self->application == NULL)
    return;
  group = G_ACTION_GROUP (self->application);
  if (g_action_group_get_action_enabled (group, action))
    g_action_group_activate_action (group, action,
                                    provider != NULL ? g_variant_new_string (provider) : NULL);
}

static void
mail_open_cb (NotifyNotification *notification,
              char               *action,
              gpointer            user_data)
{
  PosteNotifier *self = user_data;

  g_hash_table_remove_all (self->counts);
  activate_app_action (self, "open", NULL);
}

static void
mail_closed_cb (NotifyNotification *notification,
                PosteNotifier      *self)
{
  /* The user has seen it: count afresh. */
  g_hash_table_remove_all (self->counts);
}

static void
failure_action_cb (NotifyNotification *notification,
                   char               *action,
                   gpointer            user_data)
{
  PosteNotifier *self = user_data;
  const char *provider = g_object_get_data (G_OBJECT (notification), "poste-provider");

  if (g_str_equal (action, "retry"))
    activate_app_action (self, "fetch-provider", provider);
  else if (g_str_equal (action, "edit") || g_str_equal (action, "default"))
    activate_app_action (self, "edit-provider", provider);
}

/* New mail */

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static void
notify_mail (PosteNotifier *self,
             const char    *provider,
             guint          messages,
             const char    *also)
{
  g_autoptr(GString) body = g_string_new (NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autofree char *summary = NULL;
  GHashTableIter iter;
  gpointer key, value;
  guint total = 0;

  g_hash_table_replace (self->counts, g_strdup (provider),
                        GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (self->counts,
                                                                                 provider))
                                          + messages));

  g_hash_table_iter_init (&iter, self->counts);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_ptr_array_add (names, key);
      total += GPOINTER_TO_UINT (value);
    }
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    {
      guint count = GPOINTER_TO_UINT (g_hash_table_lookup (self->counts, names->pdata[i]));

      if (body->len > 0)
        g_string_append_c (body, '\n');
      /* Translators: a line of the new mail notification: a provider's name, then a count */
      g_string_append_printf (body, ngettext ("%s: %u new message", "%s: %u new messages", count),
                              (const char *) names->pdata[i], count);
    }
  summary = g_strdup_printf (ngettext ("%u new message", "%u new messages", total), total);
  if (also != NULL)
    g_string_append_printf (body, "\n%s", also);

  if (self->mail == NULL)
    {
      self->mail = new_notification (summary, body->str, "email.arrived");
      notify_notification_set_urgency (self->mail, NOTIFY_URGENCY_NORMAL);
      g_signal_connect (self->mail, "closed", G_CALLBACK (mail_closed_cb), self);
      notify_notification_add_action (self->mail, "default", _("Open"), mail_open_cb, self, NULL);
      notify_notification_add_action (self->mail, "open", _("Open"), mail_open_cb, self, NULL);
    }
  else
    notify_notification_update (self->mail, summary, body->str, APP_ID);
  show (self->mail);
}

/* Refused for good */

/* The line that says a fetch's messages were refused for good, or NULL when none were. */
static char *
describe_returned (const PosteSessionReport *report)
{
  if (report->returned == 0)
    return NULL;
  /* Translators: "<provider>: <n> refused, returned to the sender by the provider" */
  return g_strdup_printf (ngettext ("%s: %u refused, returned to the sender by the provider",
                                    "%s: %u refused, returned to the senders by the provider",
                                    report->returned),
                          report->provider, report->returned);
}

static void
notify_returned (PosteNotifier            *self,
                 const PosteSessionReport *report)
{
  g_autofree char *summary = describe_returned (report);
  g_autofree char *reason = poste_session_report_dup_returned_reason (report);
  g_autoptr(GString) body = g_string_new (NULL);

  if (reason != NULL)
    /* Translators: the reply that refused a message for good, "550 5.1.1 No such user" */
    g_string_append_printf (body, _("Refused with: %s"), reason);
  if (body->len > 0)
    g_string_append_c (body, '\n');
  g_string_append (body, _("The provider sends such messages back to whoever sent them; they "
                           "are not kept for a later fetch."));

  if (self->returned == NULL)
    {
      self->returned = new_notification (summary, body->str, "email");
      notify_notification_add_action (self->returned, "default", _("Open"), mail_open_cb, self,
                                      NULL);
    }
  else
    notify_notification_update (self->returned, summary, body->str, APP_ID);
  show (self->returned);
}

/* Failures */

static void
clear_failure (PosteNotifier *self,
               const char    *provider)
{
  NotifyNotification *notification = g_hash_table_lookup (self->failures, provider);

  g_hash_table_remove (self->notified, provider);
  g_hash_table_remove (self->failing_since, provider);
  if (notification != NULL)
    {
      /* The problem is gone: so is what said so (it may be closed already). */
      notify_notification_close (notification, NULL);
      g_hash_table_remove (self->failures, provider);
    }
}

/* Whether @provider fetches on a schedule, so that the scheduler will try again by itself. */
static gboolean
scheduled (PosteNotifier *self,
           const char    *provider)
{
  PosteConfig *config = self->application != NULL ? poste_application_get_config (self->application)
                                                  : NULL;
  PosteProvider *configured = config != NULL ? poste_config_lookup (config, provider) : NULL;

  return configured != NULL && poste_provider_get_interval (configured) > 0;
}

/* Only these need the user at once, and loudly: nothing comes in until they act. */
static gboolean
kind_is_urgent (PosteErrorKind kind)
{
  return kind == POSTE_ERROR_KIND_AUTH || kind == POSTE_ERROR_KIND_CERTIFICATE ||
         kind == POSTE_ERROR_KIND_DELIVERY;
}

static void
notify_failure (PosteNotifier   *self,
                const char      *provider,
                PosteErrorKind  kind,
                const GError    *error,
                const char      *also)
{
  g_autofree char *summary = NULL;
  g_autofree char *body = NULL;
  NotifyNotification *notification;
  gboolean needs_user = poste_error_kind_needs_user (kind);

  if (g_hash_table_contains (self->notified, provider) &&
      GPOINTER_TO_INT (g_hash_table_lookup (self->notified, provider)) == (int) kind)
    {
      g_debug ("Notifier: %s failed again the same way; already notified", provider);
      return;
    }
  g_hash_table_replace (self->notified, g_strdup (provider), GINT_TO_POINTER (kind));

  switch (kind)
    {
    case POSTE_ERROR_KIND_AUTH:
      /* No password to send (no keyring, a locked one, none stored): the provider never saw
       * the credentials, so "authentication failed" would send the user to the wrong place. */
      if (error->domain == POSTE_CONFIG_ERROR)
        {
          summary = g_strdup_printf (_("%s: the password cannot be read"), provider);
          body = g_strdup (error->message);
          break;
        }
      summary = g_strdup_printf (_("%s: authentication failed"), provider);
      body = g_strdup_printf (_("%s\nCheck the user name and password."), error->message);
      break;
    case POSTE_ERROR_KIND_CERTIFICATE:
      summary = g_strdup_printf (_("%s: the certificate cannot be trusted"), provider);
      body = g_strdup_printf (_("%s\nThe provider’s certificate changed or cannot be verified; "
                                "no mail is fetched until you decide."), error->message);
      break;
    case POSTE_ERROR_KIND_DELIVERY:
      summary = g_strdup_printf (_("%s: mail could not be delivered"), provider);
      body = g_strdup_printf (_("%s\nThe provider keeps the mail until delivery works."),
                              error->message);
      break;
    case POSTE_ERROR_KIND_CONFIG:
      summary = g_strdup_printf (_("%s: the settings need attention"), provider);
      body = g_strdup (error->message);
      break;
    case POSTE_ERROR_KIND_TRANSIENT:
    case POSTE_ERROR_KIND_BUSY:
    case POSTE_ERROR_KIND_NONE:
    default:
      summary = g_strdup_printf (_("%s: cannot fetch mail"), provider);
      /* On demand, nothing tries again unless the user asks. */
      if (scheduled (self, provider))
        body = g_strdup_printf (_("%s\nPoste Restante will try again."), error->message);
      else
        body = g_strdup (error->message);
      break;
    }
  if (also != NULL)
    {
      char *longer = g_strconcat (body, "\n", also, NULL);

      g_free (body);
      body = longer;
    }

  notification = g_hash_table_lookup (self->failures, provider);
  if (notification == NULL)
    {
      notification = new_notification (summary, body, needs_user ? "email" : "network.error");
      g_object_set_data_full (G_OBJECT (notification), "poste-provider", g_strdup (provider),
                              g_free);
      g_hash_table_replace (self->failures, g_strdup (provider), notification);
    }
  else
    {
      notify_notification_update (notification, summary, body, APP_ID);
      notify_notification_clear_actions (notification);
    }
  notify_notification_set_category (notification, needs_user ? "email" : "network.error");
  notify_notification_set_urgency (notification, kind_is_urgent (kind) ? NOTIFY_URGENCY_CRITICAL
                                                                        : NOTIFY_URGENCY_NORMAL);
  if (needs_user)
    {
      notify_notification_add_action (notification, "default", _("Edit Provider"),
                                      failure_action_cb, self, NULL);
      notify_notification_add_action (notification, "edit", _("Edit Provider"),
                                      failure_action_cb, self, NULL);
    }
  notify_notification_add_action (notification, "retry", _("Retry"), failure_action_cb, self,
                                  NULL);
  show (notification);
}

/* A network failure that has not lasted TRANSIENT_NOTIFY_AFTER_SECONDS yet: kept quiet. */
static gboolean
transient_too_recent (PosteNotifier            *self,
                      const PosteSessionReport *report,
                      PosteErrorKind            kind)
{
  GDateTime *since;
  g_autoptr(GDateTime) ended = NULL;

  if (kind != POSTE_ERROR_KIND_TRANSIENT && kind != POSTE_ERROR_KIND_BUSY)
    return FALSE;
  if (report->started == NULL)
    return FALSE;

  if (!(since = g_hash_table_lookup (self->failing_since, report->provider)))
    {
      since = g_date_time_ref (report->started);
      g_hash_table_replace (self->failing_since, g_strdup (report->provider), since);
    }
  ended = g_date_time_add_seconds (report->started, report->duration);
  if (g_date_time_difference (ended, since) >= TRANSIENT_NOTIFY_AFTER_SECONDS * G_TIME_SPAN_SECOND)
    return FALSE;

  g_debug ("Notifier: %s cannot fetch, for less than %d minutes: not notified yet",
           report->provider, TRANSIENT_NOTIFY_AFTER_SECONDS / 60);
  return TRUE;
}

/* One notification per fetch: what came in, or what went wrong, with the messages refused for
 * good as a line of it; the refusals alone only when there is nothing else to say. */
static void
session_finished_cb (PosteApplication         *application,
                     PosteSession             *session,
                     const PosteSessionReport *report,
                     PosteNotifier            *self)
{
  g_autofree char *returned = describe_returned (report);
  PosteErrorKind kind;

  switch (report->outcome)
    {
    case POSTE_SESSION_OUTCOME_MAIL:
      clear_failure (self, report->provider);
      if (!enabled (self))
        break;
      if (report->messages > 0)
        notify_mail (self, report->provider, report->messages, returned);
      else if (returned != NULL)
        notify_returned (self, report);
      break;

    case POSTE_SESSION_OUTCOME_NO_MAIL:
    case POSTE_SESSION_OUTCOME_STARTED:
      clear_failure (self, report->provider);
      if (returned != NULL && enabled (self))
        notify_returned (self, report);
      break;

    case POSTE_SESSION_OUTCOME_FAILED:
      kind = poste_error_get_kind (report->error);
      if (!enabled (self))
        break;
      if (kind != POSTE_ERROR_KIND_NONE && !transient_too_recent (self, report, kind))
        notify_failure (self, report->provider, kind, report->error, returned);
      else if (returned != NULL)
        notify_returned (self, report);
      break;

    case POSTE_SESSION_OUTCOME_CANCELLED:
    case POSTE_SESSION_OUTCOME_NONE:
    default:
      break;
    }
}

PosteNotifier *
poste_notifier_new (PosteApplication *application)
{
  PosteNotifier *self;

  g_return_val_if_fail (POSTE_IS_APPLICATION (application), NULL);

  if (!notify_is_initted () && !notify_init (APP_ID))
    g_debug ("Notifier: libnotify could not start");

  self = g_object_new (POSTE_TYPE_NOTIFIER, NULL);
  self->application = application;
  g_object_add_weak_pointer (G_OBJECT (application), (gpointer *) &self->application);
  g_signal_connect_object (application, "session-finished", G_CALLBACK (session_finished_cb),
                           self, 0);
  return self;
}

static void
poste_notifier_dispose (GObject *object)
{
  PosteNotifier *self = (PosteNotifier *)object;

  if (self->mail != NULL)
    g_signal_handlers_disconnect_by_data (self->mail, self);
  g_clear_object (&self->mail);
  g_clear_object (&self->returned);
  g_hash_table_remove_all (self->failures);
  if (self->application != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->application), (gpointer *) &self->application);
  self->application = NULL;

  G_OBJECT_CLASS (poste_notifier_parent_class)->dispose (object);
}

static void
poste_notifier_finalize (GObject *object)
{
  PosteNotifier *self = (PosteNotifier *)object;

  g_clear_pointer (&self->counts, g_hash_table_unref);
  g_clear_pointer (&self->notified, g_hash_table_unref);
  g_clear_pointer (&self->failures, g_hash_table_unref);
  g_clear_pointer (&self->failing_since, g_hash_table_unref);

  G_OBJECT_CLASS (poste_notifier_parent_class)->finalize (object);
}

static void
poste_notifier_class_init (PosteNotifierClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = poste_notifier_dispose;
  object_class->finalize = poste_notifier_finalize;
}

static void
poste_notifier_init (PosteNotifier *self)
{
  self->counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->notified = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->failures = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->failing_since = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                               (GDestroyNotify)g_date_time_unref);
}
