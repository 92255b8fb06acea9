/* A view never freed (its owner freed first, so it is also orphaned) and
 * a view never freed whose owner is freed after it would have been. */
#include "arr.h"

int main(void)
{
    int64_t n = 8;
    arr_t *a = arr_arange(0, 8, 1, ARR_FLOAT64);
    arr_t *v = arr_slice(a, "::2");
    v = NULL;
    arr_t *b = arr_zeros(1, &n, ARR_FLOAT32);
    arr_t *w = arr_expand_dims(b, 0);
    (void)w;
    w = NULL;
    (void)v;
    /* a and b stay live too, but reachable only through their views' base
     * pointers, so they are lost along with them. */
    a = b = NULL;
    return 0;
}
