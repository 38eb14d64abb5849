/* poste-app-types.h: forward declarations of every type of the GTK application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The core's own forward declarations are in libposte's poste-types.h; this file is named
 * differently so that the two can never shadow one another on the include path.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _PosteApplication        PosteApplication;
typedef struct _PosteDbusmenuExporter   PosteDbusmenuExporter;
typedef struct _PosteHistoryRow         PosteHistoryRow;
typedef struct _PosteNotifier           PosteNotifier;
typedef struct _PosteOutboxRow          PosteOutboxRow;
typedef struct _PosteOutboxView         PosteOutboxView;
typedef struct _PostePreferencesWindow  PostePreferencesWindow;
typedef struct _PosteProviderDialog     PosteProviderDialog;
typedef struct _PosteProviderRow        PosteProviderRow;
typedef struct _PosteRouteRow           PosteRouteRow;
typedef struct _PosteScheduleGroup      PosteScheduleGroup;
typedef struct _PosteSessionRow         PosteSessionRow;
typedef struct _PosteStatusItem         PosteStatusItem;
typedef struct _PosteTray               PosteTray;
typedef struct _PosteTrustDialog        PosteTrustDialog;
typedef struct _PosteWindow             PosteWindow;

G_END_DECLS
