/* poste-application.c: the Poste Restante application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "poste-application-private.h"
#include "poste-autostart.h"
#include "poste-background.h"
#include "poste-notifier.h"
#include "poste-tray.h"
#include "poste-window.h"

G_DEFINE_FINAL_TYPE (PosteApplication, poste_application, ADW_TYPE_APPLICATION)

enum {
  PROP_0,
  PROP_RUN_IN_BACKGROUND,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

guint _poste_application_signals[POSTE_APPLICATION_N_SIGNALS];

static const GOptionEntry main_entries[] = {
  { "fetch-now", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, NULL,
    N_("Fetch mail from every provider now"), NULL },
  { "version", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, NULL,
    N_("Show the version and exit"), NULL },
  { NULL }
};

/**
 * poste_application_new:
 * @application_id: the application id, normally %APP_ID
 * @flags: the #GApplicationFlags; %G_APPLICATION_DEFAULT_FLAGS for the real program, tests add
 *   %G_APPLICATION_NON_UNIQUE so that they never talk to a running instance
 *
 * Creates the application. Nothing is loaded until it is registered: the settings, the actions
 * and their accelerators are set up in #GApplication::startup.
 *
 * Returns: (transfer full): a new #PosteApplication
 */
PosteApplication *
poste_application_new (const char        *application_id,
                       GApplicationFlags  flags)
{
  g_return_val_if_fail (application_id != NULL, NULL);
  g_return_val_if_fail (g_application_id_is_valid (application_id), NULL);

  return g_object_new (POSTE_TYPE_APPLICATION,
                       "application-id", application_id,
                       "flags", flags,
                       /* Templates, the help overlay and the icons all live under this path,
                        * whatever id a test registers the application under. */
                       "resource-base-path", "/io/github/posterestante/PosteRestante",
                       NULL);
}

/**
 * poste_application_get_settings:
 * @self: a #PosteApplication
 *
 * Gets the user interface settings (the `io.github.posterestante.PosteRestante` schema).
 *
 * Returns: (transfer none) (nullable): the settings, or %NULL before startup
 */
GSettings *
poste_application_get_settings (PosteApplication *self)
{
  g_return_val_if_fail (POSTE_IS_APPLICATION (self), NULL);

  return self->settings;
}

/**
 * poste_application_get_main_window:
 * @self: a #PosteApplication
 *
 * Finds the main window among the application's windows.
 *
 * Returns: (transfer none) (nullable): the main window, or %NULL if none is open
 */
PosteWindow *
poste_application_get_main_window (PosteApplication *self)
{
  g_return_val_if_fail (POSTE_IS_APPLICATION (self), NULL);

  for (const GList *iter = gtk_application_get_windows (GTK_APPLICATION (self));
       iter != NULL;
       iter = iter->next)
    {
      if (POSTE_IS_WINDOW (iter->data))
        return iter->data;
    }

  return NULL;
}

/**
 * poste_application_get_config:
 * @self: a #PosteApplication
 *
 * Gets the provider configuration, read from poste_config_dup_default_path() in startup.
 * Its provider list (poste_config_get_providers()) is what the main window shows.
 *
 * Returns: (transfer none) (nullable): the configuration, or %NULL before startup
 */
PosteConfig *
poste_application_get_config (PosteApplication *self)
{
  g_return_val_if_fail (POSTE_IS_APPLICATION (self), NULL);

  return self->config;
}

/**
 * poste_application_get_config_error:
 * @self: a #PosteApplication
 *
 * Gets why the configuration file could not be read in startup. A file that does not exist
 * yet is not an error. While there is one, providers cannot be added, so that the user's file
 * is never overwritten with an empty configuration.
 *
 * Returns: (transfer none) (nullable): a %POSTE_CONFIG_ERROR or %G_FILE_ERROR, or %NULL
 */
const GError *
poste_application_get_config_error (PosteApplication *self)
{
  g_return_val_if_fail (POSTE_IS_APPLICATION (self), NULL);

  return self->config_error;
}

/**
 * poste_application_get_run_in_background:
 * @self: a #PosteApplication
 *
 * Returns: %TRUE if the application keeps running after its last window is closed
 */
gboolean
poste_application_get_run_in_background (PosteApplication *self)
{
  g_return_val_if_fail (POSTE_IS_APPLICATION (self), FALSE);

  return self->run_in_background;
}

/**
 * poste_application_set_run_in_background:
 * @self: a #PosteApplication
 * @run_in_background: whether to keep running without a window
 *
 * Sets whether the application keeps running (and fetching on schedule) after its last window
 * is closed. While it does, the application holds itself (g_application_hold()); turning it off
 * releases that hold, so the application quits if no window is left. The `run-in-background`
 * setting is bound to this property in startup.
 */
void
poste_application_set_run_in_background (PosteApplication *self,
                                         gboolean          run_in_background)
{
  g_return_if_fail (POSTE_IS_APPLICATION (self));

  run_in_background = !!run_in_background;

  if (self->run_in_background == run_in_background)
    return;

  self->run_in_background = run_in_background;

  /* Only a registered primary instance may hold itself. */
  if (run_in_background && !self->held && self->settings != NULL)
    {
      g_application_hold (G_APPLICATION (self));
      self->held = TRUE;
    }
  else if (!run_in_background && self->held)
    {
      self->held = FALSE;
      g_application_release (G_APPLICATION (self));
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUN_IN_BACKGROUND]);
}

static int
poste_application_handle_local_options (GApplication *app,
                                        GVariantDict *options)
{
  g_autoptr(GError) error = NULL;

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
      return EXIT_SUCCESS;
    }

  if (g_variant_dict_contains (options, "fetch-now"))
    {
      /* Runs in the primary instance, whether that is us or one already running. */
      if (!g_application_register (app, NULL, &error))
        {
          g_printerr ("%s\n", error->message);
          return EXIT_FAILURE;
        }

      g_action_group_activate_action (G_ACTION_GROUP (app), "fetch-now", NULL);
      return EXIT_SUCCESS;
    }

  return G_APPLICATION_CLASS (poste_application_parent_class)->handle_local_options (app, options);
}

static void
poste_application_start_at_login_changed (PosteApplication *self,
                                          const char       *key,
                                          GSettings        *settings)
{
  g_autoptr(GError) error = NULL;

  g_assert (POSTE_IS_APPLICATION (self));
  g_assert (G_IS_SETTINGS (settings));

  /* Inside Flatpak the autostart folder is not the host's: that needs the Background portal. */
  if (poste_background_in_flatpak ())
    {
      poste_background_request (settings,
                                gtk_application_get_active_window (GTK_APPLICATION (self)),
                                g_settings_get_boolean (settings, "start-at-login"));
      return;
    }

  if (!poste_autostart_set_enabled (g_settings_get_boolean (settings, "start-at-login"), &error))
    g_warning ("Could not change starting at login: %s", error->message);
}

static void
poste_application_startup (GApplication *app)
{
  PosteApplication *self = POSTE_APPLICATION (app);

  G_APPLICATION_CLASS (poste_application_parent_class)->startup (app);

  gtk_window_set_default_icon_name (APP_ID);

  /* The schema id is the product's, not the (possibly test) application id. */
  self->settings = g_settings_new (APP_ID);
  g_settings_bind (self->settings, "run-in-background",
                   self, "run-in-background",
                   G_SETTINGS_BIND_GET);

  g_signal_connect_object (self->settings,
                           "changed::start-at-login",
                           G_CALLBACK (poste_application_start_at_login_changed),
                           self,
                           G_CONNECT_SWAPPED);
  /* Inside Flatpak, running without a window is a permission too (the Background portal). */
  if (poste_background_in_flatpak ())
    g_signal_connect_object (self->settings,
                             "changed::run-in-background",
                             G_CALLBACK (poste_application_start_at_login_changed),
                             self,
                             G_CONNECT_SWAPPED);
  /* Put the autostart entry back if it went missing; never touch it when the setting is off.
   * Inside Flatpak, running without a window needs the Background portal's leave as well, and
   * running in the background is the default: ask at every start (the portal remembers the
   * answer and asks the user only once). */
  if (g_settings_get_boolean (self->settings, "start-at-login") ||
      (poste_background_in_flatpak () &&
       g_settings_get_boolean (self->settings, "run-in-background")))
    poste_application_start_at_login_changed (self, "start-at-login", self->settings);

  self->config = poste_config_new ();
  if (!poste_config_load (self->config, NULL, &self->config_error) &&
      g_error_matches (self->config_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    g_clear_error (&self->config_error);

  /* The outbox first: the scheduler's rounds submit it. */
  _poste_application_outbox_init (self);
  _poste_application_sessions_init (self);
  _poste_application_actions_init (self);

  /* The tray icon and the notifications (poste-tray.c, poste-notifier.c): they only watch the
   * sessions and activate actions. */
  self->tray = poste_tray_new (self);
  self->notifier = poste_notifier_new (self);
}

static void
poste_application_activate (GApplication *app)
{
  PosteApplication *self = POSTE_APPLICATION (app);
  PosteWindow *window;

  g_assert (POSTE_IS_APPLICATION (self));

  if (!(window = poste_application_get_main_window (self)))
    window = poste_window_new (self);

  gtk_window_present (GTK_WINDOW (window));
}

static void
poste_application_shutdown (GApplication *app)
{
  PosteApplication *self = POSTE_APPLICATION (app);

  if (self->settings != NULL)
    g_settings_unbind (self, "run-in-background");

  /* The tray and the notifications go before the sessions they watch. */
  g_clear_object (&self->tray);
  g_clear_object (&self->notifier);

  _poste_application_sessions_shutdown (self);

  G_APPLICATION_CLASS (poste_application_parent_class)->shutdown (app);

  g_clear_object (&self->settings);
  g_clear_object (&self->config);
  g_clear_error (&self->config_error);
}

static void
poste_application_dispose (GObject *object)
{
  PosteApplication *self = (PosteApplication *)object;

  _poste_application_sessions_shutdown (self);
  g_clear_object (&self->settings);
  g_clear_object (&self->config);
  g_clear_error (&self->config_error);

  G_OBJECT_CLASS (poste_application_parent_class)->dispose (object);
}

static void
poste_application_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  PosteApplication *self = POSTE_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_RUN_IN_BACKGROUND:
      g_value_set_boolean (value, poste_application_get_run_in_background (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
poste_application_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  PosteApplication *self = POSTE_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_RUN_IN_BACKGROUND:
      poste_application_set_run_in_background (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
poste_application_class_init (PosteApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = poste_application_dispose;
  object_class->get_property = poste_application_get_property;
  object_class->set_property = poste_application_set_property;

  app_class->handle_local_options = poste_application_handle_local_options;
  app_class->startup = poste_application_startup;
  app_class->activate = poste_application_activate;
  app_class->shutdown = poste_application_shutdown;

  /**
   * PosteApplication:run-in-background:
   *
   * Whether the application keeps running after its last window is closed.
   */
  properties[PROP_RUN_IN_BACKGROUND] =
    g_param_spec_boolean ("run-in-background", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * PosteApplication::session-started:
   * @self: the application
   * @session: the #PosteSession that starts; watch its state, messages and bytes
   *
   * A fetch started a session (whoever asked: the schedule, Fetch now, the tray).
   */
  _poste_application_signals[POSTE_APPLICATION_SIGNAL_SESSION_STARTED] =
    g_signal_new ("session-started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, POSTE_TYPE_SESSION);

  /**
   * PosteApplication::session-finished:
   * @self: the application
   * @session: (nullable): the #PosteSession that ended, or %NULL when the fetch failed before a
   *   session could start (no password in the keyring, a delivery target that cannot be used)
   * @report: the #PosteSessionReport, already in the history; its provider names the provider
   *
   * A fetch ended, well or not. Emitted before the scheduler hears of it.
   */
  _poste_application_signals[POSTE_APPLICATION_SIGNAL_SESSION_FINISHED] =
    g_signal_new ("session-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2,
                  POSTE_TYPE_SESSION,
                  POSTE_TYPE_SESSION_REPORT | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
poste_application_init (PosteApplication *self)
{
  g_application_add_main_option_entries (G_APPLICATION (self), main_entries);
}

/**
 * poste_application_get_tray:
 * @self: a #PosteApplication
 *
 * Gets the StatusNotifierItem the application shows while it runs.
 *
 * Returns: (transfer none) (nullable): the tray, or %NULL before startup and after shutdown
 */
PosteTray *
poste_application_get_tray (PosteApplication *self)
{
  g_return_val_if_fail (POSTE_IS_APPLICATION (self), NULL);

  return self->tray;
}

/**
 * poste_application_offer_start_at_login:
 * @self: a #PosteApplication
 * @added: a provider the user has just added
 *
 * When @added is the first provider with a schedule, offers once (a toast in the main window
 * whose button turns on `start-at-login`) to start at login too: fetching on schedule is what
 * the application is for, and it only happens while it runs. Running in the background is on
 * by default; nothing is offered again once the user has seen it, nor when starting at login
 * is on already.
 */
void
poste_application_offer_start_at_login (PosteApplication *self,
                                        PosteProvider    *added)
{
  g_autofree char *title = NULL;
  g_autofree char *escaped = NULL;
  GListModel *providers;
  PosteWindow *window;
  AdwToast *toast;

  g_return_if_fail (POSTE_IS_APPLICATION (self));
  g_return_if_fail (POSTE_IS_PROVIDER (added));

  if (self->settings == NULL || self->config == NULL ||
      poste_provider_get_interval (added) == 0 ||
      g_settings_get_boolean (self->settings, "start-at-login") ||
      g_settings_get_boolean (self->settings, "start-at-login-offered") ||
      !(window = poste_application_get_main_window (self)))
    return;
  providers = poste_config_get_providers (self->config);
  for (guint i = 0; i < g_list_model_get_n_items (providers); i++)
    {
      g_autoptr(PosteProvider) provider = g_list_model_get_item (providers, i);

      if (g_strcmp0 (poste_provider_get_name (provider), poste_provider_get_name (added)) != 0 &&
          poste_provider_get_interval (provider) > 0)
        return;
    }

  g_settings_set_boolean (self->settings, "start-at-login-offered", TRUE);
  /* Translators: %s is the provider's name, just added with a schedule */
  title = g_strdup_printf (_("%s is fetched on its schedule while Poste Restante runs, with or "
                             "without its window. Start it at login too?"),
                           poste_provider_get_display_name (added));
  /* A toast's title is Pango markup in libadwaita 1.2. */
  escaped = g_markup_escape_text (title, -1);
  toast = adw_toast_new (escaped);
  adw_toast_set_button_label (toast, _("_Start at Login"));
  /* A boolean setting's action toggles; it is off, or nothing would be offered. */
  adw_toast_set_action_name (toast, "app.start-at-login");
  adw_toast_set_timeout (toast, 15);
  poste_window_add_toast (window, toast);
}
