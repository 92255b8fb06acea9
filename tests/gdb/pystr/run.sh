#!/usr/bin/env bash
# tests/gdb/pystr/run.sh WORKDIR - `print NAME` of a Python str or bytes
# (printcmd.py) live: up to 200 characters (bytes) as Python's repr, a
# longer one cut there with its length ('abc...' (5000 characters)), every
# str kind (latin-1, UCS-2, UCS-4); garbage headers one line (check.py).
set -u
cd "$(dirname "$0")/../../.." || exit 2
WORK=${1:?usage: run.sh WORKDIR}
PY=/usr/bin/python3
if ! $PY -c 'import numpy' 2>/dev/null || ! gdb -nx -batch -ex 'python print(1)' >/dev/null 2>&1; then
    echo "pystr: skipped (no numpy for $PY, or gdb without Python)"
    exit 0
fi
ARRDBG_PYSTR_TRUTH=$WORK/truth.json timeout -k 5 "${GDB_TIMEOUT:-120}" gdb -nx -batch \
    -iex "set pagination off" -iex "set confirm off" -iex "set width 0" \
    -iex "set auto-load safe-path /" -iex "source $(pwd)/gdb/arrdbg.py" \
    -x tests/gdb/pystr/check.py --args $PY tests/gdb/pystr/prog.py "$WORK/truth.json" >"$WORK/gdb.log" 2>&1
if grep -E -q 'Traceback|Python Exception|Error occurred in Python|internal error' "$WORK/gdb.log"; then
    echo "pystr: a Python error: $(grep -E -m3 'Traceback|Python Exception|internal error' "$WORK/gdb.log")"
    exit 1
fi
grep -E '^(pystr: ok|FAIL)' "$WORK/gdb.log" || { echo "pystr: no verdict: $(tail -5 "$WORK/gdb.log")"; exit 1; }
! grep -q '^FAIL' "$WORK/gdb.log"
