/* poste-smtp-delivery.c: relay to a local MTA over SMTP (RFC 5321) or LMTP (RFC 2033)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One connection to the local MTA for the whole ODMR session, opened at the first need. Each
 * MAIL FROM and RCPT TO is relayed as it arrives, so the local MTA's own verdict (250, 550, 4xx)
 * is what the provider hears, and the end of DATA is answered with the local MTA's reply to its
 * end of DATA. The message keeps its CR LF line ends and is dot-stuffed on the way out.
 *
 * Line ends: a bare CR or LF is never passed on to the local MTA, which would each read it its
 * own way (the root of SMTP smuggling). The rule: each bare CR and each bare LF becomes CR LF,
 * and a message always ends with CR LF. Only a BDAT message can hold them (DATA refuses them in
 * poste-server.c); BDAT counted them as octets, so nothing is hidden, and the local MTA gets
 * well-formed lines.
 *
 * LMTP answers once per recipient after DATA; a transaction takes one recipient only
 * (get_max_recipients () is 1, the next RCPT gets 452 4.5.3 and the provider sends it again in
 * another transaction), so that single reply maps exactly onto the one SMTP reply.
 *
 * A 421 from the local MTA, a broken connection or a missed deadline ends that connection: the
 * current transaction gets 451 (never the 421 itself, which would tell the provider that *we*
 * are closing), and the next begin () connects again. A 421 is never passed on.
 */
#include "config.h"

#include <string.h>

#include <gio/gunixsocketaddress.h>
#include <glib/gi18n-lib.h>

#include "poste-connection.h"
#include "poste-delivery-private.h"
#include "poste-error.h"
#include "poste-reply.h"
#include "poste-smtp-delivery.h"

#define CONNECT_TIMEOUT_SECONDS 30

typedef enum {
  STATE_IDLE,       /* no transaction */
  STATE_MAIL,       /* MAIL FROM accepted, RCPTs may follow */
  STATE_DATA,       /* DATA got 354, the message is streaming */
  STATE_FAILED,     /* the transaction failed; everything answers failed_reply until begin () */
} State;

struct _PosteSmtpDelivery
{
  GObject             parent_instance;

  GSocketConnectable *address;
  gboolean            lmtp;
  guint               timeout;

  GSocketConnection  *socket;
  PosteConnection    *connection;
  gboolean            has_8bitmime;
  gboolean            has_smtputf8;
  gboolean            has_size;

  State               state;
  guint               recipients;
  PosteReply         *failed_reply;
  gboolean            at_line_start;
  gboolean            pending_cr;       /* a CR ended the last write: CR LF or bare, not known */
  guint8              tail[2];
  guint64             sent;
};

static void poste_smtp_delivery_iface_init (PosteDeliveryInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PosteSmtpDelivery, poste_smtp_delivery, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (POSTE_TYPE_DELIVERY,
                                                      poste_smtp_delivery_iface_init))

enum {
  PROP_0,
  PROP_ADDRESS,
  PROP_LMTP,
  PROP_TIMEOUT,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

static const char *
protocol_name (PosteSmtpDelivery *self)
{
  return self->lmtp ? "LMTP" : "SMTP";
}

/* Drops the connection without a QUIT (after an error, or to abandon a DATA in progress: the MTA
 * discards a message whose DATA never ended). */
static void
drop_connection (PosteSmtpDelivery *self)
{
  if (self->connection != NULL)
    {
      g_io_stream_close (poste_connection_get_stream (self->connection), NULL, NULL);
      g_clear_pointer (&self->connection, poste_connection_unref);
    }
  g_clear_object (&self->socket);
  self->has_8bitmime = self->has_smtputf8 = self->has_size = FALSE;
}

static PosteReply *
connection_lost_reply (PosteSmtpDelivery *self,
                       const GError      *error)
{
  return poste_reply_new (451, "4.4.2", "The connection to the local %s server failed: %s",
                          protocol_name (self), error != NULL ? error->message : "closed");
}

/* Sends @line and reads the reply; on any failure the connection is dropped. */
static PosteReply *
command (PosteSmtpDelivery  *self,
         const char         *line,
         GCancellable       *cancellable,
         GError            **error)
{
  PosteReply *reply;

  if (!poste_connection_write_line (self->connection, line, cancellable, error) ||
      !poste_connection_flush (self->connection, cancellable, error))
    {
      drop_connection (self);
      return NULL;
    }
  reply = poste_reply_read (self->connection, cancellable, error);
  if (reply == NULL)
    drop_connection (self);
  return reply;
}

/* The reply to pass on: the local MTA's own, except that a 421 ends our connection and becomes
 * 451 (passing it on would tell the provider to hang up). */
static PosteReply *
pass_on (PosteSmtpDelivery *self,
         PosteReply        *reply)
{
  if (reply->code == 421)
    {
      g_autofree char *text = poste_reply_describe (reply);
      PosteReply *mapped = poste_reply_new (451, "4.4.2", "The local %s server is closing: %s",
                                            protocol_name (self), text);

      poste_reply_free (reply);
      drop_connection (self);
      return mapped;
    }
  return reply;
}

static const char *
helo_name (void)
{
  const char *name = g_get_host_name ();

  for (const char *p = name; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '.')
      return "localhost";
  return *name != '\0' ? name : "localhost";
}

/* Connects and greets when not connected. On failure returns %FALSE with the reply to give. */
static gboolean
ensure_connected (PosteSmtpDelivery  *self,
                  GCancellable       *cancellable,
                  PosteReply        **failure)
{
  g_autoptr(GSocketClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PosteReply) greeting = NULL;
  g_autoptr(PosteReply) hello = NULL;
  g_autofree char *line = NULL;

  if (self->connection != NULL)
    return TRUE;

  client = g_socket_client_new ();
  g_socket_client_set_timeout (client, CONNECT_TIMEOUT_SECONDS);
  /* The MTA is local: never through a proxy. */
  g_socket_client_set_enable_proxy (client, FALSE);
  self->socket = g_socket_client_connect (client, self->address, cancellable, &error);
  if (self->socket == NULL)
    {
      g_debug ("%s delivery: %s", protocol_name (self), error->message);
      *failure = poste_reply_new (451, "4.4.1", "The local %s server cannot be reached: %s",
                                  protocol_name (self), error->message);
      return FALSE;
    }
  /* The connect timeout must not linger as a socket timeout: each wait has its own deadline. */
  g_socket_set_timeout (g_socket_connection_get_socket (self->socket), 0);
  self->connection = poste_connection_new (G_IO_STREAM (self->socket));
  poste_connection_set_timeout (self->connection, self->timeout);

  greeting = poste_reply_read (self->connection, cancellable, &error);
  if (greeting == NULL || greeting->code != 220)
    {
      g_autofree char *text = greeting != NULL ? poste_reply_describe (greeting) : NULL;

      *failure = poste_reply_new (451, "4.4.0", "The local %s server did not greet us: %s",
                                  protocol_name (self),
                                  text != NULL ? text : error->message);
      drop_connection (self);
      return FALSE;
    }

  line = g_strdup_printf ("%s %s", self->lmtp ? "LHLO" : "EHLO", helo_name ());
  hello = command (self, line, cancellable, &error);
  if (hello != NULL && !poste_reply_is_positive (hello) && !self->lmtp)
    {
      /* An SMTP server without extensions (RFC 5321 section 4.1.1.1). */
      g_clear_pointer (&hello, poste_reply_free);
      g_free (line);
      line = g_strdup_printf ("HELO %s", helo_name ());
      hello = command (self, line, cancellable, &error);
    }
  if (hello == NULL || !poste_reply_is_positive (hello))
    {
      g_autofree char *text = hello != NULL ? poste_reply_describe (hello) : NULL;

      *failure = poste_reply_new (451, "4.4.0", "The local %s server refused our greeting: %s",
                                  protocol_name (self),
                                  text != NULL ? text : error->message);
      drop_connection (self);
      return FALSE;
    }

  self->has_8bitmime = poste_reply_has_keyword (hello, "8BITMIME", NULL);
  self->has_smtputf8 = poste_reply_has_keyword (hello, "SMTPUTF8", NULL);
  self->has_size = poste_reply_has_keyword (hello, "SIZE", NULL);
  return TRUE;
}

static void
fail_transaction (PosteSmtpDelivery *self,
                  PosteReply        *reply)
{
  g_clear_pointer (&self->failed_reply, poste_reply_free);
  self->failed_reply = poste_reply_copy (reply);
  self->state = STATE_FAILED;
}

static PosteReply *
poste_smtp_delivery_begin (PosteDelivery        *delivery,
                           const PosteEnvelope  *envelope,
                           GCancellable         *cancellable)
{
  PosteSmtpDelivery *self = POSTE_SMTP_DELIVERY (delivery);
  g_autoptr(GString) line = NULL;
  PosteReply *reply = NULL;

  if (self->state != STATE_IDLE)
    poste_delivery_abort (delivery);
  g_clear_pointer (&self->failed_reply, poste_reply_free);
  self->recipients = 0;

  if (strpbrk (envelope->sender, "\r\n<>") != NULL)
    return poste_reply_new (553, "5.1.7", "Malformed sender address");

  line = g_string_new (NULL);
  /* A connection kept from earlier may have been closed by the MTA meanwhile: one new try. */
  for (guint attempt = 0; attempt < 2 && reply == NULL; attempt++)
    {
      gboolean reused = self->connection != NULL;
      g_autoptr(GError) error = NULL;

      if (!ensure_connected (self, cancellable, &reply))
        return reply;

      g_string_printf (line, "MAIL FROM:<%s>", envelope->sender);
      if (self->has_size && envelope->declared_size >= 0)
        g_string_append_printf (line, " SIZE=%" G_GINT64_FORMAT, envelope->declared_size);
      if (self->has_8bitmime && envelope->body_8bit)
        g_string_append (line, " BODY=8BITMIME");
      if (self->has_smtputf8 && envelope->smtputf8)
        g_string_append (line, " SMTPUTF8");

      reply = command (self, line->str, cancellable, &error);
      if (reply == NULL && (!reused || g_cancellable_is_cancelled (cancellable)))
        return connection_lost_reply (self, error);
    }
  if (reply == NULL)
    return poste_reply_new (451, "4.4.2", "The connection to the local %s server failed",
                            protocol_name (self));

  reply = pass_on (self, reply);
  if (poste_reply_is_positive (reply))
    self->state = STATE_MAIL;
  return reply;
}

static PosteReply *
poste_smtp_delivery_add_recipient (PosteDelivery        *delivery,
                                   const PosteEnvelope  *envelope,
                                   const char           *recipient,
                                   GCancellable         *cancellable)
{
  PosteSmtpDelivery *self = POSTE_SMTP_DELIVERY (delivery);
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  PosteReply *reply;

  if (self->state == STATE_FAILED)
    return poste_reply_copy (self->failed_reply);
  if (self->state != STATE_MAIL)
    return poste_reply_new (503, "5.5.1", "No transaction");
  if (self->lmtp && self->recipients >= 1)
    return poste_reply_new (452, "4.5.3", "One recipient per transaction, send the others again");
  if (strpbrk (recipient, "\r\n<>") != NULL)
    return poste_reply_new (553, "5.1.3", "Malformed recipient address");

  line = g_strdup_printf ("RCPT TO:<%s>", recipient);
  reply = command (self, line, cancellable, &error);
  if (reply == NULL)
    {
      reply = connection_lost_reply (self, error);
      fail_transaction (self, reply);
      return reply;
    }
  reply = pass_on (self, reply);
  if (self->connection == NULL)
    fail_transaction (self, reply);
  else if (poste_reply_is_positive (reply))
    self->recipients++;
  return reply;
}

static gboolean
set_error_from_reply (GError           **error,
                      const PosteReply  *reply)
{
  g_autofree char *text = poste_reply_describe (reply);

  g_set_error (error, POSTE_DELIVERY_ERROR,
               poste_reply_is_permanent (reply) ? POSTE_DELIVERY_ERROR_PERMANENT
                                                : POSTE_DELIVERY_ERROR_TEMPORARY,
               "%s", text);
  return FALSE;
}

/* Sends DATA and waits for 354. */
static gboolean
start_data (PosteSmtpDelivery  *self,
            GCancellable       *cancellable,
            GError            **error)
{
  g_autoptr(GError) local_error = NULL;
  PosteReply *reply;

  if (self->recipients == 0)
    {
      /* RFC 5321 section 3.3: no DATA without a recipient. */
      reply = poste_reply_new (554, "5.5.1", "No valid recipients");
      fail_transaction (self, reply);
      set_error_from_reply (error, reply);
      poste_reply_free (reply);
      return FALSE;
    }
  reply = command (self, "DATA", cancellable, &local_error);
  if (reply == NULL)
    {
      reply = connection_lost_reply (self, local_error);
      fail_transaction (self, reply);
      set_error_from_reply (error, reply);
      poste_reply_free (reply);
      return FALSE;
    }
  if (reply->code != 354)
    {
      if (poste_reply_is_positive (reply))
        {
          /* A 2xx to DATA makes no sense: do not go on. */
          poste_reply_free (reply);
          reply = poste_reply_new (451, "4.5.0", "The local %s server answered DATA oddly",
                                   protocol_name (self));
          drop_connection (self);
        }
      reply = pass_on (self, reply);
      fail_transaction (self, reply);
      set_error_from_reply (error, reply);
      poste_reply_free (reply);
      return FALSE;
    }
  poste_reply_free (reply);
  self->state = STATE_DATA;
  self->at_line_start = TRUE;
  self->pending_cr = FALSE;
  self->tail[0] = self->tail[1] = 0;
  self->sent = 0;
  return TRUE;
}

/* The line-end rule (see the top): CR LF stays, a bare CR or a bare LF becomes CR LF. A CR at the
 * end of @data waits for the next write (or the commit) to know which it is. */
static GByteArray *
normalise_line_ends (PosteSmtpDelivery *self,
                     const guint8      *data,
                     gsize              length)
{
  GByteArray *out = g_byte_array_sized_new (length + 2);
  gsize i = 0;

  if (self->pending_cr && length > 0)
    {
      self->pending_cr = FALSE;
      g_byte_array_append (out, (const guint8 *) "\r\n", 2);
      if (data[0] == '\n')
        i = 1;
    }
  while (i < length)
    {
      gsize run = i;

      while (run < length && data[run] != '\r' && data[run] != '\n')
        run++;
      g_byte_array_append (out, data + i, (guint) (run - i));
      if (run == length)
        break;
      if (data[run] == '\r' && run + 1 == length)
        {
          self->pending_cr = TRUE;
          break;
        }
      g_byte_array_append (out, (const guint8 *) "\r\n", 2);
      i = run + (data[run] == '\r' && data[run + 1] == '\n' ? 2 : 1);
    }
  return out;
}

static gboolean
poste_smtp_delivery_write (PosteDelivery  *delivery,
                           const guint8   *data,
                           gsize           length,
                           GCancellable   *cancellable,
                           GError        **error)
{
  PosteSmtpDelivery *self = POSTE_SMTP_DELIVERY (delivery);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GByteArray) normalised = NULL;
  gsize start = 0;

  if (self->state == STATE_FAILED)
    return set_error_from_reply (error, self->failed_reply);
  if (self->state == STATE_MAIL && !start_data (self, cancellable, error))
    return FALSE;
  if (self->state != STATE_DATA)
    {
      g_set_error_literal (error, POSTE_DELIVERY_ERROR, POSTE_DELIVERY_ERROR_TEMPORARY,
                           _("No transaction is open"));
      return FALSE;
    }

  normalised = normalise_line_ends (self, data, length);
  data = normalised->data;
  length = normalised->len;

  /* Dot-stuffing (RFC 5321 section 4.5.2): a '.' that starts a line is doubled. */
  while (start < length)
    {
      const guint8 *lf;
      gsize end;

      if (self->at_line_start && data[start] == '.' &&
          !poste_connection_write (self->connection, ".", 1, cancellable, &local_error))
        break;
      lf = memchr (data + start, '\n', length - start);
      end = lf != NULL ? (gsize) (lf - data) + 1 : length;
      if (!poste_connection_write (self->connection, data + start, end - start, cancellable,
                                   &local_error))
        break;
      self->at_line_start = lf != NULL;
      start = end;
    }
  if (local_error != NULL)
    {
      PosteReply *reply = connection_lost_reply (self, local_error);

      drop_connection (self);
      fail_transaction (self, reply);
      poste_reply_free (reply);
      g_set_error (error, POSTE_DELIVERY_ERROR, POSTE_DELIVERY_ERROR_TEMPORARY,
                   _("The connection to the local %s server failed: %s"), protocol_name (self),
                   local_error->message);
      return FALSE;
    }

  if (length >= 2)
    memcpy (self->tail, data + length - 2, 2);
  else if (length == 1)
    {
      self->tail[0] = self->tail[1];
      self->tail[1] = data[0];
    }
  self->sent += length;
  return TRUE;
}

static PosteReply *
poste_smtp_delivery_commit (PosteDelivery *delivery,
                            GCancellable  *cancellable)
{
  PosteSmtpDelivery *self = POSTE_SMTP_DELIVERY (delivery);
  g_autoptr(GError) error = NULL;
  PosteReply *reply;
  gboolean ok;

  if (self->state == STATE_FAILED)
    {
      reply = g_steal_pointer (&self->failed_reply);
      self->state = STATE_IDLE;
      return reply;
    }
  if (self->state == STATE_MAIL && !start_data (self, cancellable, &error))
    {
      reply = g_steal_pointer (&self->failed_reply);
      self->state = STATE_IDLE;
      return reply;
    }
  if (self->state != STATE_DATA)
    return poste_reply_new (503, "5.5.1", "No transaction");

  /* The message must end with CR LF before the final dot (a final CR becomes one). */
  ok = TRUE;
  if (self->pending_cr)
    {
      self->pending_cr = FALSE;
      self->tail[0] = '\r';
      self->tail[1] = '\n';
      ok = poste_connection_write (self->connection, "\r\n", 2, cancellable, &error);
    }
  else if (self->sent == 0 || self->tail[0] != '\r' || self->tail[1] != '\n')
    ok = poste_connection_write (self->connection, "\r\n", 2, cancellable, &error);
  if (ok)
    reply = command (self, ".", cancellable, &error);
  else
    {
      drop_connection (self);
      reply = NULL;
    }
  self->state = STATE_IDLE;
  if (reply == NULL)
    return connection_lost_reply (self, error);
  return pass_on (self, reply);
}

static void
poste_smtp_delivery_abort (PosteDelivery *delivery)
{
  PosteSmtpDelivery *self = POSTE_SMTP_DELIVERY (delivery);

  switch (self->state)
    {
    case STATE_MAIL:
      {
        g_autoptr(GError) error = NULL;
        g_autoptr(PosteReply) reply = command (self, "RSET", NULL, &error);

        if (reply != NULL && !poste_reply_is_positive (reply))
          drop_connection (self);
      }
      break;
    case STATE_DATA:
      /* DATA cannot be taken back: closing the connection makes the MTA drop the message. */
      drop_connection (self);
      break;
    case STATE_IDLE:
    case STATE_FAILED:
    default:
      break;
    }
  g_clear_pointer (&self->failed_reply, poste_reply_free);
  self->state = STATE_IDLE;
  self->recipients = 0;
}

static void
poste_smtp_delivery_close (PosteDelivery *delivery)
{
  PosteSmtpDelivery *self = POSTE_SMTP_DELIVERY (delivery);
  g_autoptr(GError) error = NULL;
  g_autoptr(PosteReply) reply = NULL;

  poste_smtp_delivery_abort (delivery);
  if (self->connection == NULL)
    return;
  poste_connection_set_timeout (self->connection, MIN (self->timeout, 30));
  reply = command (self, "QUIT", NULL, &error);
  if (self->connection != NULL)
    poste_connection_close (self->connection, NULL, NULL);
  drop_connection (self);
}

static PosteDeliveryFlags
poste_smtp_delivery_get_flags (PosteDelivery *delivery)
{
  PosteSmtpDelivery *self = POSTE_SMTP_DELIVERY (delivery);
  g_autoptr(PosteReply) failure = NULL;
  PosteDeliveryFlags flags = POSTE_DELIVERY_FLAGS_NONE;

  if (!ensure_connected (self, NULL, &failure))
    return flags;
  if (self->has_8bitmime)
    flags |= POSTE_DELIVERY_FLAGS_8BITMIME;
  if (self->has_smtputf8)
    flags |= POSTE_DELIVERY_FLAGS_SMTPUTF8;
  return flags;
}

static guint
poste_smtp_delivery_get_max_recipients (PosteDelivery *delivery)
{
  return POSTE_SMTP_DELIVERY (delivery)->lmtp ? 1 : 0;
}

static void
poste_smtp_delivery_iface_init (PosteDeliveryInterface *iface)
{
  iface->get_flags = poste_smtp_delivery_get_flags;
  iface->get_max_recipients = poste_smtp_delivery_get_max_recipients;
  iface->begin = poste_smtp_delivery_begin;
  iface->add_recipient = poste_smtp_delivery_add_recipient;
  iface->write = poste_smtp_delivery_write;
  iface->commit = poste_smtp_delivery_commit;
  iface->abort = poste_smtp_delivery_abort;
  iface->close = poste_smtp_delivery_close;
}

static void
poste_smtp_delivery_finalize (GObject *object)
{
  PosteSmtpDelivery *self = POSTE_SMTP_DELIVERY (object);

  drop_connection (self);
  g_clear_pointer (&self->failed_reply, poste_reply_free);
  g_clear_object (&self->address);

  G_OBJECT_CLASS (poste_smtp_delivery_parent_class)->finalize (object);
}

static void
poste_smtp_delivery_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  PosteSmtpDelivery *self = POSTE_SMTP_DELIVERY (object);

  switch (prop_id)
    {
    case PROP_ADDRESS:
      g_value_set_object (value, self->address);
      break;
    case PROP_LMTP:
      g_value_set_boolean (value, self->lmtp);
      break;
    case PROP_TIMEOUT:
      g_value_set_uint (value, self->timeout);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
poste_smtp_delivery_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  PosteSmtpDelivery *self = POSTE_SMTP_DELIVERY (object);

  switch (prop_id)
    {
    case PROP_ADDRESS:
      self->address = g_value_dup_object (value);
      break;
    case PROP_LMTP:
      self->lmtp = g_value_get_boolean (value);
      break;
    case PROP_TIMEOUT:
      poste_smtp_delivery_set_timeout (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
poste_smtp_delivery_class_init (PosteSmtpDeliveryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = poste_smtp_delivery_finalize;
  object_class->get_property = poste_smtp_delivery_get_property;
  object_class->set_property = poste_smtp_delivery_set_property;

  properties[PROP_ADDRESS] =
    g_param_spec_object ("address", NULL, NULL, G_TYPE_SOCKET_CONNECTABLE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LMTP] =
    g_param_spec_boolean ("lmtp", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TIMEOUT] =
    g_param_spec_uint ("timeout", NULL, NULL, 1, 3600, POSTE_SMTP_DELIVERY_TIMEOUT,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
poste_smtp_delivery_init (PosteSmtpDelivery *self)
{
  self->timeout = POSTE_SMTP_DELIVERY_TIMEOUT;
  self->state = STATE_IDLE;
}

/**
 * poste_smtp_delivery_new:
 * @address: where the local MTA listens: a #GNetworkAddress (host and port) or a
 *   #GUnixSocketAddress
 * @lmtp: speak LMTP (RFC 2033: LHLO, one reply per recipient) instead of SMTP
 *
 * Makes a target that relays every transaction to a local MTA over one connection kept for the
 * whole session, passing on its replies.
 *
 * Returns: (transfer full): a new #PosteDelivery
 */
PosteDelivery *
poste_smtp_delivery_new (GSocketConnectable *address,
                         gboolean            lmtp)
{
  g_return_val_if_fail (G_IS_SOCKET_CONNECTABLE (address), NULL);

  return g_object_new (POSTE_TYPE_SMTP_DELIVERY, "address", address, "lmtp", lmtp, NULL);
}

/**
 * poste_smtp_delivery_get_address:
 * @self: a #PosteSmtpDelivery
 *
 * Returns: (transfer none): where the local MTA listens
 */
GSocketConnectable *
poste_smtp_delivery_get_address (PosteSmtpDelivery *self)
{
  g_return_val_if_fail (POSTE_IS_SMTP_DELIVERY (self), NULL);

  return self->address;
}

/**
 * poste_smtp_delivery_get_lmtp:
 * @self: a #PosteSmtpDelivery
 *
 * Returns: whether the target speaks LMTP
 */
gboolean
poste_smtp_delivery_get_lmtp (PosteSmtpDelivery *self)
{
  g_return_val_if_fail (POSTE_IS_SMTP_DELIVERY (self), FALSE);

  return self->lmtp;
}

/**
 * poste_smtp_delivery_get_timeout:
 * @self: a #PosteSmtpDelivery
 *
 * Returns: the deadline for each reply, in seconds
 */
guint
poste_smtp_delivery_get_timeout (PosteSmtpDelivery *self)
{
  g_return_val_if_fail (POSTE_IS_SMTP_DELIVERY (self), 0);

  return self->timeout;
}

/**
 * poste_smtp_delivery_set_timeout:
 * @self: a #PosteSmtpDelivery
 * @seconds: the deadline for the greeting and each reply (at least 1)
 */
void
poste_smtp_delivery_set_timeout (PosteSmtpDelivery *self,
                                 guint              seconds)
{
  g_return_if_fail (POSTE_IS_SMTP_DELIVERY (self));
  g_return_if_fail (seconds > 0);

  if (self->timeout == seconds)
    return;
  self->timeout = seconds;
  if (self->connection != NULL)
    poste_connection_set_timeout (self->connection, seconds);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIMEOUT]);
}

/**
 * poste_smtp_delivery_is_connected:
 * @self: a #PosteSmtpDelivery
 *
 * Returns: whether a connection to the local MTA is open now
 */
gboolean
poste_smtp_delivery_is_connected (PosteSmtpDelivery *self)
{
  g_return_val_if_fail (POSTE_IS_SMTP_DELIVERY (self), FALSE);

  return self->connection != NULL;
}
