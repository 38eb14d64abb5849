/* poste-outbox-row.h: a queued message in the Outbox window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include <poste-outbox.h>

G_BEGIN_DECLS

#define POSTE_TYPE_OUTBOX_ROW (poste_outbox_row_get_type ())

G_DECLARE_FINAL_TYPE (PosteOutboxRow, poste_outbox_row, POSTE, OUTBOX_ROW, AdwActionRow)

GtkWidget             *poste_outbox_row_new            (const PosteOutboxItem *item,
                                                        GListModel            *providers);
const PosteOutboxItem *poste_outbox_row_get_item       (PosteOutboxRow        *self);
const char            *poste_outbox_row_get_recipients (PosteOutboxRow        *self);

G_END_DECLS
