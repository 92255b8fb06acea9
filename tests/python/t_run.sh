# `python3 -m arrdbg run` runs a program exactly as python3 does (argv, exit
# status, SyntaxError, directories, zipapps, stdin, tracebacks) and writes
# its reports like a Unix tool (FIFO/device/symlink written into, the text
# report kept when --json fails, paths resolved at start, nothing on stdout
# with 2>&-, python's status with 2>/dev/full, %p per forked child, a
# reloaded arrdbg installs again).  Each case is compared with python3's own.
set -u
py=$ARRDBG_PYTHON
d=$(mktemp -d); trap 'rm -rf "$d"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
run() { timeout 60 "$py" -m arrdbg run "$@"; }
cd "$d"

# argv, with -- kept after the script; exit status of sys.exit
printf 'import sys\nprint(sys.argv)\nsys.exit(3)\n' > argv.py
want=$(timeout 60 "$py" argv.py -- a -q b 2>/dev/null; echo "rc=$?")
got=$(run -q argv.py -- a -q b 2>/dev/null; echo "rc=$?")
[ "$got" = "$want" ] || fail "argv: '$got', python3: '$want'"

# a SyntaxError: python's message and status 1
printf 'x = (\n' > syn.py
want=$(timeout 60 "$py" syn.py 2>&1; echo "rc=$?")
got=$(run syn.py 2>&1; echo "rc=$?")
[ "$got" = "$want" ] || fail "SyntaxError: '$got', python3: '$want'"

# a traceback with the script's frames only, status 1, the report after it
printf 'import numpy as np\ndef f():\n    raise ValueError("boom")\na = np.ones(10)\nf()\n' > tb.py
want=$(timeout 60 "$py" tb.py 2>&1; echo "rc=$?")
got=$(run tb.py 2>&1; echo "rc=$?")
got_tb=$(printf '%s\n' "$got" | sed -n '1,/^ValueError/p')
[ "$got_tb" = "$(printf '%s\n' "$want" | sed -n '1,/^ValueError/p')" ] && \
    printf '%s\n' "$got" | grep -q "^arrdbg: NumPy data memory" && \
    [ "${got##*rc=}" = 1 ] || fail "traceback: '$got', python3: '$want'"

# a directory with __main__.py, a zipapp, stdin
mkdir app; printf 'import sys, numpy as np\nprint("app", sys.argv, len(np.zeros(5)))\n' > app/__main__.py
"$py" -m zipapp app -o app.pyz
for target in app app.pyz; do
    want=$(timeout 60 "$py" $target x 2>&1; echo "rc=$?")
    got=$(run -q $target x 2>&1; echo "rc=$?")
    [ "$got" = "$want" ] || fail "$target: '$got', python3: '$want'"
done
want=$(timeout 60 "$py" - y < app/__main__.py 2>&1; echo "rc=$?")
got=$(run -q - y < app/__main__.py 2>&1; echo "rc=$?")
[ "$got" = "$want" ] || fail "stdin: '$got', python3: '$want'"

# --json into a FIFO (read while written), through a symlink, into a device
printf 'import numpy as np\na = np.ones(1000)\n' > s.py
mkfifo fifo
(timeout 60 cat fifo > fifo.out) & reader=$!
run -q --json fifo s.py || fail "--json fifo: exit $?"
wait $reader
[ -p fifo ] && "$py" -c 'import json,sys; json.load(open(sys.argv[1]))' fifo.out || fail "--json fifo"
echo precious > target.json; ln -s target.json link.json
run -q --json link.json s.py
[ -L link.json ] && "$py" -c 'import json,sys; json.load(open(sys.argv[1]))' target.json \
    || fail "--json symlink: the link was replaced or its target not written"
# A device node of our own (a twin of /dev/null, when we may make one): a
# broken arrdbg run as root must not replace the machine's /dev/null.
if mknod nulldev c 1 3 2>/dev/null; then
    run -q --json nulldev s.py
    [ -c nulldev ] || fail "--json to a device: no longer a device"
else
    echo "note: cannot make a device node (not root): the device case is not checked"
fi

# --json that cannot be written: the text report is still printed, the status is the script's
out=$(run --json "$d/no/such/dir/r.json" s.py 2>&1; echo "rc=$?")
printf '%s\n' "$out" | grep -q "^arrdbg: NumPy data memory" && printf '%s\n' "$out" | grep -q "cannot write" \
    && [ "${out##*rc=}" = 0 ] || fail "--json failing: '$out'"

# relative paths are resolved at start, though the script chdirs
mkdir sub; printf 'import os, numpy as np\na = np.ones(10)\nos.chdir("sub")\n' > cd.py
run -q --json rel.json cd.py && [ -f rel.json ] && [ ! -f sub/rel.json ] || fail "relative --json: $(ls -R)"

# 2>&-: arrdbg's messages never land on stdout; 2>/dev/full: python's status
got=$(run --json "$d/no/such/r.json" s.py 2>&-; echo "rc=$?")
[ "$got" = "rc=0" ] || fail "2>&-: stdout '$got'"
run s.py 2>/dev/full; rc=$?
"$py" s.py 2>/dev/full; prc=$?
[ $rc = $prc ] || fail "2>/dev/full: status $rc, python3's $prc"

# fork: %p gives each process its own JSON; a child reports only its own arrays
cat > fork.py <<'PY'
import os, sys
import numpy as np
big = np.ones(100_000)
kids = []
for i in range(5):
    pid = os.fork()
    if pid == 0:
        mine = np.zeros(1000 * (i + 1))
        sys.exit(0)
    kids.append(pid)
for pid in kids:
    os.waitpid(pid, 0)
PY
run -q --json "out.%p.json" fork.py || fail "fork: exit $?"
"$py" - <<'PY' || fail "fork: the reports"
import glob, json, sys
files = sorted(glob.glob("out.*.json"))
reports = [json.load(open(f)) for f in files]
allocs = sorted(r["totals"]["alloc_bytes"] for r in reports)
kids = sorted(a for a in allocs if a < 800_000)
ok = len(files) == 6 and all(8000 * (i + 1) <= k < 8000 * (i + 1) + 64 for i, k in enumerate(kids))
if not ok:
    print(files, allocs)
sys.exit(0 if ok else 1)
PY

# importlib.reload(arrdbg); arrdbg.install() again
printf 'import importlib, arrdbg, numpy as np\nimportlib.reload(arrdbg)\nprint(arrdbg.install())\na = np.ones(5)\n' > rl.py
got=$(run -q rl.py 2>&1; echo "rc=$?")
[ "$got" = "$(printf 'default_allocator\nrc=0')" ] || fail "reload: '$got'"

[ $fails = 0 ] && echo ok
