/* poste-client.h: the client phase of an ODMR session (RFC 2645 section 4), private
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "poste-channel.h"
#include "poste-provider.h"
#include "poste-smtp-client.h"

G_BEGIN_DECLS

/* RFC 2645 section 5 wants at least 10 minutes for ATRN's reply: the provider may be setting up
 * the delivery. */
#define POSTE_CLIENT_ATRN_TIMEOUT 900

/*
 * The client phase: what we say as the SMTP client before the connection turns around (or
 * instead, for the connection check and the outbox's submission). It speaks on a channel it
 * does not own; the session, the check and the submission each make one.
 */
typedef struct {
  PosteChannel    *channel;       /* borrowed */
  PosteProvider   *provider;
  char            *password;      /* wiped when freed */
  char            *local_name;    /* our name in EHLO */
  guint            atrn_timeout;  /* seconds */
  PosteSmtpClient *smtp;          /* the dialogue, and the server's EHLO reply */
  char            *mechanism;     /* the SASL mechanism that authenticated us */
  gboolean         authenticated;
  GStrv            requested;     /* the domains asked for in ATRN, A-labels; may be empty */
} PosteClient;

PosteClient *poste_client_new          (PosteChannel     *channel,
                                        PosteProvider    *provider,
                                        const char       *password);
void         poste_client_free         (PosteClient      *client);
char        *poste_client_dup_default_local_name (void);
gboolean     poste_client_connect      (PosteClient      *client,
                                        GError          **error);
gboolean     poste_client_greeting     (PosteClient      *client,
                                        GError          **error);
gboolean     poste_client_ehlo         (PosteClient      *client,
                                        GError          **error);
gboolean     poste_client_starttls     (PosteClient      *client,
                                        GError          **error);
gboolean     poste_client_open         (PosteClient      *client,
                                        GError          **error);
gboolean     poste_client_authenticate (PosteClient      *client,
                                        GError          **error);
gboolean     poste_client_atrn         (PosteClient      *client,
                                        gboolean         *turned,
                                        GError          **error);
gboolean     poste_client_etrn         (PosteClient      *client,
                                        guint            *started,
                                        GError          **error);
void         poste_client_quit         (PosteClient      *client);
void         poste_client_close        (PosteClient      *client);
gboolean     poste_client_pin_matches  (GTlsCertificate  *certificate,
                                        const char       *pin);

gboolean     _poste_client_start_tls           (PosteClient  *client,
                                                GError      **error);
GBytes      *_poste_client_get_channel_binding (PosteClient  *client,
                                                const char  **type);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PosteClient, poste_client_free)

G_END_DECLS
