"""bench/np_many.py N - N small NumPy arrays live at once (the `make bench`
rows for arrdbg at 10^5 and 10^6 live arrays): a list of N 8-element
arrays, each made by a copy, a cast or arithmetic, plus a view of every
tenth one; then they are dropped."""
import sys

import numpy as np


def main(n):
    base = np.arange(8.0)
    keep = []
    views = []
    for i in range(n):
        a = base + i
        keep.append(a)
        if i % 10 == 0:
            views.append(a[2:6])
    total = float(sum(float(v[0]) for v in views[:1000]))
    del keep, views
    print(total)


if __name__ == "__main__":
    main(int(sys.argv[1]))
