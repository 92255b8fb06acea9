/* own_handler_ext.c - for tests/python/t_own_handler.py: a program's own
 * NumPy data handler that does not chain to any other (it calls the C
 * library itself, as an aligned or huge-page allocator would) and counts
 * its calls.  set() makes it the handler of the calling thread's context. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#define NPY_NO_DEPRECATED_API NPY_1_22_API_VERSION
#include <numpy/arrayobject.h>
#include <stdlib.h>

static unsigned long n_alloc, n_free;

static void *o_malloc(void *ctx, size_t n)
{
    (void)ctx;
    __atomic_add_fetch(&n_alloc, 1, __ATOMIC_RELAXED);
    return malloc(n ? n : 1);
}
static void *o_calloc(void *ctx, size_t n, size_t e)
{
    (void)ctx;
    __atomic_add_fetch(&n_alloc, 1, __ATOMIC_RELAXED);
    return calloc(n ? n : 1, e ? e : 1);
}
static void *o_realloc(void *ctx, void *p, size_t n)
{
    (void)ctx;
    return realloc(p, n ? n : 1);
}
static void o_free(void *ctx, void *p, size_t n)
{
    (void)ctx;
    (void)n;
    if (p)
        __atomic_add_fetch(&n_free, 1, __ATOMIC_RELAXED);
    free(p);
}
static PyDataMem_Handler own = {"own_handler", 1, {NULL, o_malloc, o_calloc, o_realloc, o_free}};

static PyObject *set(PyObject *self, PyObject *noargs)
{
    (void)self;
    (void)noargs;
    PyObject *cap = PyCapsule_New(&own, "mem_handler", NULL);
    if (!cap)
        return NULL;
    PyObject *old = PyDataMem_SetHandler(cap);
    Py_DECREF(cap);
    if (!old)
        return NULL;
    Py_DECREF(old);
    Py_RETURN_NONE;
}

static PyObject *counts(PyObject *self, PyObject *noargs)
{
    (void)self;
    (void)noargs;
    return Py_BuildValue("(kk)", __atomic_load_n(&n_alloc, __ATOMIC_RELAXED),
                         __atomic_load_n(&n_free, __ATOMIC_RELAXED));
}

static PyMethodDef methods[] = {{"set", set, METH_NOARGS, NULL},
                                {"counts", counts, METH_NOARGS, NULL},
                                {NULL, NULL, 0, NULL}};
static struct PyModuleDef moddef = {PyModuleDef_HEAD_INIT, "own_handler_ext", NULL, -1, methods,
                                    NULL, NULL, NULL, NULL};
PyMODINIT_FUNC PyInit_own_handler_ext(void);
PyMODINIT_FUNC PyInit_own_handler_ext(void)
{
    import_array();
    return PyModule_Create(&moddef);
}
