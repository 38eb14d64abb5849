/* poste-test-provider-reversed.c: the reversed phase: the test provider as the SMTP client
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * After ATRN the provider hands its spool over (RFC 5321): MAIL, RCPT for the recipients in the
 * session's domains, then DATA (dot-stuffed) or BDAT (RFC 3030), with PIPELINING (RFC 2920)
 * when the customer offers it; what the customer refuses for good goes back to the sender.
 */
#include "config.h"

#include <errno.h>
#include <gsasl.h>
#include <string.h>

#include "poste-data-decoder.h"
#include "poste-error.h"
#include "poste-reply.h"
#include "poste-test-provider-private.h"

typedef struct {
  Session    *s;
  gint64      sent;        /* content bytes sent so far, for drop-in-data */
  gboolean    line_start;
  gboolean    prev_cr;
  gboolean    normalise;   /* bare LF becomes CR LF */
  gboolean    bdat;        /* chunks with BDAT (RFC 3030) instead of DATA with dot-stuffing */
  guint       code;        /* the reply that ended the transfer, 0 while none */
  GByteArray *out;
} Content;

/* Sends what is in c->out (as a BDAT chunk, LAST when @last), honouring drop-in-data. FALSE when
 * the transfer ends early: the connection is gone, or c->code holds the customer's refusal. */
static gboolean
content_flush (Content  *c,
               gboolean  last)
{
  const gint64 drop_at = c->s->provider->faults.drop_in_data;
  const gint64 silent_at = c->s->provider->faults.silent_in_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PosteTestReply) reply = NULL;
  gsize length = c->out->len;
  gsize declared = c->out->len;
  gboolean drop = FALSE;
  gboolean silent = FALSE;
  gboolean stray = FALSE;

  if (drop_at >= 0 && c->sent + (gint64) length >= drop_at)
    {
      length = (gsize) (drop_at - c->sent);
      drop = TRUE;
    }
  else if (silent_at >= 0 && c->sent + (gint64) length >= silent_at)
    {
      length = (gsize) (silent_at - c->sent);
      silent = TRUE;
    }
  /* bdat-short: the last chunk is declared one octet short, so its final LF follows it as a
   * line of its own. */
  if (c->bdat && last && c->s->provider->faults.bdat_short && declared > 0 &&
      c->out->data[declared - 1] == '\n')
    {
      declared--;
      stray = TRUE;
    }
  if (c->bdat && (c->out->len > 0 || last))
    {
      g_autofree char *command = g_strdup_printf ("BDAT %" G_GSIZE_FORMAT "%s", declared,
                                                  last ? " LAST" : "");

      tp_transcript_add (c->s, "S: ", command, -1);
      if (!poste_test_wire_write_line (c->s->conn, command, c->s->cancellable, &error))
        {
          tp_session_fail (c->s, error);
          return FALSE;
        }
    }
  if (!poste_test_wire_write (c->s->conn, c->out->data, length, c->s->cancellable, &error))
    {
      tp_session_fail (c->s, error);
      return FALSE;
    }
  c->sent += length;
  g_byte_array_set_size (c->out, 0);
  if (silent)
    {
      poste_test_wire_flush (c->s->conn, c->s->cancellable, NULL);
      tp_go_silent (c->s);
      return FALSE;
    }
  if (drop)
    {
      poste_test_wire_flush (c->s->conn, c->s->cancellable, NULL);
      tp_transcript_add (c->s, "", "[drop in data]", -1);
      tp_close_now (c->s);
      return FALSE;
    }
  if (c->bdat && (length > 0 || last))
    {
      if (!poste_test_wire_flush (c->s->conn, c->s->cancellable, &error))
        {
          tp_session_fail (c->s, error);
          return FALSE;
        }
      if ((reply = tp_read_reply (c->s)) == NULL)
        return FALSE;
      if (stray)
        {
          /* The reply to the stray line, whatever it is. */
          g_autoptr(PosteTestReply) extra = tp_read_reply (c->s);

          if (extra == NULL)
            return FALSE;
        }
      if (reply->code != 250 || last)
        {
          c->code = reply->code;
          return last && reply->code == 250;
        }
    }
  return TRUE;
}

/* Adds message bytes: bare LF becomes CR LF when normalising, "." at a line start doubles (DATA
 * only). Works on runs between line ends, so gigabytes stream at memory speed. */
static gboolean
content_add (Content      *c,
             const guint8 *data,
             gsize         length)
{
  gsize i = 0;

  while (i < length)
    {
      const guint8 *lf;
      gsize end;

      if (c->line_start && data[i] == '.' && !c->bdat)
        g_byte_array_append (c->out, (const guint8 *) ".", 1);
      lf = memchr (data + i, '\n', MIN (length - i, CHUNK_SIZE));
      end = lf != NULL ? (gsize) (lf - data) : i + MIN (length - i, CHUNK_SIZE);
      if (end > i)
        {
          g_byte_array_append (c->out, data + i, end - i);
          c->prev_cr = data[end - 1] == '\r';
          c->line_start = FALSE;
        }
      if (lf != NULL)
        {
          if (c->normalise && !c->prev_cr)
            g_byte_array_append (c->out, (const guint8 *) "\r\n", 2);
          else
            g_byte_array_append (c->out, (const guint8 *) "\n", 1);
          c->line_start = TRUE;
          c->prev_cr = FALSE;
          end++;
        }
      i = end;
      if (c->out->len >= CHUNK_SIZE && !content_flush (c, FALSE))
        return FALSE;
    }
  return TRUE;
}

/* huge=BYTES: lines of filler after the message's own text, generated as they are sent. */
static gboolean
content_add_filler (Content *c,
                    guint64  bytes)
{
  static const char line[] =
    "Filler filler filler filler filler filler filler filler filler filler fill\r\n";
  guint64 done;

  for (done = 0; done < bytes; done += sizeof line - 1)
    if (!content_add (c, (const guint8 *) line, sizeof line - 1))
      return FALSE;
  return TRUE;
}

/* The fault lines that go ahead of every message's own text. */
static gboolean
content_add_faults (Content *c)
{
  const Faults *f = &c->s->provider->faults;
  gboolean normalise = c->normalise;
  gboolean ok = TRUE;

  c->normalise = FALSE;
  if (f->bare_lf)
    ok = content_add (c, (const guint8 *) "X-Bare-LF: yes\n", 15);
  if (ok && f->nul)
    ok = content_add (c, (const guint8 *) "X-NUL: a\0b\r\n", 12);
  if (ok && f->long_line > 0)
    {
      static const char header[] = "X-Long: ";
      ok = content_add (c, (const guint8 *) header, sizeof header - 1);
      for (gsize i = sizeof header - 1; ok && i < f->long_line; i++)
        ok = content_add (c, (const guint8 *) "x", 1);
      ok = ok && content_add (c, (const guint8 *) "\r\n", 2);
    }
  c->normalise = normalise;
  return ok;
}

/* Streams the message's content, from memory or from its file. */
static gboolean
content_add_message (Content          *c,
                     PosteTestMessage *m)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileInputStream) in = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *buffer = NULL;

  if (!content_add_faults (c))
    return FALSE;
  if (m->data != NULL)
    {
      gsize length;
      const guint8 *data = g_bytes_get_data (m->data, &length);
      return content_add (c, data, length) &&
             content_add_filler (c, c->s->provider->faults.huge);
    }

  file = g_file_new_for_path (m->path);
  in = g_file_read (file, NULL, &error);
  if (in == NULL)
    {
      tp_session_fail (c->s, error);
      return FALSE;
    }
  buffer = g_malloc (CHUNK_SIZE);
  for (;;)
    {
      gssize n = g_input_stream_read (G_INPUT_STREAM (in), buffer, CHUNK_SIZE, NULL, &error);
      if (n < 0)
        {
          tp_session_fail (c->s, error);
          return FALSE;
        }
      if (n == 0)
        return content_add_filler (c, c->s->provider->faults.huge);
      if (!content_add (c, buffer, (gsize) n))
        return FALSE;
    }
}

/* Sends the message with DATA (dot-stuffed, RFC 5321 section 4.5.2) or BDAT; *code is the
 * customer's reply to its end (or to DATA, or to a refused chunk). FALSE when the connection is
 * gone. */
static gboolean
send_content (Session          *s,
              PosteTestMessage *m,
              gboolean          bdat,
              guint            *code)
{
  g_autoptr(GByteArray) out = g_byte_array_sized_new (CHUNK_SIZE + 16);
  g_autoptr(PosteTestReply) reply = NULL;
  Content c = { 0 };

  c.s = s;
  c.line_start = TRUE;
  /* Spooled text was normalised when added; files are normalised as they stream. */
  c.normalise = m->path != NULL && !s->provider->faults.raw;
  c.bdat = bdat;
  c.out = out;

  *code = 0;
  if (!bdat)
    {
      if (!tp_send_line (s, "DATA"))
        return FALSE;
      if (!tp_enter_stage (s, STAGE_DATA))
        return FALSE;
      if ((reply = tp_read_reply (s)) == NULL)
        return FALSE;
      if (reply->code != 354)
        {
          *code = reply->code;
          return TRUE;
        }
      g_clear_pointer (&reply, poste_test_reply_free);
    }
  else if (!tp_enter_stage (s, STAGE_DATA))
    return FALSE;

  if (!content_add_message (&c, m))
    {
      *code = c.code;
      return !s->closed;
    }
  if (!bdat && !c.line_start)
    g_byte_array_append (c.out, (const guint8 *) "\r\n", 2);
  if (!content_flush (&c, bdat))
    {
      *code = c.code;
      return !s->closed;
    }
  if (bdat)
    {
      *code = c.code;
      return TRUE;
    }
  tp_transcript_add (s, "S: ", "[message content]", -1);
  if (!tp_send_line (s, "."))
    return FALSE;
  if ((reply = tp_read_reply (s)) == NULL)
    return FALSE;
  *code = reply->code;
  return TRUE;
}

static void
remove_recipients (PosteTestProvider *self,
                   PosteTestMessage  *m,
                   GPtrArray         *gone)
{
  g_mutex_lock (&self->lock);
  for (guint i = 0; i < gone->len; i++)
    for (guint j = 0; j < m->recipients->len; j++)
      if (g_str_equal (g_ptr_array_index (m->recipients, j), g_ptr_array_index (gone, i)))
        {
          g_ptr_array_remove_index (m->recipients, j);
          break;
        }
  if (m->recipients->len == 0)
    g_ptr_array_remove (self->spool, m);
  g_mutex_unlock (&self->lock);
}

/* The provider gives up on @gone (refused with 5xx): they leave the spool and are listed as
 * returned to the sender. */
static void
return_to_sender (PosteTestProvider *self,
                  PosteTestMessage  *m,
                  GPtrArray         *gone)
{
  g_autoptr(GPtrArray) copy = g_ptr_array_new_with_free_func (g_free);

  if (gone->len == 0)
    return;
  for (guint i = 0; i < gone->len; i++)
    g_ptr_array_add (copy, g_strdup (g_ptr_array_index (gone, i)));
  g_mutex_lock (&self->lock);
  g_ptr_array_add (self->returned, tp_message_new (m->sender, g_steal_pointer (&copy), m->data,
                                                   m->path));
  g_mutex_unlock (&self->lock);
  remove_recipients (self, m, gone);
}

/* One transaction for @m: MAIL, RCPT for each of its recipients in the session's domains, DATA.
 * Returns FALSE when the connection is gone; *progress tells whether a recipient was settled. */
static gboolean
deliver_once (Session          *s,
              PosteTestMessage *m,
              gboolean         *progress)
{
  const Faults *f = &s->provider->faults;
  g_autoptr(GPtrArray) rcpts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) accepted = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) refused = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(PosteTestReply) reply = NULL;
  gboolean pipeline = f->pipelining && s->peer_pipelining;
  g_autofree char *size_param = NULL;
  guint mail_code;
  guint code = 0;

  *progress = FALSE;
  g_mutex_lock (&s->provider->lock);
  for (guint i = 0; i < m->recipients->len; i++)
    {
      const char *r = g_ptr_array_index (m->recipients, i);
      if (f->any_recipient ||
          tp_domain_in (tp_address_domain (r), (const char * const *) s->domains))
        g_ptr_array_add (rcpts, g_strdup (r));
    }
  g_mutex_unlock (&s->provider->lock);
  if (rcpts->len == 0)
    return TRUE;

  /* size: RFC 1870's SIZE=, the message as spooled (a streamed file's size is not read). */
  if (f->size && m->data != NULL)
    size_param = g_strdup_printf (" SIZE=%" G_GSIZE_FORMAT, g_bytes_get_size (m->data) + (gsize) f->huge);

  if (pipeline)
    {
      /* RFC 2920: MAIL and every RCPT in one write, then their replies in order. */
      g_autoptr(GString) group = g_string_new (NULL);

      g_string_append_printf (group, "MAIL FROM:<%s>%s%s\r\n", m->sender,
                              s->peer_8bitmime ? " BODY=8BITMIME" : "",
                              size_param != NULL ? size_param : "");
      for (guint i = 0; i < rcpts->len; i++)
        g_string_append_printf (group, "RCPT TO:<%s>\r\n", (char *) g_ptr_array_index (rcpts, i));
      if (!tp_send_raw (s, group->str, group->len) ||
          !tp_enter_stage (s, STAGE_MAIL) || !tp_enter_stage (s, STAGE_RCPT))
        return FALSE;
    }
  else if (!tp_send_line (s, "MAIL FROM:<%s>%s%s", m->sender,
                          s->peer_8bitmime ? " BODY=8BITMIME" : "",
                          size_param != NULL ? size_param : "") ||
           !tp_enter_stage (s, STAGE_MAIL))
    return FALSE;
  if ((reply = tp_read_reply (s)) == NULL)
    return FALSE;
  mail_code = reply->code;
  g_clear_pointer (&reply, poste_test_reply_free);

  for (guint i = 0; i < rcpts->len; i++)
    {
      const char *r = g_ptr_array_index (rcpts, i);

      if (!pipeline)
        {
          if (mail_code / 100 != 2)
            break;
          if (!tp_send_line (s, "RCPT TO:<%s>", r))
            return FALSE;
          if (i == 0 && !tp_enter_stage (s, STAGE_RCPT))
            return FALSE;
        }
      if ((reply = tp_read_reply (s)) == NULL)
        return FALSE;
      if (mail_code / 100 == 2)
        {
          if (reply->code / 100 == 2)
            g_ptr_array_add (accepted, g_strdup (r));
          else if (reply->code / 100 == 5)
            g_ptr_array_add (refused, g_strdup (r));
          /* 4xx, 452 included: the recipient waits for a later transaction. */
          else if (reply->code / 100 == 4 && f->quit_after_4xx)
            s->quit_now = TRUE;
        }
      g_clear_pointer (&reply, poste_test_reply_free);
    }

  if (mail_code / 100 == 5 && f->return_5xx)
    {
      /* The sender was refused for good: every recipient's copy goes back. */
      for (guint i = 0; i < rcpts->len; i++)
        g_ptr_array_add (refused, g_strdup (g_ptr_array_index (rcpts, i)));
      g_ptr_array_set_size (accepted, 0);
    }
  if (mail_code / 100 != 2 || accepted->len == 0)
    {
      /* quit-after-4xx: no RSET, the session ends at once with QUIT. */
      if (!s->quit_now && (!tp_send_line (s, "RSET") || (reply = tp_read_reply (s)) == NULL))
        return FALSE;
      if (refused->len > 0)
        {
          return_to_sender (s->provider, m, refused);
          *progress = TRUE;
        }
      return TRUE;
    }

  if (!send_content (s, m, f->bdat && s->peer_chunking, &code))
    return FALSE;

  if (code == 250)
    {
      g_autoptr(GPtrArray) copy = g_ptr_array_new_with_free_func (g_free);

      if (!tp_enter_stage (s, STAGE_AFTER_250))
        return FALSE;
      for (guint i = 0; i < accepted->len; i++)
        g_ptr_array_add (copy, g_strdup (g_ptr_array_index (accepted, i)));
      g_mutex_lock (&s->provider->lock);
      g_ptr_array_add (s->provider->accepted,
                       tp_message_new (m->sender, g_steal_pointer (&copy), m->data, m->path));
      g_mutex_unlock (&s->provider->lock);
      s->handed_over++;
      return_to_sender (s->provider, m, refused);
      remove_recipients (s->provider, m, accepted);
      *progress = TRUE;
    }
  else if (code / 100 == 5 && f->return_5xx)
    {
      /* The message is refused for good: it goes back to its sender, as a real provider's
       * bounce would. */
      for (guint i = 0; i < accepted->len; i++)
        g_ptr_array_add (refused, g_strdup (g_ptr_array_index (accepted, i)));
      return_to_sender (s->provider, m, refused);
      *progress = TRUE;
    }
  /* Otherwise, 4xx and 5xx to the end of data: the provider keeps the message. */
  return TRUE;
}

static gboolean
deliver_message (Session          *s,
                 PosteTestMessage *m)
{
  gboolean progress = TRUE;

  /* Again while recipients remain and the last transaction settled some (452 limits). */
  while (progress && !s->quit_now)
    {
      if (!deliver_once (s, m, &progress))
        return FALSE;
      g_mutex_lock (&s->provider->lock);
      if (m->recipients->len == 0)
        progress = FALSE;
      g_mutex_unlock (&s->provider->lock);
    }
  return TRUE;
}

static gboolean
reversed_hello (Session *s)
{
  g_autoptr(PosteTestReply) reply = NULL;

  if ((reply = tp_read_reply (s)) == NULL)
    return FALSE;
  if (!tp_enter_stage (s, STAGE_OUR_220))
    return FALSE;
  if (reply->code != 220)
    {
      tp_send_line (s, "QUIT");
      return FALSE;
    }
  g_clear_pointer (&reply, poste_test_reply_free);

  if (!tp_send_line (s, "EHLO %s", s->provider->hostname) || (reply = tp_read_reply (s)) == NULL)
    return FALSE;
  if (reply->code != 250)
    {
      g_clear_pointer (&reply, poste_test_reply_free);
      if (!tp_send_line (s, "HELO %s", s->provider->hostname) ||
          (reply = tp_read_reply (s)) == NULL)
        return FALSE;
      if (reply->code != 250)
        {
          tp_send_line (s, "QUIT");
          return FALSE;
        }
      return TRUE;
    }
  s->peer_pipelining = poste_test_reply_has_keyword (reply, "PIPELINING", NULL);
  s->peer_chunking = poste_test_reply_has_keyword (reply, "CHUNKING", NULL);
  s->peer_8bitmime = poste_test_reply_has_keyword (reply, "8BITMIME", NULL);
  return TRUE;
}

/* tls-plain-quit: the customer's 220 is read, then "QUIT" goes out in plain text on the socket
 * under TLS (not a TLS record), and we wait for the customer to hang up. */
static void
plain_quit (Session *s)
{
  g_autoptr(PosteTestReply) reply = NULL;
  g_autoptr(GError) error = NULL;
  GSocket *socket = g_socket_connection_get_socket (s->socket);
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (s->socket));
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (s->socket));
  char buffer[256];

  if ((reply = tp_read_reply (s)) == NULL)
    return;
  tp_transcript_add (s, "S: ", "QUIT [in plain text, outside TLS]", -1);
  if (!g_output_stream_write_all (out, "QUIT\r\n", 6, NULL, s->cancellable, &error))
    {
      tp_session_fail (s, error);
      return;
    }
  g_socket_set_timeout (socket, s->provider->timeout);
  for (guint i = 0; i < 1024; i++)
    if (g_input_stream_read (in, buffer, sizeof buffer, s->cancellable, NULL) <= 0)
      break;
  tp_transcript_add (s, "", "[closed]", -1);
  s->closed = TRUE;
}

void
tp_reversed_session (Session *s)
{
  const Faults *f = &s->provider->faults;
  g_autoptr(GPtrArray) todo =
      g_ptr_array_new_with_free_func ((GDestroyNotify) poste_test_message_unref);
  g_autoptr(PosteTestReply) reply = NULL;

  if (!tp_enter_stage (s, STAGE_TURN))
    return;
  if (f->tls_plain_quit &&
      tp_count_for_domains (s->provider, (const char * const *) s->domains) == 0)
    {
      plain_quit (s);
      return;
    }
  if (!reversed_hello (s))
    return;

  if (!s->provider->faults.ehlo_quit)
    {
      g_mutex_lock (&s->provider->lock);
      for (guint i = 0; i < s->provider->spool->len; i++)
        g_ptr_array_add (todo, poste_test_message_ref (g_ptr_array_index (s->provider->spool, i)));
      g_mutex_unlock (&s->provider->lock);

      for (guint i = 0; i < todo->len; i++)
        {
          if (!deliver_message (s, g_ptr_array_index (todo, i)))
            return;
          /* per-session=N: the rest waits for the next session (Exim over TLS: N = 1). */
          if (s->quit_now ||
              (f->per_session > 0 && s->handed_over >= f->per_session))
            break;
        }
    }

  if (!tp_enter_stage (s, STAGE_QUIT))
    return;
  if (tp_send_line (s, "QUIT"))
    reply = tp_read_reply (s);
}
