/* poste-fetch.h: one fetch round: the secret, the sessions that drain the provider, the outbox,
 * one history record and one report
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "poste-types.h"
#include "poste-error.h"
#include "poste-history.h"
#include "poste-outbox.h"
#include "poste-session.h"

G_BEGIN_DECLS

/**
 * POSTE_FETCH_MAX_SESSIONS:
 *
 * The most ODMR sessions one round opens while draining the provider. Stock Exim 4.99.1 over TLS
 * hands over one message a session, so this is also the most messages such a provider gives one
 * round; the next round (the schedule, or the user) takes the rest. A provider that always
 * answers with mail cannot keep a round going forever.
 */
#define POSTE_FETCH_MAX_SESSIONS 100

/**
 * POSTE_FETCH_MAX_SECONDS:
 *
 * How long a round may go on connecting again, in seconds: no new session starts after this
 * (the running one ends normally). Half an hour covers a hundred one-message sessions on a slow
 * link and stays below the shortest sensible schedule of a provider that hands over slowly.
 */
#define POSTE_FETCH_MAX_SECONDS (30 * 60)

#define POSTE_TYPE_FETCH (poste_fetch_get_type ())
G_DECLARE_FINAL_TYPE (PosteFetch, poste_fetch, POSTE, FETCH, GObject)

PosteFetch         *poste_fetch_new              (PosteProvider        *provider,
                                                  PosteHistory         *history,
                                                  PosteOutbox          *outbox);
PosteProvider      *poste_fetch_get_provider     (PosteFetch           *self);
PosteSession       *poste_fetch_get_session      (PosteFetch           *self);
guint               poste_fetch_get_n_sessions   (PosteFetch           *self);
guint               poste_fetch_get_messages     (PosteFetch           *self);
guint64             poste_fetch_get_bytes        (PosteFetch           *self);
gboolean            poste_fetch_get_running      (PosteFetch           *self);
void                poste_fetch_set_limits       (PosteFetch           *self,
                                                  guint                 max_sessions,
                                                  guint                 max_seconds);
void                poste_fetch_set_interactive  (PosteFetch           *self,
                                                  gboolean              interactive);
void                poste_fetch_set_send_only    (PosteFetch           *self,
                                                  gboolean              send_only);
void                poste_fetch_set_session_timeout (PosteFetch        *self,
                                                  guint                 seconds);
void                poste_fetch_run_async        (PosteFetch           *self,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
PosteSessionReport *poste_fetch_run_finish       (PosteFetch           *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);
PosteSessionReport *poste_fetch_run              (PosteFetch           *self,
                                                  GCancellable         *cancellable,
                                                  GError              **error);
void                poste_fetch_cancel           (PosteFetch           *self);
const PosteSessionReport *poste_fetch_get_report (PosteFetch           *self);

char               *poste_fetch_report_format_summary (const PosteSessionReport *report);

G_END_DECLS
