/* poste-types.h: forward declarations of every libposte type
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _PosteConnection    PosteConnection;
typedef struct _PosteReply         PosteReply;
typedef struct _PosteEnvelope      PosteEnvelope;
typedef struct _PosteDelivery      PosteDelivery;
typedef struct _PosteProvider      PosteProvider;
typedef struct _PosteConfig        PosteConfig;
typedef struct _PosteSession       PosteSession;
typedef struct _PosteSessionReport PosteSessionReport;
typedef struct _PosteTranscript    PosteTranscript;
typedef struct _PosteHistory       PosteHistory;
typedef struct _PosteScheduler     PosteScheduler;
typedef struct _PosteFetch         PosteFetch;
typedef struct _PosteOutbox        PosteOutbox;

G_END_DECLS
