"""What libarr's headers say about memory: magics, limits, names, layouts.

Nothing here is written by hand: every fact comes from _generated.py, which
gdb/gen_layout.py makes at build time from libarr/arr.h, arrcheck.h and
libarr's own name tables (the strings libarr and arrcheck print).  When the
inferior has debug info, memory.py takes the offsets from DWARF; without it
(a stripped libarr, a core of a release build) it uses the offsets the
compiler gave when the module was generated (fallback_layout), after
checking that the inferior's arr_registry.layout_version is the one they
were generated for.

Pure Python (no gdb import) so the offline tests can use it too.
"""

import struct
import sys
from itertools import repeat

# The byte order of this host, as struct writes it: memoryview casts (the
# registry walk's column reads) use it.
_NATIVE = "<" if sys.byteorder == "little" else ">"

try:
    from . import _generated as _g
except ImportError:  # a source tree nobody ran `make` in
    raise ImportError("arrdbg_gdb/_generated.py is missing: run `make` "
                      "(it is generated from libarr/arr.h)")

MAXDIMS = _g.MAXDIMS
LABEL_MAX = _g.LABEL_MAX
MAGIC_LIVE = _g.MAGIC_LIVE
MAGIC_FREED = _g.MAGIC_FREED
REGISTRY_MAGIC = _g.REGISTRY_MAGIC
LAYOUT_VERSION = _g.LAYOUT_VERSION
POINTER_SIZE = _g.POINTER_SIZE
# Synthetic descriptors the printers build for rows of an N-d array (never
# written by libarr, only found in values gdb holds outside the inferior).
MAGIC_ROW = 0x524f5731       # "ROW1"

DTYPES = _g.DTYPES
DTYPE_SIZES = _g.DTYPE_SIZES
# libarr's op names, exactly as libarr and arrcheck print them.
OPS = _g.OPS


_FORMATS = {("int", 1): "b", ("int", 2): "h", ("int", 4): "i", ("int", 8): "q",
            ("uint", 1): "B", ("uint", 2): "H", ("uint", 4): "I", ("uint", 8): "Q",
            ("float", 4): "f", ("float", 8): "d", ("bool", 1): "?"}


def _dtype_format(name, size):
    """struct format letters of a libarr dtype (complex: two floats)."""
    if name.startswith("complex") and ("float", size // 2) in _FORMATS:
        return _FORMATS[("float", size // 2)] * 2
    kind = name.rstrip("0123456789")
    # A dtype this module does not know yet: its raw bytes, shown as such.
    return _FORMATS.get((kind, size), "%ds" % size)


def _npy_kind(name, size):
    """NumPy's dtype.str without the byte-order character."""
    return ("b" if name == "bool" else name[0]) + str(size)


# struct format letters per dtype; '?' decodes bool.
DTYPE_FORMATS = tuple(_dtype_format(n, s) for n, s in zip(DTYPES, DTYPE_SIZES))
NPY_KINDS = tuple(_npy_kind(n, s) for n, s in zip(DTYPES, DTYPE_SIZES))

# The finding words and the summary line (arrcheck.h), as Python formats.
LEAK_WORDS = _g.LEAK_WORDS
LEAK_SUMMARY_FORMAT = _g.LEAK_SUMMARY_C_FORMAT.replace("%lld", "%d")

FLAG_NAMES = _g.FLAG_NAMES
_FLAGS = {name: bit for bit, name in FLAG_NAMES}
FLAG_C_CONTIGUOUS = _FLAGS["C_CONTIGUOUS"]
FLAG_F_CONTIGUOUS = _FLAGS["F_CONTIGUOUS"]
FLAG_OWNDATA = _FLAGS["OWNDATA"]
FLAG_WRITEABLE = _FLAGS["WRITEABLE"]

# (field, kind, count): kinds are u32 i32 u64 i64 ptr char.
ARR_FIELDS = tuple(f[:3] for f in _g.ARR_FIELDS)
REGISTRY_FIELDS = tuple(f[:3] for f in _g.REGISTRY_FIELDS)
# arr_stats_t (struct arr_stats), at arr_registry.stats.
STATS_FIELDS = tuple(f[:3] for f in _g.STATS_FIELDS)
REGISTRY_STATS_OFFSET = _g.REGISTRY_STATS_OFFSET

_GENERATED = {"arr": (_g.ARR_FIELDS, _g.ARR_SIZE),
              "arr_registry": (_g.REGISTRY_FIELDS, _g.REGISTRY_SIZE),
              "arr_stats": (_g.STATS_FIELDS, _g.STATS_SIZE)}

_KIND_FORMAT = {"u32": "I", "i32": "i", "u64": "Q", "i64": "q", "char": "s"}
_KIND_SIZE = {"u32": 4, "i32": 4, "u64": 8, "i64": 8, "char": 1}


def flag_words(c_contiguous, f_contiguous, writeable=True, external=False):
    """The words every printer uses for an array's flags (libarr's, NumPy's
    and foreign arrays): contiguity, read-only, memory it does not own."""
    words = []
    if c_contiguous:
        words.append("C-contiguous")
    if f_contiguous:
        words.append("F-contiguous")
    if not writeable:
        words.append("read-only")
    if external:
        words.append("external memory")
    return words


def is_copy_op(op):
    return op in _g.COPY_OPS


def fallback_layout(tag, pointer_size):
    """({field: offset}, size) of struct `tag` without debug info: what the
    compiler gave when _generated.py was made, or (a target with another
    pointer size) the natural C layout of the same fields."""
    fields, size = _GENERATED[tag]
    if pointer_size == _g.POINTER_SIZE:
        return {f[0]: f[3] for f in fields}, size
    return natural_layout(tuple(f[:3] for f in fields), pointer_size)


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


class Same:
    """A column whose `count` values are all `value` (see column_picker's
    `same`): no list of count equal objects is made."""
    __slots__ = ("value", "count")

    def __init__(self, value, count):
        self.value, self.count = value, count

    def values(self):
        return repeat(self.value, self.count)


def values_of(column):
    """A column's values: a list as it is, a Same's repeated."""
    return column.values() if isinstance(column, Same) else column


def _strided_reader(specs):
    """columns(buf, step, count, same) for column_picker: specs are
    (offset, format letter, size) per field.  O(count) per field, in C."""
    def columns(buf, step, count, same=()):
        if step <= 0 or any(step % size for _offset, _letter, size in specs):
            return None
        view = memoryview(buf)
        out = []
        for k, (offset, letter, size) in enumerate(specs):
            out.append(strided_column(view, offset, letter, size, step, count, k in same))
        return out
    return columns


def strided_column(view, offset, letter, size, step, count, same=False):
    """The `count` values of format `letter` (native, `size` bytes) at
    view[offset + k * step], as a list: one strided memoryview, converted
    in C; with same, a Same when they are all equal (compared as bytes,
    C-level).  step must be a multiple of size (the caller checks)."""
    if count <= 0:
        return []
    end = offset + (count - 1) * step + size
    column = view[offset:end].cast(letter)[::step // size]
    if same and column.tobytes() == column[:1].tobytes() * count:
        return Same(column[0], count)
    return column.tolist()


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

    def picker(self, names, first_byte=()):
        """(order, unpack_from): unpack_from(buf, pos) gives the values of
        the scalar fields `names` (a subset) of the struct at buf[pos:], in
        `order` (offset order).  Fewer fields: fewer Python objects per
        struct, for a walk that needs only some of them.  The char arrays
        named in first_byte give only their first byte (a bytes object of
        length 1, which CPython does not allocate): enough to tell an
        empty label; char_array() reads the whole."""
        fields = sorted((f for f in self.fields if f[0] in names), key=lambda f: f[1])
        if len(fields) != len(set(names)) or any(f[3] for f in fields):
            raise ValueError("unknown or array field in %r" % (names,))
        fmt = [self.endian]
        pos = 0
        for name, offset, st, _array_len in fields:
            if offset < pos:
                raise ValueError("overlapping fields in struct layout")
            if offset > pos:
                fmt.append("%dx" % (offset - pos))
            short = name in first_byte and st.format[-1:] == "s"
            fmt.append("1s" if short else st.format[1:])
            pos = offset + (1 if short else st.size)
        return tuple(f[0] for f in fields), struct.Struct("".join(fmt)).unpack_from

    def column_picker(self, names, first_byte=()):
        """For structs packed at a constant step in one buffer (handles
        malloc'ed one after another): columns(buf, step, count, same)
        gives, in picker(names)'s order, one list per field of the `count`
        structs at buf[0], buf[step], ...: a strided memoryview of the
        field per column (one C-level pass each, no tuple per struct); a
        field whose position in that order is in `same` gives a Same
        instead when its values are all equal.  The fields
        named in first_byte give their first byte as an int.  None when
        the target's byte order or a field's size or alignment does not
        allow it (picker() then serves).  columns() returns None for a
        step that is not a multiple of every field's size."""
        if self.endian != _NATIVE:
            return None
        specs = []
        for name, offset, st, array_len in sorted(
                (f for f in self.fields if f[0] in names), key=lambda f: f[1]):
            letter = st.format[-1:]
            if name in first_byte and letter == "s":
                letter = "B"
            elif array_len or len(st.format) != 2:
                return None
            size = struct.calcsize(letter)
            if letter not in "bBhHiIqQ" or offset % size:
                return None
            if letter != "B" and size != st.size:
                return None
            specs.append((offset, letter, size))
        return _strided_reader(specs)

    def array_columns(self, name):
        """(offset, letter, size, length) of counted array `name`, for
        strided column reads of its first n entries (see column_picker);
        None when they are not possible."""
        offset, letter, array_len = self._counted[name]
        size = struct.calcsize(letter)
        if self.endian != _NATIVE or \
                size != struct.calcsize("<" + letter) or offset % size:
            return None
        return offset, letter, size, array_len

    def char_array(self, name):
        """(offset, unpack_from) of char array field `name`: unpack_from(buf,
        pos + offset) gives (its bytes,)."""
        for field, offset, st, _array_len in self.fields:
            if field == name and st.format[-1:] == "s":
                return offset, st.unpack_from
        raise ValueError("no char array %r" % name)

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
