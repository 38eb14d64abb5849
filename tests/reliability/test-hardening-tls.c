/* test-hardening-tls.c: TLS 1.2 or newer only, for test-hardening.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A provider that negotiates TLS 1.0 or 1.1 (RFC 8996, RFC 8314 section 4.1), by STARTTLS or
 * implicit TLS, is refused before AUTH, in a fetch, in `check` and in the outbox submission, and
 * the command-line tool exits with 2.
 *
 * The old TLS versions come from the standalone test provider run as a child process with
 * G_TLS_GNUTLS_PRIORITY limited to one version: glib-networking reads that variable once per
 * process, so the provider cannot offer TLS 1.0 in this process while the customer here keeps the
 * system's priority. Debian 12's GnuTLS still negotiates TLS 1.0 and 1.1 with an ECDSA
 * certificate signed with SHA-256 (the handshake signs with SHA-1 under TLS 1.0/1.1, which
 * GnuTLS allows for TLS signatures), so the customer really meets the old version.
 */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include "poste.h"
#include "poste-outbox.h"
#include "poste-outbox-submit.h"
#include "poste-test-cert.h"
#include "poste-test.h"
#include "test-hardening.h"

static const char *const domains[] = { "example.org", NULL };

typedef struct {
  char          *dir;
  PosteTestCert *cert;
  GSubprocess   *tool;
  guint16        port;
} OldTls;

/* A provider left behind by a failed assertion would listen for ever: it ends with the test. */
static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

/* Starts the standalone provider in a child process that can negotiate only @version
 * ("TLS1.0", "TLS1.1" or "TLS1.2"), in @mode ("starttls" or "implicit"), as an ODMR provider or
 * a submission relay. */
static void
old_tls_start (OldTls     *t,
               const char *version,
               const char *mode,
               gboolean    submission)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autofree char *tool = g_build_filename (poste_test_build_root (), "tests", "provider",
                                            "poste-test-provider", NULL);
  g_autofree char *priority = g_strdup_printf ("NORMAL:-VERS-ALL:+VERS-%s", version);
  g_autofree char *account = g_strdup_printf ("%s:%s:example.org", USER, PASSWORD);
  g_autoptr(GError) error = NULL;

  t->dir = poste_test_make_dir ("old-tls");
  t->cert = poste_test_cert_new (t->dir, "provider.test", POSTE_TEST_CERT_NONE, &error);
  g_assert_no_error (error);
  g_subprocess_launcher_setenv (launcher, "G_TLS_GNUTLS_PRIORITY", priority, TRUE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  t->tool = g_subprocess_launcher_spawn (launcher, &error, tool, "--tls", mode,
                                         "--cert", t->cert->cert_file,
                                         "--key", t->cert->key_file,
                                         "--account", account, "--timeout", "20",
                                         submission ? "--submission" : NULL, NULL);
  g_assert_no_error (error);
  t->port = poste_test_read_listening_port (t->tool);
}

static void
old_tls_stop (OldTls *t)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_send_signal (t->tool, SIGTERM);
  g_subprocess_wait (t->tool, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&t->tool);
  g_clear_pointer (&t->cert, poste_test_cert_free);
  g_free (t->dir);
}

static PosteProvider *
old_tls_provider (OldTls     *t,
                  const char *mode)
{
  PosteProvider *provider = poste_provider_new ("old");

  poste_provider_set_host (provider, "127.0.0.1");
  poste_provider_set_port (provider, t->port);
  poste_provider_set_username (provider, USER);
  poste_provider_set_domains (provider, domains);
  poste_provider_set_security (provider, g_str_equal (mode, "implicit") ? POSTE_SECURITY_TLS
                                                                        : POSTE_SECURITY_STARTTLS);
  poste_provider_set_ca_file (provider, t->cert->ca_file);
  poste_provider_set_delivery (provider, "maildir:/nonexistent/never-used");
  return provider;
}

/* The refusal names the version, maps to exit status 2 and nothing followed the handshake:
 * after STARTTLS (or the greeting's absence with implicit TLS) the customer said nothing more. */
static void
assert_refused (const GError *error,
                GPtrArray    *transcript,
                const char   *version)
{
  g_autofree char *wanted = g_strdup_printf ("negotiated %s", version);
  const char *last_command = NULL;

  for (guint i = 0; i < transcript->len; i++)
    {
      const char *line = transcript->pdata[i];

      g_test_message ("%s", line);
      if (g_str_has_prefix (line, "C: "))
        last_command = line;
      g_assert_false (g_str_has_prefix (line, "C: AUTH"));
    }
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_MISC);
  g_assert_nonnull (strstr (error->message, wanted));
  g_assert_nonnull (strstr (error->message, "TLS 1.2 or newer"));
  g_assert_cmpint (poste_exit_status_for_error (error), ==, POSTE_EXIT_NETWORK);
  if (last_command != NULL)
    g_assert_cmpstr (last_command, ==, "C: STARTTLS");
}

static void
test_old_tls_session (gconstpointer data)
{
  const char *const *c = data;   /* { version, name in messages, mode } */
  g_autoptr(PosteProvider) provider = NULL;
  g_autoptr(PosteSession) session = NULL;
  g_autoptr(PosteDelivery) delivery = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *maildir = NULL;
  OldTls t = { 0, };

  old_tls_start (&t, c[0], c[2], FALSE);
  provider = old_tls_provider (&t, c[2]);
  maildir = g_build_filename (t.dir, "Maildir", NULL);
  delivery = POSTE_DELIVERY (poste_maildir_delivery_new (maildir));
  session = poste_session_new (provider, PASSWORD, delivery);
  poste_session_set_timeout (session, TIMEOUT);
  poste_session_set_atrn_timeout (session, TIMEOUT);
  poste_session_set_local_name (session, "customer.example");
  g_assert_false (poste_session_run (session, NULL, &error));
  assert_refused (error, poste_session_get_report (session)->transcript, c[1]);
  old_tls_stop (&t);
}

static void
test_old_tls_check (gconstpointer data)
{
  const char *const *c = data;
  g_autoptr(PosteProvider) provider = NULL;
  PosteCheckResult *result;
  OldTls t = { 0, };

  old_tls_start (&t, c[0], c[2], FALSE);
  provider = old_tls_provider (&t, c[2]);
  result = poste_session_check (provider, PASSWORD, TIMEOUT, NULL);
  assert_refused (result->error, result->transcript, c[1]);
  g_assert_false (result->authenticated);
  g_assert_null (result->mechanism);
  poste_check_result_free (result);
  old_tls_stop (&t);
}

/* The outbox's relay: submission over STARTTLS (port 465 would be implicit TLS, which a test
 * cannot bind). */
static void
test_old_tls_submission (gconstpointer data)
{
  const char *const *c = data;
  static const char *const rcpt[] = { "friend@remote.example", NULL };
  g_autoptr(PosteProvider) provider = NULL;
  g_autoptr(PosteOutbox) outbox = NULL;
  g_autoptr(GPtrArray) transcript = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GBytes) head = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *outbox_dir = NULL;
  g_autofree char *submission = NULL;
  g_autofree char *id = NULL;
  PosteOutboxCounts counts = { 0, };
  OldTls t = { 0, };

  old_tls_start (&t, c[0], "starttls", TRUE);
  provider = old_tls_provider (&t, "starttls");
  submission = g_strdup_printf ("127.0.0.1:%u", t.port);
  poste_provider_set_host (provider, "odmr.invalid");
  poste_provider_set_submission (provider, submission);
  outbox_dir = g_build_filename (t.dir, "outbox", NULL);
  outbox = poste_outbox_new (outbox_dir);
  head = g_bytes_new_static (MESSAGE, strlen (MESSAGE));
  id = poste_outbox_enqueue (outbox, "customer@example.org", rcpt, head, NULL, NULL, &error);
  g_assert_no_error (error);

  g_assert_false (poste_outbox_submit (outbox, provider, PASSWORD, POSTE_OUTBOX_SUBMIT_NONE, NULL,
                                       &counts, transcript, &error));
  assert_refused (error, transcript, c[1]);
  g_assert_cmpuint (counts.submitted, ==, 0);
  /* The message waits in the queue for a provider that speaks a safe TLS. */
  items = poste_outbox_list (outbox, NULL);
  g_assert_cmpuint (items->len, ==, 1);
  old_tls_stop (&t);
}

/* The command-line tool: check and fetch exit with 2 and say why. */
static void
test_old_tls_cli (gconstpointer data)
{
  const char *const *c = data;
  static const char *const commands[] = { "check", "fetch" };
  g_autofree char *cli = g_build_filename (poste_test_build_root (), "src", "poste-restante-cli",
                                           "poste-restante-cli", NULL);
  g_autofree char *config = NULL;
  g_autofree char *password_file = NULL;
  g_autofree char *text = NULL;
  g_autofree char *wanted = NULL;
  OldTls t = { 0, };

  old_tls_start (&t, c[0], c[2], FALSE);
  config = g_build_filename (t.dir, "poste-restante.conf", NULL);
  password_file = g_build_filename (t.dir, "password", NULL);
  g_assert_true (g_file_set_contents_full (password_file, PASSWORD "\n", -1,
                                           G_FILE_SET_CONTENTS_CONSISTENT, 0600, NULL));
  text = g_strdup_printf ("[provider old]\nhost=127.0.0.1\nport=%u\nsecurity=%s\n"
                          "username=" USER "\ndomains=example.org\ndelivery=maildir:%s/Maildir\n"
                          "interval=0\nca-file=%s\npassword-file=%s\n",
                          t.port, g_str_equal (c[2], "implicit") ? "tls" : "starttls", t.dir,
                          t.cert->ca_file, password_file);
  g_assert_true (g_file_set_contents (config, text, -1, NULL));
  wanted = g_strdup_printf ("negotiated %s", c[1]);

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_autoptr(GSubprocessLauncher) launcher =
        g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
      g_autoptr(GSubprocess) process = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;

      poste_test_launcher_set_private_dirs (launcher);
      g_subprocess_launcher_setenv (launcher, "DBUS_SESSION_BUS_ADDRESS",
                                    "unix:path=/nonexistent/poste-test-bus", TRUE);
      process = g_subprocess_launcher_spawn (launcher, &error, cli, "--config", config,
                                             commands[i], "old", NULL);
      g_assert_no_error (error);
      g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
      g_assert_no_error (error);
      g_test_message ("%s: exit %d\n%s%s", commands[i], g_subprocess_get_exit_status (process),
                      out, err);
      g_assert_true (g_subprocess_get_if_exited (process));
      g_assert_cmpint (g_subprocess_get_exit_status (process), ==, POSTE_EXIT_NETWORK);
      g_assert_true (strstr (out, wanted) != NULL || strstr (err, wanted) != NULL);
    }
  old_tls_stop (&t);
}

/* The control: the same child provider limited to TLS 1.2 is accepted, so the refusals above
 * come from the version and not from the way the provider is started. */
static void
test_tls12_accepted (void)
{
  g_autoptr(PosteProvider) provider = NULL;
  PosteCheckResult *result;
  OldTls t = { 0, };

  old_tls_start (&t, "TLS1.2", "implicit", FALSE);
  provider = old_tls_provider (&t, "implicit");
  result = poste_session_check (provider, PASSWORD, TIMEOUT, NULL);
  g_assert_no_error (result->error);
  g_assert_cmpstr (result->tls_protocol, ==, "TLS 1.2");
  g_assert_true (result->authenticated);
  poste_check_result_free (result);
  old_tls_stop (&t);
}

static const char *const tls10_starttls[] = { "TLS1.0", "TLS 1.0", "starttls" };
static const char *const tls10_implicit[] = { "TLS1.0", "TLS 1.0", "implicit" };
static const char *const tls11_starttls[] = { "TLS1.1", "TLS 1.1", "starttls" };
static const char *const tls11_implicit[] = { "TLS1.1", "TLS 1.1", "implicit" };

/**
 * hardening_add_tls_tests:
 *
 * Adds the tests of this file, under /hardening/tls/.
 */
void
hardening_add_tls_tests (void)
{
  g_test_add_data_func ("/hardening/tls/1.0/starttls/fetch", tls10_starttls, test_old_tls_session);
  g_test_add_data_func ("/hardening/tls/1.0/implicit/fetch", tls10_implicit, test_old_tls_session);
  g_test_add_data_func ("/hardening/tls/1.1/starttls/fetch", tls11_starttls, test_old_tls_session);
  g_test_add_data_func ("/hardening/tls/1.1/implicit/fetch", tls11_implicit, test_old_tls_session);
  g_test_add_data_func ("/hardening/tls/1.0/starttls/check", tls10_starttls, test_old_tls_check);
  g_test_add_data_func ("/hardening/tls/1.1/implicit/check", tls11_implicit, test_old_tls_check);
  g_test_add_data_func ("/hardening/tls/1.0/submission", tls10_starttls, test_old_tls_submission);
  g_test_add_data_func ("/hardening/tls/1.1/submission", tls11_starttls, test_old_tls_submission);
  g_test_add_data_func ("/hardening/tls/1.0/implicit/cli", tls10_implicit, test_old_tls_cli);
  g_test_add_data_func ("/hardening/tls/1.1/starttls/cli", tls11_starttls, test_old_tls_cli);
  g_test_add_func ("/hardening/tls/1.2-accepted", test_tls12_accepted);
}
