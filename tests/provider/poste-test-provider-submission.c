/* poste-test-provider-submission.c: the test provider as a message submission server (RFC 6409)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The provider's relay for the customer's outbox: MAIL, RCPT, DATA and RSET of an authenticated
 * client, each reply scriptable by a fault; the accepted messages are recorded.
 */
#include "config.h"

#include <errno.h>
#include <gsasl.h>
#include <string.h>

#include "poste-data-decoder.h"
#include "poste-error.h"
#include "poste-reply.h"
#include "poste-test-provider-private.h"

static void
submission_decoded_cb (const guint8 *data,
                       gsize         length,
                       gpointer      user_data)
{
  GByteArray *message = user_data;

  if (message->len + length <= MAX_SUBMITTED_SIZE)
    g_byte_array_append (message, data, (guint) length);
}

static gboolean
submission_path (const char  *args,
                 const char  *keyword,
                 char       **address)
{
  const char *open, *close;

  if (g_ascii_strncasecmp (args, keyword, strlen (keyword)) != 0)
    return FALSE;
  open = strchr (args, '<');
  close = open != NULL ? strchr (open, '>') : NULL;
  if (close == NULL)
    return FALSE;
  *address = g_strndup (open + 1, close - open - 1);
  return TRUE;
}

/* MAIL, RCPT, DATA and RSET of an authenticated client; the accepted messages are recorded as
 * poste_test_provider_dup_accepted() returns them. */
gboolean
tp_handle_submission (Session    *s,
                      const char *verb,
                      const char *args)
{
  const Faults *f = &s->provider->faults;

  if (g_str_equal (verb, "ATRN"))
    return tp_send_line (s, "502 5.5.1 This is a submission service");
  if (g_str_equal (verb, "RSET"))
    {
      g_clear_pointer (&s->mail_from, g_free);
      g_clear_pointer (&s->rcpt_to, g_ptr_array_unref);
      return tp_send_line (s, "250 2.0.0 OK");
    }
  if (s->account == NULL && s->external_user == NULL)
    return tp_send_line (s, "530 5.7.0 Authentication required");

  if (g_str_equal (verb, "MAIL"))
    {
      g_autofree char *address = NULL;

      if (s->mail_from != NULL)
        return tp_send_line (s, "503 5.5.1 Nested MAIL command");
      if (!submission_path (args, "FROM:", &address))
        return tp_send_line (s, "501 5.5.4 Syntax: MAIL FROM:<address>");
      if (f->submit_mail != 0 && f->submit_mail != 250)
        return tp_send_line (s, "%03u %u.0.0 Scripted reply to MAIL", f->submit_mail,
                             f->submit_mail / 100);
      s->mail_from = g_steal_pointer (&address);
      s->rcpt_to = g_ptr_array_new_with_free_func (g_free);
      return tp_send_line (s, "250 2.1.0 OK");
    }
  if (g_str_equal (verb, "RCPT"))
    {
      g_autofree char *address = NULL;

      if (s->mail_from == NULL)
        return tp_send_line (s, "503 5.5.1 Need MAIL first");
      if (!submission_path (args, "TO:", &address))
        return tp_send_line (s, "501 5.5.4 Syntax: RCPT TO:<address>");
      if (f->submit_rcpt != 0 && f->submit_rcpt != 250 &&
          (f->submit_rcpt_for == NULL || g_ascii_strcasecmp (f->submit_rcpt_for, address) == 0))
        {
          /* Two lines, as real relays often give (Gmail's 550 5.1.1 runs over four): the customer
           * must keep every line and no line end in what it reports. */
          g_autofree char *first = g_strdup_printf ("%u.1.1 Scripted reply to RCPT",
                                                    f->submit_rcpt / 100);
          g_autofree char *second = g_strdup_printf ("%u.1.1 <%s>: refused by the test",
                                                     f->submit_rcpt / 100, address);
          const char *lines[] = { first, second, NULL };

          return tp_send_reply (s, f->submit_rcpt, lines);
        }
      g_ptr_array_add (s->rcpt_to, g_steal_pointer (&address));
      return tp_send_line (s, "250 2.1.5 OK");
    }

  /* DATA */
  if (s->mail_from == NULL || s->rcpt_to->len == 0)
    return tp_send_line (s, "503 5.5.1 Need RCPT first");
  if (f->submit_data != 0 && f->submit_data != 354)
    return tp_send_line (s, "%03u %u.0.0 Scripted reply to DATA", f->submit_data,
                         f->submit_data / 100);
  if (!tp_send_line (s, "354 Go ahead"))
    return FALSE;
  {
    g_autoptr(PosteDataDecoder) decoder = poste_data_decoder_new (POSTE_DATA_DECODER_DOT);
    g_autoptr(GByteArray) message = g_byte_array_new ();
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) bytes = NULL;
    gboolean too_big;

    while (!poste_data_decoder_is_done (decoder))
      {
        gsize length, used;
        const guint8 *data = poste_test_wire_peek (s->conn, &length, s->cancellable, &error);

        if (data == NULL)
          {
            tp_session_fail (s, error);
            return FALSE;
          }
        used = poste_data_decoder_feed (decoder, data, length, submission_decoded_cb, message);
        poste_test_wire_consume (s->conn, used);
      }
    tp_transcript_add (s, "C: ", "<message content>", -1);
    too_big = poste_data_decoder_get_size (decoder) > MAX_SUBMITTED_SIZE;
    if (too_big)
      return tp_send_line (s, "552 5.3.4 Message too big");
    if (f->submit_end != 0 && f->submit_end != 250)
      {
        g_clear_pointer (&s->mail_from, g_free);
        g_clear_pointer (&s->rcpt_to, g_ptr_array_unref);
        return tp_send_line (s, "%03u %u.0.0 Scripted reply to the end of DATA", f->submit_end,
                             f->submit_end / 100);
      }
    bytes = g_byte_array_free_to_bytes (g_steal_pointer (&message));
    g_mutex_lock (&s->provider->lock);
    g_ptr_array_add (s->provider->accepted,
                     tp_message_new (s->mail_from, g_steal_pointer (&s->rcpt_to), bytes, NULL));
    g_mutex_unlock (&s->provider->lock);
    g_clear_pointer (&s->mail_from, g_free);
    return tp_send_line (s, "250 2.0.0 Accepted");
  }
}
