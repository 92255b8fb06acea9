#!/usr/bin/env bash
# tests/native/run.sh BIN - the native checker: ARR_CHECK=1 reports at exit
# and sets the exit code; without it nothing is printed.
set -u
bin=$1
pass=0 fail=0
expect() { # name, want-exit, want-pattern (or "" for empty stderr), command...
    local name=$1 want_rc=$2 want=$3; shift 3
    local err rc
    err=$("$@" 2>&1 >/dev/null); rc=$?
    if [ "$rc" = "$want_rc" ] && { [ -z "$want" ] && [ -z "$err" ] || [ -n "$want" ] && grep -qE "$want" <<<"$err"; }; then
        pass=$((pass + 1)); echo "ok   $name"
    else
        fail=$((fail + 1)); echo "FAIL $name: exit $rc (want $want_rc); stderr:"; echo "$err" | sed 's/^/    /'
        echo "    wanted: ${want:-<nothing>}"
    fi
}
expect clean-unchecked 0 "" "$bin" clean
expect clean-checked 0 "LEAK SUMMARY: 0 findings" env ARR_CHECK=1 "$bin" clean
expect copy-unchecked 0 "" "$bin" copy
expect copy-checked 3 'copy never freed: arr #4 float64 shape \(4, 3\) "scratch", copy of #3 \(ascontiguous \(copy\)\), 96 bytes, made at main\+0x' env ARR_CHECK=1 "$bin" copy
expect copy-exitcode 9 "1 copies and 0 arrays never freed \(96 bytes\)" env ARR_CHECK=1 ARR_CHECK_EXITCODE=9 "$bin" copy
expect orphan-checked 3 "orphaned view: its base was freed first: arr #2 float64 shape \(3, 4\), view of #1 \(reshape\)" env ARR_CHECK=1 "$bin" orphan
expect check-zero-is-off 0 "" env ARR_CHECK=0 "$bin" copy
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
