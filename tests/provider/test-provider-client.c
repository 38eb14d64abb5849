/* test-provider-client.c: the raw client of test-provider's cases and the fake customer it plays
 * in the reversed state (a minimal SMTP server that records what the provider delivers)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>

#include "test-provider.h"

Client *
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

void
client_free (Client *c)
{
  poste_connection_close (c->conn, NULL, NULL);
  poste_connection_unref (c->conn);
  g_object_unref (c->socket);
  g_free (c);
}

void
client_send (Client     *c,
             const char *line)
{
  g_autoptr(GError) error = NULL;

  poste_connection_write_line (c->conn, line, NULL, &error);
  g_assert_no_error (error);
  poste_connection_flush (c->conn, NULL, &error);
  g_assert_no_error (error);
}

PosteReply *
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

void
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
char *
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

char *
client_line (Client *c)
{
  gboolean bare_lf;

  return client_line_full (c, &bare_lf);
}

PosteTestProvider *
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

Client *
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

void
auth_plain (Client *c)
{
  g_autofree char *b64 = g_base64_encode ((const guchar *) "\0u\0p", 4);
  g_autofree char *line = g_strdup_printf ("AUTH PLAIN %s", b64);

  client_command (c, line, 235);
}

/* AUTH CRAM-MD5 (RFC 2195) as u/p, answering whatever challenge the provider makes. */
void
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

void
customer_init (Customer *k)
{
  memset (k, 0, sizeof *k);
  k->data_code = 250;
  k->messages = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  k->envelopes = g_ptr_array_new_with_free_func (g_free);
}

void
customer_clear (Customer *k)
{
  g_ptr_array_unref (k->messages);
  g_ptr_array_unref (k->envelopes);
}

/* A reply of the fake customer; the provider may have gone already (drop faults). */
void
reply_line (Client     *c,
            const char *line)
{
  if (poste_connection_write_line (c->conn, line, NULL, NULL))
    poste_connection_flush (c->conn, NULL, NULL);
}

/* Plays the SMTP server until QUIT or the provider closes. */
void
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
void
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

void
fetch (PosteTestProvider *p,
       Customer          *k)
{
  g_autoptr(Client) c = start_and_connect (p);

  client_fetch (c, k);
  g_assert_true (poste_test_provider_wait_sessions (p, 1, TIMEOUT));
}

const char *org_rcpt[] = { "alice@example.org", NULL };

void
assert_bytes_equal (GBytes     *bytes,
                    const char *expected)
{
  gsize length;
  const char *data = g_bytes_get_data (bytes, &length);

  g_assert_cmpmem (data, length, expected, strlen (expected));
}

/* EHLO: the reply is a 250 whose AUTH keyword lists exactly @mechanisms. */
void
client_ehlo_auth (Client     *c,
                  const char *mechanisms)
{
  g_autoptr(PosteReply) ehlo = NULL;
  const char *mechs = NULL;

  client_send (c, "EHLO customer.test");
  ehlo = client_expect (c, 250);
  g_assert_true (poste_reply_has_keyword (ehlo, "AUTH", &mechs));
  g_assert_cmpstr (mechs, ==, mechanisms);
}

/* The provider's certificate for "provider.test", made with @flags in a new folder "cert". */
PosteTestCert *
provider_cert_new (PosteTestCertFlags flags)
{
  g_autofree char *dir = poste_test_make_dir ("cert");
  g_autoptr(GError) error = NULL;
  PosteTestCert *cert = poste_test_cert_new (dir, "provider.test", flags, &error);

  g_assert_no_error (error);
  return cert;
}

GTlsConnection *
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
