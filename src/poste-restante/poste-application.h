/* poste-application.h: the Poste Restante application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>
#include <poste-types.h>

#include "poste-app-types.h"

G_BEGIN_DECLS

#define POSTE_TYPE_APPLICATION (poste_application_get_type ())

G_DECLARE_FINAL_TYPE (PosteApplication, poste_application, POSTE, APPLICATION, AdwApplication)

PosteApplication *poste_application_new                    (const char        *application_id,
                                                            GApplicationFlags  flags);
GSettings        *poste_application_get_settings           (PosteApplication  *self);
gboolean          poste_application_get_run_in_background  (PosteApplication  *self);
void              poste_application_set_run_in_background  (PosteApplication  *self,
                                                            gboolean           run_in_background);
PosteWindow      *poste_application_get_main_window        (PosteApplication  *self);
PosteConfig      *poste_application_get_config             (PosteApplication  *self);
const GError     *poste_application_get_config_error       (PosteApplication  *self);
gboolean          poste_application_save_config            (PosteApplication  *self,
                                                            GError           **error);
void              poste_application_provider_changed       (PosteApplication  *self,
                                                            const char        *name);
gboolean          poste_application_pin_certificate        (PosteApplication  *self,
                                                            const char        *name,
                                                            const char        *sha256,
                                                            GError           **error);
PosteScheduler   *poste_application_get_scheduler          (PosteApplication  *self);
PosteHistory     *poste_application_get_history            (PosteApplication  *self);
PosteTray        *poste_application_get_tray               (PosteApplication  *self);
gboolean          poste_application_refresh_outbox         (PosteApplication  *self);
void              poste_application_offer_start_at_login   (PosteApplication  *self,
                                                            PosteProvider     *added);
void              poste_application_fetch                  (PosteApplication  *self,
                                                            const char        *name);
void              poste_application_stop                   (PosteApplication  *self,
                                                            const char        *name);
PosteSession     *poste_application_get_session            (PosteApplication  *self,
                                                            const char        *name);
GPtrArray        *poste_application_dup_sessions           (PosteApplication  *self);
const PosteSessionReport *
                  poste_application_get_last_report        (PosteApplication  *self,
                                                            const char        *name);

G_END_DECLS
