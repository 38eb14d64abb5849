/* poste-session-private.h: the state one session's phases share, private to libposte
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "poste-connection.h"
#include "poste-delivery.h"
#include "poste-provider.h"
#include "poste-reply.h"
#include "poste-session.h"
#include "poste-smtp-client.h"

G_BEGIN_DECLS

/* Transcripts are bounded: a session of thousands of messages keeps its first lines, its last
 * lines (how it ended) and a note of how many were left out in between. */
#define POSTE_SESSION_TRANSCRIPT_HEAD 4000
#define POSTE_SESSION_TRANSCRIPT_TAIL 1000

/* The transcript note of a message answered 5xx, followed by the reply: what
 * poste_session_report_dup_returned_reason() looks for. */
#define POSTE_SESSION_NOTE_RETURNED "returned to the sender by the provider: "

typedef struct _PosteSessionCtx PosteSessionCtx;

/* Called from the worker thread when the state or the progress changes. */
typedef void (*PosteSessionCtxNotify) (PosteSessionCtx *ctx,
                                       gpointer         user_data);

/*
 * Everything the client phase (poste-client.c), the reversed state (poste-server.c) and the
 * connection check (poste-check.c) share. Owned and used by one worker thread.
 */
struct _PosteSessionCtx
{
  /* Configuration, set before the run. */
  PosteProvider         *provider;
  char                  *password;
  PosteDelivery         *delivery;      /* NULL for a check */
  GCancellable          *cancellable;
  char                  *local_name;
  guint                  timeout;
  guint                  atrn_timeout;
  guint64                max_message_size;
  guint                  max_recipients;

  /* The connection. */
  GSocketConnection     *socket;
  PosteConnection       *connection;
  GTlsConnection        *tls;
  GTlsCertificate       *peer_certificate;
  GTlsCertificateFlags   peer_errors;
  gboolean               peer_rejected; /* accept-certificate said no */
  gboolean               client_certificate;
  char                  *peer_address;
  PosteSmtpClient       *smtp;          /* the client phase's dialogue and the EHLO reply */
  char                  *tls_description;
  char                  *tls_protocol;
  char                  *tls_cipher;
  char                  *mechanism;
  gboolean               authenticated;
  GStrv                  requested;     /* the domains asked for in ATRN, A-labels; may be empty */

  /* Progress, read by the notify callback. */
  PosteSessionState      state;
  guint                  messages;
  guint                  refused;       /* messages answered 5xx: the report's "returned" */
  guint                  deferred;      /* messages answered 4xx: the report's "deferred" */
  guint64                bytes;
  gint64                 current_size;
  gint64                 current_total; /* SIZE= of the message in progress, -1 if none */
  GError                *delivery_error;
  GPtrArray             *transcript;     /* the first lines */
  GPtrArray             *transcript_tail; /* the last lines, a ring once full */
  guint                  tail_next;
  guint64                transcript_dropped;

  PosteSessionCtxNotify  notify;
  gpointer               notify_data;
};

PosteSessionCtx *poste_session_ctx_new       (PosteProvider   *provider,
                                              const char      *password,
                                              PosteDelivery   *delivery);
void             poste_session_ctx_free      (PosteSessionCtx *ctx);
void             poste_session_ctx_set_state (PosteSessionCtx *ctx,
                                              PosteSessionState state);
void             poste_session_ctx_progress  (PosteSessionCtx *ctx);
void             poste_session_ctx_note      (PosteSessionCtx *ctx,
                                              const char      *format,
                                              ...) G_GNUC_PRINTF (2, 3);
void             poste_session_ctx_log_line  (PosteSessionCtx *ctx,
                                              const char      *prefix,
                                              const char      *line,
                                              gssize           length);
void             poste_session_ctx_log_reply (PosteSessionCtx *ctx,
                                              const char      *prefix,
                                              const PosteReply *reply);
gboolean         poste_session_ctx_send      (PosteSessionCtx *ctx,
                                              const char      *line,
                                              GError         **error);
gboolean         poste_session_ctx_send_reply (PosteSessionCtx *ctx,
                                              const PosteReply *reply,
                                              GError         **error);
PosteReply      *poste_session_ctx_read_reply (PosteSessionCtx *ctx,
                                              GError         **error);
GPtrArray       *poste_session_ctx_dup_transcript (PosteSessionCtx *ctx);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PosteSessionCtx, poste_session_ctx_free)

G_END_DECLS
