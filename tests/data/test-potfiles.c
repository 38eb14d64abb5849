/* test-potfiles.c: po/POTFILES.in lists every source file with translatable strings
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A file with strings marked for translation that is missing from POTFILES.in never reaches the
 * translators; a listed file that is gone breaks `ninja poste-restante-pot`. Both are checked
 * against the source tree as it is.
 */
#include "config.h"

#include <string.h>

#include "poste-test.h"

static GPtrArray *
read_potfiles (void)
{
  g_autofree char *path = g_build_filename (poste_test_source_root (), "po", "POTFILES.in", NULL);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *files = g_ptr_array_new_with_free_func (g_free);

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = g_strstrip (lines[i]);

      if (*line == '\0' || *line == '#')
        continue;
      g_ptr_array_add (files, g_strdup (line));
    }

  return files;
}

static gboolean
has_marked_strings (const char *path)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);

  if (g_str_has_suffix (path, ".ui"))
    return strstr (contents, "translatable=\"yes\"") != NULL;

  /* _("…"), N_("…"), C_("ctx", "…"), NC_(…), and the ngettext family, with or without a
   * space or a line break before the string; not some_identifier_("…"). */
  return g_regex_match_simple ("(?<![A-Za-z0-9_])(?:N|C|NC)?_\\s*\\(\\s*\""
                               "|(?<![A-Za-z0-9_])(?:g_)?d?n?gettext\\s*\\(",
                               contents, 0, 0);
}

static void
collect_marked (const char *root,
                const char *relative,
                GPtrArray  *found)
{
  g_autofree char *path = g_build_filename (root, relative, NULL);
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) error = NULL;
  const char *name;

  dir = g_dir_open (path, 0, &error);
  g_assert_no_error (error);

  while ((name = g_dir_read_name (dir)))
    {
      g_autofree char *child_rel = g_build_filename (relative, name, NULL);
      g_autofree char *child = g_build_filename (root, child_rel, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        collect_marked (root, child_rel, found);
      else if ((g_str_has_suffix (name, ".c") || g_str_has_suffix (name, ".ui")) &&
               has_marked_strings (child))
        g_ptr_array_add (found, g_steal_pointer (&child_rel));
    }
}

static gboolean
str_in_array (GPtrArray  *array,
              const char *str)
{
  for (guint i = 0; i < array->len; i++)
    {
      if (g_str_equal (g_ptr_array_index (array, i), str))
        return TRUE;
    }

  return FALSE;
}

static void
test_potfiles_complete (void)
{
  g_autoptr(GPtrArray) listed = read_potfiles ();
  g_autoptr(GPtrArray) marked = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) missing = g_string_new (NULL);

  collect_marked (poste_test_source_root (), "src", marked);
  g_assert_cmpuint (marked->len, >, 0);

  for (guint i = 0; i < marked->len; i++)
    {
      const char *file = g_ptr_array_index (marked, i);

      if (!str_in_array (listed, file))
        g_string_append_printf (missing, " %s", file);
    }

  if (missing->len > 0)
    g_test_message ("marked strings, but not in po/POTFILES.in:%s", missing->str);
  g_assert_cmpstr (missing->str, ==, "");
}

static void
test_potfiles_exist (void)
{
  g_autoptr(GPtrArray) listed = read_potfiles ();

  g_assert_cmpuint (listed->len, >, 0);
  for (guint i = 0; i < listed->len; i++)
    {
      g_autofree char *path = g_build_filename (poste_test_source_root (),
                                                (const char *)g_ptr_array_index (listed, i), NULL);

      g_test_message ("%s", path);
      g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
    }
}

int
main (int   argc,
      char *argv[])
{
  poste_test_init (&argc, &argv);

  g_test_add_func ("/data/potfiles/complete", test_potfiles_complete);
  g_test_add_func ("/data/potfiles/exist", test_potfiles_exist);

  return g_test_run ();
}
