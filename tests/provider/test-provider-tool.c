/* test-provider-tool.c: the standalone test provider as the demo runs it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The demo keeps its providers running while the application is open: they spool new messages
 * on a timer and on SIGUSR1 (--new-every, --new-count, --new-max), and exit when their standard
 * input closes (--exit-on-eof), so that they never outlive the demo. These tests run the built
 * program and read its output lines, each within a deadline. (tools/demo --no-app fetches the
 * new messages with poste-restante-cli and checks that they arrive.)
 */
#include "config.h"

#include <signal.h>
#include <string.h>

#include "poste-test.h"

#define DEADLINE_SECONDS 20

typedef struct {
  GSubprocess      *process;
  GDataInputStream *out;
  GOutputStream    *in;
} Tool;

static gboolean
deadline_cb (gpointer data)
{
  gboolean *expired = data;

  *expired = TRUE;
  return G_SOURCE_REMOVE;
}

static void
read_line_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  char **line = data;
  g_autoptr(GError) error = NULL;

  *line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result, NULL,
                                                     &error);
  g_assert_no_error (error);
  if (*line == NULL)
    *line = g_strdup ("(end of output)");
}

/* The next line the tool prints, or a test failure when none comes before the deadline. */
static char *
read_line (Tool *tool)
{
  char *line = NULL;
  gboolean expired = FALSE;
  guint deadline = g_timeout_add_seconds (DEADLINE_SECONDS, deadline_cb, &expired);

  g_data_input_stream_read_line_async (tool->out, G_PRIORITY_DEFAULT, NULL, read_line_cb, &line);
  while (line == NULL && !expired)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (expired);
  g_source_remove (deadline);
  return line;
}

static void
wait_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      data)
{
  gboolean *done = data;

  g_assert_true (g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL));
  *done = TRUE;
}

static void
wait_exit (Tool *tool)
{
  gboolean done = FALSE, expired = FALSE;
  guint deadline = g_timeout_add_seconds (DEADLINE_SECONDS, deadline_cb, &expired);

  g_subprocess_wait_async (tool->process, NULL, wait_cb, &done);
  while (!done && !expired)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (expired);
  g_source_remove (deadline);
}

static Tool *
tool_start (const char * const *options)
{
  g_autofree char *program = g_build_filename (poste_test_build_root (), "tests", "provider",
                                               "poste-test-provider", NULL);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;
  g_autoptr(GError) error = NULL;
  Tool *tool = g_new0 (Tool, 1);

  g_strv_builder_add (builder, program);
  g_strv_builder_addv (builder, (const char **) options);
  argv = g_strv_builder_end (builder);
  tool->process = g_subprocess_newv ((const char * const *) argv,
                                     G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                     G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  tool->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (tool->process));
  tool->in = g_subprocess_get_stdin_pipe (tool->process);
  return tool;
}

static void
tool_free (Tool *tool)
{
  if (!g_subprocess_get_if_exited (tool->process) && !g_subprocess_get_if_signaled (tool->process))
    g_subprocess_force_exit (tool->process);
  g_object_unref (tool->out);
  g_object_unref (tool->process);
  g_free (tool);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Tool, tool_free)

static void
expect_line (Tool       *tool,
             const char *expected)
{
  g_autofree char *line = read_line (tool);

  g_assert_cmpstr (line, ==, expected);
}

/* SIGUSR1 spools the next --new-count messages at once, never more than --new-max in all; closing
 * standard input ends the tool, which still holds them all. */
static void
test_new_messages (void)
{
  const char * const options[] = {
    "--account", "demo:secret:example.org", "--new-every", "3600", "--new-count", "2",
    "--new-max", "3", "--exit-on-eof", NULL
  };
  g_autoptr(Tool) tool = tool_start (options);
  g_autofree char *listening = read_line (tool);
  g_autoptr(GError) error = NULL;

  g_assert_true (g_str_has_prefix (listening, "listening on 127.0.0.1:"));

  g_subprocess_send_signal (tool->process, SIGUSR1);
  expect_line (tool, "new 2 (2 in all)");
  g_subprocess_send_signal (tool->process, SIGUSR1);
  expect_line (tool, "new 1 (3 in all)");
  g_subprocess_send_signal (tool->process, SIGUSR1);
  expect_line (tool, "new 0 (3 in all)");

  g_assert_true (g_output_stream_close (tool->in, NULL, &error));
  g_assert_no_error (error);
  expect_line (tool, "spooled 3");
  wait_exit (tool);
  g_assert_true (g_subprocess_get_if_exited (tool->process));
  g_assert_cmpint (g_subprocess_get_exit_status (tool->process), ==, 0);
}

/* The timer spools them too, once a second here. */
static void
test_new_messages_timer (void)
{
  const char * const options[] = {
    "--account", "demo:secret:example.org", "--new-every", "1", "--new-count", "1",
    "--new-max", "2", "--exit-on-eof", NULL
  };
  g_autoptr(Tool) tool = tool_start (options);
  g_autofree char *listening = read_line (tool);
  g_autoptr(GError) error = NULL;

  g_assert_true (g_str_has_prefix (listening, "listening on 127.0.0.1:"));
  expect_line (tool, "new 1 (1 in all)");
  expect_line (tool, "new 1 (2 in all)");
  g_assert_true (g_output_stream_close (tool->in, NULL, &error));
  expect_line (tool, "spooled 2");
  wait_exit (tool);
  g_assert_cmpint (g_subprocess_get_exit_status (tool->process), ==, 0);
}

/* Out-of-range values are refused (status 2) before anything listens. */
static void
test_bad_options (void)
{
  const char * const bad[][3] = {
    { "--new-count", "0", NULL },
    { "--new-every", "-1", NULL },
    { "--new-max", "1000000", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      const char * const options[] = {
        "--account", "demo:secret:example.org", bad[i][0], bad[i][1], NULL
      };
      g_autoptr(Tool) tool = tool_start (options);
      g_autofree char *line = read_line (tool);

      g_assert_cmpstr (line, ==, "(end of output)");
      wait_exit (tool);
      g_assert_true (g_subprocess_get_if_exited (tool->process));
      g_assert_cmpint (g_subprocess_get_exit_status (tool->process), ==, 2);
    }
}

int
main (int   argc,
      char *argv[])
{
  poste_test_init (&argc, &argv);

  g_test_add_func ("/provider-tool/new-messages", test_new_messages);
  g_test_add_func ("/provider-tool/new-messages-timer", test_new_messages_timer);
  g_test_add_func ("/provider-tool/bad-options", test_bad_options);

  return g_test_run ();
}
