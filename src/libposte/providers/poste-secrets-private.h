/* poste-secrets-private.h: what the password rooms share, private to libposte
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "poste-secrets.h"

G_BEGIN_DECLS

/* The provider's SASL identity as the keyring item's attribute holds it: "" when none. */
const char *_poste_secrets_username_of (PosteProvider *provider);

G_END_DECLS
