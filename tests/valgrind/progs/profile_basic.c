/* Known array memory for the profile tests (profile.vgtest, check_profile.py).
 * Lines marked "LINE name" are looked up by the checker, so their numbers may
 * move.  float64[100, 50] = 40000 bytes.
 *
 *   a   original 40000, label "input"                   LINE zeros_a
 *   b   copy of a, only read (arr_sum)                  LINE copy_b
 *   c   copy of a, written (arr_fill), never read       LINE copy_c
 *   d   float32 copy of a: never written, never read    LINE astype_d
 *   v   view of a (no bytes of its own)                 LINE slice_v
 *   g   copy of b (reads b), freed at once            LINE copy_g, free_g
 *   peak: a + b + c + d + g = 180000 bytes (140000 in 4 copies), views 1
 *   e   original 8000 after the peak                    LINE zeros_e
 *   f   copy of e written by a helper function called right after the copy
 *       (deeper stack: must count as a write), read through its pointer
 *                                                       LINE copy_f
 *   h   copy of a filled in a loop right where it was made, never read
 *                                                       LINE copy_h
 * With the argument "orphan", afterwards: o (original 800 bytes) freed while
 * its view w lives; its bytes stay (quarantine) until w is freed.
 *                                      LINE zeros_o, free_o, free_w
 */
#include <stdio.h>
#include <string.h>

#include "arr.h"

static void poke(arr_t *x)
{
    double *p = arr_data(x);
    p[3] = 2.5;
}

static void orphan_case(void)
{
    int64_t n = 100;
    arr_t *o = arr_zeros(1, &n, ARR_FLOAT64); /* LINE zeros_o */
    arr_t *w = arr_slice(o, "10:20");         /* LINE slice_w */
    arr_free(o); /* LINE free_o */
    arr_free(w); /* LINE free_w */
}

int main(int argc, char **argv)
{
    int64_t shape[2] = {100, 50};
    arr_t *a = arr_zeros(2, shape, ARR_FLOAT64); /* LINE zeros_a */
    arr_set_label(a, "input");
    arr_t *b = arr_copy(a, ARR_ORDER_C); /* LINE copy_b */
    double s = 0;
    arr_sum(b, &s);
    arr_t *c = arr_copy(a, ARR_ORDER_F); /* LINE copy_c */
    arr_fill(c, 1.0);
    arr_t *d = arr_astype(a, ARR_FLOAT32); /* LINE astype_d */
    arr_t *v = arr_slice(a, "::2, :");     /* LINE slice_v */
    arr_t *g = arr_copy(b, ARR_ORDER_C);   /* LINE copy_g */
    arr_free(g);                           /* LINE free_g */
    arr_free(b); /* LINE free_b */
    arr_free(c); /* LINE free_c */
    arr_free(d); /* LINE free_d */
    arr_free(v); /* LINE free_v */

    int64_t n = 1000;
    arr_t *e = arr_zeros(1, &n, ARR_FLOAT64); /* LINE zeros_e */
    arr_t *f = arr_copy(e, ARR_ORDER_C);      /* LINE copy_f */
    poke(f);
    double *fp = arr_data(f);
    printf("f[5] = %g\n", fp[5]);
    arr_t *h = arr_copy(a, ARR_ORDER_C); /* LINE copy_h */
    double *hp = arr_data(h);
    for (int i = 0; i < 100; i++)
        hp[i] = i;
    arr_free(h); /* LINE free_h */
    arr_free(f); /* LINE free_f */
    arr_free(e); /* LINE free_e */
    arr_free(a); /* LINE free_a */
    /* libarr's own count: must agree with the profile's peak (180000). */
    printf("arr_stats peak_bytes %lld\n", (long long)arr_stats().peak_bytes);
    if (argc > 1 && strcmp(argv[1], "orphan") == 0)
        orphan_case();
    return 0;
}
