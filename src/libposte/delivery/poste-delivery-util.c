/* poste-delivery-util.c: helpers shared by the local delivery targets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "poste-config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "poste-delivery-private.h"
#include "poste-error.h"
#include "poste-reply.h"

static const char from_[] = "From ";

/*
 * _poste_unix_filter_init:
 * @filter: the filter state
 * @mboxrd: quote "^>*From " lines with one more '>' (mboxrd)
 */
void
_poste_unix_filter_init (PosteUnixFilter *filter,
                         gboolean         mboxrd)
{
  memset (filter, 0, sizeof *filter);
  filter->mboxrd = mboxrd;
  filter->at_line_start = TRUE;
}

static inline void
emit_byte (PosteUnixFilter *filter,
           GByteArray      *out,
           guint8           c)
{
  g_byte_array_append (out, &c, 1);
  filter->last_byte = c;
  filter->emitted++;
}

/* The line start is decided: emit the '>' and the part of "From " held back so far. */
static void
flush_line_start (PosteUnixFilter *filter,
                  GByteArray      *out,
                  gboolean         quote)
{
  if (quote)
    emit_byte (filter, out, '>');
  for (guint64 i = 0; i < filter->gt_count; i++)
    emit_byte (filter, out, '>');
  for (guint i = 0; i < filter->from_matched; i++)
    emit_byte (filter, out, from_[i]);
  filter->gt_count = 0;
  filter->from_matched = 0;
  filter->at_line_start = FALSE;
}

/* One octet of the Unix form (after CR LF became LF). */
static void
filter_unix_byte (PosteUnixFilter *filter,
                  GByteArray      *out,
                  guint8           c)
{
  if (filter->mboxrd && filter->at_line_start)
    {
      if (c == '>' && filter->from_matched == 0)
        {
          filter->gt_count++;
          return;
        }
      if (c == (guint8) from_[filter->from_matched])
        {
          filter->from_matched++;
          if (filter->from_matched == strlen (from_))
            flush_line_start (filter, out, TRUE);
          return;
        }
      flush_line_start (filter, out, FALSE);
    }

  emit_byte (filter, out, c);
  if (c == '\n')
    filter->at_line_start = TRUE;
}

/*
 * _poste_unix_filter_feed:
 * @filter: the filter state
 * @data: a chunk of the message in its wire form
 * @length: the chunk's length
 * @out: where the Unix form is appended
 */
void
_poste_unix_filter_feed (PosteUnixFilter *filter,
                         const guint8    *data,
                         gsize            length,
                         GByteArray      *out)
{
  for (gsize i = 0; i < length; i++)
    {
      guint8 c = data[i];

      if (filter->pending_cr)
        {
          filter->pending_cr = FALSE;
          if (c == '\n')
            {
              filter_unix_byte (filter, out, '\n');
              continue;
            }
          /* A bare CR: kept as it is. */
          filter_unix_byte (filter, out, '\r');
        }
      if (c == '\r')
        filter->pending_cr = TRUE;
      else
        filter_unix_byte (filter, out, c);
    }
}

/*
 * _poste_unix_filter_finish:
 * @filter: the filter state
 * @out: where the rest is appended
 *
 * Emits what was held back at the end of the message (a final CR, the start of a last line that
 * might have become a "From " line). Calling it again adds nothing.
 */
void
_poste_unix_filter_finish (PosteUnixFilter *filter,
                           GByteArray      *out)
{
  if (filter->pending_cr)
    {
      filter->pending_cr = FALSE;
      filter_unix_byte (filter, out, '\r');
    }
  if (filter->mboxrd && filter->at_line_start && (filter->gt_count > 0 || filter->from_matched > 0))
    flush_line_start (filter, out, FALSE);
}

/*
 * _poste_file_writer_init:
 * @writer: the writer, in the target's instance
 * @flush_size: how many octets of the Unix form to gather before writing them, in octets
 *
 * Readies @writer for the target's lifetime, with no file; free it with
 * _poste_file_writer_clear ().
 */
void
_poste_file_writer_init (PosteFileWriter *writer,
                         gsize            flush_size)
{
  memset (writer, 0, sizeof *writer);
  writer->fd = -1;
  writer->flush_size = flush_size;
  writer->buffer = g_byte_array_new ();
}

/*
 * _poste_file_writer_start:
 * @writer: a writer between transactions
 * @fd: (transfer full): the file the message goes to, open for writing
 * @mboxrd: whether the filter quotes "^>*From " lines (mboxrd)
 *
 * Starts a message: @writer owns @fd from here until _poste_file_writer_reset ().
 */
void
_poste_file_writer_start (PosteFileWriter *writer,
                          int              fd,
                          gboolean         mboxrd)
{
  writer->fd = fd;
  _poste_unix_filter_init (&writer->filter, mboxrd);
}

static gboolean
flush_buffer (PosteFileWriter  *writer,
              GError          **error)
{
  if (writer->buffer->len == 0)
    return TRUE;
  if (!_poste_write_all (writer->fd, writer->buffer->data, writer->buffer->len, error))
    return FALSE;
  g_byte_array_set_size (writer->buffer, 0);
  return TRUE;
}

/*
 * _poste_file_writer_write:
 * @writer: a writer
 * @data: a chunk of the message in its wire form
 * @length: the chunk's length, in octets
 * @error: return location for a #GError
 *
 * Filters @data into the buffer and writes the buffer out once it holds the flush size. A write
 * that fails is remembered: this call and every later one fail with it.
 *
 * Returns: %TRUE on success; %FALSE with %POSTE_DELIVERY_ERROR_TEMPORARY when no message was
 *   started, or the #GIOError of the failed write (%G_IO_ERROR_NO_SPACE for a full disk)
 */
gboolean
_poste_file_writer_write (PosteFileWriter  *writer,
                          const guint8     *data,
                          gsize             length,
                          GError          **error)
{
  if (writer->fd < 0)
    {
      g_set_error_literal (error, POSTE_DELIVERY_ERROR, POSTE_DELIVERY_ERROR_TEMPORARY,
                           _("No transaction is open"));
      return FALSE;
    }
  if (writer->error != NULL)
    {
      g_propagate_error (error, g_error_copy (writer->error));
      return FALSE;
    }
  _poste_unix_filter_feed (&writer->filter, data, length, writer->buffer);
  if (writer->buffer->len >= writer->flush_size && !flush_buffer (writer, &writer->error))
    {
      g_propagate_error (error, g_error_copy (writer->error));
      return FALSE;
    }
  return TRUE;
}

/*
 * _poste_file_writer_finish:
 * @writer: a writer with a started message
 * @error: return location for a #GError
 *
 * Ends the message: what the filter held back and all of the buffer are written to the file
 * (not synced: that is the target's part). The file stays open and owned by @writer.
 *
 * Returns: %TRUE when all of the message is in the file; %FALSE with
 *   %POSTE_DELIVERY_ERROR_TEMPORARY carrying the message of an earlier write that failed (the
 *   session already heard of that one; its reply is 451 4.3.0 whatever the cause), or with the
 *   #GIOError of this last write (%G_IO_ERROR_NO_SPACE for a full disk)
 */
gboolean
_poste_file_writer_finish (PosteFileWriter  *writer,
                           GError          **error)
{
  if (writer->error != NULL)
    {
      g_set_error_literal (error, POSTE_DELIVERY_ERROR, POSTE_DELIVERY_ERROR_TEMPORARY,
                           writer->error->message);
      return FALSE;
    }
  _poste_unix_filter_finish (&writer->filter, writer->buffer);
  return flush_buffer (writer, error);
}

/*
 * _poste_file_writer_reset:
 * @writer: a writer
 *
 * Ends the transaction, whatever its state: closes the file if @writer still owns it, drops what
 * was not written and forgets a failed write.
 */
void
_poste_file_writer_reset (PosteFileWriter *writer)
{
  if (writer->fd >= 0)
    {
      close (writer->fd);
      writer->fd = -1;
    }
  g_byte_array_set_size (writer->buffer, 0);
  g_clear_error (&writer->error);
}

/*
 * _poste_file_writer_clear:
 * @writer: a writer
 *
 * Resets @writer and frees its buffer, for the target's finalize.
 */
void
_poste_file_writer_clear (PosteFileWriter *writer)
{
  _poste_file_writer_reset (writer);
  g_clear_pointer (&writer->buffer, g_byte_array_unref);
}

/*
 * _poste_delivery_expand_path:
 * @path: a path from a target specification, "~" or "~/..." for the home directory
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the absolute path, or %NULL with %POSTE_DELIVERY_ERROR_INVALID
 */
char *
_poste_delivery_expand_path (const char  *path,
                             GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *expanded = NULL;

  if (path == NULL || *path == '\0')
    {
      g_set_error_literal (error, POSTE_DELIVERY_ERROR, POSTE_DELIVERY_ERROR_INVALID,
                           _("The delivery target has no path"));
      return NULL;
    }
  /* The configuration's one rule for paths, in the delivery's error domain. */
  if (!(expanded = poste_config_expand_path (path, &local_error)))
    {
      g_set_error_literal (error, POSTE_DELIVERY_ERROR, POSTE_DELIVERY_ERROR_INVALID,
                           local_error->message);
      return NULL;
    }
  return g_canonicalize_filename (expanded, NULL);
}

/*
 * _poste_fsync_directory:
 * @path: a directory
 * @error: return location for a #GError
 *
 * Makes the directory's entries durable (a rename or a new file in it).
 *
 * Returns: %TRUE on success; %FALSE with a #GIOError
 */
gboolean
_poste_fsync_directory (const char  *path,
                        GError     **error)
{
  int fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int errsv;

  if (fd < 0)
    {
      errsv = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   _("Could not open the folder “%s”: %s"), path, g_strerror (errsv));
      return FALSE;
    }
  if (fsync (fd) < 0 && errno != EINVAL)
    {
      errsv = errno;
      close (fd);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   _("Could not sync the folder “%s”: %s"), path, g_strerror (errsv));
      return FALSE;
    }
  close (fd);
  return TRUE;
}

/*
 * _poste_write_all:
 * @fd: a file descriptor
 * @data: the bytes
 * @length: how many
 * @error: return location for a #GError
 *
 * Writes all of @data, retrying after EINTR and short writes.
 *
 * Returns: %TRUE on success; %FALSE with a #GIOError (%G_IO_ERROR_NO_SPACE for a full disk)
 */
gboolean
_poste_write_all (int           fd,
                  const guint8 *data,
                  gsize         length,
                  GError      **error)
{
  while (length > 0)
    {
      gssize n = write (fd, data, length);

      if (n < 0)
        {
          int errsv = errno;

          if (errsv == EINTR)
            continue;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                       _("Could not write the message: %s"), g_strerror (errsv));
          return FALSE;
        }
      data += n;
      length -= n;
    }
  return TRUE;
}

/*
 * _poste_open_spool:
 * @dir: the folder to spool in
 * @prefix: the start of the file's name where the name is briefly visible (no O_TMPFILE)
 * @error: return location for a #GError
 *
 * Makes an unlinked file in @dir, open for reading and writing, that nobody else can see: with
 * O_TMPFILE, or else a unique name that is removed at once.
 *
 * Returns: (transfer full): the file descriptor, or -1 with a #GIOError
 */
int
_poste_open_spool (const char  *dir,
                   const char  *prefix,
                   GError     **error)
{
  g_autofree char *name = NULL;
  g_autofree char *template = NULL;
  int fd;
  int errsv;

#ifdef O_TMPFILE
  fd = open (dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd >= 0)
    return fd;
#endif
  name = g_strconcat (prefix, "XXXXXX", NULL);
  template = g_build_filename (dir, name, NULL);
  fd = g_mkstemp_full (template, O_RDWR | O_CLOEXEC, 0600);
  if (fd >= 0)
    {
      g_unlink (template);
      return fd;
    }
  errsv = errno;
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
               _("Could not make a spool file in “%s”: %s"), dir, g_strerror (errsv));
  return -1;
}

/*
 * _poste_reply_for_errno:
 * @errsv: an errno value
 * @format: printf () format of what failed, for the reply's text ("WHAT: STRERROR")
 * @...: its arguments
 *
 * A full disk or quota is 452 4.3.1 (RFC 3463, "mail system full"); anything else 451 4.3.0.
 * Never a permanent reply: a local storage failure is always worth another try.
 *
 * Returns: (transfer full): the reply
 */
PosteReply *
_poste_reply_for_errno (int         errsv,
                        const char *format,
                        ...)
{
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);

  if (errsv == ENOSPC || errsv == EDQUOT)
    return poste_reply_new (452, "4.3.1", "%s: %s", what, g_strerror (errsv));
  return poste_reply_new (451, "4.3.0", "%s: %s", what, g_strerror (errsv));
}

/*
 * _poste_reply_for_write_error:
 * @error: why a message could not be written to its file
 *
 * A full disk (%G_IO_ERROR_NO_SPACE) is 452 4.3.1 (RFC 3463, "mail system full"); anything else
 * 451 4.3.0, with @error's message as the text.
 *
 * Returns: (transfer full): the reply
 */
PosteReply *
_poste_reply_for_write_error (const GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE))
    return poste_reply_new (452, "4.3.1", "%s", error->message);
  return poste_reply_new (451, "4.3.0", "%s", error->message);
}

/*
 * _poste_address_is_safe_argument:
 * @address: an envelope address
 * @allow_empty: whether "" (the null sender) is fine
 *
 * Whether @address may become one argument of an MDA's command line. The MDA runs from an
 * argument vector, never through a shell, so shell metacharacters mean nothing there: every
 * address valid under RFC 5321 section 4.1.2 passes, "o'brien@", "u&co@", "u#1@", "{u}@" and a
 * quoted local part ("\"john smith\"@") included, as one whole argument. Refused are only what
 * no argument vector can carry safely: a leading '-' (the MDA would read an option, such as
 * sendmail's -oQ or procmail's -m), control characters (C0, DEL and C1: a line end in an
 * argument splits log lines and headers that scripts write from it), and text that is not UTF-8.
 *
 * Returns: %TRUE if @address may be passed
 */
gboolean
_poste_address_is_safe_argument (const char *address,
                                 gboolean    allow_empty)
{
  if (address == NULL)
    return FALSE;
  if (*address == '\0')
    return allow_empty;
  if (address[0] == '-')
    return FALSE;
  if (!g_utf8_validate (address, -1, NULL))
    return FALSE;
  for (const char *p = address; *p != '\0'; p = g_utf8_next_char (p))
    if (g_unichar_iscntrl (g_utf8_get_char (p)))
      return FALSE;
  return TRUE;
}

/*
 * _poste_mbox_sanitise_sender:
 * @sender: the envelope sender
 *
 * The sender as the "From " line shows it: "MAILER-DAEMON" for the null sender, and every space,
 * control or non-ASCII octet replaced by '_', so the line always parses as
 * "From SENDER DATE".
 *
 * Returns: (transfer full): the sanitised sender
 */
char *
_poste_mbox_sanitise_sender (const char *sender)
{
  GString *s;

  if (sender == NULL || *sender == '\0')
    return g_strdup ("MAILER-DAEMON");
  s = g_string_new (NULL);
  for (const char *p = sender; *p != '\0' && s->len < 256; p++)
    {
      guchar c = *p;

      g_string_append_c (s, (c <= 0x20 || c >= 0x7f) ? '_' : c);
    }
  return g_string_free (s, FALSE);
}

/*
 * _poste_mbox_from_line:
 * @sender: the envelope sender
 * @unix_time: the delivery time
 *
 * The mbox separator line, "From SENDER Www Mmm dd hh:mm:ss yyyy\n" with the date in asctime ()
 * form in local time, always in English whatever the locale.
 *
 * Returns: (transfer full): the line with its LF
 */
char *
_poste_mbox_from_line (const char *sender,
                       gint64      unix_time)
{
  static const char * const days[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
  static const char * const months[] = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
  };
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (unix_time);
  g_autoptr(GDateTime) now = g_date_time_to_local (utc);
  g_autofree char *who = _poste_mbox_sanitise_sender (sender);

  return g_strdup_printf ("From %s %s %s %2d %02d:%02d:%02d %d\n", who,
                          days[g_date_time_get_day_of_week (now) - 1],
                          months[g_date_time_get_month (now) - 1],
                          g_date_time_get_day_of_month (now),
                          g_date_time_get_hour (now),
                          g_date_time_get_minute (now),
                          g_date_time_get_second (now),
                          g_date_time_get_year (now));
}
