/* poste-schedule-group.h: when a provider fetches, in the provider editor
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define POSTE_TYPE_SCHEDULE_GROUP (poste_schedule_group_get_type ())

G_DECLARE_FINAL_TYPE (PosteScheduleGroup, poste_schedule_group, POSTE, SCHEDULE_GROUP, AdwPreferencesGroup)

void        poste_schedule_group_load             (PosteScheduleGroup  *self,
                                                   guint                interval,
                                                   const char          *active_hours,
                                                   const char          *active_days);
guint       poste_schedule_group_get_interval     (PosteScheduleGroup  *self);
const char *poste_schedule_group_get_active_hours (PosteScheduleGroup  *self);
const char *poste_schedule_group_get_active_days  (PosteScheduleGroup  *self);
gboolean    poste_schedule_group_check            (PosteScheduleGroup  *self,
                                                   GError             **error);

G_END_DECLS
