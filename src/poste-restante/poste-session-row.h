/* poste-session-row.h: a session running now, in the main window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include <poste-session.h>

G_BEGIN_DECLS

#define POSTE_TYPE_SESSION_ROW (poste_session_row_get_type ())

G_DECLARE_FINAL_TYPE (PosteSessionRow, poste_session_row, POSTE, SESSION_ROW, GtkListBoxRow)

GtkWidget    *poste_session_row_new         (PosteSession    *session);
PosteSession *poste_session_row_get_session (PosteSessionRow *self);

G_END_DECLS
