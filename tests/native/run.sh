#!/usr/bin/env bash
# tests/native/run.sh BIN [ENDINGS DL_HOST LIBARR_SO] - the native checker (ARR_CHECK=1) as a user meets
# it: findings at exit grouped by site, largest first, with function
# (file:line) even for static and inlined functions and without -rdynamic;
# nothing at all when clean; the exit code (3, or ARR_CHECK_EXITCODE); and on
# a stripped program, module+0xoffset that addr2line resolves to the line.
# Expected lines are found in leaky.c by their SITE: markers.  With ENDINGS
# (endings.c), DL_HOST (dl_host.c) and LIBARR_SO: the checker never changes
# how a program ends (atexit handlers, dlclose, fork, a closed stderr).
set -u
bin=$1 endings=${2:-} dl_host=${3:-} libarr_so=${4:-}
here=$(cd "$(dirname "$0")" && pwd)
src=$here/leaky.c
pass=0 fail=0
site() { # the line of the SITE:$1 marker in leaky.c
    local n; n=$(grep -n "SITE:$1 " "$src" | cut -d: -f1)
    [ -n "$n" ] || { echo "run.sh: no SITE:$1 marker in $src" >&2; exit 2; }
    echo "$n"
}
L_norm=$(site normalised) L_row=$(site scratch_row) L_big=$(site big) L_m=$(site m)
L_reshape=$(site reshape)
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1: $2"; shift 2; for l in "$@"; do echo "$l" | sed 's/^/    /'; done; }

expect() { # name, want-exit, want-pattern (or "" for empty stderr), command...
    local name=$1 want_rc=$2 want=$3; shift 3
    local err rc
    err=$("$@" 2>&1 >/dev/null); rc=$?
    if [ "$rc" = "$want_rc" ] && { [ -z "$want" ] && [ -z "$err" ] || [ -n "$want" ] && grep -qE "$want" <<<"$err"; }; then
        ok "$name"
    else
        bad "$name" "exit $rc (want $want_rc)" "stderr:" "$err" "wanted: ${want:-<nothing>}"
    fi
}

# Silence: unchecked, and checked but clean (as LeakSanitizer).
expect clean-unchecked 0 "" "$bin" clean
expect clean-checked-silent 0 "" env ARR_CHECK=1 "$bin" clean
expect clean-keeps-own-status 7 "" env ARR_CHECK=1 "$bin" fail
expect copy-unchecked 0 "" "$bin" copy
expect check-zero-is-off 0 "" env ARR_CHECK=0 "$bin" copy

# A leak in a static function, at its file:line.
expect copy-static-function 3 "^libarr: copy never freed: arr #4 float64 shape \(4, 3\) \"scratch\", copy of #3 \(ascontiguous \(copy\)\), 96 bytes, made at normalised \(leaky\.c:$L_norm\)$" env ARR_CHECK=1 "$bin" copy
expect orphan-in-main 3 "^libarr: orphaned view: its base was freed first: arr #2 float64 shape \(3, 4\), view of #1 \(reshape\), made at main \(leaky\.c:$L_reshape\)$" env ARR_CHECK=1 "$bin" orphan

# Exit codes.
expect exitcode-set 9 "LEAK SUMMARY: 1 findings: 1 copies and 0 arrays never freed \(96 bytes\)" env ARR_CHECK=1 ARR_CHECK_EXITCODE=9 "$bin" copy
expect exitcode-zero-keeps-status 0 "LEAK SUMMARY: 1 findings" env ARR_CHECK=1 ARR_CHECK_EXITCODE=0 "$bin" copy
expect exitcode-invalid 3 "ARR_CHECK_EXITCODE=x is not a number 0\.\.255: using 3" env ARR_CHECK=1 ARR_CHECK_EXITCODE=x "$bin" copy

# Grouping: every line, in order (largest first).
want=(
    "^libarr: 3 copies never freed, 2\.4 kB, made at normalised \(leaky\.c:$L_norm\)$"
    "^libarr:     the largest: arr #[0-9]+ float64 shape \(10, 10\), copy of #[0-9]+ \(ascontiguous \(copy\)\)$"
    "^libarr: array never freed: arr #1 float64 shape \(250,\), owner \(zeros\), 2\.0 kB, made at grouped \(leaky\.c:$L_big\)$"
    "^libarr: array never freed: arr #2 float64 shape \(10, 10\), owner \(zeros\), 800 bytes, made at grouped \(leaky\.c:$L_m\)$"
    "^libarr: 2 views never freed, made at scratch_row \(leaky\.c:$L_row\)$"
    "^libarr:     the first: arr #[0-9]+ float64 shape \(10,\), view of #2 \(slice\)$"
    "^libarr: LEAK SUMMARY: 7 findings: 3 copies and 2 arrays never freed \(5200 bytes\), 2 views never freed, 0 orphaned views$"
)
err=$(ARR_CHECK=1 "$bin" grouped 2>&1 >/dev/null); rc=$?
mapfile -t got <<<"$err"
problem=""
[ "$rc" = 3 ] || problem="exit $rc (want 3)"
[ "${#got[@]}" = "${#want[@]}" ] || problem="$problem ${#got[@]} lines (want ${#want[@]})"
for i in "${!want[@]}"; do
    grep -qE "${want[$i]}" <<<"${got[$i]:-}" || { problem="$problem line $((i + 1)) does not match ${want[$i]}"; break; }
done
if [ -z "$problem" ]; then ok grouped-largest-first; else bad grouped-largest-first "$problem" "$err"; fi

# A stripped program: module+0xoffset, and addr2line on the unstripped
# binary (same addresses) gives back the function and line.
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
stripped=$tmp/leaky-stripped
if strip --strip-all -o "$stripped" "$bin"; then
    err=$(ARR_CHECK=1 "$stripped" copy 2>&1 >/dev/null)
    off=$(sed -nE "s|.*made at $stripped\+(0x[0-9a-f]+)$|\1|p" <<<"$err" | head -n 1)
    if [ -z "$off" ]; then
        bad stripped-module-offset "no 'made at $stripped+0x...' in the report" "$err"
    else
        a2l=$(addr2line -f -e "$bin" "$off")
        if [ "$(sed -n 1p <<<"$a2l")" = normalised ] && grep -qE "/leaky\.c:$L_norm( |$)" <<<"$(sed -n 2p <<<"$a2l")"; then
            ok stripped-addr2line-roundtrip
        else
            bad stripped-addr2line-roundtrip "addr2line -f -e BIN $off gave:" "$a2l" "want normalised, leaky.c:$L_norm"
        fi
    fi
else
    bad stripped-module-offset "strip failed"
fi

# ---- how a program ends: only a report is added -------------------------
expect_run() { # name, want-exit, want-stdout (exact), want-stderr ERE over the whole text ("" = empty), command...
    local name=$1 want_rc=$2 want_out=$3 want_err=$4; shift 4
    local rc
    "$@" > "$tmp/out" 2> "$tmp/err"; rc=$?
    local out err; out=$(cat "$tmp/out"); err=$(cat "$tmp/err")
    if [ "$rc" = "$want_rc" ] && [ "$out" = "$want_out" ] &&
        { [ -z "$want_err" ] && [ -z "$err" ] || [ -n "$want_err" ] && [[ $err =~ $want_err ]]; }; then
        ok "$name"
    else
        bad "$name" "exit $rc (want $want_rc)" "stdout:" "$out" "wanted:" "$want_out" "stderr:" "$err" \
            "wanted: ${want_err:-<nothing>}"
    fi
}
if [ -n "$endings" ]; then
    nl=$'\n'
    # Built with SANITIZE=1: dl_host's leak is deliberate (LeakSanitizer would
    # add its own report once libarr.so, which held the arrays, is gone).
    noleak="ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
    asan=$(ldd "$endings" 2>/dev/null | grep -o libasan | head -n 1)
    expect_run atexit-before-libarr-runs 3 "main done${nl}own atexit ran" "LEAK SUMMARY: 1 findings" \
        env ARR_CHECK=1 ENDINGS_EARLY_ATEXIT=1 timeout 20 "$endings" atexit-first
    expect_run dlclose-reports-and-goes-on 0 "after dlclose${nl}own atexit ran" \
        "^libarr: unloaded \(dlclose\) with arrays still live; the program goes on${nl}libarr: array never freed: arr #1 [^${nl}]*made at main \(dl_host\.c:[0-9]+\)${nl}libarr: LEAK SUMMARY: 1 findings[^${nl}]*$" \
        env ARR_CHECK=1 "$noleak" timeout 20 "$dl_host" "$libarr_so"
    expect_run dlclose-unchecked-silent 0 "after dlclose${nl}own atexit ran" "" env "$noleak" timeout 20 "$dl_host" "$libarr_so"
    if [ -n "$asan" ]; then
        # ASan's own allocator is not fork-safe: a child forked while another
        # thread allocates can hang inside ASan's malloc, whatever libarr does.
        echo "skip fork-while-threads-use-libarr (ASan build: its allocator is not fork-safe)"
    else
        expect_run fork-while-threads-use-libarr 0 "forks 300 hung 0 failed 0" "" timeout 60 "$endings" fork-storm 300
    fi
    expect_run fork-child-reports-its-own 0 "child exit 3" \
        "^libarr: array never freed: arr #2 [^${nl}]*${nl}libarr: LEAK SUMMARY: 1 findings[^${nl}]*$" \
        env ARR_CHECK=1 timeout 20 "$endings" fork-report
    rm -f "$tmp/data"
    expect_run stderr-closed-exit-status 3 "" "" env ARR_CHECK=1 timeout 20 "$endings" stderr-closed "$tmp/data"
    if [ "$(cat "$tmp/data")" = data ]; then ok stderr-closed-data-untouched
    else bad stderr-closed-data-untouched "the program's data file holds:" "$(cat "$tmp/data")"; fi
    expect_run check-file-not-stderr 3 "" "" env ARR_CHECK=1 ARR_CHECK_FILE="$tmp/report" timeout 20 "$bin" copy
    if grep -q "LEAK SUMMARY: 1 findings" "$tmp/report"; then ok check-file-holds-report
    else bad check-file-holds-report "ARR_CHECK_FILE holds:" "$(cat "$tmp/report")"; fi
    mkfifo "$tmp/fifo"
    expect_run check-file-fifo-nobody-reads 3 "" "^libarr: ARR_CHECK_FILE=$tmp/fifo: No such device or address; reporting on stderr${nl}" \
        env ARR_CHECK=1 ARR_CHECK_FILE="$tmp/fifo" timeout 20 "$bin" copy
fi

echo "native: $pass passed, $fail failed"
[ "$fail" = 0 ]
