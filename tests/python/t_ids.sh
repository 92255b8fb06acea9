# arrcheck numbers the arrays of every library in one process (protocol
# level 3, ARRCHECK_NEW_ID): a Python program under arrdbg that also makes
# libarr arrays (build/libarr.so through ctypes, tests/python/vg_ids.py)
# gets no "array id N is already in use" warning, and each finding names
# its own array: the leaked libarr copy by its libarr label, the leaked
# NumPy buffer and the freed one a C extension reads by their Python lines
# and the NumPy event arrdbg's own report gives them ("(event N)").
# Fails when the tool is not built.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
here=$(cd "$(dirname "$0")" && pwd)
ls "$ARRDBG_BUILD"/valgrind/lib/arrcheck-* >/dev/null 2>&1 || { echo "FAIL: arrcheck not built"; exit 1; }
ls "$ARRDBG_BUILD"/samples/np_dangling_ext*.so >/dev/null 2>&1 || { echo "FAIL: np_dangling_ext not built"; exit 1; }
[ -e "$ARRDBG_BUILD/libarr.so" ] || { echo "FAIL: libarr.so not built"; exit 1; }
d=$(mktemp -d); trap 'rm -rf "$d"' EXIT
export PYTHONPATH=$PYTHONPATH:$ARRDBG_BUILD/samples
timeout 120 "$root/valgrind/arrgrind" --show-leak-kinds=all --log-file="$d/log" \
    "$ARRDBG_PYTHON" -m arrdbg run -q --json "$d/arrdbg.json" "$here/vg_ids.py" >"$d/out" 2>&1 \
    || { echo "FAIL: exit $?"; cat "$d/out" "$d/log"; exit 1; }
"$ARRDBG_PYTHON" - "$d/log" "$d/arrdbg.json" "$here/vg_ids.py" <<'PY'
import json, re, sys
sys.path.insert(0, sys.argv[3].rsplit("/", 1)[0])
import check
lines = [re.sub(r"^==\d+== ", "", l) for l in open(sys.argv[1]).read().splitlines()]
prog = sys.argv[3]
at = lambda tag: check.marker_line(tag, prog)
# arrdbg's own event numbers for the two NumPy buffers (its peak lists both)
live = json.load(open(sys.argv[2]))["peak"]["live"]
event = {a["line"]: a["event"] for a in live if a["file"] == prog}
warnings = [l for l in lines if l.startswith("Warning: arrcheck")]
check.check(warnings == [], "no arrcheck warning: %s" % warnings)
kinds = sorted(l.split(":")[0] for l in lines if re.match(r"[A-Z]\w+: ", l) and not l.startswith(("Warning", "Command", "Parent")))
check.check(kinds == ["DanglingAccess", "LeakedArray", "LeakedCopy"], "findings: %s" % kinds)


def after(head):
    """The lines of the finding that starts with HEAD, up to a blank line."""
    i = next((k for k, l in enumerate(lines) if l.startswith(head)), None)
    if i is None:
        return []
    out = []
    for l in lines[i:]:
        if not l.strip():
            break
        out.append(l)
    return out


dang = after("DanglingAccess:")
want = " is labelled 'vg_ids.py:%d..%d (event %s)'" % (at("made"), at("freed"), event.get(at("made")))
check.check(any(l.startswith(" Owner #") and l.endswith(want) for l in dang),
            "the dangling read names the freed NumPy buffer (%s): %s" % (want, dang))
np_leak = after("LeakedArray:")
want = "6216 bytes (numpy) 'vg_ids.py:%d (event %s)'" % (at("leak"), event.get(at("leak")))
check.check(any(l.startswith(" Array #") and l.endswith(want) for l in np_leak), "the leaked NumPy buffer (%s): %s" % (want, np_leak))
copy = after("LeakedCopy:")
check.check(any(re.fullmatch(r" Array #\d+ copy float64\[1000\] 8000 bytes \(copy of #\d+\) 'lib_leaked_copy'", l)
                for l in copy),
            "the leaked libarr copy: %s" % copy)
check.check(any(l.startswith("ERROR SUMMARY: 3 errors from 3 contexts") for l in lines), "3 errors: %s" % lines[-3:])
sys.exit(1 if check.failures else 0)
PY
