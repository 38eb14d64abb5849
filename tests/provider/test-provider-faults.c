/* test-provider-faults.c: the faults the test provider plays on demand: connections
 * dropped at each stage, faulty replies and content, silence, huge messages, over-long commands
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "test-provider.h"

/* drop=after-250: the customer said 250 but the provider never recorded it: the duplicate case. */
void
test_drop_after_250 (void)
{
  g_autoptr(PosteTestProvider) p = provider_new ("drop=after-250");
  g_autoptr(GPtrArray) accepted = NULL;
  Customer k;

  customer_init (&k);
  poste_test_provider_add_message (p, "s@example.net", org_rcpt, "Subject: x\n\nx\n", -1);
  fetch (p, &k);
  g_assert_true (k.closed_early);
  g_assert_cmpuint (k.messages->len, ==, 1);
  g_assert_cmpuint (poste_test_provider_count_spooled (p), ==, 1);
  accepted = poste_test_provider_dup_accepted (p);
  g_assert_cmpuint (accepted->len, ==, 0);
  customer_clear (&k);

  /* The next session delivers it again: the customer now holds it twice. */
  g_assert_true (poste_test_provider_set_faults (p, NULL, NULL));
  customer_init (&k);
  {
    g_autoptr(Client) c = client_connect (poste_test_provider_get_port (p));
    g_autoptr(PosteReply) greeting = client_expect (c, 220);

    g_assert_nonnull (greeting->lines[0]);
    client_fetch (c, &k);
  }
  g_assert_true (poste_test_provider_wait_sessions (p, 2, TIMEOUT));
  g_assert_false (k.closed_early);
  g_assert_cmpuint (k.messages->len, ==, 1);
  g_assert_cmpuint (poste_test_provider_count_spooled (p), ==, 0);
  g_clear_pointer (&accepted, g_ptr_array_unref);
  accepted = poste_test_provider_dup_accepted (p);
  g_assert_cmpuint (accepted->len, ==, 1);
  customer_clear (&k);
}

/* drop-in-data=N: exactly N bytes of content, then the connection closes. */
void
test_drop_in_data (void)
{
  g_autoptr(PosteTestProvider) p = provider_new ("drop-in-data=24");
  Customer k;

  customer_init (&k);
  poste_test_provider_add_message (p, "s@example.net", org_rcpt,
                                   "Subject: x\n\n0123456789\n0123456789\n0123456789\n", -1);
  fetch (p, &k);
  g_assert_true (k.closed_early);
  g_assert_cmpuint (k.messages->len, ==, 0);
  /* 24 bytes = "Subject: x\r\n\r\n" (14) + "0123456789" (10), the last without its line end:
   * the fake customer counts complete lines only. */
  g_assert_cmpuint (k.partial, ==, 14);
  g_assert_cmpuint (poste_test_provider_count_spooled (p), ==, 1);
  customer_clear (&k);
}

/* drop=STAGE in the client phase: the connection closes with no reply. */
void
test_drop_stages (void)
{
  const char *stages[] = { "greeting", "ehlo", "auth", "atrn" };

  for (guint i = 0; i < G_N_ELEMENTS (stages); i++)
    {
      g_autofree char *faults = g_strdup_printf ("drop=%s", stages[i]);
      g_autoptr(PosteTestProvider) p = provider_new (faults);
      g_autoptr(GError) error = NULL;
      g_autoptr(Client) c = NULL;
      g_autoptr(PosteReply) reply = NULL;
      guint16 port = poste_test_provider_start (p, &error);

      g_assert_no_error (error);
      poste_test_provider_add_message (p, "s@example.net", org_rcpt, "Subject: x\n\nx\n", -1);
      c = client_connect (port);
      if (i > 0)
        {
          g_clear_pointer (&reply, poste_reply_free);
          reply = client_expect (c, 220);
          client_send (c, "EHLO customer.test");
        }
      if (i > 1)
        {
          g_clear_pointer (&reply, poste_reply_free);
          reply = client_expect (c, 250);
          if (i == 2)
            client_send (c, "AUTH CRAM-MD5");
          else
            {
              auth_cram (c);
              client_send (c, "ATRN");
            }
        }
      g_clear_pointer (&reply, poste_reply_free);
      reply = poste_reply_read (c->conn, NULL, &error);
      g_assert_null (reply);
      g_assert_error (error, POSTE_PROTOCOL_ERROR, POSTE_PROTOCOL_ERROR_CLOSED);
      g_assert_cmpuint (poste_test_provider_count_spooled (p), ==, 1);
    }
}

/* Faults in the content: a NUL, a bare LF, an over-long line reach the customer as sent. */
void
test_content_faults (void)
{
  g_autoptr(PosteTestProvider) p = provider_new ("nul long-line=1200 bare-lf");
  Customer k;
  gsize length;
  const char *data;

  customer_init (&k);
  poste_test_provider_add_message (p, "s@example.net", org_rcpt, "Subject: x\n\nx\n", -1);
  fetch (p, &k);
  g_assert_cmpuint (k.messages->len, ==, 1);
  data = g_bytes_get_data (g_ptr_array_index (k.messages, 0), &length);
  /* The fake customer's lines are C strings: the NUL cuts "X-NUL: a" short. */
  g_assert_true (g_str_has_prefix (data, "X-Bare-LF: yes\r\nX-NUL: a\r\nX-Long: xxx"));
  g_assert_nonnull (g_strstr_len (data, length, "xxx\r\nSubject: x\r\n"));
  g_assert_cmpuint (length, ==, 16 + 10 + 1200 + 2 + 17);
  g_assert_cmpuint (k.bare_lf_lines, ==, 1);
  customer_clear (&k);
}

/* Faulty EHLO replies: what a strict reply reader must refuse. */
void
test_reply_faults (void)
{
  struct { const char *faults; int code; } cases[] = {
    { "reply-long-line", POSTE_PROTOCOL_ERROR_LINE_TOO_LONG },
    { "reply-code-change", POSTE_PROTOCOL_ERROR_MALFORMED },
    { "reply-endless-multiline", POSTE_PROTOCOL_ERROR_TOO_MANY_LINES },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(PosteTestProvider) p = provider_new (cases[i].faults);
      g_autoptr(Client) c = start_and_connect (p);
      g_autoptr(GError) error = NULL;
      g_autoptr(PosteReply) reply = NULL;

      client_send (c, "EHLO customer.test");
      reply = poste_reply_read (c->conn, NULL, &error);
      g_assert_null (reply);
      g_assert_error (error, POSTE_PROTOCOL_ERROR, cases[i].code);
    }
}

void
test_junk_334 (void)
{
  g_autoptr(PosteTestProvider) p = provider_new ("junk-334");
  g_autoptr(Client) c = start_and_connect (p);
  g_autoptr(PosteReply) reply = NULL;

  client_command (c, "EHLO customer.test", 250);
  client_send (c, "AUTH CRAM-MD5");
  reply = client_expect (c, 334);
  g_assert_cmpstr (reply->lines[0], ==, "!!junk&&");
  client_command (c, "*", 501);
}

/* silent=ehlo: no reply, the socket stays open until the customer gives up. */
void
test_silent (void)
{
  g_autoptr(PosteTestProvider) p = provider_new ("silent=ehlo");
  g_autoptr(Client) c = start_and_connect (p);
  g_autoptr(GError) error = NULL;
  g_autoptr(PosteReply) reply = NULL;

  poste_connection_set_timeout (c->conn, 1);
  client_send (c, "EHLO customer.test");
  reply = poste_reply_read (c->conn, NULL, &error);
  g_assert_null (reply);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
}

void
test_bad_faults (void)
{
  g_autoptr(PosteTestProvider) p = poste_test_provider_new ();
  const char *bad[] = { "frobnicate", "drop=never", "atrn-reply=99", "drop-in-data=x",
                        "slow-lines=" };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (poste_test_provider_set_faults (p, bad[i], &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    }
  g_assert_true (poste_test_provider_set_faults (p, " drop=after-250  bdat ", NULL));
}

/* drop=STAGE in the reversed state: the message stays in the spool, nothing is accepted. */
void
test_drop_reversed (void)
{
  const char *stages[] = { "our-220", "mail", "rcpt", "data" };

  for (guint i = 0; i < G_N_ELEMENTS (stages); i++)
    {
      g_autofree char *faults = g_strdup_printf ("drop=%s", stages[i]);
      g_autoptr(PosteTestProvider) p = provider_new (faults);
      g_autoptr(GPtrArray) accepted = NULL;
      g_autofree char *transcript = NULL;
      Customer k;

      customer_init (&k);
      poste_test_provider_add_message (p, "s@example.net", org_rcpt, "Subject: x\n\nx\n", -1);
      fetch (p, &k);
      g_assert_true (k.closed_early);
      g_assert_cmpuint (k.messages->len, ==, 0);
      g_assert_cmpuint (poste_test_provider_count_spooled (p), ==, 1);
      accepted = poste_test_provider_dup_accepted (p);
      g_assert_cmpuint (accepted->len, ==, 0);
      transcript = poste_test_provider_dup_transcript (p);
      g_assert_nonnull (strstr (transcript, "[drop]"));
      customer_clear (&k);
    }
}

/* huge=BYTES: filler lines after the message, streamed. */
void
test_huge (void)
{
  g_autoptr(PosteTestProvider) p = provider_new ("huge=1000000");
  Customer k;
  gsize length;
  const char *data;

  customer_init (&k);
  poste_test_provider_add_message (p, "s@example.net", org_rcpt, "Subject: big\n\n", -1);
  fetch (p, &k);
  g_assert_cmpuint (k.messages->len, ==, 1);
  data = g_bytes_get_data (g_ptr_array_index (k.messages, 0), &length);
  /* 1000000 / 76 rounded up = 13158 lines of 76 bytes. */
  g_assert_cmpuint (length, ==, 16 + 13158 * 76);
  g_assert_true (g_str_has_prefix (data, "Subject: big\r\n\r\nFiller filler"));
  g_assert_cmpmem (data + length - 6, 6, "fill\r\n", 6);
  customer_clear (&k);
}

/* A command line over the RFC 4954 bound: 500, then the provider hangs up. */
void
test_long_command (void)
{
  g_autoptr(PosteTestProvider) p = provider_new (NULL);
  g_autoptr(Client) c = start_and_connect (p);
  g_autofree char *line = g_strnfill (20000, 'A');
  g_autoptr(PosteReply) reply = NULL;
  g_autoptr(GError) error = NULL;

  client_send (c, line);
  reply = client_expect (c, 500);
  g_clear_pointer (&reply, poste_reply_free);
  reply = poste_reply_read (c->conn, NULL, &error);
  g_assert_null (reply);
  g_assert_nonnull (error);
}
