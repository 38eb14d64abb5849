/* poste-test-provider.c: the provider side of ODMR (RFC 2645), for tests, the demo and benchmarks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A faithful, small ODMR provider: an SMTP server for the client phase (EHLO, STARTTLS per
 * RFC 3207, AUTH per RFC 4954 through libgsasl, ATRN per RFC 2645) that turns around on ATRN and
 * becomes an SMTP client (RFC 5321) delivering its spool to the customer, with PIPELINING
 * (RFC 2920) and BDAT (RFC 3030) when asked. Every read is bounded in length and in time (the
 * provider's timeout) by its own line reader and reply parser (poste-test-wire.c), which share no
 * code with the customer's. It serves one connection at a time in a thread of its own.
 *
 * Misbehaviour is scripted with "faults" (see poste-test-provider.h), so the customer's handling of
 * every odd reply, every drop and every malformed byte can be tested against real sockets.
 */
#include "config.h"

#include <errno.h>
#include <gsasl.h>
#include <string.h>

#include "poste-data-decoder.h"
#include "poste-error.h"
#include "poste-reply.h"
#include "poste-test-provider.h"
#include "poste-test-wire.h"

/* RFC 4954 section 4: a SASL line may be 12288 octets; commands are far shorter. */
#define MAX_COMMAND_LINE   12288
#define MAX_BAD_COMMANDS   20
#define DEFAULT_TIMEOUT    30
#define MAX_SUBMITTED_SIZE (128 * 1024 * 1024)
#define CHUNK_SIZE         (64 * 1024)
#define DEFAULT_MECHANISMS "SCRAM-SHA-256,SCRAM-SHA-1,CRAM-MD5,PLAIN,LOGIN"

/* The session's stages, in order: the names are those of the drop= and silent= faults. */
typedef enum {
  STAGE_NONE = -1,
  STAGE_GREETING = 0,
  STAGE_EHLO,
  STAGE_STARTTLS,
  STAGE_HANDSHAKE,
  STAGE_AUTH,
  STAGE_ATRN,
  STAGE_TURN,
  STAGE_OUR_220,
  STAGE_MAIL,
  STAGE_RCPT,
  STAGE_DATA,
  STAGE_AFTER_250,
  STAGE_QUIT,
  N_STAGES
} Stage;

static const char * const stage_names[N_STAGES] = {
  [STAGE_GREETING] = "greeting",
  [STAGE_EHLO] = "ehlo",
  [STAGE_STARTTLS] = "starttls",
  [STAGE_HANDSHAKE] = "handshake",
  [STAGE_AUTH] = "auth",
  [STAGE_ATRN] = "atrn",
  [STAGE_TURN] = "turn",
  [STAGE_OUR_220] = "our-220",
  [STAGE_MAIL] = "mail",
  [STAGE_RCPT] = "rcpt",
  [STAGE_DATA] = "data",
  [STAGE_AFTER_250] = "after-250",
  [STAGE_QUIT] = "quit",
};

typedef struct {
  guint     atrn_code;
  char     *atrn_text;
  gboolean  atrn_multiline;
  Stage     drop;
  Stage     silent;
  gint64    drop_in_data;
  gint64    silent_in_data;
  guint     slow_ms;
  gboolean  inject_after_starttls;
  gboolean  no_starttls;
  guint     starttls_code;
  char    **mechanisms;
  gboolean  plain_in_clear;
  gboolean  bare_lf;
  gsize     long_line;
  gboolean  nul;
  gboolean  reply_long_line;
  gboolean  reply_endless;
  gboolean  reply_code_change;
  gboolean  junk_334;
  gboolean  pipelining;
  gboolean  bdat;
  gboolean  size;
  gboolean  ehlo_quit;
  gboolean  raw;
  gboolean  any_recipient;
  guint64   scram_iterations;
  guint64   huge;
  char     *cram_challenge;
  guint     per_session;      /* 0: no limit */
  gboolean  bdat_short;
  gboolean  tls_plain_quit;
  gboolean  quit_after_4xx;
  gboolean  atrn_needs_domains;
  gboolean  return_5xx;
  guint     etrn_code;
  char     *etrn_text;
  guint     submit_mail;   /* submission mode: the reply to MAIL, RCPT, DATA, the final dot */
  guint     submit_rcpt;
  char     *submit_rcpt_for;
  guint     submit_data;
  guint     submit_end;
} Faults;

typedef struct {
  char  *user;
  char  *password;
  char **domains;
} Account;

typedef struct {
  PosteTestMessage pub;
  gatomicrefcount  ref_count;
} Message;

struct _PosteTestProvider
{
  GObject            parent_instance;

  GMutex             lock;
  GCond              cond;

  PosteTestTls       tls_mode;
  GTlsCertificate   *certificate;
  char              *hostname;
  guint16            port;
  gboolean           ipv6;
  guint              timeout;
  Faults             faults;

  GPtrArray         *accounts;   /* Account*, never removed while running */
  GPtrArray         *spool;      /* PosteTestMessage* (Message) */
  GPtrArray         *accepted;   /* PosteTestMessage* */
  GPtrArray         *returned;   /* PosteTestMessage*: refused with 5xx, back to the sender */
  GString           *transcript; /* the current or last session */
  guint              sessions;
  gboolean           submission; /* RFC 6409 submission instead of ODMR */

  GSocketListener   *listener;
  GThread           *thread;
  GCancellable      *cancellable;
  Gsasl             *gsasl;
};

G_DEFINE_FINAL_TYPE (PosteTestProvider, poste_test_provider, G_TYPE_OBJECT)

typedef struct {
  PosteTestProvider *provider;
  PosteTestWire     *conn;
  GSocketConnection *socket;            /* under TLS, for tls-plain-quit */
  GCancellable      *cancellable;
  Stage              stage;
  guint              handed_over;       /* messages answered 250 in this session */
  gboolean           quit_now;          /* quit-after-4xx: a recipient got 4xx */
  gboolean           tls_active;
  gboolean           closed;
  const Account     *account;
  char             **domains;    /* what ATRN asked for */
  gboolean           peer_pipelining;
  gboolean           peer_chunking;
  gboolean           peer_8bitmime;
  GTlsCertificate   *peer_certificate;  /* the client certificate, for EXTERNAL */
  char              *external_user;     /* who EXTERNAL authenticated */
  char              *cb_exporter;       /* channel bindings, base64 (RFC 9266, RFC 5929) */
  char              *cb_unique;
  char              *mail_from;         /* submission mode: the transaction */
  GPtrArray         *rcpt_to;
} Session;

/* Messages */

static PosteTestMessage *
message_new (const char          *sender,
             GPtrArray           *recipients,
             GBytes              *data,
             const char          *path)
{
  Message *m = g_new0 (Message, 1);

  g_atomic_ref_count_init (&m->ref_count);
  m->pub.sender = g_strdup (sender != NULL ? sender : "");
  m->pub.recipients = recipients;
  m->pub.data = data != NULL ? g_bytes_ref (data) : NULL;
  m->pub.path = g_strdup (path);
  return &m->pub;
}

/**
 * poste_test_message_ref:
 * @message: a #PosteTestMessage
 *
 * Returns: (transfer full): @message, with one more reference
 */
PosteTestMessage *
poste_test_message_ref (PosteTestMessage *message)
{
  Message *m = (Message *) message;

  g_return_val_if_fail (message != NULL, NULL);
  g_atomic_ref_count_inc (&m->ref_count);
  return message;
}

/**
 * poste_test_message_unref:
 * @message: (transfer full): a #PosteTestMessage
 *
 * Drops a reference; frees the message with the last one.
 */
void
poste_test_message_unref (PosteTestMessage *message)
{
  Message *m = (Message *) message;

  g_return_if_fail (message != NULL);
  if (!g_atomic_ref_count_dec (&m->ref_count))
    return;
  g_free (m->pub.sender);
  g_ptr_array_unref (m->pub.recipients);
  g_clear_pointer (&m->pub.data, g_bytes_unref);
  g_free (m->pub.path);
  g_free (m);
}

static const char *
address_domain (const char *address)
{
  const char *at = strrchr (address, '@');

  return at != NULL ? at + 1 : "";
}

static gboolean
domain_in (const char          *domain,
           const char * const  *domains)
{
  for (guint i = 0; domains != NULL && domains[i] != NULL; i++)
    if (g_ascii_strcasecmp (domain, domains[i]) == 0)
      return TRUE;
  return FALSE;
}

/* Faults */

static void
faults_clear (Faults *f)
{
  g_clear_pointer (&f->atrn_text, g_free);
  g_clear_pointer (&f->etrn_text, g_free);
  g_clear_pointer (&f->mechanisms, g_strfreev);
  g_clear_pointer (&f->cram_challenge, g_free);
  g_clear_pointer (&f->submit_rcpt_for, g_free);
  memset (f, 0, sizeof *f);
  f->drop = STAGE_NONE;
  f->silent = STAGE_NONE;
  f->drop_in_data = -1;
  f->silent_in_data = -1;
  f->pipelining = TRUE;
}

static Stage
stage_from_name (const char *name)
{
  for (int i = 0; i < N_STAGES; i++)
    if (g_strcmp0 (stage_names[i], name) == 0)
      return (Stage) i;
  return STAGE_NONE;
}

static gboolean
parse_number (const char  *name,
              const char  *value,
              guint64      max,
              guint64     *out,
              GError     **error)
{
  if (value == NULL ||
      !g_ascii_string_to_unsigned (value, 10, 0, max, out, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Fault %s needs a number up to %" G_GUINT64_FORMAT, name, max);
      return FALSE;
    }
  return TRUE;
}

static gboolean
faults_parse (Faults      *f,
              const char  *spec,
              GError     **error)
{
  g_auto(GStrv) words = g_strsplit_set (spec != NULL ? spec : "", " \t\n", -1);

  for (guint i = 0; words[i] != NULL; i++)
    {
      g_autofree char *name = NULL;
      const char *value = NULL;
      char *eq;
      guint64 n;

      if (words[i][0] == '\0')
        continue;
      name = g_strdup (words[i]);
      eq = strchr (name, '=');
      if (eq != NULL)
        {
          *eq = '\0';
          value = eq + 1;
        }

      if (g_str_equal (name, "atrn-reply"))
        {
          const char *colon = value != NULL ? strchr (value, ':') : NULL;
          g_autofree char *code = colon != NULL ? g_strndup (value, colon - value)
                                                : g_strdup (value);

          if (!parse_number (name, code, 599, &n, error))
            return FALSE;
          if (n < 200)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "atrn-reply needs a code from 200 to 599");
              return FALSE;
            }
          f->atrn_code = (guint) n;
          g_free (f->atrn_text);
          f->atrn_text = g_strdup (colon != NULL ? colon + 1 : NULL);
          if (f->atrn_text != NULL)
            g_strdelimit (f->atrn_text, "_", ' ');
        }
      else if (g_str_equal (name, "etrn-reply"))
        {
          const char *colon = value != NULL ? strchr (value, ':') : NULL;
          g_autofree char *code = colon != NULL ? g_strndup (value, colon - value)
                                                : g_strdup (value);

          if (!parse_number (name, code, 599, &n, error) || n < 200)
            {
              g_clear_error (error);
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "etrn-reply needs a code from 200 to 599");
              return FALSE;
            }
          f->etrn_code = (guint) n;
          g_free (f->etrn_text);
          f->etrn_text = g_strdup (colon != NULL ? colon + 1 : NULL);
          if (f->etrn_text != NULL)
            g_strdelimit (f->etrn_text, "_", ' ');
        }
      else if (g_str_equal (name, "atrn-multiline"))
        f->atrn_multiline = TRUE;
      else if (g_str_equal (name, "drop") || g_str_equal (name, "silent"))
        {
          Stage stage = stage_from_name (value);

          if (stage == STAGE_NONE)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "Unknown stage “%s” for %s", value != NULL ? value : "", name);
              return FALSE;
            }
          if (g_str_equal (name, "drop"))
            f->drop = stage;
          else
            f->silent = stage;
        }
      else if (g_str_equal (name, "drop-in-data"))
        {
          if (!parse_number (name, value, G_MAXINT64, &n, error))
            return FALSE;
          f->drop_in_data = (gint64) n;
        }
      else if (g_str_equal (name, "silent-in-data"))
        {
          if (!parse_number (name, value, G_MAXINT64, &n, error))
            return FALSE;
          f->silent_in_data = (gint64) n;
        }
      else if (g_str_equal (name, "slow-lines"))
        {
          if (!parse_number (name, value, 600000, &n, error))
            return FALSE;
          f->slow_ms = (guint) n;
        }
      else if (g_str_equal (name, "inject-after-starttls"))
        f->inject_after_starttls = TRUE;
      else if (g_str_equal (name, "no-starttls"))
        f->no_starttls = TRUE;
      else if (g_str_equal (name, "starttls-reply"))
        {
          if (!parse_number (name, value, 599, &n, error))
            return FALSE;
          f->starttls_code = (guint) n;
        }
      else if (g_str_equal (name, "mechanisms"))
        {
          g_strfreev (f->mechanisms);
          f->mechanisms = g_strsplit (value != NULL ? value : "", ",", -1);
          for (guint j = 0; f->mechanisms[j] != NULL; j++)
            {
              char *up = g_ascii_strup (f->mechanisms[j], -1);
              g_free (f->mechanisms[j]);
              f->mechanisms[j] = up;
            }
        }
      else if (g_str_equal (name, "plain-auth-in-clear"))
        f->plain_in_clear = TRUE;
      else if (g_str_equal (name, "bare-lf"))
        f->bare_lf = TRUE;
      else if (g_str_equal (name, "long-line"))
        {
          if (!parse_number (name, value, 64 * 1024 * 1024, &n, error))
            return FALSE;
          f->long_line = (gsize) n;
        }
      else if (g_str_equal (name, "nul"))
        f->nul = TRUE;
      else if (g_str_equal (name, "reply-long-line"))
        f->reply_long_line = TRUE;
      else if (g_str_equal (name, "reply-endless-multiline"))
        f->reply_endless = TRUE;
      else if (g_str_equal (name, "reply-code-change"))
        f->reply_code_change = TRUE;
      else if (g_str_equal (name, "junk-334"))
        f->junk_334 = TRUE;
      else if (g_str_equal (name, "pipelining"))
        f->pipelining = TRUE;
      else if (g_str_equal (name, "no-pipelining"))
        f->pipelining = FALSE;
      else if (g_str_equal (name, "bdat"))
        f->bdat = TRUE;
      else if (g_str_equal (name, "size"))
        f->size = TRUE;
      else if (g_str_equal (name, "ehlo-quit"))
        f->ehlo_quit = TRUE;
      else if (g_str_equal (name, "raw"))
        f->raw = TRUE;
      else if (g_str_equal (name, "any-recipient"))
        f->any_recipient = TRUE;
      else if (g_str_equal (name, "scram-iterations"))
        {
          if (!parse_number (name, value, G_MAXUINT32, &n, error))
            return FALSE;
          f->scram_iterations = n;
        }
      else if (g_str_equal (name, "huge"))
        {
          if (!parse_number (name, value, G_MAXUINT64 / 2, &n, error))
            return FALSE;
          f->huge = n;
        }
      else if (g_str_equal (name, "per-session"))
        {
          if (!parse_number (name, value, G_MAXUINT, &n, error))
            return FALSE;
          f->per_session = (guint) n;
        }
      else if (g_str_equal (name, "bdat-short"))
        f->bdat_short = TRUE;
      else if (g_str_equal (name, "tls-plain-quit"))
        f->tls_plain_quit = TRUE;
      else if (g_str_equal (name, "quit-after-4xx"))
        f->quit_after_4xx = TRUE;
      else if (g_str_equal (name, "atrn-needs-domains"))
        f->atrn_needs_domains = TRUE;
      else if (g_str_equal (name, "return-5xx"))
        f->return_5xx = TRUE;
      else if (g_str_equal (name, "cram-challenge"))
        {
          g_free (f->cram_challenge);
          f->cram_challenge = g_strdup (value);
        }
      else if (g_str_equal (name, "submit-rcpt") && value != NULL && strchr (value, ':') != NULL)
        {
          /* submit-rcpt=CODE:ADDRESS: only that recipient gets CODE. */
          const char *colon = strchr (value, ':');
          g_autofree char *code = g_strndup (value, colon - value);

          if (!parse_number (name, code, 599, &n, error))
            return FALSE;
          f->submit_rcpt = (guint) n;
          g_free (f->submit_rcpt_for);
          f->submit_rcpt_for = g_strdup (colon + 1);
        }
      else if (g_str_equal (name, "submit-mail") || g_str_equal (name, "submit-rcpt") ||
               g_str_equal (name, "submit-data") || g_str_equal (name, "submit-end"))
        {
          if (!parse_number (name, value, 599, &n, error))
            return FALSE;
          if (n < 200)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "%s needs a code from 200 to 599", name);
              return FALSE;
            }
          if (g_str_equal (name, "submit-mail"))
            f->submit_mail = (guint) n;
          else if (g_str_equal (name, "submit-rcpt"))
            f->submit_rcpt = (guint) n;
          else if (g_str_equal (name, "submit-data"))
            f->submit_data = (guint) n;
          else
            f->submit_end = (guint) n;
        }
      else
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "Unknown fault “%s”",
                       words[i]);
          return FALSE;
        }
    }
  return TRUE;
}

/* Transcript and line I/O */

static void
transcript_add (Session    *s,
                const char *prefix,
                const char *text,
                gssize      length)
{
  g_autofree char *printable = poste_printable (text, length);

  g_mutex_lock (&s->provider->lock);
  g_string_append_printf (s->provider->transcript, "%s%s\n", prefix, printable);
  g_mutex_unlock (&s->provider->lock);
}

static void
session_fail (Session      *s,
              const GError *error)
{
  g_autofree char *note = g_strdup_printf ("[%s: %s]", stage_names[MAX (s->stage, 0)],
                                           error != NULL ? error->message : "closed");

  transcript_add (s, "", note, -1);
  s->closed = TRUE;
}

static void
slow_down (Session *s)
{
  if (s->provider->faults.slow_ms > 0)
    g_usleep ((gulong) s->provider->faults.slow_ms * 1000);
}

/* Sends raw bytes, logging each line of them as an "S:" entry (at most 4096 bytes of each). */
static gboolean
send_raw (Session    *s,
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
      transcript_add (s, "S: ", data + start, MIN (shown, 4096));
      start = end + 1;
    }
  slow_down (s);
  if (!poste_test_wire_write (s->conn, data, length, s->cancellable, &error) ||
      !poste_test_wire_flush (s->conn, s->cancellable, &error))
    {
      session_fail (s, error);
      return FALSE;
    }
  return TRUE;
}

static gboolean send_line (Session *s, const char *format, ...) G_GNUC_PRINTF (2, 3);

static gboolean
send_line (Session    *s,
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
  return send_raw (s, wire, strlen (wire));
}

/* Sends a reply of one or more lines, every line with @code. */
static gboolean
send_reply (Session            *s,
            guint               code,
            const char * const *lines)
{
  g_autoptr(GString) wire = g_string_new (NULL);

  for (guint i = 0; lines[i] != NULL; i++)
    g_string_append_printf (wire, "%03u%c%s\r\n", code, lines[i + 1] != NULL ? '-' : ' ',
                            lines[i]);
  return send_raw (s, wire->str, wire->len);
}

static char *
read_command (Session *s,
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
        send_line (s, "500 5.5.2 Line too long");
      session_fail (s, error);
      return NULL;
    }
  if (secret)
    transcript_add (s, "C: ", "<SASL data>", -1);
  else if (length > 5 && g_ascii_strncasecmp (line, "AUTH ", 5) == 0 &&
           memchr (line + 5, ' ', length - 5) != NULL)
    {
      /* AUTH MECH initial-response: the response is a secret too. */
      const char *space = memchr (line + 5, ' ', length - 5);
      g_autofree char *shown = g_strdup_printf ("%.*s <SASL data>", (int) (space - line), line);
      transcript_add (s, "C: ", shown, -1);
    }
  else
    transcript_add (s, "C: ", line, (gssize) length);
  if (memchr (line, '\0', length) != NULL)
    return g_strdup ("");
  return g_strndup (line, length);
}

static PosteTestReply *
read_reply (Session *s)
{
  g_autoptr(GError) error = NULL;
  PosteTestReply *reply;

  reply = poste_test_reply_read (s->conn, s->cancellable, &error);
  if (reply == NULL)
    {
      session_fail (s, error);
      return NULL;
    }
  for (guint i = 0; reply->lines[i] != NULL; i++)
    {
      g_autofree char *text = g_strdup_printf ("%03u%c%s", reply->code,
                                               reply->lines[i + 1] != NULL ? '-' : ' ',
                                               reply->lines[i]);
      transcript_add (s, "C: ", text, -1);
    }
  return reply;
}

/* Waits, saying nothing, until the peer closes, the timeout passes or the provider stops. */
static void
go_silent (Session *s)
{
  transcript_add (s, "", "[silent]", -1);
  for (;;)
    {
      gsize length;

      if (poste_test_wire_peek (s->conn, &length, s->cancellable, NULL) == NULL)
        break;
      poste_test_wire_consume (s->conn, length);
    }
  s->closed = TRUE;
}

static void
close_now (Session *s)
{
  g_io_stream_close (poste_test_wire_get_stream (s->conn), NULL, NULL);
  s->closed = TRUE;
}

/* Enters @stage; returns FALSE when a drop= or silent= fault ends the session there. */
static gboolean
enter_stage (Session *s,
             Stage    stage)
{
  const Faults *f = &s->provider->faults;

  s->stage = stage;
  if (f->drop == stage)
    {
      transcript_add (s, "", "[drop]", -1);
      close_now (s);
      return FALSE;
    }
  if (f->silent == stage)
    {
      go_silent (s);
      return FALSE;
    }
  return TRUE;
}

/* Accounts and SASL */

static const Account *
find_account (PosteTestProvider *self,
              const char        *user)
{
  const Account *found = NULL;

  if (user == NULL)
    return NULL;
  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->accounts->len; i++)
    {
      const Account *a = g_ptr_array_index (self->accounts, i);
      if (g_str_equal (a->user, user))
        found = a;
    }
  g_mutex_unlock (&self->lock);
  return found;
}

/* The CN of a certificate's subject ("CN=u,O=..." from GnuTLS). */
static char *
certificate_cn (GTlsCertificate *certificate)
{
  g_autofree char *subject = g_tls_certificate_get_subject_name (certificate);
  g_auto(GStrv) parts = g_strsplit (subject != NULL ? subject : "", ",", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    if (g_str_has_prefix (parts[i], "CN="))
      return g_strdup (parts[i] + 3);
  return NULL;
}

static int
sasl_callback (Gsasl          *ctx,
               Gsasl_session  *sctx,
               Gsasl_property  prop)
{
  PosteTestProvider *self = gsasl_callback_hook_get (ctx);
  const Account *account;

  switch (prop)
    {
    case GSASL_PASSWORD:
      account = find_account (self, gsasl_property_fast (sctx, GSASL_AUTHID));
      if (account == NULL)
        return GSASL_NO_CALLBACK;
      return gsasl_property_set (sctx, GSASL_PASSWORD, account->password);
    case GSASL_CB_TLS_EXPORTER:
    case GSASL_CB_TLS_UNIQUE:
      {
        Session *s = gsasl_session_hook_get (sctx);
        const char *cb = s == NULL ? NULL
                                   : prop == GSASL_CB_TLS_EXPORTER ? s->cb_exporter : s->cb_unique;

        if (cb == NULL)
          return GSASL_NO_CALLBACK;
        return gsasl_property_set (sctx, prop, cb);
      }
    case GSASL_SCRAM_ITER:
      {
        g_autofree char *count = NULL;

        if (self->faults.scram_iterations == 0)
          return GSASL_NO_CALLBACK;
        count = g_strdup_printf ("%" G_GUINT64_FORMAT, self->faults.scram_iterations);
        return gsasl_property_set (sctx, GSASL_SCRAM_ITER, count);
      }
    case GSASL_VALIDATE_EXTERNAL:
      {
        Session *s = gsasl_session_hook_get (sctx);
        const char *authzid = gsasl_property_fast (sctx, GSASL_AUTHZID);
        g_autofree char *cn = NULL;

        if (s == NULL || s->peer_certificate == NULL)
          return GSASL_AUTHENTICATION_ERROR;
        cn = certificate_cn (s->peer_certificate);
        /* The certificate names the account; an authzid, if any, must name the same one. */
        if (cn == NULL || (authzid != NULL && authzid[0] != '\0' && !g_str_equal (authzid, cn)))
          return GSASL_AUTHENTICATION_ERROR;
        g_free (s->external_user);
        s->external_user = g_steal_pointer (&cn);
        return GSASL_OK;
      }
    default:
      return GSASL_NO_CALLBACK;
    }
}

static const char * const *
advertised_mechanisms (Session *s)
{
  return (const char * const *) s->provider->faults.mechanisms;
}

static gboolean
mechanism_is_plaintext (const char *mech)
{
  return g_ascii_strcasecmp (mech, "PLAIN") == 0 || g_ascii_strcasecmp (mech, "LOGIN") == 0;
}

/* Whether AUTH may offer @mech now: plaintext mechanisms only inside TLS (RFC 4954 section 4). */
static gboolean
mechanism_allowed (Session    *s,
                   const char *mech)
{
  if (g_ascii_strcasecmp (mech, "EXTERNAL") == 0)
    return s->peer_certificate != NULL;
  if (g_str_has_suffix (mech, "-PLUS"))
    return s->cb_exporter != NULL || s->cb_unique != NULL;
  return !mechanism_is_plaintext (mech) || s->tls_active || s->provider->faults.plain_in_clear;
}


/* CRAM-MD5 with a fixed challenge (RFC 2195), for tests that replay the RFC's example. */
static const Account *
auth_cram_fixed (Session    *s,
                 const char *initial)
{
  const char *challenge = s->provider->faults.cram_challenge;
  g_autofree char *encoded = g_base64_encode ((const guchar *) challenge, strlen (challenge));
  g_autofree char *line = NULL;
  g_autofree guchar *decoded = NULL;
  g_autofree char *response = NULL;
  g_autofree char *expected = NULL;
  const Account *account;
  gsize length;
  char *space;

  if (initial != NULL)
    return NULL;
  if (!send_line (s, "334 %s", encoded) || (line = read_command (s, TRUE)) == NULL)
    return NULL;
  decoded = g_base64_decode (line, &length);
  response = g_strndup ((const char *) decoded, length);
  space = strrchr (response, ' ');
  if (space == NULL)
    return NULL;
  *space = '\0';
  account = find_account (s->provider, response);
  if (account == NULL)
    return NULL;
  expected = g_compute_hmac_for_string (G_CHECKSUM_MD5, (const guchar *) account->password,
                                        strlen (account->password), challenge, -1);
  return g_str_equal (expected, space + 1) ? account : NULL;
}

/* AUTH (RFC 4954 section 4); TRUE when the session goes on, authenticated or not. */
static gboolean
handle_auth (Session    *s,
             const char *args)
{
  const Faults *f = &s->provider->faults;
  g_auto(GStrv) words = g_strsplit (args, " ", 2);
  Gsasl_session *sctx = NULL;
  const char *mech = words[0];
  const char *initial = words[0] != NULL ? words[1] : NULL;
  const Account *account = NULL;
  char *input = NULL;
  int rc;

  if (!enter_stage (s, STAGE_AUTH))
    return FALSE;
  if (s->account != NULL)
    return send_line (s, "503 5.5.1 Already authenticated");
  if (mech == NULL || mech[0] == '\0')
    return send_line (s, "501 5.5.4 AUTH needs a mechanism");
  if (!g_strv_contains (advertised_mechanisms (s), mech))
    return send_line (s, "504 5.5.4 Unrecognized authentication type");
  if (!mechanism_allowed (s, mech))
    return send_line (s, "538 5.7.11 Encryption required for requested authentication mechanism");

  if (g_ascii_strcasecmp (mech, "CRAM-MD5") == 0 && f->cram_challenge != NULL)
    {
      account = auth_cram_fixed (s, initial);
      if (s->closed)
        return FALSE;
      goto done;
    }

  if (gsasl_server_start (s->provider->gsasl, mech, &sctx) != GSASL_OK)
    return send_line (s, "504 5.5.4 Unrecognized authentication type");
  gsasl_session_hook_set (sctx, s);

  input = g_strdup (initial == NULL ? "" : g_str_equal (initial, "=") ? "" : initial);
  for (;;)
    {
      char *output = NULL;

      rc = gsasl_step64 (sctx, input, &output);
      g_clear_pointer (&input, g_free);
      if (rc == GSASL_OK && (output == NULL || output[0] == '\0'))
        {
          gsasl_free (output);
          break;
        }
      if (rc != GSASL_OK && rc != GSASL_NEEDS_MORE)
        {
          gsasl_free (output);
          break;
        }
      /* A challenge, or additional data with success (RFC 4954: sent as a 334). */
      if (!send_line (s, "334 %s", f->junk_334 ? "!!junk&&" : output))
        {
          gsasl_free (output);
          gsasl_finish (sctx);
          return FALSE;
        }
      gsasl_free (output);
      input = read_command (s, TRUE);
      if (input == NULL)
        {
          gsasl_finish (sctx);
          return FALSE;
        }
      if (g_str_equal (input, "*"))
        {
          g_free (input);
          gsasl_finish (sctx);
          return send_line (s, "501 5.7.0 Authentication cancelled");
        }
      if (rc == GSASL_OK)
        {
          g_clear_pointer (&input, g_free);
          break;
        }
    }
  if (rc == GSASL_OK)
    account = find_account (s->provider,
                            g_ascii_strcasecmp (mech, "EXTERNAL") == 0
                              ? s->external_user
                              : gsasl_property_fast (sctx, GSASL_AUTHID));
  gsasl_finish (sctx);

done:
  if (account == NULL)
    return send_line (s, "535 5.7.8 Authentication credentials invalid");
  s->account = account;
  return send_line (s, "235 2.7.0 Authentication successful");
}

/* EHLO and STARTTLS */

static gboolean
send_ehlo_reply (Session    *s,
                 const char *verb)
{
  const Faults *f = &s->provider->faults;
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) mechs = g_string_new (NULL);
  const char * const *all = advertised_mechanisms (s);

  if (g_ascii_strcasecmp (verb, "HELO") == 0)
    return send_line (s, "250 %s", s->provider->hostname);

  g_ptr_array_add (lines, g_strdup_printf ("%s Poste Restante test provider",
                                           s->provider->hostname));
  for (guint i = 0; all[i] != NULL; i++)
    if (mechanism_allowed (s, all[i]))
      g_string_append_printf (mechs, " %s", all[i]);
  if (mechs->len > 0)
    g_ptr_array_add (lines, g_strdup_printf ("AUTH%s", mechs->str));
  if (!s->provider->submission)
    {
      g_ptr_array_add (lines, g_strdup ("ATRN"));
      g_ptr_array_add (lines, g_strdup ("ETRN"));
    }
  if (s->provider->tls_mode == POSTE_TEST_TLS_STARTTLS && !s->tls_active && !f->no_starttls)
    g_ptr_array_add (lines, g_strdup ("STARTTLS"));
  g_ptr_array_add (lines, g_strdup ("8BITMIME"));
  g_ptr_array_add (lines, g_strdup ("ENHANCEDSTATUSCODES"));
  g_ptr_array_add (lines, g_strdup ("PIPELINING"));
  if (f->reply_long_line)
    {
      char *long_line = g_malloc (2001);
      memset (long_line, 'x', 2000);
      memcpy (long_line, "X-LONG ", 7);
      long_line[2000] = '\0';
      g_ptr_array_add (lines, long_line);
    }
  g_ptr_array_add (lines, g_strdup ("HELP"));
  g_ptr_array_add (lines, NULL);

  if (f->reply_code_change)
    {
      g_autoptr(GString) wire = g_string_new (NULL);
      for (guint i = 0; i + 1 < lines->len; i++)
        g_string_append_printf (wire, "%s%c%s\r\n", i == 1 ? "251" : "250",
                                i + 2 < lines->len ? '-' : ' ',
                                (char *) g_ptr_array_index (lines, i));
      return send_raw (s, wire->str, wire->len);
    }
  if (f->reply_endless)
    {
      /* Continuation lines until the customer gives up; bounded all the same. */
      for (guint i = 0; i < 1000000; i++)
        {
          g_autofree char *line = g_strdup_printf ("250-X-ENDLESS %u\r\n", i);
          g_autoptr(GError) error = NULL;

          if (i < 3)
            transcript_add (s, "S: ", line, strlen (line) - 2);
          if (!poste_test_wire_write (s->conn, line, strlen (line), s->cancellable, &error))
            {
              session_fail (s, error);
              return FALSE;
            }
        }
      return poste_test_wire_flush (s->conn, s->cancellable, NULL);
    }
  return send_reply (s, 250, (const char * const *) lines->pdata);
}

static gboolean
accept_any_cb (GTlsConnection       *tls,
               GTlsCertificate      *certificate,
               GTlsCertificateFlags  errors,
               gpointer              user_data)
{
  return TRUE;
}

/* The channel binding data of @type, base64, or NULL when TLS does not offer it. */
static char *
channel_binding (GTlsConnection         *tls,
                 GTlsChannelBindingType  type)
{
  g_autoptr(GByteArray) data = g_byte_array_new ();

  if (!g_tls_connection_get_channel_binding_data (tls, type, data, NULL) || data->len == 0)
    return NULL;
  return g_base64_encode (data->data, data->len);
}

static gboolean
start_tls (Session *s)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GIOStream) tls = NULL;

  if (!enter_stage (s, STAGE_HANDSHAKE))
    return FALSE;
  tls = g_tls_server_connection_new (poste_test_wire_get_stream (s->conn),
                                     s->provider->certificate, &error);
  if (tls != NULL && g_strv_contains (advertised_mechanisms (s), "EXTERNAL"))
    {
      /* EXTERNAL (RFC 4422 appendix A): ask for a client certificate; any is taken, and its
       * subject CN names the account. */
      g_object_set (tls, "authentication-mode", G_TLS_AUTHENTICATION_REQUESTED, NULL);
      g_signal_connect (tls, "accept-certificate", G_CALLBACK (accept_any_cb), NULL);
    }
  if (tls == NULL ||
      !poste_test_wire_handshake (s->conn, G_TLS_CONNECTION (tls), s->cancellable, &error))
    {
      session_fail (s, error);
      return FALSE;
    }
  transcript_add (s, "", "[TLS]", -1);
  s->tls_active = TRUE;
  s->cb_exporter = channel_binding (G_TLS_CONNECTION (tls), G_TLS_CHANNEL_BINDING_TLS_EXPORTER);
  s->cb_unique = channel_binding (G_TLS_CONNECTION (tls), G_TLS_CHANNEL_BINDING_TLS_UNIQUE);
  g_clear_object (&s->peer_certificate);
  s->peer_certificate = g_tls_connection_get_peer_certificate (G_TLS_CONNECTION (tls));
  if (s->peer_certificate != NULL)
    {
      g_object_ref (s->peer_certificate);
      transcript_add (s, "", "[client certificate]", -1);
    }
  return TRUE;
}

static gboolean
handle_starttls (Session *s)
{
  const Faults *f = &s->provider->faults;

  if (!enter_stage (s, STAGE_STARTTLS))
    return FALSE;
  if (s->provider->tls_mode != POSTE_TEST_TLS_STARTTLS || f->no_starttls)
    return send_line (s, "502 5.5.1 STARTTLS not available");
  if (s->tls_active)
    return send_line (s, "503 5.5.1 TLS already active");
  if (f->starttls_code != 0)
    return send_line (s, "%03u %s", f->starttls_code,
                      f->starttls_code == 220 ? "Ready"
                                              : "TLS not available due to temporary reason");
  if (f->inject_after_starttls)
    {
      static const char injected[] = "220 2.0.0 Ready to start TLS\r\n250 injected\r\n";
      if (!send_raw (s, injected, sizeof injected - 1))
        return FALSE;
    }
  else if (!send_line (s, "220 2.0.0 Ready to start TLS"))
    return FALSE;
  if (!start_tls (s))
    return FALSE;
  /* RFC 3207 section 4.2: forget everything learned before TLS. */
  s->account = NULL;
  return TRUE;
}

/* ATRN */

static guint
count_for_domains (PosteTestProvider  *self,
                   const char * const *domains)
{
  guint n = 0;

  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->spool->len; i++)
    {
      PosteTestMessage *m = g_ptr_array_index (self->spool, i);

      for (guint j = 0; j < m->recipients->len; j++)
        if (domain_in (address_domain (g_ptr_array_index (m->recipients, j)), domains))
          {
            n++;
            break;
          }
    }
  g_mutex_unlock (&self->lock);
  return n;
}

static gboolean
send_atrn_reply (Session    *s,
                 guint       code,
                 const char *text)
{
  const char *lines[] = { text, NULL, NULL };

  if (s->provider->faults.atrn_multiline)
    {
      lines[0] = "ODMR test provider says:";
      lines[1] = text;
    }
  return send_reply (s, code, lines);
}

/* ATRN (RFC 2645 section 5.2.1); sets *turn when the session turns around. */
static gboolean
handle_atrn (Session    *s,
             const char *args,
             gboolean   *turn)
{
  const Faults *f = &s->provider->faults;

  *turn = FALSE;
  if (!enter_stage (s, STAGE_ATRN))
    return FALSE;
  if (s->account == NULL)
    return send_line (s, "530 5.7.0 Authentication required");

  g_clear_pointer (&s->domains, g_strfreev);
  /* Exim's ODMR wants the domains named: a bare ATRN is a syntax error there. */
  if (args[0] == '\0' && f->atrn_needs_domains)
    return send_atrn_reply (s, 501, "5.5.4 ATRN needs a list of domains");
  if (args[0] == '\0')
    s->domains = g_strdupv (s->account->domains);
  else
    {
      s->domains = g_strsplit (args, ",", -1);
      for (guint i = 0; s->domains[i] != NULL; i++)
        if (!domain_in (s->domains[i], (const char * const *) s->account->domains))
          return send_atrn_reply (s, 450, "4.7.0 ATRN request refused");
    }

  if (f->atrn_code != 0)
    {
      if (!send_atrn_reply (s, f->atrn_code, f->atrn_text != NULL ? f->atrn_text : "Scripted"))
        return FALSE;
      *turn = f->atrn_code == 250;
      return TRUE;
    }
  if (count_for_domains (s->provider, (const char * const *) s->domains) == 0 &&
      !f->tls_plain_quit)
    return send_atrn_reply (s, 453, "You have no mail");
  *turn = TRUE;
  return send_atrn_reply (s, 250, "OK now reversing the connection");
}

/* ETRN (RFC 1985 section 5): start the queue of a domain of the account. A real provider would
 * then deliver to the domain's MX on a connection of its own; this one only answers (and keeps
 * the spool as it is). "@domain" (the domain's subdomains too) is taken as the domain. */
static gboolean
handle_etrn (Session    *s,
             const char *args)
{
  const Faults *f = &s->provider->faults;
  const char *node = args[0] == '@' ? args + 1 : args;
  const char *one[] = { node, NULL };
  guint n;

  if (s->account == NULL)
    return send_line (s, "530 5.7.0 Authentication required");
  if (node[0] == '\0' || node[0] == '#' || strchr (node, ' ') != NULL)
    return send_line (s, "501 5.5.4 Syntax: ETRN node");
  if (f->etrn_code != 0)
    return send_line (s, "%03u %s", f->etrn_code, f->etrn_text != NULL ? f->etrn_text : "Scripted");
  if (!domain_in (node, (const char * const *) s->account->domains))
    return send_line (s, "459 4.7.1 Node %s not allowed: not a domain of this account", node);
  n = count_for_domains (s->provider, one);
  if (n == 0)
    return send_line (s, "251 2.0.0 OK, no messages waiting for node %s", node);
  return send_line (s, "253 2.0.0 OK, %u pending messages for node %s started", n, node);
}

/* The reversed state: we are the SMTP client */

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

      transcript_add (c->s, "S: ", command, -1);
      if (!poste_test_wire_write_line (c->s->conn, command, c->s->cancellable, &error))
        {
          session_fail (c->s, error);
          return FALSE;
        }
    }
  if (!poste_test_wire_write (c->s->conn, c->out->data, length, c->s->cancellable, &error))
    {
      session_fail (c->s, error);
      return FALSE;
    }
  c->sent += length;
  g_byte_array_set_size (c->out, 0);
  if (silent)
    {
      poste_test_wire_flush (c->s->conn, c->s->cancellable, NULL);
      go_silent (c->s);
      return FALSE;
    }
  if (drop)
    {
      poste_test_wire_flush (c->s->conn, c->s->cancellable, NULL);
      transcript_add (c->s, "", "[drop in data]", -1);
      close_now (c->s);
      return FALSE;
    }
  if (c->bdat && (length > 0 || last))
    {
      if (!poste_test_wire_flush (c->s->conn, c->s->cancellable, &error))
        {
          session_fail (c->s, error);
          return FALSE;
        }
      if ((reply = read_reply (c->s)) == NULL)
        return FALSE;
      if (stray)
        {
          /* The reply to the stray line, whatever it is. */
          g_autoptr(PosteTestReply) extra = read_reply (c->s);

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
      session_fail (c->s, error);
      return FALSE;
    }
  buffer = g_malloc (CHUNK_SIZE);
  for (;;)
    {
      gssize n = g_input_stream_read (G_INPUT_STREAM (in), buffer, CHUNK_SIZE, NULL, &error);
      if (n < 0)
        {
          session_fail (c->s, error);
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
      if (!send_line (s, "DATA"))
        return FALSE;
      if (!enter_stage (s, STAGE_DATA))
        return FALSE;
      if ((reply = read_reply (s)) == NULL)
        return FALSE;
      if (reply->code != 354)
        {
          *code = reply->code;
          return TRUE;
        }
      g_clear_pointer (&reply, poste_test_reply_free);
    }
  else if (!enter_stage (s, STAGE_DATA))
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
  transcript_add (s, "S: ", "[message content]", -1);
  if (!send_line (s, "."))
    return FALSE;
  if ((reply = read_reply (s)) == NULL)
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
  g_ptr_array_add (self->returned, message_new (m->sender, g_steal_pointer (&copy), m->data,
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
      if (f->any_recipient || domain_in (address_domain (r), (const char * const *) s->domains))
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
      if (!send_raw (s, group->str, group->len) ||
          !enter_stage (s, STAGE_MAIL) || !enter_stage (s, STAGE_RCPT))
        return FALSE;
    }
  else if (!send_line (s, "MAIL FROM:<%s>%s%s", m->sender,
                       s->peer_8bitmime ? " BODY=8BITMIME" : "",
                       size_param != NULL ? size_param : "") ||
           !enter_stage (s, STAGE_MAIL))
    return FALSE;
  if ((reply = read_reply (s)) == NULL)
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
          if (!send_line (s, "RCPT TO:<%s>", r))
            return FALSE;
          if (i == 0 && !enter_stage (s, STAGE_RCPT))
            return FALSE;
        }
      if ((reply = read_reply (s)) == NULL)
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
      if (!s->quit_now && (!send_line (s, "RSET") || (reply = read_reply (s)) == NULL))
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

      if (!enter_stage (s, STAGE_AFTER_250))
        return FALSE;
      for (guint i = 0; i < accepted->len; i++)
        g_ptr_array_add (copy, g_strdup (g_ptr_array_index (accepted, i)));
      g_mutex_lock (&s->provider->lock);
      g_ptr_array_add (s->provider->accepted,
                       message_new (m->sender, g_steal_pointer (&copy), m->data, m->path));
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

  if ((reply = read_reply (s)) == NULL)
    return FALSE;
  if (!enter_stage (s, STAGE_OUR_220))
    return FALSE;
  if (reply->code != 220)
    {
      send_line (s, "QUIT");
      return FALSE;
    }
  g_clear_pointer (&reply, poste_test_reply_free);

  if (!send_line (s, "EHLO %s", s->provider->hostname) || (reply = read_reply (s)) == NULL)
    return FALSE;
  if (reply->code != 250)
    {
      g_clear_pointer (&reply, poste_test_reply_free);
      if (!send_line (s, "HELO %s", s->provider->hostname) || (reply = read_reply (s)) == NULL)
        return FALSE;
      if (reply->code != 250)
        {
          send_line (s, "QUIT");
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

  if ((reply = read_reply (s)) == NULL)
    return;
  transcript_add (s, "S: ", "QUIT [in plain text, outside TLS]", -1);
  if (!g_output_stream_write_all (out, "QUIT\r\n", 6, NULL, s->cancellable, &error))
    {
      session_fail (s, error);
      return;
    }
  g_socket_set_timeout (socket, s->provider->timeout);
  for (guint i = 0; i < 1024; i++)
    if (g_input_stream_read (in, buffer, sizeof buffer, s->cancellable, NULL) <= 0)
      break;
  transcript_add (s, "", "[closed]", -1);
  s->closed = TRUE;
}

static void
reversed_session (Session *s)
{
  const Faults *f = &s->provider->faults;
  g_autoptr(GPtrArray) todo =
      g_ptr_array_new_with_free_func ((GDestroyNotify) poste_test_message_unref);
  g_autoptr(PosteTestReply) reply = NULL;

  if (!enter_stage (s, STAGE_TURN))
    return;
  if (f->tls_plain_quit &&
      count_for_domains (s->provider, (const char * const *) s->domains) == 0)
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

  if (!enter_stage (s, STAGE_QUIT))
    return;
  if (send_line (s, "QUIT"))
    reply = read_reply (s);
}

/* Submission mode (RFC 6409): we are the provider's relay */

static void
submission_decoded_cb (const guint8 *data,
                       gsize         length,
                       gpointer      user_data)
{
  GByteArray *message = user_data;

  if (message->len + length <= MAX_SUBMITTED_SIZE)
    g_byte_array_append (message, data, (guint) length);
}

static gboolean
submission_path (const char  *args,
                 const char  *keyword,
                 char       **address)
{
  const char *open, *close;

  if (g_ascii_strncasecmp (args, keyword, strlen (keyword)) != 0)
    return FALSE;
  open = strchr (args, '<');
  close = open != NULL ? strchr (open, '>') : NULL;
  if (close == NULL)
    return FALSE;
  *address = g_strndup (open + 1, close - open - 1);
  return TRUE;
}

/* MAIL, RCPT, DATA and RSET of an authenticated client; the accepted messages are recorded as
 * poste_test_provider_dup_accepted() returns them. */
static gboolean
handle_submission (Session    *s,
                   const char *verb,
                   const char *args)
{
  const Faults *f = &s->provider->faults;

  if (g_str_equal (verb, "ATRN"))
    return send_line (s, "502 5.5.1 This is a submission service");
  if (g_str_equal (verb, "RSET"))
    {
      g_clear_pointer (&s->mail_from, g_free);
      g_clear_pointer (&s->rcpt_to, g_ptr_array_unref);
      return send_line (s, "250 2.0.0 OK");
    }
  if (s->account == NULL && s->external_user == NULL)
    return send_line (s, "530 5.7.0 Authentication required");

  if (g_str_equal (verb, "MAIL"))
    {
      g_autofree char *address = NULL;

      if (s->mail_from != NULL)
        return send_line (s, "503 5.5.1 Nested MAIL command");
      if (!submission_path (args, "FROM:", &address))
        return send_line (s, "501 5.5.4 Syntax: MAIL FROM:<address>");
      if (f->submit_mail != 0 && f->submit_mail != 250)
        return send_line (s, "%03u %u.0.0 Scripted reply to MAIL", f->submit_mail,
                          f->submit_mail / 100);
      s->mail_from = g_steal_pointer (&address);
      s->rcpt_to = g_ptr_array_new_with_free_func (g_free);
      return send_line (s, "250 2.1.0 OK");
    }
  if (g_str_equal (verb, "RCPT"))
    {
      g_autofree char *address = NULL;

      if (s->mail_from == NULL)
        return send_line (s, "503 5.5.1 Need MAIL first");
      if (!submission_path (args, "TO:", &address))
        return send_line (s, "501 5.5.4 Syntax: RCPT TO:<address>");
      if (f->submit_rcpt != 0 && f->submit_rcpt != 250 &&
          (f->submit_rcpt_for == NULL || g_ascii_strcasecmp (f->submit_rcpt_for, address) == 0))
        {
          /* Two lines, as real relays often give (Gmail's 550 5.1.1 runs over four): the customer
           * must keep every line and no line end in what it reports. */
          g_autofree char *first = g_strdup_printf ("%u.1.1 Scripted reply to RCPT",
                                                    f->submit_rcpt / 100);
          g_autofree char *second = g_strdup_printf ("%u.1.1 <%s>: refused by the test",
                                                     f->submit_rcpt / 100, address);
          const char *lines[] = { first, second, NULL };

          return send_reply (s, f->submit_rcpt, lines);
        }
      g_ptr_array_add (s->rcpt_to, g_steal_pointer (&address));
      return send_line (s, "250 2.1.5 OK");
    }

  /* DATA */
  if (s->mail_from == NULL || s->rcpt_to->len == 0)
    return send_line (s, "503 5.5.1 Need RCPT first");
  if (f->submit_data != 0 && f->submit_data != 354)
    return send_line (s, "%03u %u.0.0 Scripted reply to DATA", f->submit_data,
                      f->submit_data / 100);
  if (!send_line (s, "354 Go ahead"))
    return FALSE;
  {
    g_autoptr(PosteDataDecoder) decoder = poste_data_decoder_new (POSTE_DATA_DECODER_DOT);
    g_autoptr(GByteArray) message = g_byte_array_new ();
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) bytes = NULL;
    gboolean too_big;

    while (!poste_data_decoder_is_done (decoder))
      {
        gsize length, used;
        const guint8 *data = poste_test_wire_peek (s->conn, &length, s->cancellable, &error);

        if (data == NULL)
          {
            session_fail (s, error);
            return FALSE;
          }
        used = poste_data_decoder_feed (decoder, data, length, submission_decoded_cb, message);
        poste_test_wire_consume (s->conn, used);
      }
    transcript_add (s, "C: ", "<message content>", -1);
    too_big = poste_data_decoder_get_size (decoder) > MAX_SUBMITTED_SIZE;
    if (too_big)
      return send_line (s, "552 5.3.4 Message too big");
    if (f->submit_end != 0 && f->submit_end != 250)
      {
        g_clear_pointer (&s->mail_from, g_free);
        g_clear_pointer (&s->rcpt_to, g_ptr_array_unref);
        return send_line (s, "%03u %u.0.0 Scripted reply to the end of DATA", f->submit_end,
                          f->submit_end / 100);
      }
    bytes = g_byte_array_free_to_bytes (g_steal_pointer (&message));
    g_mutex_lock (&s->provider->lock);
    g_ptr_array_add (s->provider->accepted,
                     message_new (s->mail_from, g_steal_pointer (&s->rcpt_to), bytes, NULL));
    g_mutex_unlock (&s->provider->lock);
    g_clear_pointer (&s->mail_from, g_free);
    return send_line (s, "250 2.0.0 Accepted");
  }
}

/* The client phase: we are the SMTP server */

static void
client_phase (Session *s)
{
  guint bad = 0;

  if (s->provider->tls_mode == POSTE_TEST_TLS_IMPLICIT && !start_tls (s))
    return;
  if (!enter_stage (s, STAGE_GREETING))
    return;
  if (!send_line (s, "220 %s ESMTP ODMR test provider", s->provider->hostname))
    return;

  while (!s->closed)
    {
      g_autofree char *line = read_command (s, FALSE);
      g_autofree char *verb = NULL;
      const char *args;
      gboolean ok;

      if (line == NULL)
        return;
      args = strchr (line, ' ');
      verb = g_ascii_strup (line, args != NULL ? args - line : -1);
      args = args != NULL ? args + 1 : "";

      if (g_str_equal (verb, "EHLO") || g_str_equal (verb, "HELO"))
        ok = enter_stage (s, STAGE_EHLO) && send_ehlo_reply (s, verb);
      else if (g_str_equal (verb, "STARTTLS"))
        ok = handle_starttls (s);
      else if (g_str_equal (verb, "AUTH"))
        ok = handle_auth (s, args);
      else if (s->provider->submission &&
               (g_str_equal (verb, "MAIL") || g_str_equal (verb, "RCPT") ||
                g_str_equal (verb, "DATA") || g_str_equal (verb, "RSET") ||
                g_str_equal (verb, "ATRN")))
        ok = handle_submission (s, verb, args);
      else if (g_str_equal (verb, "ATRN"))
        {
          gboolean turn = FALSE;

          ok = handle_atrn (s, args, &turn);
          if (ok && turn)
            {
              reversed_session (s);
              return;
            }
        }
      else if (g_str_equal (verb, "ETRN") && !s->provider->submission)
        ok = handle_etrn (s, args);
      else if (g_str_equal (verb, "NOOP") || g_str_equal (verb, "RSET"))
        ok = send_line (s, "250 2.0.0 OK");
      else if (g_str_equal (verb, "QUIT"))
        {
          send_line (s, "221 2.0.0 Bye");
          return;
        }
      else if (g_str_equal (verb, "MAIL") || g_str_equal (verb, "RCPT") ||
               g_str_equal (verb, "DATA"))
        ok = send_line (s, "502 5.5.1 This is an ODMR service: use ATRN");
      else if (g_str_equal (verb, "ETRN"))
        ok = send_line (s, "502 5.5.1 This is a submission service");
      else
        {
          ok = send_line (s, "500 5.5.2 Command unrecognized");
          if (++bad >= MAX_BAD_COMMANDS)
            {
              send_line (s, "421 4.7.0 Too many errors");
              return;
            }
        }
      if (!ok)
        return;
    }
}

static void
serve (PosteTestProvider *self,
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

  client_phase (&s);

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

static gpointer
serve_thread (gpointer data)
{
  PosteTestProvider *self = data;

  while (!g_cancellable_is_cancelled (self->cancellable))
    {
      g_autoptr(GSocketConnection) connection = NULL;

      connection = g_socket_listener_accept (self->listener, NULL, self->cancellable, NULL);
      if (connection == NULL)
        continue;
      serve (self, connection);
      g_mutex_lock (&self->lock);
      self->sessions++;
      g_cond_broadcast (&self->cond);
      g_mutex_unlock (&self->lock);
    }
  return NULL;
}

/* GObject */

static void
account_free (gpointer data)
{
  Account *a = data;

  g_free (a->user);
  g_free (a->password);
  g_strfreev (a->domains);
  g_free (a);
}

static void
poste_test_provider_finalize (GObject *object)
{
  PosteTestProvider *self = POSTE_TEST_PROVIDER (object);

  poste_test_provider_stop (self);
  faults_clear (&self->faults);
  g_clear_object (&self->certificate);
  g_free (self->hostname);
  g_ptr_array_unref (self->accounts);
  g_ptr_array_unref (self->spool);
  g_ptr_array_unref (self->accepted);
  g_ptr_array_unref (self->returned);
  g_string_free (self->transcript, TRUE);
  gsasl_done (self->gsasl);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (poste_test_provider_parent_class)->finalize (object);
}

static void
poste_test_provider_class_init (PosteTestProviderClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = poste_test_provider_finalize;
}

static void
poste_test_provider_init (PosteTestProvider *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->hostname = g_strdup ("provider.test");
  self->timeout = DEFAULT_TIMEOUT;
  self->accounts = g_ptr_array_new_with_free_func (account_free);
  self->spool = g_ptr_array_new_with_free_func ((GDestroyNotify) poste_test_message_unref);
  self->accepted = g_ptr_array_new_with_free_func ((GDestroyNotify) poste_test_message_unref);
  self->returned = g_ptr_array_new_with_free_func ((GDestroyNotify) poste_test_message_unref);
  self->transcript = g_string_new (NULL);
  faults_clear (&self->faults);
  self->faults.mechanisms = g_strsplit (DEFAULT_MECHANISMS, ",", -1);
  if (gsasl_init (&self->gsasl) != GSASL_OK)
    g_error ("gsasl_init failed");
  gsasl_callback_set (self->gsasl, sasl_callback);
  gsasl_callback_hook_set (self->gsasl, self);
}

/* Public API */

/**
 * poste_test_provider_new:
 *
 * Makes a provider with no accounts, an empty spool, plain text (no TLS), the default AUTH
 * mechanisms (SCRAM-SHA-256, SCRAM-SHA-1, CRAM-MD5, PLAIN, LOGIN; PLAIN and LOGIN only inside
 * TLS) and a timeout of 30 seconds on every read and write.
 *
 * Returns: (transfer full): a new #PosteTestProvider
 */
PosteTestProvider *
poste_test_provider_new (void)
{
  return g_object_new (POSTE_TYPE_TEST_PROVIDER, NULL);
}

/**
 * poste_test_provider_set_tls:
 * @self: a #PosteTestProvider
 * @mode: the #PosteTestTls mode
 * @certificate: (nullable): the server certificate with its key; required unless @mode is
 *   %POSTE_TEST_TLS_NONE
 *
 * Chooses plain text, STARTTLS (RFC 3207) or implicit TLS. Call before
 * poste_test_provider_start().
 */
void
poste_test_provider_set_tls (PosteTestProvider *self,
                             PosteTestTls       mode,
                             GTlsCertificate   *certificate)
{
  g_return_if_fail (POSTE_IS_TEST_PROVIDER (self));
  g_return_if_fail (mode == POSTE_TEST_TLS_NONE || G_IS_TLS_CERTIFICATE (certificate));

  self->tls_mode = mode;
  g_set_object (&self->certificate, certificate);
}

/**
 * poste_test_provider_set_submission:
 * @self: a #PosteTestProvider
 * @submission: %TRUE to serve message submission (RFC 6409) instead of ODMR
 *
 * In submission mode the provider is a relay: after EHLO, STARTTLS (as set with
 * poste_test_provider_set_tls()) and AUTH (the same accounts), it takes MAIL, RCPT and DATA and
 * records each message it answers 250 to the end of DATA, with its recipients, as
 * poste_test_provider_dup_accepted() returns them (content CRLF, not dot-stuffed). MAIL before
 * AUTH gets 530; ATRN gets 502. The faults submit-mail=, submit-rcpt=, submit-data= and
 * submit-end= script refusals. Call before poste_test_provider_start().
 */
void
poste_test_provider_set_submission (PosteTestProvider *self,
                                    gboolean           submission)
{
  g_return_if_fail (POSTE_IS_TEST_PROVIDER (self));
  self->submission = submission;
}

/**
 * poste_test_provider_set_hostname:
 * @self: a #PosteTestProvider
 * @hostname: the name in the greeting and in EHLO; "provider.test" by default
 */
void
poste_test_provider_set_hostname (PosteTestProvider *self,
                                  const char        *hostname)
{
  g_return_if_fail (POSTE_IS_TEST_PROVIDER (self));
  g_return_if_fail (hostname != NULL);

  g_free (self->hostname);
  self->hostname = g_strdup (hostname);
}

/**
 * poste_test_provider_set_port:
 * @self: a #PosteTestProvider
 * @port: the port to listen on, or 0 for any free port (the default)
 */
void
poste_test_provider_set_port (PosteTestProvider *self,
                              guint16            port)
{
  g_return_if_fail (POSTE_IS_TEST_PROVIDER (self));
  self->port = port;
}

/**
 * poste_test_provider_set_ipv6:
 * @self: a #PosteTestProvider, not started
 * @ipv6: %TRUE to listen on ::1 instead of 127.0.0.1
 */
void
poste_test_provider_set_ipv6 (PosteTestProvider *self,
                              gboolean           ipv6)
{
  g_return_if_fail (POSTE_IS_TEST_PROVIDER (self));
  self->ipv6 = !!ipv6;
}

/**
 * poste_test_provider_set_timeout:
 * @self: a #PosteTestProvider
 * @seconds: the deadline of every read, write and TLS handshake, in seconds (at least 1)
 */
void
poste_test_provider_set_timeout (PosteTestProvider *self,
                                 guint              seconds)
{
  g_return_if_fail (POSTE_IS_TEST_PROVIDER (self));
  self->timeout = MAX (seconds, 1);
}

/**
 * poste_test_provider_add_account:
 * @self: a #PosteTestProvider
 * @user: the SASL authentication identity
 * @password: its password (any mechanism derives from it)
 * @domains: (array zero-terminated=1): the domains the account may ask for with ATRN
 *
 * Adds a customer account. Thread-safe.
 */
void
poste_test_provider_add_account (PosteTestProvider  *self,
                                 const char         *user,
                                 const char         *password,
                                 const char * const *domains)
{
  Account *a;

  g_return_if_fail (POSTE_IS_TEST_PROVIDER (self));
  g_return_if_fail (user != NULL && password != NULL && domains != NULL);

  a = g_new0 (Account, 1);
  a->user = g_strdup (user);
  a->password = g_strdup (password);
  a->domains = g_strdupv ((char **) domains);
  g_mutex_lock (&self->lock);
  g_ptr_array_add (self->accounts, a);
  g_mutex_unlock (&self->lock);
}

static GPtrArray *
recipients_new (const char * const *recipients)
{
  GPtrArray *array = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; recipients[i] != NULL; i++)
    g_ptr_array_add (array, g_strdup (recipients[i]));
  return array;
}

/* Bare LF becomes CR LF and the text ends with CR LF. */
static GBytes *
normalise_text (const char *data,
                gsize       length)
{
  GByteArray *out = g_byte_array_sized_new (length + length / 32 + 2);

  for (gsize i = 0; i < length; i++)
    {
      if (data[i] == '\n' && (i == 0 || data[i - 1] != '\r'))
        g_byte_array_append (out, (const guint8 *) "\r", 1);
      g_byte_array_append (out, (const guint8 *) data + i, 1);
    }
  if (out->len > 0 && (out->len < 2 || out->data[out->len - 1] != '\n' ||
                       out->data[out->len - 2] != '\r'))
    g_byte_array_append (out, (const guint8 *) "\r\n", 2);
  return g_byte_array_free_to_bytes (out);
}

/**
 * poste_test_provider_add_message:
 * @self: a #PosteTestProvider
 * @sender: the envelope sender, "" for the null sender
 * @recipients: (array zero-terminated=1): the envelope recipients
 * @data: (array length=length): the message text, not dot-stuffed
 * @length: the length of @data in bytes, or -1 when NUL-terminated
 *
 * Spools a message. Bare LF line ends become CR LF, and a missing final line end is added, unless
 * the fault "raw" is set (set faults first). Thread-safe.
 */
void
poste_test_provider_add_message (PosteTestProvider  *self,
                                 const char         *sender,
                                 const char * const *recipients,
                                 const char         *data,
                                 gssize              length)
{
  g_autoptr(GBytes) bytes = NULL;

  g_return_if_fail (POSTE_IS_TEST_PROVIDER (self));
  g_return_if_fail (recipients != NULL && data != NULL);

  if (length < 0)
    length = strlen (data);
  bytes = self->faults.raw ? g_bytes_new (data, length) : normalise_text (data, length);
  g_mutex_lock (&self->lock);
  g_ptr_array_add (self->spool, message_new (sender, recipients_new (recipients), bytes, NULL));
  g_mutex_unlock (&self->lock);
}

/**
 * poste_test_provider_add_message_file:
 * @self: a #PosteTestProvider
 * @sender: the envelope sender, "" for the null sender
 * @recipients: (array zero-terminated=1): the envelope recipients
 * @path: a file holding the message text
 *
 * Spools a message kept on disk: it is streamed when sent, so files of any size (2 GB and more)
 * cost no memory. Bare LF line ends become CR LF on the wire unless the fault "raw" is set.
 */
void
poste_test_provider_add_message_file (PosteTestProvider  *self,
                                      const char         *sender,
                                      const char * const *recipients,
                                      const char         *path)
{
  g_return_if_fail (POSTE_IS_TEST_PROVIDER (self));
  g_return_if_fail (recipients != NULL && path != NULL);

  g_mutex_lock (&self->lock);
  g_ptr_array_add (self->spool, message_new (sender, recipients_new (recipients), NULL, path));
  g_mutex_unlock (&self->lock);
}

/**
 * poste_test_provider_count_spooled:
 * @self: a #PosteTestProvider
 *
 * Returns: the number of messages still held (with at least one recipient not delivered)
 */
guint
poste_test_provider_count_spooled (PosteTestProvider *self)
{
  guint n;

  g_return_val_if_fail (POSTE_IS_TEST_PROVIDER (self), 0);
  g_mutex_lock (&self->lock);
  n = self->spool->len;
  g_mutex_unlock (&self->lock);
  return n;
}

/**
 * poste_test_provider_dup_accepted:
 * @self: a #PosteTestProvider
 *
 * The transactions the customer acknowledged with 250 to the end of DATA, in order: one
 * #PosteTestMessage each, with the recipients of that transaction only.
 *
 * Returns: (transfer container) (element-type PosteTestMessage): the accepted messages; free the
 *   array with g_ptr_array_unref()
 */
GPtrArray *
poste_test_provider_dup_accepted (PosteTestProvider *self)
{
  GPtrArray *copy;

  g_return_val_if_fail (POSTE_IS_TEST_PROVIDER (self), NULL);
  copy = g_ptr_array_new_with_free_func ((GDestroyNotify) poste_test_message_unref);
  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->accepted->len; i++)
    g_ptr_array_add (copy, poste_test_message_ref (g_ptr_array_index (self->accepted, i)));
  g_mutex_unlock (&self->lock);
  return copy;
}

/**
 * poste_test_provider_dup_returned:
 * @self: a #PosteTestProvider
 *
 * What the provider returned to its senders, in order: one #PosteTestMessage for each message
 * with the recipients the customer refused with 5xx (at RCPT; with the fault "return-5xx" also
 * at MAIL and at the end of the message). Those recipients have left the spool.
 *
 * Returns: (transfer container) (element-type PosteTestMessage): the returned messages; free
 *   the array with g_ptr_array_unref()
 */
GPtrArray *
poste_test_provider_dup_returned (PosteTestProvider *self)
{
  GPtrArray *copy;

  g_return_val_if_fail (POSTE_IS_TEST_PROVIDER (self), NULL);
  copy = g_ptr_array_new_with_free_func ((GDestroyNotify) poste_test_message_unref);
  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->returned->len; i++)
    g_ptr_array_add (copy, poste_test_message_ref (g_ptr_array_index (self->returned, i)));
  g_mutex_unlock (&self->lock);
  return copy;
}

/**
 * poste_test_provider_set_faults:
 * @self: a #PosteTestProvider
 * @spec: (nullable): space-separated faults (see poste-test-provider.h); %NULL or "" for none
 * @error: return location for a #GError
 *
 * Replaces the scripted misbehaviour. Call while no session runs.
 *
 * Returns: %TRUE on success; %FALSE with %G_IO_ERROR_INVALID_ARGUMENT for an unknown fault or a
 *   bad value (the faults are then unchanged)
 */
gboolean
poste_test_provider_set_faults (PosteTestProvider  *self,
                                const char         *spec,
                                GError            **error)
{
  Faults parsed;

  g_return_val_if_fail (POSTE_IS_TEST_PROVIDER (self), FALSE);

  memset (&parsed, 0, sizeof parsed);
  faults_clear (&parsed);
  if (!faults_parse (&parsed, spec, error))
    {
      faults_clear (&parsed);
      return FALSE;
    }
  if (parsed.mechanisms == NULL)
    parsed.mechanisms = g_strsplit (DEFAULT_MECHANISMS, ",", -1);
  g_mutex_lock (&self->lock);
  faults_clear (&self->faults);
  self->faults = parsed;
  g_mutex_unlock (&self->lock);
  return TRUE;
}

/**
 * poste_test_provider_start:
 * @self: a #PosteTestProvider
 * @error: return location for a #GError
 *
 * Listens on 127.0.0.1, or ::1 after poste_test_provider_set_ipv6() (the port of
 * poste_test_provider_set_port(), any free one by default)
 * and serves one connection at a time in a thread of its own until poste_test_provider_stop().
 *
 * Returns: the port; 0 with a #GIOError when it cannot listen
 */
guint16
poste_test_provider_start (PosteTestProvider  *self,
                           GError            **error)
{
  g_autoptr(GInetAddress) loopback = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocketAddress) effective = NULL;

  g_return_val_if_fail (POSTE_IS_TEST_PROVIDER (self), 0);
  g_return_val_if_fail (self->thread == NULL, 0);

  loopback = g_inet_address_new_loopback (self->ipv6 ? G_SOCKET_FAMILY_IPV6
                                                     : G_SOCKET_FAMILY_IPV4);
  address = g_inet_socket_address_new (loopback, self->port);
  self->listener = g_socket_listener_new ();
  if (!g_socket_listener_add_address (self->listener, address, G_SOCKET_TYPE_STREAM,
                                      G_SOCKET_PROTOCOL_TCP, NULL, &effective, error))
    {
      g_clear_object (&self->listener);
      return 0;
    }
  self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  self->cancellable = g_cancellable_new ();
  self->thread = g_thread_new ("poste-test-provider", serve_thread, self);
  return self->port;
}

/**
 * poste_test_provider_get_port:
 * @self: a #PosteTestProvider
 *
 * Returns: the port it listens on once started; before, the port asked for (0: any)
 */
guint16
poste_test_provider_get_port (PosteTestProvider *self)
{
  g_return_val_if_fail (POSTE_IS_TEST_PROVIDER (self), 0);
  return self->port;
}

/**
 * poste_test_provider_stop:
 * @self: a #PosteTestProvider
 *
 * Stops listening, ends the current session (its waits are cancelled) and joins the thread.
 * Does nothing when not started.
 */
void
poste_test_provider_stop (PosteTestProvider *self)
{
  g_return_if_fail (POSTE_IS_TEST_PROVIDER (self));

  if (self->thread == NULL)
    return;
  g_cancellable_cancel (self->cancellable);
  g_thread_join (g_steal_pointer (&self->thread));
  g_socket_listener_close (self->listener);
  g_clear_object (&self->listener);
  g_clear_object (&self->cancellable);
}

/**
 * poste_test_provider_get_sessions:
 * @self: a #PosteTestProvider
 *
 * Returns: how many sessions have ended so far
 */
guint
poste_test_provider_get_sessions (PosteTestProvider *self)
{
  guint n;

  g_return_val_if_fail (POSTE_IS_TEST_PROVIDER (self), 0);
  g_mutex_lock (&self->lock);
  n = self->sessions;
  g_mutex_unlock (&self->lock);
  return n;
}

/**
 * poste_test_provider_wait_sessions:
 * @self: a #PosteTestProvider
 * @sessions: the number of ended sessions to wait for
 * @timeout_seconds: the longest wait, in seconds
 *
 * Waits until @sessions sessions have ended (the provider's side closed), so a test can look at
 * the spool and the transcript knowing the provider is done.
 *
 * Returns: %TRUE when they have ended, %FALSE when the wait timed out
 */
gboolean
poste_test_provider_wait_sessions (PosteTestProvider *self,
                                   guint              sessions,
                                   guint              timeout_seconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_seconds * G_USEC_PER_SEC;
  gboolean ok = TRUE;

  g_return_val_if_fail (POSTE_IS_TEST_PROVIDER (self), FALSE);
  g_mutex_lock (&self->lock);
  while (self->sessions < sessions && ok)
    ok = g_cond_wait_until (&self->cond, &self->lock, deadline);
  ok = self->sessions >= sessions;
  g_mutex_unlock (&self->lock);
  return ok;
}

/**
 * poste_test_provider_dup_transcript:
 * @self: a #PosteTestProvider
 *
 * The current or last session, one line per entry: "C: " for what the customer sent, "S: " for
 * what the provider sent, and bracketed notes ("[TLS]", "[drop]", errors). SASL exchanges are
 * replaced by "<SASL data>".
 *
 * Returns: (transfer full): the transcript
 */
char *
poste_test_provider_dup_transcript (PosteTestProvider *self)
{
  char *copy;

  g_return_val_if_fail (POSTE_IS_TEST_PROVIDER (self), NULL);
  g_mutex_lock (&self->lock);
  copy = g_strdup (self->transcript->str);
  g_mutex_unlock (&self->lock);
  return copy;
}
