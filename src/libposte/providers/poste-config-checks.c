/* poste-config-checks.c: the checks of the configuration's values (names, hosts, domains,
 * paths, delivery targets, route recipients)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "poste-atrn.h"
#include "poste-config-private.h"
#include "poste-error.h"
#include "poste-target.h"

gboolean
_poste_config_has_control (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      return TRUE;
  return FALSE;
}

gboolean
_poste_config_parse_uint (const char *text,
            guint       min,
            guint       max,
            guint      *value)
{
  guint64 v;

  if (text == NULL || *text == '\0')
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;
  if (!g_ascii_string_to_unsigned (text, 10, min, max, &v, NULL))
    return FALSE;
  *value = (guint) v;
  return TRUE;
}

static gboolean
check_ldh_name (const char  *ascii,
                GError     **error)
{
  g_auto(GStrv) labels = NULL;
  gsize len = strlen (ascii);

  if (len == 0 || len > MAX_DOMAIN_LENGTH)
    {
      g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INVALID_VALUE,
                   _("'%s' is not a valid domain name (1 to %d octets)"), ascii, MAX_DOMAIN_LENGTH);
      return FALSE;
    }
  labels = g_strsplit (ascii, ".", -1);
  for (guint i = 0; labels[i] != NULL; i++)
    {
      const char *label = labels[i];
      gsize llen = strlen (label);

      /* One trailing dot (an absolute name) is allowed. */
      if (llen == 0 && labels[i + 1] == NULL && i > 0)
        continue;
      if (llen == 0 || llen > MAX_LABEL_LENGTH || label[0] == '-' || label[llen - 1] == '-')
        {
          g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INVALID_VALUE,
                       _("'%s' is not a valid domain name (label '%s')"), ascii, label);
          return FALSE;
        }
      for (const char *c = label; *c != '\0'; c++)
        if (!g_ascii_isalnum (*c) && *c != '-')
          {
            g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INVALID_VALUE,
                         _("'%s' is not a valid domain name (only letters, digits and '-' in a label)"),
                         ascii);
            return FALSE;
          }
    }
  return TRUE;
}

/**
 * poste_config_check_domain:
 * @domain: a domain name, U-labels or A-labels
 * @ascii: (out) (optional) (transfer full): the domain in A-labels
 * @error: a #GError, or %NULL
 *
 * Checks a domain of the `domains` key against RFC 2645's `domain` (RFC 5321 section 4.1.2):
 * dot-separated labels of letters, digits and hyphens, no IP address literal. U-labels are
 * converted with IDNA (libidn2 through g_hostname_to_ascii()).
 *
 * Returns: %TRUE when @domain is valid; otherwise %FALSE with %POSTE_CONFIG_ERROR_INVALID_VALUE
 */
gboolean
poste_config_check_domain (const char  *domain,
                           char       **ascii,
                           GError     **error)
{
  g_autofree char *converted = NULL;

  g_return_val_if_fail (domain != NULL, FALSE);

  if (g_hostname_is_ip_address (domain) || *domain == '[')
    {
      g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INVALID_VALUE,
                   _("'%s' is an address, not a domain name"), domain);
      return FALSE;
    }
  converted = g_hostname_to_ascii (domain);
  if (converted == NULL || !check_ldh_name (converted, NULL))
    {
      g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INVALID_VALUE,
                   _("'%s' is not a valid domain name"), domain);
      return FALSE;
    }
  if (ascii != NULL)
    *ascii = g_steal_pointer (&converted);
  return TRUE;
}

/* A domain of domains=: a domain name that ATRN can carry (RFC 2645 section 4: RFC 5321's
 * Domain, so no final dot, and IDNA 2008 for U-labels), checked as the session will convert it,
 * so that a bad one is reported here with its line rather than after signing in. */
gboolean
_poste_config_check_atrn_domain (const char  *domain,
                   GError     **error)
{
  g_autoptr(GError) atrn_error = NULL;
  g_autofree char *ascii = NULL;
  gsize len = strlen (domain);

  if (!poste_config_check_domain (domain, NULL, error))
    return FALSE;
  if (len > 0 && domain[len - 1] == '.')
    {
      g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INVALID_VALUE,
                   _("'%s' ends with a dot; ATRN takes the domain without it"), domain);
      return FALSE;
    }
  ascii = poste_atrn_domain_to_ascii (domain, &atrn_error);
  if (ascii == NULL)
    {
      g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INVALID_VALUE,
                   _("'%s' is not a valid domain name for ATRN: %s"), domain,
                   atrn_error->message);
      return FALSE;
    }
  return TRUE;
}

/* [outbox] listen=: the listener relays without authentication, so only loopback will do (the
 * listener refuses anything else too; saying so here gives the line). */
gboolean
_poste_config_is_loopback_address (const char *text)
{
  g_autoptr(GInetAddress) address = g_inet_address_new_from_string (text);

  return address != NULL && g_inet_address_get_is_loopback (address);
}

gboolean
_poste_config_check_host (const char  *host,
            GError     **error)
{
  if (g_hostname_is_ip_address (host))
    return TRUE;
  return poste_config_check_domain (host, NULL, error);
}

/**
 * poste_config_check_host_port:
 * @text: "HOST", "HOST:PORT" or "[IPV6]:PORT"
 * @port_required: whether the port may be left out
 * @error: a #GError, or %NULL
 *
 * Checks a server address as the configuration writes it (`submission=`, a delivery target's
 * `smtp://` and `lmtp://`): a domain name or an IP address, and a port from 1 to 65535.
 *
 * Returns: %TRUE when the form is right; otherwise %FALSE with
 *   %POSTE_CONFIG_ERROR_INVALID_VALUE
 */
gboolean
poste_config_check_host_port (const char  *text,
                              gboolean     port_required,
                              GError     **error)
{
  g_autofree char *host = NULL;
  const char *port = NULL;
  guint value;

  if (text[0] == '[')
    {
      const char *close = strchr (text, ']');

      if (close == NULL || (close[1] != '\0' && close[1] != ':'))
        {
          g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INVALID_VALUE,
                       _("'%s' is not HOST:PORT"), text);
          return FALSE;
        }
      host = g_strndup (text + 1, close - text - 1);
      if (close[1] == ':')
        port = close + 2;
      if (!g_hostname_is_ip_address (host))
        {
          g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INVALID_VALUE,
                       _("'%s' is not an IPv6 address"), host);
          return FALSE;
        }
    }
  else
    {
      const char *colon = strrchr (text, ':');

      if (colon != NULL && strchr (text, ':') != colon)
        {
          g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INVALID_VALUE,
                       _("'%s': write an IPv6 address in brackets, [ADDRESS]:PORT"), text);
          return FALSE;
        }
      host = colon != NULL ? g_strndup (text, colon - text) : g_strdup (text);
      if (colon != NULL)
        port = colon + 1;
      if (!_poste_config_check_host (host, error))
        return FALSE;
    }

  if (port == NULL && port_required)
    {
      g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INVALID_VALUE,
                   _("'%s' has no port (HOST:PORT)"), text);
      return FALSE;
    }
  if (port != NULL && !_poste_config_parse_uint (port, 1, 65535, &value))
    {
      g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INVALID_VALUE,
                   _("'%s' is not a port number (1 to 65535)"), port);
      return FALSE;
    }
  return TRUE;
}

/**
 * poste_config_expand_path:
 * @path: a path, absolute or starting with "~/"
 * @error: a #GError, or %NULL
 *
 * Expands a leading "~" to the home directory. "~user" is not supported.
 *
 * Returns: (transfer full) (nullable): the absolute path, or %NULL with
 *   %POSTE_CONFIG_ERROR_INVALID_VALUE when @path is relative or names another user's home
 */
char *
poste_config_expand_path (const char  *path,
                          GError     **error)
{
  g_return_val_if_fail (path != NULL, NULL);

  if (path[0] == '~')
    {
      if (path[1] == '\0')
        return g_strdup (g_get_home_dir ());
      if (path[1] == '/')
        return g_build_filename (g_get_home_dir (), path + 2, NULL);
      g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INVALID_VALUE,
                   _("'%s': only '~/' is expanded, not another user's home"), path);
      return NULL;
    }
  if (!g_path_is_absolute (path))
    {
      g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INVALID_VALUE,
                   _("'%s' is not an absolute path (start it with '/' or '~/')"), path);
      return NULL;
    }
  return g_strdup (path);
}

/**
 * poste_config_check_target:
 * @target: a delivery target
 * @error: a #GError, or %NULL
 *
 * Checks the form of a delivery target (poste_target_parse()): `smtp://HOST[:PORT]`,
 * `lmtp://HOST:PORT`, `lmtp:/path/socket`, `mbox:/path`, `maildir:/path` or
 * `mda:/path/program ARGS...`, without control characters. Paths may start with "~/". Whether the
 * target works is only known when it is used.
 *
 * Returns: %TRUE when the form is right; otherwise %FALSE with
 *   %POSTE_CONFIG_ERROR_INVALID_VALUE
 */
gboolean
poste_config_check_target (const char  *target,
                           GError     **error)
{
  g_autoptr(PosteTarget) parsed = NULL;

  g_return_val_if_fail (target != NULL, FALSE);

  parsed = poste_target_parse (target, error);
  return parsed != NULL;
}

/**
 * poste_config_expand_target:
 * @target: a delivery target
 * @error: a #GError, or %NULL
 *
 * Expands "~/" in the path of an `lmtp:`, `mbox:`, `maildir:` or `mda:` target
 * (poste_target_dup_expanded()).
 *
 * Returns: (transfer full) (nullable): the target with an absolute path, or %NULL with
 *   %POSTE_CONFIG_ERROR_INVALID_VALUE when it is not a known kind of target
 */
char *
poste_config_expand_target (const char  *target,
                            GError     **error)
{
  g_autoptr(PosteTarget) parsed = NULL;

  g_return_val_if_fail (target != NULL, NULL);

  if (!(parsed = poste_target_parse (target, error)))
    return NULL;
  return poste_target_dup_expanded (parsed, error);
}

/**
 * poste_config_check_name:
 * @name: a provider name
 * @error: a #GError, or %NULL
 *
 * A provider name is 1 to 64 characters: letters, digits, '.', '_', '-', '+' and '@'. It names
 * the keyfile group `[provider NAME]`, a keyring item and history records.
 *
 * Returns: %TRUE when @name is valid; otherwise %FALSE with %POSTE_CONFIG_ERROR_INVALID_VALUE
 */
gboolean
poste_config_check_name (const char  *name,
                         GError     **error)
{
  if (name == NULL || *name == '\0' || !g_utf8_validate (name, -1, NULL)
      || g_utf8_strlen (name, -1) > MAX_NAME_LENGTH)
    {
      g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INVALID_VALUE,
                   _("a provider name has 1 to %d characters"), MAX_NAME_LENGTH);
      return FALSE;
    }
  for (const char *p = name; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (!g_unichar_isalnum (c) && strchr ("._-+@", (int) c) == NULL)
        {
          g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INVALID_VALUE,
                       _("'%s' is not a valid provider name (letters, digits, '.', '_', '-', '+', '@')"),
                       name);
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
_poste_config_check_route_recipient (const char  *recipient,
                       GError     **error)
{
  const char *at = strrchr (recipient, '@');

  if (at == NULL || at[1] == '\0')
    {
      g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INVALID_VALUE,
                   _("'%s' is neither an address nor '@domain'"), recipient);
      return FALSE;
    }
  for (const char *p = recipient; p < at; p++)
    if ((guchar) *p <= ' ' || *p == 0x7f || strchr ("<>()[]\\,;:\"", *p) != NULL)
      {
        g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INVALID_VALUE,
                     _("'%s' is not a plain address (local@domain)"), recipient);
        return FALSE;
      }
  return poste_config_check_domain (at + 1, NULL, error);
}
