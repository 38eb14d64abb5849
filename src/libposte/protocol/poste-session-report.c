/* poste-session-report.c: what happened in one session
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "poste-error.h"
#include "poste-channel.h"
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

/**
 * poste_session_report_dup_returned_reason:
 * @report: a session report, or the report of a fetch round (its sessions are looked at too)
 *
 * Why the first message answered 5xx was refused: the reply it got, "550 5.1.1 No such user"
 * for a local MTA's refusal or "550 5.6.0 ..." for our own line-end policy. The provider returns
 * such a message to its sender (RFC 5321 section 6.1), so front ends say "returned to the sender
 * by the provider" with this reason, never "left with the provider". Found in the transcript,
 * so records read back from the history have it too.
 *
 * Returns: (transfer full) (nullable): the reason, printable, or %NULL when nothing was returned
 *   or the transcript left it out
 */
char *
poste_session_report_dup_returned_reason (const PosteSessionReport *report)
{
  static const char prefix[] = "*  " POSTE_CHANNEL_NOTE_RETURNED;

  g_return_val_if_fail (report != NULL, NULL);

  for (guint i = 0; report->transcript != NULL && i < report->transcript->len; i++)
    {
      const char *line = report->transcript->pdata[i];

      if (g_str_has_prefix (line, prefix))
        return g_strdup (line + strlen (prefix));
    }
  for (guint i = 0; report->sessions != NULL && i < report->sessions->len; i++)
    {
      char *reason = poste_session_report_dup_returned_reason (report->sessions->pdata[i]);

      if (reason != NULL)
        return reason;
    }
  return NULL;
}

/**
 * poste_session_report_did_work:
 * @report: a session report, or the report of a fetch round
 *
 * Returns: whether the round moved mail: messages delivered, outbox messages the relay accepted,
 *   or (ETRN) a provider that started delivery to the customer's MTA. A round that only sent mail
 *   did work, though it fetched none.
 */
gboolean
poste_session_report_did_work (const PosteSessionReport *report)
{
  g_return_val_if_fail (report != NULL, FALSE);

  return report->messages > 0 || report->submitted > 0 ||
         report->outcome == POSTE_SESSION_OUTCOME_STARTED;
}

/**
 * poste_session_report_get_exit_status:
 * @report: a session report, or the report of a fetch round
 *
 * The command-line exit status for what @report tells (fetchmail's convention, #PosteExitStatus):
 * the status of the error (poste_exit_status_for_error(); a Stop is %POSTE_EXIT_NETWORK) when it
 * failed, else %POSTE_EXIT_MAIL when it did work (poste_session_report_did_work()), else
 * %POSTE_EXIT_DELIVERY when messages were only refused for good (5xx: the provider returns them
 * to their senders, which is not "no mail": the user should look at why), else
 * %POSTE_EXIT_NO_MAIL. The outbox's own failures (a %POSTE_OUTBOX_ERROR) are told in the summary
 * and the record, not in the status: the fetch itself went well.
 *
 * Returns: the #PosteExitStatus
 */
PosteExitStatus
poste_session_report_get_exit_status (const PosteSessionReport *report)
{
  g_return_val_if_fail (report != NULL, POSTE_EXIT_PROTOCOL);

  if (report->error != NULL && report->error->domain != POSTE_OUTBOX_ERROR)
    return poste_exit_status_for_error (report->error);
  if (report->outcome == POSTE_SESSION_OUTCOME_CANCELLED)
    return POSTE_EXIT_NETWORK;
  if (poste_session_report_did_work (report))
    return POSTE_EXIT_MAIL;
  if (report->returned > 0)
    return POSTE_EXIT_DELIVERY;
  return POSTE_EXIT_NO_MAIL;
}
