/* test-session.h: what the session tests' driver (test-session.c) and their table of cases
 * (test-session-cases.c) share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "poste.h"
#include "poste-test-fixture.h"
#include "test-memory-delivery.h"

G_BEGIN_DECLS

#define USER "customer"
#define PASSWORD "s3cret-Pa55word"
#define TIMEOUT 15

#define MESSAGE_1 "From: a@sender.example\r\nTo: someone@example.org\r\nSubject: one\r\n\r\nHello\r\n"
#define MESSAGE_2 "From: b@sender.example\r\nSubject: two\r\n\r\n.leading dot\r\n..two dots\r\n.\r\nend\r\n"

typedef struct {
  PosteTestFixture  t;
  TestDelivery     *delivery;
  char             *message;   /* a message a case made up, as spooled */
} Fixture;

extern const char *const session_domains[];
extern const char *const one_rcpt[];

/* A message the test provider holds; a list of them ends with a NULL sender. */
typedef struct {
  const char        *sender;
  const char *const *recipients;
  const char        *text;
} Spooled;

/* An expected number or enum value: 0 in a case means "not checked". EXPECT (-1) for the
 * report's error means "none". */
#define EXPECT(n) ((n) + 1)
#define CHECKED(n) ((n) != 0)
#define VALUE(n) ((n) - 1)

/* One scenario: what the provider holds and does, how our side behaves, and what the session
 * must end with. What a row leaves at 0 or NULL is as the fixture makes it, or not checked. */
typedef struct {
  const char     *path;
  /* What the test provider holds and does */
  PosteTestTls    tls;
  const char     *faults;
  const Spooled  *spool;
  void          (*prepare) (Fixture *f);  /* changes before the start: provider, extra mail */
  PosteAuth       auth;                   /* the provider's auth= (AUTO: as the fixture has it) */
  /* How our target and session behave */
  guint           begin_code, rcpt_code, commit_code, max_recipients, rcpt_limit;
  gboolean        fail_write;
  const char     *refuse_recipient, *defer_recipient;
  guint           timeout, atrn_timeout;
  guint64         max_size;
  /* The end: an error of domain/code (no domain: success), and what its message says */
  GQuark        (*domain) (void);
  int             code;
  const char     *says;
  /* The report */
  int             outcome, report_error, state, tls_seen;
  int             messages, refused, deferred, returned, exit_status;
  const char     *mechanism;
  const char     *returned_reason;   /* the start of it */
  gboolean        nothing_returned;  /* no returned reason at all */
  /* The transcript: lines starting with these, and none starting with those */
  const char     *has[6];
  const char     *lacks[3];
  /* The target and the provider afterwards */
  int             delivered;          /* messages stored */
  guint           aborts;             /* at least this many aborted transactions */
  const char     *bodies[3];          /* the stored messages, without our Received: */
  const char     *recipients[4];      /* the stored messages' recipients */
  int             spooled;            /* messages the provider still holds */
  int             held_at_least;      /* ... at least */
  gboolean        peer_is_ours;       /* the peer certificate kept is the test provider's */
  void          (*check) (Fixture *f);  /* what no other field checks */
} Case;

extern const Case session_cases[];
extern const guint session_n_cases;

void  spool          (Fixture            *f,
                      const char         *sender,
                      const char *const  *recipients,
                      const char         *text);
char *delivered_body (Fixture            *f,
                      guint               index);

G_END_DECLS
