/* poste-window.c: the main window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Two views in an AdwViewStack: the providers (each with its state, last result and next
 * fetch, above them the sessions running now with their live progress) and the history (every
 * session with its transcript). The window only observes: the application's scheduler, its
 * session-started and session-finished signals, and the history. Each row is a widget of its
 * own (poste-provider-row.c, poste-session-row.c, poste-history-row.c) that the window tells
 * what to show; the words they share are in poste-window-format.c.
 */
#include "config.h"

#include <glib/gi18n.h>

#include <poste-error.h>
#include <poste-history.h>
#include <poste-scheduler.h>
#include <poste-session.h>

#include "poste-accessible.h"
#include "poste-application.h"
#include "poste-config.h"
#include "poste-history-row.h"
#include "poste-provider.h"
#include "poste-provider-row.h"
#include "poste-session-row.h"
#include "poste-tray.h"
#include "poste-trust-dialog.h"
#include "poste-window.h"
#include "poste-window-format.h"

/* How many sessions the history view lists. */
#define HISTORY_LIMIT 100

struct _PosteWindow
{
  AdwApplicationWindow  parent_instance;

  PosteApplication     *application;

  /* The configuration's provider list, while shown. */
  GListModel           *providers;

  /* Provider name -> the PosteSessionRow of its running session. */
  GHashTable           *session_rows;

  /* The certificate of the last session refused for it, for win.review-certificate. */
  GTlsCertificate      *untrusted_certificate;

  /* Template children */
  AdwToastOverlay      *toast_overlay;
  AdwHeaderBar         *header_bar;
  AdwViewSwitcherTitle *switcher_title;
  GtkMenuButton        *primary_menu_button;
  GtkButton            *fetch_all_button;
  GtkStack             *stack;
  AdwStatusPage        *empty_page;
  GtkButton            *add_provider_button;
  AdwViewStack         *view_stack;
  AdwPreferencesGroup  *sessions_group;
  GtkListBox           *session_list;
  GtkListBox           *provider_list;
  GtkStack             *history_stack;
  GtkListBox           *history_list;
  AdwStatusPage        *error_page;
};

G_DEFINE_FINAL_TYPE (PosteWindow, poste_window, ADW_TYPE_APPLICATION_WINDOW)

/* Provider rows */

static char *
describe_schedule (PosteWindow *self,
                   const char  *name)
{
  PosteScheduler *scheduler = poste_application_get_scheduler (self->application);
  g_autoptr(GDateTime) next = NULL;
  g_autofree char *when = NULL;

  if (scheduler == NULL || !poste_scheduler_has_provider (scheduler, name))
    return g_strdup ("");

  next = poste_scheduler_get_next_fetch (scheduler, name);
  when = _poste_window_format_when (next);

  switch (poste_scheduler_get_state (scheduler, name))
    {
    case POSTE_SCHEDULE_STATE_ON_DEMAND:
      return g_strdup (_("On demand"));
    case POSTE_SCHEDULE_STATE_WAITING:
      /* Translators: %s is a time, 14:05 */
      return next != NULL ? g_strdup_printf (_("Next at %s"), when) : g_strdup (_("Waiting"));
    case POSTE_SCHEDULE_STATE_FETCHING:
      return g_strdup (_("Fetching…"));
    case POSTE_SCHEDULE_STATE_RETRYING:
      /* Translators: %s is a time, 14:05 */
      return next != NULL ? g_strdup_printf (_("Retry at %s"), when) : g_strdup (_("Retrying"));
    case POSTE_SCHEDULE_STATE_STOPPED:
      return g_strdup (_("Stopped until edited"));
    case POSTE_SCHEDULE_STATE_PAUSED:
      return g_strdup (_("Paused"));
    default:
      return g_strdup ("");
    }
}

static void
update_provider_row (PosteWindow      *self,
                     PosteProviderRow *row)
{
  PosteConfig *config = poste_application_get_config (self->application);
  const char *name = poste_provider_get_name (poste_provider_row_get_provider (row));
  PosteProvider *provider = poste_config_lookup (config, name);
  g_autofree char *schedule = NULL;

  /* Removed from the configuration, the row is about to go. */
  if (provider == NULL)
    return;

  poste_provider_row_set_provider (row, provider);
  poste_provider_row_set_report (row, poste_application_get_last_report (self->application, name));
  schedule = describe_schedule (self, name);
  poste_provider_row_set_schedule (row, schedule);
  poste_provider_row_set_running (row, poste_application_get_session (self->application, name) != NULL);
}

static PosteProviderRow *
find_provider_row (PosteWindow *self,
                   const char  *name)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->provider_list));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (POSTE_IS_PROVIDER_ROW (child) &&
          g_strcmp0 (poste_provider_get_name (poste_provider_row_get_provider (POSTE_PROVIDER_ROW (child))),
                     name) == 0)
        return POSTE_PROVIDER_ROW (child);
    }

  return NULL;
}

static void
update_provider (PosteWindow *self,
                 const char  *name)
{
  PosteProviderRow *row = find_provider_row (self, name);

  if (row != NULL)
    update_provider_row (self, row);
}

static GtkWidget *
poste_window_create_provider_row (gpointer item,
                                  gpointer user_data)
{
  PosteWindow *self = user_data;
  GtkWidget *row;

  g_assert (POSTE_IS_PROVIDER (item));

  row = poste_provider_row_new (item);
  update_provider_row (self, POSTE_PROVIDER_ROW (row));
  poste_accessible_fix (row);

  return row;
}

static void
poste_window_update_page (PosteWindow *self)
{
  g_assert (POSTE_IS_WINDOW (self));

  if (self->providers == NULL)
    gtk_stack_set_visible_child_name (self->stack, "error");
  else if (g_list_model_get_n_items (self->providers) == 0)
    gtk_stack_set_visible_child_name (self->stack, "empty");
  else
    gtk_stack_set_visible_child_name (self->stack, "providers");

  gtk_widget_set_visible (GTK_WIDGET (self->switcher_title),
                          self->providers != NULL && g_list_model_get_n_items (self->providers) > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->fetch_all_button),
                          self->providers != NULL && g_list_model_get_n_items (self->providers) > 0);
}

static void
poste_window_providers_changed (PosteWindow *self,
                                guint        position,
                                guint        removed,
                                guint        added,
                                GListModel  *model)
{
  poste_window_update_page (self);
}

static void
scheduler_provider_changed_cb (PosteWindow *self,
                               const char  *name)
{
  update_provider (self, name);
}

/* Live sessions */

static void
update_sessions_group (PosteWindow *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->sessions_group),
                          g_hash_table_size (self->session_rows) > 0);
}

static void
add_session_row (PosteWindow  *self,
                 PosteSession *session)
{
  const char *name = poste_provider_get_name (poste_session_get_provider (session));
  GtkWidget *row;

  if (g_hash_table_contains (self->session_rows, name))
    return;

  row = poste_session_row_new (session);
  gtk_list_box_append (self->session_list, row);
  g_hash_table_insert (self->session_rows, g_strdup (name), row);
  update_sessions_group (self);
}

static void
remove_session_row (PosteWindow *self,
                    const char  *name)
{
  GtkWidget *list_row = g_hash_table_lookup (self->session_rows, name);

  if (list_row == NULL)
    return;

  g_hash_table_remove (self->session_rows, name);
  gtk_list_box_remove (self->session_list, list_row);
  update_sessions_group (self);
}

/* History */

/**
 * poste_window_reload_history:
 * @self: a #PosteWindow
 *
 * Reads the history again and shows its newest sessions.
 */
void
poste_window_reload_history (PosteWindow *self)
{
  PosteHistory *history;
  g_autoptr(GPtrArray) reports = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *child;

  g_return_if_fail (POSTE_IS_WINDOW (self));

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->history_list))))
    gtk_list_box_remove (self->history_list, child);

  history = poste_application_get_history (self->application);
  if (history != NULL && !(reports = poste_history_list (history, NULL, HISTORY_LIMIT, &error)))
    g_debug ("No history: %s", error->message);

  for (guint i = 0; reports != NULL && i < reports->len; i++)
    gtk_list_box_append (self->history_list, poste_history_row_new (g_ptr_array_index (reports, i)));

  gtk_stack_set_visible_child_name (self->history_stack,
                                    reports != NULL && reports->len > 0 ? "list" : "empty");
}

/* The application's sessions */

static void
session_started_cb (PosteWindow      *self,
                    PosteSession     *session,
                    PosteApplication *application)
{
  /* A round that drains the provider starts one session after another: follow the new one. */
  remove_session_row (self, poste_provider_get_name (poste_session_get_provider (session)));
  add_session_row (self, session);
  update_provider (self, poste_provider_get_name (poste_session_get_provider (session)));
}

static void
session_finished_cb (PosteWindow              *self,
                     PosteSession             *session,
                     const PosteSessionReport *report,
                     PosteApplication         *application)
{
  g_autofree char *what = poste_window_describe_report (report);
  g_autofree char *title = NULL;
  g_autofree char *escaped = NULL;
  AdwToast *toast;

  remove_session_row (self, report->provider);
  update_provider (self, report->provider);
  poste_window_reload_history (self);

  /* The user stopped it: no need to say so. */
  if (report->outcome == POSTE_SESSION_OUTCOME_CANCELLED)
    return;

  if (report->outcome == POSTE_SESSION_OUTCOME_MAIL)
    /* Translators: "<provider>: <n> new messages", when a fetch brought mail */
    title = g_strdup_printf (ngettext ("%s: %u new message", "%s: %u new messages", report->messages),
                             report->provider, report->messages);
  else
    /* Translators: "<provider>: <what happened>" */
    title = g_strdup_printf (_("%s: %s"), report->provider, what);
  /* A toast's title is Pango markup in libadwaita 1.2. */
  escaped = g_markup_escape_text (title, -1);
  toast = adw_toast_new (escaped);
  adw_toast_set_priority (toast, report->outcome == POSTE_SESSION_OUTCOME_FAILED
                                   ? ADW_TOAST_PRIORITY_HIGH : ADW_TOAST_PRIORITY_NORMAL);

  if (session != NULL && report->outcome == POSTE_SESSION_OUTCOME_FAILED &&
      g_error_matches (report->error, POSTE_SESSION_ERROR, POSTE_SESSION_ERROR_CERTIFICATE) &&
      poste_session_get_peer_certificate (session) != NULL)
    {
      g_set_object (&self->untrusted_certificate, poste_session_get_peer_certificate (session));
      adw_toast_set_button_label (toast, _("_Review Certificate"));
      adw_toast_set_action_name (toast, "win.review-certificate");
      adw_toast_set_action_target_value (toast, g_variant_new_string (report->provider));
      adw_toast_set_timeout (toast, 0);
    }
  else if (report->outcome == POSTE_SESSION_OUTCOME_FAILED)
    {
      adw_toast_set_button_label (toast, _("_Details"));
      adw_toast_set_action_name (toast, "win.show-history");
    }

  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
poste_window_review_certificate (GtkWidget  *widget,
                                 const char *action_name,
                                 GVariant   *param)
{
  PosteWindow *self = POSTE_WINDOW (widget);
  GTlsCertificate *certificate = self->untrusted_certificate;
  const char *name = g_variant_get_string (param, NULL);

  if (certificate == NULL)
    return;

  poste_trust_dialog_present_for_provider (self->application, GTK_WINDOW (self), name, certificate);
}

static void
clear_history_response_cb (AdwMessageDialog *dialog,
                           const char       *response,
                           PosteWindow      *self)
{
  PosteHistory *history = poste_application_get_history (self->application);
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (response, "clear") != 0 || history == NULL)
    return;

  if (!poste_history_clear (history, &error))
    {
      g_autofree char *message = g_markup_escape_text (error->message, -1);

      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
    }

  poste_window_reload_history (self);
}

static void
poste_window_clear_history (GtkWidget  *widget,
                            const char *action_name,
                            GVariant   *param)
{
  PosteWindow *self = POSTE_WINDOW (widget);
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Clear the History?"),
                                   _("Every session’s record and transcript is deleted. Your mail "
                                     "and your providers are not touched."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "clear", _("C_lear"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "clear",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (clear_history_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
poste_window_show_history (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *param)
{
  PosteWindow *self = POSTE_WINDOW (widget);

  adw_view_stack_set_visible_child_name (self->view_stack, "history");
}

/* Closing */

static gboolean
destroy_idle_cb (gpointer data)
{
  gtk_window_destroy (GTK_WINDOW (data));
  return G_SOURCE_REMOVE;
}

static gboolean
quit_idle_cb (gpointer data)
{
  g_action_group_activate_action (G_ACTION_GROUP (data), "quit", NULL);
  return G_SOURCE_REMOVE;
}

static void
background_response_cb (PosteWindow *self,
                        const char  *response,
                        GtkWidget   *dialog)
{
  g_assert (POSTE_IS_WINDOW (self));

  /* Once the dialog, which is transient for this window, has gone: a window finalized under
   * its dialog would leave the dialog pointing at it. */
  if (g_strcmp0 (response, "quit") == 0)
    g_idle_add_full (G_PRIORITY_HIGH_IDLE, quit_idle_cb, g_object_ref (self->application),
                     g_object_unref);
  else
    g_idle_add_full (G_PRIORITY_HIGH_IDLE, destroy_idle_cb, g_object_ref (self), g_object_unref);
}

/* Closing the window does not end the application while it runs in the background: the
 * schedules go on. That is easy to miss, so the first time the user is told, with the ways to
 * quit and, when no panel shows the tray icon, how to get the window back. */
static gboolean
poste_window_close_request (GtkWindow *window)
{
  PosteWindow *self = POSTE_WINDOW (window);
  GSettings *settings = poste_application_get_settings (self->application);
  PosteTray *tray = poste_application_get_tray (self->application);
  const char *body;
  GtkWidget *dialog;

  if (settings == NULL ||
      !poste_application_get_run_in_background (self->application) ||
      g_settings_get_boolean (settings, "background-explained"))
    return GTK_WINDOW_CLASS (poste_window_parent_class)->close_request (window);

  g_settings_set_boolean (settings, "background-explained", TRUE);

  if (tray != NULL && poste_tray_get_registered (tray))
    body = _("Poste Restante keeps running after its window is closed, and fetches your mail on "
             "schedule. Its icon stays in the panel. To quit, choose Quit in the main menu or "
             "in the icon’s menu, or press Ctrl+Q.");
  else
    body = _("Poste Restante keeps running after its window is closed, and fetches your mail on "
             "schedule. Start it again from the launcher to open the window. To quit, choose "
             "Quit in the main menu, or press Ctrl+Q.");

  dialog = adw_message_dialog_new (window, _("Fetching Continues in the Background"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "quit", _("_Quit"),
                                    "background", _("_Keep Fetching"),
                                    NULL);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "background");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "background");
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "background",
                                              ADW_RESPONSE_SUGGESTED);
  g_signal_connect_object (dialog, "response", G_CALLBACK (background_response_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));

  return TRUE;
}

/**
 * poste_window_new:
 * @application: the #PosteApplication, after its startup
 *
 * Creates the main window: the application's providers and their sessions, the history, or an
 * empty state that explains what a provider is, or why the configuration could not be read. Its
 * size and maximized state are bound to the application's settings (`window-width`,
 * `window-height`, `window-maximized`), so that it opens as the user left it.
 *
 * Returns: (transfer none): the new window, owned by GTK's list of toplevels
 */
PosteWindow *
poste_window_new (PosteApplication *application)
{
  PosteWindow *self;
  GSettings *settings;
  PosteConfig *config;
  PosteScheduler *scheduler;
  const GError *config_error;

  g_return_val_if_fail (POSTE_IS_APPLICATION (application), NULL);

  self = g_object_new (POSTE_TYPE_WINDOW,
                       "application", application,
                       NULL);
  self->application = g_object_ref (application);

  if ((settings = poste_application_get_settings (application)))
    {
      g_settings_bind (settings, "window-width", self, "default-width", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "window-height", self, "default-height", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "window-maximized", self, "maximized", G_SETTINGS_BIND_DEFAULT);
    }

  config = poste_application_get_config (application);
  config_error = poste_application_get_config_error (application);

  if (config != NULL && config_error == NULL)
    {
      self->providers = g_object_ref (poste_config_get_providers (config));
      gtk_list_box_bind_model (self->provider_list, self->providers,
                               poste_window_create_provider_row, self, NULL);
      g_signal_connect_object (self->providers,
                               "items-changed",
                               G_CALLBACK (poste_window_providers_changed),
                               self,
                               G_CONNECT_SWAPPED);
    }
  else if (config_error != NULL)
    {
      adw_status_page_set_description (self->error_page, config_error->message);
    }

  if ((scheduler = poste_application_get_scheduler (application)))
    g_signal_connect_object (scheduler, "provider-changed",
                             G_CALLBACK (scheduler_provider_changed_cb), self, G_CONNECT_SWAPPED);

  g_signal_connect_object (application, "session-started",
                           G_CALLBACK (session_started_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (application, "session-finished",
                           G_CALLBACK (session_finished_cb), self, G_CONNECT_SWAPPED);

  /* Sessions that started before the window opened (in the background). */
  {
    g_autoptr(GPtrArray) sessions = poste_application_dup_sessions (application);

    for (guint i = 0; i < sessions->len; i++)
      add_session_row (self, g_ptr_array_index (sessions, i));
  }

  poste_window_reload_history (self);
  poste_window_update_page (self);

  return self;
}

/**
 * poste_window_add_toast:
 * @self: a #PosteWindow
 * @toast: (transfer full): an #AdwToast
 *
 * Shows a transient message at the bottom of the window.
 */
void
poste_window_add_toast (PosteWindow *self,
                        AdwToast    *toast)
{
  g_return_if_fail (POSTE_IS_WINDOW (self));
  g_return_if_fail (ADW_IS_TOAST (toast));

  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
poste_window_dispose (GObject *object)
{
  PosteWindow *self = (PosteWindow *)object;

  if (self->provider_list != NULL)
    gtk_list_box_bind_model (self->provider_list, NULL, NULL, NULL, NULL);
  g_clear_object (&self->providers);
  g_clear_pointer (&self->session_rows, g_hash_table_unref);
  g_clear_object (&self->untrusted_certificate);
  g_clear_object (&self->application);

  G_OBJECT_CLASS (poste_window_parent_class)->dispose (object);
}

static void
poste_window_class_init (PosteWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = poste_window_dispose;
  window_class->close_request = poste_window_close_request;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/posterestante/PosteRestante/ui/poste-window.ui");
  gtk_widget_class_bind_template_child (widget_class, PosteWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, PosteWindow, header_bar);
  gtk_widget_class_bind_template_child (widget_class, PosteWindow, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, PosteWindow, primary_menu_button);
  gtk_widget_class_bind_template_child (widget_class, PosteWindow, fetch_all_button);
  gtk_widget_class_bind_template_child (widget_class, PosteWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, PosteWindow, empty_page);
  gtk_widget_class_bind_template_child (widget_class, PosteWindow, add_provider_button);
  gtk_widget_class_bind_template_child (widget_class, PosteWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, PosteWindow, sessions_group);
  gtk_widget_class_bind_template_child (widget_class, PosteWindow, session_list);
  gtk_widget_class_bind_template_child (widget_class, PosteWindow, provider_list);
  gtk_widget_class_bind_template_child (widget_class, PosteWindow, history_stack);
  gtk_widget_class_bind_template_child (widget_class, PosteWindow, history_list);
  gtk_widget_class_bind_template_child (widget_class, PosteWindow, error_page);

  gtk_widget_class_install_action (widget_class, "win.review-certificate", "s",
                                   poste_window_review_certificate);
  gtk_widget_class_install_action (widget_class, "win.show-history", NULL,
                                   poste_window_show_history);
  gtk_widget_class_install_action (widget_class, "win.clear-history", NULL,
                                   poste_window_clear_history);
}

static void
poste_window_init (PosteWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  poste_accessible_fix (GTK_WIDGET (self));

  self->session_rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  /* The icon follows the product's id even when a test registers another application id. */
  adw_status_page_set_icon_name (self->empty_page, APP_ID);
}
