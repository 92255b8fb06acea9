"""gdb -x script of tests/gdb/numpy/run.sh's print-vgdb case: `print NAME`
(printcmd.py) in a Python frame through Valgrind's gdbserver, where the
plugin can only read memory.  The inferior is tests/gdb/print/print_prog.py
run by `python3 -m arrdbg run` under valgrind (arrcheck or memcheck); it
stops itself with SIGTRAP inside inner() after writing TRUTH.json.

Checks, against what Python said and the plugin's own $ndarray printer:
`arr py-frame 0`, print of the ndarray locals x and arg, of the str global
g_str, print c:environ (the C symbol, as gdb prints it with print-python
off) and a missing name (one line).

Environment: ARRDBG_VGDB_TARGET (`target remote | vgdb ... --pid=N`),
ARRDBG_PRINT_TRUTH, ARRDBG_VGDB_TOOL (named in the verdict).  Prints `numpy-print-vgdb: ok N checks` or the failures.
"""

import json
import os
import re
import sys

import gdb

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gdbcheck import check, count, failures, run, value_text  # noqa: E402  (tests/gdb/numpy)


def main():
    gdb.execute(os.environ["ARRDBG_VGDB_TARGET"], to_string=True)
    # Stop at the program's SIGTRAP only, not at errors the tool reports.
    gdb.execute("monitor v.set vgdb-error 1000000", to_string=True)
    gdb.execute("continue", to_string=True)
    with open(os.environ["ARRDBG_PRINT_TRUTH"]) as f:
        t = json.load(f)
    out, err = run("arr py-frame 0")
    check(err is None and "inner" in out, "arr py-frame 0: %r %r" % (out, err))
    where = "Python frame #0 inner (%s:%d)" % (t["file"], t["stop"])
    for name in ("x", "arg"):
        out, err = run("print %s" % name)
        ref, err2 = run("print $ndarray(0x%x)" % t["ids"][name])
        shape = "shape (%s)" % ", ".join(map(str, t["shapes"][name])) if len(t["shapes"][name]) > 1 \
            else "shape (%d,)" % t["shapes"][name][0]
        check(err is None and out.startswith("py:%s is %s, a local of %s" % (name, name, where))
              and value_text(out) is not None and value_text(out) == value_text(ref) and shape in value_text(out),
              "print %s: %r %r; $ndarray(0x%x): %r %r" % (name, out, err, t["ids"][name], ref, err2))
    text, address = t["scalars"]["g_str"]
    out, err = run("print g_str")
    check(err is None and out.splitlines()[1:] == ["py:g_str = %s  (at 0x%x)" % (text, address)],
          "print g_str: %r %r, Python says %s at 0x%x" % (out, err, text, address))
    c_out, err = run("print c:environ")
    gdb.execute("set arr print-python off")
    off, err2 = run("print environ")
    gdb.execute("set arr print-python on")
    check(err is None and err2 is None and re.fullmatch(r"\$\d+ = \(char \*\*\) 0x[0-9a-f]+\n", c_out)
          and value_text(c_out) == value_text(off), "print c:environ: %r %r / print-python off: %r %r"
          % (c_out, err, off, err2))
    out, err = run("print nosuch")
    check(err is not None and "\n" not in err and err.startswith('No symbol "nosuch" in current context; '
                                                                  "no Python variable 'nosuch' in frame #0 inner"),
          "print nosuch: %r %r" % (out, err))
    print("numpy-print-vgdb: %s %d checks under %s" % ("ok" if not failures else "FAILED", count[0],
                                                      os.environ.get("ARRDBG_VGDB_TOOL", "valgrind")))
    run("kill")


try:
    main()
except Exception as exc:  # report, do not leave gdb half-way
    print("numpy-print-vgdb: FAILED: %s: %s" % (type(exc).__name__, exc))
