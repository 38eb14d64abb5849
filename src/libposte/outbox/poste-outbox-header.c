/* poste-outbox-header.c: reading a queued message's header: where it ends, its addresses
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The outbox reads only the header of the mail it queues (RFC 5322 section 2.2): to find its
 * end, to list the addresses of the fields a caller names (To:, Cc:, Bcc:), and to drop a
 * field.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "poste-outbox.h"
#include "poste-outbox-private.h"

/* Whether @data holds the end of a header (its empty line), looked for from about @from (what an
 * earlier call already saw); @end gets the offset just past the empty line, or @length. */
gboolean
_poste_outbox_find_header_end (const char *data,
                               gsize       length,
                               gsize       from,
                               gsize      *end)
{
  gsize found = 0;

  if (length > 0 && data[0] == '\n')
    found = 1;
  else if (length > 1 && data[0] == '\r' && data[1] == '\n')
    found = 2;
  /* An empty line is LF LF or LF CR LF: start two bytes back, in case it straddles @from. */
  for (gsize i = from > 2 ? from - 2 : 0; found == 0 && i + 1 < length; i++)
    if (data[i] == '\n')
      {
        if (data[i + 1] == '\n')
          found = i + 2;
        else if (data[i + 1] == '\r' && i + 2 < length && data[i + 2] == '\n')
          found = i + 3;
      }
  if (end != NULL)
    *end = found != 0 ? found : length;
  return found != 0;
}

/* Where the header ends in @data: the offset just past the empty line, or @length. */
gsize
_poste_outbox_header_end (const char *data,
                          gsize       length)
{
  gsize end;

  _poste_outbox_find_header_end (data, length, 0, &end);
  return end;
}

/**
 * poste_outbox_read_head:
 * @stream: the message
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Reads from @stream until its header has ended (the first empty line) or the stream has,
 * reading at most %POSTE_OUTBOX_MAX_HEADER_SIZE bytes. What was read may include the start of
 * the body: queue it before the rest of @stream.
 *
 * Returns: (transfer full): the bytes read, or %NULL with %POSTE_OUTBOX_ERROR_TOO_BIG when the
 *   header is longer than the limit, or a read error
 */
GBytes *
poste_outbox_read_head (GInputStream  *stream,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_autoptr(GByteArray) head = g_byte_array_new ();
  guint8 buffer[8192];

  g_return_val_if_fail (G_IS_INPUT_STREAM (stream), NULL);

  for (;;)
    {
      gssize n;

      if (head->len > 0 &&
          _poste_outbox_header_end ((const char *) head->data, head->len) < head->len)
        break;
      if (head->len >= POSTE_OUTBOX_MAX_HEADER_SIZE)
        {
          g_set_error (error, POSTE_OUTBOX_ERROR, POSTE_OUTBOX_ERROR_TOO_BIG,
                       _("The message's header is longer than %u KiB"),
                       POSTE_OUTBOX_MAX_HEADER_SIZE / 1024);
          return NULL;
        }
      n = g_input_stream_read (stream, buffer,
                               MIN (sizeof buffer, POSTE_OUTBOX_MAX_HEADER_SIZE - head->len),
                               cancellable, error);
      if (n < 0)
        return NULL;
      if (n == 0)
        break;
      g_byte_array_append (head, buffer, (guint) n);
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&head));
}

/* Calls @func for each header field of @data[0..end): name, unfolded value. */
typedef void (*FieldFunc) (const char *name,
                           gsize       name_length,
                           const char *start,
                           gsize       length,
                           gpointer    user_data);

static void
foreach_field (const char *data,
               gsize       end,
               FieldFunc   func,
               gpointer    user_data)
{
  gsize i = 0;

  while (i < end)
    {
      gsize line_start = i;
      gsize field_end;
      const char *colon;

      /* A field runs to the next line that does not start with white space. */
      field_end = i;
      for (;;)
        {
          const char *lf = memchr (data + field_end, '\n', end - field_end);

          field_end = lf != NULL ? (gsize) (lf - data) + 1 : end;
          if (field_end >= end || (data[field_end] != ' ' && data[field_end] != '\t'))
            break;
        }
      i = field_end;
      colon = memchr (data + line_start, ':', field_end - line_start);
      if (colon == NULL)
        continue;
      func (data + line_start, (gsize) (colon - (data + line_start)), colon + 1,
            field_end - (gsize) (colon + 1 - data), user_data);
    }
}

typedef struct {
  const char * const *fields;
  GPtrArray          *addresses;
} AddressScan;

static void
add_address (GPtrArray  *addresses,
             GString    *text)
{
  g_autofree char *address = NULL;
  char *colon;

  address = g_strstrip (g_strdup (text->str));
  g_string_truncate (text, 0);
  /* An obsolete source route: "@a,@b:local@domain" (RFC 5322 section 4.4). */
  if (address[0] == '@' && (colon = strchr (address, ':')) != NULL)
    memmove (address, colon + 1, strlen (colon + 1) + 1);
  if (*address == '\0' || strchr (address, '@') == NULL)
    return;
  for (guint i = 0; i < addresses->len; i++)
    if (g_ascii_strcasecmp (g_ptr_array_index (addresses, i), address) == 0)
      return;
  g_ptr_array_add (addresses, g_steal_pointer (&address));
}

/* An address list (RFC 5322 section 3.4), forgivingly: display names, comments, quoted
 * strings, angle addresses and groups. */
static void
parse_address_list (const char *text,
                    gsize       length,
                    GPtrArray  *addresses)
{
  g_autoptr(GString) plain = g_string_new (NULL);   /* the element outside <> and () */
  g_autoptr(GString) angle = g_string_new (NULL);   /* what was inside <> */
  gboolean in_quote = FALSE, in_angle = FALSE, had_angle = FALSE;
  guint comment = 0;

  for (gsize i = 0; i <= length; i++)
    {
      char c = i < length ? text[i] : ',';

      if (c == '\r' || c == '\n')
        continue;
      if (in_quote)
        {
          if (c == '\\' && i + 1 < length)
            {
              g_string_append_c (in_angle ? angle : plain, c);
              c = text[++i];
            }
          else if (c == '"')
            in_quote = FALSE;
          g_string_append_c (in_angle ? angle : plain, c);
          continue;
        }
      if (comment > 0)
        {
          if (c == '\\' && i + 1 < length)
            i++;
          else if (c == '(')
            comment++;
          else if (c == ')')
            comment--;
          continue;
        }
      switch (c)
        {
        case '"':
          in_quote = TRUE;
          g_string_append_c (in_angle ? angle : plain, c);
          break;
        case '(':
          comment = 1;
          break;
        case '<':
          in_angle = TRUE;
          had_angle = TRUE;
          g_string_truncate (angle, 0);
          break;
        case '>':
          in_angle = FALSE;
          break;
        case ':':
          if (in_angle)
            g_string_append_c (angle, c);
          else
            g_string_truncate (plain, 0);  /* a group's name */
          break;
        case ',':
        case ';':
          if (in_angle && c == ',')
            {
              g_string_append_c (angle, c);
              break;
            }
          add_address (addresses, had_angle ? angle : plain);
          g_string_truncate (plain, 0);
          g_string_truncate (angle, 0);
          had_angle = FALSE;
          in_angle = FALSE;
          break;
        default:
          g_string_append_c (in_angle ? angle : plain, c);
          break;
        }
    }
}

static void
address_field_cb (const char *name,
                  gsize       name_length,
                  const char *start,
                  gsize       length,
                  gpointer    user_data)
{
  AddressScan *scan = user_data;

  for (guint i = 0; scan->fields[i] != NULL; i++)
    if (strlen (scan->fields[i]) == name_length &&
        g_ascii_strncasecmp (name, scan->fields[i], name_length) == 0)
      {
        parse_address_list (start, length, scan->addresses);
        return;
      }
}

/**
 * poste_outbox_header_addresses:
 * @head: the start of a message (its header at least, see poste_outbox_read_head())
 * @fields: (array zero-terminated=1): the header fields to read, such as "To", "Cc", "Bcc"
 *
 * Collects the addresses of the @fields of @head's header (RFC 5322 section 3.4: display names,
 * comments, quoted strings, groups and folded lines understood), in order, without duplicates
 * (compared without case). Only the header is read, never the body.
 *
 * Returns: (transfer container) (element-type utf8): the addresses, possibly none
 */
GPtrArray *
poste_outbox_header_addresses (GBytes             *head,
                               const char * const *fields)
{
  AddressScan scan;
  gsize length;
  const char *data;

  g_return_val_if_fail (head != NULL, NULL);
  g_return_val_if_fail (fields != NULL, NULL);

  data = g_bytes_get_data (head, &length);
  scan.fields = fields;
  scan.addresses = g_ptr_array_new_with_free_func (g_free);
  if (data != NULL)
    foreach_field (data, _poste_outbox_header_end (data, length), address_field_cb, &scan);
  return scan.addresses;
}

/**
 * poste_outbox_remove_header:
 * @head: the start of a message (its header at least)
 * @field: the field to remove, such as "Bcc"
 *
 * Removes every @field (with its folded continuation lines) from @head's header; the body part
 * of @head is kept as it is. The outbox's writer removes Bcc with it so that the blind copies
 * stay blind.
 *
 * Returns: (transfer full): the new start of the message
 */
GBytes *
poste_outbox_remove_header (GBytes     *head,
                            const char *field)
{
  GByteArray *out;
  const char *data;
  gsize length, end, i = 0, name_length;

  g_return_val_if_fail (head != NULL, NULL);
  g_return_val_if_fail (field != NULL, NULL);

  data = g_bytes_get_data (head, &length);
  if (data == NULL)
    return g_bytes_ref (head);
  name_length = strlen (field);
  end = _poste_outbox_header_end (data, length);
  out = g_byte_array_sized_new ((guint) length);
  while (i < end)
    {
      gsize field_end = i;

      for (;;)
        {
          const char *lf = memchr (data + field_end, '\n', end - field_end);

          field_end = lf != NULL ? (gsize) (lf - data) + 1 : end;
          if (field_end >= end || (data[field_end] != ' ' && data[field_end] != '\t'))
            break;
        }
      if (!(field_end - i > name_length && data[i + name_length] == ':' &&
            g_ascii_strncasecmp (data + i, field, name_length) == 0))
        g_byte_array_append (out, (const guint8 *) data + i, (guint) (field_end - i));
      i = field_end;
    }
  g_byte_array_append (out, (const guint8 *) data + end, (guint) (length - end));
  return g_byte_array_free_to_bytes (out);
}
