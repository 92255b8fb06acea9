#!/usr/bin/env bash
# tests/gdb/stripped/run.sh WORKDIR - the plugin on a libarr without DWARF.
#
# gdb reads struct arr and the registry from DWARF when it can; a stripped
# libarr (a distribution's package, a core of a release build) leaves it the
# offsets generated from libarr/arr.h at build time (arrdbg_gdb/_generated.py).
# This runs the key commands (arr list, arr views, arr leaks, arr mem, arr
# info of every id) on tests/gdb/progs/views.c as built, on a copy made with
# `strip --strip-debug` (so no DWARF anywhere: libarr is linked in), and on
# the shared-library build with both the program and libarr.so stripped, and
# requires the same answers once source lines and addresses are left out.
# Also checks that the copy really has no struct arr type and that the
# answers name what views.c made (label "weights", shape (3, 4), ...), and
# that a registry claiming another layout_version is refused without DWARF.
set -u
cd "$(dirname "$0")/../../.." || exit 2
BUILD=${BUILD:-build}
WORK=$1
GDB=(timeout -k 5 "${GDB_TIMEOUT:-120}" gdb -nx -batch -iex "set auto-load safe-path /"
     -iex "source $(pwd)/gdb/arrdbg.py")
prog=$BUILD/tests/gdb/views
[ -x "$prog" ] || { echo "missing $prog (run make)"; exit 1; }
cp "$prog" "$WORK/views.stripped"
strip --strip-debug "$WORK/views.stripped" || exit 1
# The same program linked with libarr.so: both stripped, the library found
# through LD_LIBRARY_PATH (the program's RUNPATH names the build directory).
mkdir -p "$WORK/lib"
cp "$BUILD/tests/gdb/views_shared" "$WORK/views_shared.stripped"
cp -L "$BUILD/libarr.so.0" "$WORK/lib/libarr.so.0"
strip --strip-debug "$WORK/views_shared.stripped" "$WORK/lib/libarr.so.0" || exit 1
for v in dwarf stripped shared; do
    p=$prog env=()
    [ $v = stripped ] && p=$WORK/views.stripped
    [ $v = shared ] && p=$WORK/views_shared.stripped env=(-iex "set environment LD_LIBRARY_PATH=$WORK/lib")
    ARRDBG_OUT=$WORK/$v.out "${GDB[@]}" "${env[@]}" -x tests/gdb/stripped/check.py "$p" >"$WORK/$v.log" 2>&1
    if grep -E 'Traceback|Python Exception|driver failed' "$WORK/$v.log" "$WORK/$v.out" >/dev/null 2>&1 ||
        [ ! -s "$WORK/$v.out" ]; then
        echo "$v: gdb failed:"
        tail -20 "$WORK/$v.log"
        exit 1
    fi
    python3 tests/gdb/stripped/normalize.py "$WORK/$v.out" >"$WORK/$v.norm"
done
grep -qx 'debug info for struct arr: yes' "$WORK/dwarf.out" || { echo "the program as built has no DWARF for struct arr"; exit 1; }
for v in stripped shared; do
    grep -qx 'debug info for struct arr: no' "$WORK/$v.out" || { echo "the $v copy still has DWARF for struct arr"; exit 1; }
done
grep -q "^registry in: .* of $WORK/lib/libarr.so.0" "$WORK/shared.out" ||
    { echo "the shared run did not use the stripped libarr.so:"; grep '^registry in' "$WORK/shared.out"; exit 1; }
for want in '"weights"' '(3, 4)' 'strides (64, -16)' '"t copy"' 'copy never freed' 'orphan'; do
    grep -qF -- "$want" "$WORK/stripped.norm" || { echo "no '$want' in the stripped run:"; head -40 "$WORK/stripped.norm"; exit 1; }
done
# layout_version 99: refused without DWARF, noted with it.
grep -q "layout_version is 99 but this plugin was generated for .*without debug info its offsets would be wrong" \
    "$WORK/stripped.out.version" || { echo "stripped: no refusal of layout_version 99:"; cat "$WORK/stripped.out.version"; exit 1; }
grep -q "layout_version is 99 but this plugin was generated for .*using the offsets of libarr's debug info" \
    "$WORK/dwarf.out.version" || { echo "dwarf: no note of layout_version 99:"; cat "$WORK/dwarf.out.version"; exit 1; }
for v in stripped shared; do
    if ! diff -u "$WORK/dwarf.norm" "$WORK/$v.norm" >"$WORK/$v.diff"; then
        echo "$v answers differ from the DWARF ones:"
        head -60 "$WORK/$v.diff"
        exit 1
    fi
done
echo "stripped: $(grep -c '^(gdb) ' "$WORK/stripped.norm") commands answered as with DWARF, static and with a stripped libarr.so"
