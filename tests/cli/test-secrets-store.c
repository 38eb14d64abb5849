/* test-secrets-store.c: provider passwords in libsecret, sync and async
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * libsecret's file backend (SECRET_BACKEND=file, SECRET_FILE_TEST_PATH and
 * SECRET_FILE_TEST_PASSWORD) stands in for the Secret Service: the same libsecret calls, an
 * encrypted file instead of a D-Bus daemon, so no session bus or keyring is needed.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "poste-test.h"
#include "poste-error.h"
#include "poste-secrets.h"

static char *keyring_dir;

static void
test_schema (void)
{
  const SecretSchema *schema = poste_secrets_get_schema ();

  g_assert_cmpstr (schema->name, ==, "io.github.posterestante.PosteRestante");
  g_assert_cmpstr (schema->attributes[0].name, ==, "provider");
  g_assert_cmpstr (schema->attributes[1].name, ==, "username");
  g_assert_null (schema->attributes[2].name);
}

static void
test_sync (void)
{
  g_autoptr(PosteProvider) acme = poste_provider_new ("acme");
  g_autoptr(PosteProvider) other = poste_provider_new ("other");
  g_autoptr(GError) error = NULL;
  char *password;

  poste_provider_set_username (acme, "example.org");
  poste_provider_set_username (other, "example.org");

  password = poste_secrets_lookup_sync (acme, NULL, &error);
  g_assert_null (password);
  g_assert_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_NO_SECRET);
  g_clear_error (&error);

  g_assert_true (poste_secrets_store_sync (acme, "first", NULL, &error));
  g_assert_no_error (error);
  g_assert_true (poste_secrets_store_sync (acme, "second", NULL, &error));
  g_assert_no_error (error);
  g_assert_true (poste_secrets_store_sync (other, "other's", NULL, &error));
  g_assert_no_error (error);

  password = poste_secrets_lookup_sync (acme, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (password, ==, "second");
  poste_secrets_free_password (password);

  /* Through the provider: no password file, so the keyring. */
  password = poste_secrets_get_password_sync (other, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (password, ==, "other's");
  poste_secrets_free_password (password);

  /* Another user name is another identity: no password for it. */
  poste_provider_set_username (acme, "example.com");
  g_assert_null (poste_secrets_lookup_sync (acme, NULL, &error));
  g_assert_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_NO_SECRET);
  g_clear_error (&error);
  poste_provider_set_username (acme, "example.org");

  g_assert_true (poste_secrets_clear_sync (acme, NULL, &error));
  g_assert_no_error (error);
  g_assert_null (poste_secrets_lookup_sync (acme, NULL, &error));
  g_assert_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_NO_SECRET);
  g_clear_error (&error);
  /* Clearing what is not there is no error. */
  g_assert_true (poste_secrets_clear_sync (acme, NULL, &error));
  g_assert_no_error (error);

  password = poste_secrets_lookup_sync (other, NULL, &error);
  g_assert_cmpstr (password, ==, "other's");
  poste_secrets_free_password (password);
}

static void
test_async (void)
{
  g_autoptr(PosteProvider) provider = poste_provider_new ("async");
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  char *password;

  poste_secrets_store (provider, "async-secret", NULL, poste_test_store_result, &result);
  poste_test_await_result (&result);
  g_assert_true (poste_secrets_store_finish (result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  poste_secrets_lookup (provider, NULL, poste_test_store_result, &result);
  poste_test_await_result (&result);
  password = poste_secrets_lookup_finish (result, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (password, ==, "async-secret");
  poste_secrets_free_password (password);
  g_clear_object (&result);

  poste_secrets_clear (provider, NULL, poste_test_store_result, &result);
  poste_test_await_result (&result);
  g_assert_true (poste_secrets_clear_finish (result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  poste_secrets_lookup (provider, NULL, poste_test_store_result, &result);
  poste_test_await_result (&result);
  g_assert_null (poste_secrets_lookup_finish (result, &error));
  g_assert_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_NO_SECRET);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *keyring = NULL;
  int status;

  poste_test_init (&argc, &argv);

  /* Before libsecret's first call: it picks its backend once. */
  keyring_dir = g_dir_make_tmp ("poste-test-secrets-XXXXXX", NULL);
  g_assert_nonnull (keyring_dir);
  keyring = g_build_filename (keyring_dir, "keyring", NULL);
  g_setenv ("SECRET_BACKEND", "file", TRUE);
  g_setenv ("SECRET_FILE_TEST_PATH", keyring, TRUE);
  g_setenv ("SECRET_FILE_TEST_PASSWORD", "test-keyring-password", TRUE);
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/poste-test-bus", TRUE);

  g_test_add_func ("/secrets/schema", test_schema);
  g_test_add_func ("/secrets/sync", test_sync);
  g_test_add_func ("/secrets/async", test_async);

  status = g_test_run ();

  g_unlink (keyring);
  g_rmdir (keyring_dir);
  g_free (keyring_dir);
  return status;
}
