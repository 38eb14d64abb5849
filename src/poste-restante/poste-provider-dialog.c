/* poste-provider-dialog.c: adding and editing a provider
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every key of a provider's configuration group, each field checked as it is typed (the row
 * turns red and the message below says why), with the same validation the configuration file
 * gets (poste_config_validate_provider()). The password goes to the Secret Service, never to
 * the file. Test Connection runs poste_session_check_async() (connect, TLS, EHLO, AUTH, and never
 * ATRN) and shows what it found; a certificate that cannot be verified opens the trust dialog,
 * whose Accept pins its fingerprint.
 */
#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include <poste-active-window.h>
#include <poste-check.h>
#include <poste-error.h>
#include <poste-fingerprint.h>
#include <poste-sandbox.h>
#include <poste-scheduler.h>
#include <poste-target.h>

#include "poste-accessible.h"
#include "poste-application.h"
#include "poste-config.h"
#include "poste-provider.h"
#include "poste-provider-dialog.h"
#include "poste-secrets.h"
#include "poste-trust-dialog.h"

/* Seconds a connection test may take at each step. */
#define TEST_TIMEOUT 30

typedef enum {
  DELIVERY_MAILDIR,
  DELIVERY_MBOX,
  DELIVERY_SERVER,
  DELIVERY_MDA,
} DeliveryKind;

struct _PosteProviderDialog
{
  AdwWindow             parent_instance;

  PosteApplication     *application;
  GCancellable         *cancellable;
  GCancellable         *test_cancellable;

  /* The provider being edited (its name), or NULL when adding one. */
  char                 *editing;

  /* The last connection test's result. */
  PosteCheckResult     *test_result;

  GtkFileChooserNative *chooser;

  /* Template children */
  AdwToastOverlay      *toast_overlay;
  GtkButton            *add_button;
  AdwPreferencesPage   *page;
  AdwEntryRow          *name_row;
  AdwEntryRow          *host_row;
  AdwEntryRow          *port_row;
  AdwComboRow          *security_row;
  AdwEntryRow          *username_row;
  AdwPasswordEntryRow  *password_row;
  GtkRevealer          *keyring_banner;
  GtkLabel             *keyring_banner_label;
  AdwPreferencesGroup  *account_group;
  AdwComboRow          *password_storage_row;
  AdwEntryRow          *domains_row;
  AdwComboRow          *auth_row;
  AdwComboRow          *delivery_kind_row;
  AdwEntryRow          *delivery_row;
  GtkButton            *delivery_choose_button;
  /* Other routes: one Route (below) per row of the group, in order. */
  AdwPreferencesGroup  *routes_group;
  GPtrArray            *routes;
  /* The schedule: how often, which days, which hours (poste-active-window.c's keys). */
  AdwComboRow          *schedule_row;
  AdwActionRow         *custom_interval_row;
  GtkSpinButton        *interval_spin;
  AdwActionRow         *days_row;
  GtkBox               *days_box;
  GtkLabel             *days_error_label;
  GtkSwitch            *all_day_switch;
  AdwActionRow         *from_row;
  AdwActionRow         *until_row;
  GtkBox               *from_box;
  GtkBox               *until_box;
  AdwExpanderRow       *security_expander;
  AdwEntryRow          *ca_file_row;
  AdwEntryRow          *pinned_row;
  AdwEntryRow          *client_certificate_row;
  AdwEntryRow          *password_file_row;
  AdwExpanderRow       *outbox_expander;
  AdwEntryRow          *submission_row;
  GtkSwitch            *send_with_fetch_switch;
  AdwPreferencesGroup  *test_group;
  GtkSpinner           *test_spinner;
  GtkButton            *test_button;
  GtkListBox           *test_list;
  GtkLabel             *message_label;
  AdwPreferencesGroup  *remove_group;

  /* Built in init: Monday to Sunday, and the hour and minute of each end of the window. */
  GtkToggleButton      *day_buttons[7];
  GtkSpinButton        *from_hour;
  GtkSpinButton        *from_minute;
  GtkSpinButton        *until_hour;
  GtkSpinButton        *until_minute;
  /* The schedule's text as the file had it, kept when the controls still mean the same. */
  char                 *loaded_hours;
  char                 *loaded_days;

  guint                 busy : 1;
  guint                 testing : 1;
  guint                 no_keyring : 1;
  /* Errors show beside a control only once the user has changed it. */
  guint                 days_touched : 1;
};

G_DEFINE_FINAL_TYPE (PosteProviderDialog, poste_provider_dialog, ADW_TYPE_WINDOW)

static const char *
entry_text (AdwEntryRow *row)
{
  return gtk_editable_get_text (GTK_EDITABLE (row));
}

static char *
stripped (AdwEntryRow *row)
{
  return g_strstrip (g_strdup (entry_text (row)));
}

/* The user has typed in @row since the dialog opened: only then may it turn red. */
static void
field_touched_cb (GtkWidget *row)
{
  g_object_set_data (G_OBJECT (row), "poste-touched", GINT_TO_POINTER (TRUE));
}

/* Marks @row valid (@message NULL) or not. A problem shows once the user has touched the field,
 * beside it: the row turns red and an error icon at its end says what is wrong (its tooltip);
 * for a screen reader the row is invalid, described by the message below the form. */
static void
mark_row_message (PosteProviderDialog *self,
                  gpointer             row,
                  const char          *message)
{
  GtkWidget *icon = g_object_get_data (G_OBJECT (row), "poste-error-icon");
  gboolean shown = message != NULL && g_object_get_data (G_OBJECT (row), "poste-touched") != NULL;

  if (icon == NULL && shown && ADW_IS_ENTRY_ROW (row))
    {
      icon = gtk_image_new_from_icon_name ("dialog-error-symbolic");
      gtk_widget_add_css_class (icon, "error");
      adw_entry_row_add_suffix (ADW_ENTRY_ROW (row), icon);
      g_object_set_data (G_OBJECT (row), "poste-error-icon", icon);
    }
  if (icon != NULL)
    {
      gtk_widget_set_visible (icon, shown);
      gtk_widget_set_tooltip_text (icon, shown && message[0] != '\0' ? message : NULL);
      if (shown && message[0] != '\0')
        poste_accessible_name_image (GTK_IMAGE (icon), message);
    }
  poste_accessible_set_invalid (GTK_WIDGET (row), shown ? GTK_WIDGET (self->message_label) : NULL);
}

static void
forget_touched (GtkWidget *widget)
{
  g_object_set_data (G_OBJECT (widget), "poste-touched", NULL);
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    forget_touched (child);
}

static void
mark_row (PosteProviderDialog *self,
          gpointer             row,
          gboolean             valid)
{
  mark_row_message (self, row, valid ? NULL : "");
}

/* Splits a list the way people type it: commas, semicolons or spaces. */
static GStrv
split_list (const char *text,
            const char *pattern)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) parts = g_regex_split_simple (pattern, text, 0, 0);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_strstrip (parts[i]);
      if (parts[i][0] != '\0')
        g_strv_builder_add (builder, parts[i]);
    }

  return g_strv_builder_end (builder);
}

/* The security and sign-in lists are the core's GEnum types, in their order, with the core's
 * labels: a position is mapped to a value through the type, never cast. */
typedef const char *(*EnumLabel) (int value);

static const char *
security_label (int value)
{
  return poste_security_get_label ((PosteSecurity) value);
}

static const char *
auth_label (int value)
{
  return poste_auth_get_label ((PosteAuth) value);
}

static void
fill_enum_row (AdwComboRow *row,
               GType        type,
               EnumLabel    label)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (type);
  g_autoptr(GtkStringList) list = gtk_string_list_new (NULL);

  for (guint i = 0; i < klass->n_values; i++)
    gtk_string_list_append (list, label (klass->values[i].value));
  adw_combo_row_set_model (row, G_LIST_MODEL (list));
}

static int
get_enum_row (AdwComboRow *row,
              GType        type,
              int          fallback)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (type);
  guint position = adw_combo_row_get_selected (row);

  return position < klass->n_values ? klass->values[position].value : fallback;
}

static void
set_enum_row (AdwComboRow *row,
              GType        type,
              int          value)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (type);

  for (guint i = 0; i < klass->n_values; i++)
    if (klass->values[i].value == value)
      adw_combo_row_set_selected (row, i);
}

static DeliveryKind
get_delivery_kind (PosteProviderDialog *self)
{
  guint position = adw_combo_row_get_selected (self->delivery_kind_row);

  return position <= DELIVERY_MDA ? (DeliveryKind)position : DELIVERY_MAILDIR;
}

/* The editor's field kinds and the core's target kinds: one "Server" field takes every target
 * that hands mail to a mail server (smtp://, lmtp://, lmtp:/socket). */
static PosteTargetKind
target_kind_for (DeliveryKind kind)
{
  switch (kind)
    {
    case DELIVERY_MBOX:
      return POSTE_TARGET_KIND_MBOX;
    case DELIVERY_SERVER:
      return POSTE_TARGET_KIND_SMTP;
    case DELIVERY_MDA:
      return POSTE_TARGET_KIND_MDA;
    case DELIVERY_MAILDIR:
    default:
      return POSTE_TARGET_KIND_MAILDIR;
    }
}

static DeliveryKind
delivery_kind_for (PosteTargetKind kind)
{
  switch (kind)
    {
    case POSTE_TARGET_KIND_MBOX:
      return DELIVERY_MBOX;
    case POSTE_TARGET_KIND_SMTP:
    case POSTE_TARGET_KIND_LMTP:
    case POSTE_TARGET_KIND_LMTP_SOCKET:
      return DELIVERY_SERVER;
    case POSTE_TARGET_KIND_MDA:
      return DELIVERY_MDA;
    case POSTE_TARGET_KIND_MAILDIR:
    default:
      return DELIVERY_MAILDIR;
    }
}

/* The target the fields describe, as text; one that does not parse is returned as typed (with
 * its scheme), so that the configuration's check names what is wrong with it. */
/* The target a kind list and a location field describe. */
static char *
target_from_rows (AdwComboRow *kind_row,
                  AdwEntryRow *location_row)
{
  g_autofree char *location = stripped (location_row);
  guint position = adw_combo_row_get_selected (kind_row);
  DeliveryKind kind = position <= DELIVERY_MDA ? (DeliveryKind)position : DELIVERY_MAILDIR;
  g_autoptr(PosteTarget) target = NULL;

  /* The server field also takes a whole smtp://, lmtp:// or lmtp: target. */
  if (kind == DELIVERY_SERVER && (target = poste_target_parse (location, NULL)) != NULL &&
      delivery_kind_for (poste_target_get_kind (target)) == DELIVERY_SERVER)
    return g_strdup (poste_target_get_spec (target));
  g_clear_pointer (&target, poste_target_free);
  if ((target = poste_target_new (target_kind_for (kind), location, NULL)) != NULL)
    return g_strdup (poste_target_get_spec (target));
  return g_strconcat (poste_target_kind_get_scheme (target_kind_for (kind)), location, NULL);
}

static void
target_to_rows (AdwComboRow *kind_row,
                AdwEntryRow *location_row,
                const char  *spec)
{
  g_autoptr(PosteTarget) target = poste_target_parse (spec, NULL);
  DeliveryKind kind = target != NULL ? delivery_kind_for (poste_target_get_kind (target))
                                     : DELIVERY_MAILDIR;
  const char *location = spec;

  /* A server target is shown whole (its scheme says SMTP or LMTP); the others by location. */
  if (target != NULL)
    location = kind == DELIVERY_SERVER ? poste_target_get_spec (target)
                                       : poste_target_get_location (target);

  adw_combo_row_set_selected (kind_row, kind);
  gtk_editable_set_text (GTK_EDITABLE (location_row), location);
}

static char *
build_target (PosteProviderDialog *self)
{
  return target_from_rows (self->delivery_kind_row, self->delivery_row);
}

static void
set_target (PosteProviderDialog *self,
            const char          *spec)
{
  target_to_rows (self->delivery_kind_row, self->delivery_row, spec);
}

/* What the location field of each kind is called. */
static const char *location_titles[] = {
  N_("Folder"),
  N_("File"),
  N_("Server (smtp://host:port, lmtp://host:port or lmtp:/socket)"),
  N_("Command (%F is the sender, %T the recipient)"),
};

static void poste_provider_dialog_update (PosteProviderDialog *self);

/* Routes */

/* One route: mail for an address or a domain goes to its own target ("route.ADDRESS=TARGET"). */
typedef struct {
  AdwExpanderRow *row;
  AdwEntryRow    *address_row;
  AdwComboRow    *kind_row;
  AdwEntryRow    *location_row;
  gboolean        touched;
} Route;

static void
route_changed (Route *route)
{
  g_autofree char *address = stripped (route->address_row);
  g_autofree char *target = target_from_rows (route->kind_row, route->location_row);
  guint kind = adw_combo_row_get_selected (route->kind_row);

  route->touched = TRUE;
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (route->row),
                                 address[0] != '\0' ? address : _("New Route"));
  adw_expander_row_set_subtitle (route->row, target);
  if (kind < G_N_ELEMENTS (location_titles))
    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (route->location_row), _(location_titles[kind]));
}

static void
route_remove_clicked (GtkButton           *button,
                      PosteProviderDialog *self)
{
  Route *route = g_object_get_data (G_OBJECT (button), "poste-route");

  adw_preferences_group_remove (self->routes_group, GTK_WIDGET (route->row));
  g_ptr_array_remove (self->routes, route);
  poste_provider_dialog_update (self);
}

/* Adds a row for @spec ("address=target"), or an empty one, expanded, for the user to fill. */
static Route *
routes_add (PosteProviderDialog *self,
            const char          *spec)
{
  Route *route = g_new0 (Route, 1);
  g_autoptr(GtkStringList) kinds = gtk_string_list_new (NULL);
  const char *eq = spec != NULL ? strchr (spec, '=') : NULL;
  GtkWidget *remove;

  gtk_string_list_append (kinds, _("Maildir folder"));
  gtk_string_list_append (kinds, _("Mbox file"));
  gtk_string_list_append (kinds, _("Local mail server"));
  gtk_string_list_append (kinds, _("Delivery program"));

  route->row = ADW_EXPANDER_ROW (adw_expander_row_new ());
  route->address_row = ADW_ENTRY_ROW (adw_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (route->address_row), _("Address or Domain"));
  route->kind_row = ADW_COMBO_ROW (adw_combo_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (route->kind_row), _("Deliver To"));
  adw_combo_row_set_model (route->kind_row, G_LIST_MODEL (kinds));
  route->location_row = ADW_ENTRY_ROW (adw_entry_row_new ());
  adw_expander_row_add_row (route->row, GTK_WIDGET (route->address_row));
  adw_expander_row_add_row (route->row, GTK_WIDGET (route->kind_row));
  adw_expander_row_add_row (route->row, GTK_WIDGET (route->location_row));

  remove = gtk_button_new_from_icon_name ("user-trash-symbolic");
  gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (remove, "flat");
  gtk_widget_set_tooltip_text (remove, _("Remove This Route"));
  poste_accessible_name_button (GTK_BUTTON (remove), _("Remove This Route"));
  g_object_set_data (G_OBJECT (remove), "poste-route", route);
  g_signal_connect_object (remove, "clicked", G_CALLBACK (route_remove_clicked), self, 0);
  adw_expander_row_add_action (route->row, remove);

  if (eq != NULL)
    {
      g_autofree char *address = g_strndup (spec, (gsize)(eq - spec));

      gtk_editable_set_text (GTK_EDITABLE (route->address_row), address);
      target_to_rows (route->kind_row, route->location_row, eq + 1);
    }
  else
    adw_expander_row_set_expanded (route->row, TRUE);
  route_changed (route);
  route->touched = FALSE;

  g_signal_connect_swapped (route->address_row, "changed", G_CALLBACK (route_changed), route);
  g_signal_connect_swapped (route->location_row, "changed", G_CALLBACK (route_changed), route);
  g_signal_connect_swapped (route->kind_row, "notify::selected", G_CALLBACK (route_changed), route);
  g_signal_connect_object (route->address_row, "changed", G_CALLBACK (poste_provider_dialog_update),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (route->location_row, "changed", G_CALLBACK (poste_provider_dialog_update),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (route->kind_row, "notify::selected",
                           G_CALLBACK (poste_provider_dialog_update), self, G_CONNECT_SWAPPED);

  poste_accessible_fix (GTK_WIDGET (route->row));
  adw_preferences_group_add (self->routes_group, GTK_WIDGET (route->row));
  g_ptr_array_add (self->routes, route);
  return route;
}

static void
poste_provider_dialog_add_route (GtkWidget  *widget,
                                 const char *action_name,
                                 GVariant   *param)
{
  PosteProviderDialog *self = POSTE_PROVIDER_DIALOG (widget);
  Route *route = routes_add (self, NULL);

  gtk_widget_grab_focus (GTK_WIDGET (route->address_row));
  poste_provider_dialog_update (self);
}

/* Schedule controls */

/* The choices of the schedule row, in minutes; the last row is "At another interval". */
static const guint interval_presets[] = { 0, 5, 15, 30, 60 };
#define SCHEDULE_CUSTOM G_N_ELEMENTS (interval_presets)

static const char * const day_keys[] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };

static guint
schedule_get_interval (PosteProviderDialog *self)
{
  guint selected = adw_combo_row_get_selected (self->schedule_row);

  if (selected < G_N_ELEMENTS (interval_presets))
    return interval_presets[selected];
  return (guint)gtk_spin_button_get_value_as_int (self->interval_spin);
}

static void
schedule_set_interval (PosteProviderDialog *self,
                       guint                minutes)
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
schedule_get_day_mask (PosteProviderDialog *self)
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
schedule_dup_days (PosteProviderDialog *self)
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
schedule_dup_hours (PosteProviderDialog *self)
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

/* Shows the controls for what the file says; text the core cannot read leaves the defaults
 * (the configuration never holds such text: it is validated when loaded). */
static void
schedule_load (PosteProviderDialog *self,
               PosteProvider       *provider)
{
  const char *hours = poste_provider_get_active_hours (provider);
  const char *days = poste_provider_get_active_days (provider);
  PosteActiveWindow window;

  schedule_set_interval (self, poste_provider_get_interval (provider));

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

static void
schedule_update_visibility (PosteProviderDialog *self)
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
schedule_day_toggled (PosteProviderDialog *self)
{
  self->days_touched = TRUE;
}

static void
schedule_init (PosteProviderDialog *self)
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
      g_signal_connect_object (button, "toggled", G_CALLBACK (poste_provider_dialog_update), self,
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
                               G_CALLBACK (poste_provider_dialog_update), self, G_CONNECT_SWAPPED);
  }
  g_signal_connect_object (self->schedule_row, "notify::selected",
                           G_CALLBACK (schedule_update_visibility), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->schedule_row, "notify::selected",
                           G_CALLBACK (poste_provider_dialog_update), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->all_day_switch, "notify::active",
                           G_CALLBACK (schedule_update_visibility), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->all_day_switch, "notify::active",
                           G_CALLBACK (poste_provider_dialog_update), self, G_CONNECT_SWAPPED);

  schedule_update_visibility (self);
}

/* Names */

/* The longest configuration name poste_config_check_name() takes. */
#define NAME_MAX_CHARS 64

/* A configuration name for what the user called the provider: letters and digits of any script
 * kept, runs of anything else made one '-', so "Mon fournisseur (travail)" is
 * "Mon-fournisseur-travail"; "-2", "-3"... when another provider has it already. The name names
 * the keyfile group, the keyring item and the history, so it is chosen once, when the provider is
 * added: renaming changes only the label. */
static char *
name_for_label (PosteConfig *config,
                const char  *label)
{
  g_autoptr(GString) base = g_string_new (NULL);
  g_autofree char *candidate = NULL;
  guint chars = 0;

  for (const char *p = label; *p != '\0' && chars < NAME_MAX_CHARS - 4; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isalnum (c) || strchr ("._+@", (int) c) != NULL)
        g_string_append_unichar (base, c), chars++;
      else if (base->len > 0 && base->str[base->len - 1] != '-')
        g_string_append_c (base, '-'), chars++;
    }
  while (base->len > 0 && base->str[base->len - 1] == '-')
    g_string_truncate (base, base->len - 1);
  if (base->len == 0)
    g_string_append (base, "provider");

  candidate = g_strdup (base->str);
  for (guint n = 2; config != NULL && poste_config_lookup (config, candidate) != NULL; n++)
    {
      g_free (candidate);
      candidate = g_strdup_printf ("%s-%u", base->str, n);
    }

  return g_steal_pointer (&candidate);
}

/* Another provider already shown under @label. */
static gboolean
label_taken (PosteConfig *config,
             const char  *label,
             const char  *editing)
{
  GListModel *providers;

  if (config == NULL)
    return FALSE;
  providers = poste_config_get_providers (config);
  for (guint i = 0; i < g_list_model_get_n_items (providers); i++)
    {
      g_autoptr(PosteProvider) other = g_list_model_get_item (providers, i);

      if (g_strcmp0 (poste_provider_get_name (other), editing) != 0 &&
          g_utf8_collate (poste_provider_get_display_name (other), label) == 0)
        return TRUE;
    }

  return FALSE;
}

/* Builds the provider the fields describe. With @check_name, a name already taken by another
 * provider is an error. Each field is marked as it is checked; the first problem is returned. */
static PosteProvider *
poste_provider_dialog_build (PosteProviderDialog  *self,
                             gboolean              check_name,
                             GError              **error)
{
  g_autoptr(PosteProvider) provider = NULL;
  g_autoptr(GError) first = NULL;
  g_autoptr(GError) name_error = NULL;
  g_autofree char *label = stripped (self->name_row);
  g_autofree char *name = NULL;
  g_autofree char *host = stripped (self->host_row);
  g_autofree char *username = stripped (self->username_row);
  g_autofree char *target = build_target (self);
  g_autofree char *hours = schedule_dup_hours (self);
  g_autofree char *days = schedule_dup_days (self);
  g_autofree char *pin_text = stripped (self->pinned_row);
  g_autofree char *pin = poste_fingerprint_normalize (pin_text);
  g_autofree char *ca_file = stripped (self->ca_file_row);
  g_autofree char *client_certificate = stripped (self->client_certificate_row);
  g_autofree char *password_file = stripped (self->password_file_row);
  g_autofree char *submission = stripped (self->submission_row);
  g_auto(GStrv) domains = split_list (entry_text (self->domains_row), "[,;\\s]+");
  g_autoptr(GStrvBuilder) routes_builder = g_strv_builder_new ();
  g_auto(GStrv) routes = NULL;
  PosteConfig *config = poste_application_get_config (self->application);
  guint64 port = 0;
  gboolean valid;

#define PROBLEM(row, ...) G_STMT_START {                                                  \
    g_autofree char *problem_ = g_strdup_printf (__VA_ARGS__);                            \
    mark_row_message (self, row, problem_);                                               \
    if (first == NULL)                                                                    \
      first = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, problem_);     \
  } G_STMT_END

  /* The name the user sees may be anything; the configuration's name is derived from it once,
   * and kept when the provider is renamed. */
  name = self->editing != NULL ? g_strdup (self->editing) : name_for_label (config, label);
  mark_row (self, self->name_row, TRUE);
  if (label[0] == '\0')
    PROBLEM (self->name_row, "%s", _("Give the provider a name."));
  else if (!poste_config_check_name (name, &name_error))
    PROBLEM (self->name_row, "%s", name_error->message);
  else if (check_name && label_taken (config, label, self->editing))
    PROBLEM (self->name_row, _("A provider called “%s” already exists."), label);

  valid = host[0] != '\0' && strpbrk (host, " \t/") == NULL;
  mark_row (self, self->host_row, valid || host[0] == '\0');
  if (!valid)
    {
      if (host[0] != '\0')
        PROBLEM (self->host_row, "%s", _("The server is a host name such as odmr.example.net."));
      else if (first == NULL)
        first = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                     _("Enter the provider’s server."));
    }

  mark_row (self, self->port_row, TRUE);
  if (!g_ascii_string_to_unsigned (entry_text (self->port_row), 10, 1, G_MAXUINT16, &port, NULL))
    PROBLEM (self->port_row, "%s", _("The port is a number from 1 to 65535."));

  mark_row (self, self->domains_row, TRUE);
  for (guint i = 0; domains[i] != NULL; i++)
    {
      g_autoptr(GError) domain_error = NULL;

      if (!poste_config_check_domain (domains[i], NULL, &domain_error))
        PROBLEM (self->domains_row, "%s", domain_error->message);
    }

  mark_row (self, self->delivery_row, TRUE);
  {
    g_autoptr(GError) target_error = NULL;

    /* Inside Flatpak a target the sandbox cannot reach (an MDA, a folder or a socket outside
     * the grants) is refused here with the reason, rather than at the first fetch. */
    if (!poste_config_check_target (target, &target_error) ||
        !poste_delivery_check_reachable (target, &target_error))
      PROBLEM (self->delivery_row, "%s", target_error->message);
  }

  /* Each route's problem is marked on its own field, once the user has touched the route. */
  for (guint i = 0; i < self->routes->len; i++)
    {
      Route *route = g_ptr_array_index (self->routes, i);
      g_autofree char *address = stripped (route->address_row);
      g_autofree char *route_target = target_from_rows (route->kind_row, route->location_row);
      g_autoptr(GError) route_error = NULL;

      if (route->touched)
        {
          field_touched_cb (GTK_WIDGET (route->address_row));
          field_touched_cb (GTK_WIDGET (route->location_row));
        }
      mark_row (self, route->address_row, TRUE);
      mark_row (self, route->location_row, TRUE);
      if (address[0] == '\0' || strpbrk (address, "= \t") != NULL)
        {
          if (route->touched)
            mark_row (self, route->address_row, FALSE);
          if (first == NULL)
            first = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                         _("Each route needs an address or a domain."));
          continue;
        }
      if (!poste_config_check_target (route_target, &route_error) ||
          !poste_delivery_check_reachable (route_target, &route_error))
        {
          if (route->touched)
            mark_row (self, route->location_row, FALSE);
          if (first == NULL)
            first = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, route_error->message);
          continue;
        }
      {
        g_autofree char *spec = g_strconcat (address, "=", route_target, NULL);

        g_strv_builder_add (routes_builder, spec);
      }
    }
  routes = g_strv_builder_end (routes_builder);

  /* No day at all: said beside the days, once the user has changed them. */
  if (schedule_get_day_mask (self) == 0)
    {
      const char *message = _("Choose at least one day.");

      gtk_label_set_text (self->days_error_label, message);
      gtk_widget_set_visible (GTK_WIDGET (self->days_error_label), self->days_touched);
      if (first == NULL)
        first = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, message);
    }
  else
    gtk_widget_set_visible (GTK_WIDGET (self->days_error_label), FALSE);

  mark_row (self, self->pinned_row, TRUE);
  if (pin_text[0] != '\0' && pin == NULL)
    PROBLEM (self->pinned_row, "%s",
             _("A pinned certificate is its SHA-256 fingerprint: 64 hexadecimal digits."));

  if (first != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&first));
      return NULL;
    }

#undef PROBLEM

  provider = poste_provider_new (name);
  poste_provider_set_label (provider, g_strcmp0 (label, name) != 0 ? label : NULL);
  poste_provider_set_host (provider, host);
  poste_provider_set_port (provider, (guint)port);
  poste_provider_set_security (provider, get_enum_row (self->security_row, POSTE_TYPE_SECURITY,
                                                      POSTE_SECURITY_STARTTLS));
  poste_provider_set_username (provider, username);
  poste_provider_set_domains (provider, (const char * const *)domains);
  poste_provider_set_auth (provider, get_enum_row (self->auth_row, POSTE_TYPE_AUTH,
                                              POSTE_AUTH_AUTO));
  poste_provider_set_delivery (provider, target);
  poste_provider_set_routes (provider, (const char * const *)routes);
  poste_provider_set_interval (provider, schedule_get_interval (self));
  poste_provider_set_active_hours (provider, hours);
  poste_provider_set_active_days (provider, days);
  poste_provider_set_ca_file (provider, ca_file[0] != '\0' ? ca_file : NULL);
  poste_provider_set_pinned_sha256 (provider, pin);
  poste_provider_set_client_certificate (provider, client_certificate[0] != '\0' ? client_certificate : NULL);
  poste_provider_set_password_file (provider, password_file[0] != '\0' ? password_file : NULL);
  poste_provider_set_submission (provider, submission[0] != '\0' ? submission : NULL);
  poste_provider_set_send_with_fetch (provider, gtk_switch_get_active (self->send_with_fetch_switch));

  if (!poste_config_validate_provider (provider, error))
    return NULL;

  return g_steal_pointer (&provider);
}

static void
poste_provider_dialog_update (PosteProviderDialog *self)
{
  g_autoptr(PosteProvider) provider = NULL;
  g_autoptr(GError) error = NULL;

  g_assert (POSTE_IS_PROVIDER_DIALOG (self));

  provider = poste_provider_dialog_build (self, TRUE, &error);
  gtk_label_set_text (self->message_label, error != NULL ? error->message : "");
  gtk_widget_remove_css_class (GTK_WIDGET (self->message_label), "error");
  gtk_widget_add_css_class (GTK_WIDGET (self->message_label), "dim-label");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "provider.add", provider != NULL && !self->busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "provider.test", provider != NULL && !self->testing);
}

static void
poste_provider_dialog_delivery_kind_changed (PosteProviderDialog *self)
{
  DeliveryKind kind = get_delivery_kind (self);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->delivery_row), _(location_titles[kind]));
  gtk_widget_set_visible (GTK_WIDGET (self->delivery_choose_button),
                          kind == DELIVERY_MAILDIR || kind == DELIVERY_MBOX);
  poste_provider_dialog_update (self);
}

static void
poste_provider_dialog_show_error (PosteProviderDialog *self,
                                  const char          *message)
{
  gtk_label_set_text (self->message_label, message);
  gtk_widget_remove_css_class (GTK_WIDGET (self->message_label), "dim-label");
  gtk_widget_add_css_class (GTK_WIDGET (self->message_label), "error");
}

static void
poste_provider_dialog_set_busy (PosteProviderDialog *self,
                                gboolean             busy)
{
  self->busy = !!busy;
  gtk_widget_set_sensitive (GTK_WIDGET (self->page), !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "provider.add", !busy);
}

/* File choosers */

static void
chooser_response_cb (GtkNativeDialog *chooser,
                     int              response,
                     AdwEntryRow     *row)
{
  PosteProviderDialog *self = POSTE_PROVIDER_DIALOG (gtk_widget_get_root (GTK_WIDGET (row)));

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

      if (path != NULL)
        gtk_editable_set_text (GTK_EDITABLE (row), path);
    }

  if (self->chooser == GTK_FILE_CHOOSER_NATIVE (chooser))
    g_clear_object (&self->chooser);
}

/* A GtkFileChooserNative: the file chooser portal inside Flatpak, GTK's own dialog outside. */
static void
choose_file (PosteProviderDialog  *self,
             AdwEntryRow          *row,
             const char           *title,
             GtkFileChooserAction  action)
{
  g_autofree char *current = stripped (row);

  g_clear_object (&self->chooser);
  self->chooser = gtk_file_chooser_native_new (title, GTK_WINDOW (self), action,
                                               _("_Select"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);

  if (current[0] != '\0')
    {
      g_autofree char *expanded = poste_config_expand_path (current, NULL);
      g_autoptr(GFile) file = expanded != NULL ? g_file_new_for_path (expanded) : NULL;

      if (file != NULL && action == GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER &&
          g_file_query_exists (file, NULL))
        gtk_file_chooser_set_file (GTK_FILE_CHOOSER (self->chooser), file, NULL);
    }

  g_signal_connect (self->chooser, "response", G_CALLBACK (chooser_response_cb), row);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
poste_provider_dialog_choose_delivery (GtkWidget  *widget,
                                       const char *action_name,
                                       GVariant   *param)
{
  PosteProviderDialog *self = POSTE_PROVIDER_DIALOG (widget);

  if (get_delivery_kind (self) == DELIVERY_MBOX)
    choose_file (self, self->delivery_row, _("Choose an Mbox File"), GTK_FILE_CHOOSER_ACTION_OPEN);
  else
    choose_file (self, self->delivery_row, _("Choose a Maildir Folder"),
                 GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER);
}

static void
poste_provider_dialog_choose_file (GtkWidget  *widget,
                                   const char *action_name,
                                   GVariant   *param)
{
  PosteProviderDialog *self = POSTE_PROVIDER_DIALOG (widget);
  const char *which = g_variant_get_string (param, NULL);

  if (g_str_equal (which, "ca-file"))
    choose_file (self, self->ca_file_row, _("Choose a Trusted Authority"), GTK_FILE_CHOOSER_ACTION_OPEN);
  else if (g_str_equal (which, "client-certificate"))
    choose_file (self, self->client_certificate_row, _("Choose a Client Certificate"),
                 GTK_FILE_CHOOSER_ACTION_OPEN);
  else if (g_str_equal (which, "password-file"))
    choose_file (self, self->password_file_row, _("Choose a Password File"), GTK_FILE_CHOOSER_ACTION_OPEN);
}

/* Saving */

/* Puts @provider into the configuration (in place of the one edited) and writes the file. The
 * file is read again first, so that a change made meanwhile (by poste-restante-cli, or by hand)
 * is kept. */
static gboolean
poste_provider_dialog_save (PosteProviderDialog  *self,
                            PosteProvider        *provider,
                            GError              **error)
{
  PosteConfig *config = poste_application_get_config (self->application);
  g_autofree char *path = poste_config_dup_default_path ();
  g_autoptr(GError) local_error = NULL;
  const char *name = poste_provider_get_name (provider);

  g_assert (POSTE_IS_CONFIG (config));

  if (!poste_config_load (config, path, &local_error) &&
      !g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (self->editing == NULL && poste_config_lookup (config, name) != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   _("A provider called “%s” already exists."), name);
      return FALSE;
    }

  if (self->editing != NULL)
    poste_config_remove_provider (config, self->editing);
  poste_config_add_provider (config, provider);
  if (!poste_config_save (config, path, error))
    {
      /* Back to what the file holds. */
      g_clear_error (&local_error);
      poste_config_load (config, path, &local_error);
      return FALSE;
    }

  if (self->editing != NULL)
    poste_application_provider_changed (self->application, name);

  return TRUE;
}

/* Password storage: the keyring, or a file of the application's for desktops without one */

enum {
  PASSWORD_IN_KEYRING,
  PASSWORD_IN_FILE,
};

static void
show_password_problem (PosteProviderDialog *self,
                       const char          *message)
{
  gtk_label_set_text (self->keyring_banner_label, message);
  gtk_revealer_set_reveal_child (self->keyring_banner, TRUE);
}

static void
password_storage_update (PosteProviderDialog *self)
{
  g_autofree char *subtitle = NULL;

  if (adw_combo_row_get_selected (self->password_storage_row) == PASSWORD_IN_FILE)
    subtitle = g_strdup_printf (_("In %s/poste-restante/passwords, readable by you alone but "
                                  "not encrypted: anyone who can use your account or read your "
                                  "disk can read it"),
                                g_get_user_config_dir ());
  else if (self->no_keyring)
    subtitle = g_strdup (_("No keyring is running on this desktop: the password cannot be kept "
                           "there"));
  else
    subtitle = g_strdup (_("Encrypted in your keyring, unlocked with your session"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->password_storage_row), subtitle);
}

/* The choice made for @provider earlier: its password-file is the application's own. */
static void
password_storage_show (PosteProviderDialog *self,
                       PosteProvider       *provider)
{
  adw_combo_row_set_selected (self->password_storage_row,
                              poste_secrets_is_managed_file (provider) ? PASSWORD_IN_FILE
                                                                       : PASSWORD_IN_KEYRING);
}

static void
keyring_probe_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  PosteProviderDialog *self;
  g_autoptr(GError) error = NULL;

  if (poste_secrets_probe_finish (result, &error) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  /* Not cancelled: the dialog is still there (its dispose cancels the probe). */
  self = POSTE_PROVIDER_DIALOG (user_data);
  self->no_keyring = TRUE;
  adw_combo_row_set_selected (self->password_storage_row, PASSWORD_IN_FILE);
  adw_preferences_group_set_description (self->account_group,
                                         _("No keyring is running: the password is kept in a "
                                           "file only you can read."));
  show_password_problem (self, _("No keyring is running on this desktop, so passwords cannot be "
                                 "kept in one. The password will be kept in a file only you can "
                                 "read (see Keep the Password); or start a keyring such as "
                                 "gnome-keyring or KWallet and open this window again."));
  password_storage_update (self);
}

/* Keeps @password as the user chose, before the provider is saved. Returns %FALSE, with the
 * reason shown at the top, when it cannot be kept that way. */
static gboolean
password_storage_apply (PosteProviderDialog *self,
                        PosteProvider       *provider,
                        const char          *password)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *managed = poste_secrets_dup_managed_file (provider);

  if (adw_combo_row_get_selected (self->password_storage_row) == PASSWORD_IN_FILE)
    {
      if (password[0] != '\0')
        {
          if (!poste_secrets_store_file (provider, password, &error))
            {
              g_autofree char *message =
                g_strdup_printf (_("Could not keep the password in a file: %s"), error->message);

              show_password_problem (self, message);
              return FALSE;
            }
        }
      else if (g_file_test (managed, G_FILE_TEST_IS_REGULAR))
        poste_provider_set_password_file (provider, managed);
      return TRUE;
    }

  /* Back to the keyring: the application's file no longer counts, once the password is typed
   * again to go there (an empty field would leave no password anywhere). */
  if (poste_secrets_is_managed_file (provider))
    {
      if (password[0] == '\0' && poste_secrets_auth_needs_password (provider))
        {
          show_password_problem (self, _("Type the password again to keep it in the keyring."));
          return FALSE;
        }
      poste_provider_set_password_file (provider, NULL);
    }
  if (password[0] != '\0' && self->no_keyring)
    {
      show_password_problem (self, _("No keyring is running, so the password cannot be kept in "
                                     "one and nothing was saved: choose a file only you can read "
                                     "under Keep the Password, or start a keyring."));
      return FALSE;
    }
  return TRUE;
}

static void
poste_provider_dialog_finish_add (PosteProviderDialog *self,
                                  PosteProvider       *provider)
{
  g_autoptr(GError) error = NULL;

  if (!poste_provider_dialog_save (self, provider, &error))
    {
      g_autofree char *message = g_strdup_printf (_("Could not save the provider: %s"), error->message);

      poste_provider_dialog_set_busy (self, FALSE);
      poste_provider_dialog_show_error (self, message);
      return;
    }

  poste_application_offer_start_at_login (self->application, provider);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
poste_provider_dialog_store_cb (GObject      *object,
                                GAsyncResult *result,
                                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PosteProviderDialog *self = g_task_get_source_object (task);
  PosteProvider *provider = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!poste_secrets_store_finish (result, &error))
    {
      g_autofree char *message = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      poste_provider_dialog_set_busy (self, FALSE);
      if (g_error_matches (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_NO_KEYRING))
        {
          /* Nothing was saved; the choice that works is made for the user, who only has to
           * press Add again. */
          self->no_keyring = TRUE;
          adw_combo_row_set_selected (self->password_storage_row, PASSWORD_IN_FILE);
          show_password_problem (self, _("No keyring is running, so the password was not kept "
                                         "and nothing was saved. Keep the Password is now set to "
                                         "a file only you can read: press Add again to use it."));
          return;
        }
      message = g_strdup_printf (_("Could not keep the password in the keyring: %s"), error->message);
      show_password_problem (self, message);
      poste_provider_dialog_show_error (self, message);
      return;
    }

  /* The password is in the keyring now: a file of an earlier choice must not linger. */
  if (poste_provider_get_password_file (provider) == NULL)
    {
      g_autofree char *managed = poste_secrets_dup_managed_file (provider);

      if (g_unlink (managed) != 0 && errno != ENOENT)
        g_debug ("Could not remove %s: %s", managed, g_strerror (errno));
    }
  poste_provider_dialog_finish_add (self, provider);
}

static void
poste_provider_dialog_add (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *param)
{
  PosteProviderDialog *self = POSTE_PROVIDER_DIALOG (widget);
  g_autoptr(PosteProvider) provider = NULL;
  g_autoptr(GError) error = NULL;
  const char *password;

  g_assert (POSTE_IS_PROVIDER_DIALOG (self));

  if (self->busy)
    return;

  if (!(provider = poste_provider_dialog_build (self, TRUE, &error)))
    {
      poste_provider_dialog_show_error (self, error->message);
      return;
    }

  password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));
  if (!password_storage_apply (self, provider, password))
    return;
  if (password[0] == '\0' ||
      adw_combo_row_get_selected (self->password_storage_row) == PASSWORD_IN_FILE)
    {
      /* No new password (EXTERNAL with a certificate, the one already stored, or one to be
       * set later), or one already in the application's file. */
      poste_provider_dialog_set_busy (self, TRUE);
      poste_provider_dialog_finish_add (self, provider);
      return;
    }

  /* The password first: a provider is only saved once its password is safe. */
  {
    GTask *task = g_task_new (self, NULL, NULL, NULL);

    g_task_set_source_tag (task, poste_provider_dialog_add);
    g_task_set_task_data (task, g_object_ref (provider), g_object_unref);
    poste_provider_dialog_set_busy (self, TRUE);
    poste_secrets_store (provider, password, self->cancellable,
                         poste_provider_dialog_store_cb, task);
  }
}

/* Removing */

static void
remove_response_cb (AdwMessageDialog    *dialog,
                    const char          *response,
                    PosteProviderDialog *self)
{
  PosteConfig *config = poste_application_get_config (self->application);
  g_autofree char *path = poste_config_dup_default_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(PosteProvider) provider = NULL;
  PosteProvider *configured;

  if (g_strcmp0 (response, "remove") != 0 || self->editing == NULL)
    return;

  if ((configured = poste_config_lookup (config, self->editing)))
    provider = g_object_ref (configured);

  if (!poste_config_load (config, path, &error) ||
      !poste_config_remove_provider (config, self->editing) ||
      !poste_config_save (config, path, &error))
    {
      g_autofree char *message = g_strdup_printf (_("Could not remove the provider: %s"),
                                                  error != NULL ? error->message : self->editing);

      poste_provider_dialog_show_error (self, message);
      return;
    }

  if (provider != NULL)
    poste_secrets_clear (provider, NULL, NULL, NULL);

  gtk_window_destroy (GTK_WINDOW (self));
}

static void
poste_provider_dialog_remove (GtkWidget  *widget,
                              const char *action_name,
                              GVariant   *param)
{
  PosteProviderDialog *self = POSTE_PROVIDER_DIALOG (widget);
  g_autofree char *heading = NULL;
  GtkWidget *dialog;

  if (self->editing == NULL)
    return;

  heading = g_strdup_printf (_("Remove “%s”?"), self->editing);
  dialog = adw_message_dialog_new (GTK_WINDOW (self), heading,
                                   _("Mail it still holds stays with the provider. Its password "
                                     "is removed from the keyring and its history is kept."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "remove", _("_Remove"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "remove",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (remove_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Test connection */

static void
clear_test_list (PosteProviderDialog *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->test_list))))
    gtk_list_box_remove (self->test_list, child);
}

static void
add_test_row (PosteProviderDialog *self,
              const char          *icon_name,
              const char          *style,
              const char          *title,
              const char          *value)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (value != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), value);

  if (icon_name != NULL)
    {
      GtkWidget *icon = gtk_image_new_from_icon_name (icon_name);

      if (style != NULL)
        gtk_widget_add_css_class (icon, style);
      poste_accessible_name_image (GTK_IMAGE (icon),
                                   g_strcmp0 (style, "success") == 0 ? _("Good")
                                   : g_strcmp0 (style, "dim-label") == 0 ? title
                                   : _("Problem"));
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
    }

  gtk_list_box_append (self->test_list, row);
}

static void
show_test_result (PosteProviderDialog    *self,
                  const PosteCheckResult *result)
{
  gboolean reached = result->error == NULL;
  gboolean certificate_problem = g_error_matches (result->error, POSTE_SESSION_ERROR,
                                                  POSTE_SESSION_ERROR_CERTIFICATE);

  clear_test_list (self);
  gtk_widget_set_visible (GTK_WIDGET (self->test_list), TRUE);

  if (reached && result->authenticated && result->atrn_offered)
    add_test_row (self, "emblem-ok-symbolic", "success", _("Ready to Collect Mail"),
                  _("Connected, secured and signed in; the server offers On-Demand Mail Relay."));
  else if (reached)
    add_test_row (self, "dialog-warning-symbolic", "warning", _("Connected, With Problems"),
                  !result->authenticated ? _("The server did not accept the sign-in.")
                                         : _("The server does not offer On-Demand Mail Relay (ATRN)."));
  else if (result->error->domain == POSTE_CONFIG_ERROR)
    /* Stopped before connecting: the password file cannot be used. */
    add_test_row (self, "dialog-error-symbolic", "error", _("No Password to Sign In With"),
                  result->error->message);
  else
    add_test_row (self, "dialog-error-symbolic", "error", _("Could Not Connect"), result->error->message);

  if (result->tls_protocol != NULL)
    {
      g_autofree char *tls = g_strdup_printf ("%s · %s", result->tls_protocol,
                                              result->tls_cipher != NULL ? result->tls_cipher : "?");

      add_test_row (self, "channel-secure-symbolic", "success", _("Encryption"), tls);
    }
  else if (reached)
    add_test_row (self, "dialog-warning-symbolic", "warning", _("Encryption"),
                  _("None: everything, your password included, crosses the network readable."));

  if (result->certificate_subject != NULL)
    {
      g_autofree char *until = NULL;
      g_autofree char *text = NULL;

      if (result->certificate_not_after != NULL)
        {
          g_autoptr(GDateTime) local = g_date_time_to_local (result->certificate_not_after);

          until = g_date_time_format (local, "%Y-%m-%d");
        }
      /* Translators: a certificate: "<subject>, issued by <issuer>, valid until <date>" */
      text = g_strdup_printf (_("%s\nissued by %s\nvalid until %s"), result->certificate_subject,
                              result->certificate_issuer != NULL ? result->certificate_issuer : "?",
                              until != NULL ? until : "?");
      add_test_row (self, certificate_problem ? "dialog-warning-symbolic" : "security-high-symbolic",
                    certificate_problem ? "warning" : "success", _("Certificate"), text);
    }

  if (result->certificate_sha256 != NULL)
    {
      g_autofree char *fingerprint = poste_fingerprint_format (result->certificate_sha256, 16);

      add_test_row (self, "auth-fingerprint-symbolic", "dim-label", _("SHA-256 Fingerprint"), fingerprint);
    }

  if (reached)
    {
      g_autofree char *sign_in = NULL;

      if (result->authenticated)
        /* Translators: %s is a SASL mechanism, SCRAM-SHA-256 */
        sign_in = g_strdup_printf (_("Accepted with %s"), result->mechanism != NULL ? result->mechanism : "?");
      else if (result->mechanism != NULL)
        sign_in = g_strdup_printf ("%s: %s", result->mechanism,
                                   result->auth_error != NULL ? result->auth_error->message : _("refused"));
      else
        sign_in = g_strdup (result->auth_error != NULL ? result->auth_error->message : _("Not tried"));

      add_test_row (self, result->authenticated ? "emblem-ok-symbolic" : "dialog-error-symbolic",
                    result->authenticated ? "success" : "error", _("Sign-In"), sign_in);

      add_test_row (self, result->atrn_offered ? "emblem-ok-symbolic" : "dialog-error-symbolic",
                    result->atrn_offered ? "success" : "error", _("On-Demand Mail Relay"),
                    result->atrn_offered ? _("ATRN offered") : _("ATRN not offered"));
    }

  if (result->capabilities != NULL && result->capabilities[0] != NULL)
    {
      g_autofree char *capabilities = g_strjoinv (", ", result->capabilities);

      add_test_row (self, "view-list-symbolic", "dim-label", _("Server Capabilities"), capabilities);
    }
}

static void test_connection (PosteProviderDialog *self);

static void
trust_response_cb (AdwMessageDialog    *dialog,
                   const char          *response,
                   PosteProviderDialog *self)
{
  const char *sha256 = g_object_get_data (G_OBJECT (dialog), "poste-sha256");
  PosteConfig *config = poste_application_get_config (self->application);
  PosteProvider *configured;

  if (g_strcmp0 (response, "accept") != 0 || sha256 == NULL)
    return;

  gtk_editable_set_text (GTK_EDITABLE (self->pinned_row), sha256);

  /* A provider already saved keeps the pin at once, whether or not the rest is saved. */
  if (self->editing != NULL && (configured = poste_config_lookup (config, self->editing)))
    {
      g_autofree char *old = g_strdup (poste_provider_get_pinned_sha256 (configured));
      g_autoptr(GError) error = NULL;

      poste_provider_set_pinned_sha256 (configured, sha256);
      if (!poste_application_save_config (self->application, &error))
        {
          poste_provider_set_pinned_sha256 (configured, old);
          poste_provider_dialog_show_error (self, error->message);
        }
      else
        poste_application_provider_changed (self->application, self->editing);
    }

  adw_toast_overlay_add_toast (self->toast_overlay,
                               adw_toast_new (_("Certificate pinned for this provider")));
  test_connection (self);
}

/* The test has ended (@check, owned, may be NULL): show what it found. */
static void
test_done (PosteProviderDialog *self,
           PosteCheckResult    *check_owned)
{
  g_autoptr(PosteCheckResult) check = check_owned;

  self->testing = FALSE;
  gtk_spinner_set_spinning (self->test_spinner, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->test_spinner), FALSE);
  poste_provider_dialog_update (self);

  if (check != NULL)
    {
      show_test_result (self, check);

      if (g_error_matches (check->error, POSTE_SESSION_ERROR, POSTE_SESSION_ERROR_CERTIFICATE) &&
          check->certificate != NULL)
        {
          g_autofree char *name = stripped (self->name_row);
          g_autofree char *old_pin = poste_fingerprint_normalize (entry_text (self->pinned_row));
          GtkWidget *dialog = poste_trust_dialog_new (GTK_WINDOW (self), name, check->certificate, old_pin);

          g_signal_connect_object (dialog, "response", G_CALLBACK (trust_response_cb), self, 0);
          gtk_window_present (GTK_WINDOW (dialog));
        }

      g_clear_pointer (&self->test_result, poste_check_result_free);
      self->test_result = g_steal_pointer (&check);
    }
}

static void
check_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  PosteProviderDialog *self = user_data;
  PosteCheckResult *check = poste_session_check_finish (result);

  if (check != NULL && g_error_matches (check->error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    poste_check_result_free (check);
  else
    test_done (self, check);

  g_object_unref (self);
}

static void
run_check (PosteProviderDialog *self,
           PosteProvider       *provider,
           const char          *password)
{
  g_clear_object (&self->test_cancellable);
  self->test_cancellable = g_cancellable_new ();
  poste_session_check_async (provider, password, TEST_TIMEOUT, self->test_cancellable,
                             check_cb, g_object_ref (self));
}

static void
test_password_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PosteProviderDialog *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  char *password = poste_secrets_lookup_finish (result, &error);

  /* Without a stored password the test still shows the connection and TLS. */
  run_check (self, g_task_get_task_data (task), password);
  if (password != NULL)
    poste_secrets_free_password (password);
}

/* Signs in with the provider's password file, read as a fetch reads it; when it cannot be used
 * the test ends there, with the reason a fetch would give. */
static void
test_with_password_file (PosteProviderDialog *self,
                         PosteProvider       *provider)
{
  g_autoptr(GError) error = NULL;
  char *password;

  /* A local file of bounded size: poste_secrets_dup_password_sync() only asks the keyring when
   * there is no password file, so this does not block on D-Bus. */
  password = poste_secrets_dup_password_sync (provider, &error);
  if (password == NULL && error != NULL)
    {
      PosteCheckResult *check = g_new0 (PosteCheckResult, 1);

      check->error = g_steal_pointer (&error);
      check->transcript = g_ptr_array_new_with_free_func (g_free);
      test_done (self, check);
      return;
    }

  run_check (self, provider, password);
  if (password != NULL)
    poste_secrets_free_password (password);
}

static void
test_connection (PosteProviderDialog *self)
{
  g_autoptr(PosteProvider) provider = NULL;
  g_autoptr(GError) error = NULL;
  const char *password;

  if (self->testing)
    return;

  if (!(provider = poste_provider_dialog_build (self, FALSE, &error)))
    {
      poste_provider_dialog_show_error (self, error->message);
      return;
    }

  self->testing = TRUE;
  gtk_widget_set_visible (GTK_WIDGET (self->test_spinner), TRUE);
  gtk_spinner_set_spinning (self->test_spinner, TRUE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "provider.test", FALSE);

  /* A password file wins over everything else, exactly as in a fetch (PosteFetch): the test
   * must sign in with the password the fetches will use. */
  if (poste_provider_get_password_file (provider) != NULL)
    {
      test_with_password_file (self, provider);
      return;
    }

  password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));
  if (password[0] == '\0' && self->editing != NULL && poste_secrets_auth_needs_password (provider))
    {
      GTask *task = g_task_new (self, NULL, NULL, NULL);

      g_task_set_source_tag (task, test_connection);
      g_task_set_task_data (task, g_object_ref (provider), g_object_unref);
      poste_secrets_lookup (provider, self->cancellable, test_password_cb, task);
      return;
    }

  run_check (self, provider, password[0] != '\0' ? password : NULL);
}

static void
poste_provider_dialog_test (GtkWidget  *widget,
                            const char *action_name,
                            GVariant   *param)
{
  test_connection (POSTE_PROVIDER_DIALOG (widget));
}

/**
 * poste_provider_dialog_new:
 * @application: the #PosteApplication, after its startup
 *
 * Creates the dialog that adds a provider. It writes the configuration file through
 * poste_config_save() and the password through poste_secrets_store(), then closes itself;
 * on failure it stays open and says why.
 *
 * Returns: (transfer none): the new dialog, owned by GTK's list of toplevels
 */
PosteProviderDialog *
poste_provider_dialog_new (PosteApplication *application)
{
  PosteProviderDialog *self;

  g_return_val_if_fail (POSTE_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (poste_application_get_config (application) != NULL, NULL);

  self = g_object_new (POSTE_TYPE_PROVIDER_DIALOG,
                       "application", application,
                       NULL);
  self->application = g_object_ref (application);
  poste_provider_dialog_delivery_kind_changed (self);

  return self;
}

/**
 * poste_provider_dialog_new_for_provider:
 * @application: the #PosteApplication, after its startup
 * @provider: a configured provider
 *
 * Creates the dialog that edits @provider: every field filled from it, Save in place of Add, and
 * Remove Provider. The name shown may be changed: it is saved as the `label` key, and the
 * configuration name (which the keyring and the history know the provider by) stays.
 * An empty password field keeps the password already stored.
 *
 * Returns: (transfer none): the new dialog, owned by GTK's list of toplevels
 */
PosteProviderDialog *
poste_provider_dialog_new_for_provider (PosteApplication *application,
                                        PosteProvider    *provider)
{
  PosteProviderDialog *self;
  g_autofree char *domains = NULL;
  g_autofree char *port = NULL;

  g_return_val_if_fail (POSTE_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (POSTE_IS_PROVIDER (provider), NULL);

  self = poste_provider_dialog_new (application);
  self->editing = g_strdup (poste_provider_get_name (provider));

  gtk_window_set_title (GTK_WINDOW (self), _("Edit Provider"));
  gtk_button_set_label (self->add_button, _("_Save"));
  poste_accessible_name_from_label (self->add_button);
  gtk_widget_set_visible (GTK_WIDGET (self->remove_group), TRUE);

#define SET(row, value) gtk_editable_set_text (GTK_EDITABLE (self->row), (value) != NULL ? (value) : "")
  SET (name_row, poste_provider_get_display_name (provider));
  SET (host_row, poste_provider_get_host (provider));
  port = g_strdup_printf ("%u", poste_provider_get_port (provider));
  SET (port_row, port);
  set_enum_row (self->security_row, POSTE_TYPE_SECURITY, poste_provider_get_security (provider));
  SET (username_row, poste_provider_get_username (provider));
  domains = g_strjoinv (", ", (char **)poste_provider_get_domains (provider));
  SET (domains_row, domains);
  set_enum_row (self->auth_row, POSTE_TYPE_AUTH, poste_provider_get_auth (provider));
  set_target (self, poste_provider_get_delivery (provider) != NULL
                      ? poste_provider_get_delivery (provider) : "maildir:~/Maildir");
  for (const char * const *route = poste_provider_get_routes (provider); route != NULL && *route != NULL; route++)
    routes_add (self, *route);
  schedule_load (self, provider);
  SET (ca_file_row, poste_provider_get_ca_file (provider));
  SET (pinned_row, poste_provider_get_pinned_sha256 (provider));
  SET (client_certificate_row, poste_provider_get_client_certificate (provider));
  SET (password_file_row, poste_provider_get_password_file (provider));
  SET (submission_row, poste_provider_get_submission (provider));
  gtk_switch_set_active (self->send_with_fetch_switch, poste_provider_get_send_with_fetch (provider));
#undef SET
  /* Filled from the file, not typed: nothing is the user's doing yet. */
  forget_touched (GTK_WIDGET (self));
  poste_provider_dialog_update (self);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->password_row),
                                 _("Password (empty keeps the stored one)"));
  password_storage_show (self, provider);

  poste_provider_dialog_update (self);

  return self;
}

/**
 * poste_provider_dialog_get_editing:
 * @self: a #PosteProviderDialog
 *
 * Returns: (nullable): the name of the provider being edited, or %NULL when adding one
 */
const char *
poste_provider_dialog_get_editing (PosteProviderDialog *self)
{
  g_return_val_if_fail (POSTE_IS_PROVIDER_DIALOG (self), NULL);

  return self->editing;
}

/**
 * poste_provider_dialog_get_test_result:
 * @self: a #PosteProviderDialog
 *
 * Returns: (transfer none) (nullable): the last connection test's result, or %NULL
 */
const PosteCheckResult *
poste_provider_dialog_get_test_result (PosteProviderDialog *self)
{
  g_return_val_if_fail (POSTE_IS_PROVIDER_DIALOG (self), NULL);

  return self->test_result;
}

/**
 * poste_provider_dialog_is_testing:
 * @self: a #PosteProviderDialog
 *
 * Returns: %TRUE while a connection test runs
 */
gboolean
poste_provider_dialog_is_testing (PosteProviderDialog *self)
{
  g_return_val_if_fail (POSTE_IS_PROVIDER_DIALOG (self), FALSE);

  return self->testing;
}

static void
poste_provider_dialog_dispose (GObject *object)
{
  PosteProviderDialog *self = (PosteProviderDialog *)object;

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->test_cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->test_cancellable);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  g_clear_object (&self->application);
  g_clear_pointer (&self->editing, g_free);
  g_clear_pointer (&self->test_result, poste_check_result_free);
  g_clear_pointer (&self->loaded_hours, g_free);
  g_clear_pointer (&self->loaded_days, g_free);
  g_clear_pointer (&self->routes, g_ptr_array_unref);

  G_OBJECT_CLASS (poste_provider_dialog_parent_class)->dispose (object);
}

static void
poste_provider_dialog_class_init (PosteProviderDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = poste_provider_dialog_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/posterestante/PosteRestante/ui/poste-provider-dialog.ui");
#define CHILD(name) gtk_widget_class_bind_template_child (widget_class, PosteProviderDialog, name)
  CHILD (toast_overlay);
  CHILD (add_button);
  CHILD (page);
  CHILD (name_row);
  CHILD (host_row);
  CHILD (port_row);
  CHILD (security_row);
  CHILD (username_row);
  CHILD (password_row);
  CHILD (keyring_banner);
  CHILD (keyring_banner_label);
  CHILD (account_group);
  CHILD (password_storage_row);
  CHILD (domains_row);
  CHILD (auth_row);
  CHILD (delivery_kind_row);
  CHILD (delivery_row);
  CHILD (delivery_choose_button);
  CHILD (routes_group);
  CHILD (schedule_row);
  CHILD (custom_interval_row);
  CHILD (interval_spin);
  CHILD (days_row);
  CHILD (days_box);
  CHILD (days_error_label);
  CHILD (all_day_switch);
  CHILD (from_row);
  CHILD (until_row);
  CHILD (from_box);
  CHILD (until_box);
  CHILD (security_expander);
  CHILD (ca_file_row);
  CHILD (pinned_row);
  CHILD (client_certificate_row);
  CHILD (password_file_row);
  CHILD (outbox_expander);
  CHILD (submission_row);
  CHILD (send_with_fetch_switch);
  CHILD (test_group);
  CHILD (test_spinner);
  CHILD (test_button);
  CHILD (test_list);
  CHILD (message_label);
  CHILD (remove_group);
#undef CHILD

  gtk_widget_class_install_action (widget_class, "provider.add", NULL, poste_provider_dialog_add);
  gtk_widget_class_install_action (widget_class, "provider.test", NULL, poste_provider_dialog_test);
  gtk_widget_class_install_action (widget_class, "provider.remove", NULL, poste_provider_dialog_remove);
  gtk_widget_class_install_action (widget_class, "provider.add-route", NULL,
                                   poste_provider_dialog_add_route);
  gtk_widget_class_install_action (widget_class, "provider.choose-delivery", NULL,
                                   poste_provider_dialog_choose_delivery);
  gtk_widget_class_install_action (widget_class, "provider.choose-file", "s",
                                   poste_provider_dialog_choose_file);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
poste_provider_dialog_init (PosteProviderDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  fill_enum_row (self->security_row, POSTE_TYPE_SECURITY, security_label);
  fill_enum_row (self->auth_row, POSTE_TYPE_AUTH, auth_label);
  schedule_init (self);
  self->routes = g_ptr_array_new_with_free_func (g_free);
  poste_accessible_fix (GTK_WIDGET (self));
  poste_accessible_track_expanded (self->security_expander);
  poste_accessible_track_expanded (self->outbox_expander);
  poste_accessible_announce_entry_rows (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();

  {
    gpointer entries[] = {
      self->name_row, self->host_row, self->port_row, self->username_row, self->domains_row,
      self->delivery_row,
      self->ca_file_row, self->pinned_row, self->client_certificate_row, self->password_file_row,
      self->submission_row,
    };

    for (guint i = 0; i < G_N_ELEMENTS (entries); i++)
      {
        g_signal_connect (entries[i], "changed", G_CALLBACK (field_touched_cb), NULL);
        g_signal_connect_object (entries[i], "changed",
                                 G_CALLBACK (poste_provider_dialog_update), self, G_CONNECT_SWAPPED);
      }
  }

  g_signal_connect_object (self->security_row, "notify::selected",
                           G_CALLBACK (poste_provider_dialog_update), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->auth_row, "notify::selected",
                           G_CALLBACK (poste_provider_dialog_update), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->delivery_kind_row, "notify::selected",
                           G_CALLBACK (poste_provider_dialog_delivery_kind_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->send_with_fetch_switch, "notify::active",
                           G_CALLBACK (poste_provider_dialog_update), self, G_CONNECT_SWAPPED);

  g_signal_connect_object (self->password_storage_row, "notify::selected",
                           G_CALLBACK (password_storage_update), self, G_CONNECT_SWAPPED);
  password_storage_update (self);
  /* Asks the bus, not the keyring: no prompt, no wait on a keyring that hangs. */
  poste_secrets_probe (self->cancellable, keyring_probe_cb, self);
}
