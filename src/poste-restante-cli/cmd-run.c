/* cmd-run.c: poste-restante-cli run and send, parsed and documented, not implemented yet
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "poste-cli.h"

/**
 * poste_cli_run:
 * @cli: the global options
 * @argc: the argument count (argv[0] is "run")
 * @argv: the arguments
 *
 * The headless scheduler. Not available in this version: says so and fails.
 *
 * Returns: 5
 */
int
poste_cli_run (PosteCli  *cli,
               int        argc,
               char     **argv)
{
  if (!poste_cli_parse_options (cli, "run", "",
                                _("Run the scheduler headless: fetch each provider at its "
                                  "interval, when the network comes up and after resume, until "
                                  "stopped."),
                                NULL, &argc, &argv))
    return POSTE_EXIT_USAGE;
  poste_cli_error (cli, _("run: the headless scheduler is not available in this version yet; "
                          "use 'fetch' from cron or a systemd timer meanwhile"));
  return POSTE_EXIT_USAGE;
}

/**
 * poste_cli_send:
 * @cli: the global options
 * @argc: the argument count (argv[0] is "send")
 * @argv: the arguments
 *
 * The sendmail-style entry to the outbox. Not available in this version: says so and fails
 * without reading standard input.
 *
 * Returns: 5
 */
int
poste_cli_send (PosteCli  *cli,
                int        argc,
                char     **argv)
{
  g_autofree char *sender = NULL;
  gboolean from_headers = FALSE;
  GOptionEntry entries[] = {
    { "sender", 'f', 0, G_OPTION_ARG_STRING, &sender, N_("The envelope sender"), N_("ADDRESS") },
    { "read-recipients", 't', 0, G_OPTION_ARG_NONE, &from_headers,
      N_("Take the recipients from the To:, Cc: and Bcc: headers"), NULL },
    { NULL }
  };

  if (!poste_cli_parse_options (cli, "send", _("[-f SENDER] [-t] RECIPIENT..."),
                                _("Queue a message read from standard input in the outbox; it "
                                  "leaves with the next fetch."),
                                entries, &argc, &argv))
    return POSTE_EXIT_USAGE;
  poste_cli_error (cli, _("send: the outbox is not available in this version yet; nothing was "
                          "queued"));
  return POSTE_EXIT_USAGE;
}
