/* poste-active-window.h: when automatic fetches may run (active-hours=, active-days=)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * PosteActiveWindow:
 * @start: the minute of the day (0 to 1439, local time) the window opens
 * @end: the minute of the day it closes; @end <= @start wraps past midnight, and @end == @start
 *   means the whole day
 * @days: the days a window may open on, bit 0 for Monday to bit 6 for Sunday
 *
 * When automatic fetches may run, read from a provider's "active-hours" ("08:00-19:00") and
 * "active-days" ("mon;tue;wed;thu;fri") keys. A window that wraps past midnight belongs to the day
 * it opens on.
 */
typedef struct
{
  guint start;
  guint end;
  guint days;
} PosteActiveWindow;

#define POSTE_ACTIVE_WINDOW_ALL_DAYS 0x7f

gboolean poste_active_window_parse    (const char         *hours,
                                       const char         *days,
                                       PosteActiveWindow  *window,
                                       GError            **error);
gboolean poste_active_window_contains (const PosteActiveWindow *window,
                                       GDateTime               *time);
GDateTime *poste_active_window_next_open (const PosteActiveWindow *window,
                                          GDateTime               *time);

G_END_DECLS
