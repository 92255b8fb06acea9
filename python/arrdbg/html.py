"""The report as one self-contained HTML page (no network, no external file).

    python3 -m arrdbg run --html report.html SCRIPT
    python3 -m arrdbg html REPORT.json [-o report.html]
    arrdbg.html.render(arrdbg.report_data())          # a str

The page (html_report.js draws it, html_report.css styles it, both inlined):
live NumPy memory over time with the peak marked and the buffers live at
it, the per-line table (sortable, filterable), copies by op, pinned bases,
and an icicle of the bytes live at the peak by Python stack; after a
`run --dask`, the Dask workers' reports (arrdbg.dask's text).  The report's
data is embedded as JSON (every "<", ">" and "&" escaped, so no label or
file name can end the script element) and every piece of text reaches the
page through textContent, never as markup.
"""
import html as _html
import json
import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))


def _asset(name):
    with open(os.path.join(_HERE, name), encoding="utf-8") as f:
        return f.read()


def _frames(a, frames, stacks):
    """The Python stack of a buffer live at the peak, outermost first: the
    report's interned stack when it has one, else its file and line."""
    sid = a.get("stack")
    if isinstance(sid, int) and 0 <= sid < len(stacks):
        names = [_frame_name(frames[f]) for f in reversed(stacks[sid]) if 0 <= f < len(frames)]
        if names:
            return names
    f = os.path.basename(a.get("file") or "?")
    return [f, f"{f}:{a.get('line') or '?'} {a.get('op') or ''}".rstrip()]


def _frame_name(f):
    return f"{f.get('func') or '?'} ({os.path.basename(str(f.get('file') or '?'))}:{f.get('line') or '?'})"


def flame(data):
    """{"n": name, "v": bytes, "c": [children]}: the bytes live at the peak
    by Python stack (the icicle's tree).  The outer frames every stack
    shares (arrdbg's runner, pytest's or IPython's machinery) are left out
    but for the innermost of them."""
    frames, stacks = data.get("frames") or [], data.get("stacks") or []
    paths = [(a["bytes"], _frames(a, frames, stacks)) for a in data["peak"]["live"]]
    common = min((len(p) - 1 for _, p in paths), default=0)
    for k in range(common):
        if any(p[k] != paths[0][1][k] for _, p in paths):
            common = k
            break
    root = {"n": "all", "v": 0, "c": {}}
    for b, path in paths:
        node = root
        node["v"] += b
        for name in path[max(0, common - 1):]:
            node = node["c"].setdefault(name, {"n": name, "v": 0, "c": {}})
            node["v"] += b

    def freeze(n):
        kids = sorted((freeze(c) for c in n["c"].values()), key=lambda c: -c["v"])
        return {"n": n["n"], "v": n["v"], "c": kids}
    return freeze(root)


def _payload(data):
    """What the page needs, compact: the per-line table as rows."""
    files = {}

    def fid(f):
        return files.setdefault(f or "?", len(files))
    rows = [[fid(e["file"]), e["line"] or 0, e["func"] or "", e["allocated"], e["freed"], e["net"],
             e["arrays"], " ".join(e["ops"]), e["code"]] for e in data["lines"]]
    return {
        "title": (data.get("window") or {}).get("name") or data.get("script") or "arrdbg report",
        "totals": data["totals"],
        "files": [os.path.basename(f) for f in files],
        "paths": list(files),
        "lines": rows,
        "ops": data["ops"],
        "peak": data["peak"],
        "phases": [{"name": p["name"], "bytes": p["bytes"], "event": p["event"]}
                   for p in (data.get("phases") or [])],
        "pins_at_exit": data["pins_at_exit"],
        "pins_near_peak": data.get("pins_near_peak"),
        "timeline": data.get("timeline"),
        "window": data.get("window"),
        "flame": flame(data),
    }


def _dask_section(data):
    """Dask clusters' reports (run --dask puts them under "dask") as the
    same text arrdbg.dask prints, escaped: per worker, Dask's managed and
    unmanaged figures and what explains the unmanaged part."""
    reports = data.get("dask")
    if not isinstance(reports, list) or not reports:
        return ""
    from ._dask_text import render_cluster
    parts = []
    for d in reports:
        try:
            parts.append(render_cluster(d))
        except (KeyError, TypeError, ValueError, AttributeError) as e:
            parts.append(f"(a cluster report that cannot be shown: {type(e).__name__}: {e})\n")
    return ('<section id="arrdbg-dask" class="arrdbg"><h2>Dask workers</h2><pre>'
            + _html.escape("\n".join(parts)) + "</pre></section>\n")


def _script_json(obj):
    """JSON that is safe inside a <script> element."""
    s = json.dumps(obj, separators=(",", ":"), ensure_ascii=True)
    return s.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render(data, title=None):
    """The page for a report dict (arrdbg.report_data(), a measured block's)."""
    p = _payload(data)
    if title is not None:
        p["title"] = str(title)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n"
        f"<title>arrdbg: {_html.escape(p['title'])}</title>\n"
        f"<style>{_asset('html_report.css')}</style></head>\n"
        "<body><div id=\"arrdbg\" class=\"arrdbg\"><p>This report needs JavaScript "
        "(python3 -m arrdbg run prints the same figures as text).</p></div>\n"
        f"{_dask_section(data)}"
        f"<script type=\"application/json\" id=\"arrdbg-data\">{_script_json(p)}</script>\n"
        f"<script>{_asset('html_report.js')}</script>\n</body></html>\n")


def fragment(data, uid):
    """The report for a notebook cell (IPython's _repr_html_): the same
    drawing in an iframe of its own (srcdoc), so its script runs and its
    ids and styles do not meet the notebook's."""
    page = render(data)
    return (f'<iframe id="arrdbg-{int(uid)}" style="width:100%;height:720px;border:1px solid #ccc" '
            f'sandbox="allow-scripts" srcdoc="{_html.escape(page, quote=True)}"></iframe>')


def write(data, path, title=None):
    """The page at path (a FIFO, device or symlink there is written into)."""
    from ._run import write_file
    write_file(path, render(data, title))


def main(argv):
    import argparse
    p = argparse.ArgumentParser(prog="python3 -m arrdbg html",
                                description="the HTML page of a JSON report (run --json)")
    p.add_argument("report")
    p.add_argument("-o", "--output", metavar="FILE",
                   help="where to write it (default: REPORT with .html for .json)")
    args = p.parse_args(argv)
    from ._files import load_report
    out = args.output or (args.report[:-5] if args.report.endswith(".json") else args.report) + ".html"
    try:
        data = load_report(args.report)
        write(data, out, title=os.path.basename(args.report))
    except ValueError as e:
        print(f"arrdbg html: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"arrdbg html: cannot write {out}: {e.strerror or e}", file=sys.stderr)
        return 2
    print(out)
    return 0
