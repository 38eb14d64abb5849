/* test-outbox-cli.c: the outbox end to end through the built poste-restante-cli: send, the
 * listener of run (killed with SIGKILL right after its 250), a fetch round that submits the
 * queue, and Postfix using the listener as its relayhost
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * This file holds the fixture, send and the fetch round, and registers every case; the bounce
 * is in test-outbox-cli-bounce.c, the listener and Postfix in test-outbox-cli-listener.c.
 */
#include "config.h"

#include "test-outbox-cli.h"

static const char *domains[] = { "example.org", NULL };

void
write_config (Fixture    *f,
              const char *extra)
{
  g_autofree char *text = g_strdup_printf ("[provider test]\n"
                                           "host=127.0.0.1\n"
                                           "port=%u\n"
                                           "security=starttls\n"
                                           "username=" USER "\n"
                                           "domains=example.org\n"
                                           "delivery=maildir:%s\n"
                                           "interval=0\n"
                                           "ca-file=%s\n"
                                           "password-file=%s\n"
                                           "submission=127.0.0.1:%u\n"
                                           "%s",
                                           f->odmr_port, f->maildir, f->cert->ca_file,
                                           f->password_file, f->relay_port,
                                           extra != NULL ? extra : "");

  g_assert_true (g_file_set_contents (f->config, text, -1, NULL));
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *cli = poste_test_cli_path ();
  g_autofree char *outbox_dir = poste_outbox_dup_default_path ();

  if (!g_file_test (cli, G_FILE_TEST_IS_EXECUTABLE))
    g_error ("%s is not built", cli);

  f->dir = poste_test_make_dir ("outbox-cli");
  f->cert = poste_test_cert_new (f->dir, "provider.test", POSTE_TEST_CERT_NONE, &error);
  g_assert_no_error (error);

  f->odmr = poste_test_provider_new ();
  poste_test_provider_set_tls (f->odmr, POSTE_TEST_TLS_STARTTLS, f->cert->certificate);
  poste_test_provider_add_account (f->odmr, USER, PASSWORD, domains);
  f->odmr_port = poste_test_provider_start (f->odmr, &error);
  g_assert_no_error (error);

  f->relay = poste_test_provider_new ();
  poste_test_provider_set_submission (f->relay, TRUE);
  poste_test_provider_set_tls (f->relay, POSTE_TEST_TLS_STARTTLS, f->cert->certificate);
  poste_test_provider_add_account (f->relay, USER, PASSWORD, domains);
  f->relay_port = poste_test_provider_start (f->relay, &error);
  g_assert_no_error (error);

  poste_test_cli_prepare_files (f->dir, PASSWORD, &f->config, &f->password_file);
  f->maildir = g_build_filename (f->dir, "Maildir", NULL);
  write_config (f, NULL);
  /* The CLI uses the default outbox: the test's private XDG_DATA_HOME, shared below. */
  f->outbox = poste_outbox_new (outbox_dir);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GPtrArray) items = poste_outbox_list (f->outbox, NULL);

  /* Each test starts with an empty outbox. */
  for (guint i = 0; items != NULL && i < items->len; i++)
    poste_outbox_remove (f->outbox, ((PosteOutboxItem *) items->pdata[i])->id, NULL);
  poste_test_provider_stop (f->odmr);
  poste_test_provider_stop (f->relay);
  g_clear_object (&f->odmr);
  g_clear_object (&f->relay);
  g_clear_object (&f->outbox);
  g_clear_pointer (&f->cert, poste_test_cert_free);
  g_free (f->dir);
  g_free (f->config);
  g_free (f->password_file);
  g_free (f->maildir);
  g_free (f->out);
  g_free (f->err);
}

/* Runs the CLI with --config, @input on its standard input; returns its exit status. */
G_GNUC_NULL_TERMINATED
int
run_cli (Fixture    *f,
         const char *input,
         ...)
{
  g_autoptr(GSubprocessLauncher) launcher =
    poste_test_cli_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                 G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GPtrArray) argv = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  va_list args;

  va_start (args, input);
  argv = poste_test_cli_argv (f->config, va_arg (args, const char *), args);
  va_end (args);

  process = poste_test_cli_communicate (launcher, argv, input != NULL ? input : "", &f->out,
                                        &f->err, &error);
  /* A command refused for its arguments may exit before reading the message it was given: the
   * pipe breaks, which is the child's right, not a failure of the test; its exit status says the
   * rest (its output is lost with the pipe). */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE))
    {
      g_clear_error (&error);
      g_subprocess_wait (process, NULL, &error);
      if (f->out == NULL)
        f->out = g_strdup ("");
      if (f->err == NULL)
        f->err = g_strdup ("");
    }
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_test_message ("%s: exit %d\nstdout: %s\nstderr: %s", (char *) argv->pdata[3],
                  g_subprocess_get_exit_status (process), f->out, f->err);
  return g_subprocess_get_exit_status (process);
}

GPtrArray *
list (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *items = poste_outbox_list (f->outbox, &error);

  g_assert_no_error (error);
  return items;
}

/* The queue, asserted to hold one message, from @sender and (unless %NULL) to @recipients. */
static GPtrArray *
list_only (Fixture            *f,
           const char         *sender,
           const char * const *recipients)
{
  GPtrArray *items = list (f);
  PosteOutboxItem *item;

  g_assert_cmpuint (items->len, ==, 1);
  item = items->pdata[0];
  g_assert_cmpstr (item->sender, ==, sender);
  if (recipients != NULL)
    g_assert_cmpstrv (item->recipients, recipients);
  return items;
}

char *
message_of (Fixture         *f,
            PosteOutboxItem *item)
{
  g_autofree char *path = poste_outbox_dup_message_path (f->outbox, item->id);
  char *data = NULL;

  g_assert_true (g_file_get_contents (path, &data, NULL, NULL));
  return data;
}

static void
test_send (Fixture       *f,
           gconstpointer  data)
{
  const char *message = "From: Alice <alice@example.org>\n"
                        "To: bob@remote.example\n"
                        "Subject: hello\n"
                        "\n"
                        ".\n"
                        "after the dot\n";
  const char *rcpts[] = { "bob@remote.example", "carol@remote.example", NULL };
  g_autoptr(GPtrArray) items = NULL;
  g_autofree char *content = NULL;
  PosteOutboxItem *item;

  /* -oi: the lone dot is content. The exit is the promise: the message is on disk now. */
  g_assert_cmpint (run_cli (f, message, "send", "-f", "alice@example.org", "-oi", "-odi", "-oem",
                            "-F", "Alice", "bob@remote.example, Carol <carol@remote.example>",
                            NULL), ==, 0);
  g_assert_cmpstr (f->out, ==, "");
  items = list_only (f, "alice@example.org", rcpts);
  item = items->pdata[0];
  content = message_of (f, item);
  g_assert_cmpstr (content, ==, message);
  g_assert_true (poste_outbox_remove (f->outbox, item->id, NULL));
  g_clear_pointer (&items, g_ptr_array_unref);
  g_clear_pointer (&content, g_free);

  /* Without -i, a lone dot ends the message, as with sendmail. */
  g_assert_cmpint (run_cli (f, message, "send", "-fbob@example.org", "bob@remote.example", NULL),
                   ==, 0);
  items = list_only (f, "bob@example.org", NULL);
  item = items->pdata[0];
  content = message_of (f, item);
  g_assert_cmpstr (content, ==, "From: Alice <alice@example.org>\nTo: bob@remote.example\n"
                                "Subject: hello\n\n");
}

static void
test_send_t (Fixture       *f,
             gconstpointer  data)
{
  const char *message = "From: \"Alice\" <alice@example.org>\r\n"
                        "To: bob@remote.example\r\n"
                        "Cc: Carol <carol@remote.example>\r\n"
                        "Bcc: dave@remote.example,\r\n"
                        " erin@remote.example\r\n"
                        "Subject: blind\r\n"
                        "\r\n"
                        "Bcc: this is the body\r\n";
  const char *rcpts[] = { "frank@remote.example", "bob@remote.example", "carol@remote.example",
                          "dave@remote.example", "erin@remote.example", NULL };
  g_autoptr(GPtrArray) items = NULL;
  g_autofree char *content = NULL;
  PosteOutboxItem *item;

  g_assert_cmpint (run_cli (f, message, "send", "-t", "-i", "frank@remote.example", NULL), ==, 0);
  items = list_only (f, "alice@example.org", rcpts);
  item = items->pdata[0];
  content = message_of (f, item);
  g_assert_cmpstr (content, ==, "From: \"Alice\" <alice@example.org>\r\n"
                                "To: bob@remote.example\r\n"
                                "Cc: Carol <carol@remote.example>\r\n"
                                "Subject: blind\r\n"
                                "\r\n"
                                "Bcc: this is the body\r\n");
}

/* A message no provider will ever take is still queued (exit 0), but send says why it will
 * wait: no provider's domains hold its sender, or that provider has no submission server. */
static void
test_send_warns (Fixture       *f,
                 gconstpointer  data)
{
  const char *message = "Subject: x\n\nx\n";
  g_autoptr(GPtrArray) items = NULL;
  g_autofree char *text = NULL;

  g_assert_cmpint (run_cli (f, message, "send", "-f", "alice@example.org", "bob@remote.example",
                            NULL), ==, 0);
  g_assert_cmpstr (f->err, ==, "");

  g_assert_cmpint (run_cli (f, message, "send", "-f", "alice@elsewhere.example",
                            "bob@remote.example", NULL), ==, 0);
  g_assert_nonnull (strstr (f->err, "warning: the domain of the sender alice@elsewhere.example "
                                    "is in no provider's domains="));
  g_assert_nonnull (strstr (f->err, f->config));

  text = g_strdup_printf ("[provider nosub]\nhost=127.0.0.1\nusername=" USER "\n"
                          "domains=example.org\ndelivery=maildir:%s\ninterval=0\n", f->maildir);
  g_assert_true (g_file_set_contents (f->config, text, -1, NULL));
  g_assert_cmpint (run_cli (f, message, "send", "-f", "alice@example.org", "bob@remote.example",
                            NULL), ==, 0);
  g_assert_nonnull (strstr (f->err, "warning: provider nosub has no submission server"));

  items = list (f);
  g_assert_cmpuint (items->len, ==, 3);
}

static void
test_send_usage (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GPtrArray) items = NULL;

  g_assert_cmpint (run_cli (f, "Subject: x\n\nx\n", "send", "-f", "alice@example.org", NULL), ==,
                   5);
  g_assert_cmpint (run_cli (f, "Subject: x\n\nx\n", "send", "-t", NULL), ==, 5);
  g_assert_nonnull (strstr (f->err, "no recipients"));
  g_assert_cmpint (run_cli (f, "Subject: x\n\nx\n", "send", "bob@remote.example", NULL), ==, 5);
  g_assert_nonnull (strstr (f->err, "no sender"));
  g_assert_cmpint (run_cli (f, "", "send", "-bs", NULL), ==, 5);
  g_assert_cmpint (run_cli (f, "", "send", "-f", "a b@example.org", "bob@remote.example", NULL),
                   ==, 5);
  g_assert_cmpint (run_cli (f, "", "send", "--help", NULL), ==, 0);
  g_assert_nonnull (strstr (f->out, "-t"));
  items = list (f);
  g_assert_cmpuint (items->len, ==, 0);
}

/* A fetch round that holds no mail and sends the one message queued, from alice@example.org to
 * bob@remote.example: it exits 0 (sending is work done), says so, and the relay took it.
 * Returns what the relay took (transfer full). */
GPtrArray *
fetch_sends_one (Fixture *f)
{
  GPtrArray *accepted;
  PosteTestMessage *m;

  g_assert_cmpint (run_cli (f, NULL, "fetch", NULL), ==, 0);
  g_assert_nonnull (strstr (f->out, "test: outbox: 1 message sent"));
  accepted = poste_test_provider_dup_accepted (f->relay);
  g_assert_cmpuint (accepted->len, ==, 1);
  m = accepted->pdata[0];
  g_assert_cmpstr (m->sender, ==, "alice@example.org");
  g_assert_cmpstr (m->recipients->pdata[0], ==, "bob@remote.example");
  return accepted;
}

/* A fetch round takes the queue to the provider's relay, and says so in the history. */
static void
test_fetch_submits (Fixture       *f,
                    gconstpointer  data)
{
  const char *message = "From: alice@example.org\nTo: bob@remote.example\nSubject: out\n\n"
                        ".dot\nbye\n";
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GPtrArray) accepted = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(PosteHistory) history = NULL;
  g_autoptr(GError) error = NULL;
  PosteTestMessage *m;
  PosteSessionReport *report;
  const char *expected;

  g_assert_cmpint (run_cli (f, message, "send", "-t", NULL), ==, 0);
  g_assert_cmpint (run_cli (f, message, "send", "-f", "zoe@elsewhere.example",
                            "bob@remote.example", NULL), ==, 0);
  items = list (f);
  g_assert_cmpuint (items->len, ==, 2);
  g_clear_pointer (&items, g_ptr_array_unref);

  /* No mail held, but the outbox went out in the same round: work done, exit 0. */
  accepted = fetch_sends_one (f);
  m = accepted->pdata[0];
  expected = "From: alice@example.org\r\nTo: bob@remote.example\r\nSubject: out\r\n\r\n"
             ".dot\r\nbye\r\n";
  g_assert_cmpmem (g_bytes_get_data (m->data, NULL), g_bytes_get_size (m->data), expected,
                   strlen (expected));

  /* The other domain's message waits for its own provider. */
  items = list_only (f, "zoe@elsewhere.example", NULL);

  history = poste_history_new (NULL);
  records = poste_history_list (history, "test", 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (records->len, ==, 1);
  report = records->pdata[0];
  g_assert_cmpuint (report->submitted, ==, 1);
  g_assert_null (report->error);

  /* `history` shows the round as one that sent mail, not as one with no mail. */
  g_assert_cmpint (run_cli (f, NULL, "history", NULL), ==, 0);
  g_assert_nonnull (strstr (f->out, " mail sent "));
  g_assert_null (strstr (f->out, "no mail"));
  g_assert_nonnull (strstr (f->out, "\n    outbox: 1 sent, 0 deferred, 0 returned\n"));
}

/* `history` says for every round what the outbox did: sent, deferred, returned; a round that
 * neither sent nor tried to has no outbox line. */
static void
test_history_outbox (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(PosteHistory) history = poste_history_new (NULL);
  g_autoptr(GError) error = NULL;
  static const struct {
    PosteSessionOutcome outcome;
    guint               messages, submitted, deferred, returned;
  } rounds[] = {
    { POSTE_SESSION_OUTCOME_NO_MAIL, 0, 0, 0, 0 },
    { POSTE_SESSION_OUTCOME_MAIL, 2, 1, 0, 0 },
    { POSTE_SESSION_OUTCOME_NO_MAIL, 0, 0, 2, 1 },
    { POSTE_SESSION_OUTCOME_NO_MAIL, 0, 3, 0, 0 },
  };
  static const char *expected =
    "mail sent | 0\n"
    "    outbox: 3 sent, 0 deferred, 0 returned\n"
    "no mail | 0\n"
    "    outbox: 0 sent, 2 deferred, 1 returned\n"
    "mail | 2\n"
    "    outbox: 1 sent, 0 deferred, 0 returned\n"
    "no mail | 0\n";
  g_auto(GStrv) lines = NULL;
  g_autoptr(GString) seen = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (rounds); i++)
    {
      g_autoptr(PosteSessionReport) report = poste_session_report_new ("test");

      g_clear_pointer (&report->started, g_date_time_unref);
      report->started = g_date_time_new_from_unix_utc (1800000000 + i * 60);
      report->outcome = rounds[i].outcome;
      report->messages = rounds[i].messages;
      report->submitted = rounds[i].submitted;
      report->send_deferred = rounds[i].deferred;
      report->send_returned = rounds[i].returned;
      g_assert_true (poste_history_add (history, report, &error));
      g_assert_no_error (error);
    }
  g_assert_cmpint (run_cli (f, NULL, "history", NULL), ==, 0);
  /* The outcome and the messages column, and the outbox lines, newest first. */
  lines = g_strsplit (f->out, "\n", -1);
  for (guint i = 1; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      if (g_str_has_prefix (lines[i], "    "))
        g_string_append_printf (seen, "%s\n", lines[i]);
      else
        {
          g_auto(GStrv) columns = g_regex_split_simple ("  +", lines[i], 0, 0);

          g_assert_cmpuint (g_strv_length (columns), >=, 4);
          g_string_append_printf (seen, "%s | %s\n", columns[2], columns[3]);
        }
    }
  g_assert_cmpstr (seen->str, ==, expected);
}

static void
test_fetch_without_send (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GPtrArray) accepted = NULL;

  write_config (f, "send-with-fetch=false\n");
  g_assert_cmpint (run_cli (f, "Subject: x\n\nx\n", "send", "-f", "alice@example.org",
                            "bob@remote.example", NULL), ==, 0);
  g_assert_cmpint (run_cli (f, NULL, "fetch", NULL), ==, 1);
  g_assert_null (strstr (f->out, "outbox"));
  accepted = poste_test_provider_dup_accepted (f->relay);
  g_assert_cmpuint (accepted->len, ==, 0);
  items = list (f);
  g_assert_cmpuint (items->len, ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  poste_test_init (&argc, &argv);

#define ADD(path, func) \
  g_test_add ("/outbox/cli/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("send", test_send);
  ADD ("send-t", test_send_t);
  ADD ("send-warns", test_send_warns);
  ADD ("send-usage", test_send_usage);
  ADD ("fetch-submits", test_fetch_submits);
  ADD ("fetch-without-send", test_fetch_without_send);
  ADD ("fetch-bounce", test_fetch_bounce);
  ADD ("history-outbox", test_history_outbox);
  ADD ("run-listener-kill", test_run_listener_kill);
  ADD ("run-listener-bcc", test_run_listener_bcc);
  ADD ("postfix-relayhost", test_postfix_relayhost);
#undef ADD
  return g_test_run ();
}
