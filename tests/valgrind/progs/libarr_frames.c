/* Stacks of where arrays were made and freed start at the public libarr
 * call (arr_slice, arr_expand_dims, arr_free), not at libarr's inner
 * helpers, so --num-callers frames go to the program's own functions.
 *   #1 owner, #2 slice of it made two user frames down: both leaked
 *   #3 owner, #4 view made by arr_expand_dims (which calls arr_reshape)
 *   #4 freed twice: InvalidFree with where it was made and freed
 *   #3 freed while #5 lives: OrphanedView, #5 leaked */
#include "arr.h"

static arr_t *slice_rows(arr_t *a)
{
    return arr_slice(a, "1:");
}

static arr_t *make_leaked_slice(void)
{
    arr_t *a = arr_arange(0, 4, 1, ARR_FLOAT64);
    return slice_rows(a);
}

int main(void)
{
    int64_t n = 3;
    arr_t *leaked = make_leaked_slice();
    leaked = NULL;
    (void)leaked;

    arr_t *b = arr_zeros(1, &n, ARR_INT16);
    arr_t *e = arr_expand_dims(b, 0);
    arr_free(e);
    arr_free(e);
    arr_t *orphan = arr_view(b);
    arr_free(b);
    (void)orphan;
    return 0;
}
