/* table.c - the growth of every open-addressing table of the handler
 * (records, code kinds, site index, objects); the hash is tab_hash_ptr
 * (arrdbg.h). */
#include "arrdbg.h"

#include <sys/mman.h>

/* Tables of at least TAB_MAP bytes are mapped on their own with every page
 * made present by the one mmap call (MAP_POPULATE): a rehash then writes
 * into memory that is already there instead of taking a page fault per
 * 4 KiB (in a virtual machine each costs microseconds).  Measured on
 * bench/np_many.py: see python/README.md. */
#define TAB_MAP ((size_t)1 << 20)

/* A zeroed block of n slots of sz bytes; NULL when out of memory. */
void *tab_alloc(size_t n, size_t sz)
{
    if (sz && n > SIZE_MAX / sz)
        return NULL;
    if (n * sz < TAB_MAP)
        return calloc(n, sz);
    void *m = mmap(NULL, n * sz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE,
                   -1, 0);
    return m == MAP_FAILED ? NULL : m;
}

/* Releases tab_alloc(n, sz)'s block (NULL: nothing). */
void tab_free(void *p, size_t n, size_t sz)
{
    if (p && n * sz < TAB_MAP)
        free(p);
    else if (p)
        munmap(p, n * sz);
}

/* A zeroed table of ncap slots of sz bytes (ncap a power of two) holding
 * old's live slots, each placed by its hash with linear probing.
 * live(slot, &hash) says whether a slot holds an entry (an empty slot is
 * all zero) and gives its hash.  O(cap + ncap), so O(1) amortised per
 * insert; NULL when out of memory (old is untouched).  The caller
 * releases old with tab_free. */
void *tab_rehash(const void *old, size_t cap, size_t ncap, size_t sz, tab_live_fn live)
{
    char *n = tab_alloc(ncap, sz);
    if (!n)
        return NULL;
    size_t h, unused;
    for (size_t i = 0; i < cap; i++) {
        const char *o = (const char *)old + i * sz;
        if (!live(o, &h))
            continue;
        size_t k = h & (ncap - 1);
        while (live(n + k * sz, &unused))
            k = (k + 1) & (ncap - 1);
        memcpy(n + k * sz, o, sz);
    }
    return n;
}

