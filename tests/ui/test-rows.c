/* test-rows.c: the main window's and the editor's row widgets, each on its own, under Xvfb
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each row is built from its properties alone, with no application: what it shows for them,
 * that each property notifies once per real change (as GNOME Console's tests check), and that
 * the row is finalized once dropped. The windows that hold them are tested in test-window,
 * test-fetch and test-editor.
 */
#include "config.h"

#include <poste-maildir-delivery.h>

#include "poste-test.h"
#include "poste-ui-test.h"
#include "poste-history-row.h"
#include "poste-provider-row.h"
#include "poste-session-row.h"

/* The one widget of @type under @root with @css_class, or named (its accessible label). */
static GtkWidget *
find_child (GtkWidget  *root,
            GType       type,
            const char *css_class)
{
  g_autoptr(GPtrArray) found = poste_ui_test_find_descendants (root, type);
  GtkWidget *child = NULL;

  for (guint i = 0; i < found->len; i++)
    {
      GtkWidget *widget = g_ptr_array_index (found, i);
      g_autofree char *label = poste_ui_test_accessible_property (widget, GTK_ACCESSIBLE_PROPERTY_LABEL);

      if (css_class != NULL ? gtk_widget_has_css_class (widget, css_class) : label != NULL)
        {
          g_assert_null (child);
          child = widget;
        }
    }
  g_assert_nonnull (child);
  return child;
}

/* A provider's row shows what its properties say, and each property notifies once per change
 * and not at all when set to what it already is. */
static void
test_rows_provider (void)
{
  g_autoptr(PosteProvider) provider = poste_provider_new ("acme");
  g_autoptr(PosteProvider) renamed = poste_provider_new ("acme");
  g_autoptr(PosteSessionReport) report = poste_session_report_new ("acme");
  g_autoptr(PosteSessionReport) copy = NULL;
  PosteProviderRow *row;
  guint n_provider, n_report, n_schedule, n_running;

  poste_provider_set_host (provider, "odmr.acme.example");
  poste_provider_set_host (renamed, "odmr.acme.example");
  poste_provider_set_label (renamed, "ACME Mail");
  row = POSTE_PROVIDER_ROW (g_object_ref_sink (poste_provider_row_new (provider)));
  poste_ui_test_count_notify (row, "provider", &n_provider);
  poste_ui_test_count_notify (row, "report", &n_report);
  poste_ui_test_count_notify (row, "schedule", &n_schedule);
  poste_ui_test_count_notify (row, "running", &n_running);

  g_assert_true (poste_provider_row_get_provider (row) == provider);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "acme");
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==,
                   "odmr.acme.example · all of the account’s domains\nNot fetched yet");
  g_assert_false (gtk_widget_get_visible (find_child (GTK_WIDGET (row), GTK_TYPE_IMAGE, NULL)));

  poste_provider_row_set_provider (row, provider);
  g_assert_cmpuint (n_provider, ==, 0);
  poste_provider_row_set_provider (row, renamed);
  g_assert_cmpuint (n_provider, ==, 1);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "ACME Mail");

  poste_provider_row_set_schedule (row, "Next at 14:05");
  poste_provider_row_set_schedule (row, "Next at 14:05");
  g_assert_cmpuint (n_schedule, ==, 1);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (find_child (GTK_WIDGET (row), GTK_TYPE_LABEL, "caption"))), ==,
                   "Next at 14:05");

  poste_provider_row_set_running (row, TRUE);
  poste_provider_row_set_running (row, TRUE);
  g_assert_cmpuint (n_running, ==, 1);
  g_assert_true (gtk_widget_get_visible (find_child (GTK_WIDGET (row), GTK_TYPE_SPINNER, NULL)));
  poste_provider_row_set_running (row, FALSE);
  g_assert_cmpuint (n_running, ==, 2);
  g_assert_false (gtk_widget_get_visible (find_child (GTK_WIDGET (row), GTK_TYPE_SPINNER, NULL)));

  /* A report, then a copy of it (the application keeps a copy of each): one change. */
  report->outcome = POSTE_SESSION_OUTCOME_MAIL;
  report->messages = 2;
  report->bytes = 2000;
  report->started = g_date_time_new_now_utc ();
  copy = poste_session_report_copy (report);
  poste_provider_row_set_report (row, report);
  poste_provider_row_set_report (row, copy);
  g_assert_cmpuint (n_report, ==, 1);
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "\nLast fetch "));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "2 messages,"));
  g_assert_true (gtk_widget_get_visible (find_child (GTK_WIDGET (row), GTK_TYPE_IMAGE, NULL)));
  poste_provider_row_set_report (row, NULL);
  g_assert_cmpuint (n_report, ==, 2);
  g_assert_false (gtk_widget_get_visible (find_child (GTK_WIDGET (row), GTK_TYPE_IMAGE, NULL)));

  g_assert_finalize_object (row);
}

/* A record of the history: its words, its outcome's icon, and its transcript, which scrolls
 * inside the row when long and can be copied when there is one. */
static void
test_rows_history (void)
{
  g_autoptr(PosteSessionReport) report = poste_session_report_new ("acme");
  PosteHistoryRow *row;

  report->outcome = POSTE_SESSION_OUTCOME_FAILED;
  report->error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "Timed out");
  report->started = g_date_time_new_now_utc ();

  /* No transcript: said so, and nothing to copy. */
  row = POSTE_HISTORY_ROW (g_object_ref_sink (poste_history_row_new (report)));
  g_assert_true (poste_history_row_get_report (row) != report);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "acme: Timed out");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (find_child (GTK_WIDGET (row), GTK_TYPE_LABEL, "monospace"))),
                   ==, "No transcript");
  g_assert_false (gtk_widget_get_visible (find_child (GTK_WIDGET (row), GTK_TYPE_BUTTON, "flat")));
  g_assert_true (gtk_widget_has_css_class (find_child (GTK_WIDGET (row), GTK_TYPE_IMAGE, "warning"), "warning"));
  g_assert_finalize_object (row);

  /* A long one scrolls inside the row, and can be copied. */
  report->transcript = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < 20; i++)
    g_ptr_array_add (report->transcript, g_strdup_printf ("250 line %u", i));
  row = POSTE_HISTORY_ROW (g_object_ref_sink (poste_history_row_new (report)));
  g_assert_true (gtk_widget_get_visible (find_child (GTK_WIDGET (row), GTK_TYPE_BUTTON, "flat")));
  g_assert_true (g_str_has_prefix (gtk_label_get_text (GTK_LABEL (find_child (GTK_WIDGET (row), GTK_TYPE_LABEL,
                                                                              "monospace"))),
                                   "250 line 0\n250 line 1\n"));
  g_assert_nonnull (gtk_widget_get_ancestor (find_child (GTK_WIDGET (row), GTK_TYPE_LABEL, "monospace"),
                                             GTK_TYPE_SCROLLED_WINDOW));
  g_assert_finalize_object (row);
}

/* A running session's row: who it fetches from, its phase and counts, and a Stop button named
 * for the provider; once dropped, it is freed and no longer listens to the session. */
static void
test_rows_session (void)
{
  g_autoptr(PosteProvider) provider = poste_provider_new ("acme");
  g_autofree char *maildir = g_build_filename (g_get_tmp_dir (), "session-row", NULL);
  g_autoptr(PosteDelivery) delivery = poste_maildir_delivery_new (maildir);
  g_autoptr(PosteSession) session = NULL;
  g_autofree char *stop_name = NULL;
  PosteSessionRow *row;
  GtkWidget *stop;
  guint notify_id;

  poste_provider_set_host (provider, "odmr.acme.example");
  session = poste_session_new (provider, NULL, delivery);
  row = POSTE_SESSION_ROW (g_object_ref_sink (poste_session_row_new (session)));
  g_assert_true (poste_session_row_get_session (row) == session);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (find_child (GTK_WIDGET (row), GTK_TYPE_LABEL, "heading"))),
                   ==, "Fetching from acme");
  g_assert_true (g_str_has_prefix (gtk_label_get_text (GTK_LABEL (find_child (GTK_WIDGET (row), GTK_TYPE_LABEL,
                                                                              "dim-label"))),
                                   "Starting · 0 messages, "));
  stop = find_child (GTK_WIDGET (row), GTK_TYPE_BUTTON, "destructive-action");
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (stop)), ==, "app.stop");
  g_assert_cmpstr (g_variant_get_string (gtk_actionable_get_action_target_value (GTK_ACTIONABLE (stop)), NULL),
                   ==, "acme");
  stop_name = poste_ui_test_accessible_property (stop, GTK_ACCESSIBLE_PROPERTY_LABEL);
  g_assert_cmpstr (stop_name, ==, "Stop fetching from acme");

  notify_id = g_signal_lookup ("notify", G_TYPE_OBJECT);
  g_assert_true (g_signal_has_handler_pending (session, notify_id, g_quark_from_static_string ("state"), FALSE));
  g_assert_finalize_object (row);
  g_assert_false (g_signal_has_handler_pending (session, notify_id, g_quark_from_static_string ("state"), FALSE));
}

int
main (int   argc,
      char *argv[])
{
  poste_ui_test_init (&argc, &argv, "test-rows");
  adw_init ();

  g_test_add_func ("/ui/rows/provider", test_rows_provider);
  g_test_add_func ("/ui/rows/history", test_rows_history);
  g_test_add_func ("/ui/rows/session", test_rows_session);

  return g_test_run ();
}
