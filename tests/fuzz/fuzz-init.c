/* fuzz-init.c: what every libFuzzer target of tests/fuzz shares
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A GLib warning or critical (a GError set over another, a failed g_return_if_fail()) is a bug
 * the fuzzer found. G_DEBUG=fatal-warnings alone would end the run with SIGTRAP, which libFuzzer
 * does not catch: no crash file would be written, and the input could not go into the corpus.
 * Aborting instead lets libFuzzer save the input and exit with -error_exitcode.
 */
#include "config.h"

#include <stdlib.h>

#include <glib.h>

int LLVMFuzzerInitialize (int *argc, char ***argv);

static GLogWriterOutput
abort_on_warning (GLogLevelFlags   log_level,
                  const GLogField *fields,
                  gsize            n_fields,
                  gpointer         user_data)
{
  GLogWriterOutput result = g_log_writer_standard_streams (log_level, fields, n_fields,
                                                           user_data);

  if (log_level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    abort ();
  return result;
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_log_set_writer_func (abort_on_warning, NULL, NULL);
  return 0;
}
