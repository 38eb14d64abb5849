/* test-autostart.c: the XDG autostart entry behind the start-at-login preference
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "poste-test.h"
#include "poste-autostart.h"

static void
test_autostart_enable_disable (void)
{
  g_autofree char *path = poste_autostart_dup_path ();
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *exec = NULL;
  g_autofree char *stdout_buf = NULL;
  g_autofree char *stderr_buf = NULL;
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  const char *argv[] = { "desktop-file-validate", NULL, NULL };
  GStatBuf st;
  int wait_status = -1;

  /* In the test's private configuration folder, never the real one. */
  g_assert_true (g_str_has_prefix (path, g_get_user_config_dir ()));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  g_assert_true (poste_autostart_set_enabled (TRUE, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0644);

  g_assert_true (g_key_file_load_from_file (key_file, path, G_KEY_FILE_NONE, &error));
  g_assert_no_error (error);
  exec = g_key_file_get_string (key_file, G_KEY_FILE_DESKTOP_GROUP, G_KEY_FILE_DESKTOP_KEY_EXEC, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (exec, ==, "poste-restante --gapplication-service");
  g_assert_true (g_key_file_get_boolean (key_file, G_KEY_FILE_DESKTOP_GROUP, "X-GNOME-Autostart-enabled", &error));
  g_assert_no_error (error);

  /* A valid desktop entry, by the same validator as data/'s. */
  argv[1] = path;
  g_assert_true (g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               &stdout_buf, &stderr_buf, &wait_status, &error));
  g_assert_no_error (error);
  g_test_message ("desktop-file-validate: %s%s", stdout_buf, stderr_buf);
  g_assert_true (g_spawn_check_wait_status (wait_status, &error));
  g_assert_no_error (error);

  /* Enabling again leaves the same entry. */
  g_assert_true (g_file_get_contents (path, &first, NULL, &error));
  g_assert_true (poste_autostart_set_enabled (TRUE, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &second, NULL, &error));
  g_assert_cmpstr (first, ==, second);

  g_assert_true (poste_autostart_set_enabled (FALSE, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  /* Disabling what is not there is fine. */
  g_assert_true (poste_autostart_set_enabled (FALSE, &error));
  g_assert_no_error (error);
}

static void
test_autostart_error (void)
{
  g_autofree char *path = poste_autostart_dup_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;

  /* Something that is not a folder where the autostart folder should be. */
  g_assert_cmpint (g_mkdir_with_parents (g_get_user_config_dir (), 0700), ==, 0);
  g_assert_true (g_file_set_contents (dir, "not a folder", -1, &error));
  g_assert_no_error (error);

  g_assert_false (poste_autostart_set_enabled (TRUE, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOTDIR);
  g_assert_nonnull (strstr (error->message, dir));
}

int
main (int   argc,
      char *argv[])
{
  poste_test_init (&argc, &argv);

  g_test_add_func ("/ui/autostart/enable-disable", test_autostart_enable_disable);
  g_test_add_func ("/ui/autostart/error", test_autostart_error);

  return g_test_run ();
}
