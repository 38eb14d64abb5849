/* poste-test-cert.c: test certificates generated with GnuTLS, for the test provider and the tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every test that needs TLS makes its own CA and server certificate in a private directory, so no
 * key material lives in the source tree and nothing outside the test trusts it.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <string.h>
#include <time.h>

#include "poste-test-cert.h"

#define ONE_DAY (24 * 60 * 60)

static gboolean
check (int       ret,
       const char *what,
       GError  **error)
{
  if (ret >= 0)
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "GnuTLS: %s: %s", what, gnutls_strerror (ret));
  return FALSE;
}

static gboolean
write_pem (const char      *path,
           gnutls_datum_t  *pem,
           int              mode,
           GError         **error)
{
  gboolean ok = g_file_set_contents_full (path, (const char *) pem->data, pem->size,
                                          G_FILE_SET_CONTENTS_CONSISTENT, mode, error);
  gnutls_free (pem->data);
  pem->data = NULL;
  return ok;
}

static gboolean
make_key (gnutls_x509_privkey_t  *key,
          GError                **error)
{
  if (!check (gnutls_x509_privkey_init (key), "privkey_init", error))
    return FALSE;
  return check (gnutls_x509_privkey_generate (*key, GNUTLS_PK_ECDSA,
                                              GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_SECP256R1),
                                              0),
                "privkey_generate", error);
}

static gboolean
fill_crt (gnutls_x509_crt_t       crt,
          gnutls_x509_privkey_t   key,
          const char             *common_name,
          guint                   serial,
          time_t                  not_before,
          time_t                  not_after,
          gboolean                is_ca,
          GError                **error)
{
  guint8 serial_bytes[4] = { 0, (serial >> 16) & 0xff, (serial >> 8) & 0xff, serial & 0xff };

  return check (gnutls_x509_crt_set_version (crt, 3), "set_version", error) &&
         check (gnutls_x509_crt_set_key (crt, key), "set_key", error) &&
         check (gnutls_x509_crt_set_serial (crt, serial_bytes, sizeof serial_bytes), "set_serial",
                error) &&
         check (gnutls_x509_crt_set_activation_time (crt, not_before), "activation", error) &&
         check (gnutls_x509_crt_set_expiration_time (crt, not_after), "expiration", error) &&
         check (gnutls_x509_crt_set_dn_by_oid (crt, GNUTLS_OID_X520_COMMON_NAME, 0, common_name,
                                               strlen (common_name)), "set_dn", error) &&
         check (gnutls_x509_crt_set_basic_constraints (crt, is_ca, -1), "basic_constraints",
                error) &&
         check (gnutls_x509_crt_set_key_usage (crt, is_ca
                                                    ? GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN
                                                    : GNUTLS_KEY_DIGITAL_SIGNATURE),
                "key_usage", error);
}

static gboolean
set_server_names (gnutls_x509_crt_t   crt,
                  const char         *hostname,
                  GError            **error)
{
  struct in_addr loopback;

  inet_pton (AF_INET, "127.0.0.1", &loopback);
  return check (gnutls_x509_crt_set_subject_alt_name (crt, GNUTLS_SAN_DNSNAME, hostname,
                                                      strlen (hostname), GNUTLS_FSAN_APPEND),
                "san dns", error) &&
         check (gnutls_x509_crt_set_subject_alt_name (crt, GNUTLS_SAN_IPADDRESS, &loopback,
                                                      sizeof loopback, GNUTLS_FSAN_APPEND),
                "san ip", error) &&
         check (gnutls_x509_crt_set_key_purpose_oid (crt, GNUTLS_KP_TLS_WWW_SERVER, 0),
                "key purpose", error);
}

/**
 * poste_test_cert_new:
 * @dir: the directory for the PEM files; created if missing
 * @hostname: the DNS name the server certificate is for (a SAN dNSName); the SAN iPAddress
 *   127.0.0.1 is always added
 * @flags: #PosteTestCertFlags
 * @error: return location for a #GError
 *
 * Makes a test CA (ECDSA P-256) and a server certificate for @hostname signed by it, or a
 * self-signed server certificate with %POSTE_TEST_CERT_SELF_SIGNED, and writes ca.pem, cert.pem
 * and key.pem (mode 0600) in @dir. With %POSTE_TEST_CERT_EXPIRED the server certificate expired
 * yesterday.
 *
 * Returns: (transfer full): the certificate and its files, or %NULL with a %G_IO_ERROR or a
 *   %G_TLS_ERROR
 */
PosteTestCert *
poste_test_cert_new (const char          *dir,
                     const char          *hostname,
                     PosteTestCertFlags   flags,
                     GError             **error)
{
  g_autoptr(PosteTestCert) cert = g_new0 (PosteTestCert, 1);
  gnutls_x509_privkey_t ca_key = NULL, key = NULL;
  gnutls_x509_crt_t ca_crt = NULL, crt = NULL;
  gnutls_datum_t pem = { NULL, 0 };
  guint8 digest[32];
  size_t digest_size = sizeof digest;
  time_t now = time (NULL);
  gboolean self_signed = (flags & POSTE_TEST_CERT_SELF_SIGNED) != 0;
  gboolean ok = FALSE;

  g_return_val_if_fail (dir != NULL, NULL);
  g_return_val_if_fail (hostname != NULL, NULL);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "Cannot create %s: %s",
                   dir, g_strerror (saved));
      return NULL;
    }
  cert->dir = g_strdup (dir);
  cert->ca_file = g_build_filename (dir, "ca.pem", NULL);
  cert->cert_file = g_build_filename (dir, "cert.pem", NULL);
  cert->key_file = g_build_filename (dir, "key.pem", NULL);

  if (!make_key (&key, error))
    goto out;
  if (!check (gnutls_x509_crt_init (&crt), "crt_init", error))
    goto out;
  if (!fill_crt (crt, key, hostname, 2,
                 (flags & POSTE_TEST_CERT_EXPIRED) ? now - 30 * ONE_DAY : now - ONE_DAY,
                 (flags & POSTE_TEST_CERT_EXPIRED) ? now - ONE_DAY : now + 30 * ONE_DAY,
                 FALSE, error) ||
      !set_server_names (crt, hostname, error))
    goto out;

  if (self_signed)
    {
      if (!check (gnutls_x509_crt_sign2 (crt, crt, key, GNUTLS_DIG_SHA256, 0), "sign", error))
        goto out;
    }
  else
    {
      if (!make_key (&ca_key, error) ||
          !check (gnutls_x509_crt_init (&ca_crt), "crt_init", error) ||
          !fill_crt (ca_crt, ca_key, "Poste Restante Test CA", 1, now - 2 * ONE_DAY,
                     now + 60 * ONE_DAY, TRUE, error) ||
          !check (gnutls_x509_crt_sign2 (ca_crt, ca_crt, ca_key, GNUTLS_DIG_SHA256, 0), "sign ca",
                  error) ||
          !check (gnutls_x509_crt_sign2 (crt, ca_crt, ca_key, GNUTLS_DIG_SHA256, 0), "sign",
                  error))
        goto out;
    }

  /* The files */
  if (!check (gnutls_x509_crt_export2 (self_signed ? crt : ca_crt, GNUTLS_X509_FMT_PEM, &pem),
              "export ca", error) ||
      !write_pem (cert->ca_file, &pem, 0644, error))
    goto out;
  if (!check (gnutls_x509_crt_export2 (crt, GNUTLS_X509_FMT_PEM, &pem), "export", error) ||
      !write_pem (cert->cert_file, &pem, 0644, error))
    goto out;
  if (!check (gnutls_x509_privkey_export2_pkcs8 (key, GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN,
                                                 &pem), "export key", error) ||
      !write_pem (cert->key_file, &pem, 0600, error))
    goto out;

  if (!check (gnutls_x509_crt_get_fingerprint (crt, GNUTLS_DIG_SHA256, digest, &digest_size),
              "fingerprint", error))
    goto out;
  {
    GString *hex = g_string_sized_new (64);
    for (gsize i = 0; i < digest_size; i++)
      g_string_append_printf (hex, "%02x", digest[i]);
    cert->sha256 = g_string_free (hex, FALSE);
  }

  cert->certificate = g_tls_certificate_new_from_files (cert->cert_file, cert->key_file, error);
  ok = cert->certificate != NULL;

out:
  if (crt != NULL)
    gnutls_x509_crt_deinit (crt);
  if (ca_crt != NULL)
    gnutls_x509_crt_deinit (ca_crt);
  if (key != NULL)
    gnutls_x509_privkey_deinit (key);
  if (ca_key != NULL)
    gnutls_x509_privkey_deinit (ca_key);
  return ok ? g_steal_pointer (&cert) : NULL;
}

/**
 * poste_test_cert_free:
 * @cert: (nullable) (transfer full): a #PosteTestCert
 *
 * Frees @cert. The files stay where they are.
 */
void
poste_test_cert_free (PosteTestCert *cert)
{
  if (cert == NULL)
    return;
  g_free (cert->dir);
  g_free (cert->ca_file);
  g_free (cert->cert_file);
  g_free (cert->key_file);
  g_free (cert->sha256);
  g_clear_object (&cert->certificate);
  g_free (cert);
}
