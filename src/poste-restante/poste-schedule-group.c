/* poste-schedule-group.c: when a provider fetches, in the provider editor
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * How often (a few choices, or any number of minutes), on which days (a toggle for each) and
 * between which hours (two HH:MM clocks, or all day): the `interval`, `active-days` and
 * `active-hours` keys, whose format poste-active-window.c reads. The group gives back the keys'
 * text, as properties that notify when what the controls mean changes.
 */
#include "config.h"

#include <glib/gi18n.h>

#include <poste-active-window.h>

#include "poste-accessible.h"
#include "poste-schedule-group.h"

struct _PosteScheduleGroup
{
  AdwPreferencesGroup  parent_instance;

  /* What the controls mean, as the keys' text (NULL: every day, all day). */
  guint                interval;
  char                *active_hours;
  char                *active_days;

  /* The schedule's text as the file had it, kept when the controls still mean the same. */
  char                *loaded_hours;
  char                *loaded_days;

  /* Template children */
  AdwComboRow         *schedule_row;
  AdwActionRow        *custom_interval_row;
  GtkSpinButton       *interval_spin;
  AdwActionRow        *days_row;
  GtkBox              *days_box;
  GtkLabel            *days_error_label;
  GtkSwitch           *all_day_switch;
  AdwActionRow        *from_row;
  AdwActionRow        *until_row;
  GtkBox              *from_box;
  GtkBox              *until_box;

  /* Built in init: Monday to Sunday, and the hour and minute of each end of the window. */
  GtkToggleButton     *day_buttons[7];
  GtkSpinButton       *from_hour;
  GtkSpinButton       *from_minute;
  GtkSpinButton       *until_hour;
  GtkSpinButton       *until_minute;

  /* The days' error shows only once the user has changed them. */
  guint                days_touched : 1;
};

G_DEFINE_FINAL_TYPE (PosteScheduleGroup, poste_schedule_group, ADW_TYPE_PREFERENCES_GROUP)

enum {
  PROP_0,
  PROP_INTERVAL,
  PROP_ACTIVE_HOURS,
  PROP_ACTIVE_DAYS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Said beside the days and by poste_schedule_group_check(). */
static const char *no_day_message = N_("Choose at least one day.");

/* The choices of the schedule row, in minutes; the last row is "At another interval". */
static const guint interval_presets[] = { 0, 5, 15, 30, 60 };
#define SCHEDULE_CUSTOM G_N_ELEMENTS (interval_presets)

static const char * const day_keys[] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };

static guint
schedule_get_interval (PosteScheduleGroup *self)
{
  guint selected = adw_combo_row_get_selected (self->schedule_row);

  if (selected < G_N_ELEMENTS (interval_presets))
    return interval_presets[selected];
  return (guint)gtk_spin_button_get_value_as_int (self->interval_spin);
}

static void
schedule_set_interval (PosteScheduleGroup *self,
                       guint               minutes)
{
  for (guint i = 0; i < G_N_ELEMENTS (interval_presets); i++)
    {
      if (interval_presets[i] == minutes)
        {
          adw_combo_row_set_selected (self->schedule_row, i);
          return;
        }
    }

  gtk_spin_button_set_value (self->interval_spin, minutes);
  adw_combo_row_set_selected (self->schedule_row, SCHEDULE_CUSTOM);
}

static guint
schedule_get_day_mask (PosteScheduleGroup *self)
{
  guint mask = 0;

  for (guint i = 0; i < G_N_ELEMENTS (self->day_buttons); i++)
    if (gtk_toggle_button_get_active (self->day_buttons[i]))
      mask |= 1u << i;

  return mask;
}

/* The active-days text the controls mean: NULL for every day, the file's own text when it means
 * the same days ("mon-fri" stays "mon-fri"), else the days in order, "mon;tue;wed". */
static char *
schedule_dup_days (PosteScheduleGroup *self)
{
  guint mask = schedule_get_day_mask (self);
  PosteActiveWindow loaded;
  g_autoptr(GStrvBuilder) builder = NULL;
  g_auto(GStrv) keys = NULL;

  if (self->loaded_days != NULL &&
      poste_active_window_parse (NULL, self->loaded_days, &loaded, NULL) &&
      loaded.days == mask)
    return g_strdup (self->loaded_days);
  if (mask == POSTE_ACTIVE_WINDOW_ALL_DAYS)
    return NULL;

  builder = g_strv_builder_new ();
  for (guint i = 0; i < G_N_ELEMENTS (day_keys); i++)
    if (mask & (1u << i))
      g_strv_builder_add (builder, day_keys[i]);
  keys = g_strv_builder_end (builder);

  return g_strjoinv (";", keys);
}

/* The active-hours text: NULL for all day, the file's own text when it means the same window
 * ("8:00-24:00" stays as written), else "HH:MM-HH:MM". */
static char *
schedule_dup_hours (PosteScheduleGroup *self)
{
  guint start, end;
  PosteActiveWindow loaded;

  if (gtk_switch_get_active (self->all_day_switch))
    return NULL;

  start = (guint)gtk_spin_button_get_value_as_int (self->from_hour) * 60 +
          (guint)gtk_spin_button_get_value_as_int (self->from_minute);
  end = (guint)gtk_spin_button_get_value_as_int (self->until_hour) * 60 +
        (guint)gtk_spin_button_get_value_as_int (self->until_minute);

  if (self->loaded_hours != NULL &&
      poste_active_window_parse (self->loaded_hours, NULL, &loaded, NULL) &&
      loaded.start == start && loaded.end == end)
    return g_strdup (self->loaded_hours);

  return g_strdup_printf ("%02u:%02u-%02u:%02u", start / 60, start % 60, end / 60, end % 60);
}

static void
schedule_load (PosteScheduleGroup *self,
               const char         *hours,
               const char         *days)
{
  PosteActiveWindow window;

  g_clear_pointer (&self->loaded_hours, g_free);
  g_clear_pointer (&self->loaded_days, g_free);
  if (!poste_active_window_parse (hours, days, &window, NULL))
    return;
  self->loaded_hours = hours != NULL && hours[0] != '\0' ? g_strdup (hours) : NULL;
  self->loaded_days = days != NULL && days[0] != '\0' ? g_strdup (days) : NULL;

  for (guint i = 0; i < G_N_ELEMENTS (self->day_buttons); i++)
    gtk_toggle_button_set_active (self->day_buttons[i], (window.days & (1u << i)) != 0);

  gtk_switch_set_active (self->all_day_switch, self->loaded_hours == NULL);
  if (self->loaded_hours == NULL)
    return;
  gtk_spin_button_set_value (self->from_hour, window.start / 60);
  gtk_spin_button_set_value (self->from_minute, window.start % 60);
  gtk_spin_button_set_value (self->until_hour, window.end / 60);
  gtk_spin_button_set_value (self->until_minute, window.end % 60);
}

/* No day at all: said beside the days, once the user has changed them. */
static void
update_days_error (PosteScheduleGroup *self)
{
  if (schedule_get_day_mask (self) == 0)
    {
      gtk_label_set_text (self->days_error_label, _(no_day_message));
      gtk_widget_set_visible (GTK_WIDGET (self->days_error_label), self->days_touched);
    }
  else
    gtk_widget_set_visible (GTK_WIDGET (self->days_error_label), FALSE);
}

/* A control changed: what the controls mean now, notified where it changed. */
static void
schedule_changed (PosteScheduleGroup *self)
{
  guint interval = schedule_get_interval (self);
  g_autofree char *hours = schedule_dup_hours (self);
  g_autofree char *days = schedule_dup_days (self);

  update_days_error (self);

  g_object_freeze_notify (G_OBJECT (self));
  if (self->interval != interval)
    {
      self->interval = interval;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INTERVAL]);
    }
  if (g_strcmp0 (self->active_hours, hours) != 0)
    {
      g_free (self->active_hours);
      self->active_hours = g_steal_pointer (&hours);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTIVE_HOURS]);
    }
  if (g_strcmp0 (self->active_days, days) != 0)
    {
      g_free (self->active_days);
      self->active_days = g_steal_pointer (&days);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTIVE_DAYS]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

static void
schedule_update_visibility (PosteScheduleGroup *self)
{
  gboolean hours = !gtk_switch_get_active (self->all_day_switch);

  gtk_widget_set_visible (GTK_WIDGET (self->custom_interval_row),
                          adw_combo_row_get_selected (self->schedule_row) == SCHEDULE_CUSTOM);
  gtk_widget_set_visible (GTK_WIDGET (self->from_row), hours);
  gtk_widget_set_visible (GTK_WIDGET (self->until_row), hours);
}

/* Two digits always, as a clock shows them. */
static gboolean
time_spin_output_cb (GtkSpinButton *spin)
{
  g_autofree char *text = g_strdup_printf ("%02d", gtk_spin_button_get_value_as_int (spin));

  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (spin)), text) != 0)
    gtk_editable_set_text (GTK_EDITABLE (spin), text);
  return TRUE;
}

static GtkSpinButton *
add_time_spin (GtkBox     *box,
               guint       upper,
               const char *accessible_name)
{
  GtkSpinButton *spin = GTK_SPIN_BUTTON (gtk_spin_button_new_with_range (0, upper, 1));

  gtk_spin_button_set_wrap (spin, TRUE);
  gtk_spin_button_set_numeric (spin, TRUE);
  gtk_orientable_set_orientation (GTK_ORIENTABLE (spin), GTK_ORIENTATION_VERTICAL);
  gtk_editable_set_width_chars (GTK_EDITABLE (spin), 2);
  gtk_accessible_update_property (GTK_ACCESSIBLE (spin), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  accessible_name, -1);
  g_signal_connect (spin, "output", G_CALLBACK (time_spin_output_cb), NULL);
  gtk_box_append (box, GTK_WIDGET (spin));
  return spin;
}

static void
schedule_day_toggled (PosteScheduleGroup *self)
{
  self->days_touched = TRUE;
  schedule_changed (self);
}

static void
schedule_init (PosteScheduleGroup *self)
{
  /* 1 January 2024 was a Monday: the locale's own short and full day names. */
  g_autoptr(GDateTime) monday = g_date_time_new_utc (2024, 1, 1, 12, 0, 0);

  /* Every 15 minutes unless the user says otherwise (before anything listens). */
  adw_combo_row_set_selected (self->schedule_row, 2);

  for (guint i = 0; i < G_N_ELEMENTS (self->day_buttons); i++)
    {
      g_autoptr(GDateTime) day = g_date_time_add_days (monday, (int)i);
      g_autofree char *short_name = g_date_time_format (day, "%a");
      g_autofree char *long_name = g_date_time_format (day, "%A");
      GtkWidget *button = gtk_toggle_button_new_with_label (short_name);

      gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (button), TRUE);
      gtk_widget_set_tooltip_text (button, long_name);
      /* The full name, not the abbreviation shown. */
      poste_accessible_name_button (GTK_BUTTON (button), long_name);
      gtk_widget_add_css_class (button, "circular");
      gtk_box_append (self->days_box, button);
      self->day_buttons[i] = GTK_TOGGLE_BUTTON (button);
      g_signal_connect_object (button, "toggled", G_CALLBACK (schedule_day_toggled), self,
                               G_CONNECT_SWAPPED);
    }
  gtk_accessible_update_relation (GTK_ACCESSIBLE (self->days_box),
                                  GTK_ACCESSIBLE_RELATION_LABELLED_BY, self->days_row, NULL, -1);

  self->from_hour = add_time_spin (self->from_box, 23, _("Hour"));
  gtk_box_append (self->from_box, gtk_label_new (":"));
  self->from_minute = add_time_spin (self->from_box, 59, _("Minute"));
  self->until_hour = add_time_spin (self->until_box, 23, _("Hour"));
  gtk_box_append (self->until_box, gtk_label_new (":"));
  self->until_minute = add_time_spin (self->until_box, 59, _("Minute"));
  /* A sensible window to start from once All Day is turned off. */
  gtk_spin_button_set_value (self->from_hour, 8);
  gtk_spin_button_set_value (self->until_hour, 19);

  {
    GtkSpinButton *spins[] = { self->interval_spin, self->from_hour, self->from_minute,
                               self->until_hour, self->until_minute };

    for (guint i = 0; i < G_N_ELEMENTS (spins); i++)
      g_signal_connect_object (spins[i], "value-changed",
                               G_CALLBACK (schedule_changed), self, G_CONNECT_SWAPPED);
  }
  g_signal_connect_object (self->schedule_row, "notify::selected",
                           G_CALLBACK (schedule_update_visibility), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->schedule_row, "notify::selected",
                           G_CALLBACK (schedule_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->all_day_switch, "notify::active",
                           G_CALLBACK (schedule_update_visibility), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->all_day_switch, "notify::active",
                           G_CALLBACK (schedule_changed), self, G_CONNECT_SWAPPED);

  schedule_update_visibility (self);
  /* What the controls mean to start with: nobody listens yet, nothing to notify. */
  self->interval = schedule_get_interval (self);
  self->active_hours = schedule_dup_hours (self);
  self->active_days = schedule_dup_days (self);
}

/**
 * poste_schedule_group_load:
 * @self: a #PosteScheduleGroup
 * @interval: minutes between fetches, 0 for on demand
 * @active_hours: (nullable): the `active-hours` key as the file has it
 * @active_days: (nullable): the `active-days` key as the file has it
 *
 * Shows the controls for a provider's schedule. Text the core cannot read leaves the defaults
 * (the configuration never holds such text: it is validated when loaded); text that means what
 * the controls show is given back as it was written ("mon-fri" stays "mon-fri").
 */
void
poste_schedule_group_load (PosteScheduleGroup *self,
                           guint               interval,
                           const char         *active_hours,
                           const char         *active_days)
{
  g_return_if_fail (POSTE_IS_SCHEDULE_GROUP (self));

  schedule_set_interval (self, interval);
  schedule_load (self, active_hours, active_days);
  /* The file's own text may mean what the controls already showed. */
  schedule_changed (self);
}

/**
 * poste_schedule_group_get_interval:
 * @self: a #PosteScheduleGroup
 *
 * Returns: the minutes between fetches, 0 for on demand
 */
guint
poste_schedule_group_get_interval (PosteScheduleGroup *self)
{
  g_return_val_if_fail (POSTE_IS_SCHEDULE_GROUP (self), 0);

  return self->interval;
}

/**
 * poste_schedule_group_get_active_hours:
 * @self: a #PosteScheduleGroup
 *
 * Returns: (nullable): the `active-hours` text the controls mean, "HH:MM-HH:MM", or %NULL for
 *   all day
 */
const char *
poste_schedule_group_get_active_hours (PosteScheduleGroup *self)
{
  g_return_val_if_fail (POSTE_IS_SCHEDULE_GROUP (self), NULL);

  return self->active_hours;
}

/**
 * poste_schedule_group_get_active_days:
 * @self: a #PosteScheduleGroup
 *
 * Returns: (nullable): the `active-days` text the controls mean, "mon;tue", or %NULL for every
 *   day
 */
const char *
poste_schedule_group_get_active_days (PosteScheduleGroup *self)
{
  g_return_val_if_fail (POSTE_IS_SCHEDULE_GROUP (self), NULL);

  return self->active_days;
}

/**
 * poste_schedule_group_check:
 * @self: a #PosteScheduleGroup
 * @error: return location for a #GError
 *
 * Checks that the schedule can be kept: at least one day is chosen.
 *
 * Returns: %TRUE if so; otherwise %FALSE, with @error set in the %G_IO_ERROR domain
 *   (%G_IO_ERROR_INVALID_ARGUMENT) to the message shown beside the days
 */
gboolean
poste_schedule_group_check (PosteScheduleGroup  *self,
                            GError             **error)
{
  g_return_val_if_fail (POSTE_IS_SCHEDULE_GROUP (self), FALSE);

  if (schedule_get_day_mask (self) != 0)
    return TRUE;

  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _(no_day_message));
  return FALSE;
}

static void
poste_schedule_group_finalize (GObject *object)
{
  PosteScheduleGroup *self = (PosteScheduleGroup *)object;

  g_clear_pointer (&self->active_hours, g_free);
  g_clear_pointer (&self->active_days, g_free);
  g_clear_pointer (&self->loaded_hours, g_free);
  g_clear_pointer (&self->loaded_days, g_free);

  G_OBJECT_CLASS (poste_schedule_group_parent_class)->finalize (object);
}

static void
poste_schedule_group_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  PosteScheduleGroup *self = POSTE_SCHEDULE_GROUP (object);

  switch (prop_id)
    {
    case PROP_INTERVAL:
      g_value_set_uint (value, self->interval);
      break;
    case PROP_ACTIVE_HOURS:
      g_value_set_string (value, self->active_hours);
      break;
    case PROP_ACTIVE_DAYS:
      g_value_set_string (value, self->active_days);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
poste_schedule_group_class_init (PosteScheduleGroupClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = poste_schedule_group_finalize;
  object_class->get_property = poste_schedule_group_get_property;

  properties[PROP_INTERVAL] =
    g_param_spec_uint ("interval", NULL, NULL,
                       0, G_MAXUINT, 15,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_ACTIVE_HOURS] =
    g_param_spec_string ("active-hours", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_ACTIVE_DAYS] =
    g_param_spec_string ("active-days", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/posterestante/PosteRestante/ui/poste-schedule-group.ui");
  gtk_widget_class_bind_template_child (widget_class, PosteScheduleGroup, schedule_row);
  gtk_widget_class_bind_template_child (widget_class, PosteScheduleGroup, custom_interval_row);
  gtk_widget_class_bind_template_child (widget_class, PosteScheduleGroup, interval_spin);
  gtk_widget_class_bind_template_child (widget_class, PosteScheduleGroup, days_row);
  gtk_widget_class_bind_template_child (widget_class, PosteScheduleGroup, days_box);
  gtk_widget_class_bind_template_child (widget_class, PosteScheduleGroup, days_error_label);
  gtk_widget_class_bind_template_child (widget_class, PosteScheduleGroup, all_day_switch);
  gtk_widget_class_bind_template_child (widget_class, PosteScheduleGroup, from_row);
  gtk_widget_class_bind_template_child (widget_class, PosteScheduleGroup, until_row);
  gtk_widget_class_bind_template_child (widget_class, PosteScheduleGroup, from_box);
  gtk_widget_class_bind_template_child (widget_class, PosteScheduleGroup, until_box);
}

static void
poste_schedule_group_init (PosteScheduleGroup *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  schedule_init (self);
}
