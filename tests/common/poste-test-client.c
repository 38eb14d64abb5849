/* poste-test-client.c: a plain SMTP client of a server under test (the outbox's listener, run's
 * listener): command lines out, reply codes back, every step asserted
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "poste-reply.h"
#include "poste-test-client.h"

/**
 * poste_test_client_open:
 * @c: a zeroed client
 * @port: a TCP port on 127.0.0.1
 * @timeout: the connection's timeout, in seconds
 *
 * Connects @c to 127.0.0.1:@port (no proxy); the greeting is left for poste_test_expect() or
 * poste_test_say() with %NULL.
 */
void
poste_test_client_open (PosteTestClient *c,
                        guint16          port,
                        guint            timeout)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GError) error = NULL;

  g_socket_client_set_enable_proxy (client, FALSE);
  c->socket = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, &error);
  g_assert_no_error (error);
  c->conn = poste_connection_new (G_IO_STREAM (c->socket));
  poste_connection_set_timeout (c->conn, timeout);
}

/**
 * poste_test_client_close:
 * @c: a client
 *
 * Drops the connection; @c can be opened again.
 */
void
poste_test_client_close (PosteTestClient *c)
{
  g_clear_pointer (&c->conn, poste_connection_unref);
  g_clear_object (&c->socket);
}

/**
 * poste_test_expect:
 * @c: an open client
 *
 * Returns: the code of the next reply, which must arrive whole
 */
guint
poste_test_expect (PosteTestClient *c)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosteReply) reply = poste_reply_read (c->conn, NULL, &error);

  g_assert_no_error (error);
  return reply->code;
}

/**
 * poste_test_say:
 * @c: an open client
 * @line: (nullable): what to send, without its CR LF (it may hold CR LF inside, as the content
 *   of a message does); %NULL sends nothing and only reads
 *
 * Sends @line and CR LF, flushed, and reads the reply.
 *
 * Returns: the reply's code
 */
guint
poste_test_say (PosteTestClient *c,
                const char      *line)
{
  g_autoptr(GError) error = NULL;

  if (line != NULL)
    {
      g_assert_true (poste_connection_write (c->conn, line, strlen (line), NULL, &error));
      g_assert_true (poste_connection_write (c->conn, "\r\n", 2, NULL, &error));
      g_assert_true (poste_connection_flush (c->conn, NULL, &error));
    }
  g_assert_no_error (error);
  return poste_test_expect (c);
}
