/* poste-channel.h: one connection to a provider, with its deadlines, transcript and progress;
 * private to libposte
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "poste-connection.h"
#include "poste-reply.h"
#include "poste-session.h"

G_BEGIN_DECLS

/* Transcripts are bounded: a session of thousands of messages keeps its first lines, its last
 * lines (how it ended) and a note of how many were left out in between. */
#define POSTE_CHANNEL_TRANSCRIPT_HEAD 4000
#define POSTE_CHANNEL_TRANSCRIPT_TAIL 1000

/* The transcript note of a message answered 5xx, followed by the reply: what
 * poste_session_report_dup_returned_reason() looks for. */
#define POSTE_CHANNEL_NOTE_RETURNED "returned to the sender by the provider: "

/* The default deadline of each read and write, in seconds. */
#define POSTE_CHANNEL_TIMEOUT 300

typedef struct _PosteChannel PosteChannel;

/* Called from the worker thread when the state or the progress changes. */
typedef void (*PosteChannelNotify) (PosteChannel *channel,
                                    gpointer      user_data);

/*
 * What the client phase (poste-client.c), the reversed state (poste-server.c), the connection
 * check and the outbox's submission share: the connection and what TLS made of it, the
 * deadline of each wait, the transcript, and the progress a front end shows. Owned and used by
 * one worker thread; the notify callback is how the progress leaves it.
 */
struct _PosteChannel
{
  /* Set before the run. */
  GCancellable          *cancellable;
  guint                  timeout;       /* seconds, for each read and write */

  /* The connection. */
  GSocketConnection     *socket;
  PosteConnection       *connection;
  GTlsConnection        *tls;
  GTlsCertificate       *peer_certificate;
  GTlsCertificateFlags   peer_errors;
  gboolean               peer_rejected; /* accept-certificate said no */
  gboolean               client_certificate;
  char                  *peer_address;
  char                  *tls_description;
  char                  *tls_protocol;
  char                  *tls_cipher;

  /* Progress, read by the notify callback. */
  PosteSessionState      state;
  guint                  messages;
  guint                  refused;       /* messages answered 5xx: the report's "returned" */
  guint                  deferred;      /* messages answered 4xx: the report's "deferred" */
  guint64                bytes;
  gint64                 current_size;
  gint64                 current_total; /* SIZE= of the message in progress, -1 if none */
  PosteChannelNotify     notify;
  gpointer               notify_data;

  /* The transcript. */
  GPtrArray             *transcript;      /* the first lines */
  GPtrArray             *transcript_tail; /* the last lines, a ring once full */
  guint                  tail_next;
  guint64                transcript_dropped;
};

PosteChannel *poste_channel_new             (guint             timeout);
void          poste_channel_free            (PosteChannel     *channel);
void          poste_channel_set_state       (PosteChannel     *channel,
                                             PosteSessionState state);
void          poste_channel_progress        (PosteChannel     *channel);
void          poste_channel_note            (PosteChannel     *channel,
                                             const char       *format,
                                             ...) G_GNUC_PRINTF (2, 3);
void          poste_channel_log_line        (PosteChannel     *channel,
                                             const char       *prefix,
                                             const char       *line,
                                             gssize            length);
void          poste_channel_log_reply       (PosteChannel     *channel,
                                             const char       *prefix,
                                             const PosteReply *reply);
gboolean      poste_channel_send_reply      (PosteChannel     *channel,
                                             const PosteReply *reply,
                                             GError          **error);
GPtrArray    *poste_channel_dup_transcript  (PosteChannel     *channel);
void          poste_channel_close           (PosteChannel     *channel,
                                             guint             seconds);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PosteChannel, poste_channel_free)

G_END_DECLS
