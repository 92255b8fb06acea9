/* tests/report/kinds.c - one of each kind of copy arr-report must tell
 * apart, and a buffer kept in quarantine for an orphaned view:
 *   line "snapshot"   arr_copy never written     -> could be a view
 *   line "widen"      astype float32 -> float64   -> dtype change, not a view
 *   line "kernel"     ascontiguous of a transpose -> layout copy for arr_sum
 *   line "flatten"    reshape of a transpose      -> no strides give that shape
 *   line "scratch"    arr_copy written afterwards -> not listed (was written)
 *   line "orphan"     owner freed while a view lives: quarantine band
 *   line "loop"       four astype copies on one line: one grouped entry
 *                     listing all four ids (no "..." when none is left out)
 *   line "views"      four views of big, live at the peak: one row
 * Build: -g -O0. Run under arrcheck --profile=yes. */
#include <arr.h>
#include <stdio.h>

static double total(const arr_t *a)
{
    double s = 0;
    arr_sum(a, &s);
    return s;
}

int main(void)
{
    int64_t shape[2] = {200, 100};
    arr_t *big = arr_full(2, shape, ARR_FLOAT64, 1.0);
    arr_t *small = arr_full(2, shape, ARR_FLOAT32, 2.0);
    arr_t *cols[4];
    for (int i = 0; i < 4; i++)
        cols[i] = arr_slice(big, ":, 0");                /* views */
    arr_t *snapshot = arr_copy(big, ARR_ORDER_C);        /* snapshot */
    arr_t *widen = arr_astype(small, ARR_FLOAT64);       /* widen */
    arr_t *t = arr_transpose(big, NULL);
    arr_t *kernel = arr_ascontiguous(t);                 /* kernel */
    arr_t *flatten = arr_reshape(t, 1, (int64_t[]){20000}, ARR_COPY_IF_NEEDED); /* flatten */
    arr_t *scratch = arr_copy(big, ARR_ORDER_C);         /* scratch */
    arr_fill(scratch, 3.0);
    double s = total(snapshot) + total(widen) + total(kernel) + total(flatten) + total(scratch);
    for (int i = 0; i < 4; i++) {
        arr_t *row = arr_slice(small, "0");
        arr_t *wide = arr_astype(row, ARR_FLOAT64);      /* loop */
        s += total(wide);
        arr_free(wide);
        arr_free(row);
    }
    arr_t *owner = arr_zeros(2, shape, ARR_FLOAT64);     /* orphan */
    arr_t *row = arr_slice(owner, "0");
    arr_free(owner);
    arr_t *late = arr_zeros(2, shape, ARR_FLOAT64);
    arr_free(late);
    arr_free(row);
    printf("%g\n", s);
    for (int i = 0; i < 4; i++)
        arr_free(cols[i]);
    arr_free(scratch); arr_free(flatten); arr_free(kernel); arr_free(t);
    arr_free(widen); arr_free(snapshot); arr_free(small); arr_free(big);
    return 0;
}
