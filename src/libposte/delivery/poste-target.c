/* poste-target.c: a delivery target as the configuration writes it ("maildir:~/Maildir", ...)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The one description of the delivery-target format: the configuration's `delivery=` and
 * `route.*=` keys, the fetchmailrc import, the editor and the router all parse, build and check
 * targets here, and nowhere else. A target is checked for its form when it is parsed (a host and
 * port, an absolute path or one under "~/", an MDA command that splits into words); whether it
 * works (the folder can be written, the MTA answers) is only known when mail is delivered.
 */
#include "config.h"

#include <gio/gunixsocketaddress.h>
#include <glib/gi18n-lib.h>
#include <string.h>

#include "poste-config.h"
#include "poste-delivery-private.h"
#include "poste-error.h"
#include "poste-maildir-delivery.h"
#include "poste-mbox-delivery.h"
#include "poste-mda-delivery.h"
#include "poste-smtp-delivery.h"
#include "poste-target.h"

struct _PosteTarget
{
  PosteTargetKind  kind;
  char            *spec;       /* as written, without surrounding white space */
  char            *location;   /* what follows the scheme */
};

G_DEFINE_ENUM_TYPE (PosteTargetKind, poste_target_kind,
  G_DEFINE_ENUM_VALUE (POSTE_TARGET_KIND_MAILDIR, "maildir"),
  G_DEFINE_ENUM_VALUE (POSTE_TARGET_KIND_MBOX, "mbox"),
  G_DEFINE_ENUM_VALUE (POSTE_TARGET_KIND_SMTP, "smtp"),
  G_DEFINE_ENUM_VALUE (POSTE_TARGET_KIND_LMTP, "lmtp"),
  G_DEFINE_ENUM_VALUE (POSTE_TARGET_KIND_LMTP_SOCKET, "lmtp-socket"),
  G_DEFINE_ENUM_VALUE (POSTE_TARGET_KIND_MDA, "mda"))

G_DEFINE_BOXED_TYPE (PosteTarget, poste_target, poste_target_copy, poste_target_free)

/* Longest first where one scheme is the start of another ("lmtp://" before "lmtp:"). */
static const struct {
  PosteTargetKind  kind;
  const char      *scheme;
} schemes[] = {
  { POSTE_TARGET_KIND_SMTP, "smtp://" },
  { POSTE_TARGET_KIND_LMTP, "lmtp://" },
  { POSTE_TARGET_KIND_LMTP_SOCKET, "lmtp:" },
  { POSTE_TARGET_KIND_MAILDIR, "maildir:" },
  { POSTE_TARGET_KIND_MBOX, "mbox:" },
  { POSTE_TARGET_KIND_MDA, "mda:" },
};

/**
 * poste_target_kind_get_scheme:
 * @kind: a #PosteTargetKind
 *
 * Returns: what a target of @kind starts with: "maildir:", "mbox:", "smtp://", "lmtp://",
 *   "lmtp:" or "mda:"
 */
const char *
poste_target_kind_get_scheme (PosteTargetKind kind)
{
  for (guint i = 0; i < G_N_ELEMENTS (schemes); i++)
    if (schemes[i].kind == kind)
      return schemes[i].scheme;
  g_return_val_if_reached ("maildir:");
}

/**
 * poste_target_kind_relays:
 * @kind: a #PosteTargetKind
 *
 * A target that hands mail to a mail server (SMTP or LMTP) may have it relayed further: a local
 * MTA usually trusts loopback. Such a target must only ever be given recipients of the
 * provider's own domains, so it needs `domains=`.
 *
 * Returns: %TRUE for SMTP and LMTP targets
 */
gboolean
poste_target_kind_relays (PosteTargetKind kind)
{
  return kind == POSTE_TARGET_KIND_SMTP || kind == POSTE_TARGET_KIND_LMTP ||
         kind == POSTE_TARGET_KIND_LMTP_SOCKET;
}

/**
 * poste_target_kind_has_path:
 * @kind: a #PosteTargetKind
 *
 * Returns: %TRUE when a target of @kind names a file system path (a folder, a file, a socket or a
 *   program: see poste_target_dup_path()), which a sandbox must grant; %FALSE for the ones
 *   reached over TCP
 */
gboolean
poste_target_kind_has_path (PosteTargetKind kind)
{
  return kind != POSTE_TARGET_KIND_SMTP && kind != POSTE_TARGET_KIND_LMTP;
}

static gboolean
has_control (const char *text)
{
  for (const guchar *p = (const guchar *) text; *p != '\0'; p++)
    if (*p < 0x20 || *p == 0x7f)
      return TRUE;
  return FALSE;
}

/* The program of an MDA command: its first word, as written. */
static char *
mda_program (const char *command)
{
  const char *space = strchr (command, ' ');

  return space != NULL ? g_strndup (command, space - command) : g_strdup (command);
}

static gboolean
check_location (PosteTargetKind   kind,
                const char       *spec,
                const char       *location,
                GError          **error)
{
  g_autofree char *path = NULL;
  g_autofree char *program = NULL;
  g_auto(GStrv) argv = NULL;

  switch (kind)
    {
    case POSTE_TARGET_KIND_SMTP:
    case POSTE_TARGET_KIND_LMTP:
      /* A user, a path or a query has no place in a local MTA's address. */
      if (*location == '\0' || strpbrk (location, "/?#@ ") != NULL)
        {
          g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INVALID_VALUE,
                       _("'%s' is not %sHOST:PORT"), spec, poste_target_kind_get_scheme (kind));
          return FALSE;
        }
      /* LMTP has no port of its own (RFC 2033 section 5): it must be said. */
      return poste_config_check_host_port (location, kind == POSTE_TARGET_KIND_LMTP, error);

    case POSTE_TARGET_KIND_MDA:
      program = mda_program (location);
      if (*program == '\0')
        {
          g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INVALID_VALUE,
                       _("'%s' names no program"), spec);
          return FALSE;
        }
      /* Only checks that the arguments split; the MDA runs without a shell. */
      if (!g_shell_parse_argv (location, NULL, &argv, NULL))
        {
          g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INVALID_VALUE,
                       _("'%s': the arguments do not split into words"), spec);
          return FALSE;
        }
      path = poste_config_expand_path (program, error);
      return path != NULL;

    case POSTE_TARGET_KIND_MAILDIR:
    case POSTE_TARGET_KIND_MBOX:
    case POSTE_TARGET_KIND_LMTP_SOCKET:
    default:
      if (*location == '\0')
        {
          g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INVALID_VALUE,
                       _("'%s' has no path"), spec);
          return FALSE;
        }
      path = poste_config_expand_path (location, error);
      return path != NULL;
    }
}

/**
 * poste_target_parse:
 * @spec: a delivery target: `maildir:PATH`, `mbox:PATH`, `smtp://HOST[:PORT]`,
 *   `lmtp://HOST:PORT`, `lmtp:PATH` (a UNIX socket) or `mda:PROGRAM ARGS...`; a path absolute or
 *   starting with "~/"; white space around it is ignored
 * @error: a #GError, or %NULL
 *
 * Reads a target and checks its form (no control characters, a host and port, a path, an MDA
 * command that splits into words). The paths stay as written ("~/" is expanded by
 * poste_target_dup_path() and poste_target_dup_expanded()).
 *
 * Returns: (transfer full) (nullable): the target, or %NULL with
 *   %POSTE_CONFIG_ERROR_INVALID_VALUE and a message that quotes @spec
 */
PosteTarget *
poste_target_parse (const char  *spec,
                    GError     **error)
{
  g_autofree char *text = NULL;
  PosteTarget *target;

  g_return_val_if_fail (spec != NULL, NULL);

  text = g_strstrip (g_strdup (spec));
  /* A CR, an LF or another control byte has no place in a path, a host or an MDA argument. */
  if (has_control (text))
    {
      g_set_error_literal (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INVALID_VALUE,
                           _("a delivery target holds a control character"));
      return NULL;
    }

  for (guint i = 0; i < G_N_ELEMENTS (schemes); i++)
    if (g_str_has_prefix (text, schemes[i].scheme))
      {
        const char *location = text + strlen (schemes[i].scheme);

        if (!check_location (schemes[i].kind, text, location, error))
          return NULL;
        target = g_new0 (PosteTarget, 1);
        target->kind = schemes[i].kind;
        target->location = g_strdup (location);
        target->spec = g_steal_pointer (&text);
        return target;
      }

  g_set_error (error, POSTE_CONFIG_ERROR, POSTE_CONFIG_ERROR_INVALID_VALUE,
               _("'%s' is not a delivery target (smtp://HOST:PORT, lmtp://HOST:PORT, lmtp:/SOCKET, "
                 "mbox:/PATH, maildir:/PATH or mda:/PROGRAM ARGS)"),
               text);
  return NULL;
}

/**
 * poste_target_new:
 * @kind: the kind of target
 * @location: what follows the scheme: a path, "HOST:PORT" or an MDA command
 * @error: a #GError, or %NULL
 *
 * Builds a target from its parts, as the editor and the fetchmailrc import have them.
 *
 * Returns: (transfer full) (nullable): the target, or %NULL as for poste_target_parse()
 */
PosteTarget *
poste_target_new (PosteTargetKind   kind,
                  const char       *location,
                  GError          **error)
{
  g_autofree char *spec = NULL;

  g_return_val_if_fail (location != NULL, NULL);

  spec = g_strconcat (poste_target_kind_get_scheme (kind), location, NULL);
  return poste_target_parse (spec, error);
}

/**
 * poste_target_copy:
 * @target: a target
 *
 * Returns: (transfer full): a copy of @target
 */
PosteTarget *
poste_target_copy (const PosteTarget *target)
{
  PosteTarget *copy;

  g_return_val_if_fail (target != NULL, NULL);

  copy = g_new0 (PosteTarget, 1);
  copy->kind = target->kind;
  copy->spec = g_strdup (target->spec);
  copy->location = g_strdup (target->location);
  return copy;
}

/**
 * poste_target_free:
 * @target: (transfer full) (nullable): a target
 */
void
poste_target_free (PosteTarget *target)
{
  if (target == NULL)
    return;
  g_free (target->spec);
  g_free (target->location);
  g_free (target);
}

/**
 * poste_target_get_kind:
 * @target: a target
 *
 * Returns: its kind
 */
PosteTargetKind
poste_target_get_kind (const PosteTarget *target)
{
  g_return_val_if_fail (target != NULL, POSTE_TARGET_KIND_MAILDIR);

  return target->kind;
}

/**
 * poste_target_get_spec:
 * @target: a target
 *
 * Returns: (transfer none): the target as the configuration writes it, paths as written
 */
const char *
poste_target_get_spec (const PosteTarget *target)
{
  g_return_val_if_fail (target != NULL, NULL);

  return target->spec;
}

/**
 * poste_target_get_location:
 * @target: a target
 *
 * Returns: (transfer none): what follows the scheme: the path, "HOST[:PORT]" or the MDA command
 */
const char *
poste_target_get_location (const PosteTarget *target)
{
  g_return_val_if_fail (target != NULL, NULL);

  return target->location;
}

/**
 * poste_target_dup_path:
 * @target: a target
 * @error: a #GError, or %NULL
 *
 * The file system path the target needs at delivery time, "~/" expanded and made canonical: the
 * Maildir folder, the mbox file, the LMTP socket or the MDA's program.
 *
 * Returns: (transfer full) (nullable): the absolute path; %NULL without error for the targets
 *   reached over TCP (poste_target_kind_has_path()), or with %POSTE_CONFIG_ERROR_INVALID_VALUE
 */
char *
poste_target_dup_path (const PosteTarget  *target,
                       GError            **error)
{
  g_autofree char *written = NULL;
  g_autofree char *path = NULL;

  g_return_val_if_fail (target != NULL, NULL);

  if (!poste_target_kind_has_path (target->kind))
    return NULL;
  written = target->kind == POSTE_TARGET_KIND_MDA ? mda_program (target->location)
                                                  : g_strdup (target->location);
  path = poste_config_expand_path (written, error);
  return path != NULL ? g_canonicalize_filename (path, NULL) : NULL;
}

/**
 * poste_target_dup_expanded:
 * @target: a target
 * @error: a #GError, or %NULL
 *
 * Returns: (transfer full) (nullable): the target's text with "~/" expanded in its path (an
 *   MDA's arguments are left as written), or %NULL with %POSTE_CONFIG_ERROR_INVALID_VALUE
 */
char *
poste_target_dup_expanded (const PosteTarget  *target,
                           GError            **error)
{
  g_autofree char *program = NULL;
  g_autofree char *path = NULL;
  const char *scheme;

  g_return_val_if_fail (target != NULL, NULL);

  scheme = poste_target_kind_get_scheme (target->kind);
  switch (target->kind)
    {
    case POSTE_TARGET_KIND_SMTP:
    case POSTE_TARGET_KIND_LMTP:
      return g_strdup (target->spec);
    case POSTE_TARGET_KIND_MDA:
      program = mda_program (target->location);
      if (!(path = poste_config_expand_path (program, error)))
        return NULL;
      return g_strconcat (scheme, path, target->location + strlen (program), NULL);
    case POSTE_TARGET_KIND_MAILDIR:
    case POSTE_TARGET_KIND_MBOX:
    case POSTE_TARGET_KIND_LMTP_SOCKET:
    default:
      if (!(path = poste_config_expand_path (target->location, error)))
        return NULL;
      return g_strconcat (scheme, path, NULL);
    }
}

/**
 * poste_target_create_delivery:
 * @target: a target
 * @error: a #GError, or %NULL
 *
 * Makes the delivery target that @target describes. Nothing is opened yet: a local MTA is
 * connected to, and folders are created, at the first message.
 *
 * Returns: (transfer full) (nullable): a new #PosteDelivery, or %NULL with
 *   %POSTE_DELIVERY_ERROR_INVALID (an MDA command with an unknown % sequence, say)
 */
PosteDelivery *
poste_target_create_delivery (const PosteTarget  *target,
                              GError            **error)
{
  g_autoptr(GSocketConnectable) address = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *path = NULL;

  g_return_val_if_fail (target != NULL, NULL);

  if (poste_target_kind_has_path (target->kind) && target->kind != POSTE_TARGET_KIND_MDA &&
      !(path = poste_target_dup_path (target, &local_error)))
    {
      g_set_error_literal (error, POSTE_DELIVERY_ERROR, POSTE_DELIVERY_ERROR_INVALID,
                           local_error->message);
      return NULL;
    }

  switch (target->kind)
    {
    case POSTE_TARGET_KIND_MAILDIR:
      return poste_maildir_delivery_new (path);
    case POSTE_TARGET_KIND_MBOX:
      return poste_mbox_delivery_new (path);
    case POSTE_TARGET_KIND_LMTP_SOCKET:
      address = G_SOCKET_CONNECTABLE (g_unix_socket_address_new (path));
      return poste_smtp_delivery_new (address, TRUE);
    case POSTE_TARGET_KIND_SMTP:
    case POSTE_TARGET_KIND_LMTP:
      address = g_network_address_parse (target->location,
                                         target->kind == POSTE_TARGET_KIND_LMTP ? 24 : 25,
                                         &local_error);
      if (address == NULL)
        {
          g_set_error (error, POSTE_DELIVERY_ERROR, POSTE_DELIVERY_ERROR_INVALID,
                       _("“%s”: %s"), target->spec, local_error->message);
          return NULL;
        }
      return poste_smtp_delivery_new (address, target->kind == POSTE_TARGET_KIND_LMTP);
    case POSTE_TARGET_KIND_MDA:
    default:
      return _poste_mda_delivery_new_for_command (target->location, error);
    }
}
