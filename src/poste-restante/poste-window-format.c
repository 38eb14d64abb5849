/* poste-window-format.c: the words and times the main window and its rows show
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One place for how a session, its outcome and its times are worded, so that a provider's row,
 * a running session, the history and the window's toasts say the same thing the same way.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "poste-window-format.h"

/**
 * _poste_window_format_when:
 * @time: (nullable): a time
 *
 * Says when @time is, for a provider's row: the time alone today, with the date otherwise.
 *
 * Returns: (transfer full): the text, empty for %NULL
 */
char *
_poste_window_format_when (GDateTime *time)
{
  g_autoptr(GDateTime) local = NULL;
  g_autoptr(GDateTime) now = NULL;

  if (time == NULL)
    return g_strdup ("");

  local = g_date_time_to_local (time);
  now = g_date_time_new_now_local ();

  if (g_date_time_get_year (local) == g_date_time_get_year (now) &&
      g_date_time_get_day_of_year (local) == g_date_time_get_day_of_year (now))
    return g_date_time_format (local, "%H:%M");

  /* Translators: a date and time in the past or future, see g_date_time_format() */
  return g_date_time_format (local, _("%e %b, %H:%M"));
}

/**
 * _poste_window_format_date_time:
 * @time: (nullable): when a session started
 *
 * Says when a session in the history started: always with its date, since a record is read
 * long after.
 *
 * Returns: (transfer full): the text, empty for %NULL
 */
char *
_poste_window_format_date_time (GDateTime *time)
{
  g_autoptr(GDateTime) local = NULL;

  if (time == NULL)
    return g_strdup ("");
  local = g_date_time_to_local (time);
  /* Translators: the date and time a session in the history started, see g_date_time_format() */
  return g_date_time_format (local, _("%e %b %Y, %H:%M"));
}

/**
 * _poste_window_format_messages:
 * @messages: how many messages
 * @bytes: their size, in bytes
 *
 * Returns: (transfer full): "<n> messages, <size>"
 */
char *
_poste_window_format_messages (guint   messages,
                               guint64 bytes)
{
  g_autofree char *size = g_format_size (bytes);

  return g_strdup_printf (ngettext ("%u message, %s", "%u messages, %s", messages), messages, size);
}

/**
 * _poste_window_format_returned:
 * @returned: how many messages were refused for good (5xx)
 *
 * The provider returns those messages to their senders: never "left with the provider", which
 * is only for 4xx.
 *
 * Returns: (transfer full): the text
 */
char *
_poste_window_format_returned (guint returned)
{
  return g_strdup_printf (ngettext ("%u refused, returned to the sender by the provider",
                                    "%u refused, returned to the senders by the provider",
                                    returned),
                          returned);
}

/**
 * poste_window_describe_report:
 * @report: a #PosteSessionReport
 *
 * Says in a few words how a session ended, for a row or a toast.
 *
 * Returns: (transfer full): the description
 */
char *
poste_window_describe_report (const PosteSessionReport *report)
{
  g_return_val_if_fail (report != NULL, NULL);

  switch (report->outcome)
    {
    case POSTE_SESSION_OUTCOME_MAIL:
      if (report->returned > 0)
        {
          g_autofree char *delivered = _poste_window_format_messages (report->messages, report->bytes);
          g_autofree char *returned = _poste_window_format_returned (report->returned);

          /* Translators: "<n> messages, <size>", then "<n> refused, returned to ..." */
          return g_strdup_printf (_("%s; %s"), delivered, returned);
        }
      return _poste_window_format_messages (report->messages, report->bytes);

    case POSTE_SESSION_OUTCOME_NO_MAIL:
      /* Refusals are something the user should see: never just "no mail". */
      if (report->returned > 0)
        return _poste_window_format_returned (report->returned);
      /* A round that only sent mail did work: it is not "no new mail" at a glance. */
      if (report->submitted > 0)
        return g_strdup_printf (ngettext ("%u message sent", "%u messages sent",
                                          report->submitted), report->submitted);
      return g_strdup (_("No new mail"));

    case POSTE_SESSION_OUTCOME_STARTED:
      /* ETRN: the mail goes to the user's own mail server, not through us. */
      return g_strdup (_("The provider started delivery to your mail server"));

    case POSTE_SESSION_OUTCOME_CANCELLED:
      if (report->messages > 0)
        {
          g_autofree char *delivered = _poste_window_format_messages (report->messages, report->bytes);

          /* Translators: %s is "<n> messages, <size>" */
          return g_strdup_printf (_("Stopped after %s"), delivered);
        }
      return g_strdup (_("Stopped"));

    case POSTE_SESSION_OUTCOME_FAILED:
      return g_strdup (report->error != NULL ? report->error->message : _("Failed"));

    case POSTE_SESSION_OUTCOME_NONE:
    default:
      return g_strdup (_("Not finished"));
    }
}
