/* poste-client-tls.c: TLS for the client phase: the handshake, verification, pinning and the
 * channel binding
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Implicit TLS (RFC 8314) right after connecting, or after STARTTLS's 220 (RFC 3207); either way
 * TLS 1.2 or newer, checked after every handshake by poste_connection_handshake().
 *
 * TLS: server-identity is the configured host. Verification uses, in this order of precedence:
 *  - pinned-sha256: exactly the certificate whose DER has that SHA-256 is accepted, whatever
 *    signed it and whatever its dates (the user chose that one certificate; the database is unset
 *    so that GIO always asks accept-certificate, and any other certificate is refused even when a
 *    CA vouches for it; the pin is compared in constant time, and again after the handshake);
 *  - ca-file: a GTlsFileDatabase of that file, and only it;
 *  - otherwise the system's trust store.
 * The peer certificate is kept in any case, so that the user can be shown its fingerprint when
 * verification fails (POSTE_SESSION_ERROR_CERTIFICATE).
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "poste-client.h"
#include "poste-error.h"
#include "poste-fingerprint.h"

/**
 * poste_client_pin_matches:
 * @certificate: the peer's certificate
 * @pin: the configured SHA-256 fingerprint in hex, upper or lower case, colons allowed
 *
 * Compares in constant time (the comparison does not stop at the first difference).
 *
 * Returns: %TRUE when @certificate's DER has the SHA-256 @pin
 */
gboolean
poste_client_pin_matches (GTlsCertificate *certificate,
                          const char      *pin)
{
  g_autofree char *actual = poste_fingerprint_for_certificate (certificate);
  g_autoptr(GString) wanted = g_string_new (NULL);
  guint8 diff = 0;

  if (actual == NULL || pin == NULL)
    return FALSE;
  for (const char *p = pin; *p != '\0'; p++)
    if (*p != ':' && *p != ' ')
      g_string_append_c (wanted, g_ascii_tolower (*p));
  if (wanted->len != strlen (actual))
    return FALSE;
  for (gsize i = 0; i < wanted->len; i++)
    diff |= (guint8) (wanted->str[i] ^ actual[i]);
  return diff == 0;
}

static gboolean
accept_certificate_cb (GTlsConnection       *tls,
                       GTlsCertificate      *peer,
                       GTlsCertificateFlags  errors,
                       gpointer              user_data)
{
  PosteClient *client = user_data;
  PosteChannel *channel = client->channel;
  const char *pin = poste_provider_get_pinned_sha256 (client->provider);

  g_set_object (&channel->peer_certificate, peer);
  channel->peer_errors = errors;
  if (pin != NULL && *pin != '\0')
    channel->peer_rejected = !poste_client_pin_matches (peer, pin);
  else
    channel->peer_rejected = TRUE;
  return !channel->peer_rejected;
}

static char *
describe_certificate_errors (GTlsCertificateFlags errors)
{
  g_autoptr(GString) text = g_string_new (NULL);
  static const struct { GTlsCertificateFlags flag; const char *text; } names[] = {
    { G_TLS_CERTIFICATE_UNKNOWN_CA, N_("not signed by a trusted authority") },
    { G_TLS_CERTIFICATE_BAD_IDENTITY, N_("issued for another host") },
    { G_TLS_CERTIFICATE_NOT_ACTIVATED, N_("not yet valid") },
    { G_TLS_CERTIFICATE_EXPIRED, N_("expired") },
    { G_TLS_CERTIFICATE_REVOKED, N_("revoked") },
    { G_TLS_CERTIFICATE_INSECURE, N_("insecure") },
    { G_TLS_CERTIFICATE_GENERIC_ERROR, N_("invalid") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (errors & names[i].flag)
      {
        if (text->len > 0)
          g_string_append (text, ", ");
        g_string_append (text, _(names[i].text));
      }
  if (text->len == 0)
    g_string_append (text, _("rejected"));
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* Wraps the current stream in TLS and shakes hands; on success the connection uses TLS. */
gboolean
_poste_client_start_tls (PosteClient      *client,
                         GError          **error)
{
  PosteChannel *channel = client->channel;
  PosteProvider *provider = client->provider;
  const char *pin = poste_provider_get_pinned_sha256 (provider);
  const char *ca_file = poste_provider_get_ca_file (provider);
  const char *client_cert = poste_provider_get_client_certificate (provider);
  g_autoptr(GSocketConnectable) identity = NULL;
  g_autoptr(GIOStream) tls_stream = NULL;
  g_autoptr(GError) local_error = NULL;
  GTlsConnection *tls;

  /* An address literal is the identity as an address: the certificate is then checked against
   * its IP addresses, and no server name (SNI) is sent, which RFC 6066 section 3 forbids for a
   * literal. Given as a host name, an IPv6 literal broke the handshake before any certificate
   * was seen, so a mismatch read as a TLS failure instead of "issued for another host". */
  if (g_hostname_is_ip_address (poste_provider_get_host (provider)))
    identity = G_SOCKET_CONNECTABLE (
      g_inet_socket_address_new_from_string (poste_provider_get_host (provider),
                                             poste_provider_get_port (provider)));
  else
    identity = g_network_address_new (poste_provider_get_host (provider),
                                      (guint16) poste_provider_get_port (provider));
  tls_stream = g_tls_client_connection_new (poste_connection_get_stream (channel->connection),
                                            identity, error);
  if (tls_stream == NULL)
    return FALSE;
  tls = G_TLS_CONNECTION (tls_stream);

  if (pin != NULL && *pin != '\0')
    g_tls_connection_set_database (tls, NULL);
  else if (ca_file != NULL && *ca_file != '\0')
    {
      g_autoptr(GTlsDatabase) database = g_tls_file_database_new (ca_file, &local_error);

      if (database == NULL)
        {
          g_set_error (error, POSTE_SESSION_ERROR, POSTE_SESSION_ERROR_CONFIG,
                       _("The CA file %s cannot be used: %s"), ca_file, local_error->message);
          return FALSE;
        }
      g_tls_connection_set_database (tls, database);
    }

  if (client_cert != NULL && *client_cert != '\0')
    {
      g_autoptr(GTlsCertificate) certificate =
        g_tls_certificate_new_from_file (client_cert, &local_error);

      if (certificate == NULL)
        {
          g_set_error (error, POSTE_SESSION_ERROR, POSTE_SESSION_ERROR_CONFIG,
                       _("The client certificate %s cannot be used: %s"), client_cert,
                       local_error->message);
          return FALSE;
        }
      g_tls_connection_set_certificate (tls, certificate);
      channel->client_certificate = TRUE;
    }

  g_signal_connect (tls, "accept-certificate", G_CALLBACK (accept_certificate_cb), client);
  g_clear_object (&channel->peer_certificate);
  channel->peer_errors = 0;
  channel->peer_rejected = FALSE;

  if (!poste_connection_handshake (channel->connection, tls, channel->cancellable,
                                   &local_error))
    {
      g_signal_handlers_disconnect_by_data (tls, client);
      if (g_error_matches (local_error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE) ||
          (channel->peer_rejected && local_error->domain == G_TLS_ERROR))
        {
          g_autofree char *why = describe_certificate_errors (channel->peer_errors);
          g_autofree char *sha = channel->peer_certificate != NULL
            ? poste_fingerprint_for_certificate (channel->peer_certificate) : NULL;

          if (pin != NULL && *pin != '\0')
            g_set_error (error, POSTE_SESSION_ERROR, POSTE_SESSION_ERROR_CERTIFICATE,
                         _("The provider's certificate (SHA-256 %s) does not match the pinned "
                           "fingerprint"), sha != NULL ? sha : "?");
          else
            g_set_error (error, POSTE_SESSION_ERROR, POSTE_SESSION_ERROR_CERTIFICATE,
                         _("The provider's certificate (SHA-256 %s) is not trusted: %s"),
                         sha != NULL ? sha : "?", why);
          poste_channel_note (channel, "TLS handshake failed: certificate %s",
                              sha != NULL ? sha : "?");
          return FALSE;
        }
      poste_channel_note (channel, "TLS handshake failed: %s", local_error->message);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  g_signal_handlers_disconnect_by_data (tls, client);

  g_set_object (&channel->peer_certificate, g_tls_connection_get_peer_certificate (tls));
  if (pin != NULL && *pin != '\0' &&
      (channel->peer_certificate == NULL ||
       !poste_client_pin_matches (channel->peer_certificate, pin)))
    {
      g_set_error (error, POSTE_SESSION_ERROR, POSTE_SESSION_ERROR_CERTIFICATE,
                   _("The provider's certificate does not match the pinned fingerprint"));
      return FALSE;
    }

  g_set_object (&channel->tls, tls);
  g_free (channel->tls_protocol);
  channel->tls_protocol = g_strdup (poste_connection_tls_version_name (
    g_tls_connection_get_protocol_version (tls)));
  g_free (channel->tls_cipher);
  channel->tls_cipher = g_tls_connection_get_ciphersuite_name (tls);
  g_free (channel->tls_description);
  channel->tls_description = channel->tls_cipher != NULL
    ? g_strdup_printf ("%s / %s", channel->tls_protocol, channel->tls_cipher)
    : g_strdup (channel->tls_protocol);
  poste_channel_note (channel, "TLS established: %s", channel->tls_description);
  return TRUE;
}

/* The channel binding for SASL's -PLUS mechanisms (RFC 5056): tls-exporter (RFC 9266) when GIO
 * can give it, else tls-unique (RFC 5929) below TLS 1.3. %NULL without TLS or when neither is
 * available; @type names the one returned. */
GBytes *
_poste_client_get_channel_binding (PosteClient      *client,
                                   const char      **type)
{
  PosteChannel *channel = client->channel;
  static const struct { GTlsChannelBindingType type; const char *name; } types[] = {
    { G_TLS_CHANNEL_BINDING_TLS_EXPORTER, "tls-exporter" },
    { G_TLS_CHANNEL_BINDING_TLS_UNIQUE, "tls-unique" },
  };

  if (channel->tls == NULL)
    return NULL;

  /* tls-unique is not defined for TLS 1.3 (RFC 9266 section 3). */
  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      g_autoptr(GByteArray) data = g_byte_array_new ();

      if (types[i].type == G_TLS_CHANNEL_BINDING_TLS_UNIQUE &&
          g_tls_connection_get_protocol_version (channel->tls) == G_TLS_PROTOCOL_VERSION_TLS_1_3)
        continue;
      if (g_tls_connection_get_channel_binding_data (channel->tls, types[i].type, data,
                                                     NULL) &&
          data->len > 0)
        {
          *type = types[i].name;
          return g_byte_array_free_to_bytes (g_steal_pointer (&data));
        }
    }
  return NULL;
}
