/* ac_values.c - value views: views a program holds by value (GSL's
 * gsl_matrix_view v = gsl_matrix_row(m, 0)), made with
 * ARRCHECK_VALUE_VIEW_CREATED and never freed.
 *
 * A value view lives as long as the storage holding it (its handle):
 *   - on a thread's stack: until its frame returns.  At each request a
 *     thread makes, views of that thread's stack below the stack pointer of
 *     the request's caller (the first frame outside arrcheck's own preload)
 *     are in frames that returned: retired.  At a leak check, the dead
 *     stack ranges of ac_stacks.c retire the others;
 *   - elsewhere (heap, globals): until ARRCHECK_STORAGE_FREED covers it;
 *   - anywhere: until another array is made at the same handle (a view
 *     assigned again in a loop).
 * Value views are kept out of the live-handle table: they are never
 * leaked and never counted as live views; OrphanedView is not reported
 * for them (a view left in scope after its owner is freed is how clean
 * GSL code looks); a read through one after its owner was freed is a
 * DanglingAccess that names it.  A value view retired while its freed
 * owner's buffer is still quarantined stays linked to the owner, marked
 * AC_RETIRED, so such a read through a copy of it (the view returned from
 * the function that freed its owner) still names it; it goes with the
 * owner's quarantine.
 *
 * Cost: the views are in a WordFM by handle; a retirement pass is
 * O(log n + retired) and runs only while value views exist.
 */
#include "pub_tool_basics.h"
#include "pub_tool_libcassert.h"
#include "pub_tool_debuginfo.h"
#include "pub_tool_libcbase.h"
#include "pub_tool_mallocfree.h"
#include "pub_tool_machine.h"
#include "pub_tool_stacktrace.h"
#include "pub_tool_threadstate.h"
#include "pub_tool_wordfm.h"

#include "ac_include.h"

static WordFM *ac_values; /* handle -> ACArray*, live value views */

void ac_values_for_each(void (*fn)(ACArray *rec, void *opaque), void *opaque)
{
    UWord key, val;
    if (!ac_values)
        return;
    VG_(initIterFM)(ac_values);
    while (VG_(nextIterFM)(ac_values, &key, &val))
        fn((ACArray *)val, opaque);
    VG_(doneIterFM)(ac_values);
}

ULong ac_values_live(void)
{
    return ac_values ? VG_(sizeFM)(ac_values) : 0;
}

ACArray *ac_values_at(Addr handle)
{
    UWord key, val;
    if (!ac_values || !VG_(lookupFM)(ac_values, &key, &val, handle))
        return NULL;
    return (ACArray *)val;
}

/* The stack [lo, hi] of the thread whose stack holds a, if any. */
static Bool ac_stack_of(Addr a, ThreadId *tid_out)
{
    ThreadId tid;
    Addr lo, hi;
    VG_(thread_stack_reset_iter)(&tid);
    while (VG_(thread_stack_next)(&tid, &lo, &hi))
        if (a >= lo && a <= hi) {
            if (tid_out)
                *tid_out = tid;
            return True;
        }
    return False;
}

Bool ac_values_add(ACArray *rec)
{
    if (!ac_values)
        ac_values = VG_(newFM)(VG_(malloc), "ac.values", VG_(free), NULL);
    ac_record_unlist_handle(rec);
    ac_live_views--;
    rec->flags |= AC_VALUE;
    VG_(addToFM)(ac_values, rec->handle, (UWord)rec);
    return !ac_stack_of(rec->handle, NULL);
}

UInt ac_values_linked(const ACArray *owner)
{
    UInt n = 0;
    for (const ACArray *v = owner->first_view; v; v = v->next_view)
        n += (v->flags & AC_VALUE) != 0;
    return n;
}

/* Out of the map; unlinked and dropped, or kept as AC_RETIRED for a freed
 * owner whose buffer is still quarantined.  gone(owner) after unlinking. */
static void ac_values_retire(ThreadId tid, ACArray *v, void (*gone)(ACArray *owner))
{
    UWord key, val;
    VG_(delFromFM)(ac_values, &key, &val, v->handle);
    ac_profile_freed(tid, v, True);
    ACArray *owner = v->owner;
    if (owner && (owner->flags & AC_FREED) && !(owner->flags & AC_RELEASED)) {
        v->flags |= AC_RETIRED;
        return;
    }
    ac_unlink_view(v);
    ac_record_drop(v);
    if (owner)
        gone(owner);
}

Bool ac_values_retire_at(ThreadId tid, Addr handle, void (*gone)(ACArray *owner))
{
    ACArray *v = ac_values_at(handle);
    if (v)
        ac_values_retire(tid, v, gone);
    return v != NULL;
}

/* Retires the views with handle in [lo, hi). */
void ac_values_retire_range(ThreadId tid, Addr lo, Addr hi, void (*gone)(ACArray *owner))
{
    if (!ac_values || hi <= lo)
        return;
    for (;;) {
        UWord key, val;
        VG_(initIterAtFM)(ac_values, lo);
        Bool found = VG_(nextIterFM)(ac_values, &key, &val) && key < hi;
        VG_(doneIterFM)(ac_values);
        if (!found)
            return;
        ac_values_retire(tid, (ACArray *)val, gone);
    }
}

/* Frames in arrcheck's own preload (the GSL adapter) are not the caller.
 * Its text range is looked up once among the loaded objects (again while
 * not found: before the preload is mapped), then a range check. */
static Addr ac_preload_lo, ac_preload_hi;

static Bool ac_in_preload(Addr ip)
{
    if (ac_preload_hi == 0) {
        for (const DebugInfo *di = VG_(next_DebugInfo)(NULL); di; di = VG_(next_DebugInfo)(di)) {
            const HChar *obj = VG_(DebugInfo_get_filename)(di);
            const HChar *base = obj ? VG_(strrchr)(obj, '/') : NULL;
            base = base ? base + 1 : obj;
            if (base && VG_(strncmp)(base, "vgpreload_arrcheck", 18) == 0 &&
                VG_(DebugInfo_get_text_size)(di) > 0) {
                ac_preload_lo = VG_(DebugInfo_get_text_avma)(di);
                ac_preload_hi = ac_preload_lo + VG_(DebugInfo_get_text_size)(di);
                break;
            }
        }
    }
    return ip >= ac_preload_lo && ip < ac_preload_hi;
}

UInt ac_preload_frames(const Addr *ips, UInt n)
{
    UInt k = 0;
    while (k < n && ac_in_preload(ips[k]))
        k++;
    return k < n ? k : 0;
}

/* tid's whole stack [lo, hi], not [SP, top] as VG_(thread_stack_next)
 * gives it for the running thread. */
static void ac_thread_stack(ThreadId tid, Addr *lo, Addr *hi)
{
    *hi = VG_(thread_get_stack_max)(tid);
    SizeT size = VG_(thread_get_stack_size)(tid);
    *lo = size < *hi ? *hi - size : 0;
}

#define AC_VALUES_FRAMES 8

void ac_values_retire_dead(ThreadId tid, void (*gone)(ACArray *owner))
{
    if (ac_values_live() == 0)
        return;
    Addr ips[AC_VALUES_FRAMES], sps[AC_VALUES_FRAMES];
    UInt n = VG_(get_StackTrace)(tid, ips, AC_VALUES_FRAMES, sps, NULL, 0);
    Addr sp = n ? sps[ac_preload_frames(ips, n)] : VG_(get_SP)(tid);
    Addr lo, hi;
    ac_thread_stack(tid, &lo, &hi);
    if (sp >= lo && sp <= hi + 1)
        ac_values_retire_range(tid, lo, sp, gone);
}

void ac_values_thread_exit(ThreadId tid, void (*gone)(ACArray *owner))
{
    Addr lo, hi;
    if (ac_values_live() == 0)
        return;
    ac_thread_stack(tid, &lo, &hi);
    ac_values_retire_range(tid, lo, hi + 1, gone);
}

void ac_values_drop_retired(ACArray *owner)
{
    ACArray *v = owner->first_view;
    while (v) {
        ACArray *next = v->next_view;
        if (v->flags & AC_RETIRED) {
            ac_unlink_view(v);
            ac_record_drop(v);
        }
        v = next;
    }
}

void ac_values_orphan(ACArray *owner, Bool keep)
{
    ACArray *v = owner->first_view;
    while (v) {
        ACArray *next = v->next_view;
        if (keep)
            v->flags |= AC_ORPHANED;
        else
            ac_unlink_view(v);
        v = next;
    }
}
