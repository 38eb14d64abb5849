/* test-scheduler-triggers.c: what makes the scheduler fetch: the interval, on demand, the
 * active window, the network coming back, resume from sleep (and logind saying so), a manual fetch,
 * several at once
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "test-scheduler-fixture.h"

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

/* Registered by test-scheduler.c's main(), in the order of its list. */
void
test_scheduler_add_triggers (void)
{
  SCHEDULER_TEST_ADD ("/scheduler/interval", test_interval);
  SCHEDULER_TEST_ADD ("/scheduler/interval/no-jitter", test_no_jitter);
  SCHEDULER_TEST_ADD ("/scheduler/on-demand", test_on_demand);
  SCHEDULER_TEST_ADD ("/scheduler/active-window", test_active_window);
  SCHEDULER_TEST_ADD ("/scheduler/active-window/invalid", test_add_bad_window);
  SCHEDULER_TEST_ADD ("/scheduler/network", test_network);
  SCHEDULER_TEST_ADD ("/scheduler/resume", test_resume);
  SCHEDULER_TEST_ADD ("/scheduler/resume/logind", test_resume_dbus);
  SCHEDULER_TEST_ADD ("/scheduler/manual", test_manual);
  SCHEDULER_TEST_ADD ("/scheduler/coalesce", test_coalesce);
  SCHEDULER_TEST_ADD ("/scheduler/reentrant", test_reentrant);
}
