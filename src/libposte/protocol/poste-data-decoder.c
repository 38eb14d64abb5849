/* poste-data-decoder.c: the byte-level state machine that reads an SMTP message body
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The decoder is pure: it takes raw bytes as they arrive from the network, in pieces of any
 * size split at any point, and hands the message on in chunks of at most
 * POSTE_DATA_DECODER_CHUNK bytes. It holds at most that many bytes plus the two or three bytes
 * whose meaning depends on what comes next (a CR that may start CR LF, a dot at the start of a
 * line that may be stuffing or the end), so the memory of a session does not grow with the size
 * of a message.
 *
 * In the DATA mode (RFC 5321 section 4.5.2):
 *  - the message ends only on CR LF . CR LF (the first line of the message counts as following a
 *    CR LF, so ". CR LF" right after the 354 is an empty message); "\n.\r\n" and "\r\n.\n" are
 *    not ends: the bare LF in them is flagged, and the reading goes on;
 *  - a dot at the start of a line (after CR LF) is removed, whatever follows it (the sender
 *    doubled it);
 *  - every other byte is passed on unchanged: a bare LF, a bare CR or a NUL is never dropped or
 *    rewritten, only flagged (POSTE_DATA_DECODER_FLAG_*), and the session's policy decides
 *    (see poste-server.c); lines over 998 octets are passed on whole and flagged.
 *
 * In the BDAT mode (RFC 3030) there is no stuffing and no end marker; the caller says where the
 * message ends with poste_data_decoder_finish(). The same flags are kept.
 */
#include "config.h"

#include <string.h>

#include "poste-data-decoder.h"

typedef enum {
  STATE_BOL,      /* at the start of a line (after CR LF, or the first byte) */
  STATE_MID,      /* inside a line */
  STATE_CR,       /* a CR is held: is the next byte a LF? */
  STATE_DOT,      /* a dot at the start of a line is held */
  STATE_DOT_CR,   /* ". CR" at the start of a line is held */
  STATE_DONE,     /* CR LF . CR LF seen (or finish() called) */
} State;

struct _PosteDataDecoder
{
  PosteDataDecoderMode   mode;
  State                  state;
  PosteDataDecoderFlags  flags;
  guint64                size;
  gsize                  line_length;
  gsize                  longest_line;
  gsize                  out_length;
  guint8                 out[POSTE_DATA_DECODER_CHUNK];
};

/**
 * poste_data_decoder_new:
 * @mode: %POSTE_DATA_DECODER_DOT for DATA, %POSTE_DATA_DECODER_RAW for BDAT
 *
 * Returns: (transfer full): a new decoder at the start of a message; free with
 *   poste_data_decoder_free()
 */
PosteDataDecoder *
poste_data_decoder_new (PosteDataDecoderMode mode)
{
  PosteDataDecoder *self = g_new0 (PosteDataDecoder, 1);

  self->mode = mode;
  self->state = STATE_BOL;
  return self;
}

/**
 * poste_data_decoder_free:
 * @self: (transfer full) (nullable): a decoder
 */
void
poste_data_decoder_free (PosteDataDecoder *self)
{
  g_free (self);
}

/**
 * poste_data_decoder_reset:
 * @self: a decoder
 *
 * Starts a new message, keeping the mode. Any held byte is dropped.
 */
void
poste_data_decoder_reset (PosteDataDecoder *self)
{
  g_return_if_fail (self != NULL);

  self->state = STATE_BOL;
  self->flags = POSTE_DATA_DECODER_FLAG_NONE;
  self->size = 0;
  self->line_length = 0;
  self->longest_line = 0;
  self->out_length = 0;
}

static void
flush_out (PosteDataDecoder     *self,
           PosteDataDecoderFunc  func,
           gpointer              user_data)
{
  if (self->out_length > 0)
    {
      func (self->out, self->out_length, user_data);
      self->out_length = 0;
    }
}

static inline void
put (PosteDataDecoder     *self,
     guint8                byte,
     PosteDataDecoderFunc  func,
     gpointer              user_data)
{
  self->out[self->out_length++] = byte;
  self->size++;
  if (self->out_length == sizeof self->out)
    flush_out (self, func, user_data);
}

/* A byte of line content (neither of the CR LF that end a line). */
static inline void
put_content (PosteDataDecoder     *self,
             guint8                byte,
             PosteDataDecoderFunc  func,
             gpointer              user_data)
{
  put (self, byte, func, user_data);
  self->line_length++;
  if (self->line_length > self->longest_line)
    {
      self->longest_line = self->line_length;
      if (self->line_length > POSTE_DATA_DECODER_MAX_LINE)
        self->flags |= POSTE_DATA_DECODER_FLAG_LONG_LINE;
    }
}

static void
step (PosteDataDecoder     *self,
      guint8                byte,
      PosteDataDecoderFunc  func,
      gpointer              user_data)
{
  for (;;)
    {
      switch (self->state)
        {
        case STATE_BOL:
        case STATE_MID:
          if (byte == '\r')
            self->state = STATE_CR;
          else if (byte == '\n')
            {
              /* A bare LF ends nothing: the next line is not "after CR LF", so neither its dot
               * nor a following ". CR LF" counts. */
              self->flags |= POSTE_DATA_DECODER_FLAG_BARE_LF;
              put (self, byte, func, user_data);
              self->line_length = 0;
              self->state = STATE_MID;
            }
          else if (self->state == STATE_BOL && byte == '.' && self->mode == POSTE_DATA_DECODER_DOT)
            self->state = STATE_DOT;
          else
            {
              if (byte == '\0')
                self->flags |= POSTE_DATA_DECODER_FLAG_NUL;
              put_content (self, byte, func, user_data);
              self->state = STATE_MID;
            }
          return;

        case STATE_CR:
          if (byte == '\n')
            {
              put (self, '\r', func, user_data);
              put (self, '\n', func, user_data);
              self->line_length = 0;
              self->state = STATE_BOL;
              return;
            }
          self->flags |= POSTE_DATA_DECODER_FLAG_BARE_CR;
          put_content (self, '\r', func, user_data);
          self->state = STATE_MID;
          continue;                     /* the byte itself is still to be read */

        case STATE_DOT:
          if (byte == '\r')
            {
              self->state = STATE_DOT_CR;
              return;
            }
          /* The dot was stuffing (RFC 5321 section 4.5.2): drop it, read the byte in the line. */
          self->state = STATE_MID;
          continue;

        case STATE_DOT_CR:
          if (byte == '\n')
            {
              self->state = STATE_DONE;
              return;
            }
          /* ". CR x": the dot was stuffing and the CR is bare. */
          self->flags |= POSTE_DATA_DECODER_FLAG_BARE_CR;
          put_content (self, '\r', func, user_data);
          self->state = STATE_MID;
          continue;

        case STATE_DONE:
        default:
          g_assert_not_reached ();
        }
    }
}

/**
 * poste_data_decoder_feed:
 * @self: a decoder
 * @data: (array length=length): bytes as received
 * @length: how many
 * @func: (scope call): receives the decoded bytes
 * @user_data: data for @func
 *
 * Decodes @data. In the DATA mode, reading stops right after the LF of the final CR LF . CR LF:
 * the bytes after it (a pipelined command) are not consumed. Every decoded byte has been passed to
 * @func when this returns, except the few whose meaning depends on the next bytes.
 *
 * Returns: how many bytes of @data were consumed: @length, or fewer when the end was found
 */
gsize
poste_data_decoder_feed (PosteDataDecoder     *self,
                         const guint8         *data,
                         gsize                 length,
                         PosteDataDecoderFunc  func,
                         gpointer              user_data)
{
  gsize i;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (data != NULL || length == 0, 0);
  g_return_val_if_fail (func != NULL, 0);

  for (i = 0; i < length && self->state != STATE_DONE; i++)
    step (self, data[i], func, user_data);

  flush_out (self, func, user_data);
  return i;
}

/**
 * poste_data_decoder_finish:
 * @self: a decoder
 * @func: (scope call): receives the last decoded bytes
 * @user_data: data for @func
 *
 * Ends the message in the BDAT mode (after the LAST chunk): a CR still held is a bare CR and is
 * passed on. In the DATA mode, where only CR LF . CR LF ends a message, this only marks the
 * decoder as done (held bytes are dropped: the message is incomplete and must be aborted).
 */
void
poste_data_decoder_finish (PosteDataDecoder     *self,
                           PosteDataDecoderFunc  func,
                           gpointer              user_data)
{
  g_return_if_fail (self != NULL);

  if (self->mode == POSTE_DATA_DECODER_RAW && self->state == STATE_CR)
    {
      self->flags |= POSTE_DATA_DECODER_FLAG_BARE_CR;
      put_content (self, '\r', func, user_data);
    }
  flush_out (self, func, user_data);
  self->state = STATE_DONE;
}

/**
 * poste_data_decoder_is_done:
 * @self: a decoder
 *
 * Returns: %TRUE once the end of the message was read
 */
gboolean
poste_data_decoder_is_done (PosteDataDecoder *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->state == STATE_DONE;
}

/**
 * poste_data_decoder_get_flags:
 * @self: a decoder
 *
 * Returns: what was seen in the message so far
 */
PosteDataDecoderFlags
poste_data_decoder_get_flags (PosteDataDecoder *self)
{
  g_return_val_if_fail (self != NULL, POSTE_DATA_DECODER_FLAG_NONE);

  return self->flags;
}

/**
 * poste_data_decoder_get_size:
 * @self: a decoder
 *
 * Returns: the bytes passed on so far, in bytes (after dot-unstuffing)
 */
guint64
poste_data_decoder_get_size (PosteDataDecoder *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->size;
}

/**
 * poste_data_decoder_get_longest_line:
 * @self: a decoder
 *
 * Returns: the longest line so far in octets, without its line end
 */
gsize
poste_data_decoder_get_longest_line (PosteDataDecoder *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->longest_line;
}
