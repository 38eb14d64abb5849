/* poste-background.c: running in the background and at login, inside Flatpak
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A sandboxed application cannot write the host's ~/.config/autostart, and may be stopped when it
 * has no window unless it asked: both go through the Background portal
 * (org.freedesktop.portal.Background, through libportal). Outside Flatpak, poste-autostart.c
 * writes the XDG autostart entry instead.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <libportal-gtk4/portal-gtk4.h>

#include "poste-background.h"

/**
 * poste_background_in_flatpak:
 *
 * Returns: %TRUE inside a Flatpak sandbox, where the Background portal is the way
 */
gboolean
poste_background_in_flatpak (void)
{
  return g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS);
}

typedef struct
{
  GSettings *settings;
  gboolean   autostart;
} Request;

static void
request_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Request *request = user_data;
  g_autoptr(GError) error = NULL;

  if (!xdp_portal_request_background_finish (XDP_PORTAL (object), result, &error))
    {
      g_message ("The Background portal refused: %s", error != NULL ? error->message : "denied");
      /* The switch says what is true: not started at login. */
      if (request->autostart && request->settings != NULL)
        g_settings_set_boolean (request->settings, "start-at-login", FALSE);
    }

  g_clear_object (&request->settings);
  g_free (request);
  g_object_unref (object);
}

/**
 * poste_background_request:
 * @settings: (nullable): the application's settings, to turn `start-at-login` back off when
 *   the user or the portal says no
 * @parent: (nullable): the window the portal's question belongs to
 * @autostart: whether to start at login too
 *
 * Asks the Background portal to let the application run without a window, and to start it at
 * login (as `poste-restante --gapplication-service`) when @autostart is set, or no longer when
 * it is not. Asynchronous; only meaningful inside Flatpak.
 */
void
poste_background_request (GSettings *settings,
                          GtkWindow *parent,
                          gboolean   autostart)
{
  g_autoptr(GPtrArray) commandline = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(XdpParent) xdp_parent = NULL;
  g_autofree char *reason = g_strdup (_("Collect mail on schedule while no window is open"));
  Request *request;
  XdpPortal *portal;

  g_return_if_fail (settings == NULL || G_IS_SETTINGS (settings));
  g_return_if_fail (parent == NULL || GTK_IS_WINDOW (parent));

  g_ptr_array_add (commandline, g_strdup ("poste-restante"));
  g_ptr_array_add (commandline, g_strdup ("--gapplication-service"));

  if (parent != NULL)
    xdp_parent = xdp_parent_new_gtk (parent);

  request = g_new0 (Request, 1);
  request->settings = settings != NULL ? g_object_ref (settings) : NULL;
  request->autostart = !!autostart;

  portal = xdp_portal_new ();
  xdp_portal_request_background (portal, xdp_parent, reason, commandline,
                                 autostart ? XDP_BACKGROUND_FLAG_AUTOSTART : XDP_BACKGROUND_FLAG_NONE,
                                 NULL, request_cb, request);
}
