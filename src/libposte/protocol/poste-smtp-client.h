/* poste-smtp-client.h: the one SMTP and LMTP client of libposte
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "poste-connection.h"
#include "poste-reply.h"

G_BEGIN_DECLS

/**
 * PosteSmtpClientState:
 * @POSTE_SMTP_CLIENT_STATE_GREETING: connected, the server's 220 not read yet
 * @POSTE_SMTP_CLIENT_STATE_HELLO: greeted, EHLO (or LHLO, HELO) comes next
 * @POSTE_SMTP_CLIENT_STATE_READY: no mail transaction open; any command may follow
 * @POSTE_SMTP_CLIENT_STATE_MAIL: MAIL FROM accepted, RCPT TO may follow
 * @POSTE_SMTP_CLIENT_STATE_DATA: the body is being sent (after DATA's 354, or in BDAT chunks)
 * @POSTE_SMTP_CLIENT_STATE_CLOSED: QUIT, a 421, or a broken connection: nothing more to say
 *
 * Where the client stands in RFC 5321's dialogue. One function moves it, on each reply.
 */
typedef enum {
  POSTE_SMTP_CLIENT_STATE_GREETING,
  POSTE_SMTP_CLIENT_STATE_HELLO,
  POSTE_SMTP_CLIENT_STATE_READY,
  POSTE_SMTP_CLIENT_STATE_MAIL,
  POSTE_SMTP_CLIENT_STATE_DATA,
  POSTE_SMTP_CLIENT_STATE_CLOSED,
} PosteSmtpClientState;

/**
 * PosteSmtpClientFlags:
 * @POSTE_SMTP_CLIENT_FLAGS_NONE: SMTP (RFC 5321)
 * @POSTE_SMTP_CLIENT_FLAGS_LMTP: LMTP (RFC 2033): LHLO, and one reply per recipient to the end
 *   of the body
 * @POSTE_SMTP_CLIENT_FLAGS_CHUNKING: send bodies with BDAT (RFC 3030) when the server offers
 *   CHUNKING, instead of DATA
 */
typedef enum {
  POSTE_SMTP_CLIENT_FLAGS_NONE     = 0,
  POSTE_SMTP_CLIENT_FLAGS_LMTP     = 1 << 0,
  POSTE_SMTP_CLIENT_FLAGS_CHUNKING = 1 << 1,
} PosteSmtpClientFlags;

/**
 * PosteSmtpMailParams:
 * @size: the message's size for SIZE= (RFC 1870), in octets, or -1 for none
 * @body_8bit: the body holds 8-bit bytes: BODY=8BITMIME (RFC 6152)
 * @smtputf8: an address is not ASCII: SMTPUTF8 (RFC 6531)
 *
 * What MAIL FROM declares; each goes on the line only when the server offers its extension.
 */
typedef struct {
  gint64   size;
  gboolean body_8bit;
  gboolean smtputf8;
} PosteSmtpMailParams;

/**
 * PosteSmtpClientLogFunc:
 * @prefix: "C: " for what the client sends, "S: " for what the server answers
 * @line: one line, without its line end, as it went on the wire (or as redacted by the caller)
 * @user_data: the caller's data
 *
 * Receives the dialogue for a transcript; the line is not yet made printable.
 */
typedef void (*PosteSmtpClientLogFunc) (const char *prefix,
                                        const char *line,
                                        gpointer    user_data);

/**
 * POSTE_SMTP_CLIENT_CHUNK:
 * The largest BDAT chunk sent, in octets.
 */
#define POSTE_SMTP_CLIENT_CHUNK (64 * 1024)

typedef struct _PosteSmtpClient PosteSmtpClient;

PosteSmtpClient     *poste_smtp_client_new              (PosteConnection       *connection,
                                                         PosteSmtpClientFlags   flags);
void                 poste_smtp_client_free             (PosteSmtpClient       *self);
void                 poste_smtp_client_set_log_func     (PosteSmtpClient       *self,
                                                         PosteSmtpClientLogFunc func,
                                                         gpointer               user_data);
void                 poste_smtp_client_set_flags        (PosteSmtpClient       *self,
                                                         PosteSmtpClientFlags   flags);
PosteConnection     *poste_smtp_client_get_connection   (PosteSmtpClient       *self);
PosteSmtpClientState poste_smtp_client_get_state        (PosteSmtpClient       *self);
const char          *poste_smtp_client_state_to_string  (PosteSmtpClientState   state);
const PosteReply    *poste_smtp_client_get_capabilities (PosteSmtpClient       *self);
gboolean             poste_smtp_client_has_extension    (PosteSmtpClient       *self,
                                                         const char            *keyword,
                                                         const char           **parameters);
void                 poste_smtp_client_forget_capabilities (PosteSmtpClient    *self);

gboolean             poste_smtp_client_send             (PosteSmtpClient       *self,
                                                         const char            *line,
                                                         const char            *shown,
                                                         GCancellable          *cancellable,
                                                         GError               **error);
PosteReply          *poste_smtp_client_read_reply       (PosteSmtpClient       *self,
                                                         gboolean               logged,
                                                         GCancellable          *cancellable,
                                                         GError               **error);
void                 poste_smtp_client_log_reply        (PosteSmtpClient       *self,
                                                         const PosteReply      *reply);
PosteReply          *poste_smtp_client_command          (PosteSmtpClient       *self,
                                                         const char            *line,
                                                         GCancellable          *cancellable,
                                                         GError               **error);

PosteReply          *poste_smtp_client_greeting         (PosteSmtpClient       *self,
                                                         GCancellable          *cancellable,
                                                         GError               **error);
PosteReply          *poste_smtp_client_hello            (PosteSmtpClient       *self,
                                                         const char            *name,
                                                         gboolean               helo_fallback,
                                                         GCancellable          *cancellable,
                                                         GError               **error);
PosteReply          *poste_smtp_client_mail             (PosteSmtpClient       *self,
                                                         const char            *sender,
                                                         const PosteSmtpMailParams *params,
                                                         GCancellable          *cancellable,
                                                         GError               **error);
PosteReply          *poste_smtp_client_rcpt             (PosteSmtpClient       *self,
                                                         const char            *recipient,
                                                         GCancellable          *cancellable,
                                                         GError               **error);
PosteReply          *poste_smtp_client_envelope         (PosteSmtpClient       *self,
                                                         const char            *sender,
                                                         const PosteSmtpMailParams *params,
                                                         const char * const    *recipients,
                                                         GPtrArray             *rcpt_replies,
                                                         GCancellable          *cancellable,
                                                         GError               **error);
gboolean             poste_smtp_client_data             (PosteSmtpClient       *self,
                                                         PosteReply           **refusal,
                                                         GCancellable          *cancellable,
                                                         GError               **error);
gboolean             poste_smtp_client_write_body       (PosteSmtpClient       *self,
                                                         const guint8          *data,
                                                         gsize                  length,
                                                         PosteReply           **refusal,
                                                         GCancellable          *cancellable,
                                                         GError               **error);
PosteReply          *poste_smtp_client_end_body         (PosteSmtpClient       *self,
                                                         guint                  timeout,
                                                         GCancellable          *cancellable,
                                                         GError               **error);
void                 poste_smtp_client_abandon_body     (PosteSmtpClient       *self);
PosteReply          *poste_smtp_client_rset             (PosteSmtpClient       *self,
                                                         GCancellable          *cancellable,
                                                         GError               **error);
void                 poste_smtp_client_quit             (PosteSmtpClient       *self,
                                                         GCancellable          *cancellable);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PosteSmtpClient, poste_smtp_client_free)

G_END_DECLS
