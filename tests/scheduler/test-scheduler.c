/* test-scheduler.c: PosteScheduler and PosteClock, driven by a manual clock
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * This file holds the clock, the active windows' parser, the enums and the one test on the real
 * clock, and registers every case; the fixture is in test-scheduler-fixture.c, the cases on it in
 * test-scheduler-triggers.c, test-scheduler-failures.c and test-scheduler-lifecycle.c.
 */
#include "config.h"

#include "test-scheduler-fixture.h"

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
test_clock_real (void)
{
  g_autoptr(PosteClock) clock = poste_clock_new ();
  guint fired = 0, never = 0, id;

  g_assert_false (poste_clock_is_manual (clock));

  /* A timeout removed before its time never runs. */
  id = poste_clock_add_timeout (clock, poste_clock_get_monotonic (clock) + 3600 * SEC, count_cb, &never);
  g_assert_cmpuint (poste_clock_get_n_timeouts (clock), ==, 1);
  poste_clock_remove_timeout (clock, id);
  g_assert_cmpuint (poste_clock_get_n_timeouts (clock), ==, 0);

  /* One that is already due runs from the main context, once. */
  poste_clock_add_timeout (clock, poste_clock_get_monotonic (clock), count_cb, &fired);
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

  test_scheduler_add_triggers ();
  test_scheduler_add_failures ();
  test_scheduler_add_lifecycle ();

  return g_test_run ();
}
