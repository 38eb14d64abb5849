/* poste-mbox-delivery.h: delivery into an mboxrd file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "poste-delivery.h"

G_BEGIN_DECLS

/**
 * POSTE_MBOX_DELIVERY_LOCK_TIMEOUT:
 *
 * How long, in seconds, a delivery waits by default for another program's lock on the mbox before
 * it answers 4xx (the provider tries again later).
 */
#define POSTE_MBOX_DELIVERY_LOCK_TIMEOUT 30

#define POSTE_TYPE_MBOX_DELIVERY (poste_mbox_delivery_get_type ())
G_DECLARE_FINAL_TYPE (PosteMboxDelivery, poste_mbox_delivery, POSTE, MBOX_DELIVERY, GObject)

PosteDelivery *poste_mbox_delivery_new              (const char         *path);
const char    *poste_mbox_delivery_get_path         (PosteMboxDelivery  *self);
guint          poste_mbox_delivery_get_lock_timeout (PosteMboxDelivery  *self);
void           poste_mbox_delivery_set_lock_timeout (PosteMboxDelivery  *self,
                                                     guint               seconds);

G_END_DECLS
