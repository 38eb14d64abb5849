/* poste-bench-frame.c: the time from starting a program to its first frame on an X display
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   poste-bench-frame [--timeout SECONDS] -- PROGRAM [ARGUMENT...]
 *
 * Watches the root window of $DISPLAY for top-level windows being mapped (SubstructureNotify),
 * starts PROGRAM (argv, no shell), and from the moment a window is mapped reads its pixels back
 * (XGetImage) every millisecond until they are not all one colour: the first frame has been drawn.
 * Measured from outside the program, which knows nothing of it. Prints
 *
 *   map_ms=M frame_ms=F poll_ms=P
 *
 * (milliseconds from the fork to the window's map and to its first drawn frame, and the longest
 * time one read-back took, which with the 1 ms sleep bounds the resolution), then ends PROGRAM
 * with SIGTERM. Exit status 0, or 1 when no frame came within the timeout (default 30 s).
 * Run it on a black root window (Xvfb -br), where an undrawn window is all black.
 * Not a test and not installed: a tool of bench/run.
 */

#include "config.h"

#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <X11/Xlib.h>
#include <X11/Xutil.h>

#define MAX_WINDOWS 16

static double
now_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec * 1e3 + (double) ts.tv_nsec / 1e6;
}

static int
ignore_errors (Display     *display,
               XErrorEvent *event)
{
  /* A window can go away between its MapNotify and the read-back: not an error here. */
  return 0;
}

/* TRUE when the window's pixels are not all the same. */
static int
window_drawn (Display *display,
              Window   window)
{
  XWindowAttributes attributes;
  XImage *image;
  int drawn = 0;

  if (!XGetWindowAttributes (display, window, &attributes) ||
      attributes.map_state != IsViewable || attributes.width < 2 || attributes.height < 2)
    return 0;
  image = XGetImage (display, window, 0, 0, (unsigned) attributes.width,
                     (unsigned) attributes.height, AllPlanes, ZPixmap);
  if (image == NULL)
    return 0;
  if (image->bits_per_pixel == 32)
    {
      /* The common case, read as words: a few hundred microseconds for a whole window. */
      const unsigned int first = *(const unsigned int *) (const void *) image->data;

      for (int y = 0; y < image->height && !drawn; y++)
        {
          const unsigned int *row =
            (const unsigned int *) (const void *) (image->data + (size_t) y * image->bytes_per_line);

          for (int x = 0; x < image->width; x++)
            if ((row[x] & 0xffffff) != (first & 0xffffff))
              {
                drawn = 1;
                break;
              }
        }
    }
  else
    for (int y = 0; y < image->height && !drawn; y++)
      for (int x = 0; x < image->width; x++)
        if (XGetPixel (image, x, y) != XGetPixel (image, 0, 0))
          {
            drawn = 1;
            break;
          }
  XDestroyImage (image);
  return drawn;
}

int
main (int    argc,
      char **argv)
{
  Window windows[MAX_WINDOWS];
  int n_windows = 0;
  double timeout_ms = 30000;
  double start, map_ms = -1, frame_ms = -1, poll_ms = 0;
  Display *display;
  pid_t child;
  int status = 1;
  int first = 1;

  if (argc > 2 && strcmp (argv[1], "--timeout") == 0)
    {
      timeout_ms = atof (argv[2]) * 1000;
      first = 3;
    }
  if (first < argc && strcmp (argv[first], "--") == 0)
    first++;
  if (first >= argc)
    {
      fprintf (stderr, "Usage: poste-bench-frame [--timeout SECONDS] -- PROGRAM [ARGUMENT...]\n");
      return 2;
    }
  display = XOpenDisplay (NULL);
  if (display == NULL)
    {
      fprintf (stderr, "poste-bench-frame: cannot open the display\n");
      return 2;
    }
  XSetErrorHandler (ignore_errors);
  XSelectInput (display, DefaultRootWindow (display), SubstructureNotifyMask);
  XSync (display, False);

  start = now_ms ();
  if (posix_spawnp (&child, argv[first], NULL, NULL, argv + first, environ) != 0)
    {
      perror ("poste-bench-frame: cannot start the program");
      return 2;
    }

  while (frame_ms < 0 && now_ms () - start < timeout_ms)
    {
      struct pollfd pfd = { ConnectionNumber (display), POLLIN, 0 };

      while (XPending (display))
        {
          XEvent event;

          XNextEvent (display, &event);
          if (event.type == MapNotify && !event.xmap.override_redirect && n_windows < MAX_WINDOWS)
            {
              if (map_ms < 0)
                map_ms = now_ms () - start;
              windows[n_windows++] = event.xmap.window;
            }
        }
      for (int i = 0; i < n_windows && frame_ms < 0; i++)
        {
          double before = now_ms ();
          int drawn = window_drawn (display, windows[i]);
          double after = now_ms ();

          if (after - before > poll_ms)
            poll_ms = after - before;
          if (drawn)
            frame_ms = after - start;
        }
      if (frame_ms < 0)
        poll (&pfd, 1, 1);
    }

  if (frame_ms >= 0)
    {
      printf ("map_ms=%.1f frame_ms=%.1f poll_ms=%.1f\n", map_ms, frame_ms, poll_ms);
      status = 0;
    }
  else
    fprintf (stderr, "poste-bench-frame: no frame within %.0f s\n", timeout_ms / 1000);
  fflush (stdout);
  kill (child, SIGTERM);
  waitpid (child, NULL, 0);
  XCloseDisplay (display);
  return status;
}
