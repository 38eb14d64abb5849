/* poste-outbox.c: outgoing mail, held locally until the next connection
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The outbox is a folder (by default $XDG_DATA_HOME/poste-restante/outbox, mode 0700) with two
 * subfolders:
 *
 *   tmp/     files being written; never read as queued mail
 *   queue/   ID.message (the message as given, not dot-stuffed) and ID.envelope (a keyfile:
 *            sender, recipients, when queued, size, state, attempts, next attempt, last error)
 *
 * A message is queued in the manner of Maildir: the message is written in tmp/ and fsynced, its
 * envelope too, both are renamed into queue/ (message first) and queue/ is fsynced. The envelope
 * is what makes a message queued: a message file without an envelope is a crash's leftover and
 * is swept after a day. The envelope is rewritten the same way (tmp/, fsync, rename over the old
 * one), so a crash leaves either the old or the new one, never half of one.
 *
 * Identifiers are the time of queueing in microseconds (16 hex digits, so that names sort in
 * queueing order) and 64 random bits: ID = 0005f1c2d3e4a5b6-0123456789abcdef.
 *
 * This file is the queue as the rest of the program sees it (list, look up, update, remove);
 * poste-outbox-store.c writes its files durably, poste-outbox-writer.c queues a message and
 * poste-outbox-header.c reads a message's header.
 */
#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "poste-outbox.h"
#include "poste-outbox-store-private.h"

/* A leftover in tmp/ or a message without an envelope older than this is swept (seconds). */
#define STALE_SECONDS (36 * 3600)

struct _PosteOutbox
{
  GObject  parent_instance;

  char    *path;
  char    *tmp;
  char    *queue;
};

G_DEFINE_FINAL_TYPE (PosteOutbox, poste_outbox, G_TYPE_OBJECT)

G_DEFINE_BOXED_TYPE (PosteOutboxItem, poste_outbox_item, poste_outbox_item_copy,
                     poste_outbox_item_free)

/**
 * poste_outbox_state_to_string:
 * @state: a #PosteOutboxState
 *
 * Returns: (transfer none): "queued", "deferred" or "failed", as stored in the envelope
 */
const char *
poste_outbox_state_to_string (PosteOutboxState state)
{
  switch (state)
    {
    case POSTE_OUTBOX_STATE_QUEUED: return "queued";
    case POSTE_OUTBOX_STATE_DEFERRED: return "deferred";
    case POSTE_OUTBOX_STATE_FAILED: return "failed";
    default: return "queued";
    }
}

/**
 * poste_outbox_item_copy:
 * @item: a queued message's envelope
 *
 * Returns: (transfer full): a deep copy of @item
 */
PosteOutboxItem *
poste_outbox_item_copy (const PosteOutboxItem *item)
{
  PosteOutboxItem *copy;

  g_return_val_if_fail (item != NULL, NULL);
  copy = g_memdup2 (item, sizeof *item);
  copy->id = g_strdup (item->id);
  copy->sender = g_strdup (item->sender);
  copy->recipients = g_strdupv (item->recipients);
  copy->last_error = g_strdup (item->last_error);
  return copy;
}

/**
 * poste_outbox_item_free:
 * @item: (nullable): a queued message's envelope
 *
 * Frees @item and everything in it.
 */
void
poste_outbox_item_free (PosteOutboxItem *item)
{
  if (item == NULL)
    return;
  g_free (item->id);
  g_free (item->sender);
  g_strfreev (item->recipients);
  g_free (item->last_error);
  g_free (item);
}

static void
poste_outbox_finalize (GObject *object)
{
  PosteOutbox *self = POSTE_OUTBOX (object);

  g_free (self->path);
  g_free (self->tmp);
  g_free (self->queue);
  G_OBJECT_CLASS (poste_outbox_parent_class)->finalize (object);
}

static void
poste_outbox_class_init (PosteOutboxClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = poste_outbox_finalize;
}

static void
poste_outbox_init (PosteOutbox *self)
{
}

/**
 * poste_outbox_dup_default_path:
 *
 * Returns: (transfer full): `$XDG_DATA_HOME/poste-restante/outbox`
 */
char *
poste_outbox_dup_default_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "poste-restante", "outbox", NULL);
}

/**
 * poste_outbox_new:
 * @path: (nullable): the outbox folder, or %NULL for poste_outbox_dup_default_path()
 *
 * Makes an outbox object for @path. Nothing is created on disk until a message is queued.
 * Several processes may use the same folder at once (`send`, the listener, a fetch).
 *
 * Returns: (transfer full): a new #PosteOutbox
 */
PosteOutbox *
poste_outbox_new (const char *path)
{
  PosteOutbox *self = g_object_new (POSTE_TYPE_OUTBOX, NULL);

  self->path = path != NULL ? g_strdup (path) : poste_outbox_dup_default_path ();
  self->tmp = g_build_filename (self->path, "tmp", NULL);
  self->queue = g_build_filename (self->path, "queue", NULL);
  return self;
}

/**
 * poste_outbox_get_path:
 * @self: a #PosteOutbox
 *
 * Returns: (transfer none): the outbox folder
 */
const char *
poste_outbox_get_path (PosteOutbox *self)
{
  g_return_val_if_fail (POSTE_IS_OUTBOX (self), NULL);
  return self->path;
}

/* The folder of files being written. */
const char *
_poste_outbox_get_tmp_folder (PosteOutbox *self)
{
  return self->tmp;
}

/* The folder of queued messages and their envelopes. */
const char *
_poste_outbox_get_queue_folder (PosteOutbox *self)
{
  return self->queue;
}

static int
compare_items (gconstpointer a,
               gconstpointer b)
{
  const PosteOutboxItem *x = *(PosteOutboxItem * const *) a;
  const PosteOutboxItem *y = *(PosteOutboxItem * const *) b;

  return strcmp (x->id, y->id);
}

/* Removes what a crash left behind: files in tmp/ and message files without an envelope,
 * when they are older than a day (younger ones may be being written right now). */
static void
sweep (PosteOutbox *self)
{
  const char *folders[] = { self->tmp, self->queue };
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  for (guint i = 0; i < G_N_ELEMENTS (folders); i++)
    {
      g_autoptr(GDir) dir = g_dir_open (folders[i], 0, NULL);
      const char *name;

      if (dir == NULL)
        continue;
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *path = g_build_filename (folders[i], name, NULL);
          GStatBuf st;

          if (g_lstat (path, &st) != 0 || now - (gint64) st.st_mtime < STALE_SECONDS)
            continue;
          if (i == 1)
            {
              g_autofree char *id = NULL;
              g_autofree char *envelope = NULL;

              if (!g_str_has_suffix (name, ".message"))
                continue;
              id = g_strndup (name, strlen (name) - strlen (".message"));
              envelope = g_strdup_printf ("%s/%s.envelope", folders[i], id);
              if (g_file_test (envelope, G_FILE_TEST_EXISTS))
                continue;
            }
          g_unlink (path);
        }
    }
}

/**
 * poste_outbox_list:
 * @self: a #PosteOutbox
 * @error: return location for a #GError
 *
 * Reads every queued message's envelope, in queueing order. An envelope that cannot be read is
 * skipped with a warning in the log (it stays on disk for the user to look at). Also sweeps
 * leftovers of crashes older than a day.
 *
 * Returns: (transfer container) (element-type PosteOutboxItem): the queued messages (an empty
 *   array when the outbox does not exist yet), or %NULL with a %G_IO_ERROR when the folder
 *   cannot be read
 */
GPtrArray *
poste_outbox_list (PosteOutbox  *self,
                   GError      **error)
{
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *name;

  g_return_val_if_fail (POSTE_IS_OUTBOX (self), NULL);

  items = g_ptr_array_new_with_free_func ((GDestroyNotify) poste_outbox_item_free);
  dir = g_dir_open (self->queue, 0, &local_error);
  if (dir == NULL)
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return g_steal_pointer (&items);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", local_error->message);
      return NULL;
    }
  sweep (self);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *id = NULL;
      g_autoptr(GError) item_error = NULL;
      PosteOutboxItem *item;

      if (!g_str_has_suffix (name, ".envelope"))
        continue;
      id = g_strndup (name, strlen (name) - strlen (".envelope"));
      if (!_poste_outbox_valid_id (id))
        continue;
      item = _poste_outbox_load_envelope (self, id, &item_error);
      if (item == NULL)
        {
          if (!g_error_matches (item_error, POSTE_OUTBOX_ERROR, POSTE_OUTBOX_ERROR_NOT_FOUND))
            g_message ("outbox: %s", item_error->message);
          continue;
        }
      g_ptr_array_add (items, item);
    }
  g_ptr_array_sort (items, compare_items);
  return g_steal_pointer (&items);
}

/**
 * poste_outbox_lookup:
 * @self: a #PosteOutbox
 * @id: a queued message's identifier
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the message's envelope, or %NULL with
 *   %POSTE_OUTBOX_ERROR_NOT_FOUND or %POSTE_OUTBOX_ERROR_CORRUPT
 */
PosteOutboxItem *
poste_outbox_lookup (PosteOutbox  *self,
                     const char   *id,
                     GError      **error)
{
  g_return_val_if_fail (POSTE_IS_OUTBOX (self), NULL);

  if (!_poste_outbox_valid_id (id))
    {
      g_set_error (error, POSTE_OUTBOX_ERROR, POSTE_OUTBOX_ERROR_NOT_FOUND,
                   _("No message %s in the outbox"), id != NULL ? id : "");
      return NULL;
    }
  return _poste_outbox_load_envelope (self, id, error);
}

/**
 * poste_outbox_dup_message_path:
 * @self: a #PosteOutbox
 * @id: a queued message's identifier
 *
 * Returns: (transfer full) (nullable): the file holding the message, or %NULL for an invalid
 *   identifier
 */
char *
poste_outbox_dup_message_path (PosteOutbox *self,
                               const char  *id)
{
  g_autofree char *name = NULL;

  g_return_val_if_fail (POSTE_IS_OUTBOX (self), NULL);
  if (!_poste_outbox_valid_id (id))
    return NULL;
  name = g_strdup_printf ("%s.message", id);
  return g_build_filename (self->queue, name, NULL);
}

/**
 * poste_outbox_update:
 * @self: a #PosteOutbox
 * @item: the envelope to store (its @id names the message)
 * @error: return location for a #GError
 *
 * Replaces a queued message's envelope atomically (tmp/, fsync, rename).
 *
 * Returns: %TRUE on success; %FALSE with %POSTE_OUTBOX_ERROR_NOT_FOUND when the message was
 *   removed meanwhile, or a %G_IO_ERROR
 */
gboolean
poste_outbox_update (PosteOutbox            *self,
                     const PosteOutboxItem  *item,
                     GError                **error)
{
  g_autofree char *message = NULL;

  g_return_val_if_fail (POSTE_IS_OUTBOX (self), FALSE);
  g_return_val_if_fail (item != NULL, FALSE);

  message = poste_outbox_dup_message_path (self, item->id);
  if (message == NULL || !g_file_test (message, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, POSTE_OUTBOX_ERROR, POSTE_OUTBOX_ERROR_NOT_FOUND,
                   _("No message %s in the outbox"), item->id);
      return FALSE;
    }
  if (item->recipients == NULL || item->recipients[0] == NULL)
    {
      g_set_error (error, POSTE_OUTBOX_ERROR, POSTE_OUTBOX_ERROR_INVALID,
                   _("A queued message needs at least one recipient"));
      return FALSE;
    }
  return _poste_outbox_ensure_folders (self, error) && _poste_outbox_store_envelope (self, item, TRUE, error);
}

/**
 * poste_outbox_remove:
 * @self: a #PosteOutbox
 * @id: a queued message's identifier
 * @error: return location for a #GError
 *
 * Removes a message from the queue: its envelope first (from then on it is not queued), then
 * the message, then syncs the folder.
 *
 * Returns: %TRUE on success; %FALSE with %POSTE_OUTBOX_ERROR_NOT_FOUND or a %G_IO_ERROR
 */
gboolean
poste_outbox_remove (PosteOutbox  *self,
                     const char   *id,
                     GError      **error)
{
  g_autofree char *message = NULL;
  g_autofree char *envelope = NULL;

  g_return_val_if_fail (POSTE_IS_OUTBOX (self), FALSE);

  message = poste_outbox_dup_message_path (self, id);
  if (message == NULL)
    {
      g_set_error (error, POSTE_OUTBOX_ERROR, POSTE_OUTBOX_ERROR_NOT_FOUND,
                   _("No message %s in the outbox"), id != NULL ? id : "");
      return FALSE;
    }
  envelope = g_strdup_printf ("%s/%s.envelope", self->queue, id);
  if (g_unlink (envelope) != 0)
    {
      int saved = errno;

      if (saved == ENOENT)
        {
          g_set_error (error, POSTE_OUTBOX_ERROR, POSTE_OUTBOX_ERROR_NOT_FOUND,
                       _("No message %s in the outbox"), id);
          return FALSE;
        }
      return _poste_outbox_set_errno_error (error, saved, _("Cannot remove"), envelope);
    }
  if (g_unlink (message) != 0 && errno != ENOENT)
    return _poste_outbox_set_errno_error (error, errno, _("Cannot remove"), message);
  return _poste_outbox_fsync_folder (self->queue, error);
}

/**
 * poste_outbox_retry_now:
 * @self: a #PosteOutbox
 * @id: a queued message's identifier
 * @error: return location for a #GError
 *
 * Makes a deferred (or failed) message due at the next connection, as the user's "Send now"
 * does: its state becomes queued and its next attempt time 0. Its attempt count is kept.
 *
 * Returns: %TRUE on success
 */
gboolean
poste_outbox_retry_now (PosteOutbox  *self,
                        const char   *id,
                        GError      **error)
{
  g_autoptr(PosteOutboxItem) item = poste_outbox_lookup (self, id, error);

  if (item == NULL)
    return FALSE;
  item->state = POSTE_OUTBOX_STATE_QUEUED;
  item->next_attempt = 0;
  return poste_outbox_update (self, item, error);
}
