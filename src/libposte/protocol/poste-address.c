/* poste-address.c: envelope addresses: the path syntax, and the routing syntaxes that ask for
 * relaying (RFC 5321 section 4.1.2, appendix C)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A local MTA usually trusts loopback, and Poste Restante talks to it from loopback: whatever
 * address we hand it, it may route onward. Old routing syntaxes still work in many MTAs:
 *  - the "percent hack" user%other.example@our.example (Postfix's allow_percent_hack, Sendmail);
 *  - UUCP bang paths other.example!user@our.example (Postfix's swap_bangpath);
 *  - a second '@', bare or quoted: "user@other.example"@our.example is dequoted and resolved as
 *    user@other.example by Postfix (resolve_dequoted_address) and others;
 *  - source routes <@our.example,@hop.example:user@other.example> (RFC 5321 appendix C).
 * None of these has a place in mail a provider holds for the customer's own domains, so such an
 * address is refused outright (550 5.7.1) before any delivery target sees it, whatever the target.
 */
#include "config.h"

#include <string.h>

#include "poste-address.h"

/**
 * poste_address_has_routing:
 * @address: an envelope address without its angle brackets ("user@example.org", a quoted local
 *   part included)
 *
 * Whether @address carries routing syntax: a '%' or a '!' in its local part (quoted or not), a
 * second '@' (quoted, escaped or bare), or what is left of a source route (a leading '@'). An
 * address without any '@' is judged by its whole text (a bang path "host!user").
 *
 * Returns: %TRUE when @address asks for routing and must be refused
 */
gboolean
poste_address_has_routing (const char *address)
{
  const char *p = address;
  guint ats = 0;

  g_return_val_if_fail (address != NULL, TRUE);

  if (*p == '@')
    return TRUE;
  if (*p == '"')
    {
      /* A quoted local part: any '%', '!' or '@' inside, escaped or not, survives dequoting. */
      for (p++; *p != '\0' && *p != '"'; p++)
        {
          if (*p == '\\' && p[1] != '\0')
            p++;
          if (strchr ("%!@", *p) != NULL)
            return TRUE;
        }
      if (*p == '"')
        p++;
    }
  else
    {
      for (; *p != '\0' && *p != '@'; p++)
        if (*p == '%' || *p == '!')
          return TRUE;
    }
  /* The domain part: exactly one '@', and neither routing character. */
  for (; *p != '\0'; p++)
    {
      if (*p == '@')
        ats++;
      else if (*p == '%' || *p == '!')
        return TRUE;
    }
  return ats > 1;
}

/**
 * poste_address_is_source_routed:
 * @path: the text of a forward- or reverse-path from its '<' on ("<@a,@b:user@c>"), as it follows
 *   "TO:" or "FROM:" in the command
 *
 * RFC 5321 section 4.1.2 tells servers to ignore a source route, but in a reversed ODMR session
 * the provider has no business asking for hops: a source route is a relaying attempt, and is
 * refused rather than silently followed to its last address.
 *
 * Returns: %TRUE when @path starts with a source route
 */
gboolean
poste_address_is_source_routed (const char *path)
{
  g_return_val_if_fail (path != NULL, FALSE);

  while (*path == ' ')
    path++;
  return path[0] == '<' && path[1] == '@';
}

/**
 * poste_address_parse_path:
 * @p: the text at a path's '<', as MAIL FROM: and RCPT TO: carry it
 * @rest: (out) (transfer none): the text after the path's '>', within @p
 *
 * Parses "<path>" (RFC 5321 section 4.1.2), quoted local parts included; a source route
 * ("<@a,@b:user@c>") is dropped as section 4.1.2 says. A control byte, a space or '<' outside
 * quotes makes the path malformed.
 *
 * Returns: (transfer full) (nullable): the address without its brackets ("" for the null path),
 *   or %NULL when the path is not well formed
 */
char *
poste_address_parse_path (const char  *p,
                          const char **rest)
{
  g_autoptr(GString) address = g_string_new (NULL);
  gboolean quoted = FALSE;
  if (*p != '<')
    return NULL;
  p++;
  if (*p == '@')
    {
      const char *colon = strchr (p, ':');
      if (colon == NULL)
        return NULL;
      p = colon + 1;
    }
  for (; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      if (c < 0x20 || c == 0x7f)
        return NULL;
      if (quoted && c == '\\' && p[1] != '\0')
        {
          g_string_append_c (address, c);
          g_string_append_c (address, p[1]);
          p++;
          continue;
        }
      if (c == '"')
        quoted = !quoted;
      else if (!quoted && c == '>')
        break;
      else if (!quoted && (c == ' ' || c == '<'))
        return NULL;
      g_string_append_c (address, c);
    }
  if (*p != '>')
    return NULL;
  *rest = p + 1;
  return g_string_free (g_steal_pointer (&address), FALSE);
}
