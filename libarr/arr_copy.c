/* arr_copy.c - copies: arr_copy, arr_ascontiguous / arr_asfortran,
 * arr_astype, arr_copyto, and the strided copy/cast engine under all of them
 * (arr__copy_values).
 *
 * The engine works on a "plan": the axes of dst and src with size-1 axes
 * dropped, negative destination strides flipped, axes sorted by destination
 * stride (outermost first) and neighbouring axes merged when they are
 * contiguous with each other in both arrays.  A C-contiguous copy is then one
 * axis and one memcpy.  The innermost axis runs through a 1-D kernel chosen by
 * (src dtype, dst dtype); a transpose-like pair of inner axes runs through
 * cache-sized tiles.  The hot cases of `make bench` (contiguous float64 ->
 * float32, 8-byte gathers from every other slot, 4- and 8-byte rows read
 * backwards as in a[:, ::-1]) have SSE2/AVX kernels that give the same bits
 * as the scalar ones.  A contiguous run is one memcpy.
 *
 * Conversions (casting='unsafe'), as NumPy for in-range values:
 *   - integer -> integer: two's complement wrap-around (modulo 2^bits);
 *   - float -> integer: truncation toward zero; NaN, +-inf and values whose
 *     truncation does not fit the target give the target's minimum (0 for
 *     unsigned targets).  NumPy's results there are whatever the CPU gives
 *     (undefined behaviour in C); ours are defined.
 *   - integer -> float, float64 -> float32: C conversion (IEEE rounding;
 *     float64 values beyond float32's range become +-inf);
 *   - complex -> real: the imaginary part is dropped;
 *   - anything -> bool: x != 0 (complex: either part != 0; NaN is true).
 */
#include "arr_copy.h"
#include "arr_alloc.h"
#include "arr_dtype.h"
#include "arr_error.h"
#include "arr_iter.h"
#include "arr_layout.h"
#include "arr_owner.h"
#include "arr_registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* SSE2 is part of x86-64 itself: the hand-vectorised kernels need no CPU
 * check.  Elsewhere the portable loops run. */
#if defined(__x86_64__) && defined(__SSE2__)
#include <immintrin.h>
#define ARR_SSE2 1
#endif


/* ---- element types and conversions ----------------------------------- */

typedef struct { float re, im; } arr_c64_t;
typedef struct { double re, im; } arr_c128_t;

/* Each destination type has one converter per source category:
 * _s (signed integer, widened to int64), _u (bool/unsigned, widened to
 * uint64), _f (float, widened to double: exact), _c (complex, both parts as
 * double: exact). */
#define ARR_INT_CONVERTERS(NAME, T, TMIN, LO, HI)                                    \
    static inline T NAME##_from_s(int64_t v) { return (T)v; }                        \
    static inline T NAME##_from_u(uint64_t v) { return (T)v; }                       \
    /* (LO, HI) is the open interval of doubles whose truncation fits T */           \
    static inline T NAME##_from_f(double v) { return (v > (LO) && v < (HI)) ? (T)v : (TMIN); } \
    static inline T NAME##_from_c(double re, double im)                              \
    {                                                                                \
        (void)im;                                                                    \
        return NAME##_from_f(re);                                                    \
    }

ARR_INT_CONVERTERS(int8, int8_t, INT8_MIN, -129.0, 128.0)
ARR_INT_CONVERTERS(int16, int16_t, INT16_MIN, -32769.0, 32768.0)
ARR_INT_CONVERTERS(int32, int32_t, INT32_MIN, -2147483649.0, 2147483648.0)
/* -9223372036854777856 is the double just below -2^63. */
ARR_INT_CONVERTERS(int64, int64_t, INT64_MIN, -9223372036854777856.0, 9223372036854775808.0)
ARR_INT_CONVERTERS(uint8, uint8_t, 0, -1.0, 256.0)
ARR_INT_CONVERTERS(uint16, uint16_t, 0, -1.0, 65536.0)
ARR_INT_CONVERTERS(uint32, uint32_t, 0, -1.0, 4294967296.0)
ARR_INT_CONVERTERS(uint64, uint64_t, 0, -1.0, 18446744073709551616.0)

static inline uint8_t bool8_from_s(int64_t v) { return v != 0; }
static inline uint8_t bool8_from_u(uint64_t v) { return v != 0; }
static inline uint8_t bool8_from_f(double v) { return v != 0; }
static inline uint8_t bool8_from_c(double re, double im) { return re != 0 || im != 0; }

#define ARR_FLOAT_CONVERTERS(NAME, T)                                                \
    static inline T NAME##_from_s(int64_t v) { return (T)v; }                        \
    static inline T NAME##_from_u(uint64_t v) { return (T)v; }                       \
    static inline T NAME##_from_f(double v) { return (T)v; }                         \
    static inline T NAME##_from_c(double re, double im)                              \
    {                                                                                \
        (void)im;                                                                    \
        return (T)re;                                                                \
    }
ARR_FLOAT_CONVERTERS(float32, float)
ARR_FLOAT_CONVERTERS(float64, double)

#define ARR_COMPLEX_CONVERTERS(NAME, T, PART)                                        \
    static inline T NAME##_from_s(int64_t v) { return (T){(PART)v, 0}; }             \
    static inline T NAME##_from_u(uint64_t v) { return (T){(PART)v, 0}; }            \
    static inline T NAME##_from_f(double v) { return (T){(PART)v, 0}; }              \
    static inline T NAME##_from_c(double re, double im) { return (T){(PART)re, (PART)im}; }
ARR_COMPLEX_CONVERTERS(complex64, arr_c64_t, float)
ARR_COMPLEX_CONVERTERS(complex128, arr_c128_t, double)

/* How a loaded source value x is widened into its category's arguments. */
#define ARR_WIDEN_b(x) (uint64_t)((x) != 0)
#define ARR_WIDEN_s(x) (int64_t)(x)
#define ARR_WIDEN_u(x) (uint64_t)(x)
#define ARR_WIDEN_f(x) (double)(x)
#define ARR_WIDEN_c(x) (double)(x).re, (double)(x).im

/* name, enum, C type, widening, category.  Two copies of the list because a
 * macro cannot expand itself (dst list outside, src list inside). */
#define ARR_DTYPES_OUTER(M, ...)                                                     \
    M(bool8, ARR_BOOL, uint8_t, b, u, __VA_ARGS__)                                    \
    M(int8, ARR_INT8, int8_t, s, s, __VA_ARGS__)                                     \
    M(int16, ARR_INT16, int16_t, s, s, __VA_ARGS__)                                  \
    M(int32, ARR_INT32, int32_t, s, s, __VA_ARGS__)                                  \
    M(int64, ARR_INT64, int64_t, s, s, __VA_ARGS__)                                  \
    M(uint8, ARR_UINT8, uint8_t, u, u, __VA_ARGS__)                                  \
    M(uint16, ARR_UINT16, uint16_t, u, u, __VA_ARGS__)                               \
    M(uint32, ARR_UINT32, uint32_t, u, u, __VA_ARGS__)                               \
    M(uint64, ARR_UINT64, uint64_t, u, u, __VA_ARGS__)                               \
    M(float32, ARR_FLOAT32, float, f, f, __VA_ARGS__)                                \
    M(float64, ARR_FLOAT64, double, f, f, __VA_ARGS__)                               \
    M(complex64, ARR_COMPLEX64, arr_c64_t, c, c, __VA_ARGS__)                        \
    M(complex128, ARR_COMPLEX128, arr_c128_t, c, c, __VA_ARGS__)
#define ARR_DTYPES_INNER(M, ...)                                                     \
    M(bool8, ARR_BOOL, uint8_t, b, u, __VA_ARGS__)                                    \
    M(int8, ARR_INT8, int8_t, s, s, __VA_ARGS__)                                     \
    M(int16, ARR_INT16, int16_t, s, s, __VA_ARGS__)                                  \
    M(int32, ARR_INT32, int32_t, s, s, __VA_ARGS__)                                  \
    M(int64, ARR_INT64, int64_t, s, s, __VA_ARGS__)                                  \
    M(uint8, ARR_UINT8, uint8_t, u, u, __VA_ARGS__)                                  \
    M(uint16, ARR_UINT16, uint16_t, u, u, __VA_ARGS__)                               \
    M(uint32, ARR_UINT32, uint32_t, u, u, __VA_ARGS__)                               \
    M(uint64, ARR_UINT64, uint64_t, u, u, __VA_ARGS__)                               \
    M(float32, ARR_FLOAT32, float, f, f, __VA_ARGS__)                                \
    M(float64, ARR_FLOAT64, double, f, f, __VA_ARGS__)                               \
    M(complex64, ARR_COMPLEX64, arr_c64_t, c, c, __VA_ARGS__)                        \
    M(complex128, ARR_COMPLEX128, arr_c128_t, c, c, __VA_ARGS__)

/* A 1-D kernel: n elements, byte strides (any sign, zero allowed). */
typedef void (*arr_kernel_fn)(char *dst, int64_t dst_stride, const char *src,
                              int64_t src_stride, int64_t n);

/* cast_<src>_to_<dst>: loads through memcpy (data may be unaligned when it
 * came from arr_wrap); the compiler turns those into plain moves. */
#define ARR_CAST_KERNEL(SNAME, SENUM, STYPE, SWIDEN, SCAT, DNAME, DTYPE)             \
    static void cast_##SNAME##_to_##DNAME(char *dst, int64_t dst_stride,             \
                                          const char *src, int64_t src_stride,       \
                                          int64_t n)                                 \
    {                                                                                \
        for (int64_t i = 0; i < n; i++, dst += dst_stride, src += src_stride) {      \
            STYPE x;                                                                 \
            memcpy(&x, src, sizeof x);                                               \
            DTYPE y = DNAME##_from_##SCAT(ARR_WIDEN_##SWIDEN(x));                    \
            memcpy(dst, &y, sizeof y);                                               \
        }                                                                            \
    }
#define ARR_CAST_KERNELS_TO(DNAME, DENUM, DTYPE, DWIDEN, DCAT, unused)               \
    ARR_DTYPES_INNER(ARR_CAST_KERNEL, DNAME, DTYPE)
ARR_DTYPES_OUTER(ARR_CAST_KERNELS_TO, unused)

#define ARR_CAST_ENTRY(SNAME, SENUM, STYPE, SWIDEN, SCAT, DNAME, DENUM)              \
    [SENUM][DENUM] = cast_##SNAME##_to_##DNAME,
#define ARR_CAST_ENTRIES_TO(DNAME, DENUM, DTYPE, DWIDEN, DCAT, unused)               \
    ARR_DTYPES_INNER(ARR_CAST_ENTRY, DNAME, DENUM)
static const arr_kernel_fn cast_kernels[ARR_NDTYPES][ARR_NDTYPES] = {
    ARR_DTYPES_OUTER(ARR_CAST_ENTRIES_TO, unused)
};

/* A contiguous run of bytes: one memcpy, so a contiguous copy is never
 * slower than memcpy of the same bytes on any machine.  (An earlier version
 * cut it into 256 KB memcpy calls to stay below glibc's switch to
 * non-temporal stores; that won on one host and lost by 1.5x on another:
 * the switch point is the C library's per-machine choice, so it is left to
 * it.)  O(n). */
static void copy_bytes(char *dst, const char *src, size_t nbytes) { memcpy(dst, src, nbytes); }

/* ---- streaming stores into big existing destinations -------------------
 *
 * arr_copyto writes into an array that already exists.  When it writes more
 * bytes than the last-level cache holds, the destination's lines are not in
 * the cache, and an ordinary store first reads each line from memory (read
 * for ownership) only to overwrite all of it.  Non-temporal stores write
 * whole lines without that read: half the memory traffic, on any x86-64.
 * Copies into a new array (arr_copy, arr_astype, ...) keep ordinary stores:
 * the kernel zeroes each fresh page at its first touch, so its lines are in
 * the cache when the copy writes them, and there streaming stores lose
 * (measured: 128 MB fresh copy 14.3 ms with memcpy, 19.2 ms streaming). */

int64_t arr__copyto_stream_min_bytes;

/* The largest cache's size in bytes (the kernel's view in sysfs, else the C
 * library's), once per process; 8 MB when neither knows. */
static int64_t last_level_cache_bytes(void)
{
    static int64_t cached; /* 0: not known yet; racing threads compute the same value */
    int64_t known = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (known > 0)
        return known;
    int64_t best = 0;
    int best_level = 0;
    for (int i = 0; i < 16; i++) {
        char path[96], text[32];
        int level = 0;
        long long size = 0;
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/level", i);
        FILE *f = fopen(path, "re");
        if (f == NULL)
            break;
        int ok = fscanf(f, "%d", &level) == 1;
        fclose(f);
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/size", i);
        f = fopen(path, "re");
        if (f == NULL)
            break;
        ok = ok && fgets(text, sizeof text, f) != NULL;
        fclose(f);
        char unit = 0;
        if (!ok || sscanf(text, "%lld%c", &size, &unit) < 1)
            continue;
        long long scale = unit == 'K' ? 1LL << 10 : unit == 'M' ? 1LL << 20 : unit == 'G' ? 1LL << 30 : 1;
        if (size <= 0 || size > (1LL << 40) / scale) /* nonsense, or would overflow */
            continue;
        size *= scale;
        if (level > best_level || (level == best_level && size > best)) {
            best_level = level;
            best = size;
        }
    }
#ifdef _SC_LEVEL3_CACHE_SIZE
    if (best <= 0)
        best = sysconf(_SC_LEVEL3_CACHE_SIZE);
    if (best <= 0)
        best = sysconf(_SC_LEVEL2_CACHE_SIZE);
#endif
    if (best <= 0)
        best = 8 << 20;
    __atomic_store_n(&cached, best, __ATOMIC_RELAXED);
    return best;
}

/* memcpy with non-temporal stores for the 64-byte lines wholly inside dst;
 * the caller issues one store fence when its whole copy is done (see
 * stream_fence).  O(n). */
static void stream_bytes(char *dst, const char *src, size_t n)
{
#ifdef ARR_SSE2
    size_t head = (size_t)(-(uintptr_t)dst & 63);
    if (n >= head + 64) {
        memcpy(dst, src, head);
        dst += head;
        src += head;
        n -= head;
        for (; n >= 64; n -= 64, dst += 64, src += 64) {
            __m128i a = _mm_loadu_si128((const __m128i *)(const void *)src);
            __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(src + 16));
            __m128i c = _mm_loadu_si128((const __m128i *)(const void *)(src + 32));
            __m128i d = _mm_loadu_si128((const __m128i *)(const void *)(src + 48));
            _mm_stream_si128((__m128i *)(void *)dst, a);
            _mm_stream_si128((__m128i *)(void *)(dst + 16), b);
            _mm_stream_si128((__m128i *)(void *)(dst + 32), c);
            _mm_stream_si128((__m128i *)(void *)(dst + 48), d);
        }
    }
#endif
    memcpy(dst, src, n);
}

/* Orders the streaming stores before whatever the caller does next (another
 * thread may read the destination as soon as arr_copyto returns). */
static void stream_fence(void)
{
#ifdef ARR_SSE2
    _mm_sfence();
#endif
}

/* Same-dtype copies move bytes; a fixed size lets the compiler use one
 * load/store per element.  The strided loop is unrolled by four so the loads
 * of several elements are in flight at once (a strided copy is bound by
 * memory latency, not by instructions). */
#define ARR_RAW_KERNEL(N)                                                            \
    static void raw_copy_##N(char *dst, int64_t dst_stride, const char *src,         \
                             int64_t src_stride, int64_t n)                          \
    {                                                                                \
        if (dst_stride == (N) && src_stride == (N)) {                                \
            copy_bytes(dst, src, (size_t)n * (N));                                   \
            return;                                                                  \
        }                                                                            \
        int64_t i = 0;                                                               \
        for (; i + 4 <= n; i += 4, dst += 4 * dst_stride, src += 4 * src_stride) {   \
            memcpy(dst, src, (N));                                                   \
            memcpy(dst + dst_stride, src + src_stride, (N));                         \
            memcpy(dst + 2 * dst_stride, src + 2 * src_stride, (N));                 \
            memcpy(dst + 3 * dst_stride, src + 3 * src_stride, (N));                 \
        }                                                                            \
        for (; i < n; i++, dst += dst_stride, src += src_stride)                     \
            memcpy(dst, src, (N));                                                   \
    }
ARR_RAW_KERNEL(1)
ARR_RAW_KERNEL(2)
ARR_RAW_KERNEL(4)
ARR_RAW_KERNEL(8)
ARR_RAW_KERNEL(16)

/* 8-byte elements gathered from every other slot (a[::2] of float64/int64,
 * the inner axis of a[::2, ::2]) into a contiguous destination: two
 * 16-byte loads and one shuffle give two elements. */
static void raw_copy_8_from_every_other(char *dst, const char *src, int64_t n)
{
    int64_t i = 0;
#ifdef ARR_SSE2
    /* The second load reaches 8 bytes past element i + 1: stop while an
     * element i + 2 still owns them (the last pairs go through the loop
     * below, never past the array's end). */
    for (; i + 3 <= n; i += 2) {
        __m128d even = _mm_loadu_pd((const double *)(const void *)(src + 16 * i));
        __m128d next = _mm_loadu_pd((const double *)(const void *)(src + 16 * i + 16));
        _mm_storeu_pd((double *)(void *)(dst + 8 * i), _mm_unpacklo_pd(even, next));
    }
#endif
    raw_copy_8(dst + 8 * i, 8, src + 16 * i, 16, n - i);
}

/* 8-byte elements read backwards into a contiguous destination (the inner
 * axis of a[:, ::-1]): 16-byte loads with the two halves swapped, so the
 * loop moves whole vectors instead of one element per load/store pair.
 * src points at the first element read (the highest address).  O(n). */
static void raw_copy_8_reversed(char *dst, const char *src, int64_t n)
{
    int64_t i = 0;
#ifdef ARR_SSE2
    /* elements i and i + 1 lie at src - 8i and src - 8(i + 1): one load at
     * src - 8(i + 1) holds both, in the opposite order */
    for (; i + 4 <= n; i += 4) {
        __m128d a = _mm_loadu_pd((const double *)(const void *)(src - 8 * (i + 1)));
        __m128d b = _mm_loadu_pd((const double *)(const void *)(src - 8 * (i + 3)));
        _mm_storeu_pd((double *)(void *)(dst + 8 * i), _mm_shuffle_pd(a, a, 1));
        _mm_storeu_pd((double *)(void *)(dst + 8 * i + 16), _mm_shuffle_pd(b, b, 1));
    }
#endif
    raw_copy_8(dst + 8 * i, 8, src - 8 * i, -8, n - i);
}

static void raw_copy_8_fast(char *dst, int64_t dst_stride, const char *src, int64_t src_stride,
                            int64_t n)
{
    if (dst_stride == 8 && src_stride == 16)
        raw_copy_8_from_every_other(dst, src, n);
    else if (dst_stride == 8 && src_stride == -8)
        raw_copy_8_reversed(dst, src, n);
    else
        raw_copy_8(dst, dst_stride, src, src_stride, n);
}

/* 4-byte elements read backwards into a contiguous destination (float32,
 * int32 a[:, ::-1]): four per 16-byte load, reversed by one shuffle. */
static void raw_copy_4_fast(char *dst, int64_t dst_stride, const char *src, int64_t src_stride,
                            int64_t n)
{
    int64_t i = 0;
#ifdef ARR_SSE2
    if (dst_stride == 4 && src_stride == -4)
        for (; i + 4 <= n; i += 4) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(src - 4 * (i + 3)));
            _mm_storeu_si128((__m128i *)(void *)(dst + 4 * i),
                             _mm_shuffle_epi32(v, _MM_SHUFFLE(0, 1, 2, 3)));
        }
#endif
    raw_copy_4(dst + i * dst_stride, dst_stride, src + i * src_stride, src_stride, n - i);
}

#ifdef ARR_SSE2
/* The AVX form converts four at a time (~4 % faster on 128 MB than SSE2);
 * chosen at run time, so the library still runs on any x86-64.  Returns how
 * many elements it converted. */
__attribute__((target("avx"))) static int64_t cast_float64_to_float32_avx(char *dst,
                                                                          const char *src,
                                                                          int64_t n)
{
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const double *s = (const double *)(const void *)(src + 8 * i);
        float *d = (float *)(void *)(dst + 4 * i);
        _mm_storeu_ps(d, _mm256_cvtpd_ps(_mm256_loadu_pd(s)));
        _mm_storeu_ps(d + 4, _mm256_cvtpd_ps(_mm256_loadu_pd(s + 4)));
    }
    return i;
}
#endif

/* float64 -> float32, both contiguous: packed conversions (cvtpd2ps rounds
 * by the same MXCSR mode as the scalar cvtsd2ss, so the results are the
 * same bits, NaN and infinities included). */
static void cast_float64_to_float32_fast(char *dst, int64_t dst_stride, const char *src,
                                         int64_t src_stride, int64_t n)
{
    int64_t i = 0;
#ifdef ARR_SSE2
    if (dst_stride == 4 && src_stride == 8) {
        if (arr__use_avx())
            i = cast_float64_to_float32_avx(dst, src, n);
        for (; i + 4 <= n; i += 4) {
            __m128 lo = _mm_cvtpd_ps(_mm_loadu_pd((const double *)(const void *)(src + 8 * i)));
            __m128 hi =
                _mm_cvtpd_ps(_mm_loadu_pd((const double *)(const void *)(src + 8 * i + 16)));
            _mm_storeu_ps((float *)(void *)(dst + 4 * i), _mm_movelh_ps(lo, hi));
        }
    }
#endif
    cast_float64_to_float32(dst + i * dst_stride, dst_stride, src + i * src_stride, src_stride,
                            n - i);
}

/* Same-dtype kernels for a big existing destination: contiguous runs go
 * through stream_bytes, anything else through the ordinary kernel. */
#define ARR_STREAM_KERNEL(N, ORDINARY)                                               \
    static void raw_stream_##N(char *dst, int64_t dst_stride, const char *src,       \
                               int64_t src_stride, int64_t n)                        \
    {                                                                                \
        if (dst_stride == (N) && src_stride == (N))                                  \
            stream_bytes(dst, src, (size_t)n * (N));                                 \
        else                                                                         \
            ORDINARY(dst, dst_stride, src, src_stride, n);                           \
    }
ARR_STREAM_KERNEL(1, raw_copy_1)
ARR_STREAM_KERNEL(2, raw_copy_2)
ARR_STREAM_KERNEL(4, raw_copy_4_fast)
ARR_STREAM_KERNEL(8, raw_copy_8_fast)
ARR_STREAM_KERNEL(16, raw_copy_16)

/* stream: the destination is an existing array bigger than the last-level
 * cache (arr_copyto); then same-dtype contiguous runs use streaming stores. */
static arr_kernel_fn pick_kernel(arr_dtype_t dst_dtype, arr_dtype_t src_dtype, int64_t itemsize,
                                 bool stream)
{
    if (dst_dtype == src_dtype && stream) {
        switch (itemsize) {
        case 1: return raw_stream_1;
        case 2: return raw_stream_2;
        case 4: return raw_stream_4;
        case 8: return raw_stream_8;
        default: return raw_stream_16;
        }
    }
    if (dst_dtype == src_dtype) {
        switch (itemsize) {
        case 1: return raw_copy_1;
        case 2: return raw_copy_2;
        case 4: return raw_copy_4_fast;
        case 8: return raw_copy_8_fast;
        default: return raw_copy_16;
        }
    }
    if (src_dtype == ARR_FLOAT64 && dst_dtype == ARR_FLOAT32)
        return cast_float64_to_float32_fast;
    return cast_kernels[src_dtype][dst_dtype];
}

/* ---- the plan ----------------------------------------------------------- */

typedef struct copy_plan {
    int ndim;
    int64_t shape[ARR_MAXDIMS];
    int64_t dst_strides[ARR_MAXDIMS];
    int64_t src_strides[ARR_MAXDIMS];
    char *dst;
    const char *src;
} copy_plan_t;

static int64_t abs64(int64_t v) { return v < 0 ? -v : v; }

/* Returns 0 when there is nothing to copy (a zero-length axis). */
static int make_plan(copy_plan_t *p, int ndim, const int64_t *shape, char *dst,
                     const int64_t *dst_strides, const char *src, const int64_t *src_strides)
{
    p->ndim = 0;
    p->dst = dst;
    p->src = src;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] == 0)
            return 0;
        if (shape[i] == 1)
            continue;
        int64_t ds = dst_strides[i], ss = src_strides[i];
        if (ds < 0) {
            /* Walk the destination upwards: same elements, other order. */
            p->dst += (shape[i] - 1) * ds;
            p->src += (shape[i] - 1) * ss;
            ds = -ds;
            ss = -ss;
        }
        /* Insertion sort, stable, by destination stride descending. */
        int j = p->ndim++;
        while (j > 0 && p->dst_strides[j - 1] < ds) {
            p->shape[j] = p->shape[j - 1];
            p->dst_strides[j] = p->dst_strides[j - 1];
            p->src_strides[j] = p->src_strides[j - 1];
            j--;
        }
        p->shape[j] = shape[i];
        p->dst_strides[j] = ds;
        p->src_strides[j] = ss;
    }
    /* Merge axis i into its inner neighbour when both arrays step over the
     * inner axis exactly to the next outer element. */
    int out = p->ndim - 1;
    for (int i = p->ndim - 2; i >= 0; i--) {
        if (p->dst_strides[i] == p->dst_strides[out] * p->shape[out] &&
            p->src_strides[i] == p->src_strides[out] * p->shape[out]) {
            p->shape[out] *= p->shape[i];
        } else {
            out--;
            p->shape[out] = p->shape[i];
            p->dst_strides[out] = p->dst_strides[i];
            p->src_strides[out] = p->src_strides[i];
        }
    }
    if (p->ndim > 0 && out > 0) {
        int kept = p->ndim - out;
        memmove(p->shape, p->shape + out, (size_t)kept * sizeof p->shape[0]);
        memmove(p->dst_strides, p->dst_strides + out, (size_t)kept * sizeof(int64_t));
        memmove(p->src_strides, p->src_strides + out, (size_t)kept * sizeof(int64_t));
        p->ndim = kept;
    }
    return 1;
}

/* Tile edge in elements: two tiles (src and dst) of TILE x TILE elements
 * stay in L1/L2 while the strided side's cache lines are reused. */
#define ARR_TILE 32

static void run_tiled(arr_kernel_fn kernel, char *dst, const char *src, int64_t n0,
                      int64_t ds0, int64_t ss0, int64_t n1, int64_t ds1, int64_t ss1)
{
    for (int64_t i0 = 0; i0 < n0; i0 += ARR_TILE) {
        int64_t rows = n0 - i0 < ARR_TILE ? n0 - i0 : ARR_TILE;
        for (int64_t i1 = 0; i1 < n1; i1 += ARR_TILE) {
            int64_t cols = n1 - i1 < ARR_TILE ? n1 - i1 : ARR_TILE;
            char *d = dst + i0 * ds0 + i1 * ds1;
            const char *s = src + i0 * ss0 + i1 * ss1;
            for (int64_t r = 0; r < rows; r++, d += ds0, s += ss0)
                kernel(d, ds1, s, ss1, cols);
        }
    }
}

/* Runs a plan: the outer axes with the N-d iterator, the inner one or two
 * through the kernel. */
static void run_plan(const copy_plan_t *p, arr_kernel_fn kernel)
{
    int nd = p->ndim;
    if (nd == 0) {
        kernel(p->dst, 0, p->src, 0, 1);
        return;
    }
    int last = nd - 1;
    /* Tiles pay off when the source jumps further along the inner axis than
     * along the next one: a transpose-like copy. */
    int tiled = nd >= 2 && abs64(p->src_strides[last]) > abs64(p->src_strides[last - 1]) &&
                abs64(p->src_strides[last]) >= 64 && p->shape[last] >= 8 &&
                p->shape[last - 1] >= 8;
    /* Tiled: the iterator's runs are the tile rows (axis last - 1). */
    arr__iter_t it;
    if (!arr__iter_init(&it, tiled ? nd - 1 : nd, p->shape, 2, (char *[]){p->dst, (char *)p->src},
                        (const int64_t *[]){p->dst_strides, p->src_strides}))
        return;
    do {
        if (tiled)
            run_tiled(kernel, it.ptr[0], it.ptr[1], it.n, it.inner[0], it.inner[1], p->shape[last],
                      p->dst_strides[last], p->src_strides[last]);
        else
            kernel(it.ptr[0], it.inner[0], it.ptr[1], it.inner[1], it.n);
    } while (arr__iter_next(&it));
}

/* The engine on raw descriptors; no arr_t needed (copyto's scratch buffer is
 * plain memory). */
static void copy_strided(int ndim, const int64_t *shape, char *dst, const int64_t *dst_strides,
                         arr_dtype_t dst_dtype, const char *src, const int64_t *src_strides,
                         arr_dtype_t src_dtype, bool stream)
{
    copy_plan_t plan;
    if (!make_plan(&plan, ndim, shape, dst, dst_strides, src, src_strides))
        return;
    run_plan(&plan, pick_kernel(dst_dtype, src_dtype, arr_dtype_size(dst_dtype), stream));
    if (stream)
        stream_fence();
}

void arr__copy_values(arr_t *dst, const arr_t *src)
{
    copy_strided(dst->ndim, dst->shape, dst->data, dst->strides, (arr_dtype_t)dst->dtype,
                 src->data, src->strides, (arr_dtype_t)src->dtype, false);
}

/* ---- layouts ------------------------------------------------------------ */

static const char *op_function_name(arr_op_t op)
{
    switch (op) {
    case ARR_OP_ASTYPE: return "arr_astype";
    case ARR_OP_ASCONTIGUOUS_COPY: return "arr_ascontiguous";
    case ARR_OP_ASFORTRAN_COPY: return "arr_asfortran";
    case ARR_OP_RESHAPE_COPY: return "arr_reshape";
    default: return "arr_copy";
    }
}

/* Fills perm (outermost axis first) for a copy of a in the given order and
 * points *use at it, or sets *use = NULL for C order.  -1 on a bad order. */
static int order_perm(const arr_t *a, arr_order_t order, int *perm, const int **use,
                      const char *fn)
{
    int nd = a->ndim;
    *use = NULL;
    switch (order) {
    case ARR_ORDER_C:
        return 0;
    case ARR_ORDER_A:
        if ((a->flags & ARR_F_CONTIGUOUS) && !(a->flags & ARR_C_CONTIGUOUS))
            break; /* as F */
        return 0;
    case ARR_ORDER_F:
        break;
    case ARR_ORDER_K:
        /* As NumPy's PyArray_NewLikeArray: contiguous sources keep their
         * order; otherwise axes sorted by |stride| descending, ties in
         * axis order. */
        if ((a->flags & ARR_C_CONTIGUOUS) || nd <= 1)
            return 0;
        if (a->flags & ARR_F_CONTIGUOUS)
            break;
        for (int i = 0; i < nd; i++) {
            int j = i;
            while (j > 0 && abs64(a->strides[perm[j - 1]]) < abs64(a->strides[i])) {
                perm[j] = perm[j - 1];
                j--;
            }
            perm[j] = i;
        }
        *use = perm;
        return 0;
    default:
        if (order > 32 && order < 127)
            return arr__fail(ARR_EINVAL, "%s: order must be 'C', 'F', 'A' or 'K', not '%c'",
                             fn, (char)order);
        return arr__fail(ARR_EINVAL, "%s: order must be 'C', 'F', 'A' or 'K', not %d", fn,
                         (int)order);
    }
    for (int i = 0; i < nd; i++)
        perm[i] = nd - 1 - i;
    *use = perm;
    return 0;
}

static arr_t *copy_as(const arr_t *a, arr_dtype_t dtype, arr_order_t order, arr_op_t op,
                      const void *caller)
{
    const char *fn = op_function_name(op);
    if (arr__check_readable(a, fn) < 0)
        return NULL;
    int perm[ARR_MAXDIMS];
    const int *use;
    if (order_perm(a, order, perm, &use, fn) < 0)
        return NULL;
    arr_t *out = arr__new_owner(a->ndim, a->shape, dtype, use, op, a, caller);
    if (!out)
        return NULL;
    arr__copy_values(out, a);
    return out;
}

arr_t *arr__copy(const arr_t *a, arr_order_t order, arr_op_t op, const void *caller)
{
    if (arr__check_readable(a, op_function_name(op)) < 0)
        return NULL; /* before reading a->dtype */
    return copy_as(a, (arr_dtype_t)a->dtype, order, op, caller);
}

arr_t *arr_copy(const arr_t *a, arr_order_t order)
{
    return arr__copy(a, order, ARR_OP_COPY, ARR__CALLER);
}

arr_t *arr__astype(const arr_t *a, arr_dtype_t dtype, arr_op_t op, const void *caller)
{
    const char *fn = op_function_name(op);
    if (arr__check_readable(a, fn) < 0 || arr__check_dtype(dtype, fn) < 0)
        return NULL;
    return copy_as(a, dtype, ARR_ORDER_K, op, caller);
}

arr_t *arr_astype(const arr_t *a, arr_dtype_t dtype)
{
    return arr__astype(a, dtype, ARR_OP_ASTYPE, ARR__CALLER);
}

/* ascontiguous / asfortran: a view when the layout already fits, else a
 * copy.  Like NumPy, the result is at least 1-D (a 0-d array gives a view of
 * shape (1,)). */
static arr_t *as_layout(arr_t *a, int want_flag, arr_order_t order, arr_op_t view_op,
                        arr_op_t copy_op, const char *fn, const void *caller)
{
    if (arr__check_readable(a, fn) < 0)
        return NULL;
    if (a->ndim == 0) {
        int64_t one = 1, stride = a->itemsize;
        return arr__new_view(a, 1, &one, &stride, a->data, view_op, 0, caller);
    }
    if (a->flags & want_flag)
        return arr__new_view(a, a->ndim, a->shape, a->strides, a->data, view_op, 0, caller);
    return arr__copy(a, order, copy_op, caller);
}

arr_t *arr_ascontiguous(arr_t *a)
{
    return as_layout(a, ARR_C_CONTIGUOUS, ARR_ORDER_C, ARR_OP_ASCONTIGUOUS,
                     ARR_OP_ASCONTIGUOUS_COPY, "arr_ascontiguous", ARR__CALLER);
}

arr_t *arr_asfortran(arr_t *a)
{
    return as_layout(a, ARR_F_CONTIGUOUS, ARR_ORDER_F, ARR_OP_ASFORTRAN, ARR_OP_ASFORTRAN_COPY,
                     "arr_asfortran", ARR__CALLER);
}

/* ---- copyto ------------------------------------------------------------- */

/* src's strides broadcast to dst's shape (NumPy's rules; leading size-1 axes
 * of src beyond dst's ndim are dropped, as np.copyto does).  -1 if they do
 * not broadcast. */
static int broadcast_strides(const arr_t *dst, const arr_t *src, const int64_t *src_strides,
                             int64_t *out)
{
    int skip = 0;
    while (src->ndim - skip > dst->ndim && src->shape[skip] == 1)
        skip++;
    int sn = src->ndim - skip;
    if (sn > dst->ndim)
        return -1;
    for (int i = 0; i < dst->ndim; i++) {
        int j = i - (dst->ndim - sn);
        if (j < 0) {
            out[i] = 0;
            continue;
        }
        int64_t n = src->shape[skip + j];
        if (n == dst->shape[i])
            out[i] = n == 1 ? 0 : src_strides[skip + j];
        else if (n == 1)
            out[i] = 0;
        else
            return -1;
    }
    return 0;
}

int arr_copyto(arr_t *dst, const arr_t *src)
{
    static const char fn[] = "arr_copyto";
    if (arr__check_readable(dst, fn) < 0 || arr__check_readable(src, fn) < 0)
        return -1;
    /* Copying an array onto itself is a no-op that NumPy skips before its
     * read-only check: same data, dtype, ndim, shape and strides (but a 0-d
     * source takes NumPy's scalar path, which checks first). */
    if (src->ndim > 0 && dst->data == src->data && dst->dtype == src->dtype && dst->ndim == src->ndim &&
        memcmp(dst->shape, src->shape, (size_t)dst->ndim * sizeof dst->shape[0]) == 0 &&
        memcmp(dst->strides, src->strides, (size_t)dst->ndim * sizeof dst->strides[0]) == 0)
        return 0;
    if (!(dst->flags & ARR_WRITEABLE))
        return arr__fail(ARR_EREADONLY, "%s: the destination array is read-only", fn);
    int64_t strides[ARR_MAXDIMS];
    if (broadcast_strides(dst, src, src->strides, strides) < 0) {
        char from[ARR_MAXDIMS * 22 + 4], into[ARR_MAXDIMS * 22 + 4];
        arr__format_shape(from, sizeof from, src->ndim, src->shape, ",");
        arr__format_shape(into, sizeof into, dst->ndim, dst->shape, ",");
        return arr__fail(ARR_ESHAPE, "%s: could not broadcast input array from shape %s into shape %s",
                         fn, from, into);
    }
    int64_t dst_size = 1;
    for (int i = 0; i < dst->ndim; i++)
        dst_size *= dst->shape[i];
    if (dst_size == 0)
        return 0;
    /* dst_size * itemsize fits: dst is a valid array */
    int64_t stream_min = __atomic_load_n(&arr__copyto_stream_min_bytes, __ATOMIC_RELAXED);
    bool stream = dst_size * dst->itemsize >= (stream_min > 0 ? stream_min : last_level_cache_bytes());
    if (arr_may_share_memory(dst, src) == ARR_SHARES_NO) {
        copy_strided(dst->ndim, dst->shape, dst->data, dst->strides, (arr_dtype_t)dst->dtype,
                     src->data, strides, (arr_dtype_t)src->dtype, stream);
        return 0;
    }
    /* They may overlap: snapshot src (its own shape, C order, raw memory so
     * nothing shows up in the registry), then copy the snapshot. */
    int64_t nbytes = arr__nbytes_checked(src->ndim, src->shape, src->itemsize, fn);
    if (nbytes < 0)
        return -1;
    char *scratch = arr__malloc(nbytes > 0 ? (size_t)nbytes : 1);
    if (!scratch)
        return arr__fail(ARR_ENOMEM, "%s: cannot allocate %lld bytes for an overlapping copy",
                         fn, (long long)nbytes);
    int64_t scratch_strides[ARR_MAXDIMS];
    int64_t step = src->itemsize;
    for (int i = src->ndim - 1; i >= 0; i--) {
        scratch_strides[i] = step;
        step *= src->shape[i];
    }
    copy_strided(src->ndim, src->shape, scratch, scratch_strides, (arr_dtype_t)src->dtype,
                 src->data, src->strides, (arr_dtype_t)src->dtype, false);
    broadcast_strides(dst, src, scratch_strides, strides); /* succeeded above */
    copy_strided(dst->ndim, dst->shape, dst->data, dst->strides, (arr_dtype_t)dst->dtype,
                 scratch, strides, (arr_dtype_t)src->dtype, stream);
    arr__free_mem(scratch);
    return 0;
}
