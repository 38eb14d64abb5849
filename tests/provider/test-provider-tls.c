/* test-provider-tls.c: the test provider's TLS: STARTTLS (RFC 3207) and its faults,
 * implicit TLS, an expired certificate
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "test-provider.h"

/* STARTTLS (RFC 3207): offered, works with the generated certificate, PLAIN appears inside. */
void
test_starttls (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosteTestCert) cert = provider_cert_new (POSTE_TEST_CERT_NONE);
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
void
test_starttls_faults (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosteTestCert) cert = provider_cert_new (POSTE_TEST_CERT_SELF_SIGNED);
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
void
test_implicit_tls (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosteTestCert) cert = provider_cert_new (POSTE_TEST_CERT_NONE);
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
void
test_cert_expired (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosteTestCert) cert = provider_cert_new (POSTE_TEST_CERT_EXPIRED);
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
