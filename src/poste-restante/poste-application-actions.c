/* poste-application-actions.c: the application's actions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "poste-application-private.h"
#include "poste-preferences-window.h"
#include "poste-provider-dialog.h"
#include "poste-release-notes.h"
#include "poste-window.h"

static void
poste_application_actions_quit (GSimpleAction *action,
                                GVariant      *param,
                                gpointer       user_data)
{
  PosteApplication *self = user_data;
  GList *windows;

  g_assert (POSTE_IS_APPLICATION (self));

  /* Destroy the windows first so that each one saves its state. */
  while ((windows = gtk_application_get_windows (GTK_APPLICATION (self))))
    gtk_window_destroy (windows->data);

  g_application_quit (G_APPLICATION (self));
}

static void
poste_application_actions_about (GSimpleAction *action,
                                 GVariant      *param,
                                 gpointer       user_data)
{
  static const char *developers[] = {
    "The Poste Restante authors",
    NULL
  };
  PosteApplication *self = user_data;
  g_autofree char *release_notes = poste_release_notes_dup_current ();
  GtkWindow *parent;
  GtkWidget *about;

  g_assert (POSTE_IS_APPLICATION (self));

  parent = gtk_application_get_active_window (GTK_APPLICATION (self));

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "application", self,
                        "transient-for", parent,
                        "modal", parent != NULL,
                        "application-icon", APP_ID,
                        "application-name", _("Poste Restante"),
                        "developer-name", _("The Poste Restante authors"),
                        "version", PACKAGE_VERSION,
                        "comments", _("Collect the mail your provider holds for your domains, "
                                      "with On-Demand Mail Relay (ODMR)"),
                        "website", "https://github.com/posterestante/poste-restante",
                        "issue-url", "https://github.com/posterestante/poste-restante/issues",
                        "copyright", "© 2026 The Poste Restante authors",
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "developers", developers,
                        /* Translators: your names, one per line */
                        "translator-credits", _("translator-credits"),
                        NULL);
  /* The same notes as the software centre shows, from the metainfo. */
  if (release_notes != NULL)
    g_object_set (about,
                  "release-notes", release_notes,
                  "release-notes-version", PACKAGE_VERSION,
                  NULL);

  gtk_window_present (GTK_WINDOW (about));
}

static void
poste_application_actions_preferences (GSimpleAction *action,
                                       GVariant      *param,
                                       gpointer       user_data)
{
  PosteApplication *self = user_data;
  PostePreferencesWindow *window;
  GtkWindow *parent;

  g_assert (POSTE_IS_APPLICATION (self));

  parent = gtk_application_get_active_window (GTK_APPLICATION (self));

  /* One preferences window is enough: bring back the one already open. */
  for (const GList *iter = gtk_application_get_windows (GTK_APPLICATION (self));
       iter != NULL;
       iter = iter->next)
    {
      if (POSTE_IS_PREFERENCES_WINDOW (iter->data))
        {
          gtk_window_present (iter->data);
          return;
        }
    }

  window = poste_preferences_window_new (self);
  if (parent != NULL)
    {
      gtk_window_set_transient_for (GTK_WINDOW (window), parent);
      gtk_window_set_modal (GTK_WINDOW (window), TRUE);
    }

  gtk_window_present (GTK_WINDOW (window));
}

static void
poste_application_actions_add_provider (GSimpleAction *action,
                                        GVariant      *param,
                                        gpointer       user_data)
{
  PosteApplication *self = user_data;
  PosteProviderDialog *dialog;
  GtkWindow *parent;

  g_assert (POSTE_IS_APPLICATION (self));

  parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  dialog = poste_provider_dialog_new (self);
  if (parent != NULL)
    gtk_window_set_transient_for (GTK_WINDOW (dialog), parent);

  gtk_window_present (GTK_WINDOW (dialog));
}

static void
poste_application_actions_edit_provider (GSimpleAction *action,
                                         GVariant      *param,
                                         gpointer       user_data)
{
  PosteApplication *self = user_data;
  const char *name = g_variant_get_string (param, NULL);
  PosteProviderDialog *dialog;
  PosteProvider *provider;
  GtkWindow *parent;

  g_assert (POSTE_IS_APPLICATION (self));

  if (self->config == NULL || !(provider = poste_config_lookup (self->config, name)))
    return;

  /* One editor per provider: bring back the one already open. */
  for (const GList *iter = gtk_application_get_windows (GTK_APPLICATION (self));
       iter != NULL;
       iter = iter->next)
    {
      if (POSTE_IS_PROVIDER_DIALOG (iter->data) &&
          g_strcmp0 (poste_provider_dialog_get_editing (iter->data), name) == 0)
        {
          gtk_window_present (iter->data);
          return;
        }
    }

  parent = GTK_WINDOW (poste_application_get_main_window (self));
  dialog = poste_provider_dialog_new_for_provider (self, provider);
  if (parent != NULL)
    gtk_window_set_transient_for (GTK_WINDOW (dialog), parent);

  gtk_window_present (GTK_WINDOW (dialog));
}

static void
poste_application_actions_fetch_now (GSimpleAction *action,
                                     GVariant      *param,
                                     gpointer       user_data)
{
  g_assert (POSTE_IS_APPLICATION (user_data));

  poste_application_fetch (user_data, NULL);
}

static void
poste_application_actions_fetch_provider (GSimpleAction *action,
                                          GVariant      *param,
                                          gpointer       user_data)
{
  g_assert (POSTE_IS_APPLICATION (user_data));

  poste_application_fetch (user_data, g_variant_get_string (param, NULL));
}

static void
poste_application_actions_stop (GSimpleAction *action,
                                GVariant      *param,
                                gpointer       user_data)
{
  g_assert (POSTE_IS_APPLICATION (user_data));

  poste_application_stop (user_data, g_variant_get_string (param, NULL));
}

/* app.open: the window, as activating the application does (the tray's Open, the launcher). */
static void
poste_application_actions_open (GSimpleAction *action,
                                GVariant      *param,
                                gpointer       user_data)
{
  g_application_activate (G_APPLICATION (user_data));
}

/* app.pause-schedules: a boolean state kept in step with the scheduler's PosteScheduler:paused
 * (the tray's Pause Schedules). */
static void
poste_application_actions_pause_schedules (GSimpleAction *action,
                                           GVariant      *state,
                                           gpointer       user_data)
{
  PosteScheduler *scheduler = poste_application_get_scheduler (user_data);

  if (scheduler != NULL)
    poste_scheduler_set_paused (scheduler, g_variant_get_boolean (state));
  g_simple_action_set_state (action, state);
}

static void
scheduler_paused_cb (PosteScheduler *scheduler,
                     GParamSpec     *pspec,
                     GSimpleAction  *action)
{
  g_simple_action_set_state (action, g_variant_new_boolean (poste_scheduler_get_paused (scheduler)));
}

static void
poste_application_actions_send_now (GSimpleAction *action,
                                    GVariant      *param,
                                    gpointer       user_data)
{
  _poste_application_send_now (user_data);
}

static void
poste_application_actions_outbox (GSimpleAction *action,
                                  GVariant      *param,
                                  gpointer       user_data)
{
  _poste_application_show_outbox (user_data);
}

static const GActionEntry actions[] = {
  { "quit", poste_application_actions_quit },
  { "about", poste_application_actions_about },
  { "preferences", poste_application_actions_preferences },
  { "add-provider", poste_application_actions_add_provider },
  { "edit-provider", poste_application_actions_edit_provider, "s" },
  { "fetch-now", poste_application_actions_fetch_now },
  { "fetch-provider", poste_application_actions_fetch_provider, "s" },
  { "stop", poste_application_actions_stop, "s" },
  { "open", poste_application_actions_open },
  { "send-now", poste_application_actions_send_now },
  { "outbox", poste_application_actions_outbox },
  { "pause-schedules", NULL, NULL, "false", poste_application_actions_pause_schedules },
};

static const struct {
  const char *action_name;
  const char *accels[3];
} accels[] = {
  { "app.quit", { "<Control>q", NULL } },
  { "app.preferences", { "<Control>comma", NULL } },
  { "app.add-provider", { "<Control>n", NULL } },
  { "app.fetch-now", { "<Control>r", NULL } },
  { "window.close", { "<Control>w", NULL } },
};

static void
set_action_enabled (PosteApplication *self,
                    const char       *name,
                    gboolean          enabled)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), name);

  g_assert (G_IS_SIMPLE_ACTION (action));
  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), enabled);
}

void
_poste_application_actions_init (PosteApplication *self)
{
  g_assert (POSTE_IS_APPLICATION (self));

  g_action_map_add_action_entries (G_ACTION_MAP (self), actions, G_N_ELEMENTS (actions), self);

  /* app.start-at-login: the setting itself, for the offer made when the first scheduled
   * provider is added (and anything else that wants a button for it). */
  if (self->settings != NULL)
    {
      g_autoptr(GAction) start = g_settings_create_action (self->settings, "start-at-login");

      g_action_map_add_action (G_ACTION_MAP (self), start);
    }

  /* Send Now only with something queued. */
  poste_application_refresh_outbox (self);

  /* Pause Schedules shows the scheduler's own state, whoever changed it. */
  {
    GAction *pause = g_action_map_lookup_action (G_ACTION_MAP (self), "pause-schedules");

    if (self->scheduler != NULL)
      {
        g_simple_action_set_state (G_SIMPLE_ACTION (pause),
                                   g_variant_new_boolean (poste_scheduler_get_paused (self->scheduler)));
        g_signal_connect_object (self->scheduler, "notify::paused",
                                 G_CALLBACK (scheduler_paused_cb), pause, 0);
      }
    g_simple_action_set_enabled (G_SIMPLE_ACTION (pause), self->scheduler != NULL);
  }

  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (self),
                                           accels[i].action_name,
                                           accels[i].accels);

  /* Never write over a configuration file that could not be read. */
  set_action_enabled (self, "add-provider", self->config_error == NULL);
  set_action_enabled (self, "edit-provider", self->config_error == NULL);
  set_action_enabled (self, "fetch-now", self->config_error == NULL);
  set_action_enabled (self, "fetch-provider", self->config_error == NULL);
}
