/* poste-provider-row.c: a provider in the main window's list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The provider's name, its server and domains, how its last fetch went, when it fetches next,
 * and its Fetch Now and Edit buttons (a spinner while it fetches). The row shows what the window
 * tells it through its properties; it reads nothing from the application itself.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "poste-accessible.h"
#include "poste-provider-row.h"
#include "poste-window-format.h"

struct _PosteProviderRow
{
  AdwActionRow        parent_instance;

  PosteProvider      *provider;
  PosteSessionReport *report;
  char               *schedule;
  gboolean            running;

  /* Template children */
  GtkImage           *icon;
  GtkLabel           *schedule_label;
  GtkSpinner         *spinner;
  GtkButton          *fetch_button;
  GtkButton          *edit_button;
};

G_DEFINE_FINAL_TYPE (PosteProviderRow, poste_provider_row, ADW_TYPE_ACTION_ROW)

enum {
  PROP_0,
  PROP_PROVIDER,
  PROP_REPORT,
  PROP_SCHEDULE,
  PROP_RUNNING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* "<server> · <domains>", then the last fetch: the two halves come from two properties. */
static void
update_subtitle (PosteProviderRow *self)
{
  const char * const *domains;
  g_autofree char *domain_list = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *last = NULL;
  g_autofree char *both = NULL;

  if (self->provider == NULL)
    return;

  domains = poste_provider_get_domains (self->provider);
  if (domains != NULL && domains[0] != NULL)
    domain_list = g_strjoinv (", ", (char **)domains);
  else
    /* Translators: an ODMR request without a domain list asks for all of the account's domains */
    domain_list = g_strdup (_("all of the account’s domains"));

  if (self->report != NULL)
    {
      g_autofree char *when = _poste_window_format_when (self->report->started);
      g_autofree char *what = poste_window_describe_report (self->report);

      /* Translators: "<time>: <what happened>", the last fetch under a provider's name */
      last = g_strdup_printf (_("Last fetch %s: %s"), when, what);
    }
  else
    last = g_strdup (_("Not fetched yet"));

  /* Translators: "<server> · <domains>", under a provider's name */
  subtitle = g_strdup_printf (_("%s · %s"), poste_provider_get_host (self->provider), domain_list);
  both = g_strdup_printf ("%s\n%s", subtitle, last);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self), both);
}

static void
update_icon (PosteProviderRow *self)
{
  gboolean failed;

  if (self->report == NULL)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->icon), FALSE);
      return;
    }

  failed = self->report->outcome == POSTE_SESSION_OUTCOME_FAILED;
  gtk_widget_set_visible (GTK_WIDGET (self->icon), TRUE);
  gtk_image_set_from_icon_name (self->icon,
                                failed ? "dialog-warning-symbolic"
                                : self->report->outcome == POSTE_SESSION_OUTCOME_MAIL ? "mail-unread-symbolic"
                                : "emblem-ok-symbolic");
  gtk_widget_remove_css_class (GTK_WIDGET (self->icon), failed ? "success" : "warning");
  gtk_widget_add_css_class (GTK_WIDGET (self->icon), failed ? "warning" : "success");
  poste_accessible_name_image (self->icon, failed ? _("Last fetch failed") : _("Last fetch succeeded"));
}

/* Whether @a and @b would show the same in the row: a copy of the same report is no change. */
static gboolean
report_shows_same (const PosteSessionReport *a,
                   const PosteSessionReport *b)
{
  g_autofree char *what_a = NULL;
  g_autofree char *what_b = NULL;

  if (a == NULL || b == NULL)
    return a == b;
  if (a->outcome != b->outcome)
    return FALSE;
  if ((a->started == NULL) != (b->started == NULL) ||
      (a->started != NULL && !g_date_time_equal (a->started, b->started)))
    return FALSE;

  what_a = poste_window_describe_report (a);
  what_b = poste_window_describe_report (b);
  return g_strcmp0 (what_a, what_b) == 0;
}

/**
 * poste_provider_row_new:
 * @provider: the #PosteProvider the row shows
 *
 * Returns: (transfer floating): a new #PosteProviderRow
 */
GtkWidget *
poste_provider_row_new (PosteProvider *provider)
{
  g_return_val_if_fail (POSTE_IS_PROVIDER (provider), NULL);

  return g_object_new (POSTE_TYPE_PROVIDER_ROW,
                       "provider", provider,
                       NULL);
}

/**
 * poste_provider_row_get_provider:
 * @self: a #PosteProviderRow
 *
 * Returns: (transfer none) (nullable): the provider the row shows
 */
PosteProvider *
poste_provider_row_get_provider (PosteProviderRow *self)
{
  g_return_val_if_fail (POSTE_IS_PROVIDER_ROW (self), NULL);

  return self->provider;
}

/**
 * poste_provider_row_set_provider:
 * @self: a #PosteProviderRow
 * @provider: (nullable): the provider to show
 *
 * Shows @provider: its display name as the title, its server and domains, and its
 * configuration name as the target of the row's actions (`app.edit-provider`,
 * `app.fetch-provider`) and in the buttons' accessible names. A provider renamed in the editor
 * keeps its configuration name, so the actions still find it.
 */
void
poste_provider_row_set_provider (PosteProviderRow *self,
                                 PosteProvider    *provider)
{
  const char *name;
  g_autofree char *fetch_label = NULL;
  g_autofree char *edit_label = NULL;

  g_return_if_fail (POSTE_IS_PROVIDER_ROW (self));
  g_return_if_fail (provider == NULL || POSTE_IS_PROVIDER (provider));

  if (!g_set_object (&self->provider, provider))
    return;

  if (provider != NULL)
    {
      name = poste_provider_get_name (provider);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), poste_provider_get_display_name (provider));
      gtk_actionable_set_action_target (GTK_ACTIONABLE (self), "s", name);
      gtk_actionable_set_action_target (GTK_ACTIONABLE (self->fetch_button), "s", name);
      gtk_actionable_set_action_target (GTK_ACTIONABLE (self->edit_button), "s", name);

      fetch_label = g_strdup_printf (_("Fetch mail from %s now"), name);
      poste_accessible_name_button (self->fetch_button, fetch_label);
      edit_label = g_strdup_printf (_("Edit %s"), name);
      poste_accessible_name_button (self->edit_button, edit_label);
      update_subtitle (self);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROVIDER]);
}

/**
 * poste_provider_row_get_report:
 * @self: a #PosteProviderRow
 *
 * Returns: (transfer none) (nullable): the report of the provider's last session
 */
const PosteSessionReport *
poste_provider_row_get_report (PosteProviderRow *self)
{
  g_return_val_if_fail (POSTE_IS_PROVIDER_ROW (self), NULL);

  return self->report;
}

/**
 * poste_provider_row_set_report:
 * @self: a #PosteProviderRow
 * @report: (nullable): the report of the provider's last session, or %NULL if it never fetched
 *
 * Shows how the last fetch went, in the subtitle's second line and as the row's icon. The row
 * keeps a copy. A report that would show the same as the current one is no change.
 */
void
poste_provider_row_set_report (PosteProviderRow         *self,
                               const PosteSessionReport *report)
{
  g_return_if_fail (POSTE_IS_PROVIDER_ROW (self));

  if (report_shows_same (self->report, report))
    return;

  g_clear_pointer (&self->report, poste_session_report_free);
  if (report != NULL)
    self->report = poste_session_report_copy (report);
  update_subtitle (self);
  update_icon (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REPORT]);
}

/**
 * poste_provider_row_get_schedule:
 * @self: a #PosteProviderRow
 *
 * Returns: (transfer none): what the row says of the provider's schedule
 */
const char *
poste_provider_row_get_schedule (PosteProviderRow *self)
{
  g_return_val_if_fail (POSTE_IS_PROVIDER_ROW (self), NULL);

  return self->schedule != NULL ? self->schedule : "";
}

/**
 * poste_provider_row_set_schedule:
 * @self: a #PosteProviderRow
 * @schedule: (nullable): when the provider fetches next, translated ("Next at 14:05")
 */
void
poste_provider_row_set_schedule (PosteProviderRow *self,
                                 const char       *schedule)
{
  g_return_if_fail (POSTE_IS_PROVIDER_ROW (self));

  if (g_strcmp0 (poste_provider_row_get_schedule (self), schedule != NULL ? schedule : "") == 0)
    return;

  g_free (self->schedule);
  self->schedule = g_strdup (schedule);
  gtk_label_set_text (self->schedule_label, poste_provider_row_get_schedule (self));

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SCHEDULE]);
}

/**
 * poste_provider_row_get_running:
 * @self: a #PosteProviderRow
 *
 * Returns: whether a session of the provider is running
 */
gboolean
poste_provider_row_get_running (PosteProviderRow *self)
{
  g_return_val_if_fail (POSTE_IS_PROVIDER_ROW (self), FALSE);

  return self->running;
}

/**
 * poste_provider_row_set_running:
 * @self: a #PosteProviderRow
 * @running: whether a session of the provider is running
 *
 * While it runs, a spinner stands in for the Fetch Now button.
 */
void
poste_provider_row_set_running (PosteProviderRow *self,
                                gboolean          running)
{
  g_return_if_fail (POSTE_IS_PROVIDER_ROW (self));

  running = !!running;
  if (self->running == running)
    return;

  self->running = running;
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), running);
  gtk_spinner_set_spinning (self->spinner, running);
  gtk_widget_set_visible (GTK_WIDGET (self->fetch_button), !running);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

static void
poste_provider_row_finalize (GObject *object)
{
  PosteProviderRow *self = (PosteProviderRow *)object;

  g_clear_object (&self->provider);
  g_clear_pointer (&self->report, poste_session_report_free);
  g_clear_pointer (&self->schedule, g_free);

  G_OBJECT_CLASS (poste_provider_row_parent_class)->finalize (object);
}

static void
poste_provider_row_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  PosteProviderRow *self = POSTE_PROVIDER_ROW (object);

  switch (prop_id)
    {
    case PROP_PROVIDER:
      g_value_set_object (value, self->provider);
      break;
    case PROP_REPORT:
      g_value_set_boxed (value, self->report);
      break;
    case PROP_SCHEDULE:
      g_value_set_string (value, poste_provider_row_get_schedule (self));
      break;
    case PROP_RUNNING:
      g_value_set_boolean (value, self->running);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
poste_provider_row_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  PosteProviderRow *self = POSTE_PROVIDER_ROW (object);

  switch (prop_id)
    {
    case PROP_PROVIDER:
      poste_provider_row_set_provider (self, g_value_get_object (value));
      break;
    case PROP_REPORT:
      poste_provider_row_set_report (self, g_value_get_boxed (value));
      break;
    case PROP_SCHEDULE:
      poste_provider_row_set_schedule (self, g_value_get_string (value));
      break;
    case PROP_RUNNING:
      poste_provider_row_set_running (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
poste_provider_row_class_init (PosteProviderRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = poste_provider_row_finalize;
  object_class->get_property = poste_provider_row_get_property;
  object_class->set_property = poste_provider_row_set_property;

  /* Set while the row is built, so that its actions have their target before it is shown. */
  properties[PROP_PROVIDER] =
    g_param_spec_object ("provider", NULL, NULL,
                         POSTE_TYPE_PROVIDER,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT |
                          G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_REPORT] =
    g_param_spec_boxed ("report", NULL, NULL,
                        POSTE_TYPE_SESSION_REPORT,
                        (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_SCHEDULE] =
    g_param_spec_string ("schedule", NULL, NULL,
                         "",
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/posterestante/PosteRestante/ui/poste-provider-row.ui");
  gtk_widget_class_bind_template_child (widget_class, PosteProviderRow, icon);
  gtk_widget_class_bind_template_child (widget_class, PosteProviderRow, schedule_label);
  gtk_widget_class_bind_template_child (widget_class, PosteProviderRow, spinner);
  gtk_widget_class_bind_template_child (widget_class, PosteProviderRow, fetch_button);
  gtk_widget_class_bind_template_child (widget_class, PosteProviderRow, edit_button);
}

static void
poste_provider_row_init (PosteProviderRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  poste_accessible_name_image (self->icon, _("Not fetched yet"));
}
