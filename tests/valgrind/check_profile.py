#!/usr/bin/python3
"""check_profile.py MODE OUTDIR - checks arrcheck's --profile=yes output for
progs/profile_basic.c (whose arrays, sizes and lines are known) and
valgrind/arr-report's text and SVG output for it.

MODE: basic (time in instructions), bytes (--time-unit=B), thin
(--max-snapshots=10), orphan (argument "orphan": a quarantined buffer),
errors (bad inputs to arr-report and to the tool; runs them itself).

Prints one "ok ..." line per check group, or "FAIL ..." lines saying what
differs; the runner compares the output with profile_*.post.exp.
"""
import glob
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
TREE = os.path.dirname(os.path.dirname(HERE))
SOURCE = os.path.join(HERE, "progs", "profile_basic.c")
REPORT = os.path.join(TREE, "valgrind", "arr-report")
ARRGRIND = os.path.join(TREE, "valgrind", "arrgrind")
PROG = os.path.join(os.environ.get("VGT_BUILD", ""), "profile_basic")

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
    return cond


def group(name):
    """Prints ok/FAIL for the checks made since the last group."""
    global failures
    if failures:
        for f in failures:
            print(f"FAIL {name}: {f}")
    else:
        print(f"ok {name}")
    failures = []


def markers():
    lines = {}
    with open(SOURCE) as f:
        for n, text in enumerate(f, 1):
            m = re.search(r"/\* LINE (\w+) \*/", text)
            if m:
                lines[m.group(1)] = n
    return lines


LINE = markers()

# What profile_basic.c does: id -> (kind, op, dtype, shape, bytes, made, freed,
# written_after_made, read).  A view's bytes are its extent in the owner.
F8, F4 = "float64", "float32"
EXPECTED = {
    1: ("original", "zeros", F8, [100, 50], 40000, "zeros_a", "free_a", None, None),
    2: ("copy", "copy", F8, [100, 50], 40000, "copy_b", "free_b", False, True),
    3: ("copy", "copy", F8, [100, 50], 40000, "copy_c", "free_c", True, False),
    4: ("copy", "astype", F4, [100, 50], 20000, "astype_d", "free_d", False, False),
    5: ("view", "slice", F8, [50, 50], (98 * 50 + 50) * 8, "slice_v", "free_v", None, None),
    6: ("copy", "copy", F8, [100, 50], 40000, "copy_g", "free_g", False, False),
    7: ("original", "zeros", F8, [1000], 8000, "zeros_e", "free_e", None, None),
    8: ("copy", "copy", F8, [1000], 8000, "copy_f", "free_f", True, True),
    9: ("copy", "copy", F8, [100, 50], 40000, "copy_h", "free_h", True, False),
}
ORPHAN = {
    10: ("original", "zeros", F8, [100], 800, "zeros_o", "free_o", None, None),
    11: ("view", "slice", F8, [10], 80, "slice_w", "free_w", None, None),
}
PEAK_BYTES, PEAK_COPY_BYTES, PEAK_IDS = 180000, 140000, {1, 2, 3, 4, 5, 6}
NEVER_WRITTEN, NEVER_READ = {2, 4, 6}, {3, 4, 6, 9}


def owner_bytes(expected):
    return sum(e[4] for e in expected.values() if e[0] != "view")


def load(outdir):
    files = glob.glob(os.path.join(outdir, "arrcheck.out.*"))
    if len(files) != 1:
        print(f"FAIL: expected one arrcheck.out.<pid> in {outdir}, found {files}")
        sys.exit(0)
    path = files[0]
    with open(path, encoding="utf-8") as f:
        prof = json.load(f)
    check(path.endswith(f".{prof['pid']}"), f"file name {path} does not end in the pid")
    return path, prof


def check_json(prof, expected, unit):
    arrays = {a["id"]: a for a in prof["arrays"]}
    check(prof["format"] == "arrcheck-profile" and prof["version"] == 1, "format/version")
    check(prof["time_unit"] == unit, f"time_unit {prof['time_unit']!r}, expected {unit!r}")
    check(set(arrays) == set(expected), f"array ids {sorted(arrays)}, expected {sorted(expected)}")
    for i, (kind, op, dtype, shape, nbytes, made, freed, written, read) in expected.items():
        a = arrays.get(i)
        if not a:
            continue
        got = (a["kind"], a["op"], a["dtype"], a["shape"], a["bytes"])
        check(got == (kind, op, dtype, shape, nbytes), f"#{i}: {got}")
        check(a["is_copy"] == (kind == "copy"), f"#{i}: is_copy {a['is_copy']}")
        if made:
            check(a["made"]["file"] == "profile_basic.c" and a["made"]["line"] == LINE[made]
                  and a["made"]["fn"] == "main",
                  f"#{i} made at {a['made']}, expected line {LINE[made]}")
        check(a["freed"] is not None and a["freed"]["line"] == LINE[freed],
              f"#{i} freed at {a['freed']}, expected line {LINE[freed]}")
        check(a["made"]["time"] <= a["freed"]["time"] and a["made"]["event"] < a["freed"]["event"],
              f"#{i}: freed before made")
        check(a["written_after_made"] is written, f"#{i}: written_after_made "
              f"{a['written_after_made']}, expected {written}")
        check(a["read"] is read, f"#{i}: read {a['read']}, expected {read}")
    check(arrays.get(1, {}).get("label") == "input", "#1 label")
    check(arrays.get(2, {}).get("source_id") == 1 and arrays.get(6, {}).get("source_id") == 2,
          "source ids")
    group("arrays")

    peak = prof["peak"]
    check(peak["total_bytes"] == PEAK_BYTES, f"peak {peak['total_bytes']}, expected {PEAK_BYTES}")
    check(peak["copy_bytes"] == PEAK_COPY_BYTES and peak["copies"] == 4 and peak["views"] == 1,
          f"peak split {peak}")
    check(peak["original_bytes"] + peak["copy_bytes"] == peak["total_bytes"], "peak sum")
    live = {a["id"]: a for a in peak["live"]}
    check(set(live) == PEAK_IDS, f"live at peak {sorted(live)}, expected {sorted(PEAK_IDS)}")
    for i, a in live.items():
        e = expected[i]
        check(a["bytes"] == e[4] and a["op"] == e[1] and a["line"] == LINE[e[5]],
              f"live #{i}: {a}")
    # The peak is reached when g (#6) is made, and is the first such moment.
    check(peak["event"] == arrays[6]["made"]["event"] and peak["time"] == arrays[6]["made"]["time"],
          f"peak event {peak['event']}, #6 made at event {arrays[6]['made']['event']}")
    group("peak")

    snaps = prof["snapshots"]
    check(all(a["time"] <= b["time"] and a["event"] <= b["event"] for a, b in zip(snaps, snaps[1:])),
          "snapshots out of order")
    check(all(s["total_bytes"] == s["copy_bytes"] + s["original_bytes"] for s in snaps), "sums")
    check(max(s["total_bytes"] for s in snaps) == PEAK_BYTES, "the timeline misses the peak")
    check(snaps[-1]["total_bytes"] == 0 and snaps[-1]["owners"] == 0 and snaps[-1]["views"] == 0,
          f"last snapshot {snaps[-1]}")
    check(snaps[-1]["time"] == prof["end_time"], "last snapshot is not at end_time")
    group("snapshots")
    return arrays


def run_report(path, svg=None):
    cmd = [REPORT, path] + (["--svg", svg] if svg else [])
    r = subprocess.run(cmd, capture_output=True, text=True)
    check(r.returncode == 0 and r.stderr == "", f"arr-report exit {r.returncode}: {r.stderr}")
    return r.stdout


def section(text, title):
    """The line starting with title and the indented lines under it."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith(title):
            out = []
            for more in lines[i + 1:]:
                if not more.strip() or not more[0].isspace():
                    break
                out.append(more)
            return line, out
    check(False, f"no section {title!r}")
    return "", []


def check_report(text, expected, released=None):
    """released: id -> marker of the line where its bytes went, if not its free."""
    check(f"peak: {PEAK_BYTES:,} bytes of arrays" in text, "peak line")
    _, rows = section(text, "live at the peak")
    ids = [int(m.group(1)) for r in rows for m in [re.match(r"\s+#(\d+)\s", r)] if m]
    check(set(ids) == PEAK_IDS, f"live rows {ids}")
    check(ids and expected[ids[0]][4] == 40000 and ids[-1] == 5,
          f"live rows not largest first, views last: {ids}")
    for r in rows:
        m = re.match(r"\s+#(\d+)\s", r)
        if m and int(m.group(1)) in expected:
            e = expected[int(m.group(1))]
            check(f"profile_basic.c:{LINE[e[5]]} (main)" in r, f"live row without its line: {r}")
    group("report: peak")

    _, table = section(text, "per source line")
    by_line = {}
    for r in table[1:]:
        cols = r.split()
        if cols and cols[0].startswith("profile_basic.c:"):
            by_line[int(cols[0].split(":")[1])] = [int(c.replace(",", "")) for c in cols[1:7]]
        elif cols and cols[0] == "total":
            by_line["total"] = [int(c.replace(",", "")) for c in cols[1:7]]
    want = {}
    for i, (kind, op, dtype, shape, nbytes, made, freed, *_) in expected.items():
        if made is None:
            continue
        row = want.setdefault(LINE[made], [0, 0, 0, 0, 0, 0])
        row[0] += 1
        if kind != "view":
            row[1] += nbytes
            row[3] += nbytes
            if kind == "copy":
                row[4] += 1
                row[5] += nbytes
            gone_line = LINE[(released or {}).get(i, freed)]
            gone = want.setdefault(gone_line, [0, 0, 0, 0, 0, 0])
            gone[2] += nbytes
            gone[3] -= nbytes
    want = {k: v for k, v in want.items() if k in by_line or any(v)}
    total = owner_bytes(expected)
    check(by_line.get("total", [None])[1:3] == [total, total],
          f"total row {by_line.get('total')}, expected {total} allocated and freed")
    by_line.pop("total", None)
    for line in sorted(set(want) | set(by_line)):
        check(by_line.get(line) == want.get(line),
              f"line {line}: {by_line.get(line)}, expected {want.get(line)}")
    check(f"arr_t *b = arr_copy(a, ARR_ORDER_C);" in text, "the table shows the line's code")
    group("report: per-line table")

    head, rows = section(text, "copies never written after being made")
    ids = {int(m.group(1)) for r in rows for m in [re.match(r"\s+#(\d+)\s", r)] if m}
    check(ids == NEVER_WRITTEN, f"never written {sorted(ids)}, expected {sorted(NEVER_WRITTEN)}")
    nw_bytes = sum(expected[i][4] for i in NEVER_WRITTEN)
    check(f": {len(NEVER_WRITTEN)}, {nw_bytes:,} bytes" in head, f"heading {head!r}")
    head, rows = section(text, "copies never read")
    ids = {int(m.group(1)) for r in rows for m in [re.match(r"\s+#(\d+)\s", r)] if m}
    check(ids == NEVER_READ, f"never read {sorted(ids)}, expected {sorted(NEVER_READ)}")
    group("report: copies")


def check_svg(svg):
    try:
        root = ET.parse(svg).getroot()
    except (OSError, ET.ParseError) as e:
        check(False, f"SVG not well-formed: {e}")
        group("svg")
        return
    ns = "{http://www.w3.org/2000/svg}"
    check(root.tag == ns + "svg", f"root {root.tag}")
    label = [t for t in root.iter(ns + "text") if t.get("id") == "peak-label"]
    check(len(label) == 1 and f"peak {PEAK_BYTES:,} bytes" in (label[0].text or ""),
          f"peak label {[t.text for t in label]}")
    polys = [p for p in root.iter(ns + "polygon")]
    check(len(polys) == 2, f"{len(polys)} areas, expected 2 (originals, copies)")
    # The top of the plot is the peak: the highest point of the copies' area.
    ys = [float(pt.split(",")[1]) for p in polys for pt in p.get("points").split()]
    circle = next(root.iter(ns + "circle"), None)
    check(circle is not None and abs(float(circle.get("cy")) - min(ys)) < 0.5,
          "the peak marker is not at the top of the plot")
    group("svg")


def mode_basic(outdir, unit="i"):
    path, prof = load(outdir)
    arrays = check_json(prof, EXPECTED, unit)
    if unit == "B":
        # Time = bytes allocated + released so far: the peak comes after
        # a, b, c, d, g were allocated and nothing released.
        check(prof["peak"]["time"] == PEAK_BYTES, f"peak time {prof['peak']['time']}")
        check(prof["end_time"] == 2 * owner_bytes(EXPECTED), f"end time {prof['end_time']}")
        check(arrays[5]["made"]["time"] == arrays[4]["made"]["time"], "a view took time")
        group("time unit B")
    svg = os.path.join(outdir, "timeline.svg")
    check_report(run_report(path, svg), EXPECTED)
    check_svg(svg)


def mode_thin(outdir):
    _, prof = load(outdir)
    snaps = prof["snapshots"]
    check(prof["thinned"] is True and prof["max_snapshots"] == 10, "not thinned")
    check(2 <= len(snaps) <= 10, f"{len(snaps)} snapshots kept")
    check(max(s["total_bytes"] for s in snaps) == PEAK_BYTES, "thinning lost the peak")
    check(prof["peak"]["total_bytes"] == PEAK_BYTES and len(prof["peak"]["live"]) == len(PEAK_IDS),
          "peak")
    check(all(a["time"] <= b["time"] for a, b in zip(snaps, snaps[1:])), "order")
    check(len(prof["arrays"]) == len(EXPECTED), "per-array records are not thinned")
    group("thinned timeline")


def mode_orphan(outdir):
    path, prof = load(outdir)
    expected = {**EXPECTED, **ORPHAN}
    arrays = {a["id"]: a for a in prof["arrays"]}
    o, w = arrays.get(10), arrays.get(11)
    if not check(o and w, "no arrays #10, #11"):
        group("orphan")
        return
    check(o["freed"]["line"] == LINE["free_o"], f"#10 freed {o['freed']}")
    check(o.get("released") and o["released"]["line"] == LINE["free_w"],
          f"#10 released {o.get('released')}")
    check("released" not in w, "a view has a release")
    at = {s["event"]: s for s in prof["snapshots"]}
    after_free = at.get(o["freed"]["event"])
    after_release = at.get(o["released"]["event"]) if o.get("released") else None
    check(after_free and after_free["total_bytes"] == 800 and after_free["owners"] == 1,
          f"after the owner's free: {after_free} (its buffer is still there)")
    check(after_release and after_release["total_bytes"] == 0, f"after release: {after_release}")
    group("orphan: quarantined bytes")
    # Its 800 bytes are freed where the memory went: at free(w).
    check_report(run_report(path), expected, released={10: "free_w"})


def run(cmd, cwd=None):
    return subprocess.run(cmd, capture_output=True, text=True, cwd=cwd)


def mode_errors(outdir):
    bad = os.path.join(outdir, "bad")
    os.makedirs(bad, exist_ok=True)
    cases = {"missing": None, "not-json": "{ nope", "not-a-profile": '{"format": "massif"}',
             "newer": '{"format": "arrcheck-profile", "version": 99}',
             "broken": '{"format": "arrcheck-profile", "version": 1, "peak": {}, '
                       '"snapshots": [], "arrays": [{"kind": "copy", "bytes": "x"}]}'}
    for name, content in cases.items():
        path = os.path.join(bad, name)
        if content is not None:
            with open(path, "w") as f:
                f.write(content)
        r = run([REPORT, path, "--svg", os.path.join(bad, "x.svg")])
        check(r.returncode == 2 and r.stderr.startswith("arr-report: ")
              and "Traceback" not in r.stderr and r.stderr.count("\n") == 1,
              f"{name}: exit {r.returncode}, stderr {r.stderr!r}")
    group("arr-report: bad input gives one line and exit 2")

    # The default file name, in the current directory, with the pid.
    cwd = os.path.join(outdir, "cwd")
    os.makedirs(cwd, exist_ok=True)
    r = run([ARRGRIND, "-q", "--profile=yes", PROG], cwd=cwd)
    files = os.listdir(cwd)
    check(r.returncode == 0 and len(files) == 1 and re.fullmatch(r"arrcheck\.out\.\d+", files[0]),
          f"default output: exit {r.returncode}, files {files}")
    group("default file arrcheck.out.<pid>")

    r = run([ARRGRIND, "-q", "--profile=yes", "--profile-out=/nonexistent-dir/p.json", PROG])
    check(r.returncode == 0 and "arrcheck: cannot create the profile file "
          "'/nonexistent-dir/p.json'" in r.stderr, f"unwritable: {r.returncode} {r.stderr!r}")
    r = run([ARRGRIND, "-q", "--profile=yes", "--max-snapshots=3", PROG])
    check(r.returncode == 1 and "--max-snapshots" in r.stderr, f"bad option: {r.returncode}")
    r = run([ARRGRIND, "-q", "--time-unit=ms", PROG])
    check(r.returncode == 1 and "--time-unit=ms" in r.stderr, f"bad unit: {r.returncode}")
    group("tool: unwritable file, bad options")


def main():
    if len(sys.argv) != 3:
        print("usage: check_profile.py basic|bytes|thin|orphan|errors OUTDIR", file=sys.stderr)
        return 2
    mode, outdir = sys.argv[1], sys.argv[2]
    {"basic": mode_basic, "bytes": lambda d: mode_basic(d, "B"), "thin": mode_thin,
     "orphan": mode_orphan, "errors": mode_errors}[mode](outdir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
