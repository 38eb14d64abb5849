/* test-fetchmailrc.c: importing fetchmail's ODMR poll entries, from three files of the shapes
 * people write (tests/cli/fetchmailrc/)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "poste-test.h"
#include "poste-config.h"
#include "poste-error.h"
#include "poste-fetchmailrc.h"

static PosteFetchmailrc *
parse_fixture (const char *name)
{
  g_autofree char *path = g_build_filename (poste_test_source_root (), "tests", "cli",
                                            "fetchmailrc", name, NULL);
  g_autoptr(GError) error = NULL;
  PosteFetchmailrc *rc = poste_fetchmailrc_parse_file (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (rc);
  for (guint i = 0; i < rc->notes->len; i++)
    g_test_message ("%s", (const char *) rc->notes->pdata[i]);
  return rc;
}

static PosteFetchmailrcEntry *
entry (PosteFetchmailrc *rc,
       guint             i)
{
  g_assert_cmpuint (i, <, rc->entries->len);
  return rc->entries->pdata[i];
}

/* Exactly one note contains every one of the fragments. */
static void
assert_note (PosteFetchmailrc *rc,
             const char       *first,
             ...)
{
  guint found = 0;

  for (guint i = 0; i < rc->notes->len; i++)
    {
      const char *note = rc->notes->pdata[i];
      gboolean all = TRUE;
      va_list args;

      va_start (args, first);
      for (const char *f = first; f != NULL; f = va_arg (args, const char *))
        all &= strstr (note, f) != NULL;
      va_end (args);
      if (all)
        found++;
    }
  if (found != 1)
    {
      for (guint i = 0; i < rc->notes->len; i++)
        g_printerr ("note: %s\n", (const char *) rc->notes->pdata[i]);
      g_error ("%u notes match '%s'", found, first);
    }
}

static void
assert_valid (PosteProvider *provider)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (poste_config_validate_provider (provider, &error));
  g_assert_no_error (error);
}

static void
test_simple (void)
{
  g_autoptr(PosteFetchmailrc) rc = parse_fixture ("simple.fetchmailrc");
  PosteFetchmailrcEntry *e;
  const char *domains[] = { "example.org", "example.com", NULL };

  g_assert_cmpuint (rc->entries->len, ==, 1);
  e = entry (rc, 0);
  g_assert_cmpstr (poste_provider_get_name (e->provider), ==, "odmr.isp.example");
  g_assert_cmpstr (poste_provider_get_host (e->provider), ==, "odmr.isp.example");
  g_assert_cmpuint (poste_provider_get_port (e->provider), ==, 366);
  g_assert_cmpstr (poste_provider_get_username (e->provider), ==, "example.org");
  g_assert_cmpstr (e->password, ==, "sesame");
  g_assert_true (g_strv_equal (poste_provider_get_domains (e->provider), domains));
  g_assert_cmpstr (poste_provider_get_delivery (e->provider), ==, "smtp://localhost:2525");
  g_assert_cmpint (poste_provider_get_security (e->provider), ==, POSTE_SECURITY_STARTTLS);
  g_assert_cmpuint (poste_provider_get_interval (e->provider), ==, 15);
  g_assert_cmpuint (e->line, ==, 5);
  assert_valid (e->provider);

  assert_note (rc, "not carried over: ", ":3: 'set logfile /var/log/fetchmail.log'", NULL);
  assert_note (rc, "note: ", "security=starttls", NULL);
  /* The password never appears in a note. */
  for (guint i = 0; i < rc->notes->len; i++)
    g_assert_null (strstr (rc->notes->pdata[i], "sesame"));
}

static void
test_several (void)
{
  g_autoptr(PosteFetchmailrc) rc = parse_fixture ("several.fetchmailrc");
  PosteFetchmailrcEntry *relay;
  PosteFetchmailrcEntry *secondary;
  PosteFetchmailrcEntry *skipped;
  const char *relay_domains[] = { "shop.example", "bücher.example", NULL };
  const char *secondary_domains[] = { "other.example", NULL };

  /* relay, secondary and the skip entry; the POP3 one stays with fetchmail. */
  g_assert_cmpuint (rc->entries->len, ==, 3);

  relay = entry (rc, 0);
  g_assert_cmpstr (poste_provider_get_name (relay->provider), ==, "relay.example.net");
  g_assert_cmpuint (poste_provider_get_port (relay->provider), ==, 1366);
  g_assert_cmpint (poste_provider_get_security (relay->provider), ==, POSTE_SECURITY_TLS);
  g_assert_cmpstr (poste_provider_get_username (relay->provider), ==, "customer-1");
  g_assert_cmpstr (relay->password, ==, "pa\"ss word!");
  g_assert_cmpstr (poste_provider_get_pinned_sha256 (relay->provider), ==,
                   "0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9");
  g_assert_true (g_strv_equal (poste_provider_get_domains (relay->provider), relay_domains));
  g_assert_cmpstr (poste_provider_get_delivery (relay->provider), ==, "smtp://mail.lan:25");
  g_assert_cmpuint (poste_provider_get_interval (relay->provider), ==, 5);
  assert_valid (relay->provider);

  secondary = entry (rc, 1);
  g_assert_cmpstr (poste_provider_get_name (secondary->provider), ==, "secondary");
  g_assert_cmpstr (poste_provider_get_host (secondary->provider), ==, "odmr2.example.net");
  g_assert_cmpint (poste_provider_get_auth (secondary->provider), ==, POSTE_AUTH_CRAM_MD5);
  g_assert_cmpstr (secondary->password, ==, "secret2");
  g_assert_true (g_strv_equal (poste_provider_get_domains (secondary->provider), secondary_domains));
  g_assert_cmpstr (poste_provider_get_delivery (secondary->provider), ==, "lmtp:/run/dovecot/lmtp");
  /* interval 3 polls of set daemon 300: every 15 minutes. */
  g_assert_cmpuint (poste_provider_get_interval (secondary->provider), ==, 15);
  assert_valid (secondary->provider);

  skipped = entry (rc, 2);
  g_assert_cmpstr (poste_provider_get_name (skipped->provider), ==, "odmr-test.example");
  g_assert_cmpuint (poste_provider_get_interval (skipped->provider), ==, 0);
  g_assert_cmpstr (poste_provider_get_delivery (skipped->provider), ==, "smtp://127.0.0.1:25");
  /* No fetchdomains and a local MTA as the target: that could relay for any domain, so the
   * import does not carry it over (set domains= by hand). */
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (poste_config_validate_provider (skipped->provider, &error));
    g_assert_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_MISSING_KEY);
    g_assert_true (g_str_has_prefix (error->message, "key 'domains': empty"));
  }

  assert_note (rc, "not carried over: ", "poll pop.mailbox.example", "protocol pop3 is not ODMR", NULL);
  assert_note (rc, "not carried over: ", "'set postmaster postmaster'", NULL);
  assert_note (rc, "not carried over: ", "'set no bouncemail'", NULL);
  assert_note (rc, "not carried over: ", "poll relay.example.net", "'smtphost mail.lan/25 backup.lan'",
               "only the first host", NULL);
  assert_note (rc, "not carried over: ", "poll relay.example.net", "'keep'", NULL);
  assert_note (rc, "not carried over: ", "poll relay.example.net", "'is root'", NULL);
  assert_note (rc, "not carried over: ", "poll relay.example.net", "'timeout 120'", NULL);
  assert_note (rc, "not carried over: ", "poll secondary", "'timeout 120'", NULL);
  assert_note (rc, "note: ", "odmr-test.example", "a 'skip' entry", NULL);
  for (guint i = 0; i < rc->notes->len; i++)
    {
      g_assert_null (strstr (rc->notes->pdata[i], "secret2"));
      g_assert_null (strstr (rc->notes->pdata[i], "word!"));
    }
}

static void
test_messy (void)
{
  g_autoptr(PosteFetchmailrc) rc = parse_fixture ("messy.fetchmailrc");
  PosteFetchmailrcEntry *alpha;
  PosteFetchmailrcEntry *beta;

  g_assert_cmpuint (rc->entries->len, ==, 2);

  alpha = entry (rc, 0);
  g_assert_cmpstr (poste_provider_get_name (alpha->provider), ==, "mx.odmr-provider.example");
  g_assert_cmpstr (poste_provider_get_username (alpha->provider), ==, "alpha.example");
  g_assert_cmpstr (alpha->password, ==, "hash#in\tpass");
  g_assert_cmpstr (poste_provider_get_delivery (alpha->provider), ==, "smtp://[::1]:25");
  g_assert_cmpint (poste_provider_get_auth (alpha->provider), ==, POSTE_AUTH_AUTO);
  /* No set daemon: fetchmail ran from cron; fetch on demand. */
  g_assert_cmpuint (poste_provider_get_interval (alpha->provider), ==, 0);
  assert_valid (alpha->provider);

  beta = entry (rc, 1);
  g_assert_cmpstr (poste_provider_get_name (beta->provider), ==, "mx.odmr-provider.example-2");
  g_assert_cmpstr (poste_provider_get_host (beta->provider), ==, "mx.odmr-provider.example");
  g_assert_cmpstr (poste_provider_get_username (beta->provider), ==, "beta.example");
  g_assert_cmpstr (beta->password, ==, "b");
  g_assert_cmpstr (poste_provider_get_delivery (beta->provider), ==, "smtp://192.0.2.25:10025");
  g_assert_null (poste_provider_get_pinned_sha256 (beta->provider));
  assert_valid (beta->provider);

  assert_note (rc, "not carried over: ", "'set syslog'", NULL);
  assert_note (rc, "not carried over: ", "'sslfingerprint d41d8cd98f00b204e9800998ecf8427e'", "SHA-256", NULL);
  assert_note (rc, "not carried over: ", "'sslproto TLS1.2+'", NULL);
  assert_note (rc, "not carried over: ", "'no sslcertck'", "always verified", NULL);
  assert_note (rc, "not carried over: ", "'envelope 1 X-Envelope-To'", NULL);
  assert_note (rc, "no 'set daemon'", "mx.odmr-provider.example-2", NULL);
}

static void
test_syntax_errors (void)
{
  static const struct {
    const char *text;
    const char *message;
  } cases[] = {
    { "poll a proto odmr\n  user \"unterminated\n", "rc:2: a quoted string is not closed" },
    { "user x\n", "rc:1: 'user' outside any poll entry" },
    { "poll a proto odmr user\n", "rc:1: 'user' needs an argument" },
    { "poll a proto odmr password\npoll b\n", "rc:1: 'password' needs an argument" },
    { "poll\n", "rc:1: 'poll' needs a server name" },
    { "set frobnicate\n", "rc:1: 'set' must be followed by a global option" },
    { "poll a proto odmr\n daemon 5\n", "rc:2: 'daemon' is a global option: write 'set daemon'" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PosteFetchmailrc) rc = poste_fetchmailrc_parse (cases[i].text, -1, "rc", &error);

      g_assert_null (rc);
      g_assert_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_PARSE);
      g_assert_cmpstr (error->message, ==, cases[i].message);
    }
}

static void
test_unknown_words (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosteFetchmailrc) rc =
    poste_fetchmailrc_parse ("poll h.example proto odmr user u pass p frobnicate 3\n", -1, "rc", &error);

  g_assert_no_error (error);
  g_assert_cmpuint (rc->entries->len, ==, 1);
  assert_note (rc, "not carried over: ", "rc:1: unknown word 'frobnicate'", NULL);
  assert_note (rc, "not carried over: ", "rc:1: unknown word '3'", NULL);
}

int
main (int   argc,
      char *argv[])
{
  poste_test_init (&argc, &argv);

  g_test_add_func ("/fetchmailrc/simple", test_simple);
  g_test_add_func ("/fetchmailrc/several", test_several);
  g_test_add_func ("/fetchmailrc/messy", test_messy);
  g_test_add_func ("/fetchmailrc/syntax-errors", test_syntax_errors);
  g_test_add_func ("/fetchmailrc/unknown-words", test_unknown_words);

  return g_test_run ();
}
