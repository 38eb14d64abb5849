/* test-scheduler-lifecycle.c: a provider's life in the scheduler: updated, paused,
 * removed, idle, and the provider-changed signal along the way
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "test-scheduler-fixture.h"

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
  g_signal_connect_swapped (f->scheduler, "notify::paused", G_CALLBACK (count_cb), &notified);

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

/* Registered by test-scheduler.c's main(), in the order of its list. */
void
test_scheduler_add_lifecycle (void)
{
  SCHEDULER_TEST_ADD ("/scheduler/update", test_update);
  SCHEDULER_TEST_ADD ("/scheduler/pause", test_pause);
  SCHEDULER_TEST_ADD ("/scheduler/remove", test_remove);
  SCHEDULER_TEST_ADD ("/scheduler/idle", test_idle);
  SCHEDULER_TEST_ADD ("/scheduler/provider-changed", test_provider_changed);
}
