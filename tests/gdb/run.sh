#!/usr/bin/env bash
# tests/gdb/run.sh - the gdb plugin's tests (make check-gdb).
#
#   BUILD=build bash tests/gdb/run.sh [CASE...]
#   ARRDBG_UPDATE=1 ...   rewrite the expected transcripts (then review them!)
#
# Cases:
#   offline       overlap solver and .npy writer against NumPy (no gdb)
#   cases/*.cmds  gdb -nx -batch transcripts against cases/*.exp, on a live
#                 process or (#: mode core) a core file made with gcore
#   mi            -var-create / -var-list-children over MI (as VS Code and
#                 CLion send them), -stack-list-variables --simple-values
#   mi_nested     the same on a (2,)*32 view in a struct and an array
#   dump          arr dump of strided arrays read back with numpy, compared
#                 with the values the program computed
#   garbage       random and corrupt descriptors and registry: short
#                 <arr: ...> answers, no traceback, no hang
#   loading       the plugin is imported only from the directory compiled
#                 in (never relative to the program); libarr.so has no
#                 autoload entry; after install-gdb into a temporary
#                 prefix, programs get it silently, python3 by one `source`
#   hostile       every command, setting and $arr_* function with wrong
#                 arity, wrong types, huge numbers, no process: one-line
#                 answers only (no traceback, no "internal error")
#   vgdb_arrcheck the plugin through Valgrind's gdbserver under the tree's
#                 arrcheck tool, its ids checked against `monitor arr ...`
#                 (skipped when build/valgrind has no tool, or SANITIZE=1)
#   vgdb_memcheck the same under memcheck, which has no arr monitor commands
#   numpy         NumPy's own ndarrays in /usr/bin/python3 (tests/gdb/numpy/run.sh)
#   drift         arrdbg_gdb/_generated.py against DWARF and libarr's name
#                 tables (tests/gdb/layout_drift.py)
#   stripped      key commands on a copy with no DWARF answer as with it
#                 (tests/gdb/stripped/run.sh)
#   thirdparty    another library's matrix type (samples/thirdparty_matrix.c)
#                 declared with arrdbg_gdb.foreign; its arrcheck stacks
#                 (tests/gdb/thirdparty/run.sh)
#   gsl           an unmodified GSL program: the shipped GSL layouts
#                 (tests/gdb/gsl/run.sh)
#   gsltypes      every GSL element type, printed and arr info'd live and
#                 on a core, against the program's own printf
#                 (tests/gdb/gsltypes/run.sh)
#   print         `print NAME` in a Python frame (live, core, MI), #N in a
#                 NumPy process, gdb's own print for the rest
#                 (tests/gdb/print/run.sh)
#   pystr         print NAME of a long Python str or bytes: its first 200
#                 items and its length (tests/gdb/pystr/run.sh)
# Every gdb runs under `timeout`; any "Traceback" or "Python Exception" in
# its output fails the case.  Ends with "N passed, M failed".
set -u
cd "$(dirname "$0")/../.." || exit 2
ROOT=$(pwd)
BUILD=${BUILD:-build}
PY=/usr/bin/python3
GDB_TIMEOUT=${GDB_TIMEOUT:-120}
WORK=$(mktemp -d /tmp/arrdbg-gdb-tests.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
passed=0
failed=0
failed_names=()

pass() { passed=$((passed + 1)); echo "PASS: $1"; }
fail() { failed=$((failed + 1)); failed_names+=("$1"); echo "FAIL: $1${2:+: $2}"; }

want() { # want NAME: is this case selected on the command line?
    [ $# -eq 0 ] && return 0
    local name=$1
    shift
    [ ${#SELECTED[@]} -eq 0 ] && return 0
    for s in "${SELECTED[@]}"; do [ "$s" = "$name" ] && return 0; done
    return 1
}
SELECTED=("$@")

if ! command -v gdb >/dev/null || ! gdb -nx -batch -ex 'python print(1)' >/dev/null 2>&1; then
    echo "gdb with Python is missing: install the Debian package gdb"
    echo "0 passed, 1 failed"
    exit 1
fi

GDB=(timeout -k 5 "$GDB_TIMEOUT" gdb -nx -batch -iex "set auto-load safe-path /")
SOURCE=(-iex "source $ROOT/gdb/arrdbg.py")

# Addresses and paths differ from run to run and machine to machine.
normalize() {
    sed -E -e "s|$ROOT/$BUILD/|<root>/build/|g" -e "s|$ROOT|<root>|g" -e 's/0x[0-9a-f]{5,}/0xADDR/g' \
        -e 's/process [0-9]+/process PID/g' "$1"
}

no_traceback() { # no_traceback NAME FILE...
    if grep -l -E 'Traceback|Python Exception|driver failed|Error occurred in Python' "${@:2}" >/dev/null 2>&1; then
        fail "$1" "Python error in gdb output:"
        grep -h -E -A3 'Traceback|Python Exception|driver failed|Error occurred in Python' "${@:2}" | head -20
        return 1
    fi
    return 0
}

check_script_verdict() { # NAME LOG RC DETAILS: a gdb -x check script ends with "NAME: ok ..."
    if [ "$3" = 124 ] || [ "$3" = 137 ]; then
        fail "$1" "gdb timed out after ${GDB_TIMEOUT}s (a hang)"
    elif no_traceback "$1" "$2"; then
        local result
        result=$(tail -1 "$2")
        if [[ $result == "$1: ok"* ]]; then
            pass "$result"
        else
            fail "$1" "$4"
        fi
    fi
}

compare() { # compare NAME ACTUAL EXPECTED
    if [ "${ARRDBG_UPDATE:-0}" = 1 ]; then
        cp "$2" "$3"
        pass "$1 (expected output rewritten)"
    elif [ ! -f "$3" ]; then
        fail "$1" "no expected output $3"
    elif diff -u "$3" "$2" >"$WORK/$1.diff"; then
        pass "$1"
    else
        fail "$1" "output differs from $3:"
        head -60 "$WORK/$1.diff"
    fi
}

header() { # header FILE KEY DEFAULT
    local v
    v=$(sed -n -E "s/^#: $2 (.*)/\1/p" "$1" | head -1)
    echo "${v:-$3}"
}

# ---- offline ------------------------------------------------------------
if want offline; then
    if out=$($PY tests/gdb/test_offline.py 2>&1) && [[ $(tail -1 <<<"$out") == *" 0 failed" ]]; then
        pass "offline ($(tail -1 <<<"$out"))"
    else
        fail offline "$(tail -20 <<<"$out")"
    fi
fi

# ---- transcripts ----------------------------------------------------------
for cmds in tests/gdb/cases/*.cmds; do
    name=$(basename "$cmds" .cmds)
    want "$name" || continue
    prog=$BUILD/tests/gdb/$(header "$cmds" prog views)
    mode=$(header "$cmds" mode live)
    load=$(header "$cmds" load source)
    if [ ! -x "$prog" ]; then
        fail "$name" "missing $prog (run make)"
        continue
    fi
    loadargs=()
    [ "$load" = source ] && loadargs=("${SOURCE[@]}")
    # Auto-load cases list the loaded scripts and printers: keep out other
    # libraries' objfile scripts (an ASan build loads libstdc++'s).  The
    # inline .debug_gdb_scripts entry does not use this directory.
    [ "$load" = auto ] && loadargs=(-iex "set auto-load scripts-directory $WORK/no-scripts")
    actual=$WORK/$name.out
    export ARRDBG_CASE=$cmds ARRDBG_OUT=$actual
    if [ "$mode" = core ]; then
        if [ "${SANITIZE:-0}" = 1 ]; then
            echo "SKIP: $name (a core of an ASan process maps terabytes of shadow)"
            continue
        fi
        ARRDBG_MODE=gcore ARRDBG_CORE=$WORK/$name.core \
            "${GDB[@]}" "${loadargs[@]}" -x tests/gdb/driver.py "$prog" >"$WORK/$name.gcore.log" 2>&1
        if [ ! -s "$WORK/$name.core" ]; then
            fail "$name" "gcore made no core file"
            cat "$WORK/$name.gcore.log"
            continue
        fi
        ARRDBG_MODE=core "${GDB[@]}" "${loadargs[@]}" -x tests/gdb/driver.py "$prog" "$WORK/$name.core" \
            >"$WORK/$name.log" 2>&1
    else
        ARRDBG_MODE=live "${GDB[@]}" "${loadargs[@]}" -x tests/gdb/driver.py "$prog" >"$WORK/$name.log" 2>&1
    fi
    rc=$?
    if [ $rc = 124 ] || [ $rc = 137 ]; then
        fail "$name" "gdb timed out after ${GDB_TIMEOUT}s"
        continue
    fi
    no_traceback "$name" "$WORK/$name.log" "$actual" || continue
    if [ ! -f "$actual" ]; then
        fail "$name" "no transcript; gdb said:"
        tail -20 "$WORK/$name.log"
        continue
    fi
    normalize "$actual" >"$actual.norm"
    compare "$name" "$actual.norm" "tests/gdb/cases/$name.exp"
done

# ---- MI -----------------------------------------------------------------
run_mi() { # run_mi NAME PROG: $WORK/NAME.in through gdb's MI against cases/NAME.exp
    # -exec-run is asynchronous: feed the rest once the breakpoint is hit.
    (
        head -3 "$WORK/$1.in"
        for _ in $(seq 100); do grep -q 'stopped,reason="breakpoint-hit"' "$WORK/$1.raw" 2>/dev/null && break; sleep 0.1; done
        tail -n +4 "$WORK/$1.in"
    ) | timeout -k 5 "$GDB_TIMEOUT" gdb -nx --interpreter=mi2 -iex "set auto-load safe-path /" \
        -iex "source $ROOT/gdb/arrdbg.py" "$BUILD/tests/gdb/$2" >"$WORK/$1.raw" 2>&1
    local rc=$?
    if [ $rc = 124 ] || [ $rc = 137 ]; then
        fail "$1" "gdb timed out after ${GDB_TIMEOUT}s (a hang)"
        return
    fi
    grep -E '^1[0-9][0-9]\^' "$WORK/$1.raw" | sed -E -e 's/0x[0-9a-f]{5,}/0xADDR/g' >"$WORK/$1.out"
    if no_traceback "$1" "$WORK/$1.raw"; then
        compare "$1" "$WORK/$1.out" "tests/gdb/cases/$1.exp"
    fi
}
if want mi; then
    cat >"$WORK/mi.in" <<'EOF'
-enable-pretty-printing
-break-insert -c "n == 1" arrdbg_spot
-exec-run
-stack-select-frame 1
101-var-create m_var * m
102-var-list-children --all-values m_var
103-var-list-children --all-values m_var.[1]
104-var-create flipped_var * flipped
105-var-list-children flipped_var
111-var-list-children --all-values flipped_var.[2]
106-var-create scalar_var * scalar
107-var-evaluate-expression scalar_var
112-var-create null_var * null_arr
108-var-create row_var * row
109-var-info-num-children row_var
110-var-list-children --simple-values row_var 1 3
113-stack-list-variables --simple-values
114-var-create - * m
115-var-list-children --simple-values var1
116-var-list-children --all-values var1 5 9
117-var-create --thread 1 --frame 1 - @ flipped
118-var-info-num-children var2
119-data-evaluate-expression m
-gdb-exit
EOF
    run_mi mi views
fi
# An IDE opening the rows of a (2,)*32 stride-0 view (gdb prints each row
# child as a value when it makes its varobj: that printed 2**31 elements)
# and a struct holding it.
if want mi_nested; then
    cat >"$WORK/mi_nested.in" <<'EOF'
-enable-pretty-printing
-break-insert -c "n == 1" arrdbg_spot
-exec-run
-stack-select-frame 1
101-var-create many_var * many
102-var-list-children many_var
103-var-list-children --simple-values many_var.1
104-var-list-children --all-values many_var.1.[0]
105-var-create h_var * h
106-var-list-children --all-values h_var
107-var-list-children --all-values h_var.b
108-var-list-children --all-values h_var.b.2 7 9
109-var-evaluate-expression h_var.b.2
110-stack-list-variables --all-values
-gdb-exit
EOF
    run_mi mi_nested nested
fi

# ---- arr dump read back with numpy ---------------------------------------
if want dump; then
    mkdir -p "$WORK/dump"
    names="flipped bcast t every_other flags ints z f32 scalar"
    for n in $names; do echo "arr dump $n $WORK/dump/$n.npy"; done >"$WORK/dump.cmds"
    ARRDBG_CASE=$WORK/dump.cmds ARRDBG_OUT=$WORK/dump.out ARRDBG_MODE=live ARRDBG_ARGS=$WORK/dump \
        "${GDB[@]}" "${SOURCE[@]}" -x tests/gdb/driver.py "$BUILD/tests/gdb/views" >"$WORK/dump.log" 2>&1
    if no_traceback dump "$WORK/dump.log" "$WORK/dump.out"; then
        if out=$($PY tests/gdb/check_dump.py "$WORK/dump" $names 2>&1); then
            pass "dump ($out)"
        else
            fail dump "$out"
            cat "$WORK/dump.out"
        fi
    fi
fi

# ---- garbage descriptors and a corrupt registry ------------------------------
if want garbage; then
    ARRDBG_GARBAGE_OUT=$WORK/garbage.out "${GDB[@]}" "${SOURCE[@]}" -x tests/gdb/garbage_check.py \
        "$BUILD/tests/gdb/garbage" >"$WORK/garbage.log" 2>&1
    rc=$?
    check_script_verdict garbage "$WORK/garbage.log" $rc "$(tail -30 "$WORK/garbage.log")"
fi

# ---- loading: safe (never relative to the program), silent when installed ----
# 1. A static program copied under a directory where anyone could plant
#    share/arrdbg/python (and ./arrdbg_gdb in the current directory): the
#    plugin still comes from the one directory compiled into libarr.a.
# 2. The shared library carries no .debug_gdb_scripts entry and no path.
# 3. make install-gdb into a temporary PREFIX: the installed libarr.a's
#    entry names only PREFIX; a program linked to the installed libarr.so
#    gets the printers from gdb's auto-load directory without a word about
#    safe-path; a static one from PREFIX; `source PREFIX/share/arrdbg/arrdbg.py`
#    gives the arr commands in python3 from any directory.
loading_check() {
    local d=$WORK/loading plant prefix out
    mkdir -p "$d/X" "$d/share/arrdbg/python/arrdbg_gdb" "$d/arrdbg_gdb"
    cp "$BUILD/tests/gdb/views" "$d/X/prog"
    plant='import gdb; gdb.write("PLANTED CODE RAN\n")'
    echo "$plant" >"$d/share/arrdbg/python/arrdbg_gdb/__init__.py"
    echo "$plant" >"$d/arrdbg_gdb/__init__.py"
    out=$(cd "$d" && "${GDB[@]}" -ex "python import arrdbg_gdb; print('from', arrdbg_gdb.__file__)" \
        -ex "info pretty-printer" X/prog 2>&1)
    if grep -q PLANTED <<<"$out" || ! grep -q "^from $ROOT/gdb/python/arrdbg_gdb/__init__.py" <<<"$out"; then
        echo "static program under a planted directory: $out"
        return 1
    fi
    if readelf -SW "$BUILD/libarr.so.$ARR_VERSION" | grep -q debug_gdb_scripts; then
        echo "libarr.so has a .debug_gdb_scripts section"
        return 1
    fi
    if strings "$BUILD/libarr.so.$ARR_VERSION" | grep -q "gdb/python"; then
        echo "libarr.so names a plugin directory"
        return 1
    fi
    [ "${SANITIZE:-0}" = 1 ] && return 0  # an install links without the sanitizers
    prefix=$WORK/prefix
    if ! make -s --no-print-directory install-gdb BUILD="$BUILD" PREFIX="$prefix" LDCONFIG=true \
            GDB_AUTOLOAD_DIR="$prefix/share/gdb/auto-load" >"$WORK/loading.install.log" 2>&1; then
        echo "make install-gdb failed:"
        tail -20 "$WORK/loading.install.log"
        return 1
    fi
    local entry
    entry=$(cd "$WORK" && ar x "$prefix/lib/libarr.a" arr_gdb_autoload.o && readelf -p .debug_gdb_scripts arr_gdb_autoload.o)
    # A file name (kind 1) in gdb's auto-load directory; that script imports
    # from the prefix.
    if ! grep -q "$prefix/share/gdb/auto-load/arrdbg/libarr.a-gdb.py" <<<"$entry" || grep -q "$ROOT" <<<"$entry" ||
            ! grep -q "$prefix/share/arrdbg/python" "$prefix/share/gdb/auto-load/arrdbg/libarr.a-gdb.py"; then
        echo "installed libarr.a's autoload entry: $entry"
        return 1
    fi
    cc -Ilibarr -Itests/gdb/progs -g -O0 tests/gdb/progs/views.c -o "$d/shared_prog" -L"$prefix/lib" \
        -l:libarr.so.$ARR_SOVERSION -Wl,-rpath,"$prefix/lib" -pthread -lm &&
    cc -Ilibarr -Itests/gdb/progs -g -O0 tests/gdb/progs/views.c -o "$d/static_prog" "$prefix/lib/libarr.a" -pthread -lm ||
        return 1
    # gdb's default safe-path trusts its own auto-load directory: the same here.
    out=$(cd "$d" && timeout -k 5 "$GDB_TIMEOUT" gdb -nx -batch \
        -iex "set auto-load scripts-directory $prefix/share/gdb/auto-load" \
        -iex "set auto-load safe-path $prefix/share/gdb/auto-load" \
        -ex "break arrdbg_spot" -ex run -ex "frame 1" -ex "print base" \
        -ex "python import arrdbg_gdb; print('from', arrdbg_gdb.__file__)" shared_prog 2>&1)
    if grep -q -E "declined|PLANTED|safe-path" <<<"$out" || ! grep -q '^\$1 = arr #1 float64' <<<"$out" ||
            ! grep -q "^from $prefix/share/arrdbg/python/arrdbg_gdb/__init__.py" <<<"$out"; then
        echo "program linked to the installed libarr.so: $out"
        return 1
    fi
    out=$(cd "$d" && "${GDB[@]}" -ex "python import arrdbg_gdb; print('from', arrdbg_gdb.__file__)" static_prog 2>&1)
    if grep -q PLANTED <<<"$out" || ! grep -q "^from $prefix/share/arrdbg/python/arrdbg_gdb/__init__.py" <<<"$out"; then
        echo "static program linked to the installed libarr.a: $out"
        return 1
    fi
    out=$(cd / && timeout -k 5 "$GDB_TIMEOUT" gdb -nx -batch -iex "source $prefix/share/arrdbg/arrdbg.py" \
        -ex "help arr info" -ex "python import arrdbg_gdb; print('from', arrdbg_gdb.__file__)" \
        -ex "arr info 0" $PY 2>&1)
    if ! grep -q "^Everything about one array" <<<"$out" ||
            ! grep -q "^from $prefix/share/arrdbg/python/arrdbg_gdb/__init__.py" <<<"$out"; then
        echo "source PREFIX/share/arrdbg/arrdbg.py in python3: $out"
        return 1
    fi
    return 0
}
if want loading; then
    ARR_VERSION=$(sed -n -E 's/^ARR_VERSION *:?= *//p' Makefile | head -1)
    ARR_SOVERSION=$(sed -n -E 's/^ARR_SOVERSION *:?= *//p' Makefile | head -1)
    if msg=$(loading_check 2>&1); then
        pass loading
    else
        fail loading "$msg"
    fi
fi

# ---- every command and function with hostile arguments, with and without a process ----
if want hostile; then
    "${GDB[@]}" "${SOURCE[@]}" -x tests/gdb/hostile_check.py "$BUILD/tests/gdb/views" \
        >"$WORK/hostile.log" 2>&1
    rc=$?
    check_script_verdict hostile "$WORK/hostile.log" $rc \
        "$(grep -E '^(FAIL|hostile)' "$WORK/hostile.log" | head -60)"
fi

# ---- through Valgrind's gdbserver (vgdb) ------------------------------------
# The program waits under valgrind --vgdb=yes --vgdb-error=0; gdb connects
# with `target remote | vgdb`, so the plugin can only read memory (no
# ptrace, no inferior calls).  Once with the tree's arrcheck tool
# (valgrind/arrgrind; its monitor commands are compared with the plugin),
# once with memcheck (no arr monitor commands; the plugin must still work).
# A private --vgdb-prefix keeps parallel runs from meeting each other.
run_vgdb() { # run_vgdb NAME TOOL VALGRIND-COMMAND...
    local name=$1 tool=$2
    shift 2
    local prog=$BUILD/tests/gdb/vgdb prefix=$WORK/$name-vgdb
    "$@" --vgdb=yes --vgdb-error=0 --vgdb-prefix="$prefix" "$prog" \
        >"$WORK/$name.valgrind.out" 2>"$WORK/$name.valgrind.log" &
    local vgpid=$! waited=0
    until ls "$prefix"-from-vgdb-to-"$vgpid"-* >/dev/null 2>&1; do
        sleep 0.2
        waited=$((waited + 1))
        if [ $waited -gt 300 ] || ! kill -0 "$vgpid" 2>/dev/null; then
            kill "$vgpid" 2>/dev/null
            wait "$vgpid" 2>/dev/null
            fail "$name" "valgrind started no gdbserver; it said:"
            tail -20 "$WORK/$name.valgrind.log"
            return
        fi
    done
    ARRDBG_VGDB_TOOL=$tool ARRDBG_OUT=$WORK/$name.out \
        ARRDBG_VGDB_TARGET="target remote | vgdb --vgdb-prefix=$prefix --pid=$vgpid" \
        "${GDB[@]}" "${SOURCE[@]}" -x tests/gdb/vgdb_check.py "$prog" >"$WORK/$name.log" 2>&1
    local rc=$?
    if ! timeout 60 tail --pid="$vgpid" -f /dev/null; then
        kill "$vgpid" 2>/dev/null
        fail "$name" "valgrind did not exit after gdb"
        wait "$vgpid" 2>/dev/null
        return
    fi
    wait "$vgpid"
    if [ $rc = 124 ] || [ $rc = 137 ]; then
        fail "$name" "gdb timed out after ${GDB_TIMEOUT}s"
        return
    fi
    no_traceback "$name" "$WORK/$name.log" || return
    local result
    result=$(grep '^vgdb: ' "$WORK/$name.log" | tail -1)
    if [[ $result != "vgdb: ok"* ]]; then
        fail "$name" "$(grep '^vgdb: ' "$WORK/$name.log" || tail -5 "$WORK/$name.log")"
        return
    fi
    if ! grep -q '^vgdb: done$' "$WORK/$name.valgrind.out"; then
        fail "$name" "the program did not run to its end under valgrind"
        tail -20 "$WORK/$name.valgrind.log"
        return
    fi
    # Addresses and libarr's own frames (their line numbers move
    # with every edit of the core) are not part of the expectation.
    sed -E \
        -e '/^ *(at|by) 0x[0-9A-Fa-f]+: .*\(arr_[a-z_]+\.c:[0-9]+\)$/d' \
        -e 's/0x[0-9A-Fa-f]+/0xADDR/g' \
        -e 's/handle 0xADDR \([0-9]+ bytes\)/handle 0xADDR (N bytes)/' "$WORK/$name.out" |
        normalize /dev/stdin >"$WORK/$name.norm"
    compare "$name" "$WORK/$name.norm" "tests/gdb/cases/$name.exp"
}

if want vgdb_arrcheck || want vgdb_memcheck; then
    platform=$(pkg-config --variable=platform valgrind 2>/dev/null || echo amd64-linux)
    if [ "${SANITIZE:-0}" = 1 ]; then
        echo "SKIP: vgdb_arrcheck, vgdb_memcheck (valgrind cannot run an ASan-instrumented program)"
    elif ! command -v valgrind >/dev/null || ! command -v vgdb >/dev/null; then
        echo "SKIP: vgdb_arrcheck, vgdb_memcheck (valgrind and vgdb are not installed: apt-get install valgrind)"
    else
        if want vgdb_arrcheck; then
            if [ -x "build/valgrind/lib/arrcheck-$platform" ]; then
                ARRDBG_BUILD=build run_vgdb vgdb_arrcheck arrcheck valgrind/arrgrind
            else
                echo "SKIP: vgdb_arrcheck (no arrcheck tool in build/valgrind/lib: run make)"
            fi
        fi
        want vgdb_memcheck && run_vgdb vgdb_memcheck memcheck valgrind --tool=memcheck
    fi
fi

# ---- NumPy's own arrays in /usr/bin/python3 (skips without python3-numpy) ----
if want numpy; then
    bash tests/gdb/numpy/run.sh >"$WORK/numpy.log" 2>&1
    case $? in
        0) pass "numpy ($(tail -1 "$WORK/numpy.log"))" ;;
        77) grep -m1 '^SKIP' "$WORK/numpy.log" ;;
        *) fail numpy "$(grep -E '^(FAIL|SKIP|numpy)' "$WORK/numpy.log" | head -30)" ;;
    esac
fi

# ---- the generated layout: no drift from the C; no DWARF needed ------------
if want drift; then
    result=$(ARRDBG_ROOT=$ROOT "${GDB[@]}" -x tests/gdb/layout_drift.py "$BUILD/tests/gdb/views" 2>&1 |
        grep '^drift: ')
    if [[ $result == "drift: ok"* ]]; then pass "$result"; else fail drift "$result"; fi
fi
if want stripped; then
    mkdir -p "$WORK/stripped"
    if out=$(BUILD=$BUILD bash tests/gdb/stripped/run.sh "$WORK/stripped" 2>&1); then
        pass "$out"
    else
        fail stripped "$out"
    fi
fi
for lib in thirdparty gsl gsltypes print pystr; do # other libraries' arrays; print NAME
    want $lib || continue
    mkdir -p "$WORK/$lib"
    if out=$(BUILD=$BUILD SANITIZE=${SANITIZE:-0} bash tests/gdb/$lib/run.sh "$WORK/$lib" 2>&1); then
        pass "$out"
    else
        fail $lib "$out"
    fi
done

echo "$passed passed, $failed failed"
[ $failed = 0 ]
