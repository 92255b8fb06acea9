/* clean_views.c - views and copies used correctly: nothing to report.
 *
 * A moving average over a signal: windows are views (no copy), the result
 * is a fresh array, a reversed copy is made on purpose and freed, and every
 * handle, views included, is freed before its owner.
 *
 * expect native:
 * expect memcheck:
 * expect arrcheck:
 */
#include "sample.h"

int main(void)
{
    enum { N = 10, W = 3 };
    arr_t *signal = must(arr_arange(0, N, 1, ARR_FLOAT64), "arange");
    arr_t *avg = must(arr_zeros(1, (int64_t[]){N - W + 1}, ARR_FLOAT64), "zeros");
    for (int i = 0; i + W <= N; i++) {
        char spec[32];
        snprintf(spec, sizeof spec, "%d:%d", i, i + W);
        arr_t *window = must(arr_slice(signal, spec), "slice");
        double m;
        must_ok(arr_mean(window, &m), "mean");
        must_ok(arr_set_f64(avg, (int64_t[]){i}, m), "set");
        arr_free(window);
    }
    arr_t *backwards = must(arr_flip(avg, 0), "flip");            /* a view */
    arr_t *kept = must(arr_copy(backwards, ARR_ORDER_C), "copy"); /* a copy */
    arr_free(backwards);
    double first, last;
    must_ok(arr_get_f64(kept, (int64_t[]){0}, &first), "get");
    must_ok(arr_get_f64(kept, (int64_t[]){-1}, &last), "get");
    printf("moving average, reversed: %g ... %g\n", first, last);
    arr_free(kept);
    arr_free(avg);
    arr_free(signal);
    return 0;
}
