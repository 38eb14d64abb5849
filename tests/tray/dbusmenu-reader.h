/* dbusmenu-reader.h: a com.canonical.dbusmenu layout, read into items as a tray host reads it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* GetLayout's reply: the revision, then the parent item (id, properties, children). */
#define DBUSMENU_LAYOUT_TYPE G_VARIANT_TYPE ("(u(ia{sv}av))")

/* A child of the parent item, as GetLayout gives it. */
typedef struct {
  int       id;
  char     *label;        /* NULL when not given (a separator) */
  char     *type;         /* "separator", or NULL for a standard item */
  char     *toggle_type;  /* "checkmark", "radio", or NULL */
  int       toggle_state; /* 1 on, 0 off or not given */
  gboolean  enabled;      /* TRUE when not given, dbusmenu's default */
  gboolean  has_enabled;  /* whether "enabled" was given */
  guint     n_children;   /* the item's own children in the reply */
} DbusmenuItem;

GVariant           *dbusmenu_reader_new_layout_parameters (int         parent_id);
GArray             *dbusmenu_reader_read_layout           (GVariant   *reply,
                                                           guint32    *revision,
                                                           gint32     *parent_id,
                                                           GVariant  **parent_props);
const DbusmenuItem *dbusmenu_reader_find_item             (GArray     *items,
                                                           const char *label);

G_END_DECLS
