/* poste-reply.h: SMTP replies, parsed and formatted (RFC 5321 section 4.2, RFC 3463)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "poste-types.h"

G_BEGIN_DECLS

/**
 * POSTE_REPLY_MAX_LINE:
 *
 * The longest reply line accepted, in octets including the code (RFC 5321 section 4.5.3.1.5
 * allows 512 with CR LF).
 */
#define POSTE_REPLY_MAX_LINE 512

/**
 * POSTE_REPLY_MAX_LINES:
 *
 * The most lines one reply may have. RFC 5321 sets no limit; EHLO replies of real servers
 * have about 15 lines, so 100 is generous and bounds an endless multi-line reply.
 */
#define POSTE_REPLY_MAX_LINES 100

/**
 * PosteReply:
 * @code: the three-digit reply code, 200 to 599
 * @enhanced: (nullable): the enhanced status code of the first line ("2.1.5", RFC 3463), or
 *   %NULL when the reply has none
 * @lines: (array zero-terminated=1): the text of each line, without code, separator or enhanced
 *   code, printable ASCII and UTF-8 only
 *
 * One SMTP reply. Boxed type; free with poste_reply_free().
 */
struct _PosteReply
{
  guint   code;
  char   *enhanced;
  char  **lines;
};

GType       poste_reply_get_type      (void) G_GNUC_CONST;
PosteReply *poste_reply_new           (guint              code,
                                       const char        *enhanced,
                                       const char        *format,
                                       ...) G_GNUC_PRINTF (3, 4);
PosteReply *poste_reply_new_lines     (guint              code,
                                       const char        *enhanced,
                                       const char *const *lines);
PosteReply *poste_reply_copy          (const PosteReply  *reply);
void        poste_reply_free          (PosteReply        *reply);
PosteReply *poste_reply_read          (PosteConnection   *connection,
                                       GCancellable      *cancellable,
                                       GError           **error);
PosteReply *poste_reply_parse         (const char        *text,
                                       gsize              length,
                                       GError           **error);
char       *poste_reply_to_string     (const PosteReply  *reply);
char       *poste_reply_describe      (const PosteReply  *reply);
gboolean    poste_reply_send          (const PosteReply  *reply,
                                       PosteConnection   *connection,
                                       GCancellable      *cancellable,
                                       GError           **error);
gboolean    poste_reply_is_positive   (const PosteReply  *reply);
gboolean    poste_reply_is_transient  (const PosteReply  *reply);
gboolean    poste_reply_is_permanent  (const PosteReply  *reply);
gboolean    poste_reply_has_keyword   (const PosteReply  *reply,
                                       const char        *keyword,
                                       const char       **parameters);

char       *poste_printable           (const char        *text,
                                       gssize             length);

#define POSTE_TYPE_REPLY (poste_reply_get_type ())
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PosteReply, poste_reply_free)

G_END_DECLS
