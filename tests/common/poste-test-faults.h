/* poste-test-faults.h: running a program under the fault layer (poste-fault-shim) and reading
 * what it recorded
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

void       poste_test_launcher_set_faults  (GSubprocessLauncher *launcher,
                                            const char          *log,
                                            const char          *rules);
GPtrArray *poste_test_fault_log_read       (const char          *log);
int        poste_test_fault_log_find       (GPtrArray           *lines,
                                            guint                from,
                                            const char          *pattern);
int        poste_test_fault_log_assert_order (GPtrArray         *lines,
                                            const char * const  *patterns);
int        poste_test_fault_log_reply_after (GPtrArray          *lines,
                                            int                  from);
int        poste_test_fault_log_data_started (GPtrArray       *lines);
void       poste_test_outbox_dirs          (char               **tmp,
                                            char               **queue);
GStrv      poste_test_outbox_sync_order    (const char          *first,
                                            const char          *tmp,
                                            const char          *queue);

G_END_DECLS
