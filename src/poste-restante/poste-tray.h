/* poste-tray.h: the tray icon: what it shows and its menu, on the application's connection
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "poste-app-types.h"

G_BEGIN_DECLS

/* Where the item and its menu live on the application's D-Bus connection. */
#define POSTE_TRAY_ITEM_PATH "/StatusNotifierItem"
#define POSTE_TRAY_MENU_PATH "/MenuBar"

#define POSTE_TYPE_TRAY (poste_tray_get_type ())
G_DECLARE_FINAL_TYPE (PosteTray, poste_tray, POSTE, TRAY, GObject)

PosteTray  *poste_tray_new            (PosteApplication *application);
gboolean    poste_tray_get_registered (PosteTray        *self);

G_END_DECLS
