#!/usr/bin/python3
"""tests/report/check_report.py - what arr-report tells a user, checked on a
real profile of tests/report/kinds.c:

  - --arrcheck-out-file writes the profile; --profile-out, the old name, too;
  - "could be views" lists only the plain copy; the astype (float32 ->
    float64), the ascontiguous copy of a transpose and the reshape copy are
    listed as copies with their reason; the copy written later is in neither;
  - the live-at-peak table's columns line up whatever the op's length, and
    the owner kept in quarantine says so;
  - the SVG labels the peak with the source lines and ops of its biggest
    arrays, has a quarantine band and a legend explaining it; rendered to PNG
    with rsvg-convert, the band's colour is there;
  - --massif writes a file ms_print reads, with the arrays' source lines as
    allocation sites and the peak as massif's peak;
  - --version prints the Makefile's version;
  - views alike live at the peak are one row; an id list has "..." only
    where ids are left out;
  - a profile of a run with control characters in argv and a source file
    whose name has a newline: the SVG is well-formed XML, ms_print reads
    the massif file; --svg on a profile without snapshots is one clear line;
  - arr-report(1) says which massif snapshots are detailed, as the file has.

Usage: check_report.py BUILD_DIR   (from the top of the tree)
"""
import json
import os
import re
import struct
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REPORT = os.path.join(ROOT, "valgrind", "arr-report")
passed = failed = 0


def check(cond, what, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print(f"ok    {what}")
    else:
        failed += 1
        print(f"FAIL  {what}" + (f"\n      {detail}" if detail else ""))


def source_line(marker):
    with open(os.path.join(ROOT, "tests", "report", "kinds.c")) as f:
        for n, line in enumerate(f, 1):
            if f"/* {marker} */" in line:
                return n
    raise SystemExit(f"kinds.c has no /* {marker} */ line")


def png_pixels(path):
    """The set of RGB colours of an 8-bit RGB/RGBA non-interlaced PNG (what
    rsvg-convert writes), decoded with zlib and the five PNG filters."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and ctype in (2, 6) and not interlace, "unexpected PNG kind"
            bpp = 4 if ctype == 6 else 3
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw, stride, prev, colours = zlib.decompress(idat), w * bpp, bytearray(w * bpp), set()
    for row in range(h):
        ftype, line = raw[row * (stride + 1)], bytearray(raw[row * (stride + 1) + 1:(row + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if ftype == 1:
                line[i] = (line[i] + a) & 255
            elif ftype == 2:
                line[i] = (line[i] + b) & 255
            elif ftype == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        for i in range(0, stride, bpp):
            colours.add(bytes(line[i:i + 3]))
        prev = line
    return (w, h), colours


def main():
    build = sys.argv[1]
    prog = os.path.join(ROOT, build, "tests", "report", "kinds")
    arrgrind = [os.path.join(ROOT, "valgrind", "arrgrind"), "-q", "--profile=yes"]
    env = dict(os.environ, ARRDBG_BUILD=build)
    tmp = tempfile.mkdtemp(prefix="arrdbg-report-")
    prof_path, alias_path = os.path.join(tmp, "new.json"), os.path.join(tmp, "old.json")
    r1 = subprocess.run(arrgrind + [f"--arrcheck-out-file={prof_path}", prog], env=env,
                        capture_output=True, text=True, cwd=tmp)
    r2 = subprocess.run(arrgrind + [f"--profile-out={alias_path}", prog], env=env,
                        capture_output=True, text=True, cwd=tmp)
    check(r1.returncode == 0 and os.path.exists(prof_path), "--arrcheck-out-file writes the profile",
          r1.stderr[-400:])
    check(r2.returncode == 0 and os.path.exists(alias_path), "--profile-out (old name) still works",
          r2.stderr[-400:])
    if not os.path.exists(prof_path):
        print(f"report: {passed} passed, {failed} failed")
        return 1
    with open(prof_path) as f:
        prof = json.load(f)
    ids = {}
    for a in prof["arrays"]:
        ids.setdefault(a["made"]["line"], a["id"])
    line = {m: source_line(m) for m in ("snapshot", "widen", "kernel", "flatten", "scratch", "orphan",
                                        "loop", "views")}
    want = {m: ids[line[m]] for m in line}

    svg, png, massif = (os.path.join(tmp, n) for n in ("t.svg", "t.png", "massif.out"))
    r = subprocess.run([REPORT, "--svg", svg, "--massif", massif, prof_path],
                       capture_output=True, text=True)
    text = r.stdout
    check(r.returncode == 0 and not r.stderr, "arr-report --svg --massif runs", r.stderr)

    # Copies: could-be-views against had-to-be-copies, with reasons.
    sec = text.split("copies never written after being made:", 1)[-1].split("copies never read", 1)[0]
    could = sec.split("had to be copies", 1)[0]
    had = sec.split("had to be copies", 1)[-1] if "had to be copies" in sec else ""
    listed = lambda part: {int(x) for x in re.findall(r"^\s+#(\d+) ", part, re.M)}
    check(listed(could) == {want["snapshot"]}, "only the plain copy could be a view",
          f"could-be-views lists {sorted(listed(could))}, want [{want['snapshot']}]")
    check(listed(had) == {want["widen"], want["kernel"], want["flatten"]},
          "astype, ascontiguous and reshape copies are listed as needed copies",
          f"had-to-be lists {sorted(listed(had))}")

    def reason_of(i):
        m = re.search(rf"^\s+#{i} .*\n\s+(.*)$", had, re.M)
        return m.group(1) if m else ""
    check("dtype change float32 -> float64" in reason_of(want["widen"]), "astype says: dtype change",
          reason_of(want["widen"]))
    check("C-contiguous" in reason_of(want["kernel"]) and "cannot reorder" in reason_of(want["kernel"]),
          "ascontiguous copy says: layout for code that needs C order", reason_of(want["kernel"]))
    check("reshape had to copy" in reason_of(want["flatten"]), "reshape copy says why",
          reason_of(want["flatten"]))
    check(want["scratch"] not in listed(sec), "a copy written after being made is not listed")
    loop_ids = sorted(a["id"] for a in prof["arrays"] if a["made"]["line"] == line["loop"])
    check(len(loop_ids) == 4 and re.search(
          rf"^\s+4 copies \({', '.join(f'#{i}' for i in loop_ids)}\) astype float64\[100\], "
          rf"3,200 bytes, made at kinds\.c:{line['loop']} \(main\)", had, re.M),
          "copies made on one line are one entry, all four ids, no '...'", had)

    # The live table: the array column starts at one offset in every row.
    live = (text.split("live at the peak (largest first):\n", 1) + [""])[1].split("\n\n", 1)[0].splitlines() or [""]
    starts = {row.index("float") for row in live[1:] if "float" in row}
    check(len(starts) == 1 and live[0].find("array") in starts,
          "live-at-peak columns line up (op column fits 'ascontiguous (copy)')", "\n".join(live[:4]))
    check(any(f"#{want['orphan']} " in row and "kept in quarantine" in row for row in live),
          "the quarantined owner is marked in the live table")
    view_ids = sorted(a["id"] for a in prof["peak"]["live"] if a.get("line") == line["views"])
    view_rows = [row for row in live if f"kinds.c:{line['views']} " in row]
    check(len(view_ids) == 4 and len(view_rows) == 1 and view_rows[0].rstrip().endswith(
          "; 4 views made there: " + ", ".join(f"#{i}" for i in view_ids)),
          "the 4 views live at the peak, made on one line, are one row listing their ids",
          "\n".join(view_rows))

    # The SVG, and the PNG it renders to.
    ns = "{http://www.w3.org/2000/svg}"
    root = ET.parse(svg).getroot()
    texts = [t.text or "" for t in root.iter(ns + "text")]
    sites = [t.text or "" for t in root.iter(ns + "text") if t.get("class") == "peak-site"]
    peak_ids = {a["id"] for a in prof["peak"]["live"]}
    big = max(a["bytes"] for a in prof["peak"]["live"] if a["kind"] != "view")
    big_lines = {a["line"] for a in prof["peak"]["live"] if a["kind"] != "view" and a["bytes"] == big}
    check(sites and all(re.search(r"kinds\.c:(\d+)", s) and int(re.search(r"kinds\.c:(\d+)", s).group(1))
                        in big_lines for s in sites) and peak_ids,
          "the peak is labelled with the source lines and ops of its biggest arrays", str(sites))
    check(any(re.match(r"\S+ KiB (full|copy|astype|zeros|ascontiguous \(copy\)|reshape \(copy\)) ", s)
              for s in sites), "peak labels name the op", str(sites))
    check(any("quarantine" in t for t in texts) and
          any(p.get("fill") == "url(#hatch)" for p in root.iter(ns + "path")),
          "quarantine band drawn and explained in the legend")
    r = subprocess.run(["rsvg-convert", svg, "-o", png], capture_output=True, text=True)
    if r.returncode != 0:
        check(False, "rsvg-convert renders the SVG", r.stderr)
    else:
        size, colours = png_pixels(png)
        check(size == (int(root.get("width")), int(root.get("height"))) and
              bytes.fromhex("f2d16b") in colours and bytes.fromhex("e15759") in colours,
              f"rendered PNG {size[0]}x{size[1]} shows the copies and the quarantine band",
              f"{len(colours)} colours")

    # massif's format through ms_print.
    r = subprocess.run(["ms_print", massif], capture_output=True, text=True)
    out = r.stdout
    peak_total = prof["peak"]["total_bytes"]
    check(r.returncode == 0 and "(peak)" in out, "ms_print reads the massif file, with a peak",
          r.stderr[-300:])
    check(f"{peak_total:,}" in out and
          all(f"kinds.c:{line[m]})" in out for m in ("snapshot", "widen", "kernel")) and
          f"astype in main (kinds.c:{line['widen']})" in out,
          "ms_print shows the arrays' source lines as allocation sites")

    # arr-report(1) says which snapshots are detailed: as the file has them.
    with open(os.path.join(ROOT, "docs", "man", "arr-report.1")) as f:
        page = f.read()
    every = re.search(r"[Ee]very (\d+)th snapshot", page)
    kinds = re.findall(r"^heap_tree=(\w+)", open(massif).read(), re.M)
    detailed = {n for n, k in enumerate(kinds) if k != "empty"}
    peak_n = kinds.index("peak") if "peak" in kinds else -1
    check(every and detailed == {n for n in range(len(kinds)) if n % int(every.group(1)) == 0} | {peak_n},
          f"arr-report(1) and the massif file agree: {len(detailed)} of {len(kinds)} snapshots detailed "
          f"(every {every.group(1) if every else '?'}th and the peak)",
          f"man page: {every.group(0) if every else 'no every-Nth sentence'}; detailed: {sorted(detailed)}")

    # Hostile names: control characters in argv, a newline in a source
    # file's name (a real run of such a program).
    odd = os.path.join(tmp, "odd\nname.c")
    with open(os.path.join(ROOT, "tests", "report", "kinds.c")) as f, open(odd, "w") as g:
        g.write(f.read())
    oddprog, oddprof = os.path.join(tmp, "odd"), os.path.join(tmp, "odd.json")
    oddsvg, oddmassif = os.path.join(tmp, "odd.svg"), os.path.join(tmp, "odd.massif")
    r = subprocess.run(["gcc", "-g", "-O0", "-I" + os.path.join(ROOT, "libarr"), odd, "-o", oddprog,
                        os.path.join(ROOT, build, "libarr.a"), "-lm", "-pthread"],
                       capture_output=True, text=True)
    r = r.returncode == 0 and subprocess.run(
        arrgrind + [f"--arrcheck-out-file={oddprof}", oddprog, "a\x01b", "form\x0cfeed"], env=env,
        capture_output=True, text=True, cwd=tmp)
    r = r and subprocess.run([REPORT, "--svg", oddsvg, "--massif", oddmassif, oddprof],
                             capture_output=True, text=True)
    try:
        ok_svg = bool(ET.parse(oddsvg).getroot().iter(ns + "text"))
        title = next(t.text for t in ET.parse(oddsvg).getroot().iter(ns + "text"))
    except (ET.ParseError, OSError, StopIteration) as e:
        ok_svg, title = False, str(e)
    check(r and r.returncode == 0 and ok_svg and "a\\x01b form\\x0cfeed" in title,
          "argv with \\x01 and \\x0c: the SVG is well-formed, the title shows them escaped", title)
    m = subprocess.run(["ms_print", oddmassif], capture_output=True, text=True)
    check(m.returncode == 0 and "odd\\nname.c:" in m.stdout,
          "a source file name with a newline: ms_print reads the massif file", m.stderr[-300:])
    empty = os.path.join(tmp, "empty.json")
    with open(prof_path) as f:
        p = json.load(f)
    p["snapshots"] = []
    with open(empty, "w") as f:
        json.dump(p, f)
    r = subprocess.run([REPORT, "--svg", os.path.join(tmp, "empty.svg"), empty], capture_output=True,
                       text=True)
    check(r.returncode == 2 and r.stderr.count("\n") == 1 and "no snapshots" in r.stderr and
          "Traceback" not in r.stderr, "--svg on \"snapshots\": [] is one clear error line", r.stderr[-300:])

    # Every option the tool's --help and --help-debug list is in its man page
    # and its README (the tool's option table is the one source).
    opts = set()
    for flag, title in (("--help", "user options for arrcheck"),
                        ("--help-debug", "debugging options for arrcheck")):
        h = subprocess.run(arrgrind[:1] + [flag], env=env, capture_output=True, text=True).stdout
        part = h.split(title, 1)[-1].split("Extra options read from", 1)[0] if title in h else ""
        opts |= set(re.findall(r"^\s+(--[a-z][a-z-]*)", part, re.M))
    with open(os.path.join(ROOT, "docs", "man", "arrcheck.1")) as f:
        man = f.read().replace("\\-", "-")
    with open(os.path.join(ROOT, "valgrind", "README.md")) as f:
        readme = f.read()
    missing = sorted(o for o in opts if o not in man or o not in readme)
    check(len(opts) >= 8 and not missing, f"the {len(opts)} options of --help are in arrcheck(1) and "
          "valgrind/README.md", f"missing: {missing}")
    check("report its bugs in the arrdbg" in subprocess.run(arrgrind[:1] + ["--help"], env=env,
                                                            capture_output=True, text=True).stdout,
          "--help names arrdbg's tracker for bug reports")

    v = subprocess.run([REPORT, "--version"], capture_output=True, text=True).stdout.strip()
    with open(os.path.join(ROOT, "Makefile")) as f:
        mk = re.search(r"^ARR_VERSION := (\S+)", f.read(), re.M).group(1)
    check(v == f"arr-report (arrdbg) {mk}", "arr-report --version", v)
    if not failed:
        subprocess.run(["rm", "-rf", tmp])
    else:
        print(f"      (outputs kept in {tmp})")
    print(f"report: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
