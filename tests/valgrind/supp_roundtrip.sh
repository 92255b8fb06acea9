#!/bin/bash
# supp_roundtrip.sh PROG - runs PROG under arrcheck with
# --gen-suppressions=all, keeps the suppressions it printed, runs PROG
# again with them: every error must then be suppressed.
set -u
prog=$VGT_BUILD/$1
supp=$VGT_OUT/generated.supp
"$VGT_DIR/../../valgrind/arrgrind" -q --gen-suppressions=all "$prog" 2>&1 >/dev/null |
    sed -E 's/^==[0-9]+== ?//' | sed -n '/^{/,/^}/p' > "$supp"
echo "generated $(grep -c '^{' "$supp") suppressions: $(grep -E '^ *arrcheck:' "$supp" | sort | tr -d ' ' | tr '\n' ' ')"
"$VGT_DIR/../../valgrind/arrgrind" --suppressions="$supp" "$prog" 2>&1 >/dev/null |
    "$VGT_DIR/filter_stderr" | grep -E '^(ARRAY SUMMARY|   (lost|suppressed):|ERROR SUMMARY|LeakedCopy)'
