#!/bin/bash
# run.sh - the Valgrind regression tests (format: tests/valgrind/README.md).
#
#   tests/valgrind/run.sh [NAME...]     all *.vgtest, or only the named ones
#
# ARRDBG_BUILD names the build dir (default build); test programs are in
# $ARRDBG_BUILD/tests/valgrind.  Prints one line per test and ends with
# "N passed, M failed".  Outputs of a failed test stay in
# $ARRDBG_BUILD/tests/valgrind/out/NAME.*.
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tree=$(cd "$here/../.." && pwd)
build=${ARRDBG_BUILD:-build}
case $build in /*) ;; *) build=$tree/$build ;; esac
export VGT_BUILD=$build/tests/valgrind     # the test programs
export VGT_DIR=$here                       # this directory
export ARRDBG_BUILD=$build
outdir=$VGT_BUILD/out
mkdir -p "$outdir"
cd "$here" || exit 2

tests=()
if [ $# -gt 0 ]; then
    for t in "$@"; do tests+=("${t%.vgtest}"); done
else
    for f in *.vgtest; do tests+=("${f%.vgtest}"); done
fi

passed=0 failed=0 skipped=0

# vgtest_field FILE KEY: the value of the last "KEY:" line (empty if none).
vgtest_field() {
    sed -n -E "s/^$2:[[:space:]]*//p" "$1" | tail -n 1
}

# compare NAME WHAT ACTUAL: diff against NAME.WHAT.exp when that exists.
compare() {
    local exp=$1.$2.exp
    [ -f "$exp" ] || return 0
    if ! diff -u "$exp" "$3" > "$outdir/$1.$2.diff"; then
        echo "  $2 differs from $exp:"
        head -n 40 "$outdir/$1.$2.diff" | sed 's/^/    /'
        return 1
    fi
    rm -f "$outdir/$1.$2.diff"
}

# run_gdb NAME PROG ARGS...: valgrind stopped at start under vgdb, driven
# by gdb -nx -batch with the commands of NAME.gdb.
run_gdb() {
    local name=$1; shift
    "$@" 2> "$outdir/$name.stderr.raw" > "$outdir/$name.stdout.raw" &
    local vgpid=$!
    local waited=0
    # vgdb's FIFOs appear once valgrind waits for gdb.
    until ls /tmp/vgdb-pipe-from-vgdb-to-"$vgpid"-* > /dev/null 2>&1; do
        sleep 0.2
        waited=$((waited + 1))
        if [ $waited -gt 150 ] || ! kill -0 "$vgpid" 2> /dev/null; then
            echo "  valgrind did not start a gdbserver"
            kill "$vgpid" 2> /dev/null
            wait "$vgpid" 2> /dev/null
            return 1
        fi
    done
    { echo "target remote | vgdb --pid=$vgpid"; cat "$name.gdb"; } > "$outdir/$name.gdbcmds"
    timeout 120 gdb -nx -batch -x "$outdir/$name.gdbcmds" "$VGT_BUILD/$prog" \
        > "$outdir/$name.gdb.raw" 2>&1
    local rc=0
    if ! timeout 60 tail --pid="$vgpid" -f /dev/null; then
        # A valgrind waiting for gdb (the script stopped at an error before
        # its last continue) ignores SIGTERM: KILL it, or `wait` hangs.
        kill "$vgpid" 2> /dev/null
        sleep 1
        kill -9 "$vgpid" 2> /dev/null
        echo "  valgrind did not exit after gdb"
        rc=1
    fi
    wait "$vgpid"
    echo $? > "$outdir/$name.exit.raw"
    return $rc
}

for name in "${tests[@]}"; do
    vgtest=$name.vgtest
    if [ ! -f "$vgtest" ]; then
        echo "FAIL $name (no $vgtest)"
        failed=$((failed + 1))
        continue
    fi
    prog=$(vgtest_field "$vgtest" prog)
    args=$(vgtest_field "$vgtest" args)
    vgopts=$(vgtest_field "$vgtest" vgopts)
    tool=$(vgtest_field "$vgtest" tool)
    prereq=$(vgtest_field "$vgtest" prereq)
    post=$(vgtest_field "$vgtest" post)
    want_exit=$(vgtest_field "$vgtest" exit)
    filter=$(vgtest_field "$vgtest" stderr_filter)
    tool=${tool:-arrcheck}
    filter=${filter:-./filter_stderr}
    export VGT_OUT=$outdir/$name.tmp         # scratch dir for the test
    rm -rf "$VGT_OUT" "$outdir/$name".*
    mkdir -p "$VGT_OUT"

    if [ -n "$prereq" ] && ! (eval "$prereq") > /dev/null 2>&1; then
        echo "SKIP $name (prereq: $prereq)"
        skipped=$((skipped + 1))
        continue
    fi
    if [ -z "$prog" ] || [ ! -x "$VGT_BUILD/$prog" ]; then
        echo "FAIL $name (no program $VGT_BUILD/$prog: run make)"
        failed=$((failed + 1))
        continue
    fi
    case $tool in
    arrcheck) launcher=("$tree/valgrind/arrgrind") ;;
    *) launcher=(valgrind "--tool=$tool") ;;
    esac
    eval "vgopt_words=($vgopts)"
    eval "arg_words=($args)"
    cmd=("${launcher[@]}" "${vgopt_words[@]}" "$VGT_BUILD/$prog" "${arg_words[@]}")

    ok=1
    # A test must expect something, or it could never fail.
    if [ ! -f "$name.stderr.exp" ] && [ ! -f "$name.stdout.exp" ] && [ ! -f "$name.gdb.exp" ] &&
        [ -z "$post" ] && [ -z "$want_exit" ]; then
        echo "  $name has no expectations (no .stderr.exp, .stdout.exp, .gdb.exp, post: or exit:)"
        ok=0
    fi
    if [ -f "$name.gdb" ]; then
        run_gdb "$name" "${cmd[@]}" || ok=0
    else
        timeout 300 "${cmd[@]}" > "$outdir/$name.stdout.raw" 2> "$outdir/$name.stderr.raw"
        echo $? > "$outdir/$name.exit.raw"
    fi
    (cd "$here" && eval "$filter") < "$outdir/$name.stderr.raw" > "$outdir/$name.stderr.out"
    cp "$outdir/$name.stdout.raw" "$outdir/$name.stdout.out"
    compare "$name" stderr "$outdir/$name.stderr.out" || ok=0
    compare "$name" stdout "$outdir/$name.stdout.out" || ok=0
    if [ -f "$name.gdb" ]; then
        ./filter_gdb < "$outdir/$name.gdb.raw" > "$outdir/$name.gdb.out"
        compare "$name" gdb "$outdir/$name.gdb.out" || ok=0
    fi
    got_exit=$(cat "$outdir/$name.exit.raw" 2> /dev/null)
    if [ -n "$want_exit" ] && [ "$got_exit" != "$want_exit" ]; then
        echo "  exit status $got_exit, expected $want_exit"
        ok=0
    fi
    # Every XML file a test writes must parse (expat, a real XML parser).
    for x in "$VGT_OUT"/*.xml; do
        [ -f "$x" ] || continue
        if ! python3 -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' "$x" \
                > "$outdir/$name.xmlparse" 2>&1; then
            echo "  $(basename "$x") is not well-formed XML:"
            tail -n 1 "$outdir/$name.xmlparse" | sed 's/^/    /'
            ok=0
        fi
    done
    if [ -n "$post" ]; then
        (eval "$post") > "$outdir/$name.post.out" 2>&1
        compare "$name" post "$outdir/$name.post.out" || ok=0
    fi
    if [ $ok = 1 ]; then
        echo "PASS $name"
        passed=$((passed + 1))
        rm -rf "$VGT_OUT"
    else
        echo "FAIL $name"
        failed=$((failed + 1))
    fi
done

[ $skipped -gt 0 ] && echo "($skipped skipped)"
echo "$passed passed, $failed failed"
[ $failed = 0 ]
