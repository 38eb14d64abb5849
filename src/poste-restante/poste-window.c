/* poste-window.c: the main window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Two views in an AdwViewStack: the providers (each with its state, last result and next
 * fetch, above them the sessions running now with their live progress) and the history (every
 * session with its transcript). The window only observes: the application's scheduler, its
 * session-started and session-finished signals, and the history.
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
#include "poste-provider.h"
#include "poste-tray.h"
#include "poste-trust-dialog.h"
#include "poste-window.h"

/* How many sessions the history view lists, and transcript lines it shows for each. */
#define HISTORY_LIMIT 100
#define TRANSCRIPT_LINES 400
/* Transcripts longer than this scroll inside their row. */
#define TRANSCRIPT_SHOWN_LINES 18

struct _PosteWindow
{
  AdwApplicationWindow  parent_instance;

  PosteApplication     *application;

  /* The configuration's provider list, while shown. */
  GListModel           *providers;

  /* Provider name -> the GtkListBoxRow of its running session. */
  GHashTable           *session_rows;

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

/* Formatting */

static char *
format_when (GDateTime *time)
{
  g_autoptr(GDateTime) local = NULL;
  g_autoptr(GDateTime) now = NULL;

  if (time == NULL)
    return g_strdup ("");

  local = g_date_time_to_local (time);
  now = g_date_time_new_now_local ();

  if (g_date_time_get_year (local) == g_date_time_get_year (now) &&
      g_date_time_get_day_of_year (local) == g_date_time_get_day_of_year (now))
    return g_date_time_format (local, "%H:%M");

  /* Translators: a date and time in the past or future, see g_date_time_format() */
  return g_date_time_format (local, _("%e %b, %H:%M"));
}

/* A session in the history: always with its date, since a record is read long after. */
static char *
format_date_time (GDateTime *time)
{
  g_autoptr(GDateTime) local = NULL;

  if (time == NULL)
    return g_strdup ("");
  local = g_date_time_to_local (time);
  /* Translators: the date and time a session in the history started, see g_date_time_format() */
  return g_date_time_format (local, _("%e %b %Y, %H:%M"));
}

static char *
format_messages (guint   messages,
                 guint64 bytes)
{
  g_autofree char *size = g_format_size (bytes);

  return g_strdup_printf (ngettext ("%u message, %s", "%u messages, %s", messages), messages, size);
}

/* Messages refused for good (5xx): the provider returns them to their senders. Never "left with
 * the provider", which is only for 4xx. */
static char *
format_returned (guint returned)
{
  return g_strdup_printf (ngettext ("%u refused, returned to the sender by the provider",
                                    "%u refused, returned to the senders by the provider",
                                    returned),
                          returned);
}

/**
 * poste_window_describe_report:
 * @report: a #PosteSessionReport
 *
 * Says in a few words how a session ended, for a row or a toast.
 *
 * Returns: (transfer full): the description
 */
char *
poste_window_describe_report (const PosteSessionReport *report)
{
  g_return_val_if_fail (report != NULL, NULL);

  switch (report->outcome)
    {
    case POSTE_SESSION_OUTCOME_MAIL:
      if (report->returned > 0)
        {
          g_autofree char *delivered = format_messages (report->messages, report->bytes);
          g_autofree char *returned = format_returned (report->returned);

          /* Translators: "<n> messages, <size>", then "<n> refused, returned to ..." */
          return g_strdup_printf (_("%s; %s"), delivered, returned);
        }
      return format_messages (report->messages, report->bytes);

    case POSTE_SESSION_OUTCOME_NO_MAIL:
      /* Refusals are something the user should see: never just "no mail". */
      if (report->returned > 0)
        return format_returned (report->returned);
      /* A round that only sent mail did work: it is not "no new mail" at a glance. */
      if (report->submitted > 0)
        return g_strdup_printf (ngettext ("%u message sent", "%u messages sent",
                                          report->submitted), report->submitted);
      return g_strdup (_("No new mail"));

    case POSTE_SESSION_OUTCOME_STARTED:
      /* ETRN: the mail goes to the user's own mail server, not through us. */
      return g_strdup (_("The provider started delivery to your mail server"));

    case POSTE_SESSION_OUTCOME_CANCELLED:
      if (report->messages > 0)
        {
          g_autofree char *delivered = format_messages (report->messages, report->bytes);

          /* Translators: %s is "<n> messages, <size>" */
          return g_strdup_printf (_("Stopped after %s"), delivered);
        }
      return g_strdup (_("Stopped"));

    case POSTE_SESSION_OUTCOME_FAILED:
      return g_strdup (report->error != NULL ? report->error->message : _("Failed"));

    case POSTE_SESSION_OUTCOME_NONE:
    default:
      return g_strdup (_("Not finished"));
    }
}

static const char *
describe_session_state (PosteSessionState state)
{
  switch (state)
    {
    case POSTE_SESSION_STATE_IDLE: return _("Starting");
    case POSTE_SESSION_STATE_CONNECTING: return _("Connecting");
    case POSTE_SESSION_STATE_GREETING: return _("Waiting for the provider’s greeting");
    case POSTE_SESSION_STATE_EHLO: return _("Introducing ourselves");
    case POSTE_SESSION_STATE_STARTTLS: return _("Securing the connection");
    case POSTE_SESSION_STATE_AUTH: return _("Signing in");
    case POSTE_SESSION_STATE_ATRN: return _("Asking for held mail");
    case POSTE_SESSION_STATE_RECEIVING: return _("Receiving mail");
    case POSTE_SESSION_STATE_SUBMITTING: return _("Sending outgoing mail");
    case POSTE_SESSION_STATE_DONE: return _("Done");
    case POSTE_SESSION_STATE_FAILED: return _("Failed");
    default: return "";
    }
}

/* Copies a session's whole transcript (every line, not only those shown) to the clipboard. */
static void
copy_transcript_clicked_cb (GtkButton *button)
{
  const char *text = g_object_get_data (G_OBJECT (button), "poste-transcript");

  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (button)), text);
}

/* Provider rows */

typedef struct
{
  char       *name;
  AdwActionRow *row;
  GtkImage   *icon;
  GtkLabel   *schedule_label;
  GtkButton  *fetch_button;
  GtkSpinner *spinner;
} ProviderRow;

static void
provider_row_free (ProviderRow *row)
{
  g_free (row->name);
  g_free (row);
}

static ProviderRow *
get_provider_row (GtkWidget *widget)
{
  return g_object_get_data (G_OBJECT (widget), "poste-provider-row");
}

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
  when = format_when (next);

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
update_provider_row (PosteWindow *self,
                     ProviderRow *row)
{
  PosteConfig *config = poste_application_get_config (self->application);
  PosteProvider *provider = poste_config_lookup (config, row->name);
  const PosteSessionReport *report;
  const char * const *domains;
  g_autofree char *domain_list = NULL;
  g_autofree char *last = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *schedule = NULL;
  g_autofree char *label = NULL;
  gboolean running;

  if (provider == NULL)
    return;

  /* Renamed in the editor: the label changes, the configuration name stays. */
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row->row), poste_provider_get_display_name (provider));
  domains = poste_provider_get_domains (provider);
  if (domains != NULL && domains[0] != NULL)
    domain_list = g_strjoinv (", ", (char **)domains);
  else
    /* Translators: an ODMR request without a domain list asks for all of the account's domains */
    domain_list = g_strdup (_("all of the account’s domains"));

  report = poste_application_get_last_report (self->application, row->name);
  if (report != NULL)
    {
      g_autofree char *when = format_when (report->started);
      g_autofree char *what = poste_window_describe_report (report);

      /* Translators: "<time>: <what happened>", the last fetch under a provider's name */
      last = g_strdup_printf (_("Last fetch %s: %s"), when, what);
    }
  else
    last = g_strdup (_("Not fetched yet"));

  /* Translators: "<server> · <domains>", under a provider's name */
  subtitle = g_strdup_printf (_("%s · %s"), poste_provider_get_host (provider), domain_list);
  {
    g_autofree char *both = g_strdup_printf ("%s\n%s", subtitle, last);

    adw_action_row_set_subtitle (row->row, both);
  }

  if (report == NULL)
    gtk_widget_set_visible (GTK_WIDGET (row->icon), FALSE);
  else
    {
      gboolean failed = report->outcome == POSTE_SESSION_OUTCOME_FAILED;

      gtk_widget_set_visible (GTK_WIDGET (row->icon), TRUE);
      gtk_image_set_from_icon_name (row->icon,
                                    failed ? "dialog-warning-symbolic"
                                    : report->outcome == POSTE_SESSION_OUTCOME_MAIL ? "mail-unread-symbolic"
                                    : "emblem-ok-symbolic");
      gtk_widget_remove_css_class (GTK_WIDGET (row->icon), failed ? "success" : "warning");
      gtk_widget_add_css_class (GTK_WIDGET (row->icon), failed ? "warning" : "success");
      poste_accessible_name_image (row->icon,
                                   failed ? _("Last fetch failed") : _("Last fetch succeeded"));
    }

  schedule = describe_schedule (self, row->name);
  gtk_label_set_text (row->schedule_label, schedule);

  running = poste_application_get_session (self->application, row->name) != NULL;
  gtk_widget_set_visible (GTK_WIDGET (row->spinner), running);
  gtk_spinner_set_spinning (row->spinner, running);
  gtk_widget_set_visible (GTK_WIDGET (row->fetch_button), !running);

  label = g_strdup_printf (_("Fetch mail from %s now"), row->name);
  poste_accessible_name_button (row->fetch_button, label);
}

static GtkWidget *
find_provider_row (PosteWindow *self,
                   const char  *name)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->provider_list));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      ProviderRow *row = get_provider_row (child);

      if (row != NULL && g_strcmp0 (row->name, name) == 0)
        return child;
    }

  return NULL;
}

static void
update_provider (PosteWindow *self,
                 const char  *name)
{
  GtkWidget *widget = find_provider_row (self, name);

  if (widget != NULL)
    update_provider_row (self, get_provider_row (widget));
}

static GtkWidget *
poste_window_create_provider_row (gpointer item,
                                  gpointer user_data)
{
  PosteWindow *self = user_data;
  PosteProvider *provider = item;
  const char *name = poste_provider_get_name (provider);
  ProviderRow *row = g_new0 (ProviderRow, 1);
  g_autofree char *edit_label = NULL;
  GtkWidget *edit;
  GtkWidget *box;

  g_assert (POSTE_IS_PROVIDER (provider));

  row->name = g_strdup (name);
  row->row = ADW_ACTION_ROW (adw_action_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row->row), poste_provider_get_display_name (provider));
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row->row), FALSE);
  adw_action_row_set_subtitle_lines (row->row, 3);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row->row), TRUE);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (row->row), "app.edit-provider");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (row->row), "s", name);

  row->icon = GTK_IMAGE (gtk_image_new ());
  poste_accessible_name_image (row->icon, _("Not fetched yet"));
  gtk_widget_set_valign (GTK_WIDGET (row->icon), GTK_ALIGN_CENTER);
  adw_action_row_add_prefix (row->row, GTK_WIDGET (row->icon));

  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_set_valign (box, GTK_ALIGN_CENTER);

  row->schedule_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_add_css_class (GTK_WIDGET (row->schedule_label), "dim-label");
  gtk_widget_add_css_class (GTK_WIDGET (row->schedule_label), "caption");
  gtk_widget_set_margin_end (GTK_WIDGET (row->schedule_label), 6);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (row->schedule_label));

  row->spinner = GTK_SPINNER (gtk_spinner_new ());
  /* As wide as the button it stands in for. */
  gtk_widget_set_size_request (GTK_WIDGET (row->spinner), 16, 16);
  gtk_widget_set_margin_start (GTK_WIDGET (row->spinner), 9);
  gtk_widget_set_margin_end (GTK_WIDGET (row->spinner), 9);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row->spinner),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Fetching"), -1);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (row->spinner));

  row->fetch_button = GTK_BUTTON (gtk_button_new_from_icon_name ("mail-send-receive-symbolic"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (row->fetch_button), _("Fetch Now"));
  gtk_widget_add_css_class (GTK_WIDGET (row->fetch_button), "flat");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (row->fetch_button), "app.fetch-provider");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (row->fetch_button), "s", name);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (row->fetch_button));

  edit = gtk_button_new_from_icon_name ("document-edit-symbolic");
  gtk_widget_set_tooltip_text (edit, _("Edit Provider"));
  gtk_widget_add_css_class (edit, "flat");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (edit), "app.edit-provider");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (edit), "s", name);
  edit_label = g_strdup_printf (_("Edit %s"), name);
  poste_accessible_name_button (GTK_BUTTON (edit), edit_label);
  gtk_box_append (GTK_BOX (box), edit);

  adw_action_row_add_suffix (row->row, box);

  g_object_set_data_full (G_OBJECT (row->row), "poste-provider-row", row,
                          (GDestroyNotify)provider_row_free);
  update_provider_row (self, row);
  poste_accessible_fix (GTK_WIDGET (row->row));

  return GTK_WIDGET (row->row);
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

typedef struct
{
  PosteSession   *session;
  GtkLabel       *status;
  GtkProgressBar *progress;
} SessionRow;

static void
session_row_free (SessionRow *row)
{
  g_signal_handlers_disconnect_by_data (row->session, row);
  g_clear_object (&row->session);
  g_free (row);
}

/* ODMR never says how many messages a session brings (RFC 2645 has no count), so the bar never
 * shows a fraction of the session: it fills for one message when the provider declared that
 * message's size (SIZE=, RFC 1870), and otherwise pulses at each step, beside the counts. */
static void
update_session_row (SessionRow *row)
{
  PosteSession *session = row->session;
  PosteSessionState state = poste_session_get_state (session);
  guint messages = poste_session_get_messages (session);
  g_autofree char *counts = format_messages (messages, poste_session_get_bytes (session));
  g_autofree char *text = NULL;
  gint64 current = poste_session_get_current_size (session);
  gint64 total = poste_session_get_current_total (session);
  gboolean receiving = state == POSTE_SESSION_STATE_RECEIVING && current >= 0;

  if (receiving && total > 0)
    {
      g_autofree char *size = g_format_size ((guint64)MIN (current, total));
      g_autofree char *total_size = g_format_size ((guint64)total);

      /* Translators: "<phase> · <n messages, size> · this message: <size> of <size>" */
      text = g_strdup_printf (_("%s · %s · this message: %s of %s"),
                              describe_session_state (state), counts, size, total_size);
    }
  else if (receiving && current > 0)
    {
      g_autofree char *size = g_format_size ((guint64)current);

      /* Translators: "<phase> · <n messages, size> · this message: <size>" */
      text = g_strdup_printf (_("%s · %s · this message: %s"),
                              describe_session_state (state), counts, size);
    }
  else
    /* Translators: "<phase> · <n messages, size>" */
    text = g_strdup_printf (_("%s · %s"), describe_session_state (state), counts);

  gtk_label_set_text (row->status, text);
  if (receiving && total > 0)
    gtk_progress_bar_set_fraction (row->progress, MIN ((double)current / (double)total, 1.0));
  else if (state == POSTE_SESSION_STATE_DONE)
    gtk_progress_bar_set_fraction (row->progress, 1.0);
  else if (state == POSTE_SESSION_STATE_FAILED)
    gtk_progress_bar_set_fraction (row->progress, 0.0);
  else
    gtk_progress_bar_pulse (row->progress);
  /* The bar's value text says what is happening: a screen reader hears the progress as it
   * changes, as with the status line's live role. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (row->progress),
                                  GTK_ACCESSIBLE_PROPERTY_VALUE_TEXT, text, -1);
}

static void
session_notify_cb (PosteSession *session,
                   GParamSpec   *pspec,
                   SessionRow   *row)
{
  update_session_row (row);
}

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
  PosteProvider *provider = poste_session_get_provider (session);
  const char *name = poste_provider_get_name (provider);
  SessionRow *row = g_new0 (SessionRow, 1);
  g_autofree char *title = NULL;
  g_autofree char *stop_label = NULL;
  GtkWidget *list_row;
  GtkWidget *vbox;
  GtkWidget *hbox;
  GtkWidget *labels;
  GtkWidget *label;
  GtkWidget *stop;

  if (g_hash_table_contains (self->session_rows, name))
    return;

  row->session = g_object_ref (session);

  vbox = gtk_box_new (GTK_ORIENTATION_VERTICAL, 10);
  gtk_widget_set_margin_top (vbox, 12);
  gtk_widget_set_margin_bottom (vbox, 12);
  gtk_widget_set_margin_start (vbox, 12);
  gtk_widget_set_margin_end (vbox, 12);

  hbox = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_box_append (GTK_BOX (vbox), hbox);

  labels = gtk_box_new (GTK_ORIENTATION_VERTICAL, 3);
  gtk_widget_set_hexpand (labels, TRUE);
  gtk_box_append (GTK_BOX (hbox), labels);

  /* Translators: %s is a provider's name */
  title = g_strdup_printf (_("Fetching from %s"), name);
  label = gtk_label_new (title);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (label, "heading");
  gtk_box_append (GTK_BOX (labels), label);

  /* A status: GTK 4.8 has no announcement API, the status role is the polite live region. */
  row->status = g_object_new (GTK_TYPE_LABEL, "accessible-role", GTK_ACCESSIBLE_ROLE_STATUS, NULL);
  gtk_label_set_xalign (row->status, 0);
  gtk_label_set_wrap (row->status, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (row->status), "dim-label");
  gtk_box_append (GTK_BOX (labels), GTK_WIDGET (row->status));

  stop = gtk_button_new_with_mnemonic (_("_Stop"));
  gtk_widget_set_valign (stop, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (stop, "destructive-action");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (stop), "app.stop");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (stop), "s", name);
  /* Translators: %s is a provider's name */
  stop_label = g_strdup_printf (_("Stop fetching from %s"), name);
  poste_accessible_name_button (GTK_BUTTON (stop), stop_label);
  gtk_box_append (GTK_BOX (hbox), stop);

  row->progress = GTK_PROGRESS_BAR (gtk_progress_bar_new ());
  gtk_accessible_update_property (GTK_ACCESSIBLE (row->progress),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (row->progress),
                                  GTK_ACCESSIBLE_RELATION_DESCRIBED_BY, row->status, NULL, -1);
  gtk_box_append (GTK_BOX (vbox), GTK_WIDGET (row->progress));

  /* Named by its title; the Stop button is its tab stop. */
  list_row = gtk_list_box_row_new ();
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (list_row), FALSE);
  gtk_widget_set_focusable (list_row, FALSE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (list_row), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (list_row), vbox);
  g_object_set_data_full (G_OBJECT (list_row), "poste-session-row", row,
                          (GDestroyNotify)session_row_free);
  gtk_list_box_append (self->session_list, list_row);
  g_hash_table_insert (self->session_rows, g_strdup (name), list_row);

  g_signal_connect (session, "notify::state", G_CALLBACK (session_notify_cb), row);
  g_signal_connect (session, "notify::messages", G_CALLBACK (session_notify_cb), row);
  g_signal_connect (session, "notify::bytes", G_CALLBACK (session_notify_cb), row);
  g_signal_connect (session, "notify::current-size", G_CALLBACK (session_notify_cb), row);
  g_signal_connect (session, "notify::current-total", G_CALLBACK (session_notify_cb), row);
  update_session_row (row);
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

static GtkWidget *
create_history_row (const PosteSessionReport *report)
{
  g_autofree char *what = poste_window_describe_report (report);
  g_autofree char *when = format_date_time (report->started);
  g_autofree char *size = g_format_size (report->bytes);
  g_autoptr(GString) subtitle = g_string_new (NULL);
  g_autoptr(GString) transcript = g_string_new (NULL);
  g_autofree char *title = NULL;
  GtkWidget *row;
  GtkWidget *icon;
  GtkWidget *label;
  GtkWidget *scrolled;
  GtkWidget *transcript_row;
  const char *icon_name;
  const char *outcome;
  const char *style;

  /* Translators: "<provider>: <what happened>", a session in the history */
  title = g_strdup_printf (_("%s: %s"), report->provider, what);

  /* Translators: the time a session started, its size and duration in seconds */
  g_string_append_printf (subtitle, _("%s · %s · %.1f s"), when, size, report->duration);
  if (report->tls != NULL)
    g_string_append_printf (subtitle, " · %s", report->tls);
  if (report->mechanism != NULL)
    g_string_append_printf (subtitle, " · %s", report->mechanism);
  if (report->deferred > 0)
    g_string_append_printf (subtitle,
                            ngettext (" · %u left with the provider", " · %u left with the provider",
                                      report->deferred),
                            report->deferred);
  if (report->returned > 0)
    {
      g_autofree char *reason = poste_session_report_dup_returned_reason (report);

      if (report->outcome != POSTE_SESSION_OUTCOME_MAIL &&
          report->outcome != POSTE_SESSION_OUTCOME_NO_MAIL)
        {
          g_autofree char *returned = format_returned (report->returned);

          g_string_append_printf (subtitle, " · %s", returned);
        }
      if (reason != NULL)
        /* Translators: why a message was refused for good: the reply it got, "550 5.1.1 ..." */
        g_string_append_printf (subtitle, _(" · refused with: %s"), reason);
    }
  {
    g_autofree char *outbox = poste_session_report_describe_outbox (report);

    if (outbox != NULL)
      /* Translators: in a history row's subtitle: "outbox: 2 sent, 1 deferred, 0 returned" */
      g_string_append_printf (subtitle, _(" · outbox: %s"), outbox);
  }

  switch (report->outcome)
    {
    case POSTE_SESSION_OUTCOME_MAIL:
      icon_name = "mail-unread-symbolic";
      outcome = _("Mail received");
      style = "success";
      break;
    case POSTE_SESSION_OUTCOME_FAILED:
      icon_name = "dialog-warning-symbolic";
      outcome = _("Failed");
      style = "warning";
      break;
    case POSTE_SESSION_OUTCOME_CANCELLED:
      icon_name = "media-playback-stop-symbolic";
      outcome = _("Stopped");
      style = "dim-label";
      break;
    case POSTE_SESSION_OUTCOME_STARTED:
      icon_name = "emblem-ok-symbolic";
      /* Translators: the outcome icon of an ETRN fetch: the provider started delivering */
      outcome = _("Delivery started");
      style = "success";
      break;
    case POSTE_SESSION_OUTCOME_NO_MAIL:
    case POSTE_SESSION_OUTCOME_NONE:
    default:
      icon_name = "emblem-ok-symbolic";
      outcome = _("No mail");
      style = "dim-label";
      break;
    }

  row = adw_expander_row_new ();
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (row), subtitle->str);
  g_object_set_data_full (G_OBJECT (row), "poste-report",
                          poste_session_report_copy (report),
                          (GDestroyNotify)poste_session_report_free);

  icon = gtk_image_new_from_icon_name (icon_name);
  gtk_widget_add_css_class (icon, style);
  poste_accessible_name_image (GTK_IMAGE (icon), outcome);
  adw_expander_row_add_prefix (ADW_EXPANDER_ROW (row), icon);
  poste_accessible_track_expanded (ADW_EXPANDER_ROW (row));

  for (guint i = 0; report->transcript != NULL && i < report->transcript->len; i++)
    {
      if (i == TRANSCRIPT_LINES)
        {
          g_string_append_printf (transcript, _("… %u more lines"), report->transcript->len - i);
          break;
        }
      if (i > 0)
        g_string_append_c (transcript, '\n');
      g_string_append (transcript, g_ptr_array_index (report->transcript, i));
    }
  if (transcript->len == 0)
    g_string_append (transcript, _("No transcript"));

  label = gtk_label_new (transcript->str);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_widget_set_margin_top (label, 12);
  gtk_widget_set_margin_bottom (label, 12);
  gtk_widget_set_margin_start (label, 12);
  gtk_widget_set_margin_end (label, 12);
  gtk_widget_add_css_class (label, "monospace");
  gtk_widget_add_css_class (label, "caption");
  gtk_accessible_update_property (GTK_ACCESSIBLE (label), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Transcript"), -1);

  /* The transcript's own row: named, and no tab stop of its own (the selectable text is one);
   * the list would otherwise wrap the text in an unnamed focusable row. */
  transcript_row = gtk_list_box_row_new ();
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (transcript_row), FALSE);
  gtk_widget_set_focusable (transcript_row, FALSE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (transcript_row), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Transcript"), -1);

  /* A long transcript scrolls inside its row rather than stretching the list. */
  if (report->transcript != NULL && report->transcript->len > TRANSCRIPT_SHOWN_LINES)
    {
      scrolled = gtk_scrolled_window_new ();
      gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
      gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scrolled), 280);
      gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), label);
      gtk_accessible_update_property (GTK_ACCESSIBLE (scrolled), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Transcript"), -1);
      gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (transcript_row), scrolled);
    }
  else
    gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (transcript_row), label);
  adw_expander_row_add_row (ADW_EXPANDER_ROW (row), transcript_row);

  if (report->transcript != NULL && report->transcript->len > 0)
    {
      GtkWidget *copy = gtk_button_new_from_icon_name ("edit-copy-symbolic");
      GString *full = g_string_new (NULL);

      for (guint i = 0; i < report->transcript->len; i++)
        g_string_append_printf (full, "%s\n", (const char *) g_ptr_array_index (report->transcript, i));
      g_object_set_data_full (G_OBJECT (copy), "poste-transcript", g_string_free (full, FALSE), g_free);
      gtk_widget_set_valign (copy, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (copy, "flat");
      gtk_widget_set_tooltip_text (copy, _("Copy the Transcript"));
      g_signal_connect (copy, "clicked", G_CALLBACK (copy_transcript_clicked_cb), NULL);
      adw_expander_row_add_action (ADW_EXPANDER_ROW (row), copy);
    }
  poste_accessible_fix (row);

  return row;
}

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
    gtk_list_box_append (self->history_list, create_history_row (g_ptr_array_index (reports, i)));

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
      g_object_set_data_full (G_OBJECT (self), "poste-untrusted-certificate",
                              g_object_ref (poste_session_get_peer_certificate (session)),
                              g_object_unref);
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
  GTlsCertificate *certificate = g_object_get_data (G_OBJECT (self), "poste-untrusted-certificate");
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
