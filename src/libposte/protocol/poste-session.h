/* poste-session.h: one ODMR customer session (RFC 2645), from connect to QUIT
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "poste-error.h"
#include "poste-types.h"

G_BEGIN_DECLS

/**
 * PosteSessionState:
 * @POSTE_SESSION_STATE_IDLE: not started
 * @POSTE_SESSION_STATE_CONNECTING: resolving and connecting (and the implicit TLS handshake)
 * @POSTE_SESSION_STATE_GREETING: waiting for the provider's 220
 * @POSTE_SESSION_STATE_EHLO: EHLO sent
 * @POSTE_SESSION_STATE_STARTTLS: STARTTLS and the TLS handshake
 * @POSTE_SESSION_STATE_AUTH: the SASL exchange (RFC 4954)
 * @POSTE_SESSION_STATE_ATRN: ATRN sent, waiting for its reply (at least 10 minutes)
 * @POSTE_SESSION_STATE_RECEIVING: the reversed state: we are the SMTP server
 * @POSTE_SESSION_STATE_SUBMITTING: handing the outbox to the provider's relay
 * @POSTE_SESSION_STATE_DONE: ended well (mail or no mail)
 * @POSTE_SESSION_STATE_FAILED: ended with an error
 *
 * Where a session is. poste_session_state_to_string() gives the name for logs.
 */
typedef enum {
  POSTE_SESSION_STATE_IDLE,
  POSTE_SESSION_STATE_CONNECTING,
  POSTE_SESSION_STATE_GREETING,
  POSTE_SESSION_STATE_EHLO,
  POSTE_SESSION_STATE_STARTTLS,
  POSTE_SESSION_STATE_AUTH,
  POSTE_SESSION_STATE_ATRN,
  POSTE_SESSION_STATE_RECEIVING,
  POSTE_SESSION_STATE_SUBMITTING,
  POSTE_SESSION_STATE_DONE,
  POSTE_SESSION_STATE_FAILED,
} PosteSessionState;

#define POSTE_TYPE_SESSION_STATE (poste_session_state_get_type ())
GType       poste_session_state_get_type  (void) G_GNUC_CONST;
const char *poste_session_state_to_string (PosteSessionState state);

/**
 * PosteSessionOutcome:
 * @POSTE_SESSION_OUTCOME_NONE: the session has not ended
 * @POSTE_SESSION_OUTCOME_MAIL: at least one message was delivered
 * @POSTE_SESSION_OUTCOME_NO_MAIL: the provider had nothing (453, or EHLO then QUIT)
 * @POSTE_SESSION_OUTCOME_FAILED: the session failed; the report holds the error
 * @POSTE_SESSION_OUTCOME_CANCELLED: the user stopped it
 * @POSTE_SESSION_OUTCOME_STARTED: ETRN (RFC 1985, a provider with mode=etrn): the provider
 *   started delivering the mail it held for at least one domain to the customer's own MTA, on a
 *   connection of its own; nothing came in on this session (messages is 0). A success, like
 *   %POSTE_SESSION_OUTCOME_MAIL. (ETRN's "nothing waiting" for every domain is
 *   %POSTE_SESSION_OUTCOME_NO_MAIL.)
 */
typedef enum {
  POSTE_SESSION_OUTCOME_NONE,
  POSTE_SESSION_OUTCOME_MAIL,
  POSTE_SESSION_OUTCOME_NO_MAIL,
  POSTE_SESSION_OUTCOME_FAILED,
  POSTE_SESSION_OUTCOME_CANCELLED,
  POSTE_SESSION_OUTCOME_STARTED,
} PosteSessionOutcome;

#define POSTE_TYPE_SESSION_OUTCOME (poste_session_outcome_get_type ())
GType       poste_session_outcome_get_type  (void) G_GNUC_CONST;
const char *poste_session_outcome_to_string (PosteSessionOutcome outcome);

/**
 * PosteSessionReport:
 * @provider: the provider's name
 * @started: when the session started (wall clock, UTC)
 * @duration: how long it took, in seconds
 * @outcome: how it ended
 * @last_state: where the session was when it ended: the phase that failed, or the last phase of
 *   a session that ended well (never %POSTE_SESSION_STATE_DONE or %POSTE_SESSION_STATE_FAILED)
 * @error: (nullable): why it failed, when it did
 * @messages: messages delivered and acknowledged with 250
 * @refused: messages we (or the delivery target, at MAIL, at every RCPT or at the end of the
 *   message) did not take: @deferred plus @returned
 * @deferred: messages answered 4xx: "left with the provider", which keeps them and offers them
 *   again later (RFC 5321 section 4.2.5)
 * @returned: messages answered 5xx: the provider returns them to their senders with a
 *   delivery status notification (RFC 5321 section 6.1); never "left with the provider"
 * @bytes: bytes of message content delivered (as received, after dot-unstuffing)
 * @submitted: outbox messages the provider's relay accepted
 * @send_deferred: outbox messages the relay answered 4xx: they stay queued for a later round
 * @send_returned: outbox messages the relay refused for good (5xx): the outbox returned them to
 *   their senders as a delivery status notification (RFC 3464)
 * @sessions: (element-type PosteSessionReport): in the report of a fetch round, one report for
 *   each ODMR session of the round, in order (a round drains the provider by connecting again
 *   while it keeps handing mail over); empty in the report of a single session
 * @tls: (nullable): the TLS protocol and cipher, "TLS 1.3 / AES-256-GCM", or %NULL without TLS
 * @mechanism: (nullable): the SASL mechanism used, or %NULL
 * @transcript: (element-type utf8): the redacted transcript, one line an element, each line
 *   prefixed "C: " (what we sent), "S: " (what the provider sent) or "*  " (a note)
 *
 * What happened in one session. Boxed type.
 */
struct _PosteSessionReport
{
  char                *provider;
  GDateTime           *started;
  double               duration;
  PosteSessionOutcome  outcome;
  PosteSessionState    last_state;
  GError              *error;
  guint                messages;
  guint                refused;
  guint                deferred;
  guint                returned;
  guint64              bytes;
  guint                submitted;
  guint                send_deferred;
  guint                send_returned;
  GPtrArray           *sessions;
  char                *tls;
  char                *mechanism;
  GPtrArray           *transcript;
};

#define POSTE_TYPE_SESSION_REPORT (poste_session_report_get_type ())
GType               poste_session_report_get_type (void) G_GNUC_CONST;
PosteSessionReport *poste_session_report_new      (const char               *provider);
PosteSessionReport *poste_session_report_copy     (const PosteSessionReport *report);
void                poste_session_report_free     (PosteSessionReport       *report);
char               *poste_session_report_describe_outbox (const PosteSessionReport *report);
char               *poste_session_report_dup_returned_reason (const PosteSessionReport *report);
PosteExitStatus     poste_session_report_get_exit_status     (const PosteSessionReport *report);
gboolean            poste_session_report_did_work            (const PosteSessionReport *report);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PosteSessionReport, poste_session_report_free)

#define POSTE_TYPE_SESSION (poste_session_get_type ())
G_DECLARE_FINAL_TYPE (PosteSession, poste_session, POSTE, SESSION, GObject)

PosteSession       *poste_session_new                  (PosteProvider        *provider,
                                                        const char           *password,
                                                        PosteDelivery        *delivery);
PosteProvider      *poste_session_get_provider         (PosteSession         *self);
PosteSessionState   poste_session_get_state            (PosteSession         *self);
guint               poste_session_get_messages         (PosteSession         *self);
guint64             poste_session_get_bytes            (PosteSession         *self);
gint64              poste_session_get_current_size     (PosteSession         *self);
gint64              poste_session_get_current_total    (PosteSession         *self);
void                poste_session_set_timeout          (PosteSession         *self,
                                                        guint                 seconds);
void                poste_session_set_atrn_timeout     (PosteSession         *self,
                                                        guint                 seconds);
void                poste_session_set_max_message_size (PosteSession         *self,
                                                        guint64               bytes);
void                poste_session_set_max_recipients   (PosteSession         *self,
                                                        guint                 count);
void                poste_session_set_local_name       (PosteSession         *self,
                                                        const char           *name);
GTlsCertificate    *poste_session_get_peer_certificate (PosteSession         *self);
gboolean            poste_session_run                  (PosteSession         *self,
                                                        GCancellable         *cancellable,
                                                        GError              **error);
void                poste_session_run_async            (PosteSession         *self,
                                                        GCancellable         *cancellable,
                                                        GAsyncReadyCallback   callback,
                                                        gpointer              user_data);
gboolean            poste_session_run_finish           (PosteSession         *self,
                                                        GAsyncResult         *result,
                                                        GError              **error);
PosteSessionReport *poste_session_get_report           (PosteSession         *self);

G_END_DECLS
