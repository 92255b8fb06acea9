"""Pretty-printers for arr_t, arr_t * and struct arr_registry.

`print a` shows one summary line, then the elements nested per axis as lazy
children with display_hint('array').  An N-d array's children are its rows:
synthetic `struct arr` values (magic ROW1, never in the inferior) that this
same printer shows as plain nested arrays, so MI varobjs can open them too.
Elements are read through the real strides from a block read once.
"""

import struct

import gdb
import gdb.printing

from . import layout
from .memory import ADDRESS_MASK, ReadError, Settings, Target, read
from .model import ArrDesc, Invalid, Registry, describe_failure, fmt_tuple
from .overlap import extent

# Elements fetched per read when a listing goes past what was prefetched
# (MI asking for every child of a big array).
CHUNK_ELEMENTS = 4096


def print_limit():
    """`set print elements`, None for unlimited."""
    try:
        limit = gdb.parameter("print elements")
    except (gdb.error, RuntimeError):
        return 200
    return None if limit is None or limit <= 0 else int(limit)


class ScalarTypes:
    """gdb types for elements, so gdb formats them (and /x shows the real
    width).  8-bit integers stay Python ints: gdb would print them as chars."""

    CASTS = ((layout.DTYPES.index("bool"), "(_Bool)0"),
             (layout.DTYPES.index("int16"), "(short)0"),
             (layout.DTYPES.index("int32"), "(int)0"),
             (layout.DTYPES.index("int64"), "(long long)0"),
             (layout.DTYPES.index("uint16"), "(unsigned short)0"),
             (layout.DTYPES.index("uint32"), "(unsigned int)0"),
             (layout.DTYPES.index("uint64"), "(unsigned long long)0"),
             (layout.DTYPES.index("float32"), "(float)0"),
             (layout.DTYPES.index("float64"), "(double)0"),
             (layout.DTYPES.index("complex64"), "(_Complex float)0"),
             (layout.DTYPES.index("complex128"), "(_Complex double)0"))

    def __init__(self):
        self.types = {}
        for dtype, expr in self.CASTS:
            try:
                t = gdb.parse_and_eval(expr).type
            except (gdb.error, RuntimeError):
                continue
            if t.sizeof == layout.DTYPE_SIZES[dtype]:
                self.types[dtype] = t


class Elements:
    """Decodes elements of one descriptor at byte offsets from its data."""

    def __init__(self, desc):
        target = Target.get()
        self.desc = desc
        self.itemsize = desc.itemsize
        self.format = struct.Struct(target.endian + layout.DTYPE_FORMATS[desc.dtype])
        if getattr(target, "scalar_types", None) is None:
            target.scalar_types = ScalarTypes()
        self.gdb_type = target.scalar_types.types.get(desc.dtype)

    def prefetch(self, shape, strides, base_offset=0):
        """Reads the block covering elements of the given box in one go, if
        it is not too big; later element reads come from the cache."""
        lo, hi = extent(shape, strides, self.itemsize)
        if 0 < hi - lo <= Settings.max_read:
            try:
                read(self.desc.data + base_offset + lo, hi - lo)
            except ReadError:
                pass  # the element reads will say where

    def raw(self, offset):
        return read(self.desc.data + offset, self.itemsize)

    def value(self, offset):
        raw = self.raw(offset)
        if self.gdb_type is not None:
            return gdb.Value(raw, self.gdb_type)
        values = self.format.unpack(raw)
        if len(values) == 2:
            return "%r + %ri" % values
        return values[0]

    def number(self, offset):
        """The element as a Python number (complex: its real part)."""
        return self.format.unpack(self.raw(offset))[0]

    def text(self, offset):
        """The element as text (for the no-debug-info fallback)."""
        values = self.format.unpack(self.raw(offset))
        if len(values) == 2:
            return "%r + %ri" % values
        return repr(values[0])


class ArrSummaryPrinter:
    """Printer for an array without elements to list: invalid, orphaned or
    0-d.  It has no children() method on purpose: gdb's MI shows "{...}" as
    the value of any printer that has one."""

    def __init__(self, desc=None, error=None, row=False):
        self.desc = desc
        self.error = error
        self.row = row

    def to_string(self):
        try:
            return self._to_string()
        except Exception as exc:  # never a traceback from inside gdb
            return "<arr: invalid (%s)>" % exc

    def _to_string(self):
        if self.error is not None:
            return self.error
        desc = self.desc
        if self.row:
            return None
        text = desc.summary()
        if not desc.readable():
            return text + " <orphaned: buffer of #%d was freed>" % desc.base_id
        if desc.ndim == 0:
            try:
                return text + " = %s" % Elements(desc).text(0)
            except ReadError as exc:
                return text + " <unreadable at 0x%x>" % (exc.address & ADDRESS_MASK)
        return text


class ArrPrinter(ArrSummaryPrinter):
    """Printer for an array whose elements are listed as children."""

    def display_hint(self):
        return "array"

    def children(self):
        try:
            for child in self._children():
                yield child
        except Exception as exc:  # never a traceback from inside gdb
            yield "[?]", "<arr: cannot list elements: %s>" % exc

    def _children(self):
        desc = self.desc
        try:
            elements = Elements(desc)
        except (gdb.error, RuntimeError, struct.error):
            return
        limit = print_limit()
        box = tuple(d if limit is None else min(d, limit) for d in desc.shape)
        elements.prefetch(box, desc.strides)
        n, stride = desc.shape[0], desc.strides[0]
        if desc.ndim == 1:
            for i in range(n):
                offset = i * stride
                if i >= box[0] and (i - box[0]) % CHUNK_ELEMENTS == 0:
                    count = min(CHUNK_ELEMENTS, n - i)
                    elements.prefetch((count,), (stride,), offset)
                try:
                    yield "[%d]" % i, elements.value(offset)
                except ReadError as exc:
                    yield "[%d]" % i, "<unreadable at 0x%x>" % (exc.address & ADDRESS_MASK)
                    return
        else:
            for i in range(n):
                yield "[%d]" % i, row_value(desc, i, elements)


def row_value(desc, i, elements):
    """Row i of desc: a synthetic struct arr value when the type is known,
    else its elements as text."""
    target = Target.get()
    data = (desc.data + i * desc.strides[0]) & ADDRESS_MASK
    if target.arr_type is not None and desc.raw is not None:
        raw = target.arr.patched(desc.raw, magic=layout.MAGIC_ROW, ndim=desc.ndim - 1,
                                 data=data, shape=desc.shape[1:], strides=desc.strides[1:])
        return gdb.Value(raw, target.arr_type)
    return nested_text(elements, desc.shape[1:], desc.strides[1:], i * desc.strides[0])


def nested_text(elements, shape, strides, offset):
    limit = print_limit()
    if not shape:
        try:
            return elements.text(offset)
        except ReadError as exc:
            return "<unreadable at 0x%x>" % (exc.address & ADDRESS_MASK)
    shown = shape[0] if limit is None else min(shape[0], limit)
    parts = [nested_text(elements, shape[1:], strides[1:], offset + k * strides[0])
             for k in range(shown)]
    if shown < shape[0]:
        parts.append("...")
    return "{" + ", ".join(parts) + "}"


def desc_from_value(value):
    """ArrDesc for a `struct arr` gdb.Value: read from memory when it has an
    address, else (synthetic rows) decoded from the value's own bytes."""
    address = value.address
    if address is not None:
        return ArrDesc.read(int(address))
    target = Target.get()
    fields = {}
    for name, kind, count in layout.ARR_FIELDS:
        if kind == "char":
            fields[name] = b""
        elif count > 1:
            field = value[name]
            fields[name] = [int(field[k]) for k in range(count)]
        else:
            fields[name] = int(value[name])
    raw = target.arr.patched(bytes(target.arr.size), **fields)
    desc = ArrDesc(0, fields, raw)  # takes fields over as its attributes
    desc.validate(True)
    return desc


def make_printer(desc=None, error=None, row=False):
    if error is None and desc.ndim > 0 and desc.readable():
        return ArrPrinter(desc, row=row)
    return ArrSummaryPrinter(desc, error, row)


class RegistryPrinter:
    def __init__(self, value):
        self.value = value

    def to_string(self):
        try:
            reg = Registry()
        except (Invalid, ReadError) as exc:
            return "<arr registry: %s>" % exc
        kinds = {}
        for d in reg.entries:
            kinds[d.kind()] = kinds.get(d.kind(), 0) + 1
        text = "arr registry: %d live arrays (%s), next id %d" % (
            len(reg.entries),
            ", ".join("%d %s" % (kinds.get(k, 0), k) for k in ("owner", "copy", "view", "orphan")),
            reg.next_id)
        if reg.bad or reg.problems:
            text += " <%d invalid entries, %d problems: see arr list>" % (len(reg.bad), len(reg.problems))
        return text


class _SubPrinter(gdb.printing.SubPrettyPrinter):
    def __init__(self, name, make):
        gdb.printing.SubPrettyPrinter.__init__(self, name)
        self.make = make


def _struct_printer(value):
    try:
        return make_printer(desc_from_value(value), row=_is_row(value))
    except (ReadError, Invalid) as exc:
        address = value.address
        return ArrSummaryPrinter(error=describe_failure(exc, int(address) if address is not None else 0))


def _is_row(value):
    return value.address is None


def _pointer_printer(value):
    address = int(value) & ADDRESS_MASK
    if address == 0:
        return ArrSummaryPrinter(error="<arr: NULL>")
    try:
        return make_printer(ArrDesc.read(address))
    except (ReadError, Invalid) as exc:
        return ArrSummaryPrinter(error=describe_failure(exc, address))


class ArrPrettyPrinter(gdb.printing.PrettyPrinter):
    """The `arrdbg` collection: keyed on the struct tag, not on regexes."""

    def __init__(self):
        gdb.printing.PrettyPrinter.__init__(self, "arrdbg", [])
        self.by_tag = {}
        for name, tag, pointer, make in (("arr", "arr", False, _struct_printer),
                                         ("arr-pointer", "arr", True, _pointer_printer),
                                         ("arr_registry", "arr_registry", False, RegistryPrinter)):
            sub = _SubPrinter(name, make)
            self.subprinters.append(sub)
            self.by_tag[(tag, pointer)] = sub

    def __call__(self, value):
        try:
            t = value.type.strip_typedefs()
            pointer = t.code == gdb.TYPE_CODE_PTR
            if pointer:
                t = t.target().strip_typedefs()
            if t.code != gdb.TYPE_CODE_STRUCT or t.tag is None:
                return None
            sub = self.by_tag.get((t.tag, pointer))
            if sub is None or not sub.enabled:
                return None
            return sub.make(value)
        except Exception as exc:  # a printer must never raise into gdb
            return ArrSummaryPrinter(error="<arr: invalid (%s)>" % exc)


PRINTER = ArrPrettyPrinter()


def register(objfile):
    """Adds the collection to objfile (None: globally), once."""
    holder = gdb if objfile is None else objfile
    if any(getattr(p, "name", None) == PRINTER.name for p in holder.pretty_printers):
        return
    gdb.printing.register_pretty_printer(objfile, PRINTER)
