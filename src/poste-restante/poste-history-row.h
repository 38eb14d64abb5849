/* poste-history-row.h: a session in the main window's history
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include <poste-session.h>

G_BEGIN_DECLS

#define POSTE_TYPE_HISTORY_ROW (poste_history_row_get_type ())

G_DECLARE_FINAL_TYPE (PosteHistoryRow, poste_history_row, POSTE, HISTORY_ROW, AdwExpanderRow)

GtkWidget                *poste_history_row_new        (const PosteSessionReport *report);
const PosteSessionReport *poste_history_row_get_report (PosteHistoryRow          *self);

G_END_DECLS
