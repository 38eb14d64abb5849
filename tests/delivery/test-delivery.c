/* test-delivery.c: the local delivery targets, without services
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The Unix form, target specifications, Maildir, mbox and the router are here; the MDA target
 * is in test-delivery-mda.c.
 */
#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "poste-delivery-private.h"
#include "test-delivery.h"

/* --- the Unix form and mboxrd quoting, split at every position ---------------------------- */

static GBytes *
filter_in_chunks (const char *input,
                  gsize       length,
                  gboolean    mboxrd,
                  gsize       chunk)
{
  PosteUnixFilter filter;
  GByteArray *out = g_byte_array_new ();

  _poste_unix_filter_init (&filter, mboxrd);
  for (gsize offset = 0; offset < length; offset += chunk)
    _poste_unix_filter_feed (&filter, (const guint8 *) input + offset,
                             MIN (chunk, length - offset), out);
  _poste_unix_filter_finish (&filter, out);
  return g_byte_array_free_to_bytes (out);
}

static void
check_filter (const char *input,
              gboolean    mboxrd,
              const char *expected)
{
  gsize length = strlen (input);

  for (gsize chunk = 1; chunk <= length; chunk++)
    {
      g_autoptr(GBytes) out = filter_in_chunks (input, length, mboxrd, chunk);

      assert_bytes_equal (out, expected, strlen (expected));
    }
  /* Split into two pieces at every position too. */
  for (gsize cut = 0; cut <= length; cut++)
    {
      PosteUnixFilter filter;
      g_autoptr(GByteArray) out = g_byte_array_new ();
      g_autoptr(GBytes) bytes = NULL;

      _poste_unix_filter_init (&filter, mboxrd);
      _poste_unix_filter_feed (&filter, (const guint8 *) input, cut, out);
      _poste_unix_filter_feed (&filter, (const guint8 *) input + cut, length - cut, out);
      _poste_unix_filter_finish (&filter, out);
      bytes = g_bytes_new (out->data, out->len);
      assert_bytes_equal (bytes, expected, strlen (expected));
    }
}

static void
test_filter_lf (void)
{
  check_filter ("a\r\nb\r\n", FALSE, "a\nb\n");
  check_filter ("no final newline", FALSE, "no final newline");
  check_filter ("a\r\n\r\nbody\r\nlast", FALSE, "a\n\nbody\nlast");
  check_filter ("bare\rCR\r\r\n", FALSE, "bare\rCR\r\n");
  check_filter ("ends in CR\r", FALSE, "ends in CR\r");
  check_filter ("bare LF\nstays\n", FALSE, "bare LF\nstays\n");
  check_filter ("From me\r\n>From you\r\n", FALSE, "From me\n>From you\n");
  check_filter ("", FALSE, "");
}

static void
test_filter_mboxrd (void)
{
  check_filter ("From me\r\n", TRUE, ">From me\n");
  check_filter ("a\r\nFrom me\r\n>From you\r\n>>From x\r\n", TRUE,
                "a\n>From me\n>>From you\n>>>From x\n");
  check_filter ("From\r\nFromage\r\nFrom:\r\n >From \r\nx From y\r\n", TRUE,
                "From\nFromage\nFrom:\n >From \nx From y\n");
  check_filter (">>>\r\n>Fro\r\n>", TRUE, ">>>\n>Fro\n>");
  check_filter ("last line From ", TRUE, "last line From ");
  check_filter ("\r\nFrom ", TRUE, "\n>From ");
  check_filter ("From ", TRUE, ">From ");
  check_filter (">From", TRUE, ">From");
  check_filter ("a\rFrom b\r\n", TRUE, "a\rFrom b\n");
}

static void
test_from_line (void)
{
  g_autofree char *line = _poste_mbox_from_line ("alice@example.org", 0);
  g_autofree char *null_sender = _poste_mbox_from_line ("", 1700000000);
  g_autofree char *odd = _poste_mbox_from_line ("a b\tc\xc3\xa9@x", 1700000000);

  g_assert_true (g_regex_match_simple ("^From alice@example\\.org "
                                       "(Mon|Tue|Wed|Thu|Fri|Sat|Sun) "
                                       "(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
                                       "[ 123][0-9] [0-2][0-9]:[0-5][0-9]:[0-6][0-9] [0-9]{4}\n$",
                                       line, 0, 0));
  g_assert_true (g_str_has_prefix (null_sender, "From MAILER-DAEMON "));
  g_assert_true (g_str_has_prefix (odd, "From a_b_c__@x "));
  g_assert_cmpuint (strlen (odd) - strlen (strchr (odd, '\n')), ==, strlen (odd) - 1);
}

/* --- target specifications --------------------------------------------------------------- */

static void
test_targets (void)
{
  struct {
    const char *spec;
    GType       type;
  } valid[] = {
    { "smtp://127.0.0.1:2525", POSTE_TYPE_SMTP_DELIVERY },
    { "smtp://localhost", POSTE_TYPE_SMTP_DELIVERY },
    { "smtp://[::1]:25", POSTE_TYPE_SMTP_DELIVERY },
    { "lmtp://127.0.0.1:24", POSTE_TYPE_SMTP_DELIVERY },
    { "lmtp:/run/dovecot/lmtp", POSTE_TYPE_SMTP_DELIVERY },
    { "lmtp:~/lmtp.sock", POSTE_TYPE_SMTP_DELIVERY },
    { "mbox:/var/mail/alice", POSTE_TYPE_MBOX_DELIVERY },
    { "  mbox:~/mbox  ", POSTE_TYPE_MBOX_DELIVERY },
    { "maildir:~/Maildir/", POSTE_TYPE_MAILDIR_DELIVERY },
    { "mda:/usr/bin/procmail -f %F -d %T", POSTE_TYPE_MDA_DELIVERY },
    { "mda:/usr/bin/procmail -m '/etc/my rc' %%", POSTE_TYPE_MDA_DELIVERY },
  };
  const char *invalid[] = {
    "", "maildir", "maildir:", "maildir:relative/path", "mbox:~bob/mbox", "imap://host",
    "smtp:host:25", "smtp://", "smtp://host:notaport", "smtp://user@host:25", "lmtp:",
    "mda:procmail", "mda:", "mda:/bin/x %X", "mda:/bin/x 'unterminated", "mda:/bin/%T",
    "file:/tmp/x",
  };

  for (guint i = 0; i < G_N_ELEMENTS (valid); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PosteDelivery) delivery = poste_delivery_new_for_target (valid[i].spec, &error);

      g_test_message ("%s", valid[i].spec);
      g_assert_no_error (error);
      g_assert_true (G_TYPE_CHECK_INSTANCE_TYPE (delivery, valid[i].type));
    }
  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PosteDelivery) delivery = poste_delivery_new_for_target (invalid[i], &error);

      g_test_message ("%s", invalid[i]);
      g_assert_null (delivery);
      g_assert_error (error, POSTE_DELIVERY_ERROR, POSTE_DELIVERY_ERROR_INVALID);
      g_assert_nonnull (error->message);
    }

  {
    g_autoptr(PosteDelivery) d = poste_delivery_new_for_target ("maildir:~/Mail/x/", NULL);
    g_autofree char *expected = g_build_filename (g_get_home_dir (), "Mail", "x", NULL);

    g_assert_cmpstr (poste_maildir_delivery_get_path (POSTE_MAILDIR_DELIVERY (d)), ==, expected);
  }
  {
    g_autoptr(PosteDelivery) d = poste_delivery_new_for_target ("lmtp://127.0.0.1:24", NULL);
    g_autoptr(PosteDelivery) s = poste_delivery_new_for_target ("smtp://127.0.0.1:25", NULL);
    g_autoptr(PosteDelivery) m = poste_delivery_new_for_target ("mda:/bin/cat %T", NULL);
    g_autoptr(PosteDelivery) n = poste_delivery_new_for_target ("mda:/bin/cat -f %F", NULL);

    g_assert_true (poste_smtp_delivery_get_lmtp (POSTE_SMTP_DELIVERY (d)));
    g_assert_cmpuint (poste_delivery_get_max_recipients (d), ==, 1);
    g_assert_false (poste_smtp_delivery_get_lmtp (POSTE_SMTP_DELIVERY (s)));
    g_assert_cmpuint (poste_delivery_get_max_recipients (s), ==, 0);
    g_assert_cmpuint (poste_delivery_get_max_recipients (m), ==, 1);
    g_assert_cmpuint (poste_delivery_get_max_recipients (n), ==, 0);
  }
}

/* --- Maildir ------------------------------------------------------------------------------ */

const char wire_message[] =
  "Received: from provider by poste-restante; Sun, 29 Nov 2026 12:00:00 +0000\r\n"
  "From: Sender <sender@example.net>\r\n"
  "To: alice@example.org\r\n"
  "Subject: test\r\n"
  "\r\n"
  "From the start of a line\r\n"
  ">From quoted\r\n"
  ".\r\n"
  "..\r\n"
  "caf\xc3\xa9 \xff\r\n";

static void
test_maildir (void)
{
  g_autofree char *dir = poste_test_make_dir ("maildir");
  g_autofree char *path = g_build_filename (dir, "Maildir", NULL);
  g_autofree char *tmp = g_build_filename (path, "tmp", NULL);
  g_autofree char *new_dir = g_build_filename (path, "new", NULL);
  g_autofree char *cur = g_build_filename (path, "cur", NULL);
  g_autoptr(PosteDelivery) delivery = poste_maildir_delivery_new (path);
  const char *recipients[] = { "alice@example.org", "bob@example.org", NULL };
  g_autoptr(GBytes) expected = to_unix (wire_message, strlen (wire_message));
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  /* Two recipients, one copy; odd chunk sizes. */
  for (gsize chunk = 1; chunk <= 7; chunk += 3)
    {
      g_autoptr(PosteReply) reply = deliver_chunked (delivery, "sender@example.net", recipients,
                                                     wire_message, strlen (wire_message), chunk);

      g_assert_cmpuint (reply->code, ==, 250);
    }
  g_assert_cmpuint (poste_test_dir_count (new_dir), ==, 3);
  g_assert_cmpuint (poste_test_dir_count (tmp), ==, 0);
  g_assert_cmpuint (poste_test_dir_count (cur), ==, 0);

  {
    g_autoptr(GDir) d = g_dir_open (new_dir, 0, NULL);
    const char *name;

    while ((name = g_dir_read_name (d)) != NULL)
      {
        g_autofree char *file = g_build_filename (new_dir, name, NULL);
        g_autofree char *contents = NULL;
        gsize length;
        GStatBuf st;

        g_assert_true (g_regex_match_simple ("^[0-9]+\\.M[0-9]{6}P[0-9]+Q[0-9]+R[0-9a-f]{8}\\."
                                             "[^/:]+$", name, 0, 0));
        g_assert_true (g_file_get_contents (file, &contents, &length, NULL));
        g_assert_cmpmem (contents, length, g_bytes_get_data (expected, NULL),
                         g_bytes_get_size (expected));
        g_assert_no_errno (g_stat (file, &st));
        g_assert_cmpint (st.st_mode & 0777, ==, 0600);
        g_ptr_array_add (names, g_strdup (name));
      }
  }
  g_assert_cmpstr (g_ptr_array_index (names, 0), !=, g_ptr_array_index (names, 1));
  g_assert_cmpstr (g_ptr_array_index (names, 1), !=, g_ptr_array_index (names, 2));

  /* A message without a final newline stays so. */
  {
    g_autoptr(PosteReply) reply = deliver (delivery, "", "alice@example.org",
                                           "Subject: x\r\n\r\nno final newline");
    g_autoptr(GPtrArray) messages = poste_test_maildir_read (path);
    gboolean found = FALSE;

    g_assert_cmpuint (reply->code, ==, 250);
    for (guint i = 0; i < messages->len; i++)
      {
        gsize length;
        const char *data = g_bytes_get_data (g_ptr_array_index (messages, i), &length);

        if (length == strlen ("Subject: x\n\nno final newline") &&
            memcmp (data, "Subject: x\n\nno final newline", length) == 0)
          found = TRUE;
      }
    g_assert_true (found);
  }

  /* An aborted transaction leaves nothing, in tmp/ or new/. */
  {
    g_autoptr(PosteEnvelope) envelope = poste_envelope_new ("s@example.net");
    g_autoptr(PosteReply) begin = poste_delivery_begin (delivery, envelope, NULL);
    g_autoptr(PosteReply) rcpt = poste_delivery_add_recipient (delivery, envelope, "a@b.c", NULL);

    g_assert_cmpuint (begin->code, ==, 250);
    g_assert_cmpuint (rcpt->code, ==, 250);
    g_assert_true (poste_delivery_write (delivery, (const guint8 *) "partial", 7, NULL, NULL));
    g_assert_cmpuint (poste_test_dir_count (tmp), ==, 1);
    poste_delivery_abort (delivery);
    g_assert_cmpuint (poste_test_dir_count (tmp), ==, 0);
    g_assert_cmpuint (poste_test_dir_count (new_dir), ==, 4);
  }

  /* The folders are made once per target; a tmp/ removed since is made again. */
  {
    g_autoptr(PosteReply) reply = NULL;

    g_assert_no_errno (g_rmdir (tmp));
    reply = deliver (delivery, "", "alice@example.org", "Subject: y\r\n\r\nagain\r\n");
    g_assert_cmpuint (reply->code, ==, 250);
    g_assert_true (g_file_test (tmp, G_FILE_TEST_IS_DIR));
    g_assert_cmpuint (poste_test_dir_count (new_dir), ==, 5);
  }
}

/* --- mbox --------------------------------------------------------------------------------- */

GBytes *
read_file (const char *path)
{
  char *contents = NULL;
  gsize length = 0;

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  return g_bytes_new_take (contents, length);
}

static void
test_mbox_python (void)
{
  g_autofree char *dir = poste_test_make_dir ("mbox");
  g_autofree char *path = g_build_filename (dir, "folder", "mbox", NULL);
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  g_autofree char *script = g_build_filename (poste_test_source_root (), "tests", "delivery",
                                              "read-mbox.py", NULL);
  g_autoptr(PosteDelivery) delivery = poste_mbox_delivery_new (path);
  g_autofree char *long_line = g_strnfill (998, 'x');
  g_autofree char *long_message = g_strdup_printf ("Subject: long\r\n\r\n%s\r\n%s\r\n",
                                                   long_line, long_line);
  const char *messages[] = {
    wire_message,
    "Subject: froms\r\n\r\nFrom here\r\n>From there\r\n>>From everywhere\r\nFrom\r\n"
      "Fromage\r\n\r\nFrom the blank line above\r\n",
    "Subject: dots\r\n\r\n.\r\n..\r\n...\r\n.From\r\n",
    "Subject: 8bit\r\n\r\n\xc3\xa9\xc3\xa0 \x80\x81\xfe\xff\r\n",
    long_message,
    "Subject: ends with blank lines\r\n\r\nbody\r\n\r\n\r\n",
    "Subject: no final newline\r\n\r\nthe end",
  };
  const char *senders[] = {
    "sender@example.net", "", "a b@example.net", "x@y", "long@example.net", "p@q", "r@s",
  };
  g_autoptr(GSubprocess) python = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stdout_text = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (messages); i++)
    {
      const char *recipients[] = { "alice@example.org", NULL };
      g_autoptr(PosteReply) reply = deliver_chunked (delivery, senders[i], recipients,
                                                     messages[i], strlen (messages[i]),
                                                     1 + i * 5);

      g_assert_cmpuint (reply->code, ==, 250);
      g_assert_cmpstr (reply->enhanced, ==, "2.0.0");
    }
  {
    g_autofree char *lock = g_strconcat (path, ".lock", NULL);

    g_assert_false (g_file_test (lock, G_FILE_TEST_EXISTS));
  }

  g_assert_no_errno (g_mkdir (out, 0700));
  python = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                             "/usr/bin/python3", script, path, out, NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (python, NULL, NULL, &stdout_text, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (python));
  g_assert_cmpint (g_subprocess_get_exit_status (python), ==, 0);
  g_assert_cmpint (atoi (stdout_text), ==, G_N_ELEMENTS (messages));

  for (guint i = 0; i < G_N_ELEMENTS (messages); i++)
    {
      g_autofree char *name = g_strdup_printf ("%u.msg", i);
      g_autofree char *from_name = g_strdup_printf ("%u.from", i);
      g_autofree char *file = g_build_filename (out, name, NULL);
      g_autofree char *from_file = g_build_filename (out, from_name, NULL);
      g_autoptr(GBytes) stored = read_file (file);
      g_autoptr(GBytes) from = read_file (from_file);
      g_autoptr(GBytes) unix_form = to_unix (messages[i], strlen (messages[i]));
      g_autoptr(GByteArray) expected = g_byte_array_new ();
      g_autofree char *who = _poste_mbox_sanitise_sender (senders[i]);

      g_byte_array_append (expected, g_bytes_get_data (unix_form, NULL),
                           g_bytes_get_size (unix_form));
      /* mbox cannot keep a message without a final line end: it gains one. */
      if (expected->data[expected->len - 1] != '\n')
        g_byte_array_append (expected, (const guint8 *) "\n", 1);
      g_test_message ("message %u", i);
      assert_bytes_equal (stored, expected->data, expected->len);
      g_assert_true (g_str_has_prefix (g_bytes_get_data (from, NULL), who));
    }

  /* The file as a whole: every message ends with a blank line, quoting is mboxrd. */
  {
    g_autoptr(GBytes) whole = read_file (path);
    gsize length;
    const char *data = g_bytes_get_data (whole, &length);

    g_assert_true (g_str_has_prefix (data, "From sender@example.net "));
    g_assert_cmpmem (data + length - 10, 10, "\nthe end\n\n", 10);
    g_assert_nonnull (g_strstr_len (data, length, "\n>From here\n>>From there\n>>>From every"));
    g_assert_nonnull (g_strstr_len (data, length, "\nFrom MAILER-DAEMON "));
    g_assert_nonnull (g_strstr_len (data, length, "\nFrom a_b@example.net "));
  }
}

static void
test_mbox_separator (void)
{
  g_autofree char *dir = poste_test_make_dir ("mbox-sep");
  g_autofree char *path = g_build_filename (dir, "mbox", NULL);
  g_autoptr(PosteDelivery) delivery = poste_mbox_delivery_new (path);
  g_autoptr(PosteReply) reply = NULL;
  g_autoptr(GBytes) contents = NULL;
  const char *data;
  gsize length;

  /* An existing mbox whose last message lacks its blank line (another program wrote it). */
  g_assert_true (g_file_set_contents (path, "From x Mon Jan  1 00:00:00 2024\nSubject: old\n\nold",
                                      -1, NULL));
  reply = deliver (delivery, "s@t", "a@b", "Subject: new\r\n\r\nnew\r\n");
  g_assert_cmpuint (reply->code, ==, 250);
  contents = read_file (path);
  data = g_bytes_get_data (contents, &length);
  g_assert_true (g_str_has_prefix (data, "From x Mon Jan  1 00:00:00 2024\nSubject: old\n\nold\n\n"
                                         "From s@t "));
  g_assert_true (g_str_has_suffix (data, "\nSubject: new\n\nnew\n\n"));
}

/* A crash in the middle of appending: the dotlock of a dead process, holding the old length. */
static void
test_mbox_crash_journal (void)
{
  g_autofree char *dir = poste_test_make_dir ("mbox-crash");
  g_autofree char *path = g_build_filename (dir, "mbox", NULL);
  g_autofree char *lock = g_strconcat (path, ".lock", NULL);
  g_autoptr(PosteDelivery) delivery = poste_mbox_delivery_new (path);
  g_autoptr(PosteReply) first = NULL;
  g_autoptr(PosteReply) second = NULL;
  g_autoptr(GBytes) before = NULL;
  g_autoptr(GBytes) after = NULL;
  g_autofree char *journal = NULL;
  GStatBuf st;
  pid_t dead;
  int fd;

  first = deliver (delivery, "a@b", "c@d", "Subject: one\r\n\r\nfirst\r\n");
  g_assert_cmpuint (first->code, ==, 250);
  before = read_file (path);

  /* A process that is surely gone (forked, exited and reaped). */
  dead = fork ();
  if (dead == 0)
    _exit (0);
  g_assert_cmpint (waitpid (dead, NULL, 0), ==, dead);

  g_assert_no_errno (g_stat (path, &st));
  journal = g_strdup_printf ("poste-restante %d %" G_GINT64_FORMAT " %" G_GUINT64_FORMAT " %"
                             G_GUINT64_FORMAT "\n", (int) dead, (gint64) st.st_size,
                             (guint64) st.st_dev, (guint64) st.st_ino);
  g_assert_true (g_file_set_contents (lock, journal, -1, NULL));
  fd = open (path, O_WRONLY | O_APPEND);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (write (fd, "From dead@x Sun Nov 29 00:00:00 2026\nSubject: half", 51), ==, 51);
  close (fd);

  second = deliver (delivery, "e@f", "g@h", "Subject: two\r\n\r\nsecond\r\n");
  g_assert_cmpuint (second->code, ==, 250);
  after = read_file (path);
  g_assert_false (g_file_test (lock, G_FILE_TEST_EXISTS));
  g_assert_null (g_strstr_len (g_bytes_get_data (after, NULL), g_bytes_get_size (after), "half"));
  g_assert_cmpmem (g_bytes_get_data (after, NULL), g_bytes_get_size (before),
                   g_bytes_get_data (before, NULL), g_bytes_get_size (before));
  g_assert_true (g_str_has_suffix (g_bytes_get_data (after, NULL), "\nSubject: two\n\nsecond\n\n"));
}

/* A foreign dotlock that is fresh is respected (bounded wait, 4xx); the mbox is untouched. */
static void
test_mbox_dotlock_busy (void)
{
  g_autofree char *dir = poste_test_make_dir ("mbox-busy");
  g_autofree char *path = g_build_filename (dir, "mbox", NULL);
  g_autofree char *lock = g_strconcat (path, ".lock", NULL);
  g_autoptr(PosteDelivery) delivery = poste_mbox_delivery_new (path);
  g_autoptr(PosteReply) reply = NULL;
  g_autoptr(PosteReply) again = NULL;

  poste_mbox_delivery_set_lock_timeout (POSTE_MBOX_DELIVERY (delivery), 1);
  g_assert_true (g_file_set_contents (lock, "", 0, NULL));
  reply = deliver (delivery, "a@b", "c@d", "Subject: one\r\n\r\nfirst\r\n");
  g_assert_cmpuint (reply->code / 100, ==, 4);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (lock, G_FILE_TEST_EXISTS));

  g_assert_no_errno (g_unlink (lock));
  again = deliver (delivery, "a@b", "c@d", "Subject: one\r\n\r\nfirst\r\n");
  g_assert_cmpuint (again->code, ==, 250);
}

/* --- the router --------------------------------------------------------------------------- */

static void
test_router (void)
{
  g_autofree char *dir = poste_test_make_dir ("router");
  g_autofree char *default_dir = g_build_filename (dir, "default", NULL);
  g_autofree char *alice_dir = g_build_filename (dir, "alice", NULL);
  g_autofree char *domain_mbox = g_build_filename (dir, "other.mbox", NULL);
  g_autofree char *default_spec = g_strdup_printf ("maildir:%s", default_dir);
  g_autofree char *alice_route = g_strdup_printf ("Alice@Example.org=maildir:%s", alice_dir);
  g_autofree char *domain_route = g_strdup_printf ("@other.example=mbox:%s", domain_mbox);
  const char *routes[] = { alice_route, domain_route, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(PosteDelivery) router = poste_router_new_for_routes (default_spec, routes, &error);
  PosteRouter *r;

  g_assert_no_error (error);
  g_assert_true (POSTE_IS_ROUTER (router));
  r = POSTE_ROUTER (router);
  g_assert_cmpstr (poste_router_lookup (r, "alice@example.org"), ==, alice_route + 18);
  g_assert_cmpstr (poste_router_lookup (r, "ALICE@EXAMPLE.ORG"), ==, alice_route + 18);
  g_assert_cmpstr (poste_router_lookup (r, "bob@example.org"), ==, default_spec);
  g_assert_cmpstr (poste_router_lookup (r, "x@other.example"), ==, domain_route + 15);
  g_assert_cmpstr (poste_router_lookup (r, "x@sub.other.example"), ==, default_spec);
  g_assert_cmpuint (poste_delivery_get_max_recipients (router), ==, 0);
  g_assert_cmpint (poste_delivery_get_flags (router), ==,
                   POSTE_DELIVERY_FLAGS_8BITMIME | POSTE_DELIVERY_FLAGS_SMTPUTF8);

  /* bob and carol share the default; alice is told to come back (452) in another transaction. */
  {
    g_autoptr(PosteEnvelope) envelope = poste_envelope_new ("s@x.net");
    g_autoptr(PosteReply) begin = poste_delivery_begin (router, envelope, NULL);
    g_autoptr(PosteReply) bob = poste_delivery_add_recipient (router, envelope, "bob@example.org",
                                                              NULL);
    g_autoptr(PosteReply) alice = poste_delivery_add_recipient (router, envelope,
                                                                "alice@example.org", NULL);
    g_autoptr(PosteReply) carol = poste_delivery_add_recipient (router, envelope,
                                                                "carol@example.org", NULL);
    g_autoptr(PosteReply) commit = NULL;

    g_assert_cmpuint (begin->code, ==, 250);
    g_assert_cmpuint (bob->code, ==, 250);
    g_assert_cmpuint (alice->code, ==, 452);
    g_assert_cmpstr (alice->enhanced, ==, "4.5.3");
    g_assert_cmpuint (carol->code, ==, 250);
    g_assert_true (poste_delivery_write (router, (const guint8 *) "Subject: 1\r\n\r\n", 14,
                                         NULL, NULL));
    commit = poste_delivery_commit (router, NULL);
    g_assert_cmpuint (commit->code, ==, 250);
  }
  {
    g_autoptr(PosteReply) again = deliver (router, "s@x.net", "alice@example.org",
                                           "Subject: 2\r\n\r\n");
    g_autoptr(PosteReply) other = deliver (router, "s@x.net", "someone@other.example",
                                           "Subject: 3\r\n\r\n");

    g_assert_cmpuint (again->code, ==, 250);
    g_assert_cmpuint (other->code, ==, 250);
  }
  {
    g_autoptr(GBytes) mbox = read_file (domain_mbox);
    g_autoptr(GPtrArray) d_messages = poste_test_maildir_read (default_dir);
    g_autoptr(GPtrArray) a_messages = poste_test_maildir_read (alice_dir);

    g_assert_cmpuint (d_messages->len, ==, 1);
    g_assert_cmpuint (a_messages->len, ==, 1);
    assert_bytes_equal (g_ptr_array_index (d_messages, 0), "Subject: 1\n\n", 12);
    assert_bytes_equal (g_ptr_array_index (a_messages, 0), "Subject: 2\n\n", 12);
    g_assert_true (g_str_has_suffix (g_bytes_get_data (mbox, NULL), "\nSubject: 3\n\n\n"));
  }

  /* A refused first recipient does not bind the transaction to its target. */
  {
    g_autofree char *helper = helper_path ();
    g_autofree char *mda_route = g_strdup_printf ("@mda.example=mda:%s exit 67", helper);
    const char *routes2[] = { mda_route, NULL };
    g_autoptr(PosteDelivery) router2 = poste_router_new_for_routes (default_spec, routes2, &error);
    g_autoptr(PosteEnvelope) envelope = poste_envelope_new ("s@x.net");
    g_autoptr(PosteReply) begin = poste_delivery_begin (router2, envelope, NULL);
    g_autoptr(PosteReply) bad = poste_delivery_add_recipient (router2, envelope, "-x@mda.example",
                                                              NULL);
    g_autoptr(PosteReply) good = poste_delivery_add_recipient (router2, envelope,
                                                               "bob@example.org", NULL);

    g_assert_no_error (error);
    g_assert_cmpuint (begin->code, ==, 250);
    g_assert_cmpuint (bad->code, ==, 250);  /* no %T: the address is not an argument */
    g_assert_cmpuint (good->code, ==, 452);
    poste_delivery_abort (router2);
  }

  /* Bad routes are refused with the route in the message. */
  {
    const char *bad_routes[][2] = {
      { "alice@example.org", NULL },
      { "alice=maildir:/x", NULL },
      { "@example.org=imap://x", NULL },
      { "a b@example.org=maildir:/x", NULL },
      { "@=maildir:/x", NULL },
    };

    for (guint i = 0; i < G_N_ELEMENTS (bad_routes); i++)
      {
        g_autoptr(GError) e = NULL;
        g_autoptr(PosteDelivery) d = poste_router_new_for_routes (default_spec, bad_routes[i], &e);

        g_test_message ("%s", bad_routes[i][0]);
        g_assert_null (d);
        g_assert_error (e, POSTE_DELIVERY_ERROR, POSTE_DELIVERY_ERROR_INVALID);
      }
  }
}

static void
test_router_provider (void)
{
  g_autoptr(PosteProvider) provider = poste_provider_new ("acme");
  g_autoptr(GError) error = NULL;
  g_autoptr(PosteDelivery) plain = NULL;
  g_autoptr(PosteDelivery) routed = NULL;
  g_autoptr(PosteDelivery) none = NULL;
  const char *routes[] = { "alice@example.org=maildir:~/Maildir-alice", NULL };

  poste_provider_set_delivery (provider, "");
  none = poste_router_new (provider, &error);
  g_assert_null (none);
  g_assert_error (error, POSTE_DELIVERY_ERROR, POSTE_DELIVERY_ERROR_INVALID);
  g_clear_error (&error);

  poste_provider_set_delivery (provider, "maildir:~/Maildir");
  plain = poste_router_new (provider, &error);
  g_assert_no_error (error);
  g_assert_true (POSTE_IS_MAILDIR_DELIVERY (plain));

  poste_provider_set_routes (provider, routes);
  routed = poste_router_new (provider, &error);
  g_assert_no_error (error);
  g_assert_true (POSTE_IS_ROUTER (routed));
  g_assert_cmpstr (poste_router_lookup (POSTE_ROUTER (routed), "alice@example.org"), ==,
                   "maildir:~/Maildir-alice");
}

int
main (int   argc,
      char *argv[])
{
  poste_test_init (&argc, &argv);

  g_test_add_func ("/delivery/filter/lf", test_filter_lf);
  g_test_add_func ("/delivery/filter/mboxrd", test_filter_mboxrd);
  g_test_add_func ("/delivery/mbox/from-line", test_from_line);
  g_test_add_func ("/delivery/targets", test_targets);
  g_test_add_func ("/delivery/maildir", test_maildir);
  g_test_add_func ("/delivery/mbox/python", test_mbox_python);
  g_test_add_func ("/delivery/mbox/separator", test_mbox_separator);
  g_test_add_func ("/delivery/mbox/crash-journal", test_mbox_crash_journal);
  g_test_add_func ("/delivery/mbox/dotlock-busy", test_mbox_dotlock_busy);
  test_delivery_add_mda ();
  g_test_add_func ("/delivery/router", test_router);
  g_test_add_func ("/delivery/router/provider", test_router_provider);

  return g_test_run ();
}
