/* tests/deb/prog.c - a user's program built against the installed
 * libarr-dev: one copy never freed (made at line 10), for arrcheck, gdb
 * and memcheck. */
#include <arr.h>
#include <stdio.h>

int main(void)
{
    arr_t *col = arr_arange(0, 6, 1, ARR_FLOAT64);
    arr_t *copy = arr_copy(col, ARR_ORDER_C);
    double sum = 0;
    arr_sum(copy, &sum);
    printf("sum %g\n", sum);
    arr_free(col);
    return 0;
}
