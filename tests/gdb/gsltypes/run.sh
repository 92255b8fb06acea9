#!/usr/bin/env bash
# tests/gdb/gsltypes/run.sh WORKDIR - every GSL element type in gdb: types.c
# (built here with plain -lgsl) makes a 2x3 matrix and a column view of
# each and prints their elements itself; `print` of the matrix, of *it, of
# the view and of &view.vector, and `arr info` of matrix and view, live
# and on a core (gcore), must show the dtype arrcheck's GSL adapter names,
# the shape, and the program's values (check.py).  Skipped without
# libgsl-dev.
set -u
cd "$(dirname "$0")/../../.." || exit 2
WORK=$1
[ -f /usr/include/gsl/gsl_matrix.h ] || { echo "SKIP: gsltypes (no libgsl-dev)"; exit 0; }
prog=$WORK/types
if ! ${CC:-cc} -std=c11 -g -O0 -Wall -Wextra -Werror tests/gdb/gsltypes/types.c -o "$prog" \
        -lgsl -lgslcblas -lm >"$WORK/cc.log" 2>&1; then
    echo "types.c does not build: $(head -3 "$WORK/cc.log")"
    exit 1
fi
names=$(/usr/bin/python3 tests/gdb/gsltypes/check.py --names)
{
    echo "set pagination off"
    echo "set confirm off"
    for n in $names; do
        echo "echo ==print $n\\n"
        echo "print $n"
        echo "echo ==info $n\\n"
        echo "arr info $n"
        case $n in
            m*) echo "echo ==print $n\\n"; echo "print *$n" ;;
            c*) echo "echo ==print $n\\n"; echo "print &$n.vector" ;;
        esac
    done
    # garbage: unreadable, and a struct over the stack's bytes (any sizes)
    echo "echo ==garbage\\n"
    echo "print (gsl_matrix_complex_long_double *)8"
    echo "print *(gsl_vector_long_double *)\$sp"
    echo "print *(gsl_matrix_complex_float *)((char *)\$sp + 24)"
    echo "arr info (gsl_vector_uchar *)16"
} >"$WORK/prints.gdb"
GDB=(timeout -k 5 "${GDB_TIMEOUT:-120}" gdb -nx -batch -iex "set auto-load safe-path /"
     -iex "source $(pwd)/gdb/arrdbg.py")
"${GDB[@]}" -ex "break stop_here" -ex "run >$WORK/prog.out" -ex up -x "$WORK/prints.gdb" \
    -ex "gcore $WORK/core" -ex kill "$prog" >"$WORK/live.log" 2>&1
for mode in live core; do
    if [ $mode = core ]; then
        [ -s "$WORK/core" ] || { echo "gcore made no core: $(tail -3 "$WORK/live.log")"; exit 1; }
        "${GDB[@]}" -ex up -x "$WORK/prints.gdb" "$prog" "$WORK/core" >"$WORK/core.log" 2>&1
    fi
    if grep -E 'Traceback|Python Exception|Error occurred in Python' "$WORK/$mode.log"; then
        echo "gsltypes $mode: Python error in gdb output"
        exit 1
    fi
    /usr/bin/python3 tests/gdb/gsltypes/check.py "$WORK/prog.out" "$WORK/$mode.log" $mode || exit 1
done
