#!/usr/bin/python3
"""bench/dask_bench.py - `make bench` row for arrdbg.dask: the same
dask.array workload on two LocalCluster(processes=True, n_workers=2)
clusters made alike, one plain and one with arrdbg.dask.enable(), timed in
interleaved rounds (wall time of compute(); the order alternates each
round).  Goal (issue 26): arrdbg <= 1.1x the plain cluster, median of the
per-round ratios.  Also prices one arrdbg.dask.report() of the cluster.

    bench/dask_bench.py [--build DIR] [--quick]

Writes DIR/bench/dask.md and dask.json."""
import argparse
import json
import os
import statistics
import sys
import time

GOAL = 1.1


def workload(n, split, rechunk):
    """random chunks (split x split of them), an add, a transpose-rechunk
    (copies) when rechunk, a reduction."""
    import dask.array as da
    x = da.random.random((n, n), chunks=(n // split, n // split))
    y = (x + 1).T.rechunk((n // (split // 2), n // (split * 2))) if rechunk else x + 1
    return (y * 2).mean(axis=0).sum()


# (what, n, split, rechunk): big chunks, then many small tasks (the per-task cost).
CASES = [("4000x4000, 64 chunks of 2 MB, rechunked", 4000, 8, True),
         ("2000x2000, 625 chunks of 51 kB", 2000, 25, False)]
QUICK = [("2000x2000, 64 chunks of 500 kB, rechunked", 2000, 8, True)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    build = os.path.join(root, args.build) if not os.path.isabs(args.build) else args.build
    sys.path.insert(0, os.path.join(build, "python"))
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [os.path.join(build, "python")] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p])
    import arrdbg.dask
    from distributed import Client, LocalCluster

    rounds = 4 if args.quick else 9
    kw = dict(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
              dashboard_address="127.0.0.1:0")
    rows = []
    print("arrdbg.dask (median of %d interleaved rounds, wall time of compute()):" % rounds)
    with LocalCluster(**kw) as c0, Client(c0) as plain, \
            LocalCluster(**kw) as c1, Client(c1) as traced:
        arrdbg.dask.enable(traced, directory=os.path.join(build, "bench", "dask-finals"))
        clients = {"plain": plain, "arrdbg": traced}
        for what, n, split, rechunk in (QUICK if args.quick else CASES):
            times = {"plain": [], "arrdbg": []}
            for side in clients.values():  # warm: imports, pools
                workload(n // 4, split, rechunk).compute(scheduler=side.get)
            for r in range(rounds):
                order = ["plain", "arrdbg"] if r % 2 == 0 else ["arrdbg", "plain"]
                for name in order:
                    t0 = time.perf_counter()
                    workload(n, split, rechunk).compute(scheduler=clients[name].get)
                    times[name].append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            arrdbg.dask.report_data(traced)
            t_report = time.perf_counter() - t0
            ratios = [b / a for a, b in zip(times["plain"], times["arrdbg"])]
            ratio = statistics.median(ratios)
            med = {k: statistics.median(v) for k, v in times.items()}
            row = {"name": f"dask.array {what}, 2 workers", "plain_s": med["plain"],
                   "arrdbg_s": med["arrdbg"], "ratio": ratio, "goal": GOAL, "met": ratio <= GOAL,
                   "rounds": rounds, "ratios": ratios, "report_s": t_report,
                   "load": os.getloadavg()[0]}
            rows.append(row)
            print(f"  {row['name']:<52} plain {med['plain']:.3f} s  arrdbg {med['arrdbg']:.3f} s  "
                  f"{ratio:.2f}x (goal <= {GOAL}x: {'met' if row['met'] else 'NOT met'}); "
                  f"report() {t_report:.3f} s", flush=True)
    os.makedirs(os.path.join(build, "bench"), exist_ok=True)
    with open(os.path.join(build, "bench", "dask.json"), "w") as f:
        json.dump(rows, f, indent=1)
    with open(os.path.join(build, "bench", "dask.md"), "w") as f:
        f.write("| workload | plain | arrdbg.dask | ratio | goal | report() |\n|--|--|--|--|--|--|\n")
        for row in rows:
            f.write(f"| {row['name']} | {row['plain_s']:.3f} s | {row['arrdbg_s']:.3f} s | "
                    f"{row['ratio']:.2f}x | <= {GOAL}x {'met' if row['met'] else 'NOT met'} | "
                    f"{row['report_s']:.3f} s |\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
