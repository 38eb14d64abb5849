/* poste-fingerprint.h: SHA-256 certificate fingerprints, as `pinned-sha256=` writes them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

char *poste_fingerprint_normalize       (const char      *text);
char *poste_fingerprint_for_certificate (GTlsCertificate *certificate);
char *poste_fingerprint_format          (const char      *fingerprint,
                                         guint            pairs_per_line);

G_END_DECLS
