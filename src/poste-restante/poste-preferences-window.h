/* poste-preferences-window.h: the preferences window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "poste-app-types.h"

G_BEGIN_DECLS

#define POSTE_TYPE_PREFERENCES_WINDOW (poste_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (PostePreferencesWindow, poste_preferences_window, POSTE, PREFERENCES_WINDOW,
                      AdwPreferencesWindow)

PostePreferencesWindow *poste_preferences_window_new (PosteApplication *application);

G_END_DECLS
