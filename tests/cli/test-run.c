/* test-run.c: poste-restante-cli run, the headless scheduler, end to end
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs the built binary against a PosteTestProvider on 127.0.0.1 (its own thread, STARTTLS with a
 * test CA). A provider on a schedule is fetched as soon as the scheduler has it, so with an
 * interval of one minute the first fetch happens at once and the next one long after the test
 * has ended. The test reads the daemon's output line by line and acts on what it says: no
 * sleeps, no timed assertions.
 */
#include "config.h"

#include <fcntl.h>
#include <gio/gunixinputstream.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include "poste-test.h"
#include "poste-test-cli.h"
#include "poste-test-cert.h"
#include "poste-test-provider.h"
#include "poste-error.h"
#include "poste-history.h"

#define PASSWORD "s3cret-Pa55"

typedef struct {
  char               *dir;
  PosteTestCert      *cert;
  PosteTestProvider  *provider;
  guint16             port;
  char               *config;
  char               *password_file;
  GSubprocess        *process;
  GDataInputStream   *output;
  GString            *seen;       /* every line, without its time */
  gboolean            stamped;    /* whether the last line read started with a time */
  char               *stamp;      /* that time */
} Fixture;

/* How run stands to the systemd journal. */
typedef enum {
  NO_JOURNAL,        /* JOURNAL_STREAM unset: a terminal or a file */
  JOURNAL,           /* JOURNAL_STREAM names run's standard output and error */
  OTHER_JOURNAL,     /* JOURNAL_STREAM inherited, but names another stream */
} JournalMode;

static const char *first_domains[] = { "example.org", NULL };
static const char *second_domains[] = { "example.net", NULL };
static const char *first_rcpt[] = { "alice@example.org", NULL };
static const char *second_rcpt[] = { "bob@example.net", NULL };

static char *
maildir (Fixture    *f,
         const char *name)
{
  return g_build_filename (f->dir, name, NULL);
}

static guint
delivered (Fixture    *f,
           const char *name)
{
  g_autofree char *dir = maildir (f, name);
  g_autofree char *new_dir = g_build_filename (dir, "new", NULL);

  return poste_test_count_entries (new_dir);
}

static void
add_message (Fixture            *f,
             const char * const *recipients)
{
  g_autofree char *data = g_strdup_printf ("From: carol@remote.example\r\n"
                                           "To: %s\r\n"
                                           "Subject: held for you\r\n"
                                           "\r\n"
                                           "Hello.\r\n", recipients[0]);

  poste_test_provider_add_message (f->provider, "carol@remote.example", recipients, data, -1);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = poste_test_make_dir ("run");
  f->cert = poste_test_cert_new (f->dir, "provider.test", POSTE_TEST_CERT_NONE, &error);
  g_assert_no_error (error);
  f->provider = poste_test_provider_new ();
  poste_test_provider_set_tls (f->provider, POSTE_TEST_TLS_STARTTLS, f->cert->certificate);
  poste_test_provider_add_account (f->provider, "first", PASSWORD, first_domains);
  poste_test_provider_add_account (f->provider, "second", PASSWORD, second_domains);
  f->port = poste_test_provider_start (f->provider, &error);
  g_assert_no_error (error);

  poste_test_cli_prepare_files (f->dir, PASSWORD, &f->config, &f->password_file);
  f->seen = g_string_new (NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  if (f->process != NULL && g_subprocess_get_identifier (f->process) != NULL)
    {
      g_subprocess_force_exit (f->process);
      g_subprocess_wait (f->process, NULL, NULL);
    }
  g_clear_object (&f->output);
  g_clear_object (&f->process);
  poste_test_provider_stop (f->provider);
  g_clear_object (&f->provider);
  g_clear_pointer (&f->cert, poste_test_cert_free);
  g_string_free (f->seen, TRUE);
  g_free (f->stamp);
  g_free (f->dir);
  g_free (f->config);
  g_free (f->password_file);
}

/* One provider group, on the test provider, delivering into DIR/NAME. */
static void
append_provider (Fixture    *f,
                 GString    *text,
                 const char *name,
                 const char *domain)
{
  g_autofree char *target = maildir (f, name);

  poste_test_append_provider_group (text, name, f->port, domain, target, 1, f->cert->ca_file,
                                    f->password_file);
}

static void
write_config (Fixture  *f,
              gboolean  with_second)
{
  g_autoptr(GString) text = g_string_new ("# written by test-run\n");

  append_provider (f, text, "first", "example.org");
  if (with_second)
    append_provider (f, text, "second", "example.net");
  g_assert_true (g_file_set_contents (f->config, text->str, -1, NULL));
}

/* In the child, before exec: if the test dies on a failed assertion, the daemon goes too. */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static void
start_run_with (Fixture     *f,
                const char  *option,
                JournalMode  mode)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_autofree char *cli = poste_test_cli_path ();
  const char *argv[] = { cli, "--config", f->config, "run", option, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) pipe_in = NULL;
  int fds[2];
  struct stat st;

  /* The test's own pipe for standard output and error (merged), so that JOURNAL_STREAM can
   * name it before run starts, as systemd names the journal's stream. */
  g_assert_true (g_unix_open_pipe (fds, FD_CLOEXEC, &error));
  g_assert_no_error (error);
  /* Another stream: what run would see if a shell under systemd had redirected its output. */
  if (mode == OTHER_JOURNAL)
    g_assert_cmpint (stat ("/dev/null", &st), ==, 0);
  else
    g_assert_cmpint (fstat (fds[1], &st), ==, 0);
  if (mode == NO_JOURNAL)
    g_subprocess_launcher_unsetenv (launcher, "JOURNAL_STREAM");
  else
    {
      g_autofree char *stream = g_strdup_printf ("%" G_GUINT64_FORMAT ":%" G_GUINT64_FORMAT,
                                                 (guint64) st.st_dev, (guint64) st.st_ino);

      g_subprocess_launcher_setenv (launcher, "JOURNAL_STREAM", stream, TRUE);
    }
  g_subprocess_launcher_take_stdout_fd (launcher, fds[1]);
  pipe_in = g_unix_input_stream_new (fds[0], TRUE);

  poste_test_launcher_set_private_dirs (launcher);
  g_subprocess_launcher_setenv (launcher, "DBUS_SESSION_BUS_ADDRESS",
                                "unix:path=/nonexistent/poste-test-bus", TRUE);
  g_subprocess_launcher_setenv (launcher, "DBUS_SYSTEM_BUS_ADDRESS",
                                "unix:path=/nonexistent/poste-test-system-bus", TRUE);
  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);

  f->process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  /* The launcher holds the write end until it is freed: then only run has it. */
  g_clear_object (&launcher);
  f->output = g_data_input_stream_new (pipe_in);
}

static void
start_run (Fixture    *f,
           const char *option)
{
  start_run_with (f, option, NO_JOURNAL);
}

/* Reads one line of run's output, without its leading time ("2026-12-07T04:12:05+01:00 ",
 * noted in f->stamped and f->stamp); NULL at its end. */
static char *
read_line (Fixture *f)
{
  static GRegex *time_regex;
  g_autoptr(GError) error = NULL;
  g_autoptr(GMatchInfo) match = NULL;
  g_autofree char *line = g_data_input_stream_read_line_utf8 (f->output, NULL, NULL, &error);

  g_assert_no_error (error);
  if (line == NULL)
    return NULL;
  g_test_message ("run: %s", line);
  if (time_regex == NULL)
    time_regex = g_regex_new ("^([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}"
                              "[+-][0-9]{2}:[0-9]{2}) ", 0, 0, NULL);
  g_clear_pointer (&f->stamp, g_free);
  f->stamped = g_regex_match (time_regex, line, 0, &match);
  if (f->stamped)
    {
      gint end;

      f->stamp = g_match_info_fetch (match, 1);
      g_match_info_fetch_pos (match, 0, NULL, &end);
      memmove (line, line + end, strlen (line + end) + 1);
    }
  g_string_append_printf (f->seen, "%s\n", line);
  return g_steal_pointer (&line);
}

/* Reads the daemon's output until a line starts with @prefix and holds @part; returns it. */
static char *
wait_line (Fixture    *f,
           const char *prefix,
           const char *part)
{
  for (;;)
    {
      g_autofree char *line = read_line (f);

      if (line == NULL)
        g_error ("run ended before printing '%s...%s'; it printed:\n%s", prefix, part,
                 f->seen->str);
      if (g_str_has_prefix (line, prefix) && strstr (line, part) != NULL)
        return g_steal_pointer (&line);
    }
}

static int
stop_run (Fixture *f,
          int      signal_number)
{
  g_autoptr(GError) error = NULL;
  char *line;

  g_subprocess_send_signal (f->process, signal_number);
  /* Everything it says until it ends. */
  while ((line = read_line (f)) != NULL)
    g_free (line);
  g_assert_true (g_subprocess_wait (f->process, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (f->process));
  return g_subprocess_get_exit_status (f->process);
}

static guint
history_count (const char          *provider,
               PosteSessionOutcome  outcome)
{
  g_autoptr(PosteHistory) history = poste_history_new (NULL);
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;
  guint n = 0;

  records = poste_history_list (history, provider, 0, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < records->len; i++)
    {
      PosteSessionReport *report = records->pdata[i];

      g_assert_cmpstr (report->provider, ==, provider);
      if (report->outcome == outcome)
        n++;
    }
  return n;
}

/* The first fetch at start, a provider added by SIGHUP fetched too, SIGTERM exits 0. */
static void
test_run_reload_stop (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *line = NULL;

  add_message (f, first_rcpt);
  add_message (f, second_rcpt);
  write_config (f, FALSE);
  start_run (f, NULL);

  g_free (wait_line (f, "first: ", "message"));
  g_assert_cmpuint (delivered (f, "first"), ==, 1);
  g_assert_cmpuint (history_count ("first", POSTE_SESSION_OUTCOME_MAIL), ==, 1);
  /* The second provider's mail waits: nobody asked for it yet. */
  g_assert_cmpuint (poste_test_provider_count_spooled (f->provider), ==, 1);
  g_assert_cmpuint (delivered (f, "second"), ==, 0);

  write_config (f, TRUE);
  g_subprocess_send_signal (f->process, SIGHUP);
  g_free (wait_line (f, "Configuration reloaded", ""));
  g_free (wait_line (f, "second: ", "added"));
  line = wait_line (f, "second: ", "message");
  g_assert_true (g_str_has_prefix (line, "second: 1 message, "));
  g_assert_cmpuint (delivered (f, "second"), ==, 1);
  g_assert_cmpuint (history_count ("second", POSTE_SESSION_OUTCOME_MAIL), ==, 1);
  g_assert_cmpuint (poste_test_provider_count_spooled (f->provider), ==, 0);
  /* The first provider was not fetched again: its configuration did not change. */
  g_assert_null (strstr (f->seen->str, "first: configuration changed"));
  g_assert_cmpuint (history_count ("first", POSTE_SESSION_OUTCOME_MAIL), ==, 1);
  /* Two rounds, each draining the provider: the session that brought the message and one that
   * found none. The provider counts a session when its thread has finished, which may be a
   * little after the CLI reported it (slow under the sanitizers). */
  g_assert_true (poste_test_provider_wait_sessions (f->provider, 4, 30));
  g_assert_cmpuint (poste_test_provider_get_sessions (f->provider), ==, 4);

  /* A configuration that does not parse leaves the running one alone. */
  g_assert_true (g_file_set_contents (f->config, "[provider broken\n", -1, NULL));
  g_subprocess_send_signal (f->process, SIGHUP);
  g_free (wait_line (f, "poste-restante-cli: ", "not reloaded"));

  g_assert_cmpint (stop_run (f, SIGTERM), ==, 0);
  g_assert_nonnull (strstr (f->seen->str, "Stopped"));
  g_assert_cmpuint (poste_test_provider_get_sessions (f->provider), ==, 4);
}

/* SIGTERM in the reversed state: the session answers 421, the provider keeps the message, the
 * history records a cancelled session, and the daemon exits 0. */
static void
test_run_stop_in_session (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (poste_test_provider_set_faults (f->provider, "silent=rcpt", &error));
  g_assert_no_error (error);
  add_message (f, first_rcpt);
  write_config (f, FALSE);
  start_run (f, "-v");

  /* -v: the session's states as they happen. */
  g_free (wait_line (f, "first: *  ", "receiving"));
  g_assert_cmpint (stop_run (f, SIGINT), ==, 0);
  g_assert_nonnull (strstr (f->seen->str, "first: stopped"));
  g_assert_nonnull (strstr (f->seen->str, "first: C: 421 "));
  g_assert_cmpuint (poste_test_provider_count_spooled (f->provider), ==, 1);
  g_assert_cmpuint (delivered (f, "first"), ==, 0);
  g_assert_cmpuint (history_count ("first", POSTE_SESSION_OUTCOME_CANCELLED), ==, 1);
}

/* A provider with interval=0 is never fetched by run: run says so, rather than sitting there
 * as if the provider had no mail. */
static void
test_run_on_demand (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *text = NULL;
  g_autofree char *line = NULL;
  g_autoptr(GString) edited = NULL;

  add_message (f, first_rcpt);
  write_config (f, FALSE);
  g_assert_true (g_file_get_contents (f->config, &text, NULL, NULL));
  edited = g_string_new (text);
  g_assert_cmpuint (g_string_replace (edited, "interval=1\n", "interval=0\n", 0), ==, 1);
  g_assert_true (g_file_set_contents (f->config, edited->str, -1, NULL));

  start_run (f, NULL);
  /* Said as the configuration is applied, before the main loop sees the signal. */
  line = wait_line (f, "Scheduler started", "");
  g_assert_cmpint (stop_run (f, SIGTERM), ==, 0);
  g_assert_nonnull (strstr (f->seen->str, "\nfirst: interval=0, so run never fetches it; "
                                          "'poste-restante-cli fetch first' does\n"));
  g_assert_cmpuint (poste_test_provider_count_spooled (f->provider), ==, 1);
}

/* Run's log: outside the journal each line of run's own starts with the local time in ISO 8601;
 * when its standard output and error are the journal's stream (JOURNAL_STREAM names them, as
 * systemd does), the journal's own time is enough. A failing provider's next attempt is in the
 * log, backed off as the scheduler says (451: 15 minutes, even with interval=1). */
static void
test_run_time_prefix (Fixture       *f,
                      gconstpointer  data)
{
  static const JournalMode modes[] = { NO_JOURNAL, JOURNAL, OTHER_JOURNAL };
  g_autoptr(GError) error = NULL;

  g_assert_true (poste_test_provider_set_faults (f->provider, "atrn-reply=451", &error));
  g_assert_no_error (error);
  write_config (f, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (modes); i++)
    {
      gboolean expect_time = modes[i] != JOURNAL;
      g_autofree char *line = NULL;
      g_autoptr(GDateTime) next = NULL;
      g_autoptr(GDateTime) stamp = NULL;
      const char *at;
      GTimeSpan ahead;

      g_string_truncate (f->seen, 0);
      start_run_with (f, NULL, modes[i]);

      g_free (wait_line (f, "Scheduler started with ", ""));
      g_assert_cmpint (f->stamped, ==, expect_time);

      line = wait_line (f, "first: next attempt at ", "(1 failure in a row)");
      g_assert_cmpint (f->stamped, ==, expect_time);
      at = line + strlen ("first: next attempt at ");
      {
        g_autofree char *iso = g_strndup (at, strcspn (at, " "));

        next = g_date_time_new_from_iso8601 (iso, NULL);
        g_assert_nonnull (next);
      }
      if (expect_time)
        {
          stamp = g_date_time_new_from_iso8601 (f->stamp, NULL);
          g_assert_nonnull (stamp);
          /* 15 minutes after the failure, give or take the scheduler's jitter (5 %). */
          ahead = g_date_time_difference (next, stamp);
          g_assert_cmpint (ahead, >=, 14 * G_TIME_SPAN_MINUTE);
          g_assert_cmpint (ahead, <=, 16 * G_TIME_SPAN_MINUTE);
        }

      g_assert_cmpint (stop_run (f, SIGTERM), ==, 0);
      g_assert_nonnull (strstr (f->seen->str, "\nStopped\n"));
      g_assert_cmpint (f->stamped, ==, expect_time);
      g_clear_object (&f->output);
      g_clear_object (&f->process);
    }
  /* 451 is not retried every minute: one session in each run. */
  g_assert_true (poste_test_provider_wait_sessions (f->provider, 3, 30));
  g_assert_cmpuint (poste_test_provider_get_sessions (f->provider), ==, 3);
}

/* No configuration: a usage error at once, nothing left running. */
static void
test_run_no_config (Fixture       *f,
                    gconstpointer  data)
{
  start_run (f, NULL);
  g_free (wait_line (f, "poste-restante-cli: ", "no configuration"));
  g_assert_true (g_subprocess_wait (f->process, NULL, NULL));
  g_assert_cmpint (g_subprocess_get_exit_status (f->process), ==, POSTE_EXIT_USAGE);
}

/* The systemd user unit: `systemd-analyze verify --user` has nothing to say about it (unknown
 * keys and bad values are warnings on standard error there, not a failing status), with its
 * ExecStart= pointed at the built binary. */
static void
test_run_systemd_unit (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *analyze = g_find_program_in_path ("systemd-analyze");
  g_autofree char *unit_path = g_build_filename (poste_test_build_root (), "data",
                                                 "poste-restante.service", NULL);
  g_autofree char *cli = poste_test_cli_path ();
  g_autofree char *unit = NULL;
  g_autofree char *copy = g_build_filename (f->dir, "poste-restante.service", NULL);
  g_autofree char *runtime = g_build_filename (f->dir, "runtime", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) text = NULL;
  g_autofree char *command = NULL;
  const char *exec;
  const char *end;

  if (analyze == NULL)
    {
      poste_test_missing ("systemd-analyze is not installed (Debian package systemd)");
      return;
    }

  g_assert_true (g_file_get_contents (unit_path, &unit, NULL, &error));
  g_assert_no_error (error);
  g_assert_nonnull (strstr (unit, "\nRestart=on-failure\n"));
  g_assert_nonnull (strstr (unit, "\nNoNewPrivileges=yes\n"));
  exec = strstr (unit, "\nExecStart=");
  g_assert_nonnull (exec);
  exec += strlen ("\nExecStart=");
  end = strchr (exec, '\n');
  g_assert_nonnull (end);
  command = g_strndup (exec, end - exec);
  g_assert_true (g_str_has_suffix (command, "/poste-restante-cli run"));
  text = g_string_new_len (unit, exec - unit);
  g_string_append_printf (text, "%s run%s", cli, end);
  g_assert_true (g_file_set_contents (copy, text->str, -1, NULL));
  g_assert_cmpint (g_mkdir_with_parents (runtime, 0700), ==, 0);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  /* Only what the user manager's search paths need, all private to the test. */
  {
    const char *environment[] = { NULL };

    g_subprocess_launcher_set_environ (launcher, (char **) environment);
  }
  g_subprocess_launcher_setenv (launcher, "PATH", g_getenv ("PATH"), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_RUNTIME_DIR", runtime, TRUE);
  g_subprocess_launcher_setenv (launcher, "HOME", f->dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", f->dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "SYSTEMD_LOG_LEVEL", "warning", TRUE);
  process = g_subprocess_launcher_spawn (launcher, &error, analyze, "verify", "--user", copy,
                                         NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error));
  g_assert_no_error (error);
  g_test_message ("systemd-analyze: %s%s", out, err);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
  g_assert_cmpstr (err, ==, "");
}

int
main (int   argc,
      char *argv[])
{
  poste_test_init (&argc, &argv);

  g_test_add ("/run/reload-stop", Fixture, NULL, fixture_setup, test_run_reload_stop,
              fixture_teardown);
  g_test_add ("/run/stop-in-session", Fixture, NULL, fixture_setup, test_run_stop_in_session,
              fixture_teardown);
  g_test_add ("/run/on-demand", Fixture, NULL, fixture_setup, test_run_on_demand,
              fixture_teardown);
  g_test_add ("/run/no-config", Fixture, NULL, fixture_setup, test_run_no_config,
              fixture_teardown);
  g_test_add ("/run/time-prefix", Fixture, NULL, fixture_setup, test_run_time_prefix,
              fixture_teardown);
  g_test_add ("/run/systemd-unit", Fixture, NULL, fixture_setup, test_run_systemd_unit,
              fixture_teardown);
  return g_test_run ();
}
