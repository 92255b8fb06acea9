"""Array descriptors and libarr's registry, read and validated from memory.

Every pointer may be NULL or garbage and every count may be absurd: reads go
through memory.read (bounded), counts are capped, lists are walked with a
visited set, and a descriptor that fails a check gets a short reason that the
printers show as `<arr: invalid REASON at 0x...>`.
"""

import struct

import gdb

from . import layout
from .memory import ADDRESS_MASK, ReadError, Settings, Target, read
from .overlap import Operand, extent

MAX_REGISTRY = 10000000   # registry entries the plugin is willing to read
MAX_VIEWS_WALK = 10000000
MAX_ELEMENTS = 1 << 62


class Invalid(Exception):
    """A descriptor or registry that does not make sense; str() is short."""


class ArrDesc:
    """One arr_t as read from the inferior (or a synthetic row of one)."""

    def __init__(self, address, fields, raw=None):
        self.address = address
        self.raw = raw
        self.__dict__.update(fields)
        label = fields["label"].split(b"\0", 1)[0]
        self.label = "".join(c if c.isprintable() else "?"
                             for c in label.decode("utf-8", "replace"))
        self.ndim = fields["ndim"]
        if 0 <= self.ndim <= layout.MAXDIMS:
            self.shape = tuple(fields["shape"][:self.ndim])
            self.strides = tuple(fields["strides"][:self.ndim])

    @classmethod
    def read(cls, address, synthetic_raw=None):
        """Reads and validates the arr_t at address; raises ReadError or
        Invalid.  synthetic_raw: bytes of a descriptor gdb already holds."""
        target = Target.get()
        decoder = target.arr
        if synthetic_raw is not None:
            raw = synthetic_raw
        else:
            if address == 0:
                raise Invalid("NULL")
            raw = read(address, decoder.size)
        desc = cls(address, decoder.decode(raw), raw)
        desc.validate(synthetic_raw is not None)
        return desc

    def validate(self, synthetic):
        magic = self.magic
        if magic == layout.MAGIC_FREED:
            raise Invalid("freed handle (was #%d)" % self.id)
        if magic != layout.MAGIC_LIVE and not (synthetic and magic == layout.MAGIC_ROW):
            raise Invalid("magic 0x%08x" % magic)
        if not 0 <= self.ndim <= layout.MAXDIMS:
            raise Invalid("ndim %d" % self.ndim)
        if not 0 <= self.dtype < len(layout.DTYPES):
            raise Invalid("dtype %d" % self.dtype)
        if self.itemsize != layout.DTYPE_SIZES[self.dtype]:
            raise Invalid("itemsize %d for %s" % (self.itemsize, layout.DTYPES[self.dtype]))
        if self.is_view not in (0, 1) or self.orphaned not in (0, 1):
            raise Invalid("is_view %d orphaned %d" % (self.is_view, self.orphaned))
        if self.orphaned and not self.is_view:
            raise Invalid("orphaned owner")
        size = 1
        for axis, d in enumerate(self.shape):
            if d < 0:
                raise Invalid("shape[%d] %d" % (axis, d))
            size *= d
            if size > MAX_ELEMENTS:
                raise Invalid("element count (over 2**62)")
        self.size = size
        self.nbytes = size * self.itemsize
        if size and self.data == 0:
            raise Invalid("data NULL")
        if self.op < 0 or self.op >= len(layout.OPS):
            raise Invalid("op %d" % self.op)

    # ---- derived facts ---------------------------------------------------

    @property
    def dtype_name(self):
        return layout.DTYPES[self.dtype]

    @property
    def op_name(self):
        return layout.OPS[self.op]

    def is_copy(self):
        return not self.is_view and layout.is_copy_op(self.op)

    def kind(self):
        """owner / copy / view / orphan: the category arr list shows."""
        if self.is_view:
            return "orphan" if self.orphaned else "view"
        return "copy" if self.is_copy() else "owner"

    def extent(self):
        """Byte range [lo, hi) relative to data."""
        return extent(self.shape, self.strides, self.itemsize)

    def operand(self):
        return Operand(self.data, self.shape, self.strides, self.itemsize)

    def readable(self):
        return not self.orphaned or Settings.read_orphans

    def flag_words(self):
        words = []
        if self.flags & layout.FLAG_C_CONTIGUOUS:
            words.append("C-contiguous")
        if self.flags & layout.FLAG_F_CONTIGUOUS:
            words.append("F-contiguous")
        if not self.flags & layout.FLAG_WRITEABLE:
            words.append("read-only")
        if not self.is_view and not self.flags & layout.FLAG_OWNDATA:
            words.append("external memory")
        return words

    def relation(self):
        if self.is_view and self.orphaned:
            return "orphaned view of freed #%d" % self.base_id
        if self.is_view:
            return "view of #%d" % self.base_id
        if self.is_copy():
            how = "" if self.op_name == "copy" else " (%s)" % self.op_name
            return "copy of #%d%s" % (self.source_id, how)
        return "owner"

    def summary(self):
        parts = ["arr #%d" % self.id, self.dtype_name,
                 "shape " + fmt_tuple(self.shape),
                 "strides " + fmt_tuple(self.strides), self.relation()]
        if self.label:
            parts.append('"%s"' % self.label)
        parts.extend(self.flag_words())
        parts.append("%d bytes" % self.nbytes)
        return " ".join(parts)


def fmt_tuple(values):
    """NumPy's way: (), (3,), (3, 4)."""
    values = tuple(values)
    if len(values) == 1:
        return "(%d,)" % values[0]
    return "(" + ", ".join(str(v) for v in values) + ")"


def invalid_text(reason, address):
    return "<arr: invalid %s at 0x%x>" % (reason, address & ADDRESS_MASK)


def describe_failure(exc, address):
    if isinstance(exc, ReadError):
        if exc.address == address:
            return "<arr: unreadable at 0x%x>" % (address & ADDRESS_MASK)
        return "<arr: invalid (%s) at 0x%x>" % (exc, address & ADDRESS_MASK)
    text = str(exc)
    if text == "NULL" and address == 0:
        return "<arr: NULL>"
    if text.startswith("freed handle"):
        return "<arr: %s at 0x%x>" % (text, address & ADDRESS_MASK)
    return invalid_text(text, address)


# ---- the registry -------------------------------------------------------


def registry_address():
    """Address of libarr's arr_registry, or None when not loaded."""
    try:
        sym = gdb.lookup_global_symbol("arr_registry")
        if sym is not None:
            return int(sym.value().address)
    except (gdb.error, RuntimeError):
        pass
    try:
        return int(gdb.parse_and_eval("&arr_registry"))
    except (gdb.error, RuntimeError):
        return None


class Registry:
    """libarr's list of live handles.  problems: what did not make sense
    (the entries that did are still listed)."""

    def __init__(self):
        self.problems = []
        self.entries = []  # ArrDesc, in registry order
        self.bad = []      # (slot, address, text) of entries that fail checks
        self.address = registry_address()
        if self.address is None:
            raise Invalid("no arr_registry symbol: is libarr loaded?")
        target = Target.get()
        fields = target.registry.decode(read(self.address, target.registry.size))
        self.__dict__.update(fields)
        if self.magic == 0 and self.count == 0:
            return  # libarr not initialised yet: nothing live
        if self.magic != layout.REGISTRY_MAGIC:
            raise Invalid("registry magic 0x%08x" % self.magic)
        count = self.count
        if count < 0 or count > self.capacity or count > MAX_REGISTRY:
            usable = min(max(count, 0), MAX_REGISTRY, max(self.capacity, 0))
            self.problems.append("count %d is not plausible (capacity %d): reading %d entries"
                                 % (count, self.capacity, usable))
            count = usable
        if count == 0:
            return
        psize = target.pointer_size
        try:
            raw = read(self.items, count * psize, cache=False)
        except ReadError as exc:
            raise Invalid("registry items (%s)" % exc)
        fmt = "%s%d%s" % (target.endian, count, "Q" if psize == 8 else "I")
        pointers = struct.unpack(fmt, raw)
        seen = {}
        decoder = target.arr
        blocks = _read_clustered(pointers, decoder.size)
        for slot, ptr in enumerate(pointers):
            if ptr in seen:
                self.problems.append("slot %d repeats slot %d (0x%x): registry loop"
                                     % (slot, seen[ptr], ptr))
                continue
            seen[ptr] = slot
            try:
                if ptr == 0:
                    raise Invalid("NULL")
                start, block = blocks.get(ptr, (None, None))
                if block is not None:
                    raw = block[ptr - start:ptr - start + decoder.size]
                else:
                    raw = read(ptr, decoder.size, cache=False)
                desc = ArrDesc(ptr, decoder.decode(raw))
                desc.validate(False)
            except (ReadError, Invalid) as exc:
                self.bad.append((slot, ptr, describe_failure(exc, ptr)))
                continue
            self.entries.append(desc)
        self._by_id = None

    def by_id(self, ident):
        if self._by_id is None:
            self._by_id = {d.id: d for d in self.entries}
        return self._by_id.get(ident)


CLUSTER_GAP = 4096          # bytes between descriptors still read together
CLUSTER_MAX = 1 << 20       # bytes per clustered read


def _read_clustered(pointers, size):
    """{pointer: (block start, block bytes)} for descriptors that lie close
    together in memory: one read per cluster instead of one per descriptor.
    Pointers whose cluster cannot be read are left out (read one by one)."""
    found = {}
    ordered = sorted(p for p in set(pointers) if p)
    i = 0
    while i < len(ordered):
        j = i
        while (j + 1 < len(ordered) and ordered[j + 1] - ordered[j] <= CLUSTER_GAP
               and ordered[j + 1] + size - ordered[i] <= CLUSTER_MAX):
            j += 1
        if j > i:
            start = ordered[i]
            try:
                block = read(start, ordered[j] + size - start, cache=False)
            except ReadError:
                block = None
            if block is not None:
                for p in ordered[i:j + 1]:
                    found[p] = (start, block)
        i = j + 1
    return found


# ---- finding arrays from expressions ------------------------------------


def address_of(value):
    """The arr_t address a gdb.Value denotes (pointer, struct, or integer),
    or raises gdb.GdbError."""
    t = value.type.strip_typedefs()
    if t.code == gdb.TYPE_CODE_PTR:
        return int(value) & ADDRESS_MASK
    if t.code == gdb.TYPE_CODE_STRUCT:
        if value.address is None:
            raise gdb.GdbError("the value has no address in the inferior")
        return int(value.address)
    if t.code in (gdb.TYPE_CODE_INT, gdb.TYPE_CODE_ENUM):
        return int(value) & ADDRESS_MASK
    raise gdb.GdbError("expected an arr_t * (or #ID), got a value of type %s" % value.type)


def resolve(text):
    """An ArrDesc for a command argument: an expression or #ID."""
    text = text.strip()
    if text.startswith("#") and text[1:].isdigit():
        ident = int(text[1:])
        try:
            desc = Registry().by_id(ident)
        except (Invalid, ReadError) as exc:
            raise gdb.GdbError("cannot read libarr's registry: %s" % exc)
        if desc is None:
            raise gdb.GdbError("no live array #%d in libarr's registry" % ident)
        return desc
    try:
        value = gdb.parse_and_eval(text)
    except gdb.error as exc:
        raise gdb.GdbError(str(exc))
    return desc_of_value(value)


def desc_of_value(value):
    address = address_of(value)
    try:
        return ArrDesc.read(address)
    except (ReadError, Invalid) as exc:
        raise gdb.GdbError(describe_failure(exc, address))


_where_cache = {}


def where(pc):
    """'function at file:line' for a made_at return address."""
    if not pc:
        return "?"
    if pc in _where_cache:
        return _where_cache[pc]
    text = "0x%x" % pc
    try:
        call = pc - 1  # the call instruction ends just before the return address
        sal = gdb.find_pc_line(call)
        name = None
        try:
            block = gdb.block_for_pc(call)
            while block is not None and block.function is None:
                block = block.superblock
            if block is not None:
                name = block.function.print_name
        except RuntimeError:
            pass
        if sal.symtab is not None and sal.line:
            location = "%s:%d" % (sal.symtab.filename.rsplit("/", 1)[-1], sal.line)
            text = "%s at %s" % (name, location) if name else location
        elif name:
            text = "%s (0x%x)" % (name, pc)
    except (gdb.error, RuntimeError, ValueError, OverflowError):
        pass
    _where_cache[pc] = text
    return text


def forget_where(*_args):
    _where_cache.clear()
