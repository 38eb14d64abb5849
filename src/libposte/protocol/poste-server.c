/* poste-server.c: the reversed state of an ODMR session (RFC 2645 section 4), private
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * After ATRN's 250 the roles turn: the provider is the SMTP client, we are the server (still the
 * TLS client of the same connection). We say 220, accept EHLO or HELO, and take MAIL, RCPT, DATA,
 * BDAT, RSET, NOOP, VRFY, HELP and QUIT (RFC 5321, PIPELINING RFC 2920, SIZE RFC 1870, 8BITMIME
 * RFC 6152, ENHANCEDSTATUSCODES RFC 2034, SMTPUTF8 RFC 6531, CHUNKING RFC 3030).
 *
 * This file is the conversation: the loop, the command table, EHLO, and the accounting of what was
 * taken and refused. The envelope (MAIL, RCPT) is in poste-server-envelope.c, a message's content
 * (DATA, BDAT, the Received: header) in poste-server-content.c.
 *
 * Messages stream: the bytes go from the connection's buffer (peek/consume) through the DATA
 * decoder (poste-data-decoder.c) straight into the delivery target in chunks of at most
 * POSTE_DATA_DECODER_CHUNK bytes. A message is never held whole in memory.
 *
 * Policies, decided once:
 *  - The end of DATA is only CR LF . CR LF. Dot-unstuffing is exact.
 *  - DATA: a bare LF, a bare CR or a NUL anywhere in a message: we read on to the end of the
 *    DATA, abort the delivery and answer "550 5.6.0". The message is refused, never changed; the
 *    provider returns it to its sender. (RFC 5321 section 2.3.8 forbids them, and in DATA a bare
 *    line end is where SMTP smuggling hides an end of data that another server would see.)
 *  - BDAT (RFC 3030) carries octets by count, so no line end can end a message early and there is
 *    nothing to smuggle: a BDAT message with a bare CR or a bare LF is stored as sent (mbox,
 *    Maildir and MDA get LF for each CR LF as usual; a bare CR or LF stays as it is). A NUL is
 *    refused as in DATA ("550 5.6.0"): no store takes it. The SMTP and LMTP relays never pass a
 *    bare CR or LF on: each becomes CR LF there (poste-smtp-delivery.c).
 *  - A stray empty line right after a BDAT LAST chunk (a provider that declared its last chunk
 *    one octet short, so that the chunk's final LF comes after it) gets "500 5.5.2" and does
 *    not count as a bad command: the session goes on. The message is as the chunk declared it.
 *  - Lines longer than 998 octets are stored verbatim: never cut, never refused.
 *  - SIZE: with max-message-size 0 we advertise "SIZE 0" (no fixed limit, RFC 1870 section 4);
 *    otherwise MAIL with a larger SIZE= gets "552 5.3.4", and content that grows past the limit
 *    is read to its end, dropped, and answered "552 5.3.4".
 *  - At most max-recipients recipients (100 by default): the next gets "452 4.5.3" (RFC 5321
 *    section 4.5.3.1.10; the provider sends them again in another transaction). A target that
 *    takes one recipient a transaction (LMTP) gets "452 4.5.3" on the second RCPT.
 *  - Recipients outside the domains asked for in ATRN (or the customer's domains when ATRN was
 *    bare) get "550 5.7.1": we are not an open relay. With no domains configured at all there is
 *    nothing to check against, and every recipient the provider sends is taken, except by a
 *    target that relays (SMTP, LMTP), which then takes none (550 5.7.1; the configuration refuses
 *    that combination anyway). A recipient with routing syntax ('%', '!', a second '@', a source
 *    route; poste-address.c) gets "550 5.7.1" before any target sees it, whatever the target.
 *  - "RCPT TO:<postmaster>" without a domain is taken (RFC 5321 section 4.5.1) and goes where
 *    the router sends it: the provider's route for a postmaster@ address, else the default target.
 *  - BDAT after HELO (CHUNKING is only for a client that said EHLO, RFC 3030): its chunk is read
 *    and dropped, never parsed as commands, and the answer is "503".
 *  - A delivery write() error: read the DATA to its end, abort, answer "451 4.3.0".
 *  - The reply to the end of DATA is the target's commit() reply, which is 250 only once the
 *    message is durable. Any local doubt is a 4xx, so the provider keeps the message.
 *  - Every message gets a Received: header (RFC 5321 section 4.4), written before the content.
 *  - The user's Stop (cancellation) answers "421 4.3.2" and closes; a wait past the timeout
 *    answers "421 4.4.2".
 *  - The provider's end: its QUIT; a hang-up between transactions after its EHLO or HELO (what
 *    was acknowledged is delivered); and, as its first words after our 220, "QUIT" written in
 *    plain text on the socket under TLS (stock Exim 4.99.1 when it holds nothing: "no mail").
 *    A hang-up before EHLO or HELO, or inside a transaction, is an error.
 *
 * Counting what was not taken: a message answered 4xx is "deferred": left with the provider,
 * which offers it again later; a message answered 5xx is "returned": the provider returns it to
 * its sender (RFC 5321 section 6.1), so it is never reported as left with the provider. Each gets
 * a transcript note with its reply ("returned to the sender by the provider: 550 5.1.1 ...").
 * Counted at MAIL (any 5xx of ours; the target's 4xx or 5xx), at the end of the message (ours or
 * the target's commit()), and for a transaction whose every recipient was refused (deferred when
 * one refusal was the target's 4xx, else returned when one was a 5xx). 452 recipient limits count
 * in neither: the provider sends those recipients again. A recipient refused while others of the
 * same message were taken counts in neither (the message was delivered).
 *
 * Local delivery failures. Two kinds of refusal reach the provider, and only one is a failure:
 *  - Our own policy: the replies this file makes up for a recipient outside the requested
 *    domains (550 5.7.1), a recipient limit (452 4.5.3, ours or the target's), a bare LF, CR or
 *    NUL (550 5.6.0), a message too big (552 5.3.4), a syntax error. A 452 4.5.3 is normal flow
 *    (the provider sends the recipient again in another transaction).
 *  - The target's replies to begin() (MAIL), add_recipient() (RCPT) and commit() (the end of the
 *    message), passed through. A 452 with 4.5.3 (or with no enhanced code) is a recipient limit
 *    (the router's "another target", LMTP's one recipient a transaction): policy, as above. Any
 *    other 4xx is a local delivery failure: the provider keeps the mail, and the user must hear of
 *    it. A target that cannot answer at all counts as "451 4.3.0".
 *  So: a message refused by the target with 4xx at MAIL, at every one of its RCPTs, or at the end
 *  of its content (and a write error, answered 451) counts in "deferred" and makes the session
 *  fail with POSTE_SESSION_ERROR_DELIVERY, whose message describes the target's first such reply.
 *  A 4xx from the target for one recipient of a message that others received fails the session
 *  the same way (that copy waits at the provider) without being counted. A 5xx from the target
 *  (a local MTA's 550 for an unknown user) is a permanent refusal passed through: "returned",
 *  never a failure.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "poste-atrn.h"
#include "poste-data-decoder.h"
#include "poste-error.h"
#include "poste-server-private.h"

/* How long the last words (421) may take once the session is being stopped. */
#define GOODBYE_TIMEOUT_SECONDS 5

static const char * const server_state_names[N_SERVER_STATES] = {
  [SERVER_STATE_HELLO] = "hello",
  [SERVER_STATE_READY] = "ready",
  [SERVER_STATE_MAIL] = "mail",
  [SERVER_STATE_RCPT] = "rcpt",
  [SERVER_STATE_BDAT] = "bdat",
  [SERVER_STATE_QUIT] = "quit",
};

void
_poste_server_set_state (Server      *srv,
                         ServerState  state)
{
  if (srv->state == state)
    return;
  g_debug ("Reversed state: %s -> %s", server_state_names[srv->state], server_state_names[state]);
  srv->state = state;
}

gboolean
_poste_server_reply (Server      *srv,
                     guint        code,
                     const char  *enhanced,
                     GError     **error,
                     const char  *format,
                     ...)
{
  g_autoptr(PosteReply) r = NULL;
  g_autofree char *text = NULL;
  const char *lines[2] = { NULL, NULL };
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  lines[0] = text;
  /* Enhanced status codes only for a client that said EHLO (RFC 2034 section 3). */
  r = poste_reply_new_lines (code, srv->esmtp ? enhanced : NULL, lines);
  return poste_channel_send_reply (srv->channel, r, error);
}

/* A 452 with 4.5.3 (or without an enhanced code): "too many recipients", RFC 5321 section
 * 4.5.3.1.10; the provider sends the recipient again in another transaction. */
static gboolean
is_recipient_limit (const PosteReply *r)
{
  return r->code == 452 && (r->enhanced == NULL || g_str_equal (r->enhanced, "4.5.3"));
}

/* A 4xx from the target for a local reason: the provider keeps the mail, and the session will
 * end with POSTE_SESSION_ERROR_DELIVERY (the first such reply, described). */
void
_poste_server_local_failure (Server           *srv,
                             const PosteReply *r)
{
  PosteChannel *channel = srv->channel;
  g_autofree char *text = poste_reply_describe (r);

  poste_channel_note (channel, "local delivery failed: %s", text);
  if (srv->delivery_error == NULL)
    srv->delivery_error = g_error_new (POSTE_SESSION_ERROR, POSTE_SESSION_ERROR_DELIVERY,
                                       _("A message could not be delivered locally: %s"), text);
}

/* A message refused for good (5xx, ours or the target's): the provider returns it to its
 * sender. Counted in the report's "returned"; the note gives the reason
 * (poste_session_report_dup_returned_reason() finds it). */
static void
count_returned (Server     *srv,
                const char *reason)
{
  srv->channel->refused++;
  poste_channel_note (srv->channel, POSTE_CHANNEL_NOTE_RETURNED "%s", reason);
}

/* A message answered 4xx: left with the provider, which offers it again later. */
void
_poste_server_count_deferred (Server     *srv,
                              const char *reason)
{
  srv->channel->deferred++;
  poste_channel_note (srv->channel, "left with the provider: %s", reason);
}

void
_poste_server_count_reply (Server           *srv,
                           const PosteReply *r)
{
  g_autofree char *text = poste_reply_describe (r);

  if (poste_reply_is_permanent (r))
    count_returned (srv, text);
  else
    _poste_server_count_deferred (srv, text);
}

/* Remembers the target's refusal of a recipient, for _poste_server_transaction_settle(). */
void
_poste_server_note_target_refusal (Server           *srv,
                                   const PosteReply *r)
{
  if (poste_reply_is_permanent (r))
    {
      if (srv->returned_reason == NULL)
        srv->returned_reason = poste_reply_describe (r);
    }
  else if (poste_reply_is_transient (r) && !is_recipient_limit (r) && srv->target_failure == NULL)
    srv->target_failure = poste_reply_copy (r);
}

/* The open transaction ends (committed or not): a message whose every recipient was refused
 * counts in "deferred" when one refusal was a 4xx from the target (a local failure), else in
 * "returned" when one was a 5xx (ours or the target's). Recipient limits (452) count in neither:
 * the provider sends those recipients again. */
void
_poste_server_transaction_settle (Server *srv)
{
  if (srv->envelope != NULL && srv->envelope->recipients->len == 0)
    {
      if (srv->target_failure != NULL)
        _poste_server_count_reply (srv, srv->target_failure);
      else if (srv->returned_reason != NULL)
        count_returned (srv, srv->returned_reason);
    }
  if (srv->envelope != NULL && srv->target_failure != NULL)
    _poste_server_local_failure (srv, srv->target_failure);
  g_clear_pointer (&srv->target_failure, poste_reply_free);
  g_clear_pointer (&srv->returned_reason, g_free);
}

void
_poste_server_transaction_reset (Server *srv)
{
  _poste_server_transaction_settle (srv);
  if (srv->envelope != NULL)
    poste_delivery_abort (srv->config->delivery);
  g_clear_pointer (&srv->envelope, poste_envelope_free);
  srv->bdat = FALSE;
  srv->header_written = FALSE;
  srv->write_failed = FALSE;
  srv->too_big = FALSE;
  srv->reported = 0;
  g_clear_error (&srv->write_error);
  if (srv->channel->current_size != -1)
    {
      srv->channel->current_size = -1;
      poste_channel_progress (srv->channel);
    }
  if (srv->state != SERVER_STATE_QUIT)
    _poste_server_set_state (srv, srv->helo != NULL ? SERVER_STATE_READY : SERVER_STATE_HELLO);
}

/* The transaction is over (committed or refused): forget it without aborting the target. */
void
_poste_server_transaction_done (Server *srv)
{
  g_clear_pointer (&srv->envelope, poste_envelope_free);
  _poste_server_transaction_reset (srv);
}

/* Passes on the target's own reply (so a local MTA's verdict reaches the provider), without its
 * enhanced code when the provider said HELO (RFC 2034 section 3). */
gboolean
_poste_server_send_delivery_reply (Server            *srv,
                                   const PosteReply  *r,
                                   GError           **error)
{
  g_autoptr(PosteReply) plain = NULL;

  if (!srv->esmtp && r->enhanced != NULL)
    {
      plain = poste_reply_new_lines (r->code, NULL, (const char * const *) r->lines);
      r = plain;
    }
  return poste_channel_send_reply (srv->channel, r, error);
}

static gboolean
cmd_ehlo (Server      *srv,
          const char  *args,
          gboolean     extended,
          GError     **error)
{
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(PosteReply) r = NULL;
  const char *name = _poste_server_skip_spaces (args);
  g_autofree char *shown = NULL;

  if (*name == '\0')
    return _poste_server_reply (srv, 501, "5.5.4", error, "Syntax: %s hostname",
                                extended ? "EHLO" : "HELO");

  _poste_server_transaction_reset (srv);
  g_free (srv->helo);
  srv->helo = g_strdup (name);
  srv->esmtp = extended;
  _poste_server_set_state (srv, SERVER_STATE_READY);

  if (!extended)
    return _poste_server_reply (srv, 250, NULL, error, "%s", srv->config->local_name);

  /* The provider's name is echoed printable and short: our reply stays ASCII and within 512
   * octets (RFC 5321 section 4.5.3.1.5) whatever it sent. */
  shown = poste_printable (name, MIN (strlen (name), 100));
  g_ptr_array_add (lines, g_strdup_printf ("%s greets %s", srv->config->local_name, shown));
  g_ptr_array_add (lines, g_strdup ("PIPELINING"));
  g_ptr_array_add (lines, g_strdup_printf ("SIZE %" G_GUINT64_FORMAT,
                                           srv->config->max_message_size));
  if (srv->flags & POSTE_DELIVERY_FLAGS_8BITMIME)
    g_ptr_array_add (lines, g_strdup ("8BITMIME"));
  g_ptr_array_add (lines, g_strdup ("ENHANCEDSTATUSCODES"));
  if (srv->flags & POSTE_DELIVERY_FLAGS_SMTPUTF8)
    g_ptr_array_add (lines, g_strdup ("SMTPUTF8"));
  g_ptr_array_add (lines, g_strdup ("CHUNKING"));
  g_ptr_array_add (lines, NULL);
  r = poste_reply_new_lines (250, NULL, (const char * const *) lines->pdata);
  return poste_channel_send_reply (srv->channel, r, error);
}

/* Our own 5xx to MAIL or to the end of a message: the provider returns the message to its
 * sender, so it is counted and its reason noted. */
gboolean
_poste_server_refuse_message (Server      *srv,
                              guint        code,
                              const char  *enhanced,
                              GError     **error,
                              const char  *format,
                              ...)
{
  g_autofree char *text = NULL;
  g_autofree char *reason = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  reason = g_strdup_printf ("%03u %s %s", code, enhanced, text);
  count_returned (srv, reason);
  return _poste_server_reply (srv, code, enhanced, error, "%s", text);
}

/* The last words when the session is stopped: 421, then nothing more is read. */
static void
goodbye (Server     *srv,
         const char *enhanced,
         const char *text)
{
  PosteChannel *channel = srv->channel;
  g_autoptr(PosteReply) r = NULL;

  _poste_server_transaction_reset (srv);
  r = poste_reply_new (421, srv->esmtp ? enhanced : NULL, "%s %s", srv->config->local_name, text);
  poste_connection_set_timeout (channel->connection, MIN (channel->timeout,
                                                          GOODBYE_TIMEOUT_SECONDS));
  if (poste_channel_send_reply (channel, r, NULL))
    poste_connection_flush (channel->connection, NULL, NULL);
}

static gboolean
handle_failure (Server  *srv,
                GError  *local_error,
                GError **error)
{
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    goodbye (srv, "4.3.2", "Service shutting down (stopped by the user)");
  else if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    goodbye (srv, "4.4.2", "Timeout: closing the connection");
  else if (g_error_matches (local_error, POSTE_PROTOCOL_ERROR, POSTE_PROTOCOL_ERROR_LINE_TOO_LONG))
    {
      _poste_server_reply (srv, 500, "5.5.2", NULL, "Line too long");
      goodbye (srv, "4.7.0", "Closing the connection");
    }
  else
    _poste_server_transaction_reset (srv);
  g_propagate_error (error, local_error);
  return FALSE;
}

/* ---- The commands: what each does, and in which states ---- */

typedef gboolean (*CommandFunc) (Server      *srv,
                                 const char  *args,
                                 gboolean    *quit,
                                 GError     **error);

static gboolean
run_ehlo (Server *srv, const char *args, gboolean *quit, GError **error)
{
  return cmd_ehlo (srv, args, TRUE, error);
}

static gboolean
run_helo (Server *srv, const char *args, gboolean *quit, GError **error)
{
  return cmd_ehlo (srv, args, FALSE, error);
}

static gboolean
run_mail (Server *srv, const char *args, gboolean *quit, GError **error)
{
  return _poste_server_cmd_mail (srv, args, error);
}

/* MAIL before a greeting, or inside a transaction: our own 5xx to a message, counted. */
static gboolean
mail_out_of_sequence (Server *srv, const char *args, gboolean *quit, GError **error)
{
  if (srv->state == SERVER_STATE_HELLO)
    return _poste_server_refuse_message (srv, 503, "5.5.1", error, "Say EHLO first");
  return _poste_server_refuse_message (srv, 503, "5.5.1", error, "Nested MAIL command");
}

static gboolean
run_rcpt (Server *srv, const char *args, gboolean *quit, GError **error)
{
  return _poste_server_cmd_rcpt (srv, args, error);
}

static gboolean
need_mail_first (Server *srv, const char *args, gboolean *quit, GError **error)
{
  return _poste_server_reply (srv, 503, "5.5.1", error, "Need MAIL first");
}

static gboolean
run_data (Server *srv, const char *args, gboolean *quit, GError **error)
{
  return _poste_server_cmd_data (srv, args, error);
}

static gboolean
data_out_of_sequence (Server *srv, const char *args, gboolean *quit, GError **error)
{
  if (*_poste_server_skip_spaces (args) != '\0')
    return _poste_server_reply (srv, 501, "5.5.4", error, "Syntax: DATA");
  switch (srv->state)
    {
    case SERVER_STATE_MAIL:
      return _poste_server_reply (srv, 554, "5.5.1", error, "No valid recipients");
    case SERVER_STATE_BDAT:
      return _poste_server_reply (srv, 503, "5.5.1", error, "DATA after BDAT");
    case SERVER_STATE_HELLO:
    case SERVER_STATE_READY:
    case SERVER_STATE_RCPT:
    case SERVER_STATE_QUIT:
    case N_SERVER_STATES:
    default:
      return need_mail_first (srv, args, quit, error);
    }
}

/* BDAT runs in every state, since its chunk follows the command line and must be read whatever
 * the answer: _poste_server_cmd_bdat() and _poste_server_bdat_after_helo() read it first, then
 * say whether it was in sequence. */
static gboolean
run_bdat (Server *srv, const char *args, gboolean *quit, GError **error)
{
  return srv->esmtp ? _poste_server_cmd_bdat (srv, args,
                                              error) : _poste_server_bdat_after_helo (srv, args,
                                                                                      error);
}

static gboolean
run_rset (Server *srv, const char *args, gboolean *quit, GError **error)
{
  _poste_server_transaction_reset (srv);
  return _poste_server_reply (srv, 250, "2.0.0", error, "OK");
}

static gboolean
run_noop (Server *srv, const char *args, gboolean *quit, GError **error)
{
  return _poste_server_reply (srv, 250, "2.0.0", error, "OK");
}

static gboolean
run_vrfy (Server *srv, const char *args, gboolean *quit, GError **error)
{
  return _poste_server_reply (srv, 252, "2.5.2", error,
                              "Cannot VRFY; send the message and we will try");
}

static gboolean
run_help (Server *srv, const char *args, gboolean *quit, GError **error)
{
  return _poste_server_reply (srv, 214, "2.0.0", error,
                              "EHLO HELO MAIL RCPT DATA BDAT RSET NOOP VRFY QUIT");
}

static gboolean
run_quit (Server *srv, const char *args, gboolean *quit, GError **error)
{
  *quit = TRUE;
  _poste_server_transaction_reset (srv);
  _poste_server_set_state (srv, SERVER_STATE_QUIT);
  return _poste_server_reply (srv, 221, "2.0.0", error, "%s closing connection",
                              srv->config->local_name);
}

/* Commands of the client phase, or of services we never offer: a provider that sends them in
 * the reversed state is confused, and counts toward the error limit. */
static gboolean
not_implemented (Server *srv, const char *args, gboolean *quit, GError **error)
{
  srv->errors++;
  return _poste_server_reply (srv, 502, "5.5.1", error, "Command not implemented");
}

#define IN(state) (1u << SERVER_STATE_##state)
#define GREETED   (IN (READY) | IN (MAIL) | IN (RCPT) | IN (BDAT))
#define ANYWHERE  (IN (HELLO) | GREETED)

static const struct {
  const char  *verb;
  guint        states;            /* where @run runs */
  CommandFunc  run;
  CommandFunc  out_of_sequence;   /* anywhere else */
} commands[] = {
  { "EHLO", ANYWHERE, run_ehlo, NULL },
  { "HELO", ANYWHERE, run_helo, NULL },
  { "MAIL", IN (READY), run_mail, mail_out_of_sequence },
  /* RCPT after BDAT has started is left to the target's verdict, as before chunking. */
  { "RCPT", IN (MAIL) | IN (RCPT) | IN (BDAT), run_rcpt, need_mail_first },
  { "DATA", IN (RCPT), run_data, data_out_of_sequence },
  { "BDAT", ANYWHERE, run_bdat, NULL },
  { "RSET", ANYWHERE, run_rset, NULL },
  { "NOOP", ANYWHERE, run_noop, NULL },
  { "VRFY", ANYWHERE, run_vrfy, NULL },
  { "HELP", ANYWHERE, run_help, NULL },
  { "QUIT", ANYWHERE, run_quit, NULL },
  { "STARTTLS", 0, NULL, not_implemented },
  { "AUTH", 0, NULL, not_implemented },
  { "ETRN", 0, NULL, not_implemented },
  { "ATRN", 0, NULL, not_implemented },
  { "EXPN", 0, NULL, not_implemented },
};

/* One command line: its verb (any case) looked up in the table, then run or refused by the
 * state. */
static gboolean
dispatch (Server      *srv,
          const char  *line,
          gboolean    *quit,
          GError     **error)
{
  const char *space = strchr (line, ' ');
  gsize n = space != NULL ? (gsize) (space - line) : strlen (line);
  const char *args = line + n;
  g_autofree char *verb = g_ascii_strup (line, n);

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (verb, commands[i].verb))
      {
        if (commands[i].states & (1u << srv->state))
          return commands[i].run (srv, args, quit, error);
        return commands[i].out_of_sequence (srv, args, quit, error);
      }

  srv->errors++;
  return _poste_server_reply (srv, 500, "5.5.1", error, "Command unrecognized");
}

/* Whether the provider's first words after our 220 are "QUIT" in plain text on the socket under
 * TLS, outside any TLS record: stock Exim 4.99.1 does that after a 250 to ATRN when it holds
 * nothing. Looked at (MSG_PEEK, nothing consumed) before TLS reads them, since TLS can only
 * report "an unexpected packet". A TLS record starts with its content type (20 to 24), never a
 * letter, so the two cannot be confused; anything else is left to TLS, which refuses it. FALSE
 * with @error set when the wait fails (timeout, Stop). */
static gboolean
plain_quit_under_tls (Server    *srv,
                      gboolean  *quit,
                      GError   **error)
{
  PosteChannel *channel = srv->channel;
  GSocket *socket;
  char head[6];
  GInputVector vector = { head, sizeof head };
  gint flags = G_SOCKET_MSG_PEEK;
  GInputStream *tls_input;
  gboolean blocking;
  guint timeout;
  gssize n;

  *quit = FALSE;
  if (channel->tls == NULL || channel->socket == NULL ||
      poste_connection_get_buffered (channel->connection) > 0)
    return TRUE;
  socket = g_socket_connection_get_socket (channel->socket);
  tls_input = g_io_stream_get_input_stream (G_IO_STREAM (channel->tls));
  /* TLS may hold a record it already read from the socket: then there is nothing to wait for
   * on the socket, and what comes next is TLS anyway. */
  if (G_IS_POLLABLE_INPUT_STREAM (tls_input) &&
      g_pollable_input_stream_is_readable (G_POLLABLE_INPUT_STREAM (tls_input)) &&
      !g_socket_condition_check (socket, G_IO_IN))
    return TRUE;
  timeout = poste_connection_get_timeout (channel->connection);
  if (!g_socket_condition_timed_wait (socket, G_IO_IN, (gint64) timeout * G_USEC_PER_SEC,
                                      channel->cancellable, error))
    {
      /* Worded as PosteConnection words its own deadline. */
      if (g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
        {
          g_clear_error (error);
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                       "The peer did not answer within %u seconds", timeout);
        }
      return FALSE;
    }
  /* Peeked, not consumed: the TLS read that follows sees the same bytes. Without blocking, so
   * that this look can never become a wait of its own. */
  blocking = g_socket_get_blocking (socket);
  g_socket_set_blocking (socket, FALSE);
  n = g_socket_receive_message (socket, NULL, &vector, 1, NULL, NULL, &flags, channel->cancellable,
                                NULL);
  g_socket_set_blocking (socket, blocking);
  if (n >= 4 && g_ascii_strncasecmp (head, "QUIT", 4) == 0)
    {
      poste_channel_log_line (channel, "S: ", head, MIN (n, 4));
      poste_channel_note (channel, "the provider said QUIT in plain text, outside TLS: it "
                          "holds no mail");
      *quit = TRUE;
    }
  return TRUE;
}

/**
 * poste_server_run:
 * @channel: the channel, after ATRN's 250: the connection turned around
 * @config: what the reversed state needs to know: the delivery target, our name, the domains
 *   to accept and the limits
 * @delivery_error: (out) (optional): the first local delivery failure (a 4xx the target gave,
 *   %POSTE_SESSION_ERROR_DELIVERY), set even when the run itself succeeds
 * @error: return location for a #GError
 *
 * Runs the reversed state until the provider's QUIT (see the top of poste-server.c for the
 * policies). Messages are counted in @channel's progress as they are committed.
 *
 * Returns: %TRUE when the provider said QUIT (or hung up between transactions); %FALSE with
 *   %G_IO_ERROR_CANCELLED (after answering 421), %G_IO_ERROR_TIMED_OUT (after 421),
 *   %POSTE_PROTOCOL_ERROR_CLOSED when the provider went away in the middle of a transaction, or
 *   another error
 */
gboolean
poste_server_run (PosteChannel             *channel,
                  const PosteServerConfig  *config,
                  GError                  **delivery_error,
                  GError                  **error)
{
  Server srv = { 0, };
  g_autoptr(GError) local_error = NULL;
  g_autoptr(PosteReply) greeting = NULL;
  gboolean quit = FALSE;
  gboolean first = TRUE;
  gboolean ok = FALSE;

  g_return_val_if_fail (config->delivery != NULL, FALSE);

  srv.channel = channel;
  srv.config = config;
  srv.flags = poste_delivery_get_flags (config->delivery);
  srv.target_max_recipients = poste_delivery_get_max_recipients (config->delivery);
  srv.allowed = g_ptr_array_new_with_free_func (g_free);
  channel->current_size = -1;

  for (guint i = 0; config->domains != NULL && config->domains[i] != NULL; i++)
    {
      char *ascii = poste_atrn_domain_to_ascii (config->domains[i], NULL);
      if (ascii != NULL)
        g_ptr_array_add (srv.allowed, ascii);
    }

  poste_channel_set_state (channel, POSTE_SESSION_STATE_RECEIVING);
  greeting = poste_reply_new (220, NULL, "%s ESMTP Poste Restante ready", config->local_name);
  if (!poste_channel_send_reply (channel, greeting, &local_error))
    goto failed;

  while (!quit)
    {
      gsize length;
      PosteLineEnd end;
      const char *line;
      g_autofree char *copy = NULL;

      /* Pipelined replies leave together: flush only when no command is waiting (RFC 2920). */
      if (poste_connection_get_buffered (channel->connection) == 0 &&
          !poste_connection_flush (channel->connection, channel->cancellable, &local_error))
        goto failed;
      if (g_cancellable_set_error_if_cancelled (channel->cancellable, &local_error))
        goto failed;
      if (srv.errors >= POSTE_SERVER_MAX_ERRORS)
        {
          goodbye (&srv, "4.7.0", "Too many errors");
          g_set_error (&local_error, POSTE_PROTOCOL_ERROR, POSTE_PROTOCOL_ERROR_MALFORMED,
                       _("The provider sent too many bad commands"));
          goto failed;
        }

      if (first)
        {
          gboolean plain_quit = FALSE;

          first = FALSE;
          if (!plain_quit_under_tls (&srv, &plain_quit, &local_error))
            goto failed;
          if (plain_quit)
            {
              ok = TRUE;
              goto out;
            }
        }

      line = poste_connection_read_line (channel->connection, POSTE_SERVER_MAX_COMMAND, &length,
                                         &end,
                                         channel->cancellable, &local_error);
      /* A provider that hangs up between transactions has finished, if rudely: what was
       * acknowledged is delivered and nothing is lost. Inside a transaction it is an error (the
       * message is aborted; the provider still has it), and so is a hang-up before its EHLO or
       * HELO: after a 250 to ATRN that is a broken session, not "no mail". */
      if (line == NULL && srv.state == SERVER_STATE_READY &&
          g_error_matches (local_error, POSTE_PROTOCOL_ERROR, POSTE_PROTOCOL_ERROR_CLOSED))
        {
          poste_channel_note (channel, "the provider closed the connection without QUIT");
          g_clear_error (&local_error);
          ok = TRUE;
          goto out;
        }
      if (line == NULL)
        goto failed;
      poste_channel_log_line (channel, "S: ", line, length);

      if (srv.after_last && length == 0)
        {
          srv.after_last = FALSE;
          if (!_poste_server_reply (&srv, 500, "5.5.2", &local_error,
                      "Stray line end after the last BDAT chunk: ignored"))
            goto failed;
          continue;
        }
      srv.after_last = FALSE;

      if (end != POSTE_LINE_END_CRLF || memchr (line, '\0', length) != NULL ||
          memchr (line, '\r', length) != NULL)
        {
          srv.errors++;
          if (!_poste_server_reply (&srv, 500, "5.5.2", &local_error,
                      "Syntax error: a command line ends in CR LF and holds no CR, LF or NUL"))
            goto failed;
          continue;
        }

      copy = g_strndup (line, length);
      if (!dispatch (&srv, copy, &quit, &local_error))
        goto failed;
    }

  ok = poste_connection_flush (channel->connection, channel->cancellable, &local_error);
  if (!ok)
    goto failed;
  goto out;

failed:
  handle_failure (&srv, g_steal_pointer (&local_error), error);
  ok = FALSE;

out:
  _poste_server_transaction_reset (&srv);
  g_clear_pointer (&srv.returned_reason, g_free);
  g_clear_pointer (&srv.decoder, poste_data_decoder_free);
  g_clear_error (&srv.write_error);
  g_free (srv.helo);
  g_ptr_array_unref (srv.allowed);
  if (srv.delivery_error != NULL)
    g_propagate_error (delivery_error, g_steal_pointer (&srv.delivery_error));
  return ok;
}
