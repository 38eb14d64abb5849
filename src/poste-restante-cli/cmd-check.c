/* cmd-check.c: poste-restante-cli check PROVIDER
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * "Test connection": connect, TLS with the certificate's details, EHLO capabilities, the SASL
 * mechanism and the AUTH result. poste_session_check() never sends ATRN, so nothing is fetched
 * and the provider keeps everything.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "poste-check.h"
#include "poste-fingerprint.h"
#include "poste-cli.h"
#include "poste-router.h"
#include "poste-secrets.h"

/* Seconds for each wait of the check. */
#define CHECK_TIMEOUT 30

static char *
format_time (GDateTime *time)
{
  g_autoptr(GDateTime) utc = NULL;

  if (time == NULL)
    return g_strdup ("?");
  utc = g_date_time_to_utc (time);
  return g_date_time_format (utc, "%Y-%m-%d %H:%M:%S UTC");
}

/**
 * poste_cli_check:
 * @cli: the global options
 * @argc: the argument count (argv[0] is "check")
 * @argv: the provider's name
 *
 * Returns: 0 when the connection, TLS and authentication all worked; otherwise the status of
 *   the first failure (2 network or TLS, 3 authentication, 4 protocol, 5 usage, 10 a delivery
 *   target that cannot work here, such as one outside a Flatpak sandbox's grants)
 */
int
poste_cli_check (PosteCli  *cli,
                 int        argc,
                 char     **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) password_error = NULL;
  g_autoptr(PosteConfig) config = NULL;
  g_autoptr(PosteCheckResult) result = NULL;
  PosteProvider *provider;
  const char *name;
  char *password;
  int status = POSTE_EXIT_MAIL;

  if (!poste_cli_parse_options (cli, "check", _("PROVIDER"),
                                _("Test the connection to a provider: TLS, certificate, EHLO "
                                  "capabilities, SASL. Never sends ATRN."),
                                NULL, &argc, &argv))
    return POSTE_EXIT_USAGE;
  if (argc != 2)
    {
      poste_cli_error (cli, _("check: name one provider"));
      return POSTE_EXIT_USAGE;
    }

  config = poste_cli_load_config (cli, FALSE, &error);
  if (config == NULL)
    {
      poste_cli_error (cli, "%s", error->message);
      return POSTE_EXIT_USAGE;
    }
  name = argv[1];
  provider = poste_config_lookup (config, name);
  if (provider == NULL)
    {
      poste_cli_error (cli, _("no provider called '%s' in %s"), name,
                       poste_config_get_path (config));
      return POSTE_EXIT_USAGE;
    }

  /* The delivery targets first: inside Flatpak, one the sandbox cannot reach would fail every
   * fetch, whatever the connection shows (the router asks the sandbox). */
  if (!poste_router_check_provider (provider, &error))
    {
      g_print (_("%s: error: %s\n"), name, error->message);
      return poste_exit_status_for_error (error);
    }

  /* Without a password the check still shows the connection, TLS and capabilities. */
  password = poste_secrets_dup_password_sync (provider, &password_error);
  if (password_error != NULL && poste_error_get_kind (password_error) != POSTE_ERROR_KIND_AUTH &&
      !g_error_matches (password_error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_KEYRING_TIMEOUT))
    {
      g_print (_("%s: error: %s\n"), name, password_error->message);
      return poste_exit_status_for_error (password_error);
    }

  g_print (_("Provider:      %s (%s port %u, %s)\n"), name, poste_provider_get_host (provider),
           poste_provider_get_port (provider),
           poste_security_to_string (poste_provider_get_security (provider)));

  result = poste_session_check (provider, password, CHECK_TIMEOUT, NULL);
  poste_secrets_free_password (password);
  poste_cli_print_transcript (cli, name, result->transcript);

  if (result->tls_protocol != NULL)
    g_print (_("TLS:           %s, %s\n"), result->tls_protocol,
             result->tls_cipher != NULL ? result->tls_cipher : "?");
  else if (poste_provider_get_security (provider) == POSTE_SECURITY_NONE)
    g_print (_("TLS:           none (security=none)\n"));
  if (result->certificate_sha256 != NULL || result->certificate_subject != NULL)
    {
      g_autofree char *not_before = format_time (result->certificate_not_before);
      g_autofree char *not_after = format_time (result->certificate_not_after);
      g_autofree char *fingerprint = result->certificate_sha256 != NULL
        ? poste_fingerprint_format (result->certificate_sha256, 0) : g_strdup ("?");

      g_print (_("Certificate:\n"));
      g_print (_("  Subject:     %s\n"), result->certificate_subject != NULL
                                          ? result->certificate_subject : "?");
      g_print (_("  Issuer:      %s\n"), result->certificate_issuer != NULL
                                          ? result->certificate_issuer : "?");
      g_print (_("  Valid:       %s to %s\n"), not_before, not_after);
      g_print (_("  SHA-256:     %s\n"), fingerprint);
    }

  if (result->error != NULL)
    {
      g_print (_("Error:         %s\n"), result->error->message);
      poste_cli_print_hint (cli, name, result->error);
      status = poste_exit_status_for_error (result->error);
    }

  if (result->capabilities != NULL && result->capabilities[0] != NULL)
    {
      g_print (_("Capabilities:\n"));
      for (guint i = 0; result->capabilities[i] != NULL; i++)
        g_print ("  %s\n", result->capabilities[i]);
    }
  if (result->error == NULL)
    g_print (_("ATRN offered:  %s\n"), result->atrn_offered ? _("yes") : _("no"));

  if (result->error == NULL)
    {
      g_print (_("SASL:          %s\n"), result->mechanism != NULL ? result->mechanism : _("none"));
      /* Without a password the exchange can only fail: why it was missing is the news, not
       * the mechanism's complaint ("the password was not provided"). */
      if (result->authenticated)
        g_print (_("AUTH:          succeeded\n"));
      else if (password_error != NULL)
        {
          g_print (_("AUTH:          not tried: %s\n"), password_error->message);
          status = POSTE_EXIT_AUTH;
        }
      else if (result->auth_error != NULL)
        {
          g_print (_("AUTH:          failed: %s\n"), result->auth_error->message);
          status = poste_exit_status_for_error (result->auth_error);
        }
      else
        {
          g_print (_("AUTH:          not tried\n"));
          status = POSTE_EXIT_AUTH;
        }
    }

  return status;
}
