/* test-target.c: the one description of delivery targets (PosteTarget)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "poste.h"
#include "poste-config.h"
#include "poste-test.h"

/* Every kind: parsed, taken apart, built again from its parts to the same text. */
static void
test_target_round_trip (void)
{
  static const struct {
    const char      *spec;
    PosteTargetKind  kind;
    const char      *location;
    gboolean         relays;
    gboolean         has_path;
  } cases[] = {
    { "maildir:~/Maildir", POSTE_TARGET_KIND_MAILDIR, "~/Maildir", FALSE, TRUE },
    { "mbox:/var/mail/alice", POSTE_TARGET_KIND_MBOX, "/var/mail/alice", FALSE, TRUE },
    { "smtp://127.0.0.1:2525", POSTE_TARGET_KIND_SMTP, "127.0.0.1:2525", TRUE, FALSE },
    { "smtp://[::1]", POSTE_TARGET_KIND_SMTP, "[::1]", TRUE, FALSE },
    { "lmtp://localhost:24", POSTE_TARGET_KIND_LMTP, "localhost:24", TRUE, FALSE },
    { "lmtp:/run/dovecot/lmtp", POSTE_TARGET_KIND_LMTP_SOCKET, "/run/dovecot/lmtp", TRUE, TRUE },
    { "mda:/usr/bin/procmail -f %F", POSTE_TARGET_KIND_MDA, "/usr/bin/procmail -f %F", FALSE, TRUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PosteTarget) target = poste_target_parse (cases[i].spec, &error);
      g_autoptr(PosteTarget) built = NULL;

      g_test_message ("%s", cases[i].spec);
      g_assert_no_error (error);
      g_assert_cmpint (poste_target_get_kind (target), ==, cases[i].kind);
      g_assert_cmpstr (poste_target_get_spec (target), ==, cases[i].spec);
      g_assert_cmpstr (poste_target_get_location (target), ==, cases[i].location);
      g_assert_cmpint (poste_target_kind_relays (cases[i].kind), ==, cases[i].relays);
      g_assert_cmpint (poste_target_kind_has_path (cases[i].kind), ==, cases[i].has_path);

      built = poste_target_new (cases[i].kind, cases[i].location, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (poste_target_get_spec (built), ==, cases[i].spec);
    }
}

/* The configuration's messages, one per mistake, each quoting what was written. */
static void
test_target_invalid (void)
{
  static const struct {
    const char *spec;
    const char *message;
  } cases[] = {
    { "pop3://x", "'pop3://x' is not a delivery target (smtp://HOST:PORT, lmtp://HOST:PORT, "
                  "lmtp:/SOCKET, mbox:/PATH, maildir:/PATH or mda:/PROGRAM ARGS)" },
    { "maildir:Mail", "'Mail' is not an absolute path (start it with '/' or '~/')" },
    { "mbox:", "'mbox:' has no path" },
    { "mda:", "'mda:' names no program" },
    { "mda:/bin/x 'open", "'mda:/bin/x 'open': the arguments do not split into words" },
    { "smtp://user@host:25", "'smtp://user@host:25' is not smtp://HOST:PORT" },
    { "lmtp://localhost", "'localhost' has no port (HOST:PORT)" },
    { "maildir:/a\nb", "a delivery target holds a control character" },
    { "mbox:~bob/mbox", "'~bob/mbox': only '~/' is expanded, not another user's home" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PosteTarget) target = poste_target_parse (cases[i].spec, &error);

      g_assert_null (target);
      g_assert_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INVALID_VALUE);
      g_assert_cmpstr (error->message, ==, cases[i].message);
    }
}

/* "~/" is expanded for what needs the path, never in the text the configuration keeps. */
static void
test_target_paths (void)
{
  g_autoptr(PosteTarget) maildir = poste_target_parse ("maildir:~/Mail/x/", NULL);
  g_autoptr(PosteTarget) mda = poste_target_parse ("mda:~/bin/deliver -f %F", NULL);
  g_autoptr(PosteTarget) smtp = poste_target_parse ("smtp://localhost", NULL);
  g_autofree char *path = poste_target_dup_path (maildir, NULL);
  g_autofree char *program = poste_target_dup_path (mda, NULL);
  g_autofree char *expanded = poste_target_dup_expanded (mda, NULL);
  g_autofree char *want_path = g_build_filename (g_get_home_dir (), "Mail", "x", NULL);
  g_autofree char *want_program = g_build_filename (g_get_home_dir (), "bin", "deliver", NULL);
  g_autofree char *want_expanded = g_strconcat ("mda:", want_program, " -f %F", NULL);

  g_assert_cmpstr (path, ==, want_path);
  g_assert_cmpstr (program, ==, want_program);
  g_assert_cmpstr (expanded, ==, want_expanded);
  g_assert_cmpstr (poste_target_get_spec (maildir), ==, "maildir:~/Mail/x/");
  g_assert_null (poste_target_dup_path (smtp, NULL));
}

int
main (int    argc,
      char **argv)
{
  poste_test_init (&argc, &argv);

  g_test_add_func ("/target/round-trip", test_target_round_trip);
  g_test_add_func ("/target/invalid", test_target_invalid);
  g_test_add_func ("/target/paths", test_target_paths);

  return g_test_run ();
}
