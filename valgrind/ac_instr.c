/* ac_instr.c - DanglingAccess: instrumentation of loads and stores.
 *
 * Cost model: almost always no buffer is dangling, so every superblock
 * loads the global count ac_n_dangling once (a client request, the only
 * thing that changes it, always ends a superblock) and every memory access
 * gets a helper call guarded by "count != 0".  The helper runs only while a
 * freed owner's buffer is quarantined; it looks the address up in an
 * interval set (ac_ranges.c): union bounds, then an MRU hit and gap, then
 * an AVL tree, so its cost does not grow with the number of buffers.
 */
#include "pub_tool_basics.h"
#include "pub_tool_errormgr.h"
#include "pub_tool_libcbase.h"
#include "pub_tool_libcassert.h"
#include "pub_tool_libcprint.h"
#include "pub_tool_machine.h"
#include "pub_tool_mallocfree.h"
#include "pub_tool_threadstate.h"
#include "pub_tool_tooliface.h"

#include "ac_include.h"

/* Accesses up to this size are checked against the union bounds in the
 * generated code; the bounds are widened below by it. */
#define AC_DANGLING_MARGIN 64

/* Read by the generated code: keep them ULong.  lo/span: every
 * quarantined buffer lies in [lo + margin, lo + span); span 0: none. */
ULong ac_n_dangling, ac_dangling_lo, ac_dangling_span;
static ACIntervalSet *ac_dangling; /* quarantined buffers -> their owner */

static void ac_dangling_update(void)
{
    Addr min, max;
    ac_n_dangling = ac_iset_size(ac_dangling);
    if (!ac_iset_bounds(ac_dangling, &min, &max)) {
        ac_dangling_lo = ac_dangling_span = 0;
        return;
    }
    ac_dangling_lo = min > AC_DANGLING_MARGIN ? min - AC_DANGLING_MARGIN : 0;
    ac_dangling_span = max - ac_dangling_lo;
}

void ac_dangling_add(ACArray *owner)
{
    if (!ac_dangling)
        ac_dangling = ac_iset_new("ac.dangling");
    /* A buffer overlapping one already quarantined (bogus requests only)
     * is not watched: the set stays disjoint. */
    ac_iset_add(ac_dangling, owner->buffer, owner->buffer + owner->buffer_bytes, owner);
    ac_dangling_update();
}

/* Idempotent: an owner may be removed on release and on its last view. */
void ac_dangling_remove(ACArray *owner)
{
    if (!ac_dangling)
        return;
    ac_iset_remove(ac_dangling, owner->buffer, owner);
    ac_dangling_update();
}

ULong ac_dangling_searches(void)
{
    return ac_dangling ? ac_iset_searches(ac_dangling) : 0;
}

static void ac_report_dangling(const ACInterval *d, Addr a, UWord size, Bool is_write)
{
    ACDanglingExtra extra;
    const ACArray *owner = d->payload;
    VG_(memset)(&extra, 0, sizeof extra);
    extra.addr = a < d->lo ? d->lo : a;
    extra.size = size;
    extra.is_write = is_write;
    extra.owner_id = owner->id;
    extra.buffer = owner->buffer;
    extra.buffer_bytes = owner->buffer_bytes;
    extra.owner_made_at = owner->made_at;
    extra.owner_freed_at = owner->freed_at;
    extra.orphans = !(owner->flags & AC_FREED_TO_Q);
    for (UInt i = 0; owner->label && owner->label[i] && i + 1 < sizeof extra.owner_label; i++)
        extra.owner_label[i] = owner->label[i];
    /* The view the access went through, when one's extent holds it (the
     * smallest such: a row rather than the matrix block around it), else
     * the first one. */
    const ACArray *view = ac_view_holding(owner, extra.addr);
    extra.view_holds_addr = view != NULL;
    if (!view)
        view = owner->first_view;
    if (view) {
        extra.view_id = view->id;
        extra.view_made_at = view->made_at;
        extra.view_is_value = (view->flags & AC_VALUE) != 0;
        HChar shape[48];
        ac_describe_shape(view, shape, sizeof shape);
        VG_(snprintf)(extra.view_desc, sizeof extra.view_desc, "#%llu %s (%s)", view->id,
                      shape, ac_interned(view->op_ix));
    }
    extra.py_key = ac_pystack_key();
    VG_(maybe_record_error)(VG_(get_running_tid)(), AC_ERR_DANGLING_ACCESS, a, NULL, &extra);
}

/* Per access while a buffer is quarantined: O(1) in the common cases (the
 * union bounds, the MRU hit or gap), else O(log n) in the tree. */
static VG_REGPARM(3) void ac_check_access(Addr a, UWord size, UWord is_write)
{
    if (!ac_dangling)
        return;
    const ACInterval *d = ac_iset_find(ac_dangling, a, size);
    if (d)
        ac_report_dangling(d, a, size, is_write != 0);
}

/* Temps read once per superblock (only client requests change the values,
 * and a request ends a superblock). */
typedef struct {
    IRTemp armed;     /* ac_n_dangling != 0 */
    IRTemp lo, span;  /* ac_dangling_lo, ac_dangling_span */
} ACDangTemps;

/* Adds "if (inside && guard) ac_check_access(addr, size, is_write)" before
 * the access, where inside is "addr - ac_dangling_lo < ac_dangling_span"
 * (the union bounds of the quarantined buffers, widened below by
 * AC_DANGLING_MARGIN for accesses that start before a buffer): accesses
 * far from every quarantined buffer (the stack, say) cost a subtract and
 * a compare, no call.  Wider accesses (dirty helpers' memory) are guarded
 * by "any buffer quarantined" only. */
static void ac_add_check(IRSB *sb, ACDangTemps *t, IRExpr *addr, Int size, Bool is_write,
                         IRExpr *guard)
{
    IRExpr *when;
    if (size <= AC_DANGLING_MARGIN) {
        if (t->lo == IRTemp_INVALID) {
            t->lo = newIRTemp(sb->tyenv, Ity_I64);
            t->span = newIRTemp(sb->tyenv, Ity_I64);
            addStmtToIRSB(sb, IRStmt_WrTmp(t->lo, IRExpr_Load(Iend_LE, Ity_I64,
                                                              mkIRExpr_HWord((HWord)&ac_dangling_lo))));
            addStmtToIRSB(sb, IRStmt_WrTmp(t->span, IRExpr_Load(Iend_LE, Ity_I64,
                                                                mkIRExpr_HWord((HWord)&ac_dangling_span))));
        }
        IRTemp off = newIRTemp(sb->tyenv, Ity_I64);
        IRTemp inside = newIRTemp(sb->tyenv, Ity_I1);
        addStmtToIRSB(sb, IRStmt_WrTmp(off, IRExpr_Binop(Iop_Sub64, addr, IRExpr_RdTmp(t->lo))));
        addStmtToIRSB(sb, IRStmt_WrTmp(inside, IRExpr_Binop(Iop_CmpLT64U, IRExpr_RdTmp(off),
                                                            IRExpr_RdTmp(t->span))));
        when = IRExpr_RdTmp(inside);
    } else {
        if (t->armed == IRTemp_INVALID) {
            IRTemp count = newIRTemp(sb->tyenv, Ity_I64);
            t->armed = newIRTemp(sb->tyenv, Ity_I1);
            addStmtToIRSB(sb, IRStmt_WrTmp(count, IRExpr_Load(Iend_LE, Ity_I64,
                                                              mkIRExpr_HWord((HWord)&ac_n_dangling))));
            addStmtToIRSB(sb, IRStmt_WrTmp(t->armed, IRExpr_Binop(Iop_CmpNE64, IRExpr_RdTmp(count),
                                                                  IRExpr_Const(IRConst_U64(0)))));
        }
        when = IRExpr_RdTmp(t->armed);
    }
    if (guard) {
        IRTemp both = newIRTemp(sb->tyenv, Ity_I1);
        addStmtToIRSB(sb, IRStmt_WrTmp(both, IRExpr_Binop(Iop_And1, when, guard)));
        when = IRExpr_RdTmp(both);
    }
    IRDirty *di = unsafeIRDirty_0_N(3, "ac_check_access", VG_(fnptr_to_fnentry)(ac_check_access),
                                    mkIRExprVec_3(addr, mkIRExpr_HWord((HWord)size),
                                                  mkIRExpr_HWord(is_write ? 1 : 0)));
    di->guard = when;
    addStmtToIRSB(sb, IRStmt_Dirty(di));
}

/* ---- --profile=yes ---------------------------------------------------------
 * Three additions, only in profile mode: an instruction counter (the
 * profile's clock), a per-superblock check that closes copies' creation
 * windows (guarded by "a window is open"), and for each load/store a call
 * of ac_prof_load/ac_prof_store guarded by "the address is within the
 * bounds of the watched copy buffers" (bounds read once per superblock;
 * they only grow at client requests, which end superblocks). */

#define AC_DANGLING_MARGIN 64 /* bytes; the widest plain guest access is 32 */

typedef struct {
    IRTemp lo[2], span[2]; /* [0]: reads, [1]: writes; IRTemp_INVALID until read */
} ACProfBounds;

static IRExpr *ac_load_u64(IRSB *sb, const ULong *where)
{
    IRTemp t = newIRTemp(sb->tyenv, Ity_I64);
    addStmtToIRSB(sb, IRStmt_WrTmp(t, IRExpr_Load(Iend_LE, Ity_I64, mkIRExpr_HWord((HWord)where))));
    return IRExpr_RdTmp(t);
}

static void ac_add_instr_count(IRSB *sb, UInt n)
{
    if (n == 0)
        return;
    IRExpr *old = ac_load_u64(sb, &ac_prof_instrs);
    IRTemp sum = newIRTemp(sb->tyenv, Ity_I64);
    addStmtToIRSB(sb, IRStmt_WrTmp(sum, IRExpr_Binop(Iop_Add64, old,
                                                     IRExpr_Const(IRConst_U64(n)))));
    addStmtToIRSB(sb, IRStmt_Store(Iend_LE, mkIRExpr_HWord((HWord)&ac_prof_instrs),
                                   IRExpr_RdTmp(sum)));
}

static void ac_add_window_check(IRSB *sb, const VexGuestLayout *layout)
{
    IRExpr *open = ac_load_u64(sb, &ac_prof_open_windows);
    IRTemp any = newIRTemp(sb->tyenv, Ity_I1);
    addStmtToIRSB(sb, IRStmt_WrTmp(any, IRExpr_Binop(Iop_CmpNE64, open,
                                                     IRExpr_Const(IRConst_U64(0)))));
    IRTemp sp = newIRTemp(sb->tyenv, Ity_I64);
    addStmtToIRSB(sb, IRStmt_WrTmp(sp, IRExpr_Get(layout->offset_SP, Ity_I64)));
    IRDirty *di = unsafeIRDirty_0_N(1, "ac_prof_sb_entry", VG_(fnptr_to_fnentry)(ac_prof_sb_entry),
                                    mkIRExprVec_1(IRExpr_RdTmp(sp)));
    di->guard = IRExpr_RdTmp(any);
    addStmtToIRSB(sb, IRStmt_Dirty(di));
}

static void ac_add_prof_check(IRSB *sb, ACProfBounds *b, IRExpr *addr, Int size, Bool is_write,
                              IRExpr *guard)
{
    Int w = is_write ? 1 : 0;
    if (b->lo[w] == IRTemp_INVALID) {
        b->lo[w] = newIRTemp(sb->tyenv, Ity_I64);
        b->span[w] = newIRTemp(sb->tyenv, Ity_I64);
        addStmtToIRSB(sb, IRStmt_WrTmp(b->lo[w], ac_load_u64(sb, is_write ? &ac_prof_write_lo
                                                                          : &ac_prof_read_lo)));
        addStmtToIRSB(sb, IRStmt_WrTmp(b->span[w], ac_load_u64(sb, is_write ? &ac_prof_write_span
                                                                            : &ac_prof_read_span)));
    }
    IRTemp off = newIRTemp(sb->tyenv, Ity_I64);
    IRTemp inside = newIRTemp(sb->tyenv, Ity_I1);
    addStmtToIRSB(sb, IRStmt_WrTmp(off, IRExpr_Binop(Iop_Sub64, addr, IRExpr_RdTmp(b->lo[w]))));
    addStmtToIRSB(sb, IRStmt_WrTmp(inside, IRExpr_Binop(Iop_CmpLT64U, IRExpr_RdTmp(off),
                                                        IRExpr_RdTmp(b->span[w]))));
    IRExpr *when = IRExpr_RdTmp(inside);
    if (guard) {
        IRTemp both = newIRTemp(sb->tyenv, Ity_I1);
        addStmtToIRSB(sb, IRStmt_WrTmp(both, IRExpr_Binop(Iop_And1, when, guard)));
        when = IRExpr_RdTmp(both);
    }
    IRDirty *di = is_write
                      ? unsafeIRDirty_0_N(2, "ac_prof_store", VG_(fnptr_to_fnentry)(ac_prof_store),
                                          mkIRExprVec_2(addr, mkIRExpr_HWord((HWord)size)))
                      : unsafeIRDirty_0_N(2, "ac_prof_load", VG_(fnptr_to_fnentry)(ac_prof_load),
                                          mkIRExprVec_2(addr, mkIRExpr_HWord((HWord)size)));
    di->guard = when;
    addStmtToIRSB(sb, IRStmt_Dirty(di));
}

/* Both checks of one access: dangling (always), profile (in profile mode). */
static void ac_add_checks(IRSB *sb, ACDangTemps *armed, ACProfBounds *b, IRExpr *addr, Int size,
                          Bool is_write, IRExpr *guard)
{
    ac_add_check(sb, armed, addr, size, is_write, guard);
    if (ac_clo_profile)
        ac_add_prof_check(sb, b, addr, size, is_write, guard);
}

IRSB *ac_instrument(VgCallbackClosure *closure, IRSB *sb_in, const VexGuestLayout *layout,
                    const VexGuestExtents *vge, const VexArchInfo *archinfo_host,
                    IRType gWordTy, IRType hWordTy)
{
    (void)closure, (void)vge, (void)archinfo_host;
    if (gWordTy != hWordTy)
        VG_(tool_panic)("arrcheck: host/guest word size mismatch");

    IRSB *sb = deepCopyIRSBExceptStmts(sb_in);
    ACDangTemps armed = { IRTemp_INVALID, IRTemp_INVALID, IRTemp_INVALID };
    ACProfBounds bounds = { { IRTemp_INVALID, IRTemp_INVALID },
                            { IRTemp_INVALID, IRTemp_INVALID } };
    UInt pending_instrs = 0; /* counted since the last counter update */
    const IRTypeEnv *env = sb_in->tyenv;

    Int i = 0;
    if (ac_clo_profile) {
        /* Keep the preamble (statements before the first IMark) first. */
        for (; i < sb_in->stmts_used && sb_in->stmts[i]->tag != Ist_IMark; i++)
            addStmtToIRSB(sb, sb_in->stmts[i]);
        ac_add_window_check(sb, layout);
    }
    for (; i < sb_in->stmts_used; i++) {
        IRStmt *st = sb_in->stmts[i];
        if (!st)
            continue;
        switch (st->tag) {
        case Ist_IMark:
            pending_instrs++;
            break;
        case Ist_Exit:
            /* Instructions before a taken side exit must be counted. */
            if (ac_clo_profile) {
                ac_add_instr_count(sb, pending_instrs);
                pending_instrs = 0;
            }
            break;
        case Ist_Store:
            ac_add_checks(sb, &armed, &bounds, st->Ist.Store.addr,
                          sizeofIRType(typeOfIRExpr(env, st->Ist.Store.data)), True, NULL);
            break;
        case Ist_StoreG: {
            IRStoreG *sg = st->Ist.StoreG.details;
            ac_add_checks(sb, &armed, &bounds, sg->addr, sizeofIRType(typeOfIRExpr(env, sg->data)),
                          True, sg->guard);
            break;
        }
        case Ist_LoadG: {
            IRLoadG *lg = st->Ist.LoadG.details;
            IRType wide = Ity_INVALID, narrow = Ity_INVALID;
            typeOfIRLoadGOp(lg->cvt, &wide, &narrow);
            ac_add_checks(sb, &armed, &bounds, lg->addr, sizeofIRType(narrow), False, lg->guard);
            break;
        }
        case Ist_WrTmp: {
            IRExpr *e = st->Ist.WrTmp.data;
            if (e->tag == Iex_Load)
                ac_add_checks(sb, &armed, &bounds, e->Iex.Load.addr, sizeofIRType(e->Iex.Load.ty),
                              False, NULL);
            break;
        }
        case Ist_Dirty: {
            IRDirty *d = st->Ist.Dirty.details;
            if (d->mFx != Ifx_None && d->mSize > 0) {
                Bool writes = d->mFx == Ifx_Write || d->mFx == Ifx_Modify;
                IRExpr *g = (d->guard && !(d->guard->tag == Iex_Const &&
                                           d->guard->Iex.Const.con->Ico.U1))
                                ? d->guard
                                : NULL;
                Bool reads = d->mFx == Ifx_Read || d->mFx == Ifx_Modify;
                ac_add_check(sb, &armed, d->mAddr, d->mSize, writes, g);
                if (ac_clo_profile && reads)
                    ac_add_prof_check(sb, &bounds, d->mAddr, d->mSize, False, g);
                if (ac_clo_profile && writes)
                    ac_add_prof_check(sb, &bounds, d->mAddr, d->mSize, True, g);
            }
            break;
        }
        case Ist_CAS: {
            IRCAS *cas = st->Ist.CAS.details;
            Int sz = sizeofIRType(typeOfIRExpr(env, cas->dataLo));
            ac_add_check(sb, &armed, cas->addr, cas->dataHi ? 2 * sz : sz, True, NULL);
            if (ac_clo_profile) {
                ac_add_prof_check(sb, &bounds, cas->addr, cas->dataHi ? 2 * sz : sz, False, NULL);
                ac_add_prof_check(sb, &bounds, cas->addr, cas->dataHi ? 2 * sz : sz, True, NULL);
            }
            break;
        }
        case Ist_LLSC:
            if (st->Ist.LLSC.storedata == NULL)
                ac_add_checks(sb, &armed, &bounds, st->Ist.LLSC.addr,
                              sizeofIRType(typeOfIRTemp(env, st->Ist.LLSC.result)), False, NULL);
            else
                ac_add_checks(sb, &armed, &bounds, st->Ist.LLSC.addr,
                              sizeofIRType(typeOfIRExpr(env, st->Ist.LLSC.storedata)), True,
                              NULL);
            break;
        default:
            break;
        }
        addStmtToIRSB(sb, st);
    }
    if (ac_clo_profile)
        ac_add_instr_count(sb, pending_instrs);
    return sb;
}
