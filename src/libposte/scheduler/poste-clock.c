/* poste-clock.c: the time source of the scheduler, real or driven by hand
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "poste-clock.h"

/**
 * PosteClock:
 *
 * Where the scheduler reads the time and arms its one timer. A real clock reads
 * g_get_monotonic_time() and the local wall clock and arms GLib timeouts on the thread-default
 * main context of the thread that made it (whole-second timeouts for long waits, so that GLib can
 * group wake-ups). A manual clock, for tests, stands still until poste_clock_advance() moves it and
 * then runs, in order, every timeout whose deadline it passes; its wall clock is the start time
 * given plus the time advanced, in the start time's time zone. Neither ever ticks on its own: a
 * clock with no timeout armed causes no wake-up.
 *
 * The clock is also the scheduler's source of randomness (the jitter), so that a manual clock
 * makes a whole run reproducible: see poste_clock_new_rand().
 */

/* A long wait is armed in whole seconds (GLib groups such wake-ups); shorter ones to the
 * millisecond. */
#define SECONDS_THRESHOLD (G_GINT64_CONSTANT (2) * G_USEC_PER_SEC)

/* Where a manual clock's monotonic time starts: any value works, a non-zero one catches code that
 * takes 0 for "no time". */
#define MANUAL_START (G_GINT64_CONSTANT (1000) * G_USEC_PER_SEC)

typedef struct
{
  PosteClock     *clock;
  guint           id;
  gint64          deadline;
  PosteClockFunc  func;
  gpointer        user_data;
  GSource        *source;
} Timeout;

struct _PosteClock
{
  GObject        parent_instance;

  gboolean       manual;
  GMainContext  *context;
  GHashTable    *timeouts;      /* id => Timeout */
  guint          last_id;

  /* Manual clocks */
  GDateTime     *start;
  gint64         now;
  guint32        seed;
};

G_DEFINE_FINAL_TYPE (PosteClock, poste_clock, G_TYPE_OBJECT)

static void
timeout_free (gpointer data)
{
  Timeout *timeout = data;

  if (timeout->source != NULL)
    {
      g_source_destroy (timeout->source);
      g_source_unref (timeout->source);
    }
  g_free (timeout);
}

static void
poste_clock_finalize (GObject *object)
{
  PosteClock *self = (PosteClock *)object;

  g_hash_table_unref (self->timeouts);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->start, g_date_time_unref);

  G_OBJECT_CLASS (poste_clock_parent_class)->finalize (object);
}

static void
poste_clock_class_init (PosteClockClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = poste_clock_finalize;
}

static void
poste_clock_init (PosteClock *self)
{
  self->timeouts = g_hash_table_new_full (NULL, NULL, NULL, timeout_free);
}

/**
 * poste_clock_new:
 *
 * Makes the real clock: monotonic time from g_get_monotonic_time(), wall time in the local time
 * zone, and timeouts on the thread-default main context of the calling thread.
 *
 * Returns: (transfer full): a new #PosteClock
 */
PosteClock *
poste_clock_new (void)
{
  PosteClock *self = g_object_new (POSTE_TYPE_CLOCK, NULL);

  self->context = g_main_context_ref_thread_default ();
  return self;
}

/**
 * poste_clock_new_manual:
 * @start: the wall time the clock starts at; its time zone is the clock's local time zone
 * @seed: the seed of the random generators poste_clock_new_rand() makes
 *
 * Makes a clock for tests: time moves only through poste_clock_advance() and
 * poste_clock_advance_to_next(), which run the timeouts that come due, in deadline order, from the
 * caller's stack. No main loop is involved and no real time passes.
 *
 * Returns: (transfer full): a new manual #PosteClock
 */
PosteClock *
poste_clock_new_manual (GDateTime *start,
                        guint32    seed)
{
  PosteClock *self;

  g_return_val_if_fail (start != NULL, NULL);

  self = g_object_new (POSTE_TYPE_CLOCK, NULL);
  self->manual = TRUE;
  self->start = g_date_time_ref (start);
  self->now = MANUAL_START;
  self->seed = seed;
  return self;
}

/**
 * poste_clock_is_manual:
 * @self: a #PosteClock
 *
 * Returns: %TRUE for a clock made with poste_clock_new_manual()
 */
gboolean
poste_clock_is_manual (PosteClock *self)
{
  g_return_val_if_fail (POSTE_IS_CLOCK (self), FALSE);
  return self->manual;
}

/**
 * poste_clock_get_monotonic:
 * @self: a #PosteClock
 *
 * Returns: the monotonic time in microseconds (the same base as g_get_monotonic_time() for the
 *   real clock; it does not advance while the system is suspended)
 */
gint64
poste_clock_get_monotonic (PosteClock *self)
{
  g_return_val_if_fail (POSTE_IS_CLOCK (self), 0);

  if (self->manual)
    return self->now;
  return g_get_monotonic_time ();
}

/**
 * poste_clock_get_wall:
 * @self: a #PosteClock
 *
 * Returns: (transfer full): the wall time now, in the local time zone (for a manual clock, the
 *   start time's zone)
 */
GDateTime *
poste_clock_get_wall (PosteClock *self)
{
  g_return_val_if_fail (POSTE_IS_CLOCK (self), NULL);

  if (self->manual)
    return g_date_time_add (self->start, self->now - MANUAL_START);
  return g_date_time_new_now_local ();
}

/**
 * poste_clock_new_rand:
 * @self: a #PosteClock
 *
 * Makes a random number generator for the user of the clock: seeded from the system for the real
 * clock, from the seed given to poste_clock_new_manual() for a manual one (so a test sees the
 * same jitter on every run).
 *
 * Returns: (transfer full): a new #GRand, free it with g_rand_free()
 */
GRand *
poste_clock_new_rand (PosteClock *self)
{
  g_return_val_if_fail (POSTE_IS_CLOCK (self), NULL);

  if (self->manual)
    return g_rand_new_with_seed (self->seed);
  return g_rand_new ();
}

static void arm_source (PosteClock *self,
                        Timeout    *timeout);

static gboolean
source_cb (gpointer data)
{
  Timeout *timeout = data;
  PosteClock *self = timeout->clock;
  PosteClockFunc func = timeout->func;
  gpointer user_data = timeout->user_data;

  /* A whole-second timeout may be rounded to a second boundary a little before the deadline:
   * never run early, wait the rest. */
  if (g_get_monotonic_time () < timeout->deadline)
    {
      g_clear_pointer (&timeout->source, g_source_unref);
      arm_source (self, timeout);
      return G_SOURCE_REMOVE;
    }

  /* Gone from the table before the callback runs, which may arm another. */
  g_clear_pointer (&timeout->source, g_source_unref);
  g_hash_table_remove (self->timeouts, GUINT_TO_POINTER (timeout->id));
  func (user_data);
  return G_SOURCE_REMOVE;
}

static void
arm_source (PosteClock *self,
            Timeout    *timeout)
{
  gint64 delay = timeout->deadline - g_get_monotonic_time ();
  GSource *source;

  if (delay >= SECONDS_THRESHOLD)
    source = g_timeout_source_new_seconds ((guint) MIN ((delay + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC,
                                                        G_MAXUINT));
  else
    source = g_timeout_source_new ((guint) MAX ((delay + 999) / 1000, 0));
  g_source_set_static_name (source, "[poste] clock timeout");
  g_source_set_callback (source, source_cb, timeout, NULL);
  g_source_attach (source, self->context);
  timeout->source = source;
}

/**
 * poste_clock_add_timeout:
 * @self: a #PosteClock
 * @deadline: when to call @func, in the monotonic time of poste_clock_get_monotonic(), in
 *   microseconds; a deadline in the past means as soon as possible
 * @func: (scope notified): what to call, once
 * @user_data: what to pass to @func
 *
 * Arms a one-shot timeout. The real clock runs @func from the main context it was made on, never
 * before @deadline; a manual clock runs it when poste_clock_advance() passes @deadline.
 *
 * Returns: the timeout's id (never 0), for poste_clock_remove_timeout()
 */
guint
poste_clock_add_timeout (PosteClock     *self,
                         gint64          deadline,
                         PosteClockFunc  func,
                         gpointer        user_data)
{
  Timeout *timeout;

  g_return_val_if_fail (POSTE_IS_CLOCK (self), 0);
  g_return_val_if_fail (func != NULL, 0);

  timeout = g_new0 (Timeout, 1);
  timeout->clock = self;
  timeout->id = ++self->last_id;
  if (timeout->id == 0)
    timeout->id = ++self->last_id;
  timeout->deadline = deadline;
  timeout->func = func;
  timeout->user_data = user_data;
  g_hash_table_insert (self->timeouts, GUINT_TO_POINTER (timeout->id), timeout);

  if (!self->manual)
    arm_source (self, timeout);
  return timeout->id;
}

/**
 * poste_clock_remove_timeout:
 * @self: a #PosteClock
 * @id: an id from poste_clock_add_timeout() whose timeout has not run yet
 *
 * Cancels a timeout.
 */
void
poste_clock_remove_timeout (PosteClock *self,
                            guint       id)
{
  g_return_if_fail (POSTE_IS_CLOCK (self));
  g_return_if_fail (id != 0);

  if (!g_hash_table_remove (self->timeouts, GUINT_TO_POINTER (id)))
    g_critical ("%s: no timeout %u", G_STRFUNC, id);
}

/**
 * poste_clock_get_n_timeouts:
 * @self: a #PosteClock
 *
 * Tests use this to check that the scheduler keeps at most one timer and none when idle.
 *
 * Returns: how many timeouts are armed
 */
guint
poste_clock_get_n_timeouts (PosteClock *self)
{
  g_return_val_if_fail (POSTE_IS_CLOCK (self), 0);
  return g_hash_table_size (self->timeouts);
}

static Timeout *
find_next (PosteClock *self)
{
  GHashTableIter iter;
  Timeout *next = NULL;
  gpointer value;

  g_hash_table_iter_init (&iter, self->timeouts);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Timeout *timeout = value;

      if (next == NULL ||
          timeout->deadline < next->deadline ||
          (timeout->deadline == next->deadline && timeout->id < next->id))
        next = timeout;
    }
  return next;
}

/**
 * poste_clock_get_next_deadline:
 * @self: a #PosteClock
 *
 * Returns: the earliest deadline armed, in monotonic microseconds, or -1 when none is
 */
gint64
poste_clock_get_next_deadline (PosteClock *self)
{
  Timeout *next;

  g_return_val_if_fail (POSTE_IS_CLOCK (self), -1);

  next = find_next (self);
  return next != NULL ? next->deadline : -1;
}

static void
fire (PosteClock *self,
      Timeout    *timeout)
{
  PosteClockFunc func = timeout->func;
  gpointer user_data = timeout->user_data;

  if (timeout->deadline > self->now)
    self->now = timeout->deadline;
  g_hash_table_remove (self->timeouts, GUINT_TO_POINTER (timeout->id));
  func (user_data);
}

/**
 * poste_clock_advance:
 * @self: a manual #PosteClock
 * @microseconds: how far to move time forward (0 runs what is already due)
 *
 * Moves a manual clock forward. Each timeout whose deadline falls within the step runs in deadline
 * order (the clock reads its deadline while it runs), including timeouts armed by the callbacks
 * themselves when they fall within the step.
 */
void
poste_clock_advance (PosteClock *self,
                     gint64      microseconds)
{
  gint64 target;
  Timeout *next;

  g_return_if_fail (POSTE_IS_CLOCK (self));
  g_return_if_fail (self->manual);
  g_return_if_fail (microseconds >= 0);

  g_object_ref (self);
  target = self->now + microseconds;
  while ((next = find_next (self)) != NULL && next->deadline <= target)
    fire (self, next);
  self->now = target;
  g_object_unref (self);
}

/**
 * poste_clock_advance_to_next:
 * @self: a manual #PosteClock
 *
 * Moves a manual clock to the earliest armed deadline (if it is in the future) and runs that one
 * timeout.
 *
 * Returns: %TRUE when a timeout ran, %FALSE when none was armed (time stays where it was)
 */
gboolean
poste_clock_advance_to_next (PosteClock *self)
{
  Timeout *next;

  g_return_val_if_fail (POSTE_IS_CLOCK (self), FALSE);
  g_return_val_if_fail (self->manual, FALSE);

  next = find_next (self);
  if (next == NULL)
    return FALSE;
  g_object_ref (self);
  fire (self, next);
  g_object_unref (self);
  return TRUE;
}
