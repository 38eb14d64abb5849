/* poste-cli-delivery.h: a delivery target that remembers its local failures
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "poste-delivery.h"

G_BEGIN_DECLS

#define POSTE_TYPE_CLI_DELIVERY (poste_cli_delivery_get_type ())
G_DECLARE_FINAL_TYPE (PosteCliDelivery, poste_cli_delivery, POSTE, CLI_DELIVERY, GObject)

PosteDelivery *poste_cli_delivery_new          (PosteDelivery    *inner);
guint          poste_cli_delivery_get_failures (PosteCliDelivery *self);
const char    *poste_cli_delivery_get_last     (PosteCliDelivery *self);

G_END_DECLS
