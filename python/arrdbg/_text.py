"""The text report: what print_report writes from report_data()'s dict."""
import os


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


def _lines(d, w):
    """The per-line table: the user's lines, largest first, each with the
    library paths that made its buffers; cut by min_bytes and top, and
    without import-time rows unless asked."""
    opt = d.get("options") or {}
    min_bytes, top = opt.get("min_bytes", 0), opt.get("top", 0)
    shown, small, imports = [], 0, 0
    for e in d["lines"]:
        if e.get("import_time") and not opt.get("imports"):
            imports += 1
        elif max(e["allocated"], e["freed"]) < min_bytes or (top and len(shown) >= top):
            small += 1
        else:
            shown.append(e)
    tags = any(e.get("tag") is not None for e in d["lines"])
    w("per line (bytes allocated where made, freed where released; the user's line, "
      "via the library that made them):\n")
    w(f"  {'line':<28} {'allocated':>15} {'freed':>15} {'net':>15} {'arrays':>7}  "
      f"{'tag  ' if tags else ''}code\n")
    for e in shown:
        tag = f"{e['tag'] or '-'}  " if tags else ""
        w(f"  {_loc(e['file'], e['line']):<28} {e['allocated']:>15,} {e['freed']:>15,} "
          f"{e['net']:>15,} {e['arrays']:>7,}  {tag}{e['code'][:60]}\n")
        for v in e.get("via", [])[:3]:
            if v["bytes"] >= min_bytes:
                w(f"      via {v['text']}  {v['op']} {human(v['bytes'])}\n")
    if small or imports:
        w(f"  ({small} more lines below {human(min_bytes)} or past the top {top}"
          f" (--min-bytes, --top); {imports} import-time lines (--imports))\n")


def print_report(d, out):
    t = d["totals"]
    w = out.write
    w("arrdbg: NumPy data memory\n")
    w(f"  allocated {t['alloc_bytes']:,} bytes in {t['allocs']:,} arrays, freed "
      f"{t['freed_bytes']:,}, live now {t['live_bytes']:,} in {t['live']:,} arrays, "
      f"peak {t['peak_bytes']:,} ({human(t['peak_bytes'])})\n\n")
    _lines(d, w)
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
