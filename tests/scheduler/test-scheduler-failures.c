/* test-scheduler-failures.c: what a failed fetch leads to: backoff (with jitter, for
 * 4xx and short intervals), a refusal, stopped on refused credentials, not stopped on a locked
 * keyring
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "test-scheduler-fixture.h"

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

/* Adds @name on @interval without jitter and takes its first fetch; then each failure with
 * @code waits 15, 30, 60, 120 and 120 minutes, whatever the interval (the 4xx backoff). */
static void
assert_4xx_backoff (Fixture           *f,
                    const char        *name,
                    guint              interval,
                    PosteSessionError  code)
{
  static const gint64 fifteen[] = { 15, 30, 60, 120, 120 };

  poste_scheduler_set_jitter (f->scheduler, 0.0);
  add (f, name, interval);
  advance (f, 0);
  take_fetch (f, name, POSTE_FETCH_REASON_SCHEDULE);
  for (guint i = 0; i < G_N_ELEMENTS (fifteen); i++)
    g_assert_cmpint (fail_and_wait (f, name, code), ==, fifteen[i] * MINUTE);
}

static void
test_refused (Fixture       *f,
              gconstpointer  data)
{
  assert_4xx_backoff (f, "busy", 15, POSTE_SESSION_ERROR_REFUSED);

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
  assert_4xx_backoff (f, "local-error", 1, POSTE_SESSION_ERROR_TRY_LATER);
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


/* Registered by test-scheduler.c's main(), in the order of its list. */
void
test_scheduler_add_failures (void)
{
  SCHEDULER_TEST_ADD ("/scheduler/backoff", test_backoff);
  SCHEDULER_TEST_ADD ("/scheduler/backoff/jitter", test_backoff_jitter);
  SCHEDULER_TEST_ADD ("/scheduler/backoff/refused", test_refused);
  SCHEDULER_TEST_ADD ("/scheduler/backoff/try-later", test_try_later);
  SCHEDULER_TEST_ADD ("/scheduler/backoff/short-interval", test_backoff_short_interval);
  SCHEDULER_TEST_ADD ("/scheduler/auth-stop", test_auth);
  SCHEDULER_TEST_ADD ("/scheduler/keyring-locked", test_keyring_locked);
}
