"""Offline checks of the plugin's pure-Python parts against NumPy itself.

Run with /usr/bin/python3 (the one with numpy).  Prints `N passed, M failed`.
- overlap.shares / may_share against np.shares_memory / np.may_share_memory
  on random strided arrays (negative and zero strides, several itemsizes)
  over one buffer, and the witness really lies in both arrays;
- npy.header + gather_c_order read back by np.load equal to the array.
"""

import io
import os
import random
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "gdb", "python"))
from arrdbg_gdb import layout, npy, overlap  # noqa: E402

BUFFER_BYTES = 512
failures = []
passes = [0]


def check(cond, what):
    if cond:
        passes[0] += 1
    else:
        failures.append(what)
        print("FAIL:", what)


def random_view(rng, base):
    """An ndarray over base with random shape, strides (any sign) and dtype,
    plus the Operand describing it."""
    itemsize = rng.choice((1, 2, 4, 8))
    dtype = {1: np.uint8, 2: np.uint16, 4: np.uint32, 8: np.float64}[itemsize]
    ndim = rng.randint(0, 3)
    shape = [rng.choice((0, 1, 1, 2, 3, 4, 5)) if rng.random() < 0.1
             else rng.randint(1, 5) for _ in range(ndim)]
    strides = [rng.choice((0, itemsize, -itemsize)) if rng.random() < 0.3
               else rng.randint(-40, 40) for _ in range(ndim)]
    lo, hi = overlap.extent(shape, strides, itemsize)
    span = hi - lo
    if span > BUFFER_BYTES:
        return None
    offset = rng.randint(0, BUFFER_BYTES - span) - lo
    arr = np.ndarray(tuple(shape), dtype=dtype, buffer=base, offset=offset,
                     strides=tuple(strides))
    address = base.ctypes.data + offset
    return arr, overlap.Operand(address, shape, strides, itemsize)


def element_range(op, index):
    addr = op.data + sum(i * s for i, s in zip(index, op.strides))
    return addr, addr + op.itemsize


def test_overlap(rng, rounds):
    base = np.zeros(BUFFER_BYTES, dtype=np.uint8)
    done = 0
    yes_count = 0
    while done < rounds:
        pa, pb = random_view(rng, base), random_view(rng, base)
        if pa is None or pb is None:
            continue
        (xa, a), (xb, b) = pa, pb
        done += 1
        want_may = bool(np.may_share_memory(xa, xb))
        got_may = overlap.may_share(a, b)
        check((got_may is not None) == want_may,
              "may_share %r %r: numpy %s, plugin %s" % (
                  (xa.shape, xa.strides), (xb.shape, xb.strides), want_may, got_may))
        want = bool(np.shares_memory(xa, xb, max_work=None))
        answer, witness = overlap.shares(a, b)
        check(answer == (overlap.YES if want else overlap.NO),
              "shares %r %r itemsizes %d %d: numpy %s, plugin %s" % (
                  (xa.shape, xa.strides), (xb.shape, xb.strides),
                  a.itemsize, b.itemsize, want, answer))
        if answer == overlap.YES:
            yes_count += 1
            ok = (all(0 <= i < d for i, d in zip(witness.index_a, a.shape)) and
                  all(0 <= i < d for i, d in zip(witness.index_b, b.shape)) and
                  element_range(a, witness.index_a) == witness.range_a and
                  element_range(b, witness.index_b) == witness.range_b and
                  witness.range_a[0] <= witness.address < witness.range_a[1] and
                  witness.range_b[0] <= witness.address < witness.range_b[1])
            lo, hi = witness.common_range()
            check(ok and lo < hi, "witness not shared: %r" % (
                (witness.index_a, witness.index_b, witness.address),))
    # The random cases must exercise both answers to mean anything.
    check(0 < yes_count < rounds, "overlap cases were all one answer (%d yes)" % yes_count)


def test_too_hard():
    # Many large coprime strides over a big range: a budget of 10 nodes
    # cannot settle it; no budget can.
    a = overlap.Operand(0, (1000, 1000, 1000), (1009, 1013, 1019), 1)
    b = overlap.Operand(5, (1000, 1000), (997, 991), 1)
    answer, _ = overlap.shares(a, b, max_work=10)
    check(answer == overlap.TOO_HARD, "tiny budget should be too hard, got %s" % answer)


def test_npy(rng, rounds):
    for _ in range(rounds):
        dtype_index = rng.randrange(len(layout.DTYPES))
        name = layout.DTYPES[dtype_index]
        np_dtype = np.dtype(name)
        itemsize = np_dtype.itemsize
        ndim = rng.randint(0, 3)
        shape = tuple(rng.randint(0, 4) for _ in range(ndim))
        strides = tuple(rng.choice((0, 1, -1, 2, -3)) * itemsize for _ in range(ndim))
        lo, hi = overlap.extent(shape, strides, itemsize)
        raw = bytes(rng.getrandbits(8) for _ in range(max(hi - lo, 0) + 16))
        if np_dtype.kind == "b":
            raw = bytes(v & 1 for v in raw)
        start = -lo
        src = np.ndarray(shape, dtype=np_dtype, buffer=raw, offset=start, strides=strides)
        body = npy.gather_c_order(raw, start, shape, strides, itemsize)
        data = npy.header(npy.descr(dtype_index, "<"), shape) + body
        check((len(data) - len(body)) % 64 == 0, "npy header not 64-aligned")
        back = np.load(io.BytesIO(data))
        same = (back.dtype == np_dtype and back.shape == shape and
                np.array_equal(back, src, equal_nan=np_dtype.kind in "fc"))
        check(same, "npy round trip %s %r %r" % (name, shape, strides))


def test_bulk_decode(rng, rounds):
    """The registry walk's decoder (split, scalars_at, array_readers) gives
    the same fields as the plain decode() of the same bytes, for descriptors
    at odd positions inside a larger block, in both byte orders."""
    for endian in ("<", ">"):
        offsets, size = layout.natural_layout(layout.ARR_FIELDS, 8)
        decoder = layout.StructDecoder(layout.ARR_FIELDS, offsets, size, 8, endian)
        names = decoder.split(("shape", "strides"))
        shape_offset, shape_readers = decoder.array_readers("shape")
        strides_offset, strides_readers = decoder.array_readers("strides")
        for _ in range(rounds):
            pos = rng.randrange(0, 64)
            block = bytes(rng.getrandbits(8) for _ in range(pos + size + rng.randrange(0, 8)))
            whole = decoder.decode(block[pos:pos + size])
            scalars = dict(zip(names, decoder.scalars_at(block, pos)))
            check(set(names) | {"shape", "strides"} == set(whole),
                  "split names %r" % (names,))
            some = rng.sample(names, rng.randrange(1, len(names) + 1))
            order, pick = decoder.picker(some)
            check(sorted(order) == sorted(some) and
                  all(v == whole[n] for n, v in zip(order, pick(block, pos))),
                  "picker %r differs at pos %d" % (some, pos))
            order, pick = decoder.picker(some, first_byte=("label",))
            check(all(v == (whole[n][:1] if n == "label" else whole[n])
                      for n, v in zip(order, pick(block, pos))),
                  "picker %r (label's first byte) differs at pos %d" % (some, pos))
            label_at, label_of = decoder.char_array("label")
            check(label_of(block, pos + label_at)[0] == whole["label"], "char_array label")
            check(all(scalars[n] == whole[n] for n in names), "scalars differ at pos %d" % pos)
            n = rng.randrange(0, layout.MAXDIMS + 1)
            check(list(shape_readers[n](block, pos + shape_offset)) == whole["shape"][:n]
                  and list(strides_readers[n](block, pos + strides_offset)) == whole["strides"][:n],
                  "first %d of shape/strides differ at pos %d" % (n, pos))


def test_strided_columns(rng, rounds):
    """The registry walk's column reads (column_picker, array_columns,
    strided_column) give, for structs at a constant step in one block,
    the same values as picker() struct by struct; a step that is not a
    multiple of a field's size and a foreign byte order are refused."""
    native = "<" if sys.byteorder == "little" else ">"
    offsets, size = layout.natural_layout(layout.ARR_FIELDS, 8)
    for endian in ("<", ">"):
        decoder = layout.StructDecoder(layout.ARR_FIELDS, offsets, size, 8, endian)
        names = decoder.split(("shape", "strides"))
        walk = tuple(n for n in names if n != "label") + ("label",)
        columns = decoder.column_picker(walk, first_byte=("label",))
        spec = decoder.array_columns("shape")
        if endian != native:
            check(columns is None and spec is None, "foreign byte order refused")
            continue
        check(columns is not None and spec is not None, "native byte order served")
        order, pick = decoder.picker(walk, first_byte=("label",))
        shape_offset, shape_readers = decoder.array_readers("shape")
        for _ in range(rounds):
            count = rng.randrange(1, 9)
            step = size + rng.randrange(0, 5) * 8
            block = bytes(rng.getrandbits(8) for _ in range(step * (count - 1) + size))
            got = columns(block, step, count)
            want = list(zip(*(pick(block, k * step) for k in range(count))))
            label_at = order.index("label")
            want[label_at] = tuple(b[0] for b in want[label_at])   # first byte as an int
            check(got is not None and [tuple(c) for c in got] == want,
                  "columns of %d structs at step %d" % (count, step))
            n = rng.randrange(0, layout.MAXDIMS + 1)
            view = memoryview(block)
            cols = [layout.strided_column(view, spec[0] + d * spec[2], spec[1], spec[2], step, count)
                    for d in range(n)]
            check(list(zip(*cols)) == [shape_readers[n](block, k * step + shape_offset)
                                       for k in range(count)] or n == 0,
                  "first %d shape entries of %d structs at step %d" % (n, count, step))
        check(columns(bytes(size * 3), size + 4, 2) is None, "a step of 4 past 8-byte fields refused")


def main():
    rng = random.Random(int(os.environ.get("ARRDBG_SEED", "12345")))
    test_overlap(rng, 3000)
    test_too_hard()
    test_npy(rng, 400)
    test_bulk_decode(rng, 200)
    test_strided_columns(rng, 200)
    print("%d passed, %d failed" % (passes[0], len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
