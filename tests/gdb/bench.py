# bench.py - timings of the gdb plugin (make bench-gdb), run inside
# `gdb -nx -batch -x bench.py build/tests/gdb/many`.  Prints, for each
# command, the best of N runs in wall-clock and in gdb's CPU time (user +
# system: steadier when other jobs share the machine), the ratio of the
# wall time to the target (ratio < 1: within target) and the load average
# (timings on a busy machine are noisy: compare CPU times).
# The `unlimited` rows compare the plugin with gdb's own print of the same
# elements as a C array (target: the plugin's time <= gdb's own), best of
# three each, interleaved.
import os
import time

import gdb


def timed(command, repeat):
    best_wall = best_cpu = None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        out = gdb.execute(command, to_string=True)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        best_wall = wall if best_wall is None else min(best_wall, wall)
        best_cpu = cpu if best_cpu is None else min(best_cpu, cpu)
    return best_wall, best_cpu, out


gdb.execute("set pagination off", to_string=True)
gdb.execute("set width 0", to_string=True)
gdb.execute("break arrdbg_spot", to_string=True)
gdb.execute("run", to_string=True)
gdb.execute("frame 1", to_string=True)
rows = []
for label, command, target, repeat in (
        ("print 1,000,000-element 1-D array", "print big", 0.05, 5),
        ("print 1000x1000 array", "print big2d", 0.05, 5),
        ("print 120x120x120 float64 array", "print big3", 0.05, 5),
        ("print (2,)*32 broadcast view", "print deep", 0.05, 5),
        ("arr list, 100,004 live arrays", "arr list", 0.25, 5),
        ("arr leaks, 100,004 live arrays", "arr leaks", 0.25, 5)):
    wall, cpu, out = timed(command, repeat)
    rows.append((label, wall, cpu, target, len(out)))
gdb.execute("set print elements unlimited", to_string=True)
gdb.execute("set max-value-size unlimited", to_string=True)
for label, ours, theirs in (
        ("print *big, unlimited (1e6 elements)", "print *big",
         "print *(double (*)[1000000]) big->data"),
        ("print *big2d, unlimited (1e6 elements)", "print *big2d",
         "print *(double (*)[1000][1000]) big2d->data")):
    # Interleaved (plugin, gdb, gdb, plugin, ...): a change of load
    # between the two falls on both.
    best = {ours: (None, None, None), theirs: (None, None, None)}
    for rep in range(3):
        for command in ((ours, theirs) if rep % 2 == 0 else (theirs, ours)):
            wall, cpu, out = timed(command, 1)
            old_wall, old_cpu, _ = best[command]
            best[command] = (wall if old_wall is None else min(wall, old_wall),
                             cpu if old_cpu is None else min(cpu, old_cpu), out)
    wall, cpu, out = best[ours]
    gwall, gcpu, gout = best[theirs]
    rows.append((label, wall, cpu, gwall, len(out)))
    rows.append(("  gdb's own print of the same elements", gwall, gcpu, gwall, len(gout)))
load = os.getloadavg()
for label, wall, cpu, target, size in rows:
    print("bench-gdb: %-40s %8.4f s (cpu %.4f s)  target %.3f s  ratio %.2f  (%d chars)"
          % (label, wall, cpu, target, wall / target, size))
print("bench-gdb: load average %.2f %.2f %.2f (2 shared cores: a busy machine inflates wall times)" % load)
gdb.execute("kill", to_string=True)
