/* arr_layout.h - internal: shapes and strides (arr_layout.c): sizes with
 * overflow checks, axes, NumPy's contiguity rules, byte extents, shape
 * formatting.  Pure functions of their arguments; depends on arr.h only. */
#ifndef ARR_LAYOUT_H
#define ARR_LAYOUT_H

#include "arr.h"

#include <stddef.h>
#include <stdint.h>

/* Stride arithmetic wraps like NumPy's npy_intp does on overflow (e.g. a
 * step of 2**63-1 that still selects one element) instead of being
 * undefined behaviour in C. */
static inline int64_t arr__wrap_mul(int64_t a, int64_t b)
{
    return (int64_t)((uint64_t)a * (uint64_t)b);
}
static inline int64_t arr__wrap_add(int64_t a, int64_t b)
{
    return (int64_t)((uint64_t)a + (uint64_t)b);
}

/* Overflow-checked size of ndim dims of itemsize bytes; -1 + ARR_EOVERFLOW /
 * ARR_EINVAL (negative dim) on failure.  fn names the caller in messages. */
int64_t arr__nbytes_checked(int ndim, const int64_t *shape, int64_t itemsize,
                            const char *fn);
/* Normalises a possibly negative axis against ndim; -1 + ARR_EINVAL. */
int arr__normalize_axis(int axis, int ndim, const char *fn);

/* Recomputes C/F contiguity into a->flags with NumPy's rules. */
void arr__update_contiguity(arr_t *a);
int arr__contiguity(int ndim, const int64_t *shape, const int64_t *strides,
                    int64_t itemsize);

/* Byte extent [lo, hi) of an array's elements relative to its data pointer;
 * lo == hi for an empty array. */
void arr__extent(const arr_t *a, int64_t *lo, int64_t *hi);

/* A caller-given layout (arr_wrap) whose byte extent overflows int64 or
 * wraps the address space from data: -1 + ARR_EOVERFLOW naming fn; else 0.
 * An empty array (a zero dimension) spans nothing. */
int arr__check_layout_extent(const void *data, int ndim, const int64_t *shape,
                             const int64_t *strides, int64_t itemsize, const char *fn);

/* Writes a shape as Python prints a tuple: "(3, 4)", "(5,)", "()".  sep is
 * ", " (NumPy's reshape messages) or "," (its broadcast messages).  Output
 * is truncated to cap bytes, always NUL-terminated when cap > 0. */
void arr__format_shape(char *buf, size_t cap, int ndim, const int64_t *shape, const char *sep);

#endif /* ARR_LAYOUT_H */
