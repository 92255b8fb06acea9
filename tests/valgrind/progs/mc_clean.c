/* mc_clean.c - correct view/copy use, a double free libarr rejects, and an
 * orphan freed before anyone reads it: memcheck must report nothing. */
#include "arr.h"

#include <stdio.h>

int main(void)
{
    arr_t *a = arr_arange(0, 24, 1, ARR_INT32);
    arr_t *m = arr_reshape(a, 3, (int64_t[]){2, 3, 4}, ARR_COPY_NEVER);
    arr_t *v = arr_slice(m, "..., ::-2");
    arr_t *c = arr_copy(v, ARR_ORDER_K);
    double s = 0;
    arr_sum(c, &s);
    printf("sum %g, shares %d\n", s, arr_shares_memory(c, a, ARR_MAX_WORK_EXACT));
    arr_free(c);
    arr_free(v);
    arr_free(m);
    if (arr_free(m) != -1 || arr_errcode() != ARR_ENOTLIVE) /* rejected, nothing touched */
        return 1;
    arr_t *w = arr_view(a);
    arr_free(a); /* orphans w ... */
    arr_free(w); /* ... which goes before any read */
    arr_t *e = arr_empty(1, (int64_t[]){5}, ARR_FLOAT64);
    arr_fill(e, 1.5);
    arr_sum(e, &s);
    printf("filled sum %g\n", s);
    arr_free(e);
    return 0;
}
