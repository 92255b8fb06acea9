"""Measure a block: NumPy peak, copies and pins between two points.

    w = Window("test_foo").start()
    ...                                   # the code to measure
    rep = w.stop()                        # a report dict, for this block only

The result has the shape of the whole-run report (arrdbg.report_data(),
report.schema.json), restricted to the block, plus a "window" entry with
the figures limits are checked against:

  peak        the highest live NumPy data bytes during the block, above what
              was live when it started (what the block itself needed)
  copies      arrays made by copying ops (kind "copy": copy, astype,
              ascontiguousarray, fancy indexing, a reshape that had to copy...)
  pinned      bases made during the block that, when it ends, are held alive
              by views alone that use at most half of them

Each window is an arrdbg.phase() unless made with phase=False: the run's
report keeps every window's own peak (the IPython magics use this; the
pytest plugin does not, a session's report being of no use).  Windows do
not nest.
"""
import time

import arrdbg
from . import _report
from ._text import human, pin_message

_active = []


class WindowError(RuntimeError):
    pass


def _site_counts():
    """Per site: (allocated bytes, arrays, freed bytes, frees)."""
    return [tuple(s[6:10]) for s in arrdbg._arrdbg.sites()]


def _delta_sites(before, sites):
    """The sites with their counters made relative to before (same indices)."""
    out = []
    for i, s in enumerate(sites):
        b = before[i] if i < len(before) else (0, 0, 0, 0)
        out.append(tuple(s[:6]) + tuple(x - y for x, y in zip(s[6:10], b)) + tuple(s[10:]))
    return out


def _stack_tables(lines, live, at):
    """{"frames", "stacks"}: only those the block's rows refer to (a run's
    tables hold every stack seen so far), their ids renumbered in the rows."""
    stack_ids, frame_ids = {}, {}

    def frame(f):
        return frame_ids.setdefault(f, len(frame_ids))

    def stack(sid):
        if sid is None or not 0 <= sid < len(at.stacks):
            return None
        if sid not in stack_ids:
            stack_ids[sid] = (len(stack_ids), [frame(f) for f in at.stacks[sid]])
        return stack_ids[sid][0]
    for e in lines:
        e["stacks"] = [stack(sid) for sid in e.get("stacks", ())]
        for v in e.get("via", ()):
            v["frames"] = [frame(f) for f in v["frames"]]
    for a in live:
        a["stack"] = stack(a.get("stack"))
    frames = [None] * len(frame_ids)
    for f, i in frame_ids.items():
        frames[i] = {"file": at.frames[f][0], "line": at.frames[f][2], "func": at.frames[f][1]}
    return {"frames": frames, "stacks": [ids for _, ids in sorted(stack_ids.values())]}


class Window:
    def __init__(self, name, phase=True):
        """phase: make the block a phase of the run's report (its own peak
        kept there: the magics); False restarts the peak without keeping
        anything per block (the pytest plugin: thousands of tests)."""
        self.name = str(name)
        self.phase = phase
        self._t0 = None

    def start(self):
        if _active:
            raise WindowError(f"arrdbg: cannot measure {self.name!r} inside {_active[-1].name!r} "
                              f"(windows do not nest)")
        arrdbg.install()
        _report.classify_pending()
        if self.phase:
            arrdbg.phase(self.name)  # the peak restarts from what is live now
        else:
            arrdbg._arrdbg.reset_peak()
        st = arrdbg._arrdbg.stats()
        self._live0 = st["live_bytes"]
        self._seq0 = st["seq"]
        self._alloc0 = (st["alloc_bytes"], st["freed_bytes"], st["allocs"], st["frees"])
        self._sites0 = _site_counts()
        self._t0 = time.perf_counter()
        _active.append(self)
        return self

    def stop(self, scan_pins=True):
        """The block's report (a dict).  scan_pins=False skips the views scan
        (pinned is then None)."""
        if not _active or _active[-1] is not self:
            raise WindowError(f"arrdbg: window {self.name!r} was not started")
        seconds = time.perf_counter() - self._t0
        _active.pop()
        _report.classify_pending()
        st = arrdbg._arrdbg.stats()
        sites = arrdbg._arrdbg.sites()
        at = _report._attributor()
        peak = _report._peak_summary(st, sites, at)
        peak["live"] = [a for a in peak["live"] if a["event"] > self._seq0]
        pins = None
        if scan_pins:
            pins = [p for p in _report._pin_entries(_report._scan(), sites, at)
                    if p["base_event"] > self._seq0]
        lines, ops, by_tag = _report._lines(_delta_sites(self._sites0, sites), at)
        ops = sorted(ops.values(), key=lambda o: -o["bytes"])
        if self.phase:
            arrdbg.phase("after " + self.name)
        a0, f0, n0, m0 = self._alloc0
        copies = [o for o in ops if o["kind"] == "copy"]
        extra = max(0, peak["bytes"] - self._live0)
        return {
            "format": "arrdbg-numpy-report", "version": 1,
            "schema_version": arrdbg.SCHEMA_VERSION,
            "totals": {"alloc_bytes": st["alloc_bytes"] - a0, "freed_bytes": st["freed_bytes"] - f0,
                       "live_bytes": st["live_bytes"], "allocs": st["allocs"] - n0,
                       "frees": st["frees"] - m0, "live": st["live"], "seq": st["seq"],
                       "peak_bytes": peak["bytes"]},
            "lines": lines,
            "ops": ops,
            "by_tag": by_tag,
            **_stack_tables(lines, peak["live"], at),
            "peak": peak,
            "phases": None,
            "pins_at_exit": pins or [],
            "pins_near_peak": None,
            "window": {"name": self.name, "first_event": self._seq0 + 1, "last_event": st["seq"],
                       "live_at_start": self._live0, "peak": extra,
                       "copies": sum(o["arrays"] for o in copies),
                       "copy_bytes": sum(o["bytes"] for o in copies),
                       "pinned": None if pins is None else len(pins),
                       "seconds": round(seconds, 6)},
        }


def measure(name, func, *args, **kwargs):
    """(func's result, the window's report) of one call."""
    w = Window(name).start()
    try:
        result = func(*args, **kwargs)
    finally:
        rep = w.stop()
    return result, rep


def over_limits(rep, limits):
    """One line per limit the block's report exceeds."""
    w = rep["window"]
    out = []
    if "peak" in limits and w["peak"] > limits["peak"]:
        out.append(f"peak {w['peak']:,} bytes ({human(w['peak'])}) > limit "
                   f"{limits['peak']:,} ({human(limits['peak'])})")
    if "copies" in limits and w["copies"] > limits["copies"]:
        out.append(f"copies {w['copies']:,} ({human(w['copy_bytes'])}) > limit {limits['copies']:,}")
    if "pinned" in limits and (w["pinned"] or 0) > limits["pinned"]:
        out.append(f"pinned bases {w['pinned']:,} > limit {limits['pinned']:,}")
    return out


def _loc(file, line, names=None):
    if not file:
        return "?"
    if names and file in names:
        file = names[file]
    else:
        file = file.rsplit("/", 1)[-1]
    return f"{file}:{line}" if line else file


def summary_line(rep):
    """peak, copies and pins of a block, on one line."""
    w = rep["window"]
    pinned = "?" if w["pinned"] is None else f"{w['pinned']:,}"
    return (f"peak {human(w['peak'])} ({w['peak']:,} bytes), copies {w['copies']:,} "
            f"({human(w['copy_bytes'])}), pinned bases {pinned}")


def text(rep, names=None, top=10):
    """The block's report as text: what it allocated per line (largest
    first), copies by op, what was live at its peak, the bases it pins.
    names maps file names to display names ("In [3]")."""
    w = rep["window"]
    out = [f"arrdbg: {w['name']}: {summary_line(rep)}"]
    lines = sorted((e for e in rep["lines"] if e["allocated"]), key=lambda e: -e["allocated"])
    if lines:
        out.append("  allocated per line (largest first):")
        for e in lines[:top]:
            ops = ", ".join(e["ops"])
            ops = ops if len(ops) <= 24 else ops[:23] + "…"
            out.append(f"    {e['allocated']:>15,}  {e['arrays']:>5,} arrays  "
                       f"{_loc(e['file'], e['line'], names):<24} {ops:<16} {e['code'][:60]}")
        if len(lines) > top:
            out.append(f"    ... and {len(lines) - top} more lines")
    copies = [o for o in rep["ops"] if o["kind"] == "copy"]
    if copies:
        out.append("  copies by op: " + ", ".join(f"{o['op']} {o['arrays']:,} ({human(o['bytes'])})"
                                                  for o in copies))
    live = rep["peak"]["live"]
    if live:
        out.append(f"  made in the block and live at its peak ({len(live)} arrays):")
        for a in live[:top]:
            shape = f" {a['dtype']}{tuple(a['shape'])}" if a["shape"] is not None else ""
            out.append(f"    {a['bytes']:>15,}  {_loc(a['file'], a['line'], names):<24} {a['op']}{shape}")
    for p in rep["pins_at_exit"]:
        out.append("  pinned: " + pin_message(p))
    return "\n".join(out)
