/* poste-test-wire.h: the test provider's own line reader, writer and reply parser
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define POSTE_TEST_WIRE_ERROR (poste_test_wire_error_quark ())

/**
 * PosteTestWireError:
 * @POSTE_TEST_WIRE_ERROR_CLOSED: the peer closed the connection
 * @POSTE_TEST_WIRE_ERROR_LINE_TOO_LONG: more than the limit arrived without a line end
 * @POSTE_TEST_WIRE_ERROR_BARE_LF: a line ended in LF without CR (RFC 5321 section 2.3.8)
 * @POSTE_TEST_WIRE_ERROR_MALFORMED: a reply that is not one (RFC 5321 section 4.2)
 * @POSTE_TEST_WIRE_ERROR_INJECTION: bytes arrived before a TLS handshake (RFC 3207 section 6)
 */
typedef enum {
  POSTE_TEST_WIRE_ERROR_CLOSED,
  POSTE_TEST_WIRE_ERROR_LINE_TOO_LONG,
  POSTE_TEST_WIRE_ERROR_BARE_LF,
  POSTE_TEST_WIRE_ERROR_MALFORMED,
  POSTE_TEST_WIRE_ERROR_INJECTION,
} PosteTestWireError;

typedef struct _PosteTestWire PosteTestWire;

/**
 * PosteTestReply:
 * @code: the three-digit code, the same on every line
 * @lines: (array zero-terminated=1): each line's text after the code and its separator
 *
 * A reply as the peer sent it; the text is kept whole (an enhanced status code included).
 */
typedef struct {
  guint   code;
  char  **lines;
} PosteTestReply;

GQuark          poste_test_wire_error_quark (void);

PosteTestWire  *poste_test_wire_new         (GIOStream       *stream);
void            poste_test_wire_unref       (PosteTestWire   *self);
GIOStream      *poste_test_wire_get_stream  (PosteTestWire   *self);
void            poste_test_wire_set_timeout (PosteTestWire   *self,
                                             guint            seconds);
const char     *poste_test_wire_read_line   (PosteTestWire   *self,
                                             gsize            max_length,
                                             gsize           *length,
                                             GCancellable    *cancellable,
                                             GError         **error);
const guint8   *poste_test_wire_peek        (PosteTestWire   *self,
                                             gsize           *length,
                                             GCancellable    *cancellable,
                                             GError         **error);
void            poste_test_wire_consume     (PosteTestWire   *self,
                                             gsize            length);
gboolean        poste_test_wire_write       (PosteTestWire   *self,
                                             const void      *data,
                                             gsize            length,
                                             GCancellable    *cancellable,
                                             GError         **error);
gboolean        poste_test_wire_write_line  (PosteTestWire   *self,
                                             const char      *line,
                                             GCancellable    *cancellable,
                                             GError         **error);
gboolean        poste_test_wire_flush       (PosteTestWire   *self,
                                             GCancellable    *cancellable,
                                             GError         **error);
gboolean        poste_test_wire_handshake   (PosteTestWire   *self,
                                             GTlsConnection  *tls,
                                             GCancellable    *cancellable,
                                             GError         **error);
gboolean        poste_test_wire_close       (PosteTestWire   *self,
                                             GCancellable    *cancellable,
                                             GError         **error);

PosteTestReply *poste_test_reply_read       (PosteTestWire   *wire,
                                             GCancellable    *cancellable,
                                             GError         **error);
void            poste_test_reply_free       (PosteTestReply  *reply);
gboolean        poste_test_reply_has_keyword (const PosteTestReply *reply,
                                             const char      *keyword,
                                             const char     **params);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PosteTestWire, poste_test_wire_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PosteTestReply, poste_test_reply_free)

G_END_DECLS
