"""NumPy data memory handled by a thread without the GIL (tests/python/
nogil_ext.c): arrdbg records it under "<no GIL>" without touching Python
objects (it would crash or deadlock otherwise), and the counts add up."""
import check
import nogil_ext
from arrdbg import _arrdbg

before = {s[0]: (s[6], s[7], s[8], s[9]) for s in _arrdbg.sites()}.get("<no GIL>", (0, 0, 0, 0))
ok = nogil_ext.run(500, 4096)
after = {s[0]: (s[6], s[7], s[8], s[9]) for s in _arrdbg.sites()}["<no GIL>"]
check.check(ok, "allocation in the thread failed")
check.check(after[1] - before[1] == 500 and after[0] - before[0] == 500 * 4096,
            f"<no GIL> made: {before} -> {after}")
check.check(after[3] - before[3] == 500 and after[2] - before[2] == 500 * 4096,
            f"<no GIL> freed: {before} -> {after}")
check.done()
