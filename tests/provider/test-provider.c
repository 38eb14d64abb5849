/* test-provider.c: the test provider against a raw client written here
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The client below speaks plain lines through PosteConnection (bounded, with deadlines) and, in
 * the reversed state, plays a minimal SMTP server that records what the provider delivers. The
 * provider is checked against the RFCs it implements: RFC 5321 (replies, dot-stuffing), RFC 2195
 * (the CRAM-MD5 example), RFC 4954 (AUTH), RFC 3207 (STARTTLS), RFC 2645 (ATRN).
 */
#include "config.h"

#include <gsasl.h>
#include <string.h>

#include "poste-connection.h"
#include "poste-error.h"
#include "poste-reply.h"
#include "poste-test-cert.h"
#include "poste-test-provider.h"
#include "poste-test.h"

#define TIMEOUT 20

typedef struct {
  GSocketConnection *socket;
  PosteConnection   *conn;
} Client;

static Client *
client_connect (guint16 port)
{
  g_autoptr(GSocketClient) sc = g_socket_client_new ();
  g_autoptr(GError) error = NULL;
  Client *c = g_new0 (Client, 1);

  /* No proxy lookup: GIO's proxy resolver would read GNOME's proxy schema, absent here. */
  g_socket_client_set_enable_proxy (sc, FALSE);
  c->socket = g_socket_client_connect_to_host (sc, "127.0.0.1", port, NULL, &error);
  g_assert_no_error (error);
  c->conn = poste_connection_new (G_IO_STREAM (c->socket));
  poste_connection_set_timeout (c->conn, TIMEOUT);
  return c;
}

static void
client_free (Client *c)
{
  poste_connection_close (c->conn, NULL, NULL);
  poste_connection_unref (c->conn);
  g_object_unref (c->socket);
  g_free (c);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Client, client_free)

static void
client_send (Client     *c,
             const char *line)
{
  g_autoptr(GError) error = NULL;

  poste_connection_write_line (c->conn, line, NULL, &error);
  g_assert_no_error (error);
  poste_connection_flush (c->conn, NULL, &error);
  g_assert_no_error (error);
}

static PosteReply *
client_expect (Client *c,
               guint   code)
{
  g_autoptr(GError) error = NULL;
  PosteReply *reply = poste_reply_read (c->conn, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (reply);
  if (reply->code != code)
    g_error ("expected %u, got %s", code, poste_reply_describe (reply));
  return reply;
}

static void
client_command (Client     *c,
                const char *line,
                guint       code)
{
  g_autoptr(PosteReply) reply = NULL;

  client_send (c, line);
  reply = client_expect (c, code);
}

/* The next line from the provider, or NULL when it closed the connection; *bare_lf tells
 * whether it ended in a bare LF. */
static char *
client_line_full (Client   *c,
                  gboolean *bare_lf)
{
  g_autoptr(GError) error = NULL;
  const char *line;
  gsize length;
  PosteLineEnd end = POSTE_LINE_END_CRLF;

  line = poste_connection_read_line (c->conn, 4096, &length, &end, NULL, &error);
  if (line == NULL)
    {
      /* Closed, or reset when the provider closed with our reply unread. */
      if (!g_error_matches (error, POSTE_PROTOCOL_ERROR, POSTE_PROTOCOL_ERROR_CLOSED))
        g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED);
      return NULL;
    }
  *bare_lf = end == POSTE_LINE_END_LF;
  return g_strndup (line, length);
}

static char *
client_line (Client *c)
{
  gboolean bare_lf;

  return client_line_full (c, &bare_lf);
}

static PosteTestProvider *
provider_new (const char *faults)
{
  PosteTestProvider *p = poste_test_provider_new ();
  const char *domains[] = { "example.org", "example.com", NULL };
  g_autoptr(GError) error = NULL;

  poste_test_provider_set_faults (p, faults, &error);
  g_assert_no_error (error);
  poste_test_provider_add_account (p, "u", "p", domains);
  poste_test_provider_set_timeout (p, TIMEOUT);
  return p;
}

static Client *
start_and_connect (PosteTestProvider *p)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosteReply) greeting = NULL;
  guint16 port = poste_test_provider_start (p, &error);
  Client *c;

  g_assert_no_error (error);
  g_assert_cmpuint (port, >, 0);
  c = client_connect (port);
  greeting = client_expect (c, 220);
  return c;
}

static void
auth_plain (Client *c)
{
  g_autofree char *b64 = g_base64_encode ((const guchar *) "\0u\0p", 4);
  g_autofree char *line = g_strdup_printf ("AUTH PLAIN %s", b64);

  client_command (c, line, 235);
}

/* AUTH CRAM-MD5 (RFC 2195) as u/p, answering whatever challenge the provider makes. */
static void
auth_cram (Client *c)
{
  g_autoptr(PosteReply) reply = NULL;
  g_autofree guchar *challenge = NULL;
  g_autofree char *text = NULL;
  g_autofree char *digest = NULL;
  g_autofree char *response = NULL;
  g_autofree char *b64 = NULL;
  gsize length;

  client_send (c, "AUTH CRAM-MD5");
  reply = client_expect (c, 334);
  challenge = g_base64_decode (reply->lines[0], &length);
  text = g_strndup ((const char *) challenge, length);
  g_assert_true (text[0] == '<' && strchr (text, '@') != NULL);
  digest = g_compute_hmac_for_string (G_CHECKSUM_MD5, (const guchar *) "p", 1, text, -1);
  response = g_strdup_printf ("u %s", digest);
  b64 = g_base64_encode ((const guchar *) response, strlen (response));
  client_command (c, b64, 235);
}

/* The fake customer in the reversed state */

typedef struct {
  gboolean    pipelining;
  gboolean    chunking;
  guint       max_rcpts;      /* 452 after this many per transaction; 0 = no limit */
  const char *refuse_rcpt;    /* answered 550 */
  guint       data_code;      /* the reply to the end of data; 250 by default */
  GPtrArray  *messages;       /* GBytes, unstuffed */
  GPtrArray  *envelopes;      /* "sender>rcpt,rcpt" */
  gsize       partial;        /* content bytes received when the provider closed mid-message */
  gboolean    closed_early;   /* the provider closed before QUIT */
  guint       bare_lf_lines;  /* content lines that ended in a bare LF */
} Customer;

static void
customer_init (Customer *k)
{
  memset (k, 0, sizeof *k);
  k->data_code = 250;
  k->messages = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  k->envelopes = g_ptr_array_new_with_free_func (g_free);
}

static void
customer_clear (Customer *k)
{
  g_ptr_array_unref (k->messages);
  g_ptr_array_unref (k->envelopes);
}

/* A reply of the fake customer; the provider may have gone already (drop faults). */
static void
reply_line (Client     *c,
            const char *line)
{
  if (poste_connection_write_line (c->conn, line, NULL, NULL))
    poste_connection_flush (c->conn, NULL, NULL);
}

/* Plays the SMTP server until QUIT or the provider closes. */
static void
customer_run (Customer *k,
              Client   *c)
{
  g_autoptr(GString) envelope = g_string_new (NULL);
  guint rcpts = 0;

  reply_line (c, "220 customer.test ready");
  for (;;)
    {
      g_autofree char *line = client_line (c);

      if (line == NULL)
        {
          k->closed_early = TRUE;
          return;
        }
      if (g_str_has_prefix (line, "EHLO "))
        {
          reply_line (c, "250-customer.test");
          if (k->pipelining)
            reply_line (c, "250-PIPELINING");
          if (k->chunking)
            reply_line (c, "250-CHUNKING");
          reply_line (c, "250 8BITMIME");
        }
      else if (g_str_has_prefix (line, "MAIL FROM:<"))
        {
          g_string_assign (envelope, line + 11);
          g_string_truncate (envelope, strcspn (envelope->str, ">") + 1);
          rcpts = 0;
          reply_line (c, "250 2.1.0 OK");
        }
      else if (g_str_has_prefix (line, "RCPT TO:<"))
        {
          g_autofree char *addr = g_strndup (line + 9, strcspn (line + 9, ">"));

          if (k->refuse_rcpt != NULL && g_str_equal (addr, k->refuse_rcpt))
            reply_line (c, "550 5.1.1 No such user");
          else if (k->max_rcpts > 0 && rcpts >= k->max_rcpts)
            reply_line (c, "452 4.5.3 Too many recipients");
          else
            {
              g_string_append_printf (envelope, "%s%s", rcpts > 0 ? "," : "", addr);
              rcpts++;
              reply_line (c, "250 2.1.5 OK");
            }
        }
      else if (g_str_equal (line, "DATA"))
        {
          g_autoptr(GByteArray) data = g_byte_array_new ();

          reply_line (c, "354 go ahead");
          for (;;)
            {
              gboolean bare_lf = FALSE;
              g_autofree char *text = client_line_full (c, &bare_lf);
              const char *start;

              if (text == NULL)
                {
                  k->partial = data->len;
                  k->closed_early = TRUE;
                  return;
                }
              if (g_str_equal (text, "."))
                break;
              if (bare_lf)
                k->bare_lf_lines++;
              start = text[0] == '.' ? text + 1 : text;
              g_byte_array_append (data, (const guint8 *) start, strlen (start));
              g_byte_array_append (data, (const guint8 *) "\r\n", 2);
            }
          if (k->data_code == 250)
            {
              g_ptr_array_add (k->messages, g_byte_array_free_to_bytes (g_steal_pointer (&data)));
              g_ptr_array_add (k->envelopes, g_strdup (envelope->str));
              reply_line (c, "250 2.0.0 Delivered");
            }
          else
            {
              g_autofree char *r = g_strdup_printf ("%u Not today", k->data_code);
              reply_line (c, r);
            }
        }
      else if (g_str_has_prefix (line, "BDAT "))
        {
          static GByteArray *chunks = NULL;
          guint64 size = 0;
          gboolean last = g_str_has_suffix (line, " LAST");
          gsize got = 0;

          if (chunks == NULL)
            chunks = g_byte_array_new ();
          g_assert_true (g_ascii_string_to_unsigned (line + 5, 10, 0, 1 << 20, &size, NULL) ||
                         sscanf (line + 5, "%" G_GUINT64_FORMAT, &size) == 1);
          while (got < size)
            {
              gsize avail;
              const guint8 *bytes = poste_connection_peek (c->conn, &avail, NULL, NULL);
              gsize take;

              g_assert_nonnull (bytes);
              take = MIN (avail, size - got);
              g_byte_array_append (chunks, bytes, take);
              poste_connection_consume (c->conn, take);
              got += take;
            }
          if (last)
            {
              g_ptr_array_add (k->messages, g_byte_array_free_to_bytes (chunks));
              g_ptr_array_add (k->envelopes, g_strdup (envelope->str));
              chunks = NULL;
            }
          reply_line (c, "250 2.0.0 OK");
        }
      else if (g_str_equal (line, "RSET"))
        reply_line (c, "250 2.0.0 OK");
      else if (g_str_equal (line, "QUIT"))
        {
          reply_line (c, "221 2.0.0 Bye");
          return;
        }
      else
        reply_line (c, "500 5.5.2 What?");
    }
}

/* The client phase up to a 250 to ATRN, then the customer. */
static void
client_fetch (Client   *c,
              Customer *k)
{
  g_autoptr(PosteReply) reply = NULL;

  client_command (c, "EHLO customer.test", 250);
  client_send (c, "AUTH PLAIN AHUAcA==");
  reply = client_expect (c, 538);     /* not in clear text */
  auth_cram (c);
  client_command (c, "ATRN example.org", 250);
  customer_run (k, c);
}

static void
fetch (PosteTestProvider *p,
       Customer          *k)
{
  g_autoptr(Client) c = start_and_connect (p);

  client_fetch (c, k);
  g_assert_true (poste_test_provider_wait_sessions (p, 1, TIMEOUT));
}

static const char *org_rcpt[] = { "alice@example.org", NULL };

/* Tests */

static void
test_greeting_ehlo (void)
{
  g_autoptr(PosteTestProvider) p = provider_new (NULL);
  g_autoptr(Client) c = start_and_connect (p);
  g_autoptr(PosteReply) ehlo = NULL;
  const char *mechs = NULL;
  g_autofree char *transcript = NULL;

  client_send (c, "EHLO customer.test");
  ehlo = client_expect (c, 250);
  g_assert_true (poste_reply_has_keyword (ehlo, "ATRN", NULL));
  g_assert_true (poste_reply_has_keyword (ehlo, "AUTH", &mechs));
  g_assert_nonnull (strstr (mechs, "CRAM-MD5"));
  g_assert_nonnull (strstr (mechs, "SCRAM-SHA-256"));
  g_assert_null (strstr (mechs, "PLAIN"));   /* RFC 4954 section 4: not without TLS */
  g_assert_false (poste_reply_has_keyword (ehlo, "STARTTLS", NULL));
  client_command (c, "MAIL FROM:<a@b>", 502);
  client_command (c, "NOOP", 250);
  client_command (c, "QUIT", 221);
  g_assert_true (poste_test_provider_wait_sessions (p, 1, TIMEOUT));
  transcript = poste_test_provider_dup_transcript (p);
  g_assert_nonnull (strstr (transcript, "C: EHLO customer.test\n"));
  g_assert_nonnull (strstr (transcript, "S: 221 2.0.0 Bye\n"));
}

/* RFC 2195 section 2, the example exchange, byte for byte. */
static void
test_cram_md5_rfc2195 (void)
{
  g_autoptr(PosteTestProvider) p =
      provider_new ("cram-challenge=<1896.697170952@postoffice.reston.mci.net>");
  const char *domains[] = { "example.org", NULL };
  g_autoptr(Client) c = NULL;
  g_autoptr(PosteReply) reply = NULL;
  g_autofree char *transcript = NULL;

  poste_test_provider_add_account (p, "tim", "tanstaaftanstaaf", domains);
  c = start_and_connect (p);
  client_command (c, "EHLO customer.test", 250);
  client_send (c, "AUTH CRAM-MD5");
  reply = client_expect (c, 334);
  g_assert_cmpstr (reply->lines[0], ==, "PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+");
  client_command (c, "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw", 235);
  client_command (c, "AUTH CRAM-MD5", 503);
  client_command (c, "ATRN", 453);     /* nothing spooled */
  client_command (c, "QUIT", 221);
  g_assert_true (poste_test_provider_wait_sessions (p, 1, TIMEOUT));
  transcript = poste_test_provider_dup_transcript (p);
  g_assert_null (strstr (transcript, "dGltIGI5MTNh"));   /* SASL data never logged */
}

static void
test_cram_md5_wrong (void)
{
  g_autoptr(PosteTestProvider) p = provider_new (NULL);
  g_autoptr(Client) c = start_and_connect (p);
  g_autoptr(PosteReply) reply = NULL;
  g_autofree char *b64 = g_base64_encode ((const guchar *) "u 00000000000000000000000000000000",
                                          34);

  client_command (c, "EHLO customer.test", 250);
  client_send (c, "AUTH CRAM-MD5");
  reply = client_expect (c, 334);
  client_command (c, b64, 535);
  client_command (c, "ATRN", 530);
  client_send (c, "AUTH CRAM-MD5");
  g_clear_pointer (&reply, poste_reply_free);
  reply = client_expect (c, 334);
  client_command (c, "*", 501);
  client_command (c, "AUTH DIGEST-MD5", 504);
  client_command (c, "QUIT", 221);
}

static int
scram_client_cb (Gsasl          *ctx,
                 Gsasl_session  *sctx,
                 Gsasl_property  prop)
{
  const char *cb = gsasl_session_hook_get (sctx);

  switch (prop)
    {
    case GSASL_AUTHID:
      return gsasl_property_set (sctx, prop, "u");
    case GSASL_PASSWORD:
      return gsasl_property_set (sctx, prop, "p");
    case GSASL_CB_TLS_EXPORTER:
      return cb != NULL ? gsasl_property_set (sctx, prop, cb) : GSASL_NO_CALLBACK;
    default:
      return GSASL_NO_CALLBACK;
    }
}

/* AUTH @mech with libgsasl's client, the server's final message coming as a 334 (RFC 4954
 * section 4); @cb is the tls-exporter channel binding (base64) for -PLUS. */
static void
scram_auth (Client     *c,
            const char *mech,
            const char *cb)
{
  g_autoptr(PosteReply) reply = NULL;
  g_autofree char *line = NULL;
  Gsasl *ctx = NULL;
  Gsasl_session *sctx = NULL;
  char *out = NULL;
  int rc;

  g_assert_cmpint (gsasl_init (&ctx), ==, GSASL_OK);
  gsasl_callback_set (ctx, scram_client_cb);
  g_assert_cmpint (gsasl_client_start (ctx, mech, &sctx), ==, GSASL_OK);
  gsasl_session_hook_set (sctx, (gpointer) cb);

  rc = gsasl_step64 (sctx, "", &out);
  g_assert_cmpint (rc, ==, GSASL_NEEDS_MORE);
  line = g_strdup_printf ("AUTH %s %s", mech, out);
  gsasl_free (out);
  client_send (c, line);
  for (;;)
    {
      g_autoptr(GError) error = NULL;

      g_clear_pointer (&reply, poste_reply_free);
      reply = poste_reply_read (c->conn, NULL, &error);
      g_assert_no_error (error);
      if (reply->code != 334)
        break;
      rc = gsasl_step64 (sctx, reply->lines[0], &out);
      g_assert_true (rc == GSASL_OK || rc == GSASL_NEEDS_MORE);
      client_send (c, out);
      gsasl_free (out);
    }
  g_assert_cmpuint (reply->code, ==, 235);
  /* The client checked the server's signature: the provider knew the password. */
  g_assert_cmpint (rc, ==, GSASL_OK);
  gsasl_finish (sctx);
  gsasl_done (ctx);
}

static void
test_scram (void)
{
  g_autoptr(PosteTestProvider) p = provider_new (NULL);
  g_autoptr(Client) c = start_and_connect (p);

  client_command (c, "EHLO customer.test", 250);
  scram_auth (c, "SCRAM-SHA-256", NULL);
  client_command (c, "ATRN", 453);
  client_command (c, "QUIT", 221);
}

static void
test_scram_sha1 (void)
{
  g_autoptr(PosteTestProvider) p = provider_new (NULL);
  g_autoptr(Client) c = start_and_connect (p);

  client_command (c, "EHLO customer.test", 250);
  scram_auth (c, "SCRAM-SHA-1", NULL);
  client_command (c, "QUIT", 221);
}

/* RFC 2645 section 5.2.1: every ATRN reply, a fresh provider per case. */
static void
test_atrn_codes (void)
{
  struct { const char *faults; const char *args; guint code; guint lines; } cases[] = {
    { NULL, "ATRN example.net", 450, 1 },            /* not the account's domain */
    { NULL, "ATRN example.org,example.net", 450, 1 },
    { NULL, "ATRN example.com", 453, 1 },            /* nothing spooled there */
    { "atrn-reply=451", "ATRN", 451, 1 },
    { "atrn-reply=502:No_ODMR_here", "ATRN", 502, 1 },
    { "atrn-reply=450", "ATRN", 450, 1 },
    { "atrn-reply=530", "ATRN", 530, 1 },
    { "atrn-multiline", "ATRN example.com", 453, 2 },
    { "atrn-multiline atrn-reply=451:later", "ATRN", 451, 2 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(PosteTestProvider) p = provider_new (cases[i].faults);
      g_autoptr(Client) c = NULL;
      g_autoptr(PosteReply) reply = NULL;

      poste_test_provider_add_message (p, "s@example.net", org_rcpt, "Subject: x\n\nx\n", -1);
      c = start_and_connect (p);
      client_command (c, "EHLO customer.test", 250);
      client_command (c, "ATRN", 530);      /* RFC 2645: AUTH first */
      auth_cram (c);
      client_send (c, cases[i].args);
      reply = client_expect (c, cases[i].code);
      g_assert_cmpuint (g_strv_length (reply->lines), ==, cases[i].lines);
      client_command (c, "QUIT", 221);
      g_assert_cmpuint (poste_test_provider_count_spooled (p), ==, 1);
    }
}

static void
assert_bytes_equal (GBytes     *bytes,
                    const char *expected)
{
  gsize length;
  const char *data = g_bytes_get_data (bytes, &length);

  g_assert_cmpmem (data, length, expected, strlen (expected));
}

/* The turn-around: every message for the requested domain arrives unstuffed and intact, the rest
 * stays in the spool, and the accepted list matches. */
static void
test_turnaround (gconstpointer data)
{
  const char *faults = data;
  g_autoptr(PosteTestProvider) p = provider_new (faults);
  g_autoptr(GPtrArray) accepted = NULL;
  const char *com_rcpt[] = { "carol@example.com", NULL };
  Customer k;

  customer_init (&k);
  k.pipelining = TRUE;
  k.chunking = TRUE;
  poste_test_provider_add_message (p, "s@example.net", org_rcpt,
                                   "Subject: one\n\n.starts with a dot\n..two\n.\nend\n", -1);
  poste_test_provider_add_message (p, "", com_rcpt, "Subject: not asked for\n\nx\n", -1);
  poste_test_provider_add_message (p, "t@example.net", org_rcpt, "Subject: two\r\n\r\nno end", -1);
  fetch (p, &k);

  g_assert_false (k.closed_early);
  g_assert_cmpuint (k.messages->len, ==, 2);
  assert_bytes_equal (g_ptr_array_index (k.messages, 0),
                      "Subject: one\r\n\r\n.starts with a dot\r\n..two\r\n.\r\nend\r\n");
  assert_bytes_equal (g_ptr_array_index (k.messages, 1), "Subject: two\r\n\r\nno end\r\n");
  g_assert_cmpstr (g_ptr_array_index (k.envelopes, 0), ==, "s@example.net>alice@example.org");
  g_assert_cmpuint (poste_test_provider_count_spooled (p), ==, 1);

  accepted = poste_test_provider_dup_accepted (p);
  g_assert_cmpuint (accepted->len, ==, 2);
  {
    PosteTestMessage *m = g_ptr_array_index (accepted, 0);
    g_assert_cmpstr (m->sender, ==, "s@example.net");
    g_assert_cmpuint (m->recipients->len, ==, 1);
    g_assert_cmpstr (g_ptr_array_index (m->recipients, 0), ==, "alice@example.org");
    g_assert_true (g_bytes_equal (m->data, g_ptr_array_index (k.messages, 0)));
  }
  customer_clear (&k);
}

/* 452 to a recipient: it comes again in a later transaction (the LMTP one-recipient case); 550
 * drops a recipient. */
static void
test_recipient_limits (void)
{
  g_autoptr(PosteTestProvider) p = provider_new (NULL);
  g_autoptr(GPtrArray) accepted = NULL;
  const char *rcpts[] = { "a@example.org", "b@example.org", "gone@example.org", "c@example.org",
                          "d@example.net", NULL };
  Customer k;

  customer_init (&k);
  k.max_rcpts = 1;
  k.refuse_rcpt = "gone@example.org";
  poste_test_provider_add_message (p, "s@example.net", rcpts, "Subject: many\n\nhi\n", -1);
  fetch (p, &k);

  g_assert_cmpuint (k.messages->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (k.envelopes, 0), ==, "s@example.net>a@example.org");
  g_assert_cmpstr (g_ptr_array_index (k.envelopes, 1), ==, "s@example.net>b@example.org");
  g_assert_cmpstr (g_ptr_array_index (k.envelopes, 2), ==, "s@example.net>c@example.org");
  accepted = poste_test_provider_dup_accepted (p);
  g_assert_cmpuint (accepted->len, ==, 3);
  /* The example.net recipient was not asked for: the message stays for it alone. */
  g_assert_cmpuint (poste_test_provider_count_spooled (p), ==, 1);
  customer_clear (&k);
}

/* 4xx or 5xx to the end of data: the provider keeps the message. */
static void
test_data_refused (void)
{
  guint codes[] = { 451, 554 };

  for (guint i = 0; i < G_N_ELEMENTS (codes); i++)
    {
      g_autoptr(PosteTestProvider) p = provider_new (NULL);
      g_autoptr(GPtrArray) accepted = NULL;
      Customer k;

      customer_init (&k);
      k.data_code = codes[i];
      poste_test_provider_add_message (p, "s@example.net", org_rcpt, "Subject: x\n\nx\n", -1);
      fetch (p, &k);
      g_assert_false (k.closed_early);
      g_assert_cmpuint (poste_test_provider_count_spooled (p), ==, 1);
      accepted = poste_test_provider_dup_accepted (p);
      g_assert_cmpuint (accepted->len, ==, 0);
      customer_clear (&k);
    }
}

/* drop=after-250: the customer said 250 but the provider never recorded it: the duplicate case. */
static void
test_drop_after_250 (void)
{
  g_autoptr(PosteTestProvider) p = provider_new ("drop=after-250");
  g_autoptr(GPtrArray) accepted = NULL;
  Customer k;

  customer_init (&k);
  poste_test_provider_add_message (p, "s@example.net", org_rcpt, "Subject: x\n\nx\n", -1);
  fetch (p, &k);
  g_assert_true (k.closed_early);
  g_assert_cmpuint (k.messages->len, ==, 1);
  g_assert_cmpuint (poste_test_provider_count_spooled (p), ==, 1);
  accepted = poste_test_provider_dup_accepted (p);
  g_assert_cmpuint (accepted->len, ==, 0);
  customer_clear (&k);

  /* The next session delivers it again: the customer now holds it twice. */
  g_assert_true (poste_test_provider_set_faults (p, NULL, NULL));
  customer_init (&k);
  {
    g_autoptr(Client) c = client_connect (poste_test_provider_get_port (p));
    g_autoptr(PosteReply) greeting = client_expect (c, 220);

    g_assert_nonnull (greeting->lines[0]);
    client_fetch (c, &k);
  }
  g_assert_true (poste_test_provider_wait_sessions (p, 2, TIMEOUT));
  g_assert_false (k.closed_early);
  g_assert_cmpuint (k.messages->len, ==, 1);
  g_assert_cmpuint (poste_test_provider_count_spooled (p), ==, 0);
  g_clear_pointer (&accepted, g_ptr_array_unref);
  accepted = poste_test_provider_dup_accepted (p);
  g_assert_cmpuint (accepted->len, ==, 1);
  customer_clear (&k);
}

/* Bare ATRN: every domain of the account (RFC 2645 section 5.2.1). */
static void
test_atrn_all_domains (void)
{
  g_autoptr(PosteTestProvider) p = provider_new (NULL);
  g_autoptr(Client) c = NULL;
  const char *com_rcpt[] = { "carol@example.com", NULL };
  const char *net_rcpt[] = { "dan@example.net", NULL };
  Customer k;

  poste_test_provider_add_message (p, "s@example.net", org_rcpt, "Subject: org\n\nx\n", -1);
  poste_test_provider_add_message (p, "s@example.net", com_rcpt, "Subject: com\n\nx\n", -1);
  poste_test_provider_add_message (p, "s@example.net", net_rcpt, "Subject: net\n\nx\n", -1);
  customer_init (&k);
  c = start_and_connect (p);
  client_command (c, "EHLO customer.test", 250);
  auth_cram (c);
  client_command (c, "ATRN", 250);
  customer_run (&k, c);
  g_assert_true (poste_test_provider_wait_sessions (p, 1, TIMEOUT));
  g_assert_cmpuint (k.messages->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (k.envelopes, 0), ==, "s@example.net>alice@example.org");
  g_assert_cmpstr (g_ptr_array_index (k.envelopes, 1), ==, "s@example.net>carol@example.com");
  /* example.net is not the account's: held for someone else. */
  g_assert_cmpuint (poste_test_provider_count_spooled (p), ==, 1);
  customer_clear (&k);
}

/* drop-in-data=N: exactly N bytes of content, then the connection closes. */
static void
test_drop_in_data (void)
{
  g_autoptr(PosteTestProvider) p = provider_new ("drop-in-data=24");
  Customer k;

  customer_init (&k);
  poste_test_provider_add_message (p, "s@example.net", org_rcpt,
                                   "Subject: x\n\n0123456789\n0123456789\n0123456789\n", -1);
  fetch (p, &k);
  g_assert_true (k.closed_early);
  g_assert_cmpuint (k.messages->len, ==, 0);
  /* 24 bytes = "Subject: x\r\n\r\n" (14) + "0123456789" (10), the last without its line end:
   * the fake customer counts complete lines only. */
  g_assert_cmpuint (k.partial, ==, 14);
  g_assert_cmpuint (poste_test_provider_count_spooled (p), ==, 1);
  customer_clear (&k);
}

/* drop=STAGE in the client phase: the connection closes with no reply. */
static void
test_drop_stages (void)
{
  const char *stages[] = { "greeting", "ehlo", "auth", "atrn" };

  for (guint i = 0; i < G_N_ELEMENTS (stages); i++)
    {
      g_autofree char *faults = g_strdup_printf ("drop=%s", stages[i]);
      g_autoptr(PosteTestProvider) p = provider_new (faults);
      g_autoptr(GError) error = NULL;
      g_autoptr(Client) c = NULL;
      g_autoptr(PosteReply) reply = NULL;
      guint16 port = poste_test_provider_start (p, &error);

      g_assert_no_error (error);
      poste_test_provider_add_message (p, "s@example.net", org_rcpt, "Subject: x\n\nx\n", -1);
      c = client_connect (port);
      if (i > 0)
        {
          g_clear_pointer (&reply, poste_reply_free);
          reply = client_expect (c, 220);
          client_send (c, "EHLO customer.test");
        }
      if (i > 1)
        {
          g_clear_pointer (&reply, poste_reply_free);
          reply = client_expect (c, 250);
          if (i == 2)
            client_send (c, "AUTH CRAM-MD5");
          else
            {
              auth_cram (c);
              client_send (c, "ATRN");
            }
        }
      g_clear_pointer (&reply, poste_reply_free);
      reply = poste_reply_read (c->conn, NULL, &error);
      g_assert_null (reply);
      g_assert_error (error, POSTE_PROTOCOL_ERROR, POSTE_PROTOCOL_ERROR_CLOSED);
      g_assert_cmpuint (poste_test_provider_count_spooled (p), ==, 1);
    }
}

/* BDAT (RFC 3030) when asked and the customer offers CHUNKING: no dot-stuffing. */
static void
test_bdat (void)
{
  g_autoptr(PosteTestProvider) p = provider_new ("bdat");
  g_autofree char *transcript = NULL;
  Customer k;

  customer_init (&k);
  k.chunking = TRUE;
  poste_test_provider_add_message (p, "s@example.net", org_rcpt, "Subject: b\n\n.dot\n", -1);
  fetch (p, &k);
  g_assert_cmpuint (k.messages->len, ==, 1);
  assert_bytes_equal (g_ptr_array_index (k.messages, 0), "Subject: b\r\n\r\n.dot\r\n");
  g_assert_cmpuint (poste_test_provider_count_spooled (p), ==, 0);
  transcript = poste_test_provider_dup_transcript (p);
  g_assert_nonnull (strstr (transcript, "S: BDAT 20 LAST\n"));
  customer_clear (&k);
}

/* ehlo-quit: turn around, EHLO, QUIT, deliver nothing. */
static void
test_ehlo_quit (void)
{
  g_autoptr(PosteTestProvider) p = provider_new ("ehlo-quit");
  Customer k;

  customer_init (&k);
  poste_test_provider_add_message (p, "s@example.net", org_rcpt, "Subject: x\n\nx\n", -1);
  fetch (p, &k);
  g_assert_false (k.closed_early);
  g_assert_cmpuint (k.messages->len, ==, 0);
  g_assert_cmpuint (poste_test_provider_count_spooled (p), ==, 1);
  customer_clear (&k);
}

/* Faults in the content: a NUL, a bare LF, an over-long line reach the customer as sent. */
static void
test_content_faults (void)
{
  g_autoptr(PosteTestProvider) p = provider_new ("nul long-line=1200 bare-lf");
  Customer k;
  gsize length;
  const char *data;

  customer_init (&k);
  poste_test_provider_add_message (p, "s@example.net", org_rcpt, "Subject: x\n\nx\n", -1);
  fetch (p, &k);
  g_assert_cmpuint (k.messages->len, ==, 1);
  data = g_bytes_get_data (g_ptr_array_index (k.messages, 0), &length);
  /* The fake customer's lines are C strings: the NUL cuts "X-NUL: a" short. */
  g_assert_true (g_str_has_prefix (data, "X-Bare-LF: yes\r\nX-NUL: a\r\nX-Long: xxx"));
  g_assert_nonnull (g_strstr_len (data, length, "xxx\r\nSubject: x\r\n"));
  g_assert_cmpuint (length, ==, 16 + 10 + 1200 + 2 + 17);
  g_assert_cmpuint (k.bare_lf_lines, ==, 1);
  customer_clear (&k);
}

/* A message file is streamed from disk, bare LF made CR LF. */
static void
test_message_file (void)
{
  g_autoptr(PosteTestProvider) p = provider_new (NULL);
  g_autofree char *dir = poste_test_make_dir ("spool");
  g_autofree char *path = g_build_filename (dir, "m1", NULL);
  g_autoptr(GString) text = g_string_new ("Subject: big\n\n");
  g_autoptr(GString) expected = g_string_new ("Subject: big\r\n\r\n");
  g_autoptr(GPtrArray) accepted = NULL;
  Customer k;

  for (guint i = 0; i < 20000; i++)
    {
      g_string_append_printf (text, "%sline %u\n", i % 7 == 0 ? "." : "", i);
      g_string_append_printf (expected, "%sline %u\r\n", i % 7 == 0 ? "." : "", i);
    }
  g_assert_true (g_file_set_contents (path, text->str, text->len, NULL));
  customer_init (&k);
  poste_test_provider_add_message_file (p, "s@example.net", org_rcpt, path);
  fetch (p, &k);
  g_assert_cmpuint (k.messages->len, ==, 1);
  assert_bytes_equal (g_ptr_array_index (k.messages, 0), expected->str);
  accepted = poste_test_provider_dup_accepted (p);
  g_assert_cmpstr (((PosteTestMessage *) g_ptr_array_index (accepted, 0))->path, ==, path);
  customer_clear (&k);
}

static GTlsConnection *
client_tls (Client        *c,
            PosteTestCert *cert)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsDatabase) db = g_tls_file_database_new (cert->ca_file, &error);
  g_autoptr(GSocketConnectable) identity = g_network_address_new ("provider.test", 366);
  GIOStream *tls;

  g_assert_no_error (error);
  tls = g_tls_client_connection_new (poste_connection_get_stream (c->conn), identity, &error);
  g_assert_no_error (error);
  g_tls_connection_set_database (G_TLS_CONNECTION (tls), db);
  return G_TLS_CONNECTION (tls);
}

/* STARTTLS (RFC 3207): offered, works with the generated certificate, PLAIN appears inside. */
static void
test_starttls (void)
{
  g_autofree char *dir = poste_test_make_dir ("cert");
  g_autoptr(GError) error = NULL;
  g_autoptr(PosteTestCert) cert = poste_test_cert_new (dir, "provider.test", POSTE_TEST_CERT_NONE,
                                                       &error);
  g_autoptr(PosteTestProvider) p = provider_new (NULL);
  g_autoptr(Client) c = NULL;
  g_autoptr(PosteReply) ehlo = NULL;
  g_autoptr(GTlsConnection) tls = NULL;
  g_autoptr(GTlsCertificate) peer = NULL;
  g_autofree char *transcript = NULL;
  const char *mechs = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (strlen (cert->sha256), ==, 64);
  poste_test_provider_set_tls (p, POSTE_TEST_TLS_STARTTLS, cert->certificate);
  c = start_and_connect (p);
  client_send (c, "EHLO customer.test");
  ehlo = client_expect (c, 250);
  g_assert_true (poste_reply_has_keyword (ehlo, "STARTTLS", NULL));
  client_command (c, "STARTTLS", 220);
  tls = client_tls (c, cert);
  poste_connection_handshake (c->conn, tls, NULL, &error);
  g_assert_no_error (error);
  g_object_get (tls, "peer-certificate", &peer, NULL);
  g_assert_true (g_tls_certificate_is_same (peer, cert->certificate));

  client_send (c, "EHLO customer.test");
  g_clear_pointer (&ehlo, poste_reply_free);
  ehlo = client_expect (c, 250);
  g_assert_false (poste_reply_has_keyword (ehlo, "STARTTLS", NULL));
  g_assert_true (poste_reply_has_keyword (ehlo, "AUTH", &mechs));
  g_assert_nonnull (strstr (mechs, "PLAIN"));
  auth_plain (c);
  client_command (c, "ATRN", 453);
  client_command (c, "QUIT", 221);
  g_assert_true (poste_test_provider_wait_sessions (p, 1, TIMEOUT));
  transcript = poste_test_provider_dup_transcript (p);
  g_assert_nonnull (strstr (transcript, "C: AUTH PLAIN <SASL data>\n"));
  g_assert_null (strstr (transcript, "AHUAcA=="));
}

/* inject-after-starttls: the 220 comes with a second reply in the same write; a careful customer
 * sees the extra bytes before the handshake (RFC 3207 section 6). starttls-reply and no-starttls
 * refuse it. */
static void
test_starttls_faults (void)
{
  g_autofree char *dir = poste_test_make_dir ("cert");
  g_autoptr(GError) error = NULL;
  g_autoptr(PosteTestCert) cert = poste_test_cert_new (dir, "provider.test",
                                                       POSTE_TEST_CERT_SELF_SIGNED, &error);
  g_assert_no_error (error);

  {
    g_autoptr(PosteTestProvider) p = provider_new ("inject-after-starttls");
    g_autoptr(Client) c = NULL;
    g_autoptr(GTlsConnection) tls = NULL;

    poste_test_provider_set_tls (p, POSTE_TEST_TLS_STARTTLS, cert->certificate);
    c = start_and_connect (p);
    client_command (c, "EHLO customer.test", 250);
    client_command (c, "STARTTLS", 220);
    tls = client_tls (c, cert);
    g_assert_false (poste_connection_handshake (c->conn, tls, NULL, &error));
    g_assert_error (error, POSTE_PROTOCOL_ERROR, POSTE_PROTOCOL_ERROR_INJECTION);
    g_clear_error (&error);
  }
  {
    /* drop=starttls: no reply at all; drop=handshake: the 220, then nothing. */
    g_autoptr(PosteTestProvider) p = provider_new ("drop=starttls");
    g_autoptr(PosteTestProvider) q = provider_new ("drop=handshake");
    g_autoptr(Client) c = NULL;
    g_autoptr(Client) d = NULL;
    g_autoptr(PosteReply) reply = NULL;
    g_autoptr(GTlsConnection) tls = NULL;

    poste_test_provider_set_tls (p, POSTE_TEST_TLS_STARTTLS, cert->certificate);
    c = start_and_connect (p);
    client_command (c, "EHLO customer.test", 250);
    client_send (c, "STARTTLS");
    reply = poste_reply_read (c->conn, NULL, &error);
    g_assert_null (reply);
    g_assert_error (error, POSTE_PROTOCOL_ERROR, POSTE_PROTOCOL_ERROR_CLOSED);
    g_clear_error (&error);

    poste_test_provider_set_tls (q, POSTE_TEST_TLS_STARTTLS, cert->certificate);
    d = start_and_connect (q);
    client_command (d, "EHLO customer.test", 250);
    client_command (d, "STARTTLS", 220);
    tls = client_tls (d, cert);
    g_assert_false (poste_connection_handshake (d->conn, tls, NULL, &error));
    g_assert_nonnull (error);
    g_clear_error (&error);
  }
  {
    g_autoptr(PosteTestProvider) p = provider_new ("starttls-reply=454");
    g_autoptr(Client) c = NULL;

    poste_test_provider_set_tls (p, POSTE_TEST_TLS_STARTTLS, cert->certificate);
    c = start_and_connect (p);
    client_command (c, "EHLO customer.test", 250);
    client_command (c, "STARTTLS", 454);
    client_command (c, "QUIT", 221);
  }
  {
    g_autoptr(PosteTestProvider) p = provider_new ("no-starttls mechanisms=CRAM-MD5");
    g_autoptr(Client) c = NULL;
    g_autoptr(PosteReply) ehlo = NULL;
    const char *mechs = NULL;

    poste_test_provider_set_tls (p, POSTE_TEST_TLS_STARTTLS, cert->certificate);
    c = start_and_connect (p);
    client_send (c, "EHLO customer.test");
    ehlo = client_expect (c, 250);
    g_assert_false (poste_reply_has_keyword (ehlo, "STARTTLS", NULL));
    g_assert_true (poste_reply_has_keyword (ehlo, "AUTH", &mechs));
    g_assert_cmpstr (mechs, ==, "CRAM-MD5");
    client_command (c, "STARTTLS", 502);
    client_command (c, "AUTH SCRAM-SHA-1", 504);
  }
}

/* Implicit TLS: the handshake comes before the greeting. */
static void
test_implicit_tls (void)
{
  g_autofree char *dir = poste_test_make_dir ("cert");
  g_autoptr(GError) error = NULL;
  g_autoptr(PosteTestCert) cert = poste_test_cert_new (dir, "provider.test", POSTE_TEST_CERT_NONE,
                                                       &error);
  g_autoptr(PosteTestProvider) p = provider_new (NULL);
  g_autoptr(Client) c = NULL;
  g_autoptr(GTlsConnection) tls = NULL;
  g_autoptr(PosteReply) greeting = NULL;
  guint16 port;

  g_assert_no_error (error);
  poste_test_provider_set_tls (p, POSTE_TEST_TLS_IMPLICIT, cert->certificate);
  port = poste_test_provider_start (p, &error);
  g_assert_no_error (error);
  c = client_connect (port);
  tls = client_tls (c, cert);
  poste_connection_handshake (c->conn, tls, NULL, &error);
  g_assert_no_error (error);
  greeting = client_expect (c, 220);
  client_command (c, "EHLO customer.test", 250);
  auth_plain (c);
  client_command (c, "QUIT", 221);
}

/* An expired certificate fails verification. */
static void
test_cert_expired (void)
{
  g_autofree char *dir = poste_test_make_dir ("cert");
  g_autoptr(GError) error = NULL;
  g_autoptr(PosteTestCert) cert = poste_test_cert_new (dir, "provider.test",
                                                       POSTE_TEST_CERT_EXPIRED, &error);
  g_autoptr(GTlsDatabase) db = NULL;
  g_autoptr(GSocketConnectable) identity = g_network_address_new ("provider.test", 366);
  GTlsCertificateFlags flags;

  g_assert_no_error (error);
  db = g_tls_file_database_new (cert->ca_file, &error);
  g_assert_no_error (error);
  flags = g_tls_database_verify_chain (db, cert->certificate,
                                       G_TLS_DATABASE_PURPOSE_AUTHENTICATE_SERVER, identity, NULL,
                                       G_TLS_DATABASE_VERIFY_NONE, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (flags & G_TLS_CERTIFICATE_EXPIRED);
}

/* Faulty EHLO replies: what a strict reply reader must refuse. */
static void
test_reply_faults (void)
{
  struct { const char *faults; int code; } cases[] = {
    { "reply-long-line", POSTE_PROTOCOL_ERROR_LINE_TOO_LONG },
    { "reply-code-change", POSTE_PROTOCOL_ERROR_MALFORMED },
    { "reply-endless-multiline", POSTE_PROTOCOL_ERROR_TOO_MANY_LINES },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(PosteTestProvider) p = provider_new (cases[i].faults);
      g_autoptr(Client) c = start_and_connect (p);
      g_autoptr(GError) error = NULL;
      g_autoptr(PosteReply) reply = NULL;

      client_send (c, "EHLO customer.test");
      reply = poste_reply_read (c->conn, NULL, &error);
      g_assert_null (reply);
      g_assert_error (error, POSTE_PROTOCOL_ERROR, cases[i].code);
    }
}

static void
test_junk_334 (void)
{
  g_autoptr(PosteTestProvider) p = provider_new ("junk-334");
  g_autoptr(Client) c = start_and_connect (p);
  g_autoptr(PosteReply) reply = NULL;

  client_command (c, "EHLO customer.test", 250);
  client_send (c, "AUTH CRAM-MD5");
  reply = client_expect (c, 334);
  g_assert_cmpstr (reply->lines[0], ==, "!!junk&&");
  client_command (c, "*", 501);
}

/* silent=ehlo: no reply, the socket stays open until the customer gives up. */
static void
test_silent (void)
{
  g_autoptr(PosteTestProvider) p = provider_new ("silent=ehlo");
  g_autoptr(Client) c = start_and_connect (p);
  g_autoptr(GError) error = NULL;
  g_autoptr(PosteReply) reply = NULL;

  poste_connection_set_timeout (c->conn, 1);
  client_send (c, "EHLO customer.test");
  reply = poste_reply_read (c->conn, NULL, &error);
  g_assert_null (reply);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
}

static void
test_bad_faults (void)
{
  g_autoptr(PosteTestProvider) p = poste_test_provider_new ();
  const char *bad[] = { "frobnicate", "drop=never", "atrn-reply=99", "drop-in-data=x",
                        "slow-lines=" };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (poste_test_provider_set_faults (p, bad[i], &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    }
  g_assert_true (poste_test_provider_set_faults (p, " drop=after-250  bdat ", NULL));
}

/* drop=STAGE in the reversed state: the message stays in the spool, nothing is accepted. */
static void
test_drop_reversed (void)
{
  const char *stages[] = { "our-220", "mail", "rcpt", "data" };

  for (guint i = 0; i < G_N_ELEMENTS (stages); i++)
    {
      g_autofree char *faults = g_strdup_printf ("drop=%s", stages[i]);
      g_autoptr(PosteTestProvider) p = provider_new (faults);
      g_autoptr(GPtrArray) accepted = NULL;
      g_autofree char *transcript = NULL;
      Customer k;

      customer_init (&k);
      poste_test_provider_add_message (p, "s@example.net", org_rcpt, "Subject: x\n\nx\n", -1);
      fetch (p, &k);
      g_assert_true (k.closed_early);
      g_assert_cmpuint (k.messages->len, ==, 0);
      g_assert_cmpuint (poste_test_provider_count_spooled (p), ==, 1);
      accepted = poste_test_provider_dup_accepted (p);
      g_assert_cmpuint (accepted->len, ==, 0);
      transcript = poste_test_provider_dup_transcript (p);
      g_assert_nonnull (strstr (transcript, "[drop]"));
      customer_clear (&k);
    }
}

/* huge=BYTES: filler lines after the message, streamed. */
static void
test_huge (void)
{
  g_autoptr(PosteTestProvider) p = provider_new ("huge=1000000");
  Customer k;
  gsize length;
  const char *data;

  customer_init (&k);
  poste_test_provider_add_message (p, "s@example.net", org_rcpt, "Subject: big\n\n", -1);
  fetch (p, &k);
  g_assert_cmpuint (k.messages->len, ==, 1);
  data = g_bytes_get_data (g_ptr_array_index (k.messages, 0), &length);
  /* 1000000 / 76 rounded up = 13158 lines of 76 bytes. */
  g_assert_cmpuint (length, ==, 16 + 13158 * 76);
  g_assert_true (g_str_has_prefix (data, "Subject: big\r\n\r\nFiller filler"));
  g_assert_cmpmem (data + length - 6, 6, "fill\r\n", 6);
  customer_clear (&k);
}

/* EXTERNAL (RFC 4422 appendix A) with a client certificate whose CN is the account. */
static void
test_external (void)
{
  g_autofree char *dir = poste_test_make_dir ("cert");
  g_autofree char *client_dir = poste_test_make_dir ("client");
  g_autoptr(GError) error = NULL;
  g_autoptr(PosteTestCert) cert = poste_test_cert_new (dir, "provider.test", POSTE_TEST_CERT_NONE,
                                                       &error);
  g_autoptr(PosteTestCert) client_cert = poste_test_cert_new (client_dir, "u",
                                                              POSTE_TEST_CERT_SELF_SIGNED,
                                                              &error);
  g_autoptr(PosteTestProvider) p = provider_new ("mechanisms=EXTERNAL,CRAM-MD5");
  g_autoptr(Client) c = NULL;
  g_autoptr(PosteReply) ehlo = NULL;
  g_autoptr(GTlsConnection) tls = NULL;
  const char *mechs = NULL;

  g_assert_no_error (error);
  poste_test_provider_set_tls (p, POSTE_TEST_TLS_STARTTLS, cert->certificate);
  c = start_and_connect (p);
  client_send (c, "EHLO customer.test");
  ehlo = client_expect (c, 250);
  g_assert_true (poste_reply_has_keyword (ehlo, "AUTH", &mechs));
  g_assert_cmpstr (mechs, ==, "CRAM-MD5");     /* no EXTERNAL without a client certificate */
  client_command (c, "STARTTLS", 220);
  tls = client_tls (c, cert);
  g_tls_connection_set_certificate (tls, client_cert->certificate);
  poste_connection_handshake (c->conn, tls, NULL, &error);
  g_assert_no_error (error);

  client_send (c, "EHLO customer.test");
  g_clear_pointer (&ehlo, poste_reply_free);
  ehlo = client_expect (c, 250);
  g_assert_true (poste_reply_has_keyword (ehlo, "AUTH", &mechs));
  g_assert_cmpstr (mechs, ==, "EXTERNAL CRAM-MD5");
  client_command (c, "AUTH EXTERNAL dg==", 535);   /* authzid "v" is not the certificate's */
  client_command (c, "AUTH EXTERNAL =", 235);
  client_command (c, "ATRN", 453);
  client_command (c, "QUIT", 221);
}

/* The standalone tool: --spool-dir, envelope from the From: header, --sessions 1. */
static void
test_tool (void)
{
  g_autofree char *tool = g_build_filename (poste_test_build_root (), "tests", "provider",
                                            "poste-test-provider", NULL);
  g_autofree char *dir = poste_test_make_dir ("spool");
  g_autofree char *path_a = g_build_filename (dir, "a.eml", NULL);
  g_autofree char *path_b = g_build_filename (dir, "b.eml", NULL);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(Client) c = NULL;
  Customer k;

  g_assert_true (g_file_set_contents (path_b, "From: Bob <bob@example.net>\nSubject: b\n\nB\n", -1,
                                      NULL));
  g_assert_true (g_file_set_contents (path_a, "Return-Path: <>\nFrom: a@example.net\n\n.A\n", -1,
                                      NULL));
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, tool,
                              "--account", "u:p:example.org", "--spool-dir", dir,
                              "--sessions", "1", "--timeout", "20", NULL);
  g_assert_no_error (error);

  customer_init (&k);
  c = client_connect (poste_test_read_listening_port (process));
  g_clear_pointer (&k.envelopes, g_ptr_array_unref);
  k.envelopes = g_ptr_array_new_with_free_func (g_free);
  {
    g_autoptr(PosteReply) greeting = client_expect (c, 220);

    g_assert_nonnull (greeting->lines[0]);
  }
  client_fetch (c, &k);
  g_subprocess_wait_check (process, NULL, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (k.messages->len, ==, 2);
  /* Sorted by name: a.eml first; its null sender comes from Return-Path. */
  g_assert_cmpstr (g_ptr_array_index (k.envelopes, 0), ==, ">postmaster@example.org");
  assert_bytes_equal (g_ptr_array_index (k.messages, 0),
                      "Return-Path: <>\r\nFrom: a@example.net\r\n\r\n.A\r\n");
  g_assert_cmpstr (g_ptr_array_index (k.envelopes, 1), ==,
                   "bob@example.net>postmaster@example.org");
  customer_clear (&k);
}

/* SCRAM-SHA-256-PLUS with tls-exporter channel binding (RFC 9266), inside STARTTLS. */
static void
test_scram_plus (void)
{
  g_autofree char *dir = poste_test_make_dir ("cert");
  g_autoptr(GError) error = NULL;
  g_autoptr(PosteTestCert) cert = poste_test_cert_new (dir, "provider.test", POSTE_TEST_CERT_NONE,
                                                       &error);
  g_autoptr(PosteTestProvider) p = provider_new ("mechanisms=SCRAM-SHA-256-PLUS,SCRAM-SHA-256");
  g_autoptr(Client) c = NULL;
  g_autoptr(PosteReply) ehlo = NULL;
  g_autoptr(GTlsConnection) tls = NULL;
  g_autoptr(GByteArray) binding = g_byte_array_new ();
  g_autofree char *cb = NULL;
  const char *mechs = NULL;

  g_assert_no_error (error);
  poste_test_provider_set_tls (p, POSTE_TEST_TLS_STARTTLS, cert->certificate);
  c = start_and_connect (p);
  client_send (c, "EHLO customer.test");
  ehlo = client_expect (c, 250);
  g_assert_true (poste_reply_has_keyword (ehlo, "AUTH", &mechs));
  g_assert_cmpstr (mechs, ==, "SCRAM-SHA-256");     /* no -PLUS outside TLS */
  client_command (c, "STARTTLS", 220);
  tls = client_tls (c, cert);
  poste_connection_handshake (c->conn, tls, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_tls_connection_get_channel_binding_data (tls,
                                                            G_TLS_CHANNEL_BINDING_TLS_EXPORTER,
                                                            binding, &error));
  g_assert_no_error (error);
  cb = g_base64_encode (binding->data, binding->len);

  client_send (c, "EHLO customer.test");
  g_clear_pointer (&ehlo, poste_reply_free);
  ehlo = client_expect (c, 250);
  g_assert_true (poste_reply_has_keyword (ehlo, "AUTH", &mechs));
  g_assert_cmpstr (mechs, ==, "SCRAM-SHA-256-PLUS SCRAM-SHA-256");
  scram_auth (c, "SCRAM-SHA-256-PLUS", cb);
  client_command (c, "ATRN", 453);
  client_command (c, "QUIT", 221);
}

/* A command line over the RFC 4954 bound: 500, then the provider hangs up. */
static void
test_long_command (void)
{
  g_autoptr(PosteTestProvider) p = provider_new (NULL);
  g_autoptr(Client) c = start_and_connect (p);
  g_autofree char *line = g_strnfill (20000, 'A');
  g_autoptr(PosteReply) reply = NULL;
  g_autoptr(GError) error = NULL;

  client_send (c, line);
  reply = client_expect (c, 500);
  g_clear_pointer (&reply, poste_reply_free);
  reply = poste_reply_read (c->conn, NULL, &error);
  g_assert_null (reply);
  g_assert_nonnull (error);
}

/* LOGIN and PLAIN (in clear text only with plain-auth-in-clear); a wrong password is 535. */
static void
test_login_plain (void)
{
  g_autoptr(PosteTestProvider) p = provider_new ("plain-auth-in-clear");
  g_autoptr(Client) c = start_and_connect (p);
  g_autoptr(PosteReply) reply = NULL;
  g_autofree char *user = g_base64_encode ((const guchar *) "u", 1);
  g_autofree char *password = g_base64_encode ((const guchar *) "p", 1);
  g_autofree char *wrong = g_base64_encode ((const guchar *) "\0u\0q", 4);
  g_autofree char *line = g_strdup_printf ("AUTH PLAIN %s", wrong);

  client_command (c, "EHLO customer.test", 250);
  client_command (c, line, 535);
  client_send (c, "AUTH LOGIN");
  reply = client_expect (c, 334);
  client_command (c, user, 334);
  client_command (c, password, 235);
  client_command (c, "ATRN", 453);
  client_command (c, "QUIT", 221);
}

int
main (int    argc,
      char **argv)
{
  poste_test_init (&argc, &argv);

  g_test_add_func ("/provider/greeting-ehlo", test_greeting_ehlo);
  g_test_add_func ("/provider/long-command", test_long_command);
  g_test_add_func ("/provider/auth/cram-md5-rfc2195", test_cram_md5_rfc2195);
  g_test_add_func ("/provider/auth/cram-md5-wrong", test_cram_md5_wrong);
  g_test_add_func ("/provider/auth/scram-sha-256", test_scram);
  g_test_add_func ("/provider/auth/scram-sha-1", test_scram_sha1);
  g_test_add_func ("/provider/auth/login-plain", test_login_plain);
  g_test_add_func ("/provider/auth/scram-sha-256-plus", test_scram_plus);
  g_test_add_func ("/provider/atrn/codes", test_atrn_codes);
  g_test_add_func ("/provider/atrn/all-domains", test_atrn_all_domains);
  g_test_add_data_func ("/provider/turnaround/pipelining", NULL, test_turnaround);
  g_test_add_data_func ("/provider/turnaround/no-pipelining", "no-pipelining", test_turnaround);
  g_test_add_data_func ("/provider/turnaround/slow", "slow-lines=5", test_turnaround);
  g_test_add_func ("/provider/turnaround/recipient-limits", test_recipient_limits);
  g_test_add_func ("/provider/turnaround/data-refused", test_data_refused);
  g_test_add_func ("/provider/turnaround/bdat", test_bdat);
  g_test_add_func ("/provider/turnaround/ehlo-quit", test_ehlo_quit);
  g_test_add_func ("/provider/turnaround/message-file", test_message_file);
  g_test_add_func ("/provider/faults/drop-after-250", test_drop_after_250);
  g_test_add_func ("/provider/faults/drop-in-data", test_drop_in_data);
  g_test_add_func ("/provider/faults/drop-stages", test_drop_stages);
  g_test_add_func ("/provider/faults/content", test_content_faults);
  g_test_add_func ("/provider/faults/drop-reversed", test_drop_reversed);
  g_test_add_func ("/provider/faults/huge", test_huge);
  g_test_add_func ("/provider/auth/external", test_external);
  g_test_add_func ("/provider/tool/spool-dir", test_tool);
  g_test_add_func ("/provider/faults/replies", test_reply_faults);
  g_test_add_func ("/provider/faults/junk-334", test_junk_334);
  g_test_add_func ("/provider/faults/silent", test_silent);
  g_test_add_func ("/provider/faults/bad-spec", test_bad_faults);
  g_test_add_func ("/provider/tls/starttls", test_starttls);
  g_test_add_func ("/provider/tls/starttls-faults", test_starttls_faults);
  g_test_add_func ("/provider/tls/implicit", test_implicit_tls);
  g_test_add_func ("/provider/tls/cert-expired", test_cert_expired);

  return g_test_run ();
}
