/* Never-freed arrays that are still reachable at exit: one from a global,
 * one (an owner) only through the base pointer of a view kept in a global
 * struct.  One lost array for contrast. */
#include "arr.h"

#include <stdlib.h>

static arr_t *kept_owner;
static struct {
    int tag;
    arr_t *view;
} kept;

int main(void)
{
    int64_t n = 4;
    kept_owner = arr_zeros(1, &n, ARR_FLOAT64);
    arr_t *base = arr_zeros(1, &n, ARR_INT16);
    kept.tag = 1;
    kept.view = arr_view(base);
    base = NULL;
    arr_t *lost = arr_zeros(1, &n, ARR_INT8);
    lost = NULL;
    (void)lost;
    return 0;
}
