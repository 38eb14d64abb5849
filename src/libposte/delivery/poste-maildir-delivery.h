/* poste-maildir-delivery.h: delivery into a Maildir
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "poste-delivery.h"

G_BEGIN_DECLS

#define POSTE_TYPE_MAILDIR_DELIVERY (poste_maildir_delivery_get_type ())
G_DECLARE_FINAL_TYPE (PosteMaildirDelivery, poste_maildir_delivery, POSTE, MAILDIR_DELIVERY,
                      GObject)

PosteDelivery *poste_maildir_delivery_new          (const char            *path);
const char    *poste_maildir_delivery_get_path     (PosteMaildirDelivery  *self);
char          *poste_maildir_delivery_unique_name  (void);

G_END_DECLS
