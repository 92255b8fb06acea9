/* leak_copy_loop.c - a copy leaked on every turn of a loop.
 *
 * Sensor readings arrive as int16; each row is converted to float64 to be
 * scaled.  arr_astype always copies, and the loop frees the row view but
 * not the converted copy: one 64-byte copy leaks per row.
 *
 * expect native:   copies=4
 * expect memcheck: Leak_DefinitelyLost=4 Leak_IndirectlyLost=4
 * expect arrcheck: LeakedCopy=4
 */
#include "sample.h"

enum { ROWS = 4, COLS = 8 };

int main(void)
{
    arr_t *raw = must(arr_arange(0, ROWS * COLS, 1, ARR_INT16), "arange");
    arr_t *grid = must(arr_reshape(raw, 2, (int64_t[]){ROWS, COLS}, ARR_COPY_NEVER), "reshape");
    double total = 0;
    for (int r = 0; r < ROWS; r++) {
        char spec[16];
        snprintf(spec, sizeof spec, "%d", r);
        arr_t *row = must(arr_slice(grid, spec), "slice");
        arr_t *scaled = must(arr_astype(row, ARR_FLOAT64), "astype"); /* a copy */
        double sum;
        must_ok(arr_sum(scaled, &sum), "sum");
        total += sum * 0.5;
        arr_free(row);
        /* BUG: arr_free(scaled) is missing */
    }
    printf("scaled total: %g\n", total);
    arr_free(grid);
    arr_free(raw);
    return 0;
}
