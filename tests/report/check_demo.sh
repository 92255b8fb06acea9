#!/bin/bash
# tests/report/check_demo.sh - what `make demo` tells a first-time user:
# what "ok" means, one leak report and one dangling-view report in full, and
# the three commands to run on one's own program (each of which must exist).
# Runs the sample runner as make demo does, on the two reported samples.
set -uo pipefail
BUILD=${BUILD:-build}
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok    $1"; }
fail() { failed=$((failed + 1)); echo "FAIL  $1"; }
out=$(ARRDBG_BUILD=$BUILD samples/run --no-build --only leak_copy_ascontiguous dangling_orphan_read 2>&1)
grep -q '"ok" means the tool found exactly that' <<<"$out" && ok 'says what "ok" means' || fail 'no explanation of "ok"'
grep -q 'LeakedCopy: .* lost in loss record' <<<"$out" && grep -q 'by 0x[0-9A-F]*: column_mean (leak_copy_ascontiguous.c:[0-9]*)' <<<"$out" \
    && ok "shows a full leak report with the leaking line" || fail "no full leak report"
grep -q 'DanglingAccess: invalid read' <<<"$out" && ok "shows a full dangling-view report" || fail "no dangling-view report"
tail -8 <<<"$out" >/tmp/demo-tail.$$
if grep -q '^   ARR_CHECK=1 ./prog ' /tmp/demo-tail.$$ && grep -q '^   valgrind/arrgrind ./prog ' /tmp/demo-tail.$$ &&
   grep -q "^   gdb -iex 'source gdb/arrdbg.py' ./prog " /tmp/demo-tail.$$ && grep -q 'valgrind --tool=arrcheck ./prog' /tmp/demo-tail.$$ &&
   [ -x valgrind/arrgrind ] && [ -f gdb/arrdbg.py ]; then ok "ends with the three commands for one's own program"
else fail "does not end with the three commands"; fi
rm -f /tmp/demo-tail.$$
echo "demo: $passed passed, $failed failed"
[ "$failed" = 0 ]
