/* poste-secrets-keyring.c: provider passwords in the Secret Service (libsecret)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One keyring item per provider, found by the schema named after the application id and two
 * attributes: the provider's name and its user name (so that changing the user name does not
 * hand the old password to the new identity). Inside Flatpak libsecret goes through the secret
 * portal by itself. What libsecret reports is turned into the keyring's state (none, locked,
 * stuck) here.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "poste-error.h"
#include "poste-secrets.h"
#include "poste-secrets-private.h"

/* The Secret Service's well-known name (freedesktop.org Secret Service API). */
#define SECRETS_BUS_NAME "org.freedesktop.secrets"

/**
 * poste_secrets_get_schema:
 *
 * The libsecret schema of provider passwords: name `io.github.posterestante.PosteRestante`,
 * attributes `provider` (the provider's name) and `username` (the SASL identity, "" when none).
 *
 * Returns: (transfer none): the schema
 */
const SecretSchema *
poste_secrets_get_schema (void)
{
  static const SecretSchema schema = {
    APP_ID, SECRET_SCHEMA_NONE,
    {
      { "provider", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "username", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
  };

  return &schema;
}


/* The provider's item attributes in poste_secrets_get_schema(), for the libsecret calls below;
 * %NULL, after libsecret's critical warning, when the provider has no name. */
static GHashTable *
attributes_of (PosteProvider *provider)
{
  return secret_attributes_build (poste_secrets_get_schema (),
                                  "provider", poste_provider_get_name (provider),
                                  "username", _poste_secrets_username_of (provider),
                                  NULL);
}

static void
set_no_secret (PosteProvider  *provider,
               GError        **error)
{
  g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_NO_SECRET,
               _("no password is stored for provider '%s' (user '%s')"),
               poste_provider_get_name (provider), _poste_secrets_username_of (provider));
}

/* libsecret's own backend for tests (SECRET_BACKEND=file) and the portal inside Flatpak need no
 * Secret Service on the bus. */
static gboolean
uses_service_backend (void)
{
  const char *backend = g_getenv ("SECRET_BACKEND");

  if (backend != NULL && g_str_equal (backend, "file"))
    return FALSE;
  if (backend == NULL && g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS))
    return FALSE;
  return TRUE;
}

static gboolean
is_timeout (const GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT) ||
         g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_NO_REPLY) ||
         g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_TIMEOUT) ||
         g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_TIMED_OUT);
}

/* Whether a Secret Service owns its name on the session bus or can be started by it. Blocks on
 * D-Bus (two short calls to the bus itself, never to the keyring). */
static gboolean
service_present (GCancellable  *cancellable,
                 GError       **error)
{
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, cancellable, error);
  g_autoptr(GVariant) owner = NULL;
  g_autoptr(GVariant) names = NULL;
  g_autofree const char **activatable = NULL;
  gboolean owned = FALSE;

  if (bus == NULL)
    return FALSE;
  owner = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "NameHasOwner",
                                       g_variant_new ("(s)", SECRETS_BUS_NAME),
                                       G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NONE, -1,
                                       cancellable, error);
  if (owner == NULL)
    return FALSE;
  g_variant_get (owner, "(b)", &owned);
  if (owned)
    return TRUE;
  names = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "ListActivatableNames", NULL,
                                       G_VARIANT_TYPE ("(as)"), G_DBUS_CALL_FLAGS_NONE, -1,
                                       cancellable, error);
  if (names == NULL)
    return FALSE;
  g_variant_get (names, "(^a&s)", &activatable);
  return g_strv_contains (activatable, SECRETS_BUS_NAME);
}

static void
set_no_keyring (GError **error)
{
  g_set_error_literal (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_NO_KEYRING,
                       _("no keyring is running (no Secret Service on the session bus)"));
}

static void
set_locked (GError **error)
{
  g_set_error_literal (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_KEYRING_LOCKED,
                       _("the keyring is locked"));
}

/* Turns what libsecret reported into the keyring's state: no keyring, a keyring that did not
 * answer, or libsecret's error as it is. Takes @cause. */
static GError *
classify_keyring_error (GError       *cause,
                        GCancellable *cancellable)
{
  g_autoptr(GError) bus_error = NULL;
  GError *error = NULL;

  if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_CANCELLED) || !uses_service_backend ())
    return cause;
  if (is_timeout (cause))
    {
      error = g_error_new (POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_KEYRING_TIMEOUT,
                           _("the keyring did not answer in time (%s)"), cause->message);
      g_error_free (cause);
      return error;
    }
  if (g_error_matches (cause, SECRET_ERROR, SECRET_ERROR_IS_LOCKED))
    {
      set_locked (&error);
      g_error_free (cause);
      return error;
    }
  if (g_error_matches (cause, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN) ||
      g_error_matches (cause, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER) ||
      !service_present (cancellable, &bus_error))
    {
      set_no_keyring (&error);
      g_error_free (cause);
      return error;
    }
  return cause;
}

/**
 * poste_secrets_store_sync:
 * @provider: a #PosteProvider with a name
 * @password: the password
 * @cancellable: (nullable): a #GCancellable
 * @error: a #GError, or %NULL
 *
 * Stores @password in the default keyring collection, replacing an earlier one for the same
 * provider and user name. Blocks on D-Bus.
 *
 * Returns: %TRUE on success; otherwise %FALSE with %POSTE_CONFIG_ERROR_NO_KEYRING (no Secret
 *   Service runs), %POSTE_CONFIG_ERROR_KEYRING_LOCKED (it stayed locked),
 *   %POSTE_CONFIG_ERROR_KEYRING_TIMEOUT (it did not answer), or libsecret's other errors
 *   (%G_DBUS_ERROR, %SECRET_ERROR or %G_IO_ERROR)
 */
gboolean
poste_secrets_store_sync (PosteProvider  *provider,
                          const char     *password,
                          GCancellable   *cancellable,
                          GError        **error)
{
  g_autoptr(GHashTable) attributes = NULL;
  g_autofree char *label = NULL;
  GError *local_error = NULL;

  g_return_val_if_fail (POSTE_IS_PROVIDER (provider), FALSE);
  g_return_val_if_fail (password != NULL, FALSE);

  label = g_strdup_printf (_("Poste Restante password for %s"), poste_provider_get_name (provider));
  attributes = attributes_of (provider);
  if (attributes == NULL)
    return FALSE;
  if (!secret_password_storev_sync (poste_secrets_get_schema (), attributes,
                                    SECRET_COLLECTION_DEFAULT, label, password, cancellable,
                                    &local_error))
    {
      g_propagate_error (error, classify_keyring_error (local_error, cancellable));
      return FALSE;
    }
  return TRUE;
}

static void
store_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!secret_password_store_finish (result, &error))
    g_task_return_error (task, classify_keyring_error (error, g_task_get_cancellable (task)));
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * poste_secrets_store:
 * @provider: a #PosteProvider with a name
 * @password: the password
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Stores @password asynchronously, see poste_secrets_store_sync().
 */
void
poste_secrets_store (PosteProvider       *provider,
                     const char          *password,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_autoptr(GHashTable) attributes = NULL;
  g_autofree char *label = NULL;
  GTask *task;

  g_return_if_fail (POSTE_IS_PROVIDER (provider));
  g_return_if_fail (password != NULL);

  attributes = attributes_of (provider);
  if (attributes == NULL)
    return;
  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, poste_secrets_store);
  label = g_strdup_printf (_("Poste Restante password for %s"), poste_provider_get_name (provider));
  secret_password_storev (poste_secrets_get_schema (), attributes, SECRET_COLLECTION_DEFAULT,
                          label, password, cancellable, store_cb, task);
}

/**
 * poste_secrets_store_finish:
 * @result: the #GAsyncResult
 * @error: a #GError, or %NULL
 *
 * Returns: %TRUE when the password was stored
 */
gboolean
poste_secrets_store_finish (GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Asks the Secret Service for a sign of life (org.freedesktop.DBus.Peer.Ping, answered by its
 * D-Bus library, never a prompt) within POSTE_SECRETS_PING_TIMEOUT: a keyring that hangs is then
 * told in seconds, not after libsecret's calls have each waited D-Bus's 25 s. Starts the keyring
 * when the bus can. Returns FALSE with the error already classified. */
static gboolean
ping_service (GCancellable  *cancellable,
              GError       **error)
{
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GVariant) reply = NULL;
  GError *local_error = NULL;

  if (!uses_service_backend ())
    return TRUE;
  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, cancellable, NULL);
  if (bus == NULL)
    {
      set_no_keyring (error);
      return FALSE;
    }
  reply = g_dbus_connection_call_sync (bus, SECRETS_BUS_NAME, "/org/freedesktop/secrets",
                                       "org.freedesktop.DBus.Peer", "Ping", NULL, NULL,
                                       G_DBUS_CALL_FLAGS_NONE, POSTE_SECRETS_PING_TIMEOUT * 1000,
                                       cancellable, &local_error);
  if (reply != NULL)
    return TRUE;
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || is_timeout (local_error) ||
      g_error_matches (local_error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN) ||
      g_error_matches (local_error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER))
    {
      g_propagate_error (error, classify_keyring_error (local_error, cancellable));
      return FALSE;
    }
  /* Another answer (a service that does not know Ping) is still an answer. */
  g_error_free (local_error);
  return TRUE;
}

/* Whether the default collection, where poste_secrets_store() puts passwords, is locked: a
 * search shows nothing of a locked collection in some keyrings. */
static gboolean
default_collection_locked (GCancellable *cancellable)
{
  g_autoptr(SecretService) service = NULL;
  g_autoptr(SecretCollection) collection = NULL;

  if (!uses_service_backend ())
    return FALSE;
  service = secret_service_get_sync (SECRET_SERVICE_NONE, cancellable, NULL);
  if (service == NULL)
    return FALSE;
  collection = secret_collection_for_alias_sync (service, SECRET_COLLECTION_DEFAULT,
                                                 SECRET_COLLECTION_NONE, cancellable, NULL);
  return collection != NULL && secret_collection_get_locked (collection);
}

/**
 * poste_secrets_lookup_full_sync:
 * @provider: a #PosteProvider with a name
 * @flags: #PosteSecretsLookupFlags: %POSTE_SECRETS_LOOKUP_UNLOCK when the user is present
 * @cancellable: (nullable): a #GCancellable
 * @error: a #GError, or %NULL
 *
 * Looks the provider's password up in the keyring (the Secret Service API). With
 * %POSTE_SECRETS_LOOKUP_UNLOCK a locked item is unlocked through the Secret Service's own
 * prompt (the keyring asks for its password; this process never sees it); without it a locked
 * keyring is reported as such and nobody is asked. Blocks on D-Bus, and on the prompt.
 *
 * Returns: (transfer full) (nullable): the password, to free with poste_secrets_free_password();
 *   %NULL with a %POSTE_CONFIG_ERROR: %POSTE_CONFIG_ERROR_NO_SECRET when the keyring holds
 *   none, %POSTE_CONFIG_ERROR_NO_KEYRING when no Secret Service runs,
 *   %POSTE_CONFIG_ERROR_KEYRING_LOCKED when it stayed locked,
 *   %POSTE_CONFIG_ERROR_KEYRING_TIMEOUT when it did not answer (within
 *   %POSTE_SECRETS_PING_TIMEOUT seconds, or D-Bus's 25 s for a later call); or with
 *   libsecret's other errors
 */
char *
poste_secrets_lookup_full_sync (PosteProvider            *provider,
                                PosteSecretsLookupFlags   flags,
                                GCancellable             *cancellable,
                                GError                  **error)
{
  g_autoptr(GHashTable) attributes = NULL;
  GError *local_error = NULL;
  GList *items;
  gboolean locked = FALSE;
  char *password = NULL;

  g_return_val_if_fail (POSTE_IS_PROVIDER (provider), NULL);

  attributes = attributes_of (provider);
  if (attributes == NULL)
    return NULL;
  if (!ping_service (cancellable, error))
    return NULL;
  /* SECRET_SEARCH_ALL: locked items too, so that a locked keyring is told apart from an empty
   * one; SECRET_SEARCH_UNLOCK prompts for them. */
  items = secret_password_searchv_sync (poste_secrets_get_schema (), attributes,
                                        SECRET_SEARCH_ALL |
                                          ((flags & POSTE_SECRETS_LOOKUP_UNLOCK) != 0
                                             ? SECRET_SEARCH_UNLOCK : SECRET_SEARCH_NONE),
                                        cancellable, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, classify_keyring_error (local_error, cancellable));
      return NULL;
    }
  for (GList *l = items; l != NULL && password == NULL; l = l->next)
    {
      SecretRetrievable *item = l->data;
      SecretValue *value;

      if (SECRET_IS_ITEM (item) && secret_item_get_locked (SECRET_ITEM (item)))
        {
          locked = TRUE;
          continue;
        }
      value = secret_retrievable_retrieve_secret_sync (item, cancellable, &local_error);
      if (local_error != NULL)
        break;
      if (value != NULL)
        {
          const char *text = secret_value_get_text (value);

          password = text != NULL ? g_strdup (text) : NULL;
          secret_value_unref (value);
        }
    }
  g_list_free_full (items, g_object_unref);

  if (password != NULL)
    {
      g_clear_error (&local_error);
      return password;
    }
  if (local_error != NULL)
    g_propagate_error (error, classify_keyring_error (local_error, cancellable));
  else if (locked || default_collection_locked (cancellable))
    set_locked (error);
  else
    set_no_secret (provider, error);
  return NULL;
}

/**
 * poste_secrets_lookup_sync:
 * @provider: a #PosteProvider with a name
 * @cancellable: (nullable): a #GCancellable
 * @error: a #GError, or %NULL
 *
 * poste_secrets_lookup_full_sync() with %POSTE_SECRETS_LOOKUP_UNLOCK: for a user who is present.
 *
 * Returns: (transfer full) (nullable): the password, to free with poste_secrets_free_password();
 *   %NULL with an error of poste_secrets_lookup_full_sync()
 */
char *
poste_secrets_lookup_sync (PosteProvider  *provider,
                           GCancellable   *cancellable,
                           GError        **error)
{
  return poste_secrets_lookup_full_sync (provider, POSTE_SECRETS_LOOKUP_UNLOCK, cancellable,
                                         error);
}

static void
lookup_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  PosteProvider *provider = task_data;
  PosteSecretsLookupFlags flags =
    GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (task), "poste-flags"));
  GError *error = NULL;
  char *password = poste_secrets_lookup_full_sync (provider, flags, cancellable, &error);

  if (password == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, password, (GDestroyNotify) poste_secrets_free_password);
}

/**
 * poste_secrets_lookup_full:
 * @provider: a #PosteProvider with a name
 * @flags: #PosteSecretsLookupFlags
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Looks the password up without blocking the caller (in a worker thread: the search, the
 * unlock prompt and the secret are one sequence), see poste_secrets_lookup_full_sync().
 */
void
poste_secrets_lookup_full (PosteProvider            *provider,
                           PosteSecretsLookupFlags   flags,
                           GCancellable             *cancellable,
                           GAsyncReadyCallback       callback,
                           gpointer                  user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (POSTE_IS_PROVIDER (provider));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, poste_secrets_lookup);
  g_task_set_task_data (task, poste_provider_copy (provider), g_object_unref);
  g_object_set_data (G_OBJECT (task), "poste-flags", GUINT_TO_POINTER (flags));
  g_task_run_in_thread (task, lookup_thread);
}

/**
 * poste_secrets_lookup:
 * @provider: a #PosteProvider with a name
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * poste_secrets_lookup_full() with %POSTE_SECRETS_LOOKUP_UNLOCK: for a user who is present.
 */
void
poste_secrets_lookup (PosteProvider       *provider,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  poste_secrets_lookup_full (provider, POSTE_SECRETS_LOOKUP_UNLOCK, cancellable, callback,
                             user_data);
}

/**
 * poste_secrets_lookup_finish:
 * @result: the #GAsyncResult
 * @error: a #GError, or %NULL
 *
 * Returns: (transfer full) (nullable): the password, to free with
 *   poste_secrets_free_password(); %NULL with an error of poste_secrets_lookup_full_sync()
 */
char *
poste_secrets_lookup_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
probe_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  GError *error = NULL;

  if (poste_secrets_probe_sync (cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/**
 * poste_secrets_probe_sync:
 * @cancellable: (nullable): a #GCancellable
 * @error: a #GError, or %NULL
 *
 * Whether a keyring can keep passwords on this machine: a Secret Service owns
 * `org.freedesktop.secrets` on the session bus or the bus can start one (or libsecret uses a
 * backend of its own: the portal inside Flatpak). Asks the bus, never the keyring, so it
 * neither prompts nor waits for a keyring that hangs.
 *
 * Returns: %TRUE when a keyring is available; otherwise %FALSE with
 *   %POSTE_CONFIG_ERROR_NO_KEYRING
 */
gboolean
poste_secrets_probe_sync (GCancellable  *cancellable,
                          GError       **error)
{
  g_autoptr(GError) bus_error = NULL;

  if (!uses_service_backend ())
    return TRUE;
  if (service_present (cancellable, &bus_error))
    return TRUE;
  if (g_error_matches (bus_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_propagate_error (error, g_steal_pointer (&bus_error));
      return FALSE;
    }
  set_no_keyring (error);
  return FALSE;
}

/**
 * poste_secrets_probe:
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * poste_secrets_probe_sync() without blocking the caller.
 */
void
poste_secrets_probe (GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, poste_secrets_probe);
  g_task_run_in_thread (task, probe_thread);
}

/**
 * poste_secrets_probe_finish:
 * @result: the #GAsyncResult
 * @error: a #GError, or %NULL
 *
 * Returns: %TRUE when a keyring is available; otherwise %FALSE with
 *   %POSTE_CONFIG_ERROR_NO_KEYRING (or %G_IO_ERROR_CANCELLED)
 */
gboolean
poste_secrets_probe_finish (GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * poste_secrets_clear_sync:
 * @provider: a #PosteProvider with a name
 * @cancellable: (nullable): a #GCancellable
 * @error: a #GError, or %NULL
 *
 * Removes the provider's password from the keyring (nothing to remove is not an error).
 *
 * Returns: %TRUE unless libsecret failed
 */
gboolean
poste_secrets_clear_sync (PosteProvider  *provider,
                          GCancellable   *cancellable,
                          GError        **error)
{
  g_autoptr(GHashTable) attributes = NULL;
  GError *local_error = NULL;

  g_return_val_if_fail (POSTE_IS_PROVIDER (provider), FALSE);

  attributes = attributes_of (provider);
  if (attributes == NULL)
    return FALSE;
  secret_password_clearv_sync (poste_secrets_get_schema (), attributes, cancellable,
                               &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  return TRUE;
}

static void
clear_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  secret_password_clear_finish (result, &error);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * poste_secrets_clear:
 * @provider: a #PosteProvider with a name
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Removes the password asynchronously, see poste_secrets_clear_sync().
 */
void
poste_secrets_clear (PosteProvider       *provider,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_autoptr(GHashTable) attributes = NULL;
  GTask *task;

  g_return_if_fail (POSTE_IS_PROVIDER (provider));

  attributes = attributes_of (provider);
  if (attributes == NULL)
    return;
  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, poste_secrets_clear);
  secret_password_clearv (poste_secrets_get_schema (), attributes, cancellable, clear_cb, task);
}

/**
 * poste_secrets_clear_finish:
 * @result: the #GAsyncResult
 * @error: a #GError, or %NULL
 *
 * Returns: %TRUE unless libsecret failed
 */
gboolean
poste_secrets_clear_finish (GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
