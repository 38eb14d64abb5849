/* poste-smtp-delivery.c: relay to a local MTA over SMTP (RFC 5321) or LMTP (RFC 2033)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One connection to the local MTA for the whole ODMR session, opened at the first need. Each
 * MAIL FROM and RCPT TO is relayed as it arrives, so the local MTA's own verdict (250, 550, 4xx)
 * is what the provider hears, and the end of DATA is answered with the local MTA's reply to its
 * end of DATA. The dialogue is libposte's one SMTP client (poste-smtp-client.c), and the body
 * goes through its data encoder: CR LF line ends, dot-stuffing.
 *
 * Line ends: a bare CR or LF is never passed on to the local MTA, which would each read it its
 * own way (the root of SMTP smuggling): the encoder makes each of them CR LF (see
 * poste-data-encoder.c). Only a BDAT message can hold them (DATA refuses them in poste-server.c);
 * BDAT counted them as octets, so nothing is hidden, and the local MTA gets well-formed lines.
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
#include "poste-smtp-client.h"
#include "poste-smtp-delivery.h"

#define CONNECT_TIMEOUT_SECONDS 30

/* The transaction as the provider sees it; the SMTP client keeps the wire's own state. */
typedef enum {
  STATE_IDLE,       /* no transaction */
  STATE_MAIL,       /* MAIL FROM accepted, RCPTs may follow */
  STATE_DATA,       /* the body is streaming */
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
  PosteSmtpClient    *client;

  State               state;
  guint               recipients;
  PosteReply         *failed_reply;
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
  g_clear_pointer (&self->client, poste_smtp_client_free);
  if (self->connection != NULL)
    {
      g_io_stream_close (poste_connection_get_stream (self->connection), NULL, NULL);
      g_clear_pointer (&self->connection, poste_connection_unref);
    }
  g_clear_object (&self->socket);
}

static PosteReply *
connection_lost_reply (PosteSmtpDelivery *self,
                       const GError      *error)
{
  return poste_reply_new (451, "4.4.2", "The connection to the local %s server failed: %s",
                          protocol_name (self), error != NULL ? error->message : "closed");
}

/* After each exchange: a reply of %NULL (an I/O or protocol error) or a client the server
 * closed (421) ends our connection. */
static void
check_connection (PosteSmtpDelivery *self,
                  const PosteReply  *reply)
{
  if (reply == NULL ||
      poste_smtp_client_get_state (self->client) == POSTE_SMTP_CLIENT_STATE_CLOSED)
    drop_connection (self);
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
  self->client = poste_smtp_client_new (self->connection,
                                        self->lmtp ? POSTE_SMTP_CLIENT_FLAGS_LMTP
                                                   : POSTE_SMTP_CLIENT_FLAGS_NONE);

  greeting = poste_smtp_client_greeting (self->client, cancellable, &error);
  if (greeting == NULL || greeting->code != 220)
    {
      g_autofree char *text = greeting != NULL ? poste_reply_describe (greeting) : NULL;

      *failure = poste_reply_new (451, "4.4.0", "The local %s server did not greet us: %s",
                                  protocol_name (self),
                                  text != NULL ? text : error->message);
      drop_connection (self);
      return FALSE;
    }

  hello = poste_smtp_client_hello (self->client, helo_name (), TRUE, cancellable, &error);
  if (hello == NULL || !poste_reply_is_positive (hello))
    {
      g_autofree char *text = hello != NULL ? poste_reply_describe (hello) : NULL;

      *failure = poste_reply_new (451, "4.4.0", "The local %s server refused our greeting: %s",
                                  protocol_name (self),
                                  text != NULL ? text : error->message);
      drop_connection (self);
      return FALSE;
    }
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
  PosteSmtpMailParams params = {
    .size = envelope->declared_size,
    .body_8bit = envelope->body_8bit,
    .smtputf8 = envelope->smtputf8,
  };
  PosteReply *reply = NULL;

  if (self->state != STATE_IDLE)
    poste_delivery_abort (delivery);
  g_clear_pointer (&self->failed_reply, poste_reply_free);
  self->recipients = 0;

  if (strpbrk (envelope->sender, "\r\n<>") != NULL)
    return poste_reply_new (553, "5.1.7", "Malformed sender address");

  /* A connection kept from earlier may have been closed by the MTA meanwhile: one new try. */
  for (guint attempt = 0; attempt < 2 && reply == NULL; attempt++)
    {
      gboolean reused = self->connection != NULL;
      g_autoptr(GError) error = NULL;

      if (!ensure_connected (self, cancellable, &reply))
        return reply;

      reply = poste_smtp_client_mail (self->client, envelope->sender, &params, cancellable,
                                      &error);
      if (reply == NULL)
        {
          drop_connection (self);
          if (!reused || g_cancellable_is_cancelled (cancellable))
            return connection_lost_reply (self, error);
        }
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
  PosteReply *reply;

  if (self->state == STATE_FAILED)
    return poste_reply_copy (self->failed_reply);
  if (self->state != STATE_MAIL)
    return poste_reply_new (503, "5.5.1", "No transaction");
  if (self->lmtp && self->recipients >= 1)
    return poste_reply_new (452, "4.5.3", "One recipient per transaction, send the others again");
  if (strpbrk (recipient, "\r\n<>") != NULL)
    return poste_reply_new (553, "5.1.3", "Malformed recipient address");

  reply = poste_smtp_client_rcpt (self->client, recipient, cancellable, &error);
  check_connection (self, reply);
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

/* Ends the transaction with @reply (taken) as its failure, and sets @error from it. */
static gboolean
fail_with (PosteSmtpDelivery  *self,
           PosteReply         *reply,
           GError            **error)
{
  fail_transaction (self, reply);
  set_error_from_reply (error, reply);
  poste_reply_free (reply);
  return FALSE;
}

/* Sends DATA and waits for 354. */
static gboolean
start_data (PosteSmtpDelivery  *self,
            GCancellable       *cancellable,
            GError            **error)
{
  g_autoptr(GError) local_error = NULL;
  PosteReply *refusal = NULL;

  if (self->recipients == 0)
    {
      /* RFC 5321 section 3.3: no DATA without a recipient. */
      return fail_with (self, poste_reply_new (554, "5.5.1", "No valid recipients"), error);
    }
  if (!poste_smtp_client_data (self->client, &refusal, cancellable, &local_error))
    {
      if (refusal == NULL)
        {
          drop_connection (self);
          return fail_with (self, connection_lost_reply (self, local_error), error);
        }
      check_connection (self, refusal);
      if (poste_reply_is_positive (refusal))
        {
          /* A 2xx to DATA makes no sense: do not go on. */
          poste_reply_free (refusal);
          refusal = poste_reply_new (451, "4.5.0", "The local %s server answered DATA oddly",
                                     protocol_name (self));
          drop_connection (self);
        }
      return fail_with (self, pass_on (self, refusal), error);
    }
  self->state = STATE_DATA;
  return TRUE;
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
  PosteReply *refusal = NULL;

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

  if (poste_smtp_client_write_body (self->client, data, length, &refusal, cancellable,
                                    &local_error))
    return TRUE;
  if (refusal != NULL)
    {
      check_connection (self, refusal);
      return fail_with (self, pass_on (self, refusal), error);
    }
  drop_connection (self);
  fail_with (self, connection_lost_reply (self, local_error), NULL);
  g_set_error (error, POSTE_DELIVERY_ERROR, POSTE_DELIVERY_ERROR_TEMPORARY,
               _("The connection to the local %s server failed: %s"), protocol_name (self),
               local_error->message);
  return FALSE;
}

static PosteReply *
poste_smtp_delivery_commit (PosteDelivery *delivery,
                            GCancellable  *cancellable)
{
  PosteSmtpDelivery *self = POSTE_SMTP_DELIVERY (delivery);
  g_autoptr(GError) error = NULL;
  PosteReply *reply;

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

  reply = poste_smtp_client_end_body (self->client, 0, cancellable, &error);
  check_connection (self, reply);
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
        g_autoptr(PosteReply) reply = poste_smtp_client_rset (self->client, NULL, &error);

        if (reply == NULL || !poste_reply_is_positive (reply))
          drop_connection (self);
      }
      break;
    case STATE_DATA:
      /* DATA cannot be taken back: closing the connection makes the MTA drop the message. */
      poste_smtp_client_abandon_body (self->client);
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

  poste_smtp_delivery_abort (delivery);
  if (self->connection == NULL)
    return;
  poste_connection_set_timeout (self->connection, MIN (self->timeout, 30));
  poste_smtp_client_quit (self->client, NULL);
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
  if (poste_smtp_client_has_extension (self->client, "8BITMIME", NULL))
    flags |= POSTE_DELIVERY_FLAGS_8BITMIME;
  if (poste_smtp_client_has_extension (self->client, "SMTPUTF8", NULL))
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
