/* poste-window.c: the main window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "poste-application.h"
#include "poste-window.h"

struct _PosteWindow
{
  AdwApplicationWindow  parent_instance;

  /* Template children */
  AdwHeaderBar         *header_bar;
  GtkMenuButton        *primary_menu_button;
  AdwStatusPage        *empty_page;
  GtkButton            *add_provider_button;
};

G_DEFINE_FINAL_TYPE (PosteWindow, poste_window, ADW_TYPE_APPLICATION_WINDOW)

/**
 * poste_window_new:
 * @application: the #PosteApplication, after its startup
 *
 * Creates the main window and binds its size and maximized state to the application's
 * settings (`window-width`, `window-height`, `window-maximized`), so that it opens as the user
 * left it.
 *
 * Returns: (transfer none): the new window, owned by GTK's list of toplevels
 */
PosteWindow *
poste_window_new (PosteApplication *application)
{
  PosteWindow *self;
  GSettings *settings;

  g_return_val_if_fail (POSTE_IS_APPLICATION (application), NULL);

  self = g_object_new (POSTE_TYPE_WINDOW,
                       "application", application,
                       NULL);

  if ((settings = poste_application_get_settings (application)))
    {
      g_settings_bind (settings, "window-width", self, "default-width", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "window-height", self, "default-height", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "window-maximized", self, "maximized", G_SETTINGS_BIND_DEFAULT);
    }

  return self;
}

static void
poste_window_class_init (PosteWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/posterestante/PosteRestante/ui/poste-window.ui");
  gtk_widget_class_bind_template_child (widget_class, PosteWindow, header_bar);
  gtk_widget_class_bind_template_child (widget_class, PosteWindow, primary_menu_button);
  gtk_widget_class_bind_template_child (widget_class, PosteWindow, empty_page);
  gtk_widget_class_bind_template_child (widget_class, PosteWindow, add_provider_button);
}

static void
poste_window_init (PosteWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  /* The icon follows the product's id even when a test registers another application id. */
  adw_status_page_set_icon_name (self->empty_page, APP_ID);
}
