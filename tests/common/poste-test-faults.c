/* poste-test-faults.c: running a program under the fault layer (poste-fault-shim) and reading
 * what it recorded
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The layer (tests/common/poste-fault-shim.c) is loaded with LD_PRELOAD into the program under
 * test only, never into the test itself: the test stays the outside observer.
 */
#include "config.h"

#include <string.h>

#include "poste-test.h"
#include "poste-test-faults.h"

/**
 * poste_test_launcher_set_faults:
 * @launcher: the launcher of the program under test
 * @log: the file where the layer records the calls, one a line (appended to)
 * @rules: (nullable): POSTE_FAULT_FAIL rules (see poste-fault-shim.c), or %NULL for none
 *
 * Makes the programs @launcher starts run under the fault layer.
 */
void
poste_test_launcher_set_faults (GSubprocessLauncher *launcher,
                                const char          *log,
                                const char          *rules)
{
  g_autofree char *shim = g_build_filename (poste_test_build_root (), "tests",
                                            "poste-fault-shim.so", NULL);

  if (!g_file_test (shim, G_FILE_TEST_IS_REGULAR))
    g_error ("%s is not built", shim);
  g_subprocess_launcher_setenv (launcher, "LD_PRELOAD", shim, TRUE);
  g_subprocess_launcher_setenv (launcher, "POSTE_FAULT_LOG", log, TRUE);
  if (rules != NULL)
    g_subprocess_launcher_setenv (launcher, "POSTE_FAULT_FAIL", rules, TRUE);
  else
    g_subprocess_launcher_unsetenv (launcher, "POSTE_FAULT_FAIL");
}

/**
 * poste_test_fault_log_read:
 * @log: the layer's log
 *
 * Reads the calls the layer recorded, in order, each without the process id that starts its
 * line ("fsync /path = 0", "send 250 2.0.0 ...").
 *
 * Returns: (transfer full) (element-type utf8): the lines; empty when there is no log
 */
GPtrArray *
poste_test_fault_log_read (const char *log)
{
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *text = NULL;
  g_auto(GStrv) split = NULL;

  if (!g_file_get_contents (log, &text, NULL, NULL))
    return lines;
  split = g_strsplit (text, "\n", -1);
  for (guint i = 0; split[i] != NULL; i++)
    {
      const char *space = strchr (split[i], ' ');

      if (space != NULL)
        g_ptr_array_add (lines, g_strdup (space + 1));
    }
  return lines;
}

/**
 * poste_test_fault_log_find:
 * @lines: (element-type utf8): from poste_test_fault_log_read()
 * @from: the first index to look at
 * @pattern: a g_pattern_match_simple() pattern ('*' and '?')
 *
 * Returns: the index of the first line from @from on that matches @pattern, or -1
 */
int
poste_test_fault_log_find (GPtrArray  *lines,
                           guint       from,
                           const char *pattern)
{
  for (guint i = from; i < lines->len; i++)
    if (g_pattern_match_simple (pattern, lines->pdata[i]))
      return (int) i;
  return -1;
}

static char *
dump (GPtrArray *lines)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < lines->len; i++)
    g_string_append_printf (text, "  %u: %s\n", i, (char *) lines->pdata[i]);
  return g_string_free (text, FALSE);
}

/**
 * poste_test_fault_log_assert_order:
 * @lines: (element-type utf8): from poste_test_fault_log_read()
 * @patterns: (array zero-terminated=1): patterns that must match lines in this order, each
 *   after the line the previous one matched
 *
 * Fails the test, with the whole log, when a pattern has no match after the previous one.
 *
 * Returns: the index of the line the last pattern matched
 */
int
poste_test_fault_log_assert_order (GPtrArray          *lines,
                                   const char * const *patterns)
{
  int at = -1;

  for (guint p = 0; patterns[p] != NULL; p++)
    {
      int found = poste_test_fault_log_find (lines, at + 1, patterns[p]);

      if (found < 0)
        {
          g_autofree char *text = dump (lines);

          g_error ("no call matching '%s' after line %d (%s):\n%s", patterns[p], at,
                   p > 0 ? patterns[p - 1] : "the start", text);
        }
      at = found;
    }
  return at;
}

/**
 * poste_test_fault_log_reply_after:
 * @lines: (element-type utf8): from poste_test_fault_log_read()
 * @from: an index
 *
 * Returns: the index of the first reply sent (a "send" line starting with three digits) after
 *   @from, or -1
 */
int
poste_test_fault_log_reply_after (GPtrArray *lines,
                                  int        from)
{
  for (guint i = from + 1; i < lines->len; i++)
    {
      const char *line = lines->pdata[i];

      if (g_str_has_prefix (line, "send ") && g_ascii_isdigit (line[5])
          && g_ascii_isdigit (line[6]) && g_ascii_isdigit (line[7]))
        return (int) i;
    }
  return -1;
}

/**
 * poste_test_fault_log_data_started:
 * @lines: (element-type utf8): from poste_test_fault_log_read()
 *
 * Asserts that the program sent a 354, the reply that starts a message's content (RFC 5321
 * section 4.1.1.4).
 *
 * Returns: the index of the first such line
 */
int
poste_test_fault_log_data_started (GPtrArray *lines)
{
  int at = poste_test_fault_log_find (lines, 0, "send 354 *");

  g_assert_cmpint (at, >=, 0);
  return at;
}

/**
 * poste_test_outbox_dirs:
 * @tmp: (out) (transfer full): the default outbox's tmp folder, where a message is written
 * @queue: (out) (transfer full): its queue folder, where it is moved once synced
 *
 * The folders of the outbox the CLI uses by default, under the test's private
 * XDG_DATA_HOME.
 */
void
poste_test_outbox_dirs (char **tmp,
                        char **queue)
{
  *tmp = g_build_filename (g_get_user_data_dir (), "poste-restante", "outbox", "tmp", NULL);
  *queue = g_build_filename (g_get_user_data_dir (), "poste-restante", "outbox", "queue", NULL);
}

/**
 * poste_test_outbox_sync_order:
 * @first: the line that starts the queueing (the write of the message, the 354 to DATA)
 * @tmp: the outbox's tmp folder
 * @queue: its queue folder
 *
 * What the fault log holds, in this order, when the outbox queues a message durably: the
 * message synced in @tmp and moved into @queue, then its envelope the same way, then @queue
 * itself synced. Only after the last of these may the message be called queued.
 *
 * Returns: (transfer full): the patterns, for poste_test_fault_log_assert_order()
 */
GStrv
poste_test_outbox_sync_order (const char *first,
                              const char *tmp,
                              const char *queue)
{
  GPtrArray *order = g_ptr_array_new ();

  g_ptr_array_add (order, g_strdup (first));
  g_ptr_array_add (order, g_strconcat ("fsync ", tmp, "/*.message = 0", NULL));
  g_ptr_array_add (order, g_strconcat ("rename ", tmp, "/* ", queue, "/*.message = 0", NULL));
  g_ptr_array_add (order, g_strconcat ("fsync ", tmp, "/*.envelope* = 0", NULL));
  g_ptr_array_add (order, g_strconcat ("rename ", tmp, "/* ", queue, "/*.envelope = 0", NULL));
  g_ptr_array_add (order, g_strconcat ("fsync ", queue, " = 0", NULL));
  g_ptr_array_add (order, NULL);
  return (GStrv) g_ptr_array_free (order, FALSE);
}
