/* test-outbox.c: the outbox's queue, its header reading and its loopback SMTP listener
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "poste-connection.h"
#include "poste-outbox.h"
#include "poste-outbox-listener.h"
#include "poste-reply.h"
#include "poste-test.h"
#include "poste-test-client.h"

static char *
read_message (PosteOutbox *outbox,
              const char  *id)
{
  g_autofree char *path = poste_outbox_dup_message_path (outbox, id);
  char *data = NULL;

  g_assert_true (g_file_get_contents (path, &data, NULL, NULL));
  return data;
}

static void
test_queue (void)
{
  g_autofree char *dir = poste_test_make_dir ("outbox-queue");
  g_autoptr(PosteOutbox) outbox = poste_outbox_new (dir);
  g_autofree char *tmp = g_build_filename (dir, "tmp", NULL);
  g_autofree char *queue = g_build_filename (dir, "queue", NULL);
  const char *rcpts[] = { "bob@remote.example", "carol;x@remote.example", NULL };
  const char *text = "From: alice@example.org\nSubject: hi\n\n.leading dot\nbody\n";
  g_autoptr(GBytes) head = g_bytes_new_static (text, 10);
  g_autoptr(GInputStream) rest = g_memory_input_stream_new_from_data (text + 10, -1, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(PosteOutboxItem) item = NULL;
  g_autofree char *id = NULL;
  g_autofree char *data = NULL;
  PosteOutboxItem *listed;

  /* Nothing on disk until something is queued. */
  items = poste_outbox_list (outbox, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (items->len, ==, 0);
  g_clear_pointer (&items, g_ptr_array_unref);
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS) && poste_test_count_entries (queue) > 0);

  id = poste_outbox_enqueue (outbox, "alice@example.org", rcpts, head, rest, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (id);
  g_assert_cmpuint (poste_test_count_entries (tmp), ==, 0);
  g_assert_cmpuint (poste_test_count_entries (queue), ==, 2);

  data = read_message (outbox, id);
  g_assert_cmpstr (data, ==, text);

  items = poste_outbox_list (outbox, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (items->len, ==, 1);
  listed = items->pdata[0];
  g_assert_cmpstr (listed->id, ==, id);
  g_assert_cmpstr (listed->sender, ==, "alice@example.org");
  g_assert_cmpstrv (listed->recipients, rcpts);
  g_assert_cmpuint (listed->size, ==, strlen (text));
  g_assert_false (listed->body_8bit);
  g_assert_cmpint (listed->state, ==, POSTE_OUTBOX_STATE_QUEUED);
  g_assert_cmpuint (listed->attempts, ==, 0);
  g_assert_cmpint (listed->next_attempt, ==, 0);
  g_assert_null (listed->last_error);
  g_assert_cmpint (listed->queued, >, 0);

  /* The envelope is rewritten as a whole. */
  item = poste_outbox_lookup (outbox, id, &error);
  g_assert_no_error (error);
  item->state = POSTE_OUTBOX_STATE_DEFERRED;
  item->attempts = 3;
  item->next_attempt = G_GINT64_CONSTANT (4102444800);
  item->last_error = g_strdup ("451 4.3.0 try later\nwith a second line");
  g_assert_true (poste_outbox_update (outbox, item, &error));
  g_assert_no_error (error);
  g_clear_pointer (&item, poste_outbox_item_free);
  item = poste_outbox_lookup (outbox, id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (item->state, ==, POSTE_OUTBOX_STATE_DEFERRED);
  g_assert_cmpuint (item->attempts, ==, 3);
  g_assert_cmpint (item->next_attempt, ==, G_GINT64_CONSTANT (4102444800));
  g_assert_cmpstr (item->last_error, ==, "451 4.3.0 try later\nwith a second line");
  g_assert_cmpuint (poste_test_count_entries (tmp), ==, 0);

  /* Send now: due again, the count of attempts kept. */
  g_assert_true (poste_outbox_retry_now (outbox, id, &error));
  g_assert_no_error (error);
  g_clear_pointer (&item, poste_outbox_item_free);
  item = poste_outbox_lookup (outbox, id, &error);
  g_assert_cmpint (item->state, ==, POSTE_OUTBOX_STATE_QUEUED);
  g_assert_cmpint (item->next_attempt, ==, 0);
  g_assert_cmpuint (item->attempts, ==, 3);

  /* Identifiers are checked: no way out of the folder. */
  g_assert_null (poste_outbox_lookup (outbox, "../queue/x", &error));
  g_assert_error (error, POSTE_OUTBOX_ERROR, POSTE_OUTBOX_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (poste_outbox_dup_message_path (outbox, "../../etc/passwd"));

  g_assert_true (poste_outbox_remove (outbox, id, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (poste_test_count_entries (queue), ==, 0);
  g_assert_false (poste_outbox_remove (outbox, id, &error));
  g_assert_error (error, POSTE_OUTBOX_ERROR, POSTE_OUTBOX_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (poste_outbox_update (outbox, item, &error));
  g_assert_error (error, POSTE_OUTBOX_ERROR, POSTE_OUTBOX_ERROR_NOT_FOUND);
  g_assert_cmpuint (poste_test_count_entries (queue), ==, 0);
}

static void
test_writer_abort (void)
{
  g_autofree char *dir = poste_test_make_dir ("outbox-abort");
  g_autoptr(PosteOutbox) outbox = poste_outbox_new (dir);
  g_autofree char *tmp = g_build_filename (dir, "tmp", NULL);
  g_autofree char *queue = g_build_filename (dir, "queue", NULL);
  const char *rcpts[] = { "bob@remote.example", NULL };
  const guint8 eight[] = { 'S', 'u', 'b', ':', ' ', 0xc3, 0xa9, '\n' };
  g_autoptr(GError) error = NULL;
  PosteOutboxWriter *writer;
  g_autoptr(GPtrArray) items = NULL;
  g_autofree char *id = NULL;

  /* Freed before its commit: no trace anywhere. */
  writer = poste_outbox_writer_new (outbox, "", rcpts, &error);
  g_assert_no_error (error);
  g_assert_true (poste_outbox_writer_write (writer, (const guint8 *) "x\n", 2, &error));
  g_assert_cmpuint (poste_test_count_entries (tmp), ==, 1);
  poste_outbox_writer_free (writer);
  g_assert_cmpuint (poste_test_count_entries (tmp), ==, 0);
  g_assert_cmpuint (poste_test_count_entries (queue), ==, 0);

  /* 8-bit content is noted (BODY=8BITMIME when submitted); the null sender is allowed. */
  writer = poste_outbox_writer_new (outbox, "", rcpts, &error);
  g_assert_no_error (error);
  g_assert_true (poste_outbox_writer_write (writer, eight, sizeof eight, &error));
  id = poste_outbox_writer_commit (writer, &error);
  g_assert_no_error (error);
  poste_outbox_writer_free (writer);
  items = poste_outbox_list (outbox, &error);
  g_assert_cmpuint (items->len, ==, 1);
  g_assert_true (((PosteOutboxItem *) items->pdata[0])->body_8bit);
  g_assert_cmpstr (((PosteOutboxItem *) items->pdata[0])->sender, ==, "");
}

static void
test_addresses (void)
{
  g_autofree char *dir = poste_test_make_dir ("outbox-addresses");
  g_autoptr(PosteOutbox) outbox = poste_outbox_new (dir);
  const char *bad_rcpt[] = { "bob@remote.example", "evil>\r\nRCPT TO:<x@y", NULL };
  const char *no_at[] = { "bob", NULL };
  const char *none[] = { NULL };
  const char *good[] = { "bob@remote.example", NULL };
  g_autoptr(GError) error = NULL;

  g_assert_null (poste_outbox_writer_new (outbox, "alice@example.org", bad_rcpt, &error));
  g_assert_error (error, POSTE_OUTBOX_ERROR, POSTE_OUTBOX_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (poste_outbox_writer_new (outbox, "alice@example.org", no_at, &error));
  g_assert_error (error, POSTE_OUTBOX_ERROR, POSTE_OUTBOX_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (poste_outbox_writer_new (outbox, "alice@example.org", none, &error));
  g_assert_error (error, POSTE_OUTBOX_ERROR, POSTE_OUTBOX_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (poste_outbox_writer_new (outbox, "a b@example.org", good, &error));
  g_assert_error (error, POSTE_OUTBOX_ERROR, POSTE_OUTBOX_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_true (poste_outbox_check_address ("\xc3\xa9l\xc3\xa8ve@\xc3\xa9" "cole.example", FALSE,
                                             NULL));
  g_assert_false (poste_outbox_check_address ("", FALSE, NULL));
  g_assert_true (poste_outbox_check_address ("", TRUE, NULL));
}

static void
test_headers (void)
{
  const char *text =
    "From: \"Alice, A.\" <alice@example.org>\r\n"
    "To: bob@remote.example (Bob), \"Carol <x>\" <carol@remote.example>,\r\n"
    "\tdave@remote.example\r\n"
    "Cc: undisclosed-recipients:;\r\n"
    "cc: Team: erin@remote.example, frank@remote.example;, BOB@remote.example\r\n"
    "Bcc: <@relay.example:grace@remote.example>\r\n"
    "Subject: To: nobody@nowhere.example\r\n"
    "BCC: heidi@remote.example\r\n"
    "  (folded)\r\n"
    "X-Bcc: keep@remote.example\r\n"
    "\r\n"
    "To: body@nowhere.example\r\n";
  g_autoptr(GBytes) head = g_bytes_new_static (text, strlen (text));
  const char *fields[] = { "To", "Cc", "Bcc", NULL };
  const char *from[] = { "From", NULL };
  const char *expected[] = { "bob@remote.example", "carol@remote.example", "dave@remote.example",
                             "erin@remote.example", "frank@remote.example",
                             "grace@remote.example", "heidi@remote.example", NULL };
  g_autoptr(GPtrArray) found = poste_outbox_header_addresses (head, fields);
  g_autoptr(GPtrArray) senders = poste_outbox_header_addresses (head, from);
  g_autoptr(GBytes) stripped = NULL;
  g_autofree char *stripped_text = NULL;

  g_ptr_array_add (found, NULL);
  g_assert_cmpstrv ((char **) found->pdata, expected);
  g_assert_cmpuint (senders->len, ==, 1);
  g_assert_cmpstr (senders->pdata[0], ==, "alice@example.org");

  stripped = poste_outbox_remove_header (head, "Bcc");
  stripped_text = g_strndup (g_bytes_get_data (stripped, NULL), g_bytes_get_size (stripped));
  g_assert_null (strstr (stripped_text, "grace"));
  g_assert_null (strstr (stripped_text, "heidi"));
  g_assert_null (strstr (stripped_text, "(folded)"));
  g_assert_nonnull (strstr (stripped_text, "X-Bcc: keep@remote.example\r\n"));
  g_assert_nonnull (strstr (stripped_text, "Subject: To: nobody@nowhere.example\r\n"));
  g_assert_true (g_str_has_suffix (stripped_text, "\r\n\r\nTo: body@nowhere.example\r\n"));
  g_assert_cmpuint (strlen (stripped_text), ==,
                    strlen (text) - strlen ("Bcc: <@relay.example:grace@remote.example>\r\n"
                                            "BCC: heidi@remote.example\r\n  (folded)\r\n"));
}

static void
test_read_head (void)
{
  g_autofree char *big = g_strnfill (POSTE_OUTBOX_MAX_HEADER_SIZE + 10, 'x');
  g_autoptr(GInputStream) endless = g_memory_input_stream_new_from_data (big, -1, NULL);
  g_autoptr(GInputStream) normal =
    g_memory_input_stream_new_from_data ("A: b\n\nbody\n", -1, NULL);
  g_autoptr(GBytes) head = NULL;
  g_autoptr(GError) error = NULL;

  head = poste_outbox_read_head (normal, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (head, NULL), g_bytes_get_size (head), "A: b\n\nbody\n", 11);
  g_clear_pointer (&head, g_bytes_unref);

  head = poste_outbox_read_head (endless, NULL, &error);
  g_assert_error (error, POSTE_OUTBOX_ERROR, POSTE_OUTBOX_ERROR_TOO_BIG);
  g_assert_null (head);
}

/* Queues @text through a writer in pieces of @piece bytes; returns what was stored. */
static char *
write_in_pieces (PosteOutbox *outbox,
                 const char  *text,
                 gsize        piece,
                 guint64     *size)
{
  const char *rcpts[] = { "bob@remote.example", "dave@remote.example", NULL };
  g_autoptr(PosteOutboxWriter) writer = NULL;
  g_autoptr(PosteOutboxItem) item = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  gsize length = strlen (text);

  writer = poste_outbox_writer_new (outbox, "alice@example.org", rcpts, &error);
  g_assert_no_error (error);
  for (gsize i = 0; i < length; i += piece)
    g_assert_true (poste_outbox_writer_write (writer, (const guint8 *) text + i,
                                              MIN (piece, length - i), &error));
  id = poste_outbox_writer_commit (writer, &error);
  g_assert_no_error (error);
  item = poste_outbox_lookup (outbox, id, &error);
  g_assert_no_error (error);
  /* The envelope keeps every recipient, the blind ones too. */
  g_assert_cmpstrv (item->recipients, rcpts);
  *size = item->size;
  return read_message (outbox, id);
}

/* Whatever writes to the queue (send, the listener), the blind copies stay blind: Bcc: and
 * Resent-Bcc: leave the header, however the message is cut into pieces. */
static void
test_writer_bcc (void)
{
  g_autofree char *dir = poste_test_make_dir ("outbox-bcc");
  g_autoptr(PosteOutbox) outbox = poste_outbox_new (dir);
  const char *crlf = "From: alice@example.org\r\n"
                     "To: bob@remote.example\r\n"
                     "Bcc: dave@remote.example,\r\n"
                     "\terin@remote.example\r\n"
                     "Subject: blind\r\n"
                     "Resent-Bcc: dave@remote.example\r\n"
                     "X-Bcc: kept\r\n"
                     "\r\n"
                     "Bcc: this is the body\r\n";
  const char *crlf_expected = "From: alice@example.org\r\n"
                              "To: bob@remote.example\r\n"
                              "Subject: blind\r\n"
                              "X-Bcc: kept\r\n"
                              "\r\n"
                              "Bcc: this is the body\r\n";
  const char *lf = "bcc: dave@remote.example\nSubject: lf\n\nBcc: body\n";
  const char *header_only = "Subject: no body\nBcc: dave@remote.example\n";
  const gsize pieces[] = { 1, 2, 3, 7, 1000 };
  const char *rcpts[] = { "bob@remote.example", NULL };
  g_autoptr(PosteOutboxWriter) writer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *huge = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (pieces); i++)
    {
      g_autofree char *stored = NULL;
      guint64 size;

      stored = write_in_pieces (outbox, crlf, pieces[i], &size);
      g_assert_cmpstr (stored, ==, crlf_expected);
      g_assert_cmpuint (size, ==, strlen (crlf_expected));
      g_clear_pointer (&stored, g_free);

      stored = write_in_pieces (outbox, lf, pieces[i], &size);
      g_assert_cmpstr (stored, ==, "Subject: lf\n\nBcc: body\n");
      g_clear_pointer (&stored, g_free);

      stored = write_in_pieces (outbox, header_only, pieces[i], &size);
      g_assert_cmpstr (stored, ==, "Subject: no body\n");
    }

  /* A header that never ends is refused rather than queued with its Bcc: unread. */
  huge = g_strnfill (POSTE_OUTBOX_MAX_HEADER_SIZE + 2, 'x');
  writer = poste_outbox_writer_new (outbox, "alice@example.org", rcpts, &error);
  g_assert_no_error (error);
  g_assert_false (poste_outbox_writer_write (writer, (const guint8 *) huge, strlen (huge),
                                             &error));
  g_assert_error (error, POSTE_OUTBOX_ERROR, POSTE_OUTBOX_ERROR_TOO_BIG);
}

/* ---- The listener ---- */

static void
test_listener (void)
{
  g_autofree char *dir = poste_test_make_dir ("outbox-listener");
  g_autoptr(PosteOutbox) outbox = poste_outbox_new (dir);
  g_autoptr(PosteOutboxListener) listener = poste_outbox_listener_new (outbox);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autofree char *data = NULL;
  const char *rcpts[] = { "bob@remote.example", "carol@remote.example", NULL };
  PosteTestClient c = { 0, };
  guint16 port;

  /* Loopback only. */
  g_assert_cmpuint (poste_outbox_listener_start (listener, "0.0.0.0", 0, &error), ==, 0);
  g_assert_error (error, POSTE_OUTBOX_ERROR, POSTE_OUTBOX_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpuint (poste_outbox_listener_start (listener, "192.0.2.1", 0, &error), ==, 0);
  g_assert_error (error, POSTE_OUTBOX_ERROR, POSTE_OUTBOX_ERROR_INVALID);
  g_clear_error (&error);

  port = poste_outbox_listener_start (listener, "127.0.0.1", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (port, >, 0);
  g_assert_cmpuint (poste_outbox_listener_get_port (listener), ==, port);

  poste_test_client_open (&c, port, 30);
  g_assert_cmpuint (poste_test_expect (&c), ==, 220);
  g_assert_cmpuint (poste_test_say (&c, "MAIL FROM:<alice@example.org>"), ==, 503);
  g_assert_cmpuint (poste_test_say (&c, "EHLO client.example"), ==, 250);
  g_assert_cmpuint (poste_test_say (&c, "RCPT TO:<bob@remote.example>"), ==, 503);
  g_assert_cmpuint (poste_test_say (&c, "DATA"), ==, 503);
  g_assert_cmpuint (poste_test_say (&c, "MAIL FROM:<alice@example.org> SIZE=999999999999"),
                    ==, 552);
  g_assert_cmpuint (poste_test_say (&c, "MAIL FROM:<alice@example.org> FOO=BAR"), ==, 555);
  g_assert_cmpuint (poste_test_say (&c, "MAIL FROM:<alice@example.org> SIZE=100 BODY=8BITMIME"),
                    ==, 250);
  g_assert_cmpuint (poste_test_say (&c, "MAIL FROM:<alice@example.org>"), ==, 503);
  g_assert_cmpuint (poste_test_say (&c, "RCPT TO:<not an address>"), ==, 553);
  g_assert_cmpuint (poste_test_say (&c, "DATA"), ==, 554);
  g_assert_cmpuint (poste_test_say (&c, "RCPT TO:<bob@remote.example>"), ==, 250);
  g_assert_cmpuint (poste_test_say (&c, "RCPT TO:<carol@remote.example>"), ==, 250);
  g_assert_cmpuint (poste_test_say (&c, "DATA"), ==, 354);
  {
    const char *content = "Subject: test\r\n\r\n..dot\r\nline\r\n.\r\n";

    g_assert_true (poste_connection_write (c.conn, content, strlen (content), NULL, &error));
    g_assert_true (poste_connection_flush (c.conn, NULL, &error));
    g_assert_cmpuint (poste_test_expect (&c), ==, 250);
  }
  /* 250 means queued: the message is there now. */
  items = poste_outbox_list (outbox, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (items->len, ==, 1);
  g_assert_cmpstr (((PosteOutboxItem *) items->pdata[0])->sender, ==, "alice@example.org");
  g_assert_cmpstrv (((PosteOutboxItem *) items->pdata[0])->recipients, rcpts);
  data = read_message (outbox, ((PosteOutboxItem *) items->pdata[0])->id);
  g_assert_cmpstr (data, ==, "Subject: test\r\n\r\n.dot\r\nline\r\n");

  /* RSET forgets the transaction; QUIT ends. */
  g_assert_cmpuint (poste_test_say (&c, "MAIL FROM:<>"), ==, 250);
  g_assert_cmpuint (poste_test_say (&c, "RSET"), ==, 250);
  g_assert_cmpuint (poste_test_say (&c, "RCPT TO:<bob@remote.example>"), ==, 503);
  g_assert_cmpuint (poste_test_say (&c, "NOOP"), ==, 250);
  g_assert_cmpuint (poste_test_say (&c, "AUTH PLAIN"), ==, 502);
  g_assert_cmpuint (poste_test_say (&c, "QUIT"), ==, 221);
  poste_test_client_close (&c);

  /* An over-long line ends the connection with 500. */
  poste_test_client_open (&c, port, 30);
  g_assert_cmpuint (poste_test_expect (&c), ==, 220);
  {
    g_autofree char *long_line = g_strnfill (POSTE_OUTBOX_LISTENER_MAX_LINE + 100, 'A');

    g_assert_cmpuint (poste_test_say (&c, long_line), ==, 500);
  }
  poste_test_client_close (&c);

  /* A client that only errs is shown the door. */
  poste_test_client_open (&c, port, 30);
  g_assert_cmpuint (poste_test_expect (&c), ==, 220);
  for (guint i = 0; i < 9; i++)
    g_assert_cmpuint (poste_test_say (&c, "JUNK"), ==, 502);
  g_assert_cmpuint (poste_test_say (&c, "JUNK"), ==, 502);
  g_assert_cmpuint (poste_test_expect (&c), ==, 421);
  poste_test_client_close (&c);

  poste_outbox_listener_stop (listener);
  g_assert_cmpuint (poste_outbox_listener_get_port (listener), ==, 0);
  g_clear_pointer (&items, g_ptr_array_unref);
  items = poste_outbox_list (outbox, &error);
  g_assert_cmpuint (items->len, ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  poste_test_init (&argc, &argv);

  g_test_add_func ("/outbox/queue", test_queue);
  g_test_add_func ("/outbox/writer-abort", test_writer_abort);
  g_test_add_func ("/outbox/writer-bcc", test_writer_bcc);
  g_test_add_func ("/outbox/addresses", test_addresses);
  g_test_add_func ("/outbox/headers", test_headers);
  g_test_add_func ("/outbox/read-head", test_read_head);
  g_test_add_func ("/outbox/listener", test_listener);
  return g_test_run ();
}
