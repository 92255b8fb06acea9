"""Arrays made where NumPy's handler context variable is fresh -- a thread
started with _thread.start_new_thread, the inside of
contextvars.Context().run() -- are recorded, on their lines: the same
bytes per line as tracemalloc's NumPy domain."""
import _thread
import contextvars
import tracemalloc

import numpy as np

import check
from arrdbg import _arrdbg

tracemalloc.start(40)
since = _arrdbg.stats()["seq"]
kept = []
done = _thread.allocate_lock()
done.acquire()


def in_thread():
    kept.append(np.ones(4000) * 3)  # @thread
    done.release()


def in_context():
    kept.append(np.arange(9000.0) + 1)  # @context


_thread.start_new_thread(in_thread, ())
done.acquire()
contextvars.Context().run(in_context)

theirs = check.tracemalloc_by_line(__file__)
ours = check.live_by_line(__file__, since)
for mk in ("thread", "context"):
    line = check.marker_line(mk)
    check.check(theirs.get(line, 0) > 0 and ours.get(line, 0) == theirs.get(line),
                f"@{mk}: arrdbg {ours.get(line, 0)}, tracemalloc {theirs.get(line, 0)}")
check.done()
