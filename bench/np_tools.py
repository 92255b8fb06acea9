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


def bench_arrgrind_python_stack(report, cfg, tree):
    """arrcheck (valgrind/arrgrind) on the NumPy script through `python3 -m
    arrdbg run`, with and without the Python stack of each error
    (--python-stack=yes|no).  The stack is read only when an error is
    recorded, so the goal (issue 28) is within 2% in CPU time."""
    import glob
    if not glob.glob(os.path.join(cfg.build_abs, "valgrind", "lib", "arrcheck-*")):
        report.notes.append("arrcheck is not built: the --python-stack row is skipped.")
        return
    rounds = "10" if cfg.quick else "40"
    reps = 3 if cfg.quick else 5
    script = os.path.join(tree, "bench", "np_workload.py")
    env = dict(os.environ, PYTHONPATH=os.path.join(cfg.build_abs, "python"),
               ARRDBG_BUILD=cfg.build_abs)
    tool = [os.path.join(tree, "valgrind", "arrgrind"), "-q", "--log-file=/dev/null"]
    run = [PYTHON, "-m", "arrdbg", "run", "--quiet", script, rounds]
    sides = {"with": tool + ["--python-stack=yes"] + run, "without": tool + ["--python-stack=no"] + run}
    goal = "with <= 1.02x without"
    times = {k: [] for k in sides}
    try:
        for rep in range(reps):
            for name in (("with", "without") if rep % 2 == 0 else ("without", "with")):
                times[name].append(_timed(sides[name], env, tree))
    except (RuntimeError, OSError) as exc:
        report.failed_row("arrgrind on the NumPy script: --python-stack=yes vs no", exc, goal)
        return
    report.data["arrgrind_python_stack"] = times
    r = statistics.median(x / y for x, y in zip(times["with"], times["without"]))
    med = {k: statistics.median(v) for k, v in times.items()}
    report.row("arrgrind python3 -m arrdbg run, NumPy script (%s rounds, CPU time): "
               "--python-stack=yes vs no" % rounds, "with", med["with"], "without", med["without"],
               "%.3f with/without" % r, r, goal, r <= 1.02)
    print("  arrgrind python stack: with %.2fs, without %.2fs" % (med["with"], med["without"]),
          flush=True)
