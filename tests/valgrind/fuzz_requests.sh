#!/bin/bash
# fuzz_requests.sh BUILD SECONDS [FIRST_SEED] - runs req_fuzz (random
# hostile client requests) under arrcheck with seed after seed, alternating
# 1 and 4 threads and the option sets below, until SECONDS have passed
# (at least one round).  A run fails when valgrind does not exit 0, prints
# an internal error or a fatal signal, loses the ARRAY SUMMARY, or writes
# XML or profile JSON that does not parse.  Prints one line per failure and
# "fuzz requests: N runs, M failed"; exit 1 when any failed.
#   make fuzz (long), check-valgrind's fuzz_requests_* tests (bounded).
set -u
build=$(cd "${1:-build}" && pwd)
seconds=${2:-60}
seed=${3:-1}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
prog=$build/tests/valgrind/req_fuzz
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
optsets=("" "--profile=yes --profile-out=$work/p.json" "--xml=yes --xml-file=$work/o.xml"
         "--profile=yes --profile-out=$work/p.json --xml=yes --xml-file=$work/o.xml --leak-check=summary")
runs=0 failed=0
end=$((SECONDS + seconds))
while :; do
    for threads in 1 4; do
        for opts in "${optsets[@]}"; do
            rm -f "$work"/*
            # shellcheck disable=SC2086
            "$here/../../valgrind/arrgrind" $opts "$prog" "$seed" 1500 "$threads" \
                > "$work/out" 2> "$work/err"
            rc=$?
            runs=$((runs + 1))
            why=""
            [ $rc = 0 ] || why="exit status $rc"
            grep -qE 'INTERNAL ERROR|Killed by fatal signal|tool_panic|Assertion' "$work/err" && why="tool crashed"
            if [ -f "$work/o.xml" ]; then
                python3 -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' "$work/o.xml" \
                    2> /dev/null || why="$why; XML not well-formed"
            elif ! grep -q 'ARRAY SUMMARY' "$work/err"; then
                why="$why; no ARRAY SUMMARY"
            fi
            if [ -f "$work/p.json" ] || [[ $opts == *profile* ]]; then
                python3 -c 'import sys, json; json.load(open(sys.argv[1]))' "$work/p.json" \
                    2> /dev/null || why="$why; profile JSON missing or broken"
            fi
            if [ -n "$why" ]; then
                failed=$((failed + 1))
                echo "FAIL seed $seed, $threads threads, options '$opts': ${why#; }"
                tail -n 20 "$work/err" | sed 's/^/    /'
            fi
        done
    done
    seed=$((seed + 1))
    [ $SECONDS -lt $end ] || break
done
echo "fuzz requests: $runs runs, $failed failed"
[ $failed = 0 ]
