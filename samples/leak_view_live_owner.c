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
 * (arrcheck: a reached handle keeps only its own owner reachable, so the
 *  owner's views list does not count; memcheck gets this right because
 *  libarr hides its owner->views links from the leak scan under Valgrind,
 *  as it hides the registry.)
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
