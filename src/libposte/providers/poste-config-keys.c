/* poste-config-keys.c: the table of provider keys: each key's parse and format
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One table drives the load (each key's parse), the save (its format, and which defaults a new
 * group leaves out), the list of known keys, and the validation of a provider built by the
 * editor or the fetchmailrc import (poste_config_validate_provider(): format, then parse again,
 * so that what validates loads).
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "poste-active-window.h"
#include "poste-config-private.h"
#include "poste-enums.h"
#include "poste-error.h"
#include "poste-fingerprint.h"
#include "poste-router.h"
#include "poste-target.h"

static gboolean
empty_value (GError **error)
{
  g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INVALID_VALUE, _("empty value"));
  return FALSE;
}

/* label=: the name shown, any text on one line (a keyfile value cannot hold more). */
static gboolean
parse_label (const ProviderKey  *key,
             PosteProvider      *provider,
             const char         *value,
             GError            **error)
{
  if (!g_utf8_validate (value, -1, NULL) || strpbrk (value, "\r\n") != NULL)
    {
      g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INVALID_VALUE,
                   _("'%s' is not a name on one line"), value);
      return FALSE;
    }
  poste_provider_set_label (provider, *value != '\0' ? value : NULL);
  return TRUE;
}

static gboolean
parse_host (const ProviderKey  *key,
            PosteProvider      *provider,
            const char         *value,
            GError            **error)
{
  g_autofree char *bare = NULL;

  if (*value == '\0')
    return empty_value (error);
  /* [::1], as in a URL: the brackets only separate an IPv6 address from a port, which has a
   * key of its own here. */
  if (value[0] == '[' && g_str_has_suffix (value, "]"))
    {
      bare = g_strndup (value + 1, strlen (value) - 2);
      if (!g_hostname_is_ip_address (bare) || strchr (bare, ':') == NULL)
        {
          g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INVALID_VALUE,
                       _("'%s' is not an IPv6 address; write an IPv6 address without "
                         "brackets, as host=::1"), value);
          return FALSE;
        }
      value = bare;
    }
  if (!_poste_config_check_host (value, error))
    return FALSE;
  poste_provider_set_host (provider, value);
  return TRUE;
}

static gboolean
parse_port (const ProviderKey  *key,
            PosteProvider      *provider,
            const char         *value,
            GError            **error)
{
  guint number;

  if (!_poste_config_parse_uint (value, 1, 65535, &number))
    {
      g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INVALID_VALUE,
                   _("'%s' is not a port number (1 to 65535)"), value);
      return FALSE;
    }
  poste_provider_set_port (provider, number);
  return TRUE;
}

static gboolean
parse_interval (const ProviderKey  *key,
                PosteProvider      *provider,
                const char         *value,
                GError            **error)
{
  guint number;

  if (!_poste_config_parse_uint (value, 0, MAX_INTERVAL, &number))
    {
      g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INVALID_VALUE,
                   _("'%s' is not a number of minutes (0 to %d, 0 for on demand only)"),
                   value, MAX_INTERVAL);
      return FALSE;
    }
  poste_provider_set_interval (provider, number);
  return TRUE;
}

/* security=, mode=, auth=: the value is a nick of the property's GEnum type. */
static gboolean
parse_enum (const ProviderKey  *key,
            PosteProvider      *provider,
            const char         *value,
            GError            **error)
{
  int number;

  if (!poste_enum_from_nick (key->enum_type (), value, &number))
    {
      g_autofree char *names = poste_enum_list_nicks (key->enum_type ());

      g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INVALID_VALUE,
                   _("'%s' is not one of %s"), value, names);
      return FALSE;
    }
  g_object_set (provider, key->name, number, NULL);
  return TRUE;
}

static gboolean
parse_username (const ProviderKey  *key,
                PosteProvider      *provider,
                const char         *value,
                GError            **error)
{
  if (*value == '\0')
    return empty_value (error);
  if (strlen (value) > MAX_USERNAME_LENGTH || _poste_config_has_control (value))
    {
      g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INVALID_VALUE,
                   _("a user name has 1 to %d octets and no control characters"),
                   MAX_USERNAME_LENGTH);
      return FALSE;
    }
  poste_provider_set_username (provider, value);
  return TRUE;
}

static gboolean
parse_domains (const ProviderKey  *key,
               PosteProvider      *provider,
               const char         *value,
               GError            **error)
{
  g_auto(GStrv) parts = g_strsplit (value, ";", -1);
  g_autoptr(GPtrArray) domains = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *domain = g_strstrip (parts[i]);

      if (*domain == '\0')
        continue;
      if (!_poste_config_check_atrn_domain (domain, error))
        return FALSE;
      for (guint j = 0; j < domains->len; j++)
        if (g_ascii_strcasecmp (domains->pdata[j], domain) == 0)
          {
            g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INVALID_VALUE,
                         _("'%s' is listed twice"), domain);
            return FALSE;
          }
      g_ptr_array_add (domains, g_strdup (domain));
    }
  g_ptr_array_add (domains, NULL);
  poste_provider_set_domains (provider, (const char * const *) domains->pdata);
  return TRUE;
}

static gboolean
parse_target (const ProviderKey  *key,
              PosteProvider      *provider,
              const char         *value,
              GError            **error)
{
  g_autofree char *expanded = NULL;

  if (*value == '\0')
    return empty_value (error);
  if (!(expanded = poste_config_expand_target (value, error)))
    return FALSE;
  poste_provider_set_delivery (provider, expanded);
  return TRUE;
}

/* ca-file=, client-certificate=, password-file=: empty means "not set", as in DESIGN's
 * example. */
static gboolean
parse_path (const ProviderKey  *key,
            PosteProvider      *provider,
            const char         *value,
            GError            **error)
{
  g_autofree char *path = NULL;

  if (*value != '\0' && !(path = poste_config_expand_path (value, error)))
    return FALSE;
  g_object_set (provider, key->name, path, NULL);
  return TRUE;
}

static gboolean
parse_fingerprint (const ProviderKey  *key,
                   PosteProvider      *provider,
                   const char         *value,
                   GError            **error)
{
  g_autofree char *hex = NULL;

  if (*value != '\0' && !(hex = poste_fingerprint_normalize (value)))
    {
      g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INVALID_VALUE,
                   _("'%s' is not a SHA-256 fingerprint (64 hex digits, colons allowed)"), value);
      return FALSE;
    }
  poste_provider_set_pinned_sha256 (provider, hex);
  return TRUE;
}

static gboolean
parse_submission (const ProviderKey  *key,
                  PosteProvider      *provider,
                  const char         *value,
                  GError            **error)
{
  if (*value != '\0' && !poste_config_check_host_port (value, FALSE, error))
    return FALSE;
  poste_provider_set_submission (provider, *value != '\0' ? value : NULL);
  return TRUE;
}

/* active-hours=, active-days=: the scheduler's own reader, so what passes here is what it will
 * read. */
static gboolean
parse_window (const ProviderKey  *key,
              PosteProvider      *provider,
              const char         *value,
              GError            **error)
{
  PosteActiveWindow window;
  gboolean hours = g_str_equal (key->name, "active-hours");

  if (!poste_active_window_parse (hours ? value : NULL, hours ? NULL : value, &window, error))
    return FALSE;
  g_object_set (provider, key->name, *value != '\0' ? value : NULL, NULL);
  return TRUE;
}

static gboolean
parse_boolean (const ProviderKey  *key,
               PosteProvider      *provider,
               const char         *value,
               GError            **error)
{
  if (!g_str_equal (value, "true") && !g_str_equal (value, "false"))
    {
      g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INVALID_VALUE,
                   _("'%s' is not true or false"), value);
      return FALSE;
    }
  g_object_set (provider, key->name, g_str_equal (value, "true"), NULL);
  return TRUE;
}

static char *
format_string (const ProviderKey *key,
               PosteProvider     *provider)
{
  char *text = NULL;

  g_object_get (provider, key->name, &text, NULL);
  return text;
}

static char *
format_number (const ProviderKey *key,
               PosteProvider     *provider)
{
  guint number;

  g_object_get (provider, key->name, &number, NULL);
  return g_strdup_printf ("%u", number);
}

static char *
format_enum (const ProviderKey *key,
             PosteProvider     *provider)
{
  int number;

  g_object_get (provider, key->name, &number, NULL);
  return g_strdup (poste_enum_get_nick (key->enum_type (), number));
}

static char *
format_domains (const ProviderKey *key,
                PosteProvider     *provider)
{
  const char * const *domains = poste_provider_get_domains (provider);

  return domains[0] != NULL ? g_strjoinv (";", (char **) domains) : NULL;
}

static char *
format_boolean (const ProviderKey *key,
                PosteProvider     *provider)
{
  gboolean value;

  g_object_get (provider, key->name, &value, NULL);
  return g_strdup (value ? "true" : "false");
}

const ProviderKey *
_poste_config_lookup_provider_key (const char *name)
{
  for (guint i = 0; i < _poste_config_n_provider_keys; i++)
    if (g_str_equal (_poste_config_provider_keys[i].name, name))
      return &_poste_config_provider_keys[i];
  return NULL;
}

/* Parses one key of a provider group into @provider. Returns FALSE with @error (no file or line:
 * the caller adds them). */
gboolean
_poste_config_apply_provider_key (PosteProvider  *provider,
                    const char     *name,
                    const char     *value,
                    GError        **error)
{
  const ProviderKey *key = _poste_config_lookup_provider_key (name);

  if (key == NULL)
    {
      g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_UNKNOWN_KEY, _("unknown key"));
      return FALSE;
    }
  return key->parse (key, provider, value, error);
}

gboolean
_poste_config_apply_route (PosteProvider  *provider,
             const char     *recipient,
             const char     *target,
             GError        **error)
{
  g_autofree char *expanded = NULL;
  g_autofree char *route = NULL;
  g_autoptr(GPtrArray) routes = g_ptr_array_new_with_free_func (g_free);
  const char * const *old = poste_provider_get_routes (provider);

  if (!_poste_config_check_route_recipient (recipient, error))
    return FALSE;
  if (*target == '\0')
    {
      g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INVALID_VALUE, _("empty value"));
      return FALSE;
    }
  if (!poste_config_check_target (target, error))
    return FALSE;
  expanded = poste_config_expand_target (target, error);
  route = g_strconcat (recipient, "=", expanded, NULL);

  /* Copies: the provider frees its old array before it copies the new one. */
  for (guint i = 0; old[i] != NULL; i++)
    g_ptr_array_add (routes, g_strdup (old[i]));
  g_ptr_array_add (routes, g_steal_pointer (&route));
  g_ptr_array_add (routes, NULL);
  poste_provider_set_routes (provider, (const char * const *) routes->pdata);
  return TRUE;
}

/* With no domains= (a bare ATRN) there is nothing to hold recipients to; a target that relays
 * (SMTP, LMTP) would then take mail for any domain from loopback, where a local MTA usually
 * trusts its clients. Returns such a target of @provider (its delivery= or a route's), or NULL. */
const char *
_poste_config_relaying_target_without_domains (PosteProvider *provider)
{
  const char * const *domains = poste_provider_get_domains (provider);
  const char * const *routes = poste_provider_get_routes (provider);
  const char *delivery = poste_provider_get_delivery (provider);

  if (domains != NULL && domains[0] != NULL)
    return NULL;
  if (delivery != NULL && poste_delivery_target_relays (delivery))
    return delivery;
  for (guint i = 0; routes != NULL && routes[i] != NULL; i++)
    {
      const char *at = strchr (routes[i], '@');
      const char *eq = at != NULL ? strchr (at, '=') : NULL;

      if (eq != NULL && poste_delivery_target_relays (eq + 1))
        return eq + 1;
    }
  return NULL;
}

void
_poste_config_set_relay_error (GError     **error,
                 const char  *target)
{
  g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_MISSING_KEY,
               _("empty, but the target %s relays (SMTP or LMTP): without domains it could pass "
                 "mail for any domain on; list the domains this provider holds mail for"),
               target);
}

/**
 * poste_config_validate_provider:
 * @provider: a #PosteProvider
 * @error: a #GError, or %NULL
 *
 * Applies the load-time checks to a provider built in memory (an editor's, an import's): the
 * name, the host, the delivery target and routes, the domains, the fingerprint. The message
 * names the key ("key 'host': ...") but no file.
 *
 * Returns: %TRUE when @provider could be saved and loaded back; otherwise %FALSE with a
 *   %POSTE_CONFIG_ERROR
 */
gboolean
poste_config_validate_provider (PosteProvider  *provider,
                                GError        **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(PosteProvider) scratch = poste_provider_new ("scratch");
  const char * const *domains;
  const char * const *routes;
  const char *key = NULL;
  const char *value;

  g_return_val_if_fail (POSTE_IS_PROVIDER (provider), FALSE);

  if (!poste_config_check_name (poste_provider_get_name (provider), &local_error))
    {
      key = "name";
      goto fail;
    }

  /* Each key as the file would hold it, read back by the same parse as a load: what passes
   * here loads. */
  for (guint i = 0; i < _poste_config_n_provider_keys; i++)
    {
      g_autofree char *text = _poste_config_provider_keys[i].format (&_poste_config_provider_keys[i], provider);

      key = _poste_config_provider_keys[i].name;
      if (text == NULL && _poste_config_provider_keys[i].required)
        {
          g_set_error (&local_error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_MISSING_KEY,
                       _("missing"));
          goto fail;
        }
      if (text != NULL &&
          !_poste_config_provider_keys[i].parse (&_poste_config_provider_keys[i], scratch, text, &local_error))
        goto fail;
    }

  key = "domains";
  domains = poste_provider_get_domains (provider);
  if (poste_provider_get_mode (provider) == POSTE_MODE_ETRN && domains[0] == NULL)
    {
      g_set_error (&local_error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_MISSING_KEY,
                   _("missing: mode=etrn needs the domains to ask for"));
      goto fail;
    }
  key = "route";
  routes = poste_provider_get_routes (provider);
  for (guint i = 0; routes[i] != NULL; i++)
    {
      const char *eq = strchr (routes[i], '=');
      g_autofree char *recipient = NULL;

      if (eq == NULL)
        {
          g_set_error (&local_error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INVALID_VALUE,
                       _("'%s' is not RECIPIENT=TARGET"), routes[i]);
          goto fail;
        }
      recipient = g_strndup (routes[i], eq - routes[i]);
      if (!_poste_config_check_route_recipient (recipient, &local_error)
          || !poste_config_check_target (eq + 1, &local_error))
        goto fail;
    }
  key = "domains";
  value = _poste_config_relaying_target_without_domains (provider);
  if (value != NULL)
    {
      _poste_config_set_relay_error (&local_error, value);
      goto fail;
    }
  key = "client-certificate";
  if (poste_provider_get_auth (provider) == POSTE_AUTH_EXTERNAL &&
      poste_provider_get_client_certificate (provider) == NULL)
    {
      g_set_error (&local_error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_MISSING_KEY,
                   _("missing: auth=external needs a client certificate"));
      goto fail;
    }
  return TRUE;

fail:
  g_set_error (error, POSTE_CONFIG_ERROR, local_error->code, _("key '%s': %s"), key,
               local_error->message);
  return FALSE;
}

/* The keyfile text of a provider's key, or NULL when the key is left out. */
char *
_poste_config_provider_key_text (PosteProvider     *provider,
                   const ProviderKey *key,
                   gboolean           new_group)
{
  g_autofree char *text = key->format (key, provider);

  if (new_group && key->left_out != NULL && g_strcmp0 (text, key->left_out) == 0)
    return NULL;
  return g_steal_pointer (&text);
}

/* In the order a new group is written. */
const ProviderKey _poste_config_provider_keys[] = {
  { "label", parse_label, format_string, NULL, NULL, NULL, FALSE },
  { "host", parse_host, format_string, NULL, NULL, NULL, TRUE },
  { "port", parse_port, format_number, NULL, NULL, NULL, FALSE },
  { "security", parse_enum, format_enum, poste_security_get_type, NULL, NULL, FALSE },
  { "username", parse_username, format_string, NULL, NULL, NULL, FALSE },
  { "domains", parse_domains, format_domains, NULL, NULL, NULL, FALSE },
  /* The default is left out: files stay as short as before ETRN existed. */
  { "mode", parse_enum, format_enum, poste_mode_get_type, "atrn", "atrn", FALSE },
  { "auth", parse_enum, format_enum, poste_auth_get_type, NULL, "auto", FALSE },
  { "delivery", parse_target, format_string, NULL, NULL, NULL, TRUE },
  { "interval", parse_interval, format_number, NULL, NULL, NULL, FALSE },
  { "ca-file", parse_path, format_string, NULL, NULL, NULL, FALSE },
  { "pinned-sha256", parse_fingerprint, format_string, NULL, NULL, NULL, FALSE },
  { "client-certificate", parse_path, format_string, NULL, NULL, NULL, FALSE },
  { "password-file", parse_path, format_string, NULL, NULL, NULL, FALSE },
  { "submission", parse_submission, format_string, NULL, NULL, NULL, FALSE },
  { "send-with-fetch", parse_boolean, format_boolean, NULL, "true", "true", FALSE },
  { "active-hours", parse_window, format_string, NULL, NULL, NULL, FALSE },
  { "active-days", parse_window, format_string, NULL, NULL, NULL, FALSE },
};

const guint _poste_config_n_provider_keys = G_N_ELEMENTS (_poste_config_provider_keys);
