/* dangling_orphan_read.c - reading freed memory through an orphaned view.
 *
 * The code keeps the raw pointer of a view (arr_data) for a fast loop, as
 * C code does.  The owner is freed between making the view and the loop,
 * so every read goes to freed memory.  libarr cannot stop a raw pointer;
 * under Valgrind it keeps the buffer in quarantine so both tools see the
 * reads (natively they read whatever the allocator left there).
 *
 * expect native:
 * expect memcheck: InvalidRead=1
 * expect arrcheck: OrphanedView=1 DanglingAccess=1
 */
#include "sample.h"

int main(void)
{
    arr_t *signal = must(arr_arange(0, 16, 1, ARR_FLOAT64), "arange");
    arr_t *tail = must(arr_slice(signal, "12:"), "slice");
    arr_free(signal); /* BUG: tail still needs it */
    const double *p = arr_data(tail);
    double s = 0;
    for (int64_t i = 0; i < arr_size(tail); i++)
        s += p[i]; /* dangling: one error context, four reads */
    printf("tail has %lld elements\n", (long long)arr_size(tail));
    (void)s;
    arr_free(tail);
    return 0;
}
