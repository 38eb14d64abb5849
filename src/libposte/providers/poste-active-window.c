/* poste-active-window.c: when automatic fetches may run (active-hours=, active-days=)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The one description of a provider's active window: the configuration checks its keys with
 * poste_active_window_parse(), the scheduler reads them with it, and the editor builds the text
 * it parses.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "poste-active-window.h"
#include "poste-error.h"

static gboolean
parse_hh_mm (const char **p,
             guint        max_hour,
             guint       *minutes)
{
  const char *s = *p;
  guint hour = 0, minute = 0, digits = 0;

  while (g_ascii_isdigit (*s) && digits < 2)
    hour = hour * 10 + (guint) (*s++ - '0'), digits++;
  if (digits == 0 || *s++ != ':')
    return FALSE;
  if (!g_ascii_isdigit (s[0]) || !g_ascii_isdigit (s[1]))
    return FALSE;
  minute = (guint) (s[0] - '0') * 10 + (guint) (s[1] - '0');
  s += 2;
  if (hour > max_hour || minute > 59 || (hour == 24 && minute != 0))
    return FALSE;
  *minutes = (hour * 60 + minute) % (24 * 60);
  *p = s;
  return TRUE;
}

static int
day_from_name (const char *name)
{
  static const char * const days[] = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
  };
  g_autofree char *lower = g_ascii_strdown (name, -1);

  for (guint i = 0; i < G_N_ELEMENTS (days); i++)
    if (strlen (lower) >= 3 && g_str_has_prefix (days[i], lower))
      return (int) i;
  return -1;
}

/**
 * poste_active_window_parse:
 * @hours: (nullable): the "active-hours" text: "HH:MM-HH:MM" in local time ("22:00-06:00" wraps
 *   past midnight, "24:00" may end a window), or %NULL or "" for all day
 * @days: (nullable): the "active-days" text: day names ("mon", "tuesday", case does not matter)
 *   and ranges ("mon-fri") separated by ';' or ',', or %NULL or "" for every day
 * @window: (out caller-allocates): the window
 * @error: a #GError, or %NULL
 *
 * Reads a provider's active window. The configuration's validation uses this too, so that the
 * scheduler never sees a window it cannot read.
 *
 * Returns: %TRUE on success; %FALSE with %POSTE_CONFIG_ERROR_INVALID_VALUE when a value is not
 *   well formed, names an unknown day, or leaves no day at all
 */
gboolean
poste_active_window_parse (const char         *hours,
                           const char         *days,
                           PosteActiveWindow  *window,
                           GError            **error)
{
  PosteActiveWindow parsed = { 0, 0, POSTE_ACTIVE_WINDOW_ALL_DAYS };

  g_return_val_if_fail (window != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (hours != NULL && hours[0] != '\0')
    {
      g_autofree char *copy = g_strstrip (g_strdup (hours));
      const char *p = copy;

      if (!parse_hh_mm (&p, 23, &parsed.start) ||
          *p++ != '-' ||
          !parse_hh_mm (&p, 24, &parsed.end) ||
          *p != '\0')
        {
          g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INVALID_VALUE,
                       _("'%s' is not HH:MM-HH:MM (local time, 00:00 to 23:59)"), hours);
          return FALSE;
        }
    }

  if (days != NULL && days[0] != '\0')
    {
      g_auto(GStrv) items = NULL;

      parsed.days = 0;
      items = g_strsplit_set (days, ";,", -1);
      for (guint i = 0; items[i] != NULL; i++)
        {
          g_auto(GStrv) range = NULL;
          int first, last;

          g_strstrip (items[i]);
          if (items[i][0] == '\0')
            continue;
          range = g_strsplit (items[i], "-", 3);
          first = day_from_name (g_strstrip (range[0]));
          last = range[1] != NULL ? day_from_name (g_strstrip (range[1])) : first;
          if (first < 0 || last < 0 || (range[1] != NULL && range[2] != NULL))
            {
              g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INVALID_VALUE,
                           _("'%s' is not a list of days (mon;tue;wed;thu;fri;sat;sun, or a "
                             "range such as mon-fri): '%s' is not a day"),
                           days, items[i]);
              return FALSE;
            }
          for (int d = first; ; d = (d + 1) % 7)
            {
              parsed.days |= 1u << d;
              if (d == last)
                break;
            }
        }
      if (parsed.days == 0)
        {
          g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INVALID_VALUE,
                       _("'%s' is not a list of days (mon;tue;wed;thu;fri;sat;sun): no day given"),
                       days);
          return FALSE;
        }
    }

  *window = parsed;
  return TRUE;
}

static GDateTime *
at_minute (GTimeZone *tz,
           GDateTime *day,
           guint      minute)
{
  int y, m, d;

  g_date_time_get_ymd (day, &y, &m, &d);
  return g_date_time_new (tz, y, m, d, (int) minute / 60, (int) minute % 60, 0);
}

/**
 * poste_active_window_next_open:
 * @window: a #PosteActiveWindow
 * @time: a wall time, in the time zone the window is meant in
 *
 * Returns: (transfer full) (nullable): @time itself when it is inside @window, otherwise the next
 *   time @window opens (in @time's zone); %NULL only for a window with no day
 */
GDateTime *
poste_active_window_next_open (const PosteActiveWindow *window,
                               GDateTime               *time)
{
  GTimeZone *tz;

  g_return_val_if_fail (window != NULL, NULL);
  g_return_val_if_fail (time != NULL, NULL);

  tz = g_date_time_get_timezone (time);

  /* The window opening the day before may still be open (wrapping past midnight); a week and a
   * day ahead always reaches an allowed day. */
  for (int offset = -1; offset <= 8; offset++)
    {
      g_autoptr(GDateTime) day = g_date_time_add_days (time, offset);
      g_autoptr(GDateTime) open = NULL;
      g_autoptr(GDateTime) close = NULL;
      int weekday;

      if (day == NULL)
        return NULL;
      weekday = g_date_time_get_day_of_week (day) - 1;
      if ((window->days & (1u << weekday)) == 0)
        continue;

      open = at_minute (tz, day, window->start);
      if (window->end > window->start)
        close = at_minute (tz, day, window->end);
      else
        {
          g_autoptr(GDateTime) next_day = g_date_time_add_days (day, 1);

          close = at_minute (tz, next_day, window->end);
        }
      if (open == NULL || close == NULL)
        continue;

      if (g_date_time_compare (time, close) >= 0)
        continue;
      if (g_date_time_compare (time, open) >= 0)
        return g_date_time_ref (time);
      return g_steal_pointer (&open);
    }
  return NULL;
}

/**
 * poste_active_window_contains:
 * @window: a #PosteActiveWindow
 * @time: a wall time
 *
 * Returns: %TRUE when automatic fetches may run at @time
 */
gboolean
poste_active_window_contains (const PosteActiveWindow *window,
                              GDateTime               *time)
{
  g_autoptr(GDateTime) open = poste_active_window_next_open (window, time);

  return open != NULL && g_date_time_equal (open, time);
}

/* Entries */

