/* poste-check.c: "Test connection": connect, TLS, EHLO, AUTH, and never ATRN
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The provider editor's Test connection and `poste-restante-cli check` run the client phase of a
 * session (poste-client.c) as far as AUTH, then say QUIT. ATRN is never sent: it would make the
 * provider turn around and deliver.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "poste-check.h"
#include "poste-fingerprint.h"
#include "poste-client.h"
#include "poste-error.h"

G_DEFINE_BOXED_TYPE (PosteCheckResult, poste_check_result,
                     poste_check_result_copy, poste_check_result_free)

/**
 * poste_check_result_copy:
 * @result: a result
 *
 * Returns: (transfer full): a deep copy
 */
PosteCheckResult *
poste_check_result_copy (const PosteCheckResult *result)
{
  PosteCheckResult *copy;

  g_return_val_if_fail (result != NULL, NULL);

  copy = g_new0 (PosteCheckResult, 1);
  copy->error = result->error != NULL ? g_error_copy (result->error) : NULL;
  copy->tls_protocol = g_strdup (result->tls_protocol);
  copy->tls_cipher = g_strdup (result->tls_cipher);
  copy->certificate = result->certificate != NULL ? g_object_ref (result->certificate) : NULL;
  copy->certificate_subject = g_strdup (result->certificate_subject);
  copy->certificate_issuer = g_strdup (result->certificate_issuer);
  copy->certificate_not_before = result->certificate_not_before != NULL
    ? g_date_time_ref (result->certificate_not_before) : NULL;
  copy->certificate_not_after = result->certificate_not_after != NULL
    ? g_date_time_ref (result->certificate_not_after) : NULL;
  copy->certificate_sha256 = g_strdup (result->certificate_sha256);
  copy->capabilities = g_strdupv (result->capabilities);
  copy->mechanism = g_strdup (result->mechanism);
  copy->authenticated = result->authenticated;
  copy->auth_error = result->auth_error != NULL ? g_error_copy (result->auth_error) : NULL;
  copy->atrn_offered = result->atrn_offered;
  copy->transcript = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; result->transcript != NULL && i < result->transcript->len; i++)
    g_ptr_array_add (copy->transcript, g_strdup (result->transcript->pdata[i]));
  return copy;
}

/**
 * poste_check_result_free:
 * @result: (transfer full) (nullable): a result
 */
void
poste_check_result_free (PosteCheckResult *result)
{
  if (result == NULL)
    return;
  g_clear_error (&result->error);
  g_free (result->tls_protocol);
  g_free (result->tls_cipher);
  g_clear_object (&result->certificate);
  g_free (result->certificate_subject);
  g_free (result->certificate_issuer);
  g_clear_pointer (&result->certificate_not_before, g_date_time_unref);
  g_clear_pointer (&result->certificate_not_after, g_date_time_unref);
  g_free (result->certificate_sha256);
  g_strfreev (result->capabilities);
  g_free (result->mechanism);
  g_clear_error (&result->auth_error);
  g_clear_pointer (&result->transcript, g_ptr_array_unref);
  g_free (result);
}

/**
 * poste_session_check:
 * @provider: the provider to test
 * @password: (nullable): its password
 * @timeout: the longest any one wait may take, in seconds (0 for the default, 300)
 * @cancellable: (nullable): a #GCancellable
 *
 * Connects, sets up TLS as configured (with the same verification as a session), says EHLO,
 * authenticates and says QUIT. Never sends ATRN. Blocks: call it from a worker thread, or use
 * poste_session_check_async().
 *
 * Returns: (transfer full): what was found; never %NULL. A failure before AUTH is in its @error
 *   (the same domains and codes as poste_session_run()), an AUTH failure in its @auth_error.
 */
PosteCheckResult *
poste_session_check (PosteProvider *provider,
                     const char    *password,
                     guint          timeout,
                     GCancellable  *cancellable)
{
  g_autoptr(PosteChannel) channel = NULL;
  g_autoptr(PosteClient) client = NULL;
  PosteCheckResult *result;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (POSTE_IS_PROVIDER (provider), NULL);

  channel = poste_channel_new (timeout > 0 ? timeout : POSTE_CHANNEL_TIMEOUT);
  channel->cancellable = cancellable;
  client = poste_client_new (channel, provider, password);
  result = g_new0 (PosteCheckResult, 1);

  if (poste_client_open (client, &error))
    {
      g_autoptr(GPtrArray) keywords = g_ptr_array_new_with_free_func (g_free);
      const PosteReply *capabilities = poste_smtp_client_get_capabilities (client->smtp);

      for (guint i = 1; capabilities->lines[i] != NULL; i++)
        g_ptr_array_add (keywords, g_strdup (capabilities->lines[i]));
      g_ptr_array_add (keywords, NULL);
      result->capabilities = (char **) g_ptr_array_steal (keywords, NULL);
      result->atrn_offered = poste_smtp_client_has_extension (client->smtp, "ATRN", NULL);

      if (poste_client_authenticate (client, &result->auth_error))
        result->authenticated = TRUE;
      else if (g_error_matches (result->auth_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        error = g_error_copy (result->auth_error);
      poste_client_quit (client);
    }
  poste_client_close (client);

  if (result->capabilities == NULL)
    result->capabilities = g_new0 (char *, 1);
  result->error = g_steal_pointer (&error);
  result->tls_protocol = g_strdup (channel->tls_protocol);
  result->tls_cipher = g_strdup (channel->tls_cipher);
  result->mechanism = g_strdup (client->mechanism);
  if (channel->peer_certificate != NULL)
    {
      result->certificate = g_object_ref (channel->peer_certificate);
      result->certificate_subject = g_tls_certificate_get_subject_name (channel->peer_certificate);
      result->certificate_issuer = g_tls_certificate_get_issuer_name (channel->peer_certificate);
      result->certificate_not_before =
        g_tls_certificate_get_not_valid_before (channel->peer_certificate);
      result->certificate_not_after =
        g_tls_certificate_get_not_valid_after (channel->peer_certificate);
      result->certificate_sha256 = poste_fingerprint_for_certificate (channel->peer_certificate);
    }
  result->transcript = poste_channel_dup_transcript (channel);
  return result;
}

typedef struct {
  PosteProvider *provider;
  char          *password;
  guint          timeout;
} CheckData;

static void
check_data_free (gpointer data)
{
  CheckData *check = data;

  g_object_unref (check->provider);
  g_free (check->password);
  g_free (check);
}

static void
check_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  CheckData *check = task_data;

  g_task_return_pointer (task,
                         poste_session_check (check->provider, check->password, check->timeout,
                                              cancellable),
                         (GDestroyNotify) poste_check_result_free);
}

/**
 * poste_session_check_async:
 * @provider: the provider to test (copied)
 * @password: (nullable): its password
 * @timeout: the longest any one wait may take, in seconds (0 for the default)
 * @cancellable: (nullable): a #GCancellable
 * @callback: called in the caller's thread-default main context
 * @user_data: data for @callback
 *
 * Runs poste_session_check() in a worker thread.
 */
void
poste_session_check_async (PosteProvider       *provider,
                           const char          *password,
                           guint                timeout,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  CheckData *check;

  g_return_if_fail (POSTE_IS_PROVIDER (provider));

  check = g_new0 (CheckData, 1);
  check->provider = poste_provider_copy (provider);
  check->password = g_strdup (password);
  check->timeout = timeout;
  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, poste_session_check_async);
  g_task_set_task_data (task, check, check_data_free);
  g_task_run_in_thread (task, check_thread);
}

/**
 * poste_session_check_finish:
 * @result: the #GAsyncResult given to the callback
 *
 * Returns: (transfer full): what was found; never %NULL
 */
PosteCheckResult *
poste_session_check_finish (GAsyncResult *result)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), NULL);
}
