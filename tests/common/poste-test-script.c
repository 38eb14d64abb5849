/* poste-test-script.c: a provider on loopback that follows a script, for what no well-behaved
 * server library would send
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One connection on 127.0.0.1, served by a thread that follows the steps, in plain text (the
 * provider is set to take PLAIN in clear: the script's "235" accepts any credentials):
 *   ">TEXT"   send TEXT
 *   "~TEXT"   send TEXT one byte at a time, flushed, so that it arrives in many reads
 *   "0"       send one NUL byte
 *   "<"       read one reply of the customer (up to a line whose 4th octet is a space)
 *   "="       read until the customer closes the connection
 * After the last step it reads until the customer closes. Everything the customer sent is kept
 * for the test to look at.
 */
#include "config.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

#include "poste-test-script.h"

static gboolean
read_line (GInputStream *in,
           GString      *heard,
           GString      *line)
{
  char c;

  g_string_truncate (line, 0);
  for (;;)
    {
      gssize n = g_input_stream_read (in, &c, 1, NULL, NULL);

      if (n <= 0)
        return FALSE;
      g_string_append_c (heard, c);
      g_string_append_c (line, c);
      if (c == '\n')
        return TRUE;
    }
}

static gpointer
script_thread (gpointer data)
{
  PosteTestScript *s = data;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GString) line = g_string_new (NULL);
  GInputStream *in;
  GOutputStream *out;

  connection = g_socket_listener_accept (s->listener, NULL, NULL, NULL);
  if (connection == NULL)
    return NULL;
  g_socket_set_timeout (g_socket_connection_get_socket (connection), 30);
  g_socket_set_option (g_socket_connection_get_socket (connection), IPPROTO_TCP, TCP_NODELAY, 1,
                       NULL);
  in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  for (guint i = 0; s->steps[i] != NULL; i++)
    {
      const char *step = s->steps[i];

      switch (step[0])
        {
        case '>':
          if (!g_output_stream_write_all (out, step + 1, strlen (step + 1), NULL, NULL, NULL))
            return NULL;
          break;
        case '0':
          if (!g_output_stream_write_all (out, "", 1, NULL, NULL, NULL))
            return NULL;
          break;
        case '~':
          for (const char *p = step + 1; *p != '\0'; p++)
            {
              if (!g_output_stream_write_all (out, p, 1, NULL, NULL, NULL))
                return NULL;
              g_usleep (200);
            }
          break;
        case '<':
          do
            if (!read_line (in, s->heard, line))
              return NULL;
          while (line->len >= 4 && line->str[3] == '-');
          break;
        case '=':
        default:
          while (read_line (in, s->heard, line))
            ;
          return NULL;
        }
    }
  /* The end of the script: the customer's last words, then close. */
  while (read_line (in, s->heard, line))
    ;
  return NULL;
}

/**
 * poste_test_script_start:
 * @s: a zeroed script
 * @steps: (array zero-terminated=1): the steps; must outlive the script's thread
 *
 * Listens on a free port of 127.0.0.1 and follows @steps with the first connection, in a thread
 * of its own.
 */
void
poste_test_script_start (PosteTestScript   *s,
                         const char *const *steps)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_from_string ("127.0.0.1");
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) effective = NULL;

  s->steps = steps;
  s->heard = g_string_new (NULL);
  s->listener = g_socket_listener_new ();
  g_socket_listener_add_address (s->listener, address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &effective, &error);
  g_assert_no_error (error);
  s->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  s->thread = g_thread_new ("script", script_thread, s);
}

/**
 * poste_test_script_set_provider:
 * @s: a started script
 * @provider: the customer's provider
 * @user: the user name to sign in with
 *
 * Points @provider at the script: plain text, signing in with PLAIN.
 */
void
poste_test_script_set_provider (PosteTestScript *s,
                                PosteProvider   *provider,
                                const char      *user)
{
  poste_provider_set_host (provider, "127.0.0.1");
  poste_provider_set_port (provider, s->port);
  poste_provider_set_username (provider, user);
  poste_provider_set_security (provider, POSTE_SECURITY_NONE);
  poste_provider_set_auth (provider, POSTE_AUTH_PLAIN);
}

/**
 * poste_test_script_finish:
 * @s: a started script
 *
 * Waits for the script's end (the customer closed the connection, or a step failed), stops
 * listening and logs what the customer sent.
 */
void
poste_test_script_finish (PosteTestScript *s)
{
  g_thread_join (s->thread);
  g_socket_listener_close (s->listener);
  g_object_unref (s->listener);
  g_test_message ("the customer sent:\n%s", s->heard->str);
}

/**
 * poste_test_script_reply_codes:
 * @s: a finished script
 *
 * Returns: (transfer full): the first digit of each of the customer's replies, in order (the
 *   last line of each), separated by spaces: "2 2 5 ..."
 */
char *
poste_test_script_reply_codes (PosteTestScript *s)
{
  g_auto(GStrv) lines = g_strsplit (s->heard->str, "\r\n", -1);
  GString *codes = g_string_new (NULL);

  for (guint i = 0; lines[i] != NULL; i++)
    if (strlen (lines[i]) >= 4 && lines[i][3] == ' ' && g_ascii_isdigit (lines[i][0]))
      g_string_append_printf (codes, "%s%.1s", codes->len > 0 ? " " : "", lines[i]);
  return g_string_free (codes, FALSE);
}

/**
 * poste_test_script_clear:
 * @s: a finished script
 *
 * Frees what the customer sent.
 */
void
poste_test_script_clear (PosteTestScript *s)
{
  if (s->heard != NULL)
    g_string_free (s->heard, TRUE);
  s->heard = NULL;
}
