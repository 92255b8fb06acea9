/* leak_copy_reshape.c - reshape copied behind the caller's back.
 *
 * flat_sum() flattens its argument with arr_reshape and does not free the
 * result, on the belief that "reshape is a view".  It is a view only when
 * NumPy's no-copy rule finds strides; for a transposed matrix it must copy
 * (op "reshape (copy)"), and that copy leaks.  The first call, on a
 * C-contiguous matrix, would leak a view instead, so the program frees what
 * it gets in that case to show that only the hidden copy is the problem.
 *
 * expect native:   copies=1
 * expect memcheck: Leak_DefinitelyLost=1 Leak_IndirectlyLost=1
 * expect arrcheck: LeakedCopy=1
 */
#include "sample.h"

static double flat_sum(arr_t *m, int free_if_view)
{
    arr_t *flat = must(arr_reshape(m, 1, (int64_t[]){-1}, ARR_COPY_IF_NEEDED), "reshape");
    double s;
    must_ok(arr_sum(flat, &s), "sum");
    printf("flatten of a %s matrix gave a %s\n",
           (arr_flags(m) & ARR_C_CONTIGUOUS) ? "C-contiguous" : "transposed",
           arr_is_view(flat) ? "view" : "copy");
    if (free_if_view && arr_is_view(flat))
        arr_free(flat);
    /* BUG: a copy is never freed here */
    return s;
}

int main(void)
{
    arr_t *a = must(arr_arange(0, 6, 1, ARR_FLOAT64), "arange");
    arr_t *m = must(arr_reshape(a, 2, (int64_t[]){2, 3}, ARR_COPY_NEVER), "reshape");
    arr_t *t = must(arr_transpose(m, NULL), "transpose");
    double s1 = flat_sum(m, 1);
    double s2 = flat_sum(t, 1);
    printf("sums: %g %g\n", s1, s2);
    arr_free(t);
    arr_free(m);
    arr_free(a);
    return 0;
}
