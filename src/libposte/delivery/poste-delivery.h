/* poste-delivery.h: the local delivery target interface
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "poste-types.h"
#include "poste-reply.h"

G_BEGIN_DECLS

/**
 * PosteEnvelope:
 * @sender: the reverse-path of MAIL FROM without angle brackets; "" for the null sender
 * @recipients: (element-type utf8): the forward-paths accepted so far, without angle brackets
 * @declared_size: the SIZE= parameter of MAIL FROM in bytes (RFC 1870), or -1 when none was given
 * @body_8bit: BODY=8BITMIME was given (RFC 6152)
 * @smtputf8: SMTPUTF8 was given (RFC 6531)
 *
 * The envelope of one SMTP transaction, as the provider gave it in the reversed state.
 */
struct _PosteEnvelope
{
  char       *sender;
  GPtrArray  *recipients;
  gint64      declared_size;
  gboolean    body_8bit;
  gboolean    smtputf8;
};

PosteEnvelope *poste_envelope_new  (const char    *sender);
void           poste_envelope_free (PosteEnvelope *envelope);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PosteEnvelope, poste_envelope_free)

/**
 * PosteDeliveryFlags:
 * @POSTE_DELIVERY_FLAGS_NONE: nothing special
 * @POSTE_DELIVERY_FLAGS_8BITMIME: the target stores 8-bit bodies as they are (RFC 6152)
 * @POSTE_DELIVERY_FLAGS_SMTPUTF8: the target takes UTF-8 addresses and headers (RFC 6531)
 *
 * What a target can take; the reversed-state server advertises only what the target supports.
 */
typedef enum {
  POSTE_DELIVERY_FLAGS_NONE     = 0,
  POSTE_DELIVERY_FLAGS_8BITMIME = 1 << 0,
  POSTE_DELIVERY_FLAGS_SMTPUTF8 = 1 << 1,
} PosteDeliveryFlags;

#define POSTE_TYPE_DELIVERY (poste_delivery_get_type ())
G_DECLARE_INTERFACE (PosteDelivery, poste_delivery, POSTE, DELIVERY, GObject)

/**
 * PosteDeliveryInterface:
 * @get_flags: what the target can take
 * @get_max_recipients: the most recipients one transaction may have; 0 for no limit (LMTP
 *   targets answer 1, so each LMTP reply maps onto the one SMTP reply)
 * @begin: starts a transaction for @envelope's sender (MAIL FROM); returns the reply to give
 * @add_recipient: adds a recipient (RCPT TO); returns the reply to give
 * @write: streams a chunk of the message
 * @commit: ends the message; returns 250 only once the message is durably stored
 * @abort: drops the transaction, leaving no trace in the target
 * @close: ends the target's session (for instance QUIT to a local MTA)
 *
 * The message given to @write is the content of DATA or BDAT after dot-unstuffing, with the
 * session's Received: header first and CR LF line ends as on the wire; targets that store Unix
 * line ends (mbox, Maildir, MDA) convert them. Every call runs in the session's thread.
 */
struct _PosteDeliveryInterface
{
  GTypeInterface parent_iface;

  PosteDeliveryFlags (*get_flags)          (PosteDelivery        *self);
  guint              (*get_max_recipients) (PosteDelivery        *self);
  PosteReply        *(*begin)              (PosteDelivery        *self,
                                            const PosteEnvelope  *envelope,
                                            GCancellable         *cancellable);
  PosteReply        *(*add_recipient)      (PosteDelivery        *self,
                                            const PosteEnvelope  *envelope,
                                            const char           *recipient,
                                            GCancellable         *cancellable);
  gboolean           (*write)              (PosteDelivery        *self,
                                            const guint8         *data,
                                            gsize                 length,
                                            GCancellable         *cancellable,
                                            GError              **error);
  PosteReply        *(*commit)             (PosteDelivery        *self,
                                            GCancellable         *cancellable);
  void               (*abort)              (PosteDelivery        *self);
  void               (*close)              (PosteDelivery        *self);
};

PosteDeliveryFlags poste_delivery_get_flags          (PosteDelivery        *self);
guint              poste_delivery_get_max_recipients (PosteDelivery        *self);
PosteReply        *poste_delivery_begin              (PosteDelivery        *self,
                                                      const PosteEnvelope  *envelope,
                                                      GCancellable         *cancellable);
PosteReply        *poste_delivery_add_recipient      (PosteDelivery        *self,
                                                      const PosteEnvelope  *envelope,
                                                      const char           *recipient,
                                                      GCancellable         *cancellable);
gboolean           poste_delivery_write              (PosteDelivery        *self,
                                                      const guint8         *data,
                                                      gsize                 length,
                                                      GCancellable         *cancellable,
                                                      GError              **error);
PosteReply        *poste_delivery_commit             (PosteDelivery        *self,
                                                      GCancellable         *cancellable);
void               poste_delivery_abort              (PosteDelivery        *self);
void               poste_delivery_close              (PosteDelivery        *self);

G_END_DECLS
