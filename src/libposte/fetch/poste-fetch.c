/* poste-fetch.c: one fetch round: the secret, the sessions that drain the provider, the outbox,
 * one history record and one report
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A round is what the user means by "fetch": whoever starts it (Fetch now, the tray, the
 * schedule, `poste-restante-cli fetch` or `run`), it
 *   1. looks the password up once (the provider's password-file, else the keyring);
 *   2. runs one ODMR session, and another while the provider keeps handing mail over: real
 *      providers may stop after some messages (stock Exim 4.99.1 over TLS hands over one a
 *      session, then says QUIT), so a session that delivered mail and did not end with "no mail"
 *      (453, or EHLO then QUIT) is followed by a new connection at once. The round stops when a
 *      session delivers nothing, the provider says it has nothing, an error ends a session, the
 *      user stops it, or a bound is reached (POSTE_FETCH_MAX_SESSIONS, POSTE_FETCH_MAX_SECONDS);
 *   3. submits the provider's due outbox messages through its relay, unless the user stopped it;
 *   4. writes one history record, never patched afterwards, and ends with one report: the
 *      round's totals, its transcript (every session's, in order) and one entry per session.
 * The front ends only start rounds and observe them: #PosteFetch:session for the live session,
 * the counters as properties, and #PosteFetch::session-started / #PosteFetch::session-finished.
 *
 * Past 800 lines because a round is one state machine: its steps (password, sessions, drain,
 * outbox, finish) share the object's state, properties and signals, and read best in order.
 * The one-line summary of a round's report is in poste-fetch-summary.c.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "poste-error.h"
#include "poste-fetch.h"
#include "poste-outbox-submit.h"
#include "poste-provider.h"
#include "poste-router.h"
#include "poste-secrets.h"

struct _PosteFetch
{
  GObject             parent_instance;

  PosteProvider      *provider;
  PosteHistory       *history;
  PosteOutbox        *outbox;
  guint               max_sessions;
  guint               max_seconds;
  guint               session_timeout;
  gboolean            send_only;
  gboolean            interactive;

  GTask              *task;
  GCancellable       *cancellable;     /* ours: poste_fetch_cancel() and the caller's both cancel it */
  GCancellable       *caller_cancellable;
  gulong              caller_handler;
  char               *password;
  gint64              started_monotonic;

  PosteSession       *session;
  guint               n_sessions;
  guint               done_messages;   /* of the sessions that have ended */
  guint64             done_bytes;
  PosteSessionReport *report;          /* the round's, built as the sessions end */
  gboolean            running;
  gboolean            finished;
};

G_DEFINE_FINAL_TYPE (PosteFetch, poste_fetch, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PROVIDER,
  PROP_SESSION,
  PROP_N_SESSIONS,
  PROP_MESSAGES,
  PROP_BYTES,
  PROP_RUNNING,
  N_PROPS
};

enum {
  SIGNAL_SESSION_STARTED,
  SIGNAL_SESSION_FINISHED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void run_session (PosteFetch *self);
static void submit_outbox (PosteFetch *self);
static void finish (PosteFetch *self);

static void
session_progress_cb (PosteFetch *self,
                     GParamSpec *pspec,
                     PosteSession *session)
{
  if (g_str_equal (pspec->name, "messages"))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MESSAGES]);
  else
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BYTES]);
}

static void
set_session (PosteFetch   *self,
             PosteSession *session)
{
  if (self->session == session)
    return;
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_set_object (&self->session, session);
  if (session != NULL)
    {
      g_signal_connect_object (session, "notify::messages", G_CALLBACK (session_progress_cb),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (session, "notify::bytes", G_CALLBACK (session_progress_cb),
                               self, G_CONNECT_SWAPPED);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}

static void
poste_fetch_dispose (GObject *object)
{
  PosteFetch *self = POSTE_FETCH (object);

  if (self->caller_handler != 0)
    g_cancellable_disconnect (self->caller_cancellable, self->caller_handler);
  self->caller_handler = 0;
  g_clear_object (&self->caller_cancellable);
  set_session (self, NULL);
  g_clear_object (&self->provider);
  g_clear_object (&self->history);
  g_clear_object (&self->outbox);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->password, poste_secrets_free_password);

  G_OBJECT_CLASS (poste_fetch_parent_class)->dispose (object);
}

static void
poste_fetch_finalize (GObject *object)
{
  PosteFetch *self = POSTE_FETCH (object);

  g_clear_pointer (&self->report, poste_session_report_free);

  G_OBJECT_CLASS (poste_fetch_parent_class)->finalize (object);
}

static void
poste_fetch_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  PosteFetch *self = POSTE_FETCH (object);

  switch (prop_id)
    {
    case PROP_PROVIDER:
      g_value_set_object (value, self->provider);
      break;
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    case PROP_N_SESSIONS:
      g_value_set_uint (value, self->n_sessions);
      break;
    case PROP_MESSAGES:
      g_value_set_uint (value, poste_fetch_get_messages (self));
      break;
    case PROP_BYTES:
      g_value_set_uint64 (value, poste_fetch_get_bytes (self));
      break;
    case PROP_RUNNING:
      g_value_set_boolean (value, self->running);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
poste_fetch_class_init (PosteFetchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = poste_fetch_dispose;
  object_class->finalize = poste_fetch_finalize;
  object_class->get_property = poste_fetch_get_property;

  /**
   * PosteFetch:provider:
   *
   * The provider fetched from: a copy taken when the round was made, so that an edit of the
   * configuration during the round changes nothing in it.
   */
  properties[PROP_PROVIDER] =
    g_param_spec_object ("provider", NULL, NULL, POSTE_TYPE_PROVIDER,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * PosteFetch:session:
   *
   * The session running now, to watch its state and the current message; %NULL between
   * sessions, while the password is looked up and while the outbox is submitted.
   */
  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, POSTE_TYPE_SESSION,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * PosteFetch:n-sessions:
   *
   * How many sessions the round has started so far.
   */
  properties[PROP_N_SESSIONS] =
    g_param_spec_uint ("n-sessions", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * PosteFetch:messages:
   *
   * Messages delivered (and acknowledged with 250) so far in the whole round.
   */
  properties[PROP_MESSAGES] =
    g_param_spec_uint ("messages", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * PosteFetch:bytes:
   *
   * Bytes of message content delivered so far in the whole round.
   */
  properties[PROP_BYTES] =
    g_param_spec_uint64 ("bytes", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * PosteFetch:running:
   *
   * Whether the round has started and not yet ended.
   */
  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * PosteFetch::session-started:
   * @self: the round
   * @session: the session that starts now
   *
   * A session of the round starts (the first, or another one while draining).
   */
  signals[SIGNAL_SESSION_STARTED] =
    g_signal_new ("session-started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, POSTE_TYPE_SESSION);

  /**
   * PosteFetch::session-finished:
   * @self: the round
   * @report: that session's own report (its transcript included)
   *
   * A session of the round has ended; the round goes on with another session, the outbox, or
   * its end.
   */
  signals[SIGNAL_SESSION_FINISHED] =
    g_signal_new ("session-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1,
                  POSTE_TYPE_SESSION_REPORT | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
poste_fetch_init (PosteFetch *self)
{
  self->max_sessions = POSTE_FETCH_MAX_SESSIONS;
  self->max_seconds = POSTE_FETCH_MAX_SECONDS;
  self->cancellable = g_cancellable_new ();
}

/**
 * poste_fetch_new:
 * @provider: the provider to fetch from (copied: later edits do not reach this round)
 * @history: (nullable): where the round's one record goes, or %NULL to keep none (tests)
 * @outbox: (nullable): the outbox whose due messages for @provider leave in the same round (when
 *   @provider has `send-with-fetch=true`), or %NULL for none
 *
 * Makes a round; nothing happens until poste_fetch_run_async(). A round runs once.
 *
 * Returns: (transfer full): the round
 */
PosteFetch *
poste_fetch_new (PosteProvider *provider,
                 PosteHistory  *history,
                 PosteOutbox   *outbox)
{
  PosteFetch *self;

  g_return_val_if_fail (POSTE_IS_PROVIDER (provider), NULL);
  g_return_val_if_fail (history == NULL || POSTE_IS_HISTORY (history), NULL);
  g_return_val_if_fail (outbox == NULL || POSTE_IS_OUTBOX (outbox), NULL);

  self = g_object_new (POSTE_TYPE_FETCH, NULL);
  self->provider = poste_provider_copy (provider);
  self->history = history != NULL ? g_object_ref (history) : NULL;
  self->outbox = outbox != NULL ? g_object_ref (outbox) : NULL;
  return self;
}

/**
 * poste_fetch_get_provider:
 * @self: a #PosteFetch
 *
 * Returns: (transfer none): the round's copy of the provider
 */
PosteProvider *
poste_fetch_get_provider (PosteFetch *self)
{
  g_return_val_if_fail (POSTE_IS_FETCH (self), NULL);

  return self->provider;
}

/**
 * poste_fetch_get_session:
 * @self: a #PosteFetch
 *
 * Returns: (transfer none) (nullable): the session running now, or %NULL
 */
PosteSession *
poste_fetch_get_session (PosteFetch *self)
{
  g_return_val_if_fail (POSTE_IS_FETCH (self), NULL);

  return self->session;
}

/**
 * poste_fetch_get_n_sessions:
 * @self: a #PosteFetch
 *
 * Returns: how many sessions the round has started
 */
guint
poste_fetch_get_n_sessions (PosteFetch *self)
{
  g_return_val_if_fail (POSTE_IS_FETCH (self), 0);

  return self->n_sessions;
}

/**
 * poste_fetch_get_messages:
 * @self: a #PosteFetch
 *
 * Returns: messages delivered so far in the round, the running session's included
 */
guint
poste_fetch_get_messages (PosteFetch *self)
{
  g_return_val_if_fail (POSTE_IS_FETCH (self), 0);

  return self->done_messages + (self->session != NULL ? poste_session_get_messages (self->session) : 0);
}

/**
 * poste_fetch_get_bytes:
 * @self: a #PosteFetch
 *
 * Returns: bytes of message content delivered so far in the round, the running session's included
 */
guint64
poste_fetch_get_bytes (PosteFetch *self)
{
  g_return_val_if_fail (POSTE_IS_FETCH (self), 0);

  return self->done_bytes + (self->session != NULL ? poste_session_get_bytes (self->session) : 0);
}

/**
 * poste_fetch_get_running:
 * @self: a #PosteFetch
 *
 * Returns: whether the round has started and not yet ended
 */
gboolean
poste_fetch_get_running (PosteFetch *self)
{
  g_return_val_if_fail (POSTE_IS_FETCH (self), FALSE);

  return self->running;
}

/**
 * poste_fetch_set_limits:
 * @self: a #PosteFetch, not yet running
 * @max_sessions: the most sessions the round opens (at least 1); %POSTE_FETCH_MAX_SESSIONS by
 *   default
 * @max_seconds: after this many seconds no new session starts; %POSTE_FETCH_MAX_SECONDS by default
 *
 * Bounds the draining. A caller may only lower the defaults: they are what keeps a provider that
 * always has mail from holding the customer forever.
 */
void
poste_fetch_set_limits (PosteFetch *self,
                        guint       max_sessions,
                        guint       max_seconds)
{
  g_return_if_fail (POSTE_IS_FETCH (self));
  g_return_if_fail (!self->running);

  self->max_sessions = CLAMP (max_sessions, 1, POSTE_FETCH_MAX_SESSIONS);
  self->max_seconds = MIN (max_seconds, POSTE_FETCH_MAX_SECONDS);
}

/**
 * poste_fetch_set_interactive:
 * @self: a #PosteFetch, not yet running
 * @interactive: %TRUE when the user asked for this round and is there to answer
 *
 * Whether the round may ask the user: a locked keyring then shows the Secret Service's own
 * unlock prompt (poste_secrets_lookup_full() with %POSTE_SECRETS_LOOKUP_UNLOCK). A round that
 * is not interactive (the default: a scheduled fetch) never prompts; it fails with
 * %POSTE_CONFIG_ERROR_KEYRING_LOCKED and the scheduler waits for the keyring to be unlocked.
 */
void
poste_fetch_set_interactive (PosteFetch *self,
                             gboolean    interactive)
{
  g_return_if_fail (POSTE_IS_FETCH (self));
  g_return_if_fail (!self->running);

  self->interactive = !!interactive;
}

/**
 * poste_fetch_set_send_only:
 * @self: a #PosteFetch, not yet running
 * @send_only: %TRUE for a round of only the outbox
 *
 * A send-only round (the user's Send Now) opens no ODMR session: it submits every queued message
 * of the provider, deferred ones included (%POSTE_OUTBOX_SUBMIT_FORCE), whether or not the
 * provider has `send-with-fetch`, and records itself like any round.
 */
void
poste_fetch_set_send_only (PosteFetch *self,
                           gboolean    send_only)
{
  g_return_if_fail (POSTE_IS_FETCH (self));
  g_return_if_fail (!self->running);

  self->send_only = !!send_only;
}

/**
 * poste_fetch_set_session_timeout:
 * @self: a #PosteFetch, not yet running
 * @seconds: the deadline of every wait in each session (poste_session_set_timeout()), or 0 for
 *   the session's default
 */
void
poste_fetch_set_session_timeout (PosteFetch *self,
                                 guint       seconds)
{
  g_return_if_fail (POSTE_IS_FETCH (self));
  g_return_if_fail (!self->running);

  self->session_timeout = seconds;
}

/**
 * poste_fetch_cancel:
 * @self: a #PosteFetch
 *
 * Stops the round (the user's Stop): the running session ends cleanly (421 in the reversed
 * state, so the provider keeps what was not acknowledged), no other session starts and the
 * outbox is not submitted. The round still ends with its report and history record.
 */
void
poste_fetch_cancel (PosteFetch *self)
{
  g_return_if_fail (POSTE_IS_FETCH (self));

  g_cancellable_cancel (self->cancellable);
}

static void
caller_cancelled_cb (GCancellable *caller,
                     gpointer      user_data)
{
  /* Runs in the thread that cancelled: GCancellable is thread-safe. */
  g_cancellable_cancel (G_CANCELLABLE (user_data));
}

/* The round's first lines when it failed before any session: a note in the transcript. */
static void
fail_early (PosteFetch *self,
            GError     *error)
{
  PosteSessionReport *report = self->report;

  report->outcome = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
                      ? POSTE_SESSION_OUTCOME_CANCELLED : POSTE_SESSION_OUTCOME_FAILED;
  g_clear_error (&report->error);
  report->error = error;
  g_ptr_array_add (report->transcript, g_strdup_printf ("*  %s", error->message));
  finish (self);
}

static void
password_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(PosteFetch) self = user_data;
  g_autoptr(GError) error = NULL;

  self->password = poste_secrets_lookup_finish (result, &error);
  if (self->password == NULL)
    {
      fail_early (self, poste_secrets_explain_error (self->provider, error));
      return;
    }
  run_session (self);
}

/* Adds what @session's report says to the round's report. */
static void
add_session (PosteFetch         *self,
             PosteSessionReport *session)
{
  PosteSessionReport *round = self->report;
  PosteSessionReport *entry;

  if (self->n_sessions == 1)
    {
      g_clear_pointer (&round->started, g_date_time_unref);
      round->started = g_date_time_ref (session->started);
      g_free (round->tls);
      round->tls = g_strdup (session->tls);
      g_free (round->mechanism);
      round->mechanism = g_strdup (session->mechanism);
    }
  else
    g_ptr_array_add (round->transcript,
                     g_strdup_printf ("*  %s", _("the provider may hold more: connecting again")));

  round->messages += session->messages;
  round->refused += session->refused;
  round->deferred += session->deferred;
  round->returned += session->returned;
  round->bytes += session->bytes;
  round->last_state = session->last_state;
  round->outcome = session->outcome;
  g_clear_error (&round->error);
  round->error = session->error != NULL ? g_error_copy (session->error) : NULL;
  for (guint i = 0; session->transcript != NULL && i < session->transcript->len; i++)
    g_ptr_array_add (round->transcript, g_strdup (session->transcript->pdata[i]));

  /* The entry keeps the counts; the transcript is the round's. */
  entry = poste_session_report_copy (session);
  g_ptr_array_set_size (entry->transcript, 0);
  g_ptr_array_add (round->sessions, entry);

  self->done_messages += session->messages;
  self->done_bytes += session->bytes;
}

/* Whether the provider may hold more after a session that ended with @report. */
static gboolean
should_drain (PosteFetch               *self,
              const PosteSessionReport *report)
{
  gint64 elapsed = (g_get_monotonic_time () - self->started_monotonic) / G_USEC_PER_SEC;

  /* No mail (453, EHLO then QUIT), nothing delivered, an error or the user's Stop: done. */
  if (report->outcome != POSTE_SESSION_OUTCOME_MAIL || report->messages == 0 ||
      report->error != NULL || g_cancellable_is_cancelled (self->cancellable))
    return FALSE;

  if (self->n_sessions >= self->max_sessions || elapsed >= self->max_seconds)
    {
      g_autofree char *note =
        g_strdup_printf (_("stopped connecting again after %u sessions in %u s; the provider "
                           "may still hold mail for the next fetch"),
                         self->n_sessions, (guint) elapsed);

      g_ptr_array_add (self->report->transcript, g_strdup_printf ("*  %s", note));
      return FALSE;
    }
  return TRUE;
}

static void
session_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(PosteFetch) self = user_data;
  PosteSession *session = POSTE_SESSION (object);
  g_autoptr(GError) error = NULL;
  g_autoptr(PosteSessionReport) report = NULL;

  poste_session_run_finish (session, result, &error);
  if (poste_session_get_report (session) != NULL)
    report = poste_session_report_copy (poste_session_get_report (session));
  else
    {
      /* A session always reports; should one not, the round still says what happened. */
      report = poste_session_report_new (poste_provider_get_name (self->provider));
      report->outcome = POSTE_SESSION_OUTCOME_FAILED;
      report->error = error != NULL ? g_error_copy (error)
                                    : g_error_new_literal (POSTE_PROTOCOL_ERROR,
                                                           POSTE_PROTOCOL_ERROR_UNEXPECTED,
                                                           "no session report");
    }
  if (report->error == NULL && error != NULL)
    report->error = g_error_copy (error);

  add_session (self, report);
  set_session (self, NULL);
  g_signal_emit (self, signals[SIGNAL_SESSION_FINISHED], 0, report);

  if (should_drain (self, report))
    run_session (self);
  else
    submit_outbox (self);
}

static void
run_session (PosteFetch *self)
{
  g_autoptr(PosteDelivery) router = NULL;
  g_autoptr(PosteSession) session = NULL;
  g_autoptr(GError) error = NULL;

  if (self->send_only)
    {
      submit_outbox (self);
      return;
    }

  if (g_cancellable_set_error_if_cancelled (self->cancellable, &error))
    {
      if (self->n_sessions == 0)
        fail_early (self, g_steal_pointer (&error));
      else
        submit_outbox (self);
      return;
    }

  /* A router a session: a relaying target keeps its connection to the local MTA for one ODMR
   * session (DESIGN.md, Delivery targets), and a new one starts clean. */
  if (!(router = poste_router_new (self->provider, &error)))
    {
      if (self->n_sessions == 0)
        fail_early (self, g_steal_pointer (&error));
      else
        submit_outbox (self);
      return;
    }

  session = poste_session_new (self->provider, self->password, router);
  if (self->session_timeout > 0)
    poste_session_set_timeout (session, self->session_timeout);
  self->n_sessions++;
  set_session (self, session);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_SESSIONS]);
  g_signal_emit (self, signals[SIGNAL_SESSION_STARTED], 0, session);

  poste_session_run_async (session, self->cancellable, session_done_cb, g_object_ref (self));
}

static void
submitted_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(PosteFetch) self = user_data;
  PosteSessionReport *report = self->report;
  g_autoptr(GPtrArray) transcript = NULL;
  g_autoptr(GError) error = NULL;
  PosteOutboxCounts counts = { 0, };

  poste_outbox_submit_finish (POSTE_OUTBOX (object), result, &counts, &transcript, &error);
  poste_outbox_counts_add_to_report (&counts, report);
  for (guint i = 0; transcript != NULL && i < transcript->len; i++)
    g_ptr_array_add (report->transcript, g_strdup (transcript->pdata[i]));

  /* The user must hear of mail that did not leave: the record carries it when the fetch itself
   * went well. Another round already submitting is no news. */
  if (error == NULL && counts.bounced + counts.failed > 0)
    g_set_error (&error, POSTE_OUTBOX_ERROR, POSTE_OUTBOX_ERROR_BOUNCED,
                 ngettext ("%u outgoing message was refused by the provider's relay",
                           "%u outgoing messages were refused by the provider's relay",
                           counts.bounced + counts.failed),
                 counts.bounced + counts.failed);
  if (error != NULL)
    g_ptr_array_add (report->transcript, g_strdup_printf ("*  outbox: %s", error->message));
  if (error != NULL && report->error == NULL &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
      !g_error_matches (error, POSTE_OUTBOX_ERROR, POSTE_OUTBOX_ERROR_BUSY))
    {
      /* In the outbox's domain, so that nobody takes it for the fetch's own failure. */
      if (error->domain == POSTE_OUTBOX_ERROR)
        report->error = g_steal_pointer (&error);
      else
        report->error = g_error_new_literal (POSTE_OUTBOX_ERROR, POSTE_OUTBOX_ERROR_SUBMISSION,
                                             error->message);
    }
  finish (self);
}

/* The outgoing half of the round (DESIGN.md, Outbox): not after the user's Stop. */
static void
submit_outbox (PosteFetch *self)
{
  PosteOutboxSubmitFlags flags = self->send_only ? POSTE_OUTBOX_SUBMIT_FORCE
                                                 : POSTE_OUTBOX_SUBMIT_NONE;

  if (self->outbox == NULL || g_cancellable_is_cancelled (self->cancellable) ||
      (!self->send_only && !poste_provider_get_send_with_fetch (self->provider)) ||
      !poste_outbox_has_due (self->outbox, self->provider, flags))
    {
      finish (self);
      return;
    }
  poste_outbox_submit_async (self->outbox, self->provider, self->password, flags,
                             self->cancellable, submitted_cb, g_object_ref (self));
}

static void
finish (PosteFetch *self)
{
  PosteSessionReport *report = self->report;
  g_autoptr(GTask) task = g_steal_pointer (&self->task);

  report->duration = (g_get_monotonic_time () - self->started_monotonic) / (double) G_USEC_PER_SEC;
  /* Mail delivered in any session is the round's news, unless its last session failed or was
   * stopped: then the error is (with "N delivered before" in the summary). */
  if (report->outcome != POSTE_SESSION_OUTCOME_FAILED &&
      report->outcome != POSTE_SESSION_OUTCOME_CANCELLED)
    report->outcome = report->messages > 0 ? POSTE_SESSION_OUTCOME_MAIL
                                           : POSTE_SESSION_OUTCOME_NO_MAIL;

  /* Written once, here, and never patched: whoever reads the history finds the round whole. */
  if (self->history != NULL)
    {
      g_autoptr(GError) error = NULL;

      if (!poste_history_add (self->history, report, &error))
        g_warning ("Could not record the fetch from %s in the history: %s",
                   report->provider, error->message);
    }

  g_clear_pointer (&self->password, poste_secrets_free_password);
  self->running = FALSE;
  self->finished = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
  g_task_return_pointer (task, poste_session_report_copy (report),
                         (GDestroyNotify) poste_session_report_free);
}

/**
 * poste_fetch_run_async:
 * @self: a #PosteFetch that has not run yet
 * @cancellable: (nullable): stops the round as poste_fetch_cancel() does
 * @callback: called in the caller's thread-default main context when the round has ended and been
 *   recorded
 * @user_data: for @callback
 *
 * Runs the round: the password, the sessions (draining the provider), the outbox, the record.
 * Finish with poste_fetch_run_finish().
 */
void
poste_fetch_run_async (PosteFetch          *self,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (POSTE_IS_FETCH (self));
  g_return_if_fail (!self->running && !self->finished);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  self->task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (self->task, poste_fetch_run_async);
  self->running = TRUE;
  self->started_monotonic = g_get_monotonic_time ();
  self->report = poste_session_report_new (poste_provider_get_name (self->provider));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);

  if (cancellable != NULL)
    {
      self->caller_cancellable = g_object_ref (cancellable);
      self->caller_handler = g_cancellable_connect (cancellable, G_CALLBACK (caller_cancelled_cb),
                                                    g_object_ref (self->cancellable),
                                                    g_object_unref);
    }

  if (!poste_secrets_auth_needs_password (self->provider))
    {
      run_session (self);
      return;
    }

  /* A password file is read at once; the keyring is asked without blocking (it may prompt). */
  if (poste_provider_get_password_file (self->provider) != NULL &&
      *poste_provider_get_password_file (self->provider) != '\0')
    {
      self->password = poste_secrets_dup_password_sync (self->provider, &error);
      if (self->password == NULL)
        fail_early (self, g_steal_pointer (&error));
      else
        run_session (self);
      return;
    }
  poste_secrets_lookup_full (self->provider,
                             self->interactive ? POSTE_SECRETS_LOOKUP_UNLOCK
                                               : POSTE_SECRETS_LOOKUP_NONE,
                             self->cancellable, password_cb, g_object_ref (self));
}

/**
 * poste_fetch_run_finish:
 * @self: a #PosteFetch
 * @result: what poste_fetch_run_async() gave its callback
 * @error: (nullable): set to the round's error, when it has one: a %POSTE_SESSION_ERROR,
 *   %POSTE_PROTOCOL_ERROR, %G_IO_ERROR (%G_IO_ERROR_CANCELLED when stopped), %G_TLS_ERROR,
 *   %POSTE_CONFIG_ERROR (%POSTE_CONFIG_ERROR_NO_SECRET: no password; NO_KEYRING,
 *   KEYRING_LOCKED, KEYRING_TIMEOUT: the keyring's state), %POSTE_DELIVERY_ERROR or
 *   %POSTE_OUTBOX_ERROR
 *
 * Returns: (transfer full): the round's report, always, also when @error is set (it holds the
 *   same error); poste_session_report_get_exit_status() and poste_fetch_report_format_summary()
 *   read it
 */
PosteSessionReport *
poste_fetch_run_finish (PosteFetch    *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  PosteSessionReport *report;

  g_return_val_if_fail (POSTE_IS_FETCH (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == poste_fetch_run_async, NULL);

  report = g_task_propagate_pointer (G_TASK (result), NULL);
  if (report->error != NULL && error != NULL)
    *error = g_error_copy (report->error);
  return report;
}

typedef struct {
  GMainLoop    *loop;
  GAsyncResult *result;
} SyncRun;

static void
sync_run_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  SyncRun *run = user_data;

  run->result = g_object_ref (result);
  g_main_loop_quit (run->loop);
}

/**
 * poste_fetch_run:
 * @self: a #PosteFetch that has not run yet
 * @cancellable: (nullable): stops the round
 * @error: (nullable): as for poste_fetch_run_finish()
 *
 * Runs the round and waits for it, iterating a main context of its own (pushed as the thread's
 * default meanwhile).
 *
 * Returns: (transfer full): the round's report, as poste_fetch_run_finish()
 */
PosteSessionReport *
poste_fetch_run (PosteFetch    *self,
                 GCancellable  *cancellable,
                 GError       **error)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GMainLoop) loop = g_main_loop_new (context, FALSE);
  PosteSessionReport *report;
  SyncRun run = { loop, NULL };

  g_return_val_if_fail (POSTE_IS_FETCH (self), NULL);

  g_main_context_push_thread_default (context);
  poste_fetch_run_async (self, cancellable, sync_run_cb, &run);
  g_main_loop_run (loop);
  g_main_context_pop_thread_default (context);
  report = poste_fetch_run_finish (self, run.result, error);
  g_object_unref (run.result);
  return report;
}

/**
 * poste_fetch_get_report:
 * @self: a #PosteFetch
 *
 * Returns: (transfer none) (nullable): the round's report once it has ended, else %NULL
 */
const PosteSessionReport *
poste_fetch_get_report (PosteFetch *self)
{
  g_return_val_if_fail (POSTE_IS_FETCH (self), NULL);

  return self->finished ? self->report : NULL;
}
