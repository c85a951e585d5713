/* Internal helpers shared by the Swift export layer; not part of the public ABI.
 * Their names do not start with "sac_", so the linker version script keeps them hidden. */
#ifndef CSAC_INTERNAL_H
#define CSAC_INTERNAL_H

#include "sac.h"

/* Stores `message` (truncated to the slot size) as this thread's sac_last_error(). */
void libsac_set_last_error(const char *message);

#endif
