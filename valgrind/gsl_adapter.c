/* gsl_adapter.c - the GSL adapter: arrcheck understands the GNU Scientific
 * Library's double matrices and vectors in an unmodified, already built
 * program.
 *
 * Built into vgpreload_arrcheck-<platform>.so, which Valgrind preloads into
 * every program run under arrcheck (and only under arrcheck).  Valgrind's
 * function wrapping (valgrind.h, I_WRAP_SONAME_FNNAME_ZU) redirects GSL's
 * own functions in libgsl.so* here; each wrapper calls GSL's function, then
 * tells arrcheck what happened with the requests of arrcheck.h:
 *   gsl_{matrix,vector}_{alloc,calloc}     OWNER_CREATED
 *   gsl_matrix_{submatrix,row,column,diagonal,subrow,subcolumn},
 *   gsl_vector_subvector{,_with_stride} and their const_ forms
 *                                          VALUE_VIEW_CREATED (the view
 *                                          is a struct the caller holds)
 *   gsl_{matrix,vector}_memcpy into an owner   COPIED
 *   gsl_{matrix,vector}_free of an owner   FREED_TO_QUARANTINE; the
 *                                          matrix is freed later (a FIFO
 *                                          of up to 20 MB, as memcheck's
 *                                          freelist), after
 *                                          QUARANTINE_RELEASED
 *   (a value view stored in a malloc'd block dies when the block is freed:
 *   arrcheck replaces malloc and sees that itself)
 * The adapter keeps no table of arrays: ARRCHECK_ID_OF asks arrcheck.
 * Its frames never show in reports (arrcheck drops its own preload's
 * frames), and libgsl.so's inner frames are dropped down to the public
 * GSL call (ARRCHECK_LIBRARY).
 *
 * The layouts below are GSL's public struct layouts (gsl_block.h,
 * gsl_matrix_double.h, gsl_vector_double.h, unchanged since GSL 1.x);
 * the adapter is built without GSL's headers, so arrcheck needs no
 * libgsl-dev to build.  Other element types (float, complex, int, ...)
 * are not wrapped.
 */
#include <stddef.h>
#include <stdint.h>

#include <valgrind/valgrind.h>
#include "arrcheck.h"

typedef struct { size_t size; double *data; } ag_block;
typedef struct { size_t size1, size2, tda; double *data; ag_block *block; int owner; } ag_matrix;
typedef struct { size_t size, stride; double *data; ag_block *block; int owner; } ag_vector;
typedef struct { ag_matrix matrix; } ag_matrix_view;
typedef struct { ag_vector vector; } ag_vector_view;

#define AG_SONAME libgslZdsoZa /* libgsl.so* */
#define AG_WRAP(fn) I_WRAP_SONAME_FNNAME_ZU(libgslZdsoZa, fn)

/* Declarations, for -Wmissing-prototypes. */
#define AG_DECL(ret, fn, ...) ret AG_WRAP(fn)(__VA_ARGS__); ret AG_WRAP(fn)(__VA_ARGS__)

/* ---- talking to arrcheck ------------------------------------------------ */

static int ag_level = -1; /* ARRCHECK_RUNNING(), asked once */

static int ag_on(void)
{
    if (ag_level < 0) {
        static const struct arrcheck_library me = {ARRCHECK_PROTOCOL_VERSION, sizeof me, "GSL",
                                                   NULL, NULL, "libgsl.so"};
        ag_level = (int)ARRCHECK_RUNNING();
        if (ag_level >= 3)
            (void)ARRCHECK_LIBRARY(&me);
    }
    return ag_level >= 3; /* ids from ARRCHECK_NEW_ID */
}

static void ag_tell(int request, const void *handle, uint64_t base_id, const ag_block *block,
                    const double *data, int ndim, const int64_t *shape, const int64_t *strides,
                    const char *op)
{
    int64_t lo = (const char *)data - (const char *)block->data, hi = lo;
    int empty = 0;
    for (int i = 0; i < ndim; i++) {
        empty |= shape[i] == 0;
        hi += (shape[i] - 1) * strides[i];
    }
    uint64_t id = ARRCHECK_NEW_ID(); /* unique beside libarr's and any other library's */
    if (!id)
        return;
    struct arrcheck_array_info info = {
        .version = ARRCHECK_PROTOCOL_VERSION, .size = sizeof info, .id = id,
        .base_id = base_id ? base_id : id, .handle = handle,
        .handle_bytes = ndim == 2 ? sizeof(ag_matrix) : sizeof(ag_vector),
        .buffer = block->data, .buffer_bytes = block->size * sizeof(double),
        .extent_lo = lo, .extent_hi = empty ? lo : hi + (int64_t)sizeof(double),
        .dtype = ARRCHECK_DTYPE_FLOAT64, .itemsize = sizeof(double), .ndim = ndim,
        .owndata = 1, .shape = shape, .strides = strides, .dtype_name = "float64",
        .op_name = op};
    if (request == VG_USERREQ__ARR_OWNER_CREATED)
        (void)ARRCHECK_OWNER_CREATED(&info);
    else
        (void)ARRCHECK_VALUE_VIEW_CREATED(&info);
}

static void ag_matrix_made(int request, const ag_matrix *m, uint64_t base_id, const char *op)
{
    int64_t shape[2] = {(int64_t)m->size1, (int64_t)m->size2};
    int64_t strides[2] = {(int64_t)(m->tda * sizeof(double)), sizeof(double)};
    if (m->block && m->data)
        ag_tell(request, m, base_id, m->block, m->data, 2, shape, strides, op);
}

static void ag_vector_made(int request, const ag_vector *v, uint64_t base_id, const char *op)
{
    int64_t shape[1] = {(int64_t)v->size};
    int64_t strides[1] = {(int64_t)(v->stride * sizeof(double))};
    if (v->block && v->data)
        ag_tell(request, v, base_id, v->block, v->data, 1, shape, strides, op);
}

/* ---- owners --------------------------------------------------------------- */

#define AG_ALLOC_MATRIX(fn)                                                          \
    AG_DECL(ag_matrix *, fn, size_t n1, size_t n2)                                   \
    {                                                                                \
        OrigFn orig;                                                                 \
        ag_matrix *m;                                                                \
        VALGRIND_GET_ORIG_FN(orig);                                                  \
        CALL_FN_W_WW(m, orig, n1, n2);                                               \
        if (m && ag_on() && !ARRCHECK_ID_OF(m)) /* calloc calls alloc */            \
            ag_matrix_made(VG_USERREQ__ARR_OWNER_CREATED, m, 0, #fn + 11);          \
        return m;                                                                    \
    }
AG_ALLOC_MATRIX(gsl_matrix_alloc)
AG_ALLOC_MATRIX(gsl_matrix_calloc)

#define AG_ALLOC_VECTOR(fn)                                                          \
    AG_DECL(ag_vector *, fn, size_t n)                                               \
    {                                                                                \
        OrigFn orig;                                                                 \
        ag_vector *v;                                                                \
        VALGRIND_GET_ORIG_FN(orig);                                                  \
        CALL_FN_W_W(v, orig, n);                                                     \
        if (v && ag_on() && !ARRCHECK_ID_OF(v))                                      \
            ag_vector_made(VG_USERREQ__ARR_OWNER_CREATED, v, 0, #fn + 11);          \
        return v;                                                                    \
    }
AG_ALLOC_VECTOR(gsl_vector_alloc)
AG_ALLOC_VECTOR(gsl_vector_calloc)

/* ---- views: values the caller holds (returned through a hidden pointer,
 * which the wrapper receives first and returns, as the ABI says) ---------- */

#define AG_VIEW_BODY(kind, call, ...)                                                \
    {                                                                                \
        OrigFn orig;                                                                 \
        void *r;                                                                     \
        VALGRIND_GET_ORIG_FN(orig);                                                  \
        call(r, orig, ret, parent, __VA_ARGS__);                                     \
        uint64_t base = ag_on() && parent ? ARRCHECK_BASE_ID_OF(parent) : 0;          \
        if (base)                                                                    \
            ag_##kind##_made(VG_USERREQ__ARR_VALUE_VIEW_CREATED, &ret->kind, base, op); \
        return r;                                                                    \
    }

#define AG_MATRIX_VIEW(fn, name, ...) AG_DECL(void *, fn, ag_matrix_view *ret, const ag_matrix *parent, __VA_ARGS__)
#define AG_VECTOR_OF_MATRIX(fn, name, ...) AG_DECL(void *, fn, ag_vector_view *ret, const ag_matrix *parent, __VA_ARGS__)
#define AG_VECTOR_VIEW(fn, name, ...) AG_DECL(void *, fn, ag_vector_view *ret, const ag_vector *parent, __VA_ARGS__)

#define AG_SUBMATRIX(fn)                                                             \
    AG_MATRIX_VIEW(fn, "submatrix", size_t k1, size_t k2, size_t n1, size_t n2)     \
    {                                                                                \
        static const char op[] = "submatrix";                                        \
        AG_VIEW_BODY(matrix, CALL_FN_W_6W, k1, k2, n1, n2)                           \
    }
AG_SUBMATRIX(gsl_matrix_submatrix)
AG_SUBMATRIX(gsl_matrix_const_submatrix)

#define AG_LINE(fn, what)                                                            \
    AG_VECTOR_OF_MATRIX(fn, what, size_t i)                                          \
    {                                                                                \
        static const char op[] = what;                                               \
        AG_VIEW_BODY(vector, CALL_FN_W_WWW, i)                                       \
    }
AG_LINE(gsl_matrix_row, "row")
AG_LINE(gsl_matrix_const_row, "row")
AG_LINE(gsl_matrix_column, "column")
AG_LINE(gsl_matrix_const_column, "column")
AG_LINE(gsl_matrix_superdiagonal, "superdiagonal")
AG_LINE(gsl_matrix_subdiagonal, "subdiagonal")

#define AG_SUBLINE(fn, what)                                                         \
    AG_VECTOR_OF_MATRIX(fn, what, size_t i, size_t offset, size_t n)                 \
    {                                                                                \
        static const char op[] = what;                                               \
        AG_VIEW_BODY(vector, CALL_FN_W_5W, i, offset, n)                             \
    }
AG_SUBLINE(gsl_matrix_subrow, "subrow")
AG_SUBLINE(gsl_matrix_const_subrow, "subrow")
AG_SUBLINE(gsl_matrix_subcolumn, "subcolumn")
AG_SUBLINE(gsl_matrix_const_subcolumn, "subcolumn")

#define AG_DIAGONAL(fn)                                                              \
    AG_DECL(void *, fn, ag_vector_view *ret, const ag_matrix *parent)                \
    {                                                                                \
        static const char op[] = "diagonal";                                         \
        OrigFn orig;                                                                 \
        void *r;                                                                     \
        VALGRIND_GET_ORIG_FN(orig);                                                  \
        CALL_FN_W_WW(r, orig, ret, parent);                                          \
        uint64_t base = ag_on() && parent ? ARRCHECK_BASE_ID_OF(parent) : 0;          \
        if (base)                                                                    \
            ag_vector_made(VG_USERREQ__ARR_VALUE_VIEW_CREATED, &ret->vector, base, op); \
        return r;                                                                    \
    }
AG_DIAGONAL(gsl_matrix_diagonal)
AG_DIAGONAL(gsl_matrix_const_diagonal)

#define AG_SUBVECTOR(fn)                                                             \
    AG_VECTOR_VIEW(fn, "subvector", size_t offset, size_t n)                         \
    {                                                                                \
        static const char op[] = "subvector";                                        \
        AG_VIEW_BODY(vector, CALL_FN_W_WWWW, offset, n)                              \
    }
AG_SUBVECTOR(gsl_vector_subvector)
AG_SUBVECTOR(gsl_vector_const_subvector)

#define AG_SUBVECTOR_STRIDE(fn)                                                      \
    AG_VECTOR_VIEW(fn, "subvector", size_t offset, size_t stride, size_t n)          \
    {                                                                                \
        static const char op[] = "subvector";                                        \
        AG_VIEW_BODY(vector, CALL_FN_W_5W, offset, stride, n)                        \
    }
AG_SUBVECTOR_STRIDE(gsl_vector_subvector_with_stride)
AG_SUBVECTOR_STRIDE(gsl_vector_const_subvector_with_stride)

/* ---- copies ----------------------------------------------------------------- */

#define AG_MEMCPY(fn, type)                                                          \
    AG_DECL(int, fn, type *dest, const type *src)                                    \
    {                                                                                \
        OrigFn orig;                                                                 \
        int status;                                                                  \
        VALGRIND_GET_ORIG_FN(orig);                                                  \
        CALL_FN_W_WW(status, orig, dest, src);                                       \
        if (status == 0 && dest && src && dest->owner && ag_on()) {                  \
            uint64_t d = ARRCHECK_ID_OF(dest), s = ARRCHECK_ID_OF(src);              \
            if (d && s)                                                              \
                (void)ARRCHECK_COPIED(d, s);                                         \
        }                                                                            \
        return status;                                                               \
    }
AG_MEMCPY(gsl_matrix_memcpy, ag_matrix)
AG_MEMCPY(gsl_vector_memcpy, ag_vector)

/* ---- frees: a quarantine, so reads through stale views are caught -------- */

#define AG_Q_SLOTS 4096
#define AG_Q_BYTES (20u << 20)

typedef struct {
    void *handle;
    const double *buffer;
    size_t bytes;
    OrigFn free_fn;
} ag_qentry;

static ag_qentry ag_q[AG_Q_SLOTS];
static unsigned ag_q_head, ag_q_len;
static size_t ag_q_bytes;
static int ag_q_lock;

static void ag_lock(void)
{
    while (__atomic_exchange_n(&ag_q_lock, 1, __ATOMIC_ACQUIRE))
        ;
}

static void ag_unlock(void)
{
    __atomic_store_n(&ag_q_lock, 0, __ATOMIC_RELEASE);
}

static int ag_q_holds(const void *handle)
{
    for (unsigned k = 0; k < ag_q_len; k++)
        if (ag_q[(ag_q_head + k) % AG_Q_SLOTS].handle == handle)
            return 1;
    return 0;
}

/* Takes the oldest entry out (the caller frees it, outside the lock). */
static int ag_q_pop(ag_qentry *out)
{
    if (ag_q_len == 0 || (ag_q_len < AG_Q_SLOTS && ag_q_bytes <= AG_Q_BYTES))
        return 0;
    *out = ag_q[ag_q_head];
    ag_q_head = (ag_q_head + 1) % AG_Q_SLOTS;
    ag_q_len--;
    ag_q_bytes -= out->bytes;
    return 1;
}

/* handle is GSL's gsl_matrix or gsl_vector; owner its owner flag. */
static void ag_free(void *handle, int owner, const ag_block *block, OrigFn free_fn)
{
    if (!handle || !ag_on()) {
        CALL_FN_v_W(free_fn, handle);
        return;
    }
    uint64_t id = ARRCHECK_ID_OF(handle);
    ag_lock();
    int twice = ag_q_holds(handle);
    ag_unlock();
    if (twice) {
        (void)ARRCHECK_FREED(0, handle); /* arrcheck: InvalidFree, freed at ... */
        return;
    }
    if (!id || !owner || !block) {
        CALL_FN_v_W(free_fn, handle);
        return;
    }
    (void)ARRCHECK_FREED_TO_QUARANTINE(id, handle);
    ag_qentry e = {handle, block->data, block->size * sizeof(double), free_fn}, old;
    ag_lock();
    if (ag_q_len == AG_Q_SLOTS) { /* full: make room first */
        old = ag_q[ag_q_head];
        ag_q_head = (ag_q_head + 1) % AG_Q_SLOTS;
        ag_q_len--;
        ag_q_bytes -= old.bytes;
        ag_unlock();
        (void)ARRCHECK_QUARANTINE_RELEASED(old.buffer);
        CALL_FN_v_W(old.free_fn, old.handle);
        ag_lock();
    }
    ag_q[(ag_q_head + ag_q_len++) % AG_Q_SLOTS] = e;
    ag_q_bytes += e.bytes;
    while (ag_q_pop(&old)) {
        ag_unlock();
        (void)ARRCHECK_QUARANTINE_RELEASED(old.buffer);
        CALL_FN_v_W(old.free_fn, old.handle);
        ag_lock();
    }
    ag_unlock();
}

AG_DECL(void, gsl_matrix_free, ag_matrix *m)
{
    OrigFn orig;
    VALGRIND_GET_ORIG_FN(orig);
    ag_free(m, m ? m->owner : 0, m ? m->block : NULL, orig);
}

AG_DECL(void, gsl_vector_free, ag_vector *v)
{
    OrigFn orig;
    VALGRIND_GET_ORIG_FN(orig);
    ag_free(v, v ? v->owner : 0, v ? v->block : NULL, orig);
}
