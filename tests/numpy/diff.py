#!/usr/bin/python3
"""Differential test of libarr against NumPy.

Generates random sequences of array operations (creation, slicing,
transposing, reshaping, broadcasting, copying, writing, freeing), runs each
sequence both in NumPy (the model below) and in libarr (the C driver
tests/numpy/arrdiff, which prints one JSON line per command), and compares
every result field by field: shape, strides, offset into the owner's buffer,
flags, is-view, owner identity, values, sums, both sharing answers, and
whether the operation failed at all.

Run it with /usr/bin/python3 (Debian's python3-numpy):
    diff.py --driver build/tests/numpy/arrdiff [--seed N] [--cases N]
    diff.py --driver ... --replay FILE      one script, every difference shown
    diff.py --driver ... --regress FILE     hand-written scripts, then random ones
The script language is described at the top of arrdiff.c.

Where libarr deliberately differs from NumPy in form but not in meaning, the
model normalises NumPy's answer, and says so where it does it:
  * libarr returns a new handle for everything: where NumPy returns the input
    itself (ascontiguousarray of a C-contiguous array, squeeze without unit
    axes), the model takes a view;
  * NumPy's reshape that has to copy returns a view of a hidden temporary;
    libarr returns the copy itself (an owner), so the model does too;
  * NumPy gives a scalar, not a 0-d view, for a[i, j] indexing every axis;
    the model indexes as a[i, j, ...], which NumPy defines as that view.
"""

import argparse
import json
import os
import random
import re
import shlex
import subprocess
import sys
import time
import warnings

try:
    import numpy as np
except ImportError:
    sys.exit("diff.py: NumPy is missing: run it with /usr/bin/python3 "
             "(Debian's python3-numpy), not %s" % sys.executable)

DTYPES = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
          "uint64", "float32", "float64", "complex64", "complex128"]
COMPLEX = ("complex64", "complex128")
# Every value the tests write is an integer in [0, MAX_VALUE]: exact in every
# dtype, so every cast agrees between NumPy and libarr.
MAX_VALUE = 100
MAX_ELEMENTS = 256


class ScriptError(Exception):
    """The script itself is malformed (not an operation that fails)."""


class OpFailed(Exception):
    """The operation fails in the model for a reason NumPy has no exception
    for (a slice string that does not parse, a reshape that would copy);
    code is the libarr error it must give."""

    def __init__(self, message, code):
        super().__init__(message)
        self.code = code


def expected_error_codes(exc):
    """The libarr codes that mean the same as NumPy's exception, or None
    where arr.h leaves the choice open."""
    text = str(exc)
    if isinstance(exc, OpFailed):
        return [exc.code]
    if isinstance(exc, np.AxisError):
        return ["EINVAL"]  # arr.h: "bad axis" is EINVAL
    if isinstance(exc, IndexError):
        return ["EINDEX"]
    if isinstance(exc, MemoryError):
        return ["ENOMEM"]
    if isinstance(exc, ValueError):
        if "read-only" in text:
            return ["EREADONLY"]
        if "axes don't match array" in text:
            return ["EINVAL"]
        if "broadcast" in text and "non-negative" not in text or "cannot reshape" in text:
            return ["ESHAPE"]
    return None


# NumPy's exceptions that mean "this operation is an error".
OP_ERRORS = (ValueError, IndexError, TypeError, ZeroDivisionError, MemoryError, OpFailed)

INT_RE = re.compile(r"^[+-]?\d+$")


def parse_int_token(text):
    if not INT_RE.match(text):
        raise OpFailed("not an integer: %r" % text, "ESYNTAX")
    return int(text)


def parse_slice_spec(spec):
    """A slice string as Python would read it inside a[...]: a tuple of
    slice / int / None / Ellipsis.  Raises OpFailed when it does not parse."""
    if spec.strip() == "":
        return ()
    items = []
    for raw in spec.split(","):
        item = raw.strip()
        if item == "...":
            items.append(Ellipsis)
        elif item in ("None", "newaxis"):
            items.append(None)
        elif ":" in item:
            parts = [p.strip() for p in item.split(":")]
            if len(parts) > 3:
                raise OpFailed("too many ':' in %r" % item, "ESYNTAX")
            values = [None if p == "" else parse_int_token(p) for p in parts]
            while len(values) < 3:
                values.append(None)
            items.append(slice(*values))
        else:
            items.append(parse_int_token(item))
    return tuple(items)


def shares_within(a, b, max_work):
    """np.shares_memory with a work bound, as libarr answers it: NumPy's
    TooHardError is libarr's ARR_SHARES_TOO_HARD (2)."""
    try:
        return int(np.shares_memory(a, b, max_work=max_work))
    except np.TooHardError:
        return 2


def flags_string(a):
    f = a.flags
    return (("C" if f.c_contiguous else "") + ("F" if f.f_contiguous else "")
            + ("O" if f.owndata else "") + ("W" if f.writeable else ""))


def ultimate_base(a):
    while isinstance(a.base, np.ndarray):
        a = a.base
    return a


def data_address(a):
    return a.__array_interface__["data"][0]


class Model:
    """Runs the script language in NumPy and returns, for each command, the
    dict the C driver should print."""

    def __init__(self):
        self.arrays = {}   # live name -> ndarray
        self.dead = set()  # names libarr still holds as orphans
        self.undefined = set()  # names made by `empty` and not yet written

    # -- helpers ---------------------------------------------------------
    def get(self, name):
        if name not in self.arrays:
            raise ScriptError("unknown or freed array %r" % name)
        return self.arrays[name]

    def owner_of(self, a):
        base = ultimate_base(a)
        for name, arr in self.arrays.items():
            if arr is base:
                return name, base
        return "?", base

    def describe(self, name):
        a = self.arrays[name]
        owner_name, owner = self.owner_of(a)
        out = {"ok": 1, "dtype": a.dtype.name, "shape": list(a.shape),
               "strides": list(a.strides),
               "offset": data_address(a) - data_address(owner),
               "flags": flags_string(a), "is_view": int(a.base is not None),
               "owner": owner_name}
        if self.has_undefined_values(a):
            out["values"] = None  # uninitialised memory: nothing to compare
            return out
        out["values"] = [float(v) for v in np.real(a).ravel(order="C")]
        if a.dtype.name in COMPLEX:
            out["imag"] = [float(v) for v in np.imag(a).ravel(order="C")]
        total = a.sum()
        out["sum"] = float(np.real(total))
        out["sum_imag"] = float(np.imag(total))
        return out

    def has_undefined_values(self, a):
        base = ultimate_base(a)
        return any(self.arrays.get(n) is base for n in self.undefined)

    def owner_name_of(self, name):
        return self.owner_of(self.arrays[name])[0]

    # -- the interpreter --------------------------------------------------
    def execute(self, line):
        """Returns the expected output dict, or None for lines without one."""
        tokens = line.split()
        if not tokens or tokens[0].startswith("#"):
            return None
        if tokens[0] == "seq":
            return None
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # ComplexWarning on casts
                return self._execute(line, tokens)
        except OP_ERRORS as exc:
            return {"ok": 0, "exc": "%s: %s" % (type(exc).__name__, exc),
                    "codes": expected_error_codes(exc)}

    def _execute(self, line, tokens):
        if len(tokens) >= 3 and tokens[1] == "=":
            name = tokens[0]
            if name in self.arrays:
                raise ScriptError("name %r is already live" % name)
            result, undefined = self._make(line, tokens[2], tokens[3:])
            if not isinstance(result, np.ndarray):
                raise ScriptError("model produced %r, not an array" % type(result))
            if len(tokens) > 3 and result is self.arrays.get(tokens[3]):
                # NumPy hands back the input itself (squeeze without unit
                # axes, ascontiguousarray of a C-contiguous array); libarr
                # returns a new handle, a view.
                result = result.view()
            self.arrays[name] = result
            self.dead.discard(name)
            if undefined:
                self.undefined.add(name)
            return self.describe(name)
        cmd, args = tokens[0], tokens[1:]
        if cmd == "end":
            self.arrays.clear()
            self.dead.clear()
            self.undefined.clear()
            return {"ok": 1, "end": 1, "free_failures": 0, "live_owners": 0,
                    "live_views": 0, "live_orphans": 0, "live_bytes": 0}
        if cmd == "copyto" and len(args) == 2:
            dst, src = self.get(args[0]), self.get(args[1])
            np.copyto(dst, src, casting="unsafe")
            self.mark_written(args[0])
            return {"ok": 1}
        if cmd == "fill" and len(args) == 2:
            a = self.get(args[0])
            a.fill(float(args[1]))
            self.mark_written(args[0])
            return {"ok": 1}
        if cmd == "set" and len(args) >= 2:
            a = self.get(args[0])
            if len(args) - 2 != a.ndim:
                raise ScriptError("set needs %d indices" % a.ndim)
            index = tuple(int(t) for t in args[2:])
            a[index] = float(args[1])
            return {"ok": 1}
        if cmd == "dump" and len(args) == 1:
            self.get(args[0])
            return self.describe(args[0])
        if cmd == "free" and len(args) == 1:
            self.free(args[0])
            return {"ok": 1}
        if cmd == "shares" and len(args) == 2:
            a, b = self.get(args[0]), self.get(args[1])
            return {"ok": 1, "may_share": int(np.may_share_memory(a, b)),
                    "shares": int(np.shares_memory(a, b)),
                    "shares_bounds": shares_within(a, b, 0)}
        if cmd == "equal" and len(args) == 2:
            a, b = self.get(args[0]), self.get(args[1])
            return {"ok": 1, "equal": int(np.array_equal(a, b))}
        raise ScriptError("cannot understand %r" % line)

    def mark_written(self, name):
        # A write through any array that covers its whole owner defines the
        # owner's values; partial writes leave them undefined.
        a = self.arrays[name]
        base = ultimate_base(a)
        if a.size == base.size and a.size > 0 and not self.has_zero_stride(a):
            for n in list(self.undefined):
                if self.arrays.get(n) is base:
                    self.undefined.discard(n)

    @staticmethod
    def has_zero_stride(a):
        return any(s == 0 and d > 1 for s, d in zip(a.strides, a.shape))

    def free(self, name):
        a = self.get(name)
        owner_name = self.owner_of(a)[0]
        del self.arrays[name]
        self.dead.add(name)
        if owner_name == name:
            # libarr releases the buffer now: its views become orphans, which
            # NumPy has no notion of, so the scripts never use them again.
            for n in [n for n, v in self.arrays.items() if ultimate_base(v) is a]:
                del self.arrays[n]
                self.dead.add(n)

    def _make(self, line, op, args):
        """Returns (ndarray, values_undefined)."""
        def dims(tokens):
            try:
                return tuple(int(t) for t in tokens)
            except ValueError:
                raise ScriptError("bad dimensions %r" % tokens)

        def dtype(text):
            if text not in DTYPES:
                raise ScriptError("bad dtype %r" % text)
            return np.dtype(text)

        if op == "arange":
            if len(args) != 4:
                raise ScriptError("usage: arange START STOP STEP DTYPE")
            start, stop, step = (float(t) for t in args[:3])
            return np.arange(start, stop, step, dtype=dtype(args[3])), False
        if op in ("zeros", "empty"):
            fn = np.zeros if op == "zeros" else np.empty
            return fn(dims(args[1:]), dtype=dtype(args[0])), op == "empty"
        if op == "full":
            return np.full(dims(args[2:]), float(args[1]), dtype=dtype(args[0])), False

        if not args:
            raise ScriptError("%s needs a source" % op)
        a = self.get(args[0])
        rest = args[1:]
        if op == "view" and not rest:
            return a.view(), False
        if op == "slice":
            match = re.match(r"\s*\S+\s+=\s+\S+\s+\S+\s*(.*)$", line)
            index = parse_slice_spec(match.group(1))
            int_count = sum(1 for i in index if type(i) is int)
            if Ellipsis not in index and int_count == a.ndim:
                index = index + (Ellipsis,)  # a 0-d view, not a scalar
            return a[index], False
        if op == "reshape" and rest and rest[0] in ("never", "ifneeded"):
            result = a.reshape(dims(rest[1:]), order="C")
            if ultimate_base(result) is not ultimate_base(a):
                if rest[0] == "never":
                    raise OpFailed("reshape needs a copy", "ECOPY")
                result = np.array(result, order="C", copy=True)  # the copy is the owner
            return result, False
        if op == "transpose":
            if rest == ["-"]:
                return a.transpose(), False
            if len(rest) > 32:
                raise ScriptError("transpose takes at most 32 axes")
            return a.transpose(dims(rest)), False
        if op == "swapaxes" and len(rest) == 2:
            return a.swapaxes(int(rest[0]), int(rest[1])), False
        if op == "squeeze" and len(rest) == 1:
            return (a.squeeze() if rest[0] == "all" else a.squeeze(axis=int(rest[0]))), False
        if op == "flip" and len(rest) == 1:
            if rest[0] == "all":
                # np.flip(a) of a 0-d array is a scalar; this is its view form.
                return a[(slice(None, None, -1),) * a.ndim + (Ellipsis,)], False
            return np.flip(a, int(rest[0])), False
        if op == "expand_dims" and len(rest) == 1:
            return np.expand_dims(a, int(rest[0])), False
        if op == "broadcast_to":
            return np.broadcast_to(a, dims(rest)), False
        if op == "diagonal" and len(rest) == 3:
            return a.diagonal(int(rest[0]), int(rest[1]), int(rest[2])), False
        if op == "copy" and len(rest) == 1:
            return a.copy(order=rest[0]), False
        if op in ("ascontiguous", "asfortran") and not rest:
            fn = np.ascontiguousarray if op == "ascontiguous" else np.asfortranarray
            return fn(a), False
        if op == "astype" and len(rest) == 1:
            return a.astype(dtype(rest[0])), False
        raise ScriptError("unknown operation or bad arguments: %r" % line)


# ---------------------------------------------------------------------------
# Random scripts

def broadcasts(src_shape, dst_shape):
    """Whether src_shape broadcasts to dst_shape (as np.copyto needs)."""
    if len(src_shape) > len(dst_shape):
        return False
    return all(s in (1, d) for s, d in zip(reversed(src_shape), reversed(dst_shape)))


def max_value(a):
    return int(np.abs(a).max()) if a.size else 0


def dtype_holds(name, value):
    """Whether every integer in [0, value] converts exactly to dtype name
    (bool: any value is fine, nonzero is True on both sides)."""
    if name == "bool":
        return True
    if name.startswith(("float", "complex")):
        return value <= (2 ** 24 if name in ("float32", "complex64") else 2 ** 53)
    return value <= np.iinfo(name).max


class Generator:
    """Random operation sequences, mostly valid, some deliberately not.  It
    consults the model as it goes, so parameters fit the arrays' shapes."""

    def __init__(self, rng):
        self.rng = rng

    def sequence(self, seq_id, nops):
        model = Model()
        lines = ["seq %d" % seq_id]
        counter = [0]

        def new_name():
            counter[0] += 1
            return "a%d" % counter[0]

        def emit(line):
            model.execute(line)
            lines.append(line)

        for _ in range(self.rng.randint(1, 3)):
            self.create(emit, new_name, model)
        for _ in range(nops):
            if not model.arrays:
                self.create(emit, new_name, model)
                continue
            self.random_op(emit, new_name, model)
        lines.append("end")
        return lines

    # -- creation -----------------------------------------------------------
    def small_shape(self, max_ndim=4, limit=48):
        r = self.rng
        ndim = r.choice([0, 1, 1, 2, 2, 2, 3, 3, 4][: max_ndim * 2 + 1])
        shape = []
        for _ in range(ndim):
            shape.append(r.choice([0, 1, 1, 2, 2, 3, 3, 4, 5]) if r.random() < 0.95 else -1)
        total = 1
        for d in shape:
            total *= max(d, 1)
        if total > limit:
            return self.small_shape(max_ndim, limit)
        return shape

    def create(self, emit, new_name, model):
        r = self.rng
        dt = r.choice(DTYPES)
        kind = r.random()
        name = new_name()
        if kind < 0.03:
            # A big one, for the copy kernels' blocked and tiled paths; its
            # values need at least 16 bits.
            count = r.choice([64 * 64, 96 * 40, 129 * 31, 1000, 2048, 4999, 30000])
            dt = r.choice([d for d in DTYPES if dtype_holds(d, count)])
            emit("%s = arange 0 %d 1 %s" % (name, count, dt))
            return
        if kind < 0.55:
            count = r.choice([0, 1, 2, 3, 4, 6, 8, 12, 24, 24, 24, 36, 48])
            step = r.choice([1, 1, 1, 2, -1, -2])
            if step > 0:
                start = r.randint(0, 5)
                stop = start + count * step - r.choice([0, 0, step - 1 if step > 1 else 0])
            else:
                start = (count - 1) * -step + r.randint(0, 5) if count else r.randint(0, 5)
                stop = start + count * step
            if max(start, stop) > MAX_VALUE:
                start, stop, step = 0, count, 1
            if dt == "bool" and r.random() < 0.8:
                dt = "uint8"  # bool ranges beyond 2 values are errors in NumPy
            emit("%s = arange %d %d %d %s" % (name, start, stop, step, dt))
            return
        shape = " ".join(str(d) for d in self.small_shape())
        if kind < 0.75:
            emit("%s = zeros %s %s" % (name, dt, shape))
        elif kind < 0.9:
            emit("%s = full %s %d %s" % (name, dt, r.randint(0, MAX_VALUE), shape))
        else:
            emit("%s = empty %s %s" % (name, dt, shape))
            if name in model.arrays:
                emit("fill %s %d" % (name, r.randint(0, MAX_VALUE)))

    # -- operations -----------------------------------------------------------
    def pick(self, model):
        names = list(model.arrays)
        # Favour recent arrays: long chains of views of views.
        if self.rng.random() < 0.6:
            return names[-1 - int(self.rng.random() ** 2 * min(len(names), 4))]
        return self.rng.choice(names)

    def axis(self, ndim, extra=0):
        """Usually a valid axis for ndim (+extra), sometimes out of range."""
        n = ndim + extra
        if self.rng.random() < 0.9 and n > 0:
            return self.rng.randint(-n, n - 1)
        return self.rng.choice([n, -n - 1, n + 3])

    def random_op(self, emit, new_name, model):
        r = self.rng
        src = self.pick(model)
        a = model.arrays[src]
        ops = [("slice", 24), ("reshape", 10), ("transpose", 6), ("swapaxes", 3),
               ("squeeze", 3), ("expand_dims", 4), ("flip", 4), ("broadcast_to", 5),
               ("diagonal", 4), ("copy", 5), ("ascontiguous", 3), ("asfortran", 3),
               ("astype", 3), ("view", 1), ("copyto", 5), ("fill", 2), ("set", 4),
               ("dump", 4), ("shares", 8), ("equal", 2), ("free", 2), ("create", 3)]
        op = r.choices([o for o, _ in ops], [w for _, w in ops])[0]
        if a.ndim >= 6 and op in ("expand_dims", "broadcast_to"):
            op = "slice"
        if op == "diagonal" and a.ndim < 2 and r.random() < 0.85:
            op = "transpose"
        name = new_name()
        if op == "create":
            self.create(emit, lambda: name, model)
        elif op == "slice":
            emit("%s = slice %s %s" % (name, src, self.slice_spec(a)))
        elif op == "reshape":
            emit("%s = reshape %s %s %s" % (name, src, r.choice(["never", "ifneeded"]),
                                           " ".join(map(str, self.new_shape(a.size)))))
        elif op == "transpose":
            if r.random() < 0.4 or a.ndim == 0:
                emit("%s = transpose %s -" % (name, src))
            else:
                perm = list(range(a.ndim))
                r.shuffle(perm)
                if r.random() < 0.1:
                    perm[r.randrange(a.ndim)] = r.choice([perm[0], a.ndim, -1])
                elif r.random() < 0.3:
                    perm = [p - a.ndim if r.random() < 0.5 else p for p in perm]
                elif r.random() < 0.15:  # the wrong number of axes
                    perm = perm[:-1] if r.random() < 0.5 else perm + [r.randrange(a.ndim)]
                emit("%s = transpose %s %s" % (name, src, " ".join(map(str, perm))))
        elif op == "swapaxes":
            emit("%s = swapaxes %s %d %d" % (name, src, self.axis(a.ndim), self.axis(a.ndim)))
        elif op == "squeeze":
            ones = [i for i, d in enumerate(a.shape) if d == 1]
            if r.random() < 0.4:
                emit("%s = squeeze %s all" % (name, src))
            else:
                ax = r.choice(ones) if ones and r.random() < 0.8 else self.axis(a.ndim)
                emit("%s = squeeze %s %d" % (name, src, ax))
        elif op == "expand_dims":
            emit("%s = expand_dims %s %d" % (name, src, self.axis(a.ndim, 1)))
        elif op == "flip":
            which = "all" if r.random() < 0.3 else str(self.axis(a.ndim))
            emit("%s = flip %s %s" % (name, src, which))
        elif op == "broadcast_to":
            emit("%s = broadcast_to %s %s" % (name, src, " ".join(map(str, self.broadcast_shape(a.shape)))))
        elif op == "diagonal":
            a1 = self.axis(a.ndim)
            a2 = self.axis(a.ndim) if r.random() < 0.3 else (a1 + r.randint(1, max(a.ndim - 1, 1))) % max(a.ndim, 1)
            emit("%s = diagonal %s %d %d %d" % (name, src, r.randint(-4, 4), a1, a2))
        elif op == "copy":
            emit("%s = copy %s %s" % (name, src, r.choice("CFAK" * 6 + "X")))
        elif op in ("ascontiguous", "asfortran", "view"):
            emit("%s = %s %s" % (name, op, src))
        elif op == "astype":
            top = max_value(a)
            emit("%s = astype %s %s" % (name, src,
                                        r.choice([d for d in DTYPES if dtype_holds(d, top)])))
        elif op == "copyto":
            fits = [n for n, v in model.arrays.items() if broadcasts(v.shape, a.shape)
                    and dtype_holds(a.dtype.name, max_value(v))]
            if fits and r.random() < 0.8:
                emit("copyto %s %s" % (src, r.choice(fits)))  # often overlapping
            else:
                emit("copyto %s %s" % (self.pick(model), src))
            emit("dump %s" % self.pick(model))
        elif op == "fill":
            emit("fill %s %d" % (src, r.randint(0, MAX_VALUE)))
            emit("dump %s" % self.pick(model))
        elif op == "set":
            index = [r.randint(-d, d - 1) if d and r.random() < 0.9 else r.choice([d, -d - 1])
                     for d in a.shape]
            emit(" ".join(["set", src, str(r.randint(0, MAX_VALUE))] + [str(i) for i in index]))
            emit("dump %s" % self.pick(model))
        elif op == "dump":
            emit("dump %s" % src)
        elif op == "shares":
            same_owner = [n for n in model.arrays
                          if ultimate_base(model.arrays[n]) is ultimate_base(a)]
            other = r.choice(same_owner) if r.random() < 0.8 else self.pick(model)
            emit("shares %s %s" % (src, other))
        elif op == "equal":
            same_shape = [n for n in model.arrays if model.arrays[n].shape == a.shape]
            emit("equal %s %s" % (src, r.choice(same_shape)))
        elif op == "free":
            emit("free %s" % src)

    def slice_spec(self, a):
        r = self.rng
        if r.random() < 0.03:
            return r.choice(["1:2:3:4", "x", "1,,2", "1.5", "--1", ": :", "...,...",
                             "0:3:0", "::0", "None:2", "1 2", "[1]"])
        shape = list(a.shape)
        nitems = r.randint(0, len(shape))
        if r.random() < 0.04:
            nitems = len(shape) + 1 + r.randint(0, 1)  # perhaps too many indices
        items = []
        axis = 0
        used_ellipsis = False
        for _ in range(nitems):
            dim = shape[axis] if 0 <= axis < len(shape) else 1
            k = r.random()
            if k < 0.12:
                items.append(r.choice(["None", "None", "newaxis"]))
                continue
            if k < 0.17 and (not used_ellipsis or r.random() < 0.1):
                items.append("...")
                used_ellipsis = True
                axis = len(shape) - (nitems - len(items))
                continue
            if k < 0.35:
                if dim > 0 and r.random() < 0.9:
                    items.append(str(r.randint(-dim, dim - 1)))
                else:
                    items.append(str(r.choice([dim, -dim - 1, dim + 2])))
            else:
                items.append(self.slice_item(dim))
            axis += 1
        sep = r.choice([", ", ",", " , "])
        return sep.join(items)

    def slice_item(self, dim):
        r = self.rng

        def bound():
            if r.random() < 0.35:
                return ""
            if r.random() < 0.15:
                return str(r.choice([dim + r.randint(1, 5), -dim - r.randint(1, 5)]))
            return str(r.randint(-dim, dim)) if dim else str(r.randint(-2, 2))

        step = r.choice(["", "", "", "1", "2", "3", "-1", "-1", "-2", "-3"])
        start, stop = bound(), bound()
        if step == "" and r.random() < 0.5:
            return "%s:%s" % (start, stop)
        return "%s:%s:%s" % (start, stop, step)

    def new_shape(self, size):
        r = self.rng
        factors = []
        n = size
        for p in (2, 3, 5, 7, 11, 13):
            while n and n % p == 0:
                factors.append(p)
                n //= p
        if n > 1:
            factors.append(n)
        r.shuffle(factors)
        ndim = r.randint(1, 4) if factors else r.randint(0, 3)
        shape = [1] * ndim
        for f in factors:
            shape[r.randrange(ndim)] *= f
        if size == 0:
            shape = [r.choice([0, 1, 2, 3]) for _ in range(max(ndim, 1))]
            if 0 not in shape:
                shape[r.randrange(len(shape))] = 0
        for _ in range(r.choice([0, 0, 0, 1, 2])):
            if len(shape) < 6:
                shape.insert(r.randint(0, len(shape)), 1)
        k = r.random()
        if shape and k < 0.3:
            shape[r.randrange(len(shape))] = -1
        elif k < 0.35 and shape:
            shape[r.randrange(len(shape))] += r.choice([1, -1, -2])  # wrong size, or -1/-2
        elif k < 0.37 and len(shape) >= 2:
            shape[0] = shape[1] = -1
        return shape

    def broadcast_shape(self, shape):
        r = self.rng
        out = []
        for d in shape:
            if d == 1 and r.random() < 0.6:
                out.append(r.choice([0, 1, 2, 3, 4]))
            else:
                out.append(d)
        for _ in range(r.choice([0, 0, 1, 1, 2])):
            out.insert(0, r.choice([0, 1, 2, 3]))
        if out and r.random() < 0.06:
            i = r.randrange(len(out))
            out[i] = r.choice([out[i] + 1, 2, -1])  # usually does not broadcast
        if r.random() < 0.03 and len(out) > 0:
            out = out[1:]  # fewer dims than the source
        total = 1
        for d in out:
            total *= max(d, 1)
        if total > MAX_ELEMENTS:
            return list(shape)
        return out


# ---------------------------------------------------------------------------
# Comparison

ARRAY_FIELDS = ["dtype", "shape", "strides", "offset", "flags", "is_view", "owner",
                "values", "imag", "sum", "sum_imag"]
OTHER_FIELDS = ["may_share", "shares", "shares_bounds", "equal", "free_failures",
                "live_owners", "live_views", "live_orphans", "live_bytes"]


def compare(expected, actual):
    """The names of the fields where libarr's answer differs from NumPy's."""
    if actual is None:
        return ["no output (driver crashed?)"]
    if "script_error" in actual:
        return ["script_error"]
    if expected["ok"] != actual.get("ok"):
        return ["fails" if expected["ok"] else "succeeds"]
    if not expected["ok"]:
        if actual.get("err") == "OK":
            return ["error code unset"]
        if expected.get("codes") and actual.get("err") not in expected["codes"]:
            return ["error code"]
        return []
    diffs = []
    if "dtype" in expected:
        for field in ARRAY_FIELDS:
            if field not in expected:
                continue
            if field in ("values", "sum", "sum_imag", "imag") and expected.get("values") is None:
                continue
            if expected[field] != actual.get(field):
                diffs.append(field)
        if actual.get("internal"):
            diffs.append("internal")
    else:
        for field in OTHER_FIELDS:
            if field in expected and expected[field] != actual.get(field):
                diffs.append(field)
    return diffs


def command_of(line):
    tokens = line.split()
    if len(tokens) >= 3 and tokens[1] == "=":
        return tokens[2]
    return tokens[0]


def expected_outputs(lines):
    """Runs a sequence in the model: [(line, expected dict)] for the lines
    that produce output."""
    model = Model()
    out = []
    for line in lines:
        expected = model.execute(line)
        if expected is not None:
            out.append((line, expected))
    return out


WRAPPER = []  # a command to run the driver under (--wrapper), e.g. valgrind


def run_driver(driver, lines, timeout):
    """Runs the driver on lines; returns (parsed outputs, status text)."""
    env = dict(os.environ)
    # Under ASan, an impossible allocation must fail like malloc does (libarr
    # then reports ENOMEM), not abort the process.
    env.setdefault("ASAN_OPTIONS", "allocator_may_return_null=1")
    try:
        proc = subprocess.run(WRAPPER + [driver], input="\n".join(lines) + "\n", capture_output=True,
                              text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return [], "timed out after %d s" % timeout
    outputs = []
    for text in proc.stdout.splitlines():
        try:
            outputs.append(json.loads(text))
        except ValueError:
            outputs.append({"script_error": "unparsable output: %r" % text[:200]})
    status = ""
    if proc.returncode < 0:
        status = "killed by signal %d" % -proc.returncode
    elif proc.returncode not in (0, 2):
        status = "exit status %d" % proc.returncode
    # ASan's note that an impossible allocation failed is expected (it is
    # how libarr's ENOMEM path is reached); anything else on stderr is not.
    stderr = "\n".join(l for l in proc.stderr.splitlines()
                       if "AddressSanitizer failed to allocate" not in l).strip()
    if stderr:
        status += (" " if status else "") + "stderr: " + stderr[:3000]
    return outputs, status


class Tally:
    def __init__(self):
        self.cases = 0
        self.arrays = 0
        self.errors = 0
        self.shares = 0
        self.mismatches = 0
        self.kinds = {}          # signature -> count
        self.examples = {}       # signature -> (lines, index) of the shortest one
        self.error_pairs = {}    # (NumPy exception, libarr code) -> count
        self.process_failures = []  # status texts of drivers that ended badly

    def record_process_failure(self, status):
        self.cases += 1
        self.mismatches += 1
        signature = "driver process: " + status.splitlines()[0][:300]
        self.kinds[signature] = self.kinds.get(signature, 0) + 1
        self.process_failures.append(status)

    def record(self, lines, pairs, outputs, status):
        """Compares one sequence; returns True when it matched throughout."""
        clean = True
        first = None  # the first mismatch: the later ones often follow from it
        for i, (line, expected) in enumerate(pairs):
            actual = outputs[i] if i < len(outputs) else None
            diffs = compare(expected, actual)
            if actual is None and status:
                diffs = ["driver " + status]
            self.cases += 1
            if expected["ok"] and "dtype" in expected:
                self.arrays += 1
            elif not expected["ok"]:
                self.errors += 1
                if actual is not None and not actual.get("ok", 1):
                    key = (expected["exc"].split(":")[0], actual.get("err"))
                    self.error_pairs[key] = self.error_pairs.get(key, 0) + 1
            elif "shares" in expected:
                self.shares += 1
            if diffs:
                self.mismatches += 1
                clean = False
                signature = "%s: %s" % (command_of(line), ", ".join(diffs))
                if first:
                    signature = "(after %s) %s" % (first, signature)
                elif command_of(line) not in ("shares", "equal", "dump"):
                    # Queries change nothing; anything else may put the two
                    # sides in different states.
                    first = "`%s` %s" % (command_of(line), ", ".join(diffs))
                self.kinds[signature] = self.kinds.get(signature, 0) + 1
                old = self.examples.get(signature)
                if old is None or len(old[0]) > len(lines):
                    self.examples[signature] = (lines, i)
            if actual is None:
                break  # the rest of this sequence never ran
        return clean


def dependency_slice(lines, target_index):
    """The lines the output at target_index depends on: the ones that made
    the arrays it names and the writes through those names.  Only a guess at
    a smaller reproduction: the caller re-runs it before showing it."""
    output_lines = [l for l in lines
                    if l.split() and l.split()[0] != "seq" and not l.lstrip().startswith("#")]
    target = output_lines[target_index]
    tokens = target.split()
    if tokens[0] == "end":
        return lines
    if len(tokens) >= 4 and tokens[1] == "=":
        needed = {tokens[3]}
    elif tokens[0] in ("copyto", "shares", "equal"):
        needed = set(tokens[1:3])
    else:
        needed = set(tokens[1:2])
    keep = [target]
    for line in reversed(output_lines[:target_index]):
        t = line.split()
        if len(t) >= 3 and t[1] == "=":
            if t[0] in needed:
                keep.append(line)
                if len(t) >= 4 and t[2] not in ("arange", "zeros", "empty", "full"):
                    needed.add(t[3])
        elif t[0] in ("copyto", "fill", "set") and needed.intersection(
                t[1:3] if t[0] == "copyto" else t[1:2]):
            keep.append(line)
            needed.update(t[1:3] if t[0] == "copyto" else t[1:2])
    keep.reverse()
    return [lines[0]] + keep + ["end"]


def still_fails(driver, lines, timeout):
    try:
        pairs = expected_outputs(lines)
    except ScriptError:
        return False
    outputs, status = run_driver(driver, lines, timeout)
    return any(compare(e, outputs[i] if i < len(outputs) else None)
               for i, (_, e) in enumerate(pairs))


def show_mismatch(driver, lines, index, timeout, out):
    pairs = expected_outputs(lines)
    smaller = dependency_slice(lines, index)
    if len(smaller) < len(lines) and still_fails(driver, smaller, timeout):
        lines = smaller
        pairs = expected_outputs(lines)
    outputs, status = run_driver(driver, lines, timeout)
    out.write("  sequence:\n")
    for line in lines:
        out.write("    %s\n" % line)
    for i, (line, expected) in enumerate(pairs):
        actual = outputs[i] if i < len(outputs) else None
        diffs = compare(expected, actual)
        if diffs:
            out.write("  at `%s`: %s differ\n" % (line, ", ".join(diffs)))
            out.write("    numpy : %s\n" % brief(expected))
            out.write("    libarr: %s\n" % brief(actual))
            break
    if status:
        out.write("  driver: %s\n" % status)
    return lines


def brief(d):
    if d is None:
        return "(nothing)"
    d = dict(d)
    for key in ("values", "imag"):
        if isinstance(d.get(key), list) and len(d[key]) > 24:
            d[key] = d[key][:24] + ["... %d more" % (len(d[key]) - 24)]
    return json.dumps(d)


def read_script(path):
    """Splits a script file into sequences (lists of lines, seq ... end)."""
    try:
        with open(path) as f:
            text = f.read()
    except OSError as exc:
        sys.exit("diff.py: cannot read %s: %s" % (path, exc.strerror))
    sequences, current = [], None
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip()
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        word = line.split()[0]
        if word == "seq":
            if current is not None:
                sys.exit("diff.py: %s:%d: 'seq' inside a sequence" % (path, number))
            current = [line]
        elif current is None:
            sys.exit("diff.py: %s:%d: command outside 'seq' ... 'end'" % (path, number))
        else:
            current.append(line)
            if word == "end":
                sequences.append(current)
                current = None
    if current is not None:
        sys.exit("diff.py: %s: the last sequence has no 'end'" % path)
    return sequences


def run_sequences(driver, sequences, tally, batch_size, timeout, on_mismatch):
    """Runs sequences in batches, one driver process per batch; a crash costs
    only the sequence it happened in."""
    pending = list(sequences)
    while pending:
        batch, pending = pending[:batch_size], pending[batch_size:]
        expected = []
        for lines in batch:
            try:
                expected.append(expected_outputs(lines))
            except ScriptError as exc:
                sys.exit("diff.py: bad script %s: %s" % (lines[0], exc))
        outputs, status = run_driver(driver, [l for s in batch for l in s], timeout)
        if status and len(outputs) >= sum(len(p) for p in expected):
            # Everything answered, but the process did not end cleanly
            # (sanitizer or Valgrind reports, leaks at exit, ...).
            tally.record_process_failure(status)
        pos = 0
        for k, (lines, pairs) in enumerate(zip(batch, expected)):
            mine = outputs[pos:pos + len(pairs)]
            pos += len(pairs)
            clean = tally.record(lines, pairs, mine, status if len(mine) < len(pairs) else "")
            if not clean:
                on_mismatch(lines)
            if len(mine) < len(pairs):
                # The driver died inside this sequence: rerun the rest.
                pending = batch[k + 1:] + pending
                break


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--driver", required=True, help="the arrdiff program")
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--cases", type=int, default=20000,
                        help="compare at least this many results (default 20000)")
    parser.add_argument("--batch", type=int, default=150, help="sequences per driver run")
    parser.add_argument("--replay", metavar="FILE", help="run only this script, verbosely")
    parser.add_argument("--regress", metavar="FILE", help="hand-written scripts to run first")
    parser.add_argument("--failures", metavar="FILE",
                        help="write the (reduced) failing sequences here, for --replay")
    parser.add_argument("--wrapper", metavar="CMD", default="",
                        help="run the driver under CMD, e.g. 'valgrind -q --error-exitcode=9'")
    parser.add_argument("--self-test", action="store_true",
                        help="plant wrong answers and check that each one is caught")
    parser.add_argument("--show", type=int, default=12, help="mismatch kinds to show")
    parser.add_argument("--save-script", metavar="FILE",
                        help="also write the generated random script here")
    args = parser.parse_args()

    if not os.access(args.driver, os.X_OK):
        sys.exit("diff.py: driver %s is not an executable (run make first)" % args.driver)
    timeout = 300
    WRAPPER[:] = shlex.split(args.wrapper)

    if args.replay:
        return replay(args.driver, args.replay, timeout)
    if args.self_test:
        return self_test(args.driver, timeout)

    started = time.time()
    tally = Tally()
    failing = []
    if args.regress:
        run_sequences(args.driver, read_script(args.regress), tally, args.batch, timeout,
                      failing.append)
        regress_cases = tally.cases
    else:
        regress_cases = 0

    rng = random.Random(args.seed)
    gen = Generator(rng)
    sequences = []
    planned = 0
    while planned < args.cases:
        lines = gen.sequence(len(sequences) + 1, rng.randint(6, 40))
        planned += sum(1 for l in lines if l.split()[0] != "seq")
        sequences.append(lines)
    if args.save_script:
        with open(args.save_script, "w") as f:
            f.write("".join("\n".join(s) + "\n" for s in sequences))
    run_sequences(args.driver, sequences, tally, args.batch, timeout, failing.append)
    elapsed = time.time() - started

    out = sys.stdout
    if tally.mismatches:
        out.write("Mismatches by kind (command: differing fields):\n")
        for signature, count in sorted(tally.kinds.items(), key=lambda kv: -kv[1]):
            out.write("  %6d  %s\n" % (count, signature))
        # Root causes first: a mismatch after a one-sided failure is usually
        # its consequence.
        shown = sorted((kv for kv in tally.kinds.items() if not kv[0].startswith("(after")),
                       key=lambda kv: -kv[1])[:args.show]
        reduced = []
        for status in tally.process_failures[:1]:
            out.write("\n== a driver process ended badly:\n%s\n" % status)
        for signature, _ in shown:
            if signature not in tally.examples:
                continue
            lines, index = tally.examples[signature]
            out.write("\n== %s\n" % signature)
            reduced.append(show_mismatch(args.driver, lines, index, timeout, out))
        if args.failures:
            os.makedirs(os.path.dirname(args.failures) or ".", exist_ok=True)
            with open(args.failures, "w") as f:
                for signature, lines in zip([s for s, _ in shown], reduced):
                    f.write("# %s\n%s\n" % (signature, "\n".join(lines)))
            out.write("\nThe sequences above are in %s (replay: %s --driver %s --replay %s)\n"
                      % (args.failures, sys.argv[0], args.driver, args.failures))
    out.write("details: %d array results, %d errors on both sides, %d sharing queries; "
              "%d cases from %s; seed %d; %.1f s\n"
              % (tally.arrays, tally.errors, tally.shares, regress_cases,
                 args.regress or "no regression file", args.seed, elapsed))
    out.write("error pairs (NumPy exception -> libarr code): %s\n" % ", ".join(
        "%s->%s %d" % (k[0], k[1], v) for k, v in sorted(tally.error_pairs.items())))
    out.write("numpy differential: %d cases compared, %d mismatches\n"
              % (tally.cases, tally.mismatches))
    out.write("%d passed, %d failed\n" % (tally.cases - tally.mismatches, tally.mismatches))
    return 1 if tally.mismatches else 0


def perturbations(actual):
    """Copies of a driver answer, each wrong in one field: the comparison
    must notice every one of them."""
    if "dtype" not in actual:
        yield "ok", dict(actual, ok=1 - actual["ok"])
        for field in ("may_share", "shares", "equal"):
            if field in actual:
                yield field, dict(actual, **{field: 1 - actual[field]})
        return
    yield "dtype", dict(actual, dtype="int8" if actual["dtype"] != "int8" else "int16")
    yield "shape", dict(actual, shape=actual["shape"] + [1])
    if actual["strides"]:
        yield "strides", dict(actual, strides=[actual["strides"][0] + 1] + actual["strides"][1:])
    yield "offset", dict(actual, offset=actual["offset"] + 8)
    yield "flags", dict(actual, flags=actual["flags"].replace("W", "") if "W" in actual["flags"]
                        else actual["flags"] + "W")
    yield "is_view", dict(actual, is_view=1 - actual["is_view"])
    yield "owner", dict(actual, owner=actual["owner"] + "x")
    if actual.get("values"):
        yield "values", dict(actual, values=[actual["values"][0] + 1] + actual["values"][1:])
        yield "sum", dict(actual, sum=actual["sum"] + 1)
    yield "internal", dict(actual, internal="some field disagrees")


def self_test(driver, timeout):
    """Checks that compare() catches a wrong answer in every field."""
    gen = Generator(random.Random(1))
    tried = missed = 0
    for seq_id in range(1, 41):
        lines = gen.sequence(seq_id, 25)
        pairs = expected_outputs(lines)
        outputs, status = run_driver(driver, lines, timeout)
        for (line, expected), actual in zip(pairs, outputs):
            if compare(expected, actual):
                continue  # a real mismatch: the main run reports it
            for field, wrong in perturbations(actual):
                tried += 1
                if not compare(expected, wrong):
                    missed += 1
                    print("self-test: a wrong %s went unnoticed at `%s`" % (field, line))
    print("self-test: %d wrong answers planted, %d unnoticed" % (tried, missed))
    return 1 if missed or tried < 1000 else 0


def replay(driver, path, timeout):
    tally = Tally()
    out = sys.stdout
    for lines in read_script(path):
        try:
            pairs = expected_outputs(lines)
        except ScriptError as exc:
            sys.exit("diff.py: %s: in `%s`: %s" % (path, lines[0], exc))
        outputs, status = run_driver(driver, lines, timeout)
        tally.record(lines, pairs, outputs, status)
        out.write("%s\n" % lines[0])
        for i, (line, expected) in enumerate(pairs):
            actual = outputs[i] if i < len(outputs) else None
            diffs = compare(expected, actual)
            out.write("  %-4s %s\n" % ("ok" if not diffs else "DIFF", line))
            if diffs:
                out.write("       differ: %s\n" % ", ".join(diffs))
                out.write("       numpy : %s\n" % brief(expected))
                out.write("       libarr: %s\n" % brief(actual))
        if status:
            out.write("  driver: %s\n" % status)
    out.write("numpy differential: %d cases compared, %d mismatches\n"
              % (tally.cases, tally.mismatches))
    out.write("%d passed, %d failed\n" % (tally.cases - tally.mismatches, tally.mismatches))
    return 1 if tally.mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
