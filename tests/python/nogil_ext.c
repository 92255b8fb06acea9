/* nogil_ext.c - for tests/python: run() allocates and frees NumPy data
 * memory through the current handler from a thread that does not hold the
 * GIL (as NumPy itself may); install_counting() sets a program's own
 * handler (counting calls, chaining to the previous one) for t_chain.sh. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#define NPY_NO_DEPRECATED_API NPY_1_22_API_VERSION
#include <numpy/arrayobject.h>
#include <pthread.h>

struct job {
    PyDataMem_Handler *handler;
    int n, ok;
    size_t bytes;
};

static void *worker(void *arg)
{
    struct job *j = arg;
    j->ok = 1;
    for (int i = 0; i < j->n; i++) {
        /* What NumPy's PyDataMem_UserNEW / UserFREE do (they are not
         * exported): call the handler's allocator. */
        PyDataMemAllocator *a = &j->handler->allocator;
        void *p = a->malloc(a->ctx, j->bytes);
        if (!p) {
            j->ok = 0;
            break;
        }
        ((char *)p)[0] = 1;
        a->free(a->ctx, p, j->bytes);
    }
    return NULL;
}

/* run(n, bytes): n allocations and frees in a thread without the GIL. */
static PyObject *run(PyObject *self, PyObject *args)
{
    (void)self;
    struct job j = {NULL, 0, 0, 0};
    Py_ssize_t bytes;
    if (!PyArg_ParseTuple(args, "in", &j.n, &bytes))
        return NULL;
    j.bytes = (size_t)bytes;
    PyObject *cap = PyDataMem_GetHandler();
    if (!cap)
        return NULL;
    j.handler = PyCapsule_GetPointer(cap, "mem_handler");
    if (!j.handler) {
        Py_DECREF(cap);
        return NULL;
    }
    pthread_t t;
    int rc;
    Py_BEGIN_ALLOW_THREADS
    rc = pthread_create(&t, NULL, worker, &j);
    if (rc == 0)
        pthread_join(t, NULL);
    Py_END_ALLOW_THREADS
    Py_DECREF(cap);
    if (rc != 0)
        return PyErr_Format(PyExc_OSError, "pthread_create: %d", rc);
    return PyBool_FromLong(j.ok);
}

/* A program's own handler: counts calls and chains to the one it found. */
static PyDataMem_Handler *counted_prev;
static unsigned long n_malloc, n_free;

static void *c_malloc(void *ctx, size_t n)
{
    (void)ctx;
    __atomic_add_fetch(&n_malloc, 1, __ATOMIC_RELAXED);
    return counted_prev->allocator.malloc(counted_prev->allocator.ctx, n);
}
static void *c_calloc(void *ctx, size_t n, size_t e)
{
    (void)ctx;
    __atomic_add_fetch(&n_malloc, 1, __ATOMIC_RELAXED);
    return counted_prev->allocator.calloc(counted_prev->allocator.ctx, n, e);
}
static void *c_realloc(void *ctx, void *p, size_t n)
{
    (void)ctx;
    return counted_prev->allocator.realloc(counted_prev->allocator.ctx, p, n);
}
static void c_free(void *ctx, void *p, size_t n)
{
    (void)ctx;
    __atomic_add_fetch(&n_free, 1, __ATOMIC_RELAXED);
    counted_prev->allocator.free(counted_prev->allocator.ctx, p, n);
}
static PyDataMem_Handler counting = {"counting", 1, {NULL, c_malloc, c_calloc, c_realloc, c_free}};

static PyObject *install_counting(PyObject *self, PyObject *noargs)
{
    (void)self;
    (void)noargs;
    PyObject *old = PyDataMem_GetHandler();
    if (!old)
        return NULL;
    counted_prev = PyCapsule_GetPointer(old, "mem_handler"); /* kept: never released */
    PyObject *cap = PyCapsule_New(&counting, "mem_handler", NULL);
    if (!cap)
        return NULL;
    PyObject *r = PyDataMem_SetHandler(cap);
    Py_DECREF(cap);
    if (!r)
        return NULL;
    Py_DECREF(r);
    Py_RETURN_NONE;
}

static PyObject *counts(PyObject *self, PyObject *noargs)
{
    (void)self;
    (void)noargs;
    return Py_BuildValue("(kk)", n_malloc, n_free);
}

static PyMethodDef methods[] = {{"run", run, METH_VARARGS, NULL},
                                {"install_counting", install_counting, METH_NOARGS, NULL},
                                {"counts", counts, METH_NOARGS, NULL},
                                {NULL, NULL, 0, NULL}};
static struct PyModuleDef moddef = {PyModuleDef_HEAD_INIT, "nogil_ext", NULL, -1, methods,
                                    NULL, NULL, NULL, NULL};
PyMODINIT_FUNC PyInit_nogil_ext(void);
PyMODINIT_FUNC PyInit_nogil_ext(void)
{
    import_array();
    return PyModule_Create(&moddef);
}
