/* poste-application-private.h: what the application's own files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <poste-config.h>
#include <poste-history.h>
#include <poste-outbox-submit.h>
#include <poste-provider.h>
#include <poste-scheduler.h>
#include <poste-session.h>

#include "poste-application.h"

G_BEGIN_DECLS

struct _PosteApplication
{
  AdwApplication  parent_instance;

  /* Bound in startup; NULL before it. */
  GSettings      *settings;

  /* The providers, loaded in startup; config_error says why the file could not be read. */
  PosteConfig    *config;
  GError         *config_error;

  /* When to fetch, and what happened (poste-application-sessions.c). */
  PosteScheduler *scheduler;
  PosteHistory   *history;
  /* Provider name -> the running PosteSession, and its GCancellable (the user's Stop). */
  GHashTable     *sessions;
  GHashTable     *cancellables;
  /* Provider name -> the newest PosteSessionReport (from the history at startup, then live). */
  GHashTable     *last_reports;
  /* Provider names the scheduler knows. */
  GHashTable     *scheduled;

  guint           run_in_background : 1;
  /* TRUE while we hold the application because of run-in-background. */
  guint           held : 1;
};

enum {
  POSTE_APPLICATION_SIGNAL_SESSION_STARTED,
  POSTE_APPLICATION_SIGNAL_SESSION_FINISHED,
  POSTE_APPLICATION_N_SIGNALS
};

extern guint _poste_application_signals[POSTE_APPLICATION_N_SIGNALS];

void _poste_application_actions_init  (PosteApplication *self);
void _poste_application_sessions_init (PosteApplication *self);
void _poste_application_sessions_shutdown (PosteApplication *self);
void _poste_application_sync_scheduler (PosteApplication *self);
/* poste-application-outbox.c: app.send-now, app.outbox, the outbox after each fetch */
void _poste_application_outbox_init (PosteApplication *self);
/* Called once when an outbox round ends, with the number of messages the relay accepted. */
typedef void (*PosteApplicationRoundCallback) (PosteApplication *self,
                                               guint             submitted,
                                               gpointer          user_data);
gboolean _poste_application_outbox_round (PosteApplication              *self,
                                          PosteProvider                 *provider,
                                          PosteOutboxSubmitFlags         flags,
                                          PosteApplicationRoundCallback  callback,
                                          gpointer                       user_data);

G_END_DECLS
