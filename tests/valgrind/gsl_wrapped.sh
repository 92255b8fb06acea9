#!/bin/bash
# gsl_wrapped.sh - the GSL adapter's wrappers (valgrind/gsl_adapter.c,
# generated from its table of element types) against the libgsl.so the GSL
# samples run with: every wrapped name is a function libgsl exports (a
# misspelt one would wrap nothing, silently), and every libgsl function of
# the wrapped families (alloc, calloc, free, memcpy, transpose_memcpy, the
# views and their const_ forms), for every element type, is wrapped.
set -euo pipefail
preload=$(ls "$ARRDBG_BUILD"/valgrind/vgpreload_arrcheck-*.so | head -n 1)
lib=$(ldd "$ARRDBG_BUILD/samples/gsl_types" | awk '$1 ~ /^libgsl\.so/ {print $3}')
[ -n "$lib" ] || { echo "gsl_wrapped.sh: gsl_types does not link libgsl"; exit 1; }
tmp=$(mktemp -d /tmp/arrdbg-gslw.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
nm "$preload" | sed -n -E 's/.* _vgw00000ZU_libgslZdsoZa_([A-Za-z0-9_]+)$/\1/p' | sort -u >"$tmp/wrapped"
nm -D --defined-only "$lib" | awk '{print $3}' | sort -u >"$tmp/exported"
types='(_float|_long_double|_int|_uint|_long|_ulong|_short|_ushort|_char|_uchar|_complex|_complex_float|_complex_long_double)?'
views='(const_)?(submatrix|row|column|diagonal|subdiagonal|superdiagonal|subrow|subcolumn|subvector|subvector_with_stride)'
grep -E "^gsl_(matrix|vector)${types}_(alloc|calloc|free|memcpy|transpose_memcpy|${views})\$" "$tmp/exported" >"$tmp/family" || true
bogus=$(comm -23 "$tmp/wrapped" "$tmp/exported" | tr '\n' ' ')
missed=$(comm -13 "$tmp/wrapped" "$tmp/family" | tr '\n' ' ')
[ -z "$bogus" ] || echo "wrapped but not in $(basename "$lib"): $bogus"
[ -z "$missed" ] || echo "in $(basename "$lib") but not wrapped: $missed"
echo "$(wc -l <"$tmp/wrapped") GSL functions wrapped; $(wc -l <"$tmp/family") in the families in libgsl"
