/* test-fetch.c: the whole application against the test provider, under Xvfb
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Drives the real actions the way a user does: adds a provider through the editor (Test
 * Connection included), fetches with Fetch now, watches the live session and stops it, fetches
 * again, and checks that the provider list and the history update and that the mail is in the
 * Maildir. Then a provider with a self-signed certificate: Test Connection shows the trust
 * dialog, and Accept pins the certificate in the configuration file. Each view is saved as a
 * screenshot in <build>/tests/ui/screenshots, to look at when a test fails (the metainfo's
 * screenshots are taken by tools/screenshots, from the demo with real mail).
 *
 * Longer than our other files, and one program on purpose: its cases run in order against one
 * running application, each starting from the providers, history and keyring the cases before
 * left (the first adds acme, later ones edit, pin, drain and clear it), which a split would
 * have to rebuild in every program. What each case starts from is its fixture (FixtureSetup).
 */
#include "config.h"

#include <glib/gstdio.h>

#include "poste-error.h"
#include "poste-history.h"
#include "poste-outbox.h"
#include "poste-test.h"
#include "poste-test-cert.h"
#include "poste-test-provider.h"
#include "poste-ui-test.h"
#include "poste-application.h"
#include "poste-config.h"
#include "poste-provider-dialog.h"
#include "poste-secrets.h"
#include "poste-window.h"
#include "poste-window-format.h"

#define USER "example.org"
#define PASSWORD "s3cret horse"

static PosteApplication *app;
static char *dir;
/* The application's outbox: its folder is in the first case's private home, like the rest. */
static char *outbox_path;

static const char *domains[] = { "example.org", NULL };
static const char *recipients[] = { "alice@example.org", NULL };

/* Helpers */

static gboolean
window_is_mapped (gpointer data)
{
  GtkWindow *window = poste_ui_test_find_app_window (GTK_APPLICATION (app), GPOINTER_TO_SIZE (data));

  return window != NULL && gtk_widget_get_mapped (GTK_WIDGET (window));
}

static gboolean
dialog_is_gone (gpointer data)
{
  return poste_ui_test_find_app_window (GTK_APPLICATION (app), POSTE_TYPE_PROVIDER_DIALOG) == NULL;
}

/* Adds (or saves) the provider the editor describes: the editor closes, and nothing keeps it
 * alive. */
static void
add_and_close (GtkWidget *dialog)
{
  g_object_ref (dialog);
  g_assert_true (gtk_widget_activate_action (dialog, "provider.add", NULL));
  poste_ui_test_iterate_until (dialog_is_gone, NULL);
  g_assert_finalize_object (dialog);
}

static PosteWindow *
get_main_window (void)
{
  PosteWindow *window = poste_application_get_main_window (app);

  g_assert_true (POSTE_IS_WINDOW (window));
  poste_ui_test_wait_for_drawn (GTK_WINDOW (window));
  return window;
}

/* Presses the button of @dialog's response labelled @label, as the user does: the dialog
 * answers and closes. Returns the reference the caller checks the dialog's end with
 * (g_assert_finalize_object()), once what the response started has run. */
static GtkWindow *
click_response (GtkWindow  *dialog,
                const char *label)
{
  g_autoptr(GPtrArray) buttons = poste_ui_test_find_descendants (GTK_WIDGET (dialog), GTK_TYPE_BUTTON);
  GtkWidget *button = NULL;

  for (guint i = 0; i < buttons->len; i++)
    if (g_strcmp0 (gtk_button_get_label (g_ptr_array_index (buttons, i)), label) == 0)
      button = g_ptr_array_index (buttons, i);
  g_assert_nonnull (button);

  g_object_ref (dialog);
  g_signal_emit_by_name (button, "clicked");
  return dialog;
}

static GtkWidget *
open_editor (PosteWindow *window)
{
  GtkWidget *dialog;

  g_assert_null (poste_ui_test_find_app_window (GTK_APPLICATION (app), POSTE_TYPE_PROVIDER_DIALOG));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "app.add-provider", NULL));
  poste_ui_test_iterate_until (window_is_mapped, GSIZE_TO_POINTER (POSTE_TYPE_PROVIDER_DIALOG));
  dialog = GTK_WIDGET (poste_ui_test_find_app_window (GTK_APPLICATION (app), POSTE_TYPE_PROVIDER_DIALOG));
  poste_ui_test_wait_for_drawn (GTK_WINDOW (dialog));

  return dialog;
}

/* Fills the editor for the test provider on @port. */
static void
fill_editor (GtkWidget  *dialog,
             const char *name,
             guint16     port,
             guint       security,
             const char *ca_file,
             const char *maildir)
{
  g_autofree char *port_text = g_strdup_printf ("%u", port);
  AdwComboRow *schedule_row = ADW_COMBO_ROW (poste_ui_test_find_row (dialog, ADW_TYPE_COMBO_ROW, "Fetch"));
  AdwComboRow *security_row = ADW_COMBO_ROW (poste_ui_test_find_row (dialog, ADW_TYPE_COMBO_ROW, "Encryption"));

  poste_ui_test_set_row_text (dialog, "Name", name);
  poste_ui_test_set_row_text (dialog, "Server", "127.0.0.1");
  poste_ui_test_set_row_text (dialog, "Port", port_text);
  g_assert_nonnull (security_row);
  adw_combo_row_set_selected (security_row, security);
  poste_ui_test_set_row_text (dialog, "User Name", USER);
  poste_ui_test_set_row_text (dialog, "Password", PASSWORD);
  poste_ui_test_set_row_text (dialog, "Domains, separated by commas", "example.org");
  poste_ui_test_set_row_text (dialog, "Folder", maildir);
  if (ca_file != NULL)
    poste_ui_test_set_row_text (dialog, "Trusted Authority (PEM file)", ca_file);

  /* Only when asked: the fetches are the ones this test asks for. */
  g_assert_nonnull (schedule_row);
  adw_combo_row_set_selected (schedule_row, 0);
}

static gboolean
test_finished (gpointer data)
{
  PosteProviderDialog *dialog = data;

  return !poste_provider_dialog_is_testing (dialog) &&
         poste_provider_dialog_get_test_result (dialog) != NULL;
}

/* Presses Test Connection and waits for its result. */
static const PosteCheckResult *
test_connection (GtkWidget *dialog)
{
  g_assert_true (gtk_widget_activate_action (dialog, "provider.test", NULL));
  poste_ui_test_iterate_until (test_finished, dialog);
  return poste_provider_dialog_get_test_result (POSTE_PROVIDER_DIALOG (dialog));
}

/* Scrolls @dialog's page to @fraction of the way down. */
static void
scroll_to (GtkWidget *dialog,
           double     fraction)
{
  g_autoptr(GPtrArray) scrolled = poste_ui_test_find_descendants (dialog, GTK_TYPE_SCROLLED_WINDOW);
  GtkAdjustment *adjustment;

  g_assert_cmpuint (scrolled->len, >=, 1);
  adjustment = gtk_scrolled_window_get_vadjustment (g_ptr_array_index (scrolled, 0));
  gtk_adjustment_set_value (adjustment, fraction * (gtk_adjustment_get_upper (adjustment) -
                                                    gtk_adjustment_get_page_size (adjustment)));
  poste_ui_test_wait_for_drawn (GTK_WINDOW (dialog));
}

/* Twice: what the first scroll brings into view may make the page longer once drawn. */
static void
scroll_to_bottom (GtkWidget *dialog)
{
  scroll_to (dialog, 1.0);
  scroll_to (dialog, 1.0);
}

static void
screenshot (GtkWidget  *widget,
            const char *name)
{
  g_autoptr(GdkTexture) texture = NULL;

  poste_ui_test_wait_for_drawn (GTK_WINDOW (gtk_widget_get_root (widget)));
  texture = poste_ui_test_render_widget (widget);
  g_assert_cmpuint (poste_ui_test_count_colours (texture), >, 100);
  g_free (poste_ui_test_save_screenshot (texture, name));
}

/* The close button of the toast on show, if any. */
static GtkWidget *
find_toast_close (GtkWidget *window)
{
  g_autoptr(GPtrArray) buttons = poste_ui_test_find_descendants (window, GTK_TYPE_BUTTON);

  for (guint i = 0; i < buttons->len; i++)
    {
      GtkWidget *button = g_ptr_array_index (buttons, i);

      for (GtkWidget *parent = gtk_widget_get_parent (button); parent != NULL; parent = gtk_widget_get_parent (parent))
        {
          if (g_str_equal (gtk_widget_get_css_name (parent), "toast") &&
              g_strcmp0 (gtk_button_get_icon_name (GTK_BUTTON (button)), "window-close-symbolic") == 0 &&
              gtk_widget_get_mapped (button))
            return button;
        }
    }

  return NULL;
}

/* Closes the toasts shown and queued, through their own close buttons. */
static void
dismiss_toasts (GtkWidget *window)
{
  GtkWidget *close;

  while ((close = find_toast_close (window)))
    {
      gtk_widget_activate (close);
      poste_ui_test_wait_for_drawn (GTK_WINDOW (window));
    }
}

/* A bar in activity mode: GTK marks its moving block "pulse". */
static gboolean
bar_is_pulsing (GtkProgressBar *bar)
{
  g_autoptr(GPtrArray) parts = poste_ui_test_find_descendants (GTK_WIDGET (bar), GTK_TYPE_WIDGET);

  for (guint i = 0; i < parts->len; i++)
    {
      if (gtk_widget_has_css_class (g_ptr_array_index (parts, i), "pulse"))
        return TRUE;
    }

  return FALSE;
}

static char *
label_texts (GtkWidget *root)
{
  g_autoptr(GPtrArray) labels = poste_ui_test_find_descendants (root, GTK_TYPE_LABEL);
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < labels->len; i++)
    {
      g_string_append (text, gtk_label_get_text (g_ptr_array_index (labels, i)));
      g_string_append_c (text, '\n');
    }

  return g_string_free (text, FALSE);
}

/* Tests */

/* Runs inside the first test case, so that the application's configuration and history live in
 * that case's private home. */
static void
startup (void)
{
  g_autoptr(GError) error = NULL;

  app = poste_application_new (APP_ID, G_APPLICATION_NON_UNIQUE);
  outbox_path = poste_outbox_dup_default_path ();
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  g_assert_nonnull (poste_application_get_scheduler (app));
  g_assert_nonnull (poste_application_get_history (app));
  poste_ui_test_add_system_icons ();

  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);
  g_application_activate (G_APPLICATION (app));
  get_main_window ();
}

typedef struct {
  const char *name;
  guint       messages;
} SessionWait;

static gboolean
session_receiving (gpointer data)
{
  SessionWait *wait = data;
  PosteSession *session = poste_application_get_session (app, wait->name);

  return session != NULL &&
         poste_session_get_state (session) == POSTE_SESSION_STATE_RECEIVING &&
         poste_session_get_messages (session) >= wait->messages;
}

static gboolean
session_gone (gpointer data)
{
  return poste_application_get_session (app, data) == NULL;
}

static gboolean
session_running (gpointer data)
{
  return poste_application_get_session (app, data) != NULL;
}

/* A test provider that holds the configured providers' account, with TLS made for @host; its
 * certificate goes to @cert. Not started yet. */
static PosteTestProvider *
new_provider (const char          *cert_dir,
              const char          *host,
              PosteTestCertFlags   flags,
              PosteTestTls         tls,
              PosteTestCert      **cert)
{
  g_autoptr(GError) error = NULL;
  PosteTestProvider *provider;

  *cert = poste_test_cert_new (cert_dir, host, flags, &error);
  g_assert_no_error (error);
  provider = poste_test_provider_new ();
  poste_test_provider_set_tls (provider, tls, (*cert)->certificate);
  poste_test_provider_add_account (provider, USER, PASSWORD, domains);
  return provider;
}

static void
count_finished (PosteApplication         *application,
                PosteSession             *session,
                const PosteSessionReport *report,
                guint                    *n_finished)
{
  (*n_finished)++;
}

/* What every case starts from: the main window, and for most a folder of the case's own and a
 * test provider that holds the configured providers' account ("provider.test", STARTTLS, a
 * certificate from a CA of the test's), made but not started. */
typedef struct {
  PosteWindow       *window;
  PosteTestCert     *cert;
  PosteTestProvider *odmr;
} Fixture;

typedef struct {
  /* The first case starts the application, inside the case (see startup()). */
  gboolean    startup;
  /* Let the fetches the cases before started end first, so that nothing is added behind the
   * case's back and the newest record in the history is the case's own. */
  gboolean    after_fetches;
  /* The case's folder (poste_test_make_dir()), kept in dir; or NULL. */
  const char *dir;
  /* A test provider in that folder, in fixture->odmr and fixture->cert. */
  gboolean    odmr;
} FixtureSetup;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  const FixtureSetup *setup = data;

  if (setup->startup)
    startup ();
  fixture->window = get_main_window ();
  if (setup->after_fetches)
    {
      poste_ui_test_iterate_until (session_gone, (gpointer)"acme");
      poste_ui_test_iterate_until (session_gone, (gpointer)"self-signed");
    }
  if (setup->dir != NULL)
    {
      g_free (dir);
      dir = poste_test_make_dir (setup->dir);
    }
  if (setup->odmr)
    fixture->odmr = new_provider (dir, "provider.test", POSTE_TEST_CERT_NONE, POSTE_TEST_TLS_STARTTLS,
                                  &fixture->cert);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->odmr);
  g_clear_pointer (&fixture->cert, poste_test_cert_free);
}

/* The configured acme, pointed at the case's test provider, started on @port (not saved). */
static PosteProvider *
point_acme_at_test_provider (Fixture *fixture,
                             guint16  port)
{
  PosteProvider *configured = poste_config_lookup (poste_application_get_config (app), "acme");

  g_assert_nonnull (configured);
  poste_provider_set_port (configured, port);
  poste_provider_set_ca_file (configured, fixture->cert->ca_file);
  return configured;
}

static void
test_fetch_add_and_fetch (Fixture       *fixture,
                          gconstpointer  data)
{
  PosteWindow *window;
  PosteTestCert *cert = fixture->cert;
  PosteTestProvider *provider = fixture->odmr;
  g_autoptr(GError) error = NULL;
  g_autofree char *maildir = NULL;
  g_autofree char *maildir_new = NULL;
  g_autofree char *path = poste_config_dup_default_path ();
  g_autofree char *contents = NULL;
  g_autofree char *password = NULL;
  g_autofree char *texts = NULL;
  const PosteSessionReport *report;
  const PosteCheckResult *check;
  SessionWait wait = { "acme", 2 };
  GtkWidget *dialog;
  GtkWidget *button;
  GtkWidget *row;
  guint n_finished = 0;
  guint16 port;

  window = fixture->window;
  maildir = g_build_filename (dir, "Maildir", NULL);
  maildir_new = g_build_filename (maildir, "new", NULL);

  poste_test_provider_add_message (provider, "bob@example.net", recipients,
                                   "From: Bob <bob@example.net>\r\nTo: alice@example.org\r\n"
                                   "Subject: Lunch\r\n\r\nNoon at the usual place?\r\n", -1);
  poste_test_provider_add_message (provider, "carol@example.com", recipients,
                                   "From: Carol <carol@example.com>\r\nTo: alice@example.org\r\n"
                                   "Subject: Invoice 2026-11\r\n\r\nPlease find it attached.\r\n", -1);
  /* The first session stays in the reversed state after its mail, until the user stops it. */
  g_assert_true (poste_test_provider_set_faults (provider, "silent=quit", &error));
  g_assert_no_error (error);
  port = poste_test_provider_start (provider, &error);
  g_assert_no_error (error);

  g_signal_connect (app, "session-finished", G_CALLBACK (count_finished), &n_finished);

  /* The empty state leads to the editor. */
  g_assert_nonnull (poste_ui_test_find_button (GTK_WIDGET (window), "app.add-provider", NULL));
  dialog = open_editor (window);
  fill_editor (dialog, "acme", port, 0, cert->ca_file, maildir);
  g_assert_true (gtk_widget_is_sensitive (poste_ui_test_find_button (dialog, "provider.add", NULL)));
  screenshot (dialog, "provider-editor");
  scroll_to (dialog, 0.45);
  screenshot (dialog, "provider-editor-delivery");

  /* Test Connection: TLS, the certificate, the capabilities, the mechanism, ATRN. */
  check = test_connection (dialog);
  g_assert_no_error (check->error);
  g_assert_true (check->authenticated);
  g_assert_true (check->atrn_offered);
  g_assert_nonnull (check->tls_protocol);
  g_assert_nonnull (check->mechanism);
  g_assert_cmpuint (poste_test_provider_count_spooled (provider), ==, 2);
  texts = label_texts (dialog);
  g_assert_nonnull (strstr (texts, "Ready to Collect Mail"));
  g_assert_nonnull (strstr (texts, "ATRN offered"));
  g_assert_nonnull (strstr (texts, check->tls_protocol));
  g_assert_nonnull (strstr (texts, check->mechanism));
  scroll_to_bottom (dialog);
  screenshot (dialog, "test-connection");

  /* Add: the password to the keyring, the rest to the file. */
  add_and_close (dialog);
  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (contents, "[provider acme]"));
  g_assert_nonnull (strstr (contents, "interval=0"));
  g_assert_null (strstr (contents, PASSWORD));
  password = poste_secrets_lookup_sync (poste_config_lookup (poste_application_get_config (app), "acme"),
                                        NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (password, ==, PASSWORD);

  /* The list shows it, not fetched yet, on demand. */
  poste_ui_test_wait_for_drawn (GTK_WINDOW (window));
  row = poste_ui_test_find_row (GTK_WIDGET (window), ADW_TYPE_ACTION_ROW, "acme");
  g_assert_nonnull (row);
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "Not fetched yet"));
  g_clear_pointer (&texts, g_free);
  texts = label_texts (row);
  g_assert_nonnull (strstr (texts, "On demand"));

  /* Fetch now, from the row's button. */
  button = poste_ui_test_find_button (GTK_WIDGET (window), "app.fetch-provider", "acme");
  g_assert_nonnull (button);
  gtk_widget_activate (button);
  poste_ui_test_iterate_until (session_receiving, &wait);

  /* The live view: phase, messages, bytes, progress, Stop. */
  poste_ui_test_wait_for_drawn (GTK_WINDOW (window));
  g_clear_pointer (&texts, g_free);
  texts = label_texts (GTK_WIDGET (window));
  g_assert_nonnull (strstr (texts, "Fetching from acme"));
  g_assert_nonnull (strstr (texts, "Receiving mail · 2 messages"));
  g_assert_nonnull (strstr (texts, "Fetching…"));
  {
    g_autoptr(GPtrArray) bars = poste_ui_test_find_descendants (GTK_WIDGET (window), GTK_TYPE_PROGRESS_BAR);

    /* Two messages of an unknown number, without SIZE=: counts and a pulse, no fraction. */
    g_assert_cmpuint (bars->len, ==, 1);
    g_assert_true (bar_is_pulsing (g_ptr_array_index (bars, 0)));
  }
  g_assert_cmpuint (poste_test_count_entries (maildir_new), ==, 2);
  screenshot (GTK_WIDGET (window), "live-session");

  button = poste_ui_test_find_button (GTK_WIDGET (window), "app.stop", "acme");
  g_assert_nonnull (button);
  gtk_widget_activate (button);
  poste_ui_test_iterate_until (session_gone, (gpointer)"acme");
  g_assert_cmpuint (n_finished, ==, 1);
  report = poste_application_get_last_report (app, "acme");
  g_assert_nonnull (report);
  g_assert_cmpuint (report->messages, ==, 2);
  g_assert_null (poste_ui_test_find_button (GTK_WIDGET (window), "app.stop", "acme"));

  /* A second fetch, with Ctrl+R's action this time: the third message. */
  g_assert_true (poste_test_provider_set_faults (provider, "", &error));
  g_assert_no_error (error);
  poste_test_provider_add_message (provider, "dave@example.net", recipients,
                                   "From: Dave <dave@example.net>\r\nTo: alice@example.org\r\n"
                                   "Subject: Tickets\r\n\r\nGot them!\r\n", -1);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "app.fetch-now", NULL));
  poste_ui_test_iterate_until (session_running, (gpointer)"acme");
  poste_ui_test_iterate_until (session_gone, (gpointer)"acme");
  g_assert_cmpuint (n_finished, ==, 2);
  report = poste_application_get_last_report (app, "acme");
  g_assert_cmpint (report->outcome, ==, POSTE_SESSION_OUTCOME_MAIL);
  g_assert_cmpuint (report->messages, ==, 1);
  g_assert_no_error (report->error);

  /* The mail arrived, and the provider keeps nothing. */
  g_assert_cmpuint (poste_test_count_entries (maildir_new), ==, 3);
  g_assert_cmpuint (poste_test_provider_count_spooled (provider), ==, 0);

  /* The list shows the last fetch. */
  poste_ui_test_wait_for_drawn (GTK_WINDOW (window));
  row = poste_ui_test_find_row (GTK_WIDGET (window), ADW_TYPE_ACTION_ROW, "acme");
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "Last fetch"));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "1 message,"));

  /* The history: both sessions, newest first, with their transcripts. */
  {
    g_autoptr(GPtrArray) expanders = poste_ui_test_find_descendants (GTK_WIDGET (window), ADW_TYPE_EXPANDER_ROW);
    g_autofree char *transcript = NULL;
    AdwExpanderRow *newest;

    g_assert_cmpuint (expanders->len, ==, 2);
    newest = g_ptr_array_index (expanders, 0);
    g_assert_true (g_str_has_prefix (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (newest)), "acme: 1 message, "));
    g_assert_nonnull (strstr (adw_preferences_row_get_title (g_ptr_array_index (expanders, 1)), "acme: "));
    transcript = label_texts (GTK_WIDGET (newest));
    g_assert_nonnull (strstr (transcript, "C: ATRN example.org"));
    g_assert_null (strstr (transcript, PASSWORD));

    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-history", NULL));
    adw_expander_row_set_expanded (newest, TRUE);
    poste_ui_test_wait_for_drawn (GTK_WINDOW (window));
    g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (newest)));
    dismiss_toasts (GTK_WIDGET (window));
    screenshot (GTK_WIDGET (window), "history");
  }

  g_signal_handlers_disconnect_by_func (app, count_finished, &n_finished);
  poste_test_provider_stop (provider);
}

static void
test_fetch_trust (Fixture       *fixture,
                  gconstpointer  data)
{
  PosteWindow *window = fixture->window;
  g_autoptr(PosteTestCert) cert = NULL;
  g_autoptr(PosteTestProvider) provider = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *cert_dir = NULL;
  g_autofree char *maildir = NULL;
  g_autofree char *path = poste_config_dup_default_path ();
  g_autofree char *contents = NULL;
  g_autofree char *pin_line = NULL;
  g_autofree char *texts = NULL;
  const PosteCheckResult *check;
  const PosteSessionReport *report;
  GtkWidget *dialog;
  GtkWindow *trust;
  guint16 port;

  cert_dir = g_build_filename (dir, "self-signed", NULL);
  maildir = g_build_filename (dir, "Maildir", NULL);
  g_assert_cmpint (g_mkdir_with_parents (cert_dir, 0700), ==, 0);
  provider = new_provider (cert_dir, "self.test", POSTE_TEST_CERT_SELF_SIGNED, POSTE_TEST_TLS_IMPLICIT, &cert);
  port = poste_test_provider_start (provider, &error);
  g_assert_no_error (error);

  dialog = open_editor (window);
  /* Implicit TLS, and no CA file: the system does not know this certificate. */
  fill_editor (dialog, "self-signed", port, 1, NULL, maildir);
  g_assert_true (gtk_widget_activate_action (dialog, "provider.test", NULL));
  poste_ui_test_iterate_until (poste_ui_test_toplevel_shown, GSIZE_TO_POINTER (ADW_TYPE_MESSAGE_DIALOG));

  trust = poste_ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  g_assert_true (gtk_window_get_transient_for (trust) == GTK_WINDOW (dialog));
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (trust)), ==, "Trust This Certificate?");
  texts = label_texts (GTK_WIDGET (trust));
  g_assert_nonnull (strstr (texts, "SHA-256 Fingerprint"));
  g_assert_nonnull (strstr (texts, "self.test"));
  {
    g_autofree char *upper = g_ascii_strup (cert->sha256, -1);
    g_autofree char *first_pair = g_strndup (upper, 2);

    /* The first pairs of the fingerprint as printed: "AB:CD:…". */
    g_assert_nonnull (strstr (texts, first_pair));
  }
  check = poste_provider_dialog_get_test_result (POSTE_PROVIDER_DIALOG (dialog));
  g_assert_nonnull (check);
  g_assert_nonnull (check->error);
  g_assert_cmpstr (check->certificate_sha256, ==, cert->sha256);
  screenshot (GTK_WIDGET (trust), "trust-dialog");

  /* Accept pins it, and the test runs again, through now; the trust dialog is gone for good. */
  trust = click_response (trust, "_Trust and Pin");
  poste_ui_test_iterate_pending ();
  g_assert_finalize_object (trust);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (poste_ui_test_find_row (dialog, ADW_TYPE_ENTRY_ROW,
                                                                  "Pinned Certificate (SHA-256)"))),
                   ==, cert->sha256);
  poste_ui_test_iterate_until (test_finished, dialog);
  check = poste_provider_dialog_get_test_result (POSTE_PROVIDER_DIALOG (dialog));
  g_assert_no_error (check->error);
  g_assert_true (check->authenticated);

  add_and_close (dialog);
  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  pin_line = g_strconcat ("pinned-sha256=", cert->sha256, "\n", NULL);
  g_assert_nonnull (strstr (contents, "[provider self-signed]"));
  g_assert_nonnull (strstr (contents, pin_line));

  /* The pinned provider fetches. */
  poste_test_provider_add_message (provider, "erin@example.net", recipients,
                                   "From: Erin <erin@example.net>\r\nTo: alice@example.org\r\n"
                                   "Subject: Pinned\r\n\r\nThrough the pinned certificate.\r\n", -1);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "app.fetch-provider", "s", "self-signed"));
  poste_ui_test_iterate_until (session_running, (gpointer)"self-signed");
  poste_ui_test_iterate_until (session_gone, (gpointer)"self-signed");
  report = poste_application_get_last_report (app, "self-signed");
  g_assert_no_error (report->error);
  g_assert_cmpint (report->outcome, ==, POSTE_SESSION_OUTCOME_MAIL);
  g_assert_cmpuint (report->messages, ==, 1);

  /* Both providers, each with its last fetch. */
  {
    g_autoptr(GPtrArray) stacks = poste_ui_test_find_descendants (GTK_WIDGET (window), ADW_TYPE_VIEW_STACK);

    g_assert_cmpuint (stacks->len, ==, 1);
    adw_view_stack_set_visible_child_name (g_ptr_array_index (stacks, 0), "providers");
  }
  g_assert_nonnull (poste_ui_test_find_row (GTK_WIDGET (window), ADW_TYPE_ACTION_ROW, "acme"));
  g_assert_nonnull (poste_ui_test_find_row (GTK_WIDGET (window), ADW_TYPE_ACTION_ROW, "self-signed"));
  screenshot (GTK_WIDGET (window), "main-window");

  /* The dark style: libadwaita's colours, nothing of our own to get wrong. */
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);
  screenshot (GTK_WIDGET (window), "main-window-dark");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);

  poste_test_provider_stop (provider);
}

static gboolean
recent_file_written (gpointer data)
{
  g_autofree char *path = g_build_filename (g_get_user_data_dir (), "recently-used.xbel", NULL);

  return g_file_test (path, G_FILE_TEST_EXISTS);
}

static gboolean
chooser_has_file (gpointer data)
{
  g_autoptr(GFile) file = gtk_file_chooser_get_file (data);

  return file != NULL;
}

/* Every button that does something has a name a screen reader can say. */
static void
assert_buttons_named (GtkWidget *root)
{
  g_autoptr(GPtrArray) buttons = poste_ui_test_find_descendants (root, GTK_TYPE_BUTTON);
  guint n_checked = 0;

  for (guint i = 0; i < buttons->len; i++)
    {
      GtkWidget *button = g_ptr_array_index (buttons, i);

      if (gtk_actionable_get_action_name (GTK_ACTIONABLE (button)) == NULL || GTK_IS_MENU_BUTTON (button))
        continue;

      n_checked++;
      if (gtk_button_get_label (GTK_BUTTON (button)) == NULL &&
          !gtk_test_accessible_has_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL))
        g_error ("the %s button has no accessible name",
                 gtk_actionable_get_action_name (GTK_ACTIONABLE (button)));
    }

  g_assert_cmpuint (n_checked, >, 0);
}

static void
test_fetch_edit (Fixture       *fixture,
                 gconstpointer  data)
{
  PosteWindow *window = fixture->window;
  g_autofree char *path = poste_config_dup_default_path ();
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *dialog;
  GtkWidget *hours;
  GtkWidget *row;

  assert_buttons_named (GTK_WIDGET (window));

  /* Activating the row opens its editor, filled from the configuration. */
  row = poste_ui_test_find_row (GTK_WIDGET (window), ADW_TYPE_ACTION_ROW, "acme");
  g_assert_nonnull (row);
  g_assert_true (gtk_widget_activate (row));
  poste_ui_test_iterate_until (window_is_mapped, GSIZE_TO_POINTER (POSTE_TYPE_PROVIDER_DIALOG));
  dialog = GTK_WIDGET (poste_ui_test_find_app_window (GTK_APPLICATION (app), POSTE_TYPE_PROVIDER_DIALOG));
  g_assert_cmpstr (poste_provider_dialog_get_editing (POSTE_PROVIDER_DIALOG (dialog)), ==, "acme");
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (dialog)), ==, "Edit Provider");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (poste_ui_test_find_row (dialog, ADW_TYPE_ENTRY_ROW, "Server"))), ==, "127.0.0.1");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (poste_ui_test_find_row (dialog, ADW_TYPE_ENTRY_ROW, "User Name"))), ==, USER);
  /* The name may change: only its label does (tests/ui/test-editor.c). */
  g_assert_true (gtk_editable_get_editable (GTK_EDITABLE (poste_ui_test_find_row (dialog, ADW_TYPE_ENTRY_ROW, "Name"))));
  assert_buttons_named (dialog);
  g_assert_true (gtk_widget_is_sensitive (poste_ui_test_find_button (dialog, "provider.add", NULL)));

  /* Checked as changed: no day at all is said beside the days, and Save waits. */
  {
    g_autoptr(GPtrArray) days = poste_ui_test_find_descendants (dialog, GTK_TYPE_TOGGLE_BUTTON);
    g_autofree char *texts_before = label_texts (dialog);
    GtkWidget *all_day = NULL;

    g_assert_null (strstr (texts_before, "Choose at least one day."));
    g_assert_cmpuint (days->len, ==, 7);
    for (guint i = 0; i < days->len; i++)
      gtk_toggle_button_set_active (g_ptr_array_index (days, i), FALSE);
    g_assert_false (gtk_widget_is_sensitive (poste_ui_test_find_button (dialog, "provider.add", NULL)));
    {
      g_autoptr(GPtrArray) labels = poste_ui_test_find_descendants (dialog, GTK_TYPE_LABEL);
      gboolean shown = FALSE;

      for (guint i = 0; i < labels->len; i++)
        if (g_str_equal (gtk_label_get_text (g_ptr_array_index (labels, i)), "Choose at least one day.") &&
            gtk_widget_get_visible (g_ptr_array_index (labels, i)))
          shown = TRUE;
      g_assert_true (shown);
    }
    for (guint i = 0; i < days->len; i++)
      gtk_toggle_button_set_active (g_ptr_array_index (days, i), TRUE);
    g_assert_true (gtk_widget_is_sensitive (poste_ui_test_find_button (dialog, "provider.add", NULL)));

    /* Hours: All Day off shows the clock, from 08:00 until 19:00 to begin with. */
    hours = poste_ui_test_find_row (dialog, ADW_TYPE_ACTION_ROW, "All Day");
    g_assert_nonnull (hours);
    all_day = adw_action_row_get_activatable_widget (ADW_ACTION_ROW (hours));
    gtk_switch_set_active (GTK_SWITCH (all_day), FALSE);
    g_assert_true (gtk_widget_get_visible (poste_ui_test_find_row (dialog, ADW_TYPE_ACTION_ROW, "From")));
  }
  poste_ui_test_set_row_text (dialog, "Pinned Certificate (SHA-256)", "not a fingerprint");
  g_assert_false (gtk_widget_is_sensitive (poste_ui_test_find_button (dialog, "provider.add", NULL)));
  poste_ui_test_set_row_text (dialog, "Pinned Certificate (SHA-256)", "");

  /* The delivery target by kind: an mbox file through the file chooser. */
  {
    AdwComboRow *kind = ADW_COMBO_ROW (poste_ui_test_find_row (dialog, ADW_TYPE_COMBO_ROW, "Deliver To"));
    g_autofree char *mbox_dir = poste_test_make_dir ("ui-edit");
    g_autofree char *mbox = g_build_filename (mbox_dir, "inbox.mbox", NULL);
    g_autoptr(GFile) file = g_file_new_for_path (mbox);
    g_autofree char *folder = NULL;
    GtkWidget *location;
    GtkWindow *chooser;

    g_assert_true (g_file_set_contents (mbox, "", 0, NULL));
    /* GTK records the chosen file in recently-used.xbel there, as on any desktop. */
    g_assert_cmpint (g_mkdir_with_parents (g_get_user_data_dir (), 0700), ==, 0);
    location = poste_ui_test_find_row (dialog, ADW_TYPE_ENTRY_ROW, "Folder");
    g_assert_nonnull (location);
    folder = g_strdup (gtk_editable_get_text (GTK_EDITABLE (location)));
    adw_combo_row_set_selected (kind, 1);
    g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (location)), ==, "File");

    g_assert_true (gtk_widget_activate_action (dialog, "provider.choose-delivery", NULL));
    poste_ui_test_iterate_until (poste_ui_test_toplevel_shown, GSIZE_TO_POINTER (GTK_TYPE_FILE_CHOOSER_DIALOG));
    chooser = poste_ui_test_find_toplevel (GTK_TYPE_FILE_CHOOSER_DIALOG);
    {
      g_autoptr(GFile) parent = g_file_get_parent (file);

      g_assert_true (gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), parent, NULL));
      poste_ui_test_wait_for_drawn (chooser);
    }
    g_assert_true (gtk_file_chooser_set_file (GTK_FILE_CHOOSER (chooser), file, NULL));
    /* The selection is made once the folder has loaded. */
    poste_ui_test_iterate_until (chooser_has_file, chooser);
    gtk_dialog_response (GTK_DIALOG (chooser), GTK_RESPONSE_ACCEPT);
    poste_ui_test_iterate_pending ();
    g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (location)), ==, mbox);
    /* Before this test case's home goes away. */
    poste_ui_test_iterate_until (recent_file_written, NULL);
    g_assert_true (gtk_widget_is_sensitive (poste_ui_test_find_button (dialog, "provider.add", NULL)));

    /* A program, then back to the Maildir. */
    adw_combo_row_set_selected (kind, 3);
    gtk_editable_set_text (GTK_EDITABLE (location), "/usr/bin/procmail -f %F");
    g_assert_true (gtk_widget_is_sensitive (poste_ui_test_find_button (dialog, "provider.add", NULL)));
    adw_combo_row_set_selected (kind, 0);
    gtk_editable_set_text (GTK_EDITABLE (location), folder);
  }

  adw_combo_row_set_selected (ADW_COMBO_ROW (poste_ui_test_find_row (dialog, ADW_TYPE_COMBO_ROW, "Fetch")), 3);
  g_assert_true (gtk_widget_is_sensitive (poste_ui_test_find_button (dialog, "provider.add", NULL)));
  add_and_close (dialog);

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (contents, "interval=30"));
  g_assert_nonnull (strstr (contents, "active-hours=08:00-19:00"));

  /* Now on a schedule: the list says when (or that it fetches already, or will retry, since
   * the test provider of the first case is gone). */
  poste_ui_test_wait_for_drawn (GTK_WINDOW (window));
  row = poste_ui_test_find_row (GTK_WIDGET (window), ADW_TYPE_ACTION_ROW, "acme");
  g_clear_pointer (&contents, g_free);
  contents = label_texts (row);
  g_test_message ("the row says: %s", contents);
  g_assert_null (strstr (contents, "On demand"));
  g_assert_true (strstr (contents, "Next at ") != NULL || strstr (contents, "Fetching…") != NULL ||
                 strstr (contents, "Retry at ") != NULL);
}

static gboolean
toast_button_shown (gpointer data)
{
  return poste_ui_test_find_button (data, "win.review-certificate", NULL) != NULL;
}

static void
test_fetch_review_certificate (Fixture       *fixture,
                               gconstpointer  data)
{
  PosteWindow *window = fixture->window;
  PosteConfig *config = poste_application_get_config (app);
  g_autoptr(PosteTestCert) cert = NULL;
  g_autoptr(PosteTestProvider) provider = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = poste_config_dup_default_path ();
  g_autofree char *contents = NULL;
  g_autofree char *pin_line = NULL;
  const PosteSessionReport *report;
  PosteProvider *configured;
  GtkWindow *trust;
  guint16 port;

  provider = new_provider (dir, "self.test", POSTE_TEST_CERT_SELF_SIGNED, POSTE_TEST_TLS_IMPLICIT, &cert);
  port = poste_test_provider_start (provider, &error);
  g_assert_no_error (error);

  /* The provider renewed its certificate: the pin no longer matches. */
  configured = poste_config_lookup (config, "self-signed");
  g_assert_nonnull (configured);
  g_assert_cmpstr (poste_provider_get_pinned_sha256 (configured), !=, cert->sha256);
  poste_provider_set_port (configured, port);
  g_assert_true (poste_application_save_config (app, &error));
  g_assert_no_error (error);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "app.fetch-provider", "s", "self-signed"));
  poste_ui_test_iterate_until (session_running, (gpointer)"self-signed");
  poste_ui_test_iterate_until (session_gone, (gpointer)"self-signed");
  report = poste_application_get_last_report (app, "self-signed");
  g_assert_cmpint (report->outcome, ==, POSTE_SESSION_OUTCOME_FAILED);
  g_assert_error (report->error, POSTE_SESSION_ERROR, POSTE_SESSION_ERROR_CERTIFICATE);

  /* The toast offers to review it; the dialog says it changed. */
  poste_ui_test_iterate_until (toast_button_shown, window);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.review-certificate", "s", "self-signed"));
  poste_ui_test_iterate_until (poste_ui_test_toplevel_shown, GSIZE_TO_POINTER (ADW_TYPE_MESSAGE_DIALOG));
  trust = poste_ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (trust)), ==, "Certificate Changed");

  /* Accept pins the new one in the file, and fetches again, through now. */
  trust = click_response (trust, "_Trust and Pin");
  poste_ui_test_iterate_until (session_running, (gpointer)"self-signed");
  poste_ui_test_iterate_until (session_gone, (gpointer)"self-signed");
  poste_ui_test_iterate_pending ();
  g_assert_finalize_object (trust);
  report = poste_application_get_last_report (app, "self-signed");
  g_assert_no_error (report->error);
  g_assert_cmpint (report->outcome, ==, POSTE_SESSION_OUTCOME_NO_MAIL);

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  pin_line = g_strconcat ("pinned-sha256=", cert->sha256, "\n", NULL);
  g_assert_nonnull (strstr (contents, pin_line));

  poste_test_provider_stop (provider);
}

static gboolean
finished_once (gpointer data)
{
  return *(guint *)data >= 1;
}

typedef struct {
  const char *name;
  gint64      bytes;
} MessageWait;

static gboolean
message_half_received (gpointer data)
{
  MessageWait *wait = data;
  PosteSession *session = poste_application_get_session (app, wait->name);

  return session != NULL && poste_session_get_current_size (session) >= wait->bytes;
}

/* Fetches acme from a provider that stops talking half-way through a message of 1 MiB and
 * more, and returns the window's only progress bar once it shows at least @bytes of it. */
static GtkProgressBar *
fetch_half_way (PosteWindow *window,
                gint64       bytes)
{
  MessageWait wait = { "acme", bytes };
  g_autoptr(GPtrArray) bars = NULL;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "app.fetch-provider", "s", "acme"));
  poste_ui_test_iterate_until (message_half_received, &wait);
  poste_ui_test_wait_for_drawn (GTK_WINDOW (window));
  bars = poste_ui_test_find_descendants (GTK_WIDGET (window), GTK_TYPE_PROGRESS_BAR);
  g_assert_cmpuint (bars->len, ==, 1);
  return g_ptr_array_index (bars, 0);
}

static void
stop_fetch (PosteWindow *window)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "app.stop", "s", "acme"));
  poste_ui_test_iterate_until (session_gone, (gpointer)"acme");
}

/* ODMR gives no count of messages: the bar shows one message's progress when the provider
 * declared its size (SIZE=, RFC 1870), and otherwise only pulses beside the counts. */
static void
test_fetch_progress (Fixture       *fixture,
                     gconstpointer  data)
{
  PosteWindow *window = fixture->window;
  PosteTestProvider *odmr = fixture->odmr;
  g_autoptr(GError) error = NULL;
  const char *body = "From: Bob <bob@example.net>\r\nTo: alice@example.org\r\n"
                     "Subject: Photos\r\n\r\nHere they are.\r\n";
  /* Two of the session's progress steps (every 256 KiB) within the message. */
  const gint64 half = 512 * 1024;
  PosteSession *session;
  GtkProgressBar *bar;
  gint64 total;
  guint16 port;


  g_assert_true (poste_test_provider_set_faults (odmr, "size huge=1048576 silent-in-data=600000", &error));
  g_assert_no_error (error);
  poste_test_provider_add_message (odmr, "bob@example.net", recipients, body, -1);
  port = poste_test_provider_start (odmr, &error);
  g_assert_no_error (error);

  point_acme_at_test_provider (fixture, port);
  g_assert_true (poste_application_save_config (app, &error));
  g_assert_no_error (error);

  /* SIZE= declared: this message's share, and its size in words. */
  bar = fetch_half_way (window, half);
  session = poste_application_get_session (app, "acme");
  total = poste_session_get_current_total (session);
  g_assert_cmpint (total, ==, (gint64)strlen (body) + 1048576);
  g_assert_false (bar_is_pulsing (bar));
  g_assert_cmpfloat_with_epsilon (gtk_progress_bar_get_fraction (bar),
                                  (double)poste_session_get_current_size (session) / (double)total,
                                  1e-9);
  g_assert_cmpfloat (gtk_progress_bar_get_fraction (bar), <, 1.0);
  {
    g_autofree char *text = poste_ui_test_accessible_property (GTK_WIDGET (bar),
                                                               GTK_ACCESSIBLE_PROPERTY_VALUE_TEXT);

    g_assert_nonnull (strstr (text, "this message: "));
    g_autofree char *size = g_format_size ((guint64)total);
    g_autofree char *of_size = g_strconcat (" of ", size, NULL);

    g_assert_nonnull (strstr (text, of_size));
  }
  screenshot (GTK_WIDGET (window), "live-session-size");
  stop_fetch (window);

  /* The same message without SIZE=: the counts and a pulse, never a fraction. */
  g_assert_true (poste_test_provider_set_faults (odmr, "huge=1048576 silent-in-data=600000", &error));
  g_assert_no_error (error);
  bar = fetch_half_way (window, half);
  g_assert_cmpint (poste_session_get_current_total (poste_application_get_session (app, "acme")), ==, -1);
  g_assert_true (bar_is_pulsing (bar));
  {
    g_autofree char *text = poste_ui_test_accessible_property (GTK_WIDGET (bar),
                                                               GTK_ACCESSIBLE_PROPERTY_VALUE_TEXT);

    g_assert_nonnull (strstr (text, "this message: "));
    g_assert_null (strstr (text, " of "));
  }
  screenshot (GTK_WIDGET (window), "live-session-pulse");
  stop_fetch (window);

  poste_test_provider_stop (odmr);
}

/* Test Connection signs in with the password file, as a fetch does, with nothing typed in the
 * password field; a file others can read stops it with the fetch's own reason. */
static void
test_fetch_password_file (Fixture       *fixture,
                          gconstpointer  data)
{
  PosteWindow *window = fixture->window;
  PosteTestCert *cert = fixture->cert;
  PosteTestProvider *odmr = fixture->odmr;
  g_autoptr(GError) error = NULL;
  g_autofree char *maildir = NULL;
  g_autofree char *password_file = NULL;
  g_autofree char *texts = NULL;
  const PosteCheckResult *check;
  GtkWidget *dialog;
  guint16 port;

  maildir = g_build_filename (dir, "Maildir", NULL);
  password_file = g_build_filename (dir, "password", NULL);
  g_assert_true (g_file_set_contents_full (password_file, PASSWORD "\n", -1,
                                           G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error));
  g_assert_no_error (error);
  port = poste_test_provider_start (odmr, &error);
  g_assert_no_error (error);

  dialog = open_editor (window);
  fill_editor (dialog, "filed", port, 0, cert->ca_file, maildir);
  poste_ui_test_set_row_text (dialog, "Password", "");
  poste_ui_test_set_row_text (dialog, "Password File (instead of the keyring)", password_file);

  check = test_connection (dialog);
  g_assert_no_error (check->error);
  g_assert_true (check->authenticated);
  g_assert_true (check->atrn_offered);

  /* Readable by others: a fetch refuses it, and so does the test, before connecting. */
  g_assert_cmpint (g_chmod (password_file, 0644), ==, 0);
  check = test_connection (dialog);
  g_assert_error (check->error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INSECURE);
  g_assert_false (check->authenticated);
  texts = label_texts (dialog);
  g_assert_nonnull (strstr (texts, "No Password to Sign In With"));
  g_assert_nonnull (strstr (texts, "accessible to others"));

  poste_ui_test_destroy_and_finalize (GTK_WINDOW (dialog));
  poste_ui_test_iterate_until (dialog_is_gone, NULL);
  g_assert_null (poste_config_lookup (poste_application_get_config (app), "filed"));
  poste_test_provider_stop (odmr);
}

/* The outbox's round after a fetch is part of that fetch's report, in the history too
 * (as in the CLI's fetch), not only in the last report the windows show. */
static void
test_fetch_outbox (Fixture       *fixture,
                   gconstpointer  data)
{
  PosteWindow *window = fixture->window;
  PosteTestCert *cert = fixture->cert;
  PosteTestProvider *odmr = fixture->odmr;
  g_autoptr(PosteTestProvider) relay = NULL;
  g_autoptr(PosteOutbox) outbox = poste_outbox_new (outbox_path);
  g_autoptr(GBytes) head = g_bytes_new_static ("Subject: x\r\n\r\nx\r\n", 17);
  g_autoptr(GPtrArray) accepted = NULL;
  g_autoptr(GPtrArray) reports = NULL;
  g_autoptr(GPtrArray) queued = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *submission = NULL;
  const char *to[] = { "bob@remote.example", NULL };
  const PosteSessionReport *newest;
  PosteProvider *configured;
  guint n_finished = 0;
  guint16 port;


  port = poste_test_provider_start (odmr, &error);
  g_assert_no_error (error);
  relay = poste_test_provider_new ();
  poste_test_provider_set_submission (relay, TRUE);
  poste_test_provider_set_tls (relay, POSTE_TEST_TLS_STARTTLS, cert->certificate);
  poste_test_provider_add_account (relay, USER, PASSWORD, domains);
  submission = g_strdup_printf ("127.0.0.1:%u", poste_test_provider_start (relay, &error));
  g_assert_no_error (error);

  configured = point_acme_at_test_provider (fixture, port);
  poste_provider_set_submission (configured, submission);
  poste_provider_set_send_with_fetch (configured, TRUE);
  g_assert_true (poste_application_save_config (app, &error));
  g_assert_no_error (error);

  /* A message from one of acme's domains waits in the application's outbox. */
  id = poste_outbox_enqueue (outbox, "alice@example.org", to, head, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (id);

  g_signal_connect (app, "session-finished", G_CALLBACK (count_finished), &n_finished);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "app.fetch-provider", "s", "acme"));
  poste_ui_test_iterate_until (finished_once, &n_finished);
  g_signal_handlers_disconnect_by_func (app, count_finished, &n_finished);
  g_assert_cmpuint (n_finished, ==, 1);

  /* The relay has it, the outbox no longer does. */
  accepted = poste_test_provider_dup_accepted (relay);
  g_assert_cmpuint (accepted->len, ==, 1);
  queued = poste_outbox_list (outbox, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (queued->len, ==, 0);

  /* The history's record of the fetch (newest first) counts it, and so does the last report. */
  reports = poste_history_list (poste_application_get_history (app), NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (reports->len, >=, 1);
  newest = g_ptr_array_index (reports, 0);
  g_assert_cmpstr (newest->provider, ==, "acme");
  g_assert_no_error (newest->error);
  g_assert_cmpuint (newest->submitted, ==, 1);
  g_assert_cmpuint (poste_application_get_last_report (app, "acme")->submitted, ==, 1);

  /* The window's history: a round that found nothing but sent a message says so, and what the
   * outbox did. */
  g_assert_cmpint (newest->outcome, ==, POSTE_SESSION_OUTCOME_NO_MAIL);
  {
    g_autofree char *what = poste_window_describe_report (newest);
    g_autofree char *sent = poste_session_report_describe_outbox (newest);
    g_autofree char *contents = NULL;
    GtkWidget *row = NULL;

    g_assert_cmpstr (what, ==, "1 message sent");
    g_assert_cmpstr (sent, ==, "1 sent, 0 deferred, 0 returned");
    poste_ui_test_wait_for_drawn (GTK_WINDOW (window));
    row = poste_ui_test_find_row (GTK_WIDGET (window), ADW_TYPE_EXPANDER_ROW, "acme: 1 message sent");
    g_assert_nonnull (row);
    g_assert_nonnull (strstr (adw_expander_row_get_subtitle (ADW_EXPANDER_ROW (row)),
                              " · outbox: 1 sent, 0 deferred, 0 returned"));
  }

  poste_test_provider_stop (relay);
  poste_test_provider_stop (odmr);
}

/* Compares two records of rounds that did the same work: every count, the outcome, the TLS and
 * SASL lines and each session's counts; only the times differ. */
static void
assert_same_record (const PosteSessionReport *a,
                    const PosteSessionReport *b)
{
  g_assert_cmpstr (a->provider, ==, b->provider);
  g_assert_cmpint (a->outcome, ==, b->outcome);
  g_assert_cmpint (a->last_state, ==, b->last_state);
  g_assert_true ((a->error == NULL) == (b->error == NULL));
  g_assert_cmpuint (a->messages, ==, b->messages);
  g_assert_cmpuint (a->deferred, ==, b->deferred);
  g_assert_cmpuint (a->returned, ==, b->returned);
  g_assert_cmpuint (a->submitted, ==, b->submitted);
  g_assert_cmpuint (a->bytes, ==, b->bytes);
  g_assert_cmpstr (a->tls, ==, b->tls);
  g_assert_cmpstr (a->mechanism, ==, b->mechanism);
  g_assert_cmpuint (a->sessions->len, ==, b->sessions->len);
  for (guint i = 0; i < a->sessions->len; i++)
    {
      const PosteSessionReport *sa = a->sessions->pdata[i];
      const PosteSessionReport *sb = b->sessions->pdata[i];

      g_assert_cmpint (sa->outcome, ==, sb->outcome);
      g_assert_cmpuint (sa->messages, ==, sb->messages);
      g_assert_cmpuint (sa->bytes, ==, sb->bytes);
    }
}

static const PosteSessionReport *
newest_record (GPtrArray **reports)
{
  g_autoptr(GError) error = NULL;

  g_clear_pointer (reports, g_ptr_array_unref);
  *reports = poste_history_list (poste_application_get_history (app), "acme", 1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint ((*reports)->len, ==, 1);
  return (*reports)->pdata[0];
}

static void
add_numbered (PosteTestProvider *provider,
              guint              from,
              guint              to)
{
  for (guint i = from; i < to; i++)
    {
      g_autofree char *data = g_strdup_printf ("From: bob@example.net\r\nTo: alice@example.org\r\n"
                                               "Subject: %03u\r\n\r\nMessage %03u.\r\n", i, i);

      poste_test_provider_add_message (provider, "bob@example.net", recipients, data, -1);
    }
}

/* A provider that hands over one message a session: one Fetch now drains it (50 messages, one
 * round, one record); and the command line's fetch of the same work gives the same record. */
static void
test_fetch_drain (Fixture       *fixture,
                  gconstpointer  data)
{
  PosteWindow *window = fixture->window;
  PosteTestProvider *odmr = fixture->odmr;
  g_autoptr(PosteSessionReport) app_record = NULL;
  g_autoptr(GPtrArray) reports = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) cli = NULL;
  g_autofree char *maildir = NULL;
  g_autofree char *maildir_new = NULL;
  g_autofree char *target = NULL;
  g_autofree char *cli_path = g_build_filename (poste_test_build_root (), "src",
                                                "poste-restante-cli", "poste-restante-cli", NULL);
  const PosteSessionReport *record;
  PosteProvider *configured;
  guint n_finished = 0;
  guint16 port;


  maildir = g_build_filename (dir, "Maildir", NULL);
  maildir_new = g_build_filename (maildir, "new", NULL);
  g_assert_true (poste_test_provider_set_faults (odmr, "per-session=1", &error));
  add_numbered (odmr, 0, 50);
  port = poste_test_provider_start (odmr, &error);
  g_assert_no_error (error);

  target = g_strdup_printf ("maildir:%s", maildir);
  configured = point_acme_at_test_provider (fixture, port);
  poste_provider_set_delivery (configured, target);
  poste_provider_set_send_with_fetch (configured, FALSE);
  g_assert_true (poste_application_save_config (app, &error));
  g_assert_no_error (error);

  g_signal_connect (app, "session-finished", G_CALLBACK (count_finished), &n_finished);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "app.fetch-provider", "s", "acme"));
  poste_ui_test_iterate_until (finished_once, &n_finished);
  g_assert_cmpuint (n_finished, ==, 1);
  g_assert_cmpuint (poste_test_count_entries (maildir_new), ==, 50);
  g_assert_cmpuint (poste_test_provider_count_spooled (odmr), ==, 0);
  record = newest_record (&reports);
  g_assert_cmpint (record->outcome, ==, POSTE_SESSION_OUTCOME_MAIL);
  g_assert_cmpuint (record->messages, ==, 50);
  g_assert_cmpuint (record->sessions->len, ==, 51);

  /* The same work twice, once through the application and once through the command line. */
  add_numbered (odmr, 100, 103);
  n_finished = 0;
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "app.fetch-provider", "s", "acme"));
  poste_ui_test_iterate_until (finished_once, &n_finished);
  g_signal_handlers_disconnect_by_func (app, count_finished, &n_finished);
  app_record = poste_session_report_copy (newest_record (&reports));
  g_assert_cmpuint (app_record->messages, ==, 3);

  add_numbered (odmr, 200, 203);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                       G_SUBPROCESS_FLAGS_STDERR_PIPE);
  /* The application's configuration, keyring and history: the test case's private folders. */
  poste_test_launcher_set_private_dirs (launcher);
  cli = g_subprocess_launcher_spawn (launcher, &error, cli_path, "fetch", "acme", NULL);
  g_assert_no_error (error);
  {
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;

    g_assert_true (g_subprocess_communicate_utf8 (cli, NULL, NULL, &out, &err, &error));
    g_assert_no_error (error);
    g_test_message ("poste-restante-cli fetch acme:\n%s%s", out, err);
    g_assert_true (g_subprocess_get_if_exited (cli));
    g_assert_cmpint (g_subprocess_get_exit_status (cli), ==, 0);
  }
  g_assert_cmpuint (poste_test_count_entries (maildir_new), ==, 56);
  assert_same_record (app_record, newest_record (&reports));

  poste_test_provider_stop (odmr);
}

typedef struct {
  char     *text;
  gboolean  done;
} ClipboardRead;

static void
clipboard_read_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      data)
{
  ClipboardRead *read = data;

  read->text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (object), result, NULL);
  read->done = TRUE;
}

static gboolean
clipboard_read_done (gpointer data)
{
  return ((ClipboardRead *) data)->done;
}

static void
test_fetch_clear_history (Fixture       *fixture,
                          gconstpointer  data)
{
  PosteWindow *window = fixture->window;
  g_autoptr(GPtrArray) reports = NULL;
  g_autoptr(GPtrArray) expanders = NULL;
  g_autoptr(GError) error = NULL;
  GtkWindow *dialog;


  reports = poste_history_list (poste_application_get_history (app), NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (reports->len, >=, 4);

  /* Each record says its date, and copies its whole transcript. */
  {
    g_autoptr(GPtrArray) rows = poste_ui_test_find_descendants (GTK_WIDGET (window), ADW_TYPE_EXPANDER_ROW);
    g_autoptr(GDateTime) now = g_date_time_new_now_local ();
    g_autofree char *year = g_date_time_format (now, "%Y");
    g_autoptr(GPtrArray) buttons = NULL;
    GtkWidget *copy = NULL;
    ClipboardRead read = { NULL, FALSE };

    g_assert_cmpuint (rows->len, >=, 1);
    g_assert_nonnull (strstr (adw_expander_row_get_subtitle (g_ptr_array_index (rows, 0)), year));
    buttons = poste_ui_test_find_descendants (g_ptr_array_index (rows, 0), GTK_TYPE_BUTTON);
    for (guint i = 0; i < buttons->len; i++)
      if (g_strcmp0 (gtk_widget_get_tooltip_text (g_ptr_array_index (buttons, i)), "Copy the Transcript") == 0)
        copy = g_ptr_array_index (buttons, i);
    g_assert_nonnull (copy);
    g_signal_emit_by_name (copy, "clicked");
    gdk_clipboard_read_text_async (gtk_widget_get_clipboard (copy), NULL, clipboard_read_cb, &read);
    poste_ui_test_iterate_until (clipboard_read_done, &read);
    g_assert_nonnull (read.text);
    /* The reversed session's own words, as the provider sent them. */
    g_assert_nonnull (strstr (read.text, "EHLO"));
    g_free (read.text);
  }

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.clear-history", NULL));
  poste_ui_test_iterate_until (poste_ui_test_toplevel_shown, GSIZE_TO_POINTER (ADW_TYPE_MESSAGE_DIALOG));
  dialog = poste_ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), ==, "Clear the History?");
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "clear");
  poste_ui_test_iterate_pending ();

  g_clear_pointer (&reports, g_ptr_array_unref);
  reports = poste_history_list (poste_application_get_history (app), NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (reports->len, ==, 0);
  expanders = poste_ui_test_find_descendants (GTK_WIDGET (window), ADW_TYPE_EXPANDER_ROW);
  g_assert_cmpuint (expanders->len, ==, 0);
}

static void
test_fetch_quit (void)
{
  PosteWindow *window = g_object_ref (poste_application_get_main_window (app));

  /* After all those sessions, rows and toasts, nothing keeps the main window alive. */
  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
  poste_ui_test_iterate_pending ();
  g_assert_null (gtk_application_get_windows (GTK_APPLICATION (app)));
  g_assert_finalize_object (window);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  poste_ui_test_init (&argc, &argv, "test-fetch");

  /* GTK's file chooser reads its own settings schema, installed with GTK, besides ours. */
  {
    g_autofree char *schema_dirs = g_strconcat (g_getenv ("GSETTINGS_SCHEMA_DIR"), G_SEARCHPATH_SEPARATOR_S,
                                                "/usr/share/glib-2.0/schemas", NULL);

    g_setenv ("GSETTINGS_SCHEMA_DIR", schema_dirs, TRUE);
  }

  {
    static const FixtureSetup first = { .startup = TRUE, .dir = "ui-fetch", .odmr = TRUE };
    static const FixtureSetup window_only = { 0 };
    static const FixtureSetup trust = { .dir = "ui-trust" };
    static const FixtureSetup review = { .dir = "ui-review" };
    static const FixtureSetup progress = { .after_fetches = TRUE, .dir = "ui-progress", .odmr = TRUE };
    static const FixtureSetup password_file = { .dir = "ui-password-file", .odmr = TRUE };
    static const FixtureSetup outbox = { .after_fetches = TRUE, .dir = "ui-outbox", .odmr = TRUE };
    static const FixtureSetup drain = { .after_fetches = TRUE, .dir = "ui-drain", .odmr = TRUE };
    static const FixtureSetup clear_history = { .after_fetches = TRUE };

#define ADD(path, setup, func) \
    g_test_add (path, Fixture, &setup, fixture_set_up, func, fixture_tear_down)
    ADD ("/ui/fetch/add-and-fetch", first, test_fetch_add_and_fetch);
    ADD ("/ui/fetch/trust", trust, test_fetch_trust);
    ADD ("/ui/fetch/edit", window_only, test_fetch_edit);
    ADD ("/ui/fetch/review-certificate", review, test_fetch_review_certificate);
    ADD ("/ui/fetch/progress", progress, test_fetch_progress);
    ADD ("/ui/fetch/password-file", password_file, test_fetch_password_file);
    ADD ("/ui/fetch/outbox", outbox, test_fetch_outbox);
    ADD ("/ui/fetch/drain", drain, test_fetch_drain);
    ADD ("/ui/fetch/clear-history", clear_history, test_fetch_clear_history);
#undef ADD
  }
  g_test_add_func ("/ui/fetch/quit", test_fetch_quit);

  ret = g_test_run ();

  g_clear_object (&app);
  g_free (dir);
  g_free (outbox_path);
  return ret;
}
