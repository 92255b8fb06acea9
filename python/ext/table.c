/* table.c - the growth of every open-addressing table of the handler
 * (records, code kinds, site index, objects); the hash is tab_hash_ptr
 * (arrdbg.h). */
#include "arrdbg.h"

/* A zeroed table of ncap slots of sz bytes (ncap a power of two) holding
 * old's live slots, each placed by its hash with linear probing.
 * live(slot, &hash) says whether a slot holds an entry (an empty slot is
 * all zero) and gives its hash.  O(cap + ncap), so O(1) amortised per
 * insert; NULL when out of memory (old is untouched). */
void *tab_rehash(const void *old, size_t cap, size_t ncap, size_t sz, tab_live_fn live)
{
    char *n = calloc(ncap, sz);
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
