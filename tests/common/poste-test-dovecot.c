/* poste-test-dovecot.c: a Dovecot instance of its own on loopback, LMTP only, for the
 * integration tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * It holds Maildirs for alice, bob and carol through a passwd-file userdb. It starts with its
 * output sent to /dev/null (otherwise it keeps the test harness's pipe open) and logs to
 * "dovecot.log" in its folder.
 */
#include "config.h"

#include "poste-test.h"
#include "poste-test-services-private.h"

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

  if (!g_file_test ("/usr/sbin/dovecot", G_FILE_TEST_IS_EXECUTABLE) ||
      !g_file_test ("/usr/lib/dovecot/lmtp", G_FILE_TEST_IS_EXECUTABLE))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                           "dovecot-core and dovecot-lmtpd are not installed");
      return NULL;
    }

  service = poste_test_service_new (SERVICE_DOVECOT, dir, "dovecot.conf", "mail");
  run = g_build_filename (dir, "run", NULL);
  state = g_build_filename (dir, "state", NULL);
  users_file = g_build_filename (dir, "users", NULL);
  log = g_build_filename (dir, "dovecot.log", NULL);
  socket = g_build_filename (run, "lmtp", NULL);
  service->pid_file = g_build_filename (run, "master.pid", NULL);

  g_assert_no_errno (g_mkdir_with_parents (run, 0755));
  g_assert_no_errno (g_mkdir_with_parents (state, 0755));
  poste_test_service_make_mail_root (service->mail_root);

  for (guint i = 0; i < G_N_ELEMENTS (poste_test_service_users); i++)
    g_string_append_printf (users, "%s::::::\n", poste_test_service_users[i]);
  poste_test_service_write_file (users_file, users->str);

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
    run, state, log, service->mail_root, users_file, users_file, POSTE_TEST_NOBODY_UID,
    POSTE_TEST_NOBODY_GID,
    service->mail_root, service->port);
  poste_test_service_write_file (service->config, conf);

  if (!poste_test_service_launch (service, "/usr/sbin/dovecot", NULL, socket, log, "Dovecot",
                                  error))
    return NULL;
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
  poste_test_service_stop (service, SERVICE_DOVECOT, "/usr/sbin/dovecot");
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
  g_autofree char *dir = poste_test_service_try_dir ("dovecot", why_not);
  GError *error = NULL;
  PosteTestService *service;

  if (dir == NULL)
    return NULL;
  service = poste_test_dovecot_start (dir, port, socket_path, &error);
  return poste_test_service_started_or_why_not (service, error, why_not);
}
