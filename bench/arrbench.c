/* arrbench.c - libarr's side of `make bench`.
 *
 *   arrbench serve            answer timing requests on stdin (see below)
 *   arrbench workload ROUNDS  an array-heavy program for timing Valgrind tools
 *   arrbench live N           make N arrays, print when main ends, leak them
 *   arrbench gdbtarget N      a 1,000,000-element array, a 120**3 array, a
 *                             (2,)*32 broadcast view, plus N live arrays,
 *                             then stop in bench_gdb_stop() for gdb
 *
 * The serve protocol is shared with np_server.py, so bench/run_bench.py can
 * interleave libarr and NumPy runs of the same case in the same session:
 *
 *   run CASE P1 P2 ITERS   ->  ok SECONDS           (ITERS calls, total time)
 *   check CASE P1 P2       ->  ok DIGEST [WORK]     (what the result holds;
 *                                                 WORK: solver work units)
 *   quit
 *   anything wrong         ->  err MESSAGE          (the server goes on)
 *
 * A case's inputs are built once, outside the timed region, and kept until a
 * request names another (CASE, P1, P2).  Results are freed inside the timed
 * region, as a program would: NumPy's timings include deallocation too. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "arr.h"

/* libarr's solver with its work counter (internal; tests/unit declares it
 * the same way).  Gives the "work" column of the shares_memory scaling. */
int arr__solve_overlap(const void *data_a, int ndim_a, const int64_t *shape_a,
                       const int64_t *strides_a, int64_t itemsize_a, const void *data_b,
                       int ndim_b, const int64_t *shape_b, const int64_t *strides_b,
                       int64_t itemsize_b, int64_t max_work, int64_t *work_done);

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Written after every timed call so the compiler cannot drop the work. */
static volatile double sink;

/* ---- inputs --------------------------------------------------------------- */

/* Values (i % 1000) / 4: exact in float32 and float64, and small enough that
 * every sum and digest below is an exact integer multiple of 1/4, so libarr
 * and NumPy must agree to the last bit whatever the summation order. */
static void fill_pattern(double *p, int64_t n)
{
    for (int64_t i = 0; i < n; i++)
        p[i] = (double)(i % 1000) * 0.25;
}

static arr_t *pattern_array(int ndim, const int64_t *shape)
{
    arr_t *a = arr_empty(ndim, shape, ARR_FLOAT64);
    if (a != NULL)
        fill_pattern(arr_data(a), arr_size(a));
    return a;
}

/* The NumPy docstring's hard shares_memory instance, scaled by m/1049:
 * x1 = as_strided(x, strides=(36674, 61119, 85569), shape=(m, m, m)) and
 * x2 = as_strided(x[off:], strides=(12223, 12224, 1), shape=(m, m, 1)) over
 * an int8 buffer.  Its answer is "no", so the solver must search. */
#define HARD_BUFFER_BYTES 192163377
static const int64_t hard_strides_1[3] = {36674, 61119, 85569};
static const int64_t hard_strides_2[3] = {12223, 12224, 1};

static int64_t hard_offset(int64_t m)
{
    return 64023025 * m / 1049;
}

/* ---- the cases ------------------------------------------------------------ */

enum { MAX_SIDE_ARRAYS = 8 };

struct state {
    char name[32];
    int64_t p1, p2;
    arr_t *arrays[MAX_SIDE_ARRAYS]; /* inputs, freed on teardown */
    int narrays;
    void *raw[2];  /* plain buffers for the memcpy and shares cases */
    size_t raw_bytes;
    const char *bad_param; /* set by a setup that rejects its parameters */
};

static void teardown(struct state *s)
{
    /* Views before owners, so no view is orphaned on the way out. */
    for (int i = s->narrays - 1; i >= 0; i--)
        arr_free(s->arrays[i]);
    s->narrays = 0;
    free(s->raw[0]);
    free(s->raw[1]);
    s->raw[0] = s->raw[1] = NULL;
    s->name[0] = '\0';
}

static int keep(struct state *s, arr_t *a)
{
    if (a == NULL) {
        fprintf(stderr, "arrbench: setup failed: %s\n", arr_errmsg());
        return -1;
    }
    s->arrays[s->narrays++] = a;
    return 0;
}

/* Each case: build inputs (setup), do one call (run, returns 0 or -1), and
 * describe its result (digest). */
typedef int (*setup_fn)(struct state *s);
typedef int (*run_fn)(struct state *s);
typedef int (*digest_fn)(struct state *s, double *digest);

/* Order-sensitive checksum of a result: sum of value * (i % 7 + 1) over the
 * elements in C order, so a wrong layout changes it, not only wrong values. */
static int digest_array(const arr_t *r, double *out)
{
    arr_t *c = NULL;
    if (!(arr_flags(r) & ARR_C_CONTIGUOUS)) {
        c = arr_copy(r, ARR_ORDER_C);
        if (c == NULL)
            return -1;
        r = c;
    }
    arr_t *f = NULL;
    if (arr_dtype(r) != ARR_FLOAT64) {
        f = arr_astype(r, ARR_FLOAT64);
        if (f == NULL) {
            arr_free(c);
            return -1;
        }
        r = f;
    }
    const double *p = arr_data(r);
    double total = 0;
    for (int64_t i = 0, n = arr_size(r); i < n; i++)
        total += p[i] * (double)(i % 7 + 1);
    *out = total;
    arr_free(f);
    arr_free(c);
    return 0;
}

/* Copy-like cases share one shape: run makes a result from arrays[last]. */
typedef arr_t *(*produce_fn)(arr_t *input);

static arr_t *produce_copy(arr_t *a) { return arr_copy(a, ARR_ORDER_C); }
static arr_t *produce_ascontiguous(arr_t *a) { return arr_ascontiguous(a); }
static arr_t *produce_astype32(arr_t *a) { return arr_astype(a, ARR_FLOAT32); }

static produce_fn producer_of(const char *name)
{
    if (strcmp(name, "ascontig_T") == 0)
        return produce_ascontiguous;
    if (strcmp(name, "astype_f32") == 0)
        return produce_astype32;
    return produce_copy;
}

static arr_t *case_input(struct state *s)
{
    return s->arrays[s->narrays - 1];
}

static int run_produce(struct state *s)
{
    arr_t *r = producer_of(s->name)(case_input(s));
    if (r == NULL)
        return -1;
    if (arr_size(r) > 0)
        sink = *(const char *)arr_data(r) + sink;
    return arr_free(r);
}

static int digest_produce(struct state *s, double *digest)
{
    arr_t *r = producer_of(s->name)(case_input(s));
    if (r == NULL)
        return -1;
    int rc = digest_array(r, digest);
    arr_free(r);
    return rc;
}

/* Inputs stay below 2 GB each: the benchmark's largest size is 1 GB. */
#define MAX_ELEMENTS ((int64_t)1 << 28)
#define MAX_SIDE 16384

/* copy P1: 1-D float64 of P1 elements. */
static int setup_copy_1d(struct state *s)
{
    int64_t n = s->p1;
    if (n > MAX_ELEMENTS) {
        s->bad_param = "P1 (elements) must be at most 2^28";
        return -1;
    }
    return keep(s, pattern_array(1, &n));
}

/* ascontig_T / copy_step2 / copy_revcols / astype_f32 / sum / mean: a P1 x P1
 * float64 array and the view the case works on. */
static int setup_square(struct state *s)
{
    int64_t shape[2] = {s->p1, s->p1};
    if (s->p1 > MAX_SIDE) {
        s->bad_param = "P1 (side) must be at most 16384";
        return -1;
    }
    if (keep(s, pattern_array(2, shape)) < 0)
        return -1;
    arr_t *a = s->arrays[0];
    if (strcmp(s->name, "ascontig_T") == 0)
        return keep(s, arr_transpose(a, NULL));
    if (strcmp(s->name, "copy_step2") == 0)
        return keep(s, arr_slice(a, "::2, ::2"));
    if (strcmp(s->name, "copy_revcols") == 0)
        return keep(s, arr_slice(a, ":, ::-1"));
    return 0;
}

static int run_sum(struct state *s)
{
    double v;
    int rc = strcmp(s->name, "mean") == 0 ? arr_mean(case_input(s), &v) : arr_sum(case_input(s), &v);
    sink = v;
    return rc;
}

static int digest_sum(struct state *s, double *digest)
{
    return strcmp(s->name, "mean") == 0 ? arr_mean(case_input(s), digest)
                                        : arr_sum(case_input(s), digest);
}

/* copyto_bcast P1: dst (P1, P1) = src (P1,) broadcast over rows. */
static int setup_copyto(struct state *s)
{
    int64_t shape[2] = {s->p1, s->p1};
    if (s->p1 > MAX_SIDE) {
        s->bad_param = "P1 (side) must be at most 16384";
        return -1;
    }
    if (keep(s, arr_zeros(2, shape, ARR_FLOAT64)) < 0)
        return -1;
    return keep(s, pattern_array(1, &s->p1));
}

static int run_copyto(struct state *s)
{
    return arr_copyto(s->arrays[0], s->arrays[1]);
}

static int digest_copyto(struct state *s, double *digest)
{
    if (arr_copyto(s->arrays[0], s->arrays[1]) < 0)
        return -1;
    return digest_array(s->arrays[0], digest);
}

/* memcpy_fresh / memcpy_plain / memcpy_warm P1: P1 float64s of plain memory.
 * fresh allocates and frees the destination every call, as arr_copy must,
 * and gives a big one the transparent-huge-page hint that libarr and NumPy
 * both give their big buffers, so the three pay the same page faults.
 * plain is glibc's malloc with no hint (4 KB pages); warm copies into a
 * reused, already-faulted buffer: the memory-bandwidth bound. */
static void hint_huge_pages(void *buffer, size_t nbytes)
{
    const uintptr_t huge = (uintptr_t)2 << 20;
    if (nbytes < ((size_t)4 << 20))
        return;
    uintptr_t first = ((uintptr_t)buffer + huge - 1) & ~(huge - 1);
    uintptr_t last = ((uintptr_t)buffer + nbytes) & ~(huge - 1);
    if (last > first)
        (void)madvise((void *)first, last - first, MADV_HUGEPAGE);
}

static int setup_memcpy(struct state *s)
{
    if (s->p1 > MAX_ELEMENTS) {
        s->bad_param = "P1 (elements) must be at most 2^28";
        return -1;
    }
    s->raw_bytes = (size_t)s->p1 * sizeof(double);
    s->raw[0] = malloc(s->raw_bytes);
    s->raw[1] = malloc(s->raw_bytes);
    if (s->raw[0] == NULL || s->raw[1] == NULL)
        return -1;
    hint_huge_pages(s->raw[0], s->raw_bytes);
    hint_huge_pages(s->raw[1], s->raw_bytes);
    fill_pattern(s->raw[0], s->p1);
    memset(s->raw[1], 0, s->raw_bytes); /* fault the warm destination in */
    return 0;
}

static int run_memcpy(struct state *s)
{
    if (strcmp(s->name, "memcpy_warm") == 0) {
        memcpy(s->raw[1], s->raw[0], s->raw_bytes);
        sink = s->raw_bytes ? *(const char *)s->raw[1] : 0;
        return 0;
    }
    double *dst = malloc(s->raw_bytes);
    if (dst == NULL)
        return -1;
    if (strcmp(s->name, "memcpy_fresh") == 0)
        hint_huge_pages(dst, s->raw_bytes);
    memcpy(dst, s->raw[0], s->raw_bytes);
    sink = s->raw_bytes ? *(const char *)dst : 0;
    free(dst);
    return 0;
}

/* shares_easy: a set of cheap questions (disjoint, gcd-excluded, a vs a.T,
 * two interleaved strided views).  shares_hard P1 P2: the scaled hard
 * instance with max_work P2 (-1 exact). */
static int setup_shares_easy(struct state *s)
{
    int64_t shape[3] = {64, 64, 64};
    if (keep(s, arr_zeros(3, shape, ARR_FLOAT64)) < 0)
        return -1;
    arr_t *x = s->arrays[0];
    if (keep(s, arr_copy(x, ARR_ORDER_C)) < 0)
        return -1;
    if (keep(s, arr_transpose(x, NULL)) < 0)
        return -1;
    if (keep(s, arr_slice(x, ":, ::2, ::3")) < 0)
        return -1;
    if (keep(s, arr_slice(x, ":, ::3, ::2")) < 0)
        return -1;
    if (keep(s, arr_slice(x, "..., ::2")) < 0)
        return -1;
    return keep(s, arr_slice(x, "..., 1::2"));
}

static int shares_easy_answers(struct state *s, int answers[4])
{
    arr_t **a = s->arrays;
    answers[0] = arr_shares_memory(a[0], a[1], ARR_MAX_WORK_EXACT);
    answers[1] = arr_shares_memory(a[0], a[2], ARR_MAX_WORK_EXACT);
    answers[2] = arr_shares_memory(a[3], a[4], ARR_MAX_WORK_EXACT);
    answers[3] = arr_shares_memory(a[5], a[6], ARR_MAX_WORK_EXACT);
    for (int i = 0; i < 4; i++)
        if (answers[i] < 0)
            return -1;
    return 0;
}

static int run_shares_easy(struct state *s)
{
    int answers[4];
    return shares_easy_answers(s, answers);
}

static int digest_shares_easy(struct state *s, double *digest)
{
    int answers[4];
    if (shares_easy_answers(s, answers) < 0)
        return -1;
    *digest = answers[0] * 1000 + answers[1] * 100 + answers[2] * 10 + answers[3];
    return 0;
}

static int setup_shares_hard(struct state *s)
{
    if (s->p1 < 1 || s->p1 > 1049) {
        s->bad_param = "m (P1) must be 1..1049";
        return -1;
    }
    /* calloc: the pages are never touched, the solver only does arithmetic. */
    s->raw[0] = calloc(1, HARD_BUFFER_BYTES);
    if (s->raw[0] == NULL)
        return -1;
    int64_t m = s->p1;
    int64_t shape1[3] = {m, m, m}, shape2[3] = {m, m, 1};
    char *base = s->raw[0];
    if (keep(s, arr_wrap(base, 3, shape1, hard_strides_1, ARR_INT8, 0)) < 0)
        return -1;
    return keep(s, arr_wrap(base + hard_offset(m), 3, shape2, hard_strides_2, ARR_INT8, 0));
}

static int shares_hard_answer(struct state *s)
{
    int answer = arr_shares_memory(s->arrays[0], s->arrays[1], s->p2);
    if (answer == ARR_SHARES_TOO_HARD)
        arr_clear_error();
    return answer;
}

static int run_shares_hard(struct state *s)
{
    return shares_hard_answer(s) < 0 ? -1 : 0;
}

static int64_t shares_hard_work(struct state *s)
{
    const arr_t *a = s->arrays[0], *b = s->arrays[1];
    int64_t work = 0;
    arr__solve_overlap(arr_data(a), 3, arr_shape(a), arr_strides(a), 1, arr_data(b), 3,
                       arr_shape(b), arr_strides(b), 1, s->p2, &work);
    arr_clear_error();
    return work;
}

static int digest_shares_hard(struct state *s, double *digest)
{
    int answer = shares_hard_answer(s);
    *digest = answer;
    return answer < 0 ? -1 : 0;
}

/* view_nd / slice_nd / transpose_nd P1: one view of a P1-dimensional array
 * (2 x 2 x ... x 1 x 1, 1024 elements at most). */
static int setup_nd(struct state *s)
{
    if (s->p1 < 1 || s->p1 > ARR_MAXDIMS) {
        s->bad_param = "ndim (P1) must be 1..32";
        return -1;
    }
    int64_t shape[ARR_MAXDIMS];
    for (int d = 0; d < s->p1; d++)
        shape[d] = d < 10 ? 2 : 1;
    return keep(s, arr_zeros((int)s->p1, shape, ARR_FLOAT64));
}

static int run_nd(struct state *s)
{
    arr_t *a = case_input(s), *v;
    if (strcmp(s->name, "slice_nd") == 0)
        v = arr_slice(a, "::-1, ...");
    else if (strcmp(s->name, "transpose_nd") == 0)
        v = arr_transpose(a, NULL);
    else
        v = arr_view(a);
    if (v == NULL)
        return -1;
    return arr_free(v);
}

/* crloop: the create/slice/free-heavy loop body used to price libarr's
 * Valgrind client requests (arrbench against arrbench-nvg). */
static int run_crloop(struct state *s)
{
    (void)s;
    int64_t shape[2] = {8, 8};
    arr_t *a = arr_empty(2, shape, ARR_FLOAT64);
    arr_t *v = a ? arr_slice(a, "1:7, ::2") : NULL;
    arr_t *t = v ? arr_transpose(v, NULL) : NULL;
    arr_t *c = t ? arr_copy(t, ARR_ORDER_C) : NULL;
    int ok = c != NULL;
    arr_free(c);
    arr_free(t);
    arr_free(v);
    arr_free(a);
    return ok ? 0 : -1;
}

static int setup_nothing(struct state *s)
{
    (void)s;
    return 0;
}

static int digest_none(struct state *s, double *digest)
{
    (void)s;
    *digest = 0;
    return 0;
}

struct case_def {
    const char *name;
    setup_fn setup;
    run_fn run;
    digest_fn digest;
};

static const struct case_def cases[] = {
    {"copy", setup_copy_1d, run_produce, digest_produce},
    {"memcpy_fresh", setup_memcpy, run_memcpy, digest_none},
    {"memcpy_plain", setup_memcpy, run_memcpy, digest_none},
    {"memcpy_warm", setup_memcpy, run_memcpy, digest_none},
    {"ascontig_T", setup_square, run_produce, digest_produce},
    {"copy_step2", setup_square, run_produce, digest_produce},
    {"copy_revcols", setup_square, run_produce, digest_produce},
    {"astype_f32", setup_square, run_produce, digest_produce},
    {"sum", setup_square, run_sum, digest_sum},
    {"mean", setup_square, run_sum, digest_sum},
    {"copyto_bcast", setup_copyto, run_copyto, digest_copyto},
    {"shares_easy", setup_shares_easy, run_shares_easy, digest_shares_easy},
    {"shares_hard", setup_shares_hard, run_shares_hard, digest_shares_hard},
    {"view_nd", setup_nd, run_nd, digest_none},
    {"slice_nd", setup_nd, run_nd, digest_none},
    {"transpose_nd", setup_nd, run_nd, digest_none},
    {"crloop", setup_nothing, run_crloop, digest_none},
};

static const struct case_def *find_case(const char *name)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (strcmp(cases[i].name, name) == 0)
            return &cases[i];
    return NULL;
}

/* Makes s hold the inputs of (name, p1, p2), reusing them when it already
 * does.  Returns the case or NULL (after printing an err line). */
static const struct case_def *prepare(struct state *s, const char *name, int64_t p1, int64_t p2)
{
    const struct case_def *c = find_case(name);
    if (c == NULL) {
        printf("err unknown case '%s'\n", name);
        return NULL;
    }
    if (strcmp(s->name, name) == 0 && s->p1 == p1 && s->p2 == p2)
        return c;
    teardown(s);
    if (p1 < 0 || strlen(name) >= sizeof s->name) {
        printf("err bad parameters for %s\n", name);
        return NULL;
    }
    snprintf(s->name, sizeof s->name, "%s", name);
    s->p1 = p1;
    s->p2 = p2;
    s->bad_param = NULL;
    arr_clear_error();
    if (c->setup(s) < 0) {
        printf("err setup of %s %" PRId64 " failed: %s\n", name, p1,
               s->bad_param ? s->bad_param : arr_errcode() ? arr_errmsg() : strerror(ENOMEM));
        teardown(s);
        return NULL;
    }
    return c;
}

static void serve_line(struct state *s, char *line)
{
    char cmd[16], name[32];
    long long p1 = 0, p2 = 0, iters = 1;
    int fields = sscanf(line, "%15s %31s %lld %lld %lld", cmd, name, &p1, &p2, &iters);
    if (fields >= 4 && strcmp(cmd, "run") == 0) {
        if (iters < 1 || iters > 1000000000LL) {
            printf("err iters must be 1..1e9\n");
            return;
        }
        const struct case_def *c = prepare(s, name, p1, p2);
        if (c == NULL)
            return;
        double start = now_seconds();
        for (long long i = 0; i < iters; i++) {
            if (c->run(s) < 0) {
                printf("err %s failed: %s\n", name, arr_errmsg());
                return;
            }
        }
        double elapsed = now_seconds() - start;
        printf("ok %.9f\n", elapsed);
    } else if (fields >= 4 && strcmp(cmd, "check") == 0) {
        const struct case_def *c = prepare(s, name, p1, p2);
        double digest;
        if (c == NULL)
            return;
        if (c->digest(s, &digest) < 0)
            printf("err %s failed: %s\n", name, arr_errmsg());
        else if (strcmp(name, "shares_hard") == 0)
            printf("ok %.17g %" PRId64 "\n", digest, shares_hard_work(s));
        else
            printf("ok %.17g\n", digest);
    } else {
        printf("err expected: run CASE P1 P2 ITERS | check CASE P1 P2 | quit\n");
    }
}

static int serve(void)
{
    struct state s = {0};
    char line[256];
    while (fgets(line, sizeof line, stdin) != NULL) {
        if (strncmp(line, "quit", 4) == 0)
            break;
        serve_line(&s, line);
        fflush(stdout);
    }
    teardown(&s);
    return 0;
}

/* ---- programs run under the tools ----------------------------------------- */

/* One round touches every kind of libarr call the tools watch: owners,
 * views, copies, casts, reductions, broadcasting, overlap questions. */
static int workload_round(void)
{
    int64_t shape[2] = {128, 128};
    arr_t *a = pattern_array(2, shape);
    arr_t *t = a ? arr_transpose(a, NULL) : NULL;
    arr_t *c = t ? arr_ascontiguous(t) : NULL;
    arr_t *s = a ? arr_slice(a, "::2, 1::3") : NULL;
    arr_t *sc = s ? arr_copy(s, ARR_ORDER_C) : NULL;
    arr_t *f = a ? arr_astype(a, ARR_FLOAT32) : NULL;
    arr_t *row = a ? arr_slice(a, "3") : NULL;
    arr_t *dst = arr_zeros(2, shape, ARR_FLOAT64);
    double total = 0, mean = 0;
    int ok = a && t && c && s && sc && f && row && dst && arr_copyto(dst, row) == 0 &&
             arr_sum(c, &total) == 0 && arr_mean(sc, &mean) == 0 &&
             arr_shares_memory(s, t, ARR_MAX_WORK_EXACT) >= 0;
    sink = total + mean;
    arr_t *handles[] = {dst, row, f, sc, s, c, t, a};
    for (size_t i = 0; i < sizeof handles / sizeof handles[0]; i++)
        arr_free(handles[i]);
    return ok ? 0 : -1;
}

static int workload(long rounds)
{
    for (long r = 0; r < rounds; r++) {
        if (workload_round() < 0) {
            fprintf(stderr, "arrbench workload: %s\n", arr_errmsg());
            return 1;
        }
    }
    return 0;
}

/* N live arrays at exit: the tool's leak report has all of them to scan.
 * Prints CLOCK_MONOTONIC as main returns so the caller can tell the exit
 * report's time from the program's. */
static int live(long n)
{
    int64_t shape = 4;
    for (long i = 0; i < n; i++) {
        if (arr_zeros(1, &shape, ARR_FLOAT64) == NULL) {
            fprintf(stderr, "arrbench live: %s\n", arr_errmsg());
            return 1;
        }
    }
    printf("main_end %.9f\n", now_seconds());
    fflush(stdout);
    return 0; /* the arrays are left live on purpose */
}

/* gdb stops here; noinline keeps it a real frame at -O2. */
__attribute__((noinline)) void bench_gdb_stop(arr_t *big, long nlive);
__attribute__((noinline)) void bench_gdb_stop(arr_t *big, long nlive)
{
    __asm__ volatile("" : : "r"(big), "r"(nlive) : "memory");
}

arr_t *bench_big; /* global, so gdb finds it in any frame */
/* Issue 15's print goals: a 120**3 float64 array and a (2,)*32 broadcast
 * view (2**32 elements over one float64) print in <= 50 ms each. */
arr_t *bench_big3, *bench_deep;

static int gdbtarget(long nlive)
{
    int64_t n = 1000000;
    bench_big = pattern_array(1, &n);
    if (bench_big == NULL)
        return 1;
    arr_set_label(bench_big, "big");
    int64_t s120[3] = {120, 120, 120}, s32[32], one = 1;
    for (int d = 0; d < 32; d++)
        s32[d] = 2;
    arr_t *flat120 = arr_arange(0, 120 * 120 * 120, 1, ARR_FLOAT64);
    arr_t *single = arr_zeros(1, &one, ARR_FLOAT64);
    bench_big3 = flat120 ? arr_reshape(flat120, 3, s120, ARR_COPY_NEVER) : NULL;
    bench_deep = single ? arr_broadcast_to(single, 32, s32) : NULL;
    if (bench_big3 == NULL || bench_deep == NULL)
        return 1;
    int64_t shape = 2;
    arr_t **extra = calloc((size_t)(nlive > 0 ? nlive : 1), sizeof *extra);
    if (extra == NULL)
        return 1;
    for (long i = 0; i < nlive; i++)
        if ((extra[i] = arr_zeros(1, &shape, ARR_INT32)) == NULL)
            return 1;
    bench_gdb_stop(bench_big, nlive);
    for (long i = nlive - 1; i >= 0; i--)
        arr_free(extra[i]);
    free(extra);
    arr_free(bench_deep);
    arr_free(single);
    arr_free(bench_big3);
    arr_free(flat120);
    arr_free(bench_big);
    return 0;
}

static long parse_count(const char *text, long max)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || v < 0 || v > max)
        return -1;
    return v;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "serve") == 0)
        return serve();
    if (argc == 3) {
        long n = parse_count(argv[2], 100000000L);
        if (n < 0) {
            fprintf(stderr, "arrbench: '%s' is not a count in 0..1e8\n", argv[2]);
            return 2;
        }
        if (strcmp(argv[1], "workload") == 0)
            return workload(n);
        if (strcmp(argv[1], "live") == 0)
            return live(n);
        if (strcmp(argv[1], "gdbtarget") == 0)
            return gdbtarget(n);
    }
    fprintf(stderr, "usage: arrbench serve | workload ROUNDS | live N | gdbtarget N\n");
    return 2;
}
