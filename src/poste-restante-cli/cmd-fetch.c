/* cmd-fetch.c: poste-restante-cli fetch [PROVIDER...]
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One session per provider, one after the other; each ends with a one-line summary and a
 * record in the history. Ctrl-C (SIGINT) or SIGTERM stops the running session cleanly (the
 * session answers 421 in the reversed state, so the provider keeps what was not taken).
 */
#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <signal.h>

#include "poste-cli.h"
#include "poste-router.h"
#include "poste-secrets.h"
#include "poste-session.h"

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

/* Where a session was when the provider hung up or went silent: "The peer closed the
 * connection" alone does not tell a refused login from a dropped delivery. */
static const char *
stage_text (PosteSessionState state)
{
  switch (state)
    {
    case POSTE_SESSION_STATE_CONNECTING:
      return _("while connecting");
    case POSTE_SESSION_STATE_GREETING:
      return _("waiting for the provider's greeting");
    case POSTE_SESSION_STATE_EHLO:
      return _("after EHLO");
    case POSTE_SESSION_STATE_STARTTLS:
      return _("during STARTTLS");
    case POSTE_SESSION_STATE_AUTH:
      return _("during authentication");
    case POSTE_SESSION_STATE_ATRN:
      return _("waiting for the answer to ATRN");
    case POSTE_SESSION_STATE_RECEIVING:
      return _("while receiving mail");
    case POSTE_SESSION_STATE_SUBMITTING:
      return _("while sending the outbox");
    case POSTE_SESSION_STATE_IDLE:
    case POSTE_SESSION_STATE_DONE:
    case POSTE_SESSION_STATE_FAILED:
    default:
      return NULL;
    }
}

static char *
summary_line (const char               *name,
              const PosteSessionReport *report,
              const GError             *error,
              PosteSessionState         stage)
{
  g_autofree char *size = NULL;
  GString *line = g_string_new (NULL);

  if (error != NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_string_append_printf (line, _("%s: stopped"), name);
      else
        g_string_append_printf (line, _("%s: error: %s"), name, error->message);
      if ((g_error_matches (error, POSTE_PROTOCOL_ERROR, POSTE_PROTOCOL_ERROR_CLOSED) ||
           g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT)) &&
          stage_text (stage) != NULL)
        g_string_append_printf (line, " (%s)", stage_text (stage));
      if (report != NULL && report->messages > 0)
        g_string_append_printf (line, ngettext (" (%u message delivered before)",
                                                " (%u messages delivered before)",
                                                report->messages),
                                report->messages);
      return g_string_free (line, FALSE);
    }
  if (report == NULL || report->messages == 0)
    {
      g_string_append_printf (line, _("%s: no mail"), name);
      if (report != NULL && report->refused > 0)
        g_string_append_printf (line, ngettext (", %u message left with the provider",
                                                ", %u messages left with the provider",
                                                report->refused),
                                report->refused);
      return g_string_free (line, FALSE);
    }
  size = g_format_size (report->bytes);
  g_string_append_printf (line, ngettext ("%s: %u message, %s in %.1f s",
                                          "%s: %u messages, %s in %.1f s", report->messages),
                          name, report->messages, size, report->duration);
  if (report->refused > 0)
    g_string_append_printf (line, ngettext (", %u left with the provider",
                                            ", %u left with the provider", report->refused),
                            report->refused);
  return g_string_free (line, FALSE);
}

/* One fetch in flight: what poste_cli_fetch_one_async() needs until the session ends. */
typedef struct {
  PosteCli            *cli;
  char                *name;
  PosteHistory        *history;
  PosteDelivery       *delivery;
  PosteSession        *session;
  PosteSessionOutcome  outcome;
  GError              *error;
  /* The outbox leaves in the same round (cmd-send.c): what it needs after the session. */
  PosteProvider       *provider;
  char                *password;
  GCancellable        *cancellable;
  PosteSessionReport  *report;
} FetchOne;

static void
fetch_one_free (gpointer data)
{
  FetchOne *one = data;

  g_free (one->name);
  g_clear_object (&one->history);
  g_clear_object (&one->delivery);
  if (one->session != NULL)
    g_signal_handlers_disconnect_by_data (one->session, one);
  g_clear_object (&one->session);
  g_clear_error (&one->error);
  g_clear_object (&one->provider);
  poste_secrets_free_password (one->password);
  g_clear_object (&one->cancellable);
  g_clear_pointer (&one->report, poste_session_report_free);
  g_free (one);
}

/* The session could not start (no password, no delivery target): say so as a session that
 * failed would. */
static void
fetch_one_fail_early (GTask  *task,
                      GError *error)
{
  FetchOne *one = g_task_get_task_data (task);

  g_print (_("%s: error: %s\n"), one->name, error->message);
  one->outcome = POSTE_SESSION_OUTCOME_FAILED;
  one->error = error;
  g_task_return_int (task, poste_cli_status_for_error (error));
}

static void fetch_one_end (GTask *task, GError *error, PosteSessionReport *report);

/* The outbox's round has ended: back to the session's summary. */
static void
fetch_one_submitted (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  FetchOne *one = g_task_get_task_data (task);

  poste_cli_outbox_submit_finish (one->cli, result, one->report);
  fetch_one_end (g_steal_pointer (&task), g_steal_pointer (&one->error),
                 g_steal_pointer (&one->report));
}

static void
fetch_one_done (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  FetchOne *one = g_task_get_task_data (task);
  GError *error = NULL;
  PosteSessionReport *report = NULL;

  poste_session_run_finish (one->session, result, &error);

  if (poste_session_get_report (one->session) != NULL)
    report = poste_session_report_copy (poste_session_get_report (one->session));

  /* Outgoing mail leaves in the same round, unless the user stopped it (DESIGN.md, Outbox). */
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      one->error = error;
      one->report = report;
      poste_cli_outbox_submit_async (one->cli, one->provider, one->password, one->cancellable,
                                     fetch_one_submitted, g_steal_pointer (&task));
      return;
    }
  fetch_one_end (g_steal_pointer (&task), error, report);
}

/* Takes @task, @error and @report. */
static void
fetch_one_end (GTask              *task_in,
               GError             *error_in,
               PosteSessionReport *report_in)
{
  g_autoptr(GTask) task = task_in;
  FetchOne *one = g_task_get_task_data (task);
  PosteCli *cli = one->cli;
  const char *name = one->name;
  g_autoptr(GError) error = error_in;
  g_autoptr(PosteSessionReport) report = report_in;
  g_autofree char *line = NULL;
  int status;

  /* The record first: whoever reads the summary line (a log, a test) finds it there. A message
   * the delivery target refused with 4xx (at MAIL, RCPT or the end of DATA) is already the
   * session's POSTE_SESSION_ERROR_DELIVERY: exit status 10, the provider keeps that mail. */
  if (report != NULL)
    {
      g_autoptr(GError) history_error = NULL;

      if (!poste_history_add (one->history, report, &history_error))
        poste_cli_error (cli, _("%s: the session was not recorded in the history: %s"), name,
                         history_error->message);
    }

  /* The report says where the session ended: the state notifications seen here may skip
   * phases, since the session applies only its newest progress in this thread. */
  line = summary_line (name, report, error,
                       report != NULL ? report->last_state : POSTE_SESSION_STATE_IDLE);
  g_print ("%s\n", line);
  poste_cli_print_hint (cli, name, error);
  if (report != NULL)
    poste_cli_print_transcript (cli, name, report->transcript);

  if (error != NULL)
    status = poste_cli_status_for_error (error);
  else
    status = report != NULL && report->messages > 0 ? POSTE_EXIT_MAIL : POSTE_EXIT_NO_MAIL;

  if (report != NULL && report->outcome != POSTE_SESSION_OUTCOME_NONE)
    one->outcome = report->outcome;
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    one->outcome = POSTE_SESSION_OUTCOME_CANCELLED;
  else if (error != NULL)
    one->outcome = POSTE_SESSION_OUTCOME_FAILED;
  else
    one->outcome = status == POSTE_EXIT_MAIL ? POSTE_SESSION_OUTCOME_MAIL
                                             : POSTE_SESSION_OUTCOME_NO_MAIL;
  one->error = g_steal_pointer (&error);
  g_task_return_int (task, status);
}

/**
 * poste_cli_fetch_one_async:
 * @cli: the global options
 * @provider: the provider to fetch from
 * @history: where the session report goes
 * @cancellable: (nullable): cancels the session cleanly (421 in the reversed state)
 * @callback: called when the session has ended, been summed up and recorded
 * @user_data: for @callback
 *
 * One session, as `fetch` runs it and `run` too: the password (password file or keyring), the
 * provider's delivery routes, the session; then a one-line summary on standard output, the
 * transcript on standard error with -v, and a record in @history. Finish with
 * poste_cli_fetch_one_finish().
 */
void
poste_cli_fetch_one_async (PosteCli            *cli,
                           PosteProvider       *provider,
                           PosteHistory        *history,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, NULL, callback, user_data);
  g_autoptr(GError) error = NULL;
  g_autoptr(PosteDelivery) router = NULL;
  FetchOne *one;
  char *password;

  g_task_set_source_tag (task, poste_cli_fetch_one_async);
  one = g_new0 (FetchOne, 1);
  one->cli = cli;
  one->name = g_strdup (poste_provider_get_name (provider));
  one->history = g_object_ref (history);
  one->outcome = POSTE_SESSION_OUTCOME_NONE;
  g_task_set_task_data (task, one, fetch_one_free);

  password = poste_cli_dup_password (cli, provider, &error);
  if (error != NULL)
    {
      fetch_one_fail_early (task, g_steal_pointer (&error));
      return;
    }

  router = poste_router_new (provider, &error);
  if (router == NULL)
    {
      poste_secrets_free_password (password);
      fetch_one_fail_early (task, g_steal_pointer (&error));
      return;
    }
  one->delivery = g_steal_pointer (&router);

  one->session = poste_session_new (provider, password, one->delivery);
  one->provider = g_object_ref (provider);
  one->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  one->password = password;

  if (cli->verbose)
    g_signal_connect_data (one->session, "notify::state", G_CALLBACK (on_state),
                           g_strdup (one->name), (GClosureNotify) G_CALLBACK (g_free), 0);

  poste_session_run_async (one->session, cancellable, fetch_one_done, g_steal_pointer (&task));
}

/**
 * poste_cli_fetch_one_finish:
 * @result: what poste_cli_fetch_one_async() gave its callback
 * @outcome: (out) (optional): how the session ended (%POSTE_SESSION_OUTCOME_FAILED when it could
 *   not start)
 * @error: (out) (optional): why it failed, when it did (a %POSTE_SESSION_ERROR, %G_IO_ERROR,
 *   %POSTE_CONFIG_ERROR, ...), as poste_scheduler_fetch_finished() wants it
 *
 * Returns: the session's exit status (#PosteExitStatus): 0 mail, 1 no mail, else the error's
 */
int
poste_cli_fetch_one_finish (GAsyncResult         *result,
                            PosteSessionOutcome  *outcome,
                            GError              **error)
{
  GTask *task = G_TASK (result);
  FetchOne *one;

  g_return_val_if_fail (g_task_is_valid (result, NULL), POSTE_EXIT_USAGE);
  g_return_val_if_fail (g_task_get_source_tag (task) == poste_cli_fetch_one_async,
                        POSTE_EXIT_USAGE);

  one = g_task_get_task_data (task);
  if (outcome != NULL)
    *outcome = one->outcome;
  if (error != NULL && one->error != NULL)
    *error = g_error_copy (one->error);
  return (int) g_task_propagate_int (task, NULL);
}

static int
fetch_one (PosteCli      *cli,
           PosteProvider *provider,
           PosteHistory  *history,
           GCancellable  *cancellable)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  Wait wait = { 0 };
  int status;

  wait.loop = loop;
  poste_cli_fetch_one_async (cli, provider, history, cancellable, on_done, &wait);
  g_main_loop_run (loop);
  status = poste_cli_fetch_one_finish (wait.result, NULL, NULL);
  g_clear_object (&wait.result);
  return status;
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
  sigint = g_unix_signal_add (SIGINT, on_signal, cancellable);
  sigterm = g_unix_signal_add (SIGTERM, on_signal, cancellable);

  for (guint i = 0; i < providers->len && !g_cancellable_is_cancelled (cancellable); i++)
    status = poste_cli_worse_status (status, fetch_one (cli, providers->pdata[i], history,
                                                        cancellable));

  g_source_remove (sigint);
  g_source_remove (sigterm);
  return status;
}
