"""The inferior of the NumPy gdb tests (run by /usr/bin/python3 under gdb).

Builds ndarrays (views, copies, a transpose, a broadcast, other dtypes, a
subclass, arrays over bytes), a few corrupt ndarray headers, and writes what
NumPy itself says about them to TRUTH.json; then stops itself with SIGTRAP
so gdb can look, or (with an extension module built by run.sh) calls into
it so gdb stops at a breakpoint with typed PyArrayObject * arguments.

    /usr/bin/python3 arrays.py TRUTH.json [EXTENSION_DIR]
"""

import ast
import ctypes
import json
import os
import random
import re
import signal
import sys

import numpy as np

PRINT_ELEMENTS = 200  # gdb's default `set print elements`


class Sub(np.ndarray):
    """A subclass: the plugin follows tp_base to numpy.ndarray."""


def tp_name(t):
    """What CPython keeps in tp_name: the bare name for classes made in
    Python (heap types) and builtins, module.name for static C types."""
    if t.__flags__ & (1 << 9) or t.__module__ == "builtins":
        return t.__name__
    return "%s.%s" % (t.__module__, t.__qualname__)


def dtype_name(d):
    if d.names is not None:
        return str(d)   # NumPy's own text: names, formats, offsets
    if d.kind in "SUVMm":
        return d.str.split("[")[0]
    return d.name


def number(x):
    if isinstance(x, (bool, np.bool_)):
        return "true" if x else "false"
    if isinstance(x, (np.floating, float)):
        x = float(x)
        if x != x:
            return "nan"
        if x in (float("inf"), float("-inf")):
            return "inf" if x > 0 else "-inf"
        text = repr(x)
        return text[:-2] if text.endswith(".0") else text
    if isinstance(x, (np.complexfloating, complex)):
        return "%s + %si" % (number(float(x.real)), number(float(x.imag)))
    if isinstance(x, np.void) and x.dtype.names is not None:  # a record: its fields in order
        parts = [number(x[name]) if x.dtype[name].subdtype is None else nested(x[name])
                 for name in x.dtype.names]
        return "(%s)" % (parts[0] + "," if len(parts) == 1 else ", ".join(parts))
    if isinstance(x, (bytes, np.bytes_)):
        return repr(bytes(x))
    if isinstance(x, (str, np.str_)):
        return repr(str(x))
    return str(int(x))


def nested(x):
    if not isinstance(x, np.ndarray):  # x[k] of a 1-d array is a scalar
        return number(x)
    if x.ndim == 0:
        return number(x[()])
    shown = min(x.shape[0], PRINT_ELEMENTS)
    parts = [nested(x[k]) for k in range(shown)]
    if shown < x.shape[0]:
        parts.append("...")
    return "{" + ", ".join(parts) + "}"


def shown(x):
    """What `arr info` lists at gdb's default settings, from NumPy's own
    arrayprint: summarised from PRINT_ELEMENTS elements up (threshold one
    below), 3 edge items per axis, `...` between, gdb's braces.  The arrays
    compared this way have no run of more than 10 equal elements or rows,
    which gdb's `print repeats` would fold."""
    if x.ndim == 0 or x.size == 0:
        return nested(x)
    text = np.array2string(x, max_line_width=1 << 30, threshold=PRINT_ELEMENTS - 1, edgeitems=3,
                           separator=", ", formatter={"all": number})
    return re.sub(r"\n\s*", " ", text).replace("[", "{").replace("]", "}")


def field_text(d):
    """A field's dtype as NumPy writes it in str() of a structured dtype."""
    if d.names is not None:
        return str(d)
    item = ast.literal_eval(str(np.dtype([("x", d)])))[0]
    return "(%r, %r)" % (item[1], item[2]) if len(item) == 3 else item[1]


def data_address(x):
    return x.__array_interface__["data"][0]


def holder(x):
    """The end of x's base chain (x itself when it has no base)."""
    h = x
    while isinstance(h, np.ndarray) and h.base is not None:
        h = h.base
    return h


FLAG_NAMES = (("C_CONTIGUOUS", "c_contiguous"), ("F_CONTIGUOUS", "f_contiguous"),
              ("OWNDATA", "owndata"), ("WRITEABLE", "writeable"), ("ALIGNED", "aligned"),
              ("WRITEBACKIFCOPY", "writebackifcopy"))


def long_double(x):
    """Whether x's elements are long doubles (or complex long doubles)
    wider than a double."""
    return x.dtype.kind in "fc" and x.dtype.itemsize > (8 if x.dtype.kind == "f" else 16)


def describe(x):
    h = holder(x)
    owner_offset = None
    if h is not x and isinstance(h, np.ndarray) and h.flags.owndata:
        owner_offset = data_address(x) - data_address(h)
    return {
        "address": id(x),
        "dtype": dtype_name(x.dtype),
        "itemsize": x.itemsize,
        "shape": list(x.shape),
        "strides": list(x.strides),
        "flags": sorted(name for name, attr in FLAG_NAMES if getattr(x.flags, attr)),
        "owndata": bool(x.flags.owndata),
        "base": id(x.base) if x.base is not None else 0,
        "base_type": tp_name(type(x.base)) if x.base is not None else "",
        "holder": id(h),
        "holder_type": tp_name(type(h)),
        "owner_offset": owner_offset,
        "type": tp_name(type(x)),
        "elements": shown(x) if x.dtype.kind != "O" and not long_double(x) else None,
        "longdouble": [[np.format_float_positional(part, unique=True) for part in
                        ((v,) if x.dtype.kind == "f" else (v.real, v.imag))]
                       for v in x.ravel()] if long_double(x) else None,
        "data": data_address(x),
        "fields": ", ".join("%s %s at %d" % (name, field_text(x.dtype.fields[name][0]),
                                             x.dtype.fields[name][1])
                            for name in x.dtype.names) if x.dtype.names else None,
    }


def corrupt_copies(template, keep):
    """ctypes buffers holding copies of template's header, each broken in
    one way: what arr info must refuse with a short reason."""
    size = 96  # sizeof(PyArrayObject_fields) in NumPy 1.24 on LP64
    word = ctypes.sizeof(ctypes.c_void_p)
    cases = {}

    def fake(name, patch):
        buf = ctypes.create_string_buffer(size)
        ctypes.memmove(buf, id(template), size)
        patch(ctypes.addressof(buf))
        keep.append(buf)
        cases[name] = ctypes.addressof(buf)

    def put_int(offset, value):
        return lambda at: ctypes.c_int.from_address(at + offset).__setattr__("value", value)

    def put_ptr(offset, value):
        return lambda at: ctypes.c_size_t.from_address(at + offset).__setattr__("value", value)

    fake("ndim 1000", put_int(3 * word, 1000))
    fake("unreadable dimensions", put_ptr(4 * word, 8))
    fake("descr is a dict", put_ptr(7 * word, id(keep[0])))
    # Two headers whose bases point at each other: a cycle.
    fake("cycle a", lambda at: None)
    fake("cycle b", lambda at: None)
    ctypes.c_size_t.from_address(cases["cycle a"] + 6 * word).value = cases["cycle b"]
    ctypes.c_size_t.from_address(cases["cycle b"] + 6 * word).value = cases["cycle a"]
    return cases


def chain(x):
    """x and every object on its base chain."""
    out = [x]
    while isinstance(x, np.ndarray) and x.base is not None:
        x = x.base
        out.append(x)
    return out


def views_expected(x, candidates):
    """What `arr views x CANDIDATES` must list: under the holder of x's
    memory, x, the candidates with the same holder and every array on their
    base chains; apart, the candidates with another holder."""
    h = holder(x)
    tree, others = set(), set()
    for c in [x] + list(candidates):
        if holder(c) is h:
            tree.update(id(y) for y in chain(c) if y is not h)
        else:
            others.add(id(c))
    return {"holder": id(h), "tree": sorted(tree), "others": sorted(others - tree)}


def random_views(rng, owner, count):
    """Views of owner made by NumPy's own operations: reinterpreted dtypes,
    reshapes, slices with any step sign, transposes."""
    views = []
    for _ in range(count):
        dt = rng.choice((np.uint8, np.uint16, np.int32, np.float64))
        x = owner.view(dt)
        n = x.shape[0]
        rows = rng.choice([r for r in (1, 2, 4, 8) if n % r == 0])
        x = x.reshape(rows, n // rows)
        index = []
        for d in x.shape:
            step = rng.choice((1, 2, 3, -1, -2))
            start = rng.randrange(d) if rng.random() < 0.3 else (0 if step > 0 else d - 1)
            if step > 0:
                stop = rng.randrange(start + 1, d + 1)
            else:  # down to stop + 1; -1 means through element 0
                stop = rng.randrange(-1, start)
            index.append(slice(start, stop if stop >= 0 else None, step))
        x = x[tuple(index)]
        if rng.random() < 0.3:
            x = x.T
        views.append(x)
    return views


def main():
    truth_path = sys.argv[1]
    keep = [{"a": 1}]
    a = np.arange(12.).reshape(3, 4)
    arrays = {
        "a": a,
        "v": a[1:, ::-2],
        "c": a[1:, ::-2].copy(),
        "t": a.T,
        "b": np.broadcast_to(a[0], (5, 4)),
        "f": np.asfortranarray(np.arange(6, dtype=np.int32).reshape(2, 3)),
        "be": np.arange(5, dtype=">i4"),
        "u": np.array(["ab", "xyz"]),
        "s": np.array([b"q", b"rs"]),
        "z": np.array([1 + 2j, -0.5j], dtype=np.complex64),
        "flags": np.array([True, False, True]),
        "half": np.linspace(0, 1, 5, dtype=np.float16),
        "ld": np.arange(3, dtype=np.longdouble) / 4,
        # Every digit of a long double (float128 on x86-64), not a float's 17:
        # doubles widened, and quotients with all 64 mantissa bits.
        "ldthird": np.array([1/3, 2/3], dtype=np.longdouble),
        "ldseventh": np.array([1, -2, 3e-300], dtype=np.longdouble) / 7,
        "cld": np.array([1/3 + 2/3j, -1e10 - 0.1j], dtype=np.clongdouble) / np.longdouble(3),
        "scalar": np.array(7, dtype=np.uint16),
        "empty": np.zeros((0, 3)),
        "frombytes": np.frombuffer(b"\x01\x02\x03\x04\x05\x06\x07\x08", dtype=np.uint16),
        "sub": np.arange(4.).view(Sub)[::2],
        "subowner": np.zeros(3).view(Sub),
        "objects": np.array([None, 1], dtype=object),
        "wide": np.arange(300),
        "big": np.random.default_rng(28).random((1000, 1000)),
        "image": np.random.default_rng(28).integers(0, 256, (600, 800), dtype=np.uint8),
        "bigview": np.arange(1000000.0).reshape(1000, 1000)[::-7, 5::3],
        # Structured dtypes: packed, aligned (padding), nested with a subarray, a gap.
        "rec": np.array([(1, 2.5, b"ab"), (-3, 0.125, b"c")],
                        dtype=[("a", "<i4"), ("f", "<f8"), ("s", "S2")]),
        "recalign": np.array([(7, 1.5), (8, -2.0)], dtype=np.dtype([("a", "u1"), ("f", "<f8")], align=True)),
        "recnest": np.array([((1, -2), [1.0, 2.5, 3.0]), ((3, 4), [0.0, 1.0, -1.0])],
                            dtype=[("p", [("x", "<i2"), ("y", ">i2")]), ("v", "<f8", (3,))]),
        "recgap": np.zeros(3, dtype={"names": ["u", "b"], "formats": ["<U2", "?"], "offsets": [4, 16],
                                     "itemsize": 24}),
    }
    keep.append(arrays["sub"].base)
    rng = random.Random(20240601)
    owner = np.arange(64, dtype=np.uint8)
    arrays["owner"] = owner
    for k, x in enumerate(random_views(rng, owner, 24)):
        arrays["r%d" % k] = x
    # Bounds overlap but no byte in common: interleaved and disjoint halves.
    arrays["even"] = owner.view(np.uint16)[::2]
    arrays["odd"] = owner.view(np.uint16)[1::2]
    arrays["cols"] = owner.reshape(8, 8)[:, 3:5]
    arrays["cols2"] = owner.reshape(8, 8)[1:, 5:7]
    other = np.arange(16, dtype=np.uint8)
    arrays["other"] = other
    candidates = list(arrays.values())
    pairs = [("a", "v"), ("c", "v"), ("t", "v"), ("b", "v"), ("b", "a"), ("owner", "other"),
             ("frombytes", "a"), ("even", "odd"), ("cols", "cols2"), ("cols", "even"), ("odd", "cols2")]
    names = ["r%d" % k for k in range(24)]
    for k in range(len(names)):
        for j in range(k + 1, len(names)):
            if rng.random() < 0.35:
                pairs.append((names[k], names[j]))
    truth = {
        "numpy": np.__version__,
        "arrays": {name: describe(x) for name, x in arrays.items()},
        "shares": [[p, q, bool(np.shares_memory(arrays[p], arrays[q])),
                    bool(np.may_share_memory(arrays[p], arrays[q]))] for p, q in pairs],
        "not_arrays": {"dict": id(keep[0]), "int": id(123456789), "list": id(candidates)},
        "candidates": id(candidates),
        "views": {name: views_expected(arrays[name], candidates) for name in ("a", "owner", "sub", "c")},
        "corrupt": corrupt_copies(a, keep),
    }
    keep.append(tuple(arrays[name] for name in ("t", "other", "frombytes")))
    truth["candidates_tuple"] = id(keep[-1])
    truth["views_tuple"] = views_expected(a, keep[-1])
    truth["dumped"] = ["v", "t", "be", "u", "s", "z", "flags", "half", "ld", "scalar", "empty", "bigview"]
    np.savez(truth_path + ".want.npz", **{name: arrays[name] for name in truth["dumped"]})
    with open(truth_path + ".tmp", "w") as f:
        json.dump(truth, f)
    os.rename(truth_path + ".tmp", truth_path)
    if len(sys.argv) > 2:
        sys.path.insert(0, sys.argv[2])
        import arrdbg_np_ext
        arrdbg_np_ext.spot(arrays["v"], arrays["a"], keep[0])
    else:
        os.kill(os.getpid(), signal.SIGTRAP)
    print("arrays.py: done")


main()
