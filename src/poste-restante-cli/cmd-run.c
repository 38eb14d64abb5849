/* cmd-run.c: poste-restante-cli run (the scheduler, headless)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * `run` adds every provider of the configuration to a PosteScheduler and runs a session whenever
 * it asks, exactly as `fetch` does (poste_cli_fetch_one_async()): one summary line per fetch on
 * standard output, a record in the history. SIGHUP reads the configuration again and tells the
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
  /* Cancelled on SIGTERM or SIGINT: every running session stops. */
  GCancellable   *cancellable;
  guint           running;
  gboolean        stopping;
} Run;

typedef struct {
  Run  *run;
  char *name;
} Fetch;

static void
maybe_quit (Run *run)
{
  if (run->stopping && run->running == 0)
    g_main_loop_quit (run->loop);
}

static void
fetch_done (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Fetch *fetch = user_data;
  Run *run = fetch->run;
  g_autoptr(GError) error = NULL;
  PosteSessionOutcome outcome;

  poste_cli_fetch_one_finish (result, &outcome, &error);
  poste_scheduler_fetch_finished (run->scheduler, fetch->name, outcome, error);
  if (outcome == POSTE_SESSION_OUTCOME_FAILED)
    poste_cli_print_schedule (run->cli, run->scheduler, fetch->name);
  g_free (fetch->name);
  g_free (fetch);
  run->running--;
  maybe_quit (run);
}

static void
on_fetch (PosteScheduler   *scheduler,
          const char       *name,
          PosteFetchReason  reason,
          gpointer          user_data)
{
  Run *run = user_data;
  PosteProvider *provider = poste_config_lookup (run->config, name);
  Fetch *fetch;

  if (run->stopping || provider == NULL)
    {
      poste_scheduler_fetch_finished (scheduler, name, POSTE_SESSION_OUTCOME_CANCELLED, NULL);
      return;
    }
  if (run->cli->verbose)
    g_printerr ("%s: *  fetch (%s)\n", name, poste_fetch_reason_to_string (reason));

  fetch = g_new0 (Fetch, 1);
  fetch->run = run;
  fetch->name = g_strdup (name);
  run->running++;
  poste_cli_fetch_one_async (run->cli, provider, run->history, run->cancellable, fetch_done,
                             fetch);
}

/* Whether two providers differ in any property (the configuration's keys). */
static gboolean
provider_changed (PosteProvider *a,
                  PosteProvider *b)
{
  g_autofree GParamSpec **specs = NULL;
  guint n_specs;
  gboolean changed = FALSE;

  specs = g_object_class_list_properties (G_OBJECT_GET_CLASS (a), &n_specs);
  for (guint i = 0; i < n_specs && !changed; i++)
    {
      g_auto(GValue) value_a = G_VALUE_INIT;
      g_auto(GValue) value_b = G_VALUE_INIT;

      if (!(specs[i]->flags & G_PARAM_READABLE))
        continue;
      g_value_init (&value_a, specs[i]->value_type);
      g_value_init (&value_b, specs[i]->value_type);
      g_object_get_property (G_OBJECT (a), specs[i]->name, &value_a);
      g_object_get_property (G_OBJECT (b), specs[i]->name, &value_b);
      /* Boxed values compare by pointer: compare the lists of domains and routes item by
       * item. */
      if (specs[i]->value_type == G_TYPE_STRV)
        changed = !g_strv_equal (g_value_get_boxed (&value_a) != NULL
                                   ? g_value_get_boxed (&value_a) : (const char *[]) { NULL },
                                 g_value_get_boxed (&value_b) != NULL
                                   ? g_value_get_boxed (&value_b) : (const char *[]) { NULL });
      else
        changed = g_param_values_cmp (specs[i], &value_a, &value_b) != 0;
    }
  return changed;
}

/* Gives the scheduler every provider of @config; on a reload, removes the ones gone and updates
 * the ones that changed. */
static void
apply_config (Run         *run,
              PosteConfig *old,
              PosteConfig *config)
{
  GListModel *providers = poste_config_get_providers (config);

  if (old != NULL)
    {
      GListModel *old_providers = poste_config_get_providers (old);

      for (guint i = 0; i < g_list_model_get_n_items (old_providers); i++)
        {
          g_autoptr(PosteProvider) provider = g_list_model_get_item (old_providers, i);
          const char *name = poste_provider_get_name (provider);

          if (poste_config_lookup (config, name) == NULL &&
              poste_scheduler_remove_provider (run->scheduler, name))
            poste_cli_log_line (run->cli, _("%s: removed\n"), name);
        }
    }

  for (guint i = 0; i < g_list_model_get_n_items (providers); i++)
    {
      g_autoptr(PosteProvider) provider = g_list_model_get_item (providers, i);
      const char *name = poste_provider_get_name (provider);
      PosteProvider *before = old != NULL ? poste_config_lookup (old, name) : NULL;
      g_autoptr(GError) error = NULL;

      if (!poste_scheduler_has_provider (run->scheduler, name))
        {
          if (!poste_scheduler_add_provider (run->scheduler, provider, &error))
            poste_cli_error (run->cli, _("%s: not scheduled: %s"), name, error->message);
          else if (old != NULL)
            poste_cli_log_line (run->cli, _("%s: added\n"), name);
        }
      else if (before == NULL || provider_changed (before, provider))
        {
          if (!poste_scheduler_update_provider (run->scheduler, provider, &error))
            poste_cli_error (run->cli, _("%s: schedule not changed: %s"), name, error->message);
          else
            poste_cli_log_line (run->cli, _("%s: configuration changed\n"), name);
        }
      else
        continue;

      /* A provider that run will never fetch should not look like one that has no mail. */
      if (poste_provider_get_interval (provider) == 0)
        poste_cli_log_line (run->cli, _("%s: interval=0, so run never fetches it; "
                                        "'poste-restante-cli fetch %s' does\n"), name, name);
    }
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
  apply_config (run, run->config, config);
  g_set_object (&run->config, config);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_stop (gpointer user_data)
{
  Run *run = user_data;

  if (!run->stopping)
    {
      run->stopping = TRUE;
      if (run->running > 0)
        poste_cli_log_line (run->cli, ngettext ("Stopping %u session\n", "Stopping %u sessions\n",
                                                run->running), run->running);
      g_cancellable_cancel (run->cancellable);
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
  run.cancellable = g_cancellable_new ();
  run.scheduler = poste_scheduler_new (NULL, NULL);
  g_signal_connect (run.scheduler, "fetch", G_CALLBACK (on_fetch), &run);

  sources[0] = g_unix_signal_add (SIGHUP, on_sighup, &run);
  sources[1] = g_unix_signal_add (SIGTERM, on_stop, &run);
  sources[2] = g_unix_signal_add (SIGINT, on_stop, &run);

  if (g_list_model_get_n_items (poste_config_get_providers (run.config)) == 0)
    poste_cli_error (cli, _("no providers in %s yet; waiting (send SIGHUP after adding one)"),
                     poste_config_get_path (run.config));
  poste_cli_log_line (cli, _("Scheduler started with %s\n"), poste_config_get_path (run.config));
  apply_config (&run, NULL, run.config);
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
  g_clear_object (&run.cancellable);
  g_clear_object (&run.history);
  g_clear_object (&run.config);
  poste_cli_log_line (cli, _("Stopped\n"));
  return 0;
}
