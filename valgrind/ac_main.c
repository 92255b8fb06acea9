/* ac_main.c - arrcheck: the array records, client requests, options,
 * monitor commands and the tool's registration with the Valgrind core.
 *
 * Records live in two intrusive hash tables (by id and by handle address).
 * A live record is in both; an owner freed while views lived stays in the
 * id table only (flag AC_FREED) until its last view is gone and its
 * quarantined buffer is released, so reports can still name it.
 */
#include "pub_tool_basics.h"
#include "pub_tool_aspacemgr.h"
#include "pub_tool_clreq.h"
#include "pub_tool_gdbserver.h"
#include "pub_tool_libcassert.h"
#include "pub_tool_libcbase.h"
#include "pub_tool_libcprint.h"
#include "pub_tool_mallocfree.h"
#include "pub_tool_options.h"
#include "pub_tool_stacktrace.h"
#include "pub_tool_threadstate.h"
#include "pub_tool_vki.h"
#include "pub_tool_vkiscnums.h"

#include "ac_include.h"
#include "arrcheck.h"

/* ---- options ------------------------------------------------------------ */

/* full by default: reporting where leaked arrays were made is the point of
 * the tool (memcheck defaults to summary because its full report is long;
 * array leaks are few and each needs its stack to be fixed). */
Int ac_clo_leak_check = AC_LEAK_CHECK_FULL;
UInt ac_clo_show_leak_kinds = 1u << AC_REACH_LOST;
Bool ac_clo_trace_reach = False;
Bool ac_clo_show_libarr_frames = False;

/* ---- accounting ------------------------------------------------------------ */

ULong ac_live_owners, ac_live_views, ac_live_orphans, ac_live_bytes;
static ULong ac_n_created, ac_n_freed, ac_record_bytes, ac_peak_records;

/* ---- hash tables ----------------------------------------------------------- */

enum { AC_BY_ID = 0, AC_BY_HANDLE = 1 };

typedef struct {
    ACArray **buckets;
    UWord mask;
    ULong count;
} ACTable;

static ACTable ac_tables[2];

static inline UWord ac_key(const ACArray *rec, Int which)
{
    return which == AC_BY_ID ? (UWord)rec->id : rec->handle;
}

static inline UWord ac_bucket(UWord key, UWord mask)
{
    /* Fibonacci hashing: handle addresses share their low bits. */
    return (UWord)((key * 0x9E3779B97F4A7C15ULL) >> 24) & mask;
}

static void ac_table_init(ACTable *t, UWord nbuckets)
{
    t->buckets = VG_(calloc)("ac.table", nbuckets, sizeof(ACArray *));
    t->mask = nbuckets - 1;
    t->count = 0;
}

static void ac_table_grow(ACTable *t, Int which)
{
    UWord old_n = t->mask + 1, new_n = old_n * 2;
    ACArray **nb = VG_(calloc)("ac.table", new_n, sizeof(ACArray *));
    for (UWord i = 0; i < old_n; i++) {
        ACArray *rec = t->buckets[i];
        while (rec) {
            ACArray *next = rec->next_in_bucket[which];
            UWord b = ac_bucket(ac_key(rec, which), new_n - 1);
            rec->next_in_bucket[which] = nb[b];
            nb[b] = rec;
            rec = next;
        }
    }
    VG_(free)(t->buckets);
    t->buckets = nb;
    t->mask = new_n - 1;
}

static void ac_table_insert(Int which, ACArray *rec)
{
    ACTable *t = &ac_tables[which];
    if (t->count >= t->mask + 1)
        ac_table_grow(t, which);
    UWord b = ac_bucket(ac_key(rec, which), t->mask);
    rec->next_in_bucket[which] = t->buckets[b];
    t->buckets[b] = rec;
    t->count++;
}

static ACArray *ac_table_find(Int which, UWord key)
{
    ACTable *t = &ac_tables[which];
    for (ACArray *rec = t->buckets[ac_bucket(key, t->mask)]; rec;
         rec = rec->next_in_bucket[which])
        if (ac_key(rec, which) == key)
            return rec;
    return NULL;
}

static void ac_table_remove(Int which, ACArray *rec)
{
    ACTable *t = &ac_tables[which];
    ACArray **link = &t->buckets[ac_bucket(ac_key(rec, which), t->mask)];
    while (*link && *link != rec)
        link = &(*link)->next_in_bucket[which];
    tl_assert(*link == rec);
    *link = rec->next_in_bucket[which];
    t->count--;
}

ACArray *ac_lookup_id(ULong id)
{
    return ac_table_find(AC_BY_ID, (UWord)id);
}

ACArray *ac_lookup_handle(Addr handle)
{
    return ac_table_find(AC_BY_HANDLE, handle);
}

ULong ac_live_count(void)
{
    return ac_tables[AC_BY_HANDLE].count;
}

void ac_for_each_live(void (*fn)(ACArray *rec, void *opaque), void *opaque)
{
    ACTable *t = &ac_tables[AC_BY_HANDLE];
    for (UWord i = 0; i <= t->mask; i++)
        for (ACArray *rec = t->buckets[i]; rec; rec = rec->next_in_bucket[AC_BY_HANDLE])
            fn(rec, opaque);
}

/* ---- interned names (dtype and op names are a handful of strings) ------ */

#define AC_MAX_INTERNED 255
static HChar *ac_interned_names[AC_MAX_INTERNED + 1] = { (HChar *)"?" };
static UInt ac_n_interned = 1;

static UChar ac_intern(const HChar *name)
{
    if (name[0] == '\0')
        return 0;
    for (UInt i = 1; i < ac_n_interned; i++)
        if (VG_(strcmp)(ac_interned_names[i], name) == 0)
            return (UChar)i;
    if (ac_n_interned > AC_MAX_INTERNED)
        return 0;
    ac_interned_names[ac_n_interned] = VG_(strdup)("ac.intern", name);
    return (UChar)ac_n_interned++;
}

const HChar *ac_interned(UChar ix)
{
    return ix < ac_n_interned ? ac_interned_names[ix] : "?";
}

/* ---- warnings about bogus requests ---------------------------------------- */

static UInt ac_n_warnings;
#define AC_MAX_WARNINGS 50

void ac_warn(ThreadId tid, const HChar *fmt, ...)
{
    HChar msg[256];
    va_list ap;
    if (++ac_n_warnings > AC_MAX_WARNINGS) {
        if (ac_n_warnings == AC_MAX_WARNINGS + 1)
            VG_(umsg)("Warning: arrcheck: more than %d bad requests; "
                      "not reporting any more\n", AC_MAX_WARNINGS);
        return;
    }
    va_start(ap, fmt);
    VG_(vsnprintf)(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (VG_(clo_xml)) {
        /* A stack outside an <error> must sit in a <clientmsg>. */
        VG_(printf_xml)("<clientmsg>\n  <tid>%u</tid>\n  <text>Warning: arrcheck: %pS</text>\n",
                        tid, msg);
        VG_(get_and_pp_StackTrace)(tid, VG_(clo_backtrace_size));
        VG_(printf_xml)("</clientmsg>\n");
    } else {
        VG_(umsg)("Warning: arrcheck: %s\n", msg);
        VG_(get_and_pp_StackTrace)(tid, VG_(clo_backtrace_size));
    }
}

/* Copies a NUL-terminated client string into buf (truncated to nbuf-1),
 * checking each page it touches.  False when unreadable. */
Bool ac_read_client_string(Addr p, HChar *buf, Int nbuf)
{
    buf[0] = '\0';
    if (p == 0)
        return True;
    for (Int i = 0; i < nbuf - 1; i++) {
        Addr a = p + (Addr)i;
        if ((i == 0 || (a & (VKI_PAGE_SIZE - 1)) == 0) &&
            !VG_(am_is_valid_for_client)(a, 1, VKI_PROT_READ)) {
            buf[i] = '\0';
            return False;
        }
        buf[i] = *(const HChar *)a;
        if (buf[i] == '\0')
            return True;
    }
    buf[nbuf - 1] = '\0';
    return True;
}

/* ---- describing arrays ------------------------------------------------------ */

void ac_describe_shape(const ACArray *rec, HChar *buf, Int nbuf)
{
    Int n = VG_(snprintf)(buf, nbuf, "%s[", ac_interned(rec->dtype_ix));
    for (Int i = 0; i < rec->ndim && n < nbuf - 1; i++)
        n += VG_(snprintf)(buf + n, nbuf - n, "%s%lld", i ? ", " : "", rec->shape[i]);
    if (n < nbuf - 1)
        VG_(snprintf)(buf + n, nbuf - n, "]");
}

/* "#3 copy float64[2, 3] 48 bytes (astype of #1) 'name'" */
void ac_describe_array(const ACArray *rec, HChar *buf, Int nbuf)
{
    HChar shape[96];
    ac_describe_shape(rec, shape, sizeof shape);
    const HChar *what = (rec->flags & AC_IS_VIEW)  ? "view"
                        : (rec->flags & AC_IS_COPY) ? "copy"
                                                    : "owner";
    Int n;
    if (rec->flags & AC_IS_VIEW)
        n = VG_(snprintf)(buf, nbuf, "#%llu view %s of #%llu (%s)%s", rec->id, shape,
                          rec->base_id, ac_interned(rec->op_ix),
                          (rec->flags & AC_ORPHANED) ? " orphaned" : "");
    else if (rec->source_id)
        n = VG_(snprintf)(buf, nbuf, "#%llu %s %s %llu bytes (%s of #%llu)", rec->id, what,
                          shape, rec->buffer_bytes, ac_interned(rec->op_ix), rec->source_id);
    else
        n = VG_(snprintf)(buf, nbuf, "#%llu %s %s %llu bytes (%s)", rec->id, what, shape,
                          rec->buffer_bytes, ac_interned(rec->op_ix));
    if (rec->label && n < nbuf - 1)
        VG_(snprintf)(buf + n, nbuf - n, " '%s'", rec->label);
}

/* ---- recently freed handles, to explain invalid frees ------------------- */

typedef struct {
    Addr handle;
    ULong id;
    ExeContext *made_at;
    ExeContext *freed_at;
} ACFreedEntry;

#define AC_FREED_RING 1024
static ACFreedEntry ac_freed_ring[AC_FREED_RING];
static UInt ac_freed_next;

static void ac_remember_freed(const ACArray *rec, ExeContext *freed_at)
{
    ACFreedEntry *e = &ac_freed_ring[ac_freed_next++ % AC_FREED_RING];
    e->handle = rec->handle;
    e->id = rec->id;
    e->made_at = rec->made_at;
    e->freed_at = freed_at;
}

static const ACFreedEntry *ac_find_freed(ULong id, Addr handle)
{
    /* Newest first: a handle address may have been reused. */
    for (UInt k = 1; k <= AC_FREED_RING && k <= ac_freed_next; k++) {
        const ACFreedEntry *e = &ac_freed_ring[(ac_freed_next - k) % AC_FREED_RING];
        if ((id != 0 && e->id == id) || (id == 0 && e->handle == handle))
            return e;
    }
    return NULL;
}

/* ---- where arrays are made and freed ------------------------------------------- */

/* libarr's inner frames (emit_created, arr__new_view, slicev_impl, ...)
 * say nothing to the program's author and push its own frames out of
 * --num-callers.  Like memcheck's "at malloc / by caller", the stack starts
 * at the public call: the outermost frame of the libarr frames on top.  A
 * stack with no libarr frame on top (a program speaking the requests
 * itself) or with nothing but libarr frames is kept whole. */
#define AC_MAX_LIBARR_FRAMES 16
#define AC_DEEPEST_BACKTRACE 500 /* the core's limit for --num-callers */

ExeContext *ac_record_user_context(ThreadId tid)
{
    if (ac_clo_show_libarr_frames)
        return VG_(record_ExeContext)(tid, 0);
    Addr ips[AC_DEEPEST_BACKTRACE + AC_MAX_LIBARR_FRAMES];
    UInt want = (UInt)VG_(clo_backtrace_size) + AC_MAX_LIBARR_FRAMES;
    if (want > sizeof ips / sizeof ips[0])
        want = sizeof ips / sizeof ips[0];
    UInt n = VG_(get_StackTrace)(tid, ips, want, NULL, NULL, 0);
    UInt first_outside = 0;
    while (first_outside < n && ac_ip_in_libarr(ips[first_outside]))
        first_outside++;
    UInt start = first_outside > 0 && first_outside < n ? first_outside - 1 : 0;
    UInt keep = n - start;
    if (keep > (UInt)VG_(clo_backtrace_size))
        keep = (UInt)VG_(clo_backtrace_size);
    return VG_(make_ExeContext_from_StackTrace)(ips + start, keep);
}

/* ---- records ------------------------------------------------------------------ */

static void ac_quarantine_add(ACArray *owner);
static void ac_quarantine_released(ThreadId tid, Addr buffer);

static SizeT ac_record_size(Int ndim)
{
    return sizeof(ACArray) + (SizeT)ndim * sizeof(Long);
}

static void ac_destroy(ACArray *rec)
{
    ac_record_bytes -= ac_record_size(rec->ndim);
    if (rec->label)
        VG_(free)(rec->label);
    VG_(free)(rec);
}

static void ac_link_view(ACArray *owner, ACArray *view)
{
    view->owner = owner;
    view->prev_view = NULL;
    view->next_view = owner->first_view;
    if (owner->first_view)
        owner->first_view->prev_view = view;
    owner->first_view = view;
    owner->nviews++;
}

static void ac_unlink_view(ACArray *view)
{
    ACArray *owner = view->owner;
    if (!owner)
        return;
    if (view->prev_view)
        view->prev_view->next_view = view->next_view;
    else
        owner->first_view = view->next_view;
    if (view->next_view)
        view->next_view->prev_view = view->prev_view;
    owner->nviews--;
    view->owner = view->next_view = view->prev_view = NULL;
}

/* A freed owner's record goes once no view needs it and its buffer (if
 * quarantined) was released. */
static void ac_maybe_drop_dead_owner(ACArray *owner)
{
    if (!(owner->flags & AC_FREED) || owner->nviews > 0)
        return;
    /* No orphan left: accesses to the buffer are no longer "made while an
     * orphaned view exists" (libarr frees it right after). */
    ac_dangling_remove(owner);
    Bool quarantined = (owner->flags & AC_OWNDATA) && owner->buffer_bytes > 0;
    if (quarantined && !(owner->flags & AC_RELEASED))
        return;
    ac_table_remove(AC_BY_ID, owner);
    ac_destroy(owner);
}

static void ac_array_created(ThreadId tid, Addr info_addr, Bool is_view)
{
    const HChar *req = is_view ? "VIEW_CREATED" : "OWNER_CREATED";
    struct arrcheck_array_info info;

    if (info_addr == 0 || !VG_(am_is_valid_for_client)(info_addr, 8, VKI_PROT_READ)) {
        ac_warn(tid, "%s: info pointer %#lx is not readable client memory", req, info_addr);
        return;
    }
    UInt version = ((const UInt *)info_addr)[0], size = ((const UInt *)info_addr)[1];
    if (version != ARRCHECK_PROTOCOL_VERSION) {
        ac_warn(tid, "%s: protocol version %u, but this arrcheck speaks version %u", req,
                version, ARRCHECK_PROTOCOL_VERSION);
        return;
    }
    if (size != sizeof info) {
        ac_warn(tid, "%s: info size %u, expected %lu (protocol mismatch)", req, size,
                (unsigned long)sizeof info);
        return;
    }
    if (!VG_(am_is_valid_for_client)(info_addr, sizeof info, VKI_PROT_READ)) {
        ac_warn(tid, "%s: info struct at %#lx is not readable", req, info_addr);
        return;
    }
    VG_(memcpy)(&info, (const void *)info_addr, sizeof info);

    if (info.id == 0) {
        ac_warn(tid, "%s: array id 0 (ids start at 1)", req);
        return;
    }
    ACArray *dup = ac_lookup_id(info.id);
    if (dup) {
        ac_warn(tid, "%s: array id %llu is already in use", req, (ULong)info.id);
        return;
    }
    if (info.handle == NULL) {
        ac_warn(tid, "%s: array #%llu has a NULL handle", req, (ULong)info.id);
        return;
    }
    if (ac_table_find(AC_BY_HANDLE, (Addr)info.handle)) {
        ac_warn(tid, "%s: handle %p of array #%llu is already a live array", req,
                info.handle, (ULong)info.id);
        return;
    }
    if (info.ndim < 0 || info.ndim > ARRCHECK_MAX_NDIM) {
        ac_warn(tid, "%s: array #%llu has ndim %d (must be 0..%d)", req, (ULong)info.id,
                info.ndim, ARRCHECK_MAX_NDIM);
        return;
    }
    if (info.ndim > 0 &&
        (info.shape == NULL ||
         !VG_(am_is_valid_for_client)((Addr)info.shape, info.ndim * sizeof(Long),
                                      VKI_PROT_READ))) {
        ac_warn(tid, "%s: array #%llu: shape pointer %p is not readable", req,
                (ULong)info.id, info.shape);
        return;
    }
    if (is_view && info.base_id == info.id) {
        ac_warn(tid, "%s: view #%llu names itself as its owner", req, (ULong)info.id);
        return;
    }
    ACArray *owner = NULL;
    if (is_view) {
        owner = ac_lookup_id(info.base_id);
        if (!owner || (owner->flags & AC_IS_VIEW)) {
            ac_warn(tid, "%s: view #%llu of unknown owner #%llu", req, (ULong)info.id,
                    (ULong)info.base_id);
            owner = NULL;
        }
    }
    HChar name[32], label[ARRCHECK_LABEL_MAX];
    UChar dtype_ix = 0, op_ix = 0;
    if (ac_read_client_string((Addr)info.dtype_name, name, sizeof name))
        dtype_ix = ac_intern(name);
    if (ac_read_client_string((Addr)info.op_name, name, sizeof name))
        op_ix = ac_intern(name);

    ACArray *rec = VG_(malloc)("ac.array", ac_record_size(info.ndim));
    VG_(memset)(rec, 0, sizeof *rec);
    rec->id = info.id;
    rec->base_id = is_view ? info.base_id : info.id;
    rec->source_id = info.source_id;
    rec->handle = (Addr)info.handle;
    rec->handle_bytes = info.handle_bytes == 0        ? sizeof(Addr)
                        : info.handle_bytes > 65536u ? 65536u
                                                     : (UInt)info.handle_bytes;
    rec->buffer = (Addr)info.buffer;
    rec->buffer_bytes = is_view ? 0 : info.buffer_bytes;
    rec->extent_lo = info.extent_lo;
    rec->extent_hi = info.extent_hi;
    rec->itemsize = info.itemsize;
    rec->dtype_ix = dtype_ix;
    rec->op_ix = op_ix;
    rec->ndim = (UChar)info.ndim;
    rec->flags = (is_view ? AC_IS_VIEW : 0) | (!is_view && info.is_copy ? AC_IS_COPY : 0) |
                 (!is_view && info.owndata ? AC_OWNDATA : 0);
    if (info.ndim > 0)
        VG_(memcpy)(rec->shape, info.shape, info.ndim * sizeof(Long));
    rec->made_at = ac_record_user_context(tid);
    if (info.label &&
        ac_read_client_string((Addr)info.label, label, sizeof label) && label[0])
        rec->label = VG_(strdup)("ac.label", label);

    ac_table_insert(AC_BY_ID, rec);
    ac_table_insert(AC_BY_HANDLE, rec);
    if (owner) {
        ac_link_view(owner, rec);
        if (owner->flags & AC_FREED) {
            rec->flags |= AC_ORPHANED;
            ac_live_orphans++;
        }
    }
    if (is_view) {
        ac_live_views++;
    } else {
        ac_live_owners++;
        ac_live_bytes += rec->buffer_bytes;
    }
    ac_n_created++;
    ac_record_bytes += ac_record_size(info.ndim);
    if (ac_tables[AC_BY_ID].count > ac_peak_records)
        ac_peak_records = ac_tables[AC_BY_ID].count;
    ac_profile_created(tid, rec);
}

static void ac_report_orphans(ThreadId tid, ACArray *owner)
{
    ACOrphanExtra extra;
    VG_(memset)(&extra, 0, sizeof extra);
    extra.owner_id = owner->id;
    extra.nviews = owner->nviews;
    for (ACArray *v = owner->first_view; v && extra.nshown < 8; v = v->next_view) {
        HChar shape[48];
        ac_describe_shape(v, shape, sizeof shape);
        extra.view_made_at[extra.nshown] = v->made_at;
        VG_(snprintf)(extra.view_desc[extra.nshown], sizeof extra.view_desc[0],
                      "#%llu %s (%s)", v->id, shape, ac_interned(v->op_ix));
        extra.nshown++;
    }
    VG_(maybe_record_error)(tid, AC_ERR_ORPHANED_VIEW, owner->buffer, NULL, &extra);
}

static void ac_invalid_free(ThreadId tid, ULong id, Addr handle)
{
    ACInvalidFreeExtra extra;
    VG_(memset)(&extra, 0, sizeof extra);
    extra.id = id;
    extra.handle = handle;
    const ACFreedEntry *e = ac_find_freed(id, handle);
    if (e) {
        extra.known_id = e->id;
        extra.freed_at = e->freed_at;
        extra.made_at = e->made_at;
    } else {
        /* A freed owner still kept for its orphans. */
        ACArray *dead = id ? ac_lookup_id(id) : NULL;
        if (dead && (dead->flags & AC_FREED)) {
            extra.known_id = dead->id;
            extra.freed_at = dead->freed_at;
            extra.made_at = dead->made_at;
        }
    }
    VG_(maybe_record_error)(tid, AC_ERR_INVALID_FREE, handle, NULL, &extra);
}

static void ac_array_freed(ThreadId tid, ULong id, Addr handle)
{
    ACArray *rec = id ? ac_lookup_id(id) : NULL;
    if (!rec || (rec->flags & AC_FREED) || rec->handle != handle) {
        ac_invalid_free(tid, id, handle);
        return;
    }
    ExeContext *freed_at = ac_record_user_context(tid);
    ac_n_freed++;
    ac_table_remove(AC_BY_HANDLE, rec);
    ac_remember_freed(rec, freed_at);

    if (rec->flags & AC_IS_VIEW) {
        ACArray *owner = rec->owner;
        ac_profile_freed(tid, rec, True);
        ac_live_views--;
        if (rec->flags & AC_ORPHANED)
            ac_live_orphans--;
        ac_unlink_view(rec);
        ac_table_remove(AC_BY_ID, rec);
        ac_destroy(rec);
        if (owner)
            ac_maybe_drop_dead_owner(owner);
        return;
    }

    ac_live_owners--;
    Bool quarantined = rec->nviews > 0 && (rec->flags & AC_OWNDATA) && rec->buffer_bytes > 0;
    ac_profile_freed(tid, rec, !quarantined);
    if (rec->nviews == 0) {
        ac_live_bytes -= rec->buffer_bytes;
        ac_table_remove(AC_BY_ID, rec);
        ac_destroy(rec);
        return;
    }
    /* Freed while views live: every view becomes an orphan.  Keep the
     * record; its buffer stays allocated (libarr's quarantine) and any
     * access to it is dangling until the last orphan is gone. */
    ac_report_orphans(tid, rec);
    rec->flags |= AC_FREED;
    rec->freed_at = freed_at;
    for (ACArray *v = rec->first_view; v; v = v->next_view) {
        if (!(v->flags & AC_ORPHANED)) {
            v->flags |= AC_ORPHANED;
            ac_live_orphans++;
        }
    }
    if ((rec->flags & AC_OWNDATA) && rec->buffer_bytes > 0) {
        ac_quarantine_add(rec);
        ac_dangling_add(rec);
    } else {
        ac_live_bytes -= rec->buffer_bytes; /* nothing stays allocated */
    }
}

static void ac_owner_freed_with_views(ThreadId tid, ULong id, ULong nviews)
{
    ACArray *rec = ac_lookup_id(id);
    if (!rec || (rec->flags & (AC_FREED | AC_IS_VIEW))) {
        ac_warn(tid, "OWNER_FREED_WITH_VIEWS: #%llu is not a live owner", id);
        return;
    }
    if (rec->nviews != nviews)
        ac_warn(tid, "OWNER_FREED_WITH_VIEWS: owner #%llu has %u live views, request says %llu",
                id, rec->nviews, nviews);
}

/* Freed owners whose buffer libarr keeps in quarantine, waiting for
 * QUARANTINE_RELEASED.  Few at any time: a plain array. */
static ACArray **ac_quarantined;
static UInt ac_n_quarantined, ac_cap_quarantined;

static void ac_quarantine_add(ACArray *owner)
{
    if (ac_n_quarantined == ac_cap_quarantined) {
        ac_cap_quarantined = ac_cap_quarantined ? ac_cap_quarantined * 2 : 16;
        ac_quarantined = VG_(realloc)("ac.quarantine", ac_quarantined,
                                      ac_cap_quarantined * sizeof *ac_quarantined);
    }
    ac_quarantined[ac_n_quarantined++] = owner;
}

static void ac_quarantine_released(ThreadId tid, Addr buffer)
{
    for (UInt i = 0; i < ac_n_quarantined; i++) {
        ACArray *owner = ac_quarantined[i];
        if (owner->buffer != buffer)
            continue;
        ac_quarantined[i] = ac_quarantined[--ac_n_quarantined];
        owner->flags |= AC_RELEASED;
        ac_live_bytes -= owner->buffer_bytes;
        ac_profile_released(tid, owner);
        ac_dangling_remove(owner);
        ac_maybe_drop_dead_owner(owner);
        return;
    }
    ac_warn(tid, "QUARANTINE_RELEASED: %#lx is not the buffer of a freed owner", buffer);
}

/* ---- ignored ranges ----------------------------------------------------------- */

ACRange *ac_ignored;
UInt ac_n_ignored;
static UInt ac_cap_ignored;

static void ac_ignore_range(ThreadId tid, Addr start, SizeT len)
{
    for (UInt i = 0; i < ac_n_ignored; i++) {
        if (ac_ignored[i].start == start) {
            if (len == 0) {
                ac_ignored[i] = ac_ignored[--ac_n_ignored];
            } else {
                ac_ignored[i].len = len;
            }
            return;
        }
    }
    if (len == 0)
        return;
    if (start + len < start) {
        ac_warn(tid, "IGNORE_RANGE: range %#lx + %lu wraps around", start, len);
        return;
    }
    if (ac_n_ignored == ac_cap_ignored) {
        ac_cap_ignored = ac_cap_ignored ? ac_cap_ignored * 2 : 16;
        ac_ignored = VG_(realloc)("ac.ignored", ac_ignored, ac_cap_ignored * sizeof *ac_ignored);
    }
    ac_ignored[ac_n_ignored].start = start;
    ac_ignored[ac_n_ignored].len = len;
    ac_n_ignored++;
}

/* ---- monitor commands ------------------------------------------------------------ */

static void ac_print_monitor_help(void)
{
    VG_(gdb_printf)("\n"
                    "arrcheck monitor commands:\n"
                    "  arr list          : list the live arrays (owners, copies, views)\n"
                    "  arr leaks         : search for leaked arrays now (lost/reachable)\n"
                    "  arr info <id>     : details of array <id>, with where it was made\n"
                    "\n");
}

static Int ac_cmp_by_id(const void *a, const void *b)
{
    const ACArray *x = *(const ACArray *const *)a, *y = *(const ACArray *const *)b;
    return x->id < y->id ? -1 : x->id > y->id;
}

typedef struct {
    ACArray **recs;
    ULong n;
} ACCollect;

static void ac_collect(ACArray *rec, void *opaque)
{
    ACCollect *c = opaque;
    c->recs[c->n++] = rec;
}

#define AC_LIST_MAX 1000

static void ac_monitor_list(void)
{
    ULong n = ac_live_count();
    VG_(gdb_printf)("%llu live arrays (%llu owners, %llu views, %llu orphaned views), "
                    "%llu bytes\n",
                    n, ac_live_owners, ac_live_views, ac_live_orphans, ac_live_bytes);
    if (n == 0)
        return;
    ACCollect c = { VG_(malloc)("ac.list", n * sizeof(ACArray *)), 0 };
    ac_for_each_live(ac_collect, &c);
    VG_(ssort)(c.recs, c.n, sizeof(ACArray *), ac_cmp_by_id);
    for (ULong i = 0; i < c.n && i < AC_LIST_MAX; i++) {
        HChar desc[200];
        ac_describe_array(c.recs[i], desc, sizeof desc);
        VG_(gdb_printf)("  %s\n", desc);
    }
    if (c.n > AC_LIST_MAX)
        VG_(gdb_printf)("  ... and %llu more\n", c.n - AC_LIST_MAX);
    VG_(free)(c.recs);
}

static void ac_monitor_info(const HChar *arg)
{
    HChar *end;
    if (arg == NULL) {
        VG_(gdb_printf)("usage: arr info <id>\n");
        return;
    }
    if (arg[0] == '#')
        arg++;
    Long id = VG_(strtoll10)(arg, &end);
    if (end == arg || *end != '\0' || id <= 0) {
        VG_(gdb_printf)("arr info: '%s' is not an array id (a positive number)\n", arg);
        return;
    }
    ACArray *rec = ac_lookup_id((ULong)id);
    if (!rec) {
        const ACFreedEntry *e = ac_find_freed((ULong)id, 0);
        VG_(gdb_printf)("arr info: no live array #%lld%s\n", id,
                        e ? " (it was freed)" : "");
        return;
    }
    HChar desc[200];
    ac_describe_array(rec, desc, sizeof desc);
    VG_(gdb_printf)("%s%s\n", desc, (rec->flags & AC_FREED) ? " FREED (kept for its views)" : "");
    VG_(gdb_printf)("  handle %#lx (%u bytes)\n", rec->handle, rec->handle_bytes);
    if (rec->flags & AC_IS_VIEW)
        VG_(gdb_printf)("  elements at buffer %#lx bytes [%lld, %lld)\n", rec->buffer,
                        rec->extent_lo, rec->extent_hi);
    else
        VG_(gdb_printf)("  buffer %#lx, %llu bytes%s, %u live views\n", rec->buffer,
                        rec->buffer_bytes, (rec->flags & AC_OWNDATA) ? "" : " (not owned)",
                        rec->nviews);
    for (ACArray *v = rec->first_view; v; v = v->next_view) {
        ac_describe_array(v, desc, sizeof desc);
        VG_(gdb_printf)("    view %s\n", desc);
    }
    VG_(gdb_printf)("  made at:\n");
    VG_(pp_ExeContext)(rec->made_at);
    if (rec->freed_at) {
        VG_(gdb_printf)("  freed at:\n");
        VG_(pp_ExeContext)(rec->freed_at);
    }
}

static Bool ac_handle_monitor(ThreadId tid, const HChar *req)
{
    HChar buf[VG_(strlen)(req) + 1];
    HChar *save;
    VG_(strcpy)(buf, req);
    HChar *word = VG_(strtok_r)(buf, " ", &save);
    switch (VG_(keyword_id)("help arr", word, kwd_report_none)) {
    case 0:
        ac_print_monitor_help();
        return True;
    case 1: {
        HChar *sub = VG_(strtok_r)(NULL, " ", &save);
        switch (VG_(keyword_id)("list leaks info", sub, kwd_report_all)) {
        case 0:
            ac_monitor_list();
            break;
        case 1:
            ac_monitor_leaks();
            break;
        case 2:
            ac_monitor_info(VG_(strtok_r)(NULL, " ", &save));
            break;
        default:
            VG_(gdb_printf)("usage: arr list | arr leaks | arr info <id>\n");
            break;
        }
        (void)tid;
        return True;
    }
    default:
        return False;
    }
}

/* ---- client requests ---------------------------------------------------------------- */

static Bool ac_handle_client_request(ThreadId tid, UWord *arg, UWord *ret)
{
    if (arg[0] == VG_USERREQ__GDB_MONITOR_COMMAND) {
        Bool handled = ac_handle_monitor(tid, (const HChar *)arg[1]);
        *ret = handled;
        return handled;
    }
    if (!VG_IS_TOOL_USERREQ('A', 'C', arg[0]))
        return False;
    *ret = 0;
    switch (arg[0]) {
    case VG_USERREQ__ARR_OWNER_CREATED:
        ac_array_created(tid, arg[1], False);
        break;
    case VG_USERREQ__ARR_VIEW_CREATED:
        ac_array_created(tid, arg[1], True);
        break;
    case VG_USERREQ__ARR_FREED:
        ac_array_freed(tid, arg[1], arg[2]);
        break;
    case VG_USERREQ__ARR_LABEL: {
        ACArray *rec = ac_lookup_id(arg[1]);
        HChar label[ARRCHECK_LABEL_MAX];
        if (!rec) {
            ac_warn(tid, "LABEL: no array #%lu", arg[1]);
        } else if (!ac_read_client_string(arg[2], label, sizeof label)) {
            ac_warn(tid, "LABEL: label pointer %#lx is not readable", arg[2]);
        } else {
            if (rec->label)
                VG_(free)(rec->label);
            rec->label = label[0] ? VG_(strdup)("ac.label", label) : NULL;
            ac_profile_labelled(rec);
        }
        break;
    }
    case VG_USERREQ__ARR_LIBRARY:
        ac_library_declare(tid, arg[1]);
        break;
    case VG_USERREQ__ARR_OWNER_FREED_WITH_VIEWS:
        ac_owner_freed_with_views(tid, arg[1], arg[2]);
        break;
    case VG_USERREQ__ARR_QUARANTINE_RELEASED:
        ac_quarantine_released(tid, arg[1]);
        break;
    case VG_USERREQ__ARR_LEAK_CHECK:
        *ret = (UWord)ac_leak_check(tid, False);
        break;
    case VG_USERREQ__ARR_IGNORE_RANGE:
        ac_ignore_range(tid, arg[1], arg[2]);
        break;
    default:
        ac_warn(tid, "unknown arrcheck client request %#lx (a newer arrcheck.h?)", arg[0]);
        break;
    }
    return True;
}

/* ---- command line --------------------------------------------------------------------- */

static Bool ac_process_cmd_line_option(const HChar *arg)
{
    if VG_XACT_CLO (arg, "--leak-check=no", ac_clo_leak_check, AC_LEAK_CHECK_NO) {
    } else if VG_XACT_CLO (arg, "--leak-check=summary", ac_clo_leak_check,
                           AC_LEAK_CHECK_SUMMARY) {
    } else if VG_XACT_CLO (arg, "--leak-check=full", ac_clo_leak_check, AC_LEAK_CHECK_FULL) {
    } else if VG_XACT_CLO (arg, "--leak-check=yes", ac_clo_leak_check, AC_LEAK_CHECK_FULL) {
    } else if (VG_USET_CLO(arg, "--show-leak-kinds", "lost,reachable", ac_clo_show_leak_kinds)) {
    } else if VG_BOOL_CLO (arg, "--trace-reach", ac_clo_trace_reach) {
    } else if VG_BOOL_CLO (arg, "--show-libarr-frames", ac_clo_show_libarr_frames) {
    } else if (ac_profile_process_option(arg)) {
    } else {
        return False;
    }
    return True;
}

static void ac_print_usage(void)
{
    VG_(printf)(
        "    --leak-check=no|summary|full     search for leaked arrays at exit? [full]\n"
        "    --show-leak-kinds=kind1,kind2,.. which leaked arrays to show in full\n"
        "        where kind is one of: lost reachable; or all, none [lost]\n"
        "    --show-libarr-frames=no|yes      stacks of where arrays were made/freed\n"
        "        show libarr's inner frames too (no: they start at the public\n"
        "        libarr call the program made) [no]\n");
    ac_profile_print_usage();
    VG_(printf)("\n  arrcheck is part of arrdbg, not of Valgrind: report its bugs in the arrdbg\n"
                "  project's issue tracker (README.md, \"Reporting bugs\"), not to valgrind.org.\n");
}

static void ac_print_debug_usage(void)
{
    VG_(printf)("    --trace-reach=no|yes      print where the leak scan found each array [no]\n");
}

/* ---- start and end ------------------------------------------------------------------------ */

static void ac_pre_syscall(ThreadId tid, UInt syscallno, UWord *args, UInt nArgs)
{
    (void)args, (void)nArgs;
    if (syscallno == __NR_exit_group)
        ac_note_exit(tid);
}

static void ac_post_syscall(ThreadId tid, UInt syscallno, UWord *args, UInt nArgs, SysRes res)
{
    (void)tid, (void)syscallno, (void)args, (void)nArgs, (void)res;
}

static void ac_post_clo_init(void)
{
    ac_profile_post_clo_init();
}

static void ac_print_stats(void)
{
    ULong n = ac_tables[AC_BY_ID].count;
    VG_(umsg)("arrcheck: %llu arrays created, %llu freed, %llu records now (peak %llu)\n",
              ac_n_created, ac_n_freed, n, ac_peak_records);
    VG_(umsg)("arrcheck: record memory %llu bytes + tables %llu bytes (%llu bytes/array "
              "before allocator overhead)\n",
              ac_record_bytes,
              (ULong)(ac_tables[0].mask + 1 + ac_tables[1].mask + 1) * sizeof(ACArray *),
              n ? (ac_record_bytes + (ac_tables[0].mask + 1 + ac_tables[1].mask + 1) *
                                         sizeof(ACArray *)) / n
                : 0);
    ac_profile_print_stats();
}

static void ac_fini(Int exitcode)
{
    (void)exitcode;
    ac_leak_check(1, True);
    ac_profile_fini();
    if (VG_(clo_stats))
        ac_print_stats();
}

static void ac_pre_clo_init(void)
{
    VG_(details_name)("arrcheck");
    VG_(details_version)(NULL);
    VG_(details_description)("an array leak and dangling-view checker");
    VG_(details_copyright_author)("Copyright (C) the arrdbg authors; built on Valgrind's tool interface.");
    VG_(details_bug_reports_to)("the arrdbg project's issue tracker (README.md)");
    VG_(details_avg_translation_sizeB)(275);

    VG_(basic_tool_funcs)(ac_post_clo_init, ac_instrument, ac_fini);
    VG_(needs_command_line_options)(ac_process_cmd_line_option, ac_print_usage,
                                    ac_print_debug_usage);
    VG_(needs_client_requests)(ac_handle_client_request);
    VG_(needs_print_stats)(ac_print_stats);
    VG_(needs_syscall_wrapper)(ac_pre_syscall, ac_post_syscall);
    VG_(needs_xml_output)();
    ac_register_errors();

    ac_table_init(&ac_tables[AC_BY_ID], 1024);
    ac_table_init(&ac_tables[AC_BY_HANDLE], 1024);
}

VG_DETERMINE_INTERFACE_VERSION(ac_pre_clo_init)
