/* Copies never freed: LeakedCopy, lost (no pointer to them remains). */
#include "arr.h"

static void make_copies(arr_t *src)
{
    arr_t *c = arr_copy(src, ARR_ORDER_F);
    arr_t *t = arr_astype(src, ARR_FLOAT32);
    (void)c;
    (void)t;
}

int main(void)
{
    int64_t shape[2] = {10, 5};
    arr_t *a = arr_zeros(2, shape, ARR_FLOAT64);
    make_copies(a);
    arr_free(a);
    return 0;
}
