/* poste-test-mda.c: a tiny MDA for the delivery tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   poste-test-mda copy OUT [ARG...]   stdin to OUT, the ARGs one a line to OUT.args, the
 *                                      environment to OUT.env; exit 0
 *   poste-test-mda exit N              read all of stdin, exit N
 *   poste-test-mda exit-early N        exit N without reading
 *   poste-test-mda chatter N           write 100000 octets to stdout and stderr, exit N
 *   poste-test-mda sleep               sleep for 10 minutes
 *   poste-test-mda fork-sleep PIDFILE  start a child that writes its pid to PIDFILE, both sleep
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

static void
drain (FILE *out)
{
  char buffer[4096];
  size_t n;

  while ((n = fread (buffer, 1, sizeof buffer, stdin)) > 0)
    if (out != NULL && fwrite (buffer, 1, n, out) != n)
      exit (74);
}

static FILE *
open_or_die (const char *path,
             const char *suffix)
{
  char name[4096];
  FILE *file;

  snprintf (name, sizeof name, "%s%s", path, suffix);
  file = fopen (name, "wb");
  if (file == NULL)
    exit (73);
  return file;
}

int
main (int   argc,
      char *argv[])
{
  if (argc >= 3 && strcmp (argv[1], "copy") == 0)
    {
      FILE *out = open_or_die (argv[2], "");
      FILE *args = open_or_die (argv[2], ".args");
      FILE *env = open_or_die (argv[2], ".env");

      drain (out);
      for (int i = 3; i < argc; i++)
        fprintf (args, "%s\n", argv[i]);
      for (char **e = environ; *e != NULL; e++)
        fprintf (env, "%s\n", *e);
      if (fclose (out) != 0 || fclose (args) != 0 || fclose (env) != 0)
        return 74;
      return 0;
    }
  if (argc == 3 && strcmp (argv[1], "exit") == 0)
    {
      drain (NULL);
      return atoi (argv[2]);
    }
  if (argc == 3 && strcmp (argv[1], "exit-early") == 0)
    return atoi (argv[2]);
  if (argc == 3 && strcmp (argv[1], "chatter") == 0)
    {
      for (int i = 0; i < 1000; i++)
        {
          fputs ("chatter chatter chatter chatter chatter chatter chatter chatter chatter\n", stdout);
          fputs ("noise noise noise noise noise noise noise noise noise noise noise noise\n", stderr);
        }
      drain (NULL);
      return atoi (argv[2]);
    }
  if (argc == 3 && strcmp (argv[1], "fork-sleep") == 0)
    {
      pid_t pid = fork ();

      if (pid == 0)
        {
          FILE *file = fopen (argv[2], "w");

          if (file == NULL)
            return 73;
          fprintf (file, "%d\n", (int) getpid ());
          fclose (file);
          sleep (600);
          return 0;
        }
      sleep (600);
      return 0;
    }
  if (argc == 2 && strcmp (argv[1], "sleep") == 0)
    {
      sleep (600);
      return 0;
    }
  return 64;
}
