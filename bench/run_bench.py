"""Runs `make bench`: one table of ratios, then the scaling tables and a plot.

    /usr/bin/python3 bench/run_bench.py --build build [--quick]

Every ratio compares two things measured side by side in this run: the two
sides are separate long-lived processes (arrbench serve, np_server.py, ...)
asked in turn, the order rotating each repetition so drift and warm-up
effects fall on both sides alike.  A row reports the median of the
repetitions of each side.  Goals are stated and judged, never enforced: the
exit status is 0 whatever the numbers (non-zero only if the harness itself
cannot run).

Writes <build>/bench/results.md, results.json and copy_throughput.svg.
"""
import argparse
import datetime
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
TREE = os.path.dirname(HERE)
PYTHON = sys.executable


class BenchError(Exception):
    """A side of a measurement failed; the row says so instead of a number."""


# ---- the timing servers ---------------------------------------------------

def _server_cpu():
    """The one CPU every server runs on: the sides of a ratio then take
    turns on the same CPU, so a CPU that is slower for a while (a busy
    hyperthread sibling, another tenant of the host) slows both sides, not
    whichever process the scheduler happened to leave there.  The servers
    answer one request at a time, so sharing a CPU costs them nothing."""
    try:
        return min(os.sched_getaffinity(0))
    except (AttributeError, OSError, ValueError):
        return None


SERVER_CPU = _server_cpu()


def _pin_to_server_cpu():
    if SERVER_CPU is not None:
        try:
            os.sched_setaffinity(0, {SERVER_CPU})
        except OSError:
            pass


class Server:
    """A process speaking the arrbench serve protocol, on SERVER_CPU."""

    def __init__(self, label, argv):
        self.label = label
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True, bufsize=1, cwd=TREE,
                                     preexec_fn=_pin_to_server_cpu)

    def ask(self, line):
        try:
            self.proc.stdin.write(line + "\n")
            self.proc.stdin.flush()
            answer = self.proc.stdout.readline().strip()
        except (BrokenPipeError, OSError) as exc:
            raise BenchError("%s: %s" % (self.label, exc))
        if not answer:
            raise BenchError("%s exited (status %s)" % (self.label, self.proc.poll()))
        if not answer.startswith("ok "):
            raise BenchError("%s: %s" % (self.label, answer))
        return answer.split()[1:]

    def run(self, case, p1, p2, iters):
        """Seconds per call, over iters calls."""
        return float(self.ask("run %s %d %d %d" % (case, p1, p2, iters))[0]) / iters

    def check(self, case, p1, p2):
        return [float(v) for v in self.ask("check %s %d %d" % (case, p1, p2))]

    def close(self):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.write("quit\n")
                self.proc.stdin.close()
                self.proc.wait(timeout=30)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()


class Side:
    """One side of a comparison: a server and the request it answers."""

    def __init__(self, server, case, p1=0, p2=0):
        self.server, self.case, self.p1, self.p2 = server, case, p1, p2
        self.iters = 1

    def once(self):
        return self.server.run(self.case, self.p1, self.p2, self.iters)

    def calibrate(self, target):
        """Picks iterations so one timed run lasts about target seconds."""
        self.server.run(self.case, self.p1, self.p2, 1)  # builds inputs, warms up
        # Time batches growing tenfold until one lasts a tenth of the target:
        # a single call of a sub-microsecond case is dominated by its first
        # cache misses and would make the timed runs far too short.
        iters = 1
        while True:
            per_call = self.server.run(self.case, self.p1, self.p2, iters)
            if per_call * iters >= target / 10 or iters >= 10**6:
                break
            iters *= 10
        per_call = max(per_call, 1e-9)
        self.iters = max(1, min(10**7, int(target / per_call)))


def interleaved(sides, reps, target):
    """Median seconds per call of each side, runs interleaved round-robin."""
    for side in sides:
        side.calibrate(target)
    # One unrecorded round: right after servers start (or a case's inputs
    # are made) the kernel may still be compacting memory for huge pages,
    # which made first samples 10-30x slower in quick runs.
    for side in sides:
        side.once()
    samples = [[] for _ in sides]
    for rep in range(reps):
        for k in range(len(sides)):
            i = (rep + k) % len(sides)
            samples[i].append(sides[i].once())
    return [statistics.median(s) for s in samples], samples


def paired_ratio(samples, num, den):
    """Median over repetitions of samples[num][r] / samples[den][r]: the two
    runs of a repetition are adjacent in time, so a burst of load from other
    processes mostly hits both and cancels in their ratio."""
    return statistics.median(a / b for a, b in zip(samples[num], samples[den]))


# ---- formatting -----------------------------------------------------------

def fmt_time(seconds):
    if seconds is None:
        return "-"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if seconds >= scale:
            return "%.3g %s" % (seconds / scale, unit)
    return "%.3g ns" % (seconds / 1e-9)


def fmt_bytes(n):
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if n >= scale:
            return "%g %s" % (n / scale, unit)
    return "%d B" % n


def side_text(label, seconds):
    return label if seconds is None else "%s %s" % (label, fmt_time(seconds))


def table(headers, rows):
    """A plain-text table that is also valid Markdown."""
    cells = [[str(c) for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h)
              for i, h in enumerate(headers)]

    def line(values):
        return "| " + " | ".join(v.ljust(w) for v, w in zip(values, widths)) + " |"

    out = [line(headers), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += [line(r) for r in cells]
    return "\n".join(out)


# ---- the main table -------------------------------------------------------

class Report:
    def __init__(self):
        self.rows = []        # main table rows (dicts)
        self.sections = []    # (title, note, headers, rows) for the scaling tables
        self.notes = []
        self.data = {}        # raw numbers for results.json

    def row(self, name, a_label, a_time, b_label, b_time, ratio_text, ratio, goal_text, met):
        self.rows.append(dict(name=name, a=a_label, a_time=a_time, b=b_label, b_time=b_time,
                              ratio_text=ratio_text, ratio=ratio, goal=goal_text, met=met))

    def failed_row(self, name, why, goal_text):
        self.rows.append(dict(name=name, a="-", a_time=None, b="-", b_time=None,
                              ratio_text="not measured: %s" % why, ratio=None, goal=goal_text,
                              met=None))

    def main_table(self):
        rows = []
        for r in self.rows:
            met = {True: "yes", False: "NO", None: "-"}[r["met"]]
            rows.append([r["name"], side_text(r["a"], r["a_time"]),
                         side_text(r["b"], r["b_time"]), r["ratio_text"],
                         r["goal"], met])
        return table(["measurement", "A (median)", "B (median)", "ratio", "goal", "met"], rows)


def speedup_row(report, name, lib, ref, goal, ratio):
    """libarr (A) against a reference (B); ratio B/A, higher is better."""
    report.row(name, lib[0], lib[1], ref[0], ref[1], "%.3f NumPy/libarr" % ratio, ratio,
               "NumPy/libarr >= %g" % goal, ratio >= goal)


def verify(report, name, lib, npy, case, p1, p2):
    """Both sides must compute the same thing: digests compared exactly."""
    a = lib.check(case, p1, p2)[0]
    b = npy.check(case, p1, p2)[0]
    if a != b:
        report.notes.append("%s: libarr's result digest %r differs from NumPy's %r"
                            % (name, a, b))
    return a == b


def bench_against_numpy(report, cfg, lib, npy):
    side = cfg.side
    cases = [
        ("contiguous copy (%s float64)" % fmt_bytes(side * side * 8), "copy", side * side, 1),
        ("ascontiguous(a.T), %dx%d float64" % (side, side), "ascontig_T", side, 2),
        ("copy of a[::2, ::2], %dx%d float64" % (side, side), "copy_step2", side, 1),
        ("copy of a[:, ::-1], %dx%d float64" % (side, side), "copy_revcols", side, 1),
        ("astype float64->float32, %dx%d" % (side, side), "astype_f32", side, 1),
        ("sum, %dx%d float64" % (side, side), "sum", side, 1),
        ("mean, %dx%d float64" % (side, side), "mean", side, 1),
        ("copyto dst(%d,%d) <- src(%d,) broadcast" % (side, side, side), "copyto_bcast", side, 1),
        ("shares_memory, 4 easy cases", "shares_easy", 0, 1),
        ("shares_memory, hard case m=%d (exact)" % cfg.hard_m, "shares_hard", cfg.hard_m, 1),
    ]
    for name, case, p1, goal in cases:
        p2 = -1 if case == "shares_hard" else 0
        goal_text = "NumPy/libarr >= %g" % goal
        try:
            verify(report, name, lib, npy, case, p1, p2)
            (t_lib, t_np), samples = interleaved([Side(lib, case, p1, p2), Side(npy, case, p1, p2)],
                                                 cfg.reps, cfg.target)
        except BenchError as exc:
            report.failed_row(name, exc, goal_text)
            continue
        report.data[case] = dict(libarr=samples[0], numpy=samples[1])
        speedup_row(report, name, ("libarr", t_lib), ("NumPy", t_np), goal,
                    paired_ratio(samples, 1, 0))
        print("  %-48s libarr %-9s NumPy %s" % (name, fmt_time(t_lib), fmt_time(t_np)), flush=True)


def bench_against_memcpy(report, cfg, lib, aux):
    n = cfg.side * cfg.side
    name = "contiguous copy vs memcpy (%s float64)" % fmt_bytes(n * 8)
    goal = "libarr/memcpy <= 1.05"
    try:
        (t_lib, t_fresh, t_plain, t_warm), samples = interleaved(
            [Side(lib, "copy", n), Side(aux, "memcpy_fresh", n),
             Side(aux_plain(aux), "memcpy_plain", n), Side(aux_warm(aux), "memcpy_warm", n)],
            cfg.reps, cfg.target)
    except BenchError as exc:
        report.failed_row(name, exc, goal)
        return
    report.data["copy_vs_memcpy"] = dict(libarr=samples[0], memcpy_fresh=samples[1],
                                         memcpy_plain=samples[2], memcpy_warm=samples[3])
    ratio = paired_ratio(samples, 0, 1)
    report.row(name, "arr_copy+arr_free", t_lib, "malloc+hint+memcpy+free", t_fresh,
               "%.3f libarr/memcpy" % ratio, ratio, goal, ratio <= 1.05)
    for k, label, t_ref, what in ((2, "malloc+memcpy+free", t_plain, "no huge-page hint"),
                                  (3, "memcpy only", t_warm, "reused buffer: bandwidth bound")):
        ratio = paired_ratio(samples, 0, k)
        report.row("  reference: memcpy, %s" % what, "arr_copy+arr_free", t_lib, label, t_ref,
                   "%.3f libarr/memcpy" % ratio, ratio, "(reference)", None)
    print("  %-48s libarr %-9s memcpy %s (no hint %s, warm %s)" % (
        name, fmt_time(t_lib), fmt_time(t_fresh), fmt_time(t_plain), fmt_time(t_warm)),
        flush=True)


_extra_servers = {}


def extra_server(aux, role):
    """More plain arrbench servers, so each memcpy variant keeps its inputs."""
    key = (aux, role)
    if key not in _extra_servers:
        _extra_servers[key] = Server("arrbench (%s)" % role, aux.proc.args)
    return _extra_servers[key]


def aux_warm(aux):
    return extra_server(aux, "memcpy warm")


def aux_plain(aux):
    return extra_server(aux, "memcpy plain")


def bench_client_requests(report, cfg, procs=5):
    """Requests on against -DNVALGRIND, and on against on again (this run's
    noise floor).  Each of the three sides is `procs` fresh processes with
    the same history, all interleaved: one process's luck (where ASLR put
    its heap and stack relative to the cache sets) is averaged out instead
    of being taken for the cost of the requests."""
    name = "client requests: create/slice/copy/free loop"
    goal = "on/off <= 1.02"
    groups = (("requests on", cfg.arrbench), ("-DNVALGRIND", cfg.arrbench_nvg),
              ("requests on, 2nd", cfg.arrbench))
    servers = [[Server("arrbench (%s #%d)" % (label, k + 1), [prog, "serve"])
                for k in range(procs)] for label, prog in groups]
    try:
        flat = [server for group in servers for server in group]
        _, samples = interleaved([Side(server, "crloop") for server in flat],
                                 cfg.cr_reps, cfg.target / 2)
    except BenchError as exc:
        report.failed_row(name, exc, goal)
        return
    finally:
        for group in servers:
            for server in group:
                server.close()
    # per repetition, the mean over each side's processes
    per_rep = [[statistics.fmean(samples[g * procs + k][r] for k in range(procs))
                for r in range(cfg.cr_reps)] for g in range(len(groups))]
    t_on, t_off, t_on2 = (statistics.median(side) for side in per_rep)
    report.data["crloop"] = dict(processes_per_side=procs, on=per_rep[0], nvalgrind=per_rep[1],
                                 on_again=per_rep[2], every_process=samples)
    ratio = paired_ratio(per_rep, 0, 1)
    report.row(name, "requests on", t_on, "-DNVALGRIND", t_off, "%.3f on/off" % ratio, ratio, goal,
               ratio <= 1.02)
    noise = paired_ratio(per_rep, 0, 2)
    report.row("  noise floor: the same binary, other processes", "requests on", t_on,
               "on, 2nd processes", t_on2, "%.3f on/on" % noise, noise, "(reference)", None)
    print("  %-48s on %-9s off %s (on again %s)" % (name, fmt_time(t_on), fmt_time(t_off),
                                                    fmt_time(t_on2)), flush=True)


# ---- the Valgrind tools ---------------------------------------------------

def arrgrind_available(cfg):
    platform_name = subprocess.run(["pkg-config", "--variable=platform", "valgrind"],
                                   capture_output=True, text=True).stdout.strip() or "amd64-linux"
    tool = os.path.join(cfg.build_abs, "valgrind", "lib", "arrcheck-" + platform_name)
    return os.access(tool, os.X_OK)


PROFILE_TOOL = "arrcheck-profile"


def tool_command(tool, log_file):
    if tool == "native":
        return []
    if tool == "arrcheck":
        return [os.path.join(TREE, "valgrind", "arrgrind"), "--log-file=" + log_file]
    if tool == PROFILE_TOOL:
        # The profile goes next to the log; its size is reported.
        return [os.path.join(TREE, "valgrind", "arrgrind"), "--log-file=" + log_file,
                "--profile=yes", "--arrcheck-out-file=" + log_file + ".profile.json"]
    return ["valgrind", "--tool=" + tool, "--log-file=" + log_file]


def timed_run(argv, env):
    """Wall seconds of one run, and its stdout; BenchError if it fails."""
    start = time.monotonic()
    proc = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=TREE)
    end = time.monotonic()
    if proc.returncode != 0:
        raise BenchError("%s exited %d: %s" % (os.path.basename(argv[0]), proc.returncode,
                                               proc.stderr.strip()[-200:]))
    return end - start, proc.stdout, end


def bench_tools(report, cfg):
    if shutil.which("valgrind") is None:
        report.notes.append("Valgrind tools: valgrind is not installed; rows skipped.")
        return
    tools = ["native", "none", "memcheck"]
    if arrgrind_available(cfg):
        tools += ["arrcheck", PROFILE_TOOL]
    else:
        report.notes.append("arrcheck is not built (%s/valgrind/lib): its rows are skipped."
                            % cfg.build)
    env = dict(os.environ, ARRDBG_BUILD=cfg.build_abs)
    prog = [cfg.arrbench, "workload", str(cfg.workload_rounds)]
    times = {t: [] for t in tools}
    profile_bytes = None
    with tempfile.TemporaryDirectory() as tmp:
        try:
            for rep in range(cfg.tool_reps):
                for k in range(len(tools)):
                    tool = tools[(rep + k) % len(tools)]
                    log = os.path.join(tmp, tool + ".log")
                    cmd = tool_command(tool, log) + prog
                    times[tool].append(timed_run(cmd, env)[0])
                    if tool == PROFILE_TOOL:
                        profile_bytes = os.path.getsize(log + ".profile.json")
        except (BenchError, OSError) as exc:
            report.failed_row("Valgrind tools on the workload", exc, "arrcheck <= 0.5x memcheck")
            return
    med = {t: statistics.median(v) for t, v in times.items()}
    report.data["tools"] = times

    def ratio_of(a, b):
        return statistics.median(x / y for x, y in zip(times[a], times[b]))

    label = "workload (%d rounds)" % cfg.workload_rounds
    for tool in tools[1:]:
        if tool == PROFILE_TOOL:
            continue
        report.row("%s: valgrind --tool=%s" % (label, tool), tool, med[tool], "native",
                   med["native"], "%.1f %s/native" % (ratio_of(tool, "native"), tool),
                   ratio_of(tool, "native"), "(reference)", None)
    if "arrcheck" in med:
        ratio = ratio_of("arrcheck", "memcheck")
        report.row("%s: arrcheck vs memcheck" % label, "arrcheck", med["arrcheck"], "memcheck",
                   med["memcheck"], "%.3f arrcheck/memcheck" % ratio, ratio,
                   "arrcheck <= 0.5x memcheck", ratio <= 0.5)
    if PROFILE_TOOL in med:
        # Issue 10: what profile mode adds to arrcheck (its author measured
        # 1.57x on workload 2000); no goal was set.
        ratio = ratio_of(PROFILE_TOOL, "arrcheck")
        report.row("%s: arrcheck --profile=yes vs arrcheck" % label, "profile", med[PROFILE_TOOL],
                   "arrcheck", med["arrcheck"], "%.2f profile/arrcheck" % ratio, ratio,
                   "(none set; reference)", None)
        report.notes.append("arrcheck --profile=yes on the workload (%d rounds) wrote a "
                            "%.1f MB profile (--arrcheck-out-file=FILE)."
                            % (cfg.workload_rounds, (profile_bytes or 0) / (1 << 20)))
    print("  tools: " + ", ".join("%s %s" % (t, fmt_time(med[t])) for t in tools), flush=True)


def bench_gsl(report, cfg):
    """An unmodified GSL program (bench/gsl_bench.c, plain -lgsl) natively,
    under memcheck and under arrcheck, whose preload wraps GSL's functions
    (valgrind/gsl_adapter.c); interleaved runs, medians, ratios per run."""
    prog = os.path.join(cfg.build_abs, "bench", "gsl_bench")
    if not os.access(prog, os.X_OK) or shutil.which("valgrind") is None or not arrgrind_available(cfg):
        report.notes.append("GSL adapter: no build/bench/gsl_bench (libgsl-dev), valgrind or "
                            "arrcheck: its rows are skipped.")
        return
    tools = ["native", "memcheck", "arrcheck"]
    env = dict(os.environ, ARRDBG_BUILD=cfg.build_abs)
    argv = [prog, str(cfg.gsl_rounds)]
    times = {t: [] for t in tools}
    with tempfile.TemporaryDirectory() as tmp:
        try:
            outputs = set()
            for rep in range(cfg.tool_reps):
                for k in range(len(tools)):
                    tool = tools[(rep + k) % len(tools)]
                    seconds, out, _ = timed_run(tool_command(tool, os.path.join(tmp, tool + ".log")) + argv,
                                                env)
                    times[tool].append(seconds)
                    outputs.add(out)
            if len(outputs) != 1:
                raise BenchError("the runs printed different checksums: %s" % sorted(outputs))
        except (BenchError, OSError) as exc:
            report.failed_row("GSL program: arrcheck vs memcheck", exc, "(reference)")
            return
    med = {t: statistics.median(v) for t, v in times.items()}
    report.data["gsl"] = times
    label = "GSL program (%d rounds)" % cfg.gsl_rounds
    for tool in ("memcheck", "arrcheck"):
        ratio = statistics.median(x / y for x, y in zip(times[tool], times["native"]))
        report.row("%s: valgrind --tool=%s" % (label, tool), tool, med[tool], "native", med["native"],
                   "%.1f %s/native" % (ratio, tool), ratio, "(reference)", None)
    ratio = statistics.median(x / y for x, y in zip(times["arrcheck"], times["memcheck"]))
    report.row("%s: arrcheck vs memcheck" % label, "arrcheck", med["arrcheck"], "memcheck",
               med["memcheck"], "%.2f arrcheck/memcheck" % ratio, ratio, "(none set; reference)", None)
    print("  GSL: " + ", ".join("%s %s" % (t, fmt_time(med[t])) for t in tools), flush=True)


def bench_exit_report(report, cfg):
    """Time from main's end to process exit, by tool, vs live arrays."""
    if shutil.which("valgrind") is None:
        return
    tools = ["none", "memcheck"] + (["arrcheck"] if arrgrind_available(cfg) else [])
    env = dict(os.environ, ARRDBG_BUILD=cfg.build_abs)
    rows, raw = [], {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in cfg.live_counts:
            reps = 3 if n <= 10000 else 1
            exits = {t: [] for t in tools}
            runs = {t: [] for t in tools}
            try:
                for rep in range(reps):
                    for k in range(len(tools)):
                        tool = tools[(rep + k) % len(tools)]
                        if tool == "memcheck" and n > cfg.memcheck_live_max:
                            continue
                        log = os.path.join(tmp, tool + ".log")
                        wall, out, end = timed_run(
                            tool_command(tool, log) + [cfg.arrbench, "live", str(n)], env)
                        found = re.search(r"main_end ([0-9.]+)", out)
                        if found is None:
                            raise BenchError("no main_end line from arrbench live")
                        exits[tool].append(end - float(found.group(1)))
                        runs[tool].append(wall)
            except BenchError as exc:
                report.notes.append("exit report with %d live arrays: %s" % (n, exc))
                break
            med = {t: statistics.median(v) if v else None for t, v in exits.items()}
            raw[n] = dict(exit=exits, wall=runs)
            row = [n]
            for t in tools:
                row.append(fmt_time(med[t]) if med[t] is not None else "(skipped)")
            for t in tools:
                row.append(fmt_time(statistics.median(runs[t])) if runs[t] else "(skipped)")
            if "arrcheck" in tools and med["none"]:
                row.append(fmt_time(max(med["arrcheck"] - med["none"], 0.0)))
                row.append("%.2g us" % (max(med["arrcheck"] - med["none"], 0.0) / n * 1e6)
                           if n >= 1000 else "-")
            rows.append(row)
            print("  exit report, %d live arrays: %s" % (
                n, ", ".join("%s %s" % (t, fmt_time(med[t])) for t in tools)), flush=True)
    headers = ["live arrays"] + ["%s exit" % t for t in tools] + ["%s whole run" % t for t in tools]
    if "arrcheck" in tools:
        headers += ["arrcheck - none", "per array"]
    report.data["exit_report"] = raw
    report.sections.append((
        "Tool exit report vs live arrays (leaked at exit)",
        "Exit time = process end minus the CLOCK_MONOTONIC stamp printed as main returns: "
        "the leak scan, the report and Valgrind's shutdown.  --tool=none is the shutdown "
        "alone.  \"whole run\" is the process's wall time (making the N arrays included).  memcheck uses its defaults (leak check, summary)%s." % (
            "; it is skipped above %d arrays to keep the run short" % cfg.memcheck_live_max
            if cfg.memcheck_live_max < max(cfg.live_counts) else ""),
        headers, rows))


# ---- the gdb plugin -------------------------------------------------------

GDB_SCRIPT = r'''
import gdb, json, time
gdb.execute("set max-value-size unlimited")
gdb.execute("set pagination off")
results = {}
def timed(key, cmd):
    start = time.perf_counter()
    out = gdb.execute(cmd, to_string=True)
    results.setdefault(key, []).append(time.perf_counter() - start)
    results.setdefault(key + " chars", []).append(len(out))
plugin = "print *bench_big"
builtin = "print *(double *)bench_big->data@1000000"
for rep in range(REPS):
    pair = [("plugin", plugin), ("builtin", builtin)]
    for key, cmd in (pair if rep % 2 == 0 else pair[::-1]):
        timed(key + " default", cmd)
gdb.execute("set print elements unlimited")
for rep in range(FULL_REPS):
    pair = [("plugin", plugin), ("builtin", builtin)]
    for key, cmd in (pair if rep % 2 == 0 else pair[::-1]):
        timed(key + " unlimited", cmd)
gdb.execute("set print elements 200")
for rep in range(REPS):
    timed("arr list", "arr list")
for rep in range(max(REPS, 3)):
    timed("print big3", "print *bench_big3")
    timed("print deep", "print *bench_deep")
with open(OUT, "w") as f:
    json.dump(results, f)
'''


def bench_gdb(report, cfg):
    plugin = os.path.join(TREE, "gdb", "arrdbg.py")
    if shutil.which("gdb") is None or not os.path.exists(plugin):
        report.notes.append("gdb plugin rows skipped: %s" % (
            "gdb is not installed" if shutil.which("gdb") is None else "gdb/arrdbg.py is missing"))
        return
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "gdb.json")
        script = os.path.join(tmp, "time_gdb.py")
        with open(script, "w") as f:
            f.write(GDB_SCRIPT.replace("FULL_REPS", str(cfg.gdb_full_reps))
                    .replace("REPS", str(cfg.gdb_reps)).replace("OUT", repr(out)))
        argv = ["gdb", "-nx", "-batch", "-ex", "source " + plugin, "-ex", "break bench_gdb_stop",
                "-ex", "run", "-ex", "source " + script,
                "--args", cfg.arrbench, "gdbtarget", str(cfg.gdb_live)]
        try:
            wall, stdout, _ = timed_run(argv, dict(os.environ))
            with open(out) as f:
                res = json.load(f)
        except (BenchError, OSError, ValueError) as exc:
            report.failed_row("gdb plugin", exc, "-")
            return
    report.data["gdb"] = res
    med = {k: statistics.median(v) for k, v in res.items()}
    # Issue 15's goals: print at default settings <= 50 ms at any shape;
    # with `print elements unlimited` no slower than gdb's own print of the
    # same elements; arr list over 100,000 arrays <= 0.25 s.
    for limit, text in (("default", "print elements 200"), ("unlimited", "print elements unlimited")):
        ratio = med["plugin " + limit] / med["builtin " + limit]
        unlimited = limit == "unlimited"
        report.row("gdb: print 1,000,000-element array (%s)" % text, "plugin",
                   med["plugin " + limit], "gdb's own @", med["builtin " + limit],
                   "%.2f plugin/gdb" % ratio, ratio,
                   "plugin/gdb <= 1.0" if unlimited else "(none set; reference)",
                   ratio <= 1.0 if unlimited else None)
    for key, text in (("print big3", "print of a 120x120x120 float64 array"),
                      ("print deep", "print of a (2,)*32 broadcast view")):
        report.row("gdb: %s (print elements 200)" % text, key.split()[0], med[key], "-", None,
                   "-", None, "<= 50 ms", med[key] <= 0.05)
    report.row("gdb: arr list over %d live arrays" % cfg.gdb_live, "arr list", med["arr list"],
               "-", None, "%.1f us per array" % (med["arr list"] / (cfg.gdb_live + 1) * 1e6),
               None, "<= 0.25 s" if cfg.gdb_live >= 100000 else "(none set)",
               med["arr list"] <= 0.25 if cfg.gdb_live >= 100000 else None)
    print("  gdb: print %s / %s (default), %s / %s (unlimited), arr list %s, "
          "print 120**3 %s, print (2,)*32 %s" % (
              fmt_time(med["plugin default"]), fmt_time(med["builtin default"]),
              fmt_time(med["plugin unlimited"]), fmt_time(med["builtin unlimited"]),
              fmt_time(med["arr list"]), fmt_time(med["print big3"]),
              fmt_time(med["print deep"])), flush=True)
    report.notes.append("gdb: `print *bench_big` (the arrdbg printer) against gdb's own "
                        "`print *(double *)bench_big->data@1000000`, in one gdb session "
                        "(total %.1f s including startup).  The output of each command is "
                        "captured (to_string), not written to a terminal." % wall)


# ---- scaling --------------------------------------------------------------

def scale_copy(report, cfg, lib, aux, npy):
    rows, points = [], []
    warm_server = aux_warm(aux)
    for nbytes in cfg.copy_sizes:
        n = nbytes // 8
        sides = [Side(lib, "copy", n), Side(npy, "copy", n), Side(aux, "memcpy_fresh", n)]
        with_warm = nbytes <= cfg.warm_max
        if with_warm:
            sides.append(Side(warm_server, "memcpy_warm", n))
        reps = cfg.reps if nbytes < (256 << 20) else max(3, cfg.reps // 2)
        try:
            meds, samples = interleaved(sides, reps, cfg.scale_target)
        except BenchError as exc:
            report.notes.append("copy scaling stopped at %s: %s" % (fmt_bytes(nbytes), exc))
            break
        if not with_warm:
            meds.append(None)
        points.append(dict(bytes=nbytes, libarr=meds[0], numpy=meds[1], memcpy=meds[2],
                           memcpy_warm=meds[3]))
        gbps = [("%.2f" % (nbytes / t / 1e9)) if t else "-" for t in meds]
        rows.append([fmt_bytes(nbytes)] + [fmt_time(t) for t in meds] + gbps +
                    ["%.2f" % paired_ratio(samples, 1, 0), "%.2f" % paired_ratio(samples, 0, 2)])

        print("  copy %-8s libarr %-9s NumPy %-9s memcpy %s" % (
            fmt_bytes(nbytes), fmt_time(meds[0]), fmt_time(meds[1]), fmt_time(meds[2])), flush=True)
    report.data["copy_scaling"] = points
    report.sections.append((
        "Copy time vs size (1-D float64; median per call)",
        "libarr = arr_copy + arr_free; NumPy = a.copy() (includes ~0.1-0.3 us of Python "
        "call overhead, which dominates below ~64 KB); memcpy = malloc + memcpy + free with the "
        "huge-page hint libarr and NumPy give big buffers (madvise MADV_HUGEPAGE from 4 MB), "
        "the same work arr_copy does; warm = memcpy into a reused, already-faulted buffer "
        "(up to %s).  GB/s = bytes / time of the medians; the two ratio columns are "
        "medians of paired runs." % fmt_bytes(cfg.warm_max),
        ["size", "libarr", "NumPy", "memcpy", "memcpy warm", "libarr GB/s", "NumPy GB/s",
         "memcpy GB/s", "warm GB/s", "NumPy/libarr", "libarr/memcpy"], rows))
    return points


def scale_views(report, cfg, lib, npy):
    rows = []
    for ndim in cfg.view_ndims:
        row = [ndim]
        for case in ("view_nd", "slice_nd", "transpose_nd"):
            try:
                (t_lib, t_np), _ = interleaved([Side(lib, case, ndim), Side(npy, case, ndim)],
                                               cfg.reps, cfg.scale_target)
            except BenchError as exc:
                row += ["error", str(exc)[:30]]
                continue
            row += [fmt_time(t_lib), fmt_time(t_np)]
        rows.append(row)
        print("  views ndim %d: %s" % (ndim, " ".join(str(c) for c in row[1:])), flush=True)
    report.sections.append((
        "View creation cost vs ndim (create + free; median per call)",
        "view = arr_view / a.view(); slice = arr_slice(a, \"::-1, ...\") (parses the spec) / "
        "a[::-1, ...]; transpose = arr_transpose(a, NULL) / a.T.  Shape 2 on the first 10 axes, "
        "then 1.  NumPy times include the Python call.",
        ["ndim", "view libarr", "view NumPy", "slice libarr", "slice NumPy", "transpose libarr",
         "transpose NumPy"], rows))


def scale_shares(report, cfg, lib, npy):
    rows = []
    names = {0: "no", 1: "yes", 2: "too hard"}
    for m in cfg.hard_ms:
        for max_work in cfg.max_works:
            try:
                answer, work = lib.check("shares_hard", m, max_work)
                np_answer = npy.check("shares_hard", m, max_work)[0]
                (t_lib, t_np), _ = interleaved(
                    [Side(lib, "shares_hard", m, max_work), Side(npy, "shares_hard", m, max_work)],
                    cfg.shares_reps, cfg.scale_target)
            except BenchError as exc:
                report.notes.append("shares_memory scaling m=%d: %s" % (m, exc))
                continue
            agree = "" if answer == np_answer else " (NumPy: %s!)" % names.get(int(np_answer))
            rows.append([m, "exact" if max_work < 0 else max_work, m ** 5,
                         names.get(int(answer), answer) + agree, int(work), fmt_time(t_lib),
                         fmt_time(t_np), "%.2f" % (t_np / t_lib)])
            print("  shares m=%d max_work=%d: %s work %d, libarr %s NumPy %s" % (
                m, max_work, names.get(int(answer)), work, fmt_time(t_lib), fmt_time(t_np)),
                flush=True)
    report.sections.append((
        "shares_memory work vs problem size, with the max_work cap",
        "NumPy's documented hard instance scaled by m/1049: x1 = (m, m, m) with strides "
        "(36674, 61119, 85569), x2 = (m, m, 1) with strides (12223, 12224, 1) at offset "
        "64023025*m/1049 of an int8 buffer.  The exact answer is \"no\", so the solver "
        "searches; \"bound product\" is the product of the terms' ranges (m^5 here), "
        "\"work\" is libarr's count of search steps (arr__solve_overlap).",
        ["m", "max_work", "bound product", "answer", "work", "libarr", "NumPy",
         "NumPy/libarr"], rows))


# ---- the plot -------------------------------------------------------------

def write_svg(points, path):
    """Copy throughput (GB/s) vs size, log-x, hand-written SVG."""
    import math
    series = [("libarr", "libarr arr_copy", "#d62728", ""),
              ("numpy", "NumPy a.copy()", "#1f77b4", ""),
              ("memcpy", "malloc+hint+memcpy", "#2ca02c", ""),
              ("memcpy_warm", "memcpy, reused buffer", "#7f7f7f", "6,4")]
    width, height = 760, 440
    left, right, top, bottom = 70, 210, 40, 60
    pw, ph = width - left - right, height - top - bottom
    sizes = [p["bytes"] for p in points]
    gbps = [p["bytes"] / p[k] / 1e9 for p in points for k, *_ in series if p.get(k)]
    if not sizes or not gbps:
        return False
    x_lo, x_hi = math.log2(min(sizes)), math.log2(max(sizes))
    if x_hi == x_lo:
        x_hi = x_lo + 1
    y_hi = max(gbps) * 1.1
    # A round tick step (1, 2 or 5 times a power of ten) giving 4..10 ticks.
    step = 10.0 ** math.floor(math.log10(y_hi / 5))
    for factor in (1, 2, 5, 10):
        if y_hi / (step * factor) <= 10:
            step *= factor
            break

    def x_of(nbytes):
        return left + (math.log2(nbytes) - x_lo) / (x_hi - x_lo) * pw

    def y_of(v):
        return top + ph - v / y_hi * ph

    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" '
           'font-family="sans-serif" font-size="12">' % (width, height, width, height),
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="%d" y="22" font-size="15">Copy throughput vs size (make bench, %s)</text>'
           % (left, datetime.date.today().isoformat())]
    v = 0.0
    while v <= y_hi:
        y = y_of(v)
        out.append('<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/>'
                   % (left, y, left + pw, y))
        out.append('<text x="%d" y="%.1f" text-anchor="end">%g</text>' % (left - 6, y + 4, v))
        v += step
    for nbytes in sizes:
        x = x_of(nbytes)
        out.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#ddd"/>'
                   % (x, top, x, top + ph))
        out.append('<text x="%.1f" y="%d" text-anchor="middle">%s</text>'
                   % (x, top + ph + 18, fmt_bytes(nbytes).replace(" ", "")))
    out.append('<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="black"/>'
               % (left, top, pw, ph))
    out.append('<text x="%.1f" y="%d" text-anchor="middle">array size (bytes, log scale)</text>'
               % (left + pw / 2, height - 15))
    out.append('<text transform="translate(18,%.1f) rotate(-90)" text-anchor="middle">'
               'GB/s (bytes copied / time)</text>' % (top + ph / 2))
    for i, (key, label, color, dash) in enumerate(series):
        pts = [(x_of(p["bytes"]), y_of(p["bytes"] / p[key] / 1e9)) for p in points if p.get(key)]
        if not pts:
            continue
        dash_attr = ' stroke-dasharray="%s"' % dash if dash else ""
        out.append('<polyline fill="none" stroke="%s" stroke-width="2"%s points="%s"/>'
                   % (color, dash_attr, " ".join("%.1f,%.1f" % p for p in pts)))
        for x, y in pts:
            out.append('<circle cx="%.1f" cy="%.1f" r="3" fill="%s"/>' % (x, y, color))
        ly = top + 10 + i * 22
        out.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2"%s/>'
                   % (left + pw + 12, ly, left + pw + 40, ly, color, dash_attr))
        out.append('<text x="%d" y="%d">%s</text>' % (left + pw + 46, ly + 4, label))
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")
    return True


def check_svg(path):
    """The SVG must parse as XML; converted to PNG when a converter exists."""
    import xml.etree.ElementTree as ET
    ET.parse(path)
    for tool, argv in (("rsvg-convert", ["rsvg-convert", "-o", path[:-4] + ".png", path]),
                       ("convert", ["convert", path, path[:-4] + ".png"])):
        if shutil.which(tool):
            if subprocess.run(argv, capture_output=True).returncode == 0:
                return path[:-4] + ".png"
    return None


# ---- main -----------------------------------------------------------------

PARTS = ("numpy", "memcpy", "requests", "tools", "gsl", "gdb", "python", "scaling")


class Config:
    def __init__(self, build, quick):
        self.build = build
        self.build_abs = os.path.abspath(os.path.join(TREE, build))
        self.arrbench = os.path.join(self.build_abs, "bench", "arrbench")
        self.arrbench_nvg = os.path.join(self.build_abs, "bench", "arrbench-nvg")
        self.quick = quick
        self.side = 4096
        self.hard_m = 128
        if quick:
            self.reps, self.cr_reps, self.shares_reps = 5, 15, 3
            self.target, self.scale_target = 0.02, 0.005
            self.workload_rounds, self.tool_reps = 600, 3
            self.gsl_rounds = 1000
            self.live_counts = [1, 100, 10000]
            self.memcheck_live_max = 10000
            self.gdb_live, self.gdb_reps, self.gdb_full_reps = 100000, 1, 1
            self.copy_sizes = [1 << k for k in range(10, 27, 2)]  # 1 KB .. 64 MB
            self.warm_max = 64 << 20
            self.view_ndims = [1, 4, 16, 32]
            self.hard_ms = [16, 64]
            self.max_works = [-1, 1000]
        else:
            self.reps, self.cr_reps, self.shares_reps = 21, 41, 5
            self.target, self.scale_target = 0.02, 0.01
            self.workload_rounds, self.tool_reps = 4000, 5
            self.gsl_rounds = 5000
            self.live_counts = [1, 10, 100, 1000, 10000, 100000, 1000000]
            # libarr names at most 4096 live owners for memcheck (its block
            # list is linear), so 1M live arrays now take ~5 s, not ~5 min.
            self.memcheck_live_max = 1000000
            self.gdb_live, self.gdb_reps, self.gdb_full_reps = 100000, 3, 2
            self.copy_sizes = [1 << k for k in range(10, 31, 2)]  # 1 KB .. 1 GB
            self.warm_max = 256 << 20
            self.view_ndims = [1, 2, 4, 8, 16, 32]
            self.hard_ms = [16, 32, 64, 128, 256]
            self.max_works = [-1, 1000, 100000]


def machine_description():
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    gcc = subprocess.run(["gcc", "-dumpfullversion"], capture_output=True, text=True).stdout.strip()
    return "%s, %d CPUs, %s %s, gcc %s, Python %s, NumPy %s" % (
        cpu, os.cpu_count() or 0, platform.system(), platform.release(), gcc,
        platform.python_version(), np.__version__)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build", default="build")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", metavar="PARTS",
                        help="comma-separated subset of: %s (for development; the "
                             "full run is what bench/README.md records)" % ",".join(PARTS))
    args = parser.parse_args()
    only = set(args.only.split(",")) if args.only else set(PARTS)
    if not only <= set(PARTS):
        parser.error("--only: unknown part(s) %s" % ", ".join(sorted(only - set(PARTS))))
    cfg = Config(args.build, args.quick)
    for prog in (cfg.arrbench, cfg.arrbench_nvg):
        if not os.access(prog, os.X_OK):
            print("run_bench: %s is missing (run `make bench`)" % prog, file=sys.stderr)
            return 2
    started = time.monotonic()
    load_start = os.getloadavg()[0]
    when = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    machine = machine_description()
    print("make bench (%s), %s\n%s" % ("BENCH_QUICK=1" if cfg.quick else "full", when, machine),
          flush=True)
    report = Report()
    lib = Server("arrbench", [cfg.arrbench, "serve"])
    aux = Server("arrbench (memcpy)", [cfg.arrbench, "serve"])
    npy = Server("NumPy", [PYTHON, os.path.join(HERE, "np_server.py")])
    servers = [lib, aux, npy]
    points = []
    try:
        print("libarr vs NumPy:", flush=True)
        if "numpy" in only:
            bench_against_numpy(report, cfg, lib, npy)
        if "memcpy" in only:
            bench_against_memcpy(report, cfg, lib, aux)
        if "requests" in only:
            bench_client_requests(report, cfg)
        print("tools:", flush=True)
        if "tools" in only:
            bench_tools(report, cfg)
        if "gsl" in only:
            bench_gsl(report, cfg)
        if "gdb" in only:
            bench_gdb(report, cfg)
        if "python" in only:
            from np_tools import bench_many_arrays, bench_numpy_tools  # bench/np_tools.py
            bench_numpy_tools(report, cfg, TREE)
            bench_many_arrays(report, cfg, TREE)
            from np_tools import bench_arrgrind_python_stack, bench_gdb_numpy  # issue 28
            bench_arrgrind_python_stack(report, cfg, TREE)
            bench_gdb_numpy(report, cfg, TREE)
        print("scaling:", flush=True)
        if "scaling" in only:
            points = scale_copy(report, cfg, lib, aux, npy)
            scale_views(report, cfg, lib, npy)
            scale_shares(report, cfg, lib, npy)
            bench_exit_report(report, cfg)
    finally:
        for server in servers + list(_extra_servers.values()):
            server.close()

    out_dir = os.path.join(cfg.build_abs, "bench")
    svg = os.path.join(out_dir, "copy_throughput.svg")
    if points and write_svg(points, svg):
        png = check_svg(svg)
        report.notes.append("plot: %s (valid XML%s)" % (
            os.path.relpath(svg, TREE), ", PNG: " + os.path.relpath(png, TREE) if png else
            "; no SVG converter installed, so no PNG"))
    elapsed = time.monotonic() - started
    load_end = os.getloadavg()[0]

    met = [r["met"] for r in report.rows if r["met"] is not None]
    lines = ["# make bench results (%s)" % ("BENCH_QUICK=1" if cfg.quick else "full run"), "",
             "%s; %s; %.0f s; load average %.1f at the start, %.1f at the end (%d CPUs: "
             "above that, other processes were competing for them)." % (
                 when, machine, elapsed, load_start, load_end, os.cpu_count() or 0), "",
             "A and B: medians per call.  Ratio: median over repetitions of the ratio of the two "
             "sides' adjacent runs (both measured in this run, interleaved).",
             "Goals met: %d of %d." % (sum(met), len(met)), "",
             report.main_table(), ""]
    for title, note, headers, rows in report.sections:
        lines += ["## " + title, "", note, "", table(headers, rows), ""]
    if report.notes:
        lines += ["## Notes", ""] + ["- " + n for n in report.notes] + [""]
    text = "\n".join(lines)
    print()
    print(text)
    with open(os.path.join(out_dir, "results.md"), "w") as f:
        f.write(text)
    with open(os.path.join(out_dir, "results.json"), "w") as f:
        json.dump(dict(when=when, machine=machine, quick=cfg.quick, rows=report.rows,
                       raw=report.data), f, indent=1, default=str)
    print("(written: %s/bench/results.md, results.json)" % cfg.build)
    return 0


if __name__ == "__main__":
    sys.exit(main())
