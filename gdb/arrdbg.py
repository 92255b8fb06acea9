# Loads the arrdbg gdb plugin from the source tree: `source gdb/arrdbg.py`.
# Registers the printers globally and the `arr` commands (idempotent).
import os
import sys

_pydir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "python")
if _pydir not in sys.path:
    sys.path.insert(0, _pydir)

import arrdbg_gdb  # noqa: E402

arrdbg_gdb.register(None)
