/* poste-outbox-listener.c: the outbox's SMTP listener on loopback
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A small SMTP server (RFC 5321) that a local MTA can use as its relayhost and a mail client as
 * its outgoing server: every message it accepts goes into the outbox, and leaves with the next
 * connection to the provider whose domain the sender belongs to. It binds a loopback address
 * only (refusing any other) and drops connections from anywhere else; it asks for no
 * authentication, like a local MTA's own port 25 on loopback, and offers no TLS (the bytes never
 * leave the machine).
 *
 * A message is queued as `send` queues it: the outbox's writer removes its Bcc: header, and the
 * envelope's recipients (the blind ones too) are what the relay gets.
 *
 * The end of DATA is answered 250 only once the message is durably queued (fsync, rename, fsync
 * of the folder: poste_outbox_writer_commit()), 451 on any local failure, 552 when the message
 * is too large. Every read is bounded: command lines (POSTE_OUTBOX_LISTENER_MAX_LINE), the
 * message (POSTE_OUTBOX_MAX_MESSAGE_SIZE), recipients (POSTE_OUTBOX_MAX_RECIPIENTS), and time
 * (POSTE_OUTBOX_LISTENER_TIMEOUT for each read); a client that errs too often is disconnected.
 * A thread of its own accepts connections (so no main loop needs to run), and each connection is
 * served in a thread of a pool (at most MAX_CONNECTIONS at once; further ones wait their turn).
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "poste-connection.h"
#include "poste-data-decoder.h"
#include "poste-error.h"
#include "poste-outbox-listener.h"
#include "poste-reply.h"

#define MAX_CONNECTIONS 4
#define MAX_BAD_COMMANDS 10

struct _PosteOutboxListener
{
  GObject           parent_instance;

  PosteOutbox      *outbox;
  GSocketListener  *listener;
  GThread          *thread;
  GThreadPool      *pool;
  GCancellable     *cancellable;
  guint16           port;
  guint             timeout;
  char             *hostname;
};

G_DEFINE_FINAL_TYPE (PosteOutboxListener, poste_outbox_listener, G_TYPE_OBJECT)

typedef struct {
  PosteOutboxListener *self;
  PosteConnection     *conn;
  gboolean             greeted;
  gboolean             in_mail;
  char                *sender;
  GPtrArray           *recipients;
  PosteOutboxWriter   *writer;
  GError              *write_error;
} Client;

static void
client_reset (Client *c)
{
  c->in_mail = FALSE;
  g_clear_pointer (&c->sender, g_free);
  g_ptr_array_set_size (c->recipients, 0);
}

static gboolean reply (Client *c, const char *format, ...) G_GNUC_PRINTF (2, 3);

static gboolean
reply (Client     *c,
       const char *format,
       ...)
{
  g_autofree char *line = NULL;
  va_list args;

  va_start (args, format);
  line = g_strdup_vprintf (format, args);
  va_end (args);
  /* One write, several lines for EHLO: every line ends in CR LF. */
  return poste_connection_write (c->conn, line, strlen (line), c->self->cancellable, NULL) &&
         poste_connection_write (c->conn, "\r\n", 2, c->self->cancellable, NULL) &&
         poste_connection_flush (c->conn, c->self->cancellable, NULL);
}

/* "FROM:<address> PARAMS" or "TO:<address> PARAMS": the address and the parameters. */
static gboolean
parse_path (const char  *args,
            const char  *keyword,
            char       **address,
            char      ***params)
{
  const char *p = args;
  const char *close;
  gsize keyword_length = strlen (keyword);

  if (g_ascii_strncasecmp (p, keyword, keyword_length) != 0)
    return FALSE;
  p += keyword_length;
  while (*p == ' ')
    p++;
  if (*p != '<')
    return FALSE;
  close = strchr (p, '>');
  if (close == NULL)
    return FALSE;
  *address = g_strndup (p + 1, close - p - 1);
  p = close + 1;
  while (*p == ' ')
    p++;
  *params = *p != '\0' ? g_strsplit (p, " ", -1) : g_new0 (char *, 1);
  return TRUE;
}

static gboolean
cmd_mail (Client     *c,
          const char *args)
{
  g_autofree char *address = NULL;
  g_auto(GStrv) params = NULL;

  if (!c->greeted)
    return reply (c, "503 5.5.1 Say EHLO first");
  if (c->in_mail)
    return reply (c, "503 5.5.1 Nested MAIL command");
  if (!parse_path (args, "FROM:", &address, &params))
    return reply (c, "501 5.5.4 Syntax: MAIL FROM:<address>");
  if (!poste_outbox_check_address (address, TRUE, NULL))
    return reply (c, "553 5.1.7 Bad sender address syntax");
  for (guint i = 0; params[i] != NULL; i++)
    {
      if (*params[i] == '\0')
        continue;
      if (g_ascii_strncasecmp (params[i], "SIZE=", 5) == 0)
        {
          guint64 size;

          if (!g_ascii_string_to_unsigned (params[i] + 5, 10, 0, G_MAXUINT64, &size, NULL))
            return reply (c, "501 5.5.4 Bad SIZE parameter");
          if (size > POSTE_OUTBOX_MAX_MESSAGE_SIZE)
            return reply (c, "552 5.3.4 Message size exceeds the outbox's limit");
        }
      else if (g_ascii_strcasecmp (params[i], "BODY=7BIT") == 0 ||
               g_ascii_strcasecmp (params[i], "BODY=8BITMIME") == 0 ||
               g_ascii_strcasecmp (params[i], "SMTPUTF8") == 0)
        continue;
      else
        return reply (c, "555 5.5.4 Unsupported MAIL parameter");
    }
  c->sender = g_steal_pointer (&address);
  c->in_mail = TRUE;
  return reply (c, "250 2.1.0 OK");
}

static gboolean
cmd_rcpt (Client     *c,
          const char *args)
{
  g_autofree char *address = NULL;
  g_auto(GStrv) params = NULL;

  if (!c->in_mail)
    return reply (c, "503 5.5.1 Need MAIL before RCPT");
  if (!parse_path (args, "TO:", &address, &params))
    return reply (c, "501 5.5.4 Syntax: RCPT TO:<address>");
  if (params[0] != NULL)
    return reply (c, "555 5.5.4 Unsupported RCPT parameter");
  if (!poste_outbox_check_address (address, FALSE, NULL))
    return reply (c, "553 5.1.3 Bad recipient address syntax");
  if (c->recipients->len >= POSTE_OUTBOX_MAX_RECIPIENTS)
    return reply (c, "452 4.5.3 Too many recipients");
  g_ptr_array_add (c->recipients, g_steal_pointer (&address));
  return reply (c, "250 2.1.5 OK");
}

static void
decoded_cb (const guint8 *data,
            gsize         length,
            gpointer      user_data)
{
  Client *c = user_data;

  if (c->writer != NULL && c->write_error == NULL)
    poste_outbox_writer_write (c->writer, data, length, &c->write_error);
}

/* Reads the message to its end whatever happens (so that the dialogue stays in step), writing
 * it to the outbox; FALSE when the connection is lost. */
static gboolean
cmd_data (Client *c)
{
  g_autoptr(PosteDataDecoder) decoder = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;

  if (!c->in_mail)
    return reply (c, "503 5.5.1 Need MAIL first");
  if (c->recipients->len == 0)
    return reply (c, "554 5.5.1 No valid recipients");

  g_ptr_array_add (c->recipients, NULL);
  c->writer = poste_outbox_writer_new (c->self->outbox, c->sender,
                                       (const char * const *) c->recipients->pdata, &error);
  g_ptr_array_set_size (c->recipients, c->recipients->len - 1);
  if (c->writer == NULL)
    {
      g_message ("outbox listener: %s", error->message);
      client_reset (c);
      return reply (c, "451 4.3.0 The outbox cannot take the message now");
    }
  if (!reply (c, "354 End data with <CR><LF>.<CR><LF>"))
    return FALSE;

  decoder = poste_data_decoder_new (POSTE_DATA_DECODER_DOT);
  while (!poste_data_decoder_is_done (decoder))
    {
      gsize length, used;
      const guint8 *data = poste_connection_peek (c->conn, &length, c->self->cancellable, NULL);

      if (data == NULL)
        return FALSE;
      used = poste_data_decoder_feed (decoder, data, length, decoded_cb, c);
      poste_connection_consume (c->conn, used);
    }

  if (c->write_error == NULL)
    id = poste_outbox_writer_commit (c->writer, &c->write_error);
  g_clear_pointer (&c->writer, poste_outbox_writer_free);
  client_reset (c);
  if (id != NULL)
    return reply (c, "250 2.0.0 Queued as %s", id);
  g_message ("outbox listener: %s", c->write_error->message);
  if (g_error_matches (c->write_error, POSTE_OUTBOX_ERROR, POSTE_OUTBOX_ERROR_TOO_BIG))
    {
      g_clear_error (&c->write_error);
      return reply (c, "552 5.3.4 Message size exceeds the outbox's limit");
    }
  g_clear_error (&c->write_error);
  return reply (c, "451 4.3.0 The outbox could not store the message");
}

static gboolean
cmd_ehlo (Client     *c,
          const char *verb,
          const char *args)
{
  const char *name = c->self->hostname;

  if (*args == '\0')
    return reply (c, "501 5.5.4 Syntax: %s hostname", verb);
  client_reset (c);
  c->greeted = TRUE;
  if (g_str_equal (verb, "HELO"))
    return reply (c, "250 %s", name);
  return reply (c, "250-%s Poste Restante outbox\r\n"
                   "250-PIPELINING\r\n"
                   "250-SIZE %u\r\n"
                   "250-8BITMIME\r\n"
                   "250-SMTPUTF8\r\n"
                   "250-ENHANCEDSTATUSCODES\r\n"
                   "250 HELP", name, POSTE_OUTBOX_MAX_MESSAGE_SIZE);
}

static void
serve (PosteOutboxListener *self,
       GSocketConnection   *connection)
{
  Client c = { 0, };
  guint bad = 0;

  c.self = self;
  c.conn = poste_connection_new (G_IO_STREAM (connection));
  c.recipients = g_ptr_array_new_with_free_func (g_free);
  poste_connection_set_timeout (c.conn, self->timeout);

  if (!reply (&c, "220 %s ESMTP Poste Restante outbox", self->hostname))
    goto out;

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *line = NULL;
      g_autofree char *verb = NULL;
      const char *text, *args;
      gsize length;
      PosteLineEnd end;
      gboolean ok;

      text = poste_connection_read_line (c.conn, POSTE_OUTBOX_LISTENER_MAX_LINE, &length, &end,
                                         self->cancellable, &error);
      if (text == NULL)
        {
          if (g_error_matches (error, POSTE_PROTOCOL_ERROR, POSTE_PROTOCOL_ERROR_LINE_TOO_LONG))
            reply (&c, "500 5.5.2 Line too long");
          else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
            reply (&c, "421 4.4.2 Timeout, closing the connection");
          break;
        }
      if (memchr (text, '\0', length) != NULL)
        line = g_strdup ("");
      else
        line = g_strndup (text, length);
      args = strchr (line, ' ');
      verb = g_ascii_strup (line, args != NULL ? args - line : -1);
      args = args != NULL ? args + 1 : "";

      if (g_str_equal (verb, "EHLO") || g_str_equal (verb, "HELO"))
        ok = cmd_ehlo (&c, verb, args);
      else if (g_str_equal (verb, "MAIL"))
        ok = cmd_mail (&c, args);
      else if (g_str_equal (verb, "RCPT"))
        ok = cmd_rcpt (&c, args);
      else if (g_str_equal (verb, "DATA"))
        ok = cmd_data (&c);
      else if (g_str_equal (verb, "RSET"))
        {
          client_reset (&c);
          ok = reply (&c, "250 2.0.0 OK");
        }
      else if (g_str_equal (verb, "NOOP"))
        ok = reply (&c, "250 2.0.0 OK");
      else if (g_str_equal (verb, "VRFY"))
        ok = reply (&c, "252 2.5.0 Cannot VRFY, but will take the message");
      else if (g_str_equal (verb, "HELP"))
        ok = reply (&c, "214 2.0.0 EHLO MAIL RCPT DATA RSET NOOP QUIT");
      else if (g_str_equal (verb, "QUIT"))
        {
          reply (&c, "221 2.0.0 Bye");
          break;
        }
      else
        {
          ok = reply (&c, "502 5.5.2 Command not implemented");
          if (++bad >= MAX_BAD_COMMANDS)
            {
              reply (&c, "421 4.7.0 Too many errors, closing the connection");
              break;
            }
        }
      if (!ok)
        break;
    }

out:
  g_clear_pointer (&c.writer, poste_outbox_writer_free);
  g_clear_error (&c.write_error);
  client_reset (&c);
  g_ptr_array_unref (c.recipients);
  poste_connection_close (c.conn, NULL, NULL);
  poste_connection_unref (c.conn);
}

static void
serve_cb (gpointer data,
          gpointer user_data)
{
  PosteOutboxListener *self = user_data;
  g_autoptr(GSocketConnection) connection = data;
  g_autoptr(GSocketAddress) remote = g_socket_connection_get_remote_address (connection, NULL);

  /* Bound to loopback, so only local peers can reach us; check all the same. */
  if (remote == NULL || !G_IS_INET_SOCKET_ADDRESS (remote) ||
      !g_inet_address_get_is_loopback (
        g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (remote))))
    {
      g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
      return;
    }
  serve (self, connection);
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
}

static gpointer
accept_thread (gpointer data)
{
  PosteOutboxListener *self = data;

  while (!g_cancellable_is_cancelled (self->cancellable))
    {
      GSocketConnection *connection;

      connection = g_socket_listener_accept (self->listener, NULL, self->cancellable, NULL);
      if (connection == NULL)
        {
          /* Out of descriptors, say: do not spin. */
          if (!g_cancellable_is_cancelled (self->cancellable))
            g_usleep (100 * 1000);
          continue;
        }
      g_thread_pool_push (self->pool, connection, NULL);
    }
  return NULL;
}

static void
poste_outbox_listener_dispose (GObject *object)
{
  PosteOutboxListener *self = POSTE_OUTBOX_LISTENER (object);

  poste_outbox_listener_stop (self);
  G_OBJECT_CLASS (poste_outbox_listener_parent_class)->dispose (object);
}

static void
poste_outbox_listener_finalize (GObject *object)
{
  PosteOutboxListener *self = POSTE_OUTBOX_LISTENER (object);

  g_clear_object (&self->outbox);
  g_clear_object (&self->cancellable);
  g_free (self->hostname);
  G_OBJECT_CLASS (poste_outbox_listener_parent_class)->finalize (object);
}

static void
poste_outbox_listener_class_init (PosteOutboxListenerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = poste_outbox_listener_dispose;
  object_class->finalize = poste_outbox_listener_finalize;
}

static void
poste_outbox_listener_init (PosteOutboxListener *self)
{
  const char *host = g_get_host_name ();

  self->timeout = POSTE_OUTBOX_LISTENER_TIMEOUT;
  self->hostname = g_strdup (host != NULL && *host != '\0' ? host : "localhost");
}

/**
 * poste_outbox_listener_new:
 * @outbox: where accepted messages go
 *
 * Returns: (transfer full): a listener, not listening yet (see poste_outbox_listener_start())
 */
PosteOutboxListener *
poste_outbox_listener_new (PosteOutbox *outbox)
{
  PosteOutboxListener *self;

  g_return_val_if_fail (POSTE_IS_OUTBOX (outbox), NULL);

  self = g_object_new (POSTE_TYPE_OUTBOX_LISTENER, NULL);
  self->outbox = g_object_ref (outbox);
  return self;
}

/**
 * poste_outbox_listener_set_timeout:
 * @self: a #PosteOutboxListener
 * @seconds: how long each read may wait (default %POSTE_OUTBOX_LISTENER_TIMEOUT)
 *
 * Applies to connections accepted afterwards.
 */
void
poste_outbox_listener_set_timeout (PosteOutboxListener *self,
                                   guint                seconds)
{
  g_return_if_fail (POSTE_IS_OUTBOX_LISTENER (self));
  self->timeout = MAX (seconds, 1);
}

/**
 * poste_outbox_listener_start:
 * @self: a #PosteOutboxListener
 * @address: (nullable): the loopback address to bind (`[outbox] listen=`), or %NULL for
 *   127.0.0.1
 * @port: the TCP port (`[outbox] port=`), or 0 for any free port
 * @error: return location for a #GError
 *
 * Starts listening; connections are served in worker threads, whatever main loop runs (none is
 * needed).
 *
 * Returns: the port listened on, or 0 with %POSTE_OUTBOX_ERROR_INVALID (not a loopback address)
 *   or a %G_IO_ERROR (%G_IO_ERROR_ADDRESS_IN_USE...)
 */
guint16
poste_outbox_listener_start (PosteOutboxListener  *self,
                             const char           *address,
                             guint16               port,
                             GError              **error)
{
  g_autoptr(GInetAddress) inet = NULL;
  g_autoptr(GSocketAddress) bind_address = NULL;
  g_autoptr(GSocketAddress) effective = NULL;

  g_return_val_if_fail (POSTE_IS_OUTBOX_LISTENER (self), 0);
  g_return_val_if_fail (self->listener == NULL, 0);

  inet = g_inet_address_new_from_string (address != NULL && *address != '\0' ? address
                                                                               : "127.0.0.1");
  if (inet == NULL || !g_inet_address_get_is_loopback (inet))
    {
      g_set_error (error, POSTE_OUTBOX_ERROR, POSTE_OUTBOX_ERROR_INVALID,
                   _("The outbox listener binds a loopback address only (127.0.0.1 or ::1), "
                     "not '%s'"), address);
      return 0;
    }
  bind_address = g_inet_socket_address_new (inet, port);
  self->listener = g_socket_listener_new ();
  if (!g_socket_listener_add_address (self->listener, bind_address, G_SOCKET_TYPE_STREAM,
                                      G_SOCKET_PROTOCOL_TCP, NULL, &effective, error))
    {
      g_clear_object (&self->listener);
      return 0;
    }
  self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  self->cancellable = g_cancellable_new ();
  self->pool = g_thread_pool_new (serve_cb, self, MAX_CONNECTIONS, FALSE, NULL);
  self->thread = g_thread_new ("outbox-listener", accept_thread, self);
  return self->port;
}

/**
 * poste_outbox_listener_get_port:
 * @self: a #PosteOutboxListener
 *
 * Returns: the port listened on, or 0 when not started
 */
guint16
poste_outbox_listener_get_port (PosteOutboxListener *self)
{
  g_return_val_if_fail (POSTE_IS_OUTBOX_LISTENER (self), 0);
  return self->listener != NULL ? self->port : 0;
}

/**
 * poste_outbox_listener_stop:
 * @self: a #PosteOutboxListener
 *
 * Stops listening and cancels the connections being served (a message not yet answered with
 * 250 is not queued; its client will send it again).
 */
void
poste_outbox_listener_stop (PosteOutboxListener *self)
{
  g_return_if_fail (POSTE_IS_OUTBOX_LISTENER (self));

  if (self->listener == NULL)
    return;
  g_cancellable_cancel (self->cancellable);
  g_thread_join (g_steal_pointer (&self->thread));
  /* Waits for the connections being served: each sees the cancellation at its next read. */
  g_thread_pool_free (g_steal_pointer (&self->pool), FALSE, TRUE);
  g_socket_listener_close (self->listener);
  g_clear_object (&self->listener);
  g_clear_object (&self->cancellable);
  self->port = 0;
}
