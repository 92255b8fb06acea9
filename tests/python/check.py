"""Helpers for tests/python/t_*.py (run under `python3 -m arrdbg run`).

Lines are found by marker comments in the test's own source (`# @name`),
never written as numbers; expectations come from NumPy and tracemalloc.
"""
import inspect
import os
import sys

import arrdbg
from arrdbg import _arrdbg

failures = []


def marker_line(name, path=None):
    path = path or inspect.stack()[1].filename
    with open(path) as f:
        for n, text in enumerate(f, 1):
            if text.rstrip().endswith("# @" + name):
                return n
    raise AssertionError(f"no marker @{name} in {path}")


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)


def line_entry(data, path, line):
    for e in data["lines"]:
        if os.path.abspath(e["file"]) == os.path.abspath(path) and e["line"] == line:
            return e
    return None


def live_by_line(path, since=0):
    """{line: live bytes} of buffers made since event `since`, from arrdbg."""
    sites = _arrdbg.sites()
    out = {}
    for ptr, b, seq, site in _arrdbg.records():
        if seq <= since:
            continue
        s = sites[site]
        if os.path.abspath(s[0]) == os.path.abspath(path):
            out[s[2]] = out.get(s[2], 0) + b
    return out


def tracemalloc_by_line(path):
    """{line: bytes} that tracemalloc's NumPy domain charges to lines of
    path (the innermost frame in that file), from a snapshot taken now;
    stops tracemalloc."""
    import tracemalloc
    import numpy as np
    snap = tracemalloc.take_snapshot()
    tracemalloc.stop()
    here = os.path.abspath(path)
    out = {}
    for tr in snap.filter_traces([tracemalloc.DomainFilter(True, np.lib.tracemalloc_domain)]).traces:
        for fr in reversed(tr.traceback):
            if os.path.abspath(fr.filename) == here:
                out[fr.lineno] = out.get(fr.lineno, 0) + tr.size
                break
    return out


def done():
    name = os.path.basename(inspect.stack()[1].filename)
    if failures:
        print(f"{name}: {len(failures)} checks failed", file=sys.stderr)
        sys.exit(1)
    print(f"{name}: ok")
