/* poste-autostart.c: starting in the background at login
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Outside a sandbox, a session starts the programs described in $XDG_CONFIG_HOME/autostart
 * (the XDG Autostart specification). Inside Flatpak that directory is not the host's, and the
 * Background portal is the way; that is left to the Flatpak work.
 */
#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "poste-autostart.h"

/**
 * poste_autostart_dup_path:
 *
 * Gets where the autostart entry lives: `$XDG_CONFIG_HOME/autostart/<app id>.desktop`.
 *
 * Returns: (transfer full): the path
 */
char *
poste_autostart_dup_path (void)
{
  return g_build_filename (g_get_user_config_dir (), "autostart", APP_ID ".desktop", NULL);
}

static char *
autostart_contents (void)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  const char *group = G_KEY_FILE_DESKTOP_GROUP;

  g_key_file_set_string (key_file, group, G_KEY_FILE_DESKTOP_KEY_TYPE, G_KEY_FILE_DESKTOP_TYPE_APPLICATION);
  g_key_file_set_string (key_file, group, G_KEY_FILE_DESKTOP_KEY_NAME, "Poste Restante");
  g_key_file_set_string (key_file, group, G_KEY_FILE_DESKTOP_KEY_COMMENT,
                         "Collect the mail your provider holds for your domains");
  g_key_file_set_string (key_file, group, G_KEY_FILE_DESKTOP_KEY_ICON, APP_ID);
  /* As a service: no window, only the schedule (and the tray once it exists). */
  g_key_file_set_string (key_file, group, G_KEY_FILE_DESKTOP_KEY_EXEC, "poste-restante --gapplication-service");
  g_key_file_set_boolean (key_file, group, G_KEY_FILE_DESKTOP_KEY_TERMINAL, FALSE);
  g_key_file_set_boolean (key_file, group, G_KEY_FILE_DESKTOP_KEY_NO_DISPLAY, TRUE);
  g_key_file_set_boolean (key_file, group, "X-GNOME-Autostart-enabled", TRUE);

  return g_key_file_to_data (key_file, NULL, NULL);
}

/**
 * poste_autostart_set_enabled:
 * @enabled: whether to start at login
 * @error: return location for a #GError (#G_FILE_ERROR, #G_IO_ERROR)
 *
 * Writes the XDG autostart entry (atomically, with g_file_set_contents()) when @enabled is
 * %TRUE and its contents differ from what is there, or removes it when @enabled is %FALSE.
 * Removing an entry that does not exist is not an error.
 *
 * Returns: %TRUE on success
 */
gboolean
poste_autostart_set_enabled (gboolean   enabled,
                             GError   **error)
{
  g_autofree char *path = poste_autostart_dup_path ();

  if (enabled)
    {
      g_autofree char *contents = autostart_contents ();
      g_autofree char *current = NULL;
      g_autofree char *dir = g_path_get_dirname (path);

      if (g_file_get_contents (path, &current, NULL, NULL) && g_str_equal (current, contents))
        return TRUE;

      if (g_mkdir_with_parents (dir, 0700) != 0)
        {
          int errsv = errno;

          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errsv),
                       _("Could not create the folder “%s”: %s"), dir, g_strerror (errsv));
          return FALSE;
        }

      return g_file_set_contents_full (path, contents, -1,
                                       G_FILE_SET_CONTENTS_CONSISTENT, 0644, error);
    }

  if (g_unlink (path) != 0 && errno != ENOENT)
    {
      int errsv = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errsv),
                   _("Could not remove “%s”: %s"), path, g_strerror (errsv));
      return FALSE;
    }

  return TRUE;
}
