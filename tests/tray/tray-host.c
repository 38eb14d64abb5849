/* tray-host.c: the desktop around the application for test-tray, on a connection of its own
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What a panel and a notification server do, on the private session bus of dbus-run-session:
 * - a StatusNotifierWatcher written for the test (from src/poste-restante/dbus/) owns
 *   org.kde.StatusNotifierWatcher and records every registration, and can go and come back as a
 *   panel that restarts;
 * - python3-dbusmock's notification_daemon template owns org.freedesktop.Notifications and
 *   records every Notify call, read back with its mock interface's GetCalls;
 * - the calls a tray host makes: the item's properties, the menu's layout, a click.
 * Every call is asynchronous and waited for by iterating the main context (host-call.c): the
 * application answers from that same main context.
 */
#include "config.h"

#include "poste-tray.h"
#include "poste-tray-dbus.h"
#include "poste-ui-test.h"
#include "host-call.h"
#include "tray-host.h"

#define ITEM_INTERFACE "org.kde.StatusNotifierItem"
#define MENU_INTERFACE "com.canonical.dbusmenu"
#define NOTIFICATIONS_NAME "org.freedesktop.Notifications"
#define NOTIFICATIONS_PATH "/org/freedesktop/Notifications"

/* The host's own connection: the watcher and the calls a tray host would make. */
static GDBusConnection *host;
static PosteStatusNotifierWatcher *watcher;
static guint watcher_owner;
static GPtrArray *registrations;
/* The unique name of the last item that registered: the application's connection. */
static char *item_owner;

static GSubprocess *notification_daemon;

/* Calls */

static gboolean
is_true (gpointer data)
{
  return *(gboolean *) data;
}

/**
 * tray_host_call:
 * @destination: a bus name
 * @path: an object path
 * @interface: the interface of @method
 * @method: the method
 * @parameters: (nullable): its parameters, floating
 * @reply_type: (nullable): the reply's type
 *
 * Calls @method on the bus from the host connection and waits, iterating the main context;
 * fails the test on an error.
 *
 * Returns: (transfer full): the reply
 */
GVariant *
tray_host_call (const char         *destination,
                const char         *path,
                const char         *interface,
                const char         *method,
                GVariant           *parameters,
                const GVariantType *reply_type)
{
  g_autoptr(GError) error = NULL;
  GVariant *reply = host_call (host, destination, path, interface, method, parameters,
                               reply_type, G_DBUS_CALL_FLAGS_NO_AUTO_START, 30000, &error);

  g_assert_no_error (error);
  return reply;
}

/**
 * tray_host_item_property:
 * @name: a property of org.kde.StatusNotifierItem
 *
 * Returns: (transfer full): the item's property, as a host reads it
 */
GVariant *
tray_host_item_property (const char *name)
{
  g_autoptr(GVariant) reply = tray_host_call (item_owner, POSTE_TRAY_ITEM_PATH,
                                              "org.freedesktop.DBus.Properties", "Get",
                                              g_variant_new ("(ss)", ITEM_INTERFACE, name),
                                              G_VARIANT_TYPE ("(v)"));
  GVariant *value;

  g_variant_get (reply, "(v)", &value);
  return value;
}

/**
 * tray_host_item_string:
 * @name: a string property of org.kde.StatusNotifierItem
 *
 * Returns: (transfer full): the item's property
 */
char *
tray_host_item_string (const char *name)
{
  g_autoptr(GVariant) value = tray_host_item_property (name);

  return g_variant_dup_string (value, NULL);
}

/**
 * tray_host_item_tooltip:
 *
 * Checks the tooltip's type and title.
 *
 * Returns: (transfer full): the tooltip's description (the fourth member of (sa(iiay)ss))
 */
char *
tray_host_item_tooltip (void)
{
  g_autoptr(GVariant) value = tray_host_item_property ("ToolTip");
  g_autofree char *icon = NULL;
  g_autofree char *title = NULL;
  char *description = NULL;

  g_assert_true (g_variant_is_of_type (value, G_VARIANT_TYPE ("(sa(iiay)ss)")));
  g_variant_get (value, "(s@a(iiay)ss)", &icon, NULL, &title, &description);
  g_assert_cmpstr (title, ==, "Poste Restante");
  return description;
}

/**
 * tray_host_get_menu:
 *
 * Checks the root and that no item has children.
 *
 * Returns: (transfer full) (element-type DbusmenuItem): the menu's top level, as GetLayout
 *   gives it to a host
 */
GArray *
tray_host_get_menu (void)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) root_props = NULL;
  const char *display = NULL;
  GArray *items;
  gint32 root_id;

  reply = tray_host_call (item_owner, POSTE_TRAY_MENU_PATH, MENU_INTERFACE, "GetLayout",
                          dbusmenu_reader_new_layout_parameters (0), DBUSMENU_LAYOUT_TYPE);
  items = dbusmenu_reader_read_layout (reply, NULL, &root_id, &root_props);
  g_assert_cmpint (root_id, ==, 0);
  g_assert_true (g_variant_lookup (root_props, "children-display", "&s", &display));
  g_assert_cmpstr (display, ==, "submenu");
  for (guint i = 0; i < items->len; i++)
    g_assert_cmpuint (g_array_index (items, DbusmenuItem, i).n_children, ==, 0);
  return items;
}

/**
 * tray_host_click:
 * @label: an item's label
 *
 * Clicks the enabled item labelled @label, with dbusmenu's Event, as a host does.
 */
void
tray_host_click (const char *label)
{
  g_autoptr(GArray) items = tray_host_get_menu ();
  const DbusmenuItem *item = dbusmenu_reader_find_item (items, label);
  g_autoptr(GVariant) reply = NULL;

  g_assert_true (item->enabled);
  reply = tray_host_call (item_owner, POSTE_TRAY_MENU_PATH, MENU_INTERFACE, "Event",
                          g_variant_new ("(isvu)", item->id, "clicked", g_variant_new_int32 (0), 0),
                          G_VARIANT_TYPE ("()"));
}

/* The notifications */

static void
notification_clear (gpointer data)
{
  TrayHostNotification *n = data;

  g_free (n->summary);
  g_free (n->body);
  g_strfreev (n->actions);
}

/**
 * tray_host_get_notifications:
 *
 * Returns: (transfer full) (element-type TrayHostNotification): every Notify call dbusmock has
 *   recorded, in order
 */
GArray *
tray_host_get_notifications (void)
{
  g_autoptr(GVariant) reply = tray_host_call (NOTIFICATIONS_NAME, NOTIFICATIONS_PATH,
                                              "org.freedesktop.DBus.Mock", "GetCalls", NULL,
                                              G_VARIANT_TYPE ("(a(tsav))"));
  g_autoptr(GVariant) calls = g_variant_get_child_value (reply, 0);
  GArray *notifications = g_array_new (FALSE, TRUE, sizeof (TrayHostNotification));
  GVariantIter iter;
  const char *method;
  GVariant *args;

  g_array_set_clear_func (notifications, notification_clear);
  g_variant_iter_init (&iter, calls);
  while (g_variant_iter_next (&iter, "(t&s@av)", NULL, &method, &args))
    {
      if (g_str_equal (method, "Notify"))
        {
          TrayHostNotification n = { 0 };
          g_autoptr(GVariant) app_name = NULL;
          g_autoptr(GVariant) summary = NULL;
          g_autoptr(GVariant) body = NULL;
          g_autoptr(GVariant) actions = NULL;
          g_autoptr(GVariant) hints = NULL;
          guchar urgency = 1;

          g_variant_get_child (args, 0, "v", &app_name);
          g_variant_get_child (args, 3, "v", &summary);
          g_variant_get_child (args, 4, "v", &body);
          g_variant_get_child (args, 5, "v", &actions);
          g_assert_cmpstr (g_variant_get_string (app_name, NULL), ==, APP_ID);
          n.summary = g_variant_dup_string (summary, NULL);
          n.body = g_variant_dup_string (body, NULL);
          n.actions = g_variant_dup_strv (actions, NULL);
          g_variant_get_child (args, 6, "v", &hints);
          g_variant_lookup (hints, "urgency", "y", &urgency);
          n.urgency = urgency;
          g_test_message ("Notify: “%s” “%s”", n.summary, n.body);
          g_array_append_val (notifications, n);
        }
      g_variant_unref (args);
    }
  return notifications;
}

/**
 * tray_host_count_notifications:
 * @notifications: (element-type TrayHostNotification): from tray_host_get_notifications()
 * @summary: a summary
 *
 * Returns: how many of @notifications have @summary
 */
guint
tray_host_count_notifications (GArray     *notifications,
                               const char *summary)
{
  guint n = 0;

  for (guint i = 0; i < notifications->len; i++)
    if (g_str_equal (g_array_index (notifications, TrayHostNotification, i).summary, summary))
      n++;
  return n;
}

/**
 * tray_host_last_notification:
 * @notifications: (element-type TrayHostNotification): from tray_host_get_notifications()
 * @summary: a summary
 *
 * Returns: (transfer none): the last of @notifications with @summary; fails the test when there
 *   is none
 */
const TrayHostNotification *
tray_host_last_notification (GArray     *notifications,
                             const char *summary)
{
  for (guint i = notifications->len; i > 0; i--)
    {
      const TrayHostNotification *n = &g_array_index (notifications, TrayHostNotification, i - 1);

      if (g_str_equal (n->summary, summary))
        return n;
    }
  g_error ("no notification “%s”", summary);
  return NULL;
}

/* The watcher */

static gboolean
handle_register (PosteStatusNotifierWatcher *skeleton,
                 GDBusMethodInvocation      *invocation,
                 const char                 *service,
                 gpointer                    user_data)
{
  const char *sender = g_dbus_method_invocation_get_sender (invocation);
  g_autofree char *item = g_strconcat (sender, service, NULL);
  const char * const *items = poste_status_notifier_watcher_get_registered_status_notifier_items (skeleton);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) all = NULL;

  g_test_message ("watcher: %s registers %s", sender, service);
  g_ptr_array_add (registrations, g_strdup (service));
  g_free (item_owner);
  item_owner = g_strdup (sender);

  if (items != NULL)
    g_strv_builder_addv (builder, (const char **) items);
  g_strv_builder_add (builder, item);
  all = g_strv_builder_end (builder);
  poste_status_notifier_watcher_set_registered_status_notifier_items (skeleton,
                                                                      (const char * const *) all);
  poste_status_notifier_watcher_emit_status_notifier_item_registered (skeleton, item);
  poste_status_notifier_watcher_complete_register_status_notifier_item (skeleton, invocation);
  return TRUE;
}

static gboolean
handle_register_host (PosteStatusNotifierWatcher *skeleton,
                      GDBusMethodInvocation      *invocation,
                      const char                 *service,
                      gpointer                    user_data)
{
  poste_status_notifier_watcher_complete_register_status_notifier_host (skeleton, invocation);
  return TRUE;
}

static void
watcher_name_acquired (GDBusConnection *connection,
                       const char      *name,
                       gpointer         user_data)
{
  *(gboolean *) user_data = TRUE;
}

/**
 * tray_host_start_watcher:
 *
 * The panel starts: the watcher owns its name, and items register.
 */
void
tray_host_start_watcher (void)
{
  gboolean acquired = FALSE;

  watcher_owner = g_bus_own_name_on_connection (host, "org.kde.StatusNotifierWatcher",
                                                G_BUS_NAME_OWNER_FLAGS_NONE,
                                                watcher_name_acquired, NULL, &acquired, NULL);
  poste_ui_test_iterate_until (is_true, &acquired);
}

/**
 * tray_host_stop_watcher:
 *
 * The panel goes: the watcher's name is released, as when it quits.
 */
void
tray_host_stop_watcher (void)
{
  g_bus_unown_name (watcher_owner);
  watcher_owner = 0;
}

/* The notification server */

static void
name_appeared (GDBusConnection *connection,
               const char      *name,
               const char      *owner,
               gpointer         user_data)
{
  *(gboolean *) user_data = TRUE;
}

static void
start_notification_daemon (void)
{
  g_autoptr(GError) error = NULL;
  gboolean appeared = FALSE;
  guint watch;
  const char *argv[] = {
    "/usr/bin/python3", "-m", "dbusmock", "--template", "notification_daemon",
    "--parameters", "{\"capabilities\": \"body actions\"}", NULL
  };

  notification_daemon = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error);
  g_assert_no_error (error);
  watch = g_bus_watch_name_on_connection (host, NOTIFICATIONS_NAME, G_BUS_NAME_WATCHER_FLAGS_NONE,
                                          name_appeared, NULL, &appeared, NULL);
  poste_ui_test_iterate_until (is_true, &appeared);
  g_bus_unwatch_name (watch);
}

/* The desktop */

/**
 * tray_host_start:
 *
 * Connects to the session bus, starts the watcher and the notification daemon: call it before
 * the application starts.
 */
void
tray_host_start (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;

  address = g_dbus_address_get_for_bus_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  host = g_dbus_connection_new_for_address_sync (address,
                                                 G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                 G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                 NULL, NULL, &error);
  g_assert_no_error (error);

  registrations = g_ptr_array_new_with_free_func (g_free);
  watcher = poste_status_notifier_watcher_skeleton_new ();
  poste_status_notifier_watcher_set_protocol_version (watcher, 0);
  poste_status_notifier_watcher_set_is_status_notifier_host_registered (watcher, TRUE);
  g_signal_connect (watcher, "handle-register-status-notifier-item",
                    G_CALLBACK (handle_register), NULL);
  g_signal_connect (watcher, "handle-register-status-notifier-host",
                    G_CALLBACK (handle_register_host), NULL);
  g_assert_true (g_dbus_interface_skeleton_export (G_DBUS_INTERFACE_SKELETON (watcher), host,
                                                   "/StatusNotifierWatcher", &error));
  g_assert_no_error (error);
  tray_host_start_watcher ();
  start_notification_daemon ();
}

/**
 * tray_host_stop:
 *
 * Stops the notification daemon and the watcher and closes the connection.
 */
void
tray_host_stop (void)
{
  if (notification_daemon != NULL)
    {
      g_subprocess_force_exit (notification_daemon);
      g_subprocess_wait (notification_daemon, NULL, NULL);
    }
  g_clear_object (&notification_daemon);
  if (watcher_owner != 0)
    tray_host_stop_watcher ();
  g_clear_object (&watcher);
  g_clear_object (&host);
  g_clear_pointer (&registrations, g_ptr_array_unref);
  g_clear_pointer (&item_owner, g_free);
}

/**
 * tray_host_get_registrations:
 *
 * Returns: (transfer none) (element-type utf8): the object paths items registered with, in order
 */
GPtrArray *
tray_host_get_registrations (void)
{
  return registrations;
}

/**
 * tray_host_get_item_owner:
 *
 * Returns: (nullable): the unique name of the last item that registered
 */
const char *
tray_host_get_item_owner (void)
{
  return item_owner;
}
