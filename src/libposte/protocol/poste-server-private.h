/* poste-server-private.h: the reversed state's own types, shared by its two rooms
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * poste-server.c holds the conversation (the loop, the command table, EHLO, the counting and the
 * failures); poste-server-envelope.c MAIL and RCPT; poste-server-content.c the message content
 * (DATA, BDAT, the decoder, the Received: header, the end of a message). Nothing outside these
 * three includes this.
 */
#pragma once

#include "poste-data-decoder.h"
#include "poste-delivery.h"
#include "poste-server.h"

G_BEGIN_DECLS

/* Where the reversed-state conversation is (RFC 5321 section 3.3: a mail transaction is MAIL,
 * one or more RCPT, then the content; RFC 3030 section 2 for BDAT). One field holds it, set by
 * _poste_server_set_state() at each transition, and the command table in poste-server.c says in
 * which states each command may run. */
typedef enum {
  SERVER_STATE_HELLO,      /* our 220 is out: EHLO or HELO next */
  SERVER_STATE_READY,      /* greeted, no transaction open */
  SERVER_STATE_MAIL,       /* MAIL accepted, no recipient yet */
  SERVER_STATE_RCPT,       /* at least one recipient accepted: more RCPT, DATA or BDAT */
  SERVER_STATE_BDAT,       /* BDAT chunks have started: only BDAT (or RSET) until LAST */
  SERVER_STATE_QUIT,       /* QUIT answered */
  N_SERVER_STATES
} ServerState;

typedef struct {
  PosteChannel       *channel;
  const PosteServerConfig *config;
  GError             *delivery_error;   /* the first local delivery failure */
  ServerState         state;
  PosteDeliveryFlags  flags;
  guint               target_max_recipients;
  GPtrArray          *allowed;          /* A-labels, lower case; empty = any domain */

  char               *helo;
  gboolean            esmtp;
  guint               errors;

  PosteEnvelope      *envelope;         /* non-NULL while a transaction is open */
  gboolean            bdat;             /* BDAT chunks have started */
  PosteDataDecoder   *decoder;
  gboolean            header_written;
  gboolean            write_failed;
  GError             *write_error;
  gboolean            too_big;
  guint64             reported;
  gboolean            after_last;       /* the last line was a BDAT LAST chunk's */

  /* The target's refusals in the open transaction (see "Local delivery failures" in
   * poste-server.c). */
  PosteReply         *target_failure;   /* its first 4xx that is not a recipient limit */
  char               *returned_reason;  /* the first 5xx to a recipient (ours or the target's) */
} Server;

void     _poste_server_set_state (Server      *srv,
                                  ServerState  state);
gboolean _poste_server_reply (Server      *srv,
                              guint        code,
                              const char  *enhanced,
                              GError     **error,
                              const char  *format,
                              ...) G_GNUC_PRINTF (5, 6);
void     _poste_server_local_failure (Server           *srv,
                                      const PosteReply *r);
void     _poste_server_count_deferred (Server     *srv,
                                       const char *reason);
void     _poste_server_count_reply (Server           *srv,
                                    const PosteReply *r);
void     _poste_server_note_target_refusal (Server           *srv,
                                            const PosteReply *r);
void     _poste_server_transaction_settle (Server *srv);
void     _poste_server_transaction_reset (Server *srv);
void     _poste_server_transaction_done (Server *srv);
const char *_poste_server_skip_spaces (const char *p);
gboolean _poste_server_parse_size (const char *text,
                                   guint64    *value);
gboolean _poste_server_send_delivery_reply (Server            *srv,
                                            const PosteReply  *r,
                                            GError           **error);
gboolean _poste_server_refuse_message (Server      *srv,
                                       guint        code,
                                       const char  *enhanced,
                                       GError     **error,
                                       const char  *format,
                                       ...) G_GNUC_PRINTF (5, 6);
gboolean _poste_server_cmd_mail (Server      *srv,
                                 const char  *args,
                                 GError     **error);
gboolean _poste_server_cmd_rcpt (Server      *srv,
                                 const char  *args,
                                 GError     **error);
gboolean _poste_server_cmd_data (Server      *srv,
                                 const char  *args,
                                 GError     **error);
gboolean _poste_server_bdat_after_helo (Server      *srv,
                                        const char  *args,
                                        GError     **error);
gboolean _poste_server_cmd_bdat (Server      *srv,
                                 const char  *args,
                                 GError     **error);

G_END_DECLS
