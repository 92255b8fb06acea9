/* arr_free.c - arr_free and the orphan/quarantine rules: an owner freed
 * while views live orphans them; under Valgrind its buffer is quarantined
 * (kept, no-access) until the last orphan goes. */
#include "arr_error.h"
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
    for (arr_t *v = arr__link_get(&owner->views_head); v && n < sizeof desc; v = arr__link_get(&v->view_next))
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

static void orphan_views_locked(arr_t *owner, struct arr_quarantine *q)
{
    for (arr_t *v = arr__link_get(&owner->views_head), *next; v != NULL; v = next) {
        next = arr__link_get(&v->view_next);
        v->base = NULL;
        v->orphaned = 1;
        arr__link_set(&v->view_next, NULL);
        arr__link_set(&v->view_prev, NULL);
        v->quarantine = q;
        arr_registry.stats.live_orphans++;
    }
    arr__link_set(&owner->views_head, NULL);
}

int arr_free(arr_t *a)
{
    if (a == NULL)
        return 0;
    pthread_mutex_lock(&arr__registry_lock);
    if (!arr__live_locked(a)) {
        pthread_mutex_unlock(&arr__registry_lock);
        /* Tell arrcheck (InvalidFree); id 0 = "not a live array". */
        if (arr__on_valgrind())
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
            arr_t *prev = arr__link_get(&a->view_prev), *next = arr__link_get(&a->view_next);
            if (prev)
                arr__link_set(&prev->view_next, next);
            else
                arr__link_set(&owner->views_head, next);
            if (next)
                arr__link_set(&next->view_prev, prev);
            owner->nviews--;
        } else if (a->quarantine && --a->quarantine->orphans == 0) {
            to_release = a->quarantine;
        }
    } else {
        orphaned_views = a->nviews;
        struct arr_quarantine *q = NULL;
        if (orphaned_views > 0 && a->buffer && arr__on_valgrind())
            q = quarantine_locked(a);
        if (orphaned_views > 0)
            orphan_views_locked(a, q);
        if (q == NULL)
            release = a->buffer; /* NULL for wrapped memory */
        arr_registry.stats.live_bytes -= a->buffer_bytes;
    }
    arr__registry_remove_locked(a);
    pthread_mutex_unlock(&arr__registry_lock);

    if (arr__on_valgrind()) {
        if (orphaned_views > 0)
            (void)ARRCHECK_OWNER_FREED_WITH_VIEWS(a->id, orphaned_views);
        (void)ARRCHECK_FREED(a->id, a);
        arr__forget_block_name(&a->vg_block);
    }
    a->magic = ARR_MAGIC_FREED;
    release_buffer(release, a->buffer_bytes, a->release);
    /* A freed handle keeps its id and magic for debuggers, but no pointer
     * that could make a leaked array look reachable to arrcheck's scan. */
    a->base = NULL;
    arr__link_set(&a->views_head, NULL);
    arr__link_set(&a->view_next, NULL);
    arr__link_set(&a->view_prev, NULL);
    a->data = NULL;
    a->buffer = NULL;
    a->quarantine = NULL;
    if (to_release)
        release_quarantine(to_release);
    free(a);
    return 0;
}
