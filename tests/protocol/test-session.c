/* test-session.c: the ODMR session (PosteSession) against the test provider
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every scenario runs a real session over loopback TCP (127.0.0.1) against PosteTestProvider,
 * with real TLS (GnuTLS test certificates) and real SASL (libgsasl on both sides). The delivery
 * target is a small in-memory PosteDelivery written here (test-only: the real targets are tested
 * in tests/delivery).
 */
#include "config.h"

#include <string.h>

#include "poste.h"
#include "poste-test-cert.h"
#include "poste-test-provider.h"
#include "poste-test.h"
#include "test-memory-delivery.h"

#define USER "customer"
#define PASSWORD "s3cret-Pa55word"
#define TIMEOUT 15

/* ---- The fixture ---- */

typedef struct {
  char               *dir;
  PosteTestCert      *cert;
  PosteTestProvider  *tp;
  guint16             port;
  PosteProvider      *provider;
  TestDelivery       *delivery;
  PosteSession       *session;
} Fixture;

static const char *const domains[] = { "example.org", NULL };
static const char *const one_rcpt[] = { "someone@example.org", NULL };
static const char *const two_rcpts[] = { "first@example.org", "second@example.org", NULL };

#define MESSAGE_1 "From: a@sender.example\r\nTo: someone@example.org\r\nSubject: one\r\n\r\nHello\r\n"
#define MESSAGE_2 "From: b@sender.example\r\nSubject: two\r\n\r\n.leading dot\r\n..two dots\r\n.\r\nend\r\n"

static void
fixture_setup (Fixture    *f,
               PosteTestTls tls,
               const char *faults)
{
  g_autoptr(GError) error = NULL;

  f->dir = poste_test_make_dir ("session");
  f->cert = poste_test_cert_new (f->dir, "provider.test", POSTE_TEST_CERT_NONE, &error);
  g_assert_no_error (error);

  f->tp = poste_test_provider_new ();
  poste_test_provider_set_tls (f->tp, tls, tls != POSTE_TEST_TLS_NONE ? f->cert->certificate : NULL);
  poste_test_provider_add_account (f->tp, USER, PASSWORD, domains);
  if (faults != NULL)
    {
      poste_test_provider_set_faults (f->tp, faults, &error);
      g_assert_no_error (error);
    }

  f->provider = poste_provider_new ("test");
  poste_provider_set_host (f->provider, "127.0.0.1");
  poste_provider_set_username (f->provider, USER);
  poste_provider_set_domains (f->provider, domains);
  switch (tls)
    {
    case POSTE_TEST_TLS_STARTTLS:
      poste_provider_set_security (f->provider, POSTE_SECURITY_STARTTLS);
      poste_provider_set_ca_file (f->provider, f->cert->ca_file);
      break;
    case POSTE_TEST_TLS_IMPLICIT:
      poste_provider_set_security (f->provider, POSTE_SECURITY_TLS);
      poste_provider_set_ca_file (f->provider, f->cert->ca_file);
      break;
    case POSTE_TEST_TLS_NONE:
    default:
      poste_provider_set_security (f->provider, POSTE_SECURITY_NONE);
      break;
    }
  f->delivery = test_delivery_new ();
}

static void
fixture_start (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  f->port = poste_test_provider_start (f->tp, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (f->port, >, 0);
  poste_provider_set_port (f->provider, f->port);
  f->session = poste_session_new (f->provider, PASSWORD, POSTE_DELIVERY (f->delivery));
  poste_session_set_timeout (f->session, TIMEOUT);
  poste_session_set_atrn_timeout (f->session, TIMEOUT);
  poste_session_set_local_name (f->session, "customer.example");
}

static void
fixture_teardown (Fixture *f)
{
  PosteSessionReport *report = f->session != NULL ? poste_session_get_report (f->session) : NULL;

  for (guint i = 0; report != NULL && i < report->transcript->len; i++)
    g_test_message ("%s", (const char *) report->transcript->pdata[i]);

  /* The transcript never holds the password, in clear or in base64. */
  if (report != NULL)
    {
      g_autofree char *b64 = g_base64_encode ((const guchar *) PASSWORD, strlen (PASSWORD));

      for (guint i = 0; i < report->transcript->len; i++)
        {
          const char *line = report->transcript->pdata[i];

          g_assert_null (strstr (line, PASSWORD));
          g_assert_null (strstr (line, b64));
          g_assert_true (g_str_has_prefix (line, "C: ") || g_str_has_prefix (line, "S: ") ||
                         g_str_has_prefix (line, "*  "));
        }
    }
  poste_test_provider_stop (f->tp);
  g_clear_object (&f->session);
  g_clear_object (&f->tp);
  g_clear_object (&f->provider);
  g_clear_object (&f->delivery);
  g_clear_pointer (&f->cert, poste_test_cert_free);
  g_free (f->dir);
}

static gboolean
run (Fixture  *f,
     GError  **error)
{
  return poste_session_run (f->session, NULL, error);
}

static gboolean
transcript_has (Fixture    *f,
                const char *prefix)
{
  PosteSessionReport *report = poste_session_get_report (f->session);

  for (guint i = 0; i < report->transcript->len; i++)
    if (g_str_has_prefix (report->transcript->pdata[i], prefix))
      return TRUE;
  return FALSE;
}

/* The reason given for the first message returned to its sender, or none when @prefix is NULL. */
static void
assert_returned_reason (const PosteSessionReport *report,
                        const char               *prefix)
{
  g_autofree char *reason = poste_session_report_dup_returned_reason (report);

  if (prefix == NULL)
    g_assert_null (reason);
  else
    {
      g_assert_nonnull (reason);
      g_assert_true (g_str_has_prefix (reason, prefix));
    }
}

/* The message as delivered, without our Received: header (which must come first). */
static char *
delivered_body (Fixture *f,
                guint    index)
{
  gsize n;
  const char *data;
  const char *end_of_received;
  GBytes *bytes;

  g_assert_cmpuint (index, <, f->delivery->messages->len);
  bytes = f->delivery->messages->pdata[index];
  data = g_bytes_get_data (bytes, &n);
  g_assert_true (g_str_has_prefix (data, "Received: from "));
  g_assert_nonnull (g_strstr_len (data, n, "by customer.example (Poste Restante) with "));
  /* The header ends at the first line that does not start with a tab. */
  end_of_received = data;
  do
    {
      end_of_received = g_strstr_len (end_of_received, n - (end_of_received - data), "\r\n");
      g_assert_nonnull (end_of_received);
      end_of_received += 2;
    }
  while (*end_of_received == '\t');
  return g_strndup (end_of_received, n - (end_of_received - data));
}

/* ---- Scenarios ---- */

static void
test_starttls_ca_file (void)
{
  Fixture f = { 0, };
  g_autoptr(GError) error = NULL;
  g_autofree char *body1 = NULL;
  g_autofree char *body2 = NULL;
  PosteSessionReport *report;
  g_autoptr(GPtrArray) accepted = NULL;

  fixture_setup (&f, POSTE_TEST_TLS_STARTTLS, NULL);
  poste_test_provider_add_message (f.tp, "a@sender.example", one_rcpt, MESSAGE_1, -1);
  poste_test_provider_add_message (f.tp, "b@sender.example", one_rcpt, MESSAGE_2, -1);
  fixture_start (&f);

  g_assert_true (run (&f, &error));
  g_assert_no_error (error);

  report = poste_session_get_report (f.session);
  g_assert_nonnull (report);
  g_assert_cmpint (report->outcome, ==, POSTE_SESSION_OUTCOME_MAIL);
  g_assert_cmpuint (report->messages, ==, 2);
  g_assert_cmpuint (report->refused, ==, 0);
  g_assert_nonnull (report->tls);
  g_assert_true (g_str_has_prefix (report->tls, "TLS 1."));
  g_assert_cmpstr (report->mechanism, ==, "SCRAM-SHA-256");
  g_assert_cmpuint (poste_session_get_messages (f.session), ==, 2);
  g_assert_cmpint (poste_session_get_state (f.session), ==, POSTE_SESSION_STATE_DONE);

  g_assert_cmpuint (f.delivery->messages->len, ==, 2);
  body1 = delivered_body (&f, 0);
  body2 = delivered_body (&f, 1);
  g_assert_cmpstr (body1, ==, MESSAGE_1);
  /* Exact dot-unstuffing: the provider stuffed the dots, we removed exactly those. */
  g_assert_cmpstr (body2, ==, MESSAGE_2);
  g_assert_cmpuint (report->bytes, ==, strlen (MESSAGE_1) + strlen (MESSAGE_2));
  g_assert_cmpuint (f.delivery->closes, ==, 1);

  /* The provider removed them from its spool after our 250. */
  g_assert_cmpuint (poste_test_provider_count_spooled (f.tp), ==, 0);
  accepted = poste_test_provider_dup_accepted (f.tp);
  g_assert_cmpuint (accepted->len, ==, 2);

  /* EHLO again after TLS; the SASL exchange is redacted. */
  g_assert_true (transcript_has (&f, "C: STARTTLS"));
  g_assert_true (transcript_has (&f, "C: AUTH SCRAM-SHA-256 <SASL response redacted>"));
  g_assert_true (transcript_has (&f, "C: <SASL response redacted>"));
  g_assert_true (transcript_has (&f, "C: ATRN example.org"));
  g_assert_true (transcript_has (&f, "C: 220 customer.example"));
  fixture_teardown (&f);
}

static void
test_implicit_tls (void)
{
  Fixture f = { 0, };
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;

  fixture_setup (&f, POSTE_TEST_TLS_IMPLICIT, NULL);
  poste_test_provider_add_message (f.tp, "a@sender.example", one_rcpt, MESSAGE_1, -1);
  fixture_start (&f);

  g_assert_true (run (&f, &error));
  g_assert_no_error (error);
  g_assert_false (transcript_has (&f, "C: STARTTLS"));
  g_assert_nonnull (poste_session_get_report (f.session)->tls);
  body = delivered_body (&f, 0);
  g_assert_cmpstr (body, ==, MESSAGE_1);
  g_assert_cmpuint (poste_test_provider_count_spooled (f.tp), ==, 0);
  fixture_teardown (&f);
}

static void
test_pinned (gconstpointer data)
{
  gboolean match = GPOINTER_TO_INT (data);
  Fixture f = { 0, };
  g_autoptr(GError) error = NULL;
  GTlsCertificate *peer;
  g_autofree char *peer_sha = NULL;
  g_autoptr(GByteArray) der = NULL;

  fixture_setup (&f, POSTE_TEST_TLS_STARTTLS, NULL);
  poste_test_provider_add_message (f.tp, "a@sender.example", one_rcpt, MESSAGE_1, -1);
  /* No CA file: only the pin can make this certificate acceptable. */
  poste_provider_set_ca_file (f.provider, NULL);
  if (match)
    {
      g_autofree char *upper = g_ascii_strup (f.cert->sha256, -1);
      poste_provider_set_pinned_sha256 (f.provider, upper);
    }
  else
    poste_provider_set_pinned_sha256 (f.provider,
      "0000000000000000000000000000000000000000000000000000000000000000");
  fixture_start (&f);

  if (match)
    {
      g_assert_true (run (&f, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (f.delivery->messages->len, ==, 1);
      g_assert_cmpuint (poste_test_provider_count_spooled (f.tp), ==, 0);
    }
  else
    {
      g_assert_false (run (&f, &error));
      g_assert_error (error, POSTE_SESSION_ERROR, POSTE_SESSION_ERROR_CERTIFICATE);
      g_assert_cmpint (poste_session_get_report (f.session)->outcome, ==,
                       POSTE_SESSION_OUTCOME_FAILED);
      g_assert_cmpuint (f.delivery->messages->len, ==, 0);
      g_assert_cmpuint (poste_test_provider_count_spooled (f.tp), ==, 1);
    }

  /* The peer certificate is kept either way (for the trust dialog). */
  peer = poste_session_get_peer_certificate (f.session);
  g_assert_nonnull (peer);
  g_object_get (peer, "certificate", &der, NULL);
  peer_sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, der->data, der->len);
  g_assert_cmpstr (peer_sha, ==, f.cert->sha256);
  fixture_teardown (&f);
}

static void
test_pin_beats_ca (void)
{
  Fixture f = { 0, };
  g_autoptr(GError) error = NULL;

  /* The CA file vouches for the certificate, but a pin names another one: refused. */
  fixture_setup (&f, POSTE_TEST_TLS_STARTTLS, NULL);
  poste_provider_set_pinned_sha256 (f.provider,
    "ab:cd:ef:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00");
  fixture_start (&f);

  g_assert_false (run (&f, &error));
  g_assert_error (error, POSTE_SESSION_ERROR, POSTE_SESSION_ERROR_CERTIFICATE);
  g_assert_nonnull (strstr (error->message, "pinned"));
  fixture_teardown (&f);
}

static void
test_untrusted (void)
{
  Fixture f = { 0, };
  g_autoptr(GError) error = NULL;

  fixture_setup (&f, POSTE_TEST_TLS_STARTTLS, NULL);
  poste_provider_set_ca_file (f.provider, NULL);
  fixture_start (&f);

  g_assert_false (run (&f, &error));
  g_assert_error (error, POSTE_SESSION_ERROR, POSTE_SESSION_ERROR_CERTIFICATE);
  g_assert_nonnull (poste_session_get_peer_certificate (f.session));
  g_assert_false (transcript_has (&f, "C: AUTH"));
  fixture_teardown (&f);
}

static void
test_expired (gconstpointer data)
{
  gboolean pinned = GPOINTER_TO_INT (data);
  Fixture f = { 0, };
  g_autoptr(GError) error = NULL;
  g_autofree char *expired_dir = NULL;
  g_autoptr(PosteTestCert) expired = NULL;

  fixture_setup (&f, POSTE_TEST_TLS_NONE, NULL);
  expired_dir = poste_test_make_dir ("expired");
  expired = poste_test_cert_new (expired_dir, "provider.test", POSTE_TEST_CERT_EXPIRED, &error);
  g_assert_no_error (error);
  poste_test_provider_set_tls (f.tp, POSTE_TEST_TLS_STARTTLS, expired->certificate);
  poste_test_provider_add_message (f.tp, "a@sender.example", one_rcpt, MESSAGE_1, -1);
  poste_provider_set_security (f.provider, POSTE_SECURITY_STARTTLS);
  poste_provider_set_ca_file (f.provider, expired->ca_file);
  /* A pin names one certificate the user chose to trust, whatever its CA and dates. */
  if (pinned)
    poste_provider_set_pinned_sha256 (f.provider, expired->sha256);
  fixture_start (&f);

  if (pinned)
    {
      g_assert_true (run (&f, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (f.delivery->messages->len, ==, 1);
    }
  else
    {
      g_assert_false (run (&f, &error));
      g_assert_error (error, POSTE_SESSION_ERROR, POSTE_SESSION_ERROR_CERTIFICATE);
      g_assert_nonnull (strstr (error->message, "expired"));
    }
  fixture_teardown (&f);
}

static void
test_wrong_host (void)
{
  Fixture f = { 0, };
  g_autoptr(GError) error = NULL;

  /* The certificate names provider.test and 127.0.0.1, not localhost. */
  fixture_setup (&f, POSTE_TEST_TLS_IMPLICIT, NULL);
  poste_provider_set_host (f.provider, "localhost");
  fixture_start (&f);

  g_assert_false (run (&f, &error));
  g_assert_error (error, POSTE_SESSION_ERROR, POSTE_SESSION_ERROR_CERTIFICATE);
  g_assert_nonnull (strstr (error->message, "another host"));
  fixture_teardown (&f);
}

/* An IPv6 literal the certificate does not name is refused the same way as a name or an IPv4
 * address: not a TLS error from the depths. */
static void
test_wrong_host_ipv6 (gconstpointer data)
{
  PosteTestTls tls = GPOINTER_TO_INT (data);
  Fixture f = { 0, };
  g_autoptr(GError) error = NULL;

  /* The certificate names provider.test and 127.0.0.1, not ::1. */
  fixture_setup (&f, tls, NULL);
  poste_test_provider_set_ipv6 (f.tp, TRUE);
  poste_provider_set_host (f.provider, "::1");
  fixture_start (&f);

  g_assert_false (run (&f, &error));
  g_test_message ("%s", error->message);
  g_assert_error (error, POSTE_SESSION_ERROR, POSTE_SESSION_ERROR_CERTIFICATE);
  g_assert_nonnull (strstr (error->message, "issued for another host"));
  fixture_teardown (&f);
}

static void
test_tls_required (gconstpointer data)
{
  Fixture f = { 0, };
  g_autoptr(GError) error = NULL;

  fixture_setup (&f, POSTE_TEST_TLS_STARTTLS, data);
  poste_test_provider_add_message (f.tp, "a@sender.example", one_rcpt, MESSAGE_1, -1);
  fixture_start (&f);

  g_assert_false (run (&f, &error));
  g_assert_error (error, POSTE_SESSION_ERROR, POSTE_SESSION_ERROR_TLS_REQUIRED);
  /* Never on in plaintext: no AUTH, no ATRN. */
  g_assert_false (transcript_has (&f, "C: AUTH"));
  g_assert_false (transcript_has (&f, "C: ATRN"));
  g_assert_cmpuint (poste_test_provider_count_spooled (f.tp), ==, 1);
  fixture_teardown (&f);
}

static void
test_injection (void)
{
  Fixture f = { 0, };
  g_autoptr(GError) error = NULL;

  fixture_setup (&f, POSTE_TEST_TLS_STARTTLS, "inject-after-starttls");
  fixture_start (&f);

  g_assert_false (run (&f, &error));
  g_assert_error (error, POSTE_PROTOCOL_ERROR, POSTE_PROTOCOL_ERROR_INJECTION);
  g_assert_null (poste_session_get_report (f.session)->tls);
  g_assert_false (transcript_has (&f, "C: AUTH"));
  fixture_teardown (&f);
}

typedef struct {
  const char *faults;
  gboolean    protocol;  /* the error is a POSTE_PROTOCOL_ERROR, not a POSTE_SESSION_ERROR */
  int         code;      /* -1: success */
} AtrnCase;

static void
test_atrn_reply (gconstpointer data)
{
  const AtrnCase *c = data;
  Fixture f = { 0, };
  g_autoptr(GError) error = NULL;
  gboolean ok;

  fixture_setup (&f, POSTE_TEST_TLS_NONE, c->faults);
  poste_test_provider_add_message (f.tp, "a@sender.example", one_rcpt, MESSAGE_1, -1);
  fixture_start (&f);

  ok = run (&f, &error);
  if (c->code < 0)
    {
      g_assert_no_error (error);
      g_assert_true (ok);
    }
  else
    {
      g_assert_false (ok);
      GQuark domain = c->protocol ? POSTE_PROTOCOL_ERROR : POSTE_SESSION_ERROR;

      g_assert_error (error, domain, c->code);
      g_assert_cmpint (poste_session_get_report (f.session)->outcome, ==,
                       POSTE_SESSION_OUTCOME_FAILED);
      g_assert_cmpuint (poste_test_provider_count_spooled (f.tp), ==, 1);
    }
  fixture_teardown (&f);
}

static void
test_atrn_453 (void)
{
  Fixture f = { 0, };
  g_autoptr(GError) error = NULL;

  /* An empty spool: the provider answers 453, which is success without mail. */
  fixture_setup (&f, POSTE_TEST_TLS_NONE, NULL);
  fixture_start (&f);

  g_assert_true (run (&f, &error));
  g_assert_no_error (error);
  g_assert_cmpint (poste_session_get_report (f.session)->outcome, ==,
                   POSTE_SESSION_OUTCOME_NO_MAIL);
  g_assert_true (transcript_has (&f, "S: 453"));
  g_assert_true (transcript_has (&f, "C: QUIT"));
  fixture_teardown (&f);
}

static void
test_atrn_multiline (void)
{
  Fixture f = { 0, };
  g_autoptr(GError) error = NULL;

  fixture_setup (&f, POSTE_TEST_TLS_NONE, "atrn-multiline");
  poste_test_provider_add_message (f.tp, "a@sender.example", one_rcpt, MESSAGE_1, -1);
  fixture_start (&f);

  g_assert_true (run (&f, &error));
  g_assert_no_error (error);
  g_assert_true (transcript_has (&f, "S: 250-"));
  g_assert_cmpuint (f.delivery->messages->len, ==, 1);
  fixture_teardown (&f);
}

static void
test_bare_atrn (void)
{
  Fixture f = { 0, };
  g_autoptr(GError) error = NULL;

  fixture_setup (&f, POSTE_TEST_TLS_NONE, NULL);
  poste_provider_set_domains (f.provider, NULL);
  poste_test_provider_add_message (f.tp, "a@sender.example", one_rcpt, MESSAGE_1, -1);
  fixture_start (&f);

  g_assert_true (run (&f, &error));
  g_assert_no_error (error);
  g_assert_true (transcript_has (&f, "C: ATRN"));
  g_assert_false (transcript_has (&f, "C: ATRN "));
  g_assert_cmpuint (f.delivery->messages->len, ==, 1);
  fixture_teardown (&f);
}

static void
test_auth_failure (void)
{
  Fixture f = { 0, };
  g_autoptr(GError) error = NULL;

  fixture_setup (&f, POSTE_TEST_TLS_STARTTLS, NULL);
  poste_test_provider_add_message (f.tp, "a@sender.example", one_rcpt, MESSAGE_1, -1);
  poste_test_provider_add_account (f.tp, "other", "other-password", domains);
  poste_provider_set_username (f.provider, "other");
  fixture_start (&f);
  /* The session's password is PASSWORD, not other's. */
  g_assert_false (run (&f, &error));
  g_assert_error (error, POSTE_SESSION_ERROR, POSTE_SESSION_ERROR_AUTH_FAILED);
  g_assert_false (transcript_has (&f, "C: ATRN"));
  g_assert_cmpuint (poste_test_provider_count_spooled (f.tp), ==, 1);
  fixture_teardown (&f);
}

static void
test_junk_challenge (void)
{
  Fixture f = { 0, };
  g_autoptr(GError) error = NULL;

  fixture_setup (&f, POSTE_TEST_TLS_STARTTLS, "junk-334");
  fixture_start (&f);
  g_assert_false (run (&f, &error));
  g_assert_error (error, POSTE_PROTOCOL_ERROR, POSTE_PROTOCOL_ERROR_MALFORMED);
  g_assert_true (transcript_has (&f, "C: *"));
  fixture_teardown (&f);
}

static void
test_plaintext_policy (void)
{
  Fixture f = { 0, };
  g_autoptr(GError) error = NULL;

  /* Without TLS, PLAIN is not used unless auth= names it. */
  fixture_setup (&f, POSTE_TEST_TLS_NONE, "mechanisms=PLAIN,LOGIN plain-auth-in-clear");
  fixture_start (&f);
  g_assert_false (run (&f, &error));
  g_assert_error (error, POSTE_SESSION_ERROR, POSTE_SESSION_ERROR_AUTH_UNAVAILABLE);
  g_assert_false (transcript_has (&f, "C: AUTH"));
  fixture_teardown (&f);
}

static void
test_plaintext_explicit (gconstpointer data)
{
  PosteAuth auth = GPOINTER_TO_INT (data);
  Fixture f = { 0, };
  g_autoptr(GError) error = NULL;

  fixture_setup (&f, POSTE_TEST_TLS_NONE, "mechanisms=PLAIN,LOGIN plain-auth-in-clear");
  poste_provider_set_auth (f.provider, auth);
  poste_test_provider_add_message (f.tp, "a@sender.example", one_rcpt, MESSAGE_1, -1);
  fixture_start (&f);
  g_assert_true (run (&f, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (poste_session_get_report (f.session)->mechanism, ==,
                   auth == POSTE_AUTH_PLAIN ? "PLAIN" : "LOGIN");
  g_assert_cmpuint (f.delivery->messages->len, ==, 1);
  fixture_teardown (&f);
}

static void
test_cram_md5 (void)
{
  Fixture f = { 0, };
  g_autoptr(GError) error = NULL;

  fixture_setup (&f, POSTE_TEST_TLS_STARTTLS, "mechanisms=CRAM-MD5,PLAIN");
  poste_test_provider_add_message (f.tp, "a@sender.example", one_rcpt, MESSAGE_1, -1);
  fixture_start (&f);
  g_assert_true (run (&f, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (poste_session_get_report (f.session)->mechanism, ==, "CRAM-MD5");
  fixture_teardown (&f);
}

static void
test_scram_plus (void)
{
  Fixture f = { 0, };
  g_autoptr(GError) error = NULL;

  fixture_setup (&f, POSTE_TEST_TLS_STARTTLS,
                 "mechanisms=SCRAM-SHA-1,SCRAM-SHA-256,SCRAM-SHA-256-PLUS,SCRAM-SHA-1-PLUS");
  poste_test_provider_add_message (f.tp, "a@sender.example", one_rcpt, MESSAGE_1, -1);
  fixture_start (&f);
  g_assert_true (run (&f, &error));
  g_assert_no_error (error);
  /* TLS 1.3 here: the binding is tls-exporter (RFC 9266). */
  g_assert_cmpstr (poste_session_get_report (f.session)->mechanism, ==, "SCRAM-SHA-256-PLUS");
  g_assert_true (transcript_has (&f, "*  channel binding tls-exporter"));
  g_assert_cmpuint (f.delivery->messages->len, ==, 1);
  fixture_teardown (&f);
}

static void
test_external (void)
{
  Fixture f = { 0, };
  g_autoptr(GError) error = NULL;
  g_autoptr(PosteTestCert) client = NULL;
  g_autofree char *client_dir = NULL;
  g_autofree char *pem = NULL;
  g_autofree char *cert = NULL;
  g_autofree char *key = NULL;
  g_autofree char *both = NULL;

  fixture_setup (&f, POSTE_TEST_TLS_STARTTLS, "mechanisms=EXTERNAL,SCRAM-SHA-256");
  poste_test_provider_add_message (f.tp, "a@sender.example", one_rcpt, MESSAGE_1, -1);

  /* A client certificate whose CN names the account, certificate and key in one PEM file. */
  client_dir = poste_test_make_dir ("client");
  client = poste_test_cert_new (client_dir, USER, POSTE_TEST_CERT_NONE, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (client->cert_file, &cert, NULL, NULL));
  g_assert_true (g_file_get_contents (client->key_file, &key, NULL, NULL));
  both = g_strconcat (cert, key, NULL);
  pem = g_build_filename (client_dir, "client.pem", NULL);
  g_assert_true (g_file_set_contents (pem, both, -1, NULL));
  poste_provider_set_client_certificate (f.provider, pem);
  fixture_start (&f);

  g_assert_true (run (&f, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (poste_session_get_report (f.session)->mechanism, ==, "EXTERNAL");
  g_assert_true (transcript_has (&f, "C: AUTH EXTERNAL <SASL response redacted>"));
  g_assert_cmpuint (f.delivery->messages->len, ==, 1);
  fixture_teardown (&f);
}

static void
test_bare_lf_refused (void)
{
  Fixture f = { 0, };
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;
  PosteSessionReport *report;

  fixture_setup (&f, POSTE_TEST_TLS_NONE, "raw");
  poste_test_provider_add_message (f.tp, "bad@sender.example", one_rcpt,
                                   "Subject: bare\r\n\r\nline one\nline two\r\n", -1);
  poste_test_provider_add_message (f.tp, "a@sender.example", one_rcpt, MESSAGE_1, -1);
  fixture_start (&f);

  g_assert_true (run (&f, &error));
  g_assert_no_error (error);
  report = poste_session_get_report (f.session);
  g_assert_cmpuint (report->messages, ==, 1);
  g_assert_cmpuint (report->refused, ==, 1);
  g_assert_cmpuint (report->returned, ==, 1);
  g_assert_cmpuint (report->deferred, ==, 0);
  assert_returned_reason (report, "550 5.6.0 Message refused, not changed");
  g_assert_true (transcript_has (&f, "C: 550 5.6.0"));
  /* Never stored, never changed: the bad one was aborted; the good one went through. */
  g_assert_cmpuint (f.delivery->messages->len, ==, 1);
  g_assert_cmpuint (f.delivery->aborts, >=, 1);
  body = delivered_body (&f, 0);
  g_assert_cmpstr (body, ==, MESSAGE_1);
  g_assert_cmpuint (poste_test_provider_count_spooled (f.tp), ==, 1);
  fixture_teardown (&f);
}

static void
test_nul_refused (void)
{
  Fixture f = { 0, };
  g_autoptr(GError) error = NULL;

  fixture_setup (&f, POSTE_TEST_TLS_NONE, "nul");
  poste_test_provider_add_message (f.tp, "a@sender.example", one_rcpt, MESSAGE_1, -1);
  fixture_start (&f);

  g_assert_true (run (&f, &error));
  g_assert_no_error (error);
  g_assert_true (transcript_has (&f, "C: 550 5.6.0"));
  g_assert_cmpuint (f.delivery->messages->len, ==, 0);
  g_assert_cmpint (poste_session_get_report (f.session)->outcome, ==,
                   POSTE_SESSION_OUTCOME_NO_MAIL);
  g_assert_cmpuint (poste_test_provider_count_spooled (f.tp), ==, 1);
  fixture_teardown (&f);
}

static void
test_long_line_verbatim (void)
{
  Fixture f = { 0, };
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;
  g_autoptr(GString) message = g_string_new ("Subject: long\r\n\r\n");

  for (guint i = 0; i < 3000; i++)
    g_string_append_c (message, 'a' + i % 26);
  g_string_append (message, "\r\nend\r\n");

  fixture_setup (&f, POSTE_TEST_TLS_NONE, NULL);
  poste_test_provider_add_message (f.tp, "a@sender.example", one_rcpt, message->str, -1);
  fixture_start (&f);

  g_assert_true (run (&f, &error));
  g_assert_no_error (error);
  body = delivered_body (&f, 0);
  g_assert_cmpstr (body, ==, message->str);
  fixture_teardown (&f);
}

static void
test_bdat (void)
{
  Fixture f = { 0, };
  g_autoptr(GError) error = NULL;
  g_autofree char *body1 = NULL;
  g_autofree char *body2 = NULL;

  fixture_setup (&f, POSTE_TEST_TLS_NONE, "bdat");
  poste_test_provider_add_message (f.tp, "a@sender.example", one_rcpt, MESSAGE_1, -1);
  poste_test_provider_add_message (f.tp, "b@sender.example", one_rcpt, MESSAGE_2, -1);
  fixture_start (&f);

  g_assert_true (run (&f, &error));
  g_assert_no_error (error);
  g_assert_true (transcript_has (&f, "S: BDAT "));
  g_assert_false (transcript_has (&f, "S: DATA"));
  body1 = delivered_body (&f, 0);
  body2 = delivered_body (&f, 1);
  g_assert_cmpstr (body1, ==, MESSAGE_1);
  g_assert_cmpstr (body2, ==, MESSAGE_2);
  g_assert_cmpuint (poste_test_provider_count_spooled (f.tp), ==, 0);
  fixture_teardown (&f);
}

static void
test_big_message_streams (void)
{
  Fixture f = { 0, };
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;
  g_autoptr(GString) message = g_string_new ("Subject: big\r\n\r\n");

  /* 2 MiB: it reaches the target in chunks no larger than the decoder's. */
  while (message->len < 2 * 1024 * 1024)
    g_string_append (message, ".a line that the provider stuffs, and we unstuff\r\n");

  fixture_setup (&f, POSTE_TEST_TLS_STARTTLS, NULL);
  poste_test_provider_add_message (f.tp, "a@sender.example", one_rcpt, message->str, -1);
  fixture_start (&f);

  g_assert_true (run (&f, &error));
  g_assert_no_error (error);
  body = delivered_body (&f, 0);
  g_assert_cmpstr (body, ==, message->str);
  g_assert_cmpuint (f.delivery->largest_write, <=, POSTE_DATA_DECODER_CHUNK);
  fixture_teardown (&f);
}

static void
test_commit_transient (void)
{
  Fixture f = { 0, };
  g_autoptr(GError) error = NULL;
  PosteSessionReport *report;

  fixture_setup (&f, POSTE_TEST_TLS_NONE, NULL);
  poste_test_provider_add_message (f.tp, "a@sender.example", one_rcpt, MESSAGE_1, -1);
  fixture_start (&f);
  f.delivery->commit_code = 451;

  g_assert_false (run (&f, &error));
  g_assert_error (error, POSTE_SESSION_ERROR, POSTE_SESSION_ERROR_DELIVERY);
  report = poste_session_get_report (f.session);
  g_assert_cmpuint (report->messages, ==, 0);
  g_assert_cmpuint (report->refused, ==, 1);
  g_assert_cmpuint (report->deferred, ==, 1);
  g_assert_cmpuint (report->returned, ==, 0);
  assert_returned_reason (report, NULL);
  g_assert_true (transcript_has (&f, "C: 451"));
  g_assert_cmpuint (poste_test_provider_count_spooled (f.tp), ==, 1);
  fixture_teardown (&f);
}

static void
test_write_failure (void)
{
  Fixture f = { 0, };
  g_autoptr(GError) error = NULL;

  fixture_setup (&f, POSTE_TEST_TLS_NONE, NULL);
  poste_test_provider_add_message (f.tp, "a@sender.example", one_rcpt, MESSAGE_1, -1);
  fixture_start (&f);
  f.delivery->fail_write = TRUE;

  g_assert_false (run (&f, &error));
  g_assert_error (error, POSTE_SESSION_ERROR, POSTE_SESSION_ERROR_DELIVERY);
  g_assert_true (transcript_has (&f, "C: 451 4.3.0"));
  g_assert_cmpuint (poste_session_get_report (f.session)->deferred, ==, 1);
  g_assert_cmpuint (poste_session_get_report (f.session)->returned, ==, 0);
  g_assert_cmpuint (f.delivery->aborts, >=, 1);
  g_assert_cmpuint (poste_test_provider_count_spooled (f.tp), ==, 1);
  fixture_teardown (&f);
}

static void
test_one_recipient_target (void)
{
  Fixture f = { 0, };
  g_autoptr(GError) error = NULL;

  /* An LMTP-like target: one recipient a transaction; the provider sends the message twice. */
  fixture_setup (&f, POSTE_TEST_TLS_NONE, NULL);
  poste_test_provider_add_message (f.tp, "a@sender.example", two_rcpts, MESSAGE_1, -1);
  fixture_start (&f);
  f.delivery->max_recipients = 1;

  g_assert_true (run (&f, &error));
  g_assert_no_error (error);
  g_assert_true (transcript_has (&f, "C: 452 4.5.3"));
  g_assert_cmpuint (f.delivery->messages->len, ==, 2);
  g_assert_cmpuint (poste_session_get_report (f.session)->messages, ==, 2);
  g_assert_cmpuint (poste_test_provider_count_spooled (f.tp), ==, 0);
  fixture_teardown (&f);
}

/* The target refuses at MAIL (a Maildir that cannot be created, a local MTA that is down): each
 * message is refused by the target, and a 4xx is a local delivery failure. */
static void
test_target_refuses_mail (gconstpointer data)
{
  const char *faults = data;
  Fixture f = { 0, };
  g_autoptr(GError) error = NULL;
  PosteSessionReport *report;

  fixture_setup (&f, POSTE_TEST_TLS_NONE, faults);
  poste_test_provider_add_message (f.tp, "a@sender.example", one_rcpt, MESSAGE_1, -1);
  poste_test_provider_add_message (f.tp, "b@sender.example", two_rcpts, MESSAGE_2, -1);
  fixture_start (&f);
  f.delivery->begin_code = 451;

  g_assert_false (run (&f, &error));
  g_assert_error (error, POSTE_SESSION_ERROR, POSTE_SESSION_ERROR_DELIVERY);
  g_assert_nonnull (strstr (error->message, "451 4.3.0 Sender refused (test)"));
  report = poste_session_get_report (f.session);
  g_assert_cmpint (report->outcome, ==, POSTE_SESSION_OUTCOME_FAILED);
  g_assert_error (report->error, POSTE_SESSION_ERROR, POSTE_SESSION_ERROR_DELIVERY);
  g_assert_cmpuint (report->messages, ==, 0);
  g_assert_cmpuint (report->refused, ==, 2);
  g_assert_cmpuint (report->deferred, ==, 2);
  g_assert_cmpuint (report->returned, ==, 0);
  g_assert_true (transcript_has (&f, "C: 451 4.3.0 Sender refused (test)"));
  g_assert_cmpuint (f.delivery->messages->len, ==, 0);
  g_assert_cmpuint (poste_test_provider_count_spooled (f.tp), ==, 2);
  fixture_teardown (&f);
}

/* A 5xx at MAIL from the target is its verdict, passed through: refused, bounced by the provider,
 * not a local failure. */
static void
test_target_refuses_mail_permanently (void)
{
  Fixture f = { 0, };
  g_autoptr(GError) error = NULL;
  PosteSessionReport *report;

  fixture_setup (&f, POSTE_TEST_TLS_NONE, NULL);
  poste_test_provider_add_message (f.tp, "a@sender.example", one_rcpt, MESSAGE_1, -1);
  fixture_start (&f);
  f.delivery->begin_code = 550;

  g_assert_true (run (&f, &error));
  g_assert_no_error (error);
  report = poste_session_get_report (f.session);
  g_assert_cmpint (report->outcome, ==, POSTE_SESSION_OUTCOME_NO_MAIL);
  g_assert_null (report->error);
  g_assert_cmpuint (report->refused, ==, 1);
  g_assert_cmpuint (report->returned, ==, 1);
  g_assert_cmpuint (report->deferred, ==, 0);
  assert_returned_reason (report, "550 5.3.0 Sender refused (test)");
  g_assert_cmpint (poste_session_report_get_exit_status (report), ==, POSTE_EXIT_DELIVERY);
  g_assert_true (transcript_has (&f, "C: 550 5.3.0"));
  fixture_teardown (&f);
}

/* The target refuses every recipient with 4xx: the transaction delivers nothing, and the
 * messages stay with the provider. */
static void
test_target_refuses_rcpt (gconstpointer data)
{
  const char *faults = data;
  Fixture f = { 0, };
  g_autoptr(GError) error = NULL;
  PosteSessionReport *report;

  fixture_setup (&f, POSTE_TEST_TLS_NONE, faults);
  poste_test_provider_add_message (f.tp, "a@sender.example", one_rcpt, MESSAGE_1, -1);
  poste_test_provider_add_message (f.tp, "b@sender.example", two_rcpts, MESSAGE_2, -1);
  fixture_start (&f);
  f.delivery->rcpt_code = 450;

  g_assert_false (run (&f, &error));
  g_assert_error (error, POSTE_SESSION_ERROR, POSTE_SESSION_ERROR_DELIVERY);
  g_assert_nonnull (strstr (error->message, "450 4.2.1 Recipient refused (test)"));
  report = poste_session_get_report (f.session);
  g_assert_cmpint (report->outcome, ==, POSTE_SESSION_OUTCOME_FAILED);
  g_assert_cmpuint (report->messages, ==, 0);
  g_assert_cmpuint (report->refused, ==, 2);
  g_assert_cmpuint (report->deferred, ==, 2);
  g_assert_cmpuint (report->returned, ==, 0);
  g_assert_true (transcript_has (&f, "C: 450 4.2.1"));
  g_assert_cmpuint (f.delivery->messages->len, ==, 0);
  g_assert_cmpuint (f.delivery->aborts, >=, 2);
  g_assert_cmpuint (poste_test_provider_count_spooled (f.tp), ==, 2);
  fixture_teardown (&f);
}

/* A local MTA's 550 for one unknown user: the others get the message, the provider bounces that
 * recipient's copy, and nothing failed locally. */
static void
test_target_refuses_one_recipient (void)
{
  Fixture f = { 0, };
  g_autoptr(GError) error = NULL;
  PosteSessionReport *report;

  fixture_setup (&f, POSTE_TEST_TLS_NONE, NULL);
  poste_test_provider_add_message (f.tp, "a@sender.example", two_rcpts, MESSAGE_1, -1);
  fixture_start (&f);
  f.delivery->refuse_recipient = g_strdup ("second@example.org");

  g_assert_true (run (&f, &error));
  g_assert_no_error (error);
  report = poste_session_get_report (f.session);
  g_assert_cmpint (report->outcome, ==, POSTE_SESSION_OUTCOME_MAIL);
  g_assert_null (report->error);
  g_assert_cmpuint (report->messages, ==, 1);
  g_assert_cmpuint (report->refused, ==, 0);
  g_assert_cmpuint (report->returned, ==, 0);
  g_assert_cmpint (poste_session_report_get_exit_status (report), ==, POSTE_EXIT_MAIL);
  g_assert_true (transcript_has (&f, "C: 550 5.1.1 No such user (test)"));
  g_assert_cmpuint (f.delivery->messages->len, ==, 1);
  g_assert_cmpstr (f.delivery->recipients->pdata[0], ==, "first@example.org");
  g_assert_cmpuint (poste_test_provider_count_spooled (f.tp), ==, 0);
  fixture_teardown (&f);
}

/* A 4xx from the target for one recipient of a message the other received: delivered once, the
 * provider keeps the busy recipient's copy (sent again in a transaction of its own, refused again:
 * counted then), and the session reports the local failure. */
static void
test_target_defers_one_recipient (void)
{
  Fixture f = { 0, };
  g_autoptr(GError) error = NULL;
  PosteSessionReport *report;

  fixture_setup (&f, POSTE_TEST_TLS_NONE, NULL);
  poste_test_provider_add_message (f.tp, "a@sender.example", two_rcpts, MESSAGE_1, -1);
  fixture_start (&f);
  f.delivery->defer_recipient = g_strdup ("second@example.org");

  g_assert_false (run (&f, &error));
  g_assert_error (error, POSTE_SESSION_ERROR, POSTE_SESSION_ERROR_DELIVERY);
  g_assert_nonnull (strstr (error->message, "450 4.2.1 Mailbox busy (test)"));
  report = poste_session_get_report (f.session);
  g_assert_cmpint (report->outcome, ==, POSTE_SESSION_OUTCOME_FAILED);
  g_assert_cmpuint (report->messages, ==, 1);
  g_assert_cmpuint (report->refused, ==, 1);
  g_assert_cmpuint (report->deferred, ==, 1);
  g_assert_cmpuint (report->returned, ==, 0);
  g_assert_cmpuint (f.delivery->messages->len, ==, 1);
  g_assert_cmpstr (f.delivery->recipients->pdata[0], ==, "first@example.org");
  g_assert_cmpuint (poste_test_provider_count_spooled (f.tp), ==, 1);
  fixture_teardown (&f);
}

/* A target that takes one recipient a transaction and says so itself (452 4.5.3 from
 * add_recipient, as the router does for LMTP): normal flow, every recipient gets the message in
 * its own transaction, and nothing is refused. */
static void
test_target_recipient_limit (void)
{
  static const char *const three_rcpts[] = {
    "first@example.org", "second@example.org", "third@example.org", NULL
  };
  Fixture f = { 0, };
  g_autoptr(GError) error = NULL;
  PosteSessionReport *report;

  fixture_setup (&f, POSTE_TEST_TLS_NONE, NULL);
  poste_test_provider_add_message (f.tp, "a@sender.example", three_rcpts, MESSAGE_1, -1);
  fixture_start (&f);
  f.delivery->rcpt_limit = 1;

  g_assert_true (run (&f, &error));
  g_assert_no_error (error);
  report = poste_session_get_report (f.session);
  g_assert_cmpint (report->outcome, ==, POSTE_SESSION_OUTCOME_MAIL);
  g_assert_null (report->error);
  g_assert_cmpuint (report->messages, ==, 3);
  g_assert_cmpuint (report->refused, ==, 0);
  g_assert_true (transcript_has (&f, "C: 452 4.5.3 Too many recipients (test)"));
  g_assert_cmpuint (f.delivery->messages->len, ==, 3);
  g_assert_cmpstr (f.delivery->recipients->pdata[0], ==, "first@example.org");
  g_assert_cmpstr (f.delivery->recipients->pdata[1], ==, "second@example.org");
  g_assert_cmpstr (f.delivery->recipients->pdata[2], ==, "third@example.org");
  g_assert_cmpuint (poste_test_provider_count_spooled (f.tp), ==, 0);
  fixture_teardown (&f);
}

static void
test_size_limit (void)
{
  Fixture f = { 0, };
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) message = g_string_new ("Subject: big\r\n\r\n");

  while (message->len < 5000)
    g_string_append (message, "0123456789012345678901234567890123456789\r\n");

  fixture_setup (&f, POSTE_TEST_TLS_NONE, NULL);
  poste_test_provider_add_message (f.tp, "a@sender.example", one_rcpt, message->str, -1);
  poste_test_provider_add_message (f.tp, "b@sender.example", one_rcpt, MESSAGE_1, -1);
  fixture_start (&f);
  poste_session_set_max_message_size (f.session, 1000);

  g_assert_true (run (&f, &error));
  g_assert_no_error (error);
  g_assert_true (transcript_has (&f, "C: 250-SIZE 1000"));
  g_assert_true (transcript_has (&f, "C: 552 5.3.4"));
  g_assert_cmpuint (poste_session_get_report (f.session)->returned, ==, 1);
  g_assert_cmpuint (poste_session_get_report (f.session)->deferred, ==, 0);
  g_assert_cmpuint (f.delivery->messages->len, ==, 1);
  g_assert_cmpuint (poste_test_provider_count_spooled (f.tp), ==, 1);
  fixture_teardown (&f);
}

static void
test_ehlo_quit (void)
{
  Fixture f = { 0, };
  g_autoptr(GError) error = NULL;

  fixture_setup (&f, POSTE_TEST_TLS_NONE, "ehlo-quit");
  poste_test_provider_add_message (f.tp, "a@sender.example", one_rcpt, MESSAGE_1, -1);
  fixture_start (&f);

  g_assert_true (run (&f, &error));
  g_assert_no_error (error);
  g_assert_cmpint (poste_session_get_report (f.session)->outcome, ==,
                   POSTE_SESSION_OUTCOME_NO_MAIL);
  g_assert_true (transcript_has (&f, "C: 250-SIZE 0"));
  g_assert_true (transcript_has (&f, "C: 221"));
  g_assert_cmpuint (f.delivery->messages->len, ==, 0);
  fixture_teardown (&f);
}

typedef struct {
  const char *faults;
  GQuark    (*domain) (void);
  int         code;
  guint       delivered;
} DropCase;

static void
test_fault (gconstpointer data)
{
  const DropCase *c = data;
  Fixture f = { 0, };
  g_autoptr(GError) error = NULL;
  gboolean ok;

  fixture_setup (&f, POSTE_TEST_TLS_STARTTLS, c->faults);
  poste_test_provider_add_message (f.tp, "a@sender.example", one_rcpt, MESSAGE_1, -1);
  poste_test_provider_add_message (f.tp, "b@sender.example", one_rcpt, MESSAGE_2, -1);
  fixture_start (&f);

  ok = run (&f, &error);
  if (c->domain == NULL)
    {
      g_assert_no_error (error);
      g_assert_true (ok);
    }
  else
    {
      g_assert_false (ok);
      g_assert_error (error, c->domain (), c->code);
    }
  g_assert_cmpuint (f.delivery->messages->len, ==, c->delivered);
  g_assert_cmpuint (poste_session_get_report (f.session)->messages, ==, c->delivered);
  /* Whatever we did not acknowledge, the provider keeps. */
  g_assert_cmpuint (poste_test_provider_count_spooled (f.tp), >=, 2 - c->delivered);
  fixture_teardown (&f);
}

static const DropCase fault_cases[] = {
  { "reply-long-line", poste_protocol_error_quark, POSTE_PROTOCOL_ERROR_LINE_TOO_LONG, 0 },
  { "reply-endless-multiline", poste_protocol_error_quark, POSTE_PROTOCOL_ERROR_TOO_MANY_LINES, 0 },
  { "reply-code-change", poste_protocol_error_quark, POSTE_PROTOCOL_ERROR_MALFORMED, 0 },
  { "drop=greeting", poste_protocol_error_quark, POSTE_PROTOCOL_ERROR_CLOSED, 0 },
  { "drop=ehlo", poste_protocol_error_quark, POSTE_PROTOCOL_ERROR_CLOSED, 0 },
  { "drop=auth", poste_protocol_error_quark, POSTE_PROTOCOL_ERROR_CLOSED, 0 },
  { "drop=atrn", poste_protocol_error_quark, POSTE_PROTOCOL_ERROR_CLOSED, 0 },
  { "drop=data", poste_protocol_error_quark, POSTE_PROTOCOL_ERROR_CLOSED, 0 },
  { "drop-in-data=20", poste_protocol_error_quark, POSTE_PROTOCOL_ERROR_CLOSED, 0 },
  /* A hang-up after our 220 and before any EHLO is a broken session, never "no mail". */
  { "drop=our-220", poste_protocol_error_quark, POSTE_PROTOCOL_ERROR_CLOSED, 0 },
  { "drop=after-250", NULL, 0, 1 },
  { "no-pipelining", NULL, 0, 2 },
  { "slow-lines=20", NULL, 0, 2 },
};

static void
test_timeout_greeting (void)
{
  Fixture f = { 0, };
  g_autoptr(GError) error = NULL;

  fixture_setup (&f, POSTE_TEST_TLS_NONE, "silent=greeting");
  fixture_start (&f);
  poste_session_set_timeout (f.session, 2);

  g_assert_false (run (&f, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_cmpint (poste_session_get_state (f.session), ==, POSTE_SESSION_STATE_FAILED);
  fixture_teardown (&f);
}

static void
test_timeout_handshake (void)
{
  Fixture f = { 0, };
  g_autoptr(GError) error = NULL;

  /* The TLS handshake has a deadline too. */
  fixture_setup (&f, POSTE_TEST_TLS_STARTTLS, "silent=handshake");
  fixture_start (&f);
  poste_session_set_timeout (f.session, 2);

  g_assert_false (run (&f, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  fixture_teardown (&f);
}

static void
test_timeout_atrn (void)
{
  Fixture f = { 0, };
  g_autoptr(GError) error = NULL;

  /* The wait for ATRN's reply has its own deadline ("atrn-timeout", 15 minutes by default). */
  fixture_setup (&f, POSTE_TEST_TLS_NONE, "silent=atrn");
  poste_test_provider_add_message (f.tp, "a@sender.example", one_rcpt, MESSAGE_1, -1);
  fixture_start (&f);
  poste_session_set_atrn_timeout (f.session, 2);

  g_assert_false (run (&f, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_true (transcript_has (&f, "C: ATRN example.org"));
  g_assert_cmpuint (poste_test_provider_count_spooled (f.tp), ==, 1);
  fixture_teardown (&f);
}

static void
test_timeout_reversed (void)
{
  Fixture f = { 0, };
  g_autoptr(GError) error = NULL;

  fixture_setup (&f, POSTE_TEST_TLS_NONE, "silent=mail");
  poste_test_provider_add_message (f.tp, "a@sender.example", one_rcpt, MESSAGE_1, -1);
  fixture_start (&f);
  poste_session_set_timeout (f.session, 2);

  g_assert_false (run (&f, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_true (transcript_has (&f, "C: 421 4.4.2"));
  g_assert_cmpuint (poste_test_provider_count_spooled (f.tp), ==, 1);
  fixture_teardown (&f);
}

typedef struct {
  GMainLoop    *loop;
  GCancellable *cancellable;
  gboolean      ok;
  GError       *error;
  guint         state_changes;
  guint         message_notifies;
  guint         progress;
  gboolean      saw_receiving;
} AsyncRun;

static gboolean
cancel_cb (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

static void
state_cb (PosteSession *session,
          GParamSpec   *pspec,
          AsyncRun     *r)
{
  /* Property changes arrive in the caller's thread only. */
  g_assert_true (g_main_context_is_owner (g_main_context_default ()));
  r->state_changes++;
  if (poste_session_get_state (session) == POSTE_SESSION_STATE_RECEIVING && !r->saw_receiving)
    {
      r->saw_receiving = TRUE;
      if (r->cancellable != NULL)
        g_timeout_add_full (G_PRIORITY_DEFAULT, 300, cancel_cb, g_object_ref (r->cancellable),
                            g_object_unref);
    }
}

static void
messages_cb (PosteSession *session,
             GParamSpec   *pspec,
             AsyncRun     *r)
{
  r->message_notifies++;
}

static void
progress_cb (PosteSession *session,
             AsyncRun     *r)
{
  r->progress++;
}

static void
run_done_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      data)
{
  AsyncRun *r = data;

  r->ok = poste_session_run_finish (POSTE_SESSION (object), result, &r->error);
  g_main_loop_quit (r->loop);
}

static void
run_async (Fixture  *f,
           AsyncRun *r)
{
  g_signal_connect (f->session, "notify::state", G_CALLBACK (state_cb), r);
  g_signal_connect (f->session, "notify::messages", G_CALLBACK (messages_cb), r);
  g_signal_connect (f->session, "progress", G_CALLBACK (progress_cb), r);
  r->loop = g_main_loop_new (NULL, FALSE);
  poste_session_run_async (f->session, r->cancellable, run_done_cb, r);
  g_main_loop_run (r->loop);
  g_main_loop_unref (r->loop);
}

static void
test_cancel_reversed (void)
{
  Fixture f = { 0, };
  AsyncRun r = { 0, };

  fixture_setup (&f, POSTE_TEST_TLS_NONE, "silent=mail");
  poste_test_provider_add_message (f.tp, "a@sender.example", one_rcpt, MESSAGE_1, -1);
  fixture_start (&f);
  r.cancellable = g_cancellable_new ();

  run_async (&f, &r);
  g_assert_false (r.ok);
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (r.saw_receiving);
  g_assert_cmpint (poste_session_get_report (f.session)->outcome, ==,
                   POSTE_SESSION_OUTCOME_CANCELLED);
  g_assert_true (transcript_has (&f, "C: 421 4.3.2"));
  g_assert_cmpuint (poste_test_provider_count_spooled (f.tp), ==, 1);
  g_clear_error (&r.error);
  g_object_unref (r.cancellable);
  fixture_teardown (&f);
}

static void
test_async_progress (void)
{
  Fixture f = { 0, };
  AsyncRun r = { 0, };

  fixture_setup (&f, POSTE_TEST_TLS_STARTTLS, NULL);
  poste_test_provider_add_message (f.tp, "a@sender.example", one_rcpt, MESSAGE_1, -1);
  poste_test_provider_add_message (f.tp, "b@sender.example", one_rcpt, MESSAGE_2, -1);
  poste_test_provider_add_message (f.tp, "c@sender.example", one_rcpt, MESSAGE_1, -1);
  fixture_start (&f);

  run_async (&f, &r);
  g_assert_no_error (r.error);
  g_assert_true (r.ok);
  g_assert_true (r.saw_receiving);
  /* One notify per delivered message, in the main context. */
  g_assert_cmpuint (r.message_notifies, ==, 3);
  g_assert_cmpuint (r.progress, >=, 3);
  g_assert_cmpuint (r.state_changes, >=, 6);
  g_assert_cmpuint (poste_session_get_messages (f.session), ==, 3);
  g_assert_cmpuint (poste_session_get_bytes (f.session), ==,
                    2 * strlen (MESSAGE_1) + strlen (MESSAGE_2));
  g_assert_cmpint (poste_session_get_current_size (f.session), ==, -1);
  g_assert_cmpint (poste_session_get_state (f.session), ==, POSTE_SESSION_STATE_DONE);
  fixture_teardown (&f);
}

/* The whole chain with a real target: the session streams into a Maildir. */
static void
test_maildir_target (void)
{
  Fixture f = { 0, };
  g_autoptr(GError) error = NULL;
  g_autofree char *maildir = NULL;
  g_autofree char *new_dir = NULL;
  g_autoptr(GDir) dir = NULL;
  g_autoptr(PosteDelivery) target = NULL;
  g_autoptr(PosteSession) session = NULL;
  const char *name;
  guint files = 0;

  fixture_setup (&f, POSTE_TEST_TLS_STARTTLS, NULL);
  poste_test_provider_add_message (f.tp, "a@sender.example", one_rcpt, MESSAGE_1, -1);
  poste_test_provider_add_message (f.tp, "b@sender.example", one_rcpt, MESSAGE_2, -1);
  fixture_start (&f);

  maildir = g_build_filename (f.dir, "Maildir", NULL);
  target = poste_maildir_delivery_new (maildir);
  session = poste_session_new (f.provider, PASSWORD, target);
  poste_session_set_timeout (session, TIMEOUT);
  g_assert_true (poste_session_run (session, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (poste_session_get_report (session)->messages, ==, 2);
  g_assert_cmpuint (poste_test_provider_count_spooled (f.tp), ==, 0);

  new_dir = g_build_filename (maildir, "new", NULL);
  dir = g_dir_open (new_dir, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (new_dir, name, NULL);
      g_autofree char *contents = NULL;

      g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
      g_assert_no_error (error);
      /* Unix line ends on disk, our Received: first, the body exactly (dots unstuffed). */
      g_assert_true (g_str_has_prefix (contents, "Received: from "));
      g_assert_null (strchr (contents, '\r'));
      g_assert_true (strstr (contents, "\nSubject: one\n\nHello\n") != NULL ||
                     strstr (contents, "\n.leading dot\n..two dots\n.\nend\n") != NULL);
      files++;
    }
  g_assert_cmpuint (files, ==, 2);
  fixture_teardown (&f);
}

static void
test_cancel_before (void)
{
  Fixture f = { 0, };
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  fixture_setup (&f, POSTE_TEST_TLS_NONE, NULL);
  poste_test_provider_add_message (f.tp, "a@sender.example", one_rcpt, MESSAGE_1, -1);
  fixture_start (&f);
  g_cancellable_cancel (cancellable);

  g_assert_false (poste_session_run (f.session, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (poste_session_get_report (f.session)->outcome, ==,
                   POSTE_SESSION_OUTCOME_CANCELLED);
  g_assert_cmpuint (poste_test_provider_count_spooled (f.tp), ==, 1);
  fixture_teardown (&f);
}

static void
test_check (void)
{
  Fixture f = { 0, };
  g_autoptr(PosteCheckResult) result = NULL;
  g_autofree char *transcript = NULL;

  fixture_setup (&f, POSTE_TEST_TLS_STARTTLS, NULL);
  poste_test_provider_add_message (f.tp, "a@sender.example", one_rcpt, MESSAGE_1, -1);
  fixture_start (&f);

  result = poste_session_check (f.provider, PASSWORD, TIMEOUT, NULL);
  g_assert_no_error (result->error);
  g_assert_no_error (result->auth_error);
  g_assert_true (result->authenticated);
  g_assert_cmpstr (result->mechanism, ==, "SCRAM-SHA-256");
  g_assert_true (g_str_has_prefix (result->tls_protocol, "TLS 1."));
  g_assert_cmpstr (result->certificate_sha256, ==, f.cert->sha256);
  g_assert_nonnull (result->certificate_subject);
  g_assert_nonnull (result->certificate_not_after);
  g_assert_true (result->atrn_offered);
  g_assert_true (g_strv_contains ((const char * const *) result->capabilities, "ATRN"));
  /* Never ATRN: the mail stays. */
  g_assert_cmpuint (poste_test_provider_count_spooled (f.tp), ==, 1);
  poste_test_provider_wait_sessions (f.tp, 1, TIMEOUT);
  transcript = poste_test_provider_dup_transcript (f.tp);
  g_assert_null (strstr (transcript, "ATRN "));
  fixture_teardown (&f);
}

static void
test_check_untrusted (void)
{
  Fixture f = { 0, };
  g_autoptr(PosteCheckResult) result = NULL;

  fixture_setup (&f, POSTE_TEST_TLS_IMPLICIT, NULL);
  poste_provider_set_ca_file (f.provider, NULL);
  fixture_start (&f);

  /* The certificate is described even though it failed: the trust dialog shows it. */
  result = poste_session_check (f.provider, PASSWORD, TIMEOUT, NULL);
  g_assert_error (result->error, POSTE_SESSION_ERROR, POSTE_SESSION_ERROR_CERTIFICATE);
  g_assert_false (result->authenticated);
  g_assert_nonnull (result->certificate);
  g_assert_cmpstr (result->certificate_sha256, ==, f.cert->sha256);
  g_assert_nonnull (result->certificate_issuer);
  g_assert_nonnull (result->capabilities);
  g_assert_null (result->capabilities[0]);
  fixture_teardown (&f);
}

static void
check_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      data)
{
  PosteCheckResult **out = data;

  *out = poste_session_check_finish (result);
  g_main_context_wakeup (NULL);
}

static void
test_check_async (void)
{
  Fixture f = { 0, };
  PosteCheckResult *result = NULL;

  fixture_setup (&f, POSTE_TEST_TLS_STARTTLS, NULL);
  fixture_start (&f);

  poste_session_check_async (f.provider, PASSWORD, TIMEOUT, NULL, check_done_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (result->error);
  g_assert_true (result->authenticated);
  g_assert_nonnull (result->transcript);
  g_assert_cmpuint (result->transcript->len, >, 5);
  poste_check_result_free (result);
  fixture_teardown (&f);
}

static void
test_check_bad_password (void)
{
  Fixture f = { 0, };
  g_autoptr(PosteCheckResult) result = NULL;

  fixture_setup (&f, POSTE_TEST_TLS_STARTTLS, NULL);
  fixture_start (&f);

  result = poste_session_check (f.provider, "wrong", TIMEOUT, NULL);
  g_assert_no_error (result->error);
  g_assert_false (result->authenticated);
  g_assert_error (result->auth_error, POSTE_SESSION_ERROR, POSTE_SESSION_ERROR_AUTH_FAILED);
  fixture_teardown (&f);
}

static const AtrnCase atrn_cases[] = {
  { "atrn-reply=450", FALSE, POSTE_SESSION_ERROR_REFUSED },
  { "atrn-reply=451", FALSE, POSTE_SESSION_ERROR_TRY_LATER },
  { "atrn-reply=452", FALSE, POSTE_SESSION_ERROR_TRY_LATER },
  { "atrn-reply=502", FALSE, POSTE_SESSION_ERROR_NOT_SUPPORTED },
  { "atrn-reply=530", FALSE, POSTE_SESSION_ERROR_AUTH_REQUIRED },
  { "atrn-reply=535", FALSE, POSTE_SESSION_ERROR_AUTH_FAILED },
  { "atrn-reply=554", FALSE, POSTE_SESSION_ERROR_NOT_SUPPORTED },
  { "atrn-reply=354", TRUE, POSTE_PROTOCOL_ERROR_UNEXPECTED },
  { "atrn-reply=450 atrn-multiline", FALSE, POSTE_SESSION_ERROR_REFUSED },
  { "atrn-reply=453", FALSE, -1 },
  { "atrn-reply=250:OK_turning", FALSE, -1 },
};

int
main (int   argc,
      char *argv[])
{
  poste_test_init (&argc, &argv);

  g_test_add_func ("/session/starttls-ca-file", test_starttls_ca_file);
  g_test_add_func ("/session/implicit-tls", test_implicit_tls);
  g_test_add_data_func ("/session/pinned/match", GINT_TO_POINTER (TRUE), test_pinned);
  g_test_add_data_func ("/session/pinned/mismatch", GINT_TO_POINTER (FALSE), test_pinned);
  g_test_add_func ("/session/pinned/mismatch-with-ca", test_pin_beats_ca);
  g_test_add_func ("/session/untrusted", test_untrusted);
  g_test_add_data_func ("/session/expired/ca-file", GINT_TO_POINTER (FALSE), test_expired);
  g_test_add_data_func ("/session/expired/pinned", GINT_TO_POINTER (TRUE), test_expired);
  g_test_add_func ("/session/wrong-host", test_wrong_host);
  g_test_add_data_func ("/session/wrong-host-ipv6/implicit",
                        GINT_TO_POINTER (POSTE_TEST_TLS_IMPLICIT), test_wrong_host_ipv6);
  g_test_add_data_func ("/session/wrong-host-ipv6/starttls",
                        GINT_TO_POINTER (POSTE_TEST_TLS_STARTTLS), test_wrong_host_ipv6);
  g_test_add_data_func ("/session/tls-required/not-offered", "no-starttls", test_tls_required);
  g_test_add_data_func ("/session/tls-required/refused", "starttls-reply=454", test_tls_required);
  g_test_add_func ("/session/injection", test_injection);
  for (guint i = 0; i < G_N_ELEMENTS (atrn_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/session/atrn-reply/%u", i);
      g_test_add_data_func (path, &atrn_cases[i], test_atrn_reply);
    }
  g_test_add_func ("/session/atrn-453", test_atrn_453);
  g_test_add_func ("/session/atrn-multiline", test_atrn_multiline);
  g_test_add_func ("/session/bare-atrn", test_bare_atrn);
  g_test_add_func ("/session/auth-failure", test_auth_failure);
  g_test_add_func ("/session/junk-challenge", test_junk_challenge);
  g_test_add_func ("/session/plaintext-policy", test_plaintext_policy);
  g_test_add_data_func ("/session/plaintext-explicit/plain", GINT_TO_POINTER (POSTE_AUTH_PLAIN),
                        test_plaintext_explicit);
  g_test_add_data_func ("/session/plaintext-explicit/login", GINT_TO_POINTER (POSTE_AUTH_LOGIN),
                        test_plaintext_explicit);
  g_test_add_func ("/session/cram-md5", test_cram_md5);
  g_test_add_func ("/session/scram-plus", test_scram_plus);
  g_test_add_func ("/session/external", test_external);
  g_test_add_func ("/session/bare-lf-refused", test_bare_lf_refused);
  g_test_add_func ("/session/nul-refused", test_nul_refused);
  g_test_add_func ("/session/long-line-verbatim", test_long_line_verbatim);
  g_test_add_func ("/session/bdat", test_bdat);
  g_test_add_func ("/session/big-message-streams", test_big_message_streams);
  g_test_add_func ("/session/commit-transient", test_commit_transient);
  g_test_add_func ("/session/write-failure", test_write_failure);
  g_test_add_func ("/session/one-recipient-target", test_one_recipient_target);
  g_test_add_data_func ("/session/target-refuses/mail", NULL, test_target_refuses_mail);
  g_test_add_data_func ("/session/target-refuses/mail-no-pipelining", "no-pipelining",
                        test_target_refuses_mail);
  g_test_add_func ("/session/target-refuses/mail-5xx", test_target_refuses_mail_permanently);
  g_test_add_data_func ("/session/target-refuses/rcpt", NULL, test_target_refuses_rcpt);
  g_test_add_data_func ("/session/target-refuses/rcpt-no-pipelining", "no-pipelining",
                        test_target_refuses_rcpt);
  g_test_add_func ("/session/target-refuses/one-recipient", test_target_refuses_one_recipient);
  g_test_add_func ("/session/target-defers/one-recipient", test_target_defers_one_recipient);
  g_test_add_func ("/session/target-recipient-limit", test_target_recipient_limit);
  g_test_add_func ("/session/size-limit", test_size_limit);
  g_test_add_func ("/session/ehlo-quit", test_ehlo_quit);
  for (guint i = 0; i < G_N_ELEMENTS (fault_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/session/fault/%s", fault_cases[i].faults);
      g_strdelimit (path + strlen ("/session/fault/"), "=/", '-');
      g_test_add_data_func (path, &fault_cases[i], test_fault);
    }
  g_test_add_func ("/session/timeout/greeting", test_timeout_greeting);
  g_test_add_func ("/session/timeout/reversed", test_timeout_reversed);
  g_test_add_func ("/session/timeout/handshake", test_timeout_handshake);
  g_test_add_func ("/session/timeout/atrn", test_timeout_atrn);
  g_test_add_func ("/session/cancel-reversed", test_cancel_reversed);
  g_test_add_func ("/session/async-progress", test_async_progress);
  g_test_add_func ("/session/maildir-target", test_maildir_target);
  g_test_add_func ("/session/cancel-before", test_cancel_before);
  g_test_add_func ("/session/check", test_check);
  g_test_add_func ("/session/check-bad-password", test_check_bad_password);
  g_test_add_func ("/session/check-untrusted", test_check_untrusted);
  g_test_add_func ("/session/check-async", test_check_async);

  return g_test_run ();
}
