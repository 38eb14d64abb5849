/* test-editor.c: the provider editor's controls and the configuration file, under Xvfb
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A configuration written by hand (an interval that is none of the choices, hours that wrap
 * past midnight, a range of days) loads into the editor's controls, and Save writes the file back
 * byte for byte; a change made with the controls is written in the form the core reads. The
 * editor fits a 360 px wide window (a phone): a screenshot of it is saved in
 * <build>/tests/ui/screenshots. Its schedule group and route rows notify once per real change.
 */
#include "config.h"

#include <string.h>

#include "poste-test.h"
#include "poste-ui-test.h"
#include "poste-application.h"
#include "poste-config.h"
#include "poste-provider-dialog.h"
#include "poste-route-row.h"
#include "poste-schedule-group.h"

#define NARROW_WIDTH 360

static PosteApplication *app;

static gboolean
editor_mapped (gpointer data)
{
  GtkWindow *window = poste_ui_test_find_app_window (GTK_APPLICATION (app), POSTE_TYPE_PROVIDER_DIALOG);

  return window != NULL && gtk_widget_get_mapped (GTK_WIDGET (window));
}

static gboolean
editor_gone (gpointer data)
{
  return poste_ui_test_find_app_window (GTK_APPLICATION (app), POSTE_TYPE_PROVIDER_DIALOG) == NULL;
}

static GtkWidget *
find_row (GtkWidget  *root,
          GType       type,
          const char *title)
{
  GtkWidget *row = poste_ui_test_find_row (root, type, title);

  if (row == NULL)
    g_error ("no row titled “%s”", title);
  return row;
}

static GtkWidget *
find_button (GtkWidget  *root,
             const char *action_name)
{
  GtkWidget *button = poste_ui_test_find_button (root, action_name, NULL);

  if (button == NULL)
    g_error ("no button for %s", action_name);
  return button;
}

static GtkWidget *
open_editor (const char *name)
{
  GtkWidget *dialog;

  g_action_group_activate_action (G_ACTION_GROUP (app), "edit-provider", g_variant_new_string (name));
  poste_ui_test_iterate_until (editor_mapped, NULL);
  dialog = GTK_WIDGET (poste_ui_test_find_app_window (GTK_APPLICATION (app), POSTE_TYPE_PROVIDER_DIALOG));
  poste_ui_test_wait_for_drawn (GTK_WINDOW (dialog));
  return dialog;
}

/* Saves, and checks that the editor closed and that nothing keeps it alive. */
static void
save_editor (GtkWidget *dialog)
{
  g_object_ref (dialog);
  g_assert_true (gtk_widget_activate_action (dialog, "provider.add", NULL));
  poste_ui_test_iterate_until (editor_gone, NULL);
  g_assert_finalize_object (dialog);
}

static char *
read_config (void)
{
  g_autofree char *path = poste_config_dup_default_path ();
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

/* The texts of every spin button, in the order of the page: interval, from, until. */
static char *
spin_texts (GtkWidget *dialog)
{
  g_autoptr(GPtrArray) spins = poste_ui_test_find_descendants (dialog, GTK_TYPE_SPIN_BUTTON);
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < spins->len; i++)
    g_string_append_printf (text, "%s%s", i > 0 ? " " : "",
                            gtk_editable_get_text (GTK_EDITABLE (g_ptr_array_index (spins, i))));
  return g_string_free (text, FALSE);
}

static char *
active_days (GtkWidget *dialog)
{
  g_autoptr(GPtrArray) days = poste_ui_test_find_descendants (dialog, GTK_TYPE_TOGGLE_BUTTON);
  GString *text = g_string_new (NULL);

  g_assert_cmpuint (days->len, ==, 7);
  for (guint i = 0; i < days->len; i++)
    g_string_append_c (text, gtk_toggle_button_get_active (g_ptr_array_index (days, i)) ? 'x' : '-');
  return g_string_free (text, FALSE);
}

static void
test_editor_round_trip (void)
{
  g_autofree char *config_path = poste_config_dup_default_path ();
  g_autofree char *config_dir = g_path_get_dirname (config_path);
  g_autofree char *maildir = poste_test_make_dir ("Maildir");
  g_autofree char *written = NULL;
  g_autofree char *saved = NULL;
  g_autofree char *spins = NULL;
  g_autofree char *days = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *dialog;
  GtkWidget *all_day;

  /* As a person would write it: none of it in the editor's own words. */
  written = g_strdup_printf ("[provider acme]\n"
                             "host=odmr.example.net\n"
                             "port=366\n"
                             "security=starttls\n"
                             "username=acme\n"
                             "domains=example.org\n"
                             "mode=etrn\n"
                             "delivery=maildir:%s\n"
                             "interval=45\n"
                             "active-hours=22:00-6:00\n"
                             "active-days=mon-fri\n"
                             "route.bob@example.org=mbox:%s/bob.mbox\n",
                             maildir, maildir);
  g_assert_cmpint (g_mkdir_with_parents (config_dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (config_path, written, -1, NULL));
  {
    g_autofree char *mbox = g_build_filename (maildir, "bob.mbox", NULL);

    g_assert_true (g_file_set_contents (mbox, "", 0, NULL));
  }

  app = poste_application_new (APP_ID, G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  if (poste_application_get_config_error (app) != NULL)
    g_error ("%s", poste_application_get_config_error (app)->message);
  poste_ui_test_add_system_icons ();
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);
  g_application_activate (G_APPLICATION (app));

  /* The controls say what the file says. */
  dialog = open_editor ("acme");
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (find_row (dialog, ADW_TYPE_COMBO_ROW, "Fetch"))),
                    ==, 5);
  g_assert_true (gtk_widget_get_visible (find_row (dialog, ADW_TYPE_ACTION_ROW, "Minutes Between Fetches")));
  spins = spin_texts (dialog);
  g_assert_cmpstr (spins, ==, "45 22 00 06 00");
  days = active_days (dialog);
  g_assert_cmpstr (days, ==, "xxxxx--");
  {
    GtkWidget *mode = find_row (dialog, ADW_TYPE_COMBO_ROW, "Ask for Mail With");

    g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (mode)), ==, POSTE_MODE_ETRN);
    g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (mode)), ==,
                     "The provider delivers to your own mail server");
  }
  all_day = adw_action_row_get_activatable_widget (ADW_ACTION_ROW (find_row (dialog, ADW_TYPE_ACTION_ROW, "All Day")));
  g_assert_false (gtk_switch_get_active (GTK_SWITCH (all_day)));
  {
    GtkWidget *route = find_row (dialog, ADW_TYPE_EXPANDER_ROW, "bob@example.org");
    g_autofree char *mbox = g_build_filename (maildir, "bob.mbox", NULL);

    g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (find_row (route, ADW_TYPE_ENTRY_ROW, "File"))),
                     ==, mbox);
    g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (find_row (route, ADW_TYPE_COMBO_ROW, "Deliver To"))),
                      ==, 1);
  }

  /* Saved untouched: the same bytes. */
  save_editor (dialog);
  saved = read_config ();
  g_assert_cmpstr (saved, ==, written);

  /* Changed with the controls: the form the core reads, nothing else moves. */
  dialog = open_editor ("acme");
  {
    g_autoptr(GPtrArray) buttons = poste_ui_test_find_descendants (dialog, GTK_TYPE_TOGGLE_BUTTON);

    gtk_toggle_button_set_active (g_ptr_array_index (buttons, 5), TRUE);
  }
  adw_combo_row_set_selected (ADW_COMBO_ROW (find_row (dialog, ADW_TYPE_COMBO_ROW, "Fetch")), 4);
  /* A second route, by its rows: an empty one waits for its address, said on that field once
   * touched, and Save waits. */
  {
    GtkWidget *route;
    GtkWidget *address;
    g_autofree char *folder = g_build_filename (maildir, "alice", NULL);

    g_assert_true (gtk_widget_activate_action (dialog, "provider.add-route", NULL));
    route = find_row (dialog, ADW_TYPE_EXPANDER_ROW, "New Route");
    address = find_row (route, ADW_TYPE_ENTRY_ROW, "Address or Domain");
    g_assert_false (gtk_widget_has_css_class (address, "error"));
    g_assert_false (gtk_widget_is_sensitive (find_button (dialog, "provider.add")));
    gtk_editable_set_text (GTK_EDITABLE (find_row (route, ADW_TYPE_ENTRY_ROW, "Folder")), folder);
    g_assert_true (gtk_widget_has_css_class (address, "error"));
    gtk_editable_set_text (GTK_EDITABLE (address), "alice@example.org");
    g_assert_false (gtk_widget_has_css_class (address, "error"));
    g_assert_true (gtk_widget_is_sensitive (find_button (dialog, "provider.add")));
  }
  save_editor (dialog);
  g_clear_pointer (&saved, g_free);
  saved = read_config ();
  g_assert_nonnull (strstr (saved, "\ninterval=60\n"));
  g_assert_nonnull (strstr (saved, "\nactive-days=mon;tue;wed;thu;fri;sat\n"));
  g_assert_nonnull (strstr (saved, "\nactive-hours=22:00-6:00\n"));
  g_assert_nonnull (strstr (saved, "\nroute.alice@example.org=maildir:"));
  g_assert_nonnull (strstr (saved, "\nroute.bob@example.org=mbox:"));
  /* What the editor does not touch stays as the file had it. */
  g_assert_nonnull (strstr (saved, "\nmode=etrn\n"));

  /* Every day and all day: the keys go, which means the same to the core. */
  dialog = open_editor ("acme");
  {
    g_autoptr(GPtrArray) buttons = poste_ui_test_find_descendants (dialog, GTK_TYPE_TOGGLE_BUTTON);

    gtk_toggle_button_set_active (g_ptr_array_index (buttons, 6), TRUE);
  }
  all_day = adw_action_row_get_activatable_widget (ADW_ACTION_ROW (find_row (dialog, ADW_TYPE_ACTION_ROW, "All Day")));
  gtk_switch_set_active (GTK_SWITCH (all_day), TRUE);
  g_assert_false (gtk_widget_get_visible (find_row (dialog, ADW_TYPE_ACTION_ROW, "From")));
  /* Back to ATRN: the file says so (a key it has stays, in the core's words). */
  adw_combo_row_set_selected (ADW_COMBO_ROW (find_row (dialog, ADW_TYPE_COMBO_ROW, "Ask for Mail With")),
                              POSTE_MODE_ATRN);
  /* Remove takes the route away. */
  {
    GtkWidget *route = find_row (dialog, ADW_TYPE_EXPANDER_ROW, "bob@example.org");
    g_autoptr(GPtrArray) buttons = poste_ui_test_find_descendants (route, GTK_TYPE_BUTTON);
    GtkWidget *remove = NULL;

    for (guint i = 0; i < buttons->len; i++)
      if (g_strcmp0 (gtk_button_get_icon_name (g_ptr_array_index (buttons, i)), "user-trash-symbolic") == 0)
        remove = g_ptr_array_index (buttons, i);
    g_assert_nonnull (remove);
    g_signal_emit_by_name (remove, "clicked");
    g_clear_pointer (&buttons, g_ptr_array_unref);
    buttons = poste_ui_test_find_descendants (dialog, ADW_TYPE_EXPANDER_ROW);
    for (guint i = 0; i < buttons->len; i++)
      g_assert_cmpstr (adw_preferences_row_get_title (g_ptr_array_index (buttons, i)), !=, "bob@example.org");
  }
  save_editor (dialog);
  g_clear_pointer (&saved, g_free);
  saved = read_config ();
  g_assert_null (strstr (saved, "active-days"));
  g_assert_null (strstr (saved, "active-hours"));
  g_assert_nonnull (strstr (saved, "\nmode=atrn\n"));
  g_assert_null (strstr (saved, "route.bob@example.org"));
  g_assert_nonnull (strstr (saved, "\nroute.alice@example.org=maildir:"));

  /* Renamed with spaces: the label changes, the group and everything keyed by it stay. */
  dialog = open_editor ("acme");
  gtk_editable_set_text (GTK_EDITABLE (find_row (dialog, ADW_TYPE_ENTRY_ROW, "Name")), "Mon fournisseur (travail)");
  g_assert_true (gtk_widget_is_sensitive (find_button (dialog, "provider.add")));
  save_editor (dialog);
  g_clear_pointer (&saved, g_free);
  saved = read_config ();
  g_assert_true (g_str_has_prefix (saved, "[provider acme]\n"));
  g_assert_nonnull (strstr (saved, "\nlabel=Mon fournisseur (travail)\n"));
  g_assert_cmpstr (poste_provider_get_display_name (poste_config_lookup (poste_application_get_config (app), "acme")),
                   ==, "Mon fournisseur (travail)");

  /* A new provider named in another script: a group name derived from it. */
  g_action_group_activate_action (G_ACTION_GROUP (app), "add-provider", NULL);
  poste_ui_test_iterate_until (editor_mapped, NULL);
  dialog = GTK_WIDGET (poste_ui_test_find_app_window (GTK_APPLICATION (app), POSTE_TYPE_PROVIDER_DIALOG));
  gtk_editable_set_text (GTK_EDITABLE (find_row (dialog, ADW_TYPE_ENTRY_ROW, "Name")), "Почта Зои");
  gtk_editable_set_text (GTK_EDITABLE (find_row (dialog, ADW_TYPE_ENTRY_ROW, "Server")), "odmr.example.net");
  gtk_editable_set_text (GTK_EDITABLE (find_row (dialog, ADW_TYPE_ENTRY_ROW, "Domains, separated by commas")), "example.com");
  gtk_editable_set_text (GTK_EDITABLE (find_row (dialog, ADW_TYPE_ENTRY_ROW, "Folder")), maildir);
  g_assert_true (gtk_widget_is_sensitive (find_button (dialog, "provider.add")));
  save_editor (dialog);
  g_clear_pointer (&saved, g_free);
  saved = read_config ();
  g_assert_nonnull (strstr (saved, "\n[provider Почта-Зои]\nlabel=Почта Зои\n"));
}

/* The schedule group gives the editor the keys' text as properties: one notify when what the
 * controls mean changes, none when a control moves without changing it. */
static void
test_editor_schedule_notify (void)
{
  GtkWidget *dialog = open_editor ("acme");
  g_autoptr(GPtrArray) groups = poste_ui_test_find_descendants (dialog, POSTE_TYPE_SCHEDULE_GROUP);
  g_autoptr(GPtrArray) days = poste_ui_test_find_descendants (dialog, GTK_TYPE_TOGGLE_BUTTON);
  g_autoptr(GPtrArray) spins = poste_ui_test_find_descendants (dialog, GTK_TYPE_SPIN_BUTTON);
  g_autofree char *days_before = NULL;
  PosteScheduleGroup *group;
  GtkToggleButton *sunday;
  GtkSpinButton *from_hour;
  GtkSwitch *all_day;
  guint n_interval, n_hours, n_days;

  g_assert_cmpuint (groups->len, ==, 1);
  group = g_ptr_array_index (groups, 0);
  g_assert_cmpuint (days->len, ==, 7);
  sunday = g_ptr_array_index (days, 6);
  /* In the order of the page: interval, from, until (see spin_texts()). */
  g_assert_cmpuint (spins->len, ==, 5);
  from_hour = g_ptr_array_index (spins, 1);
  all_day = GTK_SWITCH (adw_action_row_get_activatable_widget (
                          ADW_ACTION_ROW (find_row (dialog, ADW_TYPE_ACTION_ROW, "All Day"))));
  poste_ui_test_count_notify (group, "interval", &n_interval);
  poste_ui_test_count_notify (group, "active-hours", &n_hours);
  poste_ui_test_count_notify (group, "active-days", &n_days);
  days_before = g_strdup (poste_schedule_group_get_active_days (group));

  /* A day: one change each way, and the file's own text back. */
  gtk_toggle_button_set_active (sunday, !gtk_toggle_button_get_active (sunday));
  g_assert_cmpuint (n_days, ==, 1);
  g_assert_cmpstr (poste_schedule_group_get_active_days (group), !=, days_before);
  gtk_toggle_button_set_active (sunday, !gtk_toggle_button_get_active (sunday));
  g_assert_cmpuint (n_days, ==, 2);
  g_assert_cmpstr (poste_schedule_group_get_active_days (group), ==, days_before);

  /* The hours: the clock moves them unless All Day is on. */
  gtk_switch_set_active (all_day, FALSE);
  n_hours = 0;
  gtk_spin_button_set_value (from_hour, ((int)gtk_spin_button_get_value (from_hour) + 1) % 24);
  g_assert_cmpuint (n_hours, ==, 1);
  gtk_switch_set_active (all_day, TRUE);
  g_assert_cmpuint (n_hours, ==, 2);
  g_assert_null (poste_schedule_group_get_active_hours (group));
  gtk_spin_button_set_value (from_hour, ((int)gtk_spin_button_get_value (from_hour) + 1) % 24);
  g_assert_cmpuint (n_hours, ==, 2);

  /* A preset interval (another than the one shown): the custom minutes no longer count. */
  {
    AdwComboRow *fetch = ADW_COMBO_ROW (find_row (dialog, ADW_TYPE_COMBO_ROW, "Fetch"));
    gboolean hourly = adw_combo_row_get_selected (fetch) == 4;

    adw_combo_row_set_selected (fetch, hourly ? 3 : 4);
    g_assert_cmpuint (n_interval, ==, 1);
    g_assert_cmpuint (poste_schedule_group_get_interval (group), ==, hourly ? 30 : 60);
  }
  gtk_spin_button_set_value (g_ptr_array_index (spins, 0), 50);
  g_assert_cmpuint (n_interval, ==, 1);
  g_assert_cmpuint (n_days, ==, 2);

  /* Closed without saving. */
  poste_ui_test_destroy_and_finalize (GTK_WINDOW (dialog));
  poste_ui_test_iterate_until (editor_gone, NULL);
}

static void
count_remove (PosteRouteRow *route,
              guint         *n_remove)
{
  (*n_remove)++;
}

/* A route row, on its own: what it was given, then one notify per real change. */
static void
test_editor_route_notify (void)
{
  g_autofree char *maildir = poste_test_make_dir ("route-notify");
  g_autofree char *spec = g_strdup_printf ("bob@example.org=maildir:%s", maildir);
  g_autofree char *target = NULL;
  PosteRouteRow *route = POSTE_ROUTE_ROW (g_object_ref_sink (poste_route_row_new (spec)));
  g_autoptr(GPtrArray) buttons = poste_ui_test_find_descendants (GTK_WIDGET (route), GTK_TYPE_BUTTON);
  AdwEntryRow *address_row = poste_route_row_get_address_row (route);
  guint n_address, n_target, n_touched, n_remove = 0;

  g_assert_cmpstr (poste_route_row_get_address (route), ==, "bob@example.org");
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (route)), ==, "bob@example.org");
  g_assert_false (poste_route_row_get_touched (route));
  target = g_strdup (poste_route_row_get_target (route));
  g_assert_true (g_str_has_prefix (target, "maildir:"));
  poste_ui_test_count_notify (route, "address", &n_address);
  poste_ui_test_count_notify (route, "target", &n_target);
  poste_ui_test_count_notify (route, "touched", &n_touched);

  /* Typed at the end, as the user does (gtk_editable_set_text() would be two changes: the
   * old text deleted, then the new one inserted). */
  {
    int position = -1;

    gtk_editable_insert_text (GTK_EDITABLE (address_row), ".uk", -1, &position);
  }
  g_assert_cmpuint (n_address, ==, 1);
  g_assert_cmpuint (n_touched, ==, 1);
  g_assert_cmpuint (n_target, ==, 0);
  g_assert_true (poste_route_row_get_touched (route));
  g_assert_cmpstr (poste_route_row_get_address (route), ==, "bob@example.org.uk");
  /* White space after it is not a change of address. */
  {
    int position = -1;

    gtk_editable_insert_text (GTK_EDITABLE (address_row), " ", -1, &position);
  }
  g_assert_cmpuint (n_address, ==, 1);
  g_assert_cmpuint (n_touched, ==, 1);
  g_assert_cmpstr (poste_route_row_get_address (route), ==, "bob@example.org.uk");

  adw_combo_row_set_selected (ADW_COMBO_ROW (find_row (GTK_WIDGET (route), ADW_TYPE_COMBO_ROW, "Deliver To")), 1);
  g_assert_cmpuint (n_target, ==, 1);
  g_assert_true (g_str_has_prefix (poste_route_row_get_target (route), "mbox:"));
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (poste_route_row_get_location_row (route))),
                   ==, "File");

  /* Remove This Route asks the editor, once. */
  g_signal_connect (route, "remove", G_CALLBACK (count_remove), &n_remove);
  for (guint i = 0; i < buttons->len; i++)
    if (g_strcmp0 (gtk_widget_get_tooltip_text (g_ptr_array_index (buttons, i)), "Remove This Route") == 0)
      g_signal_emit_by_name (g_ptr_array_index (buttons, i), "clicked");
  g_assert_cmpuint (n_remove, ==, 1);

  g_assert_finalize_object (route);
}

/* On a phone: nothing forces the window wider than 360 px, and the schedule is drawn. */
static void
test_editor_narrow (void)
{
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GPtrArray) scrolled = NULL;
  GtkAdjustment *adjustment;
  GtkWidget *dialog;
  GtkWidget *schedule;
  graphene_point_t point;

  dialog = open_editor ("acme");
  gtk_window_set_default_size (GTK_WINDOW (dialog), NARROW_WIDTH, 720);
  poste_ui_test_wait_for_drawn (GTK_WINDOW (dialog));
  /* The window's own minimum, and what it got (the window frame takes a few pixels). */
  {
    int minimum = 0;

    gtk_widget_measure (dialog, GTK_ORIENTATION_HORIZONTAL, -1, &minimum, NULL, NULL, NULL);
    g_assert_cmpint (minimum, <=, NARROW_WIDTH);
    g_assert_cmpint (gtk_widget_get_width (dialog), <=, NARROW_WIDTH);
  }

  /* The hours' clocks shown too (this editor is closed without saving). */
  gtk_switch_set_active (GTK_SWITCH (adw_action_row_get_activatable_widget (
                           ADW_ACTION_ROW (find_row (dialog, ADW_TYPE_ACTION_ROW, "All Day")))), FALSE);

  /* The schedule in view. */
  schedule = find_row (dialog, ADW_TYPE_COMBO_ROW, "Fetch");
  scrolled = poste_ui_test_find_descendants (dialog, GTK_TYPE_SCROLLED_WINDOW);
  g_assert_cmpuint (scrolled->len, >=, 1);
  adjustment = gtk_scrolled_window_get_vadjustment (g_ptr_array_index (scrolled, 0));
  g_assert_true (gtk_widget_compute_point (schedule, gtk_scrolled_window_get_child (g_ptr_array_index (scrolled, 0)),
                                           &GRAPHENE_POINT_INIT (0, 0), &point));
  gtk_adjustment_set_value (adjustment, point.y - 60);
  poste_ui_test_wait_for_drawn (GTK_WINDOW (dialog));

  /* Each day's button fits: no day is cut. */
  {
    g_autoptr(GPtrArray) days = poste_ui_test_find_descendants (dialog, GTK_TYPE_TOGGLE_BUTTON);

    for (guint i = 0; i < days->len; i++)
      {
        GtkWidget *day = g_ptr_array_index (days, i);
        graphene_rect_t bounds;

        g_assert_true (gtk_widget_compute_bounds (day, dialog, &bounds));
        g_assert_cmpfloat (bounds.origin.x, >=, 0);
        g_assert_cmpfloat (bounds.origin.x + bounds.size.width, <=, gtk_widget_get_width (dialog));
      }
  }

  texture = poste_ui_test_render_widget (dialog);
  g_assert_cmpint (gdk_texture_get_width (texture), <=, NARROW_WIDTH);
  g_free (poste_ui_test_save_screenshot (texture, "provider-editor-360"));

  poste_ui_test_destroy_and_finalize (GTK_WINDOW (dialog));
  poste_ui_test_iterate_until (editor_gone, NULL);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  poste_ui_test_init (&argc, &argv, "test-editor");

  g_test_add_func ("/ui/editor/round-trip", test_editor_round_trip);
  g_test_add_func ("/ui/editor/schedule-notify", test_editor_schedule_notify);
  g_test_add_func ("/ui/editor/route-notify", test_editor_route_notify);
  g_test_add_func ("/ui/editor/narrow", test_editor_narrow);

  ret = g_test_run ();
  g_clear_object (&app);
  return ret;
}
