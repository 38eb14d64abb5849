/* test-wire.c: the test provider's own line reader and reply parser are strict
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The provider judges the customer with poste-test-wire.c, not with the product's reader: what
 * it accepts and refuses is checked here, on a socket pair, byte for byte.
 */
#include "config.h"

#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "poste-test.h"
#include "poste-test-wire.h"

typedef struct {
  GSocketConnection *connection;
  PosteTestWire     *wire;
  int                peer;
} Pair;

static void
pair_open (Pair       *p,
           const char *bytes)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = NULL;
  int fds[2];

  g_assert_no_errno (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds));
  socket = g_socket_new_from_fd (fds[0], &error);
  g_assert_no_error (error);
  p->connection = g_socket_connection_factory_create_connection (socket);
  p->wire = poste_test_wire_new (G_IO_STREAM (p->connection));
  poste_test_wire_set_timeout (p->wire, 10);
  p->peer = fds[1];
  g_assert_cmpint (write (p->peer, bytes, strlen (bytes)), ==, (gssize) strlen (bytes));
  /* The peer is done: what was not sent never will be. */
  shutdown (p->peer, SHUT_WR);
}

static void
pair_close (Pair *p)
{
  poste_test_wire_unref (p->wire);
  g_object_unref (p->connection);
  close (p->peer);
}

static void
test_lines (void)
{
  g_autoptr(GError) error = NULL;
  Pair p;
  const char *line;
  gsize length;

  pair_open (&p, "EHLO a\r\nNOOP\r\nbare\nnext\r\n");
  line = poste_test_wire_read_line (p.wire, 100, &length, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "EHLO a");
  g_assert_cmpuint (length, ==, 6);
  line = poste_test_wire_read_line (p.wire, 4, &length, NULL, &error);
  g_assert_cmpstr (line, ==, "NOOP");
  line = poste_test_wire_read_line (p.wire, 100, &length, NULL, &error);
  g_assert_null (line);
  g_assert_error (error, POSTE_TEST_WIRE_ERROR, POSTE_TEST_WIRE_ERROR_BARE_LF);
  g_clear_error (&error);
  pair_close (&p);

  pair_open (&p, "12345\r\n");
  line = poste_test_wire_read_line (p.wire, 4, &length, NULL, &error);
  g_assert_null (line);
  g_assert_error (error, POSTE_TEST_WIRE_ERROR, POSTE_TEST_WIRE_ERROR_LINE_TOO_LONG);
  g_clear_error (&error);
  /* Nothing was consumed. */
  line = poste_test_wire_read_line (p.wire, 5, &length, NULL, &error);
  g_assert_cmpstr (line, ==, "12345");
  line = poste_test_wire_read_line (p.wire, 5, &length, NULL, &error);
  g_assert_error (error, POSTE_TEST_WIRE_ERROR, POSTE_TEST_WIRE_ERROR_CLOSED);
  pair_close (&p);
}

static void
test_replies (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosteTestReply) reply = NULL;
  const char *params = NULL;
  Pair p;

  pair_open (&p, "250-customer.example hello\r\n250-SIZE 1000\r\n250-pipelining\r\n"
                 "250 8BITMIME\r\n250\r\n");
  reply = poste_test_reply_read (p.wire, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (reply->code, ==, 250);
  g_assert_cmpuint (g_strv_length (reply->lines), ==, 4);
  g_assert_cmpstr (reply->lines[0], ==, "customer.example hello");
  g_assert_true (poste_test_reply_has_keyword (reply, "PIPELINING", NULL));
  g_assert_true (poste_test_reply_has_keyword (reply, "SIZE", &params));
  g_assert_cmpstr (params, ==, "1000");
  g_assert_false (poste_test_reply_has_keyword (reply, "CHUNKING", NULL));
  g_assert_false (poste_test_reply_has_keyword (reply, "customer.example", NULL));
  g_clear_pointer (&reply, poste_test_reply_free);
  reply = poste_test_reply_read (p.wire, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (reply->code, ==, 250);
  g_assert_cmpstr (reply->lines[0], ==, "");
  pair_close (&p);
}

static void
test_bad_replies (void)
{
  static const char *const bad[] = {
    "250-one\r\n251 two\r\n",        /* the code changes */
    "2x0 text\r\n",                  /* not a code */
    "150 text\r\n",                  /* not 2xx to 5xx */
    "250_text\r\n",                  /* no separator */
    "250 a\tb\r\n",                  /* a control character */
    "250 text\n",                    /* a bare LF */
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PosteTestReply) reply = NULL;
      Pair p;

      pair_open (&p, bad[i]);
      reply = poste_test_reply_read (p.wire, NULL, &error);
      g_assert_null (reply);
      g_assert_nonnull (error);
      g_assert_true (error->domain == POSTE_TEST_WIRE_ERROR);
      pair_close (&p);
    }
}

static void
test_endless_reply (void)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PosteTestReply) reply = NULL;
  Pair p;

  for (guint i = 0; i < 101; i++)
    g_string_append (text, "250-more\r\n");
  g_string_append (text, "250 end\r\n");
  pair_open (&p, text->str);
  reply = poste_test_reply_read (p.wire, NULL, &error);
  g_assert_null (reply);
  g_assert_error (error, POSTE_TEST_WIRE_ERROR, POSTE_TEST_WIRE_ERROR_MALFORMED);
  pair_close (&p);
}

int
main (int   argc,
      char *argv[])
{
  poste_test_init (&argc, &argv);
  g_test_add_func ("/wire/lines", test_lines);
  g_test_add_func ("/wire/replies", test_replies);
  g_test_add_func ("/wire/bad-replies", test_bad_replies);
  g_test_add_func ("/wire/endless-reply", test_endless_reply);
  return g_test_run ();
}
