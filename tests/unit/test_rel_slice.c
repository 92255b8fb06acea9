/* test_rel_slice.c - slice specs with extreme steps, found by fuzz_slice.
 *
 * A step so large that only one element is selected still gives that axis a
 * stride of stride*step, which overflows int64.  NumPy computes it with
 * wrap-around (np.arange(5.)[1::2**63-1].strides == (-8,)); libarr must give
 * the same value without signed overflow (undefined behaviour: UBSan aborts
 * under make check SANITIZE=1).  slicev_impl (libarr/arr_view.c) multiplies
 * with arr__wrap_mul; this test failed under SANITIZE=1 before it did. */
#include "unit.h"

START_TEST(huge_step_selects_one_element_with_numpys_stride)
{
    arr_t *a = arr_arange(0, 5, 1, ARR_FLOAT64);
    ck_assert_arr_ok(a);
    arr_t *v = arr_slice(a, "1::9223372036854775807");
    ck_assert_arr_ok(v);
    ck_assert_int_eq(v->ndim, 1);
    ck_assert_int_eq(v->shape[0], 1);
    ck_assert_int_eq(v->strides[0], -8); /* NumPy 1.24: (-8,) */
    double x;
    ck_assert_int_eq(arr_get_f64(v, (int64_t[]){0}, &x), 0);
    ck_assert(x == 1.0);
    arr_t *w = arr_slice(a, "0::-9223372036854775807");
    ck_assert_arr_ok(w);
    ck_assert_int_eq(w->shape[0], 1);
    ck_assert_int_eq(w->strides[0], 8); /* 8 * -(2^63-1) wraps to 8 */
    ck_assert_int_eq(arr_free(w), 0);
    ck_assert_int_eq(arr_free(v), 0);
    ck_assert_int_eq(arr_free(a), 0);
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("rel_slice");
    TCase *tc = tcase_create("rel_slice");
    tcase_add_test(tc, huge_step_selects_one_element_with_numpys_stride);
    suite_add_tcase(s, tc);
    return s;
}

ARR_TEST_MAIN()
