/* test-durability.c: the 250 is a promise; seen from outside, through the fault layer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The built poste-restante-cli runs under tests/common/poste-fault-shim.c (LD_PRELOAD), which
 * records in order every fsync, rename, write and ftruncate it makes and every reply it sends,
 * and makes chosen calls fail. For the Maildir, mbox and MDA targets, the outbox queue (`send`)
 * and the configuration's save (`import-fetchmailrc`), each case asserts:
 *  - order: the reply 250 to the end of DATA (or the exit status 0) comes only after the data
 *    and the folder that names it were synced;
 *  - faults: when one fsync, rename or write fails, the answer is 4xx (or a clear error and a
 *    non-zero exit), nothing is left that looks delivered, and nothing is lost (the provider
 *    still holds the message, and the next clean fetch delivers it exactly once).
 * A test here fails when any one of those fsync calls is removed from the product.
 *
 * The provider speaks plain text (security=none) so that the replies can be read in the log.
 */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#include "poste-error.h"
#include "poste-test.h"
#include "poste-test-cli.h"
#include "poste-test-faults.h"
#include "poste-test-provider.h"

#define USER "customer"
#define PASSWORD "Durable-pa55"
#define SENDER "bob@remote.example"

static const char *domains[] = { "example.org", NULL };
static const char *recipients[] = { "alice@example.org", NULL };

typedef struct {
  char              *dir;
  PosteTestProvider *provider;
  guint16            port;
  char              *config;
  char              *password_file;
  char              *log;
  char              *out;
  char              *err;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = poste_test_make_dir ("durability");
  f->provider = poste_test_provider_new ();
  poste_test_provider_set_tls (f->provider, POSTE_TEST_TLS_NONE, NULL);
  poste_test_provider_add_account (f->provider, USER, PASSWORD, domains);
  f->port = poste_test_provider_start (f->provider, &error);
  g_assert_no_error (error);
  poste_test_cli_prepare_files (f->dir, PASSWORD, &f->config, &f->password_file);
  f->log = g_build_filename (f->dir, "calls.log", NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  poste_test_provider_stop (f->provider);
  g_clear_object (&f->provider);
  g_free (f->dir);
  g_free (f->config);
  g_free (f->password_file);
  g_free (f->log);
  g_free (f->out);
  g_free (f->err);
}

static void
write_config (Fixture    *f,
              const char *delivery)
{
  g_autofree char *text = g_strdup_printf ("[provider test]\n"
                                           "host=127.0.0.1\n"
                                           "port=%u\n"
                                           "security=none\n"
                                           "username=" USER "\n"
                                           "domains=example.org\n"
                                           "auth=scram-sha-256\n"
                                           "delivery=%s\n"
                                           "interval=0\n"
                                           "password-file=%s\n",
                                           f->port, delivery, f->password_file);

  g_assert_true (g_file_set_contents (f->config, text, -1, NULL));
}

/* Runs the CLI under the fault layer with @rules (NULL: none), @input on its standard input;
 * the log starts empty. Returns the exit status. */
G_GNUC_NULL_TERMINATED
static int
run_cli (Fixture    *f,
         const char *rules,
         const char *input,
         const char *first,
         ...)
{
  g_autoptr(GSubprocessLauncher) launcher =
    poste_test_cli_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                 G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GPtrArray) argv = NULL;
  g_autoptr(GError) error = NULL;
  va_list args;

  va_start (args, first);
  argv = poste_test_cli_argv (f->config, first, args);
  va_end (args);

  g_unlink (f->log);
  poste_test_launcher_set_faults (launcher, f->log, rules);
  process = poste_test_cli_communicate (launcher, argv, input != NULL ? input : "", &f->out,
                                        &f->err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_test_message ("%s (faults: %s): exit %d\nstdout:\n%s\nstderr:\n%s", (char *) argv->pdata[3],
                  rules != NULL ? rules : "none", g_subprocess_get_exit_status (process), f->out,
                  f->err);
  return g_subprocess_get_exit_status (process);
}

static void
add_message (Fixture    *f,
             const char *tag)
{
  g_autofree char *data = g_strdup_printf ("From: " SENDER "\r\n"
                                           "To: alice@example.org\r\n"
                                           "Message-ID: <%s@durability.test>\r\n"
                                           "Subject: %s\r\n"
                                           "\r\n"
                                           "The body of %s.\r\n", tag, tag, tag);

  poste_test_provider_add_message (f->provider, SENDER, recipients, data, -1);
}

static guint
accepted (Fixture *f)
{
  g_autoptr(GPtrArray) messages = poste_test_provider_dup_accepted (f->provider);

  return messages->len;
}

/* The reply to the end of DATA: the first reply sent after the 354. */
static const char *
data_reply (GPtrArray *lines)
{
  int at = poste_test_fault_log_data_started (lines);
  int reply;

  reply = poste_test_fault_log_reply_after (lines, at);
  g_assert_cmpint (reply, >, at);
  return lines->pdata[reply];
}

/* A clean fetch of the message @tag into @spec: its fault log, in which @order was kept (*@last:
 * the index of @order's last line) and the end of DATA was answered 250. */
static GPtrArray *
fetch_in_order (Fixture            *f,
                const char         *spec,
                const char         *tag,
                const char * const *order,
                int                *last)
{
  GPtrArray *lines;

  write_config (f, spec);
  add_message (f, tag);
  g_assert_cmpint (run_cli (f, NULL, NULL, "fetch", NULL), ==, POSTE_EXIT_MAIL);
  lines = poste_test_fault_log_read (f->log);
  *last = poste_test_fault_log_assert_order (lines, order);
  g_assert_true (g_str_has_prefix (data_reply (lines), "send 250 "));
  return lines;
}

/* With @spec configured and the message @tag waiting, a fetch under @rules must answer 4xx, and
 * the provider must keep the message. */
static void
assert_fetch_deferred (Fixture    *f,
                       const char *spec,
                       const char *tag,
                       const char *rules)
{
  g_autoptr(GPtrArray) lines = NULL;
  const char *reply;

  write_config (f, spec);
  add_message (f, tag);
  g_assert_cmpint (run_cli (f, rules, NULL, "fetch", NULL), ==, POSTE_EXIT_DELIVERY);
  lines = poste_test_fault_log_read (f->log);
  g_assert_cmpint (poste_test_fault_log_find (lines, 0, "* injected"), >=, 0);
  reply = data_reply (lines);
  if (!g_str_has_prefix (reply, "send 4"))
    g_error ("under %s the end of DATA was answered '%s', not 4xx", rules, reply + 5);
  g_assert_cmpuint (accepted (f), ==, 0);
  g_assert_cmpuint (poste_test_provider_count_spooled (f->provider), ==, 1);
}

/* The clean fetch after a failure delivers the kept message, once. */
static void
assert_fetch_delivers (Fixture *f)
{
  g_assert_cmpint (run_cli (f, NULL, NULL, "fetch", NULL), ==, POSTE_EXIT_MAIL);
  g_assert_cmpuint (accepted (f), ==, 1);
  g_assert_cmpuint (poste_test_provider_count_spooled (f->provider), ==, 0);
}

/* ---- Maildir ---- */

static void
test_maildir_order (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *maildir = g_build_filename (f->dir, "Maildir", NULL);
  g_autofree char *spec = g_strconcat ("maildir:", maildir, NULL);
  g_autofree char *tmp_file = g_strconcat ("write ", maildir, "/tmp/* = *", NULL);
  g_autofree char *sync_file = g_strconcat ("fsync ", maildir, "/tmp/* = 0", NULL);
  g_autofree char *move = g_strconcat ("rename ", maildir, "/tmp/* ", maildir, "/new/* = 0", NULL);
  g_autofree char *sync_new = g_strconcat ("fsync ", maildir, "/new = 0", NULL);
  g_autofree char *new_dir = g_build_filename (maildir, "new", NULL);
  const char *order[] = { "send 354 *", tmp_file, sync_file, move, sync_new, NULL };
  g_autoptr(GPtrArray) lines = NULL;
  int last;

  lines = fetch_in_order (f, spec, "maildir-order", order, &last);
  /* The 250 is the first reply after the 354, and it comes after the folder's fsync. */
  g_assert_cmpint (poste_test_fault_log_reply_after (lines,
                                                     poste_test_fault_log_data_started (lines)),
                   >, last);
  g_assert_cmpuint (poste_test_count_entries (new_dir), ==, 1);
  g_assert_cmpuint (accepted (f), ==, 1);
}

typedef struct {
  const char *name;
  const char *rule;     /* POSTE_FAULT_FAIL rules; "%s" stands for the target's path */
} Fault;

static char *
expand_rule (const char *rule,
             const char *path)
{
  GString *text = g_string_new (rule);

  g_string_replace (text, "%s", path, 0);
  return g_string_free (text, FALSE);
}

static const Fault maildir_faults[] = {
  { "fsync-message", "fsync@%s/tmp/=EIO" },
  { "rename", "rename@%s/new/=EIO" },
  { "link", "rename@%s/new/=EINVAL link@%s/new/=EIO" },
  { "fsync-folder", "fsync@%s/new=EIO" },
  { "write", "write@%s/tmp/=ENOSPC" },
};

static void
test_maildir_fault (Fixture       *f,
                    gconstpointer  data)
{
  const Fault *fault = data;
  g_autofree char *maildir = g_build_filename (f->dir, "Maildir", NULL);
  g_autofree char *spec = g_strconcat ("maildir:", maildir, NULL);
  g_autofree char *rules = expand_rule (fault->rule, maildir);
  g_autofree char *new_dir = g_build_filename (maildir, "new", NULL);
  g_autofree char *tmp_dir = g_build_filename (maildir, "tmp", NULL);
  g_autofree char *cur_dir = g_build_filename (maildir, "cur", NULL);

  assert_fetch_deferred (f, spec, fault->name, rules);
  /* Nothing that looks delivered, and no stray file. */
  g_assert_cmpuint (poste_test_count_entries (new_dir), ==, 0);
  g_assert_cmpuint (poste_test_count_entries (cur_dir), ==, 0);
  g_assert_cmpuint (poste_test_count_entries (tmp_dir), ==, 0);

  assert_fetch_delivers (f);
  g_assert_cmpuint (poste_test_count_entries (new_dir), ==, 1);
  g_assert_cmpuint (poste_test_count_entries (tmp_dir), ==, 0);
}

/* ---- mbox ---- */

#define OLD_MBOX "From someone@example.org Mon Jan  1 00:00:00 2024\nSubject: old\n\nold mail\n\n"

static void
test_mbox_order (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *mbox = g_build_filename (f->dir, "mbox", NULL);
  g_autofree char *spec = g_strconcat ("mbox:", mbox, NULL);
  g_autofree char *append = g_strconcat ("pwrite ", mbox, " * = *", NULL);
  g_autofree char *sync = g_strconcat ("fsync ", mbox, " = 0", NULL);
  const char *order[] = { "send 354 *", append, sync, NULL };
  g_autoptr(GPtrArray) lines = NULL;
  g_autofree char *text = NULL;
  int last;

  g_assert_true (g_file_set_contents (mbox, OLD_MBOX, -1, NULL));
  lines = fetch_in_order (f, spec, "mbox-order", order, &last);
  g_assert_cmpint (poste_test_fault_log_reply_after (lines,
                                                     poste_test_fault_log_data_started (lines)),
                   >, last);
  g_assert_true (g_file_get_contents (mbox, &text, NULL, NULL));
  g_assert_true (g_str_has_prefix (text, OLD_MBOX));
  g_assert_nonnull (strstr (text, "Message-ID: <mbox-order@durability.test>"));
}

static const Fault mbox_faults[] = {
  /* The first fsync of the mbox is the message's; the one after the truncation must work. */
  { "fsync", "fsync#1@%s$=EIO" },
  { "write", "write@%s$=ENOSPC" },
  { "write-body", "write#2@%s$=EIO" },
};

static void
test_mbox_fault (Fixture       *f,
                 gconstpointer  data)
{
  const Fault *fault = data;
  g_autofree char *mbox = g_build_filename (f->dir, "mbox", NULL);
  g_autofree char *spec = g_strconcat ("mbox:", mbox, NULL);
  g_autofree char *rules = expand_rule (fault->rule, mbox);
  g_autofree char *text = NULL;
  g_autofree char *lock = g_strconcat (mbox, ".lock", NULL);

  g_assert_true (g_file_set_contents (mbox, OLD_MBOX, -1, NULL));
  assert_fetch_deferred (f, spec, fault->name, rules);
  /* The mbox is as it was: nothing half-appended. */
  g_assert_true (g_file_get_contents (mbox, &text, NULL, NULL));
  g_assert_cmpstr (text, ==, OLD_MBOX);
  g_assert_false (g_file_test (lock, G_FILE_TEST_EXISTS));
  g_clear_pointer (&text, g_free);

  assert_fetch_delivers (f);
  g_assert_true (g_file_get_contents (mbox, &text, NULL, NULL));
  g_assert_true (g_str_has_prefix (text, OLD_MBOX));
  g_assert_nonnull (strstr (text, "Message-ID: <"));
  g_assert_null (strstr (strstr (text, "Message-ID: <") + 1, "Message-ID: <"));
}

/* ---- MDA ---- */

static char *
mda_spec (Fixture    *f,
          const char *out)
{
  g_autofree char *mda = g_build_filename (poste_test_build_root (), "tests", "delivery",
                                           "poste-test-mda", NULL);

  if (!g_file_test (mda, G_FILE_TEST_IS_EXECUTABLE))
    g_error ("%s is not built", mda);
  return g_strdup_printf ("mda:%s copy %s", mda, out);
}

static void
test_mda (Fixture       *f,
          gconstpointer  data)
{
  g_autofree char *out = g_build_filename (f->dir, "delivered", NULL);
  g_autofree char *spec = mda_spec (f, out);
  g_autofree char *text = NULL;
  const char *order[] = { "send 354 *", "write * (deleted) * = *", "send 250 *", NULL };
  g_autoptr(GPtrArray) lines = NULL;
  int last;

  /* The message is spooled before the MDA starts; the 250 is the MDA's exit 0. */
  lines = fetch_in_order (f, spec, "mda", order, &last);
  g_assert_true (g_file_get_contents (out, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "Message-ID: <mda@durability.test>\n"));
}

static void
test_mda_spool_fault (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *out = g_build_filename (f->dir, "delivered", NULL);
  g_autofree char *spec = mda_spec (f, out);

  /* A spool that cannot be written: 4xx, and the MDA never runs on half a message. */
  assert_fetch_deferred (f, spec, "mda-fault", "write@(deleted)=ENOSPC");
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
  assert_fetch_delivers (f);
  g_assert_true (g_file_test (out, G_FILE_TEST_EXISTS));
}

/* ---- the outbox queue (send) ---- */

#define MESSAGE "From: alice@example.org\nTo: bob@remote.example\nSubject: queued\n\nbody\n"

static void
test_queue_order (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *tmp = NULL;
  g_autofree char *queue = NULL;
  g_autofree char *write_message = NULL;
  g_auto(GStrv) order = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  int last;

  poste_test_outbox_dirs (&tmp, &queue);
  write_message = g_strconcat ("write ", tmp, "/* = *", NULL);
  order = poste_test_outbox_sync_order (write_message, tmp, queue);
  write_config (f, "maildir:~/Maildir");
  g_assert_cmpint (run_cli (f, NULL, MESSAGE, "send", "-f", "alice@example.org",
                            "bob@remote.example", NULL), ==, 0);
  lines = poste_test_fault_log_read (f->log);
  last = poste_test_fault_log_assert_order (lines, (const char * const *) order);
  /* The folder's fsync is the last thing that touches the disk before `send` exits 0. */
  g_assert_cmpint (poste_test_fault_log_find (lines, last + 1, "fsync *"), <, 0);
  g_assert_cmpint (poste_test_fault_log_find (lines, last + 1, "rename *"), <, 0);
  g_assert_cmpuint (poste_test_count_entries (queue), ==, 2);
  g_assert_cmpuint (poste_test_count_entries (tmp), ==, 0);
}

static const Fault queue_faults[] = {
  { "fsync-message", "fsync#1@/outbox/tmp/=EIO" },
  { "fsync-envelope", "fsync#2@/outbox/tmp/=EIO" },
  { "rename-message", "rename#1@/outbox/queue/=EIO" },
  { "rename-envelope", "rename#2@/outbox/queue/=EIO" },
  { "fsync-folder", "fsync@/outbox/queue=EIO" },
  { "write", "write@/outbox/tmp/=ENOSPC" },
};

static void
test_queue_fault (Fixture       *f,
                  gconstpointer  data)
{
  const Fault *fault = data;
  g_autofree char *tmp = NULL;
  g_autofree char *queue = NULL;
  g_autoptr(GPtrArray) lines = NULL;

  poste_test_outbox_dirs (&tmp, &queue);
  write_config (f, "maildir:~/Maildir");
  g_assert_cmpint (run_cli (f, fault->rule, MESSAGE, "send", "-f", "alice@example.org",
                            "bob@remote.example", NULL), ==, POSTE_EXIT_DELIVERY);
  lines = poste_test_fault_log_read (f->log);
  g_assert_cmpint (poste_test_fault_log_find (lines, 0, "* injected"), >=, 0);
  /* A clear error, and nothing queued: the caller keeps the message and may try again. */
  g_assert_nonnull (strstr (f->err, g_strerror (g_str_has_prefix (fault->name, "write")
                                                 ? ENOSPC : EIO)));
  g_assert_nonnull (strstr (f->err, "nothing was queued"));
  g_assert_cmpuint (poste_test_count_entries (queue), ==, 0);
  g_assert_cmpuint (poste_test_count_entries (tmp), ==, 0);

  g_assert_cmpint (run_cli (f, NULL, MESSAGE, "send", "-f", "alice@example.org",
                            "bob@remote.example", NULL), ==, 0);
  g_assert_cmpuint (poste_test_count_entries (queue), ==, 2);
}

/* ---- the configuration's save (import-fetchmailrc) ---- */

#define OLD_CONFIG \
  "# the user's own file\n[provider old]\nhost=old.example\ndelivery=maildir:~/Maildir\n"

static char *
write_fetchmailrc (Fixture *f)
{
  char *rc = g_build_filename (f->dir, "fetchmailrc", NULL);

  g_assert_true (g_file_set_contents (rc, "poll odmr.example.net proto ODMR\n"
                                          "  user \"" USER "\"\n"
                                          "  fetchdomains example.org smtphost localhost/2525\n",
                                      -1, NULL));
  return rc;
}

static void
test_config_order (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *rc = write_fetchmailrc (f);
  g_autofree char *write_tmp = g_strconcat ("write ", f->config, ".* = *", NULL);
  g_autofree char *sync_tmp = g_strconcat ("fsync ", f->config, ".* = 0", NULL);
  g_autofree char *move = g_strconcat ("rename ", f->config, ".* ", f->config, " = 0", NULL);
  g_autofree char *sync_dir = g_strconcat ("fsync ", f->dir, " = 0", NULL);
  const char *order[] = { write_tmp, sync_tmp, move, sync_dir, NULL };
  g_autoptr(GPtrArray) lines = NULL;
  g_autofree char *text = NULL;

  /* Replacing a file, and making the first one (GLib syncs less when there is no old file). */
  if (GPOINTER_TO_INT (data) == 0)
    g_assert_true (g_file_set_contents (f->config, OLD_CONFIG, -1, NULL));
  g_assert_cmpint (run_cli (f, NULL, NULL, "import-fetchmailrc", rc, NULL), ==, 0);
  lines = poste_test_fault_log_read (f->log);
  poste_test_fault_log_assert_order (lines, order);
  g_assert_true (g_file_get_contents (f->config, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "[provider odmr.example.net]"));
}

static const Fault config_faults[] = {
  { "fsync-file", "fsync#1@poste-restante.conf=EIO" },
  { "rename", "rename@poste-restante.conf=EIO" },
  { "write", "write@poste-restante.conf=ENOSPC" },
};

static void
test_config_fault (Fixture       *f,
                   gconstpointer  data)
{
  const Fault *fault = data;
  g_autofree char *rc = write_fetchmailrc (f);
  g_autofree char *text = NULL;

  g_assert_true (g_file_set_contents (f->config, OLD_CONFIG, -1, NULL));
  g_assert_cmpint (run_cli (f, fault->rule, NULL, "import-fetchmailrc", rc, NULL), ==,
                   POSTE_EXIT_USAGE);
  g_assert_nonnull (strstr (f->err, "the configuration was not saved"));
  /* The user's file is untouched, and no temporary file is left beside it. */
  g_assert_true (g_file_get_contents (f->config, &text, NULL, NULL));
  g_assert_cmpstr (text, ==, OLD_CONFIG);
  g_assert_cmpuint (poste_test_count_entries (f->dir), ==, 4); /* conf, password, rc, log */
}

static void
test_config_fault_folder (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *rc = write_fetchmailrc (f);
  g_autofree char *rule = g_strdup_printf ("fsync@%s$=EIO", f->dir);

  /* The new name is in place but may not survive a crash: the user must hear of it. */
  g_assert_true (g_file_set_contents (f->config, OLD_CONFIG, -1, NULL));
  g_assert_cmpint (run_cli (f, rule, NULL, "import-fetchmailrc", rc, NULL), ==, POSTE_EXIT_USAGE);
  g_assert_nonnull (strstr (f->err, "the configuration was not saved"));
  g_assert_nonnull (strstr (f->err, "Input/output error"));
}

typedef void (*TestFunc) (Fixture *f, gconstpointer data);

static void
add (const char    *path,
     TestFunc       func,
     gconstpointer  data)
{
  g_autofree char *full = g_strconcat ("/durability/", path, NULL);

  g_test_add_vtable (full, sizeof (Fixture), data, (GTestFixtureFunc) fixture_setup,
                     (GTestFixtureFunc) func, (GTestFixtureFunc) fixture_teardown);
}

static void
add_fault (const char  *area,
           TestFunc     func,
           const Fault *fault)
{
  g_autofree char *path = g_strdup_printf ("%s/fault/%s", area, fault->name);

  add (path, func, fault);
}

int
main (int   argc,
      char *argv[])
{
  poste_test_init (&argc, &argv);

  add ("maildir/order", test_maildir_order, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (maildir_faults); i++)
    add_fault ("maildir", test_maildir_fault, &maildir_faults[i]);
  add ("mbox/order", test_mbox_order, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (mbox_faults); i++)
    add_fault ("mbox", test_mbox_fault, &mbox_faults[i]);
  add ("mda/order", test_mda, NULL);
  add ("mda/fault/spool", test_mda_spool_fault, NULL);
  add ("queue/order", test_queue_order, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (queue_faults); i++)
    add_fault ("queue", test_queue_fault, &queue_faults[i]);
  add ("config/order", test_config_order, GINT_TO_POINTER (0));
  add ("config/order/new-file", test_config_order, GINT_TO_POINTER (1));
  for (guint i = 0; i < G_N_ELEMENTS (config_faults); i++)
    add_fault ("config", test_config_fault, &config_faults[i]);
  add ("config/fault/fsync-folder", test_config_fault_folder, NULL);

  return g_test_run ();
}
