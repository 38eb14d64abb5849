/* test-password-storage.c: the provider editor on a desktop without a keyring, under Xvfb
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A private session bus of our own (GTestDBus: no service files, so no keyring can be started)
 * and libsecret talking to it, not to its file backend. The editor says at once, at the top and
 * beside the password, that no keyring runs; it has already chosen a file only the user can
 * read; Add writes the password there (mode 0600) and points password-file= at it; opened
 * again, the editor shows that choice. A screenshot of the editor with its message is saved in
 * the build tree.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "poste-test.h"
#include "poste-ui-test.h"
#include "poste-application.h"
#include "poste-config.h"
#include "poste-provider-dialog.h"
#include "poste-secrets.h"
#include "poste-window.h"

static PosteApplication *app;

static gboolean
window_is_mapped (gpointer data)
{
  GtkWindow *window = poste_ui_test_find_app_window (GTK_APPLICATION (app),
                                                     GPOINTER_TO_SIZE (data));

  return window != NULL && gtk_widget_get_mapped (GTK_WIDGET (window));
}

static gboolean
dialog_is_gone (gpointer data)
{
  return poste_ui_test_find_app_window (GTK_APPLICATION (app), POSTE_TYPE_PROVIDER_DIALOG) == NULL;
}

static AdwComboRow *
storage_row (GtkWidget *dialog)
{
  GtkWidget *row = poste_ui_test_find_row (dialog, ADW_TYPE_COMBO_ROW, "Keep the Password");

  if (row == NULL)
    g_error ("no Keep the Password row");
  return ADW_COMBO_ROW (row);
}

/* A label of @dialog that shows @text and is on screen (mapped, not only built). */
static GtkWidget *
visible_label (GtkWidget  *dialog,
               const char *text)
{
  g_autoptr(GPtrArray) labels = poste_ui_test_find_descendants (dialog, GTK_TYPE_LABEL);

  for (guint i = 0; i < labels->len; i++)
    if (strstr (gtk_label_get_text (g_ptr_array_index (labels, i)), text) != NULL &&
        gtk_widget_get_mapped (g_ptr_array_index (labels, i)))
      return g_ptr_array_index (labels, i);
  return NULL;
}

static gboolean
says_no_keyring (gpointer data)
{
  return visible_label (data, "No keyring is running on this desktop") != NULL;
}

static GtkWidget *
open_editor (void)
{
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (app), "add-provider"));
  g_action_group_activate_action (G_ACTION_GROUP (app), "add-provider", NULL);
  poste_ui_test_iterate_until (window_is_mapped, GSIZE_TO_POINTER (POSTE_TYPE_PROVIDER_DIALOG));
  return GTK_WIDGET (poste_ui_test_find_app_window (GTK_APPLICATION (app),
                                                    POSTE_TYPE_PROVIDER_DIALOG));
}

static void
test_startup (void)
{
  g_autoptr(GError) error = NULL;

  app = poste_application_new (APP_ID, G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  poste_ui_test_add_system_icons ();
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);
  g_application_activate (G_APPLICATION (app));
  g_assert_true (POSTE_IS_WINDOW (poste_application_get_main_window (app)));
  poste_ui_test_wait_for_drawn (GTK_WINDOW (poste_application_get_main_window (app)));
}

static void
test_no_keyring (void)
{
  g_autofree char *config_path = poste_config_dup_default_path ();
  g_autofree char *contents = NULL;
  g_autofree char *password = NULL;
  g_autofree char *managed = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GError) error = NULL;
  PosteProvider *provider;
  GtkWidget *dialog;
  GtkWidget *banner;
  struct stat st;

  dialog = open_editor ();
  /* Said at once, before anything is typed, where the user is looking: at the top. */
  poste_ui_test_iterate_until (says_no_keyring, dialog);
  banner = visible_label (dialog, "No keyring is running on this desktop");
  g_assert_true (gtk_widget_get_child_visible (banner));
  /* And beside the password: the Account group says where the password goes. */
  g_assert_nonnull (visible_label (dialog, "No keyring is running: the password is kept in a "
                                           "file only you can read."));
  g_assert_cmpuint (adw_combo_row_get_selected (storage_row (dialog)), ==, 1);
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (storage_row (dialog))),
                            "not encrypted"));

  poste_ui_test_set_row_text (dialog, "Name", "deskless");
  poste_ui_test_set_row_text (dialog, "Server", "odmr.deskless.example");
  poste_ui_test_set_row_text (dialog, "User Name", "example.org");
  poste_ui_test_set_row_text (dialog, "Domains, separated by commas", "example.org");
  poste_ui_test_set_row_text (dialog, "Password", "kept in a file");

  poste_ui_test_wait_for_drawn (GTK_WINDOW (dialog));
  texture = poste_ui_test_render_widget (dialog);
  g_assert_cmpuint (poste_ui_test_count_colours (texture), >, 50);
  g_free (poste_ui_test_save_screenshot (texture, "add-provider-no-keyring"));

  g_object_ref (dialog);
  g_assert_true (gtk_widget_activate_action (dialog, "provider.add", NULL));
  poste_ui_test_iterate_until (dialog_is_gone, NULL);
  g_assert_finalize_object (dialog);

  provider = poste_config_lookup (poste_application_get_config (app), "deskless");
  g_assert_nonnull (provider);
  managed = poste_secrets_dup_managed_file (provider);
  g_assert_cmpstr (poste_provider_get_password_file (provider), ==, managed);
  g_assert_true (g_str_has_prefix (managed, g_get_user_config_dir ()));
  g_assert_cmpint (g_stat (managed, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  password = poste_secrets_get_password_sync (provider, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (password, ==, "kept in a file");

  g_file_get_contents (config_path, &contents, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (contents, "password-file="));
  g_assert_null (strstr (contents, "kept in a file"));

  /* Opened again, the editor shows the choice made. */
  dialog = GTK_WIDGET (poste_provider_dialog_new_for_provider (app, provider));
  gtk_window_present (GTK_WINDOW (dialog));
  poste_ui_test_wait_for_drawn (GTK_WINDOW (dialog));
  g_assert_cmpuint (adw_combo_row_get_selected (storage_row (dialog)), ==, 1);
  poste_ui_test_destroy_and_finalize (GTK_WINDOW (dialog));
}

int
main (int   argc,
      char *argv[])
{
  /* Not freed: libsecret keeps its connection to it until the process ends. */
  GTestDBus *bus;
  g_autofree char *display = NULL;
  int ret;

  poste_ui_test_init (&argc, &argv, "test-password-storage");
  /* The bus libsecret would really use, with no Secret Service on it. */
  g_unsetenv ("SECRET_BACKEND");
  /* g_test_dbus_up() unsets DISPLAY; Xvfb's is needed. */
  display = g_strdup (g_getenv ("DISPLAY"));
  bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (bus);
  if (display != NULL)
    g_setenv ("DISPLAY", display, TRUE);

  g_test_add_func ("/ui/password-storage/startup", test_startup);
  g_test_add_func ("/ui/password-storage/no-keyring", test_no_keyring);

  ret = g_test_run ();

  g_clear_object (&app);
  g_test_dbus_stop (bus);
  return ret;
}
