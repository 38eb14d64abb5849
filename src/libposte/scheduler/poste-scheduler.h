/* poste-scheduler.h: when to fetch (intervals, active hours, network, resume, backoff)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "poste-types.h"
#include "poste-active-window.h"
#include "poste-clock.h"
#include "poste-session.h"

G_BEGIN_DECLS

/**
 * PosteFetchReason:
 * @POSTE_FETCH_REASON_SCHEDULE: the provider's interval has passed (or it was just added)
 * @POSTE_FETCH_REASON_NETWORK: the network came up
 * @POSTE_FETCH_REASON_RESUME: the system resumed from suspend
 * @POSTE_FETCH_REASON_MANUAL: the user asked (poste_scheduler_request_fetch())
 * @POSTE_FETCH_REASON_RETRY: a retry after a failure, or after the configuration changed
 *
 * Why the scheduler asks for a fetch.
 */
typedef enum {
  POSTE_FETCH_REASON_SCHEDULE,
  POSTE_FETCH_REASON_NETWORK,
  POSTE_FETCH_REASON_RESUME,
  POSTE_FETCH_REASON_MANUAL,
  POSTE_FETCH_REASON_RETRY,
} PosteFetchReason;

#define POSTE_TYPE_FETCH_REASON (poste_fetch_reason_get_type ())
GType       poste_fetch_reason_get_type  (void) G_GNUC_CONST;
const char *poste_fetch_reason_to_string (PosteFetchReason reason);

/**
 * PosteScheduleState:
 * @POSTE_SCHEDULE_STATE_ON_DEMAND: interval 0: fetches only when asked
 * @POSTE_SCHEDULE_STATE_WAITING: an automatic fetch is due at the next-fetch time
 * @POSTE_SCHEDULE_STATE_FETCHING: a fetch is running
 * @POSTE_SCHEDULE_STATE_RETRYING: the last fetch failed; the next fetch is a retry after a backoff
 * @POSTE_SCHEDULE_STATE_STOPPED: authentication failed; no automatic fetch until the configuration
 *   changes (poste_scheduler_update_provider()) or the user asks
 * @POSTE_SCHEDULE_STATE_PAUSED: the scheduler is paused (poste_scheduler_set_paused())
 *
 * Where a provider stands, for a front end to show.
 */
typedef enum {
  POSTE_SCHEDULE_STATE_ON_DEMAND,
  POSTE_SCHEDULE_STATE_WAITING,
  POSTE_SCHEDULE_STATE_FETCHING,
  POSTE_SCHEDULE_STATE_RETRYING,
  POSTE_SCHEDULE_STATE_STOPPED,
  POSTE_SCHEDULE_STATE_PAUSED,
} PosteScheduleState;

#define POSTE_TYPE_SCHEDULE_STATE (poste_schedule_state_get_type ())
GType       poste_schedule_state_get_type  (void) G_GNUC_CONST;
const char *poste_schedule_state_to_string (PosteScheduleState state);

/**
 * PosteProviderSync:
 * @POSTE_PROVIDER_SYNC_ADDED: a provider appeared in the list and is scheduled
 * @POSTE_PROVIDER_SYNC_UPDATED: its settings changed and were applied
 * @POSTE_PROVIDER_SYNC_REMOVED: it left the list and is no longer scheduled
 * @POSTE_PROVIDER_SYNC_FAILED: it could not be scheduled (the error says why)
 *
 * What poste_scheduler_follow_providers() did for one provider.
 */
typedef enum {
  POSTE_PROVIDER_SYNC_ADDED,
  POSTE_PROVIDER_SYNC_UPDATED,
  POSTE_PROVIDER_SYNC_REMOVED,
  POSTE_PROVIDER_SYNC_FAILED,
} PosteProviderSync;

#define POSTE_TYPE_PROVIDER_SYNC (poste_provider_sync_get_type ())
GType       poste_provider_sync_get_type (void) G_GNUC_CONST;

#define POSTE_TYPE_SCHEDULER (poste_scheduler_get_type ())
G_DECLARE_FINAL_TYPE (PosteScheduler, poste_scheduler, POSTE, SCHEDULER, GObject)

PosteScheduler     *poste_scheduler_new                    (PosteClock          *clock,
                                                            GNetworkMonitor     *monitor);
PosteClock         *poste_scheduler_get_clock              (PosteScheduler      *self);
gboolean            poste_scheduler_add_provider           (PosteScheduler      *self,
                                                            PosteProvider       *provider,
                                                            GError             **error);
gboolean            poste_scheduler_update_provider        (PosteScheduler      *self,
                                                            PosteProvider       *provider,
                                                            GError             **error);
void                poste_scheduler_follow_providers       (PosteScheduler      *self,
                                                            GListModel          *providers);
void                poste_scheduler_run_rounds             (PosteScheduler      *self,
                                                            PosteHistory        *history,
                                                            PosteOutbox         *outbox);
PosteFetch         *poste_scheduler_get_round              (PosteScheduler      *self,
                                                            const char          *name);
guint               poste_scheduler_get_n_rounds           (PosteScheduler      *self);
void                poste_scheduler_stop_rounds            (PosteScheduler      *self);
gboolean            poste_scheduler_remove_provider        (PosteScheduler      *self,
                                                            const char          *name);
gboolean            poste_scheduler_has_provider           (PosteScheduler      *self,
                                                            const char          *name);
gboolean            poste_scheduler_request_fetch          (PosteScheduler      *self,
                                                            const char          *name);
void                poste_scheduler_fetch_finished         (PosteScheduler      *self,
                                                            const char          *name,
                                                            PosteSessionOutcome  outcome,
                                                            const GError        *error);
void                poste_scheduler_set_paused             (PosteScheduler      *self,
                                                            gboolean             paused);
gboolean            poste_scheduler_get_paused             (PosteScheduler      *self);
void                poste_scheduler_set_jitter             (PosteScheduler      *self,
                                                            double               fraction);
double              poste_scheduler_get_jitter             (PosteScheduler      *self);
PosteScheduleState  poste_scheduler_get_state              (PosteScheduler      *self,
                                                            const char          *name);
gint64              poste_scheduler_get_next_fetch_monotonic (PosteScheduler    *self,
                                                            const char          *name);
GDateTime          *poste_scheduler_get_next_fetch         (PosteScheduler      *self,
                                                            const char          *name);
guint               poste_scheduler_get_failures           (PosteScheduler      *self,
                                                            const char          *name);

G_END_DECLS
