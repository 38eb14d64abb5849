/* poste-fetchmailrc-private.h: what the fetchmailrc reader hands the import
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* How many arguments a keyword takes. */
typedef enum {
  ARGS_NONE,
  ARGS_ONE,
  ARGS_LIST,      /* one or more words, up to the next keyword */
  ARGS_MAPPING,   /* is/to: names up to "here", "there" or the next keyword */
  ARGS_ENVELOPE,  /* envelope [N] HEADER */
  ARGS_NEGATED,   /* no KEYWORD */
} Args;

typedef enum {
  KIND_ENTRY,     /* poll, skip, defaults */
  KIND_SET,
  KIND_SERVER,
  KIND_USER,
  KIND_GLOBAL,    /* only after set */
} Kind;

typedef struct {
  const char *name;
  Kind        kind;
  Args        args;
} Keyword;

/* A keyword with its arguments. */
typedef struct {
  const Keyword *keyword;
  GPtrArray     *args;      /* char* */
  guint          line;
  gboolean       negated;   /* no KEYWORD: keyword is the negated one */
} Clause;

typedef struct {
  char      *name;          /* the poll name, NULL for defaults */
  gboolean   skip;
  guint      line;
  GPtrArray *server;        /* Clause*, the server options */
  GPtrArray *users;         /* GPtrArray of Clause* per user */
} Entry;

void       _poste_fetchmailrc_clause_free (Clause      *clause);
void       _poste_fetchmailrc_entry_free  (Entry       *entry);
char      *_poste_fetchmailrc_clause_text (const Clause *clause);
void       _poste_fetchmailrc_add_note    (GPtrArray   *notes,
                                           const char  *prefix,
                                           const char  *format,
                                           ...) G_GNUC_PRINTF (3, 4);
GPtrArray *_poste_fetchmailrc_read        (const char  *text,
                                           gsize        length,
                                           const char  *filename,
                                           GPtrArray   *notes,
                                           GPtrArray   *globals,
                                           GError     **error);

G_END_DECLS
