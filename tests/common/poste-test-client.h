/* poste-test-client.h: a plain SMTP client of a server under test: command lines out, reply
 * codes back
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "poste.h"
#include "poste-connection.h"

G_BEGIN_DECLS

typedef struct {
  GSocketConnection *socket;
  PosteConnection   *conn;
} PosteTestClient;

void  poste_test_client_open  (PosteTestClient *c,
                               guint16          port,
                               guint            timeout);
void  poste_test_client_close (PosteTestClient *c);
guint poste_test_expect       (PosteTestClient *c);
guint poste_test_say          (PosteTestClient *c,
                               const char      *line);

G_END_DECLS
