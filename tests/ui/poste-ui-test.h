/* poste-ui-test.h: what the UI test programs share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

void poste_ui_test_init (int    *argc,
                         char ***argv,
                         const char *name);

G_END_DECLS
