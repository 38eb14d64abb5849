/* test-cli.c: poste-restante-cli end to end against the test provider, for every exit status
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs the built binary (POSTE_BUILD_ROOT/src/poste-restante-cli/poste-restante-cli) against a
 * PosteTestProvider on 127.0.0.1 (its own thread, any free port). Passwords come from password
 * files, or from libsecret's file backend (SECRET_BACKEND=file with SECRET_FILE_TEST_PATH and
 * SECRET_FILE_TEST_PASSWORD) so that no D-Bus session or keyring daemon is needed; D-Bus itself
 * is pointed at a socket that does not exist.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "poste-test.h"
#include "poste-test-cert.h"
#include "poste-test-cli.h"
#include "poste-test-provider.h"
#include "poste-error.h"
#include "poste-history.h"

#define USER "customer"
#define PASSWORD "s3cret-Pa55"

typedef struct {
  char              *dir;
  PosteTestCert     *cert;
  PosteTestProvider *provider;
  guint16            port;
  char              *config;
  char              *password_file;
  char              *maildir;
  char              *keyring;
  char              *out;
  char              *err;
} Fixture;

static const char *domains[] = { "example.org", NULL };
static const char *recipients[] = { "alice@example.org", NULL };

static void
add_messages (Fixture *f,
              guint    count)
{
  for (guint i = 0; i < count; i++)
    {
      g_autofree char *data = g_strdup_printf ("From: bob@remote.example\r\n"
                                               "To: alice@example.org\r\n"
                                               "Subject: message %u\r\n"
                                               "\r\n"
                                               "Hello %u.\r\n", i, i);

      poste_test_provider_add_message (f->provider, "bob@remote.example", recipients, data, -1);
    }
}

static void
set_password (Fixture    *f,
              const char *password)
{
  g_autofree char *line = g_strconcat (password, "\n", NULL);

  g_assert_true (g_file_set_contents_full (f->password_file, line, -1,
                                           G_FILE_SET_CONTENTS_CONSISTENT, 0600, NULL));
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *cli = poste_test_cli_path ();

  if (!g_file_test (cli, G_FILE_TEST_IS_EXECUTABLE))
    g_error ("%s is not built", cli);

  f->dir = poste_test_make_dir ("cli");
  f->cert = poste_test_cert_new (f->dir, "provider.test", POSTE_TEST_CERT_NONE, &error);
  g_assert_no_error (error);
  f->provider = poste_test_provider_new ();
  poste_test_provider_set_tls (f->provider, POSTE_TEST_TLS_STARTTLS, f->cert->certificate);
  poste_test_provider_add_account (f->provider, USER, PASSWORD, domains);
  f->port = poste_test_provider_start (f->provider, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (f->port, >, 0);

  poste_test_cli_prepare_files (f->dir, PASSWORD, &f->config, &f->password_file);
  f->maildir = g_build_filename (f->dir, "Maildir", NULL);
  f->keyring = g_build_filename (f->dir, "keyring", NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  poste_test_provider_stop (f->provider);
  g_clear_object (&f->provider);
  g_clear_pointer (&f->cert, poste_test_cert_free);
  g_free (f->dir);
  g_free (f->config);
  g_free (f->password_file);
  g_free (f->maildir);
  g_free (f->keyring);
  g_free (f->out);
  g_free (f->err);
}

/* A configuration with one provider "test" on the test provider; @extra lines are appended to
 * its group (a key given there twice is an error, so the defaults below can be left out with
 * @omit, a key name). */
static void
write_config (Fixture    *f,
              const char *omit,
              const char *extra)
{
  g_autoptr(GString) text = g_string_new ("# written by test-cli\n[provider test]\n");
  g_autofree char *port = g_strdup_printf ("%u", f->port);
  g_autofree char *delivery = g_strconcat ("maildir:", f->maildir, NULL);
  const char *keys[][2] = {
    { "host", "127.0.0.1" },
    { "port", port },
    { "security", "starttls" },
    { "username", USER },
    { "domains", "example.org" },
    { "auth", "auto" },
    { "delivery", delivery },
    { "interval", "0" },
    { "ca-file", f->cert->ca_file },
    { "password-file", f->password_file },
  };

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    if (omit == NULL || strstr (omit, keys[i][0]) == NULL)
      g_string_append_printf (text, "%s=%s\n", keys[i][0], keys[i][1]);
  if (extra != NULL)
    g_string_append (text, extra);
  g_assert_true (g_file_set_contents (f->config, text->str, -1, NULL));
}

/* Runs the CLI with --config and the arguments; returns its exit status. */
G_GNUC_NULL_TERMINATED
static int
run_cli (Fixture    *f,
         const char *first,
         ...)
{
  g_autoptr(GSubprocessLauncher) launcher =
    poste_test_cli_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GPtrArray) argv = NULL;
  g_autoptr(GError) error = NULL;
  va_list args;

  va_start (args, first);
  argv = poste_test_cli_argv (f->config, first, args);
  va_end (args);

  g_subprocess_launcher_setenv (launcher, "SECRET_BACKEND", "file", TRUE);
  g_subprocess_launcher_setenv (launcher, "SECRET_FILE_TEST_PATH", f->keyring, TRUE);
  g_subprocess_launcher_setenv (launcher, "SECRET_FILE_TEST_PASSWORD", "keyring-password", TRUE);

  process = poste_test_cli_communicate (launcher, argv, NULL, &f->out, &f->err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_test_message ("%s %s: exit %d\nstdout:\n%s\nstderr:\n%s", (char *) argv->pdata[0],
                  (char *) argv->pdata[3], g_subprocess_get_exit_status (process), f->out, f->err);
  return g_subprocess_get_exit_status (process);
}

static guint
delivered (Fixture *f)
{
  g_autofree char *new_dir = g_build_filename (f->maildir, "new", NULL);

  return poste_test_count_entries (new_dir);
}

static void
assert_no_secret_in (const char *text)
{
  /* The password, and the base64 of AUTH PLAIN's "\0customer\0password" (RFC 4616). */
  static const char plain[] = "\0" USER "\0" PASSWORD;
  g_autofree char *encoded = g_base64_encode ((const guchar *) plain, sizeof plain - 1);

  g_assert_null (strstr (text, PASSWORD));
  g_assert_null (strstr (text, encoded));
}

static void
test_help (Fixture       *f,
           gconstpointer  data)
{
  static const char * const commands[] = {
    "fetch", "check", "history", "import-fetchmailrc", "run", "send",
  };

  write_config (f, NULL, NULL);
  g_assert_cmpint (run_cli (f, "--help", NULL), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    g_assert_nonnull (strstr (f->out, commands[i]));
  g_assert_nonnull (strstr (f->out, "--config"));
  g_assert_nonnull (strstr (f->out, "--verbose"));

  g_assert_cmpint (run_cli (f, NULL, NULL), ==, POSTE_EXIT_USAGE);
  g_assert_nonnull (strstr (f->err, "no command given"));
  g_assert_cmpint (run_cli (f, "frobnicate", NULL), ==, POSTE_EXIT_USAGE);
  g_assert_nonnull (strstr (f->err, "unknown command 'frobnicate'"));
  g_assert_cmpint (run_cli (f, "fetch", "--no-such-option", NULL), ==, POSTE_EXIT_USAGE);
  g_assert_cmpint (run_cli (f, "fetch", "nobody", NULL), ==, POSTE_EXIT_USAGE);
  g_assert_nonnull (strstr (f->err, "no provider called 'nobody'"));
  g_assert_cmpint (run_cli (f, "check", NULL), ==, POSTE_EXIT_USAGE);
  g_assert_cmpint (run_cli (f, "fetch", "--help", NULL), ==, 0);
  g_assert_nonnull (strstr (f->out, "PROVIDER"));

  /* run takes no argument (it is tested in test-run.c). */
  g_assert_cmpint (run_cli (f, "run", "extra", NULL), ==, POSTE_EXIT_USAGE);
  g_assert_nonnull (strstr (f->err, "unexpected argument 'extra'"));
  /* send is tested in tests/outbox/test-outbox-cli.c; here only a usage error. */
  g_assert_cmpint (run_cli (f, "send", "-bs", NULL), ==, POSTE_EXIT_USAGE);
  g_assert_nonnull (strstr (f->err, "not supported"));
  /* Nothing was fetched by any of this. */
  g_assert_cmpuint (poste_test_provider_get_sessions (f->provider), ==, 0);
}

static void
test_mail (Fixture       *f,
           gconstpointer  data)
{
  g_autofree char *state = NULL;

  add_messages (f, 3);
  write_config (f, NULL, NULL);
  g_assert_cmpint (run_cli (f, "-v", "fetch", NULL), ==, POSTE_EXIT_MAIL);
  g_assert_true (g_str_has_prefix (f->out, "test: 3 messages, "));
  g_assert_nonnull (strstr (f->out, " in "));
  g_assert_cmpuint (delivered (f), ==, 3);
  g_assert_cmpuint (poste_test_provider_count_spooled (f->provider), ==, 0);
  /* -v: the transcript on stderr, without the secret. */
  g_assert_nonnull (strstr (f->err, "test: C: ATRN example.org"));
  assert_no_secret_in (f->err);
  assert_no_secret_in (f->out);

  /* The history has the session. */
  g_assert_cmpint (run_cli (f, "history", NULL), ==, 0);
  g_assert_nonnull (strstr (f->out, "PROVIDER"));
  g_assert_nonnull (strstr (f->out, "test"));
  g_assert_nonnull (strstr (f->out, "mail"));
  g_assert_cmpint (run_cli (f, "-v", "history", "--provider", "test", NULL), ==, 0);
  g_assert_nonnull (strstr (f->err, "ATRN"));
  assert_no_secret_in (f->err);
  /* A provider without sessions (a typo, say) is named, not "No sessions yet." */
  g_assert_cmpint (run_cli (f, "history", "--provider", "tset", NULL), ==, 0);
  g_assert_cmpstr (f->out, ==, "No sessions of provider 'tset' yet.\n");

  /* And nothing on disk holds the secret either. */
  state = g_build_filename (g_get_user_state_dir (), "poste-restante", "history", NULL);
  {
    g_autoptr(GDir) d = g_dir_open (state, 0, NULL);
    const char *name;
    guint records = 0;

    g_assert_nonnull (d);
    while ((name = g_dir_read_name (d)) != NULL)
      {
        g_autofree char *path = g_build_filename (state, name, NULL);
        g_autofree char *text = NULL;

        g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
        assert_no_secret_in (text);
        records++;
      }
    g_assert_cmpuint (records, ==, 1);
  }
}

/* A provider that hands over one message a session (stock Exim over TLS): one fetch drains it,
 * 50 messages in 51 sessions (the last finds nothing), each stored once, exit 0, one record that
 * lists every session; -v shows each session. */
static void
test_drain (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(PosteHistory) history = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;
  PosteSessionReport *record;

  g_assert_true (poste_test_provider_set_faults (f->provider, "per-session=1", &error));
  add_messages (f, 50);
  write_config (f, NULL, NULL);
  g_assert_cmpint (run_cli (f, "-v", "fetch", NULL), ==, POSTE_EXIT_MAIL);
  g_assert_true (g_str_has_prefix (f->out, "test: 50 messages, "));
  g_assert_nonnull (strstr (f->out, "(51 sessions)"));
  g_assert_nonnull (strstr (f->err, "test: *  session 51"));
  g_assert_cmpuint (delivered (f), ==, 50);
  g_assert_cmpuint (poste_test_provider_count_spooled (f->provider), ==, 0);

  history = poste_history_new (NULL);
  records = poste_history_list (history, "test", 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (records->len, ==, 1);
  record = records->pdata[0];
  g_assert_cmpuint (record->messages, ==, 50);
  g_assert_cmpuint (record->sessions->len, ==, 51);
  for (guint i = 0; i < 50; i++)
    g_assert_cmpuint (((PosteSessionReport *) record->sessions->pdata[i])->messages, ==, 1);
}

static void
test_no_mail (Fixture       *f,
              gconstpointer  data)
{
  write_config (f, NULL, NULL);
  g_assert_cmpint (run_cli (f, "fetch", "test", NULL), ==, POSTE_EXIT_NO_MAIL);
  g_assert_cmpstr (f->out, ==, "test: no mail\n");
  g_assert_cmpuint (delivered (f), ==, 0);
}

static void
test_network_refused (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autofree char *extra = NULL;
  g_autoptr(GError) error = NULL;

  /* A port that was free a moment ago and that nobody listens on: bound, not listening. */
  g_assert_true (g_socket_bind (socket, any, FALSE, &error));
  bound = g_socket_get_local_address (socket, &error);
  extra = g_strdup_printf ("port=%u\n",
                           g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  write_config (f, "port", extra);
  g_assert_cmpint (run_cli (f, "fetch", NULL), ==, POSTE_EXIT_NETWORK);
  g_assert_true (g_str_has_prefix (f->out, "test: error: "));
}

static void
test_network_certificate (Fixture       *f,
                          gconstpointer  data)
{
  add_messages (f, 1);
  /* No ca-file: the test CA is not in the system's trust. */
  write_config (f, "ca-file", NULL);
  g_assert_cmpint (run_cli (f, "fetch", NULL), ==, POSTE_EXIT_NETWORK);
  g_assert_true (g_str_has_prefix (f->out, "test: error: "));
  /* ... with what to do about it, since the command line has no trust dialog. */
  g_assert_nonnull (strstr (f->err, "set pinned-sha256= to it in [provider test], or ca-file="));
  g_assert_cmpuint (delivered (f), ==, 0);
  g_assert_cmpuint (poste_test_provider_count_spooled (f->provider), ==, 1);

  /* A pin that does not match. */
  write_config (f, NULL, "pinned-sha256=0000000000000000000000000000000000000000000000000000000000000000\n");
  g_assert_cmpint (run_cli (f, "fetch", NULL), ==, POSTE_EXIT_NETWORK);
  g_assert_nonnull (strstr (f->err, "set pinned-sha256= to it in [provider test]"));
  g_assert_cmpuint (poste_test_provider_count_spooled (f->provider), ==, 1);
}

static void
test_auth (Fixture       *f,
           gconstpointer  data)
{
  add_messages (f, 1);
  set_password (f, "wrong");
  write_config (f, NULL, NULL);
  g_assert_cmpint (run_cli (f, "fetch", NULL), ==, POSTE_EXIT_AUTH);
  g_assert_true (g_str_has_prefix (f->out, "test: error: "));
  g_assert_cmpuint (poste_test_provider_count_spooled (f->provider), ==, 1);
  assert_no_secret_in (f->out);
}

static void
test_no_password (Fixture       *f,
                  gconstpointer  data)
{
  /* Neither a password file nor a keyring item. */
  write_config (f, "password-file", NULL);
  g_assert_cmpint (run_cli (f, "fetch", NULL), ==, POSTE_EXIT_AUTH);
  g_assert_nonnull (strstr (f->out, "test: error: no password for provider 'test'"));
  g_assert_cmpuint (poste_test_provider_get_sessions (f->provider), ==, 0);

  /* check still shows the connection, and says why AUTH could not succeed. */
  g_assert_cmpint (run_cli (f, "check", "test", NULL), ==, POSTE_EXIT_AUTH);
  g_assert_nonnull (strstr (f->out, "AUTH:          not tried: no password for provider 'test'"));
}

static void
test_insecure_password_file (Fixture       *f,
                             gconstpointer  data)
{
  g_assert_cmpint (g_chmod (f->password_file, 0644), ==, 0);
  write_config (f, NULL, NULL);
  g_assert_cmpint (run_cli (f, "fetch", NULL), ==, POSTE_EXIT_USAGE);
  g_assert_nonnull (strstr (f->out, "accessible to others"));
  g_assert_cmpuint (poste_test_provider_get_sessions (f->provider), ==, 0);
}

static void
test_protocol (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  add_messages (f, 1);
  g_assert_true (poste_test_provider_set_faults (f->provider, "reply-code-change", &error));
  g_assert_no_error (error);
  write_config (f, NULL, NULL);
  g_assert_cmpint (run_cli (f, "fetch", NULL), ==, POSTE_EXIT_PROTOCOL);
  g_assert_true (g_str_has_prefix (f->out, "test: error: "));
  g_assert_cmpuint (poste_test_provider_count_spooled (f->provider), ==, 1);
}

static void
test_config_error (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *expected = NULL;
  g_autofree char *missing = NULL;

  /* Line 1 is the comment, 2 the group, 3 to 11 the keys but port: the extra lines are 12, 13. */
  write_config (f, "port", "port=seventy\ncolour=blue\n");
  g_assert_cmpint (run_cli (f, "fetch", NULL), ==, POSTE_EXIT_USAGE);
  expected = g_strdup_printf ("%s:12: key 'port': 'seventy' is not a port number (1 to 65535)\n"
                              "%s:13: key 'colour': unknown key in [provider test]\n",
                              f->config, f->config);
  g_assert_true (g_str_has_suffix (f->err, expected));
  g_assert_cmpuint (poste_test_provider_get_sessions (f->provider), ==, 0);

  g_assert_cmpint (run_cli (f, "check", "test", NULL), ==, POSTE_EXIT_USAGE);
  g_assert_true (g_str_has_suffix (f->err, expected));

  /* No configuration at all. */
  missing = g_build_filename (f->dir, "missing.conf", NULL);
  g_free (f->config);
  f->config = g_strdup (missing);
  g_assert_cmpint (run_cli (f, "fetch", NULL), ==, POSTE_EXIT_USAGE);
  g_assert_nonnull (strstr (f->err, "does not exist"));
}

/* A provider that hangs up: exit 2, and the summary says at which stage (the bare "The peer
 * closed the connection" did not tell a refused login from a dropped delivery). */
static void
test_network_dropped (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  add_messages (f, 1);
  g_assert_true (poste_test_provider_set_faults (f->provider, "drop=auth", &error));
  g_assert_no_error (error);
  write_config (f, NULL, NULL);
  g_assert_cmpint (run_cli (f, "fetch", NULL), ==, POSTE_EXIT_NETWORK);
  g_assert_true (g_str_has_prefix (f->out, "test: error: "));
  g_assert_nonnull (strstr (f->out, " (during authentication)\n"));

  g_assert_true (poste_test_provider_set_faults (f->provider, "drop=atrn", &error));
  g_assert_cmpint (run_cli (f, "fetch", NULL), ==, POSTE_EXIT_NETWORK);
  g_assert_nonnull (strstr (f->out, " (waiting for the answer to ATRN)\n"));
  g_assert_cmpuint (poste_test_provider_count_spooled (f->provider), ==, 1);
}

static void
test_refused (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  add_messages (f, 1);
  g_assert_true (poste_test_provider_set_faults (f->provider, "atrn-reply=450",
                                                 &error));
  g_assert_no_error (error);
  write_config (f, NULL, NULL);
  g_assert_cmpint (run_cli (f, "fetch", NULL), ==, POSTE_EXIT_REFUSED);
  g_assert_true (g_str_has_prefix (f->out, "test: error: "));
  g_assert_cmpuint (poste_test_provider_count_spooled (f->provider), ==, 1);
}

static void
test_delivery (Fixture       *f,
               gconstpointer  data)
{
  add_messages (f, 1);
  /* A Maildir under a regular file: even root cannot make that directory. */
  write_config (f, "delivery", "delivery=maildir:/etc/hostname/Maildir\n");
  g_assert_cmpint (run_cli (f, "-v", "fetch", NULL), ==, POSTE_EXIT_DELIVERY);
  g_assert_true (g_str_has_prefix (f->out, "test: error: "));
  /* The session's own error (no wrapper around the target): the target's reply, described. */
  g_assert_nonnull (strstr (f->out, "451 4.3.0 "));
  /* The provider keeps the message. */
  g_assert_cmpuint (poste_test_provider_count_spooled (f->provider), ==, 1);
}

static void
test_several_providers (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GString) extra = g_string_new (NULL);
  g_autofree char *text = NULL;

  add_messages (f, 2);
  write_config (f, NULL, NULL);
  /* A second provider that cannot be reached: the error wins over the mail of the first. */
  g_assert_true (g_file_get_contents (f->config, &text, NULL, NULL));
  g_string_append (extra, text);
  g_string_append_printf (extra, "\n[provider second]\nhost=127.0.0.1\nport=1\nsecurity=tls\n"
                                 "username=x\ndelivery=maildir:%s\npassword-file=%s\n",
                          f->maildir, f->password_file);
  g_assert_true (g_file_set_contents (f->config, extra->str, -1, NULL));

  g_assert_cmpint (run_cli (f, "fetch", NULL), ==, POSTE_EXIT_NETWORK);
  g_assert_true (g_str_has_prefix (f->out, "test: 2 messages, "));
  g_assert_nonnull (strstr (f->out, "\nsecond: error: "));
  g_assert_cmpuint (delivered (f), ==, 2);

  /* Only the named one. */
  g_assert_cmpint (run_cli (f, "fetch", "test", NULL), ==, POSTE_EXIT_NO_MAIL);
  g_assert_cmpstr (f->out, ==, "test: no mail\n");
}

static char *
format_fingerprint (const char *hex)
{
  GString *out = g_string_new (NULL);

  for (gsize i = 0; hex[i] != '\0'; i++)
    {
      if (i > 0 && i % 2 == 0)
        g_string_append_c (out, ':');
      g_string_append_c (out, g_ascii_toupper (hex[i]));
    }
  return g_string_free (out, FALSE);
}

static void
test_check (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *fingerprint = format_fingerprint (f->cert->sha256);
  g_autofree char *transcript = NULL;

  add_messages (f, 1);
  write_config (f, NULL, NULL);
  g_assert_cmpint (run_cli (f, "check", "test", NULL), ==, 0);
  g_assert_nonnull (strstr (f->out, "Provider:      test (127.0.0.1 port "));
  g_assert_nonnull (strstr (f->out, "TLS:           TLS 1."));
  g_assert_nonnull (strstr (f->out, "Subject:"));
  g_assert_nonnull (strstr (f->out, "Issuer:"));
  g_assert_nonnull (strstr (f->out, "Valid:"));
  g_assert_nonnull (strstr (f->out, fingerprint));
  g_assert_nonnull (strstr (f->out, "ATRN offered:  yes"));
  g_assert_nonnull (strstr (f->out, "AUTH:          succeeded"));
  g_assert_nonnull (strstr (f->out, "SASL:          "));

  /* Never ATRN: the provider still holds the message. */
  g_assert_true (poste_test_provider_wait_sessions (f->provider, 1, 30));
  transcript = poste_test_provider_dup_transcript (f->provider);
  g_assert_null (strstr (transcript, "C: ATRN"));
  g_assert_cmpuint (poste_test_provider_count_spooled (f->provider), ==, 1);

  /* A wrong password: the AUTH result says so, exit 3. */
  set_password (f, "wrong");
  g_assert_cmpint (run_cli (f, "check", "test", NULL), ==, POSTE_EXIT_AUTH);
  g_assert_nonnull (strstr (f->out, "AUTH:          failed: "));

  /* An untrusted certificate: shown, and exit 2. */
  write_config (f, "ca-file", NULL);
  g_assert_cmpint (run_cli (f, "check", "test", NULL), ==, POSTE_EXIT_NETWORK);
  g_assert_nonnull (strstr (f->out, "Error:"));
  g_assert_nonnull (strstr (f->err, "set pinned-sha256= to it in [provider test]"));
}

static void
test_import_and_fetch (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *rc_path = g_build_filename (f->dir, "fetchmailrc", NULL);
  g_autofree char *rc = NULL;
  g_autofree char *text = NULL;
  g_autofree char *fixed = NULL;
  g_autoptr(GString) edited = NULL;

  rc = g_strdup_printf ("# my old setup\n"
                        "set daemon 600\n"
                        "poll 127.0.0.1 proto ODMR service %u\n"
                        "  user \"" USER "\" password \"" PASSWORD "\"\n"
                        "  fetchdomains example.org smtphost localhost/2525\n"
                        "poll pop.example.net proto POP3 user me password x\n",
                        f->port);
  g_assert_true (g_file_set_contents (rc_path, rc, -1, NULL));
  add_messages (f, 2);

  /* A configuration that does not exist yet is created. */
  g_assert_cmpint (run_cli (f, "import-fetchmailrc", rc_path, NULL), ==, 0);
  g_assert_nonnull (strstr (f->out, "imported provider 127.0.0.1: 127.0.0.1 port "));
  g_assert_nonnull (strstr (f->out, "not carried over: "));
  g_assert_nonnull (strstr (f->out, "protocol POP3 is not ODMR"));
  g_assert_nonnull (strstr (f->out, "password of 127.0.0.1 stored in the keyring"));
  assert_no_secret_in (f->out);
  g_assert_true (g_file_get_contents (f->config, &text, NULL, NULL));
  assert_no_secret_in (text);
  g_assert_nonnull (strstr (text, "[provider 127.0.0.1]"));
  g_assert_nonnull (strstr (text, "delivery=smtp://localhost:2525"));
  g_assert_nonnull (strstr (text, "interval=10"));

  /* Point it at a Maildir and trust the test CA, then fetch with the keyring's password. */
  edited = g_string_new (NULL);
  {
    g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

    for (guint i = 0; lines[i] != NULL; i++)
      {
        if (g_str_has_prefix (lines[i], "delivery="))
          g_string_append_printf (edited, "delivery=maildir:%s\nca-file=%s\n"
                                  "route.@example.com=maildir:%s\n", f->maildir,
                                  f->cert->ca_file, f->maildir);
        else if (lines[i][0] != '\0' || lines[i + 1] != NULL)
          g_string_append_printf (edited, "%s\n", lines[i]);
      }
  }
  g_assert_true (g_file_set_contents (f->config, edited->str, -1, NULL));
  g_assert_cmpint (run_cli (f, "fetch", NULL), ==, POSTE_EXIT_MAIL);
  g_assert_true (g_str_has_prefix (f->out, "127.0.0.1: 2 messages, "));
  g_assert_cmpuint (delivered (f), ==, 2);

  /* Importing again replaces the provider, keeping the file's other lines, and what a
   * fetchmailrc cannot say (the CA file, the routes) is kept, and named. */
  g_assert_cmpint (run_cli (f, "import-fetchmailrc", rc_path, NULL), ==, 0);
  g_assert_nonnull (strstr (f->out, "replaced provider 127.0.0.1"));
  g_assert_nonnull (strstr (f->out, "kept in provider 127.0.0.1 from the configuration: "
                                    "ca-file, route.*"));
  g_assert_true (g_file_get_contents (f->config, &fixed, NULL, NULL));
  g_assert_nonnull (strstr (fixed, "[provider 127.0.0.1]"));
  g_assert_nonnull (strstr (fixed, "delivery=smtp://localhost:2525"));
  {
    g_autofree char *ca_line = g_strdup_printf ("ca-file=%s\n", f->cert->ca_file);

    g_assert_nonnull (strstr (fixed, ca_line));
    g_assert_nonnull (strstr (fixed, "route.@example.com=maildir:"));
  }

  /* A file without any ODMR entry imports nothing: exit 5. */
  g_assert_true (g_file_set_contents (rc_path, "poll pop.example.net proto POP3 user me\n", -1, NULL));
  g_assert_cmpint (run_cli (f, "import-fetchmailrc", rc_path, NULL), ==, POSTE_EXIT_USAGE);
  g_assert_nonnull (strstr (f->err, "nothing imported"));
}

int
main (int   argc,
      char *argv[])
{
  poste_test_init (&argc, &argv);

#define ADD(path, func) \
  g_test_add ("/cli/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("help-and-usage", test_help);
  ADD ("exit/0-mail", test_mail);
  ADD ("exit/1-no-mail", test_no_mail);
  ADD ("exit/2-connection-refused", test_network_refused);
  ADD ("exit/2-certificate", test_network_certificate);
  ADD ("exit/2-dropped", test_network_dropped);
  ADD ("exit/3-auth-failed", test_auth);
  ADD ("exit/3-no-password", test_no_password);
  ADD ("exit/4-protocol", test_protocol);
  ADD ("exit/5-config", test_config_error);
  ADD ("exit/5-insecure-password-file", test_insecure_password_file);
  ADD ("exit/7-refused", test_refused);
  ADD ("exit/10-delivery", test_delivery);
  ADD ("several-providers", test_several_providers);
  ADD ("drain", test_drain);
  ADD ("check", test_check);
  ADD ("import-and-fetch", test_import_and_fetch);

#undef ADD

  return g_test_run ();
}
