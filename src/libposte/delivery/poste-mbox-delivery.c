/* poste-mbox-delivery.c: delivery into an mboxrd file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The format is mboxrd: each message starts with a "From SENDER DATE" line, every line of the
 * message that matches "^>*From " gets one more '>', line ends are LF, and a blank line follows
 * each message. A message that did not end in a line end gets one (mbox cannot store it without).
 *
 * How a crash cannot leave a partial message visible for long, and never acknowledged:
 *
 *  1. While DATA streams in, the message is written to a spool file (an unlinked file in the
 *     mbox's folder, so a full disk shows up while receiving, or in the temporary folder when the
 *     mbox's folder takes no files of ours, as /var/mail; a connection that breaks in the middle
 *     of DATA never touches the mbox). The mbox is locked only in commit, for the time of
 *     one local copy, not for the time of a network transfer.
 *  2. In commit: take the dotlock "MBOX.lock" (created with O_EXCL), then an fcntl write lock on
 *     the mbox itself, each waiting at most the lock timeout, then 4xx.
 *  3. The dotlock doubles as a journal: before the mbox changes, it is rewritten with
 *     "poste-restante PID OLD-LENGTH DEV INO" and synced.
 *  4. Append (a separating line end if the old last message lacks one, the "From " line, the
 *     message), fsync the mbox; on any failure truncate the mbox back to OLD-LENGTH and sync.
 *  5. Remove the dotlock, release the fcntl lock, and only then answer 250.
 *
 * If the process dies between 3 and 5 (SIGKILL, power loss), the dotlock stays behind with the
 * dead process's id and the old length. The next delivery finds it, sees that the process is gone,
 * takes the fcntl lock and truncates the mbox back to OLD-LENGTH (when the file is still the same
 * and longer) before it goes on: the provider never got a 250, so it sends the message again and
 * nothing is lost or doubled. A dotlock of another program is only broken once it is older than
 * DOTLOCK_STALE_SECONDS. When the folder is not writable (no dotlock possible) the fcntl lock alone
 * protects the mbox and a crash in step 4 can leave a partial message at the end.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "poste-delivery-private.h"
#include "poste-error.h"
#include "poste-mbox-delivery.h"
#include "poste-reply.h"

/* A dotlock that is not ours (or has no process id) is broken after this long (procmail's
 * default lock timeout is 1024 s; 10 minutes is plenty for any local delivery). */
#define DOTLOCK_STALE_SECONDS 600
#define LOCK_POLL_USEC (100 * 1000)
#define COPY_BUFFER_SIZE (64 * 1024)
#define SPOOL_FLUSH_SIZE (64 * 1024)

static GMutex append_lock;

struct _PosteMboxDelivery
{
  GObject          parent_instance;

  char            *path;
  char            *lock_path;
  guint            lock_timeout;

  /* the open transaction */
  gboolean         open;
  char            *sender;
  PosteFileWriter  spool;      /* the message, in its mboxrd form, until commit */
};

static void poste_mbox_delivery_iface_init (PosteDeliveryInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PosteMboxDelivery, poste_mbox_delivery, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (POSTE_TYPE_DELIVERY,
                                                      poste_mbox_delivery_iface_init))

enum {
  PROP_0,
  PROP_PATH,
  PROP_LOCK_TIMEOUT,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

static void
reset_transaction (PosteMboxDelivery *self)
{
  self->open = FALSE;
  g_clear_pointer (&self->sender, g_free);
  _poste_file_writer_reset (&self->spool);
}

static PosteReply *
poste_mbox_delivery_begin (PosteDelivery        *delivery,
                           const PosteEnvelope  *envelope,
                           GCancellable         *cancellable)
{
  PosteMboxDelivery *self = POSTE_MBOX_DELIVERY (delivery);
  g_autofree char *dir = g_path_get_dirname (self->path);
  g_autoptr(GError) error = NULL;
  int spool_fd;

  reset_transaction (self);

  if (g_mkdir_with_parents (dir, 0700) < 0)
    {
      int errsv = errno;

      return _poste_reply_for_errno (errsv, _("Could not make the mbox’s folder “%s”"), dir);
    }
  spool_fd = _poste_open_spool (dir, ".poste-spool-", &error);
  if (spool_fd < 0 && (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED) ||
                             g_error_matches (error, G_IO_ERROR, G_IO_ERROR_READ_ONLY)))
    {
      /* A shared mail folder such as /var/mail (group "mail", mode 2775) takes no files of
       * ours: spool in the temporary folder instead. */
      g_clear_error (&error);
      spool_fd = _poste_open_spool (g_get_tmp_dir (), ".poste-spool-", &error);
    }
  if (spool_fd < 0)
    {
      g_debug ("mbox %s: %s", self->path, error->message);
      return poste_reply_new (451, "4.3.0", "%s", error->message);
    }
  self->sender = g_strdup (envelope->sender);
  _poste_file_writer_start (&self->spool, spool_fd, TRUE);
  self->open = TRUE;
  return poste_reply_new (250, "2.1.0", "Sender ok");
}

static PosteReply *
poste_mbox_delivery_add_recipient (PosteDelivery        *delivery,
                                   const PosteEnvelope  *envelope,
                                   const char           *recipient,
                                   GCancellable         *cancellable)
{
  PosteMboxDelivery *self = POSTE_MBOX_DELIVERY (delivery);

  if (!self->open)
    return poste_reply_new (503, "5.5.1", "No transaction");
  /* All recipients share the one mbox: one copy of the message. */
  return poste_reply_new (250, "2.1.5", "Recipient ok");
}

static gboolean
poste_mbox_delivery_write (PosteDelivery  *delivery,
                           const guint8   *data,
                           gsize           length,
                           GCancellable   *cancellable,
                           GError        **error)
{
  PosteMboxDelivery *self = POSTE_MBOX_DELIVERY (delivery);

  return _poste_file_writer_write (&self->spool, data, length, error);
}

/* Reads "poste-restante PID OLD-LENGTH DEV INO" from a dotlock. */
static gboolean
parse_journal (const char *contents,
               GPid       *pid,
               gint64     *old_length,
               guint64    *dev,
               guint64    *ino)
{
  g_auto(GStrv) fields = g_strsplit (g_strstrip ((char *) contents), " ", 0);

  if (g_strv_length (fields) < 2 || strcmp (fields[0], "poste-restante") != 0)
    return FALSE;
  *pid = (GPid) g_ascii_strtoll (fields[1], NULL, 10);
  *old_length = -1;
  if (g_strv_length (fields) == 5)
    {
      *old_length = g_ascii_strtoll (fields[2], NULL, 10);
      *dev = g_ascii_strtoull (fields[3], NULL, 10);
      *ino = g_ascii_strtoull (fields[4], NULL, 10);
    }
  return *pid > 0;
}

typedef struct {
  gboolean  have;
  gint64    old_length;
  guint64   dev;
  guint64   ino;
} Journal;

/*
 * Takes the dotlock, waiting until @deadline (monotonic). A stale lock of a dead poste-restante
 * process leaves its journal in @stale for the caller to roll back.
 *
 * Returns: the lock's fd (>= 0); -2 when dotlocking is impossible here (no write access to the
 * folder); -1 with @error set on a timeout or cancellation
 */
static int
take_dotlock (PosteMboxDelivery  *self,
              gint64              deadline,
              Journal            *stale,
              GCancellable       *cancellable,
              GError            **error)
{
  for (;;)
    {
      int fd = open (self->lock_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
      int errsv = errno;
      g_autofree char *contents = NULL;
      gsize length;
      GStatBuf st;
      gboolean stale_lock = FALSE;
      GPid pid;
      gint64 old_length = -1;
      guint64 dev = 0, ino = 0;

      if (fd >= 0)
        {
          g_autofree char *text = g_strdup_printf ("poste-restante %d\n", (int) getpid ());

          if (!_poste_write_all (fd, (const guint8 *) text, strlen (text), error))
            {
              close (fd);
              g_unlink (self->lock_path);
              return -1;
            }
          return fd;
        }
      if (errsv == EACCES || errsv == EPERM || errsv == EROFS)
        return -2;
      if (errsv != EEXIST)
        {
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                       _("Could not lock “%s”: %s"), self->path, g_strerror (errsv));
          return -1;
        }

      /* Someone holds it: ours and dead, or foreign and old, is stale. */
      if (g_file_get_contents (self->lock_path, &contents, &length, NULL) &&
          length < 256 &&
          parse_journal (contents, &pid, &old_length, &dev, &ino))
        {
          if (pid != getpid () && kill (pid, 0) < 0 && errno == ESRCH)
            stale_lock = TRUE;
        }
      else if (g_lstat (self->lock_path, &st) == 0 &&
               (gint64) st.st_mtime + DOTLOCK_STALE_SECONDS < g_get_real_time () / G_USEC_PER_SEC)
        stale_lock = TRUE;

      if (stale_lock)
        {
          g_debug ("mbox %s: breaking a stale lock", self->path);
          if (old_length >= 0)
            {
              stale->have = TRUE;
              stale->old_length = old_length;
              stale->dev = dev;
              stale->ino = ino;
            }
          g_unlink (self->lock_path);
          continue;
        }

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return -1;
      if (g_get_monotonic_time () >= deadline)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                       _("The mbox “%s” is locked by another program"), self->path);
          return -1;
        }
      g_usleep (LOCK_POLL_USEC);
    }
}

static gboolean
take_fcntl_lock (PosteMboxDelivery  *self,
                 int                 fd,
                 gint64              deadline,
                 GCancellable       *cancellable,
                 GError            **error)
{
  for (;;)
    {
      struct flock fl = { 0 };
      int errsv;

      fl.l_type = F_WRLCK;
      fl.l_whence = SEEK_SET;
      if (fcntl (fd, F_SETLK, &fl) == 0)
        return TRUE;
      errsv = errno;
      if (errsv != EACCES && errsv != EAGAIN && errsv != EINTR)
        {
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                       _("Could not lock “%s”: %s"), self->path, g_strerror (errsv));
          return FALSE;
        }
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (g_get_monotonic_time () >= deadline)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                       _("The mbox “%s” is locked by another program"), self->path);
          return FALSE;
        }
      g_usleep (LOCK_POLL_USEC);
    }
}

static gboolean
pwrite_all (int           fd,
            const guint8 *data,
            gsize         length,
            off_t         offset,
            int          *errsv)
{
  while (length > 0)
    {
      gssize n = pwrite (fd, data, length, offset);

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          *errsv = errno;
          return FALSE;
        }
      data += n;
      length -= n;
      offset += n;
    }
  return TRUE;
}

/* Appends separator + From line + the spool at @offset. Returns 0 or an errno value. */
static int
append_message (PosteMboxDelivery *self,
                int                fd,
                off_t              offset)
{
  g_autofree char *from_line = _poste_mbox_from_line (self->sender,
                                                      g_get_real_time () / G_USEC_PER_SEC);
  g_autofree guint8 *buffer = g_malloc (COPY_BUFFER_SIZE);
  char tail[2] = { 0, 0 };
  const char *separator = "";
  off_t in_offset = 0;
  int errsv = 0;

  /* mboxrd wants a blank line before each "From " line. */
  if (offset >= 2 && pread (fd, tail, 2, offset - 2) == 2)
    separator = tail[1] != '\n' ? "\n\n" : (tail[0] != '\n' ? "\n" : "");
  else if (offset == 1 && pread (fd, tail, 1, 0) == 1)
    separator = tail[0] != '\n' ? "\n\n" : "\n";

  if (!pwrite_all (fd, (const guint8 *) separator, strlen (separator), offset, &errsv))
    return errsv;
  offset += strlen (separator);
  if (!pwrite_all (fd, (const guint8 *) from_line, strlen (from_line), offset, &errsv))
    return errsv;
  offset += strlen (from_line);

  for (;;)
    {
      gssize n = pread (self->spool.fd, buffer, COPY_BUFFER_SIZE, in_offset);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return errno;
      if (n == 0)
        break;
      if (!pwrite_all (fd, buffer, n, offset, &errsv))
        return errsv;
      in_offset += n;
      offset += n;
    }
  if (fsync (fd) < 0)
    return errno;
  return 0;
}

static PosteReply *
poste_mbox_delivery_commit (PosteDelivery *delivery,
                            GCancellable  *cancellable)
{
  PosteMboxDelivery *self = POSTE_MBOX_DELIVERY (delivery);
  g_autoptr(GError) error = NULL;
  Journal stale = { FALSE, -1, 0, 0 };
  gint64 deadline;
  int lock_fd = -1;
  int fd = -1;
  struct stat st;
  PosteReply *reply = NULL;
  gboolean locked = FALSE;
  int errsv;

  if (!self->open)
    return poste_reply_new (503, "5.5.1", "No transaction");

  /* The end of the message: a final line end, then the blank line that ends an mbox entry. The
   * filter is finished here to see how the message ended; the writer's finish adds nothing more. */
  _poste_unix_filter_finish (&self->spool.filter, self->spool.buffer);
  if (self->spool.filter.emitted > 0 && self->spool.filter.last_byte != '\n')
    g_byte_array_append (self->spool.buffer, (const guint8 *) "\n", 1);
  g_byte_array_append (self->spool.buffer, (const guint8 *) "\n", 1);
  if (!_poste_file_writer_finish (&self->spool, &error))
    {
      reply = _poste_reply_for_write_error (error);
      goto out;
    }

  /* fcntl locks are per process, and a dotlock may be impossible: two sessions of this process
   * delivering at once take turns here first. */
  g_mutex_lock (&append_lock);
  locked = TRUE;

  deadline = g_get_monotonic_time () + (gint64) self->lock_timeout * G_USEC_PER_SEC;
  lock_fd = take_dotlock (self, deadline, &stale, cancellable, &error);
  if (lock_fd == -1)
    {
      reply = poste_reply_new (451, "4.2.0", "%s", error->message);
      goto out;
    }

  fd = open (self->path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);
  if (fd < 0)
    {
      errsv = errno;
      reply = _poste_reply_for_errno (errsv, _("Could not open the mbox “%s”"), self->path);
      goto out;
    }
  if (!take_fcntl_lock (self, fd, deadline, cancellable, &error))
    {
      reply = poste_reply_new (451, "4.2.0", "%s", error->message);
      goto out;
    }
  if (fstat (fd, &st) < 0 || !S_ISREG (st.st_mode))
    {
      reply = poste_reply_new (451, "4.3.0", "“%s” is not a regular file", self->path);
      goto out;
    }

  /* Roll back what a dead delivery left behind. */
  if (stale.have && (guint64) st.st_dev == stale.dev && (guint64) st.st_ino == stale.ino &&
      st.st_size > stale.old_length)
    {
      g_debug ("mbox %s: truncating an unfinished message at %" G_GINT64_FORMAT,
               self->path, stale.old_length);
      if (ftruncate (fd, stale.old_length) < 0 || fsync (fd) < 0)
        {
          errsv = errno;
          reply = _poste_reply_for_errno (errsv, _("Could not repair the mbox “%s”"), self->path);
          goto out;
        }
      st.st_size = stale.old_length;
    }

  /* The journal: what to truncate back to if this process dies from here on. */
  if (lock_fd >= 0)
    {
      g_autofree char *text = g_strdup_printf ("poste-restante %d %" G_GINT64_FORMAT " %"
                                               G_GUINT64_FORMAT " %" G_GUINT64_FORMAT "\n",
                                               (int) getpid (), (gint64) st.st_size,
                                               (guint64) st.st_dev, (guint64) st.st_ino);

      if (ftruncate (lock_fd, 0) < 0 ||
          !pwrite_all (lock_fd, (const guint8 *) text, strlen (text), 0, &errsv) ||
          fdatasync (lock_fd) < 0)
        {
          errsv = errno;
          reply = _poste_reply_for_errno (errsv, _("Could not write the mbox’s lock “%s”"),
                                          self->lock_path);
          goto out;
        }
    }

  errsv = append_message (self, fd, st.st_size);
  if (errsv != 0)
    {
      g_debug ("mbox %s: %s, truncating back", self->path, g_strerror (errsv));
      if (ftruncate (fd, st.st_size) < 0 || fsync (fd) < 0)
        g_warning ("mbox %s: could not truncate back to %" G_GINT64_FORMAT ": %s", self->path,
                   (gint64) st.st_size, g_strerror (errno));
      reply = _poste_reply_for_errno (errsv, _("Could not write to the mbox “%s”"), self->path);
      goto out;
    }

  reply = poste_reply_new (250, "2.0.0", "Message stored in the mbox");

out:
  if (lock_fd >= 0)
    {
      close (lock_fd);
      g_unlink (self->lock_path);
    }
  if (fd >= 0)
    close (fd);     /* releases the fcntl lock */
  if (locked)
    g_mutex_unlock (&append_lock);
  reset_transaction (self);
  return reply;
}

static void
poste_mbox_delivery_abort (PosteDelivery *delivery)
{
  reset_transaction (POSTE_MBOX_DELIVERY (delivery));
}

static PosteDeliveryFlags
poste_mbox_delivery_get_flags (PosteDelivery *delivery)
{
  return POSTE_DELIVERY_FLAGS_8BITMIME | POSTE_DELIVERY_FLAGS_SMTPUTF8;
}

static void
poste_mbox_delivery_iface_init (PosteDeliveryInterface *iface)
{
  iface->get_flags = poste_mbox_delivery_get_flags;
  iface->begin = poste_mbox_delivery_begin;
  iface->add_recipient = poste_mbox_delivery_add_recipient;
  iface->write = poste_mbox_delivery_write;
  iface->commit = poste_mbox_delivery_commit;
  iface->abort = poste_mbox_delivery_abort;
  iface->close = poste_mbox_delivery_abort;
}

static void
poste_mbox_delivery_finalize (GObject *object)
{
  PosteMboxDelivery *self = POSTE_MBOX_DELIVERY (object);

  reset_transaction (self);
  _poste_file_writer_clear (&self->spool);
  g_free (self->path);
  g_free (self->lock_path);

  G_OBJECT_CLASS (poste_mbox_delivery_parent_class)->finalize (object);
}

static void
poste_mbox_delivery_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  PosteMboxDelivery *self = POSTE_MBOX_DELIVERY (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    case PROP_LOCK_TIMEOUT:
      g_value_set_uint (value, self->lock_timeout);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
poste_mbox_delivery_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  PosteMboxDelivery *self = POSTE_MBOX_DELIVERY (object);

  switch (prop_id)
    {
    case PROP_PATH:
      self->path = g_value_dup_string (value);
      self->lock_path = g_strconcat (self->path, ".lock", NULL);
      break;
    case PROP_LOCK_TIMEOUT:
      poste_mbox_delivery_set_lock_timeout (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
poste_mbox_delivery_class_init (PosteMboxDeliveryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = poste_mbox_delivery_finalize;
  object_class->get_property = poste_mbox_delivery_get_property;
  object_class->set_property = poste_mbox_delivery_set_property;

  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOCK_TIMEOUT] =
    g_param_spec_uint ("lock-timeout", NULL, NULL, 0, 3600, POSTE_MBOX_DELIVERY_LOCK_TIMEOUT,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
poste_mbox_delivery_init (PosteMboxDelivery *self)
{
  _poste_file_writer_init (&self->spool, SPOOL_FLUSH_SIZE);
  self->lock_timeout = POSTE_MBOX_DELIVERY_LOCK_TIMEOUT;
}

/**
 * poste_mbox_delivery_new:
 * @path: the absolute path of the mbox file; it and its folder are created when missing
 *
 * Makes a target that appends each message to an mboxrd file, with a "From " line, fcntl and
 * dotlock locking, fsync before 250, and truncation back to the old length on any failure.
 * All the recipients of one transaction share one copy.
 *
 * Returns: (transfer full): a new #PosteDelivery
 */
PosteDelivery *
poste_mbox_delivery_new (const char *path)
{
  g_return_val_if_fail (path != NULL && g_path_is_absolute (path), NULL);

  return g_object_new (POSTE_TYPE_MBOX_DELIVERY, "path", path, NULL);
}

/**
 * poste_mbox_delivery_get_path:
 * @self: a #PosteMboxDelivery
 *
 * Returns: (transfer none): the mbox file's path
 */
const char *
poste_mbox_delivery_get_path (PosteMboxDelivery *self)
{
  g_return_val_if_fail (POSTE_IS_MBOX_DELIVERY (self), NULL);

  return self->path;
}

/**
 * poste_mbox_delivery_get_lock_timeout:
 * @self: a #PosteMboxDelivery
 *
 * Returns: how long a delivery waits for the mbox's locks, in seconds
 */
guint
poste_mbox_delivery_get_lock_timeout (PosteMboxDelivery *self)
{
  g_return_val_if_fail (POSTE_IS_MBOX_DELIVERY (self), 0);

  return self->lock_timeout;
}

/**
 * poste_mbox_delivery_set_lock_timeout:
 * @self: a #PosteMboxDelivery
 * @seconds: how long to wait for the dotlock and the fcntl lock together before answering 4xx
 *
 * Sets the bounded wait for another program's lock (default
 * %POSTE_MBOX_DELIVERY_LOCK_TIMEOUT).
 */
void
poste_mbox_delivery_set_lock_timeout (PosteMboxDelivery *self,
                                      guint              seconds)
{
  g_return_if_fail (POSTE_IS_MBOX_DELIVERY (self));

  if (self->lock_timeout == seconds)
    return;
  self->lock_timeout = seconds;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOCK_TIMEOUT]);
}
