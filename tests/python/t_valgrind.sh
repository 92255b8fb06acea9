# Under valgrind --tool=arrcheck --profile=yes, arrdbg's owners carry their
# Python line (label) and, once their line's op is known, copy-ness: NumPy
# filling a new copy is part of making it (arrdbg declares its handler and
# NumPy's modules as libraries), so a copy only read is "never written after
# being made" and one assigned to is written.  Skipped only when the tool is
# not built (make builds it).
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
here=$(cd "$(dirname "$0")" && pwd)
ls "$ARRDBG_BUILD"/valgrind/lib/arrcheck-* >/dev/null 2>&1 || { echo "FAIL: arrcheck not built"; exit 1; }
d=$(mktemp -d); trap 'rm -rf "$d"' EXIT
timeout 600 "$root/valgrind/arrgrind" -q --profile=yes --profile-out="$d/p.json" \
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
echo ok
