/* test-background.c: closing the window does not stop the schedules
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The real application, run by g_application_run() with default settings under Xvfb, against
 * the test provider with a provider fetched every minute. Its first fetch is due at startup;
 * once it has ended the window is closed, the first-time explanation is answered with Keep
 * Fetching, and the test then waits (with a deadline, not a delay) for the next scheduled fetch:
 * it only comes if the application kept running. A second close says nothing more, and Quit
 * ends g_application_run().
 */
#include "config.h"

#include <string.h>

#include "poste-test.h"
#include "poste-test-cert.h"
#include "poste-test-provider.h"
#include "poste-ui-test.h"
#include "poste-application.h"
#include "poste-config.h"
#include "poste-scheduler.h"
#include "poste-session.h"
#include "poste-window.h"

#define USER "acme"
#define PASSWORD "s3cret horse"
/* One scheduled interval (the shortest the configuration takes, 1 minute, with no jitter) and
 * what a fetch to the loopback needs, with room for a loaded machine. */
#define DEADLINE_SECONDS 150

static const char *domains[] = { "example.org", NULL };

typedef struct {
  PosteApplication *app;
  guint             finished;
  guint             finished_without_window;
  gint64            closed_at;
  gint64            second_at;
  gboolean          explained_again;
  guint             rounds_sessions;
} Fixture;

static void
write_config (const char *dir,
              guint16     port,
              const char *ca_file)
{
  g_autofree char *config_path = poste_config_dup_default_path ();
  g_autofree char *config_dir = g_path_get_dirname (config_path);
  g_autofree char *password_file = g_build_filename (dir, "acme.password", NULL);
  g_autofree char *maildir = g_build_filename (dir, "Maildir", NULL);
  g_autoptr(GString) text = g_string_new (NULL);

  g_assert_true (g_file_set_contents_full (password_file, PASSWORD "\n", -1,
                                           G_FILE_SET_CONTENTS_CONSISTENT, 0600, NULL));
  poste_test_append_provider_group (text, USER, port, "example.org", maildir, 1, ca_file,
                                    password_file);
  g_assert_cmpint (g_mkdir_with_parents (config_dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (config_path, text->str, -1, NULL));
}

static AdwMessageDialog *
find_message_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return ADW_MESSAGE_DIALOG (window);
    }

  return NULL;
}

static void
startup_cb (GApplication *application,
            Fixture      *fixture)
{
  /* Exactly one interval after the first fetch: the deadline can then be a tight one. */
  poste_scheduler_set_jitter (poste_application_get_scheduler (fixture->app), 0.0);
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);
}

/* Keep Fetching closes the window once the dialog has gone, without quitting. */
static gboolean
window_closed_cb (gpointer data)
{
  Fixture *fixture = data;

  if (poste_application_get_main_window (fixture->app) != NULL)
    return G_SOURCE_CONTINUE;

  g_assert_null (find_message_dialog ());
  fixture->closed_at = g_get_monotonic_time ();
  return G_SOURCE_REMOVE;
}

static gboolean
close_window_cb (gpointer data)
{
  Fixture *fixture = data;
  PosteWindow *window = poste_application_get_main_window (fixture->app);
  GSettings *settings = poste_application_get_settings (fixture->app);
  AdwMessageDialog *dialog;

  g_assert_true (POSTE_IS_WINDOW (window));
  g_assert_true (poste_application_get_run_in_background (fixture->app));
  g_assert_false (g_settings_get_boolean (settings, "background-explained"));

  /* The first close explains, and keeps the window until the user has read it. */
  gtk_window_close (GTK_WINDOW (window));
  dialog = find_message_dialog ();
  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Fetching Continues in the Background");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "Ctrl+Q"));
  /* No panel here: the way back is the launcher. */
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "launcher"));
  g_assert_true (poste_application_get_main_window (fixture->app) == window);
  g_assert_true (g_settings_get_boolean (settings, "background-explained"));

  adw_message_dialog_response (dialog, "background");
  g_idle_add (window_closed_cb, fixture);

  return G_SOURCE_REMOVE;
}

static gboolean
reopen_and_quit_cb (gpointer data)
{
  Fixture *fixture = data;
  PosteWindow *window;

  /* The launcher activates the running instance: the window comes back. */
  g_application_activate (G_APPLICATION (fixture->app));
  window = poste_application_get_main_window (fixture->app);
  g_assert_true (POSTE_IS_WINDOW (window));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window)));

  /* Told once is enough: the second close just closes. */
  gtk_window_close (GTK_WINDOW (window));
  fixture->explained_again = find_message_dialog () != NULL;
  g_assert_null (poste_application_get_main_window (fixture->app));

  /* Quit (Ctrl+Q, the menu, the tray) ends it. */
  g_action_group_activate_action (G_ACTION_GROUP (fixture->app), "quit", NULL);

  return G_SOURCE_REMOVE;
}

static void
session_finished_cb (PosteApplication         *application,
                     PosteSession             *session,
                     const PosteSessionReport *report,
                     Fixture                  *fixture)
{
  fixture->finished++;
  fixture->rounds_sessions += report->sessions->len;
  /* The first fetch collects the message held; the provider has nothing more for the second. */
  g_assert_cmpint (report->outcome, ==, fixture->finished == 1 ? POSTE_SESSION_OUTCOME_MAIL
                                                               : POSTE_SESSION_OUTCOME_NO_MAIL);
  if (poste_application_get_main_window (application) == NULL)
    fixture->finished_without_window++;

  if (fixture->finished == 1)
    g_idle_add (close_window_cb, fixture);
  else if (fixture->finished == 2)
    {
      fixture->second_at = g_get_monotonic_time ();
      g_idle_add (reopen_and_quit_cb, fixture);
    }
}

static gboolean
deadline_cb (gpointer data)
{
  Fixture *fixture = data;

  g_error ("%u fetches finished within %u seconds, 2 expected", fixture->finished, DEADLINE_SECONDS);
  return G_SOURCE_REMOVE;
}

static void
test_background_close (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosteTestCert) cert = NULL;
  g_autoptr(PosteTestProvider) provider = NULL;
  g_autofree char *dir = poste_test_make_dir ("background");
  Fixture fixture = { 0 };
  guint16 port;
  guint deadline;
  int status;

  cert = poste_test_cert_new (dir, "provider.test", POSTE_TEST_CERT_NONE, &error);
  g_assert_no_error (error);
  provider = poste_test_provider_new_holding_one (cert->certificate, USER, PASSWORD, domains);
  port = poste_test_provider_start (provider, &error);
  g_assert_no_error (error);
  write_config (dir, port, cert->ca_file);

  fixture.app = poste_application_new (APP_ID, G_APPLICATION_NON_UNIQUE);
  g_signal_connect_after (fixture.app, "startup", G_CALLBACK (startup_cb), &fixture);
  g_signal_connect (fixture.app, "session-finished", G_CALLBACK (session_finished_cb), &fixture);
  deadline = g_timeout_add_seconds (DEADLINE_SECONDS, deadline_cb, &fixture);

  /* Returns when the application quits, not when its last window closes. */
  status = g_application_run (G_APPLICATION (fixture.app), 0, NULL);
  g_source_remove (deadline);

  g_assert_cmpint (status, ==, 0);
  g_assert_cmpuint (fixture.finished, ==, 2);
  /* The second fetch came from the schedule, with no window open, a minute after the first. */
  g_assert_cmpuint (fixture.finished_without_window, ==, 1);
  g_assert_cmpint (fixture.closed_at, >, 0);
  g_assert_cmpint (fixture.second_at, >, fixture.closed_at);
  /* And both rounds reached the provider: every session they report is one it served (the first
   * round drains it in two, the scheduled one finds it empty). The provider counts a session
   * once its thread has finished, which may come a little after the round ended. */
  g_assert_cmpuint (fixture.rounds_sessions, ==, 3);
  g_assert_true (poste_test_provider_wait_sessions (provider, fixture.rounds_sessions, 30));
  g_assert_cmpuint (poste_test_provider_get_sessions (provider), ==, fixture.rounds_sessions);
  g_assert_false (fixture.explained_again);
  g_assert_null (gtk_application_get_windows (GTK_APPLICATION (fixture.app)));

  poste_test_provider_stop (provider);
  g_clear_object (&fixture.app);
}

int
main (int   argc,
      char *argv[])
{
  poste_ui_test_init (&argc, &argv, "test-background");

  g_test_add_func ("/ui/background/close", test_background_close);

  return g_test_run ();
}
