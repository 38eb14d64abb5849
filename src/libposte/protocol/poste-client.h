/* poste-client.h: the client phase of an ODMR session (RFC 2645 section 4), private
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "poste-session-private.h"

G_BEGIN_DECLS

gboolean  poste_client_connect      (PosteSessionCtx  *ctx,
                                     GError          **error);
gboolean  poste_client_greeting     (PosteSessionCtx  *ctx,
                                     GError          **error);
gboolean  poste_client_ehlo         (PosteSessionCtx  *ctx,
                                     GError          **error);
gboolean  poste_client_starttls     (PosteSessionCtx  *ctx,
                                     GError          **error);
gboolean  poste_client_open         (PosteSessionCtx  *ctx,
                                     GError          **error);
gboolean  poste_client_authenticate (PosteSessionCtx  *ctx,
                                     GError          **error);
gboolean  poste_client_atrn         (PosteSessionCtx  *ctx,
                                     gboolean         *turned,
                                     GError          **error);
gboolean  poste_client_etrn         (PosteSessionCtx  *ctx,
                                     guint            *started,
                                     GError          **error);
void      poste_client_quit         (PosteSessionCtx  *ctx);
void      poste_client_close        (PosteSessionCtx  *ctx);
gboolean  poste_client_pin_matches  (GTlsCertificate  *certificate,
                                     const char       *pin);

G_END_DECLS
