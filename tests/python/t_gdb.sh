# gdb reads arrdbg's NumPy registry from a live python3 and from its core:
# arr list / arr leaks / arr mem name every live buffer's Python line and op
# (expected values written by gdb_prog.py from NumPy), and nothing from a
# freed array; arr views b lists every live view of b from the registry;
# without arrdbg arr list says the registry is needed and how to get one.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
py=$ARRDBG_PYTHON
d=$(mktemp -d); trap 'rm -rf "$d"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
gdbrun() {
    timeout 300 gdb -nx -batch -iex 'set auto-load python-scripts off' \
        -iex "source $root/gdb/arrdbg.py" "$@" 2>&1
}
live=$(cd "$(dirname "$0")" && gdbrun -ex run -ex 'arr list' -ex 'arr leaks' -ex 'arr mem all' \
    -ex 'arr views b' -ex "gcore $d/core" --args "$py" -m arrdbg run -q gdb_prog.py "$d/want.json")
[ -s "$d/want.json" ] || fail "the program did not run: $live"
[ -s "$d/core" ] || fail "no core: $live"
core=$(gdbrun -ex 'arr list' -ex 'arr leaks' -ex 'arr mem all' -ex 'arr views b' "$py" "$d/core")
for what in live core; do
    printf '%s\n' "${!what}" > "$d/$what.out"
    "$py" - "$d/want.json" "$what" "$d/$what.out" <<'PY' || exit 1
import json, re, sys
w = json.load(open(sys.argv[1]))
out = open(sys.argv[3]).read()
bad = []
if "Traceback" in out or "Python Exception" in out:
    bad.append("gdb printed a Python error")
for x in w["want"]:
    at = "%s:%d" % (w["file"], x["line"])
    rows = [l for l in out.splitlines() if l.strip().startswith("#") and at in l and re.search(r"\b%s\b" % re.escape(x["op"]), l)]
    if len(rows) < 2 * x["count"]:  # arr list + arr mem all
        bad.append("%s %s: %d rows" % (at, x["op"], len(rows)))
    if "%d bytes in %d buffers (%s) made at %s" % (x["bytes"], x["count"], x["op"], at) not in out:
        bad.append("arr leaks group for %s" % at)
if "%s:%d" % (w["file"], w["gone"]) in out:
    bad.append("a freed array is listed")
# arr views b: every live view of b, from the registry (none is named on the line)
listed = {int(x, 16) for x in re.findall(r"(?m)^\s+(0x[0-9a-f]+) \S+ \(", out)}
if set(w["views"]) - listed or "(every live view of it, from arrdbg's registry" not in out:
    bad.append("arr views b: %d of %d views listed" % (len(set(w["views"]) & listed), len(w["views"])))
if bad:
    print("FAIL (%s): %s" % (sys.argv[2], "; ".join(bad)))
    print(out[-3000:])
    sys.exit(1)
PY
done
# A damaged registry: the commands say what is wrong, no traceback.
poke() { printf 'set {%s}((char *)&arrdbg_numpy_registry + %s) = %s' "$1" "$2" "$3"; }
for case in "unsigned int|8|99|version 99" "unsigned int|24 + 4 * 8|65535|rec_size 65535 is not sane" \
            "unsigned long|*(unsigned int *)((char *)&arrdbg_numpy_registry + 28)|12345|capacity 12345 is not sane"; do
    IFS='|' read -r type off val want <<<"$case"
    bad=$(cd "$(dirname "$0")" && gdbrun -ex run -ex "$(poke "$type" "$off" "$val")" -ex 'arr list' \
        -ex 'arr leaks' -ex 'arr mem' --args "$py" -m arrdbg run -q gdb_prog.py "$d/want2.json")
    case $bad in *Traceback*|*"Python Exception"*|*"internal error"*) fail "damaged registry ($case): $bad" ;; esac
    n=$(printf '%s\n' "$bad" | grep -c "$want")
    [ "$n" -ge 3 ] || fail "damaged registry ($case): $n x '$want': $bad"
done
plain=$(gdbrun -ex run -ex 'arr list' --args "$py" -c 'import os, signal, numpy; os.kill(os.getpid(), signal.SIGTRAP)')
case $plain in *"this is a NumPy process without arrdbg's registry"*"python3 -m arrdbg run"*) ;;
    *) fail "without arrdbg: $plain" ;; esac
case $plain in *Traceback*|*"libarr's registry"*) fail "without arrdbg: $plain" ;; esac
echo ok
