/* arr_alloc.c - every allocation of libarr's own memory, with the failure
 * injection the out-of-memory tests use. */
#include "arr_alloc.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

long arr__alloc_fail_countdown;

static bool injected_failure(void)
{
    long n = __atomic_load_n(&arr__alloc_fail_countdown, __ATOMIC_RELAXED);
    if (n <= 0)
        return false;
    return __atomic_sub_fetch(&arr__alloc_fail_countdown, 1, __ATOMIC_RELAXED) == 0;
}

void *arr__malloc(size_t n)
{
    if (injected_failure())
        return NULL;
    return malloc(n ? n : 1);
}

void *arr__calloc(size_t n, size_t size)
{
    if (injected_failure())
        return NULL;
    return calloc(n ? n : 1, size ? size : 1);
}

void arr__free_mem(void *p) { free(p); }

void *arr__malloc_buffer(size_t n)
{
    if (injected_failure())
        return NULL;
#ifdef MADV_HUGEPAGE
    const size_t huge = (size_t)2 << 20;
    if (n >= 2 * huge) {
        void *buffer = NULL;
        if (posix_memalign(&buffer, huge, n) != 0)
            return NULL;
        /* Only a hint: the tail past the last boundary stays small pages
         * (the buffer is not padded, so leak reports show its true size). */
        (void)madvise(buffer, n & ~(huge - 1), MADV_HUGEPAGE);
        return buffer;
    }
#endif
    return malloc(n ? n : 1);
}
