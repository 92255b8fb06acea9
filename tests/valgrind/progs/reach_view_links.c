/* The leak scan follows only a view's pointer to its own owner.
 *   #1 owner kept in a global; its views #2, #3 are forgotten: reached only
 *      through #1's views_head and their sibling links -> lost
 *   #4 owner forgotten, its view #5 kept in a global: #4 is reached through
 *      #5's base -> both still reachable; #6, a forgotten view of #4 linked
 *      beside #5, stays lost
 *   #7 owner and its view #8 both forgotten -> both lost */
#include "arr.h"

#include <stdio.h>

static arr_t *kept_owner;
static arr_t *kept_view;

static void forget(arr_t *a)
{
    (void)a;
}

int main(void)
{
    int64_t n = 6;
    kept_owner = arr_arange(0, 6, 1, ARR_FLOAT64);
    forget(arr_slice(kept_owner, "1:"));
    forget(arr_slice(kept_owner, "::2"));

    arr_t *owner = arr_zeros(1, &n, ARR_INT32);
    kept_view = arr_slice(owner, "2:4");
    forget(arr_view(owner));
    owner = NULL;

    arr_t *gone = arr_zeros(1, &n, ARR_INT8);
    forget(arr_reshape(gone, 2, (int64_t[]){2, 3}, ARR_COPY_NEVER));
    gone = NULL;
    forget(gone);
    puts("done");
    return 0;
}
