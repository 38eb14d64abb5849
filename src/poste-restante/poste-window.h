/* poste-window.h: the main window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "poste-app-types.h"

G_BEGIN_DECLS

#define POSTE_TYPE_WINDOW (poste_window_get_type ())

G_DECLARE_FINAL_TYPE (PosteWindow, poste_window, POSTE, WINDOW, AdwApplicationWindow)

PosteWindow *poste_window_new             (PosteApplication         *application);
void         poste_window_reload_history  (PosteWindow              *self);
void         poste_window_add_toast       (PosteWindow              *self,
                                           AdwToast                 *toast);

G_END_DECLS
