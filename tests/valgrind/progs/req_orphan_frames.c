/* An array library that declares itself (prefix "mylib_") frees an owner
 * while a view lives, from an inner function: the OrphanedView stack starts
 * at its public call, mylib_free, as the creation stacks do (issue 23);
 * the same orphaning again at the same place counts but is not re-printed. */
#include "req_common.h"

#include <stdio.h>

void mylib_free(uint64_t id, void *handle);
void mylib_release_inner(uint64_t id, void *handle);
void orphan_once(void);

__attribute__((noinline)) void mylib_release_inner(uint64_t id, void *handle)
{
    (void)ARRCHECK_FREED(id, handle);
}

__attribute__((noinline)) void mylib_free(uint64_t id, void *handle)
{
    mylib_release_inner(id, handle);
}

static uint64_t next_id = 1;

void orphan_once(void)
{
    int64_t shape[1] = {4};
    double *buf = calloc(4, sizeof *buf);
    void *ho = calloc(1, 64), *hv = calloc(1, 64);
    uint64_t o = next_id++, v = next_id++;
    struct arrcheck_array_info info = req_info(o, o, ho, buf, 32, 1, shape);
    (void)ARRCHECK_OWNER_CREATED(&info);
    info = req_info(v, o, hv, buf, 0, 1, shape);
    (void)ARRCHECK_VIEW_CREATED(&info);
    mylib_free(o, ho); /* orphans the view */
    (void)ARRCHECK_FREED(v, hv);
    (void)ARRCHECK_QUARANTINE_RELEASED(buf);
    free(buf);
    free(ho);
    free(hv);
}

int main(void)
{
    static const struct arrcheck_library me = {ARRCHECK_PROTOCOL_VERSION, sizeof me, "mylib",
                                               "mylib_", NULL, NULL};
    (void)ARRCHECK_LIBRARY(&me);
    for (int i = 0; i < 2; i++)
        orphan_once();
    puts("done");
    return 0;
}
