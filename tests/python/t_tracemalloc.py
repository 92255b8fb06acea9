"""arrdbg's live NumPy bytes, in total and per line, agree with tracemalloc's
NumPy domain (np.lib.tracemalloc_domain) on the same run, within 1%."""
import os
import tracemalloc

import numpy as np

import check
from arrdbg import _arrdbg

tracemalloc.start(40)
since = _arrdbg.stats()["seq"]

rng = np.random.default_rng(1)
a = rng.random((300, 200))
b = a.copy()
c = a.T.astype(np.float32)
d = np.ascontiguousarray(a.T)
e = a[a > 0.5]
f = (a * 2 + 1) / 3
g = [np.zeros(1000 + i) for i in range(50)]
h = np.sort(a, axis=0)
del b
k = np.concatenate([a, a])
small = [np.arange(i) for i in range(200)]

np_dir = os.path.dirname(np.__file__) + os.sep
snap = tracemalloc.take_snapshot()
tracemalloc.stop()
traces = snap.filter_traces([tracemalloc.DomainFilter(True, np.lib.tracemalloc_domain)]).traces
theirs_total = 0
theirs_lines = {}
here = os.path.abspath(__file__)
for tr in traces:
    theirs_total += tr.size
    for fr in reversed(tr.traceback):  # most recent last in the Traceback
        if not fr.filename.startswith((np_dir, "<__array_function__ internals>")):
            if os.path.abspath(fr.filename) == here:
                theirs_lines[fr.lineno] = theirs_lines.get(fr.lineno, 0) + tr.size
            break

ours_lines = check.live_by_line(__file__, since)
ours_total = sum(b for _, b, seq, _ in _arrdbg.records() if seq > since)
check.check(theirs_total > 1_000_000, f"tracemalloc saw {theirs_total} bytes")
check.check(abs(ours_total - theirs_total) <= theirs_total / 100,
            f"total live: arrdbg {ours_total}, tracemalloc {theirs_total}")
for line in sorted(set(theirs_lines) | set(ours_lines)):
    t, o = theirs_lines.get(line, 0), ours_lines.get(line, 0)
    check.check(abs(t - o) <= t / 100, f"line {line}: arrdbg {o}, tracemalloc {t}")
check.check(len(theirs_lines) >= 10, f"lines seen by tracemalloc: {sorted(theirs_lines)}")
check.done()
