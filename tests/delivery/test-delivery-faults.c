/* test-delivery-faults.c: the local stores under faults
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A full disk (a 64 KiB tmpfs mounted for the test), an mbox locked by another process, and a
 * delivery killed with SIGKILL in the middle: each must answer 4xx (or never answer) and leave
 * no partial message where a mail reader would see it.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "test-delivery-common.h"

static GBytes *
read_file (const char *path)
{
  char *contents = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &contents, &length, NULL))
    return g_bytes_new (NULL, 0);
  return g_bytes_new_take (contents, length);
}

static char *
big_message (const char *subject,
             gsize       size)
{
  GString *s = g_string_new (NULL);

  g_string_append_printf (s, "Subject: %s\r\n\r\n", subject);
  while (s->len < size)
    g_string_append (s, "0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstu\r\n");
  return g_string_free (s, FALSE);
}

static void
unmount (const char *dir)
{
  g_assert_no_errno (umount2 (dir, MNT_DETACH));
}

/* Runs a transaction whose write may fail; returns the reply, or a 4xx one made here when
 * write () failed (the session answers 4xx then, and aborts). */
static PosteReply *
deliver_may_fail (PosteDelivery *delivery,
                  const char    *message)
{
  g_autoptr(PosteEnvelope) envelope = poste_envelope_new ("s@provider.example");
  g_autoptr(PosteReply) begin = poste_delivery_begin (delivery, envelope, NULL);
  g_autoptr(PosteReply) rcpt = NULL;
  gsize length = strlen (message);

  g_assert_cmpuint (begin->code, ==, 250);
  rcpt = poste_delivery_add_recipient (delivery, envelope, "alice@example.org", NULL);
  g_assert_cmpuint (rcpt->code, ==, 250);
  for (gsize offset = 0; offset < length; offset += 8192)
    {
      g_autoptr(GError) error = NULL;

      if (!poste_delivery_write (delivery, (const guint8 *) message + offset,
                                 MIN (8192, length - offset), NULL, &error))
        {
          g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
          poste_delivery_abort (delivery);
          return poste_reply_new (452, "4.3.1", "write failed: %s", error->message);
        }
    }
  return poste_delivery_commit (delivery, NULL);
}

static void
test_disk_full_mbox (void)
{
  g_autofree char *dir = poste_test_mount_small_tmpfs ();
  g_autofree char *path = NULL;
  g_autofree char *huge = big_message ("huge", 100 * 1024);
  g_autofree char *medium = big_message ("medium", 36 * 1024);
  g_autoptr(PosteDelivery) delivery = NULL;
  g_autoptr(PosteReply) first = NULL;
  g_autoptr(GBytes) before = NULL;

  if (dir == NULL)
    return;
  path = g_build_filename (dir, "mbox", NULL);
  delivery = poste_mbox_delivery_new (path);

  first = deliver (delivery, "s@provider.example", "alice@example.org", "Subject: a\r\n\r\nx\r\n");
  g_assert_cmpuint (first->code, ==, 250);
  before = read_file (path);

  /* Too big for the spool: refused while receiving. */
  {
    g_autoptr(PosteReply) reply = deliver_may_fail (delivery, huge);
    g_autoptr(GBytes) after = read_file (path);

    g_assert_cmpuint (reply->code / 100, ==, 4);
    g_assert_true (g_bytes_equal (before, after));
  }
  /* Fits in the spool, not twice: the append fails and is truncated back. */
  {
    g_autoptr(PosteReply) reply = deliver_may_fail (delivery, medium);
    g_autoptr(GBytes) after = read_file (path);
    g_autofree char *lock = g_strconcat (path, ".lock", NULL);

    g_test_message ("medium: %u %s", reply->code, reply->lines[0]);
    g_assert_cmpuint (reply->code, ==, 452);
    g_assert_cmpstr (reply->enhanced, ==, "4.3.1");
    g_assert_true (g_bytes_equal (before, after));
    g_assert_false (g_file_test (lock, G_FILE_TEST_EXISTS));
  }
  /* And a small one still goes in afterwards. */
  {
    g_autoptr(PosteReply) reply = deliver (delivery, "s@p", "a@b", "Subject: b\r\n\r\ny\r\n");

    g_assert_cmpuint (reply->code, ==, 250);
  }
  g_clear_object (&delivery);
  unmount (dir);
}

static void
test_disk_full_maildir (void)
{
  g_autofree char *dir = poste_test_mount_small_tmpfs ();
  g_autofree char *path = NULL;
  g_autofree char *tmp = NULL;
  g_autofree char *new_dir = NULL;
  g_autofree char *huge = big_message ("huge", 100 * 1024);
  g_autoptr(PosteDelivery) delivery = NULL;

  if (dir == NULL)
    return;
  path = g_build_filename (dir, "Maildir", NULL);
  tmp = g_build_filename (path, "tmp", NULL);
  new_dir = g_build_filename (path, "new", NULL);
  delivery = poste_maildir_delivery_new (path);

  {
    g_autoptr(PosteReply) reply = deliver_may_fail (delivery, huge);

    g_assert_cmpuint (reply->code / 100, ==, 4);
    g_assert_cmpuint (poste_test_dir_count (tmp), ==, 0);
    g_assert_cmpuint (poste_test_dir_count (new_dir), ==, 0);
  }
  {
    g_autoptr(PosteReply) reply = deliver (delivery, "s@p", "a@b", "Subject: b\r\n\r\ny\r\n");

    g_assert_cmpuint (reply->code, ==, 250);
    g_assert_cmpuint (poste_test_dir_count (new_dir), ==, 1);
  }
  g_clear_object (&delivery);
  unmount (dir);
}

/* Another process holds an fcntl lock on the mbox: a bounded wait, then 4xx, nothing written. */
static void
test_mbox_locked (void)
{
  g_autofree char *dir = poste_test_make_dir ("locked");
  g_autofree char *path = g_build_filename (dir, "mbox", NULL);
  g_autofree char *lock = g_strconcat (path, ".lock", NULL);
  g_autoptr(PosteDelivery) delivery = poste_mbox_delivery_new (path);
  g_autoptr(PosteReply) first = NULL;
  g_autoptr(GBytes) before = NULL;
  PosteTestLock *holder;

  first = deliver (delivery, "s@p", "a@b", "Subject: a\r\n\r\nx\r\n");
  g_assert_cmpuint (first->code, ==, 250);
  before = read_file (path);

  holder = poste_test_lock_hold (path);

  poste_mbox_delivery_set_lock_timeout (POSTE_MBOX_DELIVERY (delivery), 1);
  {
    g_autoptr(PosteReply) reply = deliver (delivery, "s@p", "a@b", "Subject: b\r\n\r\ny\r\n");
    g_autoptr(GBytes) after = read_file (path);

    g_assert_cmpuint (reply->code, ==, 451);
    g_assert_true (g_bytes_equal (before, after));
    g_assert_false (g_file_test (lock, G_FILE_TEST_EXISTS));
  }

  poste_test_lock_release (holder);
  {
    g_autoptr(PosteReply) reply = deliver (delivery, "s@p", "a@b", "Subject: b\r\n\r\ny\r\n");

    g_assert_cmpuint (reply->code, ==, 250);
  }
}

/* A child delivers @message slowly; it is killed with SIGKILL halfway through DATA. */
static void
kill_while_receiving (PosteDelivery *delivery)
{
  int halfway[2];
  char c;
  pid_t pid;
  int status;

  g_assert_no_errno (pipe (halfway));
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      g_autoptr(PosteEnvelope) envelope = poste_envelope_new ("slow@provider.example");
      PosteReply *reply;
      char line[] = "a line of a message that arrives slowly, a little at a time\r\n";

      close (halfway[0]);
      reply = poste_delivery_begin (delivery, envelope, NULL);
      reply = poste_delivery_add_recipient (delivery, envelope, "alice@example.org", NULL);
      (void) reply;
      for (guint i = 0; i < 1000000; i++)
        {
          poste_delivery_write (delivery, (const guint8 *) line, sizeof line - 1, NULL, NULL);
          if (i == 2000 && write (halfway[1], "x", 1) != 1)
            _exit (1);
          if (i > 2000)
            g_usleep (1000);
        }
      poste_delivery_commit (delivery, NULL);
      _exit (0);
    }
  close (halfway[1]);
  g_assert_cmpint (read (halfway[0], &c, 1), ==, 1);
  close (halfway[0]);
  g_assert_no_errno (kill (pid, SIGKILL));
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFSIGNALED (status));
}

static void
test_sigkill_maildir (void)
{
  g_autofree char *dir = poste_test_make_dir ("kill-maildir");
  g_autofree char *path = g_build_filename (dir, "Maildir", NULL);
  g_autofree char *new_dir = g_build_filename (path, "new", NULL);
  g_autofree char *cur = g_build_filename (path, "cur", NULL);
  g_autoptr(PosteDelivery) delivery = poste_maildir_delivery_new (path);

  kill_while_receiving (delivery);
  g_assert_cmpuint (poste_test_dir_count (new_dir), ==, 0);
  g_assert_cmpuint (poste_test_dir_count (cur), ==, 0);
  {
    g_autoptr(PosteDelivery) again = poste_maildir_delivery_new (path);
    g_autoptr(PosteReply) reply = deliver (again, "s@p", "a@b", "Subject: b\r\n\r\ny\r\n");
    g_autoptr(GPtrArray) messages = poste_test_maildir_read (path);

    g_assert_cmpuint (reply->code, ==, 250);
    g_assert_cmpuint (messages->len, ==, 1);
    assert_bytes_equal (g_ptr_array_index (messages, 0), "Subject: b\n\ny\n", 14);
  }
}

static void
test_sigkill_mbox (void)
{
  g_autofree char *dir = poste_test_make_dir ("kill-mbox");
  g_autofree char *path = g_build_filename (dir, "mbox", NULL);
  g_autofree char *lock = g_strconcat (path, ".lock", NULL);
  g_autoptr(PosteDelivery) delivery = poste_mbox_delivery_new (path);
  g_autoptr(PosteReply) first = NULL;
  g_autoptr(GBytes) before = NULL;
  gboolean journal_seen = FALSE;
  gsize big_size = 48 * 1024 * 1024;

  first = deliver (delivery, "s@p", "a@b", "Subject: a\r\n\r\nx\r\n");
  g_assert_cmpuint (first->code, ==, 250);
  before = read_file (path);

  /* Killed while the message arrives: the mbox never saw it. */
  kill_while_receiving (delivery);
  {
    g_autoptr(GBytes) after = read_file (path);

    g_assert_true (g_bytes_equal (before, after));
    g_assert_false (g_file_test (lock, G_FILE_TEST_EXISTS));
  }

  /* Killed while appending (when the timing lets us catch it): the next delivery truncates. */
  {
    int committing[2];
    char c;
    pid_t pid;
    gint64 deadline;

    g_assert_no_errno (pipe (committing));
    pid = fork ();
    g_assert_cmpint (pid, >=, 0);
    if (pid == 0)
      {
        g_autoptr(PosteEnvelope) envelope = poste_envelope_new ("big@provider.example");
        g_autofree char *chunk = big_message ("big", 64 * 1024);
        gsize chunk_length = strlen (chunk);

        close (committing[0]);
        poste_reply_free (poste_delivery_begin (delivery, envelope, NULL));
        poste_reply_free (poste_delivery_add_recipient (delivery, envelope, "a@b", NULL));
        for (gsize sent = 0; sent < big_size; sent += chunk_length)
          if (!poste_delivery_write (delivery, (const guint8 *) chunk, chunk_length, NULL, NULL))
            _exit (1);
        if (write (committing[1], "x", 1) != 1)
          _exit (1);
        poste_reply_free (poste_delivery_commit (delivery, NULL));
        _exit (0);
      }
    close (committing[1]);
    g_assert_cmpint (read (committing[0], &c, 1), ==, 1);
    close (committing[0]);

    /* Wait for the journal (the dotlock with the old length) to appear, then kill. */
    deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
    while (g_get_monotonic_time () < deadline)
      {
        g_autofree char *text = NULL;
        g_auto(GStrv) fields = NULL;

        if (g_file_get_contents (lock, &text, NULL, NULL) &&
            (fields = g_strsplit (g_strstrip (text), " ", 0)) != NULL &&
            g_strv_length (fields) == 5)
          {
            journal_seen = TRUE;
            break;
          }
        if (waitpid (pid, NULL, WNOHANG) == pid)
          {
            pid = 0;
            break;
          }
        g_usleep (200);
      }
    if (pid != 0)
      {
        kill (pid, SIGKILL);
        g_assert_cmpint (waitpid (pid, NULL, 0), ==, pid);
      }
  }
  g_test_message ("killed during the append: %s", journal_seen ? "yes" : "no (it finished)");

  {
    g_autoptr(PosteDelivery) again = poste_mbox_delivery_new (path);
    g_autoptr(PosteReply) reply = deliver (again, "new@provider.example", "a@b",
                                           "Subject: new\r\n\r\nz\r\n");
    g_autoptr(GBytes) after = read_file (path);
    gsize length;
    const char *data = g_bytes_get_data (after, &length);
    const char *tail;
    const char *new_from;
    gsize middle;

    g_assert_cmpuint (reply->code, ==, 250);
    g_assert_false (g_file_test (lock, G_FILE_TEST_EXISTS));
    g_assert_cmpuint (length, >, g_bytes_get_size (before));
    g_assert_cmpmem (data, g_bytes_get_size (before), g_bytes_get_data (before, NULL),
                     g_bytes_get_size (before));
    tail = data + g_bytes_get_size (before);
    new_from = g_strstr_len (tail, length - g_bytes_get_size (before), "From new@provider.example ");
    g_assert_nonnull (new_from);
    g_assert_true (g_str_has_suffix (new_from, "\nSubject: new\n\nz\n\n"));
    /* Between the old messages and the new one: nothing, or the whole big message. */
    middle = new_from - tail;
    g_test_message ("between: %zu octets", middle);
    if (middle > 0)
      {
        g_assert_true (g_str_has_prefix (tail, "From big@provider.example "));
        g_assert_true (tail[middle - 1] == '\n' && tail[middle - 2] == '\n');
        g_assert_cmpuint (middle, >, big_size * 68 / 70);
      }
    if (journal_seen)
      g_assert_cmpuint (middle, ==, 0);
  }
}

/* A target that cannot be written names itself: with routes, "Permission denied" alone does not
 * say which mbox or Maildir it was. An mbox path that is a folder, and a Maildir path that is
 * a file. */
static void
test_unwritable_target_named (void)
{
  g_autofree char *dir = poste_test_service_dir_new ("named");
  g_autofree char *mbox = g_build_filename (dir, "mbox-folder", NULL);
  g_autofree char *maildir = g_build_filename (dir, "maildir-file", NULL);
  g_autofree char *expected = NULL;
  g_autoptr(PosteDelivery) to_mbox = NULL;
  g_autoptr(PosteDelivery) to_maildir = NULL;
  g_autoptr(PosteEnvelope) envelope = NULL;
  g_autoptr(PosteReply) reply = NULL;

  g_assert_no_errno (g_mkdir (mbox, 0700));
  to_mbox = poste_mbox_delivery_new (mbox);
  reply = deliver (to_mbox, "s@p", "a@b", "Subject: x\r\n\r\nx\r\n");
  g_assert_cmpuint (reply->code, ==, 451);
  expected = g_strdup_printf ("“%s”", mbox);
  g_assert_nonnull (strstr (reply->lines[0], expected));
  g_clear_pointer (&reply, poste_reply_free);
  g_clear_pointer (&expected, g_free);

  g_assert_true (g_file_set_contents (maildir, "not a folder\n", -1, NULL));
  to_maildir = poste_maildir_delivery_new (maildir);
  envelope = poste_envelope_new ("s@p");
  reply = poste_delivery_begin (to_maildir, envelope, NULL);
  g_assert_cmpuint (reply->code / 100, ==, 4);
  expected = g_strdup_printf ("“%s", maildir);
  g_assert_nonnull (strstr (reply->lines[0], expected));
}

/* A shared mail folder that takes no files of ours (as /var/mail, group "mail", mode 2775):
 * no dotlock and no spool there, the fcntl lock alone, and the message still lands. Run as
 * nobody in a forked child, since root may write anywhere. */
static void
test_mbox_unwritable_folder (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *lock = NULL;
  g_autoptr(GBytes) stored = NULL;
  pid_t pid;
  int status;

  if (getuid () != 0)
    {
      poste_test_missing ("needs root to act as another user (run the tests as root)");
      return;
    }
  dir = poste_test_service_dir_new ("varmail");
  path = g_build_filename (dir, "nobody", NULL);
  lock = g_strconcat (path, ".lock", NULL);
  g_assert_true (g_file_set_contents (path, "", 0, NULL));
  g_assert_no_errno (chown (path, 65534, 65534));
  g_assert_no_errno (chmod (path, 0600));

  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      PosteDelivery *delivery;
      PosteReply *reply;

      if (setgid (65534) < 0 || setuid (65534) < 0)
        _exit (2);
      g_setenv ("TMPDIR", "/tmp", TRUE);
      delivery = poste_mbox_delivery_new (path);
      reply = deliver (delivery, "s@p", "a@b", "Subject: shared\r\n\r\nfolder\r\n");
      _exit (reply->code == 250 ? 0 : 1);
    }
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);

  stored = read_file (path);
  g_assert_true (g_str_has_prefix (g_bytes_get_data (stored, NULL), "From s@p "));
  g_assert_true (g_str_has_suffix (g_bytes_get_data (stored, NULL), "\nSubject: shared\n\nfolder\n\n"));
  g_assert_false (g_file_test (lock, G_FILE_TEST_EXISTS));
  poste_test_remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  poste_test_init (&argc, &argv);

  g_test_add_func ("/delivery/faults/disk-full/mbox", test_disk_full_mbox);
  g_test_add_func ("/delivery/faults/disk-full/maildir", test_disk_full_maildir);
  g_test_add_func ("/delivery/faults/mbox-locked", test_mbox_locked);
  g_test_add_func ("/delivery/faults/mbox-unwritable-folder", test_mbox_unwritable_folder);
  g_test_add_func ("/delivery/faults/unwritable-target-named", test_unwritable_target_named);
  g_test_add_func ("/delivery/faults/sigkill/maildir", test_sigkill_maildir);
  g_test_add_func ("/delivery/faults/sigkill/mbox", test_sigkill_mbox);

  return g_test_run ();
}
