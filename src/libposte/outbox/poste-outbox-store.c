/* poste-outbox-store.c: the outbox's durable files: its folders, and each message's envelope
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * How a file reaches the disk so that a crash leaves the old or the new one, never half of one
 * (written in tmp/, fsynced, renamed into queue/, the folder fsynced), and what an envelope
 * holds (a keyfile: sender, recipients, when queued, size, state, attempts, next attempt, last
 * error). poste-outbox.c describes the layout of the folder.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "poste-outbox.h"
#include "poste-outbox-store-private.h"

#define ENVELOPE_GROUP "envelope"
/* An envelope is a few lines; one this large was not written by us. */
#define MAX_ENVELOPE_SIZE (256 * 1024)

static PosteOutboxState
state_from_string (const char *text)
{
  if (g_strcmp0 (text, "deferred") == 0)
    return POSTE_OUTBOX_STATE_DEFERRED;
  if (g_strcmp0 (text, "failed") == 0)
    return POSTE_OUTBOX_STATE_FAILED;
  return POSTE_OUTBOX_STATE_QUEUED;
}

gboolean
_poste_outbox_set_errno_error (GError     **error,
                               int          saved,
                               const char  *what,
                               const char  *path)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s %s: %s", what, path,
               g_strerror (saved));
  return FALSE;
}

gboolean
_poste_outbox_ensure_folders (PosteOutbox  *self,
                              GError      **error)
{
  const char *folders[] = {
    poste_outbox_get_path (self),
    _poste_outbox_get_tmp_folder (self),
    _poste_outbox_get_queue_folder (self),
  };

  for (guint i = 0; i < G_N_ELEMENTS (folders); i++)
    if (g_mkdir_with_parents (folders[i], 0700) != 0)
      return _poste_outbox_set_errno_error (error, errno, _("Cannot create the outbox folder"),
                                            folders[i]);
  return TRUE;
}

gboolean
_poste_outbox_fsync_folder (const char  *path,
                            GError     **error)
{
  int fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd < 0)
    return _poste_outbox_set_errno_error (error, errno, _("Cannot open"), path);
  if (fsync (fd) != 0)
    {
      int saved = errno;

      close (fd);
      return _poste_outbox_set_errno_error (error, saved, _("Cannot sync"), path);
    }
  close (fd);
  return TRUE;
}

gboolean
_poste_outbox_write_all (int           fd,
                         const void   *data,
                         gsize         length,
                         const char   *path,
                         GError      **error)
{
  const char *p = data;

  while (length > 0)
    {
      ssize_t n = write (fd, p, length);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return _poste_outbox_set_errno_error (error, errno, _("Cannot write"), path);
      p += n;
      length -= (gsize) n;
    }
  return TRUE;
}

/* Writes @data to a new file in tmp/, fsyncs and closes it. */
static gboolean
write_tmp_file (const char  *path,
                const char  *data,
                gsize        length,
                GError     **error)
{
  int fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);

  if (fd < 0)
    return _poste_outbox_set_errno_error (error, errno, _("Cannot create"), path);
  if (!_poste_outbox_write_all (fd, data, length, path, error))
    {
      close (fd);
      g_unlink (path);
      return FALSE;
    }
  if (fsync (fd) != 0)
    {
      int saved = errno;

      close (fd);
      g_unlink (path);
      return _poste_outbox_set_errno_error (error, saved, _("Cannot sync"), path);
    }
  if (close (fd) != 0)
    {
      int saved = errno;

      g_unlink (path);
      return _poste_outbox_set_errno_error (error, saved, _("Cannot write"), path);
    }
  return TRUE;
}

gboolean
_poste_outbox_valid_id (const char *id)
{
  if (id == NULL || *id == '\0' || strlen (id) > 64)
    return FALSE;
  for (const char *p = id; *p != '\0'; p++)
    if (!g_ascii_isxdigit (*p) && *p != '-')
      return FALSE;
  return TRUE;
}

char *
_poste_outbox_new_id (void)
{
  return g_strdup_printf ("%016" G_GINT64_MODIFIER "x-%08x%08x", g_get_real_time (),
                          g_random_int (), g_random_int ());
}

static char *
envelope_to_data (const PosteOutboxItem *item,
                  gsize                 *length)
{
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();

  g_key_file_set_string (keyfile, ENVELOPE_GROUP, "sender", item->sender);
  g_key_file_set_string_list (keyfile, ENVELOPE_GROUP, "recipients",
                              (const char * const *) item->recipients,
                              g_strv_length (item->recipients));
  g_key_file_set_int64 (keyfile, ENVELOPE_GROUP, "queued", item->queued);
  g_key_file_set_uint64 (keyfile, ENVELOPE_GROUP, "size", item->size);
  g_key_file_set_boolean (keyfile, ENVELOPE_GROUP, "8bit", item->body_8bit);
  g_key_file_set_string (keyfile, ENVELOPE_GROUP, "state",
                         poste_outbox_state_to_string (item->state));
  g_key_file_set_integer (keyfile, ENVELOPE_GROUP, "attempts", (int) item->attempts);
  g_key_file_set_int64 (keyfile, ENVELOPE_GROUP, "next-attempt", item->next_attempt);
  if (item->last_error != NULL)
    g_key_file_set_string (keyfile, ENVELOPE_GROUP, "last-error", item->last_error);
  return g_key_file_to_data (keyfile, length, NULL);
}

/* Writes @item's envelope in tmp/ and renames it into queue/ (over the old one). */
gboolean
_poste_outbox_store_envelope (PosteOutbox            *self,
                              const PosteOutboxItem  *item,
                              gboolean                sync_folder,
                              GError                **error)
{
  g_autofree char *name = g_strdup_printf ("%s.envelope", item->id);
  g_autofree char *suffix = g_strdup_printf ("%s.envelope.%08x", item->id, g_random_int ());
  g_autofree char *tmp = g_build_filename (_poste_outbox_get_tmp_folder (self), suffix, NULL);
  g_autofree char *final = g_build_filename (_poste_outbox_get_queue_folder (self), name, NULL);
  g_autofree char *data = NULL;
  gsize length;

  data = envelope_to_data (item, &length);
  if (!write_tmp_file (tmp, data, length, error))
    return FALSE;
  if (g_rename (tmp, final) != 0)
    {
      int saved = errno;

      g_unlink (tmp);
      return _poste_outbox_set_errno_error (error, saved, _("Cannot rename"), tmp);
    }
  return !sync_folder || _poste_outbox_fsync_folder (_poste_outbox_get_queue_folder (self), error);
}

PosteOutboxItem *
_poste_outbox_load_envelope (PosteOutbox  *self,
                             const char   *id,
                             GError      **error)
{
  g_autofree char *name = g_strdup_printf ("%s.envelope", id);
  g_autofree char *path = g_build_filename (_poste_outbox_get_queue_folder (self), name, NULL);
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autoptr(PosteOutboxItem) item = g_new0 (PosteOutboxItem, 1);
  g_autoptr(GError) local_error = NULL;
  g_autofree char *data = NULL;
  g_autofree char *state = NULL;
  gsize length;

  if (!g_file_get_contents (path, &data, &length, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_set_error (error, POSTE_OUTBOX_ERROR, POSTE_OUTBOX_ERROR_NOT_FOUND,
                     _("No message %s in the outbox"), id);
      else
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", local_error->message);
      return NULL;
    }
  if (length > MAX_ENVELOPE_SIZE ||
      !g_key_file_load_from_data (keyfile, data, length, G_KEY_FILE_NONE, &local_error))
    {
      g_set_error (error, POSTE_OUTBOX_ERROR, POSTE_OUTBOX_ERROR_CORRUPT,
                   _("The envelope %s cannot be read: %s"), path,
                   local_error != NULL ? local_error->message : _("too large"));
      return NULL;
    }

  item->id = g_strdup (id);
  item->sender = g_key_file_get_string (keyfile, ENVELOPE_GROUP, "sender", NULL);
  item->recipients = g_key_file_get_string_list (keyfile, ENVELOPE_GROUP, "recipients", NULL,
                                                 NULL);
  item->queued = g_key_file_get_int64 (keyfile, ENVELOPE_GROUP, "queued", NULL);
  item->size = g_key_file_get_uint64 (keyfile, ENVELOPE_GROUP, "size", NULL);
  item->body_8bit = g_key_file_get_boolean (keyfile, ENVELOPE_GROUP, "8bit", NULL);
  state = g_key_file_get_string (keyfile, ENVELOPE_GROUP, "state", NULL);
  item->state = state_from_string (state);
  item->attempts = (guint) MAX (0, g_key_file_get_integer (keyfile, ENVELOPE_GROUP, "attempts",
                                                          NULL));
  item->next_attempt = g_key_file_get_int64 (keyfile, ENVELOPE_GROUP, "next-attempt", NULL);
  item->last_error = g_key_file_get_string (keyfile, ENVELOPE_GROUP, "last-error", NULL);

  if (item->sender == NULL || item->recipients == NULL || item->recipients[0] == NULL)
    {
      g_set_error (error, POSTE_OUTBOX_ERROR, POSTE_OUTBOX_ERROR_CORRUPT,
                   _("The envelope %s has no sender or no recipients"), path);
      return NULL;
    }
  return g_steal_pointer (&item);
}
