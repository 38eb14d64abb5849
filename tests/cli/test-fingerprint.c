/* test-fingerprint.c: the one description of certificate fingerprints
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "poste-fingerprint.h"
#include "poste-test.h"

#define HEX "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void
test_fingerprint_normalize (void)
{
  static const char *const same[] = {
    HEX,
    "01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF",
    "0123 4567 89AB CDEF 0123 4567 89ab cdef\n0123456789abcdef0123456789abcdef",
  };
  static const char *const wrong[] = {
    "", "abcd", HEX "00", "g123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    "01-23-45-67-89-ab-cd-ef-01-23-45-67-89-ab-cd-ef-01-23-45-67-89-ab-cd-ef-01-23-45-67-89-ab-cd-ef",
  };

  for (guint i = 0; i < G_N_ELEMENTS (same); i++)
    {
      g_autofree char *hex = poste_fingerprint_normalize (same[i]);

      g_assert_cmpstr (hex, ==, HEX);
    }
  for (guint i = 0; i < G_N_ELEMENTS (wrong); i++)
    {
      g_autofree char *hex = poste_fingerprint_normalize (wrong[i]);

      g_assert_null (hex);
    }
}

static void
test_fingerprint_format (void)
{
  g_autofree char *one_line = poste_fingerprint_format (HEX, 0);
  g_autofree char *two_lines = poste_fingerprint_format (HEX, 16);
  g_autofree char *back = poste_fingerprint_normalize (two_lines);

  g_assert_cmpstr (one_line, ==, "01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:"
                                 "01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF");
  g_assert_cmpstr (two_lines, ==, "01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF\n"
                                  "01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF");
  /* What is shown can be pasted back. */
  g_assert_cmpstr (back, ==, HEX);
}

int
main (int    argc,
      char **argv)
{
  poste_test_init (&argc, &argv);

  g_test_add_func ("/fingerprint/normalize", test_fingerprint_normalize);
  g_test_add_func ("/fingerprint/format", test_fingerprint_format);

  return g_test_run ();
}
