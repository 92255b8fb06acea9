#!/usr/bin/env bash
# tests/gdb/numpy/run.sh - the plugin on NumPy's own arrays in /usr/bin/python3.
#
#   bash tests/gdb/numpy/run.sh     (ARRDBG_NP_PYTHON: another Python with numpy)
#
# Cases (each compares the plugin's answers with what NumPy printed for the
# same arrays, see arrays.py and check.py):
#   live   python stops itself with SIGTRAP; arr info / views / shares on
#          addresses (Debian's python3 and numpy have no DWARF for them)
#   core   the same checks on a core of that process written by gcore
#   typed  a NumPy C extension built with -g: gdb stops in it with
#          PyArrayObject * arguments (printer, DWARF offsets)
#   pyvars-live, pyvars-core  arr info/views/shares on Python variable names
#          of pyvars_prog.py (pyvars_check.py), arr py-bt/py-up/py-down,
#          hostile names, corrupt interpreter state; live and on its core
#   pyvars-vgdb  the same checks (not the corruption) under memcheck via vgdb
#   print-vgdb  print NAME (a Python ndarray local, a str, c:NAME) via vgdb in
#          tests/gdb/print/print_prog.py run by `python3 -m arrdbg run` under
#          arrcheck (valgrind/arrgrind; memcheck when it is not built)
#   pyvars-nonpython  the py commands and names in /bin/true: one line each
#   pyframe-offline  pyframe.py inside a live python3.11, over its own memory
#   pyoffsets  pyframe.py's and valgrind/ac_pystack.c's CPython 3.11 offsets
#          = the compiler's, from the installed headers (pyoffsets.c)
# Skips (exit 77) when /usr/bin/python3 has no numpy, or gdb has no Python;
# the typed case alone is skipped without Python.h or a C compiler.
# Ends with "numpy: N passed, M failed, K skipped"; exit 0, 1, or 77 when
# everything was skipped.
set -u
cd "$(dirname "$0")/../../.." || exit 2
ROOT=$(pwd)
PY=${ARRDBG_NP_PYTHON:-/usr/bin/python3}  # the Python with numpy (Debian: not the pyenv one)
GDB_TIMEOUT=${GDB_TIMEOUT:-180}
WORK=$(mktemp -d /tmp/arrdbg-numpy-tests.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
passed=0
failed=0
skipped=0

pass() { passed=$((passed + 1)); echo "PASS: $1"; }
fail() { failed=$((failed + 1)); echo "FAIL: $1${2:+: $2}"; }
skip() { skipped=$((skipped + 1)); echo "SKIP: $1"; }

finish() {
    echo "numpy: $passed passed, $failed failed, $skipped skipped"
    [ $failed -gt 0 ] && exit 1
    [ $passed -eq 0 ] && exit 77
    exit 0
}

if ! [ -x $PY ] || ! $PY -c 'import numpy' 2>/dev/null; then
    skip "numpy (no numpy for $PY: apt-get install python3-numpy)"
    finish
fi
if ! command -v gdb >/dev/null || ! gdb -nx -batch -ex 'python print(1)' >/dev/null 2>&1; then
    skip "numpy (gdb with Python is missing)"
    finish
fi

GDB=(timeout -k 5 "$GDB_TIMEOUT" gdb -nx -batch -iex "set auto-load safe-path /"
     -iex "source $ROOT/gdb/arrdbg.py" -iex "set pagination off" -iex "set confirm off")

verdict() { # verdict CASE LOG
    if grep -E -q 'Traceback|Python Exception|Error occurred in Python' "$2"; then
        fail "$1" "Python error in gdb output:"
        grep -h -E -A3 'Traceback|Python Exception|Error occurred in Python' "$2" | head -20
    elif grep -q "^numpy-$1: ok" "$2"; then
        pass "$1 ($(grep "^numpy-$1: ok" "$2"))"
    else
        fail "$1" "$(grep -E '^(FAIL|numpy-)' "$2" | head -30)"
        [ -n "$(grep -E '^(FAIL|numpy-)' "$2")" ] || tail -20 "$2"
    fi
}

# ---- live, then core -------------------------------------------------------
ARRDBG_NP_MODE=live ARRDBG_NP_TRUTH=$WORK/truth.json ARRDBG_NP_CORE=$WORK/python.core \
    "${GDB[@]}" -x tests/gdb/numpy/check.py --args $PY tests/gdb/numpy/arrays.py "$WORK/truth.json" \
    >"$WORK/live.log" 2>&1
verdict live "$WORK/live.log"

if [ ! -s "$WORK/python.core" ]; then
    fail core "gcore wrote no core file"
else
    ARRDBG_NP_MODE=core ARRDBG_NP_TRUTH=$WORK/truth.json \
        "${GDB[@]}" -x tests/gdb/numpy/check.py $PY "$WORK/python.core" >"$WORK/core.log" 2>&1
    verdict core "$WORK/core.log"
fi

# ---- pyvars: Python variable names, live then core ----------------------------
ARRDBG_NP_MODE=live ARRDBG_NP_TRUTH=$WORK/pyvars.json ARRDBG_NP_CORE=$WORK/pyvars.core \
    "${GDB[@]}" -x tests/gdb/numpy/pyvars_check.py --args $PY tests/gdb/numpy/pyvars_prog.py \
    "$WORK/pyvars.json" >"$WORK/pyvars-live.log" 2>&1
verdict pyvars-live "$WORK/pyvars-live.log"
if [ ! -s "$WORK/pyvars.core" ]; then
    fail pyvars-core "gcore wrote no core file"
else
    ARRDBG_NP_MODE=core ARRDBG_NP_TRUTH=$WORK/pyvars.json \
        "${GDB[@]}" -x tests/gdb/numpy/pyvars_check.py $PY "$WORK/pyvars.core" >"$WORK/pyvars-core.log" 2>&1
    verdict pyvars-core "$WORK/pyvars-core.log"
fi
# The same under memcheck through valgrind's gdbserver (vgdb): reads only.
vgdb_start() { # vgdb_start PREFIX LOG VALGRIND... PROGRAM...: runs it (its valgrind told
    # --vgdb-prefix=PREFIX), sets vgpid, returns 1 when no gdbserver came up in 120 s
    local prefix=$1 log=$2 waited=0
    shift 2
    "$@" >"$log" 2>&1 &
    vgpid=$!
    until ls "$prefix"-from-vgdb-to-"$vgpid"-* >/dev/null 2>&1; do
        if [ $waited -gt 600 ] || ! kill -0 "$vgpid" 2>/dev/null; then
            vgdb_end
            return 1
        fi
        sleep 0.2
        waited=$((waited + 1))
    done
}
vgdb_end() { # waits up to 60 s for valgrind (gdb has killed the program), else kills it
    timeout 60 tail --pid="$vgpid" -f /dev/null || kill -9 "$vgpid" 2>/dev/null
    wait "$vgpid" 2>/dev/null
}
if ! command -v valgrind >/dev/null || ! command -v vgdb >/dev/null; then
    skip "pyvars-vgdb, print-vgdb (valgrind and vgdb are not installed: apt-get install valgrind)"
else
    prefix=$WORK/pyvars-vgdb
    vgdb_start "$prefix" "$WORK/pyvars-vg.out" valgrind -q --vgdb=yes --vgdb-error=0 --vgdb-prefix="$prefix" \
        $PY tests/gdb/numpy/pyvars_prog.py "$WORK/pyvars-vg.json"
    ARRDBG_NP_MODE=vgdb ARRDBG_NP_TRUTH=$WORK/pyvars-vg.json \
        ARRDBG_NP_TARGET="target remote | vgdb --vgdb-prefix=$prefix --pid=$vgpid" \
        "${GDB[@]}" -x tests/gdb/numpy/pyvars_check.py $PY >"$WORK/pyvars-vgdb.log" 2>&1
    vgdb_end
    verdict pyvars-vgdb "$WORK/pyvars-vgdb.log"
    # print NAME in a Python frame, the program run by `python3 -m arrdbg run`
    # under the tree's arrcheck (valgrind/arrgrind) when it is built, else memcheck.
    BUILD=${BUILD:-build}
    platform=$(pkg-config --variable=platform valgrind 2>/dev/null || echo amd64-linux)
    if [ -x "$BUILD/valgrind/lib/arrcheck-$platform" ]; then
        tool=arrcheck vg=(env ARRDBG_BUILD="$BUILD" valgrind/arrgrind)
    else
        tool=memcheck vg=(valgrind)
    fi
    prefix=$WORK/print-vgdb
    if [ ! -f "$BUILD/python/arrdbg/__main__.py" ]; then
        skip "print-vgdb (no $BUILD/python/arrdbg: make python-build)"
    elif ! PYTHONPATH=$BUILD/python vgdb_start "$prefix" "$WORK/print-vg.out" "${vg[@]}" --vgdb=yes \
            --vgdb-error=0 --vgdb-prefix="$prefix" $PY -m arrdbg run tests/gdb/print/print_prog.py \
            "$WORK/print-vg.json"; then
        fail print-vgdb "valgrind started no gdbserver: $(tail -5 "$WORK/print-vg.out")"
    else
        ARRDBG_PRINT_TRUTH=$WORK/print-vg.json ARRDBG_VGDB_TOOL=$tool \
            ARRDBG_VGDB_TARGET="target remote | vgdb --vgdb-prefix=$prefix --pid=$vgpid" \
            timeout -k 5 60 "${GDB[@]:4}" -x tests/gdb/numpy/print_vgdb.py $PY >"$WORK/print-vgdb.log" 2>&1
        vgdb_end
        verdict print-vgdb "$WORK/print-vgdb.log"
    fi
fi
# A process without Python: the py commands say so, names go to gdb as before.
"${GDB[@]}" -ex starti -ex 'arr py-bt' -ex 'arr py-up' -ex 'arr info b' -ex 'arr views b' \
    -ex 'arr shares a b' /bin/true >"$WORK/nonpython.log" 2>&1
if grep -E -q 'Traceback|Python Exception|internal error' "$WORK/nonpython.log"; then
    fail pyvars-nonpython "$(cat "$WORK/nonpython.log")"
elif [ "$(grep -c 'runs no Python (no _PyRuntime symbol)$' "$WORK/nonpython.log")" = 2 ] &&
     grep -q '^arr info: No symbol "b" in current context.$' "$WORK/nonpython.log" &&
     grep -q '^arr shares: No symbol "a" in current context.$' "$WORK/nonpython.log"; then
    pass "pyvars-nonpython (arr py-bt, py-up, info/views/shares NAME in /bin/true)"
else
    fail pyvars-nonpython "$(grep '^arr' "$WORK/nonpython.log")"
fi
$PY tests/gdb/numpy/pyframe_offline.py >"$WORK/offline.log" 2>&1
case $? in
    0) pass "pyframe-offline ($(tail -1 "$WORK/offline.log"))" ;;
    77) skip "pyframe-offline ($(tail -1 "$WORK/offline.log"))" ;;
    *) fail pyframe-offline "$(tail -20 "$WORK/offline.log")" ;;
esac

# ---- pyoffsets: pyframe.py's offsets against the installed CPython headers -------
pyinc=$($PY -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
if ! command -v "${CC:-cc}" >/dev/null || [ ! -f "$pyinc/internal/pycore_frame.h" ]; then
    skip "pyoffsets (no C compiler or no $pyinc/internal/pycore_frame.h: apt-get install python3-dev)"
elif ! "${CC:-cc}" -Wall -Wextra -Werror -I"$pyinc" tests/gdb/numpy/pyoffsets.c -o "$WORK/pyoffsets" \
        >"$WORK/pyoffsets.log" 2>&1; then
    fail pyoffsets "pyoffsets.c does not build: $(head -5 "$WORK/pyoffsets.log")"
elif "$WORK/pyoffsets" | $PY -c '
import sys
sys.path.insert(0, "gdb/python")
from arrdbg_gdb import pyframe
got = dict(line.split() for line in sys.stdin)
version = int(got.pop("version"))
if (version >> 8, version & 255) != pyframe.VERSION:
    print("headers of Python %d.%d: pyframe reads 3.11 only" % (version >> 8, version & 255))
    sys.exit(77)
import re
c = dict((k, v) for v, k in re.findall(r"^#define AC_PY_\w+ (\d+) +/\* (\S+) \*/$",
                                       open("valgrind/ac_pystack.c").read(), re.M))
own = {"PyObject.ob_type", "PyTypeObject.tp_name"}
bad = ["%s: pyframe %s, compiler %s" % (k, pyframe.OFFSETS.get(k), got.get(k))
       for k in sorted((set(got) - own) | set(pyframe.OFFSETS)) if str(pyframe.OFFSETS.get(k)) != got.get(k)]
bad += ["%s: ac_pystack.c %s, compiler %s" % (k, v, got.get(k)) for k, v in sorted(c.items()) if got.get(k) != v]
bad += [] if len(c) >= 20 else ["only %d AC_PY_ offsets found in valgrind/ac_pystack.c" % len(c)]
print("; ".join(bad) or "%d offsets agree (pyframe.py, and %d of them in ac_pystack.c)" % (len(got), len(c)))
sys.exit(1 if bad else 0)' >"$WORK/pyoffsets.out" 2>&1; then
    pass "pyoffsets ($(cat "$WORK/pyoffsets.out"))"
elif grep -q "3.11 only" "$WORK/pyoffsets.out"; then
    skip "pyoffsets ($(cat "$WORK/pyoffsets.out"))"
else
    fail pyoffsets "$(cat "$WORK/pyoffsets.out")"
fi

# ---- typed: a -g NumPy C extension --------------------------------------------
pyinc=$($PY -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
npinc=$($PY -c 'import numpy; print(numpy.get_include())')
if ! command -v "${CC:-cc}" >/dev/null || [ ! -f "$pyinc/Python.h" ]; then
    skip "typed (no C compiler or no $pyinc/Python.h: apt-get install python3-dev)"
elif ! "${CC:-cc}" -Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes -g -O0 -shared -fPIC \
        -I"$pyinc" -I"$npinc" tests/gdb/numpy/ext.c -o "$WORK/arrdbg_np_ext.so" >"$WORK/ext.log" 2>&1; then
    fail typed "the extension does not build:"
    cat "$WORK/ext.log"
else
    ARRDBG_NP_MODE=typed ARRDBG_NP_TRUTH=$WORK/truth-typed.json \
        "${GDB[@]}" -x tests/gdb/numpy/check.py --args $PY tests/gdb/numpy/arrays.py \
        "$WORK/truth-typed.json" "$WORK" >"$WORK/typed.log" 2>&1
    verdict typed "$WORK/typed.log"
fi
finish
