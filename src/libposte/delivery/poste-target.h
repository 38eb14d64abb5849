/* poste-target.h: a delivery target as the configuration writes it ("maildir:~/Maildir", ...)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "poste-types.h"

G_BEGIN_DECLS

/**
 * PosteTargetKind:
 * @POSTE_TARGET_KIND_MAILDIR: `maildir:PATH`, a Maildir folder
 * @POSTE_TARGET_KIND_MBOX: `mbox:PATH`, an mbox file (mboxrd)
 * @POSTE_TARGET_KIND_SMTP: `smtp://HOST[:PORT]`, a local MTA over SMTP (port 25 by default)
 * @POSTE_TARGET_KIND_LMTP: `lmtp://HOST:PORT`, an LMTP server over TCP (RFC 2033)
 * @POSTE_TARGET_KIND_LMTP_SOCKET: `lmtp:PATH`, an LMTP server on a UNIX socket
 * @POSTE_TARGET_KIND_MDA: `mda:PROGRAM ARGS...`, a program run without a shell for each
 *   message (%F the envelope sender, %T the recipient, each as one whole argument)
 *
 * The kinds of delivery target, in the order the editor offers them.
 */
typedef enum {
  POSTE_TARGET_KIND_MAILDIR,
  POSTE_TARGET_KIND_MBOX,
  POSTE_TARGET_KIND_SMTP,
  POSTE_TARGET_KIND_LMTP,
  POSTE_TARGET_KIND_LMTP_SOCKET,
  POSTE_TARGET_KIND_MDA,
} PosteTargetKind;

#define POSTE_TYPE_TARGET_KIND (poste_target_kind_get_type ())
GType        poste_target_kind_get_type    (void) G_GNUC_CONST;
const char  *poste_target_kind_get_scheme  (PosteTargetKind kind);
gboolean     poste_target_kind_relays      (PosteTargetKind kind);
gboolean     poste_target_kind_has_path    (PosteTargetKind kind);

typedef struct _PosteTarget PosteTarget;

#define POSTE_TYPE_TARGET (poste_target_get_type ())
GType            poste_target_get_type        (void) G_GNUC_CONST;
PosteTarget     *poste_target_parse           (const char         *spec,
                                               GError            **error);
PosteTarget     *poste_target_new             (PosteTargetKind     kind,
                                               const char         *location,
                                               GError            **error);
PosteTarget     *poste_target_copy            (const PosteTarget  *target);
void             poste_target_free            (PosteTarget        *target);
PosteTargetKind  poste_target_get_kind        (const PosteTarget  *target);
const char      *poste_target_get_spec        (const PosteTarget  *target);
const char      *poste_target_get_location    (const PosteTarget  *target);
char            *poste_target_dup_path        (const PosteTarget  *target,
                                               GError            **error);
char            *poste_target_dup_expanded    (const PosteTarget  *target,
                                               GError            **error);
PosteDelivery   *poste_target_create_delivery (const PosteTarget  *target,
                                               GError            **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PosteTarget, poste_target_free)

G_END_DECLS
