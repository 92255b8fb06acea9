"""The inferior of the `pyvars` NumPy gdb case (run by /usr/bin/python3
under gdb): arrays bound to Python names (a base, a slice view, a copy;
locals of two nested functions, one shadowing a global and the caller's
local of the same name; module globals; a local of another thread,
blocked in a lock; a third thread 20,005 Python frames deep), what NumPy
says about them and
the Python frames (names, lines) written to TRUTH.json; then it stops
itself with SIGTRAP inside inner().

    /usr/bin/python3 pyvars_prog.py TRUTH.json
"""

import json
import os
import signal
import sys
import threading
import time

import numpy as np


def marker_line(tag):
    with open(__file__, encoding="utf-8") as f:
        return [n for n, text in enumerate(f, 1) if text.rstrip().endswith("# @" + tag)][0]


def describe(x):
    return {"id": id(x), "shape": list(x.shape), "strides": list(x.strides),
            "base": id(x.base) if x.base is not None else 0, "owndata": bool(x.flags.owndata)}


g_base = np.arange(48.0).reshape(6, 8)
g_view = g_base[1:5, ::2]
g_copy = g_base.copy()
g_int = 7
x = np.ones(3)           # a global that inner() and outer() shadow
naïve = np.arange(4)     # a non-ASCII name
environ = np.arange(6.0).reshape(2, 3)   # also libc's symbol `environ`: NAME is the Python one
g_rec = np.array([(1, 2.5, b"ab")], dtype=[("a", "<i4"), ("f", "<f8"), ("s", "S2")])
g_big = np.arange(1000000.0).reshape(1000, 1000)   # summarised at gdb's default settings


gate = threading.Lock()
gate.acquire()
worker_arrays = []


def worker_fn():
    wx = np.full((2, 2), 5.0)    # a local of another thread
    worker_arrays.append(wx)
    gate.acquire()  # @worker
    return wx


DEEP = 20004   # deep_fn frames: with the thread's outermost one, 20,005 Python frames
deep_truth = {}


def deep_fn(n):
    if n == 0:
        f, count = sys._getframe(), 0
        while f is not None:
            count += 1
            f = f.f_back
        deep_truth.update(frames=count, line=marker_line("deep"), rec=marker_line("rec"))
        gate.acquire()  # @deep
        return 0
    return deep_fn(n - 1)  # @rec


def deep_main():
    sys.setrecursionlimit(DEEP + 1000)
    deep_fn(DEEP - 1)


def worker_blocked(t):
    """True once thread t waits in gate.acquire() (then only C runs in it)."""
    f = sys._current_frames().get(t.ident)
    return f is not None and f.f_code.co_name in ("worker_fn", "deep_fn") and \
        f.f_lineno in (marker_line("worker"), marker_line("deep"))


def inner(arg):
    x = np.zeros((5, 5), dtype=np.int32)
    x_view = x[::2, 1:]
    x_copy = x_view.copy()
    frame0 = {"x": x, "x_view": x_view, "x_copy": x_copy, "arg": arg,
              "g_base": g_base, "g_view": g_view, "g_copy": g_copy, "naïve": naïve}
    pairs = [("x", "x_view"), ("x_view", "x_copy"), ("g_base", "g_view"), ("g_view", "g_copy"),
             ("x", "g_base"), ("arg", "x")]
    truth = {
        "file": os.path.abspath(__file__),
        "frames": [["inner", marker_line("stop")], ["outer", marker_line("call")],
                   ["<module>", marker_line("module")]],
        "frame0": {name: describe(a) for name, a in frame0.items()},
        "shares": [[p, q, bool(np.shares_memory(frame0[p], frame0[q]))] for p, q in pairs],
        "worker": {"lwp": worker.native_id, "line": marker_line("worker"), "wx": id(worker_arrays[0])},
        "deep": dict(deep_truth, lwp=deep.native_id),
        "outer_x": id(outer_x[0]), "global_x": id(globals()["x"]), "g_int": id(g_int),
        "environ": describe(environ),
        "g_rec": str(g_rec.dtype),
        "g_big": np.array2string(g_big, max_line_width=1 << 30, threshold=199, edgeitems=3, separator=", ",
                                 formatter={"float": lambda v: "%d" % v}),
    }
    with open(sys.argv[1] + ".tmp", "w") as f:
        json.dump(truth, f)
    os.rename(sys.argv[1] + ".tmp", sys.argv[1])
    os.kill(os.getpid(), signal.SIGTRAP)  # @stop
    gate.release()
    return x_copy


outer_x = []


def outer():
    x = np.arange(10)    # the caller's own x
    outer_x.append(x)
    return inner(x[::3])  # @call


worker = threading.Thread(target=worker_fn, daemon=True)
worker.start()
deep = threading.Thread(target=deep_main, daemon=True)   # 20,005 Python frames
deep.start()
while not (worker_blocked(worker) and worker_blocked(deep)):
    time.sleep(0.001)
outer()  # @module
print("pyvars_prog.py: done")
