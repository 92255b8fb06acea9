/* arr_layout.c - shapes and strides: checked sizes, axes, contiguity (NumPy's
 * relaxed-strides rules), byte extents and shape formatting. */
#include "arr_layout.h"
#include "arr_error.h"

#include <inttypes.h>
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
