/* poste-test-cli.c: the built poste-restante-cli, as the end-to-end tests start it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Where the binary is, the argument vector every test gives it (--config first), the world it
 * runs in (private folders, no session bus, no display), running it to its end, and the two files
 * a configuration for it needs. What the tests differ in stays with them: the pipes, the
 * environment they add (the fault layer, libsecret's file backend) and how they judge the run.
 */
#include "config.h"

#include "poste-test.h"
#include "poste-test-cli.h"

/**
 * poste_test_cli_path:
 *
 * Returns: (transfer full): the path of the poste-restante-cli in the build tree
 */
char *
poste_test_cli_path (void)
{
  return g_build_filename (poste_test_build_root (), "src", "poste-restante-cli",
                           "poste-restante-cli", NULL);
}

/**
 * poste_test_cli_argv:
 * @config: the configuration file given with --config
 * @first: (nullable): the first argument after it
 * @args: the further arguments, up to a %NULL
 *
 * Returns: (transfer full) (element-type utf8): the argument vector, %NULL-terminated, for
 *   g_subprocess_launcher_spawnv(): the CLI's path, --config @config, then the arguments
 */
GPtrArray *
poste_test_cli_argv (const char *config,
                     const char *first,
                     va_list     args)
{
  GPtrArray *argv = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (argv, poste_test_cli_path ());
  g_ptr_array_add (argv, g_strdup ("--config"));
  g_ptr_array_add (argv, g_strdup (config));
  for (const char *a = first; a != NULL; a = va_arg (args, const char *))
    g_ptr_array_add (argv, g_strdup (a));
  g_ptr_array_add (argv, NULL);
  return argv;
}

/**
 * poste_test_cli_launcher_new:
 * @flags: the pipes the test wants
 *
 * A launcher for the CLI in the test's world: the private HOME and XDG folders of
 * poste_test_launcher_set_private_dirs(), a session bus address where no bus is (so that no
 * keyring or notification daemon of the machine answers) and no display.
 *
 * Returns: (transfer full): the launcher, for the test to add its own environment to
 */
GSubprocessLauncher *
poste_test_cli_launcher_new (GSubprocessFlags flags)
{
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (flags);

  poste_test_launcher_set_private_dirs (launcher);
  g_subprocess_launcher_setenv (launcher, "DBUS_SESSION_BUS_ADDRESS",
                                "unix:path=/nonexistent/poste-test-bus", TRUE);
  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  return launcher;
}

/**
 * poste_test_cli_communicate:
 * @launcher: from poste_test_cli_launcher_new() with %G_SUBPROCESS_FLAGS_STDOUT_PIPE and
 *   %G_SUBPROCESS_FLAGS_STDERR_PIPE, and %G_SUBPROCESS_FLAGS_STDIN_PIPE when @input is given
 * @argv: (element-type utf8): from poste_test_cli_argv()
 * @input: (nullable): what the CLI reads on its standard input
 * @out: (inout) (transfer full): freed, then what the CLI wrote on its standard output
 * @err: (inout) (transfer full): freed, then what it wrote on its standard error
 * @error: the error of g_subprocess_communicate_utf8(), for the caller to judge
 *
 * Starts the CLI (that it starts is asserted) and waits for it to end.
 *
 * Returns: (transfer full): the process, to read its exit status from
 */
GSubprocess *
poste_test_cli_communicate (GSubprocessLauncher  *launcher,
                            GPtrArray            *argv,
                            const char           *input,
                            char                **out,
                            char                **err,
                            GError              **error)
{
  g_autoptr(GError) spawn_error = NULL;
  GSubprocess *process;

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata,
                                          &spawn_error);
  g_assert_no_error (spawn_error);
  g_clear_pointer (out, g_free);
  g_clear_pointer (err, g_free);
  g_subprocess_communicate_utf8 (process, input, NULL, out, err, error);
  return process;
}

/**
 * poste_test_cli_prepare_files:
 * @dir: the test's folder
 * @password: the provider's password
 * @config: (out) (transfer full): DIR/poste-restante.conf, for the test to write
 * @password_file: (out) (transfer full): DIR/password, written with @password and a line end,
 *   mode 0600 as the CLI requires of a password file
 */
void
poste_test_cli_prepare_files (const char  *dir,
                              const char  *password,
                              char       **config,
                              char       **password_file)
{
  g_autofree char *line = g_strconcat (password, "\n", NULL);

  *config = g_build_filename (dir, "poste-restante.conf", NULL);
  *password_file = g_build_filename (dir, "password", NULL);
  g_assert_true (g_file_set_contents_full (*password_file, line, -1,
                                           G_FILE_SET_CONTENTS_CONSISTENT, 0600, NULL));
}
