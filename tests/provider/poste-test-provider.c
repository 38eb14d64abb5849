/* poste-test-provider.c: the provider side of ODMR (RFC 2645), for tests, the demo and benchmarks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A faithful, small ODMR provider: an SMTP server for the client phase (EHLO, STARTTLS per
 * RFC 3207, AUTH per RFC 4954 through libgsasl, ATRN per RFC 2645) that turns around on ATRN and
 * becomes an SMTP client (RFC 5321) delivering its spool to the customer, with PIPELINING
 * (RFC 2920) and BDAT (RFC 3030) when asked. Every read is bounded in length and in time (the
 * provider's timeout) by its own line reader and reply parser (poste-test-wire.c), which share no
 * code with the customer's. It serves one connection at a time in a thread of its own.
 *
 * Misbehaviour is scripted with "faults" (see poste-test-provider.h), so the customer's handling of
 * every odd reply, every drop and every malformed byte can be tested against real sockets.
 *
 * This file is the object, its public API and its spool. The rooms of a session are beside it:
 * poste-test-provider-session.c (accepting a connection, the transcript, line I/O, stages),
 * poste-test-provider-client.c (the client phase: greeting, EHLO, STARTTLS, AUTH, ATRN, ETRN),
 * poste-test-provider-reversed.c (the reversed phase: handing the spool over as an SMTP
 * client), poste-test-provider-submission.c (the submission server, RFC 6409) and
 * poste-test-provider-faults.c (the fault script); poste-test-provider-private.h is what they
 * share.
 */
#include "config.h"

#include <errno.h>
#include <gsasl.h>
#include <string.h>

#include "poste-data-decoder.h"
#include "poste-error.h"
#include "poste-reply.h"
#include "poste-test-provider-private.h"

PosteTestMessage *
tp_message_new (const char          *sender,
                GPtrArray           *recipients,
                GBytes              *data,
                const char          *path)
{
  Message *m = g_new0 (Message, 1);

  g_atomic_ref_count_init (&m->ref_count);
  m->pub.sender = g_strdup (sender != NULL ? sender : "");
  m->pub.recipients = recipients;
  m->pub.data = data != NULL ? g_bytes_ref (data) : NULL;
  m->pub.path = g_strdup (path);
  return &m->pub;
}

/**
 * poste_test_message_ref:
 * @message: a #PosteTestMessage
 *
 * Returns: (transfer full): @message, with one more reference
 */
PosteTestMessage *
poste_test_message_ref (PosteTestMessage *message)
{
  Message *m = (Message *) message;

  g_return_val_if_fail (message != NULL, NULL);
  g_atomic_ref_count_inc (&m->ref_count);
  return message;
}

/**
 * poste_test_message_unref:
 * @message: (transfer full): a #PosteTestMessage
 *
 * Drops a reference; frees the message with the last one.
 */
void
poste_test_message_unref (PosteTestMessage *message)
{
  Message *m = (Message *) message;

  g_return_if_fail (message != NULL);
  if (!g_atomic_ref_count_dec (&m->ref_count))
    return;
  g_free (m->pub.sender);
  g_ptr_array_unref (m->pub.recipients);
  g_clear_pointer (&m->pub.data, g_bytes_unref);
  g_free (m->pub.path);
  g_free (m);
}

const char *
tp_address_domain (const char *address)
{
  const char *at = strrchr (address, '@');

  return at != NULL ? at + 1 : "";
}

gboolean
tp_domain_in (const char          *domain,
              const char * const  *domains)
{
  for (guint i = 0; domains != NULL && domains[i] != NULL; i++)
    if (g_ascii_strcasecmp (domain, domains[i]) == 0)
      return TRUE;
  return FALSE;
}

G_DEFINE_FINAL_TYPE (PosteTestProvider, poste_test_provider, G_TYPE_OBJECT)

/* GObject */

static void
account_free (gpointer data)
{
  Account *a = data;

  g_free (a->user);
  g_free (a->password);
  g_strfreev (a->domains);
  g_free (a);
}

static void
poste_test_provider_finalize (GObject *object)
{
  PosteTestProvider *self = POSTE_TEST_PROVIDER (object);

  poste_test_provider_stop (self);
  tp_faults_clear (&self->faults);
  g_clear_object (&self->certificate);
  g_free (self->hostname);
  g_ptr_array_unref (self->accounts);
  g_ptr_array_unref (self->spool);
  g_ptr_array_unref (self->accepted);
  g_ptr_array_unref (self->returned);
  g_string_free (self->transcript, TRUE);
  gsasl_done (self->gsasl);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (poste_test_provider_parent_class)->finalize (object);
}

static void
poste_test_provider_class_init (PosteTestProviderClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = poste_test_provider_finalize;
}

static void
poste_test_provider_init (PosteTestProvider *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->hostname = g_strdup ("provider.test");
  self->timeout = DEFAULT_TIMEOUT;
  self->accounts = g_ptr_array_new_with_free_func (account_free);
  self->spool = g_ptr_array_new_with_free_func ((GDestroyNotify) poste_test_message_unref);
  self->accepted = g_ptr_array_new_with_free_func ((GDestroyNotify) poste_test_message_unref);
  self->returned = g_ptr_array_new_with_free_func ((GDestroyNotify) poste_test_message_unref);
  self->transcript = g_string_new (NULL);
  tp_faults_clear (&self->faults);
  self->faults.mechanisms = g_strsplit (DEFAULT_MECHANISMS, ",", -1);
  if (gsasl_init (&self->gsasl) != GSASL_OK)
    g_error ("gsasl_init failed");
  gsasl_callback_set (self->gsasl, tp_sasl_callback);
  gsasl_callback_hook_set (self->gsasl, self);
}

/* Public API */

/**
 * poste_test_provider_new:
 *
 * Makes a provider with no accounts, an empty spool, plain text (no TLS), the default AUTH
 * mechanisms (SCRAM-SHA-256, SCRAM-SHA-1, CRAM-MD5, PLAIN, LOGIN; PLAIN and LOGIN only inside
 * TLS) and a timeout of 30 seconds on every read and write.
 *
 * Returns: (transfer full): a new #PosteTestProvider
 */
PosteTestProvider *
poste_test_provider_new (void)
{
  return g_object_new (POSTE_TYPE_TEST_PROVIDER, NULL);
}

/**
 * poste_test_provider_new_holding_one:
 * @certificate: the server certificate with its key, for STARTTLS
 * @user: the one account's user name
 * @password: its password
 * @domains: (array zero-terminated=1): its domains; example.org among them, for the message to
 *   be its own
 *
 * Makes the provider the application tests start from: STARTTLS (RFC 3207), one account, and
 * one message spooled from carol@remote.example for alice@example.org ("Subject: held for
 * you"). Not started: add what else a test needs, then poste_test_provider_start().
 *
 * Returns: (transfer full): a new #PosteTestProvider
 */
PosteTestProvider *
poste_test_provider_new_holding_one (GTlsCertificate    *certificate,
                                     const char         *user,
                                     const char         *password,
                                     const char * const *domains)
{
  static const char *const alice[] = { "alice@example.org", NULL };
  PosteTestProvider *self = poste_test_provider_new ();

  poste_test_provider_set_tls (self, POSTE_TEST_TLS_STARTTLS, certificate);
  poste_test_provider_add_account (self, user, password, domains);
  poste_test_provider_add_message (self, "carol@remote.example", alice,
                                   "From: carol@remote.example\r\n"
                                   "To: alice@example.org\r\n"
                                   "Subject: held for you\r\n"
                                   "\r\n"
                                   "Hello.\r\n", -1);
  return self;
}

/**
 * poste_test_provider_set_tls:
 * @self: a #PosteTestProvider
 * @mode: the #PosteTestTls mode
 * @certificate: (nullable): the server certificate with its key; required unless @mode is
 *   %POSTE_TEST_TLS_NONE
 *
 * Chooses plain text, STARTTLS (RFC 3207) or implicit TLS. Call before
 * poste_test_provider_start().
 */
void
poste_test_provider_set_tls (PosteTestProvider *self,
                             PosteTestTls       mode,
                             GTlsCertificate   *certificate)
{
  g_return_if_fail (POSTE_IS_TEST_PROVIDER (self));
  g_return_if_fail (mode == POSTE_TEST_TLS_NONE || G_IS_TLS_CERTIFICATE (certificate));

  self->tls_mode = mode;
  g_set_object (&self->certificate, certificate);
}

/**
 * poste_test_provider_set_submission:
 * @self: a #PosteTestProvider
 * @submission: %TRUE to serve message submission (RFC 6409) instead of ODMR
 *
 * In submission mode the provider is a relay: after EHLO, STARTTLS (as set with
 * poste_test_provider_set_tls()) and AUTH (the same accounts), it takes MAIL, RCPT and DATA and
 * records each message it answers 250 to the end of DATA, with its recipients, as
 * poste_test_provider_dup_accepted() returns them (content CRLF, not dot-stuffed). MAIL before
 * AUTH gets 530; ATRN gets 502. The faults submit-mail=, submit-rcpt=, submit-data= and
 * submit-end= script refusals. Call before poste_test_provider_start().
 */
void
poste_test_provider_set_submission (PosteTestProvider *self,
                                    gboolean           submission)
{
  g_return_if_fail (POSTE_IS_TEST_PROVIDER (self));
  self->submission = submission;
}

/**
 * poste_test_provider_set_hostname:
 * @self: a #PosteTestProvider
 * @hostname: the name in the greeting and in EHLO; "provider.test" by default
 */
void
poste_test_provider_set_hostname (PosteTestProvider *self,
                                  const char        *hostname)
{
  g_return_if_fail (POSTE_IS_TEST_PROVIDER (self));
  g_return_if_fail (hostname != NULL);

  g_free (self->hostname);
  self->hostname = g_strdup (hostname);
}

/**
 * poste_test_provider_set_port:
 * @self: a #PosteTestProvider
 * @port: the port to listen on, or 0 for any free port (the default)
 */
void
poste_test_provider_set_port (PosteTestProvider *self,
                              guint16            port)
{
  g_return_if_fail (POSTE_IS_TEST_PROVIDER (self));
  self->port = port;
}

/**
 * poste_test_provider_set_ipv6:
 * @self: a #PosteTestProvider, not started
 * @ipv6: %TRUE to listen on ::1 instead of 127.0.0.1
 */
void
poste_test_provider_set_ipv6 (PosteTestProvider *self,
                              gboolean           ipv6)
{
  g_return_if_fail (POSTE_IS_TEST_PROVIDER (self));
  self->ipv6 = !!ipv6;
}

/**
 * poste_test_provider_set_timeout:
 * @self: a #PosteTestProvider
 * @seconds: the deadline of every read, write and TLS handshake, in seconds (at least 1)
 */
void
poste_test_provider_set_timeout (PosteTestProvider *self,
                                 guint              seconds)
{
  g_return_if_fail (POSTE_IS_TEST_PROVIDER (self));
  self->timeout = MAX (seconds, 1);
}

/**
 * poste_test_provider_add_account:
 * @self: a #PosteTestProvider
 * @user: the SASL authentication identity
 * @password: its password (any mechanism derives from it)
 * @domains: (array zero-terminated=1): the domains the account may ask for with ATRN
 *
 * Adds a customer account. Thread-safe.
 */
void
poste_test_provider_add_account (PosteTestProvider  *self,
                                 const char         *user,
                                 const char         *password,
                                 const char * const *domains)
{
  Account *a;

  g_return_if_fail (POSTE_IS_TEST_PROVIDER (self));
  g_return_if_fail (user != NULL && password != NULL && domains != NULL);

  a = g_new0 (Account, 1);
  a->user = g_strdup (user);
  a->password = g_strdup (password);
  a->domains = g_strdupv ((char **) domains);
  g_mutex_lock (&self->lock);
  g_ptr_array_add (self->accounts, a);
  g_mutex_unlock (&self->lock);
}

static GPtrArray *
recipients_new (const char * const *recipients)
{
  GPtrArray *array = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; recipients[i] != NULL; i++)
    g_ptr_array_add (array, g_strdup (recipients[i]));
  return array;
}

/* Bare LF becomes CR LF and the text ends with CR LF. */
static GBytes *
normalise_text (const char *data,
                gsize       length)
{
  GByteArray *out = g_byte_array_sized_new (length + length / 32 + 2);

  for (gsize i = 0; i < length; i++)
    {
      if (data[i] == '\n' && (i == 0 || data[i - 1] != '\r'))
        g_byte_array_append (out, (const guint8 *) "\r", 1);
      g_byte_array_append (out, (const guint8 *) data + i, 1);
    }
  if (out->len > 0 && (out->len < 2 || out->data[out->len - 1] != '\n' ||
                       out->data[out->len - 2] != '\r'))
    g_byte_array_append (out, (const guint8 *) "\r\n", 2);
  return g_byte_array_free_to_bytes (out);
}

/**
 * poste_test_provider_add_message:
 * @self: a #PosteTestProvider
 * @sender: the envelope sender, "" for the null sender
 * @recipients: (array zero-terminated=1): the envelope recipients
 * @data: (array length=length): the message text, not dot-stuffed
 * @length: the length of @data in bytes, or -1 when NUL-terminated
 *
 * Spools a message. Bare LF line ends become CR LF, and a missing final line end is added, unless
 * the fault "raw" is set (set faults first). Thread-safe.
 */
void
poste_test_provider_add_message (PosteTestProvider  *self,
                                 const char         *sender,
                                 const char * const *recipients,
                                 const char         *data,
                                 gssize              length)
{
  g_autoptr(GBytes) bytes = NULL;

  g_return_if_fail (POSTE_IS_TEST_PROVIDER (self));
  g_return_if_fail (recipients != NULL && data != NULL);

  if (length < 0)
    length = strlen (data);
  bytes = self->faults.raw ? g_bytes_new (data, length) : normalise_text (data, length);
  g_mutex_lock (&self->lock);
  g_ptr_array_add (self->spool, tp_message_new (sender, recipients_new (recipients), bytes, NULL));
  g_mutex_unlock (&self->lock);
}

/**
 * poste_test_provider_add_message_file:
 * @self: a #PosteTestProvider
 * @sender: the envelope sender, "" for the null sender
 * @recipients: (array zero-terminated=1): the envelope recipients
 * @path: a file holding the message text
 *
 * Spools a message kept on disk: it is streamed when sent, so files of any size (2 GB and more)
 * cost no memory. Bare LF line ends become CR LF on the wire unless the fault "raw" is set.
 */
void
poste_test_provider_add_message_file (PosteTestProvider  *self,
                                      const char         *sender,
                                      const char * const *recipients,
                                      const char         *path)
{
  g_return_if_fail (POSTE_IS_TEST_PROVIDER (self));
  g_return_if_fail (recipients != NULL && path != NULL);

  g_mutex_lock (&self->lock);
  g_ptr_array_add (self->spool, tp_message_new (sender, recipients_new (recipients), NULL, path));
  g_mutex_unlock (&self->lock);
}

/**
 * poste_test_provider_count_spooled:
 * @self: a #PosteTestProvider
 *
 * Returns: the number of messages still held (with at least one recipient not delivered)
 */
guint
poste_test_provider_count_spooled (PosteTestProvider *self)
{
  guint n;

  g_return_val_if_fail (POSTE_IS_TEST_PROVIDER (self), 0);
  g_mutex_lock (&self->lock);
  n = self->spool->len;
  g_mutex_unlock (&self->lock);
  return n;
}

/**
 * poste_test_provider_dup_accepted:
 * @self: a #PosteTestProvider
 *
 * The transactions the customer acknowledged with 250 to the end of DATA, in order: one
 * #PosteTestMessage each, with the recipients of that transaction only.
 *
 * Returns: (transfer container) (element-type PosteTestMessage): the accepted messages; free the
 *   array with g_ptr_array_unref()
 */
GPtrArray *
poste_test_provider_dup_accepted (PosteTestProvider *self)
{
  GPtrArray *copy;

  g_return_val_if_fail (POSTE_IS_TEST_PROVIDER (self), NULL);
  copy = g_ptr_array_new_with_free_func ((GDestroyNotify) poste_test_message_unref);
  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->accepted->len; i++)
    g_ptr_array_add (copy, poste_test_message_ref (g_ptr_array_index (self->accepted, i)));
  g_mutex_unlock (&self->lock);
  return copy;
}

/**
 * poste_test_provider_dup_returned:
 * @self: a #PosteTestProvider
 *
 * What the provider returned to its senders, in order: one #PosteTestMessage for each message
 * with the recipients the customer refused with 5xx (at RCPT; with the fault "return-5xx" also
 * at MAIL and at the end of the message). Those recipients have left the spool.
 *
 * Returns: (transfer container) (element-type PosteTestMessage): the returned messages; free
 *   the array with g_ptr_array_unref()
 */
GPtrArray *
poste_test_provider_dup_returned (PosteTestProvider *self)
{
  GPtrArray *copy;

  g_return_val_if_fail (POSTE_IS_TEST_PROVIDER (self), NULL);
  copy = g_ptr_array_new_with_free_func ((GDestroyNotify) poste_test_message_unref);
  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->returned->len; i++)
    g_ptr_array_add (copy, poste_test_message_ref (g_ptr_array_index (self->returned, i)));
  g_mutex_unlock (&self->lock);
  return copy;
}

/**
 * poste_test_provider_set_faults:
 * @self: a #PosteTestProvider
 * @spec: (nullable): space-separated faults (see poste-test-provider.h); %NULL or "" for none
 * @error: return location for a #GError
 *
 * Replaces the scripted misbehaviour. Call while no session runs.
 *
 * Returns: %TRUE on success; %FALSE with %G_IO_ERROR_INVALID_ARGUMENT for an unknown fault or a
 *   bad value (the faults are then unchanged)
 */
gboolean
poste_test_provider_set_faults (PosteTestProvider  *self,
                                const char         *spec,
                                GError            **error)
{
  Faults parsed;

  g_return_val_if_fail (POSTE_IS_TEST_PROVIDER (self), FALSE);

  memset (&parsed, 0, sizeof parsed);
  tp_faults_clear (&parsed);
  if (!tp_faults_parse (&parsed, spec, error))
    {
      tp_faults_clear (&parsed);
      return FALSE;
    }
  if (parsed.mechanisms == NULL)
    parsed.mechanisms = g_strsplit (DEFAULT_MECHANISMS, ",", -1);
  g_mutex_lock (&self->lock);
  tp_faults_clear (&self->faults);
  self->faults = parsed;
  g_mutex_unlock (&self->lock);
  return TRUE;
}

/**
 * poste_test_provider_start:
 * @self: a #PosteTestProvider
 * @error: return location for a #GError
 *
 * Listens on 127.0.0.1, or ::1 after poste_test_provider_set_ipv6() (the port of
 * poste_test_provider_set_port(), any free one by default)
 * and serves one connection at a time in a thread of its own until poste_test_provider_stop().
 *
 * Returns: the port; 0 with a #GIOError when it cannot listen
 */
guint16
poste_test_provider_start (PosteTestProvider  *self,
                           GError            **error)
{
  g_autoptr(GInetAddress) loopback = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocketAddress) effective = NULL;

  g_return_val_if_fail (POSTE_IS_TEST_PROVIDER (self), 0);
  g_return_val_if_fail (self->thread == NULL, 0);

  loopback = g_inet_address_new_loopback (self->ipv6 ? G_SOCKET_FAMILY_IPV6
                                                     : G_SOCKET_FAMILY_IPV4);
  address = g_inet_socket_address_new (loopback, self->port);
  self->listener = g_socket_listener_new ();
  if (!g_socket_listener_add_address (self->listener, address, G_SOCKET_TYPE_STREAM,
                                      G_SOCKET_PROTOCOL_TCP, NULL, &effective, error))
    {
      g_clear_object (&self->listener);
      return 0;
    }
  self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  self->cancellable = g_cancellable_new ();
  self->thread = g_thread_new ("poste-test-provider", tp_serve_thread, self);
  return self->port;
}

/**
 * poste_test_provider_get_port:
 * @self: a #PosteTestProvider
 *
 * Returns: the port it listens on once started; before, the port asked for (0: any)
 */
guint16
poste_test_provider_get_port (PosteTestProvider *self)
{
  g_return_val_if_fail (POSTE_IS_TEST_PROVIDER (self), 0);
  return self->port;
}

/**
 * poste_test_provider_stop:
 * @self: a #PosteTestProvider
 *
 * Stops listening, ends the current session (its waits are cancelled) and joins the thread.
 * Does nothing when not started.
 */
void
poste_test_provider_stop (PosteTestProvider *self)
{
  g_return_if_fail (POSTE_IS_TEST_PROVIDER (self));

  if (self->thread == NULL)
    return;
  g_cancellable_cancel (self->cancellable);
  g_thread_join (g_steal_pointer (&self->thread));
  g_socket_listener_close (self->listener);
  g_clear_object (&self->listener);
  g_clear_object (&self->cancellable);
}

/**
 * poste_test_provider_get_sessions:
 * @self: a #PosteTestProvider
 *
 * Returns: how many sessions have ended so far
 */
guint
poste_test_provider_get_sessions (PosteTestProvider *self)
{
  guint n;

  g_return_val_if_fail (POSTE_IS_TEST_PROVIDER (self), 0);
  g_mutex_lock (&self->lock);
  n = self->sessions;
  g_mutex_unlock (&self->lock);
  return n;
}

/**
 * poste_test_provider_wait_sessions:
 * @self: a #PosteTestProvider
 * @sessions: the number of ended sessions to wait for
 * @timeout_seconds: the longest wait, in seconds
 *
 * Waits until @sessions sessions have ended (the provider's side closed), so a test can look at
 * the spool and the transcript knowing the provider is done.
 *
 * Returns: %TRUE when they have ended, %FALSE when the wait timed out
 */
gboolean
poste_test_provider_wait_sessions (PosteTestProvider *self,
                                   guint              sessions,
                                   guint              timeout_seconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_seconds * G_USEC_PER_SEC;
  gboolean ok = TRUE;

  g_return_val_if_fail (POSTE_IS_TEST_PROVIDER (self), FALSE);
  g_mutex_lock (&self->lock);
  while (self->sessions < sessions && ok)
    ok = g_cond_wait_until (&self->cond, &self->lock, deadline);
  ok = self->sessions >= sessions;
  g_mutex_unlock (&self->lock);
  return ok;
}

/**
 * poste_test_provider_dup_transcript:
 * @self: a #PosteTestProvider
 *
 * The current or last session, one line per entry: "C: " for what the customer sent, "S: " for
 * what the provider sent, and bracketed notes ("[TLS]", "[drop]", errors). SASL exchanges are
 * replaced by "<SASL data>".
 *
 * Returns: (transfer full): the transcript
 */
char *
poste_test_provider_dup_transcript (PosteTestProvider *self)
{
  char *copy;

  g_return_val_if_fail (POSTE_IS_TEST_PROVIDER (self), NULL);
  g_mutex_lock (&self->lock);
  copy = g_strdup (self->transcript->str);
  g_mutex_unlock (&self->lock);
  return copy;
}
