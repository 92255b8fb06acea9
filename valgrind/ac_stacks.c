/* ac_stacks.c - which stack memory is dead, for the leak scan.
 *
 * Memcheck knows it from its A bits: memory a thread popped off its stack
 * is no longer addressable, so stale pointers there are no roots, wherever
 * the stack lives (the main stack, a glibc thread stack, a malloc'd
 * pthread_attr_setstack stack, a sigaltstack, a makecontext coroutine).
 * arrcheck keeps the same fact more cheaply: the core reports every
 * stack-pointer decrease (new_mem_stack), and each *stack extent* records
 * the lowest address a stack pointer ever reached in it (its low water).
 * An extent grows only by decreases that start inside it, so a switch to
 * another stack (signal delivery, a thread, swapcontext, which the core
 * does not report as a decrease) opens another extent, and heap memory
 * below a heap stack is never part of one.
 *
 * Dead, at a scan:
 *   - an extent holding a live thread's stack pointer SP: [low water, SP).
 *     The red zone below SP is dead too: the thread is at a client request
 *     or a monitor command, not in a leaf function keeping data there,
 *     and what lies there is the stale frame of the last call returned
 *     from (memcheck sees it as undefined);
 *   - an extent of a thread that has exited: everything from its low water
 *     up to its end mark, taken when the thread exited: the stack pointer
 *     of its innermost frame outside the C library (the caller of exit(),
 *     abort(), raise(), ...), or, when every frame was the C library's (a
 *     thread that returned or was cancelled; main that returned), the top
 *     of its stack and of the anonymous mapping above it (glibc's thread
 *     descriptor and static TLS: an exited thread's __thread variables);
 *   - any other extent (a suspended coroutine, the main stack while a
 *     handler runs on the alternate stack): [low water, the last stack
 *     pointer seen in it).
 * An extent a thread pushes into again (a cached stack reused) is live
 * again; an unmapped one is forgotten.
 *
 * Cost: one call per stack-pointer decrease; the running thread's current
 * extent is cached, so it is a few compares (O(number of extents) only on
 * a switch of stacks).
 */
#include "pub_tool_basics.h"
#include "pub_tool_aspacemgr.h"
#include "pub_tool_debuginfo.h"
#include "pub_tool_libcbase.h"
#include "pub_tool_libcprint.h"
#include "pub_tool_machine.h"
#include "pub_tool_mallocfree.h"
#include "pub_tool_stacktrace.h"
#include "pub_tool_threadstate.h"
#include "pub_tool_tooliface.h"

#include "ac_include.h"

/* A stack pointer up to this far above an extent's highest seen value is
 * still in it (a function returning above the first frame seen). */
#define AC_EXTENT_SLACK 4096

typedef struct {
    Addr low;       /* lowest stack pointer seen */
    Addr high;      /* highest stack pointer a decrease started from */
    Addr last_sp;   /* stack pointer after the latest decrease */
    Addr end;       /* exited thread: dead up to here; 0: not exited */
    ThreadId tid;   /* the thread that last used it */
} ACExtent;

static ACExtent *ac_ext;
static UInt ac_n_ext, ac_cap_ext;
static ThreadId ac_cached_tid;
static Int ac_cached_ext = -1;

static Bool ac_ext_holds(const ACExtent *e, Addr sp)
{
    return sp >= e->low && sp <= e->high + AC_EXTENT_SLACK;
}

static Int ac_ext_find(Addr sp)
{
    for (UInt i = 0; i < ac_n_ext; i++)
        if (ac_ext_holds(&ac_ext[i], sp))
            return (Int)i;
    return -1;
}

static void ac_new_mem_stack(Addr a, SizeT len)
{
    ThreadId tid = VG_(get_running_tid)();
    Addr from = a + len; /* the stack pointer before the decrease */
    ACExtent *e;
    if (ac_cached_ext >= 0 && ac_cached_tid == tid && ac_ext_holds(&ac_ext[ac_cached_ext], from)) {
        e = &ac_ext[ac_cached_ext];
    } else {
        Int i = ac_ext_find(from);
        if (i < 0) {
            if (ac_n_ext == ac_cap_ext) {
                ac_cap_ext = ac_cap_ext ? 2 * ac_cap_ext : 16;
                ac_ext = VG_(realloc)("ac.stacks", ac_ext, ac_cap_ext * sizeof *ac_ext);
            }
            i = (Int)ac_n_ext++;
            ac_ext[i].low = a;
            ac_ext[i].high = from;
        }
        e = &ac_ext[i];
        e->tid = tid;
        e->end = 0; /* in use again */
        ac_cached_tid = tid;
        ac_cached_ext = i;
    }
    if (a < e->low)
        e->low = a;
    if (from > e->high)
        e->high = from;
    e->last_sp = a;
}

/* The C library's own code: the frames of exit(), abort(), raise(). */
static Bool ac_ip_in_libc(DiEpoch ep, Addr ip)
{
    const HChar *obj;
    if (!VG_(get_objname)(ep, ip, &obj))
        return False;
    const HChar *base = VG_(strrchr)(obj, '/');
    base = base ? base + 1 : obj;
    return VG_(strncmp)(base, "libc.so", 7) == 0 || VG_(strncmp)(base, "libc-", 5) == 0 ||
           VG_(strncmp)(base, "ld-linux", 8) == 0 || VG_(strncmp)(base, "libpthread", 10) == 0;
}

void ac_stacks_thread_exit(ThreadId tid)
{
    enum { N = 64 };
    Addr ips[N], sps[N];
    UInt n = VG_(get_StackTrace)(tid, ips, N, sps, NULL, 0);
    DiEpoch ep = VG_(current_DiEpoch)();
    UInt i = 0;
    while (i < n && ac_ip_in_libc(ep, ips[i]))
        i++;
    Addr sp = VG_(get_SP)(tid);
    Int x = ac_ext_find(sp);
    if (i < n) {
        /* Live down to the innermost frame of the program's own code. */
        Int k = ac_ext_find(sps[i]);
        if (k >= 0) {
            ac_ext[k].end = sps[i];
            ac_ext[k].tid = tid;
        }
        if (x >= 0 && x != k) /* e.g. exit() called on the alternate stack's other side */
            ac_ext[x].end = ac_ext[x].high + AC_EXTENT_SLACK;
    } else if (x >= 0) {
        /* Only C library frames left: the whole stack is dead, and so is
         * the rest of its mapping above it: glibc keeps the thread's
         * descriptor and static TLS (its __thread variables) there, and
         * caches the mapping for a later thread. */
        Addr top = VG_(thread_get_stack_max)(tid);
        ac_ext[x].end = top > ac_ext[x].high ? top + 1 : ac_ext[x].high + AC_EXTENT_SLACK;
        const NSegment *seg = tid == 1 ? NULL : VG_(am_find_nsegment)(ac_ext[x].end - 1);
        /* (not the main thread's: its TLS is elsewhere, and above its stack
         * lie the environment and the auxiliary vector) */
        if (seg && seg->kind == SkAnonC && !seg->isCH && seg->end + 1 > ac_ext[x].end)
            ac_ext[x].end = seg->end + 1;
        ac_ext[x].tid = tid;
    }
    /* The thread's other extents keep their last stack pointer. */
    if (ac_cached_tid == tid)
        ac_cached_ext = -1;
}

static void ac_die_mem_munmap(Addr a, SizeT len)
{
    for (UInt i = 0; i < ac_n_ext;) {
        if (ac_ext[i].low >= a && ac_ext[i].high < a + len) {
            ac_ext[i] = ac_ext[--ac_n_ext];
            ac_cached_ext = -1;
        } else {
            i++;
        }
    }
}

void ac_stacks_init(void)
{
    VG_(track_new_mem_stack)(ac_new_mem_stack);
    VG_(track_die_mem_munmap)(ac_die_mem_munmap);
}

void ac_stacks_dead(void (*add)(Addr lo, Addr hi, void *opaque), void *opaque, Bool trace)
{
    /* Marks, in a scratch array, the extents that hold a live thread's SP. */
    Bool *done = VG_(calloc)("ac.stacks.done", ac_n_ext ? ac_n_ext : 1, sizeof(Bool));
    ThreadId tid;
    Addr sp, stack_max;
    VG_(thread_stack_reset_iter)(&tid);
    while (VG_(thread_stack_next)(&tid, &sp, &stack_max)) {
        Int i = ac_ext_find(sp);
        Addr live = sp;
        if (trace)
            VG_(umsg)("arrcheck: stack of thread %u: live from %#lx\n", tid, live);
        if (i < 0)
            continue;
        done[i] = True;
        if (ac_ext[i].low < live)
            add(ac_ext[i].low, live, opaque);
    }
    for (UInt i = 0; i < ac_n_ext; i++) {
        if (done[i])
            continue;
        const ACExtent *e = &ac_ext[i];
        Addr hi = e->end ? e->end : e->last_sp;
        if (trace)
            VG_(umsg)("arrcheck: stack extent [%#lx, %#lx] of thread %u%s: dead below %#lx\n",
                      e->low, e->high, e->tid, e->end ? " (exited)" : "", hi);
        if (e->low < hi)
            add(e->low, hi, opaque);
    }
    VG_(free)(done);
}
