/* leak_copy_ascontiguous.c - a copy made by ascontiguous, its handle dropped.
 *
 * column_mean() needs a plain C buffer, so it calls arr_ascontiguous and
 * keeps only arr_data() of the result.  For a column of a matrix the
 * elements are strided, so ascontiguous has to copy, and with the handle
 * gone nothing can ever free that copy.
 *
 * expect native:   copies=1
 * expect memcheck: Leak_DefinitelyLost=1 Leak_IndirectlyLost=1
 * expect arrcheck: LeakedCopy=1
 */
#include "sample.h"

static double column_mean(arr_t *m, int col)
{
    char spec[32];
    snprintf(spec, sizeof spec, ":, %d", col);
    arr_t *column = must(arr_slice(m, spec), "slice");
    /* BUG: the handle of the contiguous version is not kept */
    const double *p = arr_data(must(arr_ascontiguous(column), "ascontiguous"));
    int64_t n = arr_size(column);
    double s = 0;
    for (int64_t i = 0; i < n; i++)
        s += p[i];
    arr_free(column);
    return s / (double)n;
}

int main(void)
{
    arr_t *a = must(arr_arange(0, 12, 1, ARR_FLOAT64), "arange");
    arr_t *m = must(arr_reshape(a, 2, (int64_t[]){4, 3}, ARR_COPY_NEVER), "reshape");
    printf("mean of column 1: %g\n", column_mean(m, 1));
    arr_free(m);
    arr_free(a);
    return 0;
}
