/* poste-application-sessions.c: the application's fetches: scheduler, sessions, history
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One flow for every fetch, whoever asks: the user's Fetch now, the tray's menu and the
 * schedule all go through poste_scheduler_request_fetch(); the scheduler runs each as a
 * #PosteFetch round (poste_scheduler_run_rounds()), which does the whole fetch in the core (the
 * password, the sessions that drain the provider, the outbox, the one history record). Here each
 * session is announced with #PosteApplication::session-started and the round's end with
 * #PosteApplication::session-finished.
 * The windows, the tray and the notifications only observe.
 */
#include "config.h"

#include <glib/gi18n.h>

#include <poste-error.h>
#include <poste-fetch.h>

#include "poste-application-private.h"

/* A round of @name has started a session (the first, or another while draining). */
static void
round_session_started_cb (PosteFetch       *fetch,
                          PosteSession     *session,
                          PosteApplication *self)
{
  const char *name = poste_provider_get_name (poste_fetch_get_provider (fetch));

  if (self->sessions == NULL)
    return;
  g_hash_table_replace (self->sessions, g_strdup (name), g_object_ref (session));
  g_signal_emit (self, _poste_application_signals[POSTE_APPLICATION_SIGNAL_SESSION_STARTED], 0,
                 session);
}

/* A round has ended and written its record: tell the observers. */
static void
round_ended (PosteApplication         *self,
             PosteFetch               *fetch,
             const PosteSessionReport *report)
{
  const char *name = report->provider;
  g_autoptr(PosteSession) session = NULL;

  g_debug ("Fetch from %s ended: %s after %u sessions", name,
           poste_session_outcome_to_string (report->outcome), report->sessions->len);

  /* The application may have shut down while the round ran: nobody left to tell. */
  if (self->sessions == NULL)
    return;

  g_signal_handlers_disconnect_by_func (fetch, round_session_started_cb, self);
  /* The last session, if any: the observers let go of it now. */
  g_hash_table_steal_extended (self->sessions, name, NULL, (gpointer *) &session);
  g_hash_table_replace (self->last_reports, g_strdup (name), poste_session_report_copy (report));
  _poste_application_outbox_report (self, report);

  g_signal_emit (self, _poste_application_signals[POSTE_APPLICATION_SIGNAL_SESSION_FINISHED], 0,
                 session, report);
}

/* The scheduler runs every fetch as a round (poste_scheduler_run_rounds()): the application
 * only watches its sessions and its end. */
static void
scheduler_round_started_cb (PosteScheduler   *scheduler,
                            PosteFetch       *fetch,
                            PosteFetchReason  reason,
                            PosteApplication *self)
{
  g_debug ("Fetch %s (%s)", poste_provider_get_name (poste_fetch_get_provider (fetch)),
           poste_fetch_reason_to_string (reason));
  g_signal_connect (fetch, "session-started", G_CALLBACK (round_session_started_cb), self);
}

static void
scheduler_round_finished_cb (PosteScheduler           *scheduler,
                             PosteFetch               *fetch,
                             const PosteSessionReport *report,
                             PosteApplication         *self)
{
  round_ended (self, fetch, report);
}

static void
send_round_done_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  PosteFetch *fetch = POSTE_FETCH (object);
  g_autoptr(PosteApplication) self = user_data;
  g_autoptr(PosteSessionReport) report = poste_fetch_run_finish (fetch, result, NULL);

  if (self->send_rounds == NULL)
    return;
  g_hash_table_remove (self->send_rounds, report->provider);
  round_ended (self, fetch, report);
}

/**
 * _poste_application_send_round:
 * @self: the application, after its startup
 * @provider: the provider
 *
 * Send Now for @provider: a #PosteFetch round of only the outbox (poste_fetch_set_send_only()),
 * every queued message, deferred ones too; like any round it writes its record, and its end is
 * announced with #PosteApplication::session-finished.
 *
 * Returns: %FALSE when a round of @provider is already running (nothing started)
 */
gboolean
_poste_application_send_round (PosteApplication *self,
                               PosteProvider    *provider)
{
  const char *name = poste_provider_get_name (provider);
  g_autoptr(PosteFetch) fetch = NULL;

  if (self->send_rounds == NULL || g_hash_table_contains (self->send_rounds, name) ||
      (self->scheduler != NULL && poste_scheduler_get_round (self->scheduler, name) != NULL))
    return FALSE;

  fetch = poste_fetch_new (provider, self->history, self->outbox);
  poste_fetch_set_send_only (fetch, TRUE);
  /* The user asked and is there: a locked keyring may show its unlock prompt. */
  poste_fetch_set_interactive (fetch, TRUE);
  g_hash_table_replace (self->send_rounds, g_strdup (name), g_object_ref (fetch));
  poste_fetch_run_async (fetch, NULL, send_round_done_cb, g_object_ref (self));
  return TRUE;
}

static void
load_last_reports (PosteApplication *self)
{
  g_autoptr(GPtrArray) reports = NULL;
  g_autoptr(GError) error = NULL;

  if (!(reports = poste_history_list (self->history, NULL, 200, &error)))
    {
      g_debug ("No history yet: %s", error->message);
      return;
    }

  /* Newest first: keep the first one seen for each provider. */
  for (guint i = 0; i < reports->len; i++)
    {
      PosteSessionReport *report = g_ptr_array_index (reports, i);

      if (report->provider != NULL && !g_hash_table_contains (self->last_reports, report->provider))
        g_hash_table_insert (self->last_reports, g_strdup (report->provider),
                             poste_session_report_copy (report));
    }
}

void
_poste_application_sessions_init (PosteApplication *self)
{
  g_assert (POSTE_IS_APPLICATION (self));

  self->sessions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->send_rounds = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->last_reports = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                              (GDestroyNotify)poste_session_report_free);

  self->history = poste_history_new (NULL);
  load_last_reports (self);

  self->scheduler = poste_scheduler_new (NULL, NULL);
  poste_scheduler_run_rounds (self->scheduler, self->history, self->outbox);
  g_signal_connect_object (self->scheduler, "round-started",
                           G_CALLBACK (scheduler_round_started_cb), self, 0);
  g_signal_connect_object (self->scheduler, "round-finished",
                           G_CALLBACK (scheduler_round_finished_cb), self, 0);

  /* The scheduler follows the configuration's providers itself, as they are added, edited and
   * removed. */
  if (self->config != NULL && self->config_error == NULL)
    poste_scheduler_follow_providers (self->scheduler, poste_config_get_providers (self->config));
}

void
_poste_application_sessions_shutdown (PosteApplication *self)
{
  GHashTableIter iter;
  gpointer value;

  if (self->send_rounds != NULL)
    {
      g_hash_table_iter_init (&iter, self->send_rounds);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        poste_fetch_cancel (value);
    }
  if (self->scheduler != NULL)
    poste_scheduler_stop_rounds (self->scheduler);

  if (self->scheduler != NULL)
    g_signal_handlers_disconnect_by_data (self->scheduler, self);
  g_clear_object (&self->scheduler);
  g_clear_object (&self->history);
  g_clear_pointer (&self->sessions, g_hash_table_unref);
  g_clear_pointer (&self->send_rounds, g_hash_table_unref);
  if (self->outbox_monitor != NULL)
    {
      g_file_monitor_cancel (self->outbox_monitor);
      g_signal_handlers_disconnect_by_data (self->outbox_monitor, self);
    }
  g_clear_object (&self->outbox_monitor);
  g_clear_object (&self->outbox);
  g_clear_pointer (&self->last_reports, g_hash_table_unref);
}

/**
 * poste_application_get_scheduler:
 * @self: a #PosteApplication
 *
 * Gets the scheduler that decides when each provider fetches. Its #PosteScheduler::provider-changed
 * signal says when a provider's state or next fetch time changed; poste_scheduler_get_state() and
 * poste_scheduler_get_next_fetch() give them.
 *
 * Returns: (transfer none) (nullable): the scheduler, or %NULL before startup
 */
PosteScheduler *
poste_application_get_scheduler (PosteApplication *self)
{
  g_return_val_if_fail (POSTE_IS_APPLICATION (self), NULL);

  return self->scheduler;
}

/**
 * poste_application_get_history:
 * @self: a #PosteApplication
 *
 * Gets the session history (poste_history_dup_default_dir()); every session the application
 * runs is added to it before #PosteApplication::session-finished is emitted.
 *
 * Returns: (transfer none) (nullable): the history, or %NULL before startup
 */
PosteHistory *
poste_application_get_history (PosteApplication *self)
{
  g_return_val_if_fail (POSTE_IS_APPLICATION (self), NULL);

  return self->history;
}

/**
 * poste_application_fetch:
 * @self: a #PosteApplication
 * @name: (nullable): a provider's name, or %NULL for every provider
 *
 * Asks the scheduler for a fetch now (%POSTE_FETCH_REASON_MANUAL). A provider already
 * fetching is not fetched twice: the request is coalesced by the scheduler.
 */
void
poste_application_fetch (PosteApplication *self,
                         const char       *name)
{
  GListModel *providers;

  g_return_if_fail (POSTE_IS_APPLICATION (self));

  if (self->scheduler == NULL || self->config == NULL)
    return;

  if (name != NULL)
    {
      poste_scheduler_request_fetch (self->scheduler, name);
      return;
    }

  providers = poste_config_get_providers (self->config);
  for (guint i = 0; i < g_list_model_get_n_items (providers); i++)
    {
      g_autoptr(PosteProvider) provider = g_list_model_get_item (providers, i);

      poste_scheduler_request_fetch (self->scheduler, poste_provider_get_name (provider));
    }
}

/**
 * poste_application_stop:
 * @self: a #PosteApplication
 * @name: a provider's name
 *
 * Stops @name's running session (the user's Stop): it ends cleanly, with a 421 to the provider
 * in the reversed state, and its outcome is %POSTE_SESSION_OUTCOME_CANCELLED. Nothing happens
 * when no session of @name is running.
 */
void
poste_application_stop (PosteApplication *self,
                        const char       *name)
{
  PosteFetch *fetch;

  g_return_if_fail (POSTE_IS_APPLICATION (self));
  g_return_if_fail (name != NULL);

  if (self->scheduler != NULL && (fetch = poste_scheduler_get_round (self->scheduler, name)))
    poste_fetch_cancel (fetch);
  if (self->send_rounds != NULL && (fetch = g_hash_table_lookup (self->send_rounds, name)))
    poste_fetch_cancel (fetch);
}

/**
 * poste_application_get_session:
 * @self: a #PosteApplication
 * @name: a provider's name
 *
 * Gets @name's running session, to watch its #PosteSession:state, #PosteSession:messages and
 * #PosteSession:bytes.
 *
 * Returns: (transfer none) (nullable): the running session, or %NULL when none is running
 */
PosteSession *
poste_application_get_session (PosteApplication *self,
                               const char       *name)
{
  g_return_val_if_fail (POSTE_IS_APPLICATION (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  return self->sessions != NULL ? g_hash_table_lookup (self->sessions, name) : NULL;
}

/**
 * poste_application_dup_sessions:
 * @self: a #PosteApplication
 *
 * Lists the running sessions, in no particular order.
 *
 * Returns: (transfer container) (element-type PosteSession): the running sessions
 */
GPtrArray *
poste_application_dup_sessions (PosteApplication *self)
{
  GPtrArray *sessions = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  gpointer value;

  g_return_val_if_fail (POSTE_IS_APPLICATION (self), sessions);

  if (self->sessions == NULL)
    return sessions;

  g_hash_table_iter_init (&iter, self->sessions);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (sessions, g_object_ref (value));

  return sessions;
}

/**
 * poste_application_get_last_report:
 * @self: a #PosteApplication
 * @name: a provider's name
 *
 * Gets the report of @name's latest session: the newest in the history at startup, then each
 * one as it ends.
 *
 * Returns: (transfer none) (nullable): the report, or %NULL if @name never fetched
 */
const PosteSessionReport *
poste_application_get_last_report (PosteApplication *self,
                                   const char       *name)
{
  g_return_val_if_fail (POSTE_IS_APPLICATION (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  return self->last_reports != NULL ? g_hash_table_lookup (self->last_reports, name) : NULL;
}

/**
 * poste_application_provider_changed:
 * @self: a #PosteApplication
 * @name: the name of a provider whose configuration changed (already saved)
 *
 * Tells the scheduler that @name's settings changed (poste_scheduler_update_provider()): a
 * provider stopped by an authentication failure is tried again.
 */
void
poste_application_provider_changed (PosteApplication *self,
                                    const char       *name)
{
  PosteProvider *provider;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (POSTE_IS_APPLICATION (self));
  g_return_if_fail (name != NULL);

  if (self->scheduler == NULL || self->config == NULL)
    return;

  /* The scheduler follows the provider list; an edit in place is told here, and retries a
   * provider stopped by an authentication failure. */
  if ((provider = poste_config_lookup (self->config, name)) &&
      poste_scheduler_has_provider (self->scheduler, name) &&
      !poste_scheduler_update_provider (self->scheduler, provider, &error))
    g_warning ("Could not reschedule %s: %s", name, error->message);
}

/**
 * poste_application_save_config:
 * @self: a #PosteApplication
 * @error: a #GError, or %NULL
 *
 * Writes the configuration to its file (poste_config_save(), atomically).
 *
 * Returns: %TRUE on success; %FALSE with the error of poste_config_save() otherwise
 */
gboolean
poste_application_save_config (PosteApplication  *self,
                               GError           **error)
{
  g_autofree char *path = NULL;

  g_return_val_if_fail (POSTE_IS_APPLICATION (self), FALSE);
  g_return_val_if_fail (self->config != NULL, FALSE);

  path = poste_config_dup_default_path ();
  return poste_config_save (self->config, path, error);
}

/**
 * poste_application_pin_certificate:
 * @self: a #PosteApplication
 * @name: a configured provider's name
 * @sha256: the SHA-256 fingerprint to pin, lowercase hex (poste_fingerprint_for_certificate())
 * @error: a #GError, or %NULL
 *
 * Pins @sha256 for the provider @name (its `pinned-sha256` key), as the user's "Trust and
 * Pin" does, saves the configuration file and tells the scheduler
 * (poste_application_provider_changed()). A pin the file did not take is not kept in memory
 * either, so that the running configuration and the file stay alike.
 *
 * Returns: %TRUE on success; %FALSE with %POSTE_CONFIG_ERROR_NOT_FOUND when no provider is
 *   @name, or the error of poste_application_save_config() (%POSTE_CONFIG_ERROR_INVALID_VALUE
 *   for a malformed @sha256)
 */
gboolean
poste_application_pin_certificate (PosteApplication  *self,
                                   const char        *name,
                                   const char        *sha256,
                                   GError           **error)
{
  PosteProvider *provider;
  g_autofree char *old = NULL;

  g_return_val_if_fail (POSTE_IS_APPLICATION (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (sha256 != NULL, FALSE);

  if (self->config == NULL || !(provider = poste_config_lookup (self->config, name)))
    {
      g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_NOT_FOUND,
                   _("No provider is named “%s”"), name);
      return FALSE;
    }

  old = g_strdup (poste_provider_get_pinned_sha256 (provider));
  poste_provider_set_pinned_sha256 (provider, sha256);
  if (!poste_application_save_config (self, error))
    {
      poste_provider_set_pinned_sha256 (provider, old);
      return FALSE;
    }
  poste_application_provider_changed (self, name);
  return TRUE;
}
