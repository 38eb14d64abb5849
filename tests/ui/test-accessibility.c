/* test-accessibility.c: every window and dialog as a screen reader finds it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Walks each of our windows and dialogs, in the states that matter (providers listed, a session
 * running, the history with each outcome, a field in error, a certificate to trust, a queued
 * message), through GTK's accessible API with its test backend (GTK_A11Y=test), and computes
 * each widget's name the way GTK 4.8 hands it to AT-SPI (poste_ui_test_accessible_name()).
 * It fails on:
 * - an actionable widget (button, switch, field, combo, tab, focusable row) with no name, a name
 *   holding a mnemonic "_", a name that says the same words twice, or a description that only
 *   repeats the name;
 * - an image in the tree that is unnamed (AT-SPI shows its type name, "GtkImage") or named with
 *   an internal keyword such as "no-mail";
 * and checks the states and relations: expander rows expanded or not, an invalid field and the
 * message that describes it, the progress bar's value text and the live status line.
 *
 * The About and Keyboard Shortcuts windows are libadwaita's and GTK's own and are not walked.
 */
#include "config.h"

#include <glib/gstdio.h>

#include <poste-history.h>
#include <poste-maildir-delivery.h>
#include <poste-outbox.h>
#include <poste-session.h>

#include "poste-test.h"
#include "poste-test-cert.h"
#include "poste-ui-test.h"
#include "poste-application.h"
#include "poste-config.h"
#include "poste-outbox-view.h"
#include "poste-preferences-window.h"
#include "poste-provider-dialog.h"
#include "poste-trust-dialog.h"
#include "poste-window.h"

static PosteApplication *app;
static PosteSession *running_session;

static const GtkAccessibleRole actionable_roles[] = {
  GTK_ACCESSIBLE_ROLE_BUTTON, GTK_ACCESSIBLE_ROLE_CHECKBOX,
  GTK_ACCESSIBLE_ROLE_SWITCH, GTK_ACCESSIBLE_ROLE_SPIN_BUTTON, GTK_ACCESSIBLE_ROLE_TEXT_BOX,
  GTK_ACCESSIBLE_ROLE_SEARCH_BOX, GTK_ACCESSIBLE_ROLE_COMBO_BOX, GTK_ACCESSIBLE_ROLE_SLIDER,
  GTK_ACCESSIBLE_ROLE_LINK, GTK_ACCESSIBLE_ROLE_RADIO, GTK_ACCESSIBLE_ROLE_TAB,
  GTK_ACCESSIBLE_ROLE_MENU_ITEM,
};

/* Whether AT-SPI lists @widget: it and its ancestors are visible and not hidden, and its role
 * is not none or presentation. */
static gboolean
is_presented (GtkWidget *widget)
{
  GtkAccessibleRole role = gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (widget));

  if (role == GTK_ACCESSIBLE_ROLE_NONE || role == GTK_ACCESSIBLE_ROLE_PRESENTATION)
    return FALSE;
  for (GtkWidget *w = widget; w != NULL; w = gtk_widget_get_parent (w))
    if (!gtk_widget_get_visible (w) ||
        poste_ui_test_accessible_state_is (w, GTK_ACCESSIBLE_STATE_HIDDEN, TRUE))
      return FALSE;
  return TRUE;
}

static gboolean
is_actionable (GtkWidget *widget)
{
  GtkAccessibleRole role = gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (widget));

  for (guint i = 0; i < G_N_ELEMENTS (actionable_roles); i++)
    if (role == actionable_roles[i])
      return TRUE;

  /* A row that takes the focus is a stop for the keyboard and a screen reader; one inside a
   * widget that keeps the focus from its children (a combo row's display of its value) is not. */
  if ((role != GTK_ACCESSIBLE_ROLE_LIST_ITEM && role != GTK_ACCESSIBLE_ROLE_ROW) ||
      !gtk_widget_get_focusable (widget))
    return FALSE;
  for (GtkWidget *w = widget; w != NULL; w = gtk_widget_get_parent (w))
    if (!gtk_widget_get_can_focus (w))
      return FALSE;
  return TRUE;
}

/* "Add Add", "Cancel Cancel": the same words twice. */
static gboolean
says_it_twice (const char *name)
{
  g_auto(GStrv) words = g_strsplit (name, " ", -1);
  guint n = g_strv_length (words);

  if (n == 0 || n % 2 != 0)
    return FALSE;
  for (guint i = 0; i < n / 2; i++)
    if (g_strcmp0 (words[i], words[i + n / 2]) != 0)
      return FALSE;
  return TRUE;
}

/* A name made for code, not people: lower case, digits and dashes, no spaces. */
static gboolean
is_keyword (const char *name)
{
  return g_regex_match_simple ("^[a-z0-9_-]+$", name, 0, 0) ||
         g_regex_match_simple ("^(Gtk|Adw)[A-Za-z]+$", name, 0, 0);
}

static void
describe (GString    *problems,
          GtkWidget  *widget,
          const char *format,
          ...) G_GNUC_PRINTF (3, 4);

static void
describe (GString    *problems,
          GtkWidget  *widget,
          const char *format,
          ...)
{
  va_list args;

  GtkWidget *child = gtk_widget_get_first_child (widget);
  GtkWidget *grandparent = gtk_widget_get_parent (gtk_widget_get_parent (widget));

  g_string_append_printf (problems, "\n  %s in %s (inside %s, holding %s): ",
                          G_OBJECT_TYPE_NAME (widget),
                          G_OBJECT_TYPE_NAME (gtk_widget_get_root (widget)),
                          grandparent != NULL ? G_OBJECT_TYPE_NAME (grandparent) : "nothing",
                          child != NULL ? G_OBJECT_TYPE_NAME (child) : "nothing");
  va_start (args, format);
  g_string_append_vprintf (problems, format, args);
  va_end (args);
}

/* Walks @window, fails with every problem found at once. Returns how many actionable widgets
 * it checked. */
static guint
assert_window_accessible (GtkWidget *window)
{
  g_autoptr(GPtrArray) widgets = poste_ui_test_find_descendants (window, GTK_TYPE_WIDGET);
  g_autoptr(GString) problems = g_string_new (NULL);
  guint n_actionable = 0;
  guint n_images = 0;

  for (guint i = 0; i < widgets->len; i++)
    {
      GtkWidget *widget = g_ptr_array_index (widgets, i);
      g_autofree char *name = NULL;
      g_autofree char *description = NULL;

      if (!is_presented (widget))
        continue;

      name = poste_ui_test_accessible_name (widget);
      if (GTK_IS_IMAGE (widget))
        {
          n_images++;
          if (name[0] == '\0')
            describe (problems, widget, "an image with no name (shown as its type name)");
          else if (is_keyword (name))
            describe (problems, widget, "an image named with a keyword, “%s”", name);
          continue;
        }
      if (!is_actionable (widget))
        continue;

      n_actionable++;
      description = poste_ui_test_accessible_property (widget, GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
      if (name[0] == '\0')
        describe (problems, widget, "no name");
      else if (strchr (name, '_') != NULL)
        describe (problems, widget, "a mnemonic in the name “%s”", name);
      else if (says_it_twice (name))
        describe (problems, widget, "the name says it twice, “%s”", name);
      if (description != NULL && name[0] != '\0' && g_str_equal (description, name))
        describe (problems, widget, "the description repeats the name “%s”", name);
    }

  g_test_message ("%s: %u actionable widgets, %u images in the tree", G_OBJECT_TYPE_NAME (window),
                  n_actionable, n_images);
  if (problems->len > 0)
    g_error ("%s is not accessible:%s", G_OBJECT_TYPE_NAME (window), problems->str);

  return n_actionable;
}

/* Finds the actionable widget under @root whose name is @name. */
static GtkWidget *
find_named (GtkWidget  *root,
            GType       type,
            const char *name)
{
  g_autoptr(GPtrArray) widgets = poste_ui_test_find_descendants (root, type);

  for (guint i = 0; i < widgets->len; i++)
    {
      g_autofree char *widget_name = poste_ui_test_accessible_name (g_ptr_array_index (widgets, i));

      if (g_str_equal (widget_name, name))
        return g_ptr_array_index (widgets, i);
    }
  return NULL;
}

/* The expander's header: the focusable row inside it that toggles it. */
static GtkWidget *
expander_header (AdwExpanderRow *row)
{
  g_autoptr(GPtrArray) rows = poste_ui_test_find_descendants (GTK_WIDGET (row), ADW_TYPE_ACTION_ROW);

  g_assert_cmpuint (rows->len, >, 0);
  return g_ptr_array_index (rows, 0);
}

static void
assert_expander_state (AdwExpanderRow *row)
{
  GtkWidget *header = expander_header (row);
  g_autofree char *name = poste_ui_test_accessible_name (GTK_WIDGET (row));

  g_assert_cmpstr (name, ==, adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)));
  g_assert_false (adw_expander_row_get_expanded (row));
  g_assert_true (gtk_test_accessible_has_state (GTK_ACCESSIBLE (header), GTK_ACCESSIBLE_STATE_EXPANDED));
  g_assert_true (poste_ui_test_accessible_state_is (header, GTK_ACCESSIBLE_STATE_EXPANDED, FALSE));
  adw_expander_row_set_expanded (row, TRUE);
  g_assert_true (poste_ui_test_accessible_state_is (header, GTK_ACCESSIBLE_STATE_EXPANDED, TRUE));
  adw_expander_row_set_expanded (row, FALSE);
  g_assert_true (poste_ui_test_accessible_state_is (header, GTK_ACCESSIBLE_STATE_EXPANDED, FALSE));
}

static gboolean
window_is_mapped (gpointer data)
{
  GtkWindow *window = poste_ui_test_find_app_window (GTK_APPLICATION (app), GPOINTER_TO_SIZE (data));

  return window != NULL && gtk_widget_get_mapped (GTK_WIDGET (window));
}

static GtkWidget *
open_window (const char *action,
             GVariant   *target,
             GType       type)
{
  g_action_group_activate_action (G_ACTION_GROUP (app), action, target);
  poste_ui_test_iterate_until (window_is_mapped, GSIZE_TO_POINTER (type));
  return GTK_WIDGET (poste_ui_test_find_app_window (GTK_APPLICATION (app), type));
}

static void
add_report (PosteHistory        *history,
            PosteSessionOutcome  outcome,
            guint                messages)
{
  g_autoptr(PosteSessionReport) report = poste_session_report_new ("acme");
  g_autoptr(GError) error = NULL;

  report->started = g_date_time_new_now_utc ();
  report->duration = 1.5;
  report->outcome = outcome;
  report->messages = messages;
  report->bytes = messages * 1024;
  report->transcript = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (report->transcript, g_strdup ("S: 220 odmr.acme.example ESMTP"));
  g_ptr_array_add (report->transcript, g_strdup ("C: EHLO customer.example"));
  if (outcome == POSTE_SESSION_OUTCOME_FAILED)
    report->error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED,
                                         "Connection refused");
  g_assert_true (poste_history_add (history, report, &error));
  g_assert_no_error (error);
}

static void
test_accessibility_startup (void)
{
  g_autofree char *config_path = poste_config_dup_default_path ();
  g_autofree char *config_dir = g_path_get_dirname (config_path);
  g_autofree char *history_dir = poste_history_dup_default_dir ();
  g_autoptr(PosteHistory) history = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *maildir = g_build_filename (g_get_home_dir (), "Maildir", NULL);
  g_autofree char *config = g_strdup_printf ("[provider acme]\n"
                                             "host=odmr.acme.example\n"
                                             "security=starttls\n"
                                             "username=example.org\n"
                                             "domains=example.org\n"
                                             "delivery=maildir:%s\n"
                                             "interval=0\n", maildir);

  g_assert_cmpint (g_mkdir_with_parents (config_dir, 0700), ==, 0);
  g_file_set_contents (config_path, config, -1, &error);
  g_assert_no_error (error);

  /* One session of each outcome, the newest a failure. */
  history = poste_history_new (history_dir);
  add_report (history, POSTE_SESSION_OUTCOME_MAIL, 3);
  add_report (history, POSTE_SESSION_OUTCOME_NO_MAIL, 0);
  add_report (history, POSTE_SESSION_OUTCOME_FAILED, 0);

  app = poste_application_new (APP_ID, G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  g_assert_nonnull (poste_application_get_config (app));
  poste_ui_test_add_system_icons ();
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);
  g_application_activate (G_APPLICATION (app));
  poste_ui_test_wait_for_drawn (GTK_WINDOW (poste_application_get_main_window (app)));
}

static void
test_accessibility_main_window (void)
{
  GtkWidget *window = GTK_WIDGET (poste_application_get_main_window (app));
  g_autoptr(GPtrArray) expanders = poste_ui_test_find_descendants (window, ADW_TYPE_EXPANDER_ROW);
  g_autoptr(GPtrArray) images = poste_ui_test_find_descendants (window, GTK_TYPE_IMAGE);
  g_autoptr(GStrvBuilder) outcomes_builder = g_strv_builder_new ();
  g_auto(GStrv) outcomes = NULL;

  g_assert_cmpuint (assert_window_accessible (window), >, 5);

  /* The row buttons say what they act on. */
  g_assert_nonnull (find_named (window, GTK_TYPE_BUTTON, "Fetch mail from acme now"));
  g_assert_nonnull (find_named (window, GTK_TYPE_BUTTON, "Edit acme"));
  g_assert_nonnull (find_named (window, GTK_TYPE_BUTTON, "Fetch All Now"));

  /* The history: each outcome's icon with a word for people, each row's expanded state, and
   * its transcript in a named row that is not a tab stop of its own. */
  g_assert_cmpuint (expanders->len, ==, 3);
  for (guint i = 0; i < expanders->len; i++)
    {
      AdwExpanderRow *row = g_ptr_array_index (expanders, i);
      g_autoptr(GPtrArray) rows = poste_ui_test_find_descendants (GTK_WIDGET (row), GTK_TYPE_LIST_BOX_ROW);
      gboolean found_transcript = FALSE;

      assert_expander_state (row);
      for (guint j = 0; j < rows->len; j++)
        {
          GtkWidget *inner = g_ptr_array_index (rows, j);
          g_autofree char *name = poste_ui_test_accessible_name (inner);

          if (g_str_equal (name, "Transcript"))
            {
              found_transcript = TRUE;
              g_assert_false (gtk_widget_get_focusable (inner));
            }
        }
      g_assert_true (found_transcript);
    }
  for (guint i = 0; i < images->len; i++)
    {
      GtkWidget *image = g_ptr_array_index (images, i);

      if (gtk_widget_get_ancestor (image, ADW_TYPE_EXPANDER_ROW) != NULL && is_presented (image))
        g_strv_builder_add (outcomes_builder, poste_ui_test_accessible_name (image));
    }
  outcomes = g_strv_builder_end (outcomes_builder);
  g_assert_cmpuint (g_strv_length (outcomes), ==, 3);
  g_assert_true (g_strv_contains ((const char * const *)outcomes, "Mail received"));
  g_assert_true (g_strv_contains ((const char * const *)outcomes, "No mail"));
  g_assert_true (g_strv_contains ((const char * const *)outcomes, "Failed"));
}

static void
test_accessibility_session (void)
{
  GtkWidget *window = GTK_WIDGET (poste_application_get_main_window (app));
  PosteProvider *provider = poste_config_lookup (poste_application_get_config (app), "acme");
  g_autofree char *maildir = g_build_filename (g_get_home_dir (), "Maildir", NULL);
  g_autoptr(PosteDelivery) delivery = poste_maildir_delivery_new (maildir);
  g_autoptr(GPtrArray) bars = NULL;
  g_autoptr(GPtrArray) labels = NULL;
  g_autofree char *value_text = NULL;
  GtkWidget *bar;
  GtkWidget *status = NULL;

  /* A session as the fetch round starts it: the window adds its live row. */
  g_assert_nonnull (provider);
  running_session = poste_session_new (provider, "secret", delivery);
  g_signal_emit_by_name (app, "session-started", running_session);

  bars = poste_ui_test_find_descendants (window, GTK_TYPE_PROGRESS_BAR);
  g_assert_cmpuint (bars->len, ==, 1);
  bar = g_ptr_array_index (bars, 0);
  value_text = poste_ui_test_accessible_property (bar, GTK_ACCESSIBLE_PROPERTY_VALUE_TEXT);
  g_assert_nonnull (value_text);
  g_assert_cmpstr (value_text, !=, "");

  /* The status line is a live status, and describes the bar. */
  labels = poste_ui_test_find_descendants (window, GTK_TYPE_LABEL);
  for (guint i = 0; i < labels->len; i++)
    if (gtk_accessible_get_accessible_role (g_ptr_array_index (labels, i)) == GTK_ACCESSIBLE_ROLE_STATUS)
      {
        g_assert_null (status);
        status = g_ptr_array_index (labels, i);
      }
  g_assert_nonnull (status);
  g_assert_cmpstr (value_text, ==, gtk_label_get_text (GTK_LABEL (status)));
  gtk_test_accessible_assert_relation (GTK_ACCESSIBLE (bar), GTK_ACCESSIBLE_RELATION_DESCRIBED_BY,
                                       status, NULL);

  g_assert_nonnull (find_named (window, GTK_TYPE_BUTTON, "Stop fetching from acme"));
  assert_window_accessible (window);
}

static void
test_accessibility_provider_dialog (void)
{
  GtkWidget *dialog = open_window ("add-provider", NULL, POSTE_TYPE_PROVIDER_DIALOG);
  g_autoptr(GPtrArray) expanders = poste_ui_test_find_descendants (dialog, ADW_TYPE_EXPANDER_ROW);
  g_autoptr(GPtrArray) entries = poste_ui_test_find_descendants (dialog, ADW_TYPE_ENTRY_ROW);
  g_autoptr(GPtrArray) labels = poste_ui_test_find_descendants (dialog, GTK_TYPE_LABEL);
  GtkWidget *name_row = find_named (dialog, ADW_TYPE_ENTRY_ROW, "Name");
  GtkWidget *message = NULL;

  g_assert_cmpuint (assert_window_accessible (dialog), >, 15);
  g_assert_nonnull (find_named (dialog, GTK_TYPE_BUTTON, "Cancel"));
  g_assert_nonnull (find_named (dialog, GTK_TYPE_BUTTON, "Add"));
  g_assert_nonnull (find_named (dialog, GTK_TYPE_BUTTON, "Test Connection"));
  g_assert_nonnull (find_named (dialog, GTK_TYPE_SPIN_BUTTON, "Minutes Between Fetches"));
  g_assert_nonnull (find_named (dialog, GTK_TYPE_TOGGLE_BUTTON, "Monday"));
  g_assert_nonnull (find_named (dialog, GTK_TYPE_SWITCH, "All Day"));
  g_assert_nonnull (find_named (dialog, GTK_TYPE_SWITCH, "Send With Each Fetch"));

  g_assert_cmpuint (expanders->len, ==, 2);
  for (guint i = 0; i < expanders->len; i++)
    assert_expander_state (g_ptr_array_index (expanders, i));

  /* Every field is named by its title. */
  for (guint i = 0; i < entries->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (entries, i);
      g_autofree char *name = poste_ui_test_accessible_name (row);

      g_assert_cmpstr (name, ==, adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)));
    }

  /* An empty name is a field in error, once the user has touched it (not on opening): invalid,
   * and described by the message that says why. */
  for (guint i = 0; i < labels->len; i++)
    if (g_str_equal (gtk_label_get_text (g_ptr_array_index (labels, i)), "Give the provider a name."))
      message = g_ptr_array_index (labels, i);
  g_assert_nonnull (message);
  g_assert_nonnull (name_row);
  g_assert_false (gtk_widget_has_css_class (name_row, "error"));
  gtk_editable_set_text (GTK_EDITABLE (name_row), "x");
  gtk_editable_set_text (GTK_EDITABLE (name_row), "");
  g_assert_true (gtk_widget_has_css_class (name_row, "error"));
  /* Beside the field too: an error icon that says it. */
  {
    g_autoptr(GPtrArray) images = poste_ui_test_find_descendants (name_row, GTK_TYPE_IMAGE);
    gboolean said = FALSE;

    for (guint i = 0; i < images->len; i++)
      said |= gtk_widget_get_visible (g_ptr_array_index (images, i)) &&
              g_strcmp0 (gtk_widget_get_tooltip_text (g_ptr_array_index (images, i)),
                         "Give the provider a name.") == 0;
    g_assert_true (said);
  }
  g_assert_true (poste_ui_test_accessible_state_is (name_row, GTK_ACCESSIBLE_STATE_INVALID,
                                                    GTK_ACCESSIBLE_INVALID_TRUE));
  gtk_test_accessible_assert_relation (GTK_ACCESSIBLE (name_row),
                                       GTK_ACCESSIBLE_RELATION_DESCRIBED_BY, message, NULL);
  /* The message is not a tab stop of its own. */
  g_assert_false (gtk_widget_get_focusable (message) && gtk_label_get_selectable (GTK_LABEL (message)));

  gtk_editable_set_text (GTK_EDITABLE (name_row), "other");
  g_assert_false (gtk_widget_has_css_class (name_row, "error"));
  g_assert_true (poste_ui_test_accessible_state_is (name_row, GTK_ACCESSIBLE_STATE_INVALID,
                                                    GTK_ACCESSIBLE_INVALID_FALSE));
  g_assert_false (gtk_test_accessible_has_relation (GTK_ACCESSIBLE (name_row),
                                                    GTK_ACCESSIBLE_RELATION_DESCRIBED_BY));

  poste_ui_test_destroy_and_finalize (GTK_WINDOW (dialog));

  /* Editing: the Save button is named like the others. */
  dialog = open_window ("edit-provider", g_variant_new_string ("acme"), POSTE_TYPE_PROVIDER_DIALOG);
  assert_window_accessible (dialog);
  g_assert_nonnull (find_named (dialog, GTK_TYPE_BUTTON, "Save"));
  poste_ui_test_destroy_and_finalize (GTK_WINDOW (dialog));
}

static void
test_accessibility_trust_dialog (void)
{
  g_autofree char *dir = g_build_filename (g_get_tmp_dir (), "trust", NULL);
  g_autoptr(PosteTestCert) cert = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *dialog;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  cert = poste_test_cert_new (dir, "odmr.acme.example", POSTE_TEST_CERT_SELF_SIGNED, &error);
  g_assert_no_error (error);

  dialog = poste_trust_dialog_new (GTK_WINDOW (poste_application_get_main_window (app)), "acme",
                                   cert->certificate, NULL);
  gtk_window_present (GTK_WINDOW (dialog));
  poste_ui_test_wait_for_drawn (GTK_WINDOW (dialog));
  assert_window_accessible (dialog);
  g_assert_nonnull (find_named (dialog, GTK_TYPE_BUTTON, "Cancel"));
  g_assert_nonnull (find_named (dialog, GTK_TYPE_BUTTON, "Trust and Pin"));
  poste_ui_test_destroy_and_finalize (GTK_WINDOW (dialog));
}

static void
test_accessibility_preferences (void)
{
  GtkWidget *window = open_window ("preferences", NULL, POSTE_TYPE_PREFERENCES_WINDOW);

  g_assert_cmpuint (assert_window_accessible (window), >=, 3);
  poste_ui_test_destroy_and_finalize (GTK_WINDOW (window));
}

static void
test_accessibility_outbox (void)
{
  g_autofree char *path = g_build_filename (g_get_tmp_dir (), "outbox", NULL);
  g_autoptr(PosteOutbox) outbox = poste_outbox_new (path);
  g_autoptr(GBytes) message = g_bytes_new_static ("Subject: hello\r\n\r\nHello\r\n", 25);
  const char *recipients[] = { "bob@example.net", NULL };
  g_autofree char *id = NULL;
  g_autoptr(GError) error = NULL;
  PosteOutboxView *view;

  /* Empty, then with a message queued. */
  view = poste_outbox_view_new (outbox);
  gtk_window_present (GTK_WINDOW (view));
  poste_ui_test_wait_for_drawn (GTK_WINDOW (view));
  assert_window_accessible (GTK_WIDGET (view));

  id = poste_outbox_enqueue (outbox, "alice@example.org", recipients, message, NULL, NULL, &error);
  g_assert_no_error (error);
  poste_outbox_view_refresh (view);
  assert_window_accessible (GTK_WIDGET (view));
  g_assert_nonnull (find_named (GTK_WIDGET (view), GTK_TYPE_BUTTON, "Remove the message to bob@example.net"));
  poste_ui_test_destroy_and_finalize (GTK_WINDOW (view));
}

static void
test_accessibility_quit (void)
{
  g_clear_object (&running_session);
  g_application_quit (G_APPLICATION (app));
  poste_ui_test_iterate_pending ();
  g_clear_object (&app);
}

int
main (int   argc,
      char *argv[])
{
  poste_ui_test_init (&argc, &argv, "test-accessibility");
  gtk_init ();

  g_test_add_func ("/ui/accessibility/startup", test_accessibility_startup);
  g_test_add_func ("/ui/accessibility/main-window", test_accessibility_main_window);
  g_test_add_func ("/ui/accessibility/session", test_accessibility_session);
  g_test_add_func ("/ui/accessibility/provider-dialog", test_accessibility_provider_dialog);
  g_test_add_func ("/ui/accessibility/trust-dialog", test_accessibility_trust_dialog);
  g_test_add_func ("/ui/accessibility/preferences", test_accessibility_preferences);
  g_test_add_func ("/ui/accessibility/outbox", test_accessibility_outbox);
  g_test_add_func ("/ui/accessibility/quit", test_accessibility_quit);

  return g_test_run ();
}
