/* arrdbg.h - what the parts of arrdbg's NumPy handler (the _arrdbg
 * extension module) share.  Internal: nothing here is exported from the
 * module (built with -fvisibility=hidden) except the registry root and
 * PyInit__arrdbg.
 *
 * One job per file, one prefix per job:
 *   table.c       tab_    hashing and the growth of open-addressing tables
 *   records.c     rec_    the registry (registry.h): one record per live
 *                         buffer, the lock, fork handling
 *   walk.c        walk_   the Python stack of the moment
 *   sites.c       site_   sites: where buffers were made or freed (frames,
 *                         stacks and tags, interned)
 *   pending.c     pend_   pending calls into Python (classifier, peak scan)
 *   quarantine.c  vg_     Valgrind: arrcheck owners and the quarantine
 *   handler.c     h_      the PyDataMem_Handler: totals, the peak
 *   objects.c     obj_    live ndarray objects and the site that made each
 *   peakshape.c   pk_     dtype and shape of peak arrays freed unscanned
 *   module.c      mod_    the module's functions and PyInit__arrdbg
 *
 * Locking: the lock (rec_lock) guards what threads without the GIL update
 * (records, site counters, totals, the quarantine); everything else is
 * changed with the GIL held.  The lock is never held across a call into
 * Python.
 */
#ifndef ARRDBG_INTERNAL_H
#define ARRDBG_INTERNAL_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <frameobject.h>
#define NPY_NO_DEPRECATED_API NPY_1_22_API_VERSION
/* One NumPy C-API table for the whole module: module.c imports it. */
#define PY_ARRAY_UNIQUE_SYMBOL arrdbg_PyArray_API
#ifndef ARRDBG_IMPORT_ARRAY
#define NO_IMPORT_ARRAY
#endif
#include <numpy/arrayobject.h>

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "registry.h"

#if PY_VERSION_HEX < 0x03090000
#error "arrdbg needs Python 3.9 or later (PyFrame_GetCode/PyFrame_GetBack)"
#endif

/* ---- table.c ---- */
static inline size_t tab_hash_ptr(uintptr_t p)
{
    uint64_t x = (uint64_t)p;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return (size_t)x;
}
/* The slot of a heap address in the record and object tables: addresses
 * close together (what an allocator hands out one after another) land in
 * neighbouring slots (16 bytes a slot), so a run of short-lived arrays
 * touches a few cache lines instead of one random line per event; the
 * megabyte and 64 GiB numbers folded in keep far-apart heaps apart.
 * (Measured on bench/np_many.py, 10^6 live arrays: 1.6 s against 2.2 s with
 * tab_hash_ptr and 2.3 s with 64 KiB regions at random places.) */
static inline size_t tab_hash_addr(uintptr_t p)
{
    return (size_t)((p >> 4) ^ (p >> 20) ^ (p >> 36));
}
/* A table's recent access streams: allocators hand out addresses one
 * after another and programs free them in order (or in reverse), so the
 * next key of a stream is usually its last one plus the last step. */
#define TAB_STREAMS 4
struct tab_streams {
    uintptr_t last[TAB_STREAMS];
    unsigned next; /* the stream replaced when a key starts a new one */
};
/* After an access to key: the slot of the key that likely comes next in
 * its stream (a key within 4 KiB of a stream's last one continues it, by
 * the same step) is fetched into the cache, so the next insert or lookup
 * (a microsecond later: a NumPy call in between) does not wait for memory.
 * A wrong guess costs the fetches.  O(TAB_STREAMS). */
static inline void tab_prefetch_next(struct tab_streams *s, uintptr_t key, const void *slots,
                                     size_t cap, size_t sz)
{
    unsigned k;
    intptr_t step = 0;
    for (k = 0; k < TAB_STREAMS; k++) {
        step = (intptr_t)(key - s->last[k]);
        if (step >= -4096 && step <= 4096)
            break;
    }
    if (k == TAB_STREAMS) {
        k = s->next++ % TAB_STREAMS;
        step = 0;
    }
    s->last[k] = key;
    if (step != 0 && cap) {
        /* The next key, and the one four steps on for when the program
         * frees faster than memory answers (a list of arrays dropped). */
        for (uintptr_t ahead = 1; ahead <= 4; ahead += 3) {
            size_t i = tab_hash_addr(key + ahead * (uintptr_t)step) & (cap - 1);
            const char *slot = (const char *)slots + i * sz;
            __builtin_prefetch(slot, 1);
            __builtin_prefetch(slot + 64, 1); /* a probe often runs into the next line */
        }
    }
}

void *tab_alloc(size_t n, size_t sz);
void tab_free(void *p, size_t n, size_t sz);
typedef int (*tab_live_fn)(const void *slot, size_t *hash);
void *tab_rehash(const void *old, size_t cap, size_t ncap, size_t sz, tab_live_fn live);

/* ---- records.c ---- */
extern struct arrdbg_np_root arrdbg_numpy_registry;
#define R arrdbg_numpy_registry
extern pthread_mutex_t rec_lock;
struct arrdbg_np_rec *rec_find(uint64_t ptr);
struct arrdbg_np_rec *rec_insert(uint64_t ptr);
void rec_delete(struct arrdbg_np_rec *r);
void rec_clear(void);
void rec_atfork_install(void);

/* ---- walk.c ---- */
/* Fills codes[] (borrowed) and lastis[] (byte offsets), innermost first;
 * returns how many (at most max).  GIL held. */
int walk_stack(PyObject **codes, int *lastis, int max);
/* here 1: stacks end below the calling Python frame (run's); 0: whole. */
void walk_set_root(int here);

/* ---- sites.c ---- */
enum { SITE_NOGIL = 0, SITE_NOFRAME = 1, SITE_FIRST_REAL = 2 };
int site_setup(PyObject *internal_prefixes);
uint32_t site_current(void);
uint32_t site_now(void);
PyObject *site_set_tag(PyObject *name);
PyObject *site_tag_names(void);
PyObject *site_frames(void);
PyObject *site_stacks(void);

/* ---- pending.c ---- */
extern PyObject *pend_classify_cb, *pend_peak_cb;
void pend_classify(void);
void pend_peak(void);

/* ---- quarantine.c ---- */
extern int vg_on;        /* running on arrcheck (tested once, at install) */
extern int vg_q_off;     /* after vg_release_all: frees go straight through */
extern size_t vg_q_len;
int vg_declare_libraries(void); /* 1: the tool is arrcheck */
void vg_owner_created(void *p, size_t bytes, uint64_t seq, uint32_t site);
void vg_quarantine(void *p, PyDataMemAllocator *a, size_t bytes, uint64_t seq, uint32_t made,
                   uint32_t freed);
void vg_freed(void *p, uint64_t seq, uint32_t made, uint32_t freed);
void vg_release_all(void);

/* ---- handler.c ---- */
extern PyDataMem_Handler h_handler;
/* Buffers of at least this many bytes are "large": near the peak only views
 * of large owners are looked for (_arrdbg.NEAR_PEAK_LARGE in Python). */
#define H_LARGE_BYTES (64u << 10)
extern uint64_t h_large_live; /* live records of at least H_LARGE_BYTES */
extern PyDataMem_Handler *h_prev;  /* the handler chained to */
extern uint64_t h_alloc_bytes, h_freed_bytes, h_allocs, h_frees, h_peak_seq, h_peak_scan_at;
struct h_peak_freed {
    uint64_t seq, bytes;
    uint32_t site, pad;
};
#define H_PEAK_FREED 1024
extern struct h_peak_freed h_peak_freed[H_PEAK_FREED]; /* the largest, a min-heap */
extern size_t h_n_peak_freed;      /* in h_peak_freed */
extern uint64_t h_peak_freed_count; /* all of them */
void h_reset_peak(void);
void h_forget(void);
int h_wrap_default(PyDataMem_Handler *def);
PyDataMem_Handler *h_default_orig(void);
int h_is_ours(const PyDataMem_Handler *h);
void h_note_program(void); /* a handler of the program is chained to */
PyDataMem_Handler *h_wrap_program(PyDataMem_Handler *theirs, PyObject *capsule);

/* ---- objects.c ---- */
void obj_install(void);
long obj_site(uintptr_t o);
size_t obj_live_count(void);
PyObject *obj_live_arrays(void);
PyObject *obj_scan(unsigned long long min_owner_bytes, int incremental,
                   unsigned long long large_bytes);

/* ---- peakshape.c ---- */
void pk_install(void);
void pk_clear(void);
PyObject *pk_shapes(void);

#endif /* ARRDBG_INTERNAL_H */
