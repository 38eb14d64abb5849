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

/*
 * PosteFileWriter: the message's way into a local file while DATA streams in, shared by the
 * Maildir, mbox and MDA targets. Each chunk goes through a #PosteUnixFilter into @buffer, which is
 * written to @fd whenever it holds @flush_size octets or more, and at the end of the message. The
 * first failed write is kept in @error: every later write fails with it and so does the end of
 * the message, so a message with a hole in it is never acknowledged. The target keeps what is
 * its own: where @fd comes from, and what happens to the file after
 * _poste_file_writer_finish () (fsync and rename, the mbox append, the MDA's run).
 */
typedef struct
{
  int              fd;          /* (owned) the file being written, -1 between transactions */
  gsize            flush_size;  /* octets gathered in @buffer before they are written */
  PosteUnixFilter  filter;
  GByteArray      *buffer;      /* (owned) the Unix form not yet written */
  GError          *error;       /* (owned) (nullable) the first write that failed */
} PosteFileWriter;

void      _poste_file_writer_init   (PosteFileWriter  *writer,
                                     gsize             flush_size);
void      _poste_file_writer_start  (PosteFileWriter  *writer,
                                     int               fd,
                                     gboolean          mboxrd);
gboolean  _poste_file_writer_write  (PosteFileWriter  *writer,
                                     const guint8     *data,
                                     gsize             length,
                                     GError          **error);
gboolean  _poste_file_writer_finish (PosteFileWriter  *writer,
                                     GError          **error);
void      _poste_file_writer_reset  (PosteFileWriter  *writer);
void      _poste_file_writer_clear  (PosteFileWriter  *writer);

char     *_poste_delivery_expand_path  (const char   *path,
                                        GError      **error);
gboolean  _poste_fsync_directory       (const char   *path,
                                        GError      **error);
gboolean  _poste_write_all             (int           fd,
                                        const guint8 *data,
                                        gsize         length,
                                        GError      **error);
int       _poste_open_spool            (const char   *dir,
                                        const char   *prefix,
                                        GError      **error);
PosteReply *_poste_reply_for_errno     (int           errsv,
                                        const char   *format,
                                        ...) G_GNUC_PRINTF (2, 3);
PosteReply *_poste_reply_for_write_error (const GError *error);
gboolean  _poste_address_is_safe_argument (const char *address,
                                           gboolean    allow_empty);
char     *_poste_mbox_sanitise_sender  (const char   *sender);
char     *_poste_mbox_from_line        (const char   *sender,
                                        gint64        unix_time);

PosteDelivery *_poste_mda_delivery_new_for_command (const char  *command,
                                                    GError     **error);

G_END_DECLS
