/* ARRCHECK_LEAK_CHECK() mid-run: reports the lost copy now and returns the
 * number of findings (0 when not under arrcheck). */
#include "arr.h"
#include "arrcheck.h"

#include <stdio.h>

int main(void)
{
    int64_t n = 3;
    arr_t *a = arr_zeros(1, &n, ARR_FLOAT64);
    arr_t *c = arr_copy(a, ARR_ORDER_C);
    c = NULL;
    (void)c;
    unsigned long findings = ARRCHECK_LEAK_CHECK();
    printf("findings %lu\n", findings);
    arr_free(a);
    return 0;
}
