/* poste-cli.c: what the commands of poste-restante-cli share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "poste-cli.h"
#include "poste-error.h"
#include "poste-secrets.h"

/**
 * poste_cli_error:
 * @cli: the global options
 * @format: a printf() format
 * @...: its arguments
 *
 * Writes "poste-restante-cli: MESSAGE" to standard error.
 */
void
poste_cli_error (PosteCli   *cli,
                 const char *format,
                 ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("%s: %s\n", cli->prgname, message);
}

/**
 * poste_cli_parse_options:
 * @cli: the global options
 * @command: the command's name
 * @parameters: the command's arguments, for --help
 * @summary: what the command does, for --help
 * @entries: (nullable): the command's own options, %NULL-terminated
 * @argc: (inout): the command's argument count (argv[0] is the command)
 * @argv: (inout): its arguments
 *
 * Parses a command's options; -v/--verbose is accepted after the command too. Prints the error
 * on failure.
 *
 * Returns: %TRUE on success; %FALSE for a usage error (exit status 5)
 */
gboolean
poste_cli_parse_options (PosteCli      *cli,
                         const char    *command,
                         const char    *parameters,
                         const char    *summary,
                         GOptionEntry  *entries,
                         int           *argc,
                         char        ***argv)
{
  g_autofree char *title = g_strdup_printf ("%s %s", command, parameters);
  g_autoptr(GOptionContext) context = g_option_context_new (title);
  g_autoptr(GError) error = NULL;
  GOptionEntry common[] = {
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &cli->verbose,
      N_("Write the session transcript to standard error (secrets redacted)"), NULL },
    { NULL }
  };

  g_option_context_set_summary (context, summary);
  g_option_context_add_main_entries (context, common, GETTEXT_PACKAGE);
  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      poste_cli_error (cli, "%s: %s", command, error->message);
      return FALSE;
    }
  return TRUE;
}

/**
 * poste_cli_load_config:
 * @cli: the global options
 * @missing_ok: whether a configuration file that does not exist yet gives an empty one
 * @error: a #GError, or %NULL
 *
 * Loads --config FILE or the default file, validated strictly.
 *
 * Returns: (transfer full) (nullable): the configuration, or %NULL with a %POSTE_CONFIG_ERROR
 *   or %G_FILE_ERROR (exit status 5)
 */
PosteConfig *
poste_cli_load_config (PosteCli  *cli,
                       gboolean   missing_ok,
                       GError   **error)
{
  g_autoptr(PosteConfig) config = poste_config_new ();
  g_autoptr(GError) local_error = NULL;

  if (poste_config_load (config, cli->config_path, &local_error))
    return g_steal_pointer (&config);

  if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      g_autofree char *path = cli->config_path != NULL ? g_strdup (cli->config_path)
                                                       : poste_config_dup_default_path ();

      if (missing_ok)
        return g_steal_pointer (&config);
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                   _("no configuration: %s does not exist (write one with a [provider NAME] "
                     "group, or use import-fetchmailrc)"),
                   path);
      return NULL;
    }
  g_propagate_error (error, g_steal_pointer (&local_error));
  return NULL;
}

/**
 * poste_cli_print_transcript:
 * @cli: the global options
 * @provider: the provider's name, prefixed to every line
 * @transcript: (nullable) (element-type utf8): a session transcript
 *
 * Writes a transcript to standard error, redacted and made printable once more
 * (poste_history_bound_transcript()), when -v was given.
 */
void
poste_cli_print_transcript (PosteCli   *cli,
                            const char *provider,
                            GPtrArray  *transcript)
{
  g_autoptr(GPtrArray) lines = NULL;

  if (!cli->verbose || transcript == NULL)
    return;
  lines = poste_history_bound_transcript (transcript);
  for (guint i = 0; i < lines->len; i++)
    g_printerr ("%s: %s\n", provider, (const char *) lines->pdata[i]);
}

/**
 * poste_cli_print_hint:
 * @cli: the global options
 * @provider: the provider's name
 * @error: (nullable): why a session or a check failed
 *
 * Writes to standard error what to do about @error when the message alone does not say it: an
 * untrusted or changed certificate (%POSTE_SESSION_ERROR_CERTIFICATE) is trusted through
 * pinned-sha256= or ca-file=, which the application does with its trust dialog.
 */
void
poste_cli_print_hint (PosteCli     *cli,
                      const char   *provider,
                      const GError *error)
{
  if (g_error_matches (error, POSTE_SESSION_ERROR, POSTE_SESSION_ERROR_CERTIFICATE))
    g_printerr (_("%s: if you trust this certificate (compare its SHA-256 with the one your "
                  "provider publishes), set pinned-sha256= to it in [provider %s], or ca-file= "
                  "to the authority that signed it; 'poste-restante-cli check %s' shows it\n"),
                provider, provider, provider);
}

/**
 * poste_cli_dup_password:
 * @cli: the global options
 * @provider: a provider
 * @error: a #GError, or %NULL
 *
 * The provider's password as a fetch gets it: its password-file, else the keyring; a failure
 * explained by poste_secrets_explain_error() (%POSTE_CONFIG_ERROR_NO_SECRET: exit status 3; a
 * password file that cannot be used: 5).
 *
 * Returns: (transfer full) (nullable): the password (free with poste_secrets_free_password()),
 *   or %NULL without error when the provider needs none
 */
char *
poste_cli_dup_password (PosteCli       *cli,
                        PosteProvider  *provider,
                        GError        **error)
{
  g_autoptr(GError) local_error = NULL;
  char *password;

  password = poste_secrets_get_password_sync (provider, NULL, &local_error);
  if (local_error != NULL)
    g_propagate_error (error, poste_secrets_explain_error (provider, local_error));
  return password;
}

/**
 * poste_cli_worse_status:
 * @a: an exit status
 * @b: another
 *
 * Combines the statuses of several providers: any error beats success (the highest error
 * number wins), and 0 (mail) beats 1 (no mail).
 *
 * Returns: the status to exit with
 */
int
poste_cli_worse_status (int a,
                        int b)
{
  int rank_a = a <= POSTE_EXIT_NO_MAIL ? a : 100 + a;
  int rank_b = b <= POSTE_EXIT_NO_MAIL ? b : 100 + b;

  /* Between 0 and 1, mail wins. */
  if (a <= POSTE_EXIT_NO_MAIL && b <= POSTE_EXIT_NO_MAIL)
    return MIN (a, b);
  return rank_a >= rank_b ? a : b;
}
