/* arr_owner.h - internal: making owners and views (arr_owner.c).
 * Depends on arr.h only. */
#ifndef ARR_OWNER_H
#define ARR_OWNER_H

#include "arr.h"

#include <stdint.h>

/* The public call's return address, recorded as where an array was made. */
#if defined(__GNUC__)
#define ARR__CALLER __builtin_return_address(0)
#else
#define ARR__CALLER NULL
#endif

/* A new owner with an uninitialised buffer laid out so that axes are
 * ordered by perm (perm[0] outermost ... perm[ndim-1] innermost, i.e. the
 * innermost has stride itemsize).  perm NULL: C order.  op/source record how
 * it was made; caller is the public call's return address. */
arr_t *arr__new_owner(int ndim, const int64_t *shape, arr_dtype_t dtype,
                      const int *perm, arr_op_t op, const arr_t *source,
                      const void *caller);
/* A new owner over a buffer that something other than malloc made (a mapped
 * file, ...): libarr calls release(buffer, bytes) when the owner's buffer
 * goes (at arr_free, or when the last orphan of a quarantined buffer goes).
 * strides NULL: C order.  On failure nothing is released: the caller still
 * owns buffer. */
arr_t *arr__new_owner_external(void *buffer, int64_t bytes, void *data, int ndim,
                               const int64_t *shape, const int64_t *strides, arr_dtype_t dtype,
                               int writeable, void (*release)(void *, int64_t), arr_op_t op,
                               const void *caller);
/* A new view over src's owner: data, shape and strides as given.  The view
 * inherits WRITEABLE from src unless readonly.  src may itself be a view. */
arr_t *arr__new_view(arr_t *src, int ndim, const int64_t *shape,
                     const int64_t *strides, char *data, arr_op_t op,
                     int readonly, const void *caller);

#endif /* ARR_OWNER_H */
