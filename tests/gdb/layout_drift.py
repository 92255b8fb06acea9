# layout_drift.py - runs inside `gdb -nx -batch -x layout_drift.py PROG` (a
# program linked with libarr, with DWARF; nothing is run).  Compares what the
# plugin uses without debug info (arrdbg_gdb/_generated.py, made from
# libarr/arr.h at build time) with what the compiler put into DWARF and what
# libarr's name tables hold in PROG's memory image:
#   - every field of struct arr, struct arr_registry, struct arr_stats: same
#     names, same offsets, same sizes (the `ptype /o` facts);
#   - the label and shape lengths (ARR_LABEL_MAX, ARR_MAXDIMS);
#   - enum arr_flag, the dtype and op enums' lengths;
#   - libarr's op_names and dtype_table strings: the names the plugin prints;
#   - layout_version: a struct changed without bumping ARR_LAYOUT_VERSION
#     (tests/gdb/layout_versions records each version's digest).
# A struct changed without regenerating _generated.py fails here.
# Prints "drift: ok (N checks)" or "drift: FAIL ..." lines.
import os
import sys

import gdb

sys.path.insert(0, os.path.join(os.environ["ARRDBG_ROOT"], "gdb", "python"))
from arrdbg_gdb import _generated as g  # noqa: E402

failures = []
checks = [0]


def check(ok, what):
    checks[0] += 1
    if not ok:
        failures.append(what)


def struct_fields(tag):
    t = gdb.lookup_type("struct " + tag).strip_typedefs()
    return t, [(f.name, f.bitpos // 8, f.type.sizeof) for f in t.fields()]


def compare_struct(tag, fields, size, nested=()):
    t, dwarf = struct_fields(tag)
    check(t.sizeof == size, "sizeof(struct %s): DWARF %d, generated %d" % (tag, t.sizeof, size))
    gen = {f[0]: f for f in fields}
    for name, offset, fsize in dwarf:
        if name in nested:
            continue
        if name not in gen:
            check(False, "struct %s.%s (offset %d) is not in _generated.py" % (tag, name, offset))
            continue
        _n, kind, count, goffset = gen.pop(name)
        check(goffset == offset, "struct %s.%s: offset %d in DWARF, %d generated"
              % (tag, name, offset, goffset))
        unit = 8 if kind == "ptr" else {"u32": 4, "i32": 4, "u64": 8, "i64": 8, "char": 1}[kind]
        check(unit * count == fsize, "struct %s.%s: %d bytes in DWARF, %d x %d generated"
              % (tag, name, fsize, count, unit))
    for name in gen:
        check(False, "struct %s.%s is generated but not in DWARF" % (tag, name))
    return dict((n, (o, s)) for n, o, s in dwarf)


def enum_values(tag):
    return [(f.name, f.enumval) for f in gdb.lookup_type("enum " + tag).fields()]


def c_string(value):
    return value.string() if int(value) else None


def main():
    arr = compare_struct("arr", g.ARR_FIELDS, g.ARR_SIZE)
    reg = compare_struct("arr_registry", g.REGISTRY_FIELDS, g.REGISTRY_SIZE, ("stats",))
    check(reg["stats"][0] == g.REGISTRY_STATS_OFFSET, "arr_registry.stats offset")
    compare_struct("arr_stats", g.STATS_FIELDS, g.STATS_SIZE)
    check(arr["label"][1] == g.LABEL_MAX, "label length %d vs LABEL_MAX %d"
          % (arr["label"][1], g.LABEL_MAX))
    check(arr["shape"][1] == 8 * g.MAXDIMS, "shape length vs MAXDIMS")
    flags = [(v, n[len("ARR_"):]) for n, v in enum_values("arr_flag")]
    check(tuple(flags) == tuple(g.FLAG_NAMES), "enum arr_flag %r vs %r" % (flags, g.FLAG_NAMES))
    dtypes = dict(enum_values("arr_dtype"))
    check(dtypes["ARR_NDTYPES"] == len(g.DTYPES), "ARR_NDTYPES vs DTYPES")
    ops = dict(enum_values("arr_op"))
    check(ops["ARR_NOPS"] == len(g.OPS), "ARR_NOPS vs OPS")
    op_names = gdb.parse_and_eval("op_names")
    for i, name in enumerate(g.OPS):
        check(c_string(op_names[i]) == name, "op %d: libarr says %r, generated %r"
              % (i, c_string(op_names[i]), name))
    table = gdb.parse_and_eval("dtype_table")
    for i, name in enumerate(g.DTYPES):
        check(c_string(table[i]["name"]) == name, "dtype %d name" % i)
        check(int(table[i]["size"]) == g.DTYPE_SIZES[i], "dtype %d size" % i)


def check_version():
    """The structs' digest must be the one recorded for this layout_version:
    a changed struct needs a new ARR_LAYOUT_VERSION."""
    path = os.path.join(os.environ["ARRDBG_ROOT"], "tests", "gdb", "layout_versions")
    known = {}
    for line in open(path):
        if line.strip() and not line.startswith("#"):
            version, psize, digest = line.split()
            known[(int(version), int(psize))] = digest
    key = (g.LAYOUT_VERSION, g.POINTER_SIZE)
    line = "%d %d %s" % (key + (g.LAYOUT_DIGEST,))
    if key not in known:
        check(False, "layout_version %d has no line in tests/gdb/layout_versions: add '%s'" % (key[0], line))
    elif known[key] != g.LAYOUT_DIGEST:
        check(False, "struct arr/arr_registry/arr_stats changed but layout_version is still %d: "
              "bump ARR_LAYOUT_VERSION in libarr/arr.h and add its line to tests/gdb/layout_versions"
              % key[0])
    else:
        check(True, "")
    check(int(gdb.parse_and_eval("arr_registry.layout_version")) == g.LAYOUT_VERSION,
          "arr_registry.layout_version in the program vs generated")


try:
    main()
    check_version()
except Exception as exc:
    failures.append("%s: %s" % (type(exc).__name__, exc))
for f in failures:
    print("drift: FAIL %s" % f)
if not failures:
    print("drift: ok (%d checks)" % checks[0])
