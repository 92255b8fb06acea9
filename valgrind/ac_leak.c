/* ac_leak.c - which never-freed arrays are still reachable, and the report.
 *
 * Reachability is memcheck's, over the client's heap blocks (ac_heap.c):
 * roots are the non-heap writable memory and registers of the live
 * threads, heap blocks count once reached, and an array is still reachable
 * when its handle's block is (the rule in full above ac_scan below).
 * Unreached handles are "lost", reached ones "still reachable".
 */
#include "pub_tool_basics.h"
#include "pub_tool_aspacemgr.h"
#include "pub_tool_debuginfo.h"
#include "pub_tool_gdbserver.h"
#include "pub_tool_libcassert.h"
#include "pub_tool_libcbase.h"
#include "pub_tool_libcprint.h"
#include "pub_tool_libcsetjmp.h"
#include "pub_tool_libcsignal.h"
#include "pub_tool_machine.h"
#include "pub_tool_mallocfree.h"
#include "pub_tool_options.h"
#include "pub_tool_signals.h"
#include "pub_tool_stacktrace.h"
#include "pub_tool_threadstate.h"
#include "pub_tool_vki.h"
#include "pub_tool_wordfm.h"

#include "ac_include.h"

/* ---- options -------------------------------------------------------------- */

/* full by default: reporting where leaked arrays were made is the point of
 * the tool (memcheck defaults to summary because its full report is long;
 * array leaks are few and each needs its stack to be fixed). */
static Int ac_clo_leak_check = AC_LEAK_CHECK_FULL;
static UInt ac_clo_show_leak_kinds = 1u << AC_REACH_LOST;
static Bool ac_clo_trace_reach = False;

Bool ac_leak_process_option(const HChar *arg)
{
    if VG_XACT_CLO (arg, "--leak-check=no", ac_clo_leak_check, AC_LEAK_CHECK_NO) {
    } else if VG_XACT_CLO (arg, "--leak-check=summary", ac_clo_leak_check,
                           AC_LEAK_CHECK_SUMMARY) {
    } else if VG_XACT_CLO (arg, "--leak-check=full", ac_clo_leak_check, AC_LEAK_CHECK_FULL) {
    } else if VG_XACT_CLO (arg, "--leak-check=yes", ac_clo_leak_check, AC_LEAK_CHECK_FULL) {
    } else if (VG_USET_CLO(arg, "--show-leak-kinds", "lost,reachable", ac_clo_show_leak_kinds)) {
    } else if VG_BOOL_CLO (arg, "--trace-reach", ac_clo_trace_reach) {
    } else {
        return False;
    }
    return True;
}

/* ---- ignored ranges (ARRCHECK_IGNORE_RANGE) -------------------------------- */

/* start -> len, O(log n) per request; the scan walks them in order. */
static WordFM *ac_ignored;

Bool ac_ignore_range(Addr start, SizeT len)
{
    if (len != 0 && start + len < start)
        return False;
    if (!ac_ignored)
        ac_ignored = VG_(newFM)(VG_(malloc), "ac.ignored", VG_(free), NULL);
    UWord key, val;
    if (len == 0)
        VG_(delFromFM)(ac_ignored, &key, &val, start);
    else
        VG_(addToFM)(ac_ignored, start, len); /* replaces the length of a known start */
    return True;
}

static ULong ac_n_ignored(void)
{
    return ac_ignored ? VG_(sizeFM)(ac_ignored) : 0;
}

/* ---- the scan ---------------------------------------------------------------
 *
 * memcheck's rule (mc_leakcheck.c), over the heap blocks of ac_heap.c plus
 * the handles that lie in no heap block (a library's static or mmap'd
 * handles):
 *   roots: the readable and writable client mappings that are not client
 *          heap (data, bss, stacks, mmaps, the brk heap of a program whose
 *          malloc was not replaced), minus dead stack ranges, ignored
 *          ranges and those handles themselves; the live threads' registers;
 *   a word pointing to a block's start, found in a root or in a block that
 *          is itself reachable, makes the block reachable; a word pointing
 *          inside it, or found in a block reached only that way, makes it
 *          "possibly" reachable (memcheck: possibly lost); each block is
 *          scanned once reached, possibly-reached ones too;
 *   blocks never reached are lost (memcheck: definitely lost, or indirectly
 *          when a lost block points to them).
 * An array is still reachable when the block holding its handle (or the
 * handle itself) is reachable, else lost: memcheck's definitely, indirectly
 * and possibly lost are all "lost" here.  In a block holding a handle only
 * a pointer to the array's own owner counts among pointers to handles (a
 * view's base); the library's other handle-to-handle links (an owner's list
 * of views, siblings) are bookkeeping. */

enum { AC_UNREACHED = 0, AC_POSSIBLE = 1, AC_REACHABLE = 2 };

static ACArray **ac_sorted;   /* live records by handle address */
static ULong ac_n_sorted;
static Long *ac_rec_block;    /* per ac_sorted entry: its heap block, or -1 */
static UChar *ac_rec_state;   /* per ac_sorted entry outside the heap */
static ACArray **ac_loose;    /* the records outside heap blocks, by handle */
static ULong ac_n_loose;
static Addr ac_handles_min, ac_handles_max;

static ACHeapBlock *ac_blocks; /* live heap blocks by start */
static ULong ac_n_blocks;
static UChar *ac_block_state;
static ACArray **ac_block_rec; /* the handle in a block, or NULL */
static Addr ac_blocks_min, ac_blocks_max;

/* reached, not yet scanned: block index * 2, or ac_sorted index * 2 + 1 */
static UWord *ac_work;
static ULong ac_n_work, ac_cap_work;

/* What the words being scanned are in. */
static Bool ac_from_definite;          /* a root or a reachable block */
static const ACArray *ac_from_handle;  /* a block or handle holding this array */

typedef struct { Addr lo, hi; } ACSpan;
static ACSpan *ac_excluded;
static ULong ac_n_excluded;

/* LSD radix sort of records by handle address, 11 bits a pass: a million
 * records sort in milliseconds (a comparison sort took most of the exit
 * report's second). */
static void ac_sort_by_handle(ACArray **recs, ULong n)
{
    enum { BITS = 11, BUCKETS = 1 << BITS };
    Addr all_bits = 0;
    for (ULong i = 0; i < n; i++)
        all_bits |= recs[i]->handle;
    ACArray **tmp = VG_(malloc)("ac.scan.radix", (n ? n : 1) * sizeof *tmp);
    ULong *count = VG_(malloc)("ac.scan.radix", BUCKETS * sizeof *count);
    for (UInt shift = 0; shift < 64 && (all_bits >> shift) != 0; shift += BITS) {
        VG_(memset)(count, 0, BUCKETS * sizeof *count);
        for (ULong i = 0; i < n; i++)
            count[(recs[i]->handle >> shift) & (BUCKETS - 1)]++;
        ULong sum = 0;
        for (UInt b = 0; b < BUCKETS; b++) {
            ULong c = count[b];
            count[b] = sum;
            sum += c;
        }
        for (ULong i = 0; i < n; i++)
            tmp[count[(recs[i]->handle >> shift) & (BUCKETS - 1)]++] = recs[i];
        VG_(memcpy)(recs, tmp, n * sizeof *recs);
    }
    VG_(free)(count);
    VG_(free)(tmp);
}

static Int ac_cmp_interval(const void *a, const void *b)
{
    const ACSpan *x = a, *y = b;
    return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* --trace-reach: says where the pointer to rec was, and if it sits just
 * past a handle (the malloc slack of a handle), which one; possibly: by an
 * interior pointer or from a block reached only so. */
static void ac_trace_reached(const ACArray *rec, Addr where, Bool possibly)
{
    const HChar *how = possibly ? " (possibly)" : "";
    const ACArray *below = NULL;
    ULong lo = 0, hi = ac_n_sorted;
    while (lo < hi) {
        ULong mid = lo + (hi - lo) / 2;
        if (ac_sorted[mid]->handle <= where)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (where && lo > 0)
        below = ac_sorted[lo - 1];
    if (below && where - below->handle < 4096)
        VG_(umsg)("arrcheck: #%llu reached from %#lx (handle of #%llu + %lu)%s\n", rec->id,
                  where, below->id, where - below->handle, how);
    else
        VG_(umsg)("arrcheck: #%llu reached from %s %#lx%s\n", rec->id,
                  where ? "address" : "a register", where, how);
}

static Long ac_find_block(Addr w)
{
    ULong lo = 0, hi = ac_n_blocks;
    while (lo < hi) { /* the first block starting after w */
        ULong mid = lo + (hi - lo) / 2;
        if (ac_blocks[mid].start <= w)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return -1;
    const ACHeapBlock *b = &ac_blocks[lo - 1];
    return w < b->start + b->size || w == b->start ? (Long)(lo - 1) : -1;
}

static Long ac_find_sorted(Addr w)
{
    ULong lo = 0, hi = ac_n_sorted;
    while (lo < hi) {
        ULong mid = lo + (hi - lo) / 2;
        if (ac_sorted[mid]->handle < w)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < ac_n_sorted && ac_sorted[lo]->handle == w ? (Long)lo : -1;
}

/* May a word in the block being scanned reach target's handle? */
static Bool ac_link_counts(const ACArray *target)
{
    const ACArray *from = ac_from_handle;
    if (!target || !from || target == from)
        return True;
    if (from->base_id == from->id)
        return False; /* an owner's links to its views */
    const ACArray *owner = from->owner ? from->owner : ac_lookup_id(from->base_id);
    return target == owner;
}

static void ac_push(UWord entry)
{
    if (ac_n_work == ac_cap_work) {
        ac_cap_work = ac_cap_work ? 2 * ac_cap_work : 256;
        ac_work = VG_(realloc)("ac.scan.work", ac_work, ac_cap_work * sizeof *ac_work);
    }
    ac_work[ac_n_work++] = entry;
}

/* where: the address holding w (0 for a register), for --trace-reach. */
static inline void ac_scan_word(UWord w, Addr where)
{
    if (w >= ac_blocks_min && w < ac_blocks_max) {
        Long b = ac_find_block(w);
        if (b >= 0) {
            if (!ac_link_counts(ac_block_rec[b]))
                return;
            UChar st = ac_from_definite && w == ac_blocks[b].start ? AC_REACHABLE : AC_POSSIBLE;
            if (ac_block_state[b] < st) {
                ac_block_state[b] = st;
                ac_push((UWord)b * 2);
                if (ac_clo_trace_reach && ac_block_rec[b])
                    ac_trace_reached(ac_block_rec[b], where, st == AC_POSSIBLE);
            }
            return;
        }
    }
    if (w < ac_handles_min || w >= ac_handles_max)
        return;
    /* A handle outside the heap is reached by a pointer to its start (as
     * arr_t * values are). */
    Long i = ac_find_sorted(w);
    if (i < 0 || ac_rec_block[i] >= 0 || !ac_link_counts(ac_sorted[i]))
        return;
    UChar st = ac_from_definite ? AC_REACHABLE : AC_POSSIBLE;
    if (ac_rec_state[i] < st) {
        ac_rec_state[i] = st;
        ac_push((UWord)i * 2 + 1);
        if (ac_clo_trace_reach)
            ac_trace_reached(ac_sorted[i], where, st == AC_POSSIBLE);
    }
}

static VG_MINIMAL_JMP_BUF(ac_fault_jmp);
/* The signal mask before the scan: leaving the signal handler by longjmp
 * leaves the faulting signal blocked, and a second fault with SIGSEGV or
 * SIGBUS blocked kills the process, report and all.  Put back after each
 * caught fault (as memcheck does). */
static vki_sigset_t ac_scan_sigmask;
static ULong ac_n_faults;

static void ac_fault_catcher(Int sig, Addr addr)
{
    (void)addr;
    if (sig == VKI_SIGSEGV || sig == VKI_SIGBUS)
        VG_MINIMAL_LONGJMP(ac_fault_jmp);
    VG_(tool_panic)("arrcheck: unexpected signal during the leak scan");
}

/* Scans [lo, hi) word by word, page by page: a page that faults (a file
 * mapping past its end, say) is skipped. */
static void ac_scan_plain(Addr lo, Addr hi)
{
    static volatile Addr page_end; /* survives the longjmp */
    volatile Addr cur = VG_ROUNDUP(lo, sizeof(UWord));
    while (cur + sizeof(UWord) <= hi) {
        Addr end = VG_PGROUNDDN(cur) + VKI_PAGE_SIZE;
        page_end = end < hi ? end : hi;
        if (VG_MINIMAL_SETJMP(ac_fault_jmp) == 0) {
            Addr stop = page_end;
            for (Addr p = cur; p + sizeof(UWord) <= stop; p += sizeof(UWord))
                ac_scan_word(*(const UWord *)p, p);
        } else {
            VG_(sigprocmask)(VKI_SIG_SETMASK, &ac_scan_sigmask, NULL);
            ac_n_faults++;
        }
        cur = page_end;
    }
}

/* Scans [lo, hi) minus the handles outside the heap (sorted by address). */
static void ac_scan_minus_handles(Addr lo, Addr hi)
{
    ULong a = 0, b = ac_n_loose;
    while (a < b) { /* first handle ending after lo */
        ULong mid = a + (b - a) / 2;
        if (ac_loose[mid]->handle + ac_loose[mid]->handle_bytes <= lo)
            a = mid + 1;
        else
            b = mid;
    }
    Addr cur = lo;
    for (ULong i = a; i < ac_n_loose && cur < hi; i++) {
        Addr h = ac_loose[i]->handle, end = h + ac_loose[i]->handle_bytes;
        if (h >= hi)
            break;
        if (h > cur)
            ac_scan_plain(cur, h);
        if (end > cur)
            cur = end;
    }
    if (cur < hi)
        ac_scan_plain(cur, hi);
}

/* Scans [lo, hi) minus the excluded intervals (sorted, disjoint) and the
 * handles outside the heap. */
static void ac_scan_range(Addr lo, Addr hi)
{
    Addr cur = lo;
    ULong first = 0, last = ac_n_excluded;
    while (first < last) { /* the first excluded interval ending after lo */
        ULong mid = first + (last - first) / 2;
        if (ac_excluded[mid].hi <= lo)
            first = mid + 1;
        else
            last = mid;
    }
    for (ULong i = first; i < ac_n_excluded && cur < hi; i++) {
        if (ac_excluded[i].hi <= cur)
            continue;
        if (ac_excluded[i].lo >= hi)
            break;
        if (ac_excluded[i].lo > cur)
            ac_scan_minus_handles(cur, ac_excluded[i].lo);
        cur = ac_excluded[i].hi;
    }
    if (cur < hi)
        ac_scan_minus_handles(cur, hi);
}

/* A reached block or handle: its words, minus dead stack (a heap stack)
 * and ignored ranges. */
static void ac_scan_reached(UWord entry)
{
    if (entry & 1) {
        ULong i = entry >> 1;
        const ACArray *rec = ac_sorted[i];
        ac_from_definite = ac_rec_state[i] == AC_REACHABLE;
        ac_from_handle = rec;
        if (ac_client_readable(rec->handle, rec->handle_bytes))
            ac_scan_plain(rec->handle, rec->handle + rec->handle_bytes);
    } else {
        ULong b = entry >> 1;
        ac_from_definite = ac_block_state[b] == AC_REACHABLE;
        ac_from_handle = ac_block_rec[b];
        ac_scan_range(ac_blocks[b].start, ac_blocks[b].start + ac_blocks[b].size);
    }
}

static void ac_scan_register(ThreadId tid, const HChar *name, UWord value)
{
    (void)tid, (void)name;
    ac_scan_word(value, 0);
}

static void ac_collect_live(ACArray *rec, void *opaque)
{
    (void)opaque;
    rec->flags &= (UChar)~AC_REACHED;
    ac_sorted[ac_n_sorted++] = rec;
}

static void ac_add_excluded(Addr lo, Addr hi, ULong *cap)
{
    if (hi <= lo)
        return;
    if (ac_n_excluded == *cap) {
        *cap = *cap ? *cap * 2 : 64;
        ac_excluded = VG_(realloc)("ac.excluded", ac_excluded, *cap * sizeof *ac_excluded);
    }
    ac_excluded[ac_n_excluded].lo = lo;
    ac_excluded[ac_n_excluded].hi = hi;
    ac_n_excluded++;
}

static void ac_add_dead_stack(Addr lo, Addr hi, void *opaque)
{
    ac_add_excluded(lo, hi, opaque);
}

/* Marks AC_REACHED on every live record that is still reachable.  The
 * caller frees the arrays with ac_scan_done(). */
static void ac_scan(void)
{
    ULong n = ac_live_count(), cap = ac_n_ignored() + 64;
    ac_sorted = VG_(malloc)("ac.scan.sorted", (n ? n : 1) * sizeof *ac_sorted);
    ac_rec_block = VG_(malloc)("ac.scan.recblock", (n ? n : 1) * sizeof *ac_rec_block);
    ac_rec_state = VG_(calloc)("ac.scan.recstate", n ? n : 1, sizeof *ac_rec_state);
    ac_loose = VG_(malloc)("ac.scan.loose", (n ? n : 1) * sizeof *ac_loose);
    ac_blocks = NULL;
    ac_block_state = NULL;
    ac_block_rec = NULL;
    ac_work = NULL;
    ac_excluded = VG_(malloc)("ac.scan.excluded", cap * sizeof *ac_excluded);
    ac_n_sorted = ac_n_work = ac_cap_work = ac_n_excluded = ac_n_loose = ac_n_blocks = 0;
    ac_for_each_live(ac_collect_live, NULL);
    if (n == 0)
        return;
    ac_sort_by_handle(ac_sorted, n);
    ac_handles_min = ac_sorted[0]->handle;
    ac_handles_max = ac_sorted[n - 1]->handle + 1;

    ac_blocks = ac_heap_blocks(&ac_n_blocks);
    ac_block_state = VG_(calloc)("ac.scan.blockstate", ac_n_blocks ? ac_n_blocks : 1, 1);
    ac_block_rec = VG_(calloc)("ac.scan.blockrec", ac_n_blocks ? ac_n_blocks : 1,
                               sizeof *ac_block_rec);
    ac_blocks_min = ac_n_blocks ? ac_blocks[0].start : 0;
    ac_blocks_max = ac_n_blocks ? ac_blocks[ac_n_blocks - 1].start +
                                      ac_blocks[ac_n_blocks - 1].size + 1 : 0;
    for (ULong i = 0; i < n; i++) {
        Long b = ac_find_block(ac_sorted[i]->handle);
        ac_rec_block[i] = b;
        if (b < 0)
            ac_loose[ac_n_loose++] = ac_sorted[i];
        else if (!ac_block_rec[b])
            ac_block_rec[b] = ac_sorted[i];
    }

    if (ac_ignored) {
        UWord start, len;
        VG_(initIterFM)(ac_ignored);
        while (VG_(nextIterFM)(ac_ignored, &start, &len))
            ac_add_excluded(start, start + len, &cap);
        VG_(doneIterFM)(ac_ignored);
    }

    /* Stack memory popped off a stack holds stale words: not a root
     * (ac_stacks.c says which). */
    ac_stacks_dead(ac_add_dead_stack, &cap, ac_clo_trace_reach);
    VG_(ssort)(ac_excluded, ac_n_excluded, sizeof *ac_excluded, ac_cmp_interval);
    /* Merged into disjoint intervals, so their ends grow too and each
     * segment finds its first one by binary search. */
    ULong m = 0;
    for (ULong i = 0; i < ac_n_excluded; i++) {
        if (m > 0 && ac_excluded[i].lo <= ac_excluded[m - 1].hi) {
            if (ac_excluded[i].hi > ac_excluded[m - 1].hi)
                ac_excluded[m - 1].hi = ac_excluded[i].hi;
        } else {
            ac_excluded[m++] = ac_excluded[i];
        }
    }
    ac_n_excluded = m;

    VG_(sigprocmask)(VKI_SIG_SETMASK, NULL, &ac_scan_sigmask);
    fault_catcher_t prev = VG_(set_fault_catcher)(ac_fault_catcher);
    /* Asks with a guess, then with the size the first answer gives. */
    Int cap_segs = 256, n_segs;
    Addr *starts;
    for (;;) {
        starts = VG_(malloc)("ac.scan.segs", cap_segs * sizeof(Addr));
        n_segs = VG_(am_get_segment_starts)(SkFileC | SkAnonC | SkShmC, starts, cap_segs);
        if (n_segs >= 0)
            break;
        VG_(free)(starts);
        cap_segs = -n_segs + 16;
    }
    ac_from_definite = True;
    ac_from_handle = NULL;
    for (Int i = 0; i < n_segs; i++) {
        const NSegment *seg = VG_(am_find_nsegment)(starts[i]);
        if (!seg || !seg->hasR || !seg->hasW || seg->isCH)
            continue; /* read-only memory and the client heap are no roots */
        if (seg->kind == SkFileC && (VKI_S_ISCHR(seg->mode) || VKI_S_ISBLK(seg->mode)))
            continue; /* device memory: reading it may have side effects */
        ac_scan_range(seg->start, seg->end + 1);
    }
    VG_(free)(starts);
    VG_(apply_to_GP_regs)(ac_scan_register); /* none left at exit */

    while (ac_n_work > 0)
        ac_scan_reached(ac_work[--ac_n_work]);
    VG_(set_fault_catcher)(prev);

    for (ULong i = 0; i < n; i++) {
        UChar st = ac_rec_block[i] >= 0 ? ac_block_state[ac_rec_block[i]] : ac_rec_state[i];
        if (st == AC_REACHABLE)
            ac_sorted[i]->flags |= AC_REACHED;
    }
}

static void ac_scan_done(void)
{
    VG_(free)(ac_sorted);
    VG_(free)(ac_rec_block);
    VG_(free)(ac_rec_state);
    VG_(free)(ac_loose);
    if (ac_blocks)
        VG_(free)(ac_blocks);
    if (ac_block_state)
        VG_(free)(ac_block_state);
    if (ac_block_rec)
        VG_(free)(ac_block_rec);
    if (ac_work)
        VG_(free)(ac_work);
    VG_(free)(ac_excluded);
    ac_sorted = ac_loose = ac_block_rec = NULL;
    ac_rec_block = NULL;
    ac_rec_state = ac_block_state = NULL;
    ac_blocks = NULL;
    ac_work = NULL;
    ac_excluded = NULL;
}

/* ---- loss records ------------------------------------------------------------ */

static ACErrorKind ac_leak_kind(const ACArray *rec)
{
    return (rec->flags & AC_IS_VIEW)   ? AC_ERR_LEAKED_VIEW
           : (rec->flags & AC_IS_COPY) ? AC_ERR_LEAKED_COPY
                                       : AC_ERR_LEAKED_ARRAY;
}

typedef struct {
    ACErrorKind kind;
    Bool reachable;
    ULong count, bytes;
    const ACArray *example; /* lowest id of the group */
} ACLossRecord;

static Int ac_cmp_loss(const void *a, const void *b)
{
    const ACLossRecord *x = a, *y = b;
    if (x->bytes != y->bytes)
        return x->bytes < y->bytes ? -1 : 1;
    if (x->count != y->count)
        return x->count < y->count ? -1 : 1;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    return x->example->id < y->example->id ? -1 : x->example->id > y->example->id;
}

typedef struct {
    ULong arrays[2], bytes[2];   /* [reachable] */
    ULong supp_arrays, supp_bytes;
    ULong copies, copy_bytes;
    ULong shown;
} ACLeakTotals;

/* Groups the scanned records into loss records with a small open-address
 * hash on (kind, reachable, creation stack): no sort of a million records. */
static ACLossRecord *ac_make_loss_records(ULong *n_out)
{
    ULong cap = 64, nl = 0;
    ACLossRecord *lr = VG_(malloc)("ac.loss", cap * sizeof *lr);
    ULong nslots = 128;
    Int *slots = VG_(malloc)("ac.loss.slots", nslots * sizeof *slots);
    VG_(memset)(slots, 0xff, nslots * sizeof *slots);
    for (ULong i = 0; i < ac_n_sorted; i++) {
        const ACArray *rec = ac_sorted[i];
        ACErrorKind kind = ac_leak_kind(rec);
        Bool reach = (rec->flags & AC_REACHED) != 0;
        UWord h = ((UWord)rec->made_at * 0x9E3779B97F4A7C15ULL) ^ ((UWord)kind << 1) ^ reach;
        ULong s = (h >> 17) & (nslots - 1);
        while (slots[s] >= 0 && !(lr[slots[s]].kind == kind && lr[slots[s]].reachable == reach &&
                                  lr[slots[s]].example->made_at == rec->made_at))
            s = (s + 1) & (nslots - 1);
        if (slots[s] < 0) {
            if (nl == cap) {
                cap *= 2;
                lr = VG_(realloc)("ac.loss", lr, cap * sizeof *lr);
            }
            lr[nl].kind = kind;
            lr[nl].reachable = reach;
            lr[nl].count = 0;
            lr[nl].bytes = 0;
            lr[nl].example = rec;
            slots[s] = (Int)nl++;
            if (nl * 2 > nslots) { /* rehash */
                nslots *= 2;
                VG_(free)(slots);
                slots = VG_(malloc)("ac.loss.slots", nslots * sizeof *slots);
                VG_(memset)(slots, 0xff, nslots * sizeof *slots);
                for (ULong j = 0; j < nl; j++) {
                    UWord hj = ((UWord)lr[j].example->made_at * 0x9E3779B97F4A7C15ULL) ^
                               ((UWord)lr[j].kind << 1) ^ lr[j].reachable;
                    ULong t = (hj >> 17) & (nslots - 1);
                    while (slots[t] >= 0)
                        t = (t + 1) & (nslots - 1);
                    slots[t] = (Int)j;
                }
            }
            s = (ULong)-1;
        }
        ACLossRecord *r = s == (ULong)-1 ? &lr[nl - 1] : &lr[slots[s]];
        r->count++;
        r->bytes += rec->buffer_bytes;
        if (rec->id < r->example->id)
            r->example = rec;
    }
    VG_(free)(slots);
    VG_(ssort)(lr, nl, sizeof *lr, ac_cmp_loss);
    *n_out = nl;
    return lr;
}

static void ac_print_summary(const ACLeakTotals *t, Bool at_exit, Bool searched)
{
    VG_(umsg)("ARRAY SUMMARY: in use %s: %llu arrays (%llu owners, %llu views), %llu bytes\n",
              at_exit ? "at exit" : "now", ac_live_owners + ac_live_views, ac_live_owners,
              ac_live_views, ac_live_bytes);
    if (!searched)
        return;
    VG_(umsg)("   lost: %llu arrays, %llu bytes\n", t->arrays[0], t->bytes[0]);
    VG_(umsg)("   still reachable: %llu arrays, %llu bytes\n", t->arrays[1], t->bytes[1]);
    VG_(umsg)("   suppressed: %llu arrays, %llu bytes\n", t->supp_arrays, t->supp_bytes);
    VG_(umsg)("   leaked copies: %llu (%llu bytes)\n", t->copies, t->copy_bytes);
    VG_(umsg)("   orphaned views: %llu\n", ac_live_orphans);
}

ULong ac_leak_check(ThreadId tid, Bool at_exit)
{
    ACLeakTotals t;
    VG_(memset)(&t, 0, sizeof t);
    if (ac_clo_leak_check == AC_LEAK_CHECK_NO) {
        if (!VG_(clo_xml) && VG_(clo_verbosity) > 0) {
            ac_print_summary(&t, at_exit, False);
            VG_(umsg)("\n");
        }
        return 0;
    }
    ac_scan();
    ULong nl;
    ACLossRecord *lr = ac_make_loss_records(&nl);
    for (ULong i = 0; i < nl; i++) {
        ACLossRecord *r = &lr[i];
        Bool shown = ac_clo_leak_check == AC_LEAK_CHECK_FULL &&
                     (ac_clo_show_leak_kinds & (1u << (r->reachable ? AC_REACH_REACHABLE
                                                                    : AC_REACH_LOST)));
        Bool suppressed = False;
        if (shown) {
            ACLeakExtra x;
            VG_(memset)(&x, 0, sizeof x);
            x.count = r->count;
            x.bytes = r->bytes;
            x.record_no = (UInt)i + 1;
            x.n_records = (UInt)nl;
            x.reachable = r->reachable;
            ac_describe_array(r->example, x.example, sizeof x.example);
            suppressed = VG_(unique_error)(tid, r->kind, r->example->handle, NULL, &x,
                                           r->example->made_at, True /*print*/,
                                           False /*no gdb attach*/, True /*count*/);
            if (!suppressed)
                t.shown += r->count;
        }
        if (suppressed) {
            t.supp_arrays += r->count;
            t.supp_bytes += r->bytes;
        } else {
            t.arrays[r->reachable] += r->count;
            t.bytes[r->reachable] += r->bytes;
        }
        if (r->kind == AC_ERR_LEAKED_COPY) {
            t.copies += r->count;
            t.copy_bytes += r->bytes;
        }
    }
    VG_(free)(lr);
    ac_scan_done();
    if (!VG_(clo_xml) && VG_(clo_verbosity) > 0) {
        ac_print_summary(&t, at_exit, True);
        if (ac_clo_leak_check == AC_LEAK_CHECK_SUMMARY && t.arrays[0] + t.arrays[1] > 0)
            VG_(umsg)("Rerun with --leak-check=full to see details of leaked arrays\n");
        else if (ac_clo_leak_check == AC_LEAK_CHECK_FULL && t.arrays[1] > 0 &&
                 !(ac_clo_show_leak_kinds & (1u << AC_REACH_REACHABLE)))
            VG_(umsg)("Reachable arrays are not shown; to see them, rerun with "
                      "--show-leak-kinds=all\n");
        VG_(umsg)("\n");
    }
    return t.shown + ac_live_orphans;
}

void ac_monitor_leaks(void)
{
    ac_scan();
    ULong nl, lost = 0, reach = 0;
    ACLossRecord *lr = ac_make_loss_records(&nl);
    for (ULong i = 0; i < nl; i++) {
        HChar desc[AC_DESC_MAX];
        ac_describe_array(lr[i].example, desc, sizeof desc);
        VG_(gdb_printf)("%s: %llu arrays, %llu bytes, %s (loss record %llu of %llu): e.g. %s\n",
                        ac_error_names[lr[i].kind], lr[i].count, lr[i].bytes,
                        lr[i].reachable ? "still reachable" : "lost", i + 1, nl, desc);
        if (lr[i].reachable)
            reach += lr[i].count;
        else
            lost += lr[i].count;
    }
    VG_(gdb_printf)("arr leaks: %llu lost, %llu still reachable, %llu orphaned views\n", lost,
                    reach, ac_live_orphans);
    VG_(free)(lr);
    ac_scan_done();
}
