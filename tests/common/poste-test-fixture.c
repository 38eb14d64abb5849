/* poste-test-fixture.c: a test provider on loopback, a provider configured for it, and the
 * sessions run against it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The set-up the session, field, misbehaviour and hardening tests share: a PosteTestProvider with
 * one account and a GnuTLS test certificate, a PosteProvider that reaches it on 127.0.0.1 with
 * the matching security and CA file, and a session with the test's timeouts. Each test then
 * spools its messages, adds its faults and changes the provider as its case needs.
 */
#include "config.h"

#include <string.h>

#include "poste-test.h"
#include "poste-test-fixture.h"

/**
 * poste_test_fixture_setup:
 * @f: a zeroed fixture
 * @config: (not nullable): what the program's fixtures share; must outlive @f
 * @tls: how the test provider offers TLS; the provider asks for the same (with the CA file)
 * @cert_flags: what is wrong with the test provider's certificate, if anything
 * @faults: (nullable): the test provider's faults (see poste-test-provider.h), %NULL for none
 *
 * Makes the test provider (not started yet) and the provider for it, and the memory target
 * (@f->delivery) if @config asks for one.
 */
void
poste_test_fixture_setup (PosteTestFixture             *f,
                          const PosteTestFixtureConfig *config,
                          PosteTestTls                  tls,
                          PosteTestCertFlags            cert_flags,
                          const char                   *faults)
{
  g_autoptr(GError) error = NULL;

  f->config = config;
  f->dir = poste_test_make_dir (config->name);
  f->cert = poste_test_cert_new (f->dir, "provider.test", cert_flags, &error);
  g_assert_no_error (error);

  f->tp = poste_test_provider_new ();
  poste_test_provider_set_tls (f->tp, tls,
                               tls != POSTE_TEST_TLS_NONE ? f->cert->certificate : NULL);
  poste_test_provider_add_account (f->tp, config->user, config->password, config->domains);
  if (config->provider_timeout > 0)
    poste_test_provider_set_timeout (f->tp, config->provider_timeout);
  poste_test_provider_set_faults (f->tp, faults, &error);
  g_assert_no_error (error);

  if (config->memory_delivery)
    f->delivery = test_delivery_new ();

  f->provider = poste_provider_new (config->name);
  poste_provider_set_host (f->provider, "127.0.0.1");
  poste_provider_set_username (f->provider, config->user);
  poste_provider_set_domains (f->provider, config->domains);
  switch (tls)
    {
    case POSTE_TEST_TLS_STARTTLS:
      poste_provider_set_security (f->provider, POSTE_SECURITY_STARTTLS);
      poste_provider_set_ca_file (f->provider, f->cert->ca_file);
      break;
    case POSTE_TEST_TLS_IMPLICIT:
      poste_provider_set_security (f->provider, POSTE_SECURITY_TLS);
      poste_provider_set_ca_file (f->provider, f->cert->ca_file);
      break;
    case POSTE_TEST_TLS_NONE:
    default:
      poste_provider_set_security (f->provider, POSTE_SECURITY_NONE);
      break;
    }
}

/**
 * poste_test_fixture_start:
 * @f: a fixture set up
 *
 * Starts the test provider on a free loopback port and points the provider at it.
 */
void
poste_test_fixture_start (PosteTestFixture *f)
{
  g_autoptr(GError) error = NULL;

  f->port = poste_test_provider_start (f->tp, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (f->port, >, 0);
  poste_provider_set_port (f->provider, f->port);
}

/**
 * poste_test_fixture_new_session:
 * @f: a fixture
 * @delivery: (transfer none): the session's target
 *
 * Replaces @f's session with a new one into @delivery (a new session for each run, as a fetch
 * does), with the configured timeouts and "customer.example" as our name.
 *
 * Returns: (transfer none): the session, owned by @f
 */
PosteSession *
poste_test_fixture_new_session (PosteTestFixture *f,
                                PosteDelivery    *delivery)
{
  g_clear_object (&f->session);
  f->session = poste_session_new (f->provider, f->config->password, delivery);
  poste_session_set_timeout (f->session, f->config->timeout);
  poste_session_set_atrn_timeout (f->session, f->config->timeout);
  poste_session_set_local_name (f->session, "customer.example");
  return f->session;
}

/**
 * poste_test_fixture_log:
 * @f: a fixture whose session ran
 *
 * Writes the session's transcript to the test log.
 */
void
poste_test_fixture_log (PosteTestFixture *f)
{
  PosteSessionReport *report = poste_session_get_report (f->session);

  for (guint i = 0; i < report->transcript->len; i++)
    g_test_message ("%s", (const char *) report->transcript->pdata[i]);
}

/**
 * poste_test_fixture_run:
 * @f: a fixture with a session
 *
 * Runs @f's session to its end, then logs its transcript and result. The result is also left in
 * @f->ok and @f->error (an earlier run's error is cleared first).
 *
 * Returns: what poste_session_run() returned
 */
gboolean
poste_test_fixture_run (PosteTestFixture *f)
{
  g_clear_error (&f->error);
  f->ok = poste_session_run (f->session, NULL, &f->error);
  poste_test_fixture_log (f);
  g_test_message ("result: %s", f->ok ? "ok" : f->error->message);
  return f->ok;
}

/**
 * poste_test_fixture_count_lines:
 * @f: a fixture whose session ran
 * @prefix: the start of a transcript line ("C: " for ours, "S: " for the provider's)
 *
 * Returns: how many lines of the session's transcript start with @prefix
 */
guint
poste_test_fixture_count_lines (PosteTestFixture *f,
                                const char       *prefix)
{
  PosteSessionReport *report = poste_session_get_report (f->session);
  guint n = 0;

  for (guint i = 0; i < report->transcript->len; i++)
    if (g_str_has_prefix (report->transcript->pdata[i], prefix))
      n++;
  return n;
}

/**
 * poste_test_fixture_transcript_has:
 * @f: a fixture whose session ran
 * @prefix: the start of a transcript line
 *
 * Returns: whether a line of the session's transcript starts with @prefix
 */
gboolean
poste_test_fixture_transcript_has (PosteTestFixture *f,
                                   const char       *prefix)
{
  return poste_test_fixture_count_lines (f, prefix) > 0;
}

/**
 * poste_test_fixture_transcript_mentions:
 * @f: a fixture whose session ran
 * @text: any text
 *
 * Returns: whether a line of the session's transcript holds @text anywhere
 */
gboolean
poste_test_fixture_transcript_mentions (PosteTestFixture *f,
                                        const char       *text)
{
  PosteSessionReport *report = poste_session_get_report (f->session);

  for (guint i = 0; i < report->transcript->len; i++)
    if (strstr (report->transcript->pdata[i], text) != NULL)
      return TRUE;
  return FALSE;
}

/**
 * poste_test_fixture_teardown:
 * @f: a fixture
 *
 * Stops the test provider and frees what @f holds.
 */
void
poste_test_fixture_teardown (PosteTestFixture *f)
{
  poste_test_provider_stop (f->tp);
  g_clear_error (&f->error);
  g_clear_object (&f->session);
  g_clear_object (&f->tp);
  g_clear_object (&f->provider);
  g_clear_object (&f->delivery);
  g_clear_pointer (&f->cert, poste_test_cert_free);
  g_clear_pointer (&f->dir, g_free);
}
