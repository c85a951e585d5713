/* The thread-local error slot behind sac_last_error(), and the constant strings of the ABI.
 * This is plain C data: C11 thread-local storage is the simplest way to give every calling thread
 * its own message without locks or allocation. */
#include <string.h>

#include "csac_internal.h"

enum { ERROR_CAPACITY = 1024 };

static _Thread_local char last_error[ERROR_CAPACITY];

void libsac_set_last_error(const char *message) {
    size_t n = strlen(message);
    if (n >= ERROR_CAPACITY) n = ERROR_CAPACITY - 1;
    memcpy(last_error, message, n);
    last_error[n] = '\0';
}

const char *sac_last_error(void) { return last_error; }

const char *sac_version_string(void) { return SAC_VERSION_STRING; }

int sac_abi_version(void) { return SAC_ABI_VERSION; }

/* Each name is its enumerator spelled by the preprocessor: the header stays the one home of both. */
#define STATUS_NAME(status) case status: return #status;

const char *sac_status_string(int status) {
    switch (status) {
    STATUS_NAME(SAC_OK)
    STATUS_NAME(SAC_ERR_NULL_ARGUMENT)
    STATUS_NAME(SAC_ERR_INVALID_CONFIG)
    STATUS_NAME(SAC_ERR_LENGTH)
    STATUS_NAME(SAC_ERR_NON_FINITE)
    STATUS_NAME(SAC_ERR_NOT_READY)
    STATUS_NAME(SAC_ERR_STRUCT_SIZE)
    STATUS_NAME(SAC_ERR_OUT_OF_MEMORY)
    STATUS_NAME(SAC_ERR_INVALID_ARGUMENT)
    STATUS_NAME(SAC_ERR_POLICY_ONLY)
    STATUS_NAME(SAC_ERR_FORMAT)
    STATUS_NAME(SAC_ERR_IO)
    STATUS_NAME(SAC_ERR_BUFFER_TOO_SMALL)
    STATUS_NAME(SAC_ERR_WRONG_ALGORITHM)
    STATUS_NAME(SAC_ERR_DIVERGED)
    default: return "SAC_ERR_UNKNOWN";
    }
}
