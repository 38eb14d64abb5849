/* poste-test-provider-client.c: the client phase: the test provider as the SMTP server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The greeting, EHLO, STARTTLS (RFC 3207), AUTH (RFC 4954, through libgsasl), then ATRN
 * (RFC 2645 section 5.2.1), which turns the session around, or ETRN (RFC 1985). In submission
 * mode the same loop hands MAIL, RCPT and DATA to poste-test-provider-submission.c.
 */
#include "config.h"

#include <errno.h>
#include <gsasl.h>
#include <string.h>

#include "poste-data-decoder.h"
#include "poste-error.h"
#include "poste-reply.h"
#include "poste-test-provider-private.h"

static const Account *
find_account (PosteTestProvider *self,
              const char        *user)
{
  const Account *found = NULL;

  if (user == NULL)
    return NULL;
  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->accounts->len; i++)
    {
      const Account *a = g_ptr_array_index (self->accounts, i);
      if (g_str_equal (a->user, user))
        found = a;
    }
  g_mutex_unlock (&self->lock);
  return found;
}

/* The CN of a certificate's subject ("CN=u,O=..." from GnuTLS). */
static char *
certificate_cn (GTlsCertificate *certificate)
{
  g_autofree char *subject = g_tls_certificate_get_subject_name (certificate);
  g_auto(GStrv) parts = g_strsplit (subject != NULL ? subject : "", ",", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    if (g_str_has_prefix (parts[i], "CN="))
      return g_strdup (parts[i] + 3);
  return NULL;
}

int
tp_sasl_callback (Gsasl          *ctx,
                  Gsasl_session  *sctx,
                  Gsasl_property  prop)
{
  PosteTestProvider *self = gsasl_callback_hook_get (ctx);
  const Account *account;

  switch (prop)
    {
    case GSASL_PASSWORD:
      account = find_account (self, gsasl_property_fast (sctx, GSASL_AUTHID));
      if (account == NULL)
        return GSASL_NO_CALLBACK;
      return gsasl_property_set (sctx, GSASL_PASSWORD, account->password);
    case GSASL_CB_TLS_EXPORTER:
    case GSASL_CB_TLS_UNIQUE:
      {
        Session *s = gsasl_session_hook_get (sctx);
        const char *cb = s == NULL ? NULL
                                   : prop == GSASL_CB_TLS_EXPORTER ? s->cb_exporter : s->cb_unique;

        if (cb == NULL)
          return GSASL_NO_CALLBACK;
        return gsasl_property_set (sctx, prop, cb);
      }
    case GSASL_SCRAM_ITER:
      {
        g_autofree char *count = NULL;

        if (self->faults.scram_iterations == 0)
          return GSASL_NO_CALLBACK;
        count = g_strdup_printf ("%" G_GUINT64_FORMAT, self->faults.scram_iterations);
        return gsasl_property_set (sctx, GSASL_SCRAM_ITER, count);
      }
    case GSASL_VALIDATE_EXTERNAL:
      {
        Session *s = gsasl_session_hook_get (sctx);
        const char *authzid = gsasl_property_fast (sctx, GSASL_AUTHZID);
        g_autofree char *cn = NULL;

        if (s == NULL || s->peer_certificate == NULL)
          return GSASL_AUTHENTICATION_ERROR;
        cn = certificate_cn (s->peer_certificate);
        /* The certificate names the account; an authzid, if any, must name the same one. */
        if (cn == NULL || (authzid != NULL && authzid[0] != '\0' && !g_str_equal (authzid, cn)))
          return GSASL_AUTHENTICATION_ERROR;
        g_free (s->external_user);
        s->external_user = g_steal_pointer (&cn);
        return GSASL_OK;
      }
    default:
      return GSASL_NO_CALLBACK;
    }
}

static const char * const *
advertised_mechanisms (Session *s)
{
  return (const char * const *) s->provider->faults.mechanisms;
}

static gboolean
mechanism_is_plaintext (const char *mech)
{
  return g_ascii_strcasecmp (mech, "PLAIN") == 0 || g_ascii_strcasecmp (mech, "LOGIN") == 0;
}

/* Whether AUTH may offer @mech now: plaintext mechanisms only inside TLS (RFC 4954 section 4). */
static gboolean
mechanism_allowed (Session    *s,
                   const char *mech)
{
  if (g_ascii_strcasecmp (mech, "EXTERNAL") == 0)
    return s->peer_certificate != NULL;
  if (g_str_has_suffix (mech, "-PLUS"))
    return s->cb_exporter != NULL || s->cb_unique != NULL;
  return !mechanism_is_plaintext (mech) || s->tls_active || s->provider->faults.plain_in_clear;
}


/* CRAM-MD5 with a fixed challenge (RFC 2195), for tests that replay the RFC's example. */
static const Account *
auth_cram_fixed (Session    *s,
                 const char *initial)
{
  const char *challenge = s->provider->faults.cram_challenge;
  g_autofree char *encoded = g_base64_encode ((const guchar *) challenge, strlen (challenge));
  g_autofree char *line = NULL;
  g_autofree guchar *decoded = NULL;
  g_autofree char *response = NULL;
  g_autofree char *expected = NULL;
  const Account *account;
  gsize length;
  char *space;

  if (initial != NULL)
    return NULL;
  if (!tp_send_line (s, "334 %s", encoded) || (line = tp_read_command (s, TRUE)) == NULL)
    return NULL;
  decoded = g_base64_decode (line, &length);
  response = g_strndup ((const char *) decoded, length);
  space = strrchr (response, ' ');
  if (space == NULL)
    return NULL;
  *space = '\0';
  account = find_account (s->provider, response);
  if (account == NULL)
    return NULL;
  expected = g_compute_hmac_for_string (G_CHECKSUM_MD5, (const guchar *) account->password,
                                        strlen (account->password), challenge, -1);
  return g_str_equal (expected, space + 1) ? account : NULL;
}

/* AUTH (RFC 4954 section 4); TRUE when the session goes on, authenticated or not. */
gboolean
tp_handle_auth (Session    *s,
                const char *args)
{
  const Faults *f = &s->provider->faults;
  g_auto(GStrv) words = g_strsplit (args, " ", 2);
  Gsasl_session *sctx = NULL;
  const char *mech = words[0];
  const char *initial = words[0] != NULL ? words[1] : NULL;
  const Account *account = NULL;
  char *input = NULL;
  int rc;

  if (!tp_enter_stage (s, STAGE_AUTH))
    return FALSE;
  if (s->account != NULL)
    return tp_send_line (s, "503 5.5.1 Already authenticated");
  if (mech == NULL || mech[0] == '\0')
    return tp_send_line (s, "501 5.5.4 AUTH needs a mechanism");
  if (!g_strv_contains (advertised_mechanisms (s), mech))
    return tp_send_line (s, "504 5.5.4 Unrecognized authentication type");
  if (!mechanism_allowed (s, mech))
    return tp_send_line (s, "538 5.7.11 Encryption required for requested authentication "
                         "mechanism");

  if (g_ascii_strcasecmp (mech, "CRAM-MD5") == 0 && f->cram_challenge != NULL)
    {
      account = auth_cram_fixed (s, initial);
      if (s->closed)
        return FALSE;
      goto done;
    }

  if (gsasl_server_start (s->provider->gsasl, mech, &sctx) != GSASL_OK)
    return tp_send_line (s, "504 5.5.4 Unrecognized authentication type");
  gsasl_session_hook_set (sctx, s);

  input = g_strdup (initial == NULL ? "" : g_str_equal (initial, "=") ? "" : initial);
  for (;;)
    {
      char *output = NULL;

      rc = gsasl_step64 (sctx, input, &output);
      g_clear_pointer (&input, g_free);
      if (rc == GSASL_OK && (output == NULL || output[0] == '\0'))
        {
          gsasl_free (output);
          break;
        }
      if (rc != GSASL_OK && rc != GSASL_NEEDS_MORE)
        {
          gsasl_free (output);
          break;
        }
      /* A challenge, or additional data with success (RFC 4954: sent as a 334). */
      if (!tp_send_line (s, "334 %s", f->junk_334 ? "!!junk&&" : output))
        {
          gsasl_free (output);
          gsasl_finish (sctx);
          return FALSE;
        }
      gsasl_free (output);
      input = tp_read_command (s, TRUE);
      if (input == NULL)
        {
          gsasl_finish (sctx);
          return FALSE;
        }
      if (g_str_equal (input, "*"))
        {
          g_free (input);
          gsasl_finish (sctx);
          return tp_send_line (s, "501 5.7.0 Authentication cancelled");
        }
      if (rc == GSASL_OK)
        {
          g_clear_pointer (&input, g_free);
          break;
        }
    }
  if (rc == GSASL_OK)
    account = find_account (s->provider,
                            g_ascii_strcasecmp (mech, "EXTERNAL") == 0
                              ? s->external_user
                              : gsasl_property_fast (sctx, GSASL_AUTHID));
  gsasl_finish (sctx);

done:
  if (account == NULL)
    return tp_send_line (s, "535 5.7.8 Authentication credentials invalid");
  s->account = account;
  return tp_send_line (s, "235 2.7.0 Authentication successful");
}

/* EHLO and STARTTLS */

gboolean
tp_send_ehlo_reply (Session    *s,
                    const char *verb)
{
  const Faults *f = &s->provider->faults;
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) mechs = g_string_new (NULL);
  const char * const *all = advertised_mechanisms (s);

  if (g_ascii_strcasecmp (verb, "HELO") == 0)
    return tp_send_line (s, "250 %s", s->provider->hostname);

  g_ptr_array_add (lines, g_strdup_printf ("%s Poste Restante test provider",
                                           s->provider->hostname));
  for (guint i = 0; all[i] != NULL; i++)
    if (mechanism_allowed (s, all[i]))
      g_string_append_printf (mechs, " %s", all[i]);
  if (mechs->len > 0)
    g_ptr_array_add (lines, g_strdup_printf ("AUTH%s", mechs->str));
  if (!s->provider->submission)
    {
      g_ptr_array_add (lines, g_strdup ("ATRN"));
      g_ptr_array_add (lines, g_strdup ("ETRN"));
    }
  if (s->provider->tls_mode == POSTE_TEST_TLS_STARTTLS && !s->tls_active && !f->no_starttls)
    g_ptr_array_add (lines, g_strdup ("STARTTLS"));
  g_ptr_array_add (lines, g_strdup ("8BITMIME"));
  g_ptr_array_add (lines, g_strdup ("ENHANCEDSTATUSCODES"));
  g_ptr_array_add (lines, g_strdup ("PIPELINING"));
  if (f->reply_long_line)
    {
      char *long_line = g_malloc (2001);
      memset (long_line, 'x', 2000);
      memcpy (long_line, "X-LONG ", 7);
      long_line[2000] = '\0';
      g_ptr_array_add (lines, long_line);
    }
  g_ptr_array_add (lines, g_strdup ("HELP"));
  g_ptr_array_add (lines, NULL);

  if (f->reply_code_change)
    {
      g_autoptr(GString) wire = g_string_new (NULL);
      for (guint i = 0; i + 1 < lines->len; i++)
        g_string_append_printf (wire, "%s%c%s\r\n", i == 1 ? "251" : "250",
                                i + 2 < lines->len ? '-' : ' ',
                                (char *) g_ptr_array_index (lines, i));
      return tp_send_raw (s, wire->str, wire->len);
    }
  if (f->reply_endless)
    {
      /* Continuation lines until the customer gives up; bounded all the same. */
      for (guint i = 0; i < 1000000; i++)
        {
          g_autofree char *line = g_strdup_printf ("250-X-ENDLESS %u\r\n", i);
          g_autoptr(GError) error = NULL;

          if (i < 3)
            tp_transcript_add (s, "S: ", line, strlen (line) - 2);
          if (!poste_test_wire_write (s->conn, line, strlen (line), s->cancellable, &error))
            {
              tp_session_fail (s, error);
              return FALSE;
            }
        }
      return poste_test_wire_flush (s->conn, s->cancellable, NULL);
    }
  return tp_send_reply (s, 250, (const char * const *) lines->pdata);
}

static gboolean
accept_any_cb (GTlsConnection       *tls,
               GTlsCertificate      *certificate,
               GTlsCertificateFlags  errors,
               gpointer              user_data)
{
  return TRUE;
}

/* The channel binding data of @type, base64, or NULL when TLS does not offer it. */
static char *
channel_binding (GTlsConnection         *tls,
                 GTlsChannelBindingType  type)
{
  g_autoptr(GByteArray) data = g_byte_array_new ();

  if (!g_tls_connection_get_channel_binding_data (tls, type, data, NULL) || data->len == 0)
    return NULL;
  return g_base64_encode (data->data, data->len);
}

gboolean
tp_start_tls (Session *s)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GIOStream) tls = NULL;

  if (!tp_enter_stage (s, STAGE_HANDSHAKE))
    return FALSE;
  tls = g_tls_server_connection_new (poste_test_wire_get_stream (s->conn),
                                     s->provider->certificate, &error);
  if (tls != NULL && g_strv_contains (advertised_mechanisms (s), "EXTERNAL"))
    {
      /* EXTERNAL (RFC 4422 appendix A): ask for a client certificate; any is taken, and its
       * subject CN names the account. */
      g_object_set (tls, "authentication-mode", G_TLS_AUTHENTICATION_REQUESTED, NULL);
      g_signal_connect (tls, "accept-certificate", G_CALLBACK (accept_any_cb), NULL);
    }
  if (tls == NULL ||
      !poste_test_wire_handshake (s->conn, G_TLS_CONNECTION (tls), s->cancellable, &error))
    {
      tp_session_fail (s, error);
      return FALSE;
    }
  tp_transcript_add (s, "", "[TLS]", -1);
  s->tls_active = TRUE;
  s->cb_exporter = channel_binding (G_TLS_CONNECTION (tls), G_TLS_CHANNEL_BINDING_TLS_EXPORTER);
  s->cb_unique = channel_binding (G_TLS_CONNECTION (tls), G_TLS_CHANNEL_BINDING_TLS_UNIQUE);
  g_clear_object (&s->peer_certificate);
  s->peer_certificate = g_tls_connection_get_peer_certificate (G_TLS_CONNECTION (tls));
  if (s->peer_certificate != NULL)
    {
      g_object_ref (s->peer_certificate);
      tp_transcript_add (s, "", "[client certificate]", -1);
    }
  return TRUE;
}

gboolean
tp_handle_starttls (Session *s)
{
  const Faults *f = &s->provider->faults;

  if (!tp_enter_stage (s, STAGE_STARTTLS))
    return FALSE;
  if (s->provider->tls_mode != POSTE_TEST_TLS_STARTTLS || f->no_starttls)
    return tp_send_line (s, "502 5.5.1 STARTTLS not available");
  if (s->tls_active)
    return tp_send_line (s, "503 5.5.1 TLS already active");
  if (f->starttls_code != 0)
    return tp_send_line (s, "%03u %s", f->starttls_code,
                         f->starttls_code == 220 ? "Ready"
                                                 : "TLS not available due to temporary reason");
  if (f->inject_after_starttls)
    {
      static const char injected[] = "220 2.0.0 Ready to start TLS\r\n250 injected\r\n";
      if (!tp_send_raw (s, injected, sizeof injected - 1))
        return FALSE;
    }
  else if (!tp_send_line (s, "220 2.0.0 Ready to start TLS"))
    return FALSE;
  if (!tp_start_tls (s))
    return FALSE;
  /* RFC 3207 section 4.2: forget everything learned before TLS. */
  s->account = NULL;
  return TRUE;
}

/* ATRN */

guint
tp_count_for_domains (PosteTestProvider  *self,
                      const char * const *domains)
{
  guint n = 0;

  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->spool->len; i++)
    {
      PosteTestMessage *m = g_ptr_array_index (self->spool, i);

      for (guint j = 0; j < m->recipients->len; j++)
        if (tp_domain_in (tp_address_domain (g_ptr_array_index (m->recipients, j)), domains))
          {
            n++;
            break;
          }
    }
  g_mutex_unlock (&self->lock);
  return n;
}

static gboolean
send_atrn_reply (Session    *s,
                 guint       code,
                 const char *text)
{
  const char *lines[] = { text, NULL, NULL };

  if (s->provider->faults.atrn_multiline)
    {
      lines[0] = "ODMR test provider says:";
      lines[1] = text;
    }
  return tp_send_reply (s, code, lines);
}

/* ATRN (RFC 2645 section 5.2.1); sets *turn when the session turns around. */
gboolean
tp_handle_atrn (Session    *s,
                const char *args,
                gboolean   *turn)
{
  const Faults *f = &s->provider->faults;

  *turn = FALSE;
  if (!tp_enter_stage (s, STAGE_ATRN))
    return FALSE;
  if (s->account == NULL)
    return tp_send_line (s, "530 5.7.0 Authentication required");

  g_clear_pointer (&s->domains, g_strfreev);
  /* Exim's ODMR wants the domains named: a bare ATRN is a syntax error there. */
  if (args[0] == '\0' && f->atrn_needs_domains)
    return send_atrn_reply (s, 501, "5.5.4 ATRN needs a list of domains");
  if (args[0] == '\0')
    s->domains = g_strdupv (s->account->domains);
  else
    {
      s->domains = g_strsplit (args, ",", -1);
      for (guint i = 0; s->domains[i] != NULL; i++)
        if (!tp_domain_in (s->domains[i], (const char * const *) s->account->domains))
          return send_atrn_reply (s, 450, "4.7.0 ATRN request refused");
    }

  if (f->atrn_code != 0)
    {
      if (!send_atrn_reply (s, f->atrn_code, f->atrn_text != NULL ? f->atrn_text : "Scripted"))
        return FALSE;
      *turn = f->atrn_code == 250;
      return TRUE;
    }
  if (tp_count_for_domains (s->provider, (const char * const *) s->domains) == 0 &&
      !f->tls_plain_quit)
    return send_atrn_reply (s, 453, "You have no mail");
  *turn = TRUE;
  return send_atrn_reply (s, 250, "OK now reversing the connection");
}

/* ETRN (RFC 1985 section 5): start the queue of a domain of the account. A real provider would
 * then deliver to the domain's MX on a connection of its own; this one only answers (and keeps
 * the spool as it is). "@domain" (the domain's subdomains too) is taken as the domain. */
gboolean
tp_handle_etrn (Session    *s,
                const char *args)
{
  const Faults *f = &s->provider->faults;
  const char *node = args[0] == '@' ? args + 1 : args;
  const char *one[] = { node, NULL };
  guint n;

  if (s->account == NULL)
    return tp_send_line (s, "530 5.7.0 Authentication required");
  if (node[0] == '\0' || node[0] == '#' || strchr (node, ' ') != NULL)
    return tp_send_line (s, "501 5.5.4 Syntax: ETRN node");
  if (f->etrn_code != 0)
    return tp_send_line (s, "%03u %s", f->etrn_code,
                         f->etrn_text != NULL ? f->etrn_text : "Scripted");
  if (!tp_domain_in (node, (const char * const *) s->account->domains))
    return tp_send_line (s, "459 4.7.1 Node %s not allowed: not a domain of this account", node);
  n = tp_count_for_domains (s->provider, one);
  if (n == 0)
    return tp_send_line (s, "251 2.0.0 OK, no messages waiting for node %s", node);
  return tp_send_line (s, "253 2.0.0 OK, %u pending messages for node %s started", n, node);
}

/* The client phase: we are the SMTP server */

void
tp_client_phase (Session *s)
{
  guint bad = 0;

  if (s->provider->tls_mode == POSTE_TEST_TLS_IMPLICIT && !tp_start_tls (s))
    return;
  if (!tp_enter_stage (s, STAGE_GREETING))
    return;
  if (!tp_send_line (s, "220 %s ESMTP ODMR test provider", s->provider->hostname))
    return;

  while (!s->closed)
    {
      g_autofree char *line = tp_read_command (s, FALSE);
      g_autofree char *verb = NULL;
      const char *args;
      gboolean ok;

      if (line == NULL)
        return;
      args = strchr (line, ' ');
      verb = g_ascii_strup (line, args != NULL ? args - line : -1);
      args = args != NULL ? args + 1 : "";

      if (g_str_equal (verb, "EHLO") || g_str_equal (verb, "HELO"))
        ok = tp_enter_stage (s, STAGE_EHLO) && tp_send_ehlo_reply (s, verb);
      else if (g_str_equal (verb, "STARTTLS"))
        ok = tp_handle_starttls (s);
      else if (g_str_equal (verb, "AUTH"))
        ok = tp_handle_auth (s, args);
      else if (s->provider->submission &&
               (g_str_equal (verb, "MAIL") || g_str_equal (verb, "RCPT") ||
                g_str_equal (verb, "DATA") || g_str_equal (verb, "RSET") ||
                g_str_equal (verb, "ATRN")))
        ok = tp_handle_submission (s, verb, args);
      else if (g_str_equal (verb, "ATRN"))
        {
          gboolean turn = FALSE;

          ok = tp_handle_atrn (s, args, &turn);
          if (ok && turn)
            {
              tp_reversed_session (s);
              return;
            }
        }
      else if (g_str_equal (verb, "ETRN") && !s->provider->submission)
        ok = tp_handle_etrn (s, args);
      else if (g_str_equal (verb, "NOOP") || g_str_equal (verb, "RSET"))
        ok = tp_send_line (s, "250 2.0.0 OK");
      else if (g_str_equal (verb, "QUIT"))
        {
          tp_send_line (s, "221 2.0.0 Bye");
          return;
        }
      else if (g_str_equal (verb, "MAIL") || g_str_equal (verb, "RCPT") ||
               g_str_equal (verb, "DATA"))
        ok = tp_send_line (s, "502 5.5.1 This is an ODMR service: use ATRN");
      else if (g_str_equal (verb, "ETRN"))
        ok = tp_send_line (s, "502 5.5.1 This is a submission service");
      else
        {
          ok = tp_send_line (s, "500 5.5.2 Command unrecognized");
          if (++bad >= MAX_BAD_COMMANDS)
            {
              tp_send_line (s, "421 4.7.0 Too many errors");
              return;
            }
        }
      if (!ok)
        return;
    }
}
