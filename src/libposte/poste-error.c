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
