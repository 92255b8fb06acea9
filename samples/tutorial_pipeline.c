/* tutorial_pipeline.c - the README's walkthrough: a small signal pipeline
 * that runs, prints a plausible answer, and has three bugs planted on
 * purpose, one of each kind the tools find.  Try the tools on it before
 * reading further: the README shows what each one says.
 *
 *   1. scale_rows() converts each row to float64 (arr_astype: always a
 *      copy) and never frees the copies: a leaked copy per row.
 *   2. latest_row() returns a view of a frame it has just freed: the caller
 *      reads freed memory through the orphaned view, and keeps it.
 *   3. main() allocates an array for the row means and never frees it: a
 *      leaked array.
 *
 * expect native:   copies=4 arrays=1 orphans=1
 * expect memcheck: Leak_DefinitelyLost=6 Leak_IndirectlyLost=7 InvalidRead=1
 * expect arrcheck: LeakedCopy=4 LeakedArray=1 LeakedView=1 OrphanedView=1 DanglingAccess=1
 *
 * (memcheck sees handles and buffers as blocks: 6 handles definitely lost,
 * 7 blocks they point to; arrcheck's LeakedView is bug 2's orphan, still
 * alive at exit.)
 */
#include "sample.h"

enum { ROWS = 4, COLS = 6 };

static void scale_rows(arr_t *grid, arr_t *means)
{
    for (int r = 0; r < ROWS; r++) {
        char spec[16];
        snprintf(spec, sizeof spec, "%d", r);
        arr_t *row = must(arr_slice(grid, spec), "slice");
        arr_t *wide = must(arr_astype(row, ARR_FLOAT64), "astype");
        double s;
        must_ok(arr_sum(wide, &s), "sum");
        must_ok(arr_set_f64(means, (int64_t[]){r}, s / COLS), "set");
        arr_free(row); /* BUG 1: wide is never freed */
    }
}

static arr_t *latest_row(void)
{
    arr_t *frame = must(arr_full(2, (int64_t[]){3, COLS}, ARR_FLOAT64, 0.5), "full");
    arr_t *last = must(arr_slice(frame, "-1"), "slice");
    arr_free(frame); /* BUG 2: last still views frame's memory */
    return last;
}

int main(void)
{
    arr_t *raw = must(arr_arange(0, ROWS * COLS, 1, ARR_INT16), "arange");
    arr_t *grid = must(arr_reshape(raw, 2, (int64_t[]){ROWS, COLS}, ARR_COPY_NEVER), "reshape");
    arr_t *means = must(arr_zeros(1, (int64_t[]){ROWS}, ARR_FLOAT64), "zeros"); /* BUG 3 */
    scale_rows(grid, means);
    double mean;
    must_ok(arr_mean(means, &mean), "mean");
    arr_t *last = latest_row();
    const double *p = arr_data(last);
    double s = 0;
    for (int64_t i = 0; i < arr_size(last); i++)
        s += p[i]; /* reads frame's freed buffer */
    printf("mean of row means %g, latest row sum %g\n", mean, s);
    arr_free(grid);
    arr_free(raw);
    return 0;
}
