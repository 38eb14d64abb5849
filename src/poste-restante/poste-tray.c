/* poste-tray.c: what the tray icon shows and which of its menu's items work
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The tray's policy; the protocols are elsewhere: poste-status-item.c is the
 * org.kde.StatusNotifierItem and its registration with the watcher, poste-dbusmenu-exporter.c
 * exports the menu (poste-tray-menu.ui, with a section filled here with one Fetch from item for
 * each provider) over com.canonical.dbusmenu. The item lives at POSTE_TRAY_ITEM_PATH on the
 * application's own connection, its menu at POSTE_TRAY_MENU_PATH. The menu only activates
 * application actions, so whether an item works is the action's enabled state: Send Now only
 * with mail queued (app.send-now, read again before the menu opens, since another program may
 * have filled the queue a moment ago). A left click opens the window, a middle click fetches.
 *
 * The icon says what is going on, with icons of its own (the application's letter, and a small
 * badge for the states): idle; fetching while sessions run (the tooltip counts providers,
 * messages and bytes); Status NeedsAttention with the attention icon while a provider's last
 * fetch failed, until it succeeds, from the history's last report on start. Each icon goes as a
 * themed name with IconThemePath (the installed icons, or the source tree's when run from the
 * build tree) and as pixmaps, rendered from the PNGs in our resources, for hosts that cannot find
 * the theme (another sandbox, another machine).
 */
#include "config.h"

#include <glib/gi18n.h>
#include <gtk/gtk.h>

#include "poste-application.h"
#include "poste-config.h"
#include "poste-dbusmenu-exporter.h"
#include "poste-provider.h"
#include "poste-scheduler.h"
#include "poste-session.h"
#include "poste-status-item.h"
#include "poste-tray.h"

#define IDLE_ICON_NAME APP_ID "-tray"
#define FETCHING_ICON_NAME APP_ID "-tray-fetching"
#define ATTENTION_ICON_NAME APP_ID "-tray-attention"
/* The PNG sizes in the resources for the pixmap fallback (data/icons/hicolor/SIZE/status). */
#define PIXMAP_RESOURCE "/io/github/posterestante/PosteRestante/tray/%dx%d/%s.png"
static const int pixmap_sizes[] = { 16, 24, 32, 48, 64 };
#define MENU_RESOURCE "/io/github/posterestante/PosteRestante/ui/poste-tray-menu.ui"

struct _PosteTray
{
  GObject                parent_instance;

  /* The application owns the tray: a weak pointer. */
  PosteApplication      *application;
  PosteStatusItem       *item;
  PosteDbusmenuExporter *exporter;
  GMenuModel            *menu;
  /* The menu's section of Fetch from items. */
  GMenu                 *providers_section;

  PosteScheduler        *scheduler;
  GListModel            *providers;
  /* Provider name -> running PosteSession. */
  GHashTable            *sessions;
  /* Provider name -> the message of its last failure. */
  GHashTable            *failures;
  /* Icon name -> its pixmaps, a(iiay), made once. */
  GHashTable            *pixmaps;
};

G_DEFINE_FINAL_TYPE (PosteTray, poste_tray, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_REGISTERED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The menu */

/* A provider's name as a menu label: an underscore marks a mnemonic there. */
static char *
escape_label (const char *text)
{
  g_auto(GStrv) parts = g_strsplit (text, "_", -1);

  return g_strjoinv ("__", parts);
}

static void
update_providers_menu (PosteTray *self)
{
  guint n = self->providers != NULL ? g_list_model_get_n_items (self->providers) : 0;

  g_menu_remove_all (self->providers_section);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PosteProvider) provider = g_list_model_get_item (self->providers, i);
      const char *name = poste_provider_get_name (provider);
      g_autofree char *escaped = escape_label (name);
      g_autofree char *label = NULL;
      g_autoptr(GMenuItem) item = NULL;

      /* Translators: a tray menu item; %s is a provider's name */
      label = g_strdup_printf (_("Fetch from %s"), escaped);
      item = g_menu_item_new (label, NULL);
      g_menu_item_set_action_and_target_value (item, "app.fetch-provider",
                                               g_variant_new_string (name));
      g_menu_append_item (self->providers_section, item);
    }
}

/* Whether Send Now has anything to send is the application's (app.send-now is enabled only
 * then, and the exporter follows the action); it is read again before the menu opens, since
 * another program may have filled the queue a moment ago. TRUE when the menu changed. */
static gboolean
update_outbox (PosteTray *self)
{
  return self->application != NULL && poste_application_refresh_outbox (self->application);
}

static gboolean
about_to_show_cb (PosteDbusmenuExporter *exporter,
                  int                    id,
                  PosteTray             *self)
{
  return update_outbox (self);
}

/* The item */

static void
activate_action (PosteTray  *self,
                 const char *name)
{
  if (self->application != NULL &&
      g_action_group_get_action_enabled (G_ACTION_GROUP (self->application), name))
    g_action_group_activate_action (G_ACTION_GROUP (self->application), name, NULL);
}

static void
activate_cb (PosteStatusItem *item,
             int              x,
             int              y,
             PosteTray       *self)
{
  activate_action (self, "open");
}

static void
secondary_activate_cb (PosteStatusItem *item,
                       int              x,
                       int              y,
                       PosteTray       *self)
{
  /* A middle click fetches. */
  activate_action (self, "fetch-now");
}

static void
registered_cb (PosteStatusItem *item,
               GParamSpec      *pspec,
               PosteTray       *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REGISTERED]);
}

/* A time for the tooltip: 14:05 today, with the date on another day. */
static char *
format_time (GDateTime *time)
{
  g_autoptr(GDateTime) local = g_date_time_to_local (time);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  if (g_date_time_get_year (local) == g_date_time_get_year (now) &&
      g_date_time_get_day_of_year (local) == g_date_time_get_day_of_year (now))
    return g_date_time_format (local, "%H:%M");
  /* Translators: a date and time in the past or future, see g_date_time_format() */
  return g_date_time_format (local, _("%e %b, %H:%M"));
}

/* @icon_name's pixmaps for the item, from every size in the resources. */
static GVariant *
icon_pixmaps (PosteTray  *self,
              const char *icon_name)
{
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  GVariant *pixmaps = g_hash_table_lookup (self->pixmaps, icon_name);

  if (pixmaps != NULL)
    return pixmaps;

  for (guint i = 0; i < G_N_ELEMENTS (pixmap_sizes); i++)
    g_ptr_array_add (paths, g_strdup_printf (PIXMAP_RESOURCE, pixmap_sizes[i], pixmap_sizes[i],
                                             icon_name));
  g_ptr_array_add (paths, NULL);
  pixmaps = poste_status_item_load_pixmaps ((const char * const *) paths->pdata);
  g_hash_table_insert (self->pixmaps, g_strdup (icon_name), pixmaps);
  return pixmaps;
}

/* Where a host finds our themed icons: the source tree's data/icons when this program runs
 * from the build tree (a demo, the tests), else the installed data directory's icons. */
static char *
dup_icon_theme_path (void)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *build_root = g_strconcat (POSTE_BUILD_ROOT, G_DIR_SEPARATOR_S, NULL);

  if (exe != NULL && g_str_has_prefix (exe, build_root))
    return g_strdup (POSTE_SOURCE_ICONS_DIR);
  return g_strdup (POSTE_INSTALLED_ICONS_DIR);
}

/* What the icon and the tooltip say: idle, fetching (with counts), or an error. */
static void
update_status (PosteTray *self)
{
  g_autoptr(GString) description = g_string_new (NULL);
  const char *status = "Active";
  const char *icon = IDLE_ICON_NAME;
  const char *title = _("Poste Restante");
  GHashTableIter iter;
  gpointer key, value;

  if (self->item == NULL)
    return;

  if (g_hash_table_size (self->sessions) > 0)
    {
      g_autoptr(GPtrArray) names = g_ptr_array_new ();
      g_autofree char *size = NULL;
      g_autofree char *joined = NULL;
      guint messages = 0;
      guint64 bytes = 0;

      g_hash_table_iter_init (&iter, self->sessions);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          g_ptr_array_add (names, key);
          messages += poste_session_get_messages (value);
          bytes += poste_session_get_bytes (value);
        }
      g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
      g_ptr_array_add (names, NULL);
      joined = g_strjoinv (", ", (char **) names->pdata);
      size = g_format_size (bytes);
      icon = FETCHING_ICON_NAME;
      /* Translators: the tray's tooltip; %s lists providers, then a count of messages, then a
       * size such as "12.3 kB" */
      g_string_append_printf (description,
                              ngettext ("Fetching from %s: %u message, %s",
                                        "Fetching from %s: %u messages, %s", messages),
                              joined, messages, size);
    }

  if (g_hash_table_size (self->failures) > 0)
    {
      g_autoptr(GList) names = g_list_sort (g_hash_table_get_keys (self->failures),
                                            (GCompareFunc) g_strcmp0);

      /* A running fetch shows as such (a host would show the attention icon instead of the
       * fetching one); the attention comes back when it ends. */
      if (g_hash_table_size (self->sessions) == 0)
        {
          status = "NeedsAttention";
          icon = ATTENTION_ICON_NAME;
        }
      for (GList *l = names; l != NULL; l = l->next)
        {
          g_autoptr(GDateTime) next = NULL;

          if (description->len > 0)
            g_string_append_c (description, '\n');
          /* Translators: the tray's tooltip; a provider's name, then why its last fetch
           * failed */
          g_string_append_printf (description, _("%s: %s"), (const char *) l->data,
                                  (const char *) g_hash_table_lookup (self->failures, l->data));
          /* When the scheduler retries it on its own (its backoff), say when. */
          if (self->scheduler != NULL &&
              poste_scheduler_get_state (self->scheduler, l->data) == POSTE_SCHEDULE_STATE_RETRYING)
            next = poste_scheduler_get_next_fetch (self->scheduler, l->data);
          if (next != NULL)
            {
              g_autofree char *when = format_time (next);

              /* Translators: the tray's tooltip, after why a provider's fetch failed; %s is a
               * time, 14:05 */
              g_string_append_printf (description, _(" (next attempt at %s)"), when);
            }
        }
    }

  if (description->len == 0)
    {
      if (self->scheduler != NULL && poste_scheduler_get_paused (self->scheduler))
        g_string_append (description, _("Idle, schedules paused"));
      else
        g_string_append (description, _("Idle"));
    }
  else if (g_hash_table_size (self->sessions) == 0 &&
           self->scheduler != NULL && poste_scheduler_get_paused (self->scheduler))
    /* Translators: the tray's tooltip, below the providers that need attention */
    g_string_append_printf (description, "\n%s", _("Schedules paused"));

  poste_status_item_set_status (self->item, status);
  poste_status_item_set_icon (self->item, icon, icon_pixmaps (self, icon));
  poste_status_item_set_tool_tip (self->item, IDLE_ICON_NAME, title, description->str);
}

/* What happens in the application */

static void
session_progress_cb (PosteSession *session,
                     GParamSpec   *pspec,
                     PosteTray    *self)
{
  update_status (self);
}

static void
session_started_cb (PosteApplication *application,
                    PosteSession     *session,
                    PosteTray        *self)
{
  const char *name = poste_provider_get_name (poste_session_get_provider (session));

  g_signal_connect_object (session, "notify::messages", G_CALLBACK (session_progress_cb), self, 0);
  g_hash_table_replace (self->sessions, g_strdup (name), g_object_ref (session));
  update_status (self);
}

static void
session_finished_cb (PosteApplication         *application,
                     PosteSession             *session,
                     const PosteSessionReport *report,
                     PosteTray                *self)
{
  if (session != NULL)
    g_signal_handlers_disconnect_by_data (session, self);
  g_hash_table_remove (self->sessions, report->provider);

  if (report->outcome == POSTE_SESSION_OUTCOME_FAILED && report->error != NULL)
    g_hash_table_replace (self->failures, g_strdup (report->provider),
                          g_strdup (report->error->message));
  else if (report->outcome == POSTE_SESSION_OUTCOME_MAIL ||
           report->outcome == POSTE_SESSION_OUTCOME_NO_MAIL ||
           report->outcome == POSTE_SESSION_OUTCOME_STARTED)
    g_hash_table_remove (self->failures, report->provider);
  update_outbox (self);
  update_status (self);
}

static void
providers_changed_cb (GListModel *model,
                      guint       position,
                      guint       removed,
                      guint       added,
                      PosteTray  *self)
{
  GHashTableIter iter;
  gpointer key;

  /* A provider that is gone no longer needs attention. */
  g_hash_table_iter_init (&iter, self->failures);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      gboolean found = FALSE;

      for (guint i = 0; i < g_list_model_get_n_items (model) && !found; i++)
        {
          g_autoptr(PosteProvider) provider = g_list_model_get_item (model, i);

          found = g_strcmp0 (poste_provider_get_name (provider), key) == 0;
        }
      if (!found)
        g_hash_table_iter_remove (&iter);
    }
  update_providers_menu (self);
  update_status (self);
}

static void
paused_changed_cb (PosteTray *self)
{
  update_status (self);
}

static void
schedule_changed_cb (PosteTray  *self,
                     const char *name)
{
  if (g_hash_table_contains (self->failures, name))
    update_status (self);
}

/* Puts the item and its menu on the application's connection. */
static void
export (PosteTray       *self,
        GDBusConnection *connection)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *icon_theme_path = dup_icon_theme_path ();

  self->exporter = poste_dbusmenu_exporter_new (self->menu);
  poste_dbusmenu_exporter_insert_action_group (self->exporter, "app",
                                               G_ACTION_GROUP (self->application));
  g_signal_connect (self->exporter, "about-to-show", G_CALLBACK (about_to_show_cb), self);

  self->item = poste_status_item_new (APP_ID, "Communications", _("Poste Restante"));
  poste_status_item_set_icon_theme_path (self->item, icon_theme_path);
  poste_status_item_set_menu (self->item, POSTE_TRAY_MENU_PATH);
  poste_status_item_set_icon (self->item, IDLE_ICON_NAME, icon_pixmaps (self, IDLE_ICON_NAME));
  poste_status_item_set_attention_icon (self->item, ATTENTION_ICON_NAME,
                                        icon_pixmaps (self, ATTENTION_ICON_NAME));
  g_signal_connect (self->item, "activate", G_CALLBACK (activate_cb), self);
  g_signal_connect (self->item, "secondary-activate", G_CALLBACK (secondary_activate_cb), self);
  g_signal_connect (self->item, "notify::registered", G_CALLBACK (registered_cb), self);

  update_status (self);

  /* The menu first: a host reads it as soon as the item registers. */
  if (!poste_dbusmenu_exporter_export (self->exporter, connection, POSTE_TRAY_MENU_PATH, &error) ||
      !poste_status_item_export (self->item, connection, POSTE_TRAY_ITEM_PATH, &error))
    g_debug ("Tray: cannot export the item: %s", error->message);
}

/* The object */

static void poste_tray_setup (PosteTray        *self,
                              PosteApplication *application);

/**
 * poste_tray_new:
 * @application: a #PosteApplication after its startup
 *
 * Exports the tray item and its menu on @application's D-Bus connection and registers the item
 * with the StatusNotifierWatcher whenever one is there (none on most GNOME desktops without an
 * extension: then nothing shows, and nothing fails).
 *
 * Returns: (transfer full): the tray; keep it as long as the application runs
 */
PosteTray *
poste_tray_new (PosteApplication *application)
{
  PosteTray *self;

  g_return_val_if_fail (POSTE_IS_APPLICATION (application), NULL);

  self = g_object_new (POSTE_TYPE_TRAY, NULL);
  poste_tray_setup (self, application);
  return self;
}

/**
 * poste_tray_get_registered:
 * @self: a #PosteTray
 *
 * Returns: whether a StatusNotifierWatcher accepted the item (and has not gone since)
 */
gboolean
poste_tray_get_registered (PosteTray *self)
{
  g_return_val_if_fail (POSTE_IS_TRAY (self), FALSE);
  return self->item != NULL && poste_status_item_get_registered (self->item);
}

static void
poste_tray_setup (PosteTray        *self,
                  PosteApplication *application)
{
  PosteConfig *config = poste_application_get_config (application);
  GDBusConnection *connection;
  g_autoptr(GtkBuilder) builder = NULL;

  self->application = application;
  g_object_add_weak_pointer (G_OBJECT (application), (gpointer *) &self->application);

  self->scheduler = poste_application_get_scheduler (application);
  if (self->scheduler != NULL)
    {
      g_object_ref (self->scheduler);
      g_signal_connect_object (self->scheduler, "notify::paused", G_CALLBACK (paused_changed_cb),
                               self, G_CONNECT_SWAPPED);
      /* A failed provider's next attempt is in the tooltip. */
      g_signal_connect_object (self->scheduler, "provider-changed",
                               G_CALLBACK (schedule_changed_cb), self, G_CONNECT_SWAPPED);
    }
  if (config != NULL)
    {
      self->providers = g_object_ref (poste_config_get_providers (config));
      g_signal_connect_object (self->providers, "items-changed",
                               G_CALLBACK (providers_changed_cb), self, 0);
    }

  /* The state on start is the history's: a provider whose last fetch failed needs attention. */
  for (guint i = 0; self->providers != NULL && i < g_list_model_get_n_items (self->providers); i++)
    {
      g_autoptr(PosteProvider) provider = g_list_model_get_item (self->providers, i);
      const char *name = poste_provider_get_name (provider);
      const PosteSessionReport *report = poste_application_get_last_report (application, name);

      if (report != NULL && report->outcome == POSTE_SESSION_OUTCOME_FAILED)
        g_hash_table_replace (self->failures, g_strdup (name),
                              g_strdup (report->error != NULL ? report->error->message
                                                              : _("The last fetch failed")));
    }

  g_signal_connect_object (application, "session-started", G_CALLBACK (session_started_cb),
                           self, 0);
  g_signal_connect_object (application, "session-finished", G_CALLBACK (session_finished_cb),
                           self, 0);

  builder = gtk_builder_new_from_resource (MENU_RESOURCE);
  self->menu = g_object_ref (G_MENU_MODEL (gtk_builder_get_object (builder, "menu")));
  self->providers_section = g_object_ref (G_MENU (gtk_builder_get_object (builder, "providers")));
  update_providers_menu (self);

  connection = g_application_get_dbus_connection (G_APPLICATION (application));
  if (connection == NULL)
    {
      g_debug ("Tray: the application has no D-Bus connection; no tray item");
      return;
    }
  export (self, connection);
}

static void
poste_tray_dispose (GObject *object)
{
  PosteTray *self = (PosteTray *)object;

  if (self->item != NULL)
    g_signal_handlers_disconnect_by_data (self->item, self);
  if (self->exporter != NULL)
    g_signal_handlers_disconnect_by_data (self->exporter, self);
  g_clear_object (&self->item);
  g_clear_object (&self->exporter);
  g_clear_object (&self->menu);
  g_clear_object (&self->providers_section);
  g_clear_object (&self->providers);
  g_clear_object (&self->scheduler);
  if (self->application != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->application), (gpointer *) &self->application);
  self->application = NULL;
  g_hash_table_remove_all (self->sessions);

  G_OBJECT_CLASS (poste_tray_parent_class)->dispose (object);
}

static void
poste_tray_finalize (GObject *object)
{
  PosteTray *self = (PosteTray *)object;

  g_clear_pointer (&self->sessions, g_hash_table_unref);
  g_clear_pointer (&self->failures, g_hash_table_unref);
  g_clear_pointer (&self->pixmaps, g_hash_table_unref);

  G_OBJECT_CLASS (poste_tray_parent_class)->finalize (object);
}

static void
poste_tray_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  PosteTray *self = POSTE_TRAY (object);

  switch (prop_id)
    {
    case PROP_REGISTERED:
      g_value_set_boolean (value, poste_tray_get_registered (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
poste_tray_class_init (PosteTrayClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = poste_tray_dispose;
  object_class->finalize = poste_tray_finalize;
  object_class->get_property = poste_tray_get_property;

  /**
   * PosteTray:registered:
   *
   * Whether a StatusNotifierWatcher accepted the item.
   */
  properties[PROP_REGISTERED] =
    g_param_spec_boolean ("registered", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
poste_tray_init (PosteTray *self)
{
  self->sessions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->failures = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->pixmaps = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) g_variant_unref);
}
