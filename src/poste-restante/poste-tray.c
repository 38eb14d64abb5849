/* poste-tray.c: the tray icon, a StatusNotifierItem with a dbusmenu menu
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * No GTK 4 library for StatusNotifierItem exists on Debian 12, so the item is written over
 * GDBus with gdbus-codegen from the interfaces in dbus/. The item lives at
 * POSTE_TRAY_ITEM_PATH on the application's own connection and registers with the
 * org.kde.StatusNotifierWatcher by that object path (the watcher takes our unique name from the
 * call), again whenever a watcher appears. Its menu (com.canonical.dbusmenu at
 * POSTE_TRAY_MENU_PATH) only activates application actions: app.fetch-now,
 * app.fetch-provider::NAME, app.pause-schedules, app.open and app.quit, the same ones that the
 * desktop file's actions and `gapplication action` use.
 *
 * The icon says what is going on, with icons of its own (the application's letter, and a small
 * badge for the states): idle; fetching while sessions run (the tooltip counts providers,
 * messages and bytes); Status NeedsAttention with the attention icon while a provider's last
 * fetch failed, until it succeeds, from the history's last report on start. Each icon goes as a
 * themed name with IconThemePath (the installed icons, or the source tree's when run from the
 * build tree) and as pixmaps, rendered from the PNGs in our resources, for hosts that cannot find
 * the theme (another sandbox, another machine).
 */
#include "config.h"

#include <glib/gi18n.h>

#include <poste-outbox.h>

#include "poste-application.h"
#include "poste-config.h"
#include "poste-provider.h"
#include "poste-scheduler.h"
#include "poste-session.h"
#include "poste-tray.h"
#include "poste-tray-dbus.h"

#define WATCHER_NAME "org.kde.StatusNotifierWatcher"
#define WATCHER_PATH "/StatusNotifierWatcher"
#define WATCHER_INTERFACE "org.kde.StatusNotifierWatcher"

#define IDLE_ICON_NAME APP_ID "-tray"
#define FETCHING_ICON_NAME APP_ID "-tray-fetching"
#define ATTENTION_ICON_NAME APP_ID "-tray-attention"
/* The PNG sizes in the resources for the pixmap fallback (data/icons/hicolor/SIZE/status). */
#define PIXMAP_RESOURCE "/io/github/posterestante/PosteRestante/tray/%dx%d/%s.png"
static const int pixmap_sizes[] = { 16, 24, 32, 48, 64 };

/* Fixed menu item ids; providers get ids from FIRST_PROVIDER_ID on, kept for each name. */
enum {
  ITEM_ROOT = 0,
  ITEM_FETCH_NOW,
  ITEM_SEPARATOR_1,
  ITEM_SEPARATOR_2,
  ITEM_PAUSE,
  ITEM_OPEN,
  ITEM_SEPARATOR_3,
  ITEM_QUIT,
  ITEM_SEND_NOW,
  FIRST_PROVIDER_ID = 100,
};

typedef struct {
  int       id;
  gboolean  separator;
  char     *label;
  /* The application action, without "app.", and its target. */
  char     *action;
  GVariant *target;
  gboolean  toggle;
} MenuItem;

struct _PosteTray
{
  GObject                  parent_instance;

  /* The application owns the tray: a weak pointer. */
  PosteApplication        *application;
  GDBusConnection         *connection;
  PosteStatusNotifierItem *item;
  PosteDbusmenu           *menu;
  guint                    watch_id;
  GCancellable            *cancellable;
  gboolean                 registered;

  GPtrArray               *items;
  GHashTable              *provider_ids;
  int                      next_provider_id;
  guint                    revision;

  PosteScheduler          *scheduler;
  GListModel              *providers;
  /* Provider name -> running PosteSession. */
  GHashTable              *sessions;
  /* Provider name -> the message of its last failure. */
  GHashTable              *failures;
  /* Icon name -> its pixmaps, a(iiay), made once. */
  GHashTable              *pixmaps;

};

G_DEFINE_FINAL_TYPE (PosteTray, poste_tray, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_REGISTERED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
menu_item_free (gpointer data)
{
  MenuItem *item = data;

  g_free (item->label);
  g_free (item->action);
  g_clear_pointer (&item->target, g_variant_unref);
  g_free (item);
}

static void
add_item (PosteTray  *self,
          int         id,
          const char *label,
          const char *action,
          GVariant   *target,
          gboolean    toggle)
{
  MenuItem *item = g_new0 (MenuItem, 1);

  item->id = id;
  item->separator = label == NULL;
  item->label = g_strdup (label);
  item->action = g_strdup (action);
  item->target = target != NULL ? g_variant_ref_sink (target) : NULL;
  item->toggle = toggle;
  g_ptr_array_add (self->items, item);
}

static MenuItem *
find_item (PosteTray *self,
           int        id)
{
  for (guint i = 0; i < self->items->len; i++)
    {
      MenuItem *item = g_ptr_array_index (self->items, i);

      if (item->id == id)
        return item;
    }
  return NULL;
}

/* A provider's name as a menu label: an underscore marks a mnemonic there. */
static char *
escape_label (const char *text)
{
  g_auto(GStrv) parts = g_strsplit (text, "_", -1);

  return g_strjoinv ("__", parts);
}

/* The menu */

static GVariant *
item_properties (PosteTray    *self,
                 MenuItem     *item,
                 const char  **names)
{
  GVariantDict dict;

#define WANTED(name) (names == NULL || names[0] == NULL || g_strv_contains (names, name))

  g_variant_dict_init (&dict, NULL);
  if (item->id == ITEM_ROOT)
    {
      if (WANTED ("children-display"))
        g_variant_dict_insert (&dict, "children-display", "s", "submenu");
      return g_variant_dict_end (&dict);
    }
  if (item->separator)
    {
      if (WANTED ("type"))
        g_variant_dict_insert (&dict, "type", "s", "separator");
      return g_variant_dict_end (&dict);
    }

  if (WANTED ("label"))
    g_variant_dict_insert (&dict, "label", "s", item->label);
  if (WANTED ("enabled"))
    {
      GActionGroup *group = G_ACTION_GROUP (self->application);
      gboolean enabled = group != NULL &&
                         g_action_group_has_action (group, item->action) &&
                         g_action_group_get_action_enabled (group, item->action);

      g_variant_dict_insert (&dict, "enabled", "b", enabled);
    }
  if (item->toggle)
    {
      g_autoptr(GVariant) state = NULL;

      if (self->application != NULL)
        state = g_action_group_get_action_state (G_ACTION_GROUP (self->application),
                                                 item->action);
      if (WANTED ("toggle-type"))
        g_variant_dict_insert (&dict, "toggle-type", "s", "checkmark");
      if (WANTED ("toggle-state"))
        g_variant_dict_insert (&dict, "toggle-state", "i",
                               state != NULL && g_variant_is_of_type (state, G_VARIANT_TYPE_BOOLEAN)
                                 && g_variant_get_boolean (state) ? 1 : 0);
    }
#undef WANTED
  return g_variant_dict_end (&dict);
}

static GVariant *
item_layout (PosteTray   *self,
             MenuItem    *item,
             int          depth,
             const char **names)
{
  static MenuItem root = { ITEM_ROOT };
  GVariantBuilder children;

  g_variant_builder_init (&children, G_VARIANT_TYPE ("av"));
  if (item == NULL)
    {
      item = &root;
      if (depth != 0)
        for (guint i = 0; i < self->items->len; i++)
          g_variant_builder_add (&children, "v",
                                 item_layout (self, g_ptr_array_index (self->items, i),
                                              depth - 1, names));
    }
  return g_variant_new ("(i@a{sv}av)", item->id, item_properties (self, item, names),
                        &children);
}

static void
rebuild_menu (PosteTray *self)
{
  guint n = self->providers != NULL ? g_list_model_get_n_items (self->providers) : 0;

  g_ptr_array_set_size (self->items, 0);
  add_item (self, ITEM_FETCH_NOW, _("_Fetch Now"), "fetch-now", NULL, FALSE);
  add_item (self, ITEM_SEND_NOW, _("_Send Now"), "send-now", NULL, FALSE);  /* the outbox */
  if (n > 0)
    add_item (self, ITEM_SEPARATOR_1, NULL, NULL, NULL, FALSE);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PosteProvider) provider = g_list_model_get_item (self->providers, i);
      const char *name = poste_provider_get_name (provider);
      g_autofree char *escaped = escape_label (name);
      g_autofree char *label = NULL;
      gpointer id;

      if (!g_hash_table_lookup_extended (self->provider_ids, name, NULL, &id))
        {
          id = GINT_TO_POINTER (self->next_provider_id++);
          g_hash_table_insert (self->provider_ids, g_strdup (name), id);
        }
      /* Translators: a tray menu item; %s is a provider's name */
      label = g_strdup_printf (_("Fetch from %s"), escaped);
      add_item (self, GPOINTER_TO_INT (id), label, "fetch-provider", g_variant_new_string (name),
                FALSE);
    }
  add_item (self, ITEM_SEPARATOR_2, NULL, NULL, NULL, FALSE);
  add_item (self, ITEM_PAUSE, _("_Pause Schedules"), "pause-schedules", NULL, TRUE);
  add_item (self, ITEM_OPEN, _("_Open Poste Restante"), "open", NULL, FALSE);
  add_item (self, ITEM_SEPARATOR_3, NULL, NULL, NULL, FALSE);
  add_item (self, ITEM_QUIT, _("_Quit"), "quit", NULL, FALSE);

  self->revision++;
  if (self->menu != NULL)
    poste_dbusmenu_emit_layout_updated (self->menu, self->revision, ITEM_ROOT);
}

/* Whether Send Now has anything to send is the application's (app.send-now is enabled only
 * then, and action-enabled-changed rebuilds the menu); it is read again here, since another
 * program may have filled the queue a moment ago. TRUE when the layout changed. */
static gboolean
update_outbox (PosteTray *self)
{
  return self->application != NULL && poste_application_refresh_outbox (self->application);
}

static gboolean
handle_get_layout (PosteDbusmenu         *menu,
                   GDBusMethodInvocation *invocation,
                   int                    parent_id,
                   int                    depth,
                   const char * const    *names,
                   PosteTray             *self)
{
  MenuItem *item = NULL;

  if (parent_id != ITEM_ROOT && (item = find_item (self, parent_id)) == NULL)
    {
      g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                             "No menu item %d", parent_id);
      return TRUE;
    }
  poste_dbusmenu_complete_get_layout (menu, invocation, self->revision,
                                      item_layout (self, item, depth, (const char **) names));
  return TRUE;
}

static gboolean
handle_get_group_properties (PosteDbusmenu         *menu,
                             GDBusMethodInvocation *invocation,
                             GVariant              *ids,
                             const char * const    *names,
                             PosteTray             *self)
{
  GVariantBuilder builder;
  GVariantIter iter;
  gint32 id;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(ia{sv})"));
  g_variant_iter_init (&iter, ids);
  while (g_variant_iter_next (&iter, "i", &id))
    {
      MenuItem *item = find_item (self, id);

      if (item != NULL)
        g_variant_builder_add (&builder, "(i@a{sv})", id,
                               item_properties (self, item, (const char **) names));
    }
  poste_dbusmenu_complete_get_group_properties (menu, invocation,
                                                g_variant_builder_end (&builder));
  return TRUE;
}

static gboolean
handle_get_property (PosteDbusmenu         *menu,
                     GDBusMethodInvocation *invocation,
                     int                    id,
                     const char            *name,
                     PosteTray             *self)
{
  MenuItem *item = find_item (self, id);
  const char *names[] = { name, NULL };
  g_autoptr(GVariant) props = NULL;
  g_autoptr(GVariant) value = NULL;

  if (item != NULL)
    {
      props = g_variant_ref_sink (item_properties (self, item, names));
      value = g_variant_lookup_value (props, name, NULL);
    }
  if (value == NULL)
    {
      g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                             "No property %s on menu item %d", name, id);
      return TRUE;
    }
  poste_dbusmenu_complete_get_property (menu, invocation, g_variant_new_variant (value));
  return TRUE;
}

/* Activates the item's action from the main loop, after the D-Bus call was answered: Quit must
 * not pull the connection away under the reply. */
typedef struct {
  GApplication *application;
  char         *action;
  GVariant     *target;
} Activation;

static gboolean
activate_idle (gpointer data)
{
  Activation *activation = data;
  GActionGroup *group = G_ACTION_GROUP (activation->application);

  if (g_action_group_get_action_enabled (group, activation->action))
    g_action_group_activate_action (group, activation->action, activation->target);
  g_object_unref (activation->application);
  g_free (activation->action);
  g_clear_pointer (&activation->target, g_variant_unref);
  g_free (activation);
  return G_SOURCE_REMOVE;
}

static gboolean
item_event (PosteTray  *self,
            int         id,
            const char *event)
{
  MenuItem *item = find_item (self, id);
  Activation *activation;

  if (item == NULL)
    return FALSE;
  if (!g_str_equal (event, "clicked") || item->action == NULL || self->application == NULL)
    return TRUE;

  activation = g_new0 (Activation, 1);
  activation->application = g_object_ref (G_APPLICATION (self->application));
  activation->action = g_strdup (item->action);
  if (item->toggle)
    {
      /* A checkbox flips its state. */
      g_autoptr(GVariant) state = g_action_group_get_action_state (G_ACTION_GROUP (self->application),
                                                                   item->action);

      g_free (activation->action);
      activation->action = NULL;
      if (state != NULL && g_variant_is_of_type (state, G_VARIANT_TYPE_BOOLEAN))
        g_action_group_change_action_state (G_ACTION_GROUP (self->application), item->action,
                                            g_variant_new_boolean (!g_variant_get_boolean (state)));
      g_object_unref (activation->application);
      g_free (activation);
      return TRUE;
    }
  activation->target = item->target != NULL ? g_variant_ref (item->target) : NULL;
  g_idle_add (activate_idle, activation);
  return TRUE;
}

static gboolean
handle_event (PosteDbusmenu         *menu,
              GDBusMethodInvocation *invocation,
              int                    id,
              const char            *event,
              GVariant              *data,
              guint                  timestamp,
              PosteTray             *self)
{
  if (!item_event (self, id, event))
    {
      g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                             "No menu item %d", id);
      return TRUE;
    }
  poste_dbusmenu_complete_event (menu, invocation);
  return TRUE;
}

static gboolean
handle_event_group (PosteDbusmenu         *menu,
                    GDBusMethodInvocation *invocation,
                    GVariant              *events,
                    PosteTray             *self)
{
  GVariantBuilder errors;
  GVariantIter iter;
  const char *event;
  gint32 id;

  g_variant_builder_init (&errors, G_VARIANT_TYPE ("ai"));
  g_variant_iter_init (&iter, events);
  while (g_variant_iter_next (&iter, "(i&svu)", &id, &event, NULL, NULL))
    if (!item_event (self, id, event))
      g_variant_builder_add (&errors, "i", id);
  poste_dbusmenu_complete_event_group (menu, invocation, g_variant_builder_end (&errors));
  return TRUE;
}

static gboolean
handle_about_to_show (PosteDbusmenu         *menu,
                      GDBusMethodInvocation *invocation,
                      int                    id,
                      PosteTray             *self)
{
  /* The layout is current (LayoutUpdated says when it changes), but the outbox may have been
   * filled by another program since: look again before the menu opens. */
  poste_dbusmenu_complete_about_to_show (menu, invocation, update_outbox (self));
  return TRUE;
}

static gboolean
handle_about_to_show_group (PosteDbusmenu         *menu,
                            GDBusMethodInvocation *invocation,
                            GVariant              *ids,
                            PosteTray             *self)
{
  gint32 root = ITEM_ROOT;

  poste_dbusmenu_complete_about_to_show_group (menu, invocation,
                                               update_outbox (self)
                                                 ? g_variant_new_fixed_array (G_VARIANT_TYPE_INT32, &root, 1, sizeof root)
                                                 : g_variant_new_array (G_VARIANT_TYPE_INT32, NULL, 0),
                                               g_variant_new_array (G_VARIANT_TYPE_INT32, NULL, 0));
  return TRUE;
}

/* The item */

static gboolean
handle_activate (PosteStatusNotifierItem *item,
                 GDBusMethodInvocation   *invocation,
                 int                      x,
                 int                      y,
                 PosteTray               *self)
{
  item_event (self, ITEM_OPEN, "clicked");
  poste_status_notifier_item_complete_activate (item, invocation);
  return TRUE;
}

static gboolean
handle_secondary_activate (PosteStatusNotifierItem *item,
                           GDBusMethodInvocation   *invocation,
                           int                      x,
                           int                      y,
                           PosteTray               *self)
{
  /* A middle click fetches. */
  item_event (self, ITEM_FETCH_NOW, "clicked");
  poste_status_notifier_item_complete_secondary_activate (item, invocation);
  return TRUE;
}

static gboolean
handle_context_menu (PosteStatusNotifierItem *item,
                     GDBusMethodInvocation   *invocation,
                     int                      x,
                     int                      y,
                     PosteTray               *self)
{
  /* The host shows the Menu itself. */
  poste_status_notifier_item_complete_context_menu (item, invocation);
  return TRUE;
}

static gboolean
handle_scroll (PosteStatusNotifierItem *item,
               GDBusMethodInvocation   *invocation,
               int                      delta,
               const char              *orientation,
               PosteTray               *self)
{
  poste_status_notifier_item_complete_scroll (item, invocation);
  return TRUE;
}

static GVariant *
no_pixmaps (void)
{
  return g_variant_new_array (G_VARIANT_TYPE ("(iiay)"), NULL, 0);
}

/* A time for the tooltip: 14:05 today, with the date on another day. */
static char *
format_time (GDateTime *time)
{
  g_autoptr(GDateTime) local = g_date_time_to_local (time);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  if (g_date_time_get_year (local) == g_date_time_get_year (now) &&
      g_date_time_get_day_of_year (local) == g_date_time_get_day_of_year (now))
    return g_date_time_format (local, "%H:%M");
  /* Translators: a date and time in the past or future, see g_date_time_format() */
  return g_date_time_format (local, _("%e %b, %H:%M"));
}

/* @icon_name's pixmaps for the item: every size in the resources, as ARGB32 in network byte
 * order (alpha, red, green, blue, not premultiplied), as the StatusNotifierItem specification
 * says. */
static GVariant *
icon_pixmaps (PosteTray  *self,
              const char *icon_name)
{
  GVariantBuilder builder;
  GVariant *pixmaps = g_hash_table_lookup (self->pixmaps, icon_name);

  if (pixmaps != NULL)
    return pixmaps;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(iiay)"));
  for (guint i = 0; i < G_N_ELEMENTS (pixmap_sizes); i++)
    {
      g_autofree char *path = g_strdup_printf (PIXMAP_RESOURCE, pixmap_sizes[i], pixmap_sizes[i],
                                               icon_name);
      g_autoptr(GdkPixbuf) loaded = NULL;
      g_autoptr(GdkPixbuf) pixbuf = NULL;
      g_autoptr(GError) error = NULL;
      const guint8 *pixels;
      guint8 *argb;
      int width, height, stride;

      if (!(loaded = gdk_pixbuf_new_from_resource (path, &error)))
        {
          g_debug ("Tray: no pixmap %s: %s", path, error->message);
          continue;
        }
      pixbuf = gdk_pixbuf_add_alpha (loaded, FALSE, 0, 0, 0);
      width = gdk_pixbuf_get_width (pixbuf);
      height = gdk_pixbuf_get_height (pixbuf);
      stride = gdk_pixbuf_get_rowstride (pixbuf);
      pixels = gdk_pixbuf_read_pixels (pixbuf);
      argb = g_malloc ((gsize) width * height * 4);
      for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++)
          {
            const guint8 *rgba = pixels + (gsize) y * stride + (gsize) x * 4;
            guint8 *out = argb + ((gsize) y * width + x) * 4;

            out[0] = rgba[3];
            out[1] = rgba[0];
            out[2] = rgba[1];
            out[3] = rgba[2];
          }
      g_variant_builder_add (&builder, "(ii@ay)", width, height,
                             g_variant_new_from_data (G_VARIANT_TYPE_BYTESTRING, argb,
                                                      (gsize) width * height * 4, TRUE,
                                                      g_free, argb));
    }
  pixmaps = g_variant_ref_sink (g_variant_builder_end (&builder));
  g_hash_table_insert (self->pixmaps, g_strdup (icon_name), pixmaps);
  return pixmaps;
}

/* Where a host finds our themed icons: the source tree's data/icons when this program runs
 * from the build tree (a demo, the tests), else the installed data directory's icons. */
static char *
dup_icon_theme_path (void)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *build_root = g_strconcat (POSTE_BUILD_ROOT, G_DIR_SEPARATOR_S, NULL);

  if (exe != NULL && g_str_has_prefix (exe, build_root))
    return g_strdup (POSTE_SOURCE_ICONS_DIR);
  return g_strdup (POSTE_INSTALLED_ICONS_DIR);
}

static void
set_icon (PosteTray  *self,
          const char *icon_name)
{
  if (g_strcmp0 (poste_status_notifier_item_get_icon_name (self->item), icon_name) == 0)
    return;
  poste_status_notifier_item_set_icon_name (self->item, icon_name);
  poste_status_notifier_item_set_icon_pixmap (self->item, icon_pixmaps (self, icon_name));
  poste_status_notifier_item_emit_new_icon (self->item);
}

/* What the icon and the tooltip say: idle, fetching (with counts), or an error. */
static void
update_status (PosteTray *self)
{
  g_autoptr(GString) description = g_string_new (NULL);
  const char *status = "Active";
  const char *icon = IDLE_ICON_NAME;
  const char *title = _("Poste Restante");
  GHashTableIter iter;
  gpointer key, value;

  if (self->item == NULL)
    return;

  if (g_hash_table_size (self->sessions) > 0)
    {
      g_autoptr(GPtrArray) names = g_ptr_array_new ();
      g_autofree char *size = NULL;
      g_autofree char *joined = NULL;
      guint messages = 0;
      guint64 bytes = 0;

      g_hash_table_iter_init (&iter, self->sessions);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          g_ptr_array_add (names, key);
          messages += poste_session_get_messages (value);
          bytes += poste_session_get_bytes (value);
        }
      g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
      g_ptr_array_add (names, NULL);
      joined = g_strjoinv (", ", (char **) names->pdata);
      size = g_format_size (bytes);
      icon = FETCHING_ICON_NAME;
      /* Translators: the tray's tooltip; %s lists providers, then a count of messages, then a
       * size such as "12.3 kB" */
      g_string_append_printf (description,
                              ngettext ("Fetching from %s: %u message, %s",
                                        "Fetching from %s: %u messages, %s", messages),
                              joined, messages, size);
    }

  if (g_hash_table_size (self->failures) > 0)
    {
      g_autoptr(GList) names = g_list_sort (g_hash_table_get_keys (self->failures),
                                            (GCompareFunc) g_strcmp0);

      /* A running fetch shows as such (a host would show the attention icon instead of the
       * fetching one); the attention comes back when it ends. */
      if (g_hash_table_size (self->sessions) == 0)
        {
          status = "NeedsAttention";
          icon = ATTENTION_ICON_NAME;
        }
      for (GList *l = names; l != NULL; l = l->next)
        {
          g_autoptr(GDateTime) next = NULL;

          if (description->len > 0)
            g_string_append_c (description, '\n');
          /* Translators: the tray's tooltip; a provider's name, then why its last fetch
           * failed */
          g_string_append_printf (description, _("%s: %s"), (const char *) l->data,
                                  (const char *) g_hash_table_lookup (self->failures, l->data));
          /* When the scheduler retries it on its own (its backoff), say when. */
          if (self->scheduler != NULL &&
              poste_scheduler_get_state (self->scheduler, l->data) == POSTE_SCHEDULE_STATE_RETRYING)
            next = poste_scheduler_get_next_fetch (self->scheduler, l->data);
          if (next != NULL)
            {
              g_autofree char *when = format_time (next);

              /* Translators: the tray's tooltip, after why a provider's fetch failed; %s is a
               * time, 14:05 */
              g_string_append_printf (description, _(" (next attempt at %s)"), when);
            }
        }
    }

  if (description->len == 0)
    {
      if (self->scheduler != NULL && poste_scheduler_get_paused (self->scheduler))
        g_string_append (description, _("Idle, schedules paused"));
      else
        g_string_append (description, _("Idle"));
    }
  else if (g_hash_table_size (self->sessions) == 0 &&
           self->scheduler != NULL && poste_scheduler_get_paused (self->scheduler))
    /* Translators: the tray's tooltip, below the providers that need attention */
    g_string_append_printf (description, "\n%s", _("Schedules paused"));

  if (g_strcmp0 (poste_status_notifier_item_get_status (self->item), status) != 0)
    {
      poste_status_notifier_item_set_status (self->item, status);
      poste_status_notifier_item_emit_new_status (self->item, status);
    }
  set_icon (self, icon);
  poste_status_notifier_item_set_tool_tip (self->item,
                                           g_variant_new ("(s@a(iiay)ss)", IDLE_ICON_NAME,
                                                          no_pixmaps (), title,
                                                          description->str));
  poste_status_notifier_item_emit_new_tool_tip (self->item);
}

/* What happens in the application */

static void
session_progress_cb (PosteSession *session,
                     GParamSpec   *pspec,
                     PosteTray    *self)
{
  update_status (self);
}

static void
session_started_cb (PosteApplication *application,
                    PosteSession     *session,
                    PosteTray        *self)
{
  const char *name = poste_provider_get_name (poste_session_get_provider (session));

  g_signal_connect_object (session, "notify::messages", G_CALLBACK (session_progress_cb), self, 0);
  g_hash_table_replace (self->sessions, g_strdup (name), g_object_ref (session));
  update_status (self);
}

static void
session_finished_cb (PosteApplication         *application,
                     PosteSession             *session,
                     const PosteSessionReport *report,
                     PosteTray                *self)
{
  if (session != NULL)
    g_signal_handlers_disconnect_by_data (session, self);
  g_hash_table_remove (self->sessions, report->provider);

  if (report->outcome == POSTE_SESSION_OUTCOME_FAILED && report->error != NULL)
    g_hash_table_replace (self->failures, g_strdup (report->provider),
                          g_strdup (report->error->message));
  else if (report->outcome == POSTE_SESSION_OUTCOME_MAIL ||
           report->outcome == POSTE_SESSION_OUTCOME_NO_MAIL ||
           report->outcome == POSTE_SESSION_OUTCOME_STARTED)
    g_hash_table_remove (self->failures, report->provider);
  update_outbox (self);
  update_status (self);
}

static void
providers_changed_cb (GListModel *model,
                      guint       position,
                      guint       removed,
                      guint       added,
                      PosteTray  *self)
{
  GHashTableIter iter;
  gpointer key;

  /* A provider that is gone no longer needs attention. */
  g_hash_table_iter_init (&iter, self->failures);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      gboolean found = FALSE;

      for (guint i = 0; i < g_list_model_get_n_items (model) && !found; i++)
        {
          g_autoptr(PosteProvider) provider = g_list_model_get_item (model, i);

          found = g_strcmp0 (poste_provider_get_name (provider), key) == 0;
        }
      if (!found)
        g_hash_table_iter_remove (&iter);
    }
  rebuild_menu (self);
  update_status (self);
}

static void
action_changed_cb (PosteTray *self)
{
  rebuild_menu (self);
}

static void
paused_changed_cb (PosteTray *self)
{
  update_status (self);
}

static void
schedule_changed_cb (PosteTray  *self,
                     const char *name)
{
  if (g_hash_table_contains (self->failures, name))
    update_status (self);
}

/* Registration with the watcher */

static void
set_registered (PosteTray *self,
                gboolean   registered)
{
  if (self->registered == registered)
    return;
  self->registered = registered;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REGISTERED]);
}

static void
register_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(PosteTray) self = user_data;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, &error);
  if (reply == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("Tray: the StatusNotifierWatcher refused the item: %s", error->message);
      return;
    }
  g_debug ("Tray: registered with the StatusNotifierWatcher");
  set_registered (self, TRUE);
}

static void
watcher_appeared_cb (GDBusConnection *connection,
                     const char      *name,
                     const char      *owner,
                     gpointer         user_data)
{
  PosteTray *self = user_data;

  /* The modern form: our object path; the watcher takes our unique name from the message. */
  g_dbus_connection_call (connection, owner, WATCHER_PATH, WATCHER_INTERFACE,
                          "RegisterStatusNotifierItem",
                          g_variant_new ("(s)", POSTE_TRAY_ITEM_PATH),
                          NULL, G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, self->cancellable,
                          register_cb, g_object_ref (self));
}

static void
watcher_vanished_cb (GDBusConnection *connection,
                     const char      *name,
                     gpointer         user_data)
{
  set_registered (user_data, FALSE);
}

static void
export (PosteTray *self)
{
  g_autoptr(GError) error = NULL;

  self->item = poste_status_notifier_item_skeleton_new ();
  poste_status_notifier_item_set_category (self->item, "Communications");
  poste_status_notifier_item_set_id (self->item, APP_ID);
  poste_status_notifier_item_set_title (self->item, _("Poste Restante"));
  poste_status_notifier_item_set_status (self->item, "Active");
  poste_status_notifier_item_set_window_id (self->item, 0);
  {
    g_autofree char *icon_theme_path = dup_icon_theme_path ();

    poste_status_notifier_item_set_icon_theme_path (self->item, icon_theme_path);
  }
  poste_status_notifier_item_set_menu (self->item, POSTE_TRAY_MENU_PATH);
  poste_status_notifier_item_set_item_is_menu (self->item, FALSE);
  poste_status_notifier_item_set_icon_name (self->item, IDLE_ICON_NAME);
  poste_status_notifier_item_set_icon_pixmap (self->item, icon_pixmaps (self, IDLE_ICON_NAME));
  poste_status_notifier_item_set_overlay_icon_name (self->item, "");
  poste_status_notifier_item_set_overlay_icon_pixmap (self->item, no_pixmaps ());
  poste_status_notifier_item_set_attention_icon_name (self->item, ATTENTION_ICON_NAME);
  poste_status_notifier_item_set_attention_icon_pixmap (self->item,
                                                        icon_pixmaps (self, ATTENTION_ICON_NAME));
  poste_status_notifier_item_set_attention_movie_name (self->item, "");
  g_signal_connect (self->item, "handle-activate", G_CALLBACK (handle_activate), self);
  g_signal_connect (self->item, "handle-secondary-activate",
                    G_CALLBACK (handle_secondary_activate), self);
  g_signal_connect (self->item, "handle-context-menu", G_CALLBACK (handle_context_menu), self);
  g_signal_connect (self->item, "handle-scroll", G_CALLBACK (handle_scroll), self);

  self->menu = poste_dbusmenu_skeleton_new ();
  poste_dbusmenu_set_version (self->menu, 3);
  poste_dbusmenu_set_text_direction (self->menu,
                                     gtk_get_locale_direction () == GTK_TEXT_DIR_RTL ? "rtl" : "ltr");
  poste_dbusmenu_set_status (self->menu, "normal");
  poste_dbusmenu_set_icon_theme_path (self->menu, (const char * const []) { NULL });
  g_signal_connect (self->menu, "handle-get-layout", G_CALLBACK (handle_get_layout), self);
  g_signal_connect (self->menu, "handle-get-group-properties",
                    G_CALLBACK (handle_get_group_properties), self);
  g_signal_connect (self->menu, "handle-get-property", G_CALLBACK (handle_get_property), self);
  g_signal_connect (self->menu, "handle-event", G_CALLBACK (handle_event), self);
  g_signal_connect (self->menu, "handle-event-group", G_CALLBACK (handle_event_group), self);
  g_signal_connect (self->menu, "handle-about-to-show", G_CALLBACK (handle_about_to_show), self);
  g_signal_connect (self->menu, "handle-about-to-show-group",
                    G_CALLBACK (handle_about_to_show_group), self);

  update_status (self);

  if (!g_dbus_interface_skeleton_export (G_DBUS_INTERFACE_SKELETON (self->item), self->connection,
                                         POSTE_TRAY_ITEM_PATH, &error) ||
      !g_dbus_interface_skeleton_export (G_DBUS_INTERFACE_SKELETON (self->menu), self->connection,
                                         POSTE_TRAY_MENU_PATH, &error))
    {
      g_debug ("Tray: cannot export the item: %s", error->message);
      return;
    }

  self->watch_id = g_bus_watch_name_on_connection (self->connection, WATCHER_NAME,
                                                   G_BUS_NAME_WATCHER_FLAGS_NONE,
                                                   watcher_appeared_cb, watcher_vanished_cb,
                                                   self, NULL);
}

/* The object */

static void poste_tray_setup (PosteTray        *self,
                              PosteApplication *application);

/**
 * poste_tray_new:
 * @application: a #PosteApplication after its startup
 *
 * Exports the tray item and its menu on @application's D-Bus connection and registers the item
 * with the StatusNotifierWatcher whenever one is there (none on most GNOME desktops without an
 * extension: then nothing shows, and nothing fails). Adds the actions the menu needs
 * (poste_tray_add_actions()).
 *
 * Returns: (transfer full): the tray; keep it as long as the application runs
 */
PosteTray *
poste_tray_new (PosteApplication *application)
{
  PosteTray *self;

  g_return_val_if_fail (POSTE_IS_APPLICATION (application), NULL);

  self = g_object_new (POSTE_TYPE_TRAY, NULL);
  poste_tray_setup (self, application);
  return self;
}

/**
 * poste_tray_get_registered:
 * @self: a #PosteTray
 *
 * Returns: whether a StatusNotifierWatcher accepted the item (and has not gone since)
 */
gboolean
poste_tray_get_registered (PosteTray *self)
{
  g_return_val_if_fail (POSTE_IS_TRAY (self), FALSE);
  return self->registered;
}

static void
poste_tray_setup (PosteTray        *self,
                  PosteApplication *application)
{
  PosteConfig *config = poste_application_get_config (application);

  self->application = application;
  g_object_add_weak_pointer (G_OBJECT (application), (gpointer *) &self->application);


  self->scheduler = poste_application_get_scheduler (application);
  if (self->scheduler != NULL)
    {
      g_object_ref (self->scheduler);
      g_signal_connect_object (self->scheduler, "notify::paused", G_CALLBACK (paused_changed_cb),
                               self, G_CONNECT_SWAPPED);
      /* A failed provider's next attempt is in the tooltip. */
      g_signal_connect_object (self->scheduler, "provider-changed",
                               G_CALLBACK (schedule_changed_cb), self, G_CONNECT_SWAPPED);
    }
  if (config != NULL)
    {
      self->providers = g_object_ref (poste_config_get_providers (config));
      g_signal_connect_object (self->providers, "items-changed",
                               G_CALLBACK (providers_changed_cb), self, 0);
    }

  /* The state on start is the history's: a provider whose last fetch failed needs attention. */
  for (guint i = 0; self->providers != NULL && i < g_list_model_get_n_items (self->providers); i++)
    {
      g_autoptr(PosteProvider) provider = g_list_model_get_item (self->providers, i);
      const char *name = poste_provider_get_name (provider);
      const PosteSessionReport *report = poste_application_get_last_report (application, name);

      if (report != NULL && report->outcome == POSTE_SESSION_OUTCOME_FAILED)
        g_hash_table_replace (self->failures, g_strdup (name),
                              g_strdup (report->error != NULL ? report->error->message
                                                              : _("The last fetch failed")));
    }

  g_signal_connect_object (application, "session-started", G_CALLBACK (session_started_cb),
                           self, 0);
  g_signal_connect_object (application, "session-finished", G_CALLBACK (session_finished_cb),
                           self, 0);
  g_signal_connect_object (application, "action-added", G_CALLBACK (action_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (application, "action-removed", G_CALLBACK (action_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (application, "action-enabled-changed",
                           G_CALLBACK (action_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (application, "action-state-changed", G_CALLBACK (action_changed_cb),
                           self, G_CONNECT_SWAPPED);

  rebuild_menu (self);

  self->connection = g_application_get_dbus_connection (G_APPLICATION (application));
  if (self->connection == NULL)
    {
      g_debug ("Tray: the application has no D-Bus connection; no tray item");
      return;
    }
  g_object_ref (self->connection);
  export (self);
}

static void
poste_tray_dispose (GObject *object)
{
  PosteTray *self = (PosteTray *)object;

  g_cancellable_cancel (self->cancellable);
  if (self->watch_id != 0)
    g_bus_unwatch_name (self->watch_id);
  self->watch_id = 0;
  if (self->item != NULL)
    {
      if (g_dbus_interface_skeleton_get_connection (G_DBUS_INTERFACE_SKELETON (self->item)))
        g_dbus_interface_skeleton_unexport (G_DBUS_INTERFACE_SKELETON (self->item));
      g_signal_handlers_disconnect_by_data (self->item, self);
    }
  if (self->menu != NULL)
    {
      if (g_dbus_interface_skeleton_get_connection (G_DBUS_INTERFACE_SKELETON (self->menu)))
        g_dbus_interface_skeleton_unexport (G_DBUS_INTERFACE_SKELETON (self->menu));
      g_signal_handlers_disconnect_by_data (self->menu, self);
    }

  g_clear_object (&self->item);
  g_clear_object (&self->menu);
  g_clear_object (&self->connection);
  g_clear_object (&self->providers);
  g_clear_object (&self->scheduler);
  if (self->application != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->application), (gpointer *) &self->application);
  self->application = NULL;
  g_hash_table_remove_all (self->sessions);

  G_OBJECT_CLASS (poste_tray_parent_class)->dispose (object);
}

static void
poste_tray_finalize (GObject *object)
{
  PosteTray *self = (PosteTray *)object;

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_clear_pointer (&self->provider_ids, g_hash_table_unref);
  g_clear_pointer (&self->sessions, g_hash_table_unref);
  g_clear_pointer (&self->failures, g_hash_table_unref);
  g_clear_pointer (&self->pixmaps, g_hash_table_unref);

  G_OBJECT_CLASS (poste_tray_parent_class)->finalize (object);
}

static void
poste_tray_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  PosteTray *self = POSTE_TRAY (object);

  switch (prop_id)
    {
    case PROP_REGISTERED:
      g_value_set_boolean (value, self->registered);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
poste_tray_class_init (PosteTrayClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = poste_tray_dispose;
  object_class->finalize = poste_tray_finalize;
  object_class->get_property = poste_tray_get_property;

  /**
   * PosteTray:registered:
   *
   * Whether a StatusNotifierWatcher accepted the item.
   */
  properties[PROP_REGISTERED] =
    g_param_spec_boolean ("registered", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
poste_tray_init (PosteTray *self)
{
  self->cancellable = g_cancellable_new ();
  self->items = g_ptr_array_new_with_free_func (menu_item_free);
  self->provider_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->next_provider_id = FIRST_PROVIDER_ID;
  self->sessions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->failures = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->pixmaps = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) g_variant_unref);
}
