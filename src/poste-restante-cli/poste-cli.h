/* poste-cli.h: what the commands of poste-restante-cli share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "poste.h"
#include "poste-config.h"
#include "poste-fetch.h"
#include "poste-history.h"
#include "poste-outbox.h"
#include "poste-outbox-listener.h"
#include "poste-scheduler.h"
#include "poste-session.h"

G_BEGIN_DECLS

/**
 * PosteCli:
 * @prgname: the program's name, for messages
 * @config_path: (nullable): --config FILE, or %NULL for the default file
 * @verbose: -v: the transcript goes to stderr (redacted)
 * @timestamps: every line starts with the local time in ISO 8601 unless it goes to the systemd
 *   journal, which has the time already (`run` sets it: its output is a log)
 *
 * The global options, parsed before the command.
 */
typedef struct {
  const char *prgname;
  char       *config_path;
  gboolean    verbose;
  gboolean    timestamps;
  gboolean    interactive;  /* someone at a terminal: a locked keyring may prompt */
} PosteCli;

/**
 * PosteCliCommand:
 * @name: the command's name
 * @parameters: its arguments, for --help
 * @summary: one line for --help
 * @run: runs it with the arguments after the command's name (argv[0] is the command); returns
 *   the exit status (#PosteExitStatus)
 */
typedef struct {
  const char *name;
  const char *parameters;
  const char *summary;
  int       (*run) (PosteCli *cli, int argc, char **argv);
} PosteCliCommand;

int          poste_cli_fetch              (PosteCli   *cli,
                                           int         argc,
                                           char      **argv);
int          poste_cli_check              (PosteCli   *cli,
                                           int         argc,
                                           char      **argv);
int          poste_cli_history            (PosteCli   *cli,
                                           int         argc,
                                           char      **argv);
int          poste_cli_import_fetchmailrc (PosteCli   *cli,
                                           int         argc,
                                           char      **argv);
int          poste_cli_run                (PosteCli   *cli,
                                           int         argc,
                                           char      **argv);
int          poste_cli_send               (PosteCli   *cli,
                                           int         argc,
                                           char      **argv);

void         poste_cli_fetch_one_async    (PosteCli            *cli,
                                           PosteProvider       *provider,
                                           PosteHistory        *history,
                                           PosteOutbox         *outbox,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
PosteSessionReport *poste_cli_fetch_one_finish (GAsyncResult *result);
void         poste_cli_watch_round        (PosteCli                 *cli,
                                           PosteFetch               *round);
void         poste_cli_print_round        (PosteCli                 *cli,
                                           const PosteSessionReport *report);

/* cmd-send.c: the outbox listener of run */
PosteOutboxListener *poste_cli_outbox_listener_start (PosteCli     *cli,
                                                      PosteConfig  *config,
                                                      GError      **error);

gboolean     poste_cli_parse_options      (PosteCli      *cli,
                                           const char    *command,
                                           const char    *parameters,
                                           const char    *summary,
                                           GOptionEntry  *entries,
                                           int           *argc,
                                           char        ***argv);
PosteConfig *poste_cli_load_config        (PosteCli   *cli,
                                           gboolean    missing_ok,
                                           GError    **error);
void         poste_cli_error              (PosteCli   *cli,
                                           const char *format,
                                           ...) G_GNUC_PRINTF (2, 3);
void         poste_cli_log_line           (PosteCli   *cli,
                                           const char *format,
                                           ...) G_GNUC_PRINTF (2, 3);
gboolean     poste_cli_stream_is_journal  (int         fd);
void         poste_cli_print_schedule     (PosteCli       *cli,
                                           PosteScheduler *scheduler,
                                           const char     *name);
void         poste_cli_print_transcript   (PosteCli   *cli,
                                           const char *provider,
                                           GPtrArray  *transcript);
void         poste_cli_print_hint         (PosteCli     *cli,
                                           const char   *provider,
                                           const GError *error);
int          poste_cli_worse_status       (int         a,
                                           int         b);

G_END_DECLS
