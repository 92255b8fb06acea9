#!/usr/bin/env bash
# tests/gdb/print/run.sh WORKDIR - the plugin's `print` (gdb/python/
# arrdbg_gdb/printcmd.py), a case of tests/gdb/run.sh:
#   names     print NAME in a Python frame of print_prog.py: the Python
#             variable (print_check.py), live, on its core, and over MI
#             (-interpreter-exec console "print environ") on that core
#   registry  arr info #N under `python3 -m arrdbg run`: the owner of NumPy
#             buffer #N (and without arrdbg's registry, a one-line message)
#   delegated everything else is gdb's own print: the same text as gdb
#             without the plugin, for the C values of print_c.c
#             (delegated.cmds: /FMT, options, arrays, structs, void, the
#             value history, errors) and for C expressions in the Python
#             core (set arr print-python off, then on for non-names)
# Prints "print: N checks passed (...)"; exit 1 on any failure.
set -u
cd "$(dirname "$0")/../../.." || exit 2
ROOT=$(pwd)
WORK=${1:?usage: run.sh WORKDIR}
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
PY=/usr/bin/python3
T=(timeout -k 5 120)
PLAIN=("${T[@]}" gdb -nx -batch -iex "set pagination off" -iex "set confirm off" -iex "set width 0")
GDB=("${PLAIN[@]}" -iex "set auto-load safe-path /" -iex "source $ROOT/gdb/arrdbg.py")
bad=()
notes=()

python_errors() { grep -E -q 'Traceback|Python Exception|Error occurred in Python|internal error' "$1"; }

verdict() { # verdict NAME LOG
    if python_errors "$2"; then
        bad+=("$1: a Python error: $(grep -E -m3 'Traceback|Python Exception|internal error' "$2")")
    elif line=$(grep -E "^print-$1: ok " "$2"); then
        notes+=("$1 ${line#*: ok }")
    else
        bad+=("$1: $(grep -E '^(FAIL|print-)' "$2" | head -20)")
        [ -n "$(grep -E '^(FAIL|print-)' "$2")" ] || bad+=("$(tail -5 "$2")")
    fi
}

if ! $PY -c 'import numpy' 2>/dev/null || ! gdb -nx -batch -ex 'python print(1)' >/dev/null 2>&1; then
    echo "print: skipped (no numpy for $PY, or gdb without Python)"
    exit 0
fi

# ---- names: live (then its core), core, MI on the core ---------------------
ARRDBG_PRINT_MODE=live ARRDBG_PRINT_TRUTH=$WORK/truth.json ARRDBG_PRINT_CORE=$WORK/python.core \
    "${GDB[@]}" -x tests/gdb/print/print_check.py --args $PY tests/gdb/print/print_prog.py \
    "$WORK/truth.json" >"$WORK/live.log" 2>&1
verdict live "$WORK/live.log"
if [ ! -s "$WORK/python.core" ]; then
    bad+=("core: gcore wrote no core file")
else
    ARRDBG_PRINT_MODE=core ARRDBG_PRINT_TRUTH=$WORK/truth.json \
        "${GDB[@]}" -x tests/gdb/print/print_check.py $PY "$WORK/python.core" >"$WORK/core.log" 2>&1
    verdict core "$WORK/core.log"
    printf '%s\n' '-interpreter-exec console "print environ"' '-interpreter-exec console "print nosuch"' \
        '-interpreter-exec console "print 6*7"' '-gdb-exit' |
        "${T[@]}" gdb -nx --interpreter=mi -iex "set auto-load safe-path /" -iex "source $ROOT/gdb/arrdbg.py" \
            $PY "$WORK/python.core" >"$WORK/mi.log" 2>&1
    $PY - "$WORK/mi.log" "$WORK/truth.json" >"$WORK/mi.out" 2>&1 <<'PY'
import json, re, sys
log, t = open(sys.argv[1]).read(), json.load(open(sys.argv[2]))
stream = "".join(json.loads(s) for s in re.findall(r'^~(".*")$', log, re.M))
want = ["py:environ is environ, a global of Python frame #0 inner (%s:%d); c:environ is the C symbol of that name"
        % (t["file"], t["stop"])]
lines = stream.splitlines()
ok = [l for l in lines if l.startswith("py:environ")] == want and \
    any(re.match(r"^\$1 = ndarray float64 shape \(3, 4\) .* = \{\{0, 1, 2, 3\}, \{4, 5, 6, 7\}, \{8, 9, 10, 11\}\}$", l)
        for l in lines) and "$2 = 42" in lines and \
    re.search(r'^\^error,msg="No symbol \\"nosuch\\" in current context; no Python variable', log, re.M)
print("ok" if ok else "MI transcript: %r" % log[-1500:])
PY
    if [ "$(cat "$WORK/mi.out")" = ok ]; then notes+=("mi"); else bad+=("mi: $(cat "$WORK/mi.out")"); fi
fi

# ---- registry: arr info #N in a NumPy process run by arrdbg ----------------------
ARRDBG_PRINT_MODE=registry ARRDBG_PRINT_TRUTH=$WORK/truth-reg.json PYTHONPATH=$BUILD/python \
    "${GDB[@]}" -x tests/gdb/print/print_check.py --args $PY -m arrdbg run tests/gdb/print/print_prog.py \
    "$WORK/truth-reg.json" >"$WORK/registry.log" 2>&1
verdict registry "$WORK/registry.log"

# ---- delegated: the same text as gdb's own print ---------------------------------
if ! "${CC:-cc}" -g -O0 -Wall -Wextra -Werror tests/gdb/print/print_c.c -o "$WORK/print_c" >"$WORK/cc.log" 2>&1; then
    bad+=("delegated: print_c.c does not build: $(head -3 "$WORK/cc.log")")
else
    cmds=()
    while IFS= read -r line; do cmds+=(-ex "$line"); done <tests/gdb/print/delegated.cmds
    "${PLAIN[@]}" -ex "break stop_here" -ex run "${cmds[@]}" "$WORK/print_c" >"$WORK/c-plain.log" 2>&1
    "${GDB[@]}" -ex "break stop_here" -ex run "${cmds[@]}" "$WORK/print_c" >"$WORK/c-plugin.log" 2>&1
    if python_errors "$WORK/c-plugin.log" || ! cmp -s "$WORK/c-plain.log" "$WORK/c-plugin.log" ||
            [ "$(grep -c '^\$[0-9]* = ' "$WORK/c-plain.log")" -lt 25 ]; then
        bad+=("delegated C: gdb's own print and the plugin's differ: $(diff "$WORK/c-plain.log" "$WORK/c-plugin.log" | head -20)")
    else
        notes+=("delegated C: $(grep -c '^\$[0-9]* = ' "$WORK/c-plain.log") values and $(grep -c -v -E '^\$|^(Breakpoint|Temporary|[0-9]+\s)' "$WORK/c-plain.log") other lines identical")
    fi
    if [ -s "$WORK/python.core" ]; then
        pycmds=(-ex "print environ" -ex "print/x environ" -ex "print &environ" -ex "print *environ"
                -ex "print 1+2" -ex "print (void)0" -ex 'print $pc == $pc' -ex "print nosuch"
                -ex "print environ + 1" -ex "print" -ex "print x")
        "${PLAIN[@]}" "${pycmds[@]}" $PY "$WORK/python.core" >"$WORK/py-plain.log" 2>&1
        "${GDB[@]}" -ex "set arr print-python off" "${pycmds[@]}" $PY "$WORK/python.core" >"$WORK/py-off.log" 2>&1
        # print-python on: names differ (Python's), every other expression is gdb's
        grep -v -E '^\$[0-9]+ = |environ|No symbol "x"' "$WORK/py-plain.log" >"$WORK/py-plain-rest.log"
        "${GDB[@]}" -ex "print 1+2" -ex "print (void)0" -ex 'print $pc == $pc' -ex "print environ + 1" \
            $PY "$WORK/python.core" >"$WORK/py-on.log" 2>&1
        "${PLAIN[@]}" -ex "print 1+2" -ex "print (void)0" -ex 'print $pc == $pc' -ex "print environ + 1" \
            $PY "$WORK/python.core" >"$WORK/py-on-plain.log" 2>&1
        if ! cmp -s "$WORK/py-plain.log" "$WORK/py-off.log"; then
            bad+=("delegated Python core, print-python off: $(diff "$WORK/py-plain.log" "$WORK/py-off.log" | head -20)")
        elif ! cmp -s "$WORK/py-on-plain.log" "$WORK/py-on.log"; then
            bad+=("delegated Python core, expressions: $(diff "$WORK/py-on-plain.log" "$WORK/py-on.log" | head -20)")
        else
            notes+=("delegated Python core identical")
        fi
    fi
fi

if [ ${#bad[@]} -gt 0 ]; then
    printf 'print: FAILED\n'
    printf '  %s\n' "${bad[@]}"
    exit 1
fi
IFS=';'
echo "print: ${#notes[@]} parts passed (${notes[*]})"
