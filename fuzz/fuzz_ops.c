/* fuzz_ops.c - libFuzzer harness: random programs over libarr's public API.
 *
 * Each input decodes to a sequence of operations on up to MAX_SLOTS handles:
 * create (zeros/full/arange/empty+fill/wrap), every view maker, reshape in
 * both modes, copies in every order, ascontiguous/asfortran/astype, copyto,
 * fill/set/get, sum/mean/equal, may/shares_memory, labels, and free in any
 * order (owners before their views too).
 *
 * The harness keeps its own reference model: per owner a shadow copy of the
 * buffer's elements as doubles.  A handle's element idx lives at shadow index
 * (data - owner start + sum idx*strides) / itemsize.  Every new handle is
 * checked against its source through an index map the harness derives on its
 * own from the operation's meaning (NumPy's): views must alias exactly the
 * source elements the map names, copies must hold their values.  After every
 * step it checks libarr's invariants: the registry holds exactly the live
 * handles, stats agree with the harness's counts, every view lies inside its
 * owner's buffer, flags follow the strides, owners' view lists and orphan
 * marks are right.  Values stay small integers so every dtype holds them
 * exactly. */
#include "fuzz_common.h"

#include <math.h>

#define MAX_SLOTS 12
#define MAX_ELEMS 4096

typedef struct model {
    int refs;           /* slots pointing at this model */
    arr_dtype_t dtype;
    int itemsize;
    char *start;        /* the owner's data pointer: element 0 of the shadow */
    int64_t nelem;
    double *shadow;
    void *wrap_mem;     /* memory the harness lent to arr_wrap */
    arr_t *owner;       /* NULL once the owner was freed */
    bool is_copy;
} model_t;

typedef struct slot {
    arr_t *h;           /* NULL: empty slot */
    model_t *m;
    bool is_view, orphaned, writeable;
} slot_t;

typedef struct harness {
    fuzz_input_t in;
    slot_t slots[MAX_SLOTS];
    arr_stats_t stats0;      /* at the start of this input */
    int64_t created_owners, created_views, created_copies, freed;
} harness_t;

/* ---- the reference model ------------------------------------------------ */

/* What a value becomes when stored in dtype: values are small integers, so
 * only bool changes them. */
static double conv(arr_dtype_t dtype, double v) { return dtype == ARR_BOOL ? (v != 0) : v; }

static int64_t shape_size(int ndim, const int64_t *shape)
{
    int64_t n = 1;
    for (int i = 0; i < ndim; i++)
        n *= shape[i];
    return n;
}

/* Next index in C order; false after the last. */
static bool next_index(int ndim, const int64_t *shape, int64_t *idx)
{
    for (int i = ndim - 1; i >= 0; i--) {
        if (++idx[i] < shape[i])
            return true;
        idx[i] = 0;
    }
    return false;
}

static int64_t elem_of(const slot_t *s, const int64_t *idx)
{
    const arr_t *a = s->h;
    int64_t byte = a->data - s->m->start;
    for (int i = 0; i < a->ndim; i++)
        byte += idx[i] * a->strides[i];
    FUZZ_CHECK(byte % a->itemsize == 0, "element at byte %" PRId64 " is misaligned", byte);
    int64_t e = byte / a->itemsize;
    FUZZ_CHECK(e >= 0 && e < s->m->nelem, "element %" PRId64 " outside the %" PRId64 "-element buffer",
               e, s->m->nelem);
    return e;
}

static double model_value(const slot_t *s, const int64_t *idx) { return s->m->shadow[elem_of(s, idx)]; }

/* Every element libarr reads through the handle equals the shadow. */
static void check_values(const slot_t *s)
{
    const arr_t *a = s->h;
    if (s->orphaned || shape_size(a->ndim, a->shape) == 0)
        return;
    int64_t idx[ARR_MAXDIMS] = {0};
    do {
        double got;
        FUZZ_CHECK(arr_get_f64(a, idx, &got) == 0, "get of a live element");
        double want = model_value(s, idx);
        FUZZ_CHECK(got == want, "arr #%" PRIu64 " element %" PRId64 " is %g, model says %g", a->id,
                   elem_of(s, idx), got, want);
        FUZZ_CHECK((char *)arr_ptr(a, idx) == s->m->start + elem_of(s, idx) * a->itemsize,
                   "arr_ptr disagrees with the strides");
    } while (next_index(a->ndim, a->shape, idx));
}

static model_t *model_new(arr_t *owner, void *wrap_mem, int64_t nelem, bool is_copy)
{
    model_t *m = calloc(1, sizeof *m);
    FUZZ_CHECK(m != NULL, "harness out of memory");
    m->dtype = (arr_dtype_t)owner->dtype;
    m->itemsize = owner->itemsize;
    m->start = owner->data;
    m->nelem = nelem;
    m->shadow = calloc((size_t)(nelem > 0 ? nelem : 1), sizeof *m->shadow);
    FUZZ_CHECK(m->shadow != NULL, "harness out of memory");
    m->wrap_mem = wrap_mem;
    m->owner = owner;
    m->is_copy = is_copy;
    return m;
}

static void model_release(model_t *m)
{
    if (--m->refs > 0)
        return;
    free(m->shadow);
    free(m);
}

/* ---- slots ------------------------------------------------------------- */

static int free_slot(harness_t *H)
{
    for (int i = 0; i < MAX_SLOTS; i++)
        if (H->slots[i].h == NULL)
            return i;
    return -1;
}

/* A live slot chosen by the input, or NULL when there is none. */
static slot_t *pick(harness_t *H)
{
    int start = fuzz_below(&H->in, MAX_SLOTS);
    for (int k = 0; k < MAX_SLOTS; k++) {
        slot_t *s = &H->slots[(start + k) % MAX_SLOTS];
        if (s->h)
            return s;
    }
    return NULL;
}

static slot_t *add_owner(harness_t *H, arr_t *a, void *wrap_mem, bool is_copy)
{
    int i = free_slot(H);
    FUZZ_CHECK(i >= 0, "no free slot (callers check first)");
    int64_t nelem = a->op == ARR_OP_WRAP ? shape_size(a->ndim, a->shape) : a->buffer_bytes / a->itemsize;
    slot_t *s = &H->slots[i];
    *s = (slot_t){a, model_new(a, wrap_mem, nelem, is_copy), false, false, (a->flags & ARR_WRITEABLE) != 0};
    s->m->refs = 1;
    H->created_owners++;
    H->created_copies += is_copy;
    FUZZ_CHECK(!a->is_view && a->base == NULL && a->base_id == a->id, "owner bookkeeping");
    FUZZ_CHECK(((a->flags & ARR_OWNDATA) != 0) == (a->op != ARR_OP_WRAP), "OWNDATA of an owner");
    FUZZ_CHECK(arr_op_is_copy((arr_op_t)a->op) == is_copy, "op %s", arr_op_name((arr_op_t)a->op));
    return s;
}

static slot_t *add_view(harness_t *H, arr_t *v, const slot_t *src, bool readonly)
{
    int i = free_slot(H);
    FUZZ_CHECK(i >= 0, "no free slot (callers check first)");
    slot_t *s = &H->slots[i];
    *s = (slot_t){v, src->m, true, false, src->writeable && !readonly};
    s->m->refs++;
    H->created_views++;
    FUZZ_CHECK(v->is_view && !v->orphaned && v->base == src->m->owner, "view's base");
    FUZZ_CHECK(v->source_id == src->h->id && v->base_id == src->m->owner->id, "view's ids");
    FUZZ_CHECK(v->dtype == src->h->dtype, "a view changed the dtype");
    FUZZ_CHECK(!(v->flags & ARR_OWNDATA), "a view claims OWNDATA");
    return s;
}

/* ---- index maps: result index -> source index ------------------------- */

/* source[axis] = base[axis] + mul[axis] * result[from[axis]] (from -1: none),
 * or, for reshape, through the flat C-order position. */
typedef struct index_map {
    bool by_flat;
    int src_ndim;
    int64_t base[ARR_MAXDIMS], mul[ARR_MAXDIMS];
    int from[ARR_MAXDIMS];
    /* the result's shape as the harness expects it */
    int ndim;
    int64_t shape[ARR_MAXDIMS];
} index_map_t;

static void map_identity(index_map_t *m, const arr_t *src)
{
    memset(m, 0, sizeof *m);
    m->src_ndim = m->ndim = src->ndim;
    for (int i = 0; i < src->ndim; i++) {
        m->from[i] = i;
        m->mul[i] = 1;
        m->shape[i] = src->shape[i];
    }
}

static void apply_map(const index_map_t *m, const arr_t *src, const arr_t *res, const int64_t *ridx,
                      int64_t *sidx)
{
    if (m->by_flat) {
        int64_t flat = 0;
        for (int i = 0; i < res->ndim; i++)
            flat = flat * res->shape[i] + ridx[i];
        for (int i = src->ndim - 1; i >= 0; i--) {
            sidx[i] = flat % src->shape[i];
            flat /= src->shape[i];
        }
        return;
    }
    for (int i = 0; i < m->src_ndim; i++)
        sidx[i] = m->base[i] + (m->from[i] >= 0 ? m->mul[i] * ridx[m->from[i]] : 0);
}

/* The result has the expected shape; a view aliases exactly the mapped source
 * elements; a copy holds their values (converted to its dtype), which go into
 * its new shadow. */
static void check_mapped(const index_map_t *m, const slot_t *src, const slot_t *res)
{
    const arr_t *r = res->h, *s = src->h;
    FUZZ_CHECK(r->ndim == m->ndim, "result has %d dims, expected %d", r->ndim, m->ndim);
    for (int i = 0; i < m->ndim; i++)
        FUZZ_CHECK(r->shape[i] == m->shape[i], "result shape[%d] = %" PRId64 ", expected %" PRId64, i,
                   r->shape[i], m->shape[i]);
    if (shape_size(r->ndim, r->shape) == 0)
        return;
    int64_t ridx[ARR_MAXDIMS] = {0}, sidx[ARR_MAXDIMS];
    do {
        apply_map(m, s, r, ridx, sidx);
        for (int i = 0; i < s->ndim; i++)
            FUZZ_CHECK(sidx[i] >= 0 && sidx[i] < s->shape[i], "map leaves the source on axis %d", i);
        if (res->is_view)
            FUZZ_CHECK(elem_of(res, ridx) == elem_of(src, sidx), "view element is not the source's");
        else
            res->m->shadow[elem_of(res, ridx)] = conv(res->m->dtype, model_value(src, sidx));
    } while (next_index(r->ndim, r->shape, ridx));
    check_values(res);
}

/* ---- invariants ------------------------------------------------------- */

static void check_invariants(harness_t *H)
{
    int64_t live = 0, owners = 0, views = 0, orphans = 0, bytes = 0, copy_bytes = 0;
    for (int i = 0; i < MAX_SLOTS; i++) {
        const slot_t *s = &H->slots[i];
        const arr_t *a = s->h;
        if (!a)
            continue;
        live++;
        FUZZ_CHECK(arr_is_live(a), "slot %d is not live", i);
        FUZZ_CHECK(a->registry_slot >= 0 && a->registry_slot < arr_registry.count &&
                       arr_registry.items[a->registry_slot] == a,
                   "arr #%" PRIu64 " is not at its registry slot", a->id);
        FUZZ_CHECK(((a->flags & ARR_WRITEABLE) != 0) == s->writeable, "WRITEABLE of arr #%" PRIu64, a->id);
        fuzz_check_handle_layout(a, s->m->start, s->m->nelem * s->m->itemsize);
        if (!s->is_view) {
            owners++;
            bytes += a->buffer_bytes;
            copy_bytes += s->m->is_copy ? a->buffer_bytes : 0;
            FUZZ_CHECK(s->m->owner == a && a->data == s->m->start, "owner moved");
            int64_t expect_views = 0;
            for (int j = 0; j < MAX_SLOTS; j++)
                expect_views += H->slots[j].h && H->slots[j].is_view && H->slots[j].m == s->m;
            FUZZ_CHECK(a->nviews == expect_views, "owner #%" PRIu64 " counts %" PRId64 " views, not %" PRId64,
                       a->id, a->nviews, expect_views);
            int64_t walked = 0;
            for (const arr_t *v = a->views_head, *prev = NULL; v; prev = v, v = v->view_next) {
                FUZZ_CHECK(v->view_prev == prev && v->base == a, "broken view list of #%" PRIu64, a->id);
                FUZZ_CHECK(++walked <= expect_views, "view list of #%" PRIu64 " too long", a->id);
            }
            FUZZ_CHECK(walked == expect_views, "view list of #%" PRIu64 " has %" PRId64, a->id, walked);
        } else {
            views++;
            FUZZ_CHECK(a->is_view && a->orphaned == s->orphaned, "orphan mark of arr #%" PRIu64, a->id);
            if (s->orphaned) {
                orphans++;
                FUZZ_CHECK(a->base == NULL && a->view_next == NULL && a->view_prev == NULL,
                           "orphan still linked");
            } else {
                FUZZ_CHECK(a->base == s->m->owner && a->buffer == a->base->buffer &&
                               a->offset == a->data - a->base->data,
                           "view bookkeeping of arr #%" PRIu64, a->id);
            }
        }
    }
    FUZZ_CHECK(arr_registry.count == live, "registry has %" PRId64 " handles, harness %" PRId64,
               arr_registry.count, live);
    arr_stats_t st = arr_stats();
    FUZZ_CHECK(st.live_owners == owners && st.live_views == views && st.live_orphans == orphans,
               "stats live %" PRId64 "/%" PRId64 "/%" PRId64 ", harness %" PRId64 "/%" PRId64 "/%" PRId64,
               st.live_owners, st.live_views, st.live_orphans, owners, views, orphans);
    FUZZ_CHECK(st.live_bytes == bytes && st.live_copy_bytes == copy_bytes, "stats bytes");
    FUZZ_CHECK(st.peak_bytes >= st.live_bytes, "peak below live");
    FUZZ_CHECK(st.created_owners - H->stats0.created_owners == H->created_owners &&
                   st.created_views - H->stats0.created_views == H->created_views &&
                   st.created_copies - H->stats0.created_copies == H->created_copies &&
                   st.freed - H->stats0.freed == H->freed,
               "stats counters");
}

/* ---- operations ---------------------------------------------------------- */

static void random_shape(harness_t *H, int *ndim, int64_t *shape)
{
    *ndim = fuzz_below(&H->in, 5);
    for (int i = 0; i < *ndim; i++)
        shape[i] = fuzz_below(&H->in, 5);
}

static double random_value(harness_t *H) { return fuzz_below(&H->in, 101); }

static void op_create(harness_t *H)
{
    if (free_slot(H) < 0)
        return;
    int ndim;
    int64_t shape[4];
    random_shape(H, &ndim, shape);
    arr_dtype_t dtype = (arr_dtype_t)fuzz_below(&H->in, ARR_NDTYPES);
    int kind = fuzz_below(&H->in, 5);
    double v = random_value(H);
    arr_t *a = NULL;
    void *wrap_mem = NULL;
    switch (kind) {
    case 0: a = arr_zeros(ndim, shape, dtype); v = 0; break;
    case 1: a = arr_full(ndim, shape, dtype, v); break;
    case 2: {
        int64_t n = shape_size(ndim, shape) % 101; /* values up to 100 fit every dtype */
        ndim = 1;
        shape[0] = n;
        a = arr_arange(0, (double)n, 1, dtype);
        if (dtype == ARR_BOOL && n > 2) {
            FUZZ_CHECK(a == NULL, "bool arange of %" PRId64 " elements", n);
            fuzz_check_error("arr_arange", ERRBIT(ARR_ETYPE));
            return;
        }
        break;
    }
    case 3:
        a = arr_empty(ndim, shape, dtype);
        FUZZ_CHECK(a != NULL, "arr_empty");
        FUZZ_CHECK(arr_fill(a, v) == 0, "fill of a new array");
        break;
    default: {
        int64_t n = shape_size(ndim, shape), itemsize = arr_dtype_size(dtype);
        wrap_mem = calloc((size_t)(n > 0 ? n : 1), (size_t)itemsize); /* zero bits: 0 in every dtype */
        FUZZ_CHECK(wrap_mem != NULL, "harness out of memory");
        int64_t strides[4], stride = itemsize;
        bool fortran = fuzz_below(&H->in, 2);
        for (int k = 0; k < ndim; k++) { /* F order: the first axis is innermost */
            int i = fortran ? k : ndim - 1 - k;
            strides[i] = stride;
            stride *= shape[i] ? shape[i] : 1;
        }
        a = arr_wrap(wrap_mem, ndim, shape, strides, dtype, fuzz_below(&H->in, 2));
        v = 0;
        break;
    }
    }
    FUZZ_CHECK(a != NULL, "creation kind %d", kind);
    slot_t *s = add_owner(H, a, wrap_mem, false);
    FUZZ_CHECK(s->m->nelem == shape_size(ndim, shape), "buffer of %" PRId64 " elements", s->m->nelem);
    for (int64_t e = 0; e < s->m->nelem; e++)
        s->m->shadow[e] = kind == 2 ? conv(dtype, (double)e) : conv(dtype, v);
    check_values(s);
}

/* Python's slice.indices(): first index and length of start:stop:step on
 * an axis of length n (start/stop ARR_NONE when omitted, step nonzero). */
static int64_t slice_length(int64_t n, int64_t start, int64_t stop, int64_t step, int64_t *first)
{
    if (step > 0) {
        start = start == ARR_NONE ? 0 : start < 0 ? (start + n < 0 ? 0 : start + n) : (start > n ? n : start);
        stop = stop == ARR_NONE ? n : stop < 0 ? (stop + n < 0 ? 0 : stop + n) : (stop > n ? n : stop);
        *first = start;
        return stop > start ? (stop - start - 1) / step + 1 : 0;
    }
    start = start == ARR_NONE ? n - 1 : start < 0 ? (start + n < 0 ? -1 : start + n) : (start >= n ? n - 1 : start);
    stop = stop == ARR_NONE ? -1 : stop < 0 ? (stop + n < 0 ? -1 : stop + n) : (stop >= n ? n - 1 : stop);
    *first = start;
    return start > stop ? (start - stop - 1) / (-step) + 1 : 0;
}

static int64_t random_bound(harness_t *H)
{
    int b = fuzz_below(&H->in, 16);
    return b >= 13 ? ARR_NONE : b - 6;
}

/* Writes idx as the text arr_slice parses. */
static void render_spec(int n, const arr_index_t *idx, char *buf, size_t cap)
{
    size_t len = 0;
    buf[0] = '\0';
    for (int k = 0; k < n && len < cap; k++) {
        const arr_index_t *ix = &idx[k];
        char part[80];
        switch (ix->kind) {
        case ARR_IDX_INT: snprintf(part, sizeof part, "%" PRId64, ix->start); break;
        case ARR_IDX_NEWAXIS: snprintf(part, sizeof part, "%s", k % 2 ? "None" : "newaxis"); break;
        case ARR_IDX_ELLIPSIS: snprintf(part, sizeof part, "..."); break;
        default: {
            char a[24] = "", b[24] = "", c[24] = "";
            if (ix->start != ARR_NONE) snprintf(a, sizeof a, "%" PRId64, ix->start);
            if (ix->stop != ARR_NONE) snprintf(b, sizeof b, "%" PRId64, ix->stop);
            if (ix->step != ARR_NONE) snprintf(c, sizeof c, ":%" PRId64, ix->step);
            snprintf(part, sizeof part, "%s:%s%s", a, b, c);
        }
        }
        len += (size_t)snprintf(buf + len, cap - len, "%s%s", k ? ", " : "", part);
    }
}

static bool same_layout(const arr_t *a, const arr_t *b)
{
    return a->data == b->data && a->ndim == b->ndim &&
           memcmp(a->shape, b->shape, (size_t)a->ndim * sizeof a->shape[0]) == 0 &&
           memcmp(a->strides, b->strides, (size_t)a->ndim * sizeof a->strides[0]) == 0;
}

/* Fails cleanly on an orphan; returns true when the source is usable. */
static bool readable_or_orphan_error(const slot_t *src, const void *result, const char *what)
{
    if (!src->orphaned)
        return true;
    FUZZ_CHECK(result == NULL, "%s of an orphan succeeded", what);
    fuzz_check_error(what, ERRBIT(ARR_EORPHAN));
    return false;
}

/* A result the harness predicted: a view (aliasing per map) or nothing. */
static void expect_view(harness_t *H, slot_t *src, arr_t *v, bool ok, const index_map_t *m,
                        bool readonly, const char *what, unsigned errors)
{
    if (!readable_or_orphan_error(src, v, what))
        return;
    if (!ok) {
        FUZZ_CHECK(v == NULL, "%s succeeded where it must fail", what);
        fuzz_check_error(what, errors);
        return;
    }
    FUZZ_CHECK(v != NULL, "%s failed", what);
    slot_t *r = add_view(H, v, src, readonly);
    check_mapped(m, src, r);
}

static void op_slice(harness_t *H, slot_t *src)
{
    const arr_t *a = src->h;
    arr_index_t idx[8];
    int n = fuzz_below(&H->in, a->ndim + 3 < 9 ? a->ndim + 3 : 9);
    int consumed = 0, ellipses = 0;
    bool ok = true;
    for (int k = 0; k < n; k++) {
        int kind = fuzz_below(&H->in, 8);
        idx[k] = (arr_index_t){ARR_IDX_SLICE, ARR_NONE, ARR_NONE, ARR_NONE};
        if (kind == 0) {
            idx[k].kind = ARR_IDX_NEWAXIS;
        } else if (kind == 1) {
            idx[k].kind = ARR_IDX_ELLIPSIS;
            ellipses++;
        } else if (kind <= 3) {
            idx[k].kind = ARR_IDX_INT;
            idx[k].start = fuzz_below(&H->in, 13) - 6;
            consumed++;
        } else {
            idx[k].start = random_bound(H);
            idx[k].stop = random_bound(H);
            int st = fuzz_below(&H->in, 9);
            idx[k].step = st == 8 ? ARR_NONE : st - 4 + (st >= 4); /* -4..4 without 0 ... */
            if (fuzz_below(&H->in, 16) == 0)
                idx[k].step = 0; /* ... and now and then an explicit 0 */
            consumed++;
        }
    }
    ok = ellipses <= 1 && consumed <= a->ndim;
    index_map_t m;
    memset(&m, 0, sizeof m);
    m.src_ndim = a->ndim;
    if (ok) {
        int axis = 0, implicit = a->ndim - consumed;
        for (int k = 0; k <= n && ok; k++) {
            const arr_index_t *ix = k < n ? &idx[k] : NULL;
            if (ix ? ix->kind == ARR_IDX_ELLIPSIS : ellipses == 0) {
                if (m.ndim + implicit > ARR_MAXDIMS) {
                    ok = false; /* more than 32 dims: EINDEX */
                    break;
                }
                for (int j = 0; j < implicit; j++, axis++) {
                    m.from[axis] = m.ndim;
                    m.mul[axis] = 1;
                    m.shape[m.ndim++] = a->shape[axis];
                }
                continue;
            }
            if (!ix)
                break;
            if (ix->kind != ARR_IDX_INT && m.ndim == ARR_MAXDIMS) {
                ok = false; /* more than 32 dims: EINDEX */
            } else if (ix->kind == ARR_IDX_NEWAXIS) {
                m.shape[m.ndim++] = 1;
            } else if (ix->kind == ARR_IDX_INT) {
                int64_t len = a->shape[axis], i = ix->start;
                ok = i >= -len && i < len;
                m.from[axis] = -1;
                m.base[axis++] = i < 0 ? i + len : i;
            } else {
                int64_t step = ix->step == ARR_NONE ? 1 : ix->step, first = 0;
                ok = step != 0;
                if (ok) {
                    m.shape[m.ndim] = slice_length(a->shape[axis], ix->start, ix->stop, step, &first);
                    m.from[axis] = m.ndim++;
                    m.base[axis] = first;
                    m.mul[axis++] = step;
                }
            }
        }
    }
    /* The same indices as text: the parser must agree with arr_slicev.  The
     * text goes first so arr_slicev's error is the one left to check. */
    char spec[400];
    render_spec(n, idx, spec, sizeof spec);
    arr_t *w = arr_slice(src->h, spec);
    arr_err_t text_error = arr_errcode();
    arr_t *v = arr_slicev(src->h, n, idx);
    FUZZ_CHECK((v == NULL) == (w == NULL), "arr_slicev and arr_slice(\"%s\") disagree", spec);
    FUZZ_CHECK(v || src->orphaned || text_error == arr_errcode(), "arr_slice(\"%s\") failed with %s, arr_slicev with %s",
               spec, arr_strerror(text_error), arr_strerror(arr_errcode()));
    if (v && w)
        FUZZ_CHECK(same_layout(v, w), "arr_slice(\"%s\") differs from arr_slicev", spec);
    if (w) {
        FUZZ_CHECK(arr_free(w) == 0, "free");
        H->created_views++;
        H->freed++;
    }
    expect_view(H, src, v, ok, &m, false, "arr_slicev", ERRBIT(ARR_EINDEX));
}

static int random_axis(harness_t *H, int ndim) { return fuzz_below(&H->in, 2 * ndim + 3) - ndim - 1; }
static bool axis_ok(int axis, int ndim) { return axis >= -ndim && axis < ndim; }
static int norm_axis(int axis, int ndim) { return axis < 0 ? axis + ndim : axis; }

static void op_transpose(harness_t *H, slot_t *src)
{
    const arr_t *a = src->h;
    int axes[ARR_MAXDIMS], nd = a->ndim;
    bool given = fuzz_below(&H->in, 2), ok = true, seen[ARR_MAXDIMS] = {false};
    index_map_t m;
    memset(&m, 0, sizeof m);
    m.src_ndim = m.ndim = nd;
    for (int i = 0; i < nd; i++) {
        axes[i] = given ? random_axis(H, nd) : nd - 1 - i;
        if (!axis_ok(axes[i], nd) || seen[norm_axis(axes[i], nd)]) {
            ok = false;
            continue;
        }
        int ax = norm_axis(axes[i], nd);
        seen[ax] = true;
        m.from[ax] = i;
        m.mul[ax] = 1;
        m.shape[i] = a->shape[ax];
    }
    arr_t *v = arr_transpose(src->h, given ? axes : NULL);
    expect_view(H, src, v, ok, &m, false, "arr_transpose", ERRBIT(ARR_EINVAL));
}

static void op_swapaxes(harness_t *H, slot_t *src)
{
    const arr_t *a = src->h;
    int i = random_axis(H, a->ndim), j = random_axis(H, a->ndim);
    bool ok = axis_ok(i, a->ndim) && axis_ok(j, a->ndim);
    index_map_t m;
    map_identity(&m, a);
    if (ok) {
        int x = norm_axis(i, a->ndim), y = norm_axis(j, a->ndim);
        m.from[x] = y;
        m.from[y] = x;
        m.shape[x] = a->shape[y];
        m.shape[y] = a->shape[x];
    }
    arr_t *v = arr_swapaxes(src->h, i, j);
    expect_view(H, src, v, ok, &m, false, "arr_swapaxes", ERRBIT(ARR_EINVAL));
}

static void op_squeeze(harness_t *H, slot_t *src)
{
    const arr_t *a = src->h;
    int axis = fuzz_below(&H->in, 3) == 0 ? ARR_ALL_AXES : random_axis(H, a->ndim);
    bool ok = true;
    int only = -1;
    if (axis != ARR_ALL_AXES && !(a->ndim == 0 && (axis == 0 || axis == -1))) {
        ok = axis_ok(axis, a->ndim) && a->shape[norm_axis(axis, a->ndim)] == 1;
        only = norm_axis(axis, a->ndim);
    }
    index_map_t m;
    memset(&m, 0, sizeof m);
    m.src_ndim = a->ndim;
    for (int i = 0; i < a->ndim && ok; i++) {
        bool drop = only >= 0 ? i == only : a->shape[i] == 1;
        m.from[i] = drop ? -1 : m.ndim;
        m.mul[i] = 1;
        if (!drop)
            m.shape[m.ndim++] = a->shape[i];
    }
    arr_t *v = arr_squeeze(src->h, axis);
    expect_view(H, src, v, ok, &m, false, "arr_squeeze", ERRBIT(ARR_EINVAL));
}

static void op_expand_dims(harness_t *H, slot_t *src)
{
    const arr_t *a = src->h;
    int axis = random_axis(H, a->ndim + 1);
    bool ok = a->ndim < ARR_MAXDIMS && axis_ok(axis, a->ndim + 1);
    index_map_t m;
    memset(&m, 0, sizeof m);
    m.src_ndim = a->ndim;
    m.ndim = a->ndim + 1;
    int ax = norm_axis(axis, a->ndim + 1);
    for (int i = 0, k = 0; ok && i <= a->ndim; i++) {
        if (i == ax) {
            m.shape[i] = 1;
            continue;
        }
        m.shape[i] = a->shape[k];
        m.from[k] = i;
        m.mul[k++] = 1;
    }
    arr_t *v = arr_expand_dims(src->h, axis);
    expect_view(H, src, v, ok, &m, false, "arr_expand_dims", ERRBIT(ARR_EINVAL));
}

static void op_flip(harness_t *H, slot_t *src)
{
    const arr_t *a = src->h;
    int axis = fuzz_below(&H->in, 3) == 0 ? ARR_ALL_AXES : random_axis(H, a->ndim);
    bool ok = axis == ARR_ALL_AXES || axis_ok(axis, a->ndim);
    index_map_t m;
    map_identity(&m, a);
    for (int i = 0; i < a->ndim && ok; i++) {
        if (axis == ARR_ALL_AXES || i == norm_axis(axis, a->ndim)) {
            m.base[i] = a->shape[i] - 1;
            m.mul[i] = -1;
        }
    }
    arr_t *v = arr_flip(src->h, axis);
    expect_view(H, src, v, ok, &m, false, "arr_flip", ERRBIT(ARR_EINVAL));
}

static void op_broadcast_to(harness_t *H, slot_t *src)
{
    const arr_t *a = src->h;
    int lead = fuzz_below(&H->in, 4) - 1; /* -1: fewer dims than the source */
    int nd = a->ndim + lead;
    if (nd < 0 || nd > ARR_MAXDIMS)
        return;
    int64_t shape[ARR_MAXDIMS];
    bool ok = lead >= 0;
    index_map_t m;
    memset(&m, 0, sizeof m);
    m.src_ndim = a->ndim;
    m.ndim = nd;
    for (int i = 0; i < nd; i++) {
        int j = i - lead;
        int r = fuzz_below(&H->in, 8);
        if (j < 0 || j >= a->ndim) {
            shape[i] = 1 + r % 3;
        } else if (a->shape[j] == 1) {
            shape[i] = r % 4; /* 1 broadcasts to anything, 0 included */
            m.from[j] = -1;
        } else {
            shape[i] = r == 0 ? a->shape[j] + 1 : a->shape[j]; /* sometimes a mismatch */
            ok = ok && r != 0;
            m.from[j] = i;
            m.mul[j] = 1;
        }
        m.shape[i] = shape[i];
    }
    if (shape_size(nd, shape) > MAX_ELEMS)
        return;
    arr_t *v = arr_broadcast_to(src->h, nd, shape);
    expect_view(H, src, v, ok, &m, true, "arr_broadcast_to", ERRBIT(ARR_ESHAPE));
}

static void op_diagonal(harness_t *H, slot_t *src)
{
    const arr_t *a = src->h;
    int64_t offset = fuzz_below(&H->in, 9) - 4;
    int i = random_axis(H, a->ndim), j = random_axis(H, a->ndim);
    bool ok = a->ndim >= 2 && axis_ok(i, a->ndim) && axis_ok(j, a->ndim) &&
              norm_axis(i, a->ndim) != norm_axis(j, a->ndim);
    index_map_t m;
    memset(&m, 0, sizeof m);
    m.src_ndim = a->ndim;
    if (ok) {
        int x = norm_axis(i, a->ndim), y = norm_axis(j, a->ndim);
        for (int ax = 0; ax < a->ndim; ax++) {
            if (ax == x || ax == y)
                continue;
            m.from[ax] = m.ndim;
            m.mul[ax] = 1;
            m.shape[m.ndim++] = a->shape[ax];
        }
        int64_t d1 = a->shape[x] - (offset < 0 ? -offset : 0), d2 = a->shape[y] - (offset > 0 ? offset : 0);
        int64_t n = d1 < d2 ? d1 : d2;
        m.shape[m.ndim] = n < 0 ? 0 : n;
        m.from[x] = m.from[y] = m.ndim++;
        m.mul[x] = m.mul[y] = 1;
        m.base[x] = offset < 0 ? -offset : 0;
        m.base[y] = offset > 0 ? offset : 0;
    }
    arr_t *v = arr_diagonal(src->h, offset, i, j);
    expect_view(H, src, v, ok, &m, true, "arr_diagonal", ERRBIT(ARR_EINVAL));
}

static slot_t *add_copy(harness_t *H, arr_t *c) { return add_owner(H, c, NULL, true); }

/* A copy's memory is its own, laid out densely. */
static void check_fresh_copy(const slot_t *src, const slot_t *c)
{
    FUZZ_CHECK(c->h->source_id == src->h->id, "copy's source id");
    int64_t n = shape_size(c->h->ndim, c->h->shape);
    FUZZ_CHECK(c->h->buffer_bytes == n * c->h->itemsize, "copy of %" PRId64 " elements has %" PRId64 " bytes",
               n, c->h->buffer_bytes);
    if (n > 0)
        FUZZ_CHECK(arr_may_share_memory(c->h, src->h) == ARR_SHARES_NO, "copy shares memory with its source");
}

static void op_reshape(harness_t *H, slot_t *src)
{
    const arr_t *a = src->h;
    int64_t size = shape_size(a->ndim, a->shape), shape[5];
    int nd = fuzz_below(&H->in, 5), unknowns = 0, unknown_at = -1;
    bool valid_wanted = fuzz_below(&H->in, 4) != 0;
    int64_t rem = size;
    for (int i = 0; i < nd; i++) {
        if (valid_wanted && size > 0) {
            int64_t d = i == nd - 1 ? rem : 1 + fuzz_below(&H->in, 4);
            while (rem % d != 0)
                d--;
            shape[i] = d;
            rem /= d;
        } else {
            shape[i] = fuzz_below(&H->in, 5);
        }
    }
    if (nd > 0 && fuzz_below(&H->in, 3) == 0) {
        unknown_at = fuzz_below(&H->in, nd);
        shape[unknown_at] = -1 - fuzz_below(&H->in, 2);
    }
    if (nd > 1 && fuzz_below(&H->in, 16) == 0)
        shape[(unknown_at + 1) % nd] = -1;
    /* Expected outcome, NumPy 1.24's rules. */
    int64_t known = 1, dims[5];
    for (int i = 0; i < nd; i++) {
        dims[i] = shape[i];
        if (shape[i] < 0)
            unknowns++, unknown_at = i;
        else
            known *= shape[i];
    }
    unsigned err = 0;
    if (unknowns > 1)
        err = ERRBIT(ARR_EINVAL);
    else if (unknowns == 1 && (known == 0 || size % known != 0))
        err = ERRBIT(ARR_ESHAPE);
    else if (unknowns == 0 && known != size)
        err = ERRBIT(ARR_ESHAPE);
    if (unknowns == 1 && !err)
        dims[unknown_at] = size / known;
    arr_copy_mode_t mode = fuzz_below(&H->in, 2) ? ARR_COPY_IF_NEEDED : ARR_COPY_NEVER;
    arr_t *r = arr_reshape(src->h, nd, shape, mode);
    if (!readable_or_orphan_error(src, r, "arr_reshape"))
        return;
    if (err) {
        FUZZ_CHECK(r == NULL, "reshape to a wrong size succeeded");
        fuzz_check_error("arr_reshape", err);
        return;
    }
    if (r == NULL) {
        FUZZ_CHECK(mode == ARR_COPY_NEVER && !(a->flags & ARR_C_CONTIGUOUS),
                   "reshape failed where a view or a copy exists");
        fuzz_check_error("arr_reshape", ERRBIT(ARR_ECOPY));
        return;
    }
    FUZZ_CHECK(r->is_view || mode == ARR_COPY_IF_NEEDED, "reshape copied under ARR_COPY_NEVER");
    FUZZ_CHECK(r->is_view || !(a->flags & ARR_C_CONTIGUOUS), "reshape copied a C-contiguous array");
    index_map_t m;
    memset(&m, 0, sizeof m);
    m.by_flat = true;
    m.ndim = nd;
    memcpy(m.shape, dims, sizeof dims);
    slot_t *res = r->is_view ? add_view(H, r, src, false) : add_copy(H, r);
    check_mapped(&m, src, res);
    if (!res->is_view) {
        check_fresh_copy(src, res);
        FUZZ_CHECK(r->flags & ARR_C_CONTIGUOUS, "reshape's copy is not C-contiguous");
    }
}

static arr_order_t random_order(harness_t *H)
{
    static const arr_order_t orders[] = {ARR_ORDER_C, ARR_ORDER_F, ARR_ORDER_A, ARR_ORDER_K, (arr_order_t)'X'};
    return orders[fuzz_below(&H->in, 5)];
}

static void op_copy(harness_t *H, slot_t *src)
{
    const arr_t *a = src->h;
    int kind = fuzz_below(&H->in, 4);
    arr_order_t order = random_order(H);
    arr_dtype_t dtype = (arr_dtype_t)fuzz_below(&H->in, ARR_NDTYPES + 1); /* one past: invalid */
    arr_t *r = NULL;
    const char *what = "arr_copy";
    switch (kind) {
    case 0: r = arr_copy(src->h, order); break;
    case 1: r = arr_ascontiguous(src->h); what = "arr_ascontiguous"; break;
    case 2: r = arr_asfortran(src->h); what = "arr_asfortran"; break;
    default: r = arr_astype(src->h, dtype); what = "arr_astype"; break;
    }
    if (!readable_or_orphan_error(src, r, what))
        return;
    if ((kind == 0 && order == 'X') || (kind == 3 && dtype == ARR_NDTYPES)) {
        FUZZ_CHECK(r == NULL, "%s with a bad argument succeeded", what);
        fuzz_check_error(what, ERRBIT(ARR_EINVAL));
        return;
    }
    FUZZ_CHECK(r != NULL, "%s failed", what);
    index_map_t m;
    map_identity(&m, a);
    int want = kind == 1 ? ARR_C_CONTIGUOUS : ARR_F_CONTIGUOUS;
    if (kind == 1 || kind == 2) {
        bool view = a->ndim == 0 || (a->flags & want);
        FUZZ_CHECK(r->is_view == view, "%s: view %d, expected %d", what, r->is_view, view);
        if (a->ndim == 0) { /* at least 1-d, as NumPy */
            m.ndim = 1;
            m.shape[0] = 1;
        }
        FUZZ_CHECK(r->flags & want, "%s result lacks the flag", what);
        if (view) {
            check_mapped(&m, src, add_view(H, r, src, false));
            return;
        }
    }
    slot_t *c = add_copy(H, r);
    FUZZ_CHECK(r->dtype == (kind == 3 ? (int)dtype : a->dtype), "copy's dtype");
    check_mapped(&m, src, c);
    check_fresh_copy(src, c);
    if (kind == 0) {
        bool f = order == ARR_ORDER_F ||
                 (order == ARR_ORDER_A && (a->flags & ARR_F_CONTIGUOUS) && !(a->flags & ARR_C_CONTIGUOUS)) ||
                 (order == ARR_ORDER_K && (a->flags & ARR_F_CONTIGUOUS) && !(a->flags & ARR_C_CONTIGUOUS));
        bool cc = order == ARR_ORDER_C || (!f && order != ARR_ORDER_K) ||
                  (order == ARR_ORDER_K && (a->flags & ARR_C_CONTIGUOUS));
        FUZZ_CHECK(!f || (r->flags & ARR_F_CONTIGUOUS), "order %c copy is not F-contiguous", order);
        FUZZ_CHECK(!cc || (r->flags & ARR_C_CONTIGUOUS), "order %c copy is not C-contiguous", order);
    }
}

static void op_copyto(slot_t *dst, slot_t *src)
{
    const arr_t *d = dst->h, *s = src->h;
    int rc = arr_copyto(dst->h, src->h);
    if (dst->orphaned || src->orphaned) {
        FUZZ_CHECK(rc == -1, "copyto with an orphan succeeded");
        fuzz_check_error("arr_copyto", ERRBIT(ARR_EORPHAN));
        return;
    }
    bool self = s->ndim > 0 && same_layout(d, s) && d->dtype == s->dtype;
    /* NumPy's broadcast of src into dst's shape; leading 1s of src drop. */
    int skip = 0;
    while (s->ndim - skip > d->ndim && s->shape[skip] == 1)
        skip++;
    int sn = s->ndim - skip;
    bool fits = sn <= d->ndim;
    for (int i = 0; fits && i < sn; i++) {
        int64_t have = s->shape[skip + i], want = d->shape[d->ndim - sn + i];
        fits = have == want || have == 1;
    }
    if (!self && !dst->writeable) {
        FUZZ_CHECK(rc == -1, "copyto into a read-only array succeeded");
        fuzz_check_error("arr_copyto", ERRBIT(ARR_EREADONLY));
        return;
    }
    if (!self && !fits) {
        FUZZ_CHECK(rc == -1, "copyto of unbroadcastable shapes succeeded");
        fuzz_check_error("arr_copyto", ERRBIT(ARR_ESHAPE));
        return;
    }
    FUZZ_CHECK(rc == 0, "copyto failed");
    int64_t n = shape_size(d->ndim, d->shape);
    if (self || n == 0)
        return;
    /* Read every source value first: the copy must act as if it did too. */
    double *vals = malloc((size_t)n * sizeof *vals);
    int64_t *elems = malloc((size_t)n * sizeof *elems);
    FUZZ_CHECK(vals && elems, "harness out of memory");
    int64_t didx[ARR_MAXDIMS] = {0}, sidx[ARR_MAXDIMS] = {0}, k = 0;
    do {
        for (int i = 0; i < sn; i++) {
            int64_t di = didx[d->ndim - sn + i];
            sidx[skip + i] = s->shape[skip + i] == 1 ? 0 : di;
        }
        vals[k] = conv((arr_dtype_t)d->dtype, model_value(src, sidx));
        elems[k++] = elem_of(dst, didx);
    } while (next_index(d->ndim, d->shape, didx));
    for (int64_t i = 0; i < n; i++)
        dst->m->shadow[elems[i]] = vals[i];
    free(vals);
    free(elems);
}

static void random_index(harness_t *H, const arr_t *a, int64_t *idx, bool *in_range)
{
    *in_range = true;
    for (int i = 0; i < a->ndim; i++) {
        int64_t n = a->shape[i];
        idx[i] = fuzz_below(&H->in, (int)(2 * n + 2)) - n - 1; /* -n-1 .. n */
        *in_range = *in_range && idx[i] >= -n && idx[i] < n;
    }
}

static void op_element(harness_t *H, slot_t *s)
{
    int64_t idx[ARR_MAXDIMS];
    bool in_range, set = fuzz_below(&H->in, 2);
    random_index(H, s->h, idx, &in_range);
    double v = random_value(H), got = -1;
    int rc = set ? arr_set_f64(s->h, idx, v) : arr_get_f64(s->h, idx, &got);
    const char *what = set ? "arr_set_f64" : "arr_get_f64";
    if (s->orphaned || (set && !s->writeable) || !in_range) {
        FUZZ_CHECK(rc == -1, "%s should fail", what);
        fuzz_check_error(what, s->orphaned ? ERRBIT(ARR_EORPHAN)
                               : set && !s->writeable ? ERRBIT(ARR_EREADONLY) : ERRBIT(ARR_EINDEX));
        return;
    }
    FUZZ_CHECK(rc == 0, "%s failed", what);
    for (int i = 0; i < s->h->ndim; i++)
        if (idx[i] < 0)
            idx[i] += s->h->shape[i];
    if (set)
        s->m->shadow[elem_of(s, idx)] = conv(s->m->dtype, v);
    else
        FUZZ_CHECK(got == model_value(s, idx), "get gave %g, model %g", got, model_value(s, idx));
}

static void op_fill(harness_t *H, slot_t *s)
{
    double v = random_value(H);
    int rc = arr_fill(s->h, v);
    if (s->orphaned || !s->writeable) {
        FUZZ_CHECK(rc == -1, "fill should fail");
        fuzz_check_error("arr_fill", s->orphaned ? ERRBIT(ARR_EORPHAN) : ERRBIT(ARR_EREADONLY));
        return;
    }
    FUZZ_CHECK(rc == 0, "fill failed");
    int64_t idx[ARR_MAXDIMS] = {0};
    if (shape_size(s->h->ndim, s->h->shape) > 0)
        do
            s->m->shadow[elem_of(s, idx)] = conv(s->m->dtype, v);
        while (next_index(s->h->ndim, s->h->shape, idx));
}

static void op_reduce(harness_t *H, slot_t *s)
{
    double sum = -1, mean = -1, re = -1, im = -1;
    int rs = arr_sum(s->h, &sum), rm = arr_mean(s->h, &mean), rc = arr_sum_complex(s->h, &re, &im);
    if (s->orphaned) {
        FUZZ_CHECK(rs == -1 && rm == -1 && rc == -1, "reduction of an orphan succeeded");
        fuzz_check_error("arr_sum", ERRBIT(ARR_EORPHAN));
        return;
    }
    FUZZ_CHECK(rs == 0 && rm == 0 && rc == 0, "reductions failed");
    const arr_t *a = s->h;
    int64_t n = shape_size(a->ndim, a->shape), idx[ARR_MAXDIMS] = {0};
    double want = 0; /* below 2^24 in all cases: exact even in float32 */
    if (n > 0)
        do
            want += model_value(s, idx);
        while (next_index(a->ndim, a->shape, idx));
    FUZZ_CHECK(sum == want && re == want && im == 0, "sum %g (complex %g%+gj), model %g", sum, re, im, want);
    if (n == 0)
        FUZZ_CHECK(isnan(mean), "mean of nothing is %g", mean);
    else
        FUZZ_CHECK(mean == want / (double)n, "mean %g, model %g", mean, want / (double)n);
    (void)H;
}

static void op_equal(harness_t *H, slot_t *x, slot_t *y)
{
    int rc = arr_equal(x->h, y->h);
    (void)H;
    if (x->orphaned || y->orphaned) {
        FUZZ_CHECK(rc == -1, "equal with an orphan succeeded");
        fuzz_check_error("arr_equal", ERRBIT(ARR_EORPHAN));
        return;
    }
    const arr_t *a = x->h, *b = y->h;
    int want = a->ndim == b->ndim &&
               memcmp(a->shape, b->shape, (size_t)a->ndim * sizeof a->shape[0]) == 0;
    int64_t idx[ARR_MAXDIMS] = {0};
    if (want && shape_size(a->ndim, a->shape) > 0)
        do
            want = model_value(x, idx) == model_value(y, idx);
        while (want && next_index(a->ndim, a->shape, idx));
    FUZZ_CHECK(rc == want, "arr_equal %d, model %d", rc, want);
}

/* Marks the bytes of a's elements; returns how many of b's elements' bytes
 * were already marked (the brute-force answer to shares_memory). */
static void mark_bytes(const slot_t *s, unsigned char *bytes)
{
    const arr_t *a = s->h;
    int64_t idx[ARR_MAXDIMS] = {0};
    if (shape_size(a->ndim, a->shape) > 0)
        do
            memset(bytes + elem_of(s, idx) * a->itemsize, 1, (size_t)a->itemsize);
        while (next_index(a->ndim, a->shape, idx));
}

static void byte_range(const slot_t *s, int64_t *lo, int64_t *hi)
{
    const arr_t *a = s->h;
    int64_t start = a->data - s->m->start, low = 0, high = 0;
    for (int i = 0; i < a->ndim; i++) {
        int64_t span = (a->shape[i] - 1) * a->strides[i];
        if (span < 0) low += span; else high += span;
    }
    *lo = start + low;
    *hi = start + high + a->itemsize;
}

static void op_share(harness_t *H, slot_t *x, slot_t *y)
{
    int may = arr_may_share_memory(x->h, y->h);
    int exact = arr_shares_memory(x->h, y->h, ARR_MAX_WORK_EXACT);
    (void)H;
    FUZZ_CHECK(may >= 0 && exact >= 0, "overlap queries on live arrays failed");
    if (x->orphaned || y->orphaned)
        return; /* freed memory: the addresses may have been reused */
    int64_t nx = shape_size(x->h->ndim, x->h->shape), ny = shape_size(y->h->ndim, y->h->shape);
    int want_may = 0, want_exact = 0;
    if (x->m == y->m && nx > 0 && ny > 0) {
        int64_t lx, hx, ly, hy;
        byte_range(x, &lx, &hx);
        byte_range(y, &ly, &hy);
        want_may = lx < hy && ly < hx;
        int64_t total = x->m->nelem * x->m->itemsize;
        unsigned char *mx = calloc((size_t)total, 1), *my = calloc((size_t)total, 1);
        FUZZ_CHECK(mx && my, "harness out of memory");
        mark_bytes(x, mx);
        mark_bytes(y, my);
        for (int64_t i = 0; i < total && !want_exact; i++)
            want_exact = mx[i] && my[i];
        free(mx);
        free(my);
    }
    FUZZ_CHECK(may == want_may, "may_share_memory %d, model %d", may, want_may);
    FUZZ_CHECK(exact == want_exact, "shares_memory %d, model %d", exact, want_exact);
}

static void op_label(harness_t *H, slot_t *s)
{
    char label[64];
    int n = fuzz_below(&H->in, 64);
    for (int i = 0; i < n; i++)
        label[i] = (char)('a' + fuzz_below(&H->in, 26));
    label[n] = '\0';
    FUZZ_CHECK(arr_set_label(s->h, label) == 0, "set_label");
    const char *got = arr_label(s->h);
    FUZZ_CHECK(got && strlen(got) == (size_t)(n < ARR_LABEL_MAX ? n : ARR_LABEL_MAX - 1) &&
                   strncmp(got, label, strlen(got)) == 0,
               "label \"%s\"", got ? got : "(null)");
}

static void release_slot(harness_t *H, slot_t *s)
{
    arr_t *a = s->h;
    model_t *m = s->m;
    FUZZ_CHECK(arr_free(a) == 0, "free of a live handle");
    H->freed++;
    /* Freed again at once: the address cannot have been reused yet. */
    FUZZ_CHECK(arr_free(a) == -1 && arr_errcode() == ARR_ENOTLIVE, "double free not refused");
    FUZZ_CHECK(!arr_is_live(a) && arr_ndim(a) == -1, "freed handle still answers");
    if (!s->is_view) {
        m->owner = NULL;
        for (int i = 0; i < MAX_SLOTS; i++)
            if (H->slots[i].h && H->slots[i].m == m && H->slots[i].is_view)
                H->slots[i].orphaned = true;
        free(m->wrap_mem); /* libarr must never touch it again */
        m->wrap_mem = NULL;
    }
    *s = (slot_t){0};
    model_release(m);
}

/* ---- the interpreter ---------------------------------------------------- */

enum { OP_CREATE, OP_VIEW, OP_SLICE, OP_TRANSPOSE, OP_SWAPAXES, OP_SQUEEZE, OP_EXPAND,
       OP_FLIP, OP_BROADCAST, OP_DIAGONAL, OP_RESHAPE, OP_COPY, OP_COPYTO, OP_FILL,
       OP_ELEMENT, OP_REDUCE, OP_EQUAL, OP_SHARE, OP_LABEL, OP_FREE, OP_COUNT };

static void step(harness_t *H)
{
    int op = fuzz_below(&H->in, OP_COUNT);
    if (op == OP_CREATE) {
        op_create(H);
        return;
    }
    slot_t *s = pick(H);
    if (s == NULL) {
        op_create(H);
        return;
    }
    bool room = free_slot(H) >= 0;
    model_t *touched = NULL;
    switch (op) {
    case OP_VIEW:
        if (room) {
            index_map_t m;
            map_identity(&m, s->h);
            expect_view(H, s, arr_view(s->h), true, &m, false, "arr_view", 0);
        }
        break;
    case OP_SLICE: if (room) op_slice(H, s); break;
    case OP_TRANSPOSE: if (room) op_transpose(H, s); break;
    case OP_SWAPAXES: if (room) op_swapaxes(H, s); break;
    case OP_SQUEEZE: if (room) op_squeeze(H, s); break;
    case OP_EXPAND: if (room) op_expand_dims(H, s); break;
    case OP_FLIP: if (room) op_flip(H, s); break;
    case OP_BROADCAST: if (room) op_broadcast_to(H, s); break;
    case OP_DIAGONAL: if (room) op_diagonal(H, s); break;
    case OP_RESHAPE: if (room) op_reshape(H, s); break;
    case OP_COPY: if (room) op_copy(H, s); break;
    case OP_COPYTO: op_copyto(s, pick(H)); touched = s->m; break;
    case OP_FILL: op_fill(H, s); touched = s->m; break;
    case OP_ELEMENT: op_element(H, s); touched = s->m; break;
    case OP_REDUCE: op_reduce(H, s); break;
    case OP_EQUAL: op_equal(H, s, pick(H)); break;
    case OP_SHARE: op_share(H, s, pick(H)); break;
    case OP_LABEL: op_label(H, s); break;
    default: release_slot(H, s); break;
    }
    /* A write shows through every handle on the same memory. */
    for (int i = 0; touched && i < MAX_SLOTS; i++)
        if (H->slots[i].h && H->slots[i].m == touched)
            check_values(&H->slots[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static harness_t H;
    memset(&H, 0, sizeof H);
    H.in = (fuzz_input_t){data, size, 0};
    H.stats0 = arr_stats();
    FUZZ_CHECK(arr_registry.count == 0, "registry not empty at the start");
    for (int steps = 0; steps < 200 && !fuzz_done(&H.in); steps++) {
        step(&H);
        check_invariants(&H);
    }
    for (int i = 0; i < MAX_SLOTS; i++) { /* owners first where they come first */
        if (H.slots[i].h) {
            release_slot(&H, &H.slots[i]);
            check_invariants(&H);
        }
    }
    arr_stats_t st = arr_stats();
    FUZZ_CHECK(arr_registry.count == 0 && st.live_owners == 0 && st.live_views == 0 &&
                   st.live_orphans == 0 && st.live_bytes == 0 && st.live_copy_bytes == 0,
               "not everything was released");
    return 0;
}
