/* poste-outbox.h: outgoing mail, held locally until the next connection
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "poste-error.h"
#include "poste-types.h"

G_BEGIN_DECLS

/**
 * POSTE_OUTBOX_MAX_MESSAGE_SIZE:
 *
 * The largest message the outbox takes, in bytes (64 MiB). Providers' relays commonly refuse
 * anything above 25 to 50 MB; a larger message is a mistake that would only bounce later.
 */
#define POSTE_OUTBOX_MAX_MESSAGE_SIZE (64 * 1024 * 1024)

/**
 * POSTE_OUTBOX_MAX_RECIPIENTS:
 *
 * The most recipients one queued message may have. RFC 5321 section 4.5.3.1.8 asks servers to
 * take at least 100; 1000 is what Postfix takes by default.
 */
#define POSTE_OUTBOX_MAX_RECIPIENTS 1000

/**
 * POSTE_OUTBOX_MAX_HEADER_SIZE:
 *
 * The most bytes of header read to find the recipients (`send -t`) or the sender, and copied
 * into a bounce: 1 MiB.
 */
#define POSTE_OUTBOX_MAX_HEADER_SIZE (1024 * 1024)

/**
 * PosteOutboxState:
 * @POSTE_OUTBOX_STATE_QUEUED: waiting for the next connection
 * @POSTE_OUTBOX_STATE_DEFERRED: the relay answered 4xx; waiting until its next attempt time
 * @POSTE_OUTBOX_STATE_FAILED: refused for good and the bounce could not be delivered either;
 *   kept for the user to read and remove, never sent again
 *
 * Where a queued message stands.
 */
typedef enum {
  POSTE_OUTBOX_STATE_QUEUED,
  POSTE_OUTBOX_STATE_DEFERRED,
  POSTE_OUTBOX_STATE_FAILED,
} PosteOutboxState;

const char *poste_outbox_state_to_string (PosteOutboxState state);

typedef struct _PosteOutboxItem PosteOutboxItem;

/**
 * PosteOutboxItem:
 * @id: the message's identifier in the queue (file-name safe)
 * @sender: the envelope sender (MAIL FROM), "" for the null sender
 * @recipients: (array zero-terminated=1): the recipients still to deliver (RCPT TO)
 * @queued: when it was queued, in seconds since the Unix epoch
 * @size: the message's size on disk, in bytes
 * @body_8bit: whether the message has bytes above 127 (sent with BODY=8BITMIME)
 * @state: where it stands
 * @attempts: how many times the relay answered 4xx
 * @next_attempt: not before this time (seconds since the epoch); 0 for the next connection
 * @last_error: (nullable): the relay's last refusal, or %NULL
 *
 * One queued message's envelope and state. Boxed type.
 */
struct _PosteOutboxItem
{
  char              *id;
  char              *sender;
  char             **recipients;
  gint64             queued;
  guint64            size;
  gboolean           body_8bit;
  PosteOutboxState   state;
  guint              attempts;
  gint64             next_attempt;
  char              *last_error;
};

#define POSTE_TYPE_OUTBOX_ITEM (poste_outbox_item_get_type ())

GType            poste_outbox_item_get_type (void) G_GNUC_CONST;
PosteOutboxItem *poste_outbox_item_copy     (const PosteOutboxItem *item);
void             poste_outbox_item_free     (PosteOutboxItem       *item);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PosteOutboxItem, poste_outbox_item_free)

typedef struct _PosteOutboxWriter PosteOutboxWriter;

#define POSTE_TYPE_OUTBOX (poste_outbox_get_type ())
G_DECLARE_FINAL_TYPE (PosteOutbox, poste_outbox, POSTE, OUTBOX, GObject)

PosteOutbox      *poste_outbox_new                (const char          *path);
char             *poste_outbox_dup_default_path   (void);
const char       *poste_outbox_get_path           (PosteOutbox         *self);
char             *poste_outbox_enqueue            (PosteOutbox         *self,
                                                   const char          *sender,
                                                   const char * const  *recipients,
                                                   GBytes              *head,
                                                   GInputStream        *rest,
                                                   GCancellable        *cancellable,
                                                   GError             **error);
GPtrArray        *poste_outbox_list               (PosteOutbox         *self,
                                                   GError             **error);
PosteOutboxItem  *poste_outbox_lookup             (PosteOutbox         *self,
                                                   const char          *id,
                                                   GError             **error);
char             *poste_outbox_dup_message_path   (PosteOutbox         *self,
                                                   const char          *id);
gboolean          poste_outbox_update             (PosteOutbox         *self,
                                                   const PosteOutboxItem *item,
                                                   GError             **error);
gboolean          poste_outbox_remove             (PosteOutbox         *self,
                                                   const char          *id,
                                                   GError             **error);
gboolean          poste_outbox_retry_now          (PosteOutbox         *self,
                                                   const char          *id,
                                                   GError             **error);

PosteOutboxWriter *poste_outbox_writer_new        (PosteOutbox         *self,
                                                   const char          *sender,
                                                   const char * const  *recipients,
                                                   GError             **error);
gboolean          poste_outbox_writer_write       (PosteOutboxWriter   *writer,
                                                   const guint8        *data,
                                                   gsize                length,
                                                   GError             **error);
char             *poste_outbox_writer_commit      (PosteOutboxWriter   *writer,
                                                   GError             **error);
void              poste_outbox_writer_free        (PosteOutboxWriter   *writer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PosteOutboxWriter, poste_outbox_writer_free)

gboolean          poste_outbox_check_address      (const char          *address,
                                                   gboolean             allow_empty,
                                                   GError             **error);
GBytes           *poste_outbox_read_head          (GInputStream        *stream,
                                                   GCancellable        *cancellable,
                                                   GError             **error);
GPtrArray        *poste_outbox_header_addresses   (GBytes              *head,
                                                   const char * const  *fields);
GBytes           *poste_outbox_remove_header      (GBytes              *head,
                                                   const char          *field);

G_END_DECLS
