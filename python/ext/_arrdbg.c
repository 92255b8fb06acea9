/* _arrdbg.c - arrdbg's NumPy data-memory handler (the C half of `arrdbg`).
 *
 * install() puts a PyDataMem_Handler in front of whatever handler is current
 * (NumPy's default or a program's own): every ndarray data allocation, calloc,
 * realloc and free goes to the previous handler unchanged (a NULL from it is
 * returned as is) and is recorded here:
 *   - a record per live buffer (address, bytes, event number, site) in an
 *     open-addressing hash table, the registry of registry.h that gdb reads;
 *   - a site per (code object, instruction offset) of the first Python frame
 *     outside NumPy's package ("the user's line"), with bytes/arrays made and
 *     freed there; the classifier (arrdbg/_classify.py) names each site's op
 *     from the instruction it points at, in a pending call (never inside the
 *     allocator);
 *   - the live total and its peak, and the buffers that were live at the peak
 *     and have been freed since (so "live at the peak" is exact without a
 *     history of every event).
 * Python objects are touched only when PyGILState_Check() says this thread
 * holds the GIL: NumPy allocates without it in places, and those events are
 * recorded under the site "<no GIL>".  The tables that threads without the
 * GIL update (records, counters) are guarded by a mutex; sites and the
 * object table are only ever changed with the GIL held.  fork(): the mutex
 * is taken around it (pthread_atfork) so the child never inherits it held.
 *
 * Under Valgrind (RUNNING_ON_VALGRIND, tested once at install) each buffer is
 * also an arrcheck owner (arrcheck.h) labelled with its Python file:line, and
 * freed buffers stay in a small quarantine so a C extension that reads one
 * after NumPy freed it gets DanglingAccess (see vg_* below).  Natively
 * that costs one predictable branch per event.
 *
 * Cost per event: a walk over the Python frames NumPy's own Python code
 * added (usually none), two hash lookups (site, record), O(1) amortised.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <frameobject.h>
#define NPY_NO_DEPRECATED_API NPY_1_22_API_VERSION
#include <numpy/arrayobject.h>

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "arrcheck.h"
#include "registry.h"

#if PY_VERSION_HEX < 0x03090000
#error "arrdbg needs Python 3.9 or later (PyFrame_GetCode/PyFrame_GetBack)"
#endif

/* ---- the registry (registry.h) ------------------------------------------- */

#define OFF(field) ((uint32_t)offsetof(struct arrdbg_np_root, field))
__attribute__((visibility("default"))) struct arrdbg_np_root arrdbg_numpy_registry = {
    .magic = ARRDBG_NP_MAGIC,
    .version = ARRDBG_NP_VERSION,
    .root_size = sizeof(struct arrdbg_np_root),
    .nfields = ARRDBG_NP_NFIELDS,
    .layout = {
        [ARRDBG_NP_F_RECS] = OFF(recs),
        [ARRDBG_NP_F_REC_CAP] = OFF(rec_cap),
        [ARRDBG_NP_F_REC_COUNT] = OFF(rec_count),
        [ARRDBG_NP_F_SITES] = OFF(sites),
        [ARRDBG_NP_F_NSITES] = OFF(nsites),
        [ARRDBG_NP_F_LIVE_BYTES] = OFF(live_bytes),
        [ARRDBG_NP_F_PEAK_BYTES] = OFF(peak_bytes),
        [ARRDBG_NP_F_SEQ] = OFF(seq),
        [ARRDBG_NP_F_REC_SIZE] = sizeof(struct arrdbg_np_rec),
        [ARRDBG_NP_F_REC_PTR] = offsetof(struct arrdbg_np_rec, ptr),
        [ARRDBG_NP_F_REC_BYTES] = offsetof(struct arrdbg_np_rec, bytes),
        [ARRDBG_NP_F_REC_SEQ] = offsetof(struct arrdbg_np_rec, seq),
        [ARRDBG_NP_F_REC_SITE] = offsetof(struct arrdbg_np_rec, site),
        [ARRDBG_NP_F_REC_FLAGS] = offsetof(struct arrdbg_np_rec, flags),
        [ARRDBG_NP_F_SITE_SIZE] = sizeof(struct arrdbg_np_site),
        [ARRDBG_NP_F_SITE_FILE] = offsetof(struct arrdbg_np_site, file),
        [ARRDBG_NP_F_SITE_FUNC] = offsetof(struct arrdbg_np_site, func),
        [ARRDBG_NP_F_SITE_LINE] = offsetof(struct arrdbg_np_site, line),
        [ARRDBG_NP_F_SITE_OP] = offsetof(struct arrdbg_np_site, op),
        [ARRDBG_NP_F_SITE_KIND] = offsetof(struct arrdbg_np_site, kind),
        [ARRDBG_NP_F_OP_LEN] = ARRDBG_NP_OP_LEN,
        [ARRDBG_NP_F_KIND_LEN] = sizeof(((struct arrdbg_np_site *)0)->kind),
        [ARRDBG_NP_F_OBJS] = OFF(objs),
        [ARRDBG_NP_F_OBJ_CAP] = OFF(obj_cap),
        [ARRDBG_NP_F_OBJ_SIZE] = 2 * sizeof(uint64_t), /* struct obj_slot, checked below */
        [ARRDBG_NP_F_OBJ_PTR] = 0,
    },
};
#define R arrdbg_numpy_registry

enum { SITE_NOGIL = 0, SITE_NOFRAME = 1, SITE_FIRST_REAL = 2 };

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int installed;
static int on_valgrind;
static PyObject *prev_capsule;            /* strong reference, never released */
static PyDataMem_Handler *prev;           /* inside prev_capsule */
static size_t site_cap;

/* Totals beyond the registry's. */
static uint64_t total_alloc_bytes, total_freed_bytes, n_allocs, n_frees, peak_seq;

/* Buffers live at the peak and freed since (reset at each new peak). */
struct peak_freed {
    uint64_t seq, bytes;
    uint32_t site, pad;
};
static struct peak_freed *peak_freed;
static size_t n_peak_freed, cap_peak_freed;

/* Internal-code table: code object -> 1 (NumPy's) / 2 (the user's).  And the
 * site table's index: (code, lasti) -> site + 1.  Both GIL-only. */
struct code_slot {
    PyObject *code;
    int kind;
};
static struct code_slot *codes;
static size_t code_cap, code_count;
struct site_slot {
    PyObject *code;
    int lasti;
    uint32_t site_plus1;
};
static struct site_slot *site_index;
static size_t site_index_cap;

static char **internal_prefixes;          /* directories whose code is "NumPy's" */
static size_t n_internal_prefixes;

static PyObject *classify_cb, *peak_cb;   /* Python callbacks, may be NULL */
static int classify_pending, peak_pending;
static uint64_t peak_scan_at;             /* schedule a peak scan above this */

/* ---- hashing ---------------------------------------------------------------- */

static inline size_t hash_ptr(uintptr_t p)
{
    uint64_t x = (uint64_t)p;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return (size_t)x;
}

/* The growth of every open-addressing table here (records, code kinds,
 * site index, objects): a zeroed table of ncap slots of sz bytes (ncap a
 * power of two) holding old's live slots, each placed by its hash with
 * linear probing.  live(slot, &hash) says whether a slot holds an entry
 * (an empty slot is all zero) and gives its hash.  O(cap + ncap), so
 * O(1) amortised per insert; NULL when out of memory (old is untouched). */
typedef int (*slot_live_fn)(const void *slot, size_t *hash);

static void *table_rehash(const void *old, size_t cap, size_t ncap, size_t sz, slot_live_fn live)
{
    char *n = calloc(ncap, sz);
    if (!n)
        return NULL;
    size_t h, unused;
    for (size_t i = 0; i < cap; i++) {
        const char *o = (const char *)old + i * sz;
        if (!live(o, &h))
            continue;
        size_t k = h & (ncap - 1);
        while (live(n + k * sz, &unused))
            k = (k + 1) & (ncap - 1);
        memcpy(n + k * sz, o, sz);
    }
    return n;
}

/* ---- records (mutex held) -------------------------------------------------- */

static int rec_live(const void *slot, size_t *hash)
{
    uint64_t ptr = ((const struct arrdbg_np_rec *)slot)->ptr;
    *hash = hash_ptr(ptr);
    return ptr > 1;
}

static struct arrdbg_np_rec *rec_find(uint64_t ptr)
{
    if (R.rec_cap == 0)
        return NULL;
    size_t mask = R.rec_cap - 1;
    for (size_t i = hash_ptr(ptr) & mask;; i = (i + 1) & mask) {
        struct arrdbg_np_rec *r = &R.recs[i];
        if (r->ptr == ptr)
            return r;
        if (r->ptr == 0)
            return NULL;
    }
}

static size_t rec_used; /* live + deleted slots */

static int rec_grow(void)
{
    size_t ncap = R.rec_cap ? R.rec_cap * 2 : 1024;
    while (R.rec_count * 2 >= ncap)
        ncap *= 2;
    struct arrdbg_np_rec *n = table_rehash(R.recs, R.rec_cap, ncap, sizeof *n, rec_live);
    if (!n)
        return -1;
    struct arrdbg_np_rec *old = R.recs;
    R.recs = n;
    R.rec_cap = ncap;
    rec_used = R.rec_count;
    free(old);
    return 0;
}

static struct arrdbg_np_rec *rec_insert(uint64_t ptr)
{
    if ((rec_used + 1) * 2 > R.rec_cap && rec_grow() < 0)
        return NULL;
    size_t mask = R.rec_cap - 1;
    struct arrdbg_np_rec *tomb = NULL;
    for (size_t i = hash_ptr(ptr) & mask;; i = (i + 1) & mask) {
        struct arrdbg_np_rec *r = &R.recs[i];
        if (r->ptr == ptr)
            return r; /* stale (should not happen): reuse */
        if (r->ptr == 1 && !tomb)
            tomb = r;
        if (r->ptr == 0) {
            if (!tomb) {
                tomb = r;
                rec_used++;
            }
            tomb->ptr = ptr;
            R.rec_count++;
            return tomb;
        }
    }
}

static void rec_delete(struct arrdbg_np_rec *r)
{
    r->ptr = 1;
    R.rec_count--;
}

/* ---- sites (GIL held) -------------------------------------------------------- */

static int sites_reserve(size_t n)
{
    if (n <= site_cap)
        return 0;
    size_t ncap = site_cap ? site_cap * 2 : 256;
    while (ncap < n)
        ncap *= 2;
    pthread_mutex_lock(&lock);
    struct arrdbg_np_site *s = realloc(R.sites, ncap * sizeof *s);
    if (s) {
        memset(s + site_cap, 0, (ncap - site_cap) * sizeof *s);
        R.sites = s;
        site_cap = ncap;
    }
    pthread_mutex_unlock(&lock);
    return s ? 0 : -1;
}

static int code_live(const void *slot, size_t *hash)
{
    PyObject *code = ((const struct code_slot *)slot)->code;
    *hash = hash_ptr((uintptr_t)code);
    return code != NULL;
}

static size_t site_slot_hash(PyObject *code, int lasti)
{
    return hash_ptr((uintptr_t)code) ^ (size_t)lasti;
}

static int site_slot_live(const void *slot, size_t *hash)
{
    const struct site_slot *s = slot;
    *hash = site_slot_hash(s->code, s->lasti);
    return s->code != NULL;
}

static int code_kind(PyObject *code)
{
    size_t mask = code_cap - 1;
    size_t i = code_cap ? hash_ptr((uintptr_t)code) & mask : 0;
    if (code_cap) {
        for (;; i = (i + 1) & mask) {
            if (codes[i].code == code)
                return codes[i].kind;
            if (!codes[i].code)
                break;
        }
    }
    int kind = 2;
    PyObject *fn = ((PyCodeObject *)code)->co_filename;
    const char *f = fn && PyUnicode_Check(fn) ? PyUnicode_AsUTF8(fn) : NULL;
    if (!f)
        PyErr_Clear();
    for (size_t k = 0; f && k < n_internal_prefixes; k++)
        if (strncmp(f, internal_prefixes[k], strlen(internal_prefixes[k])) == 0)
            kind = 1;
    if ((code_count + 1) * 2 > code_cap) {
        size_t ncap = code_cap ? code_cap * 2 : 512;
        struct code_slot *n = table_rehash(codes, code_cap, ncap, sizeof *n, code_live);
        if (!n)
            return kind;
        free(codes);
        codes = n;
        code_cap = ncap;
        mask = ncap - 1;
    }
    i = hash_ptr((uintptr_t)code) & mask;
    while (codes[i].code)
        i = (i + 1) & mask;
    Py_INCREF(code); /* keeps the address from being reused */
    codes[i].code = code;
    codes[i].kind = kind;
    code_count++;
    return kind;
}

static const char *dup_utf8(PyObject *s, const char *fallback)
{
    const char *u = s && PyUnicode_Check(s) ? PyUnicode_AsUTF8(s) : NULL;
    if (!u) {
        PyErr_Clear();
        u = fallback;
    }
    char *d = strdup(u);
    return d ? d : fallback;
}

static void schedule_classify(void);

static uint32_t site_intern(PyObject *code, int lasti, PyObject *np_code)
{
    if ((R.nsites + 1) * 2 > site_index_cap) {
        size_t ncap = site_index_cap ? site_index_cap * 2 : 512;
        struct site_slot *n = table_rehash(site_index, site_index_cap, ncap, sizeof *n,
                                           site_slot_live);
        if (!n)
            return SITE_NOFRAME;
        free(site_index);
        site_index = n;
        site_index_cap = ncap;
    }
    size_t mask = site_index_cap - 1;
    size_t i = site_slot_hash(code, lasti) & mask;
    for (; site_index[i].code; i = (i + 1) & mask)
        if (site_index[i].code == code && site_index[i].lasti == lasti)
            return site_index[i].site_plus1 - 1;
    if (sites_reserve(R.nsites + 1) < 0)
        return SITE_NOFRAME;
    PyCodeObject *co = (PyCodeObject *)code;
    struct arrdbg_np_site s;
    memset(&s, 0, sizeof s);
    s.file = dup_utf8(co->co_filename, "?");
    s.func = dup_utf8(co->co_name, "?");
    s.lasti = lasti;
    s.line = lasti >= 0 ? PyCode_Addr2Line(co, lasti) : co->co_firstlineno;
    Py_INCREF(code);
    s.code = code;
    Py_XINCREF(np_code);
    s.np_code = np_code;
    uint32_t idx = (uint32_t)R.nsites;
    pthread_mutex_lock(&lock);
    R.sites[idx] = s;
    R.nsites++;
    pthread_mutex_unlock(&lock);
    site_index[i].code = code;
    site_index[i].lasti = lasti;
    site_index[i].site_plus1 = idx + 1;
    schedule_classify();
    return idx;
}

/* The site of the current Python line: the innermost frame whose code is not
 * NumPy's.  GIL held.  Never leaves an exception set. */
static uint32_t current_site(void)
{
    PyFrameObject *f = PyEval_GetFrame(); /* borrowed */
    if (!f)
        return SITE_NOFRAME;
    PyObject *et, *ev, *tb;
    PyErr_Fetch(&et, &ev, &tb);
    uint32_t site = SITE_NOFRAME;
    PyObject *np_code = NULL;
    Py_INCREF(f);
    for (int depth = 0; f && depth < 64; depth++) {
        PyObject *code = (PyObject *)PyFrame_GetCode(f);
        if (code_kind(code) == 2) {
#if PY_VERSION_HEX >= 0x030B0000
            int lasti = PyFrame_GetLasti(f);
#else
            int lasti = f->f_lasti * 2;
#endif
            site = site_intern(code, lasti, np_code);
            Py_DECREF(code);
            break;
        }
        Py_XSETREF(np_code, code);
        PyFrameObject *back = PyFrame_GetBack(f);
        Py_DECREF(f);
        f = back;
    }
    Py_XDECREF(f);
    Py_XDECREF(np_code);
    PyErr_Clear();
    PyErr_Restore(et, ev, tb);
    return site;
}

static inline uint32_t site_now(void)
{
    return PyGILState_Check() ? current_site() : SITE_NOGIL;
}

/* ---- pending calls: the classifier and the peak scan --------------------------- */

/* Calls a Python hook from a pending call (GIL held); its errors are
 * reported as unraisable, never passed on into the interpreter's loop. */
static int call_hook(PyObject *cb)
{
    if (!cb)
        return 0;
    PyObject *r = PyObject_CallNoArgs(cb);
    if (!r) {
        PyErr_WriteUnraisable(cb);
        return 0;
    }
    Py_DECREF(r);
    return 0;
}

static int run_classify(void *arg)
{
    (void)arg;
    classify_pending = 0;
    return call_hook(classify_cb);
}

static void schedule_classify(void)
{
    if (classify_cb && !classify_pending && Py_AddPendingCall(run_classify, NULL) == 0)
        classify_pending = 1;
}

static int run_peak(void *arg)
{
    (void)arg;
    peak_pending = 0;
    return call_hook(peak_cb);
}

/* ---- Valgrind: arrcheck owners and the quarantine ----------------------------- */

/* At most this many freed buffers (and bytes) are kept back; the oldest
 * goes first.  arrcheck checks every access against the quarantined ranges,
 * so the list stays short. */
#define QUARANTINE_SLOTS 16
#define QUARANTINE_BYTES (256u << 20)
struct qentry {
    void *ptr;
    size_t bytes;
};
static struct qentry quarantine[QUARANTINE_SLOTS];
static size_t q_head, q_len, q_bytes;

static const char *base_name(const char *path)
{
    const char *b = strrchr(path, '/');
    return b ? b + 1 : path;
}

/* FILE then suffix, within arrcheck's label limit and never cut by the
 * tool (arrcheck.h: "Labels that name a source place"): a long file name
 * loses its start, so its end (".py") and the line numbers stay. */
static void vg_site_label(char *out, const char *file, const char *suffix)
{
    size_t room = ARRCHECK_LABEL_MAX - 1 - strlen(suffix), len = strlen(file);
    snprintf(out, ARRCHECK_LABEL_MAX, "%s%s", len > room ? file + (len - room) : file, suffix);
}

/* "file.py:12": the owner's label while it lives.  out: ARRCHECK_LABEL_MAX
 * bytes. */
static void vg_label(char *out, uint32_t site)
{
    const struct arrdbg_np_site *s = &R.sites[site];
    char suffix[16];
    snprintf(suffix, sizeof suffix, ":%d", (int)s->line);
    vg_site_label(out, base_name(s->file), suffix);
}

/* "file.py:12..30" (made at line 12, freed at line 30 of the same file) or
 * "a.py:12..b.py:30": the label once NumPy freed it; "a.py:12" when it was
 * freed where there is no Python line ("<no GIL>", "<no Python frame>":
 * at exit) or when the second form does not fit. */
static void vg_freed_label(char *out, uint32_t made, uint32_t freed)
{
    const struct arrdbg_np_site *m = &R.sites[made], *f = &R.sites[freed];
    char suffix[ARRCHECK_LABEL_MAX];
    if (f->file[0] == '<') {
        vg_label(out, made);
    } else if (strcmp(m->file, f->file) == 0) {
        snprintf(suffix, sizeof suffix, ":%d..%d", (int)m->line, (int)f->line);
        vg_site_label(out, base_name(m->file), suffix);
    } else if ((size_t)snprintf(out, ARRCHECK_LABEL_MAX, "%s:%d..%s:%d", base_name(m->file),
                                (int)m->line, base_name(f->file),
                                (int)f->line) >= ARRCHECK_LABEL_MAX) {
        vg_label(out, made);
    }
}

static void vg_owner_created(void *p, size_t bytes, uint64_t id, uint32_t site)
{
    char label[ARRCHECK_LABEL_MAX];
    vg_label(label, site);
    /* The site's op once the classifier has named it (a site seen before);
     * "call NAME" ops go as their kind so the tool's name table stays small. */
    const struct arrdbg_np_site *st = &R.sites[site];
    const char *op = !st->op[0] ? "numpy" : strncmp(st->op, "call ", 5) == 0 ? st->kind : st->op;
    int is_copy = strcmp(st->kind, "copy") == 0;
    int64_t shape[1] = {(int64_t)bytes}, strides[1] = {1};
    struct arrcheck_array_info info = {
        .version = ARRCHECK_PROTOCOL_VERSION,
        .size = sizeof info,
        .id = id,
        .base_id = id,
        .handle = p,
        .handle_bytes = 1,
        .buffer = p,
        .buffer_bytes = bytes,
        .extent_lo = 0,
        .extent_hi = (int64_t)bytes,
        .dtype = 0,
        .itemsize = 1,
        .ndim = 1,
        .op = 0,
        .is_copy = is_copy,
        .owndata = 1,
        .shape = shape,
        .strides = strides,
        .dtype_name = "uint8",
        .op_name = op,
        .label = label,
    };
    (void)ARRCHECK_OWNER_CREATED(&info);
}

static void vg_release_oldest(void)
{
    struct qentry *q = &quarantine[q_head];
    (void)ARRCHECK_QUARANTINE_RELEASED(q->ptr);
    prev->allocator.free(prev->allocator.ctx, q->ptr, q->bytes);
    q_bytes -= q->bytes;
    q_head = (q_head + 1) % QUARANTINE_SLOTS;
    q_len--;
}

/* After release_quarantine (at exit): frees go straight through. */
static int quarantine_off;

/* The owner is freed into the quarantine (ARRCHECK_FREED_TO_QUARANTINE):
 * arrcheck counts its bytes as freed now, keeps watching the buffer and
 * reports an access to it as DanglingAccess until vg_release_oldest gives
 * it back.  Mutex held. */
static void vg_quarantine(void *p, size_t bytes, uint64_t id, uint32_t made, uint32_t freed)
{
    while (q_len > 0 && (q_len == QUARANTINE_SLOTS || q_bytes + bytes > QUARANTINE_BYTES))
        vg_release_oldest();
    struct qentry *q = &quarantine[(q_head + q_len) % QUARANTINE_SLOTS];
    q->ptr = p;
    q->bytes = bytes;
    q_len++;
    q_bytes += bytes;
    char label[ARRCHECK_LABEL_MAX];
    vg_freed_label(label, made, freed);
    (void)ARRCHECK_LABEL(id, label);
    (void)ARRCHECK_FREED_TO_QUARANTINE(id, p);
}

/* arrcheck's stacks and profile attribute an array to the first frame that
 * is not a declared library's, and a copy's creation window lasts until
 * the outermost library frame returns: declare this handler and NumPy's
 * compiled modules, so NumPy filling a new buffer is part of making it
 * (not a write after it was made) and stacks start at NumPy's frame. */
static void vg_declare_libraries(void)
{
    static const char *const objects[][2] = {
        {"arrdbg-numpy-handler", "_arrdbg"},
        {"numpy-core", "_multiarray_umath"},
        {"numpy-random-mtrand", "mtrand"},
        {"numpy-random-generator", "_generator"},
        {"numpy-linalg", "_umath_linalg"},
    };
    for (size_t i = 0; i < sizeof objects / sizeof objects[0]; i++) {
        struct arrcheck_library lib = {
            .version = ARRCHECK_PROTOCOL_VERSION,
            .size = sizeof lib,
            .name = objects[i][0],
            .prefix = NULL,
            .srcdir = NULL,
            .object = objects[i][1],
        };
        (void)ARRCHECK_LIBRARY(&lib);
    }
}

/* ---- the handler ---------------------------------------------------------------- */

static void note_alloc(void *p, size_t bytes)
{
    uint32_t site = site_now();
    uint64_t seq;
    pthread_mutex_lock(&lock);
    seq = ++R.seq;
    struct arrdbg_np_rec *r = rec_insert((uint64_t)(uintptr_t)p);
    if (r) {
        r->bytes = bytes;
        r->seq = seq;
        r->site = site;
        r->flags = 0;
    }
    R.sites[site].alloc_bytes += bytes;
    R.sites[site].alloc_count++;
    R.live_bytes += bytes;
    total_alloc_bytes += bytes;
    n_allocs++;
    int want_scan = 0;
    if (R.live_bytes > R.peak_bytes) {
        R.peak_bytes = R.live_bytes;
        peak_seq = seq;
        n_peak_freed = 0;
        if (R.peak_bytes >= peak_scan_at) {
            peak_scan_at = R.peak_bytes + R.peak_bytes / 4;
            want_scan = 1;
        }
    }
    if (on_valgrind)
        vg_owner_created(p, bytes, seq, site);
    pthread_mutex_unlock(&lock);
    if (want_scan && peak_cb && !peak_pending && Py_AddPendingCall(run_peak, NULL) == 0)
        peak_pending = 1;
}

/* Returns 1 when the buffer went into the quarantine (do not free it). */
static int note_free(void *p)
{
    uint32_t site = site_now();
    int kept = 0;
    pthread_mutex_lock(&lock);
    R.seq++;
    struct arrdbg_np_rec *r = rec_find((uint64_t)(uintptr_t)p);
    if (r) {
        R.sites[site].freed_bytes += r->bytes;
        R.sites[site].free_count++;
        R.live_bytes -= r->bytes;
        total_freed_bytes += r->bytes;
        n_frees++;
        if (r->seq <= peak_seq) {
            if (n_peak_freed == cap_peak_freed) {
                size_t ncap = cap_peak_freed ? cap_peak_freed * 2 : 64;
                struct peak_freed *n = realloc(peak_freed, ncap * sizeof *n);
                if (n) {
                    peak_freed = n;
                    cap_peak_freed = ncap;
                }
            }
            if (n_peak_freed < cap_peak_freed)
                peak_freed[n_peak_freed++] = (struct peak_freed){r->seq, r->bytes, r->site, 0};
        }
        if (on_valgrind && !quarantine_off) {
            vg_quarantine(p, r->bytes, r->seq, r->site, site);
            kept = 1;
        } else if (on_valgrind) {
            char label[ARRCHECK_LABEL_MAX];
            vg_freed_label(label, r->site, site);
            (void)ARRCHECK_LABEL(r->seq, label);
            (void)ARRCHECK_FREED(r->seq, p);
        }
        rec_delete(r);
    }
    pthread_mutex_unlock(&lock);
    return kept;
}

static void *h_malloc(void *ctx, size_t size)
{
    (void)ctx;
    void *p = prev->allocator.malloc(prev->allocator.ctx, size);
    if (p)
        note_alloc(p, size);
    return p;
}

static void *h_calloc(void *ctx, size_t nelem, size_t elsize)
{
    (void)ctx;
    void *p = prev->allocator.calloc(prev->allocator.ctx, nelem, elsize);
    if (p)
        note_alloc(p, nelem * elsize);
    return p;
}

static void *h_realloc(void *ctx, void *ptr, size_t new_size)
{
    (void)ctx;
    if (!ptr)
        return h_malloc(ctx, new_size);
    if (on_valgrind) {
        /* Keep the old buffer in quarantine like a free: move by hand. */
        void *q = prev->allocator.malloc(prev->allocator.ctx, new_size ? new_size : 1);
        if (!q)
            return NULL;
        size_t old = 0;
        pthread_mutex_lock(&lock);
        struct arrdbg_np_rec *r = rec_find((uint64_t)(uintptr_t)ptr);
        old = r ? r->bytes : 0;
        pthread_mutex_unlock(&lock);
        memcpy(q, ptr, old < new_size ? old : new_size);
        if (!note_free(ptr))
            prev->allocator.free(prev->allocator.ctx, ptr, old);
        note_alloc(q, new_size);
        return q;
    }
    void *q = prev->allocator.realloc(prev->allocator.ctx, ptr, new_size);
    if (!q)
        return NULL; /* the old buffer is untouched and still recorded */
    note_free(ptr);
    note_alloc(q, new_size);
    return q;
}

static void h_free(void *ctx, void *ptr, size_t size)
{
    (void)ctx;
    if (ptr && note_free(ptr))
        return;
    prev->allocator.free(prev->allocator.ctx, ptr, size);
}

static PyDataMem_Handler handler = {
    "arrdbg",
    1,
    {NULL, h_malloc, h_calloc, h_realloc, h_free},
};

/* ---- ndarray objects: the live ones, and where each was made ----------------- */

/* Every live ndarray object allocated through ndarray's own tp_alloc since
 * install (views included; Python subclasses have their own slots), with
 * the site that made it: object address -> site + 1, an open-addressing
 * table with tombstones (site_plus1 == 0 and obj == 1).  tp_free removes
 * the entry.  GIL-only (objects are made and freed with the GIL held). */
struct obj_slot {
    uintptr_t obj;
    uint32_t site_plus1;
};
_Static_assert(sizeof(struct obj_slot) == 2 * sizeof(uint64_t) && offsetof(struct obj_slot, obj) == 0,
               "registry.h: OBJ_SIZE and OBJ_PTR");
static struct obj_slot *objs;
static size_t obj_cap, obj_count, obj_used;
static allocfunc orig_tp_alloc;
static freefunc orig_tp_free;

static int obj_live(const void *slot, size_t *hash)
{
    uintptr_t o = ((const struct obj_slot *)slot)->obj;
    *hash = hash_ptr(o);
    return o > 1;
}

static int obj_grow(void)
{
    size_t ncap = obj_cap ? obj_cap : 4096;
    while (obj_count * 2 >= ncap)
        ncap *= 2;
    struct obj_slot *n = table_rehash(objs, obj_cap, ncap, sizeof *n, obj_live);
    if (!n)
        return -1;
    free(objs);
    objs = n;
    obj_cap = ncap;
    R.objs = objs, R.obj_cap = obj_cap; /* what gdb's `arr views` reads */
    obj_used = obj_count;
    return 0;
}

static void obj_note(uintptr_t o, uint32_t site)
{
    if ((obj_used + 1) * 2 > obj_cap && obj_grow() < 0)
        return;
    size_t mask = obj_cap - 1, i = hash_ptr(o) & mask;
    struct obj_slot *tomb = NULL;
    for (; objs[i].obj; i = (i + 1) & mask) {
        if (objs[i].obj == o) {
            objs[i].site_plus1 = site + 1;
            return;
        }
        if (objs[i].obj == 1 && !tomb)
            tomb = &objs[i];
    }
    if (!tomb) {
        tomb = &objs[i];
        obj_used++;
    }
    tomb->obj = o;
    tomb->site_plus1 = site + 1;
    obj_count++;
}

static struct obj_slot *obj_find(uintptr_t o)
{
    if (!obj_cap)
        return NULL;
    size_t mask = obj_cap - 1;
    for (size_t i = hash_ptr(o) & mask; objs[i].obj; i = (i + 1) & mask)
        if (objs[i].obj == o)
            return &objs[i];
    return NULL;
}

static long obj_site(uintptr_t o)
{
    struct obj_slot *s = obj_find(o);
    return s ? (long)s->site_plus1 - 1 : -1;
}

static PyObject *arr_tp_alloc(PyTypeObject *type, Py_ssize_t nitems)
{
    PyObject *o = orig_tp_alloc(type, nitems);
    if (o)
        obj_note((uintptr_t)o, current_site());
    return o;
}

static void arr_tp_free(void *o)
{
    struct obj_slot *s = obj_find((uintptr_t)o);
    if (s) {
        s->obj = 1;
        s->site_plus1 = 0;
        obj_count--;
    }
    orig_tp_free(o);
}

/* ---- fork -------------------------------------------------------------------- */

static void atfork_prepare(void) { pthread_mutex_lock(&lock); }
static void atfork_parent(void) { pthread_mutex_unlock(&lock); }
static void atfork_child(void) { pthread_mutex_init(&lock, NULL); }

/* ---- module functions ---------------------------------------------------------- */

/* A site that is no Python line (R.sites[idx], reserved). */
static void pseudo_site(uint32_t idx, const char *file)
{
    R.sites[idx].file = file;
    R.sites[idx].func = "?";
    R.sites[idx].lasti = -1;
    strcpy(R.sites[idx].op, "?");
    strcpy(R.sites[idx].kind, "unknown");
}

/* Makes this handler the current context's; -1 with an exception set. */
static int set_handler_here(void)
{
    PyObject *cap = PyCapsule_New(&handler, "mem_handler", NULL);
    if (!cap)
        return -1;
    PyObject *old = PyDataMem_SetHandler(cap);
    Py_DECREF(cap);
    if (!old)
        return -1;
    Py_DECREF(old);
    return 0;
}

static PyObject *mod_install(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *prefixes;
    if (!PyArg_ParseTuple(args, "O!", &PyList_Type, &prefixes))
        return NULL;
    if (installed) {
        PyErr_SetString(PyExc_RuntimeError, "arrdbg: the handler is already installed");
        return NULL;
    }
    Py_ssize_t n = PyList_GET_SIZE(prefixes);
    internal_prefixes = calloc((size_t)n + 1, sizeof *internal_prefixes);
    if (!internal_prefixes)
        return PyErr_NoMemory();
    for (Py_ssize_t i = 0; i < n; i++) {
        const char *s = PyUnicode_AsUTF8(PyList_GET_ITEM(prefixes, i));
        if (!s)
            return NULL;
        internal_prefixes[n_internal_prefixes++] = strdup(s);
    }
    if (sites_reserve(SITE_FIRST_REAL) < 0)
        return PyErr_NoMemory();
    pseudo_site(SITE_NOGIL, "<no GIL>");
    pseudo_site(SITE_NOFRAME, "<no Python frame>");
    R.nsites = SITE_FIRST_REAL;

    prev_capsule = PyDataMem_GetHandler();
    if (!prev_capsule)
        return NULL;
    prev = PyCapsule_GetPointer(prev_capsule, "mem_handler");
    if (!prev)
        return NULL;
    on_valgrind = RUNNING_ON_VALGRIND ? 1 : 0;
    if (on_valgrind)
        vg_declare_libraries();
    pthread_atfork(atfork_prepare, atfork_parent, atfork_child);
    if (set_handler_here() < 0)
        return NULL;
    orig_tp_alloc = PyArray_Type.tp_alloc;
    orig_tp_free = PyArray_Type.tp_free;
    if (orig_tp_alloc && orig_tp_free) {
        PyArray_Type.tp_alloc = arr_tp_alloc;
        PyArray_Type.tp_free = arr_tp_free;
    }
    installed = 1;
    return PyUnicode_FromString(prev->name);
}

/* Sets the handler in the calling context too (threads start in a fresh
 * context, whose handler is NumPy's default). */
static PyObject *mod_enter_thread(PyObject *self, PyObject *noargs)
{
    (void)self;
    (void)noargs;
    if (installed && set_handler_here() < 0)
        return NULL;
    Py_RETURN_NONE;
}

static PyObject *mod_set_callbacks(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *c, *p;
    unsigned long long min_peak;
    if (!PyArg_ParseTuple(args, "OOK", &c, &p, &min_peak))
        return NULL;
    Py_XSETREF(classify_cb, c == Py_None ? NULL : Py_NewRef(c));
    Py_XSETREF(peak_cb, p == Py_None ? NULL : Py_NewRef(p));
    peak_scan_at = min_peak;
    Py_RETURN_NONE;
}

static PyObject *mod_stats(PyObject *self, PyObject *noargs)
{
    (void)self;
    (void)noargs;
    pthread_mutex_lock(&lock);
    PyObject *d = Py_BuildValue(
        "{s:i,s:i,s:K,s:K,s:K,s:K,s:K,s:K,s:K,s:K,s:K,s:n}", "installed", installed,
        "on_valgrind", on_valgrind, "live_bytes", (unsigned long long)R.live_bytes,
        "peak_bytes", (unsigned long long)R.peak_bytes, "peak_seq",
        (unsigned long long)peak_seq, "seq", (unsigned long long)R.seq, "alloc_bytes",
        (unsigned long long)total_alloc_bytes, "freed_bytes",
        (unsigned long long)total_freed_bytes, "allocs", (unsigned long long)n_allocs,
        "frees", (unsigned long long)n_frees, "live", (unsigned long long)R.rec_count,
        "quarantined", (Py_ssize_t)q_len);
    pthread_mutex_unlock(&lock);
    return d;
}

/* The list builders: fill copies the rows out with the lock held (called
 * first with out NULL: it returns how many there are), then the tuples are
 * built with the lock released, since making Python objects can run the
 * garbage collector, which frees arrays, which takes the lock.  fmt takes
 * the row's four values in order (extra ones are ignored).  O(rows). */
struct row {
    unsigned long long v[4];
};

static PyObject *row_list(size_t (*fill)(struct row *out, size_t cap), const char *fmt)
{
    pthread_mutex_lock(&lock);
    size_t cap = fill(NULL, 0);
    struct row *rows = malloc((cap ? cap : 1) * sizeof *rows);
    size_t n = rows ? fill(rows, cap) : 0;
    pthread_mutex_unlock(&lock);
    if (!rows)
        return PyErr_NoMemory();
    PyObject *l = PyList_New((Py_ssize_t)n);
    for (size_t i = 0; l && i < n; i++) {
        const unsigned long long *v = rows[i].v;
        PyObject *t = Py_BuildValue(fmt, v[0], v[1], v[2], v[3]);
        if (!t)
            Py_CLEAR(l);
        else
            PyList_SET_ITEM(l, (Py_ssize_t)i, t);
    }
    free(rows);
    return l;
}

static size_t fill_records(struct row *out, size_t cap)
{
    if (!out)
        return R.rec_count;
    size_t k = 0;
    for (size_t i = 0; i < R.rec_cap && k < cap; i++)
        if (R.recs[i].ptr > 1)
            out[k++] = (struct row){{R.recs[i].ptr, R.recs[i].bytes, R.recs[i].seq,
                                     R.recs[i].site}};
    return k;
}

static size_t fill_peak_freed(struct row *out, size_t cap)
{
    if (!out)
        return n_peak_freed;
    size_t k = 0;
    for (; k < n_peak_freed && k < cap; k++)
        out[k] = (struct row){{peak_freed[k].seq, peak_freed[k].bytes, peak_freed[k].site, 0}};
    return k;
}

/* [(ptr, bytes, seq, site)] of the live buffers. */
static PyObject *mod_records(PyObject *self, PyObject *noargs)
{
    (void)self;
    (void)noargs;
    return row_list(fill_records, "(KKKK)");
}

/* [(seq, bytes, site)]: live at the peak, freed since. */
static PyObject *mod_peak_freed(PyObject *self, PyObject *noargs)
{
    (void)self;
    (void)noargs;
    return row_list(fill_peak_freed, "(KKK)");
}

/* [(file, func, line, lasti, op, kind, alloc_bytes, allocs, freed_bytes, frees,
 *   code, np_code)] indexed by site. */
static PyObject *mod_sites(PyObject *self, PyObject *noargs)
{
    (void)self;
    (void)noargs;
    size_t n = R.nsites;
    PyObject *l = PyList_New((Py_ssize_t)n);
    if (!l)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        pthread_mutex_lock(&lock);
        struct arrdbg_np_site s = R.sites[i];
        pthread_mutex_unlock(&lock);
        PyObject *t = Py_BuildValue(
            "(ssiissKKKKOO)", s.file, s.func, (int)s.line, (int)s.lasti, s.op, s.kind,
            (unsigned long long)s.alloc_bytes, (unsigned long long)s.alloc_count,
            (unsigned long long)s.freed_bytes, (unsigned long long)s.free_count,
            s.code ? (PyObject *)s.code : Py_None, s.np_code ? (PyObject *)s.np_code : Py_None);
        if (!t) {
            Py_DECREF(l);
            return NULL;
        }
        PyList_SET_ITEM(l, (Py_ssize_t)i, t);
    }
    return l;
}

static PyObject *mod_set_op(PyObject *self, PyObject *args)
{
    (void)self;
    unsigned int idx;
    const char *op, *kind;
    if (!PyArg_ParseTuple(args, "Iss", &idx, &op, &kind))
        return NULL;
    if (idx >= R.nsites) {
        PyErr_SetString(PyExc_IndexError, "no such site");
        return NULL;
    }
    pthread_mutex_lock(&lock);
    snprintf(R.sites[idx].op, sizeof R.sites[idx].op, "%s", op);
    snprintf(R.sites[idx].kind, sizeof R.sites[idx].kind, "%s", kind);
    pthread_mutex_unlock(&lock);
    Py_RETURN_NONE;
}

static PyObject *mod_object_site(PyObject *self, PyObject *o)
{
    (void)self;
    return PyLong_FromLong(obj_site((uintptr_t)o));
}

/* The peak starts again from what is live now (arrdbg.phase). */
static PyObject *mod_reset_peak(PyObject *self, PyObject *noargs)
{
    (void)self;
    (void)noargs;
    pthread_mutex_lock(&lock);
    R.peak_bytes = R.live_bytes;
    peak_seq = R.seq;
    n_peak_freed = 0;
    peak_scan_at = R.peak_bytes + R.peak_bytes / 4 > (1u << 20) ? R.peak_bytes + R.peak_bytes / 4
                                                                 : (1u << 20);
    pthread_mutex_unlock(&lock);
    Py_RETURN_NONE;
}

/* The live, complete ndarray objects made since install (in a list). */
static PyObject *mod_live_arrays(PyObject *self, PyObject *noargs)
{
    (void)self;
    (void)noargs;
    PyObject *l = PyList_New(0);
    for (size_t i = 0; l && i < obj_cap; i++) {
        PyObject *o = (PyObject *)objs[i].obj;
        /* Skipped: objects being deallocated, and ones NumPy has allocated
         * but not filled in yet (a pending call can run while it makes the
         * data buffer, through a garbage collection that runs Python). */
        if ((uintptr_t)o <= 1 || Py_REFCNT(o) <= 0 || !PyArray_DESCR((PyArrayObject *)o) ||
            !PyArray_DATA((PyArrayObject *)o))
            continue;
        if (PyList_Append(l, o) < 0)
            Py_CLEAR(l);
    }
    return l;
}

/* Under Valgrind: free every quarantined buffer and quarantine nothing
 * from now on.  Called at exit: the memory goes back before the tool's
 * final checks. */
static PyObject *mod_release_quarantine(PyObject *self, PyObject *noargs)
{
    (void)self;
    (void)noargs;
    pthread_mutex_lock(&lock);
    while (q_len > 0)
        vg_release_oldest();
    quarantine_off = 1;
    pthread_mutex_unlock(&lock);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"release_quarantine", mod_release_quarantine, METH_NOARGS,
     "free the buffers kept for Valgrind and keep no more"},
    {"live_arrays", mod_live_arrays, METH_NOARGS, "the live ndarray objects made since install"},
    {"reset_peak", mod_reset_peak, METH_NOARGS, "the peak starts again from what is live now"},
    {"install", mod_install, METH_VARARGS,
     "install(internal_dirs): put the recording handler in front of the current one; "
     "returns the previous handler's name"},
    {"enter_thread", mod_enter_thread, METH_NOARGS, "set the handler in this context too"},
    {"set_callbacks", mod_set_callbacks, METH_VARARGS,
     "set_callbacks(classify, peak_scan, min_peak_bytes)"},
    {"stats", mod_stats, METH_NOARGS, "totals"},
    {"records", mod_records, METH_NOARGS, "live buffers: [(ptr, bytes, seq, site)]"},
    {"peak_freed", mod_peak_freed, METH_NOARGS,
     "buffers live at the peak and freed since: [(seq, bytes, site)]"},
    {"sites", mod_sites, METH_NOARGS, "every site, indexed by number"},
    {"set_op", mod_set_op, METH_VARARGS, "set_op(site, op, kind)"},
    {"object_site", mod_object_site, METH_O, "the site that made this ndarray object, or -1"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef moddef = {
    PyModuleDef_HEAD_INIT, "_arrdbg", "arrdbg's NumPy data-memory handler", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__arrdbg(void);
PyMODINIT_FUNC PyInit__arrdbg(void)
{
    import_array();
    return PyModule_Create(&moddef);
}
