/* poste-route-row.h: one route of the provider editor
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define POSTE_TYPE_ROUTE_ROW (poste_route_row_get_type ())

G_DECLARE_FINAL_TYPE (PosteRouteRow, poste_route_row, POSTE, ROUTE_ROW, AdwExpanderRow)

GtkWidget   *poste_route_row_new              (const char    *spec);
const char  *poste_route_row_get_address      (PosteRouteRow *self);
const char  *poste_route_row_get_target       (PosteRouteRow *self);
gboolean     poste_route_row_get_touched      (PosteRouteRow *self);
AdwEntryRow *poste_route_row_get_address_row  (PosteRouteRow *self);
AdwEntryRow *poste_route_row_get_location_row (PosteRouteRow *self);

G_END_DECLS
