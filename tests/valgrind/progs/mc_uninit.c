/* mc_uninit.c - under memcheck --track-origins=yes: a value read from an
 * arr_empty buffer before anyone wrote it is traced to arr_empty. */
#include "arr.h"

#include <stdio.h>

int main(void)
{
    arr_t *e = arr_empty(1, (int64_t[]){4}, ARR_FLOAT64);
    double *p = arr_data(e);
    if (p[2] > 0) /* p[2] was never written */
        printf("positive\n");
    arr_free(e);
    return 0;
}
