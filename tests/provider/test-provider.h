/* test-provider.h: what the cases of test-provider share: a raw client of the test provider
 * (plain lines through PosteConnection, bounded, with deadlines), the fake customer it plays in
 * the reversed state, and the cases kept in test-provider-auth.c, test-provider-tls.c and
 * test-provider-faults.c that test-provider.c registers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <string.h>

#include "poste-connection.h"
#include "poste-error.h"
#include "poste-reply.h"
#include "poste-test-cert.h"
#include "poste-test-provider.h"
#include "poste-test.h"

G_BEGIN_DECLS

#define TIMEOUT 20

typedef struct {
  GSocketConnection *socket;
  PosteConnection   *conn;
} Client;

/* The fake customer in the reversed state */

typedef struct {
  gboolean    pipelining;
  gboolean    chunking;
  guint       max_rcpts;      /* 452 after this many per transaction; 0 = no limit */
  const char *refuse_rcpt;    /* answered 550 */
  guint       data_code;      /* the reply to the end of data; 250 by default */
  GPtrArray  *messages;       /* GBytes, unstuffed */
  GPtrArray  *envelopes;      /* "sender>rcpt,rcpt" */
  gsize       partial;        /* content bytes received when the provider closed mid-message */
  gboolean    closed_early;   /* the provider closed before QUIT */
  guint       bare_lf_lines;  /* content lines that ended in a bare LF */
} Customer;

void client_free (Client *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Client, client_free)

/* alice@example.org: the recipients of most spooled messages. */
extern const char *org_rcpt[];

Client            *client_connect (guint16 port);
void               client_send (Client     *c,
                                const char *line);
PosteReply        *client_expect (Client *c,
                                  guint   code);
void               client_command (Client     *c,
                                   const char *line,
                                   guint       code);
char              *client_line_full (Client   *c,
                                     gboolean *bare_lf);
char              *client_line (Client *c);
PosteTestProvider *provider_new (const char *faults);
Client            *start_and_connect (PosteTestProvider *p);
void               auth_plain (Client *c);
void               auth_cram (Client *c);
void               customer_init (Customer *k);
void               customer_clear (Customer *k);
void               reply_line (Client     *c,
                               const char *line);
void               customer_run (Customer *k,
                                 Client   *c);
void               client_fetch (Client   *c,
                                 Customer *k);
void               fetch (PosteTestProvider *p,
                          Customer          *k);
void               assert_bytes_equal (GBytes     *bytes,
                                       const char *expected);
void               client_ehlo_auth (Client     *c,
                                     const char *mechanisms);
PosteTestCert     *provider_cert_new (PosteTestCertFlags flags);
GTlsConnection    *client_tls (Client        *c,
                               PosteTestCert *cert);

void test_cram_md5_rfc2195 (void);
void test_cram_md5_wrong (void);
void test_scram (gconstpointer mech);
void test_external (void);
void test_scram_plus (void);
void test_login_plain (void);
void test_starttls (void);
void test_starttls_faults (void);
void test_implicit_tls (void);
void test_cert_expired (void);
void test_drop_after_250 (void);
void test_drop_in_data (void);
void test_drop_stages (void);
void test_content_faults (void);
void test_reply_faults (void);
void test_junk_334 (void);
void test_silent (void);
void test_bad_faults (void);
void test_drop_reversed (void);
void test_huge (void);
void test_long_command (void);

G_END_DECLS
