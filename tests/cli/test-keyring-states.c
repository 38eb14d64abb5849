/* test-keyring-states.c: what a password lookup says when there is no keyring, or one that never
 * answers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each case runs in a subprocess of its own with a private session bus (GTestDBus, no service
 * files, so nothing can be activated):
 *  - no Secret Service at all: the lookup, the store and the probe say "no keyring is running",
 *    never "no password"; the advice is a password file; the classifier says the user must act;
 *    poste-restante-cli fetch says the same, exits 3 and records the failed round in its history;
 *  - a Secret Service that owns org.freedesktop.secrets but never replies (a second connection
 *    that drops every call it gets): the lookup gives up after POSTE_SECRETS_PING_TIMEOUT and
 *    names the keyring as the cause; the classifier calls it passing.
 */
#include "config.h"

#include <string.h>

#include "poste.h"
#include "poste-history.h"
#include "poste-secrets.h"
#include "poste-test.h"

static GTestDBus *bus;

static void
bus_up (void)
{
  bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (bus);
}

static PosteProvider *
new_provider (void)
{
  PosteProvider *provider = poste_provider_new ("desk");

  poste_provider_set_username (provider, "example.org");
  return provider;
}

static void
run_no_service (void)
{
  g_autoptr(PosteProvider) provider = new_provider ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) explained = NULL;
  g_autofree char *dir = poste_test_make_dir ("no-keyring");
  g_autofree char *config = g_build_filename (dir, "poste-restante.conf", NULL);
  g_autofree char *cli = g_build_filename (poste_test_build_root (), "src", "poste-restante-cli",
                                           "poste-restante-cli", NULL);
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(PosteHistory) history = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  PosteSessionReport *record;

  bus_up ();

  g_assert_false (poste_secrets_probe_sync (NULL, &error));
  g_assert_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_NO_KEYRING);
  g_clear_error (&error);

  g_assert_false (poste_secrets_store_sync (provider, "never kept", NULL, &error));
  g_assert_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_NO_KEYRING);
  g_clear_error (&error);

  g_assert_null (poste_secrets_lookup_full_sync (provider, POSTE_SECRETS_LOOKUP_NONE, NULL,
                                                 &error));
  g_assert_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_NO_KEYRING);
  g_assert_cmpint (poste_error_get_kind (error), ==, POSTE_ERROR_KIND_AUTH);
  g_assert_true (poste_error_kind_needs_user (poste_error_get_kind (error)));
  g_assert_cmpint (poste_exit_status_for_error (error), ==, POSTE_EXIT_AUTH);

  explained = poste_secrets_explain_error (provider, error);
  g_test_message ("%s", explained->message);
  g_assert_error (explained, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_NO_KEYRING);
  g_assert_nonnull (strstr (explained->message, "no keyring is running"));
  g_assert_nonnull (strstr (explained->message, "password-file="));
  g_assert_null (strstr (explained->message, "no password"));
  g_assert_null (strstr (explained->message, "secret-tool"));
  g_clear_error (&error);

  /* The command line says the same, and its failed round is in the history. */
  g_assert_true (g_file_set_contents (config,
                                      "[provider desk]\nhost=127.0.0.1\nport=1\n"
                                      "username=example.org\ndomains=example.org\n"
                                      "delivery=maildir:/nonexistent/Maildir\ninterval=0\n",
                                      -1, NULL));
  poste_test_launcher_set_private_dirs (launcher);
  g_subprocess_launcher_setenv (launcher, "DBUS_SESSION_BUS_ADDRESS",
                                g_test_dbus_get_bus_address (bus), TRUE);
  g_subprocess_launcher_unsetenv (launcher, "SECRET_BACKEND");
  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  process = g_subprocess_launcher_spawn (launcher, &error, cli, "--config", config, "fetch", NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error));
  g_assert_no_error (error);
  g_test_message ("stdout:\n%s\nstderr:\n%s", out, err);
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, POSTE_EXIT_AUTH);
  g_assert_nonnull (strstr (out, "no keyring is running"));
  g_assert_null (strstr (out, "no password"));

  history = poste_history_new (NULL);
  records = poste_history_list (history, "desk", 10, &error);
  g_assert_no_error (error);
  g_assert_nonnull (records);
  g_assert_cmpuint (records->len, ==, 1);
  record = g_ptr_array_index (records, 0);
  g_assert_cmpint (record->outcome, ==, POSTE_SESSION_OUTCOME_FAILED);
  g_assert_error (record->error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_NO_KEYRING);

  secret_service_disconnect ();
  g_test_dbus_stop (bus);
}

/* Drops every method call addressed to this connection: a service that never replies. */
static GDBusMessage *
drop_calls (GDBusConnection *connection,
            GDBusMessage    *message,
            gboolean         incoming,
            gpointer         user_data)
{
  if (incoming && g_dbus_message_get_message_type (message) == G_DBUS_MESSAGE_TYPE_METHOD_CALL)
    {
      g_object_unref (message);
      return NULL;
    }
  return message;
}

static void
run_no_answer (void)
{
  g_autoptr(PosteProvider) provider = new_provider ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) explained = NULL;
  g_autoptr(GDBusConnection) stub = NULL;
  g_autoptr(GVariant) reply = NULL;
  guint32 result = 0;

  bus_up ();
  stub = g_dbus_connection_new_for_address_sync (g_test_dbus_get_bus_address (bus),
                                                 G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                   G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                 NULL, NULL, &error);
  g_assert_no_error (error);
  reply = g_dbus_connection_call_sync (stub, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "RequestName",
                                       g_variant_new ("(su)", "org.freedesktop.secrets", 0),
                                       G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                                       &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(u)", &result);
  g_assert_cmpuint (result, ==, 1);     /* DBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER */
  g_dbus_connection_add_filter (stub, drop_calls, NULL, NULL);

  /* The name is there: a keyring runs, as far as the bus knows. */
  g_assert_true (poste_secrets_probe_sync (NULL, &error));
  g_assert_no_error (error);

  g_assert_null (poste_secrets_lookup_full_sync (provider, POSTE_SECRETS_LOOKUP_NONE, NULL,
                                                 &error));
  g_assert_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_KEYRING_TIMEOUT);
  g_assert_cmpint (poste_error_get_kind (error), ==, POSTE_ERROR_KIND_TRANSIENT);
  explained = poste_secrets_explain_error (provider, error);
  g_test_message ("%s", explained->message);
  g_assert_error (explained, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_KEYRING_TIMEOUT);
  g_assert_nonnull (strstr (explained->message, "the keyring did not answer"));
  g_assert_null (strstr (explained->message, "no password"));

  secret_service_disconnect ();
  g_dbus_connection_close_sync (stub, NULL, NULL);
  g_test_dbus_stop (bus);
}

static void
test_no_service (void)
{
  g_test_trap_subprocess ("/keyring-states/no-service/subprocess", 0,
                          G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

static void
test_no_answer (void)
{
  g_test_trap_subprocess ("/keyring-states/no-answer/subprocess", 0,
                          G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

int
main (int   argc,
      char *argv[])
{
  poste_test_init (&argc, &argv);
  /* libsecret's own file backend would hide the bus from these cases. */
  g_unsetenv ("SECRET_BACKEND");

  g_test_add_func ("/keyring-states/no-service", test_no_service);
  g_test_add_func ("/keyring-states/no-service/subprocess", run_no_service);
  g_test_add_func ("/keyring-states/no-answer", test_no_answer);
  g_test_add_func ("/keyring-states/no-answer/subprocess", run_no_answer);
  return g_test_run ();
}
