"""python3 -m arrdbg diff OLD.json NEW.json [--threshold SIZE] [--copies N] [--all]

What changed between two reports (run --json) of the same program: the peak,
copies, pinned bases, and per line and per op the bytes allocated and
arrays made, largest changes first.  A line is matched by its file (base
name), function and source text, so a fix that moves lines still pairs
them (by line number when the source text is not known).

Exit status, for CI: 0 when nothing grew past the threshold, 1 when the
peak, a line's or an op's bytes grew by more than --threshold (a size,
default 0: any growth), the copies grew by more than --copies arrays
(default 0) or there are more pinned bases; 2 for bad input (one line on
stderr).
"""
import argparse
import os
import sys

from ._limits import parse_count, parse_size
from ._text import human


def _line_key(e):
    f = os.path.basename(e["file"] or "?")
    if e.get("code"):
        return (f, e["func"] or "", e["code"])
    return (f, e["func"] or "", "#" + str(e["line"]))


def _lines(rep):
    out = {}
    for e in rep["lines"]:
        k = _line_key(e)
        o = out.setdefault(k, {"bytes": 0, "arrays": 0, "freed": 0, "loc": set(), "code": e.get("code") or ""})
        o["bytes"] += e["allocated"]
        o["arrays"] += e["arrays"]
        o["freed"] += e["freed"]
        o["loc"].add(f"{os.path.basename(e['file'] or '?')}:{e['line'] or '?'}")
    return out


def _ops(rep):
    return {o["op"]: {"bytes": o["bytes"], "arrays": o["arrays"], "kind": o["kind"]} for o in rep["ops"]}


def _copies(rep):
    cs = [o for o in rep["ops"] if o["kind"] == "copy"]
    return sum(o["arrays"] for o in cs), sum(o["bytes"] for o in cs)


def _signed(n):
    return f"{n:+,}"


def _pct(old, new):
    if old == 0:
        return "new" if new else ""
    return f"{100.0 * (new - old) / old:+.1f}%"


def compare(old, new):
    """The differences as a dict: peak, copies, pins and the per-line and
    per-op rows (largest absolute change first)."""
    lo, ln = _lines(old), _lines(new)
    rows = []
    for k in set(lo) | set(ln):
        a = lo.get(k, {"bytes": 0, "arrays": 0, "freed": 0, "loc": set(), "code": ""})
        b = ln.get(k, {"bytes": 0, "arrays": 0, "freed": 0, "loc": set(), "code": ""})
        if a["bytes"] == b["bytes"] and a["arrays"] == b["arrays"]:
            continue
        rows.append({"old": a["bytes"], "new": b["bytes"], "delta": b["bytes"] - a["bytes"],
                     "old_arrays": a["arrays"], "new_arrays": b["arrays"],
                     "where": " -> ".join(x for x in (", ".join(sorted(a["loc"])), ", ".join(sorted(b["loc"])))
                                          if x) if a["loc"] != b["loc"] else ", ".join(sorted(b["loc"])),
                     "code": b["code"] or a["code"]})
    rows.sort(key=lambda r: (-abs(r["delta"]), -abs(r["new_arrays"] - r["old_arrays"]), r["where"]))
    oo, on = _ops(old), _ops(new)
    ops = []
    for k in set(oo) | set(on):
        a = oo.get(k, {"bytes": 0, "arrays": 0, "kind": on.get(k, {}).get("kind", "?")})
        b = on.get(k, {"bytes": 0, "arrays": 0, "kind": a["kind"]})
        if a["bytes"] != b["bytes"] or a["arrays"] != b["arrays"]:
            ops.append({"op": k, "kind": b["kind"], "old": a["bytes"], "new": b["bytes"],
                        "delta": b["bytes"] - a["bytes"], "old_arrays": a["arrays"], "new_arrays": b["arrays"]})
    ops.sort(key=lambda r: (-abs(r["delta"]), r["op"]))
    return {"peak": (old["peak"]["bytes"], new["peak"]["bytes"]),
            "copies": (_copies(old), _copies(new)),
            "pins": (len(old["pins_at_exit"]), len(new["pins_at_exit"])),
            "lines": rows, "ops": ops}


def grew(d, threshold, copies):
    """The lines saying what grew past the thresholds (empty: nothing)."""
    out = []
    p0, p1 = d["peak"]
    if p1 - p0 > threshold:
        out.append(f"peak grew by {p1 - p0:,} bytes ({human(p1 - p0)})")
    (c0, _), (c1, _) = d["copies"]
    if c1 - c0 > copies:
        out.append(f"copies grew by {c1 - c0:,} arrays")
    if d["pins"][1] > d["pins"][0]:
        out.append(f"pinned bases at exit grew from {d['pins'][0]} to {d['pins'][1]}")
    for r in d["lines"]:
        if r["delta"] > threshold:
            out.append(f"line {r['where']} allocates {r['delta']:,} bytes more ({human(r['delta'])})")
    for r in d["ops"]:
        if r["delta"] > threshold:
            out.append(f"op {r['op']} allocates {r['delta']:,} bytes more ({human(r['delta'])})")
    return out


def print_diff(d, out, top=25):
    w = out.write
    p0, p1 = d["peak"]
    w(f"peak: {p0:,} -> {p1:,} bytes ({_signed(p1 - p0)}, {human(p1 - p0)}{', ' + _pct(p0, p1) if _pct(p0, p1) else ''})\n")
    (c0, b0), (c1, b1) = d["copies"]
    w(f"copies: {c0:,} arrays ({human(b0)}) -> {c1:,} arrays ({human(b1)})\n")
    w(f"pinned bases at exit: {d['pins'][0]} -> {d['pins'][1]}\n")
    _table(w, "per line (bytes allocated; largest change first)", d["lines"], top, "lines",
           lambda r: f"{r['where']:<28} {r['code'][:50]}")
    _table(w, "per op", d["ops"], top, "ops", lambda r: f"{r['op']} ({r['kind']})")


def _table(w, title, rows, top, what, label):
    w(f"\n{title}:\n")
    if not rows:
        w("  no change\n")
    for r in rows[:top]:
        w(f"  {_signed(r['delta']):>15} {r['old']:>15,} -> {r['new']:<15,} arrays {r['old_arrays']:,} -> "
          f"{r['new_arrays']:<6,} {label(r)}\n")
    if len(rows) > top:
        w(f"  ... and {len(rows) - top} more {what} (--all)\n")


def main(argv):
    p = argparse.ArgumentParser(prog="python3 -m arrdbg diff",
                                description="what changed between two JSON reports (run --json)")
    p.add_argument("old")
    p.add_argument("new")
    p.add_argument("--threshold", default="0", metavar="SIZE",
                   help="growth allowed before the exit status is 1 (a size: '1 MB', bytes; default 0)")
    p.add_argument("--copies", default="0", metavar="N", help="more copies allowed (default 0)")
    p.add_argument("--all", action="store_true", help="every changed line and op")
    args = p.parse_args(argv)
    from ._files import load_report
    try:
        threshold = parse_size(args.threshold)
        copies = parse_count(args.copies, "copies")
        old, new = load_report(args.old), load_report(args.new)
    except ValueError as e:
        print(f"arrdbg diff: {e}", file=sys.stderr)
        return 2
    d = compare(old, new)
    print_diff(d, sys.stdout, top=10**9 if args.all else 25)
    bad = grew(d, threshold, copies)
    if bad:
        print(f"\ngrew past the threshold ({human(threshold)}, {copies} copies):", file=sys.stdout)
        for b in bad:
            print(f"  {b}")
        return 1
    print(f"\nnothing grew past the threshold ({human(threshold)}, {copies} copies)")
    return 0
