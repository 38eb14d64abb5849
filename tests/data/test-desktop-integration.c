/* test-desktop-integration.c: the built data files agree with the application id
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The validators (desktop-file-validate, appstreamcli, glib-compile-schemas) check each file's
 * format; this checks that the files agree with one another and with the program: the desktop
 * file's name, Icon, Exec, D-Bus activation and actions, the D-Bus service, the metainfo's id and
 * launchable, the compiled schema, the icons, and that translations were merged.
 */
#include "config.h"

#include "poste-test.h"

static char *
build_path (const char *name)
{
  return g_build_filename (poste_test_build_root (), "data", name, NULL);
}

static GKeyFile *
load_key_file (const char *name)
{
  g_autofree char *path = build_path (name);
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(GError) error = NULL;

  g_key_file_load_from_file (key_file, path, G_KEY_FILE_KEEP_TRANSLATIONS, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&key_file);
}

static void
test_desktop_file (void)
{
  g_autoptr(GKeyFile) desktop = load_key_file (APP_ID ".desktop");
  g_autoptr(GError) error = NULL;
  g_autofree char *exec = NULL;
  g_autofree char *icon = NULL;
  g_autofree char *action_exec = NULL;
  g_autofree char *comment = NULL;
  g_autofree char *comment_fr = NULL;
  g_auto(GStrv) argv = NULL;
  g_auto(GStrv) actions = NULL;
  gsize n_actions = 0;

  g_assert_true (g_key_file_get_boolean (desktop, "Desktop Entry", "DBusActivatable", &error));
  g_assert_no_error (error);
  /* One main window (the application lives in the tray): docks offer no "New Window". */
  g_assert_true (g_key_file_get_boolean (desktop, "Desktop Entry", "SingleMainWindow", &error));
  g_assert_no_error (error);

  icon = g_key_file_get_string (desktop, "Desktop Entry", "Icon", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (icon, ==, APP_ID);

  exec = g_key_file_get_string (desktop, "Desktop Entry", "Exec", &error);
  g_assert_no_error (error);
  g_assert_true (g_shell_parse_argv (exec, NULL, &argv, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (argv[0], ==, "poste-restante");
  g_clear_pointer (&argv, g_strfreev);

  /* Every desktop action is a GApplication action of the same name, and its Exec reaches it. */
  actions = g_key_file_get_string_list (desktop, "Desktop Entry", "Actions", &n_actions, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n_actions, ==, 1);
  g_assert_cmpstr (actions[0], ==, "fetch-now");
  g_assert_true (g_key_file_has_group (desktop, "Desktop Action fetch-now"));
  action_exec = g_key_file_get_string (desktop, "Desktop Action fetch-now", "Exec", &error);
  g_assert_no_error (error);
  g_assert_true (g_shell_parse_argv (action_exec, NULL, &argv, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (argv[0], ==, "poste-restante");
  g_assert_cmpstr (argv[1], ==, "--fetch-now");
  g_assert_null (argv[2]);

  /* i18n.merge_file merged the French translation. */
  comment = g_key_file_get_value (desktop, "Desktop Entry", "Comment", &error);
  g_assert_no_error (error);
  comment_fr = g_key_file_get_value (desktop, "Desktop Entry", "Comment[fr]", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (comment_fr, !=, comment);
}

static void
test_dbus_service (void)
{
  g_autoptr(GKeyFile) service = load_key_file (APP_ID ".service");
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *exec = NULL;
  g_auto(GStrv) argv = NULL;
  g_autofree char *basename = NULL;

  /* DBusActivatable=true means the session bus starts us by the application id. */
  name = g_key_file_get_string (service, "D-BUS Service", "Name", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (name, ==, APP_ID);

  exec = g_key_file_get_string (service, "D-BUS Service", "Exec", &error);
  g_assert_no_error (error);
  g_assert_true (g_shell_parse_argv (exec, NULL, &argv, &error));
  g_assert_no_error (error);
  g_assert_true (g_path_is_absolute (argv[0]));
  basename = g_path_get_basename (argv[0]);
  g_assert_cmpstr (basename, ==, "poste-restante");
  g_assert_cmpstr (argv[1], ==, "--gapplication-service");
  g_assert_null (argv[2]);
}

static void
test_metainfo (void)
{
  g_autofree char *path = build_path (APP_ID ".metainfo.xml");
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);

  g_assert_nonnull (strstr (contents, "<id>" APP_ID "</id>"));
  g_assert_nonnull (strstr (contents, "<launchable type=\"desktop-id\">" APP_ID ".desktop</launchable>"));
  g_assert_nonnull (strstr (contents, "<binary>poste-restante</binary>"));
  g_assert_nonnull (strstr (contents, "<binary>poste-restante-cli</binary>"));
  g_assert_nonnull (strstr (contents, "<release version=\"" PACKAGE_VERSION "\""));
  g_assert_nonnull (strstr (contents, "<translation type=\"gettext\">" GETTEXT_PACKAGE "</translation>"));
  /* The French summary was merged in. */
  g_assert_nonnull (strstr (contents, "<summary xml:lang=\"fr\">"));
}

static void
test_screenshot_in_tree (void)
{
  g_autofree char *path = g_build_filename (poste_test_source_root (), "data", "screenshots",
                                            "main-window.png", NULL);
  g_autofree char *contents = NULL;
  gsize length = 0;
  g_autoptr(GError) error = NULL;
  static const guchar png_magic[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

  /* The metainfo points at this file on the project's repository. */
  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (length, >, sizeof png_magic);
  g_assert_cmpmem (contents, sizeof png_magic, png_magic, sizeof png_magic);
}

static void
test_schema (void)
{
  g_autoptr(GSettingsSchemaSource) source = NULL;
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_build_filename (poste_test_build_root (), "data", NULL);
  static const struct {
    const char *key;
    const char *type;
  } keys[] = {
    { "run-in-background", "b" },
    { "background-explained", "b" },
    { "start-at-login", "b" },
    { "notifications", "b" },
    { "window-width", "i" },
    { "window-height", "i" },
    { "window-maximized", "b" },
  };

  /* The schema compiled into the build tree, the one tests run with. */
  source = g_settings_schema_source_new_from_directory (dir, NULL, TRUE, &error);
  g_assert_no_error (error);
  schema = g_settings_schema_source_lookup (source, APP_ID, FALSE);
  g_assert_nonnull (schema);
  g_assert_cmpstr (g_settings_schema_get_path (schema), ==, "/io/github/posterestante/PosteRestante/");

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      g_autoptr(GSettingsSchemaKey) key = NULL;

      g_assert_true (g_settings_schema_has_key (schema, keys[i].key));
      key = g_settings_schema_get_key (schema, keys[i].key);
      g_assert_cmpstr (g_variant_type_peek_string (g_settings_schema_key_get_value_type (key)),
                       ==, keys[i].type);
    }

  /* The schedules are the point of the application: closing its window must not stop them. */
  {
    g_autoptr(GSettingsSchemaKey) key = g_settings_schema_get_key (schema, "run-in-background");
    g_autoptr(GVariant) value = g_settings_schema_key_get_default_value (key);

    g_assert_true (g_variant_get_boolean (value));
  }
}

static void
assert_svg (const char *relative,
            const char *must_contain)
{
  g_autofree char *path = g_build_filename (poste_test_source_root (), "data", "icons", "hicolor",
                                            relative, NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (contents, "<?xml"));
  g_assert_nonnull (strstr (contents, "<svg"));
  g_assert_nonnull (strstr (contents, must_contain));
}

static void
test_icons (void)
{
  assert_svg ("scalable/apps/" APP_ID ".svg", "viewBox=\"0 0 128 128\"");
  /* A symbolic icon is 16×16 and drawn in the one colour GTK recolours. */
  assert_svg ("symbolic/apps/" APP_ID "-symbolic.svg", "viewBox=\"0 0 16 16\"");
  assert_svg ("symbolic/apps/" APP_ID "-symbolic.svg", "fill=\"#2e3436\"");
}

int
main (int   argc,
      char *argv[])
{
  poste_test_init (&argc, &argv);

  g_test_add_func ("/data/desktop-file", test_desktop_file);
  g_test_add_func ("/data/dbus-service", test_dbus_service);
  g_test_add_func ("/data/metainfo", test_metainfo);
  g_test_add_func ("/data/screenshot", test_screenshot_in_tree);
  g_test_add_func ("/data/schema", test_schema);
  g_test_add_func ("/data/icons", test_icons);

  return g_test_run ();
}
