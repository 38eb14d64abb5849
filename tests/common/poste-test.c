/* poste-test.c: what every test program shares
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <locale.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/mount.h>

#include "poste-test.h"

/**
 * poste_test_init:
 * @argc: the program's argc
 * @argv: the program's argv
 *
 * Sets up the strict test environment: g_test_init() with isolated directories (a private HOME
 * and XDG directories for every test case), fatal warnings and criticals, the C.UTF-8 locale, and
 * no GVfs or portals.
 */
void
poste_test_init (int    *argc,
                 char ***argv)
{
  setlocale (LC_ALL, "C.UTF-8");
  g_setenv ("GIO_USE_VFS", "local", TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_test_init (argc, argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_log_set_always_fatal (G_LOG_LEVEL_WARNING | G_LOG_LEVEL_CRITICAL);
}

/**
 * poste_test_make_dir:
 * @name: a name for the directory
 *
 * Makes a fresh directory under the test case's private home (G_TEST_OPTION_ISOLATE_DIRS makes
 * HOME private per test case, and GLib removes it afterwards).
 *
 * Returns: (transfer full): the directory's path
 */
char *
poste_test_make_dir (const char *name)
{
  g_autofree char *template = g_strdup_printf ("%s-XXXXXX", name);
  char *path = g_build_filename (g_get_home_dir (), template, NULL);

  /* GLib names the private HOME but does not create it. */
  g_assert_cmpint (g_mkdir_with_parents (g_get_home_dir (), 0700), ==, 0);
  g_assert_nonnull (g_mkdtemp (path));
  return path;
}

/**
 * poste_test_source_root:
 *
 * Returns: (transfer none): the project's source directory
 */
const char *
poste_test_source_root (void)
{
  const char *root = g_getenv ("POSTE_SOURCE_ROOT");

  g_assert_nonnull (root);
  return root;
}

/**
 * poste_test_build_root:
 *
 * Returns: (transfer none): the project's build directory
 */
const char *
poste_test_build_root (void)
{
  const char *root = g_getenv ("POSTE_BUILD_ROOT");

  g_assert_nonnull (root);
  return root;
}

/**
 * poste_test_count_entries:
 * @dir: a folder
 *
 * Counts every entry of @dir, dot files included (unlike poste_test_dir_count(), which skips
 * them): a test that expects a queue or a tmp/ to be empty sees a stray temporary file.
 *
 * Returns: how many entries @dir has; 0 when it does not exist or cannot be opened
 */
guint
poste_test_count_entries (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  guint n = 0;

  if (d == NULL)
    return 0;
  while (g_dir_read_name (d) != NULL)
    n++;
  return n;
}

/**
 * poste_test_launcher_set_private_dirs:
 * @launcher: the launcher of a program under test
 *
 * Gives the programs @launcher starts the test case's private directories, as GLib sees them in
 * this process (G_TEST_OPTION_ISOLATE_DIRS): HOME, XDG_CONFIG_HOME, XDG_STATE_HOME,
 * XDG_DATA_HOME, XDG_CACHE_HOME and XDG_RUNTIME_DIR.
 */
void
poste_test_launcher_set_private_dirs (GSubprocessLauncher *launcher)
{
  g_subprocess_launcher_setenv (launcher, "HOME", g_get_home_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", g_get_user_config_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_STATE_HOME", g_get_user_state_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", g_get_user_data_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CACHE_HOME", g_get_user_cache_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_RUNTIME_DIR", g_get_user_runtime_dir (), TRUE);
}

/**
 * poste_test_in_ci:
 *
 * Whether the tests run in CI: the environment variable CI is "true" (.ci/run sets it, as hosted
 * CI services do). There, nothing the tests need may be missing.
 *
 * Returns: %TRUE in CI
 */
gboolean
poste_test_in_ci (void)
{
  return g_strcmp0 (g_getenv ("CI"), "true") == 0;
}

/**
 * poste_test_missing:
 * @what: exactly what is missing, for a person to install or change ("Postfix is not installed
 *   (/usr/sbin/postfix)", "needs root to act as another user")
 *
 * The current test case cannot run here. Outside CI it is skipped with @what as the reason; in
 * CI it fails: a machine without Postfix, Dovecot, fetchmail, a keyring or root would otherwise
 * show green while testing nothing.
 */
void
poste_test_missing (const char *what)
{
  if (poste_test_in_ci ())
    g_test_fail_printf ("%s (CI=true: what a test needs must be there)", what);
  else
    g_test_skip (what);
}

/**
 * poste_test_missing_program:
 * @what: exactly what is missing
 *
 * As poste_test_missing(), for a whole test program, before g_test_run(): outside CI prints the
 * TAP plan of a skipped program ("1..0 # SKIP @what") and exits 0; in CI bails out and exits 1.
 */
void
poste_test_missing_program (const char *what)
{
  if (poste_test_in_ci ())
    {
      g_print ("Bail out! %s (CI=true: what a test needs must be there)\n", what);
      exit (1);
    }
  g_print ("1..0 # SKIP %s\n", what);
  exit (0);
}

/**
 * poste_test_socket_connection_new:
 * @fd: one end of a socketpair() (taken)
 *
 * Returns: (transfer full): a #GSocketConnection over @fd, for a test that plays the peer on the
 *   other end
 */
GSocketConnection *
poste_test_socket_connection_new (int fd)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = g_socket_new_from_fd (fd, &error);

  g_assert_no_error (error);
  return g_socket_connection_factory_create_connection (socket);
}

/**
 * poste_test_read_listening_port:
 * @tool: the running poste-test-provider, spawned with %G_SUBPROCESS_FLAGS_STDOUT_PIPE
 *
 * Reads the tool's first line, "listening on 127.0.0.1:PORT", a byte at a time up to its end
 * (so nothing after it is taken from the pipe), and asserts its form.
 *
 * Returns: PORT, where the tool listens on 127.0.0.1
 */
guint16
poste_test_read_listening_port (GSubprocess *tool)
{
  g_autoptr(GError) error = NULL;
  char banner[128] = { 0 };
  gsize got = 0;
  guint64 port = 0;

  while (got + 1 < sizeof banner)
    {
      gssize n = g_input_stream_read (g_subprocess_get_stdout_pipe (tool), banner + got, 1,
                                      NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpint (n, ==, 1);
      if (banner[got++] == '\n')
        break;
    }
  g_assert_true (g_str_has_prefix (banner, "listening on 127.0.0.1:"));
  g_strchomp (banner);
  g_assert_true (g_ascii_string_to_unsigned (banner + 23, 10, 1, 65535, &port, NULL));
  return (guint16) port;
}

/**
 * poste_test_mount_small_tmpfs:
 *
 * Mounts a 64 KiB tmpfs on a fresh folder, for a disk that fills up after a few messages. The
 * caller unmounts it (umount2() with MNT_DETACH) when done.
 *
 * Returns: (transfer full) (nullable): the mounted folder; %NULL, and the test case skipped,
 *   where mounting is not permitted (no CAP_SYS_ADMIN, no user namespace)
 */
char *
poste_test_mount_small_tmpfs (void)
{
  g_autofree char *dir = poste_test_make_dir ("tmpfs");

  if (mount ("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV, "size=64k,mode=0700") < 0)
    {
      g_autofree char *reason = g_strdup_printf ("mounting a tmpfs is not permitted here (%s)",
                                                 g_strerror (errno));
      g_test_skip (reason);
      return NULL;
    }
  return g_steal_pointer (&dir);
}

/**
 * poste_test_store_result:
 * @object: the source object
 * @result: the operation's result
 * @user_data: (type GAsyncResult**): where to keep a reference to @result
 *
 * A #GAsyncReadyCallback for poste_test_await_result().
 */
void
poste_test_store_result (GObject      *object,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

/**
 * poste_test_await_result:
 * @slot: (inout): %NULL; the user data given with poste_test_store_result()
 *
 * Iterates the thread-default main context until the operation has finished.
 *
 * Returns: (transfer none): the result, also in @slot (which owns it)
 */
GAsyncResult *
poste_test_await_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

/**
 * poste_test_append_provider_group:
 * @text: the configuration file's text so far
 * @name: the provider group's name, which is also its user name
 * @port: the test provider's port on 127.0.0.1
 * @domains: the value of domains= (comma-separated)
 * @maildir: the Maildir it delivers into
 * @interval: minutes between scheduled fetches, 0 for only when asked
 * @ca_file: the test provider's CA file (STARTTLS)
 * @password_file: the file holding the password
 *
 * Appends the group of one provider on the test provider, as the application and the CLI read
 * it from poste-restante.conf.
 */
void
poste_test_append_provider_group (GString    *text,
                                  const char *name,
                                  guint16     port,
                                  const char *domains,
                                  const char *maildir,
                                  guint       interval,
                                  const char *ca_file,
                                  const char *password_file)
{
  g_string_append_printf (text,
                          "[provider %s]\n"
                          "host=127.0.0.1\n"
                          "port=%u\n"
                          "security=starttls\n"
                          "username=%s\n"
                          "domains=%s\n"
                          "delivery=maildir:%s\n"
                          "interval=%u\n"
                          "ca-file=%s\n"
                          "password-file=%s\n",
                          name, port, name, domains, maildir, interval, ca_file, password_file);
}
