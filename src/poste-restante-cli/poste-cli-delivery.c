/* poste-cli-delivery.c: a delivery target that remembers its local failures
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The session answers the provider with the target's own replies, so a target that cannot take
 * mail (a Maildir that cannot be made, a local MTA that refuses) makes a session that ends
 * normally with nothing delivered: the provider keeps the mail, which is right, but the user
 * must hear of it. This wrapper passes every call through to the real target and counts the
 * transactions the target refused (a 4xx or 5xx to MAIL, to every RCPT, or to the end of the
 * message), so that fetch can exit with status 10, "local delivery failed".
 */
#include "config.h"

#include "poste-cli-delivery.h"
#include "poste-reply.h"

struct _PosteCliDelivery
{
  GObject        parent_instance;

  PosteDelivery *inner;
  guint          failures;
  guint          accepted_recipients;
  char          *last;
};

static void poste_cli_delivery_iface_init (PosteDeliveryInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PosteCliDelivery, poste_cli_delivery, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (POSTE_TYPE_DELIVERY,
                                                      poste_cli_delivery_iface_init))

static void
note_failure (PosteCliDelivery *self,
              const PosteReply *reply)
{
  self->failures++;
  g_free (self->last);
  self->last = poste_reply_describe (reply);
}

static PosteDeliveryFlags
cli_get_flags (PosteDelivery *delivery)
{
  return poste_delivery_get_flags (POSTE_CLI_DELIVERY (delivery)->inner);
}

static guint
cli_get_max_recipients (PosteDelivery *delivery)
{
  return poste_delivery_get_max_recipients (POSTE_CLI_DELIVERY (delivery)->inner);
}

static PosteReply *
cli_begin (PosteDelivery       *delivery,
           const PosteEnvelope *envelope,
           GCancellable        *cancellable)
{
  PosteCliDelivery *self = POSTE_CLI_DELIVERY (delivery);
  PosteReply *reply = poste_delivery_begin (self->inner, envelope, cancellable);

  self->accepted_recipients = 0;
  if (reply != NULL && !poste_reply_is_positive (reply))
    note_failure (self, reply);
  return reply;
}

static PosteReply *
cli_add_recipient (PosteDelivery       *delivery,
                   const PosteEnvelope *envelope,
                   const char          *recipient,
                   GCancellable        *cancellable)
{
  PosteCliDelivery *self = POSTE_CLI_DELIVERY (delivery);
  PosteReply *reply = poste_delivery_add_recipient (self->inner, envelope, recipient, cancellable);

  /* One refused recipient among others is the target's verdict on that address (a 452 of the
   * router's one-target-at-a-time rule included), not a failure of the target. */
  if (reply != NULL && poste_reply_is_positive (reply))
    self->accepted_recipients++;
  else if (reply != NULL && reply->code != 452 && !poste_reply_is_permanent (reply))
    note_failure (self, reply);
  return reply;
}

static gboolean
cli_write (PosteDelivery  *delivery,
           const guint8   *data,
           gsize           length,
           GCancellable   *cancellable,
           GError        **error)
{
  PosteCliDelivery *self = POSTE_CLI_DELIVERY (delivery);
  GError *local_error = NULL;

  if (!poste_delivery_write (self->inner, data, length, cancellable, &local_error))
    {
      self->failures++;
      g_free (self->last);
      self->last = g_strdup (local_error->message);
      g_propagate_error (error, local_error);
      return FALSE;
    }
  return TRUE;
}

static PosteReply *
cli_commit (PosteDelivery *delivery,
            GCancellable  *cancellable)
{
  PosteCliDelivery *self = POSTE_CLI_DELIVERY (delivery);
  PosteReply *reply = poste_delivery_commit (self->inner, cancellable);

  if (reply != NULL && !poste_reply_is_positive (reply))
    note_failure (self, reply);
  return reply;
}

static void
cli_abort (PosteDelivery *delivery)
{
  poste_delivery_abort (POSTE_CLI_DELIVERY (delivery)->inner);
}

static void
cli_close (PosteDelivery *delivery)
{
  poste_delivery_close (POSTE_CLI_DELIVERY (delivery)->inner);
}

static void
poste_cli_delivery_iface_init (PosteDeliveryInterface *iface)
{
  iface->get_flags = cli_get_flags;
  iface->get_max_recipients = cli_get_max_recipients;
  iface->begin = cli_begin;
  iface->add_recipient = cli_add_recipient;
  iface->write = cli_write;
  iface->commit = cli_commit;
  iface->abort = cli_abort;
  iface->close = cli_close;
}

static void
poste_cli_delivery_finalize (GObject *object)
{
  PosteCliDelivery *self = (PosteCliDelivery *)object;

  g_clear_object (&self->inner);
  g_clear_pointer (&self->last, g_free);

  G_OBJECT_CLASS (poste_cli_delivery_parent_class)->finalize (object);
}

static void
poste_cli_delivery_class_init (PosteCliDeliveryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = poste_cli_delivery_finalize;
}

static void
poste_cli_delivery_init (PosteCliDelivery *self)
{
}

/**
 * poste_cli_delivery_new:
 * @inner: the real target
 *
 * Returns: (transfer full): a target that passes everything to @inner and counts its failures
 */
PosteDelivery *
poste_cli_delivery_new (PosteDelivery *inner)
{
  PosteCliDelivery *self;

  g_return_val_if_fail (POSTE_IS_DELIVERY (inner), NULL);

  self = g_object_new (POSTE_TYPE_CLI_DELIVERY, NULL);
  self->inner = g_object_ref (inner);
  return POSTE_DELIVERY (self);
}

/**
 * poste_cli_delivery_get_failures:
 * @self: a #PosteCliDelivery
 *
 * Returns: how many times the target could not take what it was given (a 4xx to MAIL, RCPT or
 *   the end of a message, or a failed write)
 */
guint
poste_cli_delivery_get_failures (PosteCliDelivery *self)
{
  g_return_val_if_fail (POSTE_IS_CLI_DELIVERY (self), 0);
  return self->failures;
}

/**
 * poste_cli_delivery_get_last:
 * @self: a #PosteCliDelivery
 *
 * Returns: (transfer none) (nullable): the last failure, as the reply's description
 */
const char *
poste_cli_delivery_get_last (PosteCliDelivery *self)
{
  g_return_val_if_fail (POSTE_IS_CLI_DELIVERY (self), NULL);
  return self->last;
}
