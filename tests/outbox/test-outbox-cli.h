/* test-outbox-cli.h: what the cases of test-outbox-cli share: a test provider for ODMR and one
 * for submission, a configuration pointing poste-restante-cli at them, and the CLI run with it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <signal.h>
#include <string.h>

#include <gio/gio.h>

#include "poste-connection.h"
#include "poste-history.h"
#include "poste-outbox.h"
#include "poste-outbox-listener.h"
#include "poste-reply.h"
#include "poste-session.h"
#include "poste-test.h"
#include "poste-test-cert.h"
#include "poste-test-cli.h"
#include "poste-test-provider.h"
#include "poste-test-services.h"

G_BEGIN_DECLS

#define USER "customer"
#define PASSWORD "s3cret-Pa55"

typedef struct {
  char              *dir;
  PosteTestCert     *cert;
  PosteTestProvider *odmr;
  PosteTestProvider *relay;
  guint16            odmr_port;
  guint16            relay_port;
  char              *config;
  char              *password_file;
  char              *maildir;
  PosteOutbox       *outbox;
  char              *out;
  char              *err;
} Fixture;

void                 write_config (Fixture    *f,
                                   const char *extra);
G_GNUC_NULL_TERMINATED
int                  run_cli (Fixture    *f,
                              const char *input,
                              ...);
GPtrArray           *list (Fixture *f);
char                *message_of (Fixture         *f,
                                 PosteOutboxItem *item);
GPtrArray           *fetch_sends_one (Fixture *f);

void test_fetch_bounce (Fixture       *f,
                        gconstpointer  data);
void test_run_listener_kill (Fixture       *f,
                             gconstpointer  data);
void test_run_listener_bcc (Fixture       *f,
                            gconstpointer  data);
void test_postfix_relayhost (Fixture       *f,
                             gconstpointer  data);

G_END_DECLS
