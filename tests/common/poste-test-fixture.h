/* poste-test-fixture.h: a test provider on loopback, a provider configured for it, and the
 * sessions run against it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "poste.h"
#include "poste-test-cert.h"
#include "poste-test-provider.h"
#include "test-memory-delivery.h"

G_BEGIN_DECLS

/* What stays the same across one test program's fixtures. */
typedef struct {
  const char         *name;              /* names the test directory and the PosteProvider */
  const char         *user;
  const char         *password;
  const char * const *domains;           /* the account's, and the provider's ATRN domains */
  guint               provider_timeout;  /* the test provider's idle timeout (s); 0: its own */
  guint               timeout;           /* the session's reply and ATRN timeouts (s) */
  gboolean            memory_delivery;   /* the fixture makes (and frees) a TestDelivery */
} PosteTestFixtureConfig;

typedef struct {
  const PosteTestFixtureConfig *config;
  char              *dir;       /* the test's own directory */
  PosteTestCert     *cert;      /* the test provider's certificate, for provider.test */
  PosteTestProvider *tp;
  PosteProvider     *provider;  /* the customer's side, pointed at tp once started */
  guint16            port;      /* tp's, once started */
  PosteSession      *session;   /* the last session made */
  gboolean           ok;        /* what poste_test_fixture_run() returned */
  GError            *error;     /* and its error */
  TestDelivery      *delivery;  /* the memory target, with config->memory_delivery; else NULL */
} PosteTestFixture;

void          poste_test_fixture_setup       (PosteTestFixture             *f,
                                              const PosteTestFixtureConfig *config,
                                              PosteTestTls                  tls,
                                              PosteTestCertFlags            cert_flags,
                                              const char                   *faults);
void          poste_test_fixture_start       (PosteTestFixture             *f);
PosteSession *poste_test_fixture_new_session (PosteTestFixture             *f,
                                              PosteDelivery                *delivery);
gboolean      poste_test_fixture_run         (PosteTestFixture             *f);
void          poste_test_fixture_log         (PosteTestFixture             *f);
guint         poste_test_fixture_count_lines (PosteTestFixture             *f,
                                              const char                   *prefix);
gboolean      poste_test_fixture_transcript_has (PosteTestFixture          *f,
                                                 const char                *prefix);
gboolean      poste_test_fixture_transcript_mentions (PosteTestFixture     *f,
                                                      const char           *text);
void          poste_test_fixture_teardown    (PosteTestFixture             *f);

G_END_DECLS
