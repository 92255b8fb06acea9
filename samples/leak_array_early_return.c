/* leak_array_early_return.c - an error path that skips a free.
 *
 * load_readings() allocates its result first and validates as it fills
 * it.  The early return for a bad reading forgets the array it already
 * made; the caller sees -1 and rightly has nothing to free.
 *
 * expect native:   arrays=1
 * expect memcheck: Leak_DefinitelyLost=1 Leak_IndirectlyLost=1
 * expect arrcheck: LeakedArray=1
 */
#include "sample.h"

static int load_readings(const double *raw, int64_t n, arr_t **out)
{
    arr_t *a = must(arr_zeros(1, &n, ARR_FLOAT64), "zeros");
    for (int64_t i = 0; i < n; i++) {
        if (raw[i] < 0) {
            fprintf(stderr, "load_readings: reading %lld is negative\n", (long long)i);
            return -1; /* BUG: arr_free(a) is missing */
        }
        must_ok(arr_set_f64(a, (int64_t[]){i}, raw[i]), "set");
    }
    *out = a;
    return 0;
}

int main(void)
{
    const double good[] = {1.5, 2.5, 3.0};
    const double bad[] = {1.0, -7.0, 2.0, 4.0};
    arr_t *a;
    if (load_readings(good, 3, &a) == 0) {
        double m;
        must_ok(arr_mean(a, &m), "mean");
        printf("mean of good readings: %g\n", m);
        arr_free(a);
    }
    if (load_readings(bad, 4, &a) != 0)
        printf("bad readings rejected\n");
    return 0;
}
