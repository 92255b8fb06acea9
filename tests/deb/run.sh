#!/bin/bash
# tests/deb/run.sh - the packages `make deb` built, as a user gets them:
# installs them (apt-get, local .debs), then on small programs from a
# scratch directory: valgrind --tool=arrcheck, gdb on a static and a shared
# link (the plugin loads by itself, no safe-path setting, no warning),
# python3 -m arrdbg run, memcheck with libarr.supp from one ~/.valgrindrc
# line, arr-report and the man pages; then purges them and checks that no
# file or directory of theirs is left.  The purge runs on any exit (trap):
# the packages are never left installed on this shared machine.
# Usage: tests/deb/run.sh  (BUILD, DEB_OUT from the environment; root).
set -uo pipefail
BUILD=${BUILD:-build}
DEB_OUT=${DEB_OUT:-$BUILD/debs}
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok    $1"; }
fail() { failed=$((failed + 1)); echo "FAIL  $1"; [ -n "${2:-}" ] && sed 's/^/      /' <<<"$2" | head -40; }

if [ "$(id -u)" != 0 ]; then echo "deb: skipped: installing packages needs root"; exit 0; fi
top=$PWD
mapfile -t debs < <(ls "$top/$DEB_OUT"/*.deb 2>/dev/null | grep -v -- '-dbgsym_')
if [ "${#debs[@]}" -lt 6 ]; then echo "FAIL  deb: ${#debs[@]} packages in $DEB_OUT (make deb)"; exit 1; fi
pkgs=()
for f in "${debs[@]}"; do pkgs+=("$(dpkg-deb -f "$f" Package)"); done
for p in "${pkgs[@]}"; do
    if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep installed >/dev/null; then
        echo "FAIL  deb: $p is already installed: not this test's to purge (dpkg --purge ${pkgs[*]})"; exit 1
    fi
done

d=$(mktemp -d /tmp/arrdbg-deb.XXXXXX) || exit 1
# Every path the packages ship, and which of their directories exist now.
for f in "${debs[@]}"; do dpkg-deb -c "$f"; done | awk '{print $6}' | sed 's|^\.||; s|/$||' | grep . | sort -u >"$d/paths"
while read -r p; do [ -e "$p" ] && echo "$p"; done <"$d/paths" >"$d/before"

installed=0
purge() {
    if [ "$installed" = 1 ]; then
        timeout 300 dpkg --purge "${pkgs[@]}" >"$d/purge.log" 2>&1 ||
            { echo "FAIL  dpkg --purge"; sed 's/^/      /' "$d/purge.log"; }
        installed=0
    fi
}
trap 'purge; rm -rf "$d"' EXIT
trap 'exit 130' INT TERM

installed=1
if ! timeout 300 apt-get -o DPkg::Lock::Timeout=120 install -y -q --no-install-recommends "${debs[@]}" \
        >"$d/install.log" 2>&1; then
    fail "apt-get install of ${pkgs[*]}" "$(tail -20 "$d/install.log")"
    exit 1
fi
ok "installed: ${pkgs[*]}"
v=$(dpkg-query -W -f='${Version}' libarr0)
if [ "$v" = "$(sed -n 's/^ARR_VERSION := //p' "$top/Makefile")" ]; then ok "package version $v is the Makefile's ARR_VERSION"
else fail "package version $v (debian/changelog) is not the Makefile's ARR_VERSION"; fi

where=$(dpkg -L valgrind-arrcheck arrdbg-gdb libarr-dev)
platform=$(pkg-config --variable=platform valgrind)
multi=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
version=$(sed -n 's/^ARR_VERSION := //p' "$top/Makefile")
if grep -qx "/usr/libexec/valgrind/arrcheck-$platform" <<<"$where" &&
   grep -qx "/usr/share/gdb/auto-load/usr/lib/$multi/libarr.so.$version-gdb.py" <<<"$where" &&
   grep -qx "/usr/share/gdb/auto-load/arrdbg/libarr.a-gdb.py" <<<"$where" &&
   grep -qx "/usr/share/arrdbg/libarr.supp" <<<"$where"; then
    ok "the tool in valgrind's directory, the gdb scripts in gdb's auto-load directory"
else fail "installed paths" "$where"; fi

cd "$d" || exit 1
cp "$top/tests/deb/prog.c" "$top/tests/deb/script.py" .
if gcc -g -O0 prog.c -o shared $(pkg-config --cflags --libs libarr) 2>cc.err &&
   gcc -g -O0 prog.c -o static $(pkg-config --cflags libarr) -Wl,-Bstatic -larr -Wl,-Bdynamic \
       $(pkg-config --libs-only-other --static libarr) -lm 2>>cc.err &&
   [ "$(./shared)" = "sum 15" ] && [ "$(./static)" = "sum 15" ]; then
    ok "a program builds with pkg-config libarr (shared and static) and runs"
else fail "building against libarr-dev" "$(cat cc.err)"; fi

# arrcheck: the copy made at prog.c:10 and never freed.
vg=$(timeout 120 valgrind --tool=arrcheck ./shared 2>&1)
if grep -q "LeakedCopy: 48 bytes in 1 copies are lost" <<<"$vg" && grep -q "by 0x[0-9A-F]*: main (prog.c:10)" <<<"$vg" &&
   grep -q "ERROR SUMMARY: 1 errors from 1 contexts" <<<"$vg"; then
    ok "valgrind --tool=arrcheck: LeakedCopy at prog.c:10"
else fail "valgrind --tool=arrcheck ./shared" "$vg"; fi

# The tool's preload (malloc replacement, GSL adapter) is the package's,
# and valgrind loads it into the program.
vgv=$(timeout 120 valgrind -v --tool=arrcheck ./shared 2>&1)
if grep -qx "/usr/libexec/valgrind/vgpreload_arrcheck-$platform.so" <<<"$where" &&
   grep -q "Reading syms from /usr/libexec/valgrind/vgpreload_arrcheck-$platform.so" <<<"$vgv"; then
    ok "valgrind loads the package's vgpreload_arrcheck-$platform.so"
else fail "the tool's preload is not installed or not loaded" "$(grep vgpreload <<<"$where$vgv")"; fi

# gdb, default settings (no -iex, no safe-path): the plugin loads with
# the static libarr.a (its .debug_gdb_scripts entry) and with libarr.so.
for prog in static shared; do
    g=$(timeout 120 gdb -nx -batch -ex 'break arr_free' -ex run -ex up -ex 'print col' -ex 'arr list' ./$prog 2>&1)
    if grep -q '^\$1 = arr #1 float64 shape (6,) strides (8,) owner' <<<"$g" &&
       grep -q '^#2  copy   float64  (6,)' <<<"$g" && ! grep -q -i -e warning -e declined -e Traceback <<<"$g"; then
        ok "gdb ./$prog: printer and arr list, no warning"
    else fail "gdb ./$prog" "$g"; fi
done
for prog in static shared; do
    g=$(timeout 60 gdb -nx -batch -ex 'help arr list' ./$prog 2>&1)
    if grep -q '^List live arrays' <<<"$g" && ! grep -q -i warning <<<"$g"; then ok "gdb ./$prog: help arr before the program runs"
    else fail "gdb ./$prog: help arr before it runs" "$g"; fi
done

# python3 -m arrdbg run, from the installed python3-arrdbg only (pybuild).
py=$(env -u PYTHONPATH timeout 120 /usr/bin/python3 -m arrdbg run script.py 2>&1)
if grep -q '^arrdbg: NumPy data memory' <<<"$py" && grep -q 'script.py:5 .* 80,000 .* b = a.T.copy()' <<<"$py" &&
   [ "$(env -u PYTHONPATH /usr/bin/python3 -c 'import arrdbg, os; print(os.path.dirname(arrdbg.__file__))')" = \
     /usr/lib/python3/dist-packages/arrdbg ]; then
    ok "python3 -m arrdbg run: the copy at script.py:5"
else fail "python3 -m arrdbg run" "$py"; fi

# pybuild's metadata: pytest finds the plugin through its entry point.
ep=$(env -u PYTHONPATH /usr/bin/python3 -c 'import importlib.metadata as m
print(" ".join(e.value for e in m.entry_points(group="pytest11") if e.name == "arrdbg.pytest_plugin"), m.version("arrdbg"))' 2>&1)
if [ "$ep" = "arrdbg.pytest_plugin $(sed -n 's/^ARR_VERSION := //p' "$top/Makefile")" ]; then
    ok "python3-arrdbg's metadata: version and the pytest11 entry point ($ep)"
else fail "python3-arrdbg's metadata" "$ep"; fi

# memcheck: libarr.supp with the one line README.md documents.
mc() { HOME=$d/home timeout 120 valgrind --leak-check=full --show-leak-kinds=all ./shared 2>&1; }
mkdir -p home
without=$(mc)
echo "--suppressions=$(pkg-config --variable=suppressions libarr)" >home/.valgrindrc
with=$(mc)
if grep -q arr__registry_add <<<"$without" && ! grep -q arr__registry_add <<<"$with" &&
   grep -q "suppressed: [1-9]" <<<"$with"; then
    ok "memcheck: ~/.valgrindrc --suppressions=\$(pkg-config --variable=suppressions libarr) hides libarr's own blocks"
else fail "memcheck with libarr.supp" "$(grep -e registry -e suppressed <<<"$without$with")"; fi

bugs=$(sed -n 's/^ARRDBG_BUGS := //p' "$top/Makefile")
if [ "$(arr-report --version)" = "arr-report (arrdbg) $version" ] && arr-report --help | grep -F "$bugs" >/dev/null &&
   man -w arrcheck arr-report arrgrind libarr >/dev/null 2>&1 &&
   [ "$(dpkg-query -W -f='${Bugs}' valgrind-arrcheck)" = "$bugs" ]; then
    ok "arr-report $version, man pages, the packages' Bugs: $bugs"
else fail "arr-report / man pages / Bugs field" "$(arr-report --version 2>&1; dpkg-query -W -f='${Bugs}' valgrind-arrcheck)"; fi
cd "$top" || exit 1

purge
while read -r p; do [ -e "$p" ] || [ -L "$p" ] && echo "$p"; done <"$d/paths" >"$d/after"
left=$(comm -13 "$d/before" "$d/after")
stale=$(find /usr/share/arrdbg /usr/share/gdb/auto-load/arrdbg /usr/lib/python3/dist-packages/arrdbg 2>/dev/null)
if [ -z "$left" ] && [ -z "$stale" ] && ! dpkg -l "${pkgs[@]}" 2>/dev/null | grep '^[ir][ic]' >/dev/null; then
    ok "purged: no file or directory of the packages is left"
else fail "left after dpkg --purge" "$left"$'\n'"$stale"; fi

echo "deb: $passed passed, $failed failed"
[ "$failed" = 0 ]
