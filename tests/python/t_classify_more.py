"""Ops the first classifier got wrong: the final result of a*2+1 (NumPy
reuses the temporary of a*2 for +1 when it is big) is arithmetic, not a
temporary; np.array of a Python list (objects included) is a creation, not
a copy; pandas' to_numpy is a copy (pandas makes it with np.empty)."""
import numpy as np
import pandas as pd

import arrdbg
import check

big = np.ones((600, 600))  # 2.9 MB: NumPy elides the temporary
small = np.ones(100)
c = big * 2 + 1  # @elided
d = small * 2 + 1  # @two
lst = np.array([1.0, 2.0, 3.0] * 100)  # @list
obj = np.array([object(), 1, "x"], dtype=object)  # @object
comp = np.array([i * 0.5 for i in range(300)])  # @comp
df = pd.DataFrame({"x": np.arange(1000.0), "y": np.arange(1000)})
v = df.to_numpy()  # @to_numpy
e = np.array(big)  # @copy

data = arrdbg.report_data()
kinds = {o["op"]: o["kind"] for o in data["ops"]}


def ops(mk):
    e = check.line_entry(data, __file__, check.marker_line(mk))
    return sorted(e["ops"]) if e else None


check.check(ops("elided") == ["arithmetic"], f"a*2+1 (elided): {ops('elided')}")
check.check(ops("two") == ["arithmetic", "temporary"], f"a*2+1 (small): {ops('two')}")
for mk in ("list", "object", "comp"):
    got = ops(mk)
    check.check(got == ["array(list)"] and kinds.get("array(list)") == "creation",
                f"@{mk}: {got} {kinds.get('array(list)')}")
check.check("to_numpy" in (ops("to_numpy") or []) and kinds.get("to_numpy") == "copy",
            f"to_numpy: {ops('to_numpy')} {kinds.get('to_numpy')}")
check.check(ops("copy") == ["array"] and kinds.get("array") == "copy", f"np.array(ndarray): {ops('copy')}")
check.done()
