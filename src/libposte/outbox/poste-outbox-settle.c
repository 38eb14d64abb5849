/* poste-outbox-settle.c: what becomes of a queued message after a submission attempt
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The fates described at the top of poste-outbox-submit.c, written down: a message whose every
 * recipient was taken leaves the queue; a 4xx keeps it, with an exponential backoff (5 minutes,
 * doubling, up to 4 hours) until it has waited 5 days; a 5xx, or 5 days of 4xx, returns it to
 * its sender as a delivery status notification (RFC 3464, built by poste-outbox-dsn.c) through
 * the provider's own local delivery target; when even that fails it stays, failed, for the user
 * to see.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "poste-delivery.h"
#include "poste-error.h"
#include "poste-outbox-submit-private.h"
#include "poste-router.h"

/* The relay's reply as one line for a bounce, where it becomes the Diagnostic-Code field and a
 * line of the readable text (RFC 3464 section 2.3.6: "smtp; 550 5.1.1 ..."). The reply as it came
 * on the wire, each of its lines with its code (as Postfix quotes a multi-line reply), has its
 * line ends turned into spaces first and only then is made printable: the other way round, every
 * CR LF would be kept as a visible "\x0d\x0a". */
static char *
diagnostic_line (const PosteReply *reply)
{
  g_autofree char *wire = poste_reply_to_string (reply);
  g_autoptr(GString) line = g_string_sized_new (strlen (wire));

  for (const char *p = wire; *p != '\0'; p++)
    {
      if (*p != '\r' && *p != '\n')
        g_string_append_c (line, *p);
      else if (line->len > 0 && line->str[line->len - 1] != ' ')
        g_string_append_c (line, ' ');
    }
  while (line->len > 0 && line->str[line->len - 1] == ' ')
    g_string_truncate (line, line->len - 1);
  return poste_printable (line->str, line->len);
}

/* @diagnostic: one printable line, taken. */
static void
add_failure_text (GPtrArray  *failures,
                  const char *recipient,
                  const char *status,
                  char       *diagnostic)
{
  PosteOutboxFailure *failure = g_new0 (PosteOutboxFailure, 1);

  failure->recipient = g_strdup (recipient);
  failure->status = g_strdup (status);
  failure->diagnostic = diagnostic;
  g_ptr_array_add (failures, failure);
}

void
_poste_outbox_add_failure (GPtrArray        *failures,
                           const char       *recipient,
                           const PosteReply *reply)
{
  g_autofree char *status = NULL;

  if (reply->enhanced != NULL)
    status = g_strdup (reply->enhanced);
  else
    status = g_strdup_printf ("%u.0.0", reply->code / 100);
  add_failure_text (failures, recipient, status, diagnostic_line (reply));
}

/* Returns the bounce through the provider's local delivery target. */
static gboolean
deliver_bounce (Round            *r,
                PosteOutboxItem  *item,
                GPtrArray        *failures,
                GError          **error)
{
  g_autoptr(PosteDelivery) delivery = NULL;
  g_autoptr(PosteEnvelope) envelope = poste_envelope_new ("");
  g_autoptr(PosteReply) reply = NULL;
  g_autoptr(GBytes) dsn = NULL;
  g_autofree char *path = poste_outbox_dup_message_path (r->outbox, item->id);
  GCancellable *cancellable = r->channel->cancellable;
  const guint8 *data;
  gsize length;

  dsn = _poste_outbox_build_dsn (item, path, failures, r->client->local_name, r->remote, r->now);
  delivery = poste_router_new (r->provider, error);
  if (delivery == NULL)
    return FALSE;

  reply = poste_delivery_begin (delivery, envelope, cancellable);
  if (poste_reply_is_positive (reply))
    {
      g_clear_pointer (&reply, poste_reply_free);
      reply = poste_delivery_add_recipient (delivery, envelope, item->sender, cancellable);
      if (poste_reply_is_positive (reply))
        {
          g_ptr_array_add (envelope->recipients, g_strdup (item->sender));
          data = g_bytes_get_data (dsn, &length);
          if (!poste_delivery_write (delivery, data, length, cancellable, error))
            {
              poste_delivery_abort (delivery);
              poste_delivery_close (delivery);
              return FALSE;
            }
          g_clear_pointer (&reply, poste_reply_free);
          reply = poste_delivery_commit (delivery, cancellable);
        }
    }
  if (!poste_reply_is_positive (reply))
    {
      g_autofree char *text = poste_reply_describe (reply);

      poste_delivery_abort (delivery);
      poste_delivery_close (delivery);
      g_set_error (error, POSTE_DELIVERY_ERROR, POSTE_DELIVERY_ERROR_TEMPORARY, "%s", text);
      return FALSE;
    }
  poste_delivery_close (delivery);
  return TRUE;
}

static gint64
backoff (guint attempts)
{
  gint64 wait = POSTE_OUTBOX_RETRY_FIRST;

  for (guint i = 1; i < attempts && wait < POSTE_OUTBOX_RETRY_MAX; i++)
    wait *= 2;
  return MIN (wait, POSTE_OUTBOX_RETRY_MAX);
}

/* Writes down what happened to @item: removed, deferred, bounced or failed. */
gboolean
_poste_outbox_settle (Round            *r,
                      PosteOutboxItem  *item,
                      GPtrArray        *deferred,
                      const char       *deferred_reason,
                      GPtrArray        *failures,
                      GError          **error)
{
  g_autoptr(GError) bounce_error = NULL;

  /* Refused with 4xx for too long: the deferred recipients are returned too. */
  if (deferred->len > 0 && r->now - item->queued >= POSTE_OUTBOX_EXPIRE)
    {
      /* The last refusal is already one printable line (reply_text()). */
      for (guint i = 0; i < deferred->len; i++)
        add_failure_text (failures, deferred->pdata[i], "4.4.7",
                          g_strdup_printf ("450 4.4.7 %s", deferred_reason != NULL
                                                             ? deferred_reason
                                                             : "delivery time expired"));
      g_ptr_array_set_size (deferred, 0);
    }

  if (failures->len > 0)
    {
      gboolean bounced = FALSE;

      if (*item->sender == '\0')
        {
          /* A bounce is never bounced (RFC 5321 section 4.5.5). */
          poste_channel_note (r->channel, "message %s refused for good; null sender: dropped",
                              item->id);
          bounced = TRUE;
        }
      else if (deliver_bounce (r, item, failures, &bounce_error))
        {
          poste_channel_note (r->channel, "message %s refused for good; returned to %s",
                              item->id, item->sender);
          bounced = TRUE;
        }
      if (!bounced)
        {
          g_autoptr(GString) text = g_string_new (NULL);
          g_autoptr(GPtrArray) keep = g_ptr_array_new ();

          for (guint i = 0; i < failures->len; i++)
            {
              PosteOutboxFailure *failure = failures->pdata[i];

              g_ptr_array_add (keep, failure->recipient);
              if (i == 0)
                g_string_append (text, failure->diagnostic);
            }
          g_string_append_printf (text, _("; the bounce could not be delivered: %s"),
                                  bounce_error->message);
          for (guint i = 0; i < deferred->len; i++)
            g_ptr_array_add (keep, deferred->pdata[i]);
          g_ptr_array_add (keep, NULL);
          poste_channel_note (r->channel, "message %s refused for good; bounce failed: %s",
                              item->id, bounce_error->message);
          g_strfreev (item->recipients);
          item->recipients = g_strdupv ((char **) keep->pdata);
          item->state = POSTE_OUTBOX_STATE_FAILED;
          g_free (item->last_error);
          item->last_error = g_string_free (g_steal_pointer (&text), FALSE);
          r->counts->failed++;
          return poste_outbox_update (r->outbox, item, error);
        }
      r->counts->bounced++;
    }

  if (deferred->len == 0)
    {
      g_autoptr(GError) local_error = NULL;

      if (!poste_outbox_remove (r->outbox, item->id, &local_error) &&
          !g_error_matches (local_error, POSTE_OUTBOX_ERROR, POSTE_OUTBOX_ERROR_NOT_FOUND))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      return TRUE;
    }

  g_ptr_array_add (deferred, NULL);
  g_strfreev (item->recipients);
  item->recipients = g_strdupv ((char **) deferred->pdata);
  g_ptr_array_set_size (deferred, deferred->len - 1);
  item->attempts++;
  item->state = POSTE_OUTBOX_STATE_DEFERRED;
  item->next_attempt = r->now + backoff (item->attempts);
  g_free (item->last_error);
  item->last_error = g_strdup (deferred_reason);
  r->counts->deferred++;
  poste_channel_note (r->channel, "message %s deferred (attempt %u), next try in %" G_GINT64_FORMAT
                      " s", item->id, item->attempts, item->next_attempt - r->now);
  return poste_outbox_update (r->outbox, item, error);
}
