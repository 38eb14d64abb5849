/* poste-release-notes.h: a release's notes from the AppStream metainfo, for the About window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * POSTE_RELEASE_NOTES_RESOURCE:
 *
 * The metainfo's template inside the application's GResource: the notes are written once, in
 * data/, and software centres and the About window show the same text.
 */
#define POSTE_RELEASE_NOTES_RESOURCE "/io/github/posterestante/PosteRestante/metainfo.xml"

char *poste_release_notes_for_version (GBytes      *metainfo,
                                       const char  *version,
                                       GError     **error);
char *poste_release_notes_dup_current (void);

G_END_DECLS
