/* poste-clock.h: the time source of the scheduler, real or driven by hand
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * PosteClockFunc:
 * @user_data: what was given to poste_clock_add_timeout()
 *
 * Called once when a timeout's deadline has come. The timeout is already gone when this runs: do
 * not remove it.
 */
typedef void (*PosteClockFunc) (gpointer user_data);

#define POSTE_TYPE_CLOCK (poste_clock_get_type ())
G_DECLARE_FINAL_TYPE (PosteClock, poste_clock, POSTE, CLOCK, GObject)

PosteClock *poste_clock_new                (void);
PosteClock *poste_clock_new_manual         (GDateTime      *start,
                                            guint32         seed);
gboolean    poste_clock_is_manual          (PosteClock     *self);
gint64      poste_clock_get_monotonic      (PosteClock     *self);
GDateTime  *poste_clock_get_wall           (PosteClock     *self);
GRand      *poste_clock_new_rand           (PosteClock     *self);
guint       poste_clock_add_timeout        (PosteClock     *self,
                                            gint64          deadline,
                                            PosteClockFunc  func,
                                            gpointer        user_data);
void        poste_clock_remove_timeout     (PosteClock     *self,
                                            guint           id);
guint       poste_clock_get_n_timeouts     (PosteClock     *self);
gint64      poste_clock_get_next_deadline  (PosteClock     *self);

/* Manual clocks only. */
void        poste_clock_advance            (PosteClock     *self,
                                            gint64          microseconds);
gboolean    poste_clock_advance_to_next    (PosteClock     *self);

G_END_DECLS
