/* CHECK(call): the examples' error handling. A libsac call that fails prints the call, the status
 * name and sac_last_error(), then exits with status 2. */
#ifndef SAC_EXAMPLE_CHECK_H
#define SAC_EXAMPLE_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#include "sac.h"

#define CHECK(call)                                                                           \
    do {                                                                                      \
        int status_ = (call);                                                                 \
        if (status_ != SAC_OK) {                                                              \
            fprintf(stderr, "%s failed: %s (%s)\n", #call, sac_status_string(status_),        \
                    sac_last_error());                                                        \
            exit(2);                                                                          \
        }                                                                                     \
    } while (0)

#endif
