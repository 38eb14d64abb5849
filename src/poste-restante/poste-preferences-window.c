/* poste-preferences-window.c: the preferences window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "poste-accessible.h"
#include "poste-application.h"
#include "poste-preferences-window.h"

struct _PostePreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  GSettings            *settings;

  /* Template children */
  GtkSwitch            *run_in_background_switch;
  GtkSwitch            *start_at_login_switch;
  AdwActionRow         *start_at_login_row;
  GtkSwitch            *notifications_switch;
};

G_DEFINE_FINAL_TYPE (PostePreferencesWindow, poste_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

/**
 * poste_preferences_window_new:
 * @application: the #PosteApplication, after its startup
 *
 * Creates the preferences window. Its switches are bound to the application's settings
 * (`run-in-background`, `start-at-login`, `notifications`) and write them as they change.
 *
 * Returns: (transfer none): the new window, owned by GTK's list of toplevels
 */
PostePreferencesWindow *
poste_preferences_window_new (PosteApplication *application)
{
  PostePreferencesWindow *self;
  GSettings *settings;

  g_return_val_if_fail (POSTE_IS_APPLICATION (application), NULL);

  settings = poste_application_get_settings (application);
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  self = g_object_new (POSTE_TYPE_PREFERENCES_WINDOW,
                       "application", application,
                       NULL);

  self->settings = g_object_ref (settings);
  g_settings_bind (settings, "run-in-background",
                   self->run_in_background_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "start-at-login",
                   self->start_at_login_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  /* Started at login, the application runs as a background service: only when it may. */
  g_object_bind_property (self->run_in_background_switch, "active",
                          self->start_at_login_row, "sensitive",
                          G_BINDING_SYNC_CREATE);
  g_settings_bind (settings, "notifications",
                   self->notifications_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);

  return self;
}

static void
poste_preferences_window_dispose (GObject *object)
{
  PostePreferencesWindow *self = (PostePreferencesWindow *)object;

  g_clear_object (&self->settings);

  G_OBJECT_CLASS (poste_preferences_window_parent_class)->dispose (object);
}

static void
poste_preferences_window_class_init (PostePreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = poste_preferences_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/posterestante/PosteRestante/ui/poste-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, PostePreferencesWindow, run_in_background_switch);
  gtk_widget_class_bind_template_child (widget_class, PostePreferencesWindow, start_at_login_switch);
  gtk_widget_class_bind_template_child (widget_class, PostePreferencesWindow, notifications_switch);
  gtk_widget_class_bind_template_child (widget_class, PostePreferencesWindow, start_at_login_row);
}

static GtkWidget *
find_search_entry (GtkWidget *widget)
{
  if (GTK_IS_SEARCH_ENTRY (widget))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_search_entry (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
poste_preferences_window_init (PostePreferencesWindow *self)
{
  GtkWidget *search_entry;

  gtk_widget_init_template (GTK_WIDGET (self));
  poste_accessible_fix (GTK_WIDGET (self));

  /* Search is off (a single page): libadwaita 1.2 still builds its unnamed search entry, which
   * a screen reader would find though no one can reach it. */
  search_entry = find_search_entry (GTK_WIDGET (self));
  if (search_entry != NULL)
    poste_accessible_hide (search_entry);
}
