/* poste-test-provider-tool.c: the test provider as a standalone program, for the demo and the
 * benchmarks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   poste-test-provider [--port N] [--tls none|starttls|implicit] [--cert-dir DIR |
 *                        --cert FILE --key FILE] --account USER:PASSWORD:DOMAIN[,DOMAIN...]...
 *                       [--spool FILE]... [--spool-dir DIR] [--sender ADDR] [--rcpt ADDR]...
 *                       [--faults "..."] [--sessions N] [--timeout SECONDS] [--submission]
 *                       [--new-every SECONDS [--new-count N] [--new-max N]] [--exit-on-eof]
 *
 * Spooled files are streamed from disk, never loaded: a 2 GB message costs no memory.
 *
 * --new-every makes it a living provider, for the demo: every SECONDS it spools N (default 3)
 * new generated messages, until it has made --new-max (default 60) of them; SIGUSR1 spools the
 * next N at once (the demo uses it to show new mail without waiting). --exit-on-eof makes
 * it quit when its standard input reaches end of file, that is when the program that started it
 * with a pipe there is gone, however it ended.
 *
 * Standard output, one line each, flushed: "CA file: PATH" and "SHA-256: HEX" (with --cert-dir),
 * then "listening on 127.0.0.1:PORT"; "new N (M in all)" each time new messages are spooled;
 * "spooled N" (messages still held) when it exits.
 */
#include "config.h"

#include <glib-unix.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "poste-test-cert.h"
#include "poste-test-provider.h"

#define HEADER_SCAN_LIMIT (64 * 1024)

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

typedef struct {
  PosteTestProvider *provider;
  GMainLoop         *loop;
  guint              sessions;
} Watch;

static gboolean
watch_cb (gpointer data)
{
  Watch *w = data;

  if (poste_test_provider_get_sessions (w->provider) >= w->sessions)
    {
      g_main_loop_quit (w->loop);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

/* Living provider: what --new-every spools. */
typedef struct {
  PosteTestProvider  *provider;
  const char * const *recipients;
  guint               count;
  guint               max;
  guint               made;
} Generator;

static const char * const new_senders[] = {
  "Alice Martin <alice@example.net>",
  "Bureau de poste <guichet@example.net>",
  "Billing <billing@example.com>",
  "Bob Durand <bob@example.net>",
};

static const char * const new_subjects[] = {
  "Invoice for this month",
  "Meeting moved to Thursday",
  "Your parcel is on its way",
  "Re: the quarterly figures",
  "Photos from Saturday",
  "Lunch?",
};

/* RFC 5322 section 3.3 names, never the locale's. */
static const char * const day_names[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
static const char * const month_names[] = {
  "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};

static char *
generate_message (guint        number,
                  const char  *to,
                  char       **sender)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *zone = g_date_time_format (now, "%z");
  const char *from = new_senders[number % G_N_ELEMENTS (new_senders)];
  const char *subject = new_subjects[number % G_N_ELEMENTS (new_subjects)];
  const char *lt = strchr (from, '<');

  *sender = g_strndup (lt + 1, strlen (lt + 1) - 1);
  return g_strdup_printf ("From: %s\n"
                          "To: %s\n"
                          "Subject: %s (#%u)\n"
                          "Date: %s, %02d %s %d %02d:%02d:%02d %s\n"
                          "Message-ID: <new-%u.%" G_GINT64_FORMAT "@provider.test>\n"
                          "X-Generated-By: poste-test-provider\n"
                          "MIME-Version: 1.0\n"
                          "Content-Type: text/plain; charset=utf-8\n"
                          "\n"
                          "Hello,\n"
                          "\n"
                          "This is new message number %u, spooled by the test provider while\n"
                          "Poste Restante was running: it waits here until the next fetch.\n",
                          from, to, subject, number,
                          day_names[g_date_time_get_day_of_week (now) - 1],
                          g_date_time_get_day_of_month (now),
                          month_names[g_date_time_get_month (now) - 1],
                          g_date_time_get_year (now), g_date_time_get_hour (now),
                          g_date_time_get_minute (now), g_date_time_get_second (now), zone,
                          number, g_date_time_to_unix (now), number);
}

static gboolean
generate_cb (gpointer data)
{
  Generator *g = data;
  guint n = 0;

  while (n < g->count && g->made < g->max)
    {
      g_autofree char *sender = NULL;
      g_autofree char *text = generate_message (++g->made, g->recipients[0], &sender);

      poste_test_provider_add_message (g->provider, sender, g->recipients, text, -1);
      n++;
    }
  g_print ("new %u (%u in all)\n", n, g->made);
  fflush (stdout);
  return g->made < g->max ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static gboolean
batch_now_cb (gpointer data)
{
  Generator *g = data;

  generate_cb (g);
  return G_SOURCE_CONTINUE;
}

/* --exit-on-eof: standard input readable (or hung up) with nothing to read means its writer is
 * gone. Whatever it does write is read and dropped, in bounded reads. */
static gboolean
stdin_cb (int          fd,
          GIOCondition condition,
          gpointer     data)
{
  char buffer[256];
  gssize n = read (fd, buffer, sizeof buffer);

  if (n > 0)
    return G_SOURCE_CONTINUE;
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

/* The envelope sender from the first Return-Path: or From: header in the first 64 KiB. */
static char *
sender_from_file (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) in = g_file_read (file, NULL, NULL);
  g_autofree char *buffer = g_malloc0 (HEADER_SCAN_LIMIT + 1);
  g_auto(GStrv) lines = NULL;
  gsize n = 0;

  if (in == NULL ||
      !g_input_stream_read_all (G_INPUT_STREAM (in), buffer, HEADER_SCAN_LIMIT, &n, NULL, NULL))
    return g_strdup ("");
  buffer[n] = '\0';
  lines = g_strsplit (buffer, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strchomp (lines[i]);
      const char *value = NULL;

      if (line[0] == '\0')
        break;
      if (g_ascii_strncasecmp (line, "Return-Path:", 12) == 0)
        value = line + 12;
      else if (g_ascii_strncasecmp (line, "From:", 5) == 0)
        value = line + 5;
      if (value != NULL)
        {
          const char *lt = strchr (value, '<');
          const char *gt = lt != NULL ? strchr (lt, '>') : NULL;

          if (lt != NULL && gt != NULL)
            return g_strndup (lt + 1, gt - lt - 1);
          return g_strstrip (g_strdup (value));
        }
    }
  return g_strdup ("");
}

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static gboolean
add_file (PosteTestProvider  *provider,
          const char         *path,
          const char         *sender,
          const char * const *recipients)
{
  g_autofree char *found = NULL;

  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_printerr ("poste-test-provider: %s is not a regular file\n", path);
      return FALSE;
    }
  if (sender == NULL)
    sender = found = sender_from_file (path);
  poste_test_provider_add_message_file (provider, sender, recipients, path);
  return TRUE;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PosteTestProvider) provider = NULL;
  g_autoptr(PosteTestCert) cert = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GPtrArray) recipients = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GMainLoop) loop = NULL;
  g_autofree char *tls = NULL;
  g_autofree char *cert_dir = NULL;
  g_autofree char *cert_file = NULL;
  g_autofree char *key_file = NULL;
  g_autofree char *spool_dir = NULL;
  g_autofree char *sender = NULL;
  g_autofree char *faults = NULL;
  g_autofree char *hostname = NULL;
  g_auto(GStrv) accounts = NULL;
  g_auto(GStrv) spool = NULL;
  g_auto(GStrv) rcpts = NULL;
  int port = 0, sessions = 0, timeout = 30, new_every = 0, new_count = 3, new_max = 60;
  gboolean exit_on_eof = FALSE;
  gboolean submission = FALSE;
  Generator generator;
  PosteTestTls mode = POSTE_TEST_TLS_NONE;
  guint16 bound;
  Watch watch;
  const GOptionEntry entries[] = {
    { "port", 0, 0, G_OPTION_ARG_INT, &port, "Port on 127.0.0.1 (0: any)", "N" },
    { "tls", 0, 0, G_OPTION_ARG_STRING, &tls, "none, starttls or implicit", "MODE" },
    { "cert-dir", 0, 0, G_OPTION_ARG_FILENAME, &cert_dir, "Generate a test certificate here",
      "DIR" },
    { "cert", 0, 0, G_OPTION_ARG_FILENAME, &cert_file, "Server certificate (PEM)", "FILE" },
    { "key", 0, 0, G_OPTION_ARG_FILENAME, &key_file, "Server key (PEM)", "FILE" },
    { "hostname", 0, 0, G_OPTION_ARG_STRING, &hostname, "Name in greeting and certificate",
      "NAME" },
    { "account", 0, 0, G_OPTION_ARG_STRING_ARRAY, &accounts, "An account (repeatable)",
      "USER:PASSWORD:DOMAIN[,DOMAIN...]" },
    { "spool", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &spool, "A message file (repeatable)", "FILE" },
    { "spool-dir", 0, 0, G_OPTION_ARG_FILENAME, &spool_dir, "Every regular file in DIR", "DIR" },
    { "sender", 0, 0, G_OPTION_ARG_STRING, &sender, "Envelope sender of spooled files", "ADDR" },
    { "rcpt", 0, 0, G_OPTION_ARG_STRING_ARRAY, &rcpts,
      "Envelope recipient (repeatable; default postmaster@ each account domain)", "ADDR" },
    { "faults", 0, 0, G_OPTION_ARG_STRING, &faults, "Scripted misbehaviour", "\"...\"" },
    { "sessions", 0, 0, G_OPTION_ARG_INT, &sessions, "Exit after N sessions (0: never)", "N" },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &timeout, "Deadline of every wait", "SECONDS" },
    { "new-every", 0, 0, G_OPTION_ARG_INT, &new_every,
      "Spool new generated messages every SECONDS (0: never)", "SECONDS" },
    { "new-count", 0, 0, G_OPTION_ARG_INT, &new_count, "How many each time (default 3)", "N" },
    { "new-max", 0, 0, G_OPTION_ARG_INT, &new_max, "How many in all (default 60)", "N" },
    { "exit-on-eof", 0, 0, G_OPTION_ARG_NONE, &exit_on_eof,
      "Exit when standard input is closed", NULL },
    { "submission", 0, 0, G_OPTION_ARG_NONE, &submission,
      "Serve message submission (RFC 6409) instead of ODMR", NULL },
    { NULL }
  };

  context = g_option_context_new ("- an ODMR provider for tests");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("poste-test-provider: %s\n", error->message);
      return 2;
    }
  if (port < 0 || port > 65535 || sessions < 0 || timeout < 1)
    {
      g_printerr ("poste-test-provider: bad --port, --sessions or --timeout\n");
      return 2;
    }
  if (new_every < 0 || new_every > 24 * 3600 || new_count < 1 || new_count > 1000 ||
      new_max < 0 || new_max > 100000)
    {
      g_printerr ("poste-test-provider: bad --new-every, --new-count or --new-max\n");
      return 2;
    }

  provider = poste_test_provider_new ();
  if (hostname != NULL)
    poste_test_provider_set_hostname (provider, hostname);
  poste_test_provider_set_port (provider, (guint16) port);
  poste_test_provider_set_timeout (provider, (guint) timeout);
  poste_test_provider_set_submission (provider, submission);
  if (!poste_test_provider_set_faults (provider, faults, &error))
    {
      g_printerr ("poste-test-provider: %s\n", error->message);
      return 2;
    }

  if (tls == NULL || g_str_equal (tls, "none"))
    mode = POSTE_TEST_TLS_NONE;
  else if (g_str_equal (tls, "starttls"))
    mode = POSTE_TEST_TLS_STARTTLS;
  else if (g_str_equal (tls, "implicit"))
    mode = POSTE_TEST_TLS_IMPLICIT;
  else
    {
      g_printerr ("poste-test-provider: --tls is none, starttls or implicit\n");
      return 2;
    }
  if (cert_dir != NULL)
    {
      cert = poste_test_cert_new (cert_dir, hostname != NULL ? hostname : "provider.test",
                                  POSTE_TEST_CERT_NONE, &error);
      if (cert == NULL)
        {
          g_printerr ("poste-test-provider: %s\n", error->message);
          return 1;
        }
      certificate = g_object_ref (cert->certificate);
      g_print ("CA file: %s\n", cert->ca_file);
      g_print ("SHA-256: %s\n", cert->sha256);
    }
  else if (cert_file != NULL && key_file != NULL)
    {
      certificate = g_tls_certificate_new_from_files (cert_file, key_file, &error);
      if (certificate == NULL)
        {
          g_printerr ("poste-test-provider: %s\n", error->message);
          return 1;
        }
    }
  if (mode != POSTE_TEST_TLS_NONE && certificate == NULL)
    {
      g_printerr ("poste-test-provider: TLS needs --cert-dir or --cert and --key\n");
      return 2;
    }
  poste_test_provider_set_tls (provider, mode, mode == POSTE_TEST_TLS_NONE ? NULL : certificate);

  for (guint i = 0; accounts != NULL && accounts[i] != NULL; i++)
    {
      g_auto(GStrv) parts = g_strsplit (accounts[i], ":", 3);
      g_auto(GStrv) domains = NULL;

      if (g_strv_length (parts) != 3 || parts[0][0] == '\0' || parts[2][0] == '\0')
        {
          g_printerr ("poste-test-provider: --account is USER:PASSWORD:DOMAIN[,DOMAIN...]\n");
          return 2;
        }
      domains = g_strsplit (parts[2], ",", -1);
      poste_test_provider_add_account (provider, parts[0], parts[1],
                                       (const char * const *) domains);
      if (rcpts == NULL)
        for (guint j = 0; domains[j] != NULL; j++)
          g_ptr_array_add (recipients, g_strdup_printf ("postmaster@%s", domains[j]));
    }
  for (guint i = 0; rcpts != NULL && rcpts[i] != NULL; i++)
    g_ptr_array_add (recipients, g_strdup (rcpts[i]));
  g_ptr_array_add (recipients, NULL);
  if ((spool != NULL || spool_dir != NULL || new_every > 0) && recipients->len == 1)
    {
      g_printerr ("poste-test-provider: spooled messages need --rcpt or an --account\n");
      return 2;
    }

  for (guint i = 0; spool != NULL && spool[i] != NULL; i++)
    if (!add_file (provider, spool[i], sender, (const char * const *) recipients->pdata))
      return 2;
  if (spool_dir != NULL)
    {
      g_autoptr(GDir) dir = g_dir_open (spool_dir, 0, &error);
      g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
      const char *name;

      if (dir == NULL)
        {
          g_printerr ("poste-test-provider: %s\n", error->message);
          return 2;
        }
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          char *path = g_build_filename (spool_dir, name, NULL);
          if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
            g_ptr_array_add (names, path);
          else
            g_free (path);
        }
      g_ptr_array_sort (names, compare_paths);
      for (guint i = 0; i < names->len; i++)
        if (!add_file (provider, g_ptr_array_index (names, i), sender,
                       (const char * const *) recipients->pdata))
          return 2;
    }

  bound = poste_test_provider_start (provider, &error);
  if (bound == 0)
    {
      g_printerr ("poste-test-provider: %s\n", error->message);
      return 1;
    }

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, quit_cb, loop);
  g_unix_signal_add (SIGTERM, quit_cb, loop);
  watch.provider = provider;
  watch.loop = loop;
  watch.sessions = (guint) sessions;
  if (sessions > 0)
    g_timeout_add (50, watch_cb, &watch);
  generator.provider = provider;
  generator.recipients = (const char * const *) recipients->pdata;
  generator.count = (guint) new_count;
  generator.max = (guint) new_max;
  generator.made = 0;
  if (new_every > 0 && new_max > 0)
    g_timeout_add_seconds ((guint) new_every, generate_cb, &generator);
  if (new_every > 0)
    g_unix_signal_add (SIGUSR1, batch_now_cb, &generator);
  if (exit_on_eof)
    g_unix_fd_add (STDIN_FILENO, G_IO_IN | G_IO_HUP | G_IO_ERR, stdin_cb, loop);

  /* Only now, with the signal handlers in place: a SIGUSR1 sent on this line cannot kill it. */
  g_print ("listening on 127.0.0.1:%u\n", bound);
  fflush (stdout);
  g_main_loop_run (loop);

  poste_test_provider_stop (provider);
  g_print ("spooled %u\n", poste_test_provider_count_spooled (provider));
  return 0;
}
