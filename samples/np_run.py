#!/usr/bin/python3
"""samples/np_run.py - the NumPy samples (samples/np_*.py) under arrdbg.

Each sample runs as `python3 -m arrdbg run --json FILE samples/np_X.py` (the
package from $ARRDBG_BUILD/python) and the report is checked against the
`expect arrdbg:` line of the sample's docstring.  Lines are named by marker
comments (`# @name`) in the sample, never by number.  Tokens:

    @M=KIND:OP    line @M made arrays; the first op there is OP, of kind KIND
    @M=none       line @M made no array (a view, or nothing to copy)
    @M=freed      line @M released memory
    peak:@A,@B    arrays made on these lines were live at the peak
    pin:@V>@B     at exit a view made at @V pins a base made at @B, which it
                  uses less than half of
    leak:@M       line @M made several arrays and none was freed (memory
                  that only grows)
    phase:A<B/N   phase A's peak (arrdbg.phase) is below phase B's over N
    tag:NAME      arrays were made under tag NAME (a Dask task prefix)
    dask-pin:@V>@B        on every worker (run --dask), a base made at @B is
                          pinned by a stored view made at @V, both named
                          with their task prefix
    dask-nopin            no worker reports a pinned base
    dask-explained:P      every worker's report explains at least P% of its
                          unmanaged memory, and its NumPy parts at least P%
                          of what grew beyond the process at arrdbg's start
                          (when that is 10% of unmanaged memory or more)

`run with: OPTIONS` in the docstring adds options to `arrdbg run` (e.g.
--dask), `args: ARGS` gives the sample its arguments.

An `expect arrcheck:` line also runs the sample under Valgrind's arrcheck
through arrdbg (when the tool is built): Kind=N error counts, and
label=@A,@B for a DanglingAccess whose owner is labelled FILE:A..B,
pyline=@R for a DanglingAccess whose Python stack (arrcheck reads it from
CPython's frames) starts at line @R of the sample.

    samples/np_run.py [--quiet] [--show NAME]     exit 1 on any mismatch
"""
import argparse
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("ARRDBG_BUILD", "build")
PYTHON = os.environ.get("ARRDBG_PYTHON", "/usr/bin/python3")
# The package, and the samples' C extensions (build/samples/*.so).
PYPATH = os.pathsep.join(os.path.join(ROOT, BUILD, d) for d in ("python", "samples"))


def arrcheck_built():
    return bool(glob.glob(os.path.join(ROOT, BUILD, "valgrind", "lib", "arrcheck-*")))


def run_arrcheck(path, tokens, mk):
    """Problems with the sample under valgrind --tool=arrcheck (valgrind/arrgrind)
    through arrdbg, against `expect arrcheck:` tokens: Kind=N counts errors
    by <kind> (every kind found must be listed: no suppression file), and
    label=@A,@B wants a DanglingAccess whose owner label is FILE:A..B."""
    import xml.etree.ElementTree as ET
    from collections import Counter
    with tempfile.TemporaryDirectory(prefix="arrdbg-np-vg-") as tmp:
        xml = os.path.join(tmp, "vg.xml")
        env = dict(os.environ, PYTHONPATH=PYPATH, ARRDBG_BUILD=BUILD)
        cmd = [os.path.join(ROOT, "valgrind", "arrgrind"), "--xml=yes", "--xml-file=" + xml,
               PYTHON, "-m", "arrdbg", "run", "--quiet", path]
        try:
            p = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
        except subprocess.TimeoutExpired:
            return ["arrcheck: timed out"]
        try:
            root = ET.parse(xml).getroot()
        except (ET.ParseError, OSError) as e:
            return [f"arrcheck: exit {p.returncode}, no XML ({e}): {p.stderr.strip()[-300:]}"]
    found = Counter(e.findtext("kind", "?") for e in root.iter("error"))
    labels = [a.text or "" for e in root.iter("error") if e.findtext("kind") == "DanglingAccess"
              for a in e.iter("auxwhat")]
    pylines = [python_top(e) for e in root.iter("error") if e.findtext("kind") == "DanglingAccess"]
    bad = []
    want = Counter()
    for t in tokens:
        m = re.fullmatch(r"label=@(\w+),@(\w+)", t)
        if m:
            text = f"'{os.path.basename(path)}:{mk[m.group(1)]}..{mk[m.group(2)]}'"
            if not any(text in a for a in labels):
                bad.append(f"arrcheck: no DanglingAccess names {text}: {labels}")
            continue
        m = re.fullmatch(r"pyline=@(\w+)", t)
        if m:
            where = (os.path.basename(path), mk[m.group(1)])
            if where not in pylines:
                bad.append(f"arrcheck: no DanglingAccess whose Python stack starts at "
                           f"{where[0]}:{where[1]}: {pylines}")
            continue
        k, n = t.split("=")
        want[k] = int(n)
    if found != want:
        bad.append(f"arrcheck: expected {dict(want)}, found {dict(found)}")
    return bad


def python_top(error):
    """(file, line) of the innermost frame of an error's Python stack (the
    <stack> after the auxwhat 'Python stack...'), or None."""
    after = False
    for child in error:
        if child.tag == "auxwhat":
            after = (child.text or "").startswith("Python stack")
        elif child.tag == "stack" and after:
            frame = child.find("frame")
            if frame is None or not frame.findtext("line"):
                return None
            return frame.findtext("file"), int(frame.findtext("line"))
    return None


def markers(path):
    out = {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            m = re.search(r"#\s*@(\w+)\s*$", line)
            if m:
                out[m.group(1)] = n
    return out


def expectations(path, tool="arrdbg"):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    m = re.search(rf"^expect {tool}:(.*)$", text, re.M)
    return m.group(1).split() if m else None


def directive(path, name):
    """The words of a `name: ...` docstring line (run with:, args:), or []."""
    with open(path, encoding="utf-8") as f:
        m = re.search(rf"^{name}:(.*)$", f.read(), re.M)
    return m.group(1).split() if m else []


def check_dask_token(tok, report, mk, path):
    """dask-* tokens: None when every worker of every cluster report (run
    --dask, taken as each Client closed) shows it, else what they show."""
    clusters = report.get("dask") or []
    workers = [w for c in clusters for w in c["workers"]]
    if not workers:
        return "no Dask worker report (run with: --dask?)"
    bad = []
    m = re.fullmatch(r"dask-pin:@(\w+)>@(\w+)", tok)
    for w in workers:
        if "error" in w or not w.get("arrdbg"):
            bad.append(f"worker {w.get('name')}: {w.get('error', 'arrdbg not installed')}")
        elif m:
            v, b = mk[m.group(1)], mk[m.group(2)]
            if not any(g["view_line"] == v and g["base_line"] == b and g["base_prefix"]
                       and g["view_prefix"] and g["keys"] for g in w["pins"]):
                bad.append(f"worker {w['name']} pins: " + "; ".join(
                    f"{g['count']} x view {g['view_line']} ({g['view_prefix']}) > base "
                    f"{g['base_line']} ({g['base_prefix']})" for g in w["pins"]))
        elif tok == "dask-nopin":
            if w["pins"]:
                bad.append(f"worker {w['name']}: {len(w['pins'])} pin groups")
        elif tok.startswith("dask-explained:"):
            want = float(tok.split(":")[1]) / 100
            e, unmanaged = w["explained"], w["memory"]["unmanaged"]
            numpy = e["bytes"] - e["parts"]["start"]
            beyond = unmanaged - e["parts"]["start"]
            # The NumPy parts are held to P% of what grew beyond the start
            # when that growth is a tenth of unmanaged memory or more.
            if e["fraction"] < want or (beyond >= 0.1 * unmanaged and numpy < want * beyond):
                bad.append(f"worker {w['name']}: {e['fraction']:.0%} explained, NumPy parts "
                           f"{numpy} of {beyond} bytes beyond the start")
        else:
            raise ValueError(f"unknown token {tok!r}")
    return "; ".join(bad) or None


def by_line(report, path):
    return {e["line"]: e for e in report["lines"]
            if os.path.abspath(e["file"]) == os.path.abspath(path)}


def check_token(tok, report, mk, path):
    """None when the report shows what tok says, else what it shows."""
    if tok.startswith("dask-"):
        return check_dask_token(tok, report, mk, path)
    m = re.fullmatch(r"tag:(\S+)", tok)
    if m:
        tags = report.get("by_tag") or {}
        return None if m.group(1) in tags else f"tags {sorted(map(str, tags))}"
    lines = by_line(report, path)
    kinds = {o["op"]: o["kind"] for o in report["ops"]}

    def line(name):
        if name not in mk:
            raise ValueError(f"no marker @{name}")
        return mk[name]
    m = re.fullmatch(r"@(\w+)=(\w+)(?::(.+))?", tok)
    if m:
        e = lines.get(line(m.group(1)), {"arrays": 0, "freed": 0, "ops": []})
        what = m.group(2)
        if what == "none":
            return None if e["arrays"] == 0 else f"{e['arrays']} arrays {e['ops']}"
        if what == "freed":
            return None if e["freed"] > 0 else "nothing freed"
        op = m.group(3)
        got = e["ops"][:1]
        if e["arrays"] and got == [op] and kinds.get(op) == what:
            return None
        return f"{e['arrays']} arrays, ops {e['ops']}, kind {kinds.get(got[0]) if got else None}"
    m = re.fullmatch(r"peak:(.+)", tok)
    if m:
        want = {line(x.lstrip("@")) for x in m.group(1).split(",")}
        got = {a["line"] for a in report["peak"]["live"]
               if a["file"] and os.path.abspath(a["file"]) == os.path.abspath(path)}
        return None if want <= got else f"live at the peak: lines {sorted(got)}"
    m = re.fullmatch(r"pin:@(\w+)>@(\w+)", tok)
    if m:
        v, b = line(m.group(1)), line(m.group(2))
        for p in report["pins_at_exit"]:
            if p["base_line"] == b and any(x["line"] == v for x in p["views"]):
                return None
        return "pins: " + "; ".join(f"views {[x['line'] for x in p['views']]} > base {p['base_line']}"
                                    for p in report["pins_at_exit"]) or "no pin"
    m = re.fullmatch(r"leak:@(\w+)", tok)
    if m:
        e = lines.get(line(m.group(1)))
        if e and e["arrays"] >= 2 and e["freed"] == 0 and e["net"] == e["allocated"]:
            return None
        return f"line: {e}"
    m = re.fullmatch(r"phase:(\w+)<(\w+)/(\d+)", tok)
    if m:
        ph = {p["name"]: p["bytes"] for p in report.get("phases") or []}
        a, b = ph.get(m.group(1)), ph.get(m.group(2))
        if a is not None and b is not None and a * int(m.group(3)) < b:
            return None
        return f"phase peaks {ph}"
    raise ValueError(f"unknown token {tok!r}")


def run_sample(path, show=False):
    with tempfile.TemporaryDirectory(prefix="arrdbg-np-") as tmp:
        js = os.path.join(tmp, "report.json")
        # Dask workers' final reports (run --dask) go to tmp too.
        env = dict(os.environ, PYTHONPATH=PYPATH, ARRDBG_DASK_DIR=tmp)
        cmd = [PYTHON, "-m", "arrdbg", "run", "--json", js] + ([] if show else ["--quiet"]) + \
            directive(path, "run with") + [path] + directive(path, "args")
        try:
            p = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        except subprocess.TimeoutExpired:
            return None, "timed out", ""
        if show:
            sys.stdout.write(p.stdout + p.stderr)
        if p.returncode != 0 or not os.path.exists(js):
            return None, f"exit {p.returncode}: {p.stderr.strip()[-400:]}", p.stdout
        with open(js) as f:
            return json.load(f), None, p.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quiet", action="store_true")
    ap.add_argument("--show", metavar="NAME", help="also print this sample's report")
    args = ap.parse_args()
    passed = failed = 0
    for path in sorted(glob.glob(os.path.join(ROOT, "samples", "np_*.py"))):
        name = os.path.splitext(os.path.basename(path))[0]
        if name == "np_run":
            continue
        toks = expectations(path)
        if toks is None:
            print(f"FAIL  {name}: no 'expect arrdbg:' line")
            failed += 1
            continue
        report, problem, out = run_sample(path, show=(args.show == name))
        bad = []
        if problem:
            bad.append(problem)
        else:
            mk = markers(path)
            for t in toks:
                try:
                    why = check_token(t, report, mk, path)
                except ValueError as e:
                    why = str(e)
                if why:
                    bad.append(f"{t}: found {why}")
        vg_toks = expectations(path, "arrcheck")
        vg_note = ""
        if vg_toks is not None and not problem:
            if arrcheck_built():
                bad += run_arrcheck(path, vg_toks, markers(path))
                vg_note = f"; arrcheck: {' '.join(vg_toks)}"
            else:
                vg_note = "; arrcheck: skipped, tool not built"
        if bad:
            failed += 1
            print(f"FAIL  {name}  (arrdbg)")
            for b in bad:
                print(f"        {b}")
        else:
            passed += 1
            print(f"ok    {name}  (arrdbg: {' '.join(toks)}{vg_note})")
            if not args.quiet and out.strip():
                print("        " + out.strip().replace("\n", "\n        "))
    print(f"numpy samples: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
