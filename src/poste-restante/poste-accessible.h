/* poste-accessible.h: what GTK 4.8 and libadwaita 1.2 leave to the application for screen readers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

void poste_accessible_name_from_label     (GtkButton      *button);
void poste_accessible_name_button         (GtkButton      *button,
                                           const char     *name);
void poste_accessible_name_image          (GtkImage       *image,
                                           const char     *name);
void poste_accessible_hide                (GtkWidget      *widget);
void poste_accessible_fix                 (GtkWidget      *root);
void poste_accessible_track_expanded      (AdwExpanderRow *row);
void poste_accessible_set_invalid         (GtkWidget      *widget,
                                           GtkWidget      *message);
void poste_accessible_announce_entry_rows (GtkWidget      *root);

G_END_DECLS
