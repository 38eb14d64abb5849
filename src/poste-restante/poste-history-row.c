/* poste-history-row.c: a session in the main window's history
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One record of the history: what happened and when, as the title and subtitle, an icon with a
 * word for the outcome, and, expanded, the session's transcript with a button that copies it.
 * A record never changes, so the report is set once, when the row is made.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "poste-accessible.h"
#include "poste-history-row.h"
#include "poste-window-format.h"

/* Transcript lines a row shows; the Copy button copies every line. */
#define TRANSCRIPT_LINES 400
/* Transcripts longer than this scroll inside their row. */
#define TRANSCRIPT_SHOWN_LINES 18

struct _PosteHistoryRow
{
  AdwExpanderRow      parent_instance;

  PosteSessionReport *report;

  /* Template children */
  GtkImage           *icon;
  GtkButton          *copy_button;
  GtkListBoxRow      *transcript_row;
  GtkLabel           *transcript_label;
};

G_DEFINE_FINAL_TYPE (PosteHistoryRow, poste_history_row, ADW_TYPE_EXPANDER_ROW)

enum {
  PROP_0,
  PROP_REPORT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Copies the session's whole transcript (every line, not only those shown) to the clipboard. */
static void
copy_transcript_clicked_cb (PosteHistoryRow *self,
                            GtkButton       *button)
{
  g_autoptr(GString) full = g_string_new (NULL);

  for (guint i = 0; self->report->transcript != NULL && i < self->report->transcript->len; i++)
    g_string_append_printf (full, "%s\n", (const char *) g_ptr_array_index (self->report->transcript, i));
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (button)), full->str);
}

static char *
describe_subtitle (const PosteSessionReport *report)
{
  g_autofree char *when = _poste_window_format_date_time (report->started);
  g_autofree char *size = g_format_size (report->bytes);
  g_autofree char *outbox = poste_session_report_describe_outbox (report);
  GString *subtitle = g_string_new (NULL);

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
          g_autofree char *returned = _poste_window_format_returned (report->returned);

          g_string_append_printf (subtitle, " · %s", returned);
        }
      if (reason != NULL)
        /* Translators: why a message was refused for good: the reply it got, "550 5.1.1 ..." */
        g_string_append_printf (subtitle, _(" · refused with: %s"), reason);
    }
  if (outbox != NULL)
    /* Translators: in a history row's subtitle: "outbox: 2 sent, 1 deferred, 0 returned" */
    g_string_append_printf (subtitle, _(" · outbox: %s"), outbox);

  return g_string_free (subtitle, FALSE);
}

static void
show_outcome (PosteHistoryRow *self)
{
  const char *icon_name;
  const char *outcome;
  const char *style;

  switch (self->report->outcome)
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

  gtk_image_set_from_icon_name (self->icon, icon_name);
  gtk_widget_add_css_class (GTK_WIDGET (self->icon), style);
  poste_accessible_name_image (self->icon, outcome);
}

static void
show_transcript (PosteHistoryRow *self)
{
  GPtrArray *lines = self->report->transcript;
  g_autoptr(GString) transcript = g_string_new (NULL);

  for (guint i = 0; lines != NULL && i < lines->len; i++)
    {
      if (i == TRANSCRIPT_LINES)
        {
          g_string_append_printf (transcript, _("… %u more lines"), lines->len - i);
          break;
        }
      if (i > 0)
        g_string_append_c (transcript, '\n');
      g_string_append (transcript, g_ptr_array_index (lines, i));
    }
  if (transcript->len == 0)
    g_string_append (transcript, _("No transcript"));
  gtk_label_set_text (self->transcript_label, transcript->str);

  /* A long transcript scrolls inside its row rather than stretching the list; a short one
   * stays a plain label, with no scrolled window for a screen reader to go through. */
  if (lines != NULL && lines->len > TRANSCRIPT_SHOWN_LINES)
    {
      g_autoptr(GtkWidget) label = g_object_ref (GTK_WIDGET (self->transcript_label));
      GtkWidget *scrolled = gtk_scrolled_window_new ();

      gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
      gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scrolled), 280);
      gtk_accessible_update_property (GTK_ACCESSIBLE (scrolled), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Transcript"), -1);
      gtk_list_box_row_set_child (self->transcript_row, NULL);
      gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), label);
      gtk_list_box_row_set_child (self->transcript_row, scrolled);
    }

  gtk_widget_set_visible (GTK_WIDGET (self->copy_button), lines != NULL && lines->len > 0);
}

/* Construct-only: a record of the history never changes. */
static void
poste_history_row_set_report (PosteHistoryRow          *self,
                              const PosteSessionReport *report)
{
  g_autofree char *what = NULL;
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;

  g_assert (self->report == NULL);

  if (report == NULL)
    return;

  self->report = poste_session_report_copy (report);

  what = poste_window_describe_report (report);
  /* Translators: "<provider>: <what happened>", a session in the history */
  title = g_strdup_printf (_("%s: %s"), report->provider, what);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), title);
  subtitle = describe_subtitle (report);
  adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (self), subtitle);

  show_outcome (self);
  show_transcript (self);
}

/**
 * poste_history_row_new:
 * @report: a session's report, from the history
 *
 * Returns: (transfer floating): a new row showing @report (it keeps a copy)
 */
GtkWidget *
poste_history_row_new (const PosteSessionReport *report)
{
  g_return_val_if_fail (report != NULL, NULL);

  return g_object_new (POSTE_TYPE_HISTORY_ROW,
                       "report", report,
                       NULL);
}

/**
 * poste_history_row_get_report:
 * @self: a #PosteHistoryRow
 *
 * Returns: (transfer none): the report the row shows
 */
const PosteSessionReport *
poste_history_row_get_report (PosteHistoryRow *self)
{
  g_return_val_if_fail (POSTE_IS_HISTORY_ROW (self), NULL);

  return self->report;
}

static void
poste_history_row_constructed (GObject *object)
{
  PosteHistoryRow *self = (PosteHistoryRow *)object;

  G_OBJECT_CLASS (poste_history_row_parent_class)->constructed (object);

  /* Once the title is set: both read it. */
  poste_accessible_track_expanded (ADW_EXPANDER_ROW (self));
  poste_accessible_fix (GTK_WIDGET (self));
}

static void
poste_history_row_finalize (GObject *object)
{
  PosteHistoryRow *self = (PosteHistoryRow *)object;

  g_clear_pointer (&self->report, poste_session_report_free);

  G_OBJECT_CLASS (poste_history_row_parent_class)->finalize (object);
}

static void
poste_history_row_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  PosteHistoryRow *self = POSTE_HISTORY_ROW (object);

  switch (prop_id)
    {
    case PROP_REPORT:
      g_value_set_boxed (value, self->report);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
poste_history_row_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  PosteHistoryRow *self = POSTE_HISTORY_ROW (object);

  switch (prop_id)
    {
    case PROP_REPORT:
      poste_history_row_set_report (self, g_value_get_boxed (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
poste_history_row_class_init (PosteHistoryRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = poste_history_row_constructed;
  object_class->finalize = poste_history_row_finalize;
  object_class->get_property = poste_history_row_get_property;
  object_class->set_property = poste_history_row_set_property;

  properties[PROP_REPORT] =
    g_param_spec_boxed ("report", NULL, NULL,
                        POSTE_TYPE_SESSION_REPORT,
                        (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/posterestante/PosteRestante/ui/poste-history-row.ui");
  gtk_widget_class_bind_template_child (widget_class, PosteHistoryRow, icon);
  gtk_widget_class_bind_template_child (widget_class, PosteHistoryRow, copy_button);
  gtk_widget_class_bind_template_child (widget_class, PosteHistoryRow, transcript_row);
  gtk_widget_class_bind_template_child (widget_class, PosteHistoryRow, transcript_label);
  gtk_widget_class_bind_template_callback (widget_class, copy_transcript_clicked_cb);
}

static void
poste_history_row_init (PosteHistoryRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
