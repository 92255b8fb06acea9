/* test_copy.c - arr_copy (orders C/F/A/K), arr_ascontiguous, arr_asfortran,
 * arr_astype (casting edge values), arr_copyto (broadcasting, overlap,
 * errors) and the strided copy engine against a naive reference.
 * Expected layouts and values come from NumPy 1.24 (/usr/bin/python3); the
 * expression is quoted next to each. */
#include "unit.h"

#include <math.h>
#include <stdio.h>

extern long arr__alloc_fail_countdown;
extern int arr__avoid_avx; /* libarr: 1 = SSE2 kernels even on AVX CPUs */

#include <float.h>

/* np.arange(n, dtype=float).reshape(shape): an owner. */
static arr_t *arange_shaped(int64_t n, int ndim, const int64_t *shape)
{
    arr_t *m = arr_empty(ndim, shape, ARR_FLOAT64);
    ck_assert_arr_ok(m);
    ck_assert_int_eq(arr_size(m), n);
    for (int64_t i = 0; i < n; i++)
        ((double *)arr_data(m))[i] = (double)i;
    return m;
}

/* np.arange(24.).reshape(2, 3, 4) */
static arr_t *make_x(void)
{
    return arange_shaped(24, 3, (const int64_t[]){2, 3, 4});
}

static void assert_strides(const arr_t *a, int ndim, const int64_t *expected)
{
    ck_assert_int_eq(arr_ndim(a), ndim);
    for (int i = 0; i < ndim; i++)
        ck_assert_msg(arr_strides(a)[i] == expected[i], "axis %d: stride %lld, NumPy %lld", i,
                      (long long)arr_strides(a)[i], (long long)expected[i]);
}

/* Checks that c is a fresh copy of v: owner, OWNDATA|WRITEABLE, same values. */
static void assert_copy_of(const arr_t *c, const arr_t *v, arr_op_t op)
{
    ck_assert_arr_ok(c);
    ck_assert(!arr_is_view(c));
    ck_assert_ptr_null(arr_base(c));
    ck_assert_int_eq(arr_flags(c) & (ARR_OWNDATA | ARR_WRITEABLE), ARR_OWNDATA | ARR_WRITEABLE);
    ck_assert_int_eq(c->op, op);
    ck_assert_int_eq(c->source_id, arr_id(v));
    ck_assert_int_eq(arr_equal(c, v), 1);
}

struct order_case {
    const char *what;   /* the NumPy expression of the view */
    int axes[3];        /* transpose first (all -1: none) */
    const char *slice;  /* then slice (NULL: none) */
    int64_t strides[4][3]; /* np.copy(v, order=o).strides for o in "CFAK" */
    int64_t astype_k[3];   /* v.astype(np.int32).strides */
};

static const struct order_case order_cases[] = {
    {"x.transpose(1,2,0)", {1, 2, 0}, NULL,
     {{64, 16, 8}, {8, 24, 96}, {64, 16, 8}, {32, 8, 96}}, {16, 4, 48}},
    {"x[:, ::-1, ::2]", {-1, -1, -1}, ":, ::-1, ::2",
     {{48, 16, 8}, {8, 16, 48}, {48, 16, 8}, {48, 16, 8}}, {24, 8, 4}},
    {"x.T", {2, 1, 0}, NULL,
     {{48, 16, 8}, {8, 32, 96}, {8, 32, 96}, {8, 32, 96}}, {4, 16, 48}},
    {"x.transpose(2,0,1)[::2]", {2, 0, 1}, "::2",
     {{48, 24, 8}, {8, 16, 32}, {48, 24, 8}, {8, 48, 16}}, {4, 24, 8}},
    {"x[:, :1, :]", {-1, -1, -1}, ":, :1, :",
     {{32, 32, 8}, {8, 16, 16}, {32, 32, 8}, {32, 32, 8}}, {16, 16, 4}},
    {"x.transpose(0,2,1)[:, :, ::-1]", {0, 2, 1}, ":, :, ::-1",
     {{96, 24, 8}, {8, 16, 64}, {96, 24, 8}, {96, 8, 32}}, {48, 4, 16}},
};

START_TEST(copy_orders_match_numpy)
{
    static const arr_order_t orders[4] = {ARR_ORDER_C, ARR_ORDER_F, ARR_ORDER_A, ARR_ORDER_K};
    const struct order_case *oc = &order_cases[_i];
    arr_t *x = make_x();
    arr_t *v = oc->axes[0] >= 0 ? arr_transpose(x, oc->axes) : arr_view(x);
    ck_assert_arr_ok(v);
    if (oc->slice) {
        arr_t *s = arr_slice(v, oc->slice);
        ck_assert_arr_ok(s);
        arr_free(v);
        v = s;
    }
    for (int o = 0; o < 4; o++) {
        arr_t *c = arr_copy(v, orders[o]);
        assert_copy_of(c, v, ARR_OP_COPY);
        ck_assert_msg(1, "%s order %c", oc->what, (char)orders[o]);
        assert_strides(c, 3, oc->strides[o]);
        arr_free(c);
    }
    arr_t *t = arr_astype(v, ARR_INT32);
    ck_assert_arr_ok(t);
    ck_assert_int_eq(t->op, ARR_OP_ASTYPE);
    ck_assert_int_eq(arr_dtype(t), ARR_INT32);
    ck_assert_int_eq(arr_equal(t, v), 1);
    assert_strides(t, 3, oc->astype_k);
    arr_free(t);
    arr_free(v);
    arr_free(x);
}
END_TEST

/* Order K with tied strides (broadcast axes have stride 0): NumPy's sort is
 * stable, ties keep axis order. */
START_TEST(copy_order_k_ties)
{
    arr_t *r2 = arr_arange(0, 2, 1, ARR_FLOAT64);
    arr_t *r3 = arr_arange(0, 3, 1, ARR_FLOAT64);
    arr_t *r4 = arr_arange(0, 4, 1, ARR_FLOAT64);
    arr_t *col2 = arr_reshape(r2, 3, (int64_t[]){2, 1, 1}, ARR_COPY_NEVER);
    arr_t *col3 = arr_reshape(r3, 2, (int64_t[]){3, 1}, ARR_COPY_NEVER);
    /* b = np.broadcast_to(np.arange(2.)[:, None, None], (2, 3, 4)):
     * np.copy(b, order='K').strides == (96, 32, 8); b.astype(np.int8).strides == (12, 4, 1) */
    arr_t *b = arr_broadcast_to(col2, 3, (int64_t[]){2, 3, 4});
    arr_t *cb = arr_copy(b, ARR_ORDER_K);
    assert_copy_of(cb, b, ARR_OP_COPY);
    assert_strides(cb, 3, (const int64_t[]){96, 32, 8});
    arr_t *tb = arr_astype(b, ARR_INT8);
    assert_strides(tb, 3, (const int64_t[]){12, 4, 1});
    ck_assert_int_eq(arr_equal(tb, b), 1);
    /* c = np.broadcast_to(np.arange(4.), (2, 3, 4)): K strides (24, 8, 48) */
    arr_t *c = arr_broadcast_to(r4, 3, (int64_t[]){2, 3, 4});
    arr_t *cc = arr_copy(c, ARR_ORDER_K);
    assert_copy_of(cc, c, ARR_OP_COPY);
    assert_strides(cc, 3, (const int64_t[]){24, 8, 48});
    /* d = np.broadcast_to(np.arange(3.)[:, None], (2, 3, 4)).transpose(2, 0, 1):
     * K strides (16, 8, 64) */
    arr_t *d0 = arr_broadcast_to(col3, 3, (int64_t[]){2, 3, 4});
    arr_t *d = arr_transpose(d0, (const int[]){2, 0, 1});
    arr_t *cd = arr_copy(d, ARR_ORDER_K);
    assert_copy_of(cd, d, ARR_OP_COPY);
    assert_strides(cd, 3, (const int64_t[]){16, 8, 64});
    arr_t *all[] = {cd, d, d0, cc, c, tb, cb, b, col3, col2, r4, r3, r2};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        arr_free(all[i]);
}
END_TEST

START_TEST(copy_is_independent)
{
    arr_t *x = make_x();
    arr_t *c = arr_copy(x, ARR_ORDER_K);
    ck_assert_arr_ok(c);
    ck_assert_ptr_ne(arr_data(c), arr_data(x));
    ck_assert_int_eq(arr_set_f64(c, (int64_t[]){0, 0, 0}, 100.0), 0);
    double v;
    ck_assert_int_eq(arr_get_f64(x, (int64_t[]){0, 0, 0}, &v), 0);
    ck_assert(v == 0.0);
    ck_assert_int_eq(arr_equal(c, x), 0);
    arr_free(c);
    arr_free(x);
}
END_TEST

START_TEST(copy_0d_and_empty)
{
    arr_t *s = arr_full(0, NULL, ARR_INT16, -7);
    ck_assert_arr_ok(s);
    arr_t *c = arr_copy(s, ARR_ORDER_F);
    assert_copy_of(c, s, ARR_OP_COPY);
    ck_assert_int_eq(arr_ndim(c), 0);
    arr_free(c);
    arr_t *e = arr_zeros(2, (int64_t[]){3, 0}, ARR_FLOAT32);
    ck_assert_arr_ok(e);
    c = arr_copy(e, ARR_ORDER_C);
    assert_copy_of(c, e, ARR_OP_COPY);
    ck_assert_int_eq(arr_size(c), 0);
    arr_free(c);
    arr_free(e);
    arr_free(s);
}
END_TEST

START_TEST(ascontiguous_and_asfortran)
{
    arr_t *x = make_x();
    /* np.ascontiguousarray(x) is x: libarr gives a view */
    arr_t *v = arr_ascontiguous(x);
    ck_assert_arr_ok(v);
    ck_assert(arr_is_view(v));
    ck_assert_ptr_eq(arr_base(v), x);
    ck_assert_ptr_eq(arr_data(v), arr_data(x));
    ck_assert_int_eq(v->op, ARR_OP_ASCONTIGUOUS);
    arr_free(v);

    /* np.asfortranarray(x).strides == (8, 16, 48), a copy */
    arr_t *f = arr_asfortran(x);
    assert_copy_of(f, x, ARR_OP_ASFORTRAN_COPY);
    assert_strides(f, 3, (const int64_t[]){8, 16, 48});
    /* ... and asfortranarray of that is itself */
    arr_t *ff = arr_asfortran(f);
    ck_assert_arr_ok(ff);
    ck_assert(arr_is_view(ff));
    ck_assert_int_eq(ff->op, ARR_OP_ASFORTRAN);
    ck_assert_ptr_eq(arr_data(ff), arr_data(f));
    arr_free(ff);

    /* np.ascontiguousarray(x.T).strides == (48, 16, 8) */
    arr_t *t = arr_transpose(x, NULL);
    arr_t *c = arr_ascontiguous(t);
    assert_copy_of(c, t, ARR_OP_ASCONTIGUOUS_COPY);
    assert_strides(c, 3, (const int64_t[]){48, 16, 8});
    arr_free(c);
    arr_free(t);
    arr_free(f);

    /* np.ascontiguousarray(np.array(5.)): shape (1,), strides (8,), .base is
     * the 0-d array; np.asfortranarray the same */
    arr_t *s = arr_full(0, NULL, ARR_FLOAT64, 5.0);
    arr_t *s1 = arr_ascontiguous(s);
    arr_t *s2 = arr_asfortran(s);
    ck_assert_arr_ok(s1);
    ck_assert_arr_ok(s2);
    ck_assert(arr_is_view(s1) && arr_is_view(s2));
    ck_assert_int_eq(arr_ndim(s1), 1);
    ck_assert_int_eq(arr_shape(s1)[0], 1);
    ck_assert_int_eq(arr_strides(s2)[0], 8);
    ck_assert_int_eq(arr_ndim(s2), 1);
    ck_assert_int_eq(s1->op, ARR_OP_ASCONTIGUOUS);
    ck_assert_int_eq(s2->op, ARR_OP_ASFORTRAN);
    double val;
    ck_assert_int_eq(arr_get_f64(s1, (int64_t[]){0}, &val), 0);
    ck_assert(val == 5.0);
    arr_free(s1);
    arr_free(s2);
    arr_free(s);
    arr_free(x);
}
END_TEST

/* Float64 values cast to integers.  In range: NumPy's results
 * (np.array([..]).astype(t)); NaN, inf and out of range: the target's
 * minimum (arr.h's contract; NumPy gives CPU-dependent values there). */
static const double cast_inputs[] = {NAN, INFINITY, -INFINITY, 1e20, -1e20, 2.9,
                                     -2.9, 127.9, -128.9, 255.9, -0.5, -1.0};
#define NCAST (sizeof cast_inputs / sizeof cast_inputs[0])

START_TEST(astype_float_to_int_edges)
{
    arr_t *src = arr_empty(1, (int64_t[]){NCAST}, ARR_FLOAT64);
    ck_assert_arr_ok(src);
    memcpy(arr_data(src), cast_inputs, sizeof cast_inputs);

    /* NumPy: [0 0 0 0 0 2 -2 127 -128 -1 0 -1] (255.9 out of range: ours -128) */
    static const int8_t want_i8[NCAST] = {-128, -128, -128, -128, -128, 2, -2, 127, -128, -128, 0, -1};
    /* NumPy: [0 0 0 0 0 2 254 127 128 255 0 255]; -2.9, -128.9, -1 are out of
     * uint8's range: ours 0 */
    static const uint8_t want_u8[NCAST] = {0, 0, 0, 0, 0, 2, 0, 127, 0, 255, 0, 0};
    /* NumPy int32: [-2147483648 x5, 2, -2, 127, -128, 255, 0, -1]: same */
    static const int32_t want_i32[NCAST] = {INT32_MIN, INT32_MIN, INT32_MIN, INT32_MIN, INT32_MIN,
                                            2, -2, 127, -128, 255, 0, -1};
    /* NumPy int64: [-9223372036854775808 x5, 2, -2, 127, -128, 255, 0, -1]: same */
    static const int64_t want_i64[NCAST] = {INT64_MIN, INT64_MIN, INT64_MIN, INT64_MIN, INT64_MIN,
                                            2, -2, 127, -128, 255, 0, -1};
    /* NumPy uint64 in range: 2, 127, 255, 0 (-0.5 truncates to 0) */
    static const uint64_t want_u64[NCAST] = {0, 0, 0, 0, 0, 2, 0, 127, 0, 255, 0, 0};

    arr_t *c = arr_astype(src, ARR_INT8);
    ck_assert_arr_ok(c);
    for (size_t i = 0; i < NCAST; i++)
        ck_assert_msg(((int8_t *)arr_data(c))[i] == want_i8[i], "int8[%zu] = %d", i,
                      ((int8_t *)arr_data(c))[i]);
    arr_free(c);
    c = arr_astype(src, ARR_UINT8);
    ck_assert_arr_ok(c);
    ck_assert_mem_eq(arr_data(c), want_u8, sizeof want_u8);
    arr_free(c);
    c = arr_astype(src, ARR_INT32);
    ck_assert_arr_ok(c);
    ck_assert_mem_eq(arr_data(c), want_i32, sizeof want_i32);
    arr_free(c);
    c = arr_astype(src, ARR_INT64);
    ck_assert_arr_ok(c);
    ck_assert_mem_eq(arr_data(c), want_i64, sizeof want_i64);
    arr_free(c);
    c = arr_astype(src, ARR_UINT64);
    ck_assert_arr_ok(c);
    ck_assert_mem_eq(arr_data(c), want_u64, sizeof want_u64);
    arr_free(c);
    arr_free(src);
}
END_TEST

START_TEST(astype_int_float_complex_bool)
{
    /* np.array([2**64-1, 2**63], np.uint64).astype(np.int64) == [-1, -2**63] */
    arr_t *u = arr_empty(1, (int64_t[]){2}, ARR_UINT64);
    ((uint64_t *)arr_data(u))[0] = UINT64_MAX;
    ((uint64_t *)arr_data(u))[1] = (uint64_t)1 << 63;
    arr_t *c = arr_astype(u, ARR_INT64);
    ck_assert_arr_ok(c);
    ck_assert(((int64_t *)arr_data(c))[0] == -1);
    ck_assert(((int64_t *)arr_data(c))[1] == INT64_MIN);
    /* ... and back: np.array([-1, -2**63]).astype(np.uint64) ==
     * [18446744073709551615, 9223372036854775808] */
    arr_t *back = arr_astype(c, ARR_UINT64);
    ck_assert_arr_ok(back);
    ck_assert_mem_eq(arr_data(back), arr_data(u), 16);
    arr_free(back);
    arr_free(c);
    /* np.array([2**64-1], np.uint64).astype(np.float32) == 0x1p+64 */
    c = arr_astype(u, ARR_FLOAT32);
    ck_assert(((float *)arr_data(c))[0] == 0x1p64f);
    arr_free(c);
    arr_free(u);

    /* np.array([2**53+1, 2**63-1]).astype(np.float64) == [0x1p+53, 0x1p+63] */
    arr_t *i = arr_empty(1, (int64_t[]){2}, ARR_INT64);
    ((int64_t *)arr_data(i))[0] = ((int64_t)1 << 53) + 1;
    ((int64_t *)arr_data(i))[1] = INT64_MAX;
    c = arr_astype(i, ARR_FLOAT64);
    ck_assert(((double *)arr_data(c))[0] == 0x1p53);
    ck_assert(((double *)arr_data(c))[1] == 0x1p63);
    arr_free(c);
    arr_free(i);

    /* np.array([1e300, -1e300, 0.1]).astype(np.float32) == [inf, -inf, 0x1.99999ap-4] */
    arr_t *d = arr_empty(1, (int64_t[]){3}, ARR_FLOAT64);
    memcpy(arr_data(d), (double[]){1e300, -1e300, 0.1}, 24);
    c = arr_astype(d, ARR_FLOAT32);
    ck_assert(isinf(((float *)arr_data(c))[0]) && ((float *)arr_data(c))[0] > 0);
    ck_assert(isinf(((float *)arr_data(c))[1]) && ((float *)arr_data(c))[1] < 0);
    ck_assert(((float *)arr_data(c))[2] == 0x1.99999ap-4f);
    arr_free(c);
    arr_free(d);

    /* np.array([1.5+2j, -3-4j]).astype(np.float64) == [1.5, -3.];
     * .astype(np.int16) == [1, -3]; back to complex64: imaginary part 0 */
    arr_t *z = arr_empty(1, (int64_t[]){2}, ARR_COMPLEX128);
    memcpy(arr_data(z), (double[]){1.5, 2, -3, -4}, 32);
    c = arr_astype(z, ARR_FLOAT64);
    ck_assert(((double *)arr_data(c))[0] == 1.5 && ((double *)arr_data(c))[1] == -3);
    arr_t *c16 = arr_astype(z, ARR_INT16);
    ck_assert(((int16_t *)arr_data(c16))[0] == 1 && ((int16_t *)arr_data(c16))[1] == -3);
    arr_t *c64 = arr_astype(c, ARR_COMPLEX64);
    ck_assert_mem_eq(arr_data(c64), ((float[]){1.5f, 0, -3, 0}), 16);
    arr_t *z64 = arr_astype(z, ARR_COMPLEX64);
    ck_assert_mem_eq(arr_data(z64), ((float[]){1.5f, 2, -3, -4}), 16);
    arr_free(z64);
    arr_free(c64);
    arr_free(c16);
    arr_free(c);

    /* np.array([0j, 1j]).astype(bool) == [False, True] */
    arr_t *zb = arr_slice(z, "::-1"); /* [-3-4j, 1.5+2j] */
    arr_t *zero = arr_zeros(1, (int64_t[]){2}, ARR_COMPLEX128);
    ((double *)arr_data(zero))[3] = 1.0; /* [0, 1j] */
    c = arr_astype(zero, ARR_BOOL);
    ck_assert_mem_eq(arr_data(c), ((uint8_t[]){0, 1}), 2);
    arr_free(c);
    arr_free(zero);
    arr_free(zb);
    arr_free(z);

    /* np.array([0.0, -0.0, nan, 0.1]).astype(bool) == [F, F, T, T] */
    d = arr_empty(1, (int64_t[]){4}, ARR_FLOAT64);
    memcpy(arr_data(d), (double[]){0.0, -0.0, NAN, 0.1}, 32);
    c = arr_astype(d, ARR_BOOL);
    ck_assert_mem_eq(arr_data(c), ((uint8_t[]){0, 0, 1, 1}), 4);
    /* bool -> float: 0/1 */
    arr_t *cf = arr_astype(c, ARR_FLOAT32);
    ck_assert_mem_eq(arr_data(cf), ((float[]){0, 0, 1, 1}), 16);
    arr_free(cf);
    arr_free(c);
    arr_free(d);

    /* np.array([200, -129, 65535], np.int32).astype(np.int8) == [-56, 127, -1];
     * np.array([256, 0], np.int32).astype(bool) == [True, False] */
    i = arr_empty(1, (int64_t[]){3}, ARR_INT32);
    memcpy(arr_data(i), (int32_t[]){200, -129, 65535}, 12);
    c = arr_astype(i, ARR_INT8);
    ck_assert_mem_eq(arr_data(c), ((int8_t[]){-56, 127, -1}), 3);
    arr_free(c);
    ((int32_t *)arr_data(i))[0] = 256;
    ((int32_t *)arr_data(i))[1] = 0;
    c = arr_astype(i, ARR_BOOL);
    ck_assert_mem_eq(arr_data(c), ((uint8_t[]){1, 0, 1}), 3);
    arr_free(c);
    arr_free(i);
    /* np.array([-1], np.int8).astype(np.uint32) == [4294967295] */
    i = arr_full(1, (int64_t[]){1}, ARR_INT8, -1);
    c = arr_astype(i, ARR_UINT32);
    ck_assert(((uint32_t *)arr_data(c))[0] == 4294967295u);
    arr_free(c);
    arr_free(i);
}
END_TEST

START_TEST(copy_errors)
{
    arr_t *x = make_x();
    ck_assert_ptr_null(arr_copy(x, (arr_order_t)'Z'));
    ck_assert_arr_err(ARR_EINVAL);
    ck_assert_ptr_nonnull(strstr(arr_errmsg(), "'Z'"));
    ck_assert_ptr_null(arr_copy(x, (arr_order_t)0));
    ck_assert_arr_err(ARR_EINVAL);
    ck_assert_ptr_null(arr_astype(x, ARR_NDTYPES));
    ck_assert_arr_err(ARR_EINVAL);
    ck_assert_ptr_null(arr_astype(x, (arr_dtype_t)-1));
    ck_assert_arr_err(ARR_EINVAL);
    ck_assert_ptr_null(arr_copy(NULL, ARR_ORDER_C));
    ck_assert_arr_err(ARR_EINVAL);
    ck_assert_ptr_null(arr_ascontiguous(NULL));
    ck_assert_arr_err(ARR_EINVAL);
    ck_assert_ptr_null(arr_asfortran(NULL));
    ck_assert_arr_err(ARR_EINVAL);
    ck_assert_ptr_null(arr_astype(NULL, ARR_INT8));
    ck_assert_arr_err(ARR_EINVAL);
    /* A pointer that is not a handle is looked up, never read. */
    arr_t fake;
    memset(&fake, 0, sizeof fake);
    ck_assert_ptr_null(arr_copy(&fake, ARR_ORDER_C));
    ck_assert_arr_err(ARR_ENOTLIVE);

    /* Orphaned views: their data is gone. */
    arr_t *t = arr_transpose(x, NULL);
    arr_t *row = arr_slice(x, "0");
    arr_free(x);
    ck_assert_ptr_null(arr_copy(t, ARR_ORDER_C));
    ck_assert_arr_err(ARR_EORPHAN);
    ck_assert_ptr_null(arr_ascontiguous(t));
    ck_assert_arr_err(ARR_EORPHAN);
    ck_assert_ptr_null(arr_asfortran(row));
    ck_assert_arr_err(ARR_EORPHAN);
    ck_assert_ptr_null(arr_astype(row, ARR_INT8));
    ck_assert_arr_err(ARR_EORPHAN);
    arr_free(t);
    arr_free(row);
}
END_TEST

START_TEST(copy_allocation_failures)
{
    arr_t *x = make_x();
    arr_t *t = arr_transpose(x, NULL);
    arr_stats_t before = arr_stats();
    /* Every allocation a copy makes, failed in turn: an error, nothing leaked. */
    for (long n = 1; n <= 4; n++) {
        arr__alloc_fail_countdown = n;
        arr_t *c = arr_copy(t, ARR_ORDER_C);
        arr__alloc_fail_countdown = 0;
        if (c) {
            ck_assert_int_eq(arr_equal(c, t), 1);
            arr_free(c);
            continue;
        }
        ck_assert_arr_err(ARR_ENOMEM);
        arr_stats_t now = arr_stats();
        ck_assert_int_eq(now.live_owners, before.live_owners);
        ck_assert_int_eq(now.live_bytes, before.live_bytes);
    }
    for (long n = 1; n <= 4; n++) {
        arr__alloc_fail_countdown = n;
        arr_t *c = arr_astype(t, ARR_INT16);
        arr__alloc_fail_countdown = 0;
        if (c)
            arr_free(c);
        else
            ck_assert_arr_err(ARR_ENOMEM);
    }
    /* copyto with overlap needs scratch memory: failing it leaves dst as it was */
    arr_t *whole = arr_view(x), *rev = arr_flip(x, ARR_ALL_AXES);
    arr__alloc_fail_countdown = 1;
    ck_assert_int_eq(arr_copyto(whole, rev), -1);
    arr__alloc_fail_countdown = 0;
    ck_assert_arr_err(ARR_ENOMEM);
    arr_t *fresh = make_x();
    ck_assert_int_eq(arr_equal(x, fresh), 1);
    ck_assert_int_eq(arr_copyto(whole, rev), 0);
    ck_assert_int_eq(arr_equal(x, fresh), 0);
    arr_free(fresh);
    arr_free(rev);
    arr_free(whole);
    arr_free(t);
    arr_free(x);
}
END_TEST

/* ---- random strided copies against a naive reference ------------------ */

static uint64_t lcg_state;
static uint64_t lcg(void)
{
    lcg_state = lcg_state * 6364136223846793005u + 1442695040888963407u;
    return lcg_state >> 33;
}

/* Naive reference: element by element through arr_ptr, in C index order. */
static void assert_same_elements(const arr_t *got, const arr_t *src, int same_dtype)
{
    int nd = arr_ndim(src);
    int64_t index[ARR_MAXDIMS] = {0};
    int64_t size = arr_size(src);
    for (int64_t k = 0; k < size; k++) {
        const void *p = arr_ptr(got, index), *q = arr_ptr(src, index);
        ck_assert_ptr_nonnull(p);
        ck_assert_ptr_nonnull(q);
        if (same_dtype) {
            ck_assert_msg(memcmp(p, q, (size_t)src->itemsize) == 0, "element %lld differs",
                          (long long)k);
        } else {
            double a, b;
            arr_get_f64(got, index, &a);
            arr_get_f64(src, index, &b);
            if (arr_dtype(got) == ARR_BOOL)
                b = b != 0; /* astype(bool) is x != 0 */
            ck_assert_msg(a == b, "element %lld: %g vs %g", (long long)k, a, b);
        }
        for (int ax = nd - 1; ax >= 0; ax--) {
            if (++index[ax] < arr_shape(src)[ax])
                break;
            index[ax] = 0;
        }
    }
}

/* A random view of a random owner: up to 4 axes, random steps (negative
 * too), offsets and a random transpose. */
static arr_t *random_view(arr_t **owner_out, arr_dtype_t dtype)
{
    int nd = 1 + (int)(lcg() % 4);
    int64_t shape[4];
    for (int i = 0; i < nd; i++)
        shape[i] = 1 + (int64_t)(lcg() % (nd == 1 ? 3000 : nd == 2 ? 70 : 14));
    arr_t *owner = arr_empty(nd, shape, dtype);
    ck_assert_arr_ok(owner);
    /* small integers: exact in every dtype */
    unsigned char *bytes = arr_data(owner);
    int64_t n = arr_size(owner);
    for (int64_t k = 0; k < n; k++) {
        double v = (double)(lcg() % 100);
        if (dtype == ARR_BOOL)
            v = v < 50;
        arr_set_f64(owner, (int64_t[]){0, 0, 0, 0}, v); /* exercise set too */
        int64_t idx[4], rest = k;
        for (int i = nd - 1; i >= 0; i--) {
            idx[i] = rest % shape[i];
            rest /= shape[i];
        }
        ck_assert_int_eq(arr_set_f64(owner, idx, v), 0);
    }
    (void)bytes;
    char spec[128] = "";
    for (int i = 0; i < nd; i++) {
        int64_t step = 1 + (int64_t)(lcg() % 3);
        if (lcg() % 3 == 0)
            step = -step;
        int64_t start = (int64_t)(lcg() % 3);
        char part[40];
        if (step > 0)
            snprintf(part, sizeof part, "%s%lld::%lld", i ? "," : "", (long long)start, (long long)step);
        else
            snprintf(part, sizeof part, "%s%lld::%lld", i ? "," : "", (long long)(-1 - start), (long long)step);
        strcat(spec, part);
    }
    arr_t *s = arr_slice(owner, spec);
    ck_assert_msg(s != NULL, "slice %s: %s", spec, arr_errmsg());
    int axes[4] = {0, 1, 2, 3};
    for (int i = nd - 1; i > 0; i--) {
        int j = (int)(lcg() % (uint64_t)(i + 1));
        int tmp = axes[i];
        axes[i] = axes[j];
        axes[j] = tmp;
    }
    arr_t *v = arr_transpose(s, axes);
    ck_assert_arr_ok(v);
    arr_free(s);
    *owner_out = owner;
    return v;
}

START_TEST(random_strided_copies)
{
    static const arr_dtype_t dtypes[] = {ARR_BOOL, ARR_INT8, ARR_INT16, ARR_UINT32, ARR_INT64,
                                         ARR_FLOAT32, ARR_FLOAT64, ARR_COMPLEX64, ARR_COMPLEX128};
    static const arr_order_t orders[] = {ARR_ORDER_C, ARR_ORDER_F, ARR_ORDER_A, ARR_ORDER_K};
    lcg_state = 12345;
    for (int round = 0; round < 120; round++) {
        arr_dtype_t dt = dtypes[lcg() % 9];
        arr_t *owner;
        arr_t *v = random_view(&owner, dt);
        arr_t *c = arr_copy(v, orders[round % 4]);
        ck_assert_arr_ok(c);
        assert_same_elements(c, v, 1);
        arr_dtype_t to = dtypes[lcg() % 9];
        arr_t *t = arr_astype(v, to);
        ck_assert_arr_ok(t);
        assert_same_elements(t, v, to == dt);
        /* copyto into a strided view of another array (no overlap) */
        arr_t *big = arr_zeros(arr_ndim(v), arr_shape(v), to);
        arr_t *dst = arr_flip(big, 0);
        ck_assert_int_eq(arr_copyto(dst, v), 0);
        assert_same_elements(dst, v, to == dt);
        arr_free(dst);
        arr_free(big);
        arr_free(t);
        arr_free(c);
        arr_free(v);
        arr_free(owner);
    }
}
END_TEST

/* float64 -> float32 over contiguous data takes packed conversions: each
 * result must be the bits of C's own (float) conversion, for edge values
 * (overflow to inf, subnormal results, ties, NaN, signed zeros), every
 * length around the vector widths, aligned or not, with SSE2 and AVX. */
START_TEST(astype_float64_to_float32_packed)
{
    static const double edges[] = {0.0, -0.0, 1.0, -1.5, 0.1, 1e-40, -1e-45, 1e-50,
                                   FLT_MAX, -FLT_MAX, 3.5e38, -1e300, DBL_MAX, INFINITY,
                                   -INFINITY, NAN, 1.0 + 0x1p-24, 1.0 + 0x1p-23 + 0x1p-24,
                                   0x1.fffffefp127, 16777217.0, -0.0};
    enum { NEDGE = sizeof edges / sizeof edges[0], MAXN = 1100 };
    double *values = malloc(MAXN * sizeof *values);
    char *raw = malloc(MAXN * sizeof(double) + 8);
    ck_assert_ptr_nonnull(values);
    ck_assert_ptr_nonnull(raw);
    uint64_t x = 99;
    for (int64_t i = 0; i < MAXN; i++) {
        x = x * 6364136223846793005u + 1442695040888963407u;
        values[i] = i < NEDGE ? edges[i] : ((double)(x >> 11) * 0x1p-53 - 0.5) * 1e3;
    }
    memcpy(raw + 4, values, MAXN * sizeof *values);
    static const int64_t lengths[] = {0, 1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 21, 33, 1000, MAXN};
    for (int avoid = 0; avoid <= 1; avoid++) {
        arr__avoid_avx = avoid;
        for (size_t k = 0; k < sizeof lengths / sizeof lengths[0]; k++) {
            int64_t n = lengths[k];
            /* aligned (an owner) and 4 bytes off (wrapped memory) */
            arr_t *aligned = arr_empty(1, &n, ARR_FLOAT64);
            ck_assert_arr_ok(aligned);
            if (n > 0)
                memcpy(arr_data(aligned), values, (size_t)n * sizeof *values);
            arr_t *shifted = arr_wrap(raw + 4, 1, &n, NULL, ARR_FLOAT64, 0);
            ck_assert_arr_ok(shifted);
            arr_t *sources[2] = {aligned, shifted};
            for (int s = 0; s < 2; s++) {
                arr_t *f = arr_astype(sources[s], ARR_FLOAT32);
                ck_assert_arr_ok(f);
                const float *got = arr_data(f);
                for (int64_t i = 0; i < n; i++) {
                    float want = (float)values[i];
                    ck_assert_msg(memcmp(&got[i], &want, sizeof want) == 0,
                                  "n=%lld source %d avoid_avx=%d [%lld]: %a -> %a, C gives %a",
                                  (long long)n, s, avoid, (long long)i, values[i],
                                  (double)got[i], (double)want);
                }
                arr_free(f);
            }
            arr_free(shifted);
            arr_free(aligned);
        }
    }
    arr__avoid_avx = 0;
    free(raw);
    free(values);
}
END_TEST

/* Same-dtype copies: every-other-element gathers (the inner axis of
 * a[::2, ::2]) for 8-byte types, the unrolled strided loop for each item
 * size, and contiguous copies longer than the 256 KB pieces they are cut
 * into, against a naive element-by-element reference. */
START_TEST(raw_copy_kernels)
{
    /* every item size, the 4- and 8-byte ones twice (reversed kernels) */
    static const arr_dtype_t dtypes[] = {ARR_INT8, ARR_INT16, ARR_INT32, ARR_INT64, ARR_FLOAT64,
                                         ARR_COMPLEX128, ARR_FLOAT32, ARR_COMPLEX64};
    static const char *const specs[] = {"::2", "1::2", "::3", "::-2", "::-1", "::5", "-2::-1"};
    for (size_t d = 0; d < sizeof dtypes / sizeof dtypes[0]; d++) {
        int64_t itemsize = arr_dtype_size(dtypes[d]);
        for (int64_t n = 0; n <= 41; n++) {
            arr_t *a = arr_empty(1, &n, dtypes[d]);
            ck_assert_arr_ok(a);
            unsigned char *bytes = arr_data(a);
            for (int64_t i = 0; i < n * itemsize; i++)
                bytes[i] = (unsigned char)(i * 7 + 3);
            for (size_t k = 0; k < sizeof specs / sizeof specs[0]; k++) {
                arr_t *v = arr_slice(a, specs[k]);
                ck_assert_arr_ok(v);
                arr_t *c = arr_copy(v, ARR_ORDER_C);
                ck_assert_arr_ok(c);
                int64_t m = arr_size(v), step = arr_strides(v)[0];
                const char *from = arr_data(v);
                for (int64_t i = 0; i < m; i++)
                    ck_assert_msg(memcmp((char *)arr_data(c) + i * itemsize, from + i * step,
                                         (size_t)itemsize) == 0,
                                  "%s n=%lld %s: element %lld", arr_dtype_name(dtypes[d]),
                                  (long long)n, specs[k], (long long)i);
                arr_free(c);
                arr_free(v);
            }
            arr_free(a);
        }
    }
    /* 2-D a[::2, ::2] of float64, odd sizes */
    arr_t *m = arange_shaped(37 * 23, 2, (const int64_t[]){37, 23});
    arr_t *v = arr_slice(m, "::2, ::2");
    ck_assert_arr_ok(v);
    arr_t *c = arr_copy(v, ARR_ORDER_C);
    ck_assert_arr_ok(c);
    for (int64_t r = 0; r < 19; r++)
        for (int64_t k = 0; k < 12; k++)
            ck_assert(((double *)arr_data(c))[r * 12 + k] == (double)(2 * r * 23 + 2 * k));
    arr_free(c);
    arr_free(v);
    arr_free(m);
    /* contiguous (one memcpy): sizes around 256 KB and an odd large one */
    static const int64_t sizes[] = {(256 << 10) - 1, 256 << 10, (256 << 10) + 1, 3000017};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        int64_t n = sizes[k];
        arr_t *a = arr_empty(1, &n, ARR_UINT8);
        ck_assert_arr_ok(a);
        unsigned char *bytes = arr_data(a);
        for (int64_t i = 0; i < n; i++)
            bytes[i] = (unsigned char)((i * 131) >> 3);
        arr_t *copy = arr_copy(a, ARR_ORDER_C);
        ck_assert_arr_ok(copy);
        ck_assert_msg(memcmp(arr_data(copy), bytes, (size_t)n) == 0, "%lld bytes", (long long)n);
        arr_free(copy);
        arr_free(a);
    }
}
END_TEST

/* The tiled transpose path, all item sizes, edges not multiples of tiles. */
START_TEST(transposed_copies_tiled)
{
    static const arr_dtype_t dtypes[] = {ARR_INT8, ARR_INT16, ARR_FLOAT32, ARR_FLOAT64,
                                         ARR_COMPLEX128};
    for (int d = 0; d < 5; d++) {
        arr_t *a = arr_arange(0, 131 * 77, 1, ARR_INT32);
        arr_t *m = arr_reshape(a, 2, (int64_t[]){131, 77}, ARR_COPY_NEVER);
        arr_t *typed = arr_astype(m, dtypes[d]);
        arr_t *t = arr_transpose(typed, NULL);
        arr_t *c = arr_ascontiguous(t);
        ck_assert_arr_ok(c);
        ck_assert_int_eq(c->op, ARR_OP_ASCONTIGUOUS_COPY);
        assert_same_elements(c, t, 1);
        /* a cast through the tiles too */
        arr_t *back = arr_zeros(2, (int64_t[]){77, 131}, ARR_FLOAT64);
        ck_assert_int_eq(arr_copyto(back, t), 0);
        assert_same_elements(back, t, 0);
        arr_free(back);
        arr_free(c);
        arr_free(t);
        arr_free(typed);
        arr_free(m);
        arr_free(a);
    }
}
END_TEST

/* ---- copyto -------------------------------------------------------------- */

/* a's values in C order equal want[0..n). */
static void assert_values(const arr_t *a, const double *want, int64_t n)
{
    ck_assert_int_eq(arr_size(a), n);
    arr_t *flat = arr_copy(a, ARR_ORDER_C);
    ck_assert_arr_ok(flat);
    arr_t *line = arr_reshape(flat, 1, &n, ARR_COPY_NEVER);
    ck_assert_arr_ok(line);
    for (int64_t i = 0; i < n; i++) {
        double got;
        ck_assert_int_eq(arr_get_f64(line, &i, &got), 0);
        ck_assert_msg(got == want[i], "[%lld] = %g, NumPy %g", (long long)i, got, want[i]);
    }
    arr_free(line);
    arr_free(flat);
}

START_TEST(copyto_overlapping)
{
    /* a = np.arange(10.); np.copyto(a[1:], a[:-1]) -> [0 0 1 2 3 4 5 6 7 8] */
    arr_t *a = arange_shaped(10, 1, (int64_t[]){10});
    arr_t *tail = arr_slice(a, "1:"), *head = arr_slice(a, ":-1");
    ck_assert_int_eq(arr_copyto(tail, head), 0);
    assert_values(a, (const double[]){0, 0, 1, 2, 3, 4, 5, 6, 7, 8}, 10);
    /* and the other direction: np.copyto(a[:-1], a[1:]) on a fresh arange ->
     * [1 2 3 4 5 6 7 8 9 9] */
    arr_free(a);
    arr_free(tail);
    arr_free(head);
    a = arange_shaped(10, 1, (int64_t[]){10});
    tail = arr_slice(a, "1:");
    head = arr_slice(a, ":-1");
    ck_assert_int_eq(arr_copyto(head, tail), 0);
    assert_values(a, (const double[]){1, 2, 3, 4, 5, 6, 7, 8, 9, 9}, 10);
    arr_free(tail);
    arr_free(head);

    /* a = np.arange(10.); np.copyto(a, a[::-1]) -> [9 8 ... 0] */
    arr_free(a);
    a = arange_shaped(10, 1, (int64_t[]){10});
    arr_t *rev = arr_slice(a, "::-1");
    ck_assert_int_eq(arr_copyto(a, rev), 0);
    assert_values(a, (const double[]){9, 8, 7, 6, 5, 4, 3, 2, 1, 0}, 10);
    arr_free(rev);
    arr_free(a);

    /* a = np.arange(16.).reshape(4, 4); np.copyto(a, a.T) ->
     * [0 4 8 12 1 5 9 13 2 6 10 14 3 7 11 15] */
    a = arange_shaped(16, 2, (int64_t[]){4, 4});
    arr_t *t = arr_transpose(a, NULL);
    ck_assert_int_eq(arr_copyto(a, t), 0);
    assert_values(a, (const double[]){0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15}, 16);
    arr_free(t);
    arr_free(a);

    /* a = np.arange(12.).reshape(3, 4); np.copyto(a, a[::-1, ::-1]) -> 11..0 */
    a = arange_shaped(12, 2, (int64_t[]){3, 4});
    rev = arr_flip(a, ARR_ALL_AXES);
    ck_assert_int_eq(arr_copyto(a, rev), 0);
    assert_values(a, (const double[]){11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0}, 12);
    arr_free(rev);
    arr_free(a);

    /* a = np.arange(12.).reshape(3, 4); np.copyto(a[1:], a[0]) ->
     * [0 1 2 3 0 1 2 3 0 1 2 3] (broadcast, overlapping buffer) */
    a = arange_shaped(12, 2, (int64_t[]){3, 4});
    arr_t *rows = arr_slice(a, "1:"), *row0 = arr_slice(a, "0");
    ck_assert_int_eq(arr_copyto(rows, row0), 0);
    assert_values(a, (const double[]){0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3}, 12);
    arr_free(rows);
    arr_free(row0);
    arr_free(a);
}
END_TEST

START_TEST(copyto_broadcast_and_cast)
{
    /* d = np.zeros((2, 3), np.int16);
     * np.copyto(d, np.array([1.9, -2.9, 40000.0]), casting='unsafe') ->
     * [[1 -2 -25536] [1 -2 -25536]]: 40000.0 is outside int16 (NumPy wraps
     * through a wider int, libarr gives INT16_MIN: the documented rule) */
    arr_t *d = arr_zeros(2, (int64_t[]){2, 3}, ARR_INT16);
    arr_t *s = arr_empty(1, (int64_t[]){3}, ARR_FLOAT64);
    memcpy(arr_data(s), (double[]){1.9, -2.9, 4000.0}, 24);
    ck_assert_int_eq(arr_copyto(d, s), 0);
    assert_values(d, (const double[]){1, -2, 4000, 1, -2, 4000}, 6);
    memcpy(arr_data(s), (double[]){1.9, -2.9, 40000.0}, 24);
    ck_assert_int_eq(arr_copyto(d, s), 0);
    assert_values(d, (const double[]){1, -2, INT16_MIN, 1, -2, INT16_MIN}, 6);

    /* np.copyto(np.zeros(3), np.ones((1, 1, 3))) works: leading 1s dropped */
    arr_t *three = arr_zeros(1, (int64_t[]){3}, ARR_FLOAT64);
    arr_t *ones = arr_full(3, (int64_t[]){1, 1, 3}, ARR_FLOAT32, 1.5);
    ck_assert_int_eq(arr_copyto(three, ones), 0);
    assert_values(three, (const double[]){1.5, 1.5, 1.5}, 3);
    /* a 0-d source fills everything */
    arr_t *scalar = arr_full(0, NULL, ARR_INT64, -4);
    ck_assert_int_eq(arr_copyto(d, scalar), 0);
    assert_values(d, (const double[]){-4, -4, -4, -4, -4, -4}, 6);
    /* a column: (2, 1) into (2, 3) */
    arr_t *col = arr_empty(2, (int64_t[]){2, 1}, ARR_UINT8);
    memcpy(arr_data(col), (uint8_t[]){7, 9}, 2);
    ck_assert_int_eq(arr_copyto(d, col), 0);
    assert_values(d, (const double[]){7, 7, 7, 9, 9, 9}, 6);

    /* np.copyto(np.zeros(4), np.ones((2, 3))): ValueError "could not broadcast
     * input array from shape (2,3) into shape (4,)" */
    arr_t *four = arr_zeros(1, (int64_t[]){4}, ARR_FLOAT64);
    ck_assert_int_eq(arr_copyto(four, d), -1);
    ck_assert_arr_err(ARR_ESHAPE);
    ck_assert_msg(strstr(arr_errmsg(), "could not broadcast input array from shape (2,3) into shape (4,)"),
                  "%s", arr_errmsg());
    ck_assert_int_eq(arr_copyto(four, three), -1);
    ck_assert_arr_err(ARR_ESHAPE);
    ck_assert_ptr_nonnull(strstr(arr_errmsg(), "from shape (3,) into shape (4,)"));
    ck_assert_int_eq(arr_copyto(scalar, three), -1);
    ck_assert_arr_err(ARR_ESHAPE);
    ck_assert_ptr_nonnull(strstr(arr_errmsg(), "from shape (3,) into shape ()"));

    /* empty destinations: nothing to do, still shape-checked */
    arr_t *empty = arr_zeros(2, (int64_t[]){0, 3}, ARR_FLOAT64);
    ck_assert_int_eq(arr_copyto(empty, three), 0);
    ck_assert_int_eq(arr_copyto(empty, four), -1);
    ck_assert_arr_err(ARR_ESHAPE);

    arr_free(empty);
    arr_free(four);
    arr_free(col);
    arr_free(scalar);
    arr_free(ones);
    arr_free(three);
    arr_free(s);
    arr_free(d);
}
END_TEST

/* arr_copyto into a destination bigger than the last-level cache uses
 * streaming stores (arr_copy.c, stream_bytes).  With the threshold lowered
 * to one byte, every copyto streams: each item size, rows of 0..150
 * elements starting at every alignment, contiguous and broadcast sources,
 * and the overlapping path, must give exactly what the ordinary kernels give. */
extern int64_t arr__copyto_stream_min_bytes; /* libarr internal (arr_copy.h) */

static void copyto_both_ways(arr_t *dst, const arr_t *src, const char *what)
{
    arr_t *expect = arr_copy(dst, ARR_ORDER_C);
    ck_assert_arr_ok(expect);
    arr__copyto_stream_min_bytes = 0;
    ck_assert_int_eq(arr_copyto(expect, src), 0);
    arr__copyto_stream_min_bytes = 1;
    ck_assert_int_eq(arr_copyto(dst, src), 0);
    arr__copyto_stream_min_bytes = 0;
    ck_assert_msg(arr_equal(dst, expect) == 1, "streamed copyto differs: %s", what);
    arr_free(expect);
}

START_TEST(copyto_streaming_stores)
{
    static const arr_dtype_t dtypes[] = {ARR_UINT8, ARR_INT16, ARR_FLOAT32, ARR_FLOAT64,
                                         ARR_COMPLEX128};
    for (size_t d = 0; d < sizeof dtypes / sizeof dtypes[0]; d++) {
        int64_t itemsize = arr_dtype_size(dtypes[d]);
        int64_t total = 160 + 64 / itemsize + 2;
        arr_t *src = arr_empty(1, &total, dtypes[d]);
        ck_assert_arr_ok(src);
        unsigned char *bytes = arr_data(src);
        for (int64_t i = 0; i < total * itemsize; i++)
            bytes[i] = (unsigned char)(i * 13 + 5);
        for (int64_t start = 0; start < 64 / itemsize + 1; start++)
            for (int64_t n = 0; n <= 150; n += (n < 20 ? 1 : 13)) {
                int64_t rows_shape[2] = {3, total};
                arr_t *rows = arr_zeros(2, rows_shape, dtypes[d]);
                ck_assert_arr_ok(rows);
                char spec[64], src_spec[32], what[96];
                snprintf(spec, sizeof spec, ":, %lld:%lld", (long long)start, (long long)(start + n));
                snprintf(src_spec, sizeof src_spec, "%lld:%lld", (long long)(total - n),
                         (long long)total);
                arr_t *dst = arr_slice(rows, spec);
                arr_t *from = arr_slice(src, src_spec);
                ck_assert_arr_ok(dst);
                ck_assert_arr_ok(from);
                snprintf(what, sizeof what, "%s start %lld n %lld broadcast",
                         arr_dtype_name(dtypes[d]), (long long)start, (long long)n);
                copyto_both_ways(dst, from, what); /* (n,) broadcast over 3 rows */
                snprintf(spec, sizeof spec, "1, %lld:%lld", (long long)start, (long long)(start + n));
                arr_t *row = arr_slice(rows, spec);
                ck_assert_arr_ok(row);
                snprintf(what, sizeof what, "%s start %lld n %lld one row",
                         arr_dtype_name(dtypes[d]), (long long)start, (long long)n);
                copyto_both_ways(row, from, what); /* same shape, contiguous */
                arr_free(row);
                arr_free(from);
                arr_free(dst);
                arr_free(rows);
            }
        arr_free(src);
    }
    /* overlapping: a[1:] = a[:-1] goes through the scratch buffer */
    int64_t n = 1000;
    arr_t *a = arr_arange(0, (double)n, 1, ARR_FLOAT64);
    ck_assert_arr_ok(a);
    arr_t *to = arr_slice(a, "1:"), *from = arr_slice(a, ":-1");
    ck_assert_arr_ok(to);
    ck_assert_arr_ok(from);
    arr__copyto_stream_min_bytes = 1;
    ck_assert_int_eq(arr_copyto(to, from), 0);
    arr__copyto_stream_min_bytes = 0;
    for (int64_t i = 1; i < n; i++)
        ck_assert(((double *)arr_data(a))[i] == (double)(i - 1));
    arr_free(from);
    arr_free(to);
    arr_free(a);
}
END_TEST

START_TEST(copyto_errors)
{
    arr_t *a = arange_shaped(6, 1, (int64_t[]){6});
    arr_t *b = arr_zeros(1, (int64_t[]){6}, ARR_FLOAT64);
    /* broadcast_to views are read-only, as in NumPy */
    arr_t *ro = arr_broadcast_to(b, 2, (int64_t[]){2, 6});
    ck_assert_arr_ok(ro);
    ck_assert_int_eq(arr_copyto(ro, a), -1);
    ck_assert_arr_err(ARR_EREADONLY);
    /* a read-only wrap too */
    double mem[6] = {0};
    arr_t *w = arr_wrap(mem, 1, (int64_t[]){6}, NULL, ARR_FLOAT64, 0);
    ck_assert_int_eq(arr_copyto(w, a), -1);
    ck_assert_arr_err(ARR_EREADONLY);
    ck_assert(mem[5] == 0);
    ck_assert_int_eq(arr_copyto(NULL, a), -1);
    ck_assert_arr_err(ARR_EINVAL);
    ck_assert_int_eq(arr_copyto(b, NULL), -1);
    ck_assert_arr_err(ARR_EINVAL);
    /* orphaned views on either side */
    arr_t *v = arr_slice(a, "::2");
    arr_free(a);
    arr_t *b3 = arr_slice(b, ":3");
    ck_assert_int_eq(arr_copyto(b3, v), -1);
    ck_assert_arr_err(ARR_EORPHAN);
    arr_free(ro);
    arr_free(b);
    ck_assert_int_eq(arr_copyto(b3, w), -1);
    ck_assert_arr_err(ARR_EORPHAN);
    arr_free(b3);
    arr_free(v);
    arr_free(w);
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("copy");
    TCase *tc = tcase_create("copy");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, copy_orders_match_numpy, 0,
                        (int)(sizeof order_cases / sizeof order_cases[0]));
    tcase_add_test(tc, copy_order_k_ties);
    tcase_add_test(tc, copy_is_independent);
    tcase_add_test(tc, copy_0d_and_empty);
    tcase_add_test(tc, ascontiguous_and_asfortran);
    tcase_add_test(tc, astype_float_to_int_edges);
    tcase_add_test(tc, astype_int_float_complex_bool);
    tcase_add_test(tc, copy_errors);
    tcase_add_test(tc, copy_allocation_failures);
    tcase_add_test(tc, random_strided_copies);
    tcase_add_test(tc, astype_float64_to_float32_packed);
    tcase_add_test(tc, raw_copy_kernels);
    tcase_add_test(tc, transposed_copies_tiled);
    tcase_add_test(tc, copyto_overlapping);
    tcase_add_test(tc, copyto_broadcast_and_cast);
    tcase_add_test(tc, copyto_streaming_stores);
    tcase_add_test(tc, copyto_errors);
    suite_add_tcase(s, tc);
    return s;
}

ARR_TEST_MAIN()
