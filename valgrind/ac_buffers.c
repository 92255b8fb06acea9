/* ac_buffers.c - live owners' buffers, and which freed buffers may be
 * quarantined (ARRCHECK_FREED_TO_QUARANTINE, or an owner freed while its
 * views live).
 *
 * A quarantined range makes every access inside it a DanglingAccess, so a
 * bogus range is refused with a one-line warning (once per cause, as the
 * request may come for every array a library frees): one over memory that
 * is not mapped (an implausible size: a 64 TiB "buffer"), and one that
 * overlaps a live owner's buffer (every access to that live array would
 * be reported).
 */
#include "pub_tool_basics.h"
#include "pub_tool_aspacemgr.h"
#include "pub_tool_libcbase.h"
#include "pub_tool_libcprint.h"
#include "pub_tool_options.h"
#include "pub_tool_vki.h"

#include "ac_include.h"

/* Live owners' buffers, to refuse a quarantine over a live array: every
 * access to that array would be taken for a dangling one.  An owner whose
 * buffer overlaps one already listed (a bogus request) is not listed. */
static ACIntervalSet *ac_live_buffers;

static Bool ac_owns_bytes(const ACArray *owner)
{
    return (owner->flags & AC_OWNDATA) && owner->buffer_bytes > 0 &&
           owner->buffer + owner->buffer_bytes > owner->buffer;
}

const ACArray *ac_view_holding(const ACArray *owner, Addr a)
{
    const ACArray *best = NULL;
    for (const ACArray *v = owner->first_view; v; v = v->next_view)
        if (a >= owner->buffer + v->extent_lo && a < owner->buffer + v->extent_hi &&
            (!best || v->extent_hi - v->extent_lo < best->extent_hi - best->extent_lo))
            best = v;
    return best;
}

void ac_live_buffer_add(ACArray *owner)
{
    if (!ac_owns_bytes(owner))
        return;
    if (!ac_live_buffers)
        ac_live_buffers = ac_iset_new("ac.livebuf");
    (void)ac_iset_add(ac_live_buffers, owner->buffer, owner->buffer + owner->buffer_bytes, owner);
}

void ac_live_buffer_remove(ACArray *owner)
{
    if (ac_live_buffers && ac_owns_bytes(owner))
        (void)ac_iset_remove(ac_live_buffers, owner->buffer, owner);
}

/* One line, once per cause (the request that triggers it may come for
 * every array a library frees). */
static void ac_note_once(ThreadId tid, Bool *said, const HChar *fmt, ...) PRINTF_CHECK(3, 4);
static void ac_note_once(ThreadId tid, Bool *said, const HChar *fmt, ...)
{
    HChar msg[300];
    va_list ap;
    if (*said)
        return;
    *said = True;
    va_start(ap, fmt);
    VG_(vsnprintf)(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (VG_(clo_xml))
        VG_(printf_xml)("<clientmsg>\n  <tid>%u</tid>\n  <text>Warning: arrcheck: %pS</text>\n"
                        "</clientmsg>\n", tid, msg);
    else
        VG_(umsg)("Warning: arrcheck: %s\n", msg);
}

Bool ac_quarantine_acceptable(ThreadId tid, const HChar *req, const ACArray *owner)
{
    static Bool said_unmapped, said_overlap;
    Addr lo = owner->buffer;
    ULong n = owner->buffer_bytes;
    if (lo + n < lo || !VG_(am_is_valid_for_client)(lo, n, VKI_PROT_NONE)) {
        ac_note_once(tid, &said_unmapped,
                     "%s: #%llu's buffer %#lx + %llu bytes is not mapped memory (an implausible "
                     "range): not quarantined, accesses to it are not checked (said once)",
                     req, owner->id, lo, n);
        return False;
    }
    const ACInterval *iv = ac_live_buffers ? ac_iset_find(ac_live_buffers, lo, n) : NULL;
    if (iv) {
        const ACArray *live = iv->payload;
        ac_note_once(tid, &said_overlap,
                     "%s: #%llu's buffer %#lx + %llu bytes overlaps the buffer of live array "
                     "#%llu: not quarantined, accesses to it are not checked (said once)",
                     req, owner->id, lo, n, live->id);
        return False;
    }
    return True;
}
