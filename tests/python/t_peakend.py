"""The arrays live at the peak have their dtype and shape in the peak list
even when they are freed before any scan saw them: the array whose free
ends the peak (`del c`: the near-peak scan runs only at the next call), and
a function's locals freed together by its return, right after the largest
of them made the peak.  The expected shapes and dtypes are NumPy's own."""
import numpy as np

import arrdbg
import check

# Scans run when the live total first passes 1 MiB and then each time it
# grows by a quarter: a (4 MB) is seen by one; c (0.8 MB more) stays below
# the next (5 MB).
a = np.random.rand(1000, 500)
c = np.random.rand(100, 1000)  # the peak  # @c
want_c = (list(c.shape), str(c.dtype))
del c  # ends the peak before any scan could see c
x = np.ones(10)
first = arrdbg.report_data()["peak"]


def work():
    p = np.random.rand(700, 1000)  # 9.6 MB live: a scan sees p  # @p
    q = np.zeros((20, 30, 1700), np.int16)  # the new peak, below the next scan (12 MB)  # @q
    return (list(p.shape), str(p.dtype)), (list(q.shape), str(q.dtype))


want_p, want_q = work()  # both freed by the return
y = np.ones(10)
second = arrdbg.report_data()["peak"]


def shape_of(peak, marker):
    rows = [r for r in peak["live"] if r["line"] == check.marker_line(marker)]
    return [(r["shape"], r["dtype"]) for r in rows]


check.check(first["event"] != second["event"], f"two peaks: {first['event']}, {second['event']}")
check.check(shape_of(first, "c") == [want_c], f"the peak-ending array: {shape_of(first, 'c')}, "
            f"NumPy says {want_c}")
check.check(shape_of(second, "q") == [want_q], f"the peak's array freed by return: "
            f"{shape_of(second, 'q')}, NumPy says {want_q}")
check.check(shape_of(second, "p") == [want_p], f"a local freed with it: {shape_of(second, 'p')}, "
            f"NumPy says {want_p}")
check.done()
