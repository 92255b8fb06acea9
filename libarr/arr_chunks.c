/* arr_chunks.c - block-by-block processing: an iterator of views over
 * blocks of an array, and sum/mean through those blocks.
 *
 * The chunked sum is bit-identical to arr_sum (and so to NumPy's
 * np.add.reduce, see arr_math.c) because it adds the same elements in the
 * same order and groups: NumPy's reduction order (axes of length > 1 by
 * |stride|, largest first), cut into runs of 8192 elements, each run summed
 * pairwise, the runs added one after the other.  Blocks are taken along the
 * outermost axes of that order, so walking the blocks one after the other
 * walks the same sequence; a run may straddle two blocks, which only costs a
 * copy of its elements into a small buffer.  Only the buffer (64 KiB at most)
 * is allocated, whatever the array's size. */
#include "arr_alloc.h"
#include "arr_error.h"
#include "arr_iter.h"
#include "arr_layout.h"
#include "arr_owner.h"
#include "arr_registry.h"

#include <math.h>
#include <string.h>

struct arr_chunks {
    arr_t *a;
    int naxes;
    int axes[ARR_MAXDIMS];
    int64_t len[ARR_MAXDIMS];     /* block length along axes[i] */
    int64_t nblocks[ARR_MAXDIMS]; /* blocks along axes[i] */
    int64_t at[ARR_MAXDIMS];      /* the next block's position along axes[i] */
    int64_t start[ARR_MAXDIMS];   /* per axis of a: the last block's first index */
    int64_t count, handed;
};

arr_chunks_t *arr_chunks(arr_t *a, int naxes, const int *axes, const int64_t *chunk_len)
{
    static const char fn[] = "arr_chunks";
    if (arr__check_readable(a, fn) != 0)
        return NULL;
    if (naxes < 0 || naxes > a->ndim)
        return arr__fail_p(ARR_EINVAL, "%s: %d axes for an array of dimension %d", fn, naxes,
                           a->ndim);
    if (naxes > 0 && (axes == NULL || chunk_len == NULL))
        return arr__fail_p(ARR_EINVAL, "%s: axes/chunk_len is NULL", fn);
    arr_chunks_t it;
    memset(&it, 0, sizeof it);
    it.a = a;
    it.naxes = naxes;
    it.count = 1;
    int used[ARR_MAXDIMS] = {0};
    for (int i = 0; i < naxes; i++) {
        int axis = arr__normalize_axis(axes[i], a->ndim, fn);
        if (axis < 0)
            return NULL;
        if (used[axis])
            return arr__fail_p(ARR_EINVAL, "%s: axis %d given twice", fn, axis);
        used[axis] = 1;
        if (chunk_len[i] < 1)
            return arr__fail_p(ARR_EINVAL, "%s: chunk length %lld for axis %d (must be >= 1)", fn,
                               (long long)chunk_len[i], axis);
        it.axes[i] = axis;
        it.len[i] = chunk_len[i];
        int64_t n = a->shape[axis];
        it.nblocks[i] = n / chunk_len[i] + (n % chunk_len[i] != 0);
        /* The product is at most the array's size, which is known to fit. */
        it.count *= it.nblocks[i];
    }
    arr_chunks_t *p = arr__malloc(sizeof *p);
    if (p == NULL)
        return arr__fail_p(ARR_ENOMEM, "%s: out of memory for an iterator", fn);
    *p = it;
    return p;
}

arr_t *arr_chunks_next(arr_chunks_t *it)
{
    static const char fn[] = "arr_chunks_next";
    const void *caller = ARR__CALLER;
    if (it == NULL)
        return arr__fail_p(ARR_EINVAL, "%s: iterator is NULL", fn);
    if (it->handed == it->count) {
        arr_clear_error(); /* the end, not a failure */
        return NULL;
    }
    arr_t *a = it->a;
    if (arr__check_readable(a, fn) != 0)
        return NULL;
    int64_t shape[ARR_MAXDIMS], start[ARR_MAXDIMS] = {0};
    memcpy(shape, a->shape, sizeof shape);
    char *data = a->data;
    for (int i = 0; i < it->naxes; i++) {
        int axis = it->axes[i];
        start[axis] = it->at[i] * it->len[i];
        int64_t left = a->shape[axis] - start[axis];
        shape[axis] = left < it->len[i] ? left : it->len[i];
        data += start[axis] * a->strides[axis];
    }
    arr_t *v = arr__new_view(a, a->ndim, shape, a->strides, data, ARR_OP_SLICE, 0, caller);
    if (v == NULL)
        return NULL;
    memcpy(it->start, start, sizeof start);
    it->handed++;
    for (int i = it->naxes - 1; i >= 0; i--) { /* last axis fastest */
        if (++it->at[i] < it->nblocks[i])
            break;
        it->at[i] = 0;
    }
    return v;
}

const int64_t *arr_chunks_start(const arr_chunks_t *it)
{
    if (it == NULL)
        return arr__fail_p(ARR_EINVAL, "arr_chunks_start: iterator is NULL");
    return it->handed > 0 ? it->start : NULL;
}

int64_t arr_chunks_count(const arr_chunks_t *it)
{
    if (it == NULL)
        return arr__fail(ARR_EINVAL, "arr_chunks_count: iterator is NULL");
    return it->count;
}

void arr_chunks_free(arr_chunks_t *it) { arr__free_mem(it); }

/* ---- NumPy's pairwise summation (see arr_math.c for the reference) ------ */

enum { RUN = 8192, PW_LEAF = 128 };

#define REAL_PAIRWISE(NAME, T)                                                       \
    static T get_##NAME(const char *p)                                               \
    {                                                                                \
        T v;                                                                         \
        memcpy(&v, p, sizeof v);                                                     \
        return v;                                                                    \
    }                                                                                \
    static T NAME(const char *p, int64_t n, int64_t s)                               \
    {                                                                                \
        if (n > PW_LEAF) {                                                           \
            int64_t half = n / 2 - (n / 2) % 8;                                      \
            return NAME(p, half, s) + NAME(p + half * s, n - half, s);               \
        }                                                                            \
        T total = 0;                                                                 \
        int64_t i = 0;                                                               \
        if (n >= 8) {                                                                \
            T acc[8];                                                                \
            for (int k = 0; k < 8; k++)                                              \
                acc[k] = get_##NAME(p + k * s);                                      \
            for (i = 8; i + 8 <= n; i += 8)                                          \
                for (int k = 0; k < 8; k++)                                          \
                    acc[k] += get_##NAME(p + (i + k) * s);                           \
            total = ((acc[0] + acc[1]) + (acc[2] + acc[3])) +                        \
                    ((acc[4] + acc[5]) + (acc[6] + acc[7]));                         \
        }                                                                            \
        for (; i < n; i++)                                                           \
            total += get_##NAME(p + i * s);                                          \
        return total;                                                                \
    }
REAL_PAIRWISE(pairwise_f64, double)
REAL_PAIRWISE(pairwise_f32, float)

/* Complex: NumPy counts scalars (two per element) and keeps four (re, im)
 * partial pairs. */
#define COMPLEX_PAIRWISE(NAME, T, GET)                                               \
    static void NAME(const char *p, int64_t n, int64_t s, T *re, T *im)              \
    {                                                                                \
        if (n > PW_LEAF) {                                                           \
            int64_t half = n / 2 - (n / 2) % 8;                                      \
            T re1, im1, re2, im2;                                                    \
            NAME(p, half, s, &re1, &im1);                                            \
            NAME(p + (half / 2) * s, n - half, s, &re2, &im2);                       \
            *re = re1 + re2;                                                         \
            *im = im1 + im2;                                                         \
            return;                                                                  \
        }                                                                            \
        T sr = 0, si = 0;                                                            \
        int64_t i = 0;                                                               \
        if (n >= 8) {                                                                \
            T acc[8];                                                                \
            for (int k = 0; k < 8; k++)                                              \
                acc[k] = GET(p + (k / 2) * s + (k % 2) * (int64_t)sizeof(T));        \
            for (i = 8; i + 8 <= n; i += 8)                                          \
                for (int k = 0; k < 8; k++)                                          \
                    acc[k] += GET(p + ((i + k) / 2) * s + (k % 2) * (int64_t)sizeof(T)); \
            sr = (acc[0] + acc[2]) + (acc[4] + acc[6]);                              \
            si = (acc[1] + acc[3]) + (acc[5] + acc[7]);                              \
        }                                                                            \
        for (; i < n; i += 2) {                                                      \
            sr += GET(p + (i / 2) * s);                                              \
            si += GET(p + (i / 2) * s + (int64_t)sizeof(T));                         \
        }                                                                            \
        *re = sr;                                                                    \
        *im = si;                                                                    \
    }
COMPLEX_PAIRWISE(cpairwise_f64, double, get_pairwise_f64)
COMPLEX_PAIRWISE(cpairwise_f32, float, get_pairwise_f32)

/* ---- the running sum ------------------------------------------------------ */

typedef struct stream {
    arr_dtype_t dtype;
    int itemsize;
    char *run;      /* a run being gathered across rows/blocks (floats only) */
    int64_t used;   /* elements in run */
    double re64, im64;
    float re32, im32;
    uint64_t isum;  /* integers: modulo 2^64, as NumPy's int64/uint64 sum */
} stream_t;

static int is_float_kind(arr_dtype_t d) { return d >= ARR_FLOAT32; }

/* Adds one run (n <= RUN elements s bytes apart) to the total. */
static void add_run(stream_t *st, const char *p, int64_t n, int64_t s)
{
    switch (st->dtype) {
    case ARR_FLOAT64: st->re64 += pairwise_f64(p, n, s); break;
    case ARR_FLOAT32: st->re32 += pairwise_f32(p, n, s); break;
    case ARR_COMPLEX128: {
        double re, im;
        cpairwise_f64(p, 2 * n, s, &re, &im);
        st->re64 += re;
        st->im64 += im;
        break;
    }
    default: {
        float re, im;
        cpairwise_f32(p, 2 * n, s, &re, &im);
        st->re32 += re;
        st->im32 += im;
        break;
    }
    }
}

static void add_ints(stream_t *st, const char *p, int64_t n, int64_t s)
{
    uint64_t t = st->isum;
    for (int64_t i = 0; i < n; i++, p += s) {
        switch (st->dtype) {
        case ARR_BOOL: t += *(const unsigned char *)p != 0; break;
        case ARR_INT8: t += (uint64_t)(int64_t)*(const int8_t *)p; break;
        case ARR_UINT8: t += *(const uint8_t *)p; break;
        default: {
            /* Sign-extend through int64_t for the signed dtypes. */
            union { int16_t i16; int32_t i32; int64_t i64; uint16_t u16; uint32_t u32; uint64_t u64; } v;
            memcpy(&v, p, (size_t)st->itemsize);
            switch (st->dtype) {
            case ARR_INT16: t += (uint64_t)(int64_t)v.i16; break;
            case ARR_INT32: t += (uint64_t)(int64_t)v.i32; break;
            case ARR_INT64: t += (uint64_t)v.i64; break;
            case ARR_UINT16: t += v.u16; break;
            case ARR_UINT32: t += v.u32; break;
            default: t += v.u64; break;
            }
        }
        }
    }
    st->isum = t;
}

/* Feeds one evenly strided row of the global sequence. */
static void feed_row(stream_t *st, const char *p, int64_t n, int64_t s)
{
    if (!is_float_kind(st->dtype)) {
        add_ints(st, p, n, s);
        return;
    }
    while (n > 0) {
        if (st->used == 0 && n >= RUN) { /* a whole run in place */
            add_run(st, p, RUN, s);
            p += RUN * s;
            n -= RUN;
            continue;
        }
        int64_t take = RUN - st->used < n ? RUN - st->used : n;
        for (int64_t i = 0; i < take; i++, p += s)
            memcpy(st->run + (st->used + i) * st->itemsize, p, (size_t)st->itemsize);
        st->used += take;
        n -= take;
        if (st->used == RUN) {
            add_run(st, st->run, RUN, st->itemsize);
            st->used = 0;
        }
    }
}

/* Feeds a block's elements in the order given by perm (outermost first),
 * merging axes that continue each other into longer rows. */
static void feed_block(stream_t *st, const arr_t *b, int nperm, const int *perm)
{
    int64_t shape[ARR_MAXDIMS], strides[ARR_MAXDIMS];
    int nd = 0;
    for (int k = 0; k < nperm; k++) {
        int64_t n = b->shape[perm[k]], s = b->strides[perm[k]];
        if (n == 0)
            return;
        if (n == 1)
            continue;
        if (nd > 0 && strides[nd - 1] == s * n) { /* the outer axis steps over this one */
            shape[nd - 1] *= n;
            strides[nd - 1] = s;
            continue;
        }
        shape[nd] = n;
        strides[nd] = s;
        nd++;
    }
    if (nd == 0) { /* one element */
        feed_row(st, b->data, 1, 0);
        return;
    }
    arr__iter_t it;
    if (!arr__iter_init(&it, nd, shape, 1, (char *[]){b->data}, (const int64_t *[]){strides}))
        return;
    do
        feed_row(st, it.ptr[0], it.n, it.inner[0]);
    while (arr__iter_next(&it));
}

static int64_t abs64(int64_t v) { return v < 0 ? -v : v; }

static int chunked_sum(const arr_t *a, int64_t chunk_bytes, const char *fn, double *re,
                       int64_t *count)
{
    if (arr__check_readable(a, fn) != 0)
        return -1;
    if (chunk_bytes < 0)
        return arr__fail(ARR_EINVAL, "%s: chunk_bytes %lld is negative", fn, (long long)chunk_bytes);
    if (chunk_bytes == 0)
        chunk_bytes = 8 << 20;
    /* NumPy's reduction order: axes of length > 1, |stride| descending, ties
     * in axis order (a stable insertion sort). */
    int perm[ARR_MAXDIMS], np = 0;
    int64_t size = 1;
    for (int i = 0; i < a->ndim; i++) {
        size *= a->shape[i];
        if (a->shape[i] == 1)
            continue;
        int j = np++;
        while (j > 0 && abs64(a->strides[perm[j - 1]]) < abs64(a->strides[i])) {
            perm[j] = perm[j - 1];
            j--;
        }
        perm[j] = i;
    }
    *count = size;
    *re = 0;
    if (size == 0)
        return 0;
    /* Blocks: length 1 along the outer axes until one index of an axis holds
     * at most chunk_bytes, then as many indices of it as fit. */
    int axes[ARR_MAXDIMS], naxes = 0;
    int64_t lens[ARR_MAXDIMS];
    for (int k = 0; k < np; k++) {
        int64_t inner = a->itemsize;
        for (int m = k + 1; m < np; m++)
            inner *= a->shape[perm[m]];
        axes[naxes] = perm[k];
        if (inner <= chunk_bytes || k == np - 1) {
            int64_t fit = chunk_bytes / inner;
            lens[naxes++] = fit < 1 ? 1 : fit;
            break;
        }
        lens[naxes++] = 1;
    }
    stream_t st;
    memset(&st, 0, sizeof st);
    st.dtype = (arr_dtype_t)a->dtype;
    st.itemsize = a->itemsize;
    if (is_float_kind(st.dtype)) {
        st.run = arr__malloc((size_t)RUN * (size_t)a->itemsize);
        if (st.run == NULL)
            return arr__fail(ARR_ENOMEM, "%s: out of memory for a %d-element run", fn, RUN);
    }
    int rc = 0;
    arr_chunks_t *it = arr_chunks((arr_t *)a, naxes, axes, lens);
    if (it == NULL)
        rc = -1;
    while (rc == 0) {
        arr_t *block = arr_chunks_next(it);
        if (block == NULL) {
            rc = arr_errcode() == ARR_OK ? 0 : -1;
            break;
        }
        feed_block(&st, block, np, perm);
        if (arr_drop_pages(block) < 0)
            rc = -1;
        arr_free(block);
        if (rc == 0 && it->handed == it->count)
            break;
    }
    arr_chunks_free(it);
    if (rc == 0 && st.used > 0)
        add_run(&st, st.run, st.used, st.itemsize);
    arr__free_mem(st.run);
    if (rc != 0)
        return -1;
    switch (st.dtype) {
    case ARR_FLOAT32: case ARR_COMPLEX64: *re = st.re32; break;
    case ARR_FLOAT64: case ARR_COMPLEX128: *re = st.re64; break;
    case ARR_INT8: case ARR_INT16: case ARR_INT32: case ARR_INT64: {
        int64_t v;
        memcpy(&v, &st.isum, sizeof v); /* two's complement, as NumPy */
        *re = (double)v;
        break;
    }
    default: *re = (double)st.isum; break;
    }
    return 0;
}

int arr_chunked_sum(const arr_t *a, int64_t chunk_bytes, double *out)
{
    if (out == NULL)
        return arr__fail(ARR_EINVAL, "arr_chunked_sum: out is NULL");
    int64_t n;
    return chunked_sum(a, chunk_bytes, "arr_chunked_sum", out, &n);
}

int arr_chunked_mean(const arr_t *a, int64_t chunk_bytes, double *out)
{
    if (out == NULL)
        return arr__fail(ARR_EINVAL, "arr_chunked_mean: out is NULL");
    double s;
    int64_t n;
    if (chunked_sum(a, chunk_bytes, "arr_chunked_mean", &s, &n) != 0)
        return -1;
    *out = n == 0 ? NAN : s / (double)n; /* as arr_mean and NumPy */
    return 0;
}
