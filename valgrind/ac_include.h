/* ac_include.h - what the arrcheck tool's source files share.
 *
 * arrcheck tracks every array handle a program announces with the client
 * requests of arrcheck.h (one compact ACArray record each), reports leaked
 * arrays at exit with a reachability scan, reports owners freed while views
 * live, and instruments loads/stores to catch accesses into the quarantined
 * buffer of a freed owner.  Prefix: ac_ (AC_ for macros and types).
 *
 * Files, each one job, in layers (a file calls only the ones below it):
 *   ac_main.c     client requests (validation), the life cycle of owners,
 *                 views and quarantined buffers, options, monitor, start/end
 *   ac_leak.c     reachability scan, loss records, the leak report
 *   ac_profile.c  --profile=yes (memory over time)
 *   ac_instr.c    instrumentation: dangling accesses, profile watches
 *   ac_errors.c   the error manager callbacks (printing, suppressions)
 *   ac_buffers.c  live owners' buffers; which ranges may be quarantined
 *   ac_pystack.c  the Python stack of an error, read from CPython's frames
 *   ac_library.c  the libraries' declared stack-frame rules (ARRCHECK_LIBRARY)
 *   ac_records.c  records, hash tables, interned names, describing arrays
 *   ac_stacks.c   which stack memory is dead (for the leak scan)
 *   ac_heap.c     the client's malloc'd blocks (malloc replaced, as memcheck)
 *   ac_ranges.c   interval sets (quarantined buffers)
 *   ac_values.c   value views (VALUE_VIEW_CREATED): lifetime = their storage
 *   ac_client.c   reading client memory without faulting; request warnings
 * ac_leak.c and ac_profile.c never call each other or ac_main.c.
 */
#ifndef AC_INCLUDE_H
#define AC_INCLUDE_H

#include "pub_tool_basics.h"
#include "pub_tool_execontext.h"
#include "pub_tool_errormgr.h"
#include "pub_tool_tooliface.h"

#include "arrcheck.h"

/* Limits of what a request may carry: the protocol's (arrcheck.h). */
#define AC_MAX_NDIM ARRCHECK_MAX_NDIM
#define AC_LABEL_MAX ARRCHECK_LABEL_MAX /* bytes with the NUL */
#define AC_NAME_MAX 32   /* dtype and op names, bytes with the NUL */

/* Error kinds; the names printed as <kind> and in suppressions are in
 * ac_error_names[] (ac_errors.c) in the same order. */
typedef enum {
    AC_ERR_LEAKED_COPY = 0,
    AC_ERR_LEAKED_ARRAY,
    AC_ERR_LEAKED_VIEW,
    AC_ERR_ORPHANED_VIEW,
    AC_ERR_DANGLING_ACCESS,
    AC_ERR_INVALID_FREE,
    AC_ERR_NKINDS
} ACErrorKind;

/* ACArray.flags */
#define AC_IS_VIEW 0x01
#define AC_IS_COPY 0x02
#define AC_OWNDATA 0x04
#define AC_ORPHANED 0x08     /* view whose owner was freed */
#define AC_FREED 0x10        /* owner freed while views lived, or into its
                                library's quarantine (record kept) */
#define AC_RELEASED 0x20     /* its quarantined buffer was released */
#define AC_REACHED 0x40      /* scratch mark of the reachability scan */
#define AC_FREED_TO_Q 0x80   /* owner freed by FREED_TO_QUARANTINE: its bytes
                                left ac_live_bytes then, not at release */
/* Views only, on bits only owners use: */
#define AC_VALUE 0x04        /* a value view (ac_values.c) */
#define AC_RETIRED 0x20      /* a value view whose storage is gone, kept for
                                its freed owner's quarantine (ac_values.c) */

/* One tracked array.  Kept small (the issue asks < 256 bytes per array):
 * names are interned indexes, the shape is allocated with exactly ndim
 * entries, strides are not kept. */
typedef struct ACArray {
    struct ACArray *next_in_bucket[2]; /* hash chains: by id, by handle */
    ULong id;
    ULong base_id;
    ULong source_id;
    Addr handle;
    Addr buffer;            /* owners: buffer start; views: owner's buffer */
    ULong buffer_bytes;     /* owners: 0 when not owned (wrapped memory) */
    Long extent_lo;         /* views: byte extent relative to buffer */
    Long extent_hi;
    ExeContext *made_at;
    ExeContext *freed_at;   /* owners freed while views lived */
    struct ACArray *owner;  /* views: the owner's record (NULL: unknown) */
    struct ACArray *first_view; /* owners: live views */
    struct ACArray *next_view;
    struct ACArray *prev_view;
    HChar *label;           /* NULL when none */
    struct ACProfArray *prof; /* --profile=yes: its profile record */
    UInt handle_bytes;
    UInt nviews;            /* owners: live views */
    Int itemsize;
    UChar dtype_ix;         /* ac_intern() indexes */
    UChar op_ix;
    UChar ndim;
    UChar flags;            /* AC_* bits */
    Long shape[0];          /* ndim entries */
} ACArray;

/* ---- ac_client.c: reading client memory ------------------------------ */
/* [a, a + len) is mapped readable client memory (no read is done). */
Bool ac_client_readable(Addr a, SizeT len);
/* Copies len bytes; False (dst undefined) when any byte cannot be read,
 * including a fault (SIGBUS past the end of a mapped file): never crashes. */
Bool ac_client_copy(void *dst, Addr src, SizeT len);
/* A NUL-terminated string into buf (cut to nbuf-1 bytes on a UTF-8
 * character boundary).  p == 0 gives "".  False ("" in buf) when unreadable. */
Bool ac_client_string(Addr p, HChar *buf, Int nbuf);
/* A warning about a bad request, with the client's stack (the first 50
 * are shown; in XML inside a <clientmsg>). */
void ac_warn(ThreadId tid, const HChar *fmt, ...) PRINTF_CHECK(2, 3);


/* ---- ac_records.c: records, tables, names ------------------------------ */
extern ULong ac_live_owners, ac_live_views, ac_live_orphans;
extern ULong ac_live_bytes;         /* owners' buffers + quarantined ones */
extern ULong ac_n_created, ac_n_freed;

/* A validated OWNER_CREATED / VIEW_CREATED request (ac_main.c): the info
 * struct and everything it points to, copied out of client memory. */
typedef struct {
    struct arrcheck_array_info info;
    Bool is_view;
    ACArray *owner;         /* views: the owner's record, NULL if unknown */
    Long shape[AC_MAX_NDIM];
    HChar dtype[AC_NAME_MAX], op[AC_NAME_MAX], label[AC_LABEL_MAX];
} ACNewArray;

void ac_records_init(void);
/* Makes the record, lists it in both tables, links a view to its owner
 * and counts it. */
ACArray *ac_record_build(const ACNewArray *req, ExeContext *made_at);
void ac_record_unlist_handle(ACArray *rec); /* freed: no longer live */
void ac_record_drop(ACArray *rec);          /* gone: out of the id table, freed */
void ac_unlink_view(ACArray *view);
void ac_records_print_stats(void);

/* Iterates over live records (not freed owners): calls fn on each. */
void ac_for_each_live(void (*fn)(ACArray *rec, void *opaque), void *opaque);
ULong ac_live_count(void);
ACArray *ac_lookup_id(ULong id);
ACArray *ac_lookup_handle(Addr handle); /* live arrays only */
/* Client text made safe for any report (text, XML, monitor): valid UTF-8
 * is kept, a backslash, newline, CR and tab become \\, \n, \r, \t, every
 * other control byte or byte that is not UTF-8 becomes \xNN.  Cut to
 * ndst-1 bytes before an escape or character that would not fit. */
Int ac_utf8_seq(const UChar *s);
void ac_escape(const HChar *src, HChar *dst, Int ndst);
UChar ac_intern(const HChar *name); /* stores the escaped name */
const HChar *ac_interned(UChar ix);
/* "float64[10, 5]" or "float64 (0-d)" into buf. */
void ac_describe_shape(const ACArray *rec, HChar *buf, Int nbuf);
/* "#3 'label'" */
void ac_describe_array(const ACArray *rec, HChar *buf, Int nbuf);

/* Recently freed handles (a ring of the last 1024), to explain invalid frees. */
typedef struct {
    Addr handle;
    ULong id;
    ExeContext *made_at;
    ExeContext *freed_at;
    ULong heap_clock;       /* ac_heap_now() at the free */
} ACFreedEntry;
void ac_remember_freed(const ACArray *rec, ExeContext *freed_at);
const ACFreedEntry *ac_find_freed(ULong id, Addr handle);

/* ---- ac_errors.c: the error manager callbacks -------------------------- */
#define AC_DESC_MAX 160
typedef struct {
    ULong count;            /* arrays in this loss record */
    ULong bytes;
    UInt record_no, n_records;
    Bool reachable;
    HChar example[AC_DESC_MAX]; /* one array of the record, described */
} ACLeakExtra;

typedef struct {
    ULong owner_id;
    UInt nviews;
    UInt nshown;
    ExeContext *view_made_at[8];
    HChar view_desc[8][64];
} ACOrphanExtra;

typedef struct {
    Addr addr;
    UWord size;
    Bool is_write;
    ULong owner_id;
    Addr buffer;
    ULong buffer_bytes;
    ExeContext *owner_made_at;
    ExeContext *owner_freed_at;
    ULong view_id;
    ExeContext *view_made_at;
    Bool view_holds_addr;   /* the address is in that view's extent */
    HChar owner_label[64];  /* the owner's label ("" without one) */
    Bool orphans;           /* freed while views lived (else: freed into its
                               library's quarantine) */
    Bool view_is_value;     /* the view named is a value view */
    HChar view_desc[64];    /* "#3 float64[4] (row)"; "" when no view */
    UWord py_key;           /* ac_pystack_key(): the Python stack's identity */
} ACDanglingExtra;

typedef struct {
    ULong id;               /* as sent; 0 when unknown */
    Addr handle;
    ULong known_id;         /* the array this handle/id was, if remembered */
    ExeContext *freed_at;   /* ... and where it was freed */
    ExeContext *made_at;
    UWord py_key;           /* ac_pystack_key(): the Python stack's identity */
} ACInvalidFreeExtra;

extern const HChar *const ac_error_names[AC_ERR_NKINDS];
void ac_register_errors(void);

/* ---- ac_pystack.c: the Python stack of an error in a Python process ---- */
extern Bool ac_clo_python_stack;           /* --python-stack=yes|no */
UWord ac_pystack_key(void);                /* read now: a key for the error's extra (0: none) */
void ac_pystack_capture(const Error *err); /* when a new error is recorded */
void ac_pystack_pp(const Error *err);      /* printed after the error */

/* ---- ac_leak.c: reachability and the leak report ----------------------- */
#define AC_LEAK_CHECK_NO 0
#define AC_LEAK_CHECK_SUMMARY 1
#define AC_LEAK_CHECK_FULL 2
#define AC_REACH_LOST 0             /* bit numbers of --show-leak-kinds */
#define AC_REACH_REACHABLE 1
Bool ac_leak_process_option(const HChar *arg);

/* Ignored ranges (bookkeeping memory that holds pointers to handles):
 * len 0 removes the range starting at start; O(log n).  False: the range
 * wraps. */
Bool ac_ignore_range(Addr start, SizeT len);

/* Scans, reports (as errors when full) and prints the summary.  Returns
 * the number of findings shown (leaked arrays + live orphaned views). */
ULong ac_leak_check(ThreadId tid, Bool at_exit);
/* Scans and prints live/leaked arrays to gdb (monitor "arr leaks"). */
void ac_monitor_leaks(void);

/* ---- ac_buffers.c: live buffers, acceptable quarantines ------------------ */
/* Live owners' buffers (owned, non-empty), and whether a freed owner's
 * buffer may be quarantined: mapped memory, no live owner's buffer in it;
 * else a one-line warning (once per cause) and False. */
void ac_live_buffer_add(ACArray *owner);
void ac_live_buffer_remove(ACArray *owner);
Bool ac_quarantine_acceptable(ThreadId tid, const HChar *req, const ACArray *owner);
/* The live view of owner with the smallest byte extent that holds address
 * a (strides are not kept: the extent is the view's span), or NULL. */
const ACArray *ac_view_holding(const ACArray *owner, Addr a);

/* ---- ac_heap.c: the client's malloc'd blocks ----------------------------- */
typedef struct { Addr start; SizeT size; } ACHeapBlock;
void ac_heap_init(void);                    /* replaces malloc & co */
Bool ac_heap_process_option(const HChar *arg); /* --alignment and the like */
/* A clock of allocations; was a a block's start allocated after then? */
ULong ac_heap_now(void);
Bool ac_heap_allocated_since(Addr a, ULong then);
/* The live blocks, sorted by start (VG_(free) the result). */
ACHeapBlock *ac_heap_blocks(ULong *n);
/* ac_main.c: value views held in a freed heap block die with it. */
void ac_storage_freed(ThreadId tid, Addr a, SizeT len);

/* ---- ac_stacks.c: dead stack memory ------------------------------------- */
void ac_stacks_init(void);
void ac_stacks_thread_exit(ThreadId tid);
/* Calls add(lo, hi, opaque) for each dead stack range [lo, hi). */
void ac_stacks_dead(void (*add)(Addr lo, Addr hi, void *opaque), void *opaque, Bool trace);

/* ---- ac_values.c: value views (lifetime = their storage) ---------------- */
/* gone(owner) is called after a view was unlinked from owner. */
typedef void (*ACOwnerGone)(ACArray *owner);
/* rec was just built: makes it a value view; True when its storage is on
 * no thread's stack. */
Bool ac_values_add(ACArray *rec);
ULong ac_values_live(void);
void ac_values_for_each(void (*fn)(ACArray *rec, void *opaque), void *opaque);
ACArray *ac_values_at(Addr handle);
UInt ac_values_linked(const ACArray *owner);  /* value views of owner */
Bool ac_values_retire_at(ThreadId tid, Addr handle, ACOwnerGone gone);
void ac_values_retire_range(ThreadId tid, Addr lo, Addr hi, ACOwnerGone gone);
/* Retires tid's value views in frames that returned; all of them when the
 * thread exits. */
void ac_values_retire_dead(ThreadId tid, ACOwnerGone gone);
void ac_values_thread_exit(ThreadId tid, ACOwnerGone gone);
void ac_values_drop_retired(ACArray *owner); /* its quarantine was released */
/* owner is being freed with only value views: keep them linked as orphans
 * (its buffer stays quarantined) or unlink them all. */
void ac_values_orphan(ACArray *owner, Bool keep);
/* Leading frames in arrcheck's own preload (0 when all are). */
UInt ac_preload_frames(const Addr *ips, UInt n);

/* ---- ac_ranges.c: interval sets ----------------------------------------- */
/* Disjoint [lo, hi) intervals with a payload; O(log n) add/remove/lookup,
 * an MRU hit and gap in front of the tree (see ac_ranges.c). */
typedef struct { Addr lo, hi; void *payload; } ACInterval;
typedef struct ACIntervalSet ACIntervalSet;
ACIntervalSet *ac_iset_new(const HChar *cc);
Bool ac_iset_add(ACIntervalSet *s, Addr lo, Addr hi, void *payload); /* False: overlap */
Bool ac_iset_remove(ACIntervalSet *s, Addr lo, const void *payload);
const ACInterval *ac_iset_find(ACIntervalSet *s, Addr a, SizeT size); /* overlapping */
const ACInterval *ac_iset_at(const ACIntervalSet *s, Addr lo);         /* starting at lo */
ULong ac_iset_size(const ACIntervalSet *s);
/* [*min, *max) holds every interval (maybe wider after removals); False: empty. */
Bool ac_iset_bounds(const ACIntervalSet *s, Addr *min, Addr *max);
ULong ac_iset_searches(const ACIntervalSet *s);

/* ---- ac_instr.c: dangling-buffer access checks ------------------------- */
IRSB *ac_instrument(VgCallbackClosure *closure, IRSB *sb_in,
                    const VexGuestLayout *layout, const VexGuestExtents *vge,
                    const VexArchInfo *archinfo_host, IRType gWordTy,
                    IRType hWordTy);
void ac_dangling_add(ACArray *owner);
void ac_dangling_remove(ACArray *owner);
ULong ac_dangling_searches(void);
extern ULong ac_n_dangling;

/* ---- ac_profile.c: --profile=yes (memory over time) -------------------- */
extern Bool ac_clo_profile;
Bool ac_profile_process_option(const HChar *arg);
void ac_profile_print_usage(void);
void ac_profile_post_clo_init(void);
/* Events, called by ac_main.c after its own bookkeeping of the request. */
void ac_profile_created(ThreadId tid, ACArray *rec);
/* buffer_gone: the owner's bytes leave now (False: quarantined until
 * ac_profile_released). */
void ac_profile_freed(ThreadId tid, ACArray *rec, Bool buffer_gone);
void ac_profile_released(ThreadId tid, ACArray *owner);
void ac_profile_labelled(ACArray *rec);
void ac_profile_copied(ACArray *rec); /* rec became a copy (COPIED) */
void ac_profile_fini(void);
void ac_profile_print_stats(void);
void ac_profile_thread_exit(ThreadId tid);
/* A code address in a library that declared itself (ARRCHECK_LIBRARY,
 * ac_library.c).  Cached per address. */
Bool ac_ip_in_libarr(Addr ip);

/* ac_library.c: the libraries' own rules for their stack frames. */
void ac_library_declare(ThreadId tid, Addr info_addr);
Bool ac_library_owns(const HChar *file, const HChar *dir, const HChar *fn, const HChar *obj);
extern UInt ac_library_generation; /* bumped by every declaration */

/* Read by the generated code (ac_instr.c): keep them ULong. */
extern ULong ac_prof_instrs;        /* guest instructions executed */
extern ULong ac_prof_open_windows;  /* copies still being made */
extern ULong ac_prof_read_lo, ac_prof_read_span;   /* watched for loads */
extern ULong ac_prof_write_lo, ac_prof_write_span; /* watched for stores */
VG_REGPARM(1) void ac_prof_sb_entry(Addr sp);
VG_REGPARM(2) void ac_prof_load(Addr a, UWord size);
VG_REGPARM(2) void ac_prof_store(Addr a, UWord size);

#endif /* AC_INCLUDE_H */
