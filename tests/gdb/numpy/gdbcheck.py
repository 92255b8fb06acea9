"""The checking helpers shared by the gdb -x scripts of tests/gdb/numpy
(check.py, pyvars_check.py, print_vgdb.py) and tests/gdb/print
(print_check.py): a count of checks with their failures, a gdb command run
for its output or its error, and the value text of a printed `$N = ...`."""

import re

import gdb

failures = []
count = [0]


def check(cond, what):
    count[0] += 1
    if not cond:
        failures.append(what)
        print("FAIL: %s" % what)


def run(command):
    """(output, error text or None): the command's output, or the gdb error."""
    try:
        return gdb.execute(command, to_string=True), None
    except gdb.error as exc:
        return "", str(exc)


def value_text(out):
    """The text after `$N = ` of a printed value (one line)."""
    m = re.search(r"^\$\d+ = (.*)$", out, re.M)
    return m.group(1) if m else None
