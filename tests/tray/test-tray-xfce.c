/* test-tray-xfce.c: the tray icon on a real host, Xfce's panel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs under dbus-run-session and Xvfb (the 'ui' suite) with Debian 12's xfwm4 and xfce4-panel,
 * whose systray plugin is both the StatusNotifierWatcher and a StatusNotifierItem host. The
 * panel has that one plugin, from an xfconf channel file in a private configuration folder. The
 * real poste-restante program runs from the build tree, with its own private home, on a
 * configuration whose provider is a PosteTestProvider (its own thread, 127.0.0.1, STARTTLS) and
 * a history whose last fetch failed. The test then does what a user does with the panel, through
 * the same D-Bus calls the panel makes:
 * - the icon appears: the watcher lists our item, the item needs attention (from the history),
 *   and a screenshot of the panel shows our icon's colours (saved in the build tree);
 * - the menu's Fetch Now (dbusmenu Event "clicked") fetches the held message into the Maildir,
 *   and the item is idle again; Send Now is insensitive until a message is queued;
 * - the icon comes back when the panel restarts;
 * - Quit ends the program and the item leaves the watcher's list.
 * Without xfce4-panel or xfwm4 installed (tools/install-deps installs them) the test is skipped;
 * for no other reason.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <string.h>

#include "dbusmenu-reader.h"
#include "poste-history.h"
#include "poste-session.h"
#include "poste-test.h"
#include "poste-test-cert.h"
#include "poste-test-provider.h"

#define PASSWORD "s3cret horse"
#define WATCHER_NAME "org.kde.StatusNotifierWatcher"
#define WATCHER_PATH "/StatusNotifierWatcher"
#define ITEM_INTERFACE "org.kde.StatusNotifierItem"
#define MENU_INTERFACE "com.canonical.dbusmenu"
/* acme's last fetch in the history, before the program starts. */
#define HISTORY_FAILURE "Could not connect: Connection refused"
/* The panel's height, and the strip of the screen it takes (the top). */
#define PANEL_SIZE 32

static const char *domains[] = { "example.org", NULL };

static char *dir;
static char *home;
static char *maildir;
static PosteTestCert *cert;
static PosteTestProvider *provider;
static GDBusConnection *bus;
static GSubprocessLauncher *launcher;
static GSubprocess *window_manager;
static GSubprocess *panel;
static GSubprocess *app;
/* The item as the watcher lists it: "<bus name>/<object path>". */
static char *item_service;
static char *item_name;
static char *item_path;
static char *menu_path;
/* The system's data folders (icon themes, the MIME database), as they were before
 * poste_test_init() isolated this process's. */
static char *system_data_dirs;

/* Helpers */

static gboolean
timed_out (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Lets the main context run for @ms milliseconds: what happens elsewhere (the panel, the
 * program, the provider's thread) is only seen by asking again, and this is the pause between
 * two questions, never a wait for something to be done. */
static void
pause_between_polls (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, timed_out, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

typedef gboolean (*Condition) (void);

/* Asks @condition again every 100 ms until it holds; the suite's timeout is the only limit. */
static void
poll_until (Condition   condition,
            const char *what)
{
  g_test_message ("waiting until %s", what);
  while (!condition ())
    {
      /* A host that died will never answer: say so rather than wait for the suite's timeout. */
      if (panel != NULL && g_subprocess_get_identifier (panel) == NULL)
        g_error ("xfce4-panel exited while waiting until %s (see %s/panel.log)", what, dir);
      pause_between_polls (100);
    }
}

static GVariant *
call (const char         *destination,
      const char         *path,
      const char         *interface,
      const char         *method,
      GVariant           *parameters,
      const GVariantType *reply_type,
      GError            **error)
{
  /* The program answers from its own process: a blocking call is fine here. */
  return g_dbus_connection_call_sync (bus, destination, path, interface, method, parameters,
                                      reply_type, G_DBUS_CALL_FLAGS_NO_AUTO_START, 30000, NULL,
                                      error);
}

static GVariant *
get_property (const char *destination,
              const char *path,
              const char *interface,
              const char *name,
              GError    **error)
{
  g_autoptr(GVariant) reply = call (destination, path, "org.freedesktop.DBus.Properties", "Get",
                                    g_variant_new ("(ss)", interface, name),
                                    G_VARIANT_TYPE ("(v)"), error);
  GVariant *value = NULL;

  if (reply != NULL)
    g_variant_get (reply, "(v)", &value);
  return value;
}

static char *
item_string (const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) value = get_property (item_name, item_path, ITEM_INTERFACE, name, &error);

  g_assert_no_error (error);
  return g_variant_dup_string (value, NULL);
}

/* The watcher's list, or NULL while no watcher is there. */
static GStrv
registered_items (void)
{
  g_autoptr(GVariant) value = get_property (WATCHER_NAME, WATCHER_PATH, WATCHER_NAME,
                                            "RegisteredStatusNotifierItems", NULL);

  return value != NULL ? g_variant_dup_strv (value, NULL) : NULL;
}

static char *
app_unique_name (void)
{
  g_autoptr(GVariant) reply = call ("org.freedesktop.DBus", "/org/freedesktop/DBus",
                                    "org.freedesktop.DBus", "GetNameOwner",
                                    g_variant_new ("(s)", APP_ID), G_VARIANT_TYPE ("(s)"), NULL);
  char *owner = NULL;

  if (reply != NULL)
    g_variant_get (reply, "(s)", &owner);
  return owner;
}

/* Whether the watcher lists the program's item (and notes it). */
static gboolean
item_listed (void)
{
  g_auto(GStrv) items = registered_items ();
  g_autofree char *owner = app_unique_name ();

  g_clear_pointer (&item_service, g_free);
  for (guint i = 0; owner != NULL && items != NULL && items[i] != NULL; i++)
    if (g_str_has_prefix (items[i], owner) && items[i][strlen (owner)] == '/')
      {
        item_service = g_strdup (items[i]);
        g_free (item_name);
        g_free (item_path);
        item_name = g_strdup (owner);
        item_path = g_strdup (items[i] + strlen (owner));
        return TRUE;
      }
  return FALSE;
}

static gboolean
item_not_listed (void)
{
  g_auto(GStrv) items = registered_items ();

  if (items == NULL)
    return FALSE;
  for (guint i = 0; items[i] != NULL; i++)
    if (g_strcmp0 (items[i], item_service) == 0)
      return FALSE;
  return TRUE;
}

static gboolean
watcher_present (void)
{
  g_auto(GStrv) items = registered_items ();

  return items != NULL;
}

static gboolean
watcher_absent (void)
{
  return !watcher_present ();
}

/* Menu */

/* The id of the top-level item labelled @label, and whether it is enabled. */
static int
find_menu_item (const char *label,
                gboolean   *enabled)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GArray) items = NULL;
  g_autoptr(GError) error = NULL;
  const DbusmenuItem *item;

  reply = call (item_name, menu_path, MENU_INTERFACE, "GetLayout",
                dbusmenu_reader_new_layout_parameters (0), DBUSMENU_LAYOUT_TYPE, &error);
  g_assert_no_error (error);
  items = dbusmenu_reader_read_layout (reply, NULL, NULL, NULL);
  item = dbusmenu_reader_find_item (items, label);
  g_assert_cmpint (item->id, >=, 0);
  if (enabled != NULL)
    *enabled = item->enabled;
  return item->id;
}

/* As the panel does when the menu opens, then when an item is clicked. */
static void
click (const char *label)
{
  g_autoptr(GVariant) shown = NULL;
  g_autoptr(GVariant) done = NULL;
  g_autoptr(GError) error = NULL;
  int id = find_menu_item (label, NULL);

  shown = call (item_name, menu_path, MENU_INTERFACE, "AboutToShow", g_variant_new ("(i)", 0),
                G_VARIANT_TYPE ("(b)"), &error);
  g_assert_no_error (error);
  done = call (item_name, menu_path, MENU_INTERFACE, "Event",
               g_variant_new ("(isvu)", id, "clicked", g_variant_new_string (""),
                              (guint32) (g_get_real_time () / 1000)),
               NULL, &error);
  g_assert_no_error (error);
}

static gboolean
menu_item_enabled (const char *label)
{
  g_autoptr(GVariant) shown = NULL;
  g_autoptr(GError) error = NULL;
  gboolean enabled = FALSE;

  shown = call (item_name, menu_path, MENU_INTERFACE, "AboutToShow", g_variant_new ("(i)", 0),
                G_VARIANT_TYPE ("(b)"), &error);
  g_assert_no_error (error);
  find_menu_item (label, &enabled);
  return enabled;
}

/* Screenshots */

/* Takes a screenshot of the screen (ImageMagick's import, a real X client like any other),
 * keeps the panel's strip as <build>/tests/ui/screenshots/@name.png, and counts its pixels of
 * our icon's stamp blue (#62a0ea) or its attention badge red (#c01c28). */
static guint
panel_screenshot (const char *name)
{
  g_autofree char *shots = g_build_filename (g_getenv ("POSTE_BUILD_ROOT"), "tests", "ui",
                                             "screenshots", NULL);
  g_autofree char *file = g_strconcat (name, ".png", NULL);
  g_autofree char *path = g_build_filename (shots, file, NULL);
  g_autofree char *screen = g_build_filename (dir, "screen.png", NULL);
  g_autoptr(GSubprocess) import = NULL;
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autoptr(GdkPixbuf) strip = NULL;
  g_autoptr(GError) error = NULL;
  const guint8 *pixels;
  int channels, stride;
  guint ours = 0;

  import = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, "import", "-window", "root", screen,
                             NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait_check (import, NULL, &error));
  g_assert_no_error (error);
  pixbuf = gdk_pixbuf_new_from_file (screen, &error);
  g_assert_no_error (error);

  strip = gdk_pixbuf_new_subpixbuf (pixbuf, 0, 0, gdk_pixbuf_get_width (pixbuf), PANEL_SIZE);
  g_assert_cmpint (g_mkdir_with_parents (shots, 0755), ==, 0);
  g_assert_true (gdk_pixbuf_save (strip, path, "png", &error, NULL));
  g_assert_no_error (error);

  pixels = gdk_pixbuf_read_pixels (strip);
  channels = gdk_pixbuf_get_n_channels (strip);
  stride = gdk_pixbuf_get_rowstride (strip);
  for (int y = 0; y < PANEL_SIZE; y++)
    for (int x = 0; x < gdk_pixbuf_get_width (strip); x++)
      {
        const guint8 *p = pixels + y * stride + x * channels;

#define NEAR(v, w) (ABS ((int) (v) - (w)) <= 24)
        if ((NEAR (p[0], 0x62) && NEAR (p[1], 0xa0) && NEAR (p[2], 0xea)) ||
            (NEAR (p[0], 0xc0) && NEAR (p[1], 0x1c) && NEAR (p[2], 0x28)))
          ours++;
#undef NEAR
      }
  g_test_message ("screenshot of the panel saved to %s: %u pixels of our icon", path, ours);
  return ours;
}

/* The screenshot's name, for panel_shows_icon(). */
static const char *screenshot_name;

static gboolean
panel_shows_icon (void)
{
  return panel_screenshot (screenshot_name) >= 4;
}

/* Processes */

static GSubprocess *
spawn (const char * const *argv,
       const char         *log_name)
{
  g_autofree char *log = g_build_filename (dir, log_name, NULL);
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  /* Their output goes to files in the test's folder, read when something fails. */
  g_subprocess_launcher_set_stdout_file_path (launcher, log);
  g_subprocess_launcher_take_stderr_fd (launcher, -1);
  g_subprocess_launcher_set_flags (launcher, G_SUBPROCESS_FLAGS_STDERR_MERGE);
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  return process;
}

static void
start_panel (void)
{
  const char *argv[] = { "xfce4-panel", "--disable-wm-check", NULL };

  g_clear_object (&panel);
  panel = spawn (argv, "panel.log");
  poll_until (watcher_present, "the panel's systray is the StatusNotifierWatcher");
}

/* The xfconf daemon is started by the bus for the panel: it must read our folders. */
static void
set_activation_environment (void)
{
  g_autoptr(GVariantBuilder) env = g_variant_builder_new (G_VARIANT_TYPE ("a{ss}"));
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  const char *names[] = { "HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME",
                          "XDG_STATE_HOME", "XDG_CONFIG_DIRS", "XDG_DATA_DIRS" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    g_variant_builder_add (env, "{ss}", names[i],
                           g_subprocess_launcher_getenv (launcher, names[i]));
  reply = call ("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                "UpdateActivationEnvironment", g_variant_new ("(a{ss})", env), NULL, &error);
  g_assert_no_error (error);
}

static void
write_file (const char *path,
            const char *contents,
            int         mode)
{
  g_autofree char *parent = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (parent, 0700), ==, 0);
  g_file_set_contents_full (path, contents, -1, G_FILE_SET_CONTENTS_CONSISTENT, mode, &error);
  g_assert_no_error (error);
}

/* The panel: one panel at the top with the systray plugin alone. */
static const char panel_channel[] =
  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
  "<channel name=\"xfce4-panel\" version=\"1.0\">\n"
  "  <property name=\"configver\" type=\"int\" value=\"2\"/>\n"
  "  <property name=\"panels\" type=\"array\">\n"
  "    <value type=\"int\" value=\"1\"/>\n"
  "    <property name=\"panel-1\" type=\"empty\">\n"
  "      <property name=\"position\" type=\"string\" value=\"p=6;x=0;y=0\"/>\n"
  "      <property name=\"length\" type=\"uint\" value=\"100\"/>\n"
  "      <property name=\"position-locked\" type=\"bool\" value=\"true\"/>\n"
  "      <property name=\"size\" type=\"uint\" value=\"32\"/>\n"
  "      <property name=\"background-style\" type=\"uint\" value=\"1\"/>\n"
  "      <property name=\"background-rgba\" type=\"array\">\n"
  "        <value type=\"double\" value=\"0.2\"/>\n"
  "        <value type=\"double\" value=\"0.2\"/>\n"
  "        <value type=\"double\" value=\"0.2\"/>\n"
  "        <value type=\"double\" value=\"1\"/>\n"
  "      </property>\n"
  "      <property name=\"plugin-ids\" type=\"array\">\n"
  "        <value type=\"int\" value=\"1\"/>\n"
  "      </property>\n"
  "    </property>\n"
  "  </property>\n"
  "  <property name=\"plugins\" type=\"empty\">\n"
  "    <property name=\"plugin-1\" type=\"string\" value=\"systray\"/>\n"
  "  </property>\n"
  "</channel>\n";

/* Tests */

static void
test_xfce_start (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *config_home = NULL;
  g_autofree char *data_home = NULL;
  g_autofree char *state_home = NULL;
  g_autofree char *password_file = NULL;
  g_autoptr(GString) config = g_string_new (NULL);
  g_autofree char *path = NULL;
  g_autofree char *program = NULL;
  g_autoptr(PosteHistory) history = NULL;
  g_autoptr(PosteSessionReport) report = NULL;
  const char *wm_argv[] = { "xfwm4", "--compositor=off", NULL };
  const char *app_argv[] = { NULL, NULL };
  g_autofree char *status = NULL;
  g_autofree char *icon = NULL;
  g_autofree char *theme_path = NULL;
  guint16 port;

  dir = g_dir_make_tmp ("poste-test-xfce-XXXXXX", &error);
  g_assert_no_error (error);
  home = g_build_filename (dir, "home", NULL);
  config_home = g_build_filename (home, ".config", NULL);
  data_home = g_build_filename (home, ".local", "share", NULL);
  state_home = g_build_filename (home, ".local", "state", NULL);
  maildir = g_build_filename (dir, "Maildir", NULL);

  /* The provider holds one message for acme. */
  cert = poste_test_cert_new (dir, "provider.test", POSTE_TEST_CERT_NONE, &error);
  g_assert_no_error (error);
  provider = poste_test_provider_new_holding_one (cert->certificate, "acme", PASSWORD, domains);
  port = poste_test_provider_start (provider, &error);
  g_assert_no_error (error);

  /* The program's configuration, and a history whose last fetch failed. */
  password_file = g_build_filename (dir, "acme.password", NULL);
  write_file (password_file, PASSWORD "\n", 0600);
  poste_test_append_provider_group (config, "acme", port, "example.org", maildir, 0, cert->ca_file,
                                    password_file);
  path = g_build_filename (config_home, "poste-restante", "poste-restante.conf", NULL);
  write_file (path, config->str, 0600);
  g_clear_pointer (&path, g_free);
  path = g_build_filename (state_home, "poste-restante", "history", NULL);
  g_assert_cmpint (g_mkdir_with_parents (path, 0700), ==, 0);
  history = poste_history_new (path);
  report = poste_session_report_new ("acme");
  report->started = g_date_time_new_now_utc ();
  report->outcome = POSTE_SESSION_OUTCOME_FAILED;
  report->error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED, HISTORY_FAILURE);
  g_assert_true (poste_history_add (history, report, &error));
  g_assert_no_error (error);
  g_clear_pointer (&path, g_free);
  path = g_build_filename (config_home, "xfce4", "xfconf", "xfce-perchannel-xml", "xfce4-panel.xml",
                           NULL);
  write_file (path, panel_channel, 0600);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_subprocess_launcher_setenv (launcher, "HOME", home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", config_home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", data_home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_STATE_HOME", state_home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CACHE_HOME", dir, TRUE);
  /* Xfce's own defaults (the panel's plugins); our channel file overrides them. */
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_DIRS", "/etc/xdg", TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_DIRS", system_data_dirs, TRUE);
  path = g_build_filename (dir, "runtime", NULL);
  g_assert_cmpint (g_mkdir_with_parents (path, 0700), ==, 0);
  g_subprocess_launcher_setenv (launcher, "XDG_RUNTIME_DIR", path, TRUE);
  g_clear_pointer (&path, g_free);
  g_subprocess_launcher_unsetenv (launcher, "SESSION_MANAGER");
  g_subprocess_launcher_unsetenv (launcher, "G_DEBUG");
  g_subprocess_launcher_unsetenv (launcher, "MALLOC_CHECK_");
  set_activation_environment ();

  window_manager = spawn (wm_argv, "xfwm4.log");
  start_panel ();

  /* The program, from the build tree, as a user starts it. */
  program = g_build_filename (g_getenv ("POSTE_BUILD_ROOT"), "src", "poste-restante",
                              "poste-restante", NULL);
  app_argv[0] = program;
  app = spawn (app_argv, "poste-restante.log");
  poll_until (item_listed, "the watcher lists our item");
  g_test_message ("the watcher lists %s", item_service);

  /* Attention from the start: the history's last fetch failed. */
  status = item_string ("Status");
  icon = item_string ("IconName");
  g_assert_cmpstr (status, ==, "NeedsAttention");
  g_assert_cmpstr (icon, ==, APP_ID "-tray-attention");
  /* Run from the build tree: the icons are the source tree's. */
  theme_path = item_string ("IconThemePath");
  {
    g_autofree char *icons = g_build_filename (g_getenv ("POSTE_SOURCE_ROOT"), "data", "icons", NULL);

    g_assert_cmpstr (theme_path, ==, icons);
  }
  {
    g_autoptr(GVariant) menu = get_property (item_name, item_path, ITEM_INTERFACE, "Menu", &error);

    g_assert_no_error (error);
    menu_path = g_variant_dup_string (menu, NULL);
  }

  /* The panel draws it. */
  screenshot_name = "xfce-panel";
  poll_until (panel_shows_icon, "the panel shows our icon");
}

static gboolean
fetched (void)
{
  g_autofree char *status = item_string ("Status");
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) tooltip = get_property (item_name, item_path, ITEM_INTERFACE, "ToolTip",
                                              &error);
  const char *description = NULL;

  g_assert_no_error (error);
  g_variant_get_child (tooltip, 3, "&s", &description);
  /* A new failure would never turn into success: fail now, with what the item says. */
  if (g_str_has_prefix (description, "acme: ") &&
      !g_str_equal (description, "acme: " HISTORY_FAILURE))
    g_error ("the fetch failed: %s", description);

  /* The round drains the provider: after the session that brought the message comes one that
   * finds none, and only then is the item idle again. */
  {
    g_autofree char *icon = item_string ("IconName");

    return poste_test_provider_count_spooled (provider) == 0 && g_str_equal (status, "Active") &&
           g_str_equal (icon, APP_ID "-tray");
  }
}

static guint
count_delivered (void)
{
  g_autofree char *new_dir = g_build_filename (maildir, "new", NULL);
  g_autoptr(GDir) d = g_dir_open (new_dir, 0, NULL);
  guint n = 0;

  while (d != NULL && g_dir_read_name (d) != NULL)
    n++;
  return n;
}

static void
test_xfce_fetch_now (void)
{
  g_autofree char *icon = NULL;

  click ("_Fetch Now");
  poll_until (fetched, "the fetch ends and the item is idle");
  g_assert_cmpuint (count_delivered (), ==, 1);
  icon = item_string ("IconName");
  g_assert_cmpstr (icon, ==, APP_ID "-tray");
}

static void
test_xfce_send_now (void)
{
  g_autofree char *cli = g_build_filename (g_getenv ("POSTE_BUILD_ROOT"), "src",
                                           "poste-restante-cli", "poste-restante-cli", NULL);
  const char *argv[] = { cli, "send", "-f", "alice@example.org", "bob@example.net", NULL };
  g_autoptr(GSubprocess) send = NULL;
  g_autoptr(GError) error = NULL;

  /* Nothing queued: Send Now would do nothing. */
  g_assert_false (menu_item_enabled ("_Send Now"));

  g_subprocess_launcher_set_flags (launcher, G_SUBPROCESS_FLAGS_STDIN_PIPE);
  send = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (send, "Subject: out\r\n\r\nHello.\r\n", NULL, NULL,
                                                NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (send));
  g_assert_cmpint (g_subprocess_get_exit_status (send), ==, 0);

  /* The panel asks before it opens the menu: now there is something to send. */
  g_assert_true (menu_item_enabled ("_Send Now"));
}

static void
test_xfce_panel_restart (void)
{
  g_autoptr(GError) error = NULL;
  const char *quit_argv[] = { "xfce4-panel", "--quit", NULL };
  g_autoptr(GSubprocess) quit = NULL;

  quit = spawn (quit_argv, "panel-quit.log");
  g_assert_true (g_subprocess_wait_check (quit, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait (panel, NULL, &error));
  g_assert_no_error (error);
  g_clear_object (&panel);
  poll_until (watcher_absent, "the watcher is gone with the panel");

  start_panel ();
  poll_until (item_listed, "our item registers with the new watcher");
  screenshot_name = "xfce-panel-restarted";
  poll_until (panel_shows_icon, "the new panel shows our icon");
}

static void
test_xfce_quit (void)
{
  g_autoptr(GError) error = NULL;

  click ("_Quit");
  g_assert_true (g_subprocess_wait (app, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (app));
  g_assert_cmpint (g_subprocess_get_exit_status (app), ==, 0);
  poll_until (item_not_listed, "the watcher no longer lists our item");
}

static void
test_xfce_stop (void)
{
  const char *quit_argv[] = { "xfce4-panel", "--quit", NULL };
  g_autoptr(GSubprocess) quit = spawn (quit_argv, "panel-quit.log");
  g_autoptr(GError) error = NULL;

  g_assert_true (g_subprocess_wait_check (quit, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait (panel, NULL, &error));
  g_subprocess_force_exit (window_manager);
  g_assert_true (g_subprocess_wait (window_manager, NULL, &error));
  g_clear_object (&panel);
  g_clear_object (&window_manager);
  g_clear_object (&app);
  g_clear_object (&launcher);
  poste_test_provider_stop (provider);
  g_clear_object (&provider);
  g_clear_pointer (&cert, poste_test_cert_free);
  g_clear_object (&bus);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *panel_program = g_find_program_in_path ("xfce4-panel");
  g_autofree char *wm_program = g_find_program_in_path ("xfwm4");
  g_autoptr(GError) error = NULL;
  g_autoptr(GStrvBuilder) mime_builder = g_strv_builder_new ();
  g_auto(GStrv) mime_dirs = NULL;

  if (panel_program == NULL || wm_program == NULL)
    {
      /* The only reason to skip: the host is not installed (tools/install-deps installs it). */
      g_print ("1..0 # SKIP xfce4-panel and xfwm4 are not installed\n");
      return 0;
    }

  system_data_dirs = g_strjoinv (":", (char **) g_get_system_data_dirs ());
  for (const char * const *data_dir = g_get_system_data_dirs (); *data_dir != NULL; data_dir++)
    {
      g_autofree char *mime_dir = g_build_filename (*data_dir, "mime", NULL);

      g_strv_builder_add (mime_builder, mime_dir);
    }
  mime_dirs = g_strv_builder_end (mime_builder);
  poste_test_init (&argc, &argv);
  /* gdk-pixbuf tells a PNG by its MIME type: the screenshots need the system's database. */
  g_content_type_set_mime_dirs ((const char * const *) mime_dirs);
  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);

  g_test_add_func ("/tray/xfce/start", test_xfce_start);
  g_test_add_func ("/tray/xfce/fetch-now", test_xfce_fetch_now);
  g_test_add_func ("/tray/xfce/send-now", test_xfce_send_now);
  g_test_add_func ("/tray/xfce/panel-restart", test_xfce_panel_restart);
  g_test_add_func ("/tray/xfce/quit", test_xfce_quit);
  g_test_add_func ("/tray/xfce/stop", test_xfce_stop);

  return g_test_run ();
}
