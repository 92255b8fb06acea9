/* arr_error.h - internal: setting libarr's thread-local error (arr_error.c).
 * Depends on nothing but arr.h. */
#ifndef ARR_ERROR_H
#define ARR_ERROR_H

#include "arr.h"

#if defined(__GNUC__)
#define ARR__PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define ARR__PRINTF(f, a)
#endif

/* Error reporting: sets the thread-local error and returns -1 (or NULL via
 * the _p variant) so callers can write `return arr__fail(...)`. */
int arr__fail(arr_err_t code, const char *fmt, ...) ARR__PRINTF(2, 3);
void *arr__fail_p(arr_err_t code, const char *fmt, ...) ARR__PRINTF(2, 3);

#endif /* ARR_ERROR_H */
