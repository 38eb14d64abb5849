/* poste-test-wire.c: the test provider's own line reader, writer and reply parser
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The test provider is the customer's peer in every test; if it read lines and replies with the
 * product's own code (PosteConnection, poste_reply_read()), a lenient bug there would hide on
 * both sides. This is a second, independent and stricter reading of RFC 5321, written for the
 * tests only:
 *  - a line ends in CR LF; a bare LF is an error (section 2.3.8), and so is a line longer than
 *    the caller's limit (nothing is consumed then);
 *  - a reply (section 4.2) is one or more lines "DDD-text" and a last "DDD text" (or "DDD"),
 *    the code 200 to 599 and the same on every line, no control character in the text, at most
 *    MAX_REPLY_LINES lines of at most MAX_REPLY_LINE octets (section 4.5.3.1.5: 512 with CR LF);
 *  - reads and writes are blocking, bounded in time by the socket's timeout, and cancellable.
 */
#include "config.h"

#include <string.h>

#include "poste-test-wire.h"

#define READ_SIZE (64 * 1024)
#define FLUSH_SIZE (64 * 1024)
#define MAX_REPLY_LINE 510
#define MAX_REPLY_LINES 100

struct _PosteTestWire
{
  GIOStream  *stream;
  GSocket    *socket;    /* under any TLS layer: its timeout bounds every read and write */
  GByteArray *in;
  gsize       in_start;
  GByteArray *out;
  guint       timeout;
};

G_DEFINE_QUARK (poste-test-wire-error-quark, poste_test_wire_error)

static GSocket *
find_socket (GIOStream *stream)
{
  g_autoptr(GIOStream) base = NULL;

  if (G_IS_SOCKET_CONNECTION (stream))
    return g_socket_connection_get_socket (G_SOCKET_CONNECTION (stream));
  if (!G_IS_TLS_CONNECTION (stream))
    return NULL;
  g_object_get (stream, "base-io-stream", &base, NULL);
  return base != NULL ? find_socket (base) : NULL;
}

/**
 * poste_test_wire_new:
 * @stream: (transfer none): a connected stream
 *
 * Returns: (transfer full): a wire over @stream; free with poste_test_wire_unref()
 */
PosteTestWire *
poste_test_wire_new (GIOStream *stream)
{
  PosteTestWire *self = g_new0 (PosteTestWire, 1);

  self->stream = g_object_ref (stream);
  self->socket = find_socket (stream);
  self->in = g_byte_array_new ();
  self->out = g_byte_array_new ();
  return self;
}

/**
 * poste_test_wire_unref:
 * @self: (transfer full): a wire
 *
 * Frees @self; the stream is not closed (poste_test_wire_close() does that).
 */
void
poste_test_wire_unref (PosteTestWire *self)
{
  if (self == NULL)
    return;
  g_object_unref (self->stream);
  g_byte_array_unref (self->in);
  g_byte_array_unref (self->out);
  g_free (self);
}

/**
 * poste_test_wire_get_stream:
 * @self: a wire
 *
 * Returns: (transfer none): the stream read and written now (the TLS layer after a handshake)
 */
GIOStream *
poste_test_wire_get_stream (PosteTestWire *self)
{
  return self->stream;
}

/**
 * poste_test_wire_set_timeout:
 * @self: a wire
 * @seconds: how long one read or write may block (0: for ever)
 */
void
poste_test_wire_set_timeout (PosteTestWire *self,
                             guint          seconds)
{
  self->timeout = seconds;
  if (self->socket != NULL)
    g_socket_set_timeout (self->socket, seconds);
}

static gsize
buffered (PosteTestWire *self)
{
  return self->in->len - self->in_start;
}

/* Reads once more into the input buffer. */
static gboolean
fill (PosteTestWire  *self,
      GCancellable   *cancellable,
      GError        **error)
{
  GInputStream *input = g_io_stream_get_input_stream (self->stream);
  gsize old = self->in->len;
  gssize n;

  if (self->in_start > 0 && self->in_start == self->in->len)
    {
      g_byte_array_set_size (self->in, 0);
      self->in_start = 0;
      old = 0;
    }
  g_byte_array_set_size (self->in, old + READ_SIZE);
  n = g_input_stream_read (input, self->in->data + old, READ_SIZE, cancellable, error);
  g_byte_array_set_size (self->in, old + MAX (n, 0));
  if (n < 0)
    return FALSE;
  if (n == 0)
    {
      g_set_error_literal (error, POSTE_TEST_WIRE_ERROR, POSTE_TEST_WIRE_ERROR_CLOSED,
                           "The peer closed the connection");
      return FALSE;
    }
  return TRUE;
}

/**
 * poste_test_wire_read_line:
 * @self: a wire
 * @max_length: the longest line accepted, without its CR LF
 * @length: (out): the line's length, without its CR LF
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Reads one line ending in CR LF. The line may hold any other byte, NUL included.
 *
 * Returns: (transfer none): the line, NUL-terminated after @length bytes, valid until the next
 *   call on @self; or %NULL with %POSTE_TEST_WIRE_ERROR_LINE_TOO_LONG (nothing consumed),
 *   %POSTE_TEST_WIRE_ERROR_BARE_LF, %POSTE_TEST_WIRE_ERROR_CLOSED or a #GIOError
 */
const char *
poste_test_wire_read_line (PosteTestWire  *self,
                           gsize           max_length,
                           gsize          *length,
                           GCancellable   *cancellable,
                           GError        **error)
{
  gsize scanned = 0;

  for (;;)
    {
      /* An empty buffer may have no storage at all: no pointer arithmetic on it. */
      guint8 *start = buffered (self) > 0 ? self->in->data + self->in_start : NULL;
      guint8 *lf = buffered (self) > scanned ? memchr (start + scanned, '\n',
                                                       buffered (self) - scanned)
                                             : NULL;

      if (lf != NULL)
        {
          gsize line_length = (gsize) (lf - start);

          if (line_length == 0 || start[line_length - 1] != '\r')
            {
              g_set_error_literal (error, POSTE_TEST_WIRE_ERROR, POSTE_TEST_WIRE_ERROR_BARE_LF,
                                   "A line ended in a bare LF");
              return NULL;
            }
          if (line_length - 1 > max_length)
            break;
          start[line_length - 1] = '\0';
          *length = line_length - 1;
          self->in_start += line_length + 1;
          return (const char *) start;
        }
      scanned = buffered (self);
      /* Room for the CR LF after the longest line. */
      if (scanned > max_length + 1)
        break;
      if (!fill (self, cancellable, error))
        return NULL;
    }
  g_set_error (error, POSTE_TEST_WIRE_ERROR, POSTE_TEST_WIRE_ERROR_LINE_TOO_LONG,
               "More than %" G_GSIZE_FORMAT " bytes arrived without a line end", max_length);
  return NULL;
}

/**
 * poste_test_wire_peek:
 * @self: a wire
 * @length: (out): how many bytes are available
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * The bytes buffered, reading once when there are none. Consume what was used with
 * poste_test_wire_consume().
 *
 * Returns: (transfer none): the bytes, or %NULL with %POSTE_TEST_WIRE_ERROR_CLOSED or a
 *   #GIOError
 */
const guint8 *
poste_test_wire_peek (PosteTestWire  *self,
                      gsize          *length,
                      GCancellable   *cancellable,
                      GError        **error)
{
  if (buffered (self) == 0 && !fill (self, cancellable, error))
    return NULL;
  *length = buffered (self);
  return self->in->data + self->in_start;
}

/**
 * poste_test_wire_consume:
 * @self: a wire
 * @length: how many of the peeked bytes were used
 */
void
poste_test_wire_consume (PosteTestWire *self,
                         gsize          length)
{
  g_return_if_fail (length <= buffered (self));
  self->in_start += length;
}

/**
 * poste_test_wire_flush:
 * @self: a wire
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Sends everything written so far.
 *
 * Returns: %TRUE when all of it was written
 */
gboolean
poste_test_wire_flush (PosteTestWire  *self,
                       GCancellable   *cancellable,
                       GError        **error)
{
  GOutputStream *output = g_io_stream_get_output_stream (self->stream);
  gboolean ok;

  if (self->out->len == 0)
    return TRUE;
  ok = g_output_stream_write_all (output, self->out->data, self->out->len, NULL, cancellable,
                                  error);
  g_byte_array_set_size (self->out, 0);
  return ok;
}

/**
 * poste_test_wire_write:
 * @self: a wire
 * @data: (array length=length): bytes to send
 * @length: how many
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Queues @data, sending when enough is queued; poste_test_wire_flush() sends the rest.
 *
 * Returns: %TRUE unless a send failed
 */
gboolean
poste_test_wire_write (PosteTestWire  *self,
                       const void     *data,
                       gsize           length,
                       GCancellable   *cancellable,
                       GError        **error)
{
  g_byte_array_append (self->out, data, (guint) length);
  if (self->out->len >= FLUSH_SIZE)
    return poste_test_wire_flush (self, cancellable, error);
  return TRUE;
}

/**
 * poste_test_wire_write_line:
 * @self: a wire
 * @line: a line, without its end
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Queues @line and CR LF.
 *
 * Returns: %TRUE unless a send failed
 */
gboolean
poste_test_wire_write_line (PosteTestWire  *self,
                            const char     *line,
                            GCancellable   *cancellable,
                            GError        **error)
{
  return poste_test_wire_write (self, line, strlen (line), cancellable, error) &&
         poste_test_wire_write (self, "\r\n", 2, cancellable, error);
}

/**
 * poste_test_wire_handshake:
 * @self: a wire
 * @tls: a #GTlsConnection over the wire's current stream
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Performs the TLS handshake and reads and writes through @tls from then on. Bytes already
 * buffered were sent in plain text after the command that started TLS: they are refused.
 *
 * Returns: %TRUE when TLS is up; %FALSE with %POSTE_TEST_WIRE_ERROR_INJECTION or a #GTlsError
 */
gboolean
poste_test_wire_handshake (PosteTestWire   *self,
                           GTlsConnection  *tls,
                           GCancellable    *cancellable,
                           GError         **error)
{
  if (buffered (self) > 0)
    {
      g_set_error (error, POSTE_TEST_WIRE_ERROR, POSTE_TEST_WIRE_ERROR_INJECTION,
                   "%" G_GSIZE_FORMAT " bytes arrived ahead of the TLS handshake",
                   buffered (self));
      return FALSE;
    }
  if (!poste_test_wire_flush (self, cancellable, error) ||
      !g_tls_connection_handshake (tls, cancellable, error))
    return FALSE;
  g_set_object (&self->stream, G_IO_STREAM (tls));
  return TRUE;
}

/**
 * poste_test_wire_close:
 * @self: a wire
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Sends what is queued and closes the stream (a TLS layer sends its close_notify).
 *
 * Returns: %TRUE on success
 */
gboolean
poste_test_wire_close (PosteTestWire  *self,
                       GCancellable   *cancellable,
                       GError        **error)
{
  gboolean flushed = poste_test_wire_flush (self, cancellable, error);

  return g_io_stream_close (self->stream, cancellable, flushed ? error : NULL) && flushed;
}

static gboolean
malformed (GError    **error,
           const char *why,
           const char *line)
{
  g_set_error (error, POSTE_TEST_WIRE_ERROR, POSTE_TEST_WIRE_ERROR_MALFORMED, "%s: “%s”", why,
               line);
  return FALSE;
}

/* Checks one reply line; sets *code, *last and *text. */
static gboolean
parse_reply_line (const char  *line,
                  gsize        length,
                  guint       *code,
                  gboolean    *last,
                  const char **text,
                  GError     **error)
{
  g_autofree char *shown = g_strescape (line, NULL);

  if (memchr (line, '\0', length) != NULL)
    return malformed (error, "A reply line holds a NUL", shown);
  for (gsize i = 0; i < length; i++)
    if ((guchar) line[i] < 0x20 || line[i] == 0x7f)
      return malformed (error, "A reply line holds a control character", shown);
  if (length < 3 || !g_ascii_isdigit (line[0]) || !g_ascii_isdigit (line[1])
      || !g_ascii_isdigit (line[2]))
    return malformed (error, "A reply line does not start with a code", shown);
  *code = (guint) ((line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0'));
  if (*code < 200 || *code > 599)
    return malformed (error, "A reply code is not 2xx to 5xx", shown);
  if (length == 3)
    {
      *last = TRUE;
      *text = "";
      return TRUE;
    }
  if (line[3] != ' ' && line[3] != '-')
    return malformed (error, "A reply code is not followed by a space or a hyphen", shown);
  *last = line[3] == ' ';
  *text = line + 4;
  return TRUE;
}

/**
 * poste_test_reply_read:
 * @wire: a wire
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Reads one reply, strictly (see the top of this file).
 *
 * Returns: (transfer full): the reply, or %NULL with a %POSTE_TEST_WIRE_ERROR or a #GIOError
 */
PosteTestReply *
poste_test_reply_read (PosteTestWire  *wire,
                       GCancellable   *cancellable,
                       GError        **error)
{
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  guint code = 0;
  gboolean last = FALSE;
  PosteTestReply *reply;

  while (!last)
    {
      const char *line;
      const char *text;
      gsize length;
      guint line_code;

      if (lines->len == MAX_REPLY_LINES)
        {
          g_set_error (error, POSTE_TEST_WIRE_ERROR, POSTE_TEST_WIRE_ERROR_MALFORMED,
                       "A reply went on for more than %u lines", MAX_REPLY_LINES);
          return NULL;
        }
      line = poste_test_wire_read_line (wire, MAX_REPLY_LINE, &length, cancellable, error);
      if (line == NULL)
        return NULL;
      if (!parse_reply_line (line, length, &line_code, &last, &text, error))
        return NULL;
      if (lines->len > 0 && line_code != code)
        {
          g_set_error (error, POSTE_TEST_WIRE_ERROR, POSTE_TEST_WIRE_ERROR_MALFORMED,
                       "A multi-line reply changed its code from %u to %u", code, line_code);
          return NULL;
        }
      code = line_code;
      g_ptr_array_add (lines, g_strdup (text));
    }
  g_ptr_array_add (lines, NULL);

  reply = g_new0 (PosteTestReply, 1);
  reply->code = code;
  reply->lines = (char **) g_ptr_array_free (g_steal_pointer (&lines), FALSE);
  return reply;
}

/**
 * poste_test_reply_free:
 * @reply: (transfer full) (nullable): a reply
 */
void
poste_test_reply_free (PosteTestReply *reply)
{
  if (reply == NULL)
    return;
  g_strfreev (reply->lines);
  g_free (reply);
}

/**
 * poste_test_reply_has_keyword:
 * @reply: an EHLO reply
 * @keyword: an extension keyword (RFC 5321 section 4.1.1.1), compared without regard to case
 * @params: (out) (optional) (transfer none): what follows the keyword and a space, or ""
 *
 * Whether a line after the first (the greeting) names @keyword.
 *
 * Returns: %TRUE when the extension is offered
 */
gboolean
poste_test_reply_has_keyword (const PosteTestReply *reply,
                              const char           *keyword,
                              const char          **params)
{
  gsize length = strlen (keyword);

  for (guint i = 1; reply->lines[0] != NULL && reply->lines[i] != NULL; i++)
    {
      const char *line = reply->lines[i];

      if (g_ascii_strncasecmp (line, keyword, length) == 0
          && (line[length] == '\0' || line[length] == ' '))
        {
          if (params != NULL)
            *params = line[length] == ' ' ? line + length + 1 : "";
          return TRUE;
        }
    }
  return FALSE;
}
