/* poste-outbox-submit.h: the outbox handed to a provider's relay (RFC 6409 submission)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "poste-outbox.h"
#include "poste-types.h"

G_BEGIN_DECLS

/**
 * POSTE_SUBMISSION_PORT:
 *
 * The message submission port (RFC 6409 section 3.1), with STARTTLS.
 */
#define POSTE_SUBMISSION_PORT 587

/**
 * POSTE_SUBMISSIONS_PORT:
 *
 * Message submission over implicit TLS (RFC 8314 section 3.3).
 */
#define POSTE_SUBMISSIONS_PORT 465

/**
 * POSTE_OUTBOX_RETRY_FIRST:
 *
 * Seconds to wait after a message's first 4xx (5 minutes); each further 4xx doubles the wait, up
 * to %POSTE_OUTBOX_RETRY_MAX.
 */
#define POSTE_OUTBOX_RETRY_FIRST (5 * 60)

/**
 * POSTE_OUTBOX_RETRY_MAX:
 *
 * The longest wait between two attempts of a deferred message, in seconds (4 hours).
 */
#define POSTE_OUTBOX_RETRY_MAX (4 * 3600)

/**
 * POSTE_OUTBOX_EXPIRE:
 *
 * A message still refused with 4xx this long after it was queued (5 days, Postfix's
 * maximal_queue_lifetime) is returned to its sender, in seconds.
 */
#define POSTE_OUTBOX_EXPIRE (5 * 24 * 3600)

/**
 * PosteOutboxSubmitFlags:
 * @POSTE_OUTBOX_SUBMIT_NONE: submit what is due
 * @POSTE_OUTBOX_SUBMIT_FORCE: submit every queued message of the provider, deferred ones too
 *   (the user's "Send now"); failed messages stay failed
 *
 * How poste_outbox_submit() chooses messages.
 */
typedef enum {
  POSTE_OUTBOX_SUBMIT_NONE  = 0,
  POSTE_OUTBOX_SUBMIT_FORCE = 1 << 0,
} PosteOutboxSubmitFlags;

/**
 * PosteOutboxCounts:
 * @submitted: messages the relay accepted (250 to the end of DATA), removed from the queue
 * @deferred: messages kept after a 4xx, with a later next attempt
 * @bounced: messages refused for good (5xx) and returned to the sender with a bounce
 * @failed: messages refused for good whose bounce could not be delivered either; kept, failed
 * @waiting: the provider's messages not tried in this round (not due yet, or failed)
 *
 * What one round of submission did. A message counts once for each fate its recipients met: one
 * whose relay took some recipients and deferred others is both submitted and deferred. In a
 * session report (poste_outbox_counts_add_to_report()) @submitted is "sent", @deferred "deferred"
 * (still queued, tried again after its backoff) and @bounced plus @failed "returned": the relay
 * refused them for good, and they went back to their senders as a bounce (@bounced) or, when
 * even the bounce could not be delivered, stay in the outbox marked failed for the user (@failed).
 */
typedef struct {
  guint submitted;
  guint deferred;
  guint bounced;
  guint failed;
  guint waiting;
} PosteOutboxCounts;

void      poste_outbox_counts_add_to_report (const PosteOutboxCounts *counts,
                                             PosteSessionReport      *report);
gboolean  poste_outbox_sender_belongs   (PosteProvider           *provider,
                                         const char              *sender);
gboolean  poste_outbox_has_due          (PosteOutbox             *self,
                                         PosteProvider           *provider,
                                         PosteOutboxSubmitFlags   flags);
gboolean  poste_outbox_submit           (PosteOutbox             *self,
                                         PosteProvider           *provider,
                                         const char              *password,
                                         PosteOutboxSubmitFlags   flags,
                                         GCancellable            *cancellable,
                                         PosteOutboxCounts       *counts,
                                         GPtrArray               *transcript,
                                         GError                 **error);
void      poste_outbox_submit_async     (PosteOutbox             *self,
                                         PosteProvider           *provider,
                                         const char              *password,
                                         PosteOutboxSubmitFlags   flags,
                                         GCancellable            *cancellable,
                                         GAsyncReadyCallback      callback,
                                         gpointer                 user_data);
gboolean  poste_outbox_submit_finish    (PosteOutbox             *self,
                                         GAsyncResult            *result,
                                         PosteOutboxCounts       *counts,
                                         GPtrArray              **transcript,
                                         GError                 **error);

G_END_DECLS
