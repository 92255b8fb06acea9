"""NumPy's ndarray and CPython's object header, decoded from raw memory.

Pure Python (no gdb import): the offline tests run it in a live
/usr/bin/python3 over its own objects, reading memory with ctypes.

Debian's python3 and python3-numpy ship no DWARF for these structs, so the
offsets come from their public headers (a release build of CPython 3.x and
NumPy 1.x's ndarraytypes.h), for an LP64 or ILP32 target:

  PyObject            ob_refcnt (Py_ssize_t), ob_type
  PyTypeObject        PyVarObject head (3 words), tp_name at word 3,
                      tp_base at word 32 (every slot before it is a word)
  PyArrayObject_fields  PyObject head, data, nd (int), dimensions, strides,
                      base, descr, flags (int), weakreflist, ...
  PyArray_Descr (1.x) PyObject head, typeobj, kind, type, byteorder, flags
                      (chars), type_num (int), elsize (int), alignment (int)
  PyListObject        PyVarObject head, ob_item (PyObject **)
  PyTupleObject       PyVarObject head, ob_item[] inline

A Layout may instead take offsets from debug info (numpy_support does when
the inferior has DWARF for these structs, e.g. a C extension built with -g).
NumPy 2 moved elsize and widened it in PyArray_Descr: without debug info a
NumPy 2 process is refused rather than misread.

Every pointer may be NULL or garbage: reads go through `mem.read` (which
raises Fault), strings and chains are capped, and whatever does not make
sense raises Invalid with a short reason.
"""

import struct

from .overlap import element_count

MAXDIMS_V1 = 32          # NPY_MAXDIMS in NumPy 1.x
MAX_NAME = 200           # bytes of a tp_name read before giving up
MAX_TYPE_CHAIN = 16      # tp_base steps when looking for numpy.ndarray
MAX_META_STEPS = 4       # ob_type steps from an object to `type` itself
MAX_BASE_CHAIN = 64      # ndarray.base steps followed
MAX_SEQUENCE = 100000    # items read from a list or tuple of candidates

# NPY_ARRAY_* flag bits (ndarraytypes.h), in the order NumPy prints them.
FLAG_C_CONTIGUOUS = 0x0001
FLAG_F_CONTIGUOUS = 0x0002
FLAG_OWNDATA = 0x0004
FLAG_ALIGNED = 0x0100
FLAG_WRITEABLE = 0x0400
FLAG_WRITEBACKIFCOPY = 0x2000
FLAG_NAMES = ((FLAG_C_CONTIGUOUS, "C_CONTIGUOUS"), (FLAG_F_CONTIGUOUS, "F_CONTIGUOUS"),
              (FLAG_OWNDATA, "OWNDATA"), (FLAG_WRITEABLE, "WRITEABLE"),
              (FLAG_ALIGNED, "ALIGNED"), (FLAG_WRITEBACKIFCOPY, "WRITEBACKIFCOPY"))

# enum NPY_TYPES (1.x): type_num -> (kind letter, struct format or None).
# Formats whose size depends on the platform (long, longdouble) are sized
# by elsize when decoded.
TYPE_NUMS = {
    0: ("b", "?"), 1: ("i", "b"), 2: ("u", "B"), 3: ("i", "h"), 4: ("u", "H"),
    5: ("i", "i"), 6: ("u", "I"), 7: ("i", "l"), 8: ("u", "L"), 9: ("i", "q"),
    10: ("u", "Q"), 11: ("f", "f"), 12: ("f", "d"), 13: ("f", "longdouble"),
    14: ("c", "f"), 15: ("c", "d"), 16: ("c", "longdouble"), 17: ("O", None),
    18: ("S", None), 19: ("U", None), 20: ("V", None), 21: ("M", None),
    22: ("m", None), 23: ("f", "e"),
}
NPY_USERDEF = 256
_SIZED_FORMATS = {("i", 1): "b", ("i", 2): "h", ("i", 4): "i", ("i", 8): "q",
                  ("u", 1): "B", ("u", 2): "H", ("u", 4): "I", ("u", 8): "Q"}


class Fault(Exception):
    """Memory that cannot be read."""


class Invalid(Exception):
    """Memory that does not hold what it should; str() is a short reason."""


class Layout:
    """Offsets of the fields arrdbg reads, for one target."""

    def __init__(self, pointer_size=8, endian="<", overrides=None):
        w = pointer_size
        self.pointer_size = w
        self.endian = endian
        self.source = "NumPy 1.x and CPython 3.x public headers"
        self.offsets = {
            "ob_type": w,
            "tp_name": 3 * w, "tp_base": 32 * w,
            "ob_size": 2 * w, "list_items": 3 * w, "tuple_items": 3 * w,
            "data": 2 * w, "nd": 3 * w, "dimensions": 4 * w, "strides": 5 * w,
            "base": 6 * w, "descr": 7 * w, "flags": 8 * w,
            "d_kind": 3 * w, "d_type": 3 * w + 1, "d_byteorder": 3 * w + 2,
            "d_type_num": 3 * w + 4, "d_elsize": 3 * w + 8,
            # after elsize and alignment (ints): subarray, fields, names
            "d_subarray": 3 * w + 16, "d_fields": 4 * w + 16, "d_names": 5 * w + 16,
        }
        self.elsize_bytes = 4
        if overrides:
            self.offsets.update(overrides.get("offsets", {}))
            self.elsize_bytes = overrides.get("elsize_bytes", 4)
            self.source = overrides.get("source", self.source)
        self._ptr = struct.Struct(endian + ("Q" if w == 8 else "I"))
        self._int = struct.Struct(endian + "i")
        self._ssize = struct.Struct(endian + ("q" if w == 8 else "i"))
        self._elsize = struct.Struct(endian + ("q" if self.elsize_bytes == 8 else "i"))

    # ---- primitive reads --------------------------------------------------

    def ptr(self, mem, address):
        return self._ptr.unpack(mem.read(address, self.pointer_size))[0]

    def int(self, mem, address):
        return self._int.unpack(mem.read(address, 4))[0]

    def ssize(self, mem, address):
        return self._ssize.unpack(mem.read(address, self.pointer_size))[0]

    def ssizes(self, mem, address, count):
        if count == 0:
            return ()
        fmt = "%s%d%s" % (self.endian, count, "q" if self.pointer_size == 8 else "i")
        return struct.unpack(fmt, mem.read(address, count * self.pointer_size))

    def pointers(self, mem, address, count):
        if count == 0:
            return ()
        fmt = "%s%d%s" % (self.endian, count, "Q" if self.pointer_size == 8 else "I")
        return struct.unpack(fmt, mem.read(address, count * self.pointer_size))


PAGE = 4096


def read_cstring(mem, address, limit=MAX_NAME):
    """The NUL-terminated string at address (at most limit bytes), reading
    no further than needed: a name may end just before an unmapped page."""
    if address == 0:
        raise Invalid("NULL name")
    out = b""
    while len(out) < limit:
        step = min(PAGE - (address + len(out)) % PAGE, limit - len(out))
        chunk = mem.read(address + len(out), step)
        end = chunk.find(b"\0")
        if end >= 0:
            return out + chunk[:end]
        out += chunk
    raise Invalid("name longer than %d bytes" % limit)


def _printable_name(raw):
    if not raw:
        raise Invalid("empty type name")
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError:
        raise Invalid("type name is not ASCII")
    if not text.isprintable():
        raise Invalid("type name is not printable")
    return text


def type_name(mem, lay, type_address):
    """tp_name of the type object at type_address."""
    if type_address == 0:
        raise Invalid("NULL type")
    return _printable_name(read_cstring(mem, lay.ptr(mem, type_address + lay.offsets["tp_name"])))


def object_type(mem, lay, address):
    """(type address, tp_name) of the Python object at address, after
    checking that its type's metatype chain reaches `type` (whose own type
    is itself): random memory almost never passes that."""
    if address == 0:
        raise Invalid("NULL")
    ob_type = lay.offsets["ob_type"]
    tp = lay.ptr(mem, address + ob_type)
    name = type_name(mem, lay, tp)
    meta = tp
    for _ in range(MAX_META_STEPS):
        up = lay.ptr(mem, meta + ob_type)
        if up == meta:
            if type_name(mem, lay, meta) != "type":
                raise Invalid("metatype chain ends at %r" % type_name(mem, lay, meta))
            return tp, name
        meta = up
    raise Invalid("no `type` within %d metatype steps" % MAX_META_STEPS)


def ndarray_type_depth(mem, lay, tp):
    """0 if tp is numpy.ndarray, n if it is an n-th level subclass, None if
    tp_base never reaches it (within MAX_TYPE_CHAIN steps)."""
    seen = set()
    for depth in range(MAX_TYPE_CHAIN):
        if tp == 0 or tp in seen:
            return None
        seen.add(tp)
        if type_name(mem, lay, tp) == "numpy.ndarray":
            return depth
        tp = lay.ptr(mem, tp + lay.offsets["tp_base"])
    return None


class Dtype:
    """What arrdbg reads of a PyArray_Descr.  A structured dtype has
    fields [(name, offset, Dtype)] and the name NumPy prints for it; a
    subarray dtype (a field's '(3,)f8') has subarray (base Dtype, shape)."""

    __slots__ = ("address", "type_num", "kind", "char", "byteorder", "elsize", "name", "format",
                 "fields", "subarray", "native")

    def __init__(self, address, type_num, kind, char, byteorder, elsize, native="<"):
        self.address = address
        self.type_num = type_num
        self.kind = kind
        self.char = char
        self.byteorder = byteorder
        self.elsize = elsize
        self.native = native
        self.name = dtype_name(type_num, kind, byteorder if byteorder != "=" else native, elsize)
        self.format = element_format(type_num, kind, elsize)
        self.fields = None
        self.subarray = None

    def str(self):
        """NumPy's dtype.str ('<f8', '|u1', '|b1', '<U3', '|S2', '|V4',
        '|O'); None for a structured or subarray dtype (no such string)."""
        if self.fields is not None or self.subarray is not None:
            return None
        order = self.byteorder if self.byteorder != "=" else self.native
        if self.elsize == 1 or self.kind in "SVO":
            order = "|"
        if self.kind == "O":
            return "|O"
        if self.kind in "Mm":
            return "%s%s8" % (order, self.kind)
        return "%s%s%d" % (order, self.kind, self.elsize // 4 if self.kind == "U" else self.elsize)

    def short(self):
        """How NumPy names this dtype inside a structured one ('<f8',
        'u1', '?', 'S2', '<U3'), or a structured dtype's own text."""
        if self.fields is not None:
            return self.name
        if self.subarray is not None:
            base, shape = self.subarray
            return "(%r, %s)" % (base.short(), _shape_text(shape))
        if self.kind == "b":
            return "?"
        return self.str().lstrip("|")


def _shape_text(shape):
    return "(%d,)" % shape[0] if len(shape) == 1 else "(" + ", ".join(map(str, shape)) + ")"


def structured_name(fields, elsize, aligned):
    """NumPy's str() of a structured dtype: the list form when the fields
    are packed in order (and not aligned), else the dict form with
    offsets and itemsize."""
    def fmt(dt):
        if dt.subarray is not None:
            return "%s, %s" % (fmt(dt.subarray[0]), _shape_text(dt.subarray[1]))
        return repr(dt.short()) if dt.fields is None else dt.short()

    pos = 0
    packed = not aligned
    for _name, offset, dt in fields:
        packed = packed and offset == pos
        pos = offset + dt.elsize
    if packed and pos == elsize:
        return "[" + ", ".join("(%r, %s)" % (n, fmt(dt)) for n, _o, dt in fields) + "]"
    return "{'names': [%s], 'formats': [%s], 'offsets': [%s], 'itemsize': %d%s}" % (
        ", ".join(repr(n) for n, _o, _d in fields),
        ", ".join("(%s)" % fmt(dt) if dt.subarray is not None else fmt(dt) for _n, _o, dt in fields),
        ", ".join(str(o) for _n, o, _d in fields), elsize, ", 'aligned': True" if aligned else "")


NPY_ALIGNED_STRUCT = 0x80   # PyArray_Descr.flags: made with align=True


MAX_FIELDS = 4096        # fields of a structured dtype read
MAX_DTYPE_DEPTH = 8      # nested structured / subarray dtypes followed


def _small_int(mem, lay, address):
    """A Python int of one 30-bit digit (field offsets, subarray dims)."""
    _tp, name = object_type(mem, lay, address)
    if name != "int":
        raise Invalid("field offset is a %r" % name)
    size = lay.ssize(mem, address + lay.offsets["ob_size"])
    if size == 0:
        return 0
    if size != 1:
        raise Invalid("field offset of %d digits" % size)
    return struct.unpack(lay.endian + "I", mem.read(address + 3 * lay.pointer_size, 4))[0]


def _read_structure(mem, lay, dt, depth):
    """Fills dt.fields / dt.subarray from the descr's names, fields and
    subarray (CPython 3.x objects: names a tuple of str, fields a dict of
    name -> (dtype, offset[, title]))."""
    from . import pyframe   # its str, tuple and dict readers (64-bit CPython layout)
    off = lay.offsets
    address = dt.address
    sub = lay.ptr(mem, address + off["d_subarray"])
    if sub:
        base = read_dtype(mem, lay, lay.ptr(mem, sub), depth + 1)
        shape = sequence_items(mem, lay, lay.ptr(mem, sub + lay.pointer_size))
        if shape is None or len(shape) > MAXDIMS_V1:
            raise Invalid("subarray shape is not a tuple")
        dims = tuple(_small_int(mem, lay, d) for d in shape)
        n = 1
        for d in dims:
            n *= d
        if n * base.elsize != dt.elsize:
            raise Invalid("subarray %r of %d-byte items in %d bytes" % (dims, base.elsize, dt.elsize))
        dt.subarray = (base, dims)
        return
    names = lay.ptr(mem, address + off["d_names"])
    fields = lay.ptr(mem, address + off["d_fields"])
    if not names or not fields or object_type(mem, lay, names)[1] != "tuple":
        return
    if lay.pointer_size != 8 or lay.endian != "<":
        raise Invalid("structured dtypes are decoded on 64-bit little-endian targets only")
    r = pyframe.Reader(mem, lay)
    out = []
    for p in r.tuple_items(names, MAX_FIELDS):
        name = r.str(p)
        entry = r.dict_get(fields, name)
        if not entry:
            raise Invalid("field %r is not in the fields dict" % name)
        items = r.tuple_items(entry, 3)
        if len(items) < 2:
            raise Invalid("field %r: a %d-tuple" % (name, len(items)))
        fdt = read_dtype(mem, lay, items[0], depth + 1)
        offset = _small_int(mem, lay, items[1])
        if offset + fdt.elsize > dt.elsize:
            raise Invalid("field %r at %d+%d in a %d-byte record" % (name, offset, fdt.elsize, dt.elsize))
        out.append((name, offset, fdt))
    dt.fields = out
    aligned = mem.read(address + off["d_kind"] + 3, 1)[0] & NPY_ALIGNED_STRUCT
    dt.name = structured_name(out, dt.elsize, aligned)


def dtype_name(type_num, kind, byteorder, elsize):
    """numpy's dtype.name for numbers ('float64', 'bool'), dtype.str for the
    flexible and time kinds ('<U5', '|S3', '|V16', '<M8'): the name alone
    would hide the length and, for times, the unit (kept in c_metadata,
    which arrdbg does not read)."""
    if kind == "b":
        return "bool"
    if kind in ("i", "u", "f"):
        return "%s%d" % ({"i": "int", "u": "uint", "f": "float"}[kind], elsize * 8)
    if kind == "c":
        return "complex%d" % (elsize * 8)
    if kind == "O":
        return "object"
    order = byteorder if byteorder in "<>|" else "="
    if kind == "U":
        return "%sU%d" % (order, elsize // 4)
    if kind in "SV":
        return "|%s%d" % (kind, elsize)
    if kind in "Mm":
        return "%s%s8" % (order, kind)
    return "type_num %d" % type_num


def element_format(type_num, kind, elsize):
    """A struct format for one element (without byte order), "x87" for an
    80-bit long double, or None when arrdbg does not decode the kind."""
    entry = TYPE_NUMS.get(type_num)
    if entry is None:
        return None
    fmt = entry[1]
    if fmt in ("l", "L"):
        fmt = _SIZED_FORMATS.get((kind, elsize))
    if fmt == "longdouble":
        fmt = "x87" if elsize in (12, 16) and kind == "f" else (
            "x87c" if elsize in (24, 32) and kind == "c" else None)
    if fmt is None:
        return None
    if fmt in ("x87", "x87c"):
        return fmt
    size = struct.calcsize("<" + fmt) * (2 if kind == "c" else 1)
    return fmt if size == elsize else None


def read_dtype(mem, lay, address, depth=0):
    if depth > MAX_DTYPE_DEPTH:
        raise Invalid("dtypes nested deeper than %d" % MAX_DTYPE_DEPTH)
    if address == 0:
        raise Invalid("descr NULL")
    tp, name = object_type(mem, lay, address)
    if not name.startswith("numpy.dtype"):
        raise Invalid("descr is a %r, not a numpy.dtype" % name)
    off = lay.offsets
    raw = mem.read(address + off["d_kind"], 3)
    kind, char, byteorder = (chr(c) for c in raw)
    type_num = lay.int(mem, address + off["d_type_num"])
    elsize = lay._elsize.unpack(mem.read(address + off["d_elsize"], lay.elsize_bytes))[0]
    if elsize < 0 or elsize > (1 << 40):
        raise Invalid("itemsize %d" % elsize)
    if not (0 <= type_num < 24 or NPY_USERDEF <= type_num < NPY_USERDEF + 1000000):
        raise Invalid("type_num %d" % type_num)
    if kind not in "biufcOSUVMm" or byteorder not in "<>|=":
        raise Invalid("dtype kind %r byteorder %r" % (kind, byteorder))
    entry = TYPE_NUMS.get(type_num)
    if entry is not None and entry[0] != kind:
        raise Invalid("type_num %d with kind %r" % (type_num, kind))
    dt = Dtype(address, type_num, kind, char, byteorder, elsize, lay.endian)
    if kind == "V":
        try:
            _read_structure(mem, lay, dt, depth)
        except (Fault, Invalid):   # the record stays '|V12', its elements undecoded
            dt.fields = dt.subarray = None
            dt.name = dtype_name(type_num, kind, byteorder, elsize)
    return dt


class NdArray:
    """One ndarray as read from memory."""

    def __init__(self, address, type_name_, depth):
        self.address = address
        self.type_name = type_name_
        self.subclass_depth = depth
        self.data = self.ndim = self.base = self.flags = 0
        self.shape = self.strides = ()
        self.dtype = None
        self.base_type = None   # tp_name of base when base is not NULL
        self.size = self.nbytes = 0

    @property
    def itemsize(self):
        return self.dtype.elsize

    @property
    def owns_data(self):
        return bool(self.flags & FLAG_OWNDATA)

    def flag_names(self):
        return [name for bit, name in FLAG_NAMES if self.flags & bit]

    def extent(self):
        """Byte range [lo, hi) of the elements, relative to data."""
        if any(d == 0 for d in self.shape):
            return 0, 0
        lo = hi = 0
        for d, s in zip(self.shape, self.strides):
            if s < 0:
                lo += s * (d - 1)
            else:
                hi += s * (d - 1)
        return lo, hi + self.itemsize


class Seen:
    """Types and dtypes already checked while reading many ndarrays in one
    command (arr views over arrdbg's registry): each is checked once."""

    def __init__(self):
        self.types = {}    # type address -> (tp_name, ndarray subclass depth or None)
        self.dtypes = {}   # descr address -> Dtype

    def object_type(self, mem, lay, address):
        tp = lay.ptr(mem, address + lay.offsets["ob_type"])
        known = self.types.get(tp)
        if known is None:
            tp, name = object_type(mem, lay, address)
            known = self.types[tp] = (name, ndarray_type_depth(mem, lay, tp))
        return tp, known

    def dtype(self, mem, lay, address):
        dt = self.dtypes.get(address)
        if dt is None:
            dt = self.dtypes[address] = read_dtype(mem, lay, address)
        return dt


def read_ndarray(mem, lay, address, seen=None):
    """The ndarray at address; Invalid if it is not one (the message names
    the Python type when it is another object).  seen: a Seen shared by the
    reads of one command."""
    if seen is None:
        tp, name = object_type(mem, lay, address)
        depth = ndarray_type_depth(mem, lay, tp)
    else:
        tp, (name, depth) = seen.object_type(mem, lay, address)
    if depth is None:
        raise NotAnArray(name)
    a = NdArray(address, name, depth)
    off = lay.offsets
    a.data = lay.ptr(mem, address + off["data"])
    a.ndim = lay.int(mem, address + off["nd"])
    if not 0 <= a.ndim <= MAXDIMS_V1 * 2:   # NumPy 2 allows 64
        raise Invalid("ndim %d" % a.ndim)
    if a.ndim:
        a.shape = lay.ssizes(mem, lay.ptr(mem, address + off["dimensions"]), a.ndim)
        a.strides = lay.ssizes(mem, lay.ptr(mem, address + off["strides"]), a.ndim)
    try:
        size = element_count(a.shape)
    except ValueError as e:
        raise Invalid(str(e))
    a.size = size
    descr = lay.ptr(mem, address + off["descr"])
    a.dtype = read_dtype(mem, lay, descr) if seen is None else seen.dtype(mem, lay, descr)
    a.nbytes = size * a.dtype.elsize
    a.flags = lay.int(mem, address + off["flags"])
    if a.flags & ~0xffff:
        raise Invalid("flags 0x%x" % a.flags)
    if size and a.data == 0:
        raise Invalid("data NULL")
    a.base = lay.ptr(mem, address + off["base"])
    if a.base:
        try:
            a.base_type = object_type(mem, lay, a.base)[1] if seen is None else \
                seen.object_type(mem, lay, a.base)[1][0]
        except (Fault, Invalid) as exc:
            a.base_type = "<unreadable base: %s>" % exc
    return a


class NotAnArray(Invalid):
    """A readable Python object of another type."""

    def __init__(self, name):
        Invalid.__init__(self, "a Python %r object, not an ndarray" % name)
        self.type_name = name


def base_chain(mem, lay, a):
    """[(address, NdArray or None, type name)] from a's base to the object
    that holds the memory, capped; the last entry's NdArray is None when it
    is not an ndarray (bytes, mmap, a capsule, ...).  Also (problem or None)."""
    chain = []
    seen = {a.address}
    current = a
    while current.base and len(chain) < MAX_BASE_CHAIN:
        address = current.base
        if address in seen:
            return chain, "base chain has a cycle at 0x%x" % address
        seen.add(address)
        try:
            nxt = read_ndarray(mem, lay, address)
        except NotAnArray as exc:
            chain.append((address, None, exc.type_name))
            return chain, None
        except (Fault, Invalid) as exc:
            chain.append((address, None, "<invalid: %s>" % exc))
            return chain, None
        chain.append((address, nxt, nxt.type_name))
        current = nxt
    if current.base:
        return chain, "base chain longer than %d" % MAX_BASE_CHAIN
    return chain, None


def sequence_items(mem, lay, address):
    """The item pointers of a Python list or tuple (capped), or None when
    the object is neither."""
    _tp, name = object_type(mem, lay, address)
    if name not in ("list", "tuple"):
        return None
    count = lay.ssize(mem, address + lay.offsets["ob_size"])
    if not 0 <= count <= MAX_SEQUENCE:
        raise Invalid("%s of %d items" % (name, count))
    if name == "tuple":
        return list(lay.pointers(mem, address + lay.offsets["tuple_items"], count))
    items = lay.ptr(mem, address + lay.offsets["list_items"])
    return list(lay.pointers(mem, items, count)) if count else []


# ---- elements -------------------------------------------------------------


def _x87(raw, endian):
    """An 80-bit x87 extended float (the first 10 bytes) as a Python float."""
    if endian == ">":
        raw = raw[::-1]
    mantissa = int.from_bytes(raw[0:8], "little")
    top = int.from_bytes(raw[8:10], "little")
    sign = -1.0 if top & 0x8000 else 1.0
    exponent = top & 0x7fff
    if exponent == 0x7fff:
        return sign * float("inf") if mantissa << 1 == 0 else float("nan")
    if exponent == 0:
        exponent = 1  # denormal
    try:
        return sign * float(mantissa) * 2.0 ** (exponent - 16383 - 63)
    except OverflowError:
        return sign * float("inf")


def format_number(x):
    """Numbers the way gdb prints them: 3 not 3.0, 0.5, -inf, nan."""
    if isinstance(x, bool):
        return "true" if x else "false"
    if isinstance(x, float):
        if x != x:
            return "nan"
        if x in (float("inf"), float("-inf")):
            return "inf" if x > 0 else "-inf"
        text = repr(x)
        return text[:-2] if text.endswith(".0") else text
    return str(x)


class ElementReader:
    """Decodes elements of one NdArray (or of one dtype) from a block of
    its memory; a record as NumPy prints it, (1, 2.5, b'ab'), a subarray
    field as {1, 2, 3}."""

    def __init__(self, a, native, long_double=None):
        """long_double: a function from one long double's bytes (in the
        target's order) to its text, as gdb prints a C long double (every
        digit it holds); None reads it as a Python float (offline)."""
        dt = getattr(a, "dtype", a)
        self.fields = [(offset, ElementReader(fdt, native, long_double))
                       for _n, offset, fdt in dt.fields] if dt.fields is not None else None
        self.subarray = None
        if dt.subarray is not None:
            base, dims = dt.subarray
            self.subarray = (ElementReader(base, native, long_double), dims, base.elsize)
        self.native, self.long_double = native, long_double
        self.kind = dt.kind
        self.elsize = dt.elsize
        self.fmt = dt.format
        order = dt.byteorder if dt.byteorder in "<>" else native
        self.order = order
        self.unit = None
        if self.fmt and self.fmt not in ("x87", "x87c"):
            self.unit = struct.Struct(order + self.fmt)

    def decodable(self):
        if self.fields is not None:
            return all(r.decodable() for _o, r in self.fields)
        if self.subarray is not None:
            return self.subarray[0].decodable()
        return self.fmt is not None or self.kind in "SU"

    def text(self, block, pos):
        if self.fields is not None:
            parts = [r.text(block, pos + offset) for offset, r in self.fields]
            return "(%s)" % (parts[0] + "," if len(parts) == 1 else ", ".join(parts))
        if self.subarray is not None:
            reader, dims, size = self.subarray
            return self._nested(reader, block, pos, dims, size)
        raw = block[pos:pos + self.elsize]
        if self.fmt == "x87":
            return self._x87_text(raw)
        if self.fmt == "x87c":
            half = self.elsize // 2
            return "%s + %si" % (self._x87_text(raw[:half]), self._x87_text(raw[half:]))
        if self.kind == "c":
            re, im = struct.unpack(self.order + "2" + self.fmt, raw)
            return "%s + %si" % (format_number(re), format_number(im))
        if self.unit is not None:
            return format_number(self.unit.unpack(raw)[0])
        if self.kind == "S":
            return repr(raw.split(b"\0", 1)[0])
        if self.kind == "U":
            chars = []
            unit = struct.Struct(self.order + "I")
            for k in range(0, self.elsize - 3, 4):
                c = unit.unpack_from(raw, k)[0]
                if c == 0:
                    break
                chars.append(chr(c) if c < 0x110000 else "?")
            return repr("".join(chars))
        return "?"

    def _x87_text(self, raw):
        """One long double: through self.long_double (in the target's byte
        order) when there is one, else as a Python float."""
        if self.long_double is not None:
            text = self.long_double(raw if self.order == self.native else raw[::-1])
            if text is not None:
                return text
        return format_number(_x87(raw, self.order))

    def texts(self, raws):
        """text() of many elements (a list of their bytes): one unpack for
        plain numbers and bool."""
        if self.unit is not None and self.kind != "c" and self.fields is None and raws:
            values = struct.unpack("%s%d%s" % (self.order, len(raws), self.fmt), b"".join(raws))
            return list(map(format_number, values))
        return [self.text(raw, 0) for raw in raws]

    @staticmethod
    def _nested(reader, block, pos, dims, size):
        """A C-ordered subarray field as {..} per axis (at most 1000 items
        per axis: a record's subarray is small)."""
        if not dims:
            return reader.text(block, pos)
        step = size
        for d in dims[1:]:
            step *= d
        shown = min(dims[0], 1000)
        parts = [ElementReader._nested(reader, block, pos + k * step, dims[1:], size) for k in range(shown)]
        return "{%s}" % ", ".join(parts + (["..."] if shown < dims[0] else []))
