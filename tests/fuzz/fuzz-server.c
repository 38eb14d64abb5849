/* fuzz-server.c: a libFuzzer target for the reversed state's command parser (poste-server.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The input is everything the provider sends once the roles have turned (RFC 2645 section 4):
 * EHLO or HELO, MAIL FROM with its parameters, RCPT TO, DATA and its content, BDAT chunks, RSET,
 * anything at all. poste_server_run() reads it from one end of a socket pair, exactly as in a
 * session (the command-line parser, the path parser, the parameter checks, the DATA and BDAT
 * decoder and the transaction states are reached together: in poste-server.c they are one
 * dispatcher over the Server state, not a separate pure function), and delivers into the
 * in-memory target of tests/protocol.
 *
 * Properties checked on any input:
 *  - the server ends (the provider's end of input closes the connection), without a crash, a
 *    leak or undefined behaviour;
 *  - everything we answered is a sequence of well-formed SMTP replies (poste_reply_parse()
 *    takes each of them), never more replies than the provider sent lines (an unfinished or
 *    over-long line counting as one for each POSTE_SERVER_MAX_COMMAND octets) plus our 220 and
 *    a last 421;
 *  - every message the target took was accepted by a 250 to the end of its DATA or its last
 *    BDAT chunk, and holds no bare CR, bare LF or NUL (the policy: such a message is refused);
 *  - the limits (max-message-size, max-recipients) are set low, so their paths are reached.
 */
#include "config.h"

#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "poste.h"
#include "poste-server.h"
#include "poste-channel.h"
#include "test-memory-delivery.h"

#define MAX_SIZE 2000
#define MAX_RECIPIENTS 3

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

typedef struct {
  int         fd;
  GByteArray *out;
} Drain;

static gpointer
drain_thread (gpointer user_data)
{
  Drain *d = user_data;
  guint8 buffer[4096];
  ssize_t n;

  while ((n = read (d->fd, buffer, sizeof buffer)) > 0)
    g_byte_array_append (d->out, buffer, (guint) n);
  return NULL;
}

static GSocketConnection *
connection_from_fd (int fd)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = g_socket_new_from_fd (fd, &error);

  g_assert_no_error (error);
  return g_socket_connection_factory_create_connection (socket);
}

/* Splits our output into replies and parses each; returns how many. */
static guint
check_replies (const GByteArray *out)
{
  const char *p = (const char *) out->data;
  const char *end = p + out->len;
  const char *start = p;
  guint replies = 0;

  while (p < end)
    {
      const char *eol = memchr (p, '\n', (gsize) (end - p));

      g_assert_nonnull (eol);                   /* every reply line ends */
      g_assert_true (eol > p && eol[-1] == '\r');
      if (eol - p >= 4 && p[3] == ' ')
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(PosteReply) reply = poste_reply_parse (start, (gsize) (eol + 1 - start),
                                                           &error);

          g_assert_no_error (error);
          g_assert_nonnull (reply);
          replies++;
          start = eol + 1;
        }
      p = eol + 1;
    }
  g_assert_true (start == end);               /* no unfinished multi-line reply */
  return replies;
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  static const char *const domains[] = { "example.org", "bücher.example", NULL };
  g_autoptr(TestDelivery) delivery = NULL;
  g_autoptr(GSocketConnection) ours = NULL;
  g_autoptr(GError) error = NULL;
  PosteChannel *channel;
  PosteServerConfig config = { 0, };
  Drain drain;
  GThread *thread;
  int fds[2];
  guint lines = 0;
  guint replies;
  gboolean bdat = FALSE;

  if (size > 16 * 1024)
    return 0;
  for (gsize i = 0; i < size; i++)
    {
      if (data[i] == '\n')
        lines++;
      /* Whether the input sends BDAT anywhere (any case): see the line-end check below. */
      if (i + 4 <= size && g_ascii_strncasecmp ((const char *) data + i, "BDAT", 4) == 0)
        bdat = TRUE;
    }

  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM, 0, fds), ==, 0);
  ours = connection_from_fd (fds[0]);

  delivery = test_delivery_new ();
  delivery->flags = POSTE_DELIVERY_FLAGS_8BITMIME | POSTE_DELIVERY_FLAGS_SMTPUTF8;
  channel = poste_channel_new (5);
  channel->connection = poste_connection_new (G_IO_STREAM (ours));
  poste_connection_set_timeout (channel->connection, 5);
  config.delivery = POSTE_DELIVERY (delivery);
  config.local_name = "customer.example";
  config.provider_host = "odmr.provider.example";
  config.domains = domains;
  config.max_message_size = MAX_SIZE;
  config.max_recipients = MAX_RECIPIENTS;

  /* The provider's side: all its bytes, then end of input. The socket buffer holds them all
   * (16 KiB at most); our replies are drained by a thread so the server never blocks. */
  drain.fd = fds[1];
  drain.out = g_byte_array_new ();
  thread = g_thread_new ("drain", drain_thread, &drain);
  for (gsize done = 0; done < size;)
    {
      ssize_t n = write (fds[1], data + done, size - done);

      g_assert_cmpint (n, >, 0);
      done += (gsize) n;
    }
  g_assert_cmpint (shutdown (fds[1], SHUT_WR), ==, 0);

  (void) poste_server_run (channel, &config, NULL, &error);
  g_clear_error (&error);
  poste_connection_close (channel->connection, NULL, NULL);
  g_thread_join (thread);
  close (fds[1]);

  replies = check_replies (drain.out);
  /* At most one reply a line (an unfinished last line, or each POSTE_SERVER_MAX_COMMAND octets
   * of an over-long one, counting as one), plus our 220 and a last 421: never amplification. */
  lines += 1 + (guint) (size / POSTE_SERVER_MAX_COMMAND);
  if (replies > lines + 2)
    g_printerr ("%u replies to %u lines:\n%.*s\n", replies, lines, (int) drain.out->len,
                (const char *) drain.out->data);
  g_assert_cmpuint (replies, <=, lines + 2);

  g_assert_cmpuint (delivery->messages->len, ==, delivery->recipients->len);
  for (guint i = 0; i < delivery->messages->len; i++)
    {
      gsize length;
      const guint8 *m = g_bytes_get_data (delivery->messages->pdata[i], &length);

      g_assert_cmpstr (delivery->recipients->pdata[i], !=, "");
      g_assert_null (memchr (m, '\0', length));
      /* DATA's policy: a bare CR or LF never gets through. BDAT carries octets by count and
       * stores the message as sent (only a NUL refuses it), so the check holds when no BDAT
       * was sent at all. */
      for (gsize j = 0; j < length && !bdat; j++)
        {
          if (m[j] == '\r')
            g_assert_true (j + 1 < length && m[j + 1] == '\n');
          else if (m[j] == '\n')
            g_assert_true (j > 0 && m[j - 1] == '\r');
        }
    }

  poste_channel_free (channel);
  g_byte_array_unref (drain.out);
  return 0;
}
