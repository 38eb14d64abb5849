/* poste-test-services.c: real mail services on loopback for integration tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Postfix and Dovecot, each an instance of its own: its own configuration, queue and run
 * folders under a fresh folder in /tmp, listening on 127.0.0.1 on a free port only, never
 * touching a system instance. Both hold Maildirs for alice, bob and carol @ POSTE_TEST_MAIL_DOMAIN
 * (Postfix through its virtual(8) agent, Dovecot through a passwd-file userdb), owned by nobody,
 * so no system user is made.
 *
 * Postfix runs without chroot (so configure-instance.sh has nothing to prepare) and logs to
 * "maillog" in its folder (there is no syslog here). Dovecot starts with its output sent to
 * /dev/null (otherwise it keeps the test harness's pipe open) and logs to "dovecot.log".
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>
#include <pwd.h>

#include "poste-test.h"
#include "poste-test-services.h"

#define NOBODY_UID 65534
#define NOBODY_GID 65534
#define START_WAIT_SECONDS 20

typedef enum {
  SERVICE_POSTFIX,
  SERVICE_DOVECOT,
} ServiceKind;

struct _PosteTestService
{
  ServiceKind  kind;
  char        *dir;
  char        *config;     /* postfix: its config folder; dovecot: its config file */
  char        *mail_root;  /* where the users' Maildirs are */
  char        *pid_file;
  guint16      port;
  pid_t        watchdog;
};

static const char * const test_users[] = { "alice", "bob", "carol" };

/**
 * poste_test_service_dir_new:
 * @name: a short name
 *
 * Makes a fresh folder /tmp/poste-NAME-XXXXXX, mode 0755 so the services' own users can reach
 * what is inside (the test's private HOME is not reachable for them).
 *
 * Returns: (transfer full): the folder's path
 */
char *
poste_test_service_dir_new (const char *name)
{
  g_autofree char *template = g_strdup_printf ("/tmp/poste-%s-XXXXXX", name);
  char *dir = g_mkdtemp_full (g_strdup (template), 0755);

  g_assert_nonnull (dir);
  g_assert_no_errno (chmod (dir, 0755));
  return dir;
}

/**
 * poste_test_remove_tree:
 * @path: a file or folder
 *
 * Removes @path and everything under it; symbolic links are removed, not followed.
 */
void
poste_test_remove_tree (const char *path)
{
  GStatBuf st;

  if (g_lstat (path, &st) < 0)
    return;
  if (S_ISDIR (st.st_mode))
    {
      g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          poste_test_remove_tree (child);
        }
      g_rmdir (path);
    }
  else
    g_unlink (path);
}

/**
 * poste_test_free_port:
 *
 * Returns: a TCP port on 127.0.0.1 that was free a moment ago (bound to port 0 and released)
 */
guint16
poste_test_free_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_nonnull (socket);
  g_assert_true (g_socket_bind (socket, any, FALSE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  g_assert_nonnull (bound);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static gboolean
connect_to (GSocketConnectable *address)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;

  g_socket_client_set_timeout (client, 2);
  g_socket_client_set_enable_proxy (client, FALSE);
  connection = g_socket_client_connect (client, address, NULL, NULL);
  return connection != NULL;
}

/**
 * poste_test_wait_for_port:
 * @port: a TCP port on 127.0.0.1
 * @seconds: how long to try
 *
 * Returns: whether something accepted a connection on @port within @seconds
 */
gboolean
poste_test_wait_for_port (guint16 port,
                          guint   seconds)
{
  g_autoptr(GSocketConnectable) address = g_network_address_new ("127.0.0.1", port);
  gint64 deadline = g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < deadline)
    {
      if (connect_to (address))
        return TRUE;
      g_usleep (100 * 1000);
    }
  return FALSE;
}

static gboolean
wait_for_unix_socket (const char *path,
                      guint       seconds)
{
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new (path);
  gint64 deadline = g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < deadline)
    {
      if (connect_to (G_SOCKET_CONNECTABLE (address)))
        return TRUE;
      g_usleep (100 * 1000);
    }
  return FALSE;
}

static gboolean
run_quietly (const char * const  *argv,
             GError             **error)
{
  g_autoptr(GSubprocess) process = NULL;

  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                     G_SUBPROCESS_FLAGS_STDERR_SILENCE, error);
  return process != NULL && g_subprocess_wait_check (process, NULL, error);
}

static void
write_file (const char *path,
            const char *contents)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

static char *
tail_of_file (const char *path)
{
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &contents, &length, NULL))
    return g_strdup ("(no log)");
  return g_strdup (length > 2000 ? contents + length - 2000 : contents);
}

static void
make_mail_root (const char *mail_root)
{
  g_assert_no_errno (g_mkdir_with_parents (mail_root, 0755));
  g_assert_no_errno (chown (mail_root, NOBODY_UID, NOBODY_GID));
}

/* Waits for the process in @pid_file to end; kills it after @seconds. */
static void
wait_for_pid_file (const char *pid_file,
                   guint       seconds)
{
  g_autofree char *text = NULL;
  gint64 deadline = g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC;
  pid_t pid;

  if (!g_file_get_contents (pid_file, &text, NULL, NULL))
    return;
  pid = (pid_t) g_ascii_strtoll (g_strstrip (text), NULL, 10);
  if (pid <= 1)
    return;
  while (kill (pid, 0) == 0 && g_get_monotonic_time () < deadline)
    g_usleep (50 * 1000);
  if (kill (pid, 0) == 0)
    kill (pid, SIGKILL);
}

/*
 * A test that fails an assertion aborts without running its cleanup, and would leave the
 * service running. So each service gets a watchdog: a forked process that waits for the test
 * process to end (its pipe reaches end of file), then runs @stop_argv and removes the folder.
 * After the fork it only calls async-signal-safe functions, with everything prepared before.
 */
static void
start_watchdog (PosteTestService    *service,
                const char * const  *stop_argv)
{
  const char *rm_argv[] = { "/bin/rm", "-rf", service->dir, NULL };
  int fds[2];
  pid_t pid;

  g_assert_no_errno (pipe2 (fds, O_CLOEXEC));
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      char c;
      int null = open ("/dev/null", O_RDWR);
      pid_t stopper;

      close (fds[1]);
      if (null >= 0)
        {
          dup2 (null, 0);
          dup2 (null, 1);
          dup2 (null, 2);
        }
      while (read (fds[0], &c, 1) != 0 && errno == EINTR)
        ;
      stopper = fork ();
      if (stopper == 0)
        {
          execv (stop_argv[0], (char **) stop_argv);
          _exit (127);
        }
      if (stopper > 0)
        waitpid (stopper, NULL, 0);
      execv (rm_argv[0], (char **) rm_argv);
      _exit (127);
    }
  close (fds[0]);
  /* fds[1] stays open, unused, until this process ends. */
  service->watchdog = pid;
}

static void
stop_watchdog (PosteTestService *service)
{
  if (service->watchdog <= 0)
    return;
  kill (service->watchdog, SIGKILL);
  waitpid (service->watchdog, NULL, 0);
  service->watchdog = 0;
}

static void
service_free (PosteTestService *service)
{
  g_free (service->dir);
  g_free (service->config);
  g_free (service->mail_root);
  g_free (service->pid_file);
  g_free (service);
}

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
  g_autoptr(GError) local_error = NULL;

  if (!g_file_test ("/usr/sbin/postfix", G_FILE_TEST_IS_EXECUTABLE))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                           "/usr/sbin/postfix is not installed");
      return NULL;
    }

  service = g_new0 (PosteTestService, 1);
  service->kind = SERVICE_POSTFIX;
  service->dir = g_strdup (dir);
  service->config = g_build_filename (dir, "conf", NULL);
  service->mail_root = g_build_filename (dir, "vmail", NULL);
  service->port = poste_test_free_port ();
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
  make_mail_root (service->mail_root);

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
    POSTE_TEST_MAIL_DOMAIN, service->mail_root, service->config, NOBODY_UID, NOBODY_GID);
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
  for (guint i = 0; i < G_N_ELEMENTS (test_users); i++)
    g_string_append_printf (users, "%s@%s %s/%s/\n", test_users[i], POSTE_TEST_MAIL_DOMAIN,
                            POSTE_TEST_MAIL_DOMAIN, test_users[i]);

  {
    g_autofree char *path = g_build_filename (service->config, "main.cf", NULL);
    g_autofree char *text = g_strconcat (main_cf, extra, NULL);

    write_file (path, text);
  }
  {
    g_autofree char *path = g_build_filename (service->config, "master.cf", NULL);
    write_file (path, master_cf);
  }
  vmailbox = g_build_filename (service->config, "vmailbox", NULL);
  write_file (vmailbox, users->str);

  {
    const char *stop_argv[] = { "/usr/sbin/postfix", "-c", service->config, "stop", NULL };

    start_watchdog (service, stop_argv);
  }
  {
    const char *argv[] = { "/usr/sbin/postfix", "-c", service->config, "start", NULL };

    if (!run_quietly (argv, &local_error) || !poste_test_wait_for_port (service->port,
                                                                         START_WAIT_SECONDS))
      {
        g_autofree char *log = tail_of_file (maillog);

        g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Postfix did not start (%s): %s",
                     local_error != NULL ? local_error->message : "no listener", log);
        poste_test_postfix_stop (service);
        return NULL;
      }
  }
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
  const char *argv[] = { "/usr/sbin/postfix", "-c", NULL, "stop", NULL };

  if (service == NULL)
    return;
  g_assert_true (service->kind == SERVICE_POSTFIX);
  stop_watchdog (service);
  argv[2] = service->config;
  run_quietly (argv, NULL);
  wait_for_pid_file (service->pid_file, 10);
  poste_test_remove_tree (service->dir);
  service_free (service);
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

/**
 * poste_test_dovecot_start:
 * @dir: an empty folder the dovecot users can reach (poste_test_service_dir_new())
 * @port: (out): where Dovecot's LMTP listens on 127.0.0.1
 * @socket_path: (out) (optional) (transfer full): its LMTP UNIX socket
 * @error: return location for a #GError
 *
 * Starts Dovecot ("dovecot -c FILE") with LMTP only, on 127.0.0.1 and a UNIX socket, storing
 * into Maildirs for alice, bob and carol (see poste_test_service_maildir()); other users get
 * 550 5.1.1 at RCPT. Its own Received: header is turned off (lmtp_add_received_header); it
 * still adds Return-Path: and Delivered-To:.
 *
 * Returns: (transfer full): the service, or %NULL with the reason
 */
PosteTestService *
poste_test_dovecot_start (const char  *dir,
                          guint16     *port,
                          char       **socket_path,
                          GError     **error)
{
  PosteTestService *service;
  g_autofree char *conf = NULL;
  g_autofree char *run = NULL;
  g_autofree char *state = NULL;
  g_autofree char *users_file = NULL;
  g_autofree char *log = NULL;
  g_autofree char *socket = NULL;
  g_autoptr(GString) users = g_string_new (NULL);
  g_autoptr(GError) local_error = NULL;

  if (!g_file_test ("/usr/sbin/dovecot", G_FILE_TEST_IS_EXECUTABLE) ||
      !g_file_test ("/usr/lib/dovecot/lmtp", G_FILE_TEST_IS_EXECUTABLE))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                           "dovecot-core and dovecot-lmtpd are not installed");
      return NULL;
    }

  service = g_new0 (PosteTestService, 1);
  service->kind = SERVICE_DOVECOT;
  service->dir = g_strdup (dir);
  service->config = g_build_filename (dir, "dovecot.conf", NULL);
  service->mail_root = g_build_filename (dir, "mail", NULL);
  service->port = poste_test_free_port ();
  run = g_build_filename (dir, "run", NULL);
  state = g_build_filename (dir, "state", NULL);
  users_file = g_build_filename (dir, "users", NULL);
  log = g_build_filename (dir, "dovecot.log", NULL);
  socket = g_build_filename (run, "lmtp", NULL);
  service->pid_file = g_build_filename (run, "master.pid", NULL);

  g_assert_no_errno (g_mkdir_with_parents (run, 0755));
  g_assert_no_errno (g_mkdir_with_parents (state, 0755));
  make_mail_root (service->mail_root);

  for (guint i = 0; i < G_N_ELEMENTS (test_users); i++)
    g_string_append_printf (users, "%s::::::\n", test_users[i]);
  write_file (users_file, users->str);

  conf = g_strdup_printf (
    "base_dir = %s\n"
    "state_dir = %s\n"
    "log_path = %s\n"
    "protocols = lmtp\n"
    "listen = 127.0.0.1\n"
    "ssl = no\n"
    "default_internal_user = dovecot\n"
    "default_login_user = dovenull\n"
    "mail_location = maildir:%s/%%n\n"
    "auth_username_format = %%Ln\n"
    "first_valid_uid = 100\n"
    "lmtp_add_received_header = no\n"
    "passdb {\n  driver = passwd-file\n  args = %s\n}\n"
    "userdb {\n  driver = passwd-file\n  args = username_format=%%n %s\n"
    "  default_fields = uid=%d gid=%d home=%s/%%n\n}\n"
    "service lmtp {\n"
    "  inet_listener lmtp {\n    address = 127.0.0.1\n    port = %u\n  }\n"
    "  unix_listener lmtp {\n    mode = 0666\n  }\n"
    "}\n",
    run, state, log, service->mail_root, users_file, users_file, NOBODY_UID, NOBODY_GID,
    service->mail_root, service->port);
  write_file (service->config, conf);

  {
    const char *stop_argv[] = { "/usr/sbin/dovecot", "-c", service->config, "stop", NULL };

    start_watchdog (service, stop_argv);
  }
  {
    const char *argv[] = { "/usr/sbin/dovecot", "-c", service->config, NULL };

    if (!run_quietly (argv, &local_error) ||
        !poste_test_wait_for_port (service->port, START_WAIT_SECONDS) ||
        !wait_for_unix_socket (socket, START_WAIT_SECONDS))
      {
        g_autofree char *tail = tail_of_file (log);

        g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Dovecot did not start (%s): %s",
                     local_error != NULL ? local_error->message : "no listener", tail);
        poste_test_dovecot_stop (service);
        return NULL;
      }
  }
  *port = service->port;
  if (socket_path != NULL)
    *socket_path = g_steal_pointer (&socket);
  return service;
}

/**
 * poste_test_dovecot_stop:
 * @service: (transfer full) (nullable): a Dovecot instance
 *
 * Stops it ("dovecot -c FILE stop", then waits for its master to end) and removes its folder.
 */
void
poste_test_dovecot_stop (PosteTestService *service)
{
  const char *argv[] = { "/usr/sbin/dovecot", "-c", NULL, "stop", NULL };

  if (service == NULL)
    return;
  g_assert_true (service->kind == SERVICE_DOVECOT);
  stop_watchdog (service);
  argv[2] = service->config;
  run_quietly (argv, NULL);
  wait_for_pid_file (service->pid_file, 10);
  poste_test_remove_tree (service->dir);
  service_free (service);
}

/**
 * poste_test_service_maildir:
 * @service: a service
 * @user: "alice", "bob" or "carol"
 *
 * Returns: (transfer full): the path of @user's Maildir (it appears at the first delivery)
 */
char *
poste_test_service_maildir (PosteTestService *service,
                            const char       *user)
{
  if (service->kind == SERVICE_POSTFIX)
    return g_build_filename (service->mail_root, POSTE_TEST_MAIL_DOMAIN, user, NULL);
  return g_build_filename (service->mail_root, user, NULL);
}

/**
 * poste_test_service_log:
 * @service: a service
 *
 * Returns: (transfer full): the end of the service's log, for failure messages
 */
char *
poste_test_service_log (PosteTestService *service)
{
  g_autofree char *path = g_build_filename (service->dir, service->kind == SERVICE_POSTFIX
                                                          ? "maillog" : "dovecot.log", NULL);

  return tail_of_file (path);
}

static gint
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static void
read_folder (const char *folder,
             GPtrArray  *names)
{
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (name[0] != '.')
      g_ptr_array_add (names, g_build_filename (folder, name, NULL));
}

/**
 * poste_test_maildir_read:
 * @maildir: a Maildir
 *
 * Reads every message in new/ and cur/ (not tmp/), in the order of their file names.
 *
 * Returns: (transfer full) (element-type GBytes): the messages
 */
GPtrArray *
poste_test_maildir_read (const char *maildir)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  GPtrArray *messages = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autofree char *new_dir = g_build_filename (maildir, "new", NULL);
  g_autofree char *cur_dir = g_build_filename (maildir, "cur", NULL);

  read_folder (new_dir, names);
  read_folder (cur_dir, names);
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    {
      g_autoptr(GError) error = NULL;
      char *contents = NULL;
      gsize length = 0;

      g_file_get_contents (g_ptr_array_index (names, i), &contents, &length, &error);
      g_assert_no_error (error);
      g_ptr_array_add (messages, g_bytes_new_take (contents, length));
    }
  return messages;
}

/**
 * poste_test_dir_count:
 * @dir: a folder
 *
 * Returns: how many entries (not starting with '.') it has; 0 when it does not exist
 */
guint
poste_test_dir_count (const char *dir)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  read_folder (dir, names);
  return names->len;
}

/**
 * poste_test_maildir_wait:
 * @maildir: a Maildir
 * @count: how many messages to wait for
 * @seconds: how long at most
 *
 * Waits until new/ and cur/ hold at least @count messages (Postfix delivers after its 250,
 * from its queue).
 *
 * Returns: whether they arrived in time
 */
gboolean
poste_test_maildir_wait (const char *maildir,
                         guint       count,
                         guint       seconds)
{
  g_autofree char *new_dir = g_build_filename (maildir, "new", NULL);
  g_autofree char *cur_dir = g_build_filename (maildir, "cur", NULL);
  gint64 deadline = g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC;

  for (;;)
    {
      if (poste_test_dir_count (new_dir) + poste_test_dir_count (cur_dir) >= count)
        return TRUE;
      if (g_get_monotonic_time () >= deadline)
        return FALSE;
      g_usleep (50 * 1000);
    }
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

struct _PosteTestLock {
  pid_t pid;
  int   ready;   /* read end: the child wrote one byte once it held the lock */
  int   hold;    /* write end: closing it lets the child go */
};

/**
 * poste_test_lock_hold:
 * @path: an existing file
 *
 * Has another process hold an fcntl() write lock on all of @path, as another mail program
 * would: a child takes it with F_SETLKW and keeps it until poste_test_lock_release(). Returns
 * once the lock is held.
 *
 * Returns: (transfer full): the holder, to give to poste_test_lock_release()
 */
PosteTestLock *
poste_test_lock_hold (const char *path)
{
  PosteTestLock *lock = g_new0 (PosteTestLock, 1);
  int ready[2], hold[2];
  char c;

  g_assert_no_errno (pipe (ready));
  g_assert_no_errno (pipe (hold));
  lock->pid = fork ();
  g_assert_cmpint (lock->pid, >=, 0);
  if (lock->pid == 0)
    {
      struct flock fl = { 0 };
      int fd = open (path, O_RDWR);

      close (ready[0]);
      close (hold[1]);
      fl.l_type = F_WRLCK;
      fl.l_whence = SEEK_SET;
      if (fd < 0 || fcntl (fd, F_SETLKW, &fl) < 0 || write (ready[1], "x", 1) != 1)
        _exit (1);
      while (read (hold[0], &c, 1) > 0)
        ;
      _exit (0);
    }
  close (ready[1]);
  close (hold[0]);
  g_assert_cmpint (read (ready[0], &c, 1), ==, 1);
  lock->ready = ready[0];
  lock->hold = hold[1];
  return lock;
}

/**
 * poste_test_lock_release:
 * @lock: (transfer full): from poste_test_lock_hold()
 *
 * Lets the holder go, waits for it to exit (so the lock is free on return) and frees @lock.
 */
void
poste_test_lock_release (PosteTestLock *lock)
{
  close (lock->hold);
  close (lock->ready);
  g_assert_cmpint (waitpid (lock->pid, NULL, 0), ==, lock->pid);
  g_free (lock);
}

#define NEED_ROOT "Postfix and Dovecot instances need root here (run the tests as root)"

/* For the try_start functions: a service that is not installed is a reason to skip, anything
 * else aborts the program. */
static PosteTestService *
started_or_why_not (PosteTestService  *service,
                    GError            *error,
                    char             **why_not)
{
  if (service == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        g_error ("%s", error->message);
      if (poste_test_in_ci ())
        g_error ("%s (CI=true: what a test needs must be there)", error->message);
      *why_not = g_strdup (error->message);
      g_error_free (error);
    }
  return service;
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
  g_autofree char *dir = NULL;
  GError *error = NULL;
  PosteTestService *service;

  if (getuid () != 0)
    {
      if (poste_test_in_ci ())
        g_error (NEED_ROOT " (CI=true: what a test needs must be there)");
      *why_not = g_strdup (NEED_ROOT);
      return NULL;
    }
  dir = poste_test_service_dir_new ("postfix");
  service = poste_test_postfix_start (dir, port, &error);
  return started_or_why_not (service, error, why_not);
}

/**
 * poste_test_dovecot_try_start:
 * @port: (out): where Dovecot's LMTP listens on 127.0.0.1
 * @socket_path: (out) (optional) (transfer full): its LMTP UNIX socket
 * @why_not: (out) (transfer full): the reason there is no Dovecot, for g_test_skip()
 *
 * poste_test_dovecot_start() in a new poste_test_service_dir_new() folder, for a test program
 * whose cases skip without Dovecot: not running as root, or Dovecot not installed
 * (%G_IO_ERROR_NOT_FOUND), gives %NULL and @why_not; any other failure aborts the program, and
 * so does a missing Dovecot in CI (poste_test_in_ci()).
 *
 * Returns: (transfer full) (nullable): the service, or %NULL with @why_not set
 */
PosteTestService *
poste_test_dovecot_try_start (guint16   *port,
                              char     **socket_path,
                              char     **why_not)
{
  g_autofree char *dir = NULL;
  GError *error = NULL;
  PosteTestService *service;

  if (getuid () != 0)
    {
      if (poste_test_in_ci ())
        g_error (NEED_ROOT " (CI=true: what a test needs must be there)");
      *why_not = g_strdup (NEED_ROOT);
      return NULL;
    }
  dir = poste_test_service_dir_new ("dovecot");
  service = poste_test_dovecot_start (dir, port, socket_path, &error);
  return started_or_why_not (service, error, why_not);
}
