/* module.c - the _arrdbg module: install, the tables as Python lists, the
 * hooks.  Everything here runs with the GIL held. */
#define ARRDBG_IMPORT_ARRAY
#include "arrdbg.h"
#include "arrcheck.h"

static int installed;
static PyObject *prev_capsule; /* strong reference, never released */

/* Makes this handler the current context's; -1 with an exception set. */
static int set_handler_here(void)
{
    PyObject *cap = PyCapsule_New(&h_handler, "mem_handler", NULL);
    if (!cap)
        return -1;
    PyObject *old = PyDataMem_SetHandler(cap);
    Py_DECREF(cap);
    if (!old)
        return -1;
    Py_DECREF(old);
    return 0;
}

/* NumPy's PyDataMem_SetHandler, as found in its C-API table before install
 * put set_handler_hook there (every extension calls it through the table). */
#define API_SET_HANDLER 304
typedef PyObject *(*set_handler_fn)(PyObject *);
static set_handler_fn numpy_set_handler;

/* The program sets a handler of its own (capsule, or NULL: NumPy's
 * default): a handler not already ours is replaced by a wrapper chained to
 * it (handler.c), so the arrays of that context are recorded too.  The
 * wrapper keeps the program's first capsule of that handler (its handler
 * must outlive its arrays). */
static PyObject *set_handler_hook(PyObject *cap)
{
    if (!cap)
        return numpy_set_handler(cap);
    PyDataMem_Handler *theirs = PyCapsule_GetPointer(cap, "mem_handler");
    if (!theirs)
        return NULL;
    if (h_is_ours(theirs))
        return numpy_set_handler(cap);
    PyDataMem_Handler *w = h_wrap_program(theirs, cap);
    if (!w)
        return PyErr_NoMemory();
    PyObject *wcap = PyCapsule_New(w, "mem_handler", NULL);
    if (!wcap)
        return NULL;
    PyObject *old = numpy_set_handler(wcap);
    Py_DECREF(wcap);
    return old;
}

/* Whether the word at addr lies in a writable mapping of this process, as
 * /proc/self/maps says (0 when it cannot tell).  O(mappings), once. */
static int word_writable(const void *addr)
{
    FILE *f = fopen("/proc/self/maps", "re");
    if (!f)
        return 0;
    uintptr_t a = (uintptr_t)addr;
    unsigned long lo, hi;
    char perms[8];
    char line[512];
    int writable = 0;
    while (fgets(line, sizeof line, f)) {
        if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) != 3)
            continue;
        if (a >= lo && a + sizeof(void *) <= hi) {
            writable = perms[1] == 'w';
            break;
        }
    }
    fclose(f);
    return writable;
}

/* 1 once set_handler_hook is in NumPy's C-API table (writable data of
 * _multiarray_umath in NumPy's own builds); a build whose table is
 * read-only keeps NumPy's function (a handler the program sets after
 * install is then not recorded: stats()["handler_hook"] says 0). */
static int hooked;

static void hook_set_handler(void)
{
    void **api = (void **)PyArray_API;
    if (!word_writable(&api[API_SET_HANDLER]))
        return;
    numpy_set_handler = (set_handler_fn)api[API_SET_HANDLER];
    api[API_SET_HANDLER] = (void *)set_handler_hook;
    hooked = 1;
}

static PyObject *mod_install(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *prefixes;
    if (!PyArg_ParseTuple(args, "O!", &PyList_Type, &prefixes))
        return NULL;
    if (installed) /* again (importlib.reload(arrdbg)): nothing more to do */
        return PyUnicode_FromString(h_prev->name);
    if (site_setup(prefixes) < 0)
        return NULL;
    prev_capsule = PyDataMem_GetHandler();
    if (!prev_capsule)
        return NULL;
    h_prev = PyCapsule_GetPointer(prev_capsule, "mem_handler");
    PyDataMem_Handler *def = PyCapsule_GetPointer(PyDataMem_DefaultHandler, "mem_handler");
    if (!h_prev || !def)
        return NULL;
    h_wrap_default(def);
    if (h_prev == def)
        h_prev = h_default_orig();
    else
        h_note_program();
    h_handler.allocator.ctx = &h_prev->allocator;
    /* Buffers are held back (quarantine) and announced only under
     * arrcheck: under memcheck that would hide the very reads of freed
     * memory it reports. */
    vg_on = RUNNING_ON_VALGRIND ? vg_declare_libraries() : 0;
    rec_atfork_install();
    hook_set_handler();
    if (set_handler_here() < 0)
        return NULL;
    obj_install();
    pk_install();
    installed = 1;
    return PyUnicode_FromString(h_prev->name);
}
static PyObject *mod_set_callbacks(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *c, *p;
    unsigned long long min_peak;
    if (!PyArg_ParseTuple(args, "OOK", &c, &p, &min_peak))
        return NULL;
    Py_XSETREF(pend_classify_cb, c == Py_None ? NULL : Py_NewRef(c));
    Py_XSETREF(pend_peak_cb, p == Py_None ? NULL : Py_NewRef(p));
    h_peak_scan_at = min_peak;
    Py_RETURN_NONE;
}

static PyObject *mod_stats(PyObject *self, PyObject *noargs)
{
    (void)self;
    (void)noargs;
    pthread_mutex_lock(&rec_lock);
    PyObject *d = Py_BuildValue(
        "{s:i,s:i,s:i,s:K,s:K,s:K,s:K,s:K,s:K,s:K,s:K,s:K,s:n}", "installed", installed,
        "handler_hook", hooked,
        "on_valgrind", vg_on, "live_bytes", (unsigned long long)R.live_bytes,
        "peak_bytes", (unsigned long long)R.peak_bytes, "peak_seq",
        (unsigned long long)h_peak_seq, "seq", (unsigned long long)R.seq, "alloc_bytes",
        (unsigned long long)h_alloc_bytes, "freed_bytes",
        (unsigned long long)h_freed_bytes, "allocs", (unsigned long long)h_allocs,
        "frees", (unsigned long long)h_frees, "live", (unsigned long long)R.rec_count,
        "quarantined", (Py_ssize_t)vg_q_len);
    pthread_mutex_unlock(&rec_lock);
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
    pthread_mutex_lock(&rec_lock);
    size_t cap = fill(NULL, 0);
    struct row *rows = malloc((cap ? cap : 1) * sizeof *rows);
    size_t n = rows ? fill(rows, cap) : 0;
    pthread_mutex_unlock(&rec_lock);
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

/* [(ptr, bytes, seq, site)] of the live buffers. */
static PyObject *mod_records(PyObject *self, PyObject *noargs)
{
    (void)self;
    (void)noargs;
    return row_list(fill_records, "(KKKK)");
}

/* The buffers live at the peak: still live and made at or before it
 * (v[3] = 0), or freed since (v[3] = 1). */
static size_t fill_peak_live(struct row *out, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < R.rec_cap; i++)
        if (R.recs[i].ptr > 1 && R.recs[i].seq <= h_peak_seq) {
            if (out && k < cap)
                out[k] = (struct row){{R.recs[i].seq, R.recs[i].bytes, R.recs[i].site, 0}};
            k++;
        }
    for (size_t i = 0; i < h_n_peak_freed; i++, k++)
        if (out && k < cap)
            out[k] = (struct row){{h_peak_freed[i].seq, h_peak_freed[i].bytes,
                                   h_peak_freed[i].site, 1}};
    return out && k > cap ? cap : k;
}

/* How many buffers were live at the peak: the rows above, plus the freed
 * ones too small to be kept (note_peak_freed). */
static size_t peak_live_count(size_t rows)
{
    return rows - h_n_peak_freed + (size_t)h_peak_freed_count;
}

static int row_by_bytes(const void *a, const void *b)
{
    const struct row *x = a, *y = b;
    if (x->v[1] != y->v[1])
        return x->v[1] < y->v[1] ? 1 : -1;
    return x->v[0] < y->v[0] ? -1 : x->v[0] > y->v[0];
}

/* peak_live(k): (n, [(seq, bytes, site, freed_since)]) of the n buffers
 * live at the peak: the k largest (k <= H_PEAK_FREED for the freed ones to
 * be exact), largest first (then by event).
 * O(n log n), one pass under the lock; only k tuples are made. */
static PyObject *mod_peak_live(PyObject *self, PyObject *arg)
{
    (void)self;
    Py_ssize_t k = PyLong_AsSsize_t(arg);
    if (k < 0) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_ValueError, "peak_live: k < 0");
        return NULL;
    }
    pthread_mutex_lock(&rec_lock);
    size_t n = fill_peak_live(NULL, 0);
    struct row *rows = malloc((n ? n : 1) * sizeof *rows);
    n = rows ? fill_peak_live(rows, n) : 0;
    size_t count = peak_live_count(n);
    pthread_mutex_unlock(&rec_lock);
    if (!rows)
        return PyErr_NoMemory();
    qsort(rows, n, sizeof *rows, row_by_bytes);
    size_t m = (size_t)k < n ? (size_t)k : n;
    PyObject *l = PyList_New((Py_ssize_t)m);
    for (size_t i = 0; l && i < m; i++) {
        PyObject *t = Py_BuildValue("(KKKO)", rows[i].v[0], rows[i].v[1], rows[i].v[2],
                                    rows[i].v[3] ? Py_True : Py_False);
        if (!t)
            Py_CLEAR(l);
        else
            PyList_SET_ITEM(l, (Py_ssize_t)i, t);
    }
    free(rows);
    return l ? Py_BuildValue("(nN)", (Py_ssize_t)count, l) : NULL;
}

/* [(file, func, line, lasti, op, kind, alloc_bytes, allocs, freed_bytes, frees,
 *   code, np_code, stack, tag)] indexed by site; file is decoded as the file
 * system encodes names (a non-UTF-8 directory keeps its bytes); tag is a str
 * or None. */
/* sites([start]): the sites from number start on (all by default), so
 * that a caller that has seen the first ones reads only the new ones. */
static PyObject *mod_sites(PyObject *self, PyObject *args)
{
    (void)self;
    Py_ssize_t start = 0;
    if (!PyArg_ParseTuple(args, "|n:sites", &start))
        return NULL;
    size_t n = R.nsites;
    size_t first = start <= 0 ? 0 : (size_t)start > n ? n : (size_t)start;
    PyObject *l = PyList_New((Py_ssize_t)(n - first));
    if (!l)
        return NULL;
    PyObject *tags = site_tag_names();
    for (size_t i = first; i < n; i++) {
        pthread_mutex_lock(&rec_lock);
        struct arrdbg_np_site s = R.sites[i];
        pthread_mutex_unlock(&rec_lock);
        PyObject *file = PyUnicode_DecodeFSDefault(s.file);
        PyObject *t = !file ? NULL : Py_BuildValue(
            "(NsiissKKKKOOIO)", file, s.func, (int)s.line, (int)s.lasti, s.op, s.kind,
            (unsigned long long)s.alloc_bytes, (unsigned long long)s.alloc_count,
            (unsigned long long)s.freed_bytes, (unsigned long long)s.free_count,
            s.code ? (PyObject *)s.code : Py_None, s.np_code ? (PyObject *)s.np_code : Py_None,
            (unsigned int)s.stack,
            i >= SITE_FIRST_REAL ? PyList_GET_ITEM(tags, s.tag) : Py_None);
        if (!t) {
            Py_DECREF(l);
            return NULL;
        }
        PyList_SET_ITEM(l, (Py_ssize_t)(i - first), t);
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
    pthread_mutex_lock(&rec_lock);
    snprintf(R.sites[idx].op, sizeof R.sites[idx].op, "%s", op);
    snprintf(R.sites[idx].kind, sizeof R.sites[idx].kind, "%s", kind);
    pthread_mutex_unlock(&rec_lock);
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
    h_reset_peak();
    Py_RETURN_NONE;
}

/* The live, complete ndarray objects made since install (in a list). */
static PyObject *mod_live_arrays(PyObject *self, PyObject *noargs)
{
    (void)self;
    (void)noargs;
    return obj_live_arrays();
}

/* Under Valgrind: free every quarantined buffer and quarantine nothing
 * from now on.  Called at exit: the memory goes back before the tool's
 * final checks. */
static PyObject *mod_release_quarantine(PyObject *self, PyObject *noargs)
{
    (void)self;
    (void)noargs;
    pthread_mutex_lock(&rec_lock);
    vg_release_all();
    pthread_mutex_unlock(&rec_lock);
    Py_RETURN_NONE;
}

static PyObject *mod_set_tag(PyObject *self, PyObject *name)
{
    (void)self;
    if (name != Py_None && !PyUnicode_Check(name)) {
        PyErr_SetString(PyExc_TypeError, "set_tag: the tag is a str or None");
        return NULL;
    }
    if (!installed) {
        PyErr_SetString(PyExc_RuntimeError, "arrdbg: set_tag before install()");
        return NULL;
    }
    return site_set_tag(name);
}

static PyObject *mod_frames(PyObject *self, PyObject *noargs)
{
    (void)self;
    (void)noargs;
    return site_frames();
}

static PyObject *mod_stacks(PyObject *self, PyObject *noargs)
{
    (void)self;
    (void)noargs;
    return site_stacks();
}

static PyObject *mod_scan(PyObject *self, PyObject *args)
{
    (void)self;
    unsigned long long min_owner_bytes, large_bytes = 0;
    int incremental = 0;
    if (!PyArg_ParseTuple(args, "K|pK", &min_owner_bytes, &incremental, &large_bytes))
        return NULL;
    return obj_scan(min_owner_bytes, incremental, large_bytes);
}

/* {site: (live buffers, live bytes)} of the sites that have live buffers.
 * O(records + sites), one pass under the lock. */
static PyObject *mod_live_by_site(PyObject *self, PyObject *noargs)
{
    (void)self;
    (void)noargs;
    pthread_mutex_lock(&rec_lock);
    size_t n = R.nsites;
    uint64_t *acc = calloc(2 * (n ? n : 1), sizeof *acc);
    for (size_t i = 0; acc && i < R.rec_cap; i++)
        if (R.recs[i].ptr > 1 && R.recs[i].site < n) {
            acc[2 * R.recs[i].site]++;
            acc[2 * R.recs[i].site + 1] += R.recs[i].bytes;
        }
    pthread_mutex_unlock(&rec_lock);
    if (!acc)
        return PyErr_NoMemory();
    PyObject *d = PyDict_New();
    for (size_t i = 0; d && i < n; i++) {
        if (!acc[2 * i])
            continue;
        PyObject *k = PyLong_FromSize_t(i);
        PyObject *v = Py_BuildValue("(KK)", (unsigned long long)acc[2 * i],
                                    (unsigned long long)acc[2 * i + 1]);
        if (!k || !v || PyDict_SetItem(d, k, v) < 0)
            Py_CLEAR(d);
        Py_XDECREF(k);
        Py_XDECREF(v);
    }
    free(acc);
    return d;
}

static PyObject *mod_set_stack_root(PyObject *self, PyObject *on)
{
    (void)self;
    int here = PyObject_IsTrue(on);
    if (here < 0)
        return NULL;
    walk_set_root(here);
    Py_RETURN_NONE;
}

static PyObject *mod_forget(PyObject *self, PyObject *noargs)
{
    (void)self;
    (void)noargs;
    h_forget();
    pk_clear();
    Py_RETURN_NONE;
}

static PyObject *mod_peak_shapes(PyObject *self, PyObject *noargs)
{
    (void)self;
    (void)noargs;
    return pk_shapes();
}

static PyMethodDef methods[] = {
    {"live_by_site", mod_live_by_site, METH_NOARGS,
     "{site: (live buffers, live bytes)} of the sites with live buffers"},
    {"set_stack_root", mod_set_stack_root, METH_O,
     "set_stack_root(True): stacks end below the calling frame (run's); False: whole"},
    {"forget", mod_forget, METH_NOARGS,
     "start again from nothing (a forked child): records, counters, peak"},
    {"peak_live", mod_peak_live, METH_O,
     "peak_live(k): (n, the k largest [(seq, bytes, site, freed_since)]) of the buffers "
     "live at the peak"},
    {"peak_shapes", mod_peak_shapes, METH_NOARGS,
     "{event: ([dims], dtype)} of the peak's arrays freed since it (at least a thousandth "
     "of the peak each)"},
    {"scan", mod_scan, METH_VARARGS,
     "scan(min_owner_bytes, incremental=False, large_bytes=0): ([(base, [views], bytes, seq, "
     "site)] of bases held by views alone, [(owner, seq)] of owners of at least "
     "min_owner_bytes); incremental: only owners of at least large_bytes, each object read "
     "once"},
    {"set_tag", mod_set_tag, METH_O,
     "set_tag(name or None): this thread's allocations carry the tag from now on; "
     "returns the previous tag"},
    {"frames", mod_frames, METH_NOARGS, "every frame by id: [(file, func, line, code, lasti, numpy)]"},
    {"stacks", mod_stacks, METH_NOARGS, "every stack by id: [(frame ids, innermost first)]"},
    {"release_quarantine", mod_release_quarantine, METH_NOARGS,
     "free the buffers kept for Valgrind and keep no more"},
    {"live_arrays", mod_live_arrays, METH_NOARGS, "the live ndarray objects made since install"},
    {"reset_peak", mod_reset_peak, METH_NOARGS, "the peak starts again from what is live now"},
    {"install", mod_install, METH_VARARGS,
     "install(internal_dirs): put the recording handler in front of the current one; "
     "returns the previous handler's name"},
    {"set_callbacks", mod_set_callbacks, METH_VARARGS,
     "set_callbacks(classify, peak_scan, min_peak_bytes)"},
    {"stats", mod_stats, METH_NOARGS, "totals"},
    {"records", mod_records, METH_NOARGS, "live buffers: [(ptr, bytes, seq, site)]"},
    {"sites", mod_sites, METH_VARARGS, "sites([start]): every site from number start on"},
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
    PyObject *m = PyModule_Create(&moddef);
    if (m && PyModule_AddIntConstant(m, "NEAR_PEAK_LARGE", H_LARGE_BYTES) < 0)
        Py_CLEAR(m);
    return m;
}
