/* objects.c - the live ndarray objects and where each was made.
 *
 * Every live ndarray object allocated through ndarray's own tp_alloc since
 * install (views included; Python subclasses have their own slots), with
 * the site that made it: object address -> site + 1, an open-addressing
 * table with tombstones (site_plus1 == 0 and obj == 1).  tp_free removes
 * the entry.  GIL-only (objects are made and freed with the GIL held). */
#include "arrdbg.h"

struct obj_slot {
    uintptr_t obj;
    uint32_t site_plus1;
};
static struct obj_slot *objs;
static size_t obj_cap, obj_count, obj_used;
static allocfunc orig_tp_alloc;
static freefunc orig_tp_free;

static int obj_live(const void *slot, size_t *hash)
{
    uintptr_t o = ((const struct obj_slot *)slot)->obj;
    *hash = tab_hash_ptr(o);
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
    free(objs);
    objs = n;
    obj_cap = ncap;
    obj_used = obj_count;
    return 0;
}

static void obj_note(uintptr_t o, uint32_t site)
{
    if ((obj_used + 1) * 2 > obj_cap && obj_grow() < 0)
        return;
    size_t mask = obj_cap - 1, i = tab_hash_ptr(o) & mask;
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
    for (size_t i = tab_hash_ptr(o) & mask; objs[i].obj; i = (i + 1) & mask)
        if (objs[i].obj == o)
            return &objs[i];
    return NULL;
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
