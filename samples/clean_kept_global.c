/* clean_kept_global.c - arrays kept until exit on purpose.
 *
 * A lookup table built once and held in a global for the life of the
 * process, with a view of its first half also kept.  Never freeing them is
 * a choice, not a leak: a pointer to each handle exists at exit.
 *   memcheck: "still reachable" (the table's handle and buffer, the view's
 *             handle), not an error.
 *   arrcheck: the same classification ("still reachable"), not an error
 *             unless --show-leak-kinds=all asks to list them.
 *   native (ARR_CHECK=1): has no way to see pointers, so it lists both and
 *             exits 3; a program that keeps arrays on purpose runs without
 *             ARR_CHECK or frees them at exit.
 *
 * expect native:   arrays=1 views=1
 * expect memcheck: Leak_StillReachable=3
 * expect arrcheck: LeakedArray.reachable=1 LeakedView.reachable=1
 */
#include "sample.h"

#include <math.h>

static arr_t *sine_table;
static arr_t *first_half;

static double fast_sin(int step)
{
    double v;
    must_ok(arr_get_f64(sine_table, (int64_t[]){step % 256}, &v), "get");
    return v;
}

int main(void)
{
    sine_table = must(arr_empty(1, (int64_t[]){256}, ARR_FLOAT64), "empty");
    for (int i = 0; i < 256; i++)
        must_ok(arr_set_f64(sine_table, (int64_t[]){i}, sin(i * 2 * M_PI / 256)), "set");
    first_half = must(arr_slice(sine_table, ":128"), "slice");
    printf("sin(pi/2) from the table: %.3f\n", fast_sin(64));
    return 0;
}
