/* test-config-error.c: a configuration file that cannot be read is shown, and kept
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The application starts over a broken configuration file: the main window says what is wrong
 * (with the file and line from PosteConfig's error), Add Provider is disabled so that nothing
 * can write an empty configuration over the user's file, and the file is left as it was.
 */
#include "config.h"

#include <glib/gstdio.h>

#include "poste-test.h"
#include "poste-ui-test.h"
#include "poste-application.h"
#include "poste-config.h"
#include "poste-window.h"

static const char broken[] =
  "[provider acme]\n"
  "host=odmr.acme.example\n"
  "colour=blue\n";

static gboolean
is_mapped (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

static void
test_config_error_shown (void)
{
  g_autoptr(PosteApplication) app = NULL;
  g_autoptr(GPtrArray) pages = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = poste_config_dup_default_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *after = NULL;
  const GError *config_error;
  AdwStatusPage *page = NULL;
  PosteWindow *window;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, broken, -1, &error));
  g_assert_no_error (error);

  app = poste_application_new (APP_ID, G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);

  config_error = poste_application_get_config_error (app);
  g_assert_nonnull (config_error);
  g_test_message ("%s", config_error->message);
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (app), "add-provider"));

  g_application_activate (G_APPLICATION (app));
  window = poste_application_get_main_window (app);
  g_assert_nonnull (window);
  poste_ui_test_iterate_until (is_mapped, window);

  /* The one status page on screen is the error, with PosteConfig's message. */
  pages = poste_ui_test_find_descendants (GTK_WIDGET (window), ADW_TYPE_STATUS_PAGE);
  for (guint i = 0; i < pages->len; i++)
    {
      if (gtk_widget_get_mapped (g_ptr_array_index (pages, i)))
        {
          g_assert_null (page);
          page = g_ptr_array_index (pages, i);
        }
    }
  g_assert_nonnull (page);
  g_assert_cmpstr (adw_status_page_get_title (page), ==, "Could Not Read the Configuration");
  g_assert_cmpstr (adw_status_page_get_description (page), ==, config_error->message);

  /* Add Provider cannot run, and the user's file is untouched. */
  gtk_widget_activate_action (GTK_WIDGET (window), "app.add-provider", NULL);
  poste_ui_test_iterate_pending ();
  g_assert_cmpuint (g_list_length (gtk_application_get_windows (GTK_APPLICATION (app))), ==, 1);
  g_file_get_contents (path, &after, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (after, ==, broken);

  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
  poste_ui_test_iterate_pending ();
  g_assert_null (gtk_application_get_windows (GTK_APPLICATION (app)));
}

int
main (int   argc,
      char *argv[])
{
  poste_ui_test_init (&argc, &argv, "test-config-error");

  g_test_add_func ("/ui/config-error/shown", test_config_error_shown);

  return g_test_run ();
}
