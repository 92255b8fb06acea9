"""tests/gdb/gsltypes: gdb's transcript of types.c against its own output.

    check.py --names                  the variables to print
    check.py PROG.OUT GDB.LOG MODE    compare; one line, exit 1 on a mismatch

PROG.OUT holds "NAME: e e ..." (C order, a complex element as "RE IM"),
GDB.LOG sections "==print NAME" / "==info NAME", then "==garbage" (each
answer one line: an array, or <...: invalid ...> / a gdb error).  Each section must name
the dtype arrcheck's GSL adapter reports (valgrind/gsl_adapter.c), the
shape, and elements equal to the program's: integers exactly (an int8 as a
number, never a char), float32/float64 as the same binary value, long
double to within its own precision (a read as double is off by 1e-17).
"""

import re
import struct
import sys
from decimal import Decimal

# GSL's type suffix -> dtype
DTYPES = {"": "float64", "_float": "float32", "_long_double": "longdouble", "_int": "int32",
          "_uint": "uint32", "_long": "int64", "_ulong": "uint64", "_short": "int16",
          "_ushort": "uint16", "_char": "int8", "_uchar": "uint8", "_complex": "complex128",
          "_complex_float": "complex64", "_complex_long_double": "clongdouble"}
NUMBER = r"-?(?:\d+\.?\d*(?:e[-+]?\d+)?|inf|nan)"


def names():
    return [k + s for s in DTYPES for k in ("m", "c")]


def same(dtype, got, want):
    if dtype.startswith(("int", "uint")):
        return re.fullmatch(r"-?\d+", got) is not None and int(got) == int(want)
    if dtype.endswith("float32") or dtype == "complex64":
        return struct.pack("f", float(got)) == struct.pack("f", float(want))
    if dtype in ("float64", "complex128"):
        return float(got) == float(want)
    g, w = Decimal(got), Decimal(want)
    return abs(g - w) <= abs(w) * Decimal("1e-19")


def elements(text, dtype):
    """The numbers of a {...} element text, flattened, complex as two."""
    out = []
    for token in text.replace("{", "").replace("}", "").split(", "):
        if dtype.startswith("c"):
            m = re.fullmatch(r"(%s) \+ (%s)i" % (NUMBER, NUMBER), token)
            if m is None:
                return None
            out.extend(m.groups())
        else:
            out.append(token)
    return out


def check(prog_out, log):
    want = {}
    for line in open(prog_out):
        name, _, values = line.partition(":")
        want[name] = values.split()
    text, _, garbage = open(log).read().partition("==garbage\n")
    lines = garbage.splitlines()
    prints = [l for l in lines if l.startswith("$")]
    if len(prints) != 3 or not any(re.match(r"^arr info: .*: invalid ", l) for l in lines) or \
            not all(re.match(r"^\$\d+ = (gsl_\w+ 0x.* = \{|<gsl_\w+: invalid )", l) for l in prints):
        return "garbage pointers: %r" % garbage[:600]
    sections = re.split(r"^==(print|info) (\S+)\n", text, flags=re.M)[1:]
    seen = set()
    for kind, name, body in zip(sections[0::3], sections[1::3], sections[2::3]):
        dtype = DTYPES[name[1:]]
        shape = "(2, 3)" if name.startswith("m") else "(2,)"
        head = body.splitlines()[0] if body else ""
        if kind == "print":
            m = re.match(r"^\$\d+ = gsl_\w+ 0x[0-9a-f]+ (\S+) shape (\(.*?\)) .* bytes = (.*)$", head)
            got = m and (m.group(1), m.group(2), m.group(3))
        else:
            m = re.match(r"^gsl_\w+ 0x[0-9a-f]+ (\S+) shape (\(.*?\)) ", head)
            e = re.search(r"^  elements:   (.*)$", body, re.M)
            got = m and e and (m.group(1), m.group(2), e.group(1))
        if not got:
            return "%s %s: not an array print: %r" % (kind, name, body[:300])
        if got[:2] != (dtype, shape):
            return "%s %s: dtype/shape %s %s, want %s %s" % (kind, name, got[0], got[1], dtype, shape)
        values = elements(got[2], dtype)
        if values is None or len(values) != len(want[name]) or \
                not all(same(dtype, g, w) for g, w in zip(values, want[name])):
            return "%s %s: elements %s, the program printed %s" % (kind, name, got[2], " ".join(want[name]))
        seen.add((kind, name))
    missing = [n for n in names() if ("print", n) not in seen or ("info", n) not in seen]
    if missing:
        return "no print/arr info of %s" % ", ".join(missing)
    return None


def main():
    if sys.argv[1:] == ["--names"]:
        print(" ".join(names()))
        return 0
    prog_out, log, mode = sys.argv[1:4]
    problem = check(prog_out, log)
    if problem:
        print("gsltypes %s: %s" % (mode, problem))
        return 1
    print("gsltypes %s: %d GSL element types: print and arr info of a matrix and a view equal "
          "the program's values" % (mode, len(DTYPES)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
