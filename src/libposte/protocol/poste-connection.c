/* poste-connection.c: bounded, deadline-driven line I/O over a GIO stream
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GIO's GDataInputStream reads lines of any length, and blocking GIO calls wait for ever. Neither
 * is acceptable on a connection to a mail provider, so every read and write here is:
 *
 *  - bounded in size: lines are read from a fixed buffer of POSTE_CONNECTION_BUFFER_SIZE bytes
 *    and a caller-chosen maximum length, and nothing grows with what the peer sends;
 *  - bounded in time: each call that waits gets a deadline of "timeout" seconds from its start,
 *    enforced with non-blocking I/O and a private main context, so it holds for plain sockets and
 *    for TLS alike (socket timeouts do not reach through every TLS backend);
 *  - cancellable: the user's Stop wakes any wait at once.
 *
 * Connections are used from one thread at a time (the session's worker thread).
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "poste-connection.h"
#include "poste-error.h"

#define DEFAULT_TIMEOUT_SECONDS 300

struct _PosteConnection
{
  gatomicrefcount  ref_count;
  GIOStream       *stream;
  GMainContext    *context;
  guint            timeout;

  guint8          *in;
  gsize            in_start;
  gsize            in_end;
  gsize            scanned;     /* bytes after in_start known to hold no LF */

  guint8          *out;
  gsize            out_len;

  guint64          bytes_read;
  guint64          bytes_written;
};

/**
 * poste_connection_new:
 * @stream: (transfer none): a connected stream, usually a #GSocketConnection or a
 *   #GTlsConnection over one
 *
 * Wraps @stream for bounded line I/O. The default timeout for each wait is 300 seconds.
 *
 * Returns: (transfer full): a new connection; free with poste_connection_unref()
 */
PosteConnection *
poste_connection_new (GIOStream *stream)
{
  PosteConnection *self;

  g_return_val_if_fail (G_IS_IO_STREAM (stream), NULL);

  self = g_new0 (PosteConnection, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->stream = g_object_ref (stream);
  self->context = g_main_context_new ();
  self->timeout = DEFAULT_TIMEOUT_SECONDS;
  self->in = g_malloc (POSTE_CONNECTION_BUFFER_SIZE + 1);
  self->out = g_malloc (POSTE_CONNECTION_BUFFER_SIZE);

  return self;
}

/**
 * poste_connection_ref:
 * @self: a #PosteConnection
 *
 * Returns: (transfer full): @self with one more reference
 */
PosteConnection *
poste_connection_ref (PosteConnection *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

/**
 * poste_connection_unref:
 * @self: (transfer full): a #PosteConnection
 *
 * Drops a reference. The last one frees the buffers and drops the stream (without closing it
 * explicitly: GIO closes a stream when its last reference goes).
 */
void
poste_connection_unref (PosteConnection *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  g_clear_object (&self->stream);
  g_main_context_unref (self->context);
  g_free (self->in);
  g_free (self->out);
  g_free (self);
}

/**
 * poste_connection_get_stream:
 * @self: a #PosteConnection
 *
 * Returns: (transfer none): the stream in use now (the TLS stream once TLS has started)
 */
GIOStream *
poste_connection_get_stream (PosteConnection *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->stream;
}

/* Bytes already read when the stream is about to become TLS came in plaintext after the
 * STARTTLS exchange: a man in the middle may have injected them (RFC 3207 section 6). */
static gboolean
refuse_buffered_input (PosteConnection  *self,
                       GError          **error)
{
  if (self->in_end == self->in_start)
    return TRUE;
  g_set_error (error, POSTE_PROTOCOL_ERROR, POSTE_PROTOCOL_ERROR_INJECTION,
               "The peer sent %" G_GSIZE_FORMAT " bytes ahead of the TLS handshake "
               "(STARTTLS response injection); the connection is not safe",
               self->in_end - self->in_start);
  return FALSE;
}

/**
 * poste_connection_replace_stream:
 * @self: a #PosteConnection
 * @stream: (transfer none): the stream to use from now on, usually a #GTlsConnection whose base
 *   is the current stream
 * @error: return location for a #GError
 *
 * Switches to @stream, for STARTTLS (RFC 3207). Any byte still buffered from the old stream was
 * sent by the peer before the handshake and cannot be trusted: that is STARTTLS response
 * injection (RFC 3207 section 6), so the switch is refused. Pending output must be flushed first.
 *
 * Returns: %TRUE on success; %FALSE with %POSTE_PROTOCOL_ERROR_INJECTION when input was buffered
 */
gboolean
poste_connection_replace_stream (PosteConnection  *self,
                                 GIOStream        *stream,
                                 GError          **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (G_IS_IO_STREAM (stream), FALSE);
  g_return_val_if_fail (self->out_len == 0, FALSE);

  if (!refuse_buffered_input (self, error))
    return FALSE;

  g_set_object (&self->stream, stream);
  self->in_start = self->in_end = self->scanned = 0;
  return TRUE;
}

/**
 * poste_connection_set_timeout:
 * @self: a #PosteConnection
 * @seconds: how long any one read, write, flush or handshake may wait, in seconds (at least 1)
 *
 * Sets the deadline of each later call that waits: it fails with %G_IO_ERROR_TIMED_OUT when the
 * call has not completed @seconds after it started.
 */
void
poste_connection_set_timeout (PosteConnection *self,
                              guint            seconds)
{
  g_return_if_fail (self != NULL);

  self->timeout = MAX (seconds, 1);
}

/**
 * poste_connection_get_timeout:
 * @self: a #PosteConnection
 *
 * Returns: the timeout of each wait, in seconds
 */
guint
poste_connection_get_timeout (PosteConnection *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->timeout;
}

/**
 * poste_connection_get_buffered:
 * @self: a #PosteConnection
 *
 * Returns: how many bytes have been received but not yet consumed
 */
gsize
poste_connection_get_buffered (PosteConnection *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->in_end - self->in_start;
}

/**
 * poste_connection_get_bytes_read:
 * @self: a #PosteConnection
 *
 * Returns: the bytes received so far, across stream replacements
 */
guint64
poste_connection_get_bytes_read (PosteConnection *self)
{
  return self->bytes_read;
}

/**
 * poste_connection_get_bytes_written:
 * @self: a #PosteConnection
 *
 * Returns: the bytes sent so far (flushed), across stream replacements
 */
guint64
poste_connection_get_bytes_written (PosteConnection *self)
{
  return self->bytes_written;
}

static gint64
deadline_from_now (PosteConnection *self)
{
  return g_get_monotonic_time () + (gint64) self->timeout * G_USEC_PER_SEC;
}

static gboolean
flag_source_cb (gpointer user_data)
{
  gboolean *flag = user_data;

  *flag = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
flag_pollable_cb (GObject  *stream,
                  gpointer  user_data)
{
  return flag_source_cb (user_data);
}

/* Waits until @source fires, @deadline passes or @cancellable is cancelled; consumes @source. */
static gboolean
wait_for_source (PosteConnection  *self,
                 GSource          *source,
                 gint64            deadline,
                 GCancellable     *cancellable,
                 GError          **error)
{
  g_autoptr(GSource) timer = NULL;
  gboolean ready = FALSE;
  gboolean timed_out = FALSE;
  gint64 remaining = deadline - g_get_monotonic_time ();

  if (remaining <= 0)
    timed_out = TRUE;
  else
    {
      g_source_set_callback (source, G_SOURCE_FUNC (flag_pollable_cb), &ready, NULL);
      g_source_attach (source, self->context);
      timer = g_timeout_source_new ((guint) MIN ((remaining + 999) / 1000, G_MAXUINT));
      g_source_set_callback (timer, flag_source_cb, &timed_out, NULL);
      g_source_attach (timer, self->context);

      while (!ready && !timed_out && !g_cancellable_is_cancelled (cancellable))
        g_main_context_iteration (self->context, TRUE);

      g_source_destroy (timer);
      g_source_destroy (source);
    }
  g_source_unref (source);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  if (!ready && timed_out)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                   "The peer did not answer within %u seconds", self->timeout);
      return FALSE;
    }
  return TRUE;
}

/* Reads whatever is available into the free end of the input buffer. Returns the number of bytes
 * read, 0 at end of stream, -1 on error. */
static gssize
fill (PosteConnection  *self,
      gint64            deadline,
      GCancellable     *cancellable,
      GError          **error)
{
  GInputStream *input = g_io_stream_get_input_stream (self->stream);
  gsize room;

  if (self->in_start > 0)
    {
      memmove (self->in, self->in + self->in_start, self->in_end - self->in_start);
      self->in_end -= self->in_start;
      self->in_start = 0;
    }
  room = POSTE_CONNECTION_BUFFER_SIZE - self->in_end;
  g_assert (room > 0);

  if (!G_IS_POLLABLE_INPUT_STREAM (input) ||
      !g_pollable_input_stream_can_poll (G_POLLABLE_INPUT_STREAM (input)))
    {
      gssize n = g_input_stream_read (input, self->in + self->in_end, room, cancellable, error);
      if (n > 0)
        {
          self->in_end += n;
          self->bytes_read += n;
        }
      return n;
    }

  for (;;)
    {
      g_autoptr(GError) local_error = NULL;
      GPollableInputStream *pollable = G_POLLABLE_INPUT_STREAM (input);
      gssize n;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return -1;

      n = g_pollable_input_stream_read_nonblocking (pollable, self->in + self->in_end, room,
                                                    cancellable, &local_error);
      if (n >= 0)
        {
          self->in_end += n;
          self->bytes_read += n;
          return n;
        }
      if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return -1;
        }
      if (!wait_for_source (self, g_pollable_input_stream_create_source (pollable, cancellable),
                            deadline, cancellable, error))
        return -1;
    }
}

static void
set_closed_error (GError **error)
{
  g_set_error_literal (error, POSTE_PROTOCOL_ERROR, POSTE_PROTOCOL_ERROR_CLOSED,
                       "The peer closed the connection");
}

/* Reads at least one byte more, or fails: with the error of the read, or
 * %POSTE_PROTOCOL_ERROR_CLOSED when the peer closed the stream. */
static gboolean
fill_some (PosteConnection  *self,
           gint64            deadline,
           GCancellable     *cancellable,
           GError          **error)
{
  switch (fill (self, deadline, cancellable, error))
    {
    case -1:
      return FALSE;
    case 0:
      set_closed_error (error);
      return FALSE;
    default:
      return TRUE;
    }
}

/**
 * poste_connection_read_line:
 * @self: a #PosteConnection
 * @max_length: the longest line accepted, in bytes, without its line end; at most
 *   %POSTE_CONNECTION_BUFFER_SIZE - 2
 * @length: (out): the line's length in bytes, without its line end
 * @line_end: (out) (optional): how the line ended (CR LF or a bare LF)
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Reads one line ending in LF. The line may hold any byte, NUL included: judging its content is
 * the caller's job. A bare CR is only treated as part of a line end when it precedes the LF.
 *
 * Returns: (transfer none): the line, NUL-terminated after @length bytes, valid until the next
 *   call on @self; or %NULL with %POSTE_PROTOCOL_ERROR_LINE_TOO_LONG when more than @max_length
 *   bytes arrive without a line end (nothing is consumed), %POSTE_PROTOCOL_ERROR_CLOSED at end of
 *   stream, %G_IO_ERROR_TIMED_OUT when the timeout passes, or another #GIOError or #GTlsError
 */
const char *
poste_connection_read_line (PosteConnection  *self,
                            gsize             max_length,
                            gsize            *length,
                            PosteLineEnd     *line_end,
                            GCancellable     *cancellable,
                            GError          **error)
{
  gint64 deadline;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (max_length + 2 <= POSTE_CONNECTION_BUFFER_SIZE, NULL);
  g_return_val_if_fail (length != NULL, NULL);

  deadline = deadline_from_now (self);

  for (;;)
    {
      gsize avail = self->in_end - self->in_start;
      guint8 *start = self->in + self->in_start;
      guint8 *lf = memchr (start + self->scanned, '\n', avail - self->scanned);

      if (lf != NULL)
        {
          gsize len = lf - start;
          PosteLineEnd end = POSTE_LINE_END_LF;

          if (len > 0 && start[len - 1] == '\r')
            {
              len--;
              end = POSTE_LINE_END_CRLF;
            }
          if (len > max_length)
            {
              g_set_error (error, POSTE_PROTOCOL_ERROR, POSTE_PROTOCOL_ERROR_LINE_TOO_LONG,
                           "A line of %" G_GSIZE_FORMAT " bytes is longer than the limit of "
                           "%" G_GSIZE_FORMAT, len, max_length);
              return NULL;
            }
          start[len] = '\0';
          self->in_start += (lf - start) + 1;
          self->scanned = 0;
          *length = len;
          if (line_end != NULL)
            *line_end = end;
          return (const char *) start;
        }

      self->scanned = avail;
      /* A CR may still be followed by the LF, so allow one byte over the limit. */
      if (avail > max_length + 1)
        {
          g_set_error (error, POSTE_PROTOCOL_ERROR, POSTE_PROTOCOL_ERROR_LINE_TOO_LONG,
                       "More than %" G_GSIZE_FORMAT " bytes arrived without a line end",
                       max_length);
          return NULL;
        }

      if (!fill_some (self, deadline, cancellable, error))
        return NULL;
    }
}

/**
 * poste_connection_peek:
 * @self: a #PosteConnection
 * @length: (out): how many bytes the returned buffer holds (at least 1)
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Returns the bytes already received, reading first (with the timeout) if there are none. For
 * streaming a message body: consume what was used with poste_connection_consume().
 *
 * Returns: (transfer none) (array length=length): the buffered bytes, valid until the next call
 *   on @self; or %NULL with %POSTE_PROTOCOL_ERROR_CLOSED at end of stream, or a #GIOError
 */
const guint8 *
poste_connection_peek (PosteConnection  *self,
                       gsize            *length,
                       GCancellable     *cancellable,
                       GError          **error)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (length != NULL, NULL);

  if (self->in_end == self->in_start)
    {
      if (!fill_some (self, deadline_from_now (self), cancellable, error))
        return NULL;
    }

  *length = self->in_end - self->in_start;
  return self->in + self->in_start;
}

/**
 * poste_connection_consume:
 * @self: a #PosteConnection
 * @count: how many of the bytes returned by poste_connection_peek() were used
 *
 * Marks @count buffered bytes as used.
 */
void
poste_connection_consume (PosteConnection *self,
                          gsize            count)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (count <= self->in_end - self->in_start);

  self->in_start += count;
  self->scanned = 0;
  if (self->in_start == self->in_end)
    self->in_start = self->in_end = 0;
}

static gboolean
write_all (PosteConnection  *self,
           const guint8     *data,
           gsize             length,
           gint64            deadline,
           GCancellable     *cancellable,
           GError          **error)
{
  GOutputStream *output = g_io_stream_get_output_stream (self->stream);

  if (!G_IS_POLLABLE_OUTPUT_STREAM (output) ||
      !g_pollable_output_stream_can_poll (G_POLLABLE_OUTPUT_STREAM (output)))
    {
      gsize written = 0;
      gboolean ok = g_output_stream_write_all (output, data, length, &written, cancellable, error);
      self->bytes_written += written;
      return ok;
    }

  while (length > 0)
    {
      g_autoptr(GError) local_error = NULL;
      GPollableOutputStream *pollable = G_POLLABLE_OUTPUT_STREAM (output);
      gssize n;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;

      n = g_pollable_output_stream_write_nonblocking (pollable, data, length, cancellable,
                                                      &local_error);
      if (n >= 0)
        {
          data += n;
          length -= n;
          self->bytes_written += n;
          continue;
        }
      if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      if (!wait_for_source (self, g_pollable_output_stream_create_source (pollable, cancellable),
                            deadline, cancellable, error))
        return FALSE;
    }
  return TRUE;
}

/**
 * poste_connection_flush:
 * @self: a #PosteConnection
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Sends everything buffered by poste_connection_write(), within the timeout.
 *
 * Returns: %TRUE when all was sent; %FALSE with a #GIOError (%G_IO_ERROR_TIMED_OUT included)
 */
gboolean
poste_connection_flush (PosteConnection  *self,
                        GCancellable     *cancellable,
                        GError          **error)
{
  gboolean ok;

  g_return_val_if_fail (self != NULL, FALSE);

  if (self->out_len == 0)
    return TRUE;

  ok = write_all (self, self->out, self->out_len, deadline_from_now (self), cancellable, error);
  self->out_len = 0;
  return ok;
}

/**
 * poste_connection_write:
 * @self: a #PosteConnection
 * @data: (array length=length): bytes to send
 * @length: how many, in bytes
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Buffers @data, sending when the buffer fills. Small writes are coalesced, so a pipelined batch
 * of commands or a message body leaves in full segments; call poste_connection_flush() before
 * waiting for an answer.
 *
 * Returns: %TRUE on success; %FALSE with a #GIOError when a send failed
 */
gboolean
poste_connection_write (PosteConnection  *self,
                        const void       *data,
                        gsize             length,
                        GCancellable     *cancellable,
                        GError          **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (self->out_len + length <= POSTE_CONNECTION_BUFFER_SIZE)
    {
      memcpy (self->out + self->out_len, data, length);
      self->out_len += length;
      return TRUE;
    }

  if (!poste_connection_flush (self, cancellable, error))
    return FALSE;

  if (length >= POSTE_CONNECTION_BUFFER_SIZE)
    return write_all (self, data, length, deadline_from_now (self), cancellable, error);

  memcpy (self->out, data, length);
  self->out_len = length;
  return TRUE;
}

/**
 * poste_connection_write_line:
 * @self: a #PosteConnection
 * @line: a line of text without its line end; it must not contain CR or LF
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Buffers @line followed by CR LF.
 *
 * Returns: %TRUE on success; %FALSE with a #GIOError when a send failed
 */
gboolean
poste_connection_write_line (PosteConnection  *self,
                             const char       *line,
                             GCancellable     *cancellable,
                             GError          **error)
{
  g_return_val_if_fail (line != NULL, FALSE);
  g_return_val_if_fail (strpbrk (line, "\r\n") == NULL, FALSE);

  return poste_connection_write (self, line, strlen (line), cancellable, error) &&
         poste_connection_write (self, "\r\n", 2, cancellable, error);
}

typedef struct {
  gboolean  done;
  gboolean  ok;
  GError   *error;
} HandshakeState;

static void
handshake_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  HandshakeState *state = user_data;

  state->ok = g_tls_connection_handshake_finish (G_TLS_CONNECTION (object), result, &state->error);
  state->done = TRUE;
}

/**
 * poste_connection_handshake:
 * @self: a #PosteConnection
 * @tls: a #GTlsConnection that wraps the connection's current stream
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Performs the TLS handshake on @tls within the timeout and, on success, switches the connection
 * to it. Refuses with %POSTE_PROTOCOL_ERROR_INJECTION if any byte was buffered before the
 * handshake (RFC 3207 section 6), and with %G_TLS_ERROR_MISC when the negotiated version is
 * older than TLS 1.2 (poste_connection_check_tls_version()); after a refusal the connection
 * keeps its old stream and nothing has been written over TLS. Signals of @tls
 * (#GTlsConnection::accept-certificate) are emitted in the calling thread.
 *
 * Returns: %TRUE when TLS is up; %FALSE with a #GTlsError, %G_IO_ERROR_TIMED_OUT or
 *   %POSTE_PROTOCOL_ERROR_INJECTION
 */
gboolean
poste_connection_handshake (PosteConnection  *self,
                            GTlsConnection   *tls,
                            GCancellable     *cancellable,
                            GError          **error)
{
  g_autoptr(GCancellable) handshake_cancellable = g_cancellable_new ();
  g_autoptr(GSource) timer = NULL;
  HandshakeState state = { FALSE, FALSE, NULL };
  gboolean timed_out = FALSE;
  gulong cancel_id = 0;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (G_IS_TLS_CONNECTION (tls), FALSE);

  if (!refuse_buffered_input (self, error))
    return FALSE;
  if (!poste_connection_flush (self, cancellable, error))
    return FALSE;

  if (cancellable != NULL)
    cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (g_cancellable_cancel),
                                       handshake_cancellable, NULL);

  g_main_context_push_thread_default (self->context);
  g_tls_connection_handshake_async (tls, G_PRIORITY_DEFAULT, handshake_cancellable,
                                    handshake_cb, &state);
  timer = g_timeout_source_new_seconds (self->timeout);
  g_source_set_callback (timer, flag_source_cb, &timed_out, NULL);
  g_source_attach (timer, self->context);

  while (!state.done)
    {
      if (timed_out)
        g_cancellable_cancel (handshake_cancellable);
      g_main_context_iteration (self->context, TRUE);
    }

  g_source_destroy (timer);
  g_main_context_pop_thread_default (self->context);
  if (cancel_id != 0)
    g_cancellable_disconnect (cancellable, cancel_id);

  if (!state.ok)
    {
      if (timed_out && !g_cancellable_is_cancelled (cancellable))
        {
          g_clear_error (&state.error);
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                       "The TLS handshake did not complete within %u seconds", self->timeout);
        }
      else
        g_propagate_error (error, state.error);
      return FALSE;
    }

  if (!poste_connection_check_tls_version (tls, error))
    return FALSE;

  g_set_object (&self->stream, G_IO_STREAM (tls));
  self->in_start = self->in_end = self->scanned = 0;
  return TRUE;
}

/**
 * poste_connection_close:
 * @self: a #PosteConnection
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Flushes and closes the stream (for TLS, with a close_notify), within the timeout for the
 * flush. Closing a stream that is already closed succeeds.
 *
 * Returns: %TRUE on success
 */
gboolean
poste_connection_close (PosteConnection  *self,
                        GCancellable     *cancellable,
                        GError          **error)
{
  gboolean flushed;

  g_return_val_if_fail (self != NULL, FALSE);

  flushed = poste_connection_flush (self, cancellable, error);
  if (g_io_stream_is_closed (self->stream))
    return flushed;
  if (!flushed)
    {
      g_io_stream_close (self->stream, NULL, NULL);
      return FALSE;
    }
  return g_io_stream_close (self->stream, cancellable, error);
}
