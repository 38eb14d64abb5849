/* poste-provider-enums.c: a provider's enumerations: security, mode and auth
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Their GEnum types (whose nicks are the keyfile's values), the names to and from those values,
 * and the labels the editor shows.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "poste-enums.h"
#include "poste-provider.h"

G_DEFINE_ENUM_TYPE (PosteSecurity, poste_security,
  G_DEFINE_ENUM_VALUE (POSTE_SECURITY_STARTTLS, "starttls"),
  G_DEFINE_ENUM_VALUE (POSTE_SECURITY_TLS, "tls"),
  G_DEFINE_ENUM_VALUE (POSTE_SECURITY_NONE, "none"))

G_DEFINE_ENUM_TYPE (PosteAuth, poste_auth,
  G_DEFINE_ENUM_VALUE (POSTE_AUTH_AUTO, "auto"),
  G_DEFINE_ENUM_VALUE (POSTE_AUTH_SCRAM_SHA_256, "scram-sha-256"),
  G_DEFINE_ENUM_VALUE (POSTE_AUTH_SCRAM_SHA_1, "scram-sha-1"),
  G_DEFINE_ENUM_VALUE (POSTE_AUTH_CRAM_MD5, "cram-md5"),
  G_DEFINE_ENUM_VALUE (POSTE_AUTH_PLAIN, "plain"),
  G_DEFINE_ENUM_VALUE (POSTE_AUTH_LOGIN, "login"),
  G_DEFINE_ENUM_VALUE (POSTE_AUTH_EXTERNAL, "external"))

G_DEFINE_ENUM_TYPE (PosteMode, poste_mode,
  G_DEFINE_ENUM_VALUE (POSTE_MODE_ATRN, "atrn"),
  G_DEFINE_ENUM_VALUE (POSTE_MODE_ETRN, "etrn"))

/**
 * poste_security_to_string:
 * @security: a #PosteSecurity
 *
 * Returns: (transfer none): the keyfile value for @security
 */
const char *
poste_security_to_string (PosteSecurity security)
{
  g_return_val_if_fail (security <= POSTE_SECURITY_NONE, NULL);
  return poste_enum_get_nick (POSTE_TYPE_SECURITY, security);
}

/**
 * poste_security_from_string:
 * @text: a keyfile value
 * @security: (out): the value
 *
 * Returns: %TRUE when @text is "starttls", "tls" or "none"
 */
gboolean
poste_security_from_string (const char    *text,
                            PosteSecurity *security)
{
  int value;

  if (!poste_enum_from_nick (POSTE_TYPE_SECURITY, text, &value))
    return FALSE;
  *security = value;
  return TRUE;
}

/**
 * poste_mode_to_string:
 * @mode: a #PosteMode
 *
 * Returns: (transfer none): the keyfile value for @mode
 */
const char *
poste_mode_to_string (PosteMode mode)
{
  g_return_val_if_fail (mode <= POSTE_MODE_ETRN, NULL);
  return poste_enum_get_nick (POSTE_TYPE_MODE, mode);
}

/**
 * poste_mode_from_string:
 * @text: a keyfile value
 * @mode: (out): the value
 *
 * Returns: %TRUE when @text names a #PosteMode
 */
gboolean
poste_mode_from_string (const char *text,
                        PosteMode  *mode)
{
  int value;

  if (!poste_enum_from_nick (POSTE_TYPE_MODE, text, &value))
    return FALSE;
  *mode = value;
  return TRUE;
}

/**
 * poste_auth_to_string:
 * @auth: a #PosteAuth
 *
 * Returns: (transfer none): the keyfile value for @auth
 */
const char *
poste_auth_to_string (PosteAuth auth)
{
  g_return_val_if_fail (auth <= POSTE_AUTH_EXTERNAL, NULL);
  return poste_enum_get_nick (POSTE_TYPE_AUTH, auth);
}

/**
 * poste_auth_from_string:
 * @text: a keyfile value
 * @auth: (out): the value
 *
 * Returns: %TRUE when @text names a #PosteAuth
 */
gboolean
poste_auth_from_string (const char *text,
                        PosteAuth  *auth)
{
  int value;

  if (!poste_enum_from_nick (POSTE_TYPE_AUTH, text, &value))
    return FALSE;
  *auth = value;
  return TRUE;
}

/**
 * poste_security_get_label:
 * @security: a #PosteSecurity
 *
 * Returns: (transfer none): how the editor names @security, translated
 */
const char *
poste_security_get_label (PosteSecurity security)
{
  switch (security)
    {
    case POSTE_SECURITY_STARTTLS:
      return _("STARTTLS");
    case POSTE_SECURITY_TLS:
      return _("TLS from the first byte");
    case POSTE_SECURITY_NONE:
      return _("None (unsafe)");
    default:
      g_return_val_if_reached (NULL);
    }
}

/**
 * poste_mode_get_label:
 * @mode: a #PosteMode
 *
 * Returns: (transfer none): how the editor names @mode: the command's own name (RFC 2645 ATRN,
 *   RFC 1985 ETRN), as providers' documentation says it
 */
const char *
poste_mode_get_label (PosteMode mode)
{
  switch (mode)
    {
    case POSTE_MODE_ATRN:
      return "ATRN";
    case POSTE_MODE_ETRN:
      return "ETRN";
    default:
      g_return_val_if_reached (NULL);
    }
}

/**
 * poste_mode_get_description:
 * @mode: a #PosteMode
 *
 * Returns: (transfer none): what @mode means for the customer, in a few words, translated
 */
const char *
poste_mode_get_description (PosteMode mode)
{
  switch (mode)
    {
    case POSTE_MODE_ATRN:
      return _("Mail comes in on this connection");
    case POSTE_MODE_ETRN:
      return _("The provider delivers to your own mail server");
    default:
      g_return_val_if_reached (NULL);
    }
}

/**
 * poste_auth_get_label:
 * @auth: a #PosteAuth
 *
 * Returns: (transfer none): how the editor names @auth (the SASL mechanism's own name, RFC 4422),
 *   translated where it is words
 */
const char *
poste_auth_get_label (PosteAuth auth)
{
  switch (auth)
    {
    case POSTE_AUTH_AUTO:
      return _("Automatic");
    case POSTE_AUTH_SCRAM_SHA_256:
      return "SCRAM-SHA-256";
    case POSTE_AUTH_SCRAM_SHA_1:
      return "SCRAM-SHA-1";
    case POSTE_AUTH_CRAM_MD5:
      return "CRAM-MD5";
    case POSTE_AUTH_PLAIN:
      return "PLAIN";
    case POSTE_AUTH_LOGIN:
      return "LOGIN";
    case POSTE_AUTH_EXTERNAL:
      return _("Client certificate");
    default:
      g_return_val_if_reached (NULL);
    }
}
