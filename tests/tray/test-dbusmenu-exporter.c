/* test-dbusmenu-exporter.c: the GMenuModel to com.canonical.dbusmenu exporter, on its own
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A menu of a few items over a GSimpleActionGroup, exported on one end of a peer-to-peer D-Bus
 * connection (a socket pair, no bus, no display) and read from the other end as a tray host
 * does: GetLayout (sections flattened with separators, a submenu, labels, enabled states, a
 * checkmark and a radio item), GetGroupProperties, GetProperty, Event (an action activated after
 * the reply, a checkmark flipped, an unknown id refused), AboutToShow, and LayoutUpdated when the
 * model or an action changes, with every item's id kept across it.
 */
#include "config.h"

#include <sys/socket.h>

#include "poste-test.h"
#include "poste-dbusmenu-exporter.h"
#include "dbusmenu-reader.h"
#include "host-call.h"

#define MENU_PATH "/MenuBar"
#define MENU_INTERFACE "com.canonical.dbusmenu"

typedef struct {
  GDBusConnection       *server;
  GDBusConnection       *client;
  GMenu                 *menu;
  GMenu                 *empty_section;
  GSimpleActionGroup    *actions;
  PosteDbusmenuExporter *exporter;
  GHashTable            *activations;
  guint                  layout_updates;
  guint                  expected_updates;
  guint                  expected_activations;
  guint32                last_revision;
  guint                  subscription;
} Fixture;

static gboolean
is_true (gpointer data)
{
  return *(gboolean *) data;
}

static void
iterate_until (GSourceFunc condition,
               gpointer    data)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (!condition (data))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
}

/* The connections */

typedef struct {
  gboolean         done;
  GDBusConnection *connection;
} Connecting;

static void
connected_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Connecting *connecting = user_data;
  g_autoptr(GError) error = NULL;

  connecting->connection = g_dbus_connection_new_finish (result, &error);
  g_assert_no_error (error);
  connecting->done = TRUE;
}

static GIOStream *
stream_for_fd (int fd)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = g_socket_new_from_fd (fd, &error);

  g_assert_no_error (error);
  return G_IO_STREAM (g_socket_connection_factory_create_connection (socket));
}

static void
connect_pair (Fixture *fixture)
{
  g_autofree char *guid = g_dbus_generate_guid ();
  g_autoptr(GIOStream) server_stream = NULL;
  g_autoptr(GIOStream) client_stream = NULL;
  Connecting server = { 0 };
  Connecting client = { 0 };
  int fds[2];

  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), ==, 0);
  server_stream = stream_for_fd (fds[0]);
  client_stream = stream_for_fd (fds[1]);
  g_dbus_connection_new (server_stream, guid, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_SERVER,
                         NULL, NULL, connected_cb, &server);
  g_dbus_connection_new (client_stream, NULL, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT,
                         NULL, NULL, connected_cb, &client);
  iterate_until (is_true, &server.done);
  iterate_until (is_true, &client.done);
  fixture->server = server.connection;
  fixture->client = client.connection;
}

/* Calls @method of the menu from the host's end and waits; the error, if any, in @error. */
static GVariant *
call_menu (Fixture             *fixture,
           const char          *method,
           GVariant            *parameters,
           const GVariantType  *reply_type,
           GError             **error)
{
  return host_call (fixture->client, NULL, MENU_PATH, MENU_INTERFACE, method, parameters,
                    reply_type, G_DBUS_CALL_FLAGS_NONE, 10000, error);
}

static void
layout_updated_cb (GDBusConnection *connection,
                   const char      *sender,
                   const char      *path,
                   const char      *interface,
                   const char      *signal,
                   GVariant        *parameters,
                   gpointer         user_data)
{
  Fixture *fixture = user_data;
  gint32 parent;

  g_variant_get (parameters, "(ui)", &fixture->last_revision, &parent);
  g_assert_cmpint (parent, ==, 0);
  fixture->layout_updates++;
}

/* The menu */

static void
activate_cb (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  Fixture *fixture = user_data;
  g_autofree char *key = NULL;
  guint n;

  key = g_strdup_printf ("%s%s%s", g_action_get_name (G_ACTION (action)),
                         parameter != NULL ? ":" : "",
                         parameter != NULL ? g_variant_get_string (parameter, NULL) : "");
  n = GPOINTER_TO_UINT (g_hash_table_lookup (fixture->activations, key));
  g_hash_table_insert (fixture->activations, g_steal_pointer (&key), GUINT_TO_POINTER (n + 1));
}

static guint
activations (Fixture    *fixture,
             const char *key)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (fixture->activations, key));
}

static gboolean
activated (gpointer data)
{
  Fixture *fixture = data;

  return g_hash_table_size (fixture->activations) > 0;
}

static gboolean
activated_count (gpointer data)
{
  Fixture *fixture = data;
  GHashTableIter iter;
  gpointer n;
  guint total = 0;

  g_hash_table_iter_init (&iter, fixture->activations);
  while (g_hash_table_iter_next (&iter, NULL, &n))
    total += GPOINTER_TO_UINT (n);
  return total >= fixture->expected_activations;
}

static gboolean
updated (gpointer data)
{
  Fixture *fixture = data;

  return fixture->layout_updates >= fixture->expected_updates;
}

static gboolean
about_to_show_cb (PosteDbusmenuExporter *exporter,
                  int                    id,
                  gpointer               user_data)
{
  /* The host's question for the whole menu: nothing to change. */
  g_assert_cmpint (id, ==, 0);
  *(guint *) user_data += 1;
  return FALSE;
}

/* [Open, Pause (checkmark)] [] [Fetch from a, Fetch from b (radio over "mode")]
 * [More > [Disabled]] */
static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  const GActionEntry entries[] = {
    { "open", activate_cb },
    { "fetch", activate_cb, "s" },
    { "pause", NULL, NULL, "false" },
    { "mode", activate_cb, "s", "'b'" },
    { "disabled", activate_cb },
  };
  g_autoptr(GMenu) first = g_menu_new ();
  g_autoptr(GMenu) third = g_menu_new ();
  g_autoptr(GMenu) more = g_menu_new ();
  g_autoptr(GMenu) fourth = g_menu_new ();
  g_autoptr(GMenuItem) item = NULL;
  g_autoptr(GError) error = NULL;

  fixture->activations = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  fixture->actions = g_simple_action_group_new ();
  g_action_map_add_action_entries (G_ACTION_MAP (fixture->actions), entries,
                                   G_N_ELEMENTS (entries), fixture);
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (fixture->actions),
                                                                            "disabled")),
                               FALSE);

  fixture->menu = g_menu_new ();
  g_menu_append (first, "_Open", "app.open");
  g_menu_append (first, "_Pause", "app.pause");
  g_menu_append_section (fixture->menu, NULL, G_MENU_MODEL (first));
  fixture->empty_section = g_menu_new ();
  g_menu_append_section (fixture->menu, NULL, G_MENU_MODEL (fixture->empty_section));
  g_menu_append (third, "Fetch from a", "app.fetch::a");
  item = g_menu_item_new ("Mode b", NULL);
  g_menu_item_set_action_and_target_value (item, "app.mode", g_variant_new_string ("b"));
  g_menu_append_item (third, item);
  g_menu_append_section (fixture->menu, NULL, G_MENU_MODEL (third));
  g_menu_append (more, "_Disabled", "app.disabled");
  g_menu_append_submenu (fourth, "_More", G_MENU_MODEL (more));
  g_menu_append_section (fixture->menu, NULL, G_MENU_MODEL (fourth));

  connect_pair (fixture);
  fixture->exporter = poste_dbusmenu_exporter_new (G_MENU_MODEL (fixture->menu));
  poste_dbusmenu_exporter_insert_action_group (fixture->exporter, "app",
                                               G_ACTION_GROUP (fixture->actions));
  g_assert_true (poste_dbusmenu_exporter_export (fixture->exporter, fixture->server, MENU_PATH,
                                                 &error));
  g_assert_no_error (error);
  fixture->subscription = g_dbus_connection_signal_subscribe (fixture->client, NULL,
                                                              MENU_INTERFACE, "LayoutUpdated",
                                                              MENU_PATH, NULL,
                                                              G_DBUS_SIGNAL_FLAGS_NONE,
                                                              layout_updated_cb, fixture, NULL);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_dbus_connection_signal_unsubscribe (fixture->client, fixture->subscription);
  g_assert_finalize_object (fixture->exporter);
  g_dbus_connection_close_sync (fixture->client, NULL, NULL);
  g_dbus_connection_close_sync (fixture->server, NULL, NULL);
  g_clear_object (&fixture->client);
  g_clear_object (&fixture->server);
  g_clear_object (&fixture->empty_section);
  g_clear_object (&fixture->menu);
  g_clear_object (&fixture->actions);
  g_clear_pointer (&fixture->activations, g_hash_table_unref);
}

/* The children of the root (or of @parent_id) as GetLayout gives them, and the revision. */
static GArray *
get_layout (Fixture *fixture,
            int      parent_id,
            guint32 *revision)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  gint32 id;
  GArray *items;

  reply = call_menu (fixture, "GetLayout", dbusmenu_reader_new_layout_parameters (parent_id),
                     DBUSMENU_LAYOUT_TYPE, &error);
  g_assert_no_error (error);
  items = dbusmenu_reader_read_layout (reply, revision, &id, NULL);
  g_assert_cmpint (id, ==, parent_id);
  return items;
}

static void
click (Fixture *fixture,
       int      id)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = call_menu (fixture, "Event",
                     g_variant_new ("(isvu)", id, "clicked", g_variant_new_int32 (0), 0),
                     G_VARIANT_TYPE ("()"), &error);
  g_assert_no_error (error);
}

/* Tests */

static void
test_layout (Fixture       *fixture,
             gconstpointer  data)
{
  const char *expected[] = { "_Open", "_Pause", NULL, "Fetch from a", "Mode b", NULL, "_More" };
  g_autoptr(GHashTable) ids = g_hash_table_new (NULL, NULL);
  g_autoptr(GArray) items = NULL;
  g_autoptr(GArray) submenu = NULL;
  guint32 revision;
  const DbusmenuItem *item;

  items = get_layout (fixture, 0, &revision);
  /* No host saw an earlier one. */
  g_assert_cmpuint (revision, ==, 1);
  /* The empty section shows no separator of its own. */
  g_assert_cmpuint (items->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < items->len; i++)
    {
      item = &g_array_index (items, DbusmenuItem, i);
      g_assert_cmpint (item->id, >, 0);
      g_assert_false (g_hash_table_contains (ids, GINT_TO_POINTER (item->id)));
      g_hash_table_add (ids, GINT_TO_POINTER (item->id));
      if (expected[i] == NULL)
        {
          g_assert_cmpstr (item->type, ==, "separator");
          g_assert_null (item->label);
          g_assert_false (item->has_enabled);
        }
      else
        {
          g_assert_cmpstr (item->label, ==, expected[i]);
          g_assert_true (item->has_enabled);
          g_assert_true (item->enabled);
        }
    }

  item = dbusmenu_reader_find_item (items, "_Pause");
  g_assert_cmpstr (item->toggle_type, ==, "checkmark");
  g_assert_cmpint (item->toggle_state, ==, 0);
  item = dbusmenu_reader_find_item (items, "Mode b");
  g_assert_cmpstr (item->toggle_type, ==, "radio");
  g_assert_cmpint (item->toggle_state, ==, 1);
  g_assert_null (dbusmenu_reader_find_item (items, "_Open")->toggle_type);
  g_assert_null (dbusmenu_reader_find_item (items, "Fetch from a")->toggle_type);

  /* The submenu: its items with the whole layout, and on their own. */
  item = dbusmenu_reader_find_item (items, "_More");
  g_assert_cmpuint (item->n_children, ==, 1);
  submenu = get_layout (fixture, item->id, &revision);
  g_assert_cmpuint (submenu->len, ==, 1);
  item = &g_array_index (submenu, DbusmenuItem, 0);
  g_assert_cmpstr (item->label, ==, "_Disabled");
  g_assert_true (item->has_enabled);
  g_assert_false (item->enabled);

  /* An id that is not there. */
  {
    g_autoptr(GVariant) reply = NULL;
    g_autoptr(GError) error = NULL;

    reply = call_menu (fixture, "GetLayout", dbusmenu_reader_new_layout_parameters (9999),
                       DBUSMENU_LAYOUT_TYPE, &error);
    g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
    g_assert_null (reply);
  }
}

static void
test_properties (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GArray) items = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) value = NULL;
  g_autoptr(GError) error = NULL;
  const char *names[] = { "label", NULL };
  const char *label = NULL;
  int ids[3];
  guint32 revision;
  GVariant *group;

  items = get_layout (fixture, 0, &revision);
  ids[0] = dbusmenu_reader_find_item (items, "_Open")->id;
  ids[1] = 9999;
  ids[2] = dbusmenu_reader_find_item (items, "_Pause")->id;

  /* GetGroupProperties: only the names asked for, nothing for an unknown id. */
  reply = call_menu (fixture, "GetGroupProperties",
                     g_variant_new ("(@ai^as)",
                                    g_variant_new_fixed_array (G_VARIANT_TYPE_INT32, ids, 3,
                                                               sizeof ids[0]),
                                    names),
                     G_VARIANT_TYPE ("(a(ia{sv}))"), &error);
  g_assert_no_error (error);
  group = g_variant_get_child_value (reply, 0);
  g_assert_cmpuint (g_variant_n_children (group), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GVariant) props = NULL;
      gint32 id;

      g_variant_get_child (group, i, "(i@a{sv})", &id, &props);
      g_assert_cmpint (id, ==, ids[i * 2]);
      g_assert_cmpuint (g_variant_n_children (props), ==, 1);
      g_assert_true (g_variant_lookup (props, "label", "&s", &label));
    }
  g_variant_unref (group);
  g_clear_pointer (&reply, g_variant_unref);

  /* GetProperty: one value; a property the item does not have is an error. */
  reply = call_menu (fixture, "GetProperty", g_variant_new ("(is)", ids[2], "toggle-type"),
                     G_VARIANT_TYPE ("(v)"), &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(v)", &value);
  g_assert_cmpstr (g_variant_get_string (value, NULL), ==, "checkmark");
  g_clear_pointer (&reply, g_variant_unref);
  reply = call_menu (fixture, "GetProperty", g_variant_new ("(is)", ids[0], "toggle-type"),
                     G_VARIANT_TYPE ("(v)"), &error);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
}

static void
test_event (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(GArray) items = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) state = NULL;
  g_autoptr(GError) error = NULL;
  guint32 revision;
  guint before;

  items = get_layout (fixture, 0, &revision);

  /* An action with its target, activated from the main loop after the reply. */
  click (fixture, dbusmenu_reader_find_item (items, "Fetch from a")->id);
  iterate_until (activated, fixture);
  g_assert_cmpuint (activations (fixture, "fetch:a"), ==, 1);
  g_assert_cmpuint (g_hash_table_size (fixture->activations), ==, 1);

  /* A checkmark flips its action's state at once, and the host hears of it. */
  before = fixture->layout_updates;
  click (fixture, dbusmenu_reader_find_item (items, "_Pause")->id);
  state = g_action_group_get_action_state (G_ACTION_GROUP (fixture->actions), "pause");
  g_assert_true (g_variant_get_boolean (state));
  fixture->expected_updates = before + 1;
  iterate_until (updated, fixture);
  g_clear_pointer (&items, g_array_unref);
  items = get_layout (fixture, 0, &revision);
  g_assert_cmpuint (revision, ==, fixture->last_revision);
  g_assert_cmpint (dbusmenu_reader_find_item (items, "_Pause")->toggle_state, ==, 1);

  /* Not a click, or a click on a disabled item: nothing happens, and no error. */
  reply = call_menu (fixture, "Event",
                     g_variant_new ("(isvu)", dbusmenu_reader_find_item (items, "_Open")->id,
                                    "hovered", g_variant_new_int32 (0), 0),
                     G_VARIANT_TYPE ("()"), &error);
  g_assert_no_error (error);
  g_clear_pointer (&reply, g_variant_unref);
  {
    g_autoptr(GArray) submenu = get_layout (fixture,
                                            dbusmenu_reader_find_item (items, "_More")->id,
                                            &revision);

    click (fixture, g_array_index (submenu, DbusmenuItem, 0).id);
  }
  /* The idles run in order: once Open is activated, the disabled item's has run too. */
  click (fixture, dbusmenu_reader_find_item (items, "_Open")->id);
  fixture->expected_activations = 2;
  iterate_until (activated_count, fixture);
  g_assert_cmpuint (activations (fixture, "open"), ==, 1);
  g_assert_cmpuint (activations (fixture, "disabled"), ==, 0);

  /* An id that is not there is an error; in a group, it is listed. */
  reply = call_menu (fixture, "Event",
                     g_variant_new ("(isvu)", 9999, "clicked", g_variant_new_int32 (0), 0),
                     G_VARIANT_TYPE ("()"), &error);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
  g_assert_null (reply);
  g_clear_error (&error);
  {
    GVariantBuilder events;
    g_autoptr(GVariant) errors = NULL;
    gint32 id;

    g_variant_builder_init (&events, G_VARIANT_TYPE ("a(isvu)"));
    g_variant_builder_add (&events, "(isvu)", 9999, "clicked", g_variant_new_int32 (0), 0);
    g_variant_builder_add (&events, "(isvu)",
                           dbusmenu_reader_find_item (items, "Fetch from a")->id, "clicked",
                           g_variant_new_int32 (0), 0);
    reply = call_menu (fixture, "EventGroup", g_variant_new ("(@a(isvu))",
                                                             g_variant_builder_end (&events)),
                       G_VARIANT_TYPE ("(ai)"), &error);
    g_assert_no_error (error);
    errors = g_variant_get_child_value (reply, 0);
    g_assert_cmpuint (g_variant_n_children (errors), ==, 1);
    g_variant_get_child (errors, 0, "i", &id);
    g_assert_cmpint (id, ==, 9999);
  }
  fixture->expected_activations = 3;
  iterate_until (activated_count, fixture);
  g_assert_cmpuint (activations (fixture, "fetch:a"), ==, 2);
}

/* The model changes: LayoutUpdated, and every item keeps its id. */
static void
test_layout_updated (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GArray) items = NULL;
  g_autoptr(GArray) after = NULL;
  guint32 revision;
  guint32 revision_after;
  guint before = fixture->layout_updates;

  items = get_layout (fixture, 0, &revision);
  g_menu_append (fixture->empty_section, "Fetch from c", "app.fetch::c");
  fixture->expected_updates = before + 1;
  iterate_until (updated, fixture);
  after = get_layout (fixture, 0, &revision_after);
  g_assert_cmpuint (revision_after, >, revision);
  g_assert_cmpuint (revision_after, ==, fixture->last_revision);

  /* A separator and the new item between the first section and the third. */
  g_assert_cmpuint (after->len, ==, items->len + 2);
  g_assert_cmpstr (g_array_index (after, DbusmenuItem, 2).type, ==, "separator");
  g_assert_cmpstr (g_array_index (after, DbusmenuItem, 3).label, ==, "Fetch from c");
  for (guint i = 0; i < items->len; i++)
    {
      const DbusmenuItem *item = &g_array_index (items, DbusmenuItem, i);

      if (item->label != NULL)
        g_assert_cmpint (dbusmenu_reader_find_item (after, item->label)->id, ==, item->id);
    }
  /* The separator that was there is still the one before the third section. */
  g_assert_cmpint (g_array_index (after, DbusmenuItem, 4).id, ==,
                   g_array_index (items, DbusmenuItem, 2).id);

  /* An action that is disabled: the layout again. */
  before = fixture->layout_updates;
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (fixture->actions),
                                                                            "open")),
                               FALSE);
  fixture->expected_updates = before + 1;
  iterate_until (updated, fixture);
  g_clear_pointer (&after, g_array_unref);
  after = get_layout (fixture, 0, &revision_after);
  g_assert_false (dbusmenu_reader_find_item (after, "_Open")->enabled);
}

static void
test_about_to_show (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  gboolean need_update = TRUE;
  guint asked = 0;

  g_signal_connect (fixture->exporter, "about-to-show", G_CALLBACK (about_to_show_cb), &asked);
  reply = call_menu (fixture, "AboutToShow", g_variant_new ("(i)", 0), G_VARIANT_TYPE ("(b)"),
                     &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(b)", &need_update);
  g_assert_false (need_update);
  g_assert_cmpuint (asked, ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  poste_test_init (&argc, &argv);

  g_test_add ("/dbusmenu-exporter/layout", Fixture, NULL, fixture_set_up, test_layout,
              fixture_tear_down);
  g_test_add ("/dbusmenu-exporter/properties", Fixture, NULL, fixture_set_up, test_properties,
              fixture_tear_down);
  g_test_add ("/dbusmenu-exporter/event", Fixture, NULL, fixture_set_up, test_event,
              fixture_tear_down);
  g_test_add ("/dbusmenu-exporter/layout-updated", Fixture, NULL, fixture_set_up,
              test_layout_updated, fixture_tear_down);
  g_test_add ("/dbusmenu-exporter/about-to-show", Fixture, NULL, fixture_set_up,
              test_about_to_show, fixture_tear_down);

  return g_test_run ();
}
