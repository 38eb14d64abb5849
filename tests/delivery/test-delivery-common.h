/* test-delivery-common.h: what the delivery tests share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <string.h>

#include "poste.h"
#include "poste-test.h"
#include "poste-test-services.h"

/* Runs one transaction: begin, every recipient (each must be accepted), the message written in
 * chunks of @chunk octets, then commit. Returns the commit's reply. */
static inline PosteReply *
deliver_chunked (PosteDelivery       *delivery,
                 const char          *sender,
                 const char * const  *recipients,
                 const char          *message,
                 gsize                length,
                 gsize                chunk)
{
  g_autoptr(PosteEnvelope) envelope = poste_envelope_new (sender);
  g_autoptr(PosteReply) begin = poste_delivery_begin (delivery, envelope, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (begin->code, ==, 250);
  for (guint i = 0; recipients[i] != NULL; i++)
    {
      g_autoptr(PosteReply) reply = poste_delivery_add_recipient (delivery, envelope,
                                                                  recipients[i], NULL);

      g_assert_cmpuint (reply->code / 100, ==, 2);
      g_ptr_array_add (envelope->recipients, g_strdup (recipients[i]));
    }
  for (gsize offset = 0; offset < length; offset += chunk)
    {
      g_assert_true (poste_delivery_write (delivery, (const guint8 *) message + offset,
                                           MIN (chunk, length - offset), NULL, &error));
      g_assert_no_error (error);
    }
  return poste_delivery_commit (delivery, NULL);
}

static inline PosteReply *
deliver (PosteDelivery *delivery,
         const char    *sender,
         const char    *recipient,
         const char    *message)
{
  const char *recipients[] = { recipient, NULL };

  return deliver_chunked (delivery, sender, recipients, message, strlen (message), 4096);
}

/* The Unix form of a wire message: every CR LF becomes LF, nothing else changes. */
static inline GBytes *
to_unix (const char *wire,
         gsize       length)
{
  GByteArray *out = g_byte_array_new ();

  for (gsize i = 0; i < length; i++)
    {
      if (wire[i] == '\r' && i + 1 < length && wire[i + 1] == '\n')
        continue;
      g_byte_array_append (out, (const guint8 *) wire + i, 1);
    }
  return g_byte_array_free_to_bytes (out);
}

static inline void
assert_bytes_equal (GBytes     *actual,
                    const void *expected,
                    gsize       expected_length)
{
  gsize length;
  const char *data = g_bytes_get_data (actual, &length);

  if (length != expected_length || (length > 0 && memcmp (data, expected, length) != 0))
    {
      g_autofree char *a_raw = g_strndup (data != NULL ? data : "", length);
      g_autofree char *e_raw = g_strndup (expected, expected_length);
      g_autofree char *a = g_strescape (a_raw, NULL);
      g_autofree char *e = g_strescape (e_raw, NULL);

      g_test_message ("expected (%zu): %.2000s", expected_length, e);
      g_test_message ("actual   (%zu): %.2000s", length, a);
    }
  g_assert_cmpmem (data, length, expected, expected_length);
}
