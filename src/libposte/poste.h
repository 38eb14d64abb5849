/* poste.h: the whole of libposte
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "poste-types.h"
#include "poste-error.h"
#include "poste-connection.h"
#include "poste-reply.h"
#include "poste-delivery.h"
#include "poste-provider.h"
