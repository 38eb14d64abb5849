/* poste-atrn.c: the ATRN command's domain list (RFC 2645 section 5)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * RFC 2645 section 5 defines the command as
 *
 *     atrn = "ATRN" [ SP domain *( "," domain ) ] CRLF
 *
 * with domain as in RFC 821, which RFC 5321 section 4.1.2 restates as
 *
 *     Domain     = sub-domain *("." sub-domain)
 *     sub-domain = Let-dig [Ldh-str]
 *     Let-dig    = ALPHA / DIGIT
 *     Ldh-str    = *( ALPHA / DIGIT / "-" ) Let-dig
 *
 * and, for the address form, "[" IPv4-address-literal "]". DNS adds the lengths: 63 octets a
 * label, 253 a name. A domain in Unicode is converted to its A-labels with libidn2 (IDNA 2008,
 * non-transitional, RFC 5891) before the check; the list sent is the lower-case A-labels, joined
 * by commas with no space, duplicates removed.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <idn2.h>
#include <string.h>

#include "poste-atrn.h"
#include "poste-error.h"

static gboolean
is_let_dig (char c)
{
  return g_ascii_isalnum (c);
}

static gboolean
address_literal_is_valid (const char *text)
{
  gsize n = strlen (text);
  g_autofree char *inner = NULL;
  guint dots = 0;

  if (n < 9 || text[0] != '[' || text[n - 1] != ']')
    return FALSE;
  inner = g_strndup (text + 1, n - 2);
  for (const char *p = inner; *p != '\0'; p++)
    {
      if (*p == '.')
        dots++;
      else if (!g_ascii_isdigit (*p))
        return FALSE;
    }
  return dots == 3 && g_hostname_is_ip_address (inner);
}

/**
 * poste_atrn_domain_is_valid:
 * @ascii: a domain in ASCII
 *
 * Checks @ascii against RFC 2645 section 5's grammar for a domain (RFC 5321 section 4.1.2's
 * Domain, or an IPv4 address literal in brackets), with the DNS lengths: 1 to 63 octets a label,
 * at most 253 in all.
 *
 * Returns: %TRUE when @ascii may be sent in ATRN
 */
gboolean
poste_atrn_domain_is_valid (const char *ascii)
{
  gsize total;
  gsize label = 0;
  char previous = '.';

  g_return_val_if_fail (ascii != NULL, FALSE);

  if (ascii[0] == '[')
    return address_literal_is_valid (ascii);

  total = strlen (ascii);
  if (total == 0 || total > 253)
    return FALSE;

  for (const char *p = ascii; *p != '\0'; p++)
    {
      char c = *p;

      if (c == '.')
        {
          /* A label may neither be empty nor end in a hyphen. */
          if (label == 0 || !is_let_dig (previous))
            return FALSE;
          label = 0;
        }
      else if (is_let_dig (c) || c == '-')
        {
          /* A label starts with a letter or a digit. */
          if (label == 0 && c == '-')
            return FALSE;
          if (++label > 63)
            return FALSE;
        }
      else
        return FALSE;
      previous = c;
    }
  return label > 0 && is_let_dig (previous);
}

/**
 * poste_atrn_domain_to_ascii:
 * @domain: a domain, in ASCII or UTF-8
 * @error: return location for a #GError
 *
 * Converts @domain to the form ATRN sends: IDNA 2008 A-labels (through libidn2), in lower case,
 * then checked with poste_atrn_domain_is_valid().
 *
 * Returns: (transfer full): the ASCII domain, or %NULL with %POSTE_SESSION_ERROR_CONFIG when
 *   @domain is not valid UTF-8, cannot be converted, or does not match the grammar
 */
char *
poste_atrn_domain_to_ascii (const char  *domain,
                            GError     **error)
{
  g_autofree char *ascii = NULL;

  g_return_val_if_fail (domain != NULL, NULL);

  if (!g_utf8_validate (domain, -1, NULL))
    {
      g_set_error (error, POSTE_SESSION_ERROR, POSTE_SESSION_ERROR_CONFIG,
                   _("The domain is not valid UTF-8"));
      return NULL;
    }

  if (g_str_is_ascii (domain))
    ascii = g_ascii_strdown (domain, -1);
  else
    {
      char *converted = NULL;
      int rc = idn2_to_ascii_8z (domain, &converted, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);

      if (rc != IDN2_OK)
        {
          g_autofree char *printable = g_strescape (domain, NULL);
          g_set_error (error, POSTE_SESSION_ERROR, POSTE_SESSION_ERROR_CONFIG,
                       _("The domain “%s” cannot be converted to ASCII: %s"),
                       printable, idn2_strerror (rc));
          return NULL;
        }
      ascii = g_ascii_strdown (converted, -1);
      idn2_free (converted);
    }

  if (!poste_atrn_domain_is_valid (ascii))
    {
      g_autofree char *printable = g_strescape (domain, NULL);
      g_set_error (error, POSTE_SESSION_ERROR, POSTE_SESSION_ERROR_CONFIG,
                   _("“%s” is not a valid domain for ATRN (RFC 2645)"), printable);
      return NULL;
    }
  return g_steal_pointer (&ascii);
}

/**
 * poste_atrn_build_command:
 * @domains: (nullable) (array zero-terminated=1): the domains to ask for, ASCII or UTF-8; %NULL
 *   or empty for all of the customer's domains
 * @ascii_domains: (out) (optional) (transfer full): the domains as sent (A-labels, lower case,
 *   without duplicates); an empty vector for a bare ATRN
 * @error: return location for a #GError
 *
 * Builds the ATRN command line (RFC 2645 section 5): "ATRN" alone for an empty list, otherwise
 * "ATRN d1,d2" with commas and no spaces.
 *
 * Returns: (transfer full): the command without CR LF, or %NULL with %POSTE_SESSION_ERROR_CONFIG
 *   when a domain is not valid or the line would exceed %POSTE_ATRN_MAX_COMMAND octets
 */
char *
poste_atrn_build_command (const char * const  *domains,
                          GStrv               *ascii_domains,
                          GError             **error)
{
  g_autoptr(GString) line = g_string_new ("ATRN");
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; domains != NULL && domains[i] != NULL; i++)
    {
      g_autofree char *ascii = poste_atrn_domain_to_ascii (domains[i], error);
      gboolean seen = FALSE;

      if (ascii == NULL)
        return NULL;
      for (guint j = 0; j < list->len; j++)
        seen |= g_str_equal (list->pdata[j], ascii);
      if (seen)
        continue;
      g_string_append_c (line, list->len == 0 ? ' ' : ',');
      g_string_append (line, ascii);
      g_ptr_array_add (list, g_steal_pointer (&ascii));
    }

  if (line->len > POSTE_ATRN_MAX_COMMAND)
    {
      g_set_error (error, POSTE_SESSION_ERROR, POSTE_SESSION_ERROR_CONFIG,
                   _("The ATRN command for these %u domains would be %u octets long, over "
                     "the limit of %u"),
                   list->len, (guint) line->len, POSTE_ATRN_MAX_COMMAND);
      return NULL;
    }

  if (ascii_domains != NULL)
    {
      g_ptr_array_add (list, NULL);
      *ascii_domains = (GStrv) g_ptr_array_steal (list, NULL);
    }
  return g_string_free (g_steal_pointer (&line), FALSE);
}
