/* poste-router.h: the delivery target for each recipient
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "poste-delivery.h"

G_BEGIN_DECLS

#define POSTE_TYPE_ROUTER (poste_router_get_type ())
G_DECLARE_FINAL_TYPE (PosteRouter, poste_router, POSTE, ROUTER, GObject)

PosteDelivery *poste_delivery_new_for_target (const char          *target,
                                              GError             **error);
PosteDelivery *poste_router_new              (PosteProvider       *provider,
                                              GError             **error);
PosteDelivery *poste_router_new_for_routes   (const char          *default_target,
                                              const char * const  *routes,
                                              GError             **error);
gboolean       poste_router_check_provider   (PosteProvider       *provider,
                                              GError             **error);
const char    *poste_router_lookup           (PosteRouter         *self,
                                              const char          *recipient);
gboolean       poste_delivery_target_relays  (const char          *target);
gboolean       poste_delivery_relays_for     (PosteDelivery       *delivery,
                                              const char          *recipient);

G_END_DECLS
