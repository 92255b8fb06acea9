/* Every array made is freed, views before their owner: arrcheck must report
 * nothing (a false positive here is a bug).  Touches every buffer. */
#include "arr.h"

#include <stdio.h>

int main(void)
{
    int64_t shape[2] = {4, 6};
    arr_t *a = arr_arange(0, 24, 1, ARR_FLOAT64);
    arr_t *m = arr_reshape(a, 2, shape, ARR_COPY_IF_NEEDED); /* a view */
    arr_t *t = arr_transpose(m, NULL);                        /* a view */
    arr_t *c = arr_ascontiguous(t);                           /* a copy */
    arr_t *f = arr_astype(c, ARR_INT32);                      /* a copy */
    arr_t *s = arr_slice(m, "1:3, ::2");
    double total = 0, part = 0;
    arr_sum(c, &total);
    arr_sum(s, &part);
    arr_fill(s, 7.0);
    double wrapped[3] = {1, 2, 3};
    int64_t n3 = 3;
    arr_t *w = arr_wrap(wrapped, 1, &n3, NULL, ARR_FLOAT64, 1);
    arr_t *wv = arr_flip(w, 0);
    double wsum = 0;
    arr_sum(wv, &wsum);
    printf("sum %g part %g wrapped %g\n", total, part, wsum);
    arr_free(wv);
    arr_free(w);
    arr_free(s);
    arr_free(f);
    arr_free(c);
    arr_free(t);
    arr_free(m);
    arr_free(a);
    return 0;
}
