/* poste-smtp-delivery.h: relay to a local MTA over SMTP or LMTP
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "poste-delivery.h"

G_BEGIN_DECLS

/**
 * POSTE_SMTP_DELIVERY_TIMEOUT:
 *
 * The default deadline in seconds for the local MTA's greeting and for each of its replies
 * (RFC 5321 section 4.5.3.2 suggests 5 minutes for most replies, 10 after the end of DATA; a
 * local MTA answers far sooner).
 */
#define POSTE_SMTP_DELIVERY_TIMEOUT 300

#define POSTE_TYPE_SMTP_DELIVERY (poste_smtp_delivery_get_type ())
G_DECLARE_FINAL_TYPE (PosteSmtpDelivery, poste_smtp_delivery, POSTE, SMTP_DELIVERY, GObject)

PosteDelivery      *poste_smtp_delivery_new         (GSocketConnectable *address,
                                                     gboolean            lmtp);
GSocketConnectable *poste_smtp_delivery_get_address (PosteSmtpDelivery  *self);
gboolean            poste_smtp_delivery_get_lmtp    (PosteSmtpDelivery  *self);
guint               poste_smtp_delivery_get_timeout (PosteSmtpDelivery  *self);
void                poste_smtp_delivery_set_timeout (PosteSmtpDelivery  *self,
                                                     guint               seconds);
gboolean            poste_smtp_delivery_is_connected (PosteSmtpDelivery *self);

G_END_DECLS
