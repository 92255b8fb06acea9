"""For tests/python/t_lib_*.py: how much of a run's allocated NumPy bytes
arrdbg charges to lines of the test's own file (the user's code), with the
library frames skipped (the default) and without (--no-lib: the innermost
frame outside NumPy, what arrdbg did before it kept whole stacks)."""
import os

import arrdbg
import check


def share(path, **opts):
    arrdbg.configure(**opts)
    try:
        d = arrdbg.report_data()
    finally:
        arrdbg.configure(no_lib=False)
    mine = sum(e["allocated"] for e in d["lines"]
               if e["file"] and os.path.abspath(e["file"]) == os.path.abspath(path))
    return mine / max(1, d["totals"]["alloc_bytes"]), d


def check_share(path, goal=0.90):
    """>= goal of the bytes on the user's lines; and the same run charged to
    the innermost frame outside NumPy puts much less there (the library's
    own lines took them)."""
    got, d = share(path)
    old, _ = share(path, no_lib=True)
    print(f"{os.path.basename(path)}: {got:.1%} of {d['totals']['alloc_bytes']:,} bytes on the "
          f"user's lines ({old:.1%} with --no-lib)")
    check.check(got >= goal, f"user lines got {got:.1%} of the bytes, want >= {goal:.0%}")
    check.check(old < got - 0.3, f"--no-lib share {old:.1%} is not well below {got:.1%}")
    return d


def row(d, path, marker):
    return check.line_entry(d, path, check.marker_line(marker, path))
