/* arr_iter.h - internal: the one N-d iterator over 1 to 3 operands of the
 * same shape (header only, so every loop built on it inlines).
 *
 * It steps through all axes but the innermost in C order (axis 0 slowest)
 * and hands the caller one run at a time: it.n elements along the innermost
 * axis, starting at it.ptr[k] with stride it.inner[k] for operand k.  The
 * caller's inner loop stays a plain stride loop or a kernel call:
 *
 *     arr__iter_t it;
 *     if (arr__iter_init(&it, ndim, shape, 2, (char *[]){dst, src},
 *                        (const int64_t *[]){dst_strides, src_strides}))
 *         do
 *             kernel(it.ptr[0], it.inner[0], it.ptr[1], it.inner[1], it.n);
 *         while (arr__iter_next(&it));
 *
 * To handle the innermost two axes itself (a tiled copy), a caller passes
 * ndim - 1: the iterator's runs are then along axis ndim - 2.
 *
 * Cost: arr__iter_next is O(1) amortised per run (an outer axis of length m
 * carries once every m runs); nothing is allocated.  shape and strides are
 * borrowed: they must outlive the iteration.  A 0-d array is one run of one
 * element.  Operands are char * because some are written; a read-only
 * operand is only ever read through it. */
#ifndef ARR_ITER_H
#define ARR_ITER_H

#include "arr.h"

#include <stdbool.h>
#include <stdint.h>

#define ARR__ITER_MAXOPS 3

typedef struct arr__iter {
    int nops;                                 /* operands, 1..ARR__ITER_MAXOPS */
    int outer;                                /* axes stepped here: all but the innermost */
    int64_t n;                                /* run length (innermost axis) */
    int64_t inner[ARR__ITER_MAXOPS];          /* each operand's innermost stride, bytes */
    char *ptr[ARR__ITER_MAXOPS];              /* each operand's first element of the run */
    const int64_t *shape;                     /* borrowed */
    const int64_t *strides[ARR__ITER_MAXOPS]; /* borrowed, bytes */
    int64_t index[ARR_MAXDIMS];               /* position on the outer axes */
} arr__iter_t;

/* Starts at the first run.  Returns false when there is nothing to visit
 * (some axis has length 0); then it must not be used.  ndim 0..ARR_MAXDIMS,
 * nops 1..ARR__ITER_MAXOPS (the caller's contract, not checked). */
static inline bool arr__iter_init(arr__iter_t *it, int ndim, const int64_t *shape, int nops,
                                  char *const *data, const int64_t *const *strides)
{
    for (int i = 0; i < ndim; i++)
        if (shape[i] == 0)
            return false;
    it->nops = nops;
    it->outer = ndim > 0 ? ndim - 1 : 0;
    it->n = ndim > 0 ? shape[ndim - 1] : 1;
    it->shape = shape;
    for (int k = 0; k < nops; k++) {
        it->ptr[k] = data[k];
        it->strides[k] = strides[k];
        it->inner[k] = ndim > 0 ? strides[k][ndim - 1] : 0;
    }
    for (int i = 0; i < it->outer; i++)
        it->index[i] = 0;
    return true;
}

/* Moves to the next run; false after the last one. */
static inline bool arr__iter_next(arr__iter_t *it)
{
    for (int axis = it->outer - 1; axis >= 0; axis--) {
        if (++it->index[axis] < it->shape[axis]) {
            for (int k = 0; k < it->nops; k++)
                it->ptr[k] += it->strides[k][axis];
            return true;
        }
        it->index[axis] = 0;
        for (int k = 0; k < it->nops; k++)
            it->ptr[k] -= (it->shape[axis] - 1) * it->strides[k][axis];
    }
    return false;
}

#endif /* ARR_ITER_H */
