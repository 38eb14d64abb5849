/* poste-bench-sink.c: a discarding SMTP server for the benchmarks, and a discarding ODMR customer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Two modes, one SMTP server loop:
 *
 *   poste-bench-sink listen [--port N]
 *       An SMTP server on 127.0.0.1 (RFC 5321, PIPELINING) that answers 250 to every
 *       transaction and throws the messages away: the "SMTP sink" that poste-restante-cli and
 *       fetchmail relay into. It prints "listening on 127.0.0.1:PORT", then one line per closed
 *       connection: "connection messages=N bytes=B cpu=SECONDS" (the CPU time of the thread that
 *       served it), and runs until it is killed.
 *
 *   poste-bench-sink odmr --port N --user U --password P --domain D
 *       The smallest ODMR customer (RFC 2645): EHLO, AUTH CRAM-MD5 (RFC 2195), ATRN, then the
 *       same server loop on the reversed connection. With the test provider this measures what
 *       the provider and loopback allow. It prints
 *       "received messages=N bytes=B seconds=S cpu=SECONDS" and exits 0, or 1 on any failure.
 *
 * Reads are 256 KiB, replies to pipelined commands go out in one write, and the end of DATA is
 * found with memchr() and a five-state matcher, so the sink costs a few microseconds per message.
 * Not a test and not installed: a tool of bench/run.
 */

#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib.h>

#define BUFFER_SIZE (256 * 1024)
#define MAX_LINE 4096

typedef struct {
  int      fd;
  char    *in;
  gsize    start;      /* first unread byte of in */
  gsize    end;        /* one past the last byte read */
  GString *out;        /* replies not written yet */
  guint64  messages;
  guint64  bytes;
} Peer;

static gboolean
write_all (int         fd,
           const char *data,
           gsize       length)
{
  while (length > 0)
    {
      ssize_t n = write (fd, data, length);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      data += n;
      length -= (gsize) n;
    }
  return TRUE;
}

static gboolean
peer_flush (Peer *p)
{
  gboolean ok = write_all (p->fd, p->out->str, p->out->len);

  g_string_truncate (p->out, 0);
  return ok;
}

/* Reads more input after what is unread; writes the pending replies first, since the peer may be
 * waiting for them. FALSE at end of file or on an error. */
static gboolean
peer_fill (Peer *p)
{
  ssize_t n;

  if (p->out->len > 0 && !peer_flush (p))
    return FALSE;
  if (p->start > 0)
    {
      memmove (p->in, p->in + p->start, p->end - p->start);
      p->end -= p->start;
      p->start = 0;
    }
  if (p->end == BUFFER_SIZE)
    return FALSE;
  do
    n = read (p->fd, p->in + p->end, BUFFER_SIZE - p->end);
  while (n < 0 && errno == EINTR);
  if (n <= 0)
    return FALSE;
  p->end += (gsize) n;
  return TRUE;
}

/* The next line without its CR LF, NUL-terminated in place; NULL at end of file or when a line
 * is longer than MAX_LINE. */
static char *
peer_line (Peer *p)
{
  for (;;)
    {
      char *lf = memchr (p->in + p->start, '\n', p->end - p->start);

      if (lf != NULL)
        {
          char *line = p->in + p->start;

          p->start = (gsize) (lf - p->in) + 1;
          *lf = '\0';
          if (lf > line && lf[-1] == '\r')
            lf[-1] = '\0';
          return line;
        }
      if (p->end - p->start > MAX_LINE || !peer_fill (p))
        return NULL;
    }
}

/* Skips message content up to and including CR LF "." CR LF (RFC 5321 section 4.5.2). The
 * state is how much of the terminator has been seen; DATA starts just after a CR LF. */
static gboolean
peer_skip_data (Peer *p)
{
  static const char terminator[] = "\r\n.\r\n";
  guint state = 2;

  for (;;)
    {
      const char *s = p->in + p->start;
      const char *e = p->in + p->end;

      while (s < e)
        {
          if (state == 0)
            {
              const char *cr = memchr (s, '\r', (gsize) (e - s));

              if (cr == NULL)
                {
                  s = e;
                  break;
                }
              s = cr + 1;
              state = 1;
              continue;
            }
          if (*s == terminator[state])
            {
              s++;
              if (++state == 5)
                {
                  p->bytes += (guint64) (s - (p->in + p->start));
                  p->start = (gsize) (s - p->in);
                  return TRUE;
                }
            }
          else if (*s == '\r')
            {
              s++;
              state = 1;
            }
          else
            {
              s++;
              state = 0;
            }
        }
      p->bytes += p->end - p->start;
      p->start = p->end;
      if (!peer_fill (p))
        return FALSE;
    }
}

static gboolean
command_is (const char *line,
            const char *verb)
{
  gsize n = strlen (verb);

  return g_ascii_strncasecmp (line, verb, n) == 0 && (line[n] == '\0' || line[n] == ' ');
}

/* The SMTP server side until QUIT or the end of the connection. TRUE after QUIT. */
static gboolean
serve (Peer *p)
{
  g_string_append (p->out, "220 poste-bench-sink ESMTP\r\n");
  for (;;)
    {
      char *line;

      /* Replies wait while more pipelined commands are already read (RFC 2920). */
      if (p->out->len > 0 && memchr (p->in + p->start, '\n', p->end - p->start) == NULL &&
          !peer_flush (p))
        return FALSE;
      line = peer_line (p);
      if (line == NULL)
        return FALSE;
      if (command_is (line, "EHLO"))
        g_string_append (p->out, "250-poste-bench-sink\r\n250-PIPELINING\r\n250 8BITMIME\r\n");
      else if (command_is (line, "HELO"))
        g_string_append (p->out, "250 poste-bench-sink\r\n");
      else if (command_is (line, "MAIL") || command_is (line, "RCPT") ||
               command_is (line, "RSET") || command_is (line, "NOOP"))
        g_string_append (p->out, "250 OK\r\n");
      else if (command_is (line, "DATA"))
        {
          g_string_append (p->out, "354 go ahead\r\n");
          if (!peer_flush (p) || !peer_skip_data (p))
            return FALSE;
          p->messages++;
          g_string_append (p->out, "250 OK discarded\r\n");
        }
      else if (command_is (line, "QUIT"))
        {
          g_string_append (p->out, "221 bye\r\n");
          peer_flush (p);
          return TRUE;
        }
      else
        g_string_append (p->out, "500 unknown command\r\n");
    }
}

static Peer *
peer_new (int fd)
{
  Peer *p = g_new0 (Peer, 1);
  int one = 1;

  setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  p->fd = fd;
  p->in = g_malloc (BUFFER_SIZE + 1);
  p->out = g_string_sized_new (1024);
  return p;
}

static void
peer_free (Peer *p)
{
  close (p->fd);
  g_free (p->in);
  g_string_free (p->out, TRUE);
  g_free (p);
}

static double
thread_cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_THREAD, &usage);
  return (double) usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 +
         (double) usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
}

static gpointer
connection_thread (gpointer data)
{
  Peer *p = data;

  serve (p);
  printf ("connection messages=%" G_GUINT64_FORMAT " bytes=%" G_GUINT64_FORMAT " cpu=%.3f\n",
          p->messages, p->bytes, thread_cpu_seconds ());
  fflush (stdout);
  peer_free (p);
  return NULL;
}

static int
run_listen (int port)
{
  struct sockaddr_in addr = { 0 };
  socklen_t length = sizeof addr;
  int one = 1;
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  addr.sin_family = AF_INET;
  addr.sin_port = htons ((guint16) port);
  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (fd < 0 || bind (fd, (struct sockaddr *) &addr, sizeof addr) < 0 || listen (fd, 16) < 0 ||
      getsockname (fd, (struct sockaddr *) &addr, &length) < 0)
    {
      g_printerr ("poste-bench-sink: cannot listen: %s\n", g_strerror (errno));
      return 1;
    }
  printf ("listening on 127.0.0.1:%u\n", ntohs (addr.sin_port));
  fflush (stdout);
  for (;;)
    {
      int client = accept4 (fd, NULL, NULL, SOCK_CLOEXEC);

      if (client < 0)
        {
          if (errno == EINTR || errno == ECONNABORTED)
            continue;
          g_printerr ("poste-bench-sink: accept: %s\n", g_strerror (errno));
          return 1;
        }
      g_thread_unref (g_thread_new ("connection", connection_thread, peer_new (client)));
    }
}

/* Reads one reply, multi-line or not (RFC 5321 section 4.2.1); returns its code, 0 on failure.
 * The text of its last line goes to @text when not NULL. */
static int
read_reply (Peer  *p,
            char **text)
{
  for (;;)
    {
      char *line = peer_line (p);

      if (line == NULL || strlen (line) < 3 || !g_ascii_isdigit (line[0]))
        return 0;
      if (line[3] != '-')
        {
          if (text != NULL)
            *text = g_strdup (line[3] == ' ' ? line + 4 : "");
          return atoi (line);
        }
    }
}

static gboolean
command (Peer       *p,
         const char *line,
         int         expected,
         char      **text)
{
  int code;

  g_string_append_printf (p->out, "%s\r\n", line);
  if (!peer_flush (p))
    return FALSE;
  code = read_reply (p, text);
  if (code != expected)
    {
      g_printerr ("poste-bench-sink: \"%.*s\" got %d, wanted %d\n",
                  (int) strcspn (line, " "), line, code, expected);
      return FALSE;
    }
  return TRUE;
}

static int
run_odmr (int         port,
          const char *user,
          const char *password,
          const char *domain)
{
  struct sockaddr_in addr = { 0 };
  g_autofree char *challenge64 = NULL;
  g_autofree guchar *challenge = NULL;
  g_autofree char *digest = NULL;
  g_autofree char *response = NULL;
  g_autofree char *response64 = NULL;
  g_autofree char *atrn = g_strdup_printf ("ATRN %s", domain);
  gsize challenge_length = 0;
  gint64 start = g_get_monotonic_time ();
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  gboolean quit;
  Peer *p;

  addr.sin_family = AF_INET;
  addr.sin_port = htons ((guint16) port);
  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  if (fd < 0 || connect (fd, (struct sockaddr *) &addr, sizeof addr) < 0)
    {
      g_printerr ("poste-bench-sink: cannot connect: %s\n", g_strerror (errno));
      return 1;
    }
  p = peer_new (fd);
  if (read_reply (p, NULL) != 220 || !command (p, "EHLO poste-bench-sink", 250, NULL) ||
      !command (p, "AUTH CRAM-MD5", 334, &challenge64))
    {
      peer_free (p);
      return 1;
    }
  challenge = g_base64_decode (challenge64, &challenge_length);
  digest = g_compute_hmac_for_data (G_CHECKSUM_MD5, (const guchar *) password, strlen (password),
                                    challenge, challenge_length);
  response = g_strdup_printf ("%s %s", user, digest);
  response64 = g_base64_encode ((const guchar *) response, strlen (response));
  if (!command (p, response64, 235, NULL) || !command (p, atrn, 250, NULL))
    {
      peer_free (p);
      return 1;
    }
  quit = serve (p);
  printf ("received messages=%" G_GUINT64_FORMAT " bytes=%" G_GUINT64_FORMAT
          " seconds=%.6f cpu=%.3f\n", p->messages, p->bytes,
          (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC, thread_cpu_seconds ());
  peer_free (p);
  return quit ? 0 : 1;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("listen|odmr - a discarding SMTP "
                                                            "server or ODMR customer");
  g_autoptr(GError) error = NULL;
  g_autofree char *user = NULL;
  g_autofree char *password = NULL;
  g_autofree char *domain = NULL;
  int port = 0;
  GOptionEntry entries[] = {
    { "port", 0, 0, G_OPTION_ARG_INT, &port, "Port on 127.0.0.1 (listen: 0 for any)", "N" },
    { "user", 0, 0, G_OPTION_ARG_STRING, &user, "odmr: the account", "USER" },
    { "password", 0, 0, G_OPTION_ARG_STRING, &password, "odmr: its password", "PASSWORD" },
    { "domain", 0, 0, G_OPTION_ARG_STRING, &domain, "odmr: the domain to ATRN", "DOMAIN" },
    G_OPTION_ENTRY_NULL
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("poste-bench-sink: %s\n", error->message);
      return 2;
    }
  if (argc == 2 && strcmp (argv[1], "listen") == 0)
    return run_listen (port);
  if (argc == 2 && strcmp (argv[1], "odmr") == 0 && port > 0 && user != NULL &&
      password != NULL && domain != NULL)
    return run_odmr (port, user, password, domain);
  g_printerr ("Usage: poste-bench-sink listen [--port N]\n"
              "       poste-bench-sink odmr --port N --user U --password P --domain D\n");
  return 2;
}
