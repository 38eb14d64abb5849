/* test-field.c: what real ODMR providers do, each met with nothing lost, nothing duplicated and
 * a clear result
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The test provider plays what was seen against real providers (stock Exim 4.99.1 among them):
 * one message a TLS session then a clean QUIT, a BDAT LAST chunk declared one octet short, a
 * plain-text QUIT written under TLS when nothing is held, connections closed without QUIT (after
 * the last message, and right after the 250 to ATRN), QUIT after a 4xx to a recipient, and 5xx
 * replies to ATRN. Every session runs over real TLS and SASL on loopback.
 *
 * "Nothing lost or duplicated" is checked the same way everywhere: every message the provider
 * spooled is exactly once either stored by the target (and recorded by the provider as accepted
 * with 250), still held by the provider, or returned by it to its sender (refused with 5xx).
 */
#include "config.h"

#include <string.h>

#include "poste.h"
#include "poste-test-fixture.h"
#include "poste-test.h"
#include "test-memory-delivery.h"

#define USER "customer"
#define PASSWORD "Field-pa55word"
#define TIMEOUT 15
/* The reversed state gives up after 20 bad commands (POSTE_SERVER_MAX_ERRORS, private). */
#define POSTE_SERVER_MAX_ERRORS_SEEN 20

static const char *const domains[] = { "example.org", NULL };

static const PosteTestFixtureConfig config = {
  .name = "field",
  .user = USER,
  .password = PASSWORD,
  .domains = domains,
  .provider_timeout = 60,
  .timeout = TIMEOUT,
  .memory_delivery = TRUE,
};

typedef struct {
  PosteTestFixture  t;
  guint             spooled;   /* messages added to the provider */
} Fixture;

static void
fixture_setup (Fixture    *f,
               const char *faults)
{
  poste_test_fixture_setup (&f->t, &config, POSTE_TEST_TLS_STARTTLS, POSTE_TEST_CERT_NONE, faults);
}

/* Spools message number @n for @recipient: its Subject names it, so duplicates show. */
static void
add_message (Fixture    *f,
             guint       n,
             const char *recipient)
{
  const char *rcpts[] = { recipient, NULL };
  g_autofree char *text = g_strdup_printf ("From: sender%u@sender.example\r\nSubject: field %u\r\n"
                                           "\r\nMessage %u.\r\n", n, n, n);

  poste_test_provider_add_message (f->t.tp, "sender@sender.example", rcpts, text, -1);
  f->spooled++;
}

/* Runs one session with the fixture's target (a new PosteSession each time, as a fetch does). */
static gboolean
run_session (Fixture  *f,
             GError  **error)
{
  poste_test_fixture_new_session (&f->t, POSTE_DELIVERY (f->t.delivery));
  if (poste_test_fixture_run (&f->t))
    return TRUE;
  g_propagate_error (error, g_steal_pointer (&f->t.error));
  return FALSE;
}

static PosteSessionReport *
report (Fixture *f)
{
  return poste_session_get_report (f->t.session);
}

static gboolean
transcript_has (Fixture    *f,
                const char *text)
{
  return poste_test_fixture_transcript_mentions (&f->t, text);
}

static char *
subject_of (GBytes *bytes)
{
  gsize n;
  const char *data = g_bytes_get_data (bytes, &n);
  const char *subject = g_strstr_len (data, n, "Subject: ");
  const char *end;

  g_assert_nonnull (subject);
  end = strstr (subject, "\r\n");
  g_assert_nonnull (end);
  return g_strndup (subject, end - subject);
}

/* Every spooled message exactly once: stored by the target (and acknowledged to the provider),
 * still held by the provider, or returned to its sender. */
static void
assert_nothing_lost (Fixture *f,
                     guint    stored,
                     guint    held,
                     guint    returned)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) accepted = poste_test_provider_dup_accepted (f->t.tp);
  g_autoptr(GPtrArray) back = poste_test_provider_dup_returned (f->t.tp);

  g_assert_cmpuint (f->t.delivery->messages->len, ==, stored);
  g_assert_cmpuint (accepted->len, ==, stored);
  g_assert_cmpuint (poste_test_provider_count_spooled (f->t.tp), ==, held);
  g_assert_cmpuint (back->len, ==, returned);
  g_assert_cmpuint (stored + held + returned, ==, f->spooled);
  for (guint i = 0; i < f->t.delivery->messages->len; i++)
    {
      char *subject = subject_of (f->t.delivery->messages->pdata[i]);

      g_assert_false (g_hash_table_contains (seen, subject));
      g_hash_table_add (seen, subject);
    }
}

static void
fixture_teardown (Fixture *f)
{
  poste_test_fixture_teardown (&f->t);
}

/* ---- One message a TLS session, then QUIT ---- */

static void
test_one_per_session (void)
{
  Fixture f = { 0, };
  g_autoptr(GError) error = NULL;

  fixture_setup (&f, "per-session=1");
  for (guint i = 1; i <= 3; i++)
    add_message (&f, i, "someone@example.org");
  poste_test_fixture_start (&f.t);

  /* Each session ends well with one message; the provider keeps the rest for the next. */
  for (guint i = 1; i <= 3; i++)
    {
      g_assert_true (run_session (&f, &error));
      g_assert_no_error (error);
      g_assert_cmpint (report (&f)->outcome, ==, POSTE_SESSION_OUTCOME_MAIL);
      g_assert_cmpuint (report (&f)->messages, ==, 1);
      g_assert_cmpuint (report (&f)->refused, ==, 0);
      g_assert_nonnull (report (&f)->tls);
      g_assert_true (transcript_has (&f, "S: QUIT"));
      assert_nothing_lost (&f, i, 3 - i, 0);
    }

  /* Then the provider has nothing more: 453. */
  g_assert_true (run_session (&f, &error));
  g_assert_no_error (error);
  g_assert_cmpint (report (&f)->outcome, ==, POSTE_SESSION_OUTCOME_NO_MAIL);
  g_assert_true (transcript_has (&f, "S: 453"));
  assert_nothing_lost (&f, 3, 0, 0);
  fixture_teardown (&f);
}

/* ---- BDAT LAST one octet short ---- */

static void
test_bdat_short (void)
{
  Fixture f = { 0, };
  g_autoptr(GError) error = NULL;

  /* More messages than the reversed state's limit on bad commands: the stray lines are not
   * counted as bad commands. */
  fixture_setup (&f, "bdat bdat-short return-5xx");
  for (guint i = 1; i <= POSTE_SERVER_MAX_ERRORS_SEEN + 5; i++)
    add_message (&f, i, "someone@example.org");
  poste_test_fixture_start (&f.t);

  g_assert_true (run_session (&f, &error));
  g_assert_no_error (error);
  /* The stray LF after each LAST chunk is answered 500 and the session goes on to the next
   * message and to the provider's QUIT. */
  g_assert_true (transcript_has (&f, "S: BDAT 61 LAST"));
  g_assert_true (transcript_has (&f, "C: 500 5.5.2 Stray line end after the last BDAT chunk"));
  g_assert_true (transcript_has (&f, "C: 221"));
  /* BDAT counts octets: the message is stored as its chunk declared it, ending in CR. */
  g_assert_cmpint (report (&f)->outcome, ==, POSTE_SESSION_OUTCOME_MAIL);
  g_assert_cmpuint (report (&f)->messages, ==, POSTE_SERVER_MAX_ERRORS_SEEN + 5);
  g_assert_cmpuint (report (&f)->refused, ==, 0);
  for (guint i = 0; i < f.t.delivery->messages->len; i++)
    {
      gsize n;
      const char *data = g_bytes_get_data (f.t.delivery->messages->pdata[i], &n);
      g_autofree char *tail = g_strdup_printf ("\r\n\r\nMessage %u.\r", i + 1);

      g_assert_cmpuint (n, >, strlen (tail));
      g_assert_cmpmem (data + n - strlen (tail), strlen (tail), tail, strlen (tail));
    }
  assert_nothing_lost (&f, POSTE_SERVER_MAX_ERRORS_SEEN + 5, 0, 0);
  fixture_teardown (&f);
}

/* A BDAT message with a bare LF and a bare CR, into a Maildir: stored as sent, with LF for each
 * CR LF as a Maildir holds them; the bare ones stay as they are. */
static void
test_bdat_maildir (void)
{
  Fixture f = { 0, };
  g_autoptr(GError) error = NULL;
  g_autoptr(PosteDelivery) maildir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *spec = NULL;
  g_autofree char *new_dir = NULL;
  g_autofree char *file = NULL;
  g_autofree char *content = NULL;
  g_autoptr(GDir) dir = NULL;
  const char *rcpt[] = { "someone@example.org", NULL };
  const char *name;
  const char *body;

  fixture_setup (&f, "bdat raw");
  poste_test_provider_add_message (f.t.tp, "sender@sender.example", rcpt,
                                   "Subject: bare\r\n\r\none\ntwo\rthree\r\n", -1);
  f.spooled++;
  poste_test_fixture_start (&f.t);
  path = g_build_filename (f.t.dir, "Maildir", NULL);
  spec = g_strconcat ("maildir:", path, NULL);
  maildir = poste_delivery_new_for_target (spec, &error);
  g_assert_no_error (error);

  poste_test_fixture_new_session (&f.t, maildir);
  g_assert_true (poste_test_fixture_run (&f.t));
  g_assert_no_error (f.t.error);
  g_assert_cmpuint (report (&f)->messages, ==, 1);
  g_assert_cmpuint (report (&f)->refused, ==, 0);
  g_assert_cmpuint (poste_test_provider_count_spooled (f.t.tp), ==, 0);

  new_dir = g_build_filename (path, "new", NULL);
  dir = g_dir_open (new_dir, 0, &error);
  g_assert_no_error (error);
  name = g_dir_read_name (dir);
  g_assert_nonnull (name);
  g_assert_null (g_dir_read_name (dir));
  file = g_build_filename (new_dir, name, NULL);
  g_assert_true (g_file_get_contents (file, &content, NULL, NULL));
  body = strstr (content, "Subject: bare\n");
  g_assert_nonnull (body);
  g_assert_cmpstr (body, ==, "Subject: bare\n\none\ntwo\rthree\n");
  g_assert_null (strstr (content, "\r\n"));
  fixture_teardown (&f);
}

/* ---- A plain-text QUIT under TLS when nothing is held ---- */

static void
test_tls_plain_quit (void)
{
  Fixture f = { 0, };
  g_autoptr(GError) error = NULL;

  fixture_setup (&f, "tls-plain-quit");
  poste_test_fixture_start (&f.t);

  /* TLS alone would only see "an unexpected packet": the plain-text QUIT is recognised for what
   * it is, the provider's way of saying it holds nothing. */
  g_assert_true (run_session (&f, &error));
  g_assert_no_error (error);
  g_assert_cmpint (report (&f)->outcome, ==, POSTE_SESSION_OUTCOME_NO_MAIL);
  g_assert_nonnull (report (&f)->tls);
  g_assert_true (transcript_has (&f, "S: 250 OK now reversing"));
  g_assert_true (transcript_has (&f, "the provider said QUIT in plain text, outside TLS"));
  assert_nothing_lost (&f, 0, 0, 0);
  fixture_teardown (&f);
}

/* ---- Closed without QUIT ---- */

static void
test_close_after_last (void)
{
  Fixture f = { 0, };
  g_autoptr(GError) error = NULL;

  fixture_setup (&f, "drop=quit");
  add_message (&f, 1, "someone@example.org");
  add_message (&f, 2, "someone@example.org");
  poste_test_fixture_start (&f.t);

  /* What was acknowledged is delivered: a rude end, but a good session. */
  g_assert_true (run_session (&f, &error));
  g_assert_no_error (error);
  g_assert_cmpint (report (&f)->outcome, ==, POSTE_SESSION_OUTCOME_MAIL);
  g_assert_cmpuint (report (&f)->messages, ==, 2);
  g_assert_true (transcript_has (&f, "the provider closed the connection without QUIT"));
  assert_nothing_lost (&f, 2, 0, 0);
  fixture_teardown (&f);
}

static void
test_close_after_turn (void)
{
  Fixture f = { 0, };
  g_autoptr(GError) error = NULL;

  fixture_setup (&f, "drop=turn");
  add_message (&f, 1, "someone@example.org");
  poste_test_fixture_start (&f.t);

  /* A 250 to ATRN and then nothing: a broken session, never "no mail". */
  g_assert_false (run_session (&f, &error));
  g_assert_error (error, POSTE_PROTOCOL_ERROR, POSTE_PROTOCOL_ERROR_CLOSED);
  g_assert_cmpint (report (&f)->outcome, ==, POSTE_SESSION_OUTCOME_FAILED);
  g_assert_cmpint (report (&f)->last_state, ==, POSTE_SESSION_STATE_RECEIVING);
  g_assert_cmpuint (report (&f)->messages, ==, 0);
  assert_nothing_lost (&f, 0, 1, 0);
  fixture_teardown (&f);
}

/* ---- QUIT after a 4xx to a recipient ---- */

static void
test_quit_after_4xx (void)
{
  Fixture f = { 0, };
  g_autoptr(GError) error = NULL;

  fixture_setup (&f, "quit-after-4xx");
  add_message (&f, 1, "first@example.org");
  add_message (&f, 2, "busy@example.org");
  add_message (&f, 3, "third@example.org");
  f.t.delivery->defer_recipient = g_strdup ("busy@example.org");
  poste_test_fixture_start (&f.t);

  /* The target's 450 is a local delivery failure: the provider keeps that message, and the one
   * it did not offer after quitting. */
  g_assert_false (run_session (&f, &error));
  g_assert_error (error, POSTE_SESSION_ERROR, POSTE_SESSION_ERROR_DELIVERY);
  g_assert_nonnull (strstr (error->message, "450 4.2.1"));
  g_assert_cmpint (report (&f)->outcome, ==, POSTE_SESSION_OUTCOME_FAILED);
  g_assert_cmpuint (report (&f)->messages, ==, 1);
  g_assert_cmpuint (report (&f)->deferred, ==, 1);
  g_assert_cmpuint (report (&f)->returned, ==, 0);
  g_assert_cmpuint (report (&f)->refused, ==, 1);
  g_assert_false (transcript_has (&f, "S: RSET"));
  assert_nothing_lost (&f, 1, 2, 0);

  /* Once the target takes mail again, the next session brings the rest. */
  g_clear_pointer (&f.t.delivery->defer_recipient, g_free);
  g_clear_error (&error);
  g_assert_true (run_session (&f, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report (&f)->messages, ==, 2);
  assert_nothing_lost (&f, 3, 0, 0);
  fixture_teardown (&f);
}

static void
test_quit_after_452 (void)
{
  Fixture f = { 0, };
  g_autoptr(GError) error = NULL;
  const char *both[] = { "first@example.org", "second@example.org", NULL };

  fixture_setup (&f, "quit-after-4xx");
  poste_test_provider_add_message (f.t.tp, "sender@sender.example", both,
                                   "Subject: field 1\r\n\r\nTwo recipients.\r\n", -1);
  f.spooled++;
  add_message (&f, 2, "third@example.org");
  f.t.delivery->rcpt_limit = 1;
  poste_test_fixture_start (&f.t);

  /* A recipient limit is normal flow: the first copy is delivered, the provider quits and keeps
   * the second recipient's copy and the other message for the next session. */
  g_assert_true (run_session (&f, &error));
  g_assert_no_error (error);
  g_assert_cmpint (report (&f)->outcome, ==, POSTE_SESSION_OUTCOME_MAIL);
  g_assert_cmpuint (report (&f)->messages, ==, 1);
  g_assert_cmpuint (report (&f)->refused, ==, 0);
  g_assert_true (transcript_has (&f, "C: 452 4.5.3"));
  g_assert_cmpuint (f.t.delivery->messages->len, ==, 1);
  g_assert_cmpuint (poste_test_provider_count_spooled (f.t.tp), ==, 2);

  g_assert_true (run_session (&f, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report (&f)->messages, ==, 2);
  g_assert_cmpuint (poste_test_provider_count_spooled (f.t.tp), ==, 0);
  g_assert_cmpuint (f.t.delivery->messages->len, ==, 3);
  g_assert_cmpstr (f.t.delivery->recipients->pdata[0], ==, "first@example.org");
  g_assert_cmpstr (f.t.delivery->recipients->pdata[1], ==, "second@example.org");
  g_assert_cmpstr (f.t.delivery->recipients->pdata[2], ==, "third@example.org");
  fixture_teardown (&f);
}

/* ---- Refused for good: returned to the sender, never "left with the provider" ---- */

static void
test_returned (void)
{
  Fixture f = { 0, };
  g_autoptr(GError) error = NULL;
  g_autofree char *reason = NULL;

  fixture_setup (&f, "return-5xx");
  add_message (&f, 1, "nobody@example.org");
  add_message (&f, 2, "someone@example.org");
  f.t.delivery->refuse_recipient = g_strdup ("nobody@example.org");
  poste_test_fixture_start (&f.t);

  g_assert_true (run_session (&f, &error));
  g_assert_no_error (error);
  g_assert_cmpint (report (&f)->outcome, ==, POSTE_SESSION_OUTCOME_MAIL);
  g_assert_cmpuint (report (&f)->messages, ==, 1);
  g_assert_cmpuint (report (&f)->returned, ==, 1);
  g_assert_cmpuint (report (&f)->deferred, ==, 0);
  g_assert_cmpuint (report (&f)->refused, ==, 1);
  reason = poste_session_report_dup_returned_reason (report (&f));
  g_assert_cmpstr (reason, ==, "550 5.1.1 No such user (test)");
  g_assert_cmpint (poste_session_report_get_exit_status (report (&f)), ==, POSTE_EXIT_MAIL);
  /* What the report calls returned, the provider did return. */
  assert_nothing_lost (&f, 1, 0, 1);

  /* A session whose only outcome is a refusal is not "no mail". */
  add_message (&f, 3, "nobody@example.org");
  g_assert_true (run_session (&f, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report (&f)->messages, ==, 0);
  g_assert_cmpuint (report (&f)->returned, ==, 1);
  g_assert_cmpint (poste_session_report_get_exit_status (report (&f)), ==, POSTE_EXIT_DELIVERY);
  assert_nothing_lost (&f, 1, 0, 2);
  fixture_teardown (&f);
}

/* ---- 5xx to ATRN ---- */

typedef struct {
  const char      *faults;
  gboolean         bare;     /* no domains configured: a bare ATRN */
  int              code;     /* the POSTE_SESSION_ERROR */
  const char      *reply;    /* the provider's reply, in the message */
  const char      *advice;   /* what to do, in the message */
  PosteExitStatus  status;   /* never 7, which is for 450 and 451 only */
} AtrnCase;

static void
test_atrn_5xx (gconstpointer data)
{
  const AtrnCase *c = data;
  Fixture f = { 0, };
  g_autoptr(GError) error = NULL;

  fixture_setup (&f, c->faults);
  if (c->bare)
    poste_provider_set_domains (f.t.provider, NULL);
  add_message (&f, 1, "someone@example.org");
  poste_test_fixture_start (&f.t);

  g_assert_false (run_session (&f, &error));
  g_assert_error (error, POSTE_SESSION_ERROR, c->code);
  g_test_message ("error: %s", error->message);
  g_assert_nonnull (strstr (error->message, c->reply));
  g_assert_nonnull (strstr (error->message, c->advice));
  g_assert_cmpint (poste_exit_status_for_error (error), ==, c->status);
  g_assert_cmpint (poste_session_report_get_exit_status (report (&f)), ==, c->status);
  g_assert_cmpint (report (&f)->outcome, ==, POSTE_SESSION_OUTCOME_FAILED);
  g_assert_cmpint (report (&f)->last_state, ==, POSTE_SESSION_STATE_ATRN);
  g_assert_true (transcript_has (&f, c->bare ? "C: ATRN" : "C: ATRN example.org"));
  g_assert_true (transcript_has (&f, "C: QUIT"));
  assert_nothing_lost (&f, 0, 1, 0);
  fixture_teardown (&f);
}

static const AtrnCase atrn_cases[] = {
  { "atrn-reply=501:5.5.4_Syntax_error", FALSE, POSTE_SESSION_ERROR_CONFIG,
    "501 5.5.4 Syntax error", "check domains=", POSTE_EXIT_USAGE },
  { "atrn-reply=502:5.5.1_Not_implemented", FALSE, POSTE_SESSION_ERROR_NOT_SUPPORTED,
    "502 5.5.1 Not implemented", "does not support ODMR", POSTE_EXIT_PROTOCOL },
  { "atrn-reply=504:5.5.4_Not_here", FALSE, POSTE_SESSION_ERROR_CONFIG,
    "504 5.5.4 Not here", "check domains=", POSTE_EXIT_USAGE },
  { "atrn-needs-domains", TRUE, POSTE_SESSION_ERROR_CONFIG,
    "501 5.5.4 ATRN needs a list of domains", "set domains=", POSTE_EXIT_USAGE },
  { "atrn-reply=554:5.7.1_Go_away", FALSE, POSTE_SESSION_ERROR_NOT_SUPPORTED,
    "554 5.7.1 Go away", "not a reason to try later", POSTE_EXIT_PROTOCOL },
};

/* ---- ETRN (RFC 1985), for customers with a fixed address ---- */

static void
test_etrn_started (void)
{
  Fixture f = { 0, };
  g_autoptr(GError) error = NULL;
  static const char *const two[] = { "example.org", "example.com", NULL };

  fixture_setup (&f, NULL);
  poste_test_provider_add_account (f.t.tp, "fixed", PASSWORD, two);
  poste_provider_set_username (f.t.provider, "fixed");
  poste_provider_set_domains (f.t.provider, two);
  poste_provider_set_mode (f.t.provider, POSTE_MODE_ETRN);
  add_message (&f, 1, "someone@example.org");
  add_message (&f, 2, "someone@example.org");
  poste_test_fixture_start (&f.t);

  /* A queue started is a fetch that went well, though nothing comes in on this connection: the
   * provider delivers to the domain's own mail server. */
  g_assert_true (run_session (&f, &error));
  g_assert_no_error (error);
  g_assert_cmpint (report (&f)->outcome, ==, POSTE_SESSION_OUTCOME_STARTED);
  g_assert_cmpstr (poste_session_outcome_to_string (report (&f)->outcome), ==, "started");
  g_assert_cmpuint (report (&f)->messages, ==, 0);
  g_assert_cmpint (report (&f)->last_state, ==, POSTE_SESSION_STATE_ATRN);
  g_assert_cmpint (poste_session_report_get_exit_status (report (&f)), ==, POSTE_EXIT_MAIL);
  g_assert_nonnull (report (&f)->tls);
  g_assert_nonnull (report (&f)->mechanism);
  g_assert_true (transcript_has (&f, "C: ETRN example.org"));
  g_assert_true (transcript_has (&f, "S: 253 2.0.0 OK, 2 pending messages for node example.org"));
  g_assert_true (transcript_has (&f, "C: ETRN example.com"));
  g_assert_true (transcript_has (&f, "S: 251 2.0.0 OK, no messages waiting for node example.com"));
  g_assert_true (transcript_has (&f, "C: QUIT"));
  g_assert_false (transcript_has (&f, "C: ATRN"));
  g_assert_false (transcript_has (&f, "C: 220 "));
  /* Nothing came through us; the provider still holds what it will deliver elsewhere. */
  assert_nothing_lost (&f, 0, 2, 0);
  fixture_teardown (&f);
}

static void
test_etrn_no_mail (void)
{
  Fixture f = { 0, };
  g_autoptr(GError) error = NULL;

  fixture_setup (&f, NULL);
  poste_provider_set_mode (f.t.provider, POSTE_MODE_ETRN);
  poste_test_fixture_start (&f.t);

  g_assert_true (run_session (&f, &error));
  g_assert_no_error (error);
  g_assert_cmpint (report (&f)->outcome, ==, POSTE_SESSION_OUTCOME_NO_MAIL);
  g_assert_cmpint (poste_session_report_get_exit_status (report (&f)), ==, POSTE_EXIT_NO_MAIL);
  g_assert_true (transcript_has (&f, "S: 251 "));
  assert_nothing_lost (&f, 0, 0, 0);
  fixture_teardown (&f);
}

typedef struct {
  const char      *faults;
  const char      *extra_domain;  /* asked for, but not the account's */
  int              code;
  const char      *words;
  PosteExitStatus  status;
} EtrnCase;

static void
test_etrn_error (gconstpointer data)
{
  const EtrnCase *c = data;
  Fixture f = { 0, };
  g_autoptr(GError) error = NULL;

  fixture_setup (&f, c->faults);
  poste_provider_set_mode (f.t.provider, POSTE_MODE_ETRN);
  if (c->extra_domain != NULL)
    {
      const char *asked[] = { c->extra_domain, NULL };
      poste_provider_set_domains (f.t.provider, asked);
    }
  add_message (&f, 1, "someone@example.org");
  poste_test_fixture_start (&f.t);

  g_assert_false (run_session (&f, &error));
  g_test_message ("error: %s", error->message);
  g_assert_error (error, POSTE_SESSION_ERROR, c->code);
  g_assert_nonnull (strstr (error->message, c->words));
  g_assert_cmpint (report (&f)->outcome, ==, POSTE_SESSION_OUTCOME_FAILED);
  g_assert_cmpint (poste_exit_status_for_error (error), ==, c->status);
  g_assert_true (transcript_has (&f, "C: QUIT"));
  assert_nothing_lost (&f, 0, 1, 0);
  fixture_teardown (&f);
}

static const EtrnCase etrn_cases[] = {
  { "etrn-reply=458:4.4.0_Unable_to_queue_messages", NULL, POSTE_SESSION_ERROR_TRY_LATER,
    "cannot start delivery for example.org now", POSTE_EXIT_REFUSED },
  { NULL, "other.example", POSTE_SESSION_ERROR_CONFIG,
    "does not allow ETRN for other.example: check domains=", POSTE_EXIT_USAGE },
  { "etrn-reply=502:5.5.1_Command_not_implemented", NULL, POSTE_SESSION_ERROR_NOT_SUPPORTED,
    "does not support ETRN", POSTE_EXIT_PROTOCOL },
  { "etrn-reply=501:5.5.4_Syntax_error", NULL, POSTE_SESSION_ERROR_CONFIG,
    "did not accept the domain example.org", POSTE_EXIT_USAGE },
};

int
main (int   argc,
      char *argv[])
{
  poste_test_init (&argc, &argv);

  g_test_add_func ("/field/one-per-session", test_one_per_session);
  g_test_add_func ("/field/bdat-short", test_bdat_short);
  g_test_add_func ("/field/bdat-maildir", test_bdat_maildir);
  g_test_add_func ("/field/tls-plain-quit", test_tls_plain_quit);
  g_test_add_func ("/field/close/after-last", test_close_after_last);
  g_test_add_func ("/field/close/after-turn", test_close_after_turn);
  g_test_add_func ("/field/quit-after-4xx/deferred", test_quit_after_4xx);
  g_test_add_func ("/field/quit-after-4xx/recipient-limit", test_quit_after_452);
  g_test_add_func ("/field/returned", test_returned);
  g_test_add_data_func ("/field/atrn/501", &atrn_cases[0], test_atrn_5xx);
  g_test_add_data_func ("/field/atrn/502", &atrn_cases[1], test_atrn_5xx);
  g_test_add_data_func ("/field/atrn/504", &atrn_cases[2], test_atrn_5xx);
  g_test_add_data_func ("/field/atrn/bare-501", &atrn_cases[3], test_atrn_5xx);
  g_test_add_data_func ("/field/atrn/554", &atrn_cases[4], test_atrn_5xx);
  g_test_add_func ("/field/etrn/started", test_etrn_started);
  g_test_add_func ("/field/etrn/no-mail", test_etrn_no_mail);
  g_test_add_data_func ("/field/etrn/458", &etrn_cases[0], test_etrn_error);
  g_test_add_data_func ("/field/etrn/459", &etrn_cases[1], test_etrn_error);
  g_test_add_data_func ("/field/etrn/502", &etrn_cases[2], test_etrn_error);
  g_test_add_data_func ("/field/etrn/501", &etrn_cases[3], test_etrn_error);
  return g_test_run ();
}
