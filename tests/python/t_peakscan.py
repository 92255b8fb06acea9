"""The near-peak scan describes the peak itself: its peak event is the
report's peak event and it saw the peak's bytes but for the array whose
free ended the peak (the scan runs at the next call), including a view
that pinned a base only around the peak; the arrays live at the peak have
their dtype and shape even when freed since, and np.load's array its real
shape (NumPy sets it after making the buffer)."""
import os
import tempfile

import numpy as np

import arrdbg
import check

path = os.path.join(tempfile.mkdtemp(), "m.npy")
np.save(path, np.ones((1000, 600)))
a = np.random.rand(1000, 500)  # 4 MB
b = np.random.rand(1000, 620)  # 4.96 MB: the first scans happen before the peak
pin = np.random.rand(1000, 1000)[:10]  # 8 MB base held by a 80 kB view
m = np.load(path)  # @load
c = np.random.rand(1000, 300)  # the peak: a + b + pin's base + m + c  # @c
del c  # the peak ends: a scan is asked for, and runs at the next call
d = np.random.rand(100, 100)
del a, b, pin, m  # all freed after the peak

data = arrdbg.report_data()
os.unlink(path)
near, peak = data["pins_near_peak"], data["peak"]
check.check(near is not None and near["peak_event"] == peak["event"],
            f"near-peak scan's peak event {near and near['peak_event']}, the peak's {peak['event']}")
check.check(near is not None and near["live_bytes"] >= peak["bytes"] - 2_400_000,
            f"near-peak scan saw {near and near['live_bytes']} of the peak's {peak['bytes']}")
check.check(near is not None and any(p["base_bytes"] == 8_000_000 for p in near["pins"]),
            f"near-peak pins: {near and near['pins']}")
# Every one has its shape, c too (freed before any scan saw it: t_peakend.py).
big = [x for x in peak["live"] if x["bytes"] >= 1_000_000]
check.check(len(big) == 5 and all(x["freed_since"] and x["shape"] and x["dtype"] == "float64" for x in big)
            and [x["shape"] for x in big if x["line"] == check.marker_line("c")] == [[1000, 300]],
            f"the peak's big arrays: {big}")
load = [x for x in big if x["line"] == check.marker_line("load")]
check.check([x["shape"] for x in load] == [[1000, 600]], f"np.load's shape: {load}")
check.done()
