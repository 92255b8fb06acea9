#!/usr/bin/env python3
"""scale_bench.py [--build DIR] [--quick] - the scale rows of issues 13 and
23 for `make bench`: the cost of arrcheck's bookkeeping as it grows.

  1. 2M loads/stores while 20,000 orphaned views exist, vs 0 (the access
     loop alone, timed inside the program)      goal: <= 1.5x
  2. 4,000 orphans, the same run under arrcheck vs memcheck
                                                goal: <= 1x memcheck
  3. 10^6 distinct ARRCHECK_IGNORE_RANGE requests (and as many removals)
                                                goal: <= 5 s
  4. owners freed while their views live: 2x10^5 and 10^6
                                                goal: linear, 10^6 <= 10 s
  5. 10^6 heap blocks live at exit, 10^5 of them arrays (malloc replaced,
     the leak scan over the heap, issue 23): arrcheck vs memcheck
                                                goal: <= 1x memcheck
Each number is the median of 3 runs (1 for the 10^6 rows); wall and user
CPU seconds and the load average are printed: the machine may be shared,
so wall times are noisy.  A benchmark, never a test: it does not fail on
a number.  Writes BUILD/bench/arrcheck_scale.md too.
"""
import argparse
import os
import re
import resource
import statistics
import subprocess
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TREE = os.path.dirname(os.path.dirname(HERE))


def load():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def run(argv):
    """(wall seconds, user+sys CPU seconds of children, stdout)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    out = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                         cwd=TREE).stdout
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, out


def median_of(n, fn):
    vals = [fn() for _ in range(n)]
    return tuple(statistics.median(v[i] for v in vals) for i in range(len(vals[0])))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(TREE, "build"))
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    prog = os.path.join(os.path.abspath(args.build), "tests", "valgrind", "req_scale")
    arrgrind = [os.path.join(TREE, "valgrind", "arrgrind"), "-q"]
    memcheck = ["valgrind", "-q", "--tool=memcheck"]
    big = 100000 if args.quick else 1000000
    small = big // 5
    reps = 1 if args.quick else 3
    rows = []
    start_load = load()

    def loop_time(n):
        out = run(arrgrind + [prog, "orphans", str(n), "2000000"])[2]
        m = re.search(r"loop ([\d.]+) s", out)
        return (float(m.group(1)) if m else float("nan"),)

    (t0,) = median_of(reps, lambda: loop_time(0))
    (t1,) = median_of(reps, lambda: loop_time(20000))
    rows.append(("2M loads/stores, 20,000 orphans vs 0 (loop only)",
                 f"{t1:.3f} s vs {t0:.3f} s", f"{t1 / t0:.2f}x", "<= 1.5x"))
    a = median_of(reps, lambda: run(arrgrind + [prog, "orphans", "4000", "2000000"])[:2])
    m = median_of(reps, lambda: run(memcheck + [prog, "orphans", "4000", "2000000"])[:2])
    rows.append(("4,000 orphans, whole run: arrcheck vs memcheck",
                 f"{a[0]:.2f} s (cpu {a[1]:.2f}) vs {m[0]:.2f} s (cpu {m[1]:.2f})",
                 f"{a[0] / m[0]:.2f}x", "<= 1x"))
    w = run(arrgrind + [prog, "ignore", str(big)])[:2]
    rows.append((f"{big:,} IGNORE_RANGE requests (+ removals)", f"{w[0]:.2f} s (cpu {w[1]:.2f})",
                 "", "<= 5 s" if big == 1000000 else "(quick)"))
    s = run(arrgrind + [prog, "freed", str(small)])[:2]
    b = run(arrgrind + [prog, "freed", str(big)])[:2]
    rows.append((f"owners freed with live views: {small:,} vs {big:,}",
                 f"{s[0]:.2f} s (cpu {s[1]:.2f}) vs {b[0]:.2f} s (cpu {b[1]:.2f})",
                 f"{b[1] / s[1]:.2f}x cpu for 5x the owners",
                 "linear; 10^6 <= 10 s" if big == 1000000 else "linear (quick)"))
    a = median_of(reps, lambda: run(arrgrind + [prog, "blocks", str(big)])[:2])
    m = median_of(reps, lambda: run(memcheck + ["--leak-check=full", prog, "blocks", str(big)])[:2])
    rows.append((f"{big:,} heap blocks at exit ({big // 10:,} arrays): arrcheck vs memcheck",
                 f"{a[0]:.2f} s (cpu {a[1]:.2f}) vs {m[0]:.2f} s (cpu {m[1]:.2f})",
                 f"{a[0] / m[0]:.2f}x", "<= 1x memcheck"))
    end_load = load()

    lines = [f"arrcheck scale (issue 13); load average {start_load} at start, {end_load} at end",
             "", "| case | measured | ratio | goal |", "|---|---|---|---|"]
    lines += [f"| {r[0]} | {r[1]} | {r[2]} | {r[3]} |" for r in rows]
    text = "\n".join(lines)
    print(text)
    outdir = os.path.join(os.path.abspath(args.build), "bench")
    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, "arrcheck_scale.md"), "w") as f:
        f.write(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
