/* cmd-history.c: poste-restante-cli history
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "poste-cli.h"

/* How many sessions are shown unless --limit says otherwise. */
#define DEFAULT_LIMIT 20

/* The outcome of a round, as the history shows it: a round that found no mail but sent some
 * did work, and says so. */
static const char *
outcome_text (const PosteSessionReport *report)
{
  switch (report->outcome)
    {
    case POSTE_SESSION_OUTCOME_MAIL:
      return _("mail");
    case POSTE_SESSION_OUTCOME_NO_MAIL:
      if (report->submitted > 0)
        return _("mail sent");
      return _("no mail");
    case POSTE_SESSION_OUTCOME_FAILED:
      return _("failed");
    case POSTE_SESSION_OUTCOME_CANCELLED:
      return _("stopped");
    case POSTE_SESSION_OUTCOME_STARTED:
      /* ETRN: the provider delivers to the user's own mail server. */
      return _("delivery started");
    case POSTE_SESSION_OUTCOME_NONE:
    default:
      return _("unfinished");
    }
}

/**
 * poste_cli_history:
 * @cli: the global options
 * @argc: the argument count (argv[0] is "history")
 * @argv: the arguments
 *
 * Prints the last sessions, newest first: time (local), provider, outcome, messages, bytes,
 * duration; under a round that sent (or tried to send) outbox mail, how many messages were
 * sent, deferred and returned; the error of a failed one; with -v, each session's redacted
 * transcript.
 *
 * Returns: 0, or 5 for a usage error or an unreadable history
 */
int
poste_cli_history (PosteCli  *cli,
                   int        argc,
                   char     **argv)
{
  g_autoptr(PosteHistory) history = NULL;
  g_autoptr(GPtrArray) reports = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *provider = NULL;
  int limit = DEFAULT_LIMIT;
  GOptionEntry entries[] = {
    { "provider", 'p', 0, G_OPTION_ARG_STRING, &provider, N_("Only this provider's sessions"),
      N_("NAME") },
    { "limit", 'n', 0, G_OPTION_ARG_INT, &limit, N_("How many sessions (default 20, 0 for all)"),
      N_("N") },
    { NULL }
  };

  if (!poste_cli_parse_options (cli, "history", "",
                                _("Show the last sessions, newest first. With -v, their "
                                  "transcripts (secrets redacted)."),
                                entries, &argc, &argv))
    return POSTE_EXIT_USAGE;
  if (argc > 1 || limit < 0)
    {
      poste_cli_error (cli, _("history: unexpected argument (see history --help)"));
      return POSTE_EXIT_USAGE;
    }

  history = poste_history_new (NULL);
  reports = poste_history_list (history, provider, limit, &error);
  if (reports == NULL)
    {
      poste_cli_error (cli, _("cannot read the history: %s"), error->message);
      return POSTE_EXIT_USAGE;
    }
  if (reports->len == 0)
    {
      if (provider != NULL)
        g_print (_("No sessions of provider '%s' yet.\n"), provider);
      else
        g_print (_("No sessions yet.\n"));
      return 0;
    }

  g_print ("%-19s  %-16s  %-10s  %8s  %10s  %8s\n", _("TIME"), _("PROVIDER"), _("OUTCOME"),
           _("MESSAGES"), _("BYTES"), _("DURATION"));
  for (guint i = 0; i < reports->len; i++)
    {
      PosteSessionReport *report = reports->pdata[i];
      g_autoptr(GDateTime) local = report->started != NULL ? g_date_time_to_local (report->started) : NULL;
      g_autofree char *time = local != NULL ? g_date_time_format (local, "%Y-%m-%d %H:%M:%S")
                                            : g_strdup ("?");
      g_autofree char *size = g_format_size (report->bytes);
      g_autofree char *duration = g_strdup_printf ("%.1f s", report->duration);
      g_autofree char *outbox = poste_session_report_describe_outbox (report);

      g_print ("%-19s  %-16s  %-10s  %8u  %10s  %8s\n", time, report->provider,
               outcome_text (report), report->messages, size, duration);
      if (outbox != NULL)
        /* Translators: under a round in the history: "outbox: 2 sent, 1 deferred, 0 returned" */
        g_print (_("    outbox: %s\n"), outbox);
      if (report->error != NULL)
        g_print ("    %s\n", report->error->message);
      poste_cli_print_transcript (cli, report->provider, report->transcript);
    }
  return 0;
}
