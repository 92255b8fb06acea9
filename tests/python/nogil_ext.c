/* nogil_ext.c - for tests/python/t_nogil.py: allocate and free NumPy data
 * memory through the current handler from a thread that does not hold the
 * GIL (as NumPy itself may), n times, and report whether it worked. */
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

static PyMethodDef methods[] = {{"run", run, METH_VARARGS, NULL}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef moddef = {PyModuleDef_HEAD_INIT, "nogil_ext", NULL, -1, methods,
                                    NULL, NULL, NULL, NULL};
PyMODINIT_FUNC PyInit_nogil_ext(void);
PyMODINIT_FUNC PyInit_nogil_ext(void)
{
    import_array();
    return PyModule_Create(&moddef);
}
