/* poste-sasl.c: SASL client mechanisms through GNU SASL (RFC 4422, RFC 4954), private
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * libgsasl does the mechanisms; this file decides which one to use and keeps the secrets out of
 * every log. The choice, strongest first:
 *
 *   EXTERNAL (only with a TLS client certificate configured)
 *   SCRAM-SHA-256-PLUS > SCRAM-SHA-256 > SCRAM-SHA-1-PLUS > SCRAM-SHA-1 (RFC 7677, RFC 5802)
 *   CRAM-MD5 (RFC 2195)
 *   PLAIN > LOGIN: inside TLS only, unless the provider's auth= names the mechanism explicitly
 *   (with security=none the password would otherwise cross the network in clear by accident).
 *
 * -PLUS needs channel binding data from the TLS layer (tls-exporter, RFC 9266, for TLS 1.3;
 * tls-unique, RFC 5929, for TLS 1.2); without it the plain SCRAM variant is used.
 *
 * The server's challenges are checked before libgsasl sees them, because the server chooses what
 * the client pays: a SCRAM iteration count outside [POSTE_SASL_SCRAM_MIN_ITERATIONS,
 * POSTE_SASL_SCRAM_MAX_ITERATIONS] and an empty CRAM-MD5 challenge (RFC 2195 wants a msg-id,
 * a fixed or empty one makes the response replayable) fail the step, and the caller cancels the
 * exchange with "*" (RFC 4954 section 4).
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <gsasl.h>
#include <string.h>

#include "poste-error.h"
#include "poste-sasl.h"

struct _PosteSasl
{
  Gsasl_session *session;
  char          *mechanism;
};

static Gsasl *
get_context (void)
{
  static Gsasl *context = NULL;

  if (g_once_init_enter (&context))
    {
      Gsasl *ctx = NULL;
      int rc = gsasl_init (&ctx);

      if (rc != GSASL_OK)
        g_error ("GNU SASL cannot start: %s", gsasl_strerror (rc));
      g_once_init_leave (&context, ctx);
    }
  return context;
}

static gboolean
offered_has (const char *offered,
             const char *mechanism)
{
  g_auto(GStrv) words = NULL;

  if (offered == NULL)
    return FALSE;
  words = g_strsplit_set (offered, " \t", -1);
  for (guint i = 0; words[i] != NULL; i++)
    if (g_ascii_strcasecmp (words[i], mechanism) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
usable (const char            *offered,
        const char            *mechanism,
        const PosteSaslChoice *choice)
{
  if (!offered_has (offered, mechanism))
    return FALSE;
  if (g_str_has_suffix (mechanism, "-PLUS") && !choice->channel_binding)
    return FALSE;
  return gsasl_client_support_p (get_context (), mechanism);
}

/**
 * poste_sasl_choose_mechanism:
 * @auth: the provider's policy (auth= in the configuration)
 * @offered: (nullable): the mechanisms the server offered (the parameters of the EHLO reply's
 *   AUTH line, space-separated)
 * @choice: what the connection allows (TLS, channel binding, a client certificate)
 * @error: return location for a #GError
 *
 * Picks the strongest mechanism both sides support and the policy allows (see the top of
 * poste-sasl.c for the order).
 *
 * Returns: (transfer none): the mechanism's name, or %NULL with
 *   %POSTE_SESSION_ERROR_AUTH_UNAVAILABLE
 */
const char *
poste_sasl_choose_mechanism (PosteAuth               auth,
                             const char             *offered,
                             const PosteSaslChoice  *choice,
                             GError                **error)
{
  static const char *const scram_256[] = { "SCRAM-SHA-256-PLUS", "SCRAM-SHA-256", NULL };
  static const char *const scram_1[] = { "SCRAM-SHA-1-PLUS", "SCRAM-SHA-1", NULL };
  static const char *const cram[] = { "CRAM-MD5", NULL };
  static const char *const plain[] = { "PLAIN", NULL };
  static const char *const login[] = { "LOGIN", NULL };
  static const char *const external[] = { "EXTERNAL", NULL };
  static const char *const automatic[] = {
    "SCRAM-SHA-256-PLUS", "SCRAM-SHA-256", "SCRAM-SHA-1-PLUS", "SCRAM-SHA-1", "CRAM-MD5",
    "PLAIN", "LOGIN", NULL
  };
  const char *const *candidates = automatic;

  g_return_val_if_fail (choice != NULL, NULL);

  switch (auth)
    {
    case POSTE_AUTH_SCRAM_SHA_256: candidates = scram_256; break;
    case POSTE_AUTH_SCRAM_SHA_1: candidates = scram_1; break;
    case POSTE_AUTH_CRAM_MD5: candidates = cram; break;
    case POSTE_AUTH_PLAIN: candidates = plain; break;
    case POSTE_AUTH_LOGIN: candidates = login; break;
    case POSTE_AUTH_EXTERNAL: candidates = external; break;
    case POSTE_AUTH_AUTO:
    default:
      candidates = automatic;
      /* A configured client certificate is the strongest credential there is. */
      if (choice->tls && choice->client_certificate && usable (offered, "EXTERNAL", choice))
        return "EXTERNAL";
      break;
    }

  for (guint i = 0; candidates[i] != NULL; i++)
    {
      const char *mechanism = candidates[i];
      gboolean clear = g_str_equal (mechanism, "PLAIN") || g_str_equal (mechanism, "LOGIN");

      /* Plaintext mechanisms outside TLS only when named explicitly by auth=. */
      if (clear && !choice->tls && auth == POSTE_AUTH_AUTO)
        continue;
      if (g_str_equal (mechanism, "EXTERNAL") && (!choice->tls || !choice->client_certificate))
        continue;
      if (usable (offered, mechanism, choice))
        return mechanism;
    }

  if (auth == POSTE_AUTH_AUTO)
    g_set_error (error, POSTE_SESSION_ERROR, POSTE_SESSION_ERROR_AUTH_UNAVAILABLE,
                 _("The provider offers no authentication mechanism that can be used here "
                   "(offered: %s%s)"),
                 offered != NULL && *offered != '\0' ? offered : _("none"),
                 choice->tls ? "" : _("; plaintext mechanisms are not used without TLS"));
  else
    g_set_error (error, POSTE_SESSION_ERROR, POSTE_SESSION_ERROR_AUTH_UNAVAILABLE,
                 _("The configured mechanism %s is not offered by the provider or not possible "
                   "on this connection (offered: %s)"),
                 poste_auth_to_string (auth),
                 offered != NULL && *offered != '\0' ? offered : _("none"));
  return NULL;
}

/**
 * poste_sasl_is_base64:
 * @text: the text of a 334 reply
 *
 * Checks that @text is strict base64 (RFC 4648 section 4: the alphabet, padding only at the end,
 * a length that is a multiple of 4). The empty string is valid (an empty challenge).
 *
 * Returns: %TRUE when @text decodes
 */
gboolean
poste_sasl_is_base64 (const char *text)
{
  gsize n, pad = 0;

  g_return_val_if_fail (text != NULL, FALSE);

  n = strlen (text);
  if (n % 4 != 0)
    return FALSE;
  for (gsize i = 0; i < n; i++)
    {
      char c = text[i];

      if (c == '=')
        {
          pad++;
          if (i < n - 2)
            return FALSE;
        }
      else if (pad > 0)
        return FALSE;
      else if (!g_ascii_isalnum (c) && c != '+' && c != '/')
        return FALSE;
    }
  return pad <= 2;
}

/**
 * poste_sasl_new:
 * @mechanism: the mechanism, from poste_sasl_choose_mechanism()
 * @authid: (nullable): the authentication identity (the provider's username)
 * @password: (nullable): the password (not used by EXTERNAL)
 * @cb_type: (nullable): "tls-exporter" or "tls-unique" when @cb_data is given
 * @cb_data: (nullable): the channel binding data from the TLS layer
 * @error: return location for a #GError
 *
 * Starts a SASL client exchange.
 *
 * Returns: (transfer full): the exchange, or %NULL with %POSTE_SESSION_ERROR_AUTH_UNAVAILABLE
 */
PosteSasl *
poste_sasl_new (const char  *mechanism,
                const char  *authid,
                const char  *password,
                const char  *cb_type,
                GBytes      *cb_data,
                GError     **error)
{
  g_autoptr(PosteSasl) self = g_new0 (PosteSasl, 1);
  int rc;

  g_return_val_if_fail (mechanism != NULL, NULL);

  rc = gsasl_client_start (get_context (), mechanism, &self->session);
  if (rc != GSASL_OK)
    {
      g_set_error (error, POSTE_SESSION_ERROR, POSTE_SESSION_ERROR_AUTH_UNAVAILABLE,
                   _("The SASL mechanism %s cannot start: %s"), mechanism, gsasl_strerror (rc));
      return NULL;
    }
  self->mechanism = g_strdup (mechanism);

  if (authid != NULL)
    gsasl_property_set (self->session, GSASL_AUTHID, authid);
  if (password != NULL)
    gsasl_property_set (self->session, GSASL_PASSWORD, password);
  if (g_str_equal (mechanism, "EXTERNAL"))
    gsasl_property_set (self->session, GSASL_AUTHZID, "");

  /* Channel binding data goes only to a -PLUS mechanism. Given to plain SCRAM, libgsasl would
   * send the "y" flag, which a server that supports -PLUS without advertising it must refuse. */
  if (cb_type != NULL && cb_data != NULL && g_str_has_suffix (mechanism, "-PLUS"))
    {
      gsize n;
      const guint8 *data = g_bytes_get_data (cb_data, &n);
      g_autofree char *b64 = g_base64_encode (data, n);

      if (g_str_equal (cb_type, "tls-exporter"))
        gsasl_property_set (self->session, GSASL_CB_TLS_EXPORTER, b64);
      else if (g_str_equal (cb_type, "tls-unique"))
        gsasl_property_set (self->session, GSASL_CB_TLS_UNIQUE, b64);
      explicit_bzero (b64, strlen (b64));
    }

  return g_steal_pointer (&self);
}

/* The value of attribute @name ("i") in a SCRAM message ("r=...,s=...,i=4096"), or NULL. */
static const char *
scram_attribute (char * const *attributes,
                 char          name)
{
  for (guint i = 0; attributes[i] != NULL; i++)
    if (attributes[i][0] == name && attributes[i][1] == '=')
      return attributes[i] + 2;
  return NULL;
}

/* Refuses a challenge that would cost too much or prove nothing (see the top of this file). */
static gboolean
check_challenge (PosteSasl   *self,
                 const char  *input,
                 GError     **error)
{
  g_autofree guchar *decoded = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) attributes = NULL;
  const char *count;
  guint64 iterations = 0;
  gsize length = 0;

  if (*input != '\0')
    decoded = g_base64_decode (input, &length);

  if (g_str_equal (self->mechanism, "CRAM-MD5"))
    {
      if (length > 0)
        return TRUE;
      g_set_error (error, POSTE_PROTOCOL_ERROR, POSTE_PROTOCOL_ERROR_MALFORMED,
                   _("The provider sent an empty CRAM-MD5 challenge; the authentication was "
                     "cancelled"));
      return FALSE;
    }
  if (!g_str_has_prefix (self->mechanism, "SCRAM-"))
    return TRUE;

  /* Only the server-first message carries "i="; the server-final one ("v=") passes. */
  text = g_strndup ((const char *) decoded, length);
  if (!g_str_has_prefix (text, "r="))
    return TRUE;
  attributes = g_strsplit (text, ",", -1);
  count = scram_attribute (attributes, 'i');
  if (count == NULL ||
      !g_ascii_string_to_unsigned (count, 10, 0, G_MAXUINT64, &iterations, NULL) ||
      iterations < POSTE_SASL_SCRAM_MIN_ITERATIONS ||
      iterations > POSTE_SASL_SCRAM_MAX_ITERATIONS)
    {
      g_autofree char *shown = g_strndup (count != NULL ? count : "", 20);

      g_strcanon (shown, "0123456789", '?');
      g_set_error (error, POSTE_SESSION_ERROR, POSTE_SESSION_ERROR_AUTH_UNAVAILABLE,
                   _("The provider asked for %s SCRAM iterations; only %u to %u are accepted "
                     "(fewer are weak, more would keep this computer busy), so the "
                     "authentication was cancelled"),
                   *shown != '\0' ? shown : "?", POSTE_SASL_SCRAM_MIN_ITERATIONS,
                   POSTE_SASL_SCRAM_MAX_ITERATIONS);
      return FALSE;
    }
  return TRUE;
}

/**
 * poste_sasl_step:
 * @self: an exchange
 * @input: (nullable): the server's challenge in base64 (the text of a 334 reply), or %NULL
 *   for the first step
 * @done: (out): %TRUE when the mechanism needs nothing more (for SCRAM: the server's proof was
 *   checked)
 * @error: return location for a #GError
 *
 * Runs one step of the exchange.
 *
 * Checks the server's challenge first: a SCRAM iteration count outside
 * [%POSTE_SASL_SCRAM_MIN_ITERATIONS, %POSTE_SASL_SCRAM_MAX_ITERATIONS] and an empty CRAM-MD5
 * challenge are refused without computing anything; the caller then cancels the exchange with
 * "*" (RFC 4954 section 4).
 *
 * Returns: (transfer full): the response in base64 ("" for an empty one), or %NULL with
 *   %POSTE_SESSION_ERROR_AUTH_FAILED (for SCRAM, a server whose proof is wrong),
 *   %POSTE_SESSION_ERROR_AUTH_UNAVAILABLE (a SCRAM iteration count out of bounds) or
 *   %POSTE_PROTOCOL_ERROR_MALFORMED (an empty CRAM-MD5 challenge)
 */
char *
poste_sasl_step (PosteSasl   *self,
                 const char  *input,
                 gboolean    *done,
                 GError     **error)
{
  char *output = NULL;
  int rc;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (done != NULL, NULL);

  if (input != NULL && !check_challenge (self, input, error))
    return NULL;

  rc = gsasl_step64 (self->session, input, &output);
  if (rc != GSASL_OK && rc != GSASL_NEEDS_MORE)
    {
      gsasl_free (output);
      g_set_error (error, POSTE_SESSION_ERROR, POSTE_SESSION_ERROR_AUTH_FAILED,
                   _("The %s exchange failed: %s"), self->mechanism, gsasl_strerror (rc));
      return NULL;
    }
  *done = rc == GSASL_OK;
  if (output == NULL)
    return g_strdup ("");
  {
    char *copy = g_strdup (output);
    explicit_bzero (output, strlen (output));
    gsasl_free (output);
    return copy;
  }
}

/**
 * poste_sasl_get_property:
 * @self: an exchange
 * @property: a Gsasl_property
 *
 * Returns: (nullable) (transfer none): a property of the exchange (for tests:
 *   GSASL_SCRAM_SALTED_PASSWORD once the SCRAM client has computed it)
 */
const char *
poste_sasl_get_property (PosteSasl *self,
                         int        property)
{
  g_return_val_if_fail (self != NULL, NULL);

  return gsasl_property_fast (self->session, property);
}

/**
 * poste_sasl_free:
 * @self: (transfer full) (nullable): an exchange
 */
void
poste_sasl_free (PosteSasl *self)
{
  if (self == NULL)
    return;
  if (self->session != NULL)
    gsasl_finish (self->session);
  g_free (self->mechanism);
  g_free (self);
}
