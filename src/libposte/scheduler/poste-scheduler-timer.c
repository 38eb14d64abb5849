/* poste-scheduler-timer.c: when each provider's fetch is due, and the one timer that waits for it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every change (a request, a fetch's end, a provider added or changed, the pause) moves some
 * provider's due time; poste_scheduler_fetch_finished() turns how a fetch ended into the next
 * one (the interval, a backoff, or a stop). Then one timer is armed for the earliest fetch,
 * moved into its provider's active window, and the front end hears of what changed.
 */
#include "config.h"

#include "poste-enums.h"
#include "poste-error.h"
#include "poste-scheduler-private.h"

static void timer_cb (gpointer user_data);

static gint64
jittered (PosteScheduler *self,
          gint64          delay)
{
  if (self->jitter <= 0.0 || delay <= 0)
    return delay;
  return delay + (gint64) ((double) delay * g_rand_double_range (self->rand, -self->jitter,
                                                                  self->jitter));
}

static gint64
backoff (gint64 base,
         gint64 cap,
         guint  failures)
{
  gint64 delay = base;

  for (guint i = 1; i < failures && delay < cap; i++)
    delay *= 2;
  return MIN (delay, cap);
}

void
_poste_scheduler_schedule_interval (PosteScheduler *self,
                                    Entry          *entry,
                                    gint64          now)
{
  if (entry->interval > 0)
    {
      entry->due = now + jittered (self, entry->interval);
      entry->due_reason = POSTE_FETCH_REASON_SCHEDULE;
    }
  else
    entry->due = -1;
}

/* When the entry's fetch will actually run: its due time moved into the active window (manual
 * requests excepted), or -1 when none will (fetching, nothing due, paused). */
gint64
_poste_scheduler_effective_due (PosteScheduler *self,
                                Entry          *entry,
                                gint64          now,
                                GDateTime      *now_wall)
{
  g_autoptr(GDateTime) wall = NULL;
  g_autoptr(GDateTime) open = NULL;
  gint64 due;

  if (entry->running || entry->due < 0)
    return -1;
  if (entry->due_reason == POSTE_FETCH_REASON_MANUAL)
    return entry->due;
  if (self->paused)
    return -1;
  if (!entry->has_window)
    return entry->due;

  /* An overdue fetch whose window has closed since waits for the next. */
  due = MAX (entry->due, now);
  wall = g_date_time_add (now_wall, due - now);
  open = poste_active_window_next_open (&entry->window, wall);
  if (open == NULL)
    return -1;
  return now + g_date_time_difference (open, now_wall);
}

PosteScheduleState
_poste_scheduler_entry_state (PosteScheduler *self,
                              Entry          *entry)
{
  if (entry->running)
    return POSTE_SCHEDULE_STATE_FETCHING;
  if (entry->stopped)
    return POSTE_SCHEDULE_STATE_STOPPED;
  if (entry->due >= 0 && entry->due_reason == POSTE_FETCH_REASON_MANUAL)
    return POSTE_SCHEDULE_STATE_WAITING;
  if (self->paused)
    return POSTE_SCHEDULE_STATE_PAUSED;
  if (entry->due < 0)
    return POSTE_SCHEDULE_STATE_ON_DEMAND;
  if (entry->failures > 0)
    return POSTE_SCHEDULE_STATE_RETRYING;
  return POSTE_SCHEDULE_STATE_WAITING;
}

/* A request for one provider. Manual requests always lead to a fetch; automatic ones only for a
 * provider on a schedule that is not stopped, not refused, and not paused. */
void
_poste_scheduler_request (PosteScheduler   *self,
                          Entry            *entry,
                          PosteFetchReason  reason,
                          gint64            now)
{
  gint64 due;

  if (reason != POSTE_FETCH_REASON_MANUAL &&
      (self->paused || entry->interval == 0 || entry->stopped || entry->refused))
    return;

  if (entry->running)
    {
      if (!entry->pending || reason == POSTE_FETCH_REASON_MANUAL)
        entry->pending_reason = reason;
      entry->pending = TRUE;
      return;
    }

  switch (reason)
    {
    case POSTE_FETCH_REASON_NETWORK:
      due = now + POSTE_SCHEDULER_NETWORK_DELAY;
      break;
    case POSTE_FETCH_REASON_RESUME:
      due = now + POSTE_SCHEDULER_RESUME_DELAY;
      break;
    case POSTE_FETCH_REASON_MANUAL:
    case POSTE_FETCH_REASON_SCHEDULE:
    case POSTE_FETCH_REASON_RETRY:
    default:
      due = now;
      break;
    }

  if (reason == POSTE_FETCH_REASON_MANUAL || entry->due < 0 || due < entry->due)
    {
      entry->due = due;
      entry->due_reason = reason;
    }
}

void
_poste_scheduler_request_all (PosteScheduler   *self,
                              PosteFetchReason  reason)
{
  gint64 now = poste_clock_get_monotonic (self->clock);

  g_debug ("Scheduler: %s for every provider", poste_fetch_reason_to_string (reason));
  for (guint i = 0; i < self->entries->len; i++)
    _poste_scheduler_request (self, g_ptr_array_index (self->entries, i), reason, now);
  _poste_scheduler_update_timer (self);
}

/* Tells the front end about every provider whose state or next fetch changed. */
static void
notify_changes (PosteScheduler *self)
{
  g_autoptr(GPtrArray) changed = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDateTime) now_wall = poste_clock_get_wall (self->clock);
  gint64 now = poste_clock_get_monotonic (self->clock);

  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *entry = g_ptr_array_index (self->entries, i);
      PosteScheduleState state = _poste_scheduler_entry_state (self, entry);
      gint64 next = _poste_scheduler_effective_due (self, entry, now, now_wall);

      if (state != entry->shown_state || next != entry->shown_next)
        {
          entry->shown_state = state;
          entry->shown_next = next;
          g_ptr_array_add (changed, g_strdup (entry->name));
        }
    }

  for (guint i = 0; i < changed->len; i++)
    g_signal_emit (self, _poste_scheduler_signals[SCHEDULER_SIGNAL_PROVIDER_CHANGED], 0, g_ptr_array_index (changed, i));
}

/* Keeps exactly one timer armed, for the earliest fetch, or none. */
void
_poste_scheduler_update_timer (PosteScheduler *self)
{
  g_autoptr(GDateTime) now_wall = poste_clock_get_wall (self->clock);
  gint64 now = poste_clock_get_monotonic (self->clock);
  gint64 earliest = -1;

  for (guint i = 0; i < self->entries->len; i++)
    {
      gint64 due = _poste_scheduler_effective_due (self, g_ptr_array_index (self->entries, i), now, now_wall);

      if (due >= 0 && (earliest < 0 || due < earliest))
        earliest = due;
    }

  if (earliest != self->armed_deadline)
    {
      if (self->timer_id != 0)
        poste_clock_remove_timeout (self->clock, self->timer_id);
      self->timer_id = 0;
      self->armed_deadline = earliest;
      if (earliest >= 0)
        self->timer_id = poste_clock_add_timeout (self->clock, earliest, timer_cb, self);
    }

  notify_changes (self);
}

static void
timer_cb (gpointer user_data)
{
  PosteScheduler *self = g_object_ref (user_data);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDateTime) now_wall = poste_clock_get_wall (self->clock);
  gint64 now = poste_clock_get_monotonic (self->clock);

  self->timer_id = 0;
  self->armed_deadline = -1;

  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *entry = g_ptr_array_index (self->entries, i);
      gint64 due = _poste_scheduler_effective_due (self, entry, now, now_wall);

      if (due >= 0 && due <= now)
        g_ptr_array_add (names, g_strdup (entry->name));
    }

  /* A handler may remove providers, finish the fetch at once, or ask for more: look each one up
   * again. */
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      Entry *entry = _poste_scheduler_find_entry (self, name);
      PosteFetchReason reason;
      gint64 due;

      if (entry == NULL)
        continue;
      due = _poste_scheduler_effective_due (self, entry, now, now_wall);
      if (due < 0 || due > now)
        continue;

      reason = entry->due_reason;
      entry->running = TRUE;
      entry->pending = FALSE;
      entry->due = -1;
      g_debug ("Scheduler: fetch %s (%s)", name, poste_fetch_reason_to_string (reason));
      notify_changes (self);
      if (self->runs_rounds)
        _poste_scheduler_start_round (self, name, reason);
      else
        g_signal_emit (self, _poste_scheduler_signals[SCHEDULER_SIGNAL_FETCH], 0, name, reason);
    }

  _poste_scheduler_update_timer (self);
  g_object_unref (self);
}

/**
 * poste_scheduler_fetch_finished:
 * @self: a #PosteScheduler
 * @name: the provider's name, as #PosteScheduler::fetch gave it
 * @outcome: how the session ended (%POSTE_SESSION_OUTCOME_MAIL, %POSTE_SESSION_OUTCOME_NO_MAIL,
 *   %POSTE_SESSION_OUTCOME_FAILED or %POSTE_SESSION_OUTCOME_CANCELLED)
 * @error: (nullable): why it failed, for %POSTE_SESSION_OUTCOME_FAILED (the session report's
 *   error)
 *
 * Ends a fetch and schedules the next one. Success (mail or no mail) and cancellation by the user
 * schedule the next interval; a failure backs off (see #PosteScheduler); an authentication
 * failure stops automatic fetches. A request kept during the fetch then leads to one more. A name
 * that is not scheduled (removed meanwhile) is ignored.
 */
void
poste_scheduler_fetch_finished (PosteScheduler      *self,
                                const char          *name,
                                PosteSessionOutcome  outcome,
                                const GError        *error)
{
  Entry *entry;
  gint64 now;

  g_return_if_fail (POSTE_IS_SCHEDULER (self));
  g_return_if_fail (name != NULL);

  entry = _poste_scheduler_find_entry (self, name);
  if (entry == NULL)
    {
      g_debug ("Scheduler: %s finished but is no longer scheduled", name);
      return;
    }

  now = poste_clock_get_monotonic (self->clock);
  entry->running = FALSE;

  switch (outcome)
    {
    case POSTE_SESSION_OUTCOME_MAIL:
    case POSTE_SESSION_OUTCOME_NO_MAIL:
    case POSTE_SESSION_OUTCOME_STARTED:
      entry->failures = 0;
      entry->stopped = FALSE;
      entry->refused = FALSE;
      _poste_scheduler_schedule_interval (self, entry, now);
      break;

    case POSTE_SESSION_OUTCOME_CANCELLED:
      if (!entry->stopped)
        _poste_scheduler_schedule_interval (self, entry, now);
      break;

    case POSTE_SESSION_OUTCOME_NONE:
    case POSTE_SESSION_OUTCOME_FAILED:
    default:
      if (entry->failures < G_MAXUINT)
        entry->failures++;
      /* The provider itself asked us to come back later (RFC 2645 section 5: 450 to ATRN, busy
       * or rate limited; 451, a local error): poste_error_get_kind() says so for everyone. */
      entry->refused = poste_error_get_kind (error) == POSTE_ERROR_KIND_BUSY;
      entry->due = -1;
      /* A locked keyring: nothing is wrong with the credentials; the next fetch on the usual
       * interval (without a prompt) succeeds once the user has unlocked it. */
      if (poste_error_is_keyring_locked (error))
        {
          g_debug ("Scheduler: %s: the keyring is locked; waiting for it to be unlocked", name);
          _poste_scheduler_schedule_interval (self, entry, now);
        }
      else if (poste_error_get_kind (error) == POSTE_ERROR_KIND_AUTH)
        {
          entry->stopped = TRUE;
          g_debug ("Scheduler: %s: authentication failed, no automatic fetch until the configuration changes",
                   name);
        }
      else if (entry->interval > 0)
        {
          gint64 delay;

          if (entry->refused)
            delay = backoff (MAX (POSTE_SCHEDULER_REFUSED_BASE, entry->interval),
                             MAX (POSTE_SCHEDULER_REFUSED_CAP, entry->interval),
                             entry->failures);
          else
            delay = backoff (POSTE_SCHEDULER_RETRY_BASE, POSTE_SCHEDULER_RETRY_CAP,
                             entry->failures);
          entry->due = now + jittered (self, delay);
          entry->due_reason = POSTE_FETCH_REASON_RETRY;
        }
      break;
    }

  if (entry->pending)
    {
      entry->pending = FALSE;
      _poste_scheduler_request (self, entry, entry->pending_reason, now);
    }

  _poste_scheduler_update_timer (self);
}
