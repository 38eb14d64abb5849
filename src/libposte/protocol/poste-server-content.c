/* poste-server-content.c: the content of a message in the reversed state: DATA and BDAT
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Where a message's bytes go once the provider has sent MAIL and RCPT (poste-server.c, whose top
 * comment states the policies): from the connection's buffer through the data decoder straight
 * into the delivery target, a Received: header first (RFC 5321 section 4.4), in chunks of at most
 * POSTE_DATA_DECODER_CHUNK bytes, then the end of the message and the target's verdict. DATA
 * (RFC 5321 section 4.1.1.4) ends at CR LF . CR LF; BDAT (RFC 3030) carries octets by count.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "poste-error.h"
#include "poste-server-private.h"

/* How often, in bytes of message content, the current size is reported. */
#define PROGRESS_STEP (256 * 1024)

static const char *const weekdays[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
static const char *const months[] = {
  "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};

/* Keeps printable ASCII (and, for SMTPUTF8, valid UTF-8); anything else becomes '?'. A header
 * must never carry a line end or a control byte from the peer. */
static char *
header_safe (const char *text)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      if (c >= 0x21 && c < 0x7f && c != '(' && c != ')' && c != ';')
        g_string_append_c (out, c);
      else if (c >= 0x80)
        {
          gunichar ch = g_utf8_get_char_validated (p, -1);

          if (ch != (gunichar) -1 && ch != (gunichar) -2 && g_unichar_isprint (ch))
            {
              const char *next = g_utf8_next_char (p);
              g_string_append_len (out, p, next - p);
              p = next - 1;
            }
          else
            g_string_append_c (out, '?');
        }
      else
        g_string_append_c (out, '?');
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/**
 * poste_server_received:
 * @helo: the name the provider gave in EHLO or HELO
 * @peer_host: the provider's host name, as configured
 * @peer_address: (nullable): the provider's IP address
 * @local_name: our name
 * @protocol: the "with" keyword: ESMTP, ESMTPS, ESMTPA, ESMTPSA, SMTP, UTF8SMTPS... (RFC 3848,
 *   RFC 6531 section 3.7.3)
 * @id: the message's id
 * @recipient: (nullable): the one recipient, or %NULL (several are not listed)
 * @date: when the message was received
 *
 * Formats the trace header of RFC 5321 section 4.4, folded, with CR LF line ends.
 *
 * Returns: (transfer full): the header, ending in CR LF
 */
char *
poste_server_received (const char *helo,
                       const char *peer_host,
                       const char *peer_address,
                       const char *local_name,
                       const char *protocol,
                       const char *id,
                       const char *recipient,
                       GDateTime  *date)
{
  g_autoptr(GString) header = g_string_new ("Received: from ");
  g_autofree char *safe_helo = header_safe (helo);
  g_autofree char *safe_host = header_safe (peer_host);
  g_autoptr(GDateTime) local = g_date_time_to_local (date);
  gint offset = (gint) (g_date_time_get_utc_offset (local) / G_TIME_SPAN_MINUTE);

  /* A domain has at most 253 octets: a longer EHLO argument is shortened in our own header (the
   * message itself is never touched), so that the line stays far below 998 octets. */
  if (g_utf8_strlen (safe_helo, -1) > 255)
    {
      g_autofree char *start = g_utf8_substring (safe_helo, 0, 255);
      g_string_append_printf (header, "%s...", start);
    }
  else
    g_string_append (header, safe_helo);
  g_string_append_printf (header, " (%s", safe_host);
  /* RFC 5321 section 4.1.3: an IPv6 address literal carries its tag. */
  if (peer_address != NULL)
    g_string_append_printf (header, " [%s%s]", strchr (peer_address, ':') != NULL ? "IPv6:" : "",
                            peer_address);
  g_string_append (header, ")\r\n");
  g_string_append_printf (header, "\tby %s (Poste Restante) with %s id %s", local_name, protocol,
                          id);
  if (recipient != NULL)
    {
      g_autofree char *safe_rcpt = header_safe (recipient);
      g_string_append_printf (header, "\r\n\tfor <%s>", safe_rcpt);
    }
  g_string_append_printf (header, ";\r\n\t%s, %02d %s %04d %02d:%02d:%02d %c%02d%02d\r\n",
                          weekdays[g_date_time_get_day_of_week (local) - 1],
                          g_date_time_get_day_of_month (local),
                          months[g_date_time_get_month (local) - 1],
                          g_date_time_get_year (local),
                          g_date_time_get_hour (local),
                          g_date_time_get_minute (local),
                          g_date_time_get_second (local),
                          offset < 0 ? '-' : '+', ABS (offset) / 60, ABS (offset) % 60);
  return g_string_free (g_steal_pointer (&header), FALSE);
}

/* What refuses a message (see the policies at the top): in DATA a bare CR, a bare LF or a NUL;
 * in BDAT only a NUL. */
static PosteDataDecoderFlags
refused_flags (Server *srv)
{
  if (srv->bdat)
    return POSTE_DATA_DECODER_FLAG_NUL;
  return POSTE_DATA_DECODER_FLAG_BARE_LF | POSTE_DATA_DECODER_FLAG_BARE_CR |
         POSTE_DATA_DECODER_FLAG_NUL;
}

static void
deliver_chunk (Server       *srv,
               const guint8 *data,
               gsize         length)
{
  if (srv->write_failed || srv->too_big)
    return;
  if (poste_data_decoder_get_flags (srv->decoder) & refused_flags (srv))
    return;                             /* refused at the end anyway: store nothing more */
  if (srv->config->max_message_size > 0 &&
      poste_data_decoder_get_size (srv->decoder) > srv->config->max_message_size)
    {
      srv->too_big = TRUE;
      return;
    }
  if (!poste_delivery_write (srv->config->delivery, data, length, srv->channel->cancellable,
                             &srv->write_error))
    srv->write_failed = TRUE;
}

static void
decoded_cb (const guint8 *data,
            gsize         length,
            gpointer      user_data)
{
  deliver_chunk (user_data, data, length);
}

static void
write_received (Server *srv)
{
  PosteChannel *channel = srv->channel;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *uuid = g_uuid_string_random ();
  g_autofree char *id = NULL;
  g_autofree char *header = NULL;
  g_autoptr(GString) protocol = g_string_new (NULL);
  const char *recipient = NULL;

  if (srv->header_written)
    return;
  srv->header_written = TRUE;

  /* RFC 3848 and RFC 6531 section 3.7.3: ESMTP, +S with TLS, +A once authenticated. */
  if (!srv->esmtp)
    g_string_append (protocol, "SMTP");
  else
    {
      g_string_append (protocol, srv->envelope->smtputf8 ? "UTF8SMTP" : "ESMTP");
      if (channel->tls != NULL)
        g_string_append_c (protocol, 'S');
      if (srv->config->authenticated)
        g_string_append_c (protocol, 'A');
    }
  id = g_malloc0 (17);
  for (gsize i = 0, j = 0; uuid[i] != '\0' && j < 16; i++)
    if (uuid[i] != '-')
      id[j++] = g_ascii_toupper (uuid[i]);

  if (srv->envelope->recipients->len == 1)
    recipient = srv->envelope->recipients->pdata[0];
  header = poste_server_received (srv->helo, srv->config->provider_host,
                                  channel->peer_address, srv->config->local_name, protocol->str, id,
                                  recipient, now);
  if (!poste_delivery_write (srv->config->delivery, (const guint8 *) header, strlen (header),
                             channel->cancellable, &srv->write_error))
    srv->write_failed = TRUE;
}

static void
report_size (Server *srv)
{
  guint64 size = poste_data_decoder_get_size (srv->decoder);

  if (size - srv->reported >= PROGRESS_STEP || srv->channel->current_size < 0)
    {
      srv->reported = size;
      srv->channel->current_size = (gint64) size;
      poste_channel_progress (srv->channel);
    }
}

/* Answers the end of a message (DATA's CR LF . CR LF, or BDAT LAST) and ends the transaction. */
static gboolean
finish_message (Server  *srv,
                GError **error)
{
  PosteChannel *channel = srv->channel;
  PosteDataDecoderFlags flags = poste_data_decoder_get_flags (srv->decoder);
  guint64 size = poste_data_decoder_get_size (srv->decoder);
  g_autoptr(PosteReply) r = NULL;
  gboolean ok;

  poste_channel_note (channel, "message of %" G_GUINT64_FORMAT " bytes%s%s%s%s", size,
                      flags & POSTE_DATA_DECODER_FLAG_BARE_LF ? ", bare LF" : "",
                      flags & POSTE_DATA_DECODER_FLAG_BARE_CR ? ", bare CR" : "",
                      flags & POSTE_DATA_DECODER_FLAG_NUL ? ", NUL" : "",
                      flags & POSTE_DATA_DECODER_FLAG_LONG_LINE ? ", line over 998 octets" : "");

  if (flags & refused_flags (srv))
    {
      gboolean bdat = srv->bdat;

      _poste_server_transaction_reset (srv);
      if (bdat)
        ok = _poste_server_refuse_message (srv, 550, "5.6.0", error,
                             "Message refused, not changed: it holds a NUL");
      else
        ok = _poste_server_refuse_message (srv, 550, "5.6.0", error,
                             "Message refused, not changed: it holds a bare CR, a bare LF or a "
                             "NUL (RFC 5321 section 2.3.8)");
    }
  else if (srv->too_big ||
           (srv->config->max_message_size > 0 && size > srv->config->max_message_size))
    {
      _poste_server_transaction_reset (srv);
      ok = _poste_server_refuse_message (srv, 552, "5.3.4", error, "Message too big: the limit is %"
                           G_GUINT64_FORMAT " bytes", srv->config->max_message_size);
    }
  else if (srv->write_failed)
    {
      poste_channel_note (channel, "local delivery failed: %s",
                          srv->write_error != NULL ? srv->write_error->message : "?");
      if (srv->delivery_error == NULL)
        srv->delivery_error = g_error_new (POSTE_SESSION_ERROR, POSTE_SESSION_ERROR_DELIVERY,
                                           _("A message could not be delivered locally: %s"),
                                           srv->write_error != NULL
                                             ? srv->write_error->message : "?");
      _poste_server_count_deferred (srv, "451 4.3.0 Local delivery failed; try again later");
      _poste_server_transaction_reset (srv);
      ok = _poste_server_reply (srv, 451, "4.3.0", error, "Local delivery failed; try again later");
    }
  else
    {
      r = poste_delivery_commit (srv->config->delivery, channel->cancellable);
      if (r == NULL)
        r = poste_reply_new (451, "4.3.0", "Local delivery failed; try again later");
      if (r->code / 100 == 2)
        {
          channel->messages++;
          channel->bytes += size;
        }
      else
        {
          _poste_server_count_reply (srv, r);
          if (poste_reply_is_transient (r))
            _poste_server_local_failure (srv, r);
        }
      _poste_server_transaction_settle (srv);
      _poste_server_transaction_done (srv);
      ok = _poste_server_send_delivery_reply (srv, r, error);
    }

  channel->current_size = -1;
  poste_channel_progress (channel);
  return ok;
}

/* The content begins: a new decoder, the progress at 0 of the declared size, and our
 * Received: header first. */
static void
start_content (Server               *srv,
               PosteDataDecoderMode  mode)
{
  PosteChannel *channel = srv->channel;

  poste_data_decoder_free (srv->decoder);
  srv->decoder = poste_data_decoder_new (mode);
  channel->current_size = 0;
  channel->current_total = srv->envelope->declared_size;
  poste_channel_progress (channel);
  write_received (srv);
}

/* Streams the content from the connection through the decoder into the target: to the end of
 * DATA, or (@counted) exactly @size octets of a BDAT chunk. Memory stays bounded by the
 * connection's buffer. */
static gboolean
feed_decoder (Server   *srv,
              gboolean  counted,
              guint64   size,
              GError  **error)
{
  PosteChannel *channel = srv->channel;
  guint64 remaining = size;

  while (counted ? remaining > 0 : !poste_data_decoder_is_done (srv->decoder))
    {
      gsize length, used;
      const guint8 *data = poste_connection_peek (channel->connection, &length,
                                                  channel->cancellable, error);

      if (data == NULL)
        return FALSE;
      if (counted)
        length = (gsize) MIN ((guint64) length, remaining);
      used = poste_data_decoder_feed (srv->decoder, data, length, decoded_cb, srv);
      g_assert (!counted || used == length);
      poste_connection_consume (channel->connection, used);
      if (counted)
        remaining -= used;
      report_size (srv);
    }
  return TRUE;
}

gboolean
_poste_server_cmd_data (Server      *srv,
                        const char  *args,
                        GError     **error)
{
  PosteChannel *channel = srv->channel;

  if (*_poste_server_skip_spaces (args) != '\0')
    return _poste_server_reply (srv, 501, "5.5.4", error, "Syntax: DATA");

  if (!_poste_server_reply (srv, 354, NULL, error, "End data with <CR><LF>.<CR><LF>") ||
      !poste_connection_flush (channel->connection, channel->cancellable, error))
    return FALSE;

  start_content (srv, POSTE_DATA_DECODER_DOT);
  if (!feed_decoder (srv, FALSE, 0, error))
    return FALSE;
  return finish_message (srv, error);
}

/* Reads and drops @size bytes (the content of a BDAT chunk that is refused). */
static gboolean
skip_bytes (Server   *srv,
            guint64   size,
            GError  **error)
{
  while (size > 0)
    {
      gsize length;
      const guint8 *data = poste_connection_peek (srv->channel->connection, &length,
                                                  srv->channel->cancellable, error);
      gsize used;

      if (data == NULL)
        return FALSE;
      used = (gsize) MIN ((guint64) length, size);
      poste_connection_consume (srv->channel->connection, used);
      size -= used;
    }
  return TRUE;
}

/* "BDAT size [LAST]" (RFC 3030 section 2). A line that does not parse is answered 501 and
 * fails: the chunk's size is unknown, so its bytes cannot be skipped and the stream is lost. */
static gboolean
parse_bdat (Server      *srv,
            const char  *args,
            guint64     *size,
            gboolean    *last,
            GError     **error)
{
  g_auto(GStrv) words = g_strsplit (_poste_server_skip_spaces (args), " ", -1);

  if (words[0] == NULL || !_poste_server_parse_size (words[0], size) ||
      (words[1] != NULL && (g_ascii_strcasecmp (words[1], "LAST") != 0 || words[2] != NULL)))
    {
      _poste_server_reply (srv, 501, "5.5.4", NULL, "Syntax: BDAT size [LAST]");
      g_set_error (error, POSTE_PROTOCOL_ERROR, POSTE_PROTOCOL_ERROR_MALFORMED,
                   _("The provider sent a malformed BDAT command"));
      return FALSE;
    }
  if (last != NULL)
    *last = words[1] != NULL;
  return TRUE;
}

/* BDAT belongs to the CHUNKING extension (RFC 3030), which exists only for a client that said
 * EHLO and saw CHUNKING advertised (RFC 5321 section 2.2.1); after HELO nothing was advertised,
 * so the command is out of sequence: 503. Its chunk still follows the command line, and is read
 * and dropped first, so that no byte of it is ever taken for a command. A size that does not
 * parse loses the stream, as in _poste_server_cmd_bdat(). */
gboolean
_poste_server_bdat_after_helo (Server      *srv,
                               const char  *args,
                               GError     **error)
{
  guint64 size;

  if (!parse_bdat (srv, args, &size, NULL, error))
    return FALSE;
  if (!skip_bytes (srv, size, error))
    return FALSE;
  return _poste_server_reply (srv, 503, "5.5.1", error,
                              "BDAT needs EHLO: CHUNKING was not negotiated");
}

gboolean
_poste_server_cmd_bdat (Server      *srv,
                        const char  *args,
                        GError     **error)
{
  guint64 size;
  gboolean last = FALSE;

  if (!parse_bdat (srv, args, &size, &last, error))
    return FALSE;

  if (srv->envelope == NULL || srv->envelope->recipients->len == 0)
    {
      if (!skip_bytes (srv, size, error))
        return FALSE;
      return _poste_server_reply (srv, 503, "5.5.1", error,
                    srv->envelope == NULL ? "Need MAIL first" : "No valid recipients");
    }

  if (!srv->bdat)
    {
      srv->bdat = TRUE;
      _poste_server_set_state (srv, SERVER_STATE_BDAT);
      start_content (srv, POSTE_DATA_DECODER_RAW);
    }
  if (!feed_decoder (srv, TRUE, size, error))
    return FALSE;

  if (!last)
    return _poste_server_reply (srv, 250, "2.0.0", error, "%" G_GUINT64_FORMAT " octets received",
                                size);

  poste_data_decoder_finish (srv->decoder, decoded_cb, srv);
  srv->after_last = TRUE;
  return finish_message (srv, error);
}
