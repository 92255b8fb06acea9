/* test_npy_io.c - .npy I/O failures: every one is a clear error, no crash,
 * no file left behind. */
#include "unit.h"

#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

START_TEST(bad_paths)
{
    ck_assert_ptr_null(arr_load_npy(NULL, ARR_LOAD_COPY));
    ck_assert_arr_err(ARR_EINVAL);
    ck_assert_ptr_null(arr_create_npy(NULL, 1, (int64_t[]){4}, ARR_FLOAT64, ARR_ORDER_C));
    ck_assert_arr_err(ARR_EINVAL);
    ck_assert_ptr_null(arr_load_npy("/nonexistent/dir/x.npy", ARR_LOAD_COPY));
    ck_assert_arr_err(ARR_EINVAL);
    ck_assert_msg(strstr(arr_errmsg(), "/nonexistent/dir/x.npy"), "%s", arr_errmsg());
    /* a directory, an empty file: errors that name the problem */
    for (int mode = ARR_LOAD_COPY; mode <= ARR_LOAD_MMAP_READWRITE; mode++) {
        ck_assert_ptr_null(arr_load_npy("/tmp", (arr_load_mode_t)mode));
        ck_assert_arr_err(ARR_EINVAL);
        ck_assert_ptr_null(arr_load_npy("/dev/null", (arr_load_mode_t)mode));
        ck_assert_arr_err(ARR_EINVAL);
    }
    arr_npy_header_t h;
    ck_assert_int_eq(arr_npy_read_header("/dev/null", &h), -1);
    ck_assert_arr_err(ARR_EINVAL);
    ck_assert_int_eq(arr_registry.count, 0);
}
END_TEST

START_TEST(unwritable_places)
{
    arr_t *a = arr_arange(0, 6, 1, ARR_INT32);
    ck_assert_int_eq(arr_save_npy(a, "/nonexistent/dir/x.npy"), -1);
    ck_assert_arr_err(ARR_EINVAL);
    ck_assert_int_eq(arr_save_npy(NULL, "/tmp/x.npy"), -1);
    ck_assert_int_eq(arr_save_npy(a, NULL), -1);
    ck_assert_ptr_null(arr_create_npy("/nonexistent/dir/x.npy", 1, (int64_t[]){4}, ARR_FLOAT64, ARR_ORDER_C));
    ck_assert_arr_err(ARR_EINVAL);
    /* a device is never truncated, mapped or removed */
    ck_assert_ptr_null(arr_create_npy("/dev/null", 1, (int64_t[]){4}, ARR_FLOAT64, ARR_ORDER_C));
    ck_assert_arr_err(ARR_EINVAL);
    ck_assert_msg(strstr(arr_errmsg(), "not a regular file"), "%s", arr_errmsg());
    struct stat st;
    ck_assert_int_eq(stat("/dev/null", &st), 0);
    ck_assert(S_ISCHR(st.st_mode));
    /* saving to a device writes through it in place (as np.save would) */
    ck_assert_int_eq(arr_save_npy(a, "/dev/null"), 0);
    ck_assert_int_eq(stat("/dev/null", &st), 0);
    ck_assert(S_ISCHR(st.st_mode));
    arr_free(a);
    ck_assert_int_eq(arr_registry.count, 0);
}
END_TEST

START_TEST(round_trip_through_a_scratch_dir)
{
    char dir[] = "/tmp/arr_npy_io.XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/m.npy", dir);
    arr_t *m = arr_create_npy(path, 2, (int64_t[]){3, 5}, ARR_FLOAT32, ARR_ORDER_F);
    ck_assert_arr_ok(m);
    ck_assert_int_eq(arr_flags(m) & ARR_F_CONTIGUOUS, ARR_F_CONTIGUOUS);
    ck_assert_int_eq(arr_fill(m, 2.5), 0);
    ck_assert_int_ge(arr_drop_pages(m), 0);
    arr_free(m);
    arr_t *back = arr_load_npy(path, ARR_LOAD_MMAP_READONLY);
    ck_assert_arr_ok(back);
    double sum = 0;
    ck_assert_int_eq(arr_sum(back, &sum), 0);
    ck_assert(sum == 37.5);
    ck_assert_int_eq(arr_flags(back) & ARR_WRITEABLE, 0);
    ck_assert_int_eq(arr_fill(back, 1.0), -1); /* read-only mapping */
    ck_assert_arr_err(ARR_EREADONLY);
    arr_free(back);
    ck_assert_int_eq(unlink(path), 0);
    ck_assert_int_eq(rmdir(dir), 0); /* no temporary file left behind */
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("npy_io");
    TCase *tc = tcase_create("npy_io");
    tcase_add_test(tc, bad_paths);
    tcase_add_test(tc, unwritable_places);
    tcase_add_test(tc, round_trip_through_a_scratch_dir);
    suite_add_tcase(s, tc);
    return s;
}

ARR_TEST_MAIN()
