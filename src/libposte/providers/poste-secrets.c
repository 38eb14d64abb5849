/* poste-secrets.c: provider passwords in the Secret Service (libsecret) or a password file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One keyring item per provider, found by the schema named after the application id and two
 * attributes: the provider's name and its user name (so that changing the user name does not
 * hand the old password to the new identity). Inside Flatpak libsecret goes through the secret
 * portal by itself.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "poste-error.h"
#include "poste-secrets.h"

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

static const char *
username_of (PosteProvider *provider)
{
  const char *username = poste_provider_get_username (provider);

  return username != NULL ? username : "";
}

/* The provider's item attributes in poste_secrets_get_schema(), for the libsecret calls below;
 * %NULL, after libsecret's critical warning, when the provider has no name. */
static GHashTable *
attributes_of (PosteProvider *provider)
{
  return secret_attributes_build (poste_secrets_get_schema (),
                                  "provider", poste_provider_get_name (provider),
                                  "username", username_of (provider),
                                  NULL);
}

/**
 * poste_secrets_free_password:
 * @password: (nullable) (transfer full): a password from this module
 *
 * Overwrites the password's memory with zeros and frees it.
 */
void
poste_secrets_free_password (char *password)
{
  if (password == NULL)
    return;
  explicit_bzero (password, strlen (password));
  g_free (password);
}

/* libsecret's string is freed with secret_password_free(); hand back a g_malloc() copy. */
static char *
take_secret (char *secret)
{
  char *copy;

  if (secret == NULL)
    return NULL;
  copy = g_strdup (secret);
  secret_password_free (secret);
  return copy;
}

static void
set_no_secret (PosteProvider  *provider,
               GError        **error)
{
  g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_NO_SECRET,
               _("no password is stored for provider '%s' (user '%s')"),
               poste_provider_get_name (provider), username_of (provider));
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
 * Returns: %TRUE on success; otherwise %FALSE with libsecret's error (%G_DBUS_ERROR,
 *   %SECRET_ERROR or %G_IO_ERROR)
 */
gboolean
poste_secrets_store_sync (PosteProvider  *provider,
                          const char     *password,
                          GCancellable   *cancellable,
                          GError        **error)
{
  g_autoptr(GHashTable) attributes = NULL;
  g_autofree char *label = NULL;

  g_return_val_if_fail (POSTE_IS_PROVIDER (provider), FALSE);
  g_return_val_if_fail (password != NULL, FALSE);

  label = g_strdup_printf (_("Poste Restante password for %s"), poste_provider_get_name (provider));
  attributes = attributes_of (provider);
  if (attributes == NULL)
    return FALSE;
  return secret_password_storev_sync (poste_secrets_get_schema (), attributes,
                                      SECRET_COLLECTION_DEFAULT, label, password, cancellable,
                                      error);
}

static void
store_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!secret_password_store_finish (result, &error))
    g_task_return_error (task, error);
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

/**
 * poste_secrets_lookup_sync:
 * @provider: a #PosteProvider with a name
 * @cancellable: (nullable): a #GCancellable
 * @error: a #GError, or %NULL
 *
 * Looks the provider's password up in the keyring. Blocks on D-Bus.
 *
 * Returns: (transfer full) (nullable): the password, to free with poste_secrets_free_password();
 *   %NULL with %POSTE_CONFIG_ERROR_NO_SECRET when none is stored, or with libsecret's error
 */
char *
poste_secrets_lookup_sync (PosteProvider  *provider,
                           GCancellable   *cancellable,
                           GError        **error)
{
  g_autoptr(GHashTable) attributes = NULL;
  GError *local_error = NULL;
  char *password;

  g_return_val_if_fail (POSTE_IS_PROVIDER (provider), NULL);

  attributes = attributes_of (provider);
  if (attributes == NULL)
    return NULL;
  password = take_secret (secret_password_lookupv_sync (poste_secrets_get_schema (), attributes,
                                                        cancellable, &local_error));
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return NULL;
    }
  if (password == NULL)
    set_no_secret (provider, error);
  return password;
}

static void
lookup_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  char *password = take_secret (secret_password_lookup_finish (result, &error));

  if (error != NULL)
    g_task_return_error (task, error);
  else if (password == NULL)
    {
      set_no_secret (g_task_get_task_data (task), &error);
      g_task_return_error (task, error);
    }
  else
    g_task_return_pointer (task, password, (GDestroyNotify) poste_secrets_free_password);
}

/**
 * poste_secrets_lookup:
 * @provider: a #PosteProvider with a name
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Looks the password up asynchronously, see poste_secrets_lookup_sync().
 */
void
poste_secrets_lookup (PosteProvider       *provider,
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
  g_task_set_source_tag (task, poste_secrets_lookup);
  g_task_set_task_data (task, g_object_ref (provider), g_object_unref);
  secret_password_lookupv (poste_secrets_get_schema (), attributes, cancellable, lookup_cb, task);
}

/**
 * poste_secrets_lookup_finish:
 * @result: the #GAsyncResult
 * @error: a #GError, or %NULL
 *
 * Returns: (transfer full) (nullable): the password, to free with
 *   poste_secrets_free_password(); %NULL with %POSTE_CONFIG_ERROR_NO_SECRET when none is stored
 */
char *
poste_secrets_lookup_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
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

/**
 * poste_secrets_read_password_file:
 * @path: the password file (absolute)
 * @error: a #GError, or %NULL
 *
 * Reads a password file for machines without a keyring. The file is refused unless it is a
 * regular file owned by the user and neither readable nor writable by group or others
 * (mode & 077 == 0, as ssh does for keys); the checks are made on the opened file, so a rename in
 * between changes nothing. One trailing newline (LF or CR LF) is removed. At most
 * %POSTE_PASSWORD_FILE_MAX_SIZE bytes.
 *
 * Returns: (transfer full) (nullable): the password, to free with poste_secrets_free_password();
 *   %NULL with %POSTE_CONFIG_ERROR_INSECURE for a file others can read or that is not a regular
 *   file of the user's, %POSTE_CONFIG_ERROR_INVALID_VALUE for an empty or oversized one, or a
 *   %G_FILE_ERROR
 */
char *
poste_secrets_read_password_file (const char  *path,
                                  GError     **error)
{
  char buffer[POSTE_PASSWORD_FILE_MAX_SIZE + 1];
  struct stat st;
  gsize length = 0;
  char *password;
  int fd;

  g_return_val_if_fail (path != NULL, NULL);

  /* O_NONBLOCK: a FIFO must not block the open; it is refused below. */
  fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _("password file %s: %s"), path, g_strerror (saved_errno));
      return NULL;
    }
  if (fstat (fd, &st) != 0)
    {
      int saved_errno = errno;

      close (fd);
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _("password file %s: %s"), path, g_strerror (saved_errno));
      return NULL;
    }
  if (!S_ISREG (st.st_mode))
    {
      close (fd);
      g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INSECURE,
                   _("password file %s is not a regular file"), path);
      return NULL;
    }
  if (st.st_uid != getuid ())
    {
      close (fd);
      g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INSECURE,
                   _("password file %s belongs to another user (uid %u)"), path,
                   (guint) st.st_uid);
      return NULL;
    }
  if ((st.st_mode & 077) != 0)
    {
      close (fd);
      g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INSECURE,
                   _("password file %s is accessible to others (mode %04o); "
                     "make it readable by its owner alone: chmod 600 %s"),
                   path, (guint) (st.st_mode & 07777), path);
      return NULL;
    }

  while (length < sizeof buffer)
    {
      gssize n = read (fd, buffer + length, sizeof buffer - length);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved_errno = errno;

          close (fd);
          explicit_bzero (buffer, sizeof buffer);
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                       _("password file %s: %s"), path, g_strerror (saved_errno));
          return NULL;
        }
      if (n == 0)
        break;
      length += n;
    }
  close (fd);

  if (length > POSTE_PASSWORD_FILE_MAX_SIZE)
    {
      explicit_bzero (buffer, sizeof buffer);
      g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INVALID_VALUE,
                   _("password file %s is larger than %d bytes"), path,
                   POSTE_PASSWORD_FILE_MAX_SIZE);
      return NULL;
    }
  if (length > 0 && buffer[length - 1] == '\n')
    length--;
  if (length > 0 && buffer[length - 1] == '\r')
    length--;
  if (length == 0 || memchr (buffer, '\0', length) != NULL || memchr (buffer, '\n', length) != NULL)
    {
      explicit_bzero (buffer, sizeof buffer);
      g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INVALID_VALUE,
                   _("password file %s must hold one line, the password"), path);
      return NULL;
    }

  password = g_strndup (buffer, length);
  explicit_bzero (buffer, sizeof buffer);
  return password;
}

/**
 * poste_secrets_auth_needs_password:
 * @provider: a #PosteProvider
 *
 * Returns: %TRUE unless the provider authenticates with a client certificate (SASL EXTERNAL)
 */
gboolean
poste_secrets_auth_needs_password (PosteProvider *provider)
{
  g_return_val_if_fail (POSTE_IS_PROVIDER (provider), TRUE);
  return poste_provider_get_auth (provider) != POSTE_AUTH_EXTERNAL;
}

/**
 * poste_secrets_get_password_sync:
 * @provider: a #PosteProvider
 * @cancellable: (nullable): a #GCancellable
 * @error: a #GError, or %NULL
 *
 * The password a session needs: from the `password-file` when the provider has one, otherwise
 * from the keyring. A provider that needs no password (SASL EXTERNAL) gets %NULL without error.
 *
 * Returns: (transfer full) (nullable): the password, to free with poste_secrets_free_password();
 *   %NULL with an error from poste_secrets_read_password_file() or
 *   poste_secrets_lookup_sync(), or %NULL without error when none is needed
 */
char *
poste_secrets_get_password_sync (PosteProvider  *provider,
                                 GCancellable   *cancellable,
                                 GError        **error)
{
  const char *file;

  g_return_val_if_fail (POSTE_IS_PROVIDER (provider), NULL);

  file = poste_provider_get_password_file (provider);
  if (file != NULL)
    return poste_secrets_read_password_file (file, error);
  if (!poste_secrets_auth_needs_password (provider))
    return NULL;
  return poste_secrets_lookup_sync (provider, cancellable, error);
}

/**
 * poste_secrets_explain_error:
 * @provider: the provider whose password was asked for
 * @cause: why poste_secrets_get_password_sync() or poste_secrets_lookup_finish() gave none
 *
 * Turns a failed password lookup into the error the user reads: a password file that cannot be
 * used keeps its %POSTE_CONFIG_ERROR (%POSTE_CONFIG_ERROR_INSECURE, ...) or becomes
 * %POSTE_CONFIG_ERROR_INVALID_VALUE (a %G_FILE_ERROR); cancellation stays %G_IO_ERROR_CANCELLED;
 * anything else (no item, no keyring to ask) is %POSTE_CONFIG_ERROR_NO_SECRET with what to do.
 *
 * Returns: (transfer full): the error to report
 */
GError *
poste_secrets_explain_error (PosteProvider *provider,
                             const GError  *cause)
{
  const char *name;

  g_return_val_if_fail (POSTE_IS_PROVIDER (provider), NULL);
  g_return_val_if_fail (cause != NULL, NULL);

  name = poste_provider_get_name (provider);
  if (cause->domain == POSTE_CONFIG_ERROR && cause->code != POSTE_CONFIG_ERROR_NO_SECRET)
    return g_error_copy (cause);
  if (cause->domain == G_FILE_ERROR)
    return g_error_new_literal (POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INVALID_VALUE,
                                cause->message);
  if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_error_copy (cause);
  return g_error_new (POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_NO_SECRET,
                      _("no password for provider '%s' (%s): store one in the keyring (the "
                        "application's provider editor does), or set password-file= to a file "
                        "only you can read"),
                      name,
                      g_error_matches (cause, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_NO_SECRET)
                        ? _("none in the keyring") : cause->message);
}
