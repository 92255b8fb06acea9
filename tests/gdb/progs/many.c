/* many.c - sizes for the gdb plugin's timings (make bench-gdb): one array of
 * 1,000,000 float64 (also as 1000x1000), a 120**3 float64 array, a 32-d
 * broadcast view of shape (2,)*32, and 100,000 small live arrays (owners
 * and views). */
#include <stdio.h>

#include "arr.h"
#include "spot.h"

#define NSMALL 100000

static arr_t *small[NSMALL];

int main(void)
{
    arr_t *big = arr_arange(0, 1000000, 1, ARR_FLOAT64);
    int64_t shape[2] = {1000, 1000};
    arr_t *big2d = big ? arr_reshape(big, 2, shape, ARR_COPY_NEVER) : NULL;
    int64_t s120[3] = {120, 120, 120};
    int64_t s32[32];
    for (int d = 0; d < 32; d++)
        s32[d] = 2;
    arr_t *flat120 = arr_arange(0, 120 * 120 * 120, 1, ARR_FLOAT64);
    arr_t *big3 = flat120 ? arr_reshape(flat120, 3, s120, ARR_COPY_NEVER) : NULL;
    arr_t *one = arr_arange(0, 1, 1, ARR_FLOAT64);
    arr_t *deep = one ? arr_broadcast_to(one, 32, s32) : NULL;
    if (!big2d || !big3 || !deep)
        return 1;
    int64_t two[1] = {2};
    for (int i = 0; i < NSMALL; i++) {
        small[i] = i % 2 ? arr_flip(small[i - 1], 0) : arr_zeros(1, two, ARR_INT32);
        if (!small[i]) {
            fprintf(stderr, "many: %s\n", arr_errmsg());
            return 1;
        }
    }
    arrdbg_spot(1);
    for (int i = NSMALL - 1; i >= 0; i--)
        arr_free(small[i]);
    arr_free(deep);
    arr_free(one);
    arr_free(big3);
    arr_free(flat120);
    arr_free(big2d);
    arr_free(big);
    return 0;
}
