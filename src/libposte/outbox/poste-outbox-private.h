/* poste-outbox-private.h: what the outbox's files share, private to libposte
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "poste-outbox.h"
#include "poste-reply.h"

G_BEGIN_DECLS

/* One recipient the relay refused for good, for a bounce. */
typedef struct {
  char *recipient;
  char *status;      /* "5.1.1": the reply's enhanced code, or one made from its code */
  char *diagnostic;  /* "550 5.1.1 No such user": the whole reply on one printable line */
} PosteOutboxFailure;

void    _poste_outbox_failure_free (gpointer data);
gsize   _poste_outbox_header_end   (const char            *data,
                                    gsize                  length);
gboolean _poste_outbox_find_header_end (const char         *data,
                                        gsize               length,
                                        gsize               from,
                                        gsize              *end);
GBytes *_poste_outbox_build_dsn    (const PosteOutboxItem *item,
                                    const char            *message_path,
                                    GPtrArray             *failures,
                                    const char            *reporting_name,
                                    const char            *remote_name,
                                    gint64                 now);

G_END_DECLS
