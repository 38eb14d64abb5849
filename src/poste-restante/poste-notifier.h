/* poste-notifier.h: desktop notifications through libnotify
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "poste-app-types.h"

G_BEGIN_DECLS


#define POSTE_TYPE_NOTIFIER (poste_notifier_get_type ())
G_DECLARE_FINAL_TYPE (PosteNotifier, poste_notifier, POSTE, NOTIFIER, GObject)

PosteNotifier   *poste_notifier_new            (PosteApplication *application);

G_END_DECLS
