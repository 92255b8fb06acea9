/* vgdb.c - arrays of every leak category, for the gdb plugin under
 * Valgrind's gdbserver (tests/gdb/vgdb_check.py).  Stops at arrdbg_spot(1)
 * with: an owner and two views of it, a copy, an owner whose only pointer
 * was dropped (lost), and a view whose owner was freed (orphaned).  Each
 * array is made on its own line, so arrcheck's `monitor arr leaks` gives
 * each its own loss record (and names its id).  Then it frees what it
 * still can and exits; the lost owner stays leaked on purpose. */
#include <stdio.h>

#include "arr.h"
#include "spot.h"

static arr_t *kept[5];

/* Not inlined, and its result ignored: the only pointer to the array dies
 * with this frame, so nothing the program holds reaches it. */
__attribute__((noinline)) static void make_lost(void)
{
    arr_t *lost = arr_arange(0, 5, 1, ARR_INT64);
    if (!lost || arr_set_label(lost, "dropped") != 0)
        fprintf(stderr, "vgdb: %s\n", arr_errmsg());
}

int main(void)
{
    int64_t shape[2] = {3, 4};
    arr_t *weights = arr_arange(0, 12, 1, ARR_FLOAT64);
    arr_t *grid = weights ? arr_reshape(weights, 2, shape, ARR_COPY_NEVER) : NULL;
    arr_t *flipped = grid ? arr_flip(grid, 1) : NULL;
    arr_t *ints = flipped ? arr_astype(flipped, ARR_INT32) : NULL;
    arr_t *doomed = ints ? arr_zeros(2, shape, ARR_FLOAT32) : NULL;
    arr_t *orphan = doomed ? arr_slice(doomed, "1:, ::2") : NULL;
    if (!orphan || arr_set_label(weights, "weights") != 0) {
        fprintf(stderr, "vgdb: %s\n", arr_errmsg());
        return 1;
    }
    make_lost();
    arr_free(doomed); /* orphan lives on: its buffer stays quarantined */
    kept[0] = weights;
    kept[1] = grid;
    kept[2] = flipped;
    kept[3] = ints;
    kept[4] = orphan;
    arrdbg_spot(1);
    for (int i = 4; i >= 0; i--)
        arr_free(kept[i]);
    puts("vgdb: done");
    return 0;
}
