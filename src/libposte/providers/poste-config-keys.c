/* poste-config-keys.c: the table of typed provider keys: one parse and one format per type
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One table drives the load (each key's parse), the save (its format, and which defaults a new
 * group leaves out), the list of known keys, and the validation of a provider built by the
 * editor or the fetchmailrc import (poste_config_validate_provider(): format, then parse again,
 * so that what validates loads). Each row names its type (text, number, boolean, enum, list)
 * and the property it maps to; what differs between two keys of one type is a row's bounds or
 * its check, never a copy of the parse.
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

/* The checks of text keys: each gets a non-empty value and returns what the property
 * stores. */

/* label=: the name shown, any text on one line (a keyfile value cannot hold more). */
static char *
check_label (const ProviderKey  *key,
             const char         *value,
             GError            **error)
{
  if (!g_utf8_validate (value, -1, NULL) || strpbrk (value, "\r\n") != NULL)
    {
      g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INVALID_VALUE,
                   _("'%s' is not a name on one line"), value);
      return NULL;
    }
  return g_strdup (value);
}

static char *
check_host (const ProviderKey  *key,
            const char         *value,
            GError            **error)
{
  g_autofree char *bare = NULL;

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
          return NULL;
        }
      value = bare;
    }
  if (!_poste_config_check_host (value, error))
    return NULL;
  return g_strdup (value);
}

static char *
check_username (const ProviderKey  *key,
                const char         *value,
                GError            **error)
{
  if (strlen (value) > MAX_USERNAME_LENGTH || _poste_config_has_control (value))
    {
      g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INVALID_VALUE,
                   _("a user name has 1 to %d octets and no control characters"),
                   MAX_USERNAME_LENGTH);
      return NULL;
    }
  return g_strdup (value);
}

/* delivery=: stored expanded (~ and relative paths resolved). */
static char *
check_target (const ProviderKey  *key,
              const char         *value,
              GError            **error)
{
  return poste_config_expand_target (value, error);
}

/* ca-file=, client-certificate=, password-file=: empty means "not set", as in DESIGN's
 * example. */
static char *
check_path (const ProviderKey  *key,
            const char         *value,
            GError            **error)
{
  return poste_config_expand_path (value, error);
}

static char *
check_fingerprint (const ProviderKey  *key,
                   const char         *value,
                   GError            **error)
{
  char *hex = poste_fingerprint_normalize (value);

  if (hex == NULL)
    g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INVALID_VALUE,
                 _("'%s' is not a SHA-256 fingerprint (64 hex digits, colons allowed)"), value);
  return hex;
}

static char *
check_submission (const ProviderKey  *key,
                  const char         *value,
                  GError            **error)
{
  if (!poste_config_check_host_port (value, FALSE, error))
    return NULL;
  return g_strdup (value);
}

/* active-hours=, active-days=: the scheduler's own reader, so what passes here is what it will
 * read. */
static char *
check_hours (const ProviderKey  *key,
             const char         *value,
             GError            **error)
{
  PosteActiveWindow window;

  if (!poste_active_window_parse (value, NULL, &window, error))
    return NULL;
  return g_strdup (value);
}

static char *
check_days (const ProviderKey  *key,
            const char         *value,
            GError            **error)
{
  PosteActiveWindow window;

  if (!poste_active_window_parse (NULL, value, &window, error))
    return NULL;
  return g_strdup (value);
}

/* One parse and one format per type. */

static gboolean
parse_text (const ProviderKey  *key,
            PosteProvider      *provider,
            const char         *value,
            GError            **error)
{
  g_autofree char *stored = NULL;

  if (*value == '\0' && !key->empty_unsets)
    {
      g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INVALID_VALUE,
                   _("empty value"));
      return FALSE;
    }
  if (*value != '\0')
    {
      stored = key->check != NULL ? key->check (key, value, error) : g_strdup (value);
      if (stored == NULL)
        return FALSE;
    }
  g_object_set (provider, key->property, stored, NULL);
  return TRUE;
}

static char *
format_text (const ProviderKey *key,
             PosteProvider     *provider)
{
  char *text = NULL;

  g_object_get (provider, key->property, &text, NULL);
  return text;
}

static gboolean
parse_uint (const ProviderKey  *key,
            PosteProvider      *provider,
            const char         *value,
            GError            **error)
{
  guint number;

  if (!_poste_config_parse_uint (value, key->min, key->max, &number))
    {
      /* The row's message is a translated format, checked by gettext against its msgid. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
      g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INVALID_VALUE,
                   _(key->invalid), value, (int) key->max);
#pragma GCC diagnostic pop
      return FALSE;
    }
  g_object_set (provider, key->property, number, NULL);
  return TRUE;
}

static char *
format_uint (const ProviderKey *key,
             PosteProvider     *provider)
{
  guint number;

  g_object_get (provider, key->property, &number, NULL);
  return g_strdup_printf ("%u", number);
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
  g_object_set (provider, key->property, g_str_equal (value, "true"), NULL);
  return TRUE;
}

static char *
format_boolean (const ProviderKey *key,
                PosteProvider     *provider)
{
  gboolean value;

  g_object_get (provider, key->property, &value, NULL);
  return g_strdup (value ? "true" : "false");
}

/* The value is a nick of the property's GEnum type. */
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
  g_object_set (provider, key->property, number, NULL);
  return TRUE;
}

static char *
format_enum (const ProviderKey *key,
             PosteProvider     *provider)
{
  int number;

  g_object_get (provider, key->property, &number, NULL);
  return g_strdup (poste_enum_get_nick (key->enum_type (), number));
}

static gboolean
parse_list (const ProviderKey  *key,
            PosteProvider      *provider,
            const char         *value,
            GError            **error)
{
  g_auto(GStrv) parts = g_strsplit (value, ";", -1);
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *item = g_strstrip (parts[i]);

      if (*item == '\0')
        continue;
      if (!key->check_item (item, error))
        return FALSE;
      for (guint j = 0; j < items->len; j++)
        if (g_ascii_strcasecmp (items->pdata[j], item) == 0)
          {
            g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INVALID_VALUE,
                         _("'%s' is listed twice"), item);
            return FALSE;
          }
      g_ptr_array_add (items, g_strdup (item));
    }
  g_ptr_array_add (items, NULL);
  g_object_set (provider, key->property, items->pdata, NULL);
  return TRUE;
}

/* An empty list leaves the key out. */
static char *
format_list (const ProviderKey *key,
             PosteProvider     *provider)
{
  g_auto(GStrv) items = NULL;

  g_object_get (provider, key->property, &items, NULL);
  return items != NULL && items[0] != NULL ? g_strjoinv (";", items) : NULL;
}

static const struct
{
  gboolean (*parse)  (const ProviderKey  *key,
                      PosteProvider      *provider,
                      const char         *value,
                      GError            **error);
  char    *(*format) (const ProviderKey  *key,
                      PosteProvider      *provider);
} key_types[] = {
  [PROVIDER_KEY_TEXT] = { parse_text, format_text },
  [PROVIDER_KEY_UINT] = { parse_uint, format_uint },
  [PROVIDER_KEY_BOOLEAN] = { parse_boolean, format_boolean },
  [PROVIDER_KEY_ENUM] = { parse_enum, format_enum },
  [PROVIDER_KEY_LIST] = { parse_list, format_list },
};

static gboolean
parse_key (const ProviderKey  *key,
           PosteProvider      *provider,
           const char         *value,
           GError            **error)
{
  return key_types[key->type].parse (key, provider, value, error);
}

static char *
format_key (const ProviderKey *key,
            PosteProvider     *provider)
{
  return key_types[key->type].format (key, provider);
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
  return parse_key (key, provider, value, error);
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
static const char *
relaying_target_without_domains (PosteProvider *provider)
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

static gboolean
check_relay_has_domains (PosteProvider  *provider,
                         GError        **error)
{
  const char *target = relaying_target_without_domains (provider);

  if (target == NULL)
    return TRUE;
  g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_MISSING_KEY,
               _("empty, but the target %s relays (SMTP or LMTP): without domains it could pass "
                 "mail for any domain on; list the domains this provider holds mail for"),
               target);
  return FALSE;
}

/* RFC 1985: ETRN names what to start; there is no "every domain" as with a bare ATRN. */
static gboolean
check_etrn_has_domains (PosteProvider  *provider,
                        GError        **error)
{
  if (poste_provider_get_mode (provider) != POSTE_MODE_ETRN ||
      poste_provider_get_domains (provider)[0] != NULL)
    return TRUE;
  g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_MISSING_KEY,
               _("missing: mode=etrn needs the domains to ask for"));
  return FALSE;
}

static gboolean
check_external_has_certificate (PosteProvider  *provider,
                                GError        **error)
{
  if (poste_provider_get_auth (provider) != POSTE_AUTH_EXTERNAL ||
      poste_provider_get_client_certificate (provider) != NULL)
    return TRUE;
  g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_MISSING_KEY,
               _("missing: auth=external needs a client certificate"));
  return FALSE;
}

/* The rules between keys, for a load and a validation alike. */
const ProviderRule _poste_config_provider_rules[] = {
  { .key = "domains", .line_key = "domains", .check = check_relay_has_domains,
    .needs_valid_keys = TRUE },
  { .key = "client-certificate", .line_key = "auth", .check = check_external_has_certificate },
  { .key = "domains", .line_key = "mode", .check = check_etrn_has_domains },
};
const guint _poste_config_n_provider_rules = G_N_ELEMENTS (_poste_config_provider_rules);

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
  const char * const *routes;
  const char *key = NULL;

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
      const ProviderKey *row = &_poste_config_provider_keys[i];
      g_autofree char *text = format_key (row, provider);

      key = row->name;
      if (text == NULL && row->required)
        {
          g_set_error (&local_error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_MISSING_KEY,
                       _("missing"));
          goto fail;
        }
      if (text != NULL && !parse_key (row, scratch, text, &local_error))
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
  for (guint i = 0; i < _poste_config_n_provider_rules; i++)
    {
      key = _poste_config_provider_rules[i].key;
      if (!_poste_config_provider_rules[i].check (provider, &local_error))
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
  g_autofree char *text = format_key (key, provider);

  if (new_group && key->left_out != NULL && g_strcmp0 (text, key->left_out) == 0)
    return NULL;
  return g_steal_pointer (&text);
}

/* In the order a new group is written. */
const ProviderKey _poste_config_provider_keys[] = {
  { .name = "label", .type = PROVIDER_KEY_TEXT, .property = "label",
    .empty_unsets = TRUE, .check = check_label },
  { .name = "host", .type = PROVIDER_KEY_TEXT, .property = "host",
    .check = check_host, .required = TRUE },
  { .name = "port", .type = PROVIDER_KEY_UINT, .property = "port",
    .min = 1, .max = 65535, .invalid = N_("'%s' is not a port number (1 to 65535)") },
  { .name = "security", .type = PROVIDER_KEY_ENUM, .property = "security",
    .enum_type = poste_security_get_type },
  { .name = "username", .type = PROVIDER_KEY_TEXT, .property = "username",
    .check = check_username },
  { .name = "domains", .type = PROVIDER_KEY_LIST, .property = "domains",
    .check_item = _poste_config_check_atrn_domain },
  /* The default is left out: files stay as short as before ETRN existed. */
  { .name = "mode", .type = PROVIDER_KEY_ENUM, .property = "mode",
    .enum_type = poste_mode_get_type, .left_out = "atrn", .default_text = "atrn" },
  { .name = "auth", .type = PROVIDER_KEY_ENUM, .property = "auth",
    .enum_type = poste_auth_get_type, .default_text = "auto" },
  { .name = "delivery", .type = PROVIDER_KEY_TEXT, .property = "delivery",
    .check = check_target, .required = TRUE },
  { .name = "interval", .type = PROVIDER_KEY_UINT, .property = "interval",
    .min = 0, .max = MAX_INTERVAL,
    .invalid = N_("'%s' is not a number of minutes (0 to %d, 0 for on demand only)") },
  { .name = "ca-file", .type = PROVIDER_KEY_TEXT, .property = "ca-file",
    .empty_unsets = TRUE, .check = check_path },
  { .name = "pinned-sha256", .type = PROVIDER_KEY_TEXT, .property = "pinned-sha256",
    .empty_unsets = TRUE, .check = check_fingerprint },
  { .name = "client-certificate", .type = PROVIDER_KEY_TEXT, .property = "client-certificate",
    .empty_unsets = TRUE, .check = check_path },
  { .name = "password-file", .type = PROVIDER_KEY_TEXT, .property = "password-file",
    .empty_unsets = TRUE, .check = check_path },
  { .name = "submission", .type = PROVIDER_KEY_TEXT, .property = "submission",
    .empty_unsets = TRUE, .check = check_submission },
  { .name = "send-with-fetch", .type = PROVIDER_KEY_BOOLEAN, .property = "send-with-fetch",
    .left_out = "true", .default_text = "true" },
  { .name = "active-hours", .type = PROVIDER_KEY_TEXT, .property = "active-hours",
    .empty_unsets = TRUE, .check = check_hours },
  { .name = "active-days", .type = PROVIDER_KEY_TEXT, .property = "active-days",
    .empty_unsets = TRUE, .check = check_days },
};

const guint _poste_config_n_provider_keys = G_N_ELEMENTS (_poste_config_provider_keys);
