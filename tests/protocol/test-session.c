/* test-session.c: the ODMR session (PosteSession) against the test provider
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every scenario runs a real session over loopback TCP (127.0.0.1) against PosteTestProvider,
 * with real TLS (GnuTLS test certificates) and real SASL (libgsasl on both sides). The delivery
 * target is a small in-memory PosteDelivery (tests/common/test-memory-delivery.c; the real
 * targets are tested in tests/delivery).
 *
 * Most scenarios are one row of the table in test-session-cases.c (what the provider holds and
 * does, how our target behaves, and what the session must end with), run by run_case() here.
 * Those that need more than a row (their own certificate, a cancellation, the asynchronous run,
 * a Maildir, the connection check) are functions of their own after it.
 */
#include "config.h"

#include <string.h>

#include "poste-test.h"
#include "test-session.h"

static const PosteTestFixtureConfig config = {
  .name = "session",
  .user = USER,
  .password = PASSWORD,
  .domains = session_domains,
  .timeout = TIMEOUT,
};

/* ---- The fixture ---- */

static void
fixture_setup (Fixture      *f,
               PosteTestTls  tls,
               const char   *faults)
{
  poste_test_fixture_setup (&f->t, &config, tls, POSTE_TEST_CERT_NONE, faults);
  f->delivery = test_delivery_new ();
}

/* Starts the test provider and makes the session into the memory target. */
static void
fixture_start (Fixture *f)
{
  poste_test_fixture_start (&f->t);
  poste_test_fixture_new_session (&f->t, POSTE_DELIVERY (f->delivery));
}

static void
fixture_teardown (Fixture *f)
{
  PosteSessionReport *report = f->t.session != NULL ? poste_session_get_report (f->t.session)
                                                    : NULL;

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
  poste_test_fixture_teardown (&f->t);
  g_clear_object (&f->delivery);
  g_free (f->message);
}

void
spool (Fixture           *f,
       const char        *sender,
       const char *const *recipients,
       const char        *text)
{
  poste_test_provider_add_message (f->t.tp, sender, recipients, text, -1);
}

static gboolean
transcript_has (Fixture    *f,
                const char *prefix)
{
  return poste_test_fixture_transcript_has (&f->t, prefix);
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
char *
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

/* ---- One row of the table ---- */

static void
run_case (gconstpointer data)
{
  const Case *c = data;
  Fixture f = { 0, };
  PosteSessionReport *report;
  gboolean ok;

  fixture_setup (&f, c->tls, c->faults);
  for (const Spooled *m = c->spool; m != NULL && m->sender != NULL; m++)
    spool (&f, m->sender, m->recipients, m->text);
  if (c->auth != POSTE_AUTH_AUTO)
    poste_provider_set_auth (f.t.provider, c->auth);
  if (c->prepare != NULL)
    c->prepare (&f);
  fixture_start (&f);
  f.delivery->begin_code = c->begin_code;
  f.delivery->rcpt_code = c->rcpt_code;
  if (c->commit_code != 0)
    f.delivery->commit_code = c->commit_code;
  f.delivery->max_recipients = c->max_recipients;
  f.delivery->rcpt_limit = c->rcpt_limit;
  f.delivery->fail_write = c->fail_write;
  f.delivery->refuse_recipient = g_strdup (c->refuse_recipient);
  f.delivery->defer_recipient = g_strdup (c->defer_recipient);
  if (c->timeout != 0)
    poste_session_set_timeout (f.t.session, c->timeout);
  if (c->atrn_timeout != 0)
    poste_session_set_atrn_timeout (f.t.session, c->atrn_timeout);
  if (c->max_size != 0)
    poste_session_set_max_message_size (f.t.session, c->max_size);

  ok = poste_test_fixture_run (&f.t);
  if (c->domain == NULL)
    {
      g_assert_no_error (f.t.error);
      g_assert_true (ok);
    }
  else
    {
      g_assert_false (ok);
      g_assert_error (f.t.error, c->domain (), c->code);
      if (c->says != NULL)
        g_assert_nonnull (strstr (f.t.error->message, c->says));
    }

  report = poste_session_get_report (f.t.session);
  g_assert_nonnull (report);
  if (CHECKED (c->outcome))
    g_assert_cmpint (report->outcome, ==, VALUE (c->outcome));
  if (CHECKED (c->report_error) && VALUE (c->report_error) < 0)
    g_assert_null (report->error);
  else if (CHECKED (c->report_error))
    g_assert_error (report->error, POSTE_SESSION_ERROR, VALUE (c->report_error));
  if (CHECKED (c->state))
    g_assert_cmpint (poste_session_get_state (f.t.session), ==, VALUE (c->state));
  if (CHECKED (c->tls_seen) && VALUE (c->tls_seen))
    g_assert_nonnull (report->tls);
  else if (CHECKED (c->tls_seen))
    g_assert_null (report->tls);
  if (CHECKED (c->messages))
    g_assert_cmpuint (report->messages, ==, VALUE (c->messages));
  if (CHECKED (c->refused))
    g_assert_cmpuint (report->refused, ==, VALUE (c->refused));
  if (CHECKED (c->deferred))
    g_assert_cmpuint (report->deferred, ==, VALUE (c->deferred));
  if (CHECKED (c->returned))
    g_assert_cmpuint (report->returned, ==, VALUE (c->returned));
  if (CHECKED (c->exit_status))
    g_assert_cmpint (poste_session_report_get_exit_status (report), ==, VALUE (c->exit_status));
  if (c->mechanism != NULL)
    g_assert_cmpstr (report->mechanism, ==, c->mechanism);
  if (c->returned_reason != NULL || c->nothing_returned)
    assert_returned_reason (report, c->returned_reason);

  for (guint i = 0; i < G_N_ELEMENTS (c->has) && c->has[i] != NULL; i++)
    if (!transcript_has (&f, c->has[i]))
      g_error ("no line of the transcript starts with '%s'", c->has[i]);
  for (guint i = 0; i < G_N_ELEMENTS (c->lacks) && c->lacks[i] != NULL; i++)
    if (transcript_has (&f, c->lacks[i]))
      g_error ("a line of the transcript starts with '%s'", c->lacks[i]);

  if (CHECKED (c->delivered))
    g_assert_cmpuint (f.delivery->messages->len, ==, VALUE (c->delivered));
  g_assert_cmpuint (f.delivery->aborts, >=, c->aborts);
  for (guint i = 0; i < G_N_ELEMENTS (c->bodies) && c->bodies[i] != NULL; i++)
    {
      g_autofree char *body = delivered_body (&f, i);

      g_assert_cmpstr (body, ==, c->bodies[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (c->recipients) && c->recipients[i] != NULL; i++)
    g_assert_cmpstr (f.delivery->recipients->pdata[i], ==, c->recipients[i]);
  if (CHECKED (c->spooled))
    g_assert_cmpuint (poste_test_provider_count_spooled (f.t.tp), ==, VALUE (c->spooled));
  if (CHECKED (c->held_at_least))
    g_assert_cmpuint (poste_test_provider_count_spooled (f.t.tp), >=, VALUE (c->held_at_least));
  if (c->peer_is_ours)
    {
      GTlsCertificate *peer = poste_session_get_peer_certificate (f.t.session);
      g_autoptr(GByteArray) der = NULL;
      g_autofree char *peer_sha = NULL;

      g_assert_nonnull (peer);
      g_object_get (peer, "certificate", &der, NULL);
      peer_sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, der->data, der->len);
      g_assert_cmpstr (peer_sha, ==, f.t.cert->sha256);
    }
  if (c->check != NULL)
    c->check (&f);
  fixture_teardown (&f);
}

/* ---- Scenarios that need more than a row ---- */

/* The test provider's certificate has expired; a pin names one certificate the user chose to
 * trust, whatever its CA and dates. */
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
  poste_test_provider_set_tls (f.t.tp, POSTE_TEST_TLS_STARTTLS, expired->certificate);
  spool (&f, "a@sender.example", one_rcpt, MESSAGE_1);
  poste_provider_set_security (f.t.provider, POSTE_SECURITY_STARTTLS);
  poste_provider_set_ca_file (f.t.provider, expired->ca_file);
  if (pinned)
    poste_provider_set_pinned_sha256 (f.t.provider, expired->sha256);
  fixture_start (&f);

  if (pinned)
    {
      g_assert_true (poste_test_fixture_run (&f.t));
      g_assert_no_error (f.t.error);
      g_assert_cmpuint (f.delivery->messages->len, ==, 1);
    }
  else
    {
      g_assert_false (poste_test_fixture_run (&f.t));
      g_assert_error (f.t.error, POSTE_SESSION_ERROR, POSTE_SESSION_ERROR_CERTIFICATE);
      g_assert_nonnull (strstr (f.t.error->message, "expired"));
    }
  fixture_teardown (&f);
}

typedef struct {
  GMainLoop    *loop;
  GCancellable *cancellable;
  gboolean      ok;
  GError       *error;
  guint         state_changes;
  guint         message_notifies;
  guint         last_messages;
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
  guint messages = poste_session_get_messages (session);

  /* The worker's progress reaches the caller's thread as the newest snapshot: a busy main loop
   * may see several messages arrive as one change, but never a count twice or going back. */
  g_assert_true (g_main_context_is_owner (g_main_context_default ()));
  g_assert_cmpuint (messages, >, r->last_messages);
  r->last_messages = messages;
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
  g_signal_connect (f->t.session, "notify::state", G_CALLBACK (state_cb), r);
  g_signal_connect (f->t.session, "notify::messages", G_CALLBACK (messages_cb), r);
  g_signal_connect (f->t.session, "progress", G_CALLBACK (progress_cb), r);
  r->loop = g_main_loop_new (NULL, FALSE);
  poste_session_run_async (f->t.session, r->cancellable, run_done_cb, r);
  g_main_loop_run (r->loop);
  g_main_loop_unref (r->loop);
}

static void
test_cancel_reversed (void)
{
  Fixture f = { 0, };
  AsyncRun r = { 0, };

  fixture_setup (&f, POSTE_TEST_TLS_NONE, "silent=mail");
  spool (&f, "a@sender.example", one_rcpt, MESSAGE_1);
  fixture_start (&f);
  r.cancellable = g_cancellable_new ();

  run_async (&f, &r);
  g_assert_false (r.ok);
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (r.saw_receiving);
  g_assert_cmpint (poste_session_get_report (f.t.session)->outcome, ==,
                   POSTE_SESSION_OUTCOME_CANCELLED);
  g_assert_true (transcript_has (&f, "C: 421 4.3.2"));
  g_assert_cmpuint (poste_test_provider_count_spooled (f.t.tp), ==, 1);
  g_clear_error (&r.error);
  g_object_unref (r.cancellable);
  poste_test_fixture_log (&f.t);
  fixture_teardown (&f);
}

static void
test_async_progress (void)
{
  Fixture f = { 0, };
  AsyncRun r = { 0, };

  fixture_setup (&f, POSTE_TEST_TLS_STARTTLS, NULL);
  spool (&f, "a@sender.example", one_rcpt, MESSAGE_1);
  spool (&f, "b@sender.example", one_rcpt, MESSAGE_2);
  spool (&f, "c@sender.example", one_rcpt, MESSAGE_1);
  fixture_start (&f);

  run_async (&f, &r);
  g_assert_no_error (r.error);
  g_assert_true (r.ok);
  /* At most one notify per delivered message, each in the main context and counting up (see
   * messages_cb ()); how many depends on how busy the main loop was, the last one says 3. */
  g_assert_cmpuint (r.message_notifies, >=, 1);
  g_assert_cmpuint (r.message_notifies, <=, 3);
  g_assert_cmpuint (r.last_messages, ==, 3);
  g_assert_cmpuint (r.progress, >=, 1);
  g_assert_cmpuint (r.state_changes, >=, 2);
  g_assert_cmpuint (poste_session_get_messages (f.t.session), ==, 3);
  g_assert_cmpuint (poste_session_get_bytes (f.t.session), ==,
                    2 * strlen (MESSAGE_1) + strlen (MESSAGE_2));
  g_assert_cmpint (poste_session_get_current_size (f.t.session), ==, -1);
  g_assert_cmpint (poste_session_get_state (f.t.session), ==, POSTE_SESSION_STATE_DONE);
  poste_test_fixture_log (&f.t);
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
  const char *name;
  guint files = 0;

  fixture_setup (&f, POSTE_TEST_TLS_STARTTLS, NULL);
  spool (&f, "a@sender.example", one_rcpt, MESSAGE_1);
  spool (&f, "b@sender.example", one_rcpt, MESSAGE_2);
  fixture_start (&f);

  maildir = g_build_filename (f.t.dir, "Maildir", NULL);
  target = poste_maildir_delivery_new (maildir);
  poste_test_fixture_new_session (&f.t, target);
  g_assert_true (poste_test_fixture_run (&f.t));
  g_assert_no_error (f.t.error);
  g_assert_cmpuint (poste_session_get_report (f.t.session)->messages, ==, 2);
  g_assert_cmpuint (poste_test_provider_count_spooled (f.t.tp), ==, 0);

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
  spool (&f, "a@sender.example", one_rcpt, MESSAGE_1);
  fixture_start (&f);
  g_cancellable_cancel (cancellable);

  g_assert_false (poste_session_run (f.t.session, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (poste_session_get_report (f.t.session)->outcome, ==,
                   POSTE_SESSION_OUTCOME_CANCELLED);
  g_assert_cmpuint (poste_test_provider_count_spooled (f.t.tp), ==, 1);
  poste_test_fixture_log (&f.t);
  fixture_teardown (&f);
}

static void
test_check (void)
{
  Fixture f = { 0, };
  g_autoptr(PosteCheckResult) result = NULL;
  g_autofree char *transcript = NULL;

  fixture_setup (&f, POSTE_TEST_TLS_STARTTLS, NULL);
  spool (&f, "a@sender.example", one_rcpt, MESSAGE_1);
  fixture_start (&f);

  result = poste_session_check (f.t.provider, PASSWORD, TIMEOUT, NULL);
  g_assert_no_error (result->error);
  g_assert_no_error (result->auth_error);
  g_assert_true (result->authenticated);
  g_assert_cmpstr (result->mechanism, ==, "SCRAM-SHA-256");
  g_assert_true (g_str_has_prefix (result->tls_protocol, "TLS 1."));
  g_assert_cmpstr (result->certificate_sha256, ==, f.t.cert->sha256);
  g_assert_nonnull (result->certificate_subject);
  g_assert_nonnull (result->certificate_not_after);
  g_assert_true (result->atrn_offered);
  g_assert_true (g_strv_contains ((const char * const *) result->capabilities, "ATRN"));
  /* Never ATRN: the mail stays. */
  g_assert_cmpuint (poste_test_provider_count_spooled (f.t.tp), ==, 1);
  poste_test_provider_wait_sessions (f.t.tp, 1, TIMEOUT);
  transcript = poste_test_provider_dup_transcript (f.t.tp);
  g_assert_null (strstr (transcript, "ATRN "));
  fixture_teardown (&f);
}

static void
test_check_untrusted (void)
{
  Fixture f = { 0, };
  g_autoptr(PosteCheckResult) result = NULL;

  fixture_setup (&f, POSTE_TEST_TLS_IMPLICIT, NULL);
  poste_provider_set_ca_file (f.t.provider, NULL);
  fixture_start (&f);

  /* The certificate is described even though it failed: the trust dialog shows it. */
  result = poste_session_check (f.t.provider, PASSWORD, TIMEOUT, NULL);
  g_assert_error (result->error, POSTE_SESSION_ERROR, POSTE_SESSION_ERROR_CERTIFICATE);
  g_assert_false (result->authenticated);
  g_assert_nonnull (result->certificate);
  g_assert_cmpstr (result->certificate_sha256, ==, f.t.cert->sha256);
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

  poste_session_check_async (f.t.provider, PASSWORD, TIMEOUT, NULL, check_done_cb, &result);
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

  result = poste_session_check (f.t.provider, "wrong", TIMEOUT, NULL);
  g_assert_no_error (result->error);
  g_assert_false (result->authenticated);
  g_assert_error (result->auth_error, POSTE_SESSION_ERROR, POSTE_SESSION_ERROR_AUTH_FAILED);
  fixture_teardown (&f);
}


int
main (int   argc,
      char *argv[])
{
  poste_test_init (&argc, &argv);

  for (guint i = 0; i < session_n_cases; i++)
    g_test_add_data_func (session_cases[i].path, &session_cases[i], run_case);
  g_test_add_data_func ("/session/expired/ca-file", GINT_TO_POINTER (FALSE), test_expired);
  g_test_add_data_func ("/session/expired/pinned", GINT_TO_POINTER (TRUE), test_expired);
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
