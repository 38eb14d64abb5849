/* test-tray.c: the tray item and the notifications, over a private session bus
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs under dbus-run-session and Xvfb (the 'ui' suite). The test is the desktop around the
 * application: tray-host.c's StatusNotifierWatcher and python3-dbusmock's notification daemon on
 * a connection of their own, and a PosteTestProvider (its own thread, 127.0.0.1, STARTTLS with a
 * test CA) that holds the mail. It reads the item's properties and menu through D-Bus as a tray
 * host does, clicks menu items with dbusmenu's Event, and checks what happened: the session ran,
 * the mail is in the Maildir, the icon and tooltip say so, the notifications say so once.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "poste-test.h"
#include "poste-test-cert.h"
#include "poste-test-provider.h"
#include "poste-test-services.h"
#include "poste-ui-test.h"
#include "poste-history.h"
#include "poste-outbox.h"
#include "poste-application.h"
#include "poste-config.h"
#include "poste-scheduler.h"
#include "poste-session.h"
#include "poste-tray.h"
#include "tray-host.h"

#define PASSWORD "s3cret horse"

static const char *acme_domains[] = { "example.org", NULL };
static const char *bigco_domains[] = { "example.net", NULL };
static const char *acme_rcpt[] = { "alice@example.org", NULL };

static PosteApplication *app;
static PosteTestCert *cert;
static PosteTestProvider *provider;
static char *dir;
static char *maildir;

static guint sessions_finished;

static void
count_finished (PosteApplication         *application,
                PosteSession             *session,
                const PosteSessionReport *report,
                gpointer                  user_data)
{
  g_test_message ("session of %s finished: %s%s%s", report->provider,
                  poste_session_outcome_to_string (report->outcome),
                  report->error != NULL ? ": " : "",
                  report->error != NULL ? report->error->message : "");
  sessions_finished++;
}

static gboolean
finished_reached (gpointer data)
{
  return sessions_finished >= GPOINTER_TO_UINT (data);
}

static void
wait_finished (guint more)
{
  poste_ui_test_iterate_until (finished_reached, GUINT_TO_POINTER (sessions_finished + more));
}

static guint
delivered (void)
{
  g_autofree char *new_dir = g_build_filename (maildir, "new", NULL);

  return poste_test_count_entries (new_dir);
}

/* acme's last fetch, before this start, failed: the tray starts needing attention. */
static void
write_history (void)
{
  g_autofree char *history_dir = poste_history_dup_default_dir ();
  g_autoptr(PosteHistory) history = poste_history_new (history_dir);
  g_autoptr(PosteSessionReport) report = poste_session_report_new ("acme");
  g_autoptr(GError) error = NULL;

  report->started = g_date_time_new_now_utc ();
  report->outcome = POSTE_SESSION_OUTCOME_FAILED;
  report->error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED,
                                       "Could not connect: Connection refused");
  g_assert_true (poste_history_add (history, report, &error));
  g_assert_no_error (error);
}

/* Writes the configuration before the application starts: acme holds one message for us;
 * bigco's password file has the wrong password. Both fetch only on demand. */
static void
write_config (guint16 port)
{
  g_autofree char *config_path = poste_config_dup_default_path ();
  g_autofree char *config_dir = g_path_get_dirname (config_path);
  g_autofree char *good = g_build_filename (dir, "acme.password", NULL);
  g_autofree char *bad = g_build_filename (dir, "bigco.password", NULL);
  g_autoptr(GString) text = g_string_new (NULL);
  const char *names[] = { "acme", "bigco" };
  const char *domains[] = { "example.org", "example.net" };
  const char *files[] = { good, bad };

  g_assert_true (g_file_set_contents_full (good, PASSWORD "\n", -1,
                                           G_FILE_SET_CONTENTS_CONSISTENT, 0600, NULL));
  g_assert_true (g_file_set_contents_full (bad, "not the password\n", -1,
                                           G_FILE_SET_CONTENTS_CONSISTENT, 0600, NULL));
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    poste_test_append_provider_group (text, names[i], port, domains[i], maildir, 0, cert->ca_file,
                                      files[i]);
  g_assert_cmpint (g_mkdir_with_parents (config_dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (config_path, text->str, -1, NULL));
}

static gboolean
tray_registered (gpointer data)
{
  PosteTray *tray = poste_application_get_tray (app);

  return tray != NULL && poste_tray_get_registered (tray) == GPOINTER_TO_INT (data);
}

/* Tests */

/* The first case starts everything, inside its private home. */
static void
test_tray_register (void)
{
  g_autoptr(GError) error = NULL;
  guint16 port;

  /* Outside the test case's private home, which GLib removes when the case ends: the
   * application keeps using these files in the cases after this one. */
  dir = g_dir_make_tmp ("poste-test-tray-XXXXXX", &error);
  g_assert_no_error (error);
  maildir = g_build_filename (dir, "Maildir", NULL);
  cert = poste_test_cert_new (dir, "provider.test", POSTE_TEST_CERT_NONE, &error);
  g_assert_no_error (error);
  provider = poste_test_provider_new_holding_one (cert->certificate, "acme", PASSWORD, acme_domains);
  poste_test_provider_add_account (provider, "bigco", PASSWORD, bigco_domains);
  port = poste_test_provider_start (provider, &error);
  g_assert_no_error (error);
  write_config (port);
  write_history ();

  tray_host_start ();

  app = poste_application_new (APP_ID, G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  g_signal_connect (app, "session-finished", G_CALLBACK (count_finished), NULL);

  poste_ui_test_iterate_until (tray_registered, GINT_TO_POINTER (TRUE));
  /* By object path, from the application's own connection. */
  g_assert_cmpuint (tray_host_get_registrations ()->len, ==, 1);
  g_assert_cmpstr (tray_host_get_registrations ()->pdata[0], ==, POSTE_TRAY_ITEM_PATH);
  g_assert_cmpstr (tray_host_get_item_owner (), ==,
                   g_dbus_connection_get_unique_name (
                     g_application_get_dbus_connection (G_APPLICATION (app))));
}

static void
test_tray_properties (void)
{
  g_autoptr(GVariant) menu = tray_host_item_property ("Menu");
  g_autoptr(GVariant) is_menu = tray_host_item_property ("ItemIsMenu");
  g_autofree char *icon = tray_host_item_string ("IconName");
  g_autofree char *status = tray_host_item_string ("Status");
  g_autofree char *id = tray_host_item_string ("Id");
  g_autofree char *title = tray_host_item_string ("Title");
  g_autofree char *overlay = tray_host_item_string ("OverlayIconName");
  g_autofree char *attention = tray_host_item_string ("AttentionIconName");
  g_autofree char *theme_path = tray_host_item_string ("IconThemePath");
  g_autofree char *tooltip = tray_host_item_tooltip ();
  g_autofree char *themed = NULL;
  g_autoptr(GVariant) pixmaps = tray_host_item_property ("IconPixmap");
  g_autoptr(GVariant) attention_pixmaps = tray_host_item_property ("AttentionIconPixmap");
  gboolean found_16 = FALSE;

  /* The history says acme's last fetch failed: attention from the start. */
  g_assert_cmpstr (icon, ==, APP_ID "-tray-attention");
  g_assert_cmpstr (status, ==, "NeedsAttention");
  g_assert_cmpstr (attention, ==, APP_ID "-tray-attention");
  g_assert_cmpstr (tooltip, ==, "acme: Could not connect: Connection refused");
  g_assert_cmpstr (id, ==, APP_ID);
  g_assert_cmpstr (title, ==, "Poste Restante");
  g_assert_cmpstr (overlay, ==, "");

  /* Run from the build tree: the host finds the icons in the source tree's data/icons. */
  themed = g_build_filename (theme_path, "hicolor", "scalable", "status", APP_ID "-tray-attention.svg",
                             NULL);
  g_assert_true (g_file_test (themed, G_FILE_TEST_IS_REGULAR));

  /* And as pixmaps: ARGB32 in network byte order, the letter opaque in the middle and the
   * corners clear. */
  g_assert_cmpuint (g_variant_n_children (pixmaps), >=, 4);
  g_assert_cmpuint (g_variant_n_children (attention_pixmaps), ==, g_variant_n_children (pixmaps));
  for (gsize i = 0; i < g_variant_n_children (pixmaps); i++)
    {
      g_autoptr(GVariant) bytes = NULL;
      const guint8 *argb;
      gsize length;
      int width, height;

      g_variant_get_child (pixmaps, i, "(ii@ay)", &width, &height, &bytes);
      argb = g_variant_get_fixed_array (bytes, &length, 1);
      g_assert_cmpint (width, ==, height);
      g_assert_cmpuint (length, ==, (gsize) width * height * 4);
      g_assert_cmpuint (argb[0], ==, 0);
      g_assert_cmpuint (argb[(height / 2 * width + width / 4) * 4], ==, 0xff);
      found_16 |= width == 16;
    }
  g_assert_true (found_16);
  g_assert_true (g_variant_is_of_type (menu, G_VARIANT_TYPE_OBJECT_PATH));
  g_assert_cmpstr (g_variant_get_string (menu, NULL), ==, POSTE_TRAY_MENU_PATH);
  g_assert_false (g_variant_get_boolean (is_menu));
}

static void
test_tray_menu (void)
{
  const char *expected[] = {
    "_Fetch Now", "_Send Now", NULL, "Fetch from acme", "Fetch from bigco", NULL, "_Pause Schedules",
    "_Open Poste Restante", NULL, "_Quit",
  };
  g_autoptr(GArray) items = tray_host_get_menu ();
  PosteScheduler *scheduler = poste_application_get_scheduler (app);

  g_assert_cmpuint (items->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < items->len; i++)
    {
      const DbusmenuItem *item = &g_array_index (items, DbusmenuItem, i);

      if (expected[i] == NULL)
        g_assert_cmpstr (item->type, ==, "separator");
      else
        {
          g_assert_cmpstr (item->label, ==, expected[i]);
          /* Nothing is queued: Send Now would have nothing to send. */
          g_assert_true (item->enabled == !g_str_equal (expected[i], "_Send Now"));
        }
    }
  g_assert_cmpstr (dbusmenu_reader_find_item (items, "_Pause Schedules")->toggle_type, ==,
                   "checkmark");
  g_assert_cmpint (dbusmenu_reader_find_item (items, "_Pause Schedules")->toggle_state, ==, 0);

  /* Pause Schedules is a checkbox over the scheduler's pause. */
  g_assert_false (poste_scheduler_get_paused (scheduler));
  tray_host_click ("_Pause Schedules");
  g_assert_true (poste_scheduler_get_paused (scheduler));
  g_clear_pointer (&items, g_array_unref);
  items = tray_host_get_menu ();
  g_assert_cmpint (dbusmenu_reader_find_item (items, "_Pause Schedules")->toggle_state, ==, 1);
  {
    g_autofree char *tooltip = tray_host_item_tooltip ();

    g_assert_cmpstr (tooltip, ==, "acme: Could not connect: Connection refused\nSchedules paused");
  }
  tray_host_click ("_Pause Schedules");
  g_assert_false (poste_scheduler_get_paused (scheduler));

  /* The same action from outside, as `gapplication action` sends it. */
  g_action_group_change_action_state (G_ACTION_GROUP (app), "pause-schedules",
                                      g_variant_new_boolean (TRUE));
  g_assert_true (poste_scheduler_get_paused (scheduler));
  g_action_group_change_action_state (G_ACTION_GROUP (app), "pause-schedules",
                                      g_variant_new_boolean (FALSE));
  g_assert_false (poste_scheduler_get_paused (scheduler));
}

static gboolean
session_in_atrn (gpointer data)
{
  PosteSession *session = poste_application_get_session (app, data);

  return session != NULL && poste_session_get_state (session) == POSTE_SESSION_STATE_ATRN;
}

static void
test_tray_fetch (void)
{
  g_autoptr(GError) error = NULL;

  /* A session that hangs at ATRN: the icon shows the fetch while it lasts. */
  g_assert_true (poste_test_provider_set_faults (provider, "silent=atrn", &error));
  g_assert_no_error (error);
  tray_host_click ("Fetch from acme");
  poste_ui_test_iterate_until (session_in_atrn, (gpointer) "acme");
  {
    g_autofree char *icon = tray_host_item_string ("IconName");
    g_autofree char *status = tray_host_item_string ("Status");
    g_autofree char *tooltip = tray_host_item_tooltip ();

    /* Fetching shows, over acme's earlier failure. */
    g_assert_cmpstr (icon, ==, APP_ID "-tray-fetching");
    g_assert_cmpstr (status, ==, "Active");
    g_assert_true (g_str_has_prefix (tooltip, "Fetching from acme: 0 messages, 0 bytes\n"));
  }
  g_action_group_activate_action (G_ACTION_GROUP (app), "stop", g_variant_new_string ("acme"));
  wait_finished (1);
  g_assert_cmpuint (delivered (), ==, 0);

  /* Fetch now: acme delivers its message, bigco's password is wrong. */
  g_assert_true (poste_test_provider_set_faults (provider, "", &error));
  g_assert_no_error (error);
  tray_host_click ("_Fetch Now");
  wait_finished (2);
  g_assert_cmpuint (delivered (), ==, 1);
  g_assert_cmpuint (poste_test_provider_count_spooled (provider), ==, 0);
  {
    g_autofree char *icon = tray_host_item_string ("IconName");
    g_autofree char *status = tray_host_item_string ("Status");
    g_autofree char *attention = tray_host_item_string ("AttentionIconName");
    g_autofree char *tooltip = tray_host_item_tooltip ();

    g_assert_cmpstr (status, ==, "NeedsAttention");
    g_assert_cmpstr (attention, ==, APP_ID "-tray-attention");
    g_assert_cmpstr (icon, ==, APP_ID "-tray-attention");
    g_assert_true (g_str_has_prefix (tooltip, "bigco: "));
    g_assert_null (strstr (tooltip, "acme"));
  }
}

/* A failure of @provider reported as a fetch @minutes from now would end, as the application
 * tells its observers (#PosteApplication::session-finished): the notifier judges how long a
 * failure lasted by the reports' times. */
static void
emit_failure_later (const char *name,
                    guint       minutes)
{
  g_autoptr(PosteSessionReport) report = poste_session_report_new (name);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  report->started = g_date_time_add_minutes (now, (int)minutes);
  report->outcome = POSTE_SESSION_OUTCOME_FAILED;
  report->error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED,
                                       "Could not connect: Connection refused");
  g_signal_emit_by_name (app, "session-finished", NULL, report);
}

static void
test_tray_notifications (void)
{
  g_autoptr(GArray) notifications = tray_host_get_notifications ();
  g_autoptr(GError) error = NULL;
  const TrayHostNotification *mail;
  const TrayHostNotification *auth;
  const char *mail_actions[] = { "default", "Open", "open", "Open", NULL };
  const char *auth_actions[] = {
    "default", "Edit Provider", "edit", "Edit Provider", "retry", "Retry", NULL
  };
  const char *transient_actions[] = { "retry", "Retry", NULL };
  const TrayHostNotification *transient;

  /* New mail, counted per provider, with Open; the stopped session said nothing. */
  mail = tray_host_last_notification (notifications, "1 new message");
  g_assert_cmpstr (mail->body, ==, "acme: 1 new message");
  g_assert_cmpstrv (mail->actions, mail_actions);
  g_assert_cmpuint (mail->urgency, ==, 1);
  /* The authentication failure, with Edit and Retry, critical: nothing comes in until the user
   * acts. */
  auth = tray_host_last_notification (notifications, "bigco: authentication failed");
  g_assert_nonnull (strstr (auth->body, "Check the user name and password."));
  g_assert_cmpuint (auth->urgency, ==, 2);
  g_assert_cmpstrv (auth->actions, auth_actions);
  g_assert_cmpuint (notifications->len, ==, 2);

  /* The same failure again: nothing new. The fetch is asked for over D-Bus, as
   * `gapplication action io.github.posterestante.PosteRestante fetch-provider "'bigco'"` does
   * (org.gtk.Actions on the application's object path). */
  {
    g_autoptr(GVariant) reply = NULL;
    GVariantBuilder parameter;

    g_variant_builder_init (&parameter, G_VARIANT_TYPE ("av"));
    g_variant_builder_add (&parameter, "v", g_variant_new_string ("bigco"));
    reply = tray_host_call (tray_host_get_item_owner (),
                            g_application_get_dbus_object_path (G_APPLICATION (app)),
                            "org.gtk.Actions", "Activate",
                            g_variant_new ("(sava{sv})", "fetch-provider", &parameter, NULL),
                            G_VARIANT_TYPE ("()"));
  }
  wait_finished (1);
  g_clear_pointer (&notifications, g_array_unref);
  notifications = tray_host_get_notifications ();
  g_assert_cmpuint (notifications->len, ==, 2);

  /* A network failure, twice (the provider drops the connection at once): nothing yet, it may
   * mend itself. */
  g_assert_true (poste_test_provider_set_faults (provider, "drop=greeting", &error));
  g_assert_no_error (error);
  for (guint i = 0; i < 2; i++)
    {
      g_action_group_activate_action (G_ACTION_GROUP (app), "fetch-provider",
                                      g_variant_new_string ("acme"));
      wait_finished (1);
    }
  g_clear_pointer (&notifications, g_array_unref);
  notifications = tray_host_get_notifications ();
  g_assert_cmpuint (tray_host_count_notifications (notifications, "acme: cannot fetch mail"), ==, 0);
  g_assert_cmpuint (notifications->len, ==, 2);

  /* Still failing half an hour later: now it is told, at normal urgency, with Retry only, and
   * (acme fetches on demand) without promising to try again. */
  emit_failure_later ("acme", 31);
  g_clear_pointer (&notifications, g_array_unref);
  notifications = tray_host_get_notifications ();
  g_assert_cmpuint (tray_host_count_notifications (notifications, "acme: cannot fetch mail"), ==, 1);
  transient = tray_host_last_notification (notifications, "acme: cannot fetch mail");
  g_assert_cmpstrv (transient->actions, transient_actions);
  g_assert_cmpuint (transient->urgency, ==, 1);
  g_assert_null (strstr (transient->body, "will try again"));
  g_assert_cmpuint (notifications->len, ==, 3);

  /* A success clears it: a failure that lasts is news again; on a schedule, it is retried. */
  g_assert_true (poste_test_provider_set_faults (provider, "", &error));
  g_action_group_activate_action (G_ACTION_GROUP (app), "fetch-provider",
                                  g_variant_new_string ("acme"));
  wait_finished (1);
  g_assert_true (poste_test_provider_set_faults (provider, "drop=greeting", &error));
  g_action_group_activate_action (G_ACTION_GROUP (app), "fetch-provider",
                                  g_variant_new_string ("acme"));
  wait_finished (1);
  poste_provider_set_interval (poste_config_lookup (poste_application_get_config (app), "acme"), 60);
  emit_failure_later ("acme", 45);
  poste_provider_set_interval (poste_config_lookup (poste_application_get_config (app), "acme"), 0);
  g_clear_pointer (&notifications, g_array_unref);
  notifications = tray_host_get_notifications ();
  g_assert_cmpuint (tray_host_count_notifications (notifications, "acme: cannot fetch mail"), ==, 2);
  transient = tray_host_last_notification (notifications, "acme: cannot fetch mail");
  g_assert_nonnull (strstr (transient->body, "Poste Restante will try again."));
  g_assert_true (poste_test_provider_set_faults (provider, "", &error));

  /* One notification for a fetch that brought mail and had some refused for good. */
  {
    g_autoptr(PosteSessionReport) report = poste_session_report_new ("acme");
    guint before = notifications->len;
    const TrayHostNotification *summary;

    report->started = g_date_time_new_now_utc ();
    report->outcome = POSTE_SESSION_OUTCOME_MAIL;
    report->messages = 1;
    report->returned = 1;
    g_signal_emit_by_name (app, "session-finished", NULL, report);
    g_clear_pointer (&notifications, g_array_unref);
    notifications = tray_host_get_notifications ();
    g_assert_cmpuint (notifications->len, ==, before + 1);
    summary = &g_array_index (notifications, TrayHostNotification, notifications->len - 1);
    g_assert_nonnull (strstr (summary->body, "acme: 1 refused, returned to the sender by the provider"));
    g_assert_cmpuint (summary->urgency, ==, 1);
  }

  /* The setting off: silence. */
  g_settings_set_boolean (poste_application_get_settings (app), "notifications", FALSE);
  g_assert_true (poste_test_provider_set_faults (provider, "", &error));
  poste_test_provider_add_message (provider, "carol@remote.example", acme_rcpt,
                                   "Subject: another\r\n\r\nHello again.\r\n", -1);
  g_action_group_activate_action (G_ACTION_GROUP (app), "fetch-provider",
                                  g_variant_new_string ("acme"));
  wait_finished (1);
  g_assert_cmpuint (delivered (), ==, 2);
  g_clear_pointer (&notifications, g_array_unref);
  notifications = tray_host_get_notifications ();
  g_assert_cmpuint (tray_host_count_notifications (notifications, "1 new message"), ==, 1);
  /* The fetch with a refusal made it 2; the silent one did not make it 3. */
  g_assert_cmpuint (tray_host_count_notifications (notifications, "2 new messages"), ==, 1);
  g_assert_cmpuint (tray_host_count_notifications (notifications, "3 new messages"), ==, 0);
  g_settings_set_boolean (poste_application_get_settings (app), "notifications", TRUE);
}

/* A provider on a schedule that fails is retried by the scheduler's backoff: the tooltip says
 * when; once it is on demand again, no next attempt is shown. */
static void
test_tray_next_attempt (void)
{
  PosteScheduler *scheduler = poste_application_get_scheduler (app);
  PosteProvider *acme = poste_config_lookup (poste_application_get_config (app), "acme");
  g_autoptr(GDateTime) next = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *when = NULL;
  g_autofree char *expected = NULL;

  poste_provider_set_interval (acme, 60);
  g_assert_true (poste_scheduler_update_provider (scheduler, acme, &error));
  g_assert_no_error (error);
  g_assert_true (poste_test_provider_set_faults (provider, "drop=greeting", &error));
  g_action_group_activate_action (G_ACTION_GROUP (app), "fetch-provider",
                                  g_variant_new_string ("acme"));
  wait_finished (1);
  g_assert_cmpint (poste_scheduler_get_state (scheduler, "acme"), ==,
                   POSTE_SCHEDULE_STATE_RETRYING);
  next = poste_scheduler_get_next_fetch (scheduler, "acme");
  g_assert_nonnull (next);
  when = g_date_time_format (next, "%H:%M");
  expected = g_strdup_printf (" (next attempt at %s)", when);
  {
    g_autofree char *tooltip = tray_host_item_tooltip ();
    g_auto(GStrv) lines = g_strsplit (tooltip, "\n", -1);

    /* One line per provider that failed: bigco's authentication failure stays, not retried. */
    g_test_message ("tooltip: %s", tooltip);
    g_assert_cmpuint (g_strv_length (lines), ==, 2);
    g_assert_true (g_str_has_prefix (lines[0], "acme: "));
    g_assert_true (g_str_has_suffix (lines[0], expected));
    g_assert_true (g_str_has_prefix (lines[1], "bigco: "));
    g_assert_null (strstr (lines[1], "next attempt"));
  }

  /* On demand again: the failure is still there, without a next attempt. */
  poste_provider_set_interval (acme, 0);
  g_assert_true (poste_scheduler_update_provider (scheduler, acme, &error));
  g_assert_true (poste_test_provider_set_faults (provider, "", &error));
  {
    g_autofree char *tooltip = tray_host_item_tooltip ();

    g_assert_true (g_str_has_prefix (tooltip, "acme: "));
    g_assert_null (strstr (tooltip, "next attempt"));
  }
}

static gboolean
registered_again (gpointer data)
{
  return tray_host_get_registrations ()->len >= GPOINTER_TO_UINT (data) &&
         tray_registered (GINT_TO_POINTER (TRUE));
}

static void
test_tray_watcher_restart (void)
{
  GPtrArray *registrations = tray_host_get_registrations ();
  guint before = registrations->len;

  /* The watcher goes (the panel restarts) ... */
  tray_host_stop_watcher ();
  poste_ui_test_iterate_until (tray_registered, GINT_TO_POINTER (FALSE));
  g_assert_cmpuint (registrations->len, ==, before);

  /* ... and comes back: the item registers again, by the same object path. */
  tray_host_start_watcher ();
  poste_ui_test_iterate_until (registered_again, GUINT_TO_POINTER (before + 1));
  g_assert_cmpuint (registrations->len, ==, before + 1);
  g_assert_cmpstr (registrations->pdata[before], ==, POSTE_TRAY_ITEM_PATH);
}

static gboolean
no_windows (gpointer data)
{
  return gtk_application_get_windows (GTK_APPLICATION (app)) == NULL;
}

static gboolean
has_main_window (gpointer data)
{
  return poste_application_get_main_window (app) != NULL;
}

static void
test_tray_open_quit (void)
{
  g_assert_null (poste_application_get_main_window (app));
  tray_host_click ("_Open Poste Restante");
  poste_ui_test_iterate_until (has_main_window, NULL);
  tray_host_click ("_Quit");
  poste_ui_test_iterate_until (no_windows, NULL);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  poste_ui_test_init (&argc, &argv, "test-tray");

  g_test_add_func ("/tray/register", test_tray_register);
  g_test_add_func ("/tray/properties", test_tray_properties);
  g_test_add_func ("/tray/menu", test_tray_menu);
  g_test_add_func ("/tray/fetch", test_tray_fetch);
  g_test_add_func ("/tray/notifications", test_tray_notifications);
  g_test_add_func ("/tray/next-attempt", test_tray_next_attempt);
  g_test_add_func ("/tray/watcher-restart", test_tray_watcher_restart);
  g_test_add_func ("/tray/open-quit", test_tray_open_quit);

  ret = g_test_run ();

  if (app != NULL)
    g_application_quit (G_APPLICATION (app));
  g_clear_object (&app);
  tray_host_stop ();
  if (provider != NULL)
    poste_test_provider_stop (provider);
  g_clear_object (&provider);
  g_clear_pointer (&cert, poste_test_cert_free);
  g_free (maildir);
  if (dir != NULL)
    poste_test_remove_tree (dir);
  g_free (dir);
  return ret;
}
