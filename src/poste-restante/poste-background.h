/* poste-background.h: running in the background and at login, inside Flatpak
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

gboolean poste_background_in_flatpak (void);
void     poste_background_request     (GSettings *settings,
                                       GtkWindow *parent,
                                       gboolean   autostart);

G_END_DECLS
