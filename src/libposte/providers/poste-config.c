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

/* What a load collects: the text's index and the errors found so far. */
typedef struct {
  const char *path;
  GHashTable *group_lines;  /* group name -> line */
  GHashTable *key_lines;    /* "group\nkey" -> line */
  GString    *messages;
  int         first_code;
} Scan;

static void
scan_clear (Scan *scan)
{
  g_clear_pointer (&scan->group_lines, g_hash_table_unref);
  g_clear_pointer (&scan->key_lines, g_hash_table_unref);
  if (scan->messages != NULL)
    g_string_free (scan->messages, TRUE);
  scan->messages = NULL;
}

G_GNUC_PRINTF (4, 5)
static void
scan_error (Scan       *scan,
            int         code,
            guint       line,
            const char *format,
            ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  if (scan->messages->len > 0)
    g_string_append_c (scan->messages, '\n');
  else
    scan->first_code = code;
  if (line > 0)
    g_string_append_printf (scan->messages, "%s:%u: %s", scan->path, line, message);
  else
    g_string_append_printf (scan->messages, "%s: %s", scan->path, message);
}

G_GNUC_PRINTF (5, 6)
static void
key_error (Scan       *scan,
           int         code,
           guint       line,
           const char *key,
           const char *format,
           ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  scan_error (scan, code, line, _("key '%s': %s"), key, message);
}

static guint
scan_key_line (Scan       *scan,
               const char *group,
               const char *key)
{
  g_autofree char *id = g_strconcat (group, "\n", key, NULL);

  return GPOINTER_TO_UINT (g_hash_table_lookup (scan->key_lines, id));
}

static guint
scan_group_line (Scan       *scan,
                 const char *group)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (scan->group_lines, group));
}

/* Indexes the groups and keys of @text by line and reports what GKeyFile would accept silently
 * or refuse without saying where: lines that are neither a group, a key nor a comment, keys
 * outside any group, duplicate groups and duplicate keys (GKeyFile keeps the last one), and text
 * that is not UTF-8. */
static void
scan_text (Scan       *scan,
           const char *text,
           gsize       length)
{
  g_autofree char *group = NULL;
  const char *p = text;
  const char *end = text + length;
  guint line = 0;

  while (p < end)
    {
      const char *eol = memchr (p, '\n', end - p);
      g_autofree char *raw = NULL;
      gsize line_length;
      char *s;

      if (eol == NULL)
        eol = end;
      line++;
      line_length = eol - p;
      raw = g_strndup (p, line_length);
      p = eol + 1;

      /* g_strndup() stops at a NUL byte: a shorter copy means the line held one. */
      if (strlen (raw) != line_length || !g_utf8_validate (raw, -1, NULL))
        {
          scan_error (scan, POSTE_CONFIG_ERROR_PARSE, line, _("not valid UTF-8 text"));
          continue;
        }

      s = g_strstrip (raw);
      if (*s == '\0' || *s == '#')
        continue;

      if (*s == '[')
        {
          gsize len = strlen (s);

          if (len < 3 || s[len - 1] != ']' || strpbrk (s + 1, "[") != NULL
              || memchr (s + 1, ']', len - 2) != NULL)
            {
              scan_error (scan, POSTE_CONFIG_ERROR_PARSE, line,
                          _("'%s' is not a valid group header"), s);
              g_clear_pointer (&group, g_free);
              continue;
            }
          g_free (group);
          group = g_strndup (s + 1, len - 2);
          if (_poste_config_has_control (group))
            {
              scan_error (scan, POSTE_CONFIG_ERROR_PARSE, line,
                          _("a group name holds a control character"));
              continue;
            }
          if (g_hash_table_contains (scan->group_lines, group))
            scan_error (scan, POSTE_CONFIG_ERROR_PARSE, line,
                        _("group '[%s]': duplicate group (first on line %u)"), group,
                        scan_group_line (scan, group));
          else
            g_hash_table_insert (scan->group_lines, g_strdup (group), GUINT_TO_POINTER (line));
          continue;
        }

      {
        char *eq = strchr (s, '=');
        g_autofree char *key = NULL;
        g_autofree char *id = NULL;

        if (eq == NULL || eq == s)
          {
            scan_error (scan, POSTE_CONFIG_ERROR_PARSE, line,
                        _("'%s' is not a key=value line, a [group] or a comment"), s);
            continue;
          }
        key = g_strstrip (g_strndup (s, eq - s));
        if (group == NULL)
          {
            key_error (scan, POSTE_CONFIG_ERROR_PARSE, line, key,
                       _("outside any group (a [provider NAME] line must come first)"));
            continue;
          }
        if (*key == '\0' || _poste_config_has_control (key))
          {
            scan_error (scan, POSTE_CONFIG_ERROR_PARSE, line, _("'%s' is not a valid key"), s);
            continue;
          }
        /* GKeyFile takes "key[locale]" as a translation and never lists it: catch it here. */
        if (strpbrk (key, "[]") != NULL)
          {
            key_error (scan, POSTE_CONFIG_ERROR_UNKNOWN_KEY, line, key, _("unknown key in [%s]"),
                       group);
            continue;
          }
        id = g_strconcat (group, "\n", key, NULL);
        if (g_hash_table_contains (scan->key_lines, id))
          key_error (scan, POSTE_CONFIG_ERROR_PARSE, line, key,
                     _("duplicate key (first on line %u)"),
                     GPOINTER_TO_UINT (g_hash_table_lookup (scan->key_lines, id)));
        else
          g_hash_table_insert (scan->key_lines, g_steal_pointer (&id), GUINT_TO_POINTER (line));
      }
    }
}

/* "value   # a comment" and "# a comment" (an empty value with a comment) as in DESIGN's
 * example: a '#' that starts the value or follows white space starts a comment. */
static char *
strip_inline_comment (const char *value)
{
  char *copy = g_strdup (value);

  for (char *p = copy; *p != '\0'; p++)
    if (*p == '#' && (p == copy || g_ascii_isspace (p[-1])))
      {
        *p = '\0';
        break;
      }
  return g_strstrip (copy);
}

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

/* The value of a key as the model sees it: unescaped, without an inline comment. */
static char *
get_value (GKeyFile    *keyfile,
           const char  *group,
           const char  *key,
           GError     **error)
{
  g_autofree char *raw = g_key_file_get_value (keyfile, group, key, error);
  g_autofree char *value = NULL;

  if (raw == NULL)
    return NULL;
  /* The escapes are checked here, not left to g_key_file_get_string(): for a bad escape it
   * returns the text with its error set (and sets a second error over the first when another
   * bad escape ends the line), so a caller could not tell a value from a failure. */
  for (const char *p = raw; *p != '\0'; p++)
    {
      if (*p != '\\')
        continue;
      p++;
      if (*p == '\0' || strchr ("stnr\\", *p) == NULL)
        {
          g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INVALID_VALUE,
                       _("a backslash must start one of the escapes \\s, \\t, \\n, \\r or \\\\"));
          return NULL;
        }
    }
  value = g_key_file_get_string (keyfile, group, key, error);
  if (value == NULL)
    return NULL;
  return strip_inline_comment (value);
}

static PosteProvider *
load_provider (Scan       *scan,
               GKeyFile   *keyfile,
               const char *group,
               const char *name)
{
  g_autoptr(PosteProvider) provider = poste_provider_new (name);
  g_auto(GStrv) keys = g_key_file_get_keys (keyfile, group, NULL, NULL);
  guint group_line = scan_group_line (scan, group);
  gboolean ok = TRUE;

  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    {
      const char *key = keys[i];
      guint line = scan_key_line (scan, group, key);
      g_autoptr(GError) local_error = NULL;
      g_autofree char *value = get_value (keyfile, group, key, &local_error);

      if (value == NULL)
        {
          key_error (scan, POSTE_CONFIG_ERROR_INVALID_VALUE, line, key, "%s",
                     local_error->message);
          ok = FALSE;
          continue;
        }

      if (g_str_has_prefix (key, ROUTE_PREFIX))
        {
          if (!_poste_config_apply_route (provider, key + strlen (ROUTE_PREFIX), value, &local_error))
            {
              key_error (scan, local_error->code, line, key, "%s", local_error->message);
              ok = FALSE;
            }
          continue;
        }

      if (_poste_config_lookup_provider_key (key) == NULL)
        {
          key_error (scan, POSTE_CONFIG_ERROR_UNKNOWN_KEY, line, key,
                     _("unknown key in [%s]"), group);
          ok = FALSE;
          continue;
        }

      if (!_poste_config_apply_provider_key (provider, key, value, &local_error))
        {
          key_error (scan, local_error->code, line, key, "%s", local_error->message);
          ok = FALSE;
        }
    }

  if (poste_provider_get_host (provider) == NULL && !g_key_file_has_key (keyfile, group, "host", NULL))
    {
      key_error (scan, POSTE_CONFIG_ERROR_MISSING_KEY, group_line, "host",
                 _("missing in [%s] (every provider needs the provider's host name)"), group);
      ok = FALSE;
    }
  if (poste_provider_get_delivery (provider) == NULL
      && !g_key_file_has_key (keyfile, group, "delivery", NULL))
    {
      key_error (scan, POSTE_CONFIG_ERROR_MISSING_KEY, group_line, "delivery",
                 _("missing in [%s] (where should the mail go? e.g. delivery=maildir:~/Maildir)"),
                 group);
      ok = FALSE;
    }
  if (ok && _poste_config_relaying_target_without_domains (provider) != NULL)
    {
      g_autoptr(GError) local_error = NULL;
      guint line = scan_key_line (scan, group, "domains");

      _poste_config_set_relay_error (&local_error, _poste_config_relaying_target_without_domains (provider));
      key_error (scan, local_error->code, line > 0 ? line : group_line, "domains", "%s",
                 local_error->message);
      ok = FALSE;
    }
  if (poste_provider_get_auth (provider) == POSTE_AUTH_EXTERNAL
      && poste_provider_get_client_certificate (provider) == NULL)
    {
      key_error (scan, POSTE_CONFIG_ERROR_MISSING_KEY, scan_key_line (scan, group, "auth"),
                 "client-certificate", _("missing: auth=external needs a client certificate"));
      ok = FALSE;
    }
  /* RFC 1985: ETRN names what to start; there is no "every domain" as with a bare ATRN. */
  if (poste_provider_get_mode (provider) == POSTE_MODE_ETRN
      && poste_provider_get_domains (provider)[0] == NULL)
    {
      key_error (scan, POSTE_CONFIG_ERROR_MISSING_KEY, scan_key_line (scan, group, "mode"),
                 "domains", _("missing: mode=etrn needs the domains to ask for"));
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

static void
set_path (PosteConfig *self,
          const char  *path)
{
  if (g_strcmp0 (self->path, path) == 0)
    return;
  g_free (self->path);
  self->path = g_strdup (path);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PATH]);
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
      scan_error (&scan, POSTE_CONFIG_ERROR_PARSE, 0, _("larger than %d bytes"),
                  POSTE_CONFIG_MAX_SIZE);
      goto out;
    }

  scan_text (&scan, data, length);
  if (scan.messages->len > 0)
    goto out;

  if (!g_key_file_load_from_data (keyfile, data, length, G_KEY_FILE_KEEP_COMMENTS, &local_error))
    {
      scan_error (&scan, POSTE_CONFIG_ERROR_PARSE, 0, "%s", local_error->message);
      goto out;
    }

  groups = g_key_file_get_groups (keyfile, NULL);
  for (guint i = 0; groups[i] != NULL; i++)
    {
      const char *group = groups[i];
      guint line = scan_group_line (&scan, group);

      if (g_str_has_prefix (group, "provider "))
        {
          const char *name = group + strlen ("provider ");
          PosteProvider *provider;

          if (!poste_config_check_name (name, &local_error))
            {
              scan_error (&scan, POSTE_CONFIG_ERROR_INVALID_VALUE, line, _("group '[%s]': %s"),
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
              guint kline = scan_key_line (&scan, group, keys[k]);
              g_autofree char *value = get_value (keyfile, group, keys[k], &local_error);

              if (value == NULL)
                {
                  key_error (&scan, POSTE_CONFIG_ERROR_INVALID_VALUE, kline, keys[k], "%s",
                             local_error->message);
                  g_clear_error (&local_error);
                }
              else if (!is_known (outbox_keys, G_N_ELEMENTS (outbox_keys), keys[k]))
                key_error (&scan, POSTE_CONFIG_ERROR_UNKNOWN_KEY, kline, keys[k],
                           _("unknown key in [outbox]"));
              else if (g_str_equal (keys[k], "port"))
                {
                  if (!_poste_config_parse_uint (value, 1, 65535, &outbox_port))
                    key_error (&scan, POSTE_CONFIG_ERROR_INVALID_VALUE, kline, keys[k],
                               _("'%s' is not a port number (1 to 65535)"), value);
                }
              else if (!g_hostname_is_ip_address (value))
                key_error (&scan, POSTE_CONFIG_ERROR_INVALID_VALUE, kline, keys[k],
                           _("'%s' is not an IP address (the listener binds loopback)"), value);
              else if (!_poste_config_is_loopback_address (value))
                key_error (&scan, POSTE_CONFIG_ERROR_INVALID_VALUE, kline, keys[k],
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
        scan_error (&scan, POSTE_CONFIG_ERROR_UNKNOWN_KEY, line,
                    _("group '[%s]': unknown group (expected [provider NAME] or [outbox])"),
                    group);
    }

out:
  ok = scan.messages->len == 0;
  if (!ok)
    g_set_error_literal (error, POSTE_CONFIG_ERROR, scan.first_code, scan.messages->str);
  scan_clear (&scan);
  if (!ok)
    return FALSE;

  g_clear_pointer (&self->keyfile, g_key_file_unref);
  self->keyfile = g_steal_pointer (&keyfile);
  g_free (self->outbox_listen);
  self->outbox_listen = g_steal_pointer (&outbox_listen);
  self->outbox_port = outbox_port;
  g_list_store_splice (self->providers, 0, g_list_model_get_n_items (G_LIST_MODEL (self->providers)),
                       providers->pdata, providers->len);
  set_path (self, path);
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

/* The model's value of a key as it was read from the keyfile, to compare with the model. */
static char *
normalized_file_value (GKeyFile   *keyfile,
                       const char *group,
                       const char *key)
{
  g_autofree char *value = get_value (keyfile, group, key, NULL);
  g_autoptr(PosteProvider) scratch = poste_provider_new ("scratch");

  if (value == NULL)
    return NULL;
  if (g_str_has_prefix (key, ROUTE_PREFIX))
    return poste_config_expand_target (value, NULL);
  if (_poste_config_lookup_provider_key (key) == NULL || !_poste_config_apply_provider_key (scratch, key, value, NULL))
    return NULL;
  return _poste_config_provider_key_text (scratch, _poste_config_lookup_provider_key (key), FALSE);
}

static void
update_key (GKeyFile   *keyfile,
            const char *group,
            const char *key,
            const char *text)
{
  g_autofree char *current = NULL;

  if (text == NULL)
    {
      g_key_file_remove_key (keyfile, group, key, NULL);
      return;
    }
  current = normalized_file_value (keyfile, group, key);
  /* Keep what the user wrote ("~/Maildir", an inline comment) when it means the same. */
  if (g_strcmp0 (current, text) == 0)
    return;
  g_key_file_set_string (keyfile, group, key, text);
}

static void
update_keyfile (PosteConfig *self)
{
  GListModel *model = G_LIST_MODEL (self->providers);
  g_auto(GStrv) groups = g_key_file_get_groups (self->keyfile, NULL);
  guint n = g_list_model_get_n_items (model);

  /* Providers that are gone. */
  for (guint i = 0; groups[i] != NULL; i++)
    if (g_str_has_prefix (groups[i], "provider ")
        && poste_config_lookup (self, groups[i] + strlen ("provider ")) == NULL)
      g_key_file_remove_group (self->keyfile, groups[i], NULL);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PosteProvider) provider = g_list_model_get_item (model, i);
      g_autofree char *group = g_strconcat ("provider ", poste_provider_get_name (provider), NULL);
      gboolean new_group = !g_key_file_has_group (self->keyfile, group);
      const char * const *routes = poste_provider_get_routes (provider);
      g_auto(GStrv) keys = NULL;

      for (guint k = 0; k < _poste_config_n_provider_keys; k++)
        {
          const ProviderKey *key = &_poste_config_provider_keys[k];
          g_autofree char *text = _poste_config_provider_key_text (provider, key, new_group);

          /* A default value the file does not name stays unnamed. */
          if (text != NULL && g_strcmp0 (text, key->default_text) == 0
              && !g_key_file_has_key (self->keyfile, group, key->name, NULL))
            continue;
          update_key (self->keyfile, group, key->name, text);
        }

      /* Routes: drop the ones that are gone, then set the others. */
      keys = g_key_file_get_keys (self->keyfile, group, NULL, NULL);
      for (guint k = 0; keys != NULL && keys[k] != NULL; k++)
        {
          gboolean found = FALSE;

          if (!g_str_has_prefix (keys[k], ROUTE_PREFIX))
            continue;
          for (guint r = 0; routes[r] != NULL && !found; r++)
            {
              const char *eq = strchr (routes[r], '=');

              found = eq != NULL
                && strlen (keys[k]) - strlen (ROUTE_PREFIX) == (gsize) (eq - routes[r])
                && strncmp (keys[k] + strlen (ROUTE_PREFIX), routes[r], eq - routes[r]) == 0;
            }
          if (!found)
            g_key_file_remove_key (self->keyfile, group, keys[k], NULL);
        }
      for (guint r = 0; routes[r] != NULL; r++)
        {
          const char *eq = strchr (routes[r], '=');
          g_autofree char *key = NULL;

          if (eq == NULL)
            continue;
          key = g_strdup_printf (ROUTE_PREFIX "%.*s", (int) (eq - routes[r]), routes[r]);
          update_key (self->keyfile, group, key, eq + 1);
        }
    }
}

/**
 * poste_config_to_data:
 * @self: a #PosteConfig
 * @length: (out) (optional): the text's length in bytes
 *
 * Renders the configuration as keyfile text, keeping the comments and the values as written of
 * the file it was loaded from. No line of the text ends in CR, so loading it and rendering again
 * gives the same text.
 *
 * Returns: (transfer full): the keyfile text
 */
char *
poste_config_to_data (PosteConfig *self,
                      gsize       *length)
{
  char *text;
  char *r;
  char *w;

  g_return_val_if_fail (POSTE_IS_CONFIG (self), NULL);

  update_keyfile (self);
  text = g_key_file_to_data (self->keyfile, NULL, NULL);

  /* GKeyFile keeps blank and comment lines as read, minus one CR before their LF: a line that
   * ended in two CRs would lose one at every load and save, and the saved text would never
   * settle. Values cannot end in CR (g_key_file_set_string() escapes it), so dropping every CR
   * at the end of a line changes no value and makes the text stable from this save on. */
  for (r = text, w = text; *r != '\0'; r++)
    {
      if (*r == '\r' && r[strspn (r, "\r")] == '\n')
        {
          r += strspn (r, "\r") - 1;
          continue;
        }
      *w++ = *r;
    }
  *w = '\0';
  if (length != NULL)
    *length = w - text;
  return text;
}

/**
 * poste_config_save:
 * @self: a #PosteConfig
 * @path: (nullable): where to save, or %NULL for the file it was loaded from (or the default)
 * @error: a #GError, or %NULL
 *
 * Saves atomically and durably: the text goes to a temporary file that is fsynced and renamed
 * over @path (g_file_set_contents_full() with %G_FILE_SET_CONTENTS_CONSISTENT and
 * %G_FILE_SET_CONTENTS_DURABLE), mode 0600, then the directory is fsynced so that the new name
 * survives a crash. The directory is made (0700) when missing. Every provider is validated
 * first; nothing is written when one is invalid. On a failure before the rename the old file is
 * left as it was.
 *
 * Returns: %TRUE on success; otherwise %FALSE with a %POSTE_CONFIG_ERROR, a %G_FILE_ERROR, or a
 *   %G_IO_ERROR when the directory could not be synced
 */
gboolean
poste_config_save (PosteConfig  *self,
                   const char   *path,
                   GError      **error)
{
  g_autofree char *default_path = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *data = NULL;
  GListModel *model;
  gsize length = 0;
  guint n;

  g_return_val_if_fail (POSTE_IS_CONFIG (self), FALSE);

  if (path == NULL)
    path = self->path;
  if (path == NULL)
    path = default_path = poste_config_dup_default_path ();

  model = G_LIST_MODEL (self->providers);
  n = g_list_model_get_n_items (model);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PosteProvider) provider = g_list_model_get_item (model, i);
      g_autoptr(GError) local_error = NULL;

      if (!poste_config_validate_provider (provider, &local_error))
        {
          g_set_error (error, POSTE_CONFIG_ERROR, local_error->code, "%s: [provider %s]: %s",
                       path, poste_provider_get_name (provider), local_error->message);
          return FALSE;
        }
    }

  dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno), "%s: %s", dir,
                   g_strerror (saved_errno));
      return FALSE;
    }

  data = poste_config_to_data (self, &length);
  if (!g_file_set_contents_full (path, data, length,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 0600, error))
    return FALSE;
  /* GLib fsyncs the folder after the rename too, but ignores its failure: the new name might
   * not survive a crash, and the user must hear of it. */
  if (!_poste_fsync_directory (dir, error))
    return FALSE;

  set_path (self, path);
  return TRUE;
}
