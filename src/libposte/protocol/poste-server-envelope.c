/* poste-server-envelope.c: the envelope in the reversed state: MAIL FROM and RCPT TO
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the provider may name as sender and recipients, and what we answer (the policies are at
 * the top of poste-server.c): the path syntax (poste-address.c), SIZE= against our limit, the
 * domains asked for in ATRN (we are never a relay), routing syntax refused before any target
 * sees it, the recipient limits, and each target's own verdict passed on.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "poste-address.h"
#include "poste-atrn.h"
#include "poste-error.h"
#include "poste-router.h"
#include "poste-server-private.h"

const char *
_poste_server_skip_spaces (const char *p)
{
  while (*p == ' ')
    p++;
  return p;
}

/* Parses "FROM:" / "TO:" and the path after it. */
static char *
parse_command_path (const char  *args,
                    const char  *keyword,
                    const char **rest)
{
  gsize n = strlen (keyword);

  args = _poste_server_skip_spaces (args);
  if (g_ascii_strncasecmp (args, keyword, n) != 0)
    return NULL;
  /* RFC 5321 has no space after the colon; some clients send one, which harms nobody. */
  return poste_address_parse_path (_poste_server_skip_spaces (args + n), rest);
}

gboolean
_poste_server_parse_size (const char *text,
                          guint64    *value)
{
  guint64 v = 0;

  if (*text == '\0' || strlen (text) > 20)
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    {
      if (!g_ascii_isdigit (*p))
        return FALSE;
      if (v > (G_MAXUINT64 - 9) / 10)
        return FALSE;
      v = v * 10 + (guint64) (*p - '0');
    }
  *value = v;
  return TRUE;
}

/* Our own 5xx to a recipient: remembered, and counted once the transaction ends without any. */
static gboolean
refuse_recipient (Server      *srv,
                  guint        code,
                  const char  *enhanced,
                  GError     **error,
                  const char  *text)
{
  if (srv->returned_reason == NULL)
    srv->returned_reason = g_strdup_printf ("%03u %s %s", code, enhanced, text);
  return _poste_server_reply (srv, code, enhanced, error, "%s", text);
}

gboolean
_poste_server_cmd_mail (Server      *srv,
                        const char  *args,
                        GError     **error)
{
  g_autofree char *sender = NULL;
  g_auto(GStrv) params = NULL;
  g_autoptr(PosteEnvelope) envelope = NULL;
  g_autoptr(PosteReply) r = NULL;
  const char *rest = NULL;

  sender = parse_command_path (args, "FROM:", &rest);
  if (sender == NULL)
    return _poste_server_refuse_message (srv, 501, "5.5.4", error, "Syntax: MAIL FROM:<address>");

  envelope = poste_envelope_new (sender);
  params = g_strsplit (_poste_server_skip_spaces (rest), " ", -1);
  for (guint i = 0; params[i] != NULL; i++)
    {
      const char *param = params[i];
      guint64 size;

      if (*param == '\0')
        continue;
      if (g_ascii_strncasecmp (param, "SIZE=", 5) == 0)
        {
          if (!_poste_server_parse_size (param + 5, &size))
            return _poste_server_refuse_message (srv, 501, "5.5.4", error, "Bad SIZE parameter");
          if (srv->config->max_message_size > 0 && size > srv->config->max_message_size)
            return _poste_server_refuse_message (srv, 552, "5.3.4", error,
                          "Message too big: %" G_GUINT64_FORMAT " bytes, the limit is %"
                          G_GUINT64_FORMAT, size, srv->config->max_message_size);
          envelope->declared_size = (gint64) MIN (size, (guint64) G_MAXINT64);
        }
      else if (g_ascii_strcasecmp (param, "BODY=7BIT") == 0)
        envelope->body_8bit = FALSE;
      else if (g_ascii_strcasecmp (param, "BODY=8BITMIME") == 0 &&
               (srv->flags & POSTE_DELIVERY_FLAGS_8BITMIME))
        envelope->body_8bit = TRUE;
      else if (g_ascii_strcasecmp (param, "SMTPUTF8") == 0 &&
               (srv->flags & POSTE_DELIVERY_FLAGS_SMTPUTF8))
        envelope->smtputf8 = TRUE;
      else if (g_ascii_strncasecmp (param, "AUTH=", 5) == 0)
        ;                               /* RFC 4954 section 5: may be ignored */
      else
        return _poste_server_refuse_message (srv, 555, "5.5.4", error, "Unsupported parameter");
    }

  if (!envelope->smtputf8 && !g_str_is_ascii (sender))
    return _poste_server_refuse_message (srv, 553, "5.6.7", error,
                                         "A UTF-8 address needs SMTPUTF8");

  r = poste_delivery_begin (srv->config->delivery, envelope, srv->channel->cancellable);
  if (r == NULL)
    r = poste_reply_new (451, "4.3.0", "Local delivery is not available");
  if (r->code / 100 == 2)
    {
      srv->envelope = g_steal_pointer (&envelope);
      _poste_server_set_state (srv, SERVER_STATE_MAIL);
    }
  else
    {
      /* The target refused the whole message: the provider keeps it (4xx: a local failure)
       * or returns it (5xx). */
      _poste_server_count_reply (srv, r);
      if (poste_reply_is_transient (r))
        _poste_server_local_failure (srv, r);
    }
  return _poste_server_send_delivery_reply (srv, r, error);
}

static gboolean
domain_allowed (Server     *srv,
                const char *address)
{
  const char *at = strrchr (address, '@');
  g_autofree char *ascii = NULL;

  /* RFC 5321 section 4.5.1: "postmaster" without a domain must be accepted. */
  if (g_ascii_strcasecmp (address, "postmaster") == 0)
    return TRUE;
  if (srv->allowed->len == 0)
    return TRUE;
  if (at == NULL || at[1] == '\0')
    return FALSE;
  if (at[1] == '[')
    ascii = g_ascii_strdown (at + 1, -1);
  else
    ascii = poste_atrn_domain_to_ascii (at + 1, NULL);
  if (ascii == NULL)
    return FALSE;
  for (guint i = 0; i < srv->allowed->len; i++)
    if (g_str_equal (srv->allowed->pdata[i], ascii))
      return TRUE;
  return FALSE;
}

/* Never a relay (see poste-address.c): routing syntax in any recipient, and, with a target that
 * relays (SMTP, LMTP), any recipient when there are no domains to hold it to, are refused before
 * a target sees them. @args is the RCPT command's text after the verb. Returns the 550's text,
 * or NULL when @recipient may go on. */
static const char *
relay_refusal (Server     *srv,
               const char *args,
               const char *recipient)
{
  const char *path = _poste_server_skip_spaces (_poste_server_skip_spaces (args) + strlen ("TO:"));

  if (poste_address_is_source_routed (path) || poste_address_has_routing (recipient))
    return "Routing syntax in an address is refused: no relaying";
  if (srv->allowed->len == 0 && g_ascii_strcasecmp (recipient, "postmaster") != 0 &&
      poste_delivery_relays_for (srv->config->delivery, recipient))
    return "No domains are configured and this target relays: no relaying";
  return NULL;
}

gboolean
_poste_server_cmd_rcpt (Server      *srv,
                        const char  *args,
                        GError     **error)
{
  g_autofree char *recipient = NULL;
  g_autoptr(PosteReply) r = NULL;
  const char *rest = NULL;
  const char *refusal;
  guint count;

  recipient = parse_command_path (args, "TO:", &rest);
  if (recipient == NULL || *recipient == '\0')
    return refuse_recipient (srv, 501, "5.5.4", error, "Syntax: RCPT TO:<address>");
  if (*_poste_server_skip_spaces (rest) != '\0')
    return refuse_recipient (srv, 555, "5.5.4", error, "Unsupported parameter");
  if (!srv->envelope->smtputf8 && !g_str_is_ascii (recipient))
    return refuse_recipient (srv, 553, "5.6.7", error, "A UTF-8 address needs SMTPUTF8");
  refusal = relay_refusal (srv, args, recipient);
  if (refusal != NULL)
    return refuse_recipient (srv, 550, "5.7.1", error, refusal);

  count = srv->envelope->recipients->len;
  if (srv->config->max_recipients > 0 && count >= srv->config->max_recipients)
    return _poste_server_reply (srv, 452, "4.5.3", error, "Too many recipients");
  if (srv->target_max_recipients > 0 && count >= srv->target_max_recipients)
    return _poste_server_reply (srv, 452, "4.5.3", error,
                                "Too many recipients for this transaction");
  if (!domain_allowed (srv, recipient))
    return refuse_recipient (srv, 550, "5.7.1", error, "Not a domain requested with ATRN");

  r = poste_delivery_add_recipient (srv->config->delivery, srv->envelope, recipient,
                                    srv->channel->cancellable);
  if (r == NULL)
    r = poste_reply_new (451, "4.3.0", "Local delivery is not available");
  if (r->code / 100 == 2)
    {
      g_ptr_array_add (srv->envelope->recipients, g_steal_pointer (&recipient));
      _poste_server_set_state (srv, SERVER_STATE_RCPT);
    }
  else
    _poste_server_note_target_refusal (srv, r);
  return _poste_server_send_delivery_reply (srv, r, error);
}
