/* arr_copy.h - internal: the copy engine (arr_copy.c).  Depends on arr.h. */
#ifndef ARR_COPY_H
#define ARR_COPY_H

#include "arr.h"

/* Copy operations with the caller's address threaded through. */
arr_t *arr__copy(const arr_t *a, arr_order_t order, arr_op_t op, const void *caller);
arr_t *arr__astype(const arr_t *a, arr_dtype_t dtype, arr_op_t op, const void *caller);
/* Copies values from src into dst (same shape, any strides, any dtypes),
 * assuming no overlap.  Both must be valid. */
void arr__copy_values(arr_t *dst, const arr_t *src);

/* arr_copyto uses streaming stores when the destination spans at least this
 * many bytes; 0 (the default) means the last-level cache's size.  Tests set
 * it low to run the streaming kernels on small arrays. */
extern int64_t arr__copyto_stream_min_bytes;

#endif /* ARR_COPY_H */
