# bench.py - timings of the gdb plugin (make bench-gdb), run inside
# `gdb -nx -batch -x bench.py build/tests/gdb/many`.  Prints, for each
# command, the best of 5 runs in wall-clock and in gdb's CPU time (user +
# system: steadier when other jobs share the machine) and the ratio of the
# wall time to the target (ratio < 1: within target).
import time

import gdb

REPEAT = 5


def timed(command):
    best_wall = best_cpu = None
    for _ in range(REPEAT):
        wall, cpu = time.perf_counter(), time.process_time()
        out = gdb.execute(command, to_string=True)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        best_wall = wall if best_wall is None else min(best_wall, wall)
        best_cpu = cpu if best_cpu is None else min(best_cpu, cpu)
    return best_wall, best_cpu, out


gdb.execute("set pagination off", to_string=True)
gdb.execute("break arrdbg_spot", to_string=True)
gdb.execute("run", to_string=True)
gdb.execute("frame 1", to_string=True)
rows = []
for label, command, target in (
        ("print 1,000,000-element 1-D array", "print big", 0.1),
        ("print 1000x1000 array", "print big2d", 0.1),
        ("arr list, 100,002 live arrays", "arr list", 0.5),
        ("arr leaks, 100,002 live arrays", "arr leaks", 0.5)):
    wall, cpu, out = timed(command)
    rows.append((label, wall, cpu, target, len(out)))
for label, wall, cpu, target, size in rows:
    print("bench-gdb: %-36s %7.3f s (cpu %.3f s)  target %.1f s  ratio %.2f  (%d chars)"
          % (label, wall, cpu, target, wall / target, size))
gdb.execute("kill", to_string=True)
