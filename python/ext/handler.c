/* handler.c - the PyDataMem_Handler: every malloc, calloc, realloc and free
 * goes to the previous handler (h_prev) unchanged, a NULL from it is
 * returned as is, and each success is recorded: a record per live buffer,
 * the site's counters, the live total and its peak, and the buffers that
 * were live at the peak and have been freed since (so "live at the peak"
 * is exact without a history of every event).  Cost per event: the site
 * lookup (sites.c) and a record insert or delete, O(1) amortised. */
#include "arrdbg.h"

PyDataMem_Handler *h_prev;
uint64_t h_alloc_bytes, h_freed_bytes, h_allocs, h_frees, h_peak_seq, h_peak_scan_at;
uint64_t h_large_live;
struct h_peak_freed h_peak_freed[H_PEAK_FREED];
size_t h_n_peak_freed;
uint64_t h_peak_freed_count;
static uint64_t scanned_peak_bytes; /* the peak at the last near-peak scan */

static void note_alloc(void *p, size_t bytes, uint32_t site)
{
    uint64_t seq;
    pthread_mutex_lock(&rec_lock);
    seq = ++R.seq;
    struct arrdbg_np_rec *r = rec_insert((uint64_t)(uintptr_t)p);
    if (r) {
        r->bytes = bytes;
        r->seq = seq;
        r->site = site;
        r->flags = 0;
        h_large_live += bytes >= H_LARGE_BYTES;
    }
    R.sites[site].alloc_bytes += bytes;
    R.sites[site].alloc_count++;
    R.live_bytes += bytes;
    h_alloc_bytes += bytes;
    h_allocs++;
    int want_scan = 0;
    if (R.live_bytes > R.peak_bytes) {
        R.peak_bytes = R.live_bytes;
        h_peak_seq = seq;
        h_n_peak_freed = 0;
        h_peak_freed_count = 0;
        if (R.peak_bytes >= h_peak_scan_at) {
            h_peak_scan_at = R.peak_bytes + R.peak_bytes / 4;
            scanned_peak_bytes = R.peak_bytes;
            want_scan = 1;
        }
    }
    if (vg_on)
        vg_owner_created(p, bytes, seq, site);
    pthread_mutex_unlock(&rec_lock);
    if (want_scan)
        pend_peak();
}

/* Remembers a buffer that was live at the peak and is freed now: all are
 * counted (h_peak_freed_count, h_peak_freed_bytes); the H_PEAK_FREED
 * largest are kept, in a min-heap by bytes (the report lists the largest
 * arrays of the peak), so the memory stays bounded however many there are.
 * O(log H_PEAK_FREED). */
static void note_peak_freed(const struct arrdbg_np_rec *r)
{
    struct h_peak_freed e = {r->seq, r->bytes, r->site, 0};
    struct h_peak_freed *h = h_peak_freed;
    h_peak_freed_count++;
    size_t i;
    if (h_n_peak_freed < H_PEAK_FREED) {
        for (i = h_n_peak_freed++; i > 0 && h[(i - 1) / 2].bytes > e.bytes; i = (i - 1) / 2)
            h[i] = h[(i - 1) / 2];
        h[i] = e;
        return;
    }
    if (e.bytes <= h[0].bytes)
        return;
    for (i = 0;;) {
        size_t c = 2 * i + 1;
        if (c >= H_PEAK_FREED)
            break;
        if (c + 1 < H_PEAK_FREED && h[c + 1].bytes < h[c].bytes)
            c++;
        if (h[c].bytes >= e.bytes)
            break;
        h[i] = h[c];
        i = c;
    }
    h[i] = e;
}

/* The near-peak scan (a pending call, pend_peak) is asked for when the
 * live total first passes h_peak_scan_at (1 MiB) and each time it grows by
 * a quarter, and when a peak ends (the first free after a new peak) that
 * is a sixteenth above the last scanned one, so the scan describes the peak
 * itself.  Scanned peaks grow geometrically, so all the scans (each
 * O(table slots) + O(new objects), objects.c) cost at most 17 times the
 * last one. */
static void peak_ends(void)
{
    if (R.peak_bytes < (1u << 20) || R.peak_bytes < scanned_peak_bytes + scanned_peak_bytes / 16)
        return;
    scanned_peak_bytes = R.peak_bytes;
    pend_peak();
}

/* Returns 1 when the buffer went into the quarantine (do not free it);
 * a: the allocator that will free it later. */
static int note_free(void *p, PyDataMemAllocator *a, uint32_t site)
{
    int kept = 0, at_peak;
    pthread_mutex_lock(&rec_lock);
    at_peak = R.live_bytes == R.peak_bytes;
    R.seq++;
    struct arrdbg_np_rec *r = rec_find((uint64_t)(uintptr_t)p);
    if (r) {
        R.sites[site].freed_bytes += r->bytes;
        R.sites[site].free_count++;
        R.live_bytes -= r->bytes;
        h_freed_bytes += r->bytes;
        h_frees++;
        h_large_live -= r->bytes >= H_LARGE_BYTES;
        if (r->seq <= h_peak_seq)
            note_peak_freed(r);
        if (vg_on && !vg_q_off) {
            vg_quarantine(p, a, r->bytes, r->seq, r->site, site);
            kept = 1;
        } else if (vg_on) {
            vg_freed(p, r->seq, r->site, site);
        }
        rec_delete(r);
    }
    pthread_mutex_unlock(&rec_lock);
    if (r && at_peak && site != SITE_NOGIL)
        peak_ends();
    return kept;
}

/* The peak starts again from what is live now (arrdbg.phase). */
void h_reset_peak(void)
{
    pthread_mutex_lock(&rec_lock);
    R.peak_bytes = R.live_bytes;
    h_peak_seq = R.seq;
    h_n_peak_freed = 0;
    h_peak_freed_count = 0;
    h_peak_scan_at = R.peak_bytes + R.peak_bytes / 4 > (1u << 20)
                         ? R.peak_bytes + R.peak_bytes / 4
                         : (1u << 20);
    pthread_mutex_unlock(&rec_lock);
}

/* a: the allocator chained to (the handler current at install, or NumPy's
 * default one in every other context: h_wrap_default). */
/* In a forked child: what the parent made is not the child's.  Records,
 * counters, totals and the peak start again from nothing (the buffers the
 * child inherited are freed through NumPy as unknown ones). */
void h_forget(void)
{
    pthread_mutex_lock(&rec_lock);
    rec_clear();
    for (size_t i = 0; i < R.nsites; i++) {
        R.sites[i].alloc_bytes = R.sites[i].alloc_count = 0;
        R.sites[i].freed_bytes = R.sites[i].free_count = 0;
    }
    R.live_bytes = R.peak_bytes = 0;
    h_alloc_bytes = h_freed_bytes = h_allocs = h_frees = h_large_live = 0;
    h_peak_seq = R.seq;
    h_n_peak_freed = 0;
    h_peak_freed_count = 0;
    h_peak_scan_at = 1u << 20;
    scanned_peak_bytes = 0;
    pthread_mutex_unlock(&rec_lock);
}

static void *do_malloc(PyDataMemAllocator *a, size_t size)
{
    void *p = a->malloc(a->ctx, size);
    if (p)
        note_alloc(p, size, site_now());
    return p;
}

static void *do_calloc(PyDataMemAllocator *a, size_t nelem, size_t elsize)
{
    void *p = a->calloc(a->ctx, nelem, elsize);
    if (p)
        note_alloc(p, nelem * elsize, site_now());
    return p;
}

/* The site of a resize: the current line, or without the GIL (NumPy grows
 * the buffers of np.fromstring/np.fromfile(sep=...) so) the line that made
 * the buffer being resized. */
static uint32_t realloc_site(void *ptr)
{
    if (PyGILState_Check())
        return site_current();
    pthread_mutex_lock(&rec_lock);
    struct arrdbg_np_rec *r = rec_find((uint64_t)(uintptr_t)ptr);
    uint32_t site = r ? r->site : SITE_NOGIL;
    pthread_mutex_unlock(&rec_lock);
    return site;
}

static void *do_realloc(PyDataMemAllocator *a, void *ptr, size_t new_size)
{
    if (!ptr)
        return do_malloc(a, new_size);
    uint32_t site = realloc_site(ptr);
    if (vg_on) {
        /* Keep the old buffer in quarantine like a free: move by hand. */
        void *q = a->malloc(a->ctx, new_size ? new_size : 1);
        if (!q)
            return NULL;
        size_t old = 0;
        pthread_mutex_lock(&rec_lock);
        struct arrdbg_np_rec *r = rec_find((uint64_t)(uintptr_t)ptr);
        old = r ? r->bytes : 0;
        pthread_mutex_unlock(&rec_lock);
        memcpy(q, ptr, old < new_size ? old : new_size);
        if (!note_free(ptr, a, site))
            a->free(a->ctx, ptr, old);
        note_alloc(q, new_size, site);
        return q;
    }
    void *q = a->realloc(a->ctx, ptr, new_size);
    if (!q)
        return NULL; /* the old buffer is untouched and still recorded */
    note_free(ptr, a, site);
    note_alloc(q, new_size, site);
    return q;
}

static void do_free(PyDataMemAllocator *a, void *ptr, size_t size)
{
    if (ptr && note_free(ptr, a, site_now()))
        return;
    a->free(a->ctx, ptr, size);
}

/* The handler's functions (ctx: the allocator chained to).  A handler a
 * program set may itself call NumPy's default allocator, or the handler it
 * found, which are ours too (h_wrap_default, h_wrap_program): `inside`
 * makes such a nested call go straight through, so a buffer is recorded
 * once.  Only a program's handler nests, so until one is chained to
 * (h_program: set before any of its calls can happen) no thread-local is
 * touched: reading one costs a __tls_get_addr call in a dlopen()ed module. */
static _Thread_local int inside;
static int h_program;

void h_note_program(void)
{
    __atomic_store_n(&h_program, 1, __ATOMIC_RELAXED);
}

/* 1 when this call is nested in a program handler's call (go straight
 * through); else marks the thread as inside when a program's handler may
 * be reached.  *program: whether to unmark after. */
static int enter(int *program)
{
    *program = __atomic_load_n(&h_program, __ATOMIC_RELAXED);
    if (!*program)
        return 0;
    if (inside)
        return 1;
    inside = 1;
    return 0;
}

static void leave(int program)
{
    if (program)
        inside = 0;
}

static void *h_malloc(void *ctx, size_t size)
{
    PyDataMemAllocator *a = ctx;
    int program;
    if (enter(&program))
        return a->malloc(a->ctx, size);
    void *p = do_malloc(a, size);
    leave(program);
    return p;
}

static void *h_calloc(void *ctx, size_t nelem, size_t elsize)
{
    PyDataMemAllocator *a = ctx;
    int program;
    if (enter(&program))
        return a->calloc(a->ctx, nelem, elsize);
    void *p = do_calloc(a, nelem, elsize);
    leave(program);
    return p;
}

static void *h_realloc(void *ctx, void *ptr, size_t new_size)
{
    PyDataMemAllocator *a = ctx;
    int program;
    if (enter(&program))
        return a->realloc(a->ctx, ptr, new_size);
    void *p = do_realloc(a, ptr, new_size);
    leave(program);
    return p;
}

static void h_free(void *ctx, void *ptr, size_t size)
{
    PyDataMemAllocator *a = ctx;
    int program;
    if (enter(&program)) {
        a->free(a->ctx, ptr, size);
        return;
    }
    do_free(a, ptr, size);
    leave(program);
}

PyDataMem_Handler h_handler = {
    "arrdbg",
    1,
    {NULL, h_malloc, h_calloc, h_realloc, h_free}, /* ctx: &h_prev->allocator */
};

/* NumPy's default handler is what every context without a handler of its
 * own uses (a thread started by _thread.start_new_thread, the inside of
 * contextvars.Context().run(), an asyncio task...): its allocator is
 * replaced in place by ours, chained to a copy of the original.  Arrays
 * made before keep working: a free arrdbg has no record of goes straight
 * through.  GIL held, at install. */
static PyDataMem_Handler default_orig;

int h_wrap_default(PyDataMem_Handler *def)
{
    default_orig = *def;
    def->allocator = (PyDataMemAllocator){&default_orig.allocator, h_malloc, h_calloc,
                                          h_realloc, h_free};
    return 0;
}

PyDataMem_Handler *h_default_orig(void)
{
    return &default_orig;
}

/* A handler the program sets after install (PyDataMem_SetHandler, in any
 * thread or context) is used through a wrapper: ours, chained to it, with
 * its name, so its arrays are recorded and it still receives every call.
 * One wrapper per handler, kept for the life of the process (NumPy frees
 * each buffer through the handler that made it).  GIL held. */
struct wrapped {
    PyDataMem_Handler h;
    const PyDataMem_Handler *theirs;
    PyObject *capsule; /* the program's, kept: its handler outlives its arrays */
    struct wrapped *next;
};
static struct wrapped *wrappers;

int h_is_ours(const PyDataMem_Handler *h)
{
    return h->allocator.malloc == h_malloc;
}

PyDataMem_Handler *h_wrap_program(PyDataMem_Handler *theirs, PyObject *capsule)
{
    struct wrapped *w;
    for (w = wrappers; w; w = w->next)
        if (w->theirs == theirs)
            return &w->h;
    w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    h_note_program();
    memcpy(w->h.name, theirs->name, sizeof w->h.name);
    w->h.name[sizeof w->h.name - 1] = 0;
    w->h.version = theirs->version;
    w->h.allocator =
        (PyDataMemAllocator){&theirs->allocator, h_malloc, h_calloc, h_realloc, h_free};
    w->theirs = theirs;
    Py_INCREF(capsule);
    w->capsule = capsule;
    w->next = wrappers;
    wrappers = w;
    return &w->h;
}
