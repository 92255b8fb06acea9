/* leak_view_orphaned.c - a helper that leaks the view it works through.
 *
 * row_total() slices one row out of a matrix and sums it, but never frees
 * the slice.  Each call leaks a small handle; when main finally frees the
 * matrix, the three leaked views outlive it and become orphans.
 * Under Valgrind libarr keeps the matrix's buffer (and a small record of
 * it) in quarantine for as long as an orphan lives, so memcheck also
 * finds those two blocks, indirectly lost through the leaked views.
 *
 * expect native:   orphans=3
 * expect memcheck: Leak_DefinitelyLost=3 Leak_IndirectlyLost=2
 * expect arrcheck: LeakedView=3 OrphanedView=1
 */
#include "sample.h"

static double row_total(arr_t *m, int row)
{
    char spec[16];
    snprintf(spec, sizeof spec, "%d", row);
    arr_t *r = must(arr_slice(m, spec), "slice"); /* BUG: never freed */
    double s;
    must_ok(arr_sum(r, &s), "sum");
    return s;
}

int main(void)
{
    arr_t *a = must(arr_arange(0, 12, 1, ARR_FLOAT64), "arange");
    arr_t *m = must(arr_reshape(a, 2, (int64_t[]){3, 4}, ARR_COPY_NEVER), "reshape");
    double total = 0;
    for (int r = 0; r < 3; r++)
        total += row_total(m, r);
    printf("total: %g\n", total);
    arr_free(m);
    arr_free(a); /* the three leaked row views are orphaned here */
    return 0;
}
