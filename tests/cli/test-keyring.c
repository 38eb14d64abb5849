/* test-keyring.c: provider passwords in a real Secret Service (gnome-keyring on a private bus)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A private session bus (GTestDBus) and gnome-keyring-daemon unlocked with a password on its
 * standard input (it creates the "login" collection, the default one, in a private data
 * directory). The same poste_secrets calls as the application, and poste-restante-cli's
 * import-fetchmailrc, go through the real org.freedesktop.secrets service. The daemon leaves
 * when the bus goes down.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "poste-test.h"
#include "poste-test-services.h"
#include "poste-error.h"
#include "poste-secrets.h"

/* How long to wait for the keyring to appear on the bus, in 100 ms steps (not an assertion on
 * time: the test fails only if it never appears). */
#define KEYRING_WAIT_STEPS 200

static char *keyring_home;

static gboolean
start_keyring (GError **error)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE
                               | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GSubprocess) daemon = NULL;
  g_autoptr(GBytes) input = g_bytes_new_static ("keyring-password", strlen ("keyring-password"));
  g_autoptr(GDBusConnection) bus = NULL;
  g_autofree char *data_home = g_build_filename (keyring_home, "data", NULL);

  g_assert_cmpint (g_mkdir_with_parents (data_home, 0700), ==, 0);
  g_subprocess_launcher_setenv (launcher, "HOME", keyring_home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", data_home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_RUNTIME_DIR", keyring_home, TRUE);
  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  daemon = g_subprocess_launcher_spawn (launcher, error, "gnome-keyring-daemon", "--unlock",
                                        "--components=secrets", NULL);
  if (daemon == NULL)
    return FALSE;
  if (!g_subprocess_communicate (daemon, input, NULL, NULL, NULL, error))
    return FALSE;

  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, error);
  if (bus == NULL)
    return FALSE;
  for (guint i = 0; i < KEYRING_WAIT_STEPS; i++)
    {
      g_autoptr(GVariant) reply =
        g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                     "org.freedesktop.DBus", "NameHasOwner",
                                     g_variant_new ("(s)", "org.freedesktop.secrets"),
                                     G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                                     error);
      gboolean owned = FALSE;

      if (reply == NULL)
        return FALSE;
      g_variant_get (reply, "(b)", &owned);
      if (owned)
        return TRUE;
      g_usleep (100 * 1000);
    }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
               "gnome-keyring-daemon never appeared on the bus");
  return FALSE;
}

static void
test_store_lookup_clear (void)
{
  g_autoptr(PosteProvider) provider = poste_provider_new ("keyring-test");
  g_autoptr(GError) error = NULL;
  char *password;

  poste_provider_set_username (provider, "example.org");
  g_assert_true (poste_secrets_store_sync (provider, "real keyring secret", NULL, &error));
  g_assert_no_error (error);

  password = poste_secrets_get_password_sync (provider, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (password, ==, "real keyring secret");
  poste_secrets_free_password (password);

  g_assert_true (poste_secrets_clear_sync (provider, NULL, &error));
  g_assert_no_error (error);
  g_assert_null (poste_secrets_lookup_sync (provider, NULL, &error));
  g_assert_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_NO_SECRET);
}

static void
test_cli_import (void)
{
  g_autofree char *dir = poste_test_make_dir ("keyring");
  g_autofree char *rc = g_build_filename (dir, "fetchmailrc", NULL);
  g_autofree char *config = g_build_filename (dir, "poste-restante.conf", NULL);
  g_autofree char *cli = g_build_filename (poste_test_build_root (), "src", "poste-restante-cli",
                                           "poste-restante-cli", NULL);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(PosteProvider) provider = poste_provider_new ("odmr.example.net");
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  char *password;

  g_assert_true (g_file_set_contents (rc, "poll odmr.example.net proto ODMR\n"
                                          "  user \"example.org\" password \"from fetchmail\"\n"
                                          "  fetchdomains example.org\n",
                                      -1, NULL));
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, cli, "--config", config,
                              "import-fetchmailrc", rc, NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error));
  g_assert_no_error (error);
  g_test_message ("%s", out);
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
  g_assert_nonnull (strstr (out, "password of odmr.example.net stored in the keyring"));

  poste_provider_set_username (provider, "example.org");
  password = poste_secrets_lookup_sync (provider, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (password, ==, "from fetchmail");
  poste_secrets_free_password (password);
}

/* Replaces the running daemon with one started without --unlock: its "login" collection, which
 * holds the items stored so far, is locked, as after a login that did not unlock it. Returns
 * once the new daemon answers that the default collection is locked. */
static void
restart_keyring_locked (void)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE
                               | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GSubprocess) daemon = NULL;
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *data_home = g_build_filename (keyring_home, "data", NULL);
  g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);

  /* Forget the old daemon's session and proxies before it goes. */
  secret_service_disconnect ();
  g_subprocess_launcher_setenv (launcher, "HOME", keyring_home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", data_home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_RUNTIME_DIR", keyring_home, TRUE);
  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  daemon = g_subprocess_launcher_spawn (launcher, &error, "gnome-keyring-daemon", "--replace",
                                        "--components=secrets", NULL);
  g_assert_no_error (error);
  /* The daemon forks and the first process leaves once the new one has the name. */
  g_assert_true (g_subprocess_communicate (daemon, empty, NULL, NULL, NULL, &error));
  g_assert_no_error (error);

  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < KEYRING_WAIT_STEPS; i++)
    {
      g_autoptr(GVariant) reply =
        g_dbus_connection_call_sync (bus, "org.freedesktop.secrets",
                                     "/org/freedesktop/secrets/aliases/default",
                                     "org.freedesktop.DBus.Properties", "Get",
                                     g_variant_new ("(ss)", "org.freedesktop.Secret.Collection",
                                                    "Locked"),
                                     G_VARIANT_TYPE ("(v)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                                     NULL);
      g_autoptr(GVariant) value = NULL;

      if (reply != NULL)
        {
          g_variant_get (reply, "(v)", &value);
          if (g_variant_get_boolean (value))
            return;
        }
      g_usleep (100 * 1000);
    }
  g_error ("the replaced gnome-keyring-daemon never reported a locked keyring");
}

/* A keyring started locked: the password is there, and the lookup says the keyring is locked,
 * never "no password"; without the user no prompt is asked for; with the user the Secret
 * Service's prompt is asked for (no prompter runs on this bus, so the keyring stays locked). */
static void
test_locked (void)
{
  g_autoptr(PosteProvider) provider = poste_provider_new ("locked-test");
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) explained = NULL;

  poste_provider_set_username (provider, "example.org");
  g_assert_true (poste_secrets_store_sync (provider, "kept while unlocked", NULL, &error));
  g_assert_no_error (error);

  restart_keyring_locked ();

  g_assert_null (poste_secrets_lookup_full_sync (provider, POSTE_SECRETS_LOOKUP_NONE, NULL,
                                                 &error));
  g_assert_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_KEYRING_LOCKED);
  g_assert_cmpint (poste_error_get_kind (error), ==, POSTE_ERROR_KIND_AUTH);
  g_assert_true (poste_error_is_keyring_locked (error));
  explained = poste_secrets_explain_error (provider, error);
  g_test_message ("%s", explained->message);
  g_assert_error (explained, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_KEYRING_LOCKED);
  g_assert_nonnull (strstr (explained->message, "the keyring is locked"));
  g_assert_null (strstr (explained->message, "no password"));
  g_clear_error (&error);

  g_assert_null (poste_secrets_lookup_full_sync (provider, POSTE_SECRETS_LOOKUP_UNLOCK, NULL,
                                                 &error));
  g_assert_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_KEYRING_LOCKED);
  g_clear_error (&error);

  /* A provider never stored is still told apart: the keyring is locked, nothing can be seen. */
  g_assert_true (poste_secrets_probe_sync (NULL, &error));
  g_assert_no_error (error);
}

int
main (int   argc,
      char *argv[])
{
  /* Not freed: its dispose would call g_test_dbus_down() and wait for the connection that
   * libsecret still holds. The process ends right after. */
  GTestDBus *bus = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *daemon = g_find_program_in_path ("gnome-keyring-daemon");
  int status;

  poste_test_init (&argc, &argv);

  if (daemon == NULL)
    {
      poste_test_missing_program ("gnome-keyring-daemon is not installed (Debian package "
                                  "gnome-keyring)");
    }

  keyring_home = g_dir_make_tmp ("poste-test-keyring-XXXXXX", NULL);
  g_assert_nonnull (keyring_home);
  bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (bus);
  if (!start_keyring (&error))
    g_error ("cannot start gnome-keyring-daemon: %s", error->message);

  g_test_add_func ("/keyring/store-lookup-clear", test_store_lookup_clear);
  g_test_add_func ("/keyring/cli-import", test_cli_import);
  /* Last: it leaves the keyring locked. */
  g_test_add_func ("/keyring/locked", test_locked);

  status = g_test_run ();

  /* libsecret keeps the bus connection alive in its proxies, so g_test_dbus_down() would wait
   * for it in vain: stop the bus instead (gnome-keyring-daemon leaves with it). */
  secret_service_disconnect ();
  g_test_dbus_stop (bus);
  poste_test_remove_tree (keyring_home);
  g_free (keyring_home);
  return status;
}
