/* test-server.c: the reversed state (we are the SMTP server) driven by scripted dialogues
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * In the manner of OpenSMTPD's smtpscript: each case is a short script of lines the provider
 * sends and replies we must give. poste_server_run() runs in a thread on one end of a socket
 * pair; the test plays the provider on the other end with PosteConnection. This reaches what the
 * test provider never sends: recipients outside the requested domains, HELO, bad sequences,
 * pipelined batches, the recipient limit, BDAT errors, bad command lines.
 */
#include "config.h"

#include <string.h>
#include <sys/socket.h>

#include "poste.h"
#include "poste-server.h"
#include "poste-channel.h"
#include "poste-test.h"
#include "test-memory-delivery.h"

#define TIMEOUT 15

typedef struct {
  PosteChannel      *channel;
  PosteServerConfig  config;
  TestDelivery      *delivery;
  GSocketConnection *ours;
  GSocketConnection *theirs;
  PosteConnection   *peer;
  GThread           *thread;
  gboolean           ok;
  GError            *error;
} Harness;

static gpointer
server_thread (gpointer data)
{
  Harness *h = data;

  h->ok = poste_server_run (h->channel, &h->config, NULL, &h->error);
  poste_connection_close (h->channel->connection, NULL, NULL);
  return NULL;
}

static void
harness_setup (Harness    *h,
               void      (*configure) (Harness *h))
{
  static const char *const domains[] = { "example.org", "bücher.example", NULL };
  int fds[2];

  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM, 0, fds), ==, 0);
  h->ours = poste_test_socket_connection_new (fds[0]);
  h->theirs = poste_test_socket_connection_new (fds[1]);

  h->delivery = test_delivery_new ();
  h->channel = poste_channel_new (TIMEOUT);
  h->channel->connection = poste_connection_new (G_IO_STREAM (h->ours));
  poste_connection_set_timeout (h->channel->connection, TIMEOUT);
  h->config.delivery = POSTE_DELIVERY (h->delivery);
  h->config.local_name = "customer.example";
  h->config.provider_host = "odmr.provider.example";
  h->config.domains = domains;
  h->config.max_recipients = 100;
  if (configure != NULL)
    configure (h);

  h->peer = poste_connection_new (G_IO_STREAM (h->theirs));
  poste_connection_set_timeout (h->peer, TIMEOUT);
  h->thread = g_thread_new ("server", server_thread, h);
}

/* Waits for the server to end; returns whether it ended well. */
static gboolean
harness_finish (Harness *h)
{
  g_thread_join (h->thread);
  h->thread = NULL;
  return h->ok;
}

static void
harness_teardown (Harness *h)
{
  if (h->thread != NULL)
    {
      poste_connection_close (h->peer, NULL, NULL);
      g_thread_join (h->thread);
    }
  g_clear_error (&h->error);
  poste_connection_unref (h->peer);
  poste_channel_free (h->channel);
  g_object_unref (h->ours);
  g_object_unref (h->theirs);
  g_object_unref (h->delivery);
}

static void
send_raw (Harness    *h,
          const char *bytes,
          gssize      length)
{
  g_autoptr(GError) error = NULL;

  if (length < 0)
    length = strlen (bytes);
  g_assert_true (poste_connection_write (h->peer, bytes, length, NULL, &error));
  g_assert_true (poste_connection_flush (h->peer, NULL, &error));
  g_assert_no_error (error);
}

/* Reads one reply and checks that it starts (code, enhanced code, text) with @expected. */
static PosteReply *
expect_reply (Harness    *h,
              const char *expected)
{
  g_autoptr(GError) error = NULL;
  PosteReply *reply = poste_reply_read (h->peer, NULL, &error);
  g_autofree char *text = NULL;

  g_assert_no_error (error);
  text = poste_reply_to_string (reply);
  if (!g_str_has_prefix (text, expected))
    g_error ("expected a reply starting “%s”, got “%s”", expected, text);
  return reply;
}

static void
expect (Harness    *h,
        const char *expected)
{
  g_autoptr(PosteReply) reply = expect_reply (h, expected);

  g_assert_nonnull (reply);
}

static void
say (Harness    *h,
     const char *line,
     const char *expected)
{
  g_autofree char *with_crlf = g_strconcat (line, "\r\n", NULL);

  send_raw (h, with_crlf, -1);
  expect (h, expected);
}

/* The common opening of a transaction: MAIL FROM:<a@b.example> and one accepted RCPT TO. */
static void
open_transaction (Harness    *h,
                  const char *recipient)
{
  g_autofree char *rcpt = g_strdup_printf ("RCPT TO:<%s>", recipient);

  say (h, "MAIL FROM:<a@b.example>", "250 ");
  say (h, rcpt, "250 ");
}

static void
greet (Harness *h)
{
  g_autoptr(PosteReply) ehlo = NULL;

  expect (h, "220 customer.example ");
  send_raw (h, "EHLO odmr.provider.example\r\n", -1);
  ehlo = expect_reply (h, "250-customer.example");
  g_assert_true (poste_reply_has_keyword (ehlo, "PIPELINING", NULL));
  g_assert_true (poste_reply_has_keyword (ehlo, "ENHANCEDSTATUSCODES", NULL));
  g_assert_true (poste_reply_has_keyword (ehlo, "CHUNKING", NULL));
  g_assert_true (poste_reply_has_keyword (ehlo, "SIZE", NULL));
}

/* A harness whose provider said EHLO and got our reply: where most scripts start. */
static void
harness_greeted (Harness  *h,
                 void    (*configure) (Harness *h))
{
  harness_setup (h, configure);
  greet (h);
}

static const char *
message_text (Harness *h,
              guint    index,
              gsize   *length)
{
  g_assert_cmpuint (index, <, h->delivery->messages->len);
  return g_bytes_get_data (h->delivery->messages->pdata[index], length);
}

/* The content after our Received: header. */
static const char *
after_received (const char *text)
{
  const char *p = text;

  g_assert_true (g_str_has_prefix (text, "Received: from "));
  do
    {
      p = strstr (p, "\r\n");
      g_assert_nonnull (p);
      p += 2;
    }
  while (*p == '\t');
  return p;
}

static void
test_basic (void)
{
  Harness h = { 0, };
  gsize n;
  const char *text;
  g_autofree char *copy = NULL;

  harness_greeted (&h, NULL);
  say (&h, "MAIL FROM:<sender@far.example> SIZE=100 BODY=8BITMIME", "250 2.1.0");
  say (&h, "RCPT TO:<someone@other.example>", "550 5.7.1");
  /* RFC 5321 section 4.5.1: postmaster without a domain is always taken. */
  say (&h, "RCPT TO:<postmaster>", "250 2.1.5");
  say (&h, "RCPT TO:<someone@EXAMPLE.org>", "250 2.1.5");
  say (&h, "RCPT TO:<x@xn--bcher-kva.example>", "250 2.1.5");
  say (&h, "DATA", "354 ");
  send_raw (&h, "Subject: hi\r\n\r\n..dotted\r\nbody\r\n.\r\n", -1);
  expect (&h, "250 2.0.0");
  say (&h, "QUIT", "221 2.0.0");
  g_assert_true (harness_finish (&h));
  g_assert_no_error (h.error);

  g_assert_cmpuint (h.channel->messages, ==, 1);
  g_assert_cmpuint (h.channel->bytes, ==, strlen ("Subject: hi\r\n\r\n.dotted\r\nbody\r\n"));
  text = message_text (&h, 0, &n);
  copy = g_strndup (text, n);
  g_assert_cmpstr (after_received (copy), ==, "Subject: hi\r\n\r\n.dotted\r\nbody\r\n");
  g_assert_nonnull (strstr (copy, "from odmr.provider.example (odmr.provider.example)\r\n"));
  g_assert_nonnull (strstr (copy, "by customer.example (Poste Restante) with ESMTP id "));
  /* Several recipients: no "for" clause. */
  g_assert_null (strstr (copy, "\tfor <"));
  g_assert_cmpstr (h.delivery->recipients->pdata[0], ==,
                   "postmaster,someone@EXAMPLE.org,x@xn--bcher-kva.example");
  g_assert_cmpstr (h.delivery->senders->pdata[0], ==, "sender@far.example");
  harness_teardown (&h);
}

static void
test_pipelined (void)
{
  Harness h = { 0, };
  gsize n;
  const char *text;
  g_autofree char *copy = NULL;

  harness_greeted (&h, NULL);
  /* One write: the replies come back in order (RFC 2920), the content follows the 354. */
  send_raw (&h, "MAIL FROM:<>\r\nRCPT TO:<a@example.org>\r\nDATA\r\n", -1);
  expect (&h, "250 ");
  expect (&h, "250 ");
  expect (&h, "354 ");
  /* The end of DATA and the next commands in one write too. */
  send_raw (&h, "x\r\n.\r\nNOOP\r\nQUIT\r\n", -1);
  expect (&h, "250 2.0.0 Stored");
  expect (&h, "250 2.0.0 OK");
  expect (&h, "221 ");
  g_assert_true (harness_finish (&h));
  text = message_text (&h, 0, &n);
  copy = g_strndup (text, n);
  g_assert_cmpstr (after_received (copy), ==, "x\r\n");
  /* One recipient: named in Received:. */
  g_assert_nonnull (strstr (copy, "\tfor <a@example.org>;"));
  g_assert_cmpstr (h.delivery->senders->pdata[0], ==, "");
  harness_teardown (&h);
}

static void
test_helo (void)
{
  Harness h = { 0, };
  const char *text;
  gsize n;
  g_autofree char *copy = NULL;

  harness_setup (&h, NULL);
  expect (&h, "220 ");
  say (&h, "HELO odmr.provider.example", "250 customer.example");
  /* No enhanced status codes for a HELO client (RFC 2034). */
  say (&h, "MAIL FROM:<a@b.example>", "250 Sender OK");
  say (&h, "RCPT TO:<x@example.org>", "250 Recipient OK");
  say (&h, "DATA", "354 ");
  send_raw (&h, "hello\r\n.\r\n", -1);
  expect (&h, "250 Stored");
  say (&h, "MAIL FROM:<a@b.example> BODY=8BITMIME SIZE=5", "250 ");
  say (&h, "RSET", "250 OK");
  say (&h, "QUIT", "221 ");
  g_assert_true (harness_finish (&h));
  text = message_text (&h, 0, &n);
  copy = g_strndup (text, n);
  g_assert_nonnull (strstr (copy, " with SMTP id "));
  harness_teardown (&h);
}

static void
test_sequence_errors (void)
{
  Harness h = { 0, };

  harness_setup (&h, NULL);
  expect (&h, "220 ");
  say (&h, "MAIL FROM:<a@b.example>", "503 ");
  say (&h, "EHLO", "501 ");
  say (&h, "EHLO provider", "250-");
  say (&h, "RCPT TO:<x@example.org>", "503 5.5.1");
  say (&h, "DATA", "503 5.5.1");
  say (&h, "MAIL FROM:a@b.example", "501 5.5.4");
  say (&h, "MAIL FROM:<a@b.example> RET=FULL", "555 5.5.4");
  say (&h, "MAIL FROM:<a@b.example>", "250 ");
  say (&h, "MAIL FROM:<a@b.example>", "503 5.5.1");
  say (&h, "DATA", "554 5.5.1");
  say (&h, "RCPT TO:<x@example.org> NOTIFY=NEVER", "555 5.5.4");
  say (&h, "RCPT TO:<>", "501 5.5.4");
  say (&h, "VRFY someone", "252 2.5.2");
  say (&h, "NOOP", "250 2.0.0");
  say (&h, "HELP", "214 ");
  say (&h, "STARTTLS", "502 5.5.1");
  say (&h, "AUTH PLAIN", "502 5.5.1");
  say (&h, "WHAT", "500 5.5.1");
  say (&h, "RSET", "250 2.0.0");
  say (&h, "RCPT TO:<x@example.org>", "503 5.5.1");
  say (&h, "QUIT", "221 ");
  g_assert_true (harness_finish (&h));
  g_assert_cmpuint (h.delivery->messages->len, ==, 0);
  harness_teardown (&h);
}

static void
test_bad_lines (void)
{
  Harness h = { 0, };

  harness_greeted (&h, NULL);
  send_raw (&h, "NOOP\n", -1);
  expect (&h, "500 5.5.2");
  send_raw (&h, "NO\rOP\r\n", -1);
  expect (&h, "500 5.5.2");
  send_raw (&h, "NO\0OP\r\n", 7);
  expect (&h, "500 5.5.2");
  say (&h, "QUIT", "221 ");
  g_assert_true (harness_finish (&h));
  harness_teardown (&h);
}

static void
test_too_many_errors (void)
{
  Harness h = { 0, };

  harness_greeted (&h, NULL);
  for (guint i = 0; i < POSTE_SERVER_MAX_ERRORS; i++)
    say (&h, "BOGUS", "500 ");
  expect (&h, "421 4.7.0");
  g_assert_false (harness_finish (&h));
  g_assert_error (h.error, POSTE_PROTOCOL_ERROR, POSTE_PROTOCOL_ERROR_MALFORMED);
  harness_teardown (&h);
}

static void
three_recipients (Harness *h)
{
  h->config.max_recipients = 3;
  h->config.max_message_size = 1000;
  h->delivery->flags = POSTE_DELIVERY_FLAGS_NONE;
}

static void
test_limits (void)
{
  Harness h = { 0, };
  g_autoptr(PosteReply) ehlo = NULL;
  const char *size = NULL;
  g_autoptr(GString) big = g_string_new (NULL);

  harness_setup (&h, three_recipients);
  expect (&h, "220 ");
  send_raw (&h, "EHLO p\r\n", -1);
  ehlo = expect_reply (&h, "250-");
  g_assert_true (poste_reply_has_keyword (ehlo, "SIZE", &size));
  g_assert_cmpstr (size, ==, "1000");
  /* The target takes neither 8BITMIME nor SMTPUTF8: not advertised, refused. */
  g_assert_false (poste_reply_has_keyword (ehlo, "8BITMIME", NULL));
  g_assert_false (poste_reply_has_keyword (ehlo, "SMTPUTF8", NULL));
  say (&h, "MAIL FROM:<a@b.example> BODY=8BITMIME", "555 ");
  say (&h, "MAIL FROM:<a@b.example> SMTPUTF8", "555 ");
  say (&h, "MAIL FROM:<ü@b.example>", "553 5.6.7");
  say (&h, "MAIL FROM:<a@b.example> SIZE=1001", "552 5.3.4");
  say (&h, "MAIL FROM:<a@b.example> SIZE=1000", "250 ");
  say (&h, "RCPT TO:<1@example.org>", "250 ");
  say (&h, "RCPT TO:<2@example.org>", "250 ");
  say (&h, "RCPT TO:<3@example.org>", "250 ");
  say (&h, "RCPT TO:<4@example.org>", "452 4.5.3");
  say (&h, "DATA", "354 ");
  /* Content over the limit despite SIZE=: read to the end, refused with 552. */
  while (big->len < 2000)
    g_string_append (big, "0123456789\r\n");
  g_string_append (big, ".\r\n");
  send_raw (&h, big->str, big->len);
  expect (&h, "552 5.3.4");
  say (&h, "QUIT", "221 ");
  g_assert_true (harness_finish (&h));
  g_assert_cmpuint (h.delivery->messages->len, ==, 0);
  g_assert_cmpuint (h.delivery->aborts, ==, 1);
  /* Every 5xx to MAIL returns that message to its sender as surely as the 552 at its end: four
   * refused at MAIL, one at the end of its content. */
  g_assert_cmpuint (h.channel->refused, ==, 5);
  g_assert_cmpuint (h.channel->deferred, ==, 0);
  harness_teardown (&h);
}

static void
one_recipient_target (Harness *h)
{
  h->delivery->max_recipients = 1;
}

static void
test_lmtp_like (void)
{
  Harness h = { 0, };

  harness_greeted (&h, one_recipient_target);
  open_transaction (&h, "1@example.org");
  say (&h, "RCPT TO:<2@example.org>", "452 4.5.3");
  say (&h, "QUIT", "221 ");
  g_assert_true (harness_finish (&h));
  harness_teardown (&h);
}

static void
test_bare_lf_policy (void)
{
  Harness h = { 0, };

  harness_greeted (&h, NULL);
  open_transaction (&h, "x@example.org");
  say (&h, "DATA", "354 ");
  /* "\n.\r\n" and "\r\n.\n" are not ends: reading goes on to the real one, then 550. */
  send_raw (&h, "one\n.\r\ntwo\r\n.\nthree\r\n.\r\n", -1);
  expect (&h, "550 5.6.0");
  say (&h, "NOOP", "250 ");
  say (&h, "QUIT", "221 ");
  g_assert_true (harness_finish (&h));
  g_assert_cmpuint (h.delivery->messages->len, ==, 0);
  g_assert_cmpuint (h.delivery->aborts, ==, 1);
  g_assert_cmpuint (h.channel->refused, ==, 1);
  harness_teardown (&h);
}

static void
test_bdat (void)
{
  Harness h = { 0, };
  const char *text;
  gsize n;
  g_autofree char *copy = NULL;

  harness_greeted (&h, NULL);
  /* BDAT without a transaction: the chunk is read and dropped, the stream stays in step. */
  send_raw (&h, "BDAT 5\r\nhello", -1);
  expect (&h, "503 5.5.1");
  open_transaction (&h, "x@example.org");
  send_raw (&h, "BDAT 9\r\nline\r\n.\r\n", -1);
  expect (&h, "250 2.0.0 9 octets");
  say (&h, "DATA", "503 5.5.1");
  /* BDAT counts octets: a CR at the very end (or any bare CR or LF) is stored as sent. */
  send_raw (&h, "BDAT 4 LAST\r\nend\r", -1);
  expect (&h, "250 2.0.0 Stored");
  open_transaction (&h, "x@example.org");
  send_raw (&h, "BDAT 6\r\nline\r\nBDAT 0 LAST\r\n", -1);
  expect (&h, "250 2.0.0 6 octets");
  expect (&h, "250 2.0.0 Stored");
  say (&h, "BDAT x", "501 5.5.4");
  g_assert_false (harness_finish (&h));
  g_assert_error (h.error, POSTE_PROTOCOL_ERROR, POSTE_PROTOCOL_ERROR_MALFORMED);
  g_assert_cmpuint (h.delivery->messages->len, ==, 2);
  g_assert_cmpuint (h.channel->refused, ==, 0);
  text = message_text (&h, 0, &n);
  copy = g_strndup (text, n);
  g_assert_cmpstr (after_received (copy), ==, "line\r\n.\r\nend\r");
  g_clear_pointer (&copy, g_free);
  text = message_text (&h, 1, &n);
  copy = g_strndup (text, n);
  g_assert_cmpstr (after_received (copy), ==, "line\r\n");
  harness_teardown (&h);
}

/* A BDAT message: bare LF and bare CR stored as sent, a NUL refused; a stray line end after the
 * LAST chunk gets 500 without ending the session; DATA stays strict. */
static void
test_bdat_line_ends (void)
{
  Harness h = { 0, };
  const char *text;
  gsize n;
  g_autofree char *copy = NULL;

  harness_greeted (&h, NULL);
  open_transaction (&h, "x@example.org");
  send_raw (&h, "BDAT 17 LAST\r\none\ntwo\rthree\r\n.\n\n", -1);
  expect (&h, "250 2.0.0 Stored");
  /* The LF the provider did not count: a stray line. */
  expect (&h, "500 5.5.2 Stray line end");
  say (&h, "NOOP", "250 ");
  open_transaction (&h, "x@example.org");
  send_raw (&h, "BDAT 7 LAST\r\na\0b\r\n\r\n", 20);
  expect (&h, "550 5.6.0");
  say (&h, "QUIT", "221 ");
  g_assert_true (harness_finish (&h));
  g_assert_cmpuint (h.delivery->messages->len, ==, 1);
  g_assert_cmpuint (h.channel->refused, ==, 1);
  text = message_text (&h, 0, &n);
  copy = g_strndup (text, n);
  g_assert_cmpstr (after_received (copy), ==, "one\ntwo\rthree\r\n.\n");
  harness_teardown (&h);
}

static void
test_closed (void)
{
  Harness h = { 0, };

  harness_greeted (&h, NULL);
  open_transaction (&h, "x@example.org");
  say (&h, "DATA", "354 ");
  send_raw (&h, "partial message\r\n", -1);
  g_assert_true (poste_connection_close (h.peer, NULL, NULL));
  g_assert_false (harness_finish (&h));
  g_assert_error (h.error, POSTE_PROTOCOL_ERROR, POSTE_PROTOCOL_ERROR_CLOSED);
  g_assert_cmpuint (h.delivery->messages->len, ==, 0);
  g_assert_cmpuint (h.delivery->aborts, ==, 1);
  harness_teardown (&h);
}

static void
test_received_header (void)
{
  g_autoptr(GDateTime) date = g_date_time_new_utc (2026, 11, 29, 15, 4, 5);
  g_autofree char *header = poste_server_received ("evil\r\nX-Injected: yes", "odmr.example",
                                                   "192.0.2.7", "me.example", "ESMTPSA",
                                                   "0123ABCD", "rcpt@example.org", date);

  /* Peer text never breaks the header: CR and LF become '?'. */
  g_assert_null (strstr (header, "\r\nX-Injected"));
  g_assert_true (g_str_has_prefix (header,
                                   "Received: from evil??X-Injected:?yes (odmr.example [192.0.2.7])\r\n"
                                   "\tby me.example (Poste Restante) with ESMTPSA id 0123ABCD\r\n"
                                   "\tfor <rcpt@example.org>;\r\n\t"));
  g_assert_true (g_str_has_suffix (header, "\r\n"));
}

static void
test_long_ehlo (void)
{
  Harness h = { 0, };
  g_autoptr(GString) name = g_string_new ("EHLO ");
  const char *text;
  gsize n;
  g_autofree char *copy = NULL;
  g_auto(GStrv) lines = NULL;

  /* A 1500-octet EHLO argument: our reply stays within 512 octets a line, our header within
   * 998, and the message is delivered. */
  for (guint i = 0; i < 1500; i++)
    g_string_append_c (name, 'a' + i % 26);
  harness_setup (&h, NULL);
  expect (&h, "220 ");
  say (&h, name->str, "250-customer.example greets abcdef");
  open_transaction (&h, "x@example.org");
  say (&h, "DATA", "354 ");
  send_raw (&h, "x\r\n.\r\n", -1);
  expect (&h, "250 ");
  say (&h, "QUIT", "221 ");
  g_assert_true (harness_finish (&h));
  text = message_text (&h, 0, &n);
  copy = g_strndup (text, n);
  lines = g_strsplit (copy, "\r\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    g_assert_cmpuint (strlen (lines[i]), <=, 998);
  harness_teardown (&h);
}

static void
test_transcript_bounded (void)
{
  Harness h = { 0, };
  g_autoptr(GString) batch = g_string_new (NULL);
  g_autoptr(GPtrArray) transcript = NULL;
  const char *last;

  harness_greeted (&h, NULL);
  for (guint i = 0; i < 3000; i++)
    g_string_append (batch, "NOOP\r\n");
  g_string_append (batch, "QUIT\r\n");
  send_raw (&h, batch->str, batch->len);
  for (guint i = 0; i < 3000; i++)
    expect (&h, "250 2.0.0 OK");
  expect (&h, "221 ");
  g_assert_true (harness_finish (&h));

  /* 6,000 and more lines: the first 4,000, a note, the last 1,000 (how it ended). */
  transcript = poste_channel_dup_transcript (h.channel);
  g_assert_cmpuint (transcript->len, ==, POSTE_CHANNEL_TRANSCRIPT_HEAD + 1 +
                                         POSTE_CHANNEL_TRANSCRIPT_TAIL);
  g_assert_true (g_str_has_prefix (transcript->pdata[0], "C: 220 customer.example"));
  g_assert_true (g_str_has_prefix (transcript->pdata[POSTE_CHANNEL_TRANSCRIPT_HEAD], "*  ("));
  g_assert_true (g_str_has_suffix (transcript->pdata[POSTE_CHANNEL_TRANSCRIPT_HEAD],
                                   " lines left out)"));
  last = transcript->pdata[transcript->len - 1];
  g_assert_true (g_str_has_prefix (last, "C: 221 2.0.0"));
  g_assert_cmpstr (transcript->pdata[transcript->len - 2], ==, "S: QUIT");
  harness_teardown (&h);
}

int
main (int   argc,
      char *argv[])
{
  poste_test_init (&argc, &argv);

  g_test_add_func ("/server/basic", test_basic);
  g_test_add_func ("/server/pipelined", test_pipelined);
  g_test_add_func ("/server/helo", test_helo);
  g_test_add_func ("/server/sequence-errors", test_sequence_errors);
  g_test_add_func ("/server/bad-lines", test_bad_lines);
  g_test_add_func ("/server/too-many-errors", test_too_many_errors);
  g_test_add_func ("/server/limits", test_limits);
  g_test_add_func ("/server/lmtp-like", test_lmtp_like);
  g_test_add_func ("/server/bare-lf-policy", test_bare_lf_policy);
  g_test_add_func ("/server/bdat", test_bdat);
  g_test_add_func ("/server/bdat-line-ends", test_bdat_line_ends);
  g_test_add_func ("/server/closed", test_closed);
  g_test_add_func ("/server/received-header", test_received_header);
  g_test_add_func ("/server/long-ehlo", test_long_ehlo);
  g_test_add_func ("/server/transcript-bounded", test_transcript_bounded);

  return g_test_run ();
}
