/* poste-outbox-view.h: the Outbox window: queued outgoing mail, its state, Send now and Remove
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include <poste-outbox.h>

G_BEGIN_DECLS

#define POSTE_TYPE_OUTBOX_VIEW (poste_outbox_view_get_type ())

G_DECLARE_FINAL_TYPE (PosteOutboxView, poste_outbox_view, POSTE, OUTBOX_VIEW, AdwWindow)

PosteOutboxView *poste_outbox_view_new     (PosteOutbox     *outbox);
void             poste_outbox_view_refresh (PosteOutboxView *self);
guint            poste_outbox_view_get_n_items (PosteOutboxView *self);
void             poste_outbox_view_set_providers (PosteOutboxView *self,
                                                  GListModel      *providers);

G_END_DECLS
