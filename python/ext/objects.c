/* objects.c - the live ndarray objects and where each was made.
 *
 * Every live ndarray object allocated through ndarray's own tp_alloc since
 * install (views included; Python subclasses have their own slots), with
 * the site that made it: object address -> site + 1, an open-addressing
 * table with tombstones (site_plus1 == 0 and obj == 1).  tp_free removes
 * the entry.  GIL-only (objects are made and freed with the GIL held). */
#include "arrdbg.h"

/* flags: what a near-peak scan learnt about the object (its base never
 * changes once it is made): looked at, and a view of a large owner. */
enum { OBJ_SEEN = 1, OBJ_VIEW_OF_LARGE = 2, OBJ_LARGE_OWNER = 4 };
struct obj_slot {
    uintptr_t obj;
    uint32_t site_plus1;
    uint32_t flags;
};
_Static_assert(sizeof(struct obj_slot) == 2 * sizeof(uint64_t) && offsetof(struct obj_slot, obj) == 0,
               "registry.h: OBJ_SIZE and OBJ_PTR");
static struct obj_slot *objs;
static size_t obj_cap, obj_count, obj_used;
static struct tab_streams obj_streams;
static allocfunc orig_tp_alloc;
static freefunc orig_tp_free;

static int obj_live(const void *slot, size_t *hash)
{
    uintptr_t o = ((const struct obj_slot *)slot)->obj;
    *hash = tab_hash_addr(o);
    return o > 1;
}

static int obj_grow(void)
{
    size_t ncap = obj_cap ? obj_cap : 4096;
    while (obj_count * 2 >= ncap)
        ncap *= 2;
    struct obj_slot *n = tab_rehash(objs, obj_cap, ncap, sizeof *n, obj_live);
    if (!n)
        return -1;
    tab_free(objs, obj_cap, sizeof *n);
    objs = n;
    obj_cap = ncap;
    R.objs = objs, R.obj_cap = obj_cap; /* what gdb's `arr views` reads */
    obj_used = obj_count;
    return 0;
}

/* A new object goes into the first free slot (empty or deleted) of its
 * probe sequence: its address cannot be in the table already (every
 * tracked object leaves through arr_tp_free), so the probe stops there
 * instead of running on to an empty slot past the deleted ones. */
static void obj_note(uintptr_t o, uint32_t site)
{
    if ((obj_used + 1) * 10 > obj_cap * 7 && obj_grow() < 0)
        return;
    tab_prefetch_next(&obj_streams, o, objs, obj_cap, sizeof *objs);
    size_t mask = obj_cap - 1, i = tab_hash_addr(o) & mask;
    while (objs[i].obj > 1)
        i = (i + 1) & mask;
    if (objs[i].obj == 0)
        obj_used++;
    objs[i].obj = o;
    objs[i].site_plus1 = site + 1;
    objs[i].flags = 0;
    obj_count++;
}

static struct obj_slot *obj_find(uintptr_t o)
{
    if (!obj_cap)
        return NULL;
    tab_prefetch_next(&obj_streams, o, objs, obj_cap, sizeof *objs);
    size_t mask = obj_cap - 1;
    for (size_t i = tab_hash_addr(o) & mask; objs[i].obj; i = (i + 1) & mask)
        if (objs[i].obj == o)
            return &objs[i];
    return NULL;
}

size_t obj_live_count(void)
{
    return obj_count;
}

long obj_site(uintptr_t o)
{
    struct obj_slot *s = obj_find(o);
    return s ? (long)s->site_plus1 - 1 : -1;
}

static PyObject *arr_tp_alloc(PyTypeObject *type, Py_ssize_t nitems)
{
    PyObject *o = orig_tp_alloc(type, nitems);
    if (o)
        obj_note((uintptr_t)o, site_current());
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

/* Wraps ndarray's tp_alloc and tp_free (at install). */
void obj_install(void)
{
    orig_tp_alloc = PyArray_Type.tp_alloc;
    orig_tp_free = PyArray_Type.tp_free;
    if (orig_tp_alloc && orig_tp_free) {
        PyArray_Type.tp_alloc = arr_tp_alloc;
        PyArray_Type.tp_free = arr_tp_free;
    }
}

/* The live, complete ndarray objects made since install (a new list). */
PyObject *obj_live_arrays(void)
{
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

/* A live ndarray object that is complete (not being deallocated, not
 * allocated but not filled in yet: a pending call can run while NumPy
 * makes the data buffer, through a garbage collection that runs Python). */
static int obj_complete(PyObject *o)
{
    return Py_REFCNT(o) > 0 && PyArray_DESCR((PyArrayObject *)o) &&
           PyArray_DATA((PyArrayObject *)o);
}

struct pair {
    PyObject *base, *view; /* base NULL: view is an owner to list */
};

static int pair_cmp(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)((const struct pair *)a)->base;
    uintptr_t y = (uintptr_t)((const struct pair *)b)->base;
    return x < y ? -1 : x > y;
}

static int grow_pairs(struct pair **pairs, size_t *cap)
{
    size_t ncap = *cap ? *cap * 2 : 256;
    struct pair *n = realloc(*pairs, ncap * sizeof *n);
    if (!n) {
        PyErr_NoMemory();
        return -1;
    }
    *pairs = n;
    *cap = ncap;
    return 0;
}

/* The record of the buffer an owner holds: (bytes, seq, site), 0 if none. */
static int owner_record(PyObject *o, uint64_t out[3])
{
    pthread_mutex_lock(&rec_lock);
    struct arrdbg_np_rec *r = rec_find((uint64_t)(uintptr_t)PyArray_DATA((PyArrayObject *)o));
    if (r) {
        out[0] = r->bytes;
        out[1] = r->seq;
        out[2] = r->site;
    }
    pthread_mutex_unlock(&rec_lock);
    return r != NULL;
}

/* The views-pinning-bases scan, done here so its cost is one pass over the
 * object table in C and Python sees only the candidates:
 *   pins: [(base, [views], bytes, seq, site)] for each owner (an ndarray
 *         with OWNDATA whose buffer is recorded) whose reference count is
 *         exactly its number of live views (held by views alone); Python
 *         measures what they use of it;
 *   owners: [(array, seq)] of the owners of recorded buffers of at least
 *         min_owner_bytes (for the shapes of the peak's arrays).
 * Full (at report time): every object is looked at, O(objects).
 * Incremental (near the peak): only owners of at least large_bytes count,
 * and an object is looked at (its memory read) once in its life: a later
 * scan reads just its table slot, unless it is such an owner or a view of
 * one.  So a scan costs O(table slots) sequential reads + O(objects made
 * since the last scan) + O(large owners and their views); and O(1) while
 * no recorded buffer is large (h_large_live: then every pin and owner it
 * could list lacks a record; objects not looked at wait for a later scan).
 * GIL held; no Python code runs while the table is walked. */
PyObject *obj_scan(unsigned long long min_owner_bytes, int incremental,
                   unsigned long long large_bytes)
{
    struct pair *pairs = NULL;
    size_t np = 0, cap = 0;
    PyObject *owners = PyList_New(0), *pins = PyList_New(0), *out = NULL;
    if (!owners || !pins)
        goto done;
    pthread_mutex_lock(&rec_lock);
    int none_large = incremental && large_bytes >= H_LARGE_BYTES && h_large_live == 0;
    pthread_mutex_unlock(&rec_lock);
    for (size_t i = 0; i < obj_cap && !none_large; i++) {
        struct obj_slot *slot = &objs[i];
        PyObject *o = (PyObject *)slot->obj;
        if ((uintptr_t)o <= 1)
            continue;
        if (incremental && (slot->flags & OBJ_SEEN) &&
            !(slot->flags & (OBJ_VIEW_OF_LARGE | OBJ_LARGE_OWNER)))
            continue;
        if (!obj_complete(o))
            continue;
        PyObject *b = PyArray_BASE((PyArrayObject *)o);
        int view = b && PyArray_Check(b) && PyArray_CHKFLAGS((PyArrayObject *)b, NPY_ARRAY_OWNDATA);
        if (incremental) {
            /* Looked at again: views of large owners (their owner's count of
             * holders changes) and large owners (np.load sets its array's
             * shape after making it). */
            int large = view && (unsigned long long)PyArray_NBYTES((PyArrayObject *)b) >= large_bytes;
            int owner = !b && PyArray_NBYTES((PyArrayObject *)o) >= (npy_intp)large_bytes;
            slot->flags = OBJ_SEEN | (large ? OBJ_VIEW_OF_LARGE : 0) | (owner ? OBJ_LARGE_OWNER : 0);
            view = large;
            if (!view && !owner)
                continue; /* a small owner, or a view of one */
        }
        if (view) {
            if (np == cap && grow_pairs(&pairs, &cap) < 0)
                goto done;
            pairs[np++] = (struct pair){b, o};
        } else if (!b && PyArray_CHKFLAGS((PyArrayObject *)o, NPY_ARRAY_OWNDATA) &&
                   PyArray_NBYTES((PyArrayObject *)o) >= (npy_intp)min_owner_bytes) {
            /* Listed after the pins are measured: the list's reference
             * would count as one more holder. */
            if (np == cap && grow_pairs(&pairs, &cap) < 0)
                goto done;
            pairs[np++] = (struct pair){NULL, o};
        }
    }
    qsort(pairs, np, sizeof *pairs, pair_cmp); /* owners (base NULL) first */
    size_t first_view = 0;
    while (first_view < np && !pairs[first_view].base)
        first_view++;
    for (size_t i = first_view, j; i < np; i = j) {
        PyObject *b = pairs[i].base;
        for (j = i; j < np && pairs[j].base == b; j++)
            ;
        uint64_t rec[3];
        if (Py_REFCNT(b) != (Py_ssize_t)(j - i) || !obj_complete(b) || !owner_record(b, rec))
            continue;
        PyObject *views = PyList_New((Py_ssize_t)(j - i));
        for (size_t k = i; views && k < j; k++) {
            Py_INCREF(pairs[k].view);
            PyList_SET_ITEM(views, (Py_ssize_t)(k - i), pairs[k].view);
        }
        PyObject *t = views ? Py_BuildValue("(ONKKK)", b, views, (unsigned long long)rec[0],
                                            (unsigned long long)rec[1], (unsigned long long)rec[2])
                            : NULL;
        if (!t || PyList_Append(pins, t) < 0) {
            Py_XDECREF(t);
            goto done;
        }
        Py_DECREF(t);
    }
    for (size_t i = 0; i < first_view; i++) {
        uint64_t rec[3];
        if (!owner_record(pairs[i].view, rec))
            continue;
        PyObject *t = Py_BuildValue("(OK)", pairs[i].view, (unsigned long long)rec[1]);
        if (!t || PyList_Append(owners, t) < 0) {
            Py_XDECREF(t);
            goto done;
        }
        Py_DECREF(t);
    }
    out = Py_BuildValue("(OO)", pins, owners);
done:
    free(pairs);
    Py_XDECREF(pins);
    Py_XDECREF(owners);
    return out;
}
