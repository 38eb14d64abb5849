/* poste-data-encoder.h: the byte-level state machine that writes an SMTP message body
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * PosteDataEncoderMode:
 * @POSTE_DATA_ENCODER_DOT: the content of DATA (RFC 5321 section 4.5.2): dot-stuffed, ended by
 *   CR LF . CR LF
 * @POSTE_DATA_ENCODER_RAW: the content of BDAT chunks (RFC 3030): no dot-stuffing and no
 *   terminator, the end is the caller's `BDAT n LAST`
 *
 * The two ways a message body goes on the wire; the mirror of #PosteDataDecoderMode.
 */
typedef enum {
  POSTE_DATA_ENCODER_DOT,
  POSTE_DATA_ENCODER_RAW,
} PosteDataEncoderMode;

typedef struct _PosteDataEncoder PosteDataEncoder;

PosteDataEncoder *poste_data_encoder_new      (PosteDataEncoderMode  mode);
void              poste_data_encoder_free     (PosteDataEncoder     *self);
void              poste_data_encoder_reset    (PosteDataEncoder     *self);
void              poste_data_encoder_feed     (PosteDataEncoder     *self,
                                               const guint8         *data,
                                               gsize                 length,
                                               GByteArray           *out);
void              poste_data_encoder_finish   (PosteDataEncoder     *self,
                                               GByteArray           *out);
guint64           poste_data_encoder_get_size (PosteDataEncoder     *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PosteDataEncoder, poste_data_encoder_free)

G_END_DECLS
