/* poste-outbox-view.c: the Outbox window: queued outgoing mail, its state, Send now and Remove
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One PosteOutboxRow per queued message: its recipients, its sender, where it stands (queued,
 * deferred until a time, failed) and the relay's last answer. "Send now" on a row
 * (outbox.send-now) makes that message due and activates app.send-now (every provider's due
 * messages leave through its relay); "Remove" (outbox.remove) takes it out of the list at once
 * and out of the queue for good once its Undo toast is gone. The list follows the queue folder
 * through a GFileMonitor, so messages queued by `poste-restante-cli send` or the listener appear
 * as they come.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "poste-accessible.h"
#include "poste-outbox-row.h"
#include "poste-outbox-view.h"

struct _PosteOutboxView
{
  AdwWindow        parent_instance;

  PosteOutbox     *outbox;
  GFileMonitor    *monitor;
  /* The configuration's providers, to tell which message has no way out. */
  GListModel      *providers;
  /* Ids removed by the user, still in the queue until their Undo toast goes. */
  GHashTable      *removing;
  guint            n_items;
  guint            refresh_id;

  /* Template children */
  AdwToastOverlay *toasts;
  GtkStack        *stack;
  GtkListBox      *list;
};

G_DEFINE_FINAL_TYPE (PosteOutboxView, poste_outbox_view, ADW_TYPE_WINDOW)

/* outbox.send-now::ID: makes the message due now, then has every provider's due mail leave. */
static void
send_now_activated (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  PosteOutboxView *self = POSTE_OUTBOX_VIEW (widget);
  g_autoptr(GError) error = NULL;

  if (!poste_outbox_retry_now (self->outbox, g_variant_get_string (parameter, NULL), &error))
    g_warning ("Outbox: %s", error->message);
  poste_outbox_view_refresh (self);
  gtk_widget_activate_action (widget, "app.send-now", NULL);
}

/* The removal happens when its toast goes without Undo (or the window closes). */
static void
remove_for_good (PosteOutboxView *self,
                 const char      *id)
{
  g_autoptr(GError) error = NULL;

  if (!g_hash_table_remove (self->removing, id))
    return;
  if (!poste_outbox_remove (self->outbox, id, &error) &&
      !g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    g_warning ("Outbox: %s", error->message);
}

/* Undo, when it was pressed, already took the message's id out of the removals: the action of
 * the toast's button runs before the toast is dismissed. A window being disposed dismisses its
 * toasts after its dispose () removed their messages. */
static void
remove_toast_dismissed_cb (AdwToast        *toast,
                           PosteOutboxView *self)
{
  GVariant *id = adw_toast_get_action_target_value (toast);

  if (self->removing == NULL)
    return;
  remove_for_good (self, g_variant_get_string (id, NULL));
  poste_outbox_view_refresh (self);
}

/* outbox.undo-remove::ID: the toast's Undo. */
static void
undo_remove_activated (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  PosteOutboxView *self = POSTE_OUTBOX_VIEW (widget);

  g_hash_table_remove (self->removing, g_variant_get_string (parameter, NULL));
  poste_outbox_view_refresh (self);
}

static PosteOutboxRow *
find_row (PosteOutboxView *self,
          const char      *id)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->list));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (POSTE_IS_OUTBOX_ROW (child) &&
        g_str_equal (poste_outbox_row_get_item (POSTE_OUTBOX_ROW (child))->id, id))
      return POSTE_OUTBOX_ROW (child);
  return NULL;
}

/* outbox.remove::ID: gone from the list at once; out of the queue once Undo is no longer
 * offered. */
static void
remove_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  PosteOutboxView *self = POSTE_OUTBOX_VIEW (widget);
  const char *id = g_variant_get_string (parameter, NULL);
  PosteOutboxRow *row = find_row (self, id);
  g_autofree char *title = NULL;
  g_autofree char *escaped = NULL;
  AdwToast *toast;

  if (row == NULL)
    return;

  /* Translators: %s lists the recipients of a message removed from the outbox */
  title = g_strdup_printf (_("Message to %s removed"), poste_outbox_row_get_recipients (row));
  escaped = g_markup_escape_text (title, -1);
  g_hash_table_add (self->removing, g_strdup (id));
  poste_outbox_view_refresh (self);

  toast = adw_toast_new (escaped);
  adw_toast_set_button_label (toast, _("_Undo"));
  adw_toast_set_action_name (toast, "outbox.undo-remove");
  adw_toast_set_action_target_value (toast, g_variant_new_string (id));
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  g_signal_connect_object (toast, "dismissed", G_CALLBACK (remove_toast_dismissed_cb), self, 0);
  adw_toast_overlay_add_toast (self->toasts, toast);
}

/**
 * poste_outbox_view_refresh:
 * @self: a #PosteOutboxView
 *
 * Reads the queue again and rebuilds the list.
 */
void
poste_outbox_view_refresh (PosteOutboxView *self)
{
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *child;

  g_return_if_fail (POSTE_IS_OUTBOX_VIEW (self));

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);
  items = poste_outbox_list (self->outbox, &error);
  if (items == NULL)
    g_warning ("Outbox: %s", error->message);
  self->n_items = 0;
  for (guint i = 0; items != NULL && i < items->len; i++)
    {
      const PosteOutboxItem *item = items->pdata[i];

      if (g_hash_table_contains (self->removing, item->id))
        continue;
      gtk_list_box_append (self->list, poste_outbox_row_new (item, self->providers));
      self->n_items++;
    }
  gtk_stack_set_visible_child_name (self->stack, self->n_items > 0 ? "list" : "empty");
}

static void
providers_changed_cb (GListModel      *providers,
                      guint            position,
                      guint            removed,
                      guint            added,
                      PosteOutboxView *self)
{
  poste_outbox_view_refresh (self);
}

/**
 * poste_outbox_view_set_providers:
 * @self: a #PosteOutboxView
 * @providers: (nullable): the configuration's providers, a #GListModel of #PosteProvider
 *
 * Lets the rows say which messages cannot leave: a sender whose domain is no provider's, or
 * a provider with no submission server (RFC 6409), each with the button that fixes it
 * (app.add-provider, app.edit-provider::NAME). The list follows @providers' changes.
 */
void
poste_outbox_view_set_providers (PosteOutboxView *self,
                                 GListModel      *providers)
{
  g_return_if_fail (POSTE_IS_OUTBOX_VIEW (self));
  g_return_if_fail (providers == NULL || G_IS_LIST_MODEL (providers));

  if (self->providers != NULL)
    g_signal_handlers_disconnect_by_data (self->providers, self);
  g_set_object (&self->providers, providers);
  if (providers != NULL)
    g_signal_connect (providers, "items-changed", G_CALLBACK (providers_changed_cb), self);
  poste_outbox_view_refresh (self);
}

/**
 * poste_outbox_view_get_n_items:
 * @self: a #PosteOutboxView
 *
 * Returns: how many messages the list shows
 */
guint
poste_outbox_view_get_n_items (PosteOutboxView *self)
{
  g_return_val_if_fail (POSTE_IS_OUTBOX_VIEW (self), 0);
  return self->n_items;
}

static gboolean
refresh_idle_cb (gpointer data)
{
  PosteOutboxView *self = data;

  self->refresh_id = 0;
  poste_outbox_view_refresh (self);
  return G_SOURCE_REMOVE;
}

/* A message is two files and a rename: refresh once the burst of events is over. */
static void
queue_changed_cb (GFileMonitor      *monitor,
                  GFile             *file,
                  GFile             *other,
                  GFileMonitorEvent  event,
                  PosteOutboxView   *self)
{
  if (self->refresh_id == 0)
    self->refresh_id = g_timeout_add (200, refresh_idle_cb, self);
}

static void
poste_outbox_view_dispose (GObject *object)
{
  PosteOutboxView *self = POSTE_OUTBOX_VIEW (object);

  g_clear_handle_id (&self->refresh_id, g_source_remove);
  /* Closing the window is not an Undo. */
  if (self->removing != NULL && self->outbox != NULL)
    {
      g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
      GHashTableIter iter;
      gpointer key;

      g_hash_table_iter_init (&iter, self->removing);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        g_ptr_array_add (ids, g_strdup (key));
      for (guint i = 0; i < ids->len; i++)
        remove_for_good (self, ids->pdata[i]);
    }
  g_clear_pointer (&self->removing, g_hash_table_unref);
  if (self->monitor != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->monitor, self);
      g_file_monitor_cancel (self->monitor);
      g_clear_object (&self->monitor);
    }
  g_clear_object (&self->outbox);
  if (self->providers != NULL)
    g_signal_handlers_disconnect_by_data (self->providers, self);
  g_clear_object (&self->providers);
  G_OBJECT_CLASS (poste_outbox_view_parent_class)->dispose (object);
}

static void
poste_outbox_view_class_init (PosteOutboxViewClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = poste_outbox_view_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/posterestante/PosteRestante/ui/poste-outbox-view.ui");
  gtk_widget_class_bind_template_child (widget_class, PosteOutboxView, toasts);
  gtk_widget_class_bind_template_child (widget_class, PosteOutboxView, stack);
  gtk_widget_class_bind_template_child (widget_class, PosteOutboxView, list);

  gtk_widget_class_install_action (widget_class, "outbox.send-now", "s", send_now_activated);
  gtk_widget_class_install_action (widget_class, "outbox.remove", "s", remove_activated);
  gtk_widget_class_install_action (widget_class, "outbox.undo-remove", "s", undo_remove_activated);

  /* A window of its own, but a passing one: Escape closes it, as it does dialogs. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
poste_outbox_view_init (PosteOutboxView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->removing = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  poste_accessible_fix (GTK_WIDGET (self));
}

/**
 * poste_outbox_view_new:
 * @outbox: the outbox to show
 *
 * Returns: (transfer full): a new Outbox window, already showing the queue
 */
PosteOutboxView *
poste_outbox_view_new (PosteOutbox *outbox)
{
  PosteOutboxView *self;
  g_autofree char *queue = NULL;
  g_autoptr(GFile) folder = NULL;

  g_return_val_if_fail (POSTE_IS_OUTBOX (outbox), NULL);

  self = g_object_new (POSTE_TYPE_OUTBOX_VIEW, NULL);
  self->outbox = g_object_ref (outbox);
  queue = g_build_filename (poste_outbox_get_path (outbox), "queue", NULL);
  g_mkdir_with_parents (queue, 0700);
  folder = g_file_new_for_path (queue);
  self->monitor = g_file_monitor_directory (folder, G_FILE_MONITOR_NONE, NULL, NULL);
  if (self->monitor != NULL)
    g_signal_connect (self->monitor, "changed", G_CALLBACK (queue_changed_cb), self);
  poste_outbox_view_refresh (self);
  return self;
}
