/* poste-outbox-view.c: the Outbox window: queued outgoing mail, its state, Send now and Remove
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One row per queued message: its recipients, its sender, where it stands (queued, deferred until
 * a time, failed) and the relay's last answer. "Send now" on a row makes that message due and
 * activates app.send-now (every provider's due messages leave through its relay); "Remove" takes
 * it out of the queue for good. The list follows the queue folder through a GFileMonitor, so
 * messages queued by `poste-restante-cli send` or the listener appear as they come.
 */
#include "config.h"

#include <glib/gi18n.h>

#include <poste-outbox-submit.h>
#include <poste-provider.h>

#include "poste-accessible.h"
#include "poste-outbox-view.h"

struct _PosteOutboxView
{
  AdwWindow     parent_instance;

  PosteOutbox  *outbox;
  GFileMonitor *monitor;
  GtkStack     *stack;
  GtkListBox   *list;
  AdwToastOverlay *toasts;
  /* The configuration's providers, to tell which message has no way out. */
  GListModel   *providers;
  /* Ids removed by the user, still in the queue until their Undo toast goes. */
  GHashTable   *removing;
  guint         n_items;
  guint         refresh_id;
};

G_DEFINE_FINAL_TYPE (PosteOutboxView, poste_outbox_view, ADW_TYPE_WINDOW)

static char *
describe_state (const PosteOutboxItem *item)
{
  switch (item->state)
    {
    case POSTE_OUTBOX_STATE_DEFERRED:
      {
        g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (item->next_attempt);
        g_autofree char *time = g_date_time_format (when, "%x %X");

        /* Translators: %u is a count of attempts, %s a date and time */
        return g_strdup_printf (ngettext ("Deferred after %u attempt, next at %s",
                                          "Deferred after %u attempts, next at %s",
                                          item->attempts), item->attempts, time);
      }
    case POSTE_OUTBOX_STATE_FAILED:
      return g_strdup (_("Failed: refused by the provider, and the bounce could not be "
                         "delivered"));
    case POSTE_OUTBOX_STATE_QUEUED:
    default:
      return g_strdup (_("Waiting for the next connection"));
    }
}

/* The provider that submits @item's mail: the one whose domains hold its sender. */
static PosteProvider *
find_provider (PosteOutboxView       *self,
               const PosteOutboxItem *item)
{
  if (self->providers == NULL)
    return NULL;
  for (guint i = 0; i < g_list_model_get_n_items (self->providers); i++)
    {
      g_autoptr(PosteProvider) provider = g_list_model_get_item (self->providers, i);

      if (poste_outbox_sender_belongs (provider, item->sender))
        return provider;
    }
  return NULL;
}

static void
send_now_clicked_cb (GtkButton       *button,
                     PosteOutboxView *self)
{
  const char *id = g_object_get_data (G_OBJECT (button), "outbox-id");
  g_autoptr(GError) error = NULL;

  if (!poste_outbox_retry_now (self->outbox, id, &error))
    g_warning ("Outbox: %s", error->message);
  poste_outbox_view_refresh (self);
  gtk_widget_activate_action (GTK_WIDGET (self), "app.send-now", NULL);
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

static void
remove_toast_dismissed_cb (AdwToast        *toast,
                           PosteOutboxView *self)
{
  const char *id = g_object_get_data (G_OBJECT (toast), "outbox-id");

  if (g_object_get_data (G_OBJECT (toast), "outbox-undone") == NULL)
    remove_for_good (self, id);
  poste_outbox_view_refresh (self);
}

static void
remove_toast_undo_cb (AdwToast        *toast,
                      PosteOutboxView *self)
{
  const char *id = g_object_get_data (G_OBJECT (toast), "outbox-id");

  g_object_set_data (G_OBJECT (toast), "outbox-undone", GINT_TO_POINTER (TRUE));
  g_hash_table_remove (self->removing, id);
  poste_outbox_view_refresh (self);
}

static void
remove_clicked_cb (GtkButton       *button,
                   PosteOutboxView *self)
{
  const char *id = g_object_get_data (G_OBJECT (button), "outbox-id");
  const char *recipients = g_object_get_data (G_OBJECT (button), "outbox-recipients");
  g_autofree char *title = NULL;
  g_autofree char *escaped = NULL;
  AdwToast *toast;

  /* Gone from the list at once; out of the queue once Undo is no longer offered. */
  g_hash_table_add (self->removing, g_strdup (id));
  poste_outbox_view_refresh (self);

  /* Translators: %s lists the recipients of a message removed from the outbox */
  title = g_strdup_printf (_("Message to %s removed"), recipients);
  escaped = g_markup_escape_text (title, -1);
  toast = adw_toast_new (escaped);
  adw_toast_set_button_label (toast, _("_Undo"));
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  g_object_set_data_full (G_OBJECT (toast), "outbox-id", g_strdup (id), g_free);
  g_signal_connect_object (toast, "button-clicked", G_CALLBACK (remove_toast_undo_cb), self, 0);
  g_signal_connect_object (toast, "dismissed", G_CALLBACK (remove_toast_dismissed_cb), self, 0);
  adw_toast_overlay_add_toast (self->toasts, toast);
}

static GtkWidget *
make_row (PosteOutboxView       *self,
          const PosteOutboxItem *item)
{
  g_autofree char *recipients = g_strjoinv (", ", item->recipients);
  g_autofree char *state = describe_state (item);
  g_autofree char *size = g_format_size (item->size);
  g_autoptr(GString) subtitle = g_string_new (NULL);
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *send = gtk_button_new_from_icon_name ("mail-send-symbolic");
  GtkWidget *remove = gtk_button_new_from_icon_name ("user-trash-symbolic");
  g_autofree char *markup_recipients = g_markup_escape_text (recipients, -1);

  /* Translators: %s is a mail address */
  g_string_append_printf (subtitle, _("From %s"), *item->sender != '\0' ? item->sender : "<>");
  g_string_append_printf (subtitle, " · %s · %s", size, state);
  /* A message no provider will ever submit says so, with the way to fix it, rather than
   * waiting for a connection that will not take it. */
  if (self->providers != NULL)
    {
      PosteProvider *provider = find_provider (self, item);
      GtkWidget *fix = NULL;

      if (provider == NULL)
        {
          g_string_append_c (subtitle, '\n');
          g_string_append (subtitle, _("Cannot leave: no provider has the sender’s domain"));
          fix = gtk_button_new_with_mnemonic (_("_Add Provider"));
          gtk_actionable_set_action_name (GTK_ACTIONABLE (fix), "app.add-provider");
        }
      else if (poste_provider_get_submission (provider) == NULL)
        {
          g_string_append_c (subtitle, '\n');
          /* Translators: %s is a provider's name */
          g_string_append_printf (subtitle, _("Cannot leave: %s has no submission server"),
                                  poste_provider_get_display_name (provider));
          fix = gtk_button_new_with_mnemonic (_("Set _Submission Server"));
          gtk_actionable_set_action_name (GTK_ACTIONABLE (fix), "app.edit-provider");
          gtk_actionable_set_action_target (GTK_ACTIONABLE (fix), "s", poste_provider_get_name (provider));
        }
      if (fix != NULL)
        {
          gtk_widget_set_valign (fix, GTK_ALIGN_CENTER);
          gtk_widget_set_sensitive (send, FALSE);
          adw_action_row_add_suffix (ADW_ACTION_ROW (row), fix);
        }
    }
  if (item->last_error != NULL)
    g_string_append_printf (subtitle, "\n%s", item->last_error);
  {
    g_autofree char *escaped = g_markup_escape_text (subtitle->str, -1);

    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), markup_recipients);
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), escaped);
  }
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 3);

  gtk_widget_set_tooltip_text (send, _("Send Now"));
  {
    /* Translators: the accessible name of a queued message's Send Now button; %s lists its
     * recipients */
    g_autofree char *name = g_strdup_printf (_("Send the message to %s now"), recipients);

    poste_accessible_name_button (GTK_BUTTON (send), name);
  }
  gtk_widget_set_valign (send, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (send, "flat");
  gtk_widget_set_sensitive (send, item->state != POSTE_OUTBOX_STATE_QUEUED);
  g_object_set_data_full (G_OBJECT (send), "outbox-id", g_strdup (item->id), g_free);
  g_signal_connect (send, "clicked", G_CALLBACK (send_now_clicked_cb), self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), send);

  gtk_widget_set_tooltip_text (remove, _("Remove"));
  {
    /* Translators: the accessible name of a queued message's Remove button; %s lists its
     * recipients */
    g_autofree char *name = g_strdup_printf (_("Remove the message to %s"), recipients);

    poste_accessible_name_button (GTK_BUTTON (remove), name);
  }
  gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (remove, "flat");
  g_object_set_data_full (G_OBJECT (remove), "outbox-id", g_strdup (item->id), g_free);
  g_object_set_data_full (G_OBJECT (remove), "outbox-recipients", g_strdup (recipients), g_free);
  g_signal_connect (remove, "clicked", G_CALLBACK (remove_clicked_cb), self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), remove);
  poste_accessible_fix (row);
  return row;
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
      gtk_list_box_append (self->list, make_row (self, item));
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
  G_OBJECT_CLASS (klass)->dispose = poste_outbox_view_dispose;
  /* A window of its own, but a passing one: Escape closes it, as it does dialogs. */
  gtk_widget_class_add_binding_action (GTK_WIDGET_CLASS (klass), GDK_KEY_Escape, 0,
                                       "window.close", NULL);
}

static void
poste_outbox_view_init (PosteOutboxView *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *send_all = gtk_button_new_with_mnemonic (_("_Send Now"));
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *clamp = adw_clamp_new ();
  GtkWidget *empty = adw_status_page_new ();

  gtk_window_set_title (GTK_WINDOW (self), _("Outbox"));
  gtk_window_set_default_size (GTK_WINDOW (self), 560, 420);

  gtk_actionable_set_action_name (GTK_ACTIONABLE (send_all), "app.send-now");
  gtk_widget_set_tooltip_text (send_all, _("Hand the queued messages to each provider's relay"));
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), send_all);
  gtk_box_append (GTK_BOX (box), header);

  self->list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->list, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->list), "boxed-list");
  gtk_widget_set_margin_top (GTK_WIDGET (self->list), 12);
  gtk_widget_set_margin_bottom (GTK_WIDGET (self->list), 12);
  gtk_widget_set_margin_start (GTK_WIDGET (self->list), 12);
  gtk_widget_set_margin_end (GTK_WIDGET (self->list), 12);
  gtk_widget_set_valign (GTK_WIDGET (self->list), GTK_ALIGN_START);
  adw_clamp_set_child (ADW_CLAMP (clamp), GTK_WIDGET (self->list));
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), clamp);

  adw_status_page_set_icon_name (ADW_STATUS_PAGE (empty), "mail-send-symbolic");
  adw_status_page_set_title (ADW_STATUS_PAGE (empty), _("The Outbox Is Empty"));
  adw_status_page_set_description (ADW_STATUS_PAGE (empty),
                                   _("Mail queued with “poste-restante-cli send” or through the "
                                     "outbox listener waits here for the next connection."));

  self->stack = GTK_STACK (gtk_stack_new ());
  gtk_widget_set_vexpand (GTK_WIDGET (self->stack), TRUE);
  gtk_stack_add_named (self->stack, scrolled, "list");
  gtk_stack_add_named (self->stack, empty, "empty");
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->stack));
  self->toasts = ADW_TOAST_OVERLAY (adw_toast_overlay_new ());
  adw_toast_overlay_set_child (self->toasts, box);
  adw_window_set_content (ADW_WINDOW (self), GTK_WIDGET (self->toasts));
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
