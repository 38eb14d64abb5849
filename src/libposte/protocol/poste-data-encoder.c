/* poste-data-encoder.c: the byte-level state machine that writes an SMTP message body
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The mirror of poste-data-decoder.c, and the one place a message body is prepared for another
 * SMTP or LMTP server: the local MTA of an SMTP or LMTP target, and the provider's relay for the
 * outbox.
 *
 * The line-end policy: a bare CR or a bare LF is never passed on to another server, which would
 * each read it its own way (the root of SMTP smuggling; RFC 5321 section 2.3.8 allows CR and LF
 * only together). CR LF stays; each bare CR and each bare LF becomes CR LF; a body that does not
 * end with CR LF gets one, so the final dot (or the end of the last BDAT chunk) always follows a
 * line end. An empty body stays empty.
 *
 * Dot-stuffing (RFC 5321 section 4.5.2, DOT mode only): a '.' that starts a line is doubled, and
 * finish() adds the final ".\r\n".
 *
 * The encoder holds one byte of state between calls (a CR whose meaning the next byte decides),
 * so a body of any size goes through it in the caller's chunks; its output for a chunk is at most
 * twice the chunk plus five bytes.
 */
#include "config.h"

#include "poste-data-encoder.h"

struct _PosteDataEncoder
{
  PosteDataEncoderMode mode;
  gboolean             line_start;   /* the next byte starts a line */
  gboolean             pending_cr;   /* the last byte fed was a CR: CR LF or bare, not known */
  guint64              size;         /* bytes of body written so far, terminator excluded */
};

/**
 * poste_data_encoder_new:
 * @mode: DATA (dot-stuffed) or BDAT (raw)
 *
 * Returns: (transfer full): a new encoder at the start of a body; free with
 *   poste_data_encoder_free()
 */
PosteDataEncoder *
poste_data_encoder_new (PosteDataEncoderMode mode)
{
  PosteDataEncoder *self = g_new0 (PosteDataEncoder, 1);

  self->mode = mode;
  poste_data_encoder_reset (self);
  return self;
}

/**
 * poste_data_encoder_free:
 * @self: (nullable): an encoder
 */
void
poste_data_encoder_free (PosteDataEncoder *self)
{
  g_free (self);
}

/**
 * poste_data_encoder_reset:
 * @self: an encoder
 *
 * Starts a new body, forgetting any state of the last one.
 */
void
poste_data_encoder_reset (PosteDataEncoder *self)
{
  g_return_if_fail (self != NULL);

  self->line_start = TRUE;
  self->pending_cr = FALSE;
  self->size = 0;
}

static void
put_line_end (PosteDataEncoder *self,
              GByteArray       *out)
{
  g_byte_array_append (out, (const guint8 *) "\r\n", 2);
  self->size += 2;
  self->line_start = TRUE;
}

/**
 * poste_data_encoder_feed:
 * @self: an encoder
 * @data: (array length=length): the next bytes of the message as stored
 * @length: how many
 * @out: where the bytes to send are appended (at most 2 × @length + 2 of them)
 *
 * Encodes the next bytes of a body: line ends made CR LF, and in DOT mode leading dots doubled.
 * A CR at the end of @data is held until the next call or poste_data_encoder_finish().
 */
void
poste_data_encoder_feed (PosteDataEncoder *self,
                         const guint8     *data,
                         gsize             length,
                         GByteArray       *out)
{
  gsize i = 0;

  g_return_if_fail (self != NULL);
  g_return_if_fail (data != NULL || length == 0);
  g_return_if_fail (out != NULL);

  while (i < length)
    {
      gsize run;

      if (self->pending_cr)
        {
          /* CR LF, or a bare CR: either way one line end. */
          self->pending_cr = FALSE;
          put_line_end (self, out);
          if (data[i] == '\n')
            i++;
          continue;
        }
      if (data[i] == '\r')
        {
          self->pending_cr = TRUE;
          i++;
          continue;
        }
      if (data[i] == '\n')
        {
          put_line_end (self, out);
          i++;
          continue;
        }
      if (self->line_start && data[i] == '.' && self->mode == POSTE_DATA_ENCODER_DOT)
        g_byte_array_append (out, (const guint8 *) ".", 1);
      /* The rest of the line goes out as one run. */
      for (run = i; run < length && data[run] != '\r' && data[run] != '\n'; run++)
        ;
      g_byte_array_append (out, data + i, (guint) (run - i));
      self->size += run - i;
      self->line_start = FALSE;
      i = run;
    }
}

/**
 * poste_data_encoder_finish:
 * @self: an encoder
 * @out: where the last bytes are appended
 *
 * Ends the body: a held CR becomes CR LF, a last line without a line end gets one, and in DOT
 * mode the final ".\r\n" follows (RFC 5321 section 4.1.1.4). Reset the encoder before the next
 * body.
 */
void
poste_data_encoder_finish (PosteDataEncoder *self,
                           GByteArray       *out)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (out != NULL);

  if (self->pending_cr || !self->line_start)
    {
      self->pending_cr = FALSE;
      put_line_end (self, out);
    }
  if (self->mode == POSTE_DATA_ENCODER_DOT)
    g_byte_array_append (out, (const guint8 *) ".\r\n", 3);
}

/**
 * poste_data_encoder_get_size:
 * @self: an encoder
 *
 * Returns: the bytes of body written so far, in octets, after line-end repair and without
 *   dot-stuffing or the terminator: the size the receiving server stores
 */
guint64
poste_data_encoder_get_size (PosteDataEncoder *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->size;
}
