/* poste-enums.h: the names of libposte's enumerations, from their GEnum types
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

const char *poste_enum_get_nick   (GType        type,
                                   int          value);
gboolean    poste_enum_from_nick  (GType        type,
                                   const char  *nick,
                                   int         *value);
char       *poste_enum_list_nicks (GType        type);

G_END_DECLS
