/* test-fetchmail.c: an independence check of the test provider with Debian's fetchmail
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * fetchmail's ODMR mode (protocol ODMR, RFC 2645) authenticates with CRAM-MD5 in plain text, says
 * ATRN, and relays the reversed session to an SMTP host of its own. Here that host is a tiny SMTP
 * listener in this test which accepts everything and records the messages: every spooled message
 * must arrive intact, to its own recipients in two domains, with PIPELINING (the sink offers it,
 * and the provider sends its RCPTs ahead of the replies), fetchmail must exit 0 (also on a second
 * run that finds no mail: 453 to ATRN), and the provider's spool must end empty. If this passes,
 * the provider speaks ODMR, not just our own dialect.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "poste-test-provider.h"
#include "poste-test-wire.h"
#include "poste-test.h"

#define FETCHMAIL "/usr/bin/fetchmail"
#define TIMEOUT 30

typedef struct {
  GSocketListener *listener;
  GCancellable    *cancellable;
  GThread         *thread;
  GMutex           lock;
  GPtrArray       *messages;   /* GBytes, unstuffed, CRLF */
  GPtrArray       *envelopes;  /* "sender>rcpt,rcpt" */
} SmtpSink;

static gboolean
sink_reply (PosteTestWire *conn,
            const char    *line)
{
  return poste_test_wire_write_line (conn, line, NULL, NULL) &&
         poste_test_wire_flush (conn, NULL, NULL);
}

/* One SMTP session (RFC 5321) that accepts everything. */
static void
sink_session (SmtpSink          *sink,
              GSocketConnection *socket)
{
  g_autoptr(PosteTestWire) conn = poste_test_wire_new (G_IO_STREAM (socket));
  g_autoptr(GString) envelope = g_string_new (NULL);
  guint rcpts = 0;

  poste_test_wire_set_timeout (conn, TIMEOUT);
  if (!sink_reply (conn, "220 sink.test ESMTP"))
    return;
  for (;;)
    {
      const char *line;
      gsize length;
      g_autofree char *command = NULL;

      line = poste_test_wire_read_line (conn, 1000, &length, sink->cancellable, NULL);
      if (line == NULL)
        return;
      command = g_strndup (line, length);
      if (g_ascii_strncasecmp (command, "EHLO", 4) == 0)
        {
          if (!sink_reply (conn, "250-sink.test") || !sink_reply (conn, "250-8BITMIME") ||
              !sink_reply (conn, "250 PIPELINING"))
            return;
        }
      else if (g_ascii_strncasecmp (command, "HELO", 4) == 0)
        sink_reply (conn, "250 sink.test");
      else if (g_ascii_strncasecmp (command, "MAIL FROM:<", 11) == 0)
        {
          g_string_assign (envelope, command + 11);
          g_string_truncate (envelope, strcspn (envelope->str, ">") + 1);
          rcpts = 0;
          sink_reply (conn, "250 2.1.0 OK");
        }
      else if (g_ascii_strncasecmp (command, "RCPT TO:<", 9) == 0)
        {
          g_string_append_printf (envelope, "%s%.*s", rcpts++ > 0 ? "," : "",
                                  (int) strcspn (command + 9, ">"), command + 9);
          sink_reply (conn, "250 2.1.5 OK");
        }
      else if (g_ascii_strcasecmp (command, "DATA") == 0)
        {
          g_autoptr(GByteArray) data = g_byte_array_new ();

          sink_reply (conn, "354 go ahead");
          for (;;)
            {
              line = poste_test_wire_read_line (conn, 1000, &length, sink->cancellable, NULL);
              if (line == NULL)
                return;
              if (length == 1 && line[0] == '.')
                break;
              if (line[0] == '.')
                {
                  line++;
                  length--;
                }
              g_byte_array_append (data, (const guint8 *) line, length);
              g_byte_array_append (data, (const guint8 *) "\r\n", 2);
            }
          g_mutex_lock (&sink->lock);
          g_ptr_array_add (sink->messages, g_byte_array_free_to_bytes (g_steal_pointer (&data)));
          g_ptr_array_add (sink->envelopes, g_strdup (envelope->str));
          g_mutex_unlock (&sink->lock);
          sink_reply (conn, "250 2.0.0 Stored");
        }
      else if (g_ascii_strcasecmp (command, "RSET") == 0 ||
               g_ascii_strcasecmp (command, "NOOP") == 0)
        sink_reply (conn, "250 2.0.0 OK");
      else if (g_ascii_strcasecmp (command, "QUIT") == 0)
        {
          sink_reply (conn, "221 2.0.0 Bye");
          poste_test_wire_close (conn, NULL, NULL);
          return;
        }
      else
        sink_reply (conn, "502 5.5.1 Not implemented");
    }
}

static gpointer
sink_thread (gpointer data)
{
  SmtpSink *sink = data;

  while (!g_cancellable_is_cancelled (sink->cancellable))
    {
      g_autoptr(GSocketConnection) socket =
          g_socket_listener_accept (sink->listener, NULL, sink->cancellable, NULL);

      if (socket != NULL)
        sink_session (sink, socket);
    }
  return NULL;
}

static guint16
sink_start (SmtpSink *sink)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GError) error = NULL;

  memset (sink, 0, sizeof *sink);
  g_mutex_init (&sink->lock);
  sink->messages = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  sink->envelopes = g_ptr_array_new_with_free_func (g_free);
  sink->listener = g_socket_listener_new ();
  sink->cancellable = g_cancellable_new ();
  g_socket_listener_add_address (sink->listener, address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &effective, &error);
  g_assert_no_error (error);
  sink->thread = g_thread_new ("smtp-sink", sink_thread, sink);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
}

static void
sink_stop (SmtpSink *sink)
{
  g_cancellable_cancel (sink->cancellable);
  g_thread_join (sink->thread);
  g_socket_listener_close (sink->listener);
  g_object_unref (sink->listener);
  g_object_unref (sink->cancellable);
  g_ptr_array_unref (sink->messages);
  g_ptr_array_unref (sink->envelopes);
  g_mutex_clear (&sink->lock);
}

typedef struct {
  GMainLoop *loop;
  char      *output;
  GError    *error;
  gboolean   timed_out;
} Run;

static void
communicate_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      data)
{
  Run *run = data;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (object), result, &run->output, NULL,
                                        &run->error);
  g_main_loop_quit (run->loop);
}

static gboolean
timeout_cb (gpointer data)
{
  Run *run = data;

  run->timed_out = TRUE;
  g_main_loop_quit (run->loop);
  return G_SOURCE_REMOVE;
}

/* Runs fetchmail (argv, no shell) and returns its exit status; its output goes to the log. */
static int
run_fetchmail (const char *home,
               const char *rcfile)
{
  g_autoptr(GSubprocessLauncher) launcher =
      g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GError) error = NULL;
  Run run = { loop, NULL, NULL, FALSE };
  g_autofree char *pidfile = NULL;
  guint timer;

  g_subprocess_launcher_setenv (launcher, "FETCHMAILHOME", home, TRUE);
  g_subprocess_launcher_setenv (launcher, "HOME", home, TRUE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C", TRUE);
  /* As root, fetchmail's default pid file is system-wide (/var/run): keep ours private, so a
   * fetchmail running elsewhere on the machine (a benchmark) cannot make this run refuse. */
  pidfile = g_build_filename (home, "fetchmail.pid", NULL);
  process = g_subprocess_launcher_spawn (launcher, &error, FETCHMAIL, "-f", rcfile,
                                         "--pidfile", pidfile,
                                         "--nodetach", "--nosyslog", "-v", NULL);
  g_assert_no_error (error);

  g_subprocess_communicate_utf8_async (process, NULL, NULL, communicate_cb, &run);
  timer = g_timeout_add_seconds (TIMEOUT * 2, timeout_cb, &run);
  g_main_loop_run (loop);
  if (run.timed_out)
    {
      g_subprocess_force_exit (process);
      g_subprocess_wait (process, NULL, NULL);
      g_error ("fetchmail did not finish within %u seconds", TIMEOUT * 2);
    }
  g_source_remove (timer);
  g_assert_no_error (run.error);
  g_subprocess_wait (process, NULL, NULL);
  g_test_message ("fetchmail said:\n%s", run.output);
  g_free (run.output);
  g_assert_true (g_subprocess_get_if_exited (process));
  return g_subprocess_get_exit_status (process);
}

static const char *messages[] = {
  "From: Alice <alice@example.net>\nTo: postmaster@example.org\nSubject: one\n\nHello.\n",
  "From: Bob <bob@example.net>\nSubject: dots\n\n.a line with a dot\n..two dots\n.\nend\n",
  ("From: Carol <carol@example.net>\nSubject: =?UTF-8?Q?caf=C3=A9?=\nContent-Type: text/plain; "
   "charset=UTF-8\nContent-Transfer-Encoding: 8bit\n\nUn caf\xc3\xa9, s'il vous pla\xc3\xaet.\n"),
  "From: Dave <dave@example.net>\nSubject: empty body\n\n",
};

/* The recipients of each message, in both of the account's domains. */
static const char *const recipients[][3] = {
  { "postmaster@example.org", NULL },
  { "postmaster@example.com", NULL },
  { "alice@example.org", "bob@example.com", NULL },
  { "carol@example.com", NULL },
};

static const char *const envelopes[] = {
  "sender@example.net>postmaster@example.org",
  "sender@example.net>postmaster@example.com",
  "sender@example.net>alice@example.org,bob@example.com",
  "sender@example.net>carol@example.com",
};

static void
test_fetchmail_odmr (void)
{
  g_autoptr(PosteTestProvider) provider = poste_test_provider_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *home = poste_test_make_dir ("fetchmail");
  g_autofree char *rcfile = g_build_filename (home, "fetchmailrc", NULL);
  g_autofree char *rc = NULL;
  g_autofree char *transcript = NULL;
  g_autoptr(GPtrArray) accepted = NULL;
  const char *domains[] = { "example.org", "example.com", NULL };
  SmtpSink sink;
  guint16 port, smtp_port;
  int status;

  poste_test_provider_add_account (provider, "u", "p", domains);
  poste_test_provider_set_timeout (provider, TIMEOUT);
  for (guint i = 0; i < G_N_ELEMENTS (messages); i++)
    poste_test_provider_add_message (provider, "sender@example.net", recipients[i], messages[i],
                                     -1);
  port = poste_test_provider_start (provider, &error);
  g_assert_no_error (error);
  smtp_port = sink_start (&sink);

  rc = g_strdup_printf ("set no syslog\n"
                        "poll 127.0.0.1 protocol ODMR service %u auth cram-md5 timeout %u\n"
                        "  user \"u\" password \"p\" fetchdomains example.org,example.com\n"
                        "  smtphost \"127.0.0.1/%u\"\n",
                        port, TIMEOUT, smtp_port);
  g_assert_true (g_file_set_contents_full (rcfile, rc, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600,
                                           &error));
  g_assert_no_error (error);

  status = run_fetchmail (home, rcfile);
  g_assert_true (poste_test_provider_wait_sessions (provider, 1, TIMEOUT));
  transcript = poste_test_provider_dup_transcript (provider);
  g_test_message ("provider transcript:\n%s", transcript);
  g_test_message ("fetchmail exit status %d", status);
  /* 0: mail was delivered (fetchmail(1), EXIT CODES). */
  g_assert_cmpint (status, ==, 0);

  /* fetchmail spoke ODMR: CRAM-MD5, then ATRN for both domains, then the reversed session. */
  g_assert_nonnull (strstr (transcript, "C: AUTH CRAM-MD5"));
  g_assert_nonnull (strstr (transcript, "C: ATRN example.org,example.com\n"));
  g_assert_nonnull (strstr (transcript, "S: 250 OK now reversing the connection\n"));

  g_mutex_lock (&sink.lock);
  g_assert_cmpuint (sink.messages->len, ==, G_N_ELEMENTS (messages));
  for (guint i = 0; i < G_N_ELEMENTS (messages); i++)
    {
      g_autofree char *expected = NULL;
      g_auto(GStrv) lines = g_strsplit (messages[i], "\n", -1);
      gsize length;
      const char *got = g_bytes_get_data (g_ptr_array_index (sink.messages, i), &length);

      /* The message as spooled, CRLF line ends. */
      expected = g_strjoinv ("\r\n", lines);
      g_assert_cmpmem (got, length, expected, strlen (expected));
      g_assert_cmpstr (g_ptr_array_index (sink.envelopes, i), ==, envelopes[i]);
    }
  g_mutex_unlock (&sink.lock);
  /* PIPELINING (RFC 2920) through fetchmail's relay: the sink offered it, and the provider sent
   * each MAIL and its RCPTs before it read a reply (the transcript logs what it sent when it
   * sent it, and each reply when it arrived). */
  g_assert_nonnull (strstr (transcript, "C: 250 PIPELINING\n"));
  g_assert_nonnull (strstr (transcript, "S: MAIL FROM:<sender@example.net> BODY=8BITMIME\n"
                                        "S: RCPT TO:<postmaster@example.org>\n"
                                        "C: 250 2.1.0 OK\n"));
  g_assert_nonnull (strstr (transcript, "S: MAIL FROM:<sender@example.net> BODY=8BITMIME\n"
                                        "S: RCPT TO:<alice@example.org>\n"
                                        "S: RCPT TO:<bob@example.com>\n"
                                        "C: 250 2.1.0 OK\n"));

  accepted = poste_test_provider_dup_accepted (provider);
  g_assert_cmpuint (accepted->len, ==, G_N_ELEMENTS (messages));
  g_assert_cmpuint (poste_test_provider_count_spooled (provider), ==, 0);

  /* Again: nothing is held now; the provider answers ATRN with 453, and fetchmail's ODMR mode,
   * which only relays and counts nothing, still ends normally with 0 (fetchmail 6.4). */
  status = run_fetchmail (home, rcfile);
  g_assert_true (poste_test_provider_wait_sessions (provider, 2, TIMEOUT));
  g_assert_cmpint (status, ==, 0);
  g_free (transcript);
  transcript = poste_test_provider_dup_transcript (provider);
  g_assert_nonnull (strstr (transcript, "C: ATRN example.org,example.com\nS: 453 "));
  g_mutex_lock (&sink.lock);
  g_assert_cmpuint (sink.messages->len, ==, G_N_ELEMENTS (messages));
  g_mutex_unlock (&sink.lock);

  poste_test_provider_stop (provider);
  sink_stop (&sink);
}

int
main (int    argc,
      char **argv)
{
  if (!g_file_test (FETCHMAIL, G_FILE_TEST_IS_EXECUTABLE))
    {
      poste_test_missing_program (FETCHMAIL " is not installed (Debian package fetchmail)");
    }
  poste_test_init (&argc, &argv);
  g_test_add_func ("/provider/fetchmail/odmr", test_fetchmail_odmr);
  return g_test_run ();
}
