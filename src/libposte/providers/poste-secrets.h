/* poste-secrets.h: provider passwords in the Secret Service (libsecret) or a password file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <libsecret/secret.h>

#include "poste-types.h"
#include "poste-provider.h"

G_BEGIN_DECLS

/**
 * POSTE_PASSWORD_FILE_MAX_SIZE:
 *
 * The largest password file read, in bytes: a password, not a document.
 */
#define POSTE_PASSWORD_FILE_MAX_SIZE 4096

/**
 * POSTE_SECRETS_PING_TIMEOUT:
 *
 * How long a password lookup waits for the Secret Service to show it is alive, in seconds
 * (starting it included), before it says the keyring did not answer.
 */
#define POSTE_SECRETS_PING_TIMEOUT 10

/**
 * PosteSecretsLookupFlags:
 * @POSTE_SECRETS_LOOKUP_NONE: never prompt: a locked keyring is reported as
 *   %POSTE_CONFIG_ERROR_KEYRING_LOCKED (a scheduled fetch, nobody there to answer)
 * @POSTE_SECRETS_LOOKUP_UNLOCK: the user is present: a locked keyring shows the Secret
 *   Service's own unlock prompt
 *
 * How a password lookup treats a locked keyring.
 */
typedef enum {
  POSTE_SECRETS_LOOKUP_NONE = 0,
  POSTE_SECRETS_LOOKUP_UNLOCK = 1 << 0,
} PosteSecretsLookupFlags;

const SecretSchema *poste_secrets_get_schema          (void) G_GNUC_CONST;
gboolean            poste_secrets_store_sync          (PosteProvider        *provider,
                                                       const char           *password,
                                                       GCancellable         *cancellable,
                                                       GError              **error);
void                poste_secrets_store               (PosteProvider        *provider,
                                                       const char           *password,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
gboolean            poste_secrets_store_finish        (GAsyncResult         *result,
                                                       GError              **error);
char               *poste_secrets_lookup_sync         (PosteProvider        *provider,
                                                       GCancellable         *cancellable,
                                                       GError              **error);
void                poste_secrets_lookup              (PosteProvider        *provider,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
char               *poste_secrets_lookup_finish       (GAsyncResult         *result,
                                                       GError              **error);
char               *poste_secrets_lookup_full_sync    (PosteProvider           *provider,
                                                       PosteSecretsLookupFlags  flags,
                                                       GCancellable            *cancellable,
                                                       GError                 **error);
void                poste_secrets_lookup_full         (PosteProvider           *provider,
                                                       PosteSecretsLookupFlags  flags,
                                                       GCancellable            *cancellable,
                                                       GAsyncReadyCallback      callback,
                                                       gpointer                 user_data);
gboolean            poste_secrets_probe_sync          (GCancellable         *cancellable,
                                                       GError              **error);
void                poste_secrets_probe               (GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
gboolean            poste_secrets_probe_finish        (GAsyncResult         *result,
                                                       GError              **error);
gboolean            poste_secrets_clear_sync          (PosteProvider        *provider,
                                                       GCancellable         *cancellable,
                                                       GError              **error);
void                poste_secrets_clear               (PosteProvider        *provider,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
gboolean            poste_secrets_clear_finish        (GAsyncResult         *result,
                                                       GError              **error);
char               *poste_secrets_read_password_file  (const char           *path,
                                                       GError              **error);
char               *poste_secrets_get_password_sync   (PosteProvider        *provider,
                                                       GCancellable         *cancellable,
                                                       GError              **error);
gboolean            poste_secrets_auth_needs_password (PosteProvider        *provider);
char               *poste_secrets_dup_managed_file    (PosteProvider        *provider);
gboolean            poste_secrets_is_managed_file     (PosteProvider        *provider);
gboolean            poste_secrets_store_file          (PosteProvider        *provider,
                                                       const char           *password,
                                                       GError              **error);
void                poste_secrets_free_password       (char                 *password);
char               *poste_secrets_dup_password_sync   (PosteProvider        *provider,
                                                       GError              **error);
GError             *poste_secrets_explain_error       (PosteProvider        *provider,
                                                       const GError         *cause);

G_END_DECLS
