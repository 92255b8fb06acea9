/* Stops in arrdbg_stop_here() with two owners, a copy and a view live, so
 * a gdb attached through vgdb can run the arr monitor commands. */
#include "arr.h"

#include <stdio.h>

void arrdbg_stop_here(void);
void arrdbg_stop_here(void)
{
    __asm__ volatile("" ::: "memory");
}

static arr_t *arrays[4];

int main(void)
{
    int64_t shape[2] = {2, 3};
    arrays[0] = arr_zeros(2, shape, ARR_FLOAT64);
    arr_set_label(arrays[0], "grid");
    arrays[1] = arr_transpose(arrays[0], NULL);
    arrays[2] = arr_copy(arrays[1], ARR_ORDER_C);
    arr_t *lost = arr_zeros(1, shape, ARR_INT8);
    lost = NULL;
    (void)lost;
    arrays[3] = arr_arange(0, 5, 1, ARR_INT64);
    arrdbg_stop_here();
    for (int i = 3; i >= 0; i--)
        arr_free(arrays[i]);
    puts("done");
    return 0;
}
