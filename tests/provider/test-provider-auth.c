/* test-provider-auth.c: the test provider's AUTH (RFC 4954): CRAM-MD5 (RFC 2195),
 * SCRAM-SHA-1 and -256 with and without channel binding, LOGIN, PLAIN, EXTERNAL
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gsasl.h>

#include "test-provider.h"

/* RFC 2195 section 2, the example exchange, byte for byte. */
void
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

void
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

/* SCRAM (RFC 5802; SHA-256 from RFC 7677) without channel binding: @mech is the mechanism's
 * name. Authenticated, ATRN is answered (453: nothing spooled). */
void
test_scram (gconstpointer mech)
{
  g_autoptr(PosteTestProvider) p = provider_new (NULL);
  g_autoptr(Client) c = start_and_connect (p);

  client_command (c, "EHLO customer.test", 250);
  scram_auth (c, mech, NULL);
  client_command (c, "ATRN", 453);
  client_command (c, "QUIT", 221);
}

/* EXTERNAL (RFC 4422 appendix A) with a client certificate whose CN is the account. */
void
test_external (void)
{
  g_autofree char *client_dir = poste_test_make_dir ("client");
  g_autoptr(GError) error = NULL;
  g_autoptr(PosteTestCert) cert = provider_cert_new (POSTE_TEST_CERT_NONE);
  g_autoptr(PosteTestCert) client_cert = poste_test_cert_new (client_dir, "u",
                                                              POSTE_TEST_CERT_SELF_SIGNED,
                                                              &error);
  g_autoptr(PosteTestProvider) p = provider_new ("mechanisms=EXTERNAL,CRAM-MD5");
  g_autoptr(Client) c = NULL;
  g_autoptr(GTlsConnection) tls = NULL;

  g_assert_no_error (error);
  poste_test_provider_set_tls (p, POSTE_TEST_TLS_STARTTLS, cert->certificate);
  c = start_and_connect (p);
  client_ehlo_auth (c, "CRAM-MD5");     /* no EXTERNAL without a client certificate */
  client_command (c, "STARTTLS", 220);
  tls = client_tls (c, cert);
  g_tls_connection_set_certificate (tls, client_cert->certificate);
  poste_connection_handshake (c->conn, tls, NULL, &error);
  g_assert_no_error (error);

  client_ehlo_auth (c, "EXTERNAL CRAM-MD5");
  client_command (c, "AUTH EXTERNAL dg==", 535);   /* authzid "v" is not the certificate's */
  client_command (c, "AUTH EXTERNAL =", 235);
  client_command (c, "ATRN", 453);
  client_command (c, "QUIT", 221);
}

/* SCRAM-SHA-256-PLUS with tls-exporter channel binding (RFC 9266), inside STARTTLS. */
void
test_scram_plus (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosteTestCert) cert = provider_cert_new (POSTE_TEST_CERT_NONE);
  g_autoptr(PosteTestProvider) p = provider_new ("mechanisms=SCRAM-SHA-256-PLUS,SCRAM-SHA-256");
  g_autoptr(Client) c = NULL;
  g_autoptr(GTlsConnection) tls = NULL;
  g_autoptr(GByteArray) binding = g_byte_array_new ();
  g_autofree char *cb = NULL;

  g_assert_no_error (error);
  poste_test_provider_set_tls (p, POSTE_TEST_TLS_STARTTLS, cert->certificate);
  c = start_and_connect (p);
  client_ehlo_auth (c, "SCRAM-SHA-256");     /* no -PLUS outside TLS */
  client_command (c, "STARTTLS", 220);
  tls = client_tls (c, cert);
  poste_connection_handshake (c->conn, tls, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_tls_connection_get_channel_binding_data (tls,
                                                            G_TLS_CHANNEL_BINDING_TLS_EXPORTER,
                                                            binding, &error));
  g_assert_no_error (error);
  cb = g_base64_encode (binding->data, binding->len);

  client_ehlo_auth (c, "SCRAM-SHA-256-PLUS SCRAM-SHA-256");
  scram_auth (c, "SCRAM-SHA-256-PLUS", cb);
  client_command (c, "ATRN", 453);
  client_command (c, "QUIT", 221);
}

/* LOGIN and PLAIN (in clear text only with plain-auth-in-clear); a wrong password is 535. */
void
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
