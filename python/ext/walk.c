/* walk.c - the Python stack of this moment as (code object, instruction
 * offset) pairs, innermost first.  GIL held.
 *
 * On CPython 3.11 the interpreter's own frame records are read directly
 * (internal/pycore_frame.h, as PyEval_GetFrame and PyFrame_GetBack do
 * themselves): no frame object is made and no reference count touched,
 * which makes a whole-stack walk per NumPy event cheap.  Elsewhere, the
 * public API (PyEval_GetFrame, PyFrame_GetBack). */
#include "arrdbg.h"

#if PY_VERSION_HEX >= 0x030B0000 && PY_VERSION_HEX < 0x030C0000
#define Py_BUILD_CORE
#include "internal/pycore_frame.h"
#undef Py_BUILD_CORE

/* The frame of `run` that executes the script: the walk stops there (the
 * frames above it, runpy's and arrdbg's, are the same at every event). */
static _PyInterpreterFrame *root;

void walk_set_root(int here)
{
    PyThreadState *ts = PyThreadState_Get();
    _PyInterpreterFrame *f = ts->cframe ? ts->cframe->current_frame : NULL;
    /* here: the caller's frame (run's), under this C call's own. */
    root = here && f ? f : NULL;
}

int walk_stack(PyObject **codes, int *lastis, int max)
{
    PyThreadState *ts = PyThreadState_Get();
    _PyInterpreterFrame *f = ts->cframe ? ts->cframe->current_frame : NULL;
    int n = 0;
    for (; f && f != root && n < max; f = f->previous) {
        if (_PyFrame_IsIncomplete(f))
            continue;
        codes[n] = (PyObject *)f->f_code;
        lastis[n] = _PyInterpreterFrame_LASTI(f) * (int)sizeof(_Py_CODEUNIT);
        n++;
    }
    return n;
}
#else
void walk_set_root(int here)
{
    (void)here; /* the whole stack is walked */
}

int walk_stack(PyObject **codes, int *lastis, int max)
{
    PyFrameObject *f = PyEval_GetFrame(); /* borrowed */
    int n = 0;
    Py_XINCREF(f);
    while (f && n < max) {
        PyCodeObject *code = PyFrame_GetCode(f);
        codes[n] = (PyObject *)code;
        Py_DECREF(code); /* the frame holds it while we use it */
#if PY_VERSION_HEX >= 0x030B0000
        lastis[n] = PyFrame_GetLasti(f);
#else
        lastis[n] = f->f_lasti * 2;
#endif
        n++;
        PyFrameObject *back = PyFrame_GetBack(f);
        Py_DECREF(f);
        f = back;
    }
    Py_XDECREF(f);
    return n;
}
#endif
