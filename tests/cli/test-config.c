/* test-config.c: the configuration keyfile: strict validation with file:line: key messages,
 * atomic save round trips, password files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "poste-test.h"
#include "poste-config.h"
#include "poste-error.h"
#include "poste-secrets.h"

static const char good_config[] =
  "# Poste Restante\n"
  "[provider acme]\n"
  "host=odmr.acme.example\n"
  "port=366\n"
  "security=starttls            # starttls | tls | none\n"
  "username=example.org\n"
  "domains=example.org;example.com\n"
  "auth=auto\n"
  "# where the mail goes\n"
  "delivery=maildir:~/Maildir\n"
  "interval=15\n"
  "ca-file=                     # optional PEM bundle\n"
  "pinned-sha256=\n"
  "route.alice@example.org=maildir:~/Maildir-alice\n"
  "route.@example.com=mbox:/var/mail/example-com\n"
  "\n"
  "[provider backup]\n"
  "host=192.0.2.7\n"
  "security=tls\n"
  "port=1366\n"
  "auth=cram-md5\n"
  "domains=backup.example\n"
  "delivery=smtp://127.0.0.1:2525\n"
  "interval=0\n"
  "pinned-sha256=AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89\n"
  "submission=smtp.acme.example:587\n"
  "send-with-fetch=false\n"
  "password-file=~/.config/poste-restante/backup.password\n"
  "\n"
  "[outbox]\n"
  "listen=127.0.0.1\n"
  "port=10025\n";

static void
test_load_good (void)
{
  g_autoptr(PosteConfig) config = poste_config_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *maildir = g_build_filename (g_get_home_dir (), "Maildir", NULL);
  g_autofree char *expected_delivery = g_strconcat ("maildir:", maildir, NULL);
  g_autofree char *password_file = g_build_filename (g_get_home_dir (), ".config", "poste-restante",
                                                     "backup.password", NULL);
  PosteProvider *acme;
  PosteProvider *backup;
  const char * const *domains;
  const char * const *routes;

  g_assert_true (poste_config_load_from_data (config, "/etc/x.conf", good_config, -1, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (poste_config_get_providers (config)), ==, 2);

  acme = poste_config_lookup (config, "acme");
  g_assert_nonnull (acme);
  g_assert_cmpstr (poste_provider_get_host (acme), ==, "odmr.acme.example");
  g_assert_cmpuint (poste_provider_get_port (acme), ==, 366);
  g_assert_cmpint (poste_provider_get_security (acme), ==, POSTE_SECURITY_STARTTLS);
  g_assert_cmpstr (poste_provider_get_username (acme), ==, "example.org");
  domains = poste_provider_get_domains (acme);
  g_assert_cmpuint (g_strv_length ((char **) domains), ==, 2);
  g_assert_cmpstr (domains[0], ==, "example.org");
  g_assert_cmpstr (domains[1], ==, "example.com");
  g_assert_cmpstr (poste_provider_get_delivery (acme), ==, expected_delivery);
  g_assert_null (poste_provider_get_ca_file (acme));
  g_assert_null (poste_provider_get_pinned_sha256 (acme));
  routes = poste_provider_get_routes (acme);
  g_assert_cmpuint (g_strv_length ((char **) routes), ==, 2);
  g_assert_true (g_str_has_prefix (routes[0], "alice@example.org=maildir:/"));
  g_assert_true (g_str_has_suffix (routes[0], "/Maildir-alice"));
  g_assert_cmpstr (routes[1], ==, "@example.com=mbox:/var/mail/example-com");

  backup = poste_config_lookup (config, "backup");
  g_assert_nonnull (backup);
  g_assert_cmpint (poste_provider_get_security (backup), ==, POSTE_SECURITY_TLS);
  g_assert_cmpint (poste_provider_get_auth (backup), ==, POSTE_AUTH_CRAM_MD5);
  g_assert_cmpuint (poste_provider_get_interval (backup), ==, 0);
  g_assert_cmpstr (poste_provider_get_pinned_sha256 (backup), ==,
                   "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789");
  g_assert_false (poste_provider_get_send_with_fetch (backup));
  g_assert_cmpstr (poste_provider_get_password_file (backup), ==, password_file);
  g_assert_cmpstr (poste_provider_get_submission (backup), ==, "smtp.acme.example:587");

  g_assert_cmpstr (poste_config_get_outbox_listen (config), ==, "127.0.0.1");
  g_assert_cmpuint (poste_config_get_outbox_port (config), ==, 10025);
  g_assert_null (poste_config_lookup (config, "nobody"));
  g_assert_cmpint (poste_provider_get_mode (acme), ==, POSTE_MODE_ATRN);
}

typedef struct {
  const char *text;
  const char *message;
  int code;
} BadCase;

static const BadCase bad_cases[] = {
  { "[provider a]\nhost=h.example\ndelivery=mbox:/m\ncolour=blue\n",
    "/c/x.conf:4: key 'colour': unknown key in [provider a]", POSTE_CONFIG_ERROR_UNKNOWN_KEY },
  { "[provider a]\nhost=h.example\ndelivery=mbox:/m\nport=0\n",
    "/c/x.conf:4: key 'port': '0' is not a port number (1 to 65535)", POSTE_CONFIG_ERROR_INVALID_VALUE },
  { "[provider a]\nhost=h.example\ndelivery=mbox:/m\nport=36x6\n",
    "/c/x.conf:4: key 'port': '36x6' is not a port number (1 to 65535)", POSTE_CONFIG_ERROR_INVALID_VALUE },
  { "\n\n[provider a]\ndelivery=mbox:/m\n",
    "/c/x.conf:3: key 'host': missing in [provider a] (every provider needs the provider's host name)",
    POSTE_CONFIG_ERROR_MISSING_KEY },
  { "[provider a]\nhost=h.example\ndelivery=mbox:/m\ndomains=example.org;exa mple.com\n",
    "/c/x.conf:4: key 'domains': 'exa mple.com' is not a valid domain name",
    POSTE_CONFIG_ERROR_INVALID_VALUE },
  { "[provider a]\nhost=h.example\ndelivery=mbox:/m\ndomains=-bad.example\n",
    "/c/x.conf:4: key 'domains': '-bad.example' is not a valid domain name",
    POSTE_CONFIG_ERROR_INVALID_VALUE },
  /* Caught here, with the line, not by the session after signing in. */
  { "[provider a]\nhost=h.example\ndelivery=mbox:/m\ndomains=example.org.\n",
    "/c/x.conf:4: key 'domains': 'example.org.' ends with a dot; ATRN takes the domain without it",
    POSTE_CONFIG_ERROR_INVALID_VALUE },
  { "[provider a]\nhost=h.example\ndelivery=mbox:/m\ndomains=\360\237\222\251.la\n",
    "/c/x.conf:4: key 'domains': '\360\237\222\251.la' is not a valid domain name for ATRN: "
    "The domain \342\200\234\\360\\237\\222\\251.la\342\200\235 cannot be converted to ASCII: "
    "string contains a disallowed character", POSTE_CONFIG_ERROR_INVALID_VALUE },
  { "[provider a]\nhost=h.example\ndelivery=mbox:/m\ndomains=192.0.2.1\n",
    "/c/x.conf:4: key 'domains': '192.0.2.1' is an address, not a domain name",
    POSTE_CONFIG_ERROR_INVALID_VALUE },
  /* An invalid escape: GKeyFile returns a value and an error; the value is not used. */
  { "[provider a]\nhost=h.example\ndelivery=smtp:\\/127.0.0.1:25\n",
    "/c/x.conf:3: key 'delivery': a backslash must start one of the escapes \\s, \\t, \\n, "
    "\\r or \\\\", POSTE_CONFIG_ERROR_INVALID_VALUE },
  /* Never a relay: a target that relays needs domains to hold recipients to. */
  { "[provider a]\nhost=h.example\ndelivery=smtp://127.0.0.1:25\ndomains=\n",
    "/c/x.conf:4: key 'domains': empty, but the target smtp://127.0.0.1:25 relays (SMTP or LMTP): "
    "without domains it could pass mail for any domain on; list the domains this provider holds "
    "mail for", POSTE_CONFIG_ERROR_MISSING_KEY },
  { "\n[provider a]\nhost=h.example\ndelivery=mbox:/m\nroute.@example.org=lmtp://127.0.0.1:24\n",
    "/c/x.conf:2: key 'domains': empty, but the target lmtp://127.0.0.1:24 relays (SMTP or LMTP): "
    "without domains it could pass mail for any domain on; list the domains this provider holds "
    "mail for", POSTE_CONFIG_ERROR_MISSING_KEY },
  { "[provider a]\nhost=h.example\ndelivery=mbox:/m\nsecurity=ssl\n",
    "/c/x.conf:4: key 'security': 'ssl' is not one of starttls, tls, none",
    POSTE_CONFIG_ERROR_INVALID_VALUE },
  { "[provider a]\nhost=h.example\ndelivery=mbox:/m\nauth=gssapi\n",
    "/c/x.conf:4: key 'auth': 'gssapi' is not one of auto, scram-sha-256, scram-sha-1, cram-md5, "
    "plain, login, external", POSTE_CONFIG_ERROR_INVALID_VALUE },
  { "[provider a]\nhost=h.example\ndelivery=pop3://x\n",
    "/c/x.conf:3: key 'delivery': 'pop3://x' is not a delivery target (smtp://HOST:PORT, "
    "lmtp://HOST:PORT, lmtp:/SOCKET, mbox:/PATH, maildir:/PATH or mda:/PROGRAM ARGS)",
    POSTE_CONFIG_ERROR_INVALID_VALUE },
  { "[provider a]\nhost=h.example\ndelivery=maildir:Mail\n",
    "/c/x.conf:3: key 'delivery': 'Mail' is not an absolute path (start it with '/' or '~/')",
    POSTE_CONFIG_ERROR_INVALID_VALUE },
  { "[provider a]\nhost=h.example\ndelivery=mbox:/m\ninterval=soon\n",
    "/c/x.conf:4: key 'interval': 'soon' is not a number of minutes (0 to 10080, 0 for on demand only)",
    POSTE_CONFIG_ERROR_INVALID_VALUE },
  { "[provider a]\nhost=h.example\ndelivery=mbox:/m\npinned-sha256=abcd\n",
    "/c/x.conf:4: key 'pinned-sha256': 'abcd' is not a SHA-256 fingerprint (64 hex digits, colons allowed)",
    POSTE_CONFIG_ERROR_INVALID_VALUE },
  { "[provider a]\nhost=h.example\ndelivery=mbox:/m\nmode=turn\n",
    "/c/x.conf:4: key 'mode': 'turn' is not one of atrn, etrn", POSTE_CONFIG_ERROR_INVALID_VALUE },
  { "[provider a]\nhost=h.example\ndelivery=mbox:/m\nmode=etrn\n",
    "/c/x.conf:4: key 'domains': missing: mode=etrn needs the domains to ask for",
    POSTE_CONFIG_ERROR_MISSING_KEY },
  { "[provider a]\nhost=h.example\ndelivery=mbox:/m\nsend-with-fetch=yes\n",
    "/c/x.conf:4: key 'send-with-fetch': 'yes' is not true or false", POSTE_CONFIG_ERROR_INVALID_VALUE },
  { "[provider a]\nhost=h.example\ndelivery=mbox:/m\nroute.nobody=mbox:/n\n",
    "/c/x.conf:4: key 'route.nobody': 'nobody' is neither an address nor '@domain'",
    POSTE_CONFIG_ERROR_INVALID_VALUE },
  { "[provider a]\nhost=h.example\ndelivery=mbox:/m\nhost=other.example\n",
    "/c/x.conf:4: key 'host': duplicate key (first on line 2)", POSTE_CONFIG_ERROR_PARSE },
  { "host=h.example\n[provider a]\n",
    "/c/x.conf:1: key 'host': outside any group (a [provider NAME] line must come first)",
    POSTE_CONFIG_ERROR_PARSE },
  { "[provider a]\nhost=h.example\ndelivery=mbox:/m\nthis is not a key\n",
    "/c/x.conf:4: 'this is not a key' is not a key=value line, a [group] or a comment",
    POSTE_CONFIG_ERROR_PARSE },
  { "[provider a]\nhost=h.example\ndelivery=mbox:/m\n[server b]\n",
    "/c/x.conf:4: group '[server b]': unknown group (expected [provider NAME] or [outbox])",
    POSTE_CONFIG_ERROR_UNKNOWN_KEY },
  { "[provider a b]\nhost=h.example\ndelivery=mbox:/m\n",
    "/c/x.conf:1: group '[provider a b]': 'a b' is not a valid provider name (letters, digits, '.', '_', '-', '+', '@')",
    POSTE_CONFIG_ERROR_INVALID_VALUE },
  { "[outbox]\nlisten=0.0.0.0\n",
    "/c/x.conf:2: key 'listen': '0.0.0.0' is not a loopback address (127.0.0.1 or ::1): the "
    "listener takes mail without authentication", POSTE_CONFIG_ERROR_INVALID_VALUE },
  { "[outbox]\nlisten=localhost\n",
    "/c/x.conf:2: key 'listen': 'localhost' is not an IP address (the listener binds loopback)",
    POSTE_CONFIG_ERROR_INVALID_VALUE },
  { "[provider a]\nhost=h.example\ndelivery=mbox:/m\nsubmission=smtp.example:99999\n",
    "/c/x.conf:4: key 'submission': '99999' is not a port number (1 to 65535)",
    POSTE_CONFIG_ERROR_INVALID_VALUE },
  { "[provider a]\nhost=h.example\ndelivery=mbox:/m\nauth=external\n",
    "/c/x.conf:4: key 'client-certificate': missing: auth=external needs a client certificate",
    POSTE_CONFIG_ERROR_MISSING_KEY },
  { "[provider a]\nhost=h.example\ndelivery=mbox:/m\nactive-hours=8-18\n",
    "/c/x.conf:4: key 'active-hours': '8-18' is not HH:MM-HH:MM (local time, 00:00 to 23:59)",
    POSTE_CONFIG_ERROR_INVALID_VALUE },
  { "[provider a]\nhost=h.example\ndelivery=mbox:/m\nhost[fr]=x.example\n",
    "/c/x.conf:4: key 'host[fr]': unknown key in [provider a]", POSTE_CONFIG_ERROR_UNKNOWN_KEY },
  { "[provider a]\nhost=[odmr.example]\ndelivery=mbox:/m\n",
    "/c/x.conf:2: key 'host': '[odmr.example]' is not an IPv6 address; write an IPv6 address "
    "without brackets, as host=::1", POSTE_CONFIG_ERROR_INVALID_VALUE },
  { "[provider a]\nhost=h.ex\xff" "ample\ndelivery=mbox:/m\n",
    "/c/x.conf:2: not valid UTF-8 text", POSTE_CONFIG_ERROR_PARSE },
};

/* host=[::1], as in a URL, is the address ::1. */
static void
test_load_ipv6_brackets (void)
{
  g_autoptr(PosteConfig) config = poste_config_new ();
  g_autoptr(GError) error = NULL;
  PosteProvider *provider;

  g_assert_true (poste_config_load_from_data (config, "/c/x.conf",
                                              "[provider six]\nhost=[::1]\ndelivery=mbox:/m\n",
                                              -1, &error));
  g_assert_no_error (error);
  provider = poste_config_lookup (config, "six");
  g_assert_nonnull (provider);
  g_assert_cmpstr (poste_provider_get_host (provider), ==, "::1");
}

static void
test_load_bad (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (bad_cases); i++)
    {
      g_autoptr(PosteConfig) config = poste_config_new ();
      g_autoptr(GError) error = NULL;

      g_test_message ("case %u: %s", i, bad_cases[i].message);
      g_assert_false (poste_config_load_from_data (config, "/c/x.conf", bad_cases[i].text, -1,
                                                   &error));
      g_assert_error (error, POSTE_CONFIG_ERROR, bad_cases[i].code);
      g_assert_cmpstr (error->message, ==, bad_cases[i].message);
      /* Nothing half-loaded. */
      g_assert_cmpuint (g_list_model_get_n_items (poste_config_get_providers (config)), ==, 0);
    }
}

/* A file saved by an editor that writes a UTF-8 byte order mark loads as the same text. */
static void
test_load_bom (void)
{
  g_autoptr(PosteConfig) config = poste_config_new ();
  g_autoptr(GError) error = NULL;
  PosteProvider *provider;

  g_assert_true (poste_config_load_from_data (config, "/c/x.conf",
                                              "\xef\xbb\xbf[provider a]\r\nhost=h.example\r\n"
                                              "delivery=mbox:/m\r\n", -1, &error));
  g_assert_no_error (error);
  provider = poste_config_lookup (config, "a");
  g_assert_nonnull (provider);
  g_assert_cmpstr (poste_provider_get_host (provider), ==, "h.example");
}

static void
test_load_all_errors (void)
{
  static const char text[] =
    "[provider a]\n"
    "host=h.example\n"
    "delivery=mbox:/m\n"
    "port=seventy\n"
    "colour=blue\n"
    "[provider b]\n"
    "delivery=mbox:/m\n";
  g_autoptr(PosteConfig) config = poste_config_new ();
  g_autoptr(GError) error = NULL;

  g_assert_false (poste_config_load_from_data (config, "f.conf", text, -1, &error));
  g_assert_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INVALID_VALUE);
  g_assert_cmpstr (error->message, ==,
                   "f.conf:4: key 'port': 'seventy' is not a port number (1 to 65535)\n"
                   "f.conf:5: key 'colour': unknown key in [provider a]\n"
                   "f.conf:6: key 'host': missing in [provider b] (every provider needs the "
                   "provider's host name)");
}

static void
test_load_file (void)
{
  g_autofree char *dir = poste_test_make_dir ("config");
  g_autofree char *path = g_build_filename (dir, "poste-restante.conf", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing.conf", NULL);
  g_autoptr(PosteConfig) config = poste_config_new ();
  g_autoptr(GError) error = NULL;

  g_assert_false (poste_config_load (config, missing, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (path, "[provider a]\nhost=h.example\nport=x\ndelivery=mbox:/m\n", -1, NULL));
  g_assert_false (poste_config_load (config, path, &error));
  g_assert_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INVALID_VALUE);
  g_assert_true (g_str_has_prefix (error->message, path));
  g_assert_nonnull (strstr (error->message, ":3: key 'port': "));
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (path, good_config, -1, NULL));
  g_assert_true (poste_config_load (config, path, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (poste_config_get_path (config), ==, path);
}

static void
test_save_round_trip (void)
{
  g_autofree char *dir = poste_test_make_dir ("config");
  g_autofree char *path = g_build_filename (dir, "sub", "poste-restante.conf", NULL);
  g_autoptr(PosteConfig) config = poste_config_new ();
  g_autoptr(PosteConfig) again = poste_config_new ();
  g_autoptr(PosteProvider) added = poste_provider_new ("new-one");
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  const char *domains[] = { "example.net", NULL };
  const char *routes[] = { "bob@example.net=mbox:/var/mail/bob", NULL };
  GStatBuf st;
  PosteProvider *acme;

  g_assert_true (poste_config_load_from_data (config, path, good_config, -1, &error));
  g_assert_no_error (error);

  /* Change one thing, add a provider, remove one. */
  acme = poste_config_lookup (config, "acme");
  poste_provider_set_interval (acme, 30);
  poste_provider_set_host (added, "odmr.example.net");
  poste_provider_set_delivery (added, "smtp://127.0.0.1:25");
  poste_provider_set_domains (added, domains);
  poste_provider_set_routes (added, routes);
  poste_provider_set_mode (added, POSTE_MODE_ETRN);
  poste_config_add_provider (config, added);
  g_assert_true (poste_config_remove_provider (config, "backup"));
  g_assert_false (poste_config_remove_provider (config, "backup"));

  g_assert_true (poste_config_save (config, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  /* Comments and values as written stay. */
  g_assert_nonnull (strstr (text, "# Poste Restante\n"));
  g_assert_nonnull (strstr (text, "# where the mail goes\n"));
  g_assert_nonnull (strstr (text, "delivery=maildir:~/Maildir\n"));
  g_assert_nonnull (strstr (text, "route.alice@example.org=maildir:~/Maildir-alice\n"));
  g_assert_nonnull (strstr (text, "security=starttls            # starttls | tls | none\n"));
  g_assert_nonnull (strstr (text, "interval=30\n"));
  {
    const char *acme_group = strstr (text, "[provider acme]");
    const char *next_group = strstr (acme_group + 1, "\n[");
    g_autofree char *section = g_strndup (acme_group, next_group - acme_group);

    g_assert_null (strstr (section, "interval=15"));
    g_assert_nonnull (strstr (section, "interval=30"));
  }
  g_assert_null (strstr (text, "[provider backup]"));
  g_assert_nonnull (strstr (text, "[provider new-one]\nhost=odmr.example.net\n"));
  g_assert_nonnull (strstr (text, "route.bob@example.net=mbox:/var/mail/bob\n"));
  /* The mode is written when it is not the default (ATRN), and only then. */
  g_assert_nonnull (strstr (text, "domains=example.net\nmode=etrn\n"));
  g_assert_null (strstr (text, "mode=atrn"));
  /* No temporary file left behind. */
  {
    g_autofree char *sub = g_path_get_dirname (path);
    g_autoptr(GDir) d = g_dir_open (sub, 0, NULL);
    guint count = 0;

    while (g_dir_read_name (d) != NULL)
      count++;
    g_assert_cmpuint (count, ==, 1);
  }

  /* What was saved loads back to the same model. */
  g_assert_true (poste_config_load (again, path, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (poste_config_get_providers (again)), ==, 2);
  {
    PosteProvider *a = poste_config_lookup (again, "acme");
    PosteProvider *n = poste_config_lookup (again, "new-one");

    g_assert_cmpuint (poste_provider_get_interval (a), ==, 30);
    g_assert_cmpstr (poste_provider_get_delivery (a), ==, poste_provider_get_delivery (acme));
    g_assert_true (g_strv_equal (poste_provider_get_routes (a), poste_provider_get_routes (acme)));
    g_assert_cmpstr (poste_provider_get_host (n), ==, "odmr.example.net");
    g_assert_true (g_strv_equal (poste_provider_get_domains (n), domains));
    g_assert_true (g_strv_equal (poste_provider_get_routes (n), routes));
    g_assert_cmpuint (poste_provider_get_port (n), ==, 366);
    g_assert_cmpint (poste_provider_get_mode (n), ==, POSTE_MODE_ETRN);
    g_assert_cmpint (poste_provider_get_mode (a), ==, POSTE_MODE_ATRN);
  }

  /* An invalid provider is not saved; the file stays as it was. */
  {
    g_autoptr(PosteProvider) broken = poste_provider_new ("broken");
    g_autofree char *before = NULL;
    g_autofree char *after = NULL;

    poste_provider_set_delivery (broken, "mbox:/m");
    poste_config_add_provider (again, broken);
    g_assert_true (g_file_get_contents (path, &before, NULL, NULL));
    g_assert_false (poste_config_save (again, NULL, &error));
    g_assert_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_MISSING_KEY);
    g_assert_nonnull (strstr (error->message, "key 'host'"));
    g_assert_true (g_file_get_contents (path, &after, NULL, NULL));
    g_assert_cmpstr (before, ==, after);
  }
}

static void
test_expand (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *home = poste_config_expand_path ("~", &error);
  g_autofree char *sub = poste_config_expand_path ("~/a/b", &error);
  g_autofree char *target = poste_config_expand_target ("mda:~/bin/deliver -f %F", &error);
  g_autofree char *expected_sub = g_build_filename (g_get_home_dir (), "a", "b", NULL);
  g_autofree char *expected_target = g_strconcat ("mda:", g_get_home_dir (), "/bin/deliver -f %F", NULL);
  char *other;

  g_assert_no_error (error);
  g_assert_cmpstr (home, ==, g_get_home_dir ());
  g_assert_cmpstr (sub, ==, expected_sub);
  g_assert_cmpstr (target, ==, expected_target);

  other = poste_config_expand_path ("~root/x", &error);
  g_assert_null (other);
  g_assert_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INVALID_VALUE);
}

static void
test_domains_idn (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *ascii = NULL;

  g_assert_true (poste_config_check_domain ("bücher.example", &ascii, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (ascii, ==, "xn--bcher-kva.example");
  g_assert_false (poste_config_check_domain ("a..example", NULL, NULL));
  g_assert_false (poste_config_check_domain ("[192.0.2.1]", NULL, NULL));
  g_assert_false (poste_config_check_domain ("under_score.example", NULL, NULL));
}

static void
write_password_file (const char *path,
                     const char *content,
                     int         mode)
{
  g_assert_true (g_file_set_contents (path, content, -1, NULL));
  g_assert_cmpint (g_chmod (path, mode), ==, 0);
}

/* The other rules between keys, as a load says them (above), for an editor's provider. */
static void
test_validate_rules (void)
{
  g_autoptr(PosteProvider) provider = poste_provider_new ("p");
  g_autoptr(GError) error = NULL;
  const char *domains[] = { "example.org", NULL };

  poste_provider_set_host (provider, "odmr.example");
  poste_provider_set_delivery (provider, "maildir:/var/mail/m");
  poste_provider_set_mode (provider, POSTE_MODE_ETRN);
  g_assert_false (poste_config_validate_provider (provider, &error));
  g_assert_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_MISSING_KEY);
  g_assert_cmpstr (error->message, ==, "key 'domains': missing: mode=etrn needs the domains to ask for");
  g_clear_error (&error);
  poste_provider_set_domains (provider, domains);
  g_assert_true (poste_config_validate_provider (provider, &error));
  g_assert_no_error (error);

  poste_provider_set_auth (provider, POSTE_AUTH_EXTERNAL);
  g_assert_false (poste_config_validate_provider (provider, &error));
  g_assert_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_MISSING_KEY);
  g_assert_cmpstr (error->message, ==, "key 'client-certificate': missing: auth=external needs a client certificate");
  g_clear_error (&error);
  poste_provider_set_client_certificate (provider, "/etc/ssl/me.pem");
  g_assert_true (poste_config_validate_provider (provider, &error));
  g_assert_no_error (error);
}

/* An editor's or an import's provider: the same rule, named by its key. */
static void
test_validate_relay_without_domains (void)
{
  g_autoptr(PosteProvider) provider = poste_provider_new ("p");
  g_autoptr(GError) error = NULL;
  const char *domains[] = { "example.org", NULL };
  const char *none[] = { NULL };
  const char *routes[] = { "bob@example.org=smtp://127.0.0.1:2525", NULL };

  poste_provider_set_host (provider, "odmr.example");
  poste_provider_set_delivery (provider, "maildir:/var/mail/m");
  g_assert_true (poste_config_validate_provider (provider, &error));
  g_assert_no_error (error);

  poste_provider_set_routes (provider, routes);
  g_assert_false (poste_config_validate_provider (provider, &error));
  g_assert_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_MISSING_KEY);
  g_assert_true (g_str_has_prefix (error->message, "key 'domains': empty, but the target "
                                                   "smtp://127.0.0.1:2525 relays"));
  g_clear_error (&error);

  poste_provider_set_domains (provider, domains);
  g_assert_true (poste_config_validate_provider (provider, &error));
  g_assert_no_error (error);

  poste_provider_set_routes (provider, none);
  poste_provider_set_domains (provider, none);
  poste_provider_set_delivery (provider, "lmtp:/run/dovecot/lmtp");
  g_assert_false (poste_config_validate_provider (provider, &error));
  g_assert_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_MISSING_KEY);
}

static void
test_password_file (void)
{
  g_autofree char *dir = poste_test_make_dir ("secrets");
  g_autofree char *path = g_build_filename (dir, "password", NULL);
  g_autoptr(GError) error = NULL;
  char *password;

  write_password_file (path, "s3cret\n", 0600);
  password = poste_secrets_read_password_file (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (password, ==, "s3cret");
  poste_secrets_free_password (password);

  write_password_file (path, "with space\r\n", 0400);
  password = poste_secrets_read_password_file (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (password, ==, "with space");
  poste_secrets_free_password (password);

  /* Readable by the group, by others: refused. */
  write_password_file (path, "s3cret\n", 0640);
  g_assert_null (poste_secrets_read_password_file (path, &error));
  g_assert_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INSECURE);
  g_assert_nonnull (strstr (error->message, "chmod 600"));
  g_clear_error (&error);
  write_password_file (path, "s3cret\n", 0604);
  g_assert_null (poste_secrets_read_password_file (path, &error));
  g_assert_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INSECURE);
  g_clear_error (&error);

  /* Not a regular file. */
  g_assert_null (poste_secrets_read_password_file (dir, &error));
  g_assert_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INSECURE);
  g_clear_error (&error);

  /* Owned by someone else (we run as root in CI: chown works there). */
  if (getuid () == 0)
    {
      write_password_file (path, "s3cret\n", 0600);
      g_assert_cmpint (chown (path, 12345, 12345), ==, 0);
      g_assert_null (poste_secrets_read_password_file (path, &error));
      g_assert_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INSECURE);
      g_clear_error (&error);
      g_assert_cmpint (chown (path, 0, 0), ==, 0);
    }

  /* Empty, or more than one line. */
  write_password_file (path, "\n", 0600);
  g_assert_null (poste_secrets_read_password_file (path, &error));
  g_assert_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INVALID_VALUE);
  g_clear_error (&error);
  write_password_file (path, "a\nb\n", 0600);
  g_assert_null (poste_secrets_read_password_file (path, &error));
  g_assert_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INVALID_VALUE);
  g_clear_error (&error);

  /* Missing. */
  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_null (poste_secrets_read_password_file (path, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_clear_error (&error);

  /* Through the provider: the file wins over the keyring. */
  {
    g_autoptr(PosteProvider) provider = poste_provider_new ("p");

    write_password_file (path, "from-file\n", 0600);
    poste_provider_set_password_file (provider, path);
    password = poste_secrets_get_password_sync (provider, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (password, ==, "from-file");
    poste_secrets_free_password (password);

    poste_provider_set_password_file (provider, NULL);
    poste_provider_set_auth (provider, POSTE_AUTH_EXTERNAL);
    g_assert_null (poste_secrets_get_password_sync (provider, NULL, &error));
    g_assert_no_error (error);
  }
}

int
main (int   argc,
      char *argv[])
{
  poste_test_init (&argc, &argv);

  g_test_add_func ("/config/load/good", test_load_good);
  g_test_add_func ("/config/load/bad", test_load_bad);
  g_test_add_func ("/config/load/ipv6-brackets", test_load_ipv6_brackets);
  g_test_add_func ("/config/load/bom", test_load_bom);
  g_test_add_func ("/config/load/all-errors", test_load_all_errors);
  g_test_add_func ("/config/load/file", test_load_file);
  g_test_add_func ("/config/save/round-trip", test_save_round_trip);
  g_test_add_func ("/config/expand", test_expand);
  g_test_add_func ("/config/domains/idn", test_domains_idn);
  g_test_add_func ("/config/password-file", test_password_file);
  g_test_add_func ("/config/validate/relay-without-domains", test_validate_relay_without_domains);
  g_test_add_func ("/config/validate/rules", test_validate_rules);

  return g_test_run ();
}
