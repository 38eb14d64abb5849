/* poste-config-save.c: the configuration written back: the model into its keyfile, the keyfile to disk
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Comments are kept and a value the user wrote is written back as it was when the model still
 * holds the same thing ("~/Maildir" stays "~/Maildir", an inline comment stays); a new group
 * leaves out the defaults. The file is replaced atomically and durably.
 */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#include "poste-config.h"
#include "poste-config-private.h"
#include "poste-delivery-private.h"
#include "poste-error.h"

/* The model's value of a key as it was read from the keyfile, to compare with the model. */
static char *
normalized_file_value (GKeyFile   *keyfile,
                       const char *group,
                       const char *key)
{
  g_autofree char *value = _poste_config_get_value (keyfile, group, key, NULL);
  g_autoptr(PosteProvider) scratch = poste_provider_new ("scratch");

  if (value == NULL)
    return NULL;
  if (g_str_has_prefix (key, ROUTE_PREFIX))
    return poste_config_expand_target (value, NULL);
  if (_poste_config_lookup_provider_key (key) == NULL || !_poste_config_apply_provider_key (scratch, key, value, NULL))
    return NULL;
  return _poste_config_provider_key_text (scratch, _poste_config_lookup_provider_key (key), FALSE);
}

static void
update_key (GKeyFile   *keyfile,
            const char *group,
            const char *key,
            const char *text)
{
  g_autofree char *current = NULL;

  if (text == NULL)
    {
      g_key_file_remove_key (keyfile, group, key, NULL);
      return;
    }
  current = normalized_file_value (keyfile, group, key);
  /* Keep what the user wrote ("~/Maildir", an inline comment) when it means the same. */
  if (g_strcmp0 (current, text) == 0)
    return;
  g_key_file_set_string (keyfile, group, key, text);
}

static void
update_keyfile (PosteConfig *self,
                GKeyFile    *keyfile)
{
  GListModel *model = poste_config_get_providers (self);
  g_auto(GStrv) groups = g_key_file_get_groups (keyfile, NULL);
  guint n = g_list_model_get_n_items (model);

  /* Providers that are gone. */
  for (guint i = 0; groups[i] != NULL; i++)
    if (g_str_has_prefix (groups[i], "provider ")
        && poste_config_lookup (self, groups[i] + strlen ("provider ")) == NULL)
      g_key_file_remove_group (keyfile, groups[i], NULL);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PosteProvider) provider = g_list_model_get_item (model, i);
      g_autofree char *group = g_strconcat ("provider ", poste_provider_get_name (provider), NULL);
      gboolean new_group = !g_key_file_has_group (keyfile, group);
      const char * const *routes = poste_provider_get_routes (provider);
      g_auto(GStrv) keys = NULL;

      for (guint k = 0; k < _poste_config_n_provider_keys; k++)
        {
          const ProviderKey *key = &_poste_config_provider_keys[k];
          g_autofree char *text = _poste_config_provider_key_text (provider, key, new_group);

          /* A default value the file does not name stays unnamed. */
          if (text != NULL && g_strcmp0 (text, key->default_text) == 0
              && !g_key_file_has_key (keyfile, group, key->name, NULL))
            continue;
          update_key (keyfile, group, key->name, text);
        }

      /* Routes: drop the ones that are gone, then set the others. */
      keys = g_key_file_get_keys (keyfile, group, NULL, NULL);
      for (guint k = 0; keys != NULL && keys[k] != NULL; k++)
        {
          gboolean found = FALSE;

          if (!g_str_has_prefix (keys[k], ROUTE_PREFIX))
            continue;
          for (guint r = 0; routes[r] != NULL && !found; r++)
            {
              const char *eq = strchr (routes[r], '=');

              found = eq != NULL
                && strlen (keys[k]) - strlen (ROUTE_PREFIX) == (gsize) (eq - routes[r])
                && strncmp (keys[k] + strlen (ROUTE_PREFIX), routes[r], eq - routes[r]) == 0;
            }
          if (!found)
            g_key_file_remove_key (keyfile, group, keys[k], NULL);
        }
      for (guint r = 0; routes[r] != NULL; r++)
        {
          const char *eq = strchr (routes[r], '=');
          g_autofree char *key = NULL;

          if (eq == NULL)
            continue;
          key = g_strdup_printf (ROUTE_PREFIX "%.*s", (int) (eq - routes[r]), routes[r]);
          update_key (keyfile, group, key, eq + 1);
        }
    }
}

/**
 * poste_config_to_data:
 * @self: a #PosteConfig
 * @length: (out) (optional): the text's length in bytes
 *
 * Renders the configuration as keyfile text, keeping the comments and the values as written of
 * the file it was loaded from. No line of the text ends in CR, so loading it and rendering again
 * gives the same text.
 *
 * Returns: (transfer full): the keyfile text
 */
char *
poste_config_to_data (PosteConfig *self,
                      gsize       *length)
{
  char *text;
  char *r;
  char *w;

  g_return_val_if_fail (POSTE_IS_CONFIG (self), NULL);

  update_keyfile (self, _poste_config_get_keyfile (self));
  text = g_key_file_to_data (_poste_config_get_keyfile (self), NULL, NULL);

  /* GKeyFile keeps blank and comment lines as read, minus one CR before their LF: a line that
   * ended in two CRs would lose one at every load and save, and the saved text would never
   * settle. Values cannot end in CR (g_key_file_set_string() escapes it), so dropping every CR
   * at the end of a line changes no value and makes the text stable from this save on. */
  for (r = text, w = text; *r != '\0'; r++)
    {
      if (*r == '\r' && r[strspn (r, "\r")] == '\n')
        {
          r += strspn (r, "\r") - 1;
          continue;
        }
      *w++ = *r;
    }
  *w = '\0';
  if (length != NULL)
    *length = w - text;
  return text;
}

/**
 * poste_config_save:
 * @self: a #PosteConfig
 * @path: (nullable): where to save, or %NULL for the file it was loaded from (or the default)
 * @error: a #GError, or %NULL
 *
 * Saves atomically and durably: the text goes to a temporary file that is fsynced and renamed
 * over @path (g_file_set_contents_full() with %G_FILE_SET_CONTENTS_CONSISTENT and
 * %G_FILE_SET_CONTENTS_DURABLE), mode 0600, then the directory is fsynced so that the new name
 * survives a crash. The directory is made (0700) when missing. Every provider is validated
 * first; nothing is written when one is invalid. On a failure before the rename the old file is
 * left as it was.
 *
 * Returns: %TRUE on success; otherwise %FALSE with a %POSTE_CONFIG_ERROR, a %G_FILE_ERROR, or a
 *   %G_IO_ERROR when the directory could not be synced
 */
gboolean
poste_config_save (PosteConfig  *self,
                   const char   *path,
                   GError      **error)
{
  g_autofree char *default_path = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *data = NULL;
  GListModel *model;
  gsize length = 0;
  guint n;

  g_return_val_if_fail (POSTE_IS_CONFIG (self), FALSE);

  if (path == NULL)
    path = poste_config_get_path (self);
  if (path == NULL)
    path = default_path = poste_config_dup_default_path ();

  model = poste_config_get_providers (self);
  n = g_list_model_get_n_items (model);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PosteProvider) provider = g_list_model_get_item (model, i);
      g_autoptr(GError) local_error = NULL;

      if (!poste_config_validate_provider (provider, &local_error))
        {
          g_set_error (error, POSTE_CONFIG_ERROR, local_error->code, "%s: [provider %s]: %s",
                       path, poste_provider_get_name (provider), local_error->message);
          return FALSE;
        }
    }

  dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno), "%s: %s", dir,
                   g_strerror (saved_errno));
      return FALSE;
    }

  data = poste_config_to_data (self, &length);
  if (!g_file_set_contents_full (path, data, length,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 0600, error))
    return FALSE;
  /* GLib fsyncs the folder after the rename too, but ignores its failure: the new name might
   * not survive a crash, and the user must hear of it. */
  if (!_poste_fsync_directory (dir, error))
    return FALSE;

  _poste_config_set_path (self, path);
  return TRUE;
}
