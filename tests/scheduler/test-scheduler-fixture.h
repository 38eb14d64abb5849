/* test-scheduler-fixture.h: the scheduler under test on a manual clock and a test network
 * monitor, the fetches it asked for, and the steps the scheduler tests take with it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * No test sleeps or reads real time: a manual PosteClock moves only when told, and a test network
 * monitor changes only when told. After every step the tests check how many timers the scheduler
 * keeps armed: one for the earliest due fetch, or none.
 */
#pragma once

#include "poste-clock.h"
#include "poste-error.h"
#include "poste-provider.h"
#include "poste-scheduler-private.h"
#include "poste-test.h"
#include "poste-test-network-monitor.h"

G_BEGIN_DECLS

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

/* Registers @func at @path, with a fresh Fixture around it. */
#define SCHEDULER_TEST_ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

void           count_cb         (gpointer           user_data);
GDateTime     *make_time        (int                day,
                                 int                hour,
                                 int                minute);
void           fixture_setup    (Fixture           *f,
                                 gconstpointer      data);
void           fixture_teardown (Fixture           *f,
                                 gconstpointer      data);
gint64         now              (Fixture           *f);
void           assert_timers    (Fixture           *f,
                                 guint              n);
void           advance          (Fixture           *f,
                                 gint64             microseconds);
void           assert_no_fetch  (Fixture           *f);
gint64         take_fetch       (Fixture           *f,
                                 const char        *name,
                                 PosteFetchReason   reason);
PosteProvider *make_provider    (const char        *name,
                                 guint              interval,
                                 const char        *hours,
                                 const char        *days);
void           add              (Fixture           *f,
                                 const char        *name,
                                 guint              interval);
GError        *session_error    (PosteSessionError  code);
void           fail             (Fixture           *f,
                                 const char        *name,
                                 PosteSessionError  code);
void           succeed          (Fixture           *f,
                                 const char        *name);
void           add_and_fetch    (Fixture           *f,
                                 const char        *name,
                                 guint              interval);

void           test_scheduler_add_triggers  (void);
void           test_scheduler_add_failures  (void);
void           test_scheduler_add_lifecycle (void);

G_END_DECLS
