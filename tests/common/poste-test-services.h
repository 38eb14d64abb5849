/* poste-test-services.h: real mail services on loopback for integration tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * POSTE_TEST_MAIL_DOMAIN:
 *
 * The domain whose mailboxes the test services hold. Its users are "alice", "bob" and "carol";
 * any other local part is refused with 550 5.1.1.
 */
#define POSTE_TEST_MAIL_DOMAIN "poste-test.example"

typedef struct _PosteTestService PosteTestService;

char             *poste_test_service_dir_new    (const char        *name);
void              poste_test_remove_tree        (const char        *path);
guint16           poste_test_free_port          (void);
gboolean          poste_test_wait_for_port      (guint16            port,
                                                 guint              seconds);

PosteTestService *poste_test_postfix_start      (const char        *dir,
                                                 guint16           *port,
                                                 GError           **error);
PosteTestService *poste_test_postfix_start_with_relayhost (const char *dir,
                                                          guint16     relay_port,
                                                          guint16    *port,
                                                          GError    **error);
void              poste_test_postfix_stop       (PosteTestService  *service);
guint             poste_test_postfix_kill_smtpd (PosteTestService  *service);
gboolean          poste_test_postfix_wait_idle  (PosteTestService  *service,
                                                 guint              seconds);
PosteTestService *poste_test_dovecot_start      (const char        *dir,
                                                 guint16           *port,
                                                 char             **socket_path,
                                                 GError           **error);
void              poste_test_dovecot_stop       (PosteTestService  *service);
PosteTestService *poste_test_postfix_try_start   (guint16           *port,
                                                 char             **why_not);
PosteTestService *poste_test_dovecot_try_start   (guint16           *port,
                                                 char             **socket_path,
                                                 char             **why_not);
/**
 * PosteTestMailServices:
 * @postfix: (nullable): Postfix, an SMTP relay to the domain's mailboxes; %NULL where it could
 *   not start
 * @postfix_port: its SMTP port
 * @postfix_failure: (nullable): why it did not start
 * @dovecot: (nullable): Dovecot's LMTP server to the same mailboxes; %NULL where it could not start
 * @dovecot_port: its LMTP port
 * @dovecot_socket: (nullable): its LMTP socket
 * @dovecot_failure: (nullable): why it did not start
 *
 * The two real delivery services a test program starts once, before its cases, when it can.
 */
typedef struct {
  PosteTestService *postfix;
  guint16           postfix_port;
  char             *postfix_failure;
  PosteTestService *dovecot;
  guint16           dovecot_port;
  char             *dovecot_socket;
  char             *dovecot_failure;
} PosteTestMailServices;

void              poste_test_mail_services_start (PosteTestMailServices *services);
void              poste_test_mail_services_stop  (PosteTestMailServices *services);
char             *poste_test_service_maildir    (PosteTestService  *service,
                                                 const char        *user);
char             *poste_test_service_log        (PosteTestService  *service);

GPtrArray        *poste_test_maildir_read       (const char        *maildir);
gboolean          poste_test_maildir_wait       (const char        *maildir,
                                                 guint              count,
                                                 guint              seconds);
guint             poste_test_dir_count          (const char        *dir);

typedef struct _PosteTestLock PosteTestLock;

PosteTestLock    *poste_test_lock_hold          (const char        *path);
void              poste_test_lock_release       (PosteTestLock     *lock);

G_END_DECLS
