/* arr_math.c - element access, fill, sum/mean and array_equal.
 *
 * Sums follow NumPy 1.24's np.sum (np.add.reduce over all axes) exactly:
 *   - elements are visited in the reduction iterator's order: size-1 axes
 *     dropped, the others sorted by |stride| descending (ties: axis order),
 *     C order over that permutation; negative strides are NOT reversed;
 *   - that sequence is cut into chunks of 8192 elements (NumPy's ufunc buffer
 *     size) and each chunk summed with NumPy's pairwise_sum (8 partial sums
 *     up to 128 elements, halving at multiples of 8 above); the result is
 *     0 + chunk0 + chunk1 + ... in order;
 *   - float32 and complex64 arrays are summed in single precision, as NumPy
 *     does, and only the result is widened to double;
 *   - contiguous float64/float32 chunks keep the 8 partial sums in vector
 *     registers: the same additions in the same order, so the same bits.
 * With this, arr_sum is bit-identical to float(np.sum(a)) for float and
 * complex arrays of any layout (verified against NumPy for contiguous,
 * transposed, strided and reversed arrays; see tests/unit/test_math.c).
 * Integer arrays are summed exactly modulo 2^64 (int64 for signed, uint64
 * for unsigned dtypes, as NumPy's sum), then converted to double; bool counts
 * the true elements.
 *
 * arr_mean = sum / size.  For float64/complex128 that is NumPy's
 * np.add.reduce(a) / n bit for bit.  NumPy's mean of float32 divides in
 * float32 and its mean of integers sums in float64; ours divide the double
 * sum (the same values whenever the integer sum is below 2^53). */
#include "arr_alloc.h"
#include "arr_copy.h"
#include "arr_dtype.h"
#include "arr_error.h"
#include "arr_iter.h"
#include "arr_registry.h"

#include <math.h>
#include <string.h>

/* SSE2 is part of x86-64 itself; AVX is checked at run time. */
#if defined(__x86_64__) && defined(__SSE2__)
#include <immintrin.h>
#define ARR_SSE2 1
#endif

/* ---- element access --------------------------------------------------- */

/* A descriptor of n elements outside the registry, for the copy engine. */
static void scalar_desc(arr_t *t, arr_dtype_t dtype, void *data)
{
    memset(t, 0, sizeof *t);
    t->dtype = dtype;
    t->itemsize = arr_dtype_size(dtype);
    t->data = data;
}

static void *element_ptr(const arr_t *a, const int64_t *index, const char *fn)
{
    if (arr__check_readable(a, fn) < 0)
        return NULL;
    if (a->ndim > 0 && !index)
        return arr__fail_p(ARR_EINVAL, "%s: index is NULL for a %d-d array", fn, (int)a->ndim);
    char *p = a->data;
    for (int i = 0; i < a->ndim; i++) {
        int64_t k = index[i], n = a->shape[i];
        if (k < -n || k >= n)
            return arr__fail_p(ARR_EINDEX, "%s: index %lld is out of bounds for axis %d with size %lld",
                               fn, (long long)k, i, (long long)n);
        if (k < 0)
            k += n;
        p += k * a->strides[i];
    }
    return p;
}

void *arr_ptr(const arr_t *a, const int64_t *index)
{
    return element_ptr(a, index, "arr_ptr");
}

int arr_get_f64(const arr_t *a, const int64_t *index, double *out)
{
    if (!out)
        return arr__fail(ARR_EINVAL, "arr_get_f64: out is NULL");
    const void *p = element_ptr(a, index, "arr_get_f64");
    if (!p)
        return -1;
    *out = arr__load_f64(p, (arr_dtype_t)a->dtype);
    return 0;
}

static int check_writeable(const arr_t *a, const char *fn)
{
    if (arr__check_readable(a, fn) < 0)
        return -1;
    if (!(a->flags & ARR_WRITEABLE))
        return arr__fail(ARR_EREADONLY, "%s: array %llu is read-only", fn,
                         (unsigned long long)a->id);
    return 0;
}

int arr_set_f64(arr_t *a, const int64_t *index, double value)
{
    if (check_writeable(a, "arr_set_f64") < 0)
        return -1;
    void *p = element_ptr(a, index, "arr_set_f64");
    if (!p)
        return -1;
    arr__store_f64(p, (arr_dtype_t)a->dtype, value);
    return 0;
}

int arr_fill(arr_t *a, double value)
{
    if (check_writeable(a, "arr_fill") < 0)
        return -1;
    /* One converted element, broadcast over a with zero strides. */
    unsigned char element[16];
    arr__store_f64(element, (arr_dtype_t)a->dtype, value);
    arr_t src;
    scalar_desc(&src, (arr_dtype_t)a->dtype, element);
    src.ndim = a->ndim;
    memcpy(src.shape, a->shape, sizeof src.shape);
    arr__copy_values(a, &src);
    return 0;
}

/* ---- iteration in NumPy's reduction order ----------------------------- */

typedef struct walk {
    int ndim;
    int64_t size;
    int64_t shape[ARR_MAXDIMS];
    int64_t strides[ARR_MAXDIMS];
} walk_t;

static int64_t abs64(int64_t v) { return v < 0 ? -v : v; }

static void make_walk(walk_t *w, const arr_t *a)
{
    w->ndim = 0;
    w->size = 1;
    for (int i = 0; i < a->ndim; i++) {
        w->size *= a->shape[i];
        if (a->shape[i] == 1)
            continue;
        int j = w->ndim++;
        while (j > 0 && abs64(w->strides[j - 1]) < abs64(a->strides[i])) {
            w->shape[j] = w->shape[j - 1];
            w->strides[j] = w->strides[j - 1];
            j--;
        }
        w->shape[j] = a->shape[i];
        w->strides[j] = a->strides[i];
    }
    /* Merge axes that continue each other; the visiting order is unchanged. */
    int out = w->ndim - 1;
    for (int i = w->ndim - 2; i >= 0; i--) {
        if (w->strides[i] == w->strides[out] * w->shape[out]) {
            w->shape[out] *= w->shape[i];
        } else {
            out--;
            w->shape[out] = w->shape[i];
            w->strides[out] = w->strides[i];
        }
    }
    if (w->ndim > 0 && out > 0) {
        int kept = w->ndim - out;
        memmove(w->shape, w->shape + out, (size_t)kept * sizeof(int64_t));
        memmove(w->strides, w->strides + out, (size_t)kept * sizeof(int64_t));
        w->ndim = kept;
    }
    if (w->ndim == 0) { /* a single element (or 0-d): one row of 1 */
        w->ndim = 1;
        w->shape[0] = w->size;
        w->strides[0] = 0;
    }
}

/* Calls row(ctx, p, n, stride) for each innermost row, in order. */
typedef void (*row_fn)(void *ctx, const char *p, int64_t n, int64_t stride);

static void for_each_row(const walk_t *w, const char *data, row_fn row, void *ctx)
{
    if (w->size == 0)
        return;
    arr__iter_t it;
    if (!arr__iter_init(&it, w->ndim, w->shape, 1, (char *[]){(char *)data},
                        (const int64_t *[]){w->strides}))
        return;
    do
        row(ctx, it.ptr[0], it.n, it.inner[0]);
    while (arr__iter_next(&it));
}

/* ---- NumPy's pairwise summation ----------------------------------------- */

#define ARR_PW_BLOCK 128
#define ARR_SUM_CHUNK 8192 /* NumPy's default ufunc buffer size, elements */

/* pairwise_<T>(p, n, stride): n real elements stride bytes apart. */
#define ARR_PAIRWISE_REAL(NAME, T)                                                   \
    static inline T load_##NAME(const char *p)                                       \
    {                                                                                \
        T v;                                                                         \
        memcpy(&v, p, sizeof v);                                                     \
        return v;                                                                    \
    }                                                                                \
    static T pairwise_##NAME(const char *p, int64_t n, int64_t stride)               \
    {                                                                                \
        if (n < 8) {                                                                 \
            T res = 0;                                                               \
            for (int64_t i = 0; i < n; i++)                                          \
                res += load_##NAME(p + i * stride);                                  \
            return res;                                                              \
        }                                                                            \
        if (n <= ARR_PW_BLOCK) {                                                     \
            T r[8], res;                                                             \
            for (int j = 0; j < 8; j++)                                              \
                r[j] = load_##NAME(p + j * stride);                                  \
            int64_t i;                                                               \
            for (i = 8; i < n - (n % 8); i += 8)                                     \
                for (int j = 0; j < 8; j++)                                          \
                    r[j] += load_##NAME(p + (i + j) * stride);                       \
            res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7])); \
            for (; i < n; i++)                                                       \
                res += load_##NAME(p + i * stride);                                  \
            return res;                                                              \
        }                                                                            \
        int64_t n2 = n / 2;                                                          \
        n2 -= n2 % 8;                                                                \
        return pairwise_##NAME(p, n2, stride) + pairwise_##NAME(p + n2 * stride, n - n2, stride); \
    }
ARR_PAIRWISE_REAL(f64, double)
ARR_PAIRWISE_REAL(f32, float)

/* Contiguous float64 and float32: the same tree and the same 8 partial sums
 * r[0..7] as pairwise_<T>, held in vector registers (lane j of the
 * accumulators is r[j]).  Each r[j] receives the same additions in the same
 * order and they are combined in the same order, so the result is the same
 * bits; only the instruction count drops (gcc -O2 keeps the 8-way block of
 * the strided version scalar, which made the sum compute-bound).  Loads are
 * unaligned-safe: arr_wrap'd data need not be aligned.  AVX (two 4-lane
 * registers) is chosen at run time; SSE2 is part of x86-64. */
#ifdef ARR_SSE2
#define ARR_PD(p) ((const double *)(const void *)(p))
#define ARR_PS(p) ((const float *)(const void *)(p))

static double combine_f64(const double r[8], const char *p, int64_t i, int64_t n)
{
    double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; i++)
        res += load_f64(p + i * 8);
    return res;
}

static float combine_f32(const float r[8], const char *p, int64_t i, int64_t n)
{
    float res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; i++)
        res += load_f32(p + i * 4);
    return res;
}

/* 8 <= n <= ARR_PW_BLOCK elements, as pairwise_<T>'s block case. */
static double block_f64_sse2(const char *p, int64_t n)
{
    __m128d r01 = _mm_loadu_pd(ARR_PD(p)), r23 = _mm_loadu_pd(ARR_PD(p + 16));
    __m128d r45 = _mm_loadu_pd(ARR_PD(p + 32)), r67 = _mm_loadu_pd(ARR_PD(p + 48));
    int64_t i;
    for (i = 8; i < n - (n % 8); i += 8) {
        const char *q = p + i * 8;
        r01 = _mm_add_pd(r01, _mm_loadu_pd(ARR_PD(q)));
        r23 = _mm_add_pd(r23, _mm_loadu_pd(ARR_PD(q + 16)));
        r45 = _mm_add_pd(r45, _mm_loadu_pd(ARR_PD(q + 32)));
        r67 = _mm_add_pd(r67, _mm_loadu_pd(ARR_PD(q + 48)));
    }
    double r[8];
    _mm_storeu_pd(r, r01);
    _mm_storeu_pd(r + 2, r23);
    _mm_storeu_pd(r + 4, r45);
    _mm_storeu_pd(r + 6, r67);
    return combine_f64(r, p, i, n);
}

__attribute__((target("avx"))) static double block_f64_avx(const char *p, int64_t n)
{
    __m256d r0123 = _mm256_loadu_pd(ARR_PD(p)), r4567 = _mm256_loadu_pd(ARR_PD(p + 32));
    int64_t i;
    for (i = 8; i < n - (n % 8); i += 8) {
        const char *q = p + i * 8;
        r0123 = _mm256_add_pd(r0123, _mm256_loadu_pd(ARR_PD(q)));
        r4567 = _mm256_add_pd(r4567, _mm256_loadu_pd(ARR_PD(q + 32)));
    }
    double r[8];
    _mm256_storeu_pd(r, r0123);
    _mm256_storeu_pd(r + 4, r4567);
    return combine_f64(r, p, i, n);
}

static float block_f32_sse2(const char *p, int64_t n)
{
    __m128 r0123 = _mm_loadu_ps(ARR_PS(p)), r4567 = _mm_loadu_ps(ARR_PS(p + 16));
    int64_t i;
    for (i = 8; i < n - (n % 8); i += 8) {
        const char *q = p + i * 4;
        r0123 = _mm_add_ps(r0123, _mm_loadu_ps(ARR_PS(q)));
        r4567 = _mm_add_ps(r4567, _mm_loadu_ps(ARR_PS(q + 16)));
    }
    float r[8];
    _mm_storeu_ps(r, r0123);
    _mm_storeu_ps(r + 4, r4567);
    return combine_f32(r, p, i, n);
}

__attribute__((target("avx"))) static float block_f32_avx(const char *p, int64_t n)
{
    __m256 r = _mm256_loadu_ps(ARR_PS(p));
    int64_t i;
    for (i = 8; i < n - (n % 8); i += 8)
        r = _mm256_add_ps(r, _mm256_loadu_ps(ARR_PS(p + i * 4)));
    float lanes[8];
    _mm256_storeu_ps(lanes, r);
    return combine_f32(lanes, p, i, n);
}

static double pairwise_f64_contig(const char *p, int64_t n, int use_avx)
{
    if (n < 8)
        return pairwise_f64(p, n, 8);
    if (n <= ARR_PW_BLOCK)
        return use_avx ? block_f64_avx(p, n) : block_f64_sse2(p, n);
    int64_t n2 = n / 2;
    n2 -= n2 % 8;
    return pairwise_f64_contig(p, n2, use_avx) + pairwise_f64_contig(p + n2 * 8, n - n2, use_avx);
}

static float pairwise_f32_contig(const char *p, int64_t n, int use_avx)
{
    if (n < 8)
        return pairwise_f32(p, n, 4);
    if (n <= ARR_PW_BLOCK)
        return use_avx ? block_f32_avx(p, n) : block_f32_sse2(p, n);
    int64_t n2 = n / 2;
    n2 -= n2 % 8;
    return pairwise_f32_contig(p, n2, use_avx) + pairwise_f32_contig(p + n2 * 4, n - n2, use_avx);
}
#undef ARR_PD
#undef ARR_PS
#endif

/* Complex, as NumPy: n counts scalars (2 per element), partial sums
 * r[0..7] hold (re, im) of 4 consecutive elements. */
#define ARR_PAIRWISE_COMPLEX(NAME, T)                                                \
    static void cpairwise_##NAME(const char *p, int64_t n, int64_t stride, T *rr, T *ri) \
    {                                                                                \
        if (n < 8) {                                                                 \
            *rr = 0;                                                                 \
            *ri = 0;                                                                 \
            for (int64_t i = 0; i < n; i += 2) {                                     \
                *rr += load_##NAME(p + (i / 2) * stride);                            \
                *ri += load_##NAME(p + (i / 2) * stride + sizeof(T));                \
            }                                                                        \
            return;                                                                  \
        }                                                                            \
        if (n <= ARR_PW_BLOCK) {                                                     \
            T r[8];                                                                  \
            for (int j = 0; j < 8; j += 2) {                                         \
                r[j] = load_##NAME(p + (j / 2) * stride);                            \
                r[j + 1] = load_##NAME(p + (j / 2) * stride + sizeof(T));            \
            }                                                                        \
            int64_t i;                                                               \
            for (i = 8; i < n - (n % 8); i += 8)                                     \
                for (int j = 0; j < 8; j += 2) {                                     \
                    r[j] += load_##NAME(p + ((i + j) / 2) * stride);                 \
                    r[j + 1] += load_##NAME(p + ((i + j) / 2) * stride + sizeof(T)); \
                }                                                                    \
            *rr = (r[0] + r[2]) + (r[4] + r[6]);                                     \
            *ri = (r[1] + r[3]) + (r[5] + r[7]);                                     \
            for (; i < n; i += 2) {                                                  \
                *rr += load_##NAME(p + (i / 2) * stride);                            \
                *ri += load_##NAME(p + (i / 2) * stride + sizeof(T));                \
            }                                                                        \
            return;                                                                  \
        }                                                                            \
        T rr1, ri1, rr2, ri2;                                                        \
        int64_t n2 = n / 2;                                                          \
        n2 -= n2 % 8;                                                                \
        cpairwise_##NAME(p, n2, stride, &rr1, &ri1);                                  \
        cpairwise_##NAME(p + (n2 / 2) * stride, n - n2, stride, &rr2, &ri2);          \
        *rr = rr1 + rr2;                                                             \
        *ri = ri1 + ri2;                                                             \
    }
ARR_PAIRWISE_COMPLEX(f64, double)
ARR_PAIRWISE_COMPLEX(f32, float)

/* Sums one chunk (n elements, evenly strided) into the running total. */
static void add_chunk(arr_dtype_t dtype, const char *p, int64_t n, int64_t stride,
                      double *re64, double *im64, float *re32, float *im32)
{
    switch (dtype) {
    case ARR_FLOAT64:
#ifdef ARR_SSE2
        if (stride == 8) {
            *re64 += pairwise_f64_contig(p, n, arr__use_avx());
            break;
        }
#endif
        *re64 += pairwise_f64(p, n, stride);
        break;
    case ARR_FLOAT32:
#ifdef ARR_SSE2
        if (stride == 4) {
            *re32 += pairwise_f32_contig(p, n, arr__use_avx());
            break;
        }
#endif
        *re32 += pairwise_f32(p, n, stride);
        break;
    case ARR_COMPLEX128: {
        double rr, ri;
        cpairwise_f64(p, 2 * n, stride, &rr, &ri);
        *re64 += rr;
        *im64 += ri;
        break;
    }
    default: { /* ARR_COMPLEX64 */
        float rr, ri;
        cpairwise_f32(p, 2 * n, stride, &rr, &ri);
        *re32 += rr;
        *im32 += ri;
        break;
    }
    }
}

/* Gathers the element sequence into chunks of ARR_SUM_CHUNK. */
typedef struct float_sum {
    arr_dtype_t dtype;
    int64_t itemsize;
    char *buffer;
    int64_t used;
    double re64, im64;
    float re32, im32;
} float_sum_t;

static void flush_chunk(float_sum_t *s)
{
    add_chunk(s->dtype, s->buffer, s->used, s->itemsize, &s->re64, &s->im64, &s->re32, &s->im32);
    s->used = 0;
}

static void gather_row(void *ctx, const char *p, int64_t n, int64_t stride)
{
    float_sum_t *s = ctx;
    for (int64_t i = 0; i < n; i++, p += stride) {
        memcpy(s->buffer + s->used * s->itemsize, p, (size_t)s->itemsize);
        if (++s->used == ARR_SUM_CHUNK)
            flush_chunk(s);
    }
}

typedef struct int_sum {
    arr_dtype_t dtype;
    uint64_t total; /* modulo 2^64: no signed overflow */
} int_sum_t;

static void int_row(void *ctx, const char *p, int64_t n, int64_t stride)
{
    int_sum_t *s = ctx;
    uint64_t t = s->total;
#define ARR_INT_ROW(T)                                                               \
    for (int64_t i = 0; i < n; i++, p += stride) {                                   \
        T v;                                                                         \
        memcpy(&v, p, sizeof v);                                                     \
        t += (uint64_t)v;                                                            \
    }                                                                                \
    break;
    switch (s->dtype) {
    case ARR_BOOL:
        for (int64_t i = 0; i < n; i++, p += stride)
            t += *(const uint8_t *)p != 0;
        break;
    case ARR_INT8: ARR_INT_ROW(int8_t)
    case ARR_INT16: ARR_INT_ROW(int16_t)
    case ARR_INT32: ARR_INT_ROW(int32_t)
    case ARR_INT64: ARR_INT_ROW(int64_t)
    case ARR_UINT8: ARR_INT_ROW(uint8_t)
    case ARR_UINT16: ARR_INT_ROW(uint16_t)
    case ARR_UINT32: ARR_INT_ROW(uint32_t)
    default: ARR_INT_ROW(uint64_t)
    }
#undef ARR_INT_ROW
    s->total = t;
}

static int is_signed_int(arr_dtype_t d) { return d >= ARR_INT8 && d <= ARR_INT64; }
static int is_integer(arr_dtype_t d) { return d >= ARR_BOOL && d <= ARR_UINT64; }
static int is_complex(arr_dtype_t d) { return d == ARR_COMPLEX64 || d == ARR_COMPLEX128; }

static int sum_values(const arr_t *a, const char *fn, double *re, double *im, int64_t *size)
{
    if (arr__check_readable(a, fn) < 0)
        return -1;
    arr_dtype_t dtype = (arr_dtype_t)a->dtype;
    walk_t w;
    make_walk(&w, a);
    *size = w.size;
    *re = 0;
    *im = 0;
    if (is_integer(dtype)) {
        int_sum_t s = {dtype, 0};
        for_each_row(&w, a->data, int_row, &s);
        if (is_signed_int(dtype)) {
            int64_t v;
            memcpy(&v, &s.total, sizeof v); /* two's complement, as NumPy */
            *re = (double)v;
        } else {
            *re = (double)s.total;
        }
        return 0;
    }
    float_sum_t s = {dtype, a->itemsize, NULL, 0, 0, 0, 0, 0};
    if (w.ndim == 1) {
        /* Evenly strided already: sum the chunks in place. */
        for (int64_t i = 0; i < w.size; i += ARR_SUM_CHUNK) {
            int64_t n = w.size - i < ARR_SUM_CHUNK ? w.size - i : ARR_SUM_CHUNK;
            add_chunk(dtype, a->data + i * w.strides[0], n, w.strides[0], &s.re64, &s.im64,
                      &s.re32, &s.im32);
        }
    } else {
        s.buffer = arr__malloc((size_t)ARR_SUM_CHUNK * (size_t)a->itemsize);
        if (!s.buffer)
            return arr__fail(ARR_ENOMEM, "%s: cannot allocate a %d-element buffer", fn,
                             ARR_SUM_CHUNK);
        for_each_row(&w, a->data, gather_row, &s);
        if (s.used > 0)
            flush_chunk(&s);
        arr__free_mem(s.buffer);
    }
    if (dtype == ARR_FLOAT32 || dtype == ARR_COMPLEX64) {
        *re = s.re32;
        *im = s.im32;
    } else {
        *re = s.re64;
        *im = s.im64;
    }
    return 0;
}

int arr_sum(const arr_t *a, double *out)
{
    if (!out)
        return arr__fail(ARR_EINVAL, "arr_sum: out is NULL");
    double re, im;
    int64_t n;
    if (sum_values(a, "arr_sum", &re, &im, &n) < 0)
        return -1;
    *out = re;
    return 0;
}

int arr_sum_complex(const arr_t *a, double *re, double *im)
{
    if (!re || !im)
        return arr__fail(ARR_EINVAL, "arr_sum_complex: re/im is NULL");
    int64_t n;
    return sum_values(a, "arr_sum_complex", re, im, &n);
}

int arr_mean(const arr_t *a, double *out)
{
    if (!out)
        return arr__fail(ARR_EINVAL, "arr_mean: out is NULL");
    double re, im;
    int64_t n;
    if (sum_values(a, "arr_mean", &re, &im, &n) < 0)
        return -1;
    *out = n == 0 ? NAN : re / (double)n; /* NumPy: nan (with a warning) */
    return 0;
}

/* ---- array_equal ---------------------------------------------------------- */

typedef struct int_value {
    int is_signed;
    int64_t s;
    uint64_t u;
} int_value_t;

static int_value_t load_int(const char *p, arr_dtype_t dtype)
{
    int_value_t v = {0, 0, 0};
    if (is_signed_int(dtype)) {
        v.is_signed = 1;
        switch (dtype) {
        case ARR_INT8: { int8_t x; memcpy(&x, p, 1); v.s = x; break; }
        case ARR_INT16: { int16_t x; memcpy(&x, p, 2); v.s = x; break; }
        case ARR_INT32: { int32_t x; memcpy(&x, p, 4); v.s = x; break; }
        default: memcpy(&v.s, p, 8); break;
        }
        return v;
    }
    switch (dtype) {
    case ARR_BOOL: v.u = *(const uint8_t *)p != 0; break;
    case ARR_UINT8: { uint8_t x; memcpy(&x, p, 1); v.u = x; break; }
    case ARR_UINT16: { uint16_t x; memcpy(&x, p, 2); v.u = x; break; }
    case ARR_UINT32: { uint32_t x; memcpy(&x, p, 4); v.u = x; break; }
    default: memcpy(&v.u, p, 8); break;
    }
    return v;
}

static int ints_equal(int_value_t x, int_value_t y)
{
    if (x.is_signed && y.is_signed)
        return x.s == y.s;
    if (!x.is_signed && !y.is_signed)
        return x.u == y.u;
    if (x.is_signed)
        return x.s >= 0 && (uint64_t)x.s == y.u;
    return y.s >= 0 && (uint64_t)y.s == x.u;
}

static double load_imag(const char *p, arr_dtype_t dtype)
{
    if (dtype == ARR_COMPLEX64)
        return arr__load_f64(p + 4, ARR_FLOAT32);
    if (dtype == ARR_COMPLEX128)
        return arr__load_f64(p + 8, ARR_FLOAT64);
    return 0;
}

static int elements_equal(const char *p, arr_dtype_t dp, const char *q, arr_dtype_t dq)
{
    if (is_integer(dp) && is_integer(dq))
        return ints_equal(load_int(p, dp), load_int(q, dq));
    /* NaN != NaN falls out of IEEE comparison. */
    if (arr__load_f64(p, dp) != arr__load_f64(q, dq))
        return 0;
    if (is_complex(dp) || is_complex(dq))
        return load_imag(p, dp) == load_imag(q, dq);
    return 1;
}

int arr_equal(const arr_t *a, const arr_t *b)
{
    if (arr__check_readable(a, "arr_equal") < 0 || arr__check_readable(b, "arr_equal") < 0)
        return -1;
    if (a->ndim != b->ndim)
        return 0;
    int64_t size = 1;
    for (int i = 0; i < a->ndim; i++) {
        if (a->shape[i] != b->shape[i])
            return 0;
        size *= a->shape[i];
    }
    if (size == 0)
        return 1;
    arr_dtype_t da = (arr_dtype_t)a->dtype, db = (arr_dtype_t)b->dtype;
    arr__iter_t it;
    if (!arr__iter_init(&it, a->ndim, a->shape, 2, (char *[]){a->data, b->data},
                        (const int64_t *[]){a->strides, b->strides}))
        return 1;
    do
        for (int64_t i = 0; i < it.n; i++)
            if (!elements_equal(it.ptr[0] + i * it.inner[0], da, it.ptr[1] + i * it.inner[1], db))
                return 0;
    while (arr__iter_next(&it));
    return 1;
}
