/* Reads and writes through a data pointer into the buffer of an owner that
 * was freed while a view of it lives: DanglingAccess (read and write). Once
 * the orphan is gone, nothing more is reported. */
#include "arr.h"

#include <stdio.h>

int main(void)
{
    int64_t n = 10;
    arr_t *a = arr_arange(0, 10, 1, ARR_INT32);
    arr_t *v = arr_slice(a, "2:5");
    int *p = arr_data(v);
    arr_free(a);
    int x = p[1];
    p[0] = 42;
    printf("read %d\n", x);
    arr_free(v);
    (void)n;
    return 0;
}
