# bench.py - timings of the gdb plugin (make bench-gdb), run inside
# `gdb -nx -batch -x bench.py build/tests/gdb/many`.  Prints each time and
# its ratio to the target in the issue (ratio < 1: within target).
import time

import gdb


def timed(command, repeat=3):
    best = None
    for _ in range(repeat):
        start = time.perf_counter()
        out = gdb.execute(command, to_string=True)
        spent = time.perf_counter() - start
        best = spent if best is None else min(best, spent)
    return best, out


gdb.execute("set pagination off", to_string=True)
gdb.execute("break arrdbg_spot", to_string=True)
gdb.execute("run", to_string=True)
gdb.execute("frame 1", to_string=True)
rows = []
for label, command, target in (
        ("print 1,000,000-element 1-D array", "print big", 0.1),
        ("print 1000x1000 array", "print big2d", 0.1),
        ("arr list, 100,002 live arrays", "arr list", 1.0),
        ("arr leaks, 100,002 live arrays", "arr leaks", 1.0)):
    spent, out = timed(command)
    rows.append((label, spent, target, len(out)))
for label, spent, target, size in rows:
    print("bench-gdb: %-36s %7.3f s  target %.1f s  ratio %.2f  (%d chars)"
          % (label, spent, target, spent / target, size))
gdb.execute("kill", to_string=True)
