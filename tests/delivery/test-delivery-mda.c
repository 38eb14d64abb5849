/* test-delivery-mda.c: the MDA target: the message on the command's standard input, its
 * arguments (and the addresses refused in them), its exit codes, its timeout and its children
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test-delivery.h"

char *
helper_path (void)
{
  return g_build_filename (poste_test_build_root (), "tests", "delivery", "poste-test-mda", NULL);
}

static PosteDelivery *mda_new (const char *format,
                                ...) G_GNUC_PRINTF (1, 2);

static PosteDelivery *
mda_new (const char *format,
         ...)
{
  g_autofree char *helper = helper_path ();
  g_autofree char *args = NULL;
  g_autofree char *spec = NULL;
  g_autoptr(GError) error = NULL;
  PosteDelivery *delivery;
  va_list ap;

  va_start (ap, format);
  args = g_strdup_vprintf (format, ap);
  va_end (ap);
  spec = g_strdup_printf ("mda:%s %s", helper, args);
  delivery = poste_delivery_new_for_target (spec, &error);
  g_assert_no_error (error);
  return delivery;
}

static void
test_mda_copy (void)
{
  g_autofree char *dir = poste_test_make_dir ("mda");
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  g_autofree char *args_file = g_strconcat (out, ".args", NULL);
  g_autofree char *env_file = g_strconcat (out, ".env", NULL);
  g_autoptr(PosteDelivery) delivery = mda_new ("copy '%s' -f %%F -d %%T x%%%%y", out);
  g_autoptr(PosteReply) reply = NULL;
  g_autoptr(GBytes) stored = NULL;
  g_autoptr(GBytes) expected = to_unix (wire_message, strlen (wire_message));
  g_autofree char *args = NULL;
  g_autofree char *env = NULL;
  const char *recipients[] = { "alice@example.org", NULL };

  reply = deliver_chunked (delivery, "sender@example.net", recipients, wire_message,
                           strlen (wire_message), 3);
  g_assert_cmpuint (reply->code, ==, 250);
  stored = read_file (out);
  assert_bytes_equal (stored, g_bytes_get_data (expected, NULL), g_bytes_get_size (expected));
  g_assert_true (g_file_get_contents (args_file, &args, NULL, NULL));
  g_assert_cmpstr (args, ==, "-f\nsender@example.net\n-d\nalice@example.org\nx%y\n");

  /* The environment is the minimal one. */
  g_assert_true (g_file_get_contents (env_file, &env, NULL, NULL));
  g_assert_nonnull (strstr (env, "PATH=/usr/local/bin:/usr/bin:/bin\n"));
  g_assert_nonnull (strstr (env, "SENDER=sender@example.net\n"));
  g_assert_nonnull (strstr (env, "RECIPIENT=alice@example.org\n"));
  g_assert_null (strstr (env, "G_TEST_SRCDIR"));
  g_assert_null (strstr (env, "POSTE_BUILD_ROOT"));
  g_assert_null (strstr (env, "G_DEBUG"));

  /* The null sender. */
  {
    g_autoptr(PosteReply) r = deliver (delivery, "", "bob@example.org", "Subject: x\r\n\r\nno end");
    g_autofree char *a = NULL;
    g_autoptr(GBytes) s = NULL;

    g_assert_cmpuint (r->code, ==, 250);
    g_assert_true (g_file_get_contents (args_file, &a, NULL, NULL));
    g_assert_cmpstr (a, ==, "-f\nMAILER-DAEMON\n-d\nbob@example.org\nx%y\n");
    s = read_file (out);
    assert_bytes_equal (s, "Subject: x\n\nno end", 18);
  }
}

static void
test_mda_one_recipient_with_T (void)
{
  g_autofree char *dir = poste_test_make_dir ("mda-t");
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  g_autoptr(PosteDelivery) with_t = mda_new ("copy '%s' %%T", out);
  g_autoptr(PosteDelivery) without_t = mda_new ("copy '%s' %%F", out);
  g_autoptr(PosteEnvelope) envelope = poste_envelope_new ("s@example.net");

  {
    g_autoptr(PosteReply) begin = poste_delivery_begin (with_t, envelope, NULL);
    g_autoptr(PosteReply) first = poste_delivery_add_recipient (with_t, envelope, "a@x.org", NULL);
    g_autoptr(PosteReply) second = NULL;

    g_ptr_array_add (envelope->recipients, g_strdup ("a@x.org"));
    second = poste_delivery_add_recipient (with_t, envelope, "b@x.org", NULL);
    g_assert_cmpuint (begin->code, ==, 250);
    g_assert_cmpuint (first->code, ==, 250);
    g_assert_cmpuint (second->code, ==, 452);
    g_assert_cmpstr (second->enhanced, ==, "4.5.3");
    poste_delivery_abort (with_t);
  }
  {
    const char *recipients[] = { "a@x.org", "b@x.org", "c@x.org", NULL };
    g_autoptr(PosteReply) reply = deliver_chunked (without_t, "s@example.net", recipients,
                                                   "x\r\n", 3, 3);
    g_autofree char *args_file = g_strconcat (out, ".args", NULL);
    g_autofree char *args = NULL;

    g_assert_cmpuint (reply->code, ==, 250);
    g_assert_true (g_file_get_contents (args_file, &args, NULL, NULL));
    g_assert_cmpstr (args, ==, "s@example.net\n");
  }
}

/* Only a leading '-' and control characters are refused, with 451 (local doubt is temporary);
 * the MDA is never run for them. */
static void
test_mda_unsafe_addresses (void)
{
  g_autofree char *dir = poste_test_make_dir ("mda-unsafe");
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  g_autoptr(PosteDelivery) delivery = mda_new ("copy '%s' -f %%F %%T", out);
  const char *bad[] = {
    "-oQ/tmp@x.org", "-v", "a\tb@x.org", "a\rb@x.org", "a\nb@x.org", "a\177b@x.org",
    "a\302\205b@x.org", "a\377b@x.org", "",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(PosteEnvelope) envelope = poste_envelope_new ("ok@example.net");
      g_autoptr(PosteEnvelope) bad_sender = poste_envelope_new (bad[i]);
      g_autoptr(PosteReply) begin = poste_delivery_begin (delivery, envelope, NULL);
      g_autoptr(PosteReply) rcpt = poste_delivery_add_recipient (delivery, envelope, bad[i], NULL);
      g_autoptr(PosteReply) sender = NULL;

      g_test_message ("“%s”", bad[i]);
      g_assert_cmpuint (begin->code, ==, 250);
      g_assert_cmpuint (rcpt->code, ==, 451);
      g_assert_cmpstr (rcpt->enhanced, ==, "4.1.3");
      poste_delivery_abort (delivery);
      if (*bad[i] != '\0')
        {
          sender = poste_delivery_begin (delivery, bad_sender, NULL);
          g_assert_cmpuint (sender->code, ==, 451);
          g_assert_cmpstr (sender->enhanced, ==, "4.1.7");
        }
    }
  /* Never run. */
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
}

static void
test_mda_exit_codes (void)
{
  struct {
    const char *args;
    guint       code;
    const char *enhanced;
  } cases[] = {
    { "exit 0", 250, "2.0.0" },
    { "exit 75", 451, "4.3.0" },
    { "exit-early 75", 451, "4.3.0" },
    { "exit 67", 550, "5.1.1" },
    { "exit 68", 550, "5.1.2" },
    { "exit 65", 554, "5.6.0" },
    { "exit 77", 550, "5.7.0" },
    { "exit 73", 452, "4.2.2" },
    { "exit 69", 451, "4.3.0" },
    { "exit 78", 451, "4.3.5" },
    { "exit 1", 451, "4.3.0" },
    { "chatter 75", 451, "4.3.0" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(PosteDelivery) delivery = mda_new ("%s", cases[i].args);
      g_autoptr(PosteReply) reply = deliver (delivery, "s@x.org", "r@x.org",
                                             "Subject: x\r\n\r\nbody\r\n");

      g_test_message ("%s", cases[i].args);
      g_assert_cmpuint (reply->code, ==, cases[i].code);
      g_assert_cmpstr (reply->enhanced, ==, cases[i].enhanced);
      if (g_str_has_prefix (cases[i].args, "chatter"))
        {
          g_autofree char *text = poste_reply_to_string (reply);

          g_assert_true (strstr (text, "noise") != NULL || strstr (text, "chatter") != NULL);
          g_assert_cmpuint (strlen (text), <, 600);
        }
    }

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(PosteDelivery) f = poste_delivery_new_for_target ("mda:/usr/bin/false", &error);
    g_autoptr(PosteDelivery) missing = poste_delivery_new_for_target ("mda:/nonexistent/mda",
                                                                      &error);
    g_autoptr(PosteReply) r1 = deliver (f, "s@x.org", "r@x.org", "x\r\n");
    g_autoptr(PosteReply) r2 = deliver (missing, "s@x.org", "r@x.org", "x\r\n");

    g_assert_cmpuint (r1->code, ==, 451);
    g_assert_cmpuint (r2->code, ==, 451);
  }
}

static void
test_mda_timeout (void)
{
  g_autoptr(PosteDelivery) delivery = mda_new ("sleep");
  g_autoptr(PosteReply) reply = NULL;

  poste_mda_delivery_set_timeout (POSTE_MDA_DELIVERY (delivery), 1);
  reply = deliver (delivery, "s@x.org", "r@x.org", "x\r\n");
  g_assert_cmpuint (reply->code, ==, 451);
  g_assert_cmpstr (reply->enhanced, ==, "4.3.0");
}

/* A timeout kills what the MDA started too (its process group). */
static gboolean
process_is_gone (pid_t pid)
{
  g_autofree char *stat_path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *stat = NULL;
  const char *end;

  if (!g_file_get_contents (stat_path, &stat, NULL, NULL))
    return TRUE;
  end = strrchr (stat, ')');
  return end != NULL && end[1] == ' ' && end[2] == 'Z';
}

static void
test_mda_timeout_kills_children (void)
{
  g_autofree char *dir = poste_test_make_dir ("mda-children");
  g_autofree char *pid_file = g_build_filename (dir, "pid", NULL);
  g_autoptr(PosteDelivery) delivery = mda_new ("fork-sleep '%s'", pid_file);
  g_autoptr(PosteReply) reply = NULL;
  g_autofree char *text = NULL;
  gint64 deadline;
  pid_t pid;

  poste_mda_delivery_set_timeout (POSTE_MDA_DELIVERY (delivery), 2);
  reply = deliver (delivery, "s@x.org", "r@x.org", "x\r\n");
  g_assert_cmpuint (reply->code, ==, 451);
  g_assert_true (g_file_get_contents (pid_file, &text, NULL, NULL));
  pid = (pid_t) g_ascii_strtoll (text, NULL, 10);
  g_assert_cmpint (pid, >, 1);
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (!process_is_gone (pid) && g_get_monotonic_time () < deadline)
    g_usleep (20 * 1000);
  g_assert_true (process_is_gone (pid));
}

/* Registered by test-delivery.c's main(), between mbox and the router. */
void
test_delivery_add_mda (void)
{
  g_test_add_func ("/delivery/mda/copy", test_mda_copy);
  g_test_add_func ("/delivery/mda/one-recipient-with-T", test_mda_one_recipient_with_T);
  g_test_add_func ("/delivery/mda/unsafe-addresses", test_mda_unsafe_addresses);
  g_test_add_func ("/delivery/mda/exit-codes", test_mda_exit_codes);
  g_test_add_func ("/delivery/mda/timeout", test_mda_timeout);
  g_test_add_func ("/delivery/mda/timeout-kills-children", test_mda_timeout_kills_children);
}
