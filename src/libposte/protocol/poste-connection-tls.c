/* poste-connection-tls.c: the TLS versions we accept, and their names
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One rule for every TLS connection libposte makes (the provider's ODMR port, its relay): TLS 1.2
 * or newer, checked by poste_connection_handshake() after every handshake, before a byte of
 * application data goes over it.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "poste-connection.h"

/**
 * poste_connection_tls_version_name:
 * @version: a negotiated protocol version
 *
 * Returns: (transfer none): its name for logs and messages ("TLS 1.2"), or "an unknown TLS
 *   version" for %G_TLS_PROTOCOL_VERSION_UNKNOWN
 */
const char *
poste_connection_tls_version_name (GTlsProtocolVersion version)
{
  switch (version)
    {
    case G_TLS_PROTOCOL_VERSION_SSL_3_0: return "SSL 3.0";
    case G_TLS_PROTOCOL_VERSION_TLS_1_0: return "TLS 1.0";
    case G_TLS_PROTOCOL_VERSION_TLS_1_1: return "TLS 1.1";
    case G_TLS_PROTOCOL_VERSION_TLS_1_2: return "TLS 1.2";
    case G_TLS_PROTOCOL_VERSION_TLS_1_3: return "TLS 1.3";
    case G_TLS_PROTOCOL_VERSION_DTLS_1_0: return "DTLS 1.0";
    case G_TLS_PROTOCOL_VERSION_DTLS_1_2: return "DTLS 1.2";
    case G_TLS_PROTOCOL_VERSION_UNKNOWN:
    default:
      return _("an unknown TLS version");
    }
}

/**
 * poste_connection_check_tls_version:
 * @tls: a #GTlsConnection whose handshake has completed
 * @error: return location for a #GError
 *
 * Accepts only TLS 1.2 and TLS 1.3. TLS 1.0 and 1.1 are deprecated (RFC 8996) and mail
 * submission and access must not use them (RFC 8314 section 4.1); SSL 3.0 was broken long before.
 * A version the backend cannot name (%G_TLS_PROTOCOL_VERSION_UNKNOWN) is refused too: only
 * what was checked is trusted.
 *
 * The GnuTLS priority string cannot do this for us: GIO has no per-connection setting for it, and
 * glib-networking reads `G_TLS_GNUTLS_PRIORITY` once for the whole process, where it would
 * replace the administrator's system-wide policy for every TLS connection and turn this refusal
 * into a bare protocol_version alert. So the library leaves the priority as the system (or the
 * user, through that variable) sets it, and refuses an old version here, after every handshake,
 * before a single byte of application data is sent.
 *
 * Returns: %TRUE for TLS 1.2 or newer; %FALSE with %G_TLS_ERROR_MISC naming the version
 */
gboolean
poste_connection_check_tls_version (GTlsConnection  *tls,
                                    GError         **error)
{
  GTlsProtocolVersion version;

  g_return_val_if_fail (G_IS_TLS_CONNECTION (tls), FALSE);

  version = g_tls_connection_get_protocol_version (tls);
  if (version == G_TLS_PROTOCOL_VERSION_TLS_1_2 || version == G_TLS_PROTOCOL_VERSION_TLS_1_3)
    return TRUE;
  if (G_IS_TLS_CLIENT_CONNECTION (tls))
    g_set_error (error, G_TLS_ERROR, G_TLS_ERROR_MISC,
                 _("The server negotiated %s, which is no longer safe (RFC 8996); TLS 1.2 or "
                   "newer is required, so the connection was closed before anything was sent "
                   "over it"),
                 poste_connection_tls_version_name (version));
  else
    g_set_error (error, G_TLS_ERROR, G_TLS_ERROR_MISC,
                 _("The client negotiated %s, which is no longer safe (RFC 8996); TLS 1.2 or "
                   "newer is required"),
                 poste_connection_tls_version_name (version));
  return FALSE;
}
