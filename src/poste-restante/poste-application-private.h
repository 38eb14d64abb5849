/* poste-application-private.h: what the application's own files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <poste-config.h>
#include <poste-provider.h>

#include "poste-application.h"

G_BEGIN_DECLS

struct _PosteApplication
{
  AdwApplication  parent_instance;

  /* Bound in startup; NULL before it. */
  GSettings      *settings;

  /* The providers, loaded in startup; config_error says why the file could not be read. */
  PosteConfig    *config;
  GError         *config_error;

  guint           run_in_background : 1;
  /* TRUE while we hold the application because of run-in-background. */
  guint           held : 1;
};

void _poste_application_actions_init (PosteApplication *self);

G_END_DECLS
