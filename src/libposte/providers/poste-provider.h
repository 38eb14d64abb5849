/* poste-provider.h: one provider account, as configured
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "poste-types.h"

G_BEGIN_DECLS

/**
 * PosteSecurity:
 * @POSTE_SECURITY_STARTTLS: plaintext connection upgraded with STARTTLS (RFC 3207); required
 * @POSTE_SECURITY_TLS: implicit TLS from the first byte
 * @POSTE_SECURITY_NONE: no TLS at all (only when the user turns it off)
 *
 * How the connection to the provider is protected. The keyfile values are "starttls", "tls" and
 * "none".
 */
typedef enum {
  POSTE_SECURITY_STARTTLS,
  POSTE_SECURITY_TLS,
  POSTE_SECURITY_NONE,
} PosteSecurity;

/**
 * PosteAuth:
 * @POSTE_AUTH_AUTO: the strongest SASL mechanism both sides have
 * @POSTE_AUTH_SCRAM_SHA_256: SCRAM-SHA-256 (RFC 7677), -PLUS when channel binding is possible
 * @POSTE_AUTH_SCRAM_SHA_1: SCRAM-SHA-1 (RFC 5802), -PLUS when channel binding is possible
 * @POSTE_AUTH_CRAM_MD5: CRAM-MD5 (RFC 2195)
 * @POSTE_AUTH_PLAIN: PLAIN (RFC 4616); without TLS only when chosen explicitly
 * @POSTE_AUTH_LOGIN: LOGIN; without TLS only when chosen explicitly
 * @POSTE_AUTH_EXTERNAL: EXTERNAL (RFC 4422 appendix A) with a TLS client certificate
 *
 * The SASL mechanism policy. The keyfile values are "auto", "scram-sha-256", "scram-sha-1",
 * "cram-md5", "plain", "login" and "external".
 */
typedef enum {
  POSTE_AUTH_AUTO,
  POSTE_AUTH_SCRAM_SHA_256,
  POSTE_AUTH_SCRAM_SHA_1,
  POSTE_AUTH_CRAM_MD5,
  POSTE_AUTH_PLAIN,
  POSTE_AUTH_LOGIN,
  POSTE_AUTH_EXTERNAL,
} PosteAuth;

/**
 * PosteMode:
 * @POSTE_MODE_ATRN: On-Demand Mail Relay (RFC 2645): ATRN, and the connection turns around so
 *   that the mail comes in on it; for customers without a fixed address (the default)
 * @POSTE_MODE_ETRN: remote queue starting (RFC 1985): ETRN for each domain, and the provider
 *   delivers to the customer's own MTA (its MX) on a connection of its own; for customers with a
 *   fixed address. Needs domains.
 *
 * How mail is asked for. The keyfile values are "atrn" and "etrn".
 */
typedef enum {
  POSTE_MODE_ATRN,
  POSTE_MODE_ETRN,
} PosteMode;

#define POSTE_TYPE_MODE (poste_mode_get_type ())
GType       poste_mode_get_type      (void) G_GNUC_CONST;
#define POSTE_TYPE_SECURITY (poste_security_get_type ())
GType       poste_security_get_type  (void) G_GNUC_CONST;
#define POSTE_TYPE_AUTH (poste_auth_get_type ())
GType       poste_auth_get_type      (void) G_GNUC_CONST;
const char *poste_security_get_label (PosteSecurity  security);
const char *poste_auth_get_label     (PosteAuth      auth);
const char *poste_mode_get_label     (PosteMode      mode);
const char *poste_mode_get_description (PosteMode    mode);
const char *poste_security_to_string (PosteSecurity  security);
gboolean    poste_security_from_string (const char  *text,
                                        PosteSecurity *security);
const char *poste_mode_to_string     (PosteMode      mode);
gboolean    poste_mode_from_string   (const char    *text,
                                      PosteMode     *mode);
const char *poste_auth_to_string     (PosteAuth      auth);
gboolean    poste_auth_from_string   (const char    *text,
                                      PosteAuth     *auth);

/**
 * POSTE_ODMR_PORT:
 *
 * The ODMR port (RFC 2645 section 4).
 */
#define POSTE_ODMR_PORT 366

#define POSTE_TYPE_PROVIDER (poste_provider_get_type ())
G_DECLARE_FINAL_TYPE (PosteProvider, poste_provider, POSTE, PROVIDER, GObject)

PosteProvider  *poste_provider_new                (const char     *name);
PosteProvider  *poste_provider_copy               (PosteProvider  *self);
gboolean         poste_provider_equal            (PosteProvider *a,
                                                  PosteProvider *b);
const char     *poste_provider_get_name           (PosteProvider  *self);
void            poste_provider_set_name           (PosteProvider  *self,
                                                   const char     *name);
const char     *poste_provider_get_host           (PosteProvider  *self);
void            poste_provider_set_host           (PosteProvider  *self,
                                                   const char     *host);
guint           poste_provider_get_port           (PosteProvider  *self);
void            poste_provider_set_port           (PosteProvider  *self,
                                                   guint           port);
PosteSecurity   poste_provider_get_security       (PosteProvider  *self);
void            poste_provider_set_security       (PosteProvider  *self,
                                                   PosteSecurity   security);
const char     *poste_provider_get_username       (PosteProvider  *self);
void            poste_provider_set_username       (PosteProvider  *self,
                                                   const char     *username);
const char * const *poste_provider_get_domains    (PosteProvider  *self);
void            poste_provider_set_domains        (PosteProvider  *self,
                                                   const char * const *domains);
PosteMode       poste_provider_get_mode           (PosteProvider  *self);
void            poste_provider_set_mode           (PosteProvider  *self,
                                                   PosteMode       mode);
PosteAuth       poste_provider_get_auth           (PosteProvider  *self);
void            poste_provider_set_auth           (PosteProvider  *self,
                                                   PosteAuth       auth);
const char     *poste_provider_get_delivery       (PosteProvider  *self);
void            poste_provider_set_delivery       (PosteProvider  *self,
                                                   const char     *delivery);
const char * const *poste_provider_get_routes     (PosteProvider  *self);
void            poste_provider_set_routes         (PosteProvider  *self,
                                                   const char * const *routes);
guint           poste_provider_get_interval       (PosteProvider  *self);
void            poste_provider_set_interval       (PosteProvider  *self,
                                                   guint           minutes);
const char     *poste_provider_get_ca_file        (PosteProvider  *self);
void            poste_provider_set_ca_file        (PosteProvider  *self,
                                                   const char     *path);
const char     *poste_provider_get_pinned_sha256  (PosteProvider  *self);
void            poste_provider_set_pinned_sha256  (PosteProvider  *self,
                                                   const char     *hex);
const char     *poste_provider_get_client_certificate (PosteProvider *self);
void            poste_provider_set_client_certificate (PosteProvider *self,
                                                       const char    *path);
const char     *poste_provider_get_password_file  (PosteProvider  *self);
void            poste_provider_set_password_file  (PosteProvider  *self,
                                                   const char     *path);
const char     *poste_provider_get_submission     (PosteProvider  *self);
void            poste_provider_set_submission     (PosteProvider  *self,
                                                   const char     *host_port);
gboolean        poste_provider_get_send_with_fetch (PosteProvider *self);
void            poste_provider_set_send_with_fetch (PosteProvider *self,
                                                    gboolean       send_with_fetch);
const char     *poste_provider_get_label          (PosteProvider  *self);
void            poste_provider_set_label          (PosteProvider  *self,
                                                   const char     *label);
const char     *poste_provider_get_display_name   (PosteProvider  *self);
const char     *poste_provider_get_active_hours   (PosteProvider  *self);
void            poste_provider_set_active_hours   (PosteProvider  *self,
                                                   const char     *hours);
const char     *poste_provider_get_active_days    (PosteProvider  *self);
void            poste_provider_set_active_days    (PosteProvider  *self,
                                                   const char     *days);

G_END_DECLS
