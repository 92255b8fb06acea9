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
from ._attrib import Attributor
from ._classify import classify
from ._pins import near_peak, peak_scan, scan as _scan, shapes
from ._text import print_report

__all__ = ["build", "classify_pending", "end_phase", "peak_scan", "print_report"]

_scan_state = {"phase": "start", "phases": []}
PEAK_LIST = 1000  # the peak's arrays listed (largest first); "arrays" counts them all


def _peak_summary(st, sites, at):
    """The current peak and the arrays live at it."""
    n, live = _arrdbg.peak_live(PEAK_LIST)
    freed_shapes = _arrdbg.peak_shapes()  # the ones freed before a scan saw them
    out = []
    for seq, b, site, freed in live:
        w = _where(sites, site, at)
        shape, dtype = shapes.get(seq) or freed_shapes.get(seq, (None, None))
        out.append({"bytes": b, "event": seq, "file": w["file"], "line": w["line"],
                    "op": w["op"], "kind": w["kind"], "shape": shape, "dtype": dtype,
                    "freed_since": freed,
                    # its whole stack, for the HTML report's icicle (pyux)
                    "stack": at.site(site, sites[site])["stack"] if 0 <= site < len(sites) else None})
    return {"bytes": st["peak_bytes"], "event": st["peak_seq"], "arrays": n,
            "live": out}


def end_phase(next_name):
    classify_pending()
    st = _arrdbg.stats()
    p = _peak_summary(st, _arrdbg.sites(), _attributor())
    p["name"] = _scan_state["phase"]
    _scan_state["phases"].append(p)
    _scan_state["phase"] = next_name
    _arrdbg.reset_peak()


def after_fork():
    """In a forked child: start again from nothing (the parent's arrays,
    phases and scans are not the child's)."""
    _arrdbg.forget()
    _scan_state["phase"], _scan_state["phases"] = "start", []
    near_peak["scan"] = None
    shapes.clear()


_classified = [0]  # sites below this number have been classified


def classify_pending():
    """Classifies the sites made since the last call: each site once, so a
    program with n sites costs O(n) here in all, not O(n) per new site."""
    start = _classified[0]
    new = _arrdbg.sites(start)
    for i, s in enumerate(new, start):
        if not s[4]:
            op, kind = classify(s[10], s[3], s[11])
            _arrdbg.set_op(i, op, kind)
    _classified[0] = start + len(new)


def _where(sites, i, at):
    """Site i charged to its line (at: an _attrib.Attributor): the user's
    file and line, with the op of the innermost frame outside NumPy."""
    s = sites[i] if 0 <= i < len(sites) else None
    if s is None:
        return {"file": None, "line": None, "func": None, "op": "?", "kind": "unknown"}
    a = at.site(i, s)
    if a["user"] is None:
        file, func, line = s[0], s[1], s[2]
    else:
        file, func, line = at.frames[a["user"]][:3]
    return {"file": file, "line": line or None, "func": func, "op": s[4] or "?",
            "kind": s[5] or "unknown"}


def _attributor():
    return Attributor(_arrdbg.frames(), _arrdbg.stacks())


def _pin_entries(pins, sites, at):
    out = []
    for p in pins:
        base = _where(sites, p["base_site"], at)
        views = []
        for v in p["views"]:
            w = _where(sites, v["site"], at)
            views.append(dict(v, file=w["file"], line=w["line"]))
        out.append({"base_bytes": p["base_bytes"], "base_event": p["base_seq"],
                    "base_file": base["file"], "base_line": base["line"], "base_op": base["op"],
                    "base_shape": p["base_shape"], "base_dtype": p["base_dtype"],
                    "used_bytes": p["used_bytes"], "views": views})
    out.sort(key=lambda e: -e["base_bytes"])
    return out


def _user_op(at, a, op, kind):
    """The op of the user's own call when it says more than the library's
    (df.to_numpy() is a copy though pandas makes it with np.empty)."""
    code, lasti = at.frames[a["user"]][3:5]
    uop, ukind = classify(code, lasti, at.frames[a["via"][0]][3])
    if ukind in ("copy", "creation", "load") and not uop.startswith("call "):
        return uop, ukind
    return op, kind


def _lines(sites, at):
    """The per-line rows (user's line and tag; largest first), the ops and
    the by-tag summary."""
    lines, ops, by_tag = {}, {}, {}
    live = _arrdbg.live_by_site()
    for i, s in enumerate(sites):
        op, kind, ab, ac, fb, tag = s[4], s[5], s[6], s[7], s[8], s[13]
        if ab == 0 and fb == 0:
            continue
        w, a = _where(sites, i, at), at.site(i, s)
        if op == "temporary" and i in live:
            # NumPy reuses a temporary for the next operation of the
            # expression when it can (a * 2 + 1 allocates once): what is
            # still live is the expression's result.
            op = "arithmetic"
        if a["via"]:
            op, kind = _user_op(at, a, op, kind)
        key = (w["file"], w["line"], tag)
        e = lines.get(key)
        if e is None:
            e = lines[key] = {"file": w["file"], "line": w["line"], "func": w["func"],
                              "tag": tag, "allocated": 0, "freed": 0, "arrays": 0,
                              "ops": [], "user_code": a["user_code"], "import_time": True,
                              "via": {}, "stacks": []}
        e["allocated"] += ab
        e["freed"] += fb
        e["arrays"] += ac
        e["import_time"] = e["import_time"] and a["import_time"]
        if a["stack"] is not None and a["stack"] not in e["stacks"]:
            e["stacks"].append(a["stack"])
        if ac and op not in e["ops"]:
            e["ops"].append(op)
        if ac and a["via"]:
            v = e["via"].setdefault(tuple(a["via"]), {"frames": a["via"], "op": op, "kind": kind,
                                                      "bytes": 0, "arrays": 0})
            v["bytes"] += ab
            v["arrays"] += ac
        if ac:
            o = ops.setdefault(op, {"op": op, "kind": kind, "arrays": 0, "bytes": 0})
            o["arrays"] += ac
            o["bytes"] += ab
        if tag is not None:
            t = by_tag.setdefault(tag, {"allocated": 0, "freed": 0, "arrays": 0,
                                        "copies": 0, "copy_bytes": 0})
            t["allocated"] += ab
            t["freed"] += fb
            t["arrays"] += ac
            if kind == "copy":
                t["copies"] += ac
                t["copy_bytes"] += ab
    line_list = []
    for e in sorted(lines.values(), key=lambda e: (-e["allocated"], -e["freed"],
                                                    e["file"] or "", e["line"] or 0)):
        e["net"] = e["allocated"] - e["freed"]
        e["code"] = linecache.getline(e["file"], e["line"]).strip() if e["line"] else ""
        e["via"] = [dict(v, text=at.via_text(v["frames"]))
                    for v in sorted(e["via"].values(), key=lambda v: -v["bytes"])]
        line_list.append(e)
    return line_list, ops, by_tag


def build():
    classify_pending()
    st = _arrdbg.stats()
    pins_exit = _scan()
    classify_pending()
    sites = _arrdbg.sites()

    at = _attributor()
    line_list, ops, by_tag = _lines(sites, at)
    peak = _peak_summary(st, sites, at)
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
        "options": dict({k: at.opts[k] for k in ("no_lib", "stack_depth", "top", "imports")},
                        min_bytes=at.opts["min_bytes"] if at.opts["min_bytes"] is not None
                        else min(100_000, st["alloc_bytes"] // 100)),
        "lines": line_list,
        "ops": sorted(ops.values(), key=lambda o: -o["bytes"]),
        "by_tag": by_tag,
        "frames": [{"file": f[0], "line": f[2], "func": f[1]} for f in at.frames],
        "stacks": [list(t) for t in at.stacks],
        "peak": peak,
        "phases": phases,
        "pins_at_exit": _pin_entries(pins_exit, sites, at),
        "pins_near_peak": None if near is None else {
            "event": near["event"], "live_bytes": near["live_bytes"],
            "peak_event": near["peak_event"], "pins": _pin_entries(near["pins"], sites, at)},
    }


