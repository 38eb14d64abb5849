/* poste-secrets-file.c: provider passwords in a password file, for machines without a keyring
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A password-file= the user names, read only when no one else can read or replace it, and the
 * file the application manages itself when the user chose a file instead of a keyring.
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
 * poste_secrets_dup_managed_file:
 * @provider: a #PosteProvider with a name
 *
 * Where the application keeps the provider's password when the user chose a file instead of
 * a keyring: `$XDG_CONFIG_HOME/poste-restante/passwords/NAME` (a `/` in the name becomes `_`).
 *
 * Returns: (transfer full): the absolute path
 */
char *
poste_secrets_dup_managed_file (PosteProvider *provider)
{
  g_autofree char *name = NULL;

  g_return_val_if_fail (POSTE_IS_PROVIDER (provider), NULL);

  name = g_strdup (poste_provider_get_name (provider));
  g_strdelimit (name, "/", '_');
  if (name[0] == '.')
    name[0] = '_';
  return g_build_filename (g_get_user_config_dir (), "poste-restante", "passwords", name, NULL);
}

/**
 * poste_secrets_is_managed_file:
 * @provider: a #PosteProvider
 *
 * Returns: %TRUE when the provider's `password-file` is the one the application manages
 *   (poste_secrets_dup_managed_file())
 */
gboolean
poste_secrets_is_managed_file (PosteProvider *provider)
{
  g_autofree char *managed = NULL;

  g_return_val_if_fail (POSTE_IS_PROVIDER (provider), FALSE);

  if (poste_provider_get_password_file (provider) == NULL)
    return FALSE;
  managed = poste_secrets_dup_managed_file (provider);
  return g_str_equal (managed, poste_provider_get_password_file (provider));
}

/**
 * poste_secrets_store_file:
 * @provider: a #PosteProvider with a name
 * @password: the password (one line)
 * @error: a #GError, or %NULL
 *
 * For a desktop without a keyring: writes @password to poste_secrets_dup_managed_file(), a file
 * of mode 0600 in a directory of mode 0700 (replaced atomically, never readable by others even
 * for a moment), and sets the provider's `password-file` to it. The password is then as safe as
 * the user's account and disk, no safer: it is not encrypted.
 *
 * Returns: %TRUE when written; otherwise %FALSE with %POSTE_CONFIG_ERROR_INVALID_VALUE (a
 *   password of more than one line, or too long) or a %G_FILE_ERROR
 */
gboolean
poste_secrets_store_file (PosteProvider  *provider,
                          const char     *password,
                          GError        **error)
{
  g_autofree char *path = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *line = NULL;
  gboolean ok;

  g_return_val_if_fail (POSTE_IS_PROVIDER (provider), FALSE);
  g_return_val_if_fail (password != NULL, FALSE);

  if (password[0] == '\0' || strpbrk (password, "\r\n") != NULL ||
      strlen (password) >= POSTE_PASSWORD_FILE_MAX_SIZE)
    {
      g_set_error_literal (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INVALID_VALUE,
                           _("the password must be one line"));
      return FALSE;
    }
  path = poste_secrets_dup_managed_file (provider);
  dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _("cannot create %s: %s"), dir, g_strerror (saved_errno));
      return FALSE;
    }
  line = g_strconcat (password, "\n", NULL);
  ok = g_file_set_contents_full (path, line, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
  explicit_bzero (line, strlen (line));
  if (!ok)
    return FALSE;
  poste_provider_set_password_file (provider, path);
  return TRUE;
}
