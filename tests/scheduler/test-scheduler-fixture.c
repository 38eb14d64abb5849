/* test-scheduler-fixture.c: the scheduler tests' fixture and the steps they take with it
 * (advance the clock, take the fetch asked for, finish it well or badly)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "test-scheduler-fixture.h"

static void
fetch_clear (gpointer data)
{
  Fetch *fetch = data;

  g_free (fetch->name);
}

static void
on_fetch (PosteScheduler   *scheduler,
          const char       *name,
          PosteFetchReason  reason,
          Fixture          *f)
{
  Fetch fetch = { g_strdup (name), reason, poste_clock_get_monotonic (f->clock) };

  g_assert_cmpint (poste_scheduler_get_state (scheduler, name), ==, POSTE_SCHEDULE_STATE_FETCHING);
  g_array_append_val (f->fetches, fetch);
  if (f->finish_at_once)
    poste_scheduler_fetch_finished (scheduler, name, POSTE_SESSION_OUTCOME_NO_MAIL, NULL);
}

static void
on_provider_changed (PosteScheduler *scheduler,
                     const char     *name,
                     Fixture        *f)
{
  guint count = GPOINTER_TO_UINT (g_hash_table_lookup (f->changes, name));

  g_hash_table_insert (f->changes, g_strdup (name), GUINT_TO_POINTER (count + 1));
}

/* Counts its calls in the guint at @user_data: a PosteClock timeout or a swapped signal handler. */
void
count_cb (gpointer user_data)
{
  guint *count = user_data;

  (*count)++;
}

/* Monday 30 November 2026, 12:00 UTC. */
GDateTime *
make_time (int day,
           int hour,
           int minute)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();

  return g_date_time_new (utc, 2026, 11, day, hour, minute, 0);
}

static void
fixture_setup_at (Fixture   *f,
                  GDateTime *start)
{
  f->clock = poste_clock_new_manual (start, 42);
  f->monitor = poste_test_network_monitor_new (G_NETWORK_CONNECTIVITY_FULL);
  f->scheduler = poste_scheduler_new (f->clock, G_NETWORK_MONITOR (f->monitor));
  f->fetches = g_array_new (FALSE, TRUE, sizeof (Fetch));
  g_array_set_clear_func (f->fetches, fetch_clear);
  f->changes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  f->start = poste_clock_get_monotonic (f->clock);
  g_signal_connect (f->scheduler, "fetch", G_CALLBACK (on_fetch), f);
  g_signal_connect (f->scheduler, "provider-changed", G_CALLBACK (on_provider_changed), f);
}

void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GDateTime) start = make_time (30, 12, 0);

  g_assert_cmpint (g_date_time_get_day_of_week (start), ==, 1);
  fixture_setup_at (f, start);
}

void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_assert_finalize_object (f->scheduler);
  /* The scheduler took its timer with it. */
  g_assert_cmpuint (poste_clock_get_n_timeouts (f->clock), ==, 0);
  g_assert_finalize_object (f->clock);
  g_assert_finalize_object (f->monitor);
  g_array_unref (f->fetches);
  g_hash_table_unref (f->changes);
}

gint64
now (Fixture *f)
{
  return poste_clock_get_monotonic (f->clock);
}

void
assert_timers (Fixture *f,
               guint    n)
{
  g_assert_cmpuint (poste_clock_get_n_timeouts (f->clock), ==, n);
}

void
advance (Fixture *f,
         gint64   microseconds)
{
  poste_clock_advance (f->clock, microseconds);
  /* Never more than one timer. */
  g_assert_cmpuint (poste_clock_get_n_timeouts (f->clock), <=, 1);
}

void
assert_no_fetch (Fixture *f)
{
  if (f->fetches->len > 0)
    g_error ("unexpected fetch of %s (%s)",
             g_array_index (f->fetches, Fetch, 0).name,
             poste_fetch_reason_to_string (g_array_index (f->fetches, Fetch, 0).reason));
}

/* Takes the oldest fetch recorded, checks it, and returns its time. */
gint64
take_fetch (Fixture          *f,
            const char       *name,
            PosteFetchReason  reason)
{
  gint64 time;

  g_assert_cmpuint (f->fetches->len, >, 0);
  g_assert_cmpstr (g_array_index (f->fetches, Fetch, 0).name, ==, name);
  g_assert_cmpstr (poste_fetch_reason_to_string (g_array_index (f->fetches, Fetch, 0).reason), ==,
                   poste_fetch_reason_to_string (reason));
  time = g_array_index (f->fetches, Fetch, 0).time;
  g_array_remove_index (f->fetches, 0);
  return time;
}

PosteProvider *
make_provider (const char *name,
               guint       interval,
               const char *hours,
               const char *days)
{
  PosteProvider *provider = poste_provider_new (name);

  poste_provider_set_interval (provider, interval);
  poste_provider_set_active_hours (provider, hours);
  poste_provider_set_active_days (provider, days);
  return provider;
}

void
add (Fixture    *f,
     const char *name,
     guint       interval)
{
  g_autoptr(PosteProvider) provider = make_provider (name, interval, NULL, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (poste_scheduler_add_provider (f->scheduler, provider, &error));
  g_assert_no_error (error);
}

GError *
session_error (PosteSessionError code)
{
  return g_error_new_literal (POSTE_SESSION_ERROR, code, "test failure");
}

void
fail (Fixture           *f,
      const char        *name,
      PosteSessionError  code)
{
  g_autoptr(GError) error = session_error (code);

  poste_scheduler_fetch_finished (f->scheduler, name, POSTE_SESSION_OUTCOME_FAILED, error);
}

void
succeed (Fixture    *f,
         const char *name)
{
  poste_scheduler_fetch_finished (f->scheduler, name, POSTE_SESSION_OUTCOME_MAIL, NULL);
}

/* Runs the first fetch that a provider on a schedule gets when added, and finishes it. */
void
add_and_fetch (Fixture    *f,
               const char *name,
               guint       interval)
{
  add (f, name, interval);
  assert_timers (f, 1);
  advance (f, 0);
  take_fetch (f, name, POSTE_FETCH_REASON_SCHEDULE);
  succeed (f, name);
}
