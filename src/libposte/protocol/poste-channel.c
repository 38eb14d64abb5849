/* poste-channel.c: one connection to a provider, with its deadlines, transcript and progress
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The channel is what the client phase and the reversed state have in common, and all they have
 * in common: neither knows the other nor the session that runs them. The transcript keeps what
 * went over the wire, made printable, bounded (its head and its tail); secrets never reach it
 * because the callers log a redaction instead (see poste-client.c's AUTH).
 */
#include "config.h"

#include "poste-channel.h"
#include "poste-error.h"

/**
 * poste_channel_new:
 * @timeout: the deadline for each read and write, in seconds
 *
 * Returns: (transfer full): an unconnected channel in the idle state
 */
PosteChannel *
poste_channel_new (guint timeout)
{
  PosteChannel *channel = g_new0 (PosteChannel, 1);

  channel->timeout = timeout;
  channel->current_size = -1;
  channel->current_total = -1;
  channel->transcript = g_ptr_array_new_with_free_func (g_free);
  channel->transcript_tail = g_ptr_array_new_with_free_func (g_free);
  return channel;
}

/**
 * poste_channel_free:
 * @channel: (nullable): a channel
 *
 * Frees the channel and drops its connection (without closing it: see poste_channel_close()).
 */
void
poste_channel_free (PosteChannel *channel)
{
  if (channel == NULL)
    return;
  g_clear_pointer (&channel->connection, poste_connection_unref);
  g_clear_object (&channel->tls);
  g_clear_object (&channel->socket);
  g_clear_object (&channel->peer_certificate);
  g_free (channel->peer_address);
  g_free (channel->tls_description);
  g_free (channel->tls_protocol);
  g_free (channel->tls_cipher);
  g_ptr_array_unref (channel->transcript);
  g_ptr_array_unref (channel->transcript_tail);
  g_free (channel);
}

/**
 * poste_channel_progress:
 * @channel: a channel
 *
 * Tells the notify callback that the progress changed.
 */
void
poste_channel_progress (PosteChannel *channel)
{
  if (channel->notify != NULL)
    channel->notify (channel, channel->notify_data);
}

/**
 * poste_channel_set_state:
 * @channel: a channel
 * @state: where the session is now
 */
void
poste_channel_set_state (PosteChannel      *channel,
                         PosteSessionState  state)
{
  if (channel->state == state)
    return;
  channel->state = state;
  g_debug ("channel: %s", poste_session_state_to_string (state));
  poste_channel_progress (channel);
}

static void
transcript_add (PosteChannel *channel,
                char         *line)
{
  if (channel->transcript->len < POSTE_CHANNEL_TRANSCRIPT_HEAD)
    g_ptr_array_add (channel->transcript, line);
  else if (channel->transcript_tail->len < POSTE_CHANNEL_TRANSCRIPT_TAIL)
    g_ptr_array_add (channel->transcript_tail, line);
  else
    {
      g_free (channel->transcript_tail->pdata[channel->tail_next]);
      channel->transcript_tail->pdata[channel->tail_next] = line;
      channel->tail_next = (channel->tail_next + 1) % POSTE_CHANNEL_TRANSCRIPT_TAIL;
      channel->transcript_dropped++;
    }
}

/**
 * poste_channel_dup_transcript:
 * @channel: a channel
 *
 * Returns: (transfer full) (element-type utf8): the transcript in order: the first lines, a note
 *   of how many were left out, the last lines
 */
GPtrArray *
poste_channel_dup_transcript (PosteChannel *channel)
{
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);
  guint n = channel->transcript_tail->len;

  for (guint i = 0; i < channel->transcript->len; i++)
    g_ptr_array_add (lines, g_strdup (channel->transcript->pdata[i]));
  if (channel->transcript_dropped > 0)
    g_ptr_array_add (lines, g_strdup_printf ("*  (%" G_GUINT64_FORMAT " lines left out)",
                                             channel->transcript_dropped));
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (lines,
                     g_strdup (channel->transcript_tail->pdata[(channel->tail_next + i) % n]));
  return lines;
}

/**
 * poste_channel_note:
 * @channel: a channel
 * @format: a printf() format for a note of ours ("*  " in the transcript)
 * @...: its arguments
 */
void
poste_channel_note (PosteChannel *channel,
                    const char   *format,
                    ...)
{
  g_autofree char *text = NULL;
  g_autofree char *printable = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  printable = poste_printable (text, -1);
  transcript_add (channel, g_strconcat ("*  ", printable, NULL));
}

/**
 * poste_channel_log_line:
 * @channel: a channel
 * @prefix: "C: " (the customer, us) or "S: " (the provider)
 * @line: what went over the wire; made printable here
 * @length: its length in bytes, or -1 when nul-terminated
 */
void
poste_channel_log_line (PosteChannel *channel,
                        const char   *prefix,
                        const char   *line,
                        gssize        length)
{
  g_autofree char *printable = poste_printable (line, length);

  transcript_add (channel, g_strconcat (prefix, printable, NULL));
}

/**
 * poste_channel_log_reply:
 * @channel: a channel
 * @prefix: as for poste_channel_log_line()
 * @reply: a reply, logged line by line
 */
void
poste_channel_log_reply (PosteChannel     *channel,
                         const char       *prefix,
                         const PosteReply *reply)
{
  g_autofree char *text = poste_reply_to_string (reply);
  g_auto(GStrv) lines = g_strsplit (text, "\r\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    if (lines[i][0] != '\0')
      poste_channel_log_line (channel, prefix, lines[i], -1);
}

/**
 * poste_channel_send_reply:
 * @channel: a connected channel
 * @reply: our reply, in the reversed state
 * @error: return location for a #GError
 *
 * Logs and sends one of our replies (buffered: the caller flushes).
 *
 * Returns: %TRUE when written; %FALSE with a #GIOError
 */
gboolean
poste_channel_send_reply (PosteChannel      *channel,
                          const PosteReply  *reply,
                          GError           **error)
{
  poste_channel_log_reply (channel, "C: ", reply);
  return poste_reply_send (reply, channel->connection, channel->cancellable, error);
}

/**
 * poste_channel_close:
 * @channel: a channel
 * @seconds: how long closing may block, at most
 *
 * Closes the connection (with a TLS close_notify when possible), without waiting long: GIO
 * closes a TLS stream with blocking calls, so a socket timeout bounds them.
 */
void
poste_channel_close (PosteChannel *channel,
                     guint         seconds)
{
  if (channel->connection == NULL)
    return;
  if (channel->socket != NULL)
    g_socket_set_timeout (g_socket_connection_get_socket (channel->socket), seconds);
  poste_connection_set_timeout (channel->connection, seconds);
  poste_connection_close (channel->connection, NULL, NULL);
  if (channel->socket != NULL)
    g_io_stream_close (G_IO_STREAM (channel->socket), NULL, NULL);
}
