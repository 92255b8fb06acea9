/* ac_ranges.c - sets of disjoint address intervals [lo, hi), each with a
 * payload: the quarantined buffers that accesses are checked against
 * (ac_instr.c).
 *
 * An AVL tree (the core's WordFM) keyed by lo gives O(log n) add, remove
 * and lookup.  In front of it, like dhat's and memcheck's caches, the last
 * interval hit and the last gap between intervals that an access fell
 * into: a loop over memory near (but not in) a quarantined buffer, or
 * inside one, costs one or two compares per access whatever the number of
 * intervals.  The union bounds [min, max) let most accesses return before
 * any of that; they are widened on add and recomputed (O(n)) only after
 * as many removals as there are intervals, so amortised O(1).
 */
#include "pub_tool_basics.h"
#include "pub_tool_libcassert.h"
#include "pub_tool_libcbase.h"
#include "pub_tool_mallocfree.h"
#include "pub_tool_wordfm.h"

#include "ac_include.h"

struct ACIntervalSet {
    WordFM *map;            /* lo -> ACInterval* */
    ULong n;
    const ACInterval *hit;  /* MRU: the last interval an access overlapped */
    Addr gap_lo, gap_hi;    /* MRU: [gap_lo, gap_hi) holds no interval */
    Addr min, max;          /* every interval lies in [min, max) */
    ULong removed;          /* since min/max were last recomputed */
    ULong searches;         /* tree searches (cache misses) */
};

ACIntervalSet *ac_iset_new(const HChar *cc)
{
    ACIntervalSet *s = VG_(calloc)(cc, 1, sizeof *s);
    s->map = VG_(newFM)(VG_(malloc), cc, VG_(free), NULL);
    s->min = ~(Addr)0;
    return s;
}

ULong ac_iset_size(const ACIntervalSet *s)
{
    return s->n;
}

ULong ac_iset_searches(const ACIntervalSet *s)
{
    return s->searches;
}

/* The interval overlapping [a, a + size) by a tree search; on a miss the
 * gap around a is remembered. */
static const ACInterval *ac_iset_search(ACIntervalSet *s, Addr a, SizeT size)
{
    UWord kmin, vmin = 0, kmax, vmax = 0, vexact = 0;
    s->searches++;
    if (!VG_(findBoundsFM)(s->map, &kmin, &vmin, &kmax, &vmax, 0, 0, ~(UWord)0, 0, a)) {
        VG_(lookupFM)(s->map, NULL, &vexact, a); /* an interval starts at a */
        return (const ACInterval *)vexact;
    }
    const ACInterval *below = (const ACInterval *)vmin, *above = (const ACInterval *)vmax;
    if (below && below->hi > a)
        return below;
    if (above && above->lo < a + size)
        return above;
    s->gap_lo = below ? below->hi : 0;
    s->gap_hi = above ? above->lo : ~(Addr)0;
    return NULL;
}

const ACInterval *ac_iset_find(ACIntervalSet *s, Addr a, SizeT size)
{
    if (s->n == 0 || a + size <= s->min || a >= s->max)
        return NULL;
    const ACInterval *h = s->hit;
    if (h && a < h->hi && a + size > h->lo)
        return h;
    if (a >= s->gap_lo && a + size <= s->gap_hi)
        return NULL;
    h = ac_iset_search(s, a, size);
    if (h)
        s->hit = h;
    return h;
}

Bool ac_iset_add(ACIntervalSet *s, Addr lo, Addr hi, void *payload)
{
    if (hi <= lo || ac_iset_search(s, lo, hi - lo))
        return False; /* empty, or overlaps one (only bogus requests do) */
    ACInterval *iv = VG_(malloc)("ac.iset", sizeof *iv);
    iv->lo = lo;
    iv->hi = hi;
    iv->payload = payload;
    VG_(addToFM)(s->map, lo, (UWord)iv);
    s->n++;
    s->gap_lo = s->gap_hi = 0; /* the gap may hold the new interval */
    if (lo < s->min)
        s->min = lo;
    if (hi > s->max)
        s->max = hi;
    return True;
}

static void ac_iset_recompute_bounds(ACIntervalSet *s)
{
    UWord key, val;
    s->min = ~(Addr)0;
    s->max = 0;
    VG_(initIterFM)(s->map);
    while (VG_(nextIterFM)(s->map, &key, &val)) {
        const ACInterval *iv = (const ACInterval *)val;
        if (iv->lo < s->min)
            s->min = iv->lo;
        if (iv->hi > s->max)
            s->max = iv->hi;
    }
    VG_(doneIterFM)(s->map);
    s->removed = 0;
}

Bool ac_iset_remove(ACIntervalSet *s, Addr lo, const void *payload)
{
    UWord val = 0;
    if (!VG_(lookupFM)(s->map, NULL, &val, lo) || ((ACInterval *)val)->payload != payload)
        return False;
    UWord key;
    VG_(delFromFM)(s->map, &key, &val, lo);
    if (s->hit == (const ACInterval *)val)
        s->hit = NULL;
    VG_(free)((ACInterval *)val); /* the gap stays valid: it only grows */
    s->n--;
    if (s->n == 0) {
        s->min = ~(Addr)0;
        s->max = 0;
        s->removed = 0;
    } else if (++s->removed > s->n + 64) {
        ac_iset_recompute_bounds(s);
    }
    return True;
}

const ACInterval *ac_iset_at(const ACIntervalSet *s, Addr lo)
{
    UWord val = 0;
    return VG_(lookupFM)(s->map, NULL, &val, lo) ? (const ACInterval *)val : NULL;
}

Bool ac_iset_bounds(const ACIntervalSet *s, Addr *min, Addr *max)
{
    if (s->n == 0)
        return False;
    *min = s->min;
    *max = s->max;
    return True;
}
