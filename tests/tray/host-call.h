/* host-call.h: a D-Bus call made as a tray host makes it, waited for on the main context
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

GVariant *host_call (GDBusConnection     *connection,
                     const char          *destination,
                     const char          *path,
                     const char          *interface,
                     const char          *method,
                     GVariant            *parameters,
                     const GVariantType  *reply_type,
                     GDBusCallFlags       flags,
                     int                  timeout_msec,
                     GError             **error);

G_END_DECLS
