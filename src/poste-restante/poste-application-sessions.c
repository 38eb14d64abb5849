/* poste-application-sessions.c: the application's fetches: scheduler, sessions, history
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One flow for every fetch, whoever asks: the user's Fetch now, the tray's menu and the
 * schedule all go through poste_scheduler_request_fetch(); the scheduler's #PosteScheduler::fetch
 * runs a #PosteSession here, then the provider's outbox round (poste-application-outbox.c), whose
 * count of submitted messages goes into the session's report; its end is recorded in the history,
 * announced with #PosteApplication::session-finished and handed back with
 * poste_scheduler_fetch_finished().
 * The windows, the tray and the notifications only observe.
 */
#include "config.h"

#include <glib/gi18n.h>

#include <poste-error.h>
#include <poste-router.h>
#include <poste-secrets.h>

#include "poste-application-private.h"

typedef struct
{
  PosteApplication *application;
  char             *name;
  GCancellable     *cancellable;
} Fetch;

static void
fetch_free (Fetch *fetch)
{
  g_clear_object (&fetch->application);
  g_clear_object (&fetch->cancellable);
  g_free (fetch->name);
  g_free (fetch);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Fetch, fetch_free)

/* Records @report, tells the observers and the scheduler. @session is %NULL when the fetch
 * failed before a session could start (no password, a bad delivery target). */
static void
finish_fetch (Fetch                    *fetch,
              PosteSession             *session,
              const PosteSessionReport *report)
{
  PosteApplication *self = fetch->application;
  g_autoptr(GError) error = NULL;

  if (self->history != NULL && !poste_history_add (self->history, report, &error))
    g_warning ("Could not record the session of %s in the history: %s", fetch->name, error->message);

  g_hash_table_replace (self->last_reports, g_strdup (fetch->name),
                        poste_session_report_copy (report));
  g_hash_table_remove (self->sessions, fetch->name);
  g_hash_table_remove (self->cancellables, fetch->name);

  g_signal_emit (self, _poste_application_signals[POSTE_APPLICATION_SIGNAL_SESSION_FINISHED], 0,
                 session, report);

  if (self->scheduler != NULL)
    poste_scheduler_fetch_finished (self->scheduler, fetch->name, report->outcome, report->error);
}

static void
fail_fetch (Fetch        *fetch,
            const GError *error)
{
  g_autoptr(PosteSessionReport) report = poste_session_report_new (fetch->name);

  report->started = g_date_time_new_now_utc ();
  report->outcome = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
                      ? POSTE_SESSION_OUTCOME_CANCELLED : POSTE_SESSION_OUTCOME_FAILED;
  report->error = g_error_copy (error);
  g_ptr_array_add (report->transcript, g_strdup_printf ("*  %s", error->message));

  finish_fetch (fetch, NULL, report);
}

typedef struct
{
  Fetch        *fetch;
  PosteSession *session;
} FetchRound;

/* The outbox's round after @round's session has ended: its count goes into the session's report,
 * then the report is recorded. */
static void
fetch_round_cb (PosteApplication *self,
                guint             submitted,
                gpointer          user_data)
{
  FetchRound *round = user_data;
  PosteSessionReport *report = poste_session_get_report (round->session);

  report->submitted += submitted;
  /* The application may have shut down while the round ran: nothing left to record in. */
  if (self->sessions != NULL)
    finish_fetch (round->fetch, round->session, report);
  fetch_free (round->fetch);
  g_object_unref (round->session);
  g_free (round);
}

/* Starts the outbox's round for @fetch's provider when it submits with each fetch and has mail
 * due; then the round takes @fetch. Returns %FALSE when there is no round to run. */
static gboolean
start_outbox_round (Fetch        *fetch,
                    PosteSession *session)
{
  PosteApplication *self = fetch->application;
  PosteProvider *provider;
  FetchRound *round;

  provider = self->config != NULL ? poste_config_lookup (self->config, fetch->name) : NULL;
  if (provider == NULL || !poste_provider_get_send_with_fetch (provider))
    return FALSE;

  round = g_new0 (FetchRound, 1);
  round->fetch = fetch;
  round->session = g_object_ref (session);
  if (!_poste_application_outbox_round (self, provider, POSTE_OUTBOX_SUBMIT_NONE,
                                        fetch_round_cb, round))
    {
      g_object_unref (round->session);
      g_free (round);
      return FALSE;
    }
  return TRUE;
}

static void
session_run_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  PosteSession *session = POSTE_SESSION (object);
  g_autoptr(Fetch) fetch = user_data;
  g_autoptr(GError) error = NULL;
  PosteSessionReport *report;

  poste_session_run_finish (session, result, &error);
  report = poste_session_get_report (session);

  if (report == NULL)
    {
      fail_fetch (fetch, error);
      return;
    }

  g_debug ("Session of %s ended: %s", fetch->name, poste_session_outcome_to_string (report->outcome));

  /* Outgoing mail leaves in the same round, unless the user stopped it (DESIGN.md, Outbox), and
   * what the relay accepted is part of the report the history records, as in the CLI's fetch. */
  if (report->outcome != POSTE_SESSION_OUTCOME_CANCELLED && start_outbox_round (fetch, session))
    {
      fetch = NULL;  /* the round's callback has it now */
      return;
    }
  finish_fetch (fetch, session, report);
}

/* Takes @fetch: the session's callback frees it, or this does when the session cannot start. */
static void
start_session (Fetch      *fetch,
               const char *password)
{
  PosteApplication *self = fetch->application;
  g_autoptr(PosteDelivery) router = NULL;
  g_autoptr(PosteSession) session = NULL;
  g_autoptr(GError) error = NULL;
  PosteProvider *provider;

  provider = self->config != NULL ? poste_config_lookup (self->config, fetch->name) : NULL;
  if (provider == NULL)
    {
      g_set_error (&error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_NOT_FOUND,
                   _("The provider “%s” is no longer configured."), fetch->name);
      fail_fetch (fetch, error);
      fetch_free (fetch);
      return;
    }

  if (!(router = poste_router_new (provider, &error)))
    {
      fail_fetch (fetch, error);
      fetch_free (fetch);
      return;
    }

  session = poste_session_new (provider, password, router);
  g_hash_table_replace (self->sessions, g_strdup (fetch->name), g_object_ref (session));

  g_signal_emit (self, _poste_application_signals[POSTE_APPLICATION_SIGNAL_SESSION_STARTED], 0,
                 session);

  poste_session_run_async (session, fetch->cancellable, session_run_cb, fetch);
}

static void
password_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Fetch *fetch = user_data;
  g_autoptr(GError) error = NULL;
  char *password;

  password = poste_secrets_lookup_finish (result, &error);
  if (password == NULL)
    {
      g_autoptr(GError) friendly = NULL;

      if (g_error_matches (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_NO_SECRET))
        friendly = g_error_new (POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_NO_SECRET,
                                _("No password for “%s” in the keyring: edit the provider to set one."),
                                fetch->name);
      fail_fetch (fetch, friendly != NULL ? friendly : error);
      fetch_free (fetch);
      return;
    }

  start_session (fetch, password);
  poste_secrets_free_password (password);
}

static void
scheduler_fetch_cb (PosteScheduler   *scheduler,
                    const char       *name,
                    PosteFetchReason  reason,
                    PosteApplication *self)
{
  Fetch *fetch;
  PosteProvider *provider;

  g_assert (POSTE_IS_APPLICATION (self));

  g_debug ("Fetch %s (%s)", name, poste_fetch_reason_to_string (reason));

  fetch = g_new0 (Fetch, 1);
  fetch->application = g_object_ref (self);
  fetch->name = g_strdup (name);
  fetch->cancellable = g_cancellable_new ();
  g_hash_table_replace (self->cancellables, g_strdup (name), g_object_ref (fetch->cancellable));

  provider = self->config != NULL ? poste_config_lookup (self->config, name) : NULL;
  if (provider == NULL)
    {
      start_session (fetch, NULL);
      return;
    }

  if (!poste_secrets_auth_needs_password (provider))
    {
      start_session (fetch, NULL);
      return;
    }

  if (poste_provider_get_password_file (provider) != NULL &&
      poste_provider_get_password_file (provider)[0] != '\0')
    {
      g_autoptr(GError) error = NULL;
      char *password = poste_secrets_get_password_sync (provider, NULL, &error);

      if (password == NULL)
        {
          fail_fetch (fetch, error);
          fetch_free (fetch);
          return;
        }
      start_session (fetch, password);
      poste_secrets_free_password (password);
      return;
    }

  poste_secrets_lookup (provider, fetch->cancellable, password_cb, fetch);
}

/**
 * _poste_application_sync_scheduler:
 * @self: a #PosteApplication
 *
 * Makes the scheduler know exactly the configuration's providers: adds the new ones and
 * removes those that are gone. Called whenever the provider list changes.
 */
void
_poste_application_sync_scheduler (PosteApplication *self)
{
  GListModel *providers;
  g_autoptr(GHashTable) present = NULL;
  GHashTableIter iter;
  gpointer key;

  g_assert (POSTE_IS_APPLICATION (self));

  if (self->scheduler == NULL || self->config == NULL || self->config_error != NULL)
    return;

  present = g_hash_table_new (g_str_hash, g_str_equal);
  providers = poste_config_get_providers (self->config);

  for (guint i = 0; i < g_list_model_get_n_items (providers); i++)
    {
      g_autoptr(PosteProvider) provider = g_list_model_get_item (providers, i);
      const char *name = poste_provider_get_name (provider);
      g_autoptr(GError) error = NULL;

      g_hash_table_add (present, (gpointer)name);
      if (g_hash_table_contains (self->scheduled, name))
        continue;

      if (poste_scheduler_add_provider (self->scheduler, provider, &error))
        g_hash_table_add (self->scheduled, g_strdup (name));
      else
        g_warning ("Could not schedule %s: %s", name, error->message);
    }

  g_hash_table_iter_init (&iter, self->scheduled);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      if (!g_hash_table_contains (present, key))
        {
          poste_scheduler_remove_provider (self->scheduler, key);
          g_hash_table_iter_remove (&iter);
        }
    }
}

static void
providers_changed_cb (PosteApplication *self)
{
  _poste_application_sync_scheduler (self);
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
  self->cancellables = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->last_reports = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                              (GDestroyNotify)poste_session_report_free);
  self->scheduled = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  self->history = poste_history_new (NULL);
  load_last_reports (self);

  self->scheduler = poste_scheduler_new (NULL, NULL);
  g_signal_connect_object (self->scheduler, "fetch", G_CALLBACK (scheduler_fetch_cb), self, 0);

  if (self->config != NULL && self->config_error == NULL)
    {
      g_signal_connect_object (poste_config_get_providers (self->config), "items-changed",
                               G_CALLBACK (providers_changed_cb), self, G_CONNECT_SWAPPED);
      _poste_application_sync_scheduler (self);
    }
}

void
_poste_application_sessions_shutdown (PosteApplication *self)
{
  GHashTableIter iter;
  gpointer value;

  if (self->cancellables != NULL)
    {
      g_hash_table_iter_init (&iter, self->cancellables);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        g_cancellable_cancel (value);
    }

  if (self->scheduler != NULL)
    g_signal_handlers_disconnect_by_data (self->scheduler, self);
  g_clear_object (&self->scheduler);
  g_clear_object (&self->history);
  g_clear_pointer (&self->sessions, g_hash_table_unref);
  g_clear_pointer (&self->cancellables, g_hash_table_unref);
  g_clear_pointer (&self->last_reports, g_hash_table_unref);
  g_clear_pointer (&self->scheduled, g_hash_table_unref);
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
  GCancellable *cancellable;

  g_return_if_fail (POSTE_IS_APPLICATION (self));
  g_return_if_fail (name != NULL);

  if (self->cancellables != NULL && (cancellable = g_hash_table_lookup (self->cancellables, name)))
    g_cancellable_cancel (cancellable);
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

  _poste_application_sync_scheduler (self);
  if ((provider = poste_config_lookup (self->config, name)) &&
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
 * Returns: %TRUE on success; %FALSE with a %G_FILE_ERROR or %G_IO_ERROR otherwise
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
