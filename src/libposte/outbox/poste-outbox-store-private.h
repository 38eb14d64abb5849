/* poste-outbox-store-private.h: what the outbox object, its durable files and its writer share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "poste-outbox.h"

G_BEGIN_DECLS

/* How much of a message is written (or read from a stream) at once. */
#define WRITE_BUFFER (64 * 1024)

/* poste-outbox.c */
const char      *_poste_outbox_get_tmp_folder   (PosteOutbox            *self);
const char      *_poste_outbox_get_queue_folder (PosteOutbox            *self);

/* poste-outbox-store.c */
gboolean         _poste_outbox_set_errno_error  (GError                **error,
                                                 int                     saved,
                                                 const char             *what,
                                                 const char             *path);
gboolean         _poste_outbox_ensure_folders   (PosteOutbox            *self,
                                                 GError                **error);
gboolean         _poste_outbox_fsync_folder     (const char             *path,
                                                 GError                **error);
gboolean         _poste_outbox_write_all        (int                     fd,
                                                 const void             *data,
                                                 gsize                   length,
                                                 const char             *path,
                                                 GError                **error);
gboolean         _poste_outbox_valid_id         (const char             *id);
char            *_poste_outbox_new_id           (void);
gboolean         _poste_outbox_store_envelope   (PosteOutbox            *self,
                                                 const PosteOutboxItem  *item,
                                                 gboolean                sync_folder,
                                                 GError                **error);
PosteOutboxItem *_poste_outbox_load_envelope    (PosteOutbox            *self,
                                                 const char             *id,
                                                 GError                **error);

G_END_DECLS
