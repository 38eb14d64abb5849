/* test-outbox-view.c: the Outbox window over a real queue: rows, state, Remove, new messages
 * appearing as they are queued
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "poste-outbox.h"
#include "poste-provider.h"
#include "poste-outbox-row.h"
#include "poste-outbox-view.h"
#include "poste-test.h"
#include "../ui/poste-ui-test.h"

static PosteOutboxView *view;

static char *
queue (PosteOutbox *outbox,
       const char  *recipient)
{
  const char *rcpts[] = { recipient, NULL };
  g_autoptr(GBytes) head = g_bytes_new_static ("Subject: x\n\nx\n", 14);
  g_autoptr(GError) error = NULL;
  char *id = poste_outbox_enqueue (outbox, "alice@example.org", rcpts, head, NULL, NULL, &error);

  g_assert_no_error (error);
  return id;
}

static gboolean
has_three (gpointer data)
{
  return poste_outbox_view_get_n_items (view) == 3;
}

static GtkWidget *
find_button (const char *tooltip)
{
  g_autoptr(GPtrArray) buttons = poste_ui_test_find_descendants (GTK_WIDGET (view),
                                                                 GTK_TYPE_BUTTON);

  for (guint i = 0; i < buttons->len; i++)
    if (g_strcmp0 (gtk_widget_get_tooltip_text (buttons->pdata[i]), tooltip) == 0)
      return buttons->pdata[i];
  return NULL;
}

static GtkWidget *
find_action_button (const char *action)
{
  g_autoptr(GPtrArray) buttons = poste_ui_test_find_descendants (GTK_WIDGET (view), GTK_TYPE_BUTTON);

  for (guint i = 0; i < buttons->len; i++)
    if (g_strcmp0 (gtk_actionable_get_action_name (buttons->pdata[i]), action) == 0)
      return buttons->pdata[i];
  return NULL;
}

/* The button of the row showing the message @id that activates @action. */
static GtkWidget *
find_message_button (const char *action,
                     const char *id)
{
  g_autoptr(GPtrArray) rows = poste_ui_test_find_descendants (GTK_WIDGET (view), POSTE_TYPE_OUTBOX_ROW);

  for (guint i = 0; i < rows->len; i++)
    {
      g_autoptr(GPtrArray) buttons = NULL;

      if (!g_str_equal (poste_outbox_row_get_item (rows->pdata[i])->id, id))
        continue;
      buttons = poste_ui_test_find_descendants (rows->pdata[i], GTK_TYPE_BUTTON);
      for (guint j = 0; j < buttons->len; j++)
        if (g_strcmp0 (gtk_actionable_get_action_name (buttons->pdata[j]), action) == 0)
          return buttons->pdata[j];
    }
  g_error ("no %s button for %s", action, id);
  return NULL;
}

static void
defer (PosteOutbox *outbox,
       const char  *id)
{
  g_autoptr(PosteOutboxItem) item = poste_outbox_lookup (outbox, id, NULL);

  item->state = POSTE_OUTBOX_STATE_DEFERRED;
  item->attempts = 1;
  item->next_attempt = g_get_real_time () / G_USEC_PER_SEC + 300;
  item->last_error = g_strdup ("451 4.3.0 Try <later>");
  g_assert_true (poste_outbox_update (outbox, item, NULL));
}

/* The button of the toast on show: its Undo (@icon NULL) or its close button. */
static GtkWidget *
find_toast_button (const char *icon)
{
  g_autoptr(GPtrArray) buttons = poste_ui_test_find_descendants (GTK_WIDGET (view), GTK_TYPE_BUTTON);

  for (guint i = 0; i < buttons->len; i++)
    {
      GtkWidget *button = buttons->pdata[i];
      GtkWidget *toast = gtk_widget_get_parent (button);

      while (toast != NULL && !g_str_equal (gtk_widget_get_css_name (toast), "toast"))
        toast = gtk_widget_get_parent (toast);
      if (toast == NULL || !gtk_widget_get_mapped (button))
        continue;
      if (icon != NULL ? g_strcmp0 (gtk_button_get_icon_name (GTK_BUTTON (button)), icon) == 0
                       : g_strcmp0 (gtk_button_get_label (GTK_BUTTON (button)), "_Undo") == 0)
        return button;
    }

  g_error ("no toast button %s", icon != NULL ? icon : "Undo");
  return NULL;
}

static gboolean
toast_gone (gpointer data)
{
  g_autoptr(GPtrArray) widgets = poste_ui_test_find_descendants (GTK_WIDGET (view), GTK_TYPE_WIDGET);

  for (guint i = 0; i < widgets->len; i++)
    if (g_str_equal (gtk_widget_get_css_name (widgets->pdata[i]), "toast"))
      return FALSE;
  return TRUE;
}

/* Whether a shortcut of @widget's turns Escape into window.close. */
static gboolean
closes_on_escape (GtkWidget *widget)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);
  g_autoptr(GtkShortcutTrigger) escape = gtk_keyval_trigger_new (GDK_KEY_Escape, 0);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;
      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);
          GtkShortcutAction *action = gtk_shortcut_get_action (shortcut);

          if (gtk_shortcut_trigger_equal (gtk_shortcut_get_trigger (shortcut), escape) &&
              GTK_IS_NAMED_ACTION (action) &&
              g_str_equal (gtk_named_action_get_action_name (GTK_NAMED_ACTION (action)), "window.close"))
            return TRUE;
        }
    }

  return FALSE;
}

static void
test_view (void)
{
  g_autofree char *dir = poste_test_make_dir ("outbox-view");
  g_autoptr(PosteOutbox) outbox = poste_outbox_new (dir);
  g_autofree char *id1 = queue (outbox, "bob@remote.example");
  g_autofree char *id2 = queue (outbox, "carol@remote.example");
  g_autofree char *id3 = NULL;
  g_autofree char *id4 = NULL;
  g_autoptr(PosteOutboxItem) item = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GPtrArray) items = NULL;
  gboolean found_error = FALSE;

  defer (outbox, id2);

  view = poste_outbox_view_new (outbox);
  gtk_window_present (GTK_WINDOW (view));
  g_assert_cmpuint (poste_outbox_view_get_n_items (view), ==, 2);
  rows = poste_ui_test_find_descendants (GTK_WIDGET (view), ADW_TYPE_ACTION_ROW);
  g_assert_cmpuint (rows->len, ==, 2);
  for (guint i = 0; i < rows->len; i++)
    found_error |= strstr (adw_action_row_get_subtitle (rows->pdata[i]),
                           "451 4.3.0 Try") != NULL;
  g_assert_true (found_error);

  /* Send Now is for a deferred message, which it makes due (a queued one leaves at the next
   * connection anyway). */
  g_assert_false (gtk_widget_is_sensitive (find_message_button ("row.send-now", id1)));
  g_assert_true (gtk_widget_is_sensitive (find_message_button ("row.send-now", id2)));
  g_signal_emit_by_name (find_message_button ("row.send-now", id2), "clicked");
  item = poste_outbox_lookup (outbox, id2, NULL);
  g_assert_cmpint (item->state, ==, POSTE_OUTBOX_STATE_QUEUED);
  g_assert_cmpint (item->next_attempt, ==, 0);
  g_assert_false (gtk_widget_is_sensitive (find_message_button ("row.send-now", id2)));

  /* Remove takes the row away at once, and offers Undo: the message stays queued meanwhile. */
  g_signal_emit_by_name (find_button ("Remove"), "clicked");
  g_assert_cmpuint (poste_outbox_view_get_n_items (view), ==, 1);
  items = poste_outbox_list (outbox, NULL);
  g_assert_cmpuint (items->len, ==, 2);
  g_clear_pointer (&items, g_ptr_array_unref);
  poste_ui_test_wait_for_drawn (GTK_WINDOW (view));
  gtk_widget_activate (find_toast_button (NULL));
  poste_ui_test_iterate_until (toast_gone, NULL);
  g_assert_cmpuint (poste_outbox_view_get_n_items (view), ==, 2);
  items = poste_outbox_list (outbox, NULL);
  g_assert_cmpuint (items->len, ==, 2);
  g_clear_pointer (&items, g_ptr_array_unref);

  /* Without Undo (the toast closed), it leaves the queue. */
  g_signal_emit_by_name (find_button ("Remove"), "clicked");
  poste_ui_test_wait_for_drawn (GTK_WINDOW (view));
  gtk_widget_activate (find_toast_button ("window-close-symbolic"));
  poste_ui_test_iterate_until (toast_gone, NULL);
  g_assert_cmpuint (poste_outbox_view_get_n_items (view), ==, 1);
  items = poste_outbox_list (outbox, NULL);
  g_assert_cmpuint (items->len, ==, 1);

  /* Escape closes the window. */
  g_assert_true (closes_on_escape (GTK_WIDGET (view)));

  /* Messages queued elsewhere appear. */
  id3 = queue (outbox, "dave@remote.example");
  id4 = queue (outbox, "erin@remote.example");
  poste_ui_test_iterate_until (has_three, NULL);
  g_assert_cmpuint (poste_outbox_view_get_n_items (view), ==, 3);

  /* A message its provider cannot submit (no submission server) says so, with the way to set
   * one; once set, the row says nothing more. */
  {
    g_autoptr(GListStore) providers = g_list_store_new (POSTE_TYPE_PROVIDER);
    g_autoptr(PosteProvider) acme = poste_provider_new ("acme");
    const char *domains[] = { "example.org", NULL };
    GtkWidget *fix;

    poste_provider_set_domains (acme, domains);
    poste_provider_set_label (acme, "Acme Mail");
    g_list_store_append (providers, acme);
    defer (outbox, id3);
    poste_outbox_view_set_providers (view, G_LIST_MODEL (providers));
    g_clear_pointer (&rows, g_ptr_array_unref);
    rows = poste_ui_test_find_descendants (GTK_WIDGET (view), ADW_TYPE_ACTION_ROW);
    g_assert_cmpuint (rows->len, ==, 3);
    g_assert_nonnull (strstr (adw_action_row_get_subtitle (rows->pdata[0]),
                              "Cannot leave: Acme Mail has no submission server"));
    fix = find_action_button ("app.edit-provider");
    g_assert_nonnull (fix);
    g_assert_cmpstr (g_variant_get_string (gtk_actionable_get_action_target_value (GTK_ACTIONABLE (fix)), NULL),
                     ==, "acme");
    /* Sending now could not help a message that cannot leave, deferred or not. */
    g_assert_false (gtk_widget_is_sensitive (find_message_button ("row.send-now", id3)));

    poste_provider_set_submission (acme, "smtp.example.org:587");
    poste_outbox_view_refresh (view);
    g_assert_null (find_action_button ("app.edit-provider"));
    g_assert_true (gtk_widget_is_sensitive (find_message_button ("row.send-now", id3)));

    /* No provider for the sender's domain at all. */
    g_list_store_remove_all (providers);
    g_clear_pointer (&rows, g_ptr_array_unref);
    rows = poste_ui_test_find_descendants (GTK_WIDGET (view), ADW_TYPE_ACTION_ROW);
    g_assert_nonnull (strstr (adw_action_row_get_subtitle (rows->pdata[0]),
                              "Cannot leave: no provider has the sender’s domain"));
    g_assert_nonnull (find_action_button ("app.add-provider"));
  }

  /* Closing the window while Undo is still offered is not an Undo: the message leaves the
   * queue; nothing keeps the window alive. */
  g_signal_emit_by_name (find_message_button ("row.remove", id4), "clicked");
  g_clear_pointer (&items, g_ptr_array_unref);
  items = poste_outbox_list (outbox, NULL);
  g_assert_cmpuint (items->len, ==, 3);
  poste_ui_test_destroy_and_finalize (GTK_WINDOW (view));
  g_clear_pointer (&items, g_ptr_array_unref);
  items = poste_outbox_list (outbox, NULL);
  g_assert_cmpuint (items->len, ==, 2);
  g_assert_null (poste_outbox_lookup (outbox, id4, NULL));
}

int
main (int   argc,
      char *argv[])
{
  poste_ui_test_init (&argc, &argv, "test-outbox-view");
  gtk_init ();
  adw_init ();

  g_test_add_func ("/outbox/view", test_view);
  return g_test_run ();
}
