/* test-outbox-listener.c: the outbox listener's replies are promises, seen from outside
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * `poste-restante-cli run` with an [outbox] listener, under the fault layer
 * (tests/common/poste-fault-shim.c), and a plain SMTP client written here (not the product's
 * line reader: the peer must not share the code it checks):
 *  - the 250 to the end of DATA is sent only after the message, its envelope and the queue
 *    folder were synced;
 *  - when any fsync, rename or write of the queue fails, the answer is 451 "The outbox could
 *    not store the message" and nothing is left in the queue: the client keeps its message;
 *  - a message over the limit gets 552, whether its SIZE= says so at MAIL or its content shows
 *    it after DATA, and nothing is queued.
 */
#include "config.h"

#include <signal.h>
#include <string.h>

#include "poste-outbox.h"
#include "poste-test.h"
#include "poste-test-cli.h"
#include "poste-test-faults.h"
#include "poste-test-services.h"

#define TIMEOUT 30

typedef struct {
  char              *dir;
  char              *config;
  char              *log;
  char              *tmp;
  char              *queue;
  guint16            port;
  GSubprocess       *process;
  GSocketConnection *connection;
  GDataInputStream  *in;
  GOutputStream     *out;
} Fixture;

typedef struct {
  guint  code;
  char  *text;    /* the last line's text, after the code and its separator */
} Reply;

static void
reply_clear (Reply *reply)
{
  g_clear_pointer (&reply->text, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Reply, reply_clear)

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->dir = poste_test_make_dir ("listener");
  f->config = g_build_filename (f->dir, "poste-restante.conf", NULL);
  f->log = g_build_filename (f->dir, "calls.log", NULL);
  poste_test_outbox_dirs (&f->tmp, &f->queue);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->in);
  f->out = NULL;
  g_clear_object (&f->connection);
  if (f->process != NULL)
    {
      g_subprocess_send_signal (f->process, SIGTERM);
      g_subprocess_wait (f->process, NULL, NULL);
      g_clear_object (&f->process);
    }
  g_free (f->dir);
  g_free (f->config);
  g_free (f->log);
  g_free (f->tmp);
  g_free (f->queue);
}

/* Starts `run` with the listener under the fault layer with @rules, and connects to it. */
static void
start (Fixture    *f,
       const char *rules)
{
  g_autoptr(GSubprocessLauncher) launcher =
    poste_test_cli_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                 G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *cli = poste_test_cli_path ();
  g_autofree char *text = NULL;

  f->port = poste_test_free_port ();
  text = g_strdup_printf ("[provider test]\n"
                          "host=127.0.0.1\n"
                          "domains=example.org\n"
                          "delivery=maildir:~/Maildir\n"
                          "interval=0\n"
                          "[outbox]\n"
                          "listen=127.0.0.1\n"
                          "port=%u\n", f->port);
  g_assert_true (g_file_set_contents (f->config, text, -1, NULL));

  poste_test_launcher_set_faults (launcher, f->log, rules);
  f->process = g_subprocess_launcher_spawn (launcher, &error, cli, "--config", f->config, "run",
                                            NULL);
  g_assert_no_error (error);
  g_assert_true (poste_test_wait_for_port (f->port, TIMEOUT));

  g_socket_client_set_enable_proxy (client, FALSE);
  g_socket_client_set_timeout (client, TIMEOUT);
  f->connection = g_socket_client_connect_to_host (client, "127.0.0.1", f->port, NULL, &error);
  g_assert_no_error (error);
  f->in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (f->connection)));
  g_data_input_stream_set_newline_type (f->in, G_DATA_STREAM_NEWLINE_TYPE_CR_LF);
  f->out = g_io_stream_get_output_stream (G_IO_STREAM (f->connection));
}

/* Reads one reply strictly: every line is "DDD-text" or, last, "DDD text" (or "DDD"), with
 * one code throughout. */
static void
read_reply (Fixture *f,
            Reply   *reply)
{
  g_autoptr(GError) error = NULL;

  for (guint lines = 0; ; lines++)
    {
      g_autofree char *line = g_data_input_stream_read_line (f->in, NULL, NULL, &error);
      guint code;

      g_assert_no_error (error);
      g_assert_nonnull (line);
      g_assert_cmpuint (lines, <, 100);
      g_assert_true (strlen (line) >= 3 && g_ascii_isdigit (line[0]) && g_ascii_isdigit (line[1])
                     && g_ascii_isdigit (line[2]));
      code = (guint) g_ascii_strtoull (line, NULL, 10);
      if (lines > 0)
        g_assert_cmpuint (code, ==, reply->code);
      reply->code = code;
      g_assert_true (line[3] == '\0' || line[3] == ' ' || line[3] == '-');
      if (line[3] != '-')
        {
          reply->text = g_strdup (line[3] == '\0' ? "" : line + 4);
          return;
        }
    }
}

static void
send_text (Fixture    *f,
           const char *text,
           gsize       length)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (g_output_stream_write_all (f->out, text, length, NULL, NULL, &error));
  g_assert_no_error (error);
}

/* Sends @line (unless NULL) with its CR LF and returns the reply's code; the reply's text in
 * @text when given. */
static guint
say (Fixture     *f,
     const char  *line,
     char       **text)
{
  g_auto(Reply) reply = { 0, NULL };

  if (line != NULL)
    {
      send_text (f, line, strlen (line));
      send_text (f, "\r\n", 2);
    }
  read_reply (f, &reply);
  if (text != NULL)
    *text = g_steal_pointer (&reply.text);
  return reply.code;
}

static void
greet_and_envelope (Fixture *f)
{
  g_assert_cmpuint (say (f, NULL, NULL), ==, 220);
  g_assert_cmpuint (say (f, "EHLO mta.example", NULL), ==, 250);
  g_assert_cmpuint (say (f, "MAIL FROM:<alice@example.org>", NULL), ==, 250);
  g_assert_cmpuint (say (f, "RCPT TO:<bob@remote.example>", NULL), ==, 250);
  g_assert_cmpuint (say (f, "DATA", NULL), ==, 354);
}

#define BODY "Subject: queued\r\n\r\nbody\r\n."

static void
test_order (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) order = poste_test_outbox_sync_order ("send 354 *", f->tmp, f->queue);
  g_autoptr(GPtrArray) lines = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(PosteOutbox) outbox = NULL;
  g_autofree char *outbox_dir = poste_outbox_dup_default_path ();
  int synced;
  int queued;

  start (f, NULL);
  greet_and_envelope (f);
  g_assert_cmpuint (say (f, BODY, &text), ==, 250);
  g_assert_true (g_str_has_prefix (text, "2.0.0 Queued as "));

  lines = poste_test_fault_log_read (f->log);
  synced = poste_test_fault_log_assert_order (lines, (const char * const *) order);
  queued = poste_test_fault_log_find (lines, 0, "send 250 2.0.0 Queued as *");
  g_assert_cmpint (queued, >, synced);
  g_assert_cmpint (poste_test_fault_log_reply_after (lines,
                                                     poste_test_fault_log_data_started (lines)),
                   ==, queued);

  outbox = poste_outbox_new (outbox_dir);
  items = poste_outbox_list (outbox, NULL);
  g_assert_nonnull (items);
  g_assert_cmpuint (items->len, ==, 1);
  g_assert_cmpstr (((PosteOutboxItem *) items->pdata[0])->sender, ==, "alice@example.org");
}

typedef struct {
  const char *name;
  const char *rules;
} Fault;

static const Fault faults[] = {
  { "fsync-message", "fsync@.message=EIO" },
  { "fsync-envelope", "fsync@.envelope=EIO" },
  { "rename-message", "rename@/queue/=EIO" },
  { "rename-envelope", "rename#2@/queue/=EIO" },
  { "fsync-folder", "fsync@/outbox/queue$=EIO" },
  { "write", "write@/outbox/tmp/=ENOSPC" },
};

static void
test_fault (Fixture       *f,
            gconstpointer  data)
{
  const Fault *fault = data;
  g_autofree char *text = NULL;
  g_autoptr(GPtrArray) lines = NULL;

  start (f, fault->rules);
  greet_and_envelope (f);
  g_assert_cmpuint (say (f, BODY, &text), ==, 451);
  g_assert_cmpstr (text, ==, "4.3.0 The outbox could not store the message");
  lines = poste_test_fault_log_read (f->log);
  g_assert_cmpint (poste_test_fault_log_find (lines, 0, "* injected"), >=, 0);
  g_assert_cmpint (poste_test_fault_log_find (lines, 0, "send 250 2.0.0 Queued*"), <, 0);
  /* Nothing that looks queued: the client keeps the message and tries again. */
  g_assert_cmpuint (poste_test_count_entries (f->queue), ==, 0);
  g_assert_cmpuint (poste_test_count_entries (f->tmp), ==, 0);
  /* The dialogue goes on. */
  g_assert_cmpuint (say (f, "NOOP", NULL), ==, 250);
  g_assert_cmpuint (say (f, "QUIT", NULL), ==, 221);
}

static void
test_too_big_announced (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *line = g_strdup_printf ("MAIL FROM:<alice@example.org> SIZE=%u",
                                           POSTE_OUTBOX_MAX_MESSAGE_SIZE + 1);
  g_autofree char *text = NULL;

  start (f, NULL);
  g_assert_cmpuint (say (f, NULL, NULL), ==, 220);
  g_assert_cmpuint (say (f, "EHLO mta.example", NULL), ==, 250);
  g_assert_cmpuint (say (f, line, &text), ==, 552);
  g_assert_cmpstr (text, ==, "5.3.4 Message size exceeds the outbox's limit");
  g_assert_cmpuint (poste_test_count_entries (f->queue), ==, 0);
}

static void
test_too_big_content (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *text = NULL;
  g_autofree char *block = NULL;
  gsize block_size = 1024 * 1024;
  gsize sent = 0;

  /* No SIZE=: the limit shows only while the content arrives. */
  static const char line[] = "01234567890123456789012345678901234567890123456789012345678901\r\n";

  G_STATIC_ASSERT (sizeof line - 1 == 64);
  block = g_malloc (block_size);
  for (gsize i = 0; i < block_size; i += sizeof line - 1)
    memcpy (block + i, line, sizeof line - 1);
  start (f, NULL);
  greet_and_envelope (f);
  send_text (f, "Subject: big\r\n\r\n", strlen ("Subject: big\r\n\r\n"));
  while (sent <= POSTE_OUTBOX_MAX_MESSAGE_SIZE)
    {
      send_text (f, block, block_size);
      sent += block_size;
    }
  g_assert_cmpuint (say (f, ".", &text), ==, 552);
  g_assert_cmpstr (text, ==, "5.3.4 Message size exceeds the outbox's limit");
  g_assert_cmpuint (poste_test_count_entries (f->queue), ==, 0);
  g_assert_cmpuint (poste_test_count_entries (f->tmp), ==, 0);
}

typedef void (*TestFunc) (Fixture *f, gconstpointer data);

static void
add (const char    *path,
     TestFunc       func,
     gconstpointer  data)
{
  g_autofree char *full = g_strconcat ("/outbox-listener/", path, NULL);

  g_test_add_vtable (full, sizeof (Fixture), data, (GTestFixtureFunc) fixture_setup,
                     (GTestFixtureFunc) func, (GTestFixtureFunc) fixture_teardown);
}

int
main (int   argc,
      char *argv[])
{
  poste_test_init (&argc, &argv);

  add ("order", test_order, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (faults); i++)
    {
      g_autofree char *path = g_strconcat ("fault/", faults[i].name, NULL);

      add (path, test_fault, &faults[i]);
    }
  add ("too-big/announced", test_too_big_announced, NULL);
  add ("too-big/content", test_too_big_content, NULL);
  return g_test_run ();
}
