/* pending.c - Python hooks run from pending calls (GIL held, between
 * bytecodes, never inside the allocator): the classifier, which names new
 * sites' ops, and the near-peak scan.  At most one of each is queued. */
#include "arrdbg.h"

PyObject *pend_classify_cb, *pend_peak_cb; /* may be NULL */
static int classify_queued, peak_queued;

/* Errors of a hook are reported as unraisable, never passed on into the
 * interpreter's loop. */
static int call_hook(PyObject *cb)
{
    if (!cb)
        return 0;
    PyObject *r = PyObject_CallNoArgs(cb);
    if (!r) {
        PyErr_WriteUnraisable(cb);
        return 0;
    }
    Py_DECREF(r);
    return 0;
}

static int run_classify(void *arg)
{
    (void)arg;
    classify_queued = 0;
    return call_hook(pend_classify_cb);
}

static int run_peak(void *arg)
{
    (void)arg;
    peak_queued = 0;
    return call_hook(pend_peak_cb);
}

void pend_classify(void)
{
    if (pend_classify_cb && !classify_queued && Py_AddPendingCall(run_classify, NULL) == 0)
        classify_queued = 1;
}

void pend_peak(void)
{
    if (pend_peak_cb && !peak_queued && Py_AddPendingCall(run_peak, NULL) == 0)
        peak_queued = 1;
}
