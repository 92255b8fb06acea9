/* leak_view_live_owner.c - views leaked while their owner stays alive.
 *
 * The frame buffer is kept for the whole run on purpose (a global, freed
 * by nobody: "still reachable").  peek_pixel() makes a 0-d view for every
 * query and forgets it.  Those views are lost even though the owner they
 * point into is not: the program holds no pointer to the view handles.
 *
 * expect native:   arrays=1 views=2
 * expect memcheck: Leak_DefinitelyLost=2 Leak_StillReachable=2
 * expect arrcheck: LeakedView=2 LeakedArray.reachable=1
 * (memcheck gets this right because libarr hides its owner->views links from
 *  the leak scan under Valgrind, as it hides the registry.)
 * known arrcheck:  same cause: the leak scan follows the owner's views_head and
 *                  the views' view_next/view_prev words, so both views are
 *                  "still reachable"; skipping those three fields of a reached
 *                  handle (only base should keep anything alive) would fix it.
 */
#include "sample.h"

static arr_t *frame; /* lives until exit on purpose */

static double peek_pixel(int y, int x)
{
    char spec[32];
    snprintf(spec, sizeof spec, "%d, %d", y, x);
    arr_t *px = must(arr_slice(frame, spec), "slice"); /* BUG: never freed */
    double v;
    must_ok(arr_get_f64(px, NULL, &v), "get");
    return v;
}

int main(void)
{
    frame = must(arr_full(2, (int64_t[]){4, 4}, ARR_UINT8, 7), "full");
    printf("pixels: %g %g\n", peek_pixel(0, 0), peek_pixel(3, 2));
    return 0;
}
