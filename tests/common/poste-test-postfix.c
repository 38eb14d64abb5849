/* poste-test-postfix.c: a Postfix instance of its own on loopback, for the integration tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * It takes mail for alice, bob and carol @ POSTE_TEST_MAIL_DOMAIN through its virtual(8) agent
 * into Maildirs, runs without chroot (so configure-instance.sh has nothing to prepare) and logs
 * to "maillog" in its folder (there is no syslog here).
 */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pwd.h>

#include "poste-test.h"
#include "poste-test-services-private.h"

/**
 * poste_test_postfix_start:
 * @dir: an empty folder the postfix user can reach (poste_test_service_dir_new())
 * @port: (out): where Postfix's smtpd listens on 127.0.0.1
 * @error: return location for a #GError
 *
 * Starts a Postfix instance of its own ("postfix -c DIR/conf start") that takes mail for
 * alice, bob and carol @ POSTE_TEST_MAIL_DOMAIN into Maildirs (see
 * poste_test_service_maildir()) and refuses other recipients with 550 5.1.1 at RCPT time.
 * No header rewriting, no MIME conversion, SMTPUTF8 on.
 *
 * Returns: (transfer full): the service, or %NULL with the reason (the binary is missing, it
 *   would not start: the error holds the end of its log)
 */
static PosteTestService *postfix_start (const char *dir, const char *extra, guint16 *port,
                                        GError **error);

PosteTestService *
poste_test_postfix_start (const char  *dir,
                          guint16     *port,
                          GError     **error)
{
  return postfix_start (dir, NULL, port, error);
}

/**
 * poste_test_postfix_start_with_relayhost:
 * @dir: as for poste_test_postfix_start()
 * @relay_port: a port on 127.0.0.1 where mail for other domains goes (relayhost, plain SMTP)
 * @port: (out): where Postfix's smtpd listens on 127.0.0.1
 * @error: return location for a #GError
 *
 * poste_test_postfix_start(), with `relayhost = [127.0.0.1]:RELAY_PORT`: mail that loopback
 * clients send to any domain but POSTE_TEST_MAIL_DOMAIN is relayed there.
 *
 * Returns: (transfer full): the service, or %NULL with the reason
 */
PosteTestService *
poste_test_postfix_start_with_relayhost (const char  *dir,
                                         guint16      relay_port,
                                         guint16     *port,
                                         GError     **error)
{
  g_autofree char *extra = g_strdup_printf ("relayhost = [127.0.0.1]:%u\n"
                                            "smtp_tls_security_level = none\n", relay_port);

  return postfix_start (dir, extra, port, error);
}

static PosteTestService *
postfix_start (const char  *dir,
               const char  *extra,
               guint16     *port,
               GError     **error)
{
  PosteTestService *service;
  g_autofree char *main_cf = NULL;
  g_autofree char *master_cf = NULL;
  g_autofree char *vmailbox = NULL;
  g_autofree char *data = NULL;
  g_autofree char *queue = NULL;
  g_autofree char *maillog = NULL;
  g_autoptr(GString) users = g_string_new (NULL);

  if (!g_file_test ("/usr/sbin/postfix", G_FILE_TEST_IS_EXECUTABLE))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                           "/usr/sbin/postfix is not installed");
      return NULL;
    }

  service = poste_test_service_new (SERVICE_POSTFIX, dir, "conf", "vmail");
  queue = g_build_filename (dir, "queue", NULL);
  data = g_build_filename (dir, "data", NULL);
  maillog = g_build_filename (dir, "maillog", NULL);
  service->pid_file = g_build_filename (queue, "pid", "master.pid", NULL);

  g_assert_no_errno (g_mkdir_with_parents (service->config, 0755));
  g_assert_no_errno (g_mkdir_with_parents (queue, 0755));
  g_assert_no_errno (g_mkdir_with_parents (data, 0755));
  {
    struct passwd *pw = getpwnam ("postfix");

    g_assert_nonnull (pw);
    g_assert_no_errno (chown (data, pw->pw_uid, pw->pw_gid));
  }
  poste_test_service_make_mail_root (service->mail_root);

  main_cf = g_strdup_printf (
    "compatibility_level = 3.6\n"
    "queue_directory = %s\n"
    "data_directory = %s\n"
    "meta_directory = /etc/postfix\n"
    "mail_owner = postfix\n"
    "setgid_group = postdrop\n"
    "myhostname = mta.%s\n"
    "mydomain = %s\n"
    "myorigin = $myhostname\n"
    "mydestination =\n"
    "inet_interfaces = 127.0.0.1\n"
    "inet_protocols = ipv4\n"
    "mynetworks = 127.0.0.0/8\n"
    "maillog_file = %s\n"
    "maillog_file_prefixes = %s\n"
    "alias_maps =\n"
    "alias_database =\n"
    "local_header_rewrite_clients =\n"
    "disable_mime_output_conversion = yes\n"
    "smtputf8_enable = yes\n"
    /* A test kills smtpd on purpose: do not pause the service for a minute after that. */
    "service_throttle_time = 1s\n"
    "biff = no\n"
    "virtual_mailbox_domains = %s\n"
    "virtual_mailbox_base = %s\n"
    "virtual_mailbox_maps = texthash:%s/vmailbox\n"
    "virtual_uid_maps = static:%d\n"
    "virtual_gid_maps = static:%d\n"
    "virtual_minimum_uid = 100\n"
    "smtpd_recipient_restrictions = permit_mynetworks, reject_unauth_destination\n",
    queue, data, POSTE_TEST_MAIL_DOMAIN, POSTE_TEST_MAIL_DOMAIN, maillog, dir,
    POSTE_TEST_MAIL_DOMAIN, service->mail_root, service->config, POSTE_TEST_NOBODY_UID,
    POSTE_TEST_NOBODY_GID);
  master_cf = g_strdup_printf (
    "127.0.0.1:%u inet n - n - - smtpd\n"
    "pickup    unix  n - n 60   1 pickup\n"
    "cleanup   unix  n - n -    0 cleanup\n"
    "qmgr      unix  n - n 300  1 qmgr\n"
    "rewrite   unix  - - n -    - trivial-rewrite\n"
    "bounce    unix  - - n -    0 bounce\n"
    "defer     unix  - - n -    0 bounce\n"
    "trace     unix  - - n -    0 bounce\n"
    "verify    unix  - - n -    1 verify\n"
    "flush     unix  n - n 1000? 0 flush\n"
    "proxymap  unix  - - n -    - proxymap\n"
    "proxywrite unix - - n -    1 proxymap\n"
    "smtp      unix  - - n -    - smtp\n"
    "relay     unix  - - n -    - smtp\n"
    "showq     unix  n - n -    - showq\n"
    "error     unix  - - n -    - error\n"
    "retry     unix  - - n -    - error\n"
    "discard   unix  - - n -    - discard\n"
    "local     unix  - n n -    - local\n"
    "virtual   unix  - n n -    - virtual\n"
    "lmtp      unix  - - n -    - lmtp\n"
    "anvil     unix  - - n -    1 anvil\n"
    "scache    unix  - - n -    1 scache\n"
    "postlog   unix-dgram n - n - 1 postlogd\n",
    service->port);
  for (guint i = 0; i < G_N_ELEMENTS (poste_test_service_users); i++)
    g_string_append_printf (users, "%s@%s %s/%s/\n", poste_test_service_users[i],
                            POSTE_TEST_MAIL_DOMAIN,
                            POSTE_TEST_MAIL_DOMAIN, poste_test_service_users[i]);

  {
    g_autofree char *path = g_build_filename (service->config, "main.cf", NULL);
    g_autofree char *text = g_strconcat (main_cf, extra, NULL);

    poste_test_service_write_file (path, text);
  }
  {
    g_autofree char *path = g_build_filename (service->config, "master.cf", NULL);
    poste_test_service_write_file (path, master_cf);
  }
  vmailbox = g_build_filename (service->config, "vmailbox", NULL);
  poste_test_service_write_file (vmailbox, users->str);

  if (!poste_test_service_launch (service, "/usr/sbin/postfix", "start", NULL, maillog,
                                  "Postfix", error))
    return NULL;
  *port = service->port;
  return service;
}

/**
 * poste_test_postfix_stop:
 * @service: (transfer full) (nullable): a Postfix instance
 *
 * Stops the instance ("postfix -c DIR stop", then waits for its master to end) and removes its
 * folder.
 */
void
poste_test_postfix_stop (PosteTestService *service)
{
  poste_test_service_stop (service, SERVICE_POSTFIX, "/usr/sbin/postfix");
}

/**
 * poste_test_postfix_kill_smtpd:
 * @service: a Postfix instance
 *
 * Kills (SIGKILL) every smtpd(8) process of this instance, which breaks the connections they
 * serve without a word, as a crash would. Other instances are not touched: a process belongs to
 * this one when its working folder is this instance's queue folder.
 *
 * Returns: how many processes were killed
 */
guint
poste_test_postfix_kill_smtpd (PosteTestService *service)
{
  g_autofree char *queue = g_build_filename (service->dir, "queue", NULL);
  g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
  const char *name;
  guint killed = 0;

  g_assert_true (service->kind == SERVICE_POSTFIX);
  g_assert_nonnull (proc);
  while ((name = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *cmdline_path = NULL;
      g_autofree char *cwd_path = NULL;
      g_autofree char *cmdline = NULL;
      g_autofree char *cwd = NULL;
      pid_t pid;

      if (strspn (name, "0123456789") != strlen (name))
        continue;
      cmdline_path = g_build_filename ("/proc", name, "cmdline", NULL);
      cwd_path = g_build_filename ("/proc", name, "cwd", NULL);
      if (!g_file_get_contents (cmdline_path, &cmdline, NULL, NULL) ||
          strcmp (cmdline, "smtpd") != 0)
        continue;
      cwd = g_file_read_link (cwd_path, NULL);
      if (cwd == NULL || strcmp (cwd, queue) != 0)
        continue;
      pid = (pid_t) g_ascii_strtoll (name, NULL, 10);
      if (kill (pid, SIGKILL) == 0)
        killed++;
    }
  return killed;
}

/* Files under @dir, in every subfolder (Postfix hashes its deferred queue into subfolders). */
static guint
count_files (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  if (d == NULL)
    return 0;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        n += count_files (path);
      else
        n++;
    }
  return n;
}

/**
 * poste_test_postfix_wait_idle:
 * @service: a Postfix instance
 * @seconds: the deadline
 *
 * Waits until Postfix holds no message any more: its maildrop, incoming, active and deferred
 * queues are empty, so whatever it was given has been delivered (or refused). A test that
 * counts what arrived waits for this event instead of sleeping a while.
 *
 * Returns: whether Postfix went idle in time
 */
gboolean
poste_test_postfix_wait_idle (PosteTestService *service,
                              guint             seconds)
{
  static const char * const queues[] = { "maildrop", "incoming", "active", "deferred" };
  gint64 deadline = g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC;

  g_return_val_if_fail (service->kind == SERVICE_POSTFIX, FALSE);
  for (;;)
    {
      guint held = 0;

      for (guint i = 0; i < G_N_ELEMENTS (queues); i++)
        {
          g_autofree char *queue = g_build_filename (service->dir, "queue", queues[i], NULL);

          held += count_files (queue);
        }
      if (held == 0)
        return TRUE;
      if (g_get_monotonic_time () >= deadline)
        return FALSE;
      g_usleep (50 * 1000);
    }
}

/**
 * poste_test_postfix_try_start:
 * @port: (out): where Postfix's smtpd listens on 127.0.0.1
 * @why_not: (out) (transfer full): the reason there is no Postfix, for g_test_skip()
 *
 * poste_test_postfix_start() in a new poste_test_service_dir_new() folder, for a test program
 * whose cases skip without Postfix: not running as root, or Postfix not installed
 * (%G_IO_ERROR_NOT_FOUND), gives %NULL and @why_not; any other failure aborts the program, and
 * so does a missing Postfix in CI (poste_test_in_ci()).
 *
 * Returns: (transfer full) (nullable): the service, or %NULL with @why_not set
 */
PosteTestService *
poste_test_postfix_try_start (guint16  *port,
                              char    **why_not)
{
  g_autofree char *dir = poste_test_service_try_dir ("postfix", why_not);
  GError *error = NULL;
  PosteTestService *service;

  if (dir == NULL)
    return NULL;
  service = poste_test_postfix_start (dir, port, &error);
  return poste_test_service_started_or_why_not (service, error, why_not);
}
