/* poste-outbox-listener.h: the outbox's SMTP listener on loopback
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "poste-outbox.h"

G_BEGIN_DECLS

/**
 * POSTE_OUTBOX_LISTENER_PORT:
 *
 * The listener's port when `[outbox] port=` is not set.
 */
#define POSTE_OUTBOX_LISTENER_PORT 2525

/**
 * POSTE_OUTBOX_LISTENER_MAX_LINE:
 *
 * The longest command line taken, in octets without CR LF: RFC 5321 section 4.5.3.1.4 sets
 * 512 with CR LF, and extensions' parameters may add to it.
 */
#define POSTE_OUTBOX_LISTENER_MAX_LINE 1000

/**
 * POSTE_OUTBOX_LISTENER_TIMEOUT:
 *
 * Seconds the listener waits for each command or piece of message (RFC 5321 section 4.5.3.2.7
 * asks for at least 5 minutes).
 */
#define POSTE_OUTBOX_LISTENER_TIMEOUT 300

#define POSTE_TYPE_OUTBOX_LISTENER (poste_outbox_listener_get_type ())
G_DECLARE_FINAL_TYPE (PosteOutboxListener, poste_outbox_listener, POSTE, OUTBOX_LISTENER, GObject)

PosteOutboxListener *poste_outbox_listener_new         (PosteOutbox          *outbox);
void                 poste_outbox_listener_set_timeout (PosteOutboxListener  *self,
                                                        guint                 seconds);
guint16              poste_outbox_listener_start       (PosteOutboxListener  *self,
                                                        const char           *address,
                                                        guint16               port,
                                                        GError              **error);
guint16              poste_outbox_listener_get_port    (PosteOutboxListener  *self);
void                 poste_outbox_listener_stop        (PosteOutboxListener  *self);

G_END_DECLS
