# The handler chains to the one in place, is absent without arrdbg, refuses
# NumPy < 1.22, and a failed allocation still raises MemoryError.
set -u
py=$ARRDBG_PYTHON
fail() { echo "FAIL: $*"; exit 1; }
# Importing NumPy alone: NumPy's own handler, arrdbg not loaded.
out=$($py -c 'import sys, numpy as np; print(np.core.multiarray.get_handler_name(), "arrdbg" in sys.modules)')
[ "$out" = "default_allocator False" ] || fail "plain numpy: $out"
# Installed: ours, chaining to the one that was current.
out=$($py -c 'import numpy as np, arrdbg; before = np.core.multiarray.get_handler_name(); prev = arrdbg.install(); print(before == prev, np.core.multiarray.get_handler_name())')
[ "$out" = "True arrdbg" ] || fail "installed: $out"
# NumPy older than 1.22: a clear message, nothing installed, exit 2.
d=$(mktemp -d); trap 'rm -rf "$d"' EXIT
mkdir "$d/numpy"; echo '__version__ = "1.21.6"' > "$d/numpy/__init__.py"
echo 'print("ran")' > "$d/s.py"
out=$(PYTHONPATH=$d:$PYTHONPATH $py -m arrdbg run "$d/s.py" 2>&1); rc=$?
[ $rc = 2 ] || fail "old numpy: exit $rc"
case $out in *"NumPy 1.21.6 is older than 1.22"*"nothing was installed"*) ;; *) fail "old numpy: $out" ;; esac
case $out in *ran*) fail "old numpy: the script ran: $out" ;; esac
# An allocation the allocator refuses: MemoryError, nothing recorded.
cat > "$d/nomem.py" <<'PY'
import numpy as np, arrdbg
from arrdbg import _arrdbg
before = _arrdbg.stats()["live_bytes"]
try:
    np.empty(1 << 60, dtype=np.uint8)
    print("no error")
except MemoryError:
    print("MemoryError", _arrdbg.stats()["live_bytes"] == before)
PY
out=$($py -m arrdbg run --quiet "$d/nomem.py" 2>&1)
[ "$out" = "MemoryError True" ] || fail "nomem: $out"
# The script's exit status and exceptions go through; the report still comes.
printf 'import numpy as np\nx = np.zeros(1000)\nraise SystemExit(7)\n' > "$d/exit7.py"
out=$($py -m arrdbg run "$d/exit7.py" 2>&1); rc=$?
[ $rc = 7 ] || fail "exit status $rc"
case $out in *"exit7.py:2"*"x = np.zeros(1000)"*) ;; *) fail "report after SystemExit: $out" ;; esac
echo ok
