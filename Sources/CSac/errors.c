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

const char *sac_status_string(int status) {
    switch (status) {
    case SAC_OK: return "SAC_OK";
    case SAC_ERR_NULL_ARGUMENT: return "SAC_ERR_NULL_ARGUMENT";
    case SAC_ERR_INVALID_CONFIG: return "SAC_ERR_INVALID_CONFIG";
    case SAC_ERR_LENGTH: return "SAC_ERR_LENGTH";
    case SAC_ERR_NON_FINITE: return "SAC_ERR_NON_FINITE";
    case SAC_ERR_NOT_READY: return "SAC_ERR_NOT_READY";
    case SAC_ERR_STRUCT_SIZE: return "SAC_ERR_STRUCT_SIZE";
    case SAC_ERR_OUT_OF_MEMORY: return "SAC_ERR_OUT_OF_MEMORY";
    case SAC_ERR_INVALID_ARGUMENT: return "SAC_ERR_INVALID_ARGUMENT";
    case SAC_ERR_POLICY_ONLY: return "SAC_ERR_POLICY_ONLY";
    case SAC_ERR_FORMAT: return "SAC_ERR_FORMAT";
    case SAC_ERR_IO: return "SAC_ERR_IO";
    case SAC_ERR_BUFFER_TOO_SMALL: return "SAC_ERR_BUFFER_TOO_SMALL";
    case SAC_ERR_WRONG_ALGORITHM: return "SAC_ERR_WRONG_ALGORITHM";
    case SAC_ERR_DIVERGED: return "SAC_ERR_DIVERGED";
    default: return "SAC_ERR_UNKNOWN";
    }
}
