"""pyframe (CPython 3.11 frames read from raw memory) checked inside a live
/usr/bin/python3.11 over its own memory (ctypes), against what Python
itself says: the frames of this thread (names, files, lines), locals (plain,
cell, free, not yet bound), module globals, non-ASCII names, and a dict
with a split table.  Prints `pyframe-offline: N passed` or FAIL lines; exit
77 on another Python version (pyframe refuses it: also checked)."""

import ctypes
import os
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..",
                                "gdb", "python"))
from arrdbg_gdb import numpy_layout as nl, pyframe  # noqa: E402

failures = []
passes = [0]


def check(cond, what):
    if cond:
        passes[0] += 1
    else:
        failures.append(what)
        print("FAIL:", what)


class Mem:
    @staticmethod
    def read(address, length):
        if address < 4096 or length < 0 or length > (64 << 20):
            raise nl.Fault("refused 0x%x" % address)
        return ctypes.string_at(address, length)


def symbol(name):
    return ctypes.addressof(ctypes.c_char.in_dll(ctypes.pythonapi, name))


LAY = nl.Layout(8, "<")
try:
    VERSION = pyframe.check_version(Mem, LAY, symbol("Py_Version"))
except ValueError:   # no such symbol: Python before 3.11
    print("pyframe-offline: skipped (Python %d.%d has no Py_Version)" % sys.version_info[:2])
    sys.exit(77)
except nl.Invalid as exc:
    print("pyframe-offline: skipped (%s)" % exc)
    sys.exit(77)

glob_arr = [1, 2]
glob_ü = "unicode name"


class Holder:
    pass


def frames_of(native_id):
    r = pyframe.Reader(Mem, LAY)
    states = [ts for ts, tid in pyframe.thread_states(r, symbol("_PyRuntime")) if tid == native_id]
    check(len(states) == 1, "one thread state for thread %d: %r" % (native_id, states))
    return pyframe.frames(r, states[0]).frames if states else []


# The frames are read from another thread, blocked in a C call (a lock):
# a thread's own innermost frames change while it reads them.
bound = {}
done = threading.Lock()
done.acquire()


def marker_line(tag):
    return [n for n, text in enumerate(open(__file__, encoding="utf-8"), 1)
            if text.rstrip().endswith("# @" + tag)][0]


def wait_until_blocked(ident, name, tag):
    """Until thread ident's innermost Python frame is `name` at the line
    marked tag (then only C runs in it: its frames stay put)."""
    while True:
        f = sys._current_frames().get(ident)
        if f is not None and f.f_code.co_qualname == name and f.f_lineno == marker_line(tag):
            return
        time.sleep(0.001)


def outer():
    cell_var = [3]          # a cell: inner() uses it
    plain = (4, 5)
    wide_名前 = {"k": 1}

    def inner():
        free = cell_var     # cell_var is a free variable here
        bound.update(free=id(free), cell_var=id(cell_var), plain=id(plain), wide=id(wide_名前))
        done.acquire()  # @inner
        later = None        # a local not bound while the frames are read
        return later
    inner()


worker = threading.Thread(target=outer)
worker.start()
wait_until_blocked(worker.ident, "outer.<locals>.inner", "inner")
fs = frames_of(worker.native_id)
py = sys._current_frames()[worker.ident]
names = [f.name for f in fs]
check(names[:3] == ["outer.<locals>.inner", "outer", "Thread.run"],
      "innermost names %r" % names)
k = 0
while py is not None and k < len(fs):
    f = fs[k]
    check(f.name == py.f_code.co_qualname, "name %r, Python says %r" % (f.name, py.f_code.co_qualname))
    check(f.filename == py.f_code.co_filename, "file of %s: %r" % (f.name, f.filename))
    check(f.line == py.f_lineno, "line of %s: %r, Python says %d" % (f.name, f.line, py.f_lineno))
    py = py.f_back
    k += 1
check(py is None and k == len(fs), "as many frames as Python has: %d" % len(fs))
f_inner, f_outer = fs[0], fs[1]
check(f_inner.lookup("free") == (bound["free"], "local"), "local")
check(f_inner.lookup("cell_var") == (bound["cell_var"], "local"), "free variable")
check(f_outer.lookup("cell_var") == (bound["cell_var"], "local"), "cell variable")
check(f_outer.lookup("plain") == (bound["plain"], "local"), "local")
check(f_outer.lookup("wide_名前") == (bound["wide"], "local"), "non-ASCII local")
check(f_inner.lookup("glob_arr") == (id(glob_arr), "global"), "global from a function")
check(f_inner.lookup("glob_ü") == (id(glob_ü), "global"), "non-ASCII global")
check(f_inner.lookup("nope_nothing") is None, "unknown name")
check(f_inner.lookup("later") == (0, "local"), "a local not bound yet")
check(f_inner.lookup("len") is None, "builtins are not looked up")
done.release()
worker.join()

# Module level: another thread reads this one's frames while it is blocked
# in a C call made from module code (so no frame of it is in flux).
seen_main = []
main_id, main_ident = threading.get_native_id(), threading.get_ident()
gate = threading.Lock()
gate.acquire()


def read_main():
    wait_until_blocked(main_ident, "<module>", "gate")
    fs_main = frames_of(main_id)
    seen_main.append([(f.name, f.line) for f in fs_main])
    if fs_main:
        seen_main.append(fs_main[-1].lookup("glob_arr"))
    gate.release()


threading.Thread(target=read_main).start()
gate.acquire()  # @gate
check(seen_main and seen_main[0] == [("<module>", marker_line("gate"))], "main thread frames: %r" % seen_main)
check(seen_main[1:] == [(id(glob_arr), "global")], "global at module level")
h = Holder()
h.x = 1
r = pyframe.Reader(Mem, LAY)
# (Every object read is bound to a name: id() of a temporary is freed memory.)
split, general, a_list = h.__dict__, {1: 2, "x": glob_arr}, [1]
check(r.dict_get(id(split), "x") == id(h.x), "split-table dict")
check(r.dict_get(id(general), "x") == id(glob_arr), "dict with a non-str key")
# Garbage: a frame address inside a bytes object, a runtime pointing at zeros.
junk = bytes(4096)
r = pyframe.Reader(Mem, LAY)
for what, fn in (("frames of a zero thread state", lambda: pyframe.frames(r, id(junk) + 64).frames),
                 ("threads of a zero runtime", lambda: pyframe.thread_states(r, id(junk) + 64)),
                 ("frame in junk", lambda: pyframe.Frame(r, id(junk) + 64)),
                 ("dict_get on a list", lambda: r.dict_get(id(a_list), "x"))):
    try:
        got = fn()
        check(got == [], "%s: %r" % (what, got))
    except (nl.Fault, nl.Invalid):
        check(True, what)
bad = ctypes.create_string_buffer(b"\xf0\x02\x0c\x03")   # 3.12.2 final, little-endian
try:
    pyframe.check_version(Mem, LAY, ctypes.addressof(bad))
    check(False, "Python 3.12 accepted")
except nl.Invalid as exc:
    check("3.12.2" in str(exc) and "3.11 only" in str(exc), "3.12 refused: %s" % exc)
print("pyframe-offline: %d passed, %d failed (Python %s)" % (passes[0], len(failures), VERSION))
sys.exit(1 if failures else 0)
