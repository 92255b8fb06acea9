/* test_alloc_fail.c - out-of-memory injection, as SQLite and jansson do it.
 *
 * libarr allocates only through arr__malloc/calloc/realloc, and
 * arr__alloc_fail_countdown = N makes the Nth allocation from then on fail.
 * The workload below calls every public function that allocates.  It is run
 * for N = 1, 2, ... until a run completes without the injected failure.  In
 * every run, the call that meets the failure must return NULL / -1 with
 * ARR_ENOMEM, must be the call that consumed the countdown, and must leave
 * the registry and the stats exactly as they were; a copyto must leave its
 * destination untouched.  Leaks show up under ASan (make SANITIZE=1) and
 * memcheck (make check-memcheck). */
#include "unit.h"

#include "arr_internal.h"

#include <math.h>
#include <stdio.h>

/* What a failed call must leave as it found. */
typedef struct snapshot {
    int64_t count;
    arr_stats_t stats;
} snapshot_t;

static snapshot_t take_snapshot(void) { return (snapshot_t){arr_registry.count, arr_stats()}; }

static void assert_unchanged(const snapshot_t *before, const char *call)
{
    arr_stats_t now = arr_stats(), was = before->stats;
    ck_assert_msg(arr_registry.count == before->count, "%s: registry %lld -> %lld after failing", call,
                  (long long)before->count, (long long)arr_registry.count);
    ck_assert_msg(now.live_owners == was.live_owners && now.live_views == was.live_views &&
                      now.live_orphans == was.live_orphans && now.live_bytes == was.live_bytes &&
                      now.live_copy_bytes == was.live_copy_bytes &&
                      now.created_owners == was.created_owners &&
                      now.created_views == was.created_views &&
                      now.created_copies == was.created_copies && now.freed == was.freed,
                  "%s: stats changed by a failed call", call);
}

/* A failure is acceptable only as the injected one, cleanly reported. */
static void assert_clean_failure(const snapshot_t *before, const char *call)
{
    ck_assert_msg(arr_errcode() == ARR_ENOMEM, "%s failed with %s (%s), not ARR_ENOMEM", call,
                  arr_strerror(arr_errcode()), arr_errmsg());
    ck_assert_msg(arr__alloc_fail_countdown == 0, "%s failed but the injected failure is still %ld away",
                  call, arr__alloc_fail_countdown);
    ck_assert_msg(strlen(arr_errmsg()) > 0, "%s: empty message", call);
    assert_unchanged(before, call);
}

#define MAX_HELD 64

typedef struct workload {
    arr_t *held[MAX_HELD];
    int nheld;
    int failures; /* calls that failed (at most 1 per run) */
} workload_t;

/* Runs call; on NULL checks the failure and makes the workload stop. */
#define MAKE(var, call)                                                              \
    do {                                                                             \
        snapshot_t before_ = take_snapshot();                                        \
        (var) = (call);                                                              \
        if ((var) == NULL) {                                                         \
            assert_clean_failure(&before_, #call);                                   \
            w->failures++;                                                           \
            return;                                                                  \
        }                                                                            \
        ck_assert_int_lt(w->nheld, MAX_HELD);                                        \
        w->held[w->nheld++] = (var);                                                 \
    } while (0)

#define RUN(call)                                                                    \
    do {                                                                             \
        snapshot_t before_ = take_snapshot();                                        \
        if ((call) != 0) {                                                           \
            assert_clean_failure(&before_, #call);                                   \
            w->failures++;                                                           \
            return;                                                                  \
        }                                                                            \
    } while (0)

/* A copyto that fails must not have written anything into dst.  Returns
 * false when it failed (cleanly). */
static bool checked_copyto(workload_t *w, arr_t *dst, const arr_t *src)
{
    long countdown = arr__alloc_fail_countdown;
    arr__alloc_fail_countdown = 0; /* the reference copy itself must not fail */
    arr_t *saved = arr_copy(dst, ARR_ORDER_K);
    arr__alloc_fail_countdown = countdown;
    ck_assert_arr_ok(saved);
    snapshot_t before = take_snapshot();
    int rc = arr_copyto(dst, src);
    if (rc != 0) {
        assert_clean_failure(&before, "arr_copyto");
        ck_assert_msg(arr_equal(dst, saved) == 1, "a failed copyto wrote into its destination");
        w->failures++;
    }
    ck_assert_int_eq(arr_free(saved), 0); /* freeing never allocates */
    return rc == 0;
}

static void workload_body(workload_t *w)
{
    arr_t *a, *r, *t, *s, *x;
    MAKE(a, arr_arange(0, 24, 1, ARR_FLOAT64));
    int64_t shape3[3] = {2, 3, 4};
    MAKE(r, arr_reshape(a, 3, shape3, ARR_COPY_NEVER));
    MAKE(t, arr_transpose(r, NULL));
    MAKE(s, arr_slice(r, "::-1, 1:, ::2"));
    arr_index_t idx[2] = {{ARR_IDX_INT, 1, 0, 0}, {ARR_IDX_NEWAXIS, 0, 0, 0}};
    MAKE(x, arr_slicev(r, 2, idx));
    MAKE(x, arr_swapaxes(r, 0, 2));
    MAKE(x, arr_expand_dims(r, 1));
    MAKE(x, arr_squeeze(x, ARR_ALL_AXES));
    MAKE(x, arr_flip(r, 1));
    MAKE(x, arr_view(t));
    MAKE(x, arr_diagonal(r, 1, 1, 2));
    arr_t *row;
    MAKE(row, arr_slice(r, "0, 0"));
    int64_t bshape[2] = {5, 4};
    MAKE(x, arr_broadcast_to(row, 2, bshape));
    int64_t flat = 24;
    MAKE(x, arr_reshape(t, 1, &flat, ARR_COPY_IF_NEEDED)); /* must copy */
    ck_assert(!x->is_view);
    MAKE(x, arr_copy(t, ARR_ORDER_C));
    MAKE(x, arr_copy(t, ARR_ORDER_F));
    MAKE(x, arr_copy(s, ARR_ORDER_A));
    MAKE(x, arr_copy(s, ARR_ORDER_K));
    MAKE(x, arr_ascontiguous(t)); /* a copy */
    MAKE(x, arr_ascontiguous(r)); /* a view */
    MAKE(x, arr_asfortran(t));    /* a view */
    MAKE(x, arr_asfortran(r));    /* a copy */
    MAKE(x, arr_astype(s, ARR_INT32));
    MAKE(x, arr_astype(t, ARR_COMPLEX64));
    int64_t shape2[2] = {3, 4};
    MAKE(x, arr_zeros(2, shape2, ARR_UINT8));
    MAKE(x, arr_empty(2, shape2, ARR_INT16));
    MAKE(x, arr_full(2, shape2, ARR_FLOAT32, 2.5));
    static double wrapped[12];
    MAKE(x, arr_wrap(wrapped, 2, shape2, NULL, ARR_FLOAT64, 1));
    RUN(arr_set_label(x, "wrapped"));
    arr_t *fl;
    MAKE(fl, arr_flip(r, ARR_ALL_AXES));
    if (!checked_copyto(w, r, fl)) /* overlapping: needs a scratch buffer */
        return;
}

static void workload_tail(workload_t *w)
{
    /* Reductions that walk a multi-dimensional array gather into a buffer. */
    arr_t *s = w->held[3];
    double v;
    RUN(arr_sum(s, &v));
    RUN(arr_mean(s, &v));
    double re, im;
    RUN(arr_sum_complex(s, &re, &im));
    ck_assert_msg(v == re / (double)arr_size(s), "mean %g of a sum %g", v, re);
}

static void run_workload(workload_t *w)
{
    workload_body(w);
    if (w->failures == 0)
        workload_tail(w);
}

/* Frees everything, owners first half the time so orphans are freed too. */
static void release_all(workload_t *w, bool owners_first)
{
    long countdown = arr__alloc_fail_countdown;
    arr__alloc_fail_countdown = 0;
    if (owners_first)
        for (int i = 0; i < w->nheld; i++)
            if (w->held[i] && !w->held[i]->is_view) {
                ck_assert_int_eq(arr_free(w->held[i]), 0);
                w->held[i] = NULL;
            }
    for (int i = w->nheld - 1; i >= 0; i--)
        if (w->held[i])
            ck_assert_int_eq(arr_free(w->held[i]), 0);
    w->nheld = 0;
    arr__alloc_fail_countdown = countdown;
}

START_TEST(every_allocation_fails_cleanly)
{
    snapshot_t start = take_snapshot();
    long n;
    int runs_failed = 0;
    for (n = 1; n < 10000; n++) {
        workload_t w = {0};
        arr_clear_error();
        arr__alloc_fail_countdown = n;
        run_workload(&w);
        bool injected = arr__alloc_fail_countdown == 0;
        arr__alloc_fail_countdown = 0;
        ck_assert_msg(w.failures == (injected ? 1 : 0),
                      "run %ld: the injected failure was %s but %d calls failed", n,
                      injected ? "consumed" : "never reached", w.failures);
        release_all(&w, n % 2 == 0);
        ck_assert_msg(arr_registry.count == start.count, "run %ld left %lld handles", n,
                      (long long)(arr_registry.count - start.count));
        arr_stats_t st = arr_stats();
        ck_assert(st.live_owners == start.stats.live_owners && st.live_views == start.stats.live_views &&
                  st.live_orphans == start.stats.live_orphans && st.live_bytes == start.stats.live_bytes &&
                  st.live_copy_bytes == start.stats.live_copy_bytes);
        runs_failed += injected;
        if (!injected)
            break; /* the whole workload ran: every allocation point was hit */
    }
    /* The workload allocates dozens of times; a count this low means the
     * hook is not wired in. */
    ck_assert_msg(runs_failed >= 40, "only %d allocation points in the workload", runs_failed);
    ck_assert_int_lt(n, 10000);
    fprintf(stderr, "alloc_fail: the workload's %d allocations each failed once, cleanly\n", runs_failed);
}
END_TEST

/* Growing the registry (items array) and its live-handle set are
 * allocations too; they happen at powers of two, so walk the count past
 * several of them failing each creation's second allocation: for a view
 * that is the growth (if any). */
START_TEST(registry_growth_fails_cleanly)
{
    int64_t one = 4;
    arr_t *owner = arr_zeros(1, &one, ARR_INT8);
    ck_assert_arr_ok(owner);
    enum { N = 600 };
    static arr_t *views[N];
    int growth_failures = 0;
    for (int i = 0; i < N; i++) {
        snapshot_t before = take_snapshot();
        arr__alloc_fail_countdown = 2;
        arr_t *v = arr_view(owner);
        bool injected = arr__alloc_fail_countdown == 0;
        arr__alloc_fail_countdown = 0;
        if (v == NULL) {
            ck_assert(injected);
            assert_clean_failure(&before, "arr_view (growth)");
            ck_assert_int_eq(owner->nviews, i);
            growth_failures++;
            v = arr_view(owner); /* and without the failure it works */
        } else {
            ck_assert_msg(!injected, "arr_view succeeded through an injected failure");
        }
        ck_assert_arr_ok(v);
        views[i] = v;
    }
    ck_assert_int_eq(owner->nviews, N);
    /* 600 handles cross the items array's 64/128/256/512 and the live set's
     * 32/64/128/256/512 thresholds, unless an earlier test grew them. */
    ck_assert_msg(growth_failures >= 1 || arr_registry.capacity > N, "no growth was exercised");
    ck_assert_int_eq(arr_free(owner), 0); /* orphans all 600 */
    ck_assert_int_eq(arr_stats().live_orphans, N);
    for (int i = 0; i < N; i++)
        ck_assert_int_eq(arr_free(views[i]), 0);
    ck_assert_int_eq(arr_registry.count, 0);
    ck_assert_int_eq(arr_stats().live_orphans, 0);
}
END_TEST

/* Real allocation failure (no injection): an absurd but representable size. */
START_TEST(huge_allocation_is_enomem)
{
    int64_t shape[2] = {(int64_t)1 << 22, (int64_t)1 << 21}; /* 64 TiB of float64 */
    snapshot_t before = take_snapshot();
    arr_t *a = arr_zeros(2, shape, ARR_FLOAT64);
    ck_assert(a == NULL);
    ck_assert_arr_err(ARR_ENOMEM);
    assert_unchanged(&before, "arr_zeros(64 TiB)");
    int64_t too_big[2] = {INT64_MAX / 2, 4};
    ck_assert(arr_empty(2, too_big, ARR_INT8) == NULL);
    ck_assert_arr_err(ARR_EOVERFLOW);
}
END_TEST

/* The countdown is one-shot: the allocation after the failing one works. */
START_TEST(countdown_is_one_shot)
{
    int64_t n = 3;
    arr__alloc_fail_countdown = 1;
    ck_assert(arr_zeros(1, &n, ARR_INT32) == NULL);
    ck_assert_arr_err(ARR_ENOMEM);
    ck_assert_int_eq(arr__alloc_fail_countdown, 0);
    arr_t *a = arr_zeros(1, &n, ARR_INT32);
    ck_assert_arr_ok(a);
    arr__alloc_fail_countdown = 2; /* the handle works, its buffer does not */
    ck_assert(arr_zeros(1, &n, ARR_INT32) == NULL);
    ck_assert_arr_err(ARR_ENOMEM);
    ck_assert_int_eq(arr_registry.count, 1);
    ck_assert_int_eq(arr_free(a), 0);
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("alloc_fail");
    TCase *tc = tcase_create("alloc_fail");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, every_allocation_fails_cleanly);
    tcase_add_test(tc, registry_growth_fails_cleanly);
    tcase_add_test(tc, huge_allocation_is_enomem);
    tcase_add_test(tc, countdown_is_one_shot);
    suite_add_tcase(s, tc);
    return s;
}

ARR_TEST_MAIN()
