/* test_threads.c - many threads creating, viewing, copying and freeing
 * arrays at once.  The registry, its live-handle set, the stats and the
 * owners' view lists are shared by every thread; this checks they stay
 * consistent, and (make check-threads) runs it under helgrind and TSan.
 *
 * Handles themselves are not shared while in use: a handle moves from one
 * thread to another through a mutex-protected queue, as a real program would
 * hand one over.  But a view handed over keeps pointing at its owner, which
 * the producing thread frees whenever it likes, so orphaning (libarr writing
 * into a view another thread holds) happens across threads all the time. */
#include "unit.h"

#include <pthread.h>
#include <stdio.h>

#define NTHREADS 6

static int iterations(void)
{
    const char *s = getenv("ARR_THREAD_ITERS"); /* smaller under helgrind */
    int n = s ? atoi(s) : 0;
    return n > 0 ? n : 300;
}

/* Counts every thread adds up, checked against arr_stats() at the end. */
typedef struct tally {
    int64_t owners, views, copies, freed, orphaned;
} tally_t;

static void tally_add(tally_t *total, const tally_t *t)
{
    total->owners += t->owners;
    total->views += t->views;
    total->copies += t->copies;
    total->freed += t->freed;
    total->orphaned += t->orphaned;
}

/* A failure inside a thread is reported by the main thread. */
typedef struct worker {
    pthread_t thread;
    unsigned seed;
    tally_t tally;
    char failure[256];
} worker_t;

#define WORKER_CHECK(w, cond, ...)                                                   \
    do {                                                                             \
        if (!(cond)) {                                                               \
            snprintf((w)->failure, sizeof (w)->failure, __VA_ARGS__);                \
            return NULL;                                                             \
        }                                                                            \
    } while (0)

static unsigned next_random(unsigned *seed)
{
    *seed = *seed * 1103515245u + 12345u;
    return (*seed >> 16) & 0x7fff;
}

/* ---- every thread on its own arrays ------------------------------------- */

static void *private_worker(void *arg)
{
    worker_t *w = arg;
    int n = iterations();
    for (int i = 0; i < n; i++) {
        int64_t shape[2] = {2 + (int64_t)next_random(&w->seed) % 5, 3};
        arr_t *a = arr_arange(0, (double)(shape[0] * 3), 1, ARR_FLOAT64);
        WORKER_CHECK(w, a != NULL, "arange: %s", arr_errmsg());
        arr_t *m = arr_reshape(a, 2, shape, ARR_COPY_NEVER);
        arr_t *t = m ? arr_transpose(m, NULL) : NULL;
        arr_t *s = t ? arr_slice(t, "::-1, 1:") : NULL;
        arr_t *c = s ? arr_copy(s, ARR_ORDER_F) : NULL;
        WORKER_CHECK(w, m && t && s && c, "views/copy: %s", arr_errmsg());
        w->tally.owners += 2;
        w->tally.copies += 1;
        w->tally.views += 3;
        /* The copy holds what the view showed: column k of m reversed. */
        double sum_view, sum_copy;
        WORKER_CHECK(w, arr_sum(s, &sum_view) == 0 && arr_sum(c, &sum_copy) == 0, "sum");
        WORKER_CHECK(w, sum_view == sum_copy && arr_equal(s, c) == 1, "copy differs from its view");
        int64_t idx[2] = {0, 0};
        double first;
        WORKER_CHECK(w, arr_get_f64(s, idx, &first) == 0 && first == 5.0 && /* m[1, 2] = 3*1 + 2 */
                            arr_ptr(s, idx) == arr_ptr(m, (int64_t[]){1, 2}),
                     "s[0,0] is %g, not m[1,2]", first);
        /* Owners first half the time: the views become orphans. */
        bool owner_first = next_random(&w->seed) % 2;
        if (owner_first) {
            WORKER_CHECK(w, arr_free(a) == 0, "free owner");
            WORKER_CHECK(w, arr_sum(t, &first) == -1 && arr_errcode() == ARR_EORPHAN,
                         "an orphan was readable in this thread");
            w->tally.orphaned += 3;
        }
        WORKER_CHECK(w, arr_free(s) == 0 && arr_free(t) == 0 && arr_free(m) == 0, "free views");
        if (!owner_first)
            WORKER_CHECK(w, arr_free(a) == 0, "free owner");
        WORKER_CHECK(w, arr_free(c) == 0, "free copy");
        /* No double-free check here: another thread may already own a new
         * handle at c's address (test_core checks it single-threaded). */
        w->tally.freed += 5;
    }
    return NULL;
}

/* ---- views handed to another thread -------------------------------------- */

#define QUEUE_CAP 64

typedef struct queue {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    arr_t *items[QUEUE_CAP];
    int head, count, producers_left;
} queue_t;

static queue_t handoff = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, {0}, 0, 0, 0};

static void queue_push(queue_t *q, arr_t *a)
{
    pthread_mutex_lock(&q->lock);
    while (q->count == QUEUE_CAP)
        pthread_cond_wait(&q->changed, &q->lock);
    q->items[(q->head + q->count++) % QUEUE_CAP] = a;
    pthread_cond_broadcast(&q->changed);
    pthread_mutex_unlock(&q->lock);
}

/* NULL once every producer is done and the queue is empty. */
static arr_t *queue_pop(queue_t *q)
{
    pthread_mutex_lock(&q->lock);
    while (q->count == 0 && q->producers_left > 0)
        pthread_cond_wait(&q->changed, &q->lock);
    arr_t *a = NULL;
    if (q->count > 0) {
        a = q->items[q->head];
        q->head = (q->head + 1) % QUEUE_CAP;
        q->count--;
        pthread_cond_broadcast(&q->changed);
    }
    pthread_mutex_unlock(&q->lock);
    return a;
}

static void producer_done(queue_t *q)
{
    pthread_mutex_lock(&q->lock);
    q->producers_left--;
    pthread_cond_broadcast(&q->changed);
    pthread_mutex_unlock(&q->lock);
}

static void *produce(worker_t *w)
{
    int n = iterations();
    for (int i = 0; i < n; i++) {
        int64_t len = 1 + next_random(&w->seed) % 8;
        arr_t *a = arr_zeros(1, &len, ARR_INT32);
        WORKER_CHECK(w, a != NULL, "zeros: %s", arr_errmsg());
        w->tally.owners++;
        int nviews = 1 + (int)(next_random(&w->seed) % 3);
        for (int k = 0; k < nviews; k++) {
            arr_t *v = k % 2 ? arr_flip(a, 0) : arr_slice(a, "1:");
            WORKER_CHECK(w, v != NULL, "view: %s", arr_errmsg());
            w->tally.views++;
            queue_push(&handoff, v);
        }
        /* The consumers may be freeing those views right now, or may not
         * have seen them yet: either way they end up orphans or gone. */
        WORKER_CHECK(w, arr_free(a) == 0, "free owner: %s", arr_errmsg());
        w->tally.freed++;
    }
    return NULL;
}

/* Even a failed producer says it is done, or the consumers would wait. */
static void *producer(void *arg)
{
    produce(arg);
    producer_done(&handoff);
    return NULL;
}

static void *consume(worker_t *w)
{
    arr_t *v;
    while ((v = queue_pop(&handoff)) != NULL) {
        /* Only what orphaning does not change: liveness, shape, extent. */
        WORKER_CHECK(w, arr_is_live(v) && arr_ndim(v) == 1 && arr_is_view(v), "handed-over view not live");
        WORKER_CHECK(w, arr_may_share_memory(v, v) >= 0, "overlap query failed: %s", arr_errmsg());
        WORKER_CHECK(w, arr_free(v) == 0, "free view: %s", arr_errmsg());
        /* (Not "v is no longer live": another thread may already have been
         * given the same address for a new handle.) */
        w->tally.freed++;
    }
    return NULL;
}

/* A failed consumer still drains the queue, or the producers would wait. */
static void *consumer(void *arg)
{
    consume(arg);
    arr_t *v;
    while ((v = queue_pop(&handoff)) != NULL)
        arr_free(v);
    return NULL;
}

/* Watches the stats while the others run: every snapshot is coherent.
 * (A mutex, not an atomic flag: helgrind does not model atomics.) */
static pthread_mutex_t watch_lock = PTHREAD_MUTEX_INITIALIZER;
static bool watching;

static bool still_watching(void)
{
    pthread_mutex_lock(&watch_lock);
    bool on = watching;
    pthread_mutex_unlock(&watch_lock);
    return on;
}

static void set_watching(bool on)
{
    pthread_mutex_lock(&watch_lock);
    watching = on;
    pthread_mutex_unlock(&watch_lock);
}

static void *watcher(void *arg)
{
    worker_t *w = arg;
    while (still_watching()) {
        arr_stats_t s = arr_stats();
        WORKER_CHECK(w, s.live_owners >= 0 && s.live_views >= 0 && s.live_orphans >= 0 &&
                            s.live_orphans <= s.live_views && s.live_bytes >= 0 &&
                            s.live_bytes <= s.peak_bytes && s.live_copy_bytes <= s.live_bytes,
                     "incoherent stats snapshot");
        WORKER_CHECK(w, s.freed <= s.created_owners + s.created_views, "more freed than created");
        sched_yield();
    }
    return NULL;
}

static void run_workers(void *(*fn)(void *), worker_t *ws, int n, int seed_base)
{
    for (int i = 0; i < n; i++) {
        ws[i].seed = (unsigned)(seed_base + i);
        ck_assert_int_eq(pthread_create(&ws[i].thread, NULL, fn, &ws[i]), 0);
    }
}

static void join_workers(worker_t *ws, int n, tally_t *total)
{
    for (int i = 0; i < n; i++) {
        ck_assert_int_eq(pthread_join(ws[i].thread, NULL), 0);
        ck_assert_msg(ws[i].failure[0] == '\0', "thread %d: %s", i, ws[i].failure);
        tally_add(total, &ws[i].tally);
    }
}

static void assert_all_released(const arr_stats_t *before, const tally_t *t)
{
    arr_stats_t s = arr_stats();
    ck_assert_int_eq(arr_registry.count, 0);
    ck_assert_int_eq(s.live_owners, 0);
    ck_assert_int_eq(s.live_views, 0);
    ck_assert_int_eq(s.live_orphans, 0);
    ck_assert_int_eq(s.live_bytes, 0);
    ck_assert_int_eq(s.live_copy_bytes, 0);
    ck_assert_int_eq(s.created_owners - before->created_owners, t->owners);
    ck_assert_int_eq(s.created_views - before->created_views, t->views);
    ck_assert_int_eq(s.created_copies - before->created_copies, t->copies);
    ck_assert_int_eq(s.freed - before->freed, t->freed);
}

START_TEST(threads_on_private_arrays)
{
    arr_stats_t before = arr_stats();
    worker_t ws[NTHREADS + 1] = {0};
    set_watching(true);
    run_workers(watcher, &ws[NTHREADS], 1, 99);
    run_workers(private_worker, ws, NTHREADS, 1);
    tally_t total = {0};
    join_workers(ws, NTHREADS, &total);
    set_watching(false);
    join_workers(&ws[NTHREADS], 1, &total);
    ck_assert_int_eq(total.owners, (int64_t)NTHREADS * iterations() * 2);
    assert_all_released(&before, &total);
}
END_TEST

START_TEST(views_handed_across_threads)
{
    arr_stats_t before = arr_stats();
    enum { PRODUCERS = 3, CONSUMERS = 3 };
    worker_t ws[PRODUCERS + CONSUMERS + 1] = {0};
    handoff.producers_left = PRODUCERS;
    set_watching(true);
    run_workers(watcher, &ws[PRODUCERS + CONSUMERS], 1, 7);
    run_workers(consumer, &ws[PRODUCERS], CONSUMERS, 100);
    run_workers(producer, ws, PRODUCERS, 200);
    tally_t total = {0};
    join_workers(ws, PRODUCERS + CONSUMERS, &total);
    set_watching(false);
    join_workers(&ws[PRODUCERS + CONSUMERS], 1, &total);
    ck_assert_int_eq(total.freed, total.owners + total.views);
    assert_all_released(&before, &total);
}
END_TEST

/* Each thread has its own last error. */
static void *error_worker(void *arg)
{
    worker_t *w = arg;
    for (int i = 0; i < 2000; i++) {
        bool odd = (w->seed % 2) == 1;
        if (odd)
            (void)arr_zeros(-1, NULL, ARR_FLOAT64); /* EINVAL */
        else
            (void)arr_free((arr_t *)&w->tally);     /* ENOTLIVE: never an array */
        arr_err_t want = odd ? ARR_EINVAL : ARR_ENOTLIVE;
        WORKER_CHECK(w, arr_errcode() == want, "thread saw %s, expected %s", arr_strerror(arr_errcode()),
                     arr_strerror(want));
        sched_yield();
    }
    return NULL;
}

START_TEST(errors_are_per_thread)
{
    worker_t ws[4] = {0};
    run_workers(error_worker, ws, 4, 0);
    tally_t total = {0};
    join_workers(ws, 4, &total);
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("threads");
    TCase *tc = tcase_create("threads");
    tcase_set_timeout(tc, 300); /* helgrind is slow */
    tcase_add_test(tc, threads_on_private_arrays);
    tcase_add_test(tc, views_handed_across_threads);
    tcase_add_test(tc, errors_are_per_thread);
    suite_add_tcase(s, tc);
    return s;
}

ARR_TEST_MAIN()
