/* poste-test-cli.h: the built poste-restante-cli, as the end-to-end tests start it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

char      *poste_test_cli_path          (void);
GPtrArray *poste_test_cli_argv          (const char  *config,
                                         const char  *first,
                                         va_list      args);
GSubprocessLauncher *poste_test_cli_launcher_new (GSubprocessFlags   flags);
GSubprocess *poste_test_cli_communicate (GSubprocessLauncher  *launcher,
                                         GPtrArray            *argv,
                                         const char           *input,
                                         char                **out,
                                         char                **err,
                                         GError              **error);
void       poste_test_cli_prepare_files (const char  *dir,
                                         const char  *password,
                                         char       **config,
                                         char       **password_file);

G_END_DECLS
