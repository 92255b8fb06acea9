/* test_math.c - arr_ptr / arr_get_f64 / arr_set_f64, arr_fill, arr_sum /
 * arr_sum_complex / arr_mean (bit-exact against NumPy 1.24's np.sum) and
 * arr_equal.  Expected values were printed by /usr/bin/python3 with NumPy
 * 1.24 (float.hex()); the generating expressions are quoted. */
#include "unit.h"

#include <math.h>

extern long arr__alloc_fail_countdown;
extern int arr__avoid_avx; /* libarr: 1 = SSE2 kernels even on AVX CPUs */

/* f = np.arange(n) * 0.1 */
static arr_t *tenths(int64_t n)
{
    arr_t *a = arr_empty(1, &n, ARR_FLOAT64);
    ck_assert_arr_ok(a);
    for (int64_t i = 0; i < n; i++)
        ((double *)arr_data(a))[i] = (double)i * 0.1;
    return a;
}

/* g: the same LCG in Python:
 *   x = 12345; x = (x*6364136223846793005 + 1442695040888963407) % 2**64;
 *   value = (x >> 11) * 2.0**-53 - 0.5 */
static arr_t *lcg_values(int64_t n)
{
    arr_t *a = arr_empty(1, &n, ARR_FLOAT64);
    ck_assert_arr_ok(a);
    uint64_t x = 12345;
    for (int64_t i = 0; i < n; i++) {
        x = x * 6364136223846793005u + 1442695040888963407u;
        ((double *)arr_data(a))[i] = (double)(x >> 11) * 0x1p-53 - 0.5;
    }
    return a;
}

static arr_t *reshaped(arr_t *a, int64_t rows, int64_t cols)
{
    arr_t *m = arr_reshape(a, 2, (int64_t[]){rows, cols}, ARR_COPY_NEVER);
    ck_assert_arr_ok(m);
    return m;
}

static arr_t *sliced(arr_t *a, const char *spec)
{
    arr_t *s = arr_slice(a, spec);
    ck_assert_msg(s != NULL, "%s: %s", spec, arr_errmsg());
    return s;
}

#define ck_assert_sum(a, expected)                                                   \
    do {                                                                             \
        double got_;                                                                 \
        ck_assert_int_eq(arr_sum((a), &got_), 0);                                    \
        ck_assert_msg(got_ == (expected), "sum %a, NumPy %a", got_, (double)(expected)); \
    } while (0)

#define ck_assert_mean(a, expected)                                                  \
    do {                                                                             \
        double got_;                                                                 \
        ck_assert_int_eq(arr_mean((a), &got_), 0);                                   \
        ck_assert_msg(got_ == (expected), "mean %a, NumPy %a", got_, (double)(expected)); \
    } while (0)

START_TEST(sum_float64_bit_exact)
{
    arr_t *g = lcg_values(30000);
    /* g.sum() == 0x1.ac7140cfadff0p+3 (a plain left-to-right loop gives
     * 0x1.ac7140cfadfefp+3, whole-array pairwise would differ too) */
    ck_assert_sum(g, 0x1.ac7140cfadff0p+3);
    /* np.mean(g) == 0x1.d3f92d426a380p-12 */
    ck_assert_mean(g, 0x1.d3f92d426a380p-12);
    arr_t *part = sliced(g, ":5000");
    ck_assert_sum(part, 0x1.e2471d87b02fbp+3); /* g[:5000].sum() */
    arr_free(part);
    part = sliced(g, ":8192");
    ck_assert_sum(part, 0x1.6c222a8917aecp+3); /* g[:8192].sum() */
    arr_free(part);
    part = sliced(g, ":8200");
    ck_assert_sum(part, 0x1.826b9db3169cfp+3); /* g[:8200].sum(): two chunks */
    arr_free(part);
    part = sliced(g, "::-1");
    ck_assert_sum(part, 0x1.ac7140cfadffep+3); /* g[::-1].sum() */
    arr_free(part);

    arr_t *G = reshaped(g, 150, 200);
    arr_t *GT = arr_transpose(G, NULL);
    ck_assert_sum(GT, 0x1.ac7140cfadff0p+3);   /* G.T.sum() */
    ck_assert_mean(GT, 0x1.d3f92d426a380p-12); /* G.T.mean() */
    arr_t *s = sliced(G, "::2, ::3");
    ck_assert_sum(s, -0x1.1f8b42958e779p+4); /* G[::2, ::3].sum() */
    arr_free(s);
    s = sliced(G, "::-1, ::2");
    arr_t *sT = arr_transpose(s, NULL);
    ck_assert_sum(sT, 0x1.2665f02c3d380p+3); /* G[::-1, ::2].T.sum() */
    arr_free(sT);
    arr_free(s);
    arr_free(GT);
    arr_free(G);
    arr_free(g);

    arr_t *f = tenths(100000);
    ck_assert_sum(f, 0x1.dcd5178000000p+28);   /* f.sum() */
    ck_assert_mean(f, 0x1.387f333333333p+12);  /* f.mean() */
    part = sliced(f, ":127");
    ck_assert_sum(part, 0x1.900cccccccccdp+9); /* f[:127].sum() */
    arr_free(part);
    part = sliced(f, ":7");
    ck_assert_sum(part, 0x1.0cccccccccccdp+1); /* f[:7].sum() */
    arr_free(part);
    part = sliced(f, "::3");
    ck_assert_sum(part, 0x1.3de505a99999ap+27); /* f[::3].sum() */
    arr_free(part);
    part = sliced(f, "::-1");
    ck_assert_sum(part, 0x1.dcd5178000001p+28); /* f[::-1].sum() */
    arr_free(part);
    arr_t *m = reshaped(f, 200, 500);
    s = sliced(m, "::2, ::3");
    ck_assert_sum(s, 0x1.3ced9f8000001p+26);  /* m[::2, ::3].sum() */
    ck_assert_mean(s, 0x1.36ee666666667p+12); /* m[::2, ::3].mean() */
    arr_free(s);
    arr_free(m);
    arr_free(f);
}
END_TEST

START_TEST(sum_single_precision_and_complex)
{
    arr_t *g = lcg_values(30000);
    arr_t *g32 = arr_astype(g, ARR_FLOAT32);
    /* g.astype(np.float32).sum() == 0x1.ac713a0000000p+3 (summed in float32) */
    ck_assert_sum(g32, 0x1.ac713ap+3);
    arr_t *G = reshaped(g32, 150, 200);
    arr_t *s = sliced(G, ":, ::-3");
    /* g32.reshape(150, 200)[:, ::-3].sum() == -0x1.0abef80000000p+5 */
    ck_assert_sum(s, -0x1.0abef8p+5);
    arr_free(s);
    arr_free(G);
    arr_free(g32);
    arr_free(g);

    /* z = np.arange(20001)*0.1 - 1j*(np.arange(20001)*0.3) */
    int64_t n = 20001;
    arr_t *z = arr_empty(1, &n, ARR_COMPLEX128);
    for (int64_t i = 0; i < n; i++) {
        ((double *)arr_data(z))[2 * i] = (double)i * 0.1;
        ((double *)arr_data(z))[2 * i + 1] = -((double)i * 0.3);
    }
    double re, im;
    /* z.sum() == (0x1.3130e80000000p+24, -0x1.c9c95c0000000p+25) */
    ck_assert_int_eq(arr_sum_complex(z, &re, &im), 0);
    ck_assert_msg(re == 0x1.3130e8p+24 && im == -0x1.c9c95cp+25, "%a %a", re, im);
    ck_assert_sum(z, 0x1.3130e8p+24); /* arr_sum: the real part */
    arr_t *zr = sliced(z, "::-2");
    /* z[::-2].sum() == (0x1.3134d00000000p+23, -0x1.c9cf380000000p+24) */
    ck_assert_int_eq(arr_sum_complex(zr, &re, &im), 0);
    ck_assert_msg(re == 0x1.3134dp+23 && im == -0x1.c9cf38p+24, "%a %a", re, im);
    arr_free(zr);
    /* z.astype(np.complex64).sum(): the same values, complex64 */
    arr_t *z64 = arr_astype(z, ARR_COMPLEX64);
    ck_assert_int_eq(arr_sum_complex(z64, &re, &im), 0);
    ck_assert_msg(re == 0x1.3130e8p+24 && im == -0x1.c9c95cp+25, "%a %a", re, im);
    arr_free(z64);
    arr_free(z);

    /* arr_sum_complex of a real array: imaginary part 0 */
    arr_t *f = tenths(7);
    ck_assert_int_eq(arr_sum_complex(f, &re, &im), 0);
    ck_assert(re == 0x1.0cccccccccccdp+1 && im == 0);
    arr_free(f);
}
END_TEST

/* The vector kernels for contiguous float64/float32 sums keep NumPy's
 * pairwise order: on every length around the block (8, 128) and chunk (8192)
 * boundaries, the contiguous sum equals the strided path's sum of the same
 * values (x[::2] of an interleaved copy, summed element by element), with
 * SSE2 and with AVX, aligned or not.  NumPy values quoted for a few. */
static void check_contiguous_sums(arr_dtype_t dtype, int64_t n, const double *values)
{
    int64_t itemsize = arr_dtype_size(dtype);
    arr_t *contig = arr_empty(1, &n, dtype);
    int64_t n2 = 2 * n;
    arr_t *wide = arr_zeros(1, &n2, dtype);
    ck_assert_arr_ok(contig);
    ck_assert_arr_ok(wide);
    for (int64_t i = 0; i < n; i++) {
        ck_assert_int_eq(arr_set_f64(contig, &i, values[i]), 0);
        int64_t j = 2 * i;
        ck_assert_int_eq(arr_set_f64(wide, &j, values[i]), 0);
    }
    arr_t *strided = sliced(wide, "::2");
    /* the same bytes at an address that is not a multiple of 4 */
    char *raw = malloc((size_t)(n * itemsize) + 8);
    ck_assert_ptr_nonnull(raw);
    if (n > 0)
        memcpy(raw + 1, arr_data(contig), (size_t)(n * itemsize));
    arr_t *unaligned = arr_wrap(raw + 1, 1, &n, NULL, dtype, 0);
    ck_assert_arr_ok(unaligned);
    double reference;
    ck_assert_int_eq(arr_sum(strided, &reference), 0);
    for (int avoid = 0; avoid <= 1; avoid++) {
        arr__avoid_avx = avoid;
        double got;
        ck_assert_int_eq(arr_sum(contig, &got), 0);
        ck_assert_msg(got == reference, "%s n=%lld avoid_avx=%d: contiguous %a, strided %a",
                      arr_dtype_name(dtype), (long long)n, avoid, got, reference);
        ck_assert_int_eq(arr_sum(unaligned, &got), 0);
        ck_assert_msg(got == reference, "%s n=%lld avoid_avx=%d: unaligned %a, strided %a",
                      arr_dtype_name(dtype), (long long)n, avoid, got, reference);
    }
    arr__avoid_avx = 0;
    arr_free(unaligned);
    free(raw);
    arr_free(strided);
    arr_free(wide);
    arr_free(contig);
}

START_TEST(sum_vector_kernels_keep_pairwise_order)
{
    arr_t *g = lcg_values(30000);
    const double *values = arr_data(g);
    static const int64_t long_lengths[] = {255, 256, 257, 1000, 1005, 8191, 8192, 8193, 8195,
                                           16391, 30000};
    for (int d = 0; d < 2; d++) {
        arr_dtype_t dtype = d ? ARR_FLOAT32 : ARR_FLOAT64;
        for (int64_t n = 0; n <= 140; n++)
            check_contiguous_sums(dtype, n, values);
        for (size_t k = 0; k < sizeof long_lengths / sizeof long_lengths[0]; k++)
            check_contiguous_sums(dtype, long_lengths[k], values);
    }
    /* NumPy: g[:135].sum(), g[:1005].sum(), g[:8195].sum(), g[3:1003].sum()
     * and the same of g.astype(np.float32) (summed in float32) */
    for (int avoid = 0; avoid <= 1; avoid++) {
        arr__avoid_avx = avoid;
        arr_t *part = sliced(g, ":135");
        ck_assert_sum(part, 0x1.57edb29c69e80p-1);
        arr_free(part);
        part = sliced(g, ":1005");
        ck_assert_sum(part, 0x1.58b2fed034343p+3);
        arr_free(part);
        part = sliced(g, ":8195");
        ck_assert_sum(part, 0x1.81e903284bcbcp+3);
        arr_free(part);
        part = sliced(g, "3:1003");
        ck_assert_sum(part, 0x1.56a4af3f2bc7bp+3);
        arr_free(part);
        arr_t *g32 = arr_astype(g, ARR_FLOAT32);
        ck_assert_arr_ok(g32);
        part = sliced(g32, ":135");
        ck_assert_sum(part, 0x1.57edb8p-1);
        arr_free(part);
        part = sliced(g32, ":1005");
        ck_assert_sum(part, 0x1.58b3p+3);
        arr_free(part);
        part = sliced(g32, ":8195");
        ck_assert_sum(part, 0x1.81e91p+3);
        arr_free(part);
        arr_free(g32);
    }
    arr__avoid_avx = 0;
    arr_free(g);
}
END_TEST

START_TEST(sum_integers_bool_empty)
{
    /* np.sum(np.array([2**63-1, 1], np.int64)) == -9223372036854775808 (wraps) */
    arr_t *i = arr_empty(1, (int64_t[]){2}, ARR_INT64);
    ((int64_t *)arr_data(i))[0] = INT64_MAX;
    ((int64_t *)arr_data(i))[1] = 1;
    ck_assert_sum(i, -0x1p63);
    arr_free(i);
    /* np.sum(np.array([2**64-1, 2], np.uint64)) == 1 */
    arr_t *u = arr_empty(1, (int64_t[]){2}, ARR_UINT64);
    ((uint64_t *)arr_data(u))[0] = UINT64_MAX;
    ((uint64_t *)arr_data(u))[1] = 2;
    ck_assert_sum(u, 1.0);
    arr_free(u);
    /* np.sum(np.array([-100]*3, np.int8)) == -300 (summed as int64) */
    arr_t *b8 = arr_full(1, (int64_t[]){3}, ARR_INT8, -100);
    ck_assert_sum(b8, -300.0);
    ck_assert_mean(b8, -100.0);
    arr_free(b8);
    /* exact beyond 2^53: [2**53, 1] as int64 sums to 2**53+1, which a
     * double accumulator would lose; the result is then rounded once */
    i = arr_empty(1, (int64_t[]){3}, ARR_INT64);
    ((int64_t *)arr_data(i))[0] = (int64_t)1 << 53;
    ((int64_t *)arr_data(i))[1] = 1;
    ((int64_t *)arr_data(i))[2] = 1;
    ck_assert_sum(i, 0x1p53 + 2);
    arr_free(i);
    /* np.sum(np.array([True, False, True])) == 2 */
    arr_t *b = arr_empty(1, (int64_t[]){3}, ARR_BOOL);
    memcpy(arr_data(b), (uint8_t[]){1, 0, 1}, 3);
    ck_assert_sum(b, 2.0);
    arr_free(b);
    /* strided integers: arange(12, int16).reshape(3, 4)[::-1, ::2] -> 30 */
    arr_t *r = arr_arange(0, 12, 1, ARR_INT16);
    arr_t *m = reshaped(r, 3, 4);
    arr_t *s = sliced(m, "::-1, ::2");
    ck_assert_sum(s, 30.0);
    ck_assert_mean(s, 5.0);
    arr_free(s);
    arr_free(m);
    arr_free(r);
    /* np.sum(np.zeros((0, 3))) == 0.0; np.mean(...) is nan */
    arr_t *e = arr_zeros(2, (int64_t[]){0, 3}, ARR_FLOAT64);
    ck_assert_sum(e, 0.0);
    double mean;
    ck_assert_int_eq(arr_mean(e, &mean), 0);
    ck_assert(isnan(mean));
    arr_free(e);
    /* 0-d */
    arr_t *z = arr_full(0, NULL, ARR_FLOAT32, 2.5);
    ck_assert_sum(z, 2.5);
    ck_assert_mean(z, 2.5);
    arr_free(z);
}
END_TEST

START_TEST(sum_errors)
{
    double out, im;
    ck_assert_int_eq(arr_sum(NULL, &out), -1);
    ck_assert_arr_err(ARR_EINVAL);
    arr_t *f = tenths(100);
    ck_assert_int_eq(arr_sum(f, NULL), -1);
    ck_assert_arr_err(ARR_EINVAL);
    ck_assert_int_eq(arr_mean(f, NULL), -1);
    ck_assert_arr_err(ARR_EINVAL);
    ck_assert_int_eq(arr_sum_complex(f, &out, NULL), -1);
    ck_assert_arr_err(ARR_EINVAL);
    /* a gathered (non-mergeable) sum needs a buffer: its failure is reported */
    arr_t *m = reshaped(f, 10, 10);
    arr_t *s = sliced(m, "::2, ::3");
    arr__alloc_fail_countdown = 1;
    ck_assert_int_eq(arr_sum(s, &out), -1);
    arr__alloc_fail_countdown = 0;
    ck_assert_arr_err(ARR_ENOMEM);
    ck_assert_int_eq(arr_sum(s, &out), 0);
    arr_free(m);
    arr_free(f);
    /* s is now an orphan */
    ck_assert_int_eq(arr_sum(s, &out), -1);
    ck_assert_arr_err(ARR_EORPHAN);
    ck_assert_int_eq(arr_mean(s, &out), -1);
    ck_assert_arr_err(ARR_EORPHAN);
    ck_assert_int_eq(arr_sum_complex(s, &out, &im), -1);
    ck_assert_arr_err(ARR_EORPHAN);
    arr_free(s);
}
END_TEST

START_TEST(element_access)
{
    /* x = np.arange(12.).reshape(3, 4) */
    arr_t *r = arr_arange(0, 12, 1, ARR_FLOAT64);
    arr_t *x = reshaped(r, 3, 4);
    double v;
    ck_assert_int_eq(arr_get_f64(x, (int64_t[]){1, 2}, &v), 0);
    ck_assert(v == 6.0);
    /* x[-1, -4] == 8.0 */
    ck_assert_int_eq(arr_get_f64(x, (int64_t[]){-1, -4}, &v), 0);
    ck_assert(v == 8.0);
    ck_assert_ptr_eq(arr_ptr(x, (int64_t[]){2, 3}), (char *)arr_data(x) + 88);
    /* x[1, 7]: IndexError "index 7 is out of bounds for axis 1 with size 4" */
    ck_assert_ptr_null(arr_ptr(x, (int64_t[]){1, 7}));
    ck_assert_arr_err(ARR_EINDEX);
    ck_assert_msg(strstr(arr_errmsg(), "index 7 is out of bounds for axis 1 with size 4"), "%s",
                  arr_errmsg());
    /* x[-4, 0]: "index -4 is out of bounds for axis 0 with size 3" */
    ck_assert_int_eq(arr_get_f64(x, (int64_t[]){-4, 0}, &v), -1);
    ck_assert_arr_err(ARR_EINDEX);
    ck_assert_ptr_nonnull(strstr(arr_errmsg(), "index -4 is out of bounds for axis 0 with size 3"));
    ck_assert_int_eq(arr_set_f64(x, (int64_t[]){3, 0}, 1.0), -1);
    ck_assert_arr_err(ARR_EINDEX);
    ck_assert_int_eq(arr_get_f64(x, (int64_t[]){0, 0}, NULL), -1);
    ck_assert_arr_err(ARR_EINVAL);
    ck_assert_ptr_null(arr_ptr(x, NULL));
    ck_assert_arr_err(ARR_EINVAL);
    ck_assert_ptr_null(arr_ptr(NULL, (int64_t[]){0}));
    ck_assert_arr_err(ARR_EINVAL);

    /* writes through a strided view land in the base: x[::-1, 1::2][0, 1] = 5
     * sets x[2, 3] */
    arr_t *v2 = sliced(x, "::-1, 1::2");
    ck_assert_int_eq(arr_set_f64(v2, (int64_t[]){0, 1}, -5.0), 0);
    ck_assert_int_eq(arr_get_f64(x, (int64_t[]){2, 3}, &v), 0);
    ck_assert(v == -5.0);
    arr_free(v2);

    /* stores convert like astype: NaN into int32 is INT32_MIN, 3.9 is 3,
     * into bool 0.5 is True, complex keeps imag 0 */
    arr_t *i = arr_zeros(1, (int64_t[]){2}, ARR_INT32);
    ck_assert_int_eq(arr_set_f64(i, (int64_t[]){0}, NAN), 0);
    ck_assert_int_eq(arr_set_f64(i, (int64_t[]){1}, 3.9), 0);
    ck_assert_int_eq(((int32_t *)arr_data(i))[0], INT32_MIN);
    ck_assert_int_eq(((int32_t *)arr_data(i))[1], 3);
    arr_free(i);
    arr_t *b = arr_zeros(0, NULL, ARR_BOOL);
    ck_assert_int_eq(arr_set_f64(b, NULL, 0.5), 0);
    ck_assert_int_eq(*(uint8_t *)arr_data(b), 1);
    ck_assert_int_eq(arr_get_f64(b, NULL, &v), 0);
    ck_assert(v == 1.0);
    arr_free(b);
    arr_t *c = arr_full(1, (int64_t[]){1}, ARR_COMPLEX64, 9.0);
    ((float *)arr_data(c))[1] = 4.0f;
    ck_assert_int_eq(arr_get_f64(c, (int64_t[]){0}, &v), 0);
    ck_assert(v == 9.0); /* the real part */
    ck_assert_int_eq(arr_set_f64(c, (int64_t[]){0}, -1.5), 0);
    ck_assert_mem_eq(arr_data(c), ((float[]){-1.5f, 0.0f}), 8);
    arr_free(c);
    /* uint64 beyond 2^53 reads as the nearest double */
    arr_t *u = arr_full(0, NULL, ARR_UINT64, 0);
    *(uint64_t *)arr_data(u) = UINT64_MAX;
    ck_assert_int_eq(arr_get_f64(u, NULL, &v), 0);
    ck_assert(v == 0x1p64);
    arr_free(u);

    /* read-only arrays */
    arr_t *ro = arr_broadcast_to(x, 2, (int64_t[]){3, 4});
    ck_assert_int_eq(arr_set_f64(ro, (int64_t[]){0, 0}, 1.0), -1);
    ck_assert_arr_err(ARR_EREADONLY);
    ck_assert_int_eq(arr_get_f64(ro, (int64_t[]){0, 0}, &v), 0);
    arr_free(ro);

    /* orphans */
    arr_free(r);
    ck_assert_ptr_null(arr_ptr(x, (int64_t[]){0, 0}));
    ck_assert_arr_err(ARR_EORPHAN);
    ck_assert_int_eq(arr_get_f64(x, (int64_t[]){0, 0}, &v), -1);
    ck_assert_arr_err(ARR_EORPHAN);
    ck_assert_int_eq(arr_set_f64(x, (int64_t[]){0, 0}, 1.0), -1);
    ck_assert_arr_err(ARR_EORPHAN);
    arr_free(x);
}
END_TEST

/* arr_set_f64 (arr__store_f64) and arr_astype from float64 (the copy
 * engine) convert by the same rules, for every dtype and edge value. */
START_TEST(store_agrees_with_astype)
{
    static const double values[] = {NAN, INFINITY, -INFINITY, 1e20, -1e20, 0x1p63, -0x1p63,
                                    0x1p64, 4294967296.0, 2147483648.0, -2147483649.0,
                                    65535.9, -32768.9, 255.9, 127.9, -128.9, -129.0,
                                    -1.0, -0.5, -0.0, 0.0, 0.5, 2.9, -2.9, 1e300, 0.1};
    int64_t n = (int64_t)(sizeof values / sizeof values[0]);
    arr_t *src = arr_empty(1, &n, ARR_FLOAT64);
    memcpy(arr_data(src), values, sizeof values);
    for (int d = 0; d < ARR_NDTYPES; d++) {
        arr_t *cast = arr_astype(src, (arr_dtype_t)d);
        arr_t *stored = arr_zeros(1, &n, (arr_dtype_t)d);
        ck_assert_arr_ok(cast);
        ck_assert_arr_ok(stored);
        for (int64_t i = 0; i < n; i++)
            ck_assert_int_eq(arr_set_f64(stored, &i, values[i]), 0);
        ck_assert_msg(memcmp(arr_data(cast), arr_data(stored), (size_t)arr_nbytes(cast)) == 0,
                      "%s: astype and set_f64 differ", arr_dtype_name((arr_dtype_t)d));
        arr_free(stored);
        arr_free(cast);
    }
    arr_free(src);
}
END_TEST

START_TEST(fill)
{
    /* x = np.zeros((4, 6), np.int16); x[::2, ::-3].fill(-7.9) -> -7 at rows
     * 0, 2 and columns 5, 2 */
    arr_t *x = arr_zeros(2, (int64_t[]){4, 6}, ARR_INT16);
    arr_t *v = sliced(x, "::2, ::-3");
    ck_assert_int_eq(arr_fill(v, -7.9), 0);
    double sum;
    ck_assert_int_eq(arr_sum(x, &sum), 0);
    ck_assert(sum == -28.0);
    for (int64_t i = 0; i < 4; i++)
        for (int64_t j = 0; j < 6; j++) {
            double e;
            ck_assert_int_eq(arr_get_f64(x, (int64_t[]){i, j}, &e), 0);
            ck_assert(e == ((i % 2 == 0 && (j == 5 || j == 2)) ? -7.0 : 0.0));
        }
    /* all of it, complex and 0-d */
    arr_t *z = arr_zeros(2, (int64_t[]){3, 2}, ARR_COMPLEX128);
    ck_assert_int_eq(arr_fill(z, 2.5), 0);
    double re, im;
    ck_assert_int_eq(arr_sum_complex(z, &re, &im), 0);
    ck_assert(re == 15.0 && im == 0.0);
    arr_t *s = arr_zeros(0, NULL, ARR_UINT8);
    ck_assert_int_eq(arr_fill(s, 300.0), 0); /* out of range: uint8's minimum */
    ck_assert_int_eq(*(uint8_t *)arr_data(s), 0);
    ck_assert_int_eq(arr_fill(s, 255.0), 0);
    ck_assert_int_eq(*(uint8_t *)arr_data(s), 255);
    arr_t *e = arr_zeros(1, (int64_t[]){0}, ARR_FLOAT64);
    ck_assert_int_eq(arr_fill(e, 1.0), 0);
    /* errors */
    arr_t *ro = arr_broadcast_to(s, 1, (int64_t[]){4});
    ck_assert_int_eq(arr_fill(ro, 1.0), -1);
    ck_assert_arr_err(ARR_EREADONLY);
    ck_assert_int_eq(arr_fill(NULL, 1.0), -1);
    ck_assert_arr_err(ARR_EINVAL);
    arr_free(x);
    ck_assert_int_eq(arr_fill(v, 1.0), -1);
    ck_assert_arr_err(ARR_EORPHAN);
    arr_free(v);
    arr_free(ro);
    arr_free(e);
    arr_free(s);
    arr_free(z);
}
END_TEST

START_TEST(equal)
{
    /* np.array_equal(np.array([1, 2, 3], np.int8), np.array([1., 2., 3.])) -> True */
    arr_t *i8 = arr_arange(1, 4, 1, ARR_INT8);
    arr_t *f = arr_arange(1, 4, 1, ARR_FLOAT64);
    ck_assert_int_eq(arr_equal(i8, f), 1);
    ck_assert_int_eq(arr_equal(f, i8), 1);
    ck_assert_int_eq(arr_set_f64(f, (int64_t[]){2}, 3.5), 0);
    ck_assert_int_eq(arr_equal(i8, f), 0);
    /* np.array_equal([nan], [nan]) -> False */
    arr_t *n1 = arr_full(1, (int64_t[]){1}, ARR_FLOAT64, NAN);
    arr_t *n2 = arr_full(1, (int64_t[]){1}, ARR_FLOAT32, NAN);
    ck_assert_int_eq(arr_equal(n1, n1), 0);
    ck_assert_int_eq(arr_equal(n1, n2), 0);
    /* np.array_equal([1+0j], [1.0]) -> True; [1+1j] vs [1.0] -> False */
    arr_t *c = arr_full(1, (int64_t[]){1}, ARR_COMPLEX128, 1.0);
    arr_t *one = arr_full(1, (int64_t[]){1}, ARR_UINT16, 1.0);
    ck_assert_int_eq(arr_equal(c, one), 1);
    ((double *)arr_data(c))[1] = 1.0;
    ck_assert_int_eq(arr_equal(c, one), 0);
    ck_assert_int_eq(arr_equal(one, c), 0);
    /* np.array_equal(np.zeros((2, 3)), np.zeros((3, 2))) -> False */
    arr_t *a23 = arr_zeros(2, (int64_t[]){2, 3}, ARR_FLOAT64);
    arr_t *a32 = arr_zeros(2, (int64_t[]){3, 2}, ARR_FLOAT64);
    arr_t *a6 = arr_zeros(1, (int64_t[]){6}, ARR_FLOAT64);
    ck_assert_int_eq(arr_equal(a23, a32), 0);
    ck_assert_int_eq(arr_equal(a23, a6), 0);
    /* transposes compare by index, not memory: a32 == a23.T */
    arr_t *t = arr_transpose(a23, NULL);
    ck_assert_int_eq(arr_equal(t, a32), 1);
    ck_assert_int_eq(arr_set_f64(a23, (int64_t[]){0, 1}, 4.0), 0);
    ck_assert_int_eq(arr_equal(t, a32), 0);
    ck_assert_int_eq(arr_set_f64(a32, (int64_t[]){1, 0}, 4.0), 0);
    ck_assert_int_eq(arr_equal(t, a32), 1);
    /* np.array_equal(np.array([-1], np.int64), np.array([2**64-1], np.uint64)) -> False */
    arr_t *m1 = arr_full(1, (int64_t[]){1}, ARR_INT64, -1);
    arr_t *big = arr_full(1, (int64_t[]){1}, ARR_UINT64, 0);
    *(uint64_t *)arr_data(big) = UINT64_MAX;
    ck_assert_int_eq(arr_equal(m1, big), 0);
    ck_assert_int_eq(arr_equal(big, m1), 0);
    /* int64 values a double cannot tell apart are still different */
    arr_t *p = arr_full(1, (int64_t[]){1}, ARR_INT64, 0);
    arr_t *q = arr_full(1, (int64_t[]){1}, ARR_INT64, 0);
    *(int64_t *)arr_data(p) = ((int64_t)1 << 53) + 1;
    *(int64_t *)arr_data(q) = (int64_t)1 << 53;
    ck_assert_int_eq(arr_equal(p, q), 0);
    /* np.array_equal(np.zeros((0, 3)), np.zeros((0, 3))) -> True */
    arr_t *e1 = arr_zeros(2, (int64_t[]){0, 3}, ARR_FLOAT64);
    arr_t *e2 = arr_zeros(2, (int64_t[]){0, 3}, ARR_INT8);
    ck_assert_int_eq(arr_equal(e1, e2), 1);
    /* errors */
    ck_assert_int_eq(arr_equal(NULL, e1), -1);
    ck_assert_arr_err(ARR_EINVAL);
    ck_assert_int_eq(arr_equal(e1, NULL), -1);
    ck_assert_arr_err(ARR_EINVAL);
    arr_t *view = arr_view(f);
    arr_free(f);
    ck_assert_int_eq(arr_equal(view, i8), -1);
    ck_assert_arr_err(ARR_EORPHAN);
    arr_free(view);
    arr_t *objs[] = {i8, n1, n2, c, one, a23, a32, a6, t, m1, big, p, q, e1, e2};
    for (size_t k = 0; k < sizeof objs / sizeof objs[0]; k++)
        arr_free(objs[k]);
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("math");
    TCase *tc = tcase_create("math");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, sum_float64_bit_exact);
    tcase_add_test(tc, sum_single_precision_and_complex);
    tcase_add_test(tc, sum_vector_kernels_keep_pairwise_order);
    tcase_add_test(tc, sum_integers_bool_empty);
    tcase_add_test(tc, sum_errors);
    tcase_add_test(tc, element_access);
    tcase_add_test(tc, store_agrees_with_astype);
    tcase_add_test(tc, fill);
    tcase_add_test(tc, equal);
    suite_add_tcase(s, tc);
    return s;
}

ARR_TEST_MAIN()
