/* test-hardening.c: a hostile provider meets the rules that do not bend
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *  - TLS 1.2 or newer only (RFC 8996, RFC 8314 section 4.1): a provider that negotiates TLS 1.0
 *    or 1.1, by STARTTLS or implicit TLS, is refused before AUTH, in a fetch, in `check` and in
 *    the outbox submission, and the command-line tool exits with 2;
 *  - never a relay: recipients with routing syntax get 550 before any target sees them, and a
 *    relaying target takes only the provider's domains (with the real Postfix, configured to
 *    relay for loopback: nothing is relayed);
 *  - every valid RFC 5321 address reaches an MDA as one argument;
 *  - the cost of SASL is bounded: SCRAM iteration counts outside [4096, the cap] and an empty
 *    CRAM-MD5 challenge are cancelled with "*";
 *  - the reversed state: BDAT after HELO is refused, RCPT TO:<postmaster> is taken.
 *
 * The TLS part, with its old-TLS provider in a child process, is test-hardening-tls.c.
 */
#include "config.h"

#include <string.h>

#include "poste.h"
#include "poste-address.h"
#include "poste-outbox.h"
#include "poste-outbox-listener.h"
#include "poste-test-fixture.h"
#include "poste-test-script.h"
#include "poste-test-services.h"
#include "poste-test.h"
#include "test-hardening.h"

/* ---- Never a relay ---- */

static void
test_relay_address_syntax (void)
{
  static const struct { const char *address; gboolean routing; } cases[] = {
    { "alice@example.org", FALSE },
    { "o'brien@example.org", FALSE },
    { "u&co@example.org", FALSE },
    { "u#1@example.org", FALSE },
    { "{u}@example.org", FALSE },
    { "\"john smith\"@example.org", FALSE },
    { "\"a\\\"b\"@example.org", FALSE },
    { "postmaster", FALSE },
    { "u@[192.0.2.1]", FALSE },
    { "u%other.example@example.org", TRUE },
    { "other.example!u@example.org", TRUE },
    { "other.example!u", TRUE },
    { "u@other.example@example.org", TRUE },
    { "\"u@other.example\"@example.org", TRUE },
    { "\"u\\@other.example\"@example.org", TRUE },
    { "\"u%other.example\"@example.org", TRUE },
    { "\"u!x\"@example.org", TRUE },
    { "@hop.example:u@example.org", TRUE },
    { "u@exa%mple.org", TRUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("%s", cases[i].address);
      g_assert_cmpint (poste_address_has_routing (cases[i].address), ==, cases[i].routing);
    }
  g_assert_true (poste_address_is_source_routed ("<@a.example,@b.example:u@c.example>"));
  g_assert_true (poste_address_is_source_routed (" <@a.example:u@c.example>"));
  g_assert_false (poste_address_is_source_routed ("<u@c.example>"));
  g_assert_false (poste_address_is_source_routed ("<>"));
}


/* Addresses that ask a trusting MTA to route the mail elsewhere, each in the test domain: the
 * percent hack, a bang path, a bare and a quoted second '@', a source route, and a plain
 * recipient of a foreign domain. */
static const char *const hostile[] = {
  "victim%elsewhere.example@" POSTE_TEST_MAIL_DOMAIN,
  "elsewhere.example!victim@" POSTE_TEST_MAIL_DOMAIN,
  "victim@elsewhere.example@" POSTE_TEST_MAIL_DOMAIN,
  "\"victim@elsewhere.example\"@" POSTE_TEST_MAIL_DOMAIN,
  "\"victim%elsewhere.example\"@" POSTE_TEST_MAIL_DOMAIN,
  "@" POSTE_TEST_MAIL_DOMAIN ",@hop.example:victim@elsewhere.example",
  "victim@elsewhere.example",
};

static const char *const relay_domains[] = { POSTE_TEST_MAIL_DOMAIN, NULL };

static const PosteTestFixtureConfig relay_config = {
  .name = "relay",
  .user = USER,
  .password = PASSWORD,
  .domains = relay_domains,
  .provider_timeout = TIMEOUT,
  .timeout = TIMEOUT,
};

/* A test provider (taking any recipient) holding one message for @recipients, and a provider
 * with @domains (NULL for none, a bare ATRN) delivering to @target. */
static void
relay_setup (PosteTestFixture   *r,
             const char * const *domains_of_provider,
             const char         *target,
             const char * const *recipients)
{
  static const char *const none[] = { NULL };

  poste_test_fixture_setup (r, &relay_config, POSTE_TEST_TLS_STARTTLS, POSTE_TEST_CERT_NONE,
                            "any-recipient");
  poste_test_provider_add_message (r->tp, "sender@remote.example", recipients, MESSAGE, -1);
  poste_provider_set_domains (r->provider, domains_of_provider != NULL ? domains_of_provider
                                                                       : none);
  poste_provider_set_delivery (r->provider, target);
}

/* Starts the test provider and runs one session into the provider's targets (its router). */
static void
relay_run (PosteTestFixture *r)
{
  g_autoptr(PosteDelivery) delivery = NULL;
  g_autoptr(GError) error = NULL;

  poste_test_fixture_start (r);
  delivery = poste_router_new (r->provider, &error);
  g_assert_no_error (error);
  poste_test_fixture_new_session (r, delivery);
  poste_test_fixture_run (r);
}

/* How many of our replies in the session's transcript start with @text. */
static guint
relay_count_replies (PosteTestFixture *r,
                     const char       *text)
{
  g_autofree char *wanted = g_strconcat ("C: ", text, NULL);

  return poste_test_fixture_count_lines (r, wanted);
}

/* With a target that stores the mail here (Maildir), routing syntax is still refused, with 550,
 * and only the plain recipient gets the message. */
static void
test_relay_routing_syntax (void)
{
  static const char *const domains_here[] = { POSTE_TEST_MAIL_DOMAIN, NULL };
  g_autoptr(GPtrArray) recipients = g_ptr_array_new ();
  g_autoptr(GPtrArray) accepted = NULL;
  g_autofree char *maildir = NULL;
  g_autofree char *target = NULL;
  PosteTestMessage *m;
  PosteTestFixture r = { 0, };

  g_ptr_array_add (recipients, (gpointer) "alice@" POSTE_TEST_MAIL_DOMAIN);
  for (guint i = 0; i < G_N_ELEMENTS (hostile); i++)
    g_ptr_array_add (recipients, (gpointer) hostile[i]);
  g_ptr_array_add (recipients, NULL);

  maildir = g_build_filename (poste_test_make_dir ("relay-maildir"), "Maildir", NULL);
  target = g_strconcat ("maildir:", maildir, NULL);
  relay_setup (&r, domains_here, target, (const char * const *) recipients->pdata);
  relay_run (&r);
  g_assert_no_error (r.error);
  g_assert_true (r.ok);

  /* Six with routing syntax, and the foreign domain refused as before. */
  g_assert_cmpuint (relay_count_replies (&r, "550 5.7.1 Routing syntax"), ==,
                    G_N_ELEMENTS (hostile) - 1);
  g_assert_cmpuint (relay_count_replies (&r, "550 5.7.1 Not a domain requested"), ==, 1);
  accepted = poste_test_provider_dup_accepted (r.tp);
  g_assert_cmpuint (accepted->len, ==, 1);
  m = accepted->pdata[0];
  g_assert_cmpuint (m->recipients->len, ==, 1);
  g_assert_cmpstr (m->recipients->pdata[0], ==, "alice@" POSTE_TEST_MAIL_DOMAIN);
  g_assert_cmpuint (poste_test_provider_count_spooled (r.tp), ==, 0);
  poste_test_fixture_teardown (&r);
}

/* No domains (a bare ATRN) and a target that relays (here the outbox listener, an SMTP server on
 * loopback that takes any recipient): every recipient is refused with 550 before the target
 * hears of it, and the target holds nothing. */
static void
test_relay_no_domains (void)
{
  static const char *const one[] = { "alice@" POSTE_TEST_MAIL_DOMAIN, NULL };
  g_autoptr(PosteOutbox) sink = NULL;
  g_autoptr(PosteOutboxListener) listener = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sink_dir = NULL;
  g_autofree char *target = NULL;
  guint16 sink_port;
  PosteTestFixture r = { 0, };

  sink_dir = g_build_filename (poste_test_make_dir ("relay-sink"), "outbox", NULL);
  sink = poste_outbox_new (sink_dir);
  listener = poste_outbox_listener_new (sink);
  sink_port = poste_outbox_listener_start (listener, "127.0.0.1", 0, &error);
  g_assert_no_error (error);
  target = g_strdup_printf ("smtp://127.0.0.1:%u", sink_port);

  relay_setup (&r, NULL, target, one);
  relay_run (&r);
  g_assert_true (r.ok);
  g_assert_cmpuint (relay_count_replies (&r, "550 5.7.1 No domains are configured"), ==, 1);
  g_assert_cmpuint (poste_session_get_report (r.session)->outcome, ==,
                    POSTE_SESSION_OUTCOME_NO_MAIL);
  items = poste_outbox_list (sink, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (items->len, ==, 0);
  poste_test_fixture_teardown (&r);
  poste_outbox_listener_stop (listener);
}

/* Hands a message for @recipient straight to Postfix on @port, as any loopback client could. */
static void
send_direct (guint16     port,
             const char *recipient)
{
  g_autofree char *spec = g_strdup_printf ("smtp://127.0.0.1:%u", port);
  g_autoptr(GError) error = NULL;
  g_autoptr(PosteDelivery) delivery = poste_delivery_new_for_target (spec, &error);
  g_autoptr(PosteEnvelope) envelope = poste_envelope_new ("sender@control.example");
  g_autoptr(PosteReply) begun = NULL;
  g_autoptr(PosteReply) added = NULL;
  g_autoptr(PosteReply) committed = NULL;

  g_assert_no_error (error);
  begun = poste_delivery_begin (delivery, envelope, NULL);
  g_assert_cmpuint (begun->code, ==, 250);
  added = poste_delivery_add_recipient (delivery, envelope, recipient, NULL);
  g_assert_cmpuint (added->code, ==, 250);
  g_ptr_array_add (envelope->recipients, g_strdup (recipient));
  g_assert_true (poste_delivery_write (delivery, (const guint8 *) MESSAGE, strlen (MESSAGE), NULL,
                                       &error));
  g_assert_no_error (error);
  committed = poste_delivery_commit (delivery, NULL);
  g_assert_cmpuint (committed->code, ==, 250);
  poste_delivery_close (delivery);
}

/* Waits (polling, with a deadline) until the sink holds @count messages. */
static GPtrArray *
sink_wait (PosteOutbox *sink,
           guint        count)
{
  for (guint i = 0; i < 600; i++)
    {
      g_autoptr(GPtrArray) items = poste_outbox_list (sink, NULL);

      if (items != NULL && items->len >= count)
        return g_steal_pointer (&items);
      g_usleep (100 * 1000);
    }
  g_error ("Postfix did not relay %u message%s to the sink", count, count == 1 ? "" : "s");
  return NULL;
}

/* The real Postfix of the test suite, configured to relay whatever loopback sends to a sink (its
 * relayhost): a control message shows that it does relay for us; then an ODMR session with the
 * hostile recipients, through smtp:// to that Postfix; then a second control. The sink holds the
 * two controls and nothing else, and Postfix never heard of the foreign domain. */
static void
test_relay_postfix (void)
{
  static const char *const domains_here[] = { POSTE_TEST_MAIL_DOMAIN, NULL };
  g_autoptr(PosteOutbox) sink = NULL;
  g_autoptr(PosteOutboxListener) listener = NULL;
  g_autoptr(GPtrArray) recipients = g_ptr_array_new ();
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *postfix_dir = NULL;
  g_autofree char *sink_dir = NULL;
  g_autofree char *target = NULL;
  g_autofree char *alice = NULL;
  g_autofree char *log = NULL;
  PosteTestService *postfix;
  guint16 sink_port, postfix_port = 0;
  PosteTestFixture r = { 0, };

  if (!g_file_test ("/usr/sbin/postfix", G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("Postfix is not installed");
      return;
    }
  sink_dir = g_build_filename (poste_test_make_dir ("relay-sink"), "outbox", NULL);
  sink = poste_outbox_new (sink_dir);
  listener = poste_outbox_listener_new (sink);
  sink_port = poste_outbox_listener_start (listener, "127.0.0.1", 0, &error);
  g_assert_no_error (error);
  postfix_dir = poste_test_service_dir_new ("relay-postfix");
  postfix = poste_test_postfix_start_with_relayhost (postfix_dir, sink_port, &postfix_port,
                                                     &error);
  g_assert_no_error (error);

  send_direct (postfix_port, "first@control.example");
  g_clear_pointer (&items, g_ptr_array_unref);
  items = sink_wait (sink, 1);

  g_ptr_array_add (recipients, (gpointer) "alice@" POSTE_TEST_MAIL_DOMAIN);
  for (guint i = 0; i < G_N_ELEMENTS (hostile); i++)
    g_ptr_array_add (recipients, (gpointer) hostile[i]);
  g_ptr_array_add (recipients, NULL);
  target = g_strdup_printf ("smtp://127.0.0.1:%u", postfix_port);
  relay_setup (&r, domains_here, target, (const char * const *) recipients->pdata);
  relay_run (&r);
  g_assert_no_error (r.error);
  g_assert_true (r.ok);
  g_assert_cmpuint (relay_count_replies (&r, "550 5.7.1 "), ==, G_N_ELEMENTS (hostile));
  alice = poste_test_service_maildir (postfix, "alice");
  g_assert_true (poste_test_maildir_wait (alice, 1, 60));

  send_direct (postfix_port, "second@control.example");
  g_clear_pointer (&items, g_ptr_array_unref);
  items = sink_wait (sink, 2);
  g_assert_cmpuint (items->len, ==, 2);
  for (guint i = 0; i < items->len; i++)
    {
      PosteOutboxItem *item = items->pdata[i];

      g_assert_cmpuint (g_strv_length (item->recipients), ==, 1);
      g_assert_true (g_str_has_suffix (item->recipients[0], "@control.example"));
    }
  log = poste_test_service_log (postfix);
  g_assert_null (strstr (log, "elsewhere.example"));
  g_assert_null (strstr (log, "hop.example"));

  poste_test_fixture_teardown (&r);
  poste_test_postfix_stop (postfix);
  poste_outbox_listener_stop (listener);
}

/* ---- Valid addresses reach an MDA ---- */

/* One session that hands a message for @recipient to an MDA that records its arguments; returns
 * the arguments it got (NULL when it never ran) and the session's error in @error. */
static char *
mda_session (const char  *recipient,
             guint       *spooled,
             GError     **error)
{
  static const char *const here[] = { POSTE_TEST_MAIL_DOMAIN, NULL };
  g_autofree char *mda = g_build_filename (poste_test_build_root (), "tests", "delivery",
                                           "poste-test-mda", NULL);
  g_autofree char *out = NULL;
  g_autofree char *args_file = NULL;
  g_autofree char *target = NULL;
  const char *recipients[] = { recipient, NULL };
  char *args = NULL;
  PosteTestFixture r = { 0, };

  relay_setup (&r, here, "maildir:/nonexistent", recipients);
  out = g_build_filename (r.dir, "out", NULL);
  args_file = g_strconcat (out, ".args", NULL);
  target = g_strdup_printf ("mda:%s copy %s -f %%F -- %%T", mda, out);
  poste_provider_set_delivery (r.provider, target);
  relay_run (&r);
  if (!g_file_get_contents (args_file, &args, NULL, NULL))
    args = NULL;
  *spooled = poste_test_provider_count_spooled (r.tp);
  if (r.error != NULL)
    g_propagate_error (error, g_steal_pointer (&r.error));
  poste_test_fixture_teardown (&r);
  return args;
}

/* Every address RFC 5321 section 4.1.2 allows reaches the MDA as one argument, as it was sent. */
static void
test_mda_valid_addresses (void)
{
  /* '%' and '!' are valid too, but refused earlier as routing syntax (never a relay). */
  static const char *const valid[] = {
    "o'brien@" POSTE_TEST_MAIL_DOMAIN,
    "u&co@" POSTE_TEST_MAIL_DOMAIN,
    "u#1@" POSTE_TEST_MAIL_DOMAIN,
    "{u}@" POSTE_TEST_MAIL_DOMAIN,
    "\"john smith\"@" POSTE_TEST_MAIL_DOMAIN,
    "u|x$y*z?`w`~^=/+@" POSTE_TEST_MAIL_DOMAIN,
    "\"a\\\"b;c (d)\"@" POSTE_TEST_MAIL_DOMAIN,
  };
  g_autofree char *mda = g_build_filename (poste_test_build_root (), "tests", "delivery",
                                           "poste-test-mda", NULL);

  if (!g_file_test (mda, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("tests/delivery/poste-test-mda is not built");
      return;
    }
  for (guint i = 0; i < G_N_ELEMENTS (valid); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *expected = g_strdup_printf ("-f\nsender@remote.example\n--\n%s\n",
                                                   valid[i]);
      g_autofree char *args = NULL;
      guint spooled = 0;

      args = mda_session (valid[i], &spooled, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (args, ==, expected);
      g_assert_cmpuint (spooled, ==, 0);
    }
}

/* A leading '-' cannot be passed: 451, the MDA never runs, the provider keeps the message and
 * the fetch fails with a local delivery error (exit 10), never a permanent refusal. */
static void
test_mda_option_like (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *args = NULL;
  guint spooled = 0;

  args = mda_session ("-oQ@" POSTE_TEST_MAIL_DOMAIN, &spooled, &error);
  g_assert_null (args);
  g_assert_error (error, POSTE_SESSION_ERROR, POSTE_SESSION_ERROR_DELIVERY);
  g_assert_nonnull (strstr (error->message, "451 4.1.3"));
  g_assert_cmpint (poste_exit_status_for_error (error), ==, POSTE_EXIT_DELIVERY);
  g_assert_cmpuint (spooled, ==, 1);
}

/* ---- The cost of SASL ---- */

typedef struct {
  const char *mechanism;
  guint       iterations;
  gboolean    accepted;
} ScramCase;

/* A provider asking for @c->iterations: inside the bounds the fetch signs in; outside, the
 * exchange is cancelled with "*" before any iteration is computed, and the fetch fails with a
 * clear message (exit 3: the user must choose another mechanism or ask the provider). */
static void
test_scram_iterations (gconstpointer data)
{
  const ScramCase *c = data;
  static const char *const here[] = { POSTE_TEST_MAIL_DOMAIN, NULL };
  static const char *const one[] = { "alice@" POSTE_TEST_MAIL_DOMAIN, NULL };
  g_autofree char *faults = g_strdup_printf ("mechanisms=%s scram-iterations=%u", c->mechanism,
                                             c->iterations);
  g_autofree char *maildir = NULL;
  g_autofree char *target = NULL;
  g_autoptr(GError) error = NULL;
  PosteTestFixture r = { 0, };

  relay_setup (&r, here, "maildir:/nonexistent", one);
  maildir = g_build_filename (r.dir, "Maildir", NULL);
  target = g_strconcat ("maildir:", maildir, NULL);
  poste_provider_set_delivery (r.provider, target);
  poste_test_provider_set_faults (r.tp, faults, &error);
  g_assert_no_error (error);
  relay_run (&r);

  if (c->accepted)
    {
      g_assert_no_error (r.error);
      g_assert_true (r.ok);
      g_assert_cmpuint (poste_test_provider_count_spooled (r.tp), ==, 0);
    }
  else
    {
      g_autofree char *count = g_strdup_printf ("asked for %u SCRAM iterations", c->iterations);

      g_assert_error (r.error, POSTE_SESSION_ERROR, POSTE_SESSION_ERROR_AUTH_UNAVAILABLE);
      g_assert_nonnull (strstr (r.error->message, count));
      g_assert_nonnull (strstr (r.error->message, "only 4096 to 100000"));
      g_assert_cmpint (poste_exit_status_for_error (r.error), ==, POSTE_EXIT_AUTH);
      g_assert_cmpuint (relay_count_replies (&r, "*"), ==, 1);
      g_assert_cmpuint (poste_test_provider_count_spooled (r.tp), ==, 1);
    }
  poste_test_fixture_teardown (&r);
}

/* An empty CRAM-MD5 challenge proves nothing (the response could be replayed): "*", and a
 * protocol error. */
static void
test_cram_md5_empty (void)
{
  static const char *const here[] = { POSTE_TEST_MAIL_DOMAIN, NULL };
  static const char *const one[] = { "alice@" POSTE_TEST_MAIL_DOMAIN, NULL };
  g_autoptr(GError) error = NULL;
  PosteCheckResult *result;
  PosteTestFixture r = { 0, };

  relay_setup (&r, here, "maildir:/nonexistent", one);
  poste_test_provider_set_faults (r.tp, "mechanisms=CRAM-MD5 cram-challenge=", &error);
  g_assert_no_error (error);
  poste_test_fixture_start (&r);
  result = poste_session_check (r.provider, PASSWORD, TIMEOUT, NULL);
  for (guint i = 0; i < result->transcript->len; i++)
    g_test_message ("%s", (const char *) result->transcript->pdata[i]);
  g_assert_no_error (result->error);
  g_assert_false (result->authenticated);
  g_assert_error (result->auth_error, POSTE_PROTOCOL_ERROR, POSTE_PROTOCOL_ERROR_MALFORMED);
  g_assert_nonnull (strstr (result->auth_error->message, "empty CRAM-MD5 challenge"));
  {
    gboolean cancelled = FALSE;

    for (guint i = 0; i < result->transcript->len; i++)
      cancelled |= g_str_equal (result->transcript->pdata[i], "C: *");
    g_assert_true (cancelled);
  }
  poste_check_result_free (result);
  poste_test_fixture_teardown (&r);
}

static const ScramCase scram_cases[] = {
  { "SCRAM-SHA-256", 4095, FALSE },
  { "SCRAM-SHA-256", 4096, TRUE },
  { "SCRAM-SHA-256", 100000, TRUE },
  { "SCRAM-SHA-256", 100001, FALSE },
  { "SCRAM-SHA-256", 2000000000, FALSE },
  { "SCRAM-SHA-1", 1, FALSE },
  { "SCRAM-SHA-1", 4294967295u, FALSE },
};

/* ---- The reversed state ---- */

/* A provider that follows a script on loopback, in plain text, taking PLAIN
 * (tests/common/poste-test-script.c). */

/* Runs a session against @steps into @provider's targets; returns the codes of the customer's
 * replies in the reversed state ("2 2 5 ..."), one digit each. */
static char *
script_session (PosteProvider      *provider,
                const char *const  *steps,
                GError            **error)
{
  g_autoptr(PosteDelivery) delivery = NULL;
  g_autoptr(PosteSession) session = NULL;
  g_autoptr(GError) local_error = NULL;
  PosteTestScript s = { 0, };
  char *codes;

  poste_test_script_start (&s, steps);
  poste_test_script_set_provider (&s, provider, USER);
  delivery = poste_router_new (provider, &local_error);
  g_assert_no_error (local_error);
  session = poste_session_new (provider, PASSWORD, delivery);
  poste_session_set_timeout (session, TIMEOUT);
  poste_session_set_atrn_timeout (session, TIMEOUT);
  poste_session_set_local_name (session, "customer.example");
  poste_session_run (session, NULL, error);

  poste_test_script_finish (&s);
  codes = poste_test_script_reply_codes (&s);
  poste_test_script_clear (&s);
  return codes;
}

/* The client phase of the scripted provider: EHLO, AUTH PLAIN, ATRN, turn around. */
#define CLIENT_PHASE \
  ">220 scripted.example ESMTP\r\n", "<", \
  ">250-scripted.example\r\n250 AUTH PLAIN\r\n", "<", \
  ">235 2.7.0 OK\r\n", "<", \
  ">250 OK now reversing the connection\r\n", "<"

static guint
maildir_count (const char *maildir)
{
  g_autofree char *path = g_build_filename (maildir, "new", NULL);

  return poste_test_count_entries (path);
}

/* BDAT after HELO is refused with 503 (RFC 3030: CHUNKING is negotiated by EHLO), and its chunk,
 * which looks like commands, is read and dropped, never obeyed; DATA still works. */
static void
test_bdat_after_helo (void)
{
  static const char *const here[] = { "example.org", NULL };
  g_autofree char *dir = poste_test_make_dir ("bdat-helo");
  g_autofree char *maildir = g_build_filename (dir, "Maildir", NULL);
  g_autofree char *target = g_strconcat ("maildir:", maildir, NULL);
  g_autoptr(PosteProvider) provider = poste_provider_new ("scripted");
  g_autoptr(GError) error = NULL;
  g_autofree char *codes = NULL;
  /* 30 octets that would be a transaction if they were read as commands. */
  static const char chunk[] = "MAIL FROM:<e@x.example>\r\nRSET\r\n";
  g_autofree char *bdat = g_strdup_printf (">BDAT %zu LAST\r\n%s", strlen (chunk), chunk);
  const char *steps[] = {
    CLIENT_PHASE,
    ">HELO scripted.example\r\n", "<",
    ">MAIL FROM:<a@sender.example>\r\n", "<",
    ">RCPT TO:<someone@example.org>\r\n", "<",
    bdat, "<",
    ">DATA\r\n", "<",
    ">Subject: after BDAT\r\n\r\nbody\r\n.\r\n", "<",
    ">QUIT\r\n", "<",
    NULL
  };

  poste_provider_set_domains (provider, here);
  poste_provider_set_delivery (provider, target);
  codes = script_session (provider, steps, &error);
  g_assert_no_error (error);
  /* 220, HELO's 250, MAIL, RCPT, BDAT's 503, DATA's 354, 250, QUIT's 221. */
  g_assert_cmpstr (codes, ==, "2 2 2 2 5 3 2 2");
  g_assert_cmpuint (maildir_count (maildir), ==, 1);
}

/* "RCPT TO:<postmaster>" without a domain is taken (RFC 5321 section 4.5.1), whatever the case,
 * and goes to the provider's postmaster route, else to the default target. */
static void
test_postmaster (void)
{
  static const char *const here[] = { "example.org", NULL };
  g_autofree char *dir = poste_test_make_dir ("postmaster");
  g_autofree char *main_box = g_build_filename (dir, "Maildir", NULL);
  g_autofree char *pm_box = g_build_filename (dir, "Maildir-postmaster", NULL);
  g_autofree char *target = g_strconcat ("maildir:", main_box, NULL);
  g_autofree char *route = g_strconcat ("postmaster@example.org=maildir:", pm_box, NULL);
  const char *routes[] = { route, NULL };
  const char *steps[] = {
    CLIENT_PHASE,
    ">EHLO scripted.example\r\n", "<",
    ">MAIL FROM:<a@sender.example>\r\n", "<",
    ">RCPT TO:<PostMaster>\r\n", "<",
    ">DATA\r\n", "<",
    ">Subject: to the postmaster\r\n\r\nbody\r\n.\r\n", "<",
    ">QUIT\r\n", "<",
    NULL
  };

  for (guint with_route = 0; with_route < 2; with_route++)
    {
      g_autoptr(PosteProvider) provider = poste_provider_new ("scripted");
      g_autoptr(GError) error = NULL;
      g_autofree char *codes = NULL;

      poste_provider_set_domains (provider, here);
      poste_provider_set_delivery (provider, target);
      if (with_route)
        poste_provider_set_routes (provider, routes);
      codes = script_session (provider, steps, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (codes, ==, "2 2 2 2 3 2 2");
    }
  /* First the default target, then the route. */
  g_assert_cmpuint (maildir_count (main_box), ==, 1);
  g_assert_cmpuint (maildir_count (pm_box), ==, 1);
}

int
main (int    argc,
      char **argv)
{
  poste_test_init (&argc, &argv);

  hardening_add_tls_tests ();
  g_test_add_func ("/hardening/relay/address-syntax", test_relay_address_syntax);
  g_test_add_func ("/hardening/relay/routing-syntax", test_relay_routing_syntax);
  g_test_add_func ("/hardening/relay/no-domains", test_relay_no_domains);
  g_test_add_func ("/hardening/relay/postfix", test_relay_postfix);
  g_test_add_func ("/hardening/mda/valid-addresses", test_mda_valid_addresses);
  g_test_add_func ("/hardening/mda/option-like", test_mda_option_like);
  for (guint i = 0; i < G_N_ELEMENTS (scram_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/hardening/sasl/%s/%u", scram_cases[i].mechanism,
                                               scram_cases[i].iterations);

      g_test_add_data_func (path, &scram_cases[i], test_scram_iterations);
    }
  g_test_add_func ("/hardening/sasl/cram-md5-empty", test_cram_md5_empty);
  g_test_add_func ("/hardening/reversed/bdat-after-helo", test_bdat_after_helo);
  g_test_add_func ("/hardening/reversed/postmaster", test_postmaster);

  return g_test_run ();
}
