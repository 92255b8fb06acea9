/* ac_records.c - arrcheck's array records: the two hash tables (by id and
 * by handle address), interned dtype/op names, the ring of recently freed
 * handles, building a record from a validated request, and describing a
 * record in words.
 *
 * Records live in two intrusive hash tables.  A live record is in both; an
 * owner freed while views lived stays in the id table only (flag AC_FREED)
 * until its last view is gone and its quarantined buffer is released, so
 * reports can still name it.
 *
 * This file is the bottom layer: it calls nothing in ac_main.c, ac_leak.c
 * or ac_profile.c (see the layering note in ac_include.h).
 */
#include "pub_tool_basics.h"
#include "pub_tool_libcassert.h"
#include "pub_tool_libcbase.h"
#include "pub_tool_libcprint.h"
#include "pub_tool_mallocfree.h"

#include "ac_include.h"

/* ---- accounting ------------------------------------------------------------ */

ULong ac_live_owners, ac_live_views, ac_live_orphans, ac_live_bytes;
ULong ac_n_created, ac_n_freed;
static ULong ac_record_bytes, ac_peak_records;

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

/* Length of the valid UTF-8 sequence at s (0: invalid or a control code,
 * C1 controls included).  Shared by every writer of client text. */
Int ac_utf8_seq(const UChar *s)
{
    UChar c = s[0];
    Int n;
    UChar lo = 0x80, hi = 0xBF;
    if (c >= 0x20 && c < 0x7F)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        n = 2;
    else if (c >= 0xE0 && c <= 0xEF)
        n = 3, lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
    else if (c >= 0xF0 && c <= 0xF4)
        n = 4, lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
    else
        return 0;
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (Int i = 2; i < n; i++)
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    if (n == 2 && c == 0xC2 && s[1] < 0xA0)
        return 0; /* C1 control codes */
    return n;
}

void ac_escape(const HChar *src, HChar *dst, Int ndst)
{
    Int n = 0;
    for (const UChar *u = (const UChar *)src; *u && n < ndst - 1;) {
        Int len = ac_utf8_seq(u);
        HChar esc[8];
        const HChar *out = esc;
        Int olen;
        if (*u == '\\') {
            out = "\\\\", olen = 2, len = 1;
        } else if (len > 0) {
            out = (const HChar *)u, olen = len;
        } else {
            len = 1;
            olen = *u == '\n' ? (out = "\\n", 2)
                   : *u == '\r' ? (out = "\\r", 2)
                   : *u == '\t' ? (out = "\\t", 2)
                                 : VG_(snprintf)(esc, sizeof esc, "\\x%02x", *u);
        }
        if (n + olen > ndst - 1)
            break; /* never half an escape or half a character */
        VG_(memcpy)(dst + n, out, olen);
        n += olen;
        u += len;
    }
    dst[n] = '\0';
}

UChar ac_intern(const HChar *raw)
{
    HChar name[4 * AC_NAME_MAX];
    ac_escape(raw, name, sizeof name);
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
    if (rec->label && n < nbuf - 1) {
        HChar label[4 * AC_LABEL_MAX];
        ac_escape(rec->label, label, sizeof label);
        VG_(snprintf)(buf + n, nbuf - n, " '%s'", label);
    }
}

/* ---- recently freed handles, to explain invalid frees ------------------- */

#define AC_FREED_RING 1024
static ACFreedEntry ac_freed_ring[AC_FREED_RING];
static UInt ac_freed_next;

void ac_remember_freed(const ACArray *rec, ExeContext *freed_at)
{
    ACFreedEntry *e = &ac_freed_ring[ac_freed_next++ % AC_FREED_RING];
    e->handle = rec->handle;
    e->id = rec->id;
    e->made_at = rec->made_at;
    e->freed_at = freed_at;
    e->heap_clock = ac_heap_now();
}

const ACFreedEntry *ac_find_freed(ULong id, Addr handle)
{
    /* Newest first: a handle address may have been reused. */
    for (UInt k = 1; k <= AC_FREED_RING && k <= ac_freed_next; k++) {
        const ACFreedEntry *e = &ac_freed_ring[(ac_freed_next - k) % AC_FREED_RING];
        if (id != 0 && e->id == id)
            return e;
        if (id == 0 && e->handle == handle) /* unless malloc gave it out again */
            return ac_heap_allocated_since(handle, e->heap_clock) ? NULL : e;
    }
    return NULL;
}

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

void ac_unlink_view(ACArray *view)
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

/* ---- building and dropping records ------------------------------------------ */

void ac_records_init(void)
{
    ac_table_init(&ac_tables[AC_BY_ID], 1024);
    ac_table_init(&ac_tables[AC_BY_HANDLE], 1024);
}

ACArray *ac_record_build(const ACNewArray *req, ExeContext *made_at)
{
    const struct arrcheck_array_info *info = &req->info;
    Bool is_view = req->is_view;
    ACArray *rec = VG_(malloc)("ac.array", ac_record_size(info->ndim));
    VG_(memset)(rec, 0, sizeof *rec);
    rec->id = info->id;
    rec->base_id = is_view ? info->base_id : info->id;
    rec->source_id = info->source_id;
    rec->handle = (Addr)info->handle;
    rec->handle_bytes = info->handle_bytes == 0        ? sizeof(Addr)
                        : info->handle_bytes > 65536u ? 65536u
                                                      : (UInt)info->handle_bytes;
    rec->buffer = (Addr)info->buffer;
    rec->buffer_bytes = is_view ? 0 : info->buffer_bytes;
    rec->extent_lo = info->extent_lo;
    rec->extent_hi = info->extent_hi;
    rec->itemsize = info->itemsize;
    rec->dtype_ix = ac_intern(req->dtype);
    rec->op_ix = ac_intern(req->op);
    rec->ndim = (UChar)info->ndim;
    rec->flags = (is_view ? AC_IS_VIEW : 0) | (!is_view && info->is_copy ? AC_IS_COPY : 0) |
                 (!is_view && info->owndata ? AC_OWNDATA : 0);
    for (Int i = 0; i < info->ndim; i++)
        rec->shape[i] = req->shape[i];
    rec->made_at = made_at;
    if (req->label[0])
        rec->label = VG_(strdup)("ac.label", req->label);

    ac_table_insert(AC_BY_ID, rec);
    ac_table_insert(AC_BY_HANDLE, rec);
    if (req->owner) {
        ac_link_view(req->owner, rec);
        if (req->owner->flags & AC_FREED) {
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
    ac_record_bytes += ac_record_size(info->ndim);
    if (ac_tables[AC_BY_ID].count > ac_peak_records)
        ac_peak_records = ac_tables[AC_BY_ID].count;
    return rec;
}

void ac_record_unlist_handle(ACArray *rec)
{
    ac_table_remove(AC_BY_HANDLE, rec);
}

void ac_record_drop(ACArray *rec)
{
    ac_table_remove(AC_BY_ID, rec);
    ac_destroy(rec);
}

void ac_records_print_stats(void)
{
    ULong n = ac_tables[AC_BY_ID].count;
    ULong table_bytes = (ULong)(ac_tables[0].mask + 1 + ac_tables[1].mask + 1) * sizeof(ACArray *);
    VG_(umsg)("arrcheck: %llu arrays created, %llu freed, %llu records now (peak %llu)\n",
              ac_n_created, ac_n_freed, n, ac_peak_records);
    VG_(umsg)("arrcheck: record memory %llu bytes + tables %llu bytes (%llu bytes/array "
              "before allocator overhead)\n",
              ac_record_bytes, table_bytes, n ? (ac_record_bytes + table_bytes) / n : 0);
}
