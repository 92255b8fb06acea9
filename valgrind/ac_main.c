/* ac_main.c - arrcheck: client requests (validated here, recorded by
 * ac_records.c), the life cycle of owners, views and quarantined buffers,
 * options, monitor commands and the tool's registration with the core.
 * The top layer: it calls the others, none of them calls it.
 */
#include "pub_tool_basics.h"
#include "pub_tool_libcproc.h"
#include "pub_tool_aspacemgr.h"
#include "pub_tool_clreq.h"
#include "pub_tool_debuginfo.h"
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
#include "pub_tool_wordfm.h"

#include "ac_include.h"

/* ---- options ------------------------------------------------------------ */

static Bool ac_clo_show_libarr_frames = False;


/* ---- where arrays are made and freed ------------------------------------------- */

/* libarr's inner frames (emit_created, arr__new_view, slicev_impl, ...)
 * say nothing to the program's author and push its own frames out of
 * --num-callers.  Like memcheck's "at malloc / by caller", the stack starts
 * at the public call: the outermost frame of the libarr frames on top.  A
 * stack with no libarr frame on top (a program speaking the requests
 * itself) or with nothing but libarr frames is kept whole. */
#define AC_MAX_LIBARR_FRAMES 16
#define AC_DEEPEST_BACKTRACE 500 /* the core's limit for --num-callers */

static ExeContext *ac_record_user_context(ThreadId tid)
{
    if (ac_clo_show_libarr_frames)
        return VG_(record_ExeContext)(tid, 0);
    Addr ips[AC_DEEPEST_BACKTRACE + AC_MAX_LIBARR_FRAMES];
    UInt want = (UInt)VG_(clo_backtrace_size) + AC_MAX_LIBARR_FRAMES;
    if (want > sizeof ips / sizeof ips[0])
        want = sizeof ips / sizeof ips[0];
    UInt n = VG_(get_StackTrace)(tid, ips, want, NULL, NULL, 0);
    /* arrcheck's own preload (the GSL adapter) is never shown. */
    UInt skip = ac_preload_frames(ips, n);
    UInt first_outside = skip;
    while (first_outside < n && ac_ip_in_libarr(ips[first_outside]))
        first_outside++;
    UInt start = first_outside > skip && first_outside < n ? first_outside - 1 : skip;
    UInt keep = n - start;
    if (keep > (UInt)VG_(clo_backtrace_size))
        keep = (UInt)VG_(clo_backtrace_size);
    return VG_(make_ExeContext_from_StackTrace)(ips + start, keep);
}

/* ---- owners, views and quarantined buffers ---------------------------------- */

static void ac_quarantine_add(ACArray *owner);

/* A freed owner's record goes once no view needs it and its buffer (if
 * quarantined) was released. */
static void ac_maybe_drop_dead_owner(ACArray *owner);

/* ac_heap.c: a client heap block [a, a+len) is being freed; value views
 * stored in it die with it (as ARRCHECK_STORAGE_FREED over it). */
void ac_storage_freed(ThreadId tid, Addr a, SizeT len)
{
    ac_values_retire_range(tid, a, a + len, ac_maybe_drop_dead_owner);
}

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
    ac_record_drop(owner);
}

/* Reads and checks an OWNER_CREATED / VIEW_CREATED request: every read of
 * client memory is checked first.  False (after a warning) when the request
 * cannot be honoured; then nothing is recorded. */
static Bool ac_validate_created(ThreadId tid, Addr info_addr, Bool is_view, ACNewArray *out)
{
    const HChar *req = is_view ? "VIEW_CREATED" : "OWNER_CREATED";
    struct arrcheck_array_info *info = &out->info;

    VG_(memset)(out, 0, sizeof *out);
    out->is_view = is_view;
    UInt head[2]; /* version, size */
    if (info_addr == 0 || !ac_client_copy(head, info_addr, sizeof head)) {
        ac_warn(tid, "%s: info pointer %#lx is not readable client memory", req, info_addr);
        return False;
    }
    UInt version = head[0], size = head[1];
    if (version != ARRCHECK_PROTOCOL_VERSION) {
        ac_warn(tid, "%s: protocol version %u, but this arrcheck speaks version %u", req,
                version, ARRCHECK_PROTOCOL_VERSION);
        return False;
    }
    if (size != sizeof *info) {
        ac_warn(tid, "%s: info size %u, expected %lu (protocol mismatch)", req, size,
                (unsigned long)sizeof *info);
        return False;
    }
    if (!ac_client_copy(info, info_addr, sizeof *info)) {
        ac_warn(tid, "%s: info struct at %#lx is not readable", req, info_addr);
        return False;
    }

    if (info->id == 0) {
        ac_warn(tid, "%s: array id 0 (ids start at 1)", req);
        return False;
    }
    if (ac_lookup_id(info->id)) {
        ac_warn(tid, "%s: array id %llu is already in use", req, (ULong)info->id);
        return False;
    }
    if (info->handle == NULL) {
        ac_warn(tid, "%s: array #%llu has a NULL handle", req, (ULong)info->id);
        return False;
    }
    if (ac_lookup_handle((Addr)info->handle)) {
        ac_warn(tid, "%s: handle %p of array #%llu is already a live array", req,
                info->handle, (ULong)info->id);
        return False;
    }
    if (info->ndim < 0 || info->ndim > AC_MAX_NDIM) {
        ac_warn(tid, "%s: array #%llu has ndim %d (must be 0..%d)", req, (ULong)info->id,
                info->ndim, AC_MAX_NDIM);
        return False;
    }
    if (info->ndim > 0 &&
        (info->shape == NULL ||
         !ac_client_copy(out->shape, (Addr)info->shape, info->ndim * sizeof(Long)))) {
        ac_warn(tid, "%s: array #%llu: shape pointer %p is not readable", req,
                (ULong)info->id, info->shape);
        return False;
    }
    if (is_view && info->base_id == info->id) {
        ac_warn(tid, "%s: view #%llu names itself as its owner", req, (ULong)info->id);
        return False;
    }
    if (is_view) {
        out->owner = ac_lookup_id(info->base_id);
        if (!out->owner || (out->owner->flags & AC_IS_VIEW)) {
            ac_warn(tid, "%s: view #%llu of unknown owner #%llu", req, (ULong)info->id,
                    (ULong)info->base_id);
            out->owner = NULL;
        }
    }
    /* Names that cannot be read become "?" / no label, with a warning. */
    if (!ac_client_string((Addr)info->dtype_name, out->dtype, sizeof out->dtype))
        ac_warn(tid, "%s: array #%llu: dtype name at %p is not readable", req,
                (ULong)info->id, info->dtype_name);
    if (!ac_client_string((Addr)info->op_name, out->op, sizeof out->op))
        ac_warn(tid, "%s: array #%llu: op name at %p is not readable", req, (ULong)info->id,
                info->op_name);
    if (!ac_client_string((Addr)info->label, out->label, sizeof out->label))
        ac_warn(tid, "%s: array #%llu: label at %p is not readable", req, (ULong)info->id,
                info->label);
    return True;
}

/* ARRCHECK_NEW_ID: the next id is above every id handed out or sent in a
 * CREATED request so far, so libraries that ask never share one. */
static ULong ac_next_free_id = 1;

static ULong ac_new_id(void)
{
    return ac_next_free_id == 0 ? 0 : ac_next_free_id++; /* 0: all 2^64 used */
}

/* Returns, for a value view, 1 when its storage is on no stack. */
static UWord ac_array_created(ThreadId tid, Addr info_addr, Bool is_view, Bool is_value)
{
    ACNewArray req;
    if (!ac_validate_created(tid, info_addr, is_view, &req))
        return 0;
    if (req.info.id >= ac_next_free_id && ac_next_free_id != 0)
        ac_next_free_id = req.info.id + 1; /* a self-numbered id: NEW_ID goes above it */
    /* A value view held at this handle was overwritten by this array. */
    ac_values_retire_at(tid, (Addr)req.info.handle, ac_maybe_drop_dead_owner);
    ACArray *rec = ac_record_build(&req, ac_record_user_context(tid));
    if (!is_view)
        ac_live_buffer_add(rec);
    ac_profile_created(tid, rec);
    return is_value ? ac_values_add(rec) : 0;
}

/* Where OrphanedView errors were reported already: ExeContexts are
 * interned, so one stack is one pointer, mixed with the Python stack's key. */
static WordFM *ac_orphan_sites;

/* The error's stack is freed_at, which starts at the library's public call
 * (ac_record_user_context) as the other kinds' stacks do; the core would
 * take the stack of the request itself, inside the library.  So it goes
 * through VG_(unique_error), with the core's dedup done here: a stack
 * seen before counts, but is not printed again. */
static void ac_report_orphans(ThreadId tid, ACArray *owner, ExeContext *freed_at)
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
    if (!ac_orphan_sites)
        ac_orphan_sites = VG_(newFM)(VG_(malloc), "ac.orphan.sites", VG_(free), NULL);
    /* A site is the C stack and the Python stack (ac_pystack.c). */
    UWord site = (UWord)freed_at ^ ac_pystack_key() * (UWord)0x9e3779b97f4a7c15ULL;
    Bool seen = VG_(lookupFM)(ac_orphan_sites, NULL, NULL, site);
    if (!seen)
        VG_(addToFM)(ac_orphan_sites, site, 0);
    (void)VG_(unique_error)(tid, AC_ERR_ORPHANED_VIEW, owner->buffer, NULL, &extra, freed_at,
                            !seen /* print */, !seen /* gdbserver may stop */, True /* count */);
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
    extra.py_key = ac_pystack_key();
    /* Sent from arrcheck's own preload (the GSL adapter): the error's
     * stack starts at the program's call, like every other stack. */
    Addr ips[AC_MAX_LIBARR_FRAMES];
    UInt n = VG_(get_StackTrace)(tid, ips, AC_MAX_LIBARR_FRAMES, NULL, NULL, 0);
    if (ac_preload_frames(ips, n) > 0)
        VG_(unique_error)(tid, AC_ERR_INVALID_FREE, handle, NULL, &extra,
                          ac_record_user_context(tid), True, True, True);
    else
        VG_(maybe_record_error)(tid, AC_ERR_INVALID_FREE, handle, NULL, &extra);
}

/* ARRCHECK_FREED, or with to_quarantine ARRCHECK_FREED_TO_QUARANTINE: the
 * owner's buffer stays allocated in its library's quarantine (arrdbg's
 * NumPy handler) until QUARANTINE_RELEASED, and accesses to it are
 * DanglingAccess; its bytes count as freed now. */
static void ac_array_freed(ThreadId tid, ULong id, Addr handle, Bool to_quarantine)
{
    ACArray *rec = id ? ac_lookup_id(id) : NULL;
    if (!rec || (rec->flags & AC_FREED) || rec->handle != handle) {
        ac_invalid_free(tid, id, handle);
        return;
    }
    ExeContext *freed_at = ac_record_user_context(tid);
    ac_n_freed++;
    ac_record_unlist_handle(rec);
    ac_remember_freed(rec, freed_at);

    if (rec->flags & AC_IS_VIEW) {
        ACArray *owner = rec->owner;
        ac_profile_freed(tid, rec, True);
        ac_live_views--;
        if (rec->flags & AC_ORPHANED)
            ac_live_orphans--;
        ac_unlink_view(rec);
        ac_record_drop(rec);
        if (owner)
            ac_maybe_drop_dead_owner(owner);
        return;
    }

    ac_live_owners--;
    ac_live_buffer_remove(rec);
    Bool has_buffer = (rec->flags & AC_OWNDATA) && rec->buffer_bytes > 0;
    /* Value views are no OrphanedView (ac_values.c): they stay linked,
     * orphaned, while the buffer is quarantined, else they are let go. */
    UInt nvalues = ac_values_linked(rec);
    Bool to_q = to_quarantine && has_buffer && rec->nviews == nvalues &&
                ac_quarantine_acceptable(tid, "FREED_TO_QUARANTINE", rec);
    if (nvalues > 0 && nvalues == rec->nviews)
        ac_values_orphan(rec, to_q);
    if (to_q) {
        ac_profile_freed(tid, rec, True);
        ac_live_bytes -= rec->buffer_bytes;
        rec->flags |= AC_FREED | AC_FREED_TO_Q;
        rec->freed_at = freed_at;
        ac_quarantine_add(rec);
        ac_dangling_add(rec);
        return;
    }
    Bool quarantined = rec->nviews > 0 && has_buffer;
    ac_profile_freed(tid, rec, !quarantined);
    if (rec->nviews == 0) {
        ac_live_bytes -= rec->buffer_bytes;
        ac_record_drop(rec);
        return;
    }
    /* Freed while views live: every view becomes an orphan.  Keep the
     * record; its buffer stays allocated (libarr's quarantine) and any
     * access to it is dangling until the last orphan is gone. */
    ac_report_orphans(tid, rec, freed_at);
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
        if (ac_quarantine_acceptable(tid, to_quarantine ? "FREED_TO_QUARANTINE" : "FREED", rec))
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
 * QUARANTINE_RELEASED: buffer address -> owner, O(log n) both ways. */
static WordFM *ac_quarantined;

static void ac_quarantine_add(ACArray *owner)
{
    if (!ac_quarantined)
        ac_quarantined = VG_(newFM)(VG_(malloc), "ac.quarantine", VG_(free), NULL);
    UWord old = 0;
    if (!VG_(lookupFM)(ac_quarantined, NULL, &old, owner->buffer)) /* bogus duplicates: first wins */
        VG_(addToFM)(ac_quarantined, owner->buffer, (UWord)owner);
}

static void ac_quarantine_released(ThreadId tid, Addr buffer)
{
    UWord key, val = 0;
    if (!ac_quarantined || !VG_(delFromFM)(ac_quarantined, &key, &val, buffer)) {
        ac_warn(tid, "QUARANTINE_RELEASED: %#lx is not the buffer of a freed owner", buffer);
        return;
    }
    ACArray *owner = (ACArray *)val;
    owner->flags |= AC_RELEASED;
    if (!(owner->flags & AC_FREED_TO_Q))
        ac_live_bytes -= owner->buffer_bytes;
    ac_profile_released(tid, owner);
    ac_dangling_remove(owner);
    ac_values_drop_retired(owner);
    ac_maybe_drop_dead_owner(owner);
}

/* FREED of a live value view retires it (True); anything else is for
 * ac_array_freed. */
static Bool ac_value_view_freed(ThreadId tid, ULong id, Addr handle)
{
    ACArray *v = ac_values_at(handle);
    return v && v->id == id && ac_values_retire_at(tid, handle, ac_maybe_drop_dead_owner);
}

/* ARRCHECK_COPIED: owner #id was filled with a copy of #source_id. */
static void ac_copied(ThreadId tid, ULong id, ULong source_id)
{
    ACArray *rec = ac_lookup_id(id);
    if (!rec || (rec->flags & (AC_FREED | AC_IS_VIEW))) {
        ac_warn(tid, "COPIED: #%llu is not a live owner", id);
        return;
    }
    if (source_id == 0 || source_id == id || !ac_lookup_id(source_id)) {
        ac_warn(tid, "COPIED: source #%llu of #%llu is not an array", source_id, id);
        return;
    }
    rec->flags |= AC_IS_COPY;
    rec->source_id = source_id;
    rec->op_ix = ac_intern("copy");
    ac_profile_copied(rec);
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

/* Collects n records with each(), prints them by id (the first
 * AC_LIST_MAX) and frees the list. */
static void ac_monitor_print(ULong n, void (*each)(void (*)(ACArray *, void *), void *))
{
    ACCollect c = { VG_(malloc)("ac.list", (n ? n : 1) * sizeof(ACArray *)), 0 };
    each(ac_collect, &c);
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

static void ac_monitor_list(void)
{
    ULong n = ac_live_count();
    VG_(gdb_printf)("%llu live arrays (%llu owners, %llu views, %llu orphaned views), "
                    "%llu bytes\n",
                    n, ac_live_owners, ac_live_views, ac_live_orphans, ac_live_bytes);
    if (n > 0)
        ac_monitor_print(n, ac_for_each_live);
    /* Value views (ac_values.c) after the live arrays. */
    ULong nvalues = ac_values_live();
    if (nvalues > 0) {
        VG_(gdb_printf)("%llu value views (held by value; they go with their storage)\n",
                        nvalues);
        ac_monitor_print(nvalues, ac_values_for_each);
    }
}

/* One frame of a stack, as VG_(pp_ExeContext) shows it ("at"/"by" and
 * VG_(describe_IP), inlined calls included) but through VG_(gdb_printf):
 * monitor output in gdb carries no ==PID== prefix. */
static void ac_gdb_frame(UInt n, DiEpoch ep, Addr ip, void *opaque)
{
    InlIPCursor *iipc = VG_(new_IIPC)(ep, ip);
    do {
        VG_(gdb_printf)("   %s %s\n", n == 0 ? "at" : "by", VG_(describe_IP)(ep, ip, iipc));
        n++;
    } while (VG_(next_IIPC)(iipc));
    VG_(delete_IIPC)(iipc);
    (void)opaque;
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
    /* Digits only, and no wrap-around: 99999999999999999999999 is no id. */
    ULong id = 0;
    Bool ok = arg[0] != '\0';
    for (end = (HChar *)arg; ok && *end; end++) {
        UInt d = (UInt)(*end - '0');
        if (d > 9 || id > (~0ULL - d) / 10)
            ok = False;
        else
            id = id * 10 + d;
    }
    if (!ok || id == 0) {
        HChar shown[64];
        ac_escape(arg, shown, sizeof shown);
        VG_(gdb_printf)("arr info: '%s' is not an array id (a positive number below 2^64)\n",
                        shown);
        return;
    }
    ACArray *rec = ac_lookup_id((ULong)id);
    if (!rec) {
        const ACFreedEntry *e = ac_find_freed((ULong)id, 0);
        VG_(gdb_printf)("arr info: no live array #%llu%s\n", id,
                        e ? " (it was freed)" : "");
        return;
    }
    HChar desc[200];
    ac_describe_array(rec, desc, sizeof desc);
    VG_(gdb_printf)("%s%s\n", desc, !(rec->flags & AC_FREED)          ? ""
                    : (rec->flags & AC_FREED_TO_Q) ? " FREED (its buffer kept in quarantine)"
                                                   : " FREED (kept for its views)");
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
    VG_(apply_ExeContext)(ac_gdb_frame, NULL, rec->made_at);
    if (rec->freed_at) {
        VG_(gdb_printf)("  freed at:\n");
        VG_(apply_ExeContext)(ac_gdb_frame, NULL, rec->freed_at);
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
    if (arg[0] == VG_USERREQ__ARR_NEW_ID) { /* a counter: no stack walk for dead value views */
        *ret = (UWord)ac_new_id();
        return True;
    }
    ac_values_retire_dead(tid, ac_maybe_drop_dead_owner);
    switch (arg[0]) {
    case VG_USERREQ__ARR_OWNER_CREATED:
        ac_array_created(tid, arg[1], False, False);
        break;
    case VG_USERREQ__ARR_VIEW_CREATED:
        ac_array_created(tid, arg[1], True, False);
        break;
    case VG_USERREQ__ARR_VALUE_VIEW_CREATED:
        *ret = ac_array_created(tid, arg[1], True, True);
        break;
    case VG_USERREQ__ARR_FREED:
        if (!ac_value_view_freed(tid, arg[1], arg[2]))
            ac_array_freed(tid, arg[1], arg[2], False);
        break;
    case VG_USERREQ__ARR_RUNNING:
        *ret = ARRCHECK_LEVEL;
        break;
    case VG_USERREQ__ARR_STORAGE_FREED:
        if (arg[1] + arg[2] < arg[1])
            ac_warn(tid, "STORAGE_FREED: range %#lx + %lu wraps around", arg[1], arg[2]);
        else
            ac_storage_freed(tid, arg[1], arg[2]);
        break;
    case VG_USERREQ__ARR_COPIED:
        ac_copied(tid, arg[1], arg[2]);
        break;
    case VG_USERREQ__ARR_ID_OF: {
        ACArray *rec = ac_lookup_handle(arg[1]);
        if (!rec)
            rec = ac_values_at(arg[1]);
        *ret = !rec ? 0 : arg[2] ? rec->base_id : rec->id;
        break;
    }
    case VG_USERREQ__ARR_FREED_TO_QUARANTINE:
        ac_array_freed(tid, arg[1], arg[2], True);
        break;
    case VG_USERREQ__ARR_LABEL: {
        ACArray *rec = ac_lookup_id(arg[1]);
        HChar label[ARRCHECK_LABEL_MAX];
        if (!rec) {
            ac_warn(tid, "LABEL: no array #%lu", arg[1]);
        } else if (!ac_client_string(arg[2], label, sizeof label)) {
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
        if (!ac_ignore_range(arg[1], arg[2]))
            ac_warn(tid, "IGNORE_RANGE: range %#lx + %lu wraps around", arg[1], arg[2]);
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
    if (ac_leak_process_option(arg)) {
    } else if VG_BOOL_CLO (arg, "--show-libarr-frames", ac_clo_show_libarr_frames) {
    } else if VG_BOOL_CLO (arg, "--python-stack", ac_clo_python_stack) {
    } else if (ac_profile_process_option(arg)) {
    } else if (ac_heap_process_option(arg)) {
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
        "        libarr call the program made) [no]\n"
        "    --python-stack=no|yes            under each error in a Python process, its\n"
        "        Python stack (CPython 3.11 frames read when the error is found) [yes]\n");
    ac_profile_print_usage();
    VG_(printf)("\n  arrcheck is part of arrdbg, not of Valgrind: report its bugs in the arrdbg\n"
                "  project's issue tracker, " ARRDBG_BUGS ", not to valgrind.org.\n");
}

static void ac_print_debug_usage(void)
{
    VG_(printf)("    --trace-reach=no|yes      print where the leak scan found each array [no]\n");
}

/* ---- start and end ------------------------------------------------------------------------ */

static void ac_thread_exit(ThreadId tid)
{
    ac_values_thread_exit(tid, ac_maybe_drop_dead_owner);
    ac_stacks_thread_exit(tid);
    ac_profile_thread_exit(tid);
}

/* valgrind/arrgrind must set VALGRIND_LIB for valgrind to find this tool,
 * but the program must not inherit it (a program that runs valgrind
 * --tool=memcheck itself would look for memcheck there).  arrgrind passes
 * the program's own value as ARRGRIND_CLIENT_VALGRIND_LIB ("=" + value, or
 * empty when it had none); here, before the program runs, its
 * environment gets that value back. */
static void ac_restore_client_valgrind_lib(void)
{
    static const HChar marker[] = "ARRGRIND_CLIENT_VALGRIND_LIB=";
    HChar **env = VG_(client_envp);
    if (!env)
        return;
    Int n = 0, ours = -1, lib = -1;
    for (; env[n]; n++) {
        if (VG_(strncmp)(env[n], marker, sizeof marker - 1) == 0)
            ours = n;
        else if (VG_(strncmp)(env[n], "VALGRIND_LIB=", 13) == 0)
            lib = n;
    }
    if (ours < 0)
        return;
    HChar *rest = env[ours] + sizeof marker - 1; /* "" or "=" + value */
    HChar *value = rest[0] == '=' ? rest + 1 : NULL;
    if (value) {
        /* Rewritten in place: "VALGRIND_LIB=" is shorter than the marker. */
        HChar *dst = env[ours];
        VG_(memmove)(dst + 13, value, VG_(strlen)(value) + 1);
        VG_(memcpy)(dst, "VALGRIND_LIB=", 13);
        ours = -1; /* keep this entry */
    }
    if (ours < 0 && lib < 0)
        return;
    /* The entries are not removed: glibc finds the auxiliary vector right
     * after the environment's NULL, so the array keeps its length; a
     * dropped entry repeats a kept one (getenv finds the first), or is
     * an empty string when there is none. */
    HChar *filler = env[ours >= 0 ? ours : lib] + VG_(strlen)(env[ours >= 0 ? ours : lib]);
    for (Int r = 0; r < n; r++)
        if (r != ours && r != lib) {
            filler = env[r];
            break;
        }
    if (ours >= 0)
        env[ours] = filler;
    if (lib >= 0)
        env[lib] = filler;
}

static void ac_post_clo_init(void)
{
    ac_restore_client_valgrind_lib();
    ac_profile_post_clo_init();
}

static void ac_print_stats(void)
{
    ac_records_print_stats();
    ac_profile_print_stats();
}

static void ac_fini(Int exitcode)
{
    (void)exitcode;
    ac_leak_check(1, True);
    /* "0 errors" from a program that never spoke the protocol says nothing:
     * say why, in one line. */
    if (ac_n_created == 0 && ac_library_generation == 0 && !VG_(clo_xml) &&
        VG_(clo_verbosity) > 0)
        VG_(umsg)("arrcheck saw 0 arrays: no array library declared itself, so this program "
                  "does not speak the arrcheck protocol; memcheck is the tool for its heap "
                  "errors\n");
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
    VG_(details_bug_reports_to)(ARRDBG_BUGS);
    VG_(details_avg_translation_sizeB)(275);

    VG_(basic_tool_funcs)(ac_post_clo_init, ac_instrument, ac_fini);
    VG_(needs_command_line_options)(ac_process_cmd_line_option, ac_print_usage,
                                    ac_print_debug_usage);
    VG_(needs_client_requests)(ac_handle_client_request);
    VG_(needs_print_stats)(ac_print_stats);
    VG_(track_pre_thread_ll_exit)(ac_thread_exit);
    ac_stacks_init();
    ac_heap_init();
    VG_(needs_xml_output)();
    ac_register_errors();

    ac_records_init();
}

VG_DETERMINE_INTERFACE_VERSION(ac_pre_clo_init)
