/* test-outbox-cli-listener.c: `run`'s listener end to end: its 250 survives a SIGKILL,
 * Bcc: is dropped, and Postfix relays through it to the provider
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "poste-test-client.h"
#include "test-outbox-cli.h"

/* `run` with [outbox] listen=127.0.0.1 on @port, its output silenced; returns once the port
 * accepts connections. */
static GSubprocess *
run_listening (Fixture *f,
               guint16  port)
{
  g_autoptr(GSubprocessLauncher) launcher =
    poste_test_cli_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                 G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autofree char *cli = poste_test_cli_path ();
  g_autofree char *extra = g_strdup_printf ("[outbox]\nlisten=127.0.0.1\nport=%u\n", port);
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  write_config (f, extra);
  process = g_subprocess_launcher_spawn (launcher, &error, cli, "--config", f->config, "run",
                                         NULL);
  g_assert_no_error (error);
  g_assert_true (poste_test_wait_for_port (port, 30));
  return process;
}

/* Opens @c to the listener on @port and takes a transaction from alice@example.org to @rcpts
 * up to DATA's 354, each reply asserted. */
static void
open_transaction (PosteTestClient    *c,
                  guint16             port,
                  const char * const *rcpts)
{
  poste_test_client_open (c, port, 60);
  g_assert_cmpuint (poste_test_say (c, NULL), ==, 220);
  g_assert_cmpuint (poste_test_say (c, "EHLO mta.example"), ==, 250);
  g_assert_cmpuint (poste_test_say (c, "MAIL FROM:<alice@example.org>"), ==, 250);
  for (guint i = 0; rcpts[i] != NULL; i++)
    {
      g_autofree char *rcpt = g_strdup_printf ("RCPT TO:<%s>", rcpts[i]);

      g_assert_cmpuint (poste_test_say (c, rcpt), ==, 250);
    }
  g_assert_cmpuint (poste_test_say (c, "DATA"), ==, 354);
}

/* `run` with [outbox] listen=: a 250 is a promise even to a SIGKILL right after it. */
void
test_run_listener_kill (Fixture       *f,
                        gconstpointer  data)
{
  guint16 port = poste_test_free_port ();
  g_autoptr(GSubprocess) process = run_listening (f, port);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autofree char *content = NULL;
  const char *rcpts[] = { "bob@remote.example", NULL };
  PosteTestClient c = { 0 };

  open_transaction (&c, port, rcpts);
  g_assert_cmpuint (poste_test_say (&c, "Subject: kill\r\n\r\nbody\r\n."), ==, 250);
  g_subprocess_send_signal (process, SIGKILL);
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_signaled (process));
  poste_test_client_close (&c);

  items = list (f);
  g_assert_cmpuint (items->len, ==, 1);
  g_assert_cmpstr (((PosteOutboxItem *) items->pdata[0])->sender, ==, "alice@example.org");
  g_assert_cmpstrv (((PosteOutboxItem *) items->pdata[0])->recipients, rcpts);
  content = message_of (f, items->pdata[0]);
  g_assert_cmpstr (content, ==, "Subject: kill\r\n\r\nbody\r\n");
}

/* Mail given to `run`'s listener loses its Bcc: as mail given to `send` does; the envelope keeps
 * the blind recipients, and the relay gets the message for all of them. */
void
test_run_listener_bcc (Fixture       *f,
                       gconstpointer  data)
{
  guint16 port = poste_test_free_port ();
  g_autoptr(GSubprocess) process = run_listening (f, port);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GPtrArray) accepted = NULL;
  g_autofree char *content = NULL;
  const char *rcpts[] = { "bob@remote.example", "dave@remote.example", "erin@remote.example",
                          NULL };
  const char *expected = "From: alice@example.org\r\n"
                         "To: bob@remote.example\r\n"
                         "Subject: blind\r\n"
                         "\r\n"
                         "Bcc: this line is the body\r\n";
  PosteTestMessage *m;
  PosteTestClient c = { 0 };

  open_transaction (&c, port, rcpts);
  g_assert_cmpuint (poste_test_say (&c, "From: alice@example.org\r\n"
                                        "To: bob@remote.example\r\n"
                                        "Bcc: dave@remote.example,\r\n"
                                        " Erin <erin@remote.example>\r\n"
                                        "Subject: blind\r\n"
                                        "\r\n"
                                        "Bcc: this line is the body\r\n."), ==, 250);
  g_assert_cmpuint (poste_test_say (&c, "QUIT"), ==, 221);
  poste_test_client_close (&c);
  g_subprocess_send_signal (process, SIGTERM);
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);

  items = list (f);
  g_assert_cmpuint (items->len, ==, 1);
  g_assert_cmpstrv (((PosteOutboxItem *) items->pdata[0])->recipients, rcpts);
  content = message_of (f, items->pdata[0]);
  g_assert_cmpstr (content, ==, expected);

  /* No mail held, one message sent: work done. */
  g_assert_cmpint (run_cli (f, NULL, "fetch", NULL), ==, 0);
  accepted = poste_test_provider_dup_accepted (f->relay);
  g_assert_cmpuint (accepted->len, ==, 1);
  m = accepted->pdata[0];
  g_assert_cmpuint (m->recipients->len, ==, 3);
  for (guint i = 0; rcpts[i] != NULL; i++)
    g_assert_cmpstr (m->recipients->pdata[i], ==, rcpts[i]);
  g_assert_cmpmem (g_bytes_get_data (m->data, NULL), g_bytes_get_size (m->data), expected,
                   strlen (expected));
}

/* Postfix with the listener as its relayhost: the message reaches the provider at the next
 * round. */
void
test_postfix_relayhost (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(PosteOutboxListener) listener = poste_outbox_listener_new (f->outbox);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) accepted = NULL;
  g_autofree char *postfix_dir = NULL;
  PosteTestService *postfix;
  PosteTestMessage *m;
  PosteTestClient c = { 0 };
  guint16 listen_port, postfix_port = 0;
  gboolean queued = FALSE;

  if (!g_file_test ("/usr/sbin/postfix", G_FILE_TEST_IS_EXECUTABLE))
    {
      poste_test_missing ("Postfix is not installed (/usr/sbin/postfix)");
      return;
    }
  listen_port = poste_outbox_listener_start (listener, "127.0.0.1", 0, &error);
  g_assert_no_error (error);

  postfix_dir = poste_test_service_dir_new ("outbox-postfix");
  postfix = poste_test_postfix_start_with_relayhost (postfix_dir, listen_port, &postfix_port,
                                                     &error);
  g_assert_no_error (error);

  poste_test_client_open (&c, postfix_port, 60);
  g_assert_cmpuint (poste_test_say (&c, NULL), ==, 220);
  g_assert_cmpuint (poste_test_say (&c, "EHLO client.example"), ==, 250);
  g_assert_cmpuint (poste_test_say (&c, "MAIL FROM:<alice@example.org>"), ==, 250);
  g_assert_cmpuint (poste_test_say (&c, "RCPT TO:<bob@remote.example>"), ==, 250);
  g_assert_cmpuint (poste_test_say (&c, "DATA"), ==, 354);
  g_assert_cmpuint (poste_test_say (&c, "From: alice@example.org\r\nTo: bob@remote.example\r\n"
                                        "Subject: via postfix\r\n\r\n..relayed\r\n."), ==, 250);
  g_assert_cmpuint (poste_test_say (&c, "QUIT"), ==, 221);
  poste_test_client_close (&c);

  /* Postfix relays it on its own schedule (at once, here): wait for it in the outbox. */
  for (guint i = 0; i < 600 && !queued; i++)
    {
      g_autoptr(GPtrArray) items = list (f);

      queued = items->len == 1;
      if (!queued)
        g_usleep (100 * 1000);
    }
  if (!queued)
    {
      g_autofree char *log = poste_test_service_log (postfix);

      g_error ("Postfix did not relay to the outbox listener:\n%s", log);
    }
  poste_test_postfix_stop (postfix);
  poste_outbox_listener_stop (listener);

  /* Sending is work done: exit 0 although no mail was held. */
  accepted = fetch_sends_one (f);
  m = accepted->pdata[0];
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (m->data, NULL), g_bytes_get_size (m->data),
                                  "Subject: via postfix\r\n"));
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (m->data, NULL), g_bytes_get_size (m->data),
                                  "\r\n.relayed\r\n"));
  {
    g_autoptr(GPtrArray) items = list (f);

    g_assert_cmpuint (items->len, ==, 0);
  }
}
