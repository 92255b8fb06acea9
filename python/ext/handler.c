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
struct h_peak_freed *h_peak_freed;
size_t h_n_peak_freed;
static size_t cap_peak_freed;

static void note_alloc(void *p, size_t bytes)
{
    uint32_t site = site_now();
    uint64_t seq;
    pthread_mutex_lock(&rec_lock);
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
    h_alloc_bytes += bytes;
    h_allocs++;
    int want_scan = 0;
    if (R.live_bytes > R.peak_bytes) {
        R.peak_bytes = R.live_bytes;
        h_peak_seq = seq;
        h_n_peak_freed = 0;
        if (R.peak_bytes >= h_peak_scan_at) {
            h_peak_scan_at = R.peak_bytes + R.peak_bytes / 4;
            want_scan = 1;
        }
    }
    if (vg_on)
        vg_owner_created(p, bytes, seq, site);
    pthread_mutex_unlock(&rec_lock);
    if (want_scan)
        pend_peak();
}

/* Remembers a buffer that was live at the peak and is freed now. */
static void note_peak_freed(const struct arrdbg_np_rec *r)
{
    if (h_n_peak_freed == cap_peak_freed) {
        size_t ncap = cap_peak_freed ? cap_peak_freed * 2 : 64;
        struct h_peak_freed *n = realloc(h_peak_freed, ncap * sizeof *n);
        if (n) {
            h_peak_freed = n;
            cap_peak_freed = ncap;
        }
    }
    if (h_n_peak_freed < cap_peak_freed)
        h_peak_freed[h_n_peak_freed++] = (struct h_peak_freed){r->seq, r->bytes, r->site, 0};
}

/* Returns 1 when the buffer went into the quarantine (do not free it). */
static int note_free(void *p)
{
    uint32_t site = site_now();
    int kept = 0;
    pthread_mutex_lock(&rec_lock);
    R.seq++;
    struct arrdbg_np_rec *r = rec_find((uint64_t)(uintptr_t)p);
    if (r) {
        R.sites[site].freed_bytes += r->bytes;
        R.sites[site].free_count++;
        R.live_bytes -= r->bytes;
        h_freed_bytes += r->bytes;
        h_frees++;
        if (r->seq <= h_peak_seq)
            note_peak_freed(r);
        if (vg_on && !vg_q_off) {
            vg_quarantine(p, r->bytes, r->seq, r->site, site);
            kept = 1;
        } else if (vg_on) {
            vg_freed(p, r->seq, r->site, site);
        }
        rec_delete(r);
    }
    pthread_mutex_unlock(&rec_lock);
    return kept;
}

/* The peak starts again from what is live now (arrdbg.phase). */
void h_reset_peak(void)
{
    pthread_mutex_lock(&rec_lock);
    R.peak_bytes = R.live_bytes;
    h_peak_seq = R.seq;
    h_n_peak_freed = 0;
    h_peak_scan_at = R.peak_bytes + R.peak_bytes / 4 > (1u << 20)
                         ? R.peak_bytes + R.peak_bytes / 4
                         : (1u << 20);
    pthread_mutex_unlock(&rec_lock);
}

static void *h_malloc(void *ctx, size_t size)
{
    (void)ctx;
    void *p = h_prev->allocator.malloc(h_prev->allocator.ctx, size);
    if (p)
        note_alloc(p, size);
    return p;
}

static void *h_calloc(void *ctx, size_t nelem, size_t elsize)
{
    (void)ctx;
    void *p = h_prev->allocator.calloc(h_prev->allocator.ctx, nelem, elsize);
    if (p)
        note_alloc(p, nelem * elsize);
    return p;
}

static void *h_realloc(void *ctx, void *ptr, size_t new_size)
{
    (void)ctx;
    if (!ptr)
        return h_malloc(ctx, new_size);
    if (vg_on) {
        /* Keep the old buffer in quarantine like a free: move by hand. */
        void *q = h_prev->allocator.malloc(h_prev->allocator.ctx, new_size ? new_size : 1);
        if (!q)
            return NULL;
        size_t old = 0;
        pthread_mutex_lock(&rec_lock);
        struct arrdbg_np_rec *r = rec_find((uint64_t)(uintptr_t)ptr);
        old = r ? r->bytes : 0;
        pthread_mutex_unlock(&rec_lock);
        memcpy(q, ptr, old < new_size ? old : new_size);
        if (!note_free(ptr))
            h_prev->allocator.free(h_prev->allocator.ctx, ptr, old);
        note_alloc(q, new_size);
        return q;
    }
    void *q = h_prev->allocator.realloc(h_prev->allocator.ctx, ptr, new_size);
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
    h_prev->allocator.free(h_prev->allocator.ctx, ptr, size);
}

PyDataMem_Handler h_handler = {
    "arrdbg",
    1,
    {NULL, h_malloc, h_calloc, h_realloc, h_free},
};
