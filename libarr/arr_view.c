/* arr_view.c - everything that makes a view: basic indexing (the slice
 * parser and arr_slicev), transpose and friends, broadcast_to, diagonal, and
 * reshape with NumPy's no-copy algorithm.  None of these copy data, except
 * arr_reshape when it must and is allowed to. */
#include "arr_copy.h"
#include "arr_error.h"
#include "arr_layout.h"
#include "arr_owner.h"
#include "arr_registry.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

arr_t *arr_view(arr_t *a)
{
    if (arr__check_readable(a, "arr_view") != 0)
        return NULL;
    return arr__new_view(a, a->ndim, a->shape, a->strides, a->data, ARR_OP_VIEW, 0, ARR__CALLER);
}

/* ---- basic indexing ---------------------------------------------------- */

/* CPython's slice semantics (PySlice_AdjustIndices): clamps start and stop
 * into the axis and returns the number of elements selected. */
static int64_t adjust_slice(int64_t length, int64_t *start, int64_t *stop, int64_t step)
{
    if (*start == ARR_NONE)
        *start = step < 0 ? INT64_MAX : 0;
    if (*stop == ARR_NONE)
        *stop = step < 0 ? INT64_MIN : INT64_MAX;
    if (*start < 0) {
        *start = *start < -length ? (step < 0 ? -1 : 0) : *start + length;
    } else if (*start >= length) {
        *start = step < 0 ? length - 1 : length;
    }
    if (*stop < 0) {
        *stop = *stop < -length ? (step < 0 ? -1 : 0) : *stop + length;
    } else if (*stop >= length) {
        *stop = step < 0 ? length - 1 : length;
    }
    if (step < 0)
        return *stop < *start ? (*start - *stop - 1) / (-step) + 1 : 0;
    return *start < *stop ? (*stop - *start - 1) / step + 1 : 0;
}

static arr_t *slicev_impl(arr_t *a, int nidx, const arr_index_t *idx, arr_op_t op,
                          const void *caller)
{
    static const char fn[] = "arr_slice";
    if (arr__check_readable(a, fn) != 0)
        return NULL;
    if (nidx < 0 || (nidx > 0 && idx == NULL))
        return arr__fail_p(ARR_EINVAL, "%s: bad index list (%d entries)", fn, nidx);
    int consumed = 0, ellipses = 0, newaxes = 0;
    for (int k = 0; k < nidx; k++) {
        switch (idx[k].kind) {
        case ARR_IDX_SLICE:
        case ARR_IDX_INT: consumed++; break;
        case ARR_IDX_NEWAXIS: newaxes++; break;
        case ARR_IDX_ELLIPSIS: ellipses++; break;
        default: return arr__fail_p(ARR_EINVAL, "%s: index %d has unknown kind %d", fn, k, (int)idx[k].kind);
        }
    }
    if (ellipses > 1)
        return arr__fail_p(ARR_EINDEX, "%s: an index can only have a single ellipsis ('...')", fn);
    if (consumed > a->ndim)
        return arr__fail_p(ARR_EINDEX,
                           "%s: too many indices for array: array is %d-dimensional, but %d were indexed",
                           fn, a->ndim, consumed);

    int64_t shape[ARR_MAXDIMS], strides[ARR_MAXDIMS];
    int out = 0, axis = 0;
    char *data = a->data;
    int implicit = a->ndim - consumed; /* full slices for the ellipsis or the tail */
    for (int k = 0; k <= nidx; k++) {
        const arr_index_t *ix = k < nidx ? &idx[k] : NULL;
        bool expand = ix ? ix->kind == ARR_IDX_ELLIPSIS : ellipses == 0;
        if (expand) {
            for (int j = 0; j < implicit; j++, axis++) {
                if (out >= ARR_MAXDIMS)
                    goto too_many;
                shape[out] = a->shape[axis];
                strides[out++] = a->strides[axis];
            }
            continue;
        }
        if (ix == NULL)
            break;
        if (ix->kind == ARR_IDX_NEWAXIS) {
            if (out >= ARR_MAXDIMS)
                goto too_many;
            shape[out] = 1;
            strides[out++] = 0;
        } else if (ix->kind == ARR_IDX_INT) {
            int64_t n = a->shape[axis], i = ix->start;
            if (i < -n || i >= n)
                return arr__fail_p(ARR_EINDEX, "%s: index %" PRId64 " is out of bounds for axis %d with size %" PRId64,
                                   fn, i, axis, n);
            if (i < 0)
                i += n;
            data += arr__wrap_mul(i, a->strides[axis]);
            axis++;
        } else {
            int64_t step = ix->step == ARR_NONE ? 1 : ix->step;
            if (step == 0)
                return arr__fail_p(ARR_EINDEX, "%s: slice step cannot be zero (axis %d)", fn, axis);
            int64_t start = ix->start, stop = ix->stop;
            int64_t n = adjust_slice(a->shape[axis], &start, &stop, step);
            if (n <= 0) { /* NumPy points an empty slice at the axis start */
                n = 0;
                step = 1;
                start = 0;
            }
            if (out >= ARR_MAXDIMS)
                goto too_many;
            data += arr__wrap_mul(start, a->strides[axis]);
            shape[out] = n;
            strides[out++] = arr__wrap_mul(a->strides[axis], step);
            axis++;
        }
    }
    return arr__new_view(a, out, shape, strides, data, op, 0, caller);
too_many:
    return arr__fail_p(ARR_EINDEX, "%s: the result would have more than %d dimensions", fn, ARR_MAXDIMS);
}

arr_t *arr_slicev(arr_t *a, int nidx, const arr_index_t *idx)
{
    return slicev_impl(a, nidx, idx, ARR_OP_SLICE, ARR__CALLER);
}

/* Parses an optionally signed decimal integer at *p; skips blanks around it. */
static int parse_int(const char **p, int64_t *out)
{
    const char *s = *p;
    while (*s == ' ' || *s == '\t')
        s++;
    const char *start = s;
    if (*s == '+' || *s == '-')
        s++;
    if (!isdigit((unsigned char)*s))
        return -1;
    while (isdigit((unsigned char)*s))
        s++;
    char num[32];
    size_t len = (size_t)(s - start);
    if (len >= sizeof num)
        return -2;
    memcpy(num, start, len);
    num[len] = '\0';
    errno = 0;
    long long v = strtoll(num, NULL, 10);
    if (errno == ERANGE || v == INT64_MIN)
        return -2;
    *out = v;
    while (*s == ' ' || *s == '\t')
        s++;
    *p = s;
    return 0;
}

static bool match_word(const char **p, const char *word)
{
    size_t n = strlen(word);
    if (strncmp(*p, word, n) != 0 || isalnum((unsigned char)(*p)[n]) || (*p)[n] == '_')
        return false;
    *p += n;
    return true;
}

/* Parses one comma-separated item of a slice spec starting at s; returns
 * the position after it or NULL with the error set. */
static const char *parse_item(const char *spec, const char *s, arr_index_t *ix)
{
    while (*s == ' ' || *s == '\t')
        s++;
    const char *item = s;
    if (strncmp(s, "...", 3) == 0) {
        ix->kind = ARR_IDX_ELLIPSIS;
        s += 3;
    } else if (match_word(&s, "None") || match_word(&s, "newaxis") || match_word(&s, "np.newaxis")) {
        ix->kind = ARR_IDX_NEWAXIS;
    } else {
        int64_t parts[3] = {ARR_NONE, ARR_NONE, ARR_NONE};
        int colons = 0;
        for (;;) {
            while (*s == ' ' || *s == '\t')
                s++;
            if (*s != ':' && *s != ',' && *s != '\0') {
                int rc = parse_int(&s, &parts[colons]);
                if (rc == -2)
                    return arr__fail_p(ARR_ESYNTAX, "arr_slice: integer out of range at column %d of \"%s\"",
                                       (int)(item - spec) + 1, spec);
                if (rc != 0)
                    return arr__fail_p(ARR_ESYNTAX,
                                       "arr_slice: expected an integer, ':', 'None' or '...' at column %d of \"%s\"",
                                       (int)(s - spec) + 1, spec);
            }
            if (*s != ':')
                break;
            if (++colons > 2)
                return arr__fail_p(ARR_ESYNTAX, "arr_slice: too many ':' in a slice at column %d of \"%s\"",
                                   (int)(s - spec) + 1, spec);
            s++;
        }
        if (colons == 0) {
            if (parts[0] == ARR_NONE)
                return arr__fail_p(ARR_ESYNTAX, "arr_slice: empty index at column %d of \"%s\"",
                                   (int)(item - spec) + 1, spec);
            ix->kind = ARR_IDX_INT;
            ix->start = parts[0];
        } else {
            ix->kind = ARR_IDX_SLICE;
            ix->start = parts[0];
            ix->stop = parts[1];
            ix->step = parts[2];
            if (colons == 2 && parts[2] == 0)
                return arr__fail_p(ARR_EINDEX, "arr_slice: slice step cannot be zero at column %d of \"%s\"",
                                   (int)(item - spec) + 1, spec);
        }
    }
    while (*s == ' ' || *s == '\t')
        s++;
    if (*s != ',' && *s != '\0')
        return arr__fail_p(ARR_ESYNTAX, "arr_slice: unexpected '%c' at column %d of \"%s\"", *s,
                           (int)(s - spec) + 1, spec);
    return s;
}

arr_t *arr_slice(arr_t *a, const char *spec)
{
    if (spec == NULL)
        return arr__fail_p(ARR_EINVAL, "arr_slice: spec is NULL");
    arr_index_t idx[2 * ARR_MAXDIMS + 2];
    int n = 0;
    const char *s = spec;
    while (*s == ' ' || *s == '\t')
        s++;
    if (*s != '\0') {
        for (;;) {
            if (n == (int)(sizeof idx / sizeof idx[0]))
                return arr__fail_p(ARR_EINDEX, "arr_slice: too many indices in \"%s\"", spec);
            idx[n] = (arr_index_t){ARR_IDX_SLICE, ARR_NONE, ARR_NONE, ARR_NONE};
            s = parse_item(spec, s, &idx[n]);
            if (s == NULL)
                return NULL;
            n++;
            if (*s == '\0')
                break;
            s++; /* the comma; a trailing one is allowed, as in Python */
            while (*s == ' ' || *s == '\t')
                s++;
            if (*s == '\0')
                break;
        }
    }
    return slicev_impl(a, n, idx, ARR_OP_SLICE, ARR__CALLER);
}

/* ---- axis permutations and friends -------------------------------------- */

/* axes NULL: reverse.  Otherwise naxes entries, which must be a->ndim
 * (NumPy: "axes don't match array"). */
static arr_t *transpose_impl(arr_t *a, int naxes, const int *axes, const void *caller,
                             const char *fn)
{
    if (arr__check_readable(a, fn) != 0)
        return NULL;
    if (axes != NULL && naxes != a->ndim)
        return arr__fail_p(ARR_EINVAL, "%s: axes don't match array (%d axes for %d dimensions)",
                           fn, naxes, a->ndim);
    int perm[ARR_MAXDIMS];
    bool seen[ARR_MAXDIMS] = {false};
    for (int i = 0; i < a->ndim; i++) {
        if (axes == NULL) {
            perm[i] = a->ndim - 1 - i;
            continue;
        }
        int ax = arr__normalize_axis(axes[i], a->ndim, fn);
        if (ax < 0)
            return NULL;
        if (seen[ax])
            return arr__fail_p(ARR_EINVAL, "%s: repeated axis %d in transpose", fn, axes[i]);
        seen[ax] = true;
        perm[i] = ax;
    }
    int64_t shape[ARR_MAXDIMS], strides[ARR_MAXDIMS];
    for (int i = 0; i < a->ndim; i++) {
        shape[i] = a->shape[perm[i]];
        strides[i] = a->strides[perm[i]];
    }
    return arr__new_view(a, a->ndim, shape, strides, a->data, ARR_OP_TRANSPOSE, 0, caller);
}

arr_t *arr_transpose(arr_t *a, const int *axes)
{
    return transpose_impl(a, a != NULL && arr_is_live(a) ? a->ndim : 0, axes, ARR__CALLER,
                          "arr_transpose");
}

arr_t *arr_transpose_n(arr_t *a, int naxes, const int *axes)
{
    if (axes == NULL && naxes != 0)
        return arr__fail_p(ARR_EINVAL, "arr_transpose_n: axes is NULL but naxes is %d", naxes);
    return transpose_impl(a, naxes, axes, ARR__CALLER, "arr_transpose_n");
}

arr_t *arr_swapaxes(arr_t *a, int axis1, int axis2)
{
    static const char fn[] = "arr_swapaxes";
    if (arr__check_readable(a, fn) != 0)
        return NULL;
    int i = arr__normalize_axis(axis1, a->ndim, fn);
    int j = i < 0 ? -1 : arr__normalize_axis(axis2, a->ndim, fn);
    if (j < 0)
        return NULL;
    int64_t shape[ARR_MAXDIMS], strides[ARR_MAXDIMS];
    memcpy(shape, a->shape, sizeof shape);
    memcpy(strides, a->strides, sizeof strides);
    shape[i] = a->shape[j];
    shape[j] = a->shape[i];
    strides[i] = a->strides[j];
    strides[j] = a->strides[i];
    return arr__new_view(a, a->ndim, shape, strides, a->data, ARR_OP_SWAPAXES, 0, ARR__CALLER);
}

arr_t *arr_squeeze(arr_t *a, int axis)
{
    static const char fn[] = "arr_squeeze";
    if (arr__check_readable(a, fn) != 0)
        return NULL;
    int only = -1;
    if (a->ndim == 0 && (axis == 0 || axis == -1))
        axis = ARR_ALL_AXES; /* NumPy accepts axis 0 (or -1) on a 0-d array */
    if (axis != ARR_ALL_AXES) {
        only = arr__normalize_axis(axis, a->ndim, fn);
        if (only < 0)
            return NULL;
        if (a->shape[only] != 1)
            return arr__fail_p(ARR_EINVAL,
                               "%s: cannot select an axis to squeeze out which has size not equal to one (axis %d has size %" PRId64 ")",
                               fn, only, a->shape[only]);
    }
    int64_t shape[ARR_MAXDIMS], strides[ARR_MAXDIMS];
    int n = 0;
    for (int i = 0; i < a->ndim; i++) {
        bool drop = only >= 0 ? i == only : a->shape[i] == 1;
        if (!drop) {
            shape[n] = a->shape[i];
            strides[n++] = a->strides[i];
        }
    }
    return arr__new_view(a, n, shape, strides, a->data, ARR_OP_SQUEEZE, 0, ARR__CALLER);
}

arr_t *arr_flip(arr_t *a, int axis)
{
    static const char fn[] = "arr_flip";
    if (arr__check_readable(a, fn) != 0)
        return NULL;
    int only = -1;
    if (axis != ARR_ALL_AXES && (only = arr__normalize_axis(axis, a->ndim, fn)) < 0)
        return NULL;
    /* Exactly a[..., ::-1, ...] so strides and offsets match NumPy's flip,
     * including the empty-axis case that leaves the axis untouched. */
    arr_index_t idx[ARR_MAXDIMS];
    for (int i = 0; i < a->ndim; i++) {
        bool flip = only < 0 || i == only;
        idx[i] = (arr_index_t){ARR_IDX_SLICE, ARR_NONE, ARR_NONE, flip ? -1 : ARR_NONE};
    }
    /* Made as a flip from the start: the tools are told its final op. */
    return slicev_impl(a, a->ndim, idx, ARR_OP_FLIP, ARR__CALLER);
}

arr_t *arr_broadcast_to(arr_t *a, int ndim, const int64_t *shape)
{
    static const char fn[] = "arr_broadcast_to";
    if (arr__check_readable(a, fn) != 0)
        return NULL;
    if (arr__nbytes_checked(ndim, shape, a->itemsize, fn) < 0)
        return NULL;
    if (ndim < a->ndim)
        return arr__fail_p(ARR_ESHAPE,
                           "%s: input operand has more dimensions than allowed by the axis remapping (%d > %d)",
                           fn, a->ndim, ndim);
    int64_t strides[ARR_MAXDIMS];
    int lead = ndim - a->ndim;
    for (int i = 0; i < ndim; i++) {
        if (i < lead) {
            strides[i] = 0;
            continue;
        }
        int64_t have = a->shape[i - lead];
        if (have != shape[i] && have != 1)
            return arr__fail_p(ARR_ESHAPE, "%s: cannot broadcast axis %d of size %" PRId64 " to size %" PRId64,
                               fn, i - lead, have, shape[i]);
        /* NumPy's nditer gives every length-1 axis a zero stride. */
        strides[i] = have == 1 ? 0 : a->strides[i - lead];
    }
    return arr__new_view(a, ndim, shape, strides, a->data, ARR_OP_BROADCAST_TO, 1, ARR__CALLER);
}

arr_t *arr_diagonal(arr_t *a, int64_t offset, int axis1, int axis2)
{
    static const char fn[] = "arr_diagonal";
    if (arr__check_readable(a, fn) != 0)
        return NULL;
    if (a->ndim < 2)
        return arr__fail_p(ARR_EINVAL, "%s: diag requires an array of at least two dimensions (got %d)", fn,
                           a->ndim);
    int i = arr__normalize_axis(axis1, a->ndim, fn);
    int j = i < 0 ? -1 : arr__normalize_axis(axis2, a->ndim, fn);
    if (j < 0)
        return NULL;
    if (i == j)
        return arr__fail_p(ARR_EINVAL, "%s: axis1 and axis2 cannot be the same (%d)", fn, i);
    int64_t dim1 = a->shape[i], dim2 = a->shape[j];
    char *data = a->data;
    if (offset >= 0) {
        if (offset > dim2)
            offset = dim2 + 1; /* keeps the arithmetic bounded; the result is empty */
        dim2 -= offset;
    } else {
        if (offset < -dim1)
            offset = -dim1 - 1;
        dim1 += offset;
    }
    int64_t n = dim1 < dim2 ? dim1 : dim2;
    if (n < 0)
        n = 0;
    else
        data += offset >= 0 ? arr__wrap_mul(offset, a->strides[j]) : arr__wrap_mul(-offset, a->strides[i]);
    int64_t shape[ARR_MAXDIMS], strides[ARR_MAXDIMS];
    int k = 0;
    for (int ax = 0; ax < a->ndim; ax++) {
        if (ax != i && ax != j) {
            shape[k] = a->shape[ax];
            strides[k++] = a->strides[ax];
        }
    }
    shape[k] = n;
    strides[k++] = arr__wrap_add(a->strides[i], a->strides[j]);
    return arr__new_view(a, k, shape, strides, data, ARR_OP_DIAGONAL, 1, ARR__CALLER);
}

/* ---- reshape ----------------------------------------------------------- */

/* NumPy's no-copy reshape (C order): walks groups of old and new axes whose
 * products match; each old group must be contiguous in itself.  Returns
 * false when strides cannot express the new shape. */
static bool nocopy_strides(const arr_t *a, int newnd, const int64_t *newdims, int64_t *newstrides)
{
    int64_t olddims[ARR_MAXDIMS], oldstrides[ARR_MAXDIMS];
    int oldnd = 0;
    for (int i = 0; i < a->ndim; i++) {
        if (a->shape[i] != 1) {
            olddims[oldnd] = a->shape[i];
            oldstrides[oldnd++] = a->strides[i];
        }
    }
    int oi = 0, oj = 1, ni = 0, nj = 1;
    while (ni < newnd && oi < oldnd) {
        int64_t np = newdims[ni], op = olddims[oi];
        while (np != op) {
            if (np < op) {
                if (nj >= newnd)
                    return false;
                np *= newdims[nj++];
            } else {
                if (oj >= oldnd)
                    return false;
                op *= olddims[oj++];
            }
        }
        for (int ok = oi; ok < oj - 1; ok++)
            if (oldstrides[ok] != olddims[ok + 1] * oldstrides[ok + 1])
                return false;
        newstrides[nj - 1] = oldstrides[oj - 1];
        for (int nk = nj - 1; nk > ni; nk--)
            newstrides[nk - 1] = newstrides[nk] * newdims[nk];
        ni = nj++;
        oi = oj++;
    }
    int64_t last = ni >= 1 ? newstrides[ni - 1] : a->itemsize;
    for (int nk = ni; nk < newnd; nk++)
        newstrides[nk] = last;
    return true;
}

/* arr_reshape with the op of a view result and the public caller given, so
 * every array is announced to the tools as what it finally is. */
static arr_t *reshape_impl(arr_t *a, int ndim, const int64_t *shape, arr_copy_mode_t mode,
                           arr_op_t view_op, const void *caller)
{
    static const char fn[] = "arr_reshape";
    if (arr__check_readable(a, fn) != 0)
        return NULL;
    if (ndim < 0 || ndim > ARR_MAXDIMS)
        return arr__fail_p(ARR_EINVAL, "%s: ndim %d is outside 0..%d", fn, ndim, ARR_MAXDIMS);
    if (ndim > 0 && shape == NULL)
        return arr__fail_p(ARR_EINVAL, "%s: shape is NULL", fn);
    if (mode != ARR_COPY_NEVER && mode != ARR_COPY_IF_NEEDED)
        return arr__fail_p(ARR_EINVAL, "%s: unknown copy mode %d", fn, (int)mode);
    int64_t dims[ARR_MAXDIMS], known = 1, size = 1;
    int unknown = -1;
    for (int i = 0; i < a->ndim; i++)
        size *= a->shape[i];
    char want[400];
    arr__format_shape(want, sizeof want, ndim, shape, ", ");
    for (int i = 0; i < ndim; i++) {
        dims[i] = shape[i];
        if (shape[i] < 0) { /* NumPy 1.24 takes any negative as "unknown" */
            if (unknown >= 0)
                return arr__fail_p(ARR_EINVAL, "%s: can only specify one unknown dimension", fn);
            unknown = i;
        } else if (__builtin_mul_overflow(known, shape[i], &known)) {
            return arr__fail_p(ARR_ESHAPE, "%s: cannot reshape array of size %" PRId64 " into shape %s", fn,
                               size, want);
        }
    }
    if (unknown >= 0) {
        if (known == 0 || size % known != 0)
            return arr__fail_p(ARR_ESHAPE, "%s: cannot reshape array of size %" PRId64 " into shape %s", fn,
                               size, want);
        dims[unknown] = size / known;
    } else if (known != size) {
        return arr__fail_p(ARR_ESHAPE, "%s: cannot reshape array of size %" PRId64 " into shape %s", fn, size,
                           want);
    }

    int64_t strides[ARR_MAXDIMS];
    /* NumPy's shortcut compares the shape as given (an unknown -1 never
     * matches), then returns a plain view with the same strides. */
    bool same = ndim == a->ndim && memcmp(shape, a->shape, (size_t)ndim * sizeof *shape) == 0;
    if (same) {
        memcpy(strides, a->strides, (size_t)ndim * sizeof *strides);
    } else if (a->flags & ARR_C_CONTIGUOUS) {
        /* NumPy fills C strides, treating a 0-length axis as length 1. */
        int64_t stride = a->itemsize;
        for (int i = ndim - 1; i >= 0; i--) {
            strides[i] = stride;
            if (dims[i] != 0)
                stride *= dims[i];
        }
    } else if (!nocopy_strides(a, ndim, dims, strides)) {
        if (mode == ARR_COPY_NEVER) {
            char have[400];
            arr__format_shape(have, sizeof have, a->ndim, a->shape, ", ");
            return arr__fail_p(ARR_ECOPY,
                               "%s: cannot reshape %s into %s without copying (the array is not contiguous "
                               "enough) and ARR_COPY_NEVER was given",
                               fn, have, want);
        }
        /* One owner with the new shape from the start (not a view of a
         * hidden temporary as in NumPy), so the tools are told its final
         * shape and strides.  Its C-order bytes are a's elements in C order:
         * the values are copied through a description of the new buffer in
         * a's shape (C strides), which is never registered. */
        arr_t *c = arr__new_owner(ndim, dims, (arr_dtype_t)a->dtype, NULL, ARR_OP_RESHAPE_COPY, a,
                                  caller);
        if (c == NULL)
            return NULL;
        arr_t as_a = {.ndim = a->ndim, .dtype = a->dtype, .itemsize = a->itemsize, .data = c->data};
        int64_t stride = a->itemsize;
        for (int i = a->ndim - 1; i >= 0; i--) {
            as_a.shape[i] = a->shape[i];
            as_a.strides[i] = stride;
            if (a->shape[i] != 0)
                stride *= a->shape[i];
        }
        arr__copy_values(&as_a, a);
        return c;
    }
    return arr__new_view(a, ndim, dims, strides, a->data, view_op, 0, caller);
}

arr_t *arr_reshape(arr_t *a, int ndim, const int64_t *shape, arr_copy_mode_t mode)
{
    return reshape_impl(a, ndim, shape, mode, ARR_OP_RESHAPE, ARR__CALLER);
}

arr_t *arr_expand_dims(arr_t *a, int axis)
{
    static const char fn[] = "arr_expand_dims";
    if (arr__check_readable(a, fn) != 0)
        return NULL;
    if (a->ndim >= ARR_MAXDIMS)
        return arr__fail_p(ARR_EINVAL, "%s: the array already has %d dimensions", fn, ARR_MAXDIMS);
    int ax = arr__normalize_axis(axis, a->ndim + 1, fn);
    if (ax < 0)
        return NULL;
    /* NumPy implements expand_dims as a reshape, so the new axis gets the
     * stride reshape gives it (never a copy: inserting a 1 always fits). */
    int64_t shape[ARR_MAXDIMS];
    for (int i = 0, k = 0; i <= a->ndim; i++)
        shape[i] = i == ax ? 1 : a->shape[k++];
    return reshape_impl(a, a->ndim + 1, shape, ARR_COPY_NEVER, ARR_OP_EXPAND_DIMS, ARR__CALLER);
}
