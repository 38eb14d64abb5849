/* poste-fault-shim.c: an LD_PRELOAD layer that records and breaks the calls durability rests on
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * For tests only. Loaded with LD_PRELOAD into a program under test (poste-restante-cli), it
 * wraps fsync, fdatasync, rename, renameat, renameat2, link, write, pwrite, ftruncate and, to
 * place the replies among them, send and sendmsg. Nothing in the product knows it is there: the
 * tests see the product from outside, as a disk and a peer would.
 *
 *   POSTE_FAULT_LOG=FILE    append one line per call, in the order the calls were made:
 *                             PID fsync PATH = RESULT
 *                             PID rename OLD NEW = RESULT       (renameat, renameat2 too)
 *                             PID link OLD NEW = RESULT
 *                             PID write PATH N = RESULT         (regular files only; pwrite too)
 *                             PID ftruncate PATH LENGTH = RESULT
 *                             PID send TEXT                     (stream sockets: the first line
 *                                                                sent, escaped)
 *                           RESULT is the return value, then the errno name on failure, then
 *                           "injected" when this layer made the call fail. PATH is what
 *                           /proc/self/fd names (" (deleted)" for an unlinked file).
 *   POSTE_FAULT_FAIL=RULES  make chosen calls fail, without calling the real function. RULES is
 *                           a space-separated list of CALL[#N][@TEXT][=ERRNO]:
 *                             CALL   fsync, fdatasync, rename (all three), link, write (and
 *                                    pwrite), ftruncate
 *                             #N     only the Nth call that matches the rule (counted from 1 in
 *                                    each process); without it, every matching call
 *                             @TEXT  only calls whose path (either path, for rename and link)
 *                                    contains TEXT; a final '$' anchors TEXT at the path's end
 *                             =ERRNO EIO (the default), ENOSPC, EDQUOT, EROFS, EACCES, EPERM,
 *                                    EXDEV or ENOENT
 *                           e.g. "fsync#2@/new" fails the second fsync of a path holding "/new".
 *
 * Safe in threads (atomic counters, one write(2) per log line with O_APPEND) and after fork.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
/* ftruncate and ftruncate64 are both wrapped, by their own names: no header redirection. */
#undef _FILE_OFFSET_BITS

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#define MAX_RULES 16
#define MAX_TEXT 256

typedef enum {
  CALL_FSYNC,
  CALL_FDATASYNC,
  CALL_RENAME,
  CALL_LINK,
  CALL_WRITE,
  CALL_FTRUNCATE,
  N_CALLS
} Call;

static const char *const call_names[N_CALLS] = {
  "fsync", "fdatasync", "rename", "link", "write", "ftruncate",
};

typedef struct {
  Call call;
  long nth;              /* 0: every matching call */
  char text[MAX_TEXT];   /* "" matches every path */
  int error;
  long seen;             /* matching calls so far, atomically */
} Rule;

static Rule rules[MAX_RULES];
static int n_rules;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static ssize_t (*real_write) (int, const void *, size_t);

static const struct { const char *name; int value; } errnos[] = {
  { "EIO", EIO }, { "ENOSPC", ENOSPC }, { "EDQUOT", EDQUOT }, { "EROFS", EROFS },
  { "EACCES", EACCES }, { "EPERM", EPERM }, { "EXDEV", EXDEV }, { "ENOENT", ENOENT },
  { "EINVAL", EINVAL }, { "EEXIST", EEXIST },
};

static const char *
errno_name (int value)
{
  for (size_t i = 0; i < sizeof errnos / sizeof errnos[0]; i++)
    if (errnos[i].value == value)
      return errnos[i].name;
  return "E?";
}

static void
die (const char *what)
{
  static const char prefix[] = "poste-fault-shim: bad POSTE_FAULT_FAIL rule: ";

  real_write (2, prefix, sizeof prefix - 1);
  real_write (2, what, strlen (what));
  real_write (2, "\n", 1);
  abort ();
}

static void
parse_rule (const char *word,
            size_t      length)
{
  char buffer[MAX_TEXT * 2];
  Rule *rule;
  char *p;
  char *end;
  size_t name_length;

  if (length >= sizeof buffer || n_rules == MAX_RULES)
    die ("too long or too many");
  memcpy (buffer, word, length);
  buffer[length] = '\0';
  rule = &rules[n_rules];
  memset (rule, 0, sizeof *rule);
  rule->error = EIO;

  name_length = strcspn (buffer, "#@=");
  rule->call = N_CALLS;
  for (int c = 0; c < N_CALLS; c++)
    if (strlen (call_names[c]) == name_length && strncmp (buffer, call_names[c], name_length) == 0)
      rule->call = (Call) c;
  if (rule->call == N_CALLS)
    die (buffer);

  p = buffer + name_length;
  if (*p == '#')
    {
      rule->nth = strtol (p + 1, &end, 10);
      if (end == p + 1 || rule->nth <= 0)
        die (buffer);
      p = end;
    }
  if (*p == '@')
    {
      size_t text_length = strcspn (p + 1, "=");

      if (text_length == 0 || text_length >= MAX_TEXT)
        die (buffer);
      memcpy (rule->text, p + 1, text_length);
      rule->text[text_length] = '\0';
      p += 1 + text_length;
    }
  if (*p == '=')
    {
      rule->error = 0;
      for (size_t i = 0; i < sizeof errnos / sizeof errnos[0]; i++)
        if (strcmp (p + 1, errnos[i].name) == 0)
          rule->error = errnos[i].value;
      if (rule->error == 0)
        die (buffer);
      p += strlen (p);
    }
  if (*p != '\0')
    die (buffer);
  n_rules++;
}

static void
init (void)
{
  const char *spec;

  real_write = dlsym (RTLD_NEXT, "write");
  spec = getenv ("POSTE_FAULT_FAIL");
  while (spec != NULL && *spec != '\0')
    {
      size_t length;

      spec += strspn (spec, " ");
      length = strcspn (spec, " ");
      if (length > 0)
        parse_rule (spec, length);
      spec += length;
    }
}

static void *
real (const char *name)
{
  void *symbol = dlsym (RTLD_NEXT, name);

  if (symbol == NULL)
    abort ();
  return symbol;
}

#define REAL(name) \
  static __typeof__ (name) *real_##name; \
  if (real_##name == NULL) \
    real_##name = (__typeof__ (name) *) real (#name)

static void
fd_path (int    fd,
         char  *path,
         size_t size)
{
  char proc[64];
  ssize_t n;

  snprintf (proc, sizeof proc, "/proc/self/fd/%d", fd);
  n = readlink (proc, path, size - 1);
  if (n < 0)
    n = 0;
  path[n] = '\0';
}

/* An absolute form of @path relative to @dirfd, for the log and the rules. */
static void
at_path (int         dirfd,
         const char *path,
         char       *out,
         size_t      size)
{
  size_t used = 0;
  size_t length;

  out[0] = '\0';
  if (path[0] != '/')
    {
      if (dirfd == AT_FDCWD)
        {
          if (getcwd (out, size) == NULL)
            out[0] = '\0';
        }
      else
        fd_path (dirfd, out, size);
      used = strlen (out);
      if (used + 1 < size)
        out[used++] = '/';
    }
  length = strlen (path);
  if (length > size - 1 - used)
    length = size - 1 - used;
  memcpy (out + used, path, length);
  out[used + length] = '\0';
}

/* Whether @path holds @text ("" always); a final '$' in @text anchors it at the end of @path. */
static int
matches (const char *path,
         const char *text)
{
  size_t length = strlen (text);
  size_t path_length;

  if (path == NULL)
    return 0;
  if (length == 0)
    return 1;
  if (text[length - 1] != '$')
    return strstr (path, text) != NULL;
  path_length = strlen (path);
  return path_length >= length - 1
    && strncmp (path + path_length - (length - 1), text, length - 1) == 0;
}

/* The rule that makes this call fail, or NULL. Counts the call against every matching rule. */
static Rule *
should_fail (Call        call,
             const char *path,
             const char *path2)
{
  Rule *failing = NULL;

  pthread_once (&once, init);
  for (int i = 0; i < n_rules; i++)
    {
      Rule *rule = &rules[i];
      long seen;

      if (rule->call != call)
        continue;
      if (!matches (path, rule->text) && !matches (path2, rule->text))
        continue;
      seen = __atomic_add_fetch (&rule->seen, 1, __ATOMIC_SEQ_CST);
      if (failing == NULL && (rule->nth == 0 || rule->nth == seen))
        failing = rule;
    }
  return failing;
}

static void log_line (const char *format, ...) __attribute__ ((format (printf, 1, 2)));

static void
log_line (const char *format,
          ...)
{
  const char *file = getenv ("POSTE_FAULT_LOG");
  char line[3 * PATH_MAX];
  int length;
  int fd;
  va_list args;

  if (file == NULL || *file == '\0')
    return;
  pthread_once (&once, init);
  length = snprintf (line, sizeof line, "%ld ", (long) getpid ());
  va_start (args, format);
  length += vsnprintf (line + length, sizeof line - length - 1, format, args);
  va_end (args);
  if (length > (int) sizeof line - 2)
    length = sizeof line - 2;
  line[length++] = '\n';
  fd = open (file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    return;
  real_write (fd, line, length);
  close (fd);
}

static void
log_result (const char *what,
            int         result,
            int         error,
            Rule       *injected)
{
  if (result >= 0)
    log_line ("%s = %d", what, result);
  else
    log_line ("%s = %d %s%s", what, result, errno_name (error), injected ? " injected" : "");
}

/* Every intercepted call goes through here: a rule may make it fail with the rule's errno,
 * without the real call; otherwise @perform makes the real call with @args. Either way the log
 * says "@what = RESULT", and errno is left as the call left it. @path and @path2 (nullable) are
 * what the rules match. */
static ssize_t
intercept (Call          call,
           const char   *path,
           const char   *path2,
           const char   *what,
           ssize_t     (*perform) (const void *args),
           const void   *args)
{
  Rule *rule = should_fail (call, path, path2);
  ssize_t result;
  int error;

  if (rule != NULL)
    {
      result = -1;
      error = rule->error;
    }
  else
    {
      result = perform (args);
      error = errno;
    }
  log_result (what, (int) (result < 0 ? -1 : result), error, rule);
  errno = error;
  return result;
}

/* The real calls, each with its arguments in one struct for intercept(). */

typedef struct {
  int   fd;
  int (*function) (int);
} SyncArgs;

static ssize_t
perform_sync (const void *args)
{
  const SyncArgs *a = args;

  return a->function (a->fd);
}

typedef struct {
  int           olddirfd;
  const char   *oldpath;
  int           newdirfd;
  const char   *newpath;
  unsigned int  flags;
  int         (*function) (int, const char *, int, const char *, unsigned int);
} RenameArgs;

static ssize_t
perform_rename (const void *args)
{
  const RenameArgs *a = args;

  return a->function (a->olddirfd, a->oldpath, a->newdirfd, a->newpath, a->flags);
}

typedef struct {
  int         fd;
  const void *data;
  size_t      count;
  off_t       offset;   /* pwrite only */
  ssize_t   (*pwrite) (int, const void *, size_t, off_t);  /* NULL: write */
} WriteArgs;

static ssize_t
perform_write (const void *args)
{
  const WriteArgs *a = args;

  if (a->pwrite != NULL)
    return a->pwrite (a->fd, a->data, a->count, a->offset);
  return real_write (a->fd, a->data, a->count);
}

typedef struct {
  int    fd;
  off_t  length;
  int  (*function) (int, off_t);
} TruncateArgs;

static ssize_t
perform_truncate (const void *args)
{
  const TruncateArgs *a = args;

  return a->function (a->fd, a->length);
}

/* The wrappers */

static int
sync_call (Call        call,
           int         fd,
           int       (*function) (int))
{
  char path[PATH_MAX];
  char what[PATH_MAX + 32];
  SyncArgs args = { fd, function };

  fd_path (fd, path, sizeof path);
  snprintf (what, sizeof what, "%s %s", call_names[call], path);
  return (int) intercept (call, path, NULL, what, perform_sync, &args);
}

int
fsync (int fd)
{
  REAL (fsync);
  return sync_call (CALL_FSYNC, fd, real_fsync);
}

int
fdatasync (int fd)
{
  REAL (fdatasync);
  return sync_call (CALL_FDATASYNC, fd, real_fdatasync);
}

static int
rename_call (const char *name,
             int         olddirfd,
             const char *oldpath,
             int         newdirfd,
             const char *newpath,
             int       (*function) (int, const char *, int, const char *, unsigned int),
             unsigned int flags)
{
  char from[PATH_MAX];
  char to[PATH_MAX];
  char what[3 * PATH_MAX];
  RenameArgs args = { olddirfd, oldpath, newdirfd, newpath, flags, function };

  at_path (olddirfd, oldpath, from, sizeof from);
  at_path (newdirfd, newpath, to, sizeof to);
  snprintf (what, sizeof what, "%s %s %s", name, from, to);
  return (int) intercept (strcmp (name, "link") == 0 ? CALL_LINK : CALL_RENAME, from, to, what,
                          perform_rename, &args);
}

static int
call_renameat2 (int olddirfd, const char *oldpath, int newdirfd, const char *newpath,
                unsigned int flags)
{
  REAL (renameat2);
  return real_renameat2 (olddirfd, oldpath, newdirfd, newpath, flags);
}

static int
call_link (int olddirfd, const char *oldpath, int newdirfd, const char *newpath,
           unsigned int flags)
{
  REAL (linkat);
  return real_linkat (olddirfd, oldpath, newdirfd, newpath, (int) flags);
}

int
rename (const char *oldpath,
        const char *newpath)
{
  return rename_call ("rename", AT_FDCWD, oldpath, AT_FDCWD, newpath, call_renameat2, 0);
}

int
renameat (int         olddirfd,
          const char *oldpath,
          int         newdirfd,
          const char *newpath)
{
  return rename_call ("rename", olddirfd, oldpath, newdirfd, newpath, call_renameat2, 0);
}

int
renameat2 (int          olddirfd,
           const char  *oldpath,
           int          newdirfd,
           const char  *newpath,
           unsigned int flags)
{
  return rename_call ("rename", olddirfd, oldpath, newdirfd, newpath, call_renameat2, flags);
}

int
link (const char *oldpath,
      const char *newpath)
{
  return rename_call ("link", AT_FDCWD, oldpath, AT_FDCWD, newpath, call_link, 0);
}

/* The first line of what goes to a peer, made printable. */
static void
log_send (const void *data,
          size_t      length)
{
  char text[128];
  const unsigned char *p = data;
  size_t n = 0;

  for (size_t i = 0; i < length && n < sizeof text - 5 && p[i] != '\r' && p[i] != '\n'; i++)
    {
      if (p[i] >= 0x20 && p[i] < 0x7f)
        text[n++] = (char) p[i];
      else
        n += snprintf (text + n, sizeof text - n, "\\x%02x", p[i]);
    }
  text[n] = '\0';
  log_line ("send %s", text);
}

static int
is_stream_socket (int fd)
{
  int type = 0;
  socklen_t length = sizeof type;

  return getsockopt (fd, SOL_SOCKET, SO_TYPE, &type, &length) == 0 && type == SOCK_STREAM;
}

ssize_t
write (int         fd,
       const void *data,
       size_t      count)
{
  struct stat st;
  char path[PATH_MAX];
  char what[PATH_MAX + 64];
  WriteArgs args = { fd, data, count, 0, NULL };

  pthread_once (&once, init);
  if (fstat (fd, &st) != 0)
    return real_write (fd, data, count);
  /* Pipes, terminals and eventfds (GLib's wake-ups) are not storage: pass them through. */
  if (!S_ISREG (st.st_mode))
    {
      if (S_ISSOCK (st.st_mode) && is_stream_socket (fd))
        log_send (data, count);
      return real_write (fd, data, count);
    }
  fd_path (fd, path, sizeof path);
  snprintf (what, sizeof what, "write %s %zu", path, count);
  return intercept (CALL_WRITE, path, NULL, what, perform_write, &args);
}

static ssize_t
pwrite_call (int         fd,
             const void *data,
             size_t      count,
             off_t       offset,
             ssize_t   (*function) (int, const void *, size_t, off_t))
{
  char path[PATH_MAX];
  char what[PATH_MAX + 64];
  WriteArgs args = { fd, data, count, offset, function };

  fd_path (fd, path, sizeof path);
  snprintf (what, sizeof what, "pwrite %s %zu", path, count);
  return intercept (CALL_WRITE, path, NULL, what, perform_write, &args);
}

ssize_t
pwrite (int         fd,
        const void *data,
        size_t      count,
        off_t       offset)
{
  REAL (pwrite);
  return pwrite_call (fd, data, count, offset, real_pwrite);
}

ssize_t
pwrite64 (int         fd,
          const void *data,
          size_t      count,
          off_t       offset)
{
  REAL (pwrite64);
  return pwrite_call (fd, data, count, offset, real_pwrite64);
}

static int
truncate_call (int    fd,
               off_t  length,
               int  (*function) (int, off_t))
{
  char path[PATH_MAX];
  char what[PATH_MAX + 64];
  TruncateArgs args = { fd, length, function };

  fd_path (fd, path, sizeof path);
  snprintf (what, sizeof what, "ftruncate %s %lld", path, (long long) length);
  return (int) intercept (CALL_FTRUNCATE, path, NULL, what, perform_truncate, &args);
}

int
ftruncate (int   fd,
           off_t length)
{
  REAL (ftruncate);
  return truncate_call (fd, length, real_ftruncate);
}

int
ftruncate64 (int   fd,
             off_t length)
{
  REAL (ftruncate64);
  return truncate_call (fd, length, real_ftruncate64);
}

ssize_t
send (int         fd,
      const void *data,
      size_t      length,
      int         flags)
{
  REAL (send);
  if (is_stream_socket (fd))
    log_send (data, length);
  return real_send (fd, data, length, flags);
}

ssize_t
sendmsg (int                  fd,
         const struct msghdr *message,
         int                  flags)
{
  REAL (sendmsg);
  if (message->msg_iovlen > 0 && is_stream_socket (fd))
    log_send (message->msg_iov[0].iov_base, message->msg_iov[0].iov_len);
  return real_sendmsg (fd, message, flags);
}
