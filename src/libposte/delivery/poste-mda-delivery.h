/* poste-mda-delivery.h: delivery through a mail delivery agent program
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "poste-delivery.h"

G_BEGIN_DECLS

/**
 * POSTE_MDA_DELIVERY_TIMEOUT:
 *
 * How long, in seconds, an MDA may run by default before it is killed and the message is
 * answered with 451.
 */
#define POSTE_MDA_DELIVERY_TIMEOUT 300

#define POSTE_TYPE_MDA_DELIVERY (poste_mda_delivery_get_type ())
G_DECLARE_FINAL_TYPE (PosteMdaDelivery, poste_mda_delivery, POSTE, MDA_DELIVERY, GObject)

PosteDelivery       *poste_mda_delivery_new         (const char * const *argv,
                                                     GError            **error);
const char * const  *poste_mda_delivery_get_argv    (PosteMdaDelivery   *self);
guint                poste_mda_delivery_get_timeout (PosteMdaDelivery   *self);
void                 poste_mda_delivery_set_timeout (PosteMdaDelivery   *self,
                                                     guint               seconds);
PosteReply          *poste_mda_reply_for_exit       (int                 exit_status,
                                                     const char         *output);

G_END_DECLS
