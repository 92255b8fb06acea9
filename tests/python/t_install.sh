# make install-python into a scratch DESTDIR: the installed package runs a
# script and reports its lines, with nothing from the source tree on the path.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
py=$ARRDBG_PYTHON
d=$(mktemp -d); trap 'rm -rf "$d"' EXIT
make --no-print-directory -s -C "$root" install-python DESTDIR="$d" PREFIX=/usr/local BUILD="$ARRDBG_BUILD" >/dev/null || { echo "FAIL: install"; exit 1; }
site=$(ls -d "$d"/usr/local/lib/python3*/dist-packages) || { echo "FAIL: no dist-packages"; exit 1; }
ls "$site/arrdbg/" | grep -q '^_arrdbg.*\.so$' || { echo "FAIL: no extension in $site/arrdbg"; exit 1; }
printf 'import numpy as np\nx = np.ones(5000)\ny = x.copy()\n' > "$d/s.py"
out=$(cd "$d" && env -u PYTHONPATH PYTHONPATH="$site" "$py" -m arrdbg run s.py 2>&1)
case $out in *"s.py:3"*"40,000"*"y = x.copy()"*) echo ok ;; *) echo "FAIL: $out"; exit 1 ;; esac
