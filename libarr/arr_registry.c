/* arr_registry.c - the registry of live arrays (arr_registry, read by
 * debuggers and tools), the live set behind every handle check, and the
 * counters of arr_stats. */
#include "arr_registry.h"
#include "arr_anchor.h"
#include "arr_alloc.h"
#include "arr_error.h"
#include "arr_tag.h"

#include "arrcheck.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* Every program that calls libarr links this file (each entry point looks
 * handles up in the registry), statically or not: it
 * keeps the objects a static link would otherwise drop although they work
 * by themselves, the .debug_gdb_scripts entry that makes gdb load the
 * arrdbg printers and the ARR_CHECK=1 checker's constructor. */
__attribute__((used)) static const char *const keep_gdb_autoload = &arr__gdb_autoload_anchor;
__attribute__((used)) static const char *const keep_native_check = &arr__check_anchor;

/* items[] is what debuggers read; a pointer hash set answers "is this handle
 * live?" without touching the (possibly freed) memory it points to. */
struct arr_registry arr_registry = {.magic = ARR_REGISTRY_MAGIC, .layout_version = ARR_LAYOUT_VERSION, .next_id = 1};

pthread_mutex_t arr__registry_lock = PTHREAD_MUTEX_INITIALIZER;
uint64_t arr__first_own_id = 1;

/* fork() while another thread holds the lock would leave it locked forever
 * in the child: the lock is taken around fork (as any fork-safe library
 * does), so the child starts with the tables consistent and the lock free. */
static void registry_prepare(void) { pthread_mutex_lock(&arr__registry_lock); }
static void registry_parent(void) { pthread_mutex_unlock(&arr__registry_lock); }
static void registry_child(void)
{
    arr__first_own_id = (uint64_t)arr_registry.next_id;
    pthread_mutex_unlock(&arr__registry_lock);
}

__attribute__((constructor)) static void registry_fork_safe(void)
{
    (void)pthread_atfork(registry_prepare, registry_parent, registry_child);
}
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

bool arr__live_locked(const arr_t *a)
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
    pthread_mutex_lock(&arr__registry_lock);
    bool live = arr__live_locked(a);
    pthread_mutex_unlock(&arr__registry_lock);
    return live;
}

bool arr_is_live(const arr_t *a) { return a != NULL && live_lookup(a); }

/* Adds a to the registry and gives it its id.  Fails only on ENOMEM. */
int arr__registry_add_locked(arr_t *a)
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
            if (arr__on_valgrind())
                (void)ARRCHECK_IGNORE_RANGE(r->items, 0);
            free(r->items);
        }
        if (arr__on_valgrind())
            (void)ARRCHECK_IGNORE_RANGE(items, (size_t)new_cap * sizeof *items);
        r->items = items;
        r->capacity = new_cap;
    }
    if ((size_t)(r->count + 1) * 2 > live_set_cap && live_set_grow() != 0)
        goto oom;
    /* Under arrcheck the tool numbers the arrays of every library in the
     * process (arrcheck.h, ARRCHECK_NEW_ID); ids stay increasing. */
    uint64_t id = arr__on_valgrind() && arr__tool_ids ? arr__tool_id() : 0;
    a->id = id > r->next_id ? id : r->next_id;
    r->next_id = a->id + 1;
    a->registry_slot = r->count;
    r->items[r->count++] = a;
    live_set[live_set_find(masked(a))] = masked(a);

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
    /* Last, so that no client request's memory clobber sits between the
     * stores above. */
    if (arr__on_valgrind())
        arr__hide_slot(&r->items[a->registry_slot], true);
    return 0;
oom:
    return arr__fail(ARR_ENOMEM, "out of memory growing the array registry");
}

int arr__registry_add(arr_t *a)
{
    pthread_mutex_lock(&arr__registry_lock);
    int rc = arr__registry_add_locked(a);
    pthread_mutex_unlock(&arr__registry_lock);
    return rc;
}

/* The body of arr__registry_remove_locked for a constant vg: the native
 * copy has no client request (nor its memory clobber) left. */
static inline __attribute__((always_inline)) void registry_remove(arr_t *a, const bool vg)
{
    struct arr_registry *r = &arr_registry;
    live_set_remove(a);
    int64_t slot = a->registry_slot;
    arr__show_slot(&r->items[r->count - 1], vg);
    arr_t *last = r->items[--r->count];
    r->items[slot] = last;
    arr__hide_slot(&r->items[slot], vg);
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

/* Caller holds arr__registry_lock; vg is arr__on_valgrind(), read by the
 * caller once. */
void arr__registry_remove_locked(arr_t *a, bool vg)
{
    if (vg)
        registry_remove(a, true);
    else
        registry_remove(a, false);
}

arr_stats_t arr_stats(void)
{
    pthread_mutex_lock(&arr__registry_lock);
    arr_stats_t s = arr_registry.stats;
    pthread_mutex_unlock(&arr__registry_lock);
    return s;
}

/* The one handle check: NULL, not live, and (when the data will be used)
 * orphaned.  orphaned is written under the lock by whoever frees the owner,
 * which may be another thread: it is read under the lock too. */
static int check_handle(const arr_t *a, const char *fn, bool need_data)
{
    if (a == NULL)
        return arr__fail(ARR_EINVAL, "%s: array is NULL", fn);
    pthread_mutex_lock(&arr__registry_lock);
    bool live = arr__live_locked(a);
    bool orphaned = live && need_data && a->orphaned;
    pthread_mutex_unlock(&arr__registry_lock);
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

/* A program that freed every array leaves nothing behind, not even the
 * registry's tables (so memcheck's "still reachable" stays empty). */
__attribute__((destructor)) static void release_empty_registry(void)
{
    pthread_mutex_lock(&arr__registry_lock);
    if (arr_registry.count == 0) {
        free(arr_registry.items);
        arr_registry.items = NULL;
        arr_registry.capacity = 0;
        free(live_set);
        live_set = NULL;
        live_set_cap = 0;
    }
    pthread_mutex_unlock(&arr__registry_lock);
}
