/* poste.h: the whole of libposte
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "poste-types.h"
#include "poste-enums.h"
#include "poste-error.h"
#include "poste-connection.h"
#include "poste-reply.h"
#include "poste-atrn.h"
#include "poste-check.h"
#include "poste-data-decoder.h"
#include "poste-session.h"
#include "poste-delivery.h"
#include "poste-maildir-delivery.h"
#include "poste-mbox-delivery.h"
#include "poste-mda-delivery.h"
#include "poste-router.h"
#include "poste-sandbox.h"
#include "poste-smtp-delivery.h"
#include "poste-provider.h"
#include "poste-clock.h"
#include "poste-scheduler.h"
#include "poste-fetch.h"
#include "poste-target.h"
#include "poste-fingerprint.h"
