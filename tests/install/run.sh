#!/bin/bash
# tests/install/run.sh - make install and make uninstall into a scratch
# DESTDIR, as a packager would run them:
#   - the installed file list is exactly the expected one (below);
#   - paths outside PREFIX are announced with a reason, and only those;
#   - nothing runs ldconfig under DESTDIR;
#   - a program builds through pkg-config against the installed libarr and
#     runs (shared and static); arr-report, the man pages, the gdb plugin
#     and the tool work from where they were installed;
#   - make uninstall leaves no file, link or arrdbg directory behind.
# Usage: tests/install/run.sh  (from the top of the tree; MAKE, BUILD, CC
# from the environment).
set -uo pipefail
MAKE=${MAKE:-make}
BUILD=${BUILD:-build}
CC=${CC:-gcc}
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok    $1"; }
fail() { failed=$((failed + 1)); echo "FAIL  $1"; [ -n "${2:-}" ] && sed 's/^/      /' <<<"$2"; }

d=$(mktemp -d /tmp/arrdbg-install.XXXXXX)
trap 'rm -rf "$d"' EXIT
pfx=/usr/local
platform=$(pkg-config --variable=platform valgrind)
vgdir=$(dirname "$(ls /usr/libexec/valgrind/default.supp /usr/lib/*/valgrind/default.supp 2>/dev/null | head -1)")
version=$(sed -n 's/^ARR_VERSION := //p' Makefile)

inst=$($MAKE --no-print-directory install DESTDIR="$d/root" PREFIX=$pfx BUILD="$BUILD" 2>&1)
if [ $? -ne 0 ]; then fail "make install" "$inst"; echo "install: $passed passed, $((failed)) failed"; exit 1; fi

# The expected list, written out: a file the rules forget to install, or one
# they install by mistake, shows here.
{
    for f in lib/libarr.a "lib/libarr.so.$version" lib/libarr.so.0 lib/libarr.so \
             lib/pkgconfig/libarr.pc include/arr.h include/arrcheck.h \
             bin/arr-report bin/arrgrind share/arrdbg/arrdbg.supp share/arrdbg/libarr.supp \
             share/arrdbg/arrdbg.py share/man/man1/arrcheck.1 share/man/man1/arr-report.1 \
             share/man/man3/libarr.3 share/doc/arrdbg/README.md share/doc/arrdbg/DESIGN.md share/doc/arrdbg/ADOPTING.md \
             share/doc/arrdbg/arrcheck.md share/doc/arrdbg/gdb.md share/doc/arrdbg/samples.md; do
        echo "$pfx/$f"
    done
    for f in gdb/python/arrdbg_gdb/*.py; do echo "$pfx/share/arrdbg/python/arrdbg_gdb/${f##*/}"; done
    # The NumPy package (python/), where Debian's python3 looks under PREFIX.
    if [ -d python/arrdbg ]; then
        site=$pfx/lib/python$(/usr/bin/python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')/dist-packages/arrdbg
        for f in python/arrdbg/*.py python/arrdbg/*.json python/arrdbg/*.js python/arrdbg/*.css; do echo "$site/${f##*/}"; done
        echo "$site/_arrdbg$(/usr/bin/python3 -c 'import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX"))')"
    fi
    echo "$vgdir/arrcheck-$platform"
    echo "$vgdir/vgpreload_arrcheck-$platform.so"
    echo "/usr/share/gdb/auto-load$pfx/lib/libarr.so.$version-gdb.py"
} | sort >"$d/want"
(cd "$d/root" && find . -type f -o -type l | sed 's|^\.||' | sort) >"$d/got"
if diff -u "$d/want" "$d/got" >"$d/diff"; then ok "installed files: $(wc -l <"$d/got") as expected"
else fail "installed files differ from the expected list" "$(cat "$d/diff")"; fi

# Announced: the two paths outside /usr/local, with why; nothing else.
notes=$(grep '^note: ' <<<"$inst")
if grep -q "^note: $d/root$vgdir/arrcheck-$platform is outside PREFIX=$pfx: valgrind only finds tools" <<<"$notes" &&
   grep -q "^note: $d/root/usr/share/gdb/auto-load$pfx/lib/libarr.so.$version-gdb.py is outside PREFIX=$pfx: gdb auto-loads" <<<"$notes" &&
   [ "$(grep -c 'outside PREFIX' <<<"$notes")" = 2 ]; then ok "paths outside PREFIX announced"
else fail "paths outside PREFIX not announced as expected" "$notes"; fi
if grep -q '^ldconfig' <<<"$inst"; then fail "ldconfig ran under DESTDIR"; else ok "no ldconfig under DESTDIR"; fi

# A user of the package: pkg-config, shared and static.
root=$d/root
pc() { PKG_CONFIG_PATH=$root$pfx/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$root pkg-config "$@"; }
if $CC -std=c11 $(pc --cflags libarr) tests/native/leaky.c -o "$d/shared" $(pc --libs libarr) 2>"$d/err" &&
   $CC -std=c11 $(pc --cflags libarr) tests/native/leaky.c -o "$d/static" "$root$pfx/lib/libarr.a" \
       $(pc --libs-only-other --static libarr) -lm -pthread 2>>"$d/err" &&
   [ "$(readelf -d "$d/shared" | grep -o 'libarr.so.[0-9]*')" = libarr.so.0 ] &&
   LD_LIBRARY_PATH=$root$pfx/lib "$d/shared" clean >/dev/null 2>&1 && "$d/static" clean >/dev/null 2>&1; then
    ok "a program builds and runs against the installed libarr (pkg-config, shared and static)"
else fail "building against the installed libarr" "$(cat "$d/err")"; fi

# arr-report and the man pages from where they were installed.
v=$("$root$pfx/bin/arr-report" --version 2>&1)
if [ "$v" = "arr-report (arrdbg) $version" ]; then ok "installed arr-report --version: $v"
else fail "installed arr-report --version" "$v"; fi
for page in man1/arrcheck.1 man1/arr-report.1 man3/libarr.3; do
    out=$(MANWIDTH=80 man --warnings -l "$root$pfx/share/man/$page" 2>&1 >/dev/null)
    lines=$(MANWIDTH=80 man -l "$root$pfx/share/man/$page" 2>/dev/null | wc -l)
    if [ -z "$out" ] && [ "$lines" -gt 20 ]; then ok "man -l $page: $lines lines, no warnings"
    else fail "man -l $page ($lines lines)" "$out"; fi
done

# The gdb plugin loads from the installed share/arrdbg (not the tree).
g=$(cd / && timeout 60 gdb -nx -batch -iex "source $root$pfx/share/arrdbg/arrdbg.py" \
    -ex 'python import arrdbg_gdb; print("from", arrdbg_gdb.__file__)' -ex 'help arr' 2>&1)
if grep -q "^from $root$pfx/share/arrdbg/python/arrdbg_gdb/__init__.py" <<<"$g" && ! grep -q Traceback <<<"$g"; then
    ok "installed gdb plugin loads"
else fail "installed gdb plugin" "$g"; fi

# A python3 process using NumPy gets the arr commands from the installed
# package with the one documented line, from any directory (here /), with
# nothing of the checkout on any path: arr py-bt and arr info on a variable.
prog='import os, signal, numpy as np
x = np.arange(6.0)[::2]
os.kill(os.getpid(), signal.SIGTRAP)'
g=$(cd / && env -u PYTHONPATH timeout 120 gdb -nx -batch -iex "source $root$pfx/share/arrdbg/arrdbg.py" \
    -ex run -ex 'python import arrdbg_gdb; print("from", arrdbg_gdb.__file__)' -ex 'arr py-bt' -ex 'arr info x' \
    -ex 'show directories' --args /usr/bin/python3 -c "$prog" 2>&1)
if grep -q "^from $root$pfx/share/arrdbg/python/arrdbg_gdb/__init__.py" <<<"$g" &&
   grep -q '^=> #0 <module> (<string>:3)' <<<"$g" &&
   grep -q '^ndarray float64 shape (3,) strides (16,) view of 0x' <<<"$g" &&
   ! grep -q -e Traceback -e "Python Exception" -e "$PWD" <<<"$g"; then
    ok "python3 + NumPy: the installed plugin from /: arr py-bt, arr info x"
else fail "the installed plugin in a python3 process" "$g"; fi

# No installed file names the checkout or the build directory (DWARF
# comp_dir, __FILE__: -ffile-prefix-map); the build tree's gdb still finds
# libarr's sources from another directory (the plugin adds the tree).
named=""
for dir in "$PWD" "$(cd "$BUILD" && pwd)"; do
    named+=$(cd "$d/root" && find . -type f -exec grep -l -a -F "$dir" {} + 2>/dev/null)
done
if [ -z "$named" ]; then ok "no installed file contains $PWD or $(cd "$BUILD" && pwd)"
else fail "installed files name the checkout or the build directory" "$named"; fi
if [ -x "$BUILD/tests/gdb/views" ]; then
    prog=$(cd "$BUILD" && pwd)/tests/gdb/views
    g=$(cd / && timeout 120 gdb -nx -batch -iex "add-auto-load-safe-path $PWD" -ex 'break arr_copy' -ex run \
        -ex list "$prog" 2>&1)
    if grep -q -E '^[0-9]+[[:space:]]+arr_t \*arr_copy\(' <<<"$g" && ! grep -q "No such file" <<<"$g"; then
        ok "gdb lists libarr's sources of the build tree from /"
    else fail "gdb list on the build tree from /" "$(tail -5 <<<"$g")"; fi
fi

# The installed tool is a working Valgrind tool (VALGRIND_LIB stands in for
# valgrind's own directory, which this test must not write to).
mkdir -p "$d/vglib"
ln -s "$vgdir"/* "$d/vglib/" 2>/dev/null
ln -sf "$root$vgdir/arrcheck-$platform" "$d/vglib/"
h=$(VALGRIND_LIB=$d/vglib valgrind --tool=arrcheck --help 2>&1)
if grep -q -- '--arrcheck-out-file' <<<"$h" && grep -q "report its bugs in the arrdbg" <<<"$h"; then ok "installed tool answers --help, footer names arrdbg's tracker"
else fail "installed tool --help" "$(tail -5 <<<"$h")"; fi
# ... with its preload: an unmodified GSL program's copies are understood.
ln -sf "$root$vgdir/vgpreload_arrcheck-$platform.so" "$d/vglib/"
if [ -x "$BUILD/samples/gsl_leak_copy" ]; then
    g=$(VALGRIND_LIB=$d/vglib timeout 120 valgrind --tool=arrcheck "$BUILD/samples/gsl_leak_copy" 2>&1)
    if grep -q "LeakedCopy: 384 bytes in 3 copies" <<<"$g" && grep -q "(copy of #1)" <<<"$g"; then
        ok "installed tool + preload: a plain GSL program's leaked copies reported"
    else fail "installed tool on a GSL program" "$(tail -8 <<<"$g")"; fi
fi

# PREFIX=/usr: valgrind's and gdb's directories are inside it, no note.
inst2=$($MAKE --no-print-directory install DESTDIR="$d/usr-root" PREFIX=/usr BUILD="$BUILD" 2>&1)
if [ $? -eq 0 ] && ! grep -q 'outside PREFIX' <<<"$inst2" && [ -x "$d/usr-root/usr/bin/arr-report" ]; then
    ok "PREFIX=/usr: no path outside PREFIX announced"
else fail "PREFIX=/usr install" "$(grep -e outside -e rror <<<"$inst2")"; fi

# Uninstall: nothing left but empty standard directories.
un=$($MAKE --no-print-directory uninstall DESTDIR="$d/root" PREFIX=$pfx BUILD="$BUILD" 2>&1)
left=$(cd "$d/root" && find . \( -type f -o -type l \) -o -type d \( -name '*arrdbg*' -o -path '*/auto-load/*' \) | sed 's|^\.||')
if [ $? -eq 0 ] && [ -z "$left" ]; then ok "make uninstall leaves nothing behind"
else fail "make uninstall left" "$left"$'\n'"$un"; fi
if grep -q "outside PREFIX=$pfx: removed from valgrind's tool directory" <<<"$un"; then ok "uninstall announces the tool's path"
else fail "uninstall does not announce the tool's path" "$un"; fi
un2=$($MAKE --no-print-directory uninstall DESTDIR="$d/usr-root" PREFIX=/usr BUILD="$BUILD" 2>&1)
left2=$(cd "$d/usr-root" && find . -type f -o -type l)
if [ -z "$left2" ]; then ok "PREFIX=/usr uninstall leaves no file"; else fail "PREFIX=/usr uninstall left" "$left2"; fi

echo "install: $passed passed, $failed failed"
[ "$failed" = 0 ]
