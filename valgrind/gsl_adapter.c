/* gsl_adapter.c - the GSL adapter: arrcheck understands the GNU Scientific
 * Library's matrices and vectors, of every element type GSL has, in an
 * unmodified, already built program.
 *
 * Built into vgpreload_arrcheck-<platform>.so, which Valgrind preloads into
 * every program run under arrcheck (and only under arrcheck).  Valgrind's
 * function wrapping (valgrind.h, I_WRAP_SONAME_FNNAME_ZU) redirects GSL's
 * own functions in libgsl.so* here; each wrapper calls GSL's function, then
 * tells arrcheck what happened with the requests of arrcheck.h:
 *   gsl_{matrix,vector}_{alloc,calloc}     OWNER_CREATED
 *   gsl_matrix_{submatrix,row,column,diagonal,subdiagonal,superdiagonal,
 *   subrow,subcolumn}, gsl_vector_subvector{,_with_stride} and their
 *   const_ forms
 *                                          VALUE_VIEW_CREATED (the view
 *                                          is a struct the caller holds)
 *   gsl_{matrix,vector}_memcpy, gsl_matrix_transpose_memcpy into an owner
 *                                          COPIED
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
 * and the same for every element type: gsl_matrix_float_alloc,
 * gsl_vector_complex_subvector, ... (AG_TYPES below: one row per type,
 * every wrapper generated from it).
 *
 * The layouts below are GSL's public struct layouts (gsl_block_*.h,
 * gsl_matrix_*.h, gsl_vector_*.h, unchanged since GSL 1.x): every type has
 * the same fields, only the element behind data differs (a complex
 * element is two reals; sizes, tda and stride count elements).  The
 * adapter is built without GSL's headers, so arrcheck needs no libgsl-dev
 * to build.  Not wrapped: views of the caller's own arrays
 * (gsl_matrix_view_array, ...), alloc_from_block/matrix, the real and
 * imaginary views of complex vectors, and conjtrans_memcpy.
 */
#include <stddef.h>
#include <stdint.h>

#include <valgrind/valgrind.h>
#include "arrcheck.h"

typedef struct { size_t size; void *data; } ag_block;
typedef struct { size_t size1, size2, tda; void *data; ag_block *block; int owner; } ag_matrix;
typedef struct { size_t size, stride; void *data; ag_block *block; int owner; } ag_vector;
typedef struct { ag_matrix matrix; } ag_matrix_view;
typedef struct { ag_vector vector; } ag_vector_view;

/* An element type: its size in bytes, and how reports name it. */
typedef struct { int32_t size, dtype; const char *name; } ag_eltype;

/* GSL's element types: the suffix of its function names (gsl_matrix_float_alloc;
 * none for double), the element, its dtype and name (NumPy's names). */
#define AG_TYPES(X)                                                                  \
    X(, double, FLOAT64, "float64")                                                  \
    X(_float, float, FLOAT32, "float32")                                             \
    X(_long_double, long double, OTHER, "longdouble")                                \
    X(_int, int, INT32, "int32")                                                     \
    X(_uint, unsigned int, UINT32, "uint32")                                         \
    X(_long, long, INT64, "int64")                                                   \
    X(_ulong, unsigned long, UINT64, "uint64")                                       \
    X(_short, short, INT16, "int16")                                                 \
    X(_ushort, unsigned short, UINT16, "uint16")                                     \
    X(_char, char, INT8, "int8")                                                     \
    X(_uchar, unsigned char, UINT8, "uint8")                                         \
    X(_complex, double[2], COMPLEX128, "complex128")                                 \
    X(_complex_float, float[2], COMPLEX64, "complex64")                              \
    X(_complex_long_double, long double[2], OTHER, "clongdouble")

_Static_assert(sizeof(int) == 4 && sizeof(long) == 8 && sizeof(short) == 2,
               "AG_TYPES' dtypes are those of an LP64 platform");

#define AG_SONAME libgslZdsoZa /* libgsl.so* */
#define AG_WRAP(fn) I_WRAP_SONAME_FNNAME_ZU(libgslZdsoZa, fn)

/* Declarations, for -Wmissing-prototypes. */
#define AG_DECL(ret, fn, ...) ret AG_WRAP(fn)(__VA_ARGS__); ret AG_WRAP(fn)(__VA_ARGS__)

/* GSL's name of a function: AG_FN(gsl_matrix, _float, _row) */
#define AG_FN(kind, sfx, what) kind##sfx##what

/* ---- talking to arrcheck ------------------------------------------------ */

static int ag_level = -1; /* ARRCHECK_RUNNING(), asked once */

/* GSL calls its own wrapped functions: calloc calls alloc, memcpy makes
 * row views.  Only the outermost call (the program's) is told: the
 * calloc, with its own stack and op, and no views made inside GSL. */
static __thread unsigned ag_nested;
#define AG_OUTER(call)                                                               \
    do {                                                                             \
        ag_nested++;                                                                 \
        call;                                                                        \
        ag_nested--;                                                                 \
    } while (0)

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
                    const void *data, int ndim, const int64_t *shape, const int64_t *strides,
                    const char *op, const ag_eltype *t)
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
        .buffer = block->data, .buffer_bytes = block->size * (uint64_t)t->size,
        .extent_lo = lo, .extent_hi = empty ? lo : hi + t->size,
        .dtype = t->dtype, .itemsize = t->size, .ndim = ndim,
        .owndata = 1, .shape = shape, .strides = strides, .dtype_name = t->name,
        .op_name = op};
    if (request == VG_USERREQ__ARR_OWNER_CREATED)
        (void)ARRCHECK_OWNER_CREATED(&info);
    else
        (void)ARRCHECK_VALUE_VIEW_CREATED(&info);
}

static void ag_matrix_made(int request, const ag_matrix *m, uint64_t base_id, const char *op,
                           const ag_eltype *t)
{
    int64_t shape[2] = {(int64_t)m->size1, (int64_t)m->size2};
    int64_t strides[2] = {(int64_t)m->tda * t->size, t->size};
    if (m->block && m->data)
        ag_tell(request, m, base_id, m->block, m->data, 2, shape, strides, op, t);
}

static void ag_vector_made(int request, const ag_vector *v, uint64_t base_id, const char *op,
                           const ag_eltype *t)
{
    int64_t shape[1] = {(int64_t)v->size};
    int64_t strides[1] = {(int64_t)v->stride * t->size};
    if (v->block && v->data)
        ag_tell(request, v, base_id, v->block, v->data, 1, shape, strides, op, t);
}

/* ---- owners --------------------------------------------------------------- */

#define AG_ALLOC_MATRIX(fn, t, op)                                                   \
    AG_DECL(ag_matrix *, fn, size_t n1, size_t n2)                                   \
    {                                                                                \
        OrigFn orig;                                                                 \
        ag_matrix *m;                                                                \
        VALGRIND_GET_ORIG_FN(orig);                                                  \
        AG_OUTER(CALL_FN_W_WW(m, orig, n1, n2));                                     \
        if (m && !ag_nested && ag_on())                                              \
            ag_matrix_made(VG_USERREQ__ARR_OWNER_CREATED, m, 0, op, t);             \
        return m;                                                                    \
    }

#define AG_ALLOC_VECTOR(fn, t, op)                                                   \
    AG_DECL(ag_vector *, fn, size_t n)                                               \
    {                                                                                \
        OrigFn orig;                                                                 \
        ag_vector *v;                                                                \
        VALGRIND_GET_ORIG_FN(orig);                                                  \
        AG_OUTER(CALL_FN_W_W(v, orig, n));                                           \
        if (v && !ag_nested && ag_on())                                              \
            ag_vector_made(VG_USERREQ__ARR_OWNER_CREATED, v, 0, op, t);             \
        return v;                                                                    \
    }

/* ---- views: values the caller holds (returned through a hidden pointer,
 * which the wrapper receives first and returns, as the ABI says) ---------- */

/* fn(ret, parent, args...): a view (kind: matrix or vector) of parent
 * (ptype: ag_matrix or ag_vector); call is valgrind.h's CALL_FN_W_<n>W
 * for the 2 + number of args words. */
#define AG_VIEW(fn, t, op, kind, ptype, call, params, ...)                           \
    AG_DECL(void *, fn, ag_##kind##_view *ret, const ptype *parent, AG_UNPAREN params) \
    {                                                                                \
        OrigFn orig;                                                                 \
        void *r;                                                                     \
        VALGRIND_GET_ORIG_FN(orig);                                                  \
        AG_OUTER(call(r, orig, ret, parent, __VA_ARGS__));                           \
        uint64_t base = !ag_nested && parent && ag_on() ? ARRCHECK_BASE_ID_OF(parent) : 0; \
        if (base)                                                                    \
            ag_##kind##_made(VG_USERREQ__ARR_VALUE_VIEW_CREATED, &ret->kind, base, op, t); \
        return r;                                                                    \
    }
#define AG_UNPAREN(...) __VA_ARGS__

/* The diagonal takes no argument beyond its matrix. */
#define AG_DIAGONAL(fn, t)                                                           \
    AG_DECL(void *, fn, ag_vector_view *ret, const ag_matrix *parent)                \
    {                                                                                \
        OrigFn orig;                                                                 \
        void *r;                                                                     \
        VALGRIND_GET_ORIG_FN(orig);                                                  \
        AG_OUTER(CALL_FN_W_WW(r, orig, ret, parent));                                \
        uint64_t base = !ag_nested && parent && ag_on() ? ARRCHECK_BASE_ID_OF(parent) : 0; \
        if (base)                                                                    \
            ag_vector_made(VG_USERREQ__ARR_VALUE_VIEW_CREATED, &ret->vector, base, "diagonal", t); \
        return r;                                                                    \
    }

/* Each view function and its const_ twin. */
#define AG_VIEW2(sfx, t, kind, what, op, view, ptype, call, params, ...)             \
    AG_VIEW(AG_FN(kind, sfx, _##what), t, op, view, ptype, call, params, __VA_ARGS__) \
    AG_VIEW(AG_FN(kind, sfx, _const_##what), t, op, view, ptype, call, params, __VA_ARGS__)

#define AG_MATRIX_LINE(sfx, t, what)                                                 \
    AG_VIEW2(sfx, t, gsl_matrix, what, #what, vector, ag_matrix, CALL_FN_W_WWW, (size_t i), i)
#define AG_MATRIX_SUBLINE(sfx, t, what)                                              \
    AG_VIEW2(sfx, t, gsl_matrix, what, #what, vector, ag_matrix, CALL_FN_W_5W,      \
             (size_t i, size_t offset, size_t n), i, offset, n)

/* ---- copies ----------------------------------------------------------------- */

#define AG_MEMCPY(fn, type)                                                          \
    AG_DECL(int, fn, type *dest, const type *src)                                    \
    {                                                                                \
        OrigFn orig;                                                                 \
        int status;                                                                  \
        VALGRIND_GET_ORIG_FN(orig);                                                  \
        AG_OUTER(CALL_FN_W_WW(status, orig, dest, src));                             \
        if (status == 0 && !ag_nested && dest && src && dest->owner && ag_on()) {    \
            uint64_t d = ARRCHECK_ID_OF(dest), s = ARRCHECK_ID_OF(src);              \
            if (d && s)                                                              \
                (void)ARRCHECK_COPIED(d, s);                                         \
        }                                                                            \
        return status;                                                               \
    }

/* ---- frees: a quarantine, so reads through stale views are caught -------- */

#define AG_Q_SLOTS 4096
#define AG_Q_BYTES (20u << 20)

typedef struct {
    void *handle;
    const void *buffer;
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
static void ag_free(void *handle, int owner, const ag_block *block, const ag_eltype *t,
                    OrigFn free_fn)
{
    if (!handle || !ag_on()) {
        CALL_FN_v_W(free_fn, handle);
        return;
    }
    uint64_t id = ARRCHECK_ID_OF(handle);
    int twice = 0;
    if (!id) { /* a live array is never in the quarantine: scan it only for others */
        ag_lock();
        twice = ag_q_holds(handle);
        ag_unlock();
    }
    if (twice) {
        (void)ARRCHECK_FREED(0, handle); /* arrcheck: InvalidFree, freed at ... */
        return;
    }
    if (!id || !owner || !block) {
        CALL_FN_v_W(free_fn, handle);
        return;
    }
    (void)ARRCHECK_FREED_TO_QUARANTINE(id, handle);
    ag_qentry e = {handle, block->data, block->size * (size_t)t->size, free_fn}, old;
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

#define AG_FREE(fn, type, t)                                                         \
    AG_DECL(void, fn, type *a)                                                       \
    {                                                                                \
        OrigFn orig;                                                                 \
        VALGRIND_GET_ORIG_FN(orig);                                                  \
        ag_free(a, a ? a->owner : 0, a ? a->block : NULL, t, orig);                  \
    }

/* ---- every wrapper, for every type of AG_TYPES ------------------------------ */

#define AG_FOR_TYPE(sfx, elem, dt, dname)                                            \
    static const ag_eltype ag_t##sfx = {sizeof(elem), ARRCHECK_DTYPE_##dt, dname};   \
    AG_ALLOC_MATRIX(AG_FN(gsl_matrix, sfx, _alloc), &ag_t##sfx, "alloc")             \
    AG_ALLOC_MATRIX(AG_FN(gsl_matrix, sfx, _calloc), &ag_t##sfx, "calloc")           \
    AG_ALLOC_VECTOR(AG_FN(gsl_vector, sfx, _alloc), &ag_t##sfx, "alloc")             \
    AG_ALLOC_VECTOR(AG_FN(gsl_vector, sfx, _calloc), &ag_t##sfx, "calloc")           \
    AG_VIEW2(sfx, &ag_t##sfx, gsl_matrix, submatrix, "submatrix", matrix, ag_matrix, \
             CALL_FN_W_6W, (size_t k1, size_t k2, size_t n1, size_t n2), k1, k2, n1, n2) \
    AG_MATRIX_LINE(sfx, &ag_t##sfx, row)                                             \
    AG_MATRIX_LINE(sfx, &ag_t##sfx, column)                                          \
    AG_MATRIX_LINE(sfx, &ag_t##sfx, subdiagonal)                                     \
    AG_MATRIX_LINE(sfx, &ag_t##sfx, superdiagonal)                                   \
    AG_MATRIX_SUBLINE(sfx, &ag_t##sfx, subrow)                                       \
    AG_MATRIX_SUBLINE(sfx, &ag_t##sfx, subcolumn)                                    \
    AG_DIAGONAL(AG_FN(gsl_matrix, sfx, _diagonal), &ag_t##sfx)                       \
    AG_DIAGONAL(AG_FN(gsl_matrix, sfx, _const_diagonal), &ag_t##sfx)                 \
    AG_VIEW2(sfx, &ag_t##sfx, gsl_vector, subvector, "subvector", vector, ag_vector, \
             CALL_FN_W_WWWW, (size_t offset, size_t n), offset, n)                   \
    AG_VIEW2(sfx, &ag_t##sfx, gsl_vector, subvector_with_stride, "subvector", vector, \
             ag_vector, CALL_FN_W_5W, (size_t offset, size_t stride, size_t n), offset, stride, n) \
    AG_MEMCPY(AG_FN(gsl_matrix, sfx, _memcpy), ag_matrix)                            \
    AG_MEMCPY(AG_FN(gsl_matrix, sfx, _transpose_memcpy), ag_matrix)                  \
    AG_MEMCPY(AG_FN(gsl_vector, sfx, _memcpy), ag_vector)                            \
    AG_FREE(AG_FN(gsl_matrix, sfx, _free), ag_matrix, &ag_t##sfx)                    \
    AG_FREE(AG_FN(gsl_vector, sfx, _free), ag_vector, &ag_t##sfx)

AG_TYPES(AG_FOR_TYPE)
