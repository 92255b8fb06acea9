/* invalid_free_foreign.c - arr_free on something that is not an array.
 *
 * A cache entry holds either a libarr array or a plain malloc'd buffer,
 * and the cleanup code picks the wrong one.  libarr looks the pointer up in
 * its registry without reading it and refuses (ARR_ENOTLIVE), so nothing
 * is corrupted; arrcheck reports the call, and memcheck reports the plain
 * buffer that was never freed as a result.
 *
 * expect native:
 * expect memcheck: Leak_DefinitelyLost=1
 * expect arrcheck: InvalidFree=1
 */
#include "sample.h"

#include <string.h>

struct cache_entry {
    int is_array;
    void *payload; /* arr_t * when is_array, else a malloc'd buffer */
};

static void entry_release(struct cache_entry *e)
{
    /* BUG: the test is inverted */
    if (!e->is_array)
        arr_free(e->payload);
    else
        free(e->payload);
    e->payload = NULL;
}

int main(void)
{
    struct cache_entry e = {0, malloc(64)};
    if (e.payload == NULL)
        return 1;
    memset(e.payload, 0, 64);
    entry_release(&e);
    printf("released: %s\n", arr_errcode() == ARR_ENOTLIVE ? "libarr refused a foreign pointer" : "ok");
    return 0;
}
