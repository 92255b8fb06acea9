"""The text of arrdbg.dask's reports (the data: _dask_worker.explain)."""
from ._text import _loc, human


def _prefix(p):
    return p if p else "no task"


def _keys(g):
    keys = ", ".join(g["keys"][:3])
    more = g["count"] * g["views_per_base"] - min(3, len(g["keys"]))
    return keys + (f" (+{more} more)" if more > 0 else "")


def pin_line(g):
    n = f"{g['count']} x " if g["count"] > 1 else ""
    per = g["views_per_base"]
    views = "a view" if per == 1 else f"{per} views"
    held = "; the base is also held by something else" if g["held_elsewhere"] else ""
    return (f"{n}{human(g['base_bytes'])} base {g['base_dtype']}{tuple(g['base_shape'])} made by task "
            f"{_prefix(g['base_prefix'])} at {_loc(g['base_file'], g['base_line'])} ({g['base_op']}), "
            f"kept by {views} made by task {_prefix(g['view_prefix'])} at "
            f"{_loc(g['view_file'], g['view_line'])}, stored as {_keys(g)}: Dask counts "
            f"{human(g['counted_bytes'])} of it{held}")


def _group_line(r):
    task = f" (task {r['key']})" if r.get("key") else ""
    n = f"{r['count']} buffers" if r["count"] > 1 else "1 buffer"
    return (f"{human(r['bytes']):>10}  {n} made by task {_prefix(r['prefix'])} at "
            f"{_loc(r['file'], r['line'])} ({r['op']}){task}")


def render_worker(w):
    out = []
    a = out.append
    head = "final report of worker" if w.get("final") else "worker"
    a(f"{head} {w.get('name', '?')} ({w.get('address')}, pid {w.get('pid', '?')})\n")
    if "error" in w:
        a(f"  no report: {w['error']}\n")
        return "".join(out)
    m = w["memory"]
    spilled = f", {human(m['spilled_disk'])} spilled to disk" if m["spilled_disk"] else ""
    a(f"  process {human(m['process'])} (RSS) = managed {human(m['managed_in_memory'])} "
      f"(Dask's sizeof of its keys) + unmanaged {human(m['unmanaged'])}{spilled}\n")
    if not w.get("arrdbg"):
        a("  arrdbg is not installed on this worker: arrdbg.dask.enable(client) or "
          "--preload arrdbg.dask\n")
        return "".join(out)
    n = w["numpy"]
    a(f"  NumPy live {human(n['live_bytes'])} in {n['live']} buffers, {human(n['in_store_bytes'])} "
      f"of it counted by Dask; NumPy peak {human(n['peak_bytes'])}\n")
    e = w["explained"]
    p = e["parts"]
    over = "; NumPy counts whole buffers, RSS only the pages written" if e["fraction"] > 1 else ""
    a(f"  unmanaged memory explained: {human(e['bytes'])} of {human(m['unmanaged'])} "
      f"({100 * e['fraction']:.0f}%{over})\n")
    a(f"    {human(p['start']):>10}  the process before arrdbg's start on it (interpreter, modules)\n")
    a(f"    {human(p['pinned']):>10}  bases pinned by stored views, beyond what Dask counts "
      f"({sum(g['count'] for g in w['pins'])} bases)\n")
    a(f"    {human(p['running']):>10}  buffers held by running tasks ({w['running']['buffers']})\n")
    a(f"    {human(p['unheld']):>10}  buffers no task or key holds ({w['unheld']['buffers']})\n")
    if not w.get("tags"):
        a("  (no task prefixes: this arrdbg has no tag API)\n")
    if w["pins"]:
        a("  bases pinned by stored views:\n")
        for g in w["pins"]:
            a(f"    {pin_line(g)}\n")
        if w["pins_more"]:
            a(f"    ... and {w['pins_more']} more groups\n")
    else:
        a("  bases pinned by stored views: none\n")
    for what, title in (("running", "held by running tasks"), ("unheld", "held by no task or key")):
        t = w[what]
        if t["rows"]:
            a(f"  buffers {title}:\n")
            for r in t["rows"]:
                a(f"    {_group_line(r)}\n")
            if t["rows_more"]:
                a(f"    ... and {t['rows_more']} more groups\n")
    bp = w["by_prefix"]
    if bp["prefixes"]:
        a("  NumPy bytes per task prefix:\n")
        a(f"    {'prefix':<24} {'allocated':>10} {'arrays':>7} {'copies':>7} {'copied':>10} {'live':>10}\n")
        for r in bp["prefixes"]:
            a(f"    {r['prefix'][:24]:<24} {human(r['allocated']):>10} {r['arrays']:>7} "
              f"{r['copies']:>7} {human(r['copy_bytes']):>10} {human(r['live_bytes']):>10}\n")
    if bp["lines"]:
        a("  per task prefix and line:\n")
        a(f"    {'prefix':<18} {'line':<28} {'op':<16} {'allocated':>10} {'arrays':>7} {'live':>10}\n")
        for r in bp["lines"]:
            a(f"    {_prefix(r['prefix'])[:18]:<18} {_loc(r['file'], r['line'])[:28]:<28} "
              f"{r['op'][:16]:<16} {human(r['allocated']):>10} {r['arrays']:>7} "
              f"{human(r['live_bytes']):>10}\n")
        if bp["lines_more"]:
            a(f"    ... and {bp['lines_more']} more lines\n")
    return "".join(out)


def render_cluster(d):
    ws = d["workers"]
    out = [f"arrdbg: Dask workers' memory ({len(ws)} workers)\n"]
    for w in ws:
        out.append("\n" + render_worker(w))
    return "".join(out)
