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

d=$(mktemp -d /tmp/arrdbg-install.XXXXXX) || exit 1
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
             lib/pkgconfig/libarr.pc lib/pkgconfig/arrcheck.pc include/arr.h include/arrcheck.h \
             bin/arr-report bin/arrgrind share/arrdbg/arrdbg.supp share/arrdbg/libarr.supp \
             share/arrdbg/arrdbg.py share/man/man1/arrcheck.1 share/man/man1/arr-report.1 share/man/man1/arrgrind.1 \
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
    echo "/usr/share/gdb/auto-load/arrdbg/libarr.a-gdb.py"
} | sort >"$d/want"
(cd "$d/root" && find . -type f -o -type l | sed 's|^\.||' | sort) >"$d/got"
if diff -u "$d/want" "$d/got" >"$d/diff"; then ok "installed files: $(wc -l <"$d/got") as expected"
else fail "installed files differ from the expected list" "$(cat "$d/diff")"; fi

# Announced: the three paths outside /usr/local, with why; nothing else.
notes=$(grep '^note: ' <<<"$inst")
if grep -q "^note: $d/root$vgdir/arrcheck-$platform is outside PREFIX=$pfx: valgrind only finds tools" <<<"$notes" &&
   grep -q "^note: $d/root/usr/share/gdb/auto-load$pfx/lib/libarr.so.$version-gdb.py is outside PREFIX=$pfx: gdb auto-loads" <<<"$notes" &&
   grep -q "^note: $d/root/usr/share/gdb/auto-load/arrdbg/libarr.a-gdb.py is outside PREFIX=$pfx: gdb loads the script libarr.a names" <<<"$notes" &&
   [ "$(grep -c 'outside PREFIX' <<<"$notes")" = 3 ]; then ok "paths outside PREFIX announced"
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

# Installing over an earlier install whose libarr.so was a link to the
# library: the link is replaced by the ld script, the library is intact.
ln -sf "libarr.so.$version" "$root$pfx/lib/libarr.so"
out=$($MAKE --no-print-directory install DESTDIR="$root" PREFIX=$pfx BUILD="$BUILD" 2>&1)
if [ ! -L "$root$pfx/lib/libarr.so" ] && grep -q '^INPUT(libarr.so.0 libarr.a)$' "$root$pfx/lib/libarr.so" &&
   cmp -s "$root$pfx/lib/libarr.so.$version" "$BUILD/libarr.so.$version"; then
    ok "install over a libarr.so link: the link replaced by the ld script, libarr.so.$version intact"
else fail "install over a libarr.so link" "$out"; fi

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

# Uninstall: no file left, and no directory but PREFIX's standard ones
# (hier(7)) and the chains down to valgrind's and gdb's own directories.
un=$($MAKE --no-print-directory uninstall DESTDIR="$d/root" PREFIX=$pfx BUILD="$BUILD" 2>&1)
pyv=$(/usr/bin/python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')
std=$(printf '%s\n' /usr /usr/local $pfx/{bin,lib,include,share,share/man,libexec} /usr/share /usr/share/gdb \
      "$pfx/lib/python$pyv" "$pfx/lib/python$pyv/dist-packages" \
      /usr/share/gdb/auto-load "$(dirname "$vgdir")" "$vgdir" /usr/lib /usr/libexec | sort -u)
left=$(cd "$d/root" && find . -mindepth 1 \( -type d -o -type f -o -type l \) | sed 's|^\.||' | sort | comm -23 - <(echo "$std"))
if [ -z "$left" ]; then ok "make uninstall leaves no file and no directory it made (share/doc, man1, pkgconfig...)"
else fail "make uninstall left" "$left"$'\n'"$un"; fi
if grep -q "outside PREFIX=$pfx: removed from valgrind's tool directory" <<<"$un"; then ok "uninstall announces the tool's path"
else fail "uninstall does not announce the tool's path" "$un"; fi
un2=$($MAKE --no-print-directory uninstall DESTDIR="$d/usr-root" PREFIX=/usr BUILD="$BUILD" 2>&1)
left2=$(cd "$d/usr-root" && find . -type f -o -type l)
if [ -z "$left2" ]; then ok "PREFIX=/usr uninstall leaves no file"; else fail "PREFIX=/usr uninstall left" "$left2"; fi

# PREFIX given only at install time (after a plain `make`): the .pc files
# say that PREFIX, and their variables name installed files.
out=$($MAKE --no-print-directory install DESTDIR="$d/opt" PREFIX=/opt/foo BUILD="$BUILD" 2>&1)
opc() { PKG_CONFIG_PATH=$d/opt/opt/foo/lib/pkgconfig pkg-config "$@" | sed "s/ *$//"; }
if [ "$(opc --variable=prefix libarr)" = /opt/foo ] && [ "$(opc --variable=prefix arrcheck)" = /opt/foo ] &&
   [ "$(opc --cflags libarr)" = "-I/opt/foo/include" ]; then ok "make install PREFIX=/opt/foo after make: .pc files say /opt/foo"
else fail "PREFIX=/opt/foo .pc files" "$(cat "$d/opt/opt/foo/lib/pkgconfig/"*.pc 2>&1)"$'\n'"$out"; fi
if [ "$(opc --cflags arrcheck)" = "-I/opt/foo/include" ] && [ -z "$(opc --libs arrcheck)" ] &&
   [ -f "$d/opt$(opc --variable=suppressions arrcheck)" ] && [ -f "$d/opt$(opc --variable=gdbdir libarr)/arrdbg.py" ] &&
   [ "$(opc --variable=suppressions libarr)" = /opt/foo/share/arrdbg/libarr.supp ]; then
    ok "arrcheck.pc: header only; suppressions and gdbdir variables name installed files"
else fail "arrcheck.pc / pkg-config variables" "$(cat "$d/opt/opt/foo/lib/pkgconfig/arrcheck.pc" 2>&1)"; fi

# Bug reports: one fixed address, in --help, the man pages, the .pc files.
bugs=$(sed -n 's/^ARRDBG_BUGS := //p' Makefile)
# (grep reads everything: under pipefail, grep -q would end the writer with SIGPIPE.)
nobugs=""
"$d/opt/opt/foo/bin/arr-report" --help 2>&1 | grep -F "$bugs" >/dev/null || nobugs+=" arr-report--help"
VALGRIND_LIB=$BUILD/valgrind/lib valgrind --tool=arrcheck --help 2>&1 | grep -F "$bugs" >/dev/null || nobugs+=" arrcheck--help"
for page in man1/arrcheck.1 man1/arr-report.1 man3/libarr.3; do
    MANWIDTH=200 man -l "$d/opt/opt/foo/share/man/$page" 2>/dev/null | grep -F "$bugs" >/dev/null || nobugs+=" $page"
done
[ "$(opc --variable=bugs libarr)" = "$bugs" ] || nobugs+=" libarr.pc"
if [ -z "$nobugs" ] && [ -n "$bugs" ]; then ok "bug address $bugs in --help, man pages, .pc"
else fail "bug address $bugs missing from:$nobugs"; fi
$MAKE --no-print-directory uninstall DESTDIR="$d/opt" PREFIX=/opt/foo BUILD="$BUILD" >/dev/null 2>&1

# A DESTDIR with a space: installs, uninstalls, touches nothing outside it
# (a file named like its first word survives), leaves nothing in the tree.
sp="$d/with space"
touch "$d/with"
mkdir "$sp"
before=$(ls -a "$d"; git status --porcelain --ignored 2>/dev/null)
out=$($MAKE --no-print-directory install DESTDIR="$sp" PREFIX=$pfx BUILD="$BUILD" 2>&1); rc=$?
n=$(cd "$sp" 2>/dev/null && find . -type f -o -type l | wc -l)
out+=$($MAKE --no-print-directory uninstall DESTDIR="$sp" PREFIX=$pfx BUILD="$BUILD" 2>&1); rc2=$?
after=$(ls -a "$d"; git status --porcelain --ignored 2>/dev/null)
if [ $rc = 0 ] && [ $rc2 = 0 ] && [ "$n" = "$(wc -l <"$d/want")" ] && [ -f "$d/with" ] && [ "$before" = "$after" ] &&
   [ -z "$(find "$sp" -type f)" ]; then ok "DESTDIR with a space: $n files in and out, nothing outside it"
else fail "DESTDIR with a space (install $rc, uninstall $rc2, $n files)" "$(diff <(echo "$before") <(echo "$after"))"$'\n'"$(tail -5 <<<"$out")"; fi

# A relative PREFIX (or DESTDIR) is refused with one line, nothing written.
# (MAKEFLAGS cleared: under `make -k check` make adds a "not remade" line.)
for args in "PREFIX=rel DESTDIR=$d/rel" "PREFIX=/usr/local DESTDIR=relative"; do
    out=$(MAKEFLAGS= MFLAGS= $MAKE --no-print-directory install $args BUILD="$BUILD" 2>&1); rc=$?
    if [ $rc != 0 ] && [ "$(grep -c . <<<"$out")" -le 2 ] && grep -q "is not an absolute path" <<<"$out" &&
       [ ! -e "$d/rel" ] && [ ! -e "$d/relrel" ] && [ ! -e relative ]; then ok "make install $args: refused: ${out%%$'\n'*}"
    else fail "make install $args (exit $rc)" "$(head -5 <<<"$out")"; fi
done

# gdb and the installed libarr.a: a static program loads the plugin with
# no safe-path setting and no warning, from a real install into a scratch
# PREFIX whose gdb auto-load directory is that of a gdb data-directory
# made for the test (gdb's own files linked in).
sd=$d/installed-static
inst_sd=(PREFIX="$sd/pfx" GDB_AUTOLOAD_DIR="$sd/gdbdata/auto-load" VG_TOOLDIR="$sd/vgtool" LDCONFIG=true BUILD="$BUILD")
mkdir -p "$sd/gdbdata"
for f in /usr/share/gdb/*; do [ "${f##*/}" = auto-load ] || ln -s "$f" "$sd/gdbdata/"; done
out=$($MAKE --no-print-directory install "${inst_sd[@]}" 2>&1)
printf '#include <arr.h>\nint main(void) {\n    arr_t *col = arr_zeros(1, (int64_t[]){4}, ARR_FLOAT64);\n    return arr_free(col);\n}\n' >"$sd/p.c"
if $CC -g -O0 "$sd/p.c" -o "$sd/p" -I"$sd/pfx/include" "$sd/pfx/lib/libarr.a" -lm -pthread 2>"$sd/err"; then
    g=$(cd / && timeout 60 gdb -nx -batch -data-directory "$sd/gdbdata" -ex 'help arr list' -ex 'break arr_free' -ex run \
        -ex up -ex 'print col' -ex 'arr list' "$sd/p" 2>&1)
    if grep -q '^List live arrays' <<<"$g" && grep -q '^\$1 = arr #1 float64 shape (4,)' <<<"$g" &&
       grep -q '^#1  owner  float64  (4,)' <<<"$g" && ! grep -q -i -e warning -e declined -e Traceback <<<"$g"; then
        ok "static link with the installed libarr.a: gdb loads the plugin, no warning, no safe-path edit"
    else fail "static link with the installed libarr.a in gdb" "$g"; fi
    # Under gdb's own data-directory the script is outside the trusted
    # directories: gdb declines it, by the path the section names.
    g=$(cd / && timeout 60 gdb -nx -batch "$sd/p" 2>&1)
    if grep -q "^warning: File \"$sd/gdbdata/auto-load/arrdbg/libarr.a-gdb.py\" auto-loading has been declined" <<<"$g"; then
        ok "the static program's .debug_gdb_scripts names the installed script"
    else fail "the static program's .debug_gdb_scripts" "$g"; fi
else fail "building a static program against $sd/pfx" "$(cat "$sd/err")"$'\n'"$out"; fi
# -larr against the installed libarr.so (a linker script): NEEDED
# libarr.so.0 as before, and gdb has `help arr` before libarr.so is loaded.
if $CC -g -O0 "$sd/p.c" -o "$sd/shared" -I"$sd/pfx/include" -L"$sd/pfx/lib" -larr -Wl,-rpath,"$sd/pfx/lib" 2>"$sd/err" &&
   [ "$(readelf -d "$sd/shared" | grep -o 'NEEDED.*libarr[^]]*')" = "NEEDED)             Shared library: [libarr.so.0" ] &&
   "$sd/shared"; then
    g=$(cd / && timeout 60 gdb -nx -batch -data-directory "$sd/gdbdata" -ex 'help arr list' -ex 'break arr_free' -ex run \
        -ex up -ex 'print col' "$sd/shared" 2>&1)
    if grep -q '^List live arrays' <<<"$g" && grep -q '^\$1 = arr #1 float64 shape (4,)' <<<"$g" &&
       ! grep -q -i -e warning -e declined -e Traceback <<<"$g"; then
        ok "-larr (shared, libarr.so is an ld script): help arr before run, printers after, no warning"
    else fail "a -larr program in gdb" "$g"; fi
else fail "building with -larr against $sd/pfx" "$(cat "$sd/err"; readelf -d "$sd/shared" 2>&1 | grep NEEDED)"; fi
$MAKE --no-print-directory uninstall "${inst_sd[@]}" >/dev/null 2>&1
if [ -z "$(find "$sd/pfx" "$sd/vgtool" "$sd/gdbdata/auto-load" -type f 2>/dev/null)" ]; then ok "its uninstall leaves no file"
else fail "uninstall from $sd left" "$(find "$sd" -type f)"; fi

echo "install: $passed passed, $failed failed"
[ "$failed" = 0 ]
