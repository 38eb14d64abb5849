/* poste-test-mailbox.c: a mailbox seen as another mail program sees it: the messages in a
 * Maildir, how many there are (waiting for them to arrive), and a lock held on a file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "poste-test.h"
#include "poste-test-services.h"

static gint
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static void
read_folder (const char *folder,
             GPtrArray  *names)
{
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (name[0] != '.')
      g_ptr_array_add (names, g_build_filename (folder, name, NULL));
}

/**
 * poste_test_maildir_read:
 * @maildir: a Maildir
 *
 * Reads every message in new/ and cur/ (not tmp/), in the order of their file names.
 *
 * Returns: (transfer full) (element-type GBytes): the messages
 */
GPtrArray *
poste_test_maildir_read (const char *maildir)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  GPtrArray *messages = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autofree char *new_dir = g_build_filename (maildir, "new", NULL);
  g_autofree char *cur_dir = g_build_filename (maildir, "cur", NULL);

  read_folder (new_dir, names);
  read_folder (cur_dir, names);
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    {
      g_autoptr(GError) error = NULL;
      char *contents = NULL;
      gsize length = 0;

      g_file_get_contents (g_ptr_array_index (names, i), &contents, &length, &error);
      g_assert_no_error (error);
      g_ptr_array_add (messages, g_bytes_new_take (contents, length));
    }
  return messages;
}

/**
 * poste_test_dir_count:
 * @dir: a folder
 *
 * Returns: how many entries (not starting with '.') it has; 0 when it does not exist
 */
guint
poste_test_dir_count (const char *dir)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  read_folder (dir, names);
  return names->len;
}

/**
 * poste_test_maildir_wait:
 * @maildir: a Maildir
 * @count: how many messages to wait for
 * @seconds: how long at most
 *
 * Waits until new/ and cur/ hold at least @count messages (Postfix delivers after its 250,
 * from its queue).
 *
 * Returns: whether they arrived in time
 */
gboolean
poste_test_maildir_wait (const char *maildir,
                         guint       count,
                         guint       seconds)
{
  g_autofree char *new_dir = g_build_filename (maildir, "new", NULL);
  g_autofree char *cur_dir = g_build_filename (maildir, "cur", NULL);
  gint64 deadline = g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC;

  for (;;)
    {
      if (poste_test_dir_count (new_dir) + poste_test_dir_count (cur_dir) >= count)
        return TRUE;
      if (g_get_monotonic_time () >= deadline)
        return FALSE;
      g_usleep (50 * 1000);
    }
}

struct _PosteTestLock {
  pid_t pid;
  int   ready;   /* read end: the child wrote one byte once it held the lock */
  int   hold;    /* write end: closing it lets the child go */
};

/**
 * poste_test_lock_hold:
 * @path: an existing file
 *
 * Has another process hold an fcntl() write lock on all of @path, as another mail program
 * would: a child takes it with F_SETLKW and keeps it until poste_test_lock_release(). Returns
 * once the lock is held.
 *
 * Returns: (transfer full): the holder, to give to poste_test_lock_release()
 */
PosteTestLock *
poste_test_lock_hold (const char *path)
{
  PosteTestLock *lock = g_new0 (PosteTestLock, 1);
  int ready[2], hold[2];
  char c;

  g_assert_no_errno (pipe (ready));
  g_assert_no_errno (pipe (hold));
  lock->pid = fork ();
  g_assert_cmpint (lock->pid, >=, 0);
  if (lock->pid == 0)
    {
      struct flock fl = { 0 };
      int fd = open (path, O_RDWR);

      close (ready[0]);
      close (hold[1]);
      fl.l_type = F_WRLCK;
      fl.l_whence = SEEK_SET;
      if (fd < 0 || fcntl (fd, F_SETLKW, &fl) < 0 || write (ready[1], "x", 1) != 1)
        _exit (1);
      while (read (hold[0], &c, 1) > 0)
        ;
      _exit (0);
    }
  close (ready[1]);
  close (hold[0]);
  g_assert_cmpint (read (ready[0], &c, 1), ==, 1);
  lock->ready = ready[0];
  lock->hold = hold[1];
  return lock;
}

/**
 * poste_test_lock_release:
 * @lock: (transfer full): from poste_test_lock_hold()
 *
 * Lets the holder go, waits for it to exit (so the lock is free on return) and frees @lock.
 */
void
poste_test_lock_release (PosteTestLock *lock)
{
  close (lock->hold);
  close (lock->ready);
  g_assert_cmpint (waitpid (lock->pid, NULL, 0), ==, lock->pid);
  g_free (lock);
}
