/* poste-sasl.h: SASL client mechanisms through GNU SASL (RFC 4422, RFC 4954), private
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "poste-provider.h"

G_BEGIN_DECLS

typedef struct _PosteSasl PosteSasl;

/**
 * POSTE_SASL_SCRAM_MIN_ITERATIONS:
 *
 * The fewest SCRAM iterations accepted from a server: 4096, the minimum of RFC 7677 section 4
 * (and RFC 5802 section 5.1's recommendation). Fewer make a stolen exchange cheap to attack
 * offline, and a provider that asks for fewer is misconfigured or downgrading us.
 */
#define POSTE_SASL_SCRAM_MIN_ITERATIONS 4096

/**
 * POSTE_SASL_SCRAM_MAX_ITERATIONS:
 *
 * The most SCRAM iterations accepted from a server: 100000. The client pays for every iteration
 * (PBKDF2, RFC 5802 section 3) at every fetch, and the count comes from the server, so a hostile
 * provider could ask for 2^31 and keep the customer's CPU busy for minutes. Deployed servers ask
 * for 4096 (Dovecot, Cyrus, Exim, PostgreSQL) up to about 15000 (MongoDB); 100000 leaves a wide
 * margin above them and still costs well under a second (about 60 ms on a 2020 laptop core, a
 * few hundred on a small ARM board).
 */
#define POSTE_SASL_SCRAM_MAX_ITERATIONS 100000

/**
 * PosteSaslChoice:
 * @tls: the connection is protected by TLS
 * @channel_binding: channel binding data is available (-PLUS mechanisms possible)
 * @client_certificate: a TLS client certificate was presented (EXTERNAL possible)
 *
 * What the mechanism choice depends on, apart from the policy and the offer.
 */
typedef struct {
  gboolean tls;
  gboolean channel_binding;
  gboolean client_certificate;
} PosteSaslChoice;

const char *poste_sasl_choose_mechanism (PosteAuth               auth,
                                         const char             *offered,
                                         const PosteSaslChoice  *choice,
                                         GError                **error);
gboolean    poste_sasl_is_base64        (const char             *text);
PosteSasl  *poste_sasl_new              (const char             *mechanism,
                                         const char             *authid,
                                         const char             *password,
                                         const char             *cb_type,
                                         GBytes                 *cb_data,
                                         GError                **error);
char       *poste_sasl_step             (PosteSasl              *self,
                                         const char             *input,
                                         gboolean               *done,
                                         GError                **error);
const char *poste_sasl_get_property     (PosteSasl              *self,
                                         int                     property);
void        poste_sasl_free             (PosteSasl              *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PosteSasl, poste_sasl_free)

G_END_DECLS
