/* test-smtp-delivery.c: the SMTP and LMTP relay against a scripted local MTA on loopback
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The MTA here is a small real server on 127.0.0.1 in a thread of the test. It records what it
 * receives byte for byte, so dot-stuffing, the final CR LF, LHLO and QUIT can be checked exactly,
 * and it misbehaves on cue (421, a dropped connection, a refused DATA), which a real MTA cannot
 * be made to do on demand. The tests against Postfix and Dovecot are in
 * test-delivery-services.c.
 */
#include "config.h"

#include "test-delivery-common.h"

typedef struct {
  GSocketListener *listener;
  GCancellable    *stop;
  GThread         *thread;
  guint16          port;
  gboolean         lmtp;

  GMutex           lock;
  GByteArray      *data;         /* the last complete DATA, as received, without ".\r\n" */
  GPtrArray       *commands;     /* every command line, in order */
  guint            connections;
  guint            unfinished;   /* DATA phases that ended without the final dot */
} FakeMta;

static void
say (GOutputStream *out,
     const char    *line)
{
  g_autofree char *text = g_strconcat (line, "\r\n", NULL);

  g_output_stream_write_all (out, text, strlen (text), NULL, NULL, NULL);
}

static void
serve (FakeMta   *mta,
       GIOStream *stream)
{
  g_autoptr(GDataInputStream) in = g_data_input_stream_new (g_io_stream_get_input_stream (stream));
  GOutputStream *out = g_io_stream_get_output_stream (stream);
  guint recipients = 0;

  g_data_input_stream_set_newline_type (in, G_DATA_STREAM_NEWLINE_TYPE_LF);
  say (out, "220 fake.test ESMTP ready");
  for (;;)
    {
      gsize length;
      g_autofree char *line = g_data_input_stream_read_line (in, &length, NULL, NULL);

      if (line == NULL)
        return;
      if (length > 0 && line[length - 1] == '\r')
        line[--length] = '\0';
      g_mutex_lock (&mta->lock);
      g_ptr_array_add (mta->commands, g_strdup (line));
      g_mutex_unlock (&mta->lock);

      if (g_str_has_prefix (line, "EHLO ") || g_str_has_prefix (line, "LHLO "))
        say (out, "250-fake.test\r\n250-8BITMIME\r\n250-SIZE 1000000\r\n250 ENHANCEDSTATUSCODES");
      else if (g_str_has_prefix (line, "MAIL FROM:<drop@"))
        return;
      else if (g_str_has_prefix (line, "MAIL FROM:<bye@"))
        {
          say (out, "421 4.3.2 Shutting down");
          return;
        }
      else if (g_str_has_prefix (line, "MAIL FROM:"))
        {
          recipients = 0;
          say (out, "250 2.1.0 Ok");
        }
      else if (g_str_has_prefix (line, "RCPT TO:<refuse@"))
        say (out, "550 5.1.1 No such user here");
      else if (g_str_has_prefix (line, "RCPT TO:<later@"))
        say (out, "450 4.2.1 Try again later");
      else if (g_str_has_prefix (line, "RCPT TO:<nodata@"))
        {
          recipients = 1000;
          say (out, "250 2.1.5 Ok");
        }
      else if (g_str_has_prefix (line, "RCPT TO:"))
        {
          recipients++;
          say (out, "250 2.1.5 Ok");
        }
      else if (strcmp (line, "DATA") == 0 && recipients == 0)
        say (out, "503 5.5.1 No recipients");
      else if (strcmp (line, "DATA") == 0 && recipients >= 1000)
        say (out, "554 5.5.1 No valid recipients");
      else if (strcmp (line, "DATA") == 0)
        {
          g_autoptr(GByteArray) data = g_byte_array_new ();
          gboolean finished = FALSE;

          say (out, "354 End with <CR><LF>.<CR><LF>");
          for (;;)
            {
              gsize n;
              g_autofree char *d = g_data_input_stream_read_line (in, &n, NULL, NULL);

              if (d == NULL)
                break;
              if (strcmp (d, ".\r") == 0)
                {
                  finished = TRUE;
                  break;
                }
              g_byte_array_append (data, (const guint8 *) d, n);
              g_byte_array_append (data, (const guint8 *) "\n", 1);
            }
          g_mutex_lock (&mta->lock);
          if (finished)
            {
              g_byte_array_set_size (mta->data, 0);
              g_byte_array_append (mta->data, data->data, data->len);
            }
          else
            mta->unfinished++;
          g_mutex_unlock (&mta->lock);
          if (!finished)
            return;
          for (guint i = 0; i < (mta->lmtp ? recipients : 1); i++)
            say (out, "250 2.0.0 Queued as FAKE");
        }
      else if (strcmp (line, "RSET") == 0 || strcmp (line, "NOOP") == 0)
        say (out, "250 2.0.0 Ok");
      else if (strcmp (line, "QUIT") == 0)
        {
          say (out, "221 2.0.0 Bye");
          return;
        }
      else
        say (out, "500 5.5.2 What?");
    }
}

static gpointer
fake_mta_thread (gpointer user_data)
{
  FakeMta *mta = user_data;

  for (;;)
    {
      g_autoptr(GSocketConnection) connection =
        g_socket_listener_accept (mta->listener, NULL, mta->stop, NULL);

      if (connection == NULL)
        return NULL;
      g_mutex_lock (&mta->lock);
      mta->connections++;
      g_mutex_unlock (&mta->lock);
      serve (mta, G_IO_STREAM (connection));
      g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
    }
}

static FakeMta *
fake_mta_new (gboolean lmtp)
{
  FakeMta *mta = g_new0 (FakeMta, 1);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GError) error = NULL;

  mta->lmtp = lmtp;
  mta->listener = g_socket_listener_new ();
  mta->stop = g_cancellable_new ();
  mta->data = g_byte_array_new ();
  mta->commands = g_ptr_array_new_with_free_func (g_free);
  g_mutex_init (&mta->lock);
  g_socket_listener_add_address (mta->listener, address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &effective, &error);
  g_assert_no_error (error);
  mta->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  mta->thread = g_thread_new ("fake-mta", fake_mta_thread, mta);
  return mta;
}

static void
fake_mta_free (FakeMta *mta)
{
  g_cancellable_cancel (mta->stop);
  g_thread_join (mta->thread);
  g_socket_listener_close (mta->listener);
  g_object_unref (mta->listener);
  g_object_unref (mta->stop);
  g_byte_array_unref (mta->data);
  g_ptr_array_unref (mta->commands);
  g_mutex_clear (&mta->lock);
  g_free (mta);
}

static gboolean
fake_mta_saw (FakeMta    *mta,
              const char *command)
{
  gboolean seen = FALSE;

  g_mutex_lock (&mta->lock);
  for (guint i = 0; i < mta->commands->len; i++)
    if (strcmp (g_ptr_array_index (mta->commands, i), command) == 0)
      seen = TRUE;
  g_mutex_unlock (&mta->lock);
  return seen;
}

static PosteDelivery *
relay_new (FakeMta *mta)
{
  g_autofree char *spec = g_strdup_printf ("%s://127.0.0.1:%u", mta->lmtp ? "lmtp" : "smtp",
                                           mta->port);
  g_autoptr(GError) error = NULL;
  PosteDelivery *delivery = poste_delivery_new_for_target (spec, &error);

  g_assert_no_error (error);
  return delivery;
}

static void
test_dot_stuffing (void)
{
  FakeMta *mta = fake_mta_new (FALSE);
  g_autoptr(PosteDelivery) delivery = relay_new (mta);
  const char message[] = ".\r\n..\r\n.x\r\nx.\r\n\r\n.\r\nend.";
  const char stuffed[] = "..\r\n...\r\n..x\r\nx.\r\n\r\n..\r\nend.\r\n";
  const char *recipients[] = { "a@fake.test", NULL };

  /* One octet at a time: a dot at the start of a chunk that starts a line is stuffed too. */
  for (gsize chunk = 1; chunk <= 5; chunk += 4)
    {
      g_autoptr(PosteReply) reply = deliver_chunked (delivery, "s@p.test", recipients, message,
                                                     strlen (message), chunk);

      g_assert_cmpuint (reply->code, ==, 250);
      g_assert_cmpstr (reply->lines[0], ==, "Queued as FAKE");
      g_mutex_lock (&mta->lock);
      g_assert_cmpmem (mta->data->data, mta->data->len, stuffed, strlen (stuffed));
      g_mutex_unlock (&mta->lock);
    }
  /* One connection for every transaction. */
  g_assert_cmpuint (mta->connections, ==, 1);
  g_assert_true (fake_mta_saw (mta, "MAIL FROM:<s@p.test>"));

  poste_delivery_close (delivery);
  g_assert_true (fake_mta_saw (mta, "QUIT"));
  g_clear_object (&delivery);
  fake_mta_free (mta);
}

/* A bare CR or LF (only a BDAT message can hold them) is never passed on: each becomes CR LF,
 * whatever the chunks, and a final CR too. */
static void
test_bare_line_ends (gconstpointer data)
{
  gboolean lmtp = GPOINTER_TO_INT (data);
  FakeMta *mta = fake_mta_new (lmtp);
  g_autoptr(PosteDelivery) delivery = relay_new (mta);
  const char message[] = "Subject: bare\r\n\r\none\rtwo\nthree\r\n.four\n\r\nfive\r";
  const char relayed[] = "Subject: bare\r\n\r\none\r\ntwo\r\nthree\r\n..four\r\n\r\nfive\r\n";
  const char *recipients[] = { "a@fake.test", NULL };

  for (gsize chunk = 1; chunk <= 64; chunk *= 4)
    {
      g_autoptr(PosteReply) reply = deliver_chunked (delivery, "s@p.test", recipients, message,
                                                     strlen (message), chunk);

      g_assert_cmpuint (reply->code, ==, 250);
      g_mutex_lock (&mta->lock);
      g_assert_cmpmem (mta->data->data, mta->data->len, relayed, strlen (relayed));
      g_mutex_unlock (&mta->lock);
    }
  g_clear_object (&delivery);
  fake_mta_free (mta);
}

static void
test_421_and_reconnect (void)
{
  FakeMta *mta = fake_mta_new (FALSE);
  g_autoptr(PosteDelivery) delivery = relay_new (mta);

  {
    g_autoptr(PosteEnvelope) envelope = poste_envelope_new ("bye@p.test");
    g_autoptr(PosteReply) reply = poste_delivery_begin (delivery, envelope, NULL);

    /* Never the 421 itself: that would tell the provider we hang up. */
    g_assert_cmpuint (reply->code, ==, 451);
    g_assert_cmpstr (reply->enhanced, ==, "4.4.2");
    g_assert_false (poste_smtp_delivery_is_connected (POSTE_SMTP_DELIVERY (delivery)));
  }
  {
    g_autoptr(PosteEnvelope) envelope = poste_envelope_new ("drop@p.test");
    g_autoptr(PosteReply) reply = poste_delivery_begin (delivery, envelope, NULL);

    g_assert_cmpuint (reply->code, ==, 451);
    g_assert_cmpstr (reply->enhanced, ==, "4.4.2");
  }
  {
    g_autoptr(PosteReply) reply = deliver (delivery, "s@p.test", "a@fake.test", "x\r\n");

    g_assert_cmpuint (reply->code, ==, 250);
  }
  g_assert_cmpuint (mta->connections, ==, 3);
  g_clear_object (&delivery);
  fake_mta_free (mta);
}

static void
test_replies_pass_through (void)
{
  FakeMta *mta = fake_mta_new (FALSE);
  g_autoptr(PosteDelivery) delivery = relay_new (mta);
  g_autoptr(PosteEnvelope) envelope = poste_envelope_new ("s@p.test");
  g_autoptr(PosteReply) begin = poste_delivery_begin (delivery, envelope, NULL);
  g_autoptr(PosteReply) refused = NULL;
  g_autoptr(PosteReply) later = NULL;
  g_autoptr(PosteReply) nodata = NULL;
  g_autoptr(PosteReply) commit = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (begin->code, ==, 250);
  refused = poste_delivery_add_recipient (delivery, envelope, "refuse@fake.test", NULL);
  g_assert_cmpuint (refused->code, ==, 550);
  g_assert_cmpstr (refused->enhanced, ==, "5.1.1");
  g_assert_cmpstr (refused->lines[0], ==, "No such user here");
  later = poste_delivery_add_recipient (delivery, envelope, "later@fake.test", NULL);
  g_assert_cmpuint (later->code, ==, 450);
  nodata = poste_delivery_add_recipient (delivery, envelope, "nodata@fake.test", NULL);
  g_assert_cmpuint (nodata->code, ==, 250);
  g_assert_false (poste_delivery_write (delivery, (const guint8 *) "x\r\n", 3, NULL, &error));
  g_assert_error (error, POSTE_DELIVERY_ERROR, POSTE_DELIVERY_ERROR_PERMANENT);
  poste_delivery_abort (delivery);

  /* Unsafe addresses never reach the wire. */
  {
    g_autoptr(PosteEnvelope) e = poste_envelope_new ("a>b@p.test");
    g_autoptr(PosteReply) r = poste_delivery_begin (delivery, e, NULL);

    g_assert_cmpuint (r->code, ==, 553);
  }
  {
    g_autoptr(PosteReply) r = poste_delivery_begin (delivery, envelope, NULL);
    g_autoptr(PosteReply) bad = poste_delivery_add_recipient (delivery, envelope,
                                                              "x\r\nRSET@p", NULL);

    g_assert_cmpuint (r->code, ==, 250);
    g_assert_cmpuint (bad->code, ==, 553);
  }
  commit = poste_delivery_commit (delivery, NULL);
  g_assert_cmpuint (commit->code / 100, ==, 5);
  g_clear_object (&delivery);
  fake_mta_free (mta);
}

static void
test_abort_during_data (void)
{
  FakeMta *mta = fake_mta_new (FALSE);
  g_autoptr(PosteDelivery) delivery = relay_new (mta);
  g_autoptr(PosteEnvelope) envelope = poste_envelope_new ("s@p.test");
  g_autoptr(PosteReply) begin = poste_delivery_begin (delivery, envelope, NULL);
  g_autoptr(PosteReply) rcpt = poste_delivery_add_recipient (delivery, envelope, "a@f.test", NULL);

  g_assert_cmpuint (begin->code, ==, 250);
  g_assert_cmpuint (rcpt->code, ==, 250);
  g_assert_true (poste_delivery_write (delivery, (const guint8 *) "Subject: half\r\n", 15, NULL,
                                       NULL));
  poste_delivery_abort (delivery);
  g_assert_false (poste_smtp_delivery_is_connected (POSTE_SMTP_DELIVERY (delivery)));
  {
    g_autoptr(PosteReply) reply = deliver (delivery, "s@p.test", "a@fake.test", "whole\r\n");

    g_assert_cmpuint (reply->code, ==, 250);
  }
  g_mutex_lock (&mta->lock);
  g_assert_cmpuint (mta->unfinished, ==, 1);
  g_assert_cmpmem (mta->data->data, mta->data->len, "whole\r\n", 7);
  g_mutex_unlock (&mta->lock);
  g_clear_object (&delivery);
  fake_mta_free (mta);
}

static void
test_lmtp_one_recipient (void)
{
  FakeMta *mta = fake_mta_new (TRUE);
  g_autoptr(PosteDelivery) delivery = relay_new (mta);
  g_autoptr(PosteEnvelope) envelope = poste_envelope_new ("s@p.test");
  g_autoptr(PosteReply) begin = poste_delivery_begin (delivery, envelope, NULL);
  g_autoptr(PosteReply) first = poste_delivery_add_recipient (delivery, envelope, "a@f.test", NULL);
  g_autoptr(PosteReply) second = NULL;
  g_autoptr(PosteReply) commit = NULL;

  g_assert_cmpuint (begin->code, ==, 250);
  g_assert_cmpuint (first->code, ==, 250);
  g_ptr_array_add (envelope->recipients, g_strdup ("a@f.test"));
  second = poste_delivery_add_recipient (delivery, envelope, "b@f.test", NULL);
  g_assert_cmpuint (second->code, ==, 452);
  g_assert_cmpstr (second->enhanced, ==, "4.5.3");
  g_assert_true (poste_delivery_write (delivery, (const guint8 *) "x\r\n", 3, NULL, NULL));
  commit = poste_delivery_commit (delivery, NULL);
  g_assert_cmpuint (commit->code, ==, 250);
  g_assert_true (fake_mta_saw (mta, "RCPT TO:<a@f.test>"));
  g_assert_false (fake_mta_saw (mta, "RCPT TO:<b@f.test>"));
  g_mutex_lock (&mta->lock);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (mta->commands, 0), "LHLO "));
  g_mutex_unlock (&mta->lock);
  g_clear_object (&delivery);
  fake_mta_free (mta);
}

int
main (int   argc,
      char *argv[])
{
  poste_test_init (&argc, &argv);

  g_test_add_func ("/delivery/smtp/dot-stuffing", test_dot_stuffing);
  g_test_add_data_func ("/delivery/smtp/bare-line-ends", GINT_TO_POINTER (FALSE),
                        test_bare_line_ends);
  g_test_add_data_func ("/delivery/lmtp/bare-line-ends", GINT_TO_POINTER (TRUE),
                        test_bare_line_ends);
  g_test_add_func ("/delivery/smtp/421-and-reconnect", test_421_and_reconnect);
  g_test_add_func ("/delivery/smtp/replies-pass-through", test_replies_pass_through);
  g_test_add_func ("/delivery/smtp/abort-during-data", test_abort_during_data);
  g_test_add_func ("/delivery/lmtp/one-recipient", test_lmtp_one_recipient);

  return g_test_run ();
}
