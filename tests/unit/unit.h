/* unit.h - shared bits of libarr's Check unit tests.
 * Each tests/unit/test_*.c is its own Check program: it defines a
 * `static Suite *make_suite(void)` and ends with ARR_TEST_MAIN(). */
#ifndef ARR_UNIT_H
#define ARR_UNIT_H

#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arr.h"

/* Asserts that an arr call failed with the given code, printing the message
 * it gave (and the code it got) when it did not. */
#define ck_assert_arr_err(expected_code)                                             \
    ck_assert_msg(arr_errcode() == (expected_code), "expected %s, got %s: %s",       \
                  arr_strerror(expected_code), arr_strerror(arr_errcode()),          \
                  arr_errmsg())

/* Asserts a call returned non-NULL, printing libarr's error when not. */
#define ck_assert_arr_ok(ptr) ck_assert_msg((ptr) != NULL, "libarr error: %s", arr_errmsg())

#define ARR_TEST_MAIN()                                                              \
    int main(void)                                                                   \
    {                                                                                \
        SRunner *runner = srunner_create(make_suite());                              \
        srunner_run_all(runner, CK_NORMAL);                                          \
        int failed = srunner_ntests_failed(runner);                                  \
        srunner_free(runner);                                                        \
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;                            \
    }

#endif
