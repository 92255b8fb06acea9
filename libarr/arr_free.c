/* arr_free.c - arr_free and the orphan/quarantine rules: an owner freed
 * while views live orphans them; under Valgrind its buffer is quarantined
 * (kept, no-access) until the last orphan goes. */
#include "arr_error.h"
#include "arr_owner.h"
#include "arr_registry.h"
#include "arr_tag.h"

#include "arrcheck.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An owner freed while views live releases its buffer at once (C semantics)
 * and orphans the views.  Under Valgrind the buffer is instead kept,
 * no-access, until its last orphan goes, so that a dangling read is always
 * reported rather than served from reused memory. */

/* Where each owner freed while views lived was freed, for debuggers: gdb's
 * `arr info` on an orphaned view reads this (gdb/python/arrdbg_gdb/model.py,
 * read_free_log).  A ring of the last ARR__FREE_LOG such frees, written
 * under arr__registry_lock; natural layout, no pointer to heap memory. */
#define ARR__FREE_LOG 256
struct arr__owner_free {
    uint64_t id;
    const void *freed_at; /* return address of the arr_free call */
};
struct arr__owner_free_log {
    uint32_t magic; /* "FRE1" */
    uint32_t size;  /* ARR__FREE_LOG */
    uint64_t count; /* frees recorded so far; entry k is items[k % size] */
    struct arr__owner_free items[ARR__FREE_LOG];
};
extern struct arr__owner_free_log arr__owner_free_log;
struct arr__owner_free_log arr__owner_free_log = {0x46524531u, ARR__FREE_LOG, 0, {{0, NULL}}};

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
    arr__describe(owner, desc + n, sizeof desc - n);
    n = strlen(desc);
    n += (size_t)snprintf(desc + n, sizeof desc - n, ", still used by orphaned view%s",
                          owner->nviews > 1 ? "s" : "");
    int listed = 0;
    for (arr_t *v = arr__link_get(&owner->views_head, true); v && n < sizeof desc;
         v = arr__link_get(&v->view_next, true))
        if (listed++ < 8)
            n += (size_t)snprintf(desc + n, sizeof desc - n, "%s#%" PRIu64, listed > 1 ? ", " : " ",
                                  v->id);
    if (listed > 8 && n < sizeof desc)
        snprintf(desc + n, sizeof desc - n, " and %d more", listed - 8);
    arr__forget_block_name(&owner->vg_block);
    q->vg_block = (uint64_t)VALGRIND_CREATE_BLOCK(q->buffer, q->bytes, desc) + 1;
    (void)VALGRIND_MAKE_MEM_NOACCESS(q->buffer, q->bytes);
    return q;
}

static void orphan_views_locked(arr_t *owner, struct arr_quarantine *q, bool vg)
{
    for (arr_t *v = arr__link_get(&owner->views_head, vg), *next; v != NULL; v = next) {
        next = arr__link_get(&v->view_next, vg);
        v->base = NULL;
        v->orphaned = 1;
        arr__link_set(&v->view_next, NULL, vg);
        arr__link_set(&v->view_prev, NULL, vg);
        v->quarantine = q;
        arr_registry.stats.live_orphans++;
    }
    arr__link_set(&owner->views_head, NULL, vg);
}

/* Takes view a out of its owner's list.  Called with a constant vg, so the
 * native copy has no Valgrind test left. */
static inline void unlink_view_locked(arr_t *a, arr_t *owner, bool vg)
{
    arr_t *prev = arr__link_get(&a->view_prev, vg), *next = arr__link_get(&a->view_next, vg);
    if (prev)
        arr__link_set(&prev->view_next, next, vg);
    else
        arr__link_set(&owner->views_head, next, vg);
    if (next)
        arr__link_set(&next->view_prev, prev, vg);
}

/* A freed handle keeps its id and magic for debuggers, but no pointer that
 * could make a leaked array look reachable to arrcheck's scan.  Constant vg
 * as above. */
static inline void clear_freed_handle(arr_t *a, bool vg)
{
    a->base = NULL;
    arr__link_set(&a->views_head, NULL, vg);
    arr__link_set(&a->view_next, NULL, vg);
    arr__link_set(&a->view_prev, NULL, vg);
    a->data = NULL;
    a->buffer = NULL;
    a->quarantine = NULL;
}

/* The body of arr_free, instantiated for each value of vg (see arr_free):
 * the native copy has no client request left in it, so none of their
 * memory clobbers makes the compiler reload what it already holds.
 * freed_at: the return address of the public arr_free call. */
static inline __attribute__((always_inline)) int free_handle(arr_t *a, const bool vg,
                                                             const void *freed_at)
{
    pthread_mutex_lock(&arr__registry_lock);
    if (!arr__live_locked(a)) {
        pthread_mutex_unlock(&arr__registry_lock);
        /* Tell arrcheck (InvalidFree); id 0 = "not a live array". */
        if (vg)
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
            unlink_view_locked(a, owner, vg);
            owner->nviews--;
        } else if (a->quarantine && --a->quarantine->orphans == 0) {
            to_release = a->quarantine;
        }
    } else {
        orphaned_views = a->nviews;
        struct arr_quarantine *q = NULL;
        if (orphaned_views > 0 && a->buffer && vg)
            q = quarantine_locked(a);
        if (orphaned_views > 0) {
            orphan_views_locked(a, q, vg);
            struct arr__owner_free *e =
                &arr__owner_free_log.items[arr__owner_free_log.count++ % ARR__FREE_LOG];
            e->id = a->id;
            e->freed_at = freed_at;
        }
        if (q == NULL)
            release = a->buffer; /* NULL for wrapped memory */
        arr_registry.stats.live_bytes -= a->buffer_bytes;
    }
    arr__registry_remove_locked(a, vg);
    pthread_mutex_unlock(&arr__registry_lock);

    if (vg) {
        if (orphaned_views > 0)
            (void)ARRCHECK_OWNER_FREED_WITH_VIEWS(a->id, orphaned_views);
        (void)ARRCHECK_FREED(a->id, a);
        arr__forget_block_name(&a->vg_block);
    }
    a->magic = ARR_MAGIC_FREED;
    release_buffer(release, a->buffer_bytes, a->release);
    clear_freed_handle(a, vg);
    if (to_release)
        release_quarantine(to_release);
    free(a);
    return 0;
}

/* O(1), plus O(views) when an owner with live views is freed.  The
 * Valgrind flag is read once, and picks the copy of the body made for it. */
int arr_free(arr_t *a)
{
    if (a == NULL)
        return 0;
    if (arr__on_valgrind())
        return free_handle(a, true, ARR__CALLER);
    return free_handle(a, false, ARR__CALLER);
}
