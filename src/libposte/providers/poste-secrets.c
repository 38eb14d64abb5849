/* poste-secrets.c: which password a provider uses, and why there is none
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A provider's password comes from its password file (poste-secrets-file.c) when it names one,
 * otherwise from the keyring (poste-secrets-keyring.c); a provider that authenticates with a
 * client certificate needs none. A failure is explained here, once, for every caller.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "poste-error.h"
#include "poste-secrets.h"
#include "poste-secrets-private.h"

const char *
_poste_secrets_username_of (PosteProvider *provider)
{
  const char *username = poste_provider_get_username (provider);

  return username != NULL ? username : "";
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
 * the keyring's state keeps its code (%POSTE_CONFIG_ERROR_NO_KEYRING,
 * %POSTE_CONFIG_ERROR_KEYRING_LOCKED, %POSTE_CONFIG_ERROR_KEYRING_TIMEOUT) with advice that works
 * on this machine (a password file when no keyring runs); anything else (no item, another
 * libsecret failure) is %POSTE_CONFIG_ERROR_NO_SECRET with what to do. Only a keyring that
 * answered and holds nothing is called "no password".
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
  if (cause->domain == POSTE_CONFIG_ERROR)
    switch ((PosteConfigError) cause->code)
      {
      case POSTE_CONFIG_ERROR_NO_SECRET:
        /* Only here is "no password" true: the keyring answered, and holds none. */
        break;
      case POSTE_CONFIG_ERROR_NO_KEYRING:
        /* secret-tool or the editor cannot store anything here: only a file can. */
        return g_error_new (POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_NO_KEYRING,
                            _("cannot read the password of provider '%s': no keyring is running "
                              "on this desktop (no Secret Service on the session bus); set "
                              "password-file= to a file only you can read (chmod 600), or start "
                              "a keyring such as gnome-keyring or KWallet"),
                            name);
      case POSTE_CONFIG_ERROR_KEYRING_LOCKED:
        return g_error_new (POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_KEYRING_LOCKED,
                            _("cannot read the password of provider '%s': the keyring is locked; "
                              "unlock it (a fetch or connection test you start shows its unlock "
                              "prompt), and scheduled fetches go on after that"),
                            name);
      case POSTE_CONFIG_ERROR_KEYRING_TIMEOUT:
        return g_error_new (POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_KEYRING_TIMEOUT,
                            _("cannot read the password of provider '%s': %s; the keyring "
                              "(org.freedesktop.secrets) is running but stuck: restart it, or "
                              "set password-file="),
                            name, cause->message);
      case POSTE_CONFIG_ERROR_PARSE:
      case POSTE_CONFIG_ERROR_UNKNOWN_KEY:
      case POSTE_CONFIG_ERROR_INVALID_VALUE:
      case POSTE_CONFIG_ERROR_MISSING_KEY:
      case POSTE_CONFIG_ERROR_NOT_FOUND:
      case POSTE_CONFIG_ERROR_INSECURE:
      default:
        return g_error_copy (cause);
      }
  if (cause->domain == G_FILE_ERROR)
    return g_error_new_literal (POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INVALID_VALUE,
                                cause->message);
  if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_error_copy (cause);
  if (cause->domain == POSTE_CONFIG_ERROR)
    return g_error_new (POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_NO_SECRET,
                        _("no password for provider '%s': none is stored in the keyring for "
                          "user '%s'; store one with the application's provider editor, or set "
                          "password-file= to a file only you can read"),
                        name, _poste_secrets_username_of (provider));
  return g_error_new (POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_NO_SECRET,
                      _("cannot read the password of provider '%s' from the keyring: %s"),
                      name, cause->message);
}

/**
 * poste_secrets_dup_password_sync:
 * @provider: a provider
 * @error: a #GError, or %NULL
 *
 * The provider's password as a fetch reads it, for the callers that read it at once: its
 * password-file, else the keyring (blocking on D-Bus, without a prompt), a failure explained
 * by poste_secrets_explain_error() (%POSTE_CONFIG_ERROR_NO_SECRET and the keyring's own codes,
 * or %POSTE_CONFIG_ERROR_INSECURE / %POSTE_CONFIG_ERROR_INVALID_VALUE for a password file that
 * cannot be used).
 *
 * Returns: (transfer full) (nullable): the password (free with poste_secrets_free_password()),
 *   or %NULL: with @error set on failure, without when the provider needs none
 */
char *
poste_secrets_dup_password_sync (PosteProvider  *provider,
                                 GError        **error)
{
  g_autoptr(GError) local_error = NULL;
  char *password;

  g_return_val_if_fail (POSTE_IS_PROVIDER (provider), NULL);

  password = poste_secrets_get_password_sync (provider, NULL, &local_error);
  if (local_error != NULL)
    g_propagate_error (error, poste_secrets_explain_error (provider, local_error));
  return password;
}
