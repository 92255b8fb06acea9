/* ac_instr.c - DanglingAccess: instrumentation of loads and stores.
 *
 * Cost model: almost always no buffer is dangling, so every superblock
 * loads the global count ac_n_dangling once (a client request, the only
 * thing that changes it, always ends a superblock) and every memory access
 * gets a helper call guarded by "count != 0".  The helper runs only while a
 * freed owner's buffer is quarantined; it first tests the union bounds of
 * all dangling ranges, then the ranges themselves (few at a time).
 */
#include "pub_tool_basics.h"
#include "pub_tool_errormgr.h"
#include "pub_tool_libcbase.h"
#include "pub_tool_libcassert.h"
#include "pub_tool_machine.h"
#include "pub_tool_mallocfree.h"
#include "pub_tool_threadstate.h"
#include "pub_tool_tooliface.h"

#include "ac_include.h"

typedef struct {
    Addr lo, hi; /* [lo, hi) */
    ACArray *owner;
} ACDangling;

ULong ac_n_dangling; /* read by the generated code: keep it a ULong */
static ACDangling *ac_dangling;
static UInt ac_cap_dangling;
static Addr ac_dangling_min, ac_dangling_max;

static void ac_dangling_recompute_bounds(void)
{
    ac_dangling_min = ~(Addr)0;
    ac_dangling_max = 0;
    for (ULong i = 0; i < ac_n_dangling; i++) {
        if (ac_dangling[i].lo < ac_dangling_min)
            ac_dangling_min = ac_dangling[i].lo;
        if (ac_dangling[i].hi > ac_dangling_max)
            ac_dangling_max = ac_dangling[i].hi;
    }
}

void ac_dangling_add(ACArray *owner)
{
    if (ac_n_dangling == ac_cap_dangling) {
        ac_cap_dangling = ac_cap_dangling ? ac_cap_dangling * 2 : 8;
        ac_dangling = VG_(realloc)("ac.dangling", ac_dangling, ac_cap_dangling * sizeof *ac_dangling);
    }
    ACDangling *d = &ac_dangling[ac_n_dangling++];
    d->lo = owner->buffer;
    d->hi = owner->buffer + owner->buffer_bytes;
    d->owner = owner;
    ac_dangling_recompute_bounds();
}

/* Idempotent: an owner may be removed on release and on its last view. */
void ac_dangling_remove(ACArray *owner)
{
    for (ULong i = 0; i < ac_n_dangling; i++) {
        if (ac_dangling[i].owner == owner) {
            ac_dangling[i] = ac_dangling[--ac_n_dangling];
            ac_dangling_recompute_bounds();
            return;
        }
    }
}

static void ac_report_dangling(const ACDangling *d, Addr a, UWord size, Bool is_write)
{
    ACDanglingExtra extra;
    const ACArray *owner = d->owner;
    VG_(memset)(&extra, 0, sizeof extra);
    extra.addr = a < d->lo ? d->lo : a;
    extra.size = size;
    extra.is_write = is_write;
    extra.owner_id = owner->id;
    extra.buffer = owner->buffer;
    extra.buffer_bytes = owner->buffer_bytes;
    extra.owner_made_at = owner->made_at;
    extra.owner_freed_at = owner->freed_at;
    if (owner->first_view) {
        extra.view_id = owner->first_view->id;
        extra.view_made_at = owner->first_view->made_at;
    }
    VG_(maybe_record_error)(VG_(get_running_tid)(), AC_ERR_DANGLING_ACCESS, a, NULL, &extra);
}

static VG_REGPARM(3) void ac_check_access(Addr a, UWord size, UWord is_write)
{
    if (a + size <= ac_dangling_min || a >= ac_dangling_max)
        return;
    for (ULong i = 0; i < ac_n_dangling; i++) {
        const ACDangling *d = &ac_dangling[i];
        if (a < d->hi && a + size > d->lo) {
            ac_report_dangling(d, a, size, is_write != 0);
            return;
        }
    }
}

/* Adds "if (armed && guard) ac_check_access(addr, size, is_write)" before
 * the access.  *armed is made on the first access of the superblock. */
static void ac_add_check(IRSB *sb, IRTemp *armed, IRExpr *addr, Int size, Bool is_write,
                         IRExpr *guard)
{
    if (*armed == IRTemp_INVALID) {
        IRTemp count = newIRTemp(sb->tyenv, Ity_I64);
        *armed = newIRTemp(sb->tyenv, Ity_I1);
        addStmtToIRSB(sb, IRStmt_WrTmp(count, IRExpr_Load(Iend_LE, Ity_I64,
                                                          mkIRExpr_HWord((HWord)&ac_n_dangling))));
        addStmtToIRSB(sb, IRStmt_WrTmp(*armed, IRExpr_Binop(Iop_CmpNE64, IRExpr_RdTmp(count),
                                                            IRExpr_Const(IRConst_U64(0)))));
    }
    IRExpr *when = IRExpr_RdTmp(*armed);
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

IRSB *ac_instrument(VgCallbackClosure *closure, IRSB *sb_in, const VexGuestLayout *layout,
                    const VexGuestExtents *vge, const VexArchInfo *archinfo_host,
                    IRType gWordTy, IRType hWordTy)
{
    (void)closure, (void)layout, (void)vge, (void)archinfo_host;
    if (gWordTy != hWordTy)
        VG_(tool_panic)("arrcheck: host/guest word size mismatch");

    IRSB *sb = deepCopyIRSBExceptStmts(sb_in);
    IRTemp armed = IRTemp_INVALID;
    const IRTypeEnv *env = sb_in->tyenv;

    for (Int i = 0; i < sb_in->stmts_used; i++) {
        IRStmt *st = sb_in->stmts[i];
        if (!st)
            continue;
        switch (st->tag) {
        case Ist_Store:
            ac_add_check(sb, &armed, st->Ist.Store.addr,
                         sizeofIRType(typeOfIRExpr(env, st->Ist.Store.data)), True, NULL);
            break;
        case Ist_StoreG: {
            IRStoreG *sg = st->Ist.StoreG.details;
            ac_add_check(sb, &armed, sg->addr, sizeofIRType(typeOfIRExpr(env, sg->data)), True,
                         sg->guard);
            break;
        }
        case Ist_LoadG: {
            IRLoadG *lg = st->Ist.LoadG.details;
            IRType wide = Ity_INVALID, narrow = Ity_INVALID;
            typeOfIRLoadGOp(lg->cvt, &wide, &narrow);
            ac_add_check(sb, &armed, lg->addr, sizeofIRType(narrow), False, lg->guard);
            break;
        }
        case Ist_WrTmp: {
            IRExpr *e = st->Ist.WrTmp.data;
            if (e->tag == Iex_Load)
                ac_add_check(sb, &armed, e->Iex.Load.addr, sizeofIRType(e->Iex.Load.ty), False,
                             NULL);
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
                ac_add_check(sb, &armed, d->mAddr, d->mSize, writes, g);
            }
            break;
        }
        case Ist_CAS: {
            IRCAS *cas = st->Ist.CAS.details;
            Int sz = sizeofIRType(typeOfIRExpr(env, cas->dataLo));
            ac_add_check(sb, &armed, cas->addr, cas->dataHi ? 2 * sz : sz, True, NULL);
            break;
        }
        case Ist_LLSC:
            if (st->Ist.LLSC.storedata == NULL)
                ac_add_check(sb, &armed, st->Ist.LLSC.addr,
                             sizeofIRType(typeOfIRTemp(env, st->Ist.LLSC.result)), False, NULL);
            else
                ac_add_check(sb, &armed, st->Ist.LLSC.addr,
                             sizeofIRType(typeOfIRExpr(env, st->Ist.LLSC.storedata)), True,
                             NULL);
            break;
        default:
            break;
        }
        addStmtToIRSB(sb, st);
    }
    return sb;
}
