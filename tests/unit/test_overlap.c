/* test_overlap.c - arr_may_share_memory / arr_shares_memory / arr__solve_overlap.
 *
 * Literal cases: each expected answer was obtained from NumPy 1.24
 * (/usr/bin/python3) with the expression quoted next to it, where
 * shares = np.shares_memory and may = np.may_share_memory.
 * Random cases: compared with a brute-force intersection of byte sets. */
#include "unit.h"

#include <stdio.h>

/* Raw solver, defined in libarr/arr_overlap.c (not in a header). */
int arr__solve_overlap(const void *data_a, int ndim_a, const int64_t *shape_a,
                       const int64_t *strides_a, int64_t itemsize_a, const void *data_b,
                       int ndim_b, const int64_t *shape_b, const int64_t *strides_b,
                       int64_t itemsize_b, int64_t max_work, int64_t *work_done);

/* Asserts may/shares(exact) answers for a pair, both argument orders. */
#define ASSERT_OVERLAP(a, b, expect_shares, expect_may)                                  \
    do {                                                                                 \
        ck_assert_int_eq(arr_shares_memory((a), (b), ARR_MAX_WORK_EXACT), (expect_shares)); \
        ck_assert_int_eq(arr_shares_memory((b), (a), ARR_MAX_WORK_EXACT), (expect_shares)); \
        ck_assert_int_eq(arr_may_share_memory((a), (b)), (expect_may));                  \
        ck_assert_int_eq(arr_may_share_memory((b), (a)), (expect_may));                  \
        /* np.shares_memory(a, b, max_work=0) raises TooHardError when bounds overlap */ \
        ck_assert_int_eq(arr_shares_memory((a), (b), ARR_MAX_WORK_BOUNDS),              \
                         (expect_may) == ARR_SHARES_YES ? ARR_SHARES_TOO_HARD : ARR_SHARES_NO); \
    } while (0)

static arr_t *slice_ok(arr_t *a, const char *spec)
{
    arr_t *v = arr_slice(a, spec);
    ck_assert_msg(v != NULL, "arr_slice(\"%s\"): %s", spec, arr_errmsg());
    return v;
}

static arr_t *zeros_1d(int64_t n, arr_dtype_t dtype)
{
    arr_t *a = arr_zeros(1, &n, dtype);
    ck_assert_arr_ok(a);
    return a;
}

static arr_t *zeros_2d(int64_t rows, int64_t cols, arr_dtype_t dtype)
{
    int64_t shape[2] = {rows, cols};
    arr_t *a = arr_zeros(2, shape, dtype);
    ck_assert_arr_ok(a);
    return a;
}

static void free_all(arr_t **arrays, int n)
{
    for (int i = 0; i < n; i++)
        ck_assert_int_eq(arr_free(arrays[i]), 0);
}

START_TEST(interleaved_slices)
{
    arr_t *a = zeros_1d(10, ARR_FLOAT64);
    arr_t *even = slice_ok(a, "::2"), *odd = slice_ok(a, "1::2");
    /* a = np.zeros(10); shares(a[::2], a[1::2]) -> False, may -> True */
    ASSERT_OVERLAP(even, odd, ARR_SHARES_NO, ARR_SHARES_YES);
    /* an easy case: answered within one unit of work (NumPy too: max_work=1) */
    ck_assert_int_eq(arr_shares_memory(even, odd, 1), ARR_SHARES_NO);
    /* shares(a, a) -> True; shares(a[::2], a) -> True */
    ASSERT_OVERLAP(a, a, ARR_SHARES_YES, ARR_SHARES_YES);
    ASSERT_OVERLAP(even, a, ARR_SHARES_YES, ARR_SHARES_YES);
    arr_t *c = arr_copy(a, ARR_ORDER_C);
    ck_assert_arr_ok(c);
    /* shares(a, a.copy()) -> False, may -> False */
    ASSERT_OVERLAP(a, c, ARR_SHARES_NO, ARR_SHARES_NO);
    free_all((arr_t *[]){even, odd, c, a}, 4);
}
END_TEST

START_TEST(columns_of_a_matrix)
{
    arr_t *x = zeros_2d(4, 5, ARR_FLOAT64);
    arr_t *c0 = slice_ok(x, ":, 0"), *c1 = slice_ok(x, ":, 1");
    /* x = np.zeros((4, 5)); shares(x[:, 0], x[:, 1]) -> False, may -> True */
    ASSERT_OVERLAP(c0, c1, ARR_SHARES_NO, ARR_SHARES_YES);
    ck_assert_int_eq(arr_shares_memory(c0, c1, 1), ARR_SHARES_NO);
    free_all((arr_t *[]){c0, c1, x}, 3);
}
END_TEST

START_TEST(strided_2d_blocks)
{
    arr_t *x = zeros_2d(6, 6, ARR_FLOAT64);
    arr_t *p = slice_ok(x, "1:4, 1:4"), *q = slice_ok(x, "2:5, 2:5");
    /* x = np.zeros((6, 6)); shares(x[1:4, 1:4], x[2:5, 2:5]) -> True */
    ASSERT_OVERLAP(p, q, ARR_SHARES_YES, ARR_SHARES_YES);
    arr_t *r = slice_ok(x, "0:3, 3:6"), *s = slice_ok(x, "1:4, 0:3");
    /* bounds overlap, elements do not:
     * shares(x[0:3, 3:6], x[1:4, 0:3]) -> False, may -> True */
    ASSERT_OVERLAP(r, s, ARR_SHARES_NO, ARR_SHARES_YES);
    arr_t *t = arr_transpose(x, NULL);
    ck_assert_arr_ok(t);
    /* shares(x.T, x) -> True */
    ASSERT_OVERLAP(t, x, ARR_SHARES_YES, ARR_SHARES_YES);
    free_all((arr_t *[]){p, q, r, s, t, x}, 6);
}
END_TEST

START_TEST(diagonal_view)
{
    arr_t *x = zeros_2d(4, 4, ARR_FLOAT64);
    arr_t *d = arr_diagonal(x, 0, 0, 1);
    ck_assert_arr_ok(d);
    arr_t *row0 = slice_ok(x, "0, 1:"), *row1 = slice_ok(x, "1");
    /* x = np.zeros((4, 4)); shares(x.diagonal(), x[0, 1:]) -> False, may -> True;
     * shares(x.diagonal(), x[1]) -> True */
    ASSERT_OVERLAP(d, row0, ARR_SHARES_NO, ARR_SHARES_YES);
    ASSERT_OVERLAP(d, row1, ARR_SHARES_YES, ARR_SHARES_YES);
    free_all((arr_t *[]){d, row0, row1, x}, 4);
}
END_TEST

/* z.real and z.imag of a complex128 array: float64 views with stride 16, one
 * of them 8 bytes in. */
START_TEST(complex_real_imag)
{
    double storage[10] = {0};
    int64_t n = 5, stride = 16;
    arr_t *re = arr_wrap(storage, 1, &n, &stride, ARR_FLOAT64, 1);
    arr_t *im = arr_wrap(storage + 1, 1, &n, &stride, ARR_FLOAT64, 1);
    int64_t n_rest = 4;
    arr_t *im_rest = arr_wrap(storage + 3, 1, &n_rest, &stride, ARR_FLOAT64, 1);
    int64_t n_two = 2;
    arr_t *z_mid = arr_wrap(storage + 2, 1, &n_two, NULL, ARR_COMPLEX128, 1);
    ck_assert_arr_ok(re);
    ck_assert_arr_ok(im);
    ck_assert_arr_ok(im_rest);
    ck_assert_arr_ok(z_mid);
    /* z = np.zeros(5, np.complex128): shares(z.real, z.imag) -> False, may -> True;
     * shares(z.real, z[1:].imag) -> False, may -> True */
    ASSERT_OVERLAP(re, im, ARR_SHARES_NO, ARR_SHARES_YES);
    ASSERT_OVERLAP(re, im_rest, ARR_SHARES_NO, ARR_SHARES_YES);
    arr_t *re_mid = arr_wrap(storage + 4, 1, &n_two, &stride, ARR_FLOAT64, 1);
    ck_assert_arr_ok(re_mid);
    /* shares(z[2:4].real, z[1:3]) -> True (z_mid here is z[1:3]) */
    ASSERT_OVERLAP(re_mid, z_mid, ARR_SHARES_YES, ARR_SHARES_YES);
    free_all((arr_t *[]){re, im, im_rest, z_mid, re_mid}, 5);
}
END_TEST

/* Elements wider than, or not a divisor of, their stride. */
START_TEST(itemsize_versus_stride)
{
    _Alignas(16) unsigned char buf[64] = {0};
    int64_t three = 3, two = 2, one = 1, stride12 = 12, stride4 = 4;
    /* buf = np.zeros(64, np.uint8); A = np.ndarray((3,), np.int64, buf, 0, (12,))
     * covers bytes [0,8) [12,20) [24,32) */
    arr_t *holes = arr_wrap(buf, 1, &three, &stride12, ARR_INT64, 1);
    /* B8 = np.ndarray((2,), np.int32, buf, 8, (12,)): bytes [8,12) [20,24), the
     * holes: shares(A, B8) -> False, may -> True */
    arr_t *in_holes = arr_wrap(buf + 8, 1, &two, &stride12, ARR_INT32, 1);
    /* B10 = np.ndarray((2,), np.int32, buf, 10, (12,)): shares(A, B10) -> True */
    arr_t *straddle = arr_wrap(buf + 10, 1, &two, &stride12, ARR_INT32, 1);
    /* C = np.ndarray((3,), np.int64, buf, 0, (4,)): itemsize 8 > stride 4, bytes
     * [0,16); shares(C, np.ndarray((1,), np.uint8, buf, 15)) -> True,
     * shares(C, np.ndarray((1,), np.uint8, buf, 16)) -> False, may -> False */
    arr_t *wide = arr_wrap(buf, 1, &three, &stride4, ARR_INT64, 1);
    arr_t *byte15 = arr_wrap(buf + 15, 1, &one, NULL, ARR_UINT8, 1);
    arr_t *byte16 = arr_wrap(buf + 16, 1, &one, NULL, ARR_UINT8, 1);
    ck_assert_arr_ok(holes);
    ck_assert_arr_ok(in_holes);
    ck_assert_arr_ok(straddle);
    ck_assert_arr_ok(wide);
    ck_assert_arr_ok(byte15);
    ck_assert_arr_ok(byte16);
    ASSERT_OVERLAP(holes, in_holes, ARR_SHARES_NO, ARR_SHARES_YES);
    ASSERT_OVERLAP(holes, straddle, ARR_SHARES_YES, ARR_SHARES_YES);
    ASSERT_OVERLAP(wide, byte15, ARR_SHARES_YES, ARR_SHARES_YES);
    ASSERT_OVERLAP(wide, byte16, ARR_SHARES_NO, ARR_SHARES_NO);
    free_all((arr_t *[]){holes, in_holes, straddle, wide, byte15, byte16}, 6);
}
END_TEST

START_TEST(negative_strides)
{
    arr_t *a = zeros_1d(10, ARR_FLOAT64);
    arr_t *rev = slice_ok(a, "::-1"), *rev2 = slice_ok(a, "::-2");
    arr_t *even = slice_ok(a, "::2"), *rev2_from8 = slice_ok(a, "-2::-2");
    arr_t *rev3 = slice_ok(a, "::-3"), *from1_by3 = slice_ok(a, "1::3");
    /* a = np.zeros(10):
     * shares(a[::-1], a) -> True
     * shares(a[::-2], a[::2]) -> False, may -> True
     * shares(a[-2::-2], a[::2]) -> True
     * shares(a[::-3], a[1::3]) -> False, may -> True */
    ASSERT_OVERLAP(rev, a, ARR_SHARES_YES, ARR_SHARES_YES);
    ASSERT_OVERLAP(rev2, even, ARR_SHARES_NO, ARR_SHARES_YES);
    ASSERT_OVERLAP(rev2_from8, even, ARR_SHARES_YES, ARR_SHARES_YES);
    ASSERT_OVERLAP(rev3, from1_by3, ARR_SHARES_NO, ARR_SHARES_YES);
    free_all((arr_t *[]){rev, rev2, even, rev2_from8, rev3, from1_by3, a}, 7);
}
END_TEST

START_TEST(zero_strides)
{
    arr_t *a = zeros_1d(10, ARR_FLOAT64);
    arr_t *first = slice_ok(a, "0:1"), *third = slice_ok(a, "2:3");
    int64_t five = 5, four = 4;
    arr_t *bfirst = arr_broadcast_to(first, 1, &five);
    arr_t *bthird = arr_broadcast_to(third, 1, &four);
    ck_assert_arr_ok(bfirst);
    ck_assert_arr_ok(bthird);
    arr_t *rest = slice_ok(a, "1:"), *head = slice_ok(a, "0:3"), *by4 = slice_ok(a, "::4");
    /* a = np.zeros(10); b = np.broadcast_to(a[0:1], (5,)):
     * shares(b, a[1:]) -> False, may -> False; shares(b, a[0:3]) -> True
     * shares(np.broadcast_to(a[2:3], (4,)), a[::4]) -> False, may -> True */
    ASSERT_OVERLAP(bfirst, rest, ARR_SHARES_NO, ARR_SHARES_NO);
    ASSERT_OVERLAP(bfirst, head, ARR_SHARES_YES, ARR_SHARES_YES);
    ASSERT_OVERLAP(bthird, by4, ARR_SHARES_NO, ARR_SHARES_YES);

    /* as_strided(a[1:], (3, 2), (0, 16)): elements 1 and 3, repeated;
     * shares(it, a[::2]) -> False, may -> True; shares(it, a[3::4]) -> True */
    int64_t shape[2] = {3, 2}, strides[2] = {0, 16};
    double *data = arr_data(a);
    arr_t *repeat = arr_wrap(data + 1, 2, shape, strides, ARR_FLOAT64, 1);
    ck_assert_arr_ok(repeat);
    arr_t *from3_by4 = slice_ok(a, "3::4"), *even = slice_ok(a, "::2");
    ASSERT_OVERLAP(repeat, even, ARR_SHARES_NO, ARR_SHARES_YES);
    ASSERT_OVERLAP(repeat, from3_by4, ARR_SHARES_YES, ARR_SHARES_YES);

    arr_t *x = zeros_2d(3, 5, ARR_FLOAT64);
    arr_t *row0 = slice_ok(x, "0"), *row1 = slice_ok(x, "1"), *col4 = slice_ok(x, ":, 4");
    int64_t shape2[2] = {3, 5};
    arr_t *brow0 = arr_broadcast_to(row0, 2, shape2);
    ck_assert_arr_ok(brow0);
    /* x = np.zeros((3, 5)); b = np.broadcast_to(x[0], (3, 5)):
     * shares(b, x[1]) -> False, may -> False; shares(b, x[:, 4]) -> True */
    ASSERT_OVERLAP(brow0, row1, ARR_SHARES_NO, ARR_SHARES_NO);
    ASSERT_OVERLAP(brow0, col4, ARR_SHARES_YES, ARR_SHARES_YES);
    free_all((arr_t *[]){bfirst, bthird, first, third, rest, head, by4, repeat, from3_by4,
                         even, a, brow0, row0, row1, col4, x},
             16);
}
END_TEST

START_TEST(empty_and_scalar)
{
    arr_t *a = zeros_1d(10, ARR_FLOAT64);
    arr_t *none = slice_ok(a, "3:3");
    /* a = np.zeros(10): shares(a[3:3], a) -> False, may -> False, and
     * shares(a[3:3], a[3:3]) -> False */
    ASSERT_OVERLAP(none, a, ARR_SHARES_NO, ARR_SHARES_NO);
    ASSERT_OVERLAP(none, none, ARR_SHARES_NO, ARR_SHARES_NO);
    arr_t *scalar = slice_ok(a, "2, ..."), *at2 = slice_ok(a, "2:3"), *from3 = slice_ok(a, "3:");
    ck_assert_int_eq(arr_ndim(scalar), 0);
    /* shares(a[2, ...], a[2:3]) -> True; shares(a[2, ...], a[3:]) -> False,
     * may -> False */
    ASSERT_OVERLAP(scalar, at2, ARR_SHARES_YES, ARR_SHARES_YES);
    ASSERT_OVERLAP(scalar, from3, ARR_SHARES_NO, ARR_SHARES_NO);
    int64_t zero_by_three[2] = {0, 3};
    arr_t *empty2d = arr_empty(2, zero_by_three, ARR_FLOAT64);
    ck_assert_arr_ok(empty2d);
    ASSERT_OVERLAP(empty2d, empty2d, ARR_SHARES_NO, ARR_SHARES_NO);
    free_all((arr_t *[]){none, scalar, at2, from3, a, empty2d}, 6);
}
END_TEST

/* NumPy's own example: x = np.zeros([4, 5, 6], dtype=np.int8);
 * a = x[:, ::2, ::3]; b = x[:, ::3, ::2]: shares(a, b) -> True,
 * shares(a, b, max_work=1) raises TooHardError. */
START_TEST(too_hard_with_small_max_work)
{
    int64_t shape[3] = {4, 5, 6};
    arr_t *x = arr_zeros(3, shape, ARR_INT8);
    ck_assert_arr_ok(x);
    arr_t *a = slice_ok(x, ":, ::2, ::3"), *b = slice_ok(x, ":, ::3, ::2");
    ASSERT_OVERLAP(a, b, ARR_SHARES_YES, ARR_SHARES_YES);
    arr_clear_error();
    ck_assert_int_eq(arr_shares_memory(a, b, 1), ARR_SHARES_TOO_HARD);
    ck_assert_arr_err(ARR_ETOOHARD);
    ck_assert_ptr_nonnull(strstr(arr_errmsg(), "max_work"));
    ck_assert_int_eq(arr_shares_memory(a, b, 1000), ARR_SHARES_YES);

    /* x = np.arange(80).reshape(4, 20).astype(np.int8):
     * shares(x[:, ::7], x[:, 3::3]) -> False, may -> True (NumPy's comment calls
     * it a harder case); shares(x[:, ::7], x[:, 4::3]) -> True */
    arr_t *y = zeros_2d(4, 20, ARR_INT8);
    arr_t *by7 = slice_ok(y, ":, ::7"), *from3 = slice_ok(y, ":, 3::3");
    arr_t *from4 = slice_ok(y, ":, 4::3");
    ASSERT_OVERLAP(by7, from3, ARR_SHARES_NO, ARR_SHARES_YES);
    ASSERT_OVERLAP(by7, from4, ARR_SHARES_YES, ARR_SHARES_YES);
    free_all((arr_t *[]){a, b, x, by7, from3, from4, y}, 7);
}
END_TEST

/* NumPy's worst-case example (from mem_overlap.c's comment), on the raw
 * solver with fake addresses: x1 = as_strided(x, strides=(36674, 61119,
 * 85569), shape=(1049,)*3), x2 = as_strided(x[64023025:], strides=(12223,
 * 12224, 1), shape=(1049, 1049, 1)) of an int8 x.  A work limit must stop it
 * after exactly that much work; NumPy raises TooHardError at max_work=10**6. */
START_TEST(work_limit_is_honoured)
{
    const char *base = (const char *)(uintptr_t)0x100000;
    int64_t shape1[3] = {1049, 1049, 1049}, strides1[3] = {36674, 61119, 85569};
    int64_t shape2[3] = {1049, 1049, 1}, strides2[3] = {12223, 12224, 1};
    int64_t work = -1;
    int answer = arr__solve_overlap(base, 3, shape1, strides1, 1, base + 64023025, 3,
                                    shape2, strides2, 1, 1000000, &work);
    ck_assert_int_eq(answer, ARR_SHARES_TOO_HARD);
    ck_assert_int_eq(work, 1000000);
    ck_assert_arr_err(ARR_ETOOHARD);
    /* bounds only: they may share */
    ck_assert_int_eq(arr__solve_overlap(base, 3, shape1, strides1, 1, base + 64023025, 3,
                                        shape2, strides2, 1, ARR_MAX_WORK_BOUNDS, &work),
                     ARR_SHARES_YES);
}
END_TEST

/* Slices of big arrays (nothing allocated: the raw solver only does arithmetic)
 * are answered in one unit of work. */
START_TEST(easy_cases_are_cheap)
{
    const char *base = (const char *)(uintptr_t)0x10000000;
    int64_t work = -1;
    /* a[::2] vs a[1::2] of 10**8 float64 */
    int64_t half = 50000000, stride16 = 16;
    ck_assert_int_eq(arr__solve_overlap(base, 1, &half, &stride16, 8, base + 8, 1, &half,
                                        &stride16, 8, ARR_MAX_WORK_EXACT, &work),
                     ARR_SHARES_NO);
    ck_assert_int_le(work, 2);
    /* x[:, 0, :] vs x[:, 1, :] of a (1000, 1000, 1000) float64 array */
    int64_t shape[2] = {1000, 1000}, strides[2] = {8000000, 8};
    ck_assert_int_eq(arr__solve_overlap(base, 2, shape, strides, 8, base + 8000, 2, shape,
                                        strides, 8, ARR_MAX_WORK_EXACT, &work),
                     ARR_SHARES_NO);
    ck_assert_int_le(work, 2);
    /* ... and x[:, 0, :] vs x[:, 0, 1:] do share */
    int64_t shape_tail[2] = {1000, 999};
    ck_assert_int_eq(arr__solve_overlap(base, 2, shape, strides, 8, base + 8, 2, shape_tail,
                                        strides, 8, ARR_MAX_WORK_EXACT, &work),
                     ARR_SHARES_YES);
    ck_assert_int_le(work, 3);
}
END_TEST

/* Problems too big for 64-bit arithmetic answer TOO_HARD, never wrongly. */
START_TEST(overflow_is_too_hard)
{
    const char *base = (const char *)(uintptr_t)0x1000;
    int64_t three = 3, huge = INT64_MAX;
    int64_t work;
    /* two layouts whose extents (2 * INT64_MAX bytes) overlap */
    int answer = arr__solve_overlap(base, 1, &three, &huge, 1, base + 1, 1, &three, &huge,
                                    1, ARR_MAX_WORK_EXACT, &work);
    ck_assert_int_eq(answer, ARR_SHARES_TOO_HARD);
    ck_assert_arr_err(ARR_ETOOHARD);
    ck_assert_int_eq(arr__solve_overlap(base, 1, &three, &huge, 1, base + 1, 1, &three,
                                        &huge, 1, ARR_MAX_WORK_BOUNDS, &work),
                     ARR_SHARES_YES);
    /* INT64_MIN strides (|stride| does not fit in int64) */
    int64_t most_negative = INT64_MIN, two = 2;
    answer = arr__solve_overlap(base, 1, &two, &most_negative, 1, base, 1, &two,
                                &most_negative, 1, ARR_MAX_WORK_EXACT, &work);
    /* the same layout twice: the truth is "yes", but the byte range spans 2^63 + 1
     * bytes, which the 64-bit search cannot represent: it says so */
    ck_assert_int_eq(answer, ARR_SHARES_TOO_HARD);
    ck_assert_arr_err(ARR_ETOOHARD);
}
END_TEST

START_TEST(bad_input)
{
    arr_t *a = zeros_1d(4, ARR_FLOAT64);
    arr_clear_error();
    ck_assert_int_eq(arr_shares_memory(NULL, a, ARR_MAX_WORK_EXACT), -1);
    ck_assert_int_ne(arr_errcode(), ARR_OK);
    arr_clear_error();
    ck_assert_int_eq(arr_may_share_memory(a, NULL), -1);
    ck_assert_int_ne(arr_errcode(), ARR_OK);
    arr_clear_error();
    ck_assert_int_eq(arr_shares_memory(a, a, -2), -1);
    ck_assert_arr_err(ARR_EINVAL);
    ck_assert_ptr_nonnull(strstr(arr_errmsg(), "max_work"));

    /* a handle that is no longer live: looked up, never read */
    arr_t *gone = zeros_1d(4, ARR_FLOAT64);
    ck_assert_int_eq(arr_free(gone), 0);
    arr_clear_error();
    ck_assert_int_eq(arr_shares_memory(a, gone, ARR_MAX_WORK_EXACT), -1);
    ck_assert_arr_err(ARR_ENOTLIVE);
    arr_clear_error();
    ck_assert_int_eq(arr_may_share_memory(gone, a), -1);
    ck_assert_arr_err(ARR_ENOTLIVE);

    /* the raw solver checks its layouts */
    int64_t shape = 2, negative = -1, stride = 8;
    ck_assert_int_eq(arr__solve_overlap(arr_data(a), ARR_MAXDIMS + 1, &shape, &stride, 8,
                                        arr_data(a), 1, &shape, &stride, 8, -1, NULL),
                     -1);
    ck_assert_arr_err(ARR_EINVAL);
    ck_assert_int_eq(arr__solve_overlap(arr_data(a), 1, &negative, &stride, 8, arr_data(a),
                                        1, &shape, &stride, 8, -1, NULL),
                     -1);
    ck_assert_arr_err(ARR_EINVAL);
    ck_assert_int_eq(arr__solve_overlap(arr_data(a), 1, &shape, &stride, 0, arr_data(a), 1,
                                        &shape, &stride, 8, -1, NULL),
                     -1);
    ck_assert_arr_err(ARR_EINVAL);
    ck_assert_int_eq(arr__solve_overlap(arr_data(a), 1, NULL, NULL, 8, arr_data(a), 1,
                                        &shape, &stride, 8, -1, NULL),
                     -1);
    ck_assert_arr_err(ARR_EINVAL);
    ck_assert_int_eq(arr_free(a), 0);
}
END_TEST

/* Orphaned views keep a data pointer; comparing them is arithmetic only. */
START_TEST(orphaned_views)
{
    arr_t *a = zeros_1d(10, ARR_FLOAT64);
    arr_t *even = slice_ok(a, "::2"), *odd = slice_ok(a, "1::2");
    arr_t *middle = slice_ok(a, "3:6");
    ck_assert_int_eq(arr_free(a), 0);
    ck_assert_int_eq(even->orphaned, 1);
    ASSERT_OVERLAP(even, odd, ARR_SHARES_NO, ARR_SHARES_YES);
    ASSERT_OVERLAP(even, middle, ARR_SHARES_YES, ARR_SHARES_YES);
    free_all((arr_t *[]){even, odd, middle}, 3);
}
END_TEST

/* ---- random layouts against brute force ------------------------------ */

enum { POOL_BYTES = 192, RANDOM_CASES = 20000 };

static uint64_t rng_state;

static uint64_t rng_next(void)
{
    /* xorshift64: fixed seed, reproducible on every platform */
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static int64_t rng_range(int64_t lo, int64_t hi)
{
    return lo + (int64_t)(rng_next() % (uint64_t)(hi - lo + 1));
}

typedef struct layout {
    int ndim;
    int64_t shape[4], strides[4];
    arr_dtype_t dtype;
    int64_t itemsize;
    int64_t offset; /* of the first element in the pool */
    int64_t lo, hi; /* byte span relative to the first element: [lo, hi) */
} layout_t;

static const arr_dtype_t random_dtypes[] = {ARR_UINT8, ARR_INT16, ARR_FLOAT32, ARR_FLOAT64,
                                            ARR_COMPLEX128};

/* Moves b, most of the time, to where its byte span meets a's: spans that
 * meet are where the exact answer differs from the bounds test. */
static void place_near(layout_t *b, const layout_t *a)
{
    if (rng_next() % 5 == 0)
        return;
    int64_t lowest = -b->lo, highest = POOL_BYTES - b->hi;
    int64_t meet_lo = a->offset + a->lo - b->hi + 1, meet_hi = a->offset + a->hi - b->lo - 1;
    if (meet_lo > lowest)
        lowest = meet_lo;
    if (meet_hi < highest)
        highest = meet_hi;
    if (lowest <= highest)
        b->offset = rng_range(lowest, highest);
}

/* A random strided layout that fits in the pool: shapes 0..6 (mostly
 * non-empty), strides of either sign, sometimes 0, sometimes not a multiple
 * of the itemsize, sometimes smaller than it. */
static void random_layout(layout_t *l)
{
    l->dtype = random_dtypes[rng_next() % (sizeof random_dtypes / sizeof random_dtypes[0])];
    l->itemsize = arr_dtype_size(l->dtype);
    for (;;) {
        l->ndim = (int)rng_range(0, 4);
        int64_t lo = 0, hi = l->itemsize;
        for (int i = 0; i < l->ndim; i++) {
            l->shape[i] = rng_range(1, 6);
            if (rng_next() % 25 == 0)
                l->shape[i] = 0;
            int64_t unit = rng_next() % 3 == 0 ? 1 : l->itemsize;
            l->strides[i] = rng_range(-12, 12) * unit;
            int64_t reach = l->strides[i] * (l->shape[i] > 0 ? l->shape[i] - 1 : 0);
            if (reach < 0)
                lo += reach;
            else
                hi += reach;
        }
        if (hi - lo <= POOL_BYTES) {
            l->offset = rng_range(-lo, POOL_BYTES - hi);
            l->lo = lo;
            l->hi = hi;
            return;
        }
    }
}

static int64_t layout_size(const layout_t *l)
{
    int64_t n = 1;
    for (int i = 0; i < l->ndim; i++)
        n *= l->shape[i];
    return n;
}

/* Marks every byte of every element of l in marks[]. */
static void mark_bytes(const layout_t *l, unsigned char *marks)
{
    int64_t n = layout_size(l);
    for (int64_t flat = 0; flat < n; flat++) {
        int64_t rest = flat, off = l->offset;
        for (int i = l->ndim - 1; i >= 0; i--) {
            off += (rest % l->shape[i]) * l->strides[i];
            rest /= l->shape[i];
        }
        if (off < 0 || off + l->itemsize > POOL_BYTES)
            ck_abort_msg("generator bug: element at %lld outside the pool", (long long)off);
        memset(marks + off, 1, (size_t)l->itemsize);
    }
}

/* Ground truth from the byte sets: *shares when a byte is in both, *may
 * when the [lowest, highest] byte spans of the two meet. */
static void brute_force(const layout_t *a, const layout_t *b, int *shares, int *may)
{
    unsigned char in_a[POOL_BYTES] = {0}, in_b[POOL_BYTES] = {0};
    mark_bytes(a, in_a);
    mark_bytes(b, in_b);
    int lo_a = POOL_BYTES, hi_a = -1, lo_b = POOL_BYTES, hi_b = -1;
    *shares = 0;
    for (int i = 0; i < POOL_BYTES; i++) {
        if (in_a[i] && in_b[i])
            *shares = 1;
        if (in_a[i]) {
            lo_a = i < lo_a ? i : lo_a;
            hi_a = i;
        }
        if (in_b[i]) {
            lo_b = i < lo_b ? i : lo_b;
            hi_b = i;
        }
    }
    *may = hi_a >= 0 && hi_b >= 0 && lo_a <= hi_b && lo_b <= hi_a;
}

static arr_t *wrap_layout(unsigned char *pool, const layout_t *l)
{
    arr_t *a = arr_wrap(pool + l->offset, l->ndim, l->shape, l->strides, l->dtype, 1);
    if (a == NULL)
        ck_abort_msg("arr_wrap: %s", arr_errmsg());
    return a;
}

static void describe(const char *name, const layout_t *l, char *out, size_t size)
{
    int used = snprintf(out, size, "%s: %s at +%lld shape/strides", name,
                        arr_dtype_name(l->dtype), (long long)l->offset);
    for (int i = 0; i < l->ndim && used > 0 && (size_t)used < size; i++)
        used += snprintf(out + used, size - (size_t)used, " %lld/%lld",
                         (long long)l->shape[i], (long long)l->strides[i]);
}

START_TEST(random_layouts_match_brute_force)
{
    static _Alignas(16) unsigned char pool[POOL_BYTES];
    rng_state = 0x9e3779b97f4a7c15u;
    int shared = 0, bounds_only = 0;
    for (int n = 0; n < RANDOM_CASES; n++) {
        layout_t la, lb;
        random_layout(&la);
        random_layout(&lb);
        place_near(&lb, &la);
        arr_t *a = wrap_layout(pool, &la), *b = wrap_layout(pool, &lb);
        int truth, may;
        brute_force(&la, &lb, &truth, &may);
        int exact = arr_shares_memory(a, b, ARR_MAX_WORK_EXACT);
        if (exact != truth) {
            char da[200], db[200];
            describe("a", &la, da, sizeof da);
            describe("b", &lb, db, sizeof db);
            ck_abort_msg("case %d: arr_shares_memory %d, byte sets say %d (%s; %s)", n, exact,
                         truth, da, db);
        }
        /* a limited search answers right or gives up, never wrongly */
        int limited = arr_shares_memory(a, b, 3);
        int bounds = arr_may_share_memory(a, b);
        if (bounds != may || (limited != truth && limited != ARR_SHARES_TOO_HARD))
            ck_abort_msg("case %d: may %d (bounds say %d), max_work=3 gave %d (truth %d)", n,
                         bounds, may, limited, truth);
        shared += truth;
        bounds_only += may && !truth;
        /* plain ifs in this loop: each passing ck_assert costs a pipe write */
        if (arr_free(a) != 0 || arr_free(b) != 0)
            ck_abort_msg("arr_free: %s", arr_errmsg());
    }
    /* the generator must exercise all three outcomes in quantity */
    printf("random layouts: %d share, %d only within bounds, %d apart\n", shared, bounds_only,
           RANDOM_CASES - shared - bounds_only);
    fflush(stdout);
    ck_assert_int_gt(shared, RANDOM_CASES / 20);
    ck_assert_int_gt(bounds_only, RANDOM_CASES / 20);
    ck_assert_int_gt(RANDOM_CASES - shared - bounds_only, RANDOM_CASES / 20);
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("overlap");
    TCase *numpy = tcase_create("numpy_cases");
    tcase_add_test(numpy, interleaved_slices);
    tcase_add_test(numpy, columns_of_a_matrix);
    tcase_add_test(numpy, strided_2d_blocks);
    tcase_add_test(numpy, diagonal_view);
    tcase_add_test(numpy, complex_real_imag);
    tcase_add_test(numpy, itemsize_versus_stride);
    tcase_add_test(numpy, negative_strides);
    tcase_add_test(numpy, zero_strides);
    tcase_add_test(numpy, empty_and_scalar);
    tcase_add_test(numpy, too_hard_with_small_max_work);
    suite_add_tcase(s, numpy);

    TCase *solver = tcase_create("solver");
    tcase_add_test(solver, work_limit_is_honoured);
    tcase_add_test(solver, easy_cases_are_cheap);
    tcase_add_test(solver, overflow_is_too_hard);
    tcase_add_test(solver, bad_input);
    tcase_add_test(solver, orphaned_views);
    suite_add_tcase(s, solver);

    TCase *random = tcase_create("random");
    tcase_add_test(random, random_layouts_match_brute_force);
    tcase_set_timeout(random, 60);
    suite_add_tcase(s, random);
    return s;
}

ARR_TEST_MAIN()
