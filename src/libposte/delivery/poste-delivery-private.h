/* poste-delivery-private.h: helpers shared by the local delivery targets (not installed)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "poste-delivery.h"

G_BEGIN_DECLS

/*
 * PosteUnixFilter: turns the wire form of a message (CR LF line ends) into the Unix form (LF), and
 * optionally applies mboxrd quoting (a '>' before every line matching "^>*From "). It keeps its
 * state between chunks, so a CR LF pair or a "From " split across two write () calls is handled.
 * A CR not followed by LF is kept as it is. Memory use does not depend on the input.
 */
typedef struct
{
  gboolean  mboxrd;
  gboolean  pending_cr;
  gboolean  at_line_start;
  guint64   gt_count;      /* '>' seen at the start of the current line */
  guint     from_matched;  /* octets of "From " matched after them */
  guint8    last_byte;     /* the last octet emitted, 0 before any */
  guint64   emitted;       /* octets emitted so far */
} PosteUnixFilter;

void      _poste_unix_filter_init   (PosteUnixFilter *filter,
                                     gboolean         mboxrd);
void      _poste_unix_filter_feed   (PosteUnixFilter *filter,
                                     const guint8    *data,
                                     gsize            length,
                                     GByteArray      *out);
void      _poste_unix_filter_finish (PosteUnixFilter *filter,
                                     GByteArray      *out);

char     *_poste_delivery_expand_path  (const char   *path,
                                        GError      **error);
gboolean  _poste_fsync_directory       (const char   *path,
                                        GError      **error);
gboolean  _poste_write_all             (int           fd,
                                        const guint8 *data,
                                        gsize         length,
                                        GError      **error);
PosteReply *_poste_reply_for_errno     (int           errsv,
                                        const char   *what);
gboolean  _poste_address_is_safe_argument (const char *address,
                                           gboolean    allow_empty);
char     *_poste_mbox_sanitise_sender  (const char   *sender);
char     *_poste_mbox_from_line        (const char   *sender,
                                        gint64        unix_time);

PosteDelivery *_poste_mda_delivery_new_for_command (const char  *command,
                                                    GError     **error);

G_END_DECLS
