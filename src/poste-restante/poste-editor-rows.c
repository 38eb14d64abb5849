/* poste-editor-rows.c: reading and showing the provider editor's text and target rows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The editor's own delivery target and each of its routes are a kind list (Maildir folder, Mbox
 * file, local mail server, delivery program) and a location field. Both read and show a target
 * through the functions here, so that the two never disagree on what a field means.
 */
#include "config.h"

#include <glib/gi18n.h>

#include <poste-target.h>

#include "poste-editor-rows.h"

/**
 * _poste_entry_row_get_text:
 * @row: an entry row
 *
 * Returns: (transfer none): its text, as typed
 */
const char *
_poste_entry_row_get_text (AdwEntryRow *row)
{
  return gtk_editable_get_text (GTK_EDITABLE (row));
}

/**
 * _poste_entry_row_dup_stripped:
 * @row: an entry row
 *
 * Returns: (transfer full): its text without white space at either end
 */
char *
_poste_entry_row_dup_stripped (AdwEntryRow *row)
{
  return g_strstrip (g_strdup (_poste_entry_row_get_text (row)));
}

/**
 * _poste_target_rows_get_kind:
 * @kind_row: a list of the four kinds, in #DeliveryKind's order
 *
 * Returns: the kind chosen
 */
DeliveryKind
_poste_target_rows_get_kind (AdwComboRow *kind_row)
{
  guint position = adw_combo_row_get_selected (kind_row);

  return position <= DELIVERY_MDA ? (DeliveryKind)position : DELIVERY_MAILDIR;
}

/* The editor's field kinds and the core's target kinds: one "Server" field takes every target
 * that hands mail to a mail server (smtp://, lmtp://, lmtp:/socket). */
static PosteTargetKind
target_kind_for (DeliveryKind kind)
{
  switch (kind)
    {
    case DELIVERY_MBOX:
      return POSTE_TARGET_KIND_MBOX;
    case DELIVERY_SERVER:
      return POSTE_TARGET_KIND_SMTP;
    case DELIVERY_MDA:
      return POSTE_TARGET_KIND_MDA;
    case DELIVERY_MAILDIR:
    default:
      return POSTE_TARGET_KIND_MAILDIR;
    }
}

static DeliveryKind
delivery_kind_for (PosteTargetKind kind)
{
  switch (kind)
    {
    case POSTE_TARGET_KIND_MBOX:
      return DELIVERY_MBOX;
    case POSTE_TARGET_KIND_SMTP:
    case POSTE_TARGET_KIND_LMTP:
    case POSTE_TARGET_KIND_LMTP_SOCKET:
      return DELIVERY_SERVER;
    case POSTE_TARGET_KIND_MDA:
      return DELIVERY_MDA;
    case POSTE_TARGET_KIND_MAILDIR:
    default:
      return DELIVERY_MAILDIR;
    }
}

/**
 * _poste_target_rows_dup_target:
 * @kind_row: a list of the four kinds, in #DeliveryKind's order
 * @location_row: the location field beside it
 *
 * The target a kind list and a location field describe, as text; one that does not parse is
 * returned as typed (with its scheme), so that the configuration's check names what is wrong
 * with it.
 *
 * Returns: (transfer full): a target spec ("maildir:~/Maildir")
 */
char *
_poste_target_rows_dup_target (AdwComboRow *kind_row,
                               AdwEntryRow *location_row)
{
  g_autofree char *location = _poste_entry_row_dup_stripped (location_row);
  DeliveryKind kind = _poste_target_rows_get_kind (kind_row);
  g_autoptr(PosteTarget) target = NULL;

  /* The server field also takes a whole smtp://, lmtp:// or lmtp: target. */
  if (kind == DELIVERY_SERVER && (target = poste_target_parse (location, NULL)) != NULL &&
      delivery_kind_for (poste_target_get_kind (target)) == DELIVERY_SERVER)
    return g_strdup (poste_target_get_spec (target));
  g_clear_pointer (&target, poste_target_free);
  if ((target = poste_target_new (target_kind_for (kind), location, NULL)) != NULL)
    return g_strdup (poste_target_get_spec (target));
  return g_strconcat (poste_target_kind_get_scheme (target_kind_for (kind)), location, NULL);
}

/**
 * _poste_target_rows_show:
 * @kind_row: a list of the four kinds, in #DeliveryKind's order
 * @location_row: the location field beside it
 * @spec: a target spec, as the configuration has it
 *
 * Shows @spec in the two rows: a server target whole (its scheme says SMTP or LMTP), the others
 * by their location. A spec that does not parse is shown as it is, as a Maildir folder.
 */
void
_poste_target_rows_show (AdwComboRow *kind_row,
                         AdwEntryRow *location_row,
                         const char  *spec)
{
  g_autoptr(PosteTarget) target = poste_target_parse (spec, NULL);
  DeliveryKind kind = target != NULL ? delivery_kind_for (poste_target_get_kind (target))
                                     : DELIVERY_MAILDIR;
  const char *location = spec;

  /* A server target is shown whole (its scheme says SMTP or LMTP); the others by location. */
  if (target != NULL)
    location = kind == DELIVERY_SERVER ? poste_target_get_spec (target)
                                       : poste_target_get_location (target);

  adw_combo_row_set_selected (kind_row, kind);
  gtk_editable_set_text (GTK_EDITABLE (location_row), location);
}

/* What the location field of each kind is called. */
static const char * const location_titles[] = {
  N_("Folder"),
  N_("File"),
  N_("Server (smtp://host:port, lmtp://host:port or lmtp:/socket)"),
  N_("Command (%F is the sender, %T the recipient)"),
};

/**
 * _poste_target_rows_get_location_title:
 * @kind: a #DeliveryKind
 *
 * Returns: (transfer none): what the location field of @kind is called, translated
 */
const char *
_poste_target_rows_get_location_title (DeliveryKind kind)
{
  return _(location_titles[MIN ((guint)kind, G_N_ELEMENTS (location_titles) - 1)]);
}
