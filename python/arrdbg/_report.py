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
import gc
import linecache
import os
import sys

from . import _arrdbg
from ._classify import classify

_HERE = os.path.dirname(os.path.abspath(__file__)) + os.sep
_scan_state = {"near_peak": None, "shapes": {}, "phase": "start", "phases": []}


def _peak_summary(st, sites):
    """The current peak and the arrays live at it."""
    records = _records()
    live = [(seq, b, site, False) for _, (b, seq, site) in records.items() if seq <= st["peak_seq"]]
    live += [(seq, b, site, True) for seq, b, site in _arrdbg.peak_freed()]
    shapes = _scan_state["shapes"]
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


def _span(a):
    """(lowest byte offset from a's data pointer, bytes spanned) of a's elements."""
    if a.size == 0:
        return 0, 0
    lo = hi = 0
    for n, s in zip(a.shape, a.strides):
        ext = (n - 1) * s
        if ext < 0:
            lo += ext
        else:
            hi += ext
    return lo, hi - lo + a.itemsize


def _holders(objs):
    """{id(obj): name} of what refers to each of objs: a dict key (a global,
    an attribute) or a container's type.  Costs a pass over every object
    the collector tracks: only used for the few views that pin a base."""
    want = {id(o) for o in objs}
    out = {}
    refs = [r for r in gc.get_referrers(*objs) if r is not objs]
    refs.sort(key=lambda r: not isinstance(r, dict))  # a name before a container
    for r in refs:
        if isinstance(r, dict):
            for k, v in list(r.items()):
                if id(v) in want and id(v) not in out:
                    out[id(v)] = k if isinstance(k, str) else "a dict"
        elif isinstance(r, (list, tuple, set)):
            for v in r:
                if id(v) in want and id(v) not in out:
                    out[id(v)] = type(r).__name__
    return out


def _scan(records, name_holders=True):
    """Views pinning bases.  records: the live buffers {ptr: (bytes, seq, site)}.

    The handler keeps the set of live ndarray objects (it wraps ndarray's
    tp_alloc and tp_free), so every live view is seen, wherever it is held
    (a global, a container, a function's local variable).  A view's owner is
    its .base (NumPy collapses chains to the array that owns the memory).
    The owner is held by its views alone when its reference count is exactly
    the number of live views of it plus our own references.  No frame's
    f_locals is read (in 3.11 that stores a snapshot in the frame that keeps
    arrays alive) and no weak reference is made."""
    import numpy as np
    owners = {}  # id(owner) -> [owner, [views]]
    shapes = _scan_state["shapes"]
    arrays = _arrdbg.live_arrays()
    for a in arrays:
        b = a.base
        if isinstance(b, np.ndarray):
            if b.flags.owndata:
                owners.setdefault(id(b), [b, []])[1].append(a)
        elif b is None and a.flags.owndata:
            rec = records.get(a.__array_interface__["data"][0])
            if rec is not None:
                shapes[rec[1]] = (list(a.shape), str(a.dtype))
    a = b = arrays = None  # our references must not count below
    pins = []
    for key in list(owners):
        e = owners[key]
        ptr = e[0].__array_interface__["data"][0]
        rec = records.get(ptr)
        if rec is None:
            continue
        shapes[rec[1]] = (list(e[0].shape), str(e[0].dtype))
        # References here: e[0] and getrefcount's argument; one per view's base.
        if sys.getrefcount(e[0]) - 2 - len(e[1]) > 0:
            continue
        spans = []
        for v in e[1]:
            lo, n = _span(v)
            start = v.__array_interface__["data"][0] + lo - ptr
            spans.append((start, start + n))
        covered = 0
        end = None
        for s0, s1 in sorted(spans):
            if end is None or s0 >= end:
                covered += s1 - s0
                end = s1
            elif s1 > end:
                covered += s1 - end
                end = s1
        used = min(covered, sum(int(v.nbytes) for v in e[1]))
        if used * 2 > rec[0]:
            continue
        holders = _holders(e[1]) if name_holders else {}
        vlist = [{"bytes": int(v.nbytes), "shape": list(v.shape), "dtype": str(v.dtype),
                  "holder": holders.get(id(v), "?"), "site": _arrdbg.object_site(v)}
                 for v in e[1]]
        pins.append({"base_bytes": rec[0], "base_seq": rec[1], "base_site": rec[2],
                     "base_shape": list(e[0].shape), "base_dtype": str(e[0].dtype),
                     "used_bytes": used, "views": vlist})
    return pins


def _records():
    return {p: (b, s, site) for p, b, s, site in _arrdbg.records()}


def peak_scan():
    st = _arrdbg.stats()
    pins = _scan(_records(), name_holders=False)
    _scan_state["near_peak"] = {"event": st["seq"], "live_bytes": st["live_bytes"],
                                "peak_event": st["peak_seq"], "pins": pins}


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
    near = _scan_state["near_peak"]
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


def human(n):
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if abs(n) >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n} B"


def _loc(file, line):
    if not file:
        return "?"
    return f"{os.path.basename(file)}:{line}" if line else os.path.basename(file)


def pin_message(p):
    pct = 100.0 * p["used_bytes"] / p["base_bytes"] if p["base_bytes"] else 0.0
    pct_s = f"{pct:.0f}%" if pct >= 1 or pct == 0 else f"{pct:.2g}%"
    base = f"base made at line {p['base_line']} ({_loc(p['base_file'], p['base_line'])}, {p['base_op']})"
    vs = p["views"]
    if len(vs) == 1:
        v = vs[0]
        made = f"made at line {v['line']} ({_loc(v['file'], v['line'])})" if v["line"] else \
            "made before arrdbg saw it"
        held = f", held by {v['holder']}," if v["holder"] != "?" else ""
        who = f"a {human(v['bytes'])} view {made}{held}"
    else:
        who = f"{len(vs)} views ({human(sum(v['bytes'] for v in vs))})"
    return f"{who} keeps alive a {human(p['base_bytes'])} {base} ({pct_s} of it used)"


def print_report(d, out):
    t = d["totals"]
    w = out.write
    w("arrdbg: NumPy data memory\n")
    w(f"  allocated {t['alloc_bytes']:,} bytes in {t['allocs']:,} arrays, freed "
      f"{t['freed_bytes']:,}, live now {t['live_bytes']:,} in {t['live']:,} arrays, "
      f"peak {t['peak_bytes']:,} ({human(t['peak_bytes'])})\n\n")
    w("per line (bytes allocated where made, freed where released):\n")
    w(f"  {'line':<28} {'allocated':>15} {'freed':>15} {'net':>15} {'arrays':>7}  code\n")
    for e in d["lines"]:
        w(f"  {_loc(e['file'], e['line']):<28} {e['allocated']:>15,} {e['freed']:>15,} "
          f"{e['net']:>15,} {e['arrays']:>7,}  {e['code'][:60]}\n")
    w("\nby operation:\n")
    w(f"  {'op':<24} {'kind':<11} {'arrays':>8} {'allocated':>15}\n")
    for o in d["ops"]:
        w(f"  {o['op']:<24} {o['kind']:<11} {o['arrays']:>8,} {o['bytes']:>15,}\n")
    p = d["peak"]
    w(f"\npeak: {p['bytes']:,} bytes ({human(p['bytes'])}) at event {p['event']}, "
      f"{len(p['live'])} arrays live:\n")
    for a in p["live"][:20]:
        shape = f" {a['dtype']}{tuple(a['shape'])}" if a["shape"] is not None else ""
        gone = "" if a["freed_since"] else " (still live)"
        w(f"  {a['bytes']:>15,}  {_loc(a['file'], a['line']):<28} {a['op']}{shape}{gone}\n")
    if len(p["live"]) > 20:
        w(f"  ... and {len(p['live']) - 20} more\n")
    if d.get("phases"):
        w("\npeak of each phase (arrdbg.phase):\n")
        for ph in d["phases"]:
            top = ", ".join(f"{human(a['bytes'])} {_loc(a['file'], a['line'])} {a['op']}"
                            for a in ph["live"][:3])
            w(f"  {ph['name']:<20} {ph['bytes']:>15,} ({human(ph['bytes'])})  {top}\n")
    n = d["pins_near_peak"]
    w("\nviews pinning large bases near the peak")
    if n is None:
        w(": no scan (the live total never passed 1 MiB)\n")
    else:
        w(f" (scan at event {n['event']}, {human(n['live_bytes'])} live; peak at event "
          f"{n['peak_event']}):\n")
        for pin in n["pins"]:
            w(f"  {pin_message(pin)}\n")
        if not n["pins"]:
            w("  none\n")
    w("views pinning large bases at exit:\n")
    for pin in d["pins_at_exit"]:
        w(f"  {pin_message(pin)}\n")
    if not d["pins_at_exit"]:
        w("  none\n")
