/* printing.c - arrays whose rows repeat, for the print tests
 * (tests/gdb/cases/limits.cmds): constant 2-d and 3-d arrays, a
 * broadcast (stride-0) view whose rows are one row, and a 2-d array whose
 * first rows repeat and last rows differ; 1-d arrays longer than the
 * printer's read chunk whose runs of equal elements cross chunks, flipped
 * and strided, each with a contiguous copy to compare with. */
#include <stdio.h>

#include "arr.h"
#include "spot.h"

int main(void)
{
    int64_t s2[2] = {12, 3};
    int64_t s3[3] = {11, 4, 2};
    int64_t sb[2] = {15, 4};
    int64_t sm[2] = {13, 2};
    arr_t *flat2 = arr_zeros(2, s2, ARR_FLOAT64);
    arr_t *cube = arr_full(3, s3, ARR_INT32, 5);
    arr_t *row = arr_arange(0, 4, 1, ARR_INT64);
    arr_t *bcast = row ? arr_broadcast_to(row, 2, sb) : NULL;
    arr_t *mixed = arr_full(2, sm, ARR_INT16, 1);
    if (!flat2 || !cube || !bcast || !mixed) {
        fprintf(stderr, "printing: %s\n", arr_errmsg());
        return 1;
    }
    for (int64_t j = 0; j < 2; j++) {
        int64_t at[2] = {11, j}, last[2] = {12, j};
        arr_set_f64(mixed, at, 2 + (double)j);
        arr_set_f64(mixed, last, 4 + (double)j);
    }
    int64_t nr = 40000, nc = 30000;
    arr_t *runs = arr_zeros(1, &nr, ARR_INT32);
    arr_t *const1d = arr_zeros(1, &nc, ARR_FLOAT64);
    if (!runs || !const1d)
        return 1;
    for (int64_t i = 0; i < nr; i++)  /* runs of exactly 5000, then one of 1 */
        arr_set_f64(runs, &i, i == 17000 ? -1 : (double)(i / 5000));
    arr_t *runs_flip = arr_flip(runs, 0);
    arr_t *every2 = arr_slice(runs, "::2");
    arr_t *runs_flip_copy = runs_flip ? arr_copy(runs_flip, ARR_ORDER_C) : NULL;
    arr_t *every2_copy = every2 ? arr_copy(every2, ARR_ORDER_C) : NULL;
    int64_t s400[2] = {400, 100};
    arr_t *runs2d = arr_reshape(runs, 2, s400, ARR_COPY_NEVER);
    arr_t *cols2d = runs2d ? arr_transpose(runs2d, NULL) : NULL;
    arr_t *cols2d_copy = cols2d ? arr_copy(cols2d, ARR_ORDER_C) : NULL;
    if (!runs_flip_copy || !every2_copy || !cols2d_copy)
        return 1;
    arrdbg_spot(1);
    arr_free(cols2d_copy);
    arr_free(cols2d);
    arr_free(runs2d);
    arr_free(every2_copy);
    arr_free(runs_flip_copy);
    arr_free(every2);
    arr_free(runs_flip);
    arr_free(const1d);
    arr_free(runs);
    arr_free(mixed);
    arr_free(bcast);
    arr_free(row);
    arr_free(cube);
    arr_free(flat2);
    return 0;
}
