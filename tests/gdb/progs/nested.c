/* nested.c - arrays inside a struct and an array of handles, for the
 * printers' bounds when gdb's own depth is ahead of the array's (issue 15):
 * a legal (2,)*32 stride-0 view reached through a struct prints at most
 * `print elements` rows, as it does alone, and an IDE's variables pane
 * (MI) can open its rows without gdb printing 2**31 elements. */
#include <stdio.h>

#include "arr.h"
#include "spot.h"

struct holder {
    arr_t *a;
    arr_t *b[3];
    int x;
};

int main(void)
{
    int64_t s32[32];
    for (int d = 0; d < 32; d++)
        s32[d] = 2;
    arr_t *owner = arr_arange(0, 16, 1, ARR_FLOAT64);
    arr_t *single = arr_zeros(0, NULL, ARR_FLOAT64);
    arr_t *deep = single ? arr_broadcast_to(single, 32, s32) : NULL;
    if (!owner || !deep) {
        fprintf(stderr, "nested: %s\n", arr_errmsg());
        return 1;
    }
    arr_t *many[4] = {owner, deep, NULL, owner};
    struct holder h = {owner, {owner, NULL, deep}, 3};
    arrdbg_spot(1);
    (void)many;
    (void)h;
    arr_free(deep);
    arr_free(single);
    arr_free(owner);
    return 0;
}
