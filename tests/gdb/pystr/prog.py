"""The inferior of tests/gdb/pystr: str and bytes values of every length
and kind bound to globals; writes what `print NAME` must show for each
(Python's own repr of the first 200 items, and len()) to TRUTH.json, then
stops itself with SIGTRAP.

    /usr/bin/python3 prog.py TRUTH.json
"""

import json
import os
import signal
import sys

SHOWN = 200  # printcmd.MAX_TEXT

s_short = "h\u00e9llo"
s_200 = "x" * SHOWN
s_long = "ab'c" * 1250
s_wide = "\u4e2d\u6587" * 300
s_astral = "\U0001F600x" * 150
s_latin = "\u00e9" * 5000
b_short = b"ab\x00c"
b_long = bytes(range(256)) * 20
b_200 = b"y" * SHOWN
s_garbage = "z" * 300   # the test writes garbage into its header


def shown(value):
    text = repr(value[:SHOWN])
    if len(value) <= SHOWN:
        return text
    unit = "characters" if isinstance(value, str) else "bytes"
    return "%s...%s (%d %s)" % (text[:-1], text[-1], len(value), unit)


names = [n for n in list(globals()) if n[:2] in ("s_", "b_")]
truth = {"expected": {n: shown(globals()[n]) for n in names},
         "ids": {n: id(globals()[n]) for n in names}}
with open(sys.argv[1] + ".tmp", "w") as f:
    json.dump(truth, f)
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
os.kill(os.getpid(), signal.SIGTRAP)
