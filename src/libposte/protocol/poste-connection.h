/* poste-connection.h: bounded, deadline-driven line I/O over a GIO stream
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "poste-types.h"

G_BEGIN_DECLS

/**
 * POSTE_CONNECTION_BUFFER_SIZE:
 *
 * The input and output buffer size in bytes. Lines longer than this cannot be read as lines.
 */
#define POSTE_CONNECTION_BUFFER_SIZE (64 * 1024)

/**
 * PosteLineEnd:
 * @POSTE_LINE_END_CRLF: the line ended in CR LF, as SMTP requires
 * @POSTE_LINE_END_LF: the line ended in a bare LF
 * @POSTE_LINE_END_EOF: the stream ended after a partial line (never returned by
 *   poste_connection_read_line(), which fails with %POSTE_PROTOCOL_ERROR_CLOSED instead)
 */
typedef enum {
  POSTE_LINE_END_CRLF,
  POSTE_LINE_END_LF,
  POSTE_LINE_END_EOF,
} PosteLineEnd;

PosteConnection *poste_connection_new               (GIOStream        *stream);
PosteConnection *poste_connection_ref               (PosteConnection  *self);
void             poste_connection_unref             (PosteConnection  *self);
GIOStream       *poste_connection_get_stream        (PosteConnection  *self);
gboolean         poste_connection_replace_stream    (PosteConnection  *self,
                                                     GIOStream        *stream,
                                                     GError          **error);
void             poste_connection_set_timeout       (PosteConnection  *self,
                                                     guint             seconds);
guint            poste_connection_get_timeout       (PosteConnection  *self);
gsize            poste_connection_get_buffered      (PosteConnection  *self);
guint64          poste_connection_get_bytes_read    (PosteConnection  *self);
guint64          poste_connection_get_bytes_written (PosteConnection  *self);
const char      *poste_connection_read_line         (PosteConnection  *self,
                                                     gsize             max_length,
                                                     gsize            *length,
                                                     PosteLineEnd     *line_end,
                                                     GCancellable     *cancellable,
                                                     GError          **error);
const guint8    *poste_connection_peek              (PosteConnection  *self,
                                                     gsize            *length,
                                                     GCancellable     *cancellable,
                                                     GError          **error);
void             poste_connection_consume           (PosteConnection  *self,
                                                     gsize             count);
gboolean         poste_connection_write             (PosteConnection  *self,
                                                     const void       *data,
                                                     gsize             length,
                                                     GCancellable     *cancellable,
                                                     GError          **error);
gboolean         poste_connection_write_line        (PosteConnection  *self,
                                                     const char       *line,
                                                     GCancellable     *cancellable,
                                                     GError          **error);
gboolean         poste_connection_flush             (PosteConnection  *self,
                                                     GCancellable     *cancellable,
                                                     GError          **error);
gboolean         poste_connection_handshake         (PosteConnection  *self,
                                                     GTlsConnection   *tls,
                                                     GCancellable     *cancellable,
                                                     GError          **error);
gboolean         poste_connection_check_tls_version
                                                    (GTlsConnection   *tls,
                                                     GError          **error);
const char      *poste_connection_tls_version_name  (GTlsProtocolVersion version);
gboolean         poste_connection_close             (PosteConnection  *self,
                                                     GCancellable     *cancellable,
                                                     GError          **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PosteConnection, poste_connection_unref)

G_END_DECLS
