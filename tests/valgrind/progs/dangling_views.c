/* A DanglingAccess names the owner's making and freeing and, among the
 * orphaned views, the one whose extent holds the address (issue 23):
 *   #2 = a[0:2], #3 = a[6:8]; a (#1) freed.
 *   read through #2's data     -> "inside orphaned view #2"
 *   read of a[4] (no view's)   -> the first view, not said to hold it */
#include "arr.h"

#include <stdio.h>

int main(void)
{
    arr_t *a = arr_arange(0, 10, 1, ARR_INT32);
    arr_t *lo = arr_slice(a, "0:2");
    arr_t *hi = arr_slice(a, "6:8");
    int *p = arr_data(lo);
    arr_free(a);
    volatile int x = p[1];
    volatile int y = p[4];
    (void)x, (void)y;
    printf("read\n");
    arr_free(lo);
    arr_free(hi);
    return 0;
}
