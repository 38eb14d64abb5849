/* poste-fetchmailrc.h: turning fetchmail's ODMR poll entries into providers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "poste-types.h"
#include "poste-provider.h"

G_BEGIN_DECLS

/**
 * POSTE_FETCHMAILRC_MAX_SIZE:
 *
 * The largest fetchmailrc read, in bytes.
 */
#define POSTE_FETCHMAILRC_MAX_SIZE (1024 * 1024)

/**
 * PosteFetchmailrcEntry:
 * @provider: the provider made from one user of an ODMR poll entry
 * @password: (nullable): the entry's password, for the keyring, or %NULL when it has none
 * @line: the line of the entry's `poll` or `skip`
 *
 * One imported provider.
 */
typedef struct {
  PosteProvider *provider;
  char          *password;
  guint          line;
} PosteFetchmailrcEntry;

/**
 * PosteFetchmailrc:
 * @entries: (element-type PosteFetchmailrcEntry): the providers, in file order
 * @notes: (element-type utf8): what could not be carried over, and what changed on the way,
 *   one line each, starting "not carried over: " or "note: "
 *
 * The result of reading a fetchmailrc.
 */
typedef struct {
  GPtrArray *entries;
  GPtrArray *notes;
} PosteFetchmailrc;

PosteFetchmailrc *poste_fetchmailrc_parse      (const char        *text,
                                                gssize             length,
                                                const char        *filename,
                                                GError           **error);
PosteFetchmailrc *poste_fetchmailrc_parse_file (const char        *path,
                                                GError           **error);
void              poste_fetchmailrc_free       (PosteFetchmailrc  *rc);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PosteFetchmailrc, poste_fetchmailrc_free)

G_END_DECLS
