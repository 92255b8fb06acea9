/* lesson_watch_memory.c - watching live and peak array memory while a
 * function runs.
 *
 * standardize() computes (x - mean) / std the way quick code often does:
 * a float64 copy of the input, then a scratch copy for the squares.
 * Checkpoints inside it read arr_stats() (live bytes in owners' buffers and
 * the peak so far) to show what each step costs and that everything is
 * given back when it returns.  The numbers are bytes of array buffers
 * only, exact and the same on every run; samples/lesson_watch_memory.out
 * holds them and samples/run compares.
 *
 * expect native:
 * expect memcheck:
 * expect arrcheck:
 */
#include "sample.h"

#include <math.h>

static void checkpoint(const char *where)
{
    arr_stats_t st = arr_stats();
    printf("%-34s live %8lld bytes in %lld owners, %lld views; peak %8lld\n", where,
           (long long)st.live_bytes, (long long)st.live_owners, (long long)st.live_views,
           (long long)st.peak_bytes);
}

/* Returns a new float64 array; the caller frees it. */
static arr_t *standardize(arr_t *x)
{
    checkpoint("standardize: entered");
    arr_t *y = must(arr_astype(x, ARR_FLOAT64), "astype");
    checkpoint("standardize: float64 copy made");
    double mean;
    must_ok(arr_mean(y, &mean), "mean");
    arr_t *sq = must(arr_copy(y, ARR_ORDER_C), "copy");
    checkpoint("standardize: scratch copy made");
    double *p = arr_data(sq), *q = arr_data(y);
    for (int64_t i = 0; i < arr_size(sq); i++) {
        p[i] = (q[i] - mean) * (q[i] - mean);
        q[i] -= mean;
    }
    double var;
    must_ok(arr_mean(sq, &var), "mean");
    arr_free(sq);
    checkpoint("standardize: scratch freed");
    for (int64_t i = 0; i < arr_size(y); i++)
        q[i] /= sqrt(var);
    return y;
}

int main(void)
{
    checkpoint("start");
    arr_t *x = must(arr_arange(0, 10000, 1, ARR_INT32), "arange");
    checkpoint("input made (10000 int32)");
    arr_t *z = standardize(x);
    checkpoint("returned (result kept)");
    double first;
    must_ok(arr_get_f64(z, (int64_t[]){0}, &first), "get");
    printf("z[0] = %.6f\n", first);
    arr_free(z);
    arr_free(x);
    checkpoint("all freed");
    return 0;
}
