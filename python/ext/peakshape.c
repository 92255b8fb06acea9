/* peakshape.c - the dtype and shape of the arrays live at the peak that are
 * freed before a scan saw them (the array whose free ends the peak, a
 * function's locals freed by its return).  ndarray's tp_dealloc is wrapped:
 * an array that owns its buffer, at least a thousandth of the peak, whose
 * buffer was live at the peak is noted (event, dims, a reference to its
 * dtype) just before NumPy frees it.  Such arrays add up to at most the
 * peak, so at most PK_MAX of them are noted per peak; a new peak starts
 * the list again.  Cost per freed array: a flag test and a multiplication
 * of its dims; a record lookup only for the large ones.  GIL held. */
#include "arrdbg.h"

#define PK_MAX 1024

struct pk_entry {
    uint64_t seq;
    int ndim;
    npy_intp dims[NPY_MAXDIMS];
    PyArray_Descr *descr; /* a strong reference */
};
static struct pk_entry pk[PK_MAX];
static size_t pk_n;
static uint64_t pk_peak_seq; /* the peak the entries belong to */
static destructor orig_tp_dealloc;

/* Forgets the entries (a new peak, a forked child). */
void pk_clear(void)
{
    for (size_t i = 0; i < pk_n; i++)
        Py_CLEAR(pk[i].descr);
    pk_n = 0;
}

static void pk_note(PyArrayObject *a)
{
    void *data = PyArray_DATA(a);
    if (!data || !PyArray_CHKFLAGS(a, NPY_ARRAY_OWNDATA))
        return;
    uint64_t peak = __atomic_load_n(&R.peak_bytes, __ATOMIC_RELAXED);
    uint64_t nbytes = (uint64_t)PyArray_NBYTES(a);
    if (nbytes == 0 || nbytes < peak / 1000)
        return;
    uint64_t seq = 0, peak_seq;
    pthread_mutex_lock(&rec_lock);
    struct arrdbg_np_rec *r = rec_find((uint64_t)(uintptr_t)data);
    peak_seq = h_peak_seq;
    if (r && r->seq <= peak_seq)
        seq = r->seq;
    pthread_mutex_unlock(&rec_lock);
    if (!seq)
        return;
    if (pk_peak_seq != peak_seq) {
        pk_clear();
        pk_peak_seq = peak_seq;
    }
    if (pk_n == PK_MAX)
        return;
    struct pk_entry *e = &pk[pk_n++];
    e->seq = seq;
    e->ndim = PyArray_NDIM(a);
    memcpy(e->dims, PyArray_DIMS(a), (size_t)e->ndim * sizeof *e->dims);
    e->descr = PyArray_DESCR(a);
    Py_INCREF(e->descr);
}

static void arr_dealloc(PyObject *o)
{
    pk_note((PyArrayObject *)o);
    orig_tp_dealloc(o);
}

/* Wraps ndarray's tp_dealloc (at install). */
void pk_install(void)
{
    orig_tp_dealloc = PyArray_Type.tp_dealloc;
    if (orig_tp_dealloc)
        PyArray_Type.tp_dealloc = arr_dealloc;
}

/* {event: ([dims], dtype)} of the arrays of the current peak noted so far
 * (a new dict). */
PyObject *pk_shapes(void)
{
    PyObject *d = PyDict_New();
    pthread_mutex_lock(&rec_lock);
    uint64_t peak_seq = h_peak_seq;
    pthread_mutex_unlock(&rec_lock);
    for (size_t i = 0; d && i < pk_n && pk_peak_seq == peak_seq; i++) {
        PyObject *dims = PyList_New(pk[i].ndim);
        for (int k = 0; dims && k < pk[i].ndim; k++) {
            PyObject *v = PyLong_FromSsize_t(pk[i].dims[k]);
            if (!v)
                Py_CLEAR(dims);
            else
                PyList_SET_ITEM(dims, k, v);
        }
        PyObject *key = PyLong_FromUnsignedLongLong(pk[i].seq);
        PyObject *t = dims ? Py_BuildValue("(NN)", dims, PyObject_Str((PyObject *)pk[i].descr))
                           : NULL;
        if (!key || !t || PyDict_SetItem(d, key, t) < 0)
            Py_CLEAR(d);
        Py_XDECREF(key);
        Py_XDECREF(t);
    }
    return d;
}
