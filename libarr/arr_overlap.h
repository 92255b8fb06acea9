/* arr_overlap.h - internal: memory overlap (arr_overlap.c).  Depends on
 * arr.h. */
#ifndef ARR_OVERLAP_H
#define ARR_OVERLAP_H

#include "arr.h"

#include <stdint.h>

/* Raw form of arr_shares_memory, for tests and tools: do the byte sets of
 * two strided layouts intersect?  Each side is (data address, ndim, shape,
 * strides in bytes, itemsize); nothing is dereferenced.  max_work as for
 * arr_shares_memory.  Returns ARR_SHARES_NO / _YES / _TOO_HARD (with
 * ARR_ETOOHARD set), or -1 + ARR_EINVAL on malformed input.  *work_done (may
 * be NULL) receives the number of search nodes visited. */
int arr__solve_overlap(const void *data_a, int ndim_a, const int64_t *shape_a,
                       const int64_t *strides_a, int64_t itemsize_a, const void *data_b,
                       int ndim_b, const int64_t *shape_b, const int64_t *strides_b,
                       int64_t itemsize_b, int64_t max_work, int64_t *work_done);

#endif /* ARR_OVERLAP_H */
