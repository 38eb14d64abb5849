/* poste-smtp-client.c: the one SMTP and LMTP client of libposte
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every place libposte speaks as an SMTP client goes through here: the client phase of an ODMR
 * session (greeting, EHLO, STARTTLS, AUTH, ATRN; poste-client.c), the SMTP and LMTP delivery
 * targets (poste-smtp-delivery.c) and the outbox's submission (poste-outbox-submit.c).
 *
 * As in OpenSMTPD's smtp_client.c and Postfix's smtp_chat.c: an explicit state, with a table of
 * names for logs, moved by one function on each reply (advance ()); replies read through
 * poste_reply_read(), which bounds them in length, lines and time; a broken connection or a 421
 * closes the client for good. What the caller does with a reply (retry, map it, pass it on) is
 * the caller's: the client only keeps the dialogue in step.
 *
 * PIPELINING (RFC 2920): MAIL FROM and the RCPT TOs of one envelope go out in one write when the
 * server offers it, and their replies are read in order. CHUNKING (RFC 3030): with the flag and
 * the server's offer, a body goes out in BDAT chunks of at most %POSTE_SMTP_CLIENT_CHUNK octets,
 * each answered before the next, instead of DATA. Either way the body passes through the one
 * #PosteDataEncoder, so every server we talk to gets the same well-formed lines.
 *
 * About a thousand lines, a third of them the interface's documentation: the envelope and the
 * body move one state through one advance (), and splitting them would put the state machine's
 * insides in a header for two files to share.
 */
#include "config.h"

#include <string.h>

#include "poste-data-encoder.h"
#include "poste-error.h"
#include "poste-smtp-client.h"

typedef enum {
  VERB_GREETING,
  VERB_HELLO,
  VERB_MAIL,
  VERB_RCPT,
  VERB_DATA,
  VERB_BDAT,
  VERB_END,
  VERB_RSET,
  VERB_QUIT,
  VERB_OTHER,     /* STARTTLS, AUTH, ATRN, ETRN ...: the caller's business, the state stays */
} Verb;

struct _PosteSmtpClient
{
  PosteConnection       *connection;
  PosteSmtpClientFlags   flags;
  PosteSmtpClientState   state;
  PosteReply            *capabilities;   /* the last positive EHLO or LHLO reply */

  PosteDataEncoder      *encoder;        /* the body in progress; its mode says DATA or BDAT */
  GByteArray            *pending;        /* encoded bytes not yet sent (a BDAT chunk) */
  guint                  accepted;       /* recipients accepted in this transaction */

  PosteSmtpClientLogFunc log;
  gpointer               log_data;
};

static const char * const state_names[] = {
  [POSTE_SMTP_CLIENT_STATE_GREETING] = "greeting",
  [POSTE_SMTP_CLIENT_STATE_HELLO]    = "hello",
  [POSTE_SMTP_CLIENT_STATE_READY]    = "ready",
  [POSTE_SMTP_CLIENT_STATE_MAIL]     = "mail",
  [POSTE_SMTP_CLIENT_STATE_DATA]     = "data",
  [POSTE_SMTP_CLIENT_STATE_CLOSED]   = "closed",
};

/**
 * poste_smtp_client_state_to_string:
 * @state: a state
 *
 * Returns: (transfer none): the state's name for logs, such as "mail"
 */
const char *
poste_smtp_client_state_to_string (PosteSmtpClientState state)
{
  if ((guint) state >= G_N_ELEMENTS (state_names))
    return "unknown";
  return state_names[state];
}

static void
set_state (PosteSmtpClient      *self,
           PosteSmtpClientState  state)
{
  if (self->state == state)
    return;
  g_debug ("SMTP client: %s -> %s", state_names[self->state], state_names[state]);
  self->state = state;
}

/* The one place the state moves on a reply. */
static void
advance (PosteSmtpClient  *self,
         Verb              verb,
         const PosteReply *reply)
{
  if (reply->code == 421)
    {
      /* The server is closing the channel (RFC 5321 section 3.8). */
      set_state (self, POSTE_SMTP_CLIENT_STATE_CLOSED);
      return;
    }
  switch (verb)
    {
    case VERB_GREETING:
      if (reply->code == 220)
        set_state (self, POSTE_SMTP_CLIENT_STATE_HELLO);
      break;
    case VERB_HELLO:
      if (reply->code == 250)
        set_state (self, POSTE_SMTP_CLIENT_STATE_READY);
      break;
    case VERB_MAIL:
      if (poste_reply_is_positive (reply))
        {
          self->accepted = 0;
          set_state (self, POSTE_SMTP_CLIENT_STATE_MAIL);
        }
      break;
    case VERB_RCPT:
      if (poste_reply_is_positive (reply))
        self->accepted++;
      break;
    case VERB_DATA:
      set_state (self, reply->code == 354 ? POSTE_SMTP_CLIENT_STATE_DATA
                                          : POSTE_SMTP_CLIENT_STATE_READY);
      break;
    case VERB_BDAT:
      if (!poste_reply_is_positive (reply))
        set_state (self, POSTE_SMTP_CLIENT_STATE_READY);
      break;
    case VERB_END:
      set_state (self, POSTE_SMTP_CLIENT_STATE_READY);
      break;
    case VERB_RSET:
      if (poste_reply_is_positive (reply))
        set_state (self, POSTE_SMTP_CLIENT_STATE_READY);
      break;
    case VERB_QUIT:
      set_state (self, POSTE_SMTP_CLIENT_STATE_CLOSED);
      break;
    case VERB_OTHER:
    default:
      break;
    }
}

/**
 * poste_smtp_client_new:
 * @connection: the connection to the server, just opened (its greeting not read yet)
 * @flags: LMTP, and whether bodies may go in BDAT chunks
 *
 * Returns: (transfer full): a client in the greeting state; it holds a reference on
 *   @connection. Free with poste_smtp_client_free().
 */
PosteSmtpClient *
poste_smtp_client_new (PosteConnection      *connection,
                       PosteSmtpClientFlags  flags)
{
  PosteSmtpClient *self;

  g_return_val_if_fail (connection != NULL, NULL);

  self = g_new0 (PosteSmtpClient, 1);
  self->connection = poste_connection_ref (connection);
  self->flags = flags;
  self->state = POSTE_SMTP_CLIENT_STATE_GREETING;
  self->pending = g_byte_array_new ();
  return self;
}

/**
 * poste_smtp_client_free:
 * @self: (nullable): a client
 *
 * Frees the client; the connection is neither closed nor told anything.
 */
void
poste_smtp_client_free (PosteSmtpClient *self)
{
  if (self == NULL)
    return;
  poste_connection_unref (self->connection);
  g_clear_pointer (&self->capabilities, poste_reply_free);
  g_clear_pointer (&self->encoder, poste_data_encoder_free);
  g_byte_array_unref (self->pending);
  g_free (self);
}

/**
 * poste_smtp_client_set_log_func:
 * @self: a client
 * @func: (nullable): receives each line sent and received, for a transcript
 * @user_data: passed to @func
 */
void
poste_smtp_client_set_log_func (PosteSmtpClient        *self,
                                PosteSmtpClientLogFunc  func,
                                gpointer                user_data)
{
  g_return_if_fail (self != NULL);

  self->log = func;
  self->log_data = user_data;
}

/**
 * poste_smtp_client_set_flags:
 * @self: a client
 * @flags: the new flags
 *
 * Changes how the next transactions are sent (for example, allows BDAT once the caller knows the
 * server is a relay that takes it). Never in the middle of a body.
 */
void
poste_smtp_client_set_flags (PosteSmtpClient      *self,
                             PosteSmtpClientFlags  flags)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (self->encoder == NULL);

  self->flags = flags;
}

/**
 * poste_smtp_client_get_connection:
 * @self: a client
 *
 * Returns: (transfer none): the connection
 */
PosteConnection *
poste_smtp_client_get_connection (PosteSmtpClient *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->connection;
}

/**
 * poste_smtp_client_get_state:
 * @self: a client
 *
 * Returns: where the dialogue stands
 */
PosteSmtpClientState
poste_smtp_client_get_state (PosteSmtpClient *self)
{
  g_return_val_if_fail (self != NULL, POSTE_SMTP_CLIENT_STATE_CLOSED);

  return self->state;
}

/**
 * poste_smtp_client_get_capabilities:
 * @self: a client
 *
 * Returns: (transfer none) (nullable): the server's last positive EHLO or LHLO reply, %NULL
 *   before one or after poste_smtp_client_forget_capabilities()
 */
const PosteReply *
poste_smtp_client_get_capabilities (PosteSmtpClient *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->capabilities;
}

/**
 * poste_smtp_client_has_extension:
 * @self: a client
 * @keyword: an EHLO keyword such as "PIPELINING"
 * @parameters: (out) (optional) (transfer none): the keyword's parameters
 *
 * Returns: whether the server's EHLO reply offers @keyword (RFC 5321 section 4.1.1.1)
 */
gboolean
poste_smtp_client_has_extension (PosteSmtpClient  *self,
                                 const char       *keyword,
                                 const char      **parameters)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return poste_reply_has_keyword (self->capabilities, keyword, parameters);
}

/**
 * poste_smtp_client_forget_capabilities:
 * @self: a client
 *
 * Forgets what the server offered and goes back to the hello state: after STARTTLS everything
 * said in plaintext may have been forged (RFC 3207 section 4.2), and EHLO must come again.
 */
void
poste_smtp_client_forget_capabilities (PosteSmtpClient *self)
{
  g_return_if_fail (self != NULL);

  g_clear_pointer (&self->capabilities, poste_reply_free);
  if (self->state != POSTE_SMTP_CLIENT_STATE_CLOSED)
    set_state (self, POSTE_SMTP_CLIENT_STATE_HELLO);
}

static void
log_line (PosteSmtpClient *self,
          const char      *prefix,
          const char      *line)
{
  if (self->log != NULL)
    self->log (prefix, line, self->log_data);
}

/**
 * poste_smtp_client_log_reply:
 * @self: a client
 * @reply: a reply read with @logged %FALSE, now to be shown
 *
 * Logs each line of @reply as the server sent it.
 */
void
poste_smtp_client_log_reply (PosteSmtpClient  *self,
                             const PosteReply *reply)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  g_return_if_fail (self != NULL);
  g_return_if_fail (reply != NULL);

  if (self->log == NULL)
    return;
  text = poste_reply_to_string (reply);
  lines = g_strsplit (text, "\r\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (lines[i][0] != '\0')
      log_line (self, "S: ", lines[i]);
}

static gboolean
write_line (PosteSmtpClient  *self,
            const char       *line,
            const char       *shown,
            GCancellable     *cancellable,
            GError          **error)
{
  log_line (self, "C: ", shown != NULL ? shown : line);
  if (!poste_connection_write_line (self->connection, line, cancellable, error))
    {
      set_state (self, POSTE_SMTP_CLIENT_STATE_CLOSED);
      return FALSE;
    }
  return TRUE;
}

static gboolean
flush (PosteSmtpClient  *self,
       GCancellable     *cancellable,
       GError          **error)
{
  if (!poste_connection_flush (self->connection, cancellable, error))
    {
      set_state (self, POSTE_SMTP_CLIENT_STATE_CLOSED);
      return FALSE;
    }
  return TRUE;
}

/**
 * poste_smtp_client_send:
 * @self: a client
 * @line: one command line, without CR LF
 * @shown: (nullable): what the transcript shows instead of @line (a SASL response is never
 *   logged), or %NULL for @line itself
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Sends one line and flushes it, without reading a reply (the SASL exchange reads its own).
 * A failure closes the client.
 *
 * Returns: %TRUE when sent; %FALSE with a #GIOError or #POSTE_PROTOCOL_ERROR
 */
gboolean
poste_smtp_client_send (PosteSmtpClient  *self,
                        const char       *line,
                        const char       *shown,
                        GCancellable     *cancellable,
                        GError          **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (line != NULL, FALSE);

  return write_line (self, line, shown, cancellable, error) && flush (self, cancellable, error);
}

static PosteReply *
read_reply (PosteSmtpClient  *self,
            Verb              verb,
            gboolean          logged,
            GCancellable     *cancellable,
            GError          **error)
{
  PosteReply *reply = poste_reply_read (self->connection, cancellable, error);

  if (reply == NULL)
    {
      set_state (self, POSTE_SMTP_CLIENT_STATE_CLOSED);
      return NULL;
    }
  if (logged)
    poste_smtp_client_log_reply (self, reply);
  advance (self, verb, reply);
  return reply;
}

/**
 * poste_smtp_client_read_reply:
 * @self: a client
 * @logged: log the reply as it came (%FALSE: the caller logs it, or a redaction of it, itself)
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Reads one reply to a command sent with poste_smtp_client_send(), within the connection's
 * deadline. A 421 or a failure closes the client.
 *
 * Returns: (transfer full) (nullable): the reply; %NULL with a #GIOError or a
 *   #POSTE_PROTOCOL_ERROR (a malformed, too long or late reply)
 */
PosteReply *
poste_smtp_client_read_reply (PosteSmtpClient  *self,
                              gboolean          logged,
                              GCancellable     *cancellable,
                              GError          **error)
{
  g_return_val_if_fail (self != NULL, NULL);

  return read_reply (self, VERB_OTHER, logged, cancellable, error);
}

static PosteReply *
exchange (PosteSmtpClient  *self,
          Verb              verb,
          const char       *line,
          GCancellable     *cancellable,
          GError          **error)
{
  if (!poste_smtp_client_send (self, line, NULL, cancellable, error))
    return NULL;
  return read_reply (self, verb, TRUE, cancellable, error);
}

/**
 * poste_smtp_client_command:
 * @self: a client
 * @line: one command line, without CR LF: STARTTLS, ATRN, ETRN, NOOP ...
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Sends a command the client has no special knowledge of and reads its reply; the state moves
 * only on a 421.
 *
 * Returns: (transfer full) (nullable): the reply, or %NULL with an error as
 *   poste_smtp_client_read_reply()
 */
PosteReply *
poste_smtp_client_command (PosteSmtpClient  *self,
                           const char       *line,
                           GCancellable     *cancellable,
                           GError          **error)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (line != NULL, NULL);

  return exchange (self, VERB_OTHER, line, cancellable, error);
}

/**
 * poste_smtp_client_greeting:
 * @self: a client in the greeting state
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Reads the server's greeting (RFC 5321 section 4.2); 220 moves to the hello state.
 *
 * Returns: (transfer full) (nullable): the greeting, whatever its code; %NULL with an error
 */
PosteReply *
poste_smtp_client_greeting (PosteSmtpClient  *self,
                            GCancellable     *cancellable,
                            GError          **error)
{
  g_return_val_if_fail (self != NULL, NULL);

  return read_reply (self, VERB_GREETING, TRUE, cancellable, error);
}

/**
 * poste_smtp_client_hello:
 * @self: a client in the hello state
 * @name: our name for EHLO: a domain or an address literal
 * @helo_fallback: when EHLO is refused, try HELO (a server without extensions, RFC 5321
 *   section 4.1.1.1); never with LMTP, which has only LHLO
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Says EHLO (LHLO for LMTP) and keeps a positive reply's capabilities.
 *
 * Returns: (transfer full) (nullable): the last reply, whatever its code; %NULL with an error
 */
PosteReply *
poste_smtp_client_hello (PosteSmtpClient  *self,
                         const char       *name,
                         gboolean          helo_fallback,
                         GCancellable     *cancellable,
                         GError          **error)
{
  gboolean lmtp = (self->flags & POSTE_SMTP_CLIENT_FLAGS_LMTP) != 0;
  g_autofree char *line = NULL;
  PosteReply *reply;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  g_clear_pointer (&self->capabilities, poste_reply_free);
  line = g_strdup_printf ("%s %s", lmtp ? "LHLO" : "EHLO", name);
  reply = exchange (self, VERB_HELLO, line, cancellable, error);
  if (reply != NULL && !poste_reply_is_positive (reply) && reply->code != 421 && helo_fallback &&
      !lmtp)
    {
      poste_reply_free (reply);
      g_free (line);
      line = g_strdup_printf ("HELO %s", name);
      reply = exchange (self, VERB_HELLO, line, cancellable, error);
      /* HELO offers nothing: no capabilities to keep. */
      return reply;
    }
  if (reply != NULL && reply->code == 250)
    self->capabilities = poste_reply_copy (reply);
  return reply;
}

static char *
mail_line (PosteSmtpClient           *self,
           const char                *sender,
           const PosteSmtpMailParams *params)
{
  GString *line = g_string_new (NULL);

  g_string_printf (line, "MAIL FROM:<%s>", sender);
  if (params != NULL)
    {
      if (params->size >= 0 && poste_smtp_client_has_extension (self, "SIZE", NULL))
        g_string_append_printf (line, " SIZE=%" G_GINT64_FORMAT, params->size);
      if (params->body_8bit && poste_smtp_client_has_extension (self, "8BITMIME", NULL))
        g_string_append (line, " BODY=8BITMIME");
      if (params->smtputf8 && poste_smtp_client_has_extension (self, "SMTPUTF8", NULL))
        g_string_append (line, " SMTPUTF8");
    }
  return g_string_free (line, FALSE);
}

static gboolean
check_address (const char  *address,
               GError     **error)
{
  /* An address must never break out of its command line or its angle brackets. */
  if (strpbrk (address, "\r\n<>") != NULL)
    {
      g_set_error_literal (error, POSTE_PROTOCOL_ERROR, POSTE_PROTOCOL_ERROR_MALFORMED,
                           "An address holds a line end or an angle bracket");
      return FALSE;
    }
  return TRUE;
}

/**
 * poste_smtp_client_mail:
 * @self: a client in the ready state
 * @sender: the reverse-path, without angle brackets ("" for the null sender)
 * @params: (nullable): SIZE, BODY and SMTPUTF8, each sent only when offered
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Opens a mail transaction (RFC 5321 section 3.3).
 *
 * Returns: (transfer full) (nullable): the reply; %NULL with an error, among them
 *   %POSTE_PROTOCOL_ERROR_MALFORMED for an address holding CR, LF, '<' or '>' (nothing sent)
 */
PosteReply *
poste_smtp_client_mail (PosteSmtpClient            *self,
                        const char                 *sender,
                        const PosteSmtpMailParams  *params,
                        GCancellable               *cancellable,
                        GError                    **error)
{
  g_autofree char *line = NULL;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (sender != NULL, NULL);

  if (!check_address (sender, error))
    return NULL;
  line = mail_line (self, sender, params);
  return exchange (self, VERB_MAIL, line, cancellable, error);
}

/**
 * poste_smtp_client_rcpt:
 * @self: a client in the mail state
 * @recipient: the forward-path, without angle brackets
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Adds a recipient (RFC 5321 section 3.3); a positive reply counts it for LMTP's replies.
 *
 * Returns: (transfer full) (nullable): the reply; %NULL with an error as
 *   poste_smtp_client_mail()
 */
PosteReply *
poste_smtp_client_rcpt (PosteSmtpClient  *self,
                        const char       *recipient,
                        GCancellable     *cancellable,
                        GError          **error)
{
  g_autofree char *line = NULL;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (recipient != NULL, NULL);

  if (!check_address (recipient, error))
    return NULL;
  line = g_strdup_printf ("RCPT TO:<%s>", recipient);
  return exchange (self, VERB_RCPT, line, cancellable, error);
}

/**
 * poste_smtp_client_envelope:
 * @self: a client in the ready state
 * @sender: the reverse-path, without angle brackets
 * @params: (nullable): as for poste_smtp_client_mail()
 * @recipients: (array zero-terminated=1): the forward-paths, at least one
 * @rcpt_replies: (element-type PosteReply): receives one reply per recipient, in order, for as
 *   many recipients as were answered: none when MAIL was refused without PIPELINING, fewer than
 *   @recipients when the server closed (421) on the way
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * MAIL FROM and every RCPT TO. With PIPELINING offered (RFC 2920 section 3.1) they go out in one
 * write and their replies are read in order; without it each waits for its reply, and a refused
 * MAIL sends no RCPT.
 *
 * Returns: (transfer full) (nullable): the reply to MAIL FROM; %NULL with an error
 */
PosteReply *
poste_smtp_client_envelope (PosteSmtpClient            *self,
                            const char                 *sender,
                            const PosteSmtpMailParams  *params,
                            const char * const         *recipients,
                            GPtrArray                  *rcpt_replies,
                            GCancellable               *cancellable,
                            GError                    **error)
{
  g_autofree char *line = NULL;
  g_autoptr(PosteReply) mail = NULL;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (recipients != NULL && recipients[0] != NULL, NULL);
  g_return_val_if_fail (rcpt_replies != NULL, NULL);

  if (!check_address (sender, error))
    return NULL;
  for (guint i = 0; recipients[i] != NULL; i++)
    if (!check_address (recipients[i], error))
      return NULL;

  if (!poste_smtp_client_has_extension (self, "PIPELINING", NULL))
    {
      mail = poste_smtp_client_mail (self, sender, params, cancellable, error);
      if (mail == NULL || !poste_reply_is_positive (mail))
        return g_steal_pointer (&mail);
      for (guint i = 0; recipients[i] != NULL; i++)
        {
          PosteReply *reply = poste_smtp_client_rcpt (self, recipients[i], cancellable, error);

          if (reply == NULL)
            return NULL;
          g_ptr_array_add (rcpt_replies, reply);
          if (self->state == POSTE_SMTP_CLIENT_STATE_CLOSED)
            break;
        }
      return g_steal_pointer (&mail);
    }

  line = mail_line (self, sender, params);
  if (!write_line (self, line, NULL, cancellable, error))
    return NULL;
  for (guint i = 0; recipients[i] != NULL; i++)
    {
      g_autofree char *rcpt = g_strdup_printf ("RCPT TO:<%s>", recipients[i]);

      if (!write_line (self, rcpt, NULL, cancellable, error))
        return NULL;
    }
  if (!flush (self, cancellable, error))
    return NULL;

  mail = read_reply (self, VERB_MAIL, TRUE, cancellable, error);
  if (mail == NULL)
    return NULL;
  for (guint i = 0; recipients[i] != NULL && self->state != POSTE_SMTP_CLIENT_STATE_CLOSED; i++)
    {
      PosteReply *reply = read_reply (self, VERB_RCPT, TRUE, cancellable, error);

      if (reply == NULL)
        return NULL;
      g_ptr_array_add (rcpt_replies, reply);
    }
  return g_steal_pointer (&mail);
}

static gboolean
chunking (PosteSmtpClient *self)
{
  return (self->flags & POSTE_SMTP_CLIENT_FLAGS_CHUNKING) != 0 &&
         poste_smtp_client_has_extension (self, "CHUNKING", NULL);
}

/**
 * poste_smtp_client_data:
 * @self: a client in the mail state
 * @refusal: (out) (transfer full) (optional): the server's reply when it refused DATA
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Starts the body: DATA and its 354 (RFC 5321 section 4.1.1.4), or, with BDAT, nothing yet (the
 * first chunk goes with the first write). A mail transaction without a recipient has no body:
 * RFC 5321 section 3.3 answers DATA with 554.
 *
 * Returns: %TRUE when the body may follow; %FALSE with @refusal set (the server said no, the
 *   client is ready for the next transaction) or with @error
 */
gboolean
poste_smtp_client_data (PosteSmtpClient  *self,
                        PosteReply      **refusal,
                        GCancellable     *cancellable,
                        GError          **error)
{
  PosteDataEncoderMode mode;

  g_return_val_if_fail (self != NULL, FALSE);

  if (refusal != NULL)
    *refusal = NULL;
  if (chunking (self))
    {
      mode = POSTE_DATA_ENCODER_RAW;
      set_state (self, POSTE_SMTP_CLIENT_STATE_DATA);
    }
  else
    {
      g_autoptr(PosteReply) reply = exchange (self, VERB_DATA, "DATA", cancellable, error);

      if (reply == NULL)
        return FALSE;
      if (reply->code != 354)
        {
          if (refusal != NULL)
            *refusal = g_steal_pointer (&reply);
          return FALSE;
        }
      mode = POSTE_DATA_ENCODER_DOT;
    }
  g_clear_pointer (&self->encoder, poste_data_encoder_free);
  self->encoder = poste_data_encoder_new (mode);
  g_byte_array_set_size (self->pending, 0);
  return TRUE;
}

static gboolean
is_bdat (PosteSmtpClient *self)
{
  return self->encoder != NULL && chunking (self);
}

/* Sends BDAT with the pending bytes and reads its reply. */
static gboolean
send_chunk (PosteSmtpClient  *self,
            gboolean          last,
            guint             timeout,
            PosteReply      **reply,
            GCancellable     *cancellable,
            GError          **error)
{
  g_autofree char *line = g_strdup_printf ("BDAT %u%s", self->pending->len,
                                           last ? " LAST" : "");
  guint saved = poste_connection_get_timeout (self->connection);

  if (!write_line (self, line, NULL, cancellable, error))
    return FALSE;
  if (self->pending->len > 0 &&
      !poste_connection_write (self->connection, self->pending->data, self->pending->len,
                               cancellable, error))
    {
      set_state (self, POSTE_SMTP_CLIENT_STATE_CLOSED);
      return FALSE;
    }
  g_byte_array_set_size (self->pending, 0);
  if (!flush (self, cancellable, error))
    return FALSE;
  if (timeout > saved)
    poste_connection_set_timeout (self->connection, timeout);
  *reply = read_reply (self, last ? VERB_END : VERB_BDAT, TRUE, cancellable, error);
  poste_connection_set_timeout (self->connection, saved);
  return *reply != NULL;
}

/**
 * poste_smtp_client_write_body:
 * @self: a client in the data state
 * @data: (array length=length): the next bytes of the message as stored
 * @length: how many
 * @refusal: (out) (transfer full) (optional): the server's reply when it refused a BDAT chunk
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Sends the next bytes of the body through the #PosteDataEncoder (line ends repaired,
 * dot-stuffed for DATA). Memory stays bounded: with BDAT a chunk leaves whenever
 * %POSTE_SMTP_CLIENT_CHUNK octets are waiting.
 *
 * Returns: %TRUE when the bytes went (or wait for the next chunk); %FALSE with @refusal set (the
 *   transaction is over) or with @error (the client is closed)
 */
gboolean
poste_smtp_client_write_body (PosteSmtpClient  *self,
                              const guint8     *data,
                              gsize             length,
                              PosteReply      **refusal,
                              GCancellable     *cancellable,
                              GError          **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (self->encoder != NULL, FALSE);

  if (refusal != NULL)
    *refusal = NULL;
  if (!is_bdat (self))
    {
      gboolean ok;

      poste_data_encoder_feed (self->encoder, data, length, self->pending);
      ok = poste_connection_write (self->connection, self->pending->data, self->pending->len,
                                   cancellable, error);
      g_byte_array_set_size (self->pending, 0);
      if (!ok)
        set_state (self, POSTE_SMTP_CLIENT_STATE_CLOSED);
      return ok;
    }

  while (length > 0)
    {
      /* Feed in slices, so that a chunk never grows past twice the chunk size. */
      gsize slice = MIN (length, POSTE_SMTP_CLIENT_CHUNK / 2);

      poste_data_encoder_feed (self->encoder, data, slice, self->pending);
      data += slice;
      length -= slice;
      if (self->pending->len >= POSTE_SMTP_CLIENT_CHUNK)
        {
          g_autoptr(PosteReply) reply = NULL;

          if (!send_chunk (self, FALSE, 0, &reply, cancellable, error))
            return FALSE;
          if (!poste_reply_is_positive (reply))
            {
              g_clear_pointer (&self->encoder, poste_data_encoder_free);
              if (refusal != NULL)
                *refusal = g_steal_pointer (&reply);
              return FALSE;
            }
        }
    }
  return TRUE;
}

/**
 * poste_smtp_client_end_body:
 * @self: a client in the data state
 * @timeout: the deadline for the final reply, in seconds, when longer than the connection's
 *   (RFC 5321 section 4.5.3.2.6 asks for 10 minutes), or 0 for the connection's own
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Ends the body (the final dot, or `BDAT n LAST`) and reads the verdict. LMTP answers once per
 * accepted recipient (RFC 2033 section 4.2): all of those replies are read, and the one returned
 * is the first that is not positive, else the last.
 *
 * Returns: (transfer full) (nullable): the server's verdict on the message; %NULL with an error
 */
PosteReply *
poste_smtp_client_end_body (PosteSmtpClient  *self,
                            guint             timeout,
                            GCancellable     *cancellable,
                            GError          **error)
{
  g_autoptr(PosteReply) verdict = NULL;
  guint replies;
  guint saved;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (self->encoder != NULL, NULL);

  poste_data_encoder_finish (self->encoder, self->pending);
  if (is_bdat (self))
    {
      g_clear_pointer (&self->encoder, poste_data_encoder_free);
      if (!send_chunk (self, TRUE, timeout, &verdict, cancellable, error))
        return NULL;
    }
  else
    {
      gboolean ok;

      g_clear_pointer (&self->encoder, poste_data_encoder_free);
      ok = poste_connection_write (self->connection, self->pending->data, self->pending->len,
                                   cancellable, error);
      g_byte_array_set_size (self->pending, 0);
      if (!ok || !flush (self, cancellable, error))
        {
          set_state (self, POSTE_SMTP_CLIENT_STATE_CLOSED);
          return NULL;
        }
      saved = poste_connection_get_timeout (self->connection);
      if (timeout > saved)
        poste_connection_set_timeout (self->connection, timeout);
      verdict = read_reply (self, VERB_END, TRUE, cancellable, error);
      poste_connection_set_timeout (self->connection, saved);
      if (verdict == NULL)
        return NULL;
    }

  replies = (self->flags & POSTE_SMTP_CLIENT_FLAGS_LMTP) != 0 ? MAX (self->accepted, 1) : 1;
  for (guint i = 1; i < replies && self->state != POSTE_SMTP_CLIENT_STATE_CLOSED; i++)
    {
      PosteReply *next = read_reply (self, VERB_END, TRUE, cancellable, error);

      if (next == NULL)
        return NULL;
      if (poste_reply_is_positive (verdict))
        {
          poste_reply_free (verdict);
          verdict = next;
        }
      else
        poste_reply_free (next);
    }
  return g_steal_pointer (&verdict);
}

/**
 * poste_smtp_client_abandon_body:
 * @self: a client
 *
 * Gives up the body in progress without ending it: a DATA cannot be taken back, so the caller
 * must then close the connection (a server drops a message whose DATA never ended). The client
 * is closed.
 */
void
poste_smtp_client_abandon_body (PosteSmtpClient *self)
{
  g_return_if_fail (self != NULL);

  g_clear_pointer (&self->encoder, poste_data_encoder_free);
  g_byte_array_set_size (self->pending, 0);
  set_state (self, POSTE_SMTP_CLIENT_STATE_CLOSED);
}

/**
 * poste_smtp_client_rset:
 * @self: a client
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Abandons the mail transaction (RFC 5321 section 4.1.1.5).
 *
 * Returns: (transfer full) (nullable): the reply; %NULL with an error
 */
PosteReply *
poste_smtp_client_rset (PosteSmtpClient  *self,
                        GCancellable     *cancellable,
                        GError          **error)
{
  g_return_val_if_fail (self != NULL, NULL);

  return exchange (self, VERB_RSET, "RSET", cancellable, error);
}

/**
 * poste_smtp_client_quit:
 * @self: a client
 * @cancellable: (nullable): a #GCancellable
 *
 * Says QUIT and reads the reply when the client is not closed yet; any failure is ignored, as
 * the connection ends anyway. The client is closed afterwards.
 */
void
poste_smtp_client_quit (PosteSmtpClient *self,
                        GCancellable    *cancellable)
{
  g_autoptr(PosteReply) reply = NULL;

  g_return_if_fail (self != NULL);

  if (self->state != POSTE_SMTP_CLIENT_STATE_CLOSED)
    reply = exchange (self, VERB_QUIT, "QUIT", cancellable, NULL);
  set_state (self, POSTE_SMTP_CLIENT_STATE_CLOSED);
}
