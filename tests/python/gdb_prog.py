"""Run by t_gdb.sh under gdb through `python3 -m arrdbg run`: makes arrays,
writes what gdb must find (from NumPy: nbytes, the marker lines, the ids of
b's views) to
argv[1], and stops itself with SIGTRAP."""
import json
import os
import signal
import sys

import numpy as np

import check

a = np.random.rand(300, 200)  # @rand
b = a.copy()  # @copy
zs = [np.zeros(1000 + k) for k in range(3)]  # @zeros
del a
# Views of b that no name on the gdb command line reaches (arr views b
# lists them from arrdbg's registry of live ndarrays).
kept = [b[k:k + 2] for k in range(5)] + [b.T, b[::3][1:]]
want = [{"line": check.marker_line("copy"), "op": "copy", "bytes": b.nbytes, "count": 1},
        {"line": check.marker_line("zeros"), "op": "zeros", "bytes": sum(z.nbytes for z in zs),
         "count": 3}]
with open(sys.argv[1], "w") as f:
    json.dump({"file": os.path.abspath(__file__), "want": want,
               "gone": check.marker_line("rand"), "b": id(b),
               "views": sorted(id(v) for v in kept)}, f)
os.kill(os.getpid(), signal.SIGTRAP)
