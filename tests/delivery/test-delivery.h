/* test-delivery.h: what the files of the test-delivery program share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "test-delivery-common.h"

G_BEGIN_DECLS

/* A message as it comes off the wire (CR LF, a From_ line, dot lines, 8-bit and invalid UTF-8). */
extern const char wire_message[];

GBytes *read_file          (const char *path);
char   *helper_path        (void);

void    test_delivery_add_mda (void);

G_END_DECLS
