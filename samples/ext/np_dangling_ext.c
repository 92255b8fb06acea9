/* np_dangling_ext.c - a NumPy C extension with a classic bug, for
 * samples/np_dangling.py: keep() remembers an array's data pointer but not
 * a reference to the array, so once Python frees the array, read() reads
 * freed memory.  Natively it usually "works" (the bytes are still there);
 * under `valgrind --tool=arrcheck python3 -m arrdbg run` arrdbg keeps the
 * freed buffer in quarantine and arrcheck reports the read as
 * DanglingAccess, with the Python lines that made and freed the array.
 * Built with python3-dev by python/python.mk (build/samples/). */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#define NPY_NO_DEPRECATED_API NPY_1_7_API_VERSION
#include <numpy/arrayobject.h>

static const double *kept; /* BUG: no reference to the array that owns it */

static PyObject *keep(PyObject *self, PyObject *arg)
{
    (void)self;
    if (!PyArray_Check(arg) || PyArray_TYPE((PyArrayObject *)arg) != NPY_DOUBLE ||
        PyArray_SIZE((PyArrayObject *)arg) < 1) {
        PyErr_SetString(PyExc_TypeError, "keep() wants a non-empty float64 array");
        return NULL;
    }
    kept = PyArray_DATA((PyArrayObject *)arg);
    Py_RETURN_NONE;
}

static PyObject *read_first(PyObject *self, PyObject *noargs)
{
    (void)self;
    (void)noargs;
    if (!kept) {
        PyErr_SetString(PyExc_RuntimeError, "nothing kept");
        return NULL;
    }
    return PyFloat_FromDouble(kept[0]);
}

static PyMethodDef methods[] = {
    {"keep", keep, METH_O, "remember the array's data pointer (and not the array)"},
    {"read", read_first, METH_NOARGS, "read the first element through the kept pointer"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef moddef = {
    PyModuleDef_HEAD_INIT, "np_dangling_ext", NULL, -1, methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit_np_dangling_ext(void);
PyMODINIT_FUNC PyInit_np_dangling_ext(void)
{
    import_array();
    return PyModule_Create(&moddef);
}
