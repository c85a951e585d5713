#ifndef LIBSAC_ALLOC_COUNTER_H
#define LIBSAC_ALLOC_COUNTER_H

/* Counts heap allocations made by the whole process (Swift runtime included) between start and
 * stop, by defining malloc and its relatives in the executable that links this target; they
 * forward to glibc's implementations. Only sac-bench links it, for its --count-allocations mode. */
/* 0 in a build with the address sanitizer, whose allocator cannot be interposed. */
int libsac_alloc_counter_available(void);
void libsac_alloc_counter_start(void);
/* Stops counting and returns the number of allocation calls since start. */
long libsac_alloc_counter_stop(void);

#endif
