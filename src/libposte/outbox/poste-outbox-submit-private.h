/* poste-outbox-submit-private.h: a submission round, shared by the submission and the settling
 * of each message's fate; private to libposte
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "poste-channel.h"
#include "poste-client.h"
#include "poste-outbox-private.h"
#include "poste-outbox-submit.h"

G_BEGIN_DECLS

/* One submission round to one provider's relay. */
typedef struct {
  PosteOutbox        *outbox;
  PosteProvider      *provider;
  PosteChannel       *channel;
  PosteClient        *client;
  PosteOutboxCounts  *counts;
  gint64              now;
  char               *remote;
} Round;

void     _poste_outbox_add_failure (GPtrArray        *failures,
                                    const char       *recipient,
                                    const PosteReply *reply);
gboolean _poste_outbox_settle      (Round            *r,
                                    PosteOutboxItem  *item,
                                    GPtrArray        *deferred,
                                    const char       *deferred_reason,
                                    GPtrArray        *failures,
                                    GError          **error);

G_END_DECLS
