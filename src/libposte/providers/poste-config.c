/* poste-config.c: the configuration keyfile, loaded, validated strictly and saved atomically
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GKeyFile parses the file but knows nothing of line numbers, so the text is scanned here first:
 * every group and key is indexed by its line, malformed lines and duplicates are caught, and every
 * error names the file, the line and the key ("FILE:LINE: key 'KEY': message"). All the errors of
 * a file are reported at once, one per line of the GError's message, so that a user fixes them in
 * one go; the GError's code is the first error's.
 *
 * Comments are kept (G_KEY_FILE_KEEP_COMMENTS) and a value the user wrote is written back as it
 * was when the model still holds the same thing, so "~/Maildir" stays "~/Maildir" and an inline
 * comment stays where it was.
 *
 * This file is the configuration object and its load; poste-config-scan.c indexes the text by
 * line and words the errors, poste-config-keys.c parses and formats each provider key, and
 * poste-config-save.c writes the model back into the keyfile and the keyfile to disk.
 */
#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "poste-config.h"
#include "poste-config-private.h"
#include "poste-delivery-private.h"
#include "poste-error.h"

struct _PosteConfig
{
  GObject     parent_instance;

  char       *path;
  GKeyFile   *keyfile;
  GListStore *providers;
  char       *outbox_listen;
  guint       outbox_port;
};

G_DEFINE_FINAL_TYPE (PosteConfig, poste_config, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PATH,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

static const char * const outbox_keys[] = { "listen", "port" };

static gboolean
is_known (const char * const *keys,
          gsize               n_keys,
          const char         *key)
{
  for (gsize i = 0; i < n_keys; i++)
    if (g_str_equal (keys[i], key))
      return TRUE;
  return FALSE;
}

static PosteProvider *
load_provider (Scan       *scan,
               GKeyFile   *keyfile,
               const char *group,
               const char *name)
{
  g_autoptr(PosteProvider) provider = poste_provider_new (name);
  g_auto(GStrv) keys = g_key_file_get_keys (keyfile, group, NULL, NULL);
  guint group_line = _poste_config_scan_group_line (scan, group);
  gboolean ok = TRUE;
  gboolean keys_ok;

  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    {
      const char *key = keys[i];
      guint line = _poste_config_scan_key_line (scan, group, key);
      g_autoptr(GError) local_error = NULL;
      g_autofree char *value = _poste_config_get_value (keyfile, group, key, &local_error);

      if (value == NULL)
        {
          _poste_config_key_error (scan, POSTE_CONFIG_ERROR_INVALID_VALUE, line, key, "%s",
                                   local_error->message);
          ok = FALSE;
          continue;
        }

      if (g_str_has_prefix (key, ROUTE_PREFIX))
        {
          if (!_poste_config_apply_route (provider, key + strlen (ROUTE_PREFIX), value, &local_error))
            {
              _poste_config_key_error (scan, local_error->code, line, key, "%s", local_error->message);
              ok = FALSE;
            }
          continue;
        }

      if (_poste_config_lookup_provider_key (key) == NULL)
        {
          _poste_config_key_error (scan, POSTE_CONFIG_ERROR_UNKNOWN_KEY, line, key,
                                   _("unknown key in [%s]"), group);
          ok = FALSE;
          continue;
        }

      if (!_poste_config_apply_provider_key (provider, key, value, &local_error))
        {
          _poste_config_key_error (scan, local_error->code, line, key, "%s", local_error->message);
          ok = FALSE;
        }
    }

  if (poste_provider_get_host (provider) == NULL && !g_key_file_has_key (keyfile, group, "host", NULL))
    {
      _poste_config_key_error (scan, POSTE_CONFIG_ERROR_MISSING_KEY, group_line, "host",
                               _("missing in [%s] (every provider needs the provider's host name)"), group);
      ok = FALSE;
    }
  if (poste_provider_get_delivery (provider) == NULL
      && !g_key_file_has_key (keyfile, group, "delivery", NULL))
    {
      _poste_config_key_error (scan, POSTE_CONFIG_ERROR_MISSING_KEY, group_line, "delivery",
                               _("missing in [%s] (where should the mail go? e.g. delivery=maildir:~/Maildir)"),
                               group);
      ok = FALSE;
    }
  keys_ok = ok;
  for (guint i = 0; i < _poste_config_n_provider_rules; i++)
    {
      const ProviderRule *rule = &_poste_config_provider_rules[i];
      g_autoptr(GError) local_error = NULL;
      guint line;

      if ((rule->needs_valid_keys && !keys_ok) || rule->check (provider, &local_error))
        continue;
      line = _poste_config_scan_key_line (scan, group, rule->line_key);
      _poste_config_key_error (scan, local_error->code, line > 0 ? line : group_line, rule->key,
                               "%s", local_error->message);
      ok = FALSE;
    }

  return ok ? g_steal_pointer (&provider) : NULL;
}

static void
poste_config_finalize (GObject *object)
{
  PosteConfig *self = (PosteConfig *)object;

  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->keyfile, g_key_file_unref);
  g_clear_object (&self->providers);
  g_clear_pointer (&self->outbox_listen, g_free);

  G_OBJECT_CLASS (poste_config_parent_class)->finalize (object);
}

static void
poste_config_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  PosteConfig *self = POSTE_CONFIG (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
poste_config_class_init (PosteConfigClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = poste_config_finalize;
  object_class->get_property = poste_config_get_property;

  /**
   * PosteConfig:path:
   *
   * The file the configuration was loaded from or last saved to, or %NULL.
   */
  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
poste_config_init (PosteConfig *self)
{
  self->providers = g_list_store_new (POSTE_TYPE_PROVIDER);
  self->keyfile = g_key_file_new ();
}

/**
 * poste_config_new:
 *
 * Makes an empty configuration: no providers, no file.
 *
 * Returns: (transfer full): a new #PosteConfig
 */
PosteConfig *
poste_config_new (void)
{
  return g_object_new (POSTE_TYPE_CONFIG, NULL);
}

/**
 * poste_config_dup_default_path:
 *
 * Returns: (transfer full): `$XDG_CONFIG_HOME/poste-restante/poste-restante.conf`
 */
char *
poste_config_dup_default_path (void)
{
  return g_build_filename (g_get_user_config_dir (), "poste-restante", POSTE_CONFIG_FILE_NAME,
                           NULL);
}

/**
 * poste_config_get_path:
 * @self: a #PosteConfig
 *
 * Returns: (transfer none) (nullable): the file loaded or last saved, or %NULL
 */
const char *
poste_config_get_path (PosteConfig *self)
{
  g_return_val_if_fail (POSTE_IS_CONFIG (self), NULL);
  return self->path;
}

void
_poste_config_set_path (PosteConfig *self,
                        const char  *path)
{
  if (g_strcmp0 (self->path, path) == 0)
    return;
  g_free (self->path);
  self->path = g_strdup (path);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PATH]);
}

/* The keyfile as loaded, comments included; a save writes the model into it. */
GKeyFile *
_poste_config_get_keyfile (PosteConfig *self)
{
  return self->keyfile;
}

/**
 * poste_config_load_from_data:
 * @self: a #PosteConfig
 * @path: the file name used in error messages (and remembered for poste_config_save())
 * @data: the keyfile text
 * @length: the length of @data in bytes, or -1 when it is NUL-terminated
 * @error: a #GError, or %NULL
 *
 * Parses and validates a configuration strictly: unknown groups and keys, malformed lines,
 * duplicates, values out of range or of the wrong form, and missing required keys (host,
 * delivery) are all errors. The message holds one line per error, each
 * "FILE:LINE: key 'KEY': what is wrong". Nothing of @self changes on failure.
 *
 * Returns: %TRUE on success; otherwise %FALSE with a %POSTE_CONFIG_ERROR (the first error's code)
 */
gboolean
poste_config_load_from_data (PosteConfig  *self,
                             const char   *path,
                             const char   *data,
                             gssize        length,
                             GError      **error)
{
  Scan scan = { 0 };
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GPtrArray) providers = g_ptr_array_new_with_free_func (g_object_unref);
  g_auto(GStrv) groups = NULL;
  g_autofree char *outbox_listen = NULL;
  guint outbox_port = 0;
  gboolean ok;

  g_return_val_if_fail (POSTE_IS_CONFIG (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (data != NULL || length == 0, FALSE);

  if (length < 0)
    length = strlen (data);
  /* The byte order mark some Windows editors put at the start of a UTF-8 file is not text: the
   * first group would read as an unknown line and every key after it as outside any group. */
  if (length >= 3 && memcmp (data, "\xef\xbb\xbf", 3) == 0)
    {
      data += 3;
      length -= 3;
    }

  scan.path = path;
  scan.group_lines = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  scan.key_lines = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  scan.messages = g_string_new (NULL);

  if ((gsize) length > POSTE_CONFIG_MAX_SIZE)
    {
      _poste_config_scan_error (&scan, POSTE_CONFIG_ERROR_PARSE, 0, _("larger than %d bytes"),
                                POSTE_CONFIG_MAX_SIZE);
      goto out;
    }

  _poste_config_scan_text (&scan, data, length);
  if (scan.messages->len > 0)
    goto out;

  if (!g_key_file_load_from_data (keyfile, data, length, G_KEY_FILE_KEEP_COMMENTS, &local_error))
    {
      _poste_config_scan_error (&scan, POSTE_CONFIG_ERROR_PARSE, 0, "%s", local_error->message);
      goto out;
    }

  groups = g_key_file_get_groups (keyfile, NULL);
  for (guint i = 0; groups[i] != NULL; i++)
    {
      const char *group = groups[i];
      guint line = _poste_config_scan_group_line (&scan, group);

      if (g_str_has_prefix (group, "provider "))
        {
          const char *name = group + strlen ("provider ");
          PosteProvider *provider;

          if (!poste_config_check_name (name, &local_error))
            {
              _poste_config_scan_error (&scan, POSTE_CONFIG_ERROR_INVALID_VALUE, line, _("group '[%s]': %s"),
                                        group, local_error->message);
              g_clear_error (&local_error);
              continue;
            }
          provider = load_provider (&scan, keyfile, group, name);
          if (provider != NULL)
            g_ptr_array_add (providers, provider);
        }
      else if (g_str_equal (group, "outbox"))
        {
          g_auto(GStrv) keys = g_key_file_get_keys (keyfile, group, NULL, NULL);

          for (guint k = 0; keys[k] != NULL; k++)
            {
              guint kline = _poste_config_scan_key_line (&scan, group, keys[k]);
              g_autofree char *value = _poste_config_get_value (keyfile, group, keys[k], &local_error);

              if (value == NULL)
                {
                  _poste_config_key_error (&scan, POSTE_CONFIG_ERROR_INVALID_VALUE, kline, keys[k], "%s",
                                           local_error->message);
                  g_clear_error (&local_error);
                }
              else if (!is_known (outbox_keys, G_N_ELEMENTS (outbox_keys), keys[k]))
                _poste_config_key_error (&scan, POSTE_CONFIG_ERROR_UNKNOWN_KEY, kline, keys[k],
                                         _("unknown key in [outbox]"));
              else if (g_str_equal (keys[k], "port"))
                {
                  if (!_poste_config_parse_uint (value, 1, 65535, &outbox_port))
                    _poste_config_key_error (&scan, POSTE_CONFIG_ERROR_INVALID_VALUE, kline, keys[k],
                                             _("'%s' is not a port number (1 to 65535)"), value);
                }
              else if (!g_hostname_is_ip_address (value))
                _poste_config_key_error (&scan, POSTE_CONFIG_ERROR_INVALID_VALUE, kline, keys[k],
                                         _("'%s' is not an IP address (the listener binds loopback)"), value);
              else if (!_poste_config_is_loopback_address (value))
                _poste_config_key_error (&scan, POSTE_CONFIG_ERROR_INVALID_VALUE, kline, keys[k],
                                         _("'%s' is not a loopback address (127.0.0.1 or ::1): the listener "
                                           "takes mail without authentication"), value);
              else
                {
                  g_free (outbox_listen);
                  outbox_listen = g_strdup (value);
                }
            }
        }
      else
        _poste_config_scan_error (&scan, POSTE_CONFIG_ERROR_UNKNOWN_KEY, line,
                                  _("group '[%s]': unknown group (expected [provider NAME] or [outbox])"),
                                  group);
    }

out:
  ok = scan.messages->len == 0;
  if (!ok)
    g_set_error_literal (error, POSTE_CONFIG_ERROR, scan.first_code, scan.messages->str);
  _poste_config_scan_clear (&scan);
  if (!ok)
    return FALSE;

  g_clear_pointer (&self->keyfile, g_key_file_unref);
  self->keyfile = g_steal_pointer (&keyfile);
  g_free (self->outbox_listen);
  self->outbox_listen = g_steal_pointer (&outbox_listen);
  self->outbox_port = outbox_port;
  g_list_store_splice (self->providers, 0, g_list_model_get_n_items (G_LIST_MODEL (self->providers)),
                       providers->pdata, providers->len);
  _poste_config_set_path (self, path);
  return TRUE;
}

/**
 * poste_config_load:
 * @self: a #PosteConfig
 * @path: (nullable): the file, or %NULL for poste_config_dup_default_path()
 * @error: a #GError, or %NULL
 *
 * Reads (at most %POSTE_CONFIG_MAX_SIZE bytes) and validates a configuration file, see
 * poste_config_load_from_data(). A file that does not exist fails with %G_FILE_ERROR_NOENT, so
 * that the caller can tell "no configuration yet" from a broken one.
 *
 * Returns: %TRUE on success; otherwise %FALSE with a %POSTE_CONFIG_ERROR or %G_FILE_ERROR
 */
gboolean
poste_config_load (PosteConfig  *self,
                   const char   *path,
                   GError      **error)
{
  g_autofree char *default_path = NULL;
  g_autofree char *data = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileInputStream) input = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize length = 0;

  g_return_val_if_fail (POSTE_IS_CONFIG (self), FALSE);

  if (path == NULL)
    path = default_path = poste_config_dup_default_path ();

  file = g_file_new_for_path (path);
  input = g_file_read (file, NULL, &local_error);
  if (input == NULL)
    {
      int code = G_FILE_ERROR_FAILED;

      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        code = G_FILE_ERROR_NOENT;
      else if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED))
        code = G_FILE_ERROR_ACCES;
      else if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY))
        code = G_FILE_ERROR_ISDIR;
      g_set_error (error, G_FILE_ERROR, code, "%s: %s", path, local_error->message);
      return FALSE;
    }

  data = g_malloc (POSTE_CONFIG_MAX_SIZE + 2);
  if (!g_input_stream_read_all (G_INPUT_STREAM (input), data, POSTE_CONFIG_MAX_SIZE + 1, &length,
                                NULL, &local_error))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_IO, "%s: %s", path, local_error->message);
      return FALSE;
    }
  data[length] = '\0';

  return poste_config_load_from_data (self, path, data, length, error);
}

/**
 * poste_config_get_providers:
 * @self: a #PosteConfig
 *
 * Returns: (transfer none): the providers, a #GListModel of #PosteProvider in file order
 */
GListModel *
poste_config_get_providers (PosteConfig *self)
{
  g_return_val_if_fail (POSTE_IS_CONFIG (self), NULL);
  return G_LIST_MODEL (self->providers);
}

static gboolean
find_provider (PosteConfig *self,
               const char  *name,
               guint       *position)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->providers));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PosteProvider) provider = g_list_model_get_item (G_LIST_MODEL (self->providers), i);

      if (g_strcmp0 (poste_provider_get_name (provider), name) == 0)
        {
          *position = i;
          return TRUE;
        }
    }
  return FALSE;
}

/**
 * poste_config_lookup:
 * @self: a #PosteConfig
 * @name: a provider name
 *
 * Returns: (transfer none) (nullable): the provider called @name, or %NULL
 */
PosteProvider *
poste_config_lookup (PosteConfig *self,
                     const char  *name)
{
  guint position;
  g_autoptr(PosteProvider) provider = NULL;

  g_return_val_if_fail (POSTE_IS_CONFIG (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  if (!find_provider (self, name, &position))
    return NULL;
  provider = g_list_model_get_item (G_LIST_MODEL (self->providers), position);
  /* The store keeps its reference. */
  return provider;
}

/**
 * poste_config_add_provider:
 * @self: a #PosteConfig
 * @provider: a #PosteProvider with a name
 *
 * Adds @provider, or replaces the provider of the same name in place.
 */
void
poste_config_add_provider (PosteConfig   *self,
                           PosteProvider *provider)
{
  guint position;

  g_return_if_fail (POSTE_IS_CONFIG (self));
  g_return_if_fail (POSTE_IS_PROVIDER (provider));
  g_return_if_fail (poste_provider_get_name (provider) != NULL);

  if (find_provider (self, poste_provider_get_name (provider), &position))
    g_list_store_splice (self->providers, position, 1, (gpointer *) &provider, 1);
  else
    g_list_store_append (self->providers, provider);
}

/**
 * poste_config_remove_provider:
 * @self: a #PosteConfig
 * @name: a provider name
 *
 * Returns: %TRUE when a provider called @name was removed
 */
gboolean
poste_config_remove_provider (PosteConfig *self,
                              const char  *name)
{
  guint position;

  g_return_val_if_fail (POSTE_IS_CONFIG (self), FALSE);

  if (!find_provider (self, name, &position))
    return FALSE;
  g_list_store_remove (self->providers, position);
  return TRUE;
}

/**
 * poste_config_get_outbox_listen:
 * @self: a #PosteConfig
 *
 * Returns: (transfer none) (nullable): the outbox listener's address (`[outbox] listen=`), or
 *   %NULL when not set
 */
const char *
poste_config_get_outbox_listen (PosteConfig *self)
{
  g_return_val_if_fail (POSTE_IS_CONFIG (self), NULL);
  return self->outbox_listen;
}

/**
 * poste_config_get_outbox_port:
 * @self: a #PosteConfig
 *
 * Returns: the outbox listener's TCP port (`[outbox] port=`), or 0 when not set
 */
guint
poste_config_get_outbox_port (PosteConfig *self)
{
  g_return_val_if_fail (POSTE_IS_CONFIG (self), 0);
  return self->outbox_port;
}
