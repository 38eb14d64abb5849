/* test-hardening.h: what the parts of test-hardening share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define USER "customer"
#define PASSWORD "Hardened-pa55word"
#define TIMEOUT 20
#define MESSAGE "From: customer@example.org\r\nSubject: s\r\n\r\nHi\r\n"

void hardening_add_tls_tests (void);

G_END_DECLS
