/* tray-host.h: the desktop around the application for test-tray, on a connection of its own
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "dbusmenu-reader.h"

G_BEGIN_DECLS

/* What dbusmock has recorded: (summary, body, actions) of every Notify call. */
typedef struct {
  char  *summary;
  char  *body;
  GStrv  actions;
  guint  urgency;  /* the "urgency" hint: 0 low, 1 normal, 2 critical; 1 when not given */
} TrayHostNotification;

void                        tray_host_start                (void);
void                        tray_host_stop                 (void);
void                        tray_host_start_watcher        (void);
void                        tray_host_stop_watcher         (void);
GPtrArray                  *tray_host_get_registrations    (void);
const char                 *tray_host_get_item_owner       (void);

GVariant                   *tray_host_call                 (const char         *destination,
                                                            const char         *path,
                                                            const char         *interface,
                                                            const char         *method,
                                                            GVariant           *parameters,
                                                            const GVariantType *reply_type);
GVariant                   *tray_host_item_property        (const char         *name);
char                       *tray_host_item_string          (const char         *name);
char                       *tray_host_item_tooltip         (void);
GArray                     *tray_host_get_menu             (void);
void                        tray_host_click                (const char         *label);
GArray                     *tray_host_get_notifications    (void);
guint                       tray_host_count_notifications  (GArray             *notifications,
                                                            const char         *summary);
const TrayHostNotification *tray_host_last_notification    (GArray             *notifications,
                                                            const char         *summary);

G_END_DECLS
