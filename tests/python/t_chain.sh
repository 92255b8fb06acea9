# A program that installed its own handler first: arrdbg chains to it (every
# allocation and free still reaches it) instead of assuming NumPy's default.
set -u
out=$("$ARRDBG_PYTHON" - <<'PY' 2>&1
import numpy as np
import nogil_ext
nogil_ext.install_counting()
import arrdbg
from arrdbg import _arrdbg
prev = arrdbg.install()
m0, f0 = nogil_ext.counts()
s0 = _arrdbg.stats()
xs = [np.ones(1000 + i) * 2 for i in range(20)]
del xs
m1, f1 = nogil_ext.counts()
s1 = _arrdbg.stats()
print(prev, np.core.multiarray.get_handler_name(),
      m1 - m0 == s1["allocs"] - s0["allocs"] > 0, f1 - f0 == s1["frees"] - s0["frees"] > 0)
PY
)
[ "$out" = "counting arrdbg True True" ] || { echo "FAIL: $out"; exit 1; }
echo ok
