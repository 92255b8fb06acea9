"""python3 -m arrdbg run --dask: a script that makes its own LocalCluster
and Client gets arrdbg on every worker and their report (text, and JSON
under "dask") when its Client closes; tasks of dask's local schedulers
carry their prefix, each on its own thread."""
import json
import os
import shutil
import subprocess

from dtest import MB, check, done, line_of, schema_errors, tmpdir

HERE = os.path.dirname(os.path.abspath(__file__))
PY = os.environ.get("ARRDBG_PYTHON", "/usr/bin/python3")


def arrdbg_run(tmp, *args):
    """python3 -m arrdbg run --dask --json FILE ARGS: (the process, the JSON)."""
    js = os.path.join(tmp, "r.json")
    env = dict(os.environ, ARRDBG_DASK_DIR=os.path.join(tmp, "finals"))
    p = subprocess.run([PY, "-m", "arrdbg", "run", "--dask", "--json", js] + list(args),
                       cwd=tmp, env=env, capture_output=True, text=True, timeout=90)
    data = None
    if os.path.exists(js):
        with open(js) as f:
            data = json.load(f)
    return p, data


def main():
    tmp = tmpdir()
    try:
        prog = os.path.join(HERE, "prog_cluster.py")
        p, data = arrdbg_run(tmp, prog)
        check(p.returncode == 0 and "rows: 20" in p.stdout, f"the script ran: exit {p.returncode} {p.stderr[-500:]}")
        clusters = (data or {}).get("dask") or []
        check(len(clusters) == 1 and len(clusters[0]["workers"]) == 2,
              f"one cluster report of 2 workers in the JSON: {[len(c['workers']) for c in clusters]}")
        for w in (clusters[0]["workers"] if clusters else []):
            g = w.get("pins") or [{}]
            check(w.get("arrdbg") and g[0].get("count") == 2 and g[0].get("base_line") == line_of(prog, "chunk")
                  and g[0].get("view_line") == line_of(prog, "rows") and g[0].get("base_bytes") == 16 * MB,
                  f"worker {w.get('name')}: 2 pins of 16 MB bases at the script's lines: {g}")
        errs = schema_errors(data)
        check(data and not errs, f"the report with its dask key validates against report.schema.json: {errs[:3]}")
        # The schema describes the dask key: a wrong field in it is refused.
        for what, brk in (("a pin's line as text", lambda w: w["pins"][0].__setitem__("base_line", "11")),
                          ("no memory figures", lambda w: w.pop("memory")),
                          ("arrdbg on, no numpy figures", lambda w: w.pop("numpy")),
                          ("a negative unmanaged", lambda w: w["memory"].__setitem__("unmanaged", -1))):
            bad = json.loads(json.dumps(data or {"dask": [{"workers": [{"pins": [{}], "memory": {}}]}]}))
            try:
                brk(bad["dask"][0]["workers"][0])
            except (KeyError, IndexError):
                pass
            check(bool(schema_errors(bad)), f"the schema refuses a dask report with {what}")
        check(p.stderr.count("2 x 16.0 MB base") == 2 and "arrdbg: Dask workers' memory (2 workers)" in p.stderr,
              "the text report, per worker, on stderr")
        check(os.path.isdir(os.path.join(tmp, "finals")) and
              len([f for f in os.listdir(os.path.join(tmp, "finals")) if f.endswith(".json")]) == 2,
              "each worker wrote its final report when the cluster closed")
        # The HTML page carries the workers' reports, escaped (a worker
        # named like markup stays text).
        js, page = os.path.join(tmp, "r.json"), os.path.join(tmp, "r.html")
        with open(js) as f:
            hostile = json.load(f)
        hostile["dask"][0]["workers"][0]["name"] = "<script>bad()</script>"
        with open(js, "w") as f:
            json.dump(hostile, f)
        h = subprocess.run([PY, "-m", "arrdbg", "html", js, "-o", page], capture_output=True,
                           text=True, timeout=60)
        text = open(page).read() if h.returncode == 0 and os.path.exists(page) else ""
        check('<section id="arrdbg-dask"' in text and "2 x 16.0 MB base" in text and
              "&lt;script&gt;bad()" in text and "<script>bad()" not in text,
              f"the HTML page has the Dask workers' reports, escaped: exit {h.returncode} {h.stderr[-300:]}")

        p, data = arrdbg_run(tmp, "--quiet", prog, "--no-close")
        clusters = (data or {}).get("dask") or []
        check(p.returncode == 0 and len(clusters) == 1 and
              sorted(g["count"] for w in clusters[0]["workers"] for g in w["pins"]) == [2, 2],
              f"a Client never closed: its cluster is reported at the end: exit {p.returncode}, "
              f"{len(clusters)} reports {p.stderr[-300:]}")
        check("base" not in p.stderr, "--quiet: no report text, the JSON has it all")

        prog = os.path.join(HERE, "prog_local.py")
        p, data = arrdbg_run(tmp, prog)
        check(p.returncode == 0, f"the local-scheduler script ran: {p.stderr[-500:]}")
        tags = (data or {}).get("by_tag") or {}
        print("by_tag:", json.dumps(tags)[:600])
        lines = {(e.get("tag"), e["line"]): e for e in (data or {}).get("lines", [])
                 if e["file"] and os.path.samefile(e["file"], prog)}
        a = lines.get(("alpha", line_of(prog, "alpha")), {}).get("allocated")
        b = lines.get(("beta", line_of(prog, "beta")), {}).get("allocated")
        check(a is not None and b is not None and 22 * MB <= a < 22 * MB + 1000
              and 20 * 3 * MB <= b < 20 * 3 * MB + 1000,
              f"threaded and sync schedulers: each task's bytes under its own prefix (alpha {a}, beta {b})")
        nested = {k: lines.get(k, {}).get("allocated") for k in
                  (("outer", line_of(prog, "outer_before")), ("inner_fn", line_of(prog, "inner")),
                   ("outer", line_of(prog, "outer_after")))}
        check([v and v // MB for v in nested.values()] == [6, 12, 6],
              f"a task computing a graph inside: inner tasks under their prefix, the outer's "
              f"tag back after them: {nested}")
        want = {("alpha", line_of(prog, "alpha")), ("beta", line_of(prog, "beta")),
                ("outer", line_of(prog, "outer_before")), ("inner_fn", line_of(prog, "inner")),
                ("outer", line_of(prog, "outer_after"))}
        other = [(e["tag"], e["line"], e["allocated"]) for e in (data or {}).get("lines", [])
                 if e.get("tag") in ("alpha", "beta", "outer", "inner_fn")
                 and (e["tag"], e["line"]) not in want
                 and e["allocated"] >= 1000]
        check(not other, f"no other line carries a task's prefix: {other}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    done()


if __name__ == "__main__":
    main()
