/* poste-atrn.h: the ATRN command's domain list (RFC 2645 section 5)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * POSTE_ATRN_MAX_COMMAND:
 *
 * The longest ATRN command line, in octets without CR LF (RFC 5321 section 4.5.3.1.4 allows 512
 * octets with CR LF).
 */
#define POSTE_ATRN_MAX_COMMAND 510

char     *poste_atrn_domain_to_ascii (const char          *domain,
                                      GError             **error);
gboolean  poste_atrn_domain_is_valid (const char          *ascii);
char     *poste_atrn_build_command   (const char * const  *domains,
                                      GStrv               *ascii_domains,
                                      GError             **error);

G_END_DECLS
