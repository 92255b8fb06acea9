/* arr_registry.h - internal: the registry of live handles (arr_registry.c).
 * Depends on arr.h only.
 *
 * arr__registry_lock guards arr_registry, the live set, every owner's view
 * list and the orphaned flag; functions named _locked expect it held. */
#ifndef ARR_REGISTRY_H
#define ARR_REGISTRY_H

#include "arr.h"

#include <pthread.h>
#include <stdbool.h>

extern pthread_mutex_t arr__registry_lock;

/* 1, or in a fork()ed child the first id the child gave out: the arrays
 * before it are the parent's (the native checker reports only the child's). */
extern uint64_t arr__first_own_id;

/* Is a a live handle?  Looks a up in a hash set; never reads *a.  O(1). */
bool arr__live_locked(const arr_t *a);
/* Adds a to the registry, gives it its id and counts it in the stats.
 * Fails (-1 + ARR_ENOMEM) only when the tables cannot grow. */
int arr__registry_add_locked(arr_t *a);
int arr__registry_add(arr_t *a); /* takes the lock */
/* Removes a (O(1): the last slot moves into a's) and counts it freed. */
void arr__registry_remove_locked(arr_t *a, bool vg); /* vg: arr__on_valgrind() */

/* Checks that a is a live handle; on failure sets ARR_ENOTLIVE/ARR_EINVAL
 * naming fn and returns -1. */
int arr__check_live(const arr_t *a, const char *fn);
/* Checks a live handle whose data may be read: not an orphan. */
int arr__check_readable(const arr_t *a, const char *fn);

#endif /* ARR_REGISTRY_H */
