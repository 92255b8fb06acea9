/* The four scale cases of issue 13, speaking the requests directly (no
 * libarr, so only the tool's cost is measured).  Run by
 * tests/valgrind/scale_bench.py (make bench); "orphans" prints the time of
 * its access loop alone.
 *
 *   req_scale orphans N LOADS   N owners freed while a view of each lives
 *                               (N quarantined buffers), then LOADS loads
 *                               and stores over an unrelated buffer
 *   req_scale ignore N          N distinct IGNORE_RANGE requests, then
 *                               each range removed again
 *   req_scale freed N           N owners freed while their view lives,
 *                               each view freed and buffer released after
 *   req_scale blocks N          N small heap blocks live at exit, every
 *                               tenth one an array handle, half of those
 *                               kept: the malloc replacement and the leak
 *                               scan over a big heap (issue 23)
 */
#include "req_common.h"

#include <stdio.h>
#include <time.h>

static void owner_with_view(uint64_t id, void **owner, void **view, double **buffer)
{
    static const int64_t shape[1] = { 4 };
    *buffer = malloc(4 * sizeof(double));
    *owner = malloc(64);
    *view = malloc(64);
    struct arrcheck_array_info info = req_info(id, id, *owner, *buffer, 32, 1, shape);
    (void)ARRCHECK_OWNER_CREATED(&info);
    info = req_info(id + 1, id, *view, *buffer, 0, 1, shape);
    (void)ARRCHECK_VIEW_CREATED(&info);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    long n = argc > 2 ? atol(argv[2]) : 0;
    if (strcmp(mode, "orphans") == 0) {
        long loads = argc > 3 ? atol(argv[3]) : 0;
        void **views = calloc((size_t)n + 1, sizeof *views);
        volatile double *data = NULL;
        for (long i = 0; i < n; i++) {
            void *owner;
            if (i == n / 2) /* amid the quarantined buffers: the helper runs */
                data = calloc(1024, sizeof(double));
            double *buffer;
            owner_with_view((uint64_t)(2 * i + 1), &owner, &views[i], &buffer);
            (void)ARRCHECK_OWNER_FREED_WITH_VIEWS(2 * i + 1, 1);
            (void)ARRCHECK_FREED(2 * i + 1, owner);
            free(owner);
        }
        if (!data)
            data = calloc(1024, sizeof(double));
        double sum = 0;
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (long i = 0; i < loads / 2; i++) {
            sum += data[i & 1023];
            data[(i + 7) & 1023] = sum;
        }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        /* the loop alone, so the cost of making the orphans is left out */
        printf("loop %.6f s (%g)\n", (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec),
               sum > 0 ? 1.0 : 0.0);
        return 0;
    }
    if (strcmp(mode, "ignore") == 0) {
        char *area = malloc((size_t)n * 16 + 16);
        for (long i = 0; i < n; i++)
            (void)ARRCHECK_IGNORE_RANGE(area + 16 * i, 8);
        for (long i = 0; i < n; i++)
            (void)ARRCHECK_IGNORE_RANGE(area + 16 * i, 0);
        return 0;
    }
    if (strcmp(mode, "freed") == 0) {
        void **views = calloc((size_t)n + 1, sizeof *views);
        double **buffers = calloc((size_t)n + 1, sizeof *buffers);
        for (long i = 0; i < n; i++) {
            void *owner;
            owner_with_view((uint64_t)(2 * i + 1), &owner, &views[i], &buffers[i]);
            (void)ARRCHECK_OWNER_FREED_WITH_VIEWS(2 * i + 1, 1);
            (void)ARRCHECK_FREED(2 * i + 1, owner);
            free(owner);
        }
        for (long i = 0; i < n; i++) { /* the last view goes: release the buffer */
            (void)ARRCHECK_FREED(2 * i + 2, views[i]);
            free(views[i]);
            (void)ARRCHECK_QUARANTINE_RELEASED(buffers[i]);
            free(buffers[i]);
        }
        free(views);
        free(buffers);
        return 0;
    }
    if (strcmp(mode, "blocks") == 0) {
        static const int64_t shape[1] = {1};
        static void **table; /* a root: its blocks are reachable */
        table = calloc((size_t)n + 1, sizeof *table);
        for (long i = 0; i < n; i++) {
            table[i] = malloc(64);
            if (i % 10 == 0) {
                struct arrcheck_array_info info = req_info((uint64_t)i + 1, (uint64_t)i + 1,
                                                           table[i], NULL, 0, 1, shape);
                info.owndata = 0;
                (void)ARRCHECK_OWNER_CREATED(&info);
                if (i % 20 == 0)
                    table[i] = NULL; /* lost */
            }
        }
        printf("%p\n", (void *)table);
        return 0;
    }
    fprintf(stderr, "usage: req_scale orphans N LOADS | ignore N | freed N | blocks N\n");
    return 2;
}
