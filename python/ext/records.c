/* records.c - the registry of registry.h: its root (the one exported
 * symbol gdb reads), one record per live NumPy buffer in an
 * open-addressing table keyed by address (tombstones: ptr 1), and the lock
 * that guards it.  Every function here runs with rec_lock held. */
#include "arrdbg.h"

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
        [ARRDBG_NP_F_OBJ_SIZE] = 2 * sizeof(uint64_t), /* objects.c's struct obj_slot, checked there */
        [ARRDBG_NP_F_OBJ_PTR] = 0,
    },
};

pthread_mutex_t rec_lock = PTHREAD_MUTEX_INITIALIZER;
static size_t rec_used; /* live + deleted slots */

static int rec_live(const void *slot, size_t *hash)
{
    uint64_t ptr = ((const struct arrdbg_np_rec *)slot)->ptr;
    *hash = tab_hash_addr(ptr);
    return ptr > 1;
}

static struct tab_streams rec_streams;

struct arrdbg_np_rec *rec_find(uint64_t ptr)
{
    if (R.rec_cap == 0)
        return NULL;
    tab_prefetch_next(&rec_streams, ptr, R.recs, R.rec_cap, sizeof *R.recs);
    size_t mask = R.rec_cap - 1;
    for (size_t i = tab_hash_addr(ptr) & mask;; i = (i + 1) & mask) {
        struct arrdbg_np_rec *r = &R.recs[i];
        if (r->ptr == ptr)
            return r;
        if (r->ptr == 0)
            return NULL;
    }
}

/* Rehashes when live + deleted slots pass 70%: into a table twice as big
 * only when the live ones need it (at most half full after), else into
 * one of the same size (the deleted slots of short-lived buffers go). */
static int rec_grow(void)
{
    size_t ncap = R.rec_cap ? R.rec_cap : 1024;
    while (R.rec_count * 2 >= ncap)
        ncap *= 2;
    struct arrdbg_np_rec *n = tab_rehash(R.recs, R.rec_cap, ncap, sizeof *n, rec_live);
    if (!n)
        return -1;
    struct arrdbg_np_rec *old = R.recs;
    size_t ocap = R.rec_cap;
    R.recs = n;
    R.rec_cap = ncap;
    rec_used = R.rec_count;
    tab_free(old, ocap, sizeof *n);
    return 0;
}

/* A new buffer goes into the first free slot (empty or deleted) of its
 * probe sequence: its address has no record already (every recorded
 * buffer is freed through the handler that made it, which deletes the
 * record; a forked child and forget() clear them all), so the probe stops
 * there instead of running on past the deleted slots to an empty one. */
struct arrdbg_np_rec *rec_insert(uint64_t ptr)
{
    if ((rec_used + 1) * 10 > R.rec_cap * 7 && rec_grow() < 0)
        return NULL;
    tab_prefetch_next(&rec_streams, ptr, R.recs, R.rec_cap, sizeof *R.recs);
    size_t mask = R.rec_cap - 1;
    size_t i = tab_hash_addr(ptr) & mask;
    while (R.recs[i].ptr > 1)
        i = (i + 1) & mask;
    struct arrdbg_np_rec *r = &R.recs[i];
    if (r->ptr == 0)
        rec_used++;
    r->ptr = ptr;
    R.rec_count++;
    return r;
}

/* Forgets every record (a forked child: the parent's buffers are not its
 * own). */
void rec_clear(void)
{
    if (R.recs)
        memset(R.recs, 0, R.rec_cap * sizeof *R.recs);
    R.rec_count = 0;
    rec_used = 0;
}

void rec_delete(struct arrdbg_np_rec *r)
{
    r->ptr = 1;
    R.rec_count--;
}

/* fork(): the lock is taken around it so the child never inherits it
 * held by a thread that does not exist there. */
static void atfork_prepare(void) { pthread_mutex_lock(&rec_lock); }
static void atfork_parent(void) { pthread_mutex_unlock(&rec_lock); }
static void atfork_child(void) { pthread_mutex_init(&rec_lock, NULL); }

void rec_atfork_install(void)
{
    pthread_atfork(atfork_prepare, atfork_parent, atfork_child);
}
