/* poste-fetch-summary.c: a round's report told in one line (and one for the outbox)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the command line prints and `run` logs after a round: the totals, what the provider kept
 * or returned, where a failing session was, and what the outbox sent.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "poste-error.h"
#include "poste-fetch.h"
#include "poste-outbox.h"

/* Where a session was when the provider hung up or went silent: "The peer closed the
 * connection" alone does not tell a refused login from a dropped delivery. */
static const char *
stage_text (PosteSessionState state)
{
  switch (state)
    {
    case POSTE_SESSION_STATE_CONNECTING:
      return _("while connecting");
    case POSTE_SESSION_STATE_GREETING:
      return _("waiting for the provider's greeting");
    case POSTE_SESSION_STATE_EHLO:
      return _("after EHLO");
    case POSTE_SESSION_STATE_STARTTLS:
      return _("during STARTTLS");
    case POSTE_SESSION_STATE_AUTH:
      return _("during authentication");
    case POSTE_SESSION_STATE_ATRN:
      return _("waiting for the answer to ATRN");
    case POSTE_SESSION_STATE_RECEIVING:
      return _("while receiving mail");
    case POSTE_SESSION_STATE_SUBMITTING:
      return _("while sending the outbox");
    case POSTE_SESSION_STATE_IDLE:
    case POSTE_SESSION_STATE_DONE:
    case POSTE_SESSION_STATE_FAILED:
    default:
      return NULL;
    }
}

/* ", 2 left with the provider, 1 refused, returned to the sender by the provider (550 5.1.1 No
 * such user)" */
static void
append_refusals (GString                  *line,
                 const PosteSessionReport *report,
                 gboolean                  returned)
{
  if (report->deferred > 0)
    g_string_append_printf (line, ngettext (", %u left with the provider",
                                            ", %u left with the provider", report->deferred),
                            report->deferred);
  if (returned && report->returned > 0)
    g_string_append_printf (line, ngettext (", %u refused, returned to the sender by the provider",
                                            ", %u refused, returned to the senders by the provider",
                                            report->returned),
                            report->returned);
  if (report->returned > 0)
    {
      g_autofree char *reason = poste_session_report_dup_returned_reason (report);

      if (reason != NULL)
        g_string_append_printf (line, " (%s)", reason);
    }
}

/* "\nacme: outbox: 2 messages sent, 1 deferred, 1 returned to the sender" */
static void
append_outbox (GString                  *line,
               const PosteSessionReport *report)
{
  const GError *error = report->error != NULL && report->error->domain == POSTE_OUTBOX_ERROR
                          ? report->error : NULL;

  if (report->submitted + report->send_deferred + report->send_returned == 0 && error == NULL)
    return;
  g_string_append_c (line, '\n');
  g_string_append_printf (line, ngettext ("%s: outbox: %u message sent",
                                          "%s: outbox: %u messages sent", report->submitted),
                          report->provider, report->submitted);
  if (report->send_deferred > 0)
    g_string_append_printf (line, _(", %u deferred"), report->send_deferred);
  if (report->send_returned > 0)
    g_string_append_printf (line, _(", %u returned to the sender"), report->send_returned);
  if (error != NULL && !g_error_matches (error, POSTE_OUTBOX_ERROR, POSTE_OUTBOX_ERROR_BOUNCED))
    g_string_append_printf (line, _(", error: %s"), error->message);
}

/**
 * poste_fetch_report_format_summary:
 * @report: a round's report
 *
 * What the round did, for the command line's output and `run`'s log: one line for the fetch,
 * "acme: 3 messages, 12.1 kB in 2.0 s (3 sessions), 1 left with the provider", "acme: no mail", "acme: error: MESSAGE (while receiving mail) (2 messages delivered
 * before)" or "acme: stopped". Messages answered 4xx are "left with the provider" (it offers them
 * again); messages answered 5xx are "refused, returned to the sender by the provider", with the
 * reply that refused the first of them; a round whose only outcome was such refusals says so
 * ("acme: 1 message refused, returned to the sender by the provider (550 5.1.1 No such user)"),
 * never "no mail"; an ETRN round says the provider started delivery. When the
 * outbox was submitted in the round, a second line follows: "acme: outbox: 2 messages sent,
 * 1 deferred, 1 returned to the sender".
 *
 * Returns: (transfer full): the line or two, translated, joined by a line end and without one at
 *   the end
 */
char *
poste_fetch_report_format_summary (const PosteSessionReport *report)
{
  g_autoptr(GString) line = g_string_new (NULL);
  const char *name;
  const GError *error;

  g_return_val_if_fail (report != NULL, NULL);

  name = report->provider;
  error = report->error != NULL && report->error->domain != POSTE_OUTBOX_ERROR ? report->error
                                                                                : NULL;
  if (error != NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_string_append_printf (line, _("%s: stopped"), name);
      else
        g_string_append_printf (line, _("%s: error: %s"), name, error->message);
      if ((g_error_matches (error, POSTE_PROTOCOL_ERROR, POSTE_PROTOCOL_ERROR_CLOSED) ||
           g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT)) &&
          stage_text (report->last_state) != NULL)
        g_string_append_printf (line, " (%s)", stage_text (report->last_state));
      if (report->messages > 0)
        g_string_append_printf (line, ngettext (" (%u message delivered before)",
                                                " (%u messages delivered before)",
                                                report->messages),
                                report->messages);
    }
  else if (report->outcome == POSTE_SESSION_OUTCOME_STARTED)
    g_string_append_printf (line, _("%s: the provider started delivery to your mail server (ETRN)"),
                            name);
  else if (report->messages == 0 && report->returned > 0)
    {
      /* Refusals are news, never "no mail". */
      g_string_append_printf (line, ngettext ("%s: %u message refused, returned to the sender by "
                                              "the provider",
                                              "%s: %u messages refused, returned to their senders "
                                              "by the provider",
                                              report->returned),
                              name, report->returned);
      append_refusals (line, report, FALSE);
      append_outbox (line, report);
      return g_string_free (g_steal_pointer (&line), FALSE);
    }
  else if (report->messages == 0)
    g_string_append_printf (line, _("%s: no mail"), name);
  else
    {
      g_autofree char *size = g_format_size (report->bytes);

      g_string_append_printf (line, ngettext ("%s: %u message, %s in %.1f s",
                                              "%s: %u messages, %s in %.1f s", report->messages),
                              name, report->messages, size, report->duration);
      if (report->sessions != NULL && report->sessions->len > 1)
        g_string_append_printf (line, ngettext (" (%u session)", " (%u sessions)",
                                                report->sessions->len),
                                report->sessions->len);
    }
  append_refusals (line, report, TRUE);
  append_outbox (line, report);
  return g_string_free (g_steal_pointer (&line), FALSE);
}
