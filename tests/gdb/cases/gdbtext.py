# gdbtext.py - sourced by gdbtext.cmds (program tests/gdb/progs/dtypes.c):
# the plugin's `print` of every element of an array of each dtype is
# gdb's own text of the same elements as a C array, at settings that
# change an element's text or the folding of runs.  The plugin formats
# most of these elements itself (printers.GdbText); gdb's print of the
# same bytes is the reference.  int8/uint8: the plugin shows numbers
# where gdb shows characters (65 'A') or strings, so with no /FMT their
# reference is gdb's print/d (int8) or print/u (uint8), /x at
# output-radix 16 (where the plugin shows 0xff).
import gdb

from arrdbg_gdb import layout
from arrdbg_gdb.memory import Target

C_TYPES = {"bool": "_Bool", "int8": "signed char", "uint8": "unsigned char", "int16": "short",
           "int32": "int", "int64": "long long",
           "uint16": "unsigned short", "uint32": "unsigned int", "uint64": "unsigned long long",
           "float32": "float", "float64": "double", "complex64": "_Complex float",
           "complex128": "_Complex double"}

# (label, gdb setting before, print options, gdb setting after)
SETTINGS = (("default", None, ""),
            ("repeats 1", None, "-repeats 1 --"),
            ("repeats 2", None, "-repeats 2 --"),
            ("repeats unlimited", None, "-repeats unlimited --"),
            ("/x", None, "-- /x"),
            ("/d", None, "-- /d"),
            ("/u", None, "-- /u"),
            ("output-radix 16", "output-radix", ""),
            # more than any array has: shown whole under a finite limit
            ("elements 70000", None, "-elements 70000 --"))


def body(command):
    out = gdb.execute(command, to_string=True)
    return out[out.index("= {") + 2:].strip()


def shape_of(expr):
    ndim = int(gdb.parse_and_eval("%s->ndim" % expr))
    return "".join("[%d]" % int(gdb.parse_and_eval("%s->shape[%d]" % (expr, k)))
                   for k in range(ndim))


def where(ours, theirs):
    """Where two texts first differ, with some context."""
    k = next((i for i, (a, b) in enumerate(zip(ours, theirs)) if a != b),
             min(len(ours), len(theirs)))
    return "at char %d: plugin ...%s... gdb ...%s..." % (
        k, ours[max(0, k - 40):k + 40], theirs[max(0, k - 40):k + 40])


def main():
    gdb.execute("set max-value-size unlimited")
    gdb.execute("set print elements unlimited")
    # The largest array (lin of bool) is shown whole by -elements 70000.
    assert max(int(gdb.parse_and_eval("lin[%d]->shape[0]" % d))
               for d in range(len(layout.DTYPES))) < 70000
    # The first prints at output-radix 16: GdbText is still made for the
    # integer types when the radix is 10 again (the list at the end).
    gdb.execute("set output-radix 16")
    for d in range(len(layout.DTYPES)):
        gdb.execute("print *view[%d]" % d, to_string=True)
    gdb.execute("set output-radix 10")
    total = equal = 0
    for d, name in enumerate(layout.DTYPES):
        if name not in C_TYPES:
            continue
        ok = count = 0
        for ours, data in (("lin", "lin"), ("cube", "cube"), ("view", "view_copy"),
                           ("flip", "flip_copy")):
            ref = "*(%s (*)%s) %s[%d]->data" % (C_TYPES[name], shape_of("%s[%d]" % (data, d)),
                                                data, d)
            for label, setting, opts in SETTINGS:
                ref_opts = opts
                if name in ("int8", "uint8") and "/" not in opts:
                    ref_opts = (opts or "--") + (
                        " /x" if setting else " /d" if name == "int8" else " /u")
                if setting:
                    gdb.execute("set output-radix 16")
                a = body("print %s *%s[%d]" % (opts, ours, d))
                b = body("print %s %s" % (ref_opts, ref))
                if setting:
                    gdb.execute("set output-radix 10")
                count += 1
                if a == b:
                    ok += 1
                else:
                    print("gdbtext: %s %s[%d], %s: differs %s"
                          % (name, ours, d, label, where(a, b)))
        print("gdbtext: %-10s %d of %d prints equal to gdb's" % (name, ok, count))
        total += count
        equal += ok
    print("gdbtext: %d of %d prints equal to gdb's" % (equal, total))
    fast = Target.get().__dict__.get("gdb_texts", {})
    print("gdbtext: formatted by the plugin: %s" % " ".join(
        layout.DTYPES[d] + ("/" + f if f else "")
        for d, f, _ in sorted(fast, key=lambda k: (k[0], k[1] or "")) if fast[(d, f, "c")]))


main()
