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

#include "poste-atrn.h"
#include "poste-active-window.h"
#include "poste-config.h"
#include "poste-enums.h"
#include "poste-fingerprint.h"
#include "poste-target.h"
#include "poste-delivery-private.h"
#include "poste-error.h"
#include "poste-router.h"

/* The longest provider name: it names a keyfile group, a keyring item and a history record. */
#define MAX_NAME_LENGTH 64
/* RFC 1035 section 2.3.4. */
#define MAX_DOMAIN_LENGTH 253
#define MAX_LABEL_LENGTH 63
/* The longest interval: one week, in minutes (PosteProvider's own bound). */
#define MAX_INTERVAL (7 * 24 * 60)
/* A SASL authentication identity longer than this is a mistake (RFC 4616 allows 255 octets). */
#define MAX_USERNAME_LENGTH 255

#define ROUTE_PREFIX "route."

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

/* The keys of a provider group, in the order a new group is written. */
static const char * const provider_keys[] = {
  "label", "host", "port", "security", "username", "domains", "mode", "auth", "delivery", "interval",
  "ca-file", "pinned-sha256", "client-certificate", "password-file", "submission",
  "send-with-fetch", "active-hours", "active-days",
};

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

static gboolean
has_control (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      return TRUE;
  return FALSE;
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
          if (has_control (group))
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
        if (*key == '\0' || has_control (key))
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
parse_uint (const char *text,
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
static gboolean
check_atrn_domain (const char  *domain,
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
static gboolean
is_loopback_address (const char *text)
{
  g_autoptr(GInetAddress) address = g_inet_address_new_from_string (text);

  return address != NULL && g_inet_address_get_is_loopback (address);
}

static gboolean
check_host (const char  *host,
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
      if (!check_host (host, error))
        return FALSE;
    }

  if (port == NULL && port_required)
    {
      g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INVALID_VALUE,
                   _("'%s' has no port (HOST:PORT)"), text);
      return FALSE;
    }
  if (port != NULL && !parse_uint (port, 1, 65535, &value))
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

static gboolean
check_route_recipient (const char  *recipient,
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

/* Parses one key of a provider group into @provider. Returns FALSE with @error (no file or line:
 * the caller adds them). */
static gboolean
apply_provider_key (PosteProvider  *provider,
                    const char     *key,
                    const char     *value,
                    GError        **error)
{
  guint number;

  if (g_str_equal (key, "host"))
    {
      if (*value == '\0')
        goto empty;
      if (!check_host (value, error))
        return FALSE;
      poste_provider_set_host (provider, value);
    }
  else if (g_str_equal (key, "port"))
    {
      if (!parse_uint (value, 1, 65535, &number))
        {
          g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INVALID_VALUE,
                       _("'%s' is not a port number (1 to 65535)"), value);
          return FALSE;
        }
      poste_provider_set_port (provider, number);
    }
  else if (g_str_equal (key, "security"))
    {
      PosteSecurity security;

      if (!poste_security_from_string (value, &security))
        {
          g_autofree char *names = poste_enum_list_nicks (POSTE_TYPE_SECURITY);

          g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INVALID_VALUE,
                       _("'%s' is not one of %s"), value, names);
          return FALSE;
        }
      poste_provider_set_security (provider, security);
    }
  else if (g_str_equal (key, "username"))
    {
      if (*value == '\0')
        goto empty;
      if (strlen (value) > MAX_USERNAME_LENGTH || has_control (value))
        {
          g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INVALID_VALUE,
                       _("a user name has 1 to %d octets and no control characters"),
                       MAX_USERNAME_LENGTH);
          return FALSE;
        }
      poste_provider_set_username (provider, value);
    }
  else if (g_str_equal (key, "domains"))
    {
      g_auto(GStrv) parts = g_strsplit (value, ";", -1);
      g_autoptr(GPtrArray) domains = g_ptr_array_new_with_free_func (g_free);

      for (guint i = 0; parts[i] != NULL; i++)
        {
          char *domain = g_strstrip (parts[i]);

          if (*domain == '\0')
            continue;
          if (!check_atrn_domain (domain, error))
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
    }
  else if (g_str_equal (key, "mode"))
    {
      PosteMode mode;

      if (!poste_mode_from_string (value, &mode))
        {
          g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INVALID_VALUE,
                       _("'%s' is not one of atrn, etrn"), value);
          return FALSE;
        }
      poste_provider_set_mode (provider, mode);
    }
  else if (g_str_equal (key, "auth"))
    {
      PosteAuth auth;

      if (!poste_auth_from_string (value, &auth))
        {
          g_autofree char *names = poste_enum_list_nicks (POSTE_TYPE_AUTH);

          g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INVALID_VALUE,
                       _("'%s' is not one of %s"), value, names);
          return FALSE;
        }
      poste_provider_set_auth (provider, auth);
    }
  else if (g_str_equal (key, "delivery"))
    {
      g_autofree char *expanded = NULL;

      if (*value == '\0')
        goto empty;
      if (!poste_config_check_target (value, error))
        return FALSE;
      expanded = poste_config_expand_target (value, error);
      poste_provider_set_delivery (provider, expanded);
    }
  else if (g_str_equal (key, "interval"))
    {
      if (!parse_uint (value, 0, MAX_INTERVAL, &number))
        {
          g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INVALID_VALUE,
                       _("'%s' is not a number of minutes (0 to %d, 0 for on demand only)"),
                       value, MAX_INTERVAL);
          return FALSE;
        }
      poste_provider_set_interval (provider, number);
    }
  else if (g_str_equal (key, "ca-file") || g_str_equal (key, "client-certificate")
           || g_str_equal (key, "password-file"))
    {
      g_autofree char *path = NULL;

      /* Empty means "not set", as in DESIGN's example. */
      if (*value != '\0')
        {
          path = poste_config_expand_path (value, error);
          if (path == NULL)
            return FALSE;
        }
      g_object_set (provider, key, path, NULL);
    }
  else if (g_str_equal (key, "pinned-sha256"))
    {
      g_autofree char *hex = NULL;

      if (*value != '\0')
        {
          hex = poste_fingerprint_normalize (value);
          if (hex == NULL)
            {
              g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INVALID_VALUE,
                           _("'%s' is not a SHA-256 fingerprint (64 hex digits, colons allowed)"),
                           value);
              return FALSE;
            }
        }
      poste_provider_set_pinned_sha256 (provider, hex);
    }
  else if (g_str_equal (key, "label"))
    {
      /* The name shown: any text on one line (a keyfile value cannot hold more). */
      if (!g_utf8_validate (value, -1, NULL) || strpbrk (value, "\r\n") != NULL)
        {
          g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INVALID_VALUE,
                       _("'%s' is not a name on one line"), value);
          return FALSE;
        }
      poste_provider_set_label (provider, value);
    }
  else if (g_str_equal (key, "submission"))
    {
      if (*value != '\0' && !poste_config_check_host_port (value, FALSE, error))
        return FALSE;
      poste_provider_set_submission (provider, value);
    }
  else if (g_str_equal (key, "active-hours") || g_str_equal (key, "active-days"))
    {
      PosteActiveWindow window;
      gboolean hours = g_str_equal (key, "active-hours");

      /* The scheduler's own reader: what passes here is what it will read. */
      if (!poste_active_window_parse (hours ? value : NULL, hours ? NULL : value, &window, error))
        return FALSE;
      if (hours)
        poste_provider_set_active_hours (provider, value);
      else
        poste_provider_set_active_days (provider, value);
    }
  else if (g_str_equal (key, "send-with-fetch"))
    {
      if (g_str_equal (value, "true"))
        poste_provider_set_send_with_fetch (provider, TRUE);
      else if (g_str_equal (value, "false"))
        poste_provider_set_send_with_fetch (provider, FALSE);
      else
        {
          g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INVALID_VALUE,
                       _("'%s' is not true or false"), value);
          return FALSE;
        }
    }
  else
    {
      g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_UNKNOWN_KEY,
                   _("unknown key"));
      return FALSE;
    }
  return TRUE;

empty:
  g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INVALID_VALUE, _("empty value"));
  return FALSE;
}

static gboolean
apply_route (PosteProvider  *provider,
             const char     *recipient,
             const char     *target,
             GError        **error)
{
  g_autofree char *expanded = NULL;
  g_autofree char *route = NULL;
  g_autoptr(GPtrArray) routes = g_ptr_array_new_with_free_func (g_free);
  const char * const *old = poste_provider_get_routes (provider);

  if (!check_route_recipient (recipient, error))
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

static void
set_relay_error (GError     **error,
                 const char  *target)
{
  g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_MISSING_KEY,
               _("empty, but the target %s relays (SMTP or LMTP): without domains it could pass "
                 "mail for any domain on; list the domains this provider holds mail for"),
               target);
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
          if (!apply_route (provider, key + strlen (ROUTE_PREFIX), value, &local_error))
            {
              key_error (scan, local_error->code, line, key, "%s", local_error->message);
              ok = FALSE;
            }
          continue;
        }

      if (!is_known (provider_keys, G_N_ELEMENTS (provider_keys), key))
        {
          key_error (scan, POSTE_CONFIG_ERROR_UNKNOWN_KEY, line, key,
                     _("unknown key in [%s]"), group);
          ok = FALSE;
          continue;
        }

      if (!apply_provider_key (provider, key, value, &local_error))
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
  if (ok && relaying_target_without_domains (provider) != NULL)
    {
      g_autoptr(GError) local_error = NULL;
      guint line = scan_key_line (scan, group, "domains");

      set_relay_error (&local_error, relaying_target_without_domains (provider));
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
                  if (!parse_uint (value, 1, 65535, &outbox_port))
                    key_error (&scan, POSTE_CONFIG_ERROR_INVALID_VALUE, kline, keys[k],
                               _("'%s' is not a port number (1 to 65535)"), value);
                }
              else if (!g_hostname_is_ip_address (value))
                key_error (&scan, POSTE_CONFIG_ERROR_INVALID_VALUE, kline, keys[k],
                           _("'%s' is not an IP address (the listener binds loopback)"), value);
              else if (!is_loopback_address (value))
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
  value = poste_provider_get_host (provider);
  key = "host";
  if (value == NULL)
    {
      g_set_error (&local_error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_MISSING_KEY,
                   _("missing"));
      goto fail;
    }
  if (!check_host (value, &local_error))
    goto fail;
  key = "delivery";
  value = poste_provider_get_delivery (provider);
  if (value == NULL)
    {
      g_set_error (&local_error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_MISSING_KEY,
                   _("missing"));
      goto fail;
    }
  if (!poste_config_check_target (value, &local_error))
    goto fail;
  key = "domains";
  domains = poste_provider_get_domains (provider);
  for (guint i = 0; domains[i] != NULL; i++)
    if (!check_atrn_domain (domains[i], &local_error))
      goto fail;
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
      if (!check_route_recipient (recipient, &local_error)
          || !poste_config_check_target (eq + 1, &local_error))
        goto fail;
    }
  key = "domains";
  value = relaying_target_without_domains (provider);
  if (value != NULL)
    {
      set_relay_error (&local_error, value);
      goto fail;
    }
  key = "pinned-sha256";
  value = poste_provider_get_pinned_sha256 (provider);
  if (value != NULL)
    {
      g_autofree char *hex = poste_fingerprint_normalize (value);

      if (hex == NULL)
        {
          g_set_error (&local_error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INVALID_VALUE,
                       _("'%s' is not a SHA-256 fingerprint (64 hex digits, colons allowed)"),
                       value);
          goto fail;
        }
    }
  key = "submission";
  value = poste_provider_get_submission (provider);
  if (value != NULL && !poste_config_check_host_port (value, FALSE, &local_error))
    goto fail;
  return TRUE;

fail:
  g_set_error (error, POSTE_CONFIG_ERROR, local_error->code, _("key '%s': %s"), key,
               local_error->message);
  return FALSE;
}

/* The keyfile text of a provider's key, or NULL when the key is left out. */
static char *
provider_key_text (PosteProvider *provider,
                   const char    *key,
                   gboolean       new_group)
{
  if (g_str_equal (key, "port"))
    return g_strdup_printf ("%u", poste_provider_get_port (provider));
  if (g_str_equal (key, "security"))
    return g_strdup (poste_security_to_string (poste_provider_get_security (provider)));
  if (g_str_equal (key, "auth"))
    return g_strdup (poste_auth_to_string (poste_provider_get_auth (provider)));
  if (g_str_equal (key, "mode"))
    {
      /* The default is left out: files stay as short as before ETRN existed. */
      if (new_group && poste_provider_get_mode (provider) == POSTE_MODE_ATRN)
        return NULL;
      return g_strdup (poste_mode_to_string (poste_provider_get_mode (provider)));
    }
  if (g_str_equal (key, "interval"))
    return g_strdup_printf ("%u", poste_provider_get_interval (provider));
  if (g_str_equal (key, "domains"))
    {
      const char * const *domains = poste_provider_get_domains (provider);

      if (domains[0] == NULL)
        return NULL;
      return g_strjoinv (";", (char **) domains);
    }
  if (g_str_equal (key, "send-with-fetch"))
    {
      if (new_group && poste_provider_get_send_with_fetch (provider))
        return NULL;
      return g_strdup (poste_provider_get_send_with_fetch (provider) ? "true" : "false");
    }
  {
    g_autofree char *text = NULL;

    g_object_get (provider, key, &text, NULL);
    return g_steal_pointer (&text);
  }
}

static gboolean
is_default (const char *key,
            const char *text)
{
  return (g_str_equal (key, "send-with-fetch") && g_str_equal (text, "true")) ||
         (g_str_equal (key, "mode") && g_str_equal (text, "atrn")) ||
         (g_str_equal (key, "auth") && g_str_equal (text, "auto"));
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
  if (!apply_provider_key (scratch, key, value, NULL))
    return NULL;
  return provider_key_text (scratch, key, FALSE);
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

      for (guint k = 0; k < G_N_ELEMENTS (provider_keys); k++)
        {
          const char *key = provider_keys[k];
          g_autofree char *text = provider_key_text (provider, key, new_group);

          if (text != NULL && is_default (key, text)
              && !g_key_file_has_key (self->keyfile, group, key, NULL))
            continue;
          update_key (self->keyfile, group, key, text);
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
