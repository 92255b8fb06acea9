/* mc_quarantine.c - under memcheck: an owner freed while a view lives keeps
 * its buffer quarantined, so reads and writes through the orphan are
 * reported in array terms; freeing the orphan releases the buffer. */
#include "arr.h"

#include <stdio.h>

int main(void)
{
    arr_t *weights = arr_zeros(2, (int64_t[]){3, 4}, ARR_FLOAT64);
    arr_set_label(weights, "weights");
    arr_t *row = arr_slice(weights, "1");
    arr_free(weights); /* the bug: row outlives its base */
    double *p = arr_data(row);
    printf("read through the orphan: %g\n", p[1]);
    p[2] = 7.0;
    arr_free(row);
    return 0;
}
