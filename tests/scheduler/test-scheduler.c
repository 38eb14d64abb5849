/* test-scheduler.c: PosteScheduler and PosteClock, driven by a manual clock
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * No test sleeps or reads real time: a manual PosteClock moves only when told, and a test network
 * monitor changes only when told. After every step the tests check how many timers the scheduler
 * keeps armed: one for the earliest due fetch, or none.
 */
#include "config.h"

#include "poste-clock.h"
#include "poste-error.h"
#include "poste-provider.h"
#include "poste-scheduler-private.h"
#include "poste-test.h"
#include "poste-test-network-monitor.h"

#define SEC     G_GINT64_CONSTANT (1000000)
#define MINUTE  (G_GINT64_CONSTANT (60) * SEC)
#define HOUR    (60 * MINUTE)
#define DAY     (24 * HOUR)

typedef struct
{
  char             *name;
  PosteFetchReason  reason;
  gint64            time;
} Fetch;

typedef struct
{
  PosteClock              *clock;
  PosteTestNetworkMonitor *monitor;
  PosteScheduler          *scheduler;
  GArray                  *fetches;
  GHashTable              *changes;       /* name => count of provider-changed */
  gint64                   start;

  /* For the re-entrancy test: finish each fetch from the handler. */
  gboolean                 finish_at_once;
} Fixture;

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

/* Monday 30 November 2026, 12:00 UTC. */
static GDateTime *
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

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GDateTime) start = make_time (30, 12, 0);

  g_assert_cmpint (g_date_time_get_day_of_week (start), ==, 1);
  fixture_setup_at (f, start);
}

static void
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

static gint64
now (Fixture *f)
{
  return poste_clock_get_monotonic (f->clock);
}

static void
assert_timers (Fixture *f,
               guint    n)
{
  g_assert_cmpuint (poste_clock_get_n_timeouts (f->clock), ==, n);
}

static void
advance (Fixture *f,
         gint64   microseconds)
{
  poste_clock_advance (f->clock, microseconds);
  /* Never more than one timer. */
  g_assert_cmpuint (poste_clock_get_n_timeouts (f->clock), <=, 1);
}

static void
assert_no_fetch (Fixture *f)
{
  if (f->fetches->len > 0)
    g_error ("unexpected fetch of %s (%s)",
             g_array_index (f->fetches, Fetch, 0).name,
             poste_fetch_reason_to_string (g_array_index (f->fetches, Fetch, 0).reason));
}

/* Takes the oldest fetch recorded, checks it, and returns its time. */
static gint64
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

static PosteProvider *
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

static void
add (Fixture    *f,
     const char *name,
     guint       interval)
{
  g_autoptr(PosteProvider) provider = make_provider (name, interval, NULL, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (poste_scheduler_add_provider (f->scheduler, provider, &error));
  g_assert_no_error (error);
}

static GError *
session_error (PosteSessionError code)
{
  return g_error_new_literal (POSTE_SESSION_ERROR, code, "test failure");
}

static void
fail (Fixture           *f,
      const char        *name,
      PosteSessionError  code)
{
  g_autoptr(GError) error = session_error (code);

  poste_scheduler_fetch_finished (f->scheduler, name, POSTE_SESSION_OUTCOME_FAILED, error);
}

static void
succeed (Fixture    *f,
         const char *name)
{
  poste_scheduler_fetch_finished (f->scheduler, name, POSTE_SESSION_OUTCOME_MAIL, NULL);
}

/* Runs the first fetch that a provider on a schedule gets when added, and finishes it. */
static void
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

/* The clock */

static void
record_cb (gpointer user_data)
{
  GPtrArray *log = user_data;

  g_ptr_array_add (log, g_strdup_printf ("%u", log->len));
}

typedef struct
{
  PosteClock *clock;
  GPtrArray  *log;
  gint64      seen;
} ChainData;

static void
chain_second_cb (gpointer user_data)
{
  ChainData *data = user_data;

  data->seen = poste_clock_get_monotonic (data->clock);
  g_ptr_array_add (data->log, g_strdup ("second"));
}

static void
chain_first_cb (gpointer user_data)
{
  ChainData *data = user_data;

  g_ptr_array_add (data->log, g_strdup ("first"));
  poste_clock_add_timeout (data->clock, poste_clock_get_monotonic (data->clock) + 5 * SEC,
                           chain_second_cb, data);
}

static void
test_clock_manual (void)
{
  g_autoptr(GDateTime) start = make_time (30, 12, 0);
  g_autoptr(PosteClock) clock = poste_clock_new_manual (start, 1);
  g_autoptr(GPtrArray) log = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDateTime) later = NULL;
  ChainData chain = { clock, log, 0 };
  gint64 t0 = poste_clock_get_monotonic (clock);
  guint late, removed;

  g_assert_true (poste_clock_is_manual (clock));
  g_assert_cmpuint (poste_clock_get_n_timeouts (clock), ==, 0);
  g_assert_cmpint (poste_clock_get_next_deadline (clock), ==, -1);
  g_assert_false (poste_clock_advance_to_next (clock));

  /* Armed out of order, run in deadline order. */
  late = poste_clock_add_timeout (clock, t0 + 20 * SEC, record_cb, log);
  poste_clock_add_timeout (clock, t0 + 10 * SEC, record_cb, log);
  removed = poste_clock_add_timeout (clock, t0 + 15 * SEC, record_cb, log);
  g_assert_cmpuint (late, !=, 0);
  g_assert_cmpuint (poste_clock_get_n_timeouts (clock), ==, 3);
  g_assert_cmpint (poste_clock_get_next_deadline (clock), ==, t0 + 10 * SEC);
  poste_clock_remove_timeout (clock, removed);
  g_assert_cmpuint (poste_clock_get_n_timeouts (clock), ==, 2);

  poste_clock_advance (clock, 9 * SEC);
  g_assert_cmpuint (log->len, ==, 0);
  poste_clock_advance (clock, 1 * SEC);
  g_assert_cmpuint (log->len, ==, 1);
  g_assert_cmpuint (poste_clock_get_n_timeouts (clock), ==, 1);
  g_assert_true (poste_clock_advance_to_next (clock));
  g_assert_cmpuint (log->len, ==, 2);
  g_assert_cmpint (poste_clock_get_monotonic (clock), ==, t0 + 20 * SEC);
  g_assert_cmpuint (poste_clock_get_n_timeouts (clock), ==, 0);

  /* The wall clock moves with it. */
  later = poste_clock_get_wall (clock);
  g_assert_cmpint (g_date_time_difference (later, start), ==, 20 * SEC);

  /* A timeout armed by a callback within the step runs within it, at its own deadline. */
  g_ptr_array_set_size (log, 0);
  poste_clock_add_timeout (clock, poste_clock_get_monotonic (clock) + SEC, chain_first_cb, &chain);
  poste_clock_advance (clock, 60 * SEC);
  g_assert_cmpuint (log->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (log, 0), ==, "first");
  g_assert_cmpstr (g_ptr_array_index (log, 1), ==, "second");
  g_assert_cmpint (chain.seen, ==, t0 + 26 * SEC);
  g_assert_cmpint (poste_clock_get_monotonic (clock), ==, t0 + 80 * SEC);

  /* The same seed gives the same numbers. */
  {
    GRand *a = poste_clock_new_rand (clock);
    GRand *b = poste_clock_new_rand (clock);

    g_assert_cmpuint (g_rand_int (a), ==, g_rand_int (b));
    g_rand_free (a);
    g_rand_free (b);
  }
}

static void
real_cb (gpointer user_data)
{
  guint *count = user_data;

  (*count)++;
}

static void
test_clock_real (void)
{
  g_autoptr(PosteClock) clock = poste_clock_new ();
  guint fired = 0, never = 0, id;

  g_assert_false (poste_clock_is_manual (clock));

  /* A timeout removed before its time never runs. */
  id = poste_clock_add_timeout (clock, poste_clock_get_monotonic (clock) + 3600 * SEC, real_cb, &never);
  g_assert_cmpuint (poste_clock_get_n_timeouts (clock), ==, 1);
  poste_clock_remove_timeout (clock, id);
  g_assert_cmpuint (poste_clock_get_n_timeouts (clock), ==, 0);

  /* One that is already due runs from the main context, once. */
  poste_clock_add_timeout (clock, poste_clock_get_monotonic (clock), real_cb, &fired);
  g_assert_cmpuint (fired, ==, 0);
  while (fired == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (fired, ==, 1);
  g_assert_cmpuint (poste_clock_get_n_timeouts (clock), ==, 0);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (fired, ==, 1);
  g_assert_cmpuint (never, ==, 0);
}

/* Active windows */

static void
test_window_parse (void)
{
  static const struct {
    const char *hours;
    const char *days;
    guint       start;
    guint       end;
    guint       mask;
  } good[] = {
    { NULL, NULL, 0, 0, 0x7f },
    { "", "", 0, 0, 0x7f },
    { "08:00-19:00", NULL, 8 * 60, 19 * 60, 0x7f },
    { " 8:30-17:45 ", NULL, 8 * 60 + 30, 17 * 60 + 45, 0x7f },
    { "22:00-06:00", NULL, 22 * 60, 6 * 60, 0x7f },
    { "08:00-24:00", NULL, 8 * 60, 0, 0x7f },
    { NULL, "mon;tue;wed;thu;fri", 0, 0, 0x1f },
    { NULL, "mon;tue;wed;thu;fri;", 0, 0, 0x1f },
    { NULL, "Sat, Sunday", 0, 0, 0x60 },
    { NULL, "mon-fri", 0, 0, 0x1f },
    { NULL, "fri-mon", 0, 0, 0x71 },
  };
  static const struct {
    const char *hours;
    const char *days;
  } bad[] = {
    { "8-19", NULL },
    { "08:00", NULL },
    { "08:00-19:00x", NULL },
    { "25:00-19:00", NULL },
    { "24:00-19:00", NULL },
    { "08:60-19:00", NULL },
    { "08:00-24:01", NULL },
    { "08:0-19:00", NULL },
    { "123:00-19:00", NULL },
    { NULL, "mon;xyz" },
    { NULL, "mo" },
    { NULL, ";;" },
    { NULL, "mon-tue-wed" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      PosteActiveWindow window;
      g_autoptr(GError) error = NULL;

      g_test_message ("good %u: %s / %s", i, good[i].hours, good[i].days);
      g_assert_true (poste_active_window_parse (good[i].hours, good[i].days, &window, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (window.start, ==, good[i].start);
      g_assert_cmpuint (window.end, ==, good[i].end);
      g_assert_cmpuint (window.days, ==, good[i].mask);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      PosteActiveWindow window = { 1, 2, 3 };
      g_autoptr(GError) error = NULL;

      g_test_message ("bad %u: %s / %s", i, bad[i].hours, bad[i].days);
      g_assert_false (poste_active_window_parse (bad[i].hours, bad[i].days, &window, &error));
      g_assert_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INVALID_VALUE);
      g_assert_cmpuint (window.start, ==, 1);
    }
}

static void
assert_next_open (const char *hours,
                  const char *days,
                  GDateTime  *time,
                  GDateTime  *expected)
{
  PosteActiveWindow window;
  g_autoptr(GDateTime) open = NULL;
  g_autofree char *got = NULL;
  g_autofree char *want = NULL;

  g_assert_true (poste_active_window_parse (hours, days, &window, NULL));
  open = poste_active_window_next_open (&window, time);
  g_assert_nonnull (open);
  got = g_date_time_format_iso8601 (open);
  want = g_date_time_format_iso8601 (expected);
  g_assert_cmpstr (got, ==, want);
  g_assert_cmpint (poste_active_window_contains (&window, time), ==, g_date_time_equal (time, expected));
}

static void
test_window_next_open (void)
{
  /* 30 November 2026 is a Monday; 4 December a Friday. */
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GDateTime) mon_0700 = g_date_time_new (utc, 2026, 11, 30, 7, 0, 0);
  g_autoptr(GDateTime) mon_0800 = g_date_time_new (utc, 2026, 11, 30, 8, 0, 0);
  g_autoptr(GDateTime) mon_1200 = g_date_time_new (utc, 2026, 11, 30, 12, 0, 0);
  g_autoptr(GDateTime) mon_1900 = g_date_time_new (utc, 2026, 11, 30, 19, 0, 0);
  g_autoptr(GDateTime) tue_0800 = g_date_time_new (utc, 2026, 12, 1, 8, 0, 0);
  g_autoptr(GDateTime) fri_2000 = g_date_time_new (utc, 2026, 12, 4, 20, 0, 0);
  g_autoptr(GDateTime) next_mon_0000 = g_date_time_new (utc, 2026, 12, 7, 0, 0, 0);
  g_autoptr(GDateTime) next_mon_0800 = g_date_time_new (utc, 2026, 12, 7, 8, 0, 0);

  g_assert_cmpint (g_date_time_get_day_of_week (mon_0700), ==, 1);
  g_assert_cmpint (g_date_time_get_day_of_week (fri_2000), ==, 5);

  /* Inside: itself; before: today's opening; after: tomorrow's; the end is excluded. */
  assert_next_open ("08:00-19:00", NULL, mon_1200, mon_1200);
  assert_next_open ("08:00-19:00", NULL, mon_0800, mon_0800);
  assert_next_open ("08:00-19:00", NULL, mon_0700, mon_0800);
  assert_next_open ("08:00-19:00", NULL, mon_1900, tue_0800);
  /* Days: Friday evening waits for Monday. */
  assert_next_open ("08:00-19:00", "mon-fri", fri_2000, next_mon_0800);
  assert_next_open (NULL, "mon", fri_2000, next_mon_0000);
  assert_next_open (NULL, NULL, fri_2000, fri_2000);
  assert_next_open ("00:00-24:00", "fri", fri_2000, fri_2000);
}

static void
test_window_wrap (void)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GDateTime) mon_2300 = g_date_time_new (utc, 2026, 11, 30, 23, 0, 0);
  g_autoptr(GDateTime) tue_0300 = g_date_time_new (utc, 2026, 12, 1, 3, 0, 0);
  g_autoptr(GDateTime) tue_0700 = g_date_time_new (utc, 2026, 12, 1, 7, 0, 0);
  g_autoptr(GDateTime) tue_2200 = g_date_time_new (utc, 2026, 12, 1, 22, 0, 0);
  g_autoptr(GDateTime) sat_0300 = g_date_time_new (utc, 2026, 12, 5, 3, 0, 0);
  g_autoptr(GDateTime) mon_2200 = g_date_time_new (utc, 2026, 12, 7, 22, 0, 0);

  /* A night window belongs to the day it opens on. */
  assert_next_open ("22:00-06:00", NULL, mon_2300, mon_2300);
  assert_next_open ("22:00-06:00", NULL, tue_0300, tue_0300);
  assert_next_open ("22:00-06:00", NULL, tue_0700, tue_2200);
  /* Friday night's window is still open early on Saturday; Saturday's own is not allowed. */
  assert_next_open ("22:00-06:00", "mon-fri", sat_0300, sat_0300);
  /* Monday night's window still holds Tuesday 03:00; Tuesday 07:00 waits a week. */
  assert_next_open ("22:00-06:00", "mon", tue_0300, tue_0300);
  assert_next_open ("22:00-06:00", "mon", tue_0700, mon_2200);
}

/* Triggers */

static void
test_interval (Fixture       *f,
               gconstpointer  data)
{
  gint64 last, low, high, first_delay = -1;
  gboolean varied = FALSE;
  g_autoptr(GDateTime) next = NULL;

  add (f, "acme", 15);
  g_assert_cmpint (poste_scheduler_get_state (f->scheduler, "acme"), ==, POSTE_SCHEDULE_STATE_WAITING);
  g_assert_cmpint (poste_scheduler_get_next_fetch_monotonic (f->scheduler, "acme"), ==, now (f));
  assert_timers (f, 1);

  /* The first fetch comes at once. */
  advance (f, 0);
  last = take_fetch (f, "acme", POSTE_FETCH_REASON_SCHEDULE);
  g_assert_cmpint (last, ==, f->start);
  /* While it runs, nothing is due: no timer. */
  assert_timers (f, 0);
  g_assert_cmpint (poste_scheduler_get_next_fetch_monotonic (f->scheduler, "acme"), ==, -1);
  g_assert_null (poste_scheduler_get_next_fetch (f->scheduler, "acme"));
  advance (f, HOUR);
  assert_no_fetch (f);

  /* Then every 15 minutes, counted from the end of the last, within 5 %, never the same twice
   * in a row for long. */
  low = 15 * MINUTE - 15 * MINUTE / 20;
  high = 15 * MINUTE + 15 * MINUTE / 20;
  for (guint i = 0; i < 20; i++)
    {
      gint64 ended = now (f), next_time, delay;

      succeed (f, "acme");
      assert_timers (f, 1);
      next_time = poste_scheduler_get_next_fetch_monotonic (f->scheduler, "acme");
      g_assert_cmpint (poste_clock_get_next_deadline (f->clock), ==, next_time);
      delay = next_time - ended;
      g_assert_cmpint (delay, >=, low);
      g_assert_cmpint (delay, <=, high);
      if (first_delay < 0)
        first_delay = delay;
      else if (delay != first_delay)
        varied = TRUE;

      /* Nothing before it, exactly one fetch at it. */
      advance (f, delay - 1);
      assert_no_fetch (f);
      advance (f, 1);
      g_assert_cmpint (take_fetch (f, "acme", POSTE_FETCH_REASON_SCHEDULE), ==, next_time);
      assert_no_fetch (f);
      assert_timers (f, 0);
    }
  g_assert_true (varied);

  /* The wall time of the next fetch is shown too. */
  succeed (f, "acme");
  next = poste_scheduler_get_next_fetch (f->scheduler, "acme");
  g_assert_nonnull (next);
  {
    g_autoptr(GDateTime) wall = poste_clock_get_wall (f->clock);

    g_assert_cmpint (g_date_time_difference (next, wall), ==,
                     poste_scheduler_get_next_fetch_monotonic (f->scheduler, "acme") - now (f));
  }
}

static void
test_no_jitter (Fixture       *f,
                gconstpointer  data)
{
  poste_scheduler_set_jitter (f->scheduler, 0.0);
  g_assert_cmpfloat (poste_scheduler_get_jitter (f->scheduler), ==, 0.0);
  add_and_fetch (f, "acme", 10);
  g_assert_cmpint (poste_scheduler_get_next_fetch_monotonic (f->scheduler, "acme"), ==,
                   now (f) + 10 * MINUTE);
  advance (f, 10 * MINUTE);
  take_fetch (f, "acme", POSTE_FETCH_REASON_SCHEDULE);
}

static void
test_on_demand (Fixture       *f,
                gconstpointer  data)
{
  add (f, "manual-only", 0);
  g_assert_cmpint (poste_scheduler_get_state (f->scheduler, "manual-only"), ==,
                   POSTE_SCHEDULE_STATE_ON_DEMAND);
  assert_timers (f, 0);
  advance (f, 7 * DAY);
  assert_no_fetch (f);

  /* Network and resume leave it alone. */
  poste_test_network_monitor_set (f->monitor, G_NETWORK_CONNECTIVITY_LOCAL);
  poste_test_network_monitor_set (f->monitor, G_NETWORK_CONNECTIVITY_FULL);
  _poste_scheduler_resumed (f->scheduler);
  assert_timers (f, 0);
  advance (f, HOUR);
  assert_no_fetch (f);

  /* The user asks: one fetch, from the clock's next dispatch. */
  g_assert_true (poste_scheduler_request_fetch (f->scheduler, "manual-only"));
  assert_no_fetch (f);
  assert_timers (f, 1);
  advance (f, 0);
  take_fetch (f, "manual-only", POSTE_FETCH_REASON_MANUAL);
  assert_timers (f, 0);

  /* A failure is not retried: the user asked once. */
  fail (f, "manual-only", POSTE_SESSION_ERROR_TRY_LATER);
  assert_timers (f, 0);
  advance (f, DAY);
  assert_no_fetch (f);
  g_assert_cmpuint (poste_scheduler_get_failures (f->scheduler, "manual-only"), ==, 1);

  g_assert_false (poste_scheduler_request_fetch (f->scheduler, "nobody"));
  assert_timers (f, 0);
}

static void
test_active_window (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(PosteProvider) provider = make_provider ("office", 120, "08:00-19:00", "mon-fri");
  g_autoptr(GDateTime) next = NULL;
  g_autoptr(GDateTime) monday = NULL;
  g_autoptr(GDateTime) wall = NULL;
  g_autoptr(GError) error = NULL;
  gint64 opens;

  poste_scheduler_set_jitter (f->scheduler, 0.0);

  /* Monday 12:00 is inside: the first fetch comes at once. */
  g_assert_true (poste_scheduler_add_provider (f->scheduler, provider, &error));
  g_assert_no_error (error);
  advance (f, 0);
  take_fetch (f, "office", POSTE_FETCH_REASON_SCHEDULE);

  /* Monday 18:00: the next would be 20:00, outside; it waits for Tuesday 08:00. */
  advance (f, 6 * HOUR);
  succeed (f, "office");
  next = poste_scheduler_get_next_fetch (f->scheduler, "office");
  {
    g_autofree char *text = g_date_time_format_iso8601 (next);

    g_assert_cmpstr (text, ==, "2026-12-01T08:00:00Z");
  }
  opens = poste_scheduler_get_next_fetch_monotonic (f->scheduler, "office");
  g_assert_cmpint (opens, ==, now (f) + 14 * HOUR);
  assert_timers (f, 1);
  g_assert_cmpint (poste_clock_get_next_deadline (f->clock), ==, opens);
  advance (f, 14 * HOUR - 1);
  assert_no_fetch (f);
  advance (f, 1);
  take_fetch (f, "office", POSTE_FETCH_REASON_SCHEDULE);

  /* Retries wait for the window too: Friday 18:59 a failure, retry in a minute, so Monday. */
  advance (f, 3 * DAY + 10 * HOUR + 59 * MINUTE);
  wall = poste_clock_get_wall (f->clock);
  g_assert_cmpint (g_date_time_get_day_of_week (wall), ==, 5);
  g_assert_cmpint (g_date_time_get_hour (wall), ==, 18);
  fail (f, "office", POSTE_SESSION_ERROR_TRY_LATER);
  g_assert_cmpint (poste_scheduler_get_state (f->scheduler, "office"), ==, POSTE_SCHEDULE_STATE_RETRYING);
  monday = poste_scheduler_get_next_fetch (f->scheduler, "office");
  {
    g_autofree char *text = g_date_time_format_iso8601 (monday);

    g_assert_cmpstr (text, ==, "2026-12-07T08:00:00Z");
  }

  /* A network event at the weekend waits as well; the user does not. */
  poste_test_network_monitor_set (f->monitor, G_NETWORK_CONNECTIVITY_LOCAL);
  advance (f, DAY);
  poste_test_network_monitor_set (f->monitor, G_NETWORK_CONNECTIVITY_FULL);
  advance (f, HOUR);
  assert_no_fetch (f);
  assert_timers (f, 1);
  poste_scheduler_request_fetch (f->scheduler, "office");
  advance (f, 0);
  take_fetch (f, "office", POSTE_FETCH_REASON_MANUAL);
  fail (f, "office", POSTE_SESSION_ERROR_TRY_LATER);
  g_clear_pointer (&monday, g_date_time_unref);
  monday = poste_scheduler_get_next_fetch (f->scheduler, "office");
  {
    g_autofree char *text = g_date_time_format_iso8601 (monday);

    g_assert_cmpstr (text, ==, "2026-12-07T08:00:00Z");
  }
  g_assert_true (poste_clock_advance_to_next (f->clock));
  take_fetch (f, "office", POSTE_FETCH_REASON_RETRY);
  g_clear_pointer (&wall, g_date_time_unref);
  wall = poste_clock_get_wall (f->clock);
  {
    g_autofree char *text = g_date_time_format_iso8601 (wall);

    g_assert_cmpstr (text, ==, "2026-12-07T08:00:00Z");
  }

  /* Changing the window takes effect at once; a bad one is refused and changes nothing. */
  succeed (f, "office");
  poste_provider_set_active_hours (provider, "25:00-26:00");
  g_assert_false (poste_scheduler_update_provider (f->scheduler, provider, &error));
  g_assert_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INVALID_VALUE);
  g_clear_error (&error);
  g_assert_cmpint (poste_scheduler_get_next_fetch_monotonic (f->scheduler, "office"), ==,
                   now (f) + 2 * HOUR);
  poste_provider_set_active_hours (provider, "12:00-13:00");
  g_assert_true (poste_scheduler_update_provider (f->scheduler, provider, &error));
  g_assert_no_error (error);
  g_assert_cmpint (poste_scheduler_get_next_fetch_monotonic (f->scheduler, "office"), ==,
                   now (f) + 4 * HOUR);
  assert_timers (f, 1);
  g_assert_cmpint (poste_clock_get_next_deadline (f->clock), ==, now (f) + 4 * HOUR);
}

static void
test_add_bad_window (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(PosteProvider) provider = make_provider ("bad", 15, NULL, "someday");
  g_autoptr(GError) error = NULL;

  g_assert_false (poste_scheduler_add_provider (f->scheduler, provider, &error));
  g_assert_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INVALID_VALUE);
  g_assert_false (poste_scheduler_has_provider (f->scheduler, "bad"));
  assert_timers (f, 0);
}

static void
test_network (Fixture       *f,
              gconstpointer  data)
{
  gint64 up, next;

  poste_test_network_monitor_set (f->monitor, G_NETWORK_CONNECTIVITY_LOCAL);
  add_and_fetch (f, "acme", 60);
  add_and_fetch (f, "later", 60);
  add (f, "on-demand", 0);
  assert_timers (f, 1);
  advance (f, 10 * MINUTE);

  /* Limited is not up. */
  poste_test_network_monitor_set (f->monitor, G_NETWORK_CONNECTIVITY_LIMITED);
  advance (f, MINUTE);
  assert_no_fetch (f);

  /* Up, then flapping within the delay: one fetch per provider on a schedule, after the delay. */
  up = now (f);
  poste_test_network_monitor_set (f->monitor, G_NETWORK_CONNECTIVITY_FULL);
  assert_timers (f, 1);
  g_assert_cmpint (poste_clock_get_next_deadline (f->clock), ==, up + POSTE_SCHEDULER_NETWORK_DELAY);
  advance (f, SEC);
  poste_test_network_monitor_set (f->monitor, G_NETWORK_CONNECTIVITY_LOCAL);
  advance (f, SEC);
  poste_test_network_monitor_set (f->monitor, G_NETWORK_CONNECTIVITY_FULL);
  poste_test_network_monitor_set (f->monitor, G_NETWORK_CONNECTIVITY_FULL);
  advance (f, POSTE_SCHEDULER_NETWORK_DELAY - 2 * SEC - 1);
  assert_no_fetch (f);
  advance (f, 1);
  g_assert_cmpint (take_fetch (f, "acme", POSTE_FETCH_REASON_NETWORK), ==, up + POSTE_SCHEDULER_NETWORK_DELAY);
  take_fetch (f, "later", POSTE_FETCH_REASON_NETWORK);
  assert_no_fetch (f);
  assert_timers (f, 0);
  succeed (f, "acme");
  succeed (f, "later");

  /* Still up ("network-changed" for a route change): nothing. */
  next = poste_clock_get_next_deadline (f->clock);
  poste_test_network_monitor_set (f->monitor, G_NETWORK_CONNECTIVITY_FULL);
  g_assert_cmpint (poste_clock_get_next_deadline (f->clock), ==, next);
  advance (f, 30 * MINUTE);
  assert_no_fetch (f);

  /* Up while a fetch runs: one more fetch once it ends. */
  poste_scheduler_request_fetch (f->scheduler, "acme");
  advance (f, 0);
  take_fetch (f, "acme", POSTE_FETCH_REASON_MANUAL);
  poste_test_network_monitor_set (f->monitor, G_NETWORK_CONNECTIVITY_LOCAL);
  poste_test_network_monitor_set (f->monitor, G_NETWORK_CONNECTIVITY_FULL);
  succeed (f, "acme");
  g_assert_cmpint (poste_scheduler_get_next_fetch_monotonic (f->scheduler, "acme"), ==,
                   now (f) + POSTE_SCHEDULER_NETWORK_DELAY);
  /* ... and "later" got its own. */
  advance (f, POSTE_SCHEDULER_NETWORK_DELAY);
  take_fetch (f, "acme", POSTE_FETCH_REASON_NETWORK);
  take_fetch (f, "later", POSTE_FETCH_REASON_NETWORK);
  assert_no_fetch (f);
}

static void
test_resume (Fixture       *f,
             gconstpointer  data)
{
  gint64 resumed;

  add_and_fetch (f, "acme", 60);
  add (f, "on-demand", 0);
  advance (f, 10 * MINUTE);

  resumed = now (f);
  _poste_scheduler_resumed (f->scheduler);
  /* A network event meanwhile does not add a second fetch. */
  poste_test_network_monitor_set (f->monitor, G_NETWORK_CONNECTIVITY_LOCAL);
  poste_test_network_monitor_set (f->monitor, G_NETWORK_CONNECTIVITY_FULL);
  _poste_scheduler_resumed (f->scheduler);
  assert_timers (f, 1);
  advance (f, POSTE_SCHEDULER_RESUME_DELAY);
  /* The network came up a moment after the resume: its shorter delay wins, one fetch. */
  g_assert_cmpint (take_fetch (f, "acme", POSTE_FETCH_REASON_NETWORK), ==,
                   resumed + POSTE_SCHEDULER_NETWORK_DELAY);
  assert_no_fetch (f);
  succeed (f, "acme");

  advance (f, 10 * MINUTE);
  resumed = now (f);
  _poste_scheduler_resumed (f->scheduler);
  advance (f, POSTE_SCHEDULER_RESUME_DELAY - 1);
  assert_no_fetch (f);
  advance (f, 1);
  g_assert_cmpint (take_fetch (f, "acme", POSTE_FETCH_REASON_RESUME), ==,
                   resumed + POSTE_SCHEDULER_RESUME_DELAY);
  assert_no_fetch (f);
}

static GDBusConnection *
connect_to (const char *address)
{
  g_autoptr(GError) error = NULL;
  GDBusConnection *connection;

  connection = g_dbus_connection_new_for_address_sync (address,
                                                       G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                       G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                       NULL, NULL, &error);
  g_assert_no_error (error);
  return connection;
}

static void
emit_prepare_for_sleep (GDBusConnection *logind,
                        gboolean         start)
{
  g_autoptr(GError) error = NULL;

  g_dbus_connection_emit_signal (logind, NULL, "/org/freedesktop/login1",
                                 "org.freedesktop.login1.Manager", "PrepareForSleep",
                                 g_variant_new ("(b)", start), &error);
  g_assert_no_error (error);
  g_dbus_connection_flush_sync (logind, NULL, &error);
  g_assert_no_error (error);
}

static void
test_resume_dbus (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GTestDBus) bus = NULL;
  g_autoptr(GDBusConnection) watcher = NULL;
  g_autoptr(GDBusConnection) logind = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *daemon = g_find_program_in_path ("dbus-daemon");
  guint32 result;
  gint64 resumed;

  if (daemon == NULL)
    {
      poste_test_missing ("dbus-daemon is not installed (Debian package dbus)");
      return;
    }

  /* A private bus stands in for the system bus; one connection plays logind. */
  bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (bus);
  watcher = connect_to (g_test_dbus_get_bus_address (bus));
  logind = connect_to (g_test_dbus_get_bus_address (bus));
  reply = g_dbus_connection_call_sync (logind, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "RequestName",
                                       g_variant_new ("(su)", "org.freedesktop.login1", 4),
                                       G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                                       &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(u)", &result);
  g_assert_cmpuint (result, ==, 1);
  g_clear_pointer (&reply, g_variant_unref);

  _poste_scheduler_watch_sleep (f->scheduler, watcher);
  /* A round trip after the subscription: the bus has the match rule. */
  reply = g_dbus_connection_call_sync (watcher, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "GetId", NULL,
                                       G_VARIANT_TYPE ("(s)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                                       &error);
  g_assert_no_error (error);

  add_and_fetch (f, "acme", 60);
  advance (f, 10 * MINUTE);

  /* Going to sleep, then resuming: one fetch, after the resume delay. */
  resumed = now (f);
  emit_prepare_for_sleep (logind, TRUE);
  emit_prepare_for_sleep (logind, FALSE);
  while (poste_scheduler_get_next_fetch_monotonic (f->scheduler, "acme") != resumed + POSTE_SCHEDULER_RESUME_DELAY)
    g_main_context_iteration (NULL, TRUE);
  assert_timers (f, 1);
  advance (f, POSTE_SCHEDULER_RESUME_DELAY);
  g_assert_cmpint (take_fetch (f, "acme", POSTE_FETCH_REASON_RESUME), ==,
                   resumed + POSTE_SCHEDULER_RESUME_DELAY);
  assert_no_fetch (f);
  succeed (f, "acme");

  /* Going to sleep alone asks for nothing. */
  emit_prepare_for_sleep (logind, TRUE);
  g_clear_pointer (&reply, g_variant_unref);
  reply = g_dbus_connection_call_sync (watcher, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "GetId", NULL,
                                       G_VARIANT_TYPE ("(s)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                                       &error);
  g_assert_no_error (error);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpint (poste_scheduler_get_next_fetch_monotonic (f->scheduler, "acme"), >, now (f) + 50 * MINUTE);

  g_dbus_connection_close_sync (logind, NULL, NULL);
  g_dbus_connection_close_sync (watcher, NULL, NULL);
  g_test_dbus_down (bus);
}

static void
test_manual (Fixture       *f,
             gconstpointer  data)
{
  add_and_fetch (f, "a", 60);
  add_and_fetch (f, "b", 60);
  advance (f, MINUTE);

  /* NULL: every provider. */
  g_assert_true (poste_scheduler_request_fetch (f->scheduler, NULL));
  assert_timers (f, 1);
  g_assert_cmpint (poste_clock_get_next_deadline (f->clock), ==, now (f));
  advance (f, 0);
  take_fetch (f, "a", POSTE_FETCH_REASON_MANUAL);
  take_fetch (f, "b", POSTE_FETCH_REASON_MANUAL);
  assert_no_fetch (f);
  assert_timers (f, 0);

  /* A manual fetch cuts a backoff short. */
  fail (f, "a", POSTE_SESSION_ERROR_TRY_LATER);
  fail (f, "b", POSTE_SESSION_ERROR_REFUSED);
  g_assert_cmpint (poste_scheduler_get_state (f->scheduler, "b"), ==, POSTE_SCHEDULE_STATE_RETRYING);
  poste_scheduler_request_fetch (f->scheduler, "b");
  advance (f, 0);
  take_fetch (f, "b", POSTE_FETCH_REASON_MANUAL);
  assert_no_fetch (f);
  succeed (f, "b");
  g_assert_cmpuint (poste_scheduler_get_failures (f->scheduler, "b"), ==, 0);
  g_assert_cmpuint (poste_scheduler_get_failures (f->scheduler, "a"), ==, 1);
}

static void
test_coalesce (Fixture       *f,
               gconstpointer  data)
{
  add_and_fetch (f, "acme", 60);
  advance (f, MINUTE);

  /* Two requests before the fetch starts: one fetch. */
  poste_scheduler_request_fetch (f->scheduler, "acme");
  poste_scheduler_request_fetch (f->scheduler, NULL);
  advance (f, 0);
  take_fetch (f, "acme", POSTE_FETCH_REASON_MANUAL);
  assert_no_fetch (f);
  assert_timers (f, 0);

  /* Requests during the fetch: nothing while it runs, exactly one more after it. */
  poste_scheduler_request_fetch (f->scheduler, "acme");
  poste_scheduler_request_fetch (f->scheduler, "acme");
  _poste_scheduler_resumed (f->scheduler);
  poste_scheduler_request_fetch (f->scheduler, NULL);
  assert_timers (f, 0);
  advance (f, HOUR);
  assert_no_fetch (f);
  g_assert_cmpint (poste_scheduler_get_state (f->scheduler, "acme"), ==, POSTE_SCHEDULE_STATE_FETCHING);

  succeed (f, "acme");
  assert_timers (f, 1);
  advance (f, 0);
  take_fetch (f, "acme", POSTE_FETCH_REASON_MANUAL);
  assert_no_fetch (f);
  succeed (f, "acme");

  /* And then only the schedule. */
  assert_timers (f, 1);
  advance (f, 2 * HOUR);
  take_fetch (f, "acme", POSTE_FETCH_REASON_SCHEDULE);
  assert_no_fetch (f);
}

static void
test_reentrant (Fixture       *f,
                gconstpointer  data)
{
  /* A front end that finishes from the handler itself. */
  f->finish_at_once = TRUE;
  poste_scheduler_set_jitter (f->scheduler, 0.0);
  add (f, "a", 30);
  add (f, "b", 30);
  advance (f, 0);
  take_fetch (f, "a", POSTE_FETCH_REASON_SCHEDULE);
  take_fetch (f, "b", POSTE_FETCH_REASON_SCHEDULE);
  assert_no_fetch (f);
  assert_timers (f, 1);
  advance (f, 32 * MINUTE);
  take_fetch (f, "a", POSTE_FETCH_REASON_SCHEDULE);
  take_fetch (f, "b", POSTE_FETCH_REASON_SCHEDULE);
  assert_no_fetch (f);
  assert_timers (f, 1);
}

/* Backoff */

static gint64
fail_and_wait (Fixture           *f,
               const char        *name,
               PosteSessionError  code)
{
  gint64 failed = now (f), delay;

  fail (f, name, code);
  assert_timers (f, 1);
  delay = poste_scheduler_get_next_fetch_monotonic (f->scheduler, name) - failed;
  advance (f, delay - 1);
  assert_no_fetch (f);
  advance (f, 1);
  take_fetch (f, name, POSTE_FETCH_REASON_RETRY);
  assert_no_fetch (f);
  return delay;
}

static void
test_backoff (Fixture       *f,
              gconstpointer  data)
{
  static const gint64 long_interval[] = { 1, 2, 4, 8, 16, 32, 60, 60, 60 };
  static const gint64 short_interval[] = { 1, 2, 4, 8, 16, 32, 60, 60 };

  poste_scheduler_set_jitter (f->scheduler, 0.0);

  /* A day's interval: capped at an hour. */
  add_and_fetch (f, "daily", 24 * 60);
  poste_scheduler_request_fetch (f->scheduler, "daily");
  advance (f, 0);
  take_fetch (f, "daily", POSTE_FETCH_REASON_MANUAL);
  for (guint i = 0; i < G_N_ELEMENTS (long_interval); i++)
    {
      g_assert_cmpint (fail_and_wait (f, "daily", POSTE_SESSION_ERROR_DELIVERY), ==,
                       long_interval[i] * MINUTE);
      g_assert_cmpuint (poste_scheduler_get_failures (f->scheduler, "daily"), ==, i + 1);
    }
  /* Success resets it: the interval again. */
  succeed (f, "daily");
  g_assert_cmpint (poste_scheduler_get_state (f->scheduler, "daily"), ==, POSTE_SCHEDULE_STATE_WAITING);
  g_assert_cmpint (poste_scheduler_get_next_fetch_monotonic (f->scheduler, "daily"), ==, now (f) + DAY);
  g_assert_true (poste_scheduler_remove_provider (f->scheduler, "daily"));
  assert_timers (f, 0);

  /* A half-hour interval: the backoff grows past it, to the same hour. Other errors count the
   * same. */
  add (f, "half", 30);
  advance (f, 0);
  take_fetch (f, "half", POSTE_FETCH_REASON_SCHEDULE);
  for (guint i = 0; i < G_N_ELEMENTS (short_interval); i++)
    g_assert_cmpint (fail_and_wait (f, "half", i % 2 ? POSTE_SESSION_ERROR_TLS_REQUIRED
                                                     : POSTE_SESSION_ERROR_DELIVERY), ==,
                     short_interval[i] * MINUTE);

  /* A failure without an error (a network error in another domain) backs off too. */
  {
    g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "timed out");

    poste_scheduler_fetch_finished (f->scheduler, "half", POSTE_SESSION_OUTCOME_FAILED, error);
    g_assert_cmpint (poste_scheduler_get_next_fetch_monotonic (f->scheduler, "half"), ==,
                     now (f) + POSTE_SCHEDULER_RETRY_CAP);
  }

  /* Cancelled by the user: not a failure, the interval. */
  g_assert_true (poste_clock_advance_to_next (f->clock));
  take_fetch (f, "half", POSTE_FETCH_REASON_RETRY);
  poste_scheduler_fetch_finished (f->scheduler, "half", POSTE_SESSION_OUTCOME_CANCELLED, NULL);
  g_assert_cmpint (poste_scheduler_get_next_fetch_monotonic (f->scheduler, "half"), ==,
                   now (f) + 30 * MINUTE);
}

/* interval=1 and a provider down for a long time: it is not contacted every minute. */
static void
test_backoff_short_interval (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GDateTime) wall_before = NULL;
  g_autoptr(GDateTime) next = NULL;
  gint64 start, next_monotonic;
  guint attempts = 1;

  poste_scheduler_set_jitter (f->scheduler, 0.0);
  add (f, "fast", 1);
  advance (f, 0);
  take_fetch (f, "fast", POSTE_FETCH_REASON_SCHEDULE);
  start = now (f);
  fail (f, "fast", POSTE_SESSION_ERROR_DELIVERY);

  /* Minute by minute for an hour: every retry fails again. */
  for (guint minute = 1; minute <= 60; minute++)
    {
      advance (f, MINUTE);
      while (f->fetches->len > 0)
        {
          take_fetch (f, "fast", POSTE_FETCH_REASON_RETRY);
          fail (f, "fast", POSTE_SESSION_ERROR_DELIVERY);
          attempts++;
        }
    }
  /* At 0, 1, 3, 7, 15 and 31 minutes; the next at 63, then every hour. */
  g_assert_cmpuint (attempts, ==, 6);
  g_assert_cmpint (poste_scheduler_get_next_fetch_monotonic (f->scheduler, "fast"), ==,
                   start + 63 * MINUTE);
  g_assert_cmpint (poste_scheduler_get_state (f->scheduler, "fast"), ==,
                   POSTE_SCHEDULE_STATE_RETRYING);

  /* The front ends show it as a wall time: the same distance ahead. */
  next_monotonic = poste_scheduler_get_next_fetch_monotonic (f->scheduler, "fast");
  wall_before = poste_clock_get_wall (f->clock);
  next = poste_scheduler_get_next_fetch (f->scheduler, "fast");
  g_assert_nonnull (next);
  g_assert_cmpint (g_date_time_difference (next, wall_before), ==, next_monotonic - now (f));

  advance (f, 3 * MINUTE);
  take_fetch (f, "fast", POSTE_FETCH_REASON_RETRY);
  g_assert_cmpint (fail_and_wait (f, "fast", POSTE_SESSION_ERROR_DELIVERY), ==,
                   POSTE_SCHEDULER_RETRY_CAP);

  /* A success goes back to the interval at once. */
  succeed (f, "fast");
  g_assert_cmpint (poste_scheduler_get_next_fetch_monotonic (f->scheduler, "fast"), ==,
                   now (f) + MINUTE);
  g_assert_cmpuint (poste_scheduler_get_failures (f->scheduler, "fast"), ==, 0);
}

static void
test_backoff_jitter (Fixture       *f,
                     gconstpointer  data)
{
  /* With the default jitter each step stays within 5 % of its nominal value. */
  static const gint64 nominal[] = { 1, 2, 4, 8, 16, 32, 60 };

  add (f, "acme", 120);
  advance (f, 0);
  take_fetch (f, "acme", POSTE_FETCH_REASON_SCHEDULE);
  for (guint i = 0; i < G_N_ELEMENTS (nominal); i++)
    {
      gint64 delay = fail_and_wait (f, "acme", POSTE_SESSION_ERROR_DELIVERY);

      g_assert_cmpint (delay, >=, nominal[i] * MINUTE * 95 / 100);
      g_assert_cmpint (delay, <=, nominal[i] * MINUTE * 105 / 100);
    }
}

static void
test_refused (Fixture       *f,
              gconstpointer  data)
{
  static const gint64 fifteen[] = { 15, 30, 60, 120, 120 };

  poste_scheduler_set_jitter (f->scheduler, 0.0);

  add (f, "busy", 15);
  advance (f, 0);
  take_fetch (f, "busy", POSTE_FETCH_REASON_SCHEDULE);
  for (guint i = 0; i < G_N_ELEMENTS (fifteen); i++)
    g_assert_cmpint (fail_and_wait (f, "busy", POSTE_SESSION_ERROR_REFUSED), ==, fifteen[i] * MINUTE);

  /* Network and resume events do not cut a 450 backoff short. */
  fail (f, "busy", POSTE_SESSION_ERROR_REFUSED);
  poste_test_network_monitor_set (f->monitor, G_NETWORK_CONNECTIVITY_LOCAL);
  poste_test_network_monitor_set (f->monitor, G_NETWORK_CONNECTIVITY_FULL);
  _poste_scheduler_resumed (f->scheduler);
  g_assert_cmpint (poste_scheduler_get_next_fetch_monotonic (f->scheduler, "busy"), ==,
                   now (f) + 120 * MINUTE);
  advance (f, HOUR);
  assert_no_fetch (f);

  /* A success ends it; a later ordinary failure starts again at a minute. */
  advance (f, HOUR);
  take_fetch (f, "busy", POSTE_FETCH_REASON_RETRY);
  succeed (f, "busy");
  advance (f, 15 * MINUTE);
  take_fetch (f, "busy", POSTE_FETCH_REASON_SCHEDULE);
  g_assert_cmpint (fail_and_wait (f, "busy", POSTE_SESSION_ERROR_DELIVERY), ==, MINUTE);

  /* A long interval: never sooner than it. */
  add (f, "slow", 180);
  advance (f, 0);
  take_fetch (f, "slow", POSTE_FETCH_REASON_SCHEDULE);
  fail (f, "slow", POSTE_SESSION_ERROR_REFUSED);
  g_assert_cmpint (poste_scheduler_get_next_fetch_monotonic (f->scheduler, "slow"), ==,
                   now (f) + 180 * MINUTE);
}

/* 451 (a local error at the provider) is backed off as 450 is, even with interval=1, and the
 * network coming back does not cut it short either. */
static void
test_try_later (Fixture       *f,
                gconstpointer  data)
{
  static const gint64 fifteen[] = { 15, 30, 60, 120, 120 };

  poste_scheduler_set_jitter (f->scheduler, 0.0);
  add (f, "local-error", 1);
  advance (f, 0);
  take_fetch (f, "local-error", POSTE_FETCH_REASON_SCHEDULE);
  for (guint i = 0; i < G_N_ELEMENTS (fifteen); i++)
    g_assert_cmpint (fail_and_wait (f, "local-error", POSTE_SESSION_ERROR_TRY_LATER), ==,
                     fifteen[i] * MINUTE);
  fail (f, "local-error", POSTE_SESSION_ERROR_TRY_LATER);
  poste_test_network_monitor_set (f->monitor, G_NETWORK_CONNECTIVITY_LOCAL);
  poste_test_network_monitor_set (f->monitor, G_NETWORK_CONNECTIVITY_FULL);
  advance (f, POSTE_SCHEDULER_NETWORK_DELAY);
  assert_no_fetch (f);
  g_assert_cmpint (poste_scheduler_get_next_fetch_monotonic (f->scheduler, "local-error"), ==,
                   now (f) - POSTE_SCHEDULER_NETWORK_DELAY + 120 * MINUTE);
  g_assert_cmpint (poste_scheduler_get_state (f->scheduler, "local-error"), ==,
                   POSTE_SCHEDULE_STATE_RETRYING);

  /* The user may still ask at once. */
  g_assert_true (poste_scheduler_request_fetch (f->scheduler, "local-error"));
  advance (f, 0);
  take_fetch (f, "local-error", POSTE_FETCH_REASON_MANUAL);
}

static void
test_auth (Fixture       *f,
           gconstpointer  data)
{
  static const PosteSessionError codes[] = {
    POSTE_SESSION_ERROR_AUTH_FAILED,
    POSTE_SESSION_ERROR_AUTH_REQUIRED,
    POSTE_SESSION_ERROR_AUTH_UNAVAILABLE,
  };
  g_autoptr(PosteProvider) provider = make_provider ("acme", 15, NULL, NULL);

  g_assert_true (poste_scheduler_add_provider (f->scheduler, provider, NULL));

  for (guint i = 0; i < G_N_ELEMENTS (codes); i++)
    {
      g_test_message ("error code %d", codes[i]);
      advance (f, 0);
      take_fetch (f, "acme", i == 0 ? POSTE_FETCH_REASON_SCHEDULE : POSTE_FETCH_REASON_RETRY);
      fail (f, "acme", codes[i]);

      /* Stopped: no timer, no fetch, whatever happens. */
      g_assert_cmpint (poste_scheduler_get_state (f->scheduler, "acme"), ==, POSTE_SCHEDULE_STATE_STOPPED);
      g_assert_null (poste_scheduler_get_next_fetch (f->scheduler, "acme"));
      assert_timers (f, 0);
      poste_test_network_monitor_set (f->monitor, G_NETWORK_CONNECTIVITY_LOCAL);
      poste_test_network_monitor_set (f->monitor, G_NETWORK_CONNECTIVITY_FULL);
      _poste_scheduler_resumed (f->scheduler);
      poste_scheduler_set_paused (f->scheduler, TRUE);
      poste_scheduler_set_paused (f->scheduler, FALSE);
      assert_timers (f, 0);
      advance (f, 7 * DAY);
      assert_no_fetch (f);

      /* The user asks: it runs; failing again stops again. */
      poste_scheduler_request_fetch (f->scheduler, "acme");
      advance (f, 0);
      take_fetch (f, "acme", POSTE_FETCH_REASON_MANUAL);
      fail (f, "acme", codes[i]);
      assert_timers (f, 0);
      advance (f, DAY);
      assert_no_fetch (f);

      /* The configuration changes: tried again at once, and the schedule is back. */
      poste_provider_set_username (provider, i % 2 ? "a" : "b");
      g_assert_true (poste_scheduler_update_provider (f->scheduler, provider, NULL));
      g_assert_cmpint (poste_scheduler_get_state (f->scheduler, "acme"), ==, POSTE_SCHEDULE_STATE_WAITING);
      g_assert_cmpuint (poste_scheduler_get_failures (f->scheduler, "acme"), ==, 0);
      assert_timers (f, 1);
    }

  advance (f, 0);
  take_fetch (f, "acme", POSTE_FETCH_REASON_RETRY);
  succeed (f, "acme");
  advance (f, 16 * MINUTE);
  take_fetch (f, "acme", POSTE_FETCH_REASON_SCHEDULE);

  /* A manual fetch that works also lifts the stop. */
  fail (f, "acme", POSTE_SESSION_ERROR_AUTH_FAILED);
  poste_scheduler_request_fetch (f->scheduler, "acme");
  advance (f, 0);
  take_fetch (f, "acme", POSTE_FETCH_REASON_MANUAL);
  succeed (f, "acme");
  g_assert_cmpint (poste_scheduler_get_state (f->scheduler, "acme"), ==, POSTE_SCHEDULE_STATE_WAITING);
  advance (f, 16 * MINUTE);
  take_fetch (f, "acme", POSTE_FETCH_REASON_SCHEDULE);
}

/* A locked keyring is not refused credentials: the provider stays on its interval, with no
 * backoff, so that the first fetch after the user unlocks the keyring succeeds. No keyring at
 * all needs the user: stopped like a refused password. */
static void
test_keyring_locked (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(PosteProvider) provider = make_provider ("acme", 15, NULL, NULL);
  g_autoptr(GError) locked = g_error_new_literal (POSTE_CONFIG_ERROR,
                                                  POSTE_CONFIG_ERROR_KEYRING_LOCKED, "locked");
  g_autoptr(GError) none = g_error_new_literal (POSTE_CONFIG_ERROR,
                                                POSTE_CONFIG_ERROR_NO_KEYRING, "no keyring");

  poste_scheduler_set_jitter (f->scheduler, 0.0);
  g_assert_true (poste_scheduler_add_provider (f->scheduler, provider, NULL));
  advance (f, 0);
  take_fetch (f, "acme", POSTE_FETCH_REASON_SCHEDULE);

  for (guint i = 0; i < 3; i++)
    {
      poste_scheduler_fetch_finished (f->scheduler, "acme", POSTE_SESSION_OUTCOME_FAILED, locked);
      g_assert_cmpint (poste_scheduler_get_state (f->scheduler, "acme"), !=,
                       POSTE_SCHEDULE_STATE_STOPPED);
      g_assert_cmpint (poste_scheduler_get_next_fetch_monotonic (f->scheduler, "acme"), ==,
                       now (f) + 15 * MINUTE);
      advance (f, 14 * MINUTE);
      assert_no_fetch (f);
      advance (f, MINUTE);
      take_fetch (f, "acme", POSTE_FETCH_REASON_SCHEDULE);
    }
  /* Unlocked meanwhile: the scheduled fetch works. */
  succeed (f, "acme");
  g_assert_cmpint (poste_scheduler_get_state (f->scheduler, "acme"), ==,
                   POSTE_SCHEDULE_STATE_WAITING);

  advance (f, 15 * MINUTE);
  take_fetch (f, "acme", POSTE_FETCH_REASON_SCHEDULE);
  poste_scheduler_fetch_finished (f->scheduler, "acme", POSTE_SESSION_OUTCOME_FAILED, none);
  g_assert_cmpint (poste_scheduler_get_state (f->scheduler, "acme"), ==,
                   POSTE_SCHEDULE_STATE_STOPPED);
  advance (f, DAY);
  assert_no_fetch (f);
}

static void
test_update (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(PosteProvider) provider = make_provider ("acme", 30, NULL, NULL);
  g_autoptr(PosteProvider) stranger = make_provider ("stranger", 30, NULL, NULL);
  g_autoptr(GError) error = NULL;

  poste_scheduler_set_jitter (f->scheduler, 0.0);
  g_assert_true (poste_scheduler_add_provider (f->scheduler, provider, NULL));
  advance (f, 0);
  take_fetch (f, "acme", POSTE_FETCH_REASON_SCHEDULE);
  succeed (f, "acme");
  advance (f, 10 * MINUTE);

  /* Same interval: the next fetch stays where it was. */
  poste_provider_set_host (provider, "odmr.example");
  g_assert_true (poste_scheduler_update_provider (f->scheduler, provider, NULL));
  g_assert_cmpint (poste_scheduler_get_next_fetch_monotonic (f->scheduler, "acme"), ==,
                   now (f) + 20 * MINUTE);

  /* A new interval counts from now. */
  poste_provider_set_interval (provider, 5);
  g_assert_true (poste_scheduler_update_provider (f->scheduler, provider, NULL));
  g_assert_cmpint (poste_scheduler_get_next_fetch_monotonic (f->scheduler, "acme"), ==,
                   now (f) + 5 * MINUTE);
  assert_timers (f, 1);

  /* Interval 0: nothing armed. */
  poste_provider_set_interval (provider, 0);
  g_assert_true (poste_scheduler_add_provider (f->scheduler, provider, NULL));
  g_assert_cmpint (poste_scheduler_get_state (f->scheduler, "acme"), ==, POSTE_SCHEDULE_STATE_ON_DEMAND);
  assert_timers (f, 0);
  advance (f, DAY);
  assert_no_fetch (f);

  g_assert_false (poste_scheduler_update_provider (f->scheduler, stranger, &error));
  g_assert_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_NOT_FOUND);
}

/* Pause, removal, idle */

static void
test_pause (Fixture       *f,
            gconstpointer  data)
{
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (f->scheduler), "paused");
  guint notified = 0;

  g_assert_nonnull (pspec);
  g_signal_connect_swapped (f->scheduler, "notify::paused", G_CALLBACK (real_cb), &notified);

  add_and_fetch (f, "a", 15);
  add_and_fetch (f, "b", 20);
  assert_timers (f, 1);

  poste_scheduler_set_paused (f->scheduler, TRUE);
  poste_scheduler_set_paused (f->scheduler, TRUE);
  g_assert_cmpuint (notified, ==, 1);
  g_assert_true (poste_scheduler_get_paused (f->scheduler));
  assert_timers (f, 0);
  g_assert_cmpint (poste_scheduler_get_state (f->scheduler, "a"), ==, POSTE_SCHEDULE_STATE_PAUSED);
  g_assert_null (poste_scheduler_get_next_fetch (f->scheduler, "a"));

  /* Nothing automatic while paused, however long. */
  poste_test_network_monitor_set (f->monitor, G_NETWORK_CONNECTIVITY_LOCAL);
  poste_test_network_monitor_set (f->monitor, G_NETWORK_CONNECTIVITY_FULL);
  _poste_scheduler_resumed (f->scheduler);
  assert_timers (f, 0);
  advance (f, 3 * HOUR);
  assert_no_fetch (f);

  /* The user still can. */
  poste_scheduler_request_fetch (f->scheduler, "b");
  assert_timers (f, 1);
  advance (f, 0);
  take_fetch (f, "b", POSTE_FETCH_REASON_MANUAL);
  assert_timers (f, 0);
  succeed (f, "b");
  assert_timers (f, 0);
  advance (f, HOUR);
  assert_no_fetch (f);

  /* Unpaused: what fell due runs at once, once each. */
  poste_scheduler_set_paused (f->scheduler, FALSE);
  g_assert_cmpuint (notified, ==, 2);
  assert_timers (f, 1);
  g_assert_cmpint (poste_clock_get_next_deadline (f->clock), <=, now (f));
  advance (f, 0);
  take_fetch (f, "a", POSTE_FETCH_REASON_SCHEDULE);
  take_fetch (f, "b", POSTE_FETCH_REASON_SCHEDULE);
  assert_no_fetch (f);
  assert_timers (f, 0);

  /* A fetch running when paused finishes normally; its next one waits for the unpause. */
  poste_scheduler_set_paused (f->scheduler, TRUE);
  succeed (f, "a");
  succeed (f, "b");
  assert_timers (f, 0);
  g_object_set (f->scheduler, "paused", FALSE, NULL);
  assert_timers (f, 1);
}

static void
test_remove (Fixture       *f,
             gconstpointer  data)
{
  poste_scheduler_set_jitter (f->scheduler, 0.0);
  add_and_fetch (f, "a", 10);
  add_and_fetch (f, "b", 20);
  g_assert_cmpint (poste_clock_get_next_deadline (f->clock), ==, now (f) + 10 * MINUTE);

  /* Removing the earliest re-arms for the next. */
  g_assert_true (poste_scheduler_remove_provider (f->scheduler, "a"));
  g_assert_false (poste_scheduler_remove_provider (f->scheduler, "a"));
  g_assert_false (poste_scheduler_has_provider (f->scheduler, "a"));
  assert_timers (f, 1);
  g_assert_cmpint (poste_clock_get_next_deadline (f->clock), ==, now (f) + 20 * MINUTE);
  advance (f, 20 * MINUTE);
  take_fetch (f, "b", POSTE_FETCH_REASON_SCHEDULE);
  assert_no_fetch (f);

  /* Removed while fetching: its end is ignored, and it never comes back. */
  g_assert_true (poste_scheduler_remove_provider (f->scheduler, "b"));
  assert_timers (f, 0);
  succeed (f, "b");
  fail (f, "b", POSTE_SESSION_ERROR_TRY_LATER);
  assert_timers (f, 0);
  advance (f, DAY);
  assert_no_fetch (f);
  g_assert_cmpint (poste_scheduler_get_state (f->scheduler, "b"), ==, POSTE_SCHEDULE_STATE_ON_DEMAND);
  g_assert_cmpint (poste_scheduler_get_next_fetch_monotonic (f->scheduler, "b"), ==, -1);
}

static void
test_idle (Fixture       *f,
           gconstpointer  data)
{
  /* Nothing scheduled: no timer at all. */
  assert_timers (f, 0);
  add (f, "x", 0);
  add (f, "y", 0);
  assert_timers (f, 0);
  poste_test_network_monitor_set (f->monitor, G_NETWORK_CONNECTIVITY_LOCAL);
  poste_test_network_monitor_set (f->monitor, G_NETWORK_CONNECTIVITY_FULL);
  _poste_scheduler_resumed (f->scheduler);
  assert_timers (f, 0);
  g_assert_false (poste_clock_advance_to_next (f->clock));

  /* Many on a schedule: still one timer. */
  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *name = g_strdup_printf ("p%u", i);

      add_and_fetch (f, name, 5 + i);
      assert_timers (f, 1);
    }
  for (guint i = 0; i < 50; i++)
    {
      g_assert_true (poste_clock_advance_to_next (f->clock));
      assert_timers (f, f->fetches->len == 10 ? 0 : 1);
      while (f->fetches->len > 0)
        {
          g_autofree char *name = g_strdup (g_array_index (f->fetches, Fetch, 0).name);

          take_fetch (f, name, POSTE_FETCH_REASON_SCHEDULE);
          succeed (f, name);
        }
      assert_timers (f, 1);
    }

  /* Paused: none. */
  poste_scheduler_set_paused (f->scheduler, TRUE);
  assert_timers (f, 0);
  g_assert_false (poste_clock_advance_to_next (f->clock));
}

static void
test_provider_changed (Fixture       *f,
                       gconstpointer  data)
{
  add (f, "acme", 15);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (f->changes, "acme")), ==, 1);

  /* Fetching: one change; a request while fetching: none; finished: one. */
  advance (f, 0);
  take_fetch (f, "acme", POSTE_FETCH_REASON_SCHEDULE);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (f->changes, "acme")), ==, 2);
  poste_scheduler_request_fetch (f->scheduler, "acme");
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (f->changes, "acme")), ==, 2);
  succeed (f, "acme");
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (f->changes, "acme")), ==, 3);
  /* The kept request runs. */
  advance (f, 0);
  take_fetch (f, "acme", POSTE_FETCH_REASON_MANUAL);
  succeed (f, "acme");
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (f->changes, "acme")), ==, 5);

  /* Nothing changes for it: no signal. */
  add (f, "other", 0);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (f->changes, "acme")), ==, 5);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (f->changes, "other")), ==, 1);

  /* Pause: a provider with a schedule changes once; one on demand does not change. */
  poste_scheduler_set_paused (f->scheduler, TRUE);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (f->changes, "acme")), ==, 6);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (f->changes, "other")), ==, 2);
}

static void
count_fetch_cb (PosteScheduler   *scheduler,
                const char       *name,
                PosteFetchReason  reason,
                guint            *count)
{
  g_assert_cmpstr (name, ==, "real");
  g_assert_cmpint (reason, ==, POSTE_FETCH_REASON_SCHEDULE);
  (*count)++;
}

static void
test_real_clock (void)
{
  g_autoptr(PosteTestNetworkMonitor) monitor = poste_test_network_monitor_new (G_NETWORK_CONNECTIVITY_FULL);
  g_autoptr(PosteProvider) provider = make_provider ("real", 60, NULL, NULL);
  PosteScheduler *scheduler;
  PosteClock *clock;
  guint count = 0;
  gint64 next;

  /* The real clock and the real main loop (the system bus, when there is none, is only a debug
   * message): the first fetch is due at once, the next an hour later with one timer armed. */
  scheduler = poste_scheduler_new (NULL, G_NETWORK_MONITOR (monitor));
  clock = poste_scheduler_get_clock (scheduler);
  g_assert_false (poste_clock_is_manual (clock));
  g_signal_connect (scheduler, "fetch", G_CALLBACK (count_fetch_cb), &count);
  g_assert_true (poste_scheduler_add_provider (scheduler, provider, NULL));
  g_assert_cmpuint (poste_clock_get_n_timeouts (clock), ==, 1);
  while (count == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (count, ==, 1);
  g_assert_cmpuint (poste_clock_get_n_timeouts (clock), ==, 0);

  poste_scheduler_fetch_finished (scheduler, "real", POSTE_SESSION_OUTCOME_NO_MAIL, NULL);
  g_assert_cmpuint (poste_clock_get_n_timeouts (clock), ==, 1);
  next = poste_scheduler_get_next_fetch_monotonic (scheduler, "real");
  g_assert_cmpint (next, >, g_get_monotonic_time () + 50 * MINUTE);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (count, ==, 1);

  g_object_ref (clock);
  g_assert_finalize_object (scheduler);
  g_assert_cmpuint (poste_clock_get_n_timeouts (clock), ==, 0);
  g_assert_finalize_object (clock);
}

static void
test_enums (void)
{
  g_autoptr(GEnumClass) reasons = g_type_class_ref (POSTE_TYPE_FETCH_REASON);
  g_autoptr(GEnumClass) states = g_type_class_ref (POSTE_TYPE_SCHEDULE_STATE);

  g_assert_cmpstr (poste_fetch_reason_to_string (POSTE_FETCH_REASON_NETWORK), ==, "network");
  g_assert_cmpstr (g_enum_get_value (reasons, POSTE_FETCH_REASON_RETRY)->value_nick, ==, "retry");
  g_assert_cmpstr (poste_schedule_state_to_string (POSTE_SCHEDULE_STATE_STOPPED), ==, "stopped");
  g_assert_cmpstr (g_enum_get_value (states, POSTE_SCHEDULE_STATE_PAUSED)->value_nick, ==, "paused");
}

int
main (int   argc,
      char *argv[])
{
  poste_test_init (&argc, &argv);

  g_test_add_func ("/scheduler/clock/manual", test_clock_manual);
  g_test_add_func ("/scheduler/clock/real", test_clock_real);
  g_test_add_func ("/scheduler/window/parse", test_window_parse);
  g_test_add_func ("/scheduler/window/next-open", test_window_next_open);
  g_test_add_func ("/scheduler/window/wrap", test_window_wrap);
  g_test_add_func ("/scheduler/enums", test_enums);
  g_test_add_func ("/scheduler/real-clock", test_real_clock);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/scheduler/interval", test_interval);
  ADD ("/scheduler/interval/no-jitter", test_no_jitter);
  ADD ("/scheduler/on-demand", test_on_demand);
  ADD ("/scheduler/active-window", test_active_window);
  ADD ("/scheduler/active-window/invalid", test_add_bad_window);
  ADD ("/scheduler/network", test_network);
  ADD ("/scheduler/resume", test_resume);
  ADD ("/scheduler/resume/logind", test_resume_dbus);
  ADD ("/scheduler/manual", test_manual);
  ADD ("/scheduler/coalesce", test_coalesce);
  ADD ("/scheduler/reentrant", test_reentrant);
  ADD ("/scheduler/backoff", test_backoff);
  ADD ("/scheduler/backoff/jitter", test_backoff_jitter);
  ADD ("/scheduler/backoff/refused", test_refused);
  ADD ("/scheduler/backoff/try-later", test_try_later);
  ADD ("/scheduler/backoff/short-interval", test_backoff_short_interval);
  ADD ("/scheduler/auth-stop", test_auth);
  ADD ("/scheduler/keyring-locked", test_keyring_locked);
  ADD ("/scheduler/update", test_update);
  ADD ("/scheduler/pause", test_pause);
  ADD ("/scheduler/remove", test_remove);
  ADD ("/scheduler/idle", test_idle);
  ADD ("/scheduler/provider-changed", test_provider_changed);
#undef ADD

  return g_test_run ();
}
