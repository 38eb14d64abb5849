/* poste-check.h: "Test connection": connect, TLS, EHLO, AUTH, and never ATRN
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "poste-types.h"

G_BEGIN_DECLS

/**
 * PosteCheckResult:
 * @error: (nullable): why the check stopped early (connection, TLS, EHLO), or %NULL when it
 *   reached the end (the AUTH result is separate)
 * @tls_protocol: (nullable): "TLS 1.3", or %NULL without TLS
 * @tls_cipher: (nullable): the cipher suite's name as GIO gives it, or %NULL
 * @certificate: (nullable): the provider's certificate (also when it failed verification)
 * @certificate_subject: (nullable): its subject (RFC 4514 string)
 * @certificate_issuer: (nullable): its issuer
 * @certificate_not_before: (nullable): start of validity
 * @certificate_not_after: (nullable): end of validity
 * @certificate_sha256: (nullable): lower-case hex SHA-256 of its DER
 * @capabilities: (array zero-terminated=1): the EHLO keywords after TLS (one an element)
 * @mechanism: (nullable): the SASL mechanism chosen
 * @authenticated: AUTH succeeded (235)
 * @auth_error: (nullable): why AUTH failed or was not tried
 * @atrn_offered: the provider announced ATRN in its EHLO reply
 * @transcript: (element-type utf8): the redacted transcript
 *
 * What poste_session_check() found. Free with poste_check_result_free().
 */
typedef struct {
  GError          *error;
  char            *tls_protocol;
  char            *tls_cipher;
  GTlsCertificate *certificate;
  char            *certificate_subject;
  char            *certificate_issuer;
  GDateTime       *certificate_not_before;
  GDateTime       *certificate_not_after;
  char            *certificate_sha256;
  char           **capabilities;
  char            *mechanism;
  gboolean         authenticated;
  GError          *auth_error;
  gboolean         atrn_offered;
  GPtrArray       *transcript;
} PosteCheckResult;

#define POSTE_TYPE_CHECK_RESULT (poste_check_result_get_type ())
GType             poste_check_result_get_type (void) G_GNUC_CONST;
PosteCheckResult *poste_check_result_copy     (const PosteCheckResult *result);
void              poste_check_result_free     (PosteCheckResult       *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PosteCheckResult, poste_check_result_free)

PosteCheckResult *poste_session_check        (PosteProvider        *provider,
                                              const char           *password,
                                              guint                 timeout,
                                              GCancellable         *cancellable);
void              poste_session_check_async  (PosteProvider        *provider,
                                              const char           *password,
                                              guint                 timeout,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
PosteCheckResult *poste_session_check_finish (GAsyncResult         *result);

G_END_DECLS
