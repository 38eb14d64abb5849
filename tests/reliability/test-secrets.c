/* test-secrets.c: the password never appears in a transcript, a history file, a log or the
 * configuration, whatever the SASL mechanism
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * For every mechanism (SCRAM-SHA-256-PLUS, SCRAM-SHA-256, SCRAM-SHA-1, CRAM-MD5, PLAIN, LOGIN;
 * all inside STARTTLS, against the test provider with libgsasl on both sides):
 *  - a session in this process, with every log message captured by a structured log writer
 *    (debug included), its report stored by PosteHistory; then the transcript, the history
 *    files and the captured logs are searched;
 *  - `poste-restante-cli -v fetch` with G_MESSAGES_DEBUG=all, the password in a password-file;
 *    then its standard output and error, the configuration file and every file it left under
 *    the private home directory (history, state; the password-file itself excepted) are
 *    searched.
 * The forms searched: the password itself, its base64 (what LOGIN sends, RFC 4616's sibling),
 * base64 of "\0user\0password" and of "user\0password" (PLAIN, RFC 4616), and each base64 form
 * without its padding.
 */
#include "config.h"

#include <string.h>

#include "poste.h"
#include "poste-history.h"
#include "poste-test-cert.h"
#include "poste-test-provider.h"
#include "poste-test.h"

#define USER "customer"
#define PASSWORD "Secr3t-Xyzzy-pa55phrase!"
#define TIMEOUT 15

static const char *const domains[] = { "example.org", NULL };
static const char *const one_rcpt[] = { "someone@example.org", NULL };

static const char *const mechanisms[] = {
  "SCRAM-SHA-256-PLUS", "SCRAM-SHA-256", "SCRAM-SHA-1", "CRAM-MD5", "PLAIN", "LOGIN",
};

static GPtrArray *forms;                /* the secret's forms, each a string */
static GMutex log_lock;
static GString *log_text;

static void
add_b64 (const char *data,
         gsize       length)
{
  g_autofree char *b64 = g_base64_encode ((const guchar *) data, length);
  char *unpadded = g_strdup (b64);
  gsize n = strlen (unpadded);

  while (n > 0 && unpadded[n - 1] == '=')
    unpadded[--n] = '\0';
  g_ptr_array_add (forms, g_steal_pointer (&b64));
  g_ptr_array_add (forms, unpadded);
}

static void
make_forms (void)
{
  static const char plain[] = "\0" USER "\0" PASSWORD;

  forms = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (forms, g_strdup (PASSWORD));
  add_b64 (PASSWORD, strlen (PASSWORD));
  add_b64 (plain, sizeof plain - 1);
  add_b64 (plain + 1, sizeof plain - 2);
}

/* The form of the secret that @data holds, or NULL. */
static const char *
find_secret (const char *data,
             gsize       length)
{
  for (guint i = 0; i < forms->len; i++)
    if (length > 0 && g_strstr_len (data, length, forms->pdata[i]) != NULL)
      return forms->pdata[i];
  return NULL;
}

/* Fails the test when @data holds any form of the secret. */
static void
assert_no_secret (const char *what,
                  const char *data,
                  gsize       length)
{
  const char *found = find_secret (data, length);

  if (found != NULL)
    g_error ("%s holds the password (as “%s”)", what, found);
}

/* The search finds what it looks for: the wire forms of PLAIN and LOGIN, inside a line. */
static void
test_control (void)
{
  static const char plain[] = "\0" USER "\0" PASSWORD;
  g_autofree char *b64_plain = g_base64_encode ((const guchar *) plain, sizeof plain - 1);
  g_autofree char *b64_login = g_base64_encode ((const guchar *) PASSWORD, strlen (PASSWORD));
  g_autofree char *auth_line = g_strdup_printf ("C: AUTH PLAIN %s", b64_plain);
  g_autofree char *login_line = g_strdup_printf ("C: %s", b64_login);

  g_assert_nonnull (find_secret (auth_line, strlen (auth_line)));
  g_assert_nonnull (find_secret (login_line, strlen (login_line)));
  g_assert_nonnull (find_secret ("x" PASSWORD "y", strlen (PASSWORD) + 2));
  g_assert_null (find_secret ("C: AUTH PLAIN <SASL response redacted>", 37));
}

/* Searches every regular file under @path except @skip. Returns how many files were read. */
static guint
assert_tree_clean (const char *path,
                   const char *skip)
{
  guint count = 0;

  if (skip != NULL && g_str_equal (path, skip))
    return 0;
  if (g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    return 0;
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          count += assert_tree_clean (child, skip);
        }
      return count;
    }
  if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_autofree char *contents = NULL;
      gsize length = 0;

      if (g_file_get_contents (path, &contents, &length, NULL))
        {
          assert_no_secret (path, contents, length);
          count++;
        }
    }
  return count;
}

static GLogWriterOutput
capture_writer (GLogLevelFlags   level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         user_data)
{
  g_mutex_lock (&log_lock);
  for (gsize i = 0; i < n_fields; i++)
    {
      if (fields[i].length < 0)
        g_string_append (log_text, fields[i].value);
      else
        g_string_append_len (log_text, fields[i].value, fields[i].length);
      g_string_append_c (log_text, '\n');
    }
  g_mutex_unlock (&log_lock);
  return g_log_writer_default (level, fields, n_fields, user_data);
}

typedef struct {
  char              *dir;
  PosteTestCert     *cert;
  PosteTestProvider *tp;
  guint16            port;
} Fixture;

static void
fixture_setup (Fixture    *f,
               const char *mechanism)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *faults = g_strdup_printf ("mechanisms=%s", mechanism);

  f->dir = poste_test_make_dir ("secrets");
  f->cert = poste_test_cert_new (f->dir, "provider.test", POSTE_TEST_CERT_NONE, &error);
  g_assert_no_error (error);
  f->tp = poste_test_provider_new ();
  poste_test_provider_set_tls (f->tp, POSTE_TEST_TLS_STARTTLS, f->cert->certificate);
  poste_test_provider_add_account (f->tp, USER, PASSWORD, domains);
  poste_test_provider_set_faults (f->tp, faults, &error);
  g_assert_no_error (error);
  poste_test_provider_add_message (f->tp, "a@sender.example", one_rcpt,
                                   "Subject: secret-free\r\n\r\nHello\r\n", -1);
  f->port = poste_test_provider_start (f->tp, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture *f)
{
  g_autofree char *transcript = poste_test_provider_dup_transcript (f->tp);

  /* The provider's own transcript redacts SASL too; it is the test's, but check it anyway. */
  assert_no_secret ("the test provider's transcript", transcript, strlen (transcript));
  poste_test_provider_stop (f->tp);
  g_clear_object (&f->tp);
  g_clear_pointer (&f->cert, poste_test_cert_free);
  g_free (f->dir);
}

static void
test_session (gconstpointer data)
{
  const char *mechanism = data;
  Fixture f = { 0, };
  g_autoptr(GError) error = NULL;
  g_autoptr(PosteProvider) provider = poste_provider_new ("secrets");
  g_autoptr(PosteSession) session = NULL;
  g_autoptr(PosteDelivery) delivery = NULL;
  g_autoptr(PosteHistory) history = NULL;
  g_autofree char *maildir = NULL;
  g_autofree char *target = NULL;
  g_autofree char *history_dir = NULL;
  g_autofree char *json = NULL;
  PosteSessionReport *report;

  fixture_setup (&f, mechanism);
  maildir = g_build_filename (f.dir, "Maildir", NULL);
  target = g_strdup_printf ("maildir:%s", maildir);
  delivery = poste_delivery_new_for_target (target, &error);
  g_assert_no_error (error);

  poste_provider_set_host (provider, "127.0.0.1");
  poste_provider_set_port (provider, f.port);
  poste_provider_set_username (provider, USER);
  poste_provider_set_domains (provider, domains);
  poste_provider_set_security (provider, POSTE_SECURITY_STARTTLS);
  poste_provider_set_ca_file (provider, f.cert->ca_file);

  g_mutex_lock (&log_lock);
  g_string_truncate (log_text, 0);
  g_mutex_unlock (&log_lock);

  session = poste_session_new (provider, PASSWORD, delivery);
  poste_session_set_timeout (session, TIMEOUT);
  poste_session_set_local_name (session, "customer.example");
  g_assert_true (poste_session_run (session, NULL, &error));
  g_assert_no_error (error);
  report = poste_session_get_report (session);
  g_assert_cmpstr (report->mechanism, ==, mechanism);
  g_assert_cmpuint (report->messages, ==, 1);

  /* The transcript, line by line and whole. */
  g_assert_cmpuint (report->transcript->len, >, 10);
  for (guint i = 0; i < report->transcript->len; i++)
    {
      const char *line = report->transcript->pdata[i];

      g_test_message ("%s", line);
      assert_no_secret ("the transcript", line, strlen (line));
    }

  /* The history record, as stored. */
  history_dir = g_build_filename (f.dir, "history", NULL);
  history = poste_history_new (history_dir);
  g_assert_true (poste_history_add (history, report, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (assert_tree_clean (history_dir, NULL), >=, 1);
  json = poste_session_report_to_json (report, NULL);
  assert_no_secret ("the report as JSON", json, strlen (json));

  /* Everything logged, debug included. */
  g_mutex_lock (&log_lock);
  g_test_message ("%" G_GSIZE_FORMAT " bytes of log captured", log_text->len);
  assert_no_secret ("the log", log_text->str, log_text->len);
  g_mutex_unlock (&log_lock);

  fixture_teardown (&f);
}

static void
test_cli (gconstpointer data)
{
  const char *mechanism = data;
  Fixture f = { 0, };
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *cli = g_build_filename (poste_test_build_root (), "src", "poste-restante-cli",
                                           "poste-restante-cli", NULL);
  g_autofree char *config = NULL;
  g_autofree char *config_text = NULL;
  g_autofree char *password_file = NULL;
  g_autofree char *maildir = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  guint files;

  if (!g_file_test (cli, G_FILE_TEST_IS_EXECUTABLE))
    g_error ("%s is not built", cli);
  fixture_setup (&f, mechanism);
  config = g_build_filename (f.dir, "poste-restante.conf", NULL);
  password_file = g_build_filename (f.dir, "password", NULL);
  maildir = g_build_filename (f.dir, "Maildir", NULL);
  g_assert_true (g_file_set_contents_full (password_file, PASSWORD "\n", -1,
                                           G_FILE_SET_CONTENTS_CONSISTENT, 0600, NULL));
  config_text = g_strdup_printf ("[provider secrets]\n"
                                 "host=127.0.0.1\n"
                                 "port=%u\n"
                                 "security=starttls\n"
                                 "username=" USER "\n"
                                 "domains=example.org\n"
                                 "auth=auto\n"
                                 "delivery=maildir:%s\n"
                                 "interval=0\n"
                                 "ca-file=%s\n"
                                 "password-file=%s\n",
                                 f.port, maildir, f.cert->ca_file, password_file);
  g_assert_true (g_file_set_contents (config, config_text, -1, NULL));

  poste_test_launcher_set_private_dirs (launcher);
  g_subprocess_launcher_setenv (launcher, "G_MESSAGES_DEBUG", "all", TRUE);
  g_subprocess_launcher_setenv (launcher, "DBUS_SESSION_BUS_ADDRESS",
                                "unix:path=/nonexistent/poste-test-bus", TRUE);
  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  process = g_subprocess_launcher_spawn (launcher, &error, cli, "--config", config, "-v", "fetch",
                                         NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_test_message ("stdout:\n%s\nstderr:\n%s", out, err);
  g_assert_true (g_subprocess_get_if_exited (process));
  /* 0: mail delivered, so the whole session ran, AUTH included. */
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
  g_assert_nonnull (strstr (err, "AUTH") != NULL ? err : out);

  assert_no_secret ("poste-restante-cli's standard output", out, strlen (out));
  assert_no_secret ("poste-restante-cli's standard error", err, strlen (err));
  assert_no_secret ("the configuration file", config_text, strlen (config_text));
  /* Everything under the private home (the configuration, history, state, the Maildir), but
   * the password-file, which is the one place the password is meant to be. */
  files = assert_tree_clean (g_get_home_dir (), password_file);
  g_test_message ("%u files searched", files);
  g_assert_cmpuint (files, >=, 3);
  fixture_teardown (&f);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  poste_test_init (&argc, &argv);
  make_forms ();
  log_text = g_string_new (NULL);
  g_log_set_writer_func (capture_writer, NULL, NULL);

  g_test_add_func ("/secrets/control", test_control);
  for (guint i = 0; i < G_N_ELEMENTS (mechanisms); i++)
    {
      g_autofree char *session_path = g_strdup_printf ("/secrets/session/%s", mechanisms[i]);
      g_autofree char *cli_path = g_strdup_printf ("/secrets/cli/%s", mechanisms[i]);

      g_test_add_data_func (session_path, mechanisms[i], test_session);
      g_test_add_data_func (cli_path, mechanisms[i], test_cli);
    }
  status = g_test_run ();
  g_string_free (log_text, TRUE);
  g_ptr_array_unref (forms);
  return status;
}
