/* poste-test-cert.h: test certificates generated with GnuTLS, for the test provider and the tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * PosteTestCertFlags:
 * @POSTE_TEST_CERT_NONE: a valid server certificate signed by a test CA
 * @POSTE_TEST_CERT_EXPIRED: the server certificate's not-after is in the past
 * @POSTE_TEST_CERT_SELF_SIGNED: the server certificate signs itself (the CA file holds it too)
 */
typedef enum {
  POSTE_TEST_CERT_NONE = 0,
  POSTE_TEST_CERT_EXPIRED = 1 << 0,
  POSTE_TEST_CERT_SELF_SIGNED = 1 << 1,
} PosteTestCertFlags;

/**
 * PosteTestCert:
 * @dir: the directory holding the PEM files
 * @ca_file: the CA certificate (PEM); the server certificate itself when self-signed
 * @cert_file: the server certificate (PEM)
 * @key_file: the server's private key (PEM, PKCS#8, unencrypted)
 * @sha256: the lower-case hex SHA-256 fingerprint of the server certificate's DER, no colons
 * @certificate: the server certificate with its private key, ready for a #GTlsServerConnection
 */
typedef struct {
  char *dir;
  char *ca_file;
  char *cert_file;
  char *key_file;
  char *sha256;
  GTlsCertificate *certificate;
} PosteTestCert;

PosteTestCert *poste_test_cert_new  (const char          *dir,
                                     const char          *hostname,
                                     PosteTestCertFlags   flags,
                                     GError             **error);
void           poste_test_cert_free (PosteTestCert       *cert);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PosteTestCert, poste_test_cert_free)

G_END_DECLS
