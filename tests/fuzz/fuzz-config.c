/* fuzz-config.c: a libFuzzer target for the configuration parser (poste_config_load_from_data)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Properties checked on any input:
 *  - loading either succeeds or fails with a POSTE_CONFIG_ERROR whose message names the file;
 *    a failed load leaves the configuration as it was (empty);
 *  - a configuration that loads saves (poste_config_to_data) to text that loads again, to the
 *    same number of providers, and from the second save on to the same text: what we write we
 *    can read back, so a saved file never locks the user out;
 *  - no value that loaded holds CR, LF or NUL (a keyfile line cannot carry them, and none may
 *    reach a protocol line or an MDA argument).
 */
#include "config.h"

#include <string.h>

#include "poste.h"
#include "poste-config.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static void
assert_clean (const char *value)
{
  if (value != NULL)
    g_assert_null (strpbrk (value, "\r\n"));
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(PosteConfig) config = poste_config_new ();
  g_autoptr(PosteConfig) again = poste_config_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *saved = NULL;
  g_autofree char *saved_again = NULL;
  GListModel *providers;
  guint n;

  if (size > POSTE_CONFIG_MAX_SIZE)
    return 0;

  if (!poste_config_load_from_data (config, "fuzz.conf", (const char *) data, (gssize) size,
                                    &error))
    {
      g_assert_nonnull (error);
      g_assert_true (error->domain == POSTE_CONFIG_ERROR);
      g_assert_nonnull (strstr (error->message, "fuzz.conf"));
      g_assert_cmpuint (g_list_model_get_n_items (poste_config_get_providers (config)), ==, 0);
      return 0;
    }
  g_assert_no_error (error);

  providers = poste_config_get_providers (config);
  n = g_list_model_get_n_items (providers);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PosteProvider) provider = g_list_model_get_item (providers, i);
      const char * const *domains = poste_provider_get_domains (provider);

      assert_clean (poste_provider_get_name (provider));
      assert_clean (poste_provider_get_host (provider));
      assert_clean (poste_provider_get_username (provider));
      assert_clean (poste_provider_get_delivery (provider));
      for (guint j = 0; domains != NULL && domains[j] != NULL; j++)
        assert_clean (domains[j]);
    }

  saved = poste_config_to_data (config, NULL);
  g_assert_nonnull (saved);
  if (!poste_config_load_from_data (again, "fuzz.conf", saved, -1, &error))
    g_error ("a saved configuration does not load again: %s\n--- input\n%.*s\n--- saved\n%s",
             error->message, (int) size, (const char *) data, saved);
  g_assert_cmpuint (g_list_model_get_n_items (poste_config_get_providers (again)), ==, n);
  saved_again = poste_config_to_data (again, NULL);
  /* Saving keeps the user's own lines (comments, order), so the first save may still differ in
   * bytes the keyfile parser ignores (a CR before the end of the file); from then on the text
   * is stable. */
  {
    g_autoptr(PosteConfig) third = poste_config_new ();
    g_autofree char *saved_third = NULL;

    g_assert_true (poste_config_load_from_data (third, "fuzz.conf", saved_again, -1, &error));
    g_assert_no_error (error);
    saved_third = poste_config_to_data (third, NULL);
    g_assert_cmpstr (saved_again, ==, saved_third);
  }
  return 0;
}
