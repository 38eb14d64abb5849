/* cmd-fetch.c: poste-restante-cli fetch [PROVIDER...]
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One fetch round per provider (#PosteFetch: the sessions that drain it, then its outbox), one
 * after the other; each ends with its summary, and the round has written its record in the
 * history. Ctrl-C (SIGINT) or SIGTERM stops the running round cleanly (the session answers 421
 * in the reversed state, so the provider keeps what was not taken).
 */
#include "config.h"

#include <unistd.h>

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <signal.h>

#include "poste-cli.h"
#include "poste-fetch.h"
#include "poste-outbox.h"

typedef struct {
  GMainLoop    *loop;
  GAsyncResult *result;
} Wait;

static void
on_done (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
  g_main_loop_quit (wait->loop);
}

static gboolean
on_signal (gpointer user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
  return G_SOURCE_CONTINUE;
}

/* -v: where the session is, as it goes (the transcript follows at the end). */
static void
on_state (PosteSession *session,
          GParamSpec   *pspec,
          gpointer      user_data)
{
  const char *name = user_data;

  g_printerr ("%s: *  %s\n", name,
              poste_session_state_to_string (poste_session_get_state (session)));
}

/* -v: each session of the round, as the round drains the provider. */
static void
on_session_started (PosteFetch   *fetch,
                    PosteSession *session,
                    gpointer      user_data)
{
  const char *name = user_data;

  g_printerr (_("%s: *  session %u\n"), name, poste_fetch_get_n_sessions (fetch));
  g_signal_connect_data (session, "notify::state", G_CALLBACK (on_state),
                         g_strdup (name), (GClosureNotify) G_CALLBACK (g_free), 0);
}

/**
 * poste_cli_watch_round:
 * @cli: the global options
 * @round: a #PosteFetch not yet running
 *
 * With -v, has each session of @round say where it is as it goes (the transcript follows at the
 * end, from poste_cli_print_round()). `fetch` and `run` both watch their rounds this way.
 */
void
poste_cli_watch_round (PosteCli   *cli,
                       PosteFetch *round)
{
  if (cli->verbose)
    g_signal_connect_data (round, "session-started", G_CALLBACK (on_session_started),
                           g_strdup (poste_provider_get_name (poste_fetch_get_provider (round))),
                           (GClosureNotify) G_CALLBACK (g_free), 0);
}

/**
 * poste_cli_print_round:
 * @cli: the global options
 * @report: the report of a round that has ended
 *
 * The round's summary on standard output (poste_fetch_report_format_summary(), one log line each,
 * so that `run` puts its time before them), what to do about its error when the message alone
 * does not say it, and with -v its transcript on standard error.
 */
void
poste_cli_print_round (PosteCli                 *cli,
                       const PosteSessionReport *report)
{
  g_autofree char *summary = poste_fetch_report_format_summary (report);
  g_auto(GStrv) lines = g_strsplit (summary, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    poste_cli_log_line (cli, "%s\n", lines[i]);
  poste_cli_print_hint (cli, report->provider, report->error);
  poste_cli_print_transcript (cli, report->provider, report->transcript);
}

/* The round has ended (and been recorded): its summary, and the task's result. */
static void
fetch_one_done (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PosteFetch *fetch = POSTE_FETCH (object);
  PosteCli *cli = g_task_get_task_data (task);
  g_autoptr(PosteSessionReport) report = poste_fetch_run_finish (fetch, result, NULL);

  poste_cli_print_round (cli, report);
  g_task_return_pointer (task, g_steal_pointer (&report),
                         (GDestroyNotify) poste_session_report_free);
}

/**
 * poste_cli_fetch_one_async:
 * @cli: the global options
 * @provider: the provider to fetch from
 * @history: where the round's record goes
 * @outbox: (nullable): the outbox whose due mail leaves in the same round
 * @cancellable: (nullable): stops the round cleanly (421 in the reversed state)
 * @callback: called when the round has ended, been recorded and summed up
 * @user_data: for @callback
 *
 * One fetch round (#PosteFetch), as `fetch` runs it and `run` too; then its summary on standard
 * output, and with -v each session's states as they happen and the transcript on standard error.
 * Finish with poste_cli_fetch_one_finish().
 */
void
poste_cli_fetch_one_async (PosteCli            *cli,
                           PosteProvider       *provider,
                           PosteHistory        *history,
                           PosteOutbox         *outbox,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, NULL, callback, user_data);
  g_autoptr(PosteFetch) fetch = poste_fetch_new (provider, history, outbox);

  g_task_set_source_tag (task, poste_cli_fetch_one_async);
  g_task_set_task_data (task, cli, NULL);
  poste_fetch_set_interactive (fetch, cli->interactive);
  poste_cli_watch_round (cli, fetch);
  poste_fetch_run_async (fetch, cancellable, fetch_one_done, g_steal_pointer (&task));
}

/**
 * poste_cli_fetch_one_finish:
 * @result: what poste_cli_fetch_one_async() gave its callback
 *
 * Returns: (transfer full): the round's report (poste_session_report_get_exit_status() gives the
 *   exit status; its error, if any, is what poste_scheduler_fetch_finished() wants)
 */
PosteSessionReport *
poste_cli_fetch_one_finish (GAsyncResult *result)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == poste_cli_fetch_one_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), NULL);
}

static int
fetch_one (PosteCli      *cli,
           PosteProvider *provider,
           PosteHistory  *history,
           PosteOutbox   *outbox,
           GCancellable  *cancellable)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(PosteSessionReport) report = NULL;
  Wait wait = { 0 };

  wait.loop = loop;
  poste_cli_fetch_one_async (cli, provider, history, outbox, cancellable, on_done, &wait);
  g_main_loop_run (loop);
  report = poste_cli_fetch_one_finish (wait.result);
  g_clear_object (&wait.result);
  return poste_session_report_get_exit_status (report);
}

/**
 * poste_cli_fetch:
 * @cli: the global options
 * @argc: the argument count (argv[0] is "fetch")
 * @argv: the provider names, none for all
 *
 * Returns: 0 when any mail was delivered, 1 when there was none, or the highest error status
 *   of the providers
 */
int
poste_cli_fetch (PosteCli  *cli,
                 int        argc,
                 char     **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosteConfig) config = NULL;
  g_autoptr(PosteHistory) history = NULL;
  g_autoptr(PosteOutbox) outbox = NULL;
  g_autoptr(GPtrArray) providers = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  guint sigint;
  guint sigterm;
  int status = POSTE_EXIT_NO_MAIL;

  if (!poste_cli_parse_options (cli, "fetch", _("[PROVIDER...]"),
                                _("Fetch the mail held for every provider, or the ones named."),
                                NULL, &argc, &argv))
    return POSTE_EXIT_USAGE;

  config = poste_cli_load_config (cli, FALSE, &error);
  if (config == NULL)
    {
      poste_cli_error (cli, "%s", error->message);
      return POSTE_EXIT_USAGE;
    }
  /* Run by hand at a terminal, not from a timer: a locked keyring may show its unlock prompt. */
  cli->interactive = isatty (STDIN_FILENO);

  if (argc > 1)
    {
      for (int i = 1; i < argc; i++)
        {
          PosteProvider *provider = poste_config_lookup (config, argv[i]);

          if (provider == NULL)
            {
              poste_cli_error (cli, _("no provider called '%s' in %s"), argv[i],
                               poste_config_get_path (config));
              return POSTE_EXIT_USAGE;
            }
          g_ptr_array_add (providers, g_object_ref (provider));
        }
    }
  else
    {
      GListModel *model = poste_config_get_providers (config);

      for (guint i = 0; i < g_list_model_get_n_items (model); i++)
        g_ptr_array_add (providers, g_list_model_get_item (model, i));
    }
  if (providers->len == 0)
    {
      poste_cli_error (cli, _("no providers in %s"), poste_config_get_path (config));
      return POSTE_EXIT_USAGE;
    }

  history = poste_history_new (NULL);
  outbox = poste_outbox_new (NULL);
  sigint = g_unix_signal_add (SIGINT, on_signal, cancellable);
  sigterm = g_unix_signal_add (SIGTERM, on_signal, cancellable);

  for (guint i = 0; i < providers->len && !g_cancellable_is_cancelled (cancellable); i++)
    status = poste_cli_worse_status (status, fetch_one (cli, providers->pdata[i], history,
                                                        outbox, cancellable));

  g_source_remove (sigint);
  g_source_remove (sigterm);
  return status;
}
