/* poste-editor-rows.h: reading and showing the provider editor's text and target rows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* The kinds of delivery target the editor offers, in the order of its kind lists. */
typedef enum {
  DELIVERY_MAILDIR,
  DELIVERY_MBOX,
  DELIVERY_SERVER,
  DELIVERY_MDA,
} DeliveryKind;

const char   *_poste_entry_row_get_text             (AdwEntryRow *row);
char         *_poste_entry_row_dup_stripped         (AdwEntryRow *row);

DeliveryKind  _poste_target_rows_get_kind           (AdwComboRow *kind_row);
char         *_poste_target_rows_dup_target         (AdwComboRow *kind_row,
                                                     AdwEntryRow *location_row);
void          _poste_target_rows_show               (AdwComboRow *kind_row,
                                                     AdwEntryRow *location_row,
                                                     const char  *spec);
const char   *_poste_target_rows_get_location_title (DeliveryKind kind);

G_END_DECLS
