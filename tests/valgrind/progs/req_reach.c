/* Reachability, driven by raw requests:
 *   #1 pointed to from a global                -> still reachable
 *   #2 pointed to only from an ignored range   -> lost
 *   #3 owner, pointed to only from view #4's handle, #4 in a global
 *                                              -> both still reachable
 *   #5 pointed to from nowhere (stale stack words are not roots) -> lost
 *   #6 pointed to from a heap block            -> still reachable */
#include "req_common.h"

#include <stdio.h>

static void *global_handle;
static void *global_view;
static void **registry;
void **keep_holder;

static void make_unreferenced(int64_t *shape)
{
    void *h = calloc(1, 64);
    struct arrcheck_array_info info = req_info(5, 5, h, NULL, 0, 1, shape);
    info.owndata = 0;
    (void)ARRCHECK_OWNER_CREATED(&info);
    h = NULL;
}

int main(void)
{
    int64_t shape[1] = {2};
    struct arrcheck_array_info info;

    global_handle = calloc(1, 64);
    info = req_info(1, 1, global_handle, calloc(2, 8), 16, 1, shape);
    (void)ARRCHECK_OWNER_CREATED(&info);

    registry = calloc(4, sizeof *registry);
    registry[0] = calloc(1, 64);
    info = req_info(2, 2, registry[0], calloc(2, 8), 16, 1, shape);
    (void)ARRCHECK_OWNER_CREATED(&info);
    (void)ARRCHECK_IGNORE_RANGE(registry, 4 * sizeof *registry);

    void **owner3 = calloc(1, 64);
    info = req_info(3, 3, owner3, calloc(2, 8), 16, 1, shape);
    (void)ARRCHECK_OWNER_CREATED(&info);
    void **view4 = calloc(1, 64);
    view4[3] = owner3; /* like arr_t.base */
    global_view = view4;
    info = req_info(4, 3, view4, owner3, 0, 1, shape);
    (void)ARRCHECK_VIEW_CREATED(&info);
    owner3 = NULL;
    view4 = NULL;

    make_unreferenced(shape);

    void **holder = malloc(8 * sizeof *holder);
    holder[5] = calloc(1, 64);
    info = req_info(6, 6, holder[5], NULL, 0, 1, shape);
    info.owndata = 0;
    (void)ARRCHECK_OWNER_CREATED(&info);
    keep_holder = holder;
    memset(&info, 0, sizeof info);
    puts("done");
    return 0;
}
