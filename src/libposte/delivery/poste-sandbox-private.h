/* poste-sandbox-private.h: a stand-in sandbox for the tests of what the front ends do with it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "poste-sandbox.h"

G_BEGIN_DECLS

void _poste_sandbox_set_default (PosteSandbox *sandbox);
void _poste_sandbox_reset_default (void);

G_END_DECLS
