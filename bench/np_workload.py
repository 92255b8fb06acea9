"""bench/np_workload.py [ROUNDS] - an array-heavy NumPy script for the
tool-overhead rows of `make bench` (plain, arrdbg, tracemalloc,
memory_profiler).  Copies, casts, arithmetic with temporaries, fancy and
boolean indexing, reductions on 1-8 MB arrays."""
import builtins
import sys

import numpy as np

profile = builtins.__dict__.get("profile", lambda f: f)  # memory_profiler's, when it runs us


@profile
def work(rounds):
    rng = np.random.default_rng(0)
    a = rng.random((500, 500))
    total = 0.0
    for i in range(rounds):
        b = a.copy()
        c = (b * 2.0 + 1.0) / 3.0
        d = c.astype(np.float32)
        e = np.ascontiguousarray(a.T)
        f = e[e > 0.5]
        g = a[::3, ::2][[1, 5, 9]]
        total += float(c.sum() + d.sum() + f.sum() + g.sum())
        a = np.sqrt(a + 0.01 * i)
    return total


if __name__ == "__main__":
    print(work(int(sys.argv[1]) if len(sys.argv) > 1 else 100))
