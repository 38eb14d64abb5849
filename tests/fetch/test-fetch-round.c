/* test-fetch-round.c: a fetch round (PosteFetch) against the test provider
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each case runs a whole round as the front ends do: the password from a password file, the
 * provider's own Maildir target, real sessions over loopback with STARTTLS and SASL, the outbox
 * of the same round through a second test provider in submission mode, and the history in the
 * test case's private XDG_STATE_HOME. The assertions are on what the user would see: what is in
 * the Maildir, what the provider still holds, and the one record in the history.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "poste.h"
#include "poste-history.h"
#include "poste-outbox.h"
#include "poste-test-cert.h"
#include "poste-test-provider.h"
#include "poste-test.h"

#define USER "customer"
#define PASSWORD "s3cret-Pa55word"
#define TIMEOUT 20

typedef struct {
  char              *dir;
  char              *maildir;
  char              *password_file;
  PosteTestCert     *cert;
  PosteTestProvider *tp;
  PosteTestProvider *relay;
  PosteProvider     *provider;
  PosteHistory      *history;
  PosteOutbox       *outbox;
} Fixture;

static const char *const domains[] = { "example.org", NULL };
static const char *const one_rcpt[] = { "someone@example.org", NULL };

static void
add_message (Fixture *f,
             guint    n)
{
  g_autofree char *data = g_strdup_printf ("From: a@sender.example\r\nTo: someone@example.org\r\n"
                                           "Subject: message %u\r\n\r\nBody of message %u\r\n",
                                           n, n);

  poste_test_provider_add_message (f->tp, "a@sender.example", one_rcpt, data, -1);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  const char *faults = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *target = NULL;
  guint16 port;

  f->dir = poste_test_make_dir ("fetch");
  f->maildir = g_build_filename (f->dir, "Maildir", NULL);
  f->password_file = g_build_filename (f->dir, "password", NULL);
  g_assert_true (g_file_set_contents (f->password_file, PASSWORD "\n", -1, NULL));
  g_assert_cmpint (g_chmod (f->password_file, 0600), ==, 0);

  f->cert = poste_test_cert_new (f->dir, "provider.test", POSTE_TEST_CERT_NONE, &error);
  g_assert_no_error (error);
  f->tp = poste_test_provider_new ();
  poste_test_provider_set_tls (f->tp, POSTE_TEST_TLS_STARTTLS, f->cert->certificate);
  poste_test_provider_set_timeout (f->tp, TIMEOUT);
  poste_test_provider_add_account (f->tp, USER, PASSWORD, domains);
  if (faults != NULL)
    {
      poste_test_provider_set_faults (f->tp, faults, &error);
      g_assert_no_error (error);
    }
  port = poste_test_provider_start (f->tp, &error);
  g_assert_no_error (error);

  f->provider = poste_provider_new ("acme");
  poste_provider_set_host (f->provider, "127.0.0.1");
  poste_provider_set_port (f->provider, port);
  poste_provider_set_username (f->provider, USER);
  poste_provider_set_domains (f->provider, domains);
  poste_provider_set_security (f->provider, POSTE_SECURITY_STARTTLS);
  poste_provider_set_ca_file (f->provider, f->cert->ca_file);
  poste_provider_set_password_file (f->provider, f->password_file);
  target = g_strdup_printf ("maildir:%s", f->maildir);
  poste_provider_set_delivery (f->provider, target);

  f->history = poste_history_new (NULL);
  f->outbox = poste_outbox_new (NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  if (f->relay != NULL)
    poste_test_provider_stop (f->relay);
  g_clear_object (&f->relay);
  poste_test_provider_stop (f->tp);
  g_clear_object (&f->tp);
  g_clear_object (&f->provider);
  g_clear_object (&f->history);
  g_clear_object (&f->outbox);
  g_clear_pointer (&f->cert, poste_test_cert_free);
  g_free (f->password_file);
  g_free (f->maildir);
  g_free (f->dir);
}

/* Queues a message of our own domain for the provider's relay, which starts here. */
static void
start_relay_with_message (Fixture *f)
{
  static const char *const rcpt[] = { "bob@remote.example", NULL };
  static const char message[] = "From: alice@example.org\r\nTo: bob@remote.example\r\n"
                                "Subject: out\r\n\r\nbye\r\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(PosteOutboxWriter) writer = NULL;
  g_autofree char *id = NULL;
  g_autofree char *submission = NULL;
  guint16 port;

  f->relay = poste_test_provider_new ();
  poste_test_provider_set_submission (f->relay, TRUE);
  poste_test_provider_set_tls (f->relay, POSTE_TEST_TLS_STARTTLS, f->cert->certificate);
  poste_test_provider_add_account (f->relay, USER, PASSWORD, domains);
  port = poste_test_provider_start (f->relay, &error);
  g_assert_no_error (error);
  submission = g_strdup_printf ("127.0.0.1:%u", port);
  poste_provider_set_submission (f->provider, submission);

  writer = poste_outbox_writer_new (f->outbox, "alice@example.org", rcpt, &error);
  g_assert_no_error (error);
  g_assert_true (poste_outbox_writer_write (writer, (const guint8 *) message, strlen (message),
                                            &error));
  g_assert_no_error (error);
  id = poste_outbox_writer_commit (writer, &error);
  g_assert_no_error (error);
  g_assert_nonnull (id);
}

static guint
delivered (Fixture *f)
{
  g_autofree char *new_dir = g_build_filename (f->maildir, "new", NULL);

  return g_file_test (new_dir, G_FILE_TEST_IS_DIR) ? poste_test_count_entries (new_dir) : 0;
}

static GPtrArray *
records (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *list = poste_history_list (f->history, "acme", 50, &error);

  g_assert_no_error (error);
  return list;
}

static PosteSessionReport *
run_round (PosteFetch *fetch)
{
  PosteSessionReport *report = poste_fetch_run (fetch, NULL, NULL);

  for (guint i = 0; i < report->transcript->len; i++)
    g_test_message ("%s", (const char *) report->transcript->pdata[i]);
  return report;
}

/* Two messages: one round, one record that lists the session with mail and the one that found
 * the provider empty; the summary and the exit status say mail. */
static void
test_round_records_once (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(PosteFetch) fetch = poste_fetch_new (f->provider, f->history, f->outbox);
  g_autoptr(PosteSessionReport) report = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autofree char *summary = NULL;
  PosteSessionReport *record;

  add_message (f, 1);
  add_message (f, 2);
  report = run_round (fetch);

  g_assert_no_error (report->error);
  g_assert_cmpint (report->outcome, ==, POSTE_SESSION_OUTCOME_MAIL);
  g_assert_cmpuint (report->messages, ==, 2);
  g_assert_cmpuint (delivered (f), ==, 2);
  g_assert_cmpuint (poste_test_provider_count_spooled (f->tp), ==, 0);
  g_assert_cmpuint (report->sessions->len, ==, 2);
  g_assert_cmpint (((PosteSessionReport *) report->sessions->pdata[0])->outcome, ==,
                   POSTE_SESSION_OUTCOME_MAIL);
  g_assert_cmpint (((PosteSessionReport *) report->sessions->pdata[1])->outcome, ==,
                   POSTE_SESSION_OUTCOME_NO_MAIL);
  g_assert_cmpint (poste_session_report_get_exit_status (report), ==, POSTE_EXIT_MAIL);
  summary = poste_fetch_report_format_summary (report);
  g_assert_true (g_str_has_prefix (summary, "acme: 2 messages, "));
  g_assert_nonnull (strstr (summary, "(2 sessions)"));

  list = records (f);
  g_assert_cmpuint (list->len, ==, 1);
  record = list->pdata[0];
  g_assert_cmpuint (record->messages, ==, 2);
  g_assert_cmpint (record->outcome, ==, POSTE_SESSION_OUTCOME_MAIL);
  g_assert_cmpuint (record->sessions->len, ==, 2);
  g_assert_cmpuint (((PosteSessionReport *) record->sessions->pdata[0])->messages, ==, 2);
  g_assert_cmpuint (((PosteSessionReport *) record->sessions->pdata[1])->messages, ==, 0);
  /* The provider counts a session when its thread has finished. */
  g_assert_true (poste_test_provider_wait_sessions (f->tp, 2, TIMEOUT));
  g_assert_cmpuint (poste_test_provider_get_sessions (f->tp), ==, 2);
}

/* Nothing held: one session, "no mail", exit status 1, one record. */
static void
test_round_no_mail (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(PosteFetch) fetch = poste_fetch_new (f->provider, f->history, f->outbox);
  g_autoptr(PosteSessionReport) report = run_round (fetch);
  g_autoptr(GPtrArray) list = records (f);
  g_autofree char *summary = poste_fetch_report_format_summary (report);

  g_assert_cmpint (report->outcome, ==, POSTE_SESSION_OUTCOME_NO_MAIL);
  g_assert_cmpuint (report->sessions->len, ==, 1);
  g_assert_cmpint (poste_session_report_get_exit_status (report), ==, POSTE_EXIT_NO_MAIL);
  g_assert_cmpstr (summary, ==, "acme: no mail");
  g_assert_cmpuint (list->len, ==, 1);
}

static void
break_password_cb (PosteFetch   *fetch,
                   PosteSession *session,
                   Fixture      *f)
{
  /* From the first session on, the file holds a wrong password: a round that read it again
   * (for another session, or for the outbox) would fail its authentication. */
  g_assert_true (g_file_set_contents (f->password_file, "wrong\n", -1, NULL));
}

/* The password is read once per round: the second session and the outbox's submission use the
 * one read at the start. */
static void
test_round_one_secret_lookup (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(PosteFetch) fetch = NULL;
  g_autoptr(PosteSessionReport) report = NULL;
  g_autoptr(GPtrArray) accepted = NULL;

  add_message (f, 1);
  start_relay_with_message (f);
  fetch = poste_fetch_new (f->provider, f->history, f->outbox);
  g_signal_connect (fetch, "session-started", G_CALLBACK (break_password_cb), f);
  report = run_round (fetch);

  g_assert_no_error (report->error);
  g_assert_cmpuint (report->sessions->len, ==, 2);
  g_assert_cmpuint (report->messages, ==, 1);
  g_assert_cmpuint (report->submitted, ==, 1);
  accepted = poste_test_provider_dup_accepted (f->relay);
  g_assert_cmpuint (accepted->len, ==, 1);
}

/* The outbox's submission is part of the round's one record; a round that only sent mail did
 * work (exit status 0). */
static void
test_round_outbox_in_record (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(PosteFetch) fetch = NULL;
  g_autoptr(PosteSessionReport) report = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autofree char *summary = NULL;

  start_relay_with_message (f);
  fetch = poste_fetch_new (f->provider, f->history, f->outbox);
  report = run_round (fetch);

  g_assert_no_error (report->error);
  g_assert_cmpint (report->outcome, ==, POSTE_SESSION_OUTCOME_NO_MAIL);
  g_assert_cmpuint (report->submitted, ==, 1);
  g_assert_true (poste_session_report_did_work (report));
  g_assert_cmpint (poste_session_report_get_exit_status (report), ==, POSTE_EXIT_MAIL);
  summary = poste_fetch_report_format_summary (report);
  g_assert_cmpstr (summary, ==, "acme: no mail\nacme: outbox: 1 message sent");

  list = records (f);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpuint (((PosteSessionReport *) list->pdata[0])->submitted, ==, 1);
}

static gboolean
cancel_cb (gpointer data)
{
  poste_fetch_cancel (data);
  return G_SOURCE_REMOVE;
}

/* Once the session has turned around and the provider has gone quiet inside the message's
 * content, the user presses Stop. */
static void
state_cb (PosteSession *session,
          GParamSpec   *pspec,
          PosteFetch   *fetch)
{
  g_autoptr(GSource) timeout = NULL;

  if (poste_session_get_state (session) != POSTE_SESSION_STATE_RECEIVING)
    return;
  /* poste_fetch_run() iterates a context of its own, the thread's default meanwhile. */
  timeout = g_timeout_source_new (300);
  g_source_set_callback (timeout, cancel_cb, g_object_ref (fetch), g_object_unref);
  g_source_attach (timeout, g_main_context_get_thread_default ());
}

static void
watch_session_cb (PosteFetch   *fetch,
                  PosteSession *session,
                  gpointer      user_data)
{
  g_signal_connect_object (session, "notify::state", G_CALLBACK (state_cb), fetch, 0);
}

/* Stop in the middle of a message: the provider keeps it, nothing is delivered, no other
 * session starts, the outbox waits, and the record says cancelled. */
static void
test_round_cancel_mid_message (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(PosteFetch) fetch = NULL;
  g_autoptr(PosteSessionReport) report = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GPtrArray) accepted = NULL;

  add_message (f, 1);
  start_relay_with_message (f);
  fetch = poste_fetch_new (f->provider, f->history, f->outbox);
  g_signal_connect (fetch, "session-started", G_CALLBACK (watch_session_cb), NULL);
  report = run_round (fetch);

  g_assert_error (report->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (report->outcome, ==, POSTE_SESSION_OUTCOME_CANCELLED);
  g_assert_cmpuint (report->messages, ==, 0);
  g_assert_cmpuint (delivered (f), ==, 0);
  g_assert_true (poste_test_provider_wait_sessions (f->tp, 1, TIMEOUT));
  g_assert_cmpuint (poste_test_provider_count_spooled (f->tp), ==, 1);
  g_assert_cmpuint (report->sessions->len, ==, 1);
  g_assert_cmpuint (report->submitted, ==, 0);
  accepted = poste_test_provider_dup_accepted (f->relay);
  g_assert_cmpuint (accepted->len, ==, 0);

  list = records (f);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpint (((PosteSessionReport *) list->pdata[0])->outcome, ==,
                   POSTE_SESSION_OUTCOME_CANCELLED);
}

/* No password at all: the round fails before connecting, says how to give one, and is recorded
 * like any other fetch. */
static void
test_round_no_password (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(PosteFetch) fetch = NULL;
  g_autoptr(PosteSessionReport) report = NULL;
  g_autoptr(GPtrArray) list = NULL;

  g_assert_cmpint (g_unlink (f->password_file), ==, 0);
  fetch = poste_fetch_new (f->provider, f->history, f->outbox);
  report = run_round (fetch);

  g_assert_nonnull (report->error);
  g_assert_cmpint (report->outcome, ==, POSTE_SESSION_OUTCOME_FAILED);
  g_assert_cmpuint (report->sessions->len, ==, 0);
  g_assert_cmpuint (poste_test_provider_get_sessions (f->tp), ==, 0);
  g_assert_nonnull (strstr (report->error->message, "password"));
  list = records (f);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_nonnull (((PosteSessionReport *) list->pdata[0])->error);
}

/* The bound holds: a round of at most two sessions against a provider that still holds mail
 * says so, and leaves the rest for the next round. */
static void
test_round_bound (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(PosteFetch) fetch = poste_fetch_new (f->provider, f->history, NULL);
  g_autoptr(PosteSessionReport) report = NULL;
  gboolean noted = FALSE;

  for (guint i = 1; i <= 5; i++)
    add_message (f, i);
  poste_fetch_set_limits (fetch, 2, POSTE_FETCH_MAX_SECONDS);
  report = run_round (fetch);

  g_assert_no_error (report->error);
  g_assert_cmpuint (report->sessions->len, ==, 2);
  g_assert_cmpuint (report->messages, ==, 2);
  g_assert_cmpuint (delivered (f), ==, 2);
  g_assert_cmpuint (poste_test_provider_count_spooled (f->tp), ==, 3);
  for (guint i = 0; i < report->transcript->len; i++)
    noted |= strstr (report->transcript->pdata[i], "may still hold mail") != NULL;
  g_assert_true (noted);
}

int
main (int    argc,
      char **argv)
{
  poste_test_init (&argc, &argv);

#define ADD(path, func, faults) \
  g_test_add ("/fetch-round/" path, Fixture, faults, fixture_setup, func, fixture_teardown)

  ADD ("records-once", test_round_records_once, NULL);
  ADD ("no-mail", test_round_no_mail, NULL);
  ADD ("one-secret-lookup", test_round_one_secret_lookup, "per-session=1");
  ADD ("outbox-in-record", test_round_outbox_in_record, NULL);
  ADD ("cancel-mid-message", test_round_cancel_mid_message, "silent=data");
  ADD ("no-password", test_round_no_password, NULL);
  ADD ("bound", test_round_bound, "per-session=1");

  return g_test_run ();
}
