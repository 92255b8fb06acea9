# stripped/check.py - runs inside `gdb -nx -batch -x check.py PROG`: stops at
# arrdbg_spot hits 1 and 2 (after the owner is freed: orphans) of tests/gdb/progs/views.c (no condition: a
# stripped program has no `n`) and writes the key commands' answers to
# $ARRDBG_OUT.  Run once on the program as built and once on a copy with no
# DWARF (tests/gdb/stripped/run.sh compares the two).
import os

import gdb

COMMANDS = ["arr list", "arr views #1", "arr leaks", "arr mem"] + \
    ["arr info #%d" % i for i in range(1, 16)]


def main():
    for setup in ("set pagination off", "set width 0", "set height 0", "set confirm off"):
        gdb.execute(setup, to_string=True)
    gdb.execute("break arrdbg_spot", to_string=True)
    gdb.execute("run", to_string=True)
    with open(os.environ["ARRDBG_OUT"], "w") as out:
        out.write("debug info for struct arr: %s\n" % _has_type())
        out.write("registry in: %s" % gdb.execute("info symbol &arr_registry", to_string=True))
        for hit in (1, 2):
            if hit > 1:
                gdb.execute("continue", to_string=True)
            out.write("== spot %d\n" % hit)
            for command in COMMANDS:
                out.write("(gdb) %s\n" % command)
                try:
                    out.write(gdb.execute(command, to_string=True))
                except gdb.error as exc:
                    out.write("error: %s\n" % exc)
        # A libarr of another layout: the plugin must say so, not misread it.
        gdb.execute("set {unsigned int}((char *)&arr_registry + %d) = 99"
                    % _offset("layout_version"), to_string=True)
    with open(os.environ["ARRDBG_OUT"] + ".version", "w") as out:
        for command in ("arr list", "arr mem"):
            out.write("(gdb) %s\n" % command)
            try:
                out.write(gdb.execute(command, to_string=True))
            except gdb.error as exc:
                out.write("error: %s\n" % exc)
    gdb.execute("kill", to_string=True)


def _offset(name):
    from arrdbg_gdb import _generated
    return [f[3] for f in _generated.REGISTRY_FIELDS if f[0] == name][0]


def _has_type():
    try:
        gdb.lookup_type("struct arr")
        return "yes"
    except gdb.error:
        return "no"


try:
    main()
except Exception as exc:  # the runner sees this and fails
    import sys
    sys.stderr.write("driver failed: %s: %s\n" % (type(exc).__name__, exc))
