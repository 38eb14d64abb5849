/* poste-session-flow.h: one ODMR session's flow, from connect to close; private to libposte
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "poste-channel.h"
#include "poste-client.h"
#include "poste-delivery.h"
#include "poste-session.h"

G_BEGIN_DECLS

PosteSessionReport *_poste_session_flow_run (PosteChannel   *channel,
                                             PosteClient    *client,
                                             PosteDelivery  *delivery,
                                             guint64         max_message_size,
                                             guint           max_recipients,
                                             GError        **error);

G_END_DECLS
