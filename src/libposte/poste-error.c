/* poste-error.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>

#include "poste-error.h"

G_DEFINE_QUARK (poste-protocol-error-quark, poste_protocol_error)
G_DEFINE_QUARK (poste-session-error-quark, poste_session_error)
G_DEFINE_QUARK (poste-delivery-error-quark, poste_delivery_error)
G_DEFINE_QUARK (poste-config-error-quark, poste_config_error)
G_DEFINE_QUARK (poste-outbox-error-quark, poste_outbox_error)

/**
 * poste_exit_status_for_error:
 * @error: (nullable): the error that ended a session, or %NULL
 *
 * Maps an error to the command-line tool's exit status (fetchmail's convention).
 *
 * Returns: %POSTE_EXIT_MAIL for %NULL (the caller decides between mail and no mail), otherwise
 *   the status for the error's domain and code
 */
PosteExitStatus
poste_exit_status_for_error (const GError *error)
{
  if (error == NULL)
    return POSTE_EXIT_MAIL;

  /* No password to be found is an authentication failure; a file that cannot be used as
   * configuration or password file, or a bad option, is the user's to fix. */
  if (g_error_matches (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_NO_SECRET) ||
      g_error_matches (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_NO_KEYRING) ||
      g_error_matches (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_KEYRING_LOCKED))
    return POSTE_EXIT_AUTH;
  /* A keyring that does not answer is a local service timing out: try again later. */
  if (g_error_matches (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_KEYRING_TIMEOUT))
    return POSTE_EXIT_NETWORK;
  if (error->domain == G_FILE_ERROR || error->domain == G_OPTION_ERROR)
    return POSTE_EXIT_USAGE;

  if (error->domain == POSTE_SESSION_ERROR)
    {
      switch ((PosteSessionError) error->code)
        {
        case POSTE_SESSION_ERROR_TLS_REQUIRED:
        case POSTE_SESSION_ERROR_CERTIFICATE:
          return POSTE_EXIT_NETWORK;
        case POSTE_SESSION_ERROR_AUTH_UNAVAILABLE:
        case POSTE_SESSION_ERROR_AUTH_FAILED:
        case POSTE_SESSION_ERROR_AUTH_REQUIRED:
          return POSTE_EXIT_AUTH;
        /* Only 450 and 451 (and other 4xx) are "try later". */
        case POSTE_SESSION_ERROR_REFUSED:
        case POSTE_SESSION_ERROR_TRY_LATER:
          return POSTE_EXIT_REFUSED;
        /* A 5xx (no ODMR, ATRN rejected for good): the protocol, or the wrong server. */
        case POSTE_SESSION_ERROR_NOT_SUPPORTED:
          return POSTE_EXIT_PROTOCOL;
        case POSTE_SESSION_ERROR_DELIVERY:
          return POSTE_EXIT_DELIVERY;
        case POSTE_SESSION_ERROR_CONFIG:
          return POSTE_EXIT_USAGE;
        default:
          return POSTE_EXIT_PROTOCOL;
        }
    }

  if (error->domain == POSTE_PROTOCOL_ERROR)
    {
      if (error->code == POSTE_PROTOCOL_ERROR_CLOSED)
        return POSTE_EXIT_NETWORK;
      return POSTE_EXIT_PROTOCOL;
    }

  if (error->domain == POSTE_DELIVERY_ERROR)
    return POSTE_EXIT_DELIVERY;

  if (error->domain == POSTE_CONFIG_ERROR)
    return POSTE_EXIT_USAGE;

  /* G_IO_ERROR, G_TLS_ERROR, G_RESOLVER_ERROR: the network or TLS. */
  return POSTE_EXIT_NETWORK;
}

/**
 * poste_error_get_kind:
 * @error: (nullable): why a fetch, a check or a submission failed
 *
 * Classifies @error once for everyone who reacts to it: the scheduler's backoff, the
 * notifications and whether the user must act (poste_error_kind_needs_user()).
 * poste_exit_status_for_error() gives the command line's exit status for the same error.
 *
 * Returns: the #PosteErrorKind; %POSTE_ERROR_KIND_NONE for %NULL and for %G_IO_ERROR_CANCELLED
 */
PosteErrorKind
poste_error_get_kind (const GError *error)
{
  if (error == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return POSTE_ERROR_KIND_NONE;

  if (error->domain == POSTE_SESSION_ERROR)
    {
      switch ((PosteSessionError) error->code)
        {
        case POSTE_SESSION_ERROR_AUTH_FAILED:
        case POSTE_SESSION_ERROR_AUTH_REQUIRED:
        case POSTE_SESSION_ERROR_AUTH_UNAVAILABLE:
          return POSTE_ERROR_KIND_AUTH;
        case POSTE_SESSION_ERROR_CERTIFICATE:
          return POSTE_ERROR_KIND_CERTIFICATE;
        case POSTE_SESSION_ERROR_DELIVERY:
          return POSTE_ERROR_KIND_DELIVERY;
        case POSTE_SESSION_ERROR_TLS_REQUIRED:
        case POSTE_SESSION_ERROR_NOT_SUPPORTED:
        case POSTE_SESSION_ERROR_CONFIG:
          return POSTE_ERROR_KIND_CONFIG;
        case POSTE_SESSION_ERROR_REFUSED:
        case POSTE_SESSION_ERROR_TRY_LATER:
          return POSTE_ERROR_KIND_BUSY;
        default:
          return POSTE_ERROR_KIND_TRANSIENT;
        }
    }
  /* No password, no keyring to hold one, or a locked keyring: only the user can mend it (store
   * one, choose a password file, unlock); retrying on our own would not help. The scheduler
   * keeps a locked keyring's provider on its interval so that the first fetch after the unlock
   * succeeds (poste_error_is_keyring_locked()). */
  if (g_error_matches (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_NO_SECRET) ||
      g_error_matches (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_NO_KEYRING) ||
      g_error_matches (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_KEYRING_LOCKED))
    return POSTE_ERROR_KIND_AUTH;
  /* A keyring that did not answer may answer next time (it was starting, or busy). */
  if (g_error_matches (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_KEYRING_TIMEOUT))
    return POSTE_ERROR_KIND_TRANSIENT;
  if (error->domain == POSTE_CONFIG_ERROR || error->domain == G_FILE_ERROR)
    return POSTE_ERROR_KIND_CONFIG;
  /* A target that cannot work (its form, or a sandbox that does not reach it) will not mend
   * itself: only the configuration can. */
  if (g_error_matches (error, POSTE_DELIVERY_ERROR, POSTE_DELIVERY_ERROR_INVALID) ||
      g_error_matches (error, POSTE_DELIVERY_ERROR, POSTE_DELIVERY_ERROR_SANDBOX))
    return POSTE_ERROR_KIND_CONFIG;
  if (error->domain == POSTE_DELIVERY_ERROR)
    return POSTE_ERROR_KIND_DELIVERY;
  if (error->domain == G_TLS_ERROR && error->code == G_TLS_ERROR_BAD_CERTIFICATE)
    return POSTE_ERROR_KIND_CERTIFICATE;
  return POSTE_ERROR_KIND_TRANSIENT;
}

/**
 * poste_error_kind_needs_user:
 * @kind: a #PosteErrorKind
 *
 * Returns: %TRUE when only the user can mend what @kind says (credentials, a certificate, the
 *   configuration, the local delivery target): worth a notification at once, with a way to act
 */
gboolean
poste_error_kind_needs_user (PosteErrorKind kind)
{
  return kind == POSTE_ERROR_KIND_AUTH || kind == POSTE_ERROR_KIND_CERTIFICATE ||
         kind == POSTE_ERROR_KIND_CONFIG || kind == POSTE_ERROR_KIND_DELIVERY;
}

/**
 * poste_error_is_keyring_locked:
 * @error: (nullable): why a fetch failed
 *
 * A locked keyring is %POSTE_ERROR_KIND_AUTH (the user must unlock it), but unlike refused
 * credentials it mends itself as soon as the user unlocks the keyring for any reason: a
 * scheduled fetch should wait for that, quietly, instead of stopping for good.
 *
 * Returns: %TRUE for %POSTE_CONFIG_ERROR_KEYRING_LOCKED
 */
gboolean
poste_error_is_keyring_locked (const GError *error)
{
  return g_error_matches (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_KEYRING_LOCKED);
}
