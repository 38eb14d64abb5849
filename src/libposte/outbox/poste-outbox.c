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
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gunixoutputstream.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "poste-outbox.h"
#include "poste-outbox-private.h"

/* A leftover in tmp/ or a message without an envelope older than this is swept (seconds). */
#define STALE_SECONDS (36 * 3600)
#define ENVELOPE_GROUP "envelope"
#define WRITE_BUFFER (64 * 1024)
/* An envelope is a few lines; one this large was not written by us. */
#define MAX_ENVELOPE_SIZE (256 * 1024)


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

static PosteOutboxState
state_from_string (const char *text)
{
  if (g_strcmp0 (text, "deferred") == 0)
    return POSTE_OUTBOX_STATE_DEFERRED;
  if (g_strcmp0 (text, "failed") == 0)
    return POSTE_OUTBOX_STATE_FAILED;
  return POSTE_OUTBOX_STATE_QUEUED;
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

static gboolean
set_errno_error (GError     **error,
                 int          saved,
                 const char  *what,
                 const char  *path)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s %s: %s", what, path,
               g_strerror (saved));
  return FALSE;
}

static gboolean
ensure_folders (PosteOutbox  *self,
                GError      **error)
{
  const char *folders[] = { self->path, self->tmp, self->queue };

  for (guint i = 0; i < G_N_ELEMENTS (folders); i++)
    if (g_mkdir_with_parents (folders[i], 0700) != 0)
      return set_errno_error (error, errno, _("Cannot create the outbox folder"), folders[i]);
  return TRUE;
}

static gboolean
fsync_folder (const char  *path,
              GError     **error)
{
  int fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd < 0)
    return set_errno_error (error, errno, _("Cannot open"), path);
  if (fsync (fd) != 0)
    {
      int saved = errno;

      close (fd);
      return set_errno_error (error, saved, _("Cannot sync"), path);
    }
  close (fd);
  return TRUE;
}

static gboolean
write_all (int           fd,
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
        return set_errno_error (error, errno, _("Cannot write"), path);
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
    return set_errno_error (error, errno, _("Cannot create"), path);
  if (!write_all (fd, data, length, path, error))
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
      return set_errno_error (error, saved, _("Cannot sync"), path);
    }
  if (close (fd) != 0)
    {
      int saved = errno;

      g_unlink (path);
      return set_errno_error (error, saved, _("Cannot write"), path);
    }
  return TRUE;
}

static gboolean
valid_id (const char *id)
{
  if (id == NULL || *id == '\0' || strlen (id) > 64)
    return FALSE;
  for (const char *p = id; *p != '\0'; p++)
    if (!g_ascii_isxdigit (*p) && *p != '-')
      return FALSE;
  return TRUE;
}

static char *
new_id (void)
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
static gboolean
store_envelope (PosteOutbox            *self,
                const PosteOutboxItem  *item,
                gboolean                sync_folder,
                GError                **error)
{
  g_autofree char *name = g_strdup_printf ("%s.envelope", item->id);
  g_autofree char *suffix = g_strdup_printf ("%s.envelope.%08x", item->id, g_random_int ());
  g_autofree char *tmp = g_build_filename (self->tmp, suffix, NULL);
  g_autofree char *final = g_build_filename (self->queue, name, NULL);
  g_autofree char *data = NULL;
  gsize length;

  data = envelope_to_data (item, &length);
  if (!write_tmp_file (tmp, data, length, error))
    return FALSE;
  if (g_rename (tmp, final) != 0)
    {
      int saved = errno;

      g_unlink (tmp);
      return set_errno_error (error, saved, _("Cannot rename"), tmp);
    }
  return !sync_folder || fsync_folder (self->queue, error);
}

static PosteOutboxItem *
load_envelope (PosteOutbox  *self,
               const char   *id,
               GError      **error)
{
  g_autofree char *name = g_strdup_printf ("%s.envelope", id);
  g_autofree char *path = g_build_filename (self->queue, name, NULL);
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
      if (!valid_id (id))
        continue;
      item = load_envelope (self, id, &item_error);
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

  if (!valid_id (id))
    {
      g_set_error (error, POSTE_OUTBOX_ERROR, POSTE_OUTBOX_ERROR_NOT_FOUND,
                   _("No message %s in the outbox"), id != NULL ? id : "");
      return NULL;
    }
  return load_envelope (self, id, error);
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
  if (!valid_id (id))
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
  return ensure_folders (self, error) && store_envelope (self, item, TRUE, error);
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
      return set_errno_error (error, saved, _("Cannot remove"), envelope);
    }
  if (g_unlink (message) != 0 && errno != ENOENT)
    return set_errno_error (error, errno, _("Cannot remove"), message);
  return fsync_folder (self->queue, error);
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

/* Addresses */

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

/* Writer */

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
  if (!ensure_folders (self, error))
    return NULL;

  writer = g_new0 (PosteOutboxWriter, 1);
  writer->fd = -1;
  writer->outbox = g_object_ref (self);
  writer->item = g_new0 (PosteOutboxItem, 1);
  writer->item->id = new_id ();
  writer->item->sender = g_strdup (sender != NULL ? sender : "");
  writer->item->recipients = g_strdupv ((char **) recipients);
  writer->item->queued = g_get_real_time () / G_USEC_PER_SEC;
  writer->item->state = POSTE_OUTBOX_STATE_QUEUED;
  name = g_strdup_printf ("%s.message", writer->item->id);
  writer->tmp_path = g_build_filename (self->tmp, name, NULL);
  writer->fd = open (writer->tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
                     0600);
  if (writer->fd < 0)
    {
      set_errno_error (error, errno, _("Cannot create"), writer->tmp_path);
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
  if (!write_all (writer->fd, writer->buffer->data, writer->buffer->len, writer->tmp_path,
                  error))
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
      if (!write_all (writer->fd, data, length, writer->tmp_path, error))
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
      set_errno_error (error, errno, _("Cannot sync"), writer->tmp_path);
      return NULL;
    }
  if (close (writer->fd) != 0)
    {
      writer->fd = -1;
      writer->failed = TRUE;
      set_errno_error (error, errno, _("Cannot write"), writer->tmp_path);
      return NULL;
    }
  writer->fd = -1;

  name = g_strdup_printf ("%s.message", writer->item->id);
  final = g_build_filename (self->queue, name, NULL);
  if (g_rename (writer->tmp_path, final) != 0)
    {
      writer->failed = TRUE;
      set_errno_error (error, errno, _("Cannot rename"), writer->tmp_path);
      return NULL;
    }
  g_clear_pointer (&writer->tmp_path, g_free);
  /* From here on a failure must remove the message file we renamed. */
  if (!store_envelope (self, writer->item, TRUE, error))
    {
      g_autofree char *envelope = g_strdup_printf ("%s/%s.envelope", self->queue,
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

/* Headers */

/* Whether @data holds the end of a header (its empty line), looked for from about @from (what an
 * earlier call already saw); @end gets the offset just past the empty line, or @length. */
gboolean
_poste_outbox_find_header_end (const char *data,
                               gsize       length,
                               gsize       from,
                               gsize      *end)
{
  gsize found = 0;

  if (length > 0 && data[0] == '\n')
    found = 1;
  else if (length > 1 && data[0] == '\r' && data[1] == '\n')
    found = 2;
  /* An empty line is LF LF or LF CR LF: start two bytes back, in case it straddles @from. */
  for (gsize i = from > 2 ? from - 2 : 0; found == 0 && i + 1 < length; i++)
    if (data[i] == '\n')
      {
        if (data[i + 1] == '\n')
          found = i + 2;
        else if (data[i + 1] == '\r' && i + 2 < length && data[i + 2] == '\n')
          found = i + 3;
      }
  if (end != NULL)
    *end = found != 0 ? found : length;
  return found != 0;
}

/* Where the header ends in @data: the offset just past the empty line, or @length. */
gsize
_poste_outbox_header_end (const char *data,
                          gsize       length)
{
  gsize end;

  _poste_outbox_find_header_end (data, length, 0, &end);
  return end;
}

/**
 * poste_outbox_read_head:
 * @stream: the message
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Reads from @stream until its header has ended (the first empty line) or the stream has,
 * reading at most %POSTE_OUTBOX_MAX_HEADER_SIZE bytes. What was read may include the start of
 * the body: queue it before the rest of @stream.
 *
 * Returns: (transfer full): the bytes read, or %NULL with %POSTE_OUTBOX_ERROR_TOO_BIG when the
 *   header is longer than the limit, or a read error
 */
GBytes *
poste_outbox_read_head (GInputStream  *stream,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_autoptr(GByteArray) head = g_byte_array_new ();
  guint8 buffer[8192];

  g_return_val_if_fail (G_IS_INPUT_STREAM (stream), NULL);

  for (;;)
    {
      gssize n;

      if (head->len > 0 &&
          _poste_outbox_header_end ((const char *) head->data, head->len) < head->len)
        break;
      if (head->len >= POSTE_OUTBOX_MAX_HEADER_SIZE)
        {
          g_set_error (error, POSTE_OUTBOX_ERROR, POSTE_OUTBOX_ERROR_TOO_BIG,
                       _("The message's header is longer than %u KiB"),
                       POSTE_OUTBOX_MAX_HEADER_SIZE / 1024);
          return NULL;
        }
      n = g_input_stream_read (stream, buffer,
                               MIN (sizeof buffer, POSTE_OUTBOX_MAX_HEADER_SIZE - head->len),
                               cancellable, error);
      if (n < 0)
        return NULL;
      if (n == 0)
        break;
      g_byte_array_append (head, buffer, (guint) n);
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&head));
}

/* Calls @func for each header field of @data[0..end): name, unfolded value. */
typedef void (*FieldFunc) (const char *name,
                           gsize       name_length,
                           const char *start,
                           gsize       length,
                           gpointer    user_data);

static void
foreach_field (const char *data,
               gsize       end,
               FieldFunc   func,
               gpointer    user_data)
{
  gsize i = 0;

  while (i < end)
    {
      gsize line_start = i;
      gsize field_end;
      const char *colon;

      /* A field runs to the next line that does not start with white space. */
      field_end = i;
      for (;;)
        {
          const char *lf = memchr (data + field_end, '\n', end - field_end);

          field_end = lf != NULL ? (gsize) (lf - data) + 1 : end;
          if (field_end >= end || (data[field_end] != ' ' && data[field_end] != '\t'))
            break;
        }
      i = field_end;
      colon = memchr (data + line_start, ':', field_end - line_start);
      if (colon == NULL)
        continue;
      func (data + line_start, (gsize) (colon - (data + line_start)), colon + 1,
            field_end - (gsize) (colon + 1 - data), user_data);
    }
}

typedef struct {
  const char * const *fields;
  GPtrArray          *addresses;
} AddressScan;

static void
add_address (GPtrArray  *addresses,
             GString    *text)
{
  g_autofree char *address = NULL;
  char *colon;

  address = g_strstrip (g_strdup (text->str));
  g_string_truncate (text, 0);
  /* An obsolete source route: "@a,@b:local@domain" (RFC 5322 section 4.4). */
  if (address[0] == '@' && (colon = strchr (address, ':')) != NULL)
    memmove (address, colon + 1, strlen (colon + 1) + 1);
  if (*address == '\0' || strchr (address, '@') == NULL)
    return;
  for (guint i = 0; i < addresses->len; i++)
    if (g_ascii_strcasecmp (g_ptr_array_index (addresses, i), address) == 0)
      return;
  g_ptr_array_add (addresses, g_steal_pointer (&address));
}

/* An address list (RFC 5322 section 3.4), forgivingly: display names, comments, quoted
 * strings, angle addresses and groups. */
static void
parse_address_list (const char *text,
                    gsize       length,
                    GPtrArray  *addresses)
{
  g_autoptr(GString) plain = g_string_new (NULL);   /* the element outside <> and () */
  g_autoptr(GString) angle = g_string_new (NULL);   /* what was inside <> */
  gboolean in_quote = FALSE, in_angle = FALSE, had_angle = FALSE;
  guint comment = 0;

  for (gsize i = 0; i <= length; i++)
    {
      char c = i < length ? text[i] : ',';

      if (c == '\r' || c == '\n')
        continue;
      if (in_quote)
        {
          if (c == '\\' && i + 1 < length)
            {
              g_string_append_c (in_angle ? angle : plain, c);
              c = text[++i];
            }
          else if (c == '"')
            in_quote = FALSE;
          g_string_append_c (in_angle ? angle : plain, c);
          continue;
        }
      if (comment > 0)
        {
          if (c == '\\' && i + 1 < length)
            i++;
          else if (c == '(')
            comment++;
          else if (c == ')')
            comment--;
          continue;
        }
      switch (c)
        {
        case '"':
          in_quote = TRUE;
          g_string_append_c (in_angle ? angle : plain, c);
          break;
        case '(':
          comment = 1;
          break;
        case '<':
          in_angle = TRUE;
          had_angle = TRUE;
          g_string_truncate (angle, 0);
          break;
        case '>':
          in_angle = FALSE;
          break;
        case ':':
          if (in_angle)
            g_string_append_c (angle, c);
          else
            g_string_truncate (plain, 0);  /* a group's name */
          break;
        case ',':
        case ';':
          if (in_angle && c == ',')
            {
              g_string_append_c (angle, c);
              break;
            }
          add_address (addresses, had_angle ? angle : plain);
          g_string_truncate (plain, 0);
          g_string_truncate (angle, 0);
          had_angle = FALSE;
          in_angle = FALSE;
          break;
        default:
          g_string_append_c (in_angle ? angle : plain, c);
          break;
        }
    }
}

static void
address_field_cb (const char *name,
                  gsize       name_length,
                  const char *start,
                  gsize       length,
                  gpointer    user_data)
{
  AddressScan *scan = user_data;

  for (guint i = 0; scan->fields[i] != NULL; i++)
    if (strlen (scan->fields[i]) == name_length &&
        g_ascii_strncasecmp (name, scan->fields[i], name_length) == 0)
      {
        parse_address_list (start, length, scan->addresses);
        return;
      }
}

/**
 * poste_outbox_header_addresses:
 * @head: the start of a message (its header at least, see poste_outbox_read_head())
 * @fields: (array zero-terminated=1): the header fields to read, such as "To", "Cc", "Bcc"
 *
 * Collects the addresses of the @fields of @head's header (RFC 5322 section 3.4: display names,
 * comments, quoted strings, groups and folded lines understood), in order, without duplicates
 * (compared without case). Only the header is read, never the body.
 *
 * Returns: (transfer container) (element-type utf8): the addresses, possibly none
 */
GPtrArray *
poste_outbox_header_addresses (GBytes             *head,
                               const char * const *fields)
{
  AddressScan scan;
  gsize length;
  const char *data;

  g_return_val_if_fail (head != NULL, NULL);
  g_return_val_if_fail (fields != NULL, NULL);

  data = g_bytes_get_data (head, &length);
  scan.fields = fields;
  scan.addresses = g_ptr_array_new_with_free_func (g_free);
  if (data != NULL)
    foreach_field (data, _poste_outbox_header_end (data, length), address_field_cb, &scan);
  return scan.addresses;
}

/**
 * poste_outbox_remove_header:
 * @head: the start of a message (its header at least)
 * @field: the field to remove, such as "Bcc"
 *
 * Removes every @field (with its folded continuation lines) from @head's header; the body part
 * of @head is kept as it is. The outbox's writer removes Bcc with it so that the blind copies
 * stay blind.
 *
 * Returns: (transfer full): the new start of the message
 */
GBytes *
poste_outbox_remove_header (GBytes     *head,
                            const char *field)
{
  GByteArray *out;
  const char *data;
  gsize length, end, i = 0, name_length;

  g_return_val_if_fail (head != NULL, NULL);
  g_return_val_if_fail (field != NULL, NULL);

  data = g_bytes_get_data (head, &length);
  if (data == NULL)
    return g_bytes_ref (head);
  name_length = strlen (field);
  end = _poste_outbox_header_end (data, length);
  out = g_byte_array_sized_new ((guint) length);
  while (i < end)
    {
      gsize field_end = i;

      for (;;)
        {
          const char *lf = memchr (data + field_end, '\n', end - field_end);

          field_end = lf != NULL ? (gsize) (lf - data) + 1 : end;
          if (field_end >= end || (data[field_end] != ' ' && data[field_end] != '\t'))
            break;
        }
      if (!(field_end - i > name_length && data[i + name_length] == ':' &&
            g_ascii_strncasecmp (data + i, field, name_length) == 0))
        g_byte_array_append (out, (const guint8 *) data + i, (guint) (field_end - i));
      i = field_end;
    }
  g_byte_array_append (out, (const guint8 *) data + end, (guint) (length - end));
  return g_byte_array_free_to_bytes (out);
}
