/* test-session-cases.c: the session scenarios that are one row each, for test-session.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each row of session_cases names what the test provider holds and does (its TLS, its faults,
 * the messages it spools), what our target and session do differently, and what the session
 * must end with: its error, its report, its transcript, what the target stored and what the
 * provider still holds. run_case() in test-session.c runs a row and checks every field it sets.
 * The few changes and checks a field cannot say are the prepare_ and check_ functions here.
 */
#include "config.h"

#include <string.h>

#include "poste-test.h"
#include "test-session.h"

const char *const session_domains[] = { "example.org", NULL };
const char *const one_rcpt[] = { "someone@example.org", NULL };
static const char *const two_rcpts[] = { "first@example.org", "second@example.org", NULL };
static const char *const three_rcpts[] = {
  "first@example.org", "second@example.org", "third@example.org", NULL
};

/* ---- What the provider holds ---- */

static const Spooled spool_one[] = {
  { "a@sender.example", one_rcpt, MESSAGE_1 }, { NULL, NULL, NULL }
};
static const Spooled spool_two[] = {
  { "a@sender.example", one_rcpt, MESSAGE_1 }, { "b@sender.example", one_rcpt, MESSAGE_2 },
  { NULL, NULL, NULL }
};
static const Spooled spool_bare_lf_then_one[] = {
  { "bad@sender.example", one_rcpt, "Subject: bare\r\n\r\nline one\nline two\r\n" },
  { "a@sender.example", one_rcpt, MESSAGE_1 }, { NULL, NULL, NULL }
};
static const Spooled spool_one_for_two[] = {
  { "a@sender.example", two_rcpts, MESSAGE_1 }, { NULL, NULL, NULL }
};
static const Spooled spool_one_for_three[] = {
  { "a@sender.example", three_rcpts, MESSAGE_1 }, { NULL, NULL, NULL }
};
static const Spooled spool_two_then_for_two[] = {
  { "a@sender.example", one_rcpt, MESSAGE_1 }, { "b@sender.example", two_rcpts, MESSAGE_2 },
  { NULL, NULL, NULL }
};

/* ---- What a row changes before the start, and checks after the end ---- */

static void
prepare_no_ca (Fixture *f)
{
  poste_provider_set_ca_file (f->t.provider, NULL);
}

/* No CA file: only the pin can make this certificate acceptable. */
static void
prepare_pin_match (Fixture *f)
{
  g_autofree char *upper = g_ascii_strup (f->t.cert->sha256, -1);

  prepare_no_ca (f);
  poste_provider_set_pinned_sha256 (f->t.provider, upper);
}

static void
prepare_pin_mismatch (Fixture *f)
{
  prepare_no_ca (f);
  poste_provider_set_pinned_sha256 (f->t.provider,
    "0000000000000000000000000000000000000000000000000000000000000000");
}

/* The CA file vouches for the certificate, but a pin names another one: refused. */
static void
prepare_pin_beats_ca (Fixture *f)
{
  poste_provider_set_pinned_sha256 (f->t.provider,
    "ab:cd:ef:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00");
}

/* The certificate names provider.test and 127.0.0.1, not localhost. */
static void
prepare_localhost (Fixture *f)
{
  poste_provider_set_host (f->t.provider, "localhost");
}

/* The certificate names provider.test and 127.0.0.1, not ::1. */
static void
prepare_ipv6 (Fixture *f)
{
  poste_test_provider_set_ipv6 (f->t.tp, TRUE);
  poste_provider_set_host (f->t.provider, "::1");
}

static void
prepare_bare_atrn (Fixture *f)
{
  poste_provider_set_domains (f->t.provider, NULL);
}

/* The session's password is PASSWORD, not other's. */
static void
prepare_other_user (Fixture *f)
{
  poste_test_provider_add_account (f->t.tp, "other", "other-password", session_domains);
  poste_provider_set_username (f->t.provider, "other");
}

/* A client certificate whose CN names the account, certificate and key in one PEM file. */
static void
prepare_client_certificate (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosteTestCert) client = NULL;
  g_autofree char *client_dir = poste_test_make_dir ("client");
  g_autofree char *pem = NULL;
  g_autofree char *cert = NULL;
  g_autofree char *key = NULL;
  g_autofree char *both = NULL;

  client = poste_test_cert_new (client_dir, USER, POSTE_TEST_CERT_NONE, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (client->cert_file, &cert, NULL, NULL));
  g_assert_true (g_file_get_contents (client->key_file, &key, NULL, NULL));
  both = g_strconcat (cert, key, NULL);
  pem = g_build_filename (client_dir, "client.pem", NULL);
  g_assert_true (g_file_set_contents (pem, both, -1, NULL));
  poste_provider_set_client_certificate (f->t.provider, pem);
}

static void
prepare_long_line (Fixture *f)
{
  g_autoptr(GString) message = g_string_new ("Subject: long\r\n\r\n");

  for (guint i = 0; i < 3000; i++)
    g_string_append_c (message, 'a' + i % 26);
  g_string_append (message, "\r\nend\r\n");
  f->message = g_string_free (g_steal_pointer (&message), FALSE);
  spool (f, "a@sender.example", one_rcpt, f->message);
}

/* Spools (and keeps in f->message, to compare) a message whose body repeats @line until the
 * message has at least @size octets. */
static void
spool_made_up (Fixture    *f,
               const char *line,
               gsize       size)
{
  g_autoptr(GString) message = g_string_new ("Subject: big\r\n\r\n");

  while (message->len < size)
    g_string_append (message, line);
  f->message = g_string_free (g_steal_pointer (&message), FALSE);
  spool (f, "a@sender.example", one_rcpt, f->message);
}

/* 2 MiB: it reaches the target in chunks no larger than the decoder's. */
static void
prepare_big_message (Fixture *f)
{
  spool_made_up (f, ".a line that the provider stuffs, and we unstuff\r\n", 2 * 1024 * 1024);
}

/* A message above the session's limit (set to 1000 by the case), then one below it. */
static void
prepare_above_size_limit (Fixture *f)
{
  spool_made_up (f, "0123456789012345678901234567890123456789\r\n", 5000);
  spool (f, "b@sender.example", one_rcpt, MESSAGE_1);
}

/* The message prepare_long_line() or prepare_big_message() spooled arrived exactly. */
static void
check_made_up_message (Fixture *f)
{
  g_autofree char *body = delivered_body (f, 0);

  g_assert_cmpstr (body, ==, f->message);
}

static void
check_streamed (Fixture *f)
{
  check_made_up_message (f);
  g_assert_cmpuint (f->delivery->largest_write, <=, POSTE_DATA_DECODER_CHUNK);
}

static void
check_starttls_ca_file (Fixture *f)
{
  PosteSessionReport *report = poste_session_get_report (f->t.session);
  g_autoptr(GPtrArray) accepted = poste_test_provider_dup_accepted (f->t.tp);

  g_assert_true (g_str_has_prefix (report->tls, "TLS 1."));
  g_assert_cmpuint (poste_session_get_messages (f->t.session), ==, 2);
  g_assert_cmpuint (report->bytes, ==, strlen (MESSAGE_1) + strlen (MESSAGE_2));
  g_assert_cmpuint (f->delivery->closes, ==, 1);
  /* The provider removed them from its spool after our 250. */
  g_assert_cmpuint (accepted->len, ==, 2);
}

#define ATRN_FAILS(n, faults_, domain_, code_) \
  { .path = "/session/atrn-reply/" #n, .faults = faults_, .spool = spool_one, \
    .domain = domain_, .code = code_, .outcome = EXPECT (POSTE_SESSION_OUTCOME_FAILED), \
    .spooled = EXPECT (1) }
#define ATRN_WORKS(n, faults_) \
  { .path = "/session/atrn-reply/" #n, .faults = faults_, .spool = spool_one }
/* Whatever we did not acknowledge, the provider keeps. */
#define FAULT(name, faults_, domain_, code_, delivered_) \
  { .path = "/session/fault/" name, .tls = POSTE_TEST_TLS_STARTTLS, .faults = faults_, \
    .spool = spool_two, .domain = domain_, .code = code_, .delivered = EXPECT (delivered_), \
    .messages = EXPECT (delivered_), .held_at_least = EXPECT (2 - (delivered_)) }

/* ---- The cases ---- */

const Case session_cases[] = {
  /* TLS and its certificate */
  { .path = "/session/starttls-ca-file", .tls = POSTE_TEST_TLS_STARTTLS, .spool = spool_two,
    .outcome = EXPECT (POSTE_SESSION_OUTCOME_MAIL), .messages = EXPECT (2),
    .refused = EXPECT (0), .tls_seen = EXPECT (TRUE), .mechanism = "SCRAM-SHA-256",
    .state = EXPECT (POSTE_SESSION_STATE_DONE), .delivered = EXPECT (2),
    /* Exact dot-unstuffing: the provider stuffed the dots, we removed exactly those. */
    .bodies = { MESSAGE_1, MESSAGE_2 }, .spooled = EXPECT (0),
    /* EHLO again after TLS; the SASL exchange is redacted. */
    .has = { "C: STARTTLS", "C: AUTH SCRAM-SHA-256 <SASL response redacted>",
             "C: <SASL response redacted>", "C: ATRN example.org", "C: 220 customer.example" },
    .check = check_starttls_ca_file },
  { .path = "/session/implicit-tls", .tls = POSTE_TEST_TLS_IMPLICIT, .spool = spool_one,
    .lacks = { "C: STARTTLS" }, .tls_seen = EXPECT (TRUE), .bodies = { MESSAGE_1 },
    .spooled = EXPECT (0) },
  /* The peer certificate is kept either way (for the trust dialog). */
  { .path = "/session/pinned/match", .tls = POSTE_TEST_TLS_STARTTLS, .spool = spool_one,
    .prepare = prepare_pin_match, .delivered = EXPECT (1), .spooled = EXPECT (0),
    .peer_is_ours = TRUE },
  { .path = "/session/pinned/mismatch", .tls = POSTE_TEST_TLS_STARTTLS, .spool = spool_one,
    .prepare = prepare_pin_mismatch, .domain = poste_session_error_quark,
    .code = POSTE_SESSION_ERROR_CERTIFICATE,
    .outcome = EXPECT (POSTE_SESSION_OUTCOME_FAILED), .delivered = EXPECT (0),
    .spooled = EXPECT (1), .peer_is_ours = TRUE },
  { .path = "/session/pinned/mismatch-with-ca", .tls = POSTE_TEST_TLS_STARTTLS,
    .prepare = prepare_pin_beats_ca, .domain = poste_session_error_quark,
    .code = POSTE_SESSION_ERROR_CERTIFICATE, .says = "pinned" },
  { .path = "/session/untrusted", .tls = POSTE_TEST_TLS_STARTTLS, .prepare = prepare_no_ca,
    .domain = poste_session_error_quark, .code = POSTE_SESSION_ERROR_CERTIFICATE,
    .peer_is_ours = TRUE,
    .lacks = { "C: AUTH" } },
  { .path = "/session/wrong-host", .tls = POSTE_TEST_TLS_IMPLICIT, .prepare = prepare_localhost,
    .domain = poste_session_error_quark, .code = POSTE_SESSION_ERROR_CERTIFICATE,
    .says = "another host" },
  /* An IPv6 literal the certificate does not name is refused the same way as a name or an IPv4
   * address: not a TLS error from the depths. */
  { .path = "/session/wrong-host-ipv6/implicit", .tls = POSTE_TEST_TLS_IMPLICIT,
    .prepare = prepare_ipv6, .domain = poste_session_error_quark,
    .code = POSTE_SESSION_ERROR_CERTIFICATE,
    .says = "issued for another host" },
  { .path = "/session/wrong-host-ipv6/starttls", .tls = POSTE_TEST_TLS_STARTTLS,
    .prepare = prepare_ipv6, .domain = poste_session_error_quark,
    .code = POSTE_SESSION_ERROR_CERTIFICATE,
    .says = "issued for another host" },
  /* Never on in plaintext: no AUTH, no ATRN. */
  { .path = "/session/tls-required/not-offered", .tls = POSTE_TEST_TLS_STARTTLS,
    .faults = "no-starttls", .spool = spool_one, .domain = poste_session_error_quark,
    .code = POSTE_SESSION_ERROR_TLS_REQUIRED, .lacks = { "C: AUTH", "C: ATRN" },
    .spooled = EXPECT (1) },
  { .path = "/session/tls-required/refused", .tls = POSTE_TEST_TLS_STARTTLS,
    .faults = "starttls-reply=454", .spool = spool_one, .domain = poste_session_error_quark,
    .code = POSTE_SESSION_ERROR_TLS_REQUIRED, .lacks = { "C: AUTH", "C: ATRN" },
    .spooled = EXPECT (1) },
  { .path = "/session/injection", .tls = POSTE_TEST_TLS_STARTTLS,
    .faults = "inject-after-starttls", .domain = poste_protocol_error_quark,
    .code = POSTE_PROTOCOL_ERROR_INJECTION, .tls_seen = EXPECT (FALSE),
    .lacks = { "C: AUTH" } },

  /* ATRN's reply */
  ATRN_FAILS (0, "atrn-reply=450", poste_session_error_quark, POSTE_SESSION_ERROR_REFUSED),
  ATRN_FAILS (1, "atrn-reply=451", poste_session_error_quark, POSTE_SESSION_ERROR_TRY_LATER),
  ATRN_FAILS (2, "atrn-reply=452", poste_session_error_quark, POSTE_SESSION_ERROR_TRY_LATER),
  ATRN_FAILS (3, "atrn-reply=502", poste_session_error_quark, POSTE_SESSION_ERROR_NOT_SUPPORTED),
  ATRN_FAILS (4, "atrn-reply=530", poste_session_error_quark, POSTE_SESSION_ERROR_AUTH_REQUIRED),
  ATRN_FAILS (5, "atrn-reply=535", poste_session_error_quark, POSTE_SESSION_ERROR_AUTH_FAILED),
  ATRN_FAILS (6, "atrn-reply=554", poste_session_error_quark, POSTE_SESSION_ERROR_NOT_SUPPORTED),
  ATRN_FAILS (7, "atrn-reply=354", poste_protocol_error_quark, POSTE_PROTOCOL_ERROR_UNEXPECTED),
  ATRN_FAILS (8, "atrn-reply=450 atrn-multiline", poste_session_error_quark,
              POSTE_SESSION_ERROR_REFUSED),
  ATRN_WORKS (9, "atrn-reply=453"),
  ATRN_WORKS (10, "atrn-reply=250:OK_turning"),
  /* An empty spool: the provider answers 453, which is success without mail. */
  { .path = "/session/atrn-453", .outcome = EXPECT (POSTE_SESSION_OUTCOME_NO_MAIL),
    .has = { "S: 453", "C: QUIT" } },
  { .path = "/session/atrn-multiline", .faults = "atrn-multiline", .spool = spool_one,
    .has = { "S: 250-" }, .delivered = EXPECT (1) },
  { .path = "/session/bare-atrn", .spool = spool_one, .prepare = prepare_bare_atrn,
    .has = { "C: ATRN" }, .lacks = { "C: ATRN " }, .delivered = EXPECT (1) },

  /* Authentication */
  { .path = "/session/auth-failure", .tls = POSTE_TEST_TLS_STARTTLS, .spool = spool_one,
    .prepare = prepare_other_user, .domain = poste_session_error_quark,
    .code = POSTE_SESSION_ERROR_AUTH_FAILED, .lacks = { "C: ATRN" }, .spooled = EXPECT (1) },
  { .path = "/session/junk-challenge", .tls = POSTE_TEST_TLS_STARTTLS, .faults = "junk-334",
    .domain = poste_protocol_error_quark, .code = POSTE_PROTOCOL_ERROR_MALFORMED,
    .has = { "C: *" } },
  /* Without TLS, PLAIN is not used unless auth= names it. */
  { .path = "/session/plaintext-policy", .faults = "mechanisms=PLAIN,LOGIN plain-auth-in-clear",
    .domain = poste_session_error_quark, .code = POSTE_SESSION_ERROR_AUTH_UNAVAILABLE,
    .lacks = { "C: AUTH" } },
  { .path = "/session/plaintext-explicit/plain",
    .faults = "mechanisms=PLAIN,LOGIN plain-auth-in-clear", .spool = spool_one,
    .auth = POSTE_AUTH_PLAIN, .mechanism = "PLAIN", .delivered = EXPECT (1) },
  { .path = "/session/plaintext-explicit/login",
    .faults = "mechanisms=PLAIN,LOGIN plain-auth-in-clear", .spool = spool_one,
    .auth = POSTE_AUTH_LOGIN, .mechanism = "LOGIN", .delivered = EXPECT (1) },
  { .path = "/session/cram-md5", .tls = POSTE_TEST_TLS_STARTTLS,
    .faults = "mechanisms=CRAM-MD5,PLAIN", .spool = spool_one, .mechanism = "CRAM-MD5" },
  /* TLS 1.3 here: the binding is tls-exporter (RFC 9266). */
  { .path = "/session/scram-plus", .tls = POSTE_TEST_TLS_STARTTLS,
    .faults = "mechanisms=SCRAM-SHA-1,SCRAM-SHA-256,SCRAM-SHA-256-PLUS,SCRAM-SHA-1-PLUS",
    .spool = spool_one, .mechanism = "SCRAM-SHA-256-PLUS",
    .has = { "*  channel binding tls-exporter" }, .delivered = EXPECT (1) },
  { .path = "/session/external", .tls = POSTE_TEST_TLS_STARTTLS,
    .faults = "mechanisms=EXTERNAL,SCRAM-SHA-256", .spool = spool_one,
    .prepare = prepare_client_certificate, .mechanism = "EXTERNAL",
    .has = { "C: AUTH EXTERNAL <SASL response redacted>" }, .delivered = EXPECT (1) },

  /* The content */
  /* Never stored, never changed: the bad one was aborted; the good one went through. */
  { .path = "/session/bare-lf-refused", .faults = "raw", .spool = spool_bare_lf_then_one,
    .messages = EXPECT (1), .refused = EXPECT (1), .returned = EXPECT (1),
    .deferred = EXPECT (0), .returned_reason = "550 5.6.0 Message refused, not changed",
    .has = { "C: 550 5.6.0" }, .delivered = EXPECT (1), .aborts = 1,
    .bodies = { MESSAGE_1 }, .spooled = EXPECT (1) },
  { .path = "/session/nul-refused", .faults = "nul", .spool = spool_one,
    .has = { "C: 550 5.6.0" }, .delivered = EXPECT (0),
    .outcome = EXPECT (POSTE_SESSION_OUTCOME_NO_MAIL), .spooled = EXPECT (1) },
  { .path = "/session/long-line-verbatim", .prepare = prepare_long_line,
    .check = check_made_up_message },
  { .path = "/session/bdat", .faults = "bdat", .spool = spool_two,
    .has = { "S: BDAT " }, .lacks = { "S: DATA" }, .bodies = { MESSAGE_1, MESSAGE_2 },
    .spooled = EXPECT (0) },
  { .path = "/session/big-message-streams", .tls = POSTE_TEST_TLS_STARTTLS,
    .prepare = prepare_big_message, .check = check_streamed },

  /* The target */
  { .path = "/session/commit-transient", .spool = spool_one, .commit_code = 451,
    .domain = poste_session_error_quark, .code = POSTE_SESSION_ERROR_DELIVERY,
    .messages = EXPECT (0),
    .refused = EXPECT (1),
    .deferred = EXPECT (1), .returned = EXPECT (0), .nothing_returned = TRUE,
    .has = { "C: 451" }, .spooled = EXPECT (1) },
  { .path = "/session/write-failure", .spool = spool_one, .fail_write = TRUE,
    .domain = poste_session_error_quark, .code = POSTE_SESSION_ERROR_DELIVERY,
    .has = { "C: 451 4.3.0" },
    .deferred = EXPECT (1),
    .returned = EXPECT (0), .aborts = 1, .spooled = EXPECT (1) },
  /* An LMTP-like target: one recipient a transaction; the provider sends the message twice. */
  { .path = "/session/one-recipient-target", .spool = spool_one_for_two, .max_recipients = 1,
    .has = { "C: 452 4.5.3" }, .delivered = EXPECT (2), .messages = EXPECT (2),
    .spooled = EXPECT (0) },
  /* The target refuses at MAIL (a Maildir that cannot be created, a local MTA that is down):
   * each message is refused by the target, and a 4xx is a local delivery failure. */
  { .path = "/session/target-refuses/mail", .spool = spool_two_then_for_two, .begin_code = 451,
    .domain = poste_session_error_quark, .code = POSTE_SESSION_ERROR_DELIVERY,
    .says = "451 4.3.0 Sender refused (test)",
    .outcome = EXPECT (POSTE_SESSION_OUTCOME_FAILED),
    .report_error = EXPECT (POSTE_SESSION_ERROR_DELIVERY), .messages = EXPECT (0),
    .refused = EXPECT (2), .deferred = EXPECT (2), .returned = EXPECT (0),
    .has = { "C: 451 4.3.0 Sender refused (test)" }, .delivered = EXPECT (0),
    .spooled = EXPECT (2) },
  { .path = "/session/target-refuses/mail-no-pipelining", .faults = "no-pipelining",
    .spool = spool_two_then_for_two, .begin_code = 451,
    .domain = poste_session_error_quark, .code = POSTE_SESSION_ERROR_DELIVERY,
    .says = "451 4.3.0 Sender refused (test)",
    .outcome = EXPECT (POSTE_SESSION_OUTCOME_FAILED),
    .report_error = EXPECT (POSTE_SESSION_ERROR_DELIVERY), .messages = EXPECT (0),
    .refused = EXPECT (2), .deferred = EXPECT (2), .returned = EXPECT (0),
    .has = { "C: 451 4.3.0 Sender refused (test)" }, .delivered = EXPECT (0),
    .spooled = EXPECT (2) },
  /* A 5xx at MAIL from the target is its verdict, passed through: refused, bounced by the
   * provider, not a local failure. */
  { .path = "/session/target-refuses/mail-5xx", .spool = spool_one, .begin_code = 550,
    .outcome = EXPECT (POSTE_SESSION_OUTCOME_NO_MAIL), .report_error = EXPECT (-1),
    .refused = EXPECT (1), .returned = EXPECT (1), .deferred = EXPECT (0),
    .returned_reason = "550 5.3.0 Sender refused (test)",
    .exit_status = EXPECT (POSTE_EXIT_DELIVERY), .has = { "C: 550 5.3.0" } },
  /* The target refuses every recipient with 4xx: the transaction delivers nothing, and the
   * messages stay with the provider. */
  { .path = "/session/target-refuses/rcpt", .spool = spool_two_then_for_two, .rcpt_code = 450,
    .domain = poste_session_error_quark, .code = POSTE_SESSION_ERROR_DELIVERY,
    .says = "450 4.2.1 Recipient refused (test)",
    .outcome = EXPECT (POSTE_SESSION_OUTCOME_FAILED), .messages = EXPECT (0),
    .refused = EXPECT (2), .deferred = EXPECT (2), .returned = EXPECT (0),
    .has = { "C: 450 4.2.1" }, .delivered = EXPECT (0), .aborts = 2, .spooled = EXPECT (2) },
  { .path = "/session/target-refuses/rcpt-no-pipelining", .faults = "no-pipelining",
    .spool = spool_two_then_for_two, .rcpt_code = 450,
    .domain = poste_session_error_quark, .code = POSTE_SESSION_ERROR_DELIVERY,
    .says = "450 4.2.1 Recipient refused (test)",
    .outcome = EXPECT (POSTE_SESSION_OUTCOME_FAILED), .messages = EXPECT (0),
    .refused = EXPECT (2), .deferred = EXPECT (2), .returned = EXPECT (0),
    .has = { "C: 450 4.2.1" }, .delivered = EXPECT (0), .aborts = 2, .spooled = EXPECT (2) },
  /* A local MTA's 550 for one unknown user: the others get the message, the provider bounces
   * that recipient's copy, and nothing failed locally. */
  { .path = "/session/target-refuses/one-recipient", .spool = spool_one_for_two,
    .refuse_recipient = "second@example.org", .outcome = EXPECT (POSTE_SESSION_OUTCOME_MAIL),
    .report_error = EXPECT (-1), .messages = EXPECT (1), .refused = EXPECT (0),
    .returned = EXPECT (0), .exit_status = EXPECT (POSTE_EXIT_MAIL),
    .has = { "C: 550 5.1.1 No such user (test)" }, .delivered = EXPECT (1),
    .recipients = { "first@example.org" }, .spooled = EXPECT (0) },
  /* A 4xx from the target for one recipient of a message the other received: delivered once,
   * the provider keeps the busy recipient's copy (sent again in a transaction of its own,
   * refused again: counted then), and the session reports the local failure. */
  { .path = "/session/target-defers/one-recipient", .spool = spool_one_for_two,
    .defer_recipient = "second@example.org", .domain = poste_session_error_quark,
    .code = POSTE_SESSION_ERROR_DELIVERY,
    .says = "450 4.2.1 Mailbox busy (test)", .outcome = EXPECT (POSTE_SESSION_OUTCOME_FAILED),
    .messages = EXPECT (1), .refused = EXPECT (1), .deferred = EXPECT (1),
    .returned = EXPECT (0), .delivered = EXPECT (1), .recipients = { "first@example.org" },
    .spooled = EXPECT (1) },
  /* A target that takes one recipient a transaction and says so itself (452 4.5.3 from
   * add_recipient, as the router does for LMTP): normal flow, every recipient gets the message
   * in its own transaction, and nothing is refused. */
  { .path = "/session/target-recipient-limit", .spool = spool_one_for_three, .rcpt_limit = 1,
    .outcome = EXPECT (POSTE_SESSION_OUTCOME_MAIL), .report_error = EXPECT (-1),
    .messages = EXPECT (3), .refused = EXPECT (0),
    .has = { "C: 452 4.5.3 Too many recipients (test)" }, .delivered = EXPECT (3),
    .recipients = { "first@example.org", "second@example.org", "third@example.org" },
    .spooled = EXPECT (0) },
  { .path = "/session/size-limit", .prepare = prepare_above_size_limit, .max_size = 1000,
    .has = { "C: 250-SIZE 1000", "C: 552 5.3.4" }, .returned = EXPECT (1),
    .deferred = EXPECT (0), .delivered = EXPECT (1), .spooled = EXPECT (1) },

  /* The provider's misbehaviour */
  { .path = "/session/ehlo-quit", .faults = "ehlo-quit", .spool = spool_one,
    .outcome = EXPECT (POSTE_SESSION_OUTCOME_NO_MAIL), .has = { "C: 250-SIZE 0", "C: 221" },
    .delivered = EXPECT (0) },
  FAULT ("reply-long-line", "reply-long-line", poste_protocol_error_quark,
         POSTE_PROTOCOL_ERROR_LINE_TOO_LONG, 0),
  FAULT ("reply-endless-multiline", "reply-endless-multiline", poste_protocol_error_quark,
         POSTE_PROTOCOL_ERROR_TOO_MANY_LINES, 0),
  FAULT ("reply-code-change", "reply-code-change", poste_protocol_error_quark,
         POSTE_PROTOCOL_ERROR_MALFORMED, 0),
  FAULT ("drop-greeting", "drop=greeting", poste_protocol_error_quark,
         POSTE_PROTOCOL_ERROR_CLOSED, 0),
  FAULT ("drop-ehlo", "drop=ehlo", poste_protocol_error_quark, POSTE_PROTOCOL_ERROR_CLOSED, 0),
  FAULT ("drop-auth", "drop=auth", poste_protocol_error_quark, POSTE_PROTOCOL_ERROR_CLOSED, 0),
  FAULT ("drop-atrn", "drop=atrn", poste_protocol_error_quark, POSTE_PROTOCOL_ERROR_CLOSED, 0),
  FAULT ("drop-data", "drop=data", poste_protocol_error_quark, POSTE_PROTOCOL_ERROR_CLOSED, 0),
  FAULT ("drop-in-data-20", "drop-in-data=20", poste_protocol_error_quark,
         POSTE_PROTOCOL_ERROR_CLOSED, 0),
  /* A hang-up after our 220 and before any EHLO is a broken session, never "no mail". */
  FAULT ("drop-our-220", "drop=our-220", poste_protocol_error_quark,
         POSTE_PROTOCOL_ERROR_CLOSED, 0),
  FAULT ("drop-after-250", "drop=after-250", NULL, 0, 1),
  FAULT ("no-pipelining", "no-pipelining", NULL, 0, 2),
  FAULT ("slow-lines-20", "slow-lines=20", NULL, 0, 2),

  /* Deadlines */
  { .path = "/session/timeout/greeting", .faults = "silent=greeting", .timeout = 2,
    .domain = g_io_error_quark, .code = G_IO_ERROR_TIMED_OUT,
    .state = EXPECT (POSTE_SESSION_STATE_FAILED) },
  { .path = "/session/timeout/reversed", .faults = "silent=mail", .spool = spool_one,
    .timeout = 2, .domain = g_io_error_quark, .code = G_IO_ERROR_TIMED_OUT,
    .has = { "C: 421 4.4.2" },
    .spooled = EXPECT (1) },
  /* The TLS handshake has a deadline too. */
  { .path = "/session/timeout/handshake", .tls = POSTE_TEST_TLS_STARTTLS,
    .faults = "silent=handshake", .timeout = 2, .domain = g_io_error_quark,
    .code = G_IO_ERROR_TIMED_OUT },
  /* The wait for ATRN's reply has its own deadline ("atrn-timeout", 15 minutes by default). */
  { .path = "/session/timeout/atrn", .faults = "silent=atrn", .spool = spool_one,
    .atrn_timeout = 2, .domain = g_io_error_quark, .code = G_IO_ERROR_TIMED_OUT,
    .has = { "C: ATRN example.org" },
    .spooled = EXPECT (1) },
};

const guint session_n_cases = G_N_ELEMENTS (session_cases);
