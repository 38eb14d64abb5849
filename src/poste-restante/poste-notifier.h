/* poste-notifier.h: desktop notifications through libnotify
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "poste-app-types.h"

G_BEGIN_DECLS

/**
 * PosteNotifyKind:
 * @POSTE_NOTIFY_KIND_NONE: nothing to tell (success, or the user stopped the session)
 * @POSTE_NOTIFY_KIND_AUTH: the provider refused the credentials, or there is no password
 * @POSTE_NOTIFY_KIND_CERTIFICATE: the provider's certificate changed or cannot be trusted
 * @POSTE_NOTIFY_KIND_DELIVERY: the local delivery target took nothing (the provider keeps it)
 * @POSTE_NOTIFY_KIND_CONFIG: the provider's settings do not allow a session (no TLS offered, no
 *   ODMR at the provider, an unusable setting)
 * @POSTE_NOTIFY_KIND_TRANSIENT: a failure that may go away by itself (network, timeout, 450, 451)
 *
 * What a failed fetch means for the user, and so which notification it gets.
 */
typedef enum {
  POSTE_NOTIFY_KIND_NONE,
  POSTE_NOTIFY_KIND_AUTH,
  POSTE_NOTIFY_KIND_CERTIFICATE,
  POSTE_NOTIFY_KIND_DELIVERY,
  POSTE_NOTIFY_KIND_CONFIG,
  POSTE_NOTIFY_KIND_TRANSIENT,
} PosteNotifyKind;

#define POSTE_TYPE_NOTIFIER (poste_notifier_get_type ())
G_DECLARE_FINAL_TYPE (PosteNotifier, poste_notifier, POSTE, NOTIFIER, GObject)

PosteNotifier   *poste_notifier_new            (PosteApplication *application);
PosteNotifyKind  poste_notifier_classify_error (const GError     *error);

G_END_DECLS
