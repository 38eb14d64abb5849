/* poste-outbox-dsn.c: bounces for messages the relay refused (RFC 3464, RFC 6522)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A delivery status notification is a multipart/report (RFC 6522) with report-type
 * delivery-status: a human-readable part, a message/delivery-status part (RFC 3464 section 2:
 * per-message fields, then one block of per-recipient fields for each refused recipient) and
 * the original message's header as text/rfc822-headers (the body is not returned: it is still
 * in the sender's own sent folder, and it may be large). Line ends are CR LF, as delivery
 * targets expect.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "poste-outbox-private.h"

/* RFC 5322 section 3.3, with English names whatever the locale. */
static char *
rfc5322_date (gint64 when)
{
  static const char * const days[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
  static const char * const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul",
                                         "Aug", "Sep", "Oct", "Nov", "Dec" };
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (when);
  g_autoptr(GDateTime) local = g_date_time_to_local (utc);
  g_autofree char *zone = g_date_time_format (local, "%z");

  return g_strdup_printf ("%s, %02d %s %04d %02d:%02d:%02d %s",
                          days[g_date_time_get_day_of_week (local) - 1],
                          g_date_time_get_day_of_month (local),
                          months[g_date_time_get_month (local) - 1],
                          g_date_time_get_year (local), g_date_time_get_hour (local),
                          g_date_time_get_minute (local), g_date_time_get_second (local), zone);
}

/* Appends @text with every line end made CR LF. */
static void
append_crlf (GString    *out,
             const char *text,
             gsize       length)
{
  for (gsize i = 0; i < length; i++)
    {
      if (text[i] == '\r' && i + 1 < length && text[i + 1] == '\n')
        continue;
      if (text[i] == '\n' || text[i] == '\r')
        g_string_append (out, "\r\n");
      else
        g_string_append_c (out, text[i]);
    }
}

/* The original header, up to the limit, without its final empty line. */
static GBytes *
read_original_header (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) input = g_file_read (file, NULL, NULL);
  g_autoptr(GBytes) head = NULL;
  const char *data;
  gsize length, end;

  if (input == NULL)
    return NULL;
  head = poste_outbox_read_head (G_INPUT_STREAM (input), NULL, NULL);
  if (head == NULL)
    return NULL;
  data = g_bytes_get_data (head, &length);
  end = _poste_outbox_header_end (data, length);
  while (end > 0 && (data[end - 1] == '\n' || data[end - 1] == '\r'))
    end--;
  return g_bytes_new (data, end);
}

/*
 * _poste_outbox_build_dsn:
 * @item: the refused message's envelope
 * @message_path: (nullable): its file, for the original header
 * @failures: (element-type PosteOutboxFailure): the refused recipients with their replies
 * @reporting_name: our host name (Reporting-MTA)
 * @remote_name: the relay's host name (Remote-MTA)
 * @now: the time of the bounce, seconds since the epoch
 *
 * Returns: (transfer full): the bounce, addressed to @item's sender, CR LF line ends
 */
GBytes *
_poste_outbox_build_dsn (const PosteOutboxItem *item,
                         const char            *message_path,
                         GPtrArray             *failures,
                         const char            *reporting_name,
                         const char            *remote_name,
                         gint64                 now)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GString) human = g_string_new (NULL);
  g_autoptr(GBytes) header = NULL;
  g_autofree char *date = rfc5322_date (now);
  g_autofree char *arrival = rfc5322_date (item->queued);
  g_autofree char *boundary = g_strdup_printf ("=_poste-%08x%08x", g_random_int (),
                                               g_random_int ());
  const char *at = strrchr (item->sender, '@');
  const char *domain = at != NULL ? at + 1 : reporting_name;

  g_string_append_printf (out, "From: Mail Delivery System <MAILER-DAEMON@%s>\r\n", domain);
  g_string_append_printf (out, "To: <%s>\r\n", item->sender);
  g_string_append (out, "Subject: Undelivered Mail Returned to Sender\r\n");
  g_string_append_printf (out, "Date: %s\r\n", date);
  g_string_append_printf (out, "Message-ID: <%s.dsn@%s>\r\n", item->id, reporting_name);
  g_string_append (out, "Auto-Submitted: auto-replied\r\n");
  g_string_append (out, "MIME-Version: 1.0\r\n");
  g_string_append_printf (out, "Content-Type: multipart/report; report-type=delivery-status;\r\n"
                               "\tboundary=\"%s\"\r\n", boundary);
  g_string_append (out, "\r\n");
  g_string_append (out, "This is a MIME-encapsulated message.\r\n\r\n");

  /* The human-readable part. */
  g_string_append_printf (out, "--%s\r\n", boundary);
  g_string_append (out, "Content-Type: text/plain; charset=utf-8\r\n");
  g_string_append (out, "Content-Transfer-Encoding: 8bit\r\n\r\n");
  g_string_append_printf (human,
                          _("Poste Restante could not hand your message to %s for these "
                            "recipients. The provider's relay refused it for good:"),
                          remote_name);
  g_string_append (human, "\n\n");
  for (guint i = 0; i < failures->len; i++)
    {
      const PosteOutboxFailure *failure = failures->pdata[i];

      g_string_append_printf (human, "  <%s>: %s\n", failure->recipient, failure->diagnostic);
    }
  g_string_append (human, "\n");
  g_string_append (human, _("The header of your message follows."));
  g_string_append (human, "\n");
  append_crlf (out, human->str, human->len);
  g_string_append (out, "\r\n");

  /* The machine-readable part (RFC 3464 section 2). */
  g_string_append_printf (out, "--%s\r\n", boundary);
  g_string_append (out, "Content-Type: message/delivery-status\r\n\r\n");
  g_string_append_printf (out, "Reporting-MTA: dns; %s\r\n", reporting_name);
  g_string_append_printf (out, "X-Poste-Restante-Queue-ID: %s\r\n", item->id);
  g_string_append_printf (out, "Arrival-Date: %s\r\n", arrival);
  for (guint i = 0; i < failures->len; i++)
    {
      const PosteOutboxFailure *failure = failures->pdata[i];

      g_string_append (out, "\r\n");
      g_string_append_printf (out, "Final-Recipient: rfc822; %s\r\n", failure->recipient);
      g_string_append (out, "Action: failed\r\n");
      g_string_append_printf (out, "Status: 5%s\r\n",
                              failure->status[0] != '\0' ? failure->status + 1 : ".0.0");
      g_string_append_printf (out, "Remote-MTA: dns; %s\r\n", remote_name);
      g_string_append_printf (out, "Diagnostic-Code: smtp; %s\r\n", failure->diagnostic);
      g_string_append_printf (out, "Last-Attempt-Date: %s\r\n", date);
    }
  g_string_append (out, "\r\n");

  /* The original header (RFC 6522 section 4). */
  g_string_append_printf (out, "--%s\r\n", boundary);
  g_string_append (out, "Content-Type: text/rfc822-headers\r\n\r\n");
  if (message_path != NULL)
    header = read_original_header (message_path);
  if (header != NULL)
    append_crlf (out, g_bytes_get_data (header, NULL), g_bytes_get_size (header));
  g_string_append (out, "\r\n\r\n");
  g_string_append_printf (out, "--%s--\r\n", boundary);

  return g_string_free_to_bytes (g_steal_pointer (&out));
}
