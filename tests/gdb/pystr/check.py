"""Run by gdb on tests/gdb/pystr/prog.py (-x check.py --args python3
prog.py TRUTH.json): `print NAME` of each str and bytes global equals
Python's repr of its first 200 items and its length (TRUTH.json); a
garbage length, a garbage state and an unreadable header each answer one
line.  Prints "pystr: ok ..." or "FAIL: ..." lines."""

import json
import os
import re
import struct

import gdb

from arrdbg_gdb import memory, pyframe

TRUTH = os.environ["ARRDBG_PYSTR_TRUTH"]
failures = []


def check(ok, what):
    if not ok:
        failures.append(what)


def show(name):
    try:
        out = gdb.execute("print %s" % name, to_string=True)
    except gdb.error as exc:
        return None, str(exc)
    m = re.match(r"^py:%s is .*\npy:%s = (.*)  \(at 0x[0-9a-f]+\)\n$" % (name, name), out, re.S)
    return (m.group(1) if m else None), out


def main():
    gdb.execute("run")
    truth = json.load(open(TRUTH))
    for name, want in truth["expected"].items():
        got, out = show(name)
        check(got == want, "print %s: %r, want %r" % (name, out[:400], want[:400]))
    inf = gdb.selected_inferior()
    address = truth["ids"]["s_garbage"]
    for field, garbage, word in (("ascii.length", 1 << 60, "length"), ("ascii.state", 0x7fff, "state"),
                                 ("ascii.length", -5, "length")):
        offset = pyframe.OFFSETS[field]
        size = 8 if field == "ascii.length" else 4
        saved = bytes(inf.read_memory(address + offset, size))
        inf.write_memory(address + offset, struct.pack("<q" if size == 8 else "<I", garbage))
        memory.Target.forget()
        memory.clear_cache()
        got, out = show("s_garbage")
        inf.write_memory(address + offset, saved)
        memory.Target.forget()
        memory.clear_cache()
        check(got is not None and got.startswith("<str not readable: str ") and word in got
              and "\n" not in got, "garbage %s=%#x: %r" % (field, garbage, out))
    got, _ = show("s_garbage")
    check(got == truth["expected"]["s_garbage"], "s_garbage after restoring: %r" % got)
    if failures:
        for f in failures:
            gdb.write("FAIL: %s\n" % f)
    else:
        gdb.write("pystr: ok %d str/bytes values (longest %d) and 3 garbage headers\n"
                  % (len(truth["expected"]), max(len(v) for v in truth["expected"].values())))
    gdb.execute("kill")


try:
    main()
except Exception as exc:  # a failure, never a hang or a traceback the runner misses
    gdb.write("FAIL: %s: %s\n" % (type(exc).__name__, exc))
