#!/usr/bin/env bash
# tests/gdb/thirdparty/run.sh WORKDIR - arrdbg on an array library that is
# not libarr: samples/thirdparty_matrix.c.
#   gdb: its struct declared in samples/thirdparty_matrix-gdb.py (one
#        foreign.register call) gives print, arr info, arr views and arr
#        shares on it; the transcript is compared with expected.txt (also a
#        NULL and an unreadable pointer: short answers, no traceback).
#   arrcheck: its ARRCHECK_LIBRARY declaration makes every stack of its
#        LeakedCopy, OrphanedView and DanglingAccess start at a public mat_*
#        call (never at its inner mat__tag); hostile ARRCHECK_LIBRARY
#        requests (progs/library_requests.c) get warnings; skipped without
#        the tool.
#   docs/ADOPTING.md: its code is the sample's and its outputs these runs'
#        (tests/gdb/thirdparty/check_doc.py).
# ARRDBG_UPDATE=1 rewrites expected.txt.
set -u
cd "$(dirname "$0")/../../.." || exit 2
BUILD=${BUILD:-build}
WORK=$1
prog=$BUILD/samples/thirdparty_matrix
if [ "${SANITIZE:-0}" = 1 ]; then # samples are built without sanitizers, in build/
    prog=build/samples/thirdparty_matrix
    [ -x "$prog" ] || { echo "SKIP: thirdparty (SANITIZE=1 and no plain build of the samples)"; exit 0; }
fi
[ -x "$prog" ] || { echo "missing $prog (run make)"; exit 1; }
timeout -k 5 "${GDB_TIMEOUT:-120}" gdb -nx -batch -iex "set auto-load safe-path /" \
    -iex "source $(pwd)/gdb/arrdbg.py" -x samples/thirdparty_matrix-gdb.py \
    -x tests/gdb/thirdparty/cmds.gdb "$prog" >"$WORK/gdb.log" 2>&1
if grep -E 'Traceback|Python Exception|Error occurred in Python' "$WORK/gdb.log"; then
    echo "Python error in gdb output"
    exit 1
fi
sed -n '/^\$1 = /,$p' "$WORK/gdb.log" | grep -v -E '^\[Inferior|^#1 ' |
    sed -E 's/0x[0-9a-f]{5,}/0xADDR/g' >"$WORK/gdb.out"
if [ "${ARRDBG_UPDATE:-0}" = 1 ]; then
    cp "$WORK/gdb.out" tests/gdb/thirdparty/expected.txt
elif ! diff -u tests/gdb/thirdparty/expected.txt "$WORK/gdb.out"; then
    echo "gdb transcript differs from tests/gdb/thirdparty/expected.txt"
    exit 1
fi
what="gdb transcript as expected"
platform=$(pkg-config --variable=platform valgrind 2>/dev/null || echo amd64-linux)
if [ "${SANITIZE:-0}" = 1 ] || ! command -v valgrind >/dev/null || [ ! -x "build/valgrind/lib/arrcheck-$platform" ]; then
    echo "thirdparty: $what; arrcheck stacks skipped (no tool or SANITIZE=1)"
    exit 0
fi
ARRDBG_BUILD=build valgrind/arrgrind --leak-check=full "build/samples/thirdparty_matrix" >/dev/null 2>"$WORK/arrcheck.log"
sed -E 's/^==[0-9]+== ?//' "$WORK/arrcheck.log" >"$WORK/arrcheck.txt"
python3 - "$WORK/arrcheck.txt" <<'PY' || exit 1
import re, sys
text = open(sys.argv[1]).read()
want = {"OrphanedView": 1, "DanglingAccess": 1, "LeakedCopy": 1}
for kind, n in want.items():
    got = len(re.findall(r"^%s: " % kind, text, re.M))
    if got != n:
        sys.exit("arrcheck: %d %s, want %d" % (got, kind, n))
# Every stack (after a kind line or a "... at:" line) starts at a public call:
# OrphanedView 2, DanglingAccess 3 (made, freed, the view), LeakedCopy 1.
firsts = re.findall(r"(?:^[A-Za-z]+: .*|:)\n   at 0x[0-9A-F]+: (\w+) ", text, re.M)
public = {"mat_new", "mat_copy", "mat_transpose", "mat_row", "mat_get", "mat_free"}
if len(firsts) != 7 or any(f not in public for f in firsts):
    sys.exit("arrcheck stacks do not start at the library's public calls: %s" % firsts)
if "mat__tag" in text:
    sys.exit("arrcheck shows the library's inner frame mat__tag")

PY
# Hostile declarations: a warning each, no crash, the program runs to its end.
ARRDBG_BUILD=build valgrind/arrgrind "$BUILD/tests/gdb/library_requests" >"$WORK/req.out" 2>"$WORK/req.log"
for want in "info pointer 0x0 is not readable" "info pointer 0x10 is not readable" \
    "protocol version 99" "name pointer 0x8 is not readable" "name is longer than" \
    "a library needs a name" "more than 16 libraries; 'lib19' ignored"; do
    grep -q "LIBRARY: $want" "$WORK/req.log" || { echo "arrcheck: no warning '$want':"; cat "$WORK/req.log"; exit 1; }
done
grep -qx done "$WORK/req.out" || { echo "library_requests did not run to its end"; tail "$WORK/req.log"; exit 1; }
python3 tests/gdb/thirdparty/check_doc.py "$WORK/gdb.out" "$WORK/arrcheck.log" || exit 1
echo "thirdparty: $what; arrcheck stacks start at public mat_* calls; docs/ADOPTING.md matches"
