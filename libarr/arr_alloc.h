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
/* An array's data buffer of n bytes (freed with free()).  From 4 MiB on it
 * starts on a 2 MiB boundary and is hinted for transparent huge pages, so a
 * buffer written front to back right away (a copy) takes 512 times fewer
 * page faults over its whole length, not only between the first and last
 * 2 MiB boundaries inside it.  O(1) plus the allocator. */
void *arr__malloc_buffer(size_t n);
/* Test hook: when > 0, the Nth following allocation fails (1 = next). */
extern long arr__alloc_fail_countdown;

#endif /* ARR_ALLOC_H */
