/* poste-scheduler-private.h: the scheduler's constants and test entry points
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "poste-scheduler.h"

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

void _poste_scheduler_resumed     (PosteScheduler  *self);
void _poste_scheduler_watch_sleep (PosteScheduler  *self,
                                   GDBusConnection *bus);

G_END_DECLS
