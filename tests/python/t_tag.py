"""Tags: arrdbg.tag(name) / arrdbg.set_tag(name) mark this thread's
allocations; each site carries the tag current when it was made, the
per-line rows carry it and by_tag sums it.  Per thread: another thread's
tag does not leak into this one's."""
import os
import threading

import numpy as np

import arrdbg
import check
from arrdbg import _arrdbg

with arrdbg.tag("load"):
    a = np.ones(10_000)  # @load
    with arrdbg.tag("inner"):
        b = np.ones(20_000)  # @inner
    c = np.ones(30_000)  # @load2
d = np.ones(40_000)  # @none

seen = {}


def worker():
    arrdbg.set_tag("thread")
    seen["t"] = np.zeros(5_000)  # @thread
    barrier.wait()
    barrier.wait()


barrier = threading.Barrier(2)
t = threading.Thread(target=worker)
t.start()
barrier.wait()  # the thread's tag is set now
e = np.zeros(7_000)  # @main
barrier.wait()
t.join()

check.check(arrdbg.set_tag("x") is None and arrdbg.set_tag(None) == "x", "set_tag returns the previous")
try:
    arrdbg.set_tag(3)
    check.check(False, "set_tag(3) accepted")
except TypeError:
    pass

data = arrdbg.report_data()
want = {"load": ("load", a.nbytes), "inner": ("inner", b.nbytes), "load2": ("load", c.nbytes),
        "none": (None, d.nbytes), "thread": ("thread", seen["t"].nbytes), "main": (None, e.nbytes)}
for mk, (tag, nbytes) in want.items():
    # np.ones also makes its 8-byte fill value on the line.
    rows = [r for r in data["lines"] if r["line"] == check.marker_line(mk)
            and r["file"] == os.path.abspath(__file__)]
    check.check([(r["tag"], r["allocated"] // 64) for r in rows] == [(tag, nbytes // 64)],
                f"@{mk}: rows {[(r['tag'], r['allocated']) for r in rows]}, want {(tag, nbytes)}")
bt = data["by_tag"]
check.check(bt.get("load", {}).get("allocated", 0) // 64 == (a.nbytes + c.nbytes) // 64,
            f"by_tag load: {bt.get('load')}")
check.check(bt.get("inner", {}).get("allocated", 0) // 64 == b.nbytes // 64,
            f"by_tag inner: {bt.get('inner')}")
check.check(set(bt) == {"load", "inner", "thread", "x"} or set(bt) == {"load", "inner", "thread"},
            f"tags: {sorted(bt)}")
tags = {s[13] for s in _arrdbg.sites()}
check.check({"load", "inner", "thread", None} <= tags, f"site tags: {tags}")
check.done()
