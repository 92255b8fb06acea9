/* arr_alloc.c - every allocation of libarr's own memory, with the failure
 * injection the out-of-memory tests use. */
#include "arr_alloc.h"

#include <stdbool.h>
#include <stdlib.h>

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
