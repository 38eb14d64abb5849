/* test-window.c: the real main window of the real application, under Xvfb
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Registers a PosteApplication (non-unique, on the private session bus dbus-run-session gives
 * us), activates it, and checks what the user sees: the empty state and its Add Provider button,
 * the primary menu's windows opened through the real actions, the preferences bound to GSettings,
 * and a screenshot of the main window rendered by the window's own renderer into the build tree.
 */
#include "config.h"

#include <glib/gstdio.h>

#include "poste-test.h"
#include "poste-ui-test.h"
#include "poste-application.h"
#include "poste-autostart.h"
#include "poste-config.h"
#include "poste-preferences-window.h"
#include "poste-provider-dialog.h"
#include "poste-sandbox-private.h"
#include "poste-secrets.h"
#include "poste-window.h"
#include "poste-window-format.h"

static PosteApplication *app;

static PosteWindow *
get_main_window (void)
{
  PosteWindow *window;

  g_assert_nonnull (app);
  window = poste_application_get_main_window (app);
  g_assert_true (POSTE_IS_WINDOW (window));
  poste_ui_test_wait_for_drawn (GTK_WINDOW (window));
  return window;
}

static const char *
visible_page (PosteWindow *window)
{
  g_autoptr(GPtrArray) stacks = poste_ui_test_find_descendants (GTK_WIDGET (window), GTK_TYPE_STACK);

  /* The window's own stack, among those inside other widgets. */
  for (guint i = 0; i < stacks->len; i++)
    {
      if (gtk_stack_get_child_by_name (g_ptr_array_index (stacks, i), "empty") != NULL)
        return gtk_stack_get_visible_child_name (g_ptr_array_index (stacks, i));
    }

  g_assert_not_reached ();
}

static void
test_window_startup (void)
{
  g_autoptr(GError) error = NULL;

  /* Started inside a test case, so that it reads the configuration from this case's private
   * (empty) home; outside test cases G_TEST_OPTION_ISOLATE_DIRS points HOME at /dev/null. */
  app = poste_application_new (APP_ID, G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  g_assert_nonnull (poste_application_get_config (app));
  g_assert_no_error ((GError *)poste_application_get_config_error (app));
  poste_ui_test_add_system_icons ();

  /* Screenshots of settled widgets: no crossfades or sliding titles half-way through. */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  g_application_activate (G_APPLICATION (app));
  g_assert_true (POSTE_IS_WINDOW (poste_application_get_main_window (app)));
}

static void
test_window_empty_state (void)
{
  PosteWindow *window = get_main_window ();
  g_autoptr(GPtrArray) pages = NULL;
  g_autoptr(GPtrArray) buttons = NULL;
  AdwStatusPage *page;
  GtkWidget *add_button = NULL;
  GtkWidget *header_add_button = NULL;
  g_autofree char *name = NULL;

  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, "Poste Restante");
  g_assert_true (gtk_window_get_application (GTK_WINDOW (window)) == GTK_APPLICATION (app));

  /* The empty state is there, on screen, with the product's icon. */
  g_assert_cmpstr (visible_page (window), ==, "empty");
  pages = poste_ui_test_find_descendants (GTK_WIDGET (window), ADW_TYPE_STATUS_PAGE);
  page = NULL;
  for (guint i = 0; i < pages->len; i++)
    {
      if (gtk_widget_get_mapped (g_ptr_array_index (pages, i)))
        {
          g_assert_null (page);
          page = g_ptr_array_index (pages, i);
        }
    }
  g_assert_nonnull (page);
  g_assert_cmpstr (adw_status_page_get_title (page), ==, "No Providers");
  g_assert_cmpstr (adw_status_page_get_icon_name (page), ==, APP_ID);
  g_assert_nonnull (strstr (adw_status_page_get_description (page),
                            "holds your domain’s mail until you collect it"));
  g_assert_true (gtk_icon_theme_has_icon (gtk_icon_theme_get_for_display (gtk_widget_get_display (GTK_WIDGET (window))),
                                          APP_ID));

  /* The Add Provider buttons: the empty state's and the header bar's, both on app.add-provider. */
  buttons = poste_ui_test_find_descendants (GTK_WIDGET (window), GTK_TYPE_BUTTON);
  for (guint i = 0; i < buttons->len; i++)
    {
      GtkWidget *button = g_ptr_array_index (buttons, i);

      if (g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (button)), "app.add-provider") != 0)
        continue;

      if (gtk_widget_is_ancestor (button, GTK_WIDGET (page)))
        add_button = button;
      else
        header_add_button = button;
    }

  g_assert_nonnull (add_button);
  g_assert_nonnull (header_add_button);
  g_assert_true (gtk_widget_get_mapped (add_button));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (add_button)), ==, "_Add Provider");
  g_assert_true (gtk_widget_has_css_class (add_button, "suggested-action"));

  /* Named once, without the mnemonic (test-accessibility checks every widget this way). */
  name = poste_ui_test_accessible_name (add_button);
  g_assert_cmpstr (name, ==, "Add Provider");
  g_clear_pointer (&name, g_free);
  name = poste_ui_test_accessible_name (header_add_button);
  g_assert_cmpstr (name, ==, "Add Provider");

  /* The buttons follow app.add-provider, enabled since the (missing) configuration is fine. */
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (app), "add-provider"));
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (app), "add-provider"));
  g_assert_true (gtk_widget_is_sensitive (add_button));
  g_assert_true (gtk_widget_is_sensitive (header_add_button));
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (app), "fetch-now"));
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (app), "fetch-now"));
}

static void
assert_accel (const char *action,
              const char *accel)
{
  g_auto(GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app), action);

  g_assert_true (g_strv_contains ((const char * const *)accels, accel));
}

static void
test_window_accels (void)
{
  assert_accel ("app.quit", "<Control>q");
  assert_accel ("app.preferences", "<Control>comma");
  assert_accel ("app.add-provider", "<Control>n");
  assert_accel ("app.fetch-now", "<Control>r");
  assert_accel ("win.show-help-overlay", "<Control>question");
}

static void
test_window_desktop_actions (void)
{
  g_autofree char *path = g_build_filename (poste_test_build_root (), "data", APP_ID ".desktop", NULL);
  g_autoptr(GKeyFile) desktop = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) actions = NULL;

  /* A DBusActivatable desktop file's actions are activated as the application's actions. */
  g_assert_true (g_key_file_load_from_file (desktop, path, G_KEY_FILE_NONE, &error));
  g_assert_no_error (error);
  actions = g_key_file_get_string_list (desktop, G_KEY_FILE_DESKTOP_GROUP, "Actions", NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (actions[0]);
  for (guint i = 0; actions[i] != NULL; i++)
    g_assert_true (g_action_group_has_action (G_ACTION_GROUP (app), actions[i]));
}

static gboolean
window_is_mapped (gpointer data)
{
  GType type = GPOINTER_TO_SIZE (data);
  GtkWindow *window = poste_ui_test_find_app_window (GTK_APPLICATION (app), type);

  return window != NULL && gtk_widget_get_mapped (GTK_WIDGET (window));
}

static guint
count_active_switches (GtkWidget *window)
{
  g_autoptr(GPtrArray) switches = poste_ui_test_find_descendants (window, GTK_TYPE_SWITCH);
  guint n_active = 0;

  g_assert_cmpuint (switches->len, ==, 3);
  for (guint i = 0; i < switches->len; i++)
    n_active += gtk_switch_get_active (g_ptr_array_index (switches, i));

  return n_active;
}

static void
test_window_preferences (void)
{
  PosteWindow *window = get_main_window ();
  GSettings *settings = poste_application_get_settings (app);
  g_autoptr(GPtrArray) switches = NULL;
  g_autofree char *autostart = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GtkWidget *start_at_login_row;
  GtkWindow *prefs;

  g_assert_true (G_IS_SETTINGS (settings));
  g_assert_null (poste_ui_test_find_app_window (GTK_APPLICATION (app), POSTE_TYPE_PREFERENCES_WINDOW));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "app.preferences", NULL));
  poste_ui_test_iterate_until (window_is_mapped, GSIZE_TO_POINTER (POSTE_TYPE_PREFERENCES_WINDOW));
  prefs = poste_ui_test_find_app_window (GTK_APPLICATION (app), POSTE_TYPE_PREFERENCES_WINDOW);
  g_assert_true (gtk_window_get_transient_for (prefs) == GTK_WINDOW (window));

  /* Activating it again brings back the same window rather than a second one. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "app.preferences", NULL));
  g_assert_cmpuint (g_list_length (gtk_application_get_windows (GTK_APPLICATION (app))), ==, 2);

  /* Settings to switches... */
  g_settings_set_boolean (settings, "run-in-background", FALSE);
  g_settings_set_boolean (settings, "start-at-login", FALSE);
  g_settings_set_boolean (settings, "notifications", FALSE);
  g_assert_cmpuint (count_active_switches (GTK_WIDGET (prefs)), ==, 0);
  g_settings_set_boolean (settings, "notifications", TRUE);
  g_assert_cmpuint (count_active_switches (GTK_WIDGET (prefs)), ==, 1);

  /* ...and switches to settings, and on to the application: its run-in-background property and
   * the autostart entry. Start at Login only makes sense when running in the background. */
  g_assert_false (poste_application_get_run_in_background (app));
  autostart = poste_autostart_dup_path ();
  g_assert_false (g_file_test (autostart, G_FILE_TEST_EXISTS));
  switches = poste_ui_test_find_descendants (GTK_WIDGET (prefs), GTK_TYPE_SWITCH);
  start_at_login_row = gtk_widget_get_ancestor (g_ptr_array_index (switches, 1), ADW_TYPE_ACTION_ROW);
  g_assert_false (gtk_widget_get_sensitive (start_at_login_row));
  for (guint i = 0; i < switches->len; i++)
    gtk_switch_set_active (g_ptr_array_index (switches, i), TRUE);
  g_assert_true (gtk_widget_get_sensitive (start_at_login_row));
  g_assert_true (g_settings_get_boolean (settings, "run-in-background"));
  g_assert_true (g_settings_get_boolean (settings, "start-at-login"));
  g_assert_true (g_settings_get_boolean (settings, "notifications"));
  g_assert_true (poste_application_get_run_in_background (app));
  g_assert_true (g_file_test (autostart, G_FILE_TEST_IS_REGULAR));

  for (guint i = 0; i < switches->len; i++)
    gtk_switch_set_active (g_ptr_array_index (switches, i), FALSE);
  g_assert_false (poste_application_get_run_in_background (app));
  g_assert_false (g_file_test (autostart, G_FILE_TEST_EXISTS));
  g_assert_false (gtk_widget_get_sensitive (start_at_login_row));
  g_settings_reset (settings, "notifications");
  g_assert_true (g_settings_get_boolean (settings, "notifications"));

  /* For the record (and for people reviewing the look): the preferences as they are drawn. */
  poste_ui_test_wait_for_drawn (prefs);
  texture = poste_ui_test_render_widget (GTK_WIDGET (prefs));
  g_assert_cmpuint (poste_ui_test_count_colours (texture), >, 100);
  g_free (poste_ui_test_save_screenshot (texture, "preferences"));

  poste_ui_test_destroy_and_finalize (prefs);
  g_assert_null (poste_ui_test_find_app_window (GTK_APPLICATION (app), POSTE_TYPE_PREFERENCES_WINDOW));
}

/* Checks @notes against the metainfo in the source tree, read without the application's
 * parser: the description of <release version="PACKAGE_VERSION">, element by element. */
static void
assert_release_notes (const char *notes)
{
  g_autofree char *path = g_build_filename (poste_test_source_root (), "data",
                                            APP_ID ".metainfo.xml.in", NULL);
  g_autofree char *metainfo = NULL;
  g_autoptr(GRegex) element = g_regex_new ("<(p|li)>(.*?)</\\1>", G_REGEX_DOTALL, 0, NULL);
  g_autoptr(GRegex) space = g_regex_new ("\\s+", 0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  g_autoptr(GString) expected = g_string_new (NULL);
  const char *release;
  const char *end;
  g_autofree char *description = NULL;

  g_assert_nonnull (notes);
  g_assert_true (g_file_get_contents (path, &metainfo, NULL, NULL));
  release = strstr (metainfo, "<release version=\"" PACKAGE_VERSION "\"");
  g_assert_nonnull (release);
  end = strstr (release, "</release>");
  g_assert_nonnull (end);
  description = g_strndup (release, end - release);
  g_regex_match (element, description, 0, &match);
  while (g_match_info_matches (match))
    {
      g_autofree char *tag = g_match_info_fetch (match, 1);
      g_autofree char *body = g_match_info_fetch (match, 2);
      g_autofree char *collapsed = g_regex_replace_literal (space, body, -1, 0, " ", 0, NULL);

      g_string_append_printf (expected, "<%s>%s</%s>", tag, g_strstrip (collapsed), tag);
      g_match_info_next (match, NULL);
    }
  g_assert_cmpuint (expected->len, >, 0);
  g_assert_nonnull (strstr (notes, "<ul>"));
  /* The list's own tags aside, the same elements in the same order. */
  {
    g_autoptr(GRegex) lists = g_regex_new ("</?(ul|ol)>", 0, 0, NULL);
    g_autofree char *flat = g_regex_replace_literal (lists, notes, -1, 0, "", 0, NULL);

    g_assert_cmpstr (flat, ==, expected->str);
  }
}

static void
test_window_about (void)
{
  PosteWindow *window = get_main_window ();
  GtkWindow *about;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "app.about", NULL));
  poste_ui_test_iterate_until (window_is_mapped, GSIZE_TO_POINTER (ADW_TYPE_ABOUT_WINDOW));
  about = poste_ui_test_find_app_window (GTK_APPLICATION (app), ADW_TYPE_ABOUT_WINDOW);

  g_assert_cmpstr (adw_about_window_get_application_name (ADW_ABOUT_WINDOW (about)), ==, "Poste Restante");
  g_assert_cmpstr (adw_about_window_get_version (ADW_ABOUT_WINDOW (about)), ==, PACKAGE_VERSION);
  g_assert_cmpstr (adw_about_window_get_application_icon (ADW_ABOUT_WINDOW (about)), ==, APP_ID);
  g_assert_cmpint (adw_about_window_get_license_type (ADW_ABOUT_WINDOW (about)), ==, GTK_LICENSE_GPL_3_0);
  g_assert_true (gtk_window_get_transient_for (about) == GTK_WINDOW (window));

  /* The release notes are the metainfo's for this version: every paragraph and list item of
   * its <description>, in order. */
  g_assert_cmpstr (adw_about_window_get_release_notes_version (ADW_ABOUT_WINDOW (about)), ==,
                   PACKAGE_VERSION);
  assert_release_notes (adw_about_window_get_release_notes (ADW_ABOUT_WINDOW (about)));

  poste_ui_test_destroy_and_finalize (about);
  g_assert_null (poste_ui_test_find_app_window (GTK_APPLICATION (app), ADW_TYPE_ABOUT_WINDOW));
}

static gboolean
widget_is_mapped (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

static void
test_window_shortcuts (void)
{
  PosteWindow *window = get_main_window ();
  GtkShortcutsWindow *overlay;
  g_autoptr(GPtrArray) shortcuts = NULL;
  gboolean found_fetch = FALSE;

  /* GtkApplication loaded gtk/help-overlay.ui from the resource base path. */
  overlay = gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window));
  g_assert_true (GTK_IS_SHORTCUTS_WINDOW (overlay));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-help-overlay", NULL));
  poste_ui_test_iterate_until (widget_is_mapped, overlay);

  shortcuts = poste_ui_test_find_descendants (GTK_WIDGET (overlay), GTK_TYPE_SHORTCUTS_SHORTCUT);
  g_assert_cmpuint (shortcuts->len, >=, 6);
  for (guint i = 0; i < shortcuts->len; i++)
    {
      g_autofree char *action_name = NULL;

      g_object_get (g_ptr_array_index (shortcuts, i), "action-name", &action_name, NULL);
      found_fetch |= g_strcmp0 (action_name, "app.fetch-now") == 0;
    }
  g_assert_true (found_fetch);

  gtk_widget_set_visible (GTK_WIDGET (overlay), FALSE);
  poste_ui_test_iterate_pending ();
}

static void
test_window_screenshot (void)
{
  PosteWindow *window = get_main_window ();
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GdkTexture) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  guint n_colours;

  texture = poste_ui_test_render_widget (GTK_WIDGET (window));
  g_assert_cmpint (gdk_texture_get_width (texture), ==, gtk_widget_get_width (GTK_WIDGET (window)));
  g_assert_cmpint (gdk_texture_get_height (texture), ==, gtk_widget_get_height (GTK_WIDGET (window)));

  /* A blank or single-colour window would have a handful of colours; text, the icon and the
   * button give hundreds. */
  n_colours = poste_ui_test_count_colours (texture);
  g_test_message ("the main window's screenshot has %u colours", n_colours);
  g_assert_cmpuint (n_colours, >, 200);

  path = poste_ui_test_save_screenshot (texture, "empty-state");

  /* What was written reads back as the same picture. */
  loaded = gdk_texture_new_from_filename (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_texture_get_width (loaded), ==, gdk_texture_get_width (texture));
  g_assert_cmpint (gdk_texture_get_height (loaded), ==, gdk_texture_get_height (texture));
  g_assert_cmpuint (poste_ui_test_count_colours (loaded), ==, n_colours);
}

static GtkWidget *
open_provider_dialog (PosteWindow *window)
{
  GtkWindow *dialog;

  g_assert_null (poste_ui_test_find_app_window (GTK_APPLICATION (app), POSTE_TYPE_PROVIDER_DIALOG));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "app.add-provider", NULL));
  poste_ui_test_iterate_until (window_is_mapped, GSIZE_TO_POINTER (POSTE_TYPE_PROVIDER_DIALOG));
  dialog = poste_ui_test_find_app_window (GTK_APPLICATION (app), POSTE_TYPE_PROVIDER_DIALOG);
  g_assert_true (gtk_window_get_transient_for (dialog) == GTK_WINDOW (window));
  g_assert_true (gtk_window_get_modal (dialog));

  return GTK_WIDGET (dialog);
}

static gboolean
dialog_is_gone (gpointer data)
{
  return poste_ui_test_find_app_window (GTK_APPLICATION (app), POSTE_TYPE_PROVIDER_DIALOG) == NULL;
}


static void
test_window_add_provider (void)
{
  PosteWindow *window = get_main_window ();
  g_autofree char *path = poste_config_dup_default_path ();
  g_autofree char *contents = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GError) error = NULL;
  GListModel *providers = poste_config_get_providers (poste_application_get_config (app));
  GtkWidget *dialog;
  GtkWidget *add;
  AdwActionRow *row = NULL;

  g_assert_cmpuint (g_list_model_get_n_items (providers), ==, 0);
  g_assert_cmpstr (visible_page (window), ==, "empty");

  dialog = open_provider_dialog (window);
  poste_ui_test_wait_for_drawn (GTK_WINDOW (dialog));
  add = poste_ui_test_find_button (dialog, "provider.add", NULL);
  g_assert_nonnull (add);

  /* Nothing to add until the fields describe a valid provider. */
  g_assert_false (gtk_widget_is_sensitive (add));
  poste_ui_test_set_row_text (dialog, "Name", "acme");
  poste_ui_test_set_row_text (dialog, "Server", "odmr.acme.example");
  poste_ui_test_set_row_text (dialog, "User Name", "example.org");
  poste_ui_test_set_row_text (dialog, "Port", "not a port");
  g_assert_false (gtk_widget_is_sensitive (add));
  poste_ui_test_set_row_text (dialog, "Port", "366");
  poste_ui_test_set_row_text (dialog, "Domains, separated by commas", "example.org, example.com");
  g_assert_true (gtk_widget_is_sensitive (add));

  poste_ui_test_wait_for_drawn (GTK_WINDOW (dialog));
  texture = poste_ui_test_render_widget (dialog);
  g_free (poste_ui_test_save_screenshot (texture, "add-provider"));

  /* Without a password nothing goes to the keyring: the provider is saved at once, and the
   * editor closes and is freed. */
  g_object_ref (dialog);
  g_assert_true (gtk_widget_activate_action (dialog, "provider.add", NULL));
  poste_ui_test_iterate_until (dialog_is_gone, NULL);
  g_assert_finalize_object (dialog);

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  g_test_message ("%s:\n%s", path, contents);
  g_assert_nonnull (strstr (contents, "[provider acme]"));
  g_assert_nonnull (strstr (contents, "host=odmr.acme.example"));
  g_assert_nonnull (strstr (contents, "domains=example.org;example.com"));
  g_assert_null (strstr (contents, "password"));

  /* The main window lists it in place of the empty state. */
  g_assert_cmpuint (g_list_model_get_n_items (providers), ==, 1);
  poste_ui_test_wait_for_drawn (GTK_WINDOW (window));
  g_assert_cmpstr (visible_page (window), ==, "providers");
  row = ADW_ACTION_ROW (poste_ui_test_find_row (GTK_WIDGET (window), ADW_TYPE_ACTION_ROW, "acme"));
  g_assert_nonnull (row);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (row)));
  /* Added with a schedule, it fetched at once, and (with no password) failed: the second line. */
  g_assert_true (g_str_has_prefix (adw_action_row_get_subtitle (row), "odmr.acme.example · example.org, example.com\n"));

  /* The first provider with a schedule: starting at login is offered once, and the offer's
   * button turns it on. */
  {
    GSettings *settings = poste_application_get_settings (app);
    GtkWidget *start = poste_ui_test_find_button (GTK_WIDGET (window), "app.start-at-login", NULL);

    g_assert_nonnull (start);
    g_assert_true (g_settings_get_boolean (settings, "start-at-login-offered"));
    g_assert_false (g_settings_get_boolean (settings, "start-at-login"));
    g_signal_emit_by_name (start, "clicked");
    poste_ui_test_iterate_pending ();
    g_assert_true (g_settings_get_boolean (settings, "start-at-login"));
    g_settings_set_boolean (settings, "start-at-login", FALSE);
    poste_ui_test_iterate_pending ();
  }

  g_clear_object (&texture);
  texture = poste_ui_test_render_widget (GTK_WIDGET (window));
  g_assert_cmpuint (poste_ui_test_count_colours (texture), >, 100);
  g_free (poste_ui_test_save_screenshot (texture, "providers"));

  /* A second provider of the same name is refused before anything is written. */
  dialog = open_provider_dialog (window);
  poste_ui_test_set_row_text (dialog, "Name", "acme");
  poste_ui_test_set_row_text (dialog, "Server", "odmr.other.example");
  poste_ui_test_set_row_text (dialog, "User Name", "example.net");
  add = poste_ui_test_find_button (dialog, "provider.add", NULL);
  g_assert_false (gtk_widget_is_sensitive (add));
  poste_ui_test_destroy_and_finalize (GTK_WINDOW (dialog));
  g_assert_cmpuint (g_list_model_get_n_items (providers), ==, 1);
}

/* "Trust and Pin" from either place (the window's review, the editor's test) pins through
 * one function: the file and the running configuration hold the same pin, or neither does. */
static void
test_window_pin_certificate (void)
{
  const char *pin = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  PosteProvider *acme = poste_config_lookup (poste_application_get_config (app), "acme");
  g_autofree char *path = poste_config_dup_default_path ();
  g_autofree char *contents = NULL;
  g_autofree char *pin_line = g_strconcat ("pinned-sha256=", pin, "\n", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (acme);
  g_assert_true (poste_application_pin_certificate (app, "acme", pin, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (poste_provider_get_pinned_sha256 (acme), ==, pin);
  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (contents, pin_line));
  g_clear_pointer (&contents, g_free);

  /* A pin the file refuses is not kept in memory either. */
  g_assert_false (poste_application_pin_certificate (app, "acme", "not a fingerprint", &error));
  g_assert_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INVALID_VALUE);
  g_clear_error (&error);
  g_assert_cmpstr (poste_provider_get_pinned_sha256 (acme), ==, pin);
  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (contents, pin_line));

  /* A provider removed while the dialog was open. */
  g_assert_false (poste_application_pin_certificate (app, "gone", pin, &error));
  g_assert_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_NOT_FOUND);
}

static void
test_window_add_provider_password (void)
{
  PosteWindow *window = get_main_window ();
  GListModel *providers = poste_config_get_providers (poste_application_get_config (app));
  guint n_before = g_list_model_get_n_items (providers);
  g_autofree char *path = poste_config_dup_default_path ();
  g_autofree char *contents = NULL;
  g_autofree char *password = NULL;
  g_autoptr(GError) error = NULL;
  PosteProvider *provider;
  GtkWidget *dialog;

  /* The password goes to the keyring (libsecret's file backend, set up in main()) and never
   * into the configuration file. */
  dialog = open_provider_dialog (window);
  poste_ui_test_set_row_text (dialog, "Name", "keyed");
  poste_ui_test_set_row_text (dialog, "Server", "odmr.keyed.example");
  poste_ui_test_set_row_text (dialog, "User Name", "example.net");
  poste_ui_test_set_row_text (dialog, "Domains, separated by commas", "example.net");
  poste_ui_test_set_row_text (dialog, "Password", "correct horse battery staple");
  g_assert_true (gtk_widget_is_sensitive (poste_ui_test_find_button (dialog, "provider.add", NULL)));

  g_object_ref (dialog);
  g_assert_true (gtk_widget_activate_action (dialog, "provider.add", NULL));
  poste_ui_test_iterate_until (dialog_is_gone, NULL);
  g_assert_finalize_object (dialog);

  g_assert_cmpuint (g_list_model_get_n_items (providers), ==, n_before + 1);
  provider = poste_config_lookup (poste_application_get_config (app), "keyed");
  g_assert_nonnull (provider);

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (contents, "[provider keyed]"));
  g_assert_null (strstr (contents, "correct horse"));

  password = poste_secrets_lookup_sync (provider, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (password, ==, "correct horse battery staple");
}

static gboolean
dialog_says (GtkWidget  *dialog,
             const char *text)
{
  g_autoptr(GPtrArray) labels = poste_ui_test_find_descendants (dialog, GTK_TYPE_LABEL);

  for (guint i = 0; i < labels->len; i++)
    if (strstr (gtk_label_get_text (g_ptr_array_index (labels, i)), text) != NULL)
      return TRUE;
  return FALSE;
}

/* Inside Flatpak the editor refuses, with the reason, a target the sandbox cannot reach. */
static void
test_window_add_provider_sandboxed (void)
{
  PosteWindow *window = get_main_window ();
  g_autofree char *maildir = g_build_filename (g_get_home_dir (), "Maildir", NULL);
  g_autoptr(PosteSandbox) sandbox = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *dialog;
  GtkWidget *add;
  AdwComboRow *kind = NULL;

  /* The manifest's grants, with the granted folder made as Flatpak makes it. */
  g_assert_cmpint (g_mkdir_with_parents (maildir, 0700), ==, 0);
  sandbox = poste_sandbox_new_from_data ("[Application]\nname=" APP_ID "\n"
                                         "[Context]\nshared=network;ipc;\n"
                                         "filesystems=~/Maildir:create;~/mail;\n",
                                         -1, g_get_home_dir (), &error);
  g_assert_no_error (error);
  _poste_sandbox_set_default (sandbox);

  dialog = open_provider_dialog (window);
  poste_ui_test_set_row_text (dialog, "Name", "sandboxed");
  poste_ui_test_set_row_text (dialog, "Server", "odmr.sandboxed.example");
  poste_ui_test_set_row_text (dialog, "User Name", "example.net");
  poste_ui_test_set_row_text (dialog, "Domains, separated by commas", "example.net");
  add = poste_ui_test_find_button (dialog, "provider.add", NULL);

  /* The default target, ~/Maildir, is granted. */
  g_assert_true (gtk_widget_is_sensitive (add));

  /* A folder outside the grants: refused, and the editor says why and what to do. */
  poste_ui_test_set_row_text (dialog, "Folder", "~/Documents/Maildir");
  g_assert_false (gtk_widget_is_sensitive (add));
  g_assert_true (dialog_says (dialog, "cannot be reached from inside the Flatpak sandbox"));
  g_assert_true (dialog_says (dialog, "flatpak override --user --filesystem=~/Documents/Maildir"));

  /* A delivery program: never inside the sandbox. */
  kind = ADW_COMBO_ROW (poste_ui_test_find_row (dialog, ADW_TYPE_COMBO_ROW, "Deliver To"));
  g_assert_nonnull (kind);
  adw_combo_row_set_selected (kind, 3);
  poste_ui_test_set_row_text (dialog, "Command (%F is the sender, %T the recipient)", "/usr/bin/procmail -f %F");
  g_assert_false (gtk_widget_is_sensitive (add));
  g_assert_true (dialog_says (dialog, "A mail delivery program cannot be used from the Flatpak"));

  /* Back to a granted folder: accepted again. */
  adw_combo_row_set_selected (kind, 0);
  poste_ui_test_set_row_text (dialog, "Folder", "~/Maildir/.Lists");
  g_assert_true (gtk_widget_is_sensitive (add));

  poste_ui_test_destroy_and_finalize (GTK_WINDOW (dialog));
  _poste_sandbox_reset_default ();
}

static void
test_window_quit (void)
{
  PosteWindow *window = g_object_ref (get_main_window ());

  /* Quitting closes the main window, and nothing keeps it alive. */
  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
  poste_ui_test_iterate_pending ();
  g_assert_null (gtk_application_get_windows (GTK_APPLICATION (app)));
  g_assert_finalize_object (window);
}

/* Refused for good (5xx) is "returned to the sender by the provider", never "left with the
 * provider" and never just "no mail"; 4xx alone is not worth more than the usual words. */
static void
test_window_describe_returned (void)
{
  g_autoptr(PosteSessionReport) report = poste_session_report_new ("acme");
  g_autofree char *only_returned = NULL;
  g_autofree char *with_mail = NULL;
  g_autofree char *deferred = NULL;

  report->outcome = POSTE_SESSION_OUTCOME_NO_MAIL;
  report->returned = 1;
  report->refused = 1;
  only_returned = poste_window_describe_report (report);
  g_assert_cmpstr (only_returned, ==, "1 refused, returned to the sender by the provider");

  report->outcome = POSTE_SESSION_OUTCOME_MAIL;
  report->messages = 2;
  report->bytes = 2000;
  with_mail = poste_window_describe_report (report);
  g_assert_cmpstr (with_mail, ==,
                   "2 messages, 2.0\u00a0kB; 1 refused, returned to the sender by the provider");

  report->outcome = POSTE_SESSION_OUTCOME_NO_MAIL;
  report->messages = 0;
  report->returned = 0;
  report->deferred = 1;
  deferred = poste_window_describe_report (report);
  g_assert_cmpstr (deferred, ==, "No new mail");
  g_assert_null (strstr (deferred, "returned"));
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  poste_ui_test_init (&argc, &argv, "test-window");

  g_test_add_func ("/ui/window/startup", test_window_startup);
  g_test_add_func ("/ui/window/empty-state", test_window_empty_state);
  g_test_add_func ("/ui/window/accels", test_window_accels);
  g_test_add_func ("/ui/window/desktop-actions", test_window_desktop_actions);
  g_test_add_func ("/ui/window/screenshot", test_window_screenshot);
  g_test_add_func ("/ui/window/preferences", test_window_preferences);
  g_test_add_func ("/ui/window/about", test_window_about);
  g_test_add_func ("/ui/window/shortcuts", test_window_shortcuts);
  g_test_add_func ("/ui/window/add-provider", test_window_add_provider);
  g_test_add_func ("/ui/window/pin-certificate", test_window_pin_certificate);
  g_test_add_func ("/ui/window/add-provider-password", test_window_add_provider_password);
  g_test_add_func ("/ui/window/add-provider-sandboxed", test_window_add_provider_sandboxed);
  g_test_add_func ("/ui/window/quit", test_window_quit);
  g_test_add_func ("/ui/window/describe-returned", test_window_describe_returned);

  ret = g_test_run ();

  g_clear_object (&app);
  return ret;
}
