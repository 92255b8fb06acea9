"""The inferior of tests/gdb/print (run by /usr/bin/python3 under gdb,
directly or through `python3 -m arrdbg run`): Python variables whose names
are also C symbols (`environ` is libc's), ndarrays and other objects bound
to module globals and to locals of inner(); writes what Python says about
them to TRUTH.json, then stops itself with SIGTRAP inside inner().

    /usr/bin/python3 print_prog.py TRUTH.json
"""

import json
import os
import signal
import sys

import numpy as np


def marker_line(tag):
    with open(__file__, encoding="utf-8") as f:
        return [n for n, text in enumerate(f, 1) if text.rstrip().endswith("# @" + tag)][0]


base = np.arange(12.0)   # @base
environ = base.reshape(3, 4)   # also libc's `environ`: print NAME is this one
g_int = 7
g_neg = -(2 ** 70) + 3
g_str = "h\u00e9llo"
g_float = 2.5
g_none = None
g_true = True
g_bytes = b"ab\x00c"
g_list = [1, 2]


def inner(arg):
    x = np.zeros((5, 5), dtype=np.int32)
    x[1, 2] = 7
    truth = {
        "file": os.path.abspath(__file__),
        "stop": marker_line("stop"), "module": marker_line("module"), "base_line": marker_line("base"),
        "ids": {"environ": id(environ), "base": id(base), "x": id(x), "arg": id(arg)},
        "shapes": {"environ": list(environ.shape), "x": list(x.shape), "arg": list(arg.shape)},
        "scalars": {name: [repr(globals()[name]), id(globals()[name])]
                    for name in ("g_int", "g_neg", "g_str", "g_float", "g_none", "g_true", "g_bytes")},
        "g_list": id(g_list),
    }
    with open(sys.argv[1] + ".tmp", "w") as f:
        json.dump(truth, f)
    os.rename(sys.argv[1] + ".tmp", sys.argv[1])
    os.kill(os.getpid(), signal.SIGTRAP)  # @stop
    return x


inner(environ[:, 1])  # @module
