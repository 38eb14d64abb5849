/* dbusmenu-reader.c: a com.canonical.dbusmenu layout, read into items as a tray host reads it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The exporter's own test, test-tray and test-tray-xfce all ask GetLayout for every property
 * of every item below a parent and look items up by label: the asking and the reading are
 * here once. Only reading: what a reply must hold is for each test to assert.
 */
#include "config.h"

#include "dbusmenu-reader.h"

static void
item_clear (gpointer data)
{
  DbusmenuItem *item = data;

  g_free (item->label);
  g_free (item->type);
  g_free (item->toggle_type);
}

/**
 * dbusmenu_reader_new_layout_parameters:
 * @parent_id: the item whose children are asked for; 0 for the root
 *
 * Returns: (transfer floating): GetLayout's parameters (ias) asking for all the properties of
 *   all the items below @parent_id, at any depth; the reply is a %DBUSMENU_LAYOUT_TYPE
 */
GVariant *
dbusmenu_reader_new_layout_parameters (int parent_id)
{
  const char *all_properties[] = { NULL };

  return g_variant_new ("(ii^as)", parent_id, -1, all_properties);
}

/**
 * dbusmenu_reader_read_layout:
 * @reply: GetLayout's reply, a %DBUSMENU_LAYOUT_TYPE
 * @revision: (out) (optional): the layout's revision
 * @parent_id: (out) (optional): the parent item's id
 * @parent_props: (out) (optional) (transfer full): the parent item's properties (a{sv})
 *
 * Reads the parent item's children; their own children are only counted.
 *
 * Returns: (transfer full) (element-type DbusmenuItem): the children, in order
 */
GArray *
dbusmenu_reader_read_layout (GVariant  *reply,
                             guint32   *revision,
                             gint32    *parent_id,
                             GVariant **parent_props)
{
  g_autoptr(GVariant) props = NULL;
  g_autoptr(GVariant) children = NULL;
  GArray *items = g_array_new (FALSE, TRUE, sizeof (DbusmenuItem));
  GVariantIter iter;
  GVariant *child;
  guint32 layout_revision;
  gint32 id;

  g_array_set_clear_func (items, item_clear);
  g_variant_get (reply, "(u(i@a{sv}@av))", &layout_revision, &id, &props, &children);
  if (revision != NULL)
    *revision = layout_revision;
  if (parent_id != NULL)
    *parent_id = id;
  if (parent_props != NULL)
    *parent_props = g_variant_ref (props);

  g_variant_iter_init (&iter, children);
  while (g_variant_iter_next (&iter, "v", &child))
    {
      g_autoptr(GVariant) child_props = NULL;
      g_autoptr(GVariant) grandchildren = NULL;
      DbusmenuItem item = { 0 };

      g_variant_get (child, "(i@a{sv}@av)", &item.id, &child_props, &grandchildren);
      item.n_children = g_variant_n_children (grandchildren);
      g_variant_lookup (child_props, "label", "s", &item.label);
      g_variant_lookup (child_props, "type", "s", &item.type);
      g_variant_lookup (child_props, "toggle-type", "s", &item.toggle_type);
      g_variant_lookup (child_props, "toggle-state", "i", &item.toggle_state);
      item.has_enabled = g_variant_lookup (child_props, "enabled", "b", &item.enabled);
      if (!item.has_enabled)
        item.enabled = TRUE;
      g_array_append_val (items, item);
      g_variant_unref (child);
    }
  return items;
}

/**
 * dbusmenu_reader_find_item:
 * @items: (element-type DbusmenuItem): from dbusmenu_reader_read_layout()
 * @label: an item's label, with its mnemonic underscore
 *
 * Returns: (transfer none): the first item labelled @label; fails the test when there is none
 */
const DbusmenuItem *
dbusmenu_reader_find_item (GArray     *items,
                           const char *label)
{
  for (guint i = 0; i < items->len; i++)
    {
      const DbusmenuItem *item = &g_array_index (items, DbusmenuItem, i);

      if (g_strcmp0 (item->label, label) == 0)
        return item;
    }
  g_error ("no menu item labelled “%s”", label);
  return NULL;
}
