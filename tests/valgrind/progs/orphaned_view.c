/* An owner freed while two views of it live: OrphanedView with both
 * views' creation stacks.  One orphan is freed, one is left: the summary
 * counts it. */
#include "arr.h"

arr_t *keep;

int main(void)
{
    int64_t shape[2] = {3, 4};
    arr_t *a = arr_zeros(2, shape, ARR_FLOAT64);
    arr_t *row = arr_slice(a, "1");
    arr_t *col = arr_slice(a, ":, 2");
    arr_free(a);
    arr_free(row);
    keep = col;
    return 0;
}
