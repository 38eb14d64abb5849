/* poste-test-provider-session.c: one connection to the test provider: served, written, read
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The provider's thread accepts one connection at a time and serves it as a session. Every line
 * sent or read goes through here, into the transcript ("S:" and "C:" lines), bounded in length
 * and time; entering a stage is where a drop= or silent= fault takes effect.
 */
#include "config.h"

#include <errno.h>
#include <gsasl.h>
#include <string.h>

#include "poste-data-decoder.h"
#include "poste-error.h"
#include "poste-reply.h"
#include "poste-test-provider-private.h"

void
tp_transcript_add (Session    *s,
                   const char *prefix,
                   const char *text,
                   gssize      length)
{
  g_autofree char *printable = poste_printable (text, length);

  g_mutex_lock (&s->provider->lock);
  g_string_append_printf (s->provider->transcript, "%s%s\n", prefix, printable);
  g_mutex_unlock (&s->provider->lock);
}

void
tp_session_fail (Session      *s,
                 const GError *error)
{
  g_autofree char *note = g_strdup_printf ("[%s: %s]", tp_stage_names[MAX (s->stage, 0)],
                                           error != NULL ? error->message : "closed");

  tp_transcript_add (s, "", note, -1);
  s->closed = TRUE;
}

static void
slow_down (Session *s)
{
  if (s->provider->faults.slow_ms > 0)
    g_usleep ((gulong) s->provider->faults.slow_ms * 1000);
}

/* Sends raw bytes, logging each line of them as an "S:" entry (at most 4096 bytes of each). */
gboolean
tp_send_raw (Session    *s,
             const char *data,
             gsize       length)
{
  g_autoptr(GError) error = NULL;
  gsize start = 0;

  while (start < length)
    {
      const char *lf = memchr (data + start, '\n', length - start);
      gsize end = lf != NULL ? (gsize) (lf - data) : length;
      gsize shown = end - start;

      if (shown > 0 && data[start + shown - 1] == '\r')
        shown--;
      tp_transcript_add (s, "S: ", data + start, MIN (shown, 4096));
      start = end + 1;
    }
  slow_down (s);
  if (!poste_test_wire_write (s->conn, data, length, s->cancellable, &error) ||
      !poste_test_wire_flush (s->conn, s->cancellable, &error))
    {
      tp_session_fail (s, error);
      return FALSE;
    }
  return TRUE;
}

gboolean
tp_send_line (Session    *s,
              const char *format,
              ...)
{
  g_autofree char *line = NULL;
  g_autofree char *wire = NULL;
  va_list args;

  va_start (args, format);
  line = g_strdup_vprintf (format, args);
  va_end (args);
  wire = g_strconcat (line, "\r\n", NULL);
  return tp_send_raw (s, wire, strlen (wire));
}

/* Sends a reply of one or more lines, every line with @code. */
gboolean
tp_send_reply (Session            *s,
               guint               code,
               const char * const *lines)
{
  g_autoptr(GString) wire = g_string_new (NULL);

  for (guint i = 0; lines[i] != NULL; i++)
    g_string_append_printf (wire, "%03u%c%s\r\n", code, lines[i + 1] != NULL ? '-' : ' ',
                            lines[i]);
  return tp_send_raw (s, wire->str, wire->len);
}

char *
tp_read_command (Session *s,
                 gboolean secret)
{
  g_autoptr(GError) error = NULL;
  const char *line;
  gsize length;

  line = poste_test_wire_read_line (s->conn, MAX_COMMAND_LINE, &length, s->cancellable, &error);
  if (line == NULL)
    {
      /* RFC 5321 section 4.5.3.1.4: answer an over-long line, then give up on the session. */
      if (g_error_matches (error, POSTE_TEST_WIRE_ERROR, POSTE_TEST_WIRE_ERROR_LINE_TOO_LONG))
        tp_send_line (s, "500 5.5.2 Line too long");
      tp_session_fail (s, error);
      return NULL;
    }
  if (secret)
    tp_transcript_add (s, "C: ", "<SASL data>", -1);
  else if (length > 5 && g_ascii_strncasecmp (line, "AUTH ", 5) == 0 &&
           memchr (line + 5, ' ', length - 5) != NULL)
    {
      /* AUTH MECH initial-response: the response is a secret too. */
      const char *space = memchr (line + 5, ' ', length - 5);
      g_autofree char *shown = g_strdup_printf ("%.*s <SASL data>", (int) (space - line), line);
      tp_transcript_add (s, "C: ", shown, -1);
    }
  else
    tp_transcript_add (s, "C: ", line, (gssize) length);
  if (memchr (line, '\0', length) != NULL)
    return g_strdup ("");
  return g_strndup (line, length);
}

PosteTestReply *
tp_read_reply (Session *s)
{
  g_autoptr(GError) error = NULL;
  PosteTestReply *reply;

  reply = poste_test_reply_read (s->conn, s->cancellable, &error);
  if (reply == NULL)
    {
      tp_session_fail (s, error);
      return NULL;
    }
  for (guint i = 0; reply->lines[i] != NULL; i++)
    {
      g_autofree char *text = g_strdup_printf ("%03u%c%s", reply->code,
                                               reply->lines[i + 1] != NULL ? '-' : ' ',
                                               reply->lines[i]);
      tp_transcript_add (s, "C: ", text, -1);
    }
  return reply;
}

/* Waits, saying nothing, until the peer closes, the timeout passes or the provider stops. */
void
tp_go_silent (Session *s)
{
  tp_transcript_add (s, "", "[silent]", -1);
  for (;;)
    {
      gsize length;

      if (poste_test_wire_peek (s->conn, &length, s->cancellable, NULL) == NULL)
        break;
      poste_test_wire_consume (s->conn, length);
    }
  s->closed = TRUE;
}

void
tp_close_now (Session *s)
{
  g_io_stream_close (poste_test_wire_get_stream (s->conn), NULL, NULL);
  s->closed = TRUE;
}

/* Enters @stage; returns FALSE when a drop= or silent= fault ends the session there. */
gboolean
tp_enter_stage (Session *s,
                Stage    stage)
{
  const Faults *f = &s->provider->faults;

  s->stage = stage;
  if (f->drop == stage)
    {
      tp_transcript_add (s, "", "[drop]", -1);
      tp_close_now (s);
      return FALSE;
    }
  if (f->silent == stage)
    {
      tp_go_silent (s);
      return FALSE;
    }
  return TRUE;
}

void
tp_serve (PosteTestProvider *self,
          GSocketConnection *connection)
{
  Session s = { 0 };

  s.provider = self;
  s.cancellable = self->cancellable;
  s.stage = STAGE_GREETING;
  s.socket = connection;
  s.conn = poste_test_wire_new (G_IO_STREAM (connection));
  poste_test_wire_set_timeout (s.conn, self->timeout);

  g_mutex_lock (&self->lock);
  g_string_truncate (self->transcript, 0);
  g_mutex_unlock (&self->lock);

  tp_client_phase (&s);

  if (!s.closed)
    poste_test_wire_close (s.conn, NULL, NULL);
  else
    g_io_stream_close (poste_test_wire_get_stream (s.conn), NULL, NULL);
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  poste_test_wire_unref (s.conn);
  g_strfreev (s.domains);
  g_clear_object (&s.peer_certificate);
  g_free (s.external_user);
  g_free (s.cb_exporter);
  g_free (s.cb_unique);
  g_free (s.mail_from);
  g_clear_pointer (&s.rcpt_to, g_ptr_array_unref);
}

gpointer
tp_serve_thread (gpointer data)
{
  PosteTestProvider *self = data;

  while (!g_cancellable_is_cancelled (self->cancellable))
    {
      g_autoptr(GSocketConnection) connection = NULL;

      connection = g_socket_listener_accept (self->listener, NULL, self->cancellable, NULL);
      if (connection == NULL)
        continue;
      tp_serve (self, connection);
      g_mutex_lock (&self->lock);
      self->sessions++;
      g_cond_broadcast (&self->cond);
      g_mutex_unlock (&self->lock);
    }
  return NULL;
}
