"""The pending classification reads each site once: a program that makes n
distinct allocation sites costs O(n) site rows in all, not O(n) per new site
(20,000 sites took 6 minutes when every pending call re-read them all)."""
import numpy as np

import check
from arrdbg import _report

real = _report._arrdbg


class Counting:
    """_arrdbg with sites() counted (rows handed to the classifier)."""
    rows = 0

    def __getattr__(self, name):
        return getattr(real, name)

    def sites(self, *args):
        out = real.sites(*args)
        Counting.rows += len(out)
        return out


_report._arrdbg = Counting()
try:
    n = 3000
    src = "\n".join(f"def f{i}():\n    return np.ones({i % 5 + 1})" for i in range(n))
    ns = {"np": np}
    exec(compile(src, "generated_sites.py", "exec"), ns)
    keep = [ns[f"f{i}"]() for i in range(n)]
    _report.classify_pending()  # whatever is still pending
finally:
    _report._arrdbg = real
total = len(real.sites())
check.check(total >= n, f"{total} sites for {n} functions")
check.check(Counting.rows <= 2 * total,
         f"the classifier read {Counting.rows} site rows for {total} sites (at most twice each)")
unclassified = [s for s in real.sites() if s[0] == "generated_sites.py" and not s[4]]
check.check(not unclassified, f"every generated site has its op ({len(unclassified)} without)")
check.done()
