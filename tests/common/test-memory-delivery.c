/* test-memory-delivery.c: a PosteDelivery that keeps messages in memory, for the session,
 * server and reliability tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Test-only: the real targets (SMTP/LMTP relay, mbox, Maildir, MDA) live in src/libposte/delivery.
 */
#include "config.h"

#include "test-memory-delivery.h"

static void test_delivery_iface_init (PosteDeliveryInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestDelivery, test_delivery, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (POSTE_TYPE_DELIVERY,
                                                      test_delivery_iface_init))

static PosteDeliveryFlags
td_get_flags (PosteDelivery *delivery)
{
  return TEST_DELIVERY (delivery)->flags;
}

static guint
td_get_max_recipients (PosteDelivery *delivery)
{
  return TEST_DELIVERY (delivery)->max_recipients;
}

static PosteReply *
td_begin (PosteDelivery       *delivery,
          const PosteEnvelope *envelope,
          GCancellable        *cancellable)
{
  TestDelivery *self = TEST_DELIVERY (delivery);

  g_assert_null (self->current);
  if (self->begin_code != 0 && self->begin_code != 250)
    return poste_reply_new (self->begin_code, self->begin_code < 500 ? "4.3.0" : "5.3.0",
                            "Sender refused (test)");
  self->current = g_byte_array_new ();
  g_clear_pointer (&self->envelope, poste_envelope_free);
  self->envelope = poste_envelope_new (envelope->sender);
  return poste_reply_new (250, "2.1.0", "Sender OK");
}

static PosteReply *
td_add_recipient (PosteDelivery       *delivery,
                  const PosteEnvelope *envelope,
                  const char          *recipient,
                  GCancellable        *cancellable)
{
  TestDelivery *self = TEST_DELIVERY (delivery);

  g_assert_nonnull (self->current);
  if (self->rcpt_code != 0 && self->rcpt_code != 250)
    return poste_reply_new (self->rcpt_code, self->rcpt_code < 500 ? "4.2.1" : "5.2.1",
                            "Recipient refused (test)");
  if (g_strcmp0 (recipient, self->refuse_recipient) == 0)
    return poste_reply_new (550, "5.1.1", "No such user (test)");
  if (g_strcmp0 (recipient, self->defer_recipient) == 0)
    return poste_reply_new (450, "4.2.1", "Mailbox busy (test)");
  if (self->rcpt_limit > 0 && self->envelope->recipients->len >= self->rcpt_limit)
    return poste_reply_new (452, "4.5.3", "Too many recipients (test)");
  g_ptr_array_add (self->envelope->recipients, g_strdup (recipient));
  return poste_reply_new (250, "2.1.5", "Recipient OK");
}

static gboolean
td_write (PosteDelivery  *delivery,
          const guint8   *data,
          gsize           length,
          GCancellable   *cancellable,
          GError        **error)
{
  TestDelivery *self = TEST_DELIVERY (delivery);

  g_assert_nonnull (self->current);
  self->largest_write = MAX (self->largest_write, length);
  if (self->fail_write)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, "Disk full (test)");
      return FALSE;
    }
  g_byte_array_append (self->current, data, length);
  return TRUE;
}

static PosteReply *
td_commit (PosteDelivery *delivery,
           GCancellable  *cancellable)
{
  TestDelivery *self = TEST_DELIVERY (delivery);

  g_assert_nonnull (self->current);
  if (self->commit_code != 250)
    {
      g_clear_pointer (&self->current, g_byte_array_unref);
      g_clear_pointer (&self->envelope, poste_envelope_free);
      return poste_reply_new (self->commit_code, "4.3.0", "Commit failed (test)");
    }
  g_ptr_array_add (self->messages, g_byte_array_free_to_bytes (g_steal_pointer (&self->current)));
  g_ptr_array_add (self->envelope->recipients, NULL);
  g_ptr_array_add (self->recipients, g_strjoinv (",", (char **) self->envelope->recipients->pdata));
  g_ptr_array_add (self->senders, g_strdup (self->envelope->sender));
  g_clear_pointer (&self->envelope, poste_envelope_free);
  return poste_reply_new (250, "2.0.0", "Stored");
}

static void
td_abort (PosteDelivery *delivery)
{
  TestDelivery *self = TEST_DELIVERY (delivery);

  g_clear_pointer (&self->current, g_byte_array_unref);
  g_clear_pointer (&self->envelope, poste_envelope_free);
  self->aborts++;
}

static void
td_close (PosteDelivery *delivery)
{
  TEST_DELIVERY (delivery)->closes++;
}

static void
test_delivery_iface_init (PosteDeliveryInterface *iface)
{
  iface->get_flags = td_get_flags;
  iface->get_max_recipients = td_get_max_recipients;
  iface->begin = td_begin;
  iface->add_recipient = td_add_recipient;
  iface->write = td_write;
  iface->commit = td_commit;
  iface->abort = td_abort;
  iface->close = td_close;
}

static void
test_delivery_finalize (GObject *object)
{
  TestDelivery *self = TEST_DELIVERY (object);

  g_ptr_array_unref (self->messages);
  g_ptr_array_unref (self->recipients);
  g_ptr_array_unref (self->senders);
  g_clear_pointer (&self->current, g_byte_array_unref);
  g_clear_pointer (&self->envelope, poste_envelope_free);
  g_free (self->refuse_recipient);
  g_free (self->defer_recipient);
  G_OBJECT_CLASS (test_delivery_parent_class)->finalize (object);
}

static void
test_delivery_class_init (TestDeliveryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_delivery_finalize;
}

static void
test_delivery_init (TestDelivery *self)
{
  self->flags = POSTE_DELIVERY_FLAGS_8BITMIME | POSTE_DELIVERY_FLAGS_SMTPUTF8;
  self->commit_code = 250;
  self->messages = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  self->recipients = g_ptr_array_new_with_free_func (g_free);
  self->senders = g_ptr_array_new_with_free_func (g_free);
}

/**
 * test_delivery_new:
 *
 * Returns: (transfer full): a target taking 8BITMIME and SMTPUTF8, any number of recipients,
 *   committing with 250
 */
TestDelivery *
test_delivery_new (void)
{
  return g_object_new (TEST_TYPE_DELIVERY, NULL);
}

