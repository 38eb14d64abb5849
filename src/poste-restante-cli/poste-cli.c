/* poste-cli.c: what the commands of poste-restante-cli share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "poste-cli.h"
#include "poste-error.h"
#include "poste-secrets.h"

/**
 * poste_cli_stream_is_journal:
 * @fd: a file descriptor: STDOUT_FILENO or STDERR_FILENO
 *
 * Whether @fd writes to the systemd journal. systemd connects a service's standard output and
 * error to the journal and sets `JOURNAL_STREAM=DEVICE:INODE` to that stream (systemd.exec(5));
 * the variable is inherited by whatever the service starts, so only the device and inode of @fd
 * itself (fstat()) say whether this descriptor still is that stream.
 *
 * Returns: %TRUE when @fd is the stream `JOURNAL_STREAM` names
 */
gboolean
poste_cli_stream_is_journal (int fd)
{
  const char *value = g_getenv ("JOURNAL_STREAM");
  g_auto(GStrv) parts = NULL;
  guint64 device, inode;
  struct stat st;

  if (value == NULL || fstat (fd, &st) != 0)
    return FALSE;
  parts = g_strsplit (value, ":", 3);
  if (g_strv_length (parts) != 2 ||
      !g_ascii_string_to_unsigned (parts[0], 10, 0, G_MAXUINT64, &device, NULL) ||
      !g_ascii_string_to_unsigned (parts[1], 10, 0, G_MAXUINT64, &inode, NULL))
    return FALSE;
  return (guint64) st.st_dev == device && (guint64) st.st_ino == inode;
}

/* What goes before a line written to @fd: the local time in ISO 8601 with its offset from UTC
 * ("2026-12-07T04:12:05+01:00 "), or nothing when the journal, which stamps every line itself,
 * takes it or when the command is not a log (@cli's timestamps). */
static char *
line_prefix (PosteCli *cli,
             int       fd)
{
  g_autoptr(GDateTime) now = NULL;

  if (!cli->timestamps || poste_cli_stream_is_journal (fd))
    return g_strdup ("");
  now = g_date_time_new_now_local ();
  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%S%:z ");
}

/**
 * poste_cli_log_line:
 * @cli: the global options
 * @format: a printf() format for one line; its final line end may be left out
 * @...: its arguments
 *
 * Writes one line to standard output, after the time when @cli's timestamps are on and standard
 * output is not the journal (see poste_cli_stream_is_journal()).
 */
void
poste_cli_log_line (PosteCli   *cli,
                    const char *format,
                    ...)
{
  g_autofree char *message = NULL;
  g_autofree char *prefix = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  prefix = line_prefix (cli, STDOUT_FILENO);
  g_print ("%s%s%s", prefix, message, g_str_has_suffix (message, "\n") ? "" : "\n");
}

/**
 * poste_cli_error:
 * @cli: the global options
 * @format: a printf() format
 * @...: its arguments
 *
 * Writes "poste-restante-cli: MESSAGE" to standard error (after the time, as
 * poste_cli_log_line() does).
 */
void
poste_cli_error (PosteCli   *cli,
                 const char *format,
                 ...)
{
  g_autofree char *message = NULL;
  g_autofree char *prefix = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  prefix = line_prefix (cli, STDERR_FILENO);
  g_printerr ("%s%s: %s\n", prefix, cli->prgname, message);
}

/**
 * poste_cli_print_schedule:
 * @cli: the global options
 * @scheduler: the scheduler that has just been told how a fetch of @name ended
 * @name: a provider's name
 *
 * Says what happens next after a failed fetch, for `run`'s log: when the next attempt is (the
 * scheduler's backoff, see #PosteScheduler) and how many fetches failed in a row, or that no
 * automatic fetch comes until the configuration changes. Nothing after a success: the interval
 * is what the configuration says.
 */
void
poste_cli_print_schedule (PosteCli       *cli,
                          PosteScheduler *scheduler,
                          const char     *name)
{
  g_autoptr(GDateTime) next = NULL;
  g_autofree char *when = NULL;
  guint failures;

  switch (poste_scheduler_get_state (scheduler, name))
    {
    case POSTE_SCHEDULE_STATE_STOPPED:
      poste_cli_error (cli, _("%s: no automatic fetch until the configuration changes "
                              "(send SIGHUP after fixing it)"), name);
      break;
    case POSTE_SCHEDULE_STATE_RETRYING:
      next = poste_scheduler_get_next_fetch (scheduler, name);
      if (next == NULL)
        break;
      when = g_date_time_format (next, "%Y-%m-%dT%H:%M:%S%:z");
      failures = poste_scheduler_get_failures (scheduler, name);
      /* Translators: a provider's name, an ISO 8601 time, then how many fetches failed */
      poste_cli_log_line (cli, ngettext ("%s: next attempt at %s (%u failure in a row)",
                                         "%s: next attempt at %s (%u failures in a row)",
                                         failures),
                          name, when, failures);
      break;
    default:
      break;
    }
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
  g_autofree char *prefix = NULL;

  if (!cli->verbose || transcript == NULL)
    return;
  lines = poste_history_bound_transcript (transcript);
  prefix = line_prefix (cli, STDERR_FILENO);
  for (guint i = 0; i < lines->len; i++)
    g_printerr ("%s%s: %s\n", prefix, provider, (const char *) lines->pdata[i]);
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
