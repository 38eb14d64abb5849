/* poste-release-notes.c: a release's notes from the AppStream metainfo, for the About window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The release notes live once, in the metainfo's <releases>. The application carries the
 * metainfo's template in its GResource and turns the <description> of the running version into
 * the markup AdwAboutWindow:release-notes takes (the same AppStream subset: p, ul, ol, li).
 * Each paragraph and list item is looked up in the translations as it is, whitespace collapsed:
 * that is the message gettext extracted from the metainfo, so the About window speaks the
 * user's language wherever po/ does.
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "poste-release-notes.h"

typedef struct {
  const char *version;
  GString    *out;
  gboolean    in_releases;
  gboolean    in_release;     /* the wanted release */
  gboolean    in_description;
  gboolean    found;
  GString    *text;           /* the paragraph or list item being read, or NULL */
  guint       skip_depth;     /* inside a translated copy (xml:lang), skipped */
} Reader;

static const char *
attribute (const char  **names,
           const char  **values,
           const char   *wanted)
{
  for (guint i = 0; names[i] != NULL; i++)
    if (g_str_equal (names[i], wanted))
      return values[i];
  return NULL;
}

/* Collapses every run of white space to one space and trims both ends, as xgettext does. */
static char *
collapse (const char *text)
{
  GString *out = g_string_new (NULL);
  gboolean space = FALSE;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (g_ascii_isspace (*p))
        {
          space = out->len > 0;
          continue;
        }
      if (space)
        g_string_append_c (out, ' ');
      space = FALSE;
      g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

static void
start_element (GMarkupParseContext  *context,
               const char           *name,
               const char          **names,
               const char          **values,
               gpointer              user_data,
               GError              **error)
{
  Reader *reader = user_data;

  if (reader->skip_depth > 0 || attribute (names, values, "xml:lang") != NULL)
    {
      reader->skip_depth++;
      return;
    }
  if (g_str_equal (name, "releases"))
    reader->in_releases = TRUE;
  else if (reader->in_releases && g_str_equal (name, "release"))
    reader->in_release = !reader->found &&
                         g_strcmp0 (attribute (names, values, "version"), reader->version) == 0;
  else if (reader->in_release && g_str_equal (name, "description"))
    reader->in_description = TRUE;
  else if (reader->in_description && reader->text == NULL &&
           (g_str_equal (name, "p") || g_str_equal (name, "li")))
    reader->text = g_string_new (NULL);
  else if (reader->in_description && reader->text == NULL &&
           (g_str_equal (name, "ul") || g_str_equal (name, "ol")))
    g_string_append_printf (reader->out, "<%s>", name);
  /* Inline markup (em, code) inside a paragraph is read as its text. */
}

static void
end_element (GMarkupParseContext  *context,
             const char           *name,
             gpointer              user_data,
             GError              **error)
{
  Reader *reader = user_data;

  if (reader->skip_depth > 0)
    {
      reader->skip_depth--;
      return;
    }
  if (g_str_equal (name, "releases"))
    reader->in_releases = FALSE;
  else if (reader->in_release && g_str_equal (name, "release"))
    {
      reader->in_release = FALSE;
      reader->found = TRUE;
    }
  else if (reader->in_description && g_str_equal (name, "description"))
    reader->in_description = FALSE;
  else if (reader->text != NULL && (g_str_equal (name, "p") || g_str_equal (name, "li")))
    {
      g_autofree char *source = collapse (reader->text->str);
      g_autofree char *escaped = g_markup_escape_text (g_dgettext (GETTEXT_PACKAGE, source), -1);

      g_string_append_printf (reader->out, "<%s>%s</%s>", name, escaped, name);
      g_string_free (reader->text, TRUE);
      reader->text = NULL;
    }
  else if (reader->in_description && reader->text == NULL &&
           (g_str_equal (name, "ul") || g_str_equal (name, "ol")))
    g_string_append_printf (reader->out, "</%s>", name);
}

static void
text (GMarkupParseContext  *context,
      const char           *text,
      gsize                 length,
      gpointer              user_data,
      GError              **error)
{
  Reader *reader = user_data;

  if (reader->skip_depth == 0 && reader->text != NULL)
    g_string_append_len (reader->text, text, length);
}

/**
 * poste_release_notes_for_version:
 * @metainfo: an AppStream metainfo file's contents
 * @version: the release whose notes are wanted
 * @error: return location for a #GError
 *
 * Reads the <description> of the <release> for @version, translated.
 *
 * Returns: (transfer full) (nullable): the notes as AppStream description markup (p, ul, ol,
 *   li), or %NULL when the metainfo has no notes for @version (without an error) or cannot be
 *   parsed (with a #GMarkupError)
 */
char *
poste_release_notes_for_version (GBytes      *metainfo,
                                 const char  *version,
                                 GError     **error)
{
  static const GMarkupParser parser = { start_element, end_element, text, NULL, NULL };
  g_autoptr(GMarkupParseContext) context = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  Reader reader = { 0 };
  gsize length = 0;
  const char *data;
  gboolean ok;

  g_return_val_if_fail (metainfo != NULL, NULL);
  g_return_val_if_fail (version != NULL, NULL);

  data = g_bytes_get_data (metainfo, &length);
  reader.version = version;
  reader.out = out;
  context = g_markup_parse_context_new (&parser, G_MARKUP_PREFIX_ERROR_POSITION, &reader, NULL);
  ok = g_markup_parse_context_parse (context, data, length, error) &&
       g_markup_parse_context_end_parse (context, error);
  if (reader.text != NULL)
    g_string_free (reader.text, TRUE);
  if (!ok || out->len == 0)
    return NULL;
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/**
 * poste_release_notes_dup_current:
 *
 * The notes of the running version, from the metainfo in the application's resources.
 *
 * Returns: (transfer full) (nullable): the notes, or %NULL when there are none
 */
char *
poste_release_notes_dup_current (void)
{
  g_autoptr(GBytes) metainfo = NULL;
  g_autoptr(GError) error = NULL;
  char *notes;

  metainfo = g_resources_lookup_data (POSTE_RELEASE_NOTES_RESOURCE, G_RESOURCE_LOOKUP_FLAGS_NONE,
                                      &error);
  if (metainfo == NULL)
    {
      g_warning ("The release notes are not in the resources: %s", error->message);
      return NULL;
    }
  notes = poste_release_notes_for_version (metainfo, PACKAGE_VERSION, &error);
  if (error != NULL)
    g_warning ("The metainfo cannot be read for the release notes: %s", error->message);
  return notes;
}
