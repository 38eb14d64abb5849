/* poste-application-private.h: what the application's own files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <poste-config.h>
#include <poste-history.h>
#include <poste-outbox.h>
#include <poste-provider.h>
#include <poste-scheduler.h>
#include <poste-session.h>

#include "poste-application.h"
#include "poste-notifier.h"
#include "poste-tray.h"

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
  /* The tray icon and the notifications: they only watch the rounds and activate actions. */
  PosteTray      *tray;
  PosteNotifier  *notifier;

  /* The outbox whose mail leaves in each round (poste-application-outbox.c). */
  PosteOutbox    *outbox;
  GFileMonitor   *outbox_monitor;
  /* Provider name -> its running Send Now round (the scheduler keeps the fetch rounds), and the
   * running PosteSession of a provider's fetch round. */
  GHashTable     *send_rounds;
  GHashTable     *sessions;
  /* Provider name -> the newest PosteSessionReport (from the history at startup, then live). */
  GHashTable     *last_reports;

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
gboolean _poste_application_send_round (PosteApplication *self,
                                        PosteProvider    *provider);
/* poste-application-outbox.c: app.send-now, app.outbox, what the user must hear of the outbox */
void _poste_application_outbox_init   (PosteApplication         *self);
void _poste_application_outbox_report (PosteApplication         *self,
                                       const PosteSessionReport *report);
void _poste_application_send_now      (PosteApplication         *self);
void _poste_application_show_outbox   (PosteApplication         *self);

G_END_DECLS
