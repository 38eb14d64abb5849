/* main.c: poste-restante-cli, the headless front end
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * poste-restante-cli [--config FILE] [-v] COMMAND [ARGS]: the global options come before the
 * command (parsing stops at the first word that is not an option), each command parses its own.
 * The exit status is fetchmail's convention (PosteExitStatus): 0 mail delivered, 1 no mail,
 * 2 network or TLS, 3 authentication, 4 protocol, 5 usage or configuration, 7 refused or
 * unavailable, 10 local delivery failed.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "poste-cli.h"

static const PosteCliCommand commands[] = {
  { "fetch", N_("[PROVIDER...]"), N_("Fetch the mail held for every provider, or the ones named"),
    poste_cli_fetch },
  { "check", N_("PROVIDER"),
    N_("Test the connection: TLS and certificate, EHLO capabilities, SASL; never sends ATRN"),
    poste_cli_check },
  { "history", "", N_("Show the last sessions: time, provider, outcome, messages, bytes, duration"),
    poste_cli_history },
  { "import-fetchmailrc", N_("FILE"),
    N_("Turn fetchmail's ODMR poll entries into providers, passwords into the keyring"),
    poste_cli_import_fetchmailrc },
  { "run", "", N_("Run the scheduler headless, fetching at each provider's interval, until stopped"),
    poste_cli_run },
  { "send", N_("[-f SENDER] [-t] RECIPIENT..."),
    N_("Queue a message read from standard input in the outbox, sendmail style"),
    poste_cli_send },
};

static char *
commands_description (void)
{
  GString *text = g_string_new (_("Commands:\n"));

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_autofree char *usage = g_strdup_printf ("%s %s", commands[i].name,
                                                commands[i].parameters[0] != '\0'
                                                  ? _(commands[i].parameters) : "");

      g_string_append_printf (text, "  %-30s %s\n", usage, _(commands[i].summary));
    }
  g_string_append (text, _("\nExit status (fetchmail's): 0 mail delivered, 1 no mail, 2 network or "
                           "TLS error,\n3 authentication failed, 4 protocol error, 5 usage or "
                           "configuration error,\n7 provider refused or unavailable, 10 local "
                           "delivery failed.\n"));
  g_string_append_printf (text, _("\nConfiguration: %s (see --config).\n"),
                          "$XDG_CONFIG_HOME/poste-restante/poste-restante.conf");
  g_string_append_printf (text, _("Run '%s COMMAND --help' for a command's options.\n"),
                          g_get_prgname ());
  return g_string_free (text, FALSE);
}

static int run (PosteCli *cli, int argc, char **argv);

int
main (int   argc,
      char *argv[])
{
  PosteCli cli = { 0 };
  int status;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname ("poste-restante-cli");
  g_set_application_name (PACKAGE_NAME);
  cli.prgname = g_get_prgname ();

  status = run (&cli, argc, argv);
  g_free (cli.config_path);
  return status;
}

static int
run (PosteCli  *cli,
     int        argc,
     char     **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *description = NULL;
  gboolean version = FALSE;
  GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &cli->config_path,
      N_("The configuration file (default: $XDG_CONFIG_HOME/poste-restante/poste-restante.conf)"),
      N_("FILE") },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &cli->verbose,
      N_("Write the session transcript to standard error (secrets redacted)"), NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, N_("Show the version"), NULL },
    { NULL }
  };

  context = g_option_context_new (_("COMMAND [ARGS...]"));
  g_option_context_set_summary (context,
                                _("Poste Restante fetches the mail a provider holds for your "
                                  "domains (ODMR, RFC 2645)."));
  description = commands_description ();
  g_option_context_set_description (context, description);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  /* Options stop at the command: what follows is the command's. */
  g_option_context_set_strict_posix (context, TRUE);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      poste_cli_error (cli, "%s", error->message);
      return POSTE_EXIT_USAGE;
    }
  if (version)
    {
      g_print ("%s %s\n", cli->prgname, PACKAGE_VERSION);
      return 0;
    }
  if (argc < 2)
    {
      g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

      g_printerr ("%s", help);
      poste_cli_error (cli, _("no command given"));
      return POSTE_EXIT_USAGE;
    }
  if (g_str_equal (argv[1], "help"))
    {
      g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

      g_print ("%s", help);
      return 0;
    }

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (argv[1], commands[i].name))
      return commands[i].run (cli, argc - 1, argv + 1);

  poste_cli_error (cli, _("unknown command '%s' (see --help)"), argv[1]);
  return POSTE_EXIT_USAGE;
}
