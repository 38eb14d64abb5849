/* poste-session-flow.c: one ODMR session's flow, from connect to close (RFC 2645)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What a session does, apart from being an object: the client phase on the channel (connect,
 * TLS, EHLO, AUTH), then ATRN and, on its 250, the reversed state on the same channel; or ETRN
 * (RFC 1985), after which the provider delivers on a connection of its own. Then the report.
 * PosteSession (poste-session.c) runs this in its worker thread and carries the progress to its
 * caller.
 */
#include "config.h"

#include "poste-error.h"
#include "poste-server.h"
#include "poste-session-flow.h"

static gboolean
should_quit_after (const GError *error)
{
  /* A polite QUIT after a refusal; nothing more on a connection that cannot be trusted or that
   * is gone. */
  if (error->domain == POSTE_SESSION_ERROR)
    return error->code != POSTE_SESSION_ERROR_CERTIFICATE;
  if (error->domain == POSTE_PROTOCOL_ERROR)
    return error->code == POSTE_PROTOCOL_ERROR_UNEXPECTED;
  return FALSE;
}

/**
 * _poste_session_flow_run:
 * @channel: a channel not yet connected, its cancellable set
 * @client: the client phase on @channel
 * @delivery: the delivery target for the reversed state
 * @max_message_size: the largest message taken, in octets, 0 for no limit
 * @max_recipients: the most recipients taken per transaction
 * @error: return location for the session's error
 *
 * Runs one session from connect to close in the calling thread (the worker) and builds its
 * report. It leaves the final state (done or failed) to the caller.
 *
 * Outcomes: MAIL when at least one message was acknowledged with 250; NO_MAIL for ATRN's 453, for
 * "EHLO then QUIT", and for a session whose every message we refused with 5xx (the report's
 * "returned" counts them: the provider returns them to their senders, which front ends must
 * say; poste_session_report_get_exit_status() gives 10 for such a session, not 1); FAILED with
 * POSTE_SESSION_ERROR_DELIVERY when the delivery target refused a message with 4xx, at MAIL, at
 * RCPT or at the end of the message (the provider keeps it and retries; see "Local delivery
 * failures" in poste-server.c), even if others were delivered; CANCELLED for the user's Stop.
 * With mode=etrn (RFC 1985): STARTED when the provider started delivery to our MTA for at least
 * one domain, NO_MAIL when it held nothing for any, FAILED on an error reply.
 *
 * Returns: (transfer full): the session's report, whatever the outcome; @error is set when it
 *   is not MAIL, NO_MAIL or STARTED
 */
PosteSessionReport *
_poste_session_flow_run (PosteChannel   *channel,
                         PosteClient    *client,
                         PosteDelivery  *delivery,
                         guint64         max_message_size,
                         guint           max_recipients,
                         GError        **error)
{
  g_autoptr(GError) local_error = NULL;
  PosteSessionReport *report;
  gint64 started = g_get_monotonic_time ();
  gboolean etrn = poste_provider_get_mode (client->provider) == POSTE_MODE_ETRN;
  gboolean turned = FALSE;
  guint queues = 0;
  gboolean ok;

  report = poste_session_report_new (poste_provider_get_name (client->provider));

  ok = poste_client_open (client, &local_error) &&
       poste_client_authenticate (client, &local_error);
  if (ok && etrn)
    ok = poste_client_etrn (client, &queues, &local_error);
  else if (ok)
    ok = poste_client_atrn (client, &turned, &local_error);
  report->last_state = channel->state;

  if (ok && etrn)
    {
      /* RFC 1985: no reversed state; the provider delivers to our MTA on its own. */
      poste_client_quit (client);
    }
  else if (ok && turned)
    {
      g_autoptr(GError) delivery_error = NULL;
      PosteServerConfig config = {
        .delivery = delivery,
        .local_name = client->local_name,
        .provider_host = poste_provider_get_host (client->provider),
        /* The domains asked for, or the customer's domains for a bare ATRN. */
        .domains = client->requested != NULL && client->requested[0] != NULL
                   ? (const char * const *) client->requested
                   : poste_provider_get_domains (client->provider),
        .authenticated = client->authenticated,
        .max_message_size = max_message_size,
        .max_recipients = max_recipients,
      };

      ok = poste_server_run (channel, &config, &delivery_error, &local_error);
      report->last_state = channel->state;
      poste_delivery_close (delivery);
      if (ok && delivery_error != NULL)
        {
          ok = FALSE;
          local_error = g_steal_pointer (&delivery_error);
        }
    }
  else if (ok)
    {
      poste_channel_note (channel, "the provider holds no mail");
      poste_client_quit (client);
    }
  else if (should_quit_after (local_error) && channel->connection != NULL)
    poste_client_quit (client);

  poste_client_close (client);

  if (ok && etrn)
    report->outcome = queues > 0 ? POSTE_SESSION_OUTCOME_STARTED
                                 : POSTE_SESSION_OUTCOME_NO_MAIL;
  else if (ok)
    report->outcome = channel->messages > 0 ? POSTE_SESSION_OUTCOME_MAIL
                                            : POSTE_SESSION_OUTCOME_NO_MAIL;
  else if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    report->outcome = POSTE_SESSION_OUTCOME_CANCELLED;
  else
    report->outcome = POSTE_SESSION_OUTCOME_FAILED;

  if (!ok)
    poste_channel_note (channel, "session ended: %s", local_error->message);

  report->duration = (g_get_monotonic_time () - started) / (double) G_USEC_PER_SEC;
  report->error = local_error != NULL ? g_error_copy (local_error) : NULL;
  report->messages = channel->messages;
  report->refused = channel->refused + channel->deferred;
  report->deferred = channel->deferred;
  report->returned = channel->refused;
  report->bytes = channel->bytes;
  report->tls = g_strdup (channel->tls_description);
  report->mechanism = g_strdup (client->mechanism);
  g_ptr_array_unref (report->transcript);
  report->transcript = poste_channel_dup_transcript (channel);

  if (!ok)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return report;
}
