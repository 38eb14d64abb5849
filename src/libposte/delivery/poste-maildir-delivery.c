/* poste-maildir-delivery.c: delivery into a Maildir
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The Maildir protocol (https://cr.yp.to/proto/maildir.html): the message is written under a
 * unique name in tmp/, synced, moved into new/ without ever replacing a file there, and new/ is
 * synced so the move survives a crash. Until the move, nothing in new/ or cur/ shows it: a
 * process killed in the middle of writing leaves at most a file in tmp/, which readers ignore
 * (and which the Maildir convention lets anyone clean after 36 hours). Line ends are LF.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "poste-delivery-private.h"
#include "poste-error.h"
#include "poste-maildir-delivery.h"
#include "poste-reply.h"

#define FLUSH_SIZE (64 * 1024)

struct _PosteMaildirDelivery
{
  GObject          parent_instance;

  char            *path;
  gboolean         folders_made;  /* tmp/, new/ and cur/ exist, as far as we know */

  /* the open transaction */
  gboolean         open;
  char            *name;
  char            *tmp_path;
  PosteFileWriter  writer;
};

static void poste_maildir_delivery_iface_init (PosteDeliveryInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PosteMaildirDelivery, poste_maildir_delivery, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (POSTE_TYPE_DELIVERY,
                                                      poste_maildir_delivery_iface_init))

enum {
  PROP_0,
  PROP_PATH,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

static void
reset_transaction (PosteMaildirDelivery *self)
{
  _poste_file_writer_reset (&self->writer);
  if (self->tmp_path != NULL)
    g_unlink (self->tmp_path);
  g_clear_pointer (&self->tmp_path, g_free);
  g_clear_pointer (&self->name, g_free);
  self->open = FALSE;
}

/**
 * poste_maildir_delivery_unique_name:
 *
 * A file name unique to this delivery, in the form the Maildir convention describes:
 * "SECONDS.MmicrosecondsPpidQcounterRrandom.HOST", where HOST has "/" and ":" written as
 * "\057" and "\072".
 *
 * Returns: (transfer full): the name
 */
char *
poste_maildir_delivery_unique_name (void)
{
  static gint counter;
  gint64 now = g_get_real_time ();
  char host[256] = "localhost";
  GString *safe_host = g_string_new (NULL);
  char *name;

  if (gethostname (host, sizeof host - 1) < 0)
    strcpy (host, "localhost");
  host[sizeof host - 1] = '\0';
  for (const char *p = host; *p != '\0'; p++)
    {
      if (*p == '/')
        g_string_append (safe_host, "\\057");
      else if (*p == ':')
        g_string_append (safe_host, "\\072");
      else
        g_string_append_c (safe_host, *p);
    }

  name = g_strdup_printf ("%" G_GINT64_FORMAT ".M%06dP%dQ%uR%08x.%s",
                          now / G_USEC_PER_SEC, (int) (now % G_USEC_PER_SEC), (int) getpid (),
                          (guint) g_atomic_int_add (&counter, 1) + 1, g_random_int (),
                          safe_host->str);
  g_string_free (safe_host, TRUE);
  return name;
}

static gboolean
ensure_folders (const char  *path,
                GError     **error)
{
  static const char * const subdirs[] = { "tmp", "new", "cur" };

  for (guint i = 0; i < G_N_ELEMENTS (subdirs); i++)
    {
      g_autofree char *dir = g_build_filename (path, subdirs[i], NULL);

      if (g_mkdir_with_parents (dir, 0700) < 0)
        {
          int errsv = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                       _("Could not make the folder “%s”: %s"), dir, g_strerror (errsv));
          return FALSE;
        }
    }
  return TRUE;
}

static PosteReply *
poste_maildir_delivery_begin (PosteDelivery        *delivery,
                              const PosteEnvelope  *envelope,
                              GCancellable         *cancellable)
{
  PosteMaildirDelivery *self = POSTE_MAILDIR_DELIVERY (delivery);
  g_autoptr(GError) error = NULL;
  int fd = -1;

  reset_transaction (self);
  /* The folders are made once per target, not for every message; a tmp/ that went away since
   * (ENOENT below) makes them again. */
  if (!self->folders_made && !ensure_folders (self->path, &error))
    return poste_reply_new (451, "4.3.0", "%s", error->message);
  self->folders_made = TRUE;

  for (guint attempt = 0; attempt < 10 && fd < 0; attempt++)
    {
      g_free (self->name);
      g_free (self->tmp_path);
      self->name = poste_maildir_delivery_unique_name ();
      self->tmp_path = g_build_filename (self->path, "tmp", self->name, NULL);
      fd = open (self->tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
      if (fd < 0 && errno == ENOENT && attempt == 0)
        {
          if (!ensure_folders (self->path, &error))
            {
              self->folders_made = FALSE;
              g_clear_pointer (&self->tmp_path, g_free);
              return poste_reply_new (451, "4.3.0", "%s", error->message);
            }
          continue;
        }
      if (fd < 0 && errno != EEXIST)
        {
          int errsv = errno;

          g_clear_pointer (&self->tmp_path, g_free);
          return _poste_reply_for_errno (errsv, _("Could not make a file in the Maildir “%s”"),
                                         self->path);
        }
    }
  if (fd < 0)
    {
      g_clear_pointer (&self->tmp_path, g_free);
      return poste_reply_new (451, "4.3.0", "Could not find a unique name in the Maildir");
    }

  _poste_file_writer_start (&self->writer, fd, FALSE);
  self->open = TRUE;
  return poste_reply_new (250, "2.1.0", "Sender ok");
}

static PosteReply *
poste_maildir_delivery_add_recipient (PosteDelivery        *delivery,
                                      const PosteEnvelope  *envelope,
                                      const char           *recipient,
                                      GCancellable         *cancellable)
{
  PosteMaildirDelivery *self = POSTE_MAILDIR_DELIVERY (delivery);

  if (!self->open)
    return poste_reply_new (503, "5.5.1", "No transaction");
  /* All recipients share the one Maildir: one copy of the message. */
  return poste_reply_new (250, "2.1.5", "Recipient ok");
}

static gboolean
poste_maildir_delivery_write (PosteDelivery  *delivery,
                              const guint8   *data,
                              gsize           length,
                              GCancellable   *cancellable,
                              GError        **error)
{
  PosteMaildirDelivery *self = POSTE_MAILDIR_DELIVERY (delivery);

  return _poste_file_writer_write (&self->writer, data, length, error);
}

static int
move_into_new (PosteMaildirDelivery *self,
               const char           *new_path)
{
  /* Never replace a file in new/: RENAME_NOREPLACE, or link () where that is unknown. */
  if (renameat2 (AT_FDCWD, self->tmp_path, AT_FDCWD, new_path, RENAME_NOREPLACE) == 0)
    return 0;
  if (errno != EINVAL && errno != ENOSYS)
    return errno;
  if (link (self->tmp_path, new_path) < 0)
    return errno;
  g_unlink (self->tmp_path);
  return 0;
}

static PosteReply *
poste_maildir_delivery_commit (PosteDelivery *delivery,
                               GCancellable  *cancellable)
{
  PosteMaildirDelivery *self = POSTE_MAILDIR_DELIVERY (delivery);
  g_autoptr(GError) error = NULL;
  g_autofree char *new_dir = NULL;
  g_autofree char *new_path = NULL;
  PosteReply *reply;
  int fd;
  int errsv;

  if (!self->open)
    return poste_reply_new (503, "5.5.1", "No transaction");
  if (!_poste_file_writer_finish (&self->writer, &error))
    {
      reply = _poste_reply_for_write_error (error);
      reset_transaction (self);
      return reply;
    }

  /* Synced and closed here, each with its own reply, rather than by the writer's reset. */
  fd = g_steal_fd (&self->writer.fd);
  if (fsync (fd) < 0)
    {
      errsv = errno;
      close (fd);
      reset_transaction (self);
      return _poste_reply_for_errno (errsv, "%s", _("Could not sync the message"));
    }
  if (close (fd) < 0)
    {
      errsv = errno;
      reset_transaction (self);
      return _poste_reply_for_errno (errsv, "%s", _("Could not write the message"));
    }

  new_dir = g_build_filename (self->path, "new", NULL);
  new_path = g_build_filename (new_dir, self->name, NULL);
  errsv = move_into_new (self, new_path);
  if (errsv != 0)
    {
      reset_transaction (self);
      return _poste_reply_for_errno (errsv, "%s", _("Could not move the message into new/"));
    }
  g_clear_pointer (&self->tmp_path, g_free);

  if (!_poste_fsync_directory (new_dir, &error))
    {
      /* It is in new/ but maybe not durably: take it back and let the provider resend. */
      g_unlink (new_path);
      reset_transaction (self);
      return poste_reply_new (451, "4.3.0", "%s", error->message);
    }

  reset_transaction (self);
  return poste_reply_new (250, "2.0.0", "Message stored in the Maildir");
}

static void
poste_maildir_delivery_abort (PosteDelivery *delivery)
{
  reset_transaction (POSTE_MAILDIR_DELIVERY (delivery));
}

static PosteDeliveryFlags
poste_maildir_delivery_get_flags (PosteDelivery *delivery)
{
  return POSTE_DELIVERY_FLAGS_8BITMIME | POSTE_DELIVERY_FLAGS_SMTPUTF8;
}

static void
poste_maildir_delivery_iface_init (PosteDeliveryInterface *iface)
{
  iface->get_flags = poste_maildir_delivery_get_flags;
  iface->begin = poste_maildir_delivery_begin;
  iface->add_recipient = poste_maildir_delivery_add_recipient;
  iface->write = poste_maildir_delivery_write;
  iface->commit = poste_maildir_delivery_commit;
  iface->abort = poste_maildir_delivery_abort;
  iface->close = poste_maildir_delivery_abort;
}

static void
poste_maildir_delivery_finalize (GObject *object)
{
  PosteMaildirDelivery *self = POSTE_MAILDIR_DELIVERY (object);

  reset_transaction (self);
  _poste_file_writer_clear (&self->writer);
  g_free (self->path);

  G_OBJECT_CLASS (poste_maildir_delivery_parent_class)->finalize (object);
}

static void
poste_maildir_delivery_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  PosteMaildirDelivery *self = POSTE_MAILDIR_DELIVERY (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
poste_maildir_delivery_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  PosteMaildirDelivery *self = POSTE_MAILDIR_DELIVERY (object);

  switch (prop_id)
    {
    case PROP_PATH:
      self->path = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
poste_maildir_delivery_class_init (PosteMaildirDeliveryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = poste_maildir_delivery_finalize;
  object_class->get_property = poste_maildir_delivery_get_property;
  object_class->set_property = poste_maildir_delivery_set_property;

  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
poste_maildir_delivery_init (PosteMaildirDelivery *self)
{
  _poste_file_writer_init (&self->writer, FLUSH_SIZE);
}

/**
 * poste_maildir_delivery_new:
 * @path: the absolute path of the Maildir; it and its tmp/, new/ and cur/ are created (mode
 *   0700) when missing
 *
 * Makes a target that stores each message as one file of the Maildir: written in tmp/, fsync'd,
 * moved into new/, and new/ fsync'd before the 250. All the recipients of one transaction share
 * one copy.
 *
 * Returns: (transfer full): a new #PosteDelivery
 */
PosteDelivery *
poste_maildir_delivery_new (const char *path)
{
  g_return_val_if_fail (path != NULL && g_path_is_absolute (path), NULL);

  return g_object_new (POSTE_TYPE_MAILDIR_DELIVERY, "path", path, NULL);
}

/**
 * poste_maildir_delivery_get_path:
 * @self: a #PosteMaildirDelivery
 *
 * Returns: (transfer none): the Maildir's path
 */
const char *
poste_maildir_delivery_get_path (PosteMaildirDelivery *self)
{
  g_return_val_if_fail (POSTE_IS_MAILDIR_DELIVERY (self), NULL);

  return self->path;
}
