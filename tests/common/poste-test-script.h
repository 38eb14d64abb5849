/* poste-test-script.h: a provider on loopback that follows a script, for what no well-behaved
 * server library would send
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "poste.h"

G_BEGIN_DECLS

typedef struct {
  const char *const *steps;
  GSocketListener   *listener;
  guint16            port;
  GThread           *thread;
  GString           *heard;      /* everything the customer sent */
} PosteTestScript;

void  poste_test_script_start        (PosteTestScript   *s,
                                      const char *const *steps);
void  poste_test_script_set_provider (PosteTestScript   *s,
                                      PosteProvider     *provider,
                                      const char        *user);
void  poste_test_script_finish       (PosteTestScript   *s);
char *poste_test_script_reply_codes  (PosteTestScript   *s);
void  poste_test_script_clear        (PosteTestScript   *s);

G_END_DECLS
