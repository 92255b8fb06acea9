"""pandas: frames, group-bys, rolling windows and to_numpy allocate inside
pandas; the bytes are charged to the user's lines."""
import numpy as np
import pandas as pd

import check
import libshare

rng = np.random.default_rng(0)
df = pd.DataFrame(rng.random((200_000, 8)), columns=list("abcdefgh"))
df["k"] = rng.integers(0, 50, len(df))
g = df.groupby("k").mean()
r = df["a"].rolling(20).mean()
df2 = df * 2 + 1
arr = df.to_numpy()  # @to_numpy
s = df.sort_values("b")

d = libshare.check_share(__file__)
t = libshare.row(d, __file__, "to_numpy")
check.check(t is not None and t["allocated"] >= arr.nbytes, f"to_numpy row: {t}")
check.done()
