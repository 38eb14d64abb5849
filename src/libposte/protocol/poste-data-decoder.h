/* poste-data-decoder.h: the byte-level state machine that reads an SMTP message body
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * POSTE_DATA_DECODER_CHUNK:
 *
 * The largest chunk the decoder hands to its output function, in bytes. The decoder never holds
 * more than this (plus three bytes of pending state), whatever the size of the message.
 */
#define POSTE_DATA_DECODER_CHUNK (16 * 1024)

/**
 * POSTE_DATA_DECODER_MAX_LINE:
 *
 * The longest line RFC 5321 section 4.5.3.1.6 allows in a message, 998 octets without CR LF.
 */
#define POSTE_DATA_DECODER_MAX_LINE 998

/**
 * PosteDataDecoderMode:
 * @POSTE_DATA_DECODER_DOT: the content of DATA (RFC 5321 section 4.5.2): dot-stuffed and ended
 *   by CR LF . CR LF
 * @POSTE_DATA_DECODER_RAW: the content of BDAT chunks (RFC 3030): taken as it is, the end given
 *   by the caller with poste_data_decoder_finish()
 */
typedef enum {
  POSTE_DATA_DECODER_DOT,
  POSTE_DATA_DECODER_RAW,
} PosteDataDecoderMode;

/**
 * PosteDataDecoderFlags:
 * @POSTE_DATA_DECODER_FLAG_NONE: nothing noteworthy
 * @POSTE_DATA_DECODER_FLAG_BARE_LF: a LF that does not follow a CR
 * @POSTE_DATA_DECODER_FLAG_BARE_CR: a CR that is not followed by a LF
 * @POSTE_DATA_DECODER_FLAG_NUL: a NUL byte
 * @POSTE_DATA_DECODER_FLAG_LONG_LINE: a line longer than %POSTE_DATA_DECODER_MAX_LINE octets
 *
 * What the decoder saw in a message. The bytes are always passed on unchanged (apart from
 * dot-unstuffing); the flags let the session apply its policy.
 */
typedef enum {
  POSTE_DATA_DECODER_FLAG_NONE      = 0,
  POSTE_DATA_DECODER_FLAG_BARE_LF   = 1 << 0,
  POSTE_DATA_DECODER_FLAG_BARE_CR   = 1 << 1,
  POSTE_DATA_DECODER_FLAG_NUL       = 1 << 2,
  POSTE_DATA_DECODER_FLAG_LONG_LINE = 1 << 3,
} PosteDataDecoderFlags;

/**
 * PosteDataDecoderFunc:
 * @data: (array length=length): decoded bytes
 * @length: how many, never 0 and at most %POSTE_DATA_DECODER_CHUNK
 * @user_data: the caller's data
 *
 * Receives the decoded message, chunk by chunk, in order.
 */
typedef void (*PosteDataDecoderFunc) (const guint8 *data,
                                      gsize         length,
                                      gpointer      user_data);

typedef struct _PosteDataDecoder PosteDataDecoder;

PosteDataDecoder      *poste_data_decoder_new          (PosteDataDecoderMode  mode);
void                   poste_data_decoder_free         (PosteDataDecoder     *self);
void                   poste_data_decoder_reset        (PosteDataDecoder     *self);
gsize                  poste_data_decoder_feed         (PosteDataDecoder     *self,
                                                        const guint8         *data,
                                                        gsize                 length,
                                                        PosteDataDecoderFunc  func,
                                                        gpointer              user_data);
void                   poste_data_decoder_finish       (PosteDataDecoder     *self,
                                                        PosteDataDecoderFunc  func,
                                                        gpointer              user_data);
gboolean               poste_data_decoder_is_done      (PosteDataDecoder     *self);
PosteDataDecoderFlags  poste_data_decoder_get_flags    (PosteDataDecoder     *self);
guint64                poste_data_decoder_get_size     (PosteDataDecoder     *self);
gsize                  poste_data_decoder_get_longest_line (PosteDataDecoder *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PosteDataDecoder, poste_data_decoder_free)

G_END_DECLS
