/* poste-reply.c: SMTP replies, parsed and formatted (RFC 5321 section 4.2, RFC 3463)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The parser is strict, in the manner of Postfix's smtp_chat.c: a reply is trusted only once every
 * line has been validated. Each line must end in CR LF, start with the same three-digit code, be
 * followed by "-" (more lines come), " " or nothing (the last line), and hold only printable text
 * (UTF-8 allowed, for SMTPUTF8 servers). Anything else is a protocol error, never a guess.
 */
#include "config.h"

#include <string.h>

#include "poste-connection.h"
#include "poste-error.h"
#include "poste-reply.h"

G_DEFINE_BOXED_TYPE (PosteReply, poste_reply, poste_reply_copy, poste_reply_free)

/**
 * poste_printable:
 * @text: (array length=length): bytes from a peer
 * @length: the length of @text in bytes, or -1 when NUL-terminated
 *
 * Makes peer text safe to log or show: printable ASCII and valid UTF-8 printable characters are
 * kept, everything else (control bytes, NUL, invalid UTF-8) becomes a `\xNN` escape, and a
 * backslash becomes `\\`.
 *
 * Returns: (transfer full): the printable text
 */
char *
poste_printable (const char *text,
                 gssize      length)
{
  GString *out;
  const char *p;
  const char *end;

  g_return_val_if_fail (text != NULL || length == 0, NULL);

  if (length < 0)
    length = strlen (text);
  out = g_string_sized_new (length + 8);
  p = text;
  end = text + length;

  while (p < end)
    {
      guchar c = (guchar) *p;

      if (c >= 0x20 && c < 0x7f)
        {
          if (c == '\\')
            g_string_append (out, "\\\\");
          else
            g_string_append_c (out, c);
          p++;
        }
      else if (c >= 0x80)
        {
          gunichar ch = g_utf8_get_char_validated (p, end - p);

          if (ch != (gunichar) -1 && ch != (gunichar) -2 && g_unichar_isprint (ch))
            {
              const char *next = g_utf8_next_char (p);
              g_string_append_len (out, p, next - p);
              p = next;
            }
          else
            {
              g_string_append_printf (out, "\\x%02x", c);
              p++;
            }
        }
      else
        {
          g_string_append_printf (out, "\\x%02x", c);
          p++;
        }
    }

  return g_string_free (out, FALSE);
}

static PosteReply *
reply_new_take (guint   code,
                char   *enhanced,
                char  **lines)
{
  PosteReply *reply = g_new0 (PosteReply, 1);

  reply->code = code;
  reply->enhanced = enhanced;
  reply->lines = lines;
  return reply;
}

static gboolean
enhanced_code_is_valid (const char *enhanced,
                        guint       code)
{
  g_auto(GStrv) parts = NULL;

  if (enhanced == NULL)
    return TRUE;
  parts = g_strsplit (enhanced, ".", -1);
  if (g_strv_length (parts) != 3 || parts[0][0] != '0' + code / 100 || parts[0][1] != '\0')
    return FALSE;
  for (guint i = 1; i < 3; i++)
    {
      gsize n = strlen (parts[i]);
      if (n < 1 || n > 3 || strspn (parts[i], "0123456789") != n)
        return FALSE;
    }
  return TRUE;
}

/**
 * poste_reply_new:
 * @code: the reply code, 200 to 599
 * @enhanced: (nullable): an enhanced status code ("4.3.0", RFC 3463) whose class matches @code
 * @format: printf-style format of the text; a "\n" in the result starts a new line
 * @...: the arguments of @format
 *
 * Makes a reply to send.
 *
 * Returns: (transfer full): a new reply
 */
PosteReply *
poste_reply_new (guint       code,
                 const char *enhanced,
                 const char *format,
                 ...)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  va_list args;

  g_return_val_if_fail (code >= 200 && code <= 599, NULL);
  g_return_val_if_fail (enhanced_code_is_valid (enhanced, code), NULL);

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  lines = g_strsplit (text, "\n", POSTE_REPLY_MAX_LINES);
  return poste_reply_new_lines (code, enhanced, (const char *const *) lines);
}

/**
 * poste_reply_new_lines:
 * @code: the reply code, 200 to 599
 * @enhanced: (nullable): an enhanced status code whose class matches @code
 * @lines: (array zero-terminated=1): the text of each line; at least one
 *
 * Makes a multi-line reply to send (an EHLO reply, for instance). Control characters in the text
 * are replaced by spaces, so a reply can never break the framing.
 *
 * Returns: (transfer full): a new reply
 */
PosteReply *
poste_reply_new_lines (guint              code,
                       const char        *enhanced,
                       const char *const *lines)
{
  GPtrArray *copy;

  g_return_val_if_fail (code >= 200 && code <= 599, NULL);
  g_return_val_if_fail (lines != NULL && lines[0] != NULL, NULL);

  copy = g_ptr_array_new ();
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strdup (lines[i]);
      for (char *p = line; *p; p++)
        if ((guchar) *p < 0x20 || *p == 0x7f)
          *p = ' ';
      g_ptr_array_add (copy, line);
    }
  g_ptr_array_add (copy, NULL);

  return reply_new_take (code, g_strdup (enhanced), (char **) g_ptr_array_free (copy, FALSE));
}

/**
 * poste_reply_copy:
 * @reply: a #PosteReply
 *
 * Returns: (transfer full): a deep copy of @reply
 */
PosteReply *
poste_reply_copy (const PosteReply *reply)
{
  g_return_val_if_fail (reply != NULL, NULL);

  return reply_new_take (reply->code, g_strdup (reply->enhanced), g_strdupv (reply->lines));
}

/**
 * poste_reply_free:
 * @reply: (transfer full) (nullable): a #PosteReply
 */
void
poste_reply_free (PosteReply *reply)
{
  if (reply == NULL)
    return;
  g_free (reply->enhanced);
  g_strfreev (reply->lines);
  g_free (reply);
}

/* Parses the code and separator of one reply line, checks its text, and returns the text. */
typedef struct {
  guint       code;
  gboolean    last;
  const char *text;
} ReplyLine;

static gboolean
parse_line (const char  *line,
            gsize        length,
            ReplyLine   *out,
            GError     **error)
{
  g_autofree char *shown = NULL;

  if (length < 3 ||
      line[0] < '2' || line[0] > '5' ||
      line[1] < '0' || line[1] > '5' ||
      !g_ascii_isdigit (line[2]) ||
      (length > 3 && line[3] != ' ' && line[3] != '-'))
    {
      shown = poste_printable (line, MIN (length, 80));
      g_set_error (error, POSTE_PROTOCOL_ERROR, POSTE_PROTOCOL_ERROR_MALFORMED,
                   "Malformed reply line “%s”", shown);
      return FALSE;
    }

  for (gsize i = 0; i < length; i++)
    {
      guchar c = (guchar) line[i];
      if ((c < 0x20 && c != '\t') || c == 0x7f)
        {
          shown = poste_printable (line, MIN (length, 80));
          g_set_error (error, POSTE_PROTOCOL_ERROR, POSTE_PROTOCOL_ERROR_MALFORMED,
                       "A reply line holds the control byte 0x%02x: “%s”", c, shown);
          return FALSE;
        }
    }
  if (!g_utf8_validate (line, length, NULL))
    {
      shown = poste_printable (line, MIN (length, 80));
      g_set_error (error, POSTE_PROTOCOL_ERROR, POSTE_PROTOCOL_ERROR_MALFORMED,
                   "A reply line is neither ASCII nor UTF-8: “%s”", shown);
      return FALSE;
    }

  out->code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
  out->last = length == 3 || line[3] == ' ';
  out->text = length > 4 ? line + 4 : "";
  return TRUE;
}

/* Splits "2.1.5 text" into its enhanced code and text, if the class matches the code. */
static const char *
split_enhanced (const char *text,
                guint       code,
                char      **enhanced)
{
  const char *p = text;
  gsize n;

  *enhanced = NULL;
  if (*p != '0' + (char) (code / 100) || p[1] != '.')
    return text;
  p += 2;
  for (int part = 0; part < 2; part++)
    {
      n = strspn (p, "0123456789");
      if (n < 1 || n > 3)
        return text;
      p += n;
      if (part == 0)
        {
          if (*p != '.')
            return text;
          p++;
        }
    }
  if (*p != ' ' && *p != '\0')
    return text;

  *enhanced = g_strndup (text, p - text);
  while (*p == ' ')
    p++;
  return p;
}

typedef struct {
  guint      code;
  char      *enhanced;
  GPtrArray *lines;
} ReplyBuilder;

static void
builder_clear (ReplyBuilder *b)
{
  g_clear_pointer (&b->enhanced, g_free);
  g_clear_pointer (&b->lines, g_ptr_array_unref);
}

/* Adds one line; returns -1 on error, 0 when more lines follow, 1 when the reply is complete. */
static int
builder_add (ReplyBuilder  *b,
             const char    *line,
             gsize          length,
             GError       **error)
{
  ReplyLine parsed;
  g_autofree char *enhanced = NULL;
  g_autofree char *copy = NULL;
  const char *text;

  /* The line is not NUL-terminated when parsed from memory. */
  copy = g_strndup (line, length);
  if (!parse_line (copy, length, &parsed, error))
    return -1;

  if (b->lines == NULL)
    {
      b->lines = g_ptr_array_new_with_free_func (g_free);
      b->code = parsed.code;
    }
  else if (parsed.code != b->code)
    {
      g_set_error (error, POSTE_PROTOCOL_ERROR, POSTE_PROTOCOL_ERROR_MALFORMED,
                   "A multi-line reply changed its code from %u to %u", b->code, parsed.code);
      return -1;
    }

  if (b->lines->len >= POSTE_REPLY_MAX_LINES)
    {
      g_set_error (error, POSTE_PROTOCOL_ERROR, POSTE_PROTOCOL_ERROR_TOO_MANY_LINES,
                   "A reply went on for more than %d lines", POSTE_REPLY_MAX_LINES);
      return -1;
    }

  text = split_enhanced (parsed.text, parsed.code, &enhanced);
  if (b->lines->len == 0)
    b->enhanced = g_steal_pointer (&enhanced);
  g_ptr_array_add (b->lines, g_strdup (text));

  return parsed.last ? 1 : 0;
}

static PosteReply *
builder_finish (ReplyBuilder *b)
{
  PosteReply *reply;

  g_ptr_array_add (b->lines, NULL);
  reply = reply_new_take (b->code, g_steal_pointer (&b->enhanced),
                          (char **) g_ptr_array_steal (b->lines, NULL));
  builder_clear (b);
  return reply;
}

/**
 * poste_reply_read:
 * @connection: a #PosteConnection
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Reads one complete reply, every line of it, within the connection's timeout for each line.
 * Lines are limited to %POSTE_REPLY_MAX_LINE octets and replies to %POSTE_REPLY_MAX_LINES lines.
 *
 * Returns: (transfer full): the reply; or %NULL with a %POSTE_PROTOCOL_ERROR (malformed, too long,
 *   too many lines, bare LF, closed) or a #GIOError
 */
PosteReply *
poste_reply_read (PosteConnection  *connection,
                  GCancellable     *cancellable,
                  GError          **error)
{
  ReplyBuilder builder = { 0, NULL, NULL };

  g_return_val_if_fail (connection != NULL, NULL);

  for (;;)
    {
      PosteLineEnd end;
      gsize length;
      const char *line;
      int status;

      line = poste_connection_read_line (connection, POSTE_REPLY_MAX_LINE - 2, &length, &end,
                                         cancellable, error);
      if (line == NULL)
        break;
      if (end != POSTE_LINE_END_CRLF)
        {
          g_set_error_literal (error, POSTE_PROTOCOL_ERROR, POSTE_PROTOCOL_ERROR_MALFORMED,
                               "A reply line ended in a bare LF instead of CR LF");
          break;
        }
      status = builder_add (&builder, line, length, error);
      if (status < 0)
        break;
      if (status > 0)
        return builder_finish (&builder);
    }

  builder_clear (&builder);
  return NULL;
}

/**
 * poste_reply_parse:
 * @text: (array length=length): the bytes of exactly one complete reply, every line ending in
 *   CR LF
 * @length: the length of @text in bytes
 * @error: return location for a #GError
 *
 * Parses a reply held in memory, with the same rules as poste_reply_read(). Bytes after the last
 * line are an error (a reply is never guessed at).
 *
 * Returns: (transfer full): the reply, or %NULL with a %POSTE_PROTOCOL_ERROR
 */
PosteReply *
poste_reply_parse (const char  *text,
                   gsize        length,
                   GError     **error)
{
  ReplyBuilder builder = { 0, NULL, NULL };
  const char *p = text;
  const char *end = text + length;

  g_return_val_if_fail (text != NULL || length == 0, NULL);

  while (p < end)
    {
      const char *lf = memchr (p, '\n', end - p);
      gsize line_length;
      int status;

      if (lf == NULL || lf == p || lf[-1] != '\r')
        {
          g_set_error_literal (error, POSTE_PROTOCOL_ERROR, POSTE_PROTOCOL_ERROR_MALFORMED,
                               lf == NULL ? "A reply line has no line end"
                                          : "A reply line ended in a bare LF instead of CR LF");
          goto fail;
        }
      line_length = (lf - 1) - p;
      if (line_length > POSTE_REPLY_MAX_LINE - 2)
        {
          g_set_error (error, POSTE_PROTOCOL_ERROR, POSTE_PROTOCOL_ERROR_LINE_TOO_LONG,
                       "A reply line of %" G_GSIZE_FORMAT " bytes is longer than the limit of %d",
                       line_length, POSTE_REPLY_MAX_LINE - 2);
          goto fail;
        }
      if (memchr (p, '\0', line_length) != NULL)
        {
          g_set_error_literal (error, POSTE_PROTOCOL_ERROR, POSTE_PROTOCOL_ERROR_MALFORMED,
                               "A reply line holds a NUL byte");
          goto fail;
        }
      status = builder_add (&builder, p, line_length, error);
      if (status < 0)
        goto fail;
      p = lf + 1;
      if (status > 0)
        {
          if (p != end)
            {
              g_set_error_literal (error, POSTE_PROTOCOL_ERROR, POSTE_PROTOCOL_ERROR_MALFORMED,
                                   "Bytes follow the end of a reply");
              goto fail;
            }
          return builder_finish (&builder);
        }
    }

  g_set_error_literal (error, POSTE_PROTOCOL_ERROR, POSTE_PROTOCOL_ERROR_MALFORMED,
                       "The reply ended before its last line");
fail:
  builder_clear (&builder);
  return NULL;
}

/**
 * poste_reply_to_string:
 * @reply: a #PosteReply
 *
 * Formats @reply for the wire: every line with the code, "-" or " ", the enhanced code when
 * there is one, the text and CR LF.
 *
 * Returns: (transfer full): the reply's bytes
 */
char *
poste_reply_to_string (const PosteReply *reply)
{
  GString *out;

  g_return_val_if_fail (reply != NULL, NULL);

  out = g_string_new (NULL);
  for (guint i = 0; reply->lines[i] != NULL; i++)
    {
      gboolean last = reply->lines[i + 1] == NULL;

      g_string_append_printf (out, "%03u%c", reply->code, last ? ' ' : '-');
      if (reply->enhanced != NULL)
        {
          g_string_append (out, reply->enhanced);
          if (reply->lines[i][0] != '\0')
            g_string_append_c (out, ' ');
        }
      g_string_append (out, reply->lines[i]);
      g_string_append (out, "\r\n");
    }
  return g_string_free (out, FALSE);
}

/**
 * poste_reply_describe:
 * @reply: a #PosteReply
 *
 * Formats @reply for people: "550 5.1.1 first line; second line", made printable.
 *
 * Returns: (transfer full): a one-line description
 */
char *
poste_reply_describe (const PosteReply *reply)
{
  g_autofree char *joined = NULL;
  g_autofree char *text = NULL;

  g_return_val_if_fail (reply != NULL, NULL);

  joined = g_strjoinv ("; ", reply->lines);
  text = poste_printable (joined, -1);
  if (reply->enhanced != NULL)
    return g_strdup_printf ("%03u %s %s", reply->code, reply->enhanced, text);
  return g_strdup_printf ("%03u %s", reply->code, text);
}

/**
 * poste_reply_send:
 * @reply: a #PosteReply
 * @connection: a #PosteConnection
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Buffers @reply on @connection; the caller flushes (so that pipelined replies share a segment).
 *
 * Returns: %TRUE on success; %FALSE with a #GIOError
 */
gboolean
poste_reply_send (const PosteReply  *reply,
                  PosteConnection   *connection,
                  GCancellable      *cancellable,
                  GError           **error)
{
  g_autofree char *text = poste_reply_to_string (reply);

  return poste_connection_write (connection, text, strlen (text), cancellable, error);
}

/**
 * poste_reply_is_positive:
 * @reply: a #PosteReply
 *
 * Returns: %TRUE for a 2xx or 3xx reply
 */
gboolean
poste_reply_is_positive (const PosteReply *reply)
{
  return reply->code >= 200 && reply->code < 400;
}

/**
 * poste_reply_is_transient:
 * @reply: a #PosteReply
 *
 * Returns: %TRUE for a 4xx reply (try again later)
 */
gboolean
poste_reply_is_transient (const PosteReply *reply)
{
  return reply->code >= 400 && reply->code < 500;
}

/**
 * poste_reply_is_permanent:
 * @reply: a #PosteReply
 *
 * Returns: %TRUE for a 5xx reply
 */
gboolean
poste_reply_is_permanent (const PosteReply *reply)
{
  return reply->code >= 500;
}

/**
 * poste_reply_has_keyword:
 * @reply: an EHLO reply (RFC 5321 section 4.1.1.1)
 * @keyword: an extension keyword, matched without regard to case ("STARTTLS", "AUTH")
 * @parameters: (out) (optional) (transfer none): the text after the keyword, "" when none
 *
 * Looks for an extension in an EHLO reply. The first line is the greeting and is not searched.
 *
 * Returns: %TRUE when the server announced @keyword
 */
gboolean
poste_reply_has_keyword (const PosteReply  *reply,
                         const char        *keyword,
                         const char       **parameters)
{
  gsize n;

  g_return_val_if_fail (reply != NULL, FALSE);
  g_return_val_if_fail (keyword != NULL, FALSE);

  n = strlen (keyword);
  for (guint i = 1; reply->lines[i] != NULL; i++)
    {
      const char *line = reply->lines[i];

      if (g_ascii_strncasecmp (line, keyword, n) == 0 && (line[n] == '\0' || line[n] == ' '))
        {
          if (parameters != NULL)
            {
              const char *p = line + n;
              while (*p == ' ')
                p++;
              *parameters = p;
            }
          return TRUE;
        }
    }
  return FALSE;
}
