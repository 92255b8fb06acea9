/* tests/gdb/numpy/ext.c - a NumPy C extension built with -g, so gdb has
 * DWARF for PyObject and PyArrayObject: the typed path of the plugin
 * (print a PyArrayObject *, arr info on a typed argument).  It makes no
 * NumPy API call, so it needs no import_array(). */
#define PY_SSIZE_T_CLEAN
#define NPY_NO_DEPRECATED_API NPY_1_7_API_VERSION
#include <Python.h>
#include <numpy/ndarraytypes.h>

int arrdbg_numpy_spot(PyArrayObject *a, PyArrayObject *b, PyObject *other);

/* The breakpoint: gdb stops here with two ndarrays and another object. */
__attribute__((noinline)) int arrdbg_numpy_spot(PyArrayObject *a, PyArrayObject *b, PyObject *other)
{
    PyArrayObject_fields *fa = (PyArrayObject_fields *)a;
    __asm__ volatile("" ::: "memory");
    return fa->nd + fa->descr->elsize + (b != NULL) + (other != NULL);
}

static PyObject *spot(PyObject *self, PyObject *args)
{
    PyObject *a, *b, *other;
    (void)self;
    if (!PyArg_ParseTuple(args, "OOO", &a, &b, &other))
        return NULL;
    return PyLong_FromLong(arrdbg_numpy_spot((PyArrayObject *)a, (PyArrayObject *)b, other));
}

static PyMethodDef methods[] = {
    {"spot", spot, METH_VARARGS, "Stops at arrdbg_numpy_spot under gdb."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "arrdbg_np_ext", NULL, -1, methods,
                                    NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit_arrdbg_np_ext(void);

PyMODINIT_FUNC PyInit_arrdbg_np_ext(void)
{
    return PyModule_Create(&module);
}
