#!/bin/bash
# tests/dask/run.sh - arrdbg.dask: every tests/dask/t_*.py, each in its own
# session (setsid) under timeout, so that every process it starts (the
# LocalCluster's nannies and workers, dask scheduler/worker commands) is
# killed when it ends, passed, failed or timed out; a process still alive
# after the test has finished is a failure of its own.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$(dirname "$here")")
build=${ARRDBG_BUILD:-build}
case $build in /*) ;; *) build=$root/$build ;; esac
py=${ARRDBG_PYTHON:-/usr/bin/python3}
export PYTHONPATH=$build/python:$here
export ARRDBG_BUILD=$build ARRDBG_PYTHON=$py
# Dask's own config stays out of the way: no user config, no dashboard.
export DASK_CONFIG=$(mktemp -d /tmp/arrdbg-dask-cfg.XXXXXX)
trap 'rm -rf "$DASK_CONFIG"' EXIT
pass=0 fail=0
for t in "$here"/t_*.py; do
    [ -e "$t" ] || continue
    name=$(basename "$t")
    # ARRDBG_DASK_TESTS="t_a.py t_b.py": only those.
    case " ${ARRDBG_DASK_TESTS:-$name} " in *" $name "*) ;; *) continue ;; esac
    out=$(mktemp /tmp/arrdbg-dask-out.XXXXXX)
    start=$(date +%s)
    (cd "$here" && exec setsid timeout -k 5 ${ARRDBG_DASK_TIMEOUT:-120} "$py" "$t") >"$out" 2>&1 &
    pid=$!
    wait $pid
    rc=$?
    # multiprocessing's resource tracker leaves a moment after its parent.
    for _ in 1 2 3 4 5 6 7 8 9 10; do pgrep -g "$pid" >/dev/null || break; sleep 0.2; done
    left=$(pgrep -a -g "$pid" 2>/dev/null | cut -c1-100 | tr '\n' ';')
    kill -KILL -- -"$pid" 2>/dev/null
    secs=$(( $(date +%s) - start ))
    if [ $rc = 0 ] && [ -z "$left" ]; then
        pass=$((pass + 1)); echo "ok   $name (${secs}s)"
    else
        fail=$((fail + 1))
        [ -n "$left" ] && echo "FAIL $name: processes left behind: $left" || echo "FAIL $name (exit $rc, ${secs}s)"
        { grep -E "^FAIL|Error|Traceback" "$out"; echo "     ..."; tail -15 "$out"; } | sed "s/^/     /"
    fi
    rm -f "$out"
done
echo "dask: $pass passed, $fail failed"
[ $fail = 0 ]
