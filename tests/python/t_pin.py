"""The classic memory_intensive_function: a big array, a copy, del, a small
slice returned.  The peak is both big arrays; at exit the slice pins the
copy's whole buffer, reported with both lines and the fraction used."""
import numpy as np

import arrdbg
import check


def memory_intensive_function():
    a = np.random.rand(600, 500)  # @a
    b = a.copy()  # @b
    del a  # @del
    c = b[1:60, 1:50]  # @c
    return c


c = memory_intensive_function()
n = np.ones(10)
d = arrdbg.report_data()
big = 600 * 500 * np.dtype(np.float64).itemsize

check.check(d["peak"]["bytes"] >= 2 * big, f"peak {d['peak']['bytes']} < both arrays {2 * big}")
peak_lines = sorted(a["line"] for a in d["peak"]["live"] if a["bytes"] == big)
check.check(peak_lines == [check.marker_line("a"), check.marker_line("b")],
            f"live at peak: {d['peak']['live']}")
freed = check.line_entry(d, __file__, check.marker_line("del"))
check.check(freed is not None and freed["freed"] == big, f"del line: {freed}")
pins = d["pins_at_exit"]
check.check(len(pins) == 1, f"pins at exit: {pins}")
if pins:
    p = pins[0]
    check.check(p["base_line"] == check.marker_line("b") and p["base_bytes"] == big
                and p["base_op"] == "copy", f"base: {p}")
    v = p["views"][0]
    check.check(v["line"] == check.marker_line("c") and v["bytes"] == c.nbytes and v["holder"] == "c",
                f"view: {v}")
    check.check(p["used_bytes"] == c.nbytes, f"used {p['used_bytes']} != {c.nbytes}")
    from arrdbg._text import pin_message
    msg = pin_message(p)
    check.check(f"made at line {check.marker_line('c')}" in msg and
                f"base made at line {check.marker_line('b')}" in msg, msg)
# Holding the owner too: no longer pinned by the view alone.
keep = c.base
d2 = arrdbg.report_data()
check.check(d2["pins_at_exit"] == [], f"owner held by `keep`, still reported: {d2['pins_at_exit']}")


def local_view():
    big = np.zeros((400, 500))  # @big
    v = big[:10, :10]  # @localview
    del big
    inner = arrdbg.report_data()["pins_at_exit"]
    return [(p["base_line"], [x["line"] for x in p["views"]]) for p in inner], v


found, v = local_view()

# At the peak: a view pinning a base while something else pushes the total up.
big2 = np.zeros(600_000)  # @big2
v2 = big2[:100]  # @v2
del big2
push = np.ones(1_200_000)  # @push
check.marker_line("push")  # a Python call: the pending peak scan runs here
near = arrdbg.report_data()["pins_near_peak"]
check.check(near is not None and any(
    p["base_line"] == check.marker_line("big2") and
    [x["line"] for x in p["views"]] == [check.marker_line("v2")] for p in near["pins"]),
    f"near the peak: {near}")
check.check(near is not None and near["event"] >= near["peak_event"], f"scan before the peak: {near}")
check.check((check.marker_line("big"), [check.marker_line("localview")]) in found,
            f"a view held by a function's local variable: {found}")
check.done()
