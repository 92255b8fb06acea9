"""bench/np_tools.py - `make bench` rows for arrdbg's NumPy handler: the same
array-heavy script (bench/np_workload.py) plain, under `python3 -m arrdbg
run`, under tracemalloc (-X tracemalloc) and, when Debian's
python3-memory-profiler is installed, under `python3 -m memory_profiler`.
Goal (issue 18): arrdbg <= 1.3x the plain run, in CPU time (user + system
of each run, median ratio of interleaved runs).  Called by run_bench.py."""
import os
import statistics
import subprocess
import resource

PYTHON = "/usr/bin/python3"


def _timed(argv, env, cwd):
    """CPU seconds (user + system) of one run: steadier than wall time on a
    shared machine, and the same thing for every side."""
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    p = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=cwd)
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    if p.returncode != 0:
        raise RuntimeError("%s exited %d: %s" % (" ".join(argv[:4]), p.returncode,
                                                 p.stderr.strip()[-200:]))
    return t


def bench_numpy_tools(report, cfg, tree):
    rounds = "60" if cfg.quick else "200"
    reps = 3 if cfg.quick else 5
    script = os.path.join(tree, "bench", "np_workload.py")
    env = dict(os.environ, PYTHONPATH=os.path.join(cfg.build_abs, "python"))
    sides = {
        "plain": [PYTHON, script, rounds],
        "arrdbg": [PYTHON, "-m", "arrdbg", "run", "--quiet", script, rounds],
        "tracemalloc": [PYTHON, "-X", "tracemalloc=1", script, rounds],
    }
    have_mp = subprocess.run([PYTHON, "-c", "import memory_profiler"],
                             capture_output=True).returncode == 0
    if have_mp:
        sides["memory_profiler"] = [PYTHON, "-m", "memory_profiler", script, rounds]
    else:
        report.notes.append("memory_profiler (python3-memory-profiler) is not installed: "
                            "its NumPy row is skipped.")
    goal = "arrdbg <= 1.3x plain"
    times = {k: [] for k in sides}
    try:
        for rep in range(reps):  # interleaved, rotating the order
            names = list(sides)
            for k in range(len(names)):
                name = names[(rep + k) % len(names)]
                times[name].append(_timed(sides[name], env, tree))
    except (RuntimeError, OSError) as exc:
        report.failed_row("NumPy script: python3 -m arrdbg run vs plain", exc, goal)
        return
    med = {k: statistics.median(v) for k, v in times.items()}
    report.data["numpy_tools"] = times

    def ratio(a):
        return statistics.median(x / y for x, y in zip(times[a], times["plain"]))

    label = "NumPy script (%s rounds, CPU time)" % rounds
    r = ratio("arrdbg")
    report.row("%s: python3 -m arrdbg run vs plain" % label, "arrdbg", med["arrdbg"], "plain",
               med["plain"], "%.2f arrdbg/plain" % r, r, goal, r <= 1.3)
    for tool in ("tracemalloc", "memory_profiler"):
        if tool in med:
            report.row("%s: %s vs plain" % (label, tool), tool, med[tool], "plain", med["plain"],
                       "%.2f %s/plain" % (ratio(tool), tool), ratio(tool), "(reference)", None)
    print("  numpy tools: " + ", ".join("%s %.2fs" % (k, v) for k, v in med.items()), flush=True)
