/* mc_leaked_copy.c - under memcheck: copies nobody frees are "definitely
 * lost", with the stack of the libarr call that made them. */
#include "arr.h"

static arr_t *normalised(arr_t *m)
{
    arr_t *t = arr_transpose(m, NULL);
    arr_t *c = arr_ascontiguous(t); /* t is not C-contiguous: a copy */
    arr_free(t);
    return c;
}

int main(void)
{
    arr_t *a = arr_arange(0, 12, 1, ARR_FLOAT64);
    arr_t *m = arr_reshape(a, 2, (int64_t[]){3, 4}, ARR_COPY_NEVER);
    arr_t *c1 = arr_copy(m, ARR_ORDER_F);
    arr_t *c2 = normalised(m);
    c1 = c2 = NULL; /* both copies lost here */
    (void)c1;
    (void)c2;
    arr_free(m);
    arr_free(a);
    return 0;
}
