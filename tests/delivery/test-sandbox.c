/* test-sandbox.c: which delivery targets work inside a Flatpak sandbox, from its grants
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The grants come as Flatpak writes them in /.flatpak-info. The whole path, a fetch refused
 * inside a real bubblewrap sandbox, is tests/packaging/test-flatpak-sandbox.py.
 */
#include "config.h"

#include <glib/gstdio.h>

#include "poste.h"
#include "poste-test.h"

#define APP_ID "io.github.posterestante.PosteRestante"

/* What the manifest grants, as /.flatpak-info lists it. */
static const char manifest_info[] =
  "[Application]\n"
  "name=" APP_ID "\n"
  "runtime=runtime/org.gnome.Platform/x86_64/51\n"
  "\n"
  "[Context]\n"
  "shared=network;ipc;\n"
  "sockets=x11;wayland;fallback-x11;\n"
  "devices=dri;\n"
  "filesystems=~/Maildir:create;~/mail;\n";

/* The test case's private home ("~" in a target is the process's home), made empty. */
static char *
empty_home (void)
{
  char *home = g_strdup (g_get_home_dir ());

  g_assert_cmpint (g_mkdir_with_parents (home, 0700), ==, 0);
  return home;
}

/* A home with the granted folders made, as Flatpak finds (or, with :create, makes) them. */
static char *
make_home (void)
{
  char *home = empty_home ();
  g_autofree char *maildir = g_build_filename (home, "Maildir", NULL);
  g_autofree char *mail = g_build_filename (home, "mail", NULL);

  g_assert_cmpint (g_mkdir (maildir, 0700), ==, 0);
  g_assert_cmpint (g_mkdir (mail, 0700), ==, 0);
  return home;
}

static PosteSandbox *
sandbox_for (const char *info,
             const char *home)
{
  g_autoptr(GError) error = NULL;
  PosteSandbox *sandbox = poste_sandbox_new_from_data (info, -1, home, &error);

  g_assert_no_error (error);
  g_assert_true (POSTE_IS_SANDBOX (sandbox));
  return sandbox;
}

static void
assert_works (PosteSandbox *sandbox,
              const char   *target)
{
  g_autoptr(GError) error = NULL;

  if (!poste_sandbox_check_target (sandbox, target, &error))
    g_error ("%s was refused: %s", target, error->message);
}

/* Returns the message, for the caller to check what it says. */
static char *
assert_refused (PosteSandbox *sandbox,
                const char   *target)
{
  g_autoptr(GError) error = NULL;

  if (poste_sandbox_check_target (sandbox, target, &error))
    g_error ("%s was accepted", target);
  g_assert_error (error, POSTE_DELIVERY_ERROR, POSTE_DELIVERY_ERROR_SANDBOX);
  return g_strdup (error->message);
}

static void
test_manifest_grants (void)
{
  g_autofree char *home = make_home ();
  g_autoptr(PosteSandbox) sandbox = sandbox_for (manifest_info, home);
  g_autofree char *outside = NULL;
  g_autofree char *mda = NULL;
  g_autofree char *socket = NULL;
  g_autofree char *escape = NULL;
  g_autofree char *elsewhere = g_strdup_printf ("maildir:%s/Documents/Mail", home);
  /* A folder the file chooser lent through the document portal. */
  g_autofree char *portal = g_strdup_printf ("maildir:%s/doc/1f2e3d4c/Mail",
                                             g_get_user_runtime_dir ());
  g_autofree char *lent = NULL;

  g_assert_cmpstr (poste_sandbox_get_app_id (sandbox), ==, APP_ID);

  /* The editor's default target, and folders inside the grants. */
  assert_works (sandbox, "maildir:~/Maildir");
  assert_works (sandbox, "maildir:~/Maildir/.Lists");
  assert_works (sandbox, "mbox:~/mail/inbox");
  assert_works (sandbox, "maildir:~/mail/work");
  /* The application's own folder is always there (though no mail reader looks in it). */
  assert_works (sandbox, "maildir:~/.var/app/" APP_ID "/data/Maildir");
  /* The network is shared: SMTP and LMTP over TCP to the host's MTA. */
  assert_works (sandbox, "smtp://localhost:25");
  assert_works (sandbox, "lmtp://127.0.0.1:24");

  /* Outside the grants: the message names the target, the grants and the way out. */
  outside = assert_refused (sandbox, elsewhere);
  g_assert_nonnull (strstr (outside, elsewhere));
  g_assert_nonnull (strstr (outside, "~/Maildir, ~/mail"));
  g_assert_nonnull (strstr (outside, "flatpak override --user --filesystem=~/Documents/Mail " APP_ID));
  g_free (assert_refused (sandbox, "mbox:~/mbox"));
  g_free (assert_refused (sandbox, "maildir:/var/mail/alice"));
  g_free (assert_refused (sandbox, "maildir:/tmp/Maildir"));
  /* A name that only starts like a granted folder is another folder. */
  g_free (assert_refused (sandbox, "maildir:~/Maildir-alice"));
  /* ".." does not climb out of a grant. */
  escape = assert_refused (sandbox, "maildir:~/Maildir/../Documents");
  g_assert_nonnull (strstr (escape, "--filesystem=~/Documents "));

  /* The host's programs and sockets are not there. */
  mda = assert_refused (sandbox, "mda:/usr/bin/procmail -f %F");
  g_assert_nonnull (strstr (mda, "smtp://localhost:25"));
  lent = assert_refused (sandbox, portal);
  g_assert_nonnull (strstr (lent, "document portal"));
  socket = assert_refused (sandbox, "lmtp:/run/dovecot/lmtp");
  g_assert_nonnull (strstr (socket, "/run/dovecot/lmtp"));
}

static void
test_no_network (void)
{
  g_autofree char *home = make_home ();
  g_autoptr(PosteSandbox) sandbox = sandbox_for ("[Application]\nname=" APP_ID "\n"
                                                 "[Context]\nshared=ipc;\n", home);
  g_autofree char *message = assert_refused (sandbox, "smtp://localhost:25");

  g_assert_nonnull (strstr (message, "--share=network"));
  g_free (assert_refused (sandbox, "lmtp://localhost:24"));
  /* Nothing granted either: only the application's own folder. */
  g_free (assert_refused (sandbox, "maildir:~/Maildir"));
}

static void
test_read_only_and_negated (void)
{
  g_autofree char *home = make_home ();
  g_autofree char *run = g_build_filename (home, "run", NULL);
  g_autoptr(PosteSandbox) sandbox = NULL;
  g_autofree char *info = NULL;
  g_autofree char *socket = NULL;
  g_autofree char *message = NULL;

  g_assert_cmpint (g_mkdir (run, 0700), ==, 0);
  info = g_strdup_printf ("[Application]\nname=" APP_ID "\n[Context]\nshared=network;\n"
                          "filesystems=~/Maildir:create;~/mail:ro;%s:ro;xdg-music;!~/Maildir;\n",
                          run);
  sandbox = sandbox_for (info, home);

  /* Read-only: no mbox or Maildir, but a socket can be connected to. */
  message = assert_refused (sandbox, "mbox:~/mail/inbox");
  g_assert_nonnull (strstr (message, "only read"));
  socket = g_strdup_printf ("lmtp:%s/lmtp", run);
  assert_works (sandbox, socket);
  /* "!~/Maildir" (a user's `flatpak override --nofilesystem`) takes the grant back. */
  g_free (assert_refused (sandbox, "maildir:~/Maildir"));
}

static void
test_host_and_home (void)
{
  g_autofree char *home = make_home ();
  g_autoptr(PosteSandbox) host = sandbox_for ("[Context]\nshared=network;\nfilesystems=host;\n",
                                              home);
  g_autoptr(PosteSandbox) whole_home = sandbox_for ("[Context]\nfilesystems=home;\n", home);

  /* "host" is everything but the sandbox's own folders: its /tmp and /var are private. */
  assert_works (host, "maildir:~/Maildir");
  assert_works (host, "mbox:/srv/mail/inbox");
  g_free (assert_refused (host, "mbox:/var/mail/alice"));
  g_free (assert_refused (host, "maildir:/tmp/Maildir"));
  g_free (assert_refused (host, "maildir:/usr/share/Maildir"));

  assert_works (whole_home, "maildir:~/Documents/Maildir");
  g_free (assert_refused (whole_home, "maildir:/srv/Maildir"));
}

static void
test_missing_folder (void)
{
  g_autofree char *home = empty_home ();
  g_autoptr(PosteSandbox) sandbox = sandbox_for (manifest_info, home);
  g_autofree char *message = NULL;

  /* ~/mail is granted but absent: Flatpak did not mount it, so nothing can be written there
   * until the folder exists and the application starts again. */
  message = assert_refused (sandbox, "mbox:~/mail/inbox");
  g_assert_nonnull (strstr (message, "start it again"));
}

static void
test_not_a_keyfile (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosteSandbox) sandbox = poste_sandbox_new_from_data ("filesystems=home\n", -1, "/home/a",
                                                                 &error);

  g_assert_null (sandbox);
  g_assert_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_GROUP_NOT_FOUND);
}

/* Outside Flatpak (the test machine) every target is reachable and nothing is read. */
static void
test_outside_flatpak (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PosteDelivery) delivery = NULL;

  if (g_file_test (POSTE_SANDBOX_INFO_FILE, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("this test runs inside a Flatpak sandbox");
      return;
    }
  g_assert_null (poste_sandbox_get_default ());
  g_assert_true (poste_delivery_check_reachable ("mda:/usr/bin/procmail", &error));
  g_assert_no_error (error);
  delivery = poste_delivery_new_for_target ("maildir:/srv/Maildir", &error);
  g_assert_no_error (error);
  g_assert_nonnull (delivery);
}

int
main (int   argc,
      char *argv[])
{
  poste_test_init (&argc, &argv);

  g_test_add_func ("/sandbox/manifest-grants", test_manifest_grants);
  g_test_add_func ("/sandbox/no-network", test_no_network);
  g_test_add_func ("/sandbox/read-only-and-negated", test_read_only_and_negated);
  g_test_add_func ("/sandbox/host-and-home", test_host_and_home);
  g_test_add_func ("/sandbox/missing-folder", test_missing_folder);
  g_test_add_func ("/sandbox/not-a-keyfile", test_not_a_keyfile);
  g_test_add_func ("/sandbox/outside-flatpak", test_outside_flatpak);

  return g_test_run ();
}
