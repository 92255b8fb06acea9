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


def _cpu_rss(argv, env, cwd):
    """(CPU seconds, peak RSS in kB) of one run, from its own rusage (wait4:
    RUSAGE_CHILDREN's maxrss would be the largest of all children)."""
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
                         cwd=cwd)
    err = p.stderr.read()
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        raise RuntimeError("%s exited %d: %s" % (" ".join(argv[:4]), p.returncode,
                                                 err.decode(errors="replace").strip()[-200:]))
    return ru.ru_utime + ru.ru_stime, ru.ru_maxrss


def bench_many_arrays(report, cfg, tree):
    """Issue 24: 10^6 live small arrays (bench/np_many.py) under `python3 -m
    arrdbg run` against the plain run, CPU and peak RSS, side by side
    (interleaved, median of the ratios); and how arrdbg's CPU grows from
    10^5 to 10^6 live arrays (flat cost: at most 12x for 10x the arrays)."""
    reps = 3 if cfg.quick else 5
    script = os.path.join(tree, "bench", "np_many.py")
    env = dict(os.environ, PYTHONPATH=os.path.join(cfg.build_abs, "python"))
    runs = {}
    try:
        for n in (100_000, 1_000_000):
            sides = {"plain": [PYTHON, script, str(n)],
                     "arrdbg": [PYTHON, "-m", "arrdbg", "run", "--quiet", script, str(n)]}
            for rep in range(reps):
                names = list(sides) if rep % 2 == 0 else list(reversed(list(sides)))
                for name in names:
                    runs.setdefault((name, n), []).append(_cpu_rss(sides[name], env, tree))
    except (RuntimeError, OSError) as exc:
        report.failed_row("10^6 live arrays: python3 -m arrdbg run vs plain", exc,
                          "<= 1.5x CPU and peak RSS")
        return
    report.data["numpy_many_arrays"] = {"%s %d" % k: v for k, v in runs.items()}

    def med(name, n, i):
        return statistics.median(r[i] for r in runs[(name, n)])

    def ratio(n, i):
        return statistics.median(a[i] / b[i] for a, b in zip(runs[("arrdbg", n)],
                                                              runs[("plain", n)]))

    big = 1_000_000
    r = ratio(big, 0)
    report.row("10^6 live small arrays (bench/np_many.py, CPU): arrdbg vs plain", "arrdbg",
               med("arrdbg", big, 0), "plain", med("plain", big, 0), "%.2f arrdbg/plain" % r, r,
               "arrdbg <= 1.5x plain", r <= 1.5)
    r = ratio(big, 1)
    report.row("10^6 live small arrays (peak RSS): arrdbg vs plain",
               "arrdbg %.0f MB" % (med("arrdbg", big, 1) / 1024), None,
               "plain %.0f MB" % (med("plain", big, 1) / 1024), None, "%.2f arrdbg/plain" % r, r,
               "arrdbg <= 1.5x plain", r <= 1.5)
    g = med("arrdbg", big, 0) / med("arrdbg", 100_000, 0)
    report.row("arrdbg run, 10^5 -> 10^6 live arrays (CPU)", "10^6", med("arrdbg", big, 0),
               "10^5", med("arrdbg", 100_000, 0), "%.1fx for 10x the arrays" % g, g,
               "<= 12x", g <= 12)
    print("  many arrays: " + ", ".join("%s %d: %.2fs %.0f MB" % (k[0], k[1], med(k[0], k[1], 0),
                                                                    med(k[0], k[1], 1) / 1024)
                                        for k in sorted(runs)), flush=True)
