/* lesson_write_through_view.c - writing a view changes its base; writing a
 * copy does not.
 *
 * NumPy: v = a[1:4]; v[:] = 7 changes a.  c = a[1:4].copy(); c[:] = -1 does
 * not.  A reshape of a contiguous array is a view too, so m[1, 2] = 5 lands
 * in a[5].  Output compared with NumPy by samples/run.
 *
 * expect native:
 * expect memcheck:
 * expect arrcheck:
 */
#include "sample.h"

static void show(const char *what, const arr_t *a)
{
    printf("%s [", what);
    for (int64_t i = 0; i < arr_size(a); i++) {
        double v;
        must_ok(arr_get_f64(a, (int64_t[]){i}, &v), "get");
        printf("%s%g", i ? " " : "", v);
    }
    printf("]\n");
}

int main(void)
{
    arr_t *a = must(arr_zeros(1, (int64_t[]){6}, ARR_FLOAT64), "zeros");
    arr_t *v = must(arr_slice(a, "1:4"), "slice");
    must_ok(arr_fill(v, 7), "fill");
    show("after v = a[1:4]; v[:] = 7:          a =", a);

    arr_t *c = must(arr_copy(v, ARR_ORDER_C), "copy");
    must_ok(arr_fill(c, -1), "fill");
    show("after c = a[1:4].copy(); c[:] = -1: a =", a);
    show("                                    c =", c);

    arr_t *m = must(arr_reshape(a, 2, (int64_t[]){2, 3}, ARR_COPY_NEVER), "reshape");
    must_ok(arr_set_f64(m, (int64_t[]){1, 2}, 5), "set");
    show("after m = a.reshape(2, 3); m[1, 2] = 5: a =", a);

    arr_free(m);
    arr_free(c);
    arr_free(v);
    arr_free(a);
    return 0;
}
