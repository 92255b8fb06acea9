"""np.fromstring / np.fromfile(sep=...) grow their buffer by realloc with
the GIL released: the bytes stay on the line that made the buffer, as in
tracemalloc's NumPy domain (no "<no GIL>" row)."""
import os
import tempfile
import tracemalloc
import warnings

import numpy as np

import arrdbg
import check
from arrdbg import _arrdbg

path = os.path.join(tempfile.mkdtemp(), "nums.txt")
with open(path, "w") as f:
    f.write(" ".join(str(i) for i in range(10)))
tracemalloc.start(40)
since = _arrdbg.stats()["seq"]
with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    a = np.fromstring("1 2 3 4", dtype=np.float64, sep=" ")  # @fromstring
b = np.fromfile(path, dtype=np.float64, sep=" ")  # @fromfile
theirs = check.tracemalloc_by_line(__file__)
os.unlink(path)
ours = check.live_by_line(__file__, since)
for mk, arr in (("fromstring", a), ("fromfile", b)):
    line = check.marker_line(mk)
    check.check(ours.get(line, 0) == theirs.get(line, -1) == arr.nbytes,
                f"@{mk}: arrdbg {ours.get(line, 0)}, tracemalloc {theirs.get(line)}, {arr.nbytes}")
    e = check.line_entry(arrdbg.report_data(), __file__, line)
    check.check(e is not None and e["net"] == arr.nbytes, f"@{mk} row: {e}")
nogil = [s for s in _arrdbg.sites() if s[0] == "<no GIL>" and (s[6] or s[8])]
check.check(not nogil, f"<no GIL> counts: {nogil}")
check.done()
