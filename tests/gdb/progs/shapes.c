/* shapes.c - arrays whose printing must stay bounded and fast (issue 15):
 * an (8, 64, 48) float32 array, a 120**3 float64 array, a legal 32-d
 * broadcast view of shape (2,)*32, 1000 zeros (repeats), a 2**40-element
 * stride-0 view, a chain of 1000 views each made from the previous, and a
 * counter and a function for the "evaluate each expression once" tests. */
#include <stdio.h>
#include <stdlib.h>

#include "arr.h"
#include "spot.h"

#define CHAIN 1000

int counter;
int calls;
static arr_t *owner_global;

arr_t *get_owner(void);
__attribute__((noinline)) arr_t *get_owner(void)
{
    calls++;
    return owner_global;
}

int main(void)
{
    int64_t s3[3] = {8, 64, 48};
    int64_t s120[3] = {120, 120, 120};
    int64_t s32[32];
    int64_t huge[1] = {(int64_t)1 << 40};
    int64_t one[1] = {1};
    for (int d = 0; d < 32; d++)
        s32[d] = 2;
    arr_t *f = arr_arange(0, 8 * 64 * 48, 1, ARR_FLOAT32);
    arr_t *cube = f ? arr_reshape(f, 3, s3, ARR_COPY_NEVER) : NULL;
    arr_t *flat120 = arr_arange(0, 120 * 120 * 120, 1, ARR_FLOAT64);
    arr_t *big3 = flat120 ? arr_reshape(flat120, 3, s120, ARR_COPY_NEVER) : NULL;
    arr_t *single = arr_full(1, one, ARR_FLOAT64, 7.0);
    arr_t *deep = single ? arr_broadcast_to(single, 32, s32) : NULL;
    arr_t *wide = single ? arr_broadcast_to(single, 1, huge) : NULL;
    int64_t n1000[1] = {1000};
    arr_t *zeros = arr_zeros(1, n1000, ARR_INT32);
    arr_t *chain[CHAIN];
    chain[0] = arr_arange(0, 8, 1, ARR_INT64);
    for (int i = 1; i < CHAIN; i++)
        chain[i] = chain[i - 1] ? arr_slice(chain[i - 1], "::-1") : NULL;
    if (!cube || !big3 || !deep || !wide || !zeros || !chain[CHAIN - 1]) {
        fprintf(stderr, "shapes: %s\n", arr_errmsg());
        return 1;
    }
    arr_t *last = chain[CHAIN - 1];
    owner_global = chain[0];
    arrdbg_spot(1);
    printf("counter %d calls %d\n", counter, calls);
    for (int i = CHAIN - 1; i >= 0; i--)
        arr_free(chain[i]);
    arr_free(zeros);
    arr_free(wide);
    arr_free(deep);
    arr_free(single);
    arr_free(big3);
    arr_free(flat120);
    arr_free(cube);
    arr_free(f);
    (void)last;
    return 0;
}
