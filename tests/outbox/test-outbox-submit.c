/* test-outbox-submit.c: the outbox handed to the test provider in submission mode (RFC 6409)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "poste-error.h"
#include "poste-outbox.h"
#include "poste-outbox-submit.h"
#include "poste-provider.h"
#include "poste-session.h"
#include "poste-test.h"
#include "poste-test-cert.h"
#include "poste-test-provider.h"

#define USER "customer"
#define PASSWORD "s3cret-Pa55"

typedef struct {
  char              *dir;
  PosteTestCert     *cert;
  PosteTestProvider *relay;
  PosteProvider     *provider;
  PosteOutbox       *outbox;
  char              *maildir;
} Fixture;

static const char *domains[] = { "example.org", NULL };
static const char *bob[] = { "bob@remote.example", NULL };

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *submission = NULL;
  g_autofree char *delivery = NULL;
  g_autofree char *outbox_dir = NULL;
  guint16 port;

  f->dir = poste_test_make_dir ("outbox-submit");
  f->cert = poste_test_cert_new (f->dir, "provider.test", POSTE_TEST_CERT_NONE, &error);
  g_assert_no_error (error);
  f->relay = poste_test_provider_new ();
  poste_test_provider_set_submission (f->relay, TRUE);
  poste_test_provider_set_tls (f->relay, POSTE_TEST_TLS_STARTTLS, f->cert->certificate);
  poste_test_provider_add_account (f->relay, USER, PASSWORD, domains);
  port = poste_test_provider_start (f->relay, &error);
  g_assert_no_error (error);

  f->maildir = g_build_filename (f->dir, "Maildir", NULL);
  delivery = g_strconcat ("maildir:", f->maildir, NULL);
  submission = g_strdup_printf ("127.0.0.1:%u", port);
  f->provider = poste_provider_new ("acme");
  /* The ODMR host is not used by submission: only submission= is. */
  poste_provider_set_host (f->provider, "odmr.invalid");
  poste_provider_set_username (f->provider, USER);
  poste_provider_set_domains (f->provider, domains);
  poste_provider_set_delivery (f->provider, delivery);
  poste_provider_set_ca_file (f->provider, f->cert->ca_file);
  poste_provider_set_submission (f->provider, submission);

  outbox_dir = g_build_filename (f->dir, "outbox", NULL);
  f->outbox = poste_outbox_new (outbox_dir);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  poste_test_provider_stop (f->relay);
  g_clear_object (&f->relay);
  g_clear_object (&f->provider);
  g_clear_object (&f->outbox);
  g_clear_pointer (&f->cert, poste_test_cert_free);
  g_free (f->maildir);
  g_free (f->dir);
}

static char *
queue (Fixture            *f,
       const char         *sender,
       const char * const *recipients,
       const char         *text)
{
  g_autoptr(GBytes) head = g_bytes_new (text, strlen (text));
  g_autoptr(GError) error = NULL;
  char *id = poste_outbox_enqueue (f->outbox, sender, recipients, head, NULL, NULL, &error);

  g_assert_no_error (error);
  return id;
}

/* The message most cases queue: one recipient, a subject and a line. */
static char *
queue_one (Fixture *f)
{
  char *id = queue (f, "alice@example.org", bob, "Subject: a\n\nx\n");

  g_assert_nonnull (id);  /* queued: only its effects are checked */
  return id;
}

static GPtrArray *
list (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *items = poste_outbox_list (f->outbox, &error);

  g_assert_no_error (error);
  return items;
}

static gboolean
submit (Fixture                 *f,
        const char              *password,
        PosteOutboxSubmitFlags   flags,
        PosteOutboxCounts       *counts,
        GError                 **error)
{
  g_autoptr(GPtrArray) transcript = g_ptr_array_new_with_free_func (g_free);
  gboolean ok = poste_outbox_submit (f->outbox, f->provider, password, flags, NULL, counts,
                                     transcript, error);

  /* The transcript never holds the password or its SASL exchange. */
  for (guint i = 0; i < transcript->len; i++)
    {
      g_assert_null (strstr (transcript->pdata[i], PASSWORD));
      if (g_str_has_prefix (transcript->pdata[i], "C: AUTH "))
        g_assert_nonnull (strstr (transcript->pdata[i], "redacted"));
    }
  return ok;
}

/* A round with the right password, not forced: what the scheduler does. */
static gboolean
submit_round (Fixture            *f,
              PosteOutboxCounts  *counts,
              GError            **error)
{
  return submit (f, PASSWORD, POSTE_OUTBOX_SUBMIT_NONE, counts, error);
}

static guint
maildir_count (Fixture *f)
{
  g_autofree char *path = g_build_filename (f->maildir, "new", NULL);
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  if (dir == NULL)
    return 0;
  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

static char *
maildir_first (Fixture *f)
{
  g_autofree char *path = g_build_filename (f->maildir, "new", NULL);
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  g_autofree char *file = NULL;
  char *data = NULL;

  g_assert_nonnull (dir);
  file = g_build_filename (path, g_dir_read_name (dir), NULL);
  g_assert_true (g_file_get_contents (file, &data, NULL, NULL));
  return data;
}

static void
test_submit (Fixture       *f,
             gconstpointer  data)
{
  const char *rcpts[] = { "bob@remote.example", "carol@remote.example", NULL };
  const char *other_rcpts[] = { "dave@remote.example", NULL };
  g_autofree char *id1 = queue (f, "alice@example.org", rcpts,
                                "From: alice@example.org\nSubject: one\n\n.starts with a dot\n"
                                "..two dots\nbare CR\rin the middle\nno final line end");
  g_autofree char *id2 = queue (f, "alice@EXAMPLE.ORG", other_rcpts,
                                "Subject: two\r\n\r\nCRLF already\r\n.\r\n");
  g_autofree char *id3 = queue (f, "zoe@elsewhere.example", other_rcpts,
                                "Subject: not ours\n\nx\n");
  g_autoptr(GPtrArray) accepted = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) error = NULL;
  PosteOutboxCounts counts;
  PosteTestMessage *m;
  const char *expected;

  g_assert_nonnull (id1);  /* queued: only its effects are checked */
  g_assert_nonnull (id2);  /* queued: only its effects are checked */
  g_assert_true (poste_outbox_has_due (f->outbox, f->provider, POSTE_OUTBOX_SUBMIT_NONE));
  g_assert_true (submit_round (f, &counts, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (counts.submitted, ==, 2);
  g_assert_cmpuint (counts.deferred, ==, 0);
  g_assert_cmpuint (counts.bounced, ==, 0);
  g_assert_cmpuint (counts.failed, ==, 0);

  accepted = poste_test_provider_dup_accepted (f->relay);
  g_assert_cmpuint (accepted->len, ==, 2);
  m = accepted->pdata[0];
  g_assert_cmpstr (m->sender, ==, "alice@example.org");
  g_assert_cmpuint (m->recipients->len, ==, 2);
  g_assert_cmpstr (m->recipients->pdata[0], ==, "bob@remote.example");
  g_assert_cmpstr (m->recipients->pdata[1], ==, "carol@remote.example");
  /* CR LF line ends on the wire, dots unstuffed by the relay into what was queued. */
  expected = "From: alice@example.org\r\nSubject: one\r\n\r\n.starts with a dot\r\n"
             "..two dots\r\nbare CR\r\nin the middle\r\nno final line end\r\n";
  g_assert_cmpmem (g_bytes_get_data (m->data, NULL), g_bytes_get_size (m->data), expected,
                   strlen (expected));
  m = accepted->pdata[1];
  expected = "Subject: two\r\n\r\nCRLF already\r\n.\r\n";
  g_assert_cmpmem (g_bytes_get_data (m->data, NULL), g_bytes_get_size (m->data), expected,
                   strlen (expected));

  /* Only the other domain's message is left, and nothing is due for this provider. */
  items = list (f);
  g_assert_cmpuint (items->len, ==, 1);
  g_assert_cmpstr (((PosteOutboxItem *) items->pdata[0])->id, ==, id3);
  g_assert_false (poste_outbox_has_due (f->outbox, f->provider, POSTE_OUTBOX_SUBMIT_NONE));

  /* Nothing due: no connection at all. */
  g_assert_true (poste_test_provider_wait_sessions (f->relay, 1, 30));
  g_assert_cmpuint (poste_test_provider_get_sessions (f->relay), ==, 1);
  g_assert_true (submit_round (f, &counts, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (counts.submitted, ==, 0);
  g_assert_true (poste_test_provider_wait_sessions (f->relay, 1, 30));
  g_assert_cmpuint (poste_test_provider_get_sessions (f->relay), ==, 1);
}

static void
test_deferred (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *id = queue (f, "alice@example.org", bob, "Subject: later\n\nbody\n");
  g_autoptr(PosteOutboxItem) item = NULL;
  g_autoptr(GPtrArray) accepted = NULL;
  g_autoptr(GError) error = NULL;
  PosteOutboxCounts counts;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  g_assert_true (poste_test_provider_set_faults (f->relay, "submit-end=451", &error));
  g_assert_true (submit_round (f, &counts, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (counts.submitted, ==, 0);
  g_assert_cmpuint (counts.deferred, ==, 1);

  item = poste_outbox_lookup (f->outbox, id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (item->state, ==, POSTE_OUTBOX_STATE_DEFERRED);
  g_assert_cmpuint (item->attempts, ==, 1);
  g_assert_cmpint (item->next_attempt, >=, now + POSTE_OUTBOX_RETRY_FIRST);
  g_assert_nonnull (strstr (item->last_error, "451"));
  g_assert_cmpstrv (item->recipients, bob);

  /* Not due yet: waiting, no connection. */
  g_assert_true (poste_test_provider_set_faults (f->relay, "submit-rcpt=452", &error));
  g_assert_true (submit_round (f, &counts, &error));
  g_assert_cmpuint (counts.waiting, ==, 1);
  g_assert_cmpuint (counts.deferred, ==, 0);
  g_assert_true (poste_test_provider_wait_sessions (f->relay, 1, 30));
  g_assert_cmpuint (poste_test_provider_get_sessions (f->relay), ==, 1);

  /* The user's Send now: tried again, 4xx again, the wait doubles. */
  g_assert_true (submit (f, PASSWORD, POSTE_OUTBOX_SUBMIT_FORCE, &counts, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (counts.deferred, ==, 1);
  g_clear_pointer (&item, poste_outbox_item_free);
  item = poste_outbox_lookup (f->outbox, id, &error);
  g_assert_cmpuint (item->attempts, ==, 2);
  g_assert_cmpint (item->next_attempt, >=, now + 2 * POSTE_OUTBOX_RETRY_FIRST);
  g_assert_nonnull (strstr (item->last_error, "452"));

  /* And then the relay takes it: gone from the queue. */
  g_assert_true (poste_test_provider_set_faults (f->relay, NULL, &error));
  g_assert_true (poste_outbox_retry_now (f->outbox, id, &error));
  g_assert_true (submit_round (f, &counts, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (counts.submitted, ==, 1);
  accepted = poste_test_provider_dup_accepted (f->relay);
  g_assert_cmpuint (accepted->len, ==, 1);
  g_clear_pointer (&item, poste_outbox_item_free);
  g_assert_null (poste_outbox_lookup (f->outbox, id, &error));
  g_assert_error (error, POSTE_OUTBOX_ERROR, POSTE_OUTBOX_ERROR_NOT_FOUND);
  g_assert_cmpuint (maildir_count (f), ==, 0);
}

static void
test_bounced (Fixture       *f,
              gconstpointer  data)
{
  const char *rcpts[] = { "bob@remote.example", "nobody@remote.example", NULL };
  g_autofree char *id = queue (f, "alice@example.org", rcpts,
                               "From: alice@example.org\nSubject: Lunch?\n\nbody\n");
  g_autoptr(GPtrArray) accepted = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dsn = NULL;
  PosteOutboxCounts counts;
  PosteTestMessage *m;

  g_assert_nonnull (id);  /* queued: only its effects are checked */
  /* One recipient refused for good, the other taken. */
  g_assert_true (poste_test_provider_set_faults (f->relay, "submit-rcpt=550:nobody@remote.example",
                                                 &error));
  g_assert_true (submit_round (f, &counts, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (counts.submitted, ==, 1);
  g_assert_cmpuint (counts.bounced, ==, 1);
  g_assert_cmpuint (counts.failed, ==, 0);

  accepted = poste_test_provider_dup_accepted (f->relay);
  g_assert_cmpuint (accepted->len, ==, 1);
  m = accepted->pdata[0];
  g_assert_cmpuint (m->recipients->len, ==, 1);
  g_assert_cmpstr (m->recipients->pdata[0], ==, "bob@remote.example");

  items = list (f);
  g_assert_cmpuint (items->len, ==, 0);

  /* The bounce is in the provider's local Maildir: an RFC 3464 report to the sender. */
  g_assert_cmpuint (maildir_count (f), ==, 1);
  dsn = maildir_first (f);
  g_assert_nonnull (strstr (dsn, "To: <alice@example.org>\n"));
  g_assert_nonnull (strstr (dsn, "Content-Type: multipart/report; report-type=delivery-status;"));
  g_assert_nonnull (strstr (dsn, "Content-Type: message/delivery-status\n"));
  g_assert_nonnull (strstr (dsn, "Final-Recipient: rfc822; nobody@remote.example\n"));
  g_assert_nonnull (strstr (dsn, "Action: failed\n"));
  g_assert_nonnull (strstr (dsn, "Status: 5.1.1\n"));
  /* The relay's reply had two lines: both, on one line, with no escaped line end. */
  g_assert_nonnull (strstr (dsn, "Diagnostic-Code: smtp; 550-5.1.1 Scripted reply to RCPT "
                                 "550 5.1.1 <nobody@remote.example>: refused by the test\n"));
  g_assert_null (strstr (dsn, "\\x0"));
  g_assert_nonnull (strstr (dsn, "Content-Type: text/rfc822-headers\n"));
  g_assert_nonnull (strstr (dsn, "Subject: Lunch?\n"));
  g_assert_null (strstr (dsn, "bob@remote.example"));
  g_assert_null (strstr (dsn, "\r"));
}

static void
test_refused_whole (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *id1 = queue_one (f);
  g_autofree char *id2 = queue (f, "", bob, "Subject: a bounce of ours\n\nx\n");
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) error = NULL;
  PosteOutboxCounts counts;

  /* A null sender belongs to no provider: it stays. */
  g_assert_true (poste_test_provider_set_faults (f->relay, "submit-mail=554", &error));
  g_assert_true (submit_round (f, &counts, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (counts.bounced, ==, 1);
  g_assert_cmpuint (maildir_count (f), ==, 1);
  items = list (f);
  g_assert_cmpuint (items->len, ==, 1);
  g_assert_cmpstr (((PosteOutboxItem *) items->pdata[0])->id, ==, id2);
}

static void
test_bounce_undeliverable (Fixture       *f,
                           gconstpointer  data)
{
  g_autofree char *id = queue_one (f);
  g_autoptr(PosteOutboxItem) item = NULL;
  g_autoptr(GError) error = NULL;
  PosteOutboxCounts counts;

  /* The local target cannot take the bounce: the message stays, failed, for the user. */
  poste_provider_set_delivery (f->provider, "mda:/bin/false");
  g_assert_true (poste_test_provider_set_faults (f->relay, "submit-data=554", &error));
  g_assert_true (submit_round (f, &counts, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (counts.bounced, ==, 0);
  g_assert_cmpuint (counts.failed, ==, 1);
  item = poste_outbox_lookup (f->outbox, id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (item->state, ==, POSTE_OUTBOX_STATE_FAILED);
  g_assert_nonnull (strstr (item->last_error, "554"));
  g_assert_nonnull (strstr (item->last_error, "bounce"));

  /* Failed messages are never sent again, even on Send now. */
  g_assert_true (poste_test_provider_set_faults (f->relay, NULL, &error));
  g_assert_false (poste_outbox_has_due (f->outbox, f->provider, POSTE_OUTBOX_SUBMIT_FORCE));
}

/* What rounds of submission did, as a fetch round's report holds it and the history shows it:
 * sent, deferred (4xx, still queued), returned (5xx, bounced or failed). */
static void
test_report (Fixture       *f,
             gconstpointer  data)
{
  static const struct {
    const char *faults;
    const char *delivery;
  } rounds[] = {
    { NULL, NULL },                           /* accepted */
    { "submit-end=451", NULL },               /* deferred */
    { "submit-rcpt=550", NULL },              /* bounced */
    { "submit-data=554", "mda:/bin/false" },  /* refused, and the bounce fails too */
  };
  g_autoptr(PosteSessionReport) report = poste_session_report_new ("acme");
  g_autoptr(PosteSessionReport) empty = poste_session_report_new ("acme");
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_null (poste_session_report_describe_outbox (empty));
  for (guint i = 0; i < G_N_ELEMENTS (rounds); i++)
    {
      g_autofree char *id = queue_one (f);
      PosteOutboxCounts counts;

      g_assert_true (poste_test_provider_set_faults (f->relay, rounds[i].faults, &error));
      if (rounds[i].delivery != NULL)
        poste_provider_set_delivery (f->provider, rounds[i].delivery);
      g_assert_true (submit_round (f, &counts, &error));
      g_assert_no_error (error);
      poste_outbox_counts_add_to_report (&counts, report);
    }
  g_assert_cmpuint (report->submitted, ==, 1);
  g_assert_cmpuint (report->send_deferred, ==, 1);
  g_assert_cmpuint (report->send_returned, ==, 2);
  text = poste_session_report_describe_outbox (report);
  g_assert_cmpstr (text, ==, "1 sent, 1 deferred, 2 returned");
}

static void
test_auth_failed (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *id = queue_one (f);
  g_autoptr(PosteOutboxItem) item = NULL;
  g_autoptr(GError) error = NULL;
  PosteOutboxCounts counts;

  g_assert_false (submit (f, "wrong", POSTE_OUTBOX_SUBMIT_NONE, &counts, &error));
  g_assert_error (error, POSTE_SESSION_ERROR, POSTE_SESSION_ERROR_AUTH_FAILED);
  g_clear_error (&error);
  item = poste_outbox_lookup (f->outbox, id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (item->state, ==, POSTE_OUTBOX_STATE_QUEUED);
  g_assert_cmpuint (item->attempts, ==, 0);
}

static void
test_untrusted (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *id = queue_one (f);
  g_autoptr(GPtrArray) accepted = NULL;
  g_autoptr(GError) error = NULL;
  PosteOutboxCounts counts;

  /* The provider's verification settings hold for its relay too. */
  poste_provider_set_ca_file (f->provider, NULL);
  g_assert_false (submit_round (f, &counts, &error));
  g_assert_error (error, POSTE_SESSION_ERROR, POSTE_SESSION_ERROR_CERTIFICATE);
  accepted = poste_test_provider_dup_accepted (f->relay);
  g_assert_cmpuint (accepted->len, ==, 0);
}

static void
test_no_submission (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *id = queue_one (f);
  g_autoptr(GError) error = NULL;
  PosteOutboxCounts counts;

  poste_provider_set_submission (f->provider, NULL);
  g_assert_false (submit_round (f, &counts, &error));
  g_assert_error (error, POSTE_OUTBOX_ERROR, POSTE_OUTBOX_ERROR_NO_SUBMISSION);
}

static void
test_async (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *id = queue_one (f);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) transcript = NULL;
  g_autoptr(GError) error = NULL;
  PosteOutboxCounts counts;
  gboolean found_data = FALSE;

  poste_outbox_submit_async (f->outbox, f->provider, PASSWORD, POSTE_OUTBOX_SUBMIT_NONE, NULL,
                             poste_test_store_result, &result);
  poste_test_await_result (&result);
  g_assert_true (poste_outbox_submit_finish (f->outbox, result, &counts, &transcript, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (counts.submitted, ==, 1);
  for (guint i = 0; i < transcript->len; i++)
    found_data |= g_str_equal (transcript->pdata[i], "C: DATA");
  g_assert_true (found_data);
}

static void
test_belongs (void)
{
  g_autoptr(PosteProvider) provider = poste_provider_new ("p");
  const char *mixed[] = { "Example.org", "xn--caf-dma.example", NULL };

  poste_provider_set_domains (provider, mixed);
  g_assert_true (poste_outbox_sender_belongs (provider, "a@example.ORG"));
  g_assert_true (poste_outbox_sender_belongs (provider, "a@caf\xc3\xa9.example"));
  g_assert_false (poste_outbox_sender_belongs (provider, "a@sub.example.org"));
  g_assert_false (poste_outbox_sender_belongs (provider, "a@example.org.evil"));
  g_assert_false (poste_outbox_sender_belongs (provider, ""));
  g_assert_false (poste_outbox_sender_belongs (provider, "example.org"));
}

int
main (int   argc,
      char *argv[])
{
  poste_test_init (&argc, &argv);

  g_test_add_func ("/outbox/submit/belongs", test_belongs);
#define ADD(path, func) \
  g_test_add ("/outbox/submit/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("accepted", test_submit);
  ADD ("deferred", test_deferred);
  ADD ("bounced", test_bounced);
  ADD ("refused-whole", test_refused_whole);
  ADD ("bounce-undeliverable", test_bounce_undeliverable);
  ADD ("report", test_report);
  ADD ("auth-failed", test_auth_failed);
  ADD ("untrusted", test_untrusted);
  ADD ("no-submission", test_no_submission);
  ADD ("async", test_async);
#undef ADD
  return g_test_run ();
}
