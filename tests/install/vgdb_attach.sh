#!/bin/bash
# tests/install/vgdb_attach.sh - attaching gdb to a program under valgrind
# right after it starts, as a script does (first-hour check):
#   - a plain `target remote | vgdb --pid=N` issued before valgrind's
#     gdbserver is up fails with "Broken pipe" (the race is real here);
#   - `arr vgdb N` in the same race waits, connects, and `monitor arr list`
#     answers;
#   - with no gdbserver at all it ends with one line saying what to check.
# Each valgrind is started 2 s after gdb (bash -c 'sleep 2; exec ...'), with
# a private --vgdb-prefix; every process started here is killed by its pid.
# Usage: tests/install/vgdb_attach.sh  (BUILD from the environment)
set -uo pipefail
BUILD=${BUILD:-build}
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok    $1"; }
fail() { failed=$((failed + 1)); echo "FAIL  $1"; [ -n "${2:-}" ] && sed 's/^/      /' <<<"$2" | head -20; }

d=$(mktemp -d /tmp/arrdbg-vgdb.XXXXXX) || exit 1
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done; rm -rf "$d"; }
trap cleanup EXIT
prog=$BUILD/tests/gdb/vgdb
gdb_=(timeout -k 5 60 gdb -nx -batch -iex "set auto-load safe-path /" -iex "source gdb/arrdbg.py")

late_valgrind() { # late_valgrind NAME: valgrind under the tree's arrcheck, 2 s from now
    bash -c "sleep 2; exec valgrind/arrgrind --vgdb=yes --vgdb-error=0 --vgdb-prefix=$d/$1 $prog" \
        >"$d/$1.out" 2>&1 &
    echo $!
}

pid=$(late_valgrind plain); pids+=("$pid")
g=$("${gdb_[@]}" -ex "target remote | vgdb --vgdb-prefix=$d/plain --pid=$pid" -ex 'monitor arr list' "$prog" 2>&1)
if grep -q -e "Broken pipe" -e "Connection reset" <<<"$g"; then ok "plain target remote | vgdb right after start: fails (the race)"
else fail "plain target remote | vgdb did not hit the race (the test's premise)" "$g"; fi
kill -9 "$pid" 2>/dev/null

pid=$(late_valgrind waited); pids+=("$pid")
g=$("${gdb_[@]}" -ex "arr vgdb $pid --vgdb-prefix $d/waited" -ex 'monitor arr list' -ex kill "$prog" 2>&1)
if grep -q '^0 live arrays (0 owners, 0 views, 0 orphaned views), 0 bytes' <<<"$g" &&
   ! grep -q -e "Broken pipe" -e Traceback -e "Python Exception" <<<"$g"; then
    ok "arr vgdb PID right after start: waits, connects, monitor arr list answers"
else fail "arr vgdb right after start" "$g"; fi
timeout 30 tail --pid="$pid" -f /dev/null || fail "valgrind did not end after gdb's kill"

g=$("${gdb_[@]}" -ex "arr vgdb $$ --wait 1 --vgdb-prefix $d/none" 2>&1)
line=$(grep '^arr vgdb: ' <<<"$g")
if [ "$(grep -c . <<<"$line")" = 1 ] && grep -q "no Valgrind gdbserver for process $$ answered within 1 s: is it running under valgrind with --vgdb=yes" <<<"$line" &&
   ! grep -q -e Traceback -e "Python Exception" <<<"$g"; then ok "arr vgdb with no gdbserver: ${line:0:80}..."
else fail "arr vgdb with no gdbserver" "$g"; fi

h=$("${gdb_[@]}" -ex 'help arr vgdb' 2>&1)
if grep -q '^Connect to a program under Valgrind' <<<"$h"; then ok "help arr vgdb"; else fail "help arr vgdb" "$h"; fi

echo "vgdb-attach: $passed passed, $failed failed"
[ "$failed" = 0 ]
