/* arr_core.c - errors, allocation, the registry, owners, views' bookkeeping,
 * arr_free and the orphan/quarantine rules, queries, stats and the native
 * leak checker (ARR_CHECK=1).  See docs/DESIGN.md for the lifetime model. */
#include "arr_internal.h"

#include "arrcheck.h"
#include <valgrind/memcheck.h>

#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Any program that uses libarr, statically linked or not, carries the entry
 * that makes gdb load the arrdbg printers. */
__attribute__((used)) static const char *const keep_gdb_autoload = &arr__gdb_autoload_anchor;

/* ---- errors ------------------------------------------------------------ */

static _Thread_local arr_err_t last_code;
static _Thread_local char last_msg[512];

static void set_error_v(arr_err_t code, const char *fmt, va_list ap)
{
    last_code = code;
    vsnprintf(last_msg, sizeof last_msg, fmt, ap);
}

int arr__fail(arr_err_t code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_error_v(code, fmt, ap);
    va_end(ap);
    return -1;
}

void *arr__fail_p(arr_err_t code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_error_v(code, fmt, ap);
    va_end(ap);
    return NULL;
}

arr_err_t arr_errcode(void) { return last_code; }
const char *arr_errmsg(void) { return last_code == ARR_OK ? "no error" : last_msg; }
void arr_clear_error(void)
{
    last_code = ARR_OK;
    last_msg[0] = '\0';
}

const char *arr_strerror(arr_err_t code)
{
    switch (code) {
    case ARR_OK: return "ARR_OK";
    case ARR_EINVAL: return "ARR_EINVAL";
    case ARR_ENOMEM: return "ARR_ENOMEM";
    case ARR_EOVERFLOW: return "ARR_EOVERFLOW";
    case ARR_EINDEX: return "ARR_EINDEX";
    case ARR_ESYNTAX: return "ARR_ESYNTAX";
    case ARR_ESHAPE: return "ARR_ESHAPE";
    case ARR_ECOPY: return "ARR_ECOPY";
    case ARR_EREADONLY: return "ARR_EREADONLY";
    case ARR_ENOTLIVE: return "ARR_ENOTLIVE";
    case ARR_EORPHAN: return "ARR_EORPHAN";
    case ARR_ETOOHARD: return "ARR_ETOOHARD";
    case ARR_ETYPE: return "ARR_ETYPE";
    }
    return "ARR_E?";
}

/* ---- allocation (failure injection for tests) ------------------------- */

long arr__alloc_fail_countdown;

static bool injected_failure(void)
{
    long n = __atomic_load_n(&arr__alloc_fail_countdown, __ATOMIC_RELAXED);
    if (n <= 0)
        return false;
    return __atomic_sub_fetch(&arr__alloc_fail_countdown, 1, __ATOMIC_RELAXED) == 0;
}

void *arr__malloc(size_t n)
{
    if (injected_failure())
        return NULL;
    return malloc(n ? n : 1);
}

void *arr__calloc(size_t n, size_t size)
{
    if (injected_failure())
        return NULL;
    return calloc(n ? n : 1, size ? size : 1);
}

void arr__free_mem(void *p) { free(p); }

/* ---- dtypes and ops ----------------------------------------------------- */

static const struct {
    const char *name;
    int size;
} dtype_table[ARR_NDTYPES] = {
    [ARR_BOOL] = {"bool", 1},        [ARR_INT8] = {"int8", 1},
    [ARR_INT16] = {"int16", 2},      [ARR_INT32] = {"int32", 4},
    [ARR_INT64] = {"int64", 8},      [ARR_UINT8] = {"uint8", 1},
    [ARR_UINT16] = {"uint16", 2},    [ARR_UINT32] = {"uint32", 4},
    [ARR_UINT64] = {"uint64", 8},    [ARR_FLOAT32] = {"float32", 4},
    [ARR_FLOAT64] = {"float64", 8},  [ARR_COMPLEX64] = {"complex64", 8},
    [ARR_COMPLEX128] = {"complex128", 16},
};

const char *arr_dtype_name(arr_dtype_t dtype)
{
    return (unsigned)dtype < ARR_NDTYPES ? dtype_table[dtype].name : "?";
}

int arr_dtype_size(arr_dtype_t dtype)
{
    return (unsigned)dtype < ARR_NDTYPES ? dtype_table[dtype].size : -1;
}

static const char *const op_names[ARR_NOPS] = {
    [ARR_OP_NONE] = "none",
    [ARR_OP_EMPTY] = "empty",
    [ARR_OP_ZEROS] = "zeros",
    [ARR_OP_FULL] = "full",
    [ARR_OP_ARANGE] = "arange",
    [ARR_OP_WRAP] = "wrap",
    [ARR_OP_VIEW] = "view",
    [ARR_OP_SLICE] = "slice",
    [ARR_OP_TRANSPOSE] = "transpose",
    [ARR_OP_SWAPAXES] = "swapaxes",
    [ARR_OP_SQUEEZE] = "squeeze",
    [ARR_OP_EXPAND_DIMS] = "expand_dims",
    [ARR_OP_FLIP] = "flip",
    [ARR_OP_BROADCAST_TO] = "broadcast_to",
    [ARR_OP_DIAGONAL] = "diagonal",
    [ARR_OP_RESHAPE] = "reshape",
    [ARR_OP_ASCONTIGUOUS] = "ascontiguous",
    [ARR_OP_ASFORTRAN] = "asfortran",
    [ARR_OP_COPY] = "copy",
    [ARR_OP_ASTYPE] = "astype",
    [ARR_OP_ASCONTIGUOUS_COPY] = "ascontiguous (copy)",
    [ARR_OP_ASFORTRAN_COPY] = "asfortran (copy)",
    [ARR_OP_RESHAPE_COPY] = "reshape (copy)",
    [ARR_OP_LOAD] = "load",
};

const char *arr_op_name(arr_op_t op)
{
    return (unsigned)op < ARR_NOPS && op_names[op] ? op_names[op] : "?";
}

bool arr_op_is_copy(arr_op_t op) { return op >= ARR_OP_COPY && op <= ARR_OP_RESHAPE_COPY; }

int arr__check_dtype(arr_dtype_t dtype, const char *fn)
{
    if ((unsigned)dtype >= ARR_NDTYPES)
        return arr__fail(ARR_EINVAL, "%s: unknown dtype %d", fn, (int)dtype);
    return 0;
}

int arr__normalize_axis(int axis, int ndim, const char *fn)
{
    if (axis < -ndim || axis >= ndim)
        return arr__fail(ARR_EINVAL, "%s: axis %d is out of bounds for array of dimension %d",
                         fn, axis, ndim);
    return axis < 0 ? axis + ndim : axis;
}

int64_t arr__nbytes_checked(int ndim, const int64_t *shape, int64_t itemsize, const char *fn)
{
    if (ndim < 0 || ndim > ARR_MAXDIMS)
        return arr__fail(ARR_EINVAL, "%s: ndim %d is outside 0..%d", fn, ndim, ARR_MAXDIMS);
    if (ndim > 0 && shape == NULL)
        return arr__fail(ARR_EINVAL, "%s: shape is NULL", fn);
    int64_t total = itemsize;
    bool empty = false;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] < 0)
            return arr__fail(ARR_EINVAL, "%s: negative dimension %" PRId64 " on axis %d", fn,
                             shape[i], i);
        if (shape[i] == 0)
            empty = true;
        /* Checked even past a zero so an absurd shape is reported, as NumPy does. */
        else if (__builtin_mul_overflow(total, shape[i], &total) || total > PTRDIFF_MAX / 2)
            return arr__fail(ARR_EOVERFLOW, "%s: array of %d dims is too big (size overflows)",
                             fn, ndim);
    }
    return empty ? 0 : total;
}

/* ---- contiguity (NumPy's rules, relaxed strides) ----------------------- */

int arr__contiguity(int ndim, const int64_t *shape, const int64_t *strides, int64_t itemsize)
{
    int flags = ARR_C_CONTIGUOUS | ARR_F_CONTIGUOUS;
    for (int i = 0; i < ndim; i++)
        if (shape[i] == 0)
            return flags; /* an empty array is both */
    int64_t expected = itemsize;
    for (int i = ndim - 1; i >= 0; i--) {
        if (shape[i] != 1) {
            if (strides[i] != expected)
                flags &= ~ARR_C_CONTIGUOUS;
            expected *= shape[i];
        }
    }
    expected = itemsize;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] != 1) {
            if (strides[i] != expected)
                flags &= ~ARR_F_CONTIGUOUS;
            expected *= shape[i];
        }
    }
    return flags;
}

void arr__update_contiguity(arr_t *a)
{
    a->flags &= ~(ARR_C_CONTIGUOUS | ARR_F_CONTIGUOUS);
    a->flags |= arr__contiguity(a->ndim, a->shape, a->strides, a->itemsize);
}

void arr__extent(const arr_t *a, int64_t *lo, int64_t *hi)
{
    int64_t low = 0, high = 0;
    for (int i = 0; i < a->ndim; i++) {
        if (a->shape[i] == 0) {
            *lo = *hi = 0;
            return;
        }
        int64_t span = arr__wrap_mul(a->shape[i] - 1, a->strides[i]);
        if (span < 0)
            low = arr__wrap_add(low, span);
        else
            high = arr__wrap_add(high, span);
    }
    *lo = low;
    *hi = arr__wrap_add(high, a->itemsize);
}

/* ---- the registry --------------------------------------------------------
 * items[] is what debuggers read; a pointer hash set answers "is this handle
 * live?" without touching the (possibly freed) memory it points to. */

/* Read once, before main (a constructor): natively every client request
 * below is then skipped by one predictable branch on a plain load, which is
 * what keeps libarr's tagging free when not under Valgrind.  (Valgrind is
 * there from the first instruction, so the answer never changes.) */
bool arr__under_valgrind;

/* The protocol's limits bound libarr's (arrcheck.h). */
_Static_assert(ARR_MAXDIMS <= ARRCHECK_MAX_NDIM, "ARR_MAXDIMS beyond the arrcheck protocol");
_Static_assert(ARR_LABEL_MAX <= ARRCHECK_LABEL_MAX, "ARR_LABEL_MAX beyond the arrcheck protocol");

__attribute__((constructor)) static void detect_valgrind(void)
{
    arr__under_valgrind = RUNNING_ON_VALGRIND != 0;
    /* Tell arrcheck which stack frames are libarr's: its sources' directory,
     * its shared object, and (no line info) its function prefix. */
    static const struct arrcheck_library me = {
        ARRCHECK_PROTOCOL_VERSION, sizeof me, "libarr", "arr_", "libarr", "libarr.so"};
    if (arr__under_valgrind)
        (void)ARRCHECK_LIBRARY(&me);
}

static inline bool on_valgrind(void)
{
#ifdef NVALGRIND
    return false;
#else
    return __builtin_expect(arr__under_valgrind, 0);
#endif
}

/* Registry slots hold real handle pointers, for debuggers.  Under memcheck
 * each slot is marked undefined once written, so the leak scan does not take
 * the registry for a reference to every array; libarr marks a slot defined
 * again just before it reads it. */
static inline void hide_slot(arr_t **slot)
{
    (void)slot;
    if (on_valgrind())
        (void)VALGRIND_MAKE_MEM_UNDEFINED(slot, sizeof *slot);
}

static inline void show_slot(arr_t **slot)
{
    (void)slot;
    if (on_valgrind())
        (void)VALGRIND_MAKE_MEM_DEFINED(slot, sizeof *slot);
}

/* The owner->views list links are hidden the same way: otherwise a view
 * handle nobody points to would look "still reachable" through its owner.
 * Every read of a link goes through link_get, every write through link_set. */
static inline arr_t *link_get(arr_t *const *field)
{
    if (on_valgrind())
        (void)VALGRIND_MAKE_MEM_DEFINED(field, sizeof *field);
    arr_t *value = *field;
    if (on_valgrind())
        (void)VALGRIND_MAKE_MEM_UNDEFINED(field, sizeof *field);
    return value;
}

static inline void link_set(arr_t **field, arr_t *value)
{
    *field = value;
    if (on_valgrind())
        (void)VALGRIND_MAKE_MEM_UNDEFINED(field, sizeof *field);
}

struct arr_registry arr_registry = {.magic = ARR_REGISTRY_MAGIC, .layout_version = 1, .next_id = 1};

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
/* Open addressing, linear probing.  Entries are masked handle addresses, so
 * memcheck's leak scan does not see them as pointers: a copy nobody frees
 * must show up as "definitely lost", not "still reachable" via this set. */
static uintptr_t *live_set;
static size_t live_set_cap; /* power of two, or 0 */
#define LIVE_MASK ((uintptr_t)0xa5a5a5a5a5a5a5a5ULL)
static uintptr_t masked(const arr_t *a) { return (uintptr_t)a ^ LIVE_MASK; }

static size_t hash_ptr(const void *p)
{
    uint64_t x = (uint64_t)(uintptr_t)p;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return (size_t)x;
}

static size_t live_set_find(uintptr_t key)
{
    size_t mask = live_set_cap - 1, i = hash_ptr((const void *)key) & mask;
    while (live_set[i] != 0 && live_set[i] != key)
        i = (i + 1) & mask;
    return i;
}

static bool live_set_contains(const arr_t *a)
{
    return live_set_cap != 0 && live_set[live_set_find(masked(a))] == masked(a);
}

static int live_set_grow(void)
{
    size_t new_cap = live_set_cap ? live_set_cap * 2 : 64;
    uintptr_t *old = live_set;
    size_t old_cap = live_set_cap;
    uintptr_t *fresh = arr__calloc(new_cap, sizeof *fresh);
    if (fresh == NULL)
        return -1;
    live_set = fresh;
    live_set_cap = new_cap;
    for (size_t i = 0; i < old_cap; i++)
        if (old[i] != 0)
            live_set[live_set_find(old[i])] = old[i];
    free(old);
    return 0;
}

/* Backward-shift deletion keeps probing chains intact without tombstones. */
static void live_set_remove(const arr_t *a)
{
    size_t mask = live_set_cap - 1, i = live_set_find(masked(a));
    if (live_set[i] == 0)
        return;
    live_set[i] = 0;
    size_t j = i;
    for (;;) {
        j = (j + 1) & mask;
        if (live_set[j] == 0)
            return;
        size_t home = hash_ptr((const void *)live_set[j]) & mask;
        /* Move j back into the hole at i unless its home lies in (i, j]. */
        bool home_between = (i <= j) ? (i < home && home <= j) : (i < home || home <= j);
        if (!home_between) {
            live_set[i] = live_set[j];
            live_set[j] = 0;
            i = j;
        }
    }
}

static bool live_lookup(const arr_t *a)
{
    pthread_mutex_lock(&registry_lock);
    bool live = live_set_contains(a);
    pthread_mutex_unlock(&registry_lock);
    return live;
}

bool arr_is_live(const arr_t *a) { return a != NULL && live_lookup(a); }

/* Adds a to the registry and gives it its id.  Fails only on ENOMEM. */
static int registry_add_locked(arr_t *a)
{
    struct arr_registry *r = &arr_registry;
    if (r->count == r->capacity) {
        int64_t new_cap = r->capacity ? r->capacity * 2 : 64;
        /* Not realloc: the old table is wiped before it is freed, so stale
         * handle pointers in freed memory cannot make arrcheck's scan (or a
         * debugger) take a lost array for a reachable one. */
        arr_t **items = arr__malloc((size_t)new_cap * sizeof *items);
        if (items == NULL)
            goto oom;
        if (r->items) {
            memcpy(items, r->items, (size_t)r->count * sizeof *items);
            memset(r->items, 0, (size_t)r->capacity * sizeof *items);
            if (on_valgrind())
                (void)ARRCHECK_IGNORE_RANGE(r->items, 0);
            free(r->items);
        }
        if (on_valgrind())
            (void)ARRCHECK_IGNORE_RANGE(items, (size_t)new_cap * sizeof *items);
        r->items = items;
        r->capacity = new_cap;
    }
    if ((size_t)(r->count + 1) * 2 > live_set_cap && live_set_grow() != 0)
        goto oom;
    a->id = r->next_id++;
    a->registry_slot = r->count;
    r->items[r->count++] = a;
    live_set[live_set_find(masked(a))] = masked(a);
    hide_slot(&r->items[a->registry_slot]);

    arr_stats_t *s = &r->stats;
    if (a->is_view) {
        s->live_views++;
        s->created_views++;
    } else {
        s->live_owners++;
        s->created_owners++;
        s->live_bytes += a->buffer_bytes;
        if (s->live_bytes > s->peak_bytes)
            s->peak_bytes = s->live_bytes;
        if (arr_op_is_copy(a->op)) {
            s->created_copies++;
            s->live_copy_bytes += a->buffer_bytes;
        }
    }
    return 0;
oom:
    return arr__fail(ARR_ENOMEM, "out of memory growing the array registry");
}

static int registry_add(arr_t *a)
{
    pthread_mutex_lock(&registry_lock);
    int rc = registry_add_locked(a);
    pthread_mutex_unlock(&registry_lock);
    return rc;
}

/* Caller holds registry_lock. */
static void registry_remove_locked(arr_t *a)
{
    struct arr_registry *r = &arr_registry;
    live_set_remove(a);
    int64_t slot = a->registry_slot;
    show_slot(&r->items[r->count - 1]);
    arr_t *last = r->items[--r->count];
    r->items[slot] = last;
    hide_slot(&r->items[slot]);
    last->registry_slot = slot;
    r->items[r->count] = NULL;
    r->stats.freed++;
    if (a->is_view) {
        r->stats.live_views--;
        if (a->orphaned)
            r->stats.live_orphans--;
    } else {
        r->stats.live_owners--;
        if (arr_op_is_copy(a->op))
            r->stats.live_copy_bytes -= a->buffer_bytes;
    }
}

arr_stats_t arr_stats(void)
{
    pthread_mutex_lock(&registry_lock);
    arr_stats_t s = arr_registry.stats;
    pthread_mutex_unlock(&registry_lock);
    return s;
}

/* The one handle check: NULL, not live, and (when the data will be used)
 * orphaned.  orphaned is written under the lock by whoever frees the owner,
 * which may be another thread: it is read under the lock too. */
static int check_handle(const arr_t *a, const char *fn, bool need_data)
{
    if (a == NULL)
        return arr__fail(ARR_EINVAL, "%s: array is NULL", fn);
    pthread_mutex_lock(&registry_lock);
    bool live = live_set_contains(a);
    bool orphaned = live && need_data && a->orphaned;
    pthread_mutex_unlock(&registry_lock);
    if (!live)
        return arr__fail(ARR_ENOTLIVE, "%s: %p is not a live array (already freed, or never made by libarr)",
                         fn, (const void *)a);
    if (orphaned)
        return arr__fail(ARR_EORPHAN,
                         "%s: arr #%" PRIu64 " is an orphaned view: its base #%" PRIu64
                         " was freed, its memory is gone",
                         fn, a->id, a->base_id);
    return 0;
}

int arr__check_live(const arr_t *a, const char *fn) { return check_handle(a, fn, false); }

int arr__check_readable(const arr_t *a, const char *fn) { return check_handle(a, fn, true); }

/* ---- Valgrind tagging ----------------------------------------------------
 * Requests cost a few instructions natively; the info struct is only filled
 * when actually running under Valgrind. */

void arr__format_shape(char *buf, size_t cap, int ndim, const int64_t *shape, const char *sep)
{
    if (cap == 0)
        return;
    size_t n = (size_t)snprintf(buf, cap, "(");
    for (int i = 0; i < ndim && n < cap; i++)
        n += (size_t)snprintf(buf + n, cap - n, "%s%" PRId64, i ? sep : "", shape[i]);
    if (n < cap)
        snprintf(buf + n, cap - n, ndim == 1 ? ",)" : ")");
}

/* Writes "arr #3 float64 shape (3, 4) ..." into buf. */
static void describe(const arr_t *a, char *buf, size_t cap)
{
    size_t n = (size_t)snprintf(buf, cap, "arr #%" PRIu64 " %s shape ", a->id,
                                arr_dtype_name((arr_dtype_t)a->dtype));
    if (n < cap) {
        arr__format_shape(buf + n, cap - n, a->ndim, a->shape, ", ");
        n += strlen(buf + n);
    }
    if (n < cap && a->label[0])
        n += (size_t)snprintf(buf + n, cap - n, " \"%s\"", a->label);
    if (n < cap) {
        if (a->is_view)
            snprintf(buf + n, cap - n, ", view of #%" PRIu64 " (%s)", a->base_id,
                     arr_op_name((arr_op_t)a->op));
        else if (arr_op_is_copy((arr_op_t)a->op))
            snprintf(buf + n, cap - n, ", copy of #%" PRIu64 " (%s)", a->source_id,
                     arr_op_name((arr_op_t)a->op));
        else
            snprintf(buf + n, cap - n, ", owner (%s)", arr_op_name((arr_op_t)a->op));
    }
}

static const void *owner_reference(const arr_t *owner)
{
    return owner->buffer ? owner->buffer : owner->data;
}

/* owner_buffer / owner_bytes: the owner's buffer start (its data for
 * wrapped memory) and size, captured by the caller while the owner was
 * certainly alive. */
__attribute__((cold, noinline)) static void emit_created_slow(const arr_t *a, const void *owner_buffer,
                                                               int64_t owner_bytes)
{
    struct arrcheck_array_info info = {
        .version = ARRCHECK_PROTOCOL_VERSION,
        .size = sizeof info,
        .id = a->id,
        .base_id = a->base_id,
        .source_id = a->source_id,
        .handle = a,
        .handle_bytes = sizeof *a,
        .buffer = owner_buffer,
        .buffer_bytes = (uint64_t)owner_bytes,
        .dtype = a->dtype,
        .itemsize = a->itemsize,
        .ndim = a->ndim,
        .op = a->op,
        .is_copy = arr_op_is_copy((arr_op_t)a->op),
        .owndata = (a->flags & ARR_OWNDATA) != 0,
        .shape = a->shape,
        .strides = a->strides,
        .dtype_name = arr_dtype_name((arr_dtype_t)a->dtype),
        .op_name = arr_op_name((arr_op_t)a->op),
        .label = a->label,
    };
    if (a->is_view) {
        int64_t lo, hi;
        arr__extent(a, &lo, &hi);
        int64_t origin = (const char *)a->data - (const char *)info.buffer;
        info.extent_lo = lo == hi ? origin : origin + lo;
        info.extent_hi = lo == hi ? origin : origin + hi;
        (void)ARRCHECK_VIEW_CREATED(&info);
    } else {
        info.extent_lo = 0;
        info.extent_hi = a->buffer_bytes;
        (void)ARRCHECK_OWNER_CREATED(&info);
    }
}

/* Names an owner's buffer for memcheck: errors inside it then say
 * "... inside a arr #3 float64 shape (3, 4) ... of size 96 client-defined".
 * memcheck keeps these descriptions in a list it searches linearly, so a
 * program with very many live arrays would go quadratic: only the first
 * MEMCHECK_NAMED_MAX live owners are named (quarantined buffers always are). */
#define MEMCHECK_NAMED_MAX 4096
static int named_blocks;

static void forget_block_name(uint64_t *vg_block)
{
    if (*vg_block) {
        (void)VALGRIND_DISCARD(*vg_block - 1);
        __atomic_sub_fetch(&named_blocks, 1, __ATOMIC_RELAXED);
        *vg_block = 0;
    }
}

__attribute__((cold, noinline)) static void name_block_slow(arr_t *a, const char *prefix)
{
    if (a->buffer == NULL || a->buffer_bytes == 0)
        return;
    forget_block_name(&a->vg_block);
    if (__atomic_add_fetch(&named_blocks, 1, __ATOMIC_RELAXED) > MEMCHECK_NAMED_MAX) {
        __atomic_sub_fetch(&named_blocks, 1, __ATOMIC_RELAXED);
        return;
    }
    char desc[256];
    size_t n = (size_t)snprintf(desc, sizeof desc, "%s", prefix);
    describe(a, desc + n, sizeof desc - n);
    a->vg_block = (uint64_t)VALGRIND_CREATE_BLOCK(a->buffer, a->buffer_bytes, desc) + 1;
}

/* The tagging stays off the native fast path: one predictable branch, and
 * the work itself out of line (cold). */
static inline void emit_created(const arr_t *a, const void *owner_buffer, int64_t owner_bytes)
{
    if (on_valgrind())
        emit_created_slow(a, owner_buffer, owner_bytes);
}

static inline void name_block_for_memcheck(arr_t *a, const char *prefix)
{
    if (on_valgrind())
        name_block_slow(a, prefix);
}

/* ---- owners and views ------------------------------------------------- */

/* A big fresh buffer is usually written front to back right away: asking
 * for transparent huge pages cuts its page faults (most of the cost of a
 * large copy) 512-fold, as NumPy does.  Only a hint; failures are ignored. */
static void advise_huge_pages(void *buffer, int64_t nbytes)
{
#ifdef MADV_HUGEPAGE
    const uintptr_t huge = (uintptr_t)2 << 20;
    if (nbytes < (int64_t)(4 << 20))
        return;
    uintptr_t start = ((uintptr_t)buffer + huge - 1) & ~(huge - 1);
    uintptr_t end = ((uintptr_t)buffer + (uintptr_t)nbytes) & ~(huge - 1);
    if (end > start)
        (void)madvise((void *)start, end - start, MADV_HUGEPAGE);
#else
    (void)buffer;
    (void)nbytes;
#endif
}

static void fill_strides(int ndim, const int64_t *shape, int64_t itemsize, const int *perm,
                         int64_t *strides)
{
    int64_t stride = itemsize;
    for (int k = ndim - 1; k >= 0; k--) {
        int axis = perm ? perm[k] : k;
        strides[axis] = stride;
        if (shape[axis] != 0)
            stride *= shape[axis];
    }
}

static arr_t *new_owner_over(void *buffer, int64_t bytes, void *data, int ndim, const int64_t *shape,
                             const int64_t *strides, arr_dtype_t dtype, int flags,
                             void (*release)(void *, int64_t), arr_op_t op, const arr_t *source,
                             const void *caller, const char *fn);

arr_t *arr__new_owner(int ndim, const int64_t *shape, arr_dtype_t dtype, const int *perm,
                      arr_op_t op, const arr_t *source, const void *caller)
{
    static const char fn[] = "arr_new";
    if (arr__check_dtype(dtype, fn) != 0)
        return NULL;
    int itemsize = dtype_table[dtype].size;
    int64_t nbytes = arr__nbytes_checked(ndim, shape, itemsize, fn);
    if (nbytes < 0)
        return NULL;
    void *buffer = arr__malloc((size_t)nbytes);
    if (buffer == NULL)
        return arr__fail_p(ARR_ENOMEM, "out of memory allocating %" PRId64 " bytes", nbytes);
    advise_huge_pages(buffer, nbytes);
    /* NumPy gives a freshly allocated empty array all-zero strides. */
    int64_t strides[ARR_MAXDIMS] = {0};
    if (nbytes != 0)
        fill_strides(ndim, shape, itemsize, perm, strides);
    arr_t *a = new_owner_over(buffer, nbytes, buffer, ndim, shape, strides, dtype,
                              ARR_OWNDATA | ARR_WRITEABLE, NULL, op, source, caller, fn);
    if (a == NULL)
        free(buffer);
    return a;
}

arr_t *arr__new_view(arr_t *src, int ndim, const int64_t *shape, const int64_t *strides,
                     char *data, arr_op_t op, int readonly, const void *caller)
{
    static const char fn[] = "arr_view";
    if (arr__check_readable(src, fn) != 0)
        return NULL;
    if (ndim < 0 || ndim > ARR_MAXDIMS)
        return arr__fail_p(ARR_EINVAL, "%s: result would have %d dimensions (maximum %d)",
                           arr_op_name(op), ndim, ARR_MAXDIMS);
    arr_t *v = arr__calloc(1, sizeof *v);
    if (v == NULL)
        return arr__fail_p(ARR_ENOMEM, "out of memory for a view handle");
    v->magic = ARR_MAGIC_LIVE;
    v->ndim = ndim;
    v->dtype = src->dtype;
    v->itemsize = src->itemsize;
    v->op = op;
    v->source_id = src->id;
    v->is_view = 1;
    v->data = data;
    v->made_at = caller;
    if (ndim > 0) {
        memcpy(v->shape, shape, (size_t)ndim * sizeof *shape);
        memcpy(v->strides, strides, (size_t)ndim * sizeof *strides);
    }
    v->flags = (src->flags & ARR_WRITEABLE) && !readonly ? ARR_WRITEABLE : 0;
    arr__update_contiguity(v);

    /* Resolve the owner and link to it under the lock: another thread may be
     * freeing the owner (through its own handle) right now. */
    pthread_mutex_lock(&registry_lock);
    if (!live_set_contains(src) || src->orphaned) {
        pthread_mutex_unlock(&registry_lock);
        free(v);
        return arr__fail_p(ARR_EORPHAN, "%s: the base of arr #%" PRIu64 " was freed meanwhile", fn,
                           src->id);
    }
    arr_t *owner = src->is_view ? src->base : src;
    v->base = owner;
    v->offset = data - owner->data;
    v->buffer = owner->buffer;
    if (registry_add_locked(v) != 0) {
        pthread_mutex_unlock(&registry_lock);
        free(v);
        return NULL;
    }
    v->base_id = owner->id;
    arr_t *head = link_get(&owner->views_head);
    link_set(&v->view_next, head);
    link_set(&v->view_prev, NULL);
    if (head)
        link_set(&head->view_prev, v);
    link_set(&owner->views_head, v);
    owner->nviews++;
    const void *owner_buffer = owner_reference(owner);
    int64_t owner_bytes = owner->buffer_bytes;
    pthread_mutex_unlock(&registry_lock);
    emit_created(v, owner_buffer, owner_bytes);
    return v;
}

/* ---- creation (public) -------------------------------------------------- */

static arr_t *make_filled(int ndim, const int64_t *shape, arr_dtype_t dtype, arr_op_t op,
                          double value, const void *caller)
{
    arr_t *a = arr__new_owner(ndim, shape, dtype, NULL, op, NULL, caller);
    if (a == NULL)
        return NULL;
    if (op == ARR_OP_ZEROS || (value == 0.0 && !__builtin_signbit(value)))
        memset(a->buffer, 0, (size_t)a->buffer_bytes);
    else if (op == ARR_OP_FULL) {
        int64_t n = a->buffer_bytes / a->itemsize;
        char *p = a->data;
        if (n > 0) {
            arr__store_f64(p, dtype, value);
            for (int64_t i = 1; i < n; i++)
                memcpy(p + i * a->itemsize, p, (size_t)a->itemsize);
        }
    }
    return a;
}

arr_t *arr_empty(int ndim, const int64_t *shape, arr_dtype_t dtype)
{
    return arr__new_owner(ndim, shape, dtype, NULL, ARR_OP_EMPTY, NULL, ARR__CALLER);
}

arr_t *arr_zeros(int ndim, const int64_t *shape, arr_dtype_t dtype)
{
    return make_filled(ndim, shape, dtype, ARR_OP_ZEROS, 0.0, ARR__CALLER);
}

arr_t *arr_full(int ndim, const int64_t *shape, arr_dtype_t dtype, double value)
{
    return make_filled(ndim, shape, dtype, ARR_OP_FULL, value, ARR__CALLER);
}

arr_t *arr_arange(double start, double stop, double step, arr_dtype_t dtype)
{
    if (arr__check_dtype(dtype, "arr_arange") != 0)
        return NULL;
    if (step == 0.0)
        return arr__fail_p(ARR_EINVAL, "arr_arange: step must not be zero");
    double span = (stop - start) / step;
    if (span != span || span > 9.0e15)
        return arr__fail_p(ARR_EINVAL, "arr_arange: cannot compute length for (%g, %g, %g)",
                           start, stop, step);
    int64_t n = span > 0 ? (int64_t)span : 0;
    if ((double)n < span)
        n++; /* ceil */
    if (dtype == ARR_BOOL && n > 2)
        return arr__fail_p(ARR_ETYPE, "arr_arange: no bool range of more than 2 elements");
    arr_t *a = arr__new_owner(1, &n, dtype, NULL, ARR_OP_ARANGE, NULL, ARR__CALLER);
    if (a == NULL || n == 0)
        return a;
    /* NumPy computes the first two values in the target dtype and then
     * extends with their difference: arange(0.5, 3, 0.5, int) is 0,1,2,3,4. */
    char *p = a->data;
    arr__store_f64(p, dtype, start);
    double first = arr__load_f64(p, dtype);
    if (n > 1) {
        arr__store_f64(p + a->itemsize, dtype, start + step);
        double delta = arr__load_f64(p + a->itemsize, dtype) - first;
        for (int64_t i = 2; i < n; i++)
            arr__store_f64(p + i * a->itemsize, dtype, first + (double)i * delta);
    }
    return a;
}

/* Every owner's handle: over libarr's own buffer (arr__new_owner), the
 * caller's memory (arr_wrap: no buffer, no OWNDATA, never released) or a
 * mapping with a release hook.  On failure the buffer is the caller's to
 * release.  strides NULL: C order. */
static arr_t *new_owner_over(void *buffer, int64_t bytes, void *data, int ndim, const int64_t *shape,
                             const int64_t *strides, arr_dtype_t dtype, int flags,
                             void (*release)(void *, int64_t), arr_op_t op, const arr_t *source,
                             const void *caller, const char *fn)
{
    if (arr__check_dtype(dtype, fn) != 0)
        return NULL;
    int64_t nbytes = arr__nbytes_checked(ndim, shape, dtype_table[dtype].size, fn);
    if (nbytes < 0)
        return NULL;
    if (data == NULL && nbytes != 0)
        return arr__fail_p(ARR_EINVAL, "%s: data is NULL for a non-empty array", fn);
    arr_t *a = arr__calloc(1, sizeof *a);
    if (a == NULL)
        return arr__fail_p(ARR_ENOMEM, "out of memory for an array handle");
    a->magic = ARR_MAGIC_LIVE;
    a->ndim = ndim;
    a->dtype = dtype;
    a->itemsize = dtype_table[dtype].size;
    a->op = op;
    a->source_id = source ? source->id : 0;
    a->buffer = buffer;
    a->buffer_bytes = bytes;
    a->release = release;
    a->data = data;
    a->made_at = caller;
    if (ndim > 0)
        memcpy(a->shape, shape, (size_t)ndim * sizeof *shape);
    if (strides && ndim > 0)
        memcpy(a->strides, strides, (size_t)ndim * sizeof *strides);
    else
        fill_strides(ndim, shape, a->itemsize, NULL, a->strides);
    a->flags = flags;
    arr__update_contiguity(a);
    if (registry_add(a) != 0) {
        free(a);
        return NULL;
    }
    a->base_id = a->id;
    emit_created(a, owner_reference(a), a->buffer_bytes);
    name_block_for_memcheck(a, "");
    return a;
}

arr_t *arr_wrap(void *data, int ndim, const int64_t *shape, const int64_t *strides,
                arr_dtype_t dtype, int writeable)
{
    return new_owner_over(NULL, 0, data, ndim, shape, strides, dtype, writeable ? ARR_WRITEABLE : 0,
                          NULL, ARR_OP_WRAP, NULL, ARR__CALLER, "arr_wrap");
}

arr_t *arr__new_owner_external(void *buffer, int64_t bytes, void *data, int ndim,
                               const int64_t *shape, const int64_t *strides, arr_dtype_t dtype,
                               int writeable, void (*release)(void *, int64_t), arr_op_t op,
                               const void *caller)
{
    if (buffer == NULL || bytes < 0)
        return arr__fail_p(ARR_EINVAL, "arr_new_external: no buffer");
    return new_owner_over(buffer, bytes, data, ndim, shape, strides, dtype,
                          ARR_OWNDATA | (writeable ? ARR_WRITEABLE : 0), release, op, NULL, caller,
                          "arr_new_external");
}

/* ---- freeing -----------------------------------------------------------
 * An owner freed while views live releases its buffer at once (C semantics)
 * and orphans the views.  Under Valgrind the buffer is instead kept,
 * no-access, until its last orphan goes, so that a dangling read is always
 * reported rather than served from reused memory. */

struct arr_quarantine {
    void *buffer;
    int64_t bytes;
    void (*release)(void *buffer, int64_t bytes); /* NULL: free() */
    int64_t orphans; /* live orphaned views still pointing into buffer */
    uint64_t vg_block;
};

static void release_buffer(void *buffer, int64_t bytes, void (*release)(void *, int64_t))
{
    if (buffer == NULL)
        return;
    if (release)
        release(buffer, bytes);
    else
        free(buffer);
}

static void release_quarantine(struct arr_quarantine *q)
{
    (void)ARRCHECK_QUARANTINE_RELEASED(q->buffer);
    if (q->vg_block)
        (void)VALGRIND_DISCARD(q->vg_block - 1);
    (void)VALGRIND_MAKE_MEM_UNDEFINED(q->buffer, q->bytes);
    release_buffer(q->buffer, q->bytes, q->release);
    free(q);
}

/* Under Valgrind: keeps an owner's buffer alive but no-access, re-described
 * for memcheck as whose it was and which orphans still point into it.
 * Returns NULL (release at once) if even that small record cannot be had. */
static struct arr_quarantine *quarantine_locked(arr_t *owner)
{
    struct arr_quarantine *q = calloc(1, sizeof *q); /* not arr__malloc: freeing must not fail */
    if (q == NULL)
        return NULL;
    q->buffer = owner->buffer;
    q->bytes = owner->buffer_bytes;
    q->release = owner->release;
    q->orphans = owner->nviews;
    char desc[400];
    size_t n = (size_t)snprintf(desc, sizeof desc, "quarantined buffer of freed ");
    describe(owner, desc + n, sizeof desc - n);
    n = strlen(desc);
    n += (size_t)snprintf(desc + n, sizeof desc - n, ", still used by orphaned view%s",
                          owner->nviews > 1 ? "s" : "");
    int listed = 0;
    for (arr_t *v = link_get(&owner->views_head); v && n < sizeof desc; v = link_get(&v->view_next))
        if (listed++ < 8)
            n += (size_t)snprintf(desc + n, sizeof desc - n, "%s#%" PRIu64, listed > 1 ? ", " : " ",
                                  v->id);
    if (listed > 8 && n < sizeof desc)
        snprintf(desc + n, sizeof desc - n, " and %d more", listed - 8);
    forget_block_name(&owner->vg_block);
    q->vg_block = (uint64_t)VALGRIND_CREATE_BLOCK(q->buffer, q->bytes, desc) + 1;
    (void)VALGRIND_MAKE_MEM_NOACCESS(q->buffer, q->bytes);
    return q;
}

static void orphan_views_locked(arr_t *owner, struct arr_quarantine *q)
{
    for (arr_t *v = link_get(&owner->views_head), *next; v != NULL; v = next) {
        next = link_get(&v->view_next);
        v->base = NULL;
        v->orphaned = 1;
        link_set(&v->view_next, NULL);
        link_set(&v->view_prev, NULL);
        v->quarantine = q;
        arr_registry.stats.live_orphans++;
    }
    link_set(&owner->views_head, NULL);
}

int arr_free(arr_t *a)
{
    if (a == NULL)
        return 0;
    pthread_mutex_lock(&registry_lock);
    if (!live_set_contains(a)) {
        pthread_mutex_unlock(&registry_lock);
        /* Tell arrcheck (InvalidFree); id 0 = "not a live array". */
        if (on_valgrind())
            (void)ARRCHECK_FREED(0, a);
        return arr__fail(ARR_ENOTLIVE,
                         "arr_free: %p is not a live array (double free, or never made by libarr)",
                         (void *)a);
    }
    void *release = NULL;
    struct arr_quarantine *to_release = NULL;
    int64_t orphaned_views = 0;
    if (a->is_view) {
        if (a->base) {
            arr_t *owner = a->base;
            arr_t *prev = link_get(&a->view_prev), *next = link_get(&a->view_next);
            if (prev)
                link_set(&prev->view_next, next);
            else
                link_set(&owner->views_head, next);
            if (next)
                link_set(&next->view_prev, prev);
            owner->nviews--;
        } else if (a->quarantine && --a->quarantine->orphans == 0) {
            to_release = a->quarantine;
        }
    } else {
        orphaned_views = a->nviews;
        struct arr_quarantine *q = NULL;
        if (orphaned_views > 0 && a->buffer && on_valgrind())
            q = quarantine_locked(a);
        if (orphaned_views > 0)
            orphan_views_locked(a, q);
        if (q == NULL)
            release = a->buffer; /* NULL for wrapped memory */
        arr_registry.stats.live_bytes -= a->buffer_bytes;
    }
    registry_remove_locked(a);
    pthread_mutex_unlock(&registry_lock);

    if (on_valgrind()) {
        if (orphaned_views > 0)
            (void)ARRCHECK_OWNER_FREED_WITH_VIEWS(a->id, orphaned_views);
        (void)ARRCHECK_FREED(a->id, a);
        forget_block_name(&a->vg_block);
    }
    a->magic = ARR_MAGIC_FREED;
    release_buffer(release, a->buffer_bytes, a->release);
    /* A freed handle keeps its id and magic for debuggers, but no pointer
     * that could make a leaked array look reachable to arrcheck's scan. */
    a->base = NULL;
    link_set(&a->views_head, NULL);
    link_set(&a->view_next, NULL);
    link_set(&a->view_prev, NULL);
    a->data = NULL;
    a->buffer = NULL;
    a->quarantine = NULL;
    if (to_release)
        release_quarantine(to_release);
    free(a);
    return 0;
}

int arr_set_label(arr_t *a, const char *label)
{
    if (arr__check_live(a, "arr_set_label") != 0)
        return -1;
    if (label == NULL)
        label = "";
    size_t n = strlen(label);
    if (n >= ARR_LABEL_MAX)
        n = ARR_LABEL_MAX - 1;
    memcpy(a->label, label, n);
    a->label[n] = '\0';
    if (on_valgrind())
        (void)ARRCHECK_LABEL(a->id, a->label);
    if (!a->is_view)
        name_block_for_memcheck(a, "");
    return 0;
}

const char *arr_label(const arr_t *a)
{
    if (arr__check_live(a, "arr_label") != 0)
        return NULL;
    return a->label;
}

/* ---- queries ------------------------------------------------------------ */

bool arr_is_view(const arr_t *a) { return arr__check_live(a, "arr_is_view") == 0 && a->is_view; }

arr_t *arr_base(const arr_t *a)
{
    if (arr__check_live(a, "arr_base") != 0)
        return NULL;
    arr_clear_error();
    pthread_mutex_lock(&registry_lock); /* base is cleared when the owner goes */
    arr_t *base = a->base;
    pthread_mutex_unlock(&registry_lock);
    return base;
}

int arr_flags(const arr_t *a) { return arr__check_live(a, "arr_flags") ? -1 : a->flags; }

int64_t arr_size(const arr_t *a)
{
    if (arr__check_live(a, "arr_size") != 0)
        return -1;
    int64_t n = 1;
    for (int i = 0; i < a->ndim; i++)
        n *= a->shape[i];
    return n;
}

int64_t arr_nbytes(const arr_t *a)
{
    int64_t n = arr_size(a);
    return n < 0 ? -1 : n * a->itemsize;
}

int arr_ndim(const arr_t *a) { return arr__check_live(a, "arr_ndim") ? -1 : a->ndim; }

arr_dtype_t arr_dtype(const arr_t *a)
{
    return arr__check_live(a, "arr_dtype") ? (arr_dtype_t)-1 : (arr_dtype_t)a->dtype;
}

const int64_t *arr_shape(const arr_t *a) { return arr__check_live(a, "arr_shape") ? NULL : a->shape; }

const int64_t *arr_strides(const arr_t *a)
{
    return arr__check_live(a, "arr_strides") ? NULL : a->strides;
}

void *arr_data(const arr_t *a) { return arr__check_live(a, "arr_data") ? NULL : a->data; }

uint64_t arr_id(const arr_t *a) { return arr__check_live(a, "arr_id") ? 0 : a->id; }

/* ---- the native checker ------------------------------------------------ */

static void where_made(const arr_t *a, char *buf, size_t cap)
{
    Dl_info info;
    if (a->made_at && dladdr(a->made_at, &info) && info.dli_sname)
        snprintf(buf, cap, "%s+0x%tx", info.dli_sname,
                 (const char *)a->made_at - (const char *)info.dli_saddr);
    else
        snprintf(buf, cap, "%p", a->made_at);
}

int64_t arr_report_leaks(FILE *f)
{
    int64_t copies = 0, owners = 0, views = 0, orphans = 0, bytes = 0;
    pthread_mutex_lock(&registry_lock);
    for (int64_t i = 0; i < arr_registry.count; i++) {
        show_slot(&arr_registry.items[i]);
        const arr_t *a = arr_registry.items[i];
        hide_slot(&arr_registry.items[i]);
        char desc[256], where[128];
        describe(a, desc, sizeof desc);
        where_made(a, where, sizeof where);
        const char *what;
        if (a->is_view && a->orphaned) {
            what = "orphaned view: its base was freed first";
            orphans++;
        } else if (a->is_view) {
            what = "view never freed";
            views++;
        } else if (arr_op_is_copy((arr_op_t)a->op)) {
            what = "copy never freed";
            copies++;
            bytes += a->buffer_bytes;
        } else {
            what = "array never freed";
            owners++;
            bytes += a->buffer_bytes;
        }
        if (f)
            fprintf(f, "libarr: %s: %s, %" PRId64 " bytes, made at %s\n", what, desc,
                    a->is_view ? (int64_t)0 : a->buffer_bytes, where);
    }
    pthread_mutex_unlock(&registry_lock);
    int64_t total = copies + owners + views + orphans;
    if (f)
        fprintf(f,
                "libarr: LEAK SUMMARY: %" PRId64 " findings: %" PRId64 " copies and %" PRId64
                " arrays never freed (%" PRId64 " bytes), %" PRId64 " views never freed, %" PRId64
                " orphaned views\n",
                total, copies, owners, bytes, views, orphans);
    return total;
}

static void check_at_exit(void)
{
    fflush(NULL);
    int64_t findings = arr_report_leaks(stderr);
    fflush(stderr);
    if (findings > 0) {
        const char *code = getenv("ARR_CHECK_EXITCODE");
        _exit(code && *code ? atoi(code) : 3);
    }
}

/* A program that freed every array leaves nothing behind, not even the
 * registry's tables (so memcheck's "still reachable" stays empty). */
__attribute__((destructor)) static void release_empty_registry(void)
{
    pthread_mutex_lock(&registry_lock);
    if (arr_registry.count == 0) {
        free(arr_registry.items);
        arr_registry.items = NULL;
        arr_registry.capacity = 0;
        free(live_set);
        live_set = NULL;
        live_set_cap = 0;
    }
    pthread_mutex_unlock(&registry_lock);
}

__attribute__((constructor)) static void arr_check_init(void)
{
    const char *v = getenv("ARR_CHECK");
    if (v && *v && strcmp(v, "0") != 0)
        atexit(check_at_exit);
}
