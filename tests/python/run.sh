#!/bin/bash
# tests/python/run.sh - arrdbg's NumPy handler: every tests/python/t_*.py runs
# under `python3 -m arrdbg run` (or as its header says) and checks itself.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$(dirname "$here")")
build=${ARRDBG_BUILD:-build}
case $build in /*) ;; *) build=$root/$build ;; esac
py=${ARRDBG_PYTHON:-/usr/bin/python3}
export PYTHONPATH=$build/python:$here:$build/tests/python
export ARRDBG_BUILD=$build ARRDBG_PYTHON=$py
pass=0 fail=0
for t in "$here"/t_*.py "$here"/t_*.sh; do
    [ -e "$t" ] || continue
    name=$(basename "$t")
    case $t in
    *.sh) out=$(timeout 300 bash "$t" 2>&1) ;;
    *) out=$(cd "$here" && timeout 300 "$py" -m arrdbg run --quiet "$t" 2>&1) ;;
    esac
    rc=$?
    if [ $rc = 0 ]; then
        pass=$((pass + 1)); echo "ok   $name"
    else
        fail=$((fail + 1)); echo "FAIL $name (exit $rc)"; printf '%s\n' "$out" | tail -30 | sed 's/^/     /'
    fi
done
echo "python: $pass passed, $fail failed"
[ $fail = 0 ]
