/* cmd-import.c: poste-restante-cli import-fetchmailrc FILE
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every user of every ODMR poll entry becomes a provider, merged into the configuration (a
 * provider of the same name is replaced, keeping the settings a fetchmailrc cannot express)
 * and saved atomically; passwords go to the keyring. Everything that cannot be carried over is
 * listed on standard output, never dropped silently.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "poste-cli.h"
#include "poste-fetchmailrc.h"
#include "poste-secrets.h"

/* A provider imported again replaces the one of the same name, but a fetchmailrc has no word
 * for what was added to it since (a password file, routes, the submission server, schedules,
 * a CA file or a pin): those are kept, and named in @kept. */
static void
keep_local_settings (PosteProvider *old,
                     PosteProvider *imported,
                     GString       *kept)
{
#define KEEP(key) g_string_append_printf (kept, "%s%s", kept->len > 0 ? ", " : "", key)
  if (poste_provider_get_password_file (old) != NULL &&
      poste_provider_get_password_file (imported) == NULL)
    {
      poste_provider_set_password_file (imported, poste_provider_get_password_file (old));
      KEEP ("password-file");
    }
  if (poste_provider_get_client_certificate (old) != NULL &&
      poste_provider_get_client_certificate (imported) == NULL)
    {
      poste_provider_set_client_certificate (imported,
                                             poste_provider_get_client_certificate (old));
      KEEP ("client-certificate");
    }
  if (poste_provider_get_ca_file (old) != NULL && poste_provider_get_ca_file (imported) == NULL)
    {
      poste_provider_set_ca_file (imported, poste_provider_get_ca_file (old));
      KEEP ("ca-file");
    }
  if (poste_provider_get_pinned_sha256 (old) != NULL &&
      poste_provider_get_pinned_sha256 (imported) == NULL)
    {
      poste_provider_set_pinned_sha256 (imported, poste_provider_get_pinned_sha256 (old));
      KEEP ("pinned-sha256");
    }
  if (poste_provider_get_routes (old) != NULL && poste_provider_get_routes (old)[0] != NULL &&
      (poste_provider_get_routes (imported) == NULL ||
       poste_provider_get_routes (imported)[0] == NULL))
    {
      poste_provider_set_routes (imported, poste_provider_get_routes (old));
      KEEP ("route.*");
    }
  if (poste_provider_get_submission (old) != NULL &&
      poste_provider_get_submission (imported) == NULL)
    {
      poste_provider_set_submission (imported, poste_provider_get_submission (old));
      KEEP ("submission");
    }
  /* A fetchmailrc's "protocol ODMR" says nothing of ETRN: the mode chosen here stays. */
  if (poste_provider_get_mode (old) != poste_provider_get_mode (imported))
    {
      poste_provider_set_mode (imported, poste_provider_get_mode (old));
      KEEP ("mode");
    }
  if (poste_provider_get_send_with_fetch (old) != poste_provider_get_send_with_fetch (imported))
    {
      poste_provider_set_send_with_fetch (imported, poste_provider_get_send_with_fetch (old));
      KEEP ("send-with-fetch");
    }
  if (poste_provider_get_active_hours (old) != NULL &&
      poste_provider_get_active_hours (imported) == NULL)
    {
      poste_provider_set_active_hours (imported, poste_provider_get_active_hours (old));
      KEEP ("active-hours");
    }
  if (poste_provider_get_active_days (old) != NULL &&
      poste_provider_get_active_days (imported) == NULL)
    {
      poste_provider_set_active_days (imported, poste_provider_get_active_days (old));
      KEEP ("active-days");
    }
#undef KEEP
}

/**
 * poste_cli_import_fetchmailrc:
 * @cli: the global options
 * @argc: the argument count (argv[0] is "import-fetchmailrc")
 * @argv: the fetchmailrc's path
 *
 * Returns: 0 when every ODMR entry became a provider (notes may still list options left
 *   behind); 5 for a usage or syntax error, an invalid configuration, no ODMR entry, or a
 *   failed save; 3 when a password could not be stored (the providers are saved)
 */
int
poste_cli_import_fetchmailrc (PosteCli  *cli,
                              int        argc,
                              char     **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosteConfig) config = NULL;
  g_autoptr(PosteFetchmailrc) rc = NULL;
  g_autoptr(GPtrArray) passwords = g_ptr_array_new ();
  gboolean dry_run = FALSE;
  guint imported = 0;
  int status = 0;
  GOptionEntry entries[] = {
    { "dry-run", 'n', 0, G_OPTION_ARG_NONE, &dry_run,
      N_("Show what would be imported; change nothing"), NULL },
    { NULL }
  };

  if (!poste_cli_parse_options (cli, "import-fetchmailrc", _("FILE"),
                                _("Turn fetchmail's ODMR poll entries into providers."), entries,
                                &argc, &argv))
    return POSTE_EXIT_USAGE;
  if (argc != 2)
    {
      poste_cli_error (cli, _("import-fetchmailrc: name one fetchmailrc file"));
      return POSTE_EXIT_USAGE;
    }

  rc = poste_fetchmailrc_parse_file (argv[1], &error);
  if (rc == NULL)
    {
      poste_cli_error (cli, "%s", error->message);
      return POSTE_EXIT_USAGE;
    }

  /* A configuration that does not exist yet is made; a broken one is never overwritten. */
  config = poste_cli_load_config (cli, TRUE, &error);
  if (config == NULL)
    {
      poste_cli_error (cli, "%s", error->message);
      return POSTE_EXIT_USAGE;
    }

  for (guint i = 0; i < rc->entries->len; i++)
    {
      PosteFetchmailrcEntry *entry = rc->entries->pdata[i];
      PosteProvider *provider = entry->provider;
      const char *name = poste_provider_get_name (provider);
      g_autoptr(GError) invalid = NULL;
      g_autoptr(GString) kept = g_string_new (NULL);
      PosteProvider *existing = poste_config_lookup (config, name);
      gboolean replaced = existing != NULL;

      if (existing != NULL)
        keep_local_settings (existing, provider, kept);
      if (!poste_config_validate_provider (provider, &invalid))
        {
          g_print (_("not carried over: %s:%u: provider %s: %s\n"), argv[1], entry->line, name,
                   invalid->message);
          status = POSTE_EXIT_USAGE;
          continue;
        }
      poste_config_add_provider (config, provider);
      imported++;
      g_print (replaced ? _("replaced provider %s: %s port %u, user %s, delivery %s\n")
                        : _("imported provider %s: %s port %u, user %s, delivery %s\n"),
               name, poste_provider_get_host (provider), poste_provider_get_port (provider),
               poste_provider_get_username (provider) != NULL
                 ? poste_provider_get_username (provider) : "-",
               poste_provider_get_delivery (provider));
      if (kept->len > 0)
        g_print (_("kept in provider %s from the configuration: %s\n"), name, kept->str);
      if (entry->password != NULL)
        g_ptr_array_add (passwords, entry);
    }

  for (guint i = 0; i < rc->notes->len; i++)
    g_print ("%s\n", (const char *) rc->notes->pdata[i]);

  if (imported == 0)
    {
      poste_cli_error (cli, _("no ODMR poll entry in %s: nothing imported"), argv[1]);
      return POSTE_EXIT_USAGE;
    }
  if (dry_run)
    {
      g_print (_("dry run: nothing was changed\n"));
      return status;
    }

  if (!poste_config_save (config, cli->config_path, &error))
    {
      poste_cli_error (cli, _("the configuration was not saved: %s"), error->message);
      return POSTE_EXIT_USAGE;
    }
  g_print (_("saved %s\n"), poste_config_get_path (config));

  /* Passwords after the save: a provider without its password is still worth keeping. */
  for (guint i = 0; i < passwords->len; i++)
    {
      PosteFetchmailrcEntry *entry = passwords->pdata[i];
      const char *name = poste_provider_get_name (entry->provider);
      g_autoptr(GError) secret_error = NULL;

      if (poste_secrets_store_sync (entry->provider, entry->password, NULL, &secret_error))
        g_print (_("password of %s stored in the keyring\n"), name);
      else
        {
          g_print (_("not carried over: %s:%u: provider %s: the password, because the keyring "
                     "cannot be reached (%s); store it yourself, or put it in a file only you can "
                     "read and set password-file=\n"),
                   argv[1], entry->line, name, secret_error->message);
          status = poste_cli_worse_status (status, POSTE_EXIT_AUTH);
        }
    }
  return status;
}
