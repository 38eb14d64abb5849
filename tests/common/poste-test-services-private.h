/* poste-test-services-private.h: what the service files (Postfix, Dovecot) share among
 * themselves: the service record and the steps every instance goes through
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <sys/types.h>

#include "poste-test-services.h"

G_BEGIN_DECLS

#define POSTE_TEST_NOBODY_UID 65534
#define POSTE_TEST_NOBODY_GID 65534
#define POSTE_TEST_START_WAIT_SECONDS 20

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

/* The mailboxes every instance holds: alice, bob and carol @ POSTE_TEST_MAIL_DOMAIN. */
extern const char * const poste_test_service_users[3];

void              poste_test_service_write_file         (const char          *path,
                                                         const char          *contents);
void              poste_test_service_make_mail_root     (const char          *mail_root);
PosteTestService *poste_test_service_new                (ServiceKind          kind,
                                                         const char          *dir,
                                                         const char          *config,
                                                         const char          *mail_root);
gboolean          poste_test_service_launch             (PosteTestService    *service,
                                                         const char          *binary,
                                                         const char          *verb,
                                                         const char          *socket,
                                                         const char          *log,
                                                         const char          *name,
                                                         GError             **error);
void              poste_test_service_stop               (PosteTestService    *service,
                                                         ServiceKind          kind,
                                                         const char          *binary);
char             *poste_test_service_try_dir            (const char          *name,
                                                         char               **why_not);
PosteTestService *poste_test_service_started_or_why_not (PosteTestService    *service,
                                                         GError              *error,
                                                         char               **why_not);

G_END_DECLS
