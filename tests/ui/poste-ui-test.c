/* poste-ui-test.c: what the UI test programs share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "poste-test.h"
#include "poste-ui-test.h"

/**
 * poste_ui_test_init:
 * @argc: the program's argc
 * @argv: the program's argv
 * @name: the test program's name, for its keyring file
 *
 * poste_test_init(), plus what a GTK test needs on top of it, before GTK starts:
 * - the system's shared MIME database: GTK picks the loader for an SVG icon by the data's MIME
 *   type, and G_TEST_OPTION_ISOLATE_DIRS hides XDG_DATA_DIRS;
 * - GTK's test accessibility backend, which keeps every accessible property with no bus;
 * - libsecret's file backend in the build tree, instead of a keyring daemon that the private
 *   session bus would start (and that would prompt).
 */
void
poste_ui_test_init (int          *argc,
                    char       ***argv,
                    const char   *name)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) mime_dirs = NULL;
  g_autofree char *keyring_dir = NULL;
  g_autofree char *keyring_file = NULL;
  g_autofree char *keyring = NULL;

  for (const char * const *dir = g_get_system_data_dirs (); *dir != NULL; dir++)
    {
      g_autofree char *mime_dir = g_build_filename (*dir, "mime", NULL);

      g_strv_builder_add (builder, mime_dir);
    }
  mime_dirs = g_strv_builder_end (builder);

  poste_test_init (argc, argv);

  g_content_type_set_mime_dirs ((const char * const *)mime_dirs);
  g_setenv ("GTK_A11Y", "test", TRUE);

  keyring_dir = g_build_filename (poste_test_build_root (), "tests", "ui", "keyring", NULL);
  g_assert_cmpint (g_mkdir_with_parents (keyring_dir, 0700), ==, 0);
  keyring_file = g_strconcat (name, ".keyring", NULL);
  keyring = g_build_filename (keyring_dir, keyring_file, NULL);
  g_unlink (keyring);
  g_setenv ("SECRET_BACKEND", "file", TRUE);
  g_setenv ("SECRET_FILE_TEST_PATH", keyring, TRUE);
  g_setenv ("SECRET_FILE_TEST_PASSWORD", name, TRUE);
}
