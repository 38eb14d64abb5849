/* poste-scheduler-private.h: the scheduler's constants and test entry points
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "poste-scheduler.h"
#include "poste-fetch.h"

G_BEGIN_DECLS

/* All in microseconds. */

/* After the network comes up, wait this long before fetching: addresses, routes and DNS settle,
 * and a flapping link asks only once. */
#define POSTE_SCHEDULER_NETWORK_DELAY (G_GINT64_CONSTANT (5) * G_USEC_PER_SEC)
/* After a resume from suspend: the network usually comes back within this. */
#define POSTE_SCHEDULER_RESUME_DELAY  (G_GINT64_CONSTANT (10) * G_USEC_PER_SEC)
/* Failures: 1, 2, 4, ... minutes, doubling up to an hour whatever the interval, so past a short
 * one: a provider that is down for an hour is contacted 6 times in that hour, not 60 times with
 * interval=1 (a flood its operator would see as abuse), yet the mail it holds is late by at most
 * an hour once it is back, and the user's Fetch now is never held back. */
#define POSTE_SCHEDULER_RETRY_BASE    (G_GINT64_CONSTANT (60) * G_USEC_PER_SEC)
#define POSTE_SCHEDULER_RETRY_CAP     (G_GINT64_CONSTANT (60) * 60 * G_USEC_PER_SEC)
/* 450 (the provider refused ATRN: busy or rate limited, RFC 2645 section 5) and 451 or another
 * 4xx (a local error at the provider, or 421 at the greeting): it asked us to come back later,
 * so never sooner than the interval nor 15 minutes, doubling up to two hours (or the interval
 * when that is longer). */
#define POSTE_SCHEDULER_REFUSED_BASE  (G_GINT64_CONSTANT (15) * 60 * G_USEC_PER_SEC)
#define POSTE_SCHEDULER_REFUSED_CAP   (G_GINT64_CONSTANT (120) * 60 * G_USEC_PER_SEC)
/* The default jitter: a fraction of each automatic delay, either way. */
#define POSTE_SCHEDULER_DEFAULT_JITTER 0.05

/* One scheduled provider: its settings as read, and where its fetches are. */
typedef struct
{
  char               *name;
  gint64              interval;         /* µs; 0 = on demand only */
  PosteActiveWindow   window;
  gboolean            has_window;

  gboolean            running;
  gboolean            pending;          /* a request came during the fetch */
  PosteFetchReason    pending_reason;

  gint64              due;              /* monotonic µs before the window applies; -1 = none */
  PosteFetchReason    due_reason;

  guint               failures;         /* in a row */
  gboolean            stopped;          /* authentication failed */
  gboolean            refused;          /* the last failure was a 4xx: 450, 451, ... */

  /* What provider-changed last told. */
  PosteScheduleState  shown_state;
  gint64              shown_next;
} Entry;

struct _PosteScheduler
{
  GObject            parent_instance;

  PosteClock        *clock;
  GNetworkMonitor   *monitor;
  GRand             *rand;
  double             jitter;
  gboolean           paused;
  gboolean           network_full;

  GPtrArray         *entries;           /* Entry, in the order added */
  guint              timer_id;
  gint64             armed_deadline;

  GCancellable      *cancellable;
  GDBusConnection   *system_bus;
  guint              sleep_subscription;

  /* The configuration's provider list it follows, and a copy of each provider as last applied,
   * to tell a changed one. */
  GListModel        *providers;
  GHashTable        *applied;

  /* With poste_scheduler_run_rounds(): the scheduler runs each due fetch as a PosteFetch round
   * itself. Provider name -> its running round. */
  gboolean           runs_rounds;
  PosteHistory      *history;
  PosteOutbox       *outbox;
  GHashTable        *rounds;
};


enum {
  SCHEDULER_SIGNAL_FETCH,
  SCHEDULER_SIGNAL_PROVIDER_CHANGED,
  SCHEDULER_SIGNAL_PROVIDER_SYNCED,
  SCHEDULER_SIGNAL_ROUND_STARTED,
  SCHEDULER_SIGNAL_ROUND_FINISHED,
  SCHEDULER_SIGNAL_N_SIGNALS
};

extern guint _poste_scheduler_signals[SCHEDULER_SIGNAL_N_SIGNALS];


Entry *_poste_scheduler_find_entry   (PosteScheduler   *self,
                                      const char       *name);
void   _poste_scheduler_request_all  (PosteScheduler   *self,
                                      PosteFetchReason  reason);

/* poste-scheduler-timer.c: due times, requests and the timer. */
void               _poste_scheduler_request           (PosteScheduler   *self,
                                                       Entry            *entry,
                                                       PosteFetchReason  reason,
                                                       gint64            now);
void               _poste_scheduler_schedule_interval (PosteScheduler   *self,
                                                       Entry            *entry,
                                                       gint64            now);
gint64             _poste_scheduler_effective_due     (PosteScheduler   *self,
                                                       Entry            *entry,
                                                       gint64            now,
                                                       GDateTime        *now_wall);
PosteScheduleState _poste_scheduler_entry_state       (PosteScheduler   *self,
                                                       Entry            *entry);
void               _poste_scheduler_update_timer      (PosteScheduler   *self);

/* poste-scheduler-triggers.c: the network coming up, the resume from suspend. */
void _poste_scheduler_watch_triggers (PosteScheduler  *self);
void _poste_scheduler_resumed     (PosteScheduler  *self);
void _poste_scheduler_watch_sleep (PosteScheduler  *self,
                                   GDBusConnection *bus);

/* poste-scheduler-rounds.c: the provider list it follows, and the rounds it runs. */
void _poste_scheduler_start_round (PosteScheduler   *self,
                                   const char       *name,
                                   PosteFetchReason  reason);

G_END_DECLS
