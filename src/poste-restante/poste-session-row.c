/* poste-session-row.c: a session running now, in the main window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * "Fetching from <provider>", the session's phase and counts as they change, a progress bar and
 * a Stop button. The row follows its session's properties until it is removed.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "poste-accessible.h"
#include "poste-provider.h"
#include "poste-session-row.h"
#include "poste-window-format.h"

struct _PosteSessionRow
{
  GtkListBoxRow   parent_instance;

  PosteSession   *session;

  /* Template children */
  GtkLabel       *title_label;
  GtkLabel       *status_label;
  GtkButton      *stop_button;
  GtkProgressBar *progress;
};

G_DEFINE_FINAL_TYPE (PosteSessionRow, poste_session_row, GTK_TYPE_LIST_BOX_ROW)

enum {
  PROP_0,
  PROP_SESSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

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

/* ODMR never says how many messages a session brings (RFC 2645 has no count), so the bar never
 * shows a fraction of the session: it fills for one message when the provider declared that
 * message's size (SIZE=, RFC 1870), and otherwise pulses at each step, beside the counts. */
static void
update_progress (PosteSessionRow *self)
{
  PosteSession *session = self->session;
  PosteSessionState state = poste_session_get_state (session);
  guint messages = poste_session_get_messages (session);
  g_autofree char *counts = _poste_window_format_messages (messages, poste_session_get_bytes (session));
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

  gtk_label_set_text (self->status_label, text);
  if (receiving && total > 0)
    gtk_progress_bar_set_fraction (self->progress, MIN ((double)current / (double)total, 1.0));
  else if (state == POSTE_SESSION_STATE_DONE)
    gtk_progress_bar_set_fraction (self->progress, 1.0);
  else if (state == POSTE_SESSION_STATE_FAILED)
    gtk_progress_bar_set_fraction (self->progress, 0.0);
  else
    gtk_progress_bar_pulse (self->progress);
  /* The bar's value text says what is happening: a screen reader hears the progress as it
   * changes, as with the status line's live role. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->progress),
                                  GTK_ACCESSIBLE_PROPERTY_VALUE_TEXT, text, -1);
}

static void
session_notify_cb (PosteSessionRow *self,
                   GParamSpec      *pspec,
                   PosteSession    *session)
{
  update_progress (self);
}

/* Construct-only: a row follows one session from its start to its end. */
static void
poste_session_row_set_session (PosteSessionRow *self,
                               PosteSession    *session)
{
  static const char * const followed[] = {
    "notify::state", "notify::messages", "notify::bytes", "notify::current-size",
    "notify::current-total",
  };
  const char *name;
  g_autofree char *title = NULL;
  g_autofree char *stop_label = NULL;

  g_assert (self->session == NULL);

  if (session == NULL)
    return;

  self->session = g_object_ref (session);
  name = poste_provider_get_name (poste_session_get_provider (session));

  /* Translators: %s is a provider's name */
  title = g_strdup_printf (_("Fetching from %s"), name);
  gtk_label_set_text (self->title_label, title);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->progress),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);

  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->stop_button), "s", name);
  /* Translators: %s is a provider's name */
  stop_label = g_strdup_printf (_("Stop fetching from %s"), name);
  poste_accessible_name_button (self->stop_button, stop_label);

  for (guint i = 0; i < G_N_ELEMENTS (followed); i++)
    g_signal_connect_object (session, followed[i], G_CALLBACK (session_notify_cb), self,
                             G_CONNECT_SWAPPED);
  update_progress (self);
}

/**
 * poste_session_row_new:
 * @session: a running #PosteSession
 *
 * Returns: (transfer floating): a new row that follows @session
 */
GtkWidget *
poste_session_row_new (PosteSession *session)
{
  g_return_val_if_fail (POSTE_IS_SESSION (session), NULL);

  return g_object_new (POSTE_TYPE_SESSION_ROW,
                       "session", session,
                       NULL);
}

/**
 * poste_session_row_get_session:
 * @self: a #PosteSessionRow
 *
 * Returns: (transfer none): the session the row follows
 */
PosteSession *
poste_session_row_get_session (PosteSessionRow *self)
{
  g_return_val_if_fail (POSTE_IS_SESSION_ROW (self), NULL);

  return self->session;
}

static void
poste_session_row_dispose (GObject *object)
{
  PosteSessionRow *self = (PosteSessionRow *)object;

  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (poste_session_row_parent_class)->dispose (object);
}

static void
poste_session_row_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  PosteSessionRow *self = POSTE_SESSION_ROW (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
poste_session_row_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  PosteSessionRow *self = POSTE_SESSION_ROW (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      poste_session_row_set_session (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
poste_session_row_class_init (PosteSessionRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = poste_session_row_dispose;
  object_class->get_property = poste_session_row_get_property;
  object_class->set_property = poste_session_row_set_property;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL,
                         POSTE_TYPE_SESSION,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/posterestante/PosteRestante/ui/poste-session-row.ui");
  gtk_widget_class_bind_template_child (widget_class, PosteSessionRow, title_label);
  gtk_widget_class_bind_template_child (widget_class, PosteSessionRow, status_label);
  gtk_widget_class_bind_template_child (widget_class, PosteSessionRow, stop_button);
  gtk_widget_class_bind_template_child (widget_class, PosteSessionRow, progress);
}

static void
poste_session_row_init (PosteSessionRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
