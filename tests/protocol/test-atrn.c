/* test-atrn.c: the ATRN domain list against RFC 2645 section 5's grammar, with IDNA
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "poste.h"
#include "poste-test.h"

static void
test_valid (void)
{
  const char *const valid[] = {
    "example.org", "a.b", "x", "1.example", "xn--bcher-kva.example", "a-b.example",
    "3com.example", "[192.0.2.1]",
    "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijk.example",  /* 63 */
  };
  const char *const invalid[] = {
    "", ".", "example.org.", ".example.org", "a..b", "-a.example", "a-.example", "a_b.example",
    "exa mple.org", "a,b", "[192.0.2]", "[192.0.2.1", "[example]", "[::1]", "a/b",
    "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijkl.example",  /* 64 */
  };

  for (guint i = 0; i < G_N_ELEMENTS (valid); i++)
    g_assert_true (poste_atrn_domain_is_valid (valid[i]));
  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_test_message ("invalid: %s", invalid[i]);
      g_assert_false (poste_atrn_domain_is_valid (invalid[i]));
    }
}

static void
test_total_length (void)
{
  g_autoptr(GString) name = g_string_new (NULL);

  /* Four labels of 63 and dots: 255 octets, over the 253 DNS allows. */
  for (guint i = 0; i < 4; i++)
    {
      if (i > 0)
        g_string_append_c (name, '.');
      for (guint j = 0; j < 63; j++)
        g_string_append_c (name, 'a');
    }
  g_assert_false (poste_atrn_domain_is_valid (name->str));
  g_string_truncate (name, 253);
  g_assert_true (poste_atrn_domain_is_valid (name->str));
}

static void
test_command (void)
{
  const char *const one[] = { "Example.ORG", NULL };
  const char *const two[] = { "example.org", "example.com", "EXAMPLE.org", NULL };
  const char *const empty[] = { NULL };
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) ascii = NULL;
  g_autofree char *command = NULL;

  command = poste_atrn_build_command (one, &ascii, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (command, ==, "ATRN example.org");
  g_assert_cmpuint (g_strv_length (ascii), ==, 1);
  g_clear_pointer (&command, g_free);
  g_clear_pointer (&ascii, g_strfreev);

  /* Commas, no spaces, duplicates removed. */
  command = poste_atrn_build_command (two, &ascii, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (command, ==, "ATRN example.org,example.com");
  g_assert_cmpstr (ascii[1], ==, "example.com");
  g_assert_null (ascii[2]);
  g_clear_pointer (&command, g_free);
  g_clear_pointer (&ascii, g_strfreev);

  /* An empty list is a bare ATRN (all of the customer's domains). */
  command = poste_atrn_build_command (empty, &ascii, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (command, ==, "ATRN");
  g_assert_nonnull (ascii);
  g_assert_null (ascii[0]);
  g_clear_pointer (&command, g_free);
  g_clear_pointer (&ascii, g_strfreev);

  command = poste_atrn_build_command (NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (command, ==, "ATRN");
}

static void
test_idna (void)
{
  const char *const domains[] = { "bücher.example", "ÉCOLE.example", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *command = poste_atrn_build_command (domains, NULL, &error);
  g_autofree char *ascii = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (command, ==, "ATRN xn--bcher-kva.example,xn--cole-9oa.example");

  /* Not valid UTF-8. */
  ascii = poste_atrn_domain_to_ascii ("b\xfc" "cher.example", &error);
  g_assert_error (error, POSTE_SESSION_ERROR, POSTE_SESSION_ERROR_CONFIG);
  g_assert_null (ascii);
  g_clear_error (&error);

  /* A symbol IDNA 2008 disallows. */
  ascii = poste_atrn_domain_to_ascii ("☃.example", &error);
  g_assert_error (error, POSTE_SESSION_ERROR, POSTE_SESSION_ERROR_CONFIG);
  g_assert_null (ascii);
}

static void
test_invalid_command (void)
{
  const char *const bad[] = { "example.org", "not valid.example", NULL };
  const char *const injection[] = { "example.org\r\nRCPT TO:<x@y>", NULL };
  g_autoptr(GPtrArray) many = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *command = NULL;

  command = poste_atrn_build_command (bad, NULL, &error);
  g_assert_error (error, POSTE_SESSION_ERROR, POSTE_SESSION_ERROR_CONFIG);
  g_assert_null (command);
  g_clear_error (&error);

  command = poste_atrn_build_command (injection, NULL, &error);
  g_assert_error (error, POSTE_SESSION_ERROR, POSTE_SESSION_ERROR_CONFIG);
  g_assert_null (command);
  g_clear_error (&error);

  /* 40 domains of 20 octets: over the 512-octet command line. */
  for (guint i = 0; i < 40; i++)
    g_ptr_array_add (many, g_strdup_printf ("domain%06u.example", i));
  g_ptr_array_add (many, NULL);
  command = poste_atrn_build_command ((const char * const *) many->pdata, NULL, &error);
  g_assert_error (error, POSTE_SESSION_ERROR, POSTE_SESSION_ERROR_CONFIG);
  g_assert_null (command);
}

int
main (int   argc,
      char *argv[])
{
  poste_test_init (&argc, &argv);

  g_test_add_func ("/atrn/valid", test_valid);
  g_test_add_func ("/atrn/total-length", test_total_length);
  g_test_add_func ("/atrn/command", test_command);
  g_test_add_func ("/atrn/idna", test_idna);
  g_test_add_func ("/atrn/invalid-command", test_invalid_command);

  return g_test_run ();
}
