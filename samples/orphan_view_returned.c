/* orphan_view_returned.c - a view returned from a function whose caller
 * frees the base.
 *
 * latest_row() returns a view of the last row of a history matrix.  The
 * caller treats it as an independent result and frees the history right
 * away; the row is now an orphaned view of freed memory.  libarr refuses
 * to read through an orphan (ARR_EORPHAN), which this program prints; the
 * bug is the order of the frees, and arrcheck reports it where it happens.
 *
 * expect native:
 * expect memcheck:
 * expect arrcheck: OrphanedView=1
 */
#include "sample.h"

static arr_t *latest_row(arr_t *history)
{
    return must(arr_slice(history, "-1"), "slice"); /* a view, not a copy */
}

int main(void)
{
    arr_t *history = must(arr_full(2, (int64_t[]){2, 4}, ARR_FLOAT64, 1.0), "full");
    arr_t *row = latest_row(history);
    arr_free(history); /* BUG: row still views it */
    double v;
    if (arr_get_f64(row, (int64_t[]){0}, &v) != 0)
        printf("read refused: %s\n", arr_errmsg());
    arr_free(row);
    return 0;
}
