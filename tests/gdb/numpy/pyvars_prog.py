"""The inferior of the `pyvars` NumPy gdb case (run by /usr/bin/python3
under gdb): arrays bound to Python names (a base, a slice view, a copy;
locals of two nested functions, one shadowing a global and the caller's
local of the same name; module globals; a local of another thread,
blocked in a lock), what NumPy says about them and
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


gate = threading.Lock()
gate.acquire()
worker_arrays = []


def worker_fn():
    wx = np.full((2, 2), 5.0)    # a local of another thread
    worker_arrays.append(wx)
    gate.acquire()  # @worker
    return wx


def worker_blocked(t):
    """True once thread t waits in gate.acquire() (then only C runs in it)."""
    f = sys._current_frames().get(t.ident)
    return f is not None and f.f_code.co_name == "worker_fn" and f.f_lineno == marker_line("worker")


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
        "outer_x": id(outer_x[0]), "global_x": id(globals()["x"]), "g_int": id(g_int),
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
while not worker_blocked(worker):
    time.sleep(0.001)
outer()  # @module
print("pyvars_prog.py: done")
