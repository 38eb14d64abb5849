/* poste-delivery.c: the local delivery target interface
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "poste-delivery.h"

G_DEFINE_INTERFACE (PosteDelivery, poste_delivery, G_TYPE_OBJECT)

static void
poste_delivery_default_init (PosteDeliveryInterface *iface)
{
}

/**
 * poste_envelope_new:
 * @sender: the reverse-path without angle brackets, "" for the null sender
 *
 * Returns: (transfer full): a new envelope with no recipients, no SIZE and 7-bit body
 */
PosteEnvelope *
poste_envelope_new (const char *sender)
{
  PosteEnvelope *envelope = g_new0 (PosteEnvelope, 1);

  envelope->sender = g_strdup (sender != NULL ? sender : "");
  envelope->recipients = g_ptr_array_new_with_free_func (g_free);
  envelope->declared_size = -1;
  return envelope;
}

/**
 * poste_envelope_free:
 * @envelope: (transfer full) (nullable): a #PosteEnvelope
 */
void
poste_envelope_free (PosteEnvelope *envelope)
{
  if (envelope == NULL)
    return;
  g_free (envelope->sender);
  g_ptr_array_unref (envelope->recipients);
  g_free (envelope);
}

/**
 * poste_delivery_get_flags:
 * @self: a #PosteDelivery
 *
 * Returns: what the target can take
 */
PosteDeliveryFlags
poste_delivery_get_flags (PosteDelivery *self)
{
  g_return_val_if_fail (POSTE_IS_DELIVERY (self), POSTE_DELIVERY_FLAGS_NONE);

  if (POSTE_DELIVERY_GET_IFACE (self)->get_flags == NULL)
    return POSTE_DELIVERY_FLAGS_NONE;
  return POSTE_DELIVERY_GET_IFACE (self)->get_flags (self);
}

/**
 * poste_delivery_get_max_recipients:
 * @self: a #PosteDelivery
 *
 * Returns: the most recipients one transaction may have, 0 for no limit
 */
guint
poste_delivery_get_max_recipients (PosteDelivery *self)
{
  g_return_val_if_fail (POSTE_IS_DELIVERY (self), 0);

  if (POSTE_DELIVERY_GET_IFACE (self)->get_max_recipients == NULL)
    return 0;
  return POSTE_DELIVERY_GET_IFACE (self)->get_max_recipients (self);
}

/**
 * poste_delivery_begin:
 * @self: a #PosteDelivery
 * @envelope: the envelope, with its sender and no recipients yet
 * @cancellable: (nullable): a #GCancellable
 *
 * Starts a transaction (MAIL FROM, RFC 5321 section 3.3).
 *
 * Returns: (transfer full): the reply to give the provider: 250 to go on, 4xx or 5xx to refuse
 */
PosteReply *
poste_delivery_begin (PosteDelivery        *self,
                      const PosteEnvelope  *envelope,
                      GCancellable         *cancellable)
{
  g_return_val_if_fail (POSTE_IS_DELIVERY (self), NULL);
  g_return_val_if_fail (envelope != NULL, NULL);

  return POSTE_DELIVERY_GET_IFACE (self)->begin (self, envelope, cancellable);
}

/**
 * poste_delivery_add_recipient:
 * @self: a #PosteDelivery
 * @envelope: the transaction's envelope, with the recipients accepted so far
 * @recipient: the forward-path without angle brackets
 * @cancellable: (nullable): a #GCancellable
 *
 * Adds a recipient (RCPT TO). The caller adds @recipient to @envelope when the reply is 2xx.
 *
 * Returns: (transfer full): the reply to give the provider
 */
PosteReply *
poste_delivery_add_recipient (PosteDelivery        *self,
                              const PosteEnvelope  *envelope,
                              const char           *recipient,
                              GCancellable         *cancellable)
{
  g_return_val_if_fail (POSTE_IS_DELIVERY (self), NULL);
  g_return_val_if_fail (recipient != NULL, NULL);

  return POSTE_DELIVERY_GET_IFACE (self)->add_recipient (self, envelope, recipient, cancellable);
}

/**
 * poste_delivery_write:
 * @self: a #PosteDelivery
 * @data: (array length=length): a chunk of the message, CR LF line ends
 * @length: the chunk's length in bytes
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Streams a chunk of the message into the target. After an error the caller aborts.
 *
 * Returns: %TRUE on success; %FALSE with a %POSTE_DELIVERY_ERROR or #GIOError
 */
gboolean
poste_delivery_write (PosteDelivery  *self,
                      const guint8   *data,
                      gsize           length,
                      GCancellable   *cancellable,
                      GError        **error)
{
  g_return_val_if_fail (POSTE_IS_DELIVERY (self), FALSE);

  return POSTE_DELIVERY_GET_IFACE (self)->write (self, data, length, cancellable, error);
}

/**
 * poste_delivery_commit:
 * @self: a #PosteDelivery
 * @cancellable: (nullable): a #GCancellable
 *
 * Ends the message. A 2xx reply means the message is durably stored (fsync'd, or accepted by the
 * local MTA with its own 250); on any doubt the target answers 4xx and leaves no trace.
 *
 * Returns: (transfer full): the reply to give the provider for the end of DATA
 */
PosteReply *
poste_delivery_commit (PosteDelivery *self,
                       GCancellable  *cancellable)
{
  g_return_val_if_fail (POSTE_IS_DELIVERY (self), NULL);

  return POSTE_DELIVERY_GET_IFACE (self)->commit (self, cancellable);
}

/**
 * poste_delivery_abort:
 * @self: a #PosteDelivery
 *
 * Drops the current transaction (RSET, a failed DATA, a broken connection); the target keeps
 * nothing of it. Safe to call when no transaction is open.
 */
void
poste_delivery_abort (PosteDelivery *self)
{
  g_return_if_fail (POSTE_IS_DELIVERY (self));

  POSTE_DELIVERY_GET_IFACE (self)->abort (self);
}

/**
 * poste_delivery_close:
 * @self: a #PosteDelivery
 *
 * Ends the target's own session at the end of the ODMR session. Aborts an open transaction.
 */
void
poste_delivery_close (PosteDelivery *self)
{
  g_return_if_fail (POSTE_IS_DELIVERY (self));

  if (POSTE_DELIVERY_GET_IFACE (self)->close != NULL)
    POSTE_DELIVERY_GET_IFACE (self)->close (self);
}
