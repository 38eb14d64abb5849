/* test-outbox-cli.c: the outbox end to end through the built poste-restante-cli: send, the
 * listener of run (killed with SIGKILL right after its 250), a fetch round that submits the
 * queue, and Postfix using the listener as its relayhost
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <string.h>

#include "poste-connection.h"
#include "poste-history.h"
#include "poste-outbox.h"
#include "poste-outbox-listener.h"
#include "poste-reply.h"
#include "poste-session.h"
#include "poste-test.h"
#include "poste-test-cert.h"
#include "poste-test-provider.h"
#include "poste-test-services.h"

#define USER "customer"
#define PASSWORD "s3cret-Pa55"

typedef struct {
  char              *dir;
  PosteTestCert     *cert;
  PosteTestProvider *odmr;
  PosteTestProvider *relay;
  guint16            odmr_port;
  guint16            relay_port;
  char              *config;
  char              *password_file;
  char              *maildir;
  PosteOutbox       *outbox;
  char              *out;
  char              *err;
} Fixture;

static const char *domains[] = { "example.org", NULL };

static char *
cli_path (void)
{
  return g_build_filename (poste_test_build_root (), "src", "poste-restante-cli",
                           "poste-restante-cli", NULL);
}

static void
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
  g_autofree char *cli = cli_path ();
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

  f->config = g_build_filename (f->dir, "poste-restante.conf", NULL);
  f->password_file = g_build_filename (f->dir, "password", NULL);
  f->maildir = g_build_filename (f->dir, "Maildir", NULL);
  g_assert_true (g_file_set_contents_full (f->password_file, PASSWORD "\n", -1,
                                           G_FILE_SET_CONTENTS_CONSISTENT, 0600, NULL));
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

static GSubprocessLauncher *
launcher_new (GSubprocessFlags flags)
{
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (flags);

  poste_test_launcher_set_private_dirs (launcher);
  g_subprocess_launcher_setenv (launcher, "DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent",
                                TRUE);
  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  return launcher;
}

/* Runs the CLI with --config, @input on its standard input; returns its exit status. */
G_GNUC_NULL_TERMINATED
static int
run_cli (Fixture    *f,
         const char *input,
         ...)
{
  g_autoptr(GSubprocessLauncher) launcher =
    launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                  G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, cli_path ());
  g_ptr_array_add (argv, g_strdup ("--config"));
  g_ptr_array_add (argv, g_strdup (f->config));
  va_start (args, input);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (args);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_clear_pointer (&f->out, g_free);
  g_clear_pointer (&f->err, g_free);
  g_subprocess_communicate_utf8 (process, input != NULL ? input : "", NULL, &f->out, &f->err,
                                 &error);
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

static GPtrArray *
list (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *items = poste_outbox_list (f->outbox, &error);

  g_assert_no_error (error);
  return items;
}

static char *
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
  items = list (f);
  g_assert_cmpuint (items->len, ==, 1);
  item = items->pdata[0];
  g_assert_cmpstr (item->sender, ==, "alice@example.org");
  g_assert_cmpstrv (item->recipients, rcpts);
  content = message_of (f, item);
  g_assert_cmpstr (content, ==, message);
  g_assert_true (poste_outbox_remove (f->outbox, item->id, NULL));
  g_clear_pointer (&items, g_ptr_array_unref);
  g_clear_pointer (&content, g_free);

  /* Without -i, a lone dot ends the message, as with sendmail. */
  g_assert_cmpint (run_cli (f, message, "send", "-fbob@example.org", "bob@remote.example", NULL),
                   ==, 0);
  items = list (f);
  g_assert_cmpuint (items->len, ==, 1);
  item = items->pdata[0];
  g_assert_cmpstr (item->sender, ==, "bob@example.org");
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
  items = list (f);
  g_assert_cmpuint (items->len, ==, 1);
  item = items->pdata[0];
  g_assert_cmpstr (item->sender, ==, "alice@example.org");
  g_assert_cmpstrv (item->recipients, rcpts);
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
  g_assert_cmpint (run_cli (f, NULL, "fetch", NULL), ==, 0);
  g_assert_nonnull (strstr (f->out, "test: outbox: 1 message sent"));
  accepted = poste_test_provider_dup_accepted (f->relay);
  g_assert_cmpuint (accepted->len, ==, 1);
  m = accepted->pdata[0];
  g_assert_cmpstr (m->sender, ==, "alice@example.org");
  g_assert_cmpstr (m->recipients->pdata[0], ==, "bob@remote.example");
  expected = "From: alice@example.org\r\nTo: bob@remote.example\r\nSubject: out\r\n\r\n"
             ".dot\r\nbye\r\n";
  g_assert_cmpmem (g_bytes_get_data (m->data, NULL), g_bytes_get_size (m->data), expected,
                   strlen (expected));

  /* The other domain's message waits for its own provider. */
  items = list (f);
  g_assert_cmpuint (items->len, ==, 1);
  g_assert_cmpstr (((PosteOutboxItem *) items->pdata[0])->sender, ==, "zoe@elsewhere.example");

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

/* ---- reading a bounce as a mail reader would ---- */

typedef struct {
  char *header;  /* unfolded, one field a line */
  char *body;
} Part;

static void
part_free (gpointer data)
{
  Part *part = data;

  g_free (part->header);
  g_free (part->body);
  g_free (part);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Part, part_free)

/* Splits @text (LF line ends, as a Maildir holds it) at its first empty line; the header is
 * unfolded (RFC 5322 section 2.2.3). */
static Part *
part_parse (const char *text)
{
  Part *part = g_new0 (Part, 1);
  const char *blank = g_str_has_prefix (text, "\n") ? text : strstr (text, "\n\n");
  g_autofree char *header = NULL;
  g_autoptr(GString) unfolded = g_string_new (NULL);

  g_assert_nonnull (blank);
  header = g_strndup (text, blank - text);
  part->body = g_strdup (blank == text ? text + 1 : blank + 2);
  for (const char *p = header; *p != '\0'; p++)
    {
      if (*p == '\n' && (p[1] == ' ' || p[1] == '\t'))
        continue;
      g_string_append_c (unfolded, *p);
    }
  part->header = g_string_free (g_steal_pointer (&unfolded), FALSE);
  return part;
}

/* The value of the first field @name of @part's header, or NULL. */
static char *
part_field (const Part *part,
            const char *name)
{
  g_auto(GStrv) lines = g_strsplit (part->header, "\n", -1);
  gsize length = strlen (name);

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_ascii_strncasecmp (lines[i], name, length) == 0 && lines[i][length] == ':')
      return g_strdup (g_strstrip (lines[i] + length + 1));
  return NULL;
}

/* The parts of a multipart body (RFC 2046 section 5.1.1), in order. */
static GPtrArray *
multipart_parse (const Part *message)
{
  g_autofree char *type = part_field (message, "Content-Type");
  g_autofree char *boundary = NULL;
  g_autofree char *delimiter = NULL;
  g_autofree char *close = NULL;
  g_auto(GStrv) lines = g_strsplit (message->body, "\n", -1);
  GPtrArray *parts = g_ptr_array_new_with_free_func (part_free);
  g_autoptr(GString) current = NULL;
  gboolean closed = FALSE;
  const char *start;

  g_assert_nonnull (type);
  start = strstr (type, "boundary=\"");
  g_assert_nonnull (start);
  start += strlen ("boundary=\"");
  g_assert_nonnull (strchr (start, '"'));
  boundary = g_strndup (start, strchr (start, '"') - start);
  delimiter = g_strconcat ("--", boundary, NULL);
  close = g_strconcat ("--", boundary, "--", NULL);
  for (guint i = 0; lines[i] != NULL && !closed; i++)
    {
      gboolean is_delimiter = g_str_equal (lines[i], delimiter);

      closed = g_str_equal (lines[i], close);
      if ((is_delimiter || closed) && current != NULL)
        {
          /* The line end before a delimiter belongs to the delimiter. */
          if (current->len > 0 && current->str[current->len - 1] == '\n')
            g_string_truncate (current, current->len - 1);
          g_ptr_array_add (parts, part_parse (current->str));
          g_string_free (g_steal_pointer (&current), TRUE);
        }
      if (is_delimiter)
        current = g_string_new (NULL);
      else if (current != NULL)
        g_string_append_printf (current, "%s\n", lines[i]);
    }
  g_assert_true (closed);
  return parts;
}

/* A line of a report is text with no control character and no escape in it: a line end that
 * was made printable instead of removed shows as "\x0d\x0a". */
static void
assert_clean_line (const char *line)
{
  g_assert_nonnull (line);
  g_assert_true (g_utf8_validate (line, -1, NULL));
  g_assert_null (strchr (line, '\\'));
  for (const char *p = line; *p != '\0'; p++)
    g_assert_true ((guchar) *p >= 0x20 && *p != 0x7f);
}

/* The per-recipient blocks of a message/delivery-status body (RFC 3464 section 2.1): each a
 * table of field names to values; the first block is the per-message one. */
static GPtrArray *
delivery_status_parse (const char *body)
{
  g_auto(GStrv) lines = g_strsplit (body, "\n", -1);
  GPtrArray *blocks = g_ptr_array_new_with_free_func ((GDestroyNotify) g_hash_table_unref);
  GHashTable *block = NULL;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *colon;

      if (lines[i][0] == '\0')
        {
          block = NULL;
          continue;
        }
      /* No folded field: each one is exactly one line. */
      g_assert_false (lines[i][0] == ' ' || lines[i][0] == '\t');
      assert_clean_line (lines[i]);
      colon = strstr (lines[i], ": ");
      g_assert_nonnull (colon);
      if (block == NULL)
        {
          block = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
          g_ptr_array_add (blocks, block);
        }
      g_hash_table_insert (block, g_ascii_strdown (lines[i], colon - lines[i]),
                           g_strdup (colon + 2));
    }
  return blocks;
}

static char *
maildir_only_message (const char *maildir)
{
  g_autofree char *new_dir = g_build_filename (maildir, "new", NULL);
  g_autoptr(GDir) dir = g_dir_open (new_dir, 0, NULL);
  g_autofree char *path = NULL;
  char *text = NULL;
  const char *name;

  g_assert_nonnull (dir);
  name = g_dir_read_name (dir);
  g_assert_nonnull (name);
  path = g_build_filename (new_dir, name, NULL);
  g_assert_null (g_dir_read_name (dir));
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  return text;
}

static void
test_fetch_bounce (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(PosteHistory) history = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *new_dir = NULL;

  g_assert_true (poste_test_provider_set_faults (f->relay, "submit-rcpt=550", &error));
  g_assert_cmpint (run_cli (f, "Subject: x\n\nx\n", "send", "-f", "alice@example.org",
                            "nobody@remote.example", "ghost@remote.example", NULL), ==, 0);
  g_assert_cmpint (run_cli (f, NULL, "fetch", NULL), ==, 1);
  g_assert_nonnull (strstr (f->out, "test: outbox: 0 messages sent, 1 returned to the sender"));
  items = list (f);
  g_assert_cmpuint (items->len, ==, 0);
  new_dir = g_build_filename (f->maildir, "new", NULL);
  g_assert_cmpuint (poste_test_dir_count (new_dir), ==, 1);

  /* The bounce, read part by part: the relay's two-line 550 is one clean line in every field
   * and in the readable text, with both of its lines and no escaped line end. */
  {
    g_autofree char *text = maildir_only_message (f->maildir);
    g_autoptr(Part) message = NULL;
    g_autoptr(GPtrArray) parts = NULL;
    g_autoptr(GPtrArray) blocks = NULL;
    g_autofree char *type = NULL;
    g_auto(GStrv) readable = NULL;
    const char *recipients[] = { "nobody@remote.example", "ghost@remote.example" };
    guint found = 0;

    g_assert_null (strstr (text, "\\x0"));
    message = part_parse (text);
    parts = multipart_parse (message);
    g_assert_cmpuint (parts->len, ==, 3);

    type = part_field (parts->pdata[0], "Content-Type");
    g_assert_cmpstr (type, ==, "text/plain; charset=utf-8");
    readable = g_strsplit (((Part *) parts->pdata[0])->body, "\n", -1);
    for (guint i = 0; readable[i] != NULL; i++)
      {
        assert_clean_line (readable[i]);
        for (guint j = 0; j < G_N_ELEMENTS (recipients); j++)
          {
            g_autofree char *expected =
              g_strdup_printf ("  <%s>: 550-5.1.1 Scripted reply to RCPT 550 5.1.1 <%s>: "
                               "refused by the test", recipients[j], recipients[j]);

            if (g_str_equal (readable[i], expected))
              found++;
          }
      }
    g_assert_cmpuint (found, ==, 2);
    g_clear_pointer (&type, g_free);

    type = part_field (parts->pdata[1], "Content-Type");
    g_assert_cmpstr (type, ==, "message/delivery-status");
    blocks = delivery_status_parse (((Part *) parts->pdata[1])->body);
    g_assert_cmpuint (blocks->len, ==, 3);
    g_assert_nonnull (g_hash_table_lookup (blocks->pdata[0], "reporting-mta"));
    g_assert_nonnull (g_hash_table_lookup (blocks->pdata[0], "arrival-date"));
    for (guint j = 0; j < G_N_ELEMENTS (recipients); j++)
      {
        GHashTable *block = blocks->pdata[j + 1];
        g_autofree char *final = g_strdup_printf ("rfc822; %s", recipients[j]);
        g_autofree char *diagnostic =
          g_strdup_printf ("smtp; 550-5.1.1 Scripted reply to RCPT 550 5.1.1 <%s>: refused by "
                           "the test", recipients[j]);

        g_assert_cmpstr (g_hash_table_lookup (block, "final-recipient"), ==, final);
        g_assert_cmpstr (g_hash_table_lookup (block, "action"), ==, "failed");
        g_assert_cmpstr (g_hash_table_lookup (block, "status"), ==, "5.1.1");
        g_assert_cmpstr (g_hash_table_lookup (block, "remote-mta"), ==, "dns; 127.0.0.1");
        g_assert_cmpstr (g_hash_table_lookup (block, "diagnostic-code"), ==, diagnostic);
      }
    g_clear_pointer (&type, g_free);

    type = part_field (parts->pdata[2], "Content-Type");
    g_assert_cmpstr (type, ==, "text/rfc822-headers");
    g_assert_nonnull (strstr (((Part *) parts->pdata[2])->body, "Subject: x\n"));
  }

  /* The user hears of it: the session's record carries the outbox's error. */
  history = poste_history_new (NULL);
  records = poste_history_list (history, "test", 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (records->len, ==, 1);
  g_assert_nonnull (((PosteSessionReport *) records->pdata[0])->error);
  g_assert_true (g_error_matches (((PosteSessionReport *) records->pdata[0])->error,
                                  POSTE_OUTBOX_ERROR, POSTE_OUTBOX_ERROR_BOUNCED) ||
                 strstr (((PosteSessionReport *) records->pdata[0])->error->message,
                         "refused") != NULL);
}

/* ---- SMTP to the listener ---- */

typedef struct {
  GSocketConnection *socket;
  PosteConnection   *conn;
} Client;

static void
client_open (Client  *c,
             guint16  port)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GError) error = NULL;

  g_socket_client_set_enable_proxy (client, FALSE);
  c->socket = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, &error);
  g_assert_no_error (error);
  c->conn = poste_connection_new (G_IO_STREAM (c->socket));
  poste_connection_set_timeout (c->conn, 60);
}

static void
client_close (Client *c)
{
  g_clear_pointer (&c->conn, poste_connection_unref);
  g_clear_object (&c->socket);
}

static guint
say (Client     *c,
     const char *line)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosteReply) reply = NULL;

  if (line != NULL)
    {
      g_assert_true (poste_connection_write (c->conn, line, strlen (line), NULL, &error));
      g_assert_true (poste_connection_write (c->conn, "\r\n", 2, NULL, &error));
      g_assert_true (poste_connection_flush (c->conn, NULL, &error));
    }
  reply = poste_reply_read (c->conn, NULL, &error);
  g_assert_no_error (error);
  return reply->code;
}

/* `run` with [outbox] listen=: a 250 is a promise even to a SIGKILL right after it. */
static void
test_run_listener_kill (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GSubprocessLauncher) launcher = launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                                          G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autofree char *cli = cli_path ();
  g_autofree char *extra = NULL;
  g_autofree char *content = NULL;
  const char *rcpts[] = { "bob@remote.example", NULL };
  Client c = { 0, };
  guint16 port = poste_test_free_port ();

  extra = g_strdup_printf ("[outbox]\nlisten=127.0.0.1\nport=%u\n", port);
  write_config (f, extra);
  process = g_subprocess_launcher_spawn (launcher, &error, cli, "--config", f->config, "run",
                                         NULL);
  g_assert_no_error (error);
  g_assert_true (poste_test_wait_for_port (port, 30));

  client_open (&c, port);
  g_assert_cmpuint (say (&c, NULL), ==, 220);
  g_assert_cmpuint (say (&c, "EHLO mta.example"), ==, 250);
  g_assert_cmpuint (say (&c, "MAIL FROM:<alice@example.org>"), ==, 250);
  g_assert_cmpuint (say (&c, "RCPT TO:<bob@remote.example>"), ==, 250);
  g_assert_cmpuint (say (&c, "DATA"), ==, 354);
  g_assert_cmpuint (say (&c, "Subject: kill\r\n\r\nbody\r\n."), ==, 250);
  g_subprocess_send_signal (process, SIGKILL);
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_signaled (process));
  client_close (&c);

  items = list (f);
  g_assert_cmpuint (items->len, ==, 1);
  g_assert_cmpstr (((PosteOutboxItem *) items->pdata[0])->sender, ==, "alice@example.org");
  g_assert_cmpstrv (((PosteOutboxItem *) items->pdata[0])->recipients, rcpts);
  content = message_of (f, items->pdata[0]);
  g_assert_cmpstr (content, ==, "Subject: kill\r\n\r\nbody\r\n");
}

/* Mail given to `run`'s listener loses its Bcc: as mail given to `send` does; the envelope keeps
 * the blind recipients, and the relay gets the message for all of them. */
static void
test_run_listener_bcc (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GSubprocessLauncher) launcher = launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                                          G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GPtrArray) accepted = NULL;
  g_autofree char *cli = cli_path ();
  g_autofree char *extra = NULL;
  g_autofree char *content = NULL;
  const char *rcpts[] = { "bob@remote.example", "dave@remote.example", "erin@remote.example",
                          NULL };
  const char *expected = "From: alice@example.org\r\n"
                         "To: bob@remote.example\r\n"
                         "Subject: blind\r\n"
                         "\r\n"
                         "Bcc: this line is the body\r\n";
  PosteTestMessage *m;
  Client c = { 0, };
  guint16 port = poste_test_free_port ();

  extra = g_strdup_printf ("[outbox]\nlisten=127.0.0.1\nport=%u\n", port);
  write_config (f, extra);
  process = g_subprocess_launcher_spawn (launcher, &error, cli, "--config", f->config, "run",
                                         NULL);
  g_assert_no_error (error);
  g_assert_true (poste_test_wait_for_port (port, 30));

  client_open (&c, port);
  g_assert_cmpuint (say (&c, NULL), ==, 220);
  g_assert_cmpuint (say (&c, "EHLO mta.example"), ==, 250);
  g_assert_cmpuint (say (&c, "MAIL FROM:<alice@example.org>"), ==, 250);
  for (guint i = 0; rcpts[i] != NULL; i++)
    {
      g_autofree char *rcpt = g_strdup_printf ("RCPT TO:<%s>", rcpts[i]);

      g_assert_cmpuint (say (&c, rcpt), ==, 250);
    }
  g_assert_cmpuint (say (&c, "DATA"), ==, 354);
  g_assert_cmpuint (say (&c, "From: alice@example.org\r\n"
                             "To: bob@remote.example\r\n"
                             "Bcc: dave@remote.example,\r\n"
                             " Erin <erin@remote.example>\r\n"
                             "Subject: blind\r\n"
                             "\r\n"
                             "Bcc: this line is the body\r\n."), ==, 250);
  g_assert_cmpuint (say (&c, "QUIT"), ==, 221);
  client_close (&c);
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
static void
test_postfix_relayhost (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(PosteOutboxListener) listener = poste_outbox_listener_new (f->outbox);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) accepted = NULL;
  g_autofree char *postfix_dir = NULL;
  PosteTestService *postfix;
  PosteTestMessage *m;
  Client c = { 0, };
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

  client_open (&c, postfix_port);
  g_assert_cmpuint (say (&c, NULL), ==, 220);
  g_assert_cmpuint (say (&c, "EHLO client.example"), ==, 250);
  g_assert_cmpuint (say (&c, "MAIL FROM:<alice@example.org>"), ==, 250);
  g_assert_cmpuint (say (&c, "RCPT TO:<bob@remote.example>"), ==, 250);
  g_assert_cmpuint (say (&c, "DATA"), ==, 354);
  g_assert_cmpuint (say (&c, "From: alice@example.org\r\nTo: bob@remote.example\r\n"
                             "Subject: via postfix\r\n\r\n..relayed\r\n."), ==, 250);
  g_assert_cmpuint (say (&c, "QUIT"), ==, 221);
  client_close (&c);

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
  g_assert_cmpint (run_cli (f, NULL, "fetch", NULL), ==, 0);
  g_assert_nonnull (strstr (f->out, "test: outbox: 1 message sent"));
  accepted = poste_test_provider_dup_accepted (f->relay);
  g_assert_cmpuint (accepted->len, ==, 1);
  m = accepted->pdata[0];
  g_assert_cmpstr (m->sender, ==, "alice@example.org");
  g_assert_cmpstr (m->recipients->pdata[0], ==, "bob@remote.example");
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (m->data, NULL), g_bytes_get_size (m->data),
                                  "Subject: via postfix\r\n"));
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (m->data, NULL), g_bytes_get_size (m->data),
                                  "\r\n.relayed\r\n"));
  {
    g_autoptr(GPtrArray) items = list (f);

    g_assert_cmpuint (items->len, ==, 0);
  }
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
