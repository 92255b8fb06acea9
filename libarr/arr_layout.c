/* arr_layout.c - shapes and strides: checked sizes, axes, contiguity (NumPy's
 * relaxed-strides rules), byte extents and shape formatting. */
#include "arr_layout.h"
#include "arr_error.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>

/* ---- sizes and axes ----------------------------------------------------- */

int arr__normalize_axis(int axis, int ndim, const char *fn)
{
    if (axis < -ndim || axis >= ndim)
        return arr__fail(ARR_EINVAL, "%s: axis %d is out of bounds for array of dimension %d",
                         fn, axis, ndim);
    return axis < 0 ? axis + ndim : axis;
}

int64_t arr__nbytes_checked(int ndim, const int64_t *shape, int64_t itemsize, const char *fn)
{
    if (ndim < 0 || ndim > ARR_MAXDIMS)
        return arr__fail(ARR_EINVAL, "%s: ndim %d is outside 0..%d", fn, ndim, ARR_MAXDIMS);
    if (ndim > 0 && shape == NULL)
        return arr__fail(ARR_EINVAL, "%s: shape is NULL", fn);
    int64_t total = itemsize;
    bool empty = false;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] < 0)
            return arr__fail(ARR_EINVAL, "%s: negative dimension %" PRId64 " on axis %d", fn,
                             shape[i], i);
        if (shape[i] == 0)
            empty = true;
        /* Checked even past a zero so an absurd shape is reported, as NumPy does. */
        else if (__builtin_mul_overflow(total, shape[i], &total) || total > PTRDIFF_MAX / 2)
            return arr__fail(ARR_EOVERFLOW, "%s: array of %d dims is too big (size overflows)",
                             fn, ndim);
    }
    return empty ? 0 : total;
}

/* ---- contiguity (NumPy's rules, relaxed strides) ----------------------- */

int arr__contiguity(int ndim, const int64_t *shape, const int64_t *strides, int64_t itemsize)
{
    int flags = ARR_C_CONTIGUOUS | ARR_F_CONTIGUOUS;
    for (int i = 0; i < ndim; i++)
        if (shape[i] == 0)
            return flags; /* an empty array is both */
    int64_t expected = itemsize;
    for (int i = ndim - 1; i >= 0; i--) {
        if (shape[i] != 1) {
            if (strides[i] != expected)
                flags &= ~ARR_C_CONTIGUOUS;
            expected *= shape[i];
        }
    }
    expected = itemsize;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] != 1) {
            if (strides[i] != expected)
                flags &= ~ARR_F_CONTIGUOUS;
            expected *= shape[i];
        }
    }
    return flags;
}

void arr__update_contiguity(arr_t *a)
{
    a->flags &= ~(ARR_C_CONTIGUOUS | ARR_F_CONTIGUOUS);
    a->flags |= arr__contiguity(a->ndim, a->shape, a->strides, a->itemsize);
}

void arr__extent(const arr_t *a, int64_t *lo, int64_t *hi)
{
    int64_t low = 0, high = 0;
    for (int i = 0; i < a->ndim; i++) {
        if (a->shape[i] == 0) {
            *lo = *hi = 0;
            return;
        }
        int64_t span = arr__wrap_mul(a->shape[i] - 1, a->strides[i]);
        if (span < 0)
            low = arr__wrap_add(low, span);
        else
            high = arr__wrap_add(high, span);
    }
    *lo = low;
    *hi = arr__wrap_add(high, a->itemsize);
}

/* Checks a caller-given layout (arr_wrap): the byte extent its strides span,
 * sum over axes of |stride| * (shape - 1) plus the item, must fit in int64
 * and must not wrap the address space from data (NumPy refuses strides whose
 * extent does not fit).  An empty array (a zero dimension) spans nothing, so
 * any strides go.  0, or -1 with ARR_EOVERFLOW naming fn.  O(ndim). */
int arr__check_layout_extent(const void *data, int ndim, const int64_t *shape,
                             const int64_t *strides, int64_t itemsize, const char *fn)
{
    for (int i = 0; i < ndim; i++)
        if (shape[i] == 0)
            return 0;
    int64_t lo = 0, hi = itemsize;
    for (int i = 0; i < ndim; i++) {
        int64_t reach;
        if (__builtin_mul_overflow(shape[i] - 1, strides[i], &reach) ||
            (reach < 0 ? __builtin_add_overflow(lo, reach, &lo)
                       : __builtin_add_overflow(hi, reach, &hi)) ||
            __builtin_sub_overflow(hi, lo, &reach))
            return arr__fail(ARR_EOVERFLOW,
                             "%s: the strides span more than 2^63 bytes (stride %" PRId64
                             " on axis %d of length %" PRId64 ")",
                             fn, strides[i], i, shape[i]);
    }
    uintptr_t at = (uintptr_t)data;
    if ((lo < 0 && at < (uintptr_t)-(lo + 1) + 1) || (uintptr_t)hi > UINTPTR_MAX - at)
        return arr__fail(ARR_EOVERFLOW,
                         "%s: the array's bytes would wrap around the address space", fn);
    return 0;
}

/* ---- formatting ------------------------------------------------------- */

void arr__format_shape(char *buf, size_t cap, int ndim, const int64_t *shape, const char *sep)
{
    if (cap == 0)
        return;
    size_t n = (size_t)snprintf(buf, cap, "(");
    for (int i = 0; i < ndim && n < cap; i++)
        n += (size_t)snprintf(buf + n, cap - n, "%s%" PRId64, i ? sep : "", shape[i]);
    if (n < cap)
        snprintf(buf + n, cap - n, ndim == 1 ? ",)" : ")");
}
