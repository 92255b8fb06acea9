"""A program that sets its own NumPy data handler after arrdbg is installed
(own_handler_ext.c: one that calls the C library itself, chaining to no
other), in the main thread and in a thread started later: arrdbg's handler
chains to it there, so those arrays are recorded (the same bytes per line
as tracemalloc's NumPy domain) and the program's handler still makes and
frees every one of them, under its own name; a thread with no handler of
its own keeps NumPy's default."""
import threading
import tracemalloc

import numpy as np

import check
import own_handler_ext
from arrdbg import _arrdbg

name = np.core.multiarray.get_handler_name
tracemalloc.start(40)
since = _arrdbg.stats()["seq"]
# NumPy's C-API table is writable data here (install checks the mapping
# before it puts its hook there).
check.check(_arrdbg.stats()["handler_hook"] == 1,
            "install hooked PyDataMem_SetHandler in NumPy's C-API table")
kept, names, calls = [], {}, {}


def made(key, fn):
    """fn() with the program's handler calls and arrdbg's allocations it made."""
    c0, s0 = own_handler_ext.counts(), _arrdbg.stats()
    fn()
    c1, s1 = own_handler_ext.counts(), _arrdbg.stats()
    calls[key] = (c1[0] - c0[0], s1["allocs"] - s0["allocs"])


def main_own():
    own_handler_ext.set()
    names["main"] = name()
    kept.append(np.ones(5000) * 2)  # @main


def thread_own():
    own_handler_ext.set()
    names["thread_own"] = name()
    kept.append(np.arange(7000.0) + 1)  # @thread_own


def thread_default():
    names["thread_default"] = name()
    kept.append(np.zeros(3000) + 5)  # @thread_default


for key, fn in (("thread_own", thread_own), ("thread_default", thread_default)):
    t = threading.Thread(target=made, args=(key, fn))
    t.start()
    t.join(60)
made("main", main_own)

theirs = check.tracemalloc_by_line(__file__)
ours = check.live_by_line(__file__, since)
for mk in ("main", "thread_own", "thread_default"):
    line = check.marker_line(mk)
    check.check(theirs.get(line, 0) > 0 and ours.get(line, 0) == theirs.get(line),
                f"@{mk}: arrdbg {ours.get(line, 0)}, tracemalloc {theirs.get(line, 0)}")
check.check(names == {"main": "own_handler", "thread_own": "own_handler",
                      "thread_default": "default_allocator"}, f"handler names: {names}")
for key in ("main", "thread_own"):
    theirs_n, ours_n = calls[key]
    check.check(theirs_n == ours_n > 0, f"{key}: the program's handler made {theirs_n} buffers, "
                f"arrdbg recorded {ours_n}")
check.check(calls["thread_default"][0] == 0 and calls["thread_default"][1] > 0,
            f"thread_default: {calls['thread_default']}")
a0, f0 = own_handler_ext.counts()
del kept[:]
a1, f1 = own_handler_ext.counts()
check.check(f1 - f0 == 2, f"the program's handler freed {f1 - f0} of its 2 kept buffers")
check.done()
