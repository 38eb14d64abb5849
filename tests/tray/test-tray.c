/* test-tray.c: the tray item and the notifications, over a private session bus
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs under dbus-run-session and Xvfb (the 'ui' suite). The test is the desktop around the
 * application:
 * - a StatusNotifierWatcher written for the test (from src/poste-restante/dbus/) owns
 *   org.kde.StatusNotifierWatcher on a connection of its own and records every registration;
 * - python3-dbusmock's notification_daemon template owns org.freedesktop.Notifications and
 *   records every Notify call, read back with its mock interface's GetCalls;
 * - a PosteTestProvider (its own thread, 127.0.0.1, STARTTLS with a test CA) holds the mail.
 * It reads the item's properties and menu through D-Bus as a tray host does, clicks menu items
 * with dbusmenu's Event, and checks what happened: the session ran, the mail is in the Maildir,
 * the icon and tooltip say so, the notifications say so once.
 *
 * Every D-Bus call from the test is asynchronous and waited for by iterating the main context:
 * the application answers from that same main context.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "poste-test.h"
#include "poste-test-cert.h"
#include "poste-test-provider.h"
#include "poste-test-services.h"
#include "poste-ui-test.h"
#include "poste-history.h"
#include "poste-outbox.h"
#include "poste-application.h"
#include "poste-config.h"
#include "poste-scheduler.h"
#include "poste-session.h"
#include "poste-tray.h"
#include "poste-tray-dbus.h"

#define PASSWORD "s3cret horse"
#define ITEM_INTERFACE "org.kde.StatusNotifierItem"
#define MENU_INTERFACE "com.canonical.dbusmenu"
#define NOTIFICATIONS_NAME "org.freedesktop.Notifications"
#define NOTIFICATIONS_PATH "/org/freedesktop/Notifications"

static const char *acme_domains[] = { "example.org", NULL };
static const char *bigco_domains[] = { "example.net", NULL };
static const char *acme_rcpt[] = { "alice@example.org", NULL };

static PosteApplication *app;
static PosteTestCert *cert;
static PosteTestProvider *provider;
static char *dir;
static char *maildir;

/* The test's own connection: the watcher and the calls a tray host would make. */
static GDBusConnection *host;
static PosteStatusNotifierWatcher *watcher;
static guint watcher_owner;
static GPtrArray *registrations;
static char *item_owner;

static GSubprocess *notification_daemon;

static guint sessions_finished;

/* Helpers */

static gboolean
is_true (gpointer data)
{
  return *(gboolean *) data;
}

typedef struct {
  gboolean  done;
  GVariant *reply;
  GError   *error;
} Call;

static void
call_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Call *call = user_data;

  call->reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, &call->error);
  call->done = TRUE;
}

/* Calls @method on the bus from the host connection and waits, iterating the main context. */
static GVariant *
call (const char         *destination,
      const char         *path,
      const char         *interface,
      const char         *method,
      GVariant           *parameters,
      const GVariantType *reply_type)
{
  Call c = { 0 };

  g_dbus_connection_call (host, destination, path, interface, method, parameters, reply_type,
                          G_DBUS_CALL_FLAGS_NO_AUTO_START, 30000, NULL, call_cb, &c);
  poste_ui_test_iterate_until (is_true, &c.done);
  g_assert_no_error (c.error);
  return c.reply;
}

static GVariant *
item_property (const char *name)
{
  g_autoptr(GVariant) reply = call (item_owner, POSTE_TRAY_ITEM_PATH,
                                    "org.freedesktop.DBus.Properties", "Get",
                                    g_variant_new ("(ss)", ITEM_INTERFACE, name),
                                    G_VARIANT_TYPE ("(v)"));
  GVariant *value;

  g_variant_get (reply, "(v)", &value);
  return value;
}

static char *
item_string (const char *name)
{
  g_autoptr(GVariant) value = item_property (name);

  return g_variant_dup_string (value, NULL);
}

/* The tooltip's description (the fourth member of (sa(iiay)ss)). */
static char *
item_tooltip (void)
{
  g_autoptr(GVariant) value = item_property ("ToolTip");
  g_autofree char *icon = NULL;
  g_autofree char *title = NULL;
  char *description = NULL;

  g_assert_true (g_variant_is_of_type (value, G_VARIANT_TYPE ("(sa(iiay)ss)")));
  g_variant_get (value, "(s@a(iiay)ss)", &icon, NULL, &title, &description);
  g_assert_cmpstr (title, ==, "Poste Restante");
  return description;
}

typedef struct {
  int    id;
  char  *label;
  char  *type;
  char  *toggle_type;
  int    toggle_state;
  gboolean enabled;
} Item;

static void
item_clear (gpointer data)
{
  Item *item = data;

  g_free (item->label);
  g_free (item->type);
  g_free (item->toggle_type);
}

/* The menu's top level, as GetLayout gives it to a host. */
static GArray *
get_menu (void)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) root_props = NULL;
  g_autoptr(GVariant) children = NULL;
  GArray *items = g_array_new (FALSE, TRUE, sizeof (Item));
  const char *no_names[] = { NULL };
  const char *display = NULL;
  GVariantIter iter;
  GVariant *child;
  guint32 revision;
  gint32 root_id;

  g_array_set_clear_func (items, item_clear);
  reply = call (item_owner, POSTE_TRAY_MENU_PATH, MENU_INTERFACE, "GetLayout",
                g_variant_new ("(ii^as)", 0, -1, no_names), G_VARIANT_TYPE ("(u(ia{sv}av))"));
  g_variant_get (reply, "(u(i@a{sv}@av))", &revision, &root_id, &root_props, &children);
  g_assert_cmpint (root_id, ==, 0);
  g_assert_true (g_variant_lookup (root_props, "children-display", "&s", &display));
  g_assert_cmpstr (display, ==, "submenu");

  g_variant_iter_init (&iter, children);
  while (g_variant_iter_next (&iter, "v", &child))
    {
      g_autoptr(GVariant) props = NULL;
      g_autoptr(GVariant) grandchildren = NULL;
      Item item = { 0 };

      g_variant_get (child, "(i@a{sv}@av)", &item.id, &props, &grandchildren);
      g_assert_cmpuint (g_variant_n_children (grandchildren), ==, 0);
      item.enabled = TRUE;
      g_variant_lookup (props, "label", "s", &item.label);
      g_variant_lookup (props, "type", "s", &item.type);
      g_variant_lookup (props, "toggle-type", "s", &item.toggle_type);
      g_variant_lookup (props, "toggle-state", "i", &item.toggle_state);
      g_variant_lookup (props, "enabled", "b", &item.enabled);
      g_array_append_val (items, item);
      g_variant_unref (child);
    }
  return items;
}

static const Item *
find_menu_item (GArray     *items,
                const char *label)
{
  for (guint i = 0; i < items->len; i++)
    {
      const Item *item = &g_array_index (items, Item, i);

      if (g_strcmp0 (item->label, label) == 0)
        return item;
    }
  g_error ("no menu item labelled “%s”", label);
  return NULL;
}

static void
click (const char *label)
{
  g_autoptr(GArray) items = get_menu ();
  const Item *item = find_menu_item (items, label);
  g_autoptr(GVariant) reply = NULL;

  g_assert_true (item->enabled);
  reply = call (item_owner, POSTE_TRAY_MENU_PATH, MENU_INTERFACE, "Event",
                g_variant_new ("(isvu)", item->id, "clicked", g_variant_new_int32 (0), 0),
                G_VARIANT_TYPE ("()"));
}

static void
count_finished (PosteApplication         *application,
                PosteSession             *session,
                const PosteSessionReport *report,
                gpointer                  user_data)
{
  g_test_message ("session of %s finished: %s%s%s", report->provider,
                  poste_session_outcome_to_string (report->outcome),
                  report->error != NULL ? ": " : "",
                  report->error != NULL ? report->error->message : "");
  sessions_finished++;
}

static gboolean
finished_reached (gpointer data)
{
  return sessions_finished >= GPOINTER_TO_UINT (data);
}

static void
wait_finished (guint more)
{
  poste_ui_test_iterate_until (finished_reached, GUINT_TO_POINTER (sessions_finished + more));
}

static guint
delivered (void)
{
  g_autofree char *new_dir = g_build_filename (maildir, "new", NULL);

  return poste_test_count_entries (new_dir);
}

/* The notifications dbusmock has recorded: (summary, body, actions) of every Notify call. */
typedef struct {
  char  *summary;
  char  *body;
  GStrv  actions;
  guint  urgency;  /* the "urgency" hint: 0 low, 1 normal, 2 critical; 1 when not given */
} Notification;

static void
notification_clear (gpointer data)
{
  Notification *n = data;

  g_free (n->summary);
  g_free (n->body);
  g_strfreev (n->actions);
}

static GArray *
get_notifications (void)
{
  g_autoptr(GVariant) reply = call (NOTIFICATIONS_NAME, NOTIFICATIONS_PATH,
                                    "org.freedesktop.DBus.Mock", "GetCalls", NULL,
                                    G_VARIANT_TYPE ("(a(tsav))"));
  g_autoptr(GVariant) calls = g_variant_get_child_value (reply, 0);
  GArray *notifications = g_array_new (FALSE, TRUE, sizeof (Notification));
  GVariantIter iter;
  const char *method;
  GVariant *args;

  g_array_set_clear_func (notifications, notification_clear);
  g_variant_iter_init (&iter, calls);
  while (g_variant_iter_next (&iter, "(t&s@av)", NULL, &method, &args))
    {
      if (g_str_equal (method, "Notify"))
        {
          Notification n = { 0 };
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

static guint
count_notifications (GArray     *notifications,
                     const char *summary)
{
  guint n = 0;

  for (guint i = 0; i < notifications->len; i++)
    if (g_str_equal (g_array_index (notifications, Notification, i).summary, summary))
      n++;
  return n;
}

static const Notification *
last_notification (GArray     *notifications,
                   const char *summary)
{
  for (guint i = notifications->len; i > 0; i--)
    {
      const Notification *n = &g_array_index (notifications, Notification, i - 1);

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

static void
start_watcher (void)
{
  gboolean acquired = FALSE;

  watcher_owner = g_bus_own_name_on_connection (host, "org.kde.StatusNotifierWatcher",
                                                G_BUS_NAME_OWNER_FLAGS_NONE,
                                                watcher_name_acquired, NULL, &acquired, NULL);
  poste_ui_test_iterate_until (is_true, &acquired);
}

static void
stop_watcher (void)
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

/* Writes the configuration before the application starts: acme holds one message for us;
 * bigco's password file has the wrong password. Both fetch only on demand. */
/* acme's last fetch, before this start, failed: the tray starts needing attention. */
static void
write_history (void)
{
  g_autofree char *history_dir = poste_history_dup_default_dir ();
  g_autoptr(PosteHistory) history = poste_history_new (history_dir);
  g_autoptr(PosteSessionReport) report = poste_session_report_new ("acme");
  g_autoptr(GError) error = NULL;

  report->started = g_date_time_new_now_utc ();
  report->outcome = POSTE_SESSION_OUTCOME_FAILED;
  report->error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED,
                                       "Could not connect: Connection refused");
  g_assert_true (poste_history_add (history, report, &error));
  g_assert_no_error (error);
}

static void
write_config (guint16 port)
{
  g_autofree char *config_path = poste_config_dup_default_path ();
  g_autofree char *config_dir = g_path_get_dirname (config_path);
  g_autofree char *good = g_build_filename (dir, "acme.password", NULL);
  g_autofree char *bad = g_build_filename (dir, "bigco.password", NULL);
  g_autoptr(GString) text = g_string_new (NULL);
  const char *names[] = { "acme", "bigco" };
  const char *domains[] = { "example.org", "example.net" };
  const char *files[] = { good, bad };

  g_assert_true (g_file_set_contents_full (good, PASSWORD "\n", -1,
                                           G_FILE_SET_CONTENTS_CONSISTENT, 0600, NULL));
  g_assert_true (g_file_set_contents_full (bad, "not the password\n", -1,
                                           G_FILE_SET_CONTENTS_CONSISTENT, 0600, NULL));
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    g_string_append_printf (text,
                            "[provider %s]\n"
                            "host=127.0.0.1\n"
                            "port=%u\n"
                            "security=starttls\n"
                            "username=%s\n"
                            "domains=%s\n"
                            "delivery=maildir:%s\n"
                            "interval=0\n"
                            "ca-file=%s\n"
                            "password-file=%s\n",
                            names[i], port, names[i], domains[i], maildir, cert->ca_file,
                            files[i]);
  g_assert_cmpint (g_mkdir_with_parents (config_dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (config_path, text->str, -1, NULL));
}

static gboolean
tray_registered (gpointer data)
{
  PosteTray *tray = poste_application_get_tray (app);

  return tray != NULL && poste_tray_get_registered (tray) == GPOINTER_TO_INT (data);
}

/* Tests */

/* The first case starts everything, inside its private home. */
static void
test_tray_register (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;
  guint16 port;

  /* Outside the test case's private home, which GLib removes when the case ends: the
   * application keeps using these files in the cases after this one. */
  dir = g_dir_make_tmp ("poste-test-tray-XXXXXX", &error);
  g_assert_no_error (error);
  maildir = g_build_filename (dir, "Maildir", NULL);
  cert = poste_test_cert_new (dir, "provider.test", POSTE_TEST_CERT_NONE, &error);
  g_assert_no_error (error);
  provider = poste_test_provider_new ();
  poste_test_provider_set_tls (provider, POSTE_TEST_TLS_STARTTLS, cert->certificate);
  poste_test_provider_add_account (provider, "acme", PASSWORD, acme_domains);
  poste_test_provider_add_account (provider, "bigco", PASSWORD, bigco_domains);
  poste_test_provider_add_message (provider, "carol@remote.example", acme_rcpt,
                                   "From: carol@remote.example\r\n"
                                   "To: alice@example.org\r\n"
                                   "Subject: held for you\r\n"
                                   "\r\n"
                                   "Hello.\r\n", -1);
  port = poste_test_provider_start (provider, &error);
  g_assert_no_error (error);
  write_config (port);
  write_history ();

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
  start_watcher ();
  start_notification_daemon ();

  app = poste_application_new (APP_ID, G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  g_signal_connect (app, "session-finished", G_CALLBACK (count_finished), NULL);

  poste_ui_test_iterate_until (tray_registered, GINT_TO_POINTER (TRUE));
  /* By object path, from the application's own connection. */
  g_assert_cmpuint (registrations->len, ==, 1);
  g_assert_cmpstr (registrations->pdata[0], ==, POSTE_TRAY_ITEM_PATH);
  g_assert_cmpstr (item_owner, ==,
                   g_dbus_connection_get_unique_name (
                     g_application_get_dbus_connection (G_APPLICATION (app))));
}

static void
test_tray_properties (void)
{
  g_autoptr(GVariant) menu = item_property ("Menu");
  g_autoptr(GVariant) is_menu = item_property ("ItemIsMenu");
  g_autofree char *icon = item_string ("IconName");
  g_autofree char *status = item_string ("Status");
  g_autofree char *id = item_string ("Id");
  g_autofree char *title = item_string ("Title");
  g_autofree char *overlay = item_string ("OverlayIconName");
  g_autofree char *attention = item_string ("AttentionIconName");
  g_autofree char *theme_path = item_string ("IconThemePath");
  g_autofree char *tooltip = item_tooltip ();
  g_autofree char *themed = NULL;
  g_autoptr(GVariant) pixmaps = item_property ("IconPixmap");
  g_autoptr(GVariant) attention_pixmaps = item_property ("AttentionIconPixmap");
  gboolean found_16 = FALSE;

  /* The history says acme's last fetch failed: attention from the start. */
  g_assert_cmpstr (icon, ==, APP_ID "-tray-attention");
  g_assert_cmpstr (status, ==, "NeedsAttention");
  g_assert_cmpstr (attention, ==, APP_ID "-tray-attention");
  g_assert_cmpstr (tooltip, ==, "acme: Could not connect: Connection refused");
  g_assert_cmpstr (id, ==, APP_ID);
  g_assert_cmpstr (title, ==, "Poste Restante");
  g_assert_cmpstr (overlay, ==, "");

  /* Run from the build tree: the host finds the icons in the source tree's data/icons. */
  themed = g_build_filename (theme_path, "hicolor", "scalable", "status", APP_ID "-tray-attention.svg",
                             NULL);
  g_assert_true (g_file_test (themed, G_FILE_TEST_IS_REGULAR));

  /* And as pixmaps: ARGB32 in network byte order, the letter opaque in the middle and the
   * corners clear. */
  g_assert_cmpuint (g_variant_n_children (pixmaps), >=, 4);
  g_assert_cmpuint (g_variant_n_children (attention_pixmaps), ==, g_variant_n_children (pixmaps));
  for (gsize i = 0; i < g_variant_n_children (pixmaps); i++)
    {
      g_autoptr(GVariant) bytes = NULL;
      const guint8 *argb;
      gsize length;
      int width, height;

      g_variant_get_child (pixmaps, i, "(ii@ay)", &width, &height, &bytes);
      argb = g_variant_get_fixed_array (bytes, &length, 1);
      g_assert_cmpint (width, ==, height);
      g_assert_cmpuint (length, ==, (gsize) width * height * 4);
      g_assert_cmpuint (argb[0], ==, 0);
      g_assert_cmpuint (argb[(height / 2 * width + width / 4) * 4], ==, 0xff);
      found_16 |= width == 16;
    }
  g_assert_true (found_16);
  g_assert_true (g_variant_is_of_type (menu, G_VARIANT_TYPE_OBJECT_PATH));
  g_assert_cmpstr (g_variant_get_string (menu, NULL), ==, POSTE_TRAY_MENU_PATH);
  g_assert_false (g_variant_get_boolean (is_menu));
}

static void
test_tray_menu (void)
{
  const char *expected[] = {
    "_Fetch Now", "_Send Now", NULL, "Fetch from acme", "Fetch from bigco", NULL, "_Pause Schedules",
    "_Open Poste Restante", NULL, "_Quit",
  };
  g_autoptr(GArray) items = get_menu ();
  PosteScheduler *scheduler = poste_application_get_scheduler (app);

  g_assert_cmpuint (items->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < items->len; i++)
    {
      const Item *item = &g_array_index (items, Item, i);

      if (expected[i] == NULL)
        g_assert_cmpstr (item->type, ==, "separator");
      else
        {
          g_assert_cmpstr (item->label, ==, expected[i]);
          /* Nothing is queued: Send Now would have nothing to send. */
          g_assert_true (item->enabled == !g_str_equal (expected[i], "_Send Now"));
        }
    }
  g_assert_cmpstr (find_menu_item (items, "_Pause Schedules")->toggle_type, ==, "checkmark");
  g_assert_cmpint (find_menu_item (items, "_Pause Schedules")->toggle_state, ==, 0);

  /* Pause Schedules is a checkbox over the scheduler's pause. */
  g_assert_false (poste_scheduler_get_paused (scheduler));
  click ("_Pause Schedules");
  g_assert_true (poste_scheduler_get_paused (scheduler));
  g_clear_pointer (&items, g_array_unref);
  items = get_menu ();
  g_assert_cmpint (find_menu_item (items, "_Pause Schedules")->toggle_state, ==, 1);
  {
    g_autofree char *tooltip = item_tooltip ();

    g_assert_cmpstr (tooltip, ==, "acme: Could not connect: Connection refused\nSchedules paused");
  }
  click ("_Pause Schedules");
  g_assert_false (poste_scheduler_get_paused (scheduler));

  /* The same action from outside, as `gapplication action` sends it. */
  g_action_group_change_action_state (G_ACTION_GROUP (app), "pause-schedules",
                                      g_variant_new_boolean (TRUE));
  g_assert_true (poste_scheduler_get_paused (scheduler));
  g_action_group_change_action_state (G_ACTION_GROUP (app), "pause-schedules",
                                      g_variant_new_boolean (FALSE));
  g_assert_false (poste_scheduler_get_paused (scheduler));
}

static gboolean
session_in_atrn (gpointer data)
{
  PosteSession *session = poste_application_get_session (app, data);

  return session != NULL && poste_session_get_state (session) == POSTE_SESSION_STATE_ATRN;
}

static void
test_tray_fetch (void)
{
  g_autoptr(GError) error = NULL;

  /* A session that hangs at ATRN: the icon shows the fetch while it lasts. */
  g_assert_true (poste_test_provider_set_faults (provider, "silent=atrn", &error));
  g_assert_no_error (error);
  click ("Fetch from acme");
  poste_ui_test_iterate_until (session_in_atrn, (gpointer) "acme");
  {
    g_autofree char *icon = item_string ("IconName");
    g_autofree char *status = item_string ("Status");
    g_autofree char *tooltip = item_tooltip ();

    /* Fetching shows, over acme's earlier failure. */
    g_assert_cmpstr (icon, ==, APP_ID "-tray-fetching");
    g_assert_cmpstr (status, ==, "Active");
    g_assert_true (g_str_has_prefix (tooltip, "Fetching from acme: 0 messages, 0 bytes\n"));
  }
  g_action_group_activate_action (G_ACTION_GROUP (app), "stop", g_variant_new_string ("acme"));
  wait_finished (1);
  g_assert_cmpuint (delivered (), ==, 0);

  /* Fetch now: acme delivers its message, bigco's password is wrong. */
  g_assert_true (poste_test_provider_set_faults (provider, "", &error));
  g_assert_no_error (error);
  click ("_Fetch Now");
  wait_finished (2);
  g_assert_cmpuint (delivered (), ==, 1);
  g_assert_cmpuint (poste_test_provider_count_spooled (provider), ==, 0);
  {
    g_autofree char *icon = item_string ("IconName");
    g_autofree char *status = item_string ("Status");
    g_autofree char *attention = item_string ("AttentionIconName");
    g_autofree char *tooltip = item_tooltip ();

    g_assert_cmpstr (status, ==, "NeedsAttention");
    g_assert_cmpstr (attention, ==, APP_ID "-tray-attention");
    g_assert_cmpstr (icon, ==, APP_ID "-tray-attention");
    g_assert_true (g_str_has_prefix (tooltip, "bigco: "));
    g_assert_null (strstr (tooltip, "acme"));
  }
}

/* A failure of @provider reported as a fetch @minutes from now would end, as the application
 * tells its observers (#PosteApplication::session-finished): the notifier judges how long a
 * failure lasted by the reports' times. */
static void
emit_failure_later (const char *name,
                    guint       minutes)
{
  g_autoptr(PosteSessionReport) report = poste_session_report_new (name);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  report->started = g_date_time_add_minutes (now, (int)minutes);
  report->outcome = POSTE_SESSION_OUTCOME_FAILED;
  report->error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED,
                                       "Could not connect: Connection refused");
  g_signal_emit_by_name (app, "session-finished", NULL, report);
}

static void
test_tray_notifications (void)
{
  g_autoptr(GArray) notifications = get_notifications ();
  g_autoptr(GError) error = NULL;
  const Notification *mail;
  const Notification *auth;
  const char *mail_actions[] = { "default", "Open", "open", "Open", NULL };
  const char *auth_actions[] = {
    "default", "Edit Provider", "edit", "Edit Provider", "retry", "Retry", NULL
  };
  const char *transient_actions[] = { "retry", "Retry", NULL };
  const Notification *transient;

  /* New mail, counted per provider, with Open; the stopped session said nothing. */
  mail = last_notification (notifications, "1 new message");
  g_assert_cmpstr (mail->body, ==, "acme: 1 new message");
  g_assert_cmpstrv (mail->actions, mail_actions);
  g_assert_cmpuint (mail->urgency, ==, 1);
  /* The authentication failure, with Edit and Retry, critical: nothing comes in until the user
   * acts. */
  auth = last_notification (notifications, "bigco: authentication failed");
  g_assert_nonnull (strstr (auth->body, "Check the user name and password."));
  g_assert_cmpuint (auth->urgency, ==, 2);
  g_assert_cmpstrv (auth->actions, auth_actions);
  g_assert_cmpuint (notifications->len, ==, 2);

  /* The same failure again: nothing new. The fetch is asked for over D-Bus, as
   * `gapplication action io.github.posterestante.PosteRestante fetch-provider "'bigco'"` does
   * (org.gtk.Actions on the application's object path). */
  {
    g_autoptr(GVariant) reply = NULL;
    GVariantBuilder parameter;

    g_variant_builder_init (&parameter, G_VARIANT_TYPE ("av"));
    g_variant_builder_add (&parameter, "v", g_variant_new_string ("bigco"));
    reply = call (item_owner, g_application_get_dbus_object_path (G_APPLICATION (app)),
                  "org.gtk.Actions", "Activate",
                  g_variant_new ("(sava{sv})", "fetch-provider", &parameter, NULL),
                  G_VARIANT_TYPE ("()"));
  }
  wait_finished (1);
  g_clear_pointer (&notifications, g_array_unref);
  notifications = get_notifications ();
  g_assert_cmpuint (notifications->len, ==, 2);

  /* A network failure, twice (the provider drops the connection at once): nothing yet, it may
   * mend itself. */
  g_assert_true (poste_test_provider_set_faults (provider, "drop=greeting", &error));
  g_assert_no_error (error);
  for (guint i = 0; i < 2; i++)
    {
      g_action_group_activate_action (G_ACTION_GROUP (app), "fetch-provider",
                                      g_variant_new_string ("acme"));
      wait_finished (1);
    }
  g_clear_pointer (&notifications, g_array_unref);
  notifications = get_notifications ();
  g_assert_cmpuint (count_notifications (notifications, "acme: cannot fetch mail"), ==, 0);
  g_assert_cmpuint (notifications->len, ==, 2);

  /* Still failing half an hour later: now it is told, at normal urgency, with Retry only, and
   * (acme fetches on demand) without promising to try again. */
  emit_failure_later ("acme", 31);
  g_clear_pointer (&notifications, g_array_unref);
  notifications = get_notifications ();
  g_assert_cmpuint (count_notifications (notifications, "acme: cannot fetch mail"), ==, 1);
  transient = last_notification (notifications, "acme: cannot fetch mail");
  g_assert_cmpstrv (transient->actions, transient_actions);
  g_assert_cmpuint (transient->urgency, ==, 1);
  g_assert_null (strstr (transient->body, "will try again"));
  g_assert_cmpuint (notifications->len, ==, 3);

  /* A success clears it: a failure that lasts is news again; on a schedule, it is retried. */
  g_assert_true (poste_test_provider_set_faults (provider, "", &error));
  g_action_group_activate_action (G_ACTION_GROUP (app), "fetch-provider",
                                  g_variant_new_string ("acme"));
  wait_finished (1);
  g_assert_true (poste_test_provider_set_faults (provider, "drop=greeting", &error));
  g_action_group_activate_action (G_ACTION_GROUP (app), "fetch-provider",
                                  g_variant_new_string ("acme"));
  wait_finished (1);
  poste_provider_set_interval (poste_config_lookup (poste_application_get_config (app), "acme"), 60);
  emit_failure_later ("acme", 45);
  poste_provider_set_interval (poste_config_lookup (poste_application_get_config (app), "acme"), 0);
  g_clear_pointer (&notifications, g_array_unref);
  notifications = get_notifications ();
  g_assert_cmpuint (count_notifications (notifications, "acme: cannot fetch mail"), ==, 2);
  transient = last_notification (notifications, "acme: cannot fetch mail");
  g_assert_nonnull (strstr (transient->body, "Poste Restante will try again."));
  g_assert_true (poste_test_provider_set_faults (provider, "", &error));

  /* One notification for a fetch that brought mail and had some refused for good. */
  {
    g_autoptr(PosteSessionReport) report = poste_session_report_new ("acme");
    guint before = notifications->len;
    const Notification *summary;

    report->started = g_date_time_new_now_utc ();
    report->outcome = POSTE_SESSION_OUTCOME_MAIL;
    report->messages = 1;
    report->returned = 1;
    g_signal_emit_by_name (app, "session-finished", NULL, report);
    g_clear_pointer (&notifications, g_array_unref);
    notifications = get_notifications ();
    g_assert_cmpuint (notifications->len, ==, before + 1);
    summary = &g_array_index (notifications, Notification, notifications->len - 1);
    g_assert_nonnull (strstr (summary->body, "acme: 1 refused, returned to the sender by the provider"));
    g_assert_cmpuint (summary->urgency, ==, 1);
  }

  /* The setting off: silence. */
  g_settings_set_boolean (poste_application_get_settings (app), "notifications", FALSE);
  g_assert_true (poste_test_provider_set_faults (provider, "", &error));
  poste_test_provider_add_message (provider, "carol@remote.example", acme_rcpt,
                                   "Subject: another\r\n\r\nHello again.\r\n", -1);
  g_action_group_activate_action (G_ACTION_GROUP (app), "fetch-provider",
                                  g_variant_new_string ("acme"));
  wait_finished (1);
  g_assert_cmpuint (delivered (), ==, 2);
  g_clear_pointer (&notifications, g_array_unref);
  notifications = get_notifications ();
  g_assert_cmpuint (count_notifications (notifications, "1 new message"), ==, 1);
  /* The fetch with a refusal made it 2; the silent one did not make it 3. */
  g_assert_cmpuint (count_notifications (notifications, "2 new messages"), ==, 1);
  g_assert_cmpuint (count_notifications (notifications, "3 new messages"), ==, 0);
  g_settings_set_boolean (poste_application_get_settings (app), "notifications", TRUE);
}

/* A provider on a schedule that fails is retried by the scheduler's backoff: the tooltip says
 * when; once it is on demand again, no next attempt is shown. */
static void
test_tray_next_attempt (void)
{
  PosteScheduler *scheduler = poste_application_get_scheduler (app);
  PosteProvider *acme = poste_config_lookup (poste_application_get_config (app), "acme");
  g_autoptr(GDateTime) next = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *when = NULL;
  g_autofree char *expected = NULL;

  poste_provider_set_interval (acme, 60);
  g_assert_true (poste_scheduler_update_provider (scheduler, acme, &error));
  g_assert_no_error (error);
  g_assert_true (poste_test_provider_set_faults (provider, "drop=greeting", &error));
  g_action_group_activate_action (G_ACTION_GROUP (app), "fetch-provider",
                                  g_variant_new_string ("acme"));
  wait_finished (1);
  g_assert_cmpint (poste_scheduler_get_state (scheduler, "acme"), ==,
                   POSTE_SCHEDULE_STATE_RETRYING);
  next = poste_scheduler_get_next_fetch (scheduler, "acme");
  g_assert_nonnull (next);
  when = g_date_time_format (next, "%H:%M");
  expected = g_strdup_printf (" (next attempt at %s)", when);
  {
    g_autofree char *tooltip = item_tooltip ();
    g_auto(GStrv) lines = g_strsplit (tooltip, "\n", -1);

    /* One line per provider that failed: bigco's authentication failure stays, not retried. */
    g_test_message ("tooltip: %s", tooltip);
    g_assert_cmpuint (g_strv_length (lines), ==, 2);
    g_assert_true (g_str_has_prefix (lines[0], "acme: "));
    g_assert_true (g_str_has_suffix (lines[0], expected));
    g_assert_true (g_str_has_prefix (lines[1], "bigco: "));
    g_assert_null (strstr (lines[1], "next attempt"));
  }

  /* On demand again: the failure is still there, without a next attempt. */
  poste_provider_set_interval (acme, 0);
  g_assert_true (poste_scheduler_update_provider (scheduler, acme, &error));
  g_assert_true (poste_test_provider_set_faults (provider, "", &error));
  {
    g_autofree char *tooltip = item_tooltip ();

    g_assert_true (g_str_has_prefix (tooltip, "acme: "));
    g_assert_null (strstr (tooltip, "next attempt"));
  }
}

static gboolean
registered_again (gpointer data)
{
  return registrations->len >= GPOINTER_TO_UINT (data) && tray_registered (GINT_TO_POINTER (TRUE));
}

static void
test_tray_watcher_restart (void)
{
  guint before = registrations->len;

  /* The watcher goes (the panel restarts) ... */
  stop_watcher ();
  poste_ui_test_iterate_until (tray_registered, GINT_TO_POINTER (FALSE));
  g_assert_cmpuint (registrations->len, ==, before);

  /* ... and comes back: the item registers again, by the same object path. */
  start_watcher ();
  poste_ui_test_iterate_until (registered_again, GUINT_TO_POINTER (before + 1));
  g_assert_cmpuint (registrations->len, ==, before + 1);
  g_assert_cmpstr (registrations->pdata[before], ==, POSTE_TRAY_ITEM_PATH);
}

static gboolean
no_windows (gpointer data)
{
  return gtk_application_get_windows (GTK_APPLICATION (app)) == NULL;
}

static gboolean
has_main_window (gpointer data)
{
  return poste_application_get_main_window (app) != NULL;
}

static void
test_tray_open_quit (void)
{
  g_assert_null (poste_application_get_main_window (app));
  click ("_Open Poste Restante");
  poste_ui_test_iterate_until (has_main_window, NULL);
  click ("_Quit");
  poste_ui_test_iterate_until (no_windows, NULL);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  poste_ui_test_init (&argc, &argv, "test-tray");

  g_test_add_func ("/tray/register", test_tray_register);
  g_test_add_func ("/tray/properties", test_tray_properties);
  g_test_add_func ("/tray/menu", test_tray_menu);
  g_test_add_func ("/tray/fetch", test_tray_fetch);
  g_test_add_func ("/tray/notifications", test_tray_notifications);
  g_test_add_func ("/tray/next-attempt", test_tray_next_attempt);
  g_test_add_func ("/tray/watcher-restart", test_tray_watcher_restart);
  g_test_add_func ("/tray/open-quit", test_tray_open_quit);

  ret = g_test_run ();

  if (app != NULL)
    g_application_quit (G_APPLICATION (app));
  g_clear_object (&app);
  if (notification_daemon != NULL)
    {
      g_subprocess_force_exit (notification_daemon);
      g_subprocess_wait (notification_daemon, NULL, NULL);
    }
  g_clear_object (&notification_daemon);
  if (watcher_owner != 0)
    stop_watcher ();
  g_clear_object (&watcher);
  g_clear_object (&host);
  if (provider != NULL)
    poste_test_provider_stop (provider);
  g_clear_object (&provider);
  g_clear_pointer (&cert, poste_test_cert_free);
  g_clear_pointer (&registrations, g_ptr_array_unref);
  g_free (item_owner);
  g_free (maildir);
  if (dir != NULL)
    poste_test_remove_tree (dir);
  g_free (dir);
  return ret;
}
