/* poste-test.h: what every test program shares
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

void        poste_test_init        (int          *argc,
                                    char       ***argv);
char       *poste_test_make_dir    (const char   *name);
const char *poste_test_source_root (void);
const char *poste_test_build_root  (void);
guint       poste_test_count_entries (const char *dir);
void        poste_test_launcher_set_private_dirs (GSubprocessLauncher *launcher);
gboolean    poste_test_in_ci       (void);
void        poste_test_missing     (const char   *what);
void        poste_test_missing_program (const char *what) G_GNUC_NORETURN;
GSocketConnection *poste_test_socket_connection_new (int fd);
guint16     poste_test_read_listening_port (GSubprocess *tool);
char       *poste_test_mount_small_tmpfs (void);
void        poste_test_store_result (GObject      *object,
                                     GAsyncResult *result,
                                     gpointer      user_data);
GAsyncResult *poste_test_await_result (GAsyncResult **slot);
void        poste_test_append_provider_group (GString    *text,
                                              const char *name,
                                              guint16     port,
                                              const char *domains,
                                              const char *maildir,
                                              guint       interval,
                                              const char *ca_file,
                                              const char *password_file);

G_END_DECLS
