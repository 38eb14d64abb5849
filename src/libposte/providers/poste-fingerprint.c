/* poste-fingerprint.c: SHA-256 certificate fingerprints, as `pinned-sha256=` writes them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The one description of a certificate fingerprint: how it is computed (SHA-256 over the DER
 * encoding, the form providers publish), how it may be typed (pairs with colons or spaces, any
 * case) and how it is kept (64 lower-case hex digits) and shown (upper-case pairs).
 */
#include "config.h"

#include <string.h>

#include "poste-fingerprint.h"

#define FINGERPRINT_HEX_DIGITS 64

/**
 * poste_fingerprint_normalize:
 * @text: a fingerprint as a person or a file writes it: hex digits in any case, with or without
 *   colons and white space between them
 *
 * Returns: (transfer full) (nullable): the fingerprint as 64 lower-case hex digits, or %NULL when
 *   @text is not a SHA-256 fingerprint
 */
char *
poste_fingerprint_normalize (const char *text)
{
  g_autoptr(GString) hex = g_string_new (NULL);

  g_return_val_if_fail (text != NULL, NULL);

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == ':' || g_ascii_isspace (*p))
        continue;
      if (!g_ascii_isxdigit (*p) || hex->len == FINGERPRINT_HEX_DIGITS)
        return NULL;
      g_string_append_c (hex, g_ascii_tolower (*p));
    }
  if (hex->len != FINGERPRINT_HEX_DIGITS)
    return NULL;
  return g_string_free (g_steal_pointer (&hex), FALSE);
}

/**
 * poste_fingerprint_for_certificate:
 * @certificate: a #GTlsCertificate
 *
 * Computes the SHA-256 fingerprint of @certificate's DER encoding, the form `pinned-sha256` takes
 * and providers publish.
 *
 * Returns: (transfer full) (nullable): 64 lower-case hex digits, or %NULL without DER data
 */
char *
poste_fingerprint_for_certificate (GTlsCertificate *certificate)
{
  g_autoptr(GByteArray) der = NULL;

  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (certificate), NULL);

  g_object_get (certificate, "certificate", &der, NULL);
  if (der == NULL || der->len == 0)
    return NULL;
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, der->data, der->len);
}

/**
 * poste_fingerprint_format:
 * @fingerprint: 64 hex digits
 * @pairs_per_line: how many pairs go on a line (16 makes two lines), or 0 for one line
 *
 * Formats a fingerprint for people to compare with what the provider publishes, or to read
 * aloud: upper-case pairs separated by colons.
 *
 * Returns: (transfer full): the formatted fingerprint
 */
char *
poste_fingerprint_format (const char *fingerprint,
                          guint       pairs_per_line)
{
  GString *text = g_string_new (NULL);
  gsize length;

  g_return_val_if_fail (fingerprint != NULL, g_string_free (text, FALSE));

  length = strlen (fingerprint);
  for (gsize i = 0; i + 1 < length; i += 2)
    {
      if (i > 0)
        g_string_append_c (text, pairs_per_line > 0 && i % (2 * pairs_per_line) == 0 ? '\n' : ':');
      g_string_append_c (text, g_ascii_toupper (fingerprint[i]));
      g_string_append_c (text, g_ascii_toupper (fingerprint[i + 1]));
    }
  return g_string_free (text, FALSE);
}
