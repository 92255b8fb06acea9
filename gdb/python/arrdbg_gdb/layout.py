"""What libarr's arr.h says about memory: magics, enums, struct layouts.

Pure Python (no gdb import) so the offline tests can use it too.  The field
lists mirror `struct arr` and `struct arr_registry` in libarr/arr.h; when the
inferior has debug info, memory.py takes the offsets from DWARF instead and
only falls back to the natural C layout computed here.
"""

import struct

MAXDIMS = 32
LABEL_MAX = 48
MAGIC_LIVE = 0x41525231      # "ARR1"
MAGIC_FREED = 0x44454144     # "DEAD"
REGISTRY_MAGIC = 0x52454731  # "REG1"
# Synthetic descriptors the printers build for rows of an N-d array (never
# written by libarr, only found in values gdb holds outside the inferior).
MAGIC_ROW = 0x524f5731       # "ROW1"

DTYPES = ("bool", "int8", "int16", "int32", "int64", "uint8", "uint16",
          "uint32", "uint64", "float32", "float64", "complex64", "complex128")
DTYPE_SIZES = (1, 1, 2, 4, 8, 1, 2, 4, 8, 4, 8, 8, 16)
# struct format letters per dtype (complex: two floats); '?' decodes bool.
DTYPE_FORMATS = ("?", "b", "h", "i", "q", "B", "H", "I", "Q", "f", "d",
                 "ff", "dd")
# NumPy's dtype.str without the byte-order character.
NPY_KINDS = ("b1", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "f4",
             "f8", "c8", "c16")

OPS = ("none", "empty", "zeros", "full", "arange", "wrap",
       "view", "slice", "transpose", "swapaxes", "squeeze", "expand_dims",
       "flip", "broadcast_to", "diagonal", "reshape", "ascontiguous",
       "asfortran",
       "copy", "astype", "ascontiguous_copy", "asfortran_copy",
       "reshape_copy", "load")
OP_WRAP = OPS.index("wrap")
OP_FIRST_COPY = OPS.index("copy")
OP_LAST_COPY = OPS.index("reshape_copy")

FLAG_C_CONTIGUOUS = 1 << 0
FLAG_F_CONTIGUOUS = 1 << 1
FLAG_OWNDATA = 1 << 2
FLAG_WRITEABLE = 1 << 3
FLAG_NAMES = ((FLAG_C_CONTIGUOUS, "C_CONTIGUOUS"),
              (FLAG_F_CONTIGUOUS, "F_CONTIGUOUS"),
              (FLAG_OWNDATA, "OWNDATA"),
              (FLAG_WRITEABLE, "WRITEABLE"))

# (field, kind, count): kinds are u32 i32 u64 i64 ptr char.
ARR_FIELDS = (
    ("magic", "u32", 1), ("ndim", "i32", 1), ("id", "u64", 1),
    ("dtype", "i32", 1), ("itemsize", "i32", 1), ("flags", "i32", 1),
    ("op", "i32", 1), ("source_id", "u64", 1), ("base_id", "u64", 1),
    ("is_view", "i32", 1), ("orphaned", "i32", 1), ("data", "ptr", 1),
    ("base", "ptr", 1), ("offset", "i64", 1), ("buffer", "ptr", 1),
    ("buffer_bytes", "i64", 1), ("made_at", "ptr", 1), ("nviews", "i64", 1),
    ("views_head", "ptr", 1), ("view_next", "ptr", 1), ("view_prev", "ptr", 1),
    ("registry_slot", "i64", 1), ("quarantine", "ptr", 1),
    ("label", "char", LABEL_MAX), ("shape", "i64", MAXDIMS),
    ("strides", "i64", MAXDIMS),
)
REGISTRY_FIELDS = (
    ("magic", "u32", 1), ("layout_version", "u32", 1), ("items", "ptr", 1),
    ("count", "i64", 1), ("capacity", "i64", 1), ("next_id", "u64", 1),
)

# arr_stats_t (struct arr_stats), at arr_registry.stats.
STATS_FIELDS = tuple((name, "i64", 1) for name in (
    "live_owners", "live_views", "live_orphans", "live_bytes", "peak_bytes",
    "live_copy_bytes", "created_owners", "created_views", "created_copies", "freed"))

_KIND_FORMAT = {"u32": "I", "i32": "i", "u64": "Q", "i64": "q", "char": "s"}
_KIND_SIZE = {"u32": 4, "i32": 4, "u64": 8, "i64": 8, "char": 1}


def is_copy_op(op):
    return OP_FIRST_COPY <= op <= OP_LAST_COPY


def natural_layout(fields, pointer_size):
    """Offsets of `fields` under the usual C rules (each field aligned to its
    own size), returned as {name: offset} plus the struct size."""
    offsets = {}
    pos = 0
    align_max = 1
    for name, kind, _count in fields:
        size = pointer_size if kind == "ptr" else _KIND_SIZE[kind]
        pos = (pos + size - 1) // size * size
        offsets[name] = pos
        pos += size * _count
        align_max = max(align_max, size)
    return offsets, (pos + align_max - 1) // align_max * align_max


class StructDecoder:
    """Decodes one struct from raw bytes: fields as Python ints (lists for
    arrays, bytes for char arrays)."""

    def __init__(self, fields, offsets, size, pointer_size, endian):
        self.size = size
        self.endian = endian
        self._whole = None
        self.fields = []
        ptr_format = "Q" if pointer_size == 8 else "I"
        for name, kind, count in fields:
            if kind == "char":
                fmt = "%ds" % count
            else:
                letter = ptr_format if kind == "ptr" else _KIND_FORMAT[kind]
                fmt = letter * count
            self.fields.append((name, offsets[name], struct.Struct(endian + fmt),
                                count if kind != "char" and count > 1 else 0))
    def patched(self, raw, **values):
        """A copy of raw with the named fields replaced (arrays padded with
        zeros to their full length)."""
        out = bytearray(raw)
        for name, offset, st, array_len in self.fields:
            if name in values:
                value = values[name]
                if array_len:
                    value = list(value) + [0] * (array_len - len(value))
                    st.pack_into(out, offset, *value)
                else:
                    st.pack_into(out, offset, value)
        return bytes(out)

    def decode(self, raw):
        """All fields at once: one unpack of a format that spans the struct
        (padding skipped), then sliced per field."""
        if self._whole is None:
            self._build_whole()
        values = self._whole.unpack_from(raw, 0)
        out = {}
        for name, start, array_len in self._slices:
            out[name] = list(values[start:start + array_len]) if array_len else values[start]
        return out

    # ---- bulk decoding (the registry walk) -----------------------------
    #
    # decode() builds every field, including two 32-entry arrays that a
    # descriptor mostly does not use.  For 100,000s of descriptors, split()
    # separates the arrays whose length another field gives (shape and
    # strides, by ndim): scalars_at() unpacks all the rest at once and
    # array_at() only the first n entries of one array.

    def split(self, counted):
        """Prepares scalars_at/array_at; returns the scalar field names in
        the order scalars_at gives their values."""
        if self._scalar is not None:
            return self.scalar_names
        fmt = [self.endian]
        names = []
        pos = 0
        self._counted = {}
        self._counted_structs = {}
        for name, offset, st, array_len in sorted(self.fields, key=lambda f: f[1]):
            if name in counted:
                self._counted[name] = (offset, st.format[1:2], array_len)
                continue
            if array_len:
                raise ValueError("array field %s is neither counted nor scalar" % name)
            if offset < pos:
                raise ValueError("overlapping fields in struct layout")
            if offset > pos:
                fmt.append("%dx" % (offset - pos))
            fmt.append(st.format[1:])
            names.append(name)
            pos = offset + st.size
        self.scalar_names = tuple(names)
        self._scalar = struct.Struct("".join(fmt))
        # scalars_at(buf, pos): values of the scalar fields (and char arrays,
        # as bytes) of the struct at buf[pos:], in the order of the names.
        # The Struct's own method: no Python call in between.
        self.scalars_at = self._scalar.unpack_from
        return self.scalar_names

    _scalar = None

    def array_readers(self, name):
        """(offset of array field `name`, readers): readers[n](buf, pos)
        gives the first n entries of the array at buf[pos:] as a tuple,
        where pos is the array's own position (struct position + offset)."""
        offset, letter, array_len = self._counted[name]
        key = (letter, array_len)
        readers = self._counted_structs.get(key)
        if readers is None:
            readers = self._counted_structs[key] = [
                struct.Struct(self.endian + letter * n).unpack_from for n in range(array_len + 1)]
        return offset, readers

    def _build_whole(self):
        fmt = [self.endian]
        slices = []
        pos = 0
        index = 0
        for name, offset, st, array_len in sorted(self.fields, key=lambda f: f[1]):
            if offset < pos:
                raise ValueError("overlapping fields in struct layout")
            if offset > pos:
                fmt.append("%dx" % (offset - pos))
            fmt.append(st.format[1:])  # without the byte-order character
            slices.append((name, index, array_len))
            index += array_len or 1
            pos = offset + st.size
        self._whole = struct.Struct("".join(fmt))
        self._slices = slices
