/* poste-session.c: one ODMR customer session (RFC 2645) as an object
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A session runs in one worker thread (GTask for run_async(); the caller's thread for run()),
 * with synchronous, bounded I/O on a channel (poste-channel.c): what it does from connect to
 * close is poste-session-flow.c (the client phase, then the reversed state). Progress (state, messages, bytes, the current message's
 * size) is copied from the worker and applied in the main context that was the caller's
 * thread-default context when the run started (an idle source; snapshots carry a sequence number
 * so that a late one never undoes a newer one), so the GUI may bind to the properties and signals
 * directly: they only ever change in the caller's thread.
 *
 * Timeouts: "timeout" (300 s) bounds every wait; "atrn-timeout" (900 s) the wait for ATRN's
 * reply, which RFC 2645 section 5 wants to be at least 10 minutes since the provider may be
 * setting up the delivery. Cancellation ends the session cleanly: 421 in the reversed state.
 *
 * A little over 800 lines, all of the one object: its dozen documented properties with their
 * getters and setters, the hand-off of progress between threads, and its runs.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "poste-atrn.h"
#include "poste-client.h"
#include "poste-enums.h"
#include "poste-error.h"
#include "poste-session-flow.h"
#include "poste-channel.h"
#include "poste-session.h"

#define DEFAULT_MAX_RECIPIENTS 100

struct _PosteSession
{
  GObject             parent_instance;

  /* Used by the worker while the session runs: the channel, the client phase on it, and what the
   * reversed state needs. */
  PosteChannel       *channel;
  PosteClient        *client;
  PosteDelivery      *delivery;
  guint64             max_message_size;
  guint               max_recipients;

  GMainContext       *context;
  GThread            *caller;
  gint                sequence;        /* snapshots taken (atomic) */
  gint                applied;         /* the last snapshot applied */
  GMutex              progress_lock;   /* guards pending */
  struct _Snapshot   *pending;         /* the newest snapshot not yet applied, or NULL */
  gboolean            running;
  PosteSessionReport *report;

  /* What the caller's thread sees (applied from snapshots). */
  PosteSessionState   state;
  guint               messages;
  guint64             bytes;
  gint64              current_size;
  gint64              current_total;
};

G_DEFINE_FINAL_TYPE (PosteSession, poste_session, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PROVIDER,
  PROP_DELIVERY,
  PROP_STATE,
  PROP_MESSAGES,
  PROP_BYTES,
  PROP_CURRENT_SIZE,
  PROP_CURRENT_TOTAL,
  PROP_TIMEOUT,
  PROP_ATRN_TIMEOUT,
  PROP_MAX_MESSAGE_SIZE,
  PROP_MAX_RECIPIENTS,
  PROP_LOCAL_NAME,
  N_PROPS
};

enum {
  SIGNAL_PROGRESS,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_ENUM_TYPE (PosteSessionState, poste_session_state,
  G_DEFINE_ENUM_VALUE (POSTE_SESSION_STATE_IDLE, "idle"),
  G_DEFINE_ENUM_VALUE (POSTE_SESSION_STATE_CONNECTING, "connecting"),
  G_DEFINE_ENUM_VALUE (POSTE_SESSION_STATE_GREETING, "greeting"),
  G_DEFINE_ENUM_VALUE (POSTE_SESSION_STATE_EHLO, "ehlo"),
  G_DEFINE_ENUM_VALUE (POSTE_SESSION_STATE_STARTTLS, "starttls"),
  G_DEFINE_ENUM_VALUE (POSTE_SESSION_STATE_AUTH, "auth"),
  G_DEFINE_ENUM_VALUE (POSTE_SESSION_STATE_ATRN, "atrn"),
  G_DEFINE_ENUM_VALUE (POSTE_SESSION_STATE_RECEIVING, "receiving"),
  G_DEFINE_ENUM_VALUE (POSTE_SESSION_STATE_SUBMITTING, "submitting"),
  G_DEFINE_ENUM_VALUE (POSTE_SESSION_STATE_DONE, "done"),
  G_DEFINE_ENUM_VALUE (POSTE_SESSION_STATE_FAILED, "failed"))

G_DEFINE_ENUM_TYPE (PosteSessionOutcome, poste_session_outcome,
  G_DEFINE_ENUM_VALUE (POSTE_SESSION_OUTCOME_NONE, "none"),
  G_DEFINE_ENUM_VALUE (POSTE_SESSION_OUTCOME_MAIL, "mail"),
  G_DEFINE_ENUM_VALUE (POSTE_SESSION_OUTCOME_NO_MAIL, "no-mail"),
  G_DEFINE_ENUM_VALUE (POSTE_SESSION_OUTCOME_FAILED, "failed"),
  G_DEFINE_ENUM_VALUE (POSTE_SESSION_OUTCOME_CANCELLED, "cancelled"),
  G_DEFINE_ENUM_VALUE (POSTE_SESSION_OUTCOME_STARTED, "started"))

/**
 * poste_session_state_to_string:
 * @state: a state
 *
 * Returns: (transfer none): the state's name for logs ("connecting", "receiving"...): its nick
 *   in #PosteSessionState's GEnum type
 */
const char *
poste_session_state_to_string (PosteSessionState state)
{
  return poste_enum_get_nick (POSTE_TYPE_SESSION_STATE, state);
}

/**
 * poste_session_outcome_to_string:
 * @outcome: an outcome
 *
 * Returns: (transfer none): the outcome's name for logs and the history ("mail", "no-mail"...):
 *   its nick in #PosteSessionOutcome's GEnum type
 */
const char *
poste_session_outcome_to_string (PosteSessionOutcome outcome)
{
  return poste_enum_get_nick (POSTE_TYPE_SESSION_OUTCOME, outcome);
}

/* ---- Progress, from the worker to the caller's context ---- */

typedef struct _Snapshot {
  PosteSession      *self;
  gint               sequence;
  PosteSessionState  state;
  guint              messages;
  guint64            bytes;
  gint64             current_size;
  gint64             current_total;
} Snapshot;

static void
snapshot_free (gpointer data)
{
  Snapshot *snapshot = data;

  g_object_unref (snapshot->self);
  g_free (snapshot);
}

static void
apply_snapshot (PosteSession   *self,
                const Snapshot *snapshot)
{
  gboolean progress = FALSE;

  /* Snapshots queued from the worker may arrive after a newer one was applied: never go back. */
  if (snapshot->sequence <= self->applied)
    return;
  self->applied = snapshot->sequence;

  g_object_freeze_notify (G_OBJECT (self));
  if (self->state != snapshot->state)
    {
      self->state = snapshot->state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
  if (self->messages != snapshot->messages)
    {
      self->messages = snapshot->messages;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MESSAGES]);
      progress = TRUE;
    }
  if (self->bytes != snapshot->bytes)
    {
      self->bytes = snapshot->bytes;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BYTES]);
      progress = TRUE;
    }
  /* Before current-size: whoever watches that reads the total of the same message. */
  if (self->current_total != snapshot->current_total)
    {
      self->current_total = snapshot->current_total;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT_TOTAL]);
      progress = TRUE;
    }
  if (self->current_size != snapshot->current_size)
    {
      self->current_size = snapshot->current_size;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT_SIZE]);
      progress = TRUE;
    }
  g_object_thaw_notify (G_OBJECT (self));
  if (progress)
    g_signal_emit (self, signals[SIGNAL_PROGRESS], 0);
}

/* Applies the newest snapshot the worker left. At most one of these is queued at a time: a
 * worker that reports faster than the caller's loop runs (several times a message) overwrites the
 * pending snapshot instead of queueing a wake-up for each. */
static gboolean
apply_pending_cb (gpointer data)
{
  PosteSession *self = data;
  Snapshot *snapshot;

  g_mutex_lock (&self->progress_lock);
  snapshot = g_steal_pointer (&self->pending);
  g_mutex_unlock (&self->progress_lock);

  if (snapshot != NULL)
    {
      apply_snapshot (self, snapshot);
      snapshot_free (snapshot);
    }
  return G_SOURCE_REMOVE;
}

static void
channel_notify_cb (PosteChannel *channel,
                   gpointer      user_data)
{
  PosteSession *self = user_data;
  Snapshot *snapshot = g_new0 (Snapshot, 1);
  Snapshot *older;
  g_autoptr(GSource) idle = NULL;

  snapshot->self = g_object_ref (self);
  snapshot->sequence = g_atomic_int_add (&self->sequence, 1) + 1;
  snapshot->state = channel->state;
  snapshot->messages = channel->messages;
  snapshot->bytes = channel->bytes;
  snapshot->current_size = channel->current_size;
  snapshot->current_total = channel->current_size >= 0 ? channel->current_total : -1;

  /* In the caller's own thread (poste_session_run()) with its context free or ours, apply at
   * once; from a worker, always queue to the caller's context, so that handlers (the GUI's) never
   * run in the worker even between two iterations of the caller's loop. */
  if (g_thread_self () == self->caller && g_main_context_acquire (self->context))
    {
      apply_snapshot (self, snapshot);
      g_main_context_release (self->context);
      snapshot_free (snapshot);
      return;
    }
  g_mutex_lock (&self->progress_lock);
  older = g_steal_pointer (&self->pending);
  self->pending = snapshot;
  g_mutex_unlock (&self->progress_lock);
  if (older != NULL)
    {
      /* An idle is queued already and will apply the newest snapshot. */
      snapshot_free (older);
      return;
    }

  idle = g_idle_source_new ();
  g_source_set_priority (idle, G_PRIORITY_DEFAULT);
  g_source_set_callback (idle, apply_pending_cb, g_object_ref (self), g_object_unref);
  g_source_set_static_name (idle, "[poste] session progress");
  g_source_attach (idle, self->context);
}

/* ---- The object ---- */

static void
poste_session_finalize (GObject *object)
{
  PosteSession *self = POSTE_SESSION (object);

  poste_client_free (self->client);
  poste_channel_free (self->channel);
  g_clear_object (&self->delivery);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_mutex_clear (&self->progress_lock);
  g_clear_pointer (&self->report, poste_session_report_free);

  G_OBJECT_CLASS (poste_session_parent_class)->finalize (object);
}

static void
poste_session_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  PosteSession *self = POSTE_SESSION (object);

  switch (prop_id)
    {
    case PROP_PROVIDER: g_value_set_object (value, self->client->provider); break;
    case PROP_DELIVERY: g_value_set_object (value, self->delivery); break;
    case PROP_STATE: g_value_set_enum (value, self->state); break;
    case PROP_MESSAGES: g_value_set_uint (value, self->messages); break;
    case PROP_BYTES: g_value_set_uint64 (value, self->bytes); break;
    case PROP_CURRENT_SIZE: g_value_set_int64 (value, self->current_size); break;
    case PROP_CURRENT_TOTAL: g_value_set_int64 (value, self->current_total); break;
    case PROP_TIMEOUT: g_value_set_uint (value, self->channel->timeout); break;
    case PROP_ATRN_TIMEOUT: g_value_set_uint (value, self->client->atrn_timeout); break;
    case PROP_MAX_MESSAGE_SIZE: g_value_set_uint64 (value, self->max_message_size); break;
    case PROP_MAX_RECIPIENTS: g_value_set_uint (value, self->max_recipients); break;
    case PROP_LOCAL_NAME: g_value_set_string (value, self->client->local_name); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
poste_session_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  PosteSession *self = POSTE_SESSION (object);

  switch (prop_id)
    {
    case PROP_TIMEOUT: poste_session_set_timeout (self, g_value_get_uint (value)); break;
    case PROP_ATRN_TIMEOUT: poste_session_set_atrn_timeout (self, g_value_get_uint (value)); break;
    case PROP_MAX_MESSAGE_SIZE:
      poste_session_set_max_message_size (self, g_value_get_uint64 (value));
      break;
    case PROP_MAX_RECIPIENTS:
      poste_session_set_max_recipients (self, g_value_get_uint (value));
      break;
    case PROP_LOCAL_NAME: poste_session_set_local_name (self, g_value_get_string (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
poste_session_class_init (PosteSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = poste_session_finalize;
  object_class->get_property = poste_session_get_property;
  object_class->set_property = poste_session_set_property;

  properties[PROP_PROVIDER] =
    g_param_spec_object ("provider", NULL, NULL, POSTE_TYPE_PROVIDER,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_DELIVERY] =
    g_param_spec_object ("delivery", NULL, NULL, POSTE_TYPE_DELIVERY,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * PosteSession:state:
   *
   * Where the session is (#PosteSessionState).
   */
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, POSTE_TYPE_SESSION_STATE,
                       POSTE_SESSION_STATE_IDLE,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * PosteSession:messages:
   *
   * Messages delivered and acknowledged with 250 so far.
   */
  properties[PROP_MESSAGES] =
    g_param_spec_uint ("messages", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * PosteSession:bytes:
   *
   * Bytes of the messages delivered so far.
   */
  properties[PROP_BYTES] =
    g_param_spec_uint64 ("bytes", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * PosteSession:current-size:
   *
   * Bytes received of the message being received, or -1 between messages (updated every
   * 256 KiB).
   */
  properties[PROP_CURRENT_SIZE] =
    g_param_spec_int64 ("current-size", NULL, NULL, -1, G_MAXINT64, -1,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * PosteSession:current-total:
   *
   * The size in bytes the provider declared for the message being received (the SIZE=
   * parameter of MAIL FROM, RFC 1870 section 5), or -1 when it declared none and between
   * messages. Nothing tells how many messages a session will bring (RFC 2645 has no count), so
   * this is the only total there is.
   */
  properties[PROP_CURRENT_TOTAL] =
    g_param_spec_int64 ("current-total", NULL, NULL, -1, G_MAXINT64, -1,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TIMEOUT] =
    g_param_spec_uint ("timeout", NULL, NULL, 1, G_MAXUINT, POSTE_CHANNEL_TIMEOUT,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ATRN_TIMEOUT] =
    g_param_spec_uint ("atrn-timeout", NULL, NULL, 1, G_MAXUINT, POSTE_CLIENT_ATRN_TIMEOUT,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MAX_MESSAGE_SIZE] =
    g_param_spec_uint64 ("max-message-size", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MAX_RECIPIENTS] =
    g_param_spec_uint ("max-recipients", NULL, NULL, 0, G_MAXUINT, DEFAULT_MAX_RECIPIENTS,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOCAL_NAME] =
    g_param_spec_string ("local-name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * PosteSession::progress:
   * @self: the session
   *
   * Emitted in the caller's main context when messages, bytes or current-size change.
   */
  signals[SIGNAL_PROGRESS] =
    g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
poste_session_init (PosteSession *self)
{
  g_mutex_init (&self->progress_lock);
  self->current_size = -1;
  self->current_total = -1;
}

/**
 * poste_session_new:
 * @provider: the provider to fetch from (copied: later changes do not reach a running session)
 * @password: (nullable): the password (copied, wiped when the session is finalized)
 * @delivery: the delivery target for the reversed state
 *
 * Returns: (transfer full): a new idle session
 */
PosteSession *
poste_session_new (PosteProvider *provider,
                   const char    *password,
                   PosteDelivery *delivery)
{
  PosteSession *self;
  g_autoptr(PosteProvider) copy = NULL;

  g_return_val_if_fail (POSTE_IS_PROVIDER (provider), NULL);
  g_return_val_if_fail (POSTE_IS_DELIVERY (delivery), NULL);

  copy = poste_provider_copy (provider);
  self = g_object_new (POSTE_TYPE_SESSION, NULL);
  self->channel = poste_channel_new (POSTE_CHANNEL_TIMEOUT);
  self->channel->notify = channel_notify_cb;
  self->channel->notify_data = self;
  self->client = poste_client_new (self->channel, copy, password);
  self->delivery = g_object_ref (delivery);
  self->max_recipients = DEFAULT_MAX_RECIPIENTS;
  return self;
}

/**
 * poste_session_get_provider:
 * @self: a session
 *
 * Returns: (transfer none): the session's copy of the provider
 */
PosteProvider *
poste_session_get_provider (PosteSession *self)
{
  g_return_val_if_fail (POSTE_IS_SESSION (self), NULL);
  return self->client->provider;
}

/**
 * poste_session_get_state:
 * @self: a session
 *
 * Returns: where the session is, as seen from the caller's main context
 */
PosteSessionState
poste_session_get_state (PosteSession *self)
{
  g_return_val_if_fail (POSTE_IS_SESSION (self), POSTE_SESSION_STATE_IDLE);
  return self->state;
}

/**
 * poste_session_get_messages:
 * @self: a session
 *
 * Returns: the messages delivered (acknowledged with 250) so far
 */
guint
poste_session_get_messages (PosteSession *self)
{
  g_return_val_if_fail (POSTE_IS_SESSION (self), 0);
  return self->messages;
}

/**
 * poste_session_get_bytes:
 * @self: a session
 *
 * Returns: the bytes of the messages delivered so far
 */
guint64
poste_session_get_bytes (PosteSession *self)
{
  g_return_val_if_fail (POSTE_IS_SESSION (self), 0);
  return self->bytes;
}

/**
 * poste_session_get_current_total:
 * @self: a session
 *
 * Gets the size the provider declared for the message in progress (MAIL FROM's SIZE=,
 * RFC 1870 section 5). A provider may declare none, or a size that differs a little from the
 * bytes it then sends (line endings): treat it as an estimate.
 *
 * Returns: the declared size in bytes, or -1 when none was declared or between messages
 */
gint64
poste_session_get_current_total (PosteSession *self)
{
  g_return_val_if_fail (POSTE_IS_SESSION (self), -1);
  return self->current_total;
}

/**
 * poste_session_get_current_size:
 * @self: a session
 *
 * Returns: the bytes received of the message in progress, or -1 between messages
 */
gint64
poste_session_get_current_size (PosteSession *self)
{
  g_return_val_if_fail (POSTE_IS_SESSION (self), -1);
  return self->current_size;
}

/**
 * poste_session_set_timeout:
 * @self: an idle session
 * @seconds: the longest any one wait may take, in seconds (default 300)
 */
void
poste_session_set_timeout (PosteSession *self,
                           guint         seconds)
{
  g_return_if_fail (POSTE_IS_SESSION (self));
  g_return_if_fail (!self->running);

  seconds = MAX (seconds, 1);
  if (self->channel->timeout == seconds)
    return;
  self->channel->timeout = seconds;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIMEOUT]);
}

/**
 * poste_session_set_atrn_timeout:
 * @self: an idle session
 * @seconds: how long to wait for ATRN's reply, in seconds (default 900; RFC 2645 section 5 asks
 *   for at least 10 minutes, so only tests should set less)
 */
void
poste_session_set_atrn_timeout (PosteSession *self,
                                guint         seconds)
{
  g_return_if_fail (POSTE_IS_SESSION (self));
  g_return_if_fail (!self->running);

  seconds = MAX (seconds, 1);
  if (self->client->atrn_timeout == seconds)
    return;
  self->client->atrn_timeout = seconds;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ATRN_TIMEOUT]);
}

/**
 * poste_session_set_max_message_size:
 * @self: an idle session
 * @bytes: the largest message taken in the reversed state, in bytes; 0 (the default) for no fixed
 *   limit (advertised as "SIZE 0", RFC 1870 section 4)
 */
void
poste_session_set_max_message_size (PosteSession *self,
                                    guint64       bytes)
{
  g_return_if_fail (POSTE_IS_SESSION (self));
  g_return_if_fail (!self->running);

  if (self->max_message_size == bytes)
    return;
  self->max_message_size = bytes;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_MESSAGE_SIZE]);
}

/**
 * poste_session_set_max_recipients:
 * @self: an idle session
 * @count: the most recipients one transaction may have (default 100; 0 for no limit); more get
 *   452 4.5.3 (RFC 5321 section 4.5.3.1.10)
 */
void
poste_session_set_max_recipients (PosteSession *self,
                                  guint         count)
{
  g_return_if_fail (POSTE_IS_SESSION (self));
  g_return_if_fail (!self->running);

  if (self->max_recipients == count)
    return;
  self->max_recipients = count;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_RECIPIENTS]);
}

/**
 * poste_session_set_local_name:
 * @self: an idle session
 * @name: (nullable): our name in EHLO, the 220 and Received: (a domain); %NULL for the host name
 *   when it is a valid domain, else "localhost"
 */
void
poste_session_set_local_name (PosteSession *self,
                              const char   *name)
{
  g_autofree char *value = NULL;

  g_return_if_fail (POSTE_IS_SESSION (self));
  g_return_if_fail (!self->running);

  value = name != NULL && *name != '\0' ? g_strdup (name) : poste_client_dup_default_local_name ();
  g_return_if_fail (poste_atrn_domain_is_valid (value));
  if (g_strcmp0 (self->client->local_name, value) == 0)
    return;
  g_free (self->client->local_name);
  self->client->local_name = g_steal_pointer (&value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOCAL_NAME]);
}

/**
 * poste_session_get_peer_certificate:
 * @self: a session
 *
 * The provider's certificate, also when it failed verification, so that a trust dialog can show
 * its SHA-256 fingerprint after %POSTE_SESSION_ERROR_CERTIFICATE. Read it once the run ended.
 *
 * Returns: (transfer none) (nullable): the certificate, or %NULL before TLS
 */
GTlsCertificate *
poste_session_get_peer_certificate (PosteSession *self)
{
  g_return_val_if_fail (POSTE_IS_SESSION (self), NULL);
  g_return_val_if_fail (!self->running, NULL);
  return self->channel->peer_certificate;
}

/**
 * poste_session_get_report:
 * @self: a session
 *
 * Returns: (transfer none) (nullable): the report of the last run, or %NULL before one ended
 */
PosteSessionReport *
poste_session_get_report (PosteSession *self)
{
  g_return_val_if_fail (POSTE_IS_SESSION (self), NULL);
  return self->report;
}

/* The whole session, in the worker thread (see poste-session-flow.c); the report is in place
 * before the final state is announced, so a handler of that change finds it. */
static gboolean
session_run (PosteSession  *self,
             GCancellable  *cancellable,
             GError       **error)
{
  PosteChannel *channel = self->channel;
  g_autoptr(GError) local_error = NULL;
  PosteSessionReport *report;

  channel->cancellable = cancellable;
  report = _poste_session_flow_run (channel, self->client, self->delivery,
                                    self->max_message_size, self->max_recipients,
                                    &local_error);
  g_clear_pointer (&self->report, poste_session_report_free);
  self->report = report;

  channel->current_size = -1;
  poste_channel_set_state (channel, local_error == NULL ? POSTE_SESSION_STATE_DONE
                                                        : POSTE_SESSION_STATE_FAILED);
  poste_channel_progress (channel);
  channel->cancellable = NULL;

  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

static gboolean
prepare_run (PosteSession *self)
{
  g_return_val_if_fail (!self->running, FALSE);
  g_return_val_if_fail (self->report == NULL, FALSE);

  self->running = TRUE;
  g_clear_pointer (&self->context, g_main_context_unref);
  self->context = g_main_context_ref_thread_default ();
  self->caller = g_thread_self ();
  return TRUE;
}

/* Makes the caller's view final, whatever snapshots are still queued. */
static void
finish_run (PosteSession *self)
{
  Snapshot snapshot = { self, 0, self->channel->state, self->channel->messages,
                        self->channel->bytes, -1 };

  self->running = FALSE;
  snapshot.sequence = g_atomic_int_add (&self->sequence, 1) + 1;
  apply_snapshot (self, &snapshot);
}

/**
 * poste_session_run:
 * @self: an idle session (a session runs once)
 * @cancellable: (nullable): the user's Stop
 * @error: return location for a #GError
 *
 * Runs the whole session in the calling thread: connect, TLS, AUTH, ATRN and the reversed state
 * until the provider's QUIT. Property changes are applied in the calling thread's thread-default
 * main context. The report is ready when this returns.
 *
 * Returns: %TRUE when the session ended well (mail or no mail: see the report's outcome);
 *   %FALSE with a %POSTE_SESSION_ERROR (refusals, credentials, certificate, TLS required,
 *   delivery), a %POSTE_PROTOCOL_ERROR, a #GTlsError or a #GIOError (%G_IO_ERROR_CANCELLED when
 *   stopped, %G_IO_ERROR_TIMED_OUT)
 */
gboolean
poste_session_run (PosteSession  *self,
                   GCancellable  *cancellable,
                   GError       **error)
{
  gboolean ok;

  g_return_val_if_fail (POSTE_IS_SESSION (self), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!prepare_run (self))
    return FALSE;
  ok = session_run (self, cancellable, error);
  finish_run (self);
  return ok;
}

static void
run_thread (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  GError *error = NULL;

  if (session_run (POSTE_SESSION (source_object), cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/**
 * poste_session_run_async:
 * @self: an idle session (a session runs once)
 * @cancellable: (nullable): the user's Stop
 * @callback: called in the caller's thread-default main context when the session ended
 * @user_data: data for @callback
 *
 * Runs the session in a worker thread. Properties and signals change in the caller's
 * thread-default main context. Finish with poste_session_run_finish().
 */
void
poste_session_run_async (PosteSession        *self,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (POSTE_IS_SESSION (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, poste_session_run_async);
  g_task_set_return_on_cancel (task, FALSE);
  if (!prepare_run (self))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_BUSY,
                               _("The session has already run"));
      return;
    }
  g_task_run_in_thread (task, run_thread);
}

/**
 * poste_session_run_finish:
 * @self: a session
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Returns: as poste_session_run()
 */
gboolean
poste_session_run_finish (PosteSession  *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (POSTE_IS_SESSION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == poste_session_run_async, FALSE);

  if (self->running)
    finish_run (self);
  return g_task_propagate_boolean (G_TASK (result), error);
}
