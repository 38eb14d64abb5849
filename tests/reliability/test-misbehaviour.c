/* test-misbehaviour.c: a catalogue of provider misbehaviours, each met with a clear error and
 * nothing lost
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Two kinds of provider play the villain:
 *  - PosteTestProvider with its faults (real TLS, real SASL): bad replies, STARTTLS injection and
 *    stripping, certificates for another host, expired or no longer matching their pin, bare LF
 *    and NUL in DATA, over-long lines, silence in every phase;
 *  - a scripted provider written here (plain text, PLAIN allowed in clear by configuration) for
 *    what no well-behaved server library would send: non-digit codes, NUL, bare CR and bare LF in
 *    replies, endless lines, the SMTP smuggling sequences, dot-stuffing split across reads, SIZE
 *    above our limit, too many recipients, addresses built to inject MDA arguments or shell.
 *
 * "Nothing lost" means: the provider still holds every message it did not get a 250 for, and
 * nothing reached the target that we did not acknowledge.
 */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "poste.h"
#include "poste-connection.h"
#include "poste-test-fixture.h"
#include "poste-test-script.h"
#include "poste-test.h"
#include "test-memory-delivery.h"

#define USER "customer"
#define PASSWORD "Villain-pa55word"
#define TIMEOUT 15
#define SHORT_TIMEOUT 2

static const char *const domains[] = { "example.org", NULL };
static const char *const one_rcpt[] = { "someone@example.org", NULL };

#define MESSAGE "From: a@sender.example\r\nSubject: one\r\n\r\nHello\r\n.dot\r\n"

/* ---- The test provider ---- */

static const PosteTestFixtureConfig config = {
  .name = "villain",
  .user = USER,
  .password = PASSWORD,
  .domains = domains,
  .provider_timeout = 60,
  .timeout = TIMEOUT,
  .memory_delivery = TRUE,
};

typedef struct {
  PosteTestFixture  t;
} Fixture;

/* A test provider holding one message, with a certificate as @cert_flags say. */
static void
fixture_setup (Fixture            *f,
               PosteTestCertFlags  cert_flags,
               const char         *faults)
{
  poste_test_fixture_setup (&f->t, &config, POSTE_TEST_TLS_STARTTLS, cert_flags, faults);
  poste_test_provider_add_message (f->t.tp, "a@sender.example", one_rcpt, MESSAGE, -1);
}

/* Starts the test provider and runs one session, whose timeouts are @timeout seconds. */
static void
fixture_run (Fixture *f,
             guint    timeout)
{
  PosteSession *session;

  poste_test_fixture_start (&f->t);
  session = poste_test_fixture_new_session (&f->t, POSTE_DELIVERY (f->t.delivery));
  poste_session_set_timeout (session, timeout);
  poste_session_set_atrn_timeout (session, timeout);
  poste_test_fixture_run (&f->t);
  /* An error always says something a person can act on. */
  if (!f->t.ok)
    g_assert_cmpuint (strlen (f->t.error->message), >, 10);
}

/* Nothing lost: the message is still the provider's, and nothing reached the target. */
static void
assert_kept (Fixture *f)
{
  g_autoptr(GPtrArray) accepted = poste_test_provider_dup_accepted (f->t.tp);

  g_assert_cmpuint (poste_test_provider_count_spooled (f->t.tp), ==, 1);
  g_assert_cmpuint (accepted->len, ==, 0);
  g_assert_cmpuint (f->t.delivery->messages->len, ==, 0);
}

static gboolean
transcript_has (Fixture    *f,
                const char *prefix)
{
  return poste_test_fixture_transcript_has (&f->t, prefix);
}

static void
fixture_teardown (Fixture *f)
{
  poste_test_fixture_teardown (&f->t);
}

/* A fault of the test provider (or a change to the provider) that must end the session with
 * @domain/@code, the message held in its error, and the provider keeping its message. */
typedef struct {
  const char         *path;
  const char         *faults;
  PosteTestCertFlags  cert;
  void              (*prepare) (Fixture *f);  /* changes to the provider before the run */
  GQuark            (*domain) (void);
  int                 code;
  gboolean            short_timeout;
  const char         *message;   /* what the error must say: the check that spoke, not another */
  gboolean            exact;     /* ... and nothing more */
  const char         *has[1];    /* the start of lines the transcript must hold */
  const char         *lacks[2];  /* ... and must not */
} FaultCase;

static void
test_fault (gconstpointer data)
{
  const FaultCase *c = data;
  Fixture f = { 0, };

  fixture_setup (&f, c->cert, c->faults);
  if (c->prepare != NULL)
    c->prepare (&f);
  fixture_run (&f, c->short_timeout ? SHORT_TIMEOUT : TIMEOUT);
  g_assert_false (f.t.ok);
  g_assert_error (f.t.error, c->domain (), c->code);
  g_assert_nonnull (c->message);
  if (strstr (f.t.error->message, c->message) == NULL)
    g_error ("the error says '%s', not '%s'", f.t.error->message, c->message);
  if (c->exact)
    g_assert_cmpstr (f.t.error->message, ==, c->message);
  for (guint i = 0; i < G_N_ELEMENTS (c->has) && c->has[i] != NULL; i++)
    g_assert_true (transcript_has (&f, c->has[i]));
  for (guint i = 0; i < G_N_ELEMENTS (c->lacks) && c->lacks[i] != NULL; i++)
    g_assert_false (transcript_has (&f, c->lacks[i]));
  assert_kept (&f);
  fixture_teardown (&f);
}

/* The certificate names provider.test and 127.0.0.1; "localhost" is neither. The test provider
 * listens on 127.0.0.1 only. */
static void
prepare_other_host (Fixture *f)
{
  poste_provider_set_host (f->t.provider, "localhost");
}

/* The certificate changed since it was pinned (and no CA vouches for it). */
static void
prepare_pin_changed (Fixture *f)
{
  poste_provider_set_ca_file (f->t.provider, NULL);
  poste_provider_set_pinned_sha256 (f->t.provider,
    "aa5b1a1e8c3dd0e5b15e8e2ad5f3a0c3b1b8cf6a1b3a1e2f7d0c4b2a19f8e7d6");
}

static const FaultCase fault_cases[] = {
  { .path = "/misbehaviour/reply/over-long-line", .faults = "reply-long-line",
    .domain = poste_protocol_error_quark, .code = POSTE_PROTOCOL_ERROR_LINE_TOO_LONG,
    .message = "A line of 2004 bytes is longer than the limit of 510" },
  { .path = "/misbehaviour/reply/endless-multiline", .faults = "reply-endless-multiline",
    .domain = poste_protocol_error_quark, .code = POSTE_PROTOCOL_ERROR_TOO_MANY_LINES,
    .message = "A reply went on for more than 100 lines" },
  { .path = "/misbehaviour/reply/code-change", .faults = "reply-code-change",
    .domain = poste_protocol_error_quark, .code = POSTE_PROTOCOL_ERROR_MALFORMED,
    .message = "A multi-line reply changed its code from 250 to 251" },
  { .path = "/misbehaviour/auth/junk-334", .faults = "junk-334",
    .domain = poste_protocol_error_quark, .code = POSTE_PROTOCOL_ERROR_MALFORMED,
    .message = "The provider's authentication challenge is not valid base64" },
  { .path = "/misbehaviour/tls/starttls-injection", .faults = "inject-after-starttls",
    .domain = poste_protocol_error_quark, .code = POSTE_PROTOCOL_ERROR_INJECTION,
    .message = "The provider sent data ahead of the TLS handshake (STARTTLS response injection)" },
  { .path = "/misbehaviour/tls/stripped-not-offered", .faults = "no-starttls",
    .domain = poste_session_error_quark, .code = POSTE_SESSION_ERROR_TLS_REQUIRED,
    .message = "The provider does not offer STARTTLS, and this provider requires TLS" },
  { .path = "/misbehaviour/tls/stripped-454", .faults = "starttls-reply=454",
    .domain = poste_session_error_quark, .code = POSTE_SESSION_ERROR_TLS_REQUIRED,
    .message = "The provider refused STARTTLS, and this provider requires TLS: 454 " },
  { .path = "/misbehaviour/tls/expired-certificate", .cert = POSTE_TEST_CERT_EXPIRED,
    .domain = poste_session_error_quark, .code = POSTE_SESSION_ERROR_CERTIFICATE,
    .message = "is not trusted: expired" },
  { .path = "/misbehaviour/silent/greeting", .faults = "silent=greeting",
    .domain = g_io_error_quark, .code = G_IO_ERROR_TIMED_OUT, .short_timeout = TRUE,
    .message = "The peer did not answer within 2 seconds" },
  { .path = "/misbehaviour/silent/ehlo", .faults = "silent=ehlo", .domain = g_io_error_quark,
    .code = G_IO_ERROR_TIMED_OUT, .short_timeout = TRUE,
    .message = "The peer did not answer within 2 seconds" },
  { .path = "/misbehaviour/silent/starttls", .faults = "silent=starttls",
    .domain = g_io_error_quark, .code = G_IO_ERROR_TIMED_OUT, .short_timeout = TRUE,
    .message = "The peer did not answer within 2 seconds" },
  { .path = "/misbehaviour/silent/tls-handshake", .faults = "silent=handshake",
    .domain = g_io_error_quark, .code = G_IO_ERROR_TIMED_OUT, .short_timeout = TRUE,
    .message = "The TLS handshake did not complete within 2 seconds" },
  { .path = "/misbehaviour/silent/auth", .faults = "silent=auth", .domain = g_io_error_quark,
    .code = G_IO_ERROR_TIMED_OUT, .short_timeout = TRUE,
    .message = "The peer did not answer within 2 seconds" },
  { .path = "/misbehaviour/silent/atrn", .faults = "silent=atrn", .domain = g_io_error_quark,
    .code = G_IO_ERROR_TIMED_OUT, .short_timeout = TRUE,
    .message = "The peer did not answer within 2 seconds" },
  { .path = "/misbehaviour/silent/mail", .faults = "silent=mail", .domain = g_io_error_quark,
    .code = G_IO_ERROR_TIMED_OUT, .short_timeout = TRUE,
    .message = "The peer did not answer within 2 seconds" },
  { .path = "/misbehaviour/silent/rcpt", .faults = "silent=rcpt", .domain = g_io_error_quark,
    .code = G_IO_ERROR_TIMED_OUT, .short_timeout = TRUE,
    .message = "The peer did not answer within 2 seconds" },
  { .path = "/misbehaviour/silent/data", .faults = "silent=data", .domain = g_io_error_quark,
    .code = G_IO_ERROR_TIMED_OUT, .short_timeout = TRUE,
    .message = "The peer did not answer within 2 seconds" },
  /* STARTTLS is not offered: we stop before sending it (never "try and see": a 502 to it
   * would end the session with another check's error, so the exact message shows that one
   * spoke) and before any credential. */
  { .path = "/misbehaviour/tls/not-offered-never-sent", .faults = "no-starttls",
    .domain = poste_session_error_quark, .code = POSTE_SESSION_ERROR_TLS_REQUIRED,
    .message = "The provider does not offer STARTTLS, and this provider requires TLS",
    .exact = TRUE, .lacks = { "C: STARTTLS", "C: AUTH" } },
  /* Bytes after STARTTLS's 220 are refused by the session (its own note and message), before
   * the connection's own check at the handshake could see them. */
  { .path = "/misbehaviour/tls/injection-seen-by-session", .faults = "inject-after-starttls",
    .domain = poste_protocol_error_quark, .code = POSTE_PROTOCOL_ERROR_INJECTION,
    .message = "The provider sent data ahead of the TLS handshake (STARTTLS response "
               "injection); the connection is not safe",
    .exact = TRUE, .has = { "*  14 bytes arrived after STARTTLS's 220" },
    .lacks = { "C: AUTH" } },
  /* The certificate is valid, but for another host than the one configured. */
  { .path = "/misbehaviour/tls/other-host", .prepare = prepare_other_host,
    .domain = poste_session_error_quark, .code = POSTE_SESSION_ERROR_CERTIFICATE,
    .message = "is not trusted: issued for another host", .lacks = { "C: AUTH" } },
  { .path = "/misbehaviour/tls/pin-changed", .prepare = prepare_pin_changed,
    .domain = poste_session_error_quark, .code = POSTE_SESSION_ERROR_CERTIFICATE,
    .message = "does not match the pinned fingerprint", .lacks = { "C: AUTH" } },
  /* The provider sends nothing after our 220: a deadline ends the reversed state with 421. */
  { .path = "/misbehaviour/silent/after-our-220", .faults = "silent=our-220",
    .domain = g_io_error_quark, .code = G_IO_ERROR_TIMED_OUT, .short_timeout = TRUE,
    .message = "The peer did not answer within 2 seconds", .has = { "C: 421" } },
};

/* The connection's own check, alone: bytes buffered before a handshake refuse it, and not a
 * byte of the handshake is sent. */
static void
test_injection_connection (void)
{
  static const char injected[] = "220 2.0.0 Ready to start TLS\r\n250 injected\r\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketConnection) stream = NULL;
  g_autoptr(GIOStream) tls = NULL;
  PosteConnection *connection;
  const char *line;
  gsize length;
  char byte;
  int fds[2];

  g_assert_no_errno (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds));
  socket = g_socket_new_from_fd (fds[0], &error);
  g_assert_no_error (error);
  stream = g_socket_connection_factory_create_connection (socket);
  connection = poste_connection_new (G_IO_STREAM (stream));
  poste_connection_set_timeout (connection, TIMEOUT);
  g_assert_cmpint (write (fds[1], injected, sizeof injected - 1), ==, sizeof injected - 1);

  line = poste_connection_read_line (connection, 512, &length, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "220 2.0.0 Ready to start TLS");
  g_assert_cmpuint (poste_connection_get_buffered (connection), ==, strlen ("250 injected\r\n"));

  tls = g_tls_client_connection_new (G_IO_STREAM (stream), NULL, &error);
  g_assert_no_error (error);
  g_assert_false (poste_connection_handshake (connection, G_TLS_CONNECTION (tls), NULL, &error));
  g_assert_error (error, POSTE_PROTOCOL_ERROR, POSTE_PROTOCOL_ERROR_INJECTION);
  g_assert_nonnull (strstr (error->message, "bytes ahead of the TLS handshake"));
  /* No ClientHello went out. */
  g_assert_cmpint (recv (fds[1], &byte, 1, MSG_DONTWAIT), ==, -1);
  g_assert_cmpint (errno, ==, EAGAIN);

  poste_connection_unref (connection);
  close (fds[1]);
}

/* Bare LF or NUL in DATA: refused with 550 (the stated policy), never stored changed. */
static void
test_refused_content (gconstpointer data)
{
  Fixture f = { 0, };
  g_autoptr(GPtrArray) accepted = NULL;

  fixture_setup (&f, 0, data);
  fixture_run (&f, TIMEOUT);
  g_assert_no_error (f.t.error);
  g_assert_true (transcript_has (&f, "C: 550 5.6.0"));
  g_assert_cmpuint (poste_session_get_report (f.t.session)->refused, ==, 1);
  g_assert_cmpuint (f.t.delivery->messages->len, ==, 0);
  g_assert_cmpuint (f.t.delivery->aborts, >=, 1);
  accepted = poste_test_provider_dup_accepted (f.t.tp);
  g_assert_cmpuint (accepted->len, ==, 0);
  fixture_teardown (&f);
}

/* An over-long line (5000 octets, RFC 5321 allows 998) is stored verbatim, never cut. */
static void
test_long_line (void)
{
  Fixture f = { 0, };
  g_autofree char *line = g_strnfill (5000 - strlen ("X-Long: "), 'x');
  g_autofree char *header = g_strdup_printf ("\r\nX-Long: %s\r\n", line);
  gsize length;
  const char *stored;

  fixture_setup (&f, 0, "long-line=5000");
  fixture_run (&f, TIMEOUT);
  g_assert_no_error (f.t.error);
  g_assert_cmpuint (f.t.delivery->messages->len, ==, 1);
  stored = g_bytes_get_data (f.t.delivery->messages->pdata[0], &length);
  g_assert_nonnull (g_strstr_len (stored, length, header));
  g_assert_cmpuint (poste_test_provider_count_spooled (f.t.tp), ==, 0);
  fixture_teardown (&f);
}

/* Dot-stuffing across TLS records: a large message with a dot at the start of every line, of
 * varying lengths, so that stuffed dots fall at every offset of the provider's writes. */
static void
test_dots_across_records (void)
{
  Fixture f = { 0, };
  g_autoptr(GString) message = g_string_new ("Subject: dots\r\n\r\n");
  gsize length;
  const char *stored;

  for (guint i = 0; message->len < 300 * 1024; i++)
    {
      g_string_append_c (message, '.');
      for (guint j = 0; j < i % 97; j++)
        g_string_append_c (message, j % 5 == 0 ? '.' : 'a' + (char) (j % 26));
      g_string_append (message, "\r\n");
    }
  fixture_setup (&f, 0, NULL);
  poste_test_provider_add_message (f.t.tp, "b@sender.example", one_rcpt, message->str, -1);
  fixture_run (&f, TIMEOUT);
  g_assert_no_error (f.t.error);
  g_assert_cmpuint (f.t.delivery->messages->len, ==, 2);
  stored = g_bytes_get_data (f.t.delivery->messages->pdata[1], &length);
  g_assert_cmpuint (length, >, message->len);
  /* After our Received: header, exactly the message. */
  g_assert_true (memcmp (stored + length - message->len, message->str, message->len) == 0);
  g_assert_cmpuint (poste_test_provider_count_spooled (f.t.tp), ==, 0);
  fixture_teardown (&f);
}

/* CR LF inside a configured user name or domain: refused before a byte of it is sent. */
static void
test_crlf_in_config (gconstpointer data)
{
  Fixture f = { 0, };
  static const char *const evil_domains[] = { "example.org\r\nRCPT TO:<x@y>", NULL };
  g_autofree char *provider_transcript = NULL;

  fixture_setup (&f, 0, NULL);
  if (g_str_equal (data, "user"))
    poste_provider_set_username (f.t.provider, "customer\r\nATRN example.net");
  else
    poste_provider_set_domains (f.t.provider, evil_domains);
  fixture_run (&f, TIMEOUT);
  g_assert_false (f.t.ok);
  g_assert_true (f.t.error->domain == POSTE_SESSION_ERROR ||
                 f.t.error->domain == POSTE_CONFIG_ERROR ||
                 f.t.error->domain == POSTE_PROTOCOL_ERROR);
  provider_transcript = poste_test_provider_dup_transcript (f.t.tp);
  g_test_message ("%s", provider_transcript);
  g_assert_null (strstr (provider_transcript, "RCPT TO:<x@y>"));
  g_assert_null (strstr (provider_transcript, "ATRN example.net"));
  assert_kept (&f);
  fixture_teardown (&f);
}

/* ---- The scripted provider ---- */

/* The steps of a script are described in tests/common/poste-test-script.c. */

/* The client phase of a provider that speaks plain text and takes PLAIN. */
#define CLIENT_PHASE \
  ">220 scripted.example ESMTP\r\n", "<", \
  ">250-scripted.example\r\n250 AUTH PLAIN\r\n", "<", \
  ">235 2.7.0 OK\r\n", "<", \
  ">250 OK now reversing the connection\r\n", "<", \
  ">EHLO scripted.example\r\n", "<"

typedef struct {
  PosteTestScript script;
  PosteProvider *provider;
  TestDelivery  *delivery;
  PosteDelivery *target;
  PosteSession  *session;
  GError        *error;
  gboolean       ok;
} Scripted;

static void
scripted_run (Scripted          *t,
              const char *const *steps,
              guint64            max_size,
              guint              max_recipients)
{
  PosteSessionReport *report;

  poste_test_script_start (&t->script, steps);
  t->provider = poste_provider_new ("scripted");
  poste_test_script_set_provider (&t->script, t->provider, USER);
  poste_provider_set_domains (t->provider, domains);
  t->delivery = test_delivery_new ();
  t->session = poste_session_new (t->provider, PASSWORD,
                                  t->target != NULL ? t->target : POSTE_DELIVERY (t->delivery));
  poste_session_set_timeout (t->session, TIMEOUT);
  poste_session_set_local_name (t->session, "customer.example");
  if (max_size > 0)
    poste_session_set_max_message_size (t->session, max_size);
  if (max_recipients > 0)
    poste_session_set_max_recipients (t->session, max_recipients);
  t->ok = poste_session_run (t->session, NULL, &t->error);
  poste_test_script_finish (&t->script);
  report = poste_session_get_report (t->session);
  for (guint i = 0; i < report->transcript->len; i++)
    g_test_message ("%s", (const char *) report->transcript->pdata[i]);
  g_test_message ("result: %s", t->ok ? "ok" : t->error->message);
}

static void
scripted_free (Scripted *t)
{
  g_clear_error (&t->error);
  g_clear_object (&t->session);
  g_clear_object (&t->provider);
  g_clear_object (&t->delivery);
  g_clear_object (&t->target);
  poste_test_script_clear (&t->script);
}

/* A greeting or a reply that is not SMTP: a protocol error, nothing sent after it. */
typedef struct {
  const char *path;
  const char *steps[5];
} BadReply;

static const BadReply bad_replies[] = {
  { "/misbehaviour/reply/non-digit-code", { ">2x0 scripted.example ESMTP\r\n", "=", NULL } },
  { "/misbehaviour/reply/code-below-200", { ">120 wait\r\n", "=", NULL } },
  { "/misbehaviour/reply/nul", { ">220 scripted", "0", ">.example\r\n", "=", NULL } },
  { "/misbehaviour/reply/bare-cr", { ">220 scripted\r.example\r\n", "=", NULL } },
  { "/misbehaviour/reply/bare-lf", { ">220 scripted.example\n", "=", NULL } },
  { "/misbehaviour/reply/codes-differ", { ">220-scripted.example\r\n221 ESMTP\r\n", "=", NULL } },
  { "/misbehaviour/reply/no-separator", { ">220scripted.example\r\n", "=", NULL } },
  { "/misbehaviour/reply/control-byte", { ">220 scripted\x01.example\r\n", "=", NULL } },
};

static void
test_bad_greeting (gconstpointer data)
{
  const BadReply *c = data;
  Scripted t = { 0, };

  scripted_run (&t, c->steps, 0, 0);
  g_assert_false (t.ok);
  g_assert_error (t.error, POSTE_PROTOCOL_ERROR, POSTE_PROTOCOL_ERROR_MALFORMED);
  /* We said nothing to a provider that does not speak SMTP. */
  g_assert_null (strstr (t.script.heard->str, "EHLO"));
  scripted_free (&t);
}

/* A greeting line that never ends: the read is bounded. */
static void
test_endless_line (void)
{
  Scripted t = { 0, };
  g_autofree char *endless = NULL;
  const char *steps[] = { NULL, "=", NULL };
  g_autoptr(GString) text = g_string_new (">220 ");

  while (text->len < 256 * 1024)
    g_string_append (text, "scripted.example ");
  endless = g_string_free (g_steal_pointer (&text), FALSE);
  steps[0] = endless;
  scripted_run (&t, steps, 0, 0);
  g_assert_false (t.ok);
  g_assert_error (t.error, POSTE_PROTOCOL_ERROR, POSTE_PROTOCOL_ERROR_LINE_TOO_LONG);
  scripted_free (&t);
}

/* The SMTP smuggling sequences: "\n.\r\n" and "\r\n.\n" are not the end of DATA. What follows
 * them is content, never commands: the smuggled MAIL is not executed, the message is refused
 * (bare LF policy) and nothing is stored. */
static void
test_smuggling (gconstpointer data)
{
  Scripted t = { 0, };
  g_autofree char *content = g_strdup_printf (">Subject: smuggle\r\n\r\nhello%s"
                                              "MAIL FROM:<evil@attacker.example>\r\n"
                                              "RCPT TO:<victim@example.org>\r\n"
                                              "DATA\r\n"
                                              "Subject: smuggled\r\n\r\nevil\r\n"
                                              ".\r\n", (const char *) data);
  const char *steps[] = {
    CLIENT_PHASE,
    ">MAIL FROM:<a@sender.example>\r\n", "<",
    ">RCPT TO:<someone@example.org>\r\n", "<",
    ">DATA\r\n", "<",
    content, "<",
    ">QUIT\r\n", "<",
    NULL
  };

  scripted_run (&t, steps, 0, 0);
  g_assert_no_error (t.error);
  g_assert_true (t.ok);
  g_assert_cmpuint (t.delivery->messages->len, ==, 0);
  /* One reply to the whole DATA: 550, then 221. No 250 for a smuggled command. */
  g_assert_nonnull (strstr (t.script.heard->str, "\r\n550 5.6.0"));
  {
    const char *first = strstr (t.script.heard->str, "\r\n354 ");

    g_assert_nonnull (first);
    g_assert_null (strstr (first + 1, "\r\n354 "));
    g_assert_null (strstr (t.script.heard->str, "evil@attacker"));
  }
  g_assert_cmpuint (poste_session_get_report (t.session)->refused, ==, 1);
  scripted_free (&t);
}

/* A bare CR in DATA (the test provider's faults only make bare LF and NUL): refused with 550,
 * like them, and nothing stored. */
static void
test_bare_cr (void)
{
  Scripted t = { 0, };
  const char *steps[] = {
    CLIENT_PHASE,
    ">MAIL FROM:<a@sender.example>\r\n", "<",
    ">RCPT TO:<someone@example.org>\r\n", "<",
    ">DATA\r\n", "<",
    ">Subject: cr\r\n\r\nbefore\rafter\r\n.\r\n", "<",
    ">QUIT\r\n", "<",
    NULL
  };

  scripted_run (&t, steps, 0, 0);
  g_assert_no_error (t.error);
  g_assert_nonnull (strstr (t.script.heard->str, "\r\n550 5.6.0"));
  g_assert_cmpuint (t.delivery->messages->len, ==, 0);
  g_assert_cmpuint (poste_session_get_report (t.session)->refused, ==, 1);
  scripted_free (&t);
}

/* Dot-stuffing split across reads: the content arrives a byte at a time. */
static void
test_dots_across_reads (void)
{
  Scripted t = { 0, };
  static const char message[] = "Subject: dots\r\n\r\n.\r\n..\r\n.a\r\n\r\n.\r\nend\r\n";
  const char *steps[] = {
    CLIENT_PHASE,
    ">MAIL FROM:<a@sender.example>\r\n", "<",
    ">RCPT TO:<someone@example.org>\r\n", "<",
    ">DATA\r\n", "<",
    "~Subject: dots\r\n\r\n..\r\n...\r\n..a\r\n\r\n..\r\nend\r\n.\r\n", "<",
    ">QUIT\r\n", "<",
    NULL
  };
  gsize length;
  const char *stored;

  scripted_run (&t, steps, 0, 0);
  g_assert_no_error (t.error);
  g_assert_cmpuint (t.delivery->messages->len, ==, 1);
  stored = g_bytes_get_data (t.delivery->messages->pdata[0], &length);
  g_assert_cmpuint (length, >, strlen (message));
  g_assert_true (memcmp (stored + length - strlen (message), message, strlen (message)) == 0);
  scripted_free (&t);
}

/* SIZE above our limit: 552 at MAIL, before a byte of content (RFC 1870 section 6.1). */
static void
test_size_above_limit (void)
{
  Scripted t = { 0, };
  const char *steps[] = {
    CLIENT_PHASE,
    ">MAIL FROM:<a@sender.example> SIZE=5000000\r\n", "<",
    ">QUIT\r\n", "<",
    NULL
  };

  scripted_run (&t, steps, 1000000, 0);
  g_assert_no_error (t.error);
  g_assert_nonnull (strstr (t.script.heard->str, "\r\n552 5.3.4 "));
  g_assert_cmpuint (t.delivery->messages->len, ==, 0);
  scripted_free (&t);
}

/* More recipients than our limit: 452 to the next (RFC 5321 section 4.5.3.1.10); the provider
 * sends them again in another transaction, and every recipient gets the message. */
static void
test_too_many_recipients (void)
{
  Scripted t = { 0, };
  const char *steps[] = {
    CLIENT_PHASE,
    ">MAIL FROM:<a@sender.example>\r\n", "<",
    ">RCPT TO:<one@example.org>\r\n", "<",
    ">RCPT TO:<two@example.org>\r\n", "<",
    ">RCPT TO:<three@example.org>\r\n", "<",
    ">DATA\r\n", "<",
    ">Subject: many\r\n\r\nx\r\n.\r\n", "<",
    ">MAIL FROM:<a@sender.example>\r\n", "<",
    ">RCPT TO:<three@example.org>\r\n", "<",
    ">DATA\r\n", "<",
    ">Subject: many\r\n\r\nx\r\n.\r\n", "<",
    ">QUIT\r\n", "<",
    NULL
  };

  scripted_run (&t, steps, 0, 2);
  g_assert_no_error (t.error);
  g_assert_nonnull (strstr (t.script.heard->str, "\r\n452 4.5.3 "));
  g_assert_cmpuint (t.delivery->messages->len, ==, 2);
  g_assert_cmpstr (t.delivery->recipients->pdata[0], ==, "one@example.org,two@example.org");
  g_assert_cmpstr (t.delivery->recipients->pdata[1], ==, "three@example.org");
  scripted_free (&t);
}

/* Addresses built to inject MDA arguments are refused with 451 at MAIL or RCPT (a leading '-';
 * the MDA target validates them, local doubt is temporary), while addresses full of shell syntax
 * are valid (RFC 5321 quoted local parts) and reach the MDA as one whole argument each, with no
 * shell to run them. */
static void
test_mda_injection (void)
{
  Scripted t = { 0, };
  g_autofree char *dir = poste_test_make_dir ("mda");
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  g_autofree char *args_file = g_strconcat (out, ".args", NULL);
  g_autofree char *pwned = g_build_filename (dir, "pwned", NULL);
  g_autofree char *mda = g_build_filename (poste_test_build_root (), "tests", "delivery",
                                           "poste-test-mda", NULL);
  g_autofree char *spec = g_strdup_printf ("mda:%s copy %s -f %%F %%T", mda, out);
  g_autofree char *mail1 = g_strdup_printf (">MAIL FROM:<-oQ%s@sender.example>\r\n", pwned);
  g_autofree char *mail2 = g_strdup_printf (">MAIL FROM:<\"`touch %s`\"@sender.example>\r\n",
                                            pwned);
  g_autofree char *rcpt1 = g_strdup_printf (">RCPT TO:<\"$(touch %s);a&b|c\"@example.org>\r\n",
                                            pwned);
  g_autofree char *expected = g_strdup_printf ("-f\n\"`touch %s`\"@sender.example\n"
                                               "\"$(touch %s);a&b|c\"@example.org\n",
                                               pwned, pwned);
  g_autofree char *codes = NULL;
  g_autofree char *args = NULL;
  g_autoptr(GError) error = NULL;
  const char *steps[] = {
    CLIENT_PHASE,
    mail1, "<", ">RSET\r\n", "<",
    ">MAIL FROM:<a@sender.example>\r\n", "<", ">RCPT TO:<-v@example.org>\r\n", "<",
    ">RSET\r\n", "<",
    mail2, "<", rcpt1, "<",
    ">DATA\r\n", "<", ">Subject: shell syntax\r\n\r\nx\r\n.\r\n", "<",
    ">QUIT\r\n", "<",
    NULL
  };

  /* A build dependency of this test (meson's depends:), never a reason to skip. */
  if (!g_file_test (mda, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_error ("%s is not built", mda);
      return;
    }
  t.target = poste_delivery_new_for_target (spec, &error);
  g_assert_no_error (error);
  scripted_run (&t, steps, 0, 0);
  /* The provider keeps what was refused with 4xx, and the user hears of it. */
  g_assert_error (t.error, POSTE_SESSION_ERROR, POSTE_SESSION_ERROR_DELIVERY);

  /* 220 and EHLO's 250; each option-like address refused with 451 (RSET's 250 after it); then
   * the message with shell syntax: MAIL, RCPT, DATA, its 250 and QUIT's 221. */
  codes = poste_test_script_reply_codes (&t.script);
  g_assert_cmpstr (codes, ==, "2 2 4 2 2 4 2 2 2 3 2 2");
  /* No shell ran. */
  g_assert_false (g_file_test (pwned, G_FILE_TEST_EXISTS));
  /* The addresses reached the MDA as whole arguments, as they were sent. */
  g_assert_true (g_file_get_contents (args_file, &args, NULL, NULL));
  g_assert_cmpstr (args, ==, expected);
  scripted_free (&t);
}

int
main (int   argc,
      char *argv[])
{
  poste_test_init (&argc, &argv);

  for (guint i = 0; i < G_N_ELEMENTS (fault_cases); i++)
    g_test_add_data_func (fault_cases[i].path, &fault_cases[i], test_fault);
  g_test_add_func ("/misbehaviour/tls/injection-seen-by-connection", test_injection_connection);
  g_test_add_data_func ("/misbehaviour/data/bare-lf", "bare-lf", test_refused_content);
  g_test_add_data_func ("/misbehaviour/data/nul", "nul", test_refused_content);
  g_test_add_func ("/misbehaviour/data/over-long-line", test_long_line);
  g_test_add_func ("/misbehaviour/data/dots-across-tls-records", test_dots_across_records);
  g_test_add_data_func ("/misbehaviour/config/crlf-in-user", "user", test_crlf_in_config);
  g_test_add_data_func ("/misbehaviour/config/crlf-in-domain", "domain", test_crlf_in_config);
  for (guint i = 0; i < G_N_ELEMENTS (bad_replies); i++)
    g_test_add_data_func (bad_replies[i].path, &bad_replies[i], test_bad_greeting);
  g_test_add_func ("/misbehaviour/reply/endless-line", test_endless_line);
  g_test_add_data_func ("/misbehaviour/data/smuggling-lf-dot-crlf", "\n.\r\n", test_smuggling);
  g_test_add_data_func ("/misbehaviour/data/smuggling-crlf-dot-lf", "\r\n.\n", test_smuggling);
  g_test_add_func ("/misbehaviour/data/bare-cr", test_bare_cr);
  g_test_add_func ("/misbehaviour/data/dots-across-reads", test_dots_across_reads);
  g_test_add_func ("/misbehaviour/limits/size-above-limit", test_size_above_limit);
  g_test_add_func ("/misbehaviour/limits/too-many-recipients", test_too_many_recipients);
  g_test_add_func ("/misbehaviour/mda/argument-injection", test_mda_injection);

  return g_test_run ();
}
