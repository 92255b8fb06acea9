#!/usr/bin/env bash
# tests/gdb/gsl/run.sh WORKDIR - gdb on an unmodified GSL program
# (samples/gsl_stale_view.c, built with plain -lgsl): the GSL layouts that
# arrdbg_gdb.foreign ships print gsl_matrix, gsl_vector and their view
# structs (dtype, shape, strides, owner or view), arr info works on them, a
# NULL, an unreadable and a garbage pointer get short answers, and arr
# list without libarr says how to get arrcheck's records (tests/valgrind/
# gsl_gdb checks them through vgdb).  Compared with expected.txt;
# ARRDBG_UPDATE=1 rewrites it.  Skipped without libgsl-dev.
set -u
cd "$(dirname "$0")/../../.." || exit 2
BUILD=${BUILD:-build}
WORK=$1
[ -f /usr/include/gsl/gsl_matrix.h ] || { echo "SKIP: gsl (no libgsl-dev)"; exit 0; }
prog=$BUILD/samples/gsl_stale_view
[ "${SANITIZE:-0}" = 1 ] && prog=build/samples/gsl_stale_view
[ -x "$prog" ] || { echo "missing $prog (run make)"; exit 1; }
timeout -k 5 "${GDB_TIMEOUT:-120}" gdb -nx -batch -iex "set auto-load safe-path /" \
    -iex "source $(pwd)/gdb/arrdbg.py" -x tests/gdb/gsl/cmds.gdb "$prog" >"$WORK/gdb.log" 2>&1
if grep -E 'Traceback|Python Exception|Error occurred in Python' "$WORK/gdb.log"; then
    echo "Python error in gdb output"
    exit 1
fi
sed -n '/^\$1 = /,$p' "$WORK/gdb.log" | grep -v -E '^\[Inferior' |
    sed -E 's/0x[0-9a-f]{5,}/0xADDR/g' >"$WORK/gdb.out"
if [ "${ARRDBG_UPDATE:-0}" = 1 ]; then
    cp "$WORK/gdb.out" tests/gdb/gsl/expected.txt
elif ! diff -u tests/gdb/gsl/expected.txt "$WORK/gdb.out"; then
    echo "gdb transcript differs from tests/gdb/gsl/expected.txt"
    exit 1
fi
echo "gsl: gsl_matrix, gsl_vector and their views printed as expected"
