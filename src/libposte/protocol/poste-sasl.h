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
