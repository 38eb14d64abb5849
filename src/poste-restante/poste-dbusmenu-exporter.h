/* poste-dbusmenu-exporter.h: a GMenuModel exported as com.canonical.dbusmenu
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define POSTE_TYPE_DBUSMENU_EXPORTER (poste_dbusmenu_exporter_get_type ())
G_DECLARE_FINAL_TYPE (PosteDbusmenuExporter, poste_dbusmenu_exporter, POSTE, DBUSMENU_EXPORTER,
                      GObject)

PosteDbusmenuExporter *poste_dbusmenu_exporter_new                (GMenuModel            *model);
void                   poste_dbusmenu_exporter_insert_action_group (PosteDbusmenuExporter *self,
                                                                    const char            *prefix,
                                                                    GActionGroup          *group);
gboolean               poste_dbusmenu_exporter_export             (PosteDbusmenuExporter *self,
                                                                    GDBusConnection       *connection,
                                                                    const char            *object_path,
                                                                    GError               **error);

G_END_DECLS
