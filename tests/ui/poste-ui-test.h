/* poste-ui-test.h: what the UI test programs share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

void poste_ui_test_init (int    *argc,
                         char ***argv,
                         const char *name);

void        poste_ui_test_add_system_icons (void);
void        poste_ui_test_iterate_until    (gboolean   (*done) (gpointer data),
                                            gpointer     data);
void        poste_ui_test_iterate_pending  (void);
void        poste_ui_test_wait_for_drawn   (GtkWindow   *window);
void        poste_ui_test_destroy_and_finalize (GtkWindow *window);
gulong      poste_ui_test_count_notify     (gpointer     object,
                                            const char  *property,
                                            guint       *counter);
GPtrArray  *poste_ui_test_find_descendants (GtkWidget   *widget,
                                            GType        type);
GtkWindow  *poste_ui_test_find_app_window (GtkApplication *app,
                                           GType           type);
GtkWidget  *poste_ui_test_find_row        (GtkWidget   *root,
                                            GType        type,
                                            const char  *title);
void        poste_ui_test_set_row_text     (GtkWidget   *root,
                                            const char  *title,
                                            const char  *text);
GtkWidget  *poste_ui_test_find_button      (GtkWidget   *root,
                                            const char  *action_name,
                                            const char  *target);
GtkWindow  *poste_ui_test_find_toplevel    (GType        type);
gboolean    poste_ui_test_toplevel_shown   (gpointer     data);
GdkTexture *poste_ui_test_render_widget    (GtkWidget   *widget);
guint       poste_ui_test_count_colours    (GdkTexture  *texture);
char       *poste_ui_test_save_screenshot  (GdkTexture  *texture,
                                            const char  *name);

char       *poste_ui_test_accessible_property (GtkWidget             *widget,
                                               GtkAccessibleProperty  property);
GPtrArray  *poste_ui_test_accessible_relation (GtkWidget             *widget,
                                               GtkAccessibleRelation  relation,
                                               GPtrArray             *candidates);
char       *poste_ui_test_accessible_name     (GtkWidget             *widget);
gboolean    poste_ui_test_accessible_state_is (GtkWidget             *widget,
                                               GtkAccessibleState     state,
                                               int                    value);

G_END_DECLS
