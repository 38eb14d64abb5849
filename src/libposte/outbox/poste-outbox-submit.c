/* poste-outbox-submit.c: the outbox handed to a provider's relay (RFC 6409 submission)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * ODMR only brings mail in; what goes out is ordinary authenticated submission to the provider's
 * relay, in the same round as the fetch. The connection, TLS (with the provider's verification
 * settings: system trust, ca-file or pinned-sha256), EHLO, STARTTLS and SASL are libposte's
 * client phase (poste-client.c), run against a copy of the provider whose host and port are
 * those of `submission=`: port 465 means implicit TLS (RFC 8314), any other port STARTTLS
 * (RFC 3207), unless the provider has `security=none`, which the user chose for this provider's
 * servers. The credentials are the provider's.
 *
 * Then, for each queued message whose sender belongs to the provider's domains and that is due:
 * MAIL FROM and one RCPT TO per recipient (pipelined when the relay offers PIPELINING), DATA, the
 * message streamed from its file through libposte's SMTP client and its data encoder (CR LF line
 * ends, dot-stuffing; BDAT when the relay offers CHUNKING), and the end of the body. Each
 * recipient's fate:
 *  - 250 to the end of DATA: delivered; a message leaves the queue only when all of its
 *    recipients are delivered (or bounced);
 *  - 4xx (to MAIL, RCPT, DATA or the final dot): kept, with attempts + 1 and a next attempt
 *    after an exponential backoff (5 minutes doubling up to 4 hours), stored in its envelope;
 *    after 5 days of 4xx it is returned like a 5xx;
 *  - 5xx: returned to the sender as a delivery status notification (RFC 3464) delivered through
 *    the provider's own local delivery target (the sender is one of the provider's domains, so
 *    the router sends it where that domain's incoming mail goes). When even that fails the
 *    message stays in the queue, failed, for the user to see.
 * A 421 or a lost connection ends the round; messages not yet answered stay queued. A message
 * whose final dot was sent but whose reply was lost is sent again next time: RFC 5321 section
 * 6.1 prefers a duplicate to a loss.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "poste-client.h"
#include "poste-delivery.h"
#include "poste-error.h"
#include "poste-outbox-private.h"
#include "poste-outbox-submit.h"
#include "poste-outbox-submit-private.h"
#include "poste-provider.h"
#include "poste-router.h"

/* RFC 5321 section 4.5.3.2.6: wait at least 10 minutes for the reply to the final dot. */
#define DATA_END_TIMEOUT 600
#define CONTENT_CHUNK (64 * 1024)


void
_poste_outbox_failure_free (gpointer data)
{
  PosteOutboxFailure *failure = data;

  g_free (failure->recipient);
  g_free (failure->status);
  g_free (failure->diagnostic);
  g_free (failure);
}

static char *
domain_ascii (const char *domain)
{
  g_autofree char *ascii = g_hostname_to_ascii (domain);

  return g_ascii_strdown (ascii != NULL ? ascii : domain, -1);
}

/**
 * poste_outbox_sender_belongs:
 * @provider: a provider
 * @sender: an envelope sender
 *
 * Whether @provider submits @sender's mail: the domain of @sender (after its last "@") is one of
 * the provider's domains, compared without case and as A-labels (RFC 5890).
 *
 * Returns: %TRUE when @sender is one of @provider's
 */
gboolean
poste_outbox_sender_belongs (PosteProvider *provider,
                             const char    *sender)
{
  const char * const *domains;
  g_autofree char *domain = NULL;
  const char *at;

  g_return_val_if_fail (POSTE_IS_PROVIDER (provider), FALSE);

  if (sender == NULL || (at = strrchr (sender, '@')) == NULL || at[1] == '\0')
    return FALSE;
  domain = domain_ascii (at + 1);
  domains = poste_provider_get_domains (provider);
  for (guint i = 0; domains != NULL && domains[i] != NULL; i++)
    {
      g_autofree char *candidate = domain_ascii (domains[i]);

      if (g_str_equal (candidate, domain))
        return TRUE;
    }
  return FALSE;
}

static gboolean
is_due (const PosteOutboxItem  *item,
        PosteOutboxSubmitFlags  flags,
        gint64                  now)
{
  if (item->state == POSTE_OUTBOX_STATE_FAILED)
    return FALSE;
  if (flags & POSTE_OUTBOX_SUBMIT_FORCE)
    return TRUE;
  return item->next_attempt <= now;
}

/* The provider's messages; counts the ones not due in @waiting. */
static GPtrArray *
collect (PosteOutbox             *self,
         PosteProvider           *provider,
         PosteOutboxSubmitFlags   flags,
         guint                   *waiting,
         GError                 **error)
{
  g_autoptr(GPtrArray) all = poste_outbox_list (self, error);
  GPtrArray *due;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  if (all == NULL)
    return NULL;
  due = g_ptr_array_new_with_free_func ((GDestroyNotify) poste_outbox_item_free);
  for (guint i = 0; i < all->len; i++)
    {
      PosteOutboxItem *item = all->pdata[i];

      if (!poste_outbox_sender_belongs (provider, item->sender))
        continue;
      if (is_due (item, flags, now))
        g_ptr_array_add (due, poste_outbox_item_copy (item));
      else if (waiting != NULL)
        (*waiting)++;
    }
  return due;
}

/**
 * poste_outbox_has_due:
 * @self: a #PosteOutbox
 * @provider: a provider
 * @flags: as for poste_outbox_submit()
 *
 * Returns: %TRUE when poste_outbox_submit() would try at least one message now
 */
gboolean
poste_outbox_has_due (PosteOutbox             *self,
                      PosteProvider           *provider,
                      PosteOutboxSubmitFlags   flags)
{
  g_autoptr(GPtrArray) due = NULL;

  g_return_val_if_fail (POSTE_IS_OUTBOX (self), FALSE);
  g_return_val_if_fail (POSTE_IS_PROVIDER (provider), FALSE);

  due = collect (self, provider, flags, NULL, NULL);
  return due != NULL && due->len > 0;
}

/* A copy of @provider that points at its submission server. */
static PosteProvider *
submission_provider (PosteProvider  *provider,
                     GError        **error)
{
  const char *submission = poste_provider_get_submission (provider);
  g_autoptr(GSocketConnectable) address = NULL;
  g_autoptr(PosteProvider) copy = NULL;
  g_autoptr(GError) local_error = NULL;
  guint16 port;

  if (submission == NULL || *submission == '\0')
    {
      g_set_error (error, POSTE_OUTBOX_ERROR, POSTE_OUTBOX_ERROR_NO_SUBMISSION,
                   _("The provider %s has no submission server (submission=HOST:PORT); its "
                     "outgoing mail stays in the outbox"), poste_provider_get_name (provider));
      return NULL;
    }
  address = g_network_address_parse (submission, POSTE_SUBMISSION_PORT, &local_error);
  if (address == NULL)
    {
      g_set_error (error, POSTE_SESSION_ERROR, POSTE_SESSION_ERROR_CONFIG,
                   _("The submission server '%s' is not HOST:PORT: %s"), submission,
                   local_error->message);
      return NULL;
    }
  port = g_network_address_get_port (G_NETWORK_ADDRESS (address));
  copy = poste_provider_copy (provider);
  poste_provider_set_host (copy, g_network_address_get_hostname (G_NETWORK_ADDRESS (address)));
  poste_provider_set_port (copy, port);
  if (port == POSTE_SUBMISSIONS_PORT)
    poste_provider_set_security (copy, POSTE_SECURITY_TLS);
  else if (poste_provider_get_security (provider) != POSTE_SECURITY_NONE)
    poste_provider_set_security (copy, POSTE_SECURITY_STARTTLS);
  return g_steal_pointer (&copy);
}

/* DATA (or BDAT), the message file streamed through the SMTP client's encoder, and the end of
 * the body. Returns the relay's verdict on the message (its refusal of DATA or of a chunk
 * included); %NULL on an I/O or protocol error, which ends the round. */
static PosteReply *
send_message (Round                 *r,
              const PosteOutboxItem *item,
              const char            *path,
              GError               **error)
{
  PosteSmtpClient *smtp = r->client->smtp;
  GCancellable *cancellable = r->channel->cancellable;
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) input = NULL;
  g_autofree guint8 *buffer = NULL;
  PosteReply *refusal = NULL;

  if (!poste_smtp_client_data (smtp, &refusal, cancellable, error))
    {
      if (refusal != NULL && poste_reply_is_positive (refusal))
        {
          /* A 2xx to DATA makes no sense, and is no proof the message arrived: keep it. */
          g_autofree char *text = poste_reply_describe (refusal);

          poste_reply_free (refusal);
          refusal = poste_reply_new (451, "4.5.0", "The submission server answered DATA "
                                     "oddly: %s", text);
        }
      return refusal;
    }

  poste_channel_note (r->channel, "message %s: %" G_GUINT64_FORMAT " bytes", item->id,
                      item->size);
  input = g_file_read (file, cancellable, error);
  if (input == NULL)
    return NULL;
  buffer = g_malloc (CONTENT_CHUNK);
  for (;;)
    {
      gssize n = g_input_stream_read (G_INPUT_STREAM (input), buffer, CONTENT_CHUNK, cancellable,
                                      error);

      if (n < 0)
        return NULL;
      if (n == 0)
        break;
      if (!poste_smtp_client_write_body (smtp, buffer, (gsize) n, &refusal, cancellable, error))
        return refusal;
    }
  return poste_smtp_client_end_body (smtp, DATA_END_TIMEOUT, cancellable, error);
}

static gboolean
needs_smtputf8 (const PosteOutboxItem *item)
{
  if (!g_str_is_ascii (item->sender))
    return TRUE;
  for (guint i = 0; item->recipients[i] != NULL; i++)
    if (!g_str_is_ascii (item->recipients[i]))
      return TRUE;
  return FALSE;
}

static char *
reply_text (const PosteReply *reply)
{
  g_autofree char *text = poste_reply_describe (reply);

  return poste_printable (text, -1);
}

/* One message. FALSE ends the round (a lost connection, a 421, a local I/O error). */
static gboolean
submit_one (Round            *r,
            PosteOutboxItem  *item,
            GError          **error)
{
  PosteSmtpMailParams params = {
    .size = (gint64) item->size,
    .body_8bit = item->body_8bit,
    .smtputf8 = needs_smtputf8 (item),
  };
  g_autoptr(PosteReply) reply = NULL;
  g_autoptr(GPtrArray) rcpt_replies =
    g_ptr_array_new_with_free_func ((GDestroyNotify) poste_reply_free);
  g_autoptr(GPtrArray) accepted = g_ptr_array_new ();
  g_autoptr(GPtrArray) deferred = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) failures = g_ptr_array_new_with_free_func (_poste_outbox_failure_free);
  g_autofree char *path = poste_outbox_dup_message_path (r->outbox, item->id);
  g_autofree char *reason = NULL;
  gboolean closing = FALSE;

  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return TRUE;  /* removed meanwhile */

  /* With PIPELINING the envelope goes out in one write; the replies come back in order. */
  reply = poste_smtp_client_envelope (r->client->smtp, item->sender, &params,
                                      (const char * const *) item->recipients, rcpt_replies,
                                      r->channel->cancellable, error);
  if (reply == NULL)
    return FALSE;
  if (!poste_reply_is_positive (reply))
    {
      for (guint i = 0; item->recipients[i] != NULL; i++)
        if (poste_reply_is_permanent (reply))
          _poste_outbox_add_failure (failures, item->recipients[i], reply);
        else
          g_ptr_array_add (deferred, g_strdup (item->recipients[i]));
      reason = reply_text (reply);
      closing = reply->code == 421;
    }
  else
    {
      for (guint i = 0; item->recipients[i] != NULL && !closing; i++)
        {
          PosteReply *rcpt_reply;

          if (i >= rcpt_replies->len)
            {
              /* The relay closed before answering this one (without a 421 seen). */
              g_set_error (error, POSTE_PROTOCOL_ERROR, POSTE_PROTOCOL_ERROR_CLOSED,
                           _("The submission server closed the connection"));
              return FALSE;
            }
          rcpt_reply = rcpt_replies->pdata[i];
          if (poste_reply_is_positive (rcpt_reply))
            g_ptr_array_add (accepted, item->recipients[i]);
          else if (poste_reply_is_permanent (rcpt_reply))
            _poste_outbox_add_failure (failures, item->recipients[i], rcpt_reply);
          else
            {
              g_ptr_array_add (deferred, g_strdup (item->recipients[i]));
              g_free (reason);
              reason = reply_text (rcpt_reply);
              if (rcpt_reply->code == 421)
                {
                  closing = TRUE;
                  /* No DATA will follow: the accepted ones and the rest stay too. */
                  for (guint j = 0; j < accepted->len; j++)
                    g_ptr_array_add (deferred, g_strdup (accepted->pdata[j]));
                  for (guint j = i + 1; item->recipients[j] != NULL; j++)
                    g_ptr_array_add (deferred, g_strdup (item->recipients[j]));
                  g_ptr_array_set_size (accepted, 0);
                }
            }
        }

      if (accepted->len > 0)
        {
          g_autoptr(PosteReply) end_reply = send_message (r, item, path, error);

          if (end_reply == NULL)
            return FALSE;
          if (poste_reply_is_positive (end_reply))
            {
              r->counts->submitted++;
              g_ptr_array_set_size (accepted, 0);
            }
          else
            {
              for (guint i = 0; i < accepted->len; i++)
                if (poste_reply_is_permanent (end_reply))
                  _poste_outbox_add_failure (failures, accepted->pdata[i], end_reply);
                else
                  g_ptr_array_add (deferred, g_strdup (accepted->pdata[i]));
              if (!poste_reply_is_permanent (end_reply))
                {
                  g_free (reason);
                  reason = reply_text (end_reply);
                }
              closing = end_reply->code == 421;
            }
        }
      if (!closing && (deferred->len > 0 || failures->len > 0))
        {
          /* Whatever state the transaction is in, start the next one clean. */
          g_autoptr(PosteReply) rset = poste_smtp_client_rset (r->client->smtp,
                                                               r->channel->cancellable,
                                                               error);

          if (rset == NULL)
            {
              g_autoptr(GError) settle_error = NULL;

              _poste_outbox_settle (r, item, deferred, reason, failures, &settle_error);
              return FALSE;
            }
        }
    }

  if (!_poste_outbox_settle (r, item, deferred, reason, failures, error))
    return FALSE;
  if (closing)
    {
      g_set_error (error, POSTE_SESSION_ERROR, POSTE_SESSION_ERROR_TRY_LATER,
                   _("The submission server is closing the connection: %s"), reason);
      return FALSE;
    }
  return TRUE;
}

/* Holds the outbox's lock file while a round runs, so that two processes never submit the same
 * message at once. */
static int
take_lock (PosteOutbox  *self,
           GError      **error)
{
  g_autofree char *path = g_build_filename (poste_outbox_get_path (self), "lock", NULL);
  int fd;

  if (g_mkdir_with_parents (poste_outbox_get_path (self), 0700) != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "%s: %s",
                   poste_outbox_get_path (self), g_strerror (errno));
      return -1;
    }
  fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "%s: %s", path,
                   g_strerror (errno));
      return -1;
    }
  if (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      int saved = errno;

      close (fd);
      if (saved == EWOULDBLOCK)
        g_set_error (error, POSTE_OUTBOX_ERROR, POSTE_OUTBOX_ERROR_BUSY,
                     _("Another process is sending the outbox right now"));
      else
        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s: %s", path,
                     g_strerror (saved));
      return -1;
    }
  return fd;
}

/**
 * poste_outbox_submit:
 * @self: a #PosteOutbox
 * @provider: the provider whose relay takes the mail of its domains
 * @password: (nullable): the provider's password
 * @flags: which messages: the due ones, or all (#PosteOutboxSubmitFlags)
 * @cancellable: (nullable): stops the round between two reads or writes
 * @counts: (out caller-allocates) (optional): what happened
 * @transcript: (element-type utf8) (nullable): where to append the redacted transcript ("C: ",
 *   "S: " and "*  " lines, as in a #PosteSessionReport)
 * @error: return location for a #GError
 *
 * One round of submission (RFC 6409) of @provider's queued messages (see the top of this file).
 * Blocks: run it in a worker thread, or use poste_outbox_submit_async(). Does not connect when
 * no message is due.
 *
 * Returns: %TRUE when every due message got an answer (accepted, deferred or bounced: see
 *   @counts); %FALSE with %POSTE_OUTBOX_ERROR_NO_SUBMISSION (messages are due but the provider
 *   has no `submission=`), %POSTE_OUTBOX_ERROR_BUSY (another process is submitting), the client
 *   phase's errors (%POSTE_SESSION_ERROR, %POSTE_PROTOCOL_ERROR, %G_TLS_ERROR, %G_IO_ERROR) or
 *   %POSTE_SESSION_ERROR_TRY_LATER for a 421. Messages not answered stay queued, unchanged.
 */
gboolean
poste_outbox_submit (PosteOutbox             *self,
                     PosteProvider           *provider,
                     const char              *password,
                     PosteOutboxSubmitFlags   flags,
                     GCancellable            *cancellable,
                     PosteOutboxCounts       *counts,
                     GPtrArray               *transcript,
                     GError                 **error)
{
  PosteOutboxCounts local_counts = { 0, };
  g_autoptr(GPtrArray) due = NULL;
  g_autoptr(PosteProvider) relay = NULL;
  g_autoptr(PosteChannel) channel = NULL;
  g_autoptr(PosteClient) client = NULL;
  g_autoptr(GError) local_error = NULL;
  Round r = { 0, };
  gboolean ok = TRUE;
  int lock;

  g_return_val_if_fail (POSTE_IS_OUTBOX (self), FALSE);
  g_return_val_if_fail (POSTE_IS_PROVIDER (provider), FALSE);

  if (counts == NULL)
    counts = &local_counts;
  memset (counts, 0, sizeof *counts);

  due = collect (self, provider, flags, &counts->waiting, error);
  if (due == NULL)
    return FALSE;
  if (due->len == 0)
    return TRUE;

  relay = submission_provider (provider, error);
  if (relay == NULL)
    return FALSE;

  lock = take_lock (self, error);
  if (lock < 0)
    return FALSE;
  /* Another round may have sent some of them while we waited for nothing: read again. */
  g_clear_pointer (&due, g_ptr_array_unref);
  counts->waiting = 0;
  due = collect (self, provider, flags, &counts->waiting, &local_error);
  if (due == NULL || due->len == 0)
    {
      close (lock);
      if (due == NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
      return due != NULL;
    }

  channel = poste_channel_new (POSTE_CHANNEL_TIMEOUT);
  channel->cancellable = cancellable;
  client = poste_client_new (channel, relay, password);
  r.outbox = self;
  r.provider = provider;
  r.channel = channel;
  r.client = client;
  r.counts = counts;
  r.now = g_get_real_time () / G_USEC_PER_SEC;
  r.remote = g_strdup (poste_provider_get_host (relay));

  poste_channel_note (channel, "submitting %u message%s to %s:%u", due->len,
                      due->len == 1 ? "" : "s", poste_provider_get_host (relay),
                      poste_provider_get_port (relay));
  ok = poste_client_open (client, &local_error) &&
       poste_client_authenticate (client, &local_error);
  if (ok)
    {
      poste_channel_set_state (channel, POSTE_SESSION_STATE_SUBMITTING);
      /* A relay that offers CHUNKING takes bodies in BDAT chunks: no dot-stuffing to undo. */
      poste_smtp_client_set_flags (client->smtp, POSTE_SMTP_CLIENT_FLAGS_CHUNKING);
      for (guint i = 0; i < due->len && ok; i++)
        {
          if (g_cancellable_set_error_if_cancelled (cancellable, &local_error))
            ok = FALSE;
          else
            ok = submit_one (&r, due->pdata[i], &local_error);
        }
    }
  if (ok || (local_error != NULL && local_error->domain != G_IO_ERROR &&
             local_error->domain != G_TLS_ERROR && channel->connection != NULL))
    poste_client_quit (client);
  poste_client_close (client);
  close (lock);

  if (ok)
    poste_channel_note (channel, "outbox: %u submitted, %u deferred, %u returned, %u failed",
                        counts->submitted, counts->deferred, counts->bounced,
                        counts->failed);
  else
    poste_channel_note (channel, "outbox: %s", local_error->message);
  if (transcript != NULL)
    {
      g_autoptr(GPtrArray) lines = poste_channel_dup_transcript (channel);

      for (guint i = 0; i < lines->len; i++)
        g_ptr_array_add (transcript, g_strdup (lines->pdata[i]));
    }
  channel->cancellable = NULL;
  g_free (r.remote);

  if (!ok)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

/**
 * poste_outbox_counts_add_to_report:
 * @counts: what a round of submission did (poste_outbox_submit())
 * @report: the report of the fetch round it belongs to
 *
 * Adds @counts to @report's outbox counts, the ones the history keeps and the front ends show:
 * submitted to @report->submitted ("sent"), deferred to @report->send_deferred, and bounced plus
 * failed to @report->send_returned (refused for good by the relay, see #PosteOutboxCounts).
 * Adding, not setting: a round that submits twice (after each drained session, or Send Now during
 * a round) reports the sum.
 */
void
poste_outbox_counts_add_to_report (const PosteOutboxCounts *counts,
                                   PosteSessionReport      *report)
{
  g_return_if_fail (counts != NULL);
  g_return_if_fail (report != NULL);

  report->submitted += counts->submitted;
  report->send_deferred += counts->deferred;
  report->send_returned += counts->bounced + counts->failed;
}

typedef struct {
  PosteProvider          *provider;
  char                   *password;
  PosteOutboxSubmitFlags  flags;
  PosteOutboxCounts       counts;
  GPtrArray              *transcript;
} SubmitData;

static void
submit_data_free (gpointer data)
{
  SubmitData *d = data;

  g_clear_object (&d->provider);
  if (d->password != NULL)
    explicit_bzero (d->password, strlen (d->password));
  g_free (d->password);
  g_clear_pointer (&d->transcript, g_ptr_array_unref);
  g_free (d);
}

static void
submit_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  SubmitData *d = task_data;
  GError *error = NULL;

  if (poste_outbox_submit (source_object, d->provider, d->password, d->flags, cancellable,
                           &d->counts, d->transcript, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/**
 * poste_outbox_submit_async:
 * @self: a #PosteOutbox
 * @provider: the provider
 * @password: (nullable): its password (copied, and wiped when done)
 * @flags: which messages
 * @cancellable: (nullable): a #GCancellable
 * @callback: called in the caller's main context when the round has ended
 * @user_data: for @callback
 *
 * poste_outbox_submit() in a worker thread. Finish with poste_outbox_submit_finish().
 */
void
poste_outbox_submit_async (PosteOutbox             *self,
                           PosteProvider           *provider,
                           const char              *password,
                           PosteOutboxSubmitFlags   flags,
                           GCancellable            *cancellable,
                           GAsyncReadyCallback      callback,
                           gpointer                 user_data)
{
  g_autoptr(GTask) task = NULL;
  SubmitData *d;

  g_return_if_fail (POSTE_IS_OUTBOX (self));
  g_return_if_fail (POSTE_IS_PROVIDER (provider));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, poste_outbox_submit_async);
  d = g_new0 (SubmitData, 1);
  d->provider = poste_provider_copy (provider);
  d->password = g_strdup (password);
  d->flags = flags;
  d->transcript = g_ptr_array_new_with_free_func (g_free);
  g_task_set_task_data (task, d, submit_data_free);
  g_task_run_in_thread (task, submit_thread);
}

/**
 * poste_outbox_submit_finish:
 * @self: a #PosteOutbox
 * @result: the #GAsyncResult given to the callback
 * @counts: (out caller-allocates) (optional): what happened (also when it failed part way)
 * @transcript: (out) (transfer full) (optional) (element-type utf8): the redacted transcript
 * @error: return location for a #GError
 *
 * Returns: as poste_outbox_submit()
 */
gboolean
poste_outbox_submit_finish (PosteOutbox        *self,
                            GAsyncResult       *result,
                            PosteOutboxCounts  *counts,
                            GPtrArray         **transcript,
                            GError            **error)
{
  SubmitData *d;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == poste_outbox_submit_async,
                        FALSE);

  d = g_task_get_task_data (G_TASK (result));
  if (counts != NULL)
    *counts = d->counts;
  if (transcript != NULL)
    *transcript = g_ptr_array_ref (d->transcript);
  return g_task_propagate_boolean (G_TASK (result), error);
}
