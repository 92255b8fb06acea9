/* test_layout.c - caller-given layouts whose byte extent does not fit
 * (issue 14: arr_wrap(mem, 1, {10}, {INT64_MIN}, ...) was accepted and
 * arr_copy then crashed).  NumPy refuses strides whose extent overflows. */
#include "unit.h"

#include "arr_internal.h"

#include <stdint.h>

static int layout_ok(uintptr_t data, int ndim, const int64_t *shape, const int64_t *strides,
                     int64_t itemsize)
{
    arr_clear_error();
    int rc = arr__check_layout_extent((const void *)data, ndim, shape, strides, itemsize, "t");
    ck_assert(rc == 0 || arr_errcode() == ARR_EOVERFLOW);
    return rc == 0;
}

START_TEST(extent_must_fit_int64)
{
    const uintptr_t mid = (uintptr_t)1 << 46;
    /* the case, and every way an axis can overflow */
    ck_assert(!layout_ok(mid, 1, (int64_t[]){10}, (int64_t[]){INT64_MIN}, 8));
    ck_assert(!layout_ok(mid, 1, (int64_t[]){10}, (int64_t[]){INT64_MAX}, 8));
    ck_assert(!layout_ok(mid, 1, (int64_t[]){2}, (int64_t[]){INT64_MAX}, 8)); /* + the item */
    ck_assert(!layout_ok(mid, 1, (int64_t[]){3}, (int64_t[]){-(INT64_C(1) << 62)}, 8));
    ck_assert(!layout_ok(mid, 2, (int64_t[]){3, 3}, (int64_t[]){INT64_C(1) << 61, -(INT64_C(1) << 61)}, 1));
    ck_assert(!layout_ok(mid, 1, (int64_t[]){INT64_MAX}, (int64_t[]){2}, 1));
    /* the message says what */
    arr__check_layout_extent((const void *)mid, 1, (int64_t[]){10}, (int64_t[]){INT64_MIN}, 8, "arr_wrap");
    ck_assert_msg(strstr(arr_errmsg(), "arr_wrap") && strstr(arr_errmsg(), "2^63"), "%s", arr_errmsg());
    /* fits: one element ignores its stride, an empty array spans nothing */
    ck_assert(layout_ok(mid, 1, (int64_t[]){1}, (int64_t[]){INT64_MIN}, 8));
    ck_assert(layout_ok(mid, 2, (int64_t[]){0, 10}, (int64_t[]){8, INT64_MIN}, 8));
    ck_assert(layout_ok(mid, 2, (int64_t[]){4, 5}, (int64_t[]){-40, 8}, 8));
    ck_assert(layout_ok(mid, 0, NULL, NULL, 16));
    ck_assert(layout_ok(mid, 1, (int64_t[]){3}, (int64_t[]){INT64_C(1) << 40}, 8));
    /* the bytes may not wrap around the address space */
    ck_assert(!layout_ok(16, 1, (int64_t[]){4}, (int64_t[]){-8}, 8));
    ck_assert(layout_ok(24, 1, (int64_t[]){4}, (int64_t[]){-8}, 8));
    ck_assert(!layout_ok(UINTPTR_MAX - 23, 1, (int64_t[]){3}, (int64_t[]){8}, 8));
    ck_assert(layout_ok(UINTPTR_MAX - 24, 1, (int64_t[]){3}, (int64_t[]){8}, 8));
}
END_TEST

/* The public entry point: arr_wrap refuses such strides (the case
 * was accepted, then arr_copy of it crashed); NumPy refuses them too. */
START_TEST(wrap_refuses_overflowing_strides)
{
    double mem[16] = {0};
    ck_assert_ptr_null(arr_wrap(mem, 1, (int64_t[]){10}, (int64_t[]){INT64_MIN}, ARR_FLOAT64, 1));
    ck_assert_arr_err(ARR_EOVERFLOW);
    ck_assert_msg(strstr(arr_errmsg(), "arr_wrap"), "%s", arr_errmsg());
    ck_assert_ptr_null(arr_wrap(mem, 2, (int64_t[]){3, 3}, (int64_t[]){INT64_C(1) << 62, -(INT64_C(1) << 62)},
                                ARR_INT8, 1));
    ck_assert_arr_err(ARR_EOVERFLOW);
    ck_assert_ptr_null(arr_wrap(mem, 1, (int64_t[]){4}, (int64_t[]){-(INT64_C(1) << 60)}, ARR_FLOAT64, 0));
    ck_assert_arr_err(ARR_EOVERFLOW); /* reaches below address 0 */
    /* a valid negative-stride layout over the caller's memory still works */
    arr_t *w = arr_wrap(mem + 15, 2, (int64_t[]){4, 4}, (int64_t[]){-32, -8}, ARR_FLOAT64, 1);
    ck_assert_arr_ok(w);
    arr_t *c = arr_copy(w, ARR_ORDER_C);
    ck_assert_arr_ok(c);
    arr_free(c);
    arr_free(w);
    /* one element ignores its stride, as in NumPy */
    w = arr_wrap(mem, 1, (int64_t[]){1}, (int64_t[]){INT64_MIN}, ARR_FLOAT64, 1);
    ck_assert_arr_ok(w);
    c = arr_copy(w, ARR_ORDER_C);
    ck_assert_arr_ok(c);
    arr_free(c);
    arr_free(w);
    ck_assert_int_eq(arr_stats().live_owners, 0);
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("layout");
    TCase *tc = tcase_create("layout");
    tcase_add_test(tc, extent_must_fit_int64);
    tcase_add_test(tc, wrap_refuses_overflowing_strides);
    suite_add_tcase(s, tc);
    return s;
}

ARR_TEST_MAIN()
