"""The report: per-line table, ops, the peak, views pinning bases.

Where the numbers come from:
  - bytes and arrays per line: the handler's sites (bytes made on the line
    that made a buffer, freed on the line whose code released it);
  - live at the peak: the buffers still live whose allocation event is at or
    before the peak's, plus those the handler saw freed since (exact);
  - views pinning bases: the live ndarray objects, which the handler keeps
    (it wraps ndarray's tp_alloc/tp_free; see _scan).  An owner whose
    reference count is exactly the number of its live views is held by views
    alone: that is the pinned case, reported when the views use at most half
    of its buffer (used = the smaller of the bytes their elements span, as a
    union, and the sum of their nbytes).  What holds each such view is named
    from gc.get_referrers (a global's or attribute's name, a container).  The line
    that made a view is recorded when its ndarray object is allocated (the
    handler wraps ndarray's tp_alloc).  No weak references are used.
    This runs at report time ("at exit") and, as a pending call, soon after
    the live total first passes 1 MiB and then each time it grows by a
    quarter ("near the peak": the event numbers say how near).
"""
import linecache

from . import _arrdbg
from ._classify import classify
from ._pins import near_peak, peak_scan, records as _records, scan as _scan, shapes
from ._text import print_report

__all__ = ["build", "classify_pending", "end_phase", "peak_scan", "print_report"]

_scan_state = {"phase": "start", "phases": []}


def _peak_summary(st, sites):
    """The current peak and the arrays live at it."""
    records = _records()
    live = [(seq, b, site, False) for _, (b, seq, site) in records.items() if seq <= st["peak_seq"]]
    live += [(seq, b, site, True) for seq, b, site in _arrdbg.peak_freed()]
    out = []
    for seq, b, site, freed in sorted(live, key=lambda t: (-t[1], t[0])):
        w = _where(sites, site)
        shape, dtype = shapes.get(seq, (None, None))
        out.append({"bytes": b, "event": seq, "file": w["file"], "line": w["line"],
                    "op": w["op"], "kind": w["kind"], "shape": shape, "dtype": dtype,
                    "freed_since": freed})
    return {"bytes": st["peak_bytes"], "event": st["peak_seq"], "live": out}


def end_phase(next_name):
    classify_pending()
    st = _arrdbg.stats()
    p = _peak_summary(st, _arrdbg.sites())
    p["name"] = _scan_state["phase"]
    _scan_state["phases"].append(p)
    _scan_state["phase"] = next_name
    _arrdbg.reset_peak()


def classify_pending():
    for i, s in enumerate(_arrdbg.sites()):
        if not s[4]:
            op, kind = classify(s[10], s[3], s[11])
            _arrdbg.set_op(i, op, kind)


def _where(sites, i):
    s = sites[i] if 0 <= i < len(sites) else None
    if s is None:
        return {"file": None, "line": None, "func": None, "op": "?", "kind": "unknown"}
    return {"file": s[0], "line": s[2] or None, "func": s[1], "op": s[4] or "?",
            "kind": s[5] or "unknown"}


def _pin_entries(pins, sites):
    out = []
    for p in pins:
        base = _where(sites, p["base_site"])
        views = []
        for v in p["views"]:
            w = _where(sites, v["site"]) if v["site"] >= 0 else _where([], -1)
            views.append(dict(v, file=w["file"], line=w["line"]))
        out.append({"base_bytes": p["base_bytes"], "base_event": p["base_seq"],
                    "base_file": base["file"], "base_line": base["line"], "base_op": base["op"],
                    "base_shape": p["base_shape"], "base_dtype": p["base_dtype"],
                    "used_bytes": p["used_bytes"], "views": views})
    out.sort(key=lambda e: -e["base_bytes"])
    return out


def build():
    classify_pending()
    st = _arrdbg.stats()
    records = _records()
    pins_exit = _scan(records)
    classify_pending()
    sites = _arrdbg.sites()

    lines = {}
    ops = {}
    for i, s in enumerate(sites):
        file, func, line, lasti, op, kind, ab, ac, fb, fc = s[:10]
        if ab == 0 and fb == 0:
            continue
        e = lines.setdefault((file, line), {"file": file, "line": line or None, "func": func,
                                            "allocated": 0, "freed": 0, "arrays": 0,
                                            "ops": []})
        e["allocated"] += ab
        e["freed"] += fb
        e["arrays"] += ac
        if ac and op not in e["ops"]:
            e["ops"].append(op)
        if ac:
            o = ops.setdefault(op, {"op": op, "kind": kind, "arrays": 0, "bytes": 0})
            o["arrays"] += ac
            o["bytes"] += ab
    line_list = []
    for e in sorted(lines.values(), key=lambda e: (e["file"], e["line"] or 0)):
        e["net"] = e["allocated"] - e["freed"]
        src = linecache.getline(e["file"], e["line"]).strip() if e["line"] else ""
        e["code"] = src
        line_list.append(e)

    peak = _peak_summary(st, sites)
    phases = None
    if _scan_state["phases"]:
        phases = _scan_state["phases"] + [dict(peak, name=_scan_state["phase"])]
        peak = max(phases, key=lambda p: p["bytes"])  # the run's peak: the highest phase's
    near = near_peak["scan"]
    return {
        "format": "arrdbg-numpy-report", "version": 1,
        "totals": dict({k: st[k] for k in ("alloc_bytes", "freed_bytes", "live_bytes",
                                           "allocs", "frees", "live", "seq")},
                       peak_bytes=peak["bytes"]),
        "lines": line_list,
        "ops": sorted(ops.values(), key=lambda o: -o["bytes"]),
        "peak": peak,
        "phases": phases,
        "pins_at_exit": _pin_entries(pins_exit, sites),
        "pins_near_peak": None if near is None else {
            "event": near["event"], "live_bytes": near["live_bytes"],
            "peak_event": near["peak_event"], "pins": _pin_entries(near["pins"], sites)},
    }


