/* poste-history.h: what happened, one record per session, with its redacted transcript
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "poste-types.h"
#include "poste-session.h"

G_BEGIN_DECLS

/**
 * POSTE_HISTORY_DEFAULT_MAX_RECORDS:
 *
 * How many session records are kept by default; older ones are removed as new ones come.
 */
#define POSTE_HISTORY_DEFAULT_MAX_RECORDS 500

/**
 * POSTE_HISTORY_MAX_TRANSCRIPT_LINES:
 *
 * The most transcript lines a record keeps (the first and the last half; a note marks the cut).
 * A session of a thousand messages has tens of thousands of lines; the ends tell the story.
 */
#define POSTE_HISTORY_MAX_TRANSCRIPT_LINES 2000

/**
 * POSTE_HISTORY_MAX_SESSIONS:
 *
 * The most sessions a fetch round's record lists (a round that drains the provider connects
 * again while it keeps handing mail over, up to its own bound, which is lower). A record read
 * back keeps no more than this, whatever the file says.
 */
#define POSTE_HISTORY_MAX_SESSIONS 200

/**
 * POSTE_HISTORY_MAX_TRANSCRIPT_BYTES:
 *
 * The most transcript bytes a record keeps, 256 KiB, cut like the lines.
 */
#define POSTE_HISTORY_MAX_TRANSCRIPT_BYTES (256 * 1024)

/**
 * POSTE_HISTORY_MAX_LINE_LENGTH:
 *
 * The longest transcript line kept, in bytes (an SMTP line is at most 512 octets, RFC 5321
 * section 4.5.3.1; notes are shorter still). Longer ones are cut with "...".
 */
#define POSTE_HISTORY_MAX_LINE_LENGTH 1024

/**
 * POSTE_HISTORY_MAX_RECORD_SIZE:
 *
 * The largest record file read back, in bytes; larger files are skipped as damaged.
 */
#define POSTE_HISTORY_MAX_RECORD_SIZE (2 * 1024 * 1024)

#define POSTE_TYPE_HISTORY (poste_history_get_type ())
G_DECLARE_FINAL_TYPE (PosteHistory, poste_history, POSTE, HISTORY, GObject)

char               *poste_history_dup_default_dir   (void);
PosteHistory       *poste_history_new               (const char               *dir);
const char         *poste_history_get_dir           (PosteHistory             *self);
guint               poste_history_get_max_records   (PosteHistory             *self);
void                poste_history_set_max_records   (PosteHistory             *self,
                                                     guint                     max_records);
gboolean            poste_history_add               (PosteHistory             *self,
                                                     const PosteSessionReport *report,
                                                     GError                  **error);
GPtrArray          *poste_history_list              (PosteHistory             *self,
                                                     const char               *provider,
                                                     guint                     limit,
                                                     GError                  **error);
gboolean            poste_history_clear             (PosteHistory             *self,
                                                     GError                  **error);

char               *poste_session_report_to_json    (const PosteSessionReport *report,
                                                     gsize                    *length);
PosteSessionReport *poste_session_report_from_json  (const char               *data,
                                                     gssize                    length,
                                                     GError                  **error);
GPtrArray          *poste_history_bound_transcript  (GPtrArray                *transcript);

G_END_DECLS
