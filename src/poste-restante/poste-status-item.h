/* poste-status-item.h: an org.kde.StatusNotifierItem on the bus, registered with the watcher
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define POSTE_TYPE_STATUS_ITEM (poste_status_item_get_type ())
G_DECLARE_FINAL_TYPE (PosteStatusItem, poste_status_item, POSTE, STATUS_ITEM, GObject)

PosteStatusItem *poste_status_item_new                   (const char         *id,
                                                          const char         *category,
                                                          const char         *title);
void             poste_status_item_set_icon_theme_path   (PosteStatusItem    *self,
                                                          const char         *path);
void             poste_status_item_set_menu              (PosteStatusItem    *self,
                                                          const char         *object_path);
void             poste_status_item_set_icon              (PosteStatusItem    *self,
                                                          const char         *icon_name,
                                                          GVariant           *pixmaps);
void             poste_status_item_set_attention_icon    (PosteStatusItem    *self,
                                                          const char         *icon_name,
                                                          GVariant           *pixmaps);
void             poste_status_item_set_status            (PosteStatusItem    *self,
                                                          const char         *status);
void             poste_status_item_set_tool_tip          (PosteStatusItem    *self,
                                                          const char         *icon_name,
                                                          const char         *title,
                                                          const char         *description);
gboolean         poste_status_item_export                (PosteStatusItem    *self,
                                                          GDBusConnection    *connection,
                                                          const char         *object_path,
                                                          GError            **error);
gboolean         poste_status_item_get_registered        (PosteStatusItem    *self);
GVariant        *poste_status_item_load_pixmaps          (const char * const *resource_paths);

G_END_DECLS
