/* poste-outbox-writer.c: queueing one message: its envelope addresses checked, its text written
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A writer takes a message in pieces (from `send` or the listener), holds its header until the
 * empty line so that the blind fields (Bcc:, Resent-Bcc:) can be dropped, writes the rest
 * through a buffer into tmp/, and on commit makes it queued as poste-outbox.c describes:
 * the message renamed into queue/ first, then its envelope.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "poste-outbox.h"
#include "poste-outbox-private.h"
#include "poste-outbox-store-private.h"

/**
 * poste_outbox_check_address:
 * @address: an envelope address, without angle brackets
 * @allow_empty: whether "" (the null sender, RFC 5321 section 4.5.5) is allowed
 * @error: return location for a #GError
 *
 * Accepts LOCAL@DOMAIN of at most 254 octets with no spaces, controls, angle brackets or NUL
 * (UTF-8 is allowed, for SMTPUTF8). This is a sanity check against header or command
 * injection, not a full RFC 5321 parser: the relay has the last word.
 *
 * Returns: %TRUE when @address may be used; %FALSE with %POSTE_OUTBOX_ERROR_INVALID
 */
gboolean
poste_outbox_check_address (const char  *address,
                            gboolean     allow_empty,
                            GError     **error)
{
  const char *at;

  if (address == NULL)
    address = "";
  if (*address == '\0' && allow_empty)
    return TRUE;
  at = strrchr (address, '@');
  if (strlen (address) > 254 || at == NULL || at == address || at[1] == '\0' ||
      !g_utf8_validate (address, -1, NULL))
    goto invalid;
  for (const char *p = address; *p != '\0'; p++)
    if ((guchar) *p <= ' ' || *p == 0x7f || *p == '<' || *p == '>')
      goto invalid;
  return TRUE;

invalid:
  {
    g_autofree char *shown = poste_printable (address, -1);

    g_set_error (error, POSTE_OUTBOX_ERROR, POSTE_OUTBOX_ERROR_INVALID,
                 _("'%s' is not a mail address (LOCAL@DOMAIN)"), shown);
    return FALSE;
  }
}

/* The header fields no queued message keeps (RFC 5322 sections 3.6.3 and 3.6.6): they name the
 * blind copies, which the envelope alone carries to the relay. */
static const char * const blind_fields[] = { "Bcc", "Resent-Bcc", NULL };

struct _PosteOutboxWriter
{
  PosteOutbox      *outbox;
  PosteOutboxItem  *item;
  char             *tmp_path;
  int               fd;
  GByteArray       *buffer;
  GByteArray       *head;      /* the header so far, until its empty line; then NULL */
  gsize             scanned;   /* how much of head has no end of header in it */
  gboolean          failed;
};

/**
 * poste_outbox_writer_new:
 * @self: a #PosteOutbox
 * @sender: the envelope sender; "" for the null sender
 * @recipients: (array zero-terminated=1): the envelope recipients, at least one, at most
 *   %POSTE_OUTBOX_MAX_RECIPIENTS
 * @error: return location for a #GError
 *
 * Starts queueing one message: creates its file in tmp/. Write the message (as it is: bare LF
 * or CR LF line ends, not dot-stuffed) with poste_outbox_writer_write(), then
 * poste_outbox_writer_commit(); poste_outbox_writer_free() without a commit leaves no trace.
 *
 * Every message queued loses its `Bcc:` and `Resent-Bcc:` header fields (RFC 5322 section
 * 3.6.3: the blind recipients must not be seen by the others), whichever way it came (`send`,
 * the listener): @recipients, the envelope, still holds them.
 *
 * Returns: (transfer full): a writer, or %NULL with %POSTE_OUTBOX_ERROR_INVALID (an address) or
 *   a %G_IO_ERROR
 */
PosteOutboxWriter *
poste_outbox_writer_new (PosteOutbox         *self,
                         const char          *sender,
                         const char * const  *recipients,
                         GError             **error)
{
  g_autoptr(PosteOutboxWriter) writer = NULL;
  g_autofree char *name = NULL;
  guint count;

  g_return_val_if_fail (POSTE_IS_OUTBOX (self), NULL);
  g_return_val_if_fail (recipients != NULL, NULL);

  if (!poste_outbox_check_address (sender, TRUE, error))
    return NULL;
  count = g_strv_length ((char **) recipients);
  if (count == 0 || count > POSTE_OUTBOX_MAX_RECIPIENTS)
    {
      g_set_error (error, POSTE_OUTBOX_ERROR, POSTE_OUTBOX_ERROR_INVALID,
                   _("A message needs 1 to %u recipients (it has %u)"),
                   POSTE_OUTBOX_MAX_RECIPIENTS, count);
      return NULL;
    }
  for (guint i = 0; i < count; i++)
    if (!poste_outbox_check_address (recipients[i], FALSE, error))
      return NULL;
  if (!_poste_outbox_ensure_folders (self, error))
    return NULL;

  writer = g_new0 (PosteOutboxWriter, 1);
  writer->fd = -1;
  writer->outbox = g_object_ref (self);
  writer->item = g_new0 (PosteOutboxItem, 1);
  writer->item->id = _poste_outbox_new_id ();
  writer->item->sender = g_strdup (sender != NULL ? sender : "");
  writer->item->recipients = g_strdupv ((char **) recipients);
  writer->item->queued = g_get_real_time () / G_USEC_PER_SEC;
  writer->item->state = POSTE_OUTBOX_STATE_QUEUED;
  name = g_strdup_printf ("%s.message", writer->item->id);
  writer->tmp_path = g_build_filename (_poste_outbox_get_tmp_folder (self), name, NULL);
  writer->fd = open (writer->tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
                     0600);
  if (writer->fd < 0)
    {
      _poste_outbox_set_errno_error (error, errno, _("Cannot create"), writer->tmp_path);
      g_clear_pointer (&writer->tmp_path, g_free);
      return NULL;
    }
  writer->buffer = g_byte_array_sized_new (WRITE_BUFFER);
  writer->head = g_byte_array_new ();
  return g_steal_pointer (&writer);
}

static gboolean
writer_flush (PosteOutboxWriter  *writer,
              GError            **error)
{
  if (writer->buffer->len == 0)
    return TRUE;
  if (!_poste_outbox_write_all (writer->fd, writer->buffer->data, writer->buffer->len,
                                writer->tmp_path, error))
    {
      writer->failed = TRUE;
      return FALSE;
    }
  g_byte_array_set_size (writer->buffer, 0);
  return TRUE;
}

/* Appends bytes to the message file (through the buffer), with the size limit. */
static gboolean
writer_put (PosteOutboxWriter  *writer,
            const guint8       *data,
            gsize               length,
            GError            **error)
{
  if (writer->item->size + length > POSTE_OUTBOX_MAX_MESSAGE_SIZE)
    {
      writer->failed = TRUE;
      g_set_error (error, POSTE_OUTBOX_ERROR, POSTE_OUTBOX_ERROR_TOO_BIG,
                   _("The message is larger than the outbox takes (%u MiB)"),
                   POSTE_OUTBOX_MAX_MESSAGE_SIZE / (1024 * 1024));
      return FALSE;
    }
  if (!writer->item->body_8bit)
    for (gsize i = 0; i < length; i++)
      if (data[i] & 0x80)
        {
          writer->item->body_8bit = TRUE;
          break;
        }
  writer->item->size += length;
  if (writer->buffer->len + length > WRITE_BUFFER && !writer_flush (writer, error))
    return FALSE;
  if (length >= WRITE_BUFFER)
    {
      if (!_poste_outbox_write_all (writer->fd, data, length, writer->tmp_path, error))
        {
          writer->failed = TRUE;
          return FALSE;
        }
      return TRUE;
    }
  g_byte_array_append (writer->buffer, data, (guint) length);
  return TRUE;
}

/* Writes the header held so far without its blind fields, and what followed it. */
static gboolean
writer_put_head (PosteOutboxWriter  *writer,
                 GError            **error)
{
  g_autoptr(GBytes) head = g_byte_array_free_to_bytes (g_steal_pointer (&writer->head));

  for (guint i = 0; blind_fields[i] != NULL; i++)
    {
      GBytes *without = poste_outbox_remove_header (head, blind_fields[i]);

      g_bytes_unref (head);
      head = without;
    }
  return writer_put (writer, g_bytes_get_data (head, NULL), g_bytes_get_size (head), error);
}

/**
 * poste_outbox_writer_write:
 * @writer: a writer
 * @data: (array length=length): the next bytes of the message
 * @length: how many
 * @error: return location for a #GError
 *
 * The header is held in memory until its empty line (at most %POSTE_OUTBOX_MAX_HEADER_SIZE
 * bytes), so that its blind fields can be removed; the rest goes straight to the file.
 *
 * Returns: %TRUE on success; %FALSE with %POSTE_OUTBOX_ERROR_TOO_BIG past
 *   %POSTE_OUTBOX_MAX_MESSAGE_SIZE or a header longer than %POSTE_OUTBOX_MAX_HEADER_SIZE, or a
 *   %G_IO_ERROR (the writer is then useless)
 */
gboolean
poste_outbox_writer_write (PosteOutboxWriter  *writer,
                           const guint8       *data,
                           gsize               length,
                           GError            **error)
{
  gsize taken;

  g_return_val_if_fail (writer != NULL, FALSE);

  if (writer->failed)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("The message could not be written"));
      return FALSE;
    }
  if (writer->head == NULL)
    return writer_put (writer, data, length, error);

  /* Still in the header: its empty line may come in this piece, or straddle two. */
  taken = MIN (length, POSTE_OUTBOX_MAX_HEADER_SIZE + 1 - writer->head->len);
  g_byte_array_append (writer->head, data, (guint) taken);
  if (_poste_outbox_find_header_end ((const char *) writer->head->data, writer->head->len,
                                     writer->scanned, NULL))
    return writer_put_head (writer, error) &&
           (taken == length || writer_put (writer, data + taken, length - taken, error));
  writer->scanned = writer->head->len;
  if (writer->head->len > POSTE_OUTBOX_MAX_HEADER_SIZE)
    {
      writer->failed = TRUE;
      g_set_error (error, POSTE_OUTBOX_ERROR, POSTE_OUTBOX_ERROR_TOO_BIG,
                   _("The message's header is longer than %u KiB"),
                   POSTE_OUTBOX_MAX_HEADER_SIZE / 1024);
      return FALSE;
    }
  return TRUE;
}

/**
 * poste_outbox_writer_commit:
 * @writer: a writer
 * @error: return location for a #GError
 *
 * Makes the message durably queued: fsync the message, write and fsync its envelope, rename
 * both into queue/ and fsync the folder. Only after this returns may anyone be told that the
 * message is queued (`send` exiting 0, the listener's 250).
 *
 * Returns: (transfer full): the message's identifier, or %NULL with a %G_IO_ERROR (or the
 *   error that stopped an earlier write); the writer is then only good for freeing
 */
char *
poste_outbox_writer_commit (PosteOutboxWriter  *writer,
                            GError            **error)
{
  PosteOutbox *self;
  g_autofree char *name = NULL;
  g_autofree char *final = NULL;

  g_return_val_if_fail (writer != NULL, NULL);
  self = writer->outbox;

  if (writer->failed || writer->fd < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("The message could not be written"));
      return NULL;
    }
  /* A message that is all header (no empty line): that header is its whole text. */
  if (writer->head != NULL && !writer_put_head (writer, error))
    return NULL;
  if (!writer_flush (writer, error))
    return NULL;
  if (fsync (writer->fd) != 0)
    {
      writer->failed = TRUE;
      _poste_outbox_set_errno_error (error, errno, _("Cannot sync"), writer->tmp_path);
      return NULL;
    }
  if (close (writer->fd) != 0)
    {
      writer->fd = -1;
      writer->failed = TRUE;
      _poste_outbox_set_errno_error (error, errno, _("Cannot write"), writer->tmp_path);
      return NULL;
    }
  writer->fd = -1;

  name = g_strdup_printf ("%s.message", writer->item->id);
  final = g_build_filename (_poste_outbox_get_queue_folder (self), name, NULL);
  if (g_rename (writer->tmp_path, final) != 0)
    {
      writer->failed = TRUE;
      _poste_outbox_set_errno_error (error, errno, _("Cannot rename"), writer->tmp_path);
      return NULL;
    }
  g_clear_pointer (&writer->tmp_path, g_free);
  /* From here on a failure must remove the message file we renamed. */
  if (!_poste_outbox_store_envelope (self, writer->item, TRUE, error))
    {
      g_autofree char *envelope = g_strdup_printf ("%s/%s.envelope",
                                                   _poste_outbox_get_queue_folder (self),
                                                   writer->item->id);

      g_unlink (envelope);
      g_unlink (final);
      writer->failed = TRUE;
      return NULL;
    }
  writer->failed = TRUE; /* done: nothing more to write or commit */
  return g_strdup (writer->item->id);
}

/**
 * poste_outbox_writer_free:
 * @writer: (nullable): a writer
 *
 * Frees @writer; when it was not committed, its file in tmp/ is removed.
 */
void
poste_outbox_writer_free (PosteOutboxWriter *writer)
{
  if (writer == NULL)
    return;
  if (writer->fd >= 0)
    close (writer->fd);
  if (writer->tmp_path != NULL)
    g_unlink (writer->tmp_path);
  g_free (writer->tmp_path);
  if (writer->buffer != NULL)
    g_byte_array_unref (writer->buffer);
  if (writer->head != NULL)
    g_byte_array_unref (writer->head);
  poste_outbox_item_free (writer->item);
  g_clear_object (&writer->outbox);
  g_free (writer);
}

/**
 * poste_outbox_enqueue:
 * @self: a #PosteOutbox
 * @sender: the envelope sender ("" for the null sender)
 * @recipients: (array zero-terminated=1): the envelope recipients
 * @head: (nullable): the first bytes of the message, already read (see
 *   poste_outbox_read_head())
 * @rest: (nullable): the rest of the message, read to its end
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Queues one message durably (see poste_outbox_writer_commit()).
 *
 * Returns: (transfer full): the message's identifier, or %NULL with an error of
 *   poste_outbox_writer_new(), poste_outbox_writer_write() or a read error of @rest
 */
char *
poste_outbox_enqueue (PosteOutbox         *self,
                      const char          *sender,
                      const char * const  *recipients,
                      GBytes              *head,
                      GInputStream        *rest,
                      GCancellable        *cancellable,
                      GError             **error)
{
  g_autoptr(PosteOutboxWriter) writer = NULL;
  g_autofree guint8 *buffer = NULL;

  g_return_val_if_fail (POSTE_IS_OUTBOX (self), NULL);

  writer = poste_outbox_writer_new (self, sender, recipients, error);
  if (writer == NULL)
    return NULL;
  if (head != NULL &&
      !poste_outbox_writer_write (writer, g_bytes_get_data (head, NULL), g_bytes_get_size (head),
                                  error))
    return NULL;
  if (rest != NULL)
    {
      buffer = g_malloc (WRITE_BUFFER);
      for (;;)
        {
          gssize n = g_input_stream_read (rest, buffer, WRITE_BUFFER, cancellable, error);

          if (n < 0)
            return NULL;
          if (n == 0)
            break;
          if (!poste_outbox_writer_write (writer, buffer, (gsize) n, error))
            return NULL;
        }
    }
  return poste_outbox_writer_commit (writer, error);
}
