/* poste-status-item.c: an org.kde.StatusNotifierItem on the bus, registered with the watcher
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * No GTK 4 library for StatusNotifierItem exists on Debian 12, so the item is the skeleton that
 * gdbus-codegen makes of dbus/org.kde.StatusNotifierItem.xml. This file is the protocol's side of
 * it and knows nothing of what the icon means: it exports the item at an object path, registers
 * it with the org.kde.StatusNotifierWatcher by that path (the watcher takes our unique name from
 * the call), again whenever a watcher appears (a panel that restarts), and emits NewIcon,
 * NewStatus and NewToolTip when the caller changes them. Activate and SecondaryActivate become
 * the signals of the same names; the host shows the Menu on its own.
 */
#include "config.h"

#include <gdk-pixbuf/gdk-pixbuf.h>

#include "poste-status-item.h"
#include "poste-tray-dbus.h"

#define WATCHER_NAME "org.kde.StatusNotifierWatcher"
#define WATCHER_PATH "/StatusNotifierWatcher"
#define WATCHER_INTERFACE "org.kde.StatusNotifierWatcher"

struct _PosteStatusItem
{
  GObject                  parent_instance;

  PosteStatusNotifierItem *skeleton;
  char                    *object_path;
  guint                    watch_id;
  GCancellable            *cancellable;
  gboolean                 registered;
};

G_DEFINE_FINAL_TYPE (PosteStatusItem, poste_status_item, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_REGISTERED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  ACTIVATE,
  SECONDARY_ACTIVATE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static GVariant *
no_pixmaps (void)
{
  return g_variant_new_array (G_VARIANT_TYPE ("(iiay)"), NULL, 0);
}

/* The methods: each is answered before its signal, so that what a handler does (opening a
 * window, quitting) comes after the reply. */

static gboolean
handle_activate (PosteStatusNotifierItem *skeleton,
                 GDBusMethodInvocation   *invocation,
                 int                      x,
                 int                      y,
                 PosteStatusItem         *self)
{
  poste_status_notifier_item_complete_activate (skeleton, invocation);
  g_signal_emit (self, signals[ACTIVATE], 0, x, y);
  return TRUE;
}

static gboolean
handle_secondary_activate (PosteStatusNotifierItem *skeleton,
                           GDBusMethodInvocation   *invocation,
                           int                      x,
                           int                      y,
                           PosteStatusItem         *self)
{
  poste_status_notifier_item_complete_secondary_activate (skeleton, invocation);
  g_signal_emit (self, signals[SECONDARY_ACTIVATE], 0, x, y);
  return TRUE;
}

static gboolean
handle_context_menu (PosteStatusNotifierItem *skeleton,
                     GDBusMethodInvocation   *invocation,
                     int                      x,
                     int                      y,
                     PosteStatusItem         *self)
{
  /* The host shows the Menu itself. */
  poste_status_notifier_item_complete_context_menu (skeleton, invocation);
  return TRUE;
}

static gboolean
handle_scroll (PosteStatusNotifierItem *skeleton,
               GDBusMethodInvocation   *invocation,
               int                      delta,
               const char              *orientation,
               PosteStatusItem         *self)
{
  poste_status_notifier_item_complete_scroll (skeleton, invocation);
  return TRUE;
}

/* Registration with the watcher */

static void
set_registered (PosteStatusItem *self,
                gboolean         registered)
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
  g_autoptr(PosteStatusItem) self = user_data;
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
  PosteStatusItem *self = user_data;

  /* The modern form: our object path; the watcher takes our unique name from the message. */
  g_dbus_connection_call (connection, owner, WATCHER_PATH, WATCHER_INTERFACE,
                          "RegisterStatusNotifierItem",
                          g_variant_new ("(s)", self->object_path),
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

/* The object */

/**
 * poste_status_item_new:
 * @id: the item's Id, the application's id
 * @category: its Category, "ApplicationStatus", "Communications", "SystemServices" or "Hardware"
 * @title: its Title, the application's name
 *
 * Makes an item with the Status "Active" and no icon yet: give it one with
 * poste_status_item_set_icon(), then put it on the bus with poste_status_item_export().
 *
 * Returns: (transfer full): the item
 */
PosteStatusItem *
poste_status_item_new (const char *id,
                       const char *category,
                       const char *title)
{
  PosteStatusItem *self;

  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (category != NULL, NULL);
  g_return_val_if_fail (title != NULL, NULL);

  self = g_object_new (POSTE_TYPE_STATUS_ITEM, NULL);
  poste_status_notifier_item_set_category (self->skeleton, category);
  poste_status_notifier_item_set_id (self->skeleton, id);
  poste_status_notifier_item_set_title (self->skeleton, title);
  return self;
}

/**
 * poste_status_item_set_icon_theme_path:
 * @self: a #PosteStatusItem
 * @path: a directory with an icon theme's layout, where a host looks for the item's icon names
 *
 * Sets the item's IconThemePath.
 */
void
poste_status_item_set_icon_theme_path (PosteStatusItem *self,
                                       const char      *path)
{
  g_return_if_fail (POSTE_IS_STATUS_ITEM (self));
  poste_status_notifier_item_set_icon_theme_path (self->skeleton, path);
}

/**
 * poste_status_item_set_menu:
 * @self: a #PosteStatusItem
 * @object_path: where the item's com.canonical.dbusmenu is, on the item's connection
 *
 * Sets the item's Menu, which the host shows on a right click.
 */
void
poste_status_item_set_menu (PosteStatusItem *self,
                            const char      *object_path)
{
  g_return_if_fail (POSTE_IS_STATUS_ITEM (self));
  g_return_if_fail (g_variant_is_object_path (object_path));
  poste_status_notifier_item_set_menu (self->skeleton, object_path);
}

/**
 * poste_status_item_set_icon:
 * @self: a #PosteStatusItem
 * @icon_name: a themed icon name
 * @pixmaps: the same icon as a(iiay), as poste_status_item_load_pixmaps() makes them, for hosts
 *   that cannot find the theme
 *
 * Sets the IconName and IconPixmap and tells hosts (NewIcon), when @icon_name is another.
 */
void
poste_status_item_set_icon (PosteStatusItem *self,
                            const char      *icon_name,
                            GVariant        *pixmaps)
{
  g_return_if_fail (POSTE_IS_STATUS_ITEM (self));
  g_return_if_fail (icon_name != NULL);
  g_return_if_fail (g_variant_is_of_type (pixmaps, G_VARIANT_TYPE ("a(iiay)")));

  if (g_strcmp0 (poste_status_notifier_item_get_icon_name (self->skeleton), icon_name) == 0)
    return;
  poste_status_notifier_item_set_icon_name (self->skeleton, icon_name);
  poste_status_notifier_item_set_icon_pixmap (self->skeleton, pixmaps);
  poste_status_notifier_item_emit_new_icon (self->skeleton);
}

/**
 * poste_status_item_set_attention_icon:
 * @self: a #PosteStatusItem
 * @icon_name: a themed icon name
 * @pixmaps: the same icon as a(iiay)
 *
 * Sets the icon a host may show while the Status is "NeedsAttention" (AttentionIconName and
 * AttentionIconPixmap) and tells hosts (NewAttentionIcon), when @icon_name is another.
 */
void
poste_status_item_set_attention_icon (PosteStatusItem *self,
                                      const char      *icon_name,
                                      GVariant        *pixmaps)
{
  g_return_if_fail (POSTE_IS_STATUS_ITEM (self));
  g_return_if_fail (icon_name != NULL);
  g_return_if_fail (g_variant_is_of_type (pixmaps, G_VARIANT_TYPE ("a(iiay)")));

  if (g_strcmp0 (poste_status_notifier_item_get_attention_icon_name (self->skeleton),
                 icon_name) == 0)
    return;
  poste_status_notifier_item_set_attention_icon_name (self->skeleton, icon_name);
  poste_status_notifier_item_set_attention_icon_pixmap (self->skeleton, pixmaps);
  poste_status_notifier_item_emit_new_attention_icon (self->skeleton);
}

/**
 * poste_status_item_set_status:
 * @self: a #PosteStatusItem
 * @status: "Passive", "Active" or "NeedsAttention"
 *
 * Sets the Status and tells hosts (NewStatus), when it is another.
 */
void
poste_status_item_set_status (PosteStatusItem *self,
                              const char      *status)
{
  g_return_if_fail (POSTE_IS_STATUS_ITEM (self));
  g_return_if_fail (status != NULL);

  if (g_strcmp0 (poste_status_notifier_item_get_status (self->skeleton), status) == 0)
    return;
  poste_status_notifier_item_set_status (self->skeleton, status);
  poste_status_notifier_item_emit_new_status (self->skeleton, status);
}

/**
 * poste_status_item_set_tool_tip:
 * @self: a #PosteStatusItem
 * @icon_name: the tooltip's themed icon name
 * @title: its title
 * @description: its text, lines separated by newlines
 *
 * Sets the ToolTip (without pixmaps) and tells hosts (NewToolTip).
 */
void
poste_status_item_set_tool_tip (PosteStatusItem *self,
                                const char      *icon_name,
                                const char      *title,
                                const char      *description)
{
  g_return_if_fail (POSTE_IS_STATUS_ITEM (self));
  g_return_if_fail (icon_name != NULL);
  g_return_if_fail (title != NULL);
  g_return_if_fail (description != NULL);

  poste_status_notifier_item_set_tool_tip (self->skeleton,
                                           g_variant_new ("(s@a(iiay)ss)", icon_name,
                                                          no_pixmaps (), title, description));
  poste_status_notifier_item_emit_new_tool_tip (self->skeleton);
}

/**
 * poste_status_item_export:
 * @self: a #PosteStatusItem
 * @connection: the application's connection to the session bus
 * @object_path: where to export the item
 * @error: a #GError, of g_dbus_interface_skeleton_export()
 *
 * Exports the item at @object_path on @connection and registers it with the
 * org.kde.StatusNotifierWatcher whenever one is there (none on most GNOME desktops without an
 * extension: then nothing shows, and nothing fails). Export the Menu first: a host reads it as
 * soon as the item registers.
 *
 * Returns: whether the item is on the bus; it may not be registered yet
 */
gboolean
poste_status_item_export (PosteStatusItem  *self,
                          GDBusConnection  *connection,
                          const char       *object_path,
                          GError          **error)
{
  g_return_val_if_fail (POSTE_IS_STATUS_ITEM (self), FALSE);
  g_return_val_if_fail (G_IS_DBUS_CONNECTION (connection), FALSE);
  g_return_val_if_fail (g_variant_is_object_path (object_path), FALSE);
  g_return_val_if_fail (self->object_path == NULL, FALSE);

  if (!g_dbus_interface_skeleton_export (G_DBUS_INTERFACE_SKELETON (self->skeleton), connection,
                                         object_path, error))
    return FALSE;

  self->object_path = g_strdup (object_path);
  self->watch_id = g_bus_watch_name_on_connection (connection, WATCHER_NAME,
                                                   G_BUS_NAME_WATCHER_FLAGS_NONE,
                                                   watcher_appeared_cb, watcher_vanished_cb,
                                                   self, NULL);
  return TRUE;
}

/**
 * poste_status_item_get_registered:
 * @self: a #PosteStatusItem
 *
 * Returns: whether a StatusNotifierWatcher accepted the item (and has not gone since)
 */
gboolean
poste_status_item_get_registered (PosteStatusItem *self)
{
  g_return_val_if_fail (POSTE_IS_STATUS_ITEM (self), FALSE);
  return self->registered;
}

/**
 * poste_status_item_load_pixmaps:
 * @resource_paths: (array zero-terminated=1): PNG images in the resources, one for each size
 *
 * Renders an icon as the item's IconPixmap wants it: every size as ARGB32 in network byte order
 * (alpha, red, green, blue, not premultiplied), as the StatusNotifierItem specification says.
 * An image that cannot be loaded is left out.
 *
 * Returns: (transfer full): the pixmaps, a(iiay)
 */
GVariant *
poste_status_item_load_pixmaps (const char * const *resource_paths)
{
  GVariantBuilder builder;

  g_return_val_if_fail (resource_paths != NULL, NULL);

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(iiay)"));
  for (guint i = 0; resource_paths[i] != NULL; i++)
    {
      g_autoptr(GdkPixbuf) loaded = NULL;
      g_autoptr(GdkPixbuf) pixbuf = NULL;
      g_autoptr(GError) error = NULL;
      const guint8 *pixels;
      guint8 *argb;
      int width, height, stride;

      if (!(loaded = gdk_pixbuf_new_from_resource (resource_paths[i], &error)))
        {
          g_debug ("Tray: no pixmap %s: %s", resource_paths[i], error->message);
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
  return g_variant_ref_sink (g_variant_builder_end (&builder));
}

static void
poste_status_item_dispose (GObject *object)
{
  PosteStatusItem *self = (PosteStatusItem *)object;

  g_cancellable_cancel (self->cancellable);
  if (self->watch_id != 0)
    g_bus_unwatch_name (self->watch_id);
  self->watch_id = 0;
  if (self->skeleton != NULL)
    {
      if (g_dbus_interface_skeleton_get_connection (G_DBUS_INTERFACE_SKELETON (self->skeleton)))
        g_dbus_interface_skeleton_unexport (G_DBUS_INTERFACE_SKELETON (self->skeleton));
      g_signal_handlers_disconnect_by_data (self->skeleton, self);
    }
  g_clear_object (&self->skeleton);

  G_OBJECT_CLASS (poste_status_item_parent_class)->dispose (object);
}

static void
poste_status_item_finalize (GObject *object)
{
  PosteStatusItem *self = (PosteStatusItem *)object;

  g_clear_object (&self->cancellable);
  g_free (self->object_path);

  G_OBJECT_CLASS (poste_status_item_parent_class)->finalize (object);
}

static void
poste_status_item_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  PosteStatusItem *self = POSTE_STATUS_ITEM (object);

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
poste_status_item_class_init (PosteStatusItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = poste_status_item_dispose;
  object_class->finalize = poste_status_item_finalize;
  object_class->get_property = poste_status_item_get_property;

  /**
   * PosteStatusItem:registered:
   *
   * Whether a StatusNotifierWatcher accepted the item.
   */
  properties[PROP_REGISTERED] =
    g_param_spec_boolean ("registered", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * PosteStatusItem::activate:
   * @self: the item
   * @x: where the host was clicked, in screen coordinates (0 when the host does not say)
   * @y: the same, vertically
   *
   * The host's Activate, its left click; the call is already answered.
   */
  signals[ACTIVATE] =
    g_signal_new ("activate", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_INT, G_TYPE_INT);

  /**
   * PosteStatusItem::secondary-activate:
   * @self: the item
   * @x: where the host was clicked, in screen coordinates
   * @y: the same, vertically
   *
   * The host's SecondaryActivate, its middle click; the call is already answered.
   */
  signals[SECONDARY_ACTIVATE] =
    g_signal_new ("secondary-activate", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_INT, G_TYPE_INT);
}

static void
poste_status_item_init (PosteStatusItem *self)
{
  self->cancellable = g_cancellable_new ();

  self->skeleton = poste_status_notifier_item_skeleton_new ();
  /* Every property has a value before the item is exported: a host reads them all. */
  poste_status_notifier_item_set_status (self->skeleton, "Active");
  poste_status_notifier_item_set_icon_theme_path (self->skeleton, "");
  poste_status_notifier_item_set_menu (self->skeleton, "/");
  poste_status_notifier_item_set_icon_name (self->skeleton, "");
  poste_status_notifier_item_set_attention_icon_name (self->skeleton, "");
  poste_status_notifier_item_set_window_id (self->skeleton, 0);
  poste_status_notifier_item_set_item_is_menu (self->skeleton, FALSE);
  poste_status_notifier_item_set_overlay_icon_name (self->skeleton, "");
  poste_status_notifier_item_set_overlay_icon_pixmap (self->skeleton, no_pixmaps ());
  poste_status_notifier_item_set_attention_icon_pixmap (self->skeleton, no_pixmaps ());
  poste_status_notifier_item_set_icon_pixmap (self->skeleton, no_pixmaps ());
  poste_status_notifier_item_set_attention_movie_name (self->skeleton, "");
  poste_status_notifier_item_set_tool_tip (self->skeleton,
                                           g_variant_new ("(s@a(iiay)ss)", "", no_pixmaps (),
                                                          "", ""));
  g_signal_connect (self->skeleton, "handle-activate", G_CALLBACK (handle_activate), self);
  g_signal_connect (self->skeleton, "handle-secondary-activate",
                    G_CALLBACK (handle_secondary_activate), self);
  g_signal_connect (self->skeleton, "handle-context-menu", G_CALLBACK (handle_context_menu),
                    self);
  g_signal_connect (self->skeleton, "handle-scroll", G_CALLBACK (handle_scroll), self);
}
