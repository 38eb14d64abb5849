/* poste-client.c: the client phase of an ODMR session (RFC 2645 section 4), private
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * We are the SMTP client: connect (with implicit TLS, or STARTTLS after the first EHLO), say
 * EHLO, authenticate with SASL (RFC 4954), and ask for the mail with ATRN (RFC 2645 section 5).
 * One function per phase, in the manner of OpenSMTPD's smtp_client.c; each reads every line of
 * each reply (poste_reply_read() is strict and bounded) and maps every reply it does not expect
 * to a typed error, never to a guess.
 *
 * TLS (the handshake, verification, pinning, channel binding) is in poste-client-tls.c.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "poste-atrn.h"
#include "poste-client.h"
#include "poste-error.h"
#include "poste-sasl.h"
#include "poste-smtp-client.h"

/* How long to wait for the answer to QUIT once everything else is done. */
#define QUIT_TIMEOUT_SECONDS 10

/**
 * poste_client_dup_default_local_name:
 *
 * Returns: (transfer full): our name in EHLO when none is set: the host name in lower case when
 *   it is a domain (it has a dot and is valid as one), else "localhost"
 */
char *
poste_client_dup_default_local_name (void)
{
  const char *host = g_get_host_name ();

  if (host != NULL && strchr (host, '.') != NULL && poste_atrn_domain_is_valid (host))
    return g_ascii_strdown (host, -1);
  return g_strdup ("localhost");
}

/**
 * poste_client_new:
 * @channel: the channel to speak on (borrowed: it must outlive the client)
 * @provider: the provider (a reference is kept)
 * @password: (nullable): the password (copied, wiped when the client is freed)
 *
 * Returns: (transfer full): a client phase not yet connected, named after this host in EHLO
 *   when the host name is a domain (else "localhost")
 */
PosteClient *
poste_client_new (PosteChannel  *channel,
                  PosteProvider *provider,
                  const char    *password)
{
  PosteClient *client = g_new0 (PosteClient, 1);

  client->channel = channel;
  client->provider = g_object_ref (provider);
  client->password = g_strdup (password);
  client->local_name = poste_client_dup_default_local_name ();
  client->atrn_timeout = POSTE_CLIENT_ATRN_TIMEOUT;
  return client;
}

/**
 * poste_client_free:
 * @client: (nullable): a client phase
 */
void
poste_client_free (PosteClient *client)
{
  if (client == NULL)
    return;
  g_clear_object (&client->provider);
  if (client->password != NULL)
    explicit_bzero (client->password, strlen (client->password));
  g_free (client->password);
  g_free (client->local_name);
  g_clear_pointer (&client->smtp, poste_smtp_client_free);
  g_free (client->mechanism);
  g_strfreev (client->requested);
  g_free (client);
}

/* The client's dialogue goes into the session's transcript, made printable there. */
static void
log_dialogue (const char *prefix,
              const char *line,
              gpointer    user_data)
{
  PosteClient *client = user_data;

  poste_channel_log_line (client->channel, prefix, line, -1);
}

static void
set_reply_error (GError           **error,
                 int                code,
                 const PosteReply  *reply,
                 const char        *what)
{
  g_autofree char *text = poste_reply_describe (reply);

  g_set_error (error, POSTE_SESSION_ERROR, code, "%s: %s", what, text);
}

static void
set_unexpected (GError           **error,
                const PosteReply  *reply,
                const char        *what)
{
  g_autofree char *text = poste_reply_describe (reply);

  g_set_error (error, POSTE_PROTOCOL_ERROR, POSTE_PROTOCOL_ERROR_UNEXPECTED,
               _("Unexpected reply to %s: %s"), what, text);
}

/**
 * poste_client_connect:
 * @client: the client phase
 * @error: return location for a #GError
 *
 * Connects to the provider's host and port within the timeout, and shakes hands at once when
 * security=tls (implicit TLS, RFC 8314).
 *
 * Returns: %TRUE when connected; %FALSE with a #GIOError, a #GTlsError or
 *   %POSTE_SESSION_ERROR_CERTIFICATE / %POSTE_SESSION_ERROR_CONFIG
 */
gboolean
poste_client_connect (PosteClient      *client,
                      GError          **error)
{
  PosteChannel *channel = client->channel;
  g_autoptr(GSocketClient) connector = g_socket_client_new ();
  g_autoptr(GSocketConnectable) address = NULL;
  g_autoptr(GSocketAddress) remote = NULL;
  const char *host = poste_provider_get_host (client->provider);
  guint port = poste_provider_get_port (client->provider);

  poste_channel_set_state (channel, POSTE_SESSION_STATE_CONNECTING);

  if (host == NULL || *host == '\0' || port == 0 || port > 65535)
    {
      g_set_error (error, POSTE_SESSION_ERROR, POSTE_SESSION_ERROR_CONFIG,
                   _("The provider has no host or port"));
      return FALSE;
    }

  poste_channel_note (channel, "connecting to %s port %u (%s)", host, port,
                      poste_security_to_string (poste_provider_get_security (client->provider)));
  g_socket_client_set_timeout (connector, channel->timeout);
  /* A direct connection: GIO's proxy resolver is for HTTP-era settings (and would read desktop
   * proxy schemas that a headless machine may not have). */
  g_socket_client_set_enable_proxy (connector, FALSE);
  address = g_network_address_new (host, (guint16) port);
  channel->socket = g_socket_client_connect (connector, address, channel->cancellable, error);
  if (channel->socket == NULL)
    return FALSE;
  /* The deadlines are PosteConnection's from now on (the ATRN wait is longer than a socket
   * timeout would allow). */
  g_socket_set_timeout (g_socket_connection_get_socket (channel->socket), 0);

  remote = g_socket_connection_get_remote_address (channel->socket, NULL);
  if (G_IS_INET_SOCKET_ADDRESS (remote))
    channel->peer_address =
      g_inet_address_to_string (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (remote)));

  channel->connection = poste_connection_new (G_IO_STREAM (channel->socket));
  poste_connection_set_timeout (channel->connection, channel->timeout);
  client->smtp = poste_smtp_client_new (channel->connection, POSTE_SMTP_CLIENT_FLAGS_NONE);
  poste_smtp_client_set_log_func (client->smtp, log_dialogue, client);

  if (poste_provider_get_security (client->provider) == POSTE_SECURITY_TLS)
    return _poste_client_start_tls (client, error);
  return TRUE;
}

/**
 * poste_client_greeting:
 * @client: the client phase
 * @error: return location for a #GError
 *
 * Reads the provider's greeting (RFC 5321 section 4.2): 220, else an error (4xx:
 * %POSTE_SESSION_ERROR_TRY_LATER, 5xx: %POSTE_SESSION_ERROR_NOT_SUPPORTED).
 *
 * Returns: %TRUE on 220
 */
gboolean
poste_client_greeting (PosteClient      *client,
                       GError          **error)
{
  g_autoptr(PosteReply) reply = NULL;

  poste_channel_set_state (client->channel, POSTE_SESSION_STATE_GREETING);
  reply = poste_smtp_client_greeting (client->smtp, client->channel->cancellable, error);
  if (reply == NULL)
    return FALSE;
  if (reply->code == 220)
    return TRUE;
  if (poste_reply_is_transient (reply))
    set_reply_error (error, POSTE_SESSION_ERROR_TRY_LATER, reply, _("The provider is busy"));
  else if (poste_reply_is_permanent (reply))
    set_reply_error (error, POSTE_SESSION_ERROR_NOT_SUPPORTED, reply,
                     _("The provider refused the connection"));
  else
    set_unexpected (error, reply, "the greeting");
  return FALSE;
}

/**
 * poste_client_ehlo:
 * @client: the client phase
 * @error: return location for a #GError
 *
 * Sends EHLO and keeps the capabilities of the 250 reply (RFC 5321 section 4.1.1.1).
 *
 * Returns: %TRUE on 250
 */
gboolean
poste_client_ehlo (PosteClient      *client,
                   GError          **error)
{
  g_autoptr(PosteReply) reply = NULL;

  poste_channel_set_state (client->channel, POSTE_SESSION_STATE_EHLO);
  reply = poste_smtp_client_hello (client->smtp, client->local_name, FALSE,
                                   client->channel->cancellable, error);
  if (reply == NULL)
    return FALSE;
  if (reply->code == 250)
    return TRUE;
  if (poste_reply_is_transient (reply))
    set_reply_error (error, POSTE_SESSION_ERROR_TRY_LATER, reply,
                     _("The provider did not accept EHLO"));
  else if (poste_reply_is_permanent (reply))
    set_reply_error (error, POSTE_SESSION_ERROR_NOT_SUPPORTED, reply,
                     _("The provider does not speak ESMTP"));
  else
    set_unexpected (error, reply, "EHLO");
  return FALSE;
}

/**
 * poste_client_starttls:
 * @client: the client phase
 * @error: return location for a #GError
 *
 * With security=starttls: STARTTLS (RFC 3207), refusing to go on in plaintext when it is not
 * offered or not accepted, aborting when bytes are already buffered after the 220 (response
 * injection, RFC 3207 section 6), then the handshake and a new EHLO, forgetting everything
 * learned before TLS. Does nothing with security=tls or none.
 *
 * Returns: %TRUE when TLS is up (or not wanted); %FALSE with %POSTE_SESSION_ERROR_TLS_REQUIRED,
 *   %POSTE_PROTOCOL_ERROR_INJECTION, %POSTE_SESSION_ERROR_CERTIFICATE or a #GTlsError
 */
gboolean
poste_client_starttls (PosteClient      *client,
                       GError          **error)
{
  PosteChannel *channel = client->channel;
  g_autoptr(PosteReply) reply = NULL;

  if (poste_provider_get_security (client->provider) != POSTE_SECURITY_STARTTLS)
    return TRUE;

  if (!poste_smtp_client_has_extension (client->smtp, "STARTTLS", NULL))
    {
      g_set_error (error, POSTE_SESSION_ERROR, POSTE_SESSION_ERROR_TLS_REQUIRED,
                   _("The provider does not offer STARTTLS, and this provider requires TLS"));
      return FALSE;
    }

  poste_channel_set_state (channel, POSTE_SESSION_STATE_STARTTLS);
  reply = poste_smtp_client_command (client->smtp, "STARTTLS", channel->cancellable, error);
  if (reply == NULL)
    return FALSE;
  if (reply->code != 220)
    {
      set_reply_error (error, POSTE_SESSION_ERROR_TLS_REQUIRED, reply,
                       _("The provider refused STARTTLS, and this provider requires TLS"));
      return FALSE;
    }
  if (poste_connection_get_buffered (channel->connection) > 0)
    {
      poste_channel_note (channel, "%" G_GSIZE_FORMAT " bytes arrived after STARTTLS's 220",
                          poste_connection_get_buffered (channel->connection));
      g_set_error (error, POSTE_PROTOCOL_ERROR, POSTE_PROTOCOL_ERROR_INJECTION,
                   _("The provider sent data ahead of the TLS handshake (STARTTLS response "
                     "injection); the connection is not safe"));
      return FALSE;
    }

  /* Everything said before TLS may have been forged: forget it (RFC 3207 section 4.2). */
  poste_smtp_client_forget_capabilities (client->smtp);
  if (!_poste_client_start_tls (client, error))
    return FALSE;
  return poste_client_ehlo (client, error);
}

/**
 * poste_client_open:
 * @client: the client phase
 * @error: return location for a #GError
 *
 * Connects, reads the greeting, says EHLO and starts TLS as configured.
 *
 * Returns: %TRUE when ready to authenticate
 */
gboolean
poste_client_open (PosteClient      *client,
                   GError          **error)
{
  return poste_client_connect (client, error) &&
         poste_client_greeting (client, error) &&
         poste_client_ehlo (client, error) &&
         poste_client_starttls (client, error);
}

static gboolean
auth_failure (PosteClient       *client,
              const PosteReply  *reply,
              GError           **error)
{
  switch (reply->code)
    {
    case 535:
      set_reply_error (error, POSTE_SESSION_ERROR_AUTH_FAILED, reply,
                       _("The provider rejected the username or password"));
      break;
    case 530:
      set_reply_error (error, POSTE_SESSION_ERROR_AUTH_REQUIRED, reply,
                       _("The provider requires authentication"));
      break;
    case 534:
    case 538:
    case 504:
      set_reply_error (error, POSTE_SESSION_ERROR_AUTH_UNAVAILABLE, reply,
                       _("The provider refused the authentication mechanism"));
      break;
    default:
      if (poste_reply_is_transient (reply))
        set_reply_error (error, POSTE_SESSION_ERROR_TRY_LATER, reply,
                         _("The provider cannot authenticate now"));
      else if (poste_reply_is_permanent (reply))
        set_reply_error (error, POSTE_SESSION_ERROR_AUTH_FAILED, reply,
                         _("The provider rejected the authentication"));
      else
        set_unexpected (error, reply, "AUTH");
      break;
    }
  return FALSE;
}

/* Cancels the exchange with "*" (RFC 4954 section 4) and reads the server's answer. */
static void
cancel_exchange (PosteClient *client)
{
  g_autoptr(PosteReply) reply = NULL;

  reply = poste_smtp_client_command (client->smtp, "*", client->channel->cancellable, NULL);
}

/**
 * poste_client_authenticate:
 * @client: the client phase
 * @error: return location for a #GError
 *
 * Authenticates with the strongest SASL mechanism both sides have and the policy allows
 * (RFC 4954; see poste-sasl.c). The SASL payloads never reach the transcript.
 *
 * Returns: %TRUE on 235; %FALSE with %POSTE_SESSION_ERROR_AUTH_FAILED (535),
 *   %POSTE_SESSION_ERROR_AUTH_REQUIRED (530), %POSTE_SESSION_ERROR_AUTH_UNAVAILABLE,
 *   %POSTE_SESSION_ERROR_CONFIG (no username), %POSTE_PROTOCOL_ERROR_MALFORMED (a 334 that is
 *   not base64), or an I/O error
 */
gboolean
poste_client_authenticate (PosteClient      *client,
                           GError          **error)
{
  PosteChannel *channel = client->channel;
  const char *offered = NULL;
  const char *mechanism;
  const char *username = poste_provider_get_username (client->provider);
  const char *cb_type = NULL;
  g_autoptr(GBytes) cb_data = NULL;
  g_autoptr(PosteSasl) sasl = NULL;
  g_autofree char *command = NULL;
  g_autofree char *shown = NULL;
  PosteSaslChoice choice = { 0, };
  gboolean sent;
  gboolean done = FALSE;
  gboolean client_first;

  poste_channel_set_state (channel, POSTE_SESSION_STATE_AUTH);

  if (!poste_smtp_client_has_extension (client->smtp, "AUTH", &offered))
    {
      g_set_error (error, POSTE_SESSION_ERROR, POSTE_SESSION_ERROR_AUTH_UNAVAILABLE,
                   _("The provider does not offer authentication (no AUTH in its EHLO reply); "
                     "ODMR requires it"));
      return FALSE;
    }

  cb_data = _poste_client_get_channel_binding (client, &cb_type);
  if (cb_data != NULL)
    poste_channel_note (channel, "channel binding %s available", cb_type);
  choice.tls = channel->tls != NULL;
  choice.channel_binding = cb_data != NULL;
  choice.client_certificate = channel->client_certificate;
  mechanism = poste_sasl_choose_mechanism (poste_provider_get_auth (client->provider), offered,
                                           &choice, error);
  if (mechanism == NULL)
    return FALSE;

  if (!g_str_equal (mechanism, "EXTERNAL") && (username == NULL || *username == '\0'))
    {
      g_set_error (error, POSTE_SESSION_ERROR, POSTE_SESSION_ERROR_CONFIG,
                   _("The provider has no username"));
      return FALSE;
    }

  sasl = poste_sasl_new (mechanism, username, client->password, cb_type, cb_data, error);
  if (sasl == NULL)
    return FALSE;
  poste_channel_note (channel, "SASL mechanism %s%s%s", mechanism,
                      g_str_has_suffix (mechanism, "-PLUS") ? ", channel binding " : "",
                      g_str_has_suffix (mechanism, "-PLUS") ? cb_type : "");

  /* The mechanisms where the client speaks first send an initial response (RFC 4954 section 4,
   * "=" for an empty one); CRAM-MD5 and LOGIN wait for the server's challenge. */
  client_first = !g_str_equal (mechanism, "CRAM-MD5") && !g_str_equal (mechanism, "LOGIN");
  if (client_first)
    {
      g_autofree char *initial = poste_sasl_step (sasl, NULL, &done, error);

      if (initial == NULL)
        return FALSE;
      command = g_strdup_printf ("AUTH %s %s", mechanism, *initial != '\0' ? initial : "=");
      explicit_bzero (initial, strlen (initial));
    }
  else
    command = g_strdup_printf ("AUTH %s", mechanism);

  /* The transcript shows the command without its payload. */
  shown = client_first ? g_strdup_printf ("AUTH %s <SASL response redacted>", mechanism) : NULL;
  sent = poste_smtp_client_send (client->smtp, command, shown, channel->cancellable, error);
  explicit_bzero (command, strlen (command));
  if (!sent)
    return FALSE;

  for (;;)
    {
      g_autoptr(PosteReply) reply = NULL;
      g_autofree char *response = NULL;
      g_autoptr(GError) step_error = NULL;
      const char *challenge;

      reply = poste_smtp_client_read_reply (client->smtp, FALSE, channel->cancellable,
                                            error);
      if (reply == NULL)
        return FALSE;

      if (reply->code == 235)
        {
          poste_smtp_client_log_reply (client->smtp, reply);
          if (!done)
            {
              /* For SCRAM the server proves it knows the password in its last message; a 235
               * without it could come from anyone. */
              g_set_error (error, POSTE_SESSION_ERROR, POSTE_SESSION_ERROR_AUTH_FAILED,
                           _("The provider accepted the authentication without completing the "
                             "%s exchange"), mechanism);
              return FALSE;
            }
          g_free (client->mechanism);
          client->mechanism = g_strdup (mechanism);
          client->authenticated = TRUE;
          return TRUE;
        }
      if (reply->code != 334)
        {
          poste_smtp_client_log_reply (client->smtp, reply);
          return auth_failure (client, reply, error);
        }

      poste_channel_log_line (channel, "S: ", "334 <SASL challenge redacted>", -1);
      challenge = reply->lines[0];
      if (reply->lines[1] != NULL || !poste_sasl_is_base64 (challenge))
        {
          cancel_exchange (client);
          g_set_error (error, POSTE_PROTOCOL_ERROR, POSTE_PROTOCOL_ERROR_MALFORMED,
                       _("The provider's authentication challenge is not valid base64"));
          return FALSE;
        }

      response = poste_sasl_step (sasl, challenge, &done, &step_error);
      if (response == NULL)
        {
          cancel_exchange (client);
          g_propagate_error (error, g_steal_pointer (&step_error));
          return FALSE;
        }
      sent = poste_smtp_client_send (client->smtp, response, "<SASL response redacted>",
                                     channel->cancellable, error);
      explicit_bzero (response, strlen (response));
      if (!sent)
        return FALSE;
    }
}

/**
 * poste_client_atrn:
 * @client: the client phase
 * @turned: (out): %TRUE when the provider turned the connection around (250)
 * @error: return location for a #GError
 *
 * Sends ATRN with the provider's domains (RFC 2645 section 5; see poste-atrn.c) and waits for
 * the reply for the ATRN timeout (at least 10 minutes, as the RFC asks). The replies:
 * 250 (one line or several): turn around; 453: no mail (%TRUE with @turned %FALSE);
 * 450: %POSTE_SESSION_ERROR_REFUSED; 451 and other 4xx: %POSTE_SESSION_ERROR_TRY_LATER (the only
 * "try later" replies); 530: %POSTE_SESSION_ERROR_AUTH_REQUIRED; 535:
 * %POSTE_SESSION_ERROR_AUTH_FAILED. Any other 5xx is a protocol or configuration error, never
 * "try later": 501 and 504 (the domain list, or its absence, was not accepted):
 * %POSTE_SESSION_ERROR_CONFIG, whose message says what to set in domains=; 502 (no ODMR) and the
 * rest: %POSTE_SESSION_ERROR_NOT_SUPPORTED. Anything else: %POSTE_PROTOCOL_ERROR_UNEXPECTED.
 *
 * Returns: %TRUE on 250 or 453
 */
gboolean
poste_client_atrn (PosteClient      *client,
                   gboolean         *turned,
                   GError          **error)
{
  PosteChannel *channel = client->channel;
  g_autofree char *command = NULL;
  g_autoptr(PosteReply) reply = NULL;
  guint timeout = poste_connection_get_timeout (channel->connection);

  *turned = FALSE;
  g_clear_pointer (&client->requested, g_strfreev);
  command = poste_atrn_build_command (poste_provider_get_domains (client->provider),
                                      &client->requested, error);
  if (command == NULL)
    return FALSE;

  poste_channel_set_state (channel, POSTE_SESSION_STATE_ATRN);
  if (!poste_smtp_client_send (client->smtp, command, NULL, channel->cancellable, error))
    return FALSE;
  poste_connection_set_timeout (channel->connection, MAX (client->atrn_timeout, 1));
  reply = poste_smtp_client_read_reply (client->smtp, TRUE, channel->cancellable, error);
  poste_connection_set_timeout (channel->connection, timeout);
  if (reply == NULL)
    return FALSE;

  switch (reply->code)
    {
    case 250:
      *turned = TRUE;
      return TRUE;
    case 453:
      return TRUE;
    case 450:
      set_reply_error (error, POSTE_SESSION_ERROR_REFUSED, reply,
                       _("The provider refused ATRN for now"));
      return FALSE;
    case 451:
      set_reply_error (error, POSTE_SESSION_ERROR_TRY_LATER, reply,
                       _("The provider had a local error; try later"));
      return FALSE;
    case 501:
    case 504:
      /* RFC 2645 section 5.2.1 lets a provider require the domains; Exim does. */
      if (client->requested == NULL || client->requested[0] == NULL)
        set_reply_error (error, POSTE_SESSION_ERROR_CONFIG, reply,
                         _("The provider wants the domains named in ATRN: set domains= for this "
                           "provider to the domains it holds mail for"));
      else
        set_reply_error (error, POSTE_SESSION_ERROR_CONFIG, reply,
                         _("The provider did not accept the domains asked for: check domains= "
                           "(or leave it empty to ask for every domain of the account)"));
      return FALSE;
    case 502:
      set_reply_error (error, POSTE_SESSION_ERROR_NOT_SUPPORTED, reply,
                       _("The provider does not support ODMR (ATRN): check the host and port"));
      return FALSE;
    case 530:
      set_reply_error (error, POSTE_SESSION_ERROR_AUTH_REQUIRED, reply,
                       _("The provider requires authentication before ATRN"));
      return FALSE;
    case 535:
      set_reply_error (error, POSTE_SESSION_ERROR_AUTH_FAILED, reply,
                       _("The provider rejected the credentials"));
      return FALSE;
    default:
      if (poste_reply_is_transient (reply))
        set_reply_error (error, POSTE_SESSION_ERROR_TRY_LATER, reply,
                         _("The provider cannot serve ATRN now"));
      else if (poste_reply_is_permanent (reply))
        set_reply_error (error, POSTE_SESSION_ERROR_NOT_SUPPORTED, reply,
                         _("The provider rejected ATRN for good (a protocol or configuration "
                           "error, not a reason to try later)"));
      else
        set_unexpected (error, reply, "ATRN");
      return FALSE;
    }
}

/**
 * poste_client_etrn:
 * @client: the client phase, authenticated
 * @started: (out): for how many domains the provider started delivery
 * @error: return location for a #GError
 *
 * Remote queue starting (RFC 1985), for customers with a fixed address: "ETRN domain" for each
 * of the provider's domains (A-labels), one at a time. The provider then delivers the mail it
 * holds for the domain to the customer's own MTA (the domain's MX), on a connection of its own:
 * nothing comes in on this one. The replies (RFC 1985 section 5): 250, 252 and 253 (delivery
 * started; 253 says how many messages wait) count in @started; 251 (nothing waits) does not;
 * 458 (cannot start now) is %POSTE_SESSION_ERROR_TRY_LATER; 459 (that domain is not allowed) and
 * 501 (a bad domain) are %POSTE_SESSION_ERROR_CONFIG, naming the domain and domains=; 530 is
 * %POSTE_SESSION_ERROR_AUTH_REQUIRED; 500 and 502 (no ETRN) and other 5xx are
 * %POSTE_SESSION_ERROR_NOT_SUPPORTED; other 4xx %POSTE_SESSION_ERROR_TRY_LATER. The first error
 * ends the exchange.
 *
 * Returns: %TRUE when every domain got 250 to 253
 */
gboolean
poste_client_etrn (PosteClient      *client,
                   guint            *started,
                   GError          **error)
{
  PosteChannel *channel = client->channel;
  const char * const *domains = poste_provider_get_domains (client->provider);

  *started = 0;
  if (domains == NULL || domains[0] == NULL)
    {
      g_set_error (error, POSTE_SESSION_ERROR, POSTE_SESSION_ERROR_CONFIG,
                   _("ETRN needs the domains to ask for: set domains= for this provider"));
      return FALSE;
    }
  /* The same phase as ATRN for the front ends: asking for the held mail. */
  poste_channel_set_state (channel, POSTE_SESSION_STATE_ATRN);
  if (!poste_smtp_client_has_extension (client->smtp, "ETRN", NULL))
    poste_channel_note (channel,
                        "the provider does not advertise ETRN; asking all the same");

  for (guint i = 0; domains[i] != NULL; i++)
    {
      g_autofree char *ascii = poste_atrn_domain_to_ascii (domains[i], error);
      g_autofree char *command = NULL;
      g_autoptr(PosteReply) reply = NULL;

      if (ascii == NULL)
        return FALSE;
      command = g_strdup_printf ("ETRN %s", ascii);
      reply = poste_smtp_client_command (client->smtp, command, channel->cancellable,
                                         error);
      if (reply == NULL)
        return FALSE;

      switch (reply->code)
        {
        case 250:
        case 252:
        case 253:
          (*started)++;
          poste_channel_note (channel,
                              "the provider started delivery for %s to this domain's "
                              "mail server", ascii);
          break;
        case 251:
          poste_channel_note (channel, "the provider holds no mail for %s", ascii);
          break;
        case 458:
          {
            g_autofree char *what = g_strdup_printf (_("The provider cannot start delivery for "
                                                       "%s now; try later"), ascii);
            set_reply_error (error, POSTE_SESSION_ERROR_TRY_LATER, reply, what);
          }
          return FALSE;
        case 459:
          {
            g_autofree char *what = g_strdup_printf (_("The provider does not allow ETRN for %s: "
                                                       "check domains="), ascii);
            set_reply_error (error, POSTE_SESSION_ERROR_CONFIG, reply, what);
          }
          return FALSE;
        case 501:
          {
            g_autofree char *what = g_strdup_printf (_("The provider did not accept the domain "
                                                       "%s: check domains="), ascii);
            set_reply_error (error, POSTE_SESSION_ERROR_CONFIG, reply, what);
          }
          return FALSE;
        case 530:
          set_reply_error (error, POSTE_SESSION_ERROR_AUTH_REQUIRED, reply,
                           _("The provider requires authentication before ETRN"));
          return FALSE;
        case 500:
        case 502:
          set_reply_error (error, POSTE_SESSION_ERROR_NOT_SUPPORTED, reply,
                           _("The provider does not support ETRN (RFC 1985): check mode= and "
                             "the host"));
          return FALSE;
        default:
          if (poste_reply_is_transient (reply))
            set_reply_error (error, POSTE_SESSION_ERROR_TRY_LATER, reply,
                             _("The provider cannot serve ETRN now"));
          else if (poste_reply_is_permanent (reply))
            set_reply_error (error, POSTE_SESSION_ERROR_NOT_SUPPORTED, reply,
                             _("The provider rejected ETRN for good"));
          else
            set_unexpected (error, reply, "ETRN");
          return FALSE;
        }
    }
  return TRUE;
}

/**
 * poste_client_quit:
 * @client: the client phase
 *
 * Says QUIT and reads the answer (briefly, errors ignored: the work is done).
 */
void
poste_client_quit (PosteClient *client)
{
  PosteChannel *channel = client->channel;
  if (client->smtp == NULL)
    return;
  poste_connection_set_timeout (channel->connection,
                                MIN (channel->timeout, QUIT_TIMEOUT_SECONDS));
  poste_smtp_client_quit (client->smtp, channel->cancellable);
}

/**
 * poste_client_close:
 * @client: the client phase
 *
 * Closes the connection (with a TLS close_notify when possible), without waiting long.
 */
void
poste_client_close (PosteClient *client)
{
  poste_channel_close (client->channel, MIN (client->channel->timeout, QUIT_TIMEOUT_SECONDS));
}
