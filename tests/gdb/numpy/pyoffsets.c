/* tests/gdb/numpy/pyoffsets.c - the CPython 3.11 offsets that
 * gdb/python/arrdbg_gdb/pyframe.py hard-codes (OFFSETS) and
 * valgrind/ac_pystack.c too (its AC_PY_ defines), computed by the
 * compiler from the installed headers (python3-dev: Include/internal too).
 * run.sh compiles it, runs it and compares, so a wrong or drifted offset
 * fails the suite.  Prints `key value` lines, keys as in OFFSETS. */
#define Py_BUILD_CORE 1
#include <Python.h>
#include <internal/pycore_code.h>
#include <internal/pycore_dict.h>
#include <internal/pycore_frame.h>
#include <internal/pycore_interp.h>
#include <internal/pycore_runtime.h>
#include <stddef.h>
#include <stdio.h>

#define P(key, expr) printf("%s %zu\n", key, (size_t)(expr))

int main(void)
{
    P("version", PY_VERSION_HEX >> 16);
    P("runtime.interp_head", offsetof(_PyRuntimeState, interpreters.head));
    P("interp.next", offsetof(PyInterpreterState, next));
    P("interp.threads_head", offsetof(PyInterpreterState, threads.head));
    P("tstate.next", offsetof(PyThreadState, next));
    P("tstate.cframe", offsetof(PyThreadState, cframe));
    P("tstate.native_thread_id", offsetof(PyThreadState, native_thread_id));
    P("cframe.current_frame", offsetof(_PyCFrame, current_frame));
    P("frame.f_globals", offsetof(_PyInterpreterFrame, f_globals));
    P("frame.f_locals", offsetof(_PyInterpreterFrame, f_locals));
    P("frame.f_code", offsetof(_PyInterpreterFrame, f_code));
    P("frame.previous", offsetof(_PyInterpreterFrame, previous));
    P("frame.prev_instr", offsetof(_PyInterpreterFrame, prev_instr));
    P("frame.owner", offsetof(_PyInterpreterFrame, owner));
    P("frame.localsplus", offsetof(_PyInterpreterFrame, localsplus));
    P("code.co_flags", offsetof(PyCodeObject, co_flags));
    P("code.co_firstlineno", offsetof(PyCodeObject, co_firstlineno));
    P("code.co_nlocalsplus", offsetof(PyCodeObject, co_nlocalsplus));
    P("code.co_localsplusnames", offsetof(PyCodeObject, co_localsplusnames));
    P("code.co_localspluskinds", offsetof(PyCodeObject, co_localspluskinds));
    P("code.co_filename", offsetof(PyCodeObject, co_filename));
    P("code.co_name", offsetof(PyCodeObject, co_name));
    P("code.co_qualname", offsetof(PyCodeObject, co_qualname));
    P("code.co_linetable", offsetof(PyCodeObject, co_linetable));
    P("code._co_firsttraceable", offsetof(PyCodeObject, _co_firsttraceable));
    P("code.co_code_adaptive", offsetof(PyCodeObject, co_code_adaptive));
    P("ascii.length", offsetof(PyASCIIObject, length));
    P("ascii.state", offsetof(PyASCIIObject, state));
    P("sizeof.ascii", sizeof(PyASCIIObject));
    P("sizeof.compact", sizeof(PyCompactUnicodeObject));
    P("dict.ma_keys", offsetof(PyDictObject, ma_keys));
    P("dict.ma_values", offsetof(PyDictObject, ma_values));
    P("keys.dk_log2_size", offsetof(PyDictKeysObject, dk_log2_size));
    P("keys.dk_log2_index_bytes", offsetof(PyDictKeysObject, dk_log2_index_bytes));
    P("keys.dk_kind", offsetof(PyDictKeysObject, dk_kind));
    P("keys.dk_nentries", offsetof(PyDictKeysObject, dk_nentries));
    P("keys.dk_indices", offsetof(PyDictKeysObject, dk_indices));
    P("sizeof.keyentry", sizeof(PyDictKeyEntry));
    P("sizeof.unicodeentry", sizeof(PyDictUnicodeEntry));
    P("cell.ob_ref", offsetof(PyCellObject, ob_ref));
    P("bytes.ob_sval", offsetof(PyBytesObject, ob_sval));
    P("tuple.ob_item", offsetof(PyTupleObject, ob_item));
    P("var.ob_size", offsetof(PyVarObject, ob_size));
    /* read by valgrind/ac_pystack.c only (pyframe.py has them from numpy_layout) */
    P("PyObject.ob_type", offsetof(PyObject, ob_type));
    P("PyTypeObject.tp_name", offsetof(PyTypeObject, tp_name));
    return 0;
}
