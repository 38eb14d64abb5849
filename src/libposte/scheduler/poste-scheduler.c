/* poste-scheduler.c: when to fetch (intervals, active hours, network, resume, backoff)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The object, its providers and its public API; the due times and the timer are in
 * poste-scheduler-timer.c, the network and resume triggers in poste-scheduler-triggers.c, the
 * followed provider list and the rounds it runs in poste-scheduler-rounds.c.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "poste-enums.h"
#include "poste-error.h"
#include "poste-fetch.h"
#include "poste-provider.h"
#include "poste-scheduler-private.h"

/**
 * PosteScheduler:
 *
 * Decides when each provider is fetched; it knows nothing of sessions. When a fetch is due it
 * emits #PosteScheduler::fetch with the provider's name and the reason; the front end (the CLI's
 * `run`, the GUI) runs the session and reports how it ended with
 * poste_scheduler_fetch_finished(). Between the two the provider is "fetching": at most one fetch
 * per provider runs at a time, and requests that arrive meanwhile are coalesced into one more
 * fetch after it.
 *
 * Triggers, per provider:
 * - the interval ("interval" minutes, with a jitter of a few percent, #PosteScheduler:jitter),
 *   counted from the end of the previous fetch; the first fetch is due as soon as the provider is
 *   added;
 * - the network coming up (#GNetworkMonitor: from no or limited connectivity to full), after
 *   %POSTE_SCHEDULER_NETWORK_DELAY;
 * - a resume from suspend (logind's PrepareForSleep(false) on the system bus, when there is one
 *   and the clock is real), after %POSTE_SCHEDULER_RESUME_DELAY;
 * - the user: poste_scheduler_request_fetch(), which ignores backoff, active hours, pause and an
 *   authentication stop.
 * Providers with interval 0 fetch only when asked: the network, resume and retries leave them
 * alone.
 *
 * Automatic fetches wait for the provider's active window (the "active-hours" and "active-days"
 * properties of #PosteProvider, see #PosteActiveWindow): one that falls due outside it runs when
 * the window next opens.
 *
 * After a failure: exponential backoff (%POSTE_SCHEDULER_RETRY_BASE doubling up to
 * %POSTE_SCHEDULER_RETRY_CAP, past a shorter interval); after 450 (%POSTE_SESSION_ERROR_REFUSED)
 * or 451 and the other 4xx (%POSTE_SESSION_ERROR_TRY_LATER) a longer one
 * (%POSTE_SCHEDULER_REFUSED_BASE or the interval, doubling to %POSTE_SCHEDULER_REFUSED_CAP or the
 * interval), which network and resume events do not cut short; after an error only the user can
 * mend by changing the credentials (%POSTE_ERROR_KIND_AUTH: refused credentials, or no password
 * at all) no automatic fetch at all until poste_scheduler_update_provider() says the
 * configuration changed, or the user asks and it works. poste_error_get_kind() classifies the
 * errors, for the notifications too.
 *
 * Idle means idle: the scheduler arms exactly one timer, for the earliest due fetch, and none
 * while nothing is due (all providers on demand, fetching, stopped, or the scheduler paused). It
 * never ticks.
 */

G_DEFINE_FINAL_TYPE (PosteScheduler, poste_scheduler, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (PosteProviderSync, poste_provider_sync,
  G_DEFINE_ENUM_VALUE (POSTE_PROVIDER_SYNC_ADDED, "added"),
  G_DEFINE_ENUM_VALUE (POSTE_PROVIDER_SYNC_UPDATED, "updated"),
  G_DEFINE_ENUM_VALUE (POSTE_PROVIDER_SYNC_REMOVED, "removed"),
  G_DEFINE_ENUM_VALUE (POSTE_PROVIDER_SYNC_FAILED, "failed"))

G_DEFINE_ENUM_TYPE (PosteFetchReason, poste_fetch_reason,
  G_DEFINE_ENUM_VALUE (POSTE_FETCH_REASON_SCHEDULE, "schedule"),
  G_DEFINE_ENUM_VALUE (POSTE_FETCH_REASON_NETWORK, "network"),
  G_DEFINE_ENUM_VALUE (POSTE_FETCH_REASON_RESUME, "resume"),
  G_DEFINE_ENUM_VALUE (POSTE_FETCH_REASON_MANUAL, "manual"),
  G_DEFINE_ENUM_VALUE (POSTE_FETCH_REASON_RETRY, "retry"))

G_DEFINE_ENUM_TYPE (PosteScheduleState, poste_schedule_state,
  G_DEFINE_ENUM_VALUE (POSTE_SCHEDULE_STATE_ON_DEMAND, "on-demand"),
  G_DEFINE_ENUM_VALUE (POSTE_SCHEDULE_STATE_WAITING, "waiting"),
  G_DEFINE_ENUM_VALUE (POSTE_SCHEDULE_STATE_FETCHING, "fetching"),
  G_DEFINE_ENUM_VALUE (POSTE_SCHEDULE_STATE_RETRYING, "retrying"),
  G_DEFINE_ENUM_VALUE (POSTE_SCHEDULE_STATE_STOPPED, "stopped"),
  G_DEFINE_ENUM_VALUE (POSTE_SCHEDULE_STATE_PAUSED, "paused"))

enum {
  PROP_0,
  PROP_CLOCK,
  PROP_NETWORK_MONITOR,
  PROP_PAUSED,
  PROP_JITTER,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];
guint _poste_scheduler_signals[SCHEDULER_SIGNAL_N_SIGNALS];

/**
 * poste_fetch_reason_to_string:
 * @reason: a #PosteFetchReason
 *
 * Returns: (transfer none): the reason's name for logs: "schedule", "network", "resume",
 *   "manual" or "retry"
 */
const char *
poste_fetch_reason_to_string (PosteFetchReason reason)
{
  g_return_val_if_fail (reason <= POSTE_FETCH_REASON_RETRY, NULL);
  return poste_enum_get_nick (POSTE_TYPE_FETCH_REASON, reason);
}

/**
 * poste_schedule_state_to_string:
 * @state: a #PosteScheduleState
 *
 * Returns: (transfer none): the state's name for logs, such as "waiting"
 */
const char *
poste_schedule_state_to_string (PosteScheduleState state)
{
  g_return_val_if_fail (state <= POSTE_SCHEDULE_STATE_PAUSED, NULL);
  return poste_enum_get_nick (POSTE_TYPE_SCHEDULE_STATE, state);
}

static void
entry_free (gpointer data)
{
  Entry *entry = data;

  g_free (entry->name);
  g_free (entry);
}

Entry *
_poste_scheduler_find_entry (PosteScheduler *self,
                             const char     *name)
{
  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *entry = g_ptr_array_index (self->entries, i);

      if (g_strcmp0 (entry->name, name) == 0)
        return entry;
    }
  return NULL;
}
/* GObject */

static void
poste_scheduler_constructed (GObject *object)
{
  PosteScheduler *self = (PosteScheduler *)object;

  G_OBJECT_CLASS (poste_scheduler_parent_class)->constructed (object);

  if (self->clock == NULL)
    self->clock = poste_clock_new ();
  if (self->monitor == NULL)
    self->monitor = g_object_ref (g_network_monitor_get_default ());
  self->rand = poste_clock_new_rand (self->clock);

  _poste_scheduler_watch_triggers (self);
}

static void
poste_scheduler_dispose (GObject *object)
{
  PosteScheduler *self = (PosteScheduler *)object;

  g_cancellable_cancel (self->cancellable);
  if (self->sleep_subscription != 0)
    {
      g_dbus_connection_signal_unsubscribe (self->system_bus, self->sleep_subscription);
      self->sleep_subscription = 0;
    }
  g_clear_object (&self->system_bus);
  if (self->monitor != NULL)
    g_signal_handlers_disconnect_by_data (self->monitor, self);
  if (self->providers != NULL)
    g_signal_handlers_disconnect_by_data (self->providers, self);
  g_clear_object (&self->providers);
  g_clear_pointer (&self->applied, g_hash_table_unref);
  if (self->rounds != NULL)
    {
      GHashTableIter iter;
      gpointer round;

      g_hash_table_iter_init (&iter, self->rounds);
      while (g_hash_table_iter_next (&iter, NULL, &round))
        {
          g_signal_handlers_disconnect_by_data (round, self);
          poste_fetch_cancel (round);
        }
    }
  g_clear_pointer (&self->rounds, g_hash_table_unref);
  g_clear_object (&self->history);
  g_clear_object (&self->outbox);
  if (self->timer_id != 0)
    {
      poste_clock_remove_timeout (self->clock, self->timer_id);
      self->timer_id = 0;
      self->armed_deadline = -1;
    }

  G_OBJECT_CLASS (poste_scheduler_parent_class)->dispose (object);
}

static void
poste_scheduler_finalize (GObject *object)
{
  PosteScheduler *self = (PosteScheduler *)object;

  g_ptr_array_unref (self->entries);
  g_clear_object (&self->monitor);
  g_clear_object (&self->clock);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->rand, g_rand_free);

  G_OBJECT_CLASS (poste_scheduler_parent_class)->finalize (object);
}

static void
poste_scheduler_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  PosteScheduler *self = POSTE_SCHEDULER (object);

  switch (prop_id)
    {
    case PROP_CLOCK: g_value_set_object (value, self->clock); break;
    case PROP_NETWORK_MONITOR: g_value_set_object (value, self->monitor); break;
    case PROP_PAUSED: g_value_set_boolean (value, self->paused); break;
    case PROP_JITTER: g_value_set_double (value, self->jitter); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
poste_scheduler_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  PosteScheduler *self = POSTE_SCHEDULER (object);

  switch (prop_id)
    {
    case PROP_CLOCK: self->clock = g_value_dup_object (value); break;
    case PROP_NETWORK_MONITOR: self->monitor = g_value_dup_object (value); break;
    case PROP_PAUSED: poste_scheduler_set_paused (self, g_value_get_boolean (value)); break;
    case PROP_JITTER: poste_scheduler_set_jitter (self, g_value_get_double (value)); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
poste_scheduler_class_init (PosteSchedulerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = poste_scheduler_constructed;
  object_class->dispose = poste_scheduler_dispose;
  object_class->finalize = poste_scheduler_finalize;
  object_class->get_property = poste_scheduler_get_property;
  object_class->set_property = poste_scheduler_set_property;

  properties[PROP_CLOCK] =
    g_param_spec_object ("clock", NULL, "The time source (a real clock when not given)",
                         POSTE_TYPE_CLOCK,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_NETWORK_MONITOR] =
    g_param_spec_object ("network-monitor", NULL, "The network monitor (the default one when not given)",
                         G_TYPE_NETWORK_MONITOR,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PAUSED] =
    g_param_spec_boolean ("paused", NULL, "Whether automatic fetches are paused", FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_JITTER] =
    g_param_spec_double ("jitter", NULL, "The fraction of each automatic delay drawn at random either way",
                         0.0, 0.5, POSTE_SCHEDULER_DEFAULT_JITTER,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * PosteScheduler::fetch:
   * @self: the scheduler
   * @name: the provider's name
   * @reason: a #PosteFetchReason
   *
   * A fetch is due: run a session for @name, then call poste_scheduler_fetch_finished() with
   * its outcome (from the handler or later). Until then no other fetch of @name is asked for.
   */
  _poste_scheduler_signals[SCHEDULER_SIGNAL_FETCH] =
    g_signal_new ("fetch", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, POSTE_TYPE_FETCH_REASON);

  /**
   * PosteScheduler::round-started:
   * @self: the scheduler
   * @round: the #PosteFetch about to run
   * @reason: why (a #PosteFetchReason; %POSTE_FETCH_REASON_MANUAL when the user asked)
   *
   * With poste_scheduler_run_rounds(): a due fetch starts as a round. Emitted before the round
   * runs, so a handler may still set it up (watch its sessions, say whether the user is there).
   */
  _poste_scheduler_signals[SCHEDULER_SIGNAL_ROUND_STARTED] =
    g_signal_new ("round-started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, POSTE_TYPE_FETCH, POSTE_TYPE_FETCH_REASON);

  /**
   * PosteScheduler::round-finished:
   * @self: the scheduler
   * @round: the #PosteFetch that ended (its record is written)
   * @report: its report
   *
   * With poste_scheduler_run_rounds(): a round has ended; the scheduler has taken its outcome
   * (backoff, next fetch) already.
   */
  _poste_scheduler_signals[SCHEDULER_SIGNAL_ROUND_FINISHED] =
    g_signal_new ("round-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, POSTE_TYPE_FETCH,
                  POSTE_TYPE_SESSION_REPORT | G_SIGNAL_TYPE_STATIC_SCOPE);

  /**
   * PosteScheduler::provider-changed:
   * @self: the scheduler
   * @name: the provider's name
   *
   * The provider's state (poste_scheduler_get_state()) or next fetch time
   * (poste_scheduler_get_next_fetch()) changed. Emitted once per change.
   */
  _poste_scheduler_signals[SCHEDULER_SIGNAL_PROVIDER_CHANGED] =
    g_signal_new ("provider-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * PosteScheduler::provider-synced:
   * @self: the scheduler
   * @name: the provider's name
   * @sync: what happened to it (#PosteProviderSync)
   * @error: (nullable): why it could not be scheduled, with %POSTE_PROVIDER_SYNC_FAILED
   *
   * The provider list that poste_scheduler_follow_providers() follows changed, and the
   * scheduler applied the change for @name. For logs (`run` prints a line).
   */
  _poste_scheduler_signals[SCHEDULER_SIGNAL_PROVIDER_SYNCED] =
    g_signal_new ("provider-synced", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_STRING, POSTE_TYPE_PROVIDER_SYNC,
                  G_TYPE_ERROR | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
poste_scheduler_init (PosteScheduler *self)
{
  self->entries = g_ptr_array_new_with_free_func (entry_free);
  self->jitter = POSTE_SCHEDULER_DEFAULT_JITTER;
  self->armed_deadline = -1;
  self->cancellable = g_cancellable_new ();
}

/* Public API */

/**
 * poste_scheduler_new:
 * @clock: (nullable): the time source; %NULL for the real clock (poste_clock_new())
 * @monitor: (nullable): the network monitor; %NULL for g_network_monitor_get_default()
 *
 * Makes a scheduler with no provider. With a real clock it also watches logind's PrepareForSleep
 * on the system bus when there is one (there is none in most containers: then resume from
 * suspend goes unnoticed and a debug message says so).
 *
 * Returns: (transfer full): a new #PosteScheduler
 */
PosteScheduler *
poste_scheduler_new (PosteClock      *clock,
                     GNetworkMonitor *monitor)
{
  g_return_val_if_fail (clock == NULL || POSTE_IS_CLOCK (clock), NULL);
  g_return_val_if_fail (monitor == NULL || G_IS_NETWORK_MONITOR (monitor), NULL);

  return g_object_new (POSTE_TYPE_SCHEDULER,
                       "clock", clock,
                       "network-monitor", monitor,
                       NULL);
}

/**
 * poste_scheduler_get_clock:
 * @self: a #PosteScheduler
 *
 * Returns: (transfer none): the scheduler's clock
 */
PosteClock *
poste_scheduler_get_clock (PosteScheduler *self)
{
  g_return_val_if_fail (POSTE_IS_SCHEDULER (self), NULL);
  return self->clock;
}

static gboolean
read_provider (PosteProvider      *provider,
               gint64             *interval,
               PosteActiveWindow  *window,
               gboolean           *has_window,
               GError            **error)
{
  const char *hours = poste_provider_get_active_hours (provider);
  const char *days = poste_provider_get_active_days (provider);

  if (!poste_active_window_parse (hours, days, window, error))
    return FALSE;
  *has_window = (hours != NULL && hours[0] != '\0') || (days != NULL && days[0] != '\0');
  *interval = (gint64) poste_provider_get_interval (provider) * 60 * G_USEC_PER_SEC;
  return TRUE;
}

/**
 * poste_scheduler_add_provider:
 * @self: a #PosteScheduler
 * @provider: a provider with a name
 *
 * Starts scheduling @provider: its "interval" (minutes, 0 for on demand only), "active-hours" and
 * "active-days" are read now; call poste_scheduler_update_provider() when they change. A provider
 * on a schedule is fetched as soon as it is added (within its active window). Adding a name that
 * is already there is the same as updating it.
 *
 * Returns: %TRUE on success; %FALSE with %POSTE_CONFIG_ERROR_INVALID_VALUE when the active window
 *   does not parse (see poste_active_window_parse())
 */
gboolean
poste_scheduler_add_provider (PosteScheduler  *self,
                              PosteProvider   *provider,
                              GError         **error)
{
  PosteActiveWindow window;
  gboolean has_window;
  gint64 interval;
  Entry *entry;

  g_return_val_if_fail (POSTE_IS_SCHEDULER (self), FALSE);
  g_return_val_if_fail (POSTE_IS_PROVIDER (provider), FALSE);
  g_return_val_if_fail (poste_provider_get_name (provider) != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (_poste_scheduler_find_entry (self, poste_provider_get_name (provider)) != NULL)
    return poste_scheduler_update_provider (self, provider, error);

  if (!read_provider (provider, &interval, &window, &has_window, error))
    return FALSE;

  entry = g_new0 (Entry, 1);
  entry->name = g_strdup (poste_provider_get_name (provider));
  entry->interval = interval;
  entry->window = window;
  entry->has_window = has_window;
  entry->due = interval > 0 ? poste_clock_get_monotonic (self->clock) : -1;
  entry->due_reason = POSTE_FETCH_REASON_SCHEDULE;
  entry->shown_state = (PosteScheduleState) -1;
  entry->shown_next = -2;
  g_ptr_array_add (self->entries, entry);

  _poste_scheduler_update_timer (self);
  return TRUE;
}

/**
 * poste_scheduler_update_provider:
 * @self: a #PosteScheduler
 * @provider: a provider already added, by name
 *
 * Says that @provider's configuration changed: its interval and active window are read again. A
 * provider that was stopped by an authentication failure, or backing off after failures, is
 * tried again at once (reason %POSTE_FETCH_REASON_RETRY) when it is on a schedule; otherwise a
 * changed interval counts from now.
 *
 * Returns: %TRUE on success; %FALSE with %POSTE_CONFIG_ERROR_NOT_FOUND when @provider was never
 *   added, or %POSTE_CONFIG_ERROR_INVALID_VALUE when its active window does not parse (nothing
 *   changes then)
 */
gboolean
poste_scheduler_update_provider (PosteScheduler  *self,
                                 PosteProvider   *provider,
                                 GError         **error)
{
  PosteActiveWindow window;
  gboolean has_window;
  gint64 interval, old_interval, now;
  Entry *entry;

  g_return_val_if_fail (POSTE_IS_SCHEDULER (self), FALSE);
  g_return_val_if_fail (POSTE_IS_PROVIDER (provider), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  entry = _poste_scheduler_find_entry (self, poste_provider_get_name (provider));
  if (entry == NULL)
    {
      g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_NOT_FOUND,
                   _("No provider “%s” is scheduled"), poste_provider_get_name (provider));
      return FALSE;
    }
  if (!read_provider (provider, &interval, &window, &has_window, error))
    return FALSE;

  /* Told directly (the editor saved it): the list that is followed need not tell it again. */
  if (self->applied != NULL)
    g_hash_table_replace (self->applied, g_strdup (poste_provider_get_name (provider)),
                          poste_provider_copy (provider));

  now = poste_clock_get_monotonic (self->clock);
  old_interval = entry->interval;
  entry->interval = interval;
  entry->window = window;
  entry->has_window = has_window;

  if (entry->stopped || entry->failures > 0)
    {
      entry->stopped = FALSE;
      entry->refused = FALSE;
      entry->failures = 0;
      if (!entry->running && !(entry->due >= 0 && entry->due_reason == POSTE_FETCH_REASON_MANUAL))
        {
          entry->due = interval > 0 ? now : -1;
          entry->due_reason = POSTE_FETCH_REASON_RETRY;
        }
    }
  else if (interval != old_interval && !entry->running &&
           (entry->due < 0 || entry->due_reason == POSTE_FETCH_REASON_SCHEDULE ||
            interval == 0))
    {
      if (!(entry->due >= 0 && entry->due_reason == POSTE_FETCH_REASON_MANUAL))
        _poste_scheduler_schedule_interval (self, entry, now);
    }

  _poste_scheduler_update_timer (self);
  return TRUE;
}

/**
 * poste_scheduler_remove_provider:
 * @self: a #PosteScheduler
 * @name: a provider's name
 *
 * Stops scheduling @name. A fetch of it that is running goes on; its
 * poste_scheduler_fetch_finished() is then ignored.
 *
 * Returns: %TRUE when @name was scheduled
 */
gboolean
poste_scheduler_remove_provider (PosteScheduler *self,
                                 const char     *name)
{
  g_return_val_if_fail (POSTE_IS_SCHEDULER (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *entry = g_ptr_array_index (self->entries, i);

      if (g_strcmp0 (entry->name, name) == 0)
        {
          if (self->applied != NULL)
            g_hash_table_remove (self->applied, name);
          g_ptr_array_remove_index (self->entries, i);
          _poste_scheduler_update_timer (self);
          return TRUE;
        }
    }
  return FALSE;
}

/**
 * poste_scheduler_has_provider:
 * @self: a #PosteScheduler
 * @name: a provider's name
 *
 * Returns: %TRUE when @name is scheduled
 */
gboolean
poste_scheduler_has_provider (PosteScheduler *self,
                              const char     *name)
{
  g_return_val_if_fail (POSTE_IS_SCHEDULER (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  return _poste_scheduler_find_entry (self, name) != NULL;
}

/**
 * poste_scheduler_request_fetch:
 * @self: a #PosteScheduler
 * @name: (nullable): a provider's name, or %NULL for every provider
 *
 * The user's "Fetch now": #PosteScheduler::fetch is emitted with %POSTE_FETCH_REASON_MANUAL from
 * the clock's next dispatch (not from this call), whatever the backoff, the active window, the
 * pause or an authentication stop. While a fetch of the provider runs, the request is kept and
 * leads to exactly one more fetch after it, however many requests come.
 *
 * Returns: %TRUE when @name is scheduled (always for %NULL)
 */
gboolean
poste_scheduler_request_fetch (PosteScheduler *self,
                               const char     *name)
{
  gint64 now;

  g_return_val_if_fail (POSTE_IS_SCHEDULER (self), FALSE);

  now = poste_clock_get_monotonic (self->clock);
  if (name == NULL)
    {
      for (guint i = 0; i < self->entries->len; i++)
        _poste_scheduler_request (self, g_ptr_array_index (self->entries, i), POSTE_FETCH_REASON_MANUAL, now);
    }
  else
    {
      Entry *entry = _poste_scheduler_find_entry (self, name);

      if (entry == NULL)
        return FALSE;
      _poste_scheduler_request (self, entry, POSTE_FETCH_REASON_MANUAL, now);
    }
  _poste_scheduler_update_timer (self);
  return TRUE;
}
/**
 * poste_scheduler_set_paused:
 * @self: a #PosteScheduler
 * @paused: whether to pause automatic fetches
 *
 * Pauses or resumes every automatic fetch (the tray's "Pause schedules"). While paused no timer is
 * armed except for the user's requests, network and resume events are ignored, and running
 * fetches go on. On resuming, fetches that fell due meanwhile run at once (one each).
 */
void
poste_scheduler_set_paused (PosteScheduler *self,
                            gboolean        paused)
{
  g_return_if_fail (POSTE_IS_SCHEDULER (self));

  paused = !!paused;
  if (self->paused == paused)
    return;
  self->paused = paused;
  _poste_scheduler_update_timer (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAUSED]);
}

/**
 * poste_scheduler_get_paused:
 * @self: a #PosteScheduler
 *
 * Returns: whether automatic fetches are paused
 */
gboolean
poste_scheduler_get_paused (PosteScheduler *self)
{
  g_return_val_if_fail (POSTE_IS_SCHEDULER (self), FALSE);
  return self->paused;
}

/**
 * poste_scheduler_set_jitter:
 * @self: a #PosteScheduler
 * @fraction: from 0 (none) to 0.5: each automatic delay (interval or backoff) is multiplied by a
 *   random factor between 1 - @fraction and 1 + @fraction
 *
 * Sets the jitter, %POSTE_SCHEDULER_DEFAULT_JITTER by default, which keeps many customers of one
 * provider from all connecting at the same second. It applies to delays computed from now on.
 */
void
poste_scheduler_set_jitter (PosteScheduler *self,
                            double          fraction)
{
  g_return_if_fail (POSTE_IS_SCHEDULER (self));
  g_return_if_fail (fraction >= 0.0 && fraction <= 0.5);

  if (self->jitter == fraction)
    return;
  self->jitter = fraction;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_JITTER]);
}

/**
 * poste_scheduler_get_jitter:
 * @self: a #PosteScheduler
 *
 * Returns: the jitter fraction
 */
double
poste_scheduler_get_jitter (PosteScheduler *self)
{
  g_return_val_if_fail (POSTE_IS_SCHEDULER (self), 0.0);
  return self->jitter;
}

/**
 * poste_scheduler_get_state:
 * @self: a #PosteScheduler
 * @name: a provider's name
 *
 * Returns: where @name stands; %POSTE_SCHEDULE_STATE_ON_DEMAND for a name not scheduled
 */
PosteScheduleState
poste_scheduler_get_state (PosteScheduler *self,
                           const char     *name)
{
  Entry *entry;

  g_return_val_if_fail (POSTE_IS_SCHEDULER (self), POSTE_SCHEDULE_STATE_ON_DEMAND);
  g_return_val_if_fail (name != NULL, POSTE_SCHEDULE_STATE_ON_DEMAND);

  entry = _poste_scheduler_find_entry (self, name);
  if (entry == NULL)
    return POSTE_SCHEDULE_STATE_ON_DEMAND;
  return _poste_scheduler_entry_state (self, entry);
}

/**
 * poste_scheduler_get_next_fetch_monotonic:
 * @self: a #PosteScheduler
 * @name: a provider's name
 *
 * Returns: when the next fetch of @name will be asked for, in the clock's monotonic microseconds
 *   (the active window applied), or -1 when none is coming (on demand, fetching, stopped, paused,
 *   or not scheduled)
 */
gint64
poste_scheduler_get_next_fetch_monotonic (PosteScheduler *self,
                                          const char     *name)
{
  g_autoptr(GDateTime) now_wall = NULL;
  Entry *entry;

  g_return_val_if_fail (POSTE_IS_SCHEDULER (self), -1);
  g_return_val_if_fail (name != NULL, -1);

  entry = _poste_scheduler_find_entry (self, name);
  if (entry == NULL)
    return -1;
  now_wall = poste_clock_get_wall (self->clock);
  return _poste_scheduler_effective_due (self, entry, poste_clock_get_monotonic (self->clock), now_wall);
}

/**
 * poste_scheduler_get_next_fetch:
 * @self: a #PosteScheduler
 * @name: a provider's name
 *
 * The time to show as "next fetch" for @name.
 *
 * Returns: (transfer full) (nullable): the wall time (local time zone) of the next fetch, or
 *   %NULL when none is coming (see poste_scheduler_get_next_fetch_monotonic())
 */
GDateTime *
poste_scheduler_get_next_fetch (PosteScheduler *self,
                                const char     *name)
{
  g_autoptr(GDateTime) now_wall = NULL;
  gint64 next, now;

  g_return_val_if_fail (POSTE_IS_SCHEDULER (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  next = poste_scheduler_get_next_fetch_monotonic (self, name);
  if (next < 0)
    return NULL;
  now = poste_clock_get_monotonic (self->clock);
  now_wall = poste_clock_get_wall (self->clock);
  return g_date_time_add (now_wall, MAX (next - now, 0));
}

/**
 * poste_scheduler_get_failures:
 * @self: a #PosteScheduler
 * @name: a provider's name
 *
 * Returns: how many fetches of @name failed in a row (0 after a success or a configuration change)
 */
guint
poste_scheduler_get_failures (PosteScheduler *self,
                              const char     *name)
{
  Entry *entry;

  g_return_val_if_fail (POSTE_IS_SCHEDULER (self), 0);
  g_return_val_if_fail (name != NULL, 0);

  entry = _poste_scheduler_find_entry (self, name);
  return entry != NULL ? entry->failures : 0;
}
