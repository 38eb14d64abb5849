/* poste-session-report.c: what happened in one session
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "poste-session.h"

G_DEFINE_BOXED_TYPE (PosteSessionReport, poste_session_report,
                     poste_session_report_copy, poste_session_report_free)

/**
 * poste_session_report_new:
 * @provider: the provider's name
 *
 * Returns: (transfer full): an empty report (outcome %POSTE_SESSION_OUTCOME_NONE, started now,
 *   an empty transcript)
 */
PosteSessionReport *
poste_session_report_new (const char *provider)
{
  PosteSessionReport *report = g_new0 (PosteSessionReport, 1);

  report->provider = g_strdup (provider != NULL ? provider : "");
  report->started = g_date_time_new_now_utc ();
  report->outcome = POSTE_SESSION_OUTCOME_NONE;
  report->transcript = g_ptr_array_new_with_free_func (g_free);
  report->sessions = g_ptr_array_new_with_free_func ((GDestroyNotify) poste_session_report_free);
  return report;
}

/**
 * poste_session_report_copy:
 * @report: a report
 *
 * Returns: (transfer full): a deep copy of @report
 */
PosteSessionReport *
poste_session_report_copy (const PosteSessionReport *report)
{
  PosteSessionReport *copy;

  g_return_val_if_fail (report != NULL, NULL);

  copy = g_new0 (PosteSessionReport, 1);
  copy->provider = g_strdup (report->provider);
  copy->started = report->started != NULL ? g_date_time_ref (report->started) : NULL;
  copy->duration = report->duration;
  copy->outcome = report->outcome;
  copy->last_state = report->last_state;
  copy->error = report->error != NULL ? g_error_copy (report->error) : NULL;
  copy->messages = report->messages;
  copy->refused = report->refused;
  copy->deferred = report->deferred;
  copy->returned = report->returned;
  copy->bytes = report->bytes;
  copy->submitted = report->submitted;
  copy->send_deferred = report->send_deferred;
  copy->send_returned = report->send_returned;
  copy->tls = g_strdup (report->tls);
  copy->mechanism = g_strdup (report->mechanism);
  copy->transcript = g_ptr_array_new_full (report->transcript != NULL ? report->transcript->len : 0,
                                           g_free);
  for (guint i = 0; report->transcript != NULL && i < report->transcript->len; i++)
    g_ptr_array_add (copy->transcript, g_strdup (report->transcript->pdata[i]));
  copy->sessions = g_ptr_array_new_with_free_func ((GDestroyNotify) poste_session_report_free);
  for (guint i = 0; report->sessions != NULL && i < report->sessions->len; i++)
    g_ptr_array_add (copy->sessions, poste_session_report_copy (report->sessions->pdata[i]));
  return copy;
}

/**
 * poste_session_report_free:
 * @report: (transfer full) (nullable): a report
 */
void
poste_session_report_free (PosteSessionReport *report)
{
  if (report == NULL)
    return;
  g_free (report->provider);
  g_clear_pointer (&report->started, g_date_time_unref);
  g_clear_error (&report->error);
  g_free (report->tls);
  g_free (report->mechanism);
  g_clear_pointer (&report->transcript, g_ptr_array_unref);
  g_clear_pointer (&report->sessions, g_ptr_array_unref);
  g_free (report);
}

/**
 * poste_session_report_describe_outbox:
 * @report: the report of a fetch round
 *
 * What the round did with the outbox, for the history and the summaries: "2 sent, 1 deferred,
 * 0 returned" (@report's submitted, send_deferred and send_returned; see
 * poste_outbox_counts_add_to_report()), translated. All three are given as soon as one is not
 * zero, so that a reader never has to guess what a missing one means.
 *
 * Returns: (transfer full) (nullable): the description, or %NULL when the round neither sent nor
 *   tried to send anything
 */
char *
poste_session_report_describe_outbox (const PosteSessionReport *report)
{
  g_autoptr(GString) text = g_string_new (NULL);

  g_return_val_if_fail (report != NULL, NULL);

  if (report->submitted == 0 && report->send_deferred == 0 && report->send_returned == 0)
    return NULL;
  /* Translators: outgoing messages a fetch round handed to the provider's relay */
  g_string_append_printf (text, ngettext ("%u sent", "%u sent", report->submitted),
                          report->submitted);
  g_string_append (text, ", ");
  /* Translators: outgoing messages the relay refused for now; they stay in the outbox */
  g_string_append_printf (text, ngettext ("%u deferred", "%u deferred", report->send_deferred),
                          report->send_deferred);
  g_string_append (text, ", ");
  /* Translators: outgoing messages the relay refused for good; they go back to the sender */
  g_string_append_printf (text, ngettext ("%u returned", "%u returned", report->send_returned),
                          report->send_returned);
  return g_string_free (g_steal_pointer (&text), FALSE);
}
