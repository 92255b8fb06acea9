"""Writing NumPy .npy files (format version 1.0) from strided bytes.

Pure Python (no gdb import).  Format facts from NumPy's format documentation:
magic "\\x93NUMPY", version bytes 1 0, a little-endian uint16 header length,
then an ASCII dict literal padded with spaces and ended by a newline so that
the data starts on a 64-byte boundary; the data follows in C order.
"""

import itertools
import struct

from . import layout


def descr(dtype, endian):
    """NumPy's dtype.str for a libarr dtype: '<f8', '|b1', '>c16', ..."""
    kind = layout.NPY_KINDS[dtype]
    if layout.DTYPE_SIZES[dtype] == 1:
        return "|" + kind
    return endian + kind


def shape_repr(shape):
    if len(shape) == 1:
        return "(%d,)" % shape[0]
    return "(" + ", ".join(str(d) for d in shape) + ")"


def header(dtype_descr, shape):
    text = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (
        dtype_descr, shape_repr(shape))
    fixed = 10  # magic (6) + version (2) + header length (2)
    pad = -(fixed + len(text) + 1) % 64
    text += " " * pad + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text)) + text.encode("latin-1")


def gather_c_order(buf, start, shape, strides, itemsize):
    """The elements of a strided array, in C order, as one bytes object.

    buf holds the array's memory; start is the position in buf of element
    (0, ..., 0); strides are in bytes and may be negative or zero."""
    count = 1
    for d in shape:
        count *= d
    if count == 0:
        return b""
    if not shape:
        return bytes(buf[start:start + itemsize])
    out = bytearray(count * itemsize)
    inner_n, inner_s = shape[-1], strides[-1]
    row_bytes = inner_n * itemsize
    pos = 0
    for outer in itertools.product(*(range(d) for d in shape[:-1])):
        row = start + sum(i * s for i, s in zip(outer, strides))
        if inner_s == itemsize:
            out[pos:pos + row_bytes] = buf[row:row + row_bytes]
        elif inner_s == 0:
            out[pos:pos + row_bytes] = bytes(buf[row:row + itemsize]) * inner_n
        else:
            # One extended slice per byte of the element.
            for j in range(itemsize):
                first = row + j
                last = first + inner_s * (inner_n - 1)
                stop = last + (1 if inner_s > 0 else -1)
                out[pos + j:pos + row_bytes:itemsize] = \
                    buf[first:stop if stop >= 0 else None:inner_s]
        pos += row_bytes
    return bytes(out)
