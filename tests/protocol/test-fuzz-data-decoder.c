/* test-fuzz-data-decoder.c: replays the DATA decoder's fuzz target in the unit suite
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define POSTE_FUZZ_REPLAY 1
#include "fuzz-data-decoder.c"
