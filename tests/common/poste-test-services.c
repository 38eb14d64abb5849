/* poste-test-services.c: what every real mail service of the integration tests shares: its
 * folder in /tmp, a free loopback port, the watchdog that stops it when a test aborts, the stop
 * itself, and the decision to skip a test when the service cannot run here
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each service is an instance of its own: its own configuration, queue and run folders under a
 * fresh folder in /tmp, listening on 127.0.0.1 on a free port only, never touching a system
 * instance. Both hold Maildirs for alice, bob and carol @ POSTE_TEST_MAIL_DOMAIN, owned by
 * nobody, so no system user is made. Postfix is in poste-test-postfix.c, Dovecot in
 * poste-test-dovecot.c, reading what they delivered in poste-test-mailbox.c.
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

#include "poste-test.h"
#include "poste-test-services-private.h"

const char * const poste_test_service_users[3] = { "alice", "bob", "carol" };

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
poste_test_service_wait_for_socket (const char *path,
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
poste_test_service_run_quietly (const char * const  *argv,
                                GError             **error)
{
  g_autoptr(GSubprocess) process = NULL;

  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                     G_SUBPROCESS_FLAGS_STDERR_SILENCE, error);
  return process != NULL && g_subprocess_wait_check (process, NULL, error);
}

/* Writes a service's configuration file; a failure aborts the test. */
void
poste_test_service_write_file (const char *path,
                               const char *contents)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

static char *
poste_test_service_tail_of_file (const char *path)
{
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &contents, &length, NULL))
    return g_strdup ("(no log)");
  return g_strdup (length > 2000 ? contents + length - 2000 : contents);
}

/* Makes the folder of the users' Maildirs, owned by nobody, who delivers into them. */
void
poste_test_service_make_mail_root (const char *mail_root)
{
  g_assert_no_errno (g_mkdir_with_parents (mail_root, 0755));
  g_assert_no_errno (chown (mail_root, POSTE_TEST_NOBODY_UID, POSTE_TEST_NOBODY_GID));
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
poste_test_service_start_watchdog (PosteTestService    *service,
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


/* A new service record of @kind in @dir: its configuration at DIR/@config, its users' Maildirs
 * under DIR/@mail_root, and a free port on 127.0.0.1. */
PosteTestService *
poste_test_service_new (ServiceKind  kind,
                        const char  *dir,
                        const char  *config,
                        const char  *mail_root)
{
  PosteTestService *service = g_new0 (PosteTestService, 1);

  service->kind = kind;
  service->dir = g_strdup (dir);
  service->config = g_build_filename (dir, config, NULL);
  service->mail_root = g_build_filename (dir, mail_root, NULL);
  service->port = poste_test_free_port ();
  return service;
}

/* Starts @service: the watchdog first (it runs "BINARY -c CONFIG stop" when this process ends),
 * then "BINARY -c CONFIG [@verb]", then waits for its port and, when not %NULL, its UNIX
 * @socket. When it does not start, stops it and sets @error (%G_IO_ERROR_FAILED) with @name and
 * the end of its @log. */
gboolean
poste_test_service_launch (PosteTestService  *service,
                           const char        *binary,
                           const char        *verb,
                           const char        *socket,
                           const char        *log,
                           const char        *name,
                           GError           **error)
{
  const char *stop_argv[] = { binary, "-c", service->config, "stop", NULL };
  const char *argv[] = { binary, "-c", service->config, verb, NULL };
  g_autoptr(GError) local_error = NULL;
  g_autofree char *tail = NULL;

  poste_test_service_start_watchdog (service, stop_argv);
  if (poste_test_service_run_quietly (argv, &local_error) &&
      poste_test_wait_for_port (service->port, POSTE_TEST_START_WAIT_SECONDS) &&
      (socket == NULL ||
       poste_test_service_wait_for_socket (socket, POSTE_TEST_START_WAIT_SECONDS)))
    return TRUE;
  tail = poste_test_service_tail_of_file (log);
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s did not start (%s): %s", name,
               local_error != NULL ? local_error->message : "no listener", tail);
  poste_test_service_stop (service, service->kind, binary);
  return FALSE;
}

/* Stops @service ("BINARY -c CONFIG stop", then waits for its master to end) and removes its
 * folder: the end of poste_test_postfix_stop() and poste_test_dovecot_stop(). */
void
poste_test_service_stop (PosteTestService *service,
                         ServiceKind       kind,
                         const char       *binary)
{
  const char *argv[] = { binary, "-c", NULL, "stop", NULL };

  if (service == NULL)
    return;
  g_assert_true (service->kind == kind);
  stop_watchdog (service);
  argv[2] = service->config;
  poste_test_service_run_quietly (argv, NULL);
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

  return poste_test_service_tail_of_file (path);
}

#define NEED_ROOT "Postfix and Dovecot instances need root here (run the tests as root)"

/* For the try_start functions: a service that is not installed is a reason to skip, anything
 * else aborts the program. */
PosteTestService *
poste_test_service_started_or_why_not (PosteTestService  *service,
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

/* For the try_start functions: a new poste_test_service_dir_new() folder for the service @name,
 * or %NULL with @why_not when this process cannot run services (it is not root). */
char *
poste_test_service_try_dir (const char  *name,
                            char       **why_not)
{
  if (getuid () != 0)
    {
      if (poste_test_in_ci ())
        g_error (NEED_ROOT " (CI=true: what a test needs must be there)");
      *why_not = g_strdup (NEED_ROOT);
      return NULL;
    }
  return poste_test_service_dir_new (name);
}

/**
 * poste_test_mail_services_start:
 * @services: (out caller-allocates): filled in
 *
 * Starts Postfix and Dovecot where they can start (poste_test_postfix_try_start() and
 * poste_test_dovecot_try_start()); each one that cannot is %NULL with the reason beside it.
 */
void
poste_test_mail_services_start (PosteTestMailServices *services)
{
  services->postfix = poste_test_postfix_try_start (&services->postfix_port,
                                                    &services->postfix_failure);
  services->dovecot = poste_test_dovecot_try_start (&services->dovecot_port,
                                                    &services->dovecot_socket,
                                                    &services->dovecot_failure);
}

/**
 * poste_test_mail_services_stop:
 * @services: from poste_test_mail_services_start()
 *
 * Stops what was started and frees what @services holds.
 */
void
poste_test_mail_services_stop (PosteTestMailServices *services)
{
  poste_test_postfix_stop (services->postfix);
  poste_test_dovecot_stop (services->dovecot);
  g_free (services->dovecot_socket);
  g_free (services->postfix_failure);
  g_free (services->dovecot_failure);
  memset (services, 0, sizeof *services);
}
