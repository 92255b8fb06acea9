/* ac_profile.c - --profile=yes: array memory over time.
 *
 * Every creation, free and quarantine release of an array is an event.
 * After each event the live totals (owners' bytes split into copies and
 * originals, counts of owners, copies and views) form a snapshot; the
 * timeline keeps at most --max-snapshots of them (thinned by halving,
 * keeping the larger of each pair, so spikes survive).  The peak is
 * tracked exactly: its event number, compared with each array's
 * [made, gone) event range, gives the arrays live at the peak.  At exit
 * everything goes to a JSON file (format: valgrind/README.md).
 *
 * Time is deterministic: guest instructions executed (--time-unit=i,
 * counted per superblock by ac_instr.c) or array bytes allocated plus
 * released so far (--time-unit=B), as massif's i and B.
 *
 * Copies: were they written after being made, were they ever read?  Their
 * buffers are watched (two interval sets: not yet written, not yet read);
 * the first store / load outside the creation window marks the copy and
 * drops it from that set.  The creation window: libarr announces an owner
 * before copying its data in, so the stores of the libarr call that made
 * the copy must not count.  At the request we unwind the stack and note
 * the stack pointer the caller's frame will have once that call returns
 * (the CFA of the outermost libarr frame).  The window is open until, on
 * the creating thread, a superblock starts with SP at or above it: that
 * is the return into the caller (a `ret` always ends a superblock) or a
 * longjmp past it.  Deeper code run by the call (memcpy) keeps a lower SP;
 * code the caller runs after the return starts at that SP.  Accesses by
 * other threads count at once.
 */
#include "pub_tool_basics.h"
#include "pub_tool_clientstate.h"
#include "pub_tool_debuginfo.h"
#include "pub_tool_libcassert.h"
#include "pub_tool_libcbase.h"
#include "pub_tool_libcfile.h"
#include "pub_tool_libcprint.h"
#include "pub_tool_libcproc.h"
#include "pub_tool_machine.h"
#include "pub_tool_mallocfree.h"
#include "pub_tool_options.h"
#include "pub_tool_stacktrace.h"
#include "pub_tool_threadstate.h"
#include "pub_tool_tooliface.h"
#include "pub_tool_vki.h"
#include "pub_tool_wordfm.h"
#include "pub_tool_xarray.h"

#include "ac_include.h"

/* ---- options --------------------------------------------------------------- */

Bool ac_clo_profile = False;
static const HChar *ac_clo_profile_out = "arrcheck.out.%p";
enum { AC_TIME_INSTRS, AC_TIME_BYTES };
static Int ac_clo_time_unit = AC_TIME_INSTRS;
static Long ac_clo_max_snapshots = 1000;

Bool ac_profile_process_option(const HChar *arg)
{
    if VG_BOOL_CLO (arg, "--profile", ac_clo_profile) {
    } else if VG_STR_CLO (arg, "--arrcheck-out-file", ac_clo_profile_out) {
    } else if VG_STR_CLO (arg, "--profile-out", ac_clo_profile_out) { /* the old name */
    } else if VG_XACT_CLO (arg, "--time-unit=i", ac_clo_time_unit, AC_TIME_INSTRS) {
    } else if VG_XACT_CLO (arg, "--time-unit=B", ac_clo_time_unit, AC_TIME_BYTES) {
    } else if VG_BINT_CLO (arg, "--max-snapshots", ac_clo_max_snapshots, 10, 10000000) {
    } else {
        return False;
    }
    return True;
}

void ac_profile_print_usage(void)
{
    VG_(printf)(
        "    --profile=no|yes                 record array memory over time [no]\n"
        "    --arrcheck-out-file=<file>       profile file [arrcheck.out.%%p]\n"
        "    --time-unit=i|B                  profile time: instructions, or array\n"
        "                                     bytes allocated+released [i]\n"
        "    --max-snapshots=<number>         timeline points kept [1000]\n");
}

/* ---- state ------------------------------------------------------------------- */

ULong ac_prof_instrs;
ULong ac_prof_open_windows;
ULong ac_prof_read_lo, ac_prof_read_span;
ULong ac_prof_write_lo, ac_prof_write_span;

#define AC_NEVER (~0ULL)

/* A source location: one code address, described once. */
typedef struct ACProfLoc {
    struct ACProfLoc *next_in_bucket;
    Addr ip;
    HChar *file, *dir, *fn, *obj; /* NULL when unknown */
    UInt line;
    UInt generation; /* ac_library_generation in_libarr was computed for */
    Bool in_libarr;
} ACProfLoc;

#define AC_LOC_BUCKETS 8192
static ACProfLoc *ac_loc_buckets[AC_LOC_BUCKETS];
static ULong ac_n_locs;

/* ACProfArray.flags */
#define AC_P_VIEW 0x01
#define AC_P_COPY 0x02
#define AC_P_WATCHED 0x04  /* a copy whose writes/reads are tracked */
#define AC_P_WRITTEN 0x08
#define AC_P_READ 0x10
#define AC_P_IN_READS 0x20 /* in the read watch set */
#define AC_P_IN_WRITES 0x40

typedef struct ACProfArray {
    ULong id, base_id, source_id;
    ULong bytes;                 /* owners: buffer bytes; views: extent bytes */
    ULong made_time, made_event;
    ULong freed_time, freed_event; /* the handle's free; AC_NEVER while live */
    ULong gone_time, gone_event;   /* the bytes left (later when quarantined) */
    ACProfLoc *made_at, *freed_at, *gone_at;
    HChar *label;
    Addr buf_lo, buf_hi;         /* copies: the watched bytes */
    Addr window_sp;              /* creation window (see the top) */
    ThreadId creating_tid;       /* nonzero while the window is open */
    UChar dtype_ix, op_ix, ndim, flags;
    Long shape[0];
} ACProfArray;

static ACProfArray **ac_parrays; /* every array, in creation order */
static ULong ac_n_parrays, ac_cap_parrays;

/* Live totals. */
static ULong ac_p_copy_bytes, ac_p_orig_bytes, ac_p_view_bytes;
static ULong ac_p_owners, ac_p_copies, ac_p_views;
static ULong ac_p_event;        /* events so far */
static ULong ac_p_bytes_time;   /* --time-unit=B clock */

typedef struct {
    ULong time, event;
    ULong copy_bytes, orig_bytes, view_bytes;
    ULong owners, copies, views;
} ACSnap;

static ACSnap *ac_snaps;
static ULong ac_n_snaps, ac_n_thinnings;
static ACSnap ac_peak;

static ULong ac_now(void)
{
    return ac_clo_time_unit == AC_TIME_BYTES ? ac_p_bytes_time : ac_prof_instrs;
}

/* ---- source locations ------------------------------------------------------- */

static HChar *ac_dup(const HChar *s)
{
    return s && s[0] ? VG_(strdup)("ac.prof.loc", s) : NULL;
}

/* The declared libraries' rule (ac_library.c). */
static Bool ac_loc_in_libarr(const ACProfLoc *l)
{
    return ac_library_owns(l->file, l->dir, l->fn, l->obj);
}

static ACProfLoc *ac_loc_for_ip(DiEpoch ep, Addr ip)
{
    UWord b = (UWord)((ip * 0x9E3779B97F4A7C15ULL) >> 20) & (AC_LOC_BUCKETS - 1);
    for (ACProfLoc *l = ac_loc_buckets[b]; l; l = l->next_in_bucket)
        if (l->ip == ip) {
            if (l->generation != ac_library_generation) { /* a library declared itself */
                l->in_libarr = ac_loc_in_libarr(l);
                l->generation = ac_library_generation;
            }
            return l;
        }
    ACProfLoc *l = VG_(calloc)("ac.prof.loc", 1, sizeof *l);
    l->ip = ip;
    /* Each lookup's strings die at the next lookup of the same kind. */
    const HChar *file = NULL, *dir = NULL, *fn = NULL, *obj = NULL;
    UInt line = 0;
    if (VG_(get_filename_linenum)(ep, ip, &file, &dir, &line)) {
        l->file = ac_dup(file);
        l->dir = ac_dup(dir);
        l->line = line;
    }
    if (VG_(get_fnname)(ep, ip, &fn))
        l->fn = ac_dup(fn);
    if (VG_(get_objname)(ep, ip, &obj))
        l->obj = ac_dup(obj);
    l->in_libarr = ac_loc_in_libarr(l);
    l->generation = ac_library_generation;
    l->next_in_bucket = ac_loc_buckets[b];
    ac_loc_buckets[b] = l;
    ac_n_locs++;
    return l;
}

/* Is this code address libarr's (the rule above)?  Also used outside
 * profile mode, to start error stacks at the public libarr call. */
Bool ac_ip_in_libarr(Addr ip)
{
    return ac_loc_for_ip(VG_(current_DiEpoch)(), ip)->in_libarr;
}

#define AC_PROF_FRAMES 48

/* The first frame outside libarr (NULL if none within AC_PROF_FRAMES);
 * *after_return gets the SP that frame has once the libarr call it made
 * returns. */
static ACProfLoc *ac_prof_caller(ThreadId tid, Addr *after_return)
{
    Addr ips[AC_PROF_FRAMES], sps[AC_PROF_FRAMES];
    UInt n = VG_(get_StackTrace)(tid, ips, AC_PROF_FRAMES, sps, NULL, 0);
    DiEpoch ep = VG_(current_DiEpoch)();
    for (UInt i = 0; i < n; i++) {
        ACProfLoc *loc = ac_loc_for_ip(ep, ips[i]);
        if (!loc->in_libarr) {
            if (after_return)
                *after_return = sps[i];
            return loc;
        }
    }
    if (after_return)
        *after_return = n > 0 ? sps[n - 1] : VG_(get_SP)(tid);
    return NULL;
}

/* ---- watched copy buffers ------------------------------------------------------ */

enum { AC_W_READS = 0, AC_W_WRITES = 1 };

typedef struct {
    Addr start, end; /* [start, end) */
    ACProfArray *arr;
} ACWatch;

/* Per set: start -> ACWatch*, disjoint intervals.  In front of it, the
 * last interval hit and the last gap between intervals that an access
 * fell into: loops over nearby unwatched memory (the source of a copy)
 * cost one compare per access instead of a tree search.  A gap stays
 * valid when intervals are removed; adding one forgets it. */
typedef struct {
    WordFM *map;
    ULong size;
    ACWatch *hit;
    Addr gap_lo, gap_hi;   /* [gap_lo, gap_hi) holds no interval */
    ULong removed;         /* since the bounds were last recomputed */
} ACWatchSet;

static ACWatchSet ac_watch[2];
static ULong ac_watch_searches, ac_watch_found;

/* Margin below the lowest buffer: an access may start before a buffer and
 * run into it (the widest guest access is 64 bytes). */
#define AC_WATCH_MARGIN 64

static void ac_watch_set_bounds(Int which, Addr lo, Addr hi)
{
    ULong *plo = which == AC_W_READS ? &ac_prof_read_lo : &ac_prof_write_lo;
    ULong *pspan = which == AC_W_READS ? &ac_prof_read_span : &ac_prof_write_span;
    if (hi <= lo) {
        *plo = 0;
        *pspan = 0;
        return;
    }
    lo = lo > AC_WATCH_MARGIN ? lo - AC_WATCH_MARGIN : 0;
    *plo = lo;
    *pspan = hi - lo;
}

static void ac_watch_recompute_bounds(Int which)
{
    Addr lo = ~(Addr)0, hi = 0;
    WordFM *map = ac_watch[which].map;
    UWord key, val;
    VG_(initIterFM)(map);
    while (VG_(nextIterFM)(map, &key, &val)) {
        const ACWatch *w = (const ACWatch *)val;
        if (w->start < lo)
            lo = w->start;
        if (w->end > hi)
            hi = w->end;
    }
    VG_(doneIterFM)(map);
    ac_watch_set_bounds(which, lo, hi);
    ac_watch[which].removed = 0;
}

/* The interval overlapping [a, a + size), if any; else sets the gap. */
static ACWatch *ac_watch_search(ACWatchSet *set, Addr a, UWord size)
{
    UWord kmin, vmin = 0, kmax, vmax = 0, vexact = 0;
    ac_watch_searches++;
    if (!VG_(findBoundsFM)(set->map, &kmin, &vmin, &kmax, &vmax, 0, 0, ~(UWord)0, 0, a)) {
        VG_(lookupFM)(set->map, NULL, &vexact, a); /* a is an interval's start */
        return (ACWatch *)vexact;
    }
    ACWatch *below = (ACWatch *)vmin, *above = (ACWatch *)vmax;
    if (below && below->end > a)
        return below;
    if (above && above->start < a + size)
        return above;
    set->gap_lo = below ? below->end : 0;
    set->gap_hi = above ? above->start : ~(Addr)0;
    return NULL;
}

static ACWatch *ac_watch_find(Int which, Addr a, UWord size)
{
    ACWatchSet *set = &ac_watch[which];
    ACWatch *w = set->hit;
    if (w && a < w->end && a + size > w->start)
        return w;
    if (a >= set->gap_lo && a + size <= set->gap_hi)
        return NULL;
    w = ac_watch_search(set, a, size);
    if (w) {
        ac_watch_found++;
        set->hit = w;
    }
    return w;
}

/* False (not watched) if the range overlaps a watched one: only possible
 * with bogus requests, and the set must stay disjoint. */
static Bool ac_watch_add(Int which, ACProfArray *p)
{
    ACWatchSet *set = &ac_watch[which];
    if (ac_watch_search(set, p->buf_lo, p->buf_hi - p->buf_lo))
        return False;
    ACWatch *w = VG_(malloc)("ac.prof.watch", sizeof *w);
    w->start = p->buf_lo;
    w->end = p->buf_hi;
    w->arr = p;
    VG_(addToFM)(set->map, w->start, (UWord)w);
    set->size++;
    set->gap_lo = set->gap_hi = 0;
    p->flags |= which == AC_W_READS ? AC_P_IN_READS : AC_P_IN_WRITES;
    ULong lo = which == AC_W_READS ? ac_prof_read_lo : ac_prof_write_lo;
    ULong span = which == AC_W_READS ? ac_prof_read_span : ac_prof_write_span;
    if (span == 0) {
        ac_watch_set_bounds(which, p->buf_lo, p->buf_hi);
    } else {
        Addr old_lo = lo + AC_WATCH_MARGIN, old_hi = lo + span;
        ac_watch_set_bounds(which, p->buf_lo < old_lo ? p->buf_lo : old_lo,
                            p->buf_hi > old_hi ? p->buf_hi : old_hi);
    }
    return True;
}

static void ac_watch_remove(Int which, ACProfArray *p)
{
    UChar bit = which == AC_W_READS ? AC_P_IN_READS : AC_P_IN_WRITES;
    if (!(p->flags & bit))
        return;
    p->flags &= ~bit;
    ACWatchSet *set = &ac_watch[which];
    UWord key, val = 0;
    Bool found = VG_(delFromFM)(set->map, &key, &val, p->buf_lo);
    ACWatch *w = (ACWatch *)val;
    tl_assert(found && w && w->arr == p);
    if (set->hit == w)
        set->hit = NULL;
    VG_(free)(w);
    set->size--;
    /* Stale bounds only cost helper calls: shrink them now and then. */
    if (set->size == 0)
        ac_watch_set_bounds(which, 0, 0);
    else if (++set->removed > set->size + 64)
        ac_watch_recompute_bounds(which);
}

/* The creating thread inside the call that made the copy. */
static Bool ac_in_creation(const ACProfArray *p)
{
    return p->creating_tid != 0 && p->creating_tid == VG_(get_running_tid)();
}

VG_REGPARM(2) void ac_prof_load(Addr a, UWord size)
{
    ACWatch *w = ac_watch_find(AC_W_READS, a, size);
    if (!w || ac_in_creation(w->arr))
        return;
    w->arr->flags |= AC_P_READ;
    ac_watch_remove(AC_W_READS, w->arr);
}

VG_REGPARM(2) void ac_prof_store(Addr a, UWord size)
{
    ACWatch *w = ac_watch_find(AC_W_WRITES, a, size);
    if (!w || ac_in_creation(w->arr))
        return;
    w->arr->flags |= AC_P_WRITTEN;
    ac_watch_remove(AC_W_WRITES, w->arr);
}

/* ---- creation windows ------------------------------------------------------------ */

static ACProfArray **ac_windows;
static UInt ac_cap_windows;

static void ac_window_open(ACProfArray *p, ThreadId tid, Addr sp)
{
    if (ac_prof_open_windows == ac_cap_windows) {
        ac_cap_windows = ac_cap_windows ? ac_cap_windows * 2 : 8;
        ac_windows = VG_(realloc)("ac.prof.windows", ac_windows,
                                  ac_cap_windows * sizeof *ac_windows);
    }
    p->creating_tid = tid;
    p->window_sp = sp;
    ac_windows[ac_prof_open_windows++] = p;
}

static void ac_window_close_at(UInt i)
{
    ac_windows[i]->creating_tid = 0;
    ac_windows[i] = ac_windows[--ac_prof_open_windows];
}

static void ac_window_close(ACProfArray *p)
{
    for (UInt i = 0; i < ac_prof_open_windows; i++)
        if (ac_windows[i] == p) {
            ac_window_close_at(i);
            return;
        }
}

VG_REGPARM(1) void ac_prof_sb_entry(Addr sp)
{
    ThreadId tid = VG_(get_running_tid)();
    for (UInt i = 0; i < ac_prof_open_windows;) {
        const ACProfArray *p = ac_windows[i];
        if (p->creating_tid == tid && sp >= p->window_sp)
            ac_window_close_at(i);
        else
            i++;
    }
}

void ac_profile_thread_exit(ThreadId tid)
{
    if (!ac_clo_profile)
        return;
    for (UInt i = 0; i < ac_prof_open_windows;) {
        if (ac_windows[i]->creating_tid == tid)
            ac_window_close_at(i);
        else
            i++;
    }
}

/* ---- snapshots ------------------------------------------------------------------- */

static ULong ac_snap_total(const ACSnap *s)
{
    return s->copy_bytes + s->orig_bytes;
}

static void ac_snap_take(void)
{
    ACSnap s;
    s.time = ac_now();
    s.event = ac_p_event;
    s.copy_bytes = ac_p_copy_bytes;
    s.orig_bytes = ac_p_orig_bytes;
    s.view_bytes = ac_p_view_bytes;
    s.owners = ac_p_owners;
    s.copies = ac_p_copies;
    s.views = ac_p_views;
    if (ac_snap_total(&s) > ac_snap_total(&ac_peak))
        ac_peak = s; /* the first time the maximum is reached */
    if (ac_n_snaps == (ULong)ac_clo_max_snapshots) {
        /* Halve: of each pair keep the one with more bytes. */
        ULong kept = 0;
        for (ULong i = 0; i < ac_n_snaps; i += 2) {
            const ACSnap *a = &ac_snaps[i];
            const ACSnap *b = i + 1 < ac_n_snaps ? &ac_snaps[i + 1] : a;
            ac_snaps[kept++] = ac_snap_total(b) > ac_snap_total(a) ? *b : *a;
        }
        ac_n_snaps = kept;
        ac_n_thinnings++;
    }
    ac_snaps[ac_n_snaps++] = s;
}

/* ---- events ------------------------------------------------------------------------ */

static void ac_bytes_arrived(const ACProfArray *p)
{
    if (p->flags & AC_P_VIEW) {
        ac_p_views++;
        ac_p_view_bytes += p->bytes;
        return;
    }
    ac_p_owners++;
    ac_p_bytes_time += p->bytes;
    if (p->flags & AC_P_COPY) {
        ac_p_copies++;
        ac_p_copy_bytes += p->bytes;
    } else {
        ac_p_orig_bytes += p->bytes;
    }
}

static void ac_bytes_gone(ACProfArray *p, ACProfLoc *at)
{
    if (p->flags & AC_P_VIEW) {
        ac_p_views--;
        ac_p_view_bytes -= p->bytes;
    } else {
        ac_p_owners--;
        ac_p_bytes_time += p->bytes;
        if (p->flags & AC_P_COPY) {
            ac_p_copies--;
            ac_p_copy_bytes -= p->bytes;
        } else {
            ac_p_orig_bytes -= p->bytes;
        }
    }
    p->gone_time = ac_now();
    p->gone_event = ac_p_event;
    p->gone_at = at;
}

void ac_profile_created(ThreadId tid, ACArray *rec)
{
    if (!ac_clo_profile)
        return;
    Addr after_return = 0;
    ACProfLoc *loc = ac_prof_caller(tid, &after_return);
    ACProfArray *p = VG_(malloc)("ac.prof.array", sizeof *p + rec->ndim * sizeof(Long));
    VG_(memset)(p, 0, sizeof *p);
    Bool is_view = (rec->flags & AC_IS_VIEW) != 0;
    p->id = rec->id;
    p->base_id = rec->base_id;
    p->source_id = rec->source_id;
    p->bytes = is_view ? (rec->extent_hi > rec->extent_lo
                              ? (ULong)(rec->extent_hi - rec->extent_lo)
                              : 0)
                       : rec->buffer_bytes;
    p->flags = is_view ? AC_P_VIEW : (rec->flags & AC_IS_COPY) ? AC_P_COPY : 0;
    p->dtype_ix = rec->dtype_ix;
    p->op_ix = rec->op_ix;
    p->ndim = rec->ndim;
    VG_(memcpy)(p->shape, rec->shape, rec->ndim * sizeof(Long));
    p->label = rec->label ? VG_(strdup)("ac.prof.label", rec->label) : NULL;
    p->made_at = loc;
    p->freed_time = p->freed_event = p->gone_time = p->gone_event = AC_NEVER;
    rec->prof = p;

    if (ac_n_parrays == ac_cap_parrays) {
        ac_cap_parrays = ac_cap_parrays ? ac_cap_parrays * 2 : 1024;
        ac_parrays = VG_(realloc)("ac.prof.arrays", ac_parrays,
                                  ac_cap_parrays * sizeof *ac_parrays);
    }
    ac_parrays[ac_n_parrays++] = p;

    ac_p_event++;
    ac_bytes_arrived(p);
    p->made_time = ac_now();
    p->made_event = ac_p_event;

    if ((p->flags & AC_P_COPY) && p->bytes > 0 && rec->buffer != 0 &&
        rec->buffer + p->bytes > rec->buffer) {
        p->buf_lo = rec->buffer;
        p->buf_hi = rec->buffer + p->bytes;
        if (ac_watch_add(AC_W_READS, p)) {
            if (ac_watch_add(AC_W_WRITES, p)) {
                p->flags |= AC_P_WATCHED;
                ac_window_open(p, tid, after_return);
            } else {
                ac_watch_remove(AC_W_READS, p);
            }
        }
    }
    ac_snap_take();
}

void ac_profile_freed(ThreadId tid, ACArray *rec, Bool buffer_gone)
{
    ACProfArray *p = rec->prof;
    if (!ac_clo_profile || !p)
        return;
    ACProfLoc *loc = ac_prof_caller(tid, NULL);
    ac_window_close(p);
    ac_watch_remove(AC_W_READS, p);
    ac_watch_remove(AC_W_WRITES, p);
    ac_p_event++;
    p->freed_time = ac_now();
    p->freed_event = ac_p_event;
    p->freed_at = loc;
    if (buffer_gone || (p->flags & AC_P_VIEW)) {
        ac_bytes_gone(p, loc);
        rec->prof = NULL;
    }
    ac_snap_take();
}

void ac_profile_released(ThreadId tid, ACArray *owner)
{
    ACProfArray *p = owner->prof;
    if (!ac_clo_profile || !p)
        return;
    ACProfLoc *loc = ac_prof_caller(tid, NULL);
    ac_p_event++;
    ac_bytes_gone(p, loc);
    owner->prof = NULL;
    ac_snap_take();
}

void ac_profile_labelled(ACArray *rec)
{
    ACProfArray *p = rec->prof;
    if (!ac_clo_profile || !p)
        return;
    if (p->label)
        VG_(free)(p->label);
    p->label = rec->label ? VG_(strdup)("ac.prof.label", rec->label) : NULL;
}

/* COPIED: the owner is a copy of source_id from now on (its bytes were
 * already counted when it was made: no second record). */
void ac_profile_copied(ACArray *rec)
{
    ACProfArray *p = rec->prof;
    if (!ac_clo_profile || !p)
        return;
    p->flags |= AC_P_COPY;
    p->source_id = rec->source_id;
    p->op_ix = rec->op_ix;
}

/* ---- the JSON file ------------------------------------------------------------------ */

/* A buffered writer that remembers whether any write failed. */
typedef struct {
    Int fd;
    Bool failed;
    Int n;
    HChar buf[16384];
} ACOut;

static void ac_out_flush(ACOut *o)
{
    for (Int done = 0; done < o->n && !o->failed;) {
        Int w = VG_(write)(o->fd, o->buf + done, o->n - done);
        if (w <= 0)
            o->failed = True;
        else
            done += w;
    }
    o->n = 0;
}

static void ac_out(ACOut *o, const HChar *fmt, ...) PRINTF_CHECK(2, 3);
static void ac_out(ACOut *o, const HChar *fmt, ...)
{
    HChar piece[8192];
    va_list ap;
    va_start(ap, fmt);
    Int len = (Int)VG_(vsnprintf)(piece, sizeof piece, fmt, ap);
    va_end(ap);
    if (len > (Int)sizeof piece - 1)
        len = (Int)sizeof piece - 1;
    if (o->n + len > (Int)sizeof o->buf)
        ac_out_flush(o);
    VG_(memcpy)(o->buf + o->n, piece, len);
    o->n += len;
}

/* A JSON string (null for NULL); bytes that are not UTF-8 become U+FFFD. */
static void ac_json_str(ACOut *f, const HChar *s)
{
    if (!s) {
        ac_out(f, "null");
        return;
    }
    ac_out(f, "\"");
    for (const UChar *u = (const UChar *)s; *u;) {
        UChar c = *u;
        if (c == '"' || c == '\\') {
            ac_out(f, "\\%c", c);
            u++;
        } else if (c < 0x20 || c == 0x7F) {
            ac_out(f, "\\u%04x", c);
            u++;
        } else if (c < 0x80) {
            ac_out(f, "%c", c);
            u++;
        } else {
            Int n = ac_utf8_seq(u); /* 0 also for C1 controls */
            if (n == 0) {
                ac_out(f, "\\ufffd");
                u++;
            } else {
                for (Int i = 0; i < n; i++)
                    ac_out(f, "%c", u[i]);
                u += n;
            }
        }
    }
    ac_out(f, "\"");
}

static void ac_json_loc_fields(ACOut *f, const ACProfLoc *l)
{
    ac_out(f, "\"file\": ");
    ac_json_str(f, l ? l->file : NULL);
    ac_out(f, ", \"line\": ");
    if (l && l->file)
        ac_out(f, "%u", l->line);
    else
        ac_out(f, "null");
    ac_out(f, ", \"fn\": ");
    ac_json_str(f, l ? l->fn : NULL);
    ac_out(f, ", \"dir\": ");
    ac_json_str(f, l && l->file ? l->dir : NULL);
}

static void ac_json_event(ACOut *f, const HChar *name, ULong time, ULong event,
                          const ACProfLoc *at)
{
    ac_out(f, ", \"%s\": ", name);
    if (event == AC_NEVER) {
        ac_out(f, "null");
        return;
    }
    ac_out(f, "{\"time\": %llu, \"event\": %llu, ", time, event);
    ac_json_loc_fields(f, at);
    ac_out(f, "}");
}

static const HChar *ac_kind_name(const ACProfArray *p)
{
    return (p->flags & AC_P_VIEW) ? "view" : (p->flags & AC_P_COPY) ? "copy" : "original";
}

static void ac_json_bool_or_null(ACOut *f, Bool known, Bool value)
{
    ac_out(f, "%s", !known ? "null" : value ? "true" : "false");
}

/* One array; brief: what the peak list needs. */
static void ac_json_array(ACOut *f, const ACProfArray *p, Bool brief)
{
    ac_out(f, "{\"id\": %llu, \"kind\": \"%s\", \"is_copy\": %s, \"op\": ", p->id,
                 ac_kind_name(p), (p->flags & AC_P_COPY) ? "true" : "false");
    ac_json_str(f, ac_interned(p->op_ix));
    ac_out(f, ", \"dtype\": ");
    ac_json_str(f, ac_interned(p->dtype_ix));
    ac_out(f, ", \"shape\": [");
    for (Int i = 0; i < p->ndim; i++)
        ac_out(f, "%s%lld", i ? ", " : "", p->shape[i]);
    ac_out(f, "], \"bytes\": %llu, \"base_id\": %llu, \"source_id\": ", p->bytes,
                 p->base_id);
    if (p->source_id)
        ac_out(f, "%llu", p->source_id);
    else
        ac_out(f, "null");
    ac_out(f, ", \"label\": ");
    ac_json_str(f, p->label);
    if (brief) {
        ac_out(f, ", ");
        ac_json_loc_fields(f, p->made_at);
        ac_out(f, "}");
        return;
    }
    ac_json_event(f, "made", p->made_time, p->made_event, p->made_at);
    ac_json_event(f, "freed", p->freed_time, p->freed_event, p->freed_at);
    /* Only when the bytes outlived the handle (quarantine for orphans). */
    if (!(p->flags & AC_P_VIEW) && p->gone_event != p->freed_event)
        ac_json_event(f, "released", p->gone_time, p->gone_event, p->gone_at);
    Bool watched = (p->flags & AC_P_WATCHED) != 0;
    ac_out(f, ", \"written_after_made\": ");
    ac_json_bool_or_null(f, watched, (p->flags & AC_P_WRITTEN) != 0);
    ac_out(f, ", \"read\": ");
    ac_json_bool_or_null(f, watched, (p->flags & AC_P_READ) != 0);
    ac_out(f, "}");
}

static void ac_json_snap_fields(ACOut *f, const ACSnap *s)
{
    ac_out(f,
                 "\"time\": %llu, \"event\": %llu, \"total_bytes\": %llu, \"copy_bytes\": %llu, "
                 "\"original_bytes\": %llu, \"owners\": %llu, \"copies\": %llu, \"views\": %llu, "
                 "\"view_bytes\": %llu",
                 s->time, s->event, ac_snap_total(s), s->copy_bytes, s->orig_bytes, s->owners,
                 s->copies, s->views, s->view_bytes);
}

static Bool ac_live_at(const ACProfArray *p, ULong event)
{
    return p->made_event <= event && (p->gone_event == AC_NEVER || p->gone_event > event);
}

static void ac_json_command(ACOut *f)
{
    HChar cmd[4096];
    Int n = VG_(snprintf)(cmd, sizeof cmd, "%s", VG_(args_the_exename) ? VG_(args_the_exename) : "");
    for (Word i = 0; VG_(args_for_client) && i < VG_(sizeXA)(VG_(args_for_client)); i++) {
        const HChar *arg = *(HChar **)VG_(indexXA)(VG_(args_for_client), i);
        if (n < (Int)sizeof cmd - 1)
            n += VG_(snprintf)(cmd + n, sizeof cmd - n, " %s", arg);
    }
    ac_json_str(f, cmd);
}

static void ac_profile_write(const HChar *path)
{
    /* A regular file is written under a temporary name and renamed when
     * complete, so a failed write never leaves a truncated file under the
     * final name nor destroys the previous one.  Anything else that exists
     * (a device such as /dev/full, a FIFO) is written in place. */
    HChar tmp[VG_(strlen)(path) + 32];
    struct vg_stat st;
    SysRes exists = VG_(stat)(path, &st);
    Bool in_place = !sr_isError(exists) && !VKI_S_ISREG(st.mode);
    VG_(snprintf)(tmp, sizeof tmp, "%s.tmp.%d", path, VG_(getpid)());
    if (in_place)
        VG_(strcpy)(tmp, path);
    SysRes sr = VG_(open)(tmp, VKI_O_CREAT | VKI_O_TRUNC | VKI_O_WRONLY,
                          VKI_S_IRUSR | VKI_S_IWUSR | VKI_S_IRGRP | VKI_S_IROTH);
    if (sr_isError(sr)) {
        VG_(umsg)("arrcheck: cannot create the profile file '%s'\n", path);
        return;
    }
    ACOut out = { .fd = (Int)sr_Res(sr) };
    ACOut *f = &out;
    ac_out(f, "{\"format\": \"arrcheck-profile\", \"version\": 1,\n \"command\": ");
    ac_json_command(f);
    ac_out(f, ",\n \"pid\": %d, \"time_unit\": \"%s\", \"time_unit_name\": \"%s\",\n",
                 VG_(getpid)(), ac_clo_time_unit == AC_TIME_BYTES ? "B" : "i",
                 ac_clo_time_unit == AC_TIME_BYTES ? "bytes allocated and released"
                                                   : "instructions");
    ac_out(f, " \"end_time\": %llu, \"events\": %llu, \"max_snapshots\": %lld, "
                    "\"thinned\": %s,\n",
                 ac_now(), ac_p_event, ac_clo_max_snapshots, ac_n_thinnings ? "true" : "false");

    ac_out(f, " \"peak\": {");
    ac_json_snap_fields(f, &ac_peak);
    ac_out(f, ",\n  \"live\": [");
    Bool first = True;
    for (ULong i = 0; i < ac_n_parrays; i++) {
        const ACProfArray *p = ac_parrays[i];
        if (!ac_live_at(p, ac_peak.event))
            continue;
        ac_out(f, "%s\n   ", first ? "" : ",");
        ac_json_array(f, p, True);
        first = False;
    }
    ac_out(f, "]},\n \"snapshots\": [");
    for (ULong i = 0; i < ac_n_snaps; i++) {
        ac_out(f, "%s\n  {", i ? "," : "");
        ac_json_snap_fields(f, &ac_snaps[i]);
        ac_out(f, "}");
    }
    ac_out(f, "],\n \"arrays\": [");
    for (ULong i = 0; i < ac_n_parrays; i++) {
        ac_out(f, "%s\n  ", i ? "," : "");
        ac_json_array(f, ac_parrays[i], False);
    }
    ac_out(f, "]}\n");
    ac_out_flush(f);
    VG_(close)(f->fd);
    if (in_place ? f->failed : (f->failed || VG_(rename)(tmp, path) != 0)) {
        if (!in_place)
            VG_(unlink)(tmp);
        VG_(umsg)("arrcheck: error: writing the profile file '%s' failed%s; "
                  "no profile written\n", path, f->failed ? " (disk full?)" : "");
    }
}

/* ---- start and end ------------------------------------------------------------------ */

void ac_profile_post_clo_init(void)
{
    if (!ac_clo_profile)
        return;
    ac_snaps = VG_(malloc)("ac.prof.snaps", (SizeT)ac_clo_max_snapshots * sizeof *ac_snaps);
    for (Int i = 0; i < 2; i++)
        ac_watch[i].map = VG_(newFM)(VG_(malloc), "ac.prof.watch", VG_(free), NULL);
    ac_snap_take(); /* time 0: nothing */
}

void ac_profile_fini(void)
{
    if (!ac_clo_profile)
        return;
    ac_snap_take(); /* the end of the timeline */
    HChar *path = VG_(expand_file_name)("--arrcheck-out-file", ac_clo_profile_out);
    ac_profile_write(path);
    if (VG_(clo_verbosity) > 1)
        VG_(umsg)("arrcheck: profile written to %s\n", path);
    VG_(free)(path);
}

void ac_profile_print_stats(void)
{
    if (!ac_clo_profile)
        return;
    VG_(umsg)("arrcheck: profile: %llu arrays, %llu events, %llu snapshots (%llu thinnings), "
              "%llu code locations\n",
              ac_n_parrays, ac_p_event, ac_n_snaps, ac_n_thinnings, ac_n_locs);
    VG_(umsg)("arrcheck: profile: %llu watch searches, %llu found a copy\n",
              ac_watch_searches, ac_watch_found);
}
