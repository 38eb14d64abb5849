/* test-sasl.c: SASL mechanism choice and the RFC test vectors through libgsasl
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * CRAM-MD5 is deterministic, so RFC 2195's example is checked as it is.
 *
 * SCRAM draws a fresh client nonce, so RFC 7677's example cannot be replayed through libgsasl.
 * Instead: (1) an independent implementation of RFC 5802's formulas written here with GLib's
 * HMAC is checked against RFC 7677 section 3's exact transcript (its ClientProof "p=" and
 * ServerSignature "v="); (2) libgsasl's client is then run against a server played by this test
 * with the RFC's salt, iteration count and server nonce, and its ClientProof must equal what the
 * independent implementation computes for the nonce libgsasl chose; (3) libgsasl must accept the
 * right ServerSignature and refuse a wrong one.
 */
#include "config.h"

#include <gsasl.h>
#include <string.h>

#include "poste.h"
#include "poste-sasl.h"
#include "poste-test.h"

static void
test_cram_md5_rfc2195 (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosteSasl) sasl = poste_sasl_new ("CRAM-MD5", "tim", "tanstaaftanstaaf", NULL, NULL,
                                              &error);
  g_autofree char *challenge = NULL;
  g_autofree char *response = NULL;
  g_autofree guchar *decoded = NULL;
  gsize n;
  gboolean done = FALSE;
  const char *text = "<1896.697170952@postoffice.reston.mci.net>";

  g_assert_no_error (error);
  challenge = g_base64_encode ((const guchar *) text, strlen (text));
  response = poste_sasl_step (sasl, challenge, &done, &error);
  g_assert_no_error (error);
  g_assert_true (done);
  decoded = g_base64_decode (response, &n);
  g_assert_cmpmem (decoded, n, "tim b913a602c7eda7a495b4e6e7334d3890", 36);
}

static void
test_plain (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosteSasl) sasl = poste_sasl_new ("PLAIN", "user", "secret", NULL, NULL, &error);
  g_autofree char *response = NULL;
  g_autofree guchar *decoded = NULL;
  gsize n;
  gboolean done = FALSE;

  g_assert_no_error (error);
  response = poste_sasl_step (sasl, NULL, &done, &error);
  g_assert_no_error (error);
  g_assert_true (done);
  decoded = g_base64_decode (response, &n);
  g_assert_cmpmem (decoded, n, "\0user\0secret", 12);
}

/* ---- SCRAM-SHA-256, independently ---- */

static GBytes *
hmac (GBytes       *key,
      const void   *data,
      gsize         length)
{
  gsize n;
  const guint8 *k = g_bytes_get_data (key, &n);
  g_autoptr(GHmac) h = g_hmac_new (G_CHECKSUM_SHA256, k, n);
  guint8 digest[32];
  gsize digest_len = sizeof digest;

  g_hmac_update (h, data, length);
  g_hmac_get_digest (h, digest, &digest_len);
  return g_bytes_new (digest, digest_len);
}

/* Hi() of RFC 5802 section 2.2: PBKDF2 with HMAC-SHA-256 and one block. */
static GBytes *
salted_password (const char   *password,
                 const guint8 *salt,
                 gsize         salt_length,
                 guint         iterations)
{
  g_autoptr(GBytes) key = g_bytes_new (password, strlen (password));
  g_autoptr(GByteArray) first = g_byte_array_new ();
  g_autoptr(GBytes) u = NULL;
  guint8 result[32];

  g_byte_array_append (first, salt, salt_length);
  g_byte_array_append (first, (const guint8 *) "\0\0\0\1", 4);
  u = hmac (key, first->data, first->len);
  memcpy (result, g_bytes_get_data (u, NULL), 32);
  for (guint i = 1; i < iterations; i++)
    {
      GBytes *next = hmac (key, g_bytes_get_data (u, NULL), 32);
      const guint8 *p = g_bytes_get_data (next, NULL);

      for (guint j = 0; j < 32; j++)
        result[j] ^= p[j];
      g_bytes_unref (u);
      u = next;
    }
  return g_bytes_new (result, 32);
}

/* Computes "p=" and "v=" for an exchange (RFC 5802 section 3). */
static void
scram_compute (const char  *password,
               const char  *salt_b64,
               guint        iterations,
               const char  *client_first_bare,
               const char  *server_first,
               const char  *client_final_without_proof,
               char       **proof_b64,
               char       **server_signature_b64,
               char       **salted_hex)
{
  gsize salt_length;
  g_autofree guchar *salt = g_base64_decode (salt_b64, &salt_length);
  g_autoptr(GBytes) sp = salted_password (password, salt, salt_length, iterations);
  g_autoptr(GBytes) client_key = hmac (sp, "Client Key", 10);
  g_autoptr(GBytes) server_key = hmac (sp, "Server Key", 10);
  g_autoptr(GBytes) stored_key = NULL;
  g_autoptr(GBytes) client_signature = NULL;
  g_autoptr(GBytes) server_signature = NULL;
  g_autofree char *auth_message = g_strjoin (",", client_first_bare, server_first,
                                             client_final_without_proof, NULL);
  guint8 digest[32];
  gsize digest_len = sizeof digest;
  guint8 proof[32];
  g_autoptr(GChecksum) sha = g_checksum_new (G_CHECKSUM_SHA256);
  GString *hex = g_string_new (NULL);

  g_checksum_update (sha, g_bytes_get_data (client_key, NULL), 32);
  g_checksum_get_digest (sha, digest, &digest_len);
  stored_key = g_bytes_new (digest, digest_len);
  client_signature = hmac (stored_key, auth_message, strlen (auth_message));
  server_signature = hmac (server_key, auth_message, strlen (auth_message));
  for (guint i = 0; i < 32; i++)
    proof[i] = ((const guint8 *) g_bytes_get_data (client_key, NULL))[i] ^
               ((const guint8 *) g_bytes_get_data (client_signature, NULL))[i];
  for (guint i = 0; i < 32; i++)
    g_string_append_printf (hex, "%02x", ((const guint8 *) g_bytes_get_data (sp, NULL))[i]);

  *proof_b64 = g_base64_encode (proof, 32);
  *server_signature_b64 = g_base64_encode (g_bytes_get_data (server_signature, NULL), 32);
  *salted_hex = g_string_free (hex, FALSE);
}

#define RFC7677_SALT "W22ZaJ0SNY7soEsUEjb6gQ=="
#define RFC7677_SERVER_NONCE "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"

static void
test_scram_formulas_rfc7677 (void)
{
  g_autofree char *proof = NULL;
  g_autofree char *signature = NULL;
  g_autofree char *salted = NULL;

  scram_compute ("pencil", RFC7677_SALT, 4096,
                 "n=user,r=rOprNGfwEbeRWgbNEkqO",
                 "r=rOprNGfwEbeRWgbNEkqO" RFC7677_SERVER_NONCE ",s=" RFC7677_SALT ",i=4096",
                 "c=biws,r=rOprNGfwEbeRWgbNEkqO" RFC7677_SERVER_NONCE,
                 &proof, &signature, &salted);
  g_assert_cmpstr (proof, ==, "dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
  g_assert_cmpstr (signature, ==, "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
}

static char *
b64_text (const char *text)
{
  return g_base64_encode ((const guchar *) text, strlen (text));
}

static char *
unb64 (const char *b64)
{
  gsize n;
  guchar *data = g_base64_decode (b64, &n);
  char *text = g_strndup ((const char *) data, n);

  g_free (data);
  return text;
}

static void
run_scram (gboolean right_signature)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosteSasl) sasl = poste_sasl_new ("SCRAM-SHA-256", "user", "pencil", NULL, NULL,
                                              &error);
  g_autofree char *first_b64 = NULL;
  g_autofree char *first = NULL;
  g_autofree char *server_first = NULL;
  g_autofree char *server_first_b64 = NULL;
  g_autofree char *final_b64 = NULL;
  g_autofree char *final = NULL;
  g_autofree char *proof = NULL;
  g_autofree char *signature = NULL;
  g_autofree char *salted = NULL;
  g_autofree char *server_final = NULL;
  g_autofree char *server_final_b64 = NULL;
  g_autofree char *last = NULL;
  const char *bare, *nonce, *p;
  g_autofree char *without_proof = NULL;
  g_autofree char *expected = NULL;
  const char *gsasl_salted;
  gboolean done = TRUE;

  g_assert_no_error (error);
  first_b64 = poste_sasl_step (sasl, NULL, &done, &error);
  g_assert_no_error (error);
  g_assert_false (done);
  first = unb64 (first_b64);
  /* No channel binding offered: "n,,". */
  g_assert_true (g_str_has_prefix (first, "n,,n=user,r="));
  bare = first + 3;
  nonce = first + strlen ("n,,n=user,r=");
  g_assert_cmpuint (strlen (nonce), >=, 16);

  server_first = g_strconcat ("r=", nonce, RFC7677_SERVER_NONCE ",s=" RFC7677_SALT ",i=4096", NULL);
  server_first_b64 = b64_text (server_first);
  final_b64 = poste_sasl_step (sasl, server_first_b64, &done, &error);
  g_assert_no_error (error);
  g_assert_false (done);
  final = unb64 (final_b64);
  p = strstr (final, ",p=");
  g_assert_nonnull (p);
  without_proof = g_strndup (final, p - final);
  expected = g_strconcat ("c=biws,r=", nonce, RFC7677_SERVER_NONCE, NULL);
  g_assert_cmpstr (without_proof, ==, expected);

  scram_compute ("pencil", RFC7677_SALT, 4096, bare, server_first, without_proof,
                 &proof, &signature, &salted);
  g_assert_cmpstr (p + 3, ==, proof);

  /* libgsasl keeps the SaltedPassword it derived (for caching); it must be the same. */
  gsasl_salted = poste_sasl_get_property (sasl, GSASL_SCRAM_SALTED_PASSWORD);
  if (gsasl_salted != NULL)
    g_assert_cmpstr (gsasl_salted, ==, salted);

  server_final = g_strdup_printf ("v=%s", right_signature ? signature
                                                          : "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
  server_final_b64 = b64_text (server_final);
  last = poste_sasl_step (sasl, server_final_b64, &done, &error);
  if (right_signature)
    {
      g_assert_no_error (error);
      g_assert_true (done);
      g_assert_cmpstr (last, ==, "");
    }
  else
    {
      g_assert_error (error, POSTE_SESSION_ERROR, POSTE_SESSION_ERROR_AUTH_FAILED);
      g_assert_null (last);
    }
}

static void
test_scram_gsasl (void)
{
  run_scram (TRUE);
}

static void
test_scram_wrong_server (void)
{
  run_scram (FALSE);
}

/* SCRAM-SHA-256-PLUS between our client and libgsasl's server, both given channel binding data:
 * the same data succeeds, different data (a man in the middle) fails. */
static void
run_scram_plus (const char *cb_type,
                gboolean    same)
{
  static const guint8 client_cb[32] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
  static const guint8 other_cb[32] = { 9, 9, 9 };
  g_autoptr(GBytes) cb = g_bytes_new_static (client_cb, sizeof client_cb);
  g_autoptr(GError) error = NULL;
  g_autoptr(PosteSasl) sasl = poste_sasl_new ("SCRAM-SHA-256-PLUS", "user", "pencil", cb_type, cb,
                                              &error);
  g_autofree char *server_cb = g_base64_encode (same ? client_cb : other_cb, 32);
  g_autofree char *expected_header = g_strdup_printf ("p=%s,,", cb_type);
  Gsasl *ctx = NULL;
  Gsasl_session *server = NULL;
  char *client_out = NULL;
  gboolean done = FALSE;
  int rc = GSASL_NEEDS_MORE;

  g_assert_no_error (error);
  g_assert_cmpint (gsasl_init (&ctx), ==, GSASL_OK);
  g_assert_cmpint (gsasl_server_start (ctx, "SCRAM-SHA-256-PLUS", &server), ==, GSASL_OK);
  gsasl_property_set (server, GSASL_PASSWORD, "pencil");
  gsasl_property_set (server, g_str_equal (cb_type, "tls-exporter") ? GSASL_CB_TLS_EXPORTER
                                                                    : GSASL_CB_TLS_UNIQUE,
                      server_cb);

  client_out = poste_sasl_step (sasl, NULL, &done, &error);
  g_assert_no_error (error);
  {
    g_autofree char *first = unb64 (client_out);
    g_assert_true (g_str_has_prefix (first, expected_header));
  }
  for (guint round = 0; round < 4 && !done; round++)
    {
      char *server_out = NULL;
      g_autofree char *next = NULL;

      rc = gsasl_step64 (server, client_out, &server_out);
      g_clear_pointer (&client_out, g_free);
      if (rc != GSASL_OK && rc != GSASL_NEEDS_MORE)
        {
          gsasl_free (server_out);
          break;
        }
      next = poste_sasl_step (sasl, server_out, &done, &error);
      gsasl_free (server_out);
      g_assert_no_error (error);
      client_out = g_steal_pointer (&next);
    }
  g_free (client_out);

  if (same)
    {
      g_assert_cmpint (rc, ==, GSASL_OK);
      g_assert_true (done);
    }
  else
    {
      g_assert_cmpint (rc, !=, GSASL_OK);
      g_assert_cmpint (rc, !=, GSASL_NEEDS_MORE);
      g_assert_false (done);
    }
  gsasl_finish (server);
  gsasl_done (ctx);
}

static void
test_scram_plus (void)
{
  run_scram_plus ("tls-exporter", TRUE);
  run_scram_plus ("tls-unique", TRUE);
  run_scram_plus ("tls-exporter", FALSE);
  run_scram_plus ("tls-unique", FALSE);
}

static void
test_base64 (void)
{
  g_assert_true (poste_sasl_is_base64 (""));
  g_assert_true (poste_sasl_is_base64 ("PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+"));
  g_assert_true (poste_sasl_is_base64 ("YQ=="));
  g_assert_true (poste_sasl_is_base64 ("YWI="));
  g_assert_false (poste_sasl_is_base64 ("YQ="));
  g_assert_false (poste_sasl_is_base64 ("Y==="));
  g_assert_false (poste_sasl_is_base64 ("YQ==YQ=="));
  g_assert_false (poste_sasl_is_base64 ("not base64!"));
  g_assert_false (poste_sasl_is_base64 ("abc"));
  g_assert_false (poste_sasl_is_base64 ("ab cd"));
}

static void
test_choice (void)
{
  PosteSaslChoice tls = { TRUE, FALSE, FALSE };
  PosteSaslChoice tls_cb = { TRUE, TRUE, FALSE };
  PosteSaslChoice clear = { FALSE, FALSE, FALSE };
  PosteSaslChoice tls_cert = { TRUE, FALSE, TRUE };
  const char *all = "PLAIN LOGIN CRAM-MD5 SCRAM-SHA-1 SCRAM-SHA-1-PLUS SCRAM-SHA-256 "
                    "SCRAM-SHA-256-PLUS EXTERNAL";
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (poste_sasl_choose_mechanism (POSTE_AUTH_AUTO, all, &tls_cb, NULL), ==,
                   "SCRAM-SHA-256-PLUS");
  g_assert_cmpstr (poste_sasl_choose_mechanism (POSTE_AUTH_AUTO, all, &tls, NULL), ==,
                   "SCRAM-SHA-256");
  g_assert_cmpstr (poste_sasl_choose_mechanism (POSTE_AUTH_AUTO, "PLAIN SCRAM-SHA-1 CRAM-MD5",
                                                &tls, NULL), ==, "SCRAM-SHA-1");
  g_assert_cmpstr (poste_sasl_choose_mechanism (POSTE_AUTH_AUTO, "LOGIN PLAIN CRAM-MD5", &tls,
                                                NULL), ==, "CRAM-MD5");
  g_assert_cmpstr (poste_sasl_choose_mechanism (POSTE_AUTH_AUTO, "LOGIN PLAIN", &tls, NULL), ==,
                   "PLAIN");
  g_assert_cmpstr (poste_sasl_choose_mechanism (POSTE_AUTH_AUTO, "login", &tls, NULL), ==,
                   "LOGIN");
  g_assert_cmpstr (poste_sasl_choose_mechanism (POSTE_AUTH_AUTO, all, &tls_cert, NULL), ==,
                   "EXTERNAL");
  g_assert_cmpstr (poste_sasl_choose_mechanism (POSTE_AUTH_SCRAM_SHA_1, all, &tls_cb, NULL), ==,
                   "SCRAM-SHA-1-PLUS");
  g_assert_cmpstr (poste_sasl_choose_mechanism (POSTE_AUTH_CRAM_MD5, all, &tls_cb, NULL), ==,
                   "CRAM-MD5");

  /* Without TLS, no plaintext mechanism unless named explicitly. */
  g_assert_cmpstr (poste_sasl_choose_mechanism (POSTE_AUTH_AUTO, all, &clear, NULL), ==,
                   "SCRAM-SHA-256");
  g_assert_null (poste_sasl_choose_mechanism (POSTE_AUTH_AUTO, "PLAIN LOGIN", &clear, &error));
  g_assert_error (error, POSTE_SESSION_ERROR, POSTE_SESSION_ERROR_AUTH_UNAVAILABLE);
  g_clear_error (&error);
  g_assert_cmpstr (poste_sasl_choose_mechanism (POSTE_AUTH_PLAIN, "PLAIN LOGIN", &clear, NULL), ==,
                   "PLAIN");
  g_assert_cmpstr (poste_sasl_choose_mechanism (POSTE_AUTH_LOGIN, "PLAIN LOGIN", &clear, NULL), ==,
                   "LOGIN");

  /* EXTERNAL only with TLS and a client certificate. */
  g_assert_null (poste_sasl_choose_mechanism (POSTE_AUTH_EXTERNAL, "EXTERNAL", &tls, &error));
  g_assert_error (error, POSTE_SESSION_ERROR, POSTE_SESSION_ERROR_AUTH_UNAVAILABLE);
  g_clear_error (&error);

  /* The configured mechanism must be offered. */
  g_assert_null (poste_sasl_choose_mechanism (POSTE_AUTH_SCRAM_SHA_256, "CRAM-MD5", &tls, &error));
  g_assert_error (error, POSTE_SESSION_ERROR, POSTE_SESSION_ERROR_AUTH_UNAVAILABLE);
  g_clear_error (&error);
  g_assert_null (poste_sasl_choose_mechanism (POSTE_AUTH_AUTO, NULL, &tls, &error));
  g_assert_error (error, POSTE_SESSION_ERROR, POSTE_SESSION_ERROR_AUTH_UNAVAILABLE);
}

int
main (int   argc,
      char *argv[])
{
  poste_test_init (&argc, &argv);

  g_test_add_func ("/sasl/cram-md5-rfc2195", test_cram_md5_rfc2195);
  g_test_add_func ("/sasl/plain", test_plain);
  g_test_add_func ("/sasl/scram-formulas-rfc7677", test_scram_formulas_rfc7677);
  g_test_add_func ("/sasl/scram-sha-256-gsasl", test_scram_gsasl);
  g_test_add_func ("/sasl/scram-sha-256-wrong-server", test_scram_wrong_server);
  g_test_add_func ("/sasl/scram-sha-256-plus", test_scram_plus);
  g_test_add_func ("/sasl/base64", test_base64);
  g_test_add_func ("/sasl/choice", test_choice);

  return g_test_run ();
}
