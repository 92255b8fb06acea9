/* test_rel_thread_views.c - making a view of a view while another thread
 * frees the owner.
 *
 * Thread A holds a view V (its own handle) and slices it again and again;
 * thread B holds the owner O and frees it.  No handle is used by two threads:
 * only libarr's own bookkeeping links V to O.  Every new view must end up
 * either refused (ARR_EORPHAN) or a proper view: linked to a live owner, or
 * orphaned once that owner is gone.  Never a view whose base points at a
 * freed owner.
 *
 * This once failed: arr__new_view read src->base without the registry lock and
 * could link the new view into a freed owner (ASan: heap-use-after-free).
 * It now resolves the owner and links under the lock. */
#include "unit.h"

#include <pthread.h>

typedef struct race {
    arr_t *owner;
    pthread_barrier_t start;
} race_t;

static void *free_owner(void *arg)
{
    race_t *r = arg;
    pthread_barrier_wait(&r->start);
    arr_free(r->owner);
    return NULL;
}

START_TEST(views_of_a_view_while_its_owner_is_freed)
{
    int dangling = 0;
    for (int round = 0; round < 300; round++) {
        race_t r;
        int64_t n = 16;
        r.owner = arr_zeros(1, &n, ARR_FLOAT64);
        ck_assert_arr_ok(r.owner);
        arr_t *view = arr_slice(r.owner, "1:");
        ck_assert_arr_ok(view);
        pthread_barrier_init(&r.start, NULL, 2);
        pthread_t t;
        ck_assert_int_eq(pthread_create(&t, NULL, free_owner, &r), 0);
        pthread_barrier_wait(&r.start);
        arr_t *made[64];
        int nmade = 0;
        for (int k = 0; k < 64; k++) {
            arr_t *v = arr_slice(view, "::2");
            if (v == NULL) {
                ck_assert_arr_err(ARR_EORPHAN);
                break;
            }
            made[nmade++] = v;
        }
        ck_assert_int_eq(pthread_join(t, NULL), 0);
        pthread_barrier_destroy(&r.start);
        for (int k = 0; k < nmade; k++) {
            /* The owner is gone now: every view of it must be an orphan. */
            const arr_t *base = made[k]->base;
            if (base != NULL || !made[k]->orphaned)
                dangling++;
            ck_assert_int_eq(arr_free(made[k]), 0);
        }
        ck_assert_int_eq(arr_free(view), 0);
    }
    ck_assert_msg(dangling == 0, "%d views kept a base that was freed (not orphaned)", dangling);
    ck_assert_int_eq(arr_registry.count, 0);
    arr_stats_t s = arr_stats();
    ck_assert_int_eq(s.live_views, 0);
    ck_assert_int_eq(s.live_orphans, 0);
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("thread_views");
    TCase *tc = tcase_create("thread_views");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, views_of_a_view_while_its_owner_is_freed);
    suite_add_tcase(s, tc);
    return s;
}

ARR_TEST_MAIN()
