# Under valgrind --tool=arrcheck --profile=yes, arrdbg's owners carry their
# Python line (label) and, once their line's op is known, copy-ness: NumPy
# filling a new copy is part of making it (arrdbg declares its handler and
# NumPy's modules as libraries), so a copy only read is "never written after
# being made" and one assigned to is written.  No suppression file is
# needed: no error at all is reported for these programs (exit 99 if one is).  The profile's
# peak counts only live NumPy memory (quarantined buffers are freed: the
# peak equals arrdbg's own), and arr-report's per-line table is by Python
# line.  Fails when the tool is not built (make builds it).
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
here=$(cd "$(dirname "$0")" && pwd)
ls "$ARRDBG_BUILD"/valgrind/lib/arrcheck-* >/dev/null 2>&1 || { echo "FAIL: arrcheck not built"; exit 1; }
d=$(mktemp -d); trap 'rm -rf "$d"' EXIT
timeout 600 "$root/valgrind/arrgrind" -q --error-exitcode=99 --profile=yes --profile-out="$d/p.json" \
    "$ARRDBG_PYTHON" -m arrdbg run -q "$here/vg_copies.py" > "$d/log" 2>&1 || { echo "FAIL: exit $?"; cat "$d/log"; exit 1; }
"$ARRDBG_PYTHON" - "$d/p.json" "$here/vg_copies.py" <<'PY'
import json, sys
sys.path.insert(0, sys.argv[2].rsplit("/", 1)[0])
import check
prof = json.load(open(sys.argv[1]))
ro, rw = check.marker_line("ro", sys.argv[2]), check.marker_line("rw", sys.argv[2])
def copies(line):
    return [a for a in prof["arrays"] if a["kind"] == "copy" and a["label"]
            and a["label"].startswith("vg_copies.py:%d.." % line)]
r, w = copies(ro), copies(rw)
check.check(len(r) >= 5 and all(a["written_after_made"] is False and a["read"] for a in r),
            "copies at @ro: %s" % r)
check.check(len(w) >= 5 and all(a["written_after_made"] is True for a in w), "copies at @rw: %s" % w)
if check.failures:
    sys.exit(1)
PY
[ $? = 0 ] || exit 1

timeout 600 "$root/valgrind/arrgrind" -q --error-exitcode=99 --profile=yes --profile-out="$d/q.json" \
    "$ARRDBG_PYTHON" -m arrdbg run -q --json "$d/arrdbg.json" "$here/vg_peak.py" > "$d/log2" 2>&1 \
    || { echo "FAIL: exit $?"; cat "$d/log2"; exit 1; }
"$root/valgrind/arr-report" "$d/q.json" > "$d/report" || { echo "FAIL: arr-report"; exit 1; }
"$ARRDBG_PYTHON" - "$d/q.json" "$d/arrdbg.json" "$d/report" "$here/vg_peak.py" "$root/valgrind/arr-report" <<'PY'
import json, re, subprocess, sys
sys.path.insert(0, sys.argv[4].rsplit("/", 1)[0])
import check
prof, mine = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
report = open(sys.argv[3]).read()
big, small = 1_000_000 * 8, 100_000 * 8
# np.ones also makes an 8-byte scalar (its fill value) on its line.
peak = mine["peak"]["bytes"]
check.check(big <= peak <= big + 64, "arrdbg's peak %d, want one big array, %d" % (peak, big))
check.check(prof["peak"]["total_bytes"] == peak,
            "profile peak %s != arrdbg's %s" % (prof["peak"]["total_bytes"], peak))
live = sorted(a["bytes"] for a in prof["peak"]["live"])
check.check(live[-1:] == [big] and sum(live) == peak, "live at the profile's peak: %s" % live)
rows = {}
for m in re.finditer(r"^  (\S+:\d+|\?)\s+(\d+)\s+([\d,]+)\s+([\d,]+)\s+(-?[\d,]+).*$", report, re.M):
    rows[m.group(1)] = [int(m.group(i).replace(",", "")) for i in (2, 3, 4)] + [m.group(0)]
name = "vg_peak.py:%d"
b, dl, s = (name % check.marker_line(k, sys.argv[4]) for k in ("big", "del", "small"))
rb, rd, rs = (rows.get(k, [0, 0, 0, None]) for k in (b, dl, s))
check.check(rb[0] >= 20 and 20 * big <= rb[1] <= 20 * (big + 64), "row %s: %s" % (b, rb))
check.check(rd[:3] == [0, 0, 20 * big], "row %s: %s" % (dl, rd))
check.check(rs[0] >= 1 and small <= rs[1] <= small + 64 and "np.ones(100_000)" in str(rs[3]),
            "row %s (with its code): %s" % (s, rs))
# Only what was freed at exit (no Python line) may have no line.
check.check(set(rows) - {b, dl, s} <= {"?"} and rows.get("?", [0, 0])[:2] == [0, 0],
            "per-line rows: %s" % rows)
# A label that is no source place ("weights:3": no '.') is not taken for one.
for a in prof["arrays"]:
    a["label"] = "weights:3"
with open(sys.argv[1] + ".2", "w") as f:
    json.dump(prof, f)
other = subprocess.run([sys.argv[5], sys.argv[1] + ".2"], capture_output=True, text=True).stdout
check.check("weights:3 " not in other and re.search(r"^  \?\s+%d " % len(prof["arrays"]), other, re.M),
            "labels without a source place: %s" % other)
if check.failures:
    print(report)
    sys.exit(1)
PY
[ $? = 0 ] || exit 1
echo ok
