/* poste-config-scan.c: the configuration text indexed by line, and errors that name file, line and key
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GKeyFile parses the file but knows nothing of line numbers, so the text is scanned here first:
 * every group and key is indexed by its line, malformed lines and duplicates are caught, and
 * every error is worded "FILE:LINE: key 'KEY': message", one per line of the message.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "poste-config-private.h"
#include "poste-error.h"

void
_poste_config_scan_clear (Scan *scan)
{
  g_clear_pointer (&scan->group_lines, g_hash_table_unref);
  g_clear_pointer (&scan->key_lines, g_hash_table_unref);
  if (scan->messages != NULL)
    g_string_free (scan->messages, TRUE);
  scan->messages = NULL;
}

void
_poste_config_scan_error (Scan       *scan,
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

void
_poste_config_key_error (Scan       *scan,
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

  _poste_config_scan_error (scan, code, line, _("key '%s': %s"), key, message);
}

guint
_poste_config_scan_key_line (Scan       *scan,
                             const char *group,
                             const char *key)
{
  g_autofree char *id = g_strconcat (group, "\n", key, NULL);

  return GPOINTER_TO_UINT (g_hash_table_lookup (scan->key_lines, id));
}

guint
_poste_config_scan_group_line (Scan       *scan,
                               const char *group)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (scan->group_lines, group));
}

/* Indexes the groups and keys of @text by line and reports what GKeyFile would accept silently
 * or refuse without saying where: lines that are neither a group, a key nor a comment, keys
 * outside any group, duplicate groups and duplicate keys (GKeyFile keeps the last one), and text
 * that is not UTF-8. */
void
_poste_config_scan_text (Scan       *scan,
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
          _poste_config_scan_error (scan, POSTE_CONFIG_ERROR_PARSE, line, _("not valid UTF-8 text"));
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
              _poste_config_scan_error (scan, POSTE_CONFIG_ERROR_PARSE, line,
                                        _("'%s' is not a valid group header"), s);
              g_clear_pointer (&group, g_free);
              continue;
            }
          g_free (group);
          group = g_strndup (s + 1, len - 2);
          if (_poste_config_has_control (group))
            {
              _poste_config_scan_error (scan, POSTE_CONFIG_ERROR_PARSE, line,
                                        _("a group name holds a control character"));
              continue;
            }
          if (g_hash_table_contains (scan->group_lines, group))
            _poste_config_scan_error (scan, POSTE_CONFIG_ERROR_PARSE, line,
                                      _("group '[%s]': duplicate group (first on line %u)"), group,
                                      _poste_config_scan_group_line (scan, group));
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
            _poste_config_scan_error (scan, POSTE_CONFIG_ERROR_PARSE, line,
                                      _("'%s' is not a key=value line, a [group] or a comment"), s);
            continue;
          }
        key = g_strstrip (g_strndup (s, eq - s));
        if (group == NULL)
          {
            _poste_config_key_error (scan, POSTE_CONFIG_ERROR_PARSE, line, key,
                                     _("outside any group (a [provider NAME] line must come first)"));
            continue;
          }
        if (*key == '\0' || _poste_config_has_control (key))
          {
            _poste_config_scan_error (scan, POSTE_CONFIG_ERROR_PARSE, line, _("'%s' is not a valid key"), s);
            continue;
          }
        /* GKeyFile takes "key[locale]" as a translation and never lists it: catch it here. */
        if (strpbrk (key, "[]") != NULL)
          {
            _poste_config_key_error (scan, POSTE_CONFIG_ERROR_UNKNOWN_KEY, line, key, _("unknown key in [%s]"),
                                     group);
            continue;
          }
        id = g_strconcat (group, "\n", key, NULL);
        if (g_hash_table_contains (scan->key_lines, id))
          _poste_config_key_error (scan, POSTE_CONFIG_ERROR_PARSE, line, key,
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

/* The value of a key as the model sees it: unescaped, without an inline comment. */
char *
_poste_config_get_value (GKeyFile    *keyfile,
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
