/* cmd-run.c: poste-restante-cli run (the scheduler, headless)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * `run` has a PosteScheduler follow the configuration's providers and run each due fetch as a
 * #PosteFetch round, watched and summed up exactly as `fetch` does (poste_cli_watch_round(),
 * poste_cli_print_round()): one summary per fetch on standard output, a record in the history. SIGHUP reads the configuration again and tells the
 * scheduler what changed; SIGTERM and SIGINT stop the running sessions cleanly (421 in the
 * reversed state, so the provider keeps what was not taken) and exit 0.
 */
#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <signal.h>
#include <stdio.h>

#include "poste-cli.h"
#include "poste-scheduler.h"

typedef struct {
  PosteCli       *cli;
  GMainLoop      *loop;
  PosteConfig    *config;
  PosteScheduler *scheduler;
  PosteHistory   *history;
  PosteOutbox    *outbox;
  gboolean        stopping;
  gboolean        reloading;      /* after the first SIGHUP: new providers are news */
} Run;

static void
maybe_quit (Run *run)
{
  if (run->stopping && poste_scheduler_get_n_rounds (run->scheduler) == 0)
    g_main_loop_quit (run->loop);
}

/* The scheduler starts a round: watched as `fetch` watches its own. */
static void
on_round_started (PosteScheduler   *scheduler,
                  PosteFetch       *round,
                  PosteFetchReason  reason,
                  gpointer          user_data)
{
  Run *run = user_data;
  const char *name = poste_provider_get_name (poste_fetch_get_provider (round));

  if (run->stopping)
    poste_fetch_cancel (round);
  if (run->cli->verbose)
    g_printerr ("%s: *  fetch (%s)\n", name, poste_fetch_reason_to_string (reason));
  poste_cli_watch_round (run->cli, round);
}

/* A round has ended (the scheduler has its outcome): its summary, and after a failure when the
 * next attempt is. */
static void
on_round_finished (PosteScheduler           *scheduler,
                   PosteFetch               *round,
                   const PosteSessionReport *report,
                   gpointer                  user_data)
{
  Run *run = user_data;

  poste_cli_print_round (run->cli, report);
  if (report->outcome == POSTE_SESSION_OUTCOME_FAILED)
    poste_cli_print_schedule (run->cli, run->scheduler, report->provider);
  maybe_quit (run);
}

/* What the scheduler made of the configuration's providers: a line for each change, and a
 * word for a provider that run will never fetch (it should not look like one without mail). */
static void
on_provider_synced (PosteScheduler    *scheduler,
                    const char        *name,
                    PosteProviderSync  sync,
                    const GError      *error,
                    gpointer           user_data)
{
  Run *run = user_data;
  PosteProvider *provider = poste_config_lookup (run->config, name);

  switch (sync)
    {
    case POSTE_PROVIDER_SYNC_FAILED:
      poste_cli_error (run->cli, _("%s: not scheduled: %s"), name, error->message);
      return;
    case POSTE_PROVIDER_SYNC_REMOVED:
      poste_cli_log_line (run->cli, _("%s: removed\n"), name);
      return;
    case POSTE_PROVIDER_SYNC_ADDED:
      if (run->reloading)
        poste_cli_log_line (run->cli, _("%s: added\n"), name);
      break;
    case POSTE_PROVIDER_SYNC_UPDATED:
    default:
      poste_cli_log_line (run->cli, _("%s: configuration changed\n"), name);
      break;
    }
  if (provider != NULL && poste_provider_get_interval (provider) == 0)
    poste_cli_log_line (run->cli, _("%s: interval=0, so run never fetches it; "
                                    "'poste-restante-cli fetch %s' does\n"), name, name);
}

static gboolean
on_sighup (gpointer user_data)
{
  Run *run = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PosteConfig) config = NULL;

  if (run->stopping)
    return G_SOURCE_CONTINUE;

  config = poste_cli_load_config (run->cli, FALSE, &error);
  if (config == NULL)
    {
      poste_cli_error (run->cli, _("the configuration was not reloaded, the old one stays: %s"),
                       error->message);
      return G_SOURCE_CONTINUE;
    }
  poste_cli_log_line (run->cli, _("Configuration reloaded from %s\n"),
                      poste_config_get_path (config));
  g_set_object (&run->config, config);
  run->reloading = TRUE;
  poste_scheduler_follow_providers (run->scheduler, poste_config_get_providers (config));
  return G_SOURCE_CONTINUE;
}

static gboolean
on_stop (gpointer user_data)
{
  Run *run = user_data;

  if (!run->stopping)
    {
      run->stopping = TRUE;
      guint running = poste_scheduler_get_n_rounds (run->scheduler);

      if (running > 0)
        poste_cli_log_line (run->cli, ngettext ("Stopping %u session\n", "Stopping %u sessions\n",
                                                running), running);
      poste_scheduler_stop_rounds (run->scheduler);
    }
  maybe_quit (run);
  return G_SOURCE_CONTINUE;
}

/**
 * poste_cli_run:
 * @cli: the global options
 * @argc: the argument count (argv[0] is "run")
 * @argv: the arguments
 *
 * The headless scheduler (see the top of this file). It runs until SIGTERM or SIGINT.
 *
 * Returns: 0 after a clean stop; 5 when the configuration cannot be read at the start
 */
int
poste_cli_run (PosteCli  *cli,
               int        argc,
               char     **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(PosteOutboxListener) outbox_listener = NULL;
  Run run = { 0 };
  guint sources[3];

  if (!poste_cli_parse_options (cli, "run", "",
                                _("Run the scheduler headless: fetch each provider at its "
                                  "interval, when the network comes up and after resume, until "
                                  "stopped. SIGHUP reads the configuration again; SIGTERM or "
                                  "SIGINT stops the running sessions cleanly."),
                                NULL, &argc, &argv))
    return POSTE_EXIT_USAGE;
  if (argc > 1)
    {
      poste_cli_error (cli, _("run: unexpected argument '%s'"), argv[1]);
      return POSTE_EXIT_USAGE;
    }

  run.config = poste_cli_load_config (cli, FALSE, &error);
  if (run.config == NULL)
    {
      poste_cli_error (cli, "%s", error->message);
      return POSTE_EXIT_USAGE;
    }

  /* A log line per fetch: under systemd standard output is a pipe to the journal. */
  setvbuf (stdout, NULL, _IOLBF, 0);
  cli->timestamps = TRUE;

  loop = g_main_loop_new (NULL, FALSE);
  run.cli = cli;
  run.loop = loop;
  run.history = poste_history_new (NULL);
  run.outbox = poste_outbox_new (NULL);
  run.scheduler = poste_scheduler_new (NULL, NULL);
  /* The scheduler runs each due fetch as a round itself; run prints what they did. */
  poste_scheduler_run_rounds (run.scheduler, run.history, run.outbox);
  g_signal_connect (run.scheduler, "round-started", G_CALLBACK (on_round_started), &run);
  g_signal_connect (run.scheduler, "round-finished", G_CALLBACK (on_round_finished), &run);

  sources[0] = g_unix_signal_add (SIGHUP, on_sighup, &run);
  sources[1] = g_unix_signal_add (SIGTERM, on_stop, &run);
  sources[2] = g_unix_signal_add (SIGINT, on_stop, &run);

  if (g_list_model_get_n_items (poste_config_get_providers (run.config)) == 0)
    poste_cli_error (cli, _("no providers in %s yet; waiting (send SIGHUP after adding one)"),
                     poste_config_get_path (run.config));
  poste_cli_log_line (cli, _("Scheduler started with %s\n"), poste_config_get_path (run.config));
  g_signal_connect (run.scheduler, "provider-synced", G_CALLBACK (on_provider_synced), &run);
  poste_scheduler_follow_providers (run.scheduler, poste_config_get_providers (run.config));
  /* [outbox] listen=ADDRESS: the SMTP listener on loopback (cmd-send.c). */
  outbox_listener = poste_cli_outbox_listener_start (cli, run.config, &error);
  if (error != NULL)
    poste_cli_error (cli, _("the outbox listener did not start: %s"), error->message);

  g_main_loop_run (loop);
  if (outbox_listener != NULL)
    poste_outbox_listener_stop (outbox_listener);

  for (guint i = 0; i < G_N_ELEMENTS (sources); i++)
    g_source_remove (sources[i]);
  g_signal_handlers_disconnect_by_data (run.scheduler, &run);
  g_clear_object (&run.scheduler);
  g_clear_object (&run.history);
  g_clear_object (&run.outbox);
  g_clear_object (&run.config);
  poste_cli_log_line (cli, _("Stopped\n"));
  return 0;
}
