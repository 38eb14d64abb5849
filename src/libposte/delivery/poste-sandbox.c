/* poste-sandbox.c: which delivery targets work inside a Flatpak sandbox
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Inside Flatpak the application sees only what it was granted. A Maildir or an mbox outside the
 * granted folders does not fail loudly: the sandbox's root is its own, so a write there either
 * fails at the first message or, worse, lands in a directory nobody on the host will ever read.
 * An MDA is a program of the host, which the sandbox cannot start; a Unix socket outside the
 * grants is not there. So every target is checked against the grants before a session starts
 * (poste_router_new() does it through poste_delivery_new_for_target()), and the editor asks the
 * same question: a target that cannot work is refused with a message that says why and what to
 * do, and the provider keeps the mail.
 *
 * The grants are read from /.flatpak-info, which Flatpak writes for every sandbox with the
 * application's final permissions (the manifest's finish-args merged with the user's
 * `flatpak override`): its [Context] group has `shared=` (network, ipc) and `filesystems=`, a
 * list of `[!]LOCATION[:ro|:rw|:create]` where LOCATION is `host`, `home`, `~/PATH`, `/PATH` or
 * `xdg-NAME[/PATH]` (flatpak-metadata(5)). Locations this code does not know grant nothing here:
 * a target is only accepted when it is known to be reachable.
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "poste-delivery-private.h"
#include "poste-error.h"
#include "poste-sandbox-private.h"
#include "poste-target.h"

/* Flatpak writes a few hundred bytes there; anything this large is not its file. */
#define SANDBOX_INFO_MAX_SIZE (64 * 1024)

/* What "host" leaves out: the sandbox's own runtime and system folders, and its private /tmp
 * and /var, where a message would be stored out of every host program's sight. */
static const char * const host_reserved[] = {
  "/app", "/bin", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/proc", "/root", "/run",
  "/sbin", "/sys", "/tmp", "/usr", "/var",
};

typedef struct {
  char     *spec;       /* as the grant was written, for messages */
  char     *path;       /* absolute and canonical */
  gboolean  writable;
  gboolean  own;        /* the application's own folder: always there, never named */
} Grant;

struct _PosteSandbox
{
  GObject    parent_instance;

  char      *app_id;
  char      *home_dir;
  gboolean   network;
  GPtrArray *grants;    /* of Grant */
};

G_DEFINE_FINAL_TYPE (PosteSandbox, poste_sandbox, G_TYPE_OBJECT)

static void
grant_free (Grant *grant)
{
  g_free (grant->spec);
  g_free (grant->path);
  g_free (grant);
}

static void
poste_sandbox_finalize (GObject *object)
{
  PosteSandbox *self = POSTE_SANDBOX (object);

  g_free (self->app_id);
  g_free (self->home_dir);
  g_ptr_array_unref (self->grants);

  G_OBJECT_CLASS (poste_sandbox_parent_class)->finalize (object);
}

static void
poste_sandbox_class_init (PosteSandboxClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = poste_sandbox_finalize;
}

static void
poste_sandbox_init (PosteSandbox *self)
{
  self->grants = g_ptr_array_new_with_free_func ((GDestroyNotify) grant_free);
}

/* The folder an "xdg-NAME" location names, or NULL for a name this code does not know. */
static char *
xdg_location (PosteSandbox *self,
              const char   *name)
{
  static const struct {
    const char     *name;
    GUserDirectory  directory;
  } special[] = {
    { "xdg-desktop", G_USER_DIRECTORY_DESKTOP },
    { "xdg-documents", G_USER_DIRECTORY_DOCUMENTS },
    { "xdg-download", G_USER_DIRECTORY_DOWNLOAD },
    { "xdg-music", G_USER_DIRECTORY_MUSIC },
    { "xdg-pictures", G_USER_DIRECTORY_PICTURES },
    { "xdg-public-share", G_USER_DIRECTORY_PUBLIC_SHARE },
    { "xdg-templates", G_USER_DIRECTORY_TEMPLATES },
    { "xdg-videos", G_USER_DIRECTORY_VIDEOS },
  };
  /* The host's base directories: inside the sandbox XDG_DATA_HOME and the others point into
   * the application's own folder, so these are the host's defaults (or what Flatpak passes on
   * as HOST_XDG_*). */
  static const struct {
    const char *name;
    const char *variable;
    const char *fallback;
  } base[] = {
    { "xdg-data", "HOST_XDG_DATA_HOME", ".local/share" },
    { "xdg-config", "HOST_XDG_CONFIG_HOME", ".config" },
    { "xdg-cache", "HOST_XDG_CACHE_HOME", ".cache" },
    { "xdg-state", "HOST_XDG_STATE_HOME", ".local/state" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (special); i++)
    if (g_str_equal (name, special[i].name))
      {
        const char *dir = g_get_user_special_dir (special[i].directory);

        return dir != NULL ? g_strdup (dir) : NULL;
      }
  for (guint i = 0; i < G_N_ELEMENTS (base); i++)
    if (g_str_equal (name, base[i].name))
      {
        const char *dir = g_getenv (base[i].variable);

        if (dir != NULL && g_path_is_absolute (dir))
          return g_strdup (dir);
        return g_build_filename (self->home_dir, base[i].fallback, NULL);
      }
  if (g_str_equal (name, "xdg-run"))
    return g_strdup (g_get_user_runtime_dir ());
  return NULL;
}

/* The absolute path a location names, or NULL when it names nothing this code can check. */
static char *
location_path (PosteSandbox *self,
               const char   *location)
{
  g_autofree char *head = NULL;
  g_autofree char *base = NULL;
  const char *slash;

  if (g_str_equal (location, "home") || g_str_equal (location, "~"))
    return g_strdup (self->home_dir);
  if (g_str_has_prefix (location, "~/"))
    return g_canonicalize_filename (location + 2, self->home_dir);
  if (g_path_is_absolute (location))
    return g_canonicalize_filename (location, NULL);
  if (!g_str_has_prefix (location, "xdg-"))
    return NULL;

  slash = strchr (location, '/');
  head = slash != NULL ? g_strndup (location, slash - location) : g_strdup (location);
  base = xdg_location (self, head);
  if (base == NULL)
    return NULL;
  return g_canonicalize_filename (slash != NULL ? slash + 1 : ".", base);
}

static gboolean
path_is_within (const char *path,
                const char *folder)
{
  gsize length = strlen (folder);

  if (g_str_equal (folder, "/"))
    return TRUE;
  return strncmp (path, folder, length) == 0 && (path[length] == '\0' || path[length] == '/');
}

static void
remove_grant (PosteSandbox *self,
              const char   *path)
{
  for (guint i = self->grants->len; i > 0; i--)
    {
      Grant *grant = g_ptr_array_index (self->grants, i - 1);

      if (g_str_equal (grant->path, path))
        g_ptr_array_remove_index (self->grants, i - 1);
    }
}

static void
add_filesystem (PosteSandbox *self,
                const char   *entry)
{
  g_autofree char *location = NULL;
  g_autofree char *path = NULL;
  gboolean negated = entry[0] == '!';
  gboolean writable = TRUE;
  const char *colon;
  Grant *grant;

  if (negated)
    entry++;
  location = g_strdup (entry);
  colon = strrchr (location, ':');
  if (colon != NULL)
    {
      if (g_str_equal (colon, ":ro"))
        writable = FALSE;
      else if (!g_str_equal (colon, ":rw") && !g_str_equal (colon, ":create"))
        return;
      location[colon - location] = '\0';
    }

  if (g_str_equal (location, "host"))
    path = g_strdup ("/");
  else
    path = location_path (self, location);
  if (path == NULL)
    return;

  remove_grant (self, path);
  if (negated)
    return;
  grant = g_new0 (Grant, 1);
  grant->spec = g_steal_pointer (&location);
  grant->path = g_steal_pointer (&path);
  grant->writable = writable;
  g_ptr_array_add (self->grants, grant);
}

/**
 * poste_sandbox_new_from_data:
 * @data: the contents of a Flatpak info file (a keyfile, see %POSTE_SANDBOX_INFO_FILE)
 * @length: the length of @data in bytes, or -1 when it is nul-terminated
 * @home_dir: the home directory "~" stands for, as the sandbox sees it
 * @error: return location for a #GError
 *
 * Reads the grants of a sandbox: whether it shares the network, and which folders it may read
 * and write. The application's own folder (`~/.var/app/ID`) is always granted.
 *
 * Returns: (transfer full): a new #PosteSandbox, or %NULL with a #GKeyFileError when @data is
 *   not a keyfile
 */
PosteSandbox *
poste_sandbox_new_from_data (const char  *data,
                             gssize       length,
                             const char  *home_dir,
                             GError     **error)
{
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autoptr(PosteSandbox) self = NULL;
  g_auto(GStrv) shared = NULL;
  g_auto(GStrv) filesystems = NULL;
  Grant *own;

  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (home_dir != NULL && g_path_is_absolute (home_dir), NULL);

  if (!g_key_file_load_from_data (keyfile, data, length < 0 ? strlen (data) : (gsize)length,
                                  G_KEY_FILE_NONE, error))
    return NULL;

  self = g_object_new (POSTE_TYPE_SANDBOX, NULL);
  self->home_dir = g_canonicalize_filename (home_dir, NULL);
  self->app_id = g_key_file_get_string (keyfile, "Application", "name", NULL);

  shared = g_key_file_get_string_list (keyfile, "Context", "shared", NULL, NULL);
  self->network = shared != NULL && g_strv_contains ((const char * const *)shared, "network");

  if (self->app_id != NULL && self->app_id[0] != '\0' && strchr (self->app_id, '/') == NULL)
    {
      own = g_new0 (Grant, 1);
      own->path = g_build_filename (self->home_dir, ".var", "app", self->app_id, NULL);
      own->spec = g_strconcat ("~/.var/app/", self->app_id, NULL);
      own->writable = TRUE;
      own->own = TRUE;
      g_ptr_array_add (self->grants, own);
    }

  filesystems = g_key_file_get_string_list (keyfile, "Context", "filesystems", NULL, NULL);
  for (guint i = 0; filesystems != NULL && filesystems[i] != NULL; i++)
    if (filesystems[i][0] != '\0')
      add_filesystem (self, filesystems[i]);

  return g_steal_pointer (&self);
}

/* What the tests put in place of /.flatpak-info (main thread only, as the editor's tests are). */
static PosteSandbox *stand_in;
static gboolean has_stand_in;

/*
 * _poste_sandbox_set_default:
 * @sandbox: (nullable): the sandbox poste_sandbox_get_default() returns from now on (%NULL:
 *   none, as outside Flatpak)
 *
 * For tests: a window or a command can be tested as it behaves inside a sandbox without one.
 */
void
_poste_sandbox_set_default (PosteSandbox *sandbox)
{
  g_set_object (&stand_in, sandbox);
  has_stand_in = TRUE;
}

/*
 * _poste_sandbox_reset_default:
 *
 * For tests: poste_sandbox_get_default() answers from /.flatpak-info again.
 */
void
_poste_sandbox_reset_default (void)
{
  g_clear_object (&stand_in);
  has_stand_in = FALSE;
}

/**
 * poste_sandbox_get_default:
 *
 * The sandbox this process runs in, read once from %POSTE_SANDBOX_INFO_FILE.
 *
 * Returns: (transfer none) (nullable): the sandbox, or %NULL outside Flatpak. A sandbox whose
 *   info file cannot be read is taken to grant nothing, neither a folder nor the network: every
 *   target is then refused with its reason rather than trusted blindly.
 */
PosteSandbox *
poste_sandbox_get_default (void)
{
  static PosteSandbox *sandbox;
  static gsize initialised;

  if (has_stand_in)
    return stand_in;
  if (g_once_init_enter (&initialised))
    {
      g_autofree char *contents = NULL;
      g_autoptr(GError) error = NULL;
      gsize length = 0;

      GStatBuf info;

      if (g_stat (POSTE_SANDBOX_INFO_FILE, &info) == 0)
        {
          if (info.st_size > SANDBOX_INFO_MAX_SIZE)
            g_set_error (&error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                         "larger than %d bytes", SANDBOX_INFO_MAX_SIZE);
          else if (g_file_get_contents (POSTE_SANDBOX_INFO_FILE, &contents, &length, &error))
            sandbox = poste_sandbox_new_from_data (contents, length, g_get_home_dir (), &error);
          if (sandbox == NULL)
            {
              g_warning ("Cannot read the sandbox's grants in %s: %s", POSTE_SANDBOX_INFO_FILE,
                         error->message);
              sandbox = poste_sandbox_new_from_data ("", 0, g_get_home_dir (), NULL);
            }
        }
      g_once_init_leave (&initialised, 1);
    }
  return sandbox;
}

/**
 * poste_sandbox_get_app_id:
 * @self: a #PosteSandbox
 *
 * Returns: (nullable): the Flatpak application id the sandbox was made for
 */
const char *
poste_sandbox_get_app_id (PosteSandbox *self)
{
  g_return_val_if_fail (POSTE_IS_SANDBOX (self), NULL);

  return self->app_id;
}

/* "~/x" for a path in the home directory, the path itself otherwise. */
static char *
display_path (PosteSandbox *self,
              const char   *path)
{
  if (path_is_within (path, self->home_dir) && !g_str_equal (self->home_dir, "/"))
    {
      const char *rest = path + strlen (self->home_dir);

      return *rest == '\0' ? g_strdup ("~") : g_strconcat ("~", rest, NULL);
    }
  return g_strdup (path);
}

static char *
shown_grants (PosteSandbox *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) list = NULL;

  for (guint i = 0; i < self->grants->len; i++)
    {
      Grant *grant = g_ptr_array_index (self->grants, i);

      if (!grant->own && grant->writable)
        g_strv_builder_add (builder, grant->spec);
    }
  list = g_strv_builder_end (builder);
  if (list[0] == NULL)
    return g_strdup (_("none"));
  return g_strjoinv (", ", list);
}

static const char *
app_id_or_placeholder (PosteSandbox *self)
{
  return self->app_id != NULL ? self->app_id : "io.github.posterestante.PosteRestante";
}

/* "host" is the root without the folders the sandbox keeps to itself, and with the home
 * directory wherever it is. */
static gboolean
host_grant_covers (PosteSandbox *self,
                   Grant        *grant,
                   const char   *folder)
{
  if (!g_str_equal (grant->path, "/") || path_is_within (folder, self->home_dir))
    return TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (host_reserved); i++)
    if (path_is_within (folder, host_reserved[i]))
      return FALSE;
  return TRUE;
}

/* @folder (where the target writes) must be in a grant, writable unless @read_only_will_do. */
static gboolean
check_path (PosteSandbox  *self,
            const char    *target,
            const char    *path,
            const char    *folder,
            gboolean       read_only_will_do,
            GError       **error)
{
  Grant *best = NULL;
  g_autofree char *shown = NULL;
  g_autofree char *wanted = NULL;
  /* Where the document portal shows what the file chooser lent (xdg-desktop-portal). */
  g_autofree char *portal = g_build_filename (g_get_user_runtime_dir (), "doc", NULL);

  /* The innermost grant decides, as Flatpak mounts the inner one over the outer. */
  for (guint i = 0; i < self->grants->len; i++)
    {
      Grant *grant = g_ptr_array_index (self->grants, i);

      if (!path_is_within (folder, grant->path) || !host_grant_covers (self, grant, folder))
        continue;
      if (best == NULL || strlen (grant->path) >= strlen (best->path))
        best = grant;
    }

  if (best == NULL && path_is_within (folder, portal))
    {
      shown = shown_grants (self);
      g_set_error (error, POSTE_DELIVERY_ERROR, POSTE_DELIVERY_ERROR_SANDBOX,
                   _("“%s” was lent to the application by the file chooser (the document "
                     "portal). Poste Restante delivers only into folders the Flatpak sandbox is "
                     "granted: %s, or one given with “flatpak override --user --filesystem=PATH "
                     "%s”"),
                   target, shown, app_id_or_placeholder (self));
      return FALSE;
    }
  if (best == NULL)
    {
      shown = shown_grants (self);
      wanted = display_path (self, folder);
      g_set_error (error, POSTE_DELIVERY_ERROR, POSTE_DELIVERY_ERROR_SANDBOX,
                   _("“%s” cannot be reached from inside the Flatpak sandbox: it may only write "
                     "to %s. Deliver into one of those folders, to a mail server over the network "
                     "(smtp://localhost:25), or give it that folder with "
                     "“flatpak override --user --filesystem=%s %s” and start it again"),
                   target, shown, wanted, app_id_or_placeholder (self));
      return FALSE;
    }
  if (!best->writable && !read_only_will_do)
    {
      g_set_error (error, POSTE_DELIVERY_ERROR, POSTE_DELIVERY_ERROR_SANDBOX,
                   _("“%s” is in “%s”, which the Flatpak sandbox may only read, not write"),
                   target, best->spec);
      return FALSE;
    }
  /* Flatpak only mounts a granted folder that exists when the sandbox starts (or that it
   * creates, for a grant ending in ":create"); one made later appears at the next start. */
  if (!best->own && !g_file_test (best->path, G_FILE_TEST_IS_DIR) &&
      !g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, POSTE_DELIVERY_ERROR, POSTE_DELIVERY_ERROR_SANDBOX,
                   _("“%s” is in “%s”, which did not exist when the application started: create "
                     "that folder, then quit Poste Restante and start it again"),
                   target, best->spec);
      return FALSE;
    }
  return TRUE;
}

/**
 * poste_sandbox_check_target:
 * @self: a #PosteSandbox
 * @target: a delivery target, as poste_delivery_new_for_target() takes it
 * @error: return location for a #GError
 *
 * Tells whether @target can work inside the sandbox: SMTP and LMTP over TCP need the network;
 * a Maildir, an mbox (and its dotlock beside it) need a writable grant over their folder; an
 * LMTP socket needs a grant over it, read-only will do; an MDA never works, as the sandbox
 * cannot start the host's programs. A target whose form is not valid is left to
 * poste_delivery_new_for_target() to refuse.
 *
 * Returns: %TRUE when it can work; otherwise %FALSE with %POSTE_DELIVERY_ERROR_SANDBOX, whose
 *   message says why and what the user can do
 */
gboolean
poste_sandbox_check_target (PosteSandbox  *self,
                            const char    *target,
                            GError       **error)
{
  g_autoptr(PosteTarget) parsed = NULL;
  g_autofree char *path = NULL;
  g_autofree char *folder = NULL;
  const char *spec;

  g_return_val_if_fail (POSTE_IS_SANDBOX (self), FALSE);
  g_return_val_if_fail (target != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* A target whose form is wrong is refused, with its own message, when it is made. */
  if (!(parsed = poste_target_parse (target, NULL)))
    return TRUE;
  spec = poste_target_get_spec (parsed);

  switch (poste_target_get_kind (parsed))
    {
    case POSTE_TARGET_KIND_SMTP:
    case POSTE_TARGET_KIND_LMTP:
      if (self->network)
        return TRUE;
      g_set_error (error, POSTE_DELIVERY_ERROR, POSTE_DELIVERY_ERROR_SANDBOX,
                   _("“%s” needs the network, which this Flatpak sandbox does not share: "
                     "“flatpak override --user --share=network %s”"),
                   spec, app_id_or_placeholder (self));
      return FALSE;

    case POSTE_TARGET_KIND_MDA:
      {
        g_autofree char *shown = shown_grants (self);

        g_set_error (error, POSTE_DELIVERY_ERROR, POSTE_DELIVERY_ERROR_SANDBOX,
                     _("A mail delivery program cannot be used from the Flatpak: the sandbox "
                       "cannot start the host system’s programs. Deliver into a Maildir or an mbox "
                       "in %s, or to the local mail server over SMTP or LMTP (smtp://localhost:25), "
                       "which can run the program"),
                     shown);
        return FALSE;
      }

    case POSTE_TARGET_KIND_LMTP_SOCKET:
      if (!(path = poste_target_dup_path (parsed, NULL)))
        return TRUE;
      return check_path (self, spec, path, path, TRUE, error);

    case POSTE_TARGET_KIND_MBOX:
    case POSTE_TARGET_KIND_MAILDIR:
    default:
      if (!(path = poste_target_dup_path (parsed, NULL)))
        return TRUE;
      /* An mbox is rewritten in place and locked with a dotlock file beside it: its folder must
       * be writable. A Maildir is a folder of its own. */
      folder = poste_target_get_kind (parsed) == POSTE_TARGET_KIND_MBOX ? g_path_get_dirname (path)
                                                                       : g_strdup (path);
      return check_path (self, spec, path, folder, FALSE, error);
    }
}

/**
 * poste_delivery_check_reachable:
 * @target: a delivery target, as poste_delivery_new_for_target() takes it
 * @error: return location for a #GError
 *
 * Tells whether @target can work where this process runs: always outside a sandbox, and
 * inside Flatpak as poste_sandbox_check_target() says for poste_sandbox_get_default().
 *
 * Returns: %TRUE when it can work; otherwise %FALSE with %POSTE_DELIVERY_ERROR_SANDBOX
 */
gboolean
poste_delivery_check_reachable (const char  *target,
                                GError     **error)
{
  PosteSandbox *sandbox = poste_sandbox_get_default ();

  g_return_val_if_fail (target != NULL, FALSE);

  return sandbox == NULL || poste_sandbox_check_target (sandbox, target, error);
}
