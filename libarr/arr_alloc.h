/* arr_alloc.h - internal: libarr's allocator with failure injection
 * (arr_alloc.c).  Depends on nothing. */
#ifndef ARR_ALLOC_H
#define ARR_ALLOC_H

#include <stddef.h>

/* Allocation goes through here so tests can inject failures (see
 * arr__alloc_fail_countdown).  Return NULL on failure, never abort. */
void *arr__malloc(size_t n);
void *arr__calloc(size_t n, size_t size);
void arr__free_mem(void *p);
/* Test hook: when > 0, the Nth following allocation fails (1 = next). */
extern long arr__alloc_fail_countdown;

#endif /* ARR_ALLOC_H */
