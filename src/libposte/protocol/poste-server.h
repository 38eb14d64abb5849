/* poste-server.h: the reversed state of an ODMR session (RFC 2645 section 4), private
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "poste-channel.h"
#include "poste-delivery.h"

G_BEGIN_DECLS

/**
 * POSTE_SERVER_MAX_COMMAND:
 *
 * The longest command line accepted in the reversed state, in octets without CR LF. RFC 5321
 * section 4.5.3.1.4 sets 512 with CR LF, plus room for SMTP extensions' parameters (section
 * 4.5.3.1.4 allows them to raise it) and UTF-8 addresses.
 */
#define POSTE_SERVER_MAX_COMMAND 2048

/**
 * POSTE_SERVER_MAX_ERRORS:
 *
 * How many bad commands the provider may send before we give up with 421.
 */
#define POSTE_SERVER_MAX_ERRORS 20

/*
 * What the reversed state needs besides the channel: set by whoever turned the connection
 * around (the session), read-only while the server runs.
 */
typedef struct {
  PosteDelivery      *delivery;          /* where each message goes */
  const char         *local_name;        /* our name in the greeting and in Received: */
  const char         *provider_host;     /* the provider's host name, for Received: */
  const char * const *domains;           /* the domains to accept mail for; empty: any */
  gboolean            authenticated;     /* SASL succeeded: "ESMTPSA" in Received: */
  guint64             max_message_size;  /* octets, 0 for no limit */
  guint               max_recipients;    /* per transaction */
} PosteServerConfig;

gboolean poste_server_run          (PosteChannel             *channel,
                                    const PosteServerConfig  *config,
                                    GError                  **delivery_error,
                                    GError                  **error);
char    *poste_server_received     (const char       *helo,
                                    const char       *peer_host,
                                    const char       *peer_address,
                                    const char       *local_name,
                                    const char       *protocol,
                                    const char       *id,
                                    const char       *recipient,
                                    GDateTime        *date);

G_END_DECLS
