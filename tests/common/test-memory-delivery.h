/* test-memory-delivery.h: a PosteDelivery that keeps messages in memory, for the session,
 * server and reliability tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "poste.h"

G_BEGIN_DECLS

#define TEST_TYPE_DELIVERY (test_delivery_get_type ())
G_DECLARE_FINAL_TYPE (TestDelivery, test_delivery, TEST, DELIVERY, GObject)

/* Public fields: the tests set the behaviour and read what arrived (after the session ended). */
struct _TestDelivery
{
  GObject             parent_instance;
  PosteDeliveryFlags  flags;
  guint               max_recipients;
  guint               commit_code;       /* 250 unless set */
  gboolean            fail_write;
  GPtrArray          *messages;          /* GBytes */
  GPtrArray          *recipients;        /* char*, the recipients of each message joined by ',' */
  GPtrArray          *senders;           /* char*, the sender of each message */
  GByteArray         *current;
  PosteEnvelope      *envelope;
  gsize               largest_write;
  guint               aborts;
  guint               closes;
  guint               begin_code;        /* the reply to begin() when not 0 (and not 250) */
  guint               rcpt_code;         /* the reply to add_recipient() when not 0 (and not 250) */
  char               *refuse_recipient;  /* this recipient gets 550 5.1.1 */
  char               *defer_recipient;   /* this recipient gets 450 4.2.1 */
  guint               rcpt_limit;        /* more recipients get 452 4.5.3 (as LMTP's router) */
};

TestDelivery *test_delivery_new (void);

G_END_DECLS
