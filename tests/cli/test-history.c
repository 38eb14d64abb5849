/* test-history.c: session records: round trip, newest first, bounds, redaction
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "poste-test.h"
#include "poste-error.h"
#include "poste-history.h"
#include "poste-session.h"

static PosteSessionReport *
make_report (const char *provider,
             gint64      unix_seconds,
             guint       messages)
{
  PosteSessionReport *report = poste_session_report_new (provider);

  g_clear_pointer (&report->started, g_date_time_unref);
  report->started = g_date_time_new_from_unix_utc (unix_seconds);
  report->duration = 0.75;
  report->outcome = messages > 0 ? POSTE_SESSION_OUTCOME_MAIL : POSTE_SESSION_OUTCOME_NO_MAIL;
  report->messages = messages;
  report->bytes = messages * 1000;
  report->tls = g_strdup ("TLS 1.3 / AES-256-GCM");
  report->mechanism = g_strdup ("SCRAM-SHA-256");
  g_ptr_array_add (report->transcript, g_strdup ("S: 220 odmr.example ESMTP"));
  g_ptr_array_add (report->transcript, g_strdup ("C: EHLO customer.example"));
  return report;
}

static void
test_round_trip (void)
{
  g_autofree char *dir = poste_test_make_dir ("history");
  g_autoptr(PosteHistory) history = poste_history_new (dir);
  g_autoptr(PosteSessionReport) report = make_report ("acme", 1700000000, 3);
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  PosteSessionReport *back;
  GStatBuf st;

  report->outcome = POSTE_SESSION_OUTCOME_FAILED;
  report->error = g_error_new_literal (POSTE_SESSION_ERROR, POSTE_SESSION_ERROR_AUTH_FAILED,
                                       "535 5.7.8 authentication failed");
  report->refused = 1;
  report->submitted = 2;
  g_assert_true (poste_history_add (history, report, &error));
  g_assert_no_error (error);

  g_assert_cmpint (g_stat (dir, &st), ==, 0);
  list = poste_history_list (history, NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 1);
  back = list->pdata[0];
  g_assert_cmpstr (back->provider, ==, "acme");
  g_assert_cmpint (g_date_time_to_unix (back->started), ==, 1700000000);
  g_assert_cmpfloat (back->duration, ==, 0.75);
  g_assert_cmpint (back->outcome, ==, POSTE_SESSION_OUTCOME_FAILED);
  g_assert_error (back->error, POSTE_SESSION_ERROR, POSTE_SESSION_ERROR_AUTH_FAILED);
  g_assert_cmpstr (back->error->message, ==, "535 5.7.8 authentication failed");
  g_assert_cmpint (poste_exit_status_for_error (back->error), ==, POSTE_EXIT_AUTH);
  g_assert_cmpuint (back->messages, ==, 3);
  g_assert_cmpuint (back->refused, ==, 1);
  g_assert_cmpuint (back->bytes, ==, 3000);
  g_assert_cmpuint (back->submitted, ==, 2);
  g_assert_cmpstr (back->tls, ==, "TLS 1.3 / AES-256-GCM");
  g_assert_cmpstr (back->mechanism, ==, "SCRAM-SHA-256");
  g_assert_cmpuint (back->transcript->len, ==, 2);
  g_assert_cmpstr (back->transcript->pdata[1], ==, "C: EHLO customer.example");

  /* Files are the user's alone. */
  {
    g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
    const char *name = g_dir_read_name (d);
    g_autofree char *path = g_build_filename (dir, name, NULL);

    g_assert_true (g_str_has_suffix (name, "-acme.json"));
    g_assert_true (g_str_has_prefix (name, "20231114T221320.000000Z-"));
    g_assert_cmpint (g_stat (path, &st), ==, 0);
    g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  }
}

static void
on_added (PosteHistory       *history,
          PosteSessionReport *report,
          guint              *added)
{
  g_assert_nonnull (report->provider);
  (*added)++;
}

static void
test_order_and_bound (void)
{
  g_autofree char *dir = poste_test_make_dir ("history");
  g_autoptr(PosteHistory) history = poste_history_new (dir);
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  guint added = 0;

  poste_history_set_max_records (history, 5);
  g_signal_connect (history, "added", G_CALLBACK (on_added), &added);
  /* Out of order on purpose: the history sorts by the session's start. */
  for (guint i = 0; i < 8; i++)
    {
      g_autoptr(PosteSessionReport) report =
        make_report (i % 2 ? "odd" : "even", 1700000000 + ((i * 5) % 8) * 60, i);

      g_assert_true (poste_history_add (history, report, &error));
      g_assert_no_error (error);
    }
  g_assert_cmpuint (added, ==, 8);

  list = poste_history_list (history, NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 5);
  for (guint i = 1; i < list->len; i++)
    {
      PosteSessionReport *newer = list->pdata[i - 1];
      PosteSessionReport *older = list->pdata[i];

      g_assert_cmpint (g_date_time_compare (newer->started, older->started), >, 0);
    }
  /* The five newest starts are minutes 7..3. */
  g_assert_cmpint (g_date_time_to_unix (((PosteSessionReport *) list->pdata[0])->started), ==,
                   1700000000 + 7 * 60);
  g_assert_cmpint (g_date_time_to_unix (((PosteSessionReport *) list->pdata[4])->started), ==,
                   1700000000 + 3 * 60);
  g_clear_pointer (&list, g_ptr_array_unref);

  list = poste_history_list (history, "odd", 0, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < list->len; i++)
    g_assert_cmpstr (((PosteSessionReport *) list->pdata[i])->provider, ==, "odd");
  g_clear_pointer (&list, g_ptr_array_unref);

  list = poste_history_list (history, NULL, 2, &error);
  g_assert_cmpuint (list->len, ==, 2);
  g_clear_pointer (&list, g_ptr_array_unref);

  g_assert_true (poste_history_clear (history, &error));
  list = poste_history_list (history, NULL, 0, &error);
  g_assert_cmpuint (list->len, ==, 0);
}

static void
test_transcript_bounds (void)
{
  g_autofree char *dir = poste_test_make_dir ("history");
  g_autoptr(PosteHistory) history = poste_history_new (dir);
  g_autoptr(PosteSessionReport) report = make_report ("big", 1700000000, 1);
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *long_line = g_strnfill (5000, 'x');
  PosteSessionReport *back;
  gsize total = 0;

  g_ptr_array_set_size (report->transcript, 0);
  for (guint i = 0; i < 50000; i++)
    g_ptr_array_add (report->transcript, g_strdup_printf ("S: 250 line %u", i));
  g_ptr_array_add (report->transcript, g_strdup (long_line));
  g_ptr_array_add (report->transcript, g_strdup ("S: 221 bye\x01"));
  g_assert_true (poste_history_add (history, report, &error));

  list = poste_history_list (history, NULL, 0, &error);
  g_assert_no_error (error);
  back = list->pdata[0];
  g_assert_cmpuint (back->transcript->len, <=, POSTE_HISTORY_MAX_TRANSCRIPT_LINES);
  for (guint i = 0; i < back->transcript->len; i++)
    {
      const char *line = back->transcript->pdata[i];

      g_assert_cmpuint (strlen (line), <=, POSTE_HISTORY_MAX_LINE_LENGTH + 3);
      total += strlen (line) + 1;
    }
  g_assert_cmpuint (total, <=, POSTE_HISTORY_MAX_TRANSCRIPT_BYTES);
  /* The beginning and the end are there, the middle is marked as left out. */
  g_assert_cmpstr (back->transcript->pdata[0], ==, "S: 250 line 0");
  g_assert_cmpstr (back->transcript->pdata[back->transcript->len - 1], ==, "S: 221 bye\\x01");
  {
    gboolean marked = FALSE;

    for (guint i = 0; i < back->transcript->len; i++)
      marked |= g_str_has_suffix (back->transcript->pdata[i], "lines left out]");
    g_assert_true (marked);
  }
}

static void
test_redaction (void)
{
  g_autoptr(GPtrArray) transcript = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) bounded = NULL;

  g_ptr_array_add (transcript, g_strdup ("C: AUTH PLAIN AGFsaWNlAHNlY3JldA=="));
  g_ptr_array_add (transcript, g_strdup ("S: 235 ok"));
  g_ptr_array_add (transcript, g_strdup ("C: AUTH CRAM-MD5"));
  g_ptr_array_add (transcript, g_strdup ("S: 334 PDEyMzQ1QGV4YW1wbGU+"));
  g_ptr_array_add (transcript, g_strdup ("C: dXNlciBhYmNkZWY="));
  g_ptr_array_add (transcript, g_strdup ("S: 235 ok"));
  g_ptr_array_add (transcript, g_strdup ("C: ATRN example.org"));
  bounded = poste_history_bound_transcript (transcript);
  g_assert_cmpstr (bounded->pdata[0], ==, "C: AUTH PLAIN ********");
  g_assert_cmpstr (bounded->pdata[2], ==, "C: AUTH CRAM-MD5");
  g_assert_cmpstr (bounded->pdata[4], ==, "C: ********");
  g_assert_cmpstr (bounded->pdata[6], ==, "C: ATRN example.org");
}

static void
test_damaged (void)
{
  g_autofree char *dir = poste_test_make_dir ("history");
  g_autofree char *bad = g_build_filename (dir, "20990101T000000.000000Z-00000000-x.json", NULL);
  g_autoptr(PosteHistory) history = poste_history_new (dir);
  g_autoptr(PosteSessionReport) report = make_report ("good", 1700000000, 0);
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (poste_history_add (history, report, &error));
  g_assert_true (g_file_set_contents (bad, "{\"version\": 1, \"provider\": 7}", -1, NULL));
  list = poste_history_list (history, NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpstr (((PosteSessionReport *) list->pdata[0])->provider, ==, "good");

  g_assert_null (poste_session_report_from_json ("[]", -1, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
}

static void
test_missing_dir (void)
{
  g_autofree char *dir = poste_test_make_dir ("history");
  g_autofree char *missing = g_build_filename (dir, "not-yet", NULL);
  g_autoptr(PosteHistory) history = poste_history_new (missing);
  g_autoptr(PosteHistory) default_history = poste_history_new (NULL);
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = g_build_filename (g_get_user_state_dir (), "poste-restante", "history", NULL);

  list = poste_history_list (history, NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 0);
  g_assert_cmpstr (poste_history_get_dir (default_history), ==, expected);
}

/* ETRN's "delivery started" and a message returned to its sender, with its reason, read back
 * from the history as they were. */
static void
test_started_and_returned (void)
{
  g_autofree char *dir = poste_test_make_dir ("history");
  g_autoptr(PosteHistory) history = poste_history_new (dir);
  g_autoptr(PosteSessionReport) started = make_report ("fixed", 1700000000, 0);
  g_autoptr(PosteSessionReport) refused = make_report ("acme", 1700000100, 0);
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *reason = NULL;

  started->outcome = POSTE_SESSION_OUTCOME_STARTED;
  refused->outcome = POSTE_SESSION_OUTCOME_NO_MAIL;
  refused->refused = refused->returned = 1;
  g_ptr_array_add (refused->transcript,
                   g_strdup ("*  returned to the sender by the provider: 550 5.1.1 No such user"));
  g_assert_true (poste_history_add (history, started, &error));
  g_assert_true (poste_history_add (history, refused, &error));
  g_assert_no_error (error);

  list = poste_history_list (history, NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 2);
  for (guint i = 0; i < list->len; i++)
    {
      PosteSessionReport *back = list->pdata[i];

      if (g_str_equal (back->provider, "fixed"))
        {
          g_assert_cmpint (back->outcome, ==, POSTE_SESSION_OUTCOME_STARTED);
          g_assert_cmpint (poste_session_report_get_exit_status (back), ==, POSTE_EXIT_MAIL);
        }
      else
        {
          g_assert_cmpuint (back->returned, ==, 1);
          g_assert_cmpuint (back->deferred, ==, 0);
          g_clear_pointer (&reason, g_free);
          reason = poste_session_report_dup_returned_reason (back);
          g_assert_cmpstr (reason, ==, "550 5.1.1 No such user");
          g_assert_cmpint (poste_session_report_get_exit_status (back), ==, POSTE_EXIT_DELIVERY);
        }
    }
}

int
main (int   argc,
      char *argv[])
{
  poste_test_init (&argc, &argv);

  g_test_add_func ("/history/round-trip", test_round_trip);
  g_test_add_func ("/history/started-and-returned", test_started_and_returned);
  g_test_add_func ("/history/order-and-bound", test_order_and_bound);
  g_test_add_func ("/history/transcript-bounds", test_transcript_bounds);
  g_test_add_func ("/history/redaction", test_redaction);
  g_test_add_func ("/history/damaged", test_damaged);
  g_test_add_func ("/history/missing-dir", test_missing_dir);

  return g_test_run ();
}
