/* poste-window.c: the main window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "poste-application.h"
#include "poste-config.h"
#include "poste-provider.h"
#include "poste-window.h"

struct _PosteWindow
{
  AdwApplicationWindow  parent_instance;

  /* The configuration's provider list, while shown. */
  GListModel           *providers;

  /* Template children */
  AdwHeaderBar         *header_bar;
  GtkMenuButton        *primary_menu_button;
  GtkStack             *stack;
  AdwStatusPage        *empty_page;
  GtkButton            *add_provider_button;
  GtkListBox           *provider_list;
  AdwStatusPage        *error_page;
};

G_DEFINE_FINAL_TYPE (PosteWindow, poste_window, ADW_TYPE_APPLICATION_WINDOW)

static GtkWidget *
poste_window_create_provider_row (gpointer item,
                                  gpointer user_data)
{
  PosteProvider *provider = item;
  const char * const *domains = poste_provider_get_domains (provider);
  g_autofree char *domain_list = NULL;
  g_autofree char *subtitle = NULL;
  GtkWidget *row;

  g_assert (POSTE_IS_PROVIDER (provider));

  if (domains != NULL && domains[0] != NULL)
    domain_list = g_strjoinv (", ", (char **)domains);
  else
    /* Translators: an ODMR request without a domain list asks for all of the account's domains */
    domain_list = g_strdup (_("all of the account’s domains"));

  /* Translators: "<server> · <domains>", under a provider's name */
  subtitle = g_strdup_printf (_("%s · %s"), poste_provider_get_host (provider), domain_list);

  row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), poste_provider_get_name (provider));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);

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

/**
 * poste_window_new:
 * @application: the #PosteApplication, after its startup
 *
 * Creates the main window: the application's providers, or an empty state that explains what
 * a provider is, or why the configuration could not be read. Its size and maximized state are
 * bound to the application's settings (`window-width`, `window-height`, `window-maximized`), so
 * that it opens as the user left it.
 *
 * Returns: (transfer none): the new window, owned by GTK's list of toplevels
 */
PosteWindow *
poste_window_new (PosteApplication *application)
{
  PosteWindow *self;
  GSettings *settings;
  PosteConfig *config;
  const GError *config_error;

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

  config = poste_application_get_config (application);
  config_error = poste_application_get_config_error (application);

  if (config != NULL && config_error == NULL)
    {
      self->providers = g_object_ref (poste_config_get_providers (config));
      gtk_list_box_bind_model (self->provider_list, self->providers,
                               poste_window_create_provider_row, NULL, NULL);
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

  poste_window_update_page (self);

  return self;
}

static void
poste_window_dispose (GObject *object)
{
  PosteWindow *self = (PosteWindow *)object;

  if (self->provider_list != NULL)
    gtk_list_box_bind_model (self->provider_list, NULL, NULL, NULL, NULL);
  g_clear_object (&self->providers);

  G_OBJECT_CLASS (poste_window_parent_class)->dispose (object);
}

static void
poste_window_class_init (PosteWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = poste_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/posterestante/PosteRestante/ui/poste-window.ui");
  gtk_widget_class_bind_template_child (widget_class, PosteWindow, header_bar);
  gtk_widget_class_bind_template_child (widget_class, PosteWindow, primary_menu_button);
  gtk_widget_class_bind_template_child (widget_class, PosteWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, PosteWindow, empty_page);
  gtk_widget_class_bind_template_child (widget_class, PosteWindow, add_provider_button);
  gtk_widget_class_bind_template_child (widget_class, PosteWindow, provider_list);
  gtk_widget_class_bind_template_child (widget_class, PosteWindow, error_page);
}

static void
poste_window_init (PosteWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  /* The icon follows the product's id even when a test registers another application id. */
  adw_status_page_set_icon_name (self->empty_page, APP_ID);
}
