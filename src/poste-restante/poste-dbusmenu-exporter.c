/* poste-dbusmenu-exporter.c: a GMenuModel exported as com.canonical.dbusmenu
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A tray host (a StatusNotifierItem's Menu) reads menus in the dbusmenu protocol of libdbusmenu,
 * not in GIO's org.gtk.Menus, and GLib has no exporter for it. This one knows nothing of the
 * application: it takes a GMenuModel and the action groups its items name by prefix, as
 * gtk_widget_insert_action_group() does, and answers the protocol from them:
 * - the layout is the model with its sections flattened, a separator between two sections that
 *   have items (as GTK's own menus show them), and submenus as children;
 * - an item's properties come from its attributes and its action: "label", "enabled" (the action
 *   exists and is enabled), and for a stateful action "toggle-type" and "toggle-state" (a
 *   checkmark for a boolean state without a target, a radio button for a target);
 * - a "clicked" Event flips a checkmark's state at once and activates any other item's action
 *   from the main loop, after the reply;
 * - any change of the model or of an action's presence, enabled state or state bumps the
 *   revision and emits LayoutUpdated for the root, so that a host reads the menu again;
 * - AboutToShow asks #PosteDbusmenuExporter::about-to-show whether the menu is to change first.
 *
 * Ids: 0 is the root; every other item keeps its id for as long as the exporter lives, found
 * again by its action and target (or its label when it has no action), separators by the
 * section they come before. A host may keep ids across LayoutUpdated.
 */
#include "config.h"

#include <string.h>

#include <gtk/gtk.h>

#include "poste-dbusmenu-exporter.h"
#include "poste-tray-dbus.h"

#define ROOT_ID 0

typedef struct _Node Node;

struct _Node
{
  int        id;
  gboolean   separator;
  char      *label;
  /* The action with its group's prefix ("app.quit"), and its target. */
  char      *action;
  GVariant  *target;
  /* Node: the items of the root or of a submenu; NULL for any other item. */
  GPtrArray *children;
};

/* An inserted action group: held weakly, since an application that owns the exporter of its own
 * menu would otherwise never be finalized. */
typedef struct
{
  PosteDbusmenuExporter *exporter;
  GActionGroup          *group;
} Group;

/* A model whose items-changed is followed: the menu, and its sections and submenus. */
typedef struct
{
  GMenuModel *model;
  gulong      handler;
} Watch;

struct _PosteDbusmenuExporter
{
  GObject        parent_instance;

  PosteDbusmenu *skeleton;
  GMenuModel    *model;
  /* Prefix -> Group. */
  GHashTable    *groups;
  GArray        *watches;

  Node          *root;
  /* Id -> Node of the current layout, without the root. */
  GHashTable    *nodes;
  /* Key of an item -> its id, never forgotten. */
  GHashTable    *ids;
  int            next_id;
  guint          revision;
};

G_DEFINE_FINAL_TYPE (PosteDbusmenuExporter, poste_dbusmenu_exporter, G_TYPE_OBJECT)

enum {
  ABOUT_TO_SHOW,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void rebuild (PosteDbusmenuExporter *self);

static void
node_free (gpointer data)
{
  Node *node = data;

  g_free (node->label);
  g_free (node->action);
  g_clear_pointer (&node->target, g_variant_unref);
  g_clear_pointer (&node->children, g_ptr_array_unref);
  g_free (node);
}

/* The layout */

/* No host has seen a revision before the menu is on the bus: the first one it gets is 1. */
static void
layout_changed (PosteDbusmenuExporter *self)
{
  if (g_dbus_interface_skeleton_get_connection (G_DBUS_INTERFACE_SKELETON (self->skeleton)) == NULL)
    return;
  self->revision++;
  poste_dbusmenu_emit_layout_updated (self->skeleton, self->revision, ROOT_ID);
}

static void
model_changed_cb (GMenuModel            *model,
                  int                    position,
                  int                    removed,
                  int                    added,
                  PosteDbusmenuExporter *self)
{
  rebuild (self);
  layout_changed (self);
}

static void
watch (PosteDbusmenuExporter *self,
       GMenuModel            *model)
{
  Watch w = { g_object_ref (model), 0 };

  w.handler = g_signal_connect (model, "items-changed", G_CALLBACK (model_changed_cb), self);
  g_array_append_val (self->watches, w);
}

static void
unwatch_all (PosteDbusmenuExporter *self)
{
  for (guint i = 0; i < self->watches->len; i++)
    {
      Watch *w = &g_array_index (self->watches, Watch, i);

      g_signal_handler_disconnect (w->model, w->handler);
      g_object_unref (w->model);
    }
  g_array_set_size (self->watches, 0);
}

/* The id of the item known by @key, the same for as long as the exporter lives; @used holds the
 * keys of this layout, so that two items with the same action get ids of their own. */
static int
id_for_key (PosteDbusmenuExporter *self,
            GHashTable            *used,
            const char            *key)
{
  g_autofree char *unique = g_strdup (key);
  gpointer id;

  for (guint n = 2; g_hash_table_contains (used, unique); n++)
    {
      g_free (unique);
      unique = g_strdup_printf ("%s#%u", key, n);
    }
  g_hash_table_add (used, g_strdup (unique));
  if (!g_hash_table_lookup_extended (self->ids, unique, NULL, &id))
    {
      id = GINT_TO_POINTER (self->next_id++);
      g_hash_table_insert (self->ids, g_steal_pointer (&unique), id);
    }
  return GPOINTER_TO_INT (id);
}

static Node *
add_node (PosteDbusmenuExporter *self,
          GPtrArray             *out,
          int                    id)
{
  Node *node = g_new0 (Node, 1);

  node->id = id;
  g_ptr_array_add (out, node);
  g_hash_table_insert (self->nodes, GINT_TO_POINTER (id), node);
  return node;
}

/* Appends @model's items to @out: a section's items inline with a separator before and after
 * them when other items are there; @scope names @model among the menu's models, for the ids. */
static void
flatten (PosteDbusmenuExporter *self,
         GMenuModel            *model,
         const char            *scope,
         GHashTable            *used,
         GPtrArray             *out)
{
  int n = g_menu_model_get_n_items (model);
  gboolean separate = FALSE;

  watch (self, model);
  for (int i = 0; i < n; i++)
    {
      g_autoptr(GMenuModel) section = g_menu_model_get_item_link (model, i, G_MENU_LINK_SECTION);
      g_autoptr(GMenuModel) submenu = NULL;
      g_autofree char *label = NULL;
      g_autofree char *action = NULL;
      g_autoptr(GVariant) target = NULL;
      g_autofree char *key = NULL;
      Node *node;

      if (section != NULL)
        {
          g_autofree char *section_scope = g_strdup_printf ("%s/s%d", scope, i);
          g_autoptr(GPtrArray) items = g_ptr_array_new ();

          flatten (self, section, section_scope, used, items);
          if (items->len == 0)
            continue;
          if (out->len > 0)
            add_node (self, out, id_for_key (self, used, section_scope))->separator = TRUE;
          g_ptr_array_extend_and_steal (out, g_steal_pointer (&items));
          separate = TRUE;
          continue;
        }

      if (separate)
        {
          g_autofree char *after = g_strdup_printf ("%s/i%d", scope, i);

          add_node (self, out, id_for_key (self, used, after))->separator = TRUE;
          separate = FALSE;
        }

      g_menu_model_get_item_attribute (model, i, G_MENU_ATTRIBUTE_LABEL, "s", &label);
      g_menu_model_get_item_attribute (model, i, G_MENU_ATTRIBUTE_ACTION, "s", &action);
      target = g_menu_model_get_item_attribute_value (model, i, G_MENU_ATTRIBUTE_TARGET, NULL);
      if (action != NULL)
        {
          g_autofree char *printed = target != NULL ? g_variant_print (target, TRUE) : NULL;

          key = g_strdup_printf ("%s/%s(%s)", scope, action, printed != NULL ? printed : "");
        }
      else
        key = g_strdup_printf ("%s/label:%s", scope, label != NULL ? label : "");

      node = add_node (self, out, id_for_key (self, used, key));
      node->label = g_steal_pointer (&label);
      node->action = g_steal_pointer (&action);
      node->target = g_steal_pointer (&target);
      if ((submenu = g_menu_model_get_item_link (model, i, G_MENU_LINK_SUBMENU)) != NULL)
        {
          node->children = g_ptr_array_new_with_free_func (node_free);
          flatten (self, submenu, key, used, node->children);
        }
    }
}

/* Reads the whole model again: the nodes are the layout a host gets until the next change. */
static void
rebuild (PosteDbusmenuExporter *self)
{
  g_autoptr(GHashTable) used = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  unwatch_all (self);
  g_hash_table_remove_all (self->nodes);
  g_clear_pointer (&self->root, node_free);

  self->root = g_new0 (Node, 1);
  self->root->id = ROOT_ID;
  self->root->children = g_ptr_array_new_with_free_func (node_free);
  if (self->model != NULL)
    flatten (self, self->model, "", used, self->root->children);
}

static Node *
find_node (PosteDbusmenuExporter *self,
           int                    id)
{
  return g_hash_table_lookup (self->nodes, GINT_TO_POINTER (id));
}

/* Actions */

/* The group that holds @action ("prefix.name") and the name in it; NULL when there is none. */
static GActionGroup *
resolve_action (PosteDbusmenuExporter  *self,
                const char             *action,
                const char            **name)
{
  const char *dot = action != NULL ? strchr (action, '.') : NULL;
  g_autofree char *prefix = NULL;
  Group *group;

  if (dot == NULL)
    return NULL;
  prefix = g_strndup (action, dot - action);
  group = g_hash_table_lookup (self->groups, prefix);
  if (group == NULL || group->group == NULL)
    return NULL;
  *name = dot + 1;
  return group->group;
}

static void
action_changed_cb (PosteDbusmenuExporter *self)
{
  layout_changed (self);
}

static void
group_gone (gpointer  data,
            GObject  *where_the_object_was)
{
  Group *group = data;

  group->group = NULL;
}

static void
group_free (gpointer data)
{
  Group *group = data;

  if (group->group != NULL)
    {
      g_signal_handlers_disconnect_by_data (group->group, group->exporter);
      g_object_weak_unref (G_OBJECT (group->group), group_gone, group);
    }
  g_free (group);
}

/* Properties */

static GVariant *
node_properties (PosteDbusmenuExporter *self,
                 Node                  *node,
                 const char * const    *names)
{
  g_autoptr(GVariant) state = NULL;
  GActionGroup *group = NULL;
  const char *name = NULL;
  GVariantDict dict;

#define WANTED(property) (names == NULL || names[0] == NULL || g_strv_contains (names, property))

  g_variant_dict_init (&dict, NULL);
  if (node == self->root)
    {
      if (WANTED ("children-display"))
        g_variant_dict_insert (&dict, "children-display", "s", "submenu");
      return g_variant_dict_end (&dict);
    }
  if (node->separator)
    {
      if (WANTED ("type"))
        g_variant_dict_insert (&dict, "type", "s", "separator");
      return g_variant_dict_end (&dict);
    }

  if (node->action != NULL && (group = resolve_action (self, node->action, &name)) != NULL &&
      !g_action_group_has_action (group, name))
    group = NULL;

  if (node->label != NULL && WANTED ("label"))
    g_variant_dict_insert (&dict, "label", "s", node->label);
  if (WANTED ("enabled"))
    g_variant_dict_insert (&dict, "enabled", "b",
                           node->action == NULL ||
                           (group != NULL && g_action_group_get_action_enabled (group, name)));
  if (node->children != NULL && WANTED ("children-display"))
    g_variant_dict_insert (&dict, "children-display", "s", "submenu");

  if (group != NULL)
    state = g_action_group_get_action_state (group, name);
  if (state != NULL && node->target == NULL && g_variant_is_of_type (state, G_VARIANT_TYPE_BOOLEAN))
    {
      if (WANTED ("toggle-type"))
        g_variant_dict_insert (&dict, "toggle-type", "s", "checkmark");
      if (WANTED ("toggle-state"))
        g_variant_dict_insert (&dict, "toggle-state", "i", g_variant_get_boolean (state) ? 1 : 0);
    }
  else if (state != NULL && node->target != NULL &&
           g_variant_is_of_type (state, g_variant_get_type (node->target)))
    {
      if (WANTED ("toggle-type"))
        g_variant_dict_insert (&dict, "toggle-type", "s", "radio");
      if (WANTED ("toggle-state"))
        g_variant_dict_insert (&dict, "toggle-state", "i", g_variant_equal (state, node->target));
    }
#undef WANTED
  return g_variant_dict_end (&dict);
}

static GVariant *
node_layout (PosteDbusmenuExporter *self,
             Node                  *node,
             int                    depth,
             const char * const    *names)
{
  GVariantBuilder children;

  g_variant_builder_init (&children, G_VARIANT_TYPE ("av"));
  if (node->children != NULL && depth != 0)
    for (guint i = 0; i < node->children->len; i++)
      g_variant_builder_add (&children, "v",
                             node_layout (self, g_ptr_array_index (node->children, i), depth - 1,
                                          names));
  return g_variant_new ("(i@a{sv}av)", node->id, node_properties (self, node, names), &children);
}

/* Events */

/* Activates an item's action from the main loop, after the D-Bus call was answered: an action
 * that quits must not pull the connection away under the reply. */
typedef struct {
  GActionGroup *group;
  char         *action;
  GVariant     *target;
} Activation;

static gboolean
activate_idle (gpointer data)
{
  Activation *activation = data;

  if (g_action_group_get_action_enabled (activation->group, activation->action))
    g_action_group_activate_action (activation->group, activation->action, activation->target);
  g_object_unref (activation->group);
  g_free (activation->action);
  g_clear_pointer (&activation->target, g_variant_unref);
  g_free (activation);
  return G_SOURCE_REMOVE;
}

/* FALSE when there is no item @id. */
static gboolean
node_event (PosteDbusmenuExporter *self,
            int                    id,
            const char            *event)
{
  Node *node = find_node (self, id);
  g_autoptr(GVariant) state = NULL;
  Activation *activation;
  GActionGroup *group;
  const char *name = NULL;

  if (node == NULL)
    return FALSE;
  if (!g_str_equal (event, "clicked") || node->action == NULL ||
      (group = resolve_action (self, node->action, &name)) == NULL)
    return TRUE;

  /* A checkmark flips its state. */
  if (node->target == NULL && g_action_group_has_action (group, name) &&
      (state = g_action_group_get_action_state (group, name)) != NULL &&
      g_variant_is_of_type (state, G_VARIANT_TYPE_BOOLEAN))
    {
      g_action_group_change_action_state (group, name,
                                          g_variant_new_boolean (!g_variant_get_boolean (state)));
      return TRUE;
    }

  activation = g_new0 (Activation, 1);
  activation->group = g_object_ref (group);
  activation->action = g_strdup (name);
  activation->target = node->target != NULL ? g_variant_ref (node->target) : NULL;
  g_idle_add (activate_idle, activation);
  return TRUE;
}

/* The methods */

static gboolean
handle_get_layout (PosteDbusmenu         *skeleton,
                   GDBusMethodInvocation *invocation,
                   int                    parent_id,
                   int                    depth,
                   const char * const    *names,
                   PosteDbusmenuExporter *self)
{
  Node *node = parent_id == ROOT_ID ? self->root : find_node (self, parent_id);

  if (node == NULL)
    {
      g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                             "No menu item %d", parent_id);
      return TRUE;
    }
  poste_dbusmenu_complete_get_layout (skeleton, invocation, self->revision,
                                      node_layout (self, node, depth, names));
  return TRUE;
}

static gboolean
handle_get_group_properties (PosteDbusmenu         *skeleton,
                             GDBusMethodInvocation *invocation,
                             GVariant              *ids,
                             const char * const    *names,
                             PosteDbusmenuExporter *self)
{
  GVariantBuilder builder;
  GVariantIter iter;
  gint32 id;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(ia{sv})"));
  g_variant_iter_init (&iter, ids);
  while (g_variant_iter_next (&iter, "i", &id))
    {
      Node *node = find_node (self, id);

      if (node != NULL)
        g_variant_builder_add (&builder, "(i@a{sv})", id, node_properties (self, node, names));
    }
  poste_dbusmenu_complete_get_group_properties (skeleton, invocation,
                                                g_variant_builder_end (&builder));
  return TRUE;
}

static gboolean
handle_get_property (PosteDbusmenu         *skeleton,
                     GDBusMethodInvocation *invocation,
                     int                    id,
                     const char            *name,
                     PosteDbusmenuExporter *self)
{
  Node *node = find_node (self, id);
  const char *names[] = { name, NULL };
  g_autoptr(GVariant) props = NULL;
  g_autoptr(GVariant) value = NULL;

  if (node != NULL)
    {
      props = g_variant_ref_sink (node_properties (self, node, names));
      value = g_variant_lookup_value (props, name, NULL);
    }
  if (value == NULL)
    {
      g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                             "No property %s on menu item %d", name, id);
      return TRUE;
    }
  poste_dbusmenu_complete_get_property (skeleton, invocation, g_variant_new_variant (value));
  return TRUE;
}

static gboolean
handle_event (PosteDbusmenu         *skeleton,
              GDBusMethodInvocation *invocation,
              int                    id,
              const char            *event,
              GVariant              *data,
              guint                  timestamp,
              PosteDbusmenuExporter *self)
{
  if (!node_event (self, id, event))
    {
      g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                             "No menu item %d", id);
      return TRUE;
    }
  poste_dbusmenu_complete_event (skeleton, invocation);
  return TRUE;
}

static gboolean
handle_event_group (PosteDbusmenu         *skeleton,
                    GDBusMethodInvocation *invocation,
                    GVariant              *events,
                    PosteDbusmenuExporter *self)
{
  GVariantBuilder errors;
  GVariantIter iter;
  const char *event;
  gint32 id;

  g_variant_builder_init (&errors, G_VARIANT_TYPE ("ai"));
  g_variant_iter_init (&iter, events);
  while (g_variant_iter_next (&iter, "(i&svu)", &id, &event, NULL, NULL))
    if (!node_event (self, id, event))
      g_variant_builder_add (&errors, "i", id);
  poste_dbusmenu_complete_event_group (skeleton, invocation, g_variant_builder_end (&errors));
  return TRUE;
}

static gboolean
about_to_show (PosteDbusmenuExporter *self,
               int                    id)
{
  gboolean changed = FALSE;

  g_signal_emit (self, signals[ABOUT_TO_SHOW], 0, id, &changed);
  return changed;
}

static gboolean
handle_about_to_show (PosteDbusmenu         *skeleton,
                      GDBusMethodInvocation *invocation,
                      int                    id,
                      PosteDbusmenuExporter *self)
{
  poste_dbusmenu_complete_about_to_show (skeleton, invocation, about_to_show (self, id));
  return TRUE;
}

/* One question for the whole group, for the root: the layout is one tree, and LayoutUpdated for
 * the root already told the host of any change. */
static gboolean
handle_about_to_show_group (PosteDbusmenu         *skeleton,
                            GDBusMethodInvocation *invocation,
                            GVariant              *ids,
                            PosteDbusmenuExporter *self)
{
  gint32 root = ROOT_ID;

  poste_dbusmenu_complete_about_to_show_group (skeleton, invocation,
                                               about_to_show (self, ROOT_ID)
                                                 ? g_variant_new_fixed_array (G_VARIANT_TYPE_INT32, &root, 1, sizeof root)
                                                 : g_variant_new_array (G_VARIANT_TYPE_INT32, NULL, 0),
                                               g_variant_new_array (G_VARIANT_TYPE_INT32, NULL, 0));
  return TRUE;
}

/* The object */

/**
 * poste_dbusmenu_exporter_new:
 * @model: the menu
 *
 * Makes an exporter of @model's items. Their actions are looked up in the groups added with
 * poste_dbusmenu_exporter_insert_action_group(); the menu is on the bus once
 * poste_dbusmenu_exporter_export() put it there.
 *
 * Returns: (transfer full): the exporter
 */
PosteDbusmenuExporter *
poste_dbusmenu_exporter_new (GMenuModel *model)
{
  PosteDbusmenuExporter *self;

  g_return_val_if_fail (G_IS_MENU_MODEL (model), NULL);

  self = g_object_new (POSTE_TYPE_DBUSMENU_EXPORTER, NULL);
  self->model = g_object_ref (model);
  rebuild (self);
  return self;
}

/**
 * poste_dbusmenu_exporter_insert_action_group:
 * @self: a #PosteDbusmenuExporter
 * @prefix: the prefix of the items' actions in @group, "app" for "app.quit"
 * @group: (nullable): the actions, or %NULL to remove the group of @prefix
 *
 * Gives the items' actions of @prefix to @group, which is not kept alive: once it is finalized,
 * its items are disabled.
 */
void
poste_dbusmenu_exporter_insert_action_group (PosteDbusmenuExporter *self,
                                             const char            *prefix,
                                             GActionGroup          *group)
{
  Group *entry;

  g_return_if_fail (POSTE_IS_DBUSMENU_EXPORTER (self));
  g_return_if_fail (prefix != NULL);
  g_return_if_fail (group == NULL || G_IS_ACTION_GROUP (group));

  if (group == NULL)
    {
      if (g_hash_table_remove (self->groups, prefix))
        layout_changed (self);
      return;
    }

  /* Before connecting: the old entry disconnects every handler of ours on its group. */
  g_hash_table_remove (self->groups, prefix);
  entry = g_new0 (Group, 1);
  entry->exporter = self;
  entry->group = group;
  g_object_weak_ref (G_OBJECT (group), group_gone, entry);
  g_signal_connect_swapped (group, "action-added", G_CALLBACK (action_changed_cb), self);
  g_signal_connect_swapped (group, "action-removed", G_CALLBACK (action_changed_cb), self);
  g_signal_connect_swapped (group, "action-enabled-changed", G_CALLBACK (action_changed_cb), self);
  g_signal_connect_swapped (group, "action-state-changed", G_CALLBACK (action_changed_cb), self);
  g_hash_table_replace (self->groups, g_strdup (prefix), entry);
  layout_changed (self);
}

/**
 * poste_dbusmenu_exporter_export:
 * @self: a #PosteDbusmenuExporter
 * @connection: where to export the menu
 * @object_path: its object path, a StatusNotifierItem's Menu
 * @error: a #GError, of g_dbus_interface_skeleton_export()
 *
 * Puts the menu on @connection, until the exporter is disposed.
 *
 * Returns: whether the menu is on @connection at @object_path
 */
gboolean
poste_dbusmenu_exporter_export (PosteDbusmenuExporter  *self,
                                GDBusConnection        *connection,
                                const char             *object_path,
                                GError                **error)
{
  g_return_val_if_fail (POSTE_IS_DBUSMENU_EXPORTER (self), FALSE);
  g_return_val_if_fail (G_IS_DBUS_CONNECTION (connection), FALSE);
  g_return_val_if_fail (g_variant_is_object_path (object_path), FALSE);

  return g_dbus_interface_skeleton_export (G_DBUS_INTERFACE_SKELETON (self->skeleton), connection,
                                           object_path, error);
}

static void
poste_dbusmenu_exporter_dispose (GObject *object)
{
  PosteDbusmenuExporter *self = (PosteDbusmenuExporter *)object;

  if (self->skeleton != NULL)
    {
      if (g_dbus_interface_skeleton_get_connection (G_DBUS_INTERFACE_SKELETON (self->skeleton)))
        g_dbus_interface_skeleton_unexport (G_DBUS_INTERFACE_SKELETON (self->skeleton));
      g_signal_handlers_disconnect_by_data (self->skeleton, self);
    }
  g_clear_object (&self->skeleton);
  unwatch_all (self);
  g_hash_table_remove_all (self->groups);
  g_hash_table_remove_all (self->nodes);
  g_clear_pointer (&self->root, node_free);
  g_clear_object (&self->model);

  G_OBJECT_CLASS (poste_dbusmenu_exporter_parent_class)->dispose (object);
}

static void
poste_dbusmenu_exporter_finalize (GObject *object)
{
  PosteDbusmenuExporter *self = (PosteDbusmenuExporter *)object;

  g_clear_pointer (&self->groups, g_hash_table_unref);
  g_clear_pointer (&self->watches, g_array_unref);
  g_clear_pointer (&self->nodes, g_hash_table_unref);
  g_clear_pointer (&self->ids, g_hash_table_unref);

  G_OBJECT_CLASS (poste_dbusmenu_exporter_parent_class)->finalize (object);
}

static void
poste_dbusmenu_exporter_class_init (PosteDbusmenuExporterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = poste_dbusmenu_exporter_dispose;
  object_class->finalize = poste_dbusmenu_exporter_finalize;

  /**
   * PosteDbusmenuExporter::about-to-show:
   * @self: the exporter
   * @id: the item whose submenu a host is about to show, 0 for the menu
   *
   * A host is about to show the menu: a handler may bring the model or the actions up to date
   * now, and returns %TRUE when it changed them.
   *
   * Returns: whether the menu changed
   */
  signals[ABOUT_TO_SHOW] =
    g_signal_new ("about-to-show", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  g_signal_accumulator_true_handled, NULL, NULL,
                  G_TYPE_BOOLEAN, 1, G_TYPE_INT);
}

static void
poste_dbusmenu_exporter_init (PosteDbusmenuExporter *self)
{
  self->groups = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, group_free);
  self->watches = g_array_new (FALSE, FALSE, sizeof (Watch));
  self->nodes = g_hash_table_new (NULL, NULL);
  self->ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->next_id = ROOT_ID + 1;
  self->revision = 1;

  self->skeleton = poste_dbusmenu_skeleton_new ();
  poste_dbusmenu_set_version (self->skeleton, 3);
  poste_dbusmenu_set_text_direction (self->skeleton,
                                     gtk_get_locale_direction () == GTK_TEXT_DIR_RTL ? "rtl" : "ltr");
  poste_dbusmenu_set_status (self->skeleton, "normal");
  poste_dbusmenu_set_icon_theme_path (self->skeleton, (const char * const []) { NULL });
  g_signal_connect (self->skeleton, "handle-get-layout", G_CALLBACK (handle_get_layout), self);
  g_signal_connect (self->skeleton, "handle-get-group-properties",
                    G_CALLBACK (handle_get_group_properties), self);
  g_signal_connect (self->skeleton, "handle-get-property", G_CALLBACK (handle_get_property), self);
  g_signal_connect (self->skeleton, "handle-event", G_CALLBACK (handle_event), self);
  g_signal_connect (self->skeleton, "handle-event-group", G_CALLBACK (handle_event_group), self);
  g_signal_connect (self->skeleton, "handle-about-to-show", G_CALLBACK (handle_about_to_show),
                    self);
  g_signal_connect (self->skeleton, "handle-about-to-show-group",
                    G_CALLBACK (handle_about_to_show_group), self);
}
