/* test-smtp-client.c: libposte's one SMTP and LMTP client against scripted servers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each case is a short script, as OpenSMTPD's smtpscript has them: what the server says and
 * what it expects to read, run by a peer thread on the other end of a socket pair. The peer
 * reads exactly what the script says before it answers, so a client that waited for a reply the
 * script sends only later (say, to MAIL when PIPELINING lets it send every RCPT first) misses its
 * deadline and the case fails. Bodies are recorded byte for byte.
 *
 * Script steps:
 *   "> text"   the server sends text and CR LF ("\r\n" inside for a multi-line reply)
 *   "< line"   the server reads one line and it must be exactly this
 *   "<DATA"    the server reads a dot-terminated body into the recording (terminator included)
 *   "<BDAT"    the server reads a "BDAT n [LAST]" line and n octets into the recording
 *   "!"        the server closes the connection
 */
#include "config.h"

#include <string.h>
#include <sys/socket.h>

#include "poste-error.h"
#include "poste-smtp-client.h"
#include "poste-test.h"

#define DEADLINE_SECONDS 5

/* The openings most scripts share: the greeting and EHLO with the given reply, and an envelope
 * of one sender and one recipient, both accepted. */
#define GREETED(ehlo_reply) \
  "> 220 relay.test ESMTP", "< EHLO customer.test", ehlo_reply
#define ONE_RECIPIENT \
  "< MAIL FROM:<a@customer.test>", "> 250 Ok", "< RCPT TO:<b@elsewhere.test>", "> 250 Ok"

typedef struct {
  const char * const *script;
  GIOStream          *stream;
  GString            *recording;  /* bodies, and each BDAT line */
  GString            *mismatch;   /* the first step that went wrong, if any */
} Peer;

typedef struct {
  PosteConnection *connection;
  PosteSmtpClient *client;
  GThread         *thread;
  Peer             peer;
  GPtrArray       *log;
} Fixture;

static char *
read_line (GDataInputStream *in)
{
  gsize length;
  char *line = g_data_input_stream_read_line (in, &length, NULL, NULL);

  if (line != NULL && length > 0 && line[length - 1] == '\r')
    line[length - 1] = '\0';
  return line;
}

static gpointer
peer_run (gpointer data)
{
  Peer *peer = data;
  g_autoptr(GDataInputStream) in =
    g_data_input_stream_new (g_io_stream_get_input_stream (peer->stream));
  GOutputStream *out = g_io_stream_get_output_stream (peer->stream);

  g_data_input_stream_set_newline_type (in, G_DATA_STREAM_NEWLINE_TYPE_LF);
  for (guint i = 0; peer->script[i] != NULL && peer->mismatch->len == 0; i++)
    {
      const char *step = peer->script[i];

      if (g_str_has_prefix (step, "> "))
        {
          g_autofree char *text = g_strconcat (step + 2, "\r\n", NULL);

          g_output_stream_write_all (out, text, strlen (text), NULL, NULL, NULL);
        }
      else if (g_str_has_prefix (step, "< "))
        {
          g_autofree char *line = read_line (in);

          if (g_strcmp0 (line, step + 2) != 0)
            g_string_printf (peer->mismatch, "step %u: read '%s', expected '%s'", i,
                             line != NULL ? line : "(end)", step + 2);
        }
      else if (g_str_equal (step, "<DATA"))
        {
          for (;;)
            {
              g_autofree char *line = read_line (in);

              if (line == NULL)
                {
                  g_string_printf (peer->mismatch, "step %u: the body did not end", i);
                  break;
                }
              g_string_append_printf (peer->recording, "%s\r\n", line);
              if (g_str_equal (line, "."))
                break;
            }
        }
      else if (g_str_equal (step, "<BDAT"))
        {
          g_autofree char *line = read_line (in);
          guint64 size = 0;
          g_autofree char *chunk = NULL;
          gsize got = 0;

          if (line == NULL || !g_str_has_prefix (line, "BDAT "))
            {
              g_string_printf (peer->mismatch, "step %u: read '%s', expected BDAT", i,
                               line != NULL ? line : "(end)");
              break;
            }
          size = g_ascii_strtoull (line + 5, NULL, 10);
          chunk = g_malloc (size + 1);
          g_input_stream_read_all (G_INPUT_STREAM (in), chunk, size, &got, NULL, NULL);
          g_string_append_printf (peer->recording, "[%s]", line);
          g_string_append_len (peer->recording, chunk, (gssize) got);
        }
      else if (g_str_equal (step, "!"))
        g_io_stream_close (peer->stream, NULL, NULL);
      else
        g_assert_not_reached ();
    }
  return NULL;
}

static void
log_line (const char *prefix,
          const char *line,
          gpointer    user_data)
{
  g_ptr_array_add (user_data, g_strconcat (prefix, line, NULL));
}

static void
fixture_start (Fixture              *f,
               const char * const   *script,
               PosteSmtpClientFlags  flags)
{
  int fds[2];
  g_autoptr(GSocketConnection) ours = NULL;

  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM, 0, fds), ==, 0);
  ours = poste_test_socket_connection_new (fds[0]);
  f->peer.stream = G_IO_STREAM (poste_test_socket_connection_new (fds[1]));
  f->peer.script = script;
  f->peer.recording = g_string_new (NULL);
  f->peer.mismatch = g_string_new (NULL);
  f->connection = poste_connection_new (G_IO_STREAM (ours));
  poste_connection_set_timeout (f->connection, DEADLINE_SECONDS);
  f->client = poste_smtp_client_new (f->connection, flags);
  f->log = g_ptr_array_new_with_free_func (g_free);
  poste_smtp_client_set_log_func (f->client, log_line, f->log);
  f->thread = g_thread_new ("scripted-server", peer_run, &f->peer);
}

/* Waits for the script's end, then checks it was followed to the letter. */
static void
fixture_finish (Fixture *f)
{
  g_thread_join (f->thread);
  g_assert_cmpstr (f->peer.mismatch->str, ==, "");
}

static void
fixture_clear (Fixture *f)
{
  poste_smtp_client_free (f->client);
  poste_connection_unref (f->connection);
  g_io_stream_close (f->peer.stream, NULL, NULL);
  g_object_unref (f->peer.stream);
  g_string_free (f->peer.recording, TRUE);
  g_string_free (f->peer.mismatch, TRUE);
  g_ptr_array_unref (f->log);
}

static void
assert_reply (PosteReply *reply,
              guint       code)
{
  g_assert_nonnull (reply);
  g_assert_cmpuint (reply->code, ==, code);
  poste_reply_free (reply);
}

static void
greet (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (poste_smtp_client_get_state (f->client), ==,
                   POSTE_SMTP_CLIENT_STATE_GREETING);
  assert_reply (poste_smtp_client_greeting (f->client, NULL, &error), 220);
  g_assert_cmpint (poste_smtp_client_get_state (f->client), ==, POSTE_SMTP_CLIENT_STATE_HELLO);
  assert_reply (poste_smtp_client_hello (f->client, "customer.test", TRUE, NULL, &error), 250);
  g_assert_no_error (error);
  g_assert_cmpint (poste_smtp_client_get_state (f->client), ==, POSTE_SMTP_CLIENT_STATE_READY);
}

/* Starts the scripted server and reads its greeting and EHLO reply: where most cases begin. */
static void
fixture_greeted (Fixture              *f,
                 const char * const   *script,
                 PosteSmtpClientFlags  flags)
{
  fixture_start (f, script, flags);
  greet (f);
}

/* MAIL FROM, one RCPT TO and the start of the body, each accepted. */
static void
open_body (Fixture    *f,
           const char *sender,
           const char *recipient)
{
  g_autoptr(GError) error = NULL;
  PosteReply *refusal = NULL;

  assert_reply (poste_smtp_client_mail (f->client, sender, NULL, NULL, &error), 250);
  assert_reply (poste_smtp_client_rcpt (f->client, recipient, NULL, &error), 250);
  g_assert_true (poste_smtp_client_data (f->client, &refusal, NULL, &error));
  g_assert_no_error (error);
  g_assert_null (refusal);
  g_assert_cmpint (poste_smtp_client_get_state (f->client), ==, POSTE_SMTP_CLIENT_STATE_DATA);
}

static void
test_state_names (void)
{
  GHashTable *seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (PosteSmtpClientState s = POSTE_SMTP_CLIENT_STATE_GREETING;
       s <= POSTE_SMTP_CLIENT_STATE_CLOSED; s++)
    {
      const char *name = poste_smtp_client_state_to_string (s);

      g_assert_cmpstr (name, !=, "unknown");
      g_assert_false (g_hash_table_contains (seen, name));
      g_hash_table_add (seen, (gpointer) name);
    }
  g_assert_cmpstr (poste_smtp_client_state_to_string (POSTE_SMTP_CLIENT_STATE_CLOSED + 1), ==,
                   "unknown");
  g_hash_table_unref (seen);
}

/* DATA, one command at a time (no PIPELINING offered), with a body that needs every repair. */
static void
test_data (void)
{
  static const char * const script[] = {
    GREETED ("> 250-relay.test\r\n250-SIZE 1000\r\n250 8BITMIME"),
    "< MAIL FROM:<a@customer.test> SIZE=12 BODY=8BITMIME",
    "> 250 2.1.0 Ok",
    "< RCPT TO:<b@elsewhere.test>",
    "> 250 2.1.5 Ok",
    "< DATA",
    "> 354 Go ahead",
    "<DATA",
    "> 250 2.0.0 Queued",
    "< QUIT",
    "> 221 Bye",
    NULL,
  };
  static const char body[] = ".a\nb\rc\r\n.";
  PosteSmtpMailParams params = { .size = 12, .body_8bit = TRUE, .smtputf8 = TRUE };
  Fixture f = { 0, };
  g_autoptr(GError) error = NULL;
  PosteReply *refusal = NULL;

  fixture_greeted (&f, script, POSTE_SMTP_CLIENT_FLAGS_CHUNKING);
  g_assert_true (poste_smtp_client_has_extension (f.client, "SIZE", NULL));
  g_assert_false (poste_smtp_client_has_extension (f.client, "CHUNKING", NULL));

  /* SMTPUTF8 is not offered, so not sent; CHUNKING allowed but not offered: DATA. */
  assert_reply (poste_smtp_client_mail (f.client, "a@customer.test", &params, NULL, &error), 250);
  g_assert_cmpint (poste_smtp_client_get_state (f.client), ==, POSTE_SMTP_CLIENT_STATE_MAIL);
  assert_reply (poste_smtp_client_rcpt (f.client, "b@elsewhere.test", NULL, &error), 250);
  g_assert_true (poste_smtp_client_data (f.client, &refusal, NULL, &error));
  g_assert_null (refusal);
  g_assert_cmpint (poste_smtp_client_get_state (f.client), ==, POSTE_SMTP_CLIENT_STATE_DATA);
  for (gsize i = 0; i < strlen (body); i++)
    g_assert_true (poste_smtp_client_write_body (f.client, (const guint8 *) body + i, 1,
                                                 &refusal, NULL, &error));
  assert_reply (poste_smtp_client_end_body (f.client, 0, NULL, &error), 250);
  g_assert_no_error (error);
  g_assert_cmpint (poste_smtp_client_get_state (f.client), ==, POSTE_SMTP_CLIENT_STATE_READY);
  poste_smtp_client_quit (f.client, NULL);
  g_assert_cmpint (poste_smtp_client_get_state (f.client), ==, POSTE_SMTP_CLIENT_STATE_CLOSED);
  fixture_finish (&f);

  g_assert_cmpstr (f.peer.recording->str, ==, "..a\r\nb\r\nc\r\n..\r\n.\r\n");
  /* The transcript has every line both ways, the multi-line reply line by line. */
  g_assert_cmpstr (f.log->pdata[0], ==, "S: 220 relay.test ESMTP");
  g_assert_cmpstr (f.log->pdata[1], ==, "C: EHLO customer.test");
  g_assert_cmpstr (f.log->pdata[3], ==, "S: 250-SIZE 1000");
  fixture_clear (&f);
}

/* PIPELINING: the peer reads MAIL and both RCPTs before it answers anything. */
static void
test_pipelining (void)
{
  static const char * const script[] = {
    GREETED ("> 250-relay.test\r\n250 PIPELINING"),
    "< MAIL FROM:<a@customer.test>",
    "< RCPT TO:<b@elsewhere.test>",
    "< RCPT TO:<c@elsewhere.test>",
    "> 250 2.1.0 Ok",
    "> 550 5.1.1 No such user",
    "> 250 2.1.5 Ok",
    NULL,
  };
  static const char * const recipients[] = { "b@elsewhere.test", "c@elsewhere.test", NULL };
  Fixture f = { 0, };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) replies = g_ptr_array_new_with_free_func ((GDestroyNotify) poste_reply_free);

  fixture_greeted (&f, script, POSTE_SMTP_CLIENT_FLAGS_NONE);
  assert_reply (poste_smtp_client_envelope (f.client, "a@customer.test", NULL, recipients,
                                            replies, NULL, &error), 250);
  g_assert_no_error (error);
  g_assert_cmpuint (replies->len, ==, 2);
  g_assert_cmpuint (((PosteReply *) replies->pdata[0])->code, ==, 550);
  g_assert_cmpuint (((PosteReply *) replies->pdata[1])->code, ==, 250);
  g_assert_cmpint (poste_smtp_client_get_state (f.client), ==, POSTE_SMTP_CLIENT_STATE_MAIL);
  fixture_finish (&f);
  fixture_clear (&f);
}

/* Without PIPELINING a refused MAIL sends no RCPT at all. */
static void
test_envelope_refused (void)
{
  static const char * const script[] = {
    GREETED ("> 250 relay.test"),
    "< MAIL FROM:<a@customer.test>",
    "> 451 4.3.0 Try later",
    "< RSET",
    "> 250 Ok",
    NULL,
  };
  static const char * const recipients[] = { "b@elsewhere.test", NULL };
  Fixture f = { 0, };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) replies = g_ptr_array_new_with_free_func ((GDestroyNotify) poste_reply_free);

  fixture_greeted (&f, script, POSTE_SMTP_CLIENT_FLAGS_NONE);
  assert_reply (poste_smtp_client_envelope (f.client, "a@customer.test", NULL, recipients,
                                            replies, NULL, &error), 451);
  g_assert_cmpuint (replies->len, ==, 0);
  g_assert_cmpint (poste_smtp_client_get_state (f.client), ==, POSTE_SMTP_CLIENT_STATE_READY);
  assert_reply (poste_smtp_client_rset (f.client, NULL, &error), 250);
  fixture_finish (&f);
  fixture_clear (&f);
}

/* CHUNKING: a body past one chunk goes in BDAT chunks, not dot-stuffed, the last one LAST. */
static void
test_bdat (void)
{
  static const char * const script[] = {
    GREETED ("> 250-relay.test\r\n250 CHUNKING"),
    ONE_RECIPIENT,
    "<BDAT",
    "> 250 2.0.0 Chunk taken",
    "<BDAT",
    "> 250 2.0.0 Queued",
    NULL,
  };
  Fixture f = { 0, };
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) body = g_string_new (NULL);
  g_autoptr(GString) expected = g_string_new (NULL);
  PosteReply *refusal = NULL;
  gsize first;

  /* 70 000 octets of ".x\n" lines: past one chunk, and every line starts with a dot. */
  while (body->len < 70000)
    g_string_append (body, ".x\n");
  for (gsize i = 0; i < body->len; i += 3)
    g_string_append (expected, ".x\r\n");

  fixture_greeted (&f, script, POSTE_SMTP_CLIENT_FLAGS_CHUNKING);
  open_body (&f, "a@customer.test", "b@elsewhere.test");
  g_assert_true (poste_smtp_client_write_body (f.client, (const guint8 *) body->str, body->len,
                                               &refusal, NULL, &error));
  g_assert_no_error (error);
  assert_reply (poste_smtp_client_end_body (f.client, 0, NULL, &error), 250);
  g_assert_cmpint (poste_smtp_client_get_state (f.client), ==, POSTE_SMTP_CLIENT_STATE_READY);
  fixture_finish (&f);

  /* "[BDAT n]" + n octets, then "[BDAT m LAST]" + m octets, together the repaired body. */
  g_assert_true (g_str_has_prefix (f.peer.recording->str, "[BDAT "));
  first = g_ascii_strtoull (f.peer.recording->str + 6, NULL, 10);
  g_assert_cmpuint (first, >=, POSTE_SMTP_CLIENT_CHUNK);
  g_assert_cmpuint (first, <=, 2 * POSTE_SMTP_CLIENT_CHUNK);
  {
    g_autofree char *head = g_strdup_printf ("[BDAT %" G_GSIZE_FORMAT "]", first);
    const char *rest = f.peer.recording->str + strlen (head) + first;
    g_autofree char *tail = g_strdup_printf ("[BDAT %" G_GSIZE_FORMAT " LAST]",
                                             expected->len - first);
    g_autoptr(GString) joined = g_string_new_len (f.peer.recording->str + strlen (head),
                                                  (gssize) first);

    g_assert_true (g_str_has_prefix (rest, tail));
    g_string_append (joined, rest + strlen (tail));
    g_assert_cmpstr (joined->str, ==, expected->str);
  }
  fixture_clear (&f);
}

/* A refused chunk ends the transaction, with the server's own reply. */
static void
test_bdat_refused (void)
{
  static const char * const script[] = {
    GREETED ("> 250-relay.test\r\n250 CHUNKING"),
    ONE_RECIPIENT,
    "<BDAT",
    "> 552 5.3.4 Message too big",
    NULL,
  };
  Fixture f = { 0, };
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *body = g_malloc0 (3 * POSTE_SMTP_CLIENT_CHUNK);
  PosteReply *refusal = NULL;

  memset (body, 'y', 3 * POSTE_SMTP_CLIENT_CHUNK);
  fixture_greeted (&f, script, POSTE_SMTP_CLIENT_FLAGS_CHUNKING);
  open_body (&f, "a@customer.test", "b@elsewhere.test");
  g_assert_false (poste_smtp_client_write_body (f.client, body, 3 * POSTE_SMTP_CLIENT_CHUNK,
                                                &refusal, NULL, &error));
  g_assert_no_error (error);
  assert_reply (refusal, 552);
  g_assert_cmpint (poste_smtp_client_get_state (f.client), ==, POSTE_SMTP_CLIENT_STATE_READY);
  fixture_finish (&f);
  fixture_clear (&f);
}

/* LMTP: LHLO, and one reply per accepted recipient; the worst one is the verdict. */
static void
test_lmtp (void)
{
  static const char * const script[] = {
    "> 220 lmtp.test LMTP",
    "< LHLO customer.test",
    "> 250-lmtp.test\r\n250 PIPELINING",
    "< MAIL FROM:<>",
    "> 250 Ok",
    "< RCPT TO:<b@customer.test>",
    "> 250 Ok",
    "< RCPT TO:<c@customer.test>",
    "> 250 Ok",
    "< DATA",
    "> 354 Go ahead",
    "<DATA",
    "> 250 2.0.0 b delivered",
    "> 452 4.2.2 c is over quota",
    "< QUIT",
    "> 221 Bye",
    NULL,
  };
  Fixture f = { 0, };
  g_autoptr(GError) error = NULL;
  PosteReply *refusal = NULL;

  fixture_greeted (&f, script, POSTE_SMTP_CLIENT_FLAGS_LMTP);
  assert_reply (poste_smtp_client_mail (f.client, "", NULL, NULL, &error), 250);
  assert_reply (poste_smtp_client_rcpt (f.client, "b@customer.test", NULL, &error), 250);
  assert_reply (poste_smtp_client_rcpt (f.client, "c@customer.test", NULL, &error), 250);
  g_assert_true (poste_smtp_client_data (f.client, &refusal, NULL, &error));
  g_assert_true (poste_smtp_client_write_body (f.client, (const guint8 *) "hi\r\n", 4, &refusal,
                                               NULL, &error));
  assert_reply (poste_smtp_client_end_body (f.client, 0, NULL, &error), 452);
  /* Both replies were read: QUIT is next in step. */
  poste_smtp_client_quit (f.client, NULL);
  fixture_finish (&f);
  g_assert_cmpstr (f.peer.recording->str, ==, "hi\r\n.\r\n");
  fixture_clear (&f);
}

/* A server without EHLO gets HELO; its reply offers nothing. */
static void
test_helo_fallback (void)
{
  static const char * const script[] = {
    "> 220 old.test SMTP",
    "< EHLO customer.test",
    "> 502 5.5.2 What?",
    "< HELO customer.test",
    "> 250 old.test",
    NULL,
  };
  Fixture f = { 0, };

  fixture_greeted (&f, script, POSTE_SMTP_CLIENT_FLAGS_NONE);
  g_assert_null (poste_smtp_client_get_capabilities (f.client));
  fixture_finish (&f);
  fixture_clear (&f);
}

/* A 421 closes the client: nothing more is said, not even QUIT. */
static void
test_closing (void)
{
  static const char * const script[] = {
    GREETED ("> 250 relay.test"),
    "< MAIL FROM:<a@customer.test>",
    "> 421 4.3.2 Shutting down",
    "!",
    NULL,
  };
  Fixture f = { 0, };
  g_autoptr(GError) error = NULL;

  fixture_greeted (&f, script, POSTE_SMTP_CLIENT_FLAGS_NONE);
  assert_reply (poste_smtp_client_mail (f.client, "a@customer.test", NULL, NULL, &error), 421);
  g_assert_cmpint (poste_smtp_client_get_state (f.client), ==, POSTE_SMTP_CLIENT_STATE_CLOSED);
  poste_smtp_client_quit (f.client, NULL);
  fixture_finish (&f);
  g_assert_cmpstr (f.log->pdata[f.log->len - 1], ==, "S: 421 4.3.2 Shutting down");
  fixture_clear (&f);
}

/* A connection that ends in the middle is an error, and closes the client. */
static void
test_dropped (void)
{
  static const char * const script[] = {
    GREETED ("> 250 relay.test"),
    "< RCPT TO:<b@elsewhere.test>",
    "!",
    NULL,
  };
  Fixture f = { 0, };
  g_autoptr(GError) error = NULL;

  fixture_greeted (&f, script, POSTE_SMTP_CLIENT_FLAGS_NONE);
  g_assert_null (poste_smtp_client_rcpt (f.client, "b@elsewhere.test", NULL, &error));
  g_assert_nonnull (error);
  g_assert_cmpint (poste_smtp_client_get_state (f.client), ==, POSTE_SMTP_CLIENT_STATE_CLOSED);
  fixture_finish (&f);
  fixture_clear (&f);
}

/* An address that would break its line is refused before anything is sent. */
static void
test_address_injection (void)
{
  static const char * const script[] = {
    GREETED ("> 250 relay.test"),
    "< NOOP",
    "> 250 Ok",
    NULL,
  };
  static const char * const recipients[] = { "b@x.test>\r\nRCPT TO:<c@y.test", NULL };
  Fixture f = { 0, };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) replies = g_ptr_array_new_with_free_func ((GDestroyNotify) poste_reply_free);

  fixture_greeted (&f, script, POSTE_SMTP_CLIENT_FLAGS_NONE);
  g_assert_null (poste_smtp_client_mail (f.client, "a@x.test>\r\nRSET", NULL, NULL, &error));
  g_assert_error (error, POSTE_PROTOCOL_ERROR, POSTE_PROTOCOL_ERROR_MALFORMED);
  g_clear_error (&error);
  g_assert_null (poste_smtp_client_envelope (f.client, "a@x.test", NULL, recipients, replies,
                                             NULL, &error));
  g_assert_error (error, POSTE_PROTOCOL_ERROR, POSTE_PROTOCOL_ERROR_MALFORMED);
  g_clear_error (&error);
  /* The next thing the server reads is NOOP: nothing of the above went out. */
  assert_reply (poste_smtp_client_command (f.client, "NOOP", NULL, &error), 250);
  g_assert_cmpint (poste_smtp_client_get_state (f.client), ==, POSTE_SMTP_CLIENT_STATE_READY);
  fixture_finish (&f);
  fixture_clear (&f);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/smtp-client/state-names", test_state_names);
  g_test_add_func ("/smtp-client/data", test_data);
  g_test_add_func ("/smtp-client/pipelining", test_pipelining);
  g_test_add_func ("/smtp-client/envelope-refused", test_envelope_refused);
  g_test_add_func ("/smtp-client/bdat", test_bdat);
  g_test_add_func ("/smtp-client/bdat-refused", test_bdat_refused);
  g_test_add_func ("/smtp-client/lmtp", test_lmtp);
  g_test_add_func ("/smtp-client/helo-fallback", test_helo_fallback);
  g_test_add_func ("/smtp-client/closing", test_closing);
  g_test_add_func ("/smtp-client/dropped", test_dropped);
  g_test_add_func ("/smtp-client/address-injection", test_address_injection);
  return g_test_run ();
}
