/* test_chunks.c - the block iterator (arr_chunks) and the chunked sum/mean.
 *
 * Coverage: every element is handed out in exactly one block, blocks are
 * views of the right owner with the right values, in the documented order;
 * the chunked sum equals arr_sum bit for bit over layouts, dtypes and block
 * sizes (arr_sum is itself checked against NumPy in test_math and
 * tests/npy); errors and the end of iteration are told apart. */
#include "unit.h"

#include "arr_internal.h"

#include <math.h>
#include <stdio.h>

/* Marks, in seen[], the flat C-order index (in a) of each element of block b
 * of a, where a holds its own flat index as value (an int64 arange). */
static void mark_block(const arr_t *b, int64_t *seen, int64_t nseen)
{
    int64_t n = arr_size(b), idx[ARR_MAXDIMS] = {0};
    for (int64_t k = 0; k < n; k++) {
        double v;
        ck_assert_int_eq(arr_get_f64(b, idx, &v), 0);
        ck_assert(v >= 0 && v < (double)nseen);
        seen[(int64_t)v]++;
        for (int d = arr_ndim(b) - 1; d >= 0; d--) {
            if (++idx[d] < arr_shape(b)[d])
                break;
            idx[d] = 0;
        }
    }
}

START_TEST(test_blocks_along_one_axis)
{
    arr_t *flat = arr_arange(0, 40, 1, ARR_INT64);
    arr_t *a = arr_reshape(flat, 2, (int64_t[]){10, 4}, ARR_COPY_NEVER);
    arr_chunks_t *it = arr_chunks(a, 1, (int[]){0}, (int64_t[]){3});
    ck_assert_ptr_nonnull(it);
    ck_assert_int_eq(arr_chunks_count(it), 4);
    ck_assert_ptr_null(arr_chunks_start(it));
    const char *want[] = {"0:3", "3:6", "6:9", "9:10"};
    for (int i = 0; i < 4; i++) {
        arr_t *b = arr_chunks_next(it);
        ck_assert_arr_ok(b);
        ck_assert(arr_is_view(b));
        ck_assert_ptr_eq(arr_base(b), flat); /* the ultimate owner */
        ck_assert_int_eq(b->op, ARR_OP_SLICE);
        ck_assert_int_eq(arr_chunks_start(it)[0], 3 * i);
        ck_assert_int_eq(arr_chunks_start(it)[1], 0);
        arr_t *ref = arr_slice(a, want[i]);
        ck_assert_int_eq(arr_equal(b, ref), 1);
        ck_assert_int_eq(arr_strides(b)[0], arr_strides(a)[0]);
        arr_free(ref);
        arr_free(b);
    }
    arr_set_f64(a, (int64_t[]){0, 0}, 0); /* sets an error state to clear */
    ck_assert_ptr_null(arr_chunks_next(it));
    ck_assert_int_eq(arr_errcode(), ARR_OK);
    ck_assert_ptr_null(arr_chunks_next(it)); /* stays at the end */
    ck_assert_int_eq(arr_errcode(), ARR_OK);
    arr_chunks_free(it);
    arr_free(a);
    arr_free(flat);
}
END_TEST

START_TEST(test_block_order_two_axes)
{
    arr_t *flat = arr_arange(0, 35, 1, ARR_INT64);
    arr_t *a = arr_reshape(flat, 2, (int64_t[]){5, 7}, ARR_COPY_NEVER);
    /* axes {1, 0}: axis 0 is listed last, so it moves fastest. */
    arr_chunks_t *it = arr_chunks(a, 2, (int[]){1, -2}, (int64_t[]){3, 2});
    ck_assert_int_eq(arr_chunks_count(it), 9);
    const int64_t starts[9][2] = {{0, 0}, {2, 0}, {4, 0}, {0, 3}, {2, 3}, {4, 3}, {0, 6}, {2, 6}, {4, 6}};
    const int64_t shapes[9][2] = {{2, 3}, {2, 3}, {1, 3}, {2, 3}, {2, 3}, {1, 3}, {2, 1}, {2, 1}, {1, 1}};
    for (int i = 0; i < 9; i++) {
        arr_t *b = arr_chunks_next(it);
        ck_assert_arr_ok(b);
        ck_assert_int_eq(arr_chunks_start(it)[0], starts[i][0]);
        ck_assert_int_eq(arr_chunks_start(it)[1], starts[i][1]);
        ck_assert_int_eq(arr_shape(b)[0], shapes[i][0]);
        ck_assert_int_eq(arr_shape(b)[1], shapes[i][1]);
        double v;
        ck_assert_int_eq(arr_get_f64(b, (int64_t[]){0, 0}, &v), 0);
        ck_assert(v == (double)(starts[i][0] * 7 + starts[i][1]));
        arr_free(b);
    }
    ck_assert_ptr_null(arr_chunks_next(it));
    ck_assert_int_eq(arr_errcode(), ARR_OK);
    arr_chunks_free(it);
    arr_free(a);
    arr_free(flat);
}
END_TEST

/* Random shapes, views, axes and lengths: each element exactly once. */
START_TEST(test_cover_exactly_once)
{
    unsigned seed = 7;
#define RAND(n) ((seed = seed * 1103515245u + 12345u), (int)((seed >> 16) % (unsigned)(n)))
    for (int trial = 0; trial < 300; trial++) {
        int ndim = RAND(4) + 1;
        int64_t shape[4], n = 1;
        for (int i = 0; i < ndim; i++) {
            shape[i] = RAND(6);
            n *= shape[i];
        }
        arr_t *flat = arr_arange(0, (double)n, 1, ARR_INT64);
        arr_t *a = arr_reshape(flat, ndim, shape, ARR_COPY_NEVER);
        ck_assert_arr_ok(a);
        arr_t *src = a;
        int kind = RAND(3);
        if (kind == 1)
            src = arr_transpose(a, NULL);
        else if (kind == 2)
            src = arr_flip(a, ARR_ALL_AXES);
        ck_assert_arr_ok(src);
        int naxes = RAND(ndim + 1), axes[4], used[4] = {0};
        int64_t lens[4], expect_blocks = 1;
        for (int k = 0; k < naxes; k++) {
            int ax;
            do
                ax = RAND(ndim);
            while (used[ax]);
            used[ax] = 1;
            axes[k] = ax;
            lens[k] = RAND(4) + 1;
            int64_t len = arr_shape(src)[ax];
            expect_blocks *= len / lens[k] + (len % lens[k] != 0);
        }
        int64_t *seen = calloc((size_t)(n > 0 ? n : 1), sizeof *seen);
        arr_chunks_t *it = arr_chunks(src, naxes, axes, lens);
        ck_assert_ptr_nonnull(it);
        ck_assert_int_eq(arr_chunks_count(it), expect_blocks);
        int64_t blocks = 0;
        arr_t *b;
        while ((b = arr_chunks_next(it)) != NULL) {
            mark_block(b, seen, n);
            blocks++;
            arr_free(b);
        }
        ck_assert_int_eq(arr_errcode(), ARR_OK);
        ck_assert_int_eq(blocks, expect_blocks);
        if (expect_blocks > 0)
            for (int64_t i = 0; i < n; i++)
                ck_assert_msg(seen[i] == 1, "trial %d: element %lld seen %lld times", trial,
                              (long long)i, (long long)seen[i]);
        free(seen);
        arr_chunks_free(it);
        if (src != a)
            arr_free(src);
        arr_free(a);
        arr_free(flat);
    }
    ck_assert_int_eq(arr_stats().live_views, 0);
#undef RAND
}
END_TEST

START_TEST(test_whole_and_0d)
{
    arr_t *s = arr_full(0, NULL, ARR_FLOAT64, 2.5);
    arr_chunks_t *it = arr_chunks(s, 0, NULL, NULL);
    ck_assert_int_eq(arr_chunks_count(it), 1);
    arr_t *b = arr_chunks_next(it);
    ck_assert_arr_ok(b);
    ck_assert_int_eq(arr_ndim(b), 0);
    ck_assert_int_eq(arr_equal(b, s), 1);
    ck_assert_int_eq(arr_chunks_start(it)[0], 0);
    arr_free(b);
    ck_assert_ptr_null(arr_chunks_next(it));
    arr_chunks_free(it);
    /* An empty axis chunked: no blocks at all. */
    arr_t *e = arr_zeros(2, (int64_t[]){0, 3}, ARR_INT8);
    it = arr_chunks(e, 1, (int[]){0}, (int64_t[]){2});
    ck_assert_int_eq(arr_chunks_count(it), 0);
    ck_assert_ptr_null(arr_chunks_next(it));
    ck_assert_int_eq(arr_errcode(), ARR_OK);
    arr_chunks_free(it);
    /* An empty axis not chunked: blocks that are empty too. */
    it = arr_chunks(e, 1, (int[]){1}, (int64_t[]){2});
    ck_assert_int_eq(arr_chunks_count(it), 2);
    b = arr_chunks_next(it);
    ck_assert_int_eq(arr_size(b), 0);
    arr_free(b);
    arr_chunks_free(it);
    arr_free(e);
    arr_free(s);
}
END_TEST

START_TEST(test_errors)
{
    arr_t *a = arr_zeros(2, (int64_t[]){4, 4}, ARR_FLOAT32);
    ck_assert_ptr_null(arr_chunks(a, 1, (int[]){2}, (int64_t[]){1}));
    ck_assert_arr_err(ARR_EINVAL);
    ck_assert_ptr_nonnull(strstr(arr_errmsg(), "out of bounds"));
    ck_assert_ptr_null(arr_chunks(a, 2, (int[]){0, -2}, (int64_t[]){1, 1}));
    ck_assert_arr_err(ARR_EINVAL);
    ck_assert_ptr_nonnull(strstr(arr_errmsg(), "twice"));
    ck_assert_ptr_null(arr_chunks(a, 1, (int[]){0}, (int64_t[]){0}));
    ck_assert_arr_err(ARR_EINVAL);
    ck_assert_ptr_null(arr_chunks(a, 3, (int[]){0, 1, 0}, (int64_t[]){1, 1, 1}));
    ck_assert_arr_err(ARR_EINVAL);
    ck_assert_ptr_null(arr_chunks(a, 1, NULL, (int64_t[]){1}));
    ck_assert_arr_err(ARR_EINVAL);
    ck_assert_ptr_null(arr_chunks(NULL, 0, NULL, NULL));
    ck_assert_int_ne(arr_errcode(), ARR_OK);
    ck_assert_ptr_null(arr_chunks_next(NULL));
    ck_assert_arr_err(ARR_EINVAL);
    ck_assert_int_eq(arr_chunks_count(NULL), -1);
    ck_assert_ptr_null(arr_chunks_start(NULL));
    arr_chunks_free(NULL);

    /* The array freed under the iterator: an error, not a read. */
    arr_chunks_t *it = arr_chunks(a, 1, (int[]){0}, (int64_t[]){1});
    arr_t *b = arr_chunks_next(it);
    arr_free(b);
    arr_free(a);
    ck_assert_ptr_null(arr_chunks_next(it));
    ck_assert_arr_err(ARR_ENOTLIVE);
    arr_chunks_free(it);

    /* A view whose owner was freed: orphaned, refused. */
    arr_t *o = arr_zeros(1, (int64_t[]){8}, ARR_INT16);
    arr_t *v = arr_slice(o, "::2");
    it = arr_chunks(v, 1, (int[]){0}, (int64_t[]){2});
    arr_free(o);
    ck_assert_ptr_null(arr_chunks_next(it));
    ck_assert_arr_err(ARR_EORPHAN);
    arr_chunks_free(it);
    ck_assert_ptr_null(arr_chunks(v, 0, NULL, NULL));
    ck_assert_arr_err(ARR_EORPHAN);
    double out;
    ck_assert_int_eq(arr_chunked_sum(v, 0, &out), -1);
    ck_assert_arr_err(ARR_EORPHAN);
    arr_free(v);

    arr_t *c = arr_zeros(1, (int64_t[]){3}, ARR_FLOAT64);
    ck_assert_int_eq(arr_chunked_sum(c, -1, &out), -1);
    ck_assert_arr_err(ARR_EINVAL);
    ck_assert_int_eq(arr_chunked_sum(c, 0, NULL), -1);
    ck_assert_int_eq(arr_chunked_mean(c, 0, NULL), -1);
    ck_assert_arr_err(ARR_EINVAL);
    arr_free(c);
    ck_assert_int_eq(arr_stats().live_views, 0);
}
END_TEST

/* Bit-identical to arr_sum: layouts x dtypes x block sizes. */
START_TEST(test_chunked_sum_equals_arr_sum)
{
    const arr_dtype_t dtypes[] = {ARR_FLOAT64, ARR_FLOAT32, ARR_COMPLEX128, ARR_COMPLEX64,
                                  ARR_INT8,    ARR_INT64,   ARR_UINT64,     ARR_BOOL};
    const char *views[] = {NULL, "::-1", "1:, ::3", "::2, 5:77, ::-1", ":, 17", "2"};
    const int64_t chunk_bytes[] = {0, 1, 40, 4096, 65536 + 8, 1 << 20};
    /* Values spread over many magnitudes so that grouping shows. */
    arr_t *base = arr_arange(0, 3 * 101 * 97, 1, ARR_FLOAT64);
    double *p = arr_data(base);
    for (int64_t i = 0; i < arr_size(base); i++)
        p[i] = sin((double)i * 0.7) * pow(10, (double)(i % 13) - 6);
    arr_t *cube = arr_reshape(base, 3, (int64_t[]){3, 101, 97}, ARR_COPY_NEVER);
    for (size_t d = 0; d < sizeof dtypes / sizeof dtypes[0]; d++) {
        arr_t *typed = arr_astype(cube, dtypes[d]);
        for (int fortran = 0; fortran < 2; fortran++) {
            arr_t *src = fortran ? arr_copy(typed, ARR_ORDER_F) : arr_view(typed);
            for (size_t v = 0; v < sizeof views / sizeof views[0]; v++) {
                arr_t *x = views[v] ? arr_slice(src, views[v]) : arr_transpose(src, NULL);
                ck_assert_arr_ok(x);
                double want, mean_want;
                ck_assert_int_eq(arr_sum(x, &want), 0);
                ck_assert_int_eq(arr_mean(x, &mean_want), 0);
                for (size_t c = 0; c < sizeof chunk_bytes / sizeof chunk_bytes[0]; c++) {
                    double got, mean;
                    ck_assert_int_eq(arr_chunked_sum(x, chunk_bytes[c], &got), 0);
                    ck_assert_int_eq(arr_chunked_mean(x, chunk_bytes[c], &mean), 0);
                    ck_assert_msg(memcmp(&got, &want, sizeof got) == 0 &&
                                      memcmp(&mean, &mean_want, sizeof mean) == 0,
                                  "%s view %s F=%d chunk %lld: %a vs arr_sum %a",
                                  arr_dtype_name(dtypes[d]), views[v] ? views[v] : ".T", fortran,
                                  (long long)chunk_bytes[c], got, want);
                }
                arr_free(x);
            }
            arr_free(src);
        }
        arr_free(typed);
    }
    arr_free(cube);
    arr_free(base);
}
END_TEST

START_TEST(test_chunked_sum_integers_wrap_as_numpy)
{
    /* int64: 3 * INT64_MAX wraps modulo 2^64 as NumPy's sum does. */
    arr_t *a = arr_full(1, (int64_t[]){3}, ARR_INT64, 0);
    int64_t *p = arr_data(a);
    p[0] = p[1] = p[2] = INT64_MAX;
    double got, want;
    ck_assert_int_eq(arr_chunked_sum(a, 8, &got), 0);
    ck_assert_int_eq(arr_sum(a, &want), 0);
    ck_assert(got == want);
    ck_assert(got == (double)(INT64_MAX - 2)); /* 3 * (2^63 - 1) mod 2^64 */
    arr_free(a);
    /* bool counts the true elements, whatever byte value they hold. */
    arr_t *b = arr_zeros(1, (int64_t[]){5}, ARR_BOOL);
    unsigned char *q = arr_data(b);
    q[0] = 1;
    q[3] = 1;
    ck_assert_int_eq(arr_chunked_sum(b, 1, &got), 0);
    ck_assert(got == 2);
    arr_free(b);
}
END_TEST

START_TEST(test_chunked_mean_empty_and_scalar)
{
    arr_t *e = arr_zeros(2, (int64_t[]){4, 0}, ARR_FLOAT64);
    double m;
    ck_assert_int_eq(arr_chunked_mean(e, 0, &m), 0);
    ck_assert(isnan(m));
    ck_assert_int_eq(arr_chunked_sum(e, 0, &m), 0);
    ck_assert(m == 0);
    arr_free(e);
    arr_t *s = arr_full(0, NULL, ARR_COMPLEX64, 3.5);
    ck_assert_int_eq(arr_chunked_mean(s, 0, &m), 0);
    ck_assert(m == 3.5);
    arr_free(s);
    /* Size-1 axes and a broadcast (zero-stride) view. */
    arr_t *r = arr_arange(1, 4, 1, ARR_FLOAT32);
    arr_t *bc = arr_broadcast_to(r, 3, (int64_t[]){2, 1, 3});
    double want;
    ck_assert_int_eq(arr_mean(bc, &want), 0);
    ck_assert_int_eq(arr_chunked_mean(bc, 4, &m), 0);
    ck_assert(m == want && m == 2.0);
    arr_free(bc);
    arr_free(r);
}
END_TEST

START_TEST(test_chunked_allocation_failure)
{
    arr_t *a = arr_arange(0, 50000, 1, ARR_FLOAT64);
    double want;
    arr_sum(a, &want);
    for (long n = 1;; n++) {
        int64_t views = arr_stats().live_views;
        arr__alloc_fail_countdown = n;
        double got;
        int rc = arr_chunked_sum(a, 4096, &got);
        long left = arr__alloc_fail_countdown;
        arr__alloc_fail_countdown = 0;
        ck_assert_int_eq(arr_stats().live_views, views);
        if (rc == 0) {
            ck_assert_int_gt(left, 0);
            ck_assert(got == want);
            break;
        }
        ck_assert_arr_err(ARR_ENOMEM);
    }
    arr_free(a);
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("chunks");
    TCase *tc = tcase_create("chunks");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_blocks_along_one_axis);
    tcase_add_test(tc, test_block_order_two_axes);
    tcase_add_test(tc, test_cover_exactly_once);
    tcase_add_test(tc, test_whole_and_0d);
    tcase_add_test(tc, test_errors);
    tcase_add_test(tc, test_chunked_sum_equals_arr_sum);
    tcase_add_test(tc, test_chunked_sum_integers_wrap_as_numpy);
    tcase_add_test(tc, test_chunked_mean_empty_and_scalar);
    tcase_add_test(tc, test_chunked_allocation_failure);
    suite_add_tcase(s, tc);
    return s;
}

ARR_TEST_MAIN()
