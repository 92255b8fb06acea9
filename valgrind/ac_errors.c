/* ac_errors.c - arrcheck's errors: printing (text and XML), dedup and
 * suppressions.  Every extra struct is self-contained (ids, strings,
 * ExeContexts, which live forever), so errors can be re-printed after the
 * arrays they describe are gone. */
#include "pub_tool_basics.h"
#include "pub_tool_libcbase.h"
#include "pub_tool_libcprint.h"
#include "pub_tool_options.h"

#include "ac_include.h"

const HChar *const ac_error_names[AC_ERR_NKINDS] = {
    [AC_ERR_LEAKED_COPY] = "LeakedCopy",
    [AC_ERR_LEAKED_ARRAY] = "LeakedArray",
    [AC_ERR_LEAKED_VIEW] = "LeakedView",
    [AC_ERR_ORPHANED_VIEW] = "OrphanedView",
    [AC_ERR_DANGLING_ACCESS] = "DanglingAccess",
    [AC_ERR_INVALID_FREE] = "InvalidFree",
};

/* The main line of an error: <what> in XML. */
static void ac_pp_what(const HChar *kind, const HChar *text)
{
    if (VG_(clo_xml)) {
        VG_(printf_xml)("  <kind>%s</kind>\n  <what>%pS</what>\n", kind, text);
    } else {
        VG_(umsg)("%s: %s\n", kind, text);
    }
}

/* A secondary line, usually followed by a stack: <auxwhat> in XML. */
static void ac_pp_aux(const HChar *text)
{
    if (VG_(clo_xml))
        VG_(printf_xml)("  <auxwhat>%pS</auxwhat>\n", text);
    else
        VG_(umsg)(" %s\n", text);
}

static void ac_pp_leak(const Error *err, const HChar *kind)
{
    const ACLeakExtra *x = VG_(get_error_extra)(err);
    ErrorKind k = VG_(get_error_kind)(err);
    const HChar *unit = k == AC_ERR_LEAKED_COPY ? "copies" : k == AC_ERR_LEAKED_ARRAY ? "arrays" : "views";
    const HChar *state = x->reachable ? "still reachable" : "lost";
    HChar text[200], aux[AC_DESC_MAX + 80];

    if (k == AC_ERR_LEAKED_VIEW)
        VG_(snprintf)(text, sizeof text, "%llu %s are %s in loss record %u of %u", x->count, unit,
                      state, x->record_no, x->n_records);
    else
        VG_(snprintf)(text, sizeof text, "%llu bytes in %llu %s are %s in loss record %u of %u",
                      x->bytes, x->count, unit, state, x->record_no, x->n_records);
    if (VG_(clo_xml)) {
        VG_(printf_xml)("  <kind>%s</kind>\n  <xwhat>\n    <text>%pS</text>\n"
                        "    <leakedbytes>%llu</leakedbytes>\n"
                        "    <leakedarrays>%llu</leakedarrays>\n  </xwhat>\n",
                        kind, text, x->bytes, x->count);
    } else {
        VG_(umsg)("%s: %s\n", kind, text);
    }
    VG_(pp_ExeContext)(VG_(get_error_where)(err));
    if (x->count > 1)
        VG_(snprintf)(aux, sizeof aux, "Array %s (and %llu more made there)", x->example,
                      x->count - 1);
    else
        VG_(snprintf)(aux, sizeof aux, "Array %s", x->example);
    ac_pp_aux(aux);
}

static void ac_pp_orphaned(const Error *err)
{
    const ACOrphanExtra *x = VG_(get_error_extra)(err);
    HChar text[160];
    VG_(snprintf)(text, sizeof text, "owner #%llu freed while %u view%s of it %s alive",
                  x->owner_id, x->nviews, x->nviews == 1 ? "" : "s",
                  x->nviews == 1 ? "is" : "are");
    ac_pp_what("OrphanedView", text);
    VG_(pp_ExeContext)(VG_(get_error_where)(err));
    for (UInt i = 0; i < x->nshown; i++) {
        VG_(snprintf)(text, sizeof text, "View %s was created at:", x->view_desc[i]);
        ac_pp_aux(text);
        VG_(pp_ExeContext)(x->view_made_at[i]);
    }
    if (x->nviews > x->nshown) {
        VG_(snprintf)(text, sizeof text, "(and %u more views)", x->nviews - x->nshown);
        ac_pp_aux(text);
    }
}

static void ac_pp_dangling(const Error *err)
{
    const ACDanglingExtra *x = VG_(get_error_extra)(err);
    HChar text[200];
    VG_(snprintf)(text, sizeof text, "invalid %s of size %lu", x->is_write ? "write" : "read",
                  x->size);
    ac_pp_what("DanglingAccess", text);
    VG_(pp_ExeContext)(VG_(get_error_where)(err));
    VG_(snprintf)(text, sizeof text,
                  "Address %#lx is %lu bytes inside the %llu-byte buffer of owner #%llu, %s",
                  x->addr, x->addr - x->buffer, x->buffer_bytes, x->owner_id,
                  x->orphans ? "freed while views of it are alive"
                             : "freed (its buffer is kept in quarantine)");
    ac_pp_aux(text);
    if (x->owner_label[0]) { /* a label says where, e.g. arrdbg's "file.py:12..30" */
        VG_(snprintf)(text, sizeof text, "Owner #%llu is labelled '%s'", x->owner_id,
                      x->owner_label);
        ac_pp_aux(text);
    }
    if (x->owner_made_at && !x->view_is_value) { /* (a value view's: after the free) */
        VG_(snprintf)(text, sizeof text, "Owner #%llu was made at:", x->owner_id);
        ac_pp_aux(text);
        VG_(pp_ExeContext)(x->owner_made_at);
    }
    VG_(snprintf)(text, sizeof text, "Owner #%llu was freed at:", x->owner_id);
    ac_pp_aux(text);
    VG_(pp_ExeContext)(x->owner_freed_at);
    if (x->view_made_at && x->view_is_value) {
        /* A value view (a gsl_matrix_view): which one, and the owner's birth. */
        VG_(snprintf)(text, sizeof text, "Owner #%llu was made at:", x->owner_id);
        ac_pp_aux(text);
        VG_(pp_ExeContext)(x->owner_made_at);
        VG_(snprintf)(text, sizeof text, "%s through view %s, made at:",
                      x->is_write ? "Written" : "Read", x->view_desc);
    } else if (x->view_holds_addr) {
        VG_(snprintf)(text, sizeof text,
                      "The address is inside orphaned view #%llu, which was created at:",
                      x->view_id);
    } else {
        VG_(snprintf)(text, sizeof text, "Orphaned view #%llu was created at:", x->view_id);
    }
    if (x->view_made_at) {
        ac_pp_aux(text);
        VG_(pp_ExeContext)(x->view_made_at);
    }
}

static void ac_pp_invalid_free(const Error *err)
{
    const ACInvalidFreeExtra *x = VG_(get_error_extra)(err);
    HChar text[160];
    if (x->id)
        VG_(snprintf)(text, sizeof text, "freeing handle %#lx (id %llu), which is not a live array",
                      x->handle, x->id);
    else
        VG_(snprintf)(text, sizeof text, "freeing handle %#lx, which is not a live array",
                      x->handle);
    ac_pp_what("InvalidFree", text);
    VG_(pp_ExeContext)(VG_(get_error_where)(err));
    if (x->freed_at) {
        VG_(snprintf)(text, sizeof text, "Array #%llu was already freed at:", x->known_id);
        ac_pp_aux(text);
        VG_(pp_ExeContext)(x->freed_at);
    }
    if (x->made_at) {
        VG_(snprintf)(text, sizeof text, "Array #%llu was made at:", x->known_id);
        ac_pp_aux(text);
        VG_(pp_ExeContext)(x->made_at);
    }
}

static void ac_pp_Error(const Error *err)
{
    ErrorKind k = VG_(get_error_kind)(err);
    switch (k) {
    case AC_ERR_LEAKED_COPY:
    case AC_ERR_LEAKED_ARRAY:
    case AC_ERR_LEAKED_VIEW:
        ac_pp_leak(err, ac_error_names[k]);
        break;
    case AC_ERR_ORPHANED_VIEW:
        ac_pp_orphaned(err);
        break;
    case AC_ERR_DANGLING_ACCESS:
        ac_pp_dangling(err);
        break;
    case AC_ERR_INVALID_FREE:
        ac_pp_invalid_free(err);
        break;
    default:
        VG_(umsg)("arrcheck: unknown error kind %d\n", k);
        break;
    }
    ac_pystack_pp(err);
}

static void ac_before_pp_Error(const Error *err)
{
    (void)err;
}

/* The core already matched kind and stack; dedup on the access shape and
 * the Python stack (ac_pystack.c) too. */
static Bool ac_eq_Error(VgRes res, const Error *e1, const Error *e2)
{
    (void)res;
    if (VG_(get_error_kind)(e1) == AC_ERR_DANGLING_ACCESS) {
        const ACDanglingExtra *a = VG_(get_error_extra)(e1), *b = VG_(get_error_extra)(e2);
        return a->is_write == b->is_write && a->size == b->size && a->py_key == b->py_key;
    }
    if (VG_(get_error_kind)(e1) == AC_ERR_INVALID_FREE) {
        const ACInvalidFreeExtra *a = VG_(get_error_extra)(e1), *b = VG_(get_error_extra)(e2);
        return a->py_key == b->py_key;
    }
    return True;
}

static UInt ac_update_extra(const Error *err)
{
    ac_pystack_capture(err); /* a new error: the Python stack of this moment */
    switch (VG_(get_error_kind)(err)) {
    case AC_ERR_LEAKED_COPY:
    case AC_ERR_LEAKED_ARRAY:
    case AC_ERR_LEAKED_VIEW:
        return sizeof(ACLeakExtra);
    case AC_ERR_ORPHANED_VIEW:
        return sizeof(ACOrphanExtra);
    case AC_ERR_DANGLING_ACCESS:
        return sizeof(ACDanglingExtra);
    case AC_ERR_INVALID_FREE:
        return sizeof(ACInvalidFreeExtra);
    default:
        return 0;
    }
}

static Bool ac_recognised_suppression(const HChar *name, Supp *su)
{
    for (Int k = 0; k < AC_ERR_NKINDS; k++) {
        if (VG_(strcmp)(name, ac_error_names[k]) == 0) {
            VG_(set_supp_kind)(su, k);
            return True;
        }
    }
    return False;
}

static Bool ac_read_extra_suppression_info(Int fd, HChar **bufpp, SizeT *nBufp, Int *lineno,
                                           Supp *su)
{
    (void)fd, (void)bufpp, (void)nBufp, (void)lineno, (void)su;
    return True;
}

static Bool ac_error_matches_suppression(const Error *err, const Supp *su)
{
    return VG_(get_error_kind)(err) == VG_(get_supp_kind)(su);
}

static const HChar *ac_get_error_name(const Error *err)
{
    ErrorKind k = VG_(get_error_kind)(err);
    return k >= 0 && k < AC_ERR_NKINDS ? ac_error_names[k] : NULL;
}

static SizeT ac_print_extra_suppression_info(const Error *err, HChar *buf, Int nBuf)
{
    (void)err;
    if (nBuf > 0)
        buf[0] = '\0';
    return 0;
}

static SizeT ac_print_extra_suppression_use(const Supp *su, HChar *buf, Int nBuf)
{
    (void)su;
    if (nBuf > 0)
        buf[0] = '\0';
    return 0;
}

static void ac_update_extra_suppression_use(const Error *err, const Supp *su)
{
    (void)err, (void)su;
}

void ac_register_errors(void)
{
    VG_(needs_tool_errors)(ac_eq_Error, ac_before_pp_Error, ac_pp_Error,
                           True /* "Thread N:" lines when errors come from several threads */,
                           ac_update_extra, ac_recognised_suppression,
                           ac_read_extra_suppression_info, ac_error_matches_suppression,
                           ac_get_error_name, ac_print_extra_suppression_info,
                           ac_print_extra_suppression_use, ac_update_extra_suppression_use);
}
