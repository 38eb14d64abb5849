/* poste-address.h: envelope addresses that ask for relaying (RFC 5321 section 4.1.2, appendix C)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean poste_address_has_routing       (const char *address);
gboolean poste_address_is_source_routed  (const char *path);
char    *poste_address_parse_path        (const char  *p,
                                          const char **rest);

G_END_DECLS
