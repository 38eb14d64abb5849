/* poste-window-format.h: the words and times the main window and its rows show
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include <poste-session.h>

G_BEGIN_DECLS

char *poste_window_describe_report   (const PosteSessionReport *report);

char *_poste_window_format_when      (GDateTime                *time);
char *_poste_window_format_date_time (GDateTime                *time);
char *_poste_window_format_messages  (guint                     messages,
                                      guint64                   bytes);
char *_poste_window_format_returned  (guint                     returned);

G_END_DECLS
